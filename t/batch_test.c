/*
 * batch_test.c: the batch publish parser, on whole bodies, on bodies
 * split at every byte, and on random bytes placed right before a
 * PROT_NONE page (so any read past the end faults).
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/batch.h"

#define MAXID	8
#define MAXMSG	16
#define CAP	(MAXID + MAXMSG + 3)

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 20) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

struct tally {
	int	 ok, malformed, blank;
	char	 out[4096];	/* "id=msg;" for every OK line */
};

static char *guard;	/* 64 KB then a PROT_NONE page */

/* Place s at the very end of readable memory. */
static char *
place(const char *s, size_t len)
{
	char *p = guard + 65536 - len;

	memcpy(p, s, len);
	return p;
}

static void
count(struct tally *t, const struct batch_line *l)
{
	size_t n = strlen(t->out);

	if (l->bl_status == BATCH_OK) {
		t->ok++;
		snprintf(t->out + n, sizeof(t->out) - n, "%.*s=%.*s;",
		    (int)l->bl_idlen, l->bl_id, (int)l->bl_msglen, l->bl_msg);
	} else if (l->bl_status == BATCH_BLANK)
		t->blank++;
	else if (batch_malformed(l->bl_status))
		t->malformed++;
}

/*
 * Feed body in pieces of step bytes through a CAP-byte buffer, the way
 * cometd does: append, take lines, move the rest to the front.
 */
static void
feed(const char *body, size_t len, size_t step, struct tally *t)
{
	struct batch b;
	struct batch_line l;
	char buf[CAP];
	size_t have = 0, off = 0, n, used;
	int final;

	memset(t, 0, sizeof(*t));
	batch_init(&b, MAXID, MAXMSG);
	for (;;) {
		n = len - off < step ? len - off : step;
		if (n > CAP - have)
			n = CAP - have;
		memcpy(buf + have, body + off, n);
		have += n;
		off += n;
		final = off == len;
		used = 0;
		while (1) {
			char *p = place(buf + used, have - used);
			n = batch_next(&b, p, have - used, final, &l);
			if (n == 0)
				break;
			CHECK(n <= have - used);
			used += n;
			count(t, &l);
		}
		memmove(buf, buf + used, have - used);
		have -= used;
		if (final)
			break;
	}
	CHECK(have == 0);
}

static void
expect(const char *body, int ok, int bad, const char *out)
{
	struct tally t;
	size_t step, len = strlen(body);

	for (step = 1; step <= len + 1; step++) {
		feed(body, len, step, &t);
		CHECK(t.ok == ok);
		CHECK(t.malformed == bad);
		CHECK(strcmp(t.out, out) == 0);
		if (t.ok != ok || t.malformed != bad || strcmp(t.out, out)) {
			fprintf(stderr, "body \"%s\" step %zu: ok %d bad %d "
			    "out %s\n", body, step, t.ok, t.malformed, t.out);
			return;
		}
	}
}

static void
fuzz(void)
{
	static const char alpha[] = "ab\t\n\r /~x";
	char body[300];
	struct tally t;
	size_t len, i;
	int round;

	srandom(1);
	for (round = 0; round < 20000; round++) {
		len = (size_t)random() % sizeof(body);
		for (i = 0; i < len; i++)
			body[i] = round & 1 ? (char)random() :
			    alpha[random() % (sizeof(alpha) - 1)];
		feed(body, len, 1 + (size_t)random() % 40, &t);
	}
}

int
main(void)
{
	guard = mmap(NULL, 65536 + 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED || mprotect(guard + 65536, 4096, PROT_NONE))
		return 2;
	expect("a\thello\nb\tworld\n", 2, 0, "a=hello;b=world;");
	expect("a\thello\nb\tworld", 2, 0, "a=hello;b=world;");
	expect("a\thi\r\nb\tyo\r\n", 2, 0, "a=hi;b=yo;");
	expect("\n\na\tx\n\r\n", 1, 0, "a=x;");
	expect("a\tx\ty\n", 1, 0, "a=x\ty;");
	expect("nota\n\tmsg\na b\tm\na/b\tm\na\t\nok\tm\n", 2, 4, "a/b=m;ok=m;");
	/* message of MAXMSG is fine, MAXMSG + 1 is not */
	expect("a\t0123456789abcdef\nb\t0123456789abcdefg\nc\tz\n", 2, 1,
	    "a=0123456789abcdef;c=z;");
	/* over the buffer: reported once, skipped to its newline */
	expect("a\t0123456789abcdef0123456789abcdef0123456789\nc\tz\n", 1, 1,
	    "c=z;");
	expect("a\t0123456789abcdef0123456789abcdef0123456789", 0, 1, "");
	expect("123456789\tm\n12345678\tm\n", 1, 1, "12345678=m;");
	expect("", 0, 0, "");
	fuzz();
	if (fails) {
		fprintf(stderr, "batch_test: %d failed\n", fails);
		return 1;
	}
	printf("batch_test: ok\n");
	return 0;
}
