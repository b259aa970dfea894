/*
 * server.h: one cometd worker: its configuration and its state, shared
 * by the layers of the request path (README "Layout"):
 *
 *   server.c     the loop, accept, timeouts, stop
 *   request.c    reading and parsing requests
 *   urls.c       the URL table: which endpoint serves a request
 *   ep_*.c       the endpoints: streams, long-poll, publishing, stats
 *   respond.c    status lines and error bodies
 *   relay.c      records between workers: handoffs, messages, replies
 *   cluster*.c   with -r: messages between nodes through Redis (redis.c)
 *   deliver.c    an Id's streams and history (history.c), fan-out
 *   conn.c       connection slots, output, timeouts, close
 *   frame*.c     each stream's wire format
 *
 * A layer calls only the ones below it; the one way back up, from the
 * relay to the endpoints, goes through struct relay_ops.
 */
#ifndef COMET_SERVER_H
#define COMET_SERVER_H

#include <sys/socket.h>

#include <stdint.h>

#include "access.h"
#include "allow.h"
#include "conn.h"
#include "history.h"
#include "http.h"
#include "loop.h"
#include "mbox.h"
#include "outq.h"
#include "relay.h"
#include "stats.h"
#include "timer.h"
#include "uidx.h"

#define SERVER_ID_MAX	255	/* longest Id; a longer one gets 414 */
#define SERVER_MSGMAX	65536	/* default largest message, bytes */
#define SERVER_QMAX	64	/* default queued messages per stream */
#define SERVER_KEEP	100	/* default messages kept per Id */
#define SERVER_KEEPBYTES (64 << 20) /* default bytes kept, all workers */
#define RBUF_SIZE	65536	/* shared read buffer */
#define SCRATCH_SIZE	65536	/* shared output formatting buffer */
#define MAX_HDRS	1024	/* upper bound for the header-lines limit */

struct cluster;

struct server_conf {
	const char	*sc_addr;	/* NULL: every address */
	int		 sc_port;	/* already resolved: never 0 here */
	uint32_t	 sc_interval;	/* ms between chunks, 0: no chunks */
	uint32_t	 sc_timeout;	/* ms to send a request head */
	uint32_t	 sc_stall;	/* ms output may stay blocked */
	long long	 sc_max;	/* connections over all workers */
	struct http_limits sc_lim;
	int		 sc_workers;	/* worker count */
	struct stats_shm *sc_stats;	/* shared counters and cap */
	struct allow	 sc_allow;	/* who may publish */
	uint32_t	 sc_msgmax;	/* largest message, bytes */
	uint32_t	 sc_qmax;	/* queued messages per stream */
	uint32_t	 sc_beat;	/* ms of silence before a heartbeat */
	uint32_t	 sc_poll;	/* ms a long-poll waits */
	uint32_t	 sc_keep;	/* messages kept per Id */
	size_t		 sc_keepbytes;	/* bytes kept per worker */
	struct mbox	*sc_mbox;	/* worker mailboxes; NULL: 1 worker */
	const void	*sc_key;	/* token key (-K); NULL: no tokens */
	size_t		 sc_keylen;
	const char	*sc_access;	/* access log (-A), "-": stderr; NULL */
	const char	*sc_redis;	/* -r as given; NULL: no cluster */
	struct sockaddr_storage sc_redis_sa; /* ... resolved */
	socklen_t	 sc_redis_len;
};

struct server {
	const struct server_conf *s_conf;
	int		 s_idx;		/* this worker */
	struct loop	 s_loop;
	struct conn	*s_conns;	/* indexed by fd */
	uint32_t	 s_nconns;	/* RLIMIT_NOFILE */
	struct timer_list s_lists[CL_COUNT]; /* by CL_*, [CL_NONE] unused */
	struct stats_slot *s_st;	/* this worker's counters */
	int		 s_lfd;		/* listener */
	int		 s_sfd;		/* signalfd */
	int		 s_reserve;	/* spare fd for EMFILE */
	int		 s_paused;	/* accept paused after EMFILE */
	uint32_t	 s_resume;	/* when to accept again */
	int		 s_stop;	/* SIGTERM or SIGINT seen */
	int		 s_input;	/* in request_input: s_rbuf is in use */
	uint32_t	 s_gen;		/* publish requests, for reply tags */
	struct uidx	 s_ux;		/* Id -> its streams (deliver.c) */
	struct outq	**s_q;		/* by fd: queued pieces, or NULL */
	uint32_t	*s_dirty;	/* streams given pieces in this pass */
	uint32_t	 s_ndirty;
	struct relay	 s_relay;	/* records to and from other workers */
	struct cluster	*s_cluster;	/* the link to other nodes; NULL: none */
	struct history	 s_hist;	/* messages kept per Id (deliver.c) */
	uint32_t	 s_beat;	/* when the next heartbeat sweep is */
	int		 s_accfd;	/* access log, or -1 (access.c) */
	struct acc	*s_acc;		/* by fd, while it is on */
	const char	*s_logm;	/* the request being answered, for */
	size_t		 s_logmlen;	/* the access log: method, path */
	const char	*s_logp;
	size_t		 s_logplen;
	struct http_hdr	 s_hdrs[MAX_HDRS];
	char		 s_rbuf[RBUF_SIZE];
	char		 s_scratch[SCRATCH_SIZE];
};

/* The connection on fd. */
static inline struct conn *
conn_get(struct server *s, int fd)
{
	return &s->s_conns[fd];
}

/*
 * Run worker idx until SIGTERM or SIGINT (read from a signalfd; the
 * caller must have blocked them): open streams then get their format's
 * ending and every connection is closed.  Returns 0 after a stop, or -1
 * with errno set if the worker could not start (listener, epoll,
 * memory).
 */
int	 server_run(const struct server_conf *, int);

#endif
