/*
 * cometflood: read URLs, hold one streaming GET open for each, and print
 * "Stats: {Active,Closed,Chunks}" every -r seconds, as the floodtest of
 * the mochiweb article did, but for a million connections: the work is
 * done by worker processes (lib/flood/pool.c, flood.c) and summed here.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "flood/flood.h"
#include "flood/pace.h"
#include "flood/pool.h"
#include "flood/report.h"
#include "flood/source.h"
#include "opt.h"

#define MAXWORKERS	1024
#define FD_RESERVE	32	/* a worker's own fds besides connections */
#define DAY_MS		86400000LL
#define YEAR_MS		(DAY_MS * 365)
#define RATE_MAX	10000000	/* -R: connects a second */
#define RATE_SLACK_NS	20000000	/* -R catches up 20 ms at most */
#define BIND_MAX	65536		/* -b: addresses checked up front */

struct run {
	struct source	 ru_src;
	struct pool	 ru_pool;
	struct flood_conf ru_conf;
	struct pace	 ru_pace;	/* -w, -R */
	struct report	 ru_report;
	struct addr_range ru_bind;	/* -b; ar_count 0: none */
	long long	 ru_rate;	/* -R: connects a second; 0: none */
	long long	 ru_jobs;	/* -j; 0: as many as needed */
	int		 ru_tsv;	/* -o tsv */
	int		 ru_kports;	/* -k: the kernel picks ports */
	int		 ru_sig;	/* signalfd: INT, TERM, CHLD */
	long long	 ru_every;	/* report period, ms */
	long long	 ru_hold;	/* ms to hold after the ramp; -1 ever */
	uint64_t	 ru_t0, ru_now;	/* ms, monotonic */
	uint64_t	 ru_next_report, ru_end;
	uint64_t	 ru_pace_ms;	/* ms until the next connect may go */
	char		 ru_rec[sizeof(struct flood_rec) + FLOOD_REQMAX];
	size_t		 ru_reclen;	/* a record waiting for its worker */
	int		 ru_recw;
	int		 ru_eof;	/* every input has ended */
	int		 ru_closed;	/* worker pipes closed */
	int		 ru_failed;	/* inputs or lines skipped, workers lost */
	pid_t		 ru_parent;
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: cometflood [-Vhk] [-b addr[-addr]] [-c inflight] "
	    "[-d duration] [-j workers] [-o tsv] [-R rate] [-r period] "
	    "[-s proto] [-t timeout] [-w wait] [file ...]\n");
	exit(status);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Returns 1 if the pacing lets a connect go now, else sets ru_pace_ms. */
static int
pace_ok(struct run *r)
{
	uint64_t ns = pace_wait(&r->ru_pace, now_ns());

	r->ru_pace_ms = (ns + 999999) / 1000000;
	return ns == 0;
}

static int
worker_main(int index, int in, struct flood_stats *st, void *arg)
{
	struct run *r = arg;

	(void)index;
	/* a parent killed with SIGKILL takes its workers along */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != r->ru_parent)
		return 1;
	if (flood_run(&r->ru_conf, in, st) == -1) {
		warn("worker %d", index);
		return 1;
	}
	return 0;
}

/* Queue the pending record; returns 0 while its worker's queue is full. */
static int
queue_record(struct run *r)
{
	struct pool *p = &r->ru_pool;

	if (pool_put(p, r->ru_recw, r->ru_rec, r->ru_reclen) == -1) {
		pool_flush(p, r->ru_recw);
		if (pool_put(p, r->ru_recw, r->ru_rec, r->ru_reclen) == -1)
			return 0;
	}
	r->ru_reclen = 0;
	return 1;
}

