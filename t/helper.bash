# t/helper.bash: shared by every bats file.  Load with `load helper`.
#
# Each tool has a wrapper that runs the built binary (COMET_BIN, set by
# `make check`, or build/ by default) under timeout(1), so a hung tool fails
# its test instead of hanging the suite.  Servers started with start_cometd
# are remembered and stopped in comet_teardown, even when a test fails.

COMET_BIN=${COMET_BIN:-$BATS_TEST_DIRNAME/../build}
COMET_TIMEOUT=${COMET_TIMEOUT:-60}

for _p in cometd cometflood cometgen cometmem cometsysctl; do
	if [ ! -x "$COMET_BIN/$_p" ] && [ -f "$BATS_TEST_DIRNAME/../cmd/$_p.c" ]; then
		echo "helper: $COMET_BIN/$_p is not built (run make)" >&2
		exit 1
	fi
done

cometd()      { timeout "$COMET_TIMEOUT" "$COMET_BIN/cometd" "$@"; }
cometflood()  { timeout "$COMET_TIMEOUT" "$COMET_BIN/cometflood" "$@"; }
cometgen()    { timeout "$COMET_TIMEOUT" "$COMET_BIN/cometgen" "$@"; }
cometmem()    { timeout "$COMET_TIMEOUT" "$COMET_BIN/cometmem" "$@"; }
cometsysctl() { timeout "$COMET_TIMEOUT" "$COMET_BIN/cometsysctl" "$@"; }

# Remember a background PID so comet_teardown stops it.
comet_track() {
	echo "$1" >>"$BATS_TEST_TMPDIR/pids"
}

# start_cometd [args...]: start cometd on 127.0.0.1 with a free port, wait
# until it says which port it got, and set COMETD_PID, PORT and URL.
# stderr goes to $BATS_TEST_TMPDIR/cometd.err.  Extra args come after the
# defaults, so -l or -p given by a test win.
start_cometd() {
	local err="$BATS_TEST_TMPDIR/cometd.err" i
	: >"$err"
	"$COMET_BIN/cometd" -l 127.0.0.1 -p 0 "$@" 2>"$err" 3>&- &
	COMETD_PID=$!
	comet_track "$COMETD_PID"
	for i in $(seq 1 200); do
		PORT=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' "$err" | head -1)
		[ -n "$PORT" ] && break
		kill -0 "$COMETD_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ -z "$PORT" ]; then
		echo "cometd did not start:" >&2
		cat "$err" >&2
		return 1
	fi
	URL="http://127.0.0.1:$PORT"
	wait_for_port "$PORT"
}

# wait_for_port PORT: wait until something listens on PORT.  It looks
# (ss -ltn) instead of connecting, so that no probe connection takes one
# of cometd's places under -m before cometd sees it leave.
wait_for_port() {
	wait_until 10 listening "$1"
}

listening() {
	[ -n "$(ss -Hltn "sport = :$1")" ]
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s until it succeeds.  The
# bound only stops a broken test: it is never below COMET_WAIT (30 s), so a
# machine busy with other work slows a test down instead of failing it.
wait_until() {
	local secs=$1
	[ "$secs" -ge "${COMET_WAIT:-30}" ] || secs=${COMET_WAIT:-30}
	local end=$((SECONDS + secs))
	shift
	while ! "$@"; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.1
	done
}

# count_of PATTERN FILE: lines of FILE matching PATTERN (grep -E), 0 when
# none or no file yet; grep -c would exit 1 on a zero count, and a
# test's assignment would fail with it on a machine slow to send the
# first line.
count_of() {
	awk -v re="$1" '$0 ~ re { c++ } END { print c + 0 }' "$2" 2>/dev/null || echo 0
}

# stat_of NAME: one value from cometd's /stats.
stat_of() {
	curl -s "$URL/stats" | awk -v n="$1" '$1 == n { print $2 }'
}

# stat_is NAME VALUE: /stats says NAME is VALUE (for wait_until).
stat_is() {
	[ "$(stat_of "$1")" = "$2" ]
}

comet_teardown() {
	local pid
	[ -f "$BATS_TEST_TMPDIR/pids" ] || return 0
	while read -r pid; do
		kill -TERM "$pid" 2>/dev/null || true
	done <"$BATS_TEST_TMPDIR/pids"
	for pid in $(cat "$BATS_TEST_TMPDIR/pids"); do
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	rm -f "$BATS_TEST_TMPDIR/pids"
}

teardown() {
	comet_teardown
}

# first_lines N URL [curl options...]: the first N lines of a stream, however
# slow the machine: curl stops at the pipe once head has them, and the
# generous --max-time only bounds a broken server.
first_lines() {
	local n=$1
	shift
	curl -sN --max-time 20 "$@" | head -n "$n"
}
