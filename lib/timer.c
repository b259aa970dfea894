/*
 * timer.c: sorted-by-construction FIFO timeout lists (see timer.h).
 * The method is libev's "be smart about timeouts", number 4: one list
 * per timeout value, append on activity, expire from the head.
 */
#include "timer.h"

static struct timer_link *
timer_link(const struct timer_list *tq, uint32_t idx)
{
	return (struct timer_link *)(tq->tq_base + (size_t)idx *
	    tq->tq_stride);
}

void
timer_init(struct timer_list *tq, void *base, size_t stride)
{
	tq->tq_head = tq->tq_tail = TIMER_NONE;
	tq->tq_count = 0;
	tq->tq_base = base;
	tq->tq_stride = stride;
}

void
timer_append(struct timer_list *tq, uint32_t idx, uint32_t due)
{
	struct timer_link *l = timer_link(tq, idx), *t;

	l->tl_next = TIMER_NONE;
	l->tl_prev = tq->tq_tail;
	if (tq->tq_tail == TIMER_NONE) {
		tq->tq_head = idx;
	} else {
		t = timer_link(tq, tq->tq_tail);
		if (TIMER_BEFORE(due, t->tl_due))
			due = t->tl_due;
		t->tl_next = idx;
	}
	l->tl_due = due;
	tq->tq_tail = idx;
	tq->tq_count++;
}

void
timer_remove(struct timer_list *tq, uint32_t idx)
{
	struct timer_link *l = timer_link(tq, idx);

	if (l->tl_prev == TIMER_NONE)
		tq->tq_head = l->tl_next;
	else
		timer_link(tq, l->tl_prev)->tl_next = l->tl_next;
	if (l->tl_next == TIMER_NONE)
		tq->tq_tail = l->tl_prev;
	else
		timer_link(tq, l->tl_next)->tl_prev = l->tl_prev;
	l->tl_next = l->tl_prev = TIMER_NONE;
	tq->tq_count--;
}

uint32_t
timer_expired(const struct timer_list *tq, uint32_t now)
{
	if (tq->tq_head == TIMER_NONE ||
	    TIMER_BEFORE(now, timer_link(tq, tq->tq_head)->tl_due))
		return TIMER_NONE;
	return tq->tq_head;
}

int
timer_wait(const struct timer_list *tq, uint32_t now)
{
	uint32_t due;

	if (tq->tq_head == TIMER_NONE)
		return -1;
	due = timer_link(tq, tq->tq_head)->tl_due;
	if (!TIMER_BEFORE(now, due))
		return 0;
	return (int)(due - now);
}

uint32_t
timer_due(const struct timer_list *tq, uint32_t idx)
{
	return timer_link(tq, idx)->tl_due;
}
