#!/usr/bin/env bats
# cometd -K: only the owner of an Id subscribes, with a JWT (HS256) that
# openssl mints here exactly as the man page shows; publisher tokens.

bats_require_minimum_version 1.5.0
load helper

setup() {
	KEY=$BATS_TEST_TMPDIR/key
	printf 'a secret of at least 32 bytes, for tests\n' >"$KEY"
}

b64url() {
	openssl base64 -A | tr '+/' '-_' | tr -d '='
}

# token CLAIMS [HEADER] [KEYFILE]: an HS256 JWT with these claims.
token() {
	local h p sig
	h=$(printf '%s' "${2:-{\"alg\":\"HS256\",\"typ\":\"JWT\"\}}" | b64url)
	p=$(printf '%s' "$1" | b64url)
	sig=$(printf '%s.%s' "$h" "$p" |
	    openssl dgst -sha256 -hmac "$(cat "${3:-$KEY}")" -binary | b64url)
	printf '%s.%s.%s' "$h" "$p" "$sig"
}

later() {
	echo $(($(date +%s) + 3600))
}

# code PATH [curl args]: the status of a GET, headers in $BATS_TEST_TMPDIR/h.
code() {
	local path=$1
	shift
	curl -s -o "$BATS_TEST_TMPDIR/b" -D "$BATS_TEST_TMPDIR/h" \
	    -w '%{http_code}' --max-time 20 "$@" "$URL$path"
}

@test "auth: without -K cometd says at start that subscriptions are open" {
	start_cometd -w 1
	grep -q 'subscriptions are open' "$BATS_TEST_TMPDIR/cometd.err"
	start_cometd -w 1 -K "$KEY" -p 0
	! grep -q 'subscriptions are open' "$BATS_TEST_TMPDIR/cometd.err"
}

@test "auth: no token is 401 with a Bearer challenge on every transport, nothing streamed" {
	start_cometd -w 2 -K "$KEY" -i 100ms
	local p
	for p in /test/alice /sse/alice /poll/alice; do
		[ "$(code "$p")" = 401 ]
		grep -q '^WWW-Authenticate: Bearer realm="cometd"'$'\r''$' "$BATS_TEST_TMPDIR/h"
		[ "$(cat "$BATS_TEST_TMPDIR/b")" = "401 Unauthorized: a token is required" ]
	done
	[ "$(code /ws/alice -H 'Upgrade: websocket' -H 'Connection: Upgrade' \
	    -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')" = 401 ]
	[ "$(stat_of auth_failed)" -eq 4 ]
	[ "$(stat_of streams_chunked)" -eq 0 ]
}

@test "auth: a token for the Id streams, in the header or the query" {
	start_cometd -w 2 -K "$KEY" -i 100ms
	t=$(token "{\"sub\":\"alice\",\"exp\":$(later)}")
	run first_lines 2 -H "Authorization: Bearer $t" "$URL/test/alice"
	[ "${lines[1]}" = "Chunk 1 for id alice" ]
	run first_lines 1 "$URL/sse/alice?token=$t"
	[ "$output" = "retry: 3000" ]
	run first_lines 1 "$URL/sse/alice?last_event_id=1-0&token=$t"
	[ "$output" = "retry: 3000" ]
	# the same token, another Id: 403
	[ "$(code /test/bob -H "Authorization: Bearer $t")" = 403 ]
	grep -q 'the token is for another Id' "$BATS_TEST_TMPDIR/b"
	[ "$(stat_of auth_forbidden)" -eq 1 ]
}

