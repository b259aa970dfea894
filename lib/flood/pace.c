/*
 * pace.c: a due time that advances by the gap.  It starts due at the
 * first question, so a flood whose input comes late does not burst.
 */
#include "pace.h"

void
pace_init(struct pace *pa, uint64_t gap, uint64_t slack)
{
	pa->pa_gap = gap;
	pa->pa_slack = slack;
	pa->pa_due = 0;
}

uint64_t
pace_wait(struct pace *pa, uint64_t now)
{
	if (pa->pa_gap == 0)
		return 0;
	if (pa->pa_due == 0)
		pa->pa_due = now;
	if (now < pa->pa_due)
		return pa->pa_due - now;
	if (now - pa->pa_due > pa->pa_slack)
		pa->pa_due = now - pa->pa_slack;
	return 0;
}

void
pace_sent(struct pace *pa)
{
	pa->pa_due += pa->pa_gap;
}
