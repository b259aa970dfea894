#!/usr/bin/env bats
# cometd nodes sharing their subscribers through Redis (cometd -r): a real
# redis-server on a free loopback port with no persistence, three cometd
# nodes, curl, t/sseparse and python3-websockets as subscribers spread
# over them.  Faults: Redis stopped and started again, a node killed, a
# node started before Redis.  Never a fixed sleep: every wait is for the
# state the test asserts next.

bats_require_minimum_version 1.5.0
load helper

SSEPARSE=$COMET_BIN/t/sseparse
PY=/usr/bin/python3
command -v redis-server >/dev/null || {
	echo "65-cluster: redis-server is missing (t/deps.sh installs it)" >&2
	exit 1
}

declare -a NPORT NPID

# redis_start [PORT]: redis-server on 127.0.0.1, a free port unless one
# is given, no persistence, its files in the test's directory; sets RPORT
# and RPID.
redis_start() {
	local try i port
	for try in $(seq 1 20); do
		port=${1:-$((20000 + RANDOM % 20000))}
		redis-server --port "$port" --bind 127.0.0.1 --save '' \
		    --appendonly no --dir "$BATS_TEST_TMPDIR" \
		    --logfile "$BATS_TEST_TMPDIR/redis.log" 3>&- &
		RPID=$!
		comet_track "$RPID"
		for i in $(seq 1 200); do
			if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then
				RPORT=$port
				return 0
			fi
			kill -0 "$RPID" 2>/dev/null || break
			sleep 0.05
		done
		[ -z "${1:-}" ] || break
	done
	echo "redis-server did not start" >&2
	cat "$BATS_TEST_TMPDIR/redis.log" >&2
	return 1
}

# redis_stop: stop the Redis server and wait until it is gone.
redis_stop() {
	kill -TERM "$RPID"
	wait_until 20 bash -c "! kill -0 $RPID 2>/dev/null"
}

rcli() {
	redis-cli -p "$RPORT" "$@"
}

# numsub_is CHANNEL N: N worker links subscribe CHANNEL.
numsub_is() {
	[ "$(rcli pubsub numsub "$1" | sed -n 2p)" = "$2" ]
}

# node_start N [args]: cometd node N (-w 2 -i 0, Redis at RPORT);
# sets NPORT[N] and NPID[N].  node N waits for its link too.
node_start() {
	local n=$1 err=$BATS_TEST_TMPDIR/node$1.err i port=
	shift
	: >"$err"
	"$COMET_BIN/cometd" -l 127.0.0.1 -p 0 -w 2 -i 0 \
	    -r "127.0.0.1:$RPORT" "$@" 2>"$err" 3>&- &
	NPID[$n]=$!
	comet_track $!
	for i in $(seq 1 200); do
		port=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' "$err" | head -1)
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || { cat "$err" >&2; return 1; }
	NPORT[$n]=$port
	wait_for_port "$port"
}

node() {
	node_start "$@"
	wait_until 20 up "$1"
}

url() {
	echo "http://127.0.0.1:${NPORT[$1]}"
}

# nstat N NAME: one value of node N's /stats.
nstat() {
	curl -s "$(url "$1")/stats" | awk -v n="$2" '$1 == n { print $2 }'
}

nstat_is() {
	[ "$(nstat "$1" "$2")" = "$3" ]
}

# up N: every worker of node N has its link to Redis.
up() {
	[ "$(nstat "$1" redis_up)" = 1 ]
}

down() {
	[ "$(nstat "$1" redis_up)" = 0 ]
}

# pub N ID MSG: publish on node N; prints the status code.
pub() {
	curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' \
	    --data-binary "$3" "$(url "$1")/send/$2"
}

pub_is() {
	[ "$(pub "$1" "$2" "$3")" = "$4" ]
}

