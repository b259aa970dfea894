#!/usr/bin/env bats
# Hostile input and faults: every refused request gets its exact status
# and a closed connection, and a stream opened before all of it (on the
# same single worker) is still receiving after each case.
#
# Raw requests go out with printf over bash's /dev/tcp; what bash cannot do
# (one byte per write, RST, half-close, crowds) is t/hostile.c.

load helper
bats_require_minimum_version 1.5.0

# One worker, so every hostile connection shares the watcher's process,
# and a 1 s head/body timeout so the timeout cases are quick.
setup_file() {
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR start_cometd -w 1 -i 100ms -t 1s
	curl -sN "$URL/test/watcher" >"$BATS_FILE_TMPDIR/stream" 2>/dev/null 3>&- &
	echo $! >>"$BATS_FILE_TMPDIR/pids"
	wait_until 10 grep -q '^Chunk 2 for id watcher$' "$BATS_FILE_TMPDIR/stream"
	export HPORT=$PORT HURL=$URL HPID=$COMETD_PID
}

teardown_file() {
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR comet_teardown
}

setup() {
	PORT=$HPORT URL=$HURL COMETD_PID=$HPID
}

# send FMT: printf FMT into a new connection to $PORT and print all that
# comes back; fails unless the server closes it cleanly within 5 s.
send() {
	timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 9
	    printf "$1" >&3 2>/dev/null; cat <&3' "$PORT" "$1"
}

# refused CODE FMT: the request FMT gets status CODE and a closed connection.
refused() {
	local out rc
	out=$(send "$2")
	rc=$?
	if [ "${out%%$'\r'*}" != "HTTP/1.1 $1 $(reason "$1")" ] || [ $rc -ne 0 ]; then
		echo "wanted $1 and a clean close; got (rc $rc):" >&2
		printf '%s\n' "$out" | head -5 >&2
		return 1
	fi
}

reason() {
	case $1 in
	400) echo "Bad Request" ;;
	408) echo "Request Timeout" ;;
	413) echo "Content Too Large" ;;
	414) echo "URI Too Long" ;;
	431) echo "Request Header Fields Too Large" ;;
	501) echo "Not Implemented" ;;
	505) echo "HTTP Version Not Supported" ;;
	esac
}

# chunks_in FILE: how many "Chunk N" lines a stream has received
chunks_in() {
	grep -c '^Chunk ' "$1" || true	# 0 is a count, not a failure
}

# grew FILE N: the stream in FILE has more than N chunks (for wait_until,
# which must re-run the count each time)
grew() {
	[ "$(chunks_in "$1")" -gt "$2" ]
}

# stat_cmp NAME OP VALUE: cometd's /stats value NAME compares with VALUE
stat_cmp() {
	local v
	v=$(stat_of "$1")
	[ -n "$v" ] && [ "$v" "$2" "$3" ]
}

# children_are N: the cometd parent has N worker processes
children_are() {
	[ "$(wc -w <"/proc/$COMETD_PID/task/$COMETD_PID/children")" -eq "$1" ]
}

# The watcher opened in setup_file is still receiving, and its worker was
# never restarted.
still_streaming() {
	local before
	before=$(chunks_in "$BATS_FILE_TMPDIR/stream")
	wait_until 5 grew "$BATS_FILE_TMPDIR/stream" "$before"
	! grep -q restarting "$BATS_FILE_TMPDIR/cometd.err"
}

# fill N CHAR: N copies of CHAR
fill() {
	head -c "$1" /dev/zero | tr '\0' "$2"
}

# --- the request line ---------------------------------------------------

@test "hostile: garbage request line is 400" {
	refused 400 'HELLO\r\n\r\n'
	still_streaming
}

@test "hostile: missing version (HTTP/0.9 form) is 400" {
	refused 400 'GET /test/a\r\n\r\n'
	still_streaming
}

@test "hostile: misspelt protocol name is 400" {
	refused 400 'GET /test/a HTTX/1.1\r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: lower-case protocol name is 400" {
	refused 400 'GET /test/a http/1.1\r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: non-digit version is 400" {
	refused 400 'GET /test/a HTTP/1.x\r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: two spaces in the request line are 400" {
	refused 400 'GET  /test/a HTTP/1.1\r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: space after the version is 400" {
	refused 400 'GET /test/a HTTP/1.1 \r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: space inside the target is 400" {
	refused 400 'GET /test/a b HTTP/1.1\r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: separator in the method is 400" {
	refused 400 'G(T /test/a HTTP/1.1\r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: empty method is 400" {
	refused 400 ' /test/a HTTP/1.1\r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: target not in origin form is 400" {
	refused 400 'GET test/a HTTP/1.1\r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: bare LF line ends are 400" {
	refused 400 'GET /test/a HTTP/1.1\nHost: x\n\n'
	still_streaming
}

