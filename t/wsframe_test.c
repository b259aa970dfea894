/*
 * wsframe_test.c: WebSocket framing (lib/wsframe.c) against the examples
 * of RFC 6455 section 5.7, every length boundary and every protocol
 * error.  Byte streams are fed whole, byte by byte, split in two at every
 * offset and in random pieces; the server side (parse and unmask in
 * pieces) and the client decoder must each give the same log every time.
 * Client pieces are copied to the end of a page followed by a PROT_NONE
 * page, so a read past a piece faults.  Exit 0 if all pass, 1 with the
 * failures on stderr.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsframe.h"

#define BIG	(65536 + 64)	/* longest test stream */
#define MAXLEN	100000		/* server's payload limit in these tests */

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 20) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

static char *guard;		/* BIG bytes, then a PROT_NONE page */
static uint8_t stream[BIG];	/* the stream being built */
static size_t slen;

static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* Append a frame to stream, masked with key when mask is set. */
static void
add(int fin, unsigned op, const void *pay, size_t n, int mask)
{
	size_t h = wsframe_header(stream + slen, fin, op, n,
	    mask ? key : NULL);

	CHECK(h > 0);
	memcpy(stream + slen + h, pay, n);
	if (mask)
		wsframe_unmask(stream + slen + h, n, key, 0);
	slen += h + n;
}

/* Size of the next piece: whole (at 0), split at at, byte by byte (1). */
static size_t
piece(int how, size_t at, size_t off, size_t len)
{
	if (how == 0)
		return len - off;
	if (how == 1)
		return off < at ? at - off : len - off;
	if (how == 2)
		return 1;
	at = 1 + (size_t)rand() % 300;
	return at < len - off ? at : len - off;
}

/* Say what a payload was: short ones as text, long ones as a hash. */
static void
say(char *log, const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261U;
	size_t i;

	if (n == 0)
		return;
	if (n <= 16) {
		snprintf(log + strlen(log), 64, " %.*s", (int)n, p);
		return;
	}
	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619U;
	snprintf(log + strlen(log), 64, " #%08x", h);
}

/* The log line pre, the payload, post; in a static buffer. */
static const char *
line(const char *pre, const uint8_t *p, size_t n, const char *post)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s", pre);
	say(buf, p, n);
	return strcat(buf, post);
}

/* A server connection: its read buffer and the frame being read. */
struct srv {
	uint8_t		 s_acc[BIG];	/* everything read so far */
	size_t		 s_have;	/* bytes in s_acc */
	size_t		 s_pos;		/* bytes of s_acc used */
	struct wsframe_hdr s_h;		/* the frame being read */
	uint64_t	 s_done;	/* of its payload, bytes unmasked */
	int		 s_inframe;
};

/*
 * Use what has been read: parse each header, unmask each payload in the
 * pieces it came in, log each frame.  Returns -1 on a protocol error.
 */
static int
srv_use(struct srv *c, char *log)
{
	enum wsframe_status st;
	size_t n;

	for (;;) {
		if (!c->s_inframe) {
			st = wsframe_parse(c->s_acc + c->s_pos,
			    c->s_have - c->s_pos, MAXLEN, &c->s_h);
			if (st == WSFRAME_SHORT) {
				CHECK(c->s_h.wh_hlen > c->s_have - c->s_pos);
				return 0;
			}
			if (st == WSFRAME_ERROR) {
				sprintf(log + strlen(log), "err %u",
				    c->s_h.wh_close);
				return -1;
			}
			c->s_pos += c->s_h.wh_hlen;
			c->s_inframe = 1;
			c->s_done = 0;
		}
		n = c->s_have - c->s_pos;
		if (n > c->s_h.wh_len - c->s_done)
			n = c->s_h.wh_len - c->s_done;
		wsframe_unmask(c->s_acc + c->s_pos, n, c->s_h.wh_key,
		    c->s_done);
		c->s_pos += n;
		if ((c->s_done += n) < c->s_h.wh_len)
			return 0;
		sprintf(log + strlen(log), "%x%s", c->s_h.wh_opcode,
		    c->s_h.wh_fin ? "" : "+");
		say(log, c->s_acc + c->s_pos - c->s_h.wh_len, c->s_h.wh_len);
		strcat(log, "; ");
		c->s_inframe = 0;
	}
}