# sse NAME N PATH [curl args]: subscribe on node N in the background;
# events go to $BATS_TEST_TMPDIR/NAME (type<TAB>id<TAB>data) and curl's
# PID to SSE_PID.  Waits for the welcome: the Id is subscribed then.
sse() {
	local name=$1 n=$2 path=$3 fifo=$BATS_TEST_TMPDIR/$1.fifo
	shift 3
	mkfifo "$fifo"
	"$SSEPARSE" <"$fifo" >"$BATS_TEST_TMPDIR/$name" 3>&- &
	comet_track $!
	curl -sN "$@" "$(url "$n")$path" >"$fifo" 3>&- &
	SSE_PID=$!
	comet_track "$SSE_PID"
	wait_until 20 grep -qs "^welcome" "$BATS_TEST_TMPDIR/$name"
}

# chunked NAME N ID: the seed's stream of ID on node N, to file NAME.
chunked() {
	curl -sN "$(url "$2")/test/$3" >"$BATS_TEST_TMPDIR/$1" 3>&- &
	comet_track $!
	wait_until 20 grep -q "Your Id: $3" "$BATS_TEST_TMPDIR/$1"
}

# ws NAME N ID: python3-websockets on node N; each message's data a line.
ws() {
	cat >"$BATS_TEST_TMPDIR/ws.py" <<'PYEOF'
import asyncio, json, sys
import websockets

async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        with open(sys.argv[2], "w") as out:
            while True:
                m = json.loads(await ws.recv())
                out.write("%s %s\n" % (m.get("event", "message"),
                    m["data"] if "data" in m else json.dumps(m)))
                out.flush()

asyncio.run(main())
PYEOF
	"$PY" "$BATS_TEST_TMPDIR/ws.py" "ws://127.0.0.1:${NPORT[$2]}/ws/$3" \
	    "$BATS_TEST_TMPDIR/$1" 3>&- &
	comet_track $!
	wait_until 20 grep -qs "^welcome" "$BATS_TEST_TMPDIR/$1"
}

# got NAME: the messages a subscriber got, in order, space-separated,
# whatever its format.
got() {
	local f=$BATS_TEST_TMPDIR/$1
	if grep -q "^welcome	" "$f"; then
		awk -F'\t' '$1 == "message" { printf "%s ", $3 }' "$f"
	elif grep -q "^welcome " "$f"; then
		awk '$1 == "message" { printf "%s ", $2 }' "$f"
	else
		sed -n "s/^Recvd msg #[0-9]*: '\(.*\)'$/\1/p" "$f" | tr '\n' ' '
	fi
}

got_is() {
	[ "$(got "$1")" = "$2" ]
}

# answer NAME: a value from the last publish's answer.
answer() {
	awk -v n="$1" '$1 == n { print $2 }' "$BATS_TEST_TMPDIR/answer"
}

# afters_are NAME LIST: the "afterN" messages NAME got are LIST.
afters_are() {
	[ "$(grep -o 'after[0-9]*' "$BATS_TEST_TMPDIR/$1" | tr '\n' ' ')" = "$2" ]
}

# A crash or a sanitizer report in any node fails the test that caused it.
teardown() {
	comet_teardown
	if cat "$BATS_TEST_TMPDIR"/node*.err 2>/dev/null |
	    grep -E 'ERROR: AddressSanitizer|runtime error|restarting' >&2; then
		return 1
	fi
}

@test "cluster: unit tests (Redis's replies as the cluster reads them, the Redis link)" {
	for t in cluster_test redis_test; do
		run "$COMET_BIN/t/$t"
		echo "$t: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "$t: ok" ]
	done
}

@test "cluster: -r takes host[:port]; anything else is a usage error" {
	local bad
	for bad in '' ':6379' '127.0.0.1:0' '127.0.0.1:65536' '127.0.0.1:x' \
	    '[::1' 'no-such-host.invalid'; do
		run -2 --separate-stderr cometd -r "$bad"
		[[ "$stderr" == *"-r $bad: "* ]]
	done
	# alone, /stats says nothing of Redis
	start_cometd -w 1 -i 0
	! curl -s "$URL/stats" | grep -q redis
}

