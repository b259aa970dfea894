/*
 * request.h: reading and parsing requests.  Input is read into the
 * worker's one buffer and parsed in place (http.h); each request goes to
 * the endpoint the URL table names (urls.h), and a publish body to the
 * publish endpoint as it arrives.  Pipelined requests are served in
 * order; a connection whose output is blocked keeps its unread input
 * (conn.h) until the output drains.
 */
#ifndef COMET_REQUEST_H
#define COMET_REQUEST_H

#include <stdint.h>

#include "relay.h"

struct server;

/*
 * fd is readable (rd 1), or has kept input to go on with (rd 0): read,
 * parse and answer.  A stream's input is read and dropped: a stream only
 * watches for the client leaving.
 */
void	request_read(struct server *, int, int);

/*
 * The owners replied to a publish request (relay_ops): answer it if that
 * was the last reply, then go on with the requests behind it.
 */
void	request_replied(struct server *, uint64_t, const struct relay_reply *);

#endif
