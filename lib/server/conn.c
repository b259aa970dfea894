/*
 * conn.c: a cometd worker's connections: the fd-indexed slots and their
 * timeout lists, output with only the refused part kept (struct pend,
 * bounded, freed when drained; input kept while output is blocked shares
 * it), the queues of message pieces (outq.h) written once per loop pass,
 * EPOLLOUT only while output is pending, lingering close.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "frame.h"
#include "log.h"
#include "outq.h"
#include "server.h"
#include "stats.h"
#include "uidx.h"

const char *
conn_id(const struct conn *c)
{
	return c->c_idlen <= ID_INLINE ? c->c_id : conn_ptr(c);
}

void *
conn_ptr(const struct conn *c)
{
	void *p;

	memcpy(&p, c->c_id, sizeof(p));
	return p;
}

void
conn_set_ptr(struct conn *c, void *p)
{
	memcpy(c->c_id, &p, sizeof(p));
}

/* Move fd to list l (CL_NONE: no list) due at now + span. */
void
conn_list(struct server *s, int fd, int l, uint32_t span)
{
	struct conn *c = conn_get(s, fd);

	if (c->c_list != CL_NONE)
		timer_remove(&s->s_lists[c->c_list], fd);
	c->c_list = l;
	if (l != CL_NONE)
		timer_append(&s->s_lists[l], fd, s->s_loop.l_now + span);
}

void
conn_open(struct server *s, int fd, int adopt)
{
	struct conn *c = conn_get(s, fd);

	memset(c, 0, sizeof(*c));
	c->c_state = CS_REQ;
	if (adopt || stats_cap_take(s->s_conf->sc_stats, s->s_conf->sc_max)) {
		c->c_flags |= CF_CAPPED;
		stats_add(s->s_st, STAT_CAPPED, 1);
	} else {
		c->c_flags |= CF_REJECT;
		stats_add(s->s_st, STAT_REJECTED, 1);
	}
	if (!adopt) {
		stats_add(s->s_st, STAT_ACCEPTED, 1);
		conn_list(s, fd, CL_REQ, s->s_conf->sc_timeout);
	}
	stats_add(s->s_st, STAT_ACTIVE, 1);
	if (loop_add(&s->s_loop, fd, EPOLLIN) == -1)
		log_warn("epoll add fd %d", fd);
	log_debug("worker %d: fd %d open", s->s_idx, fd);
}

/*
 * A queued piece is out: one less queued, and a live message's time
 * from publish to write into the histogram (a replay's would be the
 * time it spent in the history, not what a subscriber waits).
 */
static void
conn_piece_done(void *arg, const struct blob *b, uint32_t n)
{
	struct server *s = arg;

	stats_add(s->s_st, STAT_QUEUED, -1);
	if (b != NULL && !(n & OUTQ_REPLAY))
		stats_lat(s->s_st, loop_mono_ms(&s->s_loop) - b->b_t);
}

/* Drop stream fd's queue, what it holds unwritten. */
void
conn_drop_queue(struct server *s, int fd)
{
	if (s->s_q[fd] != NULL)
		stats_add(s->s_st, STAT_QUEUED, -(int64_t)s->s_q[fd]->q_count);
	outq_free(&s->s_q[fd]);
}

_Static_assert(STAT_STREAMS_WS - STAT_STREAMS_CHUNKED == FRAME_WS,
    "a STAT_STREAMS_* counter per frame kind, in the same order");

int
conn_stream(struct server *s, int fd, const char *id, size_t len, int frame)
{
	struct conn *c = conn_get(s, fd);
	char *copy;

	if (len > ID_INLINE) {
		if ((copy = malloc(len)) == NULL) {
			conn_close(s, fd, CE_MEMORY);
			return -1;
		}
		memcpy(copy, id, len);
		conn_set_ptr(c, copy);
	} else {
		memcpy(c->c_id, id, len);
	}
	c->c_idlen = len;
	c->c_state = CS_STREAM;
	c->c_frame = frame;
	c->c_flags &= CF_CAPPED | CF_LAST;
	c->c_n = 0;
	stats_add(s->s_st, STAT_STREAMS_CHUNKED + frame, 1);
	return 0;
}

