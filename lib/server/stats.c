/*
 * stats.c: the shared counters behind /stats and the -m cap.
 */
#include <sys/mman.h>

#include <inttypes.h>
#include <stdio.h>

#include "stats.h"

static const char *stats_names[STAT_COUNT] = {
	[STAT_ACTIVE] = "active",
	[STAT_ACCEPTED] = "accepted",
	[STAT_CLOSED] = "closed",
	[STAT_CHUNKS] = "chunks",
	[STAT_BYTES_OUT] = "bytes_out",
	[STAT_DROPPED_SLOW] = "dropped_slow",
	[STAT_REJECTED] = "rejected",
	[STAT_TIMEOUTS] = "timeouts",
	[STAT_BAD_REQUESTS] = "bad_requests",
	[STAT_MESSAGES_IN] = "messages_in",
	[STAT_DELIVERIES] = "deliveries",
	[STAT_NO_SUBSCRIBER] = "no_subscriber",
	[STAT_HANDOFFS] = "handoffs",
	[STAT_STREAMS_CHUNKED] = "streams_chunked",
	[STAT_STREAMS_HTTP10] = "streams_http10",
	[STAT_STREAMS_SSE] = "streams_sse",
	[STAT_STREAMS_SSE10] = "streams_sse10",
	[STAT_STREAMS_POLL] = "streams_poll",
	[STAT_STREAMS_WS] = "streams_ws",
	[STAT_RESUMES] = "resumes",
	[STAT_RESUMES_LOST] = "resumes_lost",
	[STAT_REPLAYED] = "replayed",
	[STAT_HISTORY_MSGS] = "history_messages",
	[STAT_HISTORY_BYTES] = "history_bytes",
	[STAT_HISTORY_EVICTED] = "history_evicted",
	[STAT_AUTH_401] = "auth_failed",
	[STAT_AUTH_403] = "auth_forbidden",
	[STAT_QUEUED] = "queued",
	[STAT_REDIS_UP] = "redis_up",
	[STAT_REDIS_IN] = "redis_in",
	[STAT_REDIS_OUT] = "redis_out",
	[STAT_REDIS_RECONNECTS] = "redis_reconnects",
	[STAT_REDIS_LOST] = "redis_lost_publishes",
	[STAT_CAPPED] = NULL,		/* internal */
	[STAT_EPOCH] = NULL,		/* internal */
};

const uint32_t stats_lat_ms[STATS_LAT] = {
	1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000
};

_Static_assert(STAT_LAT_LAST - STAT_LAT_FIRST + 1 == STATS_LAT,
    "one counter per latency bucket");

void
stats_lat(struct stats_slot *s, uint64_t ms)
{
	int i;

	for (i = 0; i < STATS_LAT && ms > stats_lat_ms[i]; i++)
		;
	if (i < STATS_LAT)
		stats_add(s, STAT_LAT_FIRST + i, 1);
	stats_add(s, STAT_LAT_COUNT, 1);
	stats_add(s, STAT_LAT_SUM, (int64_t)ms);
}

struct stats_shm *
stats_map(uint32_t n)
{
	struct stats_shm *sh;
	size_t len;

	len = sizeof(*sh) + (size_t)n * sizeof(struct stats_slot);
	sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (sh == MAP_FAILED)
		return NULL;
	sh->sh_workers = n;
	return sh;
}

int
stats_cap_take(struct stats_shm *sh, int64_t max)
{
	if (__atomic_add_fetch(&sh->sh_conns, 1, __ATOMIC_RELAXED) <= max)
		return 1;
	__atomic_sub_fetch(&sh->sh_conns, 1, __ATOMIC_RELAXED);
	return 0;
}

void
stats_cap_put(struct stats_shm *sh, int64_t n)
{
	__atomic_sub_fetch(&sh->sh_conns, n, __ATOMIC_RELAXED);
}

void
stats_fold(struct stats_shm *sh, uint32_t w)
{
	static const int gauges[] = { STAT_STREAMS_CHUNKED,
	    STAT_STREAMS_HTTP10, STAT_STREAMS_SSE, STAT_STREAMS_SSE10,
	    STAT_STREAMS_POLL, STAT_STREAMS_WS, STAT_HISTORY_MSGS,
	    STAT_HISTORY_BYTES, STAT_QUEUED, STAT_REDIS_UP };
	struct stats_slot *s = &sh->sh_slot[w];
	uint64_t active, capped;
	size_t i;

	active = stats_get(s, STAT_ACTIVE);
	capped = stats_get(s, STAT_CAPPED);
	stats_add(s, STAT_CLOSED, active);
	stats_add(s, STAT_ACTIVE, -(int64_t)active);
	stats_add(s, STAT_CAPPED, -(int64_t)capped);
	stats_cap_put(sh, capped);
	for (i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		stats_set(s, gauges[i], 0);
}

/* Counter id over all slots: the sum, or for redis_up the least. */
static uint64_t
stats_sum(const struct stats_shm *sh, int id)
{
	uint64_t v, sum = 0;
	uint32_t w;

	for (w = 0; w < sh->sh_workers; w++) {
		v = __atomic_load_n(&sh->sh_slot[w].ss_v[id], __ATOMIC_RELAXED);
		if (id == STAT_REDIS_UP && (w == 0 || v < sum))
			sum = v;
		else if (id != STAT_REDIS_UP)
			sum += v;
	}
	return sum;
}

size_t
stats_format(const struct stats_shm *sh, char *buf, size_t size)
{
	uint64_t sum;
	size_t len = 0;
	int id, n;

	for (id = 0; id < STAT_COUNT; id++) {
		if (stats_names[id] == NULL ||
		    (id >= STAT_REDIS_UP && id <= STAT_REDIS_LOST &&
		    !sh->sh_cluster))
			continue;
		sum = stats_sum(sh, id);
		n = snprintf(buf + len, size - len, "%s %" PRIu64 "\n",
		    stats_names[id], sum);
		if (n < 0 || (size_t)n >= size - len)
			return size > 0 ? size - 1 : 0;
		len += n;
		if (id == STAT_BYTES_OUT) {
			n = snprintf(buf + len, size - len, "workers %u\n",
			    sh->sh_workers);
			if (n < 0 || (size_t)n >= size - len)
				return size - 1;
			len += n;
		}
	}
	return len;
}
