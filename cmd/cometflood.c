/*
 * cometflood: read URLs, hold one streaming GET open for each, and print
 * "Stats: {Active,Closed,Chunks}" every -r seconds, as the floodtest of
 * the mochiweb article did, but for a million connections: the work is
 * done by worker processes (lib/pool.c, lib/flood.c) and summed here.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flood/feed.h"
#include "flood/flood.h"
#include "num.h"
#include "flood/pool.h"
#include "flood/resolve.h"
#include "flood/url.h"

#define MAXWORKERS	1024
#define FD_RESERVE	32	/* a worker's own fds besides connections */

struct run {
	struct feed	 r_feed;
	struct pool	 r_pool;
	struct flood_conf r_conf;
	int		 r_sig;		/* signalfd: INT, TERM, CHLD */
	int		 r_tsv;
	long long	 r_every;	/* report period, ms */
	long long	 r_hold;	/* ms to hold after the ramp; -1 ever */
	long long	 r_wait;	/* ms between opens */
	uint64_t	 r_t0, r_now;	/* ms, monotonic */
	uint64_t	 r_next_report, r_next_send, r_end;
	uint64_t	 r_last_t, r_last_conn, r_last_chunks;
	char		 r_rec[sizeof(struct flood_rec) + FLOOD_REQMAX];
	size_t		 r_reclen;	/* a record waiting for its worker */
	int		 r_recw;
	int		 r_eof;		/* every input has ended */
	int		 r_closed;	/* worker pipes closed */
	int		 r_failed;	/* lines skipped, workers lost */
	pid_t		 r_parent;
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: cometflood [-b addr[-addr]] [-c inflight] "
	    "[-d secs] [-j workers] [-o tsv] [-r secs] [-t secs] [-w ms] "
	    "[file ...]\n");
	exit(status);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A worker's Closed line: one write, so workers never interleave. */
static void
closed_line(const char *why)
{
	char line[80];
	int n;

	n = snprintf(line, sizeof(line), "Closed: %s\n", why);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	(void)!write(STDERR_FILENO, line, n);
}

static int
worker_main(int index, int in, struct flood_stats *st, void *arg)
{
	struct run *r = arg;
	struct flood_conf conf = r->r_conf;

	/* a parent killed with SIGKILL takes its workers along */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != r->r_parent)
		return 1;
	conf.fo_index = index;
	if (flood_run(&conf, in, st, closed_line) == -1) {
		warn("worker %d", index);
		return 1;
	}
	return 0;
}

