#!/usr/bin/env bats
# make install and make uninstall into a scratch DESTDIR: every binary, man
# page and example config lands where README ("Install") says, and
# uninstall takes it all away again.

load helper
bats_require_minimum_version 1.5.0

PROGS="cometd cometflood cometgen cometmem cometsysctl"

setup() {
	ROOT=$BATS_TEST_DIRNAME/..
	DEST=$BATS_TEST_TMPDIR/root
}

# mk TARGET [VAR=value...]: make in the source tree with the binaries the
# suite tests (COMET_BIN), so nothing is rebuilt elsewhere
mk() {
	make -C "$ROOT" -s B="$COMET_BIN" DESTDIR="$DEST" "$@"
}

# configs: every file under etc/, as a path below it
configs() {
	(cd "$ROOT/etc" && find . -type f | sed 's|^\./||' | sort)
}

@test "install: PREFIX=/usr puts binaries, pages and configs where README says" {
	local p f
	run mk install PREFIX=/usr
	[ "$status" -eq 0 ]
	for p in $PROGS; do
		[ -x "$DEST/usr/bin/$p" ]
		[ "$("$DEST/usr/bin/$p" -V)" = "$("$COMET_BIN/$p" -V)" ]
		cmp "$ROOT/man/$p.1" "$DEST/usr/share/man/man1/$p.1"
	done
	# the three README names, and anything else etc/ holds
	[ -f "$DEST/usr/share/comet/cometd.service" ]
	[ -f "$DEST/usr/share/comet/sysctl.d/60-comet.conf" ]
	[ -f "$DEST/usr/share/comet/security/limits.d/comet.conf" ]
	for f in $(configs); do
		[ -f "$DEST/usr/share/comet/$f" ]
		[ "$(stat -c %a "$DEST/usr/share/comet/$f")" = 644 ]
		[ "$f" = cometd.service ] || cmp "$ROOT/etc/$f" "$DEST/usr/share/comet/$f"
	done
	# the unit names the binary where this PREFIX put it
	grep -qx 'ExecStart=/usr/bin/cometd .*' "$DEST/usr/share/comet/cometd.service"
	! grep -q /usr/local/bin "$DEST/usr/share/comet/cometd.service"
	# and nothing else was installed
	[ "$(find "$DEST" -type f | wc -l)" -eq $((2 * 5 + $(configs | wc -l))) ]
}

@test "install: uninstall removes every file and share/comet" {
	run mk install PREFIX=/usr
	[ "$status" -eq 0 ]
	run mk uninstall PREFIX=/usr
	[ "$status" -eq 0 ]
	[ -z "$(find "$DEST" -type f)" ]
	[ ! -e "$DEST/usr/share/comet" ]
	# the shared directories stay
	[ -d "$DEST/usr/bin" ]
	[ -d "$DEST/usr/share/man/man1" ]
}

@test "install: the default PREFIX is /usr/local, the unit as shipped" {
	run mk install
	[ "$status" -eq 0 ]
	[ -x "$DEST/usr/local/bin/cometd" ]
	[ -f "$DEST/usr/local/share/man/man1/cometsysctl.1" ]
	cmp "$ROOT/etc/cometd.service" "$DEST/usr/local/share/comet/cometd.service"
	grep -qx 'ExecStart=/usr/local/bin/cometd .*' \
	    "$DEST/usr/local/share/comet/cometd.service"
}
