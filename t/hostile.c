/*
 * hostile: a misbehaving HTTP client for t/60-hostile.bats, doing what
 * printf over /dev/tcp cannot: pacing a request one byte per write,
 * resetting a connection, half-closing it, and holding a crowd of them.
 *
 * usage: hostile [-a addr] [-c conns] [-d ms] [-t secs] mode port [request]
 *
 * The request takes C escapes (\r \n \t \0 \\ \xHH).  Modes:
 *   bytes  send the request one byte per write, -d ms apart, then copy the
 *          response to stdout until EOF or -t seconds
 *   half   send the request, shut down our write side, copy the response
 *          to stdout; exit 0 if the server closed within -t, else 1
 *   reset  send the request, wait for the first response bytes, then close
 *          with SO_LINGER 0 so the kernel sends RST
 *   crowd  open -c connections, send the request on each, and watch them
 *          for -t seconds or until the server closed all; print
 *          "conns N connected C closed K" and one "status S count" line per
 *          status code seen
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "num.h"

#define MAXCONNS	20000

struct hconn {
	int	 h_fd;
	int	 h_status;	/* first status code seen, 0 none yet */
	int	 h_closed;	/* server closed or reset */
	size_t	 h_got;		/* response bytes kept in h_head */
	char	 h_head[16];	/* start of the response */
};

static const char	*addr = "127.0.0.1";
static int		 port;
static char		 req[65536];
static size_t		 reqlen;

static void
usage(FILE *f, int status)
{
	fprintf(f, "usage: hostile [-a addr] [-c conns] [-d ms] [-t secs] "
	    "mode port [request]\n");
	exit(status);
}

/* Decode the escapes of s into req; NUL bytes are why we do it ourselves. */
static void
unescape(const char *s)
{
	for (reqlen = 0; *s != '\0' && reqlen < sizeof(req); s++) {
		if (*s != '\\' || s[1] == '\0') {
			req[reqlen++] = *s;
			continue;
		}
		switch (*++s) {
		case 'r': req[reqlen++] = '\r'; break;
		case 'n': req[reqlen++] = '\n'; break;
		case 't': req[reqlen++] = '\t'; break;
		case '0': req[reqlen++] = '\0'; break;
		case 'x':
			if (num_hexdigit(s[1]) < 0 || num_hexdigit(s[2]) < 0)
				errx(2, "bad \\x escape");
			req[reqlen++] = num_hexdigit(s[1]) * 16 +
			    num_hexdigit(s[2]);
			s += 2;
			break;
		default: req[reqlen++] = *s; break;
		}
	}
}

static int
dial(int nonblock)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		errx(2, "bad address: %s", addr);
	if ((fd = socket(AF_INET, SOCK_STREAM |
	    (nonblock ? SOCK_NONBLOCK : 0), 0)) == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
sendall(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1)
			err(1, "write");
		p += w;
		n -= w;
	}
}

/* Copy fd to stdout until EOF (returns 0) or secs pass (returns 1). */
static int
drain(int fd, int secs)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	char		 buf[4096];
	ssize_t		 r;
	time_t		 end = time(NULL) + secs;

	while (time(NULL) < end) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((r = read(fd, buf, sizeof(buf))) <= 0)
			return 0;
		fwrite(buf, 1, r, stdout);
		fflush(stdout);
	}
	return 1;
}

static int
mode_bytes(int delay, int secs)
{
	struct timespec	 ts = { delay / 1000, (delay % 1000) * 1000000L };
	size_t		 i;
	int		 fd;

	if ((fd = dial(0)) == -1)
		err(1, "connect %s port %d", addr, port);
	for (i = 0; i < reqlen; i++) {
		sendall(fd, req + i, 1);
		nanosleep(&ts, NULL);
	}
	drain(fd, secs);
	return 0;
}

static int
mode_half(int secs)
{
	int	 fd;

	if ((fd = dial(0)) == -1)
		err(1, "connect %s port %d", addr, port);
	sendall(fd, req, reqlen);
	if (shutdown(fd, SHUT_WR) == -1)
		err(1, "shutdown");
	return drain(fd, secs);
}

