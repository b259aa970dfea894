/*
 * ep_ws.h: WebSocket subscribers (RFC 6455).  GET /ws/<Id> with a valid
 * upgrade becomes a stream in frame_ws.c's format, started like any
 * other (ep_stream.h: handed to the Id's owner, resumable with
 * ?last_event_id=).  A bad upgrade gets 400, a version other than 13
 * gets 426 with "Sec-WebSocket-Version: 13".
 *
 * A subscriber has nothing to say but control frames.  Pings get pongs
 * with the same payload, a pong answers our ping, a close gets a close
 * with the same code and then the connection ends.  Text and binary
 * messages are read (reassembled from fragments up to WS_IN_MAX bytes,
 * text checked for UTF-8) and ignored.  A frame that breaks the protocol
 * closes with its status: 1002 unmasked, reserved bits or opcodes, bad
 * fragment order; 1007 text that is not UTF-8; 1009 over WS_IN_MAX.
 */
#ifndef COMET_EP_WS_H
#define COMET_EP_WS_H

#include <stddef.h>
#include <sys/types.h>

#include "urls.h"

#define WS_IN_MAX	16384	/* largest message a subscriber may send */

struct server;

/* GET /ws/<Id> (url_fn). */
int	ep_ws_get(struct server *, int, struct url_req *);

/*
 * Client frames on WebSocket stream fd: buf[0..len), writable (payloads
 * are unmasked in place).  Returns the bytes used: the rest is part of a
 * frame, for the caller to keep until more comes; or -1 if fd was closed
 * or is closing.
 */
ssize_t	ep_ws_input(struct server *, int, char *, size_t);

/*
 * The heartbeat sweep's look at WebSocket stream fd: a ping that got no
 * pong since the last sweep, or part of a frame held since then, ends
 * the connection.  Returns 1 if it did.
 */
int	ep_ws_beat(struct server *, int);

/*
 * Close WebSocket stream fd with status code: a close frame if it can
 * still be written cleanly, then the end of the connection.
 */
void	ep_ws_fail(struct server *, int, unsigned);

#endif
