#!/usr/bin/env bats
# cometmem against processes with a known number of sockets (t/sockhold).

load helper
bats_require_minimum_version 1.5.0

# start_sockhold COUNT [KIB]: a process holding exactly COUNT sockets (and
# KIB of touched heap); sets HOLD_PID.  SIGUSR1 makes it take as many again.
start_sockhold() {
	local out="$BATS_TEST_TMPDIR/hold.$RANDOM"
	"$COMET_BIN/t/sockhold" "$@" >"$out" 3>&- &
	HOLD_PID=$!
	HOLD_OUT=$out
	comet_track "$HOLD_PID"
	wait_until 10 grep -q '^ready' "$out"
}

# column NAME FILE: the values of one column of cometmem output, by header
column_of() {
	awk -F'\t' -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) n = i; next }
	    { print $2, $n }' "$2"
}

# socks_of PID...: socket descriptors of these processes, counted here
socks_of() {
	local p
	for p in "$@"; do
		ls -l "/proc/$p/fd" 2>/dev/null
	done | awk '/ -> socket:\[/ { n++ } END { print n + 0 }'
}

# tree_of PID: its descendants, one a line, depth first
tree_of() {
	local p
	for p in $(pgrep -P "$1"); do
		echo "$p"
		tree_of "$p"
	done
}

# readies_are N FILE: N sockholds have said "ready" in FILE
readies_are() {
	[ "$(grep -c ready "$2")" = "$1" ]
}

# pids_in FILE: the pid column of cometmem output, totals left out, sorted
pids_in() {
	awk -F'\t' 'NR > 1 && $2 != "total" { print $2 }' "$1" | sort
}

# total_socks FILE: the sockets column of the first total row
total_socks() {
	awk -F'\t' '$2 == "total" { print $4; exit }' "$1"
}

@test "cometmem: header and one row per pid plus total" {
	start_sockhold 3
	run --separate-stderr cometmem "$HOLD_PID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(printf 'time\tpid\trss_bytes\tsockets\tbytes_per_sock')" ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[1]}" =~ ^0\.0$'\t'$HOLD_PID$'\t'[0-9]+$'\t'3$'\t'[0-9]+$ ]]
	[[ "${lines[2]}" =~ ^0\.0$'\t'total$'\t' ]]
}

@test "cometmem: counts exactly the sockets a process holds" {
	start_sockhold 250
	cometmem "$HOLD_PID" >"$BATS_TEST_TMPDIR/out"
	[ "$(column_of sockets "$BATS_TEST_TMPDIR/out")" = "$HOLD_PID 250
total 250" ]
}

@test "cometmem: counts 19,000 sockets in one process exactly" {
	local n=19000 hard
	hard=$(ulimit -Hn)
	[ "$hard" = unlimited ] || [ "$hard" -gt $((n + 100)) ] || n=$((hard - 100))
	start_sockhold "$n"
	cometmem "$HOLD_PID" >"$BATS_TEST_TMPDIR/out"
	[ "$(column_of sockets "$BATS_TEST_TMPDIR/out" | head -1)" = "$HOLD_PID $n" ]
}

@test "cometmem: rss_bytes within 1% of VmRSS in /proc/PID/status" {
	start_sockhold 10 8192
	cometmem "$HOLD_PID" >"$BATS_TEST_TMPDIR/out"
	local ours theirs
	ours=$(column_of rss_bytes "$BATS_TEST_TMPDIR/out" | awk 'NR == 1 { print $2 }')
	theirs=$(awk '$1 == "VmRSS:" { print $2 * 1024 }' "/proc/$HOLD_PID/status")
	echo "ours $ours /proc $theirs"
	[ "$ours" -gt $((8 * 1024 * 1024)) ]
	awk -v a="$ours" -v b="$theirs" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b / 100) }'
}

