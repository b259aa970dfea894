#!/usr/bin/env bats
# cometflood against a real cometd: Stats, tsv, Closed reasons, scale.

load helper
bats_require_minimum_version 1.5.0

# flood_bg ARGS...: run cometflood in the background on the URLs in
# $BATS_TEST_TMPDIR/urls, output in flood.out and flood.err.
flood_bg() {
	"$COMET_BIN/cometflood" "$@" <"$BATS_TEST_TMPDIR/urls" \
	    >"$BATS_TEST_TMPDIR/flood.out" 2>"$BATS_TEST_TMPDIR/flood.err" 3>&- &
	FLOOD_PID=$!
	comet_track "$FLOOD_PID"
}

# wait_flood: wait for the background cometflood, set FLOOD_STATUS.
wait_flood() {
	FLOOD_STATUS=0
	wait "$FLOOD_PID" || FLOOD_STATUS=$?
}

last_stats() {
	grep '^Stats: ' "$BATS_TEST_TMPDIR/flood.out" | tail -1
}

# closed REASON [TEXT]: the count of the last "Closed: REASON: N (e.g. URL)"
# line in TEXT (default $stderr), or 0.
closed() {
	printf '%s\n' "${2-$stderr}" | awk -v r="Closed: $1: " '
	    index($0, r) == 1 { n = substr($0, length(r) + 1); sub(/ .*/, "", n) }
	    END { print n + 0 }'
}

@test "chunked decoder: same result whole, byte by byte and split at random" {
	run "$COMET_BIN/t/readertest"
	[ "$status" -eq 0 ]
	[[ "$output" == *"cases ok" ]]
}

@test "cometflood -h prints usage on stdout, bad options give status 2" {
	run --separate-stderr cometflood -h
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: cometflood "* ]]
	run -2 --separate-stderr cometflood -x
	[[ "$stderr" == *"usage: cometflood "* ]]
	run -2 --separate-stderr cometflood -o json
	[[ "$stderr" == "cometflood: -o json: must be tsv or stats"$'\n'"usage: "* ]]
	run -2 --separate-stderr cometflood -w soon
	[[ "$stderr" == "cometflood: -w soon: not a duration ("*$'\n'"usage: "* ]]
	run -2 --separate-stderr cometflood -b 127.0.0.1-127.0.0
	[[ "$stderr" == "cometflood: -b 127.0.0.1-127.0.0: not an IPv4 address or range"* ]]
	run -2 --separate-stderr cometflood -j 0
	[[ "$stderr" == "cometflood: -j 0: must be 1 to 1024"$'\n'* ]]
	run -2 --separate-stderr cometflood -r 5ms
	[[ "$stderr" == "cometflood: -r 5ms: must be 10ms to 24h"$'\n'* ]]
}

@test "cometflood -R paces connects: never faster than asked, and all arrive" {
	start_cometd -i 1h -w 2
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" 300 >"$BATS_TEST_TMPDIR/urls"
	run --separate-stderr cometflood -R 100 -d 0 -r 100ms -o tsv "$BATS_TEST_TMPDIR/urls"
	[ "$status" -eq 0 ]
	# the run's own clock: when did all 300 become active?
	t=$(printf '%s\n' "$output" | awk -F'\t' 'NR > 1 && $1 != "summary" && $2 >= 300 { print $1; exit }')
	[ -n "$t" ]
	# pacing can only be slowed by a busy machine, never sped up
	awk -v t="$t" 'BEGIN { exit !(300 / t <= 100 * 1.1) }'
	# Stats lines say the rate achieved
	run --separate-stderr cometflood -R 200 -d 0 -r 100ms "$BATS_TEST_TMPDIR/urls"
	[ "$status" -eq 0 ]
	[[ "$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1)" =~ ^Stats:\ \{300,0,300\}\ [0-9]+\.[0-9]\ conn/s$ ]]
	run -2 --separate-stderr cometflood -R 0
	[[ "$stderr" == "cometflood: -R 0: must be 1 to 10000000"$'\n'* ]]
	run -2 --separate-stderr cometflood -R 10 -w 1
	[[ "$stderr" == "cometflood: -R 10: paces connects as -w does: give one"$'\n'* ]]
}

