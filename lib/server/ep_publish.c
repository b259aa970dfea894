/*
 * ep_publish.c: publish requests, from their head to their answer.  A
 * request's state (struct pub) is one heap block that lives in its
 * connection's c_id while CF_PUB is set, so an idle connection pays
 * nothing for it and closing frees it.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "auth.h"
#include "batch.h"
#include "body.h"
#include "conn.h"
#include "ep_publish.h"
#include "relay.h"
#include "respond.h"
#include "server.h"
#include "stats.h"

enum { PUB_ONE, PUB_BATCH, PUB_BCAST };

/* A publish request: exists from its head until its answer. */
struct pub {
	uint64_t	 pb_tag;	/* fd << 32 | generation */
	int		 pb_kind;	/* PUB_* */
	int		 pb_done;	/* the body is complete */
	int		 pb_status;	/* nonzero: answer this (413, 400) */
	uint32_t	 pb_wait;	/* records whose reply is due */
	uint64_t	 pb_messages;
	uint64_t	 pb_deliveries;
	uint64_t	 pb_nosub;
	uint64_t	 pb_malformed;
	uint64_t	 pb_lost;	/* not published: no link to Redis */
	struct body	 pb_body;
	struct batch	 pb_batch;
	size_t		 pb_idlen;	/* PUB_ONE: the Id, in pb_id */
	char		 pb_id[SERVER_ID_MAX];
	size_t		 pb_have;	/* bytes in pb_buf */
	size_t		 pb_cap;
	char		 pb_buf[];
};

/* fd's publish request, if it has one. */
static struct pub *
pub_of(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);

	return c->c_state == CS_REQ && (c->c_flags & CF_PUB) ? conn_ptr(c) :
	    NULL;
}

/* Forget fd's publish request (answered, or broken). */
static void
pub_end(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);

	free(conn_ptr(c));
	c->c_flags &= ~(CF_PUB | CF_LAST);
}

static const char pub_method[] = "POST";

/*
 * An answer that comes after the request's own pass (the owners had to
 * reply) has no request at hand: name it for the access log.
 */
static void
pub_log(struct server *s, const struct pub *p)
{
	static char path[8 + SERVER_ID_MAX];

	if (s->s_logm != NULL || s->s_accfd == -1)
		return;
	s->s_logm = pub_method;
	s->s_logmlen = 4;
	s->s_logp = path;
	if (p->pb_kind == PUB_ONE)
		s->s_logplen = (size_t)snprintf(path, sizeof(path), "/send/%.*s",
		    (int)p->pb_idlen, p->pb_id);
	else
		s->s_logplen = (size_t)snprintf(path, sizeof(path), "%s",
		    p->pb_kind == PUB_BATCH ? "/send" : "/broadcast");
}

/* Answer fd's publish request once its body and its replies are in. */
static void
pub_answer(struct server *s, int fd)
{
	struct pub *p = pub_of(s, fd);
	char body[256], why[128];
	int n, status, flags;

	if (p == NULL || !p->pb_done || p->pb_wait > 0)
		return;
	if (p->pb_kind == PUB_BCAST && p->pb_messages > 0 &&
	    p->pb_deliveries == 0)
		p->pb_nosub = 1;
	stats_add(s->s_st, STAT_NO_SUBSCRIBER, (int64_t)p->pb_nosub);
	status = p->pb_status ? p->pb_status : p->pb_deliveries > 0 ? 201 : 202;
	if (p->pb_status == 503 && p->pb_lost > 0) {
		snprintf(why, sizeof(why), "no link to redis: %llu of %llu "
		    "messages not published", (unsigned long long)p->pb_lost,
		    (unsigned long long)p->pb_messages);
		n = (int)respond_error_body(body, sizeof(body), 503, why);
	} else if (p->pb_status)
		n = (int)respond_error_body(body, sizeof(body), p->pb_status,
		    NULL);
	else
		n = snprintf(body, sizeof(body), "messages %llu\n"
		    "deliveries %llu\nno_subscriber %llu\nmalformed %llu\n",
		    (unsigned long long)p->pb_messages,
		    (unsigned long long)p->pb_deliveries,
		    (unsigned long long)p->pb_nosub,
		    (unsigned long long)p->pb_malformed);
	flags = conn_get(s, fd)->c_flags & CF_LAST ? RESPOND_CLOSE : 0;
	pub_log(s, p);
	pub_end(s, fd);
	(void)respond(s, fd, status, NULL, body, (size_t)n, flags);
	if (s->s_logm == pub_method)
		s->s_logm = s->s_logp = NULL;
}

