/*
 * ep_poll.c: long-poll answers, at once from the history or later from
 * the first message (frame_poll.c writes that one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
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

/* Write the answer in pb with "next" (and "lost") to fd. */
static int
poll_answer(struct server *s, int fd, struct pollbuf *pb, const char *lost,
    int flags)
{
	char tail[256 + MSGID_MAX], next[MSGID_MAX + 1];
	struct msgid pos = history_now(&s->s_hist);
	int n, rc;

	msgid_format(next, pb->pb_n > 0 ? &pb->pb_last : &pos);
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
 * A poll at its owner: answer now if the history has something after
 * rs (or lost some), else wait for the next message.  Returns 0, or -1
 * if fd was closed.
 */
static int
poll_start(struct server *s, int fd, const char *id, size_t idlen,
    const struct resume *rs)
{
	struct pollbuf pb = { NULL, 0, 256, 0, { 0, 0 }, { 0, 0 } };
	enum history_gap gap = HISTORY_WHOLE;
	char lost[160];
	int flags = rs->rs_close ? RESPOND_CLOSE : 0;

	if ((pb.pb_buf = malloc(pb.pb_cap)) == NULL)
		return respond_status(s, fd, 503, flags);
	poll_put(&pb, "{\"messages\":[", 13);
	if (rs->rs_has)
		gap = history_since(&s->s_hist, id, idlen, &rs->rs_last,
		    poll_one, &pb, &pb.pb_first);
	else
		(void)history_after_time(&s->s_hist, id, idlen, rs->rs_t,
		    poll_one, &pb);
	if (pb.pb_n > 0 || gap != HISTORY_WHOLE) {
		if (gap != HISTORY_WHOLE)
			snprintf(lost, sizeof(lost), "{\"reason\":\"%s\"}",
			    history_gap_name(gap));
		return poll_answer(s, fd, &pb, gap != HISTORY_WHOLE ? lost :
		    NULL, flags);
	}
	free(pb.pb_buf);
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

	if (idlen > SERVER_ID_MAX) {
		stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
		return 414;
	}
	if (!urls_id_ok(id, idlen)) {
		stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
		u->ur_why = URLS_ID_WHY;
		u->ur_flags |= RESPOND_CLOSE;
		return 400;
	}
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
		if (fd != -1)
			close(fd);
		stats_cap_put(s->s_conf->sc_stats, 1);
		stats_add(s->s_st, STAT_CLOSED, 1);
		return;
	}
	memcpy(&rs, data, sizeof(rs));
	conn_open(s, fd, 1);
	/* handed over with its request answered by nobody yet */
	conn_list(s, fd, CL_REQ, s->s_conf->sc_timeout);
	(void)poll_start(s, fd, id, idlen, &rs);
}

void
ep_poll_expire(struct server *s, int fd)
{
	struct pollbuf pb = { NULL, 0, 64, 0, { 0, 0 }, { 0, 0 } };
	int flags = conn_get(s, fd)->c_flags & CF_LAST ? RESPOND_CLOSE : 0;

	conn_unstream(s, fd);
	if ((pb.pb_buf = malloc(pb.pb_cap)) == NULL) {
		(void)respond_status(s, fd, 503, flags);
		return;
	}
	poll_put(&pb, "{\"messages\":[", 13);
	(void)poll_answer(s, fd, &pb, NULL, flags);
}
