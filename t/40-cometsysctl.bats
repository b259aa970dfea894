#!/usr/bin/env bats
# cometsysctl against a fake /proc/sys in a temp dir: never the real kernel.

load helper
bats_require_minimum_version 1.5.0

SETTINGS="fs.file-max fs.nr_open net.ipv4.ip_local_port_range
net.core.somaxconn net.ipv4.tcp_max_syn_backlog net.core.netdev_max_backlog
net.ipv4.tcp_mem net.core.rmem_max net.core.wmem_max net.ipv4.tcp_rmem
net.ipv4.tcp_wmem net.ipv4.tcp_syncookies net.netfilter.nf_conntrack_max"

# A copy of the settings cometsysctl reads, with the given overrides
# (name=value ...), in $ROOT.  The real values are the starting point.
setup() {
	ROOT=$BATS_TEST_TMPDIR/sys
	local n f
	for n in $SETTINGS; do
		f=$ROOT/$(echo "$n" | tr . /)
		mkdir -p "$(dirname "$f")"
		cat "/proc/sys/$(echo "$n" | tr . /)" >"$f" 2>/dev/null || rm -f "$f"
	done
	# the same low values whatever this host's defaults
	fake net.core.somaxconn=128 net.ipv4.tcp_mem="100 200 300" \
	    net.ipv4.tcp_rmem="8192 65536 1048576" fs.file-max=100000 \
	    net.ipv4.tcp_syncookies=1 net.ipv4.ip_local_port_range="32768 60999" \
	    net.ipv4.tcp_max_syn_backlog=1024 net.core.netdev_max_backlog=1000 \
	    net.ipv4.tcp_wmem="4096 16384 4194304" fs.nr_open=1048576
	: >"$ROOT/comet-fake-root"
	# descriptors for 1000 connections, whatever the caller's soft limit
	ulimit -Sn "$(ulimit -Hn)"
}

fake() {
	local kv
	for kv in "$@"; do
		printf '%s\n' "${kv#*=}" >"$ROOT/$(echo "${kv%%=*}" | tr . /)"
	done
}

# value NAME: a setting as the fake tree holds it, spaces normalized
value() {
	tr -s ' \t' '  ' <"$ROOT/$(echo "$1" | tr . /)"
}

@test "cometsysctl: one tab-separated line per setting, low ones found" {
	run --separate-stderr cometsysctl -r "$ROOT" -n 1000
	[ "$status" -eq 1 ]
	echo "$output" | awk -F'\t' 'NF != 4 || $4 !~ /^(ok|low|high|split)$/ { exit 1 }'
	echo "$output" | grep -qx "$(printf 'net.core.somaxconn\t128\t1024\tlow')"
	echo "$output" | grep -qx "$(printf 'net.ipv4.tcp_mem\t100 200 300\t250 500 1000\tlow')"
	echo "$output" | grep -qx "$(printf 'net.ipv4.tcp_rmem\t8192 65536 1048576\t4096 65536 1048576\thigh')"
	echo "$output" | grep -qx "$(printf 'fs.file-max\t100000\t66536\tok')"
	echo "$output" | grep -q "^rlimit.nofile.soft	"
	echo "$output" | grep -q "^rlimit.nofile.hard	"
	# every setting of the fake tree is checked, once
	local n
	for n in $SETTINGS; do
		[ -e "$ROOT/$(echo "$n" | tr . /)" ] || continue
		[ "$(echo "$output" | grep -c "^$n	")" -eq 1 ]
	done
}

@test "cometsysctl: wanted values grow with -n, and -l counts both ends" {
	fake net.core.somaxconn=100000 net.ipv4.tcp_max_syn_backlog=100000 \
	    net.ipv4.tcp_mem="1 2 3"
	run --separate-stderr cometsysctl -r "$ROOT" -n 600000
	echo "$output" | grep -qx "$(printf 'fs.file-max\t100000\t665536\tlow')"
	echo "$output" | grep -qx "$(printf 'fs.nr_open\t1048576\t601024\tok')"
	echo "$output" | grep -qx "$(printf 'net.core.somaxconn\t100000\t10000\tok')"
	echo "$output" | grep -qx "$(printf 'net.ipv4.tcp_mem\t1 2 3\t150000 300000 600000\tlow')"
	echo "$output" | grep -qx "$(printf 'net.ipv4.ip_local_port_range\t32768 60999\t32768 60999\tok')"
	run --separate-stderr cometsysctl -l -r "$ROOT" -n 600000
	echo "$output" | grep -qx "$(printf 'fs.file-max\t100000\t1265536\tlow')"
	echo "$output" | grep -qx "$(printf 'net.ipv4.tcp_mem\t1 2 3\t300000 600000 1200000\tlow')"
	echo "$output" | grep -qx "$(printf 'net.core.netdev_max_backlog\t1000\t1200\tlow')"
	echo "$output" | grep -qx "$(printf 'net.ipv4.ip_local_port_range\t32768 60999\t1024 65535\tlow')"
	# 600000 / 64512 ports per address pair
	[[ "$stderr" == *"600000 connections from this host need 10 source addresses"* ]]
}