/* A reply (or a local result) for records of a request. */
static void
pub_count(struct pub *p, const struct relay_reply *rp)
{
	p->pb_wait -= rp->rr_records < p->pb_wait ? rp->rr_records :
	    p->pb_wait;
	p->pb_deliveries += rp->rr_reached;
	p->pb_nosub += rp->rr_nosub;
	p->pb_lost += rp->rr_lost;
	if (rp->rr_lost > 0 && p->pb_status == 0)
		p->pb_status = 503;
}

/* One message of request p for id: here, or a record to its owner. */
static void
pub_route(struct server *s, struct pub *p, const char *id, size_t idlen,
    const char *msg, size_t len)
{
	struct relay_reply rp = { 0, 0, 0, 0 };
	int rc;

	p->pb_messages++;
	stats_add(s->s_st, STAT_MESSAGES_IN, 1);
	rc = relay_publish(s, p->pb_tag, id, idlen, msg, len, &rp.rr_reached);
	if (rc == 1)
		p->pb_wait++;
	else if (rc == RELAY_DOWN) {
		rp.rr_lost = 1;
		pub_count(p, &rp);
	} else if (rc == 0) {
		rp.rr_nosub = rp.rr_reached == 0;
		pub_count(p, &rp);
	}
}

static void
pub_bcast(struct server *s, struct pub *p, const char *msg, size_t len)
{
	struct relay_reply rp = { 0, 0, 0, 1 };
	uint32_t reached;
	int rc;

	p->pb_messages++;
	stats_add(s->s_st, STAT_MESSAGES_IN, 1);
	if ((rc = relay_broadcast(s, p->pb_tag, msg, len, &reached)) ==
	    RELAY_DOWN)
		pub_count(p, &rp);
	else
		p->pb_wait += rc;
	p->pb_deliveries += reached;
}

/* The kind of publish a path asks for, or -1. */
static int
pub_kind(struct url_req *u)
{
	if (u->ur_plen > 6 && memcmp(u->ur_path, "/send/", 6) == 0)
		return PUB_ONE;
	if (u->ur_plen == 5)
		return PUB_BATCH;
	return PUB_BCAST;
}

/* A new request's state; NULL when memory runs out. */
static struct pub *
pub_new(struct server *s, int fd, int kind, struct url_req *u)
{
	const struct server_conf *sc = s->s_conf;
	long long clen = u->ur_req->rq_chunked ? -1 :
	    u->ur_req->rq_clen < 0 ? 0 : u->ur_req->rq_clen;
	struct pub *p;
	size_t cap;

	/* room for one whole line, or one message and a byte to spot more */
	cap = kind == PUB_BATCH ? SERVER_ID_MAX + sc->sc_msgmax + 3 :
	    sc->sc_msgmax + 1;
	if ((p = calloc(1, sizeof(*p) + cap)) == NULL)
		return NULL;
	p->pb_kind = kind;
	p->pb_cap = cap;
	p->pb_tag = (uint64_t)fd << 32 | ++s->s_gen;
	body_init(&p->pb_body, clen);
	batch_init(&p->pb_batch, SERVER_ID_MAX, sc->sc_msgmax);
	if (kind == PUB_ONE) {
		p->pb_idlen = u->ur_plen - 6;
		memcpy(p->pb_id, u->ur_path + 6, p->pb_idlen);
	}
	/* a body known to be too large is read and dropped, then refused */
	if (kind != PUB_BATCH && clen > (long long)sc->sc_msgmax)
		p->pb_status = 413;
	p->pb_done = p->pb_body.bd_state == BODY_DONE;
	return p;
}

/* Nonzero if the request carries "Expect: 100-continue". */
static int
pub_expects(struct url_req *u)
{
	const struct http_hdr *h;

	h = http_find(u->ur_hdrs, u->ur_req->rq_nhdrs, "expect");
	return u->ur_req->rq_minor > 0 && h != NULL && h->hh_vallen == 12 &&
	    http_eq(h->hh_val, 12, "100-continue");
}

