/*
 * cluster_test.c: what a cometd node reads back from Redis
 * (lib/server/cluster_wire.c): pub/sub pushes on our channels, the
 * resume script's reply, the publish scripts' counts; every other shape
 * refused.  Replies are RESP3 as Redis 7 sends them, parsed by resp_parse
 * from the end of a page followed by a PROT_NONE page, so that a read
 * past them faults.  Also msgid_prev (the welcome's position before a
 * Redis id) and net_resolve (-r's host:port).  Exit 0 if all pass.
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "server/blob.h"
#include "server/cluster_wire.h"
#include "server/msgid.h"
#include "server/resp.h"

#define NITEMS	64

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 30) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

static char *guard;		/* a page followed by a PROT_NONE page */
static long pagesz;
static struct resp_item it[NITEMS];
static size_t nit;

/* Parse one whole reply, placed at the end of the guarded page. */
static int
parse(const char *in)
{
	static const struct resp_limits lim = { NITEMS, 8, 4096 };
	size_t len = strlen(in), used;
	char *p = guard + pagesz - len;

	memcpy(p, in, len);
	if (resp_parse(p, len, &lim, it, &nit, &used) != RESP_OK ||
	    used != len)
		return -1;
	return 0;
}

static int
eq(const char *p, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(p, s, n) == 0;
}

static void
test_push(void)
{
	struct cluster_msg m;

	CHECK(parse(">3\r\n$7\r\nmessage\r\n$13\r\ncomet:m:alice\r\n"
	    "$18\r\n1700000000000-3 hi\r\n") == 0);
	CHECK(cluster_wire_push(it, nit, &m) == 0);
	CHECK(eq(m.cm_id, m.cm_idlen, "alice"));
	CHECK(m.cm_mid.mi_a == 1700000000000ull && m.cm_mid.mi_b == 3);
	CHECK(eq(m.cm_data, m.cm_len, "hi"));
	/* the message may hold anything, spaces and newlines included */
	CHECK(parse(">3\r\n$7\r\nmessage\r\n$9\r\ncomet:m:x\r\n"
	    "$10\r\n1-0 a b\r\nc\r\n") == 0);
	CHECK(cluster_wire_push(it, nit, &m) == 0 && eq(m.cm_data, m.cm_len,
	    "a b\r\nc"));
	/* an empty message after the id's space */
	CHECK(parse(">3\r\n$7\r\nmessage\r\n$9\r\ncomet:m:x\r\n$4\r\n1-0 \r\n")
	    == 0);
	CHECK(cluster_wire_push(it, nit, &m) == 0 && m.cm_len == 0);
	/* a broadcast: no Id, a position */
	CHECK(parse(">3\r\n$7\r\nmessage\r\n$7\r\ncomet:b\r\n"
	    "$29\r\n5-18446744073709551615 to all\r\n") == 0);
	CHECK(cluster_wire_push(it, nit, &m) == 0 && m.cm_id == NULL);
	CHECK(m.cm_mid.mi_a == 5 && m.cm_mid.mi_b == UINT64_MAX);
	CHECK(eq(m.cm_data, m.cm_len, "to all"));
}

static void
test_push_refused(void)
{
	static const char *bad[] = {
		/* not ours: channel, kind, shape */
		">3\r\n$7\r\nmessage\r\n$5\r\nother\r\n$5\r\n1-0 x\r\n",
		">3\r\n$7\r\nmessage\r\n$8\r\ncomet:m:\r\n$5\r\n1-0 x\r\n",
		">3\r\n$7\r\nmessage\r\n$8\r\ncomet:bb\r\n$5\r\n1-0 x\r\n",
		">3\r\n$9\r\nsubscribe\r\n$9\r\ncomet:m:x\r\n:1\r\n",
		">4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$9\r\ncomet:m:x\r\n"
		    "$5\r\n1-0 x\r\n",
		"*3\r\n$7\r\nmessage\r\n$9\r\ncomet:m:x\r\n$5\r\n1-0 x\r\n",
		">3\r\n$7\r\nmessage\r\n$9\r\ncomet:m:x\r\n:5\r\n",
		/* the payload must start with an id and a space */
		">3\r\n$7\r\nmessage\r\n$9\r\ncomet:m:x\r\n$3\r\n1-0\r\n",
		">3\r\n$7\r\nmessage\r\n$9\r\ncomet:m:x\r\n$5\r\n01-0 \r\n",
		">3\r\n$7\r\nmessage\r\n$9\r\ncomet:m:x\r\n$5\r\nx y z\r\n",
		">3\r\n$7\r\nmessage\r\n$9\r\ncomet:m:x\r\n$45\r\n"
		    "1-000000000000000000000000000000000000000001 \r\n",
	};
	struct cluster_msg m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(parse(bad[i]) == 0);
		if (cluster_wire_push(it, nit, &m) != -1)
			fprintf(stderr, "push %zu: accepted\n", i), fails++;
	}
}