@test "cluster: publishes on every node reach each subscriber of the Id once, in order, whatever its format" {
	redis_start
	node 1
	node 2
	node 3
	sse a1 1 /sse/alice
	sse a2 2 /sse/alice
	chunked a3 3 alice
	ws a4 2 alice
	sse b1 1 /sse/bob
	local i want=
	for i in $(seq 1 12); do
		[ "$(pub $((i % 3 + 1)) alice "m$i")" = 201 ]
		want="${want}m$i "
	done
	for s in a1 a2 a3 a4; do
		wait_until 20 got_is "$s" "$want"
	done
	# the answer counts worker links: alice is held on three nodes
	[ "$(pub 1 alice last)" = 201 ]
	[ "$(answer deliveries)" = 3 ]
	[ "$(pub 2 nobody x)" = 202 ]
	[ "$(answer no_subscriber)" = 1 ]
	[ -z "$(got b1)" ]
	# ids are Redis stream ids, the same on every node
	wait_until 20 got_is a2 "${want}last "
	wait_until 20 got_is a1 "${want}last "
	cmp <(cut -f2 "$BATS_TEST_TMPDIR/a1" | tail -n +2) \
	    <(cut -f2 "$BATS_TEST_TMPDIR/a2" | tail -n +2)
	[ "$(rcli xlen comet:h:alice)" = 13 ]
}

@test "cluster: a batch and a broadcast reach subscribers on every node" {
	redis_start
	node 1
	node 2
	node 3
	sse a 1 /sse/alice
	sse b 2 /sse/bob
	chunked c 3 carol
	printf 'alice\ta1\nbob\tb1\ncarol\tc1\nalice\ta2\nbob\tb2\nnone\tz\n' |
	    curl -s -o "$BATS_TEST_TMPDIR/answer" --data-binary @- "$(url 2)/send"
	[ "$(answer messages)" = 6 ]
	[ "$(answer no_subscriber)" = 1 ]
	wait_until 20 got_is a "a1 a2 "
	wait_until 20 got_is b "b1 b2 "
	wait_until 20 got_is c "c1 "
	[ "$(curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' \
	    --data-binary 'to all' "$(url 3)/broadcast")" = 201 ]
	wait_until 20 got_is a "a1 a2 to all "
	wait_until 20 got_is b "b1 b2 to all "
	wait_until 20 got_is c "c1 to all "
	# a broadcast carries no id, and is not kept
	[ "$(awk -F'\t' '$3 == "to all" { print $2 }' "$BATS_TEST_TMPDIR/a")" = \
	    "$(awk -F'\t' '$3 == "a2" { print $2 }' "$BATS_TEST_TMPDIR/a")" ]
}

@test "cluster: one cometgen spreads one cometflood over three nodes; a batch on one node and a broadcast reach all" {
	redis_start
	node 1
	node 2
	node 3
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "${NPORT[1]}" -p "${NPORT[2]}" \
	    -p "${NPORT[3]}" 600 |
	    "$COMET_BIN/cometflood" -w 0 -r 100ms -d 60 \
	    >"$BATS_TEST_TMPDIR/flood" 2>"$BATS_TEST_TMPDIR/flood.err" 3>&- &
	comet_track $!
	# 200 each, and the /stats request that asks
	wait_until 30 nstat_is 1 active 201
	wait_until 30 nstat_is 2 active 201
	wait_until 30 nstat_is 3 active 201
	# every Id is subscribed by exactly one node: ids 1, 2, 3 on 1, 2, 3
	wait_until 20 numsub_is comet:m:1 1
	wait_until 20 numsub_is comet:m:600 1
	seq 1 600 | awk '{ printf "%d\tm%d\n", $1, $1 }' |
	    curl -s -o "$BATS_TEST_TMPDIR/answer" --data-binary @- "$(url 2)/send"
	[ "$(answer messages)" = 600 ]
	[ "$(answer no_subscriber)" = 0 ]
	[ "$(curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' \
	    --data-binary 'to all' "$(url 3)/broadcast")" = 201 ]
	# cometflood counts every chunk: welcome, message, broadcast
	wait_until 30 grep -q '^Stats: {600,0,1800}$' "$BATS_TEST_TMPDIR/flood"
	for n in 1 2 3; do
		[ "$(nstat "$n" deliveries)" -eq 400 ]
	done
}

