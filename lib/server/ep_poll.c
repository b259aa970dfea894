/*
 * ep_poll.c: long-poll answers, at once from the history or later from
 * the first message (frame_poll.c writes that one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "cluster.h"
#include "conn.h"
#include "deliver.h"
#include "ep_poll.h"
#include "ep_stream.h"
#include "frame.h"
#include "history.h"
#include "relay.h"
#include "respond.h"
#include "server.h"
#include "stats.h"

/* An answer being built: {"messages":[ ... */
struct pollbuf {
	char		*pb_buf;	/* NULL once memory ran out */
	size_t		 pb_len;
	size_t		 pb_cap;
	uint32_t	 pb_n;		/* messages in it */
	struct msgid	 pb_first;
	struct msgid	 pb_last;
};

/* Append s[0..len) to the answer. */
static void
poll_put(struct pollbuf *pb, const char *s, size_t len)
{
	char *p;

	if (pb->pb_buf == NULL)
		return;
	if (pb->pb_len + len > pb->pb_cap) {
		pb->pb_cap = (pb->pb_len + len) * 2;
		if ((p = realloc(pb->pb_buf, pb->pb_cap)) == NULL) {
			free(pb->pb_buf);
			pb->pb_buf = NULL;
			return;
		}
		pb->pb_buf = p;
	}
	memcpy(pb->pb_buf + pb->pb_len, s, len);
	pb->pb_len += len;
}

/* One message into the answer (history_fn). */
static void
poll_one(void *arg, struct blob *b)
{
	struct pollbuf *pb = arg;
	size_t n = frame_poll_member(NULL, 0, b);
	char *m;

	if ((m = malloc(n + 1)) == NULL) {
		free(pb->pb_buf);
		pb->pb_buf = NULL;
		return;
	}
	frame_poll_member(m, n + 1, b);
	if (pb->pb_n++ > 0)
		poll_put(pb, ",", 1);
	else
		pb->pb_first = b->b_id;
	poll_put(pb, m, n);
	pb->pb_last = b->b_id;
	free(m);
}

/*
 * Write the answer in pb with "next" (the last message's id, or now) and
 * "lost" to fd.
 */
static int
poll_answer(struct server *s, int fd, struct pollbuf *pb, const char *lost,
    int flags, const struct msgid *now)
{
	char tail[256 + MSGID_MAX], next[MSGID_MAX + 1];
	int n, rc;

	msgid_format(next, pb->pb_n > 0 ? &pb->pb_last : now);
	n = snprintf(tail, sizeof(tail), "],\"next\":\"%s\"%s%s}\n", next,
	    lost != NULL ? ",\"lost\":" : "", lost != NULL ? lost : "");
	poll_put(pb, tail, (size_t)n);
	if (pb->pb_buf == NULL)
		return respond_status(s, fd, 503, flags);
	rc = respond(s, fd, 200, "Cache-Control: no-cache\r\n"
	    "Access-Control-Allow-Origin: *\r\n", pb->pb_buf,
	    pb->pb_len, flags | RESPOND_JSON);
	free(pb->pb_buf);
	return rc;
}

/*
 * Answer with pb if it has messages or a loss to tell (*rc as respond's),
 * returning 1; with nothing to say, free pb and return 0.
 */
static int
poll_now(struct server *s, int fd, struct pollbuf *pb, enum history_gap gap,
    int flags, const struct msgid *now, int *rc)
{
	char lost[160];

	if (pb->pb_n == 0 && gap == HISTORY_WHOLE) {
		free(pb->pb_buf);
		return 0;
	}
	if (gap != HISTORY_WHOLE)
		snprintf(lost, sizeof(lost), "{\"reason\":\"%s\"}",
		    history_gap_name(gap));
	*rc = poll_answer(s, fd, pb, gap != HISTORY_WHOLE ? lost : NULL,
	    flags, now);
	return 1;
}

/* A new answer: {"messages":[ so far; 0, or -1 when memory runs out. */
static int
poll_open(struct pollbuf *pb)
{
	memset(pb, 0, sizeof(*pb));
	pb->pb_cap = 256;
	if ((pb->pb_buf = malloc(pb->pb_cap)) == NULL)
		return -1;
	poll_put(pb, "{\"messages\":[", 13);
	return 0;
}

/* In a cluster: ask Redis (ep_poll_started goes on). */
static int
poll_cluster(struct server *s, int fd, const char *id, size_t idlen,
    const struct resume *rs)
{
	if (conn_stream(s, fd, id, idlen, FRAME_POLL) == -1)
		return -1;
	if (rs->rs_close)
		conn_get(s, fd)->c_flags |= CF_LAST;
	return cluster_start(s, fd, rs->rs_has ? &rs->rs_last : NULL,
	    rs->rs_wall, rs, sizeof(*rs));
}

