/*
 * respond.h: complete responses with a short text/plain (or JSON) body: status
 * line, cometd's headers, the body.  Every endpoint and every error goes
 * through here, so they all look the same.
 */
#ifndef COMET_RESPOND_H
#define COMET_RESPOND_H

#include <stddef.h>

#define RESPOND_HEAD	0x01	/* a HEAD request: no body */
#define RESPOND_CLOSE	0x02	/* "Connection: close", then linger */
#define RESPOND_JSON	0x04	/* the body is application/json */

struct server;

/*
 * Answer fd with status, extra header lines hdrs ("Name: value\r\n"...,
 * or NULL) and body[0..len).  Returns 0 to go on reading requests, -1 if
 * fd is closing or closed.
 */
int	respond(struct server *, int, int, const char *, const char *, size_t,
	    int);

/* Answer fd with status and its reason phrase as the body, as respond(). */
int	respond_status(struct server *, int, int, int);

#endif
