/*
 * cometd: the seed's comet server.  GET /test/<Id> streams a welcome
 * line and then "Chunk N for id <Id>" every interval, as HTTP/1.1
 * chunked.  This file holds options, limits and supervision; the worker
 * is lib/server/.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/allow.h"
#include "server/cluster.h"
#include "log.h"
#include "server/mbox.h"
#include "net.h"
#include "opt.h"
#include "server/prefork.h"
#include "server/server.h"
#include "server/stats.h"
#include "sizing/tune.h"

#define DAY_MS		86400000LL

static struct server_conf conf;
static int portfd = -1;		/* the parent's bound socket holding the port */
static struct mbox mailboxes;	/* made before fork, kept by the parent */

static void __attribute__((noreturn))
usage(FILE *f, int status)
{
	fprintf(f, "usage: cometd [-Vhv] [-A access_log] [-K keyfile] "
	    "[-a addr[/prefix]] [-b head_bytes] "
	    "[-c history_bytes] [-e heartbeat] [-i interval] [-k keep] "
	    "[-l addr] [-m max] [-n header_lines] [-o poll_timeout] [-p port] "
	    "[-q queue] [-r redis_addr] [-s stall] [-t timeout] "
	    "[-u target_bytes] [-w workers] [-z msg_bytes]\n");
	exit(status);
}

/*
 * The token key: the bytes of file, less trailing newlines (as
 * "$(cat file)" gives them to openssl -hmac).  Exits 1 if it cannot be
 * read or is empty.
 */
static void
read_key(const char *file)
{
	static char key[4096];
	ssize_t n;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "-K %s", file);
	if ((n = read(fd, key, sizeof(key))) == -1)
		err(1, "-K %s", file);
	close(fd);
	if (n == (ssize_t)sizeof(key))
		errx(1, "-K %s: a key of over %zu bytes", file, sizeof(key) - 1);
	while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == '\r'))
		n--;
	if (n == 0)
		errx(1, "-K %s: the key is empty", file);
	conf.sc_key = key;
	conf.sc_keylen = (size_t)n;
}

/*
 * The -l address: "[::1]" as people write IPv6 in URLs is "::1"; one
 * that does not resolve is a usage error, named with the resolver's
 * reason.
 */
static const char *
listen_addr(char *a)
{
	const char *why;
	size_t n = strlen(a);

	if (n > 2 && a[0] == '[' && a[n - 1] == ']') {
		a[n - 1] = '\0';
		a++;
	}
	if ((why = net_addr_error(a)) != NULL)
		opt_bad('l', a, why);
	return a;
}

static int
work(int idx, void *arg)
{
	(void)arg;
	close(portfd);
	if (server_run(&conf, idx) == -1) {
		log_warn("worker %d: %s port %d", idx,
		    conf.sc_addr ? conf.sc_addr : "*", conf.sc_port);
		return 1;
	}
	return 0;
}

/* SIGHUP: the workers reopened the access log, if there is one. */
static void
hup(void *arg)
{
	(void)arg;
	log_info("SIGHUP: %s", conf.sc_access != NULL &&
	    strcmp(conf.sc_access, "-") != 0 ? "access log reopened" :
	    "nothing to reopen (no access log file); connections untouched");
}

