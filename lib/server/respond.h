/*
 * respond.h: complete responses with a short body: status line,
 * cometd's headers, the body.  Every endpoint and every error goes
 * through here, so they all look the same; an error's body is always
 *
 *	<status> <reason>: <what to do about it>
 *
 * on one line, text/plain.
 */
#ifndef COMET_RESPOND_H
#define COMET_RESPOND_H

#include <stddef.h>

#define RESPOND_HEAD	0x01	/* a HEAD request: no body */
#define RESPOND_CLOSE	0x02	/* "Connection: close", then linger */
#define RESPOND_JSON	0x04	/* the body is application/json */
#define RESPOND_METRICS	0x08	/* the body is Prometheus text, 0.0.4 */

struct server;

/*
 * Format a response into buf[0..cap): status, extra header lines hdrs
 * ("Name: value\r\n"..., or NULL), body[0..len).  Returns the length,
 * or 0 if it does not fit.  For answers written without a connection
 * slot (the out-of-descriptors 503).
 */
size_t	respond_format(char *, size_t, int, const char *, const char *,
	    size_t, int);

/*
 * Answer fd with status, extra header lines hdrs and body[0..len).
 * Returns 0 to go on reading requests, -1 if fd is closing or closed.
 */
int	respond(struct server *, int, int, const char *, const char *, size_t,
	    int);

/*
 * Answer fd with an error: status, hdrs, and the error body with why
 * (NULL: the usual hint for that status).  Returns as respond().
 */
int	respond_error(struct server *, int, int, const char *, const char *,
	    int);

/* The error body of status with why (NULL: the hint) into buf[0..cap). */
size_t	respond_error_body(char *, size_t, int, const char *);

/* respond_error with no extra headers and the usual hint. */
int	respond_status(struct server *, int, int, int);

#endif
