/*
 * server.c: a cometd worker: setup, the loop, accept, timeouts and stop.
 * The loop's passes: wait for events or the next timer, dispatch (reads
 * go to request.c, writable streams to conn.c), send the periodic chunks
 * due, close what timed out, then write what the pass queued for streams
 * and send the records gathered for other workers.
 */
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"
#include "conn.h"
#include "deliver.h"
#include "ep_poll.h"
#include "ep_stream.h"
#include "frame.h"
#include "history.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "relay.h"
#include "request.h"
#include "respond.h"
#include "server.h"
#include "stats.h"
#include "timer.h"

#define ACCEPT_BATCH	256	/* accepts per listener event */
#define EMFILE_PAUSE	100	/* ms without accepting after EMFILE */
#define NAP_EVENTS	8	/* a pass with fewer events is thin */
#define NAP_US		5000	/* pause after a thin pass, us */
#ifndef TICK_MS
#define TICK_MS		50	/* coarsest stream wakeup, ms */
#endif

static void
server_event(void *arg, int fd, uint32_t ev)
{
	struct server *s = arg;
	struct conn *c = conn_get(s, fd);

	if ((ev & EPOLLOUT) && (c->c_flags & CF_BLOCKED) &&
	    conn_flush(s, fd) == 1)
		request_read(s, fd, 0);
	if ((ev & EPOLLIN) && c->c_state != CS_FREE)
		request_read(s, fd, 1);
	else if ((ev & (EPOLLERR | EPOLLHUP)) && c->c_state != CS_FREE)
		conn_close(s, fd, CE_ERROR);
}

/*
 * Write an error answer straight to fd, which is being closed or has no
 * slot: the same form as every other error, written once, no waiting.
 */
static void
server_blurt(struct server *s, int fd, int status)
{
	char body[256], *b = s->s_scratch;
	size_t n;

	n = respond_error_body(body, sizeof(body), status, NULL);
	n = respond_format(b, SCRATCH_SIZE, status, NULL, body, n,
	    RESPOND_CLOSE);
	(void)!write(fd, b, n);
}

/* Close connections whose request head or blocked output is overdue. */
static void
server_expire(struct server *s)
{
	uint32_t now = s->s_loop.l_now, fd;
	struct conn *c;

	while ((fd = timer_expired(&s->s_lists[CL_REQ], now)) != TIMER_NONE) {
		c = conn_get(s, fd);
		/* a client in the middle of a request or body is told why */
		if (c->c_pend || (c->c_flags & (CF_SKIP | CF_PUB)))
			server_blurt(s, fd, 408);
		conn_close(s, fd, CE_TIMEOUT);
	}
	while ((fd = timer_expired(&s->s_lists[CL_BLOCKED], now)) !=
	    TIMER_NONE)
		conn_close(s, fd, CE_SLOW);
	while ((fd = timer_expired(&s->s_lists[CL_LINGER], now)) !=
	    TIMER_NONE)
		conn_close(s, fd, CE_DONE);
	while ((fd = timer_expired(&s->s_lists[CL_POLL], now)) != TIMER_NONE)
		ep_poll_expire(s, fd);
}

/*
 * Heartbeats: a sweep over the table every half period (ep_stream_beat),
 * rather than a timer per stream, so that a stream writing messages pays
 * nothing for them.  A sweep reads every slot: ~20,000 per worker here,
 * a few tens of microseconds, every 7.5 s by default.
 */
static void
server_beat(struct server *s)
{
	uint32_t half = s->s_conf->sc_beat / 2;

	if (half == 0 || TIMER_BEFORE(s->s_loop.l_now, s->s_beat))
		return;
	ep_stream_beat(s);
	s->s_beat = s->s_loop.l_now + half;
}

/*
 * Out of descriptors: use the reserve to accept one waiting connection
 * and answer it 503 (so its client hears at once rather than waiting in
 * the queue), then stop accepting for a moment instead of spinning on a
 * listener that stays readable.
 */
