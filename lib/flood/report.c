/*
 * report.c: report lines.  Every rate is a difference of counters the
 * workers keep in shared memory, divided by the time between two lines
 * of the parent's clock.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"

void
report_init(struct report *rp, uint64_t t0, uint64_t every, int tsv,
    int rate)
{
	memset(rp, 0, sizeof(*rp));
	rp->rt_t0 = t0;
	rp->rt_every = every;
	rp->rt_tsv = tsv;
	rp->rt_rate = rate;
	rp->rt_snap[0].rn_t = rp->rt_snap[1].rn_t = t0;
}

int
report_header(const struct report *rp, char *buf, size_t size)
{
	int n;

	if (!rp->rt_tsv)
		return 0;
	n = snprintf(buf, size, "time\tactive\tclosed\tchunks\tbytes\tconn_s\t"
	    "chunks_s\tstamps\tstamps_cut\tlat_p50_ms\tlat_p99_ms\t"
	    "lat_p999_ms\tlat_max_ms\n");
	return n < 0 || (size_t)n >= size ? -1 : n;
}

/*
 * The count of one counter (an offset into struct report_snap) at time
 * t, interpolated between the two snapshots, or the first one's before
 * it.
 */
static double
report_at(const struct report *rp, size_t off, uint64_t t)
{
	const struct report_snap *a = &rp->rt_snap[0], *b = &rp->rt_snap[1];
	uint64_t ca, cb;

	memcpy(&ca, (const char *)a + off, sizeof(ca));
	memcpy(&cb, (const char *)b + off, sizeof(cb));
	if (t <= a->rn_t || b->rn_t <= a->rn_t)
		return (double)ca;
	if (t >= b->rn_t)
		return (double)cb;
	return ca + (double)(cb - ca) * (t - a->rn_t) / (b->rn_t - a->rn_t);
}

/* Per second of one counter, now at value v; see report_line. */
static double
report_rate(const struct report *rp, size_t off, uint64_t now, uint64_t v,
    int final)
{
	const struct report_snap *a = &rp->rt_snap[0], *b = &rp->rt_snap[1];
	uint64_t from;

	if (!final || now - b->rn_t >= rp->rt_every)
		from = b->rn_t;
	else if (now - a->rn_t < rp->rt_every)
		from = a->rn_t;		/* the run is that short */
	else
		from = now - rp->rt_every;
	if (now <= from)
		return 0;
	return (v - report_at(rp, off, from)) * 1000.0 / (now - from);
}

