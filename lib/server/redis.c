/*
 * redis.c: the link to Redis (redis.h).
 *
 * Replies are read into one buffer that grows to the largest reply seen
 * (up to REDIS_IN_MAX) and parsed in place by resp_parse, from the start
 * of each reply each time more bytes come: a reply of many messages is
 * mostly bulk strings, which the parser steps over by their length, so
 * parsing again costs per item, not per byte.  The callbacks see items
 * that point into that buffer.
 */
#include <sys/timerfd.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "net.h"
#include "redis.h"
#include "resp.h"

#define IN_START	65536		/* first read buffer */
#define IN_ROOM		16384		/* free bytes wanted before a read */
#define IN_ROUNDS	8		/* reads per event, at most */
#define ITEMS_START	256		/* first item array */
#define ITEMS_MAX	(1u << 21)	/* items of one reply, at most */
#define DEPTH_MAX	8		/* nesting of one reply, at most */

static void	redis_connect(struct redis *);

int
redis_is(const struct resp_item *it, const char *s)
{
	size_t n = strlen(s);

	return (it->ri_type == RESP_BULK || it->ri_type == RESP_SIMPLE) &&
	    it->ri_len == n && memcmp(it->ri_str, s, n) == 0;
}

/* Append an answer due; returns 0, or -1 when memory runs out. */
static int
q_push(struct redis *r, redis_reply_fn *fn, void *ctx, int sub)
{
	struct redis_wait *q, *w;
	uint32_t cap, i;

	if (r->rx_qlen == r->rx_qcap) {
		cap = r->rx_qcap ? r->rx_qcap * 2 : 64;
		if (cap == 0 || (q = malloc(cap * sizeof(*q))) == NULL)
			return -1;
		for (i = 0; i < r->rx_qlen; i++)
			q[i] = r->rx_q[(r->rx_qhead + i) & (r->rx_qcap - 1)];
		free(r->rx_q);
		r->rx_q = q;
		r->rx_qcap = cap;
		r->rx_qhead = 0;
	}
	w = &r->rx_q[(r->rx_qhead + r->rx_qlen++) & (r->rx_qcap - 1)];
	w->rxw_fn = fn;
	w->rxw_ctx = ctx;
	w->rxw_sub = sub;
	return 0;
}

/* Take the oldest answer due into *w; -1 if none is. */
static int
q_pop(struct redis *r, struct redis_wait *w)
{
	if (r->rx_qlen == 0)
		return -1;
	*w = r->rx_q[r->rx_qhead];
	r->rx_qhead = (r->rx_qhead + 1) & (r->rx_qcap - 1);
	r->rx_qlen--;
	return 0;
}

/* Watch the socket for ev, if that is not what it is watched for. */
static void
redis_watch(struct redis *r, uint32_t ev)
{
	if (ev == r->rx_events)
		return;
	if (loop_rewatch(r->rx_loop, r->rx_fd, ev) == 0)
		r->rx_events = ev;
}

/* Arm the timer for the next attempt, and back off for the one after. */
static void
redis_sched(struct redis *r)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = r->rx_backoff / 1000;
	its.it_value.tv_nsec = (long)(r->rx_backoff % 1000) * 1000000L;
	(void)timerfd_settime(r->rx_tfd, 0, &its, NULL);
	r->rx_backoff = r->rx_backoff * 2 > REDIS_BACKOFF_MAX ?
	    REDIS_BACKOFF_MAX : r->rx_backoff * 2;
}

/*
 * The link is down (why, and errno err or 0): close it, tell every
 * command still due, say so once, and schedule the next attempt.
 */
static void
redis_down(struct redis *r, const char *why, int err)
{
	struct redis_wait w;
	int up = r->rx_state == REDIS_UP;

	if (r->rx_fd != -1) {
		(void)loop_unwatch(r->rx_loop, r->rx_fd);
		close(r->rx_fd);
		r->rx_fd = -1;
	}
	r->rx_state = REDIS_DOWN;
	r->rx_events = 0;
	r->rx_ooff = r->rx_olen = r->rx_ilen = 0;
	while (q_pop(r, &w) == 0)
		if (w.rxw_fn != NULL)
			w.rxw_fn(r->rx_arg, w.rxw_ctx, NULL, 0);
	if (!r->rx_quiet) {
		log_warnx("worker %d: redis %s: link down: %s%s%s; retrying",
		    r->rx_idx, r->rx_name, why, err ? ": " : "",
		    err ? strerror(err) : "");
		r->rx_quiet = 1;
	}
	if (up && r->rx_ops->rxo_down != NULL)
		r->rx_ops->rxo_down(r->rx_arg);
	redis_sched(r);
}

