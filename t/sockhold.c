/*
 * sockhold: hold exactly N socket descriptors (unbound TCP sockets), print
 * "ready" and wait to be killed.  cometmem's tests count them.
 * usage: sockhold count [kib]
 * With kib, also touch that many KiB of heap so resident memory moves.
 * SIGUSR1 makes it do it all again (count more sockets, kib more heap)
 * and print "grown".
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "num.h"

static volatile sig_atomic_t grow;
static char *volatile heap;	/* volatile: the touched heap must stay */

static void
on_usr1(int sig)
{
	(void)sig;
	grow = 1;
}

/* Take n sockets and kib KiB of touched heap; exit on failure. */
static void
take(long long n, long long kib)
{
	long long i;

	for (i = 0; i < n; i++)
		if (socket(AF_INET, SOCK_STREAM, 0) == -1)
			err(1, "socket %lld", i);
	if (kib > 0) {
		if ((heap = malloc(kib * 1024)) == NULL)
			err(1, "malloc");
		memset(heap, 1, kib * 1024);
	}
}

int
main(int argc, char *argv[])
{
	struct rlimit rl;
	const char *errstr;
	long long n, kib = 0;
	sigset_t set, old;

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
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGUSR1, on_usr1);
	take(n, kib);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		sigsuspend(&old);
		if (grow) {
			grow = 0;
			take(n, kib);
			printf("grown\n");
			fflush(stdout);
		}
	}
}
