/*
 * ep_metrics.c: /metrics for Prometheus.  Values are read from every
 * worker's slot of the shared counters as they are, like /stats: a
 * scrape is a moment, not a transaction.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ep_metrics.h"
#include "respond.h"
#include "server.h"
#include "stats.h"

/* A counter as a metric; a family of several shares its name. */
struct metric {
	int		 mt_id;		/* STAT_* */
	const char	*mt_name;
	const char	*mt_type;	/* "counter" or "gauge" */
	const char	*mt_label;	/* a label besides worker, or NULL */
	const char	*mt_help;
};

static const struct metric metrics[] = {
	{ STAT_ACTIVE, "cometd_connections_active", "gauge", NULL,
	    "Connections open now, the scrape's included." },
	{ STAT_ACCEPTED, "cometd_connections_accepted_total", "counter", NULL,
	    "Connections accepted." },
	{ STAT_CLOSED, "cometd_connections_closed_total", "counter", NULL,
	    "Connections closed." },
	{ STAT_STREAMS_CHUNKED, "cometd_streams", "gauge",
	    "transport=\"chunked\"", "Streams open now, by wire format." },
	{ STAT_STREAMS_HTTP10, "cometd_streams", "gauge",
	    "transport=\"http10\"", NULL },
	{ STAT_STREAMS_SSE, "cometd_streams", "gauge", "transport=\"sse\"",
	    NULL },
	{ STAT_STREAMS_SSE10, "cometd_streams", "gauge",
	    "transport=\"sse10\"", NULL },
	{ STAT_STREAMS_POLL, "cometd_streams", "gauge", "transport=\"poll\"",
	    NULL },
	{ STAT_STREAMS_WS, "cometd_streams", "gauge", "transport=\"ws\"",
	    NULL },
	{ STAT_CHUNKS, "cometd_chunks_total", "counter", NULL,
	    "Chunks, events and frames written: welcomes, periodic, messages." },
	{ STAT_BYTES_OUT, "cometd_sent_bytes_total", "counter", NULL,
	    "Bytes written to clients, heads included." },
	{ STAT_DROPPED_SLOW, "cometd_dropped_slow_total", "counter", NULL,
	    "Connections closed because their output stayed blocked." },
	{ STAT_REJECTED, "cometd_rejected_total", "counter", NULL,
	    "Connections answered 503: over -m, or out of descriptors." },
	{ STAT_TIMEOUTS, "cometd_timeouts_total", "counter", NULL,
	    "Connections closed by a timeout: request, pong, held frame." },
	{ STAT_BAD_REQUESTS, "cometd_bad_requests_total", "counter", NULL,
	    "Malformed requests refused." },
	{ STAT_MESSAGES_IN, "cometd_messages_published_total", "counter",
	    NULL, "Messages published on this worker." },
	{ STAT_DELIVERIES, "cometd_deliveries_total", "counter", NULL,
	    "Messages written or queued, one per stream reached." },
	{ STAT_NO_SUBSCRIBER, "cometd_no_subscriber_total", "counter", NULL,
	    "Messages that reached no stream." },
	{ STAT_HANDOFFS, "cometd_handoffs_total", "counter", NULL,
	    "Streams passed to the worker owning their Id." },
	{ STAT_RESUMES, "cometd_resumes_total", "counter", NULL,
	    "Streams and long-polls that asked to resume from an id." },
	{ STAT_RESUMES_LOST, "cometd_resumes_lost_total", "counter", NULL,
	    "Resumes told that messages were lost." },
	{ STAT_REPLAYED, "cometd_replayed_total", "counter", NULL,
	    "Messages written again from the history." },
	{ STAT_HISTORY_MSGS, "cometd_history_messages", "gauge", NULL,
	    "Messages the history keeps now." },
	{ STAT_HISTORY_BYTES, "cometd_history_bytes", "gauge", NULL,
	    "Bytes the history counts against -c now." },
	{ STAT_HISTORY_EVICTED, "cometd_history_evicted_total", "counter",
	    NULL, "Messages dropped from the history." },
	{ STAT_QUEUED, "cometd_queued_messages", "gauge", NULL,
	    "Messages and chunks waiting in streams' queues now." },
	{ STAT_AUTH_401, "cometd_auth_failed_total", "counter", NULL,
	    "Requests answered 401: no token, or an invalid one." },
	{ STAT_AUTH_403, "cometd_auth_forbidden_total", "counter", NULL,
	    "Requests answered 403 for their token." },
};

