/*
 * server.h: one cometd worker: its own SO_REUSEPORT listener, epoll
 * loop and fd-indexed connection table.  The worker index and count are
 * kept so that a router can pick an owner worker per Id.
 */
#ifndef COMET_SERVER_H
#define COMET_SERVER_H

#include <stdint.h>

#include "http.h"
#include "mbox.h"
#include "router.h"
#include "stats.h"

#define SERVER_ID_MAX	255	/* longest Id echoed; longer gets 414 */

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
	struct router_conf sc_route;	/* publishers, message limits */
	struct mbox	*sc_mbox;	/* worker mailboxes; NULL: 1 worker */
};

/*
 * Run worker idx until SIGTERM or SIGINT (read from a signalfd; the
 * caller must have blocked them): open streams then get their chunked
 * terminator and every connection is closed.  Returns 0 after a stop,
 * or -1 with errno set if the worker could not start (listener, epoll,
 * memory).
 */
int	 server_run(const struct server_conf *, int);

#endif
