/*
 * relay.c: the worker record protocol (relay.h).
 *
 * Costs, per design choice:
 * - A stream accepted by a worker that does not own its Id costs one
 *   record and one SCM_RIGHTS descriptor in a batched datagram, once per
 *   connection (up to 253 handoffs per datagram).
 * - A message costs one record to its owner and one reply record back
 *   (batched per owner per loop pass), whatever the number of workers:
 *   no broadcast to every worker per message, no shared index to lock.
 * - A broadcast costs one record per worker.
 */
#include <sys/types.h>
#include <sys/epoll.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster.h"
#include "deliver.h"
#include "loop.h"
#include "mbox.h"
#include "owner.h"
#include "relay.h"
#include "server.h"
#include "stats.h"

enum { REC_HANDOFF = 1, REC_PUBLISH, REC_BCAST, REC_REPLY };

#define MAIL_BATCH	64	/* datagrams read per mailbox event */

static void	relay_mail(void *, int, uint32_t);
static void	relay_txready(void *, int, uint32_t);

static int
relay_attach(struct server *s, struct mbox *mb)
{
	struct relay *ry = &s->s_relay;

	if (mbox_attach(mb, ry->ry_self) == -1)
		return -1;
	if ((ry->ry_txep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (ry->ry_txwait = calloc((size_t)ry->ry_n, 1)) == NULL)
		return -1;
	if (loop_watch(&s->s_loop, mb->mb_rx[ry->ry_self], EPOLLIN,
	    relay_mail, s) == -1 ||
	    loop_watch(&s->s_loop, ry->ry_txep, EPOLLIN, relay_txready, s) ==
	    -1)
		return -1;
	ry->ry_mb = mb;
	return 0;
}

int
relay_init(struct server *s, const struct relay_ops *ops)
{
	struct relay *ry = &s->s_relay;

	memset(ry, 0, sizeof(*ry));
	ry->ry_ops = ops;
	ry->ry_self = s->s_idx;
	ry->ry_n = s->s_conf->sc_workers;
	ry->ry_txep = -1;
	ry->ry_run.src = -1;
	if (s->s_conf->sc_mbox != NULL && ry->ry_n > 1)
		return relay_attach(s, s->s_conf->sc_mbox);
	return 0;
}

int
relay_mine(const struct relay *ry, const char *id, size_t len)
{
	return owner_of(id, len, ry->ry_n) == ry->ry_self;
}

int
relay_handoff(struct server *s, int fd, const char *id, size_t len,
    int frame, const void *data, size_t dlen)
{
	struct relay *ry = &s->s_relay;
	struct mbox_rec h;

	memset(&h, 0, sizeof(h));
	h.mr_type = REC_HANDOFF;
	h.mr_flags = (uint8_t)frame;
	stats_add(s->s_st, STAT_HANDOFFS, 1);
	return mbox_put(ry->ry_mb, owner_of(id, len, ry->ry_n), &h, id, len,
	    data, dlen, fd);
}

int
relay_publish(struct server *s, uint64_t tag, const char *id, size_t idlen,
    const char *msg, size_t len, uint32_t *reached)
{
	struct relay *ry = &s->s_relay;
	struct mbox_rec h;
	int owner;

	if (s->s_cluster != NULL)
		return cluster_publish(s, tag, id, idlen, msg, len);
	owner = owner_of(id, idlen, ry->ry_n);
	if (owner == ry->ry_self) {
		*reached = deliver_to_id(s, id, idlen, msg, len);
		return 0;
	}
	memset(&h, 0, sizeof(h));
	h.mr_type = REC_PUBLISH;
	h.mr_tag = tag;
	return mbox_put(ry->ry_mb, owner, &h, id, idlen, msg, len, -1) == 0 ?
	    1 : -1;
}

int
relay_broadcast(struct server *s, uint64_t tag, const char *msg, size_t len,
    uint32_t *reached)
{
	struct relay *ry = &s->s_relay;
	struct mbox_rec h;
	int k, sent = 0;

	if (s->s_cluster != NULL) {
		*reached = 0;
		return cluster_broadcast(s, tag, msg, len);
	}
	memset(&h, 0, sizeof(h));
	h.mr_type = REC_BCAST;
	h.mr_tag = tag;
	for (k = 0; k < ry->ry_n; k++)
		if (k != ry->ry_self &&
		    mbox_put(ry->ry_mb, k, &h, "", 0, msg, len, -1) == 0)
			sent++;
	*reached = deliver_to_all(s, msg, len);
	return sent;
}

/* Send the reply for the current run of records, if any. */
static void
relay_run_end(struct relay *ry)
{
	struct mbox_rec h;

	if (ry->ry_run.src == -1)
		return;
	memset(&h, 0, sizeof(h));
	h.mr_type = REC_REPLY;
	h.mr_tag = ry->ry_run.tag;
	(void)mbox_put(ry->ry_mb, ry->ry_run.src, &h, "", 0, &ry->ry_run.rp,
	    sizeof(ry->ry_run.rp), -1);
	ry->ry_run.src = -1;
}

/*
 * Count one delivered record toward the reply for (src, tag): the
 * records of one request arrive in runs, and a run is answered at once.
 */
static void
relay_run_add(struct relay *ry, int src, uint64_t tag, uint32_t reached,
    int nosub)
{
	if (ry->ry_run.src != src || ry->ry_run.tag != tag) {
		relay_run_end(ry);
		ry->ry_run.src = src;
		ry->ry_run.tag = tag;
		memset(&ry->ry_run.rp, 0, sizeof(ry->ry_run.rp));
	}
	ry->ry_run.rp.rr_records++;
	ry->ry_run.rp.rr_reached += reached;
	ry->ry_run.rp.rr_nosub += nosub;
}

static void
relay_adopt(struct server *s, const struct mbox_rec *h, const char *id,
    const char *data, int fd)
{
	/* fd -1: lost to MSG_CTRUNC; the endpoint gives its place back */
	if (fd != -1 && (uint32_t)fd >= s->s_nconns) {
		close(fd);
		fd = -1;
	}
	s->s_relay.ry_ops->ro_adopt(s, fd, id, h->mr_idlen, h->mr_flags, data,
	    h->mr_len);
}

static void
relay_reply(struct server *s, const struct mbox_rec *h, const char *data)
{
	struct relay_reply rp;

	if (h->mr_len != sizeof(rp))
		return;
	memcpy(&rp, data, sizeof(rp));
	s->s_relay.ry_ops->ro_replied(s, h->mr_tag, &rp);
}

/* One record from another worker's mailbox. */
static void
relay_record(void *arg, const struct mbox_rec *h, const char *id,
    const char *data, int fd)
{
	struct server *s = arg;
	struct relay *ry = &s->s_relay;
	uint32_t n;

	switch (h->mr_type) {
	case REC_HANDOFF:
		relay_adopt(s, h, id, data, fd);
		return;
	case REC_PUBLISH:
		n = deliver_to_id(s, id, h->mr_idlen, data, h->mr_len);
		relay_run_add(ry, (int)h->mr_src, h->mr_tag, n, n == 0);
		break;
	case REC_BCAST:
		n = deliver_to_all(s, data, h->mr_len);
		relay_run_add(ry, (int)h->mr_src, h->mr_tag, n, 0);
		break;
	case REC_REPLY:
		relay_reply(s, h, data);
		break;
	}
	if (fd != -1)
		close(fd);
}

static void
relay_mail(void *arg, int rx, uint32_t ev)
{
	struct server *s = arg;

	(void)rx;
	(void)ev;
	(void)mbox_recv(s->s_relay.ry_mb, MAIL_BATCH, relay_record, s);
	relay_run_end(&s->s_relay);
}

/* A full mailbox has room again: relay_tick sends and re-arms. */
static void
relay_txready(void *arg, int ep, uint32_t ev)
{
	struct epoll_event evs[16];

	(void)ev;
	(void)epoll_wait(ep, evs, 16, 0);
	relay_tick(arg);
}

void
relay_tick(struct server *s)
{
	struct relay *ry = &s->s_relay;
	struct epoll_event e;
	int k, full;

	if (ry->ry_mb == NULL)
		return;
	for (k = 0; k < ry->ry_n; k++) {
		full = mbox_pending(ry->ry_mb, k) && mbox_flush(ry->ry_mb, k) ==
		    1;
		if (full == ry->ry_txwait[k])
			continue;
		memset(&e, 0, sizeof(e));
		e.events = EPOLLOUT;
		e.data.fd = ry->ry_mb->mb_tx[k];
		(void)epoll_ctl(ry->ry_txep, full ? EPOLL_CTL_ADD :
		    EPOLL_CTL_DEL, ry->ry_mb->mb_tx[k], &e);
		ry->ry_txwait[k] = (uint8_t)full;
	}
}
