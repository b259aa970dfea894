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

int
respond(struct server *s, int fd, int status, const char *hdrs,
    const char *body, size_t blen, int flags)
{
	char *b = s->s_scratch;
	int n, close = (flags & RESPOND_CLOSE) != 0;

	n = snprintf(b, SCRATCH_SIZE, "HTTP/1.1 %d %s\r\nServer: cometd\r\n"
	    "Content-Type: %s\r\n%sContent-Length: %zu\r\n%s\r\n", status,
	    http_reason(status), flags & RESPOND_JSON ? "application/json" :
	    "text/plain; charset=utf-8", hdrs != NULL ? hdrs : "", blen,
	    close ? "Connection: close\r\n" : "");
	if (!(flags & RESPOND_HEAD) && n + blen <= SCRATCH_SIZE) {
		memcpy(b + n, body, blen);
		n += blen;
	} else if (!(flags & RESPOND_HEAD)) {
		/* a body larger than the scratch: the head, then the body */
		if (conn_write(s, fd, b, n) == -1)
			return -1;
		b = (char *)body;
		n = blen;
	}
	if (conn_write(s, fd, b, n) == -1)
		return -1;
	return conn_done(s, fd, close);
}

int
respond_status(struct server *s, int fd, int status, int flags)
{
	char body[64];
	int n;

	n = snprintf(body, sizeof(body), "%s\n", http_reason(status));
	return respond(s, fd, status, NULL, body, n, flags);
}
