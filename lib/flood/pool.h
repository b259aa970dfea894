/* pool.h: the flood's worker processes, fed through pipes. */
#ifndef COMET_POOL_H
#define COMET_POOL_H

#include <sys/types.h>

#include <stddef.h>

#include "flood.h"

#define POOL_OUTSZ	32768	/* records queued for one worker */

struct worker {
	pid_t		wk_pid;
	int		wk_fd;		/* write end of its pipe; -1 closed */
	int		wk_dead;		/* exited (or its pipe broke) */
	unsigned	wk_assigned;	/* URLs handed to it */
	size_t		wk_len;		/* bytes queued in wk_out */
	char		wk_out[POOL_OUTSZ];
};

/* Runs in a new worker: index, read end of its pipe, its stats. */
typedef int	pool_child_fn(int, int, struct flood_stats *, void *);

struct pool {
	struct worker	*pl_w;		/* pl_max entries, not inherited */
	struct flood_stats *pl_st;	/* pl_max entries, shared */
	int		 pl_n, pl_max;
	int		 pl_fixed;	/* all pl_max started up front */
	unsigned	 pl_cap;		/* URLs per worker */
	unsigned	 pl_rr;		/* next worker, when pl_fixed */
	pool_child_fn	*pl_child;
	void		*pl_arg;
};

/*
 * Map the tables for at most max workers.  With fixed, start all of them
 * now.  Returns 0, or -1 with errno.
 */
int	pool_init(struct pool *, int, int, unsigned, pool_child_fn *, void *);

/*
 * Returns the worker the next URL goes to, starting one if needed, or
 * -1: every worker is full (errno ENOSPC) or none could start.
 */
int	pool_pick(struct pool *);

/*
 * Queue one record of len bytes for worker i.  Returns 0, or -1 if its
 * queue is full (flush, wait for its pipe, retry).
 */
int	pool_put(struct pool *, int, const char *, size_t);

/*
 * Write what the pipe of worker i takes.  Returns the bytes still queued,
 * 0 when empty.  A broken pipe marks the worker dead and drops its queue.
 */
int	pool_flush(struct pool *, int);

/* Returns 1 if any worker still has records queued. */
int	pool_pending(const struct pool *);

/* The input ended: close every pipe, so workers see end of file. */
void	pool_close(struct pool *);

/* Returns 1 when every live worker has tried all its URLs. */
int	pool_idle(const struct pool *);

/* Collect exited workers; returns how many exited since the last call. */
int	pool_reap(struct pool *);

/* Stop every worker (SIGTERM) and wait until all have exited. */
void	pool_stop(struct pool *);

#define POOL_LAT	0x1	/* pool_sum: the latency histogram */
#define POOL_HISTS	0x2	/* pool_sum: every histogram */

/*
 * Sum the workers' counters into *sum, and the histograms what asks for
 * (POOL_LAT, POOL_HISTS), while they run or after.  A histogram read
 * while its worker writes it may miss the last samples, never more.  A
 * worker that died counts its connections as closed.
 */
void	pool_sum(const struct pool *, struct flood_stats *, int);

#endif
