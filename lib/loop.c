/*
 * loop.c: epoll dispatch.  The epoll data word carries the fd itself for
 * connections, or LOOP_SPECIAL plus a watch slot for special fds, so a
 * connection needs no loop-side record at all.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_SPECIAL	(1ULL << 32)

int
loop_init(struct loop *l, loop_cb *cb, void *arg)
{
	int i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < LOOP_MAXWATCH; i++)
		l->l_watch[i].w_fd = -1;
	l->l_conn_cb = cb;
	l->l_conn_arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &l->l_base);
	if ((l->l_epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	return 0;
}

int
loop_watch(struct loop *l, int fd, uint32_t events, loop_cb *cb, void *arg)
{
	struct epoll_event ev;
	int i;

	for (i = 0; i < LOOP_MAXWATCH && l->l_watch[i].w_fd != -1; i++)
		;
	if (i == LOOP_MAXWATCH) {
		errno = ENOSPC;
		return -1;
	}
	ev.events = events;
	ev.data.u64 = LOOP_SPECIAL | (uint64_t)i;
	if (epoll_ctl(l->l_epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		return -1;
	l->l_watch[i].w_fd = fd;
	l->l_watch[i].w_cb = cb;
	l->l_watch[i].w_arg = arg;
	return 0;
}

int
loop_rewatch(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev;
	int i;

	for (i = 0; i < LOOP_MAXWATCH; i++) {
		if (l->l_watch[i].w_fd == fd) {
			ev.events = events;
			ev.data.u64 = LOOP_SPECIAL | (uint64_t)i;
			return epoll_ctl(l->l_epfd, EPOLL_CTL_MOD, fd, &ev);
		}
	}
	errno = ENOENT;
	return -1;
}

int
loop_unwatch(struct loop *l, int fd)
{
	int i;

	for (i = 0; i < LOOP_MAXWATCH; i++) {
		if (l->l_watch[i].w_fd == fd) {
			l->l_watch[i].w_fd = -1;
			return epoll_ctl(l->l_epfd, EPOLL_CTL_DEL, fd, NULL);
		}
	}
	errno = ENOENT;
	return -1;
}

static int
loop_ctl(struct loop *l, int op, int fd, uint32_t events)
{
	struct epoll_event ev;

	ev.events = events;
	ev.data.u64 = (uint32_t)fd;
	return epoll_ctl(l->l_epfd, op, fd, &ev);
}

int
loop_add(struct loop *l, int fd, uint32_t events)
{
	return loop_ctl(l, EPOLL_CTL_ADD, fd, events);
}

int
loop_mod(struct loop *l, int fd, uint32_t events)
{
	return loop_ctl(l, EPOLL_CTL_MOD, fd, events);
}

uint32_t
loop_clock(struct loop *l)
{
	struct timespec ts;
	int64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ms = (int64_t)(ts.tv_sec - l->l_base.tv_sec) * 1000 +
	    (ts.tv_nsec - l->l_base.tv_nsec) / 1000000;
	l->l_now = (uint32_t)ms;
	return l->l_now;
}

uint64_t
loop_mono_ms(const struct loop *l)
{
	return (uint64_t)l->l_base.tv_sec * 1000 + l->l_base.tv_nsec / 1000000 +
	    l->l_now;
}

uint64_t
loop_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
loop_once(struct loop *l, int timeout)
{
	struct loop_watch *w;
	uint64_t d;
	int i, n;

	n = epoll_wait(l->l_epfd, l->l_ev, LOOP_NEVENTS, timeout);
	loop_clock(l);
	if (n == -1)
		return errno == EINTR ? 0 : -1;
	for (i = 0; i < n; i++) {
		d = l->l_ev[i].data.u64;
		if (d & LOOP_SPECIAL) {
			w = &l->l_watch[d & 0xff];
			/* an earlier callback may have unwatched it */
			if (w->w_fd != -1)
				w->w_cb(w->w_arg, w->w_fd, l->l_ev[i].events);
		} else {
			l->l_conn_cb(l->l_conn_arg, (int)d,
			    l->l_ev[i].events);
		}
	}
	return n;
}
