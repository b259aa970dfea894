#!/usr/bin/env bats
# cometd's message router: POST /send/<Id>, POST /send (batch),
# POST /broadcast, across workers, with curl as subscriber and publisher;
# plus the router's C unit tests (parsers, index, queue, mailboxes).

bats_require_minimum_version 1.5.0
load helper

# sub ID FILE [curl args]: subscribe to ID in the background, body to
# FILE, and wait for the welcome line.
sub() {
	local id=$1 out=$2
	shift 2
	curl -sN "$@" "$URL/test/$id" >"$out" 2>/dev/null 3>&- &
	comet_track $!
	wait_until 10 grep -q "Your Id: $id" "$out"
}

# pub PATH [curl args]: POST to PATH; sets output to the answer's body
# and then its status code on the last line.
pub() {
	local path=$1
	shift
	run curl -s -w '%{http_code}' "$@" "$URL$path"
}

# answer NAME: a value from the last pub's body.
answer() {
	awk -v n="$1" '$1 == n { print $2 }' <<<"$output"
}

code() {
	echo "${output: -3}"
}

# active: open connections, not counting the /stats request itself.
active() {
	echo $(($(stat_of active) - 1))
}

# Predicates for wait_until, evaluated at every poll.
active_is() {
	[ "$(active)" = "$1" ]
}

recvd_is() {
	[ "$(nrecvd "$1")" = "$2" ]
}

nworkers_is() {
	[ "$(pgrep -P "$COMETD_PID" | wc -l)" -eq "$1" ]
}

# A worker that crashed or a sanitizer report fails the test that caused it.
teardown() {
	comet_teardown
	if [ -f "$BATS_TEST_TMPDIR/cometd.err" ] &&
	    grep -E 'ERROR: AddressSanitizer|runtime error|restarting' \
	    "$BATS_TEST_TMPDIR/cometd.err" >&2; then
		return 1
	fi
}

nrecvd() {
	grep -c "Recvd msg" "$1" || true
}

@test "router: unit tests (batch, body, allow, uidx, outq, mbox)" {
	for t in batch_test body_test allow_test uidx_test outq_test mbox_test
	do
		run "$COMET_BIN/t/$t"
		echo "$t: $output"
		[ "$status" -eq 0 ]
	done
}

@test "router: a message to a reaches both a connections and not b" {
	start_cometd -w 2 -i 0
	sub a "$BATS_TEST_TMPDIR/a1"
	sub a "$BATS_TEST_TMPDIR/a2"
	sub b "$BATS_TEST_TMPDIR/b1"
	pub /send/a --data-binary 'hello there'
	[ "$(code)" = 201 ]
	[ "$(answer deliveries)" = 2 ]
	[ "$(answer messages)" = 1 ]
	wait_until 10 grep -q "^Recvd msg #1: 'hello there'$" "$BATS_TEST_TMPDIR/a1"
	wait_until 10 grep -q "^Recvd msg #1: 'hello there'$" "$BATS_TEST_TMPDIR/a2"
	pub /send/b --data-binary 'for b'
	wait_until 10 grep -q "'for b'" "$BATS_TEST_TMPDIR/b1"
	! grep -q hello "$BATS_TEST_TMPDIR/b1"
	! grep -q "for b" "$BATS_TEST_TMPDIR/a1"
	# -i 0: messages only, no periodic chunks
	! grep -q '^Chunk' "$BATS_TEST_TMPDIR/a1"
}

@test "router: the chunk counter is shared with Chunk N, framing is exact" {
	start_cometd -w 1 -i 100ms
	curl -sN --raw "$URL/test/n" >"$BATS_TEST_TMPDIR/raw" 2>/dev/null 3>&- &
	comet_track $!
	wait_until 10 grep -q "Chunk 2 for id n" "$BATS_TEST_TMPDIR/raw"
	pub /send/n --data-binary 'msg'
	wait_until 10 grep -q "Recvd msg" "$BATS_TEST_TMPDIR/raw"
	# the message is one chunk, numbered after the chunks before it
	n=$(grep -o 'Recvd msg #[0-9]*' "$BATS_TEST_TMPDIR/raw" | tr -dc 0-9)
	grep -q "Chunk $((n - 1)) for id n" "$BATS_TEST_TMPDIR/raw"
	wait_until 10 grep -q "Chunk $((n + 1)) for id n" "$BATS_TEST_TMPDIR/raw"
	grep -a -B1 "Recvd msg #$n: 'msg'" "$BATS_TEST_TMPDIR/raw" |
	    head -1 | grep -q "^$(printf '%x' $((${#n} + 19)))"$'\r$'
}

