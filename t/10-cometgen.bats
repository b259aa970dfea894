#!/usr/bin/env bats
# cometgen: the URL lines a flood reads.

load helper
bats_require_minimum_version 1.5.0

@test "cometgen prints count URLs for localhost:8000/test/" {
	run cometgen 3
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "http://localhost:8000/test/1" ]
	[ "${lines[2]}" = "http://localhost:8000/test/3" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "cometgen -a cycles the host through an address range" {
	run cometgen -a 127.0.0.1-127.0.0.3 -p 9000 -f 10 -P /stream/ 4
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "http://127.0.0.1:9000/stream/10" ]
	[ "${lines[1]}" = "http://127.0.0.2:9000/stream/11" ]
	[ "${lines[2]}" = "http://127.0.0.3:9000/stream/12" ]
	[ "${lines[3]}" = "http://127.0.0.1:9000/stream/13" ]
}

@test "cometgen -a takes one address or a host name" {
	run cometgen -a 10.1.2.3 1
	[ "$output" = "http://10.1.2.3:8000/test/1" ]
	run cometgen -a example-host.lan 1
	[ "$output" = "http://example-host.lan:8000/test/1" ]
}

@test "cometgen spreads lines over several -p, and over -a with their own ports" {
	run cometgen -p 8001 -p 8002 -p 8003 -f 10 4
	[ "$status" -eq 0 ]
	[ "$output" = "http://localhost:8001/test/10
http://localhost:8002/test/11
http://localhost:8003/test/12
http://localhost:8001/test/13" ]
	# a range with each -p: every (address, port) pair gets its share
	run cometgen -a 127.0.0.1-127.0.0.2 -p 1 -p 2 8
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sed 's,/test/.*,,' | sort | uniq -c |
	    awk '{ print $1 }' | tr '\n' ' ')" = "2 2 2 2 " ]
	[ "${lines[0]}" = "http://127.0.0.1:1/test/1" ]
	[ "${lines[1]}" = "http://127.0.0.1:2/test/2" ]
	[ "${lines[2]}" = "http://127.0.0.2:1/test/3" ]
	# a host:port keeps its port; a bare host goes with each -p
	run cometgen -a n1:7000 -a n2 -p 9 -p 10 3
	[ "$output" = "http://n1:7000/test/1
http://n2:9/test/2
http://n2:10/test/3" ]
	run cometgen -a 127.0.0.5:80 1
	[ "$output" = "http://127.0.0.5:80/test/1" ]
}

@test "cometgen ranges cross octet boundaries" {
	run cometgen -a 127.0.0.255-127.0.1.0 3
	[ "${lines[0]}" = "http://127.0.0.255:8000/test/1" ]
	[ "${lines[1]}" = "http://127.0.1.0:8000/test/2" ]
	[ "${lines[2]}" = "http://127.0.0.255:8000/test/3" ]
}

@test "cometgen 0 prints nothing" {
	run cometgen 0
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "cometgen 1000000 prints a million lines, the last with id 1000000" {
	run bash -c "'$COMET_BIN/cometgen' 1000000 | awk 'END { print NR, \$0 }'"
	[ "$status" -eq 0 ]
	[ "$output" = "1000000 http://localhost:8000/test/1000000" ]
}

@test "cometgen 1000000 | head -3 exits quietly, status 0 (not 141 from SIGPIPE)" {
	run --separate-stderr bash -c "'$COMET_BIN/cometgen' 1000000 | head -3; exit \${PIPESTATUS[0]}"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ -z "$stderr" ]
	# the same for -m, which would run for ever
	run --separate-stderr bash -c "'$COMET_BIN/cometgen' -m 1000 9 | head -3; exit \${PIPESTATUS[0]}"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ -z "$stderr" ]
	# and when SIGPIPE is ignored, EPIPE ends it just as quietly
	run --separate-stderr bash -c "trap '' PIPE; '$COMET_BIN/cometgen' 1000000 | head -1"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "cometgen -h prints usage on stdout and exits 0" {
	run --separate-stderr cometgen -h
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: cometgen "* ]]
}

@test "cometgen bad invocations print usage or the bad value, status 2" {
	run -2 --separate-stderr cometgen
	[[ "$stderr" == "cometgen: missing operand"$'\n'"usage: cometgen "* ]]
	run -2 --separate-stderr cometgen 1 2
	[[ "$stderr" == "cometgen: extra operand: 2"$'\n'"usage: cometgen "* ]]
	run -2 --separate-stderr cometgen -x 1
	[[ "$stderr" == *"usage: cometgen "* ]]
	run -2 --separate-stderr cometgen abc
	[[ "$stderr" == "cometgen: count abc: not a number"$'\n'* ]]
	run -2 --separate-stderr cometgen -p 0 1
	[[ "$stderr" == "cometgen: -p 0: must be 1 to 65535"$'\n'* ]]
	run -2 --separate-stderr cometgen -p 65536 1
	[[ "$stderr" == "cometgen: -p 65536: must be 1 to 65535"$'\n'* ]]
	run -2 --separate-stderr cometgen -f -1 1
	[[ "$stderr" == "cometgen: -f -1: must be 0 to "*$'\n'* ]]
	run -2 --separate-stderr cometgen -a 127.0.0.9-127.0.0.1 1
	[[ "$stderr" == "cometgen: -a 127.0.0.9-127.0.0.1: not a host name, address or address range"$'\n'* ]]
	run -2 --separate-stderr cometgen -a 127.0.0.300 1
	[[ "$stderr" == "cometgen: -a 127.0.0.300: not a host"* ]]
	run -2 --separate-stderr cometgen -a x:0 1
	[[ "$stderr" == "cometgen: -a x:0: the port after ':' must be 1 to 65535"$'\n'* ]]
	run -2 --separate-stderr cometgen -a 127.0.0.1:http 1
	[[ "$stderr" == "cometgen: -a 127.0.0.1:http: the port after"* ]]
	run -2 --separate-stderr cometgen -a :80 1
	[[ "$stderr" == "cometgen: -a :80: not a host"* ]]
	run -2 --separate-stderr cometgen $(printf -- '-p %d ' $(seq 1 65)) 1
	[[ "$stderr" == "cometgen: -p 65: too many -p"$'\n'* ]]
	run -2 --separate-stderr cometgen -a a -a b $(printf -- '-p %d ' $(seq 1 33)) 1
	[[ "$stderr" == "cometgen: more than 64 servers from -a and -p" ]]
	run -2 --separate-stderr cometgen -m 10 -p 8001 -p 8002 1
	[[ "$stderr" == "cometgen: -P, -a and -p are for URLs, not with -m"$'\n'* ]]
	run -2 --separate-stderr cometgen -P nope 1
	[[ "$stderr" == "cometgen: -P nope: must start with /"* ]]
	[ -z "$output" ]
}

@test "cometgen -m prints batch lines: a random Id in 1..count, the send time, a sequence number" {
	before=$(date +%s%6N)
	run --separate-stderr cometgen -m 1000 -n 200 -f 5 10
	after=$(date +%s%6N)
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 200 ]
	printf '%s\n' "$output" | awk -F'\t' -v lo="$before" -v hi="$after" '
	    {
		if (NF != 2 || $1 !~ /^[0-9]+$/ || $1 < 5 || $1 > 14) { print "bad Id: " $0; exit 1 }
		# mawk has no {16}: digits, then their count
		if ($2 !~ /^t=[0-9]+ n=[0-9]+$/ || index($2, " ") != 19) { print "bad message: " $0; exit 1 }
		split($2, w, /[= ]/)
		if (w[2] < lo || w[2] > hi) { print "stamp not now: " $0; exit 1 }
		if (w[4] != NR) { print "sequence: " $0; exit 1 }
		seen[$1] = 1
	    }
	    END { for (i in seen) k++; if (k < 8) { print "only " k " Ids"; exit 1 } }'
}

