/*
 * outq.h: a streaming connection's pending messages: queued (outq_queue)
 * and written in as few writev calls as the kernel allows (outq_flush),
 * or written at once and queued only if refused (outq_send).
 *
 * A message chunk is "Recvd msg #N: '<body>'\n" (chunk-framed unless the
 * client spoke HTTP/1.0).  It goes out with one writev of a per-connection
 * prefix, the shared body and a fixed suffix, so the body is never copied.
 * Only what the kernel refuses is remembered, as (blob reference, N,
 * offset) entries; an idle connection has no queue at all.  The periodic
 * "Chunk N for id <Id>\n" can go through the same queue (blob NULL), so
 * that nothing ever overtakes a half-written chunk.
 */
#ifndef COMET_OUTQ_H
#define COMET_OUTQ_H

#include <stddef.h>
#include <stdint.h>

#include "blob.h"

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

/* How a connection frames its chunks. */
struct outq_frame {
	int		 of_chunked;	/* 0: HTTP/1.0, raw bytes */
	const char	*of_id;		/* for "Chunk N for id <Id>" */
	size_t		 of_idlen;
};

enum outq_result {
	OUTQ_DONE,	/* everything is on the wire: no EPOLLOUT needed */
	OUTQ_QUEUED,	/* some bytes wait: wait for EPOLLOUT, outq_flush */
	OUTQ_FULL,	/* the queue is at its bound: drop the connection */
	OUTQ_ERROR	/* write failed (errno): close the connection */
};

/* Longest framed text besides the body: prefix and suffix, or a Chunk line. */
#define OUTQ_FRAME_MAX	(64 + 512)

/*
 * Write the chunk (b, n) to fd, or queue it behind what *qp already holds
 * (allocating *qp on first need) when fd would block.  b may be NULL for
 * the periodic line; a queued b gains a reference.  max bounds the queued
 * entries.  Bytes written are added to *nw.  Returns an enum outq_result.
 */
int	outq_send(struct outq **, int, const struct outq_frame *,
	    struct blob *, uint32_t, uint32_t, uint64_t *);

/*
 * Queue chunk (b, n) without trying to write: for a connection whose
 * output already waits elsewhere.  Returns OUTQ_QUEUED, OUTQ_FULL or
 * OUTQ_ERROR (no memory).
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