static void
accept_pause(struct server *s)
{
	int fd;

	if (s->s_reserve != -1) {
		close(s->s_reserve);
		if ((fd = net_accept(s->s_lfd)) != -1) {
			server_blurt(s, fd, 503);
			shutdown(fd, SHUT_WR);
			close(fd);
			stats_add(s->s_st, STAT_ACCEPTED, 1);
			stats_add(s->s_st, STAT_CLOSED, 1);
			stats_add(s->s_st, STAT_REJECTED, 1);
		}
		s->s_reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	loop_unwatch(&s->s_loop, s->s_lfd);
	s->s_paused = 1;
	s->s_resume = s->s_loop.l_now + EMFILE_PAUSE;
	log_debug("worker %d: out of descriptors, accept paused", s->s_idx);
}

static void
accept_event(void *arg, int lfd, uint32_t ev)
{
	struct server *s = arg;
	int fd, i;

	(void)ev;
	for (i = 0; i < ACCEPT_BATCH; i++) {
		if ((fd = net_accept(lfd)) == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				accept_pause(s);
			if (errno != ECONNABORTED && errno != EINTR)
				return;
			continue;
		}
		if ((uint32_t)fd >= s->s_nconns) {
			close(fd);
			continue;
		}
		conn_open(s, fd, 0);
	}
}

static void
signal_event(void *arg, int sfd, uint32_t ev)
{
	struct server *s = arg;
	struct signalfd_siginfo si;

	(void)ev;
	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP)
		access_reopen(s);	/* the log was rotated */
	else
		s->s_stop = 1;
}

/*
 * The wait for the stream list, coarsened: a worker holding 15,000
 * streams at 10 s has one due every 0.6 ms, and waking for each costs a
 * context switch per chunk.  Waiting at least interval / 200 (at most
 * TICK_MS) sends every chunk due meanwhile in one pass; a chunk is late
 * by at most that, and the next one is still due one interval after the
 * previous due time, so no drift.  With 64 workers 50 ms against 10 ms
 * halved the server's CPU per chunk: a wakeup costs ~40 us here.
 */
static int
stream_wait(struct server *s)
{
	uint32_t tick = s->s_conf->sc_interval / 200;
	int w = timer_wait(&s->s_lists[CL_STREAM], s->s_loop.l_now);

	if (tick > TICK_MS)
		tick = TICK_MS;
	return w > 0 && (uint32_t)w < tick ? (int)tick : w;
}

/* Milliseconds until the next timer or accept resume; -1: none. */
static int
server_wait(struct server *s)
{
	uint32_t now = s->s_loop.l_now;
	int i, w, best = -1;

	for (i = CL_REQ; i < CL_COUNT; i++) {
		w = i == CL_STREAM ? stream_wait(s) :
		    timer_wait(&s->s_lists[i], now);
		if (w >= 0 && (best == -1 || w < best))
			best = w;
	}
	if (s->s_paused) {
		w = TIMER_BEFORE(now, s->s_resume) ? (int)(s->s_resume - now) : 0;
		if (best == -1 || w < best)
			best = w;
	}
	if (s->s_conf->sc_beat / 2 > 0) {
		w = TIMER_BEFORE(now, s->s_beat) ? (int)(s->s_beat - now) : 0;
		if (best == -1 || w < best)
			best = w;
	}
	return best;
}

/*
 * After a pass that found only a few events (n of them), nap before the
 * next epoll_wait.  In a ramp every worker is woken for about one new
 * connection at a time, and each wakeup costs more than the connection
 * (the client's connect also pays to wake us); the nap lets the next
 * pass take many.  Passes woken by the chunk timer find no events and
 * never nap.  Measured over a 100,000-connection ramp with 16 workers:
 * 63-73 us of server CPU per connection without, 54-58 with.
 */
static void
server_nap(int n)
{
	struct timespec ts = { 0, NAP_US * 1000 };

	if (n > 0 && n < NAP_EVENTS)
		(void)nanosleep(&ts, NULL);
}