@test "cometflood -o tsv: the last row's rates are over a whole period, not the cut one" {
	start_cometd -i 100ms -w 1
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" 50 >"$BATS_TEST_TMPDIR/urls"
	run --separate-stderr cometflood -d 2.5 -r 1 -o tsv "$BATS_TEST_TMPDIR/urls"
	[ "$status" -eq 0 ]
	# rows: time active closed chunks bytes conn_s chunks_s; the last
	# one's chunks_s must be its chunks over the 1 s ending there, the
	# count 1 s before interpolated between the rows around it
	printf '%s\n' "$output" | awk -F'\t' '
	    NR > 1 && $1 != "summary" { n++; t[n] = $1; c[n] = $4; k[n] = $7 }
	    END {
		if (n < 3) { print "too few rows: " n; exit 1 }
		te = t[n]; ce = c[n]; ts = te - 1
		if (ts >= t[n - 1]) want = (ce - c[n - 1]) / (te - t[n - 1])
		else {
			i = n - 2
			cs = c[i] + (c[i + 1] - c[i]) * (ts - t[i]) / (t[i + 1] - t[i])
			want = ce - cs
		}
		d = k[n] - want; if (d < 0) d = -d
		if (d > 0.005 * want + 0.2) { print "last chunks_s " k[n] ", want " want; exit 1 }
	    }'
}

@test "cometflood: a missing input file is an error, status 1" {
	run -1 --separate-stderr cometflood "$BATS_TEST_TMPDIR/none"
	[ "$stderr" = "cometflood: $BATS_TEST_TMPDIR/none: No such file or directory" ]
	[ "$(printf '%s\n' "$output" | grep '^Stats: ')" = "Stats: {0,0,0}" ]
}

@test "2000 URLs against cometd -i 100ms reach Stats: {2000,0,N}, N >= 4000" {
	start_cometd -i 100ms -w 2
	run --separate-stderr bash -c "'$COMET_BIN/cometgen' -a 127.0.0.1 -p $PORT 2000 |
	    timeout 30 '$COMET_BIN/cometflood' -w 0 -d 3 -r 1"
	[ "$status" -eq 0 ]
	final=$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1)
	[[ "$final" =~ ^Stats:\ \{2000,0,([0-9]+)\}$ ]]
	[ "${BASH_REMATCH[1]}" -ge 4000 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" | grep -Eq "^summary	connect_ms	([0-9.]+	){4}2000$"
	# chunks every 100 ms: the median gap is about that
	p50=$(printf '%s\n' "$output" | awk -F'\t' '$2 == "interarrival_ms" { print $3 }')
	[ "$p50" -ge 50 ] && [ "$p50" -le 1000 ]
}

