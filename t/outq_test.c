/*
 * outq_test.c: write-or-queue of message chunks over a real socketpair
 * whose receiver reads slowly: the bytes that come out are exactly the
 * chunks in order (chunked and HTTP/1.0 framing, message and periodic
 * lines), partial writes resume mid-chunk, the bound is enforced, and
 * shared bodies are referenced, not copied, and released.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/blob.h"
#include "server/frame.h"
#include "server/outq.h"

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 20) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

static char want[4 << 20];	/* the expected stream */
static size_t wantlen;
static char got[4 << 20];
static size_t gotlen;

static void
expect_chunk(const struct outq_frame *f, const struct blob *b, uint32_t n)
{
	char text[600];
	int len;

	if (b != NULL)
		len = snprintf(text, sizeof(text), "Recvd msg #%u: '%.*s'\n", n,
		    (int)b->b_len, b->b_data);
	else
		len = snprintf(text, sizeof(text), "Chunk %u for id %.*s\n", n,
		    (int)f->of_idlen, f->of_id);
	if (f->of_fm == &frame_chunked)
		wantlen += (size_t)sprintf(want + wantlen, "%x\r\n", len);
	memcpy(want + wantlen, text, (size_t)len);
	wantlen += (size_t)len;
	if (f->of_fm == &frame_chunked) {
		memcpy(want + wantlen, "\r\n", 2);
		wantlen += 2;
	}
}

/* Read what is there, at most max bytes. */
static void
drain(int fd, size_t max)
{
	ssize_t n;

	while (max > 0 && (n = read(fd, got + gotlen,
	    max < sizeof(got) - gotlen ? max : sizeof(got) - gotlen)) > 0) {
		gotlen += (size_t)n;
		max -= (size_t)n;
	}
}

/* Queue the piece (m, n) and write what the queue holds, as cometd does. */
static int
send_piece(struct outq **q, int fd, const struct outq_frame *f,
    struct blob *m, uint32_t n, uint32_t max, uint64_t *nw)
{
	int rc;

	if ((rc = outq_queue(q, m, n, max)) != OUTQ_QUEUED)
		return rc;
	return outq_flush(q, fd, f, nw);
}

static void
run(const struct frame *fm)
{
	struct outq_frame f = { .of_fm = fm, .of_id = "user42", .of_idlen = 6 };
	struct outq *q = NULL;
	struct blob *b[8];
	char msg[300];
	int sv[2], i, rc, queued = 0, sz = 4096;
	uint32_t n = 0;
	uint64_t nw = 0;

	wantlen = gotlen = 0;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	for (i = 0; i < 8; i++) {
		memset(msg, 'a' + i, sizeof(msg));
		b[i] = blob_new(msg, (size_t)(i * 37 + 1));
	}
	srandom(3);
	for (i = 0; i < 3000; i++) {
		struct blob *m = i % 7 == 6 ? NULL : b[random() % 8];

		rc = send_piece(&q, sv[0], &f, m, ++n, 1000000, &nw);
		CHECK(rc == OUTQ_DONE || rc == OUTQ_QUEUED);
		expect_chunk(&f, m, n);
		queued += rc == OUTQ_QUEUED;
		if (random() % 3 == 0)
			drain(sv[1], (size_t)random() % 3000);
		if (q != NULL && random() % 4 == 0)
			CHECK(outq_flush(&q, sv[0], &f, &nw) != OUTQ_ERROR);
	}
	CHECK(queued > 0);	/* the slow reader made it queue */
	/* queued chunks hold references, not copies */
	CHECK(q == NULL || b[0]->b_ref >= 1);
	while (q != NULL) {
		drain(sv[1], 100000);
		CHECK(outq_flush(&q, sv[0], &f, &nw) != OUTQ_ERROR);
	}
	drain(sv[1], 100000);
	CHECK(gotlen == wantlen && memcmp(got, want, wantlen) == 0);
	CHECK(nw == wantlen);
	for (i = 0; i < 8; i++) {
		CHECK(b[i]->b_ref == 1);
		blob_unref(b[i]);
	}
	close(sv[0]);
	close(sv[1]);
}

/* Nobody reads: the queue stops at its bound; freeing it drops refs. */
static void
bound(void)
{
	struct outq_frame f = { .of_fm = &frame_chunked, .of_id = "x", .of_idlen = 1 };
	struct outq *q = NULL;
	struct blob *b;
	char big[10000];
	int sv[2], i, rc = OUTQ_DONE;
	uint64_t nw = 0;

	memset(big, 'z', sizeof(big));
	b = blob_new(big, sizeof(big));
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	for (i = 0; i < 10000 && rc != OUTQ_FULL; i++)
		rc = send_piece(&q, sv[0], &f, b, (uint32_t)i, 5, &nw);
	CHECK(rc == OUTQ_FULL);
	CHECK(q != NULL && q->q_count == 5);
	CHECK(b->b_ref == 6);
	CHECK(outq_bytes(q, &f) > 4 * sizeof(big));
	/* a queued periodic line counts toward the bound too */
	CHECK(outq_queue(&q, NULL, 1, 5) == OUTQ_FULL);
	outq_free(&q);
	CHECK(q == NULL && b->b_ref == 1);
	/* the peer is gone: an error, not a queue */
	close(sv[1]);
	CHECK(send_piece(&q, sv[0], &f, b, 1, 5, &nw) == OUTQ_ERROR);
	outq_free(&q);
	CHECK(q == NULL && b->b_ref == 1);
	blob_unref(b);
	close(sv[0]);
}

/* A queue longer than one writev drains in one call when the kernel can. */
static void
many(void)
{
	struct outq_frame f = { .of_fm = &frame_chunked, .of_id = "x", .of_idlen = 1 };
	struct outq *q = NULL;
	struct blob *b = blob_new("hi", 2);
	uint64_t nw = 0;
	int sv[2], i;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	for (i = 0; i < 100; i++)
		CHECK(outq_queue(&q, b, (uint32_t)i, 1000) == OUTQ_QUEUED);
	CHECK(outq_flush(&q, sv[0], &f, &nw) == OUTQ_DONE);
	/* "13\r\nRecvd msg #5: 'hi'\n\r\n" is 25 bytes: 24 and a digit per digit */
	CHECK(q == NULL && b->b_ref == 1 && nw == 100 * 24 + 10 + 90 * 2);
	blob_unref(b);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	/* a write to a closed peer must fail, not kill the test */
	signal(SIGPIPE, SIG_IGN);
	run(&frame_chunked);
	run(&frame_http10);
	bound();
	many();
	if (fails) {
		fprintf(stderr, "outq_test: %d failed\n", fails);
		return 1;
	}
	printf("outq_test: ok\n");
	return 0;
}