@test "cometgen -m paces: 100 lines at 50 a second take at least 1.9 s of their own stamps" {
	run --separate-stderr cometgen -m 50 -n 100 1
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 100 ]
	first=$(printf '%s\n' "${lines[0]}" | sed 's/.*t=\([0-9]*\).*/\1/')
	last=$(printf '%s\n' "${lines[99]}" | sed 's/.*t=\([0-9]*\).*/\1/')
	[ $((last - first)) -ge 1900000 ]
}

@test "cometgen -m -i takes Ids from a file: comments and blank lines skipped, bad lines quoted, status 1" {
	printf '# subscribers\nalice\n\nbob\r\nbad id \nx\001y\n' >"$BATS_TEST_TMPDIR/ids"
	run --separate-stderr cometgen -m 1000 -n 50 -i "$BATS_TEST_TMPDIR/ids"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 50 ]
	[ -z "$(printf '%s\n' "$output" | cut -f1 | grep -v '^alice$' | grep -v '^bob$')" ]
	printf '%s\n' "$output" | cut -f1 | grep -q '^alice$'
	printf '%s\n' "$output" | cut -f1 | grep -q '^bob$'
	[[ "$stderr" == *"ids:5: not an Id (256 bytes at most, no spaces or control bytes): \"bad id \""* ]]
	[[ "$stderr" == *"ids:6: not an Id (256 bytes at most, no spaces or control bytes): \"x\\x01y\""* ]]
	run -1 --separate-stderr cometgen -m 10 -i "$BATS_TEST_TMPDIR/none"
	[[ "$stderr" == "cometgen: $BATS_TEST_TMPDIR/none: No such file or directory" ]]
	printf '# nobody\n' >"$BATS_TEST_TMPDIR/empty"
	run -1 --separate-stderr cometgen -m 10 -i "$BATS_TEST_TMPDIR/empty"
	[[ "$stderr" == "cometgen: $BATS_TEST_TMPDIR/empty: no Ids" ]]
}

