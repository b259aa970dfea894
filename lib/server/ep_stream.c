/*
 * ep_stream.c: starting streams, their periodic chunks, their end.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "deliver.h"
#include "ep_stream.h"
#include "frame.h"
#include "relay.h"
#include "respond.h"
#include "server.h"
#include "stats.h"
#include "timer.h"

/*
 * Turn fd into a stream of id in format frame: keep the Id, log it in
 * for messages, send the head and the welcome, and schedule the first
 * periodic chunk.  Returns 0, or -1 if fd was closed.
 */
static int
stream_start(struct server *s, int fd, const char *id, size_t idlen,
    int frame)
{
	struct conn *c = conn_get(s, fd);
	struct frame_ctx x = { id, idlen, 0 };
	char *copy;
	size_t n;

	if (idlen > ID_INLINE) {
		if ((copy = malloc(idlen)) == NULL) {
			conn_close(s, fd, -1);
			return -1;
		}
		memcpy(copy, id, idlen);
		conn_set_ptr(c, copy);
	} else {
		memcpy(c->c_id, id, idlen);
	}
	c->c_idlen = idlen;
	c->c_state = CS_STREAM;
	c->c_frame = frame;
	c->c_flags &= CF_CAPPED;
	c->c_n = 0;
	if (deliver_login(s, fd) == -1) {
		conn_close(s, fd, -1);
		return -1;
	}
	conn_list(s, fd, s->s_conf->sc_interval ? CL_STREAM : CL_NONE,
	    s->s_conf->sc_interval);
	n = frame_of(frame)->fm_begin(s->s_scratch, &x, 0);
	stats_add(s->s_st, STAT_CHUNKS, 1);
	return conn_write(s, fd, s->s_scratch, n);
}

/*
 * A stream for an Id another worker owns: the socket goes to that
 * worker, with its place under the cap.  Returns -1: fd is no longer
 * this worker's.
 */
static int
stream_handoff(struct server *s, int fd, const char *id, size_t idlen,
    int frame)
{
	conn_release(s, fd);
	if (relay_handoff(s, fd, id, idlen, frame) == -1) {
		/* closed instead: its place under the cap comes back */
		stats_cap_put(s->s_conf->sc_stats, 1);
		stats_add(s->s_st, STAT_CLOSED, 1);
	}
	return -1;
}

int
ep_stream_get(struct server *s, int fd, const struct url_req *u)
{
	const char *id = u->ur_path + 6;
	size_t idlen = u->ur_plen - 6, n;
	struct frame_ctx x = { id, idlen, 0 };
	int frame;

	if (idlen > SERVER_ID_MAX) {
		stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
		return respond_status(s, fd, 414, u->ur_flags | RESPOND_CLOSE);
	}
	frame = u->ur_req->rq_minor == 0 ? FRAME_HTTP10 : FRAME_CHUNKED;
	if (u->ur_flags & RESPOND_HEAD) {
		n = frame_of(frame)->fm_begin(s->s_scratch, &x, 1);
		if (conn_write(s, fd, s->s_scratch, n) == -1)
			return -1;
		return conn_done(s, fd, u->ur_flags & RESPOND_CLOSE);
	}
	if (!relay_mine(&s->s_relay, id, idlen))
		return stream_handoff(s, fd, id, idlen, frame);
	return stream_start(s, fd, id, idlen, frame);
}

void
ep_stream_adopt(struct server *s, int fd, const char *id, size_t idlen,
    int frame)
{
	if (fd == -1) {
		/* lost on the way (MSG_CTRUNC): give its place back */
		stats_cap_put(s->s_conf->sc_stats, 1);
		stats_add(s->s_st, STAT_CLOSED, 1);
		return;
	}
	if (frame < 0 || frame >= FRAME_COUNT) {
		close(fd);
		stats_cap_put(s->s_conf->sc_stats, 1);
		stats_add(s->s_st, STAT_CLOSED, 1);
		return;
	}
	conn_open(s, fd, 1);
	(void)stream_start(s, fd, id, idlen, frame);
}

void
ep_stream_tick(struct server *s)
{
	struct timer_list *tq = &s->s_lists[CL_STREAM];
	uint32_t now = s->s_loop.l_now, fd, due;

	while ((fd = timer_expired(tq, now)) != TIMER_NONE) {
		due = timer_due(tq, fd) + s->s_conf->sc_interval;
		timer_remove(tq, fd);
		/* a stream that fell a whole interval behind skips ahead */
		if (!TIMER_BEFORE(now, due))
			due = now + s->s_conf->sc_interval;
		timer_append(tq, fd, due);
		conn_chunk(s, (int)fd);
	}
}

void
ep_stream_drain(struct server *s)
{
	const struct frame *fm;
	struct conn *c;
	uint32_t fd;

	for (fd = 0; fd < s->s_nconns; fd++) {
		c = conn_get(s, fd);
		if (c->c_state == CS_FREE)
			continue;
		fm = frame_of(c->c_frame);
		if (c->c_state == CS_STREAM && fm->fm_end != NULL &&
		    !(c->c_flags & CF_BLOCKED))
			(void)!write(fd, fm->fm_end, fm->fm_endlen);
		conn_close(s, fd, -1);
	}
}
