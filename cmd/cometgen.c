/*
 * cometgen: print the URLs a flood connects to, one a line, e.g.
 * "http://localhost:8000/test/1".  -a spreads the host part over a range
 * of addresses so that one flood can go past the ports of one address
 * pair's ephemeral range; several -a or -p spread the lines over several
 * servers (the nodes of a cluster), one line each in turn.  With -m it prints paced batch lines for
 * cometd's POST /send instead, "Id<TAB>t=<µs> n=<seq>", each stamped
 * with its send time for cometflood's latency histogram.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "num.h"
#include "opt.h"
#include "quote.h"

#define MAXID		1000000000000000LL	/* ids and counts stay in range */
#define RATE_MAX	10000000		/* -m: lines a second */
#define TICK_NS		1000000			/* -m: writes at most 1000/s */
#define ID_MAX		256			/* -i: longest Id */
#define TARGET_MAX	64			/* -a x -p: servers */

/* Where URLs go: a host name or a range of addresses, and a port. */
struct target {
	const char	*tg_host;	/* a name, or the range as given */
	size_t		 tg_hostlen;
	struct addr_range tg_range;
	int		 tg_ranged;
	long long	 tg_port;	/* 0: each -p */
};

struct gen {
	const char	*gn_prefix;	/* -P */
	struct target	 gn_hosts[TARGET_MAX];	/* -a, as given */
	size_t		 gn_nhosts;
	long long	 gn_ports[TARGET_MAX];	/* -p, as given */
	size_t		 gn_nports;
	struct target	 gn_targets[TARGET_MAX];	/* each -a with each -p */
	size_t		 gn_ntargets;
	int		 gn_urlopt;	/* -P, -a or -p was given */
	long long	 gn_first;	/* -f */
	long long	 gn_rate;	/* -m; 0: URLs */
	long long	 gn_limit;	/* -n; 0: no limit */
	const char	*gn_idfile;	/* -i */
	char		**gn_ids;	/* Ids read from gn_idfile */
	size_t		 gn_nids;
	int		 gn_failed;	/* a line of gn_idfile was skipped */
};

static char	 outbuf[65536];
static size_t	 outlen;
static volatile sig_atomic_t stop;

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: cometgen [-Vh] [-P prefix] "
	    "[-a addr[-addr][:port]] ... [-f first]\n"
	    "                [-i file] [-m rate] [-n messages] "
	    "[-p port] ... [count]\n");
	exit(status);
}

/* A reader that went away (| head) ends us quietly, status 0. */
static void
out_flush(void)
{
	size_t off = 0;
	ssize_t n;

	while (off < outlen) {
		n = write(STDOUT_FILENO, outbuf + off, outlen - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EPIPE)
			exit(0);
		if (n == -1)
			err(1, "write");
		off += n;
	}
	outlen = 0;
}

static void
out_str(const char *s, size_t len)
{
	if (outlen + len > sizeof(outbuf))
		out_flush();
	memcpy(outbuf + outlen, s, len);
	outlen += len;
}

static void
out_num(unsigned long long v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do
		tmp[--i] = '0' + v % 10;
	while ((v /= 10) != 0);
	out_str(tmp + i, sizeof(tmp) - i);
}

/*
 * Hosts: a range of IPv4 addresses or one name such as localhost, and
 * an optional ":port".  Returns 0, or -1 with *why set.
 */
