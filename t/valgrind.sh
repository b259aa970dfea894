#!/bin/bash
# t/valgrind.sh [builddir]: run cometd (parent and two workers) under
# valgrind while it serves streams, publishes, malformed and oversized
# requests, a slowloris head, a reset and a killed client, then SIGTERM.
# Fails unless cometd exits 0 and every process's valgrind log reports no
# error and no definitely lost memory.  Uses the plain build, not SAN=1
# (valgrind and AddressSanitizer do not mix).  KEEP=1 keeps the logs.
set -u
cd "$(dirname "$0")/.."
b=${1:-build}
if ! command -v valgrind >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "t/valgrind.sh: installing valgrind" >&2
		apt-get update -qq >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
	else
		echo "t/valgrind.sh: valgrind missing; install with: sudo apt-get install valgrind" >&2
		exit 1
	fi
fi
[ -x "$b/cometd" ] && [ -x "$b/t/hostile" ] || { echo "t/valgrind.sh: run make first" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "t/valgrind.sh: $*" >&2
	exit 1
}

# until SECS CMD...: poll CMD every 0.1 s
until_ok() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}

valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite --log-file="$tmp/vg.%p" \
    "$b/cometd" -l 127.0.0.1 -p 0 -w 2 -i 100ms -t 1s -k 3 -e 1s -o 1s \
    -A "$tmp/access" 2>"$tmp/err" &
cpid=$!
pids+=("$cpid")
port=
until_ok 60 grep -q ' port [0-9]' "$tmp/err" || fail "cometd did not start: $(cat "$tmp/err")"
port=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' "$tmp/err" | head -1)
url=http://127.0.0.1:$port
until_ok 60 curl -sf -o /dev/null "$url/stats" || fail "cometd does not answer"

# send FMT: printf FMT into a connection and print the status line
send() {
	timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 9
	    printf "$1" >&3 2>/dev/null; head -1 <&3' "$port" "$1" | tr -d '\r'
}
expect() {
	local got
	got=$(send "$2")
	[ "${got#HTTP/1.1 $1 }" != "$got" ] || fail "wanted $1 for '$2', got '$got'"
}

for i in 1 2 3 4; do
	curl -sN --raw "$url/test/v$i" >"$tmp/s$i" 2>/dev/null &
	pids+=("$!")
done
curl -sN "$url/test/gone" >/dev/null 2>&1 &
gone=$!
for i in 1 2 3 4; do
	until_ok 30 grep -q '^Chunk 2 ' "$tmp/s$i" || fail "stream v$i got no chunks"
done
kill -KILL "$gone"
wait "$gone" 2>/dev/null

expect 400 'HELLO\r\n\r\n'
expect 400 'GET /test/a HTTP/1.1\r\nHost : x\r\n\r\n'
expect 400 'GET /test/a HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n'
expect 505 'GET /test/a HTTP/2.0\r\nHost: x\r\n\r\n'
expect 501 'POST /send/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'
expect 431 "GET /stats HTTP/1.1\r\nHost: x\r\nX: $(head -c 9000 /dev/zero | tr '\0' a)\r\n\r\n"
expect 414 "GET /test/$(head -c 300 /dev/zero | tr '\0' i) HTTP/1.1\r\nHost: x\r\n\r\n"
expect 200 "GET /test/$(head -c 100 /dev/zero | tr '\0' l) HTTP/1.1\r\nHost: x\r\n\r\n"
expect 200 'GET /stats HTTP/1.1\r\nHost: x\r\n\r\nGET /stats HTTP/1.1\r\nHost: x\r\n\r\n'
expect 408 'GET /test/a HTTP/1.1\r\nHost: x\r\nX-A: '
"$b/t/hostile" reset "$port" 'GET /test/rst HTTP/1.1\r\nHost: x\r\n\r\n' ||
    fail "reset client failed"
# publishing, where the router is built in
curl -s -o /dev/null --data-binary 'hello' "$url/send/v1"
printf 'v2\tone\nv3\ttwo\n' | curl -s -o /dev/null --data-binary @- "$url/send"
curl -s -o /dev/null -H 'Transfer-Encoding: chunked' --data-binary 'to all' "$url/broadcast"
curl -s -o /dev/null --data-binary "$(head -c 70000 /dev/zero | tr '\0' m)" "$url/send/v1"
# the browsers' transports: an event stream resumed past the history (-k
# 3), long-polls answered at once, after a wait and at their timeout,
# WebSocket frames (python3-websockets when it is there), /metrics
for i in 1 2 3 4 5; do
	curl -s -o /dev/null --data-binary "e$i" "$url/send/ev"
done
timeout 10 curl -sN "$url/sse/ev?last_event_id=1-0" >"$tmp/sse" 2>/dev/null
grep -q '^event: lost' "$tmp/sse" || fail "no lost event on a resume past the history"
curl -s "$url/poll/ev?since=1-0" | grep -q '"data":"e5"' || fail "poll at once"
curl -s "$url/poll/quiet" | grep -q '"messages":\[\]' || fail "poll timeout"
( sleep 0.5; curl -s -o /dev/null --data-binary late "$url/send/later" ) &
curl -s "$url/poll/later" | grep -q '"data":"late"' || fail "poll wait"
curl -s "$url/metrics" | grep -q '^cometd_workers 2$' || fail "metrics"
if /usr/bin/python3 -c 'import websockets' 2>/dev/null; then
	timeout 60 /usr/bin/python3 - "$port" <<'PYEOF2' || fail "websocket"
import asyncio, sys, websockets
async def main():
    async with websockets.connect("ws://127.0.0.1:%s/ws/w1" % sys.argv[1]) as ws:
        await ws.recv()
        await ws.send("x" * 300)
        await (await ws.ping(b"p"))
asyncio.run(main())
PYEOF2
fi
expect 400 'GET /ws/x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n'
expect 426 'GET /ws/x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 7\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
kill -HUP "$cpid"

kill -TERM "$cpid"
until_ok 60 eval '! kill -0 "$cpid" 2>/dev/null || [ "$(awk "{ print \$3 }" "/proc/$cpid/stat" 2>/dev/null)" = Z ]' ||
    fail "cometd did not stop within 60 s"
wait "$cpid"
rc=$?
[ "$rc" -eq 0 ] || fail "cometd exited $rc: $(cat "$tmp/err")"
for i in 1 2 3 4; do
	[ "$(tail -c 5 "$tmp/s$i" | od -An -c | tr -s ' ')" = " 0 \r \n \r \n" ] ||
	    fail "stream v$i did not end with the chunked terminator"
done

n=0
for log in "$tmp"/vg.*; do
	n=$((n + 1))
	if [ -s "$log" ]; then
		echo "t/valgrind.sh: $log:" >&2
		cat "$log" >&2
		exit 1
	fi
done
[ "$n" -ge 3 ] || fail "expected logs of the parent and 2 workers, got $n"
echo "valgrind: cometd parent and workers clean ($n processes)"