@test "cometmem -a: anon_bytes is RssAnon, without the code pages RSS counts" {
	start_sockhold 10 8192
	cometmem -a "$HOLD_PID" >"$BATS_TEST_TMPDIR/anon"
	cometmem "$HOLD_PID" >"$BATS_TEST_TMPDIR/rss"
	[ "$(head -1 "$BATS_TEST_TMPDIR/anon")" = "$(printf 'time\tpid\tanon_bytes\tsockets\tbytes_per_sock')" ]
	local anon rss theirs
	anon=$(column_of anon_bytes "$BATS_TEST_TMPDIR/anon" | awk 'NR == 1 { print $2 }')
	rss=$(column_of rss_bytes "$BATS_TEST_TMPDIR/rss" | awk 'NR == 1 { print $2 }')
	theirs=$(awk '$1 == "RssAnon:" { print $2 * 1024 }' "/proc/$HOLD_PID/status")
	echo "anon $anon rss $rss /proc $theirs"
	# sockhold touched 8 MB of heap: anonymous, and all of it counted
	[ "$anon" -gt $((8 * 1024 * 1024)) ]
	awk -v a="$anon" -v b="$theirs" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b / 100) }'
	# its code and libc's are resident too, and only RSS counts them
	[ "$anon" -lt "$rss" ]
	[ "$(column_of sockets "$BATS_TEST_TMPDIR/anon" | head -1)" = "$HOLD_PID 10" ]
}

@test "cometmem: several pids sum in the total row" {
	start_sockhold 100
	local a=$HOLD_PID
	start_sockhold 300 1024
	local b=$HOLD_PID
	run --separate-stderr cometmem "$a" "$b"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	echo "$output" | awk -F'\t' -v a="$a" -v b="$b" '
	    $2 == a && $4 == 100 { ra = $3; n++ }
	    $2 == b && $4 == 300 { rb = $3; n++ }
	    $2 == "total" { tr = $3; ts = $4; tp = $5 }
	    END { exit !(n == 2 && ts == 400 && tr == ra + rb &&
	        tp == sprintf("%.0f", tr / 400)) }'
}

@test "cometmem: -i and -n take that many samples at rising times" {
	start_sockhold 5
	run --separate-stderr cometmem -i 100ms -n 3 "$HOLD_PID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	echo "$output" | awk -F'\t' '$2 == "total" { t[++n] = $1 }
	    END { exit !(n == 3 && t[1] == "0.0" && t[2] > t[1] && t[3] > t[2]) }'
}

@test "cometmem: -b marginal bytes per socket against the first sample" {
	start_sockhold 200 64
	cometmem -b -i 100ms "$HOLD_PID" >"$BATS_TEST_TMPDIR/out" 3>&- &
	local mem=$!
	comet_track "$mem"
	wait_until 10 grep -q '^0\.0.total' "$BATS_TEST_TMPDIR/out"
	kill -USR1 "$HOLD_PID"
	wait_until 10 grep -q '^grown' "$HOLD_OUT"
	wait_until 10 awk -F'\t' '$2 == "total" && $4 == 400 { f = 1 } END { exit !f }' \
	    "$BATS_TEST_TMPDIR/out"
	kill "$mem"
	head -1 "$BATS_TEST_TMPDIR/out" | grep -q "$(printf 'bytes_per_sock\tmarginal_per_sock$')"
	# first sample: no change yet, no marginal; later: delta rss / delta sockets
	awk -F'\t' '$2 == "total" && $1 == "0.0" { r0 = $3; if ($6 != "-") exit 1 }
	    $2 == "total" && $4 == 400 { ok = ($6 == sprintf("%.0f", ($3 - r0) / 200)) }
	    END { exit !ok }' "$BATS_TEST_TMPDIR/out"
}

@test "cometmem: -k adds kernel bytes, per-socket share times sockets" {
	start_sockhold 50
	run --separate-stderr cometmem -k "$HOLD_PID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(printf 'time\tpid\trss_bytes\tsockets\tbytes_per_sock\tkernel_bytes\tkernel_per_sock')" ]
	echo "$output" | awk -F'\t' 'NR > 1 { n++; if (!($7 > 0 && $6 == sprintf("%.0f", $7 * $4))) exit 1 }
	    END { exit !(n == 2) }'
}

