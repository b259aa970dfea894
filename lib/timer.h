/*
 * timer.h: O(1) timeout lists.  Every member of a list waits the same
 * span (the chunk interval, the request-head timeout, the stall limit),
 * so appending at now + span keeps the list sorted by due time: insert at
 * the tail, expire from the head, no heap and no per-entry timer object.
 * Entries are elements of one table (the fd-indexed connection table),
 * linked by 32-bit indices through a struct timer_link at the start of
 * each element.
 */
#ifndef COMET_TIMER_H
#define COMET_TIMER_H

#include <stddef.h>
#include <stdint.h>

#define TIMER_NONE	UINT32_MAX

struct timer_link {
	uint32_t	 tl_next;	/* index of the next entry, or TIMER_NONE */
	uint32_t	 tl_prev;	/* index of the previous entry */
	uint32_t	 tl_due;	/* due time, ms on the loop clock */
};

struct timer_list {
	uint32_t	 tq_head;	/* earliest entry, or TIMER_NONE */
	uint32_t	 tq_tail;	/* latest entry */
	uint32_t	 tq_count;	/* entries in the list */
	char		*tq_base;	/* the table the indices refer to */
	size_t		 tq_stride;	/* bytes per table element */
};

/* a before b on a wrapping 32-bit millisecond clock */
#define TIMER_BEFORE(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)

/* Set up an empty list over table base whose elements are stride bytes. */
void		 timer_init(struct timer_list *, void *, size_t);

/*
 * Append entry idx due at due.  A due time earlier than the tail's is
 * raised to the tail's so that the list stays sorted; the caller only
 * ever appends "now + span", so this only absorbs clock skew within
 * one loop pass.
 */
void		 timer_append(struct timer_list *, uint32_t, uint32_t);

/* Unlink entry idx, which must be in this list. */
void		 timer_remove(struct timer_list *, uint32_t);

/*
 * The head entry if it is due at now (not after), else TIMER_NONE.
 * The entry stays in the list.
 */
uint32_t	 timer_expired(const struct timer_list *, uint32_t);

/* Milliseconds from now until the head is due: 0 if due, -1 if empty. */
int		 timer_wait(const struct timer_list *, uint32_t);

/* The due time of entry idx. */
uint32_t	 timer_due(const struct timer_list *, uint32_t);

#endif