@test "cluster: a subscriber that comes back on another node with Last-Event-ID gets exactly what it missed" {
	redis_start
	node 1
	node 2
	node 3
	sse a 1 /sse/alice
	pub 1 alice m1 >/dev/null
	pub 3 alice m2 >/dev/null
	wait_until 20 got_is a "m1 m2 "
	last=$(awk -F'\t' '$1 == "message" { id = $2 } END { print id }' \
	    "$BATS_TEST_TMPDIR/a")
	kill "$SSE_PID"
	pub 3 alice m3 >/dev/null
	pub 1 alice m4 >/dev/null
	sse b 2 /sse/alice -H "Last-Event-ID: $last"
	pub 3 alice m5 >/dev/null
	wait_until 20 got_is b "m3 m4 m5 "
	! grep -q '^lost' "$BATS_TEST_TMPDIR/b"
	# the same from the query, and through long-poll on the third node
	sse c 3 "/sse/alice?last_event_id=$last"
	wait_until 20 got_is c "m3 m4 m5 "
	run curl -s --max-time 20 "$(url 3)/poll/alice?since=$last"
	python3 -c 'import json,sys; d = json.loads(sys.argv[1]); assert [m["data"] for m in d["messages"]] == ["m3", "m4", "m5"], d' "$output"
	# the welcome's position resumes too: a stream that got nothing
	sse d 1 /sse/dave
	pos=$(awk -F'\t' '$1 == "welcome" { print $2 }' "$BATS_TEST_TMPDIR/d")
	kill "$SSE_PID"
	pub 2 dave away >/dev/null
	sse e 3 /sse/dave -H "Last-Event-ID: $pos"
	wait_until 20 got_is e "away "
	[ "$(nstat 2 resumes)" -ge 1 ]
}

@test "cluster: a resume older than what Redis keeps (-k) is told messages were lost" {
	redis_start
	node 1 -k 2
	node 2 -k 2
	sse a 1 /sse/alice
	pub 1 alice m1 >/dev/null
	wait_until 20 got_is a "m1 "
	last=$(awk -F'\t' '$1 == "message" { print $2 }' "$BATS_TEST_TMPDIR/a")
	kill "$SSE_PID"
	for i in 2 3 4 5 6; do pub 2 alice "m$i" >/dev/null; done
	sse b 2 /sse/alice -H "Last-Event-ID: $last"
	wait_until 20 got_is b "m5 m6 "
	grep -q "^lost.*\"last_event_id\":\"$last\",\"reason\":\"evicted\"" \
	    "$BATS_TEST_TMPDIR/b"
	# an id from before this Redis served cometd: reset
	sse c 1 /sse/alice -H "Last-Event-ID: 5-5"
	wait_until 20 grep -q '^lost.*"reason":"reset"' "$BATS_TEST_TMPDIR/c"
	wait_until 20 got_is c "m5 m6 "
}

@test "cluster: long-poll waits on one node for a message published on another" {
	redis_start
	node 1
	node 2
	curl -s --max-time 30 "$(url 2)/poll/alice" >"$BATS_TEST_TMPDIR/p" 3>&- &
	comet_track $!
	wait_until 20 nstat_is 2 streams_poll 1
	wait_until 20 numsub_is comet:m:alice 1
	[ "$(pub 1 alice hello)" = 201 ]
	wait_until 20 grep -q '"next"' "$BATS_TEST_TMPDIR/p"
	grep -q '{"messages":\[{"id":"[0-9-]*","data":"hello"}\],"next":"[0-9-]*"}' \
	    "$BATS_TEST_TMPDIR/p"
}

