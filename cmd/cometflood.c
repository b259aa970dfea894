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

#include "addr.h"
#include "base64.h"
#include "flood/feed.h"
#include "flood/flood.h"
#include "opt.h"
#include "flood/pace.h"
#include "flood/pool.h"
#include "flood/ports.h"
#include "flood/report.h"
#include "flood/resolve.h"
#include "flood/url.h"

#define MAXWORKERS	1024
#define FD_RESERVE	32	/* a worker's own fds besides connections */
#define DAY_MS		86400000LL
#define YEAR_MS		(DAY_MS * 365)
#define RATE_MAX	10000000	/* -R: connects a second */
#define RATE_SLACK_NS	20000000	/* -R catches up 20 ms at most */

struct run {
	struct feed	 ru_feed;
	struct pool	 ru_pool;
	struct flood_conf ru_conf;
	struct ports	 ru_ports;	/* source port per address pair */
	struct addr_range ru_bind;	/* -b; ar_count 0: none */
	uint64_t	 ru_nbind;	/* source addresses handed out */
	int		 ru_kports;	/* -k: the kernel picks ports */
	struct pace	 ru_pace;	/* -w, -R */
	long long	 ru_rate;	/* -R: connects a second; 0: none */
	long long	 ru_jobs;	/* -j; 0: as many as needed */
	int		 ru_tsv;		/* -o tsv */
	uint64_t	 ru_rand;	/* rand64 state */
	struct report	 ru_report;
	int		 ru_sig;		/* signalfd: INT, TERM, CHLD */
	long long	 ru_every;	/* report period, ms */
	long long	 ru_hold;	/* ms to hold after the ramp; -1 ever */
	uint64_t	 ru_t0, ru_now;	/* ms, monotonic */
	uint64_t	 ru_next_report, ru_end;
	uint64_t	 ru_pace_ms;	/* ms until the next connect may go */
	char		 ru_rec[sizeof(struct flood_rec) + FLOOD_REQMAX];
	size_t		 ru_reclen;	/* a record waiting for its worker */
	int		 ru_recw;
	int		 ru_eof;		/* every input has ended */
	int		 ru_closed;	/* worker pipes closed */
	int		 ru_failed;	/* lines skipped, workers lost */
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

/* xorshift64*: WebSocket keys need to differ, not to be secret. */
static uint64_t
rand64(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
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
	struct flood_conf conf = r->ru_conf;

	/* a parent killed with SIGKILL takes its workers along */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != r->ru_parent)
		return 1;
	(void)index;
	if (flood_run(&conf, in, st, closed_line) == -1) {
		warn("worker %d", index);
		return 1;
	}
	return 0;
}

static const char *const protos[] = {
	[FLOOD_CHUNKED] = "chunked", [FLOOD_SSE] = "sse", [FLOOD_WS] = "ws"
};

/* The header lines a request of this flood's protocol adds. */
static const char *
proto_headers(struct run *r)
{
	static char ws[160];
	uint64_t key[2];
	char b64[BASE64_LEN(sizeof(key)) + 1];

	switch (r->ru_conf.fo_proto) {
	case FLOOD_SSE:
		return "Accept: text/event-stream\r\n";
	case FLOOD_WS:
		/* a key a proxy has never seen: random, not secret */
		key[0] = rand64(&r->ru_rand);
		key[1] = rand64(&r->ru_rand);
		b64[base64_encode(key, sizeof(key), b64)] = '\0';
		snprintf(ws, sizeof(ws), "Upgrade: websocket\r\nConnection: "
		    "Upgrade\r\nSec-WebSocket-Version: 13\r\n"
		    "Sec-WebSocket-Key: %s\r\n", b64);
		return ws;
	case FLOOD_CHUNKED:
		break;
	}
	return "";
}

