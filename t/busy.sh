#!/bin/sh
# t/busy.sh CMD...: run CMD while two processes spin, one per core of a
# two-core machine, so that the suite meets a machine busy with other
# work, as users' machines are.  The spinners are started here, stopped
# here by their PIDs, and never outlive CMD.  Exits with CMD's status.
spin() { while :; do :; done; }
spin & a=$!
spin & b=$!
trap 'kill $a $b 2>/dev/null' EXIT INT TERM
"$@"
