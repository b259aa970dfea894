/*
 * floodserve: a streaming server for cometflood's tests, for what cometd
 * never does (or does not do yet).  Listens on 127.0.0.1, prints "port
 * N", then serves each connection in turn by mode:
 *   silent  accept and never answer (the client times out)
 *   eof     a 200 chunked head, half a chunk, then close
 *   bad     a 200 chunked head, then a chunk size that is not hex
 *   bytes   a head and three chunks written one byte at a time, then hold
 *   late    a head and one message stamped 200 ms before it is sent
 *   cut     a head and one stamped message written in two pieces 100 ms
 *           apart, the cut inside the stamp's digits
 * usage: floodserve mode
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char head[] =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
static const char chunks[] = "6\r\nhello\n\r\n4;x=1\r\nabc\n\r\n"
    "19\r\nChunk 3 for id 1 (split)\n\r\n";

static void
put(int fd, const char *s, size_t len)
{
	(void)!write(fd, s, len);
}

/* The wall clock in µs, as cometgen -m stamps it. */
static unsigned long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One chunk holding msg; with cut > 0, written in two pieces. */
static void
put_chunk(int fd, const char *msg, size_t cut)
{
	char buf[512];
	int n;

	n = snprintf(buf, sizeof(buf), "%zx\r\n%s\r\n", strlen(msg), msg);
	if (cut == 0) {
		put(fd, buf, n);
		return;
	}
	cut += strchr(buf, '\n') + 1 - buf;
	put(fd, buf, cut);
	usleep(100000);
	put(fd, buf + cut, n - cut);
}

/* A message stamped ago µs in the past, as cometd frames it. */
static void
put_stamped(int fd, unsigned long long ago, size_t cut)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "Recvd msg #1: 't=%llu n=1'\n",
	    now_us() - ago);
	put_chunk(fd, msg, cut);
}

static void
serve(const char *mode, int fd)
{
	char req[4096];
	size_t i;
	int one = 1;

	if (strcmp(mode, "silent") == 0)
		return;		/* keep it open, say nothing */
	(void)!read(fd, req, sizeof(req));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (strcmp(mode, "bytes") == 0) {
		for (i = 0; i < sizeof(head) - 1; i++) {
			put(fd, head + i, 1);
			usleep(1000);
		}
		for (i = 0; i < sizeof(chunks) - 1; i++) {
			put(fd, chunks + i, 1);
			usleep(1000);
		}
		return;
	}
	put(fd, head, sizeof(head) - 1);
	if (strcmp(mode, "eof") == 0) {
		put(fd, "5\r\nab", 5);
		close(fd);
	} else if (strcmp(mode, "bad") == 0)
		put(fd, "zz\r\nhello\r\n", 11);
	else if (strcmp(mode, "late") == 0)
		put_stamped(fd, 200000, 0);
	else
		put_stamped(fd, 0, 25);	/* "Recvd msg #1: 't=" + 8 */
}

int
main(int argc, char *argv[])
{
	static const char *modes[] = { "silent", "eof", "bad", "bytes",
	    "late", "cut" };
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	size_t i;
	int ls, fd;

	for (i = 0; argc == 2 && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(argv[1], modes[i]) == 0)
			break;
	if (argc != 2 || i == sizeof(modes) / sizeof(modes[0])) {
		fprintf(stderr, "usage: floodserve silent|eof|bad|bytes|late|"
		    "cut\n");
		return 2;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(ls, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(ls, 128) == -1 ||
	    getsockname(ls, (struct sockaddr *)&sin, &len) == -1)
		err(1, "listen");
	printf("port %d\n", ntohs(sin.sin_port));
	fflush(stdout);
	while ((fd = accept(ls, NULL, NULL)) != -1)
		serve(argv[1], fd);
	err(1, "accept");
}