/*
 * A poll at its owner: answer now if the history has something after
 * rs (or lost some), else wait for the next message.  Returns 0, or -1
 * if fd was closed.
 */
static int
poll_start(struct server *s, int fd, const char *id, size_t idlen,
    const struct resume *rs)
{
	struct pollbuf pb;
	enum history_gap gap = HISTORY_WHOLE;
	struct msgid now = history_now(&s->s_hist);
	int flags = rs->rs_close ? RESPOND_CLOSE : 0, rc;

	if (s->s_cluster != NULL)
		return poll_cluster(s, fd, id, idlen, rs);
	if (poll_open(&pb) == -1)
		return respond_status(s, fd, 503, flags);
	if (rs->rs_has)
		gap = history_since(&s->s_hist, id, idlen, &rs->rs_last,
		    poll_one, &pb, &pb.pb_first);
	else
		(void)history_after_time(&s->s_hist, id, idlen, rs->rs_t,
		    poll_one, &pb);
	if (poll_now(s, fd, &pb, gap, flags, &now, &rc))
		return rc;
	if (conn_stream(s, fd, id, idlen, FRAME_POLL) == -1)
		return -1;
	if (rs->rs_close)
		conn_get(s, fd)->c_flags |= CF_LAST;
	if (deliver_login(s, fd) == -1) {
		conn_close(s, fd, CE_ERROR);
		return -1;
	}
	access_stream(s, fd);
	conn_list(s, fd, CL_POLL, s->s_conf->sc_poll);
	return 0;
}

int
ep_poll_get(struct server *s, int fd, struct url_req *u)
{
	const char *id = u->ur_path + 6;
	size_t idlen = u->ur_plen - 6;
	struct resume rs;
	struct auth a;
	int rc;

	if ((rc = ep_stream_id(s, u, id, idlen)) != 0)
		return rc;
	if ((rc = ep_stream_resume(s, u, "since", &rs)) != 0) {
		stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
		return rc;
	}
	if ((a = auth_subscriber(s, u, id, idlen)).au_status != 0)
		return auth_refuse(s, u, &a);
	if (!relay_mine(&s->s_relay, id, idlen))
		return ep_stream_handoff(s, fd, id, idlen, FRAME_POLL, &rs);
	return poll_start(s, fd, id, idlen, &rs);
}

void
ep_poll_adopt(struct server *s, int fd, const char *id, size_t idlen,
    const void *data, size_t len)
{
	struct resume rs;

	if (fd == -1 || len != sizeof(rs)) {
		ep_stream_lost(s, fd);
		return;
	}
	memcpy(&rs, data, sizeof(rs));
	conn_open(s, fd, 1);
	/* handed over with its request answered by nobody yet */
	conn_list(s, fd, CL_REQ, s->s_conf->sc_timeout);
	(void)poll_start(s, fd, id, idlen, &rs);
}

void
ep_poll_started(struct server *s, int fd, const void *data, size_t len,
    const struct cluster_found *f)
{
	struct pollbuf pb;
	struct resume rs;
	int flags, rc;

	if (len != sizeof(rs))
		return;
	memcpy(&rs, data, sizeof(rs));
	flags = rs.rs_close ? RESPOND_CLOSE : 0;
	if (f->cf_n > 0 || f->cf_gap != HISTORY_WHOLE) {
		conn_unstream(s, fd);
		if (poll_open(&pb) == -1) {
			(void)respond_status(s, fd, 503, flags);
			return;
		}
		cluster_wire_each(f, poll_one, &pb);
		/* nothing left to say only if memory ran out on the way */
		if (!poll_now(s, fd, &pb, f->cf_gap, flags, &f->cf_pos, &rc))
			(void)respond_status(s, fd, 503, flags);
		return;
	}
	conn_list(s, fd, CL_POLL, s->s_conf->sc_poll);
}

void
ep_poll_expire(struct server *s, int fd)
{
	struct pollbuf pb;
	struct msgid now = s->s_cluster != NULL ? cluster_pos(s, fd) :
	    history_now(&s->s_hist);
	int flags = conn_get(s, fd)->c_flags & CF_LAST ? RESPOND_CLOSE : 0;

	conn_unstream(s, fd);
	if (poll_open(&pb) == -1) {
		(void)respond_status(s, fd, 503, flags);
		return;
	}
	(void)poll_answer(s, fd, &pb, NULL, flags, &now);
}
