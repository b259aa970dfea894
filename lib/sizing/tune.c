/*
 * tune.c: the kernel limits that holding N connections runs into, with
 * the wanted value of each derived from N (the formulas are explained in
 * cometsysctl(1)).  S is the number of sockets on this host: N, or 2N
 * when the clients run here too and both ends of each connection count.
 */
#include <sys/resource.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "sysctl.h"
#include "tune.h"

#define PAGE_BUDGET	1	/* TCP memory pages per socket */
#define RAMP_SECS	60	/* N arrive in this many seconds */

static long long
ceil_div(long long a, long long b)
{
	return (a + b - 1) / b;
}

static long long
max_ll(long long a, long long b)
{
	return a > b ? a : b;
}

/* The status of t from its current and wanted values and directions. */
static void
tune_judge(struct tune *t, enum tune_status bad)
{
	int i;

	t->t_status = TUNE_OK;
	for (i = 0; i < t->t_cur.sv_n && i < t->t_want.sv_n; i++) {
		if ((t->t_dir[i] > 0 && t->t_cur.sv_v[i] < t->t_want.sv_v[i]) ||
		    (t->t_dir[i] < 0 && t->t_cur.sv_v[i] > t->t_want.sv_v[i]))
			t->t_status = bad;
	}
}

/*
 * Fill a sysctl entry: number i is wanted at least (dir +1) or at most
 * (dir -1) w[i]; no dir means at least, for all n.  Failing that, the
 * status is bad.
 */
static int
tune_sysctl(const struct tune_req *rq, struct tune *t, const char *name,
    int n, const long long *w, const signed char *dir, enum tune_status bad)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->t_name = name;
	if (sysctl_read(rq->tr_root, name, &t->t_cur) == -1)
		return -1;
	t->t_want = t->t_cur;
	for (i = 0; i < n && i < t->t_cur.sv_n; i++) {
		t->t_dir[i] = dir ? dir[i] : 1;
		if (t->t_dir[i] != 0)
			t->t_want.sv_v[i] = w[i];
	}
	tune_judge(t, bad);
	return 0;
}

/*
 * Can this process raise its hard RLIMIT_NOFILE to want?  Tries it and
 * puts the old limit back: lowering a hard limit is always allowed.
 */
static int
tune_raisable(const struct rlimit *rl, long long want)
{
	struct rlimit up = *rl;

	if ((long long)rl->rlim_max >= want)
		return 1;
	up.rlim_max = want;
	if (setrlimit(RLIMIT_NOFILE, &up) == -1)
		return 0;
	setrlimit(RLIMIT_NOFILE, rl);
	return 1;
}

/* RLIM_INFINITY is larger than anything wanted. */
static long long
rlim_ll(rlim_t r)
{
	return r == RLIM_INFINITY ? LLONG_MAX : (long long)r;
}

/* The two RLIMIT_NOFILE entries: soft, then hard. */
static int
tune_rlimit(long long per_proc, struct tune *t)
{
	struct rlimit rl;
	long long v[2];
	int i, raisable;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	v[0] = rlim_ll(rl.rlim_cur);
	v[1] = rlim_ll(rl.rlim_max);
	raisable = tune_raisable(&rl, per_proc);
	for (i = 0; i < 2; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].t_name = i ? "rlimit.nofile.hard" : "rlimit.nofile.soft";
		t[i].t_rlimit = 1;
		t[i].t_cur.sv_n = t[i].t_want.sv_n = 1;
		t[i].t_cur.sv_v[0] = v[i];
		t[i].t_want.sv_v[0] = per_proc;
		t[i].t_dir[0] = 1;
		tune_judge(&t[i], TUNE_LOW);
		/* soft == hard: only the hard limit stands in the way */
		if (t[i].t_status == TUNE_LOW && !raisable &&
		    (i == 1 || v[0] == v[1]))
			t[i].t_status = TUNE_SPLIT;
	}
	return 0;
}

/* Read a setting that others derive from: needs at least min numbers. */
static int
tune_need(const struct tune_req *rq, const char *name, int min,
    struct sysctl_val *v)
{
	if (sysctl_read(rq->tr_root, name, v) == -1)
		return -1;
	if (v->sv_n < min) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

#define SET(name, cnt, want, dir, bad) do {				\
	*failed = (name);						\
	if (tune_sysctl(rq, &tab[k], (name), (cnt), (want), (dir), (bad)) \
	    == -1)							\
		return -1;						\
	k++;								\
} while (0)
#define SET1(name, v) do {						\
	w[0] = (v);							\
	SET((name), 1, w, NULL, TUNE_LOW);				\
} while (0)

