/*
 * resp_test.c: the Redis protocol codec (lib/resp.c) against the RESP3
 * spec's example of every type, RESP2 replies Redis sends (subscribe,
 * XRANGE, EVAL), malformed input and the limits.  Each reply is placed
 * right before a PROT_NONE page, so a read past it faults, and every
 * proper prefix of it must parse as incomplete (or, for a bad reply, as
 * the same error).  Commands are encoded and parsed back.  Exit 0 if all
 * pass, 1 with the failures on stderr.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/resp.h"

#define NITEMS	64

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 20) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

static char *guard;		/* a page followed by a PROT_NONE page */
static long pagesz;
static struct resp_limits lim = { NITEMS, 8, 1024 };

/* Parse in from the end of the guarded page. */
static enum resp_status
parse(const char *in, size_t len, struct resp_item *it, size_t *n,
    size_t *used)
{
	char *p = guard + pagesz - len;

	memcpy(p, in, len);
	return resp_parse(p, len, &lim, it, n, used);
}

/* Items as text: "*2(3) $hello $world"; aggregates show their span. */
static void
dump(const struct resp_item *it, size_t n, char *out, size_t size)
{
	static const char tc[] = "+-:$_#,(!=*%~>";
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < n && o < size; i++) {
		o += snprintf(out + o, size - o, "%s%c", i > 0 ? " " : "",
		    tc[it[i].ri_type]);
		if (o >= size)
			break;
		if (it[i].ri_type >= RESP_ARRAY)
			o += snprintf(out + o, size - o, "%lld(%u)",
			    it[i].ri_int, it[i].ri_span);
		else if (it[i].ri_type == RESP_INT ||
		    it[i].ri_type == RESP_BOOL)
			o += snprintf(out + o, size - o, "%lld", it[i].ri_int);
		else if (it[i].ri_type != RESP_NULL)
			o += snprintf(out + o, size - o, "%.*s",
			    (int)it[i].ri_len, it[i].ri_str);
	}
}

/* Every span is 1 + its elements' spans; returns the subtree's size. */
static size_t
spans(const struct resp_item *it, size_t n)
{
	size_t k = 1;
	long long e;

	CHECK(n > 0);
	if (n == 0 || it->ri_type < RESP_ARRAY) {
		CHECK(n == 0 || it->ri_span == 1);
		return 1;
	}
	for (e = 0; e < it->ri_int && k < n; e++)
		k += spans(it + k, n - k);
	CHECK(it->ri_span == k);
	return k;
}

/* in (with trailing bytes after the reply) parses as want. */
static void
good(const char *in, size_t rlen, const char *want)
{
	struct resp_item it[NITEMS];
	enum resp_status st;
	char got[1024];
	size_t len = strlen(in), n, used, k;

	st = parse(in, len, it, &n, &used);
	if (st == RESP_OK)
		dump(it, n, got, sizeof(got));
	if ((st != RESP_OK || used != rlen || strcmp(got, want) != 0) &&
	    fails++ < 20)
		fprintf(stderr, "\"%s\": status %d used %zu got \"%s\"\n",
		    in, st, used, st == RESP_OK ? got : "");
	if (st == RESP_OK)
		CHECK(spans(it, n) == n);
	for (k = 0; k < rlen; k++)
		if (parse(in, k, it, &n, &used) != RESP_INCOMPLETE &&
		    fails++ < 20)
			fprintf(stderr, "\"%s\": prefix %zu not incomplete\n",
			    in, k);
}

/* in gives status want, and every prefix incomplete or the same. */
static void
bad(const char *in, enum resp_status want)
{
	struct resp_item it[NITEMS];
	enum resp_status st;
	size_t len = strlen(in), n, used, k;

	if ((st = parse(in, len, it, &n, &used)) != want && fails++ < 20)
		fprintf(stderr, "\"%s\": status %d, want %d\n", in, st, want);
	for (k = 0; k < len; k++) {
		st = parse(in, k, it, &n, &used);
		CHECK(st == RESP_INCOMPLETE || st == want);
	}
}