/* Drop what the slot holds on the heap and what refers to it. */
static void
conn_clear(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);

	/* logged out at once, while its Id is still there to find it */
	uidx_logout(&s->s_ux, fd);
	conn_drop_queue(s, fd);
	conn_list(s, fd, CL_NONE, 0);
	free(c->c_pend);
	if ((c->c_state == CS_STREAM && c->c_idlen > ID_INLINE) ||
	    (c->c_state == CS_REQ && (c->c_flags & CF_PUB)))
		free(conn_ptr(c));
	if (c->c_state == CS_STREAM)
		stats_add(s->s_st, STAT_STREAMS_CHUNKED + c->c_frame, -1);
	if (c->c_flags & CF_CAPPED)
		stats_add(s->s_st, STAT_CAPPED, -1);
	stats_add(s->s_st, STAT_ACTIVE, -1);
}

void
conn_release(struct server *s, int fd)
{
	/* the socket lives on in the other worker: epoll would keep it */
	(void)epoll_ctl(s->s_loop.l_epfd, EPOLL_CTL_DEL, fd, NULL);
	conn_clear(s, fd);
	memset(conn_get(s, fd), 0, sizeof(struct conn));
}

const char *
conn_end_name(enum conn_end why)
{
	static const char *const names[] = {
		[CE_EOF] = "eof", [CE_ERROR] = "error", [CE_SLOW] = "slow",
		[CE_TIMEOUT] = "timeout", [CE_MEMORY] = "memory",
		[CE_DONE] = "done", [CE_STOP] = "stop",
	};

	return names[why];
}

void
conn_close(struct server *s, int fd, enum conn_end why)
{
	struct conn *c = conn_get(s, fd);

	if (c->c_state == CS_FREE)
		return;
	if (c->c_state == CS_STREAM)
		access_end(s, fd, conn_end_name(why));
	if (c->c_flags & CF_CAPPED)
		stats_cap_put(s->s_conf->sc_stats, 1);
	conn_clear(s, fd);
	if (why == CE_SLOW)
		stats_add(s->s_st, STAT_DROPPED_SLOW, 1);
	else if (why == CE_TIMEOUT)
		stats_add(s->s_st, STAT_TIMEOUTS, 1);
	stats_add(s->s_st, STAT_CLOSED, 1);
	memset(c, 0, sizeof(*c));
	close(fd);
	log_debug("worker %d: fd %d closed", s->s_idx, fd);
}

/*
 * Insert len bytes into c's pend: output is appended after the pending
 * output, input after the pending input.  Returns 0, or -1 if memory
 * runs out.
 */
static int
pend_put(struct conn *c, int out, const char *data, size_t len)
{
	struct pend *p = c->c_pend;
	size_t used = p ? p->pd_out + p->pd_in : 0, cap;

	if (p == NULL || used + len > p->pd_cap) {
		cap = used + len < 512 ? 512 : used + len;
		if ((p = realloc(p, sizeof(*p) + cap)) == NULL)
			return -1;
		if (c->c_pend == NULL) {
			p->pd_off = p->pd_out = p->pd_in = 0;
			p->pd_msglen = p->pd_msgstate = p->pd_msgop = 0;
		}
		p->pd_cap = cap;
		c->c_pend = p;
	}
	if (out) {
		memmove(p->pd_data + p->pd_out + len, p->pd_data + p->pd_out,
		    p->pd_in);
		memcpy(p->pd_data + p->pd_out, data, len);
		p->pd_out += len;
	} else {
		memcpy(p->pd_data + p->pd_out + p->pd_in, data, len);
		p->pd_in += len;
	}
	return 0;
}

void
conn_pend_drop(struct conn *c)
{
	struct pend *p = c->c_pend;

	if (p != NULL && p->pd_out == 0 && p->pd_in == 0 && p->pd_msgop == 0) {
		free(p);
		c->c_pend = NULL;
	}
}

int
conn_keep(struct conn *c, const char *data, size_t len)
{
	return pend_put(c, 0, data, len);
}

void
conn_block(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);

	c->c_flags |= CF_BLOCKED;
	conn_list(s, fd, CL_BLOCKED, s->s_conf->sc_stall);
	loop_mod(&s->s_loop, fd,
	    c->c_state == CS_STREAM ? EPOLLIN | EPOLLOUT : EPOLLOUT);
}

/*
 * Write data to fd now; keep what the kernel refuses.  Returns 0, or -1
 * if the connection was closed (error, or over the pending bound).
 */
