#!/usr/bin/env bats
# cometd behind a real nginx (Debian's /usr/sbin/nginx) that terminates
# TLS, configured from the shipped etc/nginx/comet.conf itself (t/nginx.bash
# fills its EDIT lines), with a CA and a server certificate openssl makes
# here.  Clients trust that CA (curl --cacert, an SSL context in Python),
# never -k.  Every transport is read through the proxy; each message must
# arrive while its stream stays open and before the next one is published,
# which a buffering proxy fails (it holds messages until a buffer fills).
# How fast they arrive is t/bench/proxy's question, not a test's.

bats_require_minimum_version 1.5.0
load helper
load nginx

PY=/usr/bin/python3
SSEPARSE=$COMET_BIN/t/sseparse

setup_file() {
	local t
	for t in "$NGINX" openssl curl; do
		command -v "$t" >/dev/null || {
			echo "missing $t (t/deps.sh installs it)" >&2
			return 1
		}
	done
	"$PY" -c 'import websockets' || return 1
	nginx_pki "$BATS_FILE_TMPDIR/pki"
}

CA() { echo "$BATS_FILE_TMPDIR/pki/ca.crt"; }

# start_nginx [FROM TO]...: nginx in front of the cometd start_cometd
# started, from the example with FROM replaced by TO; tracked for teardown.
start_nginx() {
	nginx_start "$BATS_TEST_TMPDIR/nginx" "$BATS_FILE_TMPDIR/pki" "$PORT" "$@"
	local rc=$?
	[ -z "$NGINX_PID" ] || comet_track "$NGINX_PID"
	return $rc
}

# scurl ARGS...: curl through the proxy, trusting the test CA only.
scurl() {
	curl -s --max-time 60 --cacert "$(CA)" "$@"
}

# pub ID MESSAGE [curl args]: publish through nginx; prints the status.
pub() {
	local id=$1 msg=$2
	shift 2
	scurl -o /dev/null -w '%{http_code}' --data-binary "$msg" "$@" \
	    "$NGINX_URL/send/$id"
}

# follow NAME PATH [curl args]: a stream through nginx, its body into
# $BATS_TEST_TMPDIR/NAME; FOLLOW_PID is curl's.
follow() {
	local name=$1 path=$2
	shift 2
	curl -sN --cacert "$(CA)" "$@" "$NGINX_URL$path" \
	    >"$BATS_TEST_TMPDIR/$name" 2>"$BATS_TEST_TMPDIR/$name.err" 3>&- &
	FOLLOW_PID=$!
	comet_track "$FOLLOW_PID"
}

# sse NAME PATH [curl args]: an EventSource stream through nginx, parsed
# by t/sseparse into $BATS_TEST_TMPDIR/NAME; waits for the welcome.
sse() {
	local name=$1 path=$2 fifo=$BATS_TEST_TMPDIR/$1.fifo
	shift 2
	mkfifo "$fifo"
	"$SSEPARSE" -c <"$fifo" >"$BATS_TEST_TMPDIR/$name" 3>&- &
	comet_track $!
	curl -sN --cacert "$(CA)" "$@" "$NGINX_URL$path" >"$fifo" 3>&- &
	FOLLOW_PID=$!
	comet_track "$FOLLOW_PID"
	wait_until 30 grep -q "^welcome" "$BATS_TEST_TMPDIR/$name"
}

has() {
	grep -qF -- "$2" "$BATS_TEST_TMPDIR/$1"
}

# count_is NAME TYPE N: NAME holds N events of TYPE.
count_is() {
	[ "$(awk -F'\t' -v t="$2" '$1 == t { n++ } END { print n + 0 }' \
	    "$BATS_TEST_TMPDIR/$1")" -eq "$3" ]
}

alive() {
	kill -0 "$1" 2>/dev/null
}

@test "nginx: the shipped example, its EDIT lines filled in, passes nginx -t" {
	nginx_conf "$BATS_TEST_TMPDIR/nginx" "$BATS_FILE_TMPDIR/pki" 8000 8443
	run "$NGINX" -t -p "$BATS_TEST_TMPDIR/nginx/" \
	    -c "$BATS_TEST_TMPDIR/nginx/nginx.conf" -e "$BATS_TEST_TMPDIR/nginx/error.log"
	echo "$output"
	[ "$status" -eq 0 ]
	# a line the test fills in that the example lost is an error, not a
	# quietly different test
	run nginx_conf "$BATS_TEST_TMPDIR/x" "$BATS_FILE_TMPDIR/pki" 8000 8443 \
	    'no such line;' 'x'
	[ "$status" -eq 1 ]
	[[ "$output" == *"'no such line;'"*"0 times"* ]]
}