@test "router: Ids owned by every worker are reached from any worker (-w 4)" {
	start_cometd -w 4 -i 0
	# by FNV-1a % 4, w1..w8 are owned by workers 1 0 3 2 1 0 3 2
	for i in 1 2 3 4 5 6 7 8; do
		sub "w$i" "$BATS_TEST_TMPDIR/w$i"
	done
	[ "$(stat_of handoffs)" -gt 0 ]
	for i in 1 2 3 4 5 6 7 8; do
		pub "/send/w$i" --data-binary "to w$i"
		[ "$(code)" = 201 ]
		[ "$(answer deliveries)" = 1 ]
	done
	for i in 1 2 3 4 5 6 7 8; do
		wait_until 10 grep -q "^Recvd msg #1: 'to w$i'$" "$BATS_TEST_TMPDIR/w$i"
		[ "$(nrecvd "$BATS_TEST_TMPDIR/w$i")" = 1 ]
	done
	[ "$(active)" = 8 ]
}

@test "router: batch form, final line without newline, malformed lines counted" {
	start_cometd -w 4 -i 0
	sub w1 "$BATS_TEST_TMPDIR/w1"
	sub w2 "$BATS_TEST_TMPDIR/w2"
	sub w2 "$BATS_TEST_TMPDIR/w2b"
	printf 'w1\tone\nw2\ttwo\nnobody\tlost\nno tab here\n\nw1\tthree' >"$BATS_TEST_TMPDIR/batch"
	pub /send --data-binary "@$BATS_TEST_TMPDIR/batch"
	[ "$(code)" = 201 ]
	[ "$(answer messages)" = 4 ]
	[ "$(answer deliveries)" = 4 ]
	[ "$(answer no_subscriber)" = 1 ]
	[ "$(answer malformed)" = 1 ]
	wait_until 10 grep -q "^Recvd msg #2: 'three'$" "$BATS_TEST_TMPDIR/w1"
	grep -q "^Recvd msg #1: 'one'$" "$BATS_TEST_TMPDIR/w1"
	wait_until 10 grep -q "^Recvd msg #1: 'two'$" "$BATS_TEST_TMPDIR/w2b"
	grep -q "^Recvd msg #1: 'two'$" "$BATS_TEST_TMPDIR/w2"
	# the same body with chunked transfer coding
	pub /send -H 'Transfer-Encoding: chunked' --data-binary "@$BATS_TEST_TMPDIR/batch"
	[ "$(code)" = 201 ]
	[ "$(answer deliveries)" = 4 ]
	wait_until 10 grep -q "^Recvd msg #4: 'three'$" "$BATS_TEST_TMPDIR/w1"
}

@test "router: broadcast reaches every connection on every worker" {
	start_cometd -w 4 -i 0
	for i in 1 2 3 4 5 6; do
		sub "w$i" "$BATS_TEST_TMPDIR/w$i"
	done
	pub /broadcast --data-binary 'to all'
	[ "$(code)" = 201 ]
	[ "$(answer deliveries)" = 6 ]
	for i in 1 2 3 4 5 6; do
		wait_until 10 grep -q "^Recvd msg #1: 'to all'$" "$BATS_TEST_TMPDIR/w$i"
	done
}

@test "router: nobody subscribed is 202, and counted as no_subscriber" {
	start_cometd -w 2 -i 0
	pub /send/nobody --data-binary 'x'
	[ "$(code)" = 202 ]
	[ "$(answer deliveries)" = 0 ]
	[ "$(answer no_subscriber)" = 1 ]
	pub /broadcast --data-binary 'x'
	[ "$(code)" = 202 ]
	[ "$(stat_of messages_in)" = 2 ]
	[ "$(stat_of no_subscriber)" = 2 ]
	[ "$(stat_of deliveries)" = 0 ]
}