int
ep_publish_post(struct server *s, int fd, struct url_req *u)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct conn *c = conn_get(s, fd);
	struct pub *p;
	struct auth a;
	int kind = pub_kind(u);

	/* no peer address (it just left) matches no rule: 403 */
	memset(&ss, 0, sizeof(ss));
	(void)getpeername(fd, (struct sockaddr *)&ss, &sl);
	a = auth_publisher(s, u, allow_match(&s->s_conf->sc_allow,
	    (struct sockaddr *)&ss));
	if (a.au_status != 0)
		return auth_refuse(s, u, &a);
	if (kind == PUB_ONE && u->ur_plen - 6 > SERVER_ID_MAX)
		return 414;
	if (kind == PUB_ONE && !urls_id_ok(u->ur_path + 6, u->ur_plen - 6)) {
		u->ur_why = URLS_ID_WHY;
		u->ur_flags |= RESPOND_CLOSE;
		return 400;
	}
	if ((p = pub_new(s, fd, kind, u)) == NULL)
		return 503;
	conn_set_ptr(c, p);
	c->c_flags |= CF_PUB | (u->ur_req->rq_close ? CF_LAST : 0);
	/* curl asks before sending a body over 1 MB, then waits a second */
	if (pub_expects(u) && conn_write(s, fd, cont, sizeof(cont) - 1) == -1)
		return -1;
	/* an empty body is complete already: no input will say so */
	if (ep_publish_body(s, fd, "", 0) == -1) {
		stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
		(void)respond_status(s, fd, 400, RESPOND_CLOSE);
		return -1;
	}
	return c->c_state == CS_REQ ? 0 : -1;
}

/* Route the complete lines of a batch body held in pb_buf. */
static void
pub_lines(struct server *s, struct pub *p)
{
	struct batch_line l;
	size_t off = 0, n;

	while ((n = batch_next(&p->pb_batch, p->pb_buf + off, p->pb_have -
	    off, p->pb_done, &l)) > 0) {
		off += n;
		if (l.bl_status == BATCH_OK)
			pub_route(s, p, l.bl_id, l.bl_idlen, l.bl_msg,
			    l.bl_msglen);
		else if (batch_malformed(l.bl_status))
			p->pb_malformed++;
	}
	memmove(p->pb_buf, p->pb_buf + off, p->pb_have - off);
	p->pb_have -= off;
}

/* The whole body of a single or broadcast publish is in pb_buf. */
static void
pub_whole(struct server *s, struct pub *p)
{
	if (p->pb_status)
		return;
	if (p->pb_have > s->s_conf->sc_msgmax)
		p->pb_status = 413;
	else if (p->pb_have == 0)
		p->pb_status = 400;
	else if (p->pb_kind == PUB_ONE)
		pub_route(s, p, p->pb_id, p->pb_idlen, p->pb_buf, p->pb_have);
	else
		pub_bcast(s, p, p->pb_buf, p->pb_have);
}

/*
 * Decode what of buf[0..len) fits into p's buffer.  Returns the input
 * bytes used, or -1 on broken chunked framing.
 */
static ssize_t
pub_take(struct pub *p, const char *buf, size_t len)
{
	size_t n, dlen, took;
	int rc;

	/* a refused body is still read, so the answer can be heard */
	if (p->pb_status || (p->pb_kind != PUB_BATCH &&
	    p->pb_have == p->pb_cap)) {
		p->pb_status = p->pb_status ? p->pb_status : 413;
		p->pb_have = 0;
	}
	n = len < p->pb_cap - p->pb_have ? len : p->pb_cap - p->pb_have;
	memcpy(p->pb_buf + p->pb_have, buf, n);
	dlen = n;
	if ((rc = body_decode(&p->pb_body, p->pb_buf + p->pb_have, &dlen,
	    &took)) == -1)
		return -1;
	p->pb_have += dlen;
	p->pb_done = rc == 1;
	return (ssize_t)took;
}

ssize_t
ep_publish_body(struct server *s, int fd, const char *buf, size_t len)
{
	struct pub *p = pub_of(s, fd);
	size_t used = 0;
	ssize_t took;

	while (p != NULL && !p->pb_done && used < len) {
		if ((took = pub_take(p, buf + used, len - used)) == -1) {
			pub_end(s, fd);
			return -1;
		}
		used += (size_t)took;
		if (p->pb_kind == PUB_BATCH && !p->pb_status)
			pub_lines(s, p);
	}
	if (p != NULL && p->pb_done) {
		if (p->pb_kind != PUB_BATCH)
			pub_whole(s, p);
		pub_answer(s, fd);
	}
	return (ssize_t)used;
}

int
ep_publish_replied(struct server *s, uint64_t tag,
    const struct relay_reply *rp)
{
	int fd = (int)(tag >> 32);
	struct pub *p;

	if ((uint32_t)fd >= s->s_nconns || (p = pub_of(s, fd)) == NULL ||
	    p->pb_tag != tag)
		return -1;
	pub_count(p, rp);
	/* -t counts from the last answer too: a long batch through Redis
	   is slow, not stuck, while answers come */
	if (p->pb_done)
		conn_list(s, fd, CL_REQ, s->s_conf->sc_timeout);
	pub_answer(s, fd);
	return fd;
}
