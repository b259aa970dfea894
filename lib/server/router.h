/*
 * router.h: cometd's message router.  Every GET /test/<Id> stream is
 * kept by the worker that owns its Id (route.h); a worker that accepts a
 * stream for another worker's Id hands the socket over through the
 * mailboxes (mbox.h).  So an Id's connections all live in one worker and
 * its index (uidx.h) is local.  POST /send/<Id>, POST /send (lines of
 * "Id<TAB>message") and POST /broadcast may arrive at any worker: the
 * messages travel to their owners, which deliver them (outq.h) and
 * report back how many connections they reached.
 *
 * The router does not own connections: the server (server.c) gives it
 * the callbacks below and calls it at the points named in each function.
 */
#ifndef COMET_ROUTER_H
#define COMET_ROUTER_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "allow.h"
#include "loop.h"
#include "mbox.h"
#include "outq.h"
#include "stats.h"

#define ROUTER_MSGMAX	65536	/* default largest message, bytes */
#define ROUTER_QMAX	64	/* default queued messages per connection */

/* Flags of a handed-over stream. */
#define ROUTER_RAW	0x01	/* HTTP/1.0: stream without chunking */

struct router_conf {
	struct allow	 rc_allow;	/* who may publish */
	uint32_t	 rc_msgmax;	/* largest message, bytes */
	uint32_t	 rc_qmax;	/* queued messages per connection */
	size_t		 rc_idmax;	/* longest Id */
};

/* What the router needs from the server; fd is always a connection. */
struct router_ops {
	/* the Id of a stream */
	const char	*(*ro_id)(void *, int, size_t *);
	/* nonzero if the stream is HTTP/1.0 (unchunked) */
	int		 (*ro_raw)(void *, int);
	/* count one more chunk on the stream; returns its number */
	uint32_t	 (*ro_next)(void *, int);
	/* nonzero while the server itself holds unwritten output */
	int		 (*ro_blocked)(void *, int);
	/* output waits: watch for EPOLLOUT, start the stall clock */
	void		 (*ro_block)(void *, int);
	/* close the connection; slow: count it as dropped_slow */
	void		 (*ro_close)(void *, int, int);
	/* a stream handed over by another worker: start it here */
	void		 (*ro_adopt)(void *, int, const char *, size_t, int);
	/* a publish request is done: answer it, then read the next one */
	void		 (*ro_answer)(void *, int, int, const char *, size_t);
};

struct router;

/*
 * Make the router of worker self (of n) for fds below nfd.  mb is the
 * mailbox set made before fork (NULL with one worker); it is attached
 * here and its descriptors are watched on loop.  Returns the router, or
 * NULL with errno.
 */
struct router	*router_new(const struct router_conf *, const struct router_ops *,
		    void *, struct loop *, struct mbox *, int, int, uint32_t,
		    struct stats_slot *);

/* The worker that keeps streams for id: this one (1) or another (0). */
int	router_mine(const struct router *, const char *, size_t);

/*
 * Move the stream fd (GET /test/<id>, already out of the server's table
 * and epoll set) to the worker that owns id.  The router owns fd now.
 * Returns 0, or -1 (out of memory) when fd had to be closed instead.
 */
int	router_handoff(struct router *, int, const char *, size_t, int);

/* A stream started on fd: log it in under its Id.  Returns 0 or -1. */
int	router_login(struct router *, int);

/* fd is closing (any reason): log it out, drop its queue and request. */
void	router_forget(struct router *, int);

/*
 * A POST request head on fd, target path[0..plen), body of clen bytes
 * (-1: chunked), from peer.  Returns 0 when the router takes the body
 * (feed it to router_body), or an HTTP status to answer at once (403
 * not allowed, 404 not a publish path, 413 too large).
 */
int	router_post(struct router *, int, const char *, size_t, long long,
	    const struct sockaddr *);

/* Nonzero while fd is a publish request (reading its body or waiting). */
int	router_publishing(const struct router *, int);

/*
 * Body bytes of fd's publish request, buf[0..len).  Returns how many it
 * used (fewer than len once the body is complete: the rest belongs to
 * the next request), or -1 if the chunked framing is broken: the caller
 * must answer 400 and close fd.
 * The answer comes through ro_answer, possibly later.
 */
ssize_t	router_body(struct router *, int, const char *, size_t);

/*
 * The periodic chunk n is due on fd.  Returns 1 if the router queued it
 * behind pending messages (or closed fd), 0 if the server should write
 * it itself.
 */
int	router_chunk(struct router *, int, uint32_t);

/*
 * fd is writable and the server's own output is gone: write queued
 * messages.  Returns 0 when nothing waits any more, 1 while output
 * waits, -1 if fd was closed.
 */
int	router_flush(struct router *, int);

/* Before the loop sleeps: send what the mailboxes hold. */
void	router_tick(struct router *);

#endif