@test "auth: expired, not yet valid, unsigned, badly signed, alg none, malformed, over-long: 401 invalid_token" {
	start_cometd -w 1 -K "$KEY" -i 0
	local t other=$BATS_TEST_TMPDIR/other
	printf 'another key entirely, also long\n' >"$other"
	check() {
		[ "$(code /sse/alice -H "Authorization: Bearer $1")" = 401 ]
		grep -Eq "error=\"invalid_token\", error_description=\"($2)" "$BATS_TEST_TMPDIR/h"
	}
	check "$(token '{"sub":"alice","exp":1000}')" "token expired"
	check "$(token "{\"sub\":\"alice\",\"exp\":$(later),\"nbf\":$(later)}")" "token not yet valid"
	check "$(token '{"sub":"alice"}')" "token has no exp"
	check "$(token "{\"sub\":\"alice\",\"exp\":$(later)}" '' "$other")" "invalid signature"
	t=$(token "{\"sub\":\"alice\",\"exp\":$(later)}" '{"alg":"none"}')
	check "${t%.*}." "unsupported alg"
	check "$(token "{\"sub\":\"alice\",\"exp\":$(later)}" '{"alg":"HS512"}')" "unsupported alg"
	t=$(token "{\"sub\":\"alice\",\"exp\":$(later)}")
	check "${t:0:5}!${t:6}" "malformed"
	check "${t%%.*}=.${t#*.}" "malformed"
	check "$t=" "malformed|invalid signature"
	check "$(token "{\"sub\":\"alice\",\"exp\":$(later),\"pad\":\"$(head -c 4000 /dev/zero | tr '\0' x)\"}")" "token too long"
	# still serving, and the right token still works
	run first_lines 1 "$URL/sse/alice?token=$(token "{\"sub\":\"alice\",\"exp\":$(later)}")"
	[ "$output" = "retry: 3000" ]
}

@test "auth: WebSocket takes its token in the query" {
	start_cometd -w 2 -K "$KEY" -i 0
	t=$(token "{\"sub\":\"alice\",\"exp\":$(later)}")
	run timeout 60 /usr/bin/python3 - "$PORT" "$t" <<'PYEOF'
import asyncio, json, sys
import websockets
async def main():
    url = "ws://127.0.0.1:%s/ws/alice" % sys.argv[1]
    try:
        await websockets.connect(url)
        print("no token, yet connected")
        return
    except websockets.exceptions.InvalidStatusCode as e:
        assert e.status_code == 401, e.status_code
    async with websockets.connect(url + "?token=" + sys.argv[2]) as ws:
        assert json.loads(await ws.recv())["event"] == "welcome"
    print("ok")
asyncio.run(main())
PYEOF
	echo "$output"
	[ "${lines[-1]}" = ok ]
}

@test "auth: a publisher token lets another address publish; other tokens do not" {
	# loopback is not an allowed publisher here: only 10/8 is
	start_cometd -w 2 -K "$KEY" -i 0 -a 10.0.0.0/8
	pub() {
		curl -s -o "$BATS_TEST_TMPDIR/b" -D "$BATS_TEST_TMPDIR/h" \
		    -w '%{http_code}' --data-binary hi "$@" "$URL/send/alice"
	}
	[ "$(pub)" = 403 ]
	grep -q 'publisher token' "$BATS_TEST_TMPDIR/b"
	[ "$(pub -H "Authorization: Bearer $(token "{\"exp\":$(later),\"pub\":true}")")" = 202 ]
	[ "$(pub -H "Authorization: Bearer $(token "{\"sub\":\"x\",\"exp\":$(later),\"pub\":true}")")" = 202 ]
	[ "$(pub -H "Authorization: Bearer $(token "{\"sub\":\"alice\",\"exp\":$(later)}")")" = 403 ]
	grep -q 'does not grant publishing' "$BATS_TEST_TMPDIR/b"
	[ "$(pub -H "Authorization: Bearer $(token '{"exp":1000,"pub":true}')")" = 401 ]
	# a batch and a broadcast too, the token in the query
	t=$(token "{\"exp\":$(later),\"pub\":true}")
	[ "$(curl -s -o /dev/null -w '%{http_code}' --data-binary $'a\tb' "$URL/send?token=$t")" = 202 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' --data-binary x "$URL/broadcast?token=$t")" = 202 ]
}

@test "auth: -K with a missing or empty key file exits 1 naming it" {
	run -1 --separate-stderr cometd -K "$BATS_TEST_TMPDIR/none" -p 0
	[[ "$stderr" == "cometd: -K $BATS_TEST_TMPDIR/none: No such file"* ]]
	: >"$BATS_TEST_TMPDIR/empty"
	run -1 --separate-stderr cometd -K "$BATS_TEST_TMPDIR/empty" -p 0
	[ "$stderr" = "cometd: -K $BATS_TEST_TMPDIR/empty: the key is empty" ]
}
