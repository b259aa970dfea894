/*
 * cluster.h: cometd nodes that share their subscribers through one Redis
 * server (cometd -r).  Each worker has its own link to Redis (redis.h)
 * and, through it:
 *
 * - subscribes "comet:m:<Id>" while it holds a stream of the Id, from the
 *   first that logs in to the last that leaves, and "comet:b" while it
 *   holds any stream, so Redis sends a node only what its streams need;
 * - publishes a message with one script (cluster_lua.h) that appends it
 *   to the Id's stream "comet:h:<Id>", where it gets its id, and
 *   PUBLISHes "<id> <message>"; the publish request's answer counts the
 *   workers PUBLISH reached.  Each worker's messages go out on its one
 *   link, so Redis keeps their order;
 * - delivers what comes on its channels to its streams, the publishing
 *   node's own included: every message takes one path to a stream;
 * - starts a stream or a long-poll by asking, on the same link and after
 *   its SUBSCRIBE, what the Id's stream holds after the client's id (or
 *   since the request came).  Until the answer the stream is logged in
 *   but held (CF_WAIT): the messages pushed meanwhile are in the answer,
 *   so it skips them, and the ones pushed after the answer are not, so
 *   it gets them: no duplicate and no gap.
 *
 * Link down: publishes are refused (RELAY_DOWN: 503), a stream that
 * resumes waits for the link (within the request timeout -t; the client
 * retries), a fresh one starts at once.  Link back: every Id with a
 * stream here is subscribed again and the held streams ask again.
 */
#ifndef COMET_CLUSTER_H
#define COMET_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "cluster_wire.h"
#include "msgid.h"
#include "relay.h"

#define CLUSTER_PORT	6379		/* -r without a port */
#define CLUSTER_REPLAY_MAX (32u << 20)	/* bytes one start replays, at most */

struct server;

/* Where the cluster reaches back up to the endpoints (as relay_ops). */
struct cluster_ops {
	/*
	 * Stream fd begins, from f (replay it with cluster_wire_each);
	 * data[0..len) is what the endpoint gave cluster_start.  It is no
	 * longer held, still logged in, and in the request timeout list.
	 */
	void	(*co_start)(struct server *, int, const void *, size_t,
		    const struct cluster_found *);
	/* The answer about publish request tag (as relay_ops' ro_replied). */
	void	(*co_replied)(struct server *, uint64_t,
		    const struct relay_reply *);
};

/*
 * With sc_redis set, set up the worker's link (s_cluster) and start it;
 * without, do nothing.  Returns 0, or -1 with errno (no memory, no
 * timerfd); Redis being unreachable is not an error.
 */
int	cluster_init(struct server *, const struct cluster_ops *);

/*
 * Start stream fd (CS_STREAM with its Id, not logged in) through Redis,
 * resuming after *last, or (last NULL) with what was published since
 * wall (ms since 1970).  It is logged in and held until its start comes
 * back through co_start with data[0..len): at once when the link is down
 * and last is NULL.  Returns 0, or -1 if fd was closed (no memory, too
 * much waiting for Redis).
 */
int	cluster_start(struct server *, int, const struct msgid *, uint64_t,
	    const void *, size_t);

/*
 * Publish msg[0..len) of request tag to id through Redis.  Returns 1
 * (its answer comes through co_replied), or RELAY_DOWN.
 */
int	cluster_publish(struct server *, uint64_t, const char *, size_t,
	    const char *, size_t);

/* Broadcast msg[0..len) of request tag; as cluster_publish. */
int	cluster_broadcast(struct server *, uint64_t, const char *, size_t);

/* Where stream fd began (co_start's cf_pos): a waiting poll's "next". */
struct msgid cluster_pos(const struct server *, int);

/* End of a loop pass: send what the pass queued for Redis. */
void	cluster_tick(struct server *);

#endif
