/*
 * ep_stream.c: starting streams (resumes included), their periodic
 * chunks and heartbeats, their end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "cluster.h"
#include "conn.h"
#include "deliver.h"
#include "ep_stream.h"
#include "ep_ws.h"
#include "frame.h"
#include "history.h"
#include "relay.h"
#include "respond.h"
#include "server.h"
#include "stats.h"
#include "timer.h"

/* A resume being replayed to one stream. */
struct replay {
	struct server	*rp_s;
	int		 rp_fd;
	uint32_t	 rp_n;		/* messages replayed */
	struct msgid	 rp_first;	/* the first one's id */
};

/* One message from the history to the stream (history_fn). */
static void
replay_one(void *arg, struct blob *b)
{
	struct replay *rp = arg;

	if (conn_get(rp->rp_s, rp->rp_fd)->c_state != CS_STREAM)
		return;		/* closed meanwhile: too slow, or no memory */
	if (rp->rp_n++ == 0)
		rp->rp_first = b->b_id;
	stats_add(rp->rp_s->s_st, STAT_REPLAYED, 1);
	(void)conn_message(rp->rp_s, rp->rp_fd, b, 1);
}

/*
 * The notice that messages were lost, as a JSON object in buf: what the
 * client had, why, and the first id it gets now (null if none).
 */
static size_t
stream_lost_json(char *buf, size_t cap, const struct resume *rs,
    enum history_gap gap, const struct replay *rp)
{
	char last[MSGID_MAX + 1], first[MSGID_MAX + 3];

	msgid_format(last, &rs->rs_last);
	if (rp->rp_n > 0) {
		first[0] = '"';
		msgid_format(first + 1, &rp->rp_first);
		strcat(first, "\"");
	} else
		strcpy(first, "null");
	return (size_t)snprintf(buf, cap, "{\"last_event_id\":\"%s\","
	    "\"reason\":\"%s\",\"first\":%s}", last, history_gap_name(gap),
	    first);
}

/*
 * Write the head and welcome of stream fd, then the loss notice if any.
 * The welcome's position is just before the first message replayed, or
 * now: a client that reconnects from it misses nothing.
 */
static int
stream_begin(struct server *s, int fd, const struct resume *rs,
    enum history_gap gap, const struct replay *rp, const struct msgid *now)
{
	const struct frame *fm = frame_of(conn_get(s, fd)->c_frame);
	struct conn *c = conn_get(s, fd);
	struct frame_ctx x = { .fx_id = conn_id(c), .fx_idlen = c->c_idlen,
	    .fx_accept = rs->rs_accept };
	char json[160];
	size_t n;

	x.fx_pos = rp->rp_n > 0 ? msgid_prev(&rp->rp_first) : *now;
	n = fm->fm_begin(s->s_scratch, &x, 0);
	stats_add(s->s_st, STAT_CHUNKS, 1);
	if (conn_write(s, fd, s->s_scratch, n) == -1)
		return -1;
	if (gap == HISTORY_WHOLE)
		return 0;
	stats_add(s->s_st, STAT_RESUMES_LOST, 1);
	n = stream_lost_json(json, sizeof(json), rs, gap, rp);
	n = fm->fm_lost(s->s_scratch, json, n);
	return conn_write(s, fd, s->s_scratch, n);
}

/*
 * Turn fd into a stream of id in format frame starting at rs: queue what
 * the history has for it, write the head and the welcome (and a loss
 * notice), log it in for messages, schedule its periodic chunk.
 * Returns 0, or -1 if fd was closed.
 */
static int
stream_start(struct server *s, int fd, const char *id, size_t idlen,
    int frame, const struct resume *rs)
{
	struct replay rp = { s, fd, 0, { 0, 0 } };
	enum history_gap gap = HISTORY_WHOLE;
	struct msgid now;

	if (conn_stream(s, fd, id, idlen, frame) == -1)
		return -1;
	access_stream(s, fd);
	if (s->s_cluster != NULL)
		return cluster_start(s, fd, rs->rs_has ? &rs->rs_last : NULL,
		    rs->rs_wall, rs, sizeof(*rs));
	if (rs->rs_has) {
		stats_add(s->s_st, STAT_RESUMES, 1);
		gap = history_since(&s->s_hist, id, idlen, &rs->rs_last,
		    replay_one, &rp, &rp.rp_first);
	} else
		(void)history_after_time(&s->s_hist, id, idlen, rs->rs_t,
		    replay_one, &rp);
	now = history_now(&s->s_hist);
	if (conn_get(s, fd)->c_state != CS_STREAM ||
	    stream_begin(s, fd, rs, gap, &rp, &now) == -1)
		return -1;
	if (deliver_login(s, fd) == -1) {
		conn_close(s, fd, CE_ERROR);
		return -1;
	}
	conn_list(s, fd, s->s_conf->sc_interval ? CL_STREAM : CL_NONE,
	    s->s_conf->sc_interval);
	return 0;
}

void
ep_stream_started(struct server *s, int fd, const void *data, size_t len,
    const struct cluster_found *f)
{
	struct replay rp = { s, fd, 0, { 0, 0 } };
	struct resume rs;

	if (len != sizeof(rs))
		return;
	memcpy(&rs, data, sizeof(rs));
	if (rs.rs_has)
		stats_add(s->s_st, STAT_RESUMES, 1);
	cluster_wire_each(f, replay_one, &rp);
	if (conn_get(s, fd)->c_state != CS_STREAM ||
	    stream_begin(s, fd, &rs, f->cf_gap, &rp, &f->cf_pos) == -1)
		return;
	conn_list(s, fd, s->s_conf->sc_interval ? CL_STREAM : CL_NONE,
	    s->s_conf->sc_interval);
}