#define G(s, w)	good(s, sizeof(s) - 1, w)

/* The RESP2 types, as in the spec. */
static void
resp2_types(void)
{
	G("+OK\r\n", "+OK");
	G("-ERR unknown command 'foobar'\r\n", "-ERR unknown command 'foobar'");
	G(":1000\r\n", ":1000");
	G(":-1\r\n", ":-1");
	G(":+5\r\n", ":5");
	G(":9223372036854775807\r\n", ":9223372036854775807");
	G(":-9223372036854775808\r\n", ":-9223372036854775808");
	G("$5\r\nhello\r\n", "$hello");
	G("$0\r\n\r\n", "$");
	G("$4\r\na\r\nb\r\n", "$a\r\nb");
	G("$-1\r\n", "_");
	G("*2\r\n$5\r\nhello\r\n$5\r\nworld\r\n", "*2(3) $hello $world");
	G("*3\r\n:1\r\n:2\r\n:3\r\n", "*3(4) :1 :2 :3");
	G("*0\r\n", "*0(1)");
	G("*-1\r\n", "_");
	G("*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n",
	    "*2(8) *3(4) :1 :2 :3 *2(3) +Hello -World");
	G("*3\r\n$5\r\nhello\r\n$-1\r\n$5\r\nworld\r\n",
	    "*3(4) $hello _ $world");
}

/* The RESP3 types, as in the spec. */
static void
resp3_types(void)
{
	G("_\r\n", "_");
	G("#t\r\n", "#1");
	G("#f\r\n", "#0");
	G(",1.23\r\n", ",1.23");
	G(",10\r\n", ",10");
	G(",inf\r\n", ",inf");
	G(",-inf\r\n", ",-inf");
	G(",nan\r\n", ",nan");
	G(",-1.5e-10\r\n", ",-1.5e-10");
	G("(3492890328409238509324850943850943825024385\r\n",
	    "(3492890328409238509324850943850943825024385");
	G("(-3492890328409238509324850943850943825024385\r\n",
	    "(-3492890328409238509324850943850943825024385");
	G("!21\r\nSYNTAX invalid syntax\r\n", "!SYNTAX invalid syntax");
	G("=15\r\ntxt:Some string\r\n", "=Some string");
	G("=4\r\nmkd:\r\n", "=");
	G("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
	    "%4(5) +first :1 +second :2");
	G("~5\r\n+orange\r\n+apple\r\n#t\r\n:100\r\n:999\r\n",
	    "~5(6) +orange +apple #1 :100 :999");
	G("|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n"
	    ",0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
	    "*2(3) :2039123 :9543892");
	G("*3\r\n:1\r\n:2\r\n|1\r\n+ttl\r\n:3600\r\n:3\r\n",
	    "*3(4) :1 :2 :3");
	G("|0\r\n+OK\r\n", "+OK");
	G(">4\r\n+pubsub\r\n+message\r\n+somechannel\r\n+this is the message"
	    "\r\n", ">4(5) +pubsub +message +somechannel +this is the message");
	G("%1\r\n*1\r\n%0\r\n~0\r\n", "%2(4) *1(2) %0(1) ~0(1)");
}

