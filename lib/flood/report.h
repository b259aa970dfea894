/*
 * report.h: the lines cometflood prints while it runs, formatted into
 * the caller's buffer (lib prints nothing): "Stats: {Active,Closed,
 * Chunks}" as the mochiweb article's floodtest did, or tab-separated
 * rows, and the summary lines at the end.
 */
#ifndef COMET_REPORT_H
#define COMET_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "flood.h"
#include "hist.h"

/* Counts as of one report line. */
struct report_snap {
	uint64_t	rn_t;		/* ms, monotonic */
	uint64_t	rn_conn;	/* connections that became active */
	uint64_t	rn_chunks;	/* chunks, events or messages */
};

#define REPORT_WHY_N	64	/* reasons told apart over all workers */

/* One reason over all workers, as last reported. */
struct report_why {
	char		wy_text[FLOOD_WHY_LEN];
	char		wy_url[FLOOD_URL_LEN];
	uint64_t	wy_total;	/* summed now */
	uint64_t	wy_shown;	/* the count last reported */
};

struct report {
	uint64_t	rt_t0;		/* ms, monotonic: the start */
	uint64_t	rt_every;	/* ms between lines */
	int		rt_tsv;		/* rows, not Stats lines */
	int		rt_rate;	/* Stats lines show conn/s */
	struct report_snap rt_snap[2];	/* the last two lines, oldest first */
	struct hist	rt_lat;		/* st_lat_us as of the last line */
	struct report_why rt_why[REPORT_WHY_N];	/* the last is "other" */
	unsigned	rt_nwhy;
};

/*
 * Start reporting at t0 (ms, monotonic) every every ms; tsv picks rows
 * over Stats lines, rate adds the connect rate to Stats lines.
 */
void	report_init(struct report *, uint64_t, uint64_t, int, int);

/*
 * Write the tsv header line (with its newline) into buf[0..size), or
 * nothing for Stats lines.  Returns the length written (0 for none), or
 * -1 if it does not fit.
 */
int	report_header(const struct report *, char *, size_t);

/*
 * Write the line for the sums s at now (ms, monotonic) into
 * buf[0..size), newline included; tsv rows need s's latency histogram
 * (POOL_LAT), and their latency columns are over the samples since the
 * last line.  Rates are over the time since the last line; with final
 * (the line printed at the end) they are over the whole report period
 * that ends at now, interpolated between the lines
 * before, or over the whole run if it was shorter: a last period cut
 * short would show a false spike.  Returns the length, or -1 if it does
 * not fit.
 */
int	report_line(struct report *, uint64_t, const struct flood_stats *,
	    int, char *, size_t);

/*
 * Write a summary line for histogram h in ms, scale being the factor
 * from its unit to ms (0.001 for µs: two decimals; 1 for ms: none):
 * "summary NAME p50 p99 p999 max count", tab-separated, "-" for the
 * quantiles of an empty one.  Returns the length, or -1 if it does not
 * fit.
 */
int	report_summary(const char *, const struct hist *, double, char *,
	    size_t);

/*
 * Sum the Closed reasons of the n workers' stats st[0..n) (while they
 * run or after) and write, for each reason whose count grew since the
 * last call, "Closed: REASON: COUNT (e.g. URL)\n" into buf[0..size),
 * COUNT being the total so far and URL one example.  Returns the length
 * written, 0 for none; lines that do not fit wait for the next call.
 */
int	report_closed(struct report *, const struct flood_stats *, int,
	    char *, size_t);

#endif