/* The server side, reading the stream in pieces. */
static void
srv_run(const uint8_t *in, size_t len, int how, size_t at, char *log)
{
	static struct srv c;
	size_t off = 0, n;

	memset(&c, 0, sizeof(c));
	log[0] = '\0';
	while (off < len) {
		n = piece(how, at, off, len);
		memcpy(c.s_acc + c.s_have, in + off, n);
		c.s_have += n;
		off += n;
		if (srv_use(&c, log) == -1)
			return;
	}
	if (c.s_inframe || c.s_pos < c.s_have)
		strcat(log, "short");
}

/* Log a client event that ended at stream offset end. */
static void
cl_log(enum wsframe_ev ev, const struct wsframe_piece *pc, size_t end,
    const uint8_t *msg, size_t mlen, char *log)
{
	if (ev == WSFRAME_MORE || ev == WSFRAME_DATA)
		return;
	if (ev == WSFRAME_MESSAGE) {
		sprintf(log + strlen(log), "msg %zu", mlen);
		say(log, msg, mlen);
	} else if (ev == WSFRAME_PING || ev == WSFRAME_PONG)
		sprintf(log + strlen(log), "%s %u", ev == WSFRAME_PING ?
		    "ping" : "pong", pc->wp_total);
	else if (ev == WSFRAME_CLOSE)
		sprintf(log + strlen(log), "close %u %u", pc->wp_code,
		    pc->wp_total);
	else
		strcat(log, "bad");
	sprintf(log + strlen(log), "@%zu; ", end);
}

/* The client decoder, fed in pieces; logs the events. */
static void
cl_run(const uint8_t *in, size_t len, int how, size_t at, char *log)
{
	static uint8_t msg[BIG];
	struct wsframe_dec d;
	struct wsframe_piece pc;
	enum wsframe_ev ev = WSFRAME_MORE;
	size_t off = 0, n, used, mlen = 0;
	char *p;

	log[0] = '\0';
	wsframe_dec_init(&d);
	while (off < len && ev != WSFRAME_BAD) {
		n = piece(how, at, off, len);
		p = guard + BIG - n;
		memcpy(p, in + off, n);
		for (; n > 0 && ev != WSFRAME_BAD; p += used, n -= used,
		    off += used) {
			ev = wsframe_feed(&d, p, n, &used, &pc);
			CHECK(used <= n);
			CHECK(pc.wp_data == NULL ||
			    pc.wp_data + pc.wp_len == p + used);
			if (ev == WSFRAME_DATA || ev == WSFRAME_MESSAGE) {
				memcpy(msg + mlen, pc.wp_data, pc.wp_len);
				mlen += pc.wp_len;
			}
			cl_log(ev, &pc, off + used, msg, mlen, log);
			if (ev == WSFRAME_MESSAGE)
				mlen = 0;
		}
	}
}

/* Run either side every way it can be split; each log must be want. */
static void
every_split(int client, const uint8_t *in, size_t len, const char *want)
{
	static char log[4096];
	size_t at, step = len > 1000 ? 97 : 1;
	int how;

	for (how = 0; how < 4; how++) {
		for (at = 0; at <= (how == 1 ? len : 0); at += step) {
			if (client)
				cl_run(in, len, how, at, log);
			else
				srv_run(in, len, how, at, log);
			if (strcmp(log, want) != 0 && fails++ < 20)
				fprintf(stderr, "%s split %d at %zu: got "
				    "\"%s\", want \"%s\"\n", client ?
				    "client" : "server", how, at, log, want);
		}
	}
}

#define RAW(s)	(const uint8_t *)(s), sizeof(s) - 1

