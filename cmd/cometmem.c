/*
 * cometmem: how much memory does a connection cost?  Samples resident
 * memory and socket descriptors of the given processes from /proc and
 * divides one by the other; optionally the kernel's share too.
 */
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sizing/kmem.h"
#include "opt.h"
#include "sizing/proc.h"

struct target {
	pid_t			tg_pid;
	int			tg_alive;
	unsigned long long	tg_rss;		/* bytes, this sample */
	long			tg_socks;	/* socket fds, this sample */
	unsigned long long	tg_rss0;	/* bytes, baseline sample */
	long			tg_socks0;	/* socket fds, baseline sample */
};

struct row {
	unsigned long long	rw_rss, rw_rss0;
	long			rw_socks, rw_socks0;
};

static struct target *tgs;	/* the processes sampled, each once */
static int	 ntg, tgcap;
static int	 aflag, bflag, kflag;
static int	 kvalid;	/* kperconn known: there are sockets */
static long long kperconn;	/* kernel bytes per socket, rounded */
static struct kmem km0;		/* kernel figures of the first sample */

static void __attribute__((noreturn))
usage(FILE *f, int status)
{
	fprintf(f, "usage: cometmem [-Vabchk] [-i interval] [-n count] pid ...\n");
	exit(status);
}

/* num / den rounded, or "-" when den is 0: awk reads "-" as 0. */
static const char *
ratio(char *buf, size_t len, long long num, long long den)
{
	if (den == 0)
		return "-";
	snprintf(buf, len, "%.0f", (double)num / (double)den);
	return buf;
}

static void
print_header(void)
{
	printf("time\tpid\t%s\tsockets\tbytes_per_sock",
	    aflag ? "anon_bytes" : "rss_bytes");
	if (bflag)
		printf("\tmarginal_per_sock");
	if (kflag)
		printf("\tkernel_bytes\tkernel_per_sock");
	printf("\n");
}

static void
print_row(double t, const char *label, const struct row *r)
{
	char a[32];

	printf("%.1f\t%s\t%llu\t%ld\t%s", t, label, r->rw_rss, r->rw_socks,
	    ratio(a, sizeof(a), (long long)r->rw_rss, r->rw_socks));
	if (bflag)
		printf("\t%s", ratio(a, sizeof(a), (long long)(r->rw_rss -
		    r->rw_rss0), r->rw_socks - r->rw_socks0));
	if (kflag && !kvalid)
		printf("\t-\t-");
	else if (kflag)
		printf("\t%lld\t%lld", kperconn * r->rw_socks, kperconn);
	printf("\n");
}

/* Read one target; a process that went away is reported once. */
static void
sample_target(struct target *tg, int first)
{
	if (proc_rss(tg->tg_pid, aflag, &tg->tg_rss) == -1 ||
	    proc_sockets(tg->tg_pid, &tg->tg_socks) == -1) {
		if (errno != ESRCH)
			warn("pid %d", (int)tg->tg_pid);
		else
			warnx("pid %d: vanished", (int)tg->tg_pid);
		tg->tg_alive = 0;
		return;
	}
	if (first) {
		tg->tg_rss0 = tg->tg_rss;
		tg->tg_socks0 = tg->tg_socks;
	}
}

/* Kernel bytes per socket: since the baseline with -b, else overall. */
static void
sample_kernel(int first)
{
	struct kmem km;
	long long dk, ds;

	if (kmem_read(&km) == -1)
		err(1, "kernel memory from /proc");
	if (first)
		km0 = km;
	dk = (long long)kmem_bytes(&km);
	ds = km.km_sockets;
	if (bflag) {
		dk -= (long long)kmem_bytes(&km0);
		ds -= km0.km_sockets;
	}
	kvalid = ds > 0;
	if (kvalid)
		kperconn = dk >= 0 ? (dk + ds / 2) / ds :
		    -((-dk + ds / 2) / ds);
}

