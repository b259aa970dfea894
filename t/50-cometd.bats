#!/usr/bin/env bats
# cometd: the HTTP interface through real clients (curl, raw sockets,
# cometflood), workers and signals, /stats, usage errors.

bats_require_minimum_version 1.5.0
load helper

# raw SECS FORMAT [ARGS...]: send printf FORMAT to the server on one
# connection and print what comes back until it closes or SECS pass.
raw() {
	local secs=$1
	shift
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	# shellcheck disable=SC2059
	printf "$@" >&5
	timeout "$secs" cat <&5 || true
	exec 5<&-
}

# raw_until TEXT FORMAT [ARGS...]: like raw, but read lines only until one
# holds TEXT (20 s at most), so a slow machine cannot cut the answer short.
raw_until() {
	local text=$1
	shift
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	# shellcheck disable=SC2059
	printf "$@" >&5
	timeout 20 awk -v t="$text" '{ print } index($0, t) { exit }' <&5 || true
	exec 5<&-
}

# workers: the worker PIDs of the running cometd, by parent PID.
workers() {
	pgrep -P "$COMETD_PID" | sort
}

nworkers_is() {
	[ "$(workers | wc -l)" -eq "$1" ]
}

# chunks_above FILE N: FILE holds more than N "Chunk" lines.
chunks_above() {
	[ "$(count_of Chunk "$1")" -gt "$2" ]
}

@test "cometd: -h prints usage to stdout and exits 0" {
	run --separate-stderr cometd -h
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: cometd "* ]]
	[ -z "$stderr" ]
}

@test "cometd: bad values exit 2 and name the value" {
	run --separate-stderr cometd -w 0
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometd: -w 0: must be 1 to 1024"$'\n'"usage: cometd"* ]]
	run --separate-stderr cometd -i 10x
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometd: -i 10x: not a duration ("* ]]
	run --separate-stderr cometd -p 70000
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometd: -p 70000: must be 0 to 65535"$'\n'* ]]
	run --separate-stderr cometd -Z
	[ "$status" -eq 2 ]
	run --separate-stderr cometd extra
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometd: extra operand: extra"$'\n'"usage: cometd"* ]]
}

@test "cometd: durations: a bare number is seconds; ms, s, m, h and fractions" {
	local d want
	for d in 2:2000 1.5:1500 250ms:250 1.5s:1500 0.5m:30000 1h:3600000 0:0; do
		want=${d#*:}
		start_cometd -w 1 -i "${d%%:*}"
		grep -q "interval $want ms" "$BATS_TEST_TMPDIR/cometd.err"
		comet_teardown
	done
	run -2 --separate-stderr cometd -i 1.0001s
	[[ "$stderr" == "cometd: -i 1.0001s: finer than a millisecond"$'\n'* ]]
	run -2 --separate-stderr cometd -t 0
	[[ "$stderr" == "cometd: -t 0: must be 1ms to 24h"$'\n'* ]]
	run -2 --separate-stderr cometd -s 1.5x
	[[ "$stderr" == "cometd: -s 1.5x: not a duration ("* ]]
}

@test "cometd: -V prints the version, --help is -h" {
	run --separate-stderr cometd -V
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^cometd\ [0-9]+\.[0-9]+ ]]
	run --separate-stderr cometd --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: cometd [-Vhv] "* ]]
	[ -z "$stderr" ]
}

@test "cometd: an address it cannot bind is a runtime error, exit 1" {
	run --separate-stderr cometd -l 192.0.2.1 -p 0 -w 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"bind 192.0.2.1 port 0"* ]]
}

@test "cometd: a second cometd on a port in use exits 1, no silent sharing" {
	start_cometd -w 1
	run --separate-stderr cometd -l 127.0.0.1 -p "$PORT" -w 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"bind 127.0.0.1 port $PORT: Address already in use"* ]]
}

@test "cometd: request parser table (t/httptest)" {
	run "$COMET_BIN/t/httptest"
	[ "$status" -eq 0 ]
	[[ "$output" == *", 0 failed" ]]
}

@test "cometd: start line names address, port, workers, max, nofile" {
	start_cometd -w 2 -m 500
	run cat "$BATS_TEST_TMPDIR/cometd.err"
	[[ "${lines[0]}" == *"listening on 127.0.0.1 port $PORT, workers 2, max 500, nofile "* ]]
	[ "${lines[1]}" = "cometd: info: subscriptions are open: anyone who reaches port $PORT can read any Id (-K turns on tokens)" ]
	[ "${#lines[@]}" -eq 2 ]
	wait_until 5 nworkers_is 2
}