@test "cluster: one channel per Id held, subscribed from its first stream to its last; a node gets only what it holds" {
	redis_start
	node 1
	node 2
	sse a 1 /sse/alice
	a=$SSE_PID
	sse b 1 /sse/alice
	b=$SSE_PID
	[ "$(rcli pubsub numsub comet:m:alice | sed -n 2p)" = 1 ]
	sse c 2 /sse/carol
	in1=$(nstat 1 redis_in)
	for i in 1 2 3; do pub 2 carol "c$i" >/dev/null; done
	wait_until 20 got_is c "c1 c2 c3 "
	[ "$(nstat 1 redis_in)" = "$in1" ]
	[ "$(nstat 2 redis_in)" -ge 3 ]
	kill "$a"
	wait_until 20 nstat_is 1 streams_sse 1
	numsub_is comet:m:alice 1
	kill "$b"
	wait_until 20 numsub_is comet:m:alice 0
	[ "$(pub 2 alice gone)" = 202 ]
}

@test "cluster: Redis stopped: publishes get 503, streams stay open; started again: subscriptions back, nothing after lost" {
	redis_start
	node 1 -i 200ms
	node 2 -i 200ms
	node 3 -i 200ms
	sse a 1 /sse/alice
	sse b 2 /sse/alice
	chunked c 3 alice
	pub 2 alice before >/dev/null
	wait_until 20 got_is c "before "
	redis_stop
	for n in 1 2 3; do wait_until 20 down "$n"; done
	[ "$(pub 1 alice during)" = 503 ]
	[ "$(cat "$BATS_TEST_TMPDIR/answer")" = "503 Service Unavailable: no link to redis: 1 of 1 messages not published" ]
	[ "$(nstat 1 redis_lost_publishes)" -ge 1 ]
	# the streams go on: their periodic chunks still come
	n=$(count_of '^chunk' "$BATS_TEST_TMPDIR/a")
	wait_until 20 bash -c "[ \$(grep -c '^chunk' $BATS_TEST_TMPDIR/a) -gt $n ]"
	# one line per worker when the link went down, not one per publish
	[ "$(grep -c 'link down' "$BATS_TEST_TMPDIR/node1.err")" = 2 ]
	redis_start "$RPORT"
	wait_until 30 pub_is 1 alice probe 201
	for n in 1 2 3; do wait_until 20 up "$n"; done
	wait_until 20 numsub_is comet:m:alice 3
	for i in 1 2 3 4; do
		[ "$(pub $((i % 3 + 1)) alice "after$i")" = 201 ]
	done
	for s in a b c; do
		wait_until 20 afters_are "$s" "after1 after2 after3 after4 "
		! grep -q during "$BATS_TEST_TMPDIR/$s"
	done
	[ "$(nstat 1 redis_reconnects)" -ge 2 ]
}

@test "cluster: a node killed mid-run does not disturb the other nodes' subscribers" {
	redis_start
	node 1
	node 2
	node 3
	sse a 1 /sse/alice
	sse b 2 /sse/alice
	sse c 3 /sse/alice
	[ "$(pub 1 alice m1)" = 201 ]
	wait_until 20 got_is a "m1 "
	# the whole node: its parent first, so that nothing is restarted
	local p workers
	workers=$(pgrep -P "${NPID[2]}")
	kill -KILL "${NPID[2]}"
	for p in $workers; do
		kill -KILL "$p" 2>/dev/null || true
	done
	wait_until 20 numsub_is comet:m:alice 2
	[ "$(pub 1 alice m2)" = 201 ]
	[ "$(answer deliveries)" = 2 ]
	[ "$(pub 3 alice m3)" = 201 ]
	wait_until 20 got_is a "m1 m2 m3 "
	wait_until 20 got_is c "m1 m2 m3 "
	[ "$(got b)" = "m1 " ]
	up 1
	up 3
}

