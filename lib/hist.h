/* hist.h: fixed-size, mergeable latency histograms. */
#ifndef COMET_HIST_H
#define COMET_HIST_H

#include <stdint.h>

#define HIST_SUB	32		/* buckets per power of two: ~3% */
#define HIST_SHIFTS	36		/* values up to 2^41 */
#define HIST_N		(HIST_SUB * (HIST_SHIFTS + 2))

struct hist {
	uint64_t	h_count;	/* samples */
	uint64_t	h_max;		/* largest sample, exact */
	uint64_t	h_bin[HIST_N];	/* samples per bucket */
};

/* Count one sample.  Values too large land in the last bucket. */
void		hist_add(struct hist *, uint64_t);

/* Add the samples of src to dst. */
void		hist_merge(struct hist *, const struct hist *);

/*
 * dst = a - b, for b an earlier state of a: the samples added between
 * them.  The maximum is the top of the highest bucket left (a bucket's
 * middle value, so within its ~3%), never above a's exact one.
 */
void		hist_sub(struct hist *, const struct hist *,
		    const struct hist *);

/*
 * Returns the value below which a fraction q (0..1) of the samples lie,
 * within the bucket precision and never above the exact maximum; 0 for
 * an empty histogram.
 */
uint64_t	hist_quantile(const struct hist *, double);

#endif
