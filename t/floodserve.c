/*
 * floodserve: a streaming server for cometflood's tests, for what cometd
 * never does (or did not do yet when they were written).  Listens on
 * 127.0.0.1, prints "port N", then serves each connection in turn.  It
 * answers in the protocol the request asks for, as cometd does: a
 * WebSocket upgrade (101, then JSON text frames) for "Upgrade:
 * websocket", an EventSource stream for "Accept: text/event-stream",
 * else a chunked stream.  By mode:
 *   silent  accept and never answer (the client times out)
 *   plain   whatever was asked, a 200 chunked head and a welcome chunk
 *   eof     a 200 chunked head, half a chunk, then close
 *   bad     a 200 chunked head, then a chunk size that is not hex
 *   stream  a welcome, a chunk, a two-line message, a heartbeat (an
 *           EventSource comment, a WebSocket ping "hb": the pong is read
 *           and printed as "pong <payload>"), a second chunk; then hold
 *   bytes   the same, written one byte at a time
 *   late    a welcome and one message stamped 200 ms before it is sent
 *   cut     a welcome and one stamped message written in two pieces
 *           100 ms apart, the cut inside the stamp's digits
 *   close   WebSocket: a welcome, then a close frame, 1001; the client's
 *           close is read and printed as "close <code>"
 *   wsbad   WebSocket: a 101 with the wrong Sec-WebSocket-Accept
 * usage: floodserve mode
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "json.h"
#include "sha1.h"
#include "wsframe.h"

enum proto { P_CHUNKED, P_SSE, P_WS };

struct peer {
	int		 pe_fd;
	enum proto	 pe_proto;
	int		 pe_bytes;	/* one byte a write */
};

static const char *mode;

static void
put(struct peer *pe, const char *s, size_t len)
{
	size_t i;

	if (!pe->pe_bytes) {
		(void)!write(pe->pe_fd, s, len);
		return;
	}
	for (i = 0; i < len; i++) {
		(void)!write(pe->pe_fd, s + i, 1);
		usleep(1000);
	}
}

/* The wall clock in µs, as cometgen -m stamps it. */
static unsigned long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Body bytes b[0..n) as one chunk, or a WebSocket frame of op; with cut
 * > 0, written in two pieces 100 ms apart, cut bytes into b. */
static void
put_unit(struct peer *pe, int op, const char *b, size_t n, size_t cut)
{
	char buf[1024];
	size_t h;

	if (pe->pe_proto == P_WS)
		h = wsframe_header(buf, 1, op, n, NULL);
	else
		h = snprintf(buf, sizeof(buf), "%zx\r\n", n);
	memcpy(buf + h, b, n);
	if (pe->pe_proto != P_WS)
		memcpy(buf + h + n, "\r\n", 2);
	n += h + (pe->pe_proto != P_WS ? 2 : 0);
	if (cut == 0) {
		put(pe, buf, n);
		return;
	}
	put(pe, buf, h + cut);
	usleep(100000);
	put(pe, buf + h + cut, n - h - cut);
}

static void
put_welcome(struct peer *pe)
{
	static const char w[] = "Mochiconntest welcomes you! Your Id: 1";
	char b[256];
	int n;

	if (pe->pe_proto == P_SSE)
		n = snprintf(b, sizeof(b), "retry: 3000\nid: 1-0\nevent: "
		    "welcome\ndata: %s\n\n", w);
	else if (pe->pe_proto == P_WS)
		n = snprintf(b, sizeof(b), "{\"event\":\"welcome\",\"id\":"
		    "\"1-0\",\"data\":\"%s\"}", w);
	else
		n = snprintf(b, sizeof(b), "%s\n", w);
	put_unit(pe, WSFRAME_OP_TEXT, b, n, 0);
}

static void
put_chunk(struct peer *pe, int k)
{
	char b[128];
	int n;

	if (pe->pe_proto == P_SSE)
		n = snprintf(b, sizeof(b), "event: chunk\ndata: Chunk %d for "
		    "id 1\n\n", k);
	else if (pe->pe_proto == P_WS)
		n = snprintf(b, sizeof(b), "{\"event\":\"chunk\",\"data\":"
		    "\"Chunk %d for id 1\"}", k);
	else
		n = snprintf(b, sizeof(b), "Chunk %d for id 1\n", k);
	put_unit(pe, WSFRAME_OP_TEXT, b, n, 0);
}

/* A message as cometd frames it; cut > 0 cuts the write in its text. */
static void
put_message(struct peer *pe, const char *m, size_t cut)
{
	char b[512], *nl;
	size_t n;

	if (pe->pe_proto == P_SSE) {
		n = snprintf(b, sizeof(b), "id: 1-1\ndata: ");
		if ((nl = strchr(m, '\n')) != NULL)
			n += snprintf(b + n, sizeof(b) - n, "%.*s\ndata: ",
			    (int)(nl - m), m), m = nl + 1;
		n += snprintf(b + n, sizeof(b) - n, "%s\n\n", m);
	} else if (pe->pe_proto == P_WS) {
		n = snprintf(b, sizeof(b), "{\"id\":\"1-1\",\"data\":\"");
		n += json_escape(m, strlen(m), b + n, sizeof(b) - n - 2);
		n += snprintf(b + n, sizeof(b) - n, "\"}");
	} else
		n = snprintf(b, sizeof(b), "Recvd msg #1: '%s'\n", m);
	put_unit(pe, WSFRAME_OP_TEXT, b, n,
	    cut ? (size_t)(strstr(b, "t=") - b) + cut : 0);
}

