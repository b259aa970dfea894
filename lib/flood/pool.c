/*
 * pool.c: one process may hold only RLIMIT_NOFILE sockets (20,000
 * here), so a big flood runs many worker processes.  The parent reads
 * the URLs and queues records to the workers' pipes; each worker counts
 * into its own flood_stats in a MAP_SHARED area that the parent sums.
 *
 * Workers are started as they are needed: a worker is filled to pl_cap
 * URLs before the next one starts, so 25,000 URLs make two workers and a
 * million make ~51.  Pipes are grown to 1 MiB so the parent can queue
 * most of a worker's URLs and move on, and the workers ramp in parallel.
 * With pl_fixed (cometflood -j) all workers start at once and take URLs
 * round-robin.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pool.h"

#define PIPE_SZ		(1 << 20)

int
pool_init(struct pool *p, int max, int fixed, unsigned cap,
    pool_child_fn *child, void *arg)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->pl_max = max;
	p->pl_fixed = fixed;
	p->pl_cap = cap;
	p->pl_child = child;
	p->pl_arg = arg;
	p->pl_st = mmap(NULL, max * sizeof(*p->pl_st), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->pl_st == MAP_FAILED)
		return -1;
	/* queues stay in the parent: a forked worker must not carry them */
	p->pl_w = mmap(NULL, max * sizeof(*p->pl_w), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->pl_w == MAP_FAILED)
		return -1;
	(void)madvise(p->pl_w, max * sizeof(*p->pl_w), MADV_DONTFORK);
	for (i = 0; fixed && i < max; i++)
		if (pool_pick(p) == -1)
			return -1;
	return 0;
}

/* Fork worker pl_n; returns its index or -1 with errno. */
static int
pool_spawn(struct pool *p)
{
	struct worker *w = &p->pl_w[p->pl_n];
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	(void)fcntl(fds[1], F_SETPIPE_SZ, PIPE_SZ);
	fflush(NULL);		/* or the child writes our buffered output */
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		/*
		 * The other workers' pipes (or they never see EOF), the
		 * parent's inputs and signalfd: all above stderr but ours.
		 * pl_w is not mapped here (MADV_DONTFORK).
		 */
		close_range(3, fds[0] - 1, 0);
		close_range(fds[0] + 1, ~0U, 0);
		_exit(p->pl_child(p->pl_n, fds[0], &p->pl_st[p->pl_n], p->pl_arg));
	}
	close(fds[0]);
	(void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
	w->wk_pid = pid;
	w->wk_fd = fds[1];
	return p->pl_n++;
}

int
pool_pick(struct pool *p)
{
	unsigned i, k;

	if (!p->pl_fixed || p->pl_n < p->pl_max) {
		if (p->pl_n > 0 && !p->pl_fixed &&
		    p->pl_w[p->pl_n - 1].wk_assigned < p->pl_cap &&
		    !p->pl_w[p->pl_n - 1].wk_dead)
			return p->pl_n - 1;
		if (p->pl_n == p->pl_max) {
			errno = ENOSPC;
			return -1;
		}
		return pool_spawn(p);
	}
	for (k = 0; k < (unsigned)p->pl_n; k++) {
		i = p->pl_rr++ % p->pl_n;
		if (p->pl_w[i].wk_assigned < p->pl_cap && !p->pl_w[i].wk_dead)
			return i;
	}
	errno = ENOSPC;
	return -1;
}

int
pool_put(struct pool *p, int i, const char *rec, size_t len)
{
	struct worker *w = &p->pl_w[i];

	if (w->wk_dead) {
		w->wk_assigned++;	/* dropped: it can never connect */
		return 0;
	}
	if (POOL_OUTSZ - w->wk_len < len)
		return -1;
	memcpy(w->wk_out + w->wk_len, rec, len);
	w->wk_len += len;
	w->wk_assigned++;
	return 0;
}

int
pool_flush(struct pool *p, int i)
{
	struct worker *w = &p->pl_w[i];
	ssize_t n;

	if (w->wk_len == 0 || w->wk_fd == -1)
		return 0;
	n = write(w->wk_fd, w->wk_out, w->wk_len);
	if (n == -1 && errno != EAGAIN && errno != EINTR) {
		w->wk_dead = 1;
		w->wk_len = 0;
		return 0;
	}
	if (n > 0) {
		memmove(w->wk_out, w->wk_out + n, w->wk_len - n);
		w->wk_len -= n;
	}
	return w->wk_len;
}

int
pool_pending(const struct pool *p)
{
	int i;

	for (i = 0; i < p->pl_n; i++)
		if (p->pl_w[i].wk_len > 0)
			return 1;
	return 0;
}

void
pool_close(struct pool *p)
{
	int i;

	for (i = 0; i < p->pl_n; i++)
		if (p->pl_w[i].wk_fd != -1) {
			close(p->pl_w[i].wk_fd);
			p->pl_w[i].wk_fd = -1;
		}
}

int
pool_idle(const struct pool *p)
{
	int i;

	for (i = 0; i < p->pl_n; i++)
		if (!p->pl_w[i].wk_dead &&
		    !__atomic_load_n(&p->pl_st[i].st_idle, __ATOMIC_RELAXED))
			return 0;
	return 1;
}

int
pool_reap(struct pool *p)
{
	pid_t pid;
	int i, n = 0, status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (i = 0; i < p->pl_n; i++)
			if (p->pl_w[i].wk_pid == pid) {
				p->pl_w[i].wk_dead = 1;
				p->pl_w[i].wk_pid = 0;
				n++;
			}
	return n;
}

void
pool_stop(struct pool *p)
{
	int i;

	for (i = 0; i < p->pl_n; i++)
		if (p->pl_w[i].wk_pid > 0)
			kill(p->pl_w[i].wk_pid, SIGTERM);
	for (i = 0; i < p->pl_n; i++)
		if (p->pl_w[i].wk_pid > 0) {
			while (waitpid(p->pl_w[i].wk_pid, NULL, 0) == -1 &&
			    errno == EINTR)
				;
			p->pl_w[i].wk_pid = 0;
		}
}

#define LOAD(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)

/* Add src, which its worker may be writing, to dst. */
static void
merge_live(struct hist *dst, const struct hist *src)
{
	unsigned i;
	uint64_t m;

	for (i = 0; i < HIST_N; i++)
		dst->h_bin[i] += LOAD(src->h_bin[i]);
	dst->h_count += LOAD(src->h_count);
	if ((m = LOAD(src->h_max)) > dst->h_max)
		dst->h_max = m;
}

void
pool_sum(const struct pool *p, struct flood_stats *sum, int what)
{
	const struct flood_stats *s;
	int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < p->pl_n; i++) {
		s = &p->pl_st[i];
		if (p->pl_w[i].wk_dead)
			sum->st_closed += LOAD(s->st_active);
		else
			sum->st_active += LOAD(s->st_active);
		sum->st_closed += LOAD(s->st_closed);
		sum->st_chunks += LOAD(s->st_chunks);
		sum->st_bytes += LOAD(s->st_bytes);
		sum->st_connects += LOAD(s->st_connects);
		sum->st_cut += LOAD(s->st_cut);
		if (what & POOL_HISTS) {
			merge_live(&sum->st_connect_us, &s->st_connect_us);
			merge_live(&sum->st_inter_ms, &s->st_inter_ms);
		}
		if (what & (POOL_HISTS | POOL_LAT))
			merge_live(&sum->st_lat_us, &s->st_lat_us);
	}
}