/* RFC 6455 section 5.7, byte for byte. */
static void
rfc_examples(void)
{
	static uint8_t big[65536];
	size_t i;

	every_split(1, RAW("\x81\x05Hello"), "msg 5 Hello@7; ");
	every_split(0, RAW("\x81\x05Hello"), "err 1002");
	every_split(0, RAW("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"),
	    "1 Hello; ");
	every_split(1, RAW("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"),
	    "bad@2; ");
	every_split(1, RAW("\x01\x03Hel\x80\x02lo"), "msg 5 Hello@9; ");
	every_split(1, RAW("\x89\x05Hello"), "ping 5@7; ");
	every_split(0, RAW("\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"),
	    "a Hello; ");
	slen = 0;
	add(0, WSFRAME_OP_TEXT, "Hel", 3, 1);
	add(1, WSFRAME_OP_CONT, "lo", 2, 1);
	every_split(0, stream, slen, "1+ Hel; 0 lo; ");
	for (i = 0; i < sizeof(big); i++)
		big[i] = i * 7 + (i >> 8);
	memcpy(stream, "\x82\x7e\x01\x00", 4);
	memcpy(stream + 4, big, 256);
	every_split(1, stream, 260, line("msg 256", big, 256, "@260; "));
	memcpy(stream, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
	memcpy(stream + 10, big, 65536);
	every_split(1, stream, 65546, line("msg 65536", big, 65536,
	    "@65546; "));
	slen = 0;
	add(1, WSFRAME_OP_BINARY, big, 65536, 1);
	CHECK(slen == 65536 + 14);
	every_split(0, stream, slen, line("2", big, 65536, "; "));
}

/* The masked ping and unmasked pong of 5.7, and the ping's payload. */
static void
rfc_ping(void)
{
	struct wsframe_dec d;
	struct wsframe_piece pc;
	struct wsframe_hdr h;
	uint8_t b[16];
	size_t used;

	wsframe_dec_init(&d);
	CHECK(wsframe_feed(&d, "\x89\x05Hello\x8a", 8, &used, &pc) ==
	    WSFRAME_PING);
	CHECK(used == 7 && pc.wp_len == 5 && pc.wp_total == 5 &&
	    memcmp(pc.wp_data, "Hello", 5) == 0);
	CHECK(wsframe_feed(&d, "\x8a", 1, &used, &pc) == WSFRAME_MORE);
	CHECK(wsframe_feed(&d, "\x00", 1, &used, &pc) == WSFRAME_PONG);
	CHECK(used == 1 && pc.wp_total == 0);
	memcpy(b, "\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
	CHECK(wsframe_parse(b, 11, 125, &h) == WSFRAME_OK);
	CHECK(h.wh_opcode == WSFRAME_OP_PONG && h.wh_fin && h.wh_masked &&
	    h.wh_hlen == 6 && h.wh_len == 5 && memcmp(h.wh_key, key, 4) == 0);
	wsframe_unmask(b + 6, 5, h.wh_key, 0);
	CHECK(memcmp(b + 6, "Hello", 5) == 0);
}

/* Lengths 0, 125, 126, 65535, 65536: header sizes, both sides. */
static void
lengths(void)
{
	static const size_t lens[] = { 0, 1, 125, 126, 127, 65535, 65536 };
	static uint8_t pay[65536];
	uint8_t hb[WSFRAME_HDR_MAX];
	char pre[32], post[32];
	size_t i, hl;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		hl = lens[i] < 126 ? 2 : lens[i] < 65536 ? 4 : 10;
		CHECK(wsframe_header(hb, 1, 2, lens[i], NULL) == hl);
		CHECK(wsframe_header(hb, 1, 2, lens[i], key) == hl + 4);
		memset(pay, 'a' + (int)i, lens[i]);
		slen = 0;
		add(1, WSFRAME_OP_BINARY, pay, lens[i], 1);
		every_split(0, stream, slen, line("2", pay, lens[i], "; "));
		slen = 0;
		add(1, WSFRAME_OP_BINARY, pay, lens[i], 0);
		snprintf(pre, sizeof(pre), "msg %zu", lens[i]);
		snprintf(post, sizeof(post), "@%zu; ", slen);
		every_split(1, stream, slen, line(pre, pay, lens[i], post));
	}
	CHECK(wsframe_header(hb, 1, 2, 1ULL << 63, NULL) == 0);
	CHECK(wsframe_header(hb, 0, WSFRAME_OP_PING, 0, NULL) == 0);
	CHECK(wsframe_header(hb, 1, WSFRAME_OP_CLOSE, 126, NULL) == 0);
	CHECK(wsframe_header(hb, 1, 3, 0, NULL) == 0);
	CHECK(wsframe_header(hb, 1, 0x10 | 1, 0, NULL) == 0);
}

/* Server errors: whole, and every prefix gives SHORT or the same. */
static void
srv_error(const char *in, size_t len, uint64_t max, unsigned close)
{
	struct wsframe_hdr h;
	enum wsframe_status st;
	size_t k;

	CHECK(wsframe_parse(in, len, max, &h) == WSFRAME_ERROR);
	if (h.wh_close != close && fails++ < 20)
		fprintf(stderr, "error case %02x %02x: close %u, want %u\n",
		    (uint8_t)in[0], (uint8_t)in[1], h.wh_close, close);
	for (k = 0; k < len; k++) {
		st = wsframe_parse(in, k, max, &h);
		CHECK(st == WSFRAME_SHORT || (st == WSFRAME_ERROR &&
		    h.wh_close == close));
		CHECK(st != WSFRAME_SHORT || h.wh_hlen > k);
	}
}

#define K	"\1\2\3\4"

static void
srv_errors(void)
{
	char b[2];
	unsigned op;

	srv_error("\x81\x05Hello", 7, MAXLEN, 1002);
	srv_error("\xc1\x80" K, 6, MAXLEN, 1002);
	srv_error("\xa1\x80" K, 6, MAXLEN, 1002);
	srv_error("\x91\x80" K, 6, MAXLEN, 1002);
	for (op = 0; op < 16; op++) {
		b[0] = 0x80 | op;
		b[1] = 0x80;
		if (op >= 3 && op != 8 && op != 9 && op != 10)
			srv_error(b, 2, MAXLEN, 1002);
		if (op >= 8 && op <= 10) {
			b[0] = op;
			srv_error(b, 2, MAXLEN, 1002);	/* FIN=0 */
			b[0] = 0x80 | op;
			b[1] = 0x80 | 126;
			srv_error(b, 2, MAXLEN, 1002);
		}
	}
	srv_error("\x89\xff\x00\x00\x00\x00\x00\x00\x00\x01" K, 14,
	    MAXLEN, 1002);
	srv_error("\x82\xfe\x00\x7d" K, 8, MAXLEN, 1002);
	srv_error("\x82\xfe\x00\x00" K, 8, MAXLEN, 1002);
	srv_error("\x82\xff\x00\x00\x00\x00\x00\x00\xff\xff" K, 14,
	    MAXLEN, 1002);
	srv_error("\x82\xff\x80\x00\x00\x00\x00\x00\x00\x00" K, 14,
	    UINT64_MAX, 1002);
	srv_error("\x82\xff\xff\xff\xff\xff\xff\xff\xff\xff" K, 14,
	    UINT64_MAX, 1002);
	srv_error("\x82\x86" K "abcdef", 12, 5, 1009);
	srv_error("\x82\xfe\x00\x7e" K, 8, 125, 1009);
	srv_error("\x82\xff\x00\x00\x00\x00\x00\x01\x00\x00" K, 14,
	    65535, 1009);
	srv_error("\x02\xfe\x01\x00" K, 8, 255, 1009);
}

/* Client streams and the events they give. */
static const struct {
	const char	*in;
	size_t		 len;
	const char	*want;
} cases[] = {
#define C(s, w)	{ s, sizeof(s) - 1, w }
	C("\x81\x00\x82\x00", "msg 0@2; msg 0@4; "),
	C("\x01\x00\x00\x00\x80\x01x", "msg 1 x@7; "),
	C("\x01\x02" "ab\x89\x01p\x8a\x00\x80\x01" "c",
	    "ping 1@7; pong 0@9; msg 3 abc@12; "),
	C("\x0a\x00", "bad@1; "),
	C("\x88\x00", "close 1005 0@2; "),
	C("\x88\x05\x03\xe8" "bye\x81", "close 1000 3@7; bad@7; "),
	C("\x88\x02\x0f\xa0", "close 4000 0@4; "),
	C("\x88\x01\x03", "bad@2; "),
	C("\x82\x80" K, "bad@2; "),
	C("\xc1\x00", "bad@1; "),
	C("\xa1\x00", "bad@1; "),
	C("\x91\x00", "bad@1; "),
	C("\x83\x00", "bad@1; "),
	C("\x8b\x00", "bad@1; "),
	C("\x8f\x00", "bad@1; "),
	C("\x09\x00", "bad@1; "),
	C("\x89\x7e\x00\x7e", "bad@2; "),
	C("\x80\x00", "bad@1; "),
	C("\x00\x00", "bad@1; "),
	C("\x01\x00\x81\x00", "bad@3; "),
	C("\x01\x00\x02\x00", "bad@3; "),
	C("\x82\x7e\x00\x7d", "bad@4; "),
	C("\x82\x7f\x00\x00\x00\x00\x00\x00\xff\xff", "bad@10; "),
	C("\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", "bad@3; "),
	C("\x82\x7e\x00\x7e", ""),
	C("\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff" "abc", ""),
#undef C
};

/* Mask whole, unmask in pieces at odd offsets and addresses. */
static void
masking(void)
{
	uint8_t orig[1000], buf[1001], k[4] = { 0xde, 0xad, 0xbe, 0xef };
	size_t off, n, i;
	int round;

	for (i = 0; i < sizeof(orig); i++)
		orig[i] = rand();
	for (round = 0; round < 200; round++) {
		memcpy(buf + 1, orig, sizeof(orig));
		wsframe_unmask(buf + 1, sizeof(orig), k, 0);
		for (i = 0; i < sizeof(orig); i++)
			CHECK(buf[1 + i] == (orig[i] ^ k[i & 3]));
		for (off = 0; off < sizeof(orig); off += n) {
			n = 1 + (size_t)rand() % 37;
			if (n > sizeof(orig) - off)
				n = sizeof(orig) - off;
			wsframe_unmask(buf + 1 + off, n, k, off);
		}
		CHECK(memcmp(buf + 1, orig, sizeof(orig)) == 0);
	}
}

/* Close payloads checked: codes and UTF-8 reasons. */
static void
close_check(void)
{
	static const struct {
		const char *p; size_t n; int rc; unsigned code;
	} t[] = {
		{ "", 0, 0, 1005 }, { "\x03", 1, 1002, 1005 },
		{ "\x03\xe8", 2, 0, 1000 }, { "\x03\xeb", 2, 0, 1003 },
		{ "\x03\xe7", 2, 1002, 999 }, { "\x00\x00", 2, 1002, 0 },
		{ "\x03\xec", 2, 1002, 1004 }, { "\x03\xed", 2, 1002, 1005 },
		{ "\x03\xee", 2, 1002, 1006 }, { "\x03\xef", 2, 0, 1007 },
		{ "\x03\xf6", 2, 0, 1014 }, { "\x03\xf7", 2, 1002, 1015 },
		{ "\x03\xf8", 2, 1002, 1016 }, { "\x0b\xb7", 2, 1002, 2999 },
		{ "\x0b\xb8", 2, 0, 3000 }, { "\x13\x87", 2, 0, 4999 },
		{ "\x13\x88", 2, 1002, 5000 }, { "\xff\xff", 2, 1002, 65535 },
		{ "\x03\xe8\xc3\xa9t\xc3\xa9", 7, 0, 1000 },
		{ "\x03\xe8\xf0\x9f\x98\x80", 6, 0, 1000 },
		{ "\x03\xe8\xff", 3, 1007, 1000 },
		{ "\x03\xe8\xc0\x80", 4, 1007, 1000 },
		{ "\x03\xe8\xe0\x80\xaf", 5, 1007, 1000 },
		{ "\x03\xe8\xed\xa0\x80", 5, 1007, 1000 },
		{ "\x03\xe8\xe2\x82", 4, 1007, 1000 },
		{ "\x03\xe8\xf4\x90\x80\x80", 6, 1007, 1000 },
		{ "\x03\xe8\x80", 3, 1007, 1000 },
	};
	char r[126] = "";
	unsigned code;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(wsframe_close_check(t[i].p, t[i].n, &code) == t[i].rc);
		if (code != t[i].code && fails++ < 20)
			fprintf(stderr, "close case %zu: code %u\n", i, code);
	}
	CHECK(wsframe_close_check(r, 126, &code) == 1002);
}