static int
parse_target(const char *s, struct target *t, const char **why)
{
	char host[256];
	const char *colon, *p, *errstr;

	*why = "not a host name, address or address range";
	colon = strrchr(s, ':');
	t->tg_hostlen = colon ? (size_t)(colon - s) : strlen(s);
	t->tg_host = s;
	t->tg_port = 0;
	if (colon) {
		t->tg_port = num_parse(colon + 1, 1, 65535, &errstr);
		if (errstr) {
			*why = "the port after ':' must be 1 to 65535";
			return -1;
		}
	}
	if (t->tg_hostlen == 0 || t->tg_hostlen >= sizeof(host))
		return -1;
	memcpy(host, s, t->tg_hostlen);
	host[t->tg_hostlen] = '\0';
	if (addr_range_parse(host, &t->tg_range) == 0) {
		t->tg_ranged = 1;
		return 0;
	}
	if (isdigit((unsigned char)host[0]))
		return -1;
	for (p = host; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			return -1;
	t->tg_ranged = 0;
	return 0;
}

/*
 * The servers: each -a (default localhost) with its own port, or with
 * each -p (default 8000) when it has none.
 */
static void
make_targets(struct gen *g)
{
	static const struct target localhost = { "localhost", 9, { 0 }, 0, 0 };
	size_t i, j;

	if (g->gn_nhosts == 0)
		g->gn_hosts[g->gn_nhosts++] = localhost;
	if (g->gn_nports == 0)
		g->gn_ports[g->gn_nports++] = 8000;
	for (i = 0; i < g->gn_nhosts; i++) {
		for (j = 0; j < g->gn_nports; j++) {
			if (g->gn_ntargets == TARGET_MAX)
				errx(2, "more than %d servers from -a and -p",
				    TARGET_MAX);
			g->gn_targets[g->gn_ntargets] = g->gn_hosts[i];
			if (g->gn_hosts[i].tg_port == 0)
				g->gn_targets[g->gn_ntargets].tg_port =
				    g->gn_ports[j];
			g->gn_ntargets++;
			if (g->gn_hosts[i].tg_port != 0)
				break;
		}
	}
}

/*
 * Line i goes to server i mod the number of servers; within a server's
 * address range, to the address its own lines have reached.
 */
static void
print_urls(const struct gen *g, long long count)
{
	char host[INET_ADDRSTRLEN];
	const struct target *t;
	struct in_addr a;
	long long i;
	size_t n = g->gn_ntargets;

	for (i = 0; i < count; i++) {
		t = &g->gn_targets[i % n];
		out_str("http://", 7);
		if (t->tg_ranged) {
			a = addr_range_nth(&t->tg_range, i / n);
			inet_ntop(AF_INET, &a, host, sizeof(host));
			out_str(host, strlen(host));
		} else
			out_str(t->tg_host, t->tg_hostlen);
		out_str(":", 1);
		out_num(t->tg_port);
		out_str(g->gn_prefix, strlen(g->gn_prefix));
		out_num(g->gn_first + i);
		out_str("\n", 1);
	}
	out_flush();
}

/* An Id line of -i: not empty, no space, tab or control byte. */
static int
id_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > ID_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * Read the Ids of -i, one a line; blank lines and lines starting with
 * '#' are skipped, and so is a bad Id, with a message (status 1 at the
 * end).
 */
static void
read_ids(struct gen *g)
{
	char *line = NULL, q[96];
	size_t cap = 0, len, max = 0;
	unsigned long no = 0;
	ssize_t n;
	FILE *fp;

	if ((fp = fopen(g->gn_idfile, "re")) == NULL)
		err(1, "%s", g->gn_idfile);
	while ((n = getline(&line, &cap, fp)) != -1) {
		no++;
		len = n;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len == 0 || line[0] == '#')
			continue;
		if (!id_ok(line, len)) {
			warnx("%s:%lu: not an Id (%d bytes at most, no spaces "
			    "or control bytes): %s", g->gn_idfile, no, ID_MAX,
			    quote_str(q, sizeof(q), line, len));
			g->gn_failed = 1;
			continue;
		}
		if (g->gn_nids == max) {
			max = max ? max * 2 : 1024;
			if ((g->gn_ids = reallocarray(g->gn_ids, max,
			    sizeof(*g->gn_ids))) == NULL)
				err(1, NULL);
		}
		if ((g->gn_ids[g->gn_nids++] = strndup(line, len)) == NULL)
			err(1, NULL);
	}
	if (ferror(fp))
		err(1, "%s", g->gn_idfile);
	fclose(fp);
	free(line);
	if (g->gn_nids == 0)
		errx(1, "%s: no Ids", g->gn_idfile);
}

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* xorshift64*: Ids need to be spread, not secret. */
static uint64_t
rand64(void)
{
	static uint64_t s;

	if (s == 0)
		s = (clock_ns(CLOCK_REALTIME) ^ (uint64_t)getpid() << 32) | 1;
	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return s * 2685821657736338717ULL;
}