@test "cometsysctl: -a raises the low ones, prints name old -> new, then all ok" {
	fake fs.file-max=5000000
	run --separate-stderr cometsysctl -a -r "$ROOT" -n 1000
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\t%s\t->\t%s\n' \
	    net.core.somaxconn 128 1024 \
	    net.ipv4.tcp_mem '100 200 300' '250 500 1000' \
	    net.ipv4.tcp_rmem '8192 65536 1048576' '4096 65536 1048576')" ]
	[ "$(value net.core.somaxconn)" = "1024" ]
	[ "$(value net.ipv4.tcp_mem)" = "250 500 1000" ]
	[ "$(value net.ipv4.tcp_rmem)" = "4096 65536 1048576" ]
	# a value already above what is wanted is left alone
	[ "$(value fs.file-max)" = "5000000" ]
	run --separate-stderr cometsysctl -r "$ROOT" -n 1000
	[ "$status" -eq 0 ]
	echo "$output" | awk -F'\t' '$4 != "ok" { exit 1 }'
	run --separate-stderr cometsysctl -a -r "$ROOT" -n 1000
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "cometsysctl: -a output restores the old values" {
	cp -r "$ROOT" "$BATS_TEST_TMPDIR/orig"
	cometsysctl -a -r "$ROOT" -n 1000 >"$BATS_TEST_TMPDIR/changes"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/changes")" -eq 3 ]
	local name old
	while IFS='	' read -r name old _ _; do
		printf '%s\n' "$old" >"$ROOT/$(echo "$name" | tr . /)"
	done <"$BATS_TEST_TMPDIR/changes"
	diff -r -w "$BATS_TEST_TMPDIR/orig" "$ROOT"
}

@test "cometsysctl: -p prints what sysctl -p accepts" {
	cometsysctl -p -r "$ROOT" -n 1000 >"$BATS_TEST_TMPDIR/60-comet.conf"
	cat "$BATS_TEST_TMPDIR/60-comet.conf"
	# name = value lines, comments, nothing else
	awk '/^#/ { next } !/^[a-z0-9_.-]+ = [0-9]+( [0-9]+)*$/ { exit 1 }' \
	    "$BATS_TEST_TMPDIR/60-comet.conf"
	[ "$(grep -vc '^#' "$BATS_TEST_TMPDIR/60-comet.conf")" -eq 3 ]
	# the real sysctl(8) loads it, into the fake tree mounted over
	# /proc/sys in a private mount namespace: the kernel is not touched
	unshare -m --propagation private sh -c '
	    mount --bind "$1" /proc/sys && test -e /proc/sys/comet-fake-root &&
	    sysctl -q -p "$2"' sh "$ROOT" "$BATS_TEST_TMPDIR/60-comet.conf"
	[ "$(value net.core.somaxconn)" = "1024" ]
	[ "$(value net.ipv4.tcp_mem)" = "250 500 1000" ]
	run --separate-stderr cometsysctl -r "$ROOT" -n 1000
	[ "$status" -eq 0 ]
}

