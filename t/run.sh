#!/usr/bin/env bash
# Run the bats suite (or the files named) in TAP form and end with one
# "N passed, M failed" line, so a CI log says what ran.  Exits with bats'
# own status.
set -o pipefail
[ $# -gt 0 ] || set -- "$(dirname "$0")"
bats --tap "$@" | awk '
	{ print; fflush() }
	/^ok / { if ($0 ~ / # skip/) s++; else p++ }
	/^not ok / { f++ }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
