#!/usr/bin/env bats
# The libc-only primitives under the protocols: SHA-1, SHA-256, HMAC,
# base64, UTF-8, JSON and HS256 tokens, through their C unit tests.

bats_require_minimum_version 1.5.0
load helper

@test "primitives: SHA-1, SHA-256, HMAC-SHA256, base64, WebSocket accept" {
	run "$COMET_BIN/t/crypto_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "crypto_test: ok" ]
}

@test "primitives: UTF-8 validation, JSON escaping and reading" {
	run "$COMET_BIN/t/utf8_json_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "utf8_json_test: ok" ]
}

@test "primitives: HS256 token verification" {
	run "$COMET_BIN/t/jwt_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "jwt_test: ok" ]
}