int
conn_write(struct server *s, int fd, const char *data, size_t len)
{
	struct conn *c = conn_get(s, fd);
	ssize_t n = 0;

	if (c->c_flags & CF_BLOCKED) {
		/* blocked by its queue of pieces alone, a stream has no pend */
		if ((c->c_pend ? c->c_pend->pd_out - c->c_pend->pd_off : 0) +
		    len > OUT_MAX) {
			conn_close(s, fd, CE_SLOW);
			return -1;
		}
		if (pend_put(c, 1, data, len) == -1) {
			conn_close(s, fd, CE_MEMORY);
			return -1;
		}
		return 0;
	}
	if ((n = write(fd, data, len)) == -1) {
		if (errno != EAGAIN) {
			conn_close(s, fd, CE_ERROR);
			return -1;
		}
		n = 0;
	}
	stats_add(s->s_st, STAT_BYTES_OUT, n);
	access_count(s->s_acc, fd, (size_t)n);
	c->c_flags |= CF_SENT;
	if ((size_t)n == len)
		return 0;
	if (pend_put(c, 1, data + n, len - n) == -1) {
		conn_close(s, fd, CE_MEMORY);
		return -1;
	}
	conn_block(s, fd);
	return 0;
}

/* The final response is out: shut the write side and drain the input. */
static void
conn_linger(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);

	free(c->c_pend);
	c->c_pend = NULL;
	c->c_state = CS_LINGER;
	c->c_flags &= ~(CF_CLOSE | CF_SKIP);
	shutdown(fd, SHUT_WR);
	conn_list(s, fd, CL_LINGER, LINGER_MS);
	loop_mod(&s->s_loop, fd, EPOLLIN);
}

/*
 * After a response: if close, finish the connection now or once its
 * output drains.  Returns 0 to go on reading requests, -1 if not.
 */
int
conn_done(struct server *s, int fd, int close)
{
	struct conn *c = conn_get(s, fd);

	if (!close)
		return 0;
	c->c_flags |= CF_CLOSE;
	if (!(c->c_flags & CF_BLOCKED))
		conn_linger(s, fd);
	return -1;
}

static void	conn_rearm(struct server *, int);

/* How stream fd frames its pieces. */
static struct outq_frame
conn_frame(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);
	struct outq_frame f;

	f.of_fm = frame_of(c->c_frame);
	f.of_id = conn_id(c);
	f.of_idlen = c->c_idlen;
	f.of_close = (c->c_flags & CF_LAST) != 0;
	f.of_done = conn_piece_done;
	f.of_arg = s;
	return f;
}

int
conn_send_pieces(struct server *s, int fd)
{
	struct outq_frame f;
	uint64_t nw = 0;
	int rc;

	if (s->s_q[fd] == NULL)
		return 0;
	f = conn_frame(s, fd);
	rc = outq_flush(&s->s_q[fd], fd, &f, &nw);
	stats_add(s->s_st, STAT_BYTES_OUT, (int64_t)nw);
	access_count(s->s_acc, fd, nw);
	conn_get(s, fd)->c_flags |= CF_SENT;
	if (rc == OUTQ_DONE) {
		if (f.of_fm->fm_once)
			conn_rearm(s, fd);
		return 0;
	}
	if (rc == OUTQ_QUEUED)
		return 1;
	conn_close(s, fd, errno == ENOMEM ? CE_MEMORY : CE_ERROR);
	return -1;
}

int
conn_flush(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);
	struct pend *p = c->c_pend;
	ssize_t n;

	/* a stream may wait only for its queue of pieces: no pend */
	if (p != NULL && p->pd_out > 0) {
		n = write(fd, p->pd_data + p->pd_off, p->pd_out - p->pd_off);
		if (n == -1) {
			if (errno != EAGAIN)
				conn_close(s, fd, CE_ERROR);
			return 0;
		}
		stats_add(s->s_st, STAT_BYTES_OUT, n);
		access_count(s->s_acc, fd, (size_t)n);
		if ((p->pd_off += n) < p->pd_out)
			return 0;
		memmove(p->pd_data, p->pd_data + p->pd_out, p->pd_in);
		p->pd_off = p->pd_out = 0;
		conn_pend_drop(c);
	}
	/* then the messages queued behind it */
	if (c->c_state == CS_STREAM && conn_send_pieces(s, fd) != 0)
		return 0;
	c->c_flags &= ~CF_BLOCKED;
	if (c->c_flags & CF_CLOSE) {
		conn_linger(s, fd);
		return 0;
	}
	loop_mod(&s->s_loop, fd, EPOLLIN);
	if (c->c_state == CS_STREAM) {
		conn_list(s, fd, s->s_conf->sc_interval ? CL_STREAM : CL_NONE,
		    s->s_conf->sc_interval);
	} else {
		conn_list(s, fd, CL_REQ, s->s_conf->sc_timeout);
		return c->c_pend != NULL;
	}
	return 0;
}