/* Read lines and queue records until input, pacing or a queue stops us. */
static void
pump(struct run *r)
{
	char why[512];

	for (;;) {
		if (r->ru_reclen > 0) {
			if (!pace_ok(r) || !queue_record(r))
				return;
			pace_sent(&r->ru_pace);
		}
		switch (source_next(&r->ru_src, r->ru_rec, sizeof(r->ru_rec),
		    &r->ru_reclen, why, sizeof(why))) {
		case SOURCE_MORE:
			return;
		case SOURCE_EOF:
			r->ru_eof = 1;
			return;
		case SOURCE_SKIP:
			warnx("%s", why);
			r->ru_failed = 1;
			continue;
		case SOURCE_REC:
			break;
		}
		if ((r->ru_recw = pool_pick(&r->ru_pool)) == -1) {
			warn("no worker");
			r->ru_reclen = 0;
			r->ru_failed = 1;
		}
	}
}

/* Why connections closed, aggregated, on stderr. */
static void
report_why(struct run *r)
{
	char buf[16384];
	int n;

	while ((n = report_closed(&r->ru_report, r->ru_pool.pl_st,
	    r->ru_pool.pl_n, buf, sizeof(buf))) > 0)
		(void)!write(STDERR_FILENO, buf, n);
}

/* One report line: Stats, or a tsv row; final for the one at the end. */
static void
report(struct run *r, int final)
{
	struct flood_stats s;
	char line[512];
	int n;

	pool_sum(&r->ru_pool, &s, r->ru_tsv ? POOL_LAT : 0);
	if ((n = report_line(&r->ru_report, r->ru_now, &s, final, line,
	    sizeof(line))) > 0)
		fwrite(line, 1, n, stdout);
	fflush(stdout);
	report_why(r);
}

static void
summary_line(const char *name, const struct hist *h, double scale)
{
	char line[256];
	int n;

	if ((n = report_summary(name, h, scale, line, sizeof(line))) > 0)
		fwrite(line, 1, n, stdout);
}

/* The end: stop the workers, print the final report and the summary. */
static int
finish(struct run *r)
{
	struct flood_stats s;

	pool_stop(&r->ru_pool);
	r->ru_now = now_ns() / 1000000;
	report(r, 1);
	pool_sum(&r->ru_pool, &s, POOL_HISTS);
	summary_line("connect_ms", &s.st_connect_us, 0.001);
	summary_line("interarrival_ms", &s.st_inter_ms, 1);
	summary_line("latency_ms", &s.st_lat_us, 0.001);
	fflush(stdout);
	return s.st_closed > 0 || r->ru_failed ? 1 : 0;
}

/*
 * Signals arrive on ru_sig; returns 1 when told to stop.  A worker that
 * exits on its own is a failure, unless we are stopping anyway.
 */