@test "router: a message over the cap is 413, an empty one 400" {
	start_cometd -w 2 -i 0 -z 100
	sub a "$BATS_TEST_TMPDIR/a"
	pub /send/a --data-binary "$(printf '%0101d' 0)"
	[ "$(code)" = 413 ]
	pub /send/a -H 'Transfer-Encoding: chunked' --data-binary "$(printf '%0101d' 0)"
	[ "$(code)" = 413 ]
	pub /broadcast --data-binary "$(printf '%0101d' 0)"
	[ "$(code)" = 413 ]
	pub /send/a --data-binary ''
	[ "$(code)" = 400 ]
	pub /send/a --data-binary "$(printf '%0100d' 7)"
	[ "$(code)" = 201 ]
	wait_until 10 grep -q "^Recvd msg #1: '0*7'$" "$BATS_TEST_TMPDIR/a"
	[ "$(nrecvd "$BATS_TEST_TMPDIR/a")" = 1 ]
	# in a batch an over-long line is one malformed line, not a 413
	printf 'a\t%0101d\na\tok\n' 0 >"$BATS_TEST_TMPDIR/batch"
	pub /send --data-binary "@$BATS_TEST_TMPDIR/batch"
	[ "$(code)" = 201 ]
	[ "$(answer malformed)" = 1 ]
	[ "$(answer deliveries)" = 1 ]
}

@test "router: the default cap is 64 KB" {
	start_cometd -w 1 -i 0
	head -c 65536 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/64k"
	pub /send/a --data-binary "@$BATS_TEST_TMPDIR/64k"
	[ "$(code)" = 202 ]
	echo y >>"$BATS_TEST_TMPDIR/64k"
	pub /send/a --data-binary "@$BATS_TEST_TMPDIR/64k"
	[ "$(code)" = 413 ]
}

@test "router: only allowed addresses may publish (403)" {
	start_cometd -w 2 -i 0 -a 127.0.0.2
	sub a "$BATS_TEST_TMPDIR/a"
	pub /send/a --data-binary 'nope'
	[ "$(code)" = 403 ]
	pub /broadcast --data-binary 'nope'
	[ "$(code)" = 403 ]
	pub /send --data-binary $'a\tnope'
	[ "$(code)" = 403 ]
	pub /send/a --interface 127.0.0.2 --data-binary 'yes'
	[ "$(code)" = 201 ]
	wait_until 10 grep -q "'yes'" "$BATS_TEST_TMPDIR/a"
	! grep -q nope "$BATS_TEST_TMPDIR/a"
	# subscribing stays open to everyone
	[ "$(active)" = 1 ]
}

@test "router: a closed connection is logged out at once" {
	start_cometd -w 2 -i 0
	sub gone "$BATS_TEST_TMPDIR/g"
	pid=$(tail -1 "$BATS_TEST_TMPDIR/pids")
	pub /send/gone --data-binary 'first'
	[ "$(answer deliveries)" = 1 ]
	kill "$pid"
	wait_until 10 active_is 0
	pub /send/gone --data-binary 'second'
	[ "$(code)" = 202 ]
	[ "$(answer deliveries)" = 0 ]
}

@test "router: HTTP/1.0 streams get messages unchunked" {
	start_cometd -w 2 -i 0
	sub old "$BATS_TEST_TMPDIR/old" --http1.0
	pub /send/old --data-binary 'plain'
	wait_until 10 grep -q "^Recvd msg #1: 'plain'$" "$BATS_TEST_TMPDIR/old"
}

@test "router: 1,000 messages to one Id arrive in order" {
	start_cometd -w 4 -i 0
	sub o "$BATS_TEST_TMPDIR/o"
	sub o "$BATS_TEST_TMPDIR/o2"
	seq 1 1000 | awk '{ printf "o\tm%d\n", $1 }' >"$BATS_TEST_TMPDIR/batch"
	pub /send --data-binary "@$BATS_TEST_TMPDIR/batch"
	[ "$(answer deliveries)" = 2000 ]
	for f in o o2; do
		wait_until 10 grep -q "'m1000'" "$BATS_TEST_TMPDIR/$f"
		seq 1 1000 | awk '{ printf "Recvd msg #%d: '"'"'m%d'"'"'\n", $1, $1 }' |
		    cmp - <(grep Recvd "$BATS_TEST_TMPDIR/$f")
	done
}

