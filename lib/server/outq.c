/*
 * outq.c: a stream's queue of message and chunk pieces.
 *
 * The common case, a client that reads, drains its queue within the loop
 * pass that filled it, with one writev.  The queue grows by doubling up
 * to the bound the caller gives, and is freed as soon as it drains, so
 * memory follows the number of slow readers, not of connections.
 */
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "blob.h"
#include "frame.h"
#include "outq.h"

#define OUTQ_IOV	48	/* iovecs per writev: 16 chunks */

/* The pieces of entry (b, n) as iov[0..3), per-connection bytes in buf. */
static size_t
outq_pieces(const struct outq_frame *f, struct blob *b, uint32_t n,
    char *buf, struct iovec iov[3])
{
	struct frame_ctx x = { .fx_id = f->of_id, .fx_idlen = f->of_idlen,
	    .fx_n = n & ~OUTQ_REPLAY, .fx_close = f->of_close };

	return f->of_fm->fm_piece(iov, buf, &x, b);
}

/* Drop the first off bytes of iov[0..3); returns iovecs still non-empty. */
static int
outq_skip(struct iovec iov[3], size_t off)
{
	int i, k = 0;

	for (i = 0; i < 3; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		iov[k].iov_base = (char *)iov[i].iov_base + off;
		iov[k].iov_len = iov[i].iov_len - off;
		off = 0;
		k++;
	}
	return k;
}

static int
outq_push(struct outq **qp, struct blob *b, uint32_t n, uint32_t off,
    uint32_t max)
{
	struct outq *q = *qp, *nq;
	uint32_t cap, i;

	if (q != NULL && q->q_count >= max)
		return OUTQ_FULL;
	if (q == NULL || q->q_count == q->q_cap) {
		cap = q != NULL ? q->q_cap * 2 : 4;
		if ((nq = malloc(sizeof(*nq) + cap * sizeof(nq->q_ent[0]))) ==
		    NULL)
			return OUTQ_ERROR;
		nq->q_head = 0;
		nq->q_count = q != NULL ? q->q_count : 0;
		nq->q_cap = cap;
		for (i = 0; i < nq->q_count; i++)
			nq->q_ent[i] = q->q_ent[(q->q_head + i) & (q->q_cap - 1)];
		free(q);
		*qp = q = nq;
	}
	i = (q->q_head + q->q_count++) & (q->q_cap - 1);
	q->q_ent[i].e_blob = b != NULL ? blob_ref(b) : NULL;
	q->q_ent[i].e_n = n;
	q->q_ent[i].e_off = off;
	return OUTQ_QUEUED;
}

int
outq_queue(struct outq **qp, struct blob *b, uint32_t n, uint32_t max)
{
	return outq_push(qp, b, n, 0, max);
}

/* Drop the oldest entry. */
static void
outq_pop(struct outq *q)
{
	blob_unref(q->q_ent[q->q_head].e_blob);
	q->q_head = (q->q_head + 1) & (q->q_cap - 1);
	q->q_count--;
}

/*
 * One writev of up to OUTQ_IOV/3 entries; returns bytes written or -1
 * (ENOMEM: a format could not build a piece), and sets *all when that
 * was everything offered.
 */
static ssize_t
outq_write(struct outq *q, int fd, const struct outq_frame *f, int *all)
{
	char bufs[OUTQ_IOV / 3][FRAME_TMP];
	struct iovec iov[OUTQ_IOV], p[3];
	struct outq_ent *e;
	size_t total = 0, len;
	uint32_t i;
	int n = 0, k, j;
	ssize_t w;

	for (i = 0; i < q->q_count && i < OUTQ_IOV / 3; i++) {
		e = &q->q_ent[(q->q_head + i) & (q->q_cap - 1)];
		if ((len = outq_pieces(f, e->e_blob, e->e_n, bufs[i], p)) ==
		    FRAME_FAIL) {
			errno = ENOMEM;
			return -1;
		}
		total += len - e->e_off;
		k = outq_skip(p, e->e_off);
		for (j = 0; j < k; j++)
			iov[n++] = p[j];
	}
	w = writev(fd, iov, n);
	*all = w == (ssize_t)total;
	return w;
}

static int
outq_done(struct outq **qp)
{
	outq_free(qp);
	return OUTQ_DONE;
}

int
outq_flush(struct outq **qp, int fd, const struct outq_frame *f,
    uint64_t *nw)
{
	struct outq *q = *qp;
	struct outq_ent *e;
	char buf[FRAME_TMP];
	struct iovec p[3];
	size_t len;
	ssize_t w;
	int all;

	while (q != NULL && q->q_count > 0) {
		if ((w = outq_write(q, fd, f, &all)) < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR ? OUTQ_QUEUED : OUTQ_ERROR;
		*nw += (uint64_t)w;
		while (q->q_count > 0 && w > 0) {
			e = &q->q_ent[q->q_head];
			len = outq_pieces(f, e->e_blob, e->e_n, buf, p) -
			    e->e_off;
			if ((size_t)w < len) {
				e->e_off += (uint32_t)w;
				return OUTQ_QUEUED;
			}
			w -= (ssize_t)len;
			if (f->of_done != NULL)
				f->of_done(f->of_arg, e->e_blob, e->e_n);
			outq_pop(q);
		}
		if (!all)
			return q->q_count > 0 ? OUTQ_QUEUED : outq_done(qp);
	}
	return outq_done(qp);
}

size_t
outq_bytes(const struct outq *q, const struct outq_frame *f)
{
	char buf[FRAME_TMP];
	struct iovec p[3];
	const struct outq_ent *e;
	size_t sum = 0;
	uint32_t i;

	for (i = 0; q != NULL && i < q->q_count; i++) {
		e = &q->q_ent[(q->q_head + i) & (q->q_cap - 1)];
		sum += outq_pieces(f, e->e_blob, e->e_n, buf, p) - e->e_off;
	}
	return sum;
}

void
outq_free(struct outq **qp)
{
	struct outq *q = *qp;

	if (q == NULL)
		return;
	while (q->q_count > 0)
		outq_pop(q);
	free(q);
	*qp = NULL;
}
