/*
 * access.c: the access log (access.h).  Nothing here runs unless -A is
 * given: the callers test s_acc / s_accfd first where it matters.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "conn.h"
#include "frame.h"
#include "server.h"

static int
access_file(const char *path)
{
	if (strcmp(path, "-") == 0)
		return STDERR_FILENO;
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

int
access_open(struct server *s)
{
	const char *path = s->s_conf->sc_access;

	s->s_accfd = -1;
	if (path == NULL)
		return 0;
	if ((s->s_accfd = access_file(path)) == -1 ||
	    (s->s_acc = calloc(s->s_nconns, sizeof(*s->s_acc))) == NULL)
		return -1;
	return 0;
}

void
access_reopen(struct server *s)
{
	int fd;

	if (s->s_accfd == -1 || s->s_accfd == STDERR_FILENO)
		return;
	if ((fd = access_file(s->s_conf->sc_access)) == -1)
		return;		/* keep writing to the old one */
	close(s->s_accfd);
	s->s_accfd = fd;
}

/* The peer of fd as addr:port ([addr]:port for IPv6), or "-". */
static const char *
access_peer(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	socklen_t sl = sizeof(ss);
	char a[INET6_ADDRSTRLEN];

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1)
		return "-";
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	} else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s6->sin6_port));
	} else {
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	}
	return buf;
}

/* One line, in one write. */
static void
access_line(struct server *s, int fd, const char *m, size_t mlen,
    const char *p, size_t plen, int status, uint64_t bytes, uint64_t ms,
    const char *event)
{
	char line[1024], peer[64];
	uint64_t now = loop_wall_ms();
	int n;

	n = snprintf(line, sizeof(line), "%llu.%03llu\t%d\t%s\t%.*s\t%.*s\t"
	    "%d\t%llu\t%llu\t%s\n", (unsigned long long)(now / 1000),
	    (unsigned long long)(now % 1000), s->s_idx,
	    access_peer(fd, peer, sizeof(peer)), (int)mlen, m,
	    plen > 512 ? 512 : (int)plen, p, status,
	    (unsigned long long)bytes, (unsigned long long)ms, event);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	(void)!write(s->s_accfd, line, (size_t)n);
}

void
access_request(struct server *s, int fd, const char *m, size_t mlen,
    const char *p, size_t plen, int status, size_t bytes, const char *event)
{
	if (s->s_accfd != -1)
		access_line(s, fd, m, mlen, p, plen, status, bytes, 0, event);
}

/* The path a stream was asked for: its format's prefix and its Id. */
static size_t
access_path(const struct conn *c, char *buf, size_t len)
{
	static const char *const prefix[FRAME_COUNT] = {
		[FRAME_CHUNKED] = "/test/", [FRAME_HTTP10] = "/test/",
		[FRAME_SSE] = "/sse/", [FRAME_SSE10] = "/sse/",
		[FRAME_POLL] = "/poll/", [FRAME_WS] = "/ws/",
	};
	int n;

	n = snprintf(buf, len, "%s%.*s", prefix[c->c_frame], (int)c->c_idlen,
	    conn_id(c));
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

void
access_end(struct server *s, int fd, const char *why)
{
	struct conn *c = conn_get(s, fd);
	char path[300], event[32];
	struct acc *a;
	size_t n;

	if (s->s_acc == NULL)
		return;
	a = &s->s_acc[fd];
	n = access_path(c, path, sizeof(path));
	snprintf(event, sizeof(event), "end:%s", why);
	access_line(s, fd, "GET", 3, path, n, c->c_frame == FRAME_WS ? 101 :
	    200, a->ac_bytes, loop_wall_ms() - a->ac_start, event);
}

void
access_stream(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);
	char path[300];
	size_t n;

	if (s->s_acc == NULL)
		return;
	s->s_acc[fd].ac_start = loop_wall_ms();
	s->s_acc[fd].ac_bytes = 0;
	n = access_path(c, path, sizeof(path));
	access_line(s, fd, "GET", 3, path, n, c->c_frame == FRAME_WS ? 101 :
	    200, 0, 0, "stream");
}
