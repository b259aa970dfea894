#!/bin/sh
# For every tool: the man page lints clean with mandoc, the usage line
# the binary prints for -h names the same options as the page's SYNOPSIS,
# and the page's .Os names the project and the version -V prints.
# usage: t/mancheck.sh builddir
b=${1:-build}
status=0

# flags: every option letter of a synopsis or usage line, one per line,
# sorted: "[-Vhv] [-a addr[-addr]]" gives -V -a -h -v (a bracket that
# opens a word starts an option group; clustered letters count each).
flags() {
	grep -oE -- '(^| )\[-[A-Za-z0-9]+' | sed 's/^ *\[-//' |
	    fold -w1 | sed 's/^/-/' | sort -u | tr '\n' ' '
}

for page in man/*.1; do
	p=$(basename "$page" .1)
	out=$(mandoc -Tlint -W warning "$page" 2>&1 | grep -v 'cannot find')
	if [ -n "$out" ]; then
		echo "mancheck: $page: $out" >&2
		status=1
	fi
	[ -x "$b/$p" ] || { echo "mancheck: $b/$p: not built" >&2; status=1; continue; }
	# words of the SYNOPSIS as rendered, and of the usage line, flags only
	syn=$(mandoc -Tascii "$page" 2>/dev/null | sed "s/.\x08//g" |
	    awk '/^SYNOPSIS/{s=1;next} /^[A-Z]/{s=0} s' | tr -s ' \n' '  ' |
	    flags)
	use=$("$b/$p" -h 2>&1 | flags)
	if [ "$syn" != "$use" ]; then
		echo "mancheck: $p: SYNOPSIS flags [$syn] differ from usage [$use]" >&2
		status=1
	fi
	# "cometd 1.0" from -V wants ".Os comet 1.0" in the page
	ver=$("$b/$p" -V 2>&1)
	v=${ver#"$p "}
	os=$(sed -n 's/^\.Os[ 	]*//p' "$page")
	if [ "$ver" != "$p $v" ] || [ "$os" != "comet $v" ]; then
		echo "mancheck: $page: .Os [$os]," \
		    "want [comet $v] from $p -V [$ver]" >&2
		status=1
	fi
done
exit $status