/* A request handed over by another worker: a stream, or a poll. */
static void
server_adopt(struct server *s, int fd, const char *id, size_t idlen,
    int frame, const void *data, size_t len)
{
	if (frame == FRAME_POLL)
		ep_poll_adopt(s, fd, id, idlen, data, len);
	else
		ep_stream_adopt(s, fd, id, idlen, frame, data, len);
}

static const struct relay_ops relay_ops = {
	.ro_adopt = server_adopt,
	.ro_replied = request_replied,
};

/* A stream or a poll whose start came from Redis. */
static void
server_started(struct server *s, int fd, const void *data, size_t len,
    const struct cluster_found *f)
{
	if (conn_get(s, fd)->c_frame == FRAME_POLL)
		ep_poll_started(s, fd, data, len, f);
	else
		ep_stream_started(s, fd, data, len, f);
}

static const struct cluster_ops cluster_ops = {
	.co_start = server_started,
	.co_replied = request_replied,
};

/*
 * The epoch of this worker's message ids: now, in ms since 1970, or one
 * past the previous epoch of this worker index if the clock went back,
 * so a restarted worker never gives an id out twice.
 */
static uint64_t
server_epoch(struct server *s)
{
	uint64_t e = loop_wall_ms(), prev = stats_get(s->s_st, STAT_EPOCH);

	if (e <= prev)
		e = prev + 1;
	stats_set(s->s_st, STAT_EPOCH, e);
	return e;
}

static int
server_setup(struct server *s)
{
	const struct server_conf *sc = s->s_conf;
	struct rlimit rl;
	sigset_t set;
	int i;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	s->s_nconns = rl.rlim_cur > UINT32_MAX - 1 ? UINT32_MAX - 1 :
	    rl.rlim_cur;
	if ((s->s_conns = calloc(s->s_nconns, sizeof(struct conn))) == NULL)
		return -1;
	for (i = 0; i < CL_COUNT; i++)
		timer_init(&s->s_lists[i], s->s_conns, sizeof(struct conn));
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if ((s->s_sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		return -1;
	s->s_reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if ((s->s_lfd = net_listen(sc->sc_addr, sc->sc_port, 65535)) == -1)
		return -1;
	if (loop_init(&s->s_loop, server_event, s) == -1 ||
	    loop_watch(&s->s_loop, s->s_lfd, EPOLLIN, accept_event, s) == -1 ||
	    loop_watch(&s->s_loop, s->s_sfd, EPOLLIN, signal_event, s) == -1)
		return -1;
	if (access_open(s) == -1 || deliver_init(s) == -1 ||
	    relay_init(s, &relay_ops) == -1 ||
	    history_init(&s->s_hist, server_epoch(s), sc->sc_keep,
	    sc->sc_keepbytes) == -1 || cluster_init(s, &cluster_ops) == -1)
		return -1;
	loop_clock(&s->s_loop);
	return 0;
}

/*
 * One worker per process, whose state lives until the process exits:
 * static, so that what it points to stays reachable and leak checkers
 * can tell it from a real leak.
 */
static struct server server;

int
server_run(const struct server_conf *sc, int idx)
{
	struct server *s = &server;
	int n = 0;

	memset(s, 0, sizeof(*s));
	s->s_conf = sc;
	s->s_idx = idx;
	s->s_st = &sc->sc_stats->sh_slot[idx];
	s->s_lfd = s->s_sfd = s->s_reserve = s->s_accfd = -1;
	if (server_setup(s) == -1)
		return -1;
	while (!s->s_stop) {
		server_nap(n);
		if ((n = loop_once(&s->s_loop, server_wait(s))) == -1)
			return -1;
		ep_stream_tick(s);
		server_beat(s);
		server_expire(s);
		conn_send_queued(s);
		relay_tick(s);
		cluster_tick(s);
		if (s->s_paused && !TIMER_BEFORE(s->s_loop.l_now, s->s_resume)) {
			s->s_paused = 0;
			loop_watch(&s->s_loop, s->s_lfd, EPOLLIN, accept_event,
			    s);
		}
	}
	close(s->s_lfd);
	ep_stream_drain(s);
	return 0;
}