@test "cometmem: a pid that vanishes is reported; none left exits 1" {
	start_sockhold 4
	local a=$HOLD_PID
	start_sockhold 6
	local b=$HOLD_PID
	cometmem -i 100ms "$a" "$b" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	local mem=$!
	comet_track "$mem"
	wait_until 10 grep -q '^0\.0.total' "$BATS_TEST_TMPDIR/out"
	kill "$a"
	wait_until 10 grep -q "pid $a: vanished" "$BATS_TEST_TMPDIR/err"
	# the next sample has b alone
	wait_until 10 awk -F'\t' '$2 == "total" && $4 == 6 { f = 1 } END { exit !f }' \
	    "$BATS_TEST_TMPDIR/out"
	kill "$b"
	local st=0
	wait "$mem" || st=$?
	[ "$st" -eq 1 ]
	grep -q "pid $b: vanished" "$BATS_TEST_TMPDIR/err"
	grep -q "no process left to sample" "$BATS_TEST_TMPDIR/err"
}

@test "cometmem: a pid that does not exist exits 1 naming it" {
	local pid=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
	run --separate-stderr cometmem "$pid"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"pid $pid: No such process"* ]]
}

@test "cometmem: -i takes a duration: a bare number is seconds, fractions too" {
	run --separate-stderr cometmem -i 0.2 -n 3 $$
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]	# header, then a pid row and a total row each
	# samples are taken at 0.2 s steps or later, never sooner
	awk 'NR == 7 { exit !($1 >= 0.35) }' <<<"$output"
	run --separate-stderr cometmem -i 150ms -n 2 $$
	[ "$status" -eq 0 ]
	awk 'NR == 5 { exit !($1 >= 0.1) }' <<<"$output"
}

@test "cometmem: usage errors exit 2, -h exits 0" {
	run --separate-stderr cometmem
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometmem: missing operand"$'\n'"usage: cometmem "* ]]
	run --separate-stderr cometmem 12x
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometmem: pid 12x: not a number"$'\n'* ]]
	run --separate-stderr cometmem -i 0 1
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometmem: -i 0: must be 1ms to 24h"$'\n'* ]]
	run --separate-stderr cometmem -n x 1
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometmem: -n x: not a number"$'\n'* ]]
	run --separate-stderr cometmem -x 1
	[ "$status" -eq 2 ]
	run --separate-stderr cometmem -h
	[ "$status" -eq 0 ]
	[ "$output" = "usage: cometmem [-Vabchk] [-i interval] [-n count] pid ..." ]
}

@test "cometmem: cometd's sockets grow by exactly the connections cometflood holds" {
	local n=300 workers flood
	start_cometd -w 1
	workers=$(pgrep -P "$COMETD_PID" | tr '\n' ' ')
	[ -n "$workers" ]
	# shellcheck disable=SC2086
	cometmem -b -i 200ms "$COMETD_PID" $workers >"$BATS_TEST_TMPDIR/out" \
	    2>"$BATS_TEST_TMPDIR/err" 3>&- &
	comet_track $!
	wait_until 10 grep -q '^0\.0.total' "$BATS_TEST_TMPDIR/out"
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" "$n" |
	    "$COMET_BIN/cometflood" -d 60 -r 1 >"$BATS_TEST_TMPDIR/flood" 2>&1 3>&- &
	flood=$!
	comet_track "$flood"
	wait_until 30 grep -q "^Stats: {$n," "$BATS_TEST_TMPDIR/flood"
	# the first sample is the baseline: a later one holds n more sockets,
	# and the marginal column is the RSS growth divided by those n
	wait_until 10 awk -F'\t' -v n="$n" '$2 == "total" && $1 == "0.0" { s0 = $4; r0 = $3 }
	    $2 == "total" && $4 == s0 + n && $6 == sprintf("%.0f", ($3 - r0) / n) { f = 1 }
	    END { exit !f }' "$BATS_TEST_TMPDIR/out"
	# and the flood's side holds its n too
	cometmem "$flood" $(pgrep -P "$flood") >"$BATS_TEST_TMPDIR/client"
	awk -F'\t' -v n="$n" '$2 == "total" { exit !($4 >= n) }' "$BATS_TEST_TMPDIR/client"
}

