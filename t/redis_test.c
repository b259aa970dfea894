/*
 * redis_test.c: the Redis link (lib/server/redis.c) against a scripted
 * server in the same process: HELLO 3 first, replies matched to their
 * commands in order while pushes go aside, SUBSCRIBE answered by its
 * push or by an error, replies cut into single bytes or larger than the
 * first buffer, a thousand commands in flight, and the faults: a reply
 * out of step, a server too old, a server that closes; each brings the
 * link down, tells every command still due, and a retry after the
 * backoff brings it up again.  Exit 0 if all pass.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "net.h"
#include "server/redis.h"

static int fails;
static FILE *errs;		/* stderr before the link's log went away */

#define CHECK(c) do { if (!(c) && fails++ < 30) \
	fprintf(errs, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

static struct loop lp;
static struct redis rd;
static int lfd = -1;		/* the scripted server's listener */
static int sfd = -1;		/* ... and its connection */
static int ups, downs, pushes;
static char got[8192];		/* what the callbacks saw, in order */

static void
up(void *arg)
{
	(void)arg;
	ups++;
}

static void
down(void *arg)
{
	(void)arg;
	downs++;
}

static void
push(void *arg, const struct resp_item *it, size_t n)
{
	(void)arg;
	pushes++;
	snprintf(got + strlen(got), sizeof(got) - strlen(got), "push:%.*s ",
	    n == 4 ? (int)it[3].ri_len : 0, n == 4 ? it[3].ri_str : "");
}

static const struct redis_ops ops = {
	.rxo_up = up, .rxo_down = down, .rxo_push = push,
};

/* A reply: its first string (or "-" for none) goes to got. */
static void
reply(void *arg, void *ctx, const struct resp_item *it, size_t n)
{
	size_t o = strlen(got);

	(void)arg;
	if (it == NULL)
		snprintf(got + o, sizeof(got) - o, "%s=lost ", (char *)ctx);
	else if (it->ri_type == RESP_PUSH && n > 1)
		snprintf(got + o, sizeof(got) - o, "%s=>%.*s ", (char *)ctx,
		    (int)it[1].ri_len, it[1].ri_str);
	else
		snprintf(got + o, sizeof(got) - o, "%s=%.*s ", (char *)ctx,
		    it->ri_len > 16 ? 16 : (int)it->ri_len,
		    it->ri_str != NULL ? it->ri_str : "");
}

static void
cmd(const char *a, const char *b, int sub, void *ctx)
{
	const char *argv[2] = { a, b };

	CHECK(redis_command(&rd, 2, argv, NULL, sub, reply, ctx) == 0);
}

static long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run the client's loop until *flag reaches want (5 s at most). */
static int
pump_until(int *flag, int want)
{
	long end = ms_now() + 5000;

	while (*flag < want && ms_now() < end) {
		redis_flush(&rd);
		(void)loop_once(&lp, 10);
	}
	return *flag >= want ? 0 : -1;
}

static void
pump(int rounds)
{
	while (rounds-- > 0) {
		redis_flush(&rd);
		(void)loop_once(&lp, 5);
	}
}

/* The server accepts the client's next connection (5 s at most). */
static int
server_accept(void)
{
	long end = ms_now() + 5000;

	while (ms_now() < end) {
		pump(1);
		if ((sfd = accept(lfd, NULL, NULL)) != -1)
			return fcntl(sfd, F_SETFL, O_NONBLOCK);
	}
	return -1;
}

/* The server reads until it has seen want bytes ending in text. */
static int
server_expect(const char *text)
{
	static char buf[65536];
	size_t have = 0, n = strlen(text);
	struct pollfd p = { sfd, POLLIN, 0 };
	long end = ms_now() + 5000;
	ssize_t k;

	while (ms_now() < end) {
		pump(1);
		if (poll(&p, 1, 5) == 1 && (k = read(sfd, buf + have,
		    sizeof(buf) - have)) > 0)
			have += (size_t)k;
		if (have >= n && memcmp(buf + have - n, text, n) == 0)
			return 0;
	}
	fprintf(errs, "server saw %.*s\n", (int)have, buf);
	return -1;
}

/* The server writes s[0..n), as the client reads. */
static void
server_write(const char *s, size_t n)
{
	long end = ms_now() + 5000;
	ssize_t k;

	while (n > 0 && ms_now() < end) {
		if ((k = write(sfd, s, n)) > 0) {
			s += k;
			n -= (size_t)k;
		} else
			pump(1);
	}
	CHECK(n == 0);
}

static void
server_say(const char *s)
{
	server_write(s, strlen(s));
}

static const char hello[] = "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n";
static const char hello7[] = "%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n"
    "$7\r\nversion\r\n$6\r\n7.0.15\r\n";

/* A connection comes, says HELLO 3, and is answered by a version 7. */
static void
connect_up(int n)
{
	CHECK(server_accept() == 0);
	CHECK(server_expect(hello) == 0);
	server_say(hello7);
	CHECK(pump_until(&ups, n) == 0);
	CHECK(redis_up(&rd));
}

static void
test_order(void)
{
	const char *s = "$1\r\na\r\n>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n"
	    "$2\r\nhi\r\n>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
	    "$1\r\nb\r\n-ERR no\r\n";

	got[0] = '\0';
	cmd("GET", "x", 0, "x");
	cmd("SUBSCRIBE", "ch", 1, "sub");
	cmd("GET", "y", 0, "y");
	cmd("SUBSCRIBE", "z", 1, "subz");
	CHECK(server_expect("$9\r\nSUBSCRIBE\r\n$1\r\nz\r\n") == 0);
	/* one byte at a time: every reply is parsed again as it grows */
	for (; *s != '\0'; s++) {
		server_write(s, 1);
		pump(1);
	}
	pump(5);
	CHECK(strcmp(got, "x=a push:hi sub=>subscribe y=b subz=ERR no ") ==
	    0);
}

/* A reply larger than the first read buffer, and a thousand in flight. */
static void
test_big(void)
{
	size_t n = 300000, h, i;
	char *b;

	got[0] = '\0';
	CHECK(redis_command(&rd, 1, (const char *[]){ "BIG" }, NULL, 0, reply,
	    "big") == 0);
	CHECK(server_expect("$3\r\nBIG\r\n") == 0);
	if ((b = malloc(n + 32)) == NULL)
		abort();
	h = (size_t)sprintf(b, "$%zu\r\n", n);
	memset(b + h, 'q', n);
	memcpy(b + h + n, "\r\n", 2);
	server_write(b, h + n + 2);
	free(b);
	for (i = 0; i < 200 && got[0] == '\0'; i++)
		pump(1);
	CHECK(strcmp(got, "big=qqqqqqqqqqqqqqqq ") == 0);
	got[0] = '\0';
	for (i = 0; i < 1000; i++)
		cmd("INCR", "k", 0, "i");
	CHECK(server_expect("$4\r\nINCR\r\n$1\r\nk\r\n") == 0);
	for (i = 0; i < 1000; i++)
		server_say("+OK\r\n");
	for (i = 0; i < 500 && strlen(got) < 5000; i++)
		pump(1);
	CHECK(strlen(got) == 5000);
	for (i = 0; i < 1000; i++)
		CHECK(memcmp(got + 5 * i, "i=OK ", 5) == 0);
}

/* A reply out of step: down, the due commands told, then up again. */
static void
test_step(void)
{
	got[0] = '\0';
	cmd("GET", "q", 0, "q");
	cmd("GET", "r", 0, "r");
	CHECK(server_expect("$3\r\nGET\r\n$1\r\nr\r\n") == 0);
	server_say(">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
	CHECK(pump_until(&downs, 1) == 0);
	CHECK(strcmp(got, "q=lost r=lost ") == 0);
	CHECK(!redis_up(&rd));
	errno = 0;
	CHECK(redis_command(&rd, 1, (const char *[]){ "PING" }, NULL, 0,
	    reply, "p") == -1 && errno == ENOTCONN);
	close(sfd);
}

/* Too old a server keeps the link down; the next retry comes later. */
static void
test_old(void)
{
	long t0 = ms_now(), t1;

	CHECK(server_accept() == 0);
	CHECK(server_expect(hello) == 0);
	server_say("%1\r\n$7\r\nversion\r\n$6\r\n6.2.14\r\n");
	pump(20);
	CHECK(ups == 1 && !redis_up(&rd));
	close(sfd);
	/* backed off: 100 ms, then 200 ms */
	CHECK(server_accept() == 0);
	t1 = ms_now();
	CHECK(t1 - t0 >= 190);
	CHECK(server_expect(hello) == 0);
	server_say(hello7);
	CHECK(pump_until(&ups, 2) == 0);
	CHECK(rd.rx_ups == 2 && downs == 1);
}

/* The server goes away with a command due. */
static void
test_close(void)
{
	got[0] = '\0';
	cmd("GET", "s", 0, "s");
	CHECK(server_expect("$3\r\nGET\r\n$1\r\ns\r\n") == 0);
	close(sfd);
	CHECK(pump_until(&downs, 2) == 0);
	CHECK(strcmp(got, "s=lost ") == 0);
	connect_up(3);
}

int
main(void)
{
	struct sockaddr_in sa;

	/* the link logs its changes on stderr: not here */
	if ((errs = fdopen(dup(2), "w")) == NULL || dup2(open("/dev/null",
	    O_WRONLY), 2) == -1)
		return 1;
	setvbuf(errs, NULL, _IONBF, 0);
	log_init("redis_test", 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = net_listen("127.0.0.1", 0, 16)) == -1 ||
	    (sa.sin_port = htons(net_port(lfd))) == 0 ||
	    loop_init(&lp, NULL, NULL) == -1 ||
	    redis_init(&rd, &lp, (struct sockaddr *)&sa, sizeof(sa),
	    "test", 0, &ops, NULL) == -1) {
		fprintf(errs, "redis_test: setup: %s\n", strerror(errno));
		return 1;
	}
	connect_up(1);
	test_order();
	test_big();
	test_step();
	test_old();
	test_close();
	redis_free(&rd);
	if (fails) {
		fprintf(errs, "redis_test: %d failed\n", fails);
		return 1;
	}
	printf("redis_test: ok\n");
	return 0;
}
