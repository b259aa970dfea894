/*
 * pace.h: spacing the flood's connects in time.  cometflood -w waits a
 * fixed time between opens; -R opens RATE a second over all workers,
 * like tcpkali's --connect-rate.  Both are a due time that moves on by
 * one gap per connect; a flood that fell behind (a slow input, a busy
 * machine) may catch up by at most the slack, never more, so the rate
 * over any stretch stays at or under the one asked for (plus the
 * slack's worth).
 */
#ifndef COMET_PACE_H
#define COMET_PACE_H

#include <stdint.h>

struct pace {
	uint64_t	pa_gap;		/* ns between connects; 0: unpaced */
	uint64_t	pa_slack;	/* ns a late connect may catch up */
	uint64_t	pa_due;		/* ns, monotonic: the next may go */
};

/* Space connects gap_ns apart, catching up at most slack_ns. */
void		pace_init(struct pace *, uint64_t, uint64_t);

/*
 * Returns 0 when a connect may go at now (ns, monotonic), otherwise the
 * ns to wait.  Unpaced, always 0.
 */
uint64_t	pace_wait(struct pace *, uint64_t);

/* One connect went: the next is due one gap later. */
void		pace_sent(struct pace *);

#endif
