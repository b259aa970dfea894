/*
 * cometsysctl: are the kernel's limits high enough to hold N connections?
 * Prints each setting with its current and wanted value; -a raises the
 * low ones, -p prints them as a sysctl.conf fragment instead.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opt.h"
#include "sizing/sysctl.h"
#include "sizing/tune.h"

#define VALLEN	64

static struct tune_req req = { 1000000, 0, "/proc/sys" };

static void __attribute__((noreturn))
usage(FILE *f, int status)
{
	fprintf(f, "usage: cometsysctl [-Vahlp] [-n conns] [-r root]\n");
	exit(status);
}

static int
check(struct tune *tab)
{
	const char *failed;
	int n;

	if ((n = tune_check(&req, tab, &failed)) == -1)
		err(1, "%s under %s", failed, req.tr_root);
	return n;
}

/* 1 if something must change: low or high (split is advice only). */
static int
needs_work(const struct tune *tab, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (tab[i].t_status == TUNE_LOW || tab[i].t_status == TUNE_HIGH)
			return 1;
	return 0;
}

static const struct tune *
find(const struct tune *tab, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(tab[i].t_name, name) == 0)
			return &tab[i];
	return NULL;
}

/* What to do when a limit cannot be met by changing it: on stderr. */
static void
advise(const struct tune *tab, int n)
{
	const struct tune *hard, *ports;
	char flood[64] = "";
	long long procs, addrs;

	hard = find(tab, n, "rlimit.nofile.hard");
	if (hard != NULL && hard->t_status == TUNE_SPLIT) {
		procs = tune_workers(req.tr_conns, hard->t_cur.sv_v[0]);
		if (req.tr_local)
			snprintf(flood, sizeof(flood), ", cometflood -j %lld",
			    procs);
		warnx("rlimit.nofile.hard %lld cannot be raised here: "
		    "hold %lld connections in %lld processes: cometd -w %lld%s",
		    hard->t_cur.sv_v[0], req.tr_conns, procs, procs, flood);
	}
	ports = find(tab, n, "net.ipv4.ip_local_port_range");
	if (req.tr_local && ports != NULL &&
	    (addrs = tune_addrs(req.tr_conns, ports, 1)) > 1)
		warnx("%lld connections from this host need %lld source "
		    "addresses: cometflood -b 127.0.0.1-127.0.0.%lld",
		    req.tr_conns, addrs, addrs);
}

static void
print_table(const struct tune *tab, int n)
{
	char cur[VALLEN], want[VALLEN];
	int i;

	for (i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\n", tab[i].t_name,
		    sysctl_format(&tab[i].t_cur, cur, sizeof(cur)),
		    sysctl_format(&tab[i].t_want, want, sizeof(want)),
		    tune_status_name(tab[i].t_status));
}

/* A sysctl.conf fragment: the values -a would write, rlimits as comments. */
static void
print_conf(const struct tune *tab, int n)
{
	struct sysctl_val v;
	char buf[VALLEN];
	int i;

	printf("# cometsysctl%s -n %lld -p: kernel settings for %lld "
	    "connections%s\n", req.tr_local ? " -l" : "", req.tr_conns,
	    req.tr_conns, req.tr_local ? ", clients on this host" : "");
	for (i = 0; i < n; i++) {
		if (tab[i].t_status == TUNE_OK)
			continue;
		tune_target(&tab[i], &v);
		if (tab[i].t_rlimit)
			printf("# %s: not a sysctl: wanted %lld (limits.conf "
			    "nofile, LimitNOFILE=)\n", tab[i].t_name,
			    tab[i].t_want.sv_v[0]);
		else
			printf("%s = %s\n", tab[i].t_name,
			    sysctl_format(&v, buf, sizeof(buf)));
	}
}

/* Write the low and high sysctls; returns 1 if a write failed. */
static int
apply(const struct tune *tab, int n)
{
	struct sysctl_val v;
	char old[VALLEN], new[VALLEN];
	int i, failed = 0;

	for (i = 0; i < n; i++) {
		if (tab[i].t_status == TUNE_OK || tab[i].t_rlimit)
			continue;
		tune_target(&tab[i], &v);
		sysctl_format(&tab[i].t_cur, old, sizeof(old));
		sysctl_format(&v, new, sizeof(new));
		if (sysctl_write(req.tr_root, tab[i].t_name, &v) == -1) {
			warn("%s %s -> %s", tab[i].t_name, old, new);
			failed = 1;
			continue;
		}
		printf("%s\t%s\t->\t%s\n", tab[i].t_name, old, new);
	}
	if (fflush(stdout) == EOF)
		err(1, "stdout");
	return failed;
}

/* After -a: say what is still not right, since -a cannot fix it. */
static void
report_left(const struct tune *tab, int n)
{
	char cur[VALLEN], want[VALLEN];
	int i;

	for (i = 0; i < n; i++)
		if (tab[i].t_status == TUNE_LOW || tab[i].t_status == TUNE_HIGH)
			warnx("%s %s is still %s (wanted %s)", tab[i].t_name,
			    sysctl_format(&tab[i].t_cur, cur, sizeof(cur)),
			    tune_status_name(tab[i].t_status),
			    sysctl_format(&tab[i].t_want, want, sizeof(want)));
}

int
main(int argc, char *argv[])
{
	struct tune tab[TUNE_MAX];
	int aflag = 0, pflag = 0, ch, n, failed;

	opt_init(argc, argv, usage);
	while ((ch = getopt(argc, argv, "Vahln:pr:")) != -1) {
		switch (ch) {
		case 'V':
			opt_version();
		case 'a':
			aflag = 1;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case 'l':
			req.tr_local = 1;
			break;
		case 'n':
			req.tr_conns = opt_number(ch, optarg, 1, 1000000000);
			break;
		case 'p':
			pflag = 1;
			break;
		case 'r':
			req.tr_root = optarg;
			break;
		default:
			usage(stderr, 2);
		}
	}
	opt_operands(argc - optind, argv + optind, 0, 0);
	if (aflag && pflag) {
		warnx("-a and -p cannot be used together");
		usage(stderr, 2);
	}

	n = check(tab);
	if (pflag) {
		print_conf(tab, n);
		advise(tab, n);
		return 0;
	}
	if (!aflag) {
		print_table(tab, n);
		advise(tab, n);
		return needs_work(tab, n);
	}
	failed = apply(tab, n);
	n = check(tab);
	report_left(tab, n);
	advise(tab, n);
	return failed || needs_work(tab, n);
}
