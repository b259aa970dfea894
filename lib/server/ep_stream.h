/*
 * ep_stream.h: the streams endpoint.  GET /test/<Id> (the seed's text),
 * GET /sse/<Id> and GET /test/<Id> with "Accept: text/event-stream"
 * (EventSource) become streams in their wire format (frame.h), kept by
 * the worker that owns the Id: a worker that does not own it hands the
 * socket over (relay.h), and the owner starts it.  A stream may resume
 * (Last-Event-ID or ?last_event_id=): the owner first writes what the
 * history kept after that id; in a cluster (cluster.h) Redis keeps the
 * history and the stream waits for it.  Periodic chunks, heartbeats and
 * the end of every stream when the worker stops are here too.
 */
#ifndef COMET_EP_STREAM_H
#define COMET_EP_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "cluster_wire.h"
#include "msgid.h"
#include "urls.h"

struct server;

/* Where a stream starts; travels with a handed-over socket. */
struct resume {
	uint64_t	 rs_t;		/* the request came, ms CLOCK_MONOTONIC */
	uint64_t	 rs_wall;	/* ... and ms since 1970 (cluster.h) */
	struct msgid	 rs_last;	/* resume after this id, if rs_has */
	uint8_t		 rs_has;
	uint8_t		 rs_close;	/* the request said Connection: close */
	char		 rs_accept[30];	/* WebSocket: Sec-WebSocket-Accept */
};

/* GET or HEAD /test/<Id> or /sse/<Id> (url_fn). */
int	ep_stream_get(struct server *, int, struct url_req *);

/*
 * Check the Id of a subscription: 0, or the status to answer (414 too
 * long, 400 with a dot segment; the connection then closes).
 */
int	ep_stream_id(struct server *, struct url_req *, const char *, size_t);

/*
 * A handed-over subscription that cannot start (fd -1: it never came):
 * close it and give its place under the cap back.
 */
void	ep_stream_lost(struct server *, int);

/*
 * The resume point of a request: Last-Event-ID or the query parameter
 * named param.  Returns 0 (rs filled, rs_has 0 when none was given), or
 * 400 when the id is malformed.
 */
int	ep_stream_resume(struct server *, const struct url_req *,
	    const char *, struct resume *);

/*
 * Make fd a stream of id in format frame starting at rs: here if this
 * worker owns id, else handed to the owner.  Returns 0, or -1 if fd was
 * closed or left this worker.
 */
int	ep_stream_open(struct server *, int, const char *, size_t, int,
	    const struct resume *);

/*
 * Hand fd, a request for id in format frame, to id's owner.  Returns -1:
 * fd is no longer this worker's.
 */
int	ep_stream_handoff(struct server *, int, const char *, size_t, int,
	    const struct resume *);

/*
 * A stream handed over by another worker (relay_ops): fd, or -1 if it
 * was lost on the way (its place under the cap is given back).
 */
void	ep_stream_adopt(struct server *, int, const char *, size_t, int,
	    const void *, size_t);

/*
 * A stream whose start came from Redis (cluster_ops): data[0..len) is its
 * struct resume; replay f, then write its head and welcome.
 */
void	ep_stream_started(struct server *, int, const void *, size_t,
	    const struct cluster_found *);

/* Send the periodic chunk to every stream that is due. */
void	ep_stream_tick(struct server *);

/*
 * Heartbeats: every stream whose format has one and that wrote nothing
 * since the last call gets one.  Called every half heartbeat period, so
 * no stream stays silent longer than the period.
 */
void	ep_stream_beat(struct server *);

/* On stop: end every stream in its format, then close every connection. */
void	ep_stream_drain(struct server *);

#endif
