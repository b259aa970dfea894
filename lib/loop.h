/*
 * loop.h: one epoll instance per process.  Connections are plain fds
 * dispatched to one handler (the caller's fd-indexed table holds their
 * state, so the loop keeps nothing per connection); a few special fds
 * (listener, signalfd, the worker mailboxes) each get their own
 * callback.  The clock is read once per pass.
 */
#ifndef COMET_LOOP_H
#define COMET_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>
#include <time.h>

#define LOOP_MAXWATCH	8	/* special fds per loop */
#define LOOP_NEVENTS	1024	/* events fetched per epoll_wait */

typedef void loop_cb(void *, int, uint32_t);

struct loop_watch {
	int		 w_fd;		/* -1 when the slot is free */
	loop_cb		*w_cb;
	void		*w_arg;
};

struct loop {
	int		 l_epfd;
	uint32_t	 l_now;		/* ms since l_base, set once per pass */
	struct timespec	 l_base;	/* CLOCK_MONOTONIC at loop_init */
	loop_cb		*l_conn_cb;	/* handler for every connection fd */
	void		*l_conn_arg;
	struct loop_watch l_watch[LOOP_MAXWATCH];
	struct epoll_event l_ev[LOOP_NEVENTS];
};

/*
 * Create the epoll instance; cb(arg, fd, events) handles connection fds.
 * Returns 0, or -1 with errno set.
 */
int		 loop_init(struct loop *, loop_cb *, void *);

/*
 * Watch a special fd with its own callback.  Returns 0, or -1 with errno
 * set (ENOSPC when LOOP_MAXWATCH are in use).
 */
int		 loop_watch(struct loop *, int, uint32_t, loop_cb *, void *);

/*
 * Change the events of a watched special fd (a client socket that waits
 * for EPOLLOUT only while it has output).  Returns 0, or -1 with errno
 * set (ENOENT when fd is not watched).
 */
int		 loop_rewatch(struct loop *, int, uint32_t);

/* Stop watching a special fd (it stays open).  Returns 0 or -1. */
int		 loop_unwatch(struct loop *, int);

/* Add or change a connection fd's events.  Return 0 or -1 with errno. */
int		 loop_add(struct loop *, int, uint32_t);
int		 loop_mod(struct loop *, int, uint32_t);

/*
 * Wait up to timeout ms (-1: forever), refresh l_now, and dispatch the
 * events.  Returns the number of events, 0 on timeout or EINTR, -1 on
 * other errors.
 */
int		 loop_once(struct loop *, int);

/* Refresh and return l_now. */
uint32_t	 loop_clock(struct loop *);

/*
 * l_now as ms on CLOCK_MONOTONIC, the same in every process of the
 * machine: for times compared across workers.
 */
uint64_t	 loop_mono_ms(const struct loop *);

/*
 * Ms since 1970 on CLOCK_REALTIME, read now (not the loop's cached
 * time): for what leaves the process as a date, such as message ids,
 * log lines and positions in Redis.
 */
uint64_t	 loop_wall_ms(void);

#endif
