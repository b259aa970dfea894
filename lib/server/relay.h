/*
 * relay.h: records between the workers of one cometd.  The kernel's
 * SO_REUSEPORT hash, not cometd, picks the worker that accepts a
 * connection, and a publish request lands on any worker; but every Id
 * has one owner (owner.h) that keeps all its streams.  So:
 *
 *   HANDOFF  Id, format, where it starts, one descriptor
 *                                           accepting worker -> owner
 *   PUBLISH  tag, Id, message               publishing worker -> owner
 *   BCAST    tag, message                   publishing worker -> all
 *   REPLY    tag, struct relay_reply        owner -> publishing worker
 *
 * travel through the mailboxes (mbox.h), batched per loop pass.  A tag
 * names the publish request (its fd and a generation number), so a reply
 * for a request whose connection has since closed is recognised.
 *
 * The relay sits below the endpoints and reaches them only through
 * struct relay_ops: a handed-over stream, and replies.
 */
#ifndef COMET_RELAY_H
#define COMET_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "mbox.h"

struct server;

#define RELAY_DOWN	(-2)	/* the cluster's link is down: not sent */

/* What the owners say about a run of one request's records. */
struct relay_reply {
	uint32_t	 rr_records;	/* records this reply covers */
	uint32_t	 rr_reached;	/* streams written or queued; in a
					   cluster, workers subscribed */
	uint32_t	 rr_nosub;	/* of the records, those that reached none */
	uint32_t	 rr_lost;	/* of the records, those a cluster's link
					   lost before they were answered */
};

struct relay_ops {
	/*
	 * A stream handed over by another worker: fd (-1 when the descriptor
	 * was lost on the way), its Id, its format and what the handing
	 * worker added (data, len).  The callee owns fd.
	 */
	void	(*ro_adopt)(struct server *, int, const char *, size_t, int,
		    const void *, size_t);
	/* The owners' reply about records of the publish request tag. */
	void	(*ro_replied)(struct server *, uint64_t,
		    const struct relay_reply *);
};

struct relay {
	const struct relay_ops *ry_ops;
	struct mbox	*ry_mb;		/* NULL with one worker */
	int		 ry_self;	/* this worker */
	int		 ry_n;		/* workers */
	int		 ry_txep;	/* epoll set of full mailboxes */
	uint8_t		*ry_txwait;	/* by worker: in ry_txep */
	struct {			/* records to answer with one reply */
		int		 src;	/* their worker; -1: none */
		uint64_t	 tag;
		struct relay_reply rp;
	}		 ry_run;
};

/*
 * Set up the relay of the server's worker; with more than one worker,
 * attach its mailbox set (made before fork) and watch it.  Returns 0, or
 * -1 with errno.
 */
int	relay_init(struct server *, const struct relay_ops *);

/* 1 if this worker owns id, else 0. */
int	relay_mine(const struct relay *, const char *, size_t);

/*
 * Send stream fd (GET for id, already out of this worker's table) with
 * its format and data[0..len) to the owner of id; the relay owns fd now.
 * Returns 0, or -1 (out of memory) when fd had to be closed instead.
 */
int	relay_handoff(struct server *, int, const char *, size_t, int,
	    const void *, size_t);

/*
 * Message msg[0..len) of publish request tag for id: delivered here when
 * this worker owns id (returns 0 with *reached set), or sent to the owner
 * (returns 1: its reply comes through ro_replied), or lost (returns -1:
 * the record could not be queued).  In a cluster (cluster.h) it goes to
 * Redis instead: 1 as above, or RELAY_DOWN when the link is down.
 */
int	relay_publish(struct server *, uint64_t, const char *, size_t,
	    const char *, size_t, uint32_t *);

/*
 * A broadcast of request tag: sent to every other worker and delivered
 * here (*reached).  Returns how many records were sent: a reply comes
 * for each.  In a cluster: 1 (sent to Redis), or RELAY_DOWN.
 */
int	relay_broadcast(struct server *, uint64_t, const char *, size_t,
	    uint32_t *);

/* Before the loop sleeps: send what the mailboxes hold. */
void	relay_tick(struct server *);

#endif