/* k message lines, stamped now. */
static void
print_batch(const struct gen *g, long long count, long long seq, long long k)
{
	uint64_t us = clock_ns(CLOCK_REALTIME) / 1000;
	const char *id;

	for (; k > 0; k--) {
		if (g->gn_nids > 0) {
			id = g->gn_ids[rand64() % g->gn_nids];
			out_str(id, strlen(id));
		} else
			out_num(g->gn_first + rand64() % count);
		out_str("\tt=", 3);
		out_num(us);
		out_str(" n=", 3);
		out_num(++seq);
		out_str("\n", 1);
	}
	out_flush();
}

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* Sleep until t (ns, monotonic), or a signal. */
static void
sleep_until(uint64_t t)
{
	struct timespec ts = { t / 1000000000, t % 1000000000 };

	(void)clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/*
 * -m: rate lines a second, written once a tick (1 ms, or one line's
 * time when that is longer), each batch stamped as it is written.  A
 * writer held up by its reader catches up by two ticks at most, so the
 * rate never goes above the one asked for by more than that.  Ends after
 * -n lines, or at SIGINT or SIGTERM with the lines written whole.
 */
static void
print_messages(const struct gen *g, long long count)
{
	uint64_t gap = 1000000000 / g->gn_rate, tick, now, next;
	long long printed = 0, k, kmax;

	tick = gap > TICK_NS ? gap : TICK_NS;
	kmax = 2 * (long long)(tick / gap) + 1;
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	next = clock_ns(CLOCK_MONOTONIC);
	while (!stop && (g->gn_limit == 0 || printed < g->gn_limit)) {
		now = clock_ns(CLOCK_MONOTONIC);
		if (now < next) {
			sleep_until(next);
			continue;
		}
		k = (long long)((now - next) / gap) + 1;
		if (k > kmax) {
			k = kmax;
			next = now - (uint64_t)(k - 1) * gap;
		}
		if (g->gn_limit > 0 && k > g->gn_limit - printed)
			k = g->gn_limit - printed;
		print_batch(g, count, printed, k);
		printed += k;
		next += (uint64_t)k * gap;
		sleep_until(next > now + tick ? next : now + tick);
	}
}

static void
options(struct gen *g, int argc, char *argv[])
{
	const char *why;
	int ch;

	while ((ch = getopt(argc, argv, "VP:a:f:hi:m:n:p:")) != -1) {
		switch (ch) {
		case 'V':
			opt_version();
		case 'P':
			if (*optarg != '/' || strpbrk(optarg, " \t\r\n"))
				opt_bad(ch, optarg, "must start with / and "
				    "have no spaces");
			g->gn_prefix = optarg;
			g->gn_urlopt = 1;
			break;
		case 'a':
			if (g->gn_nhosts == TARGET_MAX)
				opt_bad(ch, optarg, "too many -a");
			if (parse_target(optarg, &g->gn_hosts[g->gn_nhosts],
			    &why) == -1)
				opt_bad(ch, optarg, why);
			g->gn_nhosts++;
			g->gn_urlopt = 1;
			break;
		case 'f':
			g->gn_first = opt_number(ch, optarg, 0, MAXID);
			break;
		case 'h':
			usage(stdout, 0);
		case 'i':
			g->gn_idfile = optarg;
			break;
		case 'm':
			g->gn_rate = opt_number(ch, optarg, 1, RATE_MAX);
			break;
		case 'n':
			g->gn_limit = opt_number(ch, optarg, 1, MAXID);
			break;
		case 'p':
			if (g->gn_nports == TARGET_MAX)
				opt_bad(ch, optarg, "too many -p");
			g->gn_ports[g->gn_nports++] = opt_number(ch, optarg,
			    1, 65535);
			g->gn_urlopt = 1;
			break;
		default:
			usage(stderr, 2);
		}
	}
}

int
main(int argc, char *argv[])
{
	static struct gen g = { .gn_prefix = "/test/", .gn_first = 1 };
	long long count = 0;

	/* | head: end on EPIPE with status 0, not on SIGPIPE with 141 */
	signal(SIGPIPE, SIG_IGN);
	opt_init(argc, argv, usage);
	options(&g, argc, argv);
	argc -= optind;
	argv += optind;
	if (g.gn_rate == 0 && (g.gn_idfile || g.gn_limit)) {
		warnx("-i and -n go with -m");
		usage(stderr, 2);
	}
	if (g.gn_rate > 0 && g.gn_urlopt) {
		warnx("-P, -a and -p are for URLs, not with -m");
		usage(stderr, 2);
	}
	opt_operands(argc, argv, g.gn_idfile ? 0 : 1, g.gn_idfile ? 0 : 1);
	if (argc > 0)
		count = opt_operand("count", argv[0], g.gn_rate ? 1 : 0,
		    MAXID - g.gn_first);
	if (g.gn_rate == 0) {
		make_targets(&g);
		print_urls(&g, count);
		return 0;
	}
	if (g.gn_idfile)
		read_ids(&g);
	print_messages(&g, count);
	return g.gn_failed;
}
