/*
 * respond.c: responses formatted into the worker's scratch buffer and
 * written at once (conn.c keeps what the kernel refuses).
 */
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "http.h"
#include "respond.h"
#include "server.h"

/* What a client can do about an error, by status. */
static const char *
respond_hint(int status)
{
	switch (status) {
	case 400: return "the request is malformed";
	case 401: return "a valid token is required";
	case 403: return "not allowed";
	case 404: return "no such endpoint: see cometd(1), HTTP INTERFACE";
	case 405: return "this path does not take this method (see Allow)";
	case 408: return "the request was not complete in time (-t)";
	case 413: return "the body is larger than cometd takes (-z)";
	case 414: return "the target or the Id is too long (-u, 255 bytes)";
	case 426: return "WebSocket version 13 only";
	case 431: return "the request head is too large (-b, -n)";
	case 501: return "cometd does not implement this method or coding";
	case 503: return "cometd is full (-m) or out of memory; try later";
	case 505: return "HTTP/1.0 and HTTP/1.1 only";
	default: return NULL;
	}
}

size_t
respond_format(char *b, size_t cap, int status, const char *hdrs,
    const char *body, size_t blen, int flags)
{
	int n;

	n = snprintf(b, cap, "HTTP/1.1 %d %s\r\nServer: cometd\r\n"
	    "Content-Type: %s\r\n%sContent-Length: %zu\r\n%s\r\n", status,
	    http_reason(status), flags & RESPOND_JSON ? "application/json" :
	    flags & RESPOND_METRICS ? "text/plain; version=0.0.4; "
	    "charset=utf-8" : "text/plain; charset=utf-8",
	    hdrs != NULL ? hdrs : "", blen,
	    flags & RESPOND_CLOSE ? "Connection: close\r\n" : "");
	if (n < 0 || (size_t)n >= cap)
		return 0;
	if (!(flags & RESPOND_HEAD)) {
		if ((size_t)n + blen > cap)
			return 0;
		memcpy(b + n, body, blen);
		n += blen;
	}
	return (size_t)n;
}

int
respond(struct server *s, int fd, int status, const char *hdrs,
    const char *body, size_t blen, int flags)
{
	size_t n;

	n = respond_format(s->s_scratch, SCRATCH_SIZE, status, hdrs, body,
	    blen, flags);
	if (n == 0) {
		/* a body larger than the scratch: the head, then the body */
		n = respond_format(s->s_scratch, SCRATCH_SIZE, status, hdrs,
		    body, blen, flags | RESPOND_HEAD);
		if (conn_write(s, fd, s->s_scratch, n) == -1 ||
		    conn_write(s, fd, body, blen) == -1)
			return -1;
	} else if (conn_write(s, fd, s->s_scratch, n) == -1)
		return -1;
	if (s->s_accfd != -1)
		access_request(s, fd, s->s_logm ? s->s_logm : "-",
		    s->s_logm ? s->s_logmlen : 1, s->s_logp ? s->s_logp : "-",
		    s->s_logp ? s->s_logplen : 1, status, n, "answer");
	return conn_done(s, fd, (flags & RESPOND_CLOSE) != 0);
}

size_t
respond_error_body(char *buf, size_t cap, int status, const char *why)
{
	int n;

	if (why == NULL)
		why = respond_hint(status);
	n = snprintf(buf, cap, "%d %s%s%s\n", status, http_reason(status),
	    why != NULL ? ": " : "", why != NULL ? why : "");
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

int
respond_error(struct server *s, int fd, int status, const char *hdrs,
    const char *why, int flags)
{
	char body[512];
	size_t n = respond_error_body(body, sizeof(body), status, why);

	return respond(s, fd, status, hdrs, body, n, flags);
}

int
respond_status(struct server *s, int fd, int status, int flags)
{
	return respond_error(s, fd, status, NULL, NULL, flags);
}
