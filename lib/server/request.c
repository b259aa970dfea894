/*
 * request.c: from bytes on a connection to an endpoint's answer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "ep_publish.h"
#include "ep_ws.h"
#include "frame.h"
#include "http.h"
#include "request.h"
#include "respond.h"
#include "server.h"
#include "stats.h"
#include "urls.h"

/* A request cometd cannot serve as sent: count it, answer, close. */
static int
request_bad(struct server *s, int fd, int status)
{
	stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
	(void)respond_status(s, fd, status, RESPOND_CLOSE);
	return -1;
}

/*
 * A request whose body no endpoint reads: one of known length is
 * skipped, a chunked one closes the connection after the answer.
 */
static void
request_unread(struct server *s, int fd, struct url_req *u)
{
	const struct http_req *r = u->ur_req;
	struct conn *c = conn_get(s, fd);
	uint64_t skip;

	if (r->rq_chunked)
		u->ur_flags |= RESPOND_CLOSE;
	if (r->rq_clen > 0 && !(u->ur_flags & RESPOND_CLOSE)) {
		skip = r->rq_clen;
		memcpy(c->c_id, &skip, sizeof(skip));
		c->c_flags |= CF_SKIP;
	}
}

/* Run the endpoint fn; only a publish (POST or PUT) reads the body. */
static int
request_serve(struct server *s, int fd, struct url_req *u, url_fn *fn)
{
	const struct http_req *r = u->ur_req;
	int post, rc;

	post = (r->rq_methodlen == 4 && memcmp(r->rq_method, "POST", 4) ==
	    0) || (r->rq_methodlen == 3 && memcmp(r->rq_method, "PUT", 3) == 0);
	if (!post)
		request_unread(s, fd, u);
	if ((rc = fn(s, fd, u)) <= 0)
		return rc;
	if (post)
		request_unread(s, fd, u);
	return respond_error(s, fd, rc, u->ur_ehdrs, u->ur_why, u->ur_flags);
}

static int	request_route(struct server *, int, const struct http_req *);

/*
 * One parsed request: routed, with its method and path at hand for the
 * access log meanwhile.  Returns 0, or -1 if fd was closed.
 */
static int
request_dispatch(struct server *s, int fd, const struct http_req *r)
{
	int rc;

	s->s_logm = r->rq_method;
	s->s_logmlen = r->rq_methodlen;
	s->s_logp = r->rq_target;
	for (s->s_logplen = 0; s->s_logplen < r->rq_targetlen &&
	    r->rq_target[s->s_logplen] != '?'; s->s_logplen++)
		;	/* no query: a token there is never logged */
	rc = request_route(s, fd, r);
	s->s_logm = s->s_logp = NULL;
	return rc;
}

static int
request_route(struct server *s, int fd, const struct http_req *r)
{
	struct url_req u;
	const char *allow;
	url_fn *fn;
	int status;

	memset(&u, 0, sizeof(u));
	u.ur_req = r;
	u.ur_hdrs = s->s_hdrs;
	u.ur_flags = r->rq_close ? RESPOND_CLOSE : 0;
	if (r->rq_methodlen == 4 && memcmp(r->rq_method, "HEAD", 4) == 0)
		u.ur_flags |= RESPOND_HEAD;
	if (conn_get(s, fd)->c_flags & CF_REJECT)
		return respond_status(s, fd, 503, u.ur_flags | RESPOND_CLOSE);
	if (urls_split(r, &u) == -1)
		return request_bad(s, fd, 400);
	switch (urls_find(u.ur_path, u.ur_plen, r->rq_method,
	    r->rq_methodlen, &fn, &allow)) {
	case URL_FOUND:
		return request_serve(s, fd, &u, fn);
	case URL_NOTIMPL:
		status = 501;
		break;
	case URL_NOMETHOD:
		status = 405;
		snprintf(u.ur_hbuf, sizeof(u.ur_hbuf), "Allow: %s\r\n", allow);
		u.ur_ehdrs = u.ur_hbuf;
		break;
	default:
		status = 404;
		break;
	}
	request_unread(s, fd, &u);
	return respond_error(s, fd, status, u.ur_ehdrs, NULL, u.ur_flags);
}

/* Skip request body bytes; returns how many of avail were skipped. */
static size_t
request_skip(struct conn *c, size_t avail)
{
	uint64_t skip;

	memcpy(&skip, c->c_id, sizeof(skip));
	if (skip > avail) {
		skip -= avail;
		memcpy(c->c_id, &skip, sizeof(skip));
		return avail;
	}
	c->c_flags &= ~CF_SKIP;
	return skip;
}