@test "nginx: /test/ over HTTP/1.1 through TLS: each message before the next publish, up to 60 KB, the stream open throughout" {
	start_cometd -w 2 -i 0
	start_nginx
	# HTTP/1.1 to the client: a buffering nginx (proxy_buffering on)
	# held this stream's every byte from an HTTP/1.1 client, while an
	# HTTP/2 one got each message
	follow t /test/alice --http1.1
	wait_until 30 has t 'Mochiconntest welcomes you! Your Id: alice'
	local i
	for i in 1 2 3 4 5; do
		[ "$(pub alice "m$i")" = 201 ]
		wait_until 30 has t "Recvd msg #$i: 'm$i'"
		alive "$FOLLOW_PID"
	done
	# a message larger than nginx's proxy buffer comes through in pieces
	big=$(head -c 60000 /dev/zero | tr '\0' x)
	[ "$(pub alice "$big")" = 201 ]
	wait_until 30 has t "Recvd msg #6: '$big'"
	alive "$FOLLOW_PID"
	[ "$(stat_of streams_chunked)" -eq 1 ]
	[ "$(grep -c '^Recvd msg' "$BATS_TEST_TMPDIR/t")" -eq 6 ]
	# the client leaves: nginx closes its side, and cometd lets go
	kill "$FOLLOW_PID"
	wait_until 30 stat_is streams_chunked 0
}

@test "nginx: /sse/ over HTTP/2 and HTTP/1.1: every event before the next publish, ids in order" {
	start_cometd -w 2 -i 0
	start_nginx
	# HTTP/2 is offered (ALPN) and the stream's head comes through it
	run scurl --http2 -I -o /dev/null -w '%{http_version} %{content_type}' \
	    "$NGINX_URL/sse/alice"
	[ "$output" = "2 text/event-stream" ]
	sse h2 /sse/alice --http2
	local p2=$FOLLOW_PID
	sse h1 /sse/alice --http1.1
	local p1=$FOLLOW_PID
	# the Accept header gets through: /test/ as an event stream
	sse ac /test/alice -H 'Accept: text/event-stream'
	local pa=$FOLLOW_PID
	local i
	for i in 1 2 3 4 5; do
		[ "$(pub alice $'line one\nm'"$i")" = 201 ]
		wait_until 30 count_is h2 message "$i"
		wait_until 30 count_is h1 message "$i"
		wait_until 30 count_is ac message "$i"
		alive "$p2"
		alive "$p1"
		alive "$pa"
	done
	for s in h1 h2 ac; do
		run awk -F'\t' '$1 == "message" { printf "%s ", $3 }' "$BATS_TEST_TMPDIR/$s"
		[ "$output" = 'line one\nm1 line one\nm2 line one\nm3 line one\nm4 line one\nm5 ' ]
		# ids increase
		awk -F'\t' '$1 == "message" { split($2, p, "-"); if (n++ && !(p[1] == a && p[2] > b)) exit 1; a = p[1]; b = p[2] }' \
		    "$BATS_TEST_TMPDIR/$s"
	done
	[ "$(stat_of streams_sse)" -eq 3 ]
	kill "$p1" "$p2" "$pa"
	wait_until 30 stat_is streams_sse 0
}

