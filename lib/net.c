/*
 * net.c: the socket calls cometd needs, nothing else.  Errors come back
 * as -1 and errno, saved across the close() of a half-made socket.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
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