static int
mode_reset(int secs)
{
	struct linger	 l = { 1, 0 };
	struct pollfd	 pfd;
	int		 fd;

	if ((fd = dial(0)) == -1)
		err(1, "connect %s port %d", addr, port);
	sendall(fd, req, reqlen);
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, secs * 1000) != 1)
		errx(1, "no response within %d s", secs);
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) == -1)
		err(1, "SO_LINGER");
	close(fd);
	return 0;
}

/* One readable event on a crowd member: note its status, or its end. */
static void
crowd_read(struct hconn *h)
{
	char	 buf[4096];
	ssize_t	 r;
	size_t	 n;

	r = read(h->h_fd, buf, sizeof(buf));
	if (r == -1 && errno == EAGAIN)
		return;
	if (r <= 0) {
		h->h_closed = 1;
		close(h->h_fd);
		h->h_fd = -1;
		return;
	}
	n = sizeof(h->h_head) - 1 - h->h_got;
	if ((size_t)r < n)
		n = r;
	memcpy(h->h_head + h->h_got, buf, n);
	h->h_got += n;
	if (h->h_status == 0 && h->h_got >= 12 &&
	    strncmp(h->h_head, "HTTP/1.", 7) == 0)
		h->h_status = atoi(h->h_head + 9);
}

static void
crowd_report(struct hconn *hc, int n, int connected)
{
	int	 codes[600] = { 0 }, i, closed = 0;

	for (i = 0; i < n; i++) {
		closed += hc[i].h_closed;
		if (hc[i].h_status > 0 && hc[i].h_status < 600)
			codes[hc[i].h_status]++;
	}
	printf("conns %d connected %d closed %d\n", n, connected, closed);
	for (i = 0; i < 600; i++)
		if (codes[i] > 0)
			printf("status %d %d\n", i, codes[i]);
}

static int
mode_crowd(int n, int secs)
{
	struct hconn	*hc;
	struct pollfd	*pfd;
	time_t		 end = time(NULL) + secs;
	int		 i, open, connected = 0;

	if ((hc = calloc(n, sizeof(*hc))) == NULL ||
	    (pfd = calloc(n, sizeof(*pfd))) == NULL)
		err(1, "calloc");
	for (i = 0; i < n; i++) {
		/* Blocking connect: the listener's backlog takes what it can. */
		if ((hc[i].h_fd = dial(0)) == -1) {
			warn("connect %d", i);
			continue;
		}
		connected++;
		if (reqlen > 0)
			sendall(hc[i].h_fd, req, reqlen);
		fcntl(hc[i].h_fd, F_SETFL, O_NONBLOCK);
	}
	for (open = connected; open > 0 && time(NULL) < end; ) {
		for (i = 0; i < n; i++) {
			pfd[i].fd = hc[i].h_fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, n, 100) <= 0)
			continue;
		for (i = 0, open = 0; i < n; i++) {
			if (hc[i].h_fd != -1 && pfd[i].revents != 0)
				crowd_read(&hc[i]);
			open += hc[i].h_fd != -1;
		}
	}
	crowd_report(hc, n, connected);
	free(pfd);
	free(hc);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*errstr, *mode;
	int		 ch, conns = 1, delay = 1, secs = 5;

	while ((ch = getopt(argc, argv, "a:c:d:ht:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'c':
			conns = num_parse(optarg, 1, MAXCONNS, &errstr);
			if (errstr != NULL)
				errx(2, "conns %s: %s", errstr, optarg);
			break;
		case 'd':
			delay = num_parse(optarg, 0, 10000, &errstr);
			if (errstr != NULL)
				errx(2, "delay %s: %s", errstr, optarg);
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case 't':
			secs = num_parse(optarg, 1, 3600, &errstr);
			if (errstr != NULL)
				errx(2, "seconds %s: %s", errstr, optarg);
			break;
		default:
			usage(stderr, 2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || argc > 3)
		usage(stderr, 2);
	mode = argv[0];
	port = num_parse(argv[1], 1, 65535, &errstr);
	if (errstr != NULL)
		errx(2, "port %s: %s", errstr, argv[1]);
	if (argc == 3)
		unescape(argv[2]);
	if (strcmp(mode, "bytes") == 0)
		return mode_bytes(delay, secs);
	if (strcmp(mode, "half") == 0)
		return mode_half(secs);
	if (strcmp(mode, "reset") == 0)
		return mode_reset(secs);
	if (strcmp(mode, "crowd") == 0)
		return mode_crowd(conns, secs);
	usage(stderr, 2);
}