/* With -r only: the workers' links to Redis. */
static const struct metric cluster_metrics[] = {
	{ STAT_REDIS_UP, "cometd_redis_up", "gauge", NULL,
	    "1 while the worker's link to Redis is up." },
	{ STAT_REDIS_IN, "cometd_redis_received_total", "counter", NULL,
	    "Messages received from Redis." },
	{ STAT_REDIS_OUT, "cometd_redis_published_total", "counter", NULL,
	    "Messages published through Redis." },
	{ STAT_REDIS_RECONNECTS, "cometd_redis_reconnects_total", "counter",
	    NULL, "Links to Redis made again after a loss." },
	{ STAT_REDIS_LOST, "cometd_redis_lost_publishes_total", "counter",
	    NULL, "Publishes refused or unanswered for want of Redis." },
};

/* A growing answer; mb_buf NULL once memory ran out. */
struct mbuf {
	char		*mb_buf;
	size_t		 mb_len;
	size_t		 mb_cap;
};

static void __attribute__((format(printf, 2, 3)))
put(struct mbuf *m, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	if (m->mb_buf == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->mb_buf + m->mb_len, m->mb_cap - m->mb_len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < m->mb_cap - m->mb_len) {
		m->mb_len += n;
		return;
	}
	m->mb_cap = (m->mb_cap + n) * 2;
	if ((p = realloc(m->mb_buf, m->mb_cap)) == NULL) {
		free(m->mb_buf);
		m->mb_buf = NULL;
		return;
	}
	m->mb_buf = p;
	va_start(ap, fmt);
	m->mb_len += vsnprintf(m->mb_buf + m->mb_len, m->mb_cap - m->mb_len,
	    fmt, ap);
	va_end(ap);
}

/* One metric's samples, one per worker, after its HELP and TYPE. */
static void
put_metric(struct mbuf *m, const struct stats_shm *sh, const struct metric *mt)
{
	uint32_t w;

	if (mt->mt_help != NULL)
		put(m, "# HELP %s %s\n# TYPE %s %s\n", mt->mt_name,
		    mt->mt_help, mt->mt_name, mt->mt_type);
	for (w = 0; w < sh->sh_workers; w++)
		put(m, "%s{worker=\"%u\"%s%s} %llu\n", mt->mt_name, w,
		    mt->mt_label ? "," : "", mt->mt_label ? mt->mt_label : "",
		    (unsigned long long)stats_get(&sh->sh_slot[w], mt->mt_id));
}

/* The publish-to-write histogram, buckets cumulative as Prometheus wants. */
static void
put_latency(struct mbuf *m, const struct stats_shm *sh)
{
	static const char name[] = "cometd_publish_to_write_seconds";
	const struct stats_slot *s;
	unsigned long long sum;
	uint32_t w;
	int i;

	put(m, "# HELP %s Time from a message's arrival at its Id's owner "
	    "to the write of its last byte, live messages only.\n"
	    "# TYPE %s histogram\n", name, name);
	for (w = 0; w < sh->sh_workers; w++) {
		s = &sh->sh_slot[w];
		for (i = 0, sum = 0; i < STATS_LAT; i++) {
			sum += stats_get(s, STAT_LAT_FIRST + i);
			put(m, "%s_bucket{worker=\"%u\",le=\"%g\"} %llu\n", name,
			    w, stats_lat_ms[i] / 1000.0, sum);
		}
		put(m, "%s_bucket{worker=\"%u\",le=\"+Inf\"} %llu\n", name, w,
		    (unsigned long long)stats_get(s, STAT_LAT_COUNT));
		put(m, "%s_sum{worker=\"%u\"} %.3f\n", name, w,
		    stats_get(s, STAT_LAT_SUM) / 1000.0);
		put(m, "%s_count{worker=\"%u\"} %llu\n", name, w,
		    (unsigned long long)stats_get(s, STAT_LAT_COUNT));
	}
}

int
ep_metrics_get(struct server *s, int fd, struct url_req *u)
{
	const struct stats_shm *sh = s->s_conf->sc_stats;
	struct mbuf m = { NULL, 0, 16384 };
	size_t i;
	int rc;

	if ((m.mb_buf = malloc(m.mb_cap)) == NULL)
		return 503;
	put(&m, "# HELP cometd_workers Worker processes.\n"
	    "# TYPE cometd_workers gauge\ncometd_workers %u\n",
	    sh->sh_workers);
	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		put_metric(&m, sh, &metrics[i]);
	for (i = 0; sh->sh_cluster &&
	    i < sizeof(cluster_metrics) / sizeof(cluster_metrics[0]); i++)
		put_metric(&m, sh, &cluster_metrics[i]);
	put_latency(&m, sh);
	if (m.mb_buf == NULL)
		return 503;
	rc = respond(s, fd, 200, NULL, m.mb_buf, m.mb_len,
	    u->ur_flags | RESPOND_METRICS);
	free(m.mb_buf);
	return rc;
}
