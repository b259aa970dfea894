/*
 * hist.c: log-linear histograms, as in HdrHistogram but fixed at ~3%
 * precision.  Values below 64 are exact; above, each power of two is
 * cut into 32 buckets.  A histogram is a flat array of counters, so
 * flood workers can fill theirs in shared memory and the parent merges
 * them by adding arrays.
 */
#include "hist.h"

/* Bucket of v: exact below 2 * HIST_SUB, then 32 per power of two. */
static unsigned
hist_index(uint64_t v)
{
	unsigned msb, shift;

	if (v < 2 * HIST_SUB)
		return (unsigned)v;
	msb = 63 - __builtin_clzll(v);
	shift = msb - 5;
	if (shift > HIST_SHIFTS)
		return HIST_N - 1;
	return shift * HIST_SUB + (unsigned)(v >> shift);
}

/* The middle of bucket i, the value a quantile in it is reported as. */
static uint64_t
hist_value(unsigned i)
{
	unsigned shift;
	uint64_t lo;

	if (i < 2 * HIST_SUB)
		return i;
	shift = i / HIST_SUB - 1;
	lo = (uint64_t)(i - shift * HIST_SUB) << shift;
	return lo + ((1ULL << shift) - 1) / 2;
}

void
hist_add(struct hist *h, uint64_t v)
{
	h->h_bin[hist_index(v)]++;
	h->h_count++;
	if (v > h->h_max)
		h->h_max = v;
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned i;

	for (i = 0; i < HIST_N; i++)
		dst->h_bin[i] += src->h_bin[i];
	dst->h_count += src->h_count;
	if (src->h_max > dst->h_max)
		dst->h_max = src->h_max;
}

void
hist_sub(struct hist *dst, const struct hist *a, const struct hist *b)
{
	unsigned i, top = 0;

	dst->h_count = 0;
	for (i = 0; i < HIST_N; i++) {
		dst->h_bin[i] = a->h_bin[i] >= b->h_bin[i] ?
		    a->h_bin[i] - b->h_bin[i] : 0;
		dst->h_count += dst->h_bin[i];
		if (dst->h_bin[i])
			top = i;
	}
	dst->h_max = dst->h_count ? hist_value(top) : 0;
	if (dst->h_max > a->h_max)
		dst->h_max = a->h_max;
}

uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0, v;
	unsigned i;

	if (h->h_count == 0)
		return 0;
	rank = (uint64_t)(q * (double)h->h_count + 0.5);
	if (rank < 1)
		rank = 1;
	if (rank > h->h_count)
		rank = h->h_count;
	for (i = 0; i < HIST_N; i++) {
		seen += h->h_bin[i];
		if (seen >= rank)
			break;
	}
	v = hist_value(i < HIST_N ? i : HIST_N - 1);
	return v < h->h_max ? v : h->h_max;
}
