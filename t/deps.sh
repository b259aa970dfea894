#!/bin/sh
# Make sure what the test suite runs is installed: bats, curl, mandoc.
# Installs the Debian packages when root; otherwise says how and fails,
# so a missing tool never turns into a silently green run.
missing=
command -v bats >/dev/null 2>&1 || missing="$missing bats"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
command -v mandoc >/dev/null 2>&1 || missing="$missing mandoc"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "t/deps.sh: installing:$missing" >&2
	apt-get update -qq >/dev/null &&
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null &&
	exit 0
	echo "t/deps.sh: apt-get install$missing failed" >&2
	exit 1
fi
echo "t/deps.sh: missing:$missing; install with: sudo apt-get install$missing" >&2
exit 1