/* The latency columns of a row: the samples since the last one. */
static int
report_lat(struct report *rp, const struct hist *cum, char *buf, size_t size)
{
	struct hist h;
	int n;

	hist_sub(&h, cum, &rp->rt_lat);
	rp->rt_lat = *cum;
	if (h.h_count == 0)
		n = snprintf(buf, size, "-\t-\t-\t-");
	else
		n = snprintf(buf, size, "%.2f\t%.2f\t%.2f\t%.2f",
		    hist_quantile(&h, 0.50) / 1000.0,
		    hist_quantile(&h, 0.99) / 1000.0,
		    hist_quantile(&h, 0.999) / 1000.0, h.h_max / 1000.0);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

int
report_line(struct report *rp, uint64_t now, const struct flood_stats *s,
    int final, char *buf, size_t size)
{
	double cs, ks, t = (now - rp->rt_t0) / 1000.0;
	char lat[96];
	int n;

	cs = report_rate(rp, offsetof(struct report_snap, rn_conn), now,
	    s->st_connects, final);
	ks = report_rate(rp, offsetof(struct report_snap, rn_chunks), now,
	    s->st_chunks, final);
	if (rp->rt_tsv && report_lat(rp, &s->st_lat_us, lat, sizeof(lat)) < 0)
		return -1;
	if (rp->rt_tsv)
		n = snprintf(buf, size, "%.3f\t%llu\t%llu\t%llu\t%llu\t%.1f\t"
		    "%.1f\t%llu\t%llu\t%s\n", t,
		    (unsigned long long)s->st_active,
		    (unsigned long long)s->st_closed,
		    (unsigned long long)s->st_chunks,
		    (unsigned long long)s->st_bytes, cs, ks,
		    (unsigned long long)s->st_lat_us.h_count,
		    (unsigned long long)s->st_cut, lat);
	else if (rp->rt_rate)
		n = snprintf(buf, size, "Stats: {%llu,%llu,%llu} %.1f conn/s\n",
		    (unsigned long long)s->st_active,
		    (unsigned long long)s->st_closed,
		    (unsigned long long)s->st_chunks, cs);
	else
		n = snprintf(buf, size, "Stats: {%llu,%llu,%llu}\n",
		    (unsigned long long)s->st_active,
		    (unsigned long long)s->st_closed,
		    (unsigned long long)s->st_chunks);
	if (!final) {
		rp->rt_snap[0] = rp->rt_snap[1];
		rp->rt_snap[1].rn_t = now;
		rp->rt_snap[1].rn_conn = s->st_connects;
		rp->rt_snap[1].rn_chunks = s->st_chunks;
	}
	return n < 0 || (size_t)n >= size ? -1 : n;
}

int
report_summary(const char *name, const struct hist *h, double scale,
    char *buf, size_t size)
{
	int n, d = scale < 1 ? 2 : 0;	/* ms counted in µs, or in ms */

	if (h->h_count == 0)
		n = snprintf(buf, size, "summary\t%s\t-\t-\t-\t-\t0\n", name);
	else
		n = snprintf(buf, size, "summary\t%s\t%.*f\t%.*f\t%.*f\t%.*f\t"
		    "%llu\n", name, d, hist_quantile(h, 0.50) * scale,
		    d, hist_quantile(h, 0.99) * scale,
		    d, hist_quantile(h, 0.999) * scale, d, h->h_max * scale,
		    (unsigned long long)h->h_count);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* The entry for reason text, added if new (the last one is "other"). */
static struct report_why *
report_why(struct report *rp, const char *text, const char *url)
{
	struct report_why *w;
	unsigned i;

	for (i = 0; i < rp->rt_nwhy; i++)
		if (strcmp(rp->rt_why[i].wy_text, text) == 0)
			return &rp->rt_why[i];
	if (rp->rt_nwhy == REPORT_WHY_N - 1)
		text = "other";
	if (rp->rt_nwhy == REPORT_WHY_N)
		return &rp->rt_why[REPORT_WHY_N - 1];
	w = &rp->rt_why[rp->rt_nwhy++];
	snprintf(w->wy_text, sizeof(w->wy_text), "%s", text);
	snprintf(w->wy_url, sizeof(w->wy_url), "%s", url);
	return w;
}

int
report_closed(struct report *rp, const struct flood_stats *st, int n,
    char *buf, size_t size)
{
	const struct flood_why *fw;
	struct report_why *w;
	uint32_t i, k;
	size_t off = 0;
	int m;

	for (i = 0; i < rp->rt_nwhy; i++)
		rp->rt_why[i].wy_total = 0;
	for (; n-- > 0; st++) {
		k = __atomic_load_n(&st->st_nwhy, __ATOMIC_ACQUIRE);
		for (i = 0; i < k && i < FLOOD_WHY_N; i++) {
			fw = &st->st_why[i];
			w = report_why(rp, fw->fw_text, fw->fw_url);
			w->wy_total += __atomic_load_n(&fw->fw_count,
			    __ATOMIC_RELAXED);
		}
	}
	for (i = 0; i < rp->rt_nwhy; i++) {
		w = &rp->rt_why[i];
		if (w->wy_total <= w->wy_shown)
			continue;
		m = snprintf(buf + off, size - off, "Closed: %s: %llu (e.g. "
		    "%s)\n", w->wy_text, (unsigned long long)w->wy_total,
		    w->wy_url);
		if (m < 0 || (size_t)m >= size - off)
			break;
		off += m;
		w->wy_shown = w->wy_total;
	}
	return (int)off;
}
