#!/usr/bin/env bats
# cometd for browsers: EventSource streams, message ids, the history,
# resume without loss (Last-Event-ID), loss notices, long-poll.  curl is
# the client, t/sseparse (WHATWG event-stream parsing) reads the events.

bats_require_minimum_version 1.5.0
load helper

SSEPARSE=$COMET_BIN/t/sseparse

# sse NAME PATH [curl args]: subscribe in the background; events parsed
# into $BATS_TEST_TMPDIR/NAME (type<TAB>id<TAB>data); SSE_PID is curl's.
sse() {
	local name=$1 path=$2 fifo=$BATS_TEST_TMPDIR/$1.fifo
	shift 2
	mkfifo "$fifo"
	"$SSEPARSE" -c <"$fifo" >"$BATS_TEST_TMPDIR/$name" 3>&- &
	comet_track $!
	curl -sN "$@" "$URL$path" >"$fifo" 3>&- &
	SSE_PID=$!
	comet_track "$SSE_PID"
	wait_until 10 grep -q "^welcome" "$BATS_TEST_TMPDIR/$name"
}

# has NAME TEXT: the events in NAME include a line with TEXT.
has() {
	grep -qF -- "$2" "$BATS_TEST_TMPDIR/$1"
}

# count NAME TYPE: how many events of TYPE (0 is a count, not a failure).
count() {
	awk -F'\t' -v t="$2" '$1 == t { n++ } END { print n + 0 }' \
	    "$BATS_TEST_TMPDIR/$1"
}

count_is() {
	[ "$(count "$1" "$2")" -eq "$3" ]
}

pub() {
	curl -s -o /dev/null -w '%{http_code}' --data-binary "$2" \
	    "$URL/send/$1"
}

# lastid NAME: the id of the last message event in NAME.
lastid() {
	awk -F'\t' '$1 == "message" { id = $2 } END { print id }' \
	    "$BATS_TEST_TMPDIR/$1"
}

@test "events: /sse/<Id> is text/event-stream, chunked, no-cache, CORS open" {
	start_cometd -w 1 -i 0
	run curl -s -D - -o /dev/null --max-time 20 -I "$URL/sse/a"
	[[ "$output" == "HTTP/1.1 200 OK"* ]]
	grep -qi '^content-type: text/event-stream' <<<"$output"
	grep -qi '^cache-control: no-cache' <<<"$output"
	grep -qi '^transfer-encoding: chunked' <<<"$output"
	grep -qi '^access-control-allow-origin: \*' <<<"$output"
}

@test "events: welcome with retry and a position, then periodic chunks as events" {
	start_cometd -w 1 -i 100ms
	first_lines 10 "$URL/sse/alice" >"$BATS_TEST_TMPDIR/out"
	mapfile -t l <"$BATS_TEST_TMPDIR/out"
	[ "${l[0]}" = "retry: 3000" ]
	[[ "${l[1]}" =~ ^id:\ [0-9]+-[0-9]+$ ]]
	[ "${l[2]}" = "event: welcome" ]
	[ "${l[3]}" = "data: Mochiconntest welcomes you! Your Id: alice" ]
	[ -z "${l[4]}" ]
	[ "${l[5]}" = "event: chunk" ]
	[ "${l[6]}" = "data: Chunk 1 for id alice" ]
	[ -z "${l[7]}" ]
	[ "${l[8]}" = "event: chunk" ]
	[ "${l[9]}" = "data: Chunk 2 for id alice" ]
}

@test "events: a message with newlines arrives whole, one data line a line" {
	start_cometd -w 2 -i 0
	sse a /sse/alice
	[ "$(pub alice $'line one\nline two\r\nline three')" = 201 ]
	wait_until 10 count_is a message 1
	run grep "^message" "$BATS_TEST_TMPDIR/a"
	[[ "$output" =~ ^message$'\t'[0-9]+-[0-9]+$'\t''line one\nline two\nline three'$ ]]
}

@test "events: ids increase per Id, and the welcome's position is before them" {
	start_cometd -w 2 -i 0
	sse a /sse/alice
	for i in 1 2 3 4 5; do
		[ "$(pub alice "m$i")" = 201 ]
		[ "$(pub bob "x$i")" = 202 ]
	done
	wait_until 10 count_is a message 5
	awk -F'\t' '{ split($2, p, "-"); if (NR > 1 && !(p[1] == a && p[2] > b)) exit 1; a = p[1]; b = p[2] }' \
	    "$BATS_TEST_TMPDIR/a"
}