/* A replay, recorded. */
struct got {
	int		 n;
	char		 text[256];
};

static void
record(void *arg, struct blob *b)
{
	struct got *g = arg;
	char id[MSGID_MAX + 1];
	size_t o = strlen(g->text);

	msgid_format(id, &b->b_id);
	snprintf(g->text + o, sizeof(g->text) - o, "%s=%.*s ", id,
	    (int)b->b_len, b->b_data);
	g->n++;
}

static void
test_found(void)
{
	struct cluster_found f;
	struct got g;

	CHECK(parse("*6\r\n$4\r\n10-0\r\n:1\r\n$3\r\n8-0\r\n$2\r\nm8\r\n"
	    "$3\r\n9-4\r\n$0\r\n\r\n") == 0);
	CHECK(cluster_wire_found(it, nit, &f) == 0);
	CHECK(f.cf_gap == HISTORY_EVICTED && f.cf_n == 2);
	CHECK(f.cf_pos.mi_a == 10 && f.cf_pos.mi_b == 0);
	memset(&g, 0, sizeof(g));
	cluster_wire_each(&f, record, &g);
	CHECK(g.n == 2 && strcmp(g.text, "8-0=m8 9-4= ") == 0);
	/* nothing to replay, a position just before the clock */
	CHECK(parse("*2\r\n$22\r\n7-18446744073709551615\r\n:0\r\n") == 0);
	CHECK(cluster_wire_found(it, nit, &f) == 0 && f.cf_n == 0 &&
	    f.cf_gap == HISTORY_WHOLE && f.cf_pos.mi_b == UINT64_MAX);
	CHECK(parse("*2\r\n$3\r\n1-1\r\n:3\r\n") == 0);
	CHECK(cluster_wire_found(it, nit, &f) == 0 &&
	    f.cf_gap == HISTORY_UNKNOWN);
}

static void
test_found_refused(void)
{
	static const char *bad[] = {
		"-NOSCRIPT No matching script.\r\n",
		"-ERR Error running script\r\n",
		"*1\r\n$3\r\n1-1\r\n",
		"*2\r\n$3\r\n1-1\r\n:4\r\n",
		"*2\r\n$3\r\n1-1\r\n:-1\r\n",
		"*2\r\n$1\r\n1\r\n:0\r\n",
		"*2\r\n:1\r\n:0\r\n",
		"*3\r\n$3\r\n1-1\r\n:0\r\n$3\r\n2-0\r\n",
		"*4\r\n$3\r\n1-1\r\n:0\r\n$1\r\nx\r\n$1\r\nm\r\n",
		"*4\r\n$3\r\n1-1\r\n:0\r\n$3\r\n2-0\r\n:5\r\n",
		"*4\r\n$3\r\n1-1\r\n:0\r\n*2\r\n$3\r\n2-0\r\n$1\r\nm\r\n"
		    "$1\r\nm\r\n",
		"_\r\n",
	};
	struct cluster_found f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i]) == -1) {
			fprintf(stderr, "found %zu: does not parse\n", i);
			fails++;
		} else if (cluster_wire_found(it, nit, &f) != -1) {
			fprintf(stderr, "found %zu: accepted\n", i);
			fails++;
		}
	}
}