int
ep_stream_handoff(struct server *s, int fd, const char *id, size_t idlen,
    int frame, const struct resume *rs)
{
	conn_release(s, fd);
	/* closed instead: its place under the cap comes back */
	if (relay_handoff(s, fd, id, idlen, frame, rs, sizeof(*rs)) == -1)
		ep_stream_lost(s, -1);
	return -1;
}

int
ep_stream_id(struct server *s, struct url_req *u, const char *id,
    size_t len)
{
	if (len > SERVER_ID_MAX) {
		stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
		u->ur_flags |= RESPOND_CLOSE;
		return 414;
	}
	if (!urls_id_ok(id, len)) {
		stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
		u->ur_why = URLS_ID_WHY;
		u->ur_flags |= RESPOND_CLOSE;
		return 400;
	}
	return 0;
}

void
ep_stream_lost(struct server *s, int fd)
{
	if (fd != -1)
		close(fd);
	stats_cap_put(s->s_conf->sc_stats, 1);
	stats_add(s->s_st, STAT_CLOSED, 1);
}

int
ep_stream_resume(struct server *s, const struct url_req *u,
    const char *param, struct resume *rs)
{
	const struct http_hdr *h;
	const char *v;
	size_t len;

	memset(rs, 0, sizeof(*rs));
	rs->rs_t = loop_mono_ms(&s->s_loop);
	rs->rs_wall = loop_wall_ms();
	rs->rs_close = (u->ur_flags & RESPOND_CLOSE) != 0;
	h = http_find(u->ur_hdrs, u->ur_req->rq_nhdrs, "last-event-id");
	if (h != NULL) {
		v = h->hh_val;
		len = h->hh_vallen;
	} else if ((v = urls_param(u, param, &len)) == NULL)
		return 0;
	if (msgid_parse(v, len, &rs->rs_last) == -1)
		return 400;
	rs->rs_has = 1;
	return 0;
}

/* The format a stream request asks for. */
static int
stream_frame(struct url_req *u)
{
	const struct http_hdr *h;
	int sse = u->ur_path[1] == 's', old = u->ur_req->rq_minor == 0;

	h = http_find(u->ur_hdrs, u->ur_req->rq_nhdrs, "accept");
	if (h != NULL && memmem(h->hh_val, h->hh_vallen, "text/event-stream",
	    17) != NULL)
		sse = 1;
	if (sse)
		return old ? FRAME_SSE10 : FRAME_SSE;
	return old ? FRAME_HTTP10 : FRAME_CHUNKED;
}

int
ep_stream_get(struct server *s, int fd, struct url_req *u)
{
	size_t skip = u->ur_path[1] == 's' ? 5 : 6;
	const char *id = u->ur_path + skip;
	size_t idlen = u->ur_plen - skip, n;
	struct frame_ctx x = { .fx_id = id, .fx_idlen = idlen };
	struct resume rs;
	struct auth a;
	int frame = stream_frame(u), rc;

	if ((rc = ep_stream_id(s, u, id, idlen)) != 0)
		return rc;
	if (u->ur_flags & RESPOND_HEAD) {
		n = frame_of(frame)->fm_begin(s->s_scratch, &x, 1);
		if (conn_write(s, fd, s->s_scratch, n) == -1)
			return -1;
		return conn_done(s, fd, u->ur_flags & RESPOND_CLOSE);
	}
	if ((rc = ep_stream_resume(s, u, "last_event_id", &rs)) != 0) {
		stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
		return rc;
	}
	if ((a = auth_subscriber(s, u, id, idlen)).au_status != 0)
		return auth_refuse(s, u, &a);
	return ep_stream_open(s, fd, id, idlen, frame, &rs);
}

int
ep_stream_open(struct server *s, int fd, const char *id, size_t idlen,
    int frame, const struct resume *rs)
{
	if (!relay_mine(&s->s_relay, id, idlen))
		return ep_stream_handoff(s, fd, id, idlen, frame, rs);
	return stream_start(s, fd, id, idlen, frame, rs);
}

void
ep_stream_adopt(struct server *s, int fd, const char *id, size_t idlen,
    int frame, const void *data, size_t len)
{
	struct resume rs;

	if (fd == -1 || frame < 0 || frame >= FRAME_COUNT ||
	    len != sizeof(rs)) {
		/* lost on the way (MSG_CTRUNC), or not ours to read */
		ep_stream_lost(s, fd);
		return;
	}
	memcpy(&rs, data, sizeof(rs));
	conn_open(s, fd, 1);
	(void)stream_start(s, fd, id, idlen, frame, &rs);
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
ep_stream_beat(struct server *s)
{
	const struct frame *fm;
	struct conn *c;
	uint32_t fd;

	for (fd = 0; fd < s->s_nconns; fd++) {
		c = conn_get(s, fd);
		if (c->c_state != CS_STREAM || (c->c_flags & CF_WAIT) ||
		    (c->c_frame == FRAME_WS && ep_ws_beat(s, fd)))
			continue;
		if (c->c_flags & CF_SENT) {
			c->c_flags &= ~CF_SENT;
			continue;
		}
		fm = frame_of(c->c_frame);
		if (fm->fm_beat == NULL || s->s_q[fd] != NULL)
			continue;
		if (conn_write(s, fd, fm->fm_beat, fm->fm_beatlen) == 0 &&
		    fm->fm_ping)
			c->c_flags |= CF_PINGED;
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
		    !(c->c_flags & (CF_BLOCKED | CF_WAIT)))
			(void)!write(fd, fm->fm_end, fm->fm_endlen);
		conn_close(s, fd, CE_STOP);
	}
}