/*
 * Publish body bytes.  Returns the bytes used, or -1 if fd was closed
 * or is no longer reading requests (answered and closing).
 */
static ssize_t
request_body(struct server *s, int fd, const char *buf, size_t len)
{
	ssize_t n;

	if ((n = ep_publish_body(s, fd, buf, len)) == -1)
		return request_bad(s, fd, 400);
	conn_list(s, fd, CL_REQ, s->s_conf->sc_timeout);
	/* answered and closed, or waiting for replies */
	return conn_get(s, fd)->c_state == CS_REQ ? n : -1;
}

/*
 * Parse and answer the requests in buf[0..len), pipelined ones included.
 * Returns the bytes used (the rest is an incomplete head, or requests
 * to answer once blocked output drains), or -1 if fd was closed.
 */
static ssize_t
request_input(struct server *s, int fd, const char *buf, size_t len)
{
	struct conn *c = conn_get(s, fd);
	struct http_req r;
	size_t off = 0;
	ssize_t n;
	int rc;

	while (off < len) {
		if (c->c_state != CS_REQ || (c->c_flags & CF_CLOSE))
			return len;
		if (c->c_flags & CF_BLOCKED)
			break;
		if (c->c_flags & CF_SKIP) {
			off += request_skip(c, len - off);
			continue;
		}
		if (c->c_flags & CF_PUB) {
			if ((n = request_body(s, fd, buf + off, len - off)) ==
			    -1)
				return -1;
			off += n;
			if (c->c_flags & CF_PUB)
				break;
			continue;
		}
		rc = http_parse_req(buf + off, len - off, &r, s->s_hdrs,
		    &s->s_conf->sc_lim);
		if (rc == HTTP_INCOMPLETE)
			break;
		if (rc < 0)
			return request_bad(s, fd, -rc);
		off += rc;
		conn_list(s, fd, CL_REQ, s->s_conf->sc_timeout);
		if (request_dispatch(s, fd, &r) == -1)
			return -1;
	}
	return off;
}

/* Take fd's kept input into the read buffer; returns its length. */
static size_t
request_unkeep(struct server *s, struct conn *c)
{
	struct pend *p = c->c_pend;
	size_t have;

	if (p == NULL || p->pd_in == 0)
		return 0;
	have = p->pd_in;
	memcpy(s->s_rbuf, p->pd_data + p->pd_out, have);
	p->pd_in = 0;
	conn_pend_drop(c);
	return have;
}

void
request_read(struct server *s, int fd, int rd)
{
	struct conn *c = conn_get(s, fd);
	size_t have = request_unkeep(s, c);
	ssize_t n = 0, used;

	/* kept input never fills the buffer while reading is on */
	if (rd && have < RBUF_SIZE) {
		n = read(fd, s->s_rbuf + have, RBUF_SIZE - have);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
			conn_close(s, fd, n != 0 ? CE_ERROR :
			    c->c_state == CS_LINGER ? CE_DONE : CE_EOF);
			return;
		}
		if (n == -1)
			n = 0;
	}
	/* a held WebSocket (CF_WAIT) has not answered the upgrade yet */
	if (have + n == 0 || (c->c_state != CS_REQ &&
	    !(c->c_state == CS_STREAM && c->c_frame == FRAME_WS &&
	    !(c->c_flags & CF_WAIT))))
		return;
	s->s_input = 1;
	if (c->c_state == CS_STREAM)
		used = ep_ws_input(s, fd, s->s_rbuf, have + n);
	else
		used = request_input(s, fd, s->s_rbuf, have + n);
	s->s_input = 0;
	if (used == -1)
		return;
	/* a part of a request, or of a WebSocket frame, waits for the rest */
	if ((size_t)used < have + n && (c->c_state == CS_REQ ||
	    (c->c_state == CS_STREAM && c->c_frame == FRAME_WS)) &&
	    conn_keep(c, s->s_rbuf + used, have + n - used) == -1)
		conn_close(s, fd, CE_MEMORY);
}

void
request_replied(struct server *s, uint64_t tag, const struct relay_reply *rp)
{
	struct conn *c;
	int fd;

	if ((fd = ep_publish_replied(s, tag, rp)) == -1)
		return;
	c = conn_get(s, fd);
	/* inside request_input the caller goes on parsing by itself */
	if (!s->s_input && c->c_state == CS_REQ && !(c->c_flags & CF_PUB) &&
	    c->c_pend != NULL && c->c_pend->pd_in > 0 &&
	    !(c->c_flags & CF_BLOCKED))
		request_read(s, fd, 0);
}
