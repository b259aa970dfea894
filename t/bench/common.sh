# t/bench/common.sh: shared by the t/bench scripts (bash).
#
# Process bookkeeping (every process we start is tracked by PID and stopped
# by PID, never by name: other people run the same binaries), /proc readers
# (CPU ticks of a process tree, MemAvailable, TIME_WAIT count) and the
# parsers for cometflood's tsv and cometmem's output.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)
COMET_BIN=${COMET_BIN:-$REPO/build}
OUT=${BENCH_OUT:-$BENCH_DIR/out}
CLK_TCK=$(getconf CLK_TCK)
# stop adding connections and tear down below this much MemAvailable
MIN_AVAIL_KIB=$(( ${BENCH_MIN_AVAIL_GIB:-3} * 1024 * 1024 ))
PAGE_SIZE=$(getconf PAGESIZE)

# PIDs we started and must stop; roots of process trees.
BENCH_PIDS=()

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "$*"; exit 1; }

need_root() {
	[ "$(id -u)" -eq 0 ] || die "run as root (it writes /proc/sys)"
}

need_tools() {
	local t
	for t in "$@"; do
		[ -x "$COMET_BIN/$t" ] || die "$COMET_BIN/$t is not built (run make)"
	done
}

# apt_need PKG...: install Debian packages that are missing.  Bench-only
# dependencies, so the toolkit itself never needs them.
apt_need() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	apt-get update -qq >/dev/null &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

track() { BENCH_PIDS+=("$1"); }

# tree_pids ROOT: ROOT and all its descendants, one per line.  Workers of
# cometd and cometflood are children of the process we started.
tree_pids() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
	{ kids[$2] = kids[$2] " " $1 }
	END {
		q[0] = root; n = 1
		for (i = 0; i < n; i++) {
			print q[i]
			m = split(kids[q[i]], k, " ")
			for (j = 1; j <= m; j++)
				q[n++] = k[j]
		}
	}'
}

# stop_tree ROOT [SECS]: SIGTERM the root, wait up to SECS (10) for the
# whole tree to go, then SIGKILL whatever is left, by PID.  STOP_RC is the
# root's exit status.
stop_tree() {
	local root=$1 secs=${2:-10} pids p i
	pids=$(tree_pids "$root")
	kill -TERM "$root" 2>/dev/null || return 0
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$root" 2>/dev/null || break
		sleep 0.1
	done
	# leftovers (a worker that missed its parent's exit, a child of a
	# shell loop) get SIGKILL; only a root that ignored SIGTERM is news
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null && [ "$p" = "$root" ] &&
		    say "killed $p (did not stop on SIGTERM)"
	done
	wait "$root" 2>/dev/null
	STOP_RC=$?
	return 0
}

stop_all() {
	local i
	for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
		stop_tree "${BENCH_PIDS[i]}" 20
	done
	BENCH_PIDS=()
}

# cpu_ticks ROOT: utime+stime (clock ticks) summed over ROOT's tree, read
# in one pass so it can be taken right when a report line appears.  Fields
# are counted after the comm field, which may contain spaces.
cpu_ticks() {
	local files=() p
	for p in $(tree_pids "$1"); do files+=("/proc/$p/stat"); done
	cat "${files[@]}" 2>/dev/null |
	    awk '{ sub(/^.*\) /, ""); s += $12 + $13 } END { print s + 0 }'
}

# mem_avail_kib: MemAvailable from /proc/meminfo.
mem_avail_kib() {
	awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo
}

# memory_low: true when MemAvailable fell under the floor.
memory_low() {
	[ "$(mem_avail_kib)" -lt "$MIN_AVAIL_KIB" ]
}

# alive PID...: true when every PID is still running.
alive() {
	local p
	for p in "$@"; do kill -0 "$p" 2>/dev/null || return 1; done
}

# tw_count: sockets in TIME_WAIT, machine-wide.
tw_count() {
	awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "tw") print $(i + 1) }' \
	    /proc/net/sockstat
}

# tw_port PORT: sockets in TIME_WAIT to or from PORT, ours only.
tw_port() {
	ss -Htan state time-wait "( sport = :$1 or dport = :$1 )" | wc -l
}

now() { date +%s.%N; }

# fsub A B: A - B for decimals; fadd A B [C]: A + B + C.
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
fadd() { awk -v a="$1" -v b="$2" -v c="${3:-0}" 'BEGIN { printf "%.3f", a + b + c }'; }