static void
redis_shapes(void)
{
	/* a RESP3 pub/sub message, then RESP2's subscribe confirmation */
	G(">3\r\n$7\r\nmessage\r\n$5\r\nchan1\r\n$5\r\nhello\r\n",
	    ">3(4) $message $chan1 $hello");
	G("*3\r\n$9\r\nsubscribe\r\n$5\r\nchan1\r\n:1\r\n",
	    "*3(4) $subscribe $chan1 :1");
	G("*3\r\n$7\r\nmessage\r\n$5\r\nchan1\r\n$5\r\nhello\r\n",
	    "*3(4) $message $chan1 $hello");
	/* XRANGE: [[id, [field, value, ...]], ...] */
	G("*2\r\n*2\r\n$15\r\n1526985054069-0\r\n*4\r\n$8\r\ndistance\r\n"
	    "$2\r\n42\r\n$4\r\nname\r\n$5\r\nalice\r\n*2\r\n$15\r\n"
	    "1526985054079-0\r\n*2\r\n$3\r\nfoo\r\n$3\r\nbar\r\n",
	    "*2(13) *2(7) $1526985054069-0 *4(5) $distance $42 $name $alice "
	    "*2(5) $1526985054079-0 *2(3) $foo $bar");
	/* EVAL returning {id, count} */
	G("*2\r\n$15\r\n1526985054069-0\r\n:3\r\n",
	    "*2(3) $1526985054069-0 :3");
	/* pipelined: one reply at a time */
	good("+OK\r\n:1\r\n", 5, "+OK");
	good("*1\r\n:1\r\n*1\r\n", 8, "*1(2) :1");
}

static void
malformed(void)
{
	bad("?x\r\n", RESP_BAD);
	bad("\r\n", RESP_BAD);
	bad("+OK\n", RESP_BAD);
	bad("+OK\rx\r\n", RESP_BAD);
	bad("+O\nK\r\n", RESP_BAD);
	bad(":abc\r\n", RESP_BAD);
	bad(":\r\n", RESP_BAD);
	bad(":-\r\n", RESP_BAD);
	bad(":1 \r\n", RESP_BAD);
	bad(":9223372036854775808\r\n", RESP_BAD);
	bad(":-9223372036854775809\r\n", RESP_BAD);
	bad(":99999999999999999999999\r\n", RESP_BAD);
	bad("$-2\r\n", RESP_BAD);
	bad("$-0\r\n", RESP_BAD);
	bad("$+1\r\nx\r\n", RESP_BAD);
	bad("$\r\n\r\n", RESP_BAD);
	bad("$1x\r\nx\r\n", RESP_BAD);
	bad("$3\r\nab\r\n\r\n", RESP_BAD);
	bad("$3\r\nabcd\r\n", RESP_BAD);
	bad("$?\r\n;4\r\nabcd\r\n;0\r\n", RESP_BAD);
	bad("*?\r\n:1\r\n.\r\n", RESP_BAD);
	bad("*-2\r\n", RESP_BAD);
	bad("%-1\r\n", RESP_BAD);
	bad(">-1\r\n", RESP_BAD);
	bad("!-1\r\n", RESP_BAD);
	bad("=3\r\ntxt\r\n", RESP_BAD);
	bad("=5\r\ntxtxx\r\n", RESP_BAD);
	bad("_x\r\n", RESP_BAD);
	bad("#x\r\n", RESP_BAD);
	bad("#tt\r\n", RESP_BAD);
	bad(",\r\n", RESP_BAD);
	bad(",1x\r\n", RESP_BAD);
	bad("(1.5\r\n", RESP_BAD);
	bad("(\r\n", RESP_BAD);
	bad("(-\r\n", RESP_BAD);
	bad("*2\r\n:1\r\n?\r\n", RESP_BAD);
	bad("*1\r\n$2\r\nabc\r\n", RESP_BAD);
}