@test "cluster: a node started while Redis is down serves, and joins when Redis appears" {
	redis_start
	port=$RPORT
	redis_stop
	# -t: the resume below waits for Redis longer than the backoff
	node_start 1 -t 60s
	down 1
	# fresh streams start at once; a resume waits for Redis
	sse a 1 /sse/alice
	curl -sN -H 'Last-Event-ID: 5-5' "$(url 1)/sse/alice" \
	    >"$BATS_TEST_TMPDIR/held" 3>&- &
	comet_track $!
	[ "$(pub 1 alice early)" = 503 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$(url 1)/stats")" = 200 ]
	[ ! -s "$BATS_TEST_TMPDIR/held" ]
	redis_start "$port"
	wait_until 20 up 1
	wait_until 20 grep -q 'event: welcome' "$BATS_TEST_TMPDIR/held"
	wait_until 20 numsub_is comet:m:alice 1
	[ "$(pub 1 alice joined)" = 201 ]
	wait_until 20 got_is a "joined "
	wait_until 20 grep -q 'data: joined' "$BATS_TEST_TMPDIR/held"
	grep -q '"reason":"reset"' "$BATS_TEST_TMPDIR/held"
	! grep -q early "$BATS_TEST_TMPDIR/held"
}

@test "cluster: subscribers joining and resuming on every node while an Id is hammered miss nothing, repeat nothing" {
	redis_start
	node 1
	node 2
	node 3
	local i n=9
	# a publisher that never stops, on node 1: one numbered message a POST
	( i=0; while :; do i=$((i + 1));
	    curl -s -o /dev/null --data-binary "$i" "$(url 1)/send/hot" || exit 0; done ) 3>&- &
	comet_track $!
	for i in $(seq 1 $n); do
		(exec curl -sN "$(url $((i % 3 + 1)))/sse/hot" 3>&- | "$SSEPARSE" -n 30 \
		    >"$BATS_TEST_TMPDIR/s$i") 3>&- &
		comet_track $!
	done
	for i in $(seq 1 $n); do
		wait_until 60 bash -c "[ \$(grep -c '^message' $BATS_TEST_TMPDIR/s$i) -ge 29 ]"
	done
	# each comes back on the next node from its last id, and goes on
	for i in $(seq 1 $n); do
		last=$(awk -F'\t' '$1 == "message" { id = $2 } END { print id }' \
		    "$BATS_TEST_TMPDIR/s$i")
		(exec curl -sN -H "Last-Event-ID: $last" \
		    "$(url $(((i + 1) % 3 + 1)))/sse/hot" 3>&- | "$SSEPARSE" -n 20 |
		    grep -v '^welcome' >>"$BATS_TEST_TMPDIR/s$i") 3>&- &
		comet_track $!
	done
	for i in $(seq 1 $n); do
		wait_until 60 bash -c "[ \$(grep -c '^message' $BATS_TEST_TMPDIR/s$i) -ge 48 ]"
	done
	# each subscriber's numbers run on without a gap or a repeat
	for i in $(seq 1 $n); do
		! grep -q '^lost' "$BATS_TEST_TMPDIR/s$i"
		awk -F'\t' '$1 == "message" { if (p != "" && $3 != p + 1) { print "gap after " p ": " $3; exit 1 } p = $3 }' \
		    "$BATS_TEST_TMPDIR/s$i"
	done
}

@test "cluster: /metrics shows the Redis link, and promtool accepts it" {
	redis_start
	node 1 -i 0
	wait_until 20 bash -c "curl -s '$(url 1)/metrics' | grep -q '^cometd_redis_up{worker=\"0\"} 1$'"
	curl -s "$(url 1)/metrics" >"$BATS_TEST_TMPDIR/metrics"
	run promtool check metrics <"$BATS_TEST_TMPDIR/metrics"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^# TYPE cometd_redis_lost_publishes_total counter$' "$BATS_TEST_TMPDIR/metrics"
}