# tsv_last FILE: the last complete report line of cometflood -o tsv
# ("time active closed chunks bytes conn_s chunks_s ..."), or nothing.
tsv_last() {
	awk -F '\t' 'NF >= 7 && $1 ~ /^[0-9.]+$/ { l = $0 } END { if (l != "") print l }' "$1"
}

# tsv_field LINE NAME: one field of a tsv report line by name.
tsv_field() {
	local i=0 f
	for f in time active closed chunks bytes conn_s chunks_s stamps \
	    stamps_cut lat_p50_ms lat_p99_ms lat_p999_ms lat_max_ms; do
		i=$((i + 1))
		[ "$f" = "$2" ] && { cut -f "$i" <<<"$1"; return; }
	done
}

# ratio A B: A / B rounded, or "-" when B is 0.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.0f\n", a / b }'
}

# tsv_wait FILE MINTIME SECS: wait up to SECS for a report line whose time
# is at least MINTIME (cometflood's clock) and print it; fails on timeout.
tsv_wait() {
	local end=$((SECONDS + $3)) line
	while [ "$SECONDS" -le "$end" ]; do
		line=$(awk -F '\t' -v m="$2" '
		    NF >= 7 && $1 ~ /^[0-9.]+$/ { l = $0; t = $1 }
		    END { if (l != "" && t + 0 >= m + 0) print l }' "$1")
		[ -n "$line" ] && { echo "$line"; return 0; }
		sleep 0.05
	done
	return 1
}

# tsv_next FILE: wait for the next report line and print it, so that what
# is read from /proc right after lines up with cometflood's counts.
tsv_next() {
	local t
	t=$(tsv_field "$(tsv_last "$1")" time)
	tsv_wait "$1" "$(awk -v t="${t:-0}" 'BEGIN { print t + 0.5 }')" 5
}

# tsv_rate L0 L1 NAME: per-second growth of field NAME between two report
# lines.  Chunks come in bursts at small N (every connection of a fast ramp
# is on the same 10 s phase), so the windows used are whole rounds long:
# then each holds the same number of bursts whatever its phase.
tsv_rate() {
	awk -v a="$(tsv_field "$2" "$3")" -v b="$(tsv_field "$1" "$3")" \
	    -v ta="$(tsv_field "$2" time)" -v tb="$(tsv_field "$1" time)" \
	    'BEGIN { if (ta > tb) printf "%.0f\n", (a - b) / (ta - tb); else print "-" }'
}

# stats_value PORT NAME: one value of the /stats of the cometd listening on
# 127.0.0.1:PORT; empty when there is none.
stats_value() {
	curl -s "http://127.0.0.1:$1/stats" | awk -v n="$2" '$1 == n { print $2 }'
}

# flood_chunks TSV: cometflood's chunk count, by its latest report.
flood_chunks() {
	tsv_field "$(tsv_last "$1")" chunks
}

# wait_chunks TSV TARGET SECS: wait until cometflood counted TARGET
# chunks; prints the seconds since the epoch when it saw them (its report
# time).  Fails after SECS.
wait_chunks() {
	local end=$((SECONDS + $3)) c
	while [ "$SECONDS" -le "$end" ]; do
		c=$(flood_chunks "$1")
		[ -n "$c" ] && [ "$c" -ge "$2" ] && { now; return 0; }
		sleep 0.02
	done
	return 1
}

# stamps_read TSV: stamped messages cometflood has read, by its latest
# report: those it measured plus those a read cut in two.
stamps_read() {
	local line
	line=$(tsv_last "$1")
	echo $(( $(tsv_field "$line" stamps) + $(tsv_field "$line" stamps_cut) ))
}

# tsv_summary FILE NAME: "p50 p99 max" of a cometflood summary line
# ("summary NAME p50 p99 p999 max count").
tsv_summary() {
	awk -F '\t' -v n="$2" '$1 == "summary" && $2 == n { print $3, $4, $6 }' "$1"
}

# mem_total PID...: one cometmem -k sample of the PIDs; prints "rss sockets"
# of its total row.  Columns are found by header name.
mem_total() {
	"$COMET_BIN/cometmem" -k "$@" 2>/dev/null | awk -F '\t' '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["pid"] == "total" { print $col["rss_bytes"], $col["sockets"] }'
}

# kmem_bytes: the kernel memory sockets live in, machine-wide, counted as
# cometmem -k counts it: Slab (socket, inode, file, epoll structures) plus
# the pages TCP charges for socket buffers.  Differences over a baseline
# divided by connections give kernel bytes per connection (both ends, as
# both live on this host).
kmem_bytes() {
	local slab tcp
	slab=$(awk '$1 == "Slab:" { printf "%.0f\n", $2 * 1024 }' /proc/meminfo)
	tcp=$(awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "mem") print $(i + 1) }' \
	    /proc/net/sockstat)
	echo $((slab + tcp * PAGE_SIZE))
}