static void
test_published(void)
{
	long long c = -1;

	CHECK(parse("*2\r\n$3\r\n5-0\r\n:2\r\n") == 0);
	CHECK(cluster_wire_published(it, nit, &c) == 0 && c == 2);
	CHECK(parse(":0\r\n") == 0);
	CHECK(cluster_wire_published(it, nit, &c) == 0 && c == 0);
	CHECK(parse("-OOM command not allowed\r\n") == 0);
	CHECK(cluster_wire_published(it, nit, &c) == -1);
	CHECK(parse(":-1\r\n") == 0);
	CHECK(cluster_wire_published(it, nit, &c) == -1);
	CHECK(parse("*2\r\n$3\r\n5-0\r\n$1\r\n2\r\n") == 0);
	CHECK(cluster_wire_published(it, nit, &c) == -1);
	CHECK(parse("*3\r\n$3\r\n5-0\r\n:1\r\n:1\r\n") == 0);
	CHECK(cluster_wire_published(it, nit, &c) == -1);
}

static void
test_names(void)
{
	char buf[CLUSTER_NAME_MAX], id[300];
	size_t n;

	n = cluster_wire_name(buf, CLUSTER_CHAN, "alice", 5);
	CHECK(eq(buf, n, "comet:m:alice"));
	n = cluster_wire_name(buf, CLUSTER_ALL, "", 0);
	CHECK(eq(buf, n, "comet:b"));
	memset(id, 'i', sizeof(id));
	n = cluster_wire_name(buf, CLUSTER_KEY, id, 255);
	CHECK(n == 8 + 255 && buf[8 + 254] == 'i');
	n = cluster_wire_name(buf, CLUSTER_KEY, id, sizeof(id));
	CHECK(n == CLUSTER_NAME_MAX);
}

static void
test_prev(void)
{
	struct msgid a = { 7, 3 }, b = { 7, 0 }, z = { 0, 0 }, p;

	p = msgid_prev(&a);
	CHECK(p.mi_a == 7 && p.mi_b == 2);
	p = msgid_prev(&b);
	CHECK(p.mi_a == 6 && p.mi_b == UINT64_MAX);
	CHECK(msgid_cmp(&p, &b) < 0);
	p = msgid_prev(&z);
	CHECK(p.mi_a == 0 && p.mi_b == 0);
}

/* The port and family net_resolve found for s, or -1 if refused. */
static int
resolve(const char *s, int *family)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (net_resolve(s, 6379, &ss, &len) == -1)
		return -1;
	*family = ss.ss_family;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void
test_resolve(void)
{
	static const char *bad[] = { "", ":6379", "127.0.0.1:", "127.0.0.1:0",
	    "127.0.0.1:65536", "127.0.0.1:+5", "127.0.0.1:5x", "[::1",
	    "[::1]x", "[]:5", "[::1]:" };
	size_t i;
	int fam = 0;

	CHECK(resolve("127.0.0.1:6380", &fam) == 6380 && fam == AF_INET);
	CHECK(resolve("127.0.0.1", &fam) == 6379 && fam == AF_INET);
	CHECK(resolve("[::1]:7000", &fam) == 7000 && fam == AF_INET6);
	CHECK(resolve("::1", &fam) == 6379 && fam == AF_INET6);
	CHECK(resolve("localhost:1", &fam) == 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		if (resolve(bad[i], &fam) != -1 || errno != EINVAL) {
			fprintf(stderr, "resolve \"%s\": accepted\n", bad[i]);
			fails++;
		}
	}
	errno = 0;
	CHECK(resolve("no-such-host.invalid:5", &fam) == -1 &&
	    errno == EADDRNOTAVAIL);
}

int
main(void)
{
	pagesz = sysconf(_SC_PAGESIZE);
	guard = mmap(NULL, 2 * pagesz, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED || mprotect(guard + pagesz, pagesz,
	    PROT_NONE) == -1) {
		perror("cluster_test: mmap");
		return 1;
	}
	test_push();
	test_push_refused();
	test_found();
	test_found_refused();
	test_published();
	test_names();
	test_prev();
	test_resolve();
	if (fails) {
		fprintf(stderr, "cluster_test: %d failed\n", fails);
		return 1;
	}
	printf("cluster_test: ok\n");
	return 0;
}
