#!/usr/bin/env bats
# Wire codecs: WebSocket framing (lib/wsframe.c) and the Redis protocol
# (lib/server/resp.c), through their C unit tests.

bats_require_minimum_version 1.5.0
load helper

@test "wsframe: RFC 6455 examples, lengths, errors, every split, masking, close payloads" {
	run "$COMET_BIN/t/wsframe_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "wsframe_test: ok" ]
}

@test "resp: RESP3 types, Redis reply shapes, prefixes, malformed input, limits, encoder" {
	run "$COMET_BIN/t/resp_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "resp_test: ok" ]
}