/* Encode a command after what waits; returns 0, or -1 with errno. */
static int
redis_out(struct redis *r, int argc, const char *const *argv,
    const size_t *lens)
{
	size_t n, cap;
	char *p;

	n = resp_encode(r->rx_out + r->rx_olen, r->rx_ocap - r->rx_olen,
	    argc, argv, lens);
	if (n <= r->rx_ocap - r->rx_olen) {
		r->rx_olen += n;
		return 0;
	}
	if (r->rx_olen - r->rx_ooff + n > REDIS_OUT_MAX) {
		errno = ENOBUFS;
		return -1;
	}
	/* what was written goes first, then the buffer grows if need be */
	memmove(r->rx_out, r->rx_out + r->rx_ooff, r->rx_olen - r->rx_ooff);
	r->rx_olen -= r->rx_ooff;
	r->rx_ooff = 0;
	if (r->rx_olen + n > r->rx_ocap) {
		cap = r->rx_ocap ? r->rx_ocap : 65536;
		while (cap < r->rx_olen + n)
			cap *= 2;
		if ((p = realloc(r->rx_out, cap)) == NULL)
			return -1;
		r->rx_out = p;
		r->rx_ocap = cap;
	}
	r->rx_olen += resp_encode(r->rx_out + r->rx_olen, n, argc, argv, lens);
	return 0;
}

/* Queue a command whatever the state; as redis_command. */
static int
redis_queue(struct redis *r, int argc, const char *const *argv,
    const size_t *lens, int sub, redis_reply_fn *fn, void *ctx)
{
	if (q_push(r, fn, ctx, sub) == -1) {
		errno = ENOMEM;
		return -1;
	}
	if (redis_out(r, argc, argv, lens) == -1) {
		r->rx_qlen--;
		return -1;
	}
	return 0;
}

int
redis_command(struct redis *r, int argc, const char *const *argv,
    const size_t *lens, int sub, redis_reply_fn *fn, void *ctx)
{
	if (r->rx_state != REDIS_UP) {
		errno = ENOTCONN;
		return -1;
	}
	return redis_queue(r, argc, argv, lens, sub, fn, ctx);
}