# mem_used: MemTotal - MemFree - Buffers - Cached in bytes: the machine's
# whole cost, user and kernel.  Not MemAvailable, which counts reclaimable
# slab (socket inodes and dentries among it) as free.
mem_used() {
	awk '{ v[$1] = $2 }
	    END { printf "%.0f\n", (v["MemTotal:"] - v["MemFree:"] - v["Buffers:"] - v["Cached:"]) * 1024 }' \
	    /proc/meminfo
}

# anon_total PID...: one cometmem -a sample of the PIDs: their resident
# anonymous memory (heap, tables, buffers) in bytes, without the code
# pages that RSS counts too and that a worker touches once, the first time
# it runs a code path (a wire format's formatting, say), whatever its
# number of connections.
anon_total() {
	"$COMET_BIN/cometmem" -a "$@" 2>/dev/null | awk -F '\t' '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["pid"] == "total" { print $col["anon_bytes"] }'
}

# rss_min PID...: smallest RSS (bytes) among the PIDs, from /proc.  Used
# to stand in for the baseline of worker processes that did not exist yet.
rss_min() {
	local p r min=
	for p in "$@"; do
		r=$(awk '$1 == "VmRSS:" { printf "%.0f\n", $2 * 1024 }' "/proc/$p/status" 2>/dev/null)
		[ -n "$r" ] || continue
		if [ -z "$min" ] || [ "$r" -lt "$min" ]; then min=$r; fi
	done
	echo "${min:-0}"
}

# cometd_port ERRFILE PID: wait for cometd's start line and print the port.
cometd_port() {
	local i port
	for ((i = 0; i < 200; i++)); do
		port=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' "$1" | head -1)
		[ -n "$port" ] && { echo "$port"; return 0; }
		kill -0 "$2" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

# wait_port PORT: poll until something accepts on 127.0.0.1:PORT (10 s).
wait_port() {
	local i
	for ((i = 0; i < 200; i++)); do
		(exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# free_port: a TCP port below the default ephemeral range that no socket
# uses now, in any state: a bench that widened the range (cometsysctl -a)
# may leave connections of its clients on ports down here.
free_port() {
	local p used
	# the local port of every TCP socket, hex in /proc
	used=$(awk 'NR > 1 { n = split($2, a, ":"); print a[n] }' \
	    /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u)
	while :; do
		p=$((20000 + RANDOM % 12000))
		grep -qix "$(printf '%04X' "$p")" <<<"$used" ||
		    { echo "$p"; return; }
	done
}

# Sysctls: snapshot every /proc/sys file cometsysctl talks about, before
# anything is applied, so restore_sysctls can put each back exactly.
SYSCTL_SAVE=
save_sysctls() {
	local name f
	SYSCTL_SAVE=$(mktemp -d /tmp/comet-bench.XXXXXX)
	"$COMET_BIN/cometsysctl" -l -n "$1" >"$SYSCTL_SAVE/list" 2>&1
	while read -r name _; do
		f=/proc/sys/${name//.//}
		[ -f "$f" ] && cat "$f" >"$SYSCTL_SAVE/$name"
	done <"$SYSCTL_SAVE/list"
}

restore_sysctls() {
	local s name f
	[ -n "$SYSCTL_SAVE" ] || return 0
	for s in "$SYSCTL_SAVE"/*.*; do
		[ -f "$s" ] || continue
		name=${s##*/}
		f=/proc/sys/${name//.//}
		if [ "$(cat "$f")" != "$(cat "$s")" ]; then
			say "restore $name: $(cat "$s")"
			cat "$s" >"$f" || say "could not restore $name"
		fi
	done
	rm -rf "$SYSCTL_SAVE"
	SYSCTL_SAVE=
}

# procs_for N: worker processes for N connections: each may hold only
# RLIMIT_NOFILE descriptors, so fill them to 80% (the SO_REUSEPORT hash
# does not spread evenly) and add one for margin.
procs_for() {
	local cap=$(( ($(ulimit -Hn) - 100) * 4 / 5 ))
	echo $(( ($1 + cap - 1) / cap + 1 ))
}