@test "router: a client that stops reading is dropped, others keep receiving" {
	start_cometd -w 2 -i 0 -q 16
	sub slow "$BATS_TEST_TMPDIR/good"
	# a subscriber that never reads after its request
	(exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	 printf 'GET /test/slow HTTP/1.1\r\nHost: x\r\n\r\n' >&5
	 exec sleep 60) 3>&- &
	comet_track $!
	wait_until 10 active_is 2
	head -c 60000 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/big"
	for i in $(seq 1 20); do
		printf 'slow\t%s\n' "$(cat "$BATS_TEST_TMPDIR/big")"
	done >"$BATS_TEST_TMPDIR/batch"
	# 20 rounds of 1.2 MB: the reader keeps up, the other one fills
	# its kernel buffers, then its queue of 16, and is dropped
	for i in $(seq 1 20); do
		pub /send --data-binary "@$BATS_TEST_TMPDIR/batch"
		[ "$(answer messages)" = 20 ]
		wait_until 20 recvd_is "$BATS_TEST_TMPDIR/good" $((i * 20))
	done
	[ "$(stat_of dropped_slow)" = 1 ]
	[ "$(active)" = 1 ]
	pub /send/slow --data-binary 'still here'
	[ "$(answer deliveries)" = 1 ]
}

@test "router: 2,000 cometflood connections over -w 4: batch and broadcast reach all" {
	start_cometd -w 4 -i 0
	# the binary itself, not the timeout wrapper, so that teardown's
	# SIGTERM reaches it; -d bounds its life if teardown never runs
	cometgen -a 127.0.0.1 -p "$PORT" 2000 |
	    "$COMET_BIN/cometflood" -w 0 -r 100ms -d 30 \
	    >"$BATS_TEST_TMPDIR/flood" 2>"$BATS_TEST_TMPDIR/flood.err" 3>&- &
	comet_track $!
	wait_until 20 active_is 2000
	[ "$(stat_of handoffs)" -gt 0 ]
	seq 1 2000 | awk '{ printf "%d\tm%d\n", $1, $1 }' >"$BATS_TEST_TMPDIR/batch"
	pub /send --data-binary "@$BATS_TEST_TMPDIR/batch"
	[ "$(answer deliveries)" = 2000 ]
	pub /broadcast --data-binary 'all'
	[ "$(answer deliveries)" = 2000 ]
	# cometflood counts every chunk: welcome, message, broadcast
	wait_until 20 grep -q '^Stats: {2000,0,6000}$' "$BATS_TEST_TMPDIR/flood"
}

@test "router: a worker killed with SIGKILL comes back owning its Ids" {
	start_cometd -w 2 -i 0
	wait_until 5 nworkers_is 2
	kill -KILL "$(pgrep -P "$COMETD_PID" | head -1)"
	wait_until 10 grep -q "restarting" "$BATS_TEST_TMPDIR/cometd.err"
	wait_until 10 nworkers_is 2
	# a and b are owned by different workers (FNV-1a % 2 is 0 and 1)
	sub a "$BATS_TEST_TMPDIR/a"
	sub b "$BATS_TEST_TMPDIR/b"
	printf 'a\tafter\nb\tafter\n' >"$BATS_TEST_TMPDIR/batch"
	pub /send --data-binary "@$BATS_TEST_TMPDIR/batch"
	[ "$(answer deliveries)" = 2 ]
	wait_until 10 grep -q "'after'" "$BATS_TEST_TMPDIR/a"
	wait_until 10 grep -q "'after'" "$BATS_TEST_TMPDIR/b"
	: >"$BATS_TEST_TMPDIR/cometd.err"
}

@test "router: bad router options exit 2 and name the value" {
	run --separate-stderr cometd -a 300.1.1.1
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometd: -a 300.1.1.1: not an address or address/prefix"$'\n'* ]]
	run --separate-stderr cometd -q 0
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometd: -q 0: must be 1 to 1000000"$'\n'* ]]
	run --separate-stderr cometd -z 0
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometd: -z 0: must be 1 to 65536"$'\n'* ]]
}