static void
redis_write(struct redis *r)
{
	ssize_t n;

	while (r->rx_ooff < r->rx_olen) {
		n = write(r->rx_fd, r->rx_out + r->rx_ooff, r->rx_olen -
		    r->rx_ooff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n == -1) {
			redis_down(r, "write", errno);
			return;
		}
		r->rx_ooff += (size_t)n;
	}
	if (r->rx_ooff == r->rx_olen)
		r->rx_ooff = r->rx_olen = 0;
	redis_watch(r, r->rx_olen > 0 ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

void
redis_flush(struct redis *r)
{
	if (r->rx_fd != -1 && r->rx_state >= REDIS_HELLO &&
	    r->rx_olen > r->rx_ooff && !(r->rx_events & EPOLLOUT))
		redis_write(r);
}

/* The major version in HELLO's map (items it[0..n)), or -1. */
static int
redis_version(const struct resp_item *it, size_t n)
{
	size_t k = 1, e;

	if (it->ri_type != RESP_MAP)
		return -1;
	for (e = 0; e + 1 < (size_t)it->ri_int && k < n; e += 2) {
		if (redis_is(&it[k], "version") && k + 1 < n &&
		    it[k + 1].ri_type == RESP_BULK)
			return atoi(it[k + 1].ri_str);
		k += it[k].ri_span;
		k += it[k].ri_span;
	}
	return -1;
}

/* HELLO 3's answer: the link is up, or refused (an old server). */
static void
redis_helloed(void *arg, void *ctx, const struct resp_item *it, size_t n)
{
	struct redis *r = ctx;
	char why[160];
	int v;

	if (it == NULL)
		return;
	if ((v = redis_version(it, n)) < REDIS_VERSION) {
		if (it->ri_type == RESP_ERROR)
			snprintf(why, sizeof(why), "HELLO 3 refused: %.*s",
			    (int)(it->ri_len > 100 ? 100 : it->ri_len),
			    it->ri_str);
		else
			snprintf(why, sizeof(why), "server version %d, "
			    "%d.0 or later needed", v, REDIS_VERSION);
		redis_down(r, why, 0);
		return;
	}
	r->rx_state = REDIS_UP;
	r->rx_backoff = REDIS_BACKOFF_MIN;
	r->rx_quiet = 0;
	r->rx_ups++;
	log_info("worker %d: redis %s: link up", r->rx_idx, r->rx_name);
	r->rx_ops->rxo_up(arg);
}

/* The connect ended: on success, say HELLO 3 before anything else. */
static void
redis_connected(struct redis *r)
{
	static const char *const hello[] = { "HELLO", "3" };

	if (net_connected(r->rx_fd) == -1) {
		redis_down(r, "connect", errno);
		return;
	}
	r->rx_state = REDIS_HELLO;
	if (redis_queue(r, 2, hello, NULL, 0, redis_helloed, r) == -1) {
		redis_down(r, "HELLO", errno);
		return;
	}
	redis_write(r);
}

/* A push that answers (UN)SUBSCRIBE, rather than a message. */
static int
redis_subpush(const struct resp_item *it)
{
	return it->ri_type == RESP_PUSH && it->ri_int >= 1 &&
	    (redis_is(&it[1], "subscribe") || redis_is(&it[1], "unsubscribe"));
}

/* One reply or push: to its command's callback, or to rxo_push. */
static void
redis_dispatch(struct redis *r, const struct resp_item *it, size_t n)
{
	struct redis_wait w;
	int sub = redis_subpush(it), popped;

	if (it->ri_type == RESP_PUSH && !sub) {
		if (r->rx_state == REDIS_UP)
			r->rx_ops->rxo_push(r->rx_arg, it, n);
		return;
	}
	/* an error may answer anything; a push only a (un)subscribe */
	popped = q_pop(r, &w) == 0;
	if (!popped || (it->ri_type != RESP_ERROR && w.rxw_sub != sub)) {
		if (popped) {
			/* back at the head: going down tells it too */
			r->rx_qhead = (r->rx_qhead - 1) & (r->rx_qcap - 1);
			r->rx_qlen++;
		}
		redis_down(r, "a reply out of step with the commands", 0);
		return;
	}
	if (w.rxw_fn != NULL)
		w.rxw_fn(r->rx_arg, w.rxw_ctx, it, n);
}

/* Twice the items for one reply; -1 past ITEMS_MAX or out of memory. */
static int
redis_more_items(struct redis *r)
{
	struct resp_item *p;
	size_t n = r->rx_nitems * 2;

	if (n > ITEMS_MAX ||
	    (p = realloc(r->rx_items, n * sizeof(*p))) == NULL)
		return -1;
	r->rx_items = p;
	r->rx_nitems = n;
	return 0;
}

/* Handle every whole reply read.  Returns 0, or -1 if the link went down. */
static int
redis_parse(struct redis *r)
{
	struct resp_limits lim;
	enum resp_status st;
	size_t off = 0, n, used;

	while (off < r->rx_ilen) {
		lim.rl_maxitems = r->rx_nitems;
		lim.rl_maxdepth = DEPTH_MAX;
		lim.rl_maxbulk = REDIS_IN_MAX;
		st = resp_parse(r->rx_in + off, r->rx_ilen - off, &lim,
		    r->rx_items, &n, &used);
		if (st == RESP_INCOMPLETE)
			break;
		if (st == RESP_TOOMANY && redis_more_items(r) == 0)
			continue;
		if (st != RESP_OK) {
			redis_down(r, "a malformed or oversized reply", 0);
			return -1;
		}
		redis_dispatch(r, r->rx_items, n);
		if (r->rx_fd == -1)
			return -1;
		off += used;
	}
	memmove(r->rx_in, r->rx_in + off, r->rx_ilen - off);
	r->rx_ilen -= off;
	return 0;
}

/* Room for IN_ROOM more bytes; -1 past REDIS_IN_MAX or out of memory. */
static int
redis_room(struct redis *r)
{
	size_t cap = r->rx_icap;
	char *p;

	if (cap - r->rx_ilen >= IN_ROOM)
		return 0;
	while (cap - r->rx_ilen < IN_ROOM)
		cap *= 2;
	if (cap > REDIS_IN_MAX + IN_START || (p = realloc(r->rx_in, cap)) ==
	    NULL)
		return -1;
	r->rx_in = p;
	r->rx_icap = cap;
	return 0;
}

static void
redis_read(struct redis *r)
{
	ssize_t n;
	int i;

	for (i = 0; i < IN_ROUNDS; i++) {
		if (redis_room(r) == -1) {
			redis_down(r, "a reply too large", 0);
			return;
		}
		n = read(r->rx_fd, r->rx_in + r->rx_ilen, r->rx_icap -
		    r->rx_ilen);
		if (n == 0) {
			redis_down(r, "closed by the server", 0);
			return;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			if (errno != EAGAIN)
				redis_down(r, "read", errno);
			return;
		}
		r->rx_ilen += (size_t)n;
		if (redis_parse(r) == -1)
			return;
	}
}

static void
redis_event(void *arg, int fd, uint32_t ev)
{
	struct redis *r = arg;

	(void)fd;
	if (r->rx_state == REDIS_CONNECTING) {
		redis_connected(r);
		return;
	}
	if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))
		redis_read(r);
	if (r->rx_fd != -1 && (ev & EPOLLOUT))
		redis_write(r);
}

