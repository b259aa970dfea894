/* net.h: listening sockets and accept, non-blocking, close-on-exec. */
#ifndef COMET_NET_H
#define COMET_NET_H

#include <sys/socket.h>

/*
 * Bind addr (NULL: every address, IPv6 dual-stack when available, else
 * IPv4) at port with SO_REUSEADDR and SO_REUSEPORT, so that each worker
 * can bind its own socket to the same port.  backlog > 0 also listens;
 * backlog 0 only binds, which reserves the port without taking any of
 * its connections.  Returns the fd, or -1 with errno set (EAI errors from
 * resolving addr become EADDRNOTAVAIL).
 */
int	 net_listen(const char *, int, int);

/*
 * Bind addr and port without SO_REUSEPORT, then let go: 0 if no one
 * holds the port, else -1 with errno set (EADDRINUSE), so that a second
 * server does not silently share the port through SO_REUSEPORT.
 */
int	 net_probe(const char *, int);

/*
 * Why addr (a numeric address or a host name) cannot be listened on: the
 * resolver's own words (gai_strerror), or NULL if it resolves.
 */
const char *net_addr_error(const char *);

/* The local port of a bound socket, or -1 with errno set. */
int	 net_port(int);

/*
 * Accept one connection, non-blocking and close-on-exec.  Returns the
 * fd, or -1 with errno set (EAGAIN when none is waiting).
 */
int	 net_accept(int);

/*
 * Resolve "host:port", "[v6addr]:port", or a host alone (port defport)
 * into *ss and *len.  Returns 0, or -1 with errno EINVAL (not that
 * shape, or a port outside 1..65535) or EADDRNOTAVAIL (the host does not
 * resolve).
 */
int	 net_resolve(const char *, int, struct sockaddr_storage *,
	    socklen_t *);

/*
 * Start a TCP connect to sa, non-blocking and close-on-exec, with
 * TCP_NODELAY.  Returns the fd, connected or still connecting (wait for
 * EPOLLOUT, then net_connected), or -1 with errno set.
 */
int	 net_connect(const struct sockaddr *, socklen_t);

/* A connect started by net_connect has ended: 0 if it succeeded, else
 * -1 with errno the reason. */
int	 net_connected(int);

#endif
