/*
 * ep_poll.h: long-poll, for clients that cannot hold a stream.
 * GET /poll/<Id>?since=A-B answers at once with the messages kept after
 * A-B, or waits up to the poll timeout for the next one; GET /poll/<Id>
 * waits for the next one.  The answer is JSON, and says what to ask from
 * next time:
 *
 *   {"messages":[{"id":"A-B","data":"..."},...],"next":"A-B"}
 *
 * with "lost":{...} (the stream's loss notice) when messages after since
 * are gone.  Like streams, a poll is served by its Id's owner, and in a
 * cluster (cluster.h) from Redis's history.
 */
#ifndef COMET_EP_POLL_H
#define COMET_EP_POLL_H

#include <stddef.h>

#include "cluster_wire.h"
#include "urls.h"

struct server;

/* GET /poll/<Id> (url_fn). */
int	ep_poll_get(struct server *, int, struct url_req *);

/* A poll handed over by another worker (as ep_stream_adopt). */
void	ep_poll_adopt(struct server *, int, const char *, size_t,
	    const void *, size_t);

/*
 * A poll whose start came from Redis (cluster_ops): data[0..len) is its
 * struct resume.  Answer now from f, or wait for the next message.
 */
void	ep_poll_started(struct server *, int, const void *, size_t,
	    const struct cluster_found *);

/* The poll on fd waited its whole timeout: answer that nothing came. */
void	ep_poll_expire(struct server *, int);

#endif
