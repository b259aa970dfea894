/*
 * ep_stream.h: the streams endpoint.  GET /test/<Id> becomes a stream in
 * the wire format the request asks for (frame.h), kept by the worker
 * that owns its Id: a worker that does not own it hands the socket over
 * (relay.h), and the owner starts it.  Periodic chunks, and the end of
 * every stream when the worker stops, are here too.
 */
#ifndef COMET_EP_STREAM_H
#define COMET_EP_STREAM_H

#include <stddef.h>

#include "urls.h"

struct server;

/* GET or HEAD /test/<Id> (url_fn). */
int	ep_stream_get(struct server *, int, const struct url_req *);

/*
 * A stream handed over by another worker (relay_ops): fd, or -1 if it
 * was lost on the way (its place under the cap is given back).
 */
void	ep_stream_adopt(struct server *, int, const char *, size_t, int);

/* Send the periodic chunk to every stream that is due. */
void	ep_stream_tick(struct server *);

/* On stop: end every stream in its format, then close every connection. */
void	ep_stream_drain(struct server *);

#endif
