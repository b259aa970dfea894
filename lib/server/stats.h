/*
 * stats.h: counters shared by every worker through one MAP_SHARED
 * anonymous mapping made before fork.  Each worker owns one slot (its
 * own cache line, so workers never contend) and is the only writer of
 * it; the parent writes a slot only after that worker has died.  The
 * connection cap is one shared atomic counter.
 */
#ifndef COMET_STATS_H
#define COMET_STATS_H

#include <stddef.h>
#include <stdint.h>

enum stat_id {
	STAT_ACTIVE,		/* connections open now */
	STAT_ACCEPTED,		/* connections accepted, ever */
	STAT_CLOSED,		/* connections closed, ever */
	STAT_CHUNKS,		/* chunks written (welcome and periodic) */
	STAT_BYTES_OUT,		/* bytes written to clients */
	STAT_DROPPED_SLOW,	/* closed: output blocked too long or too much */
	STAT_REJECTED,		/* answered 503: over the -m cap */
	STAT_TIMEOUTS,		/* closed: no complete request head in time */
	STAT_BAD_REQUESTS,	/* answered 4xx/5xx for a malformed request */
	STAT_CAPPED,		/* of active, those counted against the cap */
	STAT_MESSAGES_IN,	/* messages published here (router) */
	STAT_DELIVERIES,	/* message chunks written or queued */
	STAT_NO_SUBSCRIBER,	/* messages that reached no connection */
	STAT_HANDOFFS,		/* streams handed to their Id's owner */
	STAT_STREAMS_CHUNKED,	/* streams open now, by format (frame.h) */
	STAT_STREAMS_HTTP10,
	STAT_STREAMS_SSE,
	STAT_STREAMS_SSE10,
	STAT_STREAMS_POLL,
	STAT_STREAMS_WS,
	STAT_RESUMES,		/* streams that asked to resume from an id */
	STAT_RESUMES_LOST,	/* ... and were told messages were lost */
	STAT_REPLAYED,		/* messages written again from the history */
	STAT_HISTORY_MSGS,	/* messages kept in the histories now */
	STAT_HISTORY_BYTES,	/* bytes they take */
	STAT_HISTORY_EVICTED,	/* messages dropped from the histories, ever */
	STAT_AUTH_401,		/* refused: no token, or not a valid one */
	STAT_AUTH_403,		/* refused: a token for something else */
	STAT_QUEUED,		/* pieces waiting in streams' queues now */
	STAT_LAT_FIRST,		/* publish to write, ms: STATS_LAT buckets, */
	STAT_LAT_LAST = STAT_LAT_FIRST + 11,	/* up to stats_lat_ms[] */
	STAT_LAT_COUNT,		/* ... every message timed */
	STAT_LAT_SUM,		/* ... their sum, ms */
	STAT_EPOCH,		/* the worker's history epoch (internal) */
	STAT_REDIS_UP,		/* cluster: the worker's Redis link is up, 0/1 */
	STAT_REDIS_IN,		/* cluster: messages received from Redis */
	STAT_REDIS_OUT,		/* cluster: messages published through it */
	STAT_REDIS_RECONNECTS,	/* cluster: links made again after a loss */
	STAT_REDIS_LOST,	/* cluster: publishes refused or unanswered */
	STAT_COUNT
};

#define STATS_LAT	12	/* latency buckets before +Inf */

/* The upper bounds of the latency buckets, ms. */
extern const uint32_t stats_lat_ms[STATS_LAT];

struct stats_slot {
	uint64_t	 ss_v[STAT_COUNT];
} __attribute__((aligned(64)));

struct stats_shm {
	int64_t		 sh_conns;	/* connections held against the cap */
	uint32_t	 sh_workers;	/* slots in sh_slot */
	uint32_t	 sh_cluster;	/* 1: show the cluster's counters */
	struct stats_slot sh_slot[] __attribute__((aligned(64)));
};

/* Map the shared block for n workers.  Returns it, or NULL with errno. */
struct stats_shm *stats_map(uint32_t);

/*
 * Add v to one counter of a slot.  Only the slot's owner writes it, so a
 * relaxed load and store suffice (no locked instruction per chunk).
 */
static inline void
stats_add(struct stats_slot *s, int id, int64_t v)
{
	__atomic_store_n(&s->ss_v[id],
	    __atomic_load_n(&s->ss_v[id], __ATOMIC_RELAXED) + v,
	    __ATOMIC_RELAXED);
}

/* Set a gauge of a slot (its owner only, as stats_add). */
static inline void
stats_set(struct stats_slot *s, int id, uint64_t v)
{
	__atomic_store_n(&s->ss_v[id], v, __ATOMIC_RELAXED);
}

/* A counter of a slot, as last written. */
static inline uint64_t
stats_get(const struct stats_slot *s, int id)
{
	return __atomic_load_n(&s->ss_v[id], __ATOMIC_RELAXED);
}

/* Count one publish-to-write time of ms in slot s's histogram. */
void		 stats_lat(struct stats_slot *, uint64_t);

/*
 * Take one place under the cap of max connections.  Returns 1 if taken,
 * 0 if the cap is reached.
 */
int		 stats_cap_take(struct stats_shm *, int64_t);

/* Give back n places under the cap. */
void		 stats_cap_put(struct stats_shm *, int64_t);

/*
 * A worker died: its open connections and its history are gone.  Move
 * its active count into closed, zero its gauges and give its capped
 * places back, so /stats stays right.
 */
void		 stats_fold(struct stats_shm *, uint32_t);

/*
 * Format "name value" lines summed over all slots into buf (redis_up is
 * the least over them: 1 only when every worker's link is up; the
 * cluster's lines only when sh_cluster is set).  Returns the length,
 * truncated to size - 1 like snprintf.
 */
size_t		 stats_format(const struct stats_shm *, char *, size_t);

#endif
