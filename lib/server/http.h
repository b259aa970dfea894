/*
 * http.h: a strict HTTP/1.x request-head parser that never allocates
 * (the picohttpparser shape: pointers and lengths into the caller's
 * buffer, headers into an array the caller provides), and the chunked
 * framing cometd writes.
 */
#ifndef COMET_HTTP_H
#define COMET_HTTP_H

#include <stddef.h>

struct http_hdr {
	const char	*hh_name;	/* field name, not NUL-terminated */
	size_t		 hh_namelen;
	const char	*hh_val;	/* value without surrounding OWS */
	size_t		 hh_vallen;
};

struct http_limits {
	size_t		 hl_head;	/* max bytes of request line + headers */
	size_t		 hl_lines;	/* max header lines */
	size_t		 hl_target;	/* max request-target bytes */
};

struct http_req {
	const char	*rq_method;
	size_t		 rq_methodlen;
	const char	*rq_target;	/* raw request-target, visible ASCII */
	size_t		 rq_targetlen;
	int		 rq_minor;	/* 0 for HTTP/1.0, 1 for HTTP/1.1 */
	size_t		 rq_nhdrs;	/* headers stored in the caller's array */
	long long	 rq_clen;	/* Content-Length, -1 when absent */
	int		 rq_chunked;	/* Transfer-Encoding: chunked */
	int		 rq_close;	/* close after the response */
};

#define HTTP_INCOMPLETE	0

/* The headers every cometd response with a text body starts with. */
#define HTTP_TEXT_HEADERS	"Server: cometd\r\n" \
	"Content-Type: text/plain; charset=utf-8\r\n"

/*
 * Parse one request head at buf[0..len).  Returns the length of the head
 * (up to and including the empty line) when it is complete and valid,
 * HTTP_INCOMPLETE (0) when more bytes are needed, or minus the status
 * the client should get: -400 malformed, -414 target too long, -431 head
 * or header count over the limits, -501 unknown transfer coding, -505
 * unsupported version.  hdrs must hold at least lim->hl_lines entries.
 * Pure: no allocation, no global state, reads only buf[0..len).
 */
int	 http_parse_req(const char *, size_t, struct http_req *,
	    struct http_hdr *, const struct http_limits *);

/*
 * Write the chunk-size line ("1a\r\n") of a len-byte chunk so that it
 * ends just before end.  Returns where it starts (at most 18 bytes back).
 */
char	*http_chunk_head(char *end, size_t len);

/* The reason phrase for a status code ("Not Found"); "" if unknown. */
const char *http_reason(int);

/*
 * The first of hdrs[0..n) named name (lower case), or NULL.  Field names
 * match case-insensitively.
 */
const struct http_hdr *http_find(const struct http_hdr *, size_t,
	    const char *);

/*
 * 1 if the comma-separated list v[0..n) (a Connection or Upgrade value)
 * holds the token tok (lower case; matched case-insensitively), else 0.
 */
int	http_has_token(const char *, size_t, const char *);

/* Case-insensitive match of a length-delimited string against s. */
int	 http_eq(const char *, size_t, const char *);

#endif