/* One sample: a row per live pid, then the total.  Returns pids alive. */
static int
sample(double t, int first)
{
	struct row r, tot;
	char label[16];
	int i, alive = 0;

	for (i = 0; i < ntg; i++)
		if (tgs[i].tg_alive)
			sample_target(&tgs[i], first);
	if (kflag)
		sample_kernel(first);
	memset(&tot, 0, sizeof(tot));
	for (i = 0; i < ntg; i++) {
		if (!tgs[i].tg_alive)
			continue;
		alive++;
		r.rw_rss = tgs[i].tg_rss;
		r.rw_rss0 = tgs[i].tg_rss0;
		r.rw_socks = tgs[i].tg_socks;
		r.rw_socks0 = tgs[i].tg_socks0;
		snprintf(label, sizeof(label), "%d", (int)tgs[i].tg_pid);
		print_row(t, label, &r);
		tot.rw_rss += r.rw_rss;
		tot.rw_rss0 += r.rw_rss0;
		tot.rw_socks += r.rw_socks;
		tot.rw_socks0 += r.rw_socks0;
	}
	if (alive > 0)
		print_row(t, "total", &tot);
	if (fflush(stdout) == EOF)
		err(1, "stdout");
	return alive;
}

/* Add pid unless it is there already: each process counts once in total. */
static int
add_target(pid_t pid)
{
	struct target *t;
	int i;

	for (i = 0; i < ntg; i++)
		if (tgs[i].tg_pid == pid)
			return 0;
	if (ntg == tgcap) {
		tgcap = tgcap ? 2 * tgcap : 64;
		if ((t = reallocarray(tgs, tgcap, sizeof(*t))) == NULL)
			return -1;
		tgs = t;
	}
	memset(&tgs[ntg], 0, sizeof(tgs[ntg]));
	tgs[ntg].tg_pid = pid;
	tgs[ntg++].tg_alive = 1;
	return 0;
}

/* A child found by -c; one that already exited or is a zombie is left out. */
static int
add_child(pid_t pid, void *arg)
{
	unsigned long long rss;

	(void)arg;
	if (proc_rss(pid, 0, &rss) == -1)
		return errno == ESRCH ? 0 : -1;
	return add_target(pid);
}

/* -c: every descendant, breadth first, the list growing as it is read. */
static void
add_descendants(void)
{
	int i;

	for (i = 0; i < ntg; i++)
		if (proc_children(tgs[i].tg_pid, add_child, NULL) == -1 &&
		    errno != ESRCH)
			err(1, "children of pid %d", (int)tgs[i].tg_pid);
}

static double
elapsed(const struct timespec *start, const struct timespec *now)
{
	return (double)(now->tv_sec - start->tv_sec) +
	    (double)(now->tv_nsec - start->tv_nsec) / 1e9;
}

/* Sleep until start + n * ms, so that sample times do not drift. */
static void
sleep_until(const struct timespec *start, long long n, long long ms)
{
	struct timespec at;
	long long ns;

	ns = (long long)start->tv_nsec + (n * ms % 1000) * 1000000;
	at.tv_sec = start->tv_sec + n * ms / 1000 + ns / 1000000000;
	at.tv_nsec = ns % 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at,
	    NULL) == EINTR)
		;
}

int
main(int argc, char *argv[])
{
	struct timespec start, now;
	unsigned long long rss;
	long long count = 1, ms = 0, n;
	int ch, i, cflag = 0, iflag = 0, nflag = 0;
	pid_t pid;

	opt_init(argc, argv, usage);
	while ((ch = getopt(argc, argv, "Vabchi:kn:")) != -1) {
		switch (ch) {
		case 'V':
			opt_version();
		case 'a':
			aflag = 1;
			break;
		case 'b':
			bflag = 1;
			break;
		case 'c':
			cflag = 1;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case 'i':
			ms = opt_duration(ch, optarg, 1, 86400000);
			iflag = 1;
			break;
		case 'k':
			kflag = 1;
			break;
		case 'n':
			count = opt_number(ch, optarg, 1, LLONG_MAX / 86400000);
			nflag = 1;
			break;
		default:
			usage(stderr, 2);
		}
	}
	argc -= optind;
	argv += optind;
	opt_operands(argc, argv, 1, INT_MAX);
	if (iflag && !nflag)
		count = 0;		/* until killed */
	if (nflag && !iflag)
		ms = 1000;

	for (i = 0; i < argc; i++) {
		pid = opt_operand("pid", argv[i], 1, INT_MAX);
		if (proc_rss(pid, 0, &rss) == -1)
			err(1, "pid %s", argv[i]);
		if (add_target(pid) == -1)
			err(1, NULL);
	}
	if (cflag)
		add_descendants();

	clock_gettime(CLOCK_MONOTONIC, &start);
	print_header();
	for (n = 0; count == 0 || n < count; n++) {
		if (n > 0)
			sleep_until(&start, n, ms);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (sample(elapsed(&start, &now), n == 0) == 0)
			errx(1, "no process left to sample");
	}
	free(tgs);
	return 0;
}