@test "cometgen -m bad invocations: status 2" {
	run -2 --separate-stderr cometgen -m 0 5
	[[ "$stderr" == "cometgen: -m 0: must be 1 to 10000000"$'\n'* ]]
	run -2 --separate-stderr cometgen -m 10
	[[ "$stderr" == "cometgen: missing operand"$'\n'* ]]
	run -2 --separate-stderr cometgen -m 10 0
	[[ "$stderr" == "cometgen: count 0: must be 1 to "*$'\n'* ]]
	run -2 --separate-stderr cometgen -m 10 -i /dev/null 5
	[[ "$stderr" == "cometgen: extra operand: 5"$'\n'* ]]
	run -2 --separate-stderr cometgen -n 5 10
	[[ "$stderr" == "cometgen: -i and -n go with -m"$'\n'* ]]
	run -2 --separate-stderr cometgen -m 10 -a 127.0.0.1 5
	[[ "$stderr" == "cometgen: -P, -a and -p are for URLs, not with -m"$'\n'* ]]
	[ -z "$output" ]
}

@test "cometgen -m | curl -T - publishes as it goes: cometd delivers before the body ends" {
	start_cometd -i 1h -w 2
	curl -sN "$URL/test/7" >"$BATS_TEST_TMPDIR/sub" 3>&- &
	comet_track $!
	wait_until 10 grep -q 'welcomes you' "$BATS_TEST_TMPDIR/sub"
	# one chunked request body that never ends by itself
	mkfifo "$BATS_TEST_TMPDIR/body"
	curl -sS -T - "$URL/send" <"$BATS_TEST_TMPDIR/body" \
	    >"$BATS_TEST_TMPDIR/pub" 3>&- &
	pub=$!
	comet_track "$pub"
	"$COMET_BIN/cometgen" -m 20 -f 7 1 >"$BATS_TEST_TMPDIR/body" 3>&- &
	gen=$!
	comet_track "$gen"
	wait_until 10 grep -q "^Recvd msg #1: 't=[0-9]\{16\} n=1'" "$BATS_TEST_TMPDIR/sub"
	# the publisher is still sending: nothing has ended its body
	kill -0 "$gen"
	kill -0 "$pub"
	[ ! -s "$BATS_TEST_TMPDIR/pub" ]
	kill -TERM "$gen"
	wait "$gen"
	wait "$pub"
	# the body ended when cometgen did; cometd answers for every line
	n=$(awk '$1 == "messages" { print $2 }' "$BATS_TEST_TMPDIR/pub")
	[ "$n" -ge 1 ]
	grep -q "^deliveries $n$" "$BATS_TEST_TMPDIR/pub"
	wait_until 10 bash -c "[ \$(grep -c '^Recvd msg' '$BATS_TEST_TMPDIR/sub') -eq $n ]"
}