# --- header fields ------------------------------------------------------

@test "hostile: header line without a colon is 400" {
	refused 400 'GET /test/a HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n'
	still_streaming
}

@test "hostile: whitespace before the colon is 400" {
	refused 400 'GET /test/a HTTP/1.1\r\nHost : x\r\n\r\n'
	still_streaming
}

@test "hostile: obsolete line folding is 400" {
	refused 400 'GET /test/a HTTP/1.1\r\nHost: x\r\nX-A: one\r\n two\r\n\r\n'
	still_streaming
}

@test "hostile: control character in a header value is 400" {
	refused 400 'GET /test/a HTTP/1.1\r\nHost: x\r\nX-A: a\001b\r\n\r\n'
	still_streaming
}

@test "hostile: DEL in a header value is 400" {
	refused 400 'GET /test/a HTTP/1.1\r\nHost: x\r\nX-A: a\177b\r\n\r\n'
	still_streaming
}

@test "hostile: bare CR inside a header value is 400" {
	refused 400 'GET /test/a HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n'
	still_streaming
}

@test "hostile: NUL in the target is 400" {
	refused 400 'GET /test/a\0b HTTP/1.1\r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: NUL in a header value is 400" {
	refused 400 'GET /test/a HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n'
	still_streaming
}

@test "hostile: empty header name is 400" {
	refused 400 'GET /test/a HTTP/1.1\r\nHost: x\r\n: x\r\n\r\n'
	still_streaming
}

@test "hostile: HTTP/1.1 without Host is 400" {
	refused 400 'GET /test/a HTTP/1.1\r\nAccept: */*\r\n\r\n'
	still_streaming
}

@test "hostile: two Host fields are 400" {
	refused 400 'GET /test/a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n'
	still_streaming
}

# --- versions -----------------------------------------------------------

@test "hostile: HTTP/2.0 request line is 505" {
	refused 505 'GET /test/a HTTP/2.0\r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: the HTTP/2 connection preface is 505" {
	refused 505 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
	still_streaming
}

@test "hostile: HTTP/3.0 is 505" {
	refused 505 'GET /test/a HTTP/3.0\r\nHost: x\r\n\r\n'
	still_streaming
}

# --- limits (defaults: 8192-byte head, 100 lines, 1024-byte target) -----

@test "hostile: request head over 8 KB is 431" {
	refused 431 "GET /stats HTTP/1.1\r\nHost: x\r\nX-Big: $(fill 9000 a)\r\n\r\n"
	still_streaming
}

@test "hostile: 101 header lines are 431" {
	local h
	h=$(for i in $(seq 1 100); do printf 'X-%d: v\\r\\n' "$i"; done)
	refused 431 "GET /stats HTTP/1.1\r\nHost: x\r\n$h\r\n"
	still_streaming
}

@test "hostile: exactly 100 header lines are served" {
	local h
	h=$(for i in $(seq 1 98); do printf 'X-%d: v\\r\\n' "$i"; done)
	run send "GET /stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n$h\r\n"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'HTTP/1.1 200 OK\r' ]
	still_streaming
}

@test "hostile: target over 1024 bytes is 414" {
	refused 414 "GET /$(fill 1100 t) HTTP/1.1\r\nHost: x\r\n\r\n"
	still_streaming
}

@test "hostile: an Id with a . or .. segment is 400, as a proxy would read it otherwise" {
	refused 400 'GET /test/a/../b HTTP/1.1\r\nHost: x\r\n\r\n'
	refused 400 'GET /sse/.. HTTP/1.1\r\nHost: x\r\n\r\n'
	refused 400 'GET /poll/./x HTTP/1.1\r\nHost: x\r\n\r\n'
	refused 400 'POST /send/x/../../sse/a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nm'
	still_streaming
}

@test "hostile: Id over 255 bytes is 414" {
	refused 414 "GET /test/$(fill 300 i) HTTP/1.1\r\nHost: x\r\n\r\n"
	still_streaming
}