static int
on_signal(struct run *r)
{
	struct signalfd_siginfo si;
	int stop = 0, child = 0;

	while (read(r->ru_sig, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			child = 1;
		else
			stop = 1;
	}
	if (!stop && child && pool_reap(&r->ru_pool) > 0) {
		warnx("a worker exited early");
		r->ru_failed = 1;
	}
	return stop;
}

/* Milliseconds poll may sleep before something is due. */
static int
next_timeout(struct run *r)
{
	uint64_t due = r->ru_next_report;

	if (r->ru_reclen > 0 && r->ru_pace_ms > 0 &&
	    r->ru_now + r->ru_pace_ms < due)
		due = r->ru_now + r->ru_pace_ms;
	if (r->ru_end && r->ru_end < due)
		due = r->ru_end;
	if (r->ru_closed && !r->ru_end && r->ru_now + 20 < due)
		due = r->ru_now + 20;	/* polling the workers' idle flags */
	return due > r->ru_now ? (int)(due - r->ru_now) : 0;
}

/*
 * Once every URL has been tried: hold for -d, or for ever; but when no
 * connection is left open, nothing more can happen, so end now.
 */
static int
all_done(struct run *r)
{
	struct flood_stats s;

	if (!r->ru_closed || !pool_idle(&r->ru_pool))
		return 0;
	pool_sum(&r->ru_pool, &s, 0);
	if (s.st_active == 0)
		return 1;
	if (!r->ru_end && r->ru_hold >= 0)
		r->ru_end = r->ru_now + r->ru_hold;
	return r->ru_end && r->ru_now >= r->ru_end;
}

/* Steps due now; returns 1 when the run is over. */
static int
tick(struct run *r)
{
	int i;

	r->ru_now = now_ns() / 1000000;
	pump(r);
	for (i = 0; i < r->ru_pool.pl_n; i++)
		pool_flush(&r->ru_pool, i);
	if (r->ru_eof && r->ru_reclen == 0 && !r->ru_closed &&
	    !pool_pending(&r->ru_pool)) {
		pool_close(&r->ru_pool);
		r->ru_closed = 1;
	}
	if (all_done(r))
		return 1;
	if (r->ru_now >= r->ru_next_report) {
		report(r, 0);
		r->ru_next_report += r->ru_every;
		if (r->ru_next_report <= r->ru_now)
			r->ru_next_report = r->ru_now + r->ru_every;
	}
	return 0;
}

static void
run_loop(struct run *r)
{
	static struct pollfd pfd[MAXWORKERS + 2];
	int i, n, in;

	while (!tick(r)) {
		n = 0;
		pfd[n].fd = r->ru_sig;
		pfd[n++].events = POLLIN;
		in = !r->ru_eof && r->ru_reclen == 0;
		if (in) {
			pfd[n].fd = feed_fd(&r->ru_src.so_feed);
			pfd[n++].events = POLLIN;
		}
		for (i = 0; i < r->ru_pool.pl_n; i++)
			if (r->ru_pool.pl_w[i].wk_len > 0 &&
			    r->ru_pool.pl_w[i].wk_fd != -1) {
				pfd[n].fd = r->ru_pool.pl_w[i].wk_fd;
				pfd[n++].events = POLLOUT;
			}
		if (poll(pfd, n, next_timeout(r)) == -1 && errno != EINTR)
			err(1, "poll");
		if (pfd[0].revents && on_signal(r))
			return;
		if (in && pfd[1].revents)
			(void)feed_fill(&r->ru_src.so_feed);
	}
}

/* Signals become events on a signalfd; workers inherit the mask. */
static int
setup_signals(void)
{
	sigset_t mask;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1 ||
	    (fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		err(1, "signalfd");
	return fd;
}

/* As many descriptors as allowed; returns the limit. */
static unsigned
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(1, "getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur > 1 << 24)
		rl.rlim_cur = 1 << 24;
	if (rl.rlim_cur < FD_RESERVE + 16)
		errx(1, "RLIMIT_NOFILE %llu is too low",
		    (unsigned long long)rl.rlim_cur);
	return rl.rlim_cur;
}

/* -b: every address of the range must be this host's. */
static void
check_bind(int ch, const char *arg, const struct addr_range *r)
{
	struct in_addr bad;
	char a[INET_ADDRSTRLEN], why[128];

	if (r->ar_count > BIND_MAX)
		opt_bad(ch, arg, "more than 65536 addresses");
	if (addr_range_local(r, &bad) == 0)
		return;
	inet_ntop(AF_INET, &bad, a, sizeof(a));
	snprintf(why, sizeof(why), "%s is not an address of this host (%s)",
	    a, strerror(errno));
	opt_bad(ch, arg, why);
}

/* -s: a protocol's name. */
static enum flood_proto
opt_proto(int ch, const char *arg)
{
	int i;

	for (i = FLOOD_CHUNKED; i <= FLOOD_WS; i++)
		if (strcmp(arg, source_protos[i]) == 0)
			return (enum flood_proto)i;
	opt_bad(ch, arg, "must be chunked, sse or ws");
}

/* The options that take a value, into r. */
static void
option(struct run *r, int ch, const char *arg)
{
	switch (ch) {
	case 'R':
		r->ru_rate = opt_number(ch, arg, 1, RATE_MAX);
		break;
	case 'b':
		if (addr_range_parse(arg, &r->ru_bind) == -1)
			opt_bad(ch, arg, "not an IPv4 address or range "
			    "(a.b.c.d-a.b.c.e)");
		check_bind(ch, arg, &r->ru_bind);
		break;
	case 'c':
		r->ru_conf.fo_inflight = opt_number(ch, arg, 1, 65535);
		break;
	case 'd':
		r->ru_hold = opt_duration(ch, arg, 0, YEAR_MS);
		break;
	case 'j':
		r->ru_jobs = opt_number(ch, arg, 1, MAXWORKERS);
		break;
	case 'o':
		if (strcmp(arg, "tsv") != 0 && strcmp(arg, "stats") != 0)
			opt_bad(ch, arg, "must be tsv or stats");
		r->ru_tsv = strcmp(arg, "tsv") == 0;
		break;
	case 'r':
		r->ru_every = opt_duration(ch, arg, 10, DAY_MS);
		break;
	case 's':
		r->ru_conf.fo_proto = opt_proto(ch, arg);
		break;
	case 't':
		r->ru_conf.fo_timeout_ms = opt_duration(ch, arg, 0, DAY_MS);
		break;
	}
}

/* The command line, into r; returns optind. */
static int
options(struct run *r, int argc, char *argv[])
{
	const char *rate = NULL;
	long long wait = 0;
	int ch;

	while ((ch = getopt(argc, argv, "R:Vb:c:d:hj:ko:r:s:t:w:")) != -1) {
		switch (ch) {
		case 'V':
			opt_version();
		case 'h':
			usage(stdout, 0);
		case 'k':
			r->ru_kports = 1;
			break;
		case 'w':
			wait = opt_duration(ch, optarg, 0, 3600000);
			break;
		case '?':
			usage(stderr, 2);
		default:
			option(r, ch, optarg);
			rate = ch == 'R' ? optarg : rate;
		}
	}
	if (rate != NULL && wait > 0)
		opt_bad('R', rate, "paces connects as -w does: give one");
	if (rate != NULL)
		pace_init(&r->ru_pace, 1000000000 / r->ru_rate, RATE_SLACK_NS);
	else
		pace_init(&r->ru_pace, wait * 1000000, 0);
	return optind;
}

/*
 * The inputs, and the source ports: the kernel's range, handed out per
 * address pair, unless -k leaves the choice to the kernel (or the range
 * cannot be read).
 */
static void
setup_source(struct run *r, int argc, char *argv[])
{
	uint16_t lo = 0, hi = 0;

	if (!r->ru_kports && ports_range(&lo, &hi) == -1) {
		warn("ip_local_port_range: the kernel picks source ports");
		lo = 0;
	}
	if (source_init(&r->ru_src, (const char **)argv, argc,
	    r->ru_conf.fo_proto, &r->ru_bind, lo, hi,
	    (uint32_t)(now_ns() ^ (uint64_t)getpid() << 16)) == -1)
		err(1, "input buffer");
	r->ru_conf.fo_port_lo = lo;
	r->ru_conf.fo_port_hi = lo ? hi : 0;
}

int
main(int argc, char *argv[])
{
	static struct run r;
	unsigned nofile;
	char line[256];
	int n;

	r.ru_conf.fo_inflight = 256;
	r.ru_conf.fo_timeout_ms = 30000;
	r.ru_every = 10000;
	r.ru_hold = -1;
	opt_init(argc, argv, usage);
	n = options(&r, argc, argv);
	setup_source(&r, argc - n, argv + n);
	nofile = raise_nofile();
	r.ru_conf.fo_maxconn = nofile;
	r.ru_sig = setup_signals();
	r.ru_parent = getpid();
	r.ru_t0 = r.ru_now = now_ns() / 1000000;
	r.ru_next_report = r.ru_t0 + r.ru_every;
	report_init(&r.ru_report, r.ru_t0, r.ru_every, r.ru_tsv,
	    r.ru_rate > 0);
	if ((n = report_header(&r.ru_report, line, sizeof(line))) > 0) {
		fwrite(line, 1, n, stdout);
		fflush(stdout);
	}
	if (pool_init(&r.ru_pool, r.ru_jobs ? r.ru_jobs : MAXWORKERS,
	    r.ru_jobs != 0, nofile - FD_RESERVE, worker_main, &r) == -1)
		err(1, "workers");
	run_loop(&r);
	return finish(&r);
}