/* Count one more piece on stream fd; returns its number. */
static uint32_t
conn_next(struct server *s, int fd)
{
	stats_add(s->s_st, STAT_CHUNKS, 1);
	return ++conn_get(s, fd)->c_n;
}

int
conn_message(struct server *s, int fd, struct blob *b, int replay)
{
	struct conn *c = conn_get(s, fd);
	uint32_t max = UINT32_MAX;
	int blocked, fresh;

	/* a stream waiting for EPOLLOUT is held to the bound at once */
	if ((blocked = (c->c_flags & CF_BLOCKED) != 0))
		max = s->s_conf->sc_qmax;
	fresh = s->s_q[fd] == NULL && !blocked;
	switch (outq_queue(&s->s_q[fd], b, conn_next(s, fd) |
	    (replay ? OUTQ_REPLAY : 0), max)) {
	case OUTQ_QUEUED:
		stats_add(s->s_st, STAT_QUEUED, 1);
		/* a one-answer stream takes this message and no other */
		if (frame_of(c->c_frame)->fm_once)
			uidx_logout(&s->s_ux, fd);
		if (fresh) {
			if (s->s_ndirty == s->s_nconns)
				conn_send_queued(s);
			s->s_dirty[s->s_ndirty++] = (uint32_t)fd;
		}
		stats_add(s->s_st, STAT_DELIVERIES, 1);
		return 1;
	case OUTQ_FULL:
		conn_close(s, fd, CE_SLOW);
		return 0;
	default:
		conn_close(s, fd, CE_MEMORY);
		return 0;
	}
}

void
conn_chunk(struct server *s, int fd)
{
	struct outq_frame f;
	struct frame_ctx x;
	struct iovec iov[3];
	char *b = s->s_scratch, *p;
	int i;

	x.fx_n = conn_next(s, fd);
	/* behind queued pieces, the chunk queues too */
	if (s->s_q[fd] != NULL) {
		if (outq_queue(&s->s_q[fd], NULL, x.fx_n, s->s_conf->sc_qmax) !=
		    OUTQ_QUEUED)
			conn_close(s, fd, CE_SLOW);
		else
			stats_add(s->s_st, STAT_QUEUED, 1);
		return;
	}
	f = conn_frame(s, fd);
	x.fx_id = f.of_id;
	x.fx_idlen = f.of_idlen;
	f.of_fm->fm_piece(iov, b + FRAME_TMP, &x, NULL);
	/* an empty part may be NULL, which memcpy must not be given */
	for (i = 0, p = b; i < 3; i++) {
		if (iov[i].iov_len == 0)
			continue;	/* its base may be NULL */
		memcpy(p, iov[i].iov_base, iov[i].iov_len);
		p += iov[i].iov_len;
	}
	(void)conn_write(s, fd, b, p - b);
}

/*
 * One writev per stream however many pieces the pass gave it: with many
 * connections the kernel's cost per write, not per byte, is what limits
 * deliveries per second.  What the kernel refuses stays queued, bounded
 * by the queue limit, until EPOLLOUT.
 */
void
conn_send_queued(struct server *s)
{
	uint32_t i;
	int fd;

	for (i = 0; i < s->s_ndirty; i++) {
		fd = (int)s->s_dirty[i];
		/* closed since (and maybe reused), or already waiting */
		if (s->s_q[fd] == NULL ||
		    (conn_get(s, fd)->c_flags & CF_BLOCKED))
			continue;
		if (conn_send_pieces(s, fd) != 1)
			continue;
		if (s->s_q[fd]->q_count > s->s_conf->sc_qmax)
			conn_close(s, fd, CE_SLOW);
		else
			conn_block(s, fd);
	}
	s->s_ndirty = 0;
}

void
conn_unstream(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);

	access_end(s, fd, "answered");
	uidx_logout(&s->s_ux, fd);
	if (c->c_idlen > ID_INLINE)
		free(conn_ptr(c));
	stats_add(s->s_st, STAT_STREAMS_CHUNKED + c->c_frame, -1);
	c->c_state = CS_REQ;
	c->c_frame = 0;
	c->c_idlen = 0;
	c->c_n = 0;
	c->c_flags &= ~(CF_LAST | CF_SENT);
	conn_list(s, fd, CL_REQ, s->s_conf->sc_timeout);
}

/* A one-answer stream's answer is written: next request, or linger. */
static void
conn_rearm(struct server *s, int fd)
{
	int last = (conn_get(s, fd)->c_flags & CF_LAST) != 0;

	conn_unstream(s, fd);
	(void)conn_done(s, fd, last);
}
