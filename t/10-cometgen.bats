#!/usr/bin/env bats
# cometgen: the URL lines a flood reads.

load helper
bats_require_minimum_version 1.5.0

@test "cometgen prints count URLs for localhost:8000/test/" {
	run cometgen 3
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "http://localhost:8000/test/1" ]
	[ "${lines[2]}" = "http://localhost:8000/test/3" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "cometgen -a cycles the host through an address range" {
	run cometgen -a 127.0.0.1-127.0.0.3 -p 9000 -f 10 -P /stream/ 4
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "http://127.0.0.1:9000/stream/10" ]
	[ "${lines[1]}" = "http://127.0.0.2:9000/stream/11" ]
	[ "${lines[2]}" = "http://127.0.0.3:9000/stream/12" ]
	[ "${lines[3]}" = "http://127.0.0.1:9000/stream/13" ]
}

@test "cometgen -a takes one address or a host name" {
	run cometgen -a 10.1.2.3 1
	[ "$output" = "http://10.1.2.3:8000/test/1" ]
	run cometgen -a example-host.lan 1
	[ "$output" = "http://example-host.lan:8000/test/1" ]
}

@test "cometgen ranges cross octet boundaries" {
	run cometgen -a 127.0.0.255-127.0.1.0 3
	[ "${lines[0]}" = "http://127.0.0.255:8000/test/1" ]
	[ "${lines[1]}" = "http://127.0.1.0:8000/test/2" ]
	[ "${lines[2]}" = "http://127.0.0.255:8000/test/3" ]
}

@test "cometgen 0 prints nothing" {
	run cometgen 0
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "cometgen 1000000 prints a million lines, the last with id 1000000" {
	run bash -c "'$COMET_BIN/cometgen' 1000000 | awk 'END { print NR, \$0 }'"
	[ "$status" -eq 0 ]
	[ "$output" = "1000000 http://localhost:8000/test/1000000" ]
}

@test "cometgen 1000000 | head -3 exits quietly" {
	run --separate-stderr bash -c "'$COMET_BIN/cometgen' 1000000 | head -3"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ -z "$stderr" ]
	# and when SIGPIPE is ignored, EPIPE ends it just as quietly
	run --separate-stderr bash -c "trap '' PIPE; '$COMET_BIN/cometgen' 1000000 | head -1"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "cometgen -h prints usage on stdout and exits 0" {
	run --separate-stderr cometgen -h
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: cometgen "* ]]
}

@test "cometgen bad invocations print usage or the bad value, status 2" {
	run -2 --separate-stderr cometgen
	[[ "$stderr" == "cometgen: missing operand"$'\n'"usage: cometgen "* ]]
	run -2 --separate-stderr cometgen 1 2
	[[ "$stderr" == "cometgen: extra operand: 2"$'\n'"usage: cometgen "* ]]
	run -2 --separate-stderr cometgen -x 1
	[[ "$stderr" == *"usage: cometgen "* ]]
	run -2 --separate-stderr cometgen abc
	[[ "$stderr" == "cometgen: count abc: not a number"$'\n'* ]]
	run -2 --separate-stderr cometgen -p 0 1
	[[ "$stderr" == "cometgen: -p 0: must be 1 to 65535"$'\n'* ]]
	run -2 --separate-stderr cometgen -p 65536 1
	[[ "$stderr" == "cometgen: -p 65536: must be 1 to 65535"$'\n'* ]]
	run -2 --separate-stderr cometgen -f -1 1
	[[ "$stderr" == "cometgen: -f -1: must be 0 to "*$'\n'* ]]
	run -2 --separate-stderr cometgen -a 127.0.0.9-127.0.0.1 1
	[[ "$stderr" == "cometgen: -a 127.0.0.9-127.0.0.1: not a host name, address or address range"$'\n'* ]]
	run -2 --separate-stderr cometgen -a 127.0.0.300 1
	[[ "$stderr" == "cometgen: -a 127.0.0.300: not a host"* ]]
	run -2 --separate-stderr cometgen -P nope 1
	[[ "$stderr" == "cometgen: -P nope: must start with /"* ]]
	[ -z "$output" ]
}