@test "cometflood -o tsv: a header, then rows of 13 fields, numbers or - for no latency sample" {
	start_cometd -i 100ms
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" 200 >"$BATS_TEST_TMPDIR/urls"
	run --separate-stderr cometflood -o tsv -r 500ms -d 2 "$BATS_TEST_TMPDIR/urls"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(printf 'time\tactive\tclosed\tchunks\tbytes\tconn_s\tchunks_s\tstamps\tstamps_cut\tlat_p50_ms\tlat_p99_ms\tlat_p999_ms\tlat_max_ms')" ]
	rows=$(printf '%s\n' "$output" | awk -F'\t' '
	    NR > 1 && $1 != "summary" {
		if (NF != 13) { print "bad row: " $0; exit 1 }
		for (i = 1; i <= 9; i++) if ($i !~ /^[0-9]+(\.[0-9]+)?$/) { print "bad field: " $0; exit 1 }
		for (; i <= 13; i++) if ($i != "-") { print "latency without stamps: " $0; exit 1 }
		n++; last = $0; conns += $6 * 0
	    }
	    END { split(last, f, "\t"); print n, f[2], f[3], (f[5] > f[4] * 10) }')
	set -- $rows
	[ "$1" -ge 3 ]		# rows
	[ "$2" -eq 200 ]	# active in the final row
	[ "$3" -eq 0 ]		# closed
	[ "$4" -eq 1 ]		# bytes counted, more than 10 a chunk
	[ "$(printf '%s\n' "$output" | grep -c '^summary	')" -eq 3 ]
}

@test "a server answering 503 shows as Closed: status 503, exit 1" {
	start_cometd -i 100ms -w 1 -m 5
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" 10 >"$BATS_TEST_TMPDIR/urls"
	run -1 --separate-stderr cometflood -w 0 -d 1 -r 1 "$BATS_TEST_TMPDIR/urls"
	[ "$(closed 'status 503')" -eq 5 ]
	[ "$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1)" = "Stats: {5,5,$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1 | sed 's/.*,//; s/}//')}" ]
}

@test "a server that ends its streams shows as Closed: end, exit 1" {
	start_cometd -i 100ms -w 1
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" 20 >"$BATS_TEST_TMPDIR/urls"
	flood_bg -w 0 -r 200ms
	wait_until 10 grep -q '^Stats: {20,0,' "$BATS_TEST_TMPDIR/flood.out"
	kill -TERM "$COMETD_PID"
	# nothing open and nothing more to come: it ends by itself
	wait_flood
	[ "$FLOOD_STATUS" -eq 1 ]
	[[ "$(last_stats)" =~ ^Stats:\ \{0,20,[0-9]+\}$ ]]
	[ "$(closed end "$(cat "$BATS_TEST_TMPDIR/flood.err")")" -eq 20 ]
	# one line for the 20, with an example: the server's address
	[ "$(grep -c '^Closed: ' "$BATS_TEST_TMPDIR/flood.err")" -eq 1 ]
	grep -q "^Closed: end: 20 (e.g. http://127.0.0.1:$PORT)$" "$BATS_TEST_TMPDIR/flood.err"
	grep -q '^summary	interarrival_ms	' "$BATS_TEST_TMPDIR/flood.out"
}

@test "SIGTERM ends a clean flood with a final line and summary, exit 0" {
	start_cometd -i 100ms -w 1
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" 50 >"$BATS_TEST_TMPDIR/urls"
	flood_bg -w 0 -r 200ms
	wait_until 10 grep -q '^Stats: {50,0,' "$BATS_TEST_TMPDIR/flood.out"
	kill -TERM "$FLOOD_PID"
	wait_flood
	[ "$FLOOD_STATUS" -eq 0 ]
	[[ "$(last_stats)" =~ ^Stats:\ \{50,0,[0-9]+\}$ ]]
	[ "$(tail -3 "$BATS_TEST_TMPDIR/flood.out" | cut -f1,2 | tr '\n' ' ')" = "$(printf 'summary\tconnect_ms summary\tinterarrival_ms summary\tlatency_ms ')" ]
	[ ! -s "$BATS_TEST_TMPDIR/flood.err" ]
	# the RST close leaves the server with nothing open but /stats itself
	wait_until 10 bash -c '[ "$(curl -s '"$URL"'/stats | awk "\$1 == \"active\" { print \$2 }")" = 1 ]'
}

@test "refused connections and bad lines are reported, not fatal" {
	start_cometd -i 100ms -w 1
	{
		echo "http://127.0.0.1:$PORT/test/1"
		echo "ftp://127.0.0.1/x"
		echo "http://127.0.0.1:1/test/2"
		echo "http://127.0.0.1:0/test/3"
		echo "http://no-such-host.invalid:$PORT/test/4"
		echo "http://127.0.0.1:$PORT/test/5"
	} >"$BATS_TEST_TMPDIR/urls"
	run -1 --separate-stderr cometflood -w 0 -d 1 -r 1 "$BATS_TEST_TMPDIR/urls"
	[ "$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1 | cut -d, -f1,2)" = "Stats: {2,1" ]
	[[ "$stderr" == *"cometflood: $BATS_TEST_TMPDIR/urls:2: not an http:// URL: \"ftp://127.0.0.1/x\""* ]]
	[[ "$stderr" == *"cometflood: $BATS_TEST_TMPDIR/urls:4: bad port: \"http://127.0.0.1:0/test/3\""* ]]
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/urls:5: host does not resolve ("*"): \"http://no-such-host.invalid:$PORT/test/4\""* ]]
	[ "$(closed refused)" -eq 1 ]
	[[ "$stderr" == *"Closed: refused: 1 (e.g. http://127.0.0.1:1/test/2)"* ]]
}

