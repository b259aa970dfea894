/*
 * conn.c: connection I/O for a cometd worker: the fd-indexed slots,
 * writing with only the refused part kept (struct pend, bounded, freed
 * when drained), EPOLLOUT only while output is pending, and lingering
 * close.  Input kept while output is blocked shares the same pend.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "log.h"

const char *
conn_id(const struct conn *c)
{
	const char *p;

	if (c->c_idlen <= ID_INLINE)
		return c->c_id;
	memcpy(&p, c->c_id, sizeof(p));
	return p;
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
conn_open(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);

	memset(c, 0, sizeof(*c));
	c->c_state = CS_REQ;
	if (stats_cap_take(s->s_conf->sc_stats, s->s_conf->sc_max)) {
		c->c_flags |= CF_CAPPED;
		stats_add(s->s_st, STAT_CAPPED, 1);
	} else {
		c->c_flags |= CF_REJECT;
		stats_add(s->s_st, STAT_REJECTED, 1);
	}
	stats_add(s->s_st, STAT_ACCEPTED, 1);
	stats_add(s->s_st, STAT_ACTIVE, 1);
	conn_list(s, fd, CL_REQ, s->s_conf->sc_timeout);
	if (loop_add(&s->s_loop, fd, EPOLLIN) == -1)
		log_warn("epoll add fd %d", fd);
	log_debug("worker %d: fd %d open", s->s_idx, fd);
}

/* Close fd and count it; stat is an extra counter to bump or -1. */
void
conn_close(struct server *s, int fd, int stat)
{
	struct conn *c = conn_get(s, fd);

	if (c->c_state == CS_FREE)
		return;
	/* logged out at once, while its Id is still there to find it */
	router_forget(s->s_router, fd);
	conn_list(s, fd, CL_NONE, 0);
	free(c->c_pend);
	if (c->c_state == CS_STREAM && c->c_idlen > ID_INLINE)
		free((void *)conn_id(c));
	if (c->c_flags & CF_CAPPED) {
		stats_cap_put(s->s_conf->sc_stats, 1);
		stats_add(s->s_st, STAT_CAPPED, -1);
	}
	if (stat >= 0)
		stats_add(s->s_st, stat, 1);
	stats_add(s->s_st, STAT_ACTIVE, -1);
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
	size_t used = p ? p->p_out + p->p_in : 0, cap;

	if (p == NULL || used + len > p->p_cap) {
		cap = used + len < 512 ? 512 : used + len;
		if ((p = realloc(p, sizeof(*p) + cap)) == NULL)
			return -1;
		if (c->c_pend == NULL)
			p->p_off = p->p_out = p->p_in = 0;
		p->p_cap = cap;
		c->c_pend = p;
	}
	if (out) {
		memmove(p->p_data + p->p_out + len, p->p_data + p->p_out,
		    p->p_in);
		memcpy(p->p_data + p->p_out, data, len);
		p->p_out += len;
	} else {
		memcpy(p->p_data + p->p_out + p->p_in, data, len);
		p->p_in += len;
	}
	return 0;
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
		/* blocked by the router's queue alone, a stream has no pend */
		if ((c->c_pend ? c->c_pend->p_out - c->c_pend->p_off : 0) +
		    len > OUT_MAX) {
			conn_close(s, fd, STAT_DROPPED_SLOW);
			return -1;
		}
		if (pend_put(c, 1, data, len) == -1) {
			conn_close(s, fd, -1);
			return -1;
		}
		return 0;
	}
	if ((n = write(fd, data, len)) == -1) {
		if (errno != EAGAIN) {
			conn_close(s, fd, -1);
			return -1;
		}
		n = 0;
	}
	stats_add(s->s_st, STAT_BYTES_OUT, n);
	if ((size_t)n == len)
		return 0;
	if (pend_put(c, 1, data + n, len - n) == -1) {
		conn_close(s, fd, -1);
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

int
conn_flush(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);
	struct pend *p = c->c_pend;
	ssize_t n;

	/* a stream may wait only for the router's queue: no pend */
	if (p != NULL && p->p_out > 0) {
		n = write(fd, p->p_data + p->p_off, p->p_out - p->p_off);
		if (n == -1) {
			if (errno != EAGAIN)
				conn_close(s, fd, -1);
			return 0;
		}
		stats_add(s->s_st, STAT_BYTES_OUT, n);
		if ((p->p_off += n) < p->p_out)
			return 0;
		memmove(p->p_data, p->p_data + p->p_out, p->p_in);
		p->p_off = p->p_out = 0;
		if (p->p_in == 0) {
			free(p);
			c->c_pend = NULL;
		}
	}
	/* then the messages queued behind it */
	if (c->c_state == CS_STREAM && router_flush(s->s_router, fd) != 0)
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