@test "events: Accept: text/event-stream on /test/ is EventSource; without it the seed's bytes" {
	start_cometd -w 1 -i 100ms
	run first_lines 2 -H 'Accept: text/event-stream' "$URL/test/x"
	[ "${lines[0]}" = "retry: 3000" ]
	curl -sN --raw "$URL/test/x" -o "$BATS_TEST_TMPDIR/raw" 3>&- &
	comet_track $!
	wait_until 10 grep -qs 'Chunk 2 for' "$BATS_TEST_TMPDIR/raw"
	printf '27\r\nMochiconntest welcomes you! Your Id: x\n\r\n11\r\nChunk 1 for id x\n\r\n11\r\nChunk 2 for id x\n\r\n' >"$BATS_TEST_TMPDIR/want"
	head -c "$(wc -c <"$BATS_TEST_TMPDIR/want")" "$BATS_TEST_TMPDIR/raw" |
	    cmp - "$BATS_TEST_TMPDIR/want"
}

@test "events: HTTP/1.0 gets the event stream unchunked until close" {
	start_cometd -w 1 -i 0
	run curl -s -0 -D - --max-time 20 -o /dev/null -I "$URL/sse/a"
	grep -qi '^connection: close' <<<"$output"
	! grep -qi '^transfer-encoding' <<<"$output"
	run first_lines 1 -0 "$URL/sse/a"
	[ "$output" = "retry: 3000" ]
}

@test "events: a silent stream gets a comment every -e; a busy one does not" {
	start_cometd -w 1 -i 0 -e 1s
	sse a /sse/alice
	wait_until 20 grep -q '^comment' "$BATS_TEST_TMPDIR/a"
	# a heartbeat is a comment: the browser sees no event for it
	[ "$(count a message)" -eq 0 ]
}

@test "events: resume after a cut with Last-Event-ID: every message once, in order" {
	start_cometd -w 2 -i 0
	sse a /sse/alice
	pub alice m1 >/dev/null
	pub alice m2 >/dev/null
	wait_until 10 count_is a message 2
	last=$(lastid a)
	kill "$SSE_PID"
	pub alice m3 >/dev/null
	pub alice m4 >/dev/null
	sse b /sse/alice -H "Last-Event-ID: $last"
	pub alice m5 >/dev/null
	wait_until 10 count_is b message 3
	[ "$(awk -F'\t' '$1 == "message" { printf "%s ", $3 }' "$BATS_TEST_TMPDIR/b")" = "m3 m4 m5 " ]
	[ "$(count b lost)" -eq 0 ]
	# the same through the query, as a page without headers would
	sse c "/sse/alice?last_event_id=$last"
	wait_until 10 count_is c message 3
	[ "$(stat_of resumes)" -ge 2 ]
}

@test "events: a welcome's position resumes a stream that never got a message" {
	start_cometd -w 2 -i 0
	sse a /sse/alice
	pos=$(awk -F'\t' '$1 == "welcome" { print $2 }' "$BATS_TEST_TMPDIR/a")
	[[ "$pos" =~ ^[0-9]+-[0-9]+$ ]]
	kill "$SSE_PID"
	pub alice while-away >/dev/null
	sse b /sse/alice -H "Last-Event-ID: $pos"
	wait_until 10 count_is b message 1
	has b while-away
}

@test "events: a resume older than the history gets a lost event, then what is kept" {
	start_cometd -w 1 -i 0 -k 2
	sse a /sse/alice
	pub alice m1 >/dev/null
	wait_until 10 count_is a message 1
	last=$(lastid a)
	kill "$SSE_PID"
	for i in 2 3 4 5; do pub alice "m$i" >/dev/null; done
	sse b /sse/alice -H "Last-Event-ID: $last"
	wait_until 10 count_is b message 2
	run awk -F'\t' '$1 != "comment" { print $1 " " $3 }' "$BATS_TEST_TMPDIR/b"
	[ "${lines[1]}" = "lost {\"last_event_id\":\"$last\",\"reason\":\"evicted\",\"first\":\"${last%-*}-$(( ${last#*-} + 3 ))\"}" ]
	[ "${lines[2]}" = "message m4" ]
	[ "${lines[3]}" = "message m5" ]
	[ "$(stat_of resumes_lost)" -eq 1 ]
}

@test "events: an id from an earlier run is a reset, one from the future unknown" {
	start_cometd -w 1 -i 0
	pub alice kept >/dev/null
	sse a /sse/alice -H "Last-Event-ID: 1-5"
	wait_until 10 count_is a message 1
	grep -q '^lost.*"reason":"reset"' "$BATS_TEST_TMPDIR/a"
	sse b /sse/alice -H "Last-Event-ID: 99999999999999-5"
	wait_until 10 count_is b message 1
	grep -q '^lost.*"reason":"unknown"' "$BATS_TEST_TMPDIR/b"
}

@test "events: a restarted worker's stream says reset, and nothing published after is lost" {
	start_cometd -w 1 -i 0
	sse a /sse/alice
	pub alice before >/dev/null
	wait_until 10 count_is a message 1
	last=$(lastid a)
	w=$(pgrep -P "$COMETD_PID")
	kill -KILL "$w"
	wait_until 20 bash -c "[ \"\$(pgrep -P $COMETD_PID)\" ] && [ \"\$(pgrep -P $COMETD_PID)\" != $w ]"
	wait_until 20 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --data-binary after $URL/send/alice)\" = 202 ]"
	sse b /sse/alice -H "Last-Event-ID: $last"
	wait_until 10 count_is b message 1
	grep -q '^lost.*"reason":"reset"' "$BATS_TEST_TMPDIR/b"
	has b after
	! has b before
}