/* Read one client frame; print what the mode watches for. */
static void
read_reply(struct peer *pe, const char *what)
{
	struct pollfd pfd = { pe->pe_fd, POLLIN, 0 };
	struct wsframe_hdr h;
	char buf[256];
	ssize_t n = 0, r;

	while (poll(&pfd, 1, 10000) == 1 &&
	    (r = read(pe->pe_fd, buf + n, sizeof(buf) - n)) > 0) {
		n += r;
		if (wsframe_parse(buf, n, 125, &h) != WSFRAME_OK ||
		    (size_t)n < h.wh_hlen + h.wh_len)
			continue;
		wsframe_unmask(buf + h.wh_hlen, h.wh_len, h.wh_key, 0);
		if (strcmp(what, "pong") == 0)
			printf("pong %.*s\n", (int)h.wh_len, buf + h.wh_hlen);
		else
			printf("close %d\n", h.wh_len >= 2 ?
			    ((unsigned char)buf[h.wh_hlen] << 8) |
			    (unsigned char)buf[h.wh_hlen + 1] : 0);
		fflush(stdout);
		return;
	}
	printf("no %s\n", what);
	fflush(stdout);
}

static void
put_head(struct peer *pe, const char *req)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char b[512], acc[BASE64_LEN(SHA1_LEN) + 1];
	uint8_t md[SHA1_LEN];
	const char *k;
	struct sha1 sh;
	int n;

	if (pe->pe_proto != P_WS) {
		n = snprintf(b, sizeof(b), "HTTP/1.1 200 OK\r\n%s"
		    "Transfer-Encoding: chunked\r\n\r\n", pe->pe_proto == P_SSE ?
		    "Content-Type: text/event-stream\r\n" : "");
		put(pe, b, n);
		return;
	}
	k = strcasestr(req, "Sec-WebSocket-Key: ");
	sha1_init(&sh);
	sha1_update(&sh, k ? k + 19 : "", k ? 24 : 0);
	sha1_update(&sh, guid, sizeof(guid) - 1);
	sha1_final(&sh, md);
	acc[base64_encode(md, SHA1_LEN, acc)] = '\0';
	if (strcmp(mode, "wsbad") == 0)
		acc[0] = acc[0] == 'A' ? 'B' : 'A';
	n = snprintf(b, sizeof(b), "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n\r\n", acc);
	put(pe, b, n);
}

/* stream and bytes: what cometd sends over a while, heartbeat included. */
static void
put_stream(struct peer *pe)
{
	put_welcome(pe);
	put_chunk(pe, 1);
	put_message(pe, "two\nlines", 0);
	if (pe->pe_proto == P_SSE)
		put_unit(pe, 0, ":\n", 2, 0);
	put_chunk(pe, 2);
	if (pe->pe_proto == P_WS) {
		put_unit(pe, WSFRAME_OP_PING, "hb", 2, 0);
		read_reply(pe, "pong");
	}
}

static void
serve(int fd)
{
	struct peer pe = { fd, P_CHUNKED, strcmp(mode, "bytes") == 0 };
	char req[4096], stamp[64];
	ssize_t n;
	int one = 1;

	if (strcmp(mode, "silent") == 0)
		return;		/* keep it open, say nothing */
	if ((n = read(fd, req, sizeof(req) - 1)) < 0)
		n = 0;
	req[n] = '\0';
	if (strcmp(mode, "plain") == 0 || strcmp(mode, "eof") == 0 ||
	    strcmp(mode, "bad") == 0)
		pe.pe_proto = P_CHUNKED;	/* what they were asked */
	else if (strcasestr(req, "\nUpgrade: websocket"))
		pe.pe_proto = P_WS;
	else if (strcasestr(req, "\nAccept: text/event-stream"))
		pe.pe_proto = P_SSE;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	put_head(&pe, req);
	if (strcmp(mode, "eof") == 0) {
		put(&pe, "5\r\nab", 5);
		close(fd);
		return;
	}
	if (strcmp(mode, "bad") == 0) {
		put(&pe, "zz\r\nhello\r\n", 11);
		return;
	}
	if (strcmp(mode, "stream") == 0 || strcmp(mode, "bytes") == 0) {
		put_stream(&pe);
		return;
	}
	if (strcmp(mode, "wsbad") == 0)
		return;
	put_welcome(&pe);
	if (strcmp(mode, "plain") == 0)
		return;
	if (strcmp(mode, "close") == 0) {
		put_unit(&pe, WSFRAME_OP_CLOSE, "\x03\xe9" "going away", 12, 0);
		read_reply(&pe, "close");
		close(fd);
		return;
	}
	snprintf(stamp, sizeof(stamp), "t=%llu n=1", now_us() -
	    (strcmp(mode, "late") == 0 ? 200000 : 0));
	put_message(&pe, stamp, strcmp(mode, "cut") == 0 ? 8 : 0);
}

int
main(int argc, char *argv[])
{
	static const char *modes[] = { "silent", "plain", "eof", "bad",
	    "stream", "bytes", "late", "cut", "close", "wsbad" };
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	size_t i;
	int ls, fd;

	for (i = 0; argc == 2 && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(argv[1], modes[i]) == 0)
			break;
	if (argc != 2 || i == sizeof(modes) / sizeof(modes[0])) {
		fprintf(stderr, "usage: floodserve silent|plain|eof|bad|stream|"
		    "bytes|late|cut|close|wsbad\n");
		return 2;
	}
	mode = argv[1];
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
		serve(fd);
	err(1, "accept");
}