@test "hostile: -b -n -u set the head, line and target limits" {
	start_cometd -w 1 -b 512 -n 4 -u 20
	refused 431 "GET /stats HTTP/1.1\r\nHost: x\r\nX: $(fill 600 a)\r\n\r\n"
	refused 431 'GET /stats HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n'
	refused 414 "GET /test/$(fill 20 i) HTTP/1.1\r\nHost: x\r\n\r\n"
	run send 'GET /stats HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nConnection: close\r\n\r\n'
	[ "${lines[0]}" = $'HTTP/1.1 200 OK\r' ]
	PORT=$HPORT still_streaming
}

# --- bodies -------------------------------------------------------------

@test "hostile: non-decimal Content-Length is 400" {
	refused 400 'POST /send/a HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello'
	still_streaming
}

@test "hostile: signed Content-Length is 400" {
	refused 400 'POST /send/a HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello'
	still_streaming
}

@test "hostile: Content-Length with 19 digits is 400" {
	refused 400 'POST /send/a HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999999999999999\r\n\r\n'
	still_streaming
}

@test "hostile: two different Content-Lengths are 400" {
	refused 400 'POST /send/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'
	still_streaming
}

@test "hostile: Content-Length with Transfer-Encoding is 400" {
	refused 400 'POST /send/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
	still_streaming
}

@test "hostile: unknown transfer coding before chunked is 501" {
	refused 501 'POST /send/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'
	still_streaming
}

@test "hostile: transfer coding not ending in chunked is 400" {
	refused 400 'POST /send/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n'
	still_streaming
}

@test "hostile: Transfer-Encoding in HTTP/1.0 is 400" {
	refused 400 'POST /send/a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
	still_streaming
}

# --- framing and injection ----------------------------------------------

@test "hostile: pipelined requests are answered in order" {
	run send 'GET /stats HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep '^HTTP/1.1' | tr -d '\r')" = "HTTP/1.1 200 OK
HTTP/1.1 404 Not Found
HTTP/1.1 200 OK" ]
	still_streaming
}

@test "hostile: a request sent one byte per write is served" {
	run "$COMET_BIN/t/hostile" -d 2 -t 2 bytes "$PORT" \
	    'GET /test/slow HTTP/1.1\r\nHost: x\r\n\r\n'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'HTTP/1.1 200 OK\r' ]
	[[ "$output" == *"Mochiconntest welcomes you! Your Id: slow"* ]]
	[[ "$output" == *"Chunk 1 for id slow"* ]]
	still_streaming
}

@test "hostile: a malformed request sent one byte per write is 400 too" {
	run "$COMET_BIN/t/hostile" -d 1 -t 2 bytes "$PORT" \
	    'GET /test/a HTTP/1.1\r\nHost : x\r\n\r\n'
	[ "${lines[0]}" = $'HTTP/1.1 400 Bad Request\r' ]
	still_streaming
}

@test "hostile: CR in the Id is 400, nothing injected" {
	refused 400 'GET /test/a\rSet-Cookie:x HTTP/1.1\r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: LF in the Id is 400, nothing injected" {
	refused 400 'GET /test/a\nSet-Cookie: x HTTP/1.1\r\nHost: x\r\n\r\n'
	still_streaming
}

@test "hostile: percent-encoded CRLF in the Id stays in the body" {
	local out head
	out=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"
	    printf "GET /test/a%%0d%%0aSet-Cookie:%%20x HTTP/1.1\r\nHost: x\r\n\r\n" >&3
	    head -c 300 <&3' "$PORT")
	head=${out%%$'\r\n\r\n'*}
	[[ "$head" == $'HTTP/1.1 200 OK\r\n'* ]]
	! printf '%s' "$head" | grep -qi 'set-cookie'
	[[ "$out" == *"Your Id: a%0d%0aSet-Cookie:%20x"* ]]
	still_streaming
}

# --- slow clients -------------------------------------------------------

@test "hostile: a slowloris crowd is closed at the head timeout, others served" {
	local before out
	before=$(stat_of timeouts)
	"$COMET_BIN/t/hostile" -c 50 -t 10 crowd "$PORT" \
	    'GET /test/slow HTTP/1.1\r\nHost: x\r\nX-A: ' >"$BATS_TEST_TMPDIR/crowd" 3>&- &
	comet_track $!
	wait_until 5 stat_cmp active -ge 51
	# while the crowd holds its 50 connections, others are served
	run curl -s "$URL/stats"
	[ "$status" -eq 0 ]
	[[ "$output" == *"active "* ]]
	wait_until 10 grep -q '^conns 50 connected 50 closed 50$' "$BATS_TEST_TMPDIR/crowd"
	grep -qx 'status 408 50' "$BATS_TEST_TMPDIR/crowd"
	[ "$(stat_of timeouts)" -ge $((before + 50)) ]
	still_streaming
}