@test "every connection refused: one line for all, and the flood ends by itself" {
	# nothing listens on port 1; no -d, which used to mean for ever
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p 1 2000 >"$BATS_TEST_TMPDIR/urls"
	run -1 --separate-stderr cometflood -r 100ms "$BATS_TEST_TMPDIR/urls"
	[ "$(printf '%s\n' "$stderr" | grep -c '^Closed: refused: 2000 (e.g. http://127.0.0.1:1/test/[0-9]*)$')" -eq 1 ]
	[ -z "$(printf '%s\n' "$stderr" | grep -v '^Closed: refused: ')" ]
	[ "$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1)" = "Stats: {0,2000,0}" ]
	# an empty input ends at once too, with nothing to complain of
	run --separate-stderr cometflood </dev/null
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep '^Stats: ')" = "Stats: {0,0,0}" ]
	[ -z "$stderr" ]
}

@test "URL lists: # comments and blank lines are skipped; bad lines are quoted, escapes visible" {
	start_cometd -i 1h -w 1
	{
		printf '# two streams\n\n   \n\t# indented comment\n'
		printf 'http://127.0.0.1:%s/test/1\n' "$PORT"
		printf 'http://127.0.0.1:%s/test/2 \n' "$PORT"
		printf 'http://127.0.0.1:%s/te\033[2Jst\n' "$PORT"
		printf 'http://127.0.0.1:%s/%s\n' "$PORT" "$(head -c 600 /dev/zero | tr '\0' x)"
		printf 'http://127.0.0.1:%s/test/3\n' "$PORT"
	} >"$BATS_TEST_TMPDIR/urls"
	run -1 --separate-stderr cometflood -d 0 -r 1 "$BATS_TEST_TMPDIR/urls"
	[[ "$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1)" =~ ^Stats:\ \{2,0, ]]
	# the trailing space shows; the terminal escape does not reach the terminal
	[[ "$stderr" == *"urls:6: bad path: \"http://127.0.0.1:$PORT/test/2 \""* ]]
	[[ "$stderr" == *"urls:7: bad path: \"http://127.0.0.1:$PORT/te\\x1b[2Jst\""* ]]
	[[ "$stderr" != *$'\033'* ]]
	# the limit is said, for this URL and protocol
	[[ "$stderr" == *"urls:8: URL too long ("*" bytes; at most "*" with -s chunked): \"http://127.0.0.1:$PORT/xxx"*'x"...' ]]
}

@test "input files: one that cannot be read is reported and skipped, the rest read, status 1" {
	start_cometd -i 1h -w 1
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" 3 >"$BATS_TEST_TMPDIR/urls"
	run -1 --separate-stderr cometflood -d 0 -r 1 "$BATS_TEST_TMPDIR/none" /tmp "$BATS_TEST_TMPDIR/urls"
	[ "${stderr_lines[0]}" = "cometflood: $BATS_TEST_TMPDIR/none: No such file or directory" ]
	[ "${stderr_lines[1]}" = "cometflood: /tmp: Is a directory" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	# the last file was read and held, and the summary printed
	[[ "$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1)" =~ ^Stats:\ \{3,0, ]]
	printf '%s\n' "$output" | grep -q '^summary	latency_ms	'
	# - is standard input, between files
	run --separate-stderr bash -c "echo 'http://127.0.0.1:$PORT/test/9' | '$COMET_BIN/cometflood' -d 0 -r 1 '$BATS_TEST_TMPDIR/urls' -"
	[ "$status" -eq 0 ]
	[[ "$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1)" =~ ^Stats:\ \{4,0, ]]
}

@test "cometflood -b checks its addresses up front and says which is wrong" {
	run -2 --separate-stderr cometflood -b 10.9.9.9
	[[ "$stderr" == "cometflood: -b 10.9.9.9: 10.9.9.9 is not an address of this host (Cannot assign requested address)"$'\n'"usage: "* ]]
	run -2 --separate-stderr cometflood -b 127.0.0.254-128.0.0.1
	[[ "$stderr" == "cometflood: -b 127.0.0.254-128.0.0.1: more than 65536 addresses"$'\n'* ]]
	run -2 --separate-stderr cometflood -b 127.255.255.255-128.0.0.0
	[[ "$stderr" == "cometflood: -b 127.255.255.255-128.0.0.0: 128.0.0.0 is not an address of this host ("*$'\n'* ]]
}

@test "URLs from several files, in order; hostnames resolve" {
	start_cometd -i 100ms -w 1
	echo "http://localhost:$PORT/test/a" >"$BATS_TEST_TMPDIR/one"
	printf 'http://127.0.0.1:%s/test/b\r\n\nhttp://127.0.0.1:%s/test/c' "$PORT" "$PORT" >"$BATS_TEST_TMPDIR/two"
	run --separate-stderr cometflood -d 1 -r 1 "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/two"
	[ "$status" -eq 0 ]
	[[ "$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1)" =~ ^Stats:\ \{3,0, ]]
}

@test "cometflood -b binds source addresses round-robin" {
	start_cometd -i 1s -w 1
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" 30 >"$BATS_TEST_TMPDIR/urls"
	flood_bg -w 0 -r 200ms -b 127.0.0.21-127.0.0.23
	wait_until 10 grep -q '^Stats: {30,0,' "$BATS_TEST_TMPDIR/flood.out"
	for a in 127.0.0.21 127.0.0.22 127.0.0.23; do
		n=$(ss -Htn state established "( src $a and dport = :$PORT )" | wc -l)
		[ "$n" -eq 10 ]
	done
}

# adjacent_ports: how many of the established connections to $PORT have a
# source port whose predecessor is also one of them.
adjacent_ports() {
	ss -Htn state established "( dport = :$PORT )" |
	    awk '{ n = split($3, a, ":"); p[a[n]] = 1 }
	    END { for (x in p) if ((x - 1) in p) k++; print k + 0 }'
}

@test "cometflood picks source ports in turn per address pair; -k leaves it to the kernel" {
	start_cometd -i 1h -w 1
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" 200 >"$BATS_TEST_TMPDIR/urls"
	flood_bg -w 0 -r 200ms
	wait_until 10 grep -q '^Stats: {200,0,' "$BATS_TEST_TMPDIR/flood.out"
	# a cursor walks the range: nearly every port follows another
	[ "$(adjacent_ports)" -ge 180 ]
	comet_teardown
	start_cometd -i 1h -w 1
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" 200 >"$BATS_TEST_TMPDIR/urls"
	flood_bg -w 0 -r 200ms -k
	wait_until 10 grep -q '^Stats: {200,0,' "$BATS_TEST_TMPDIR/flood.out"
	# Linux steps by two from a hashed start
	[ "$(adjacent_ports)" -lt 100 ]
}

@test "25,000 URLs are spread over flood workers and all become Active" {
	start_cometd -i 2s -w 2 -l 0.0.0.0
	"$COMET_BIN/cometgen" -a 127.0.0.1-127.0.0.4 -p "$PORT" 25000 >"$BATS_TEST_TMPDIR/urls"
	flood_bg -w 0 -r 500ms -b 127.0.0.5-127.0.0.8
	wait_until 40 grep -q '^Stats: {25000,0,' "$BATS_TEST_TMPDIR/flood.out"
	# more connections than one process may hold: at least two workers
	[ "$(ps --ppid "$FLOOD_PID" -o pid= | wc -l)" -ge 2 ]
	kill -TERM "$FLOOD_PID"
	wait_flood
	[ "$FLOOD_STATUS" -eq 0 ]
	[[ "$(last_stats)" =~ ^Stats:\ \{25000,0,[0-9]+\}$ ]]
}

# start_floodserve MODE: the misbehaving test server; sets FS_PORT.
start_floodserve() {
	"$COMET_BIN/t/floodserve" "$1" >"$BATS_TEST_TMPDIR/fs.out" 3>&- &
	comet_track $!
	wait_until 10 grep -q '^port ' "$BATS_TEST_TMPDIR/fs.out"
	FS_PORT=$(awk '{ print $2 }' "$BATS_TEST_TMPDIR/fs.out")
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$FS_PORT" 3 >"$BATS_TEST_TMPDIR/urls"
}

@test "a response written one byte at a time is decoded: 4 units each, whatever the protocol" {
	start_floodserve bytes
	for proto in chunked sse ws; do
		: >"$BATS_TEST_TMPDIR/fs.out"
		run --separate-stderr cometflood -s "$proto" -d 500ms -r 1 "$BATS_TEST_TMPDIR/urls"
		[ "$status" -eq 0 ]
		[ "$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1)" = "Stats: {3,0,12}" ]
	done
	# a ping cut between reads gets a pong, empty if its payload was cut
	[ "$(grep -c '^pong \(hb\)\?$' "$BATS_TEST_TMPDIR/fs.out")" -eq 3 ]
}

@test "cometflood -s sse: events are counted, not comments, retry or chunks of the transfer" {
	start_floodserve stream
	run --separate-stderr cometflood -s sse -d 500ms -r 1 "$BATS_TEST_TMPDIR/urls"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# welcome, chunk 1, a two-line message, chunk 2; the heartbeat is not one
	[ "$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1)" = "Stats: {3,0,12}" ]
	# a 200 that is not text/event-stream is no EventSource
	comet_teardown
	start_floodserve plain
	run -1 --separate-stderr cometflood -s sse -d 0 -r 1 "$BATS_TEST_TMPDIR/urls"
	[ "$(closed 'not event-stream')" -eq 3 ]
}

@test "cometflood -s ws: messages counted, pings answered with masked pongs that echo them" {
	start_floodserve stream
	flood_bg -s ws -r 100ms
	wait_until 10 grep -q '^Stats: {3,0,12}$' "$BATS_TEST_TMPDIR/flood.out"
	# floodserve unmasks each pong and prints its payload
	wait_until 10 bash -c "[ \$(grep -c '^pong hb$' '$BATS_TEST_TMPDIR/fs.out') -eq 3 ]"
	kill -TERM "$FLOOD_PID"
	wait_flood
	[ "$FLOOD_STATUS" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/flood.err" ]
}

@test "cometflood -s ws: a close frame is answered with one and counted as Closed: close 1001" {
	start_floodserve close
	run -1 --separate-stderr cometflood -s ws -d 0 -r 1 "$BATS_TEST_TMPDIR/urls"
	[ "$(closed 'close 1001')" -eq 3 ]
	[ "$(grep -c '^close 1001$' "$BATS_TEST_TMPDIR/fs.out")" -eq 3 ]
}

@test "cometflood -s ws: a wrong Sec-WebSocket-Accept or a 200 is no WebSocket" {
	start_floodserve wsbad
	run -1 --separate-stderr cometflood -s ws -d 0 -r 1 "$BATS_TEST_TMPDIR/urls"
	[ "$(closed 'bad accept')" -eq 3 ]
	comet_teardown
	start_floodserve plain
	run -1 --separate-stderr cometflood -s ws -d 0 -r 1 "$BATS_TEST_TMPDIR/urls"
	[ "$(closed 'status 200')" -eq 3 ]
	run -2 --separate-stderr cometflood -s http2
	[[ "$stderr" == "cometflood: -s http2: must be chunked, sse or ws"$'\n'* ]]
}

@test "a server that never answers shows as Closed: timeout" {
	start_floodserve silent
	run -1 --separate-stderr cometflood -t 500ms -d 0 -r 1 "$BATS_TEST_TMPDIR/urls"
	[ "$(closed 'timeout')" -eq 3 ]
	[ "$(printf '%s\n' "$output" | grep '^Stats: ' | tail -1)" = "Stats: {0,3,0}" ]
}

@test "a close in mid-chunk is Closed: eof, broken framing Closed: bad framing" {
	start_floodserve eof
	run -1 --separate-stderr cometflood -d 0 -r 1 "$BATS_TEST_TMPDIR/urls"
	[ "$(closed 'eof')" -eq 3 ]
	comet_teardown
	start_floodserve bad
	run -1 --separate-stderr cometflood -d 0 -r 1 "$BATS_TEST_TMPDIR/urls"
	[ "$(closed 'bad framing')" -eq 3 ]
}

# summary_of NAME FIELD: a field (p50 p99 p999 max count) of a summary line
# in $output.
summary_of() {
	printf '%s\n' "$output" | awk -F'\t' -v n="$1" -v f="$2" '
	    $1 == "summary" && $2 == n {
		i = f == "p50" ? 3 : f == "p99" ? 4 : f == "p999" ? 5 : f == "max" ? 6 : 7
		print $i }'
}

@test "latency: messages stamped 200 ms before they were sent measure 200 ms and more" {
	start_floodserve late
	run --separate-stderr cometflood -d 500ms -r 100ms -o tsv "$BATS_TEST_TMPDIR/urls"
	[ "$status" -eq 0 ]
	check_late
}

@test "latency: the stamp is found in EventSource events and WebSocket JSON too" {
	start_floodserve late
	for proto in sse ws; do
		run --separate-stderr cometflood -s "$proto" -d 500ms -r 100ms -o tsv "$BATS_TEST_TMPDIR/urls"
		[ "$status" -eq 0 ]
		check_late
	done
}

# check_late: $output of a flood of 3 URLs of floodserve late.
check_late() {
	[ "$(summary_of latency_ms count)" -eq 3 ]
	# quantiles are bucket middles, within 3%; the maximum is exact
	awk -v a="$(summary_of latency_ms p50)" -v b="$(summary_of latency_ms max)" \
	    'BEGIN { exit !(a >= 194 && b >= 200 && b < 10000) }'
	# the tsv rows: 3 stamps, and the interval that saw them says so
	last=$(printf '%s\n' "$output" | awk -F'\t' 'NR > 1 && $1 != "summary"' | tail -1)
	[ "$(printf '%s\n' "$last" | cut -f8,9)" = "$(printf '3\t0')" ]
	printf '%s\n' "$output" | awk -F'\t' 'NR > 1 && $1 != "summary" && $10 != "-" { if ($10 >= 194 && $13 < 10000) ok = 1 } END { exit !ok }'
}

@test "latency: a stamp cut between two reads is counted as cut, never measured wrong" {
	start_floodserve cut
	run --separate-stderr cometflood -d 500ms -r 100ms -o tsv "$BATS_TEST_TMPDIR/urls"
	[ "$status" -eq 0 ]
	last=$(printf '%s\n' "$output" | awk -F'\t' 'NR > 1 && $1 != "summary"' | tail -1)
	stamps=$(printf '%s\n' "$last" | cut -f8)
	cut=$(printf '%s\n' "$last" | cut -f9)
	# each of the 3 messages is either measured whole or counted as cut
	[ $((stamps + cut)) -eq 3 ]
	[ "$(summary_of latency_ms count)" -eq "$stamps" ]
	[ "$stamps" -eq 0 ] || awk -v m="$(summary_of latency_ms max)" 'BEGIN { exit !(m < 10000) }'
}

@test "latency through cometd: a published stamp comes back as one sample per subscriber" {
	start_cometd -i 1h -w 2
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" 5 >"$BATS_TEST_TMPDIR/urls"
	flood_bg -r 100ms -o tsv
	wait_until 10 awk -F'\t' 'NR > 1 && $2 == 5 { f = 1 } END { exit !f }' "$BATS_TEST_TMPDIR/flood.out"
	t=$(( $(date +%s%6N) - 300000 ))
	for i in 1 2 3 4 5; do printf '%s\tt=%s n=%s\n' "$i" "$t" "$i"; done |
	    curl -sS --data-binary @- "$URL/send" >/dev/null
	wait_until 10 awk -F'\t' 'NR > 1 && $8 == 5 { f = 1 } END { exit !f }' "$BATS_TEST_TMPDIR/flood.out"
	kill -TERM "$FLOOD_PID"
	wait_flood
	[ "$FLOOD_STATUS" -eq 0 ]
	output=$(cat "$BATS_TEST_TMPDIR/flood.out")
	[ "$(summary_of latency_ms count)" -eq 5 ]
	awk -v a="$(summary_of latency_ms p50)" -v b="$(summary_of latency_ms max)" \
	    'BEGIN { exit !(a >= 291 && b >= 300 && b < 10000) }'
}
