#!/usr/bin/env bats
# cometd's GET /metrics: Prometheus's own promtool accepts it, and its
# numbers are /stats's.

bats_require_minimum_version 1.5.0
load helper

# metric NAME [LABEL]: the sum over workers of a metric's samples.
metric() {
	awk -v n="$1" -v l="${2:-}" '
	    index($0, n "{") == 1 && (l == "" || index($0, l)) { s += $NF }
	    END { print s + 0 }' "$BATS_TEST_TMPDIR/metrics"
}

@test "metrics: promtool check metrics accepts /metrics, under load too" {
	start_cometd -w 3 -i 100ms
	curl -sN "$URL/sse/a" >/dev/null 3>&- &
	comet_track $!
	curl -sN "$URL/test/b" >/dev/null 3>&- &
	comet_track $!
	wait_until 10 stat_is streams_sse 1
	curl -s --data-binary hi "$URL/send/a" >/dev/null
	run curl -s -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/metrics" "$URL/metrics"
	grep -qi '^content-type: text/plain; version=0.0.4' "$BATS_TEST_TMPDIR/h"
	run promtool check metrics <"$BATS_TEST_TMPDIR/metrics"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# every family has HELP and TYPE, every sample a worker label
	grep -q '^# TYPE cometd_publish_to_write_seconds histogram$' "$BATS_TEST_TMPDIR/metrics"
	[ "$(grep -c '^cometd_connections_accepted_total{worker="[0-2]"} ' "$BATS_TEST_TMPDIR/metrics")" -eq 3 ]
}

@test "metrics: the numbers are /stats's, streams by transport, the publish-to-write histogram" {
	start_cometd -w 2 -i 0
	curl -sN "$URL/sse/a" >"$BATS_TEST_TMPDIR/a" 3>&- &
	comet_track $!
	curl -sN "$URL/test/b" >"$BATS_TEST_TMPDIR/b" 3>&- &
	comet_track $!
	wait_until 10 stat_is streams_sse 1
	wait_until 10 stat_is streams_chunked 1
	for i in 1 2 3; do
		curl -s --data-binary "m$i" "$URL/send/a" >/dev/null
		curl -s --data-binary "m$i" "$URL/send/b" >/dev/null
	done
	wait_until 10 grep -q "msg #3" "$BATS_TEST_TMPDIR/b"
	wait_until 10 grep -q "data: m3" "$BATS_TEST_TMPDIR/a"
	curl -s "$URL/stats" >"$BATS_TEST_TMPDIR/stats"
	curl -s "$URL/metrics" >"$BATS_TEST_TMPDIR/metrics"
	st() { awk -v n="$1" '$1 == n { print $2 }' "$BATS_TEST_TMPDIR/stats"; }
	[ "$(metric cometd_chunks_total)" -eq "$(st chunks)" ]
	[ "$(metric cometd_deliveries_total)" -eq 6 ]
	[ "$(st deliveries)" -eq 6 ]
	[ "$(metric cometd_messages_published_total)" -eq "$(st messages_in)" ]
	[ "$(metric cometd_history_messages)" -eq "$(st history_messages)" ]
	[ "$(metric cometd_history_bytes)" -eq "$(st history_bytes)" ]
	[ "$(metric cometd_streams 'transport="sse"')" -eq 1 ]
	[ "$(metric cometd_streams 'transport="chunked"')" -eq 1 ]
	[ "$(metric cometd_streams 'transport="ws"')" -eq 0 ]
	[ "$(metric cometd_handoffs_total)" -eq "$(st handoffs)" ]
	# six live messages written: six in the histogram, every bucket <= +Inf
	[ "$(metric cometd_publish_to_write_seconds_count)" -eq 6 ]
	[ "$(metric cometd_publish_to_write_seconds_bucket 'le="+Inf"')" -eq 6 ]
	[ "$(metric cometd_queued_messages)" -eq 0 ]
	[ "$(grep -c '^cometd_workers 2$' "$BATS_TEST_TMPDIR/metrics")" -eq 1 ]
}

@test "metrics: a replay is not timed; HEAD /metrics is the head alone" {
	start_cometd -w 1 -i 0
	curl -s --data-binary old "$URL/send/a" >/dev/null
	run first_lines 10 "$URL/sse/a?last_event_id=1-0"
	[[ "$output" == *"data: old"* ]]
	curl -s "$URL/metrics" >"$BATS_TEST_TMPDIR/metrics"
	[ "$(metric cometd_replayed_total)" -eq 1 ]
	[ "$(metric cometd_publish_to_write_seconds_count)" -eq 0 ]
	run curl -s -I "$URL/metrics"
	[[ "${lines[0]}" == "HTTP/1.1 200 OK"* ]]
	run curl -s -X HEAD "$URL/metrics" --max-time 20
	[ -z "$output" ]
}