@test "hostile: a connection that sends nothing is closed at the timeout" {
	run "$COMET_BIN/t/hostile" -t 5 half "$PORT"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run -0 "$COMET_BIN/t/hostile" -t 5 crowd "$PORT"
	[ "${lines[0]}" = "conns 1 connected 1 closed 1" ]
	still_streaming
}

# --- faults -------------------------------------------------------------

@test "hostile: a client reset mid-stream is cleaned up and counted" {
	start_cometd -w 1 -i 50ms
	curl -sN "$URL/test/keep" >"$BATS_TEST_TMPDIR/keep" 2>/dev/null 3>&- &
	comet_track $!
	# /stats counts the connection asking, so one stream is "active 2"
	wait_until 5 stat_cmp active -eq 2
	run -0 "$COMET_BIN/t/hostile" reset "$PORT" \
	    'GET /test/rst HTTP/1.1\r\nHost: x\r\n\r\n'
	wait_until 5 stat_cmp active -eq 2
	[ "$(stat_of closed)" -ge 2 ]
	local n
	n=$(chunks_in "$BATS_TEST_TMPDIR/keep")
	wait_until 5 grew "$BATS_TEST_TMPDIR/keep" "$n"
	PORT=$HPORT still_streaming
}

@test "hostile: a client half-closing mid-stream is cleaned up and counted" {
	start_cometd -w 1 -i 50ms
	run -0 "$COMET_BIN/t/hostile" -t 5 half "$PORT" \
	    'GET /test/half HTTP/1.1\r\nHost: x\r\n\r\n'
	wait_until 5 stat_cmp active -eq 1	# /stats itself
	[ "$(stat_of closed)" -ge 1 ]
	PORT=$HPORT still_streaming
}

@test "hostile: a client killed mid-stream is cleaned up and counted" {
	start_cometd -w 1 -i 50ms
	curl -sN "$URL/test/gone" >"$BATS_TEST_TMPDIR/gone" 2>/dev/null 3>&- &
	local pid=$!
	comet_track $pid
	wait_until 5 grep -q '^Chunk 1 for id gone' "$BATS_TEST_TMPDIR/gone"
	kill -KILL $pid
	wait_until 5 stat_cmp active -eq 1	# /stats itself
	[ "$(stat_of closed)" -ge 1 ]
	PORT=$HPORT still_streaming
}

# fds_at_least PID N: the process has at least N descriptors open
fds_at_least() {
	[ "$(ls "/proc/$1/fd" | wc -l)" -ge "$2" ]
}

# exited PID: the process is gone or a zombie
exited() {
	[ ! -e "/proc/$1/stat" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat")" = Z ]
}

# cpu_ticks PID: user + system clock ticks the process has used
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

@test "hostile: out of descriptors, cometd pauses accept without spinning" {
	local bin=$BATS_TEST_TMPDIR/bin w t0 t1
	mkdir -p "$bin"
	printf '#!/bin/bash\nulimit -n 64\nexec "%s/cometd" "$@"\n' "$COMET_BIN" >"$bin/cometd"
	chmod +x "$bin/cometd"
	COMET_BIN=$bin start_cometd -w 1 -i 100ms
	w=$(awk '{ print $1 }' "/proc/$COMETD_PID/task/$COMETD_PID/children")
	[ -n "$w" ]
	"$COMET_BIN/t/hostile" -c 100 -t 6 crowd "$PORT" \
	    'GET /test/fd HTTP/1.1\r\nHost: x\r\n\r\n' >"$BATS_TEST_TMPDIR/crowd" 3>&- &
	comet_track $!
	# the worker fills its 64 descriptors
	wait_until 10 fds_at_least "$w" 60
	# a busy loop would burn ~100 ticks a second; a paused accept, ~none
	t0=$(cpu_ticks "$w")
	sleep 2
	t1=$(cpu_ticks "$w")
	[ $((t1 - t0)) -lt 40 ]
	kill -0 "$COMETD_PID"
	wait_until 10 grep -q '^conns 100 connected 100' "$BATS_TEST_TMPDIR/crowd"
	# it answered what it could hold: streams, and 503 from the reserve
	awk '$1 == "status" && $2 == 200 { ok = $3 } END { exit !(ok >= 40) }' \
	    "$BATS_TEST_TMPDIR/crowd"
	grep -q '^status 503 ' "$BATS_TEST_TMPDIR/crowd"
	# descriptors free again: it accepts and serves
	wait_until 10 curl -sf "$URL/stats" -o /dev/null
	[ "$(awk '{ print $1 }' "/proc/$COMETD_PID/task/$COMETD_PID/children")" = "$w" ]
	PORT=$HPORT still_streaming
}

