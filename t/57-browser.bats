#!/usr/bin/env bats
# cometd and a real browser: headless Chromium (Debian's) loads a page
# from t/browser that subscribes with EventSource, driven by
# puppeteer-core (t/browser/run.mjs prints what the page logs).

bats_require_minimum_version 1.5.0
load helper

# browser PAGE QUERY: open t/browser/PAGE?QUERY in the background; its
# log goes to $BATS_TEST_TMPDIR/browser.
browser() {
	node "$BATS_TEST_DIRNAME/browser/run.mjs" \
	    "file://$BATS_TEST_DIRNAME/browser/$1?$2" 300 \
	    >"$BATS_TEST_TMPDIR/browser" 2>&1 3>&- &
	comet_track $!
}

logged() {
	grep -qF -- "$1" "$BATS_TEST_TMPDIR/browser"
}

# publish ID MESSAGE: until a worker is there to take it (201 or 202).
publish() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary "$2" \
	    "$URL/send/$1")
	[ "$code" = 201 ] || [ "$code" = 202 ]
}

@test "browser: EventSource gets every message once, in order, across its worker's restart" {
	start_cometd -w 1 -i 0
	browser sse.html "src=$URL/sse/alice"
	wait_until 60 logged "welcome"
	for i in 1 2 3; do publish alice "m$i"; done
	wait_until 30 logged '"m3"'
	# the server drops the connection: its worker dies and comes back
	w=$(pgrep -P "$COMETD_PID")
	kill -KILL "$w"
	for i in 4 5 6; do wait_until 30 publish alice "m$i"; done
	# the browser reconnects by itself, with Last-Event-ID
	wait_until 60 logged '"m6"'
	publish alice m7
	wait_until 30 logged '"m7"'
	run awk -F'\t' '$1 == "message" { printf "%s ", $3 }' \
	    "$BATS_TEST_TMPDIR/browser"
	[ "$output" = '"m1" "m2" "m3" "m4" "m5" "m6" "m7" ' ]
	# the history went with the worker: the page was told, not left guessing
	grep -q '^lost	.*reason\\":\\"reset' "$BATS_TEST_TMPDIR/browser"
	grep -q '^error' "$BATS_TEST_TMPDIR/browser"
}

@test "browser: a message with newlines and non-ASCII text reaches event.data intact" {
	start_cometd -w 2 -i 0
	browser sse.html "src=$URL/sse/bob"
	wait_until 60 logged "welcome"
	publish bob $'first line\nsecond — ünïcødé\nthird'
	wait_until 30 logged 'third'
	grep -qF '"first line\nsecond — ünïcødé\nthird"' "$BATS_TEST_TMPDIR/browser"
}