@test "cometsysctl: a hard descriptor limit that cannot be raised says how to split" {
	# hard limit 20000 as on the reference machine; raising it needs
	# CAP_SYS_RESOURCE, dropped here.  (20000 - 1024) per process.
	run --separate-stderr setpriv --inh-caps=-sys_resource \
	    --bounding-set=-sys_resource bash -c 'ulimit -n 20000 && exec "$@"' sh \
	    "$COMET_BIN/cometsysctl" -l -r "$ROOT" -n 2000000
	[ "$status" -eq 1 ]
	echo "$output" | grep -qx "$(printf 'rlimit.nofile.soft\t20000\t2001024\tsplit')"
	echo "$output" | grep -qx "$(printf 'rlimit.nofile.hard\t20000\t2001024\tsplit')"
	[[ "$stderr" == *"rlimit.nofile.hard 20000 cannot be raised here: hold 2000000 connections in 106 processes: cometd -w 106, cometflood -j 106"* ]]
	# a soft limit below the hard one can be raised by the shell: low
	run --separate-stderr setpriv --inh-caps=-sys_resource \
	    --bounding-set=-sys_resource bash -c 'ulimit -Hn 20000 && ulimit -Sn 1000 && exec "$@"' sh \
	    "$COMET_BIN/cometsysctl" -r "$ROOT" -n 5000
	echo "$output" | grep -qx "$(printf 'rlimit.nofile.soft\t1000\t6024\tlow')"
	echo "$output" | grep -qx "$(printf 'rlimit.nofile.hard\t20000\t6024\tok')"
}

@test "cometsysctl: without conntrack there is no nf_conntrack_max line" {
	rm -f "$ROOT/net/netfilter/nf_conntrack_max"
	run --separate-stderr cometsysctl -r "$ROOT" -n 1000
	[ "$status" -eq 1 ]
	! echo "$output" | grep -q nf_conntrack
	fake net.netfilter.nf_conntrack_max=1000
	run --separate-stderr cometsysctl -r "$ROOT" -n 1000
	echo "$output" | grep -qx "$(printf 'net.netfilter.nf_conntrack_max\t1000\t67536\tlow')"
}

@test "cometsysctl: a missing or bad setting is an error naming it" {
	rm "$ROOT/net/core/somaxconn"
	run --separate-stderr cometsysctl -r "$ROOT" -n 1000
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"net.core.somaxconn under $ROOT: No such file or directory"* ]]
	fake net.core.somaxconn=lots
	run --separate-stderr cometsysctl -r "$ROOT" -n 1000
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"net.core.somaxconn under $ROOT: Invalid argument"* ]]
}

@test "cometsysctl: usage errors exit 2, -h exits 0" {
	run --separate-stderr cometsysctl -a -p -r "$ROOT"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"-a and -p cannot be used together"* ]]
	run --separate-stderr cometsysctl -n 0
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometsysctl: -n 0: must be 1 to 1000000000"$'\n'* ]]
	run --separate-stderr cometsysctl -n 12k
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometsysctl: -n 12k: not a number"$'\n'* ]]
	run --separate-stderr cometsysctl -n 5 extra
	[ "$status" -eq 2 ]
	[[ "$stderr" == "cometsysctl: extra operand: extra"$'\n'"usage: cometsysctl "* ]]
	run --separate-stderr cometsysctl -h
	[ "$status" -eq 0 ]
	[ "$output" = "usage: cometsysctl [-Vahlp] [-n conns] [-r root]" ]
}

@test "cometsysctl: etc/ files hold what it wants for 1,000,000" {
	local etc=$BATS_TEST_DIRNAME/../etc name value want
	cometsysctl -l -r "$ROOT" -n 1000000 >"$BATS_TEST_TMPDIR/want" 2>/dev/null || true
	[ "$(grep -c '^[a-z]' "$etc/sysctl.d/60-comet.conf")" -eq 6 ]
	while IFS='=' read -r name value; do
		name=${name% } value=${value# }
		want=$(awk -F'\t' -v n="$name" '$1 == n { print $3 }' "$BATS_TEST_TMPDIR/want")
		echo "$name: etc [$value] wanted [$want]"
		[ "$value" = "$want" ]
	done < <(grep '^[a-z]' "$etc/sysctl.d/60-comet.conf")
	want=$(awk -F'\t' '$1 == "rlimit.nofile.hard" { print $3 }' "$BATS_TEST_TMPDIR/want")
	[ "$(awk '$3 == "nofile" { print $4 }' "$etc/security/limits.d/comet.conf" | sort -u)" = "$want" ]
	grep -qx "LimitNOFILE=$want" "$etc/cometd.service"
	# and sysctl(8) loads it (into the fake tree, as above)
	unshare -m --propagation private sh -c '
	    mount --bind "$1" /proc/sys && test -e /proc/sys/comet-fake-root &&
	    sysctl -q -p "$2"' sh "$ROOT" "$etc/sysctl.d/60-comet.conf"
	[ "$(value net.ipv4.tcp_mem)" = "500000 1000000 2000000" ]
}
