#!/usr/bin/env bats
# cometd's WebSocket subscribers: a hand-written raw client for the
# handshake and frame edge cases (t/wsraw.py), Debian's python3-websockets
# as a real client, and headless Chromium's WebSocket.

bats_require_minimum_version 1.5.0
load helper

PY=/usr/bin/python3

wsraw() {
	run timeout 90 "$PY" "$BATS_TEST_DIRNAME/wsraw.py" "$PORT" "$1"
	[ -z "$output" ] || echo "$output"
	[ "$status" -eq 0 ]
}

@test "websocket: the RFC 6455 handshake example gives its accept key" {
	start_cometd -w 2 -i 0
	wsraw accept
}

@test "websocket: bad upgrades get 400, a wrong version 426 with the version" {
	start_cometd -w 1 -i 0
	wsraw badupgrade
	[ "$(stat_of bad_requests)" -ge 5 ]
}

@test "websocket: protocol errors close with 1002: unmasked, reserved bits and opcodes, fragment order, control frames" {
	start_cometd -w 2 -i 0
	local c
	for c in unmasked rsv opcode cont newinside ping126 pingfrag nonminimal closebad; do
		wsraw "$c"
	done
	# the server goes on: a fresh subscriber is served
	wsraw accept
}

@test "websocket: text must be UTF-8 (1007), also across fragments; messages over 16 KiB are 1009" {
	start_cometd -w 1 -i 0
	local c
	for c in utf8 utf8split closeutf8 toobig len127; do
		wsraw "$c"
	done
}

@test "websocket: fragments are reassembled, pings answered mid-message and across reads" {
	start_cometd -w 2 -i 0
	local c
	for c in fragments len126 ping125 text; do
		wsraw "$c"
	done
}

@test "websocket: the closing handshake: a close gets the same code back, then the end" {
	start_cometd -w 1 -i 0
	wsraw close
	wait_until 10 stat_is streams_ws 0
}

@test "websocket: a silent stream is pinged; answered it stays, unanswered it is closed" {
	start_cometd -w 1 -i 0 -e 1s
	wsraw serverping
	wsraw nopong
	wait_until 20 stat_is streams_ws 0
	[ "$(stat_of timeouts)" -ge 1 ]
}

@test "websocket: a frame held in parts past a heartbeat period closes with 1008" {
	start_cometd -w 1 -i 0 -e 1s
	wsraw held
}

@test "websocket: python3-websockets subscribes, gets messages in order, resumes after a cut" {
	start_cometd -w 4 -i 0
	run timeout 120 "$PY" - "$PORT" <<'PYEOF'
import asyncio, json, sys, urllib.request
import websockets

port = sys.argv[1]
base = "127.0.0.1:%s" % port

def publish(i):
    urllib.request.urlopen(urllib.request.Request(
        "http://%s/send/alice" % base, data=("m%d" % i).encode()))

async def main():
    async with websockets.connect("ws://%s/ws/alice" % base) as ws:
        welcome = json.loads(await ws.recv())
        assert welcome["event"] == "welcome", welcome
        for i in range(1, 6):
            publish(i)
        got = []
        while len(got) < 5:
            m = json.loads(await ws.recv())
            got.append(m)
        assert [m["data"] for m in got] == ["m%d" % i for i in range(1, 6)], got
        last = got[-1]["id"]
    # away: two messages; back with the last id: both, then live
    publish(6)
    publish(7)
    async with websockets.connect("ws://%s/ws/alice?last_event_id=%s" % (base, last)) as ws:
        assert json.loads(await ws.recv())["event"] == "welcome"
        publish(8)
        rest = [json.loads(await ws.recv())["data"] for _ in range(3)]
        assert rest == ["m6", "m7", "m8"], rest
        await ws.close()
        assert ws.close_code == 1000
    print("ok")

asyncio.run(main())
PYEOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = ok ]
}

@test "websocket: headless Chromium's WebSocket gets every message once, in order, across a restart" {
	start_cometd -w 1 -i 0
	node "$BATS_TEST_DIRNAME/browser/run.mjs" \
	    "file://$BATS_TEST_DIRNAME/browser/ws.html?src=ws://127.0.0.1:$PORT/ws/alice" 300 \
	    >"$BATS_TEST_TMPDIR/browser" 2>&1 3>&- &
	comet_track $!
	wait_until 60 grep -q '^welcome' "$BATS_TEST_TMPDIR/browser"
	publish() {
		local c
		c=$(curl -s -o /dev/null -w '%{http_code}' --data-binary "$2" "$URL/send/$1")
		[ "$c" = 201 ] || [ "$c" = 202 ]
	}
	for i in 1 2 3; do publish alice "m$i"; done
	wait_until 30 grep -q '"m3"' "$BATS_TEST_TMPDIR/browser"
	kill -KILL "$(pgrep -P "$COMETD_PID")"
	for i in 4 5; do wait_until 30 publish alice "m$i"; done
	wait_until 60 grep -q '"m5"' "$BATS_TEST_TMPDIR/browser"
	run awk -F'\t' '$1 == "message" { printf "%s ", $3 }' "$BATS_TEST_TMPDIR/browser"
	[ "$output" = '"m1" "m2" "m3" "m4" "m5" ' ]
	grep -q '^lost	' "$BATS_TEST_TMPDIR/browser"
}
