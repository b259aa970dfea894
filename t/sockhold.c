/*
 * sockhold: hold exactly N socket descriptors (unbound TCP sockets), print
 * "ready" and wait to be killed.  cometmem's tests count them.
 * usage: sockhold count [kib]
 * With kib, also touch that many KiB of heap so resident memory moves.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "num.h"

int
main(int argc, char *argv[])
{
	struct rlimit rl;
	const char *errstr;
	long long i, n, kib = 0;
	char *mem;

	if (argc < 2 || argc > 3)
		errx(2, "usage: sockhold count [kib]");
	n = num_parse(argv[1], 0, 1000000, &errstr);
	if (errstr)
		errx(2, "count %s: %s", argv[1], errstr);
	if (argc == 3) {
		kib = num_parse(argv[2], 0, 1 << 20, &errstr);
		if (errstr)
			errx(2, "kib %s: %s", argv[2], errstr);
	}
	/* only our own sockets: drop whatever the test runner left open */
	closefrom(3);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < n; i++)
		if (socket(AF_INET, SOCK_STREAM, 0) == -1)
			err(1, "socket %lld", i);
	if (kib > 0) {
		if ((mem = malloc(kib * 1024)) == NULL)
			err(1, "malloc");
		memset(mem, 1, kib * 1024);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