/* Turn one input line into a record for a worker; -1 if it is bad. */
static int
make_record(struct run *r, char *line, size_t len)
{
	struct sockaddr_in sin;
	struct url u;
	enum url_err e;
	const char *why;
	char req[FLOOD_REQMAX + 1];
	int n;

	if ((e = url_parse(line, len, &u)) != URL_OK) {
		warnx("%s:%lu: %s: %.*s", feed_name(&r->r_feed),
		    r->r_feed.fe_line, url_strerror(e), len > 80 ? 80 :
		    (int)len, line);
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_port = htons(u.u_port);
	if (resolve_host(u.u_host, u.u_hostlen, &sin.sin_addr, &why) == -1) {
		warnx("%s:%lu: %.*s: %s", feed_name(&r->r_feed),
		    r->r_feed.fe_line, (int)u.u_hostlen, u.u_host, why);
		return -1;
	}
	if ((n = url_request(&u, req, sizeof(req))) == -1 ||
	    (r->r_reclen = flood_rec_pack(r->r_rec, sizeof(r->r_rec), &sin,
	    req, n)) == 0) {
		warnx("%s:%lu: URL too long", feed_name(&r->r_feed),
		    r->r_feed.fe_line);
		return -1;
	}
	return 0;
}

/* Queue the pending record; returns 0 while its worker's queue is full. */
static int
queue_record(struct run *r)
{
	struct pool *p = &r->r_pool;

	if (pool_put(p, r->r_recw, r->r_rec, r->r_reclen) == -1) {
		pool_flush(p, r->r_recw);
		if (pool_put(p, r->r_recw, r->r_rec, r->r_reclen) == -1)
			return 0;
	}
	r->r_reclen = 0;
	return 1;
}

/* Read lines and queue records until input, pacing or a queue stops us. */
static void
pump(struct run *r)
{
	enum feed_res res;
	char *line;
	size_t len;

	for (;;) {
		if (r->r_reclen > 0) {
			if (!queue_record(r))
				return;
			if (r->r_wait > 0) {
				r->r_next_send = r->r_now + r->r_wait;
				return;
			}
		}
		if (r->r_wait > 0 && r->r_now < r->r_next_send)
			return;
		res = feed_line(&r->r_feed, &line, &len);
		if (res == FEED_MORE)
			return;
		if (res == FEED_EOF) {
			r->r_eof = 1;
			return;
		}
		if (res == FEED_LONG) {
			warnx("%s:%lu: line too long", feed_name(&r->r_feed),
			    r->r_feed.fe_line);
			r->r_failed = 1;
			continue;
		}
		if (len == 0)
			continue;
		if (make_record(r, line, len) == -1) {
			r->r_failed = 1;
			continue;
		}
		if ((r->r_recw = pool_pick(&r->r_pool)) == -1) {
			warn("%s:%lu: no worker", feed_name(&r->r_feed),
			    r->r_feed.fe_line);
			r->r_reclen = 0;
			r->r_failed = 1;
		}
	}
}

/* One report line: Stats, or a tsv row. */
static void
report(struct run *r)
{
	struct flood_stats s;
	double t, dt;

	pool_sum(&r->r_pool, &s, 0);
	t = (r->r_now - r->r_t0) / 1000.0;
	dt = (r->r_now - r->r_last_t) / 1000.0;
	if (dt <= 0)
		dt = 1e-3;
	if (r->r_tsv)
		printf("%.1f\t%llu\t%llu\t%llu\t%llu\t%.1f\t%.1f\n", t,
		    (unsigned long long)s.st_active,
		    (unsigned long long)s.st_closed,
		    (unsigned long long)s.st_chunks,
		    (unsigned long long)s.st_bytes,
		    (s.st_connects - r->r_last_conn) / dt,
		    (s.st_chunks - r->r_last_chunks) / dt);
	else
		printf("Stats: {%llu,%llu,%llu}\n",
		    (unsigned long long)s.st_active,
		    (unsigned long long)s.st_closed,
		    (unsigned long long)s.st_chunks);
	fflush(stdout);
	r->r_last_t = r->r_now;
	r->r_last_conn = s.st_connects;
	r->r_last_chunks = s.st_chunks;
}

static void
summary_line(const char *name, const struct hist *h, double scale)
{
	if (h->h_count == 0) {
		printf("summary\t%s\t-\t-\t-\n", name);
		return;
	}
	printf("summary\t%s\t%.*f\t%.*f\t%.*f\n", name,
	    scale < 1 ? 2 : 0, hist_quantile(h, 0.50) * scale,
	    scale < 1 ? 2 : 0, hist_quantile(h, 0.99) * scale,
	    scale < 1 ? 2 : 0, h->h_max * scale);
}

/* The end: stop the workers, print the final report and the summary. */
static int
finish(struct run *r)
{
	struct flood_stats s;

	pool_stop(&r->r_pool);
	r->r_now = now_ms();
	report(r);
	pool_sum(&r->r_pool, &s, 1);
	summary_line("connect_ms", &s.st_connect_us, 0.001);
	summary_line("interarrival_ms", &s.st_inter_ms, 1);
	fflush(stdout);
	return s.st_closed > 0 || r->r_failed ? 1 : 0;
}

/*
 * Signals arrive on r_sig; returns 1 when told to stop.  A worker that
 * exits on its own is a failure, unless we are stopping anyway.
 */
static int
on_signal(struct run *r)
{
	struct signalfd_siginfo si;
	int stop = 0, child = 0;

	while (read(r->r_sig, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			child = 1;
		else
			stop = 1;
	}
	if (!stop && child && pool_reap(&r->r_pool) > 0) {
		warnx("a worker exited early");
		r->r_failed = 1;
	}
	return stop;
}

/* Milliseconds poll may sleep before something is due. */
static int
next_timeout(struct run *r)
{
	uint64_t due = r->r_next_report;

	if (r->r_wait > 0 && r->r_next_send > r->r_now &&
	    r->r_next_send < due)
		due = r->r_next_send;
	if (r->r_end && r->r_end < due)
		due = r->r_end;
	if (r->r_closed && !r->r_end && r->r_hold >= 0 &&
	    r->r_now + 20 < due)
		due = r->r_now + 20;	/* polling the workers' idle flags */
	return due > r->r_now ? (int)(due - r->r_now) : 0;
}

/* Steps due now; returns 1 when the run is over. */
static int
tick(struct run *r)
{
	int i;

	r->r_now = now_ms();
	pump(r);
	for (i = 0; i < r->r_pool.p_n; i++)
		pool_flush(&r->r_pool, i);
	if (r->r_eof && r->r_reclen == 0 && !r->r_closed &&
	    !pool_pending(&r->r_pool)) {
		pool_close(&r->r_pool);
		r->r_closed = 1;
	}
	if (r->r_closed && !r->r_end && r->r_hold >= 0 &&
	    pool_idle(&r->r_pool))
		r->r_end = r->r_now + r->r_hold;
	if (r->r_end && r->r_now >= r->r_end)
		return 1;
	if (r->r_now >= r->r_next_report) {
		report(r);
		r->r_next_report += r->r_every;
		if (r->r_next_report <= r->r_now)
			r->r_next_report = r->r_now + r->r_every;
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
		pfd[n].fd = r->r_sig;
		pfd[n++].events = POLLIN;
		in = !r->r_eof && r->r_reclen == 0 &&
		    !(r->r_wait > 0 && r->r_now < r->r_next_send);
		if (in) {
			pfd[n].fd = feed_fd(&r->r_feed);
			pfd[n++].events = POLLIN;
		}
		for (i = 0; i < r->r_pool.p_n; i++)
			if (r->r_pool.p_w[i].w_len > 0 &&
			    r->r_pool.p_w[i].w_fd != -1) {
				pfd[n].fd = r->r_pool.p_w[i].w_fd;
				pfd[n++].events = POLLOUT;
			}
		if (poll(pfd, n, next_timeout(r)) == -1 && errno != EINTR)
			err(1, "poll");
		if (pfd[0].revents && on_signal(r))
			return;
		if (in && pfd[1].revents && feed_fill(&r->r_feed) == -1) {
			warn("read %s", feed_name(&r->r_feed));
			r->r_failed = 1;
		}
	}
}

/* The inputs: the files named, or stdin.  Opening is checked up front. */
static void
open_inputs(struct run *r, int argc, char *argv[])
{
	static const char *stdin_name = "stdin";
	static int stdin_fd = STDIN_FILENO;
	int *fds, i;

	if (argc == 0) {
		if (feed_init(&r->r_feed, &stdin_fd, &stdin_name, 1) == -1)
			err(1, "input buffer");
		return;
	}
	if ((fds = calloc(argc, sizeof(*fds))) == NULL)
		err(1, NULL);
	for (i = 0; i < argc; i++)
		if ((fds[i] = open(argv[i], O_RDONLY | O_CLOEXEC)) == -1)
			err(1, "%s", argv[i]);
	if (feed_init(&r->r_feed, fds, (const char **)argv, argc) == -1)
		err(1, "input buffer");
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

int
main(int argc, char *argv[])
{
	static struct run r;
	const char *errstr;
	long long jobs = 0;
	unsigned nofile;
	int ch;

	r.r_conf.fo_inflight = 256;
	r.r_conf.fo_timeout_ms = 30000;
	r.r_every = 10000;
	r.r_hold = -1;
	while ((ch = getopt(argc, argv, "b:c:d:hj:o:r:t:w:")) != -1) {
		switch (ch) {
		case 'b':
			if (addr_range_parse(optarg, &r.r_conf.fo_bind) == -1)
				errx(2, "bad source address range: %s", optarg);
			break;
		case 'c':
			r.r_conf.fo_inflight = num_parse(optarg, 1, 65535,
			    &errstr);
			if (errstr)
				errx(2, "inflight %s: %s", errstr, optarg);
			break;
		case 'd':
			r.r_hold = num_parse_ms(optarg, 0, 86400000LL * 365,
			    &errstr);
			if (errstr)
				errx(2, "duration %s: %s", errstr, optarg);
			break;
		case 'h':
			usage(stdout, 0);
		case 'j':
			jobs = num_parse(optarg, 1, MAXWORKERS, &errstr);
			if (errstr)
				errx(2, "workers %s: %s", errstr, optarg);
			break;
		case 'o':
			if (strcmp(optarg, "tsv") != 0 &&
			    strcmp(optarg, "stats") != 0)
				errx(2, "output format must be tsv or stats: "
				    "%s", optarg);
			r.r_tsv = strcmp(optarg, "tsv") == 0;
			break;
		case 'r':
			r.r_every = num_parse_ms(optarg, 100, 86400000LL,
			    &errstr);
			if (errstr)
				errx(2, "report period %s: %s", errstr, optarg);
			break;
		case 't':
			r.r_conf.fo_timeout_ms = num_parse_ms(optarg, 0,
			    86400000LL, &errstr);
			if (errstr)
				errx(2, "timeout %s: %s", errstr, optarg);
			break;
		case 'w':
			r.r_wait = num_parse(optarg, 0, 3600000, &errstr);
			if (errstr)
				errx(2, "wait %s: %s", errstr, optarg);
			break;
		default:
			usage(stderr, 2);
		}
	}
	argc -= optind;
	argv += optind;

	nofile = raise_nofile();
	r.r_conf.fo_maxconn = nofile;
	r.r_sig = setup_signals();
	r.r_parent = getpid();
	open_inputs(&r, argc, argv);
	if (r.r_tsv) {
		printf("time\tactive\tclosed\tchunks\tbytes\tconn_s\t"
		    "chunks_s\n");
		fflush(stdout);
	}
	r.r_t0 = r.r_last_t = r.r_now = now_ms();
	r.r_next_report = r.r_t0 + r.r_every;
	if (pool_init(&r.r_pool, jobs ? jobs : MAXWORKERS, jobs != 0,
	    nofile - FD_RESERVE, worker_main, &r) == -1)
		err(1, "workers");
	run_loop(&r);
	return finish(&r);
}
