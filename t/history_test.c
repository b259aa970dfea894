/*
 * history_test.c: message ids and the per-Id history, against what a
 * resuming subscriber must see: every message after its id, in order,
 * and a loss reported whenever one after its id was dropped (by the
 * per-Id count, by the byte cap, by a whole Id going), never silently.
 * Also the id grammar, and the bytes counted per message and per Id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/blob.h"
#include "server/history.h"
#include "server/msgid.h"

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 30) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

/* A replay, recorded. */
struct got {
	int		 n;
	uint64_t	 seq[256];
	char		 body[256][16];
};

static void
record(void *arg, struct blob *b)
{
	struct got *g = arg;

	if (g->n < 256) {
		g->seq[g->n] = b->b_id.mi_b;
		snprintf(g->body[g->n], sizeof(g->body[0]), "%.*s",
		    (int)b->b_len, b->b_data);
	}
	g->n++;
}

static struct msgid
id(uint64_t a, uint64_t b)
{
	struct msgid m = { a, b };

	return m;
}

static void
publish(struct history *h, const char *who, const char *msg, uint64_t t)
{
	struct blob *b = history_add(h, who, strlen(who), msg, strlen(msg), t);

	CHECK(b != NULL);
	blob_unref(b);
}

static enum history_gap
since(struct history *h, const char *who, struct msgid after, struct got *g)
{
	struct msgid first = { 0, 0 };

	memset(g, 0, sizeof(*g));
	return history_since(h, who, strlen(who), &after, record, g, &first);
}

static void
test_msgid(void)
{
	static const struct {
		const char	*s;
		int		 ok;
		uint64_t	 a, b;
	} t[] = {
		{ "0-0", 1, 0, 0 },
		{ "1795997790047-12", 1, 1795997790047ull, 12 },
		{ "18446744073709551615-18446744073709551615", 1,
		    UINT64_MAX, UINT64_MAX },
		{ "18446744073709551616-1", 0, 0, 0 },
		{ "1-18446744073709551616", 0, 0, 0 },
		{ "", 0, 0, 0 }, { "-", 0, 0, 0 }, { "1-", 0, 0, 0 },
		{ "-1", 0, 0, 0 }, { "1", 0, 0, 0 }, { "01-1", 0, 0, 0 },
		{ "1-01", 0, 0, 0 }, { "1-1-1", 0, 0, 0 }, { "1 -1", 0, 0, 0 },
		{ "+1-1", 0, 0, 0 }, { "1-1 ", 0, 0, 0 }, { "a-1", 0, 0, 0 },
		{ "1-0x1", 0, 0, 0 },
		{ "111111111111111111111-1111111111111111111", 0, 0, 0 },
	};
	char buf[MSGID_MAX + 1];
	struct msgid m;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = msgid_parse(t[i].s, strlen(t[i].s), &m);
		CHECK((rc == 0) == t[i].ok);
		if (rc == 0) {
			CHECK(m.mi_a == t[i].a && m.mi_b == t[i].b);
			CHECK(msgid_format(buf, &m) == strlen(t[i].s));
			CHECK(strcmp(buf, t[i].s) == 0);
		}
	}
	CHECK(msgid_cmp(&(struct msgid){ 1, 9 }, &(struct msgid){ 2, 0 }) < 0);
	CHECK(msgid_cmp(&(struct msgid){ 2, 1 }, &(struct msgid){ 2, 0 }) > 0);
	CHECK(msgid_cmp(&(struct msgid){ 2, 1 }, &(struct msgid){ 2, 1 }) == 0);
}

/* Ids increase per Id; a resume gets what follows, in order. */
static void
test_resume(void)
{
	struct history h;
	struct got g;
	int i;
	char m[16];

	CHECK(history_init(&h, 1000, 5, 1 << 20) == 0);
	for (i = 1; i <= 3; i++) {
		snprintf(m, sizeof(m), "a%d", i);
		publish(&h, "alice", m, 10);
		publish(&h, "bob", "x", 10);
	}
	CHECK(history_now(&h).mi_a == 1000 && history_now(&h).mi_b == 6);
	CHECK(since(&h, "alice", id(1000, 1), &g) == HISTORY_WHOLE);
	CHECK(g.n == 2 && g.seq[0] == 3 && g.seq[1] == 5);
	CHECK(strcmp(g.body[0], "a2") == 0 && strcmp(g.body[1], "a3") == 0);
	/* the position a welcome gives: nothing, nothing lost */
	CHECK(since(&h, "alice", history_now(&h), &g) == HISTORY_WHOLE);
	CHECK(g.n == 0);
	/* an Id nobody published to: nothing, nothing lost */
	CHECK(since(&h, "carol", id(1000, 2), &g) == HISTORY_WHOLE && g.n == 0);
	/* an earlier epoch: a reset, and everything there is */
	CHECK(since(&h, "alice", id(999, 50), &g) == HISTORY_RESET);
	CHECK(g.n == 3);
	/* from the future: unknown, and everything there is */
	CHECK(since(&h, "alice", id(1000, 7), &g) == HISTORY_UNKNOWN);
	CHECK(g.n == 3);
	CHECK(since(&h, "alice", id(1001, 0), &g) == HISTORY_UNKNOWN);
	history_free(&h);
}