/* SIGUSR1: the counters of /stats, on one line of the log. */
static void
usr1(void *arg)
{
	char buf[4096];
	size_t i, n;

	(void)arg;
	n = stats_format(conf.sc_stats, buf, sizeof(buf));
	for (i = 0; i + 1 < n; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	log_info("stats: %.*s", (int)(n > 0 ? n - 1 : 0), buf);
}

static void
died(int idx, pid_t pid, int status, void *arg)
{
	(void)arg;
	stats_fold(conf.sc_stats, idx);
	if (WIFSIGNALED(status))
		log_warnx("worker %d (pid %d) killed by signal %d, restarting",
		    idx, (int)pid, WTERMSIG(status));
	else
		log_warnx("worker %d (pid %d) exited with status %d, "
		    "restarting", idx, (int)pid, WEXITSTATUS(status));
}

/* Raise the descriptor limit to the hard limit; returns the new limit. */
static long long
nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(1, "getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		warn("setrlimit nofile %llu", (unsigned long long)rl.rlim_max);
	getrlimit(RLIMIT_NOFILE, &rl);
	return rl.rlim_cur;
}

/* The defaults, as cometd(1) gives them. */
static void
defaults(void)
{
	conf.sc_port = 8000;
	conf.sc_interval = 10000;
	conf.sc_timeout = 10000;
	conf.sc_stall = 30000;
	conf.sc_max = 1000000;
	conf.sc_lim.hl_head = 8192;
	conf.sc_lim.hl_lines = 100;
	conf.sc_lim.hl_target = 1024;
	conf.sc_workers = sysconf(_SC_NPROCESSORS_ONLN);
	if (conf.sc_workers < 1)
		conf.sc_workers = 1;
	allow_loopback(&conf.sc_allow);
	conf.sc_msgmax = SERVER_MSGMAX;
	conf.sc_qmax = SERVER_QMAX;
	conf.sc_beat = 15000;
	conf.sc_poll = 30000;
	conf.sc_keep = SERVER_KEEP;
}

/*
 * Read the options into conf; *verbose counts -v, *mflag says -m was
 * given.  Exits 2 on a usage error, 1 on a key or log it cannot open.
 */
static void
options(int argc, char *argv[], int *verbose, int *mflag)
{
	long long keepbytes = SERVER_KEEPBYTES;
	int ch, allowed = 0, fd = -1;

	opt_init(argc, argv, usage);
	while ((ch = getopt(argc, argv,
	    "A:K:Va:b:c:e:hi:k:l:m:n:o:p:q:r:s:t:u:vw:z:")) != -1) {
		switch (ch) {
		case 'A':
			conf.sc_access = optarg;
			break;
		case 'K':
			read_key(optarg);
			break;
		case 'V':
			opt_version();
		case 'a':
			/* the first -a replaces the loopback default */
			if (!allowed++)
				conf.sc_allow.al_n = 0;
			if (allow_add(&conf.sc_allow, optarg) == -1)
				opt_bad(ch, optarg, errno == ENOSPC ?
				    "too many rules" : "not an address or "
				    "address/prefix");
			break;
		case 'b':
			conf.sc_lim.hl_head = opt_number(ch, optarg, 256, 32768);
			break;
		case 'c':
			keepbytes = opt_size(ch, optarg, 0, 1LL << 40);
			break;
		case 'e':
			conf.sc_beat = opt_duration(ch, optarg, 0, DAY_MS);
			break;
		case 'h':
			usage(stdout, 0);
		case 'i':
			conf.sc_interval = opt_duration(ch, optarg, 0, DAY_MS);
			break;
		case 'k':
			conf.sc_keep = opt_number(ch, optarg, 0, 100000);
			break;
		case 'l':
			conf.sc_addr = listen_addr(optarg);
			break;
		case 'm':
			conf.sc_max = opt_number(ch, optarg, 1, 100000000);
			*mflag = 1;
			break;
		case 'n':
			conf.sc_lim.hl_lines = opt_number(ch, optarg, 1, 1024);
			break;
		case 'o':
			conf.sc_poll = opt_duration(ch, optarg, 1, DAY_MS);
			break;
		case 'p':
			conf.sc_port = opt_number(ch, optarg, 0, 65535);
			break;
		case 'q':
			conf.sc_qmax = opt_number(ch, optarg, 1, 1000000);
			break;
		case 'r':
			if (net_resolve(optarg, CLUSTER_PORT, &conf.sc_redis_sa,
			    &conf.sc_redis_len) == -1)
				opt_bad(ch, optarg, errno == EINVAL ?
				    "not host[:port]" : "host not found");
			conf.sc_redis = optarg;
			break;
		case 's':
			conf.sc_stall = opt_duration(ch, optarg, 1, DAY_MS);
			break;
		case 't':
			conf.sc_timeout = opt_duration(ch, optarg, 1, DAY_MS);
			break;
		case 'u':
			conf.sc_lim.hl_target = opt_number(ch, optarg, 1, 32768);
			break;
		case 'v':
			(*verbose)++;
			break;
		case 'w':
			conf.sc_workers = opt_number(ch, optarg, 1, 1024);
			break;
		case 'z':
			conf.sc_msgmax = opt_number(ch, optarg, 1, MBOX_DGRAM);
			break;
		default:
			usage(stderr, 2);
		}
	}
	opt_operands(argc - optind, argv + optind, 0, 0);
	/* each worker opens it for itself: find out now if it cannot */
	if (conf.sc_access != NULL && strcmp(conf.sc_access, "-") != 0 &&
	    (fd = open(conf.sc_access, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0644)) == -1)
		err(1, "-A %s", conf.sc_access);
	if (fd != -1)
		close(fd);
	conf.sc_keepbytes = keepbytes / conf.sc_workers;
}

/*
 * Hold the port (chosen here with -p 0) so that every worker binds it,
 * make the mailboxes, say what runs.  Exits 1 if it cannot.
 */
static void
prepare(long long nf, int mflag)
{
	long long need;

	if ((conf.sc_stats = stats_map(conf.sc_workers)) == NULL)
		err(1, "mmap stats");
	conf.sc_stats->sh_cluster = conf.sc_redis != NULL;
	if ((conf.sc_port != 0 && net_probe(conf.sc_addr, conf.sc_port) == -1) ||
	    (portfd = net_listen(conf.sc_addr, conf.sc_port, 0)) == -1)
		err(1, "bind %s port %d", conf.sc_addr ? conf.sc_addr : "*",
		    conf.sc_port);
	conf.sc_port = net_port(portfd);
	if (conf.sc_workers > 1) {
		if (mbox_create(&mailboxes, conf.sc_workers) == -1)
			err(1, "worker mailboxes");
		conf.sc_mbox = &mailboxes;
	}
	/* the default -m is a ceiling, not a request: only a chosen one warns */
	need = tune_workers(conf.sc_max, nf);
	if (mflag && need > conf.sc_workers)
		log_warnx("max %lld exceeds what %d workers of %lld "
		    "descriptors can hold; use -w %lld", conf.sc_max,
		    conf.sc_workers, nf, need);
	log_info("listening on %s port %d, workers %d, max %lld, nofile %lld, "
	    "interval %u ms", conf.sc_addr ? conf.sc_addr : "*", conf.sc_port,
	    conf.sc_workers, conf.sc_max, nf, conf.sc_interval);
	if (conf.sc_key == NULL)
		log_info("subscriptions are open: anyone who reaches port %d "
		    "can read any Id (-K turns on tokens)", conf.sc_port);
	if (conf.sc_redis != NULL)
		log_info("cluster: redis %s", conf.sc_redis);
}

int
main(int argc, char *argv[])
{
	struct prefork pf;
	int verbose = 0, mflag = 0;

	defaults();
	options(argc, argv, &verbose, &mflag);
	log_init("cometd", verbose);
	signal(SIGPIPE, SIG_IGN);
	prepare(nofile(), mflag);
	memset(&pf, 0, sizeof(pf));
	pf.pf_n = conf.sc_workers;
	pf.pf_work = work;
	pf.pf_died = died;
	pf.pf_hup = hup;
	pf.pf_usr1 = usr1;
	pf.pf_grace_ms = 5000;
	if (prefork_run(&pf) == -1)
		err(1, "supervisor");
	log_info("stopped");
	return 0;
}
