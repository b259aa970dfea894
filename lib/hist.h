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

void		hist_add(struct hist *, uint64_t);
void		hist_merge(struct hist *, const struct hist *);
void		hist_sub(struct hist *, const struct hist *,
		    const struct hist *);
uint64_t	hist_quantile(const struct hist *, double);

#endif
