/*
 * floodserve: a misbehaving streaming server for cometflood's tests, for
 * what cometd never does.  Listens on 127.0.0.1, prints "port N", then
 * serves each connection in turn by mode:
 *   silent  accept and never answer (the client times out)
 *   eof     a 200 chunked head, half a chunk, then close
 *   bad     a 200 chunked head, then a chunk size that is not hex
 *   bytes   a head and three chunks written one byte at a time, then hold
 * usage: floodserve mode
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <stdio.h>
#include <string.h>
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

static void
serve(const char *mode, int fd)
{
	char req[4096];
	size_t i;
	int one = 1;

	if (strcmp(mode, "silent") == 0)
		return;		/* keep it open, say nothing */
	(void)!read(fd, req, sizeof(req));
	if (strcmp(mode, "eof") == 0) {
		put(fd, head, sizeof(head) - 1);
		put(fd, "5\r\nab", 5);
		close(fd);
	} else if (strcmp(mode, "bad") == 0) {
		put(fd, head, sizeof(head) - 1);
		put(fd, "zz\r\nhello\r\n", 11);
	} else {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		for (i = 0; i < sizeof(head) - 1; i++) {
			put(fd, head + i, 1);
			usleep(1000);
		}
		for (i = 0; i < sizeof(chunks) - 1; i++) {
			put(fd, chunks + i, 1);
			usleep(1000);
		}
	}
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int ls, fd;

	if (argc != 2 || (strcmp(argv[1], "silent") && strcmp(argv[1], "eof") &&
	    strcmp(argv[1], "bad") && strcmp(argv[1], "bytes"))) {
		fprintf(stderr, "usage: floodserve silent|eof|bad|bytes\n");
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
