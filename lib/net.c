/*
 * net.c: the socket calls cometd needs, nothing else.  Errors come back
 * as -1 and errno, saved across the close() of a half-made socket.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

static int
net_bind(const struct sockaddr *sa, socklen_t len, int backlog, int reuseport)
{
	int fd, one = 1, zero = 0, saved;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
	    sizeof(one)) == -1))
		goto fail;
	/* "::" should take IPv4 too whatever net.ipv6.bindv6only says */
	if (sa->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &zero, sizeof(zero)) == -1)
		goto fail;
	if (bind(fd, sa, len) == -1)
		goto fail;
	if (backlog > 0 && listen(fd, backlog) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

const char *
net_addr_error(const char *addr)
{
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(addr, NULL, &hints, &res)) != 0)
		return gai_strerror(rc);
	freeaddrinfo(res);
	return NULL;
}

/* Resolve addr (NULL: any) and bind; see net_listen(). */
static int
net_open(const char *addr, int port, int backlog, int reuseport)
{
	struct addrinfo hints, *res;
	struct sockaddr_in6 any6;
	struct sockaddr_in any4;
	char serv[16];
	int fd;

	if (addr == NULL) {
		memset(&any6, 0, sizeof(any6));
		any6.sin6_family = AF_INET6;
		any6.sin6_port = htons(port);
		any6.sin6_addr = in6addr_any;
		fd = net_bind((struct sockaddr *)&any6, sizeof(any6), backlog,
		    reuseport);
		if (fd != -1 || errno != EAFNOSUPPORT)
			return fd;
		memset(&any4, 0, sizeof(any4));
		any4.sin_family = AF_INET;
		any4.sin_port = htons(port);
		any4.sin_addr.s_addr = htonl(INADDR_ANY);
		return net_bind((struct sockaddr *)&any4, sizeof(any4),
		    backlog, reuseport);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%d", port);
	if (getaddrinfo(addr, serv, &hints, &res) != 0) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	fd = net_bind(res->ai_addr, res->ai_addrlen, backlog, reuseport);
	freeaddrinfo(res);
	return fd;
}

int
net_listen(const char *addr, int port, int backlog)
{
	return net_open(addr, port, backlog, 1);
}

int
net_probe(const char *addr, int port)
{
	int fd;

	if ((fd = net_open(addr, port, 0, 0)) == -1)
		return -1;
	close(fd);
	return 0;
}

int
net_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int
net_accept(int lfd)
{
	return accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

/* Split "host:port", "[host]:port" or "host" into host and port. */
static int
net_split(const char *s, int defport, char *host, size_t cap, int *port)
{
	const char *end, *colon;
	char *e;
	long p = defport;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return -1;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return -1;
		s++;
	} else {
		colon = strchr(s, ':');
		/* more than one colon: an IPv6 address without a port */
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			colon = NULL;
		end = colon != NULL ? colon : s + strlen(s);
	}
	if (end == s || (size_t)(end - s) >= cap)
		return -1;
	memcpy(host, s, end - s);
	host[end - s] = '\0';
	if (colon != NULL) {
		p = strtol(colon + 1, &e, 10);
		if (colon[1] < '0' || colon[1] > '9' || *e != '\0')
			return -1;
	}
	if (p < 1 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

int
net_resolve(const char *hostport, int defport, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct addrinfo hints, *res;
	char host[256], serv[16];
	int port;

	if (net_split(hostport, defport, host, sizeof(host), &port) == -1) {
		errno = EINVAL;
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%d", port);
	if (getaddrinfo(host, serv, &hints, &res) != 0) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int
net_connect(const struct sockaddr *sa, socklen_t len)
{
	int fd, one = 1, saved;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, sa, len) == -1 && errno != EINPROGRESS) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
net_connected(int fd)
{
	socklen_t len = sizeof(int);
	int e = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		return -1;
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}