@test "nginx: /poll/ waits through the proxy for the next message, then polls on from next" {
	start_cometd -w 2 -i 0 -o 60s
	start_nginx
	follow p1 /poll/alice
	wait_until 30 stat_is streams_poll 1
	# still waiting: a long-poll is answered by a message, not by nginx
	alive "$FOLLOW_PID"
	[ "$(pub alice first)" = 201 ]
	wait_until 30 grep -q '"next"' "$BATS_TEST_TMPDIR/p1"
	[[ "$(cat "$BATS_TEST_TMPDIR/p1")" =~ ^\{\"messages\":\[\{\"id\":\"[0-9-]+\",\"data\":\"first\"\}\],\"next\":\"([0-9]+-[0-9]+)\"\}$ ]]
	next=${BASH_REMATCH[1]}
	follow p2 "/poll/alice?since=$next"
	wait_until 30 stat_is streams_poll 1
	[ "$(pub alice second)" = 201 ]
	wait_until 30 grep -q '"next"' "$BATS_TEST_TMPDIR/p2"
	grep -q '"data":"second"' "$BATS_TEST_TMPDIR/p2"
	! grep -q '"data":"first"' "$BATS_TEST_TMPDIR/p2"
}

@test "nginx: /ws/ with python3-websockets over wss: each message before the next publish, then a resume" {
	start_cometd -w 2 -i 0
	start_nginx
	run timeout 120 "$PY" - "$NGINX_PORT" "$(CA)" <<'PYEOF'
import asyncio, json, ssl, sys, urllib.request
import websockets

port, ca = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
base = "127.0.0.1:%s" % port

def publish(i):
    return urllib.request.urlopen(urllib.request.Request(
        "https://%s/send/alice" % base, data=("m%d" % i).encode()),
        context=ctx).status

async def main():
    async with websockets.connect("wss://%s/ws/alice" % base, ssl=ctx) as ws:
        welcome = json.loads(await ws.recv())
        assert welcome["event"] == "welcome", welcome
        for i in range(1, 6):
            assert publish(i) == 201
            m = json.loads(await asyncio.wait_for(ws.recv(), 60))
            assert m["data"] == "m%d" % i, m
            assert ws.open
        last = m["id"]
    # away (202, or 201 while cometd still closes the last socket): the
    # history keeps them
    assert publish(6) in (201, 202)
    assert publish(7) in (201, 202)
    async with websockets.connect("wss://%s/ws/alice?last_event_id=%s" % (base, last), ssl=ctx) as ws:
        assert json.loads(await ws.recv())["event"] == "welcome"
        assert publish(8) == 201
        rest = [json.loads(await asyncio.wait_for(ws.recv(), 60))["data"] for _ in range(3)]
        assert rest == ["m6", "m7", "m8"], rest
        await ws.close()
        assert ws.close_code == 1000, ws.close_code
    print("ok")

asyncio.run(main())
PYEOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = ok ]
}

@test "nginx: resume through the proxy: Last-Event-ID and ?last_event_id= reach cometd" {
	start_cometd -w 2 -i 0
	start_nginx
	sse a /sse/alice
	pub alice m1 >/dev/null
	pub alice m2 >/dev/null
	wait_until 30 count_is a message 2
	last=$(awk -F'\t' '$1 == "message" { id = $2 } END { print id }' "$BATS_TEST_TMPDIR/a")
	kill "$FOLLOW_PID"
	pub alice m3 >/dev/null
	pub alice m4 >/dev/null
	sse b /sse/alice -H "Last-Event-ID: $last"
	pub alice m5 >/dev/null
	wait_until 30 count_is b message 3
	[ "$(awk -F'\t' '$1 == "message" { printf "%s ", $3 }' "$BATS_TEST_TMPDIR/b")" = "m3 m4 m5 " ]
	! grep -q '^lost' "$BATS_TEST_TMPDIR/b"
	sse c "/sse/alice?last_event_id=$last"
	wait_until 30 count_is c message 3
	[ "$(stat_of resumes)" -ge 2 ]
}

@test "nginx: publishing from an allowed address works; from another, nginx answers 403 and cometd sees nothing" {
	start_cometd -w 2 -i 0
	start_nginx
	sse a /sse/alice --interface 127.0.0.2
	# allowed (the example admits loopback): one Id, a batch, everyone
	[ "$(pub alice m1)" = 201 ]
	[ "$(printf 'alice\tm2\nbob\tm3\n' | scurl -o /dev/null -w '%{http_code}' \
	    --data-binary @- "$NGINX_URL/send")" = 201 ]
	[ "$(scurl -o /dev/null -w '%{http_code}' --data-binary m4 "$NGINX_URL/broadcast")" = 201 ]
	wait_until 30 count_is a message 3
	[ "$(scurl -o /dev/null -w '%{http_code}' "$NGINX_URL/stats")" = 200 ]
	in=$(stat_of messages_in)
	# 127.0.0.2 is a subscriber (it reads alice above), not a publisher
	local p
	for p in /send/alice /send /broadcast; do
		run scurl --interface 127.0.0.2 -D - --data-binary "alice	x" "$NGINX_URL$p"
		[[ "${lines[0]}" == "HTTP/"*" 403"* ]]
		grep -qi '^server: nginx' <<<"$output"
	done
	run scurl --interface 127.0.0.2 -o /dev/null -w '%{http_code}' "$NGINX_URL/stats"
	[ "$output" = 403 ]
	# a publish dressed as a subscription: nginx normalizes the path to
	# /sse/a, cometd would read the raw one
	run scurl --interface 127.0.0.2 --path-as-is -o /dev/null -w '%{http_code}' \
	    --data-binary x "$NGINX_URL/send/x/../../sse/a"
	[ "$output" = 403 ]
	run scurl --interface 127.0.0.2 --path-as-is -o /dev/null -w '%{http_code}' \
	    "$NGINX_URL/send/x/../../sse/a"
	[ "$output" = 400 ]
	run scurl --interface 127.0.0.2 -o /dev/null -w '%{http_code}' \
	    -X POST "$NGINX_URL/sse/alice"
	[ "$output" = 403 ]
	[ "$(stat_of messages_in)" -eq "$in" ]
	alive "$FOLLOW_PID"
	count_is a message 3
}

@test "nginx: publishes reuse kept-alive connections to cometd" {
	start_cometd -w 2 -i 0
	start_nginx
	a=$(stat_of accepted)
	local i
	for i in $(seq 1 10); do
		[ "$(pub nobody "m$i")" = 202 ]
	done
	b=$(stat_of accepted)
	# each publish on a fresh connection would be b - a = 11 (the second
	# /stats is one); "Connection: close" to cometd would do that
	echo "cometd accepted $((b - a)) connections"
	[ $((b - a)) -le 5 ]
}

@test "nginx: cometd's heartbeat (-e 1s) keeps idle /sse/ and /ws/ streams open past proxy_read_timeout 3s" {
	start_cometd -w 1 -i 0 -e 1s
	start_nginx 'proxy_read_timeout 5m;' 'proxy_read_timeout 3s;'
	sse a /sse/alice
	local sp=$FOLLOW_PID
	# the client sends no pings of its own: only cometd's keep the socket busy
	"$PY" - "$NGINX_PORT" "$(CA)" >"$BATS_TEST_TMPDIR/ws" 2>&1 3>&- <<'PYEOF' &
import asyncio, json, ssl, sys
import websockets

ctx = ssl.create_default_context(cafile=sys.argv[2])

async def main():
    async with websockets.connect("wss://127.0.0.1:%s/ws/alice" % sys.argv[1],
                                  ssl=ctx, ping_interval=None) as ws:
        print(json.loads(await ws.recv())["event"], flush=True)
        print(json.loads(await ws.recv())["data"], flush=True)

asyncio.run(main())
PYEOF
	local wp=$!
	comet_track "$wp"
	wait_until 30 grep -q '^welcome' "$BATS_TEST_TMPDIR/ws"
	# twice nginx's timeout of silence from cometd's side, but for beats
	sleep 7
	alive "$sp"
	alive "$wp"
	grep -q '^comment' "$BATS_TEST_TMPDIR/a"
	[ "$(pub alice still-here)" = 201 ]
	wait_until 30 count_is a message 1
	wait_until 30 grep -q '^still-here' "$BATS_TEST_TMPDIR/ws"
	! grep -q 'upstream timed out' "$BATS_TEST_TMPDIR/nginx/error.log"
}

@test "nginx: without a heartbeat (-e 0) the same proxy_read_timeout 3s cuts an idle stream" {
	# the control for the test above: the short timeout is in force
	start_cometd -w 1 -i 0 -e 0
	start_nginx 'proxy_read_timeout 5m;' 'proxy_read_timeout 3s;'
	sse a /sse/alice
	wait_until 60 bash -c "! kill -0 $FOLLOW_PID 2>/dev/null"
	grep -q 'upstream timed out' "$BATS_TEST_TMPDIR/nginx/error.log"
}