@test "cometmem: a pid given twice is one row and counts once in total" {
	start_sockhold 7
	run --separate-stderr cometmem "$HOLD_PID" "$HOLD_PID"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(column_of sockets <(echo "$output"))" = "$HOLD_PID 7
total 7" ]
}

@test "cometmem: -c takes children and grandchildren, each once" {
	local out="$BATS_TEST_TMPDIR/tree" top p
	# sh, its sockhold of 3 and its sh, whose sockhold of 5 is a grandchild
	sh -c '"$1" 3 & sh -c "\"$1\" 5 & wait" & wait' sh "$COMET_BIN/t/sockhold" \
	    >"$out" 3>&- &
	top=$!
	comet_track "$top"
	wait_until 10 readies_are 2 "$out"
	for p in $(tree_of "$top"); do
		comet_track "$p"
	done
	[ "$(tree_of "$top" | wc -l)" -eq 3 ]
	# the top given twice, and its grandchild by name too: still 4 rows
	cometmem -c "$top" "$top" "$(tree_of "$top" | tail -1)" >"$BATS_TEST_TMPDIR/out"
	[ "$(pids_in "$BATS_TEST_TMPDIR/out")" = "$( (echo "$top"; tree_of "$top") | sort)" ]
	[ "$(total_socks "$BATS_TEST_TMPDIR/out")" -eq 8 ]
	# without -c, the top alone
	cometmem "$top" >"$BATS_TEST_TMPDIR/out"
	[ "$(pids_in "$BATS_TEST_TMPDIR/out")" = "$top" ]
}

# cometmem -c of cometd has the parent and workers, and their sockets as
# /proc lists them at that moment (equal once workers are set up)
cometd_whole() {
	cometmem -c "$COMETD_PID" >"$BATS_TEST_TMPDIR/out" || return 1
	[ "$(pids_in "$BATS_TEST_TMPDIR/out")" = "$( (echo "$COMETD_PID"; pgrep -P "$COMETD_PID") | sort)" ] &&
	[ "$(pgrep -P "$COMETD_PID" | wc -l)" -eq 2 ] &&
	[ "$(total_socks "$BATS_TEST_TMPDIR/out")" -eq \
	    "$(socks_of "$COMETD_PID" $(pgrep -P "$COMETD_PID"))" ]
}

cometd_whole_with() {
	cometd_whole && [ "$(total_socks "$BATS_TEST_TMPDIR/out")" -eq "$1" ]
}

@test "cometmem: -c takes cometd -w 2 whole: parent, both workers, every socket" {
	local n=200 base flood
	# -i 0: sockets are what is counted here, chunks would only add work
	start_cometd -w 2 -i 0
	wait_until 10 cometd_whole
	base=$(total_socks "$BATS_TEST_TMPDIR/out")
	# parent and workers hold listeners and mailboxes
	[ "$base" -ge 3 ]
	"$COMET_BIN/cometgen" -a 127.0.0.1 -p "$PORT" "$n" |
	    "$COMET_BIN/cometflood" -d 60 -r 1 >"$BATS_TEST_TMPDIR/flood" 2>&1 3>&- &
	flood=$!
	comet_track "$flood"
	wait_until 30 grep -q "^Stats: {$n," "$BATS_TEST_TMPDIR/flood"
	# each connection ends up in one worker (handed over sockets included)
	wait_until 30 cometd_whole_with $((base + n))
}
