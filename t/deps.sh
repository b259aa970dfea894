#!/bin/sh
# Make sure what the test suite runs is installed: the Debian packages of
# the real clients and servers the tests start (bats, curl, mandoc,
# chromium, python3-websockets, redis-server, nginx, openssl, promtool
# from prometheus) and the npm packages of t/browser (puppeteer-core,
# ws).  Installs them when root; otherwise says how and fails, so a
# missing tool never turns into a silently green run.  Nothing it
# installs is started here: the tests start their own on free ports.
need() {
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
missing=
need bats bats
need curl curl
need ss iproute2
need mandoc mandoc
need chromium chromium
need redis-server redis-server
need nginx nginx
need openssl openssl
need promtool prometheus
need node nodejs
need npm npm
/usr/bin/python3 -c 'import websockets' 2>/dev/null ||
    missing="$missing python3-websockets"
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "t/deps.sh: missing:$missing; install with:" \
		    "sudo apt-get install$missing" >&2
		exit 1
	fi
	echo "t/deps.sh: installing:$missing" >&2
	# a service a package starts is not ours: the tests start their own
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	apt-get update -qq >/dev/null &&
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $missing >/dev/null
	rc=$?
	rm -f /usr/sbin/policy-rc.d
	if [ $rc != 0 ]; then
		echo "t/deps.sh: apt-get install$missing failed" >&2
		exit 1
	fi
fi
b=$(dirname "$0")/browser
if [ ! -d "$b/node_modules/puppeteer-core" ] || [ ! -d "$b/node_modules/ws" ]; then
	echo "t/deps.sh: npm ci in $b" >&2
	(cd "$b" && npm ci --no-audit --no-fund --silent) || {
		echo "t/deps.sh: npm ci in $b failed" >&2
		exit 1
	}
fi
exit 0
