/*
 * redis.h: one non-blocking connection to a Redis server in a worker's
 * event loop, speaking RESP3 (HELLO 3) so that pub/sub pushes and command
 * replies share it.
 *
 * Commands are encoded into an output buffer and written when the loop
 * pass ends (redis_flush), pipelined.  Each command gets an entry in a
 * FIFO of callbacks, called with its reply when the reply comes or with
 * NULL when the link goes down first.  SUBSCRIBE and UNSUBSCRIBE, which
 * RESP3 answers with a push, are answered by that push (or an error).
 * Other pushes (pub/sub messages) go to one callback.
 *
 * The link goes down on a read or write error, EOF, or a reply that is
 * malformed, too large or out of step with the FIFO.  It is then tried
 * again after a backoff that starts at REDIS_BACKOFF_MIN ms and doubles
 * up to REDIS_BACKOFF_MAX, and is reset once a HELLO succeeds.  Each
 * change of state is logged once; failed attempts while down are not.
 */
#ifndef COMET_REDIS_H
#define COMET_REDIS_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "resp.h"

#define REDIS_BACKOFF_MIN 100		/* ms before the first retry */
#define REDIS_BACKOFF_MAX 5000		/* ms between retries, at most */
#define REDIS_OUT_MAX	(256u << 20)	/* bytes waiting to be written */
#define REDIS_IN_MAX	(128u << 20)	/* bytes of one reply */
#define REDIS_VERSION	7		/* oldest major version accepted */

enum redis_state {
	REDIS_DOWN,		/* no socket; a retry is scheduled */
	REDIS_CONNECTING,	/* connect in progress */
	REDIS_HELLO,		/* connected, HELLO 3 sent */
	REDIS_UP		/* HELLO answered: commands may go */
};

/*
 * A reply: items[0..n) in resp_parse's pre-order, pointing into the read
 * buffer, so valid only during the call; or items NULL when the link went
 * down before the reply came (the command may or may not have run).
 */
typedef void redis_reply_fn(void *, void *, const struct resp_item *,
    size_t);

struct redis_ops {
	/* The link is up (HELLO answered); commands can be sent. */
	void	(*rxo_up)(void *);
	/* The link went down; pending callbacks were all called first. */
	void	(*rxo_down)(void *);
	/* A push that answers no command: a pub/sub message. */
	void	(*rxo_push)(void *, const struct resp_item *, size_t);
};

/* A command whose answer is due. */
struct redis_wait {
	redis_reply_fn	*rxw_fn;	/* NULL: the answer is dropped */
	void		*rxw_ctx;
	int		 rxw_sub;	/* answered by a (un)subscribe push */
};

struct redis {
	struct loop	*rx_loop;
	const struct redis_ops *rx_ops;
	void		*rx_arg;	/* first argument of the callbacks */
	struct sockaddr_storage rx_sa;	/* the server */
	socklen_t	 rx_salen;
	const char	*rx_name;	/* the server as given, for logs */
	int		 rx_idx;	/* the worker, for logs */
	int		 rx_fd;		/* -1 while down */
	int		 rx_tfd;	/* timerfd: the next attempt */
	enum redis_state rx_state;
	int		 rx_quiet;	/* the link is down and was said so */
	uint32_t	 rx_backoff;	/* ms before the next attempt */
	uint32_t	 rx_events;	/* what the socket is watched for */
	char		*rx_out;	/* commands not yet written */
	size_t		 rx_ooff;	/* ... written up to here */
	size_t		 rx_olen;
	size_t		 rx_ocap;
	char		*rx_in;		/* replies not yet parsed */
	size_t		 rx_ilen;
	size_t		 rx_icap;
	struct resp_item *rx_items;	/* one reply, parsed */
	size_t		 rx_nitems;
	struct redis_wait *rx_q;	/* ring of answers due */
	uint32_t	 rx_qhead;
	uint32_t	 rx_qlen;
	uint32_t	 rx_qcap;	/* a power of two */
	uint64_t	 rx_ups;	/* times the link came up */
};

/*
 * Set up the link of worker idx to the server at sa (name for logs) in
 * loop l, and start the first connect.  The ops get arg.  Returns 0, or
 * -1 with errno (no memory, no timerfd, no watch slot); an unreachable
 * server is not an error: the link is down and retried.
 */
int	redis_init(struct redis *, struct loop *, const struct sockaddr *,
	    socklen_t, const char *, int, const struct redis_ops *, void *);

/* Close the link and free what it holds; callbacks still due get NULL. */
void	redis_free(struct redis *);

/* 1 if the link is up, else 0. */
int	redis_up(const struct redis *);

/*
 * Queue a command of argc arguments (as resp_encode) whose reply goes to
 * fn(arg, ctx, ...); sub 1 for SUBSCRIBE or UNSUBSCRIBE of one channel.
 * Returns 0, or -1 with errno: ENOTCONN when the link is not up, ENOBUFS
 * when REDIS_OUT_MAX bytes already wait, ENOMEM.  Nothing is queued then
 * and fn is never called.
 */
int	redis_command(struct redis *, int, const char *const *,
	    const size_t *, int, redis_reply_fn *, void *);

/* End of a loop pass: write what the commands queued. */
void	redis_flush(struct redis *);

/*
 * 1 if item it (a reply or element) is a string equal to s, else 0.
 * For the callers' reply checks.
 */
int	redis_is(const struct resp_item *, const char *);

#endif