static void
limits(void)
{
	static const struct resp_limits tight = { 4, 2, 10 };

	lim = tight;
	G("*3\r\n:1\r\n:2\r\n:3\r\n", "*3(4) :1 :2 :3");
	bad("*4\r\n", RESP_TOOMANY);
	bad("*2\r\n*2\r\n:1\r\n:2\r\n:3\r\n", RESP_TOOMANY);
	bad("*1000000000\r\n", RESP_TOOMANY);
	bad("%9223372036854775807\r\n", RESP_TOOMANY);
	bad("*1\r\n*1\r\n*1\r\n:1\r\n", RESP_TOODEEP);
	bad("*1\r\n*1\r\n*0\r\n", RESP_TOODEEP);
	G("*1\r\n*1\r\n:1\r\n", "*1(3) *1(2) :1");
	G("$10\r\n0123456789\r\n", "$0123456789");
	bad("$11\r\n", RESP_TOOBIG);
	bad("$99999999999\r\n", RESP_TOOBIG);
	bad("+0123456789A", RESP_TOOBIG);
	bad("-0123456789A\r\n", RESP_TOOBIG);
	G("+0123456789\r\n", "+0123456789");
	/* an attribute takes items until it is dropped */
	G("|1\r\n+a\r\n+b\r\n:1\r\n", ":1");
	lim.rl_maxitems = 2;
	bad("|1\r\n+a\r\n+b\r\n:1\r\n", RESP_TOOMANY);
	lim.rl_maxdepth = 0;
	G(":1\r\n", ":1");
	bad("*0\r\n", RESP_TOODEEP);
	lim.rl_maxitems = 0;
	bad(":1\r\n", RESP_TOOMANY);
	lim = (struct resp_limits){ NITEMS, 8, 1024 };
}

/* Encode a command and parse it back as an array of bulk strings. */
static void
roundtrip(int argc, const char *const *argv, const size_t *lens)
{
	struct resp_item it[NITEMS];
	char buf[512];
	size_t n, used, len;
	int i;

	len = resp_encode(buf, sizeof(buf), argc, argv, lens);
	CHECK(len <= sizeof(buf));
	CHECK(parse(buf, len, it, &n, &used) == RESP_OK);
	CHECK(used == len && n == (size_t)argc + 1);
	CHECK(it[0].ri_type == RESP_ARRAY && it[0].ri_int == argc);
	for (i = 0; i < argc && (size_t)i + 1 < n; i++) {
		CHECK(it[i + 1].ri_type == RESP_BULK);
		CHECK(it[i + 1].ri_len == (lens ? lens[i] : strlen(argv[i])));
		CHECK(memcmp(it[i + 1].ri_str, argv[i], it[i + 1].ri_len) == 0);
	}
}

static void
encoder(void)
{
	static const char *const set[] = { "SET", "key", "hello world" };
	static const char *const bin[] = { "XADD", "s", "*", "f", "a\r\n\0b" };
	static const size_t blens[] = { 4, 1, 1, 1, 5 };
	static const char want[] =
	    "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$11\r\nhello world\r\n";
	char buf[64];
	size_t n;

	n = resp_encode(buf, sizeof(buf), 3, set, NULL);
	CHECK(n == sizeof(want) - 1 && memcmp(buf, want, n) == 0);
	memset(buf, 'x', sizeof(buf));
	CHECK(resp_encode(buf, 10, 3, set, NULL) == sizeof(want) - 1);
	CHECK(memcmp(buf, want, 10) == 0 && buf[10] == 'x');
	CHECK(resp_encode(NULL, 0, 3, set, NULL) == sizeof(want) - 1);
	CHECK(resp_encode(buf, sizeof(buf), 0, NULL, NULL) == 4);
	CHECK(memcmp(buf, "*0\r\n", 4) == 0);
	roundtrip(3, set, NULL);
	roundtrip(5, bin, blens);
	roundtrip(1, set, NULL);
}

int
main(void)
{
	pagesz = sysconf(_SC_PAGESIZE);
	guard = mmap(NULL, pagesz * 2, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED || mprotect(guard + pagesz, pagesz,
	    PROT_NONE) == -1) {
		perror("resp_test: mmap");
		return 1;
	}
	resp2_types();
	resp3_types();
	redis_shapes();
	malformed();
	limits();
	encoder();
	if (fails) {
		fprintf(stderr, "resp_test: %d failed\n", fails);
		return 1;
	}
	printf("resp_test: ok\n");
	return 0;
}
