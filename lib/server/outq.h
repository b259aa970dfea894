/*
 * outq.h: a stream's pending messages, queued (outq_queue) and written in
 * as few writev calls as the kernel allows (outq_flush).
 *
 * The bytes of a message or periodic chunk come from the stream's format
 * (frame.h): per-connection text around a body that is shared, never
 * copied.  Only what the kernel refuses is remembered, as (blob
 * reference, number, offset) entries; an idle connection has no queue at
 * all.  The periodic chunk can go through the same queue (blob NULL), so
 * nothing ever overtakes a half-written piece.
 */
#ifndef COMET_OUTQ_H
#define COMET_OUTQ_H

#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "frame.h"

struct outq_ent {
	struct blob	*e_blob;	/* NULL: a periodic "Chunk N" line */
	uint32_t	 e_n;		/* the connection's chunk number */
	uint32_t	 e_off;		/* bytes of the framed chunk already sent */
};

struct outq {
	uint32_t	 q_head;	/* index of the oldest entry */
	uint32_t	 q_count;	/* entries queued */
	uint32_t	 q_cap;		/* entries allocated (a power of two) */
	struct outq_ent	 q_ent[];
};

/* Called for each entry written whole: its blob (NULL: a chunk), its n. */
typedef void outq_done_fn(void *, const struct blob *, uint32_t);

/* The stream a queue belongs to: its format and its Id. */
struct outq_frame {
	const struct frame *of_fm;
	const char	*of_id;
	size_t		 of_idlen;
	int		 of_close;	/* the answer ends the connection */
	outq_done_fn	*of_done;	/* or NULL */
	void		*of_arg;
};

/*
 * A piece number with this bit set is written as the number without it;
 * the bit tells of_done that the piece was not live (a replay).
 */
#define OUTQ_REPLAY	0x80000000u

enum outq_result {
	OUTQ_DONE,	/* everything is on the wire: no EPOLLOUT needed */
	OUTQ_QUEUED,	/* some bytes wait: wait for EPOLLOUT, outq_flush */
	OUTQ_FULL,	/* the queue is at its bound: drop the connection */
	OUTQ_ERROR	/* write failed (errno): close the connection */
};

/*
 * Queue the piece (b, n) behind what *qp holds, allocating *qp on first
 * need; b may be NULL for the periodic chunk, and gains a reference.  max
 * bounds the entries.  Returns OUTQ_QUEUED, OUTQ_FULL or OUTQ_ERROR (no
 * memory).
 */
int	outq_queue(struct outq **, struct blob *, uint32_t, uint32_t);

/*
 * Write as much of *qp to fd as the kernel takes, adding the bytes to
 * *nw; when it drains, *qp is freed and set to NULL.  Returns OUTQ_DONE,
 * OUTQ_QUEUED or OUTQ_ERROR.
 */
int	outq_flush(struct outq **, int, const struct outq_frame *,
	    uint64_t *);

/* Bytes the queue would still write (for stats and tests). */
size_t	outq_bytes(const struct outq *, const struct outq_frame *);

/* Drop every entry and free the queue; *qp becomes NULL. */
void	outq_free(struct outq **);

#endif