static void
redis_timer(void *arg, int tfd, uint32_t ev)
{
	struct redis *r = arg;
	uint64_t expirations;

	(void)ev;
	(void)!read(tfd, &expirations, sizeof(expirations));
	if (r->rx_state == REDIS_DOWN)
		redis_connect(r);
}

static void
redis_connect(struct redis *r)
{
	int fd;

	if ((fd = net_connect((struct sockaddr *)&r->rx_sa, r->rx_salen)) ==
	    -1) {
		redis_down(r, "connect", errno);
		return;
	}
	r->rx_fd = fd;
	r->rx_state = REDIS_CONNECTING;
	if (loop_watch(r->rx_loop, fd, EPOLLOUT, redis_event, r) == -1) {
		redis_down(r, "watch", errno);
		return;
	}
	r->rx_events = EPOLLOUT;
}

int
redis_init(struct redis *r, struct loop *l, const struct sockaddr *sa,
    socklen_t salen, const char *name, int idx, const struct redis_ops *ops,
    void *arg)
{
	memset(r, 0, sizeof(*r));
	r->rx_loop = l;
	r->rx_ops = ops;
	r->rx_arg = arg;
	memcpy(&r->rx_sa, sa, salen);
	r->rx_salen = salen;
	r->rx_name = name;
	r->rx_idx = idx;
	r->rx_fd = r->rx_tfd = -1;
	r->rx_backoff = REDIS_BACKOFF_MIN;
	r->rx_nitems = ITEMS_START;
	r->rx_icap = IN_START;
	r->rx_ocap = 65536;
	if ((r->rx_out = malloc(r->rx_ocap)) == NULL ||
	    (r->rx_in = malloc(r->rx_icap)) == NULL ||
	    (r->rx_items = malloc(r->rx_nitems * sizeof(*r->rx_items))) ==
	    NULL)
		return -1;
	r->rx_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC);
	if (r->rx_tfd == -1 ||
	    loop_watch(l, r->rx_tfd, EPOLLIN, redis_timer, r) == -1)
		return -1;
	redis_connect(r);
	return 0;
}

void
redis_free(struct redis *r)
{
	/* going away, not down: no log line, no rxo_down */
	r->rx_quiet = 1;
	r->rx_state = REDIS_DOWN;
	redis_down(r, "closed", 0);
	if (r->rx_tfd != -1) {
		(void)loop_unwatch(r->rx_loop, r->rx_tfd);
		close(r->rx_tfd);
	}
	free(r->rx_out);
	free(r->rx_in);
	free(r->rx_items);
	free(r->rx_q);
	memset(r, 0, sizeof(*r));
	r->rx_fd = r->rx_tfd = -1;
}

int
redis_up(const struct redis *r)
{
	return r->rx_state == REDIS_UP;
}