@test "cometd: -m beyond what -w can hold warns with the -w that would do" {
	start_cometd -w 1 -m 100000
	run cat "$BATS_TEST_TMPDIR/cometd.err"
	[[ "$output" == *"warning: max 100000 exceeds"*"use -w "[0-9]* ]]
}

@test "cometd: welcome line and chunks every -i 100ms" {
	start_cometd -w 1 -i 100ms
	run first_lines 3 "$URL/test/foo"
	[ "${lines[0]}" = "Mochiconntest welcomes you! Your Id: foo" ]
	[ "${lines[1]}" = "Chunk 1 for id foo" ]
	[ "${lines[2]}" = "Chunk 2 for id foo" ]
}

@test "cometd: exact head and chunk framing on the wire" {
	start_cometd -w 1 -i 300ms
	printf 'HTTP/1.1 200 OK\r\nServer: cometd\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n29\r\nMochiconntest welcomes you! Your Id: foo\n\r\n13\r\nChunk 1 for id foo\n\r\n' >"$BATS_TEST_TMPDIR/want"
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET /test/foo HTTP/1.1\r\nHost: x\r\n\r\n' >&5
	timeout 5 head -c "$(wc -c <"$BATS_TEST_TMPDIR/want")" <&5 >"$BATS_TEST_TMPDIR/got"
	exec 5<&-
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "cometd: 404 for other paths, 405 with Allow for another method, 501 for unknown ones" {
	start_cometd -w 1
	run curl -s -o /dev/null -w '%{http_code}' "$URL/nothing"
	[ "$output" = 404 ]
	run curl -s -o /dev/null -w '%{http_code}' "$URL/test/"
	[ "$output" = 404 ]
	run curl -s -D - -d 'x=1' "$URL/test/a"
	[[ "${lines[0]}" == "HTTP/1.1 405 Method Not Allowed"* ]]
	grep -q $'^Allow: GET, HEAD\r$' <<<"$output"
	[ "${lines[-1]}" = "405 Method Not Allowed: this path does not take this method (see Allow)" ]
	run curl -s -D - "$URL/send/42"
	[[ "${lines[0]}" == "HTTP/1.1 405 "* ]]
	grep -q $'^Allow: POST, PUT\r$' <<<"$output"
	run curl -s -o /dev/null -w '%{http_code}' "$URL/broadcast"
	[ "$output" = 405 ]
	run curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/test/a"
	[ "$output" = 501 ]
	run curl -s -o /dev/null -w '%{http_code}' -X get "$URL/test/a"
	[ "$output" = 501 ]
}

@test "cometd: HEAD gets the stream's head and no body" {
	start_cometd -w 1 -i 100ms
	run curl -sI --max-time 5 "$URL/test/a"
	[ "$status" -eq 0 ]
	[[ "$output" == "HTTP/1.1 200 OK"* ]]
	[[ "$output" == *"Transfer-Encoding: chunked"* ]]
	[[ "$output" == *"Content-Type: text/plain; charset=utf-8"* ]]
	[[ "$output" != *"welcomes"* ]]
}

@test "cometd: garbage gets 400 and the connection is closed" {
	start_cometd -w 1
	run raw 5 'garbage\r\n\r\n'
	[[ "${lines[0]}" == "HTTP/1.1 400 Bad Request"* ]]
	[[ "$output" == *"Connection: close"* ]]
	run raw 5 'GET /test/a HTTP/1.1\r\nHost : x\r\n\r\n'
	[[ "${lines[0]}" == "HTTP/1.1 400 "* ]]
	run raw 5 'GET /test/a\001 HTTP/1.1\r\nHost: x\r\n\r\n'
	[[ "${lines[0]}" == "HTTP/1.1 400 "* ]]
	run raw 5 'GET /test/a HTTP/1.1\r\n\r\n'
	[[ "${lines[0]}" == "HTTP/1.1 400 "* ]]
	run raw 5 'GET /test/a HTTP/2.0\r\nHost: x\r\n\r\n'
	[[ "${lines[0]}" == "HTTP/1.1 505 "* ]]
	[ "$(stat_of bad_requests)" -eq 5 ]
}

@test "cometd: limits give 431 and 414" {
	start_cometd -w 1 -n 2 -b 256 -u 40
	run raw 5 'GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n'
	[[ "${lines[0]}" == "HTTP/1.1 431 "* ]]
	run raw 5 "GET / HTTP/1.1\r\nHost: x\r\nA: %0300d\r\n\r\n" 0
	[[ "${lines[0]}" == "HTTP/1.1 431 "* ]]
	run raw 5 "GET /test/%050d HTTP/1.1\r\nHost: x\r\n\r\n" 0
	[[ "${lines[0]}" == "HTTP/1.1 414 "* ]]
}

@test "cometd: Ids up to 255 bytes are echoed, longer get 414" {
	start_cometd -w 1 -i 100ms
	id=$(printf 'i%.0s' $(seq 1 255))
	run first_lines 2 "$URL/test/$id"
	[ "${lines[0]}" = "Mochiconntest welcomes you! Your Id: $id" ]
	[ "${lines[1]}" = "Chunk 1 for id $id" ]
	run curl -s -o /dev/null -w '%{http_code}' "$URL/test/${id}x"
	[ "$output" = 414 ]
}

@test "cometd: the Id is echoed raw, never decoded into the head" {
	start_cometd -w 1 -i 100ms
	run raw_until 'Chunk 1 for id' 'GET /test/a%%0d%%0aX:y?q=1 HTTP/1.1\r\nHost: x\r\n\r\n'
	[[ "$output" == *"Your Id: a%0d%0aX:y"$'\n'* ]]
	[[ "$output" != *$'\nX:y'* ]]
	run raw 5 'GET /test/a\rX:y HTTP/1.1\r\nHost: x\r\n\r\n'
	[[ "${lines[0]}" == "HTTP/1.1 400 "* ]]
}

@test "cometd: HTTP/1.0 gets the stream unchunked, and HEAD closes" {
	start_cometd -w 1 -i 100ms
	run raw_until 'Chunk 1 for id old' 'GET /test/old HTTP/1.0\r\n\r\n'
	[[ "$output" == *"Connection: close"* ]]
	[[ "$output" != *"Transfer-Encoding"* ]]
	[[ "$output" == *$'\r\n\r\nMochiconntest welcomes you! Your Id: old\nChunk 1 for id old'* ]]
	run first_lines 2 "$URL/test/old" --http1.0
	[ "${lines[0]}" = "Mochiconntest welcomes you! Your Id: old" ]
	[ "${lines[1]}" = "Chunk 1 for id old" ]
	run raw 5 'HEAD /test/old HTTP/1.0\r\n\r\n'
	[[ "${lines[0]}" == "HTTP/1.1 200 OK"* ]]
	[[ "$output" != *"welcomes"* ]]
}

@test "cometd: pipelined requests, with a body skipped, byte at a time" {
	start_cometd -w 1
	run raw 5 'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nGET /GET /stats HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
	[ "$(grep -c '^HTTP/1.1' <<<"$output")" -eq 3 ]
	[[ "${lines[0]}" == "HTTP/1.1 404 "* ]]
	[[ "$output" == *"bytes_out "* ]]
	[ "$(grep -c '^404 Not Found: no such endpoint' <<<"$output")" -eq 2 ]
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	req=$'GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
	for ((i = 0; i < ${#req}; i++)); do
		printf '%s' "${req:i:1}" >&5
	done
	run timeout 5 cat <&5
	exec 5<&-
	[[ "${lines[0]}" == "HTTP/1.1 404 "* ]]
}

@test "cometd: an incomplete request head times out (-t)" {
	start_cometd -w 1 -t 300ms
	run raw 5 'GET /test/a HTTP/1.1\r\nHo'
	[[ "${lines[0]}" == "HTTP/1.1 408 "* ]]
	[ "$(stat_of timeouts)" -eq 1 ]
}

@test "cometd: -m caps connections with 503, others keep streaming" {
	start_cometd -w 2 -m 2 -i 100ms
	curl -sN "$URL/test/a" >"$BATS_TEST_TMPDIR/a" 3>&- &
	comet_track $!
	curl -sN "$URL/test/b" >"$BATS_TEST_TMPDIR/b" 3>&- &
	comet_track $!
	wait_until 10 grep -q 'Chunk 1 ' "$BATS_TEST_TMPDIR/b"
	wait_until 10 grep -q 'Chunk 1 ' "$BATS_TEST_TMPDIR/a"
	run curl -s -w '%{http_code}' "$URL/test/c"
	[[ "$output" == *503 ]]
	n=$(count_of Chunk "$BATS_TEST_TMPDIR/a")
	wait_until 10 chunks_above "$BATS_TEST_TMPDIR/a" "$((n + 2))"
	wait_until 10 chunks_above "$BATS_TEST_TMPDIR/b" "$((n + 2))"
	# full means full: /stats too gets 503 until a place frees up
	run curl -s -o /dev/null -w '%{http_code}' "$URL/stats"
	[ "$output" = 503 ]
}

@test "cometd: /stats counts connections, chunks and bytes" {
	local id pids=()
	# no periodic chunks: every chunk is one the test caused
	start_cometd -w 2 -i 0
	for id in a b c; do
		curl -sN "$URL/test/$id" >"$BATS_TEST_TMPDIR/$id" 3>&- &
		pids+=($!)
		comet_track $!
	done
	for id in a b c; do
		wait_until 10 grep -q welcomes "$BATS_TEST_TMPDIR/$id"
		curl -s --data-binary "m1" "$URL/send/$id" >/dev/null
		curl -s --data-binary "m2" "$URL/send/$id" >/dev/null
	done
	for id in a b c; do
		wait_until 10 grep -q "msg #2: 'm2'" "$BATS_TEST_TMPDIR/$id"
	done
	kill "${pids[@]}"
	# the one connection left open is the one asking
	wait_until 10 stat_is active 1
	cat "$BATS_TEST_TMPDIR"/[abc] >"$BATS_TEST_TMPDIR/out"
	# a welcome and two messages each
	[ "$(grep -c . "$BATS_TEST_TMPDIR/out")" -eq 9 ]
	curl -s "$URL/stats" >"$BATS_TEST_TMPDIR/stats"
	run cat "$BATS_TEST_TMPDIR/stats"
	[[ "$output" == *"workers 2"* ]]
	a=$(awk '$1 == "active" { print $2 }' "$BATS_TEST_TMPDIR/stats")
	c=$(awk '$1 == "closed" { print $2 }' "$BATS_TEST_TMPDIR/stats")
	n=$(awk '$1 == "accepted" { print $2 }' "$BATS_TEST_TMPDIR/stats")
	[ "$a" -eq 1 ]
	[ "$c" -ge 3 ]
	[ "$((a + c))" -eq "$n" ]
	# every chunk counted is one the clients read
	[ "$(awk '$1 == "chunks" { print $2 }' "$BATS_TEST_TMPDIR/stats")" -eq 9 ]
	[ "$(awk '$1 == "bytes_out" { print $2 }' "$BATS_TEST_TMPDIR/stats")" -gt 500 ]
}

@test "cometd: a worker killed with SIGKILL comes back and serves" {
	start_cometd -w 2 -i 100ms
	wait_until 5 nworkers_is 2
	for id in 1 2 3 4 5 6; do
		curl -sN "$URL/test/$id" >/dev/null 3>&- &
		comet_track $!
	done
	wait_until 5 stat_is active 7
	victim=$(workers | head -1)
	kill -KILL "$victim"
	wait_until 5 grep -q "worker .* (pid $victim) killed by signal 9, restarting" "$BATS_TEST_TMPDIR/cometd.err"
	wait_until 5 nworkers_is 2
	! workers | grep -qx "$victim"
	for i in 1 2 3 4 5 6 7 8; do
		run first_lines 2 "$URL/test/after$i"
		[ "${lines[1]}" = "Chunk 1 for id after$i" ]
	done
	# the dead worker's connections moved from active to closed
	curl -s "$URL/stats" >"$BATS_TEST_TMPDIR/stats"
	a=$(awk '$1 == "active" { print $2 }' "$BATS_TEST_TMPDIR/stats")
	c=$(awk '$1 == "closed" { print $2 }' "$BATS_TEST_TMPDIR/stats")
	n=$(awk '$1 == "accepted" { print $2 }' "$BATS_TEST_TMPDIR/stats")
	[ "$((a + c))" -eq "$n" ]
	[ "$a" -le 7 ]
}

@test "cometd: SIGTERM ends streams with the chunked terminator, exit 0" {
	start_cometd -w 2 -i 100ms -m 1000
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET /test/bye HTTP/1.1\r\nHost: x\r\n\r\n' >&5
	timeout 10 cat <&5 >"$BATS_TEST_TMPDIR/got" 3>&- &
	reader=$!
	comet_track "$reader"
	exec 5<&-
	wait_until 5 grep -q 'Chunk 1 ' "$BATS_TEST_TMPDIR/got"
	kill -TERM "$COMETD_PID"
	wait "$reader"
	grep -q 'Chunk 1 for id bye' "$BATS_TEST_TMPDIR/got"
	tail -c 7 "$BATS_TEST_TMPDIR/got" | cmp - <(printf '\r\n0\r\n\r\n')
	rc=0
	wait "$COMETD_PID" || rc=$?
	[ "$rc" -eq 0 ]
	grep -q 'info: stopped' "$BATS_TEST_TMPDIR/cometd.err"
	# listening, subscriptions open, stopped: no line per connection
	[ "$(grep -c . "$BATS_TEST_TMPDIR/cometd.err")" -eq 3 ]
}

@test "cometd: SIGINT stops too, exit 0" {
	start_cometd -w 1
	kill -INT "$COMETD_PID"
	rc=0
	wait "$COMETD_PID" || rc=$?
	[ "$rc" -eq 0 ]
}

@test "cometd: 3000 connections over -w 4 all receive chunks" {
	[ -x "$COMET_BIN/cometflood" ] || {
		echo "cometflood is not built" >&2
		return 1
	}
	start_cometd -l 0.0.0.0 -w 4 -i 500ms
	wait_until 5 nworkers_is 4
	cometgen -a 127.0.0.1-127.0.0.8 -p "$PORT" 3000 |
	    cometflood -w 0 -d 3 -r 1 >"$BATS_TEST_TMPDIR/flood" \
	    2>"$BATS_TEST_TMPDIR/flood.err" 3>&- &
	comet_track $!
	wait_until 20 stat_is active 3001
	for w in $(workers); do
		n=$(ls "/proc/$w/fd" | wc -l)
		[ "$n" -gt 100 ]
	done
	wait_until 30 grep -q '^summary' "$BATS_TEST_TMPDIR/flood"
	last=$(grep '^Stats:' "$BATS_TEST_TMPDIR/flood" | tail -1)
	[[ "$last" =~ ^Stats:\ \{3000,0,([0-9]+)\}$ ]]
	[ "${BASH_REMATCH[1]}" -ge 6000 ]
}

@test "cometd: the default -m never warns; a chosen one warns with cometsysctl's -w" {
	# a descriptor limit the default max of 1000000 is far beyond, on any host
	ulimit -n 4096
	start_cometd -w 1
	run cat "$BATS_TEST_TMPDIR/cometd.err"
	[[ "$output" == *"workers 1, max 1000000, nofile 4096,"* ]]
	[[ "$output" != *warning* ]]
	[ "${#lines[@]}" -eq 2 ]	# listening, and subscriptions are open
	comet_teardown
	# chosen: ceil(1000000 / (4096 - 1024)) = 326 workers
	start_cometd -w 1 -m 1000000
	run cat "$BATS_TEST_TMPDIR/cometd.err"
	[[ "$output" == *"warning: max 1000000 exceeds what 1 workers of 4096 descriptors can hold; use -w 326"* ]]
	# and cometsysctl, held to the same limit, names the same count
	run --separate-stderr setpriv --inh-caps=-sys_resource \
	    --bounding-set=-sys_resource "$COMET_BIN/cometsysctl" -n 1000000
	[[ "$stderr" == *"hold 1000000 connections in 326 processes: cometd -w 326"* ]]
}

@test "cometd: -l with a name that does not resolve says why; [::1] is ::1" {
	run -2 --separate-stderr cometd -l no-such-host.invalid -p 0
	[[ "$stderr" == "cometd: -l no-such-host.invalid: "*$'\n'"usage: cometd"* ]]
	[[ "$stderr" != *"Cannot assign requested address"* ]]
	run -2 --separate-stderr cometd -l 'not an address' -p 0
	[[ "$stderr" == "cometd: -l not an address: "* ]]
	"$COMET_BIN/cometd" -w 1 -p 0 -l '[::1]' 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	comet_track $!
	wait_until 10 grep -q 'listening on ::1 port' "$BATS_TEST_TMPDIR/err"
	port=$(sed -n 's/.* port \([0-9]*\),.*/\1/p' "$BATS_TEST_TMPDIR/err")
	wait_until 10 curl -sg -o /dev/null "http://[::1]:$port/stats"
}

@test "cometd: SIGHUP and SIGUSR1 drop no connection: HUP reopens the access log, USR1 logs the counters" {
	start_cometd -w 2 -i 100ms -A "$BATS_TEST_TMPDIR/access"
	curl -sN "$URL/test/keep" >"$BATS_TEST_TMPDIR/keep" 3>&- &
	comet_track $!
	wait_until 10 grep -q 'Chunk 1 ' "$BATS_TEST_TMPDIR/keep"
	mv "$BATS_TEST_TMPDIR/access" "$BATS_TEST_TMPDIR/access.1"
	kill -HUP "$COMETD_PID"
	kill -USR1 "$COMETD_PID"
	# a worker that gets them straight, as pkill would send them, too
	kill -HUP "$(pgrep -P "$COMETD_PID" | head -1)"
	kill -USR1 "$(pgrep -P "$COMETD_PID" | head -1)"
	wait_until 10 grep -q 'info: stats: active ' "$BATS_TEST_TMPDIR/cometd.err"
	grep -q 'info: SIGHUP: access log reopened' "$BATS_TEST_TMPDIR/cometd.err"
	kill -0 "$COMETD_PID"
	[ "$(pgrep -P "$COMETD_PID" | wc -l)" -eq 2 ]
	n=$(count_of Chunk "$BATS_TEST_TMPDIR/keep")
	wait_until 10 chunks_above "$BATS_TEST_TMPDIR/keep" "$((n + 2))"
	# the reopened log takes the new lines
	curl -s "$URL/stats" >/dev/null
	wait_until 10 grep -q $'\tGET\t/stats\t200\t' "$BATS_TEST_TMPDIR/access"
	! grep -q 'worker.*killed' "$BATS_TEST_TMPDIR/cometd.err"
}

@test "cometd: -A logs one line per answer, stream start and stream end, for awk" {
	start_cometd -w 2 -i 0 -A "$BATS_TEST_TMPDIR/access"
	curl -s "$URL/nothing?token=secret" >/dev/null
	curl -sN "$URL/sse/alice" >"$BATS_TEST_TMPDIR/a" 3>&- &
	pid=$!
	comet_track $pid
	wait_until 10 grep -q welcome "$BATS_TEST_TMPDIR/a"
	curl -s --data-binary hello "$URL/send/alice" >/dev/null
	wait_until 10 grep -q 'data: hello' "$BATS_TEST_TMPDIR/a"
	kill "$pid"
	wait_until 10 grep -q 'end:eof$' "$BATS_TEST_TMPDIR/access"
	# nine tab-separated fields a line, whatever the event
	awk -F'\t' 'NF != 9 { print "bad line: " $0; exit 1 }' "$BATS_TEST_TMPDIR/access"
	grep -q $'\t127.0.0.1:[0-9]*\tGET\t/nothing\t404\t[0-9]*\t0\tanswer$' "$BATS_TEST_TMPDIR/access"
	! grep -q secret "$BATS_TEST_TMPDIR/access"
	grep -q $'\tGET\t/sse/alice\t200\t0\t0\tstream$' "$BATS_TEST_TMPDIR/access"
	grep -q $'\tPOST\t/send/alice\t201\t' "$BATS_TEST_TMPDIR/access"
	# the stream's end: its bytes (head, welcome, the message) and its life
	awk -F'\t' '$9 == "end:eof" && $5 == "/sse/alice" && $7 > 200 { ok = 1 } END { exit !ok }' \
	    "$BATS_TEST_TMPDIR/access"
	# the time is seconds since 1970 with milliseconds
	awk -F'\t' '$1 !~ /^[0-9]+\.[0-9][0-9][0-9]$/ { exit 1 }' "$BATS_TEST_TMPDIR/access"
	run -1 --separate-stderr cometd -A /nonexistent/dir/log -p 0
	[[ "$stderr" == "cometd: -A /nonexistent/dir/log: No such file"* ]]
}