@test "events: a malformed Last-Event-ID is 400, never a crash" {
	start_cometd -w 2 -i 0
	local bad
	for bad in 'x' '1-' '-1' '01-1' '1-2-3' '1 -2' "$(printf '1%.0s' {1..50})-1" \
	    '18446744073709551616-1'; do
		run curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
		    -H "Last-Event-ID: $bad" "$URL/sse/a"
		[ "$output" = 400 ]
	done
	run curl -s -w '%{http_code}' --max-time 20 "$URL/sse/a?last_event_id=zz"
	[[ "$output" == *400 ]]
	run curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$URL/poll/a?since=1"
	[ "$output" = 400 ]
	# still serving
	sse a /sse/alice
}

@test "events: long-poll answers at once with what came after since" {
	start_cometd -w 2 -i 0
	pub alice m1 >/dev/null
	pub alice m2 >/dev/null
	pub alice m3 >/dev/null
	run curl -s --max-time 20 "$URL/poll/alice?since=1-0"
	first=$(sed -n 's/.*"messages":\[{"id":"\([0-9-]*\)".*/\1/p' <<<"$output")
	[[ "$output" == '{"messages":[{"id":"'*'","data":"m1"},'*'"data":"m3"}],"next":"'*'","lost":{"reason":"reset"}}' ]]
	run curl -s -D "$BATS_TEST_TMPDIR/h" --max-time 20 "$URL/poll/alice?since=$first"
	grep -qi '^content-type: application/json' "$BATS_TEST_TMPDIR/h"
	[[ "$output" =~ ^\{\"messages\":\[\{\"id\":\"[0-9-]+\",\"data\":\"m2\"\},\{\"id\":\"([0-9-]+)\",\"data\":\"m3\"\}\],\"next\":\"([0-9-]+)\"\}$ ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
	python3 -c 'import json,sys; d = json.loads(sys.argv[1]); assert [m["data"] for m in d["messages"]] == ["m2", "m3"]' "$output"
}

@test "events: long-poll waits for the next message, then serves the next request" {
	start_cometd -w 2 -i 0 -o 60s
	# one connection, two polls: the second waits for the message
	curl -s --max-time 30 "$URL/stats" "$URL/poll/alice" \
	    >"$BATS_TEST_TMPDIR/p" 2>&1 3>&- &
	comet_track $!
	wait_until 10 stat_is streams_poll 1
	[ "$(pub alice $'hi "there"\n')" = 201 ]
	wait_until 10 grep -q '"next"' "$BATS_TEST_TMPDIR/p"
	grep -q '{"messages":\[{"id":"[0-9-]*","data":"hi \\"there\\"\\n"}\],"next":"[0-9-]*"}' "$BATS_TEST_TMPDIR/p"
	wait_until 10 stat_is streams_poll 0
}

@test "events: a long-poll with nothing to say answers after -o with where to go on" {
	start_cometd -w 1 -i 0 -o 500ms
	run curl -s --max-time 20 "$URL/poll/alice"
	[[ "$output" =~ ^\{\"messages\":\[\],\"next\":\"[0-9]+-[0-9]+\"\}$ ]]
	[ "$(stat_of streams_poll)" -eq 0 ]
}

@test "events: subscribers joining through every worker while an Id is hammered miss nothing" {
	start_cometd -w 4 -i 0 -k 10000
	local i n=12
	# a publisher that never stops: one message a POST, numbered
	( i=0; while :; do i=$((i + 1));
	    curl -s -o /dev/null --data-binary "$i" "$URL/send/hot" || exit 0; done ) 3>&- &
	comet_track $!
	for i in $(seq 1 $n); do
		(exec curl -sN "$URL/sse/hot" 3>&- | "$SSEPARSE" -n 40 \
		    >"$BATS_TEST_TMPDIR/s$i") 3>&- &
		comet_track $!
	done
	for i in $(seq 1 $n); do
		wait_until 60 count_is "s$i" message 39
	done
	[ "$(stat_of handoffs)" -gt 0 ]
	# each subscriber's numbers run on without a gap or a repeat
	for i in $(seq 1 $n); do
		awk -F'\t' '$1 == "message" { if (p != "" && $3 != p + 1) { print "gap after " p ": " $3; exit 1 } p = $3 }' \
		    "$BATS_TEST_TMPDIR/s$i"
	done
}

@test "events: /stats counts streams by format" {
	start_cometd -w 2 -i 0
	sse a /sse/a
	sse b /sse/b
	curl -sN "$URL/test/c" >/dev/null 3>&- &
	comet_track $!
	wait_until 10 stat_is streams_sse 2
	wait_until 10 stat_is streams_chunked 1
}