/* Turn one input line into a record for a worker; -1 if it is bad. */
static int
make_record(struct run *r, char *line, size_t len)
{
	struct flood_rec rec;
	struct in_addr a;
	struct url u;
	enum url_err e;
	const char *why;
	char req[FLOOD_REQMAX + 1];
	int n;

	if ((e = url_parse(line, len, &u)) != URL_OK) {
		warnx("%s:%lu: %s: %.*s", feed_name(&r->ru_feed),
		    r->ru_feed.fe_line, url_strerror(e), len > 80 ? 80 :
		    (int)len, line);
		return -1;
	}
	memset(&rec, 0, sizeof(rec));
	if (resolve_host(u.u_host, u.u_hostlen, &a, &why) == -1) {
		warnx("%s:%lu: %.*s: %s", feed_name(&r->ru_feed),
		    r->ru_feed.fe_line, (int)u.u_hostlen, u.u_host, why);
		return -1;
	}
	rec.fr_addr = a.s_addr;
	rec.fr_port = htons(u.u_port);
	if (r->ru_bind.ar_count)
		rec.fr_saddr = addr_range_nth(&r->ru_bind,
		    r->ru_nbind++).s_addr;
	if ((n = url_request(&u, proto_headers(r), req, sizeof(req))) >
	    FLOOD_REQMAX) {
		warnx("%s:%lu: URL too long: %zu bytes, at most %d with -s %s",
		    feed_name(&r->ru_feed), r->ru_feed.fe_line, len,
		    FLOOD_REQMAX - (n - (int)len), protos[r->ru_conf.fo_proto]);
		return -1;
	}
	rec.fr_sport = ports_next(&r->ru_ports, rec.fr_saddr, rec.fr_addr,
	    rec.fr_port);
	r->ru_reclen = flood_rec_pack(r->ru_rec, sizeof(r->ru_rec), &rec, req,
	    n);
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
	enum feed_res res;
	char *line;
	size_t len;

	for (;;) {
		if (r->ru_reclen > 0) {
			if (!pace_ok(r) || !queue_record(r))
				return;
			pace_sent(&r->ru_pace);
		}
		res = feed_line(&r->ru_feed, &line, &len);
		if (res == FEED_MORE)
			return;
		if (res == FEED_EOF) {
			r->ru_eof = 1;
			return;
		}
		if (res == FEED_LONG) {
			warnx("%s:%lu: line too long", feed_name(&r->ru_feed),
			    r->ru_feed.fe_line);
			r->ru_failed = 1;
			continue;
		}
		if (len == 0)
			continue;
		if (make_record(r, line, len) == -1) {
			r->ru_failed = 1;
			continue;
		}
		if ((r->ru_recw = pool_pick(&r->ru_pool)) == -1) {
			warn("%s:%lu: no worker", feed_name(&r->ru_feed),
			    r->ru_feed.fe_line);
			r->ru_reclen = 0;
			r->ru_failed = 1;
		}
	}
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
	if (r->ru_closed && !r->ru_end && r->ru_hold >= 0 &&
	    r->ru_now + 20 < due)
		due = r->ru_now + 20;	/* polling the workers' idle flags */
	return due > r->ru_now ? (int)(due - r->ru_now) : 0;
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
	if (r->ru_closed && !r->ru_end && r->ru_hold >= 0 &&
	    pool_idle(&r->ru_pool))
		r->ru_end = r->ru_now + r->ru_hold;
	if (r->ru_end && r->ru_now >= r->ru_end)
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
			pfd[n].fd = feed_fd(&r->ru_feed);
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
		if (in && pfd[1].revents && feed_fill(&r->ru_feed) == -1) {
			warn("read %s", feed_name(&r->ru_feed));
			r->ru_failed = 1;
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
		if (feed_init(&r->ru_feed, &stdin_fd, &stdin_name, 1) == -1)
			err(1, "input buffer");
		return;
	}
	if ((fds = calloc(argc, sizeof(*fds))) == NULL)
		err(1, NULL);
	for (i = 0; i < argc; i++)
		if ((fds[i] = open(argv[i], O_RDONLY | O_CLOEXEC)) == -1)
			err(1, "%s", argv[i]);
	if (feed_init(&r->ru_feed, fds, (const char **)argv, argc) == -1)
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

/*
 * Source ports: the kernel's range, handed out per address pair, unless
 * -k leaves the choice to the kernel (or the range cannot be read).
 */
static void
setup_ports(struct run *r)
{
	struct timespec ts;
	uint16_t lo = 0, hi = 0;

	if (!r->ru_kports && ports_range(&lo, &hi) == -1) {
		warn("ip_local_port_range: the kernel picks source ports");
		lo = 0;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ports_init(&r->ru_ports, lo, hi, (uint32_t)(getpid() ^ ts.tv_nsec));
	r->ru_conf.fo_port_lo = lo;
	r->ru_conf.fo_port_hi = lo ? hi : 0;
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

/* -s: a protocol's name. */
static enum flood_proto
opt_proto(int ch, const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strcmp(arg, protos[i]) == 0)
			return (enum flood_proto)i;
	opt_bad(ch, arg, "must be chunked, sse or ws");
}

/* The options, into r; returns optind. */
static int
options(struct run *r, int argc, char *argv[])
{
	const char *rate = NULL;
	long long wait = 0;
	int ch;

	while ((ch = getopt(argc, argv, "R:Vb:c:d:hj:ko:r:s:t:w:")) != -1) {
		switch (ch) {
		case 'R':
			r->ru_rate = opt_number(ch, optarg, 1, RATE_MAX);
			rate = optarg;
			break;
		case 'V':
			opt_version();
		case 'b':
			if (addr_range_parse(optarg, &r->ru_bind) == -1)
				opt_bad(ch, optarg, "not an IPv4 address or "
				    "range (a.b.c.d-a.b.c.e)");
			break;
		case 'c':
			r->ru_conf.fo_inflight = opt_number(ch, optarg, 1,
			    65535);
			break;
		case 'd':
			r->ru_hold = opt_duration(ch, optarg, 0, YEAR_MS);
			break;
		case 'h':
			usage(stdout, 0);
		case 'j':
			r->ru_jobs = opt_number(ch, optarg, 1, MAXWORKERS);
			break;
		case 'k':
			r->ru_kports = 1;
			break;
		case 'o':
			if (strcmp(optarg, "tsv") != 0 &&
			    strcmp(optarg, "stats") != 0)
				opt_bad(ch, optarg, "must be tsv or stats");
			r->ru_tsv = strcmp(optarg, "tsv") == 0;
			break;
		case 'r':
			r->ru_every = opt_duration(ch, optarg, 10, DAY_MS);
			break;
		case 's':
			r->ru_conf.fo_proto = opt_proto(ch, optarg);
			break;
		case 't':
			r->ru_conf.fo_timeout_ms = opt_duration(ch, optarg, 0,
			    DAY_MS);
			break;
		case 'w':
			wait = opt_duration(ch, optarg, 0, 3600000);
			break;
		default:
			usage(stderr, 2);
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

int
main(int argc, char *argv[])
{
	static struct run r;
	unsigned nofile;
	char line[256];
	int n;

	r.ru_conf.fo_inflight = 256;
	r.ru_rand = (now_ns() ^ (uint64_t)getpid() << 32) | 1;
	r.ru_conf.fo_timeout_ms = 30000;
	r.ru_every = 10000;
	r.ru_hold = -1;
	opt_init(argc, argv, usage);
	n = options(&r, argc, argv);
	argc -= n;
	argv += n;

	setup_ports(&r);
	nofile = raise_nofile();
	r.ru_conf.fo_maxconn = nofile;
	r.ru_sig = setup_signals();
	r.ru_parent = getpid();
	open_inputs(&r, argc, argv);
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