/* Descriptors and ports: fills tab from 0, returns entries or -1. */
static int
tune_fds(const struct tune_req *rq, struct tune *tab, const char **failed)
{
	static const signed char range[] = { -1, 1, 0 };
	struct sysctl_val ports;
	long long n = rq->tr_conns, s, per_proc, w[3];
	int k = 0, wide;

	s = rq->tr_local ? 2 * n : n;
	per_proc = n + TUNE_RESERVE;
	SET1("fs.file-max", s + 65536);
	SET1("fs.nr_open", per_proc);
	*failed = "RLIMIT_NOFILE";
	if (tune_rlimit(per_proc, &tab[k]) == -1)
		return -1;
	k += 2;
	*failed = "net.ipv4.ip_local_port_range";
	if (tune_need(rq, *failed, 2, &ports) == -1)
		return -1;
	/* only a local flood takes its source ports from this host */
	wide = rq->tr_local && n > ports.sv_v[1] - ports.sv_v[0] + 1;
	w[0] = 1024;
	w[1] = 65535;
	SET("net.ipv4.ip_local_port_range", wide ? 2 : 0, w, range, TUNE_LOW);
	return k;
}

/* Queues, TCP memory and conntrack: fills tab, returns entries or -1. */
static int
tune_net(const struct tune_req *rq, struct tune *tab, const char **failed)
{
	static const signed char floor[] = { -1, 0, 0 };
	struct sysctl_val rmem, wmem;
	long long n = rq->tr_conns, s, backlog, w[3];
	int k = 0;

	s = rq->tr_local ? 2 * n : n;
	backlog = max_ll(1024, ceil_div(n, RAMP_SECS));
	if (tune_need(rq, *failed = "net.ipv4.tcp_rmem", 2, &rmem) == -1 ||
	    tune_need(rq, *failed = "net.ipv4.tcp_wmem", 2, &wmem) == -1)
		return -1;
	SET1("net.core.somaxconn", backlog);
	SET1("net.ipv4.tcp_max_syn_backlog", backlog);
	SET1("net.core.netdev_max_backlog", max_ll(1000, ceil_div(s, 1000)));
	w[0] = ceil_div(s * PAGE_BUDGET, 4);
	w[1] = ceil_div(s * PAGE_BUDGET, 2);
	w[2] = s * PAGE_BUDGET;
	SET("net.ipv4.tcp_mem", 3, w, NULL, TUNE_LOW);
	SET1("net.core.rmem_max", rmem.sv_v[1]);
	SET1("net.core.wmem_max", wmem.sv_v[1]);
	w[0] = 4096;
	SET("net.ipv4.tcp_rmem", 1, w, floor, TUNE_HIGH);
	SET("net.ipv4.tcp_wmem", 1, w, floor, TUNE_HIGH);
	SET1("net.ipv4.tcp_syncookies", 1);
	/* N live entries plus N closed ones conntrack still remembers */
	w[0] = 2 * n + 65536;
	*failed = "net.netfilter.nf_conntrack_max";
	if (tune_sysctl(rq, &tab[k], *failed, 1, w, NULL, TUNE_LOW) == 0)
		k++;
	else if (errno != ENOENT)
		return -1;
	return k;
}

#undef SET1
#undef SET

/* Descriptors first: the split advice and the port count come from them. */
int
tune_check(const struct tune_req *rq, struct tune *tab, const char **failed)
{
	int k, m;

	if ((k = tune_fds(rq, tab, failed)) == -1 ||
	    (m = tune_net(rq, tab + k, failed)) == -1)
		return -1;
	*failed = NULL;
	return k + m;
}

/* Never lower a limit someone raised on purpose: only failing numbers move. */
void
tune_target(const struct tune *t, struct sysctl_val *v)
{
	int i;

	*v = t->t_cur;
	for (i = 0; i < v->sv_n && i < t->t_want.sv_n; i++) {
		if ((t->t_dir[i] > 0 && v->sv_v[i] < t->t_want.sv_v[i]) ||
		    (t->t_dir[i] < 0 && v->sv_v[i] > t->t_want.sv_v[i]))
			v->sv_v[i] = t->t_want.sv_v[i];
	}
}

/*
 * The one sizing rule for spreading connections over processes, used by
 * cometd's start-up warning and cometsysctl's advice alike: a process
 * keeps TUNE_RESERVE descriptors for everything but connections (its
 * listener, epoll, cometd's worker mailboxes, one per worker, and what
 * libc opens), so it holds nofile - TUNE_RESERVE.  Under 2 * TUNE_RESERVE
 * that would leave little or nothing, and half the limit is counted
 * instead.
 */
long long
tune_workers(long long conns, long long nofile)
{
	long long per;

	per = nofile > 2 * TUNE_RESERVE ? nofile - TUNE_RESERVE : nofile / 2;
	return ceil_div(conns, per > 0 ? per : 1);
}

/* Each (source, destination, port) triple has one range of ports. */
long long
tune_addrs(long long conns, const struct tune *range, int target)
{
	struct sysctl_val v;
	long long span;

	if (target)
		tune_target(range, &v);
	else
		v = range->t_cur;
	span = v.sv_n == 2 ? v.sv_v[1] - v.sv_v[0] + 1 : 0;
	return ceil_div(conns, span > 0 ? span : 1);
}

const char *
tune_status_name(enum tune_status st)
{
	switch (st) {
	case TUNE_OK:
		return "ok";
	case TUNE_LOW:
		return "low";
	case TUNE_HIGH:
		return "high";
	case TUNE_SPLIT:
		return "split";
	}
	return "?";
}
