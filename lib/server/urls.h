/*
 * urls.h: the one URL table of cometd: every endpoint, the methods it
 * takes and its handler.  request.c parses a request and asks here who
 * serves it; the endpoints (ep_*.c) answer.
 */
#ifndef COMET_URLS_H
#define COMET_URLS_H

#include <stddef.h>

#include "http.h"

struct server;

/* A parsed request as its handler sees it. */
struct url_req {
	const struct http_req *ur_req;
	const struct http_hdr *ur_hdrs;	/* ur_req->rq_nhdrs of them */
	const char	*ur_path;	/* the target's path, no query */
	size_t		 ur_plen;
	const char	*ur_query;	/* after '?', without '#...'; or NULL */
	size_t		 ur_qlen;
	int		 ur_flags;	/* RESPOND_HEAD, RESPOND_CLOSE */
	/* an endpoint that returns a status may say why, with headers */
	const char	*ur_why;	/* the error body's reason, or NULL */
	const char	*ur_ehdrs;	/* header lines for the error, or NULL */
	char		 ur_hbuf[256];	/* room for ur_ehdrs */
};

/*
 * An endpoint: answers the request on fd and returns 0 (answered, or a
 * body is being taken: CF_PUB), -1 if fd was closed or left this worker,
 * or an error status for request.c to answer, with ur_why and ur_ehdrs.
 */
typedef int url_fn(struct server *, int, struct url_req *);

enum url_match {
	URL_FOUND,	/* *fn serves it */
	URL_NOPATH,	/* no endpoint has this path: 404 */
	URL_NOMETHOD,	/* the path takes other methods (*allow): 405 */
	URL_NOTIMPL	/* a method cometd does not implement: 501 */
};

/*
 * Find the endpoint for method[0..mlen) on path[0..plen).  On
 * URL_NOMETHOD, *allow is the methods the path takes, as an Allow value.
 */
enum url_match	urls_find(const char *, size_t, const char *, size_t,
		    url_fn **, const char **);

/*
 * 1 if id[0..len), taken from a path, has no "." or ".." segment (as in
 * "a/../b"), else 0.  A proxy in front normalizes such a path before it
 * checks it, cometd would not: they must agree on what a path is.
 */
int		 urls_id_ok(const char *, size_t);

/* The reason to give with the 400 for an Id urls_id_ok refuses. */
#define URLS_ID_WHY	"an Id may not have a . or .. path segment"

/*
 * The value of query parameter name ("name=value"; no percent-decoding:
 * cometd's parameters are ids and tokens, which need none), with its
 * length in *len, or NULL if the query has no such parameter.
 */
const char	*urls_param(const struct url_req *, const char *, size_t *);

/*
 * The path and query of a request-target in origin-form ("/a?q") or
 * absolute-form ("http://h/a?q").  Returns 0, or -1 for other forms.
 */
int	urls_split(const struct http_req *, struct url_req *);

#endif