/* More than -k messages for an Id: the oldest go, and a resume says so. */
static void
test_per_id(void)
{
	struct history h;
	struct got g;
	int i;

	CHECK(history_init(&h, 7, 3, 1 << 20) == 0);
	for (i = 0; i < 10; i++)
		publish(&h, "alice", "m", 1);
	CHECK(h.hy_msgs == 3 && h.hy_evicted == 7);
	CHECK(since(&h, "alice", id(7, 0), &g) == HISTORY_EVICTED);
	CHECK(g.n == 3 && g.seq[0] == 8 && g.seq[2] == 10);
	/* resuming right at the edge loses nothing */
	CHECK(since(&h, "alice", id(7, 7), &g) == HISTORY_WHOLE && g.n == 3);
	CHECK(since(&h, "alice", id(7, 6), &g) == HISTORY_EVICTED);
	history_free(&h);
}

/* The byte cap drops the oldest message of all; whole Ids can go. */
static void
test_bytes(void)
{
	struct history h;
	struct got g;
	size_t one;
	int i;
	char who[16];

	CHECK(history_init(&h, 1, 100, 1 << 20) == 0);
	publish(&h, "probe", "0123456789", 1);
	one = h.hy_bytes;
	CHECK(one > 10 && one < 10 + 300);
	history_free(&h);
	CHECK(history_init(&h, 1, 100, one * 20) == 0);
	for (i = 0; i < 100; i++) {
		snprintf(who, sizeof(who), "u%d", i);
		publish(&h, who, "0123456789", 1);
	}
	CHECK(h.hy_bytes <= one * 20);
	CHECK(h.hy_msgs >= 15 && h.hy_msgs <= 20 && h.hy_ids == h.hy_msgs);
	/* u0 went whole: its resume is a loss, never silence */
	CHECK(since(&h, "u0", id(1, 0), &g) == HISTORY_EVICTED && g.n == 0);
	/* u99 is kept */
	CHECK(since(&h, "u99", id(1, 99), &g) == HISTORY_WHOLE && g.n == 1);
	/* resuming after the last message of a dropped Id loses nothing */
	CHECK(since(&h, "u0", id(1, 1), &g) == HISTORY_WHOLE);
	history_free(&h);
}

/* -k 0: ids still given, nothing kept, every resume before now a loss. */
static void
test_none(void)
{
	struct history h;
	struct got g;

	CHECK(history_init(&h, 5, 0, 1 << 20) == 0);
	publish(&h, "alice", "m", 1);
	CHECK(history_now(&h).mi_b == 1 && h.hy_msgs == 0);
	CHECK(since(&h, "alice", id(5, 0), &g) == HISTORY_EVICTED && g.n == 0);
	CHECK(since(&h, "alice", id(5, 1), &g) == HISTORY_WHOLE);
	history_free(&h);
}

/* A stream handed between workers gets what came since its request. */
static void
test_after_time(void)
{
	struct history h;
	struct got g;

	CHECK(history_init(&h, 5, 10, 1 << 20) == 0);
	publish(&h, "alice", "old", 100);
	publish(&h, "alice", "new1", 200);
	publish(&h, "alice", "new2", 250);
	memset(&g, 0, sizeof(g));
	CHECK(history_after_time(&h, "alice", 5, 200, record, &g) == 2);
	CHECK(g.n == 2 && strcmp(g.body[0], "new1") == 0);
	history_free(&h);
}

int
main(void)
{
	test_msgid();
	test_resume();
	test_per_id();
	test_bytes();
	test_none();
	test_after_time();
	if (fails) {
		fprintf(stderr, "history_test: %d failed\n", fails);
		return 1;
	}
	printf("history_test: ok\n");
	return 0;
}