@test "hostile: a worker killed mid-stream is restarted, others untouched" {
	local i pid alive=0 dead=0 victim n
	start_cometd -w 2 -i 100ms
	for i in $(seq 1 20); do
		curl -sN "$URL/test/w$i" >"$BATS_TEST_TMPDIR/w$i" 2>/dev/null 3>&- &
		echo $! >"$BATS_TEST_TMPDIR/w$i.pid"
		comet_track $!
	done
	wait_until 10 stat_cmp active -ge 21
	victim=$(cut -d' ' -f1 "/proc/$COMETD_PID/task/$COMETD_PID/children")
	kill -KILL "$victim"
	wait_until 10 grep -q "killed by signal 9, restarting" "$BATS_TEST_TMPDIR/cometd.err"
	wait_until 10 children_are 2
	# the victim's clients were disconnected (curl exits); the rest go on
	for i in $(seq 1 20); do
		pid=$(cat "$BATS_TEST_TMPDIR/w$i.pid")
		if kill -0 "$pid" 2>/dev/null; then
			n=$(chunks_in "$BATS_TEST_TMPDIR/w$i")
			wait_until 5 grew "$BATS_TEST_TMPDIR/w$i" "$n"
			alive=$((alive + 1))
		else
			dead=$((dead + 1))
		fi
	done
	[ "$dead" -gt 0 ]
	[ "$alive" -gt 0 ]
	# /stats: the dead worker's connections count as closed, not active
	[ "$(stat_of active)" -eq $((alive + 1)) ]
	[ "$(stat_of workers)" -eq 2 ]
	[ "$(stat_of closed)" -ge "$dead" ]
	run first_lines 1 "$URL/test/after"
	[[ "$output" == *"Your Id: after"* ]]
	PORT=$HPORT still_streaming
}

@test "hostile: SIGTERM ends every chunked stream with its terminator, exit 0" {
	local i rc
	start_cometd -w 2 -i 100ms
	for i in 1 2 3 4; do
		curl -sN --raw "$URL/test/t$i" >"$BATS_TEST_TMPDIR/t$i" 2>/dev/null 3>&- &
		comet_track $!
	done
	wait_until 10 stat_cmp active -ge 5
	for i in 1 2 3 4; do
		wait_until 5 grep -q 'Chunk 1 for id' "$BATS_TEST_TMPDIR/t$i"
	done
	kill -TERM "$COMETD_PID"
	wait_until 10 exited "$COMETD_PID"
	rc=0
	wait "$COMETD_PID" || rc=$?
	[ "$rc" -eq 0 ]
	for i in 1 2 3 4; do
		[ "$(tail -c 5 "$BATS_TEST_TMPDIR/t$i" | od -An -c | tr -s ' ')" = \
		    " 0 \r \n \r \n" ]
	done
	PORT=$HPORT still_streaming
}
@test "hostile: body over the 64 KB message cap is 413" {
	refused 413 "POST /send/a HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n$(fill 70000 m)"
	still_streaming
}

@test "hostile: chunked body over the message cap is 413" {
	refused 413 "POST /send/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n11170\r\n$(fill 70000 m)\r\n0\r\n\r\n"
	still_streaming
}

@test "hostile: a body that never completes is 408 after the timeout" {
	refused 408 'POST /send/a HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part'
	still_streaming
}

@test "hostile: a chunked body that never completes is 408" {
	refused 408 'POST /send/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel'
	still_streaming
}
@test "hostile: non-hex chunk size is 400" {
	refused 400 'POST /send/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'
	still_streaming
}

@test "hostile: chunk size with trailing garbage is 400" {
	refused 400 'POST /send/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5g\r\nhello\r\n0\r\n\r\n'
	still_streaming
}

@test "hostile: chunk size overflowing 64 bits is 400" {
	refused 400 'POST /send/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\nhello\r\n0\r\n\r\n'
	still_streaming
}

@test "hostile: chunk data without its CRLF is 400" {
	refused 400 'POST /send/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n'
	still_streaming
}