/* Close payloads built: codes refused, long reasons cut whole. */
static void
close_build(void)
{
	uint8_t b[WSFRAME_CTL_MAX + 8];
	char r[200];
	unsigned code;

	CHECK(wsframe_close_build(b, 0, "x", 1) == 0);
	CHECK(wsframe_close_build(b, 1005, "", 0) == -1 && errno == EINVAL);
	CHECK(wsframe_close_build(b, 1000, "bye", 3) == 5);
	CHECK(memcmp(b, "\x03\xe8" "bye", 5) == 0);
	memset(r, 'a', sizeof(r));
	CHECK(wsframe_close_build(b, 4000, r, sizeof(r)) == 125);
	memcpy(r + 121, "\xe2\x82\xac", 3);	/* a euro sign over the cut */
	CHECK(wsframe_close_build(b, 4000, r, sizeof(r)) == 123);
	CHECK(wsframe_close_check(b, 123, &code) == 0 && code == 4000);
}

int
main(void)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	size_t i, map = (BIG + pagesz - 1) / pagesz * pagesz;

	if ((guard = mmap(NULL, map + pagesz, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED ||
	    mprotect(guard + map, pagesz, PROT_NONE) == -1) {
		perror("wsframe_test: mmap");
		return 1;
	}
	guard += map - BIG;
	srand(42);
	rfc_examples();
	rfc_ping();
	lengths();
	srv_errors();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		every_split(1, (const uint8_t *)cases[i].in, cases[i].len,
		    cases[i].want);
	masking();
	close_check();
	close_build();
	if (fails) {
		fprintf(stderr, "wsframe_test: %d failed\n", fails);
		return 1;
	}
	printf("wsframe_test: ok\n");
	return 0;
}
