/*
 * router.c: delivering messages to Ids across cometd's workers.
 *
 * Costs, per design choice:
 * - A stream accepted by a worker that does not own its Id costs one
 *   extra record and one SCM_RIGHTS descriptor in a batched datagram, once
 *   per connection (handoffs are batched up to 253 per datagram).
 * - A message costs one record to its owner and one reply record back
 *   (batched per owner per loop pass), whatever the number of workers:
 *   no broadcast to every worker per message, no shared index to lock.
 * - A broadcast costs one record per worker.
 * - A stream's messages are queued during a loop pass and written with
 *   one writev per stream when the pass ends (router_tick): at 100,000
 *   connections the kernel's cost per write to a cold socket, not the
 *   bytes, bounds deliveries per second, so several messages for one
 *   stream in a pass cost one write.  The bound rc_qmax applies to what
 *   the kernel refused, not to what one pass gathered.
 * - The index costs under 32 bytes per connection (uidx.h); a
 *   connection that reads keeps no memory past the pass, one that does
 *   not holds up to rc_qmax queue entries of 16 bytes plus shared bodies.
 *
 * Record types over the mailboxes:
 *   HANDOFF  Id, flags, one descriptor       accepting worker -> owner
 *   PUBLISH  tag, Id, message                publishing worker -> owner
 *   BCAST    tag, message                    publishing worker -> all
 *   REPLY    tag, {records, reached, nosub}  owner -> publishing worker
 * A tag is the publishing fd and a generation number, so a reply for a
 * request whose connection has since closed (or been reused) is ignored.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allow.h"
#include "batch.h"
#include "blob.h"
#include "body.h"
#include "loop.h"
#include "mbox.h"
#include "outq.h"
#include "owner.h"
#include "router.h"
#include "stats.h"
#include "uidx.h"

enum { REC_HANDOFF = 1, REC_PUBLISH, REC_BCAST, REC_REPLY };
enum { PUB_ONE, PUB_BATCH, PUB_BCAST };

#define MAIL_BATCH	64	/* datagrams read per mailbox event */

struct reply {
	uint32_t	 rp_records;	/* publish records this reply covers */
	uint32_t	 rp_reached;	/* connections written or queued */
	uint32_t	 rp_nosub;	/* of the records, those that reached none */
};

/* A publish request: exists from its head until its answer. */
struct pub {
	uint64_t	 p_tag;		/* fd << 32 | generation */
	int		 p_kind;	/* PUB_* */
	int		 p_done;	/* the body is complete */
	int		 p_status;	/* nonzero: answer this (413, 400) */
	uint32_t	 p_wait;	/* records whose reply is due */
	uint64_t	 p_messages;
	uint64_t	 p_deliveries;
	uint64_t	 p_nosub;
	uint64_t	 p_malformed;
	struct body	 p_body;
	struct batch	 p_batch;
	size_t		 p_idlen;	/* PUB_ONE: the Id, in p_id */
	char		 p_id[MBOX_MAXID];
	size_t		 p_have;	/* bytes in p_buf */
	size_t		 p_cap;
	char		 p_buf[];
};

struct router {
	const struct router_conf *r_conf;
	const struct router_ops *r_ops;
	void		*r_host;	/* first argument of every r_ops call */
	struct loop	*r_loop;
	struct mbox	*r_mb;		/* NULL with one worker */
	int		 r_self;	/* this worker */
	int		 r_n;		/* workers */
	uint32_t	 r_nfd;
	uint32_t	 r_gen;		/* publish generation, for tags */
	struct stats_slot *r_st;
	struct uidx	 r_ux;
	struct outq	**r_q;		/* by fd: queued messages, or NULL */
	uint32_t	*r_dirty;	/* fds given messages in this pass */
	uint32_t	 r_ndirty;
	struct pub	**r_pub;	/* by fd: publish request, or NULL */
	int		 r_txep;	/* epoll set of full mailboxes */
	uint8_t		*r_txwait;	/* by worker: in r_txep */
	struct {			/* a run of records to answer at once */
		int		 src;	/* -1: none */
		uint64_t	 tag;
		struct reply	 rp;
	}		 r_run;
};

static void	router_mail(void *, int, uint32_t);
static void	router_txready(void *, int, uint32_t);

static const char *
router_key(void *arg, int fd, size_t *len)
{
	struct router *r = arg;

	return r->r_ops->ro_id(r->r_host, fd, len);
}

static int
router_attach(struct router *r, struct mbox *mb)
{
	if (mbox_attach(mb, r->r_self) == -1)
		return -1;
	if ((r->r_txep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (r->r_txwait = calloc((size_t)r->r_n, 1)) == NULL)
		return -1;
	if (loop_watch(r->r_loop, mb->mb_rx[r->r_self], EPOLLIN, router_mail,
	    r) == -1 ||
	    loop_watch(r->r_loop, r->r_txep, EPOLLIN, router_txready, r) == -1)
		return -1;
	r->r_mb = mb;
	return 0;
}

struct router *
router_new(const struct router_conf *rc, const struct router_ops *ops,
    void *host, struct loop *loop, struct mbox *mb, int self, int n,
    uint32_t nfd, struct stats_slot *st)
{
	struct router *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->r_conf = rc;
	r->r_ops = ops;
	r->r_host = host;
	r->r_loop = loop;
	r->r_self = self;
	r->r_n = n;
	r->r_nfd = nfd;
	r->r_st = st;
	r->r_txep = -1;
	r->r_run.src = -1;
	/* calloc'd by fd: pages stay untouched until some fd needs them */
	if (uidx_init(&r->r_ux, nfd, router_key, r) == -1 ||
	    (r->r_q = calloc(nfd, sizeof(*r->r_q))) == NULL ||
	    (r->r_dirty = calloc(nfd, sizeof(*r->r_dirty))) == NULL ||
	    (r->r_pub = calloc(nfd, sizeof(*r->r_pub))) == NULL ||
	    (mb != NULL && n > 1 && router_attach(r, mb) == -1))
		return NULL;
	return r;
}

int
router_mine(const struct router *r, const char *id, size_t len)
{
	return owner_of(id, len, r->r_n) == r->r_self;
}

int
router_handoff(struct router *r, int fd, const char *id, size_t len,
    int flags)
{
	struct mbox_rec h;

	memset(&h, 0, sizeof(h));
	h.mr_type = REC_HANDOFF;
	h.mr_flags = (uint8_t)flags;
	stats_add(r->r_st, STAT_HANDOFFS, 1);
	return mbox_put(r->r_mb, owner_of(id, len, r->r_n), &h, id, len,
	    NULL, 0, fd);
}

int
router_login(struct router *r, int fd)
{
	const char *id;
	size_t len;

	id = r->r_ops->ro_id(r->r_host, fd, &len);
	return uidx_login(&r->r_ux, fd, id, len);
}

void
router_forget(struct router *r, int fd)
{
	if (fd < 0 || (uint32_t)fd >= r->r_nfd)
		return;
	uidx_logout(&r->r_ux, fd);
	outq_free(&r->r_q[fd]);
	/* only read otherwise: untouched pages of r_pub stay zero pages */
	if (r->r_pub[fd] != NULL) {
		free(r->r_pub[fd]);
		r->r_pub[fd] = NULL;
	}
}

/*
 * Write what this pass queued, one writev per stream however many
 * messages it got: with many connections the kernel's cost per write,
 * not per byte, is what limits deliveries per second.  What the kernel
 * refuses stays queued, bounded by rc_qmax, until EPOLLOUT.
 */
static void
router_write(struct router *r)
{
	const struct router_ops *o = r->r_ops;
	uint32_t i;
	int fd;

	for (i = 0; i < r->r_ndirty; i++) {
		fd = (int)r->r_dirty[i];
		/* closed since (and maybe reused), or already waiting */
		if (r->r_q[fd] == NULL || o->ro_blocked(r->r_host, fd))
			continue;
		if (router_flush(r, fd) != 1)
			continue;
		if (r->r_q[fd]->q_count > r->r_conf->rc_qmax)
			o->ro_close(r->r_host, fd, 1);
		else
			o->ro_block(r->r_host, fd);
	}
	r->r_ndirty = 0;
}

/*
 * Queue message b on stream fd; it is written when the loop pass ends
 * (router_tick), together with whatever else the pass gave the stream.
 * Returns 1 if it was queued, 0 if the stream was closed instead.
 */
static int
router_deliver(struct router *r, int fd, struct blob *b)
{
	const struct router_ops *o = r->r_ops;
	uint32_t max = UINT32_MAX;
	int blocked, fresh;

	/* a stream waiting for EPOLLOUT is held to the bound at once */
	if ((blocked = o->ro_blocked(r->r_host, fd)))
		max = r->r_conf->rc_qmax;
	fresh = r->r_q[fd] == NULL && !blocked;
	switch (outq_queue(&r->r_q[fd], b, o->ro_next(r->r_host, fd), max)) {
	case OUTQ_QUEUED:
		if (fresh) {
			if (r->r_ndirty == r->r_nfd)
				router_write(r);
			r->r_dirty[r->r_ndirty++] = (uint32_t)fd;
		}
		stats_add(r->r_st, STAT_DELIVERIES, 1);
		return 1;
	case OUTQ_FULL:
		o->ro_close(r->r_host, fd, 1);
		return 0;
	default:
		o->ro_close(r->r_host, fd, 0);
		return 0;
	}
}

/* Deliver msg to every local stream of id; returns how many it reached. */
static uint32_t
router_to_id(struct router *r, const char *id, size_t idlen,
    const char *msg, size_t len)
{
	struct blob *b;
	uint32_t n = 0;
	int fd, next;

	if ((fd = uidx_first(&r->r_ux, id, idlen)) == -1)
		return 0;
	if ((b = blob_new(msg, len)) == NULL)
		return 0;
	for (; fd != -1; fd = next) {
		/* delivering may close fd, and closing unlinks it */
		next = uidx_next(&r->r_ux, fd);
		n += router_deliver(r, fd, b);
	}
	blob_unref(b);
	return n;
}

/* Deliver msg to every local stream; returns how many it reached. */
static uint32_t
router_to_all(struct router *r, const char *msg, size_t len)
{
	struct blob *b;
	uint32_t n = 0, fd, left = r->r_ux.ux_conns;

	if (left == 0 || (b = blob_new(msg, len)) == NULL)
		return 0;
	for (fd = 0; fd < r->r_nfd && left > 0; fd++)
		if (uidx_member(&r->r_ux, (int)fd)) {
			left--;
			n += router_deliver(r, (int)fd, b);
		}
	blob_unref(b);
	return n;
}

/* The pub of a tag, if its request is still there. */
static struct pub *
router_pub_of(struct router *r, uint64_t tag)
{
	uint32_t fd = (uint32_t)(tag >> 32);

	if (fd >= r->r_nfd || r->r_pub[fd] == NULL ||
	    r->r_pub[fd]->p_tag != tag)
		return NULL;
	return r->r_pub[fd];
}

/* Answer fd's publish request once its body and its replies are in. */
static void
router_answer(struct router *r, int fd)
{
	struct pub *p = r->r_pub[fd];
	char body[256];
	int n, status;

	if (p == NULL || !p->p_done || p->p_wait > 0)
		return;
	if (p->p_kind == PUB_BCAST && p->p_messages > 0 &&
	    p->p_deliveries == 0)
		p->p_nosub = 1;
	stats_add(r->r_st, STAT_NO_SUBSCRIBER, (int64_t)p->p_nosub);
	status = p->p_status ? p->p_status : p->p_deliveries > 0 ? 201 : 202;
	if (p->p_status)
		n = snprintf(body, sizeof(body), "error %d\n", p->p_status);
	else
		n = snprintf(body, sizeof(body), "messages %llu\n"
		    "deliveries %llu\nno_subscriber %llu\nmalformed %llu\n",
		    (unsigned long long)p->p_messages,
		    (unsigned long long)p->p_deliveries,
		    (unsigned long long)p->p_nosub,
		    (unsigned long long)p->p_malformed);
	free(p);
	r->r_pub[fd] = NULL;
	r->r_ops->ro_answer(r->r_host, fd, status, body, (size_t)n);
}

/* A reply (or a local result) for records of fd's request. */
static void
router_count(struct pub *p, const struct reply *rp)
{
	p->p_wait -= rp->rp_records < p->p_wait ? rp->rp_records : p->p_wait;
	p->p_deliveries += rp->rp_reached;
	p->p_nosub += rp->rp_nosub;
}

/* One message of request p for id: deliver here or send to its owner. */
static void
router_route(struct router *r, struct pub *p, const char *id, size_t idlen,
    const char *msg, size_t len)
{
	struct mbox_rec h;
	struct reply rp;
	int owner;

	p->p_messages++;
	stats_add(r->r_st, STAT_MESSAGES_IN, 1);
	owner = owner_of(id, idlen, r->r_n);
	if (owner == r->r_self) {
		rp.rp_records = 0;
		rp.rp_reached = router_to_id(r, id, idlen, msg, len);
		rp.rp_nosub = rp.rp_reached == 0;
		router_count(p, &rp);
		return;
	}
	memset(&h, 0, sizeof(h));
	h.mr_type = REC_PUBLISH;
	h.mr_tag = p->p_tag;
	if (mbox_put(r->r_mb, owner, &h, id, idlen, msg, len, -1) == 0)
		p->p_wait++;
}

/* A broadcast of request p: every other worker, then this one. */
static void
router_bcast(struct router *r, struct pub *p, const char *msg, size_t len)
{
	struct mbox_rec h;
	int k;

	p->p_messages++;
	stats_add(r->r_st, STAT_MESSAGES_IN, 1);
	memset(&h, 0, sizeof(h));
	h.mr_type = REC_BCAST;
	h.mr_tag = p->p_tag;
	for (k = 0; k < r->r_n; k++)
		if (k != r->r_self &&
		    mbox_put(r->r_mb, k, &h, "", 0, msg, len, -1) == 0)
			p->p_wait++;
	p->p_deliveries += router_to_all(r, msg, len);
}

int
router_post(struct router *r, int fd, const char *path, size_t plen,
    long long clen, const struct sockaddr *peer)
{
	struct pub *p;
	int kind;
	size_t cap;

	if (plen > 6 && memcmp(path, "/send/", 6) == 0)
		kind = PUB_ONE;
	else if (plen == 5 && memcmp(path, "/send", 5) == 0)
		kind = PUB_BATCH;
	else if (plen == 10 && memcmp(path, "/broadcast", 10) == 0)
		kind = PUB_BCAST;
	else
		return 404;
	if (!allow_match(&r->r_conf->rc_allow, peer))
		return 403;
	if (kind == PUB_ONE && plen - 6 > r->r_conf->rc_idmax)
		return 414;
	/* room for one whole line, or one message and a byte to spot more */
	cap = kind == PUB_BATCH ? r->r_conf->rc_idmax + r->r_conf->rc_msgmax +
	    3 : r->r_conf->rc_msgmax + 1;
	if ((p = calloc(1, sizeof(*p) + cap)) == NULL)
		return 503;
	p->p_kind = kind;
	p->p_cap = cap;
	p->p_tag = (uint64_t)fd << 32 | ++r->r_gen;
	body_init(&p->p_body, clen);
	batch_init(&p->p_batch, r->r_conf->rc_idmax, r->r_conf->rc_msgmax);
	if (kind == PUB_ONE) {
		p->p_idlen = plen - 6;
		memcpy(p->p_id, path + 6, p->p_idlen);
	}
	/* a body known to be too large is read and dropped, then refused */
	if (kind != PUB_BATCH && clen > (long long)r->r_conf->rc_msgmax)
		p->p_status = 413;
	p->p_done = p->p_body.b_state == BODY_DONE;
	free(r->r_pub[fd]);
	r->r_pub[fd] = p;
	return 0;
}

int
router_publishing(const struct router *r, int fd)
{
	return fd >= 0 && (uint32_t)fd < r->r_nfd && r->r_pub[fd] != NULL;
}

/* Route the complete lines of a batch body held in p_buf. */
static void
router_lines(struct router *r, struct pub *p)
{
	struct batch_line l;
	size_t off = 0, n;

	while ((n = batch_next(&p->p_batch, p->p_buf + off, p->p_have - off,
	    p->p_done, &l)) > 0) {
		off += n;
		if (l.bl_status == BATCH_OK)
			router_route(r, p, l.bl_id, l.bl_idlen, l.bl_msg,
			    l.bl_msglen);
		else if (batch_malformed(l.bl_status))
			p->p_malformed++;
	}
	memmove(p->p_buf, p->p_buf + off, p->p_have - off);
	p->p_have -= off;
}

/* The whole body of a single or broadcast publish is in p_buf. */
static void
router_whole(struct router *r, struct pub *p)
{
	if (p->p_status)
		return;
	if (p->p_have > r->r_conf->rc_msgmax)
		p->p_status = 413;
	else if (p->p_have == 0)
		p->p_status = 400;
	else if (p->p_kind == PUB_ONE)
		router_route(r, p, p->p_id, p->p_idlen, p->p_buf, p->p_have);
	else
		router_bcast(r, p, p->p_buf, p->p_have);
}

ssize_t
router_body(struct router *r, int fd, const char *buf, size_t len)
{
	struct pub *p = r->r_pub[fd];
	size_t used = 0, n, dlen, took;
	int rc;

	while (p != NULL && !p->p_done && used < len) {
		/* a refused body is still read, so the answer can be heard */
		if (p->p_status || (p->p_kind != PUB_BATCH &&
		    p->p_have == p->p_cap)) {
			p->p_status = p->p_status ? p->p_status : 413;
			p->p_have = 0;
		}
		n = len - used < p->p_cap - p->p_have ? len - used :
		    p->p_cap - p->p_have;
		memcpy(p->p_buf + p->p_have, buf + used, n);
		dlen = n;
		rc = body_decode(&p->p_body, p->p_buf + p->p_have, &dlen, &took);
		/* the caller answers 400 and closes; router_forget cleans up */
		if (rc == -1)
			return -1;
		used += took;
		p->p_have += dlen;
		p->p_done = rc == 1;
		if (p->p_kind == PUB_BATCH && !p->p_status)
			router_lines(r, p);
	}
	if (p != NULL && p->p_done) {
		if (p->p_kind != PUB_BATCH)
			router_whole(r, p);
		router_answer(r, fd);
	}
	return (ssize_t)used;
}

/* Send the reply for the current run of records, if any. */
static void
router_run_end(struct router *r)
{
	struct mbox_rec h;

	if (r->r_run.src == -1)
		return;
	memset(&h, 0, sizeof(h));
	h.mr_type = REC_REPLY;
	h.mr_tag = r->r_run.tag;
	(void)mbox_put(r->r_mb, r->r_run.src, &h, "", 0, &r->r_run.rp,
	    sizeof(r->r_run.rp), -1);
	r->r_run.src = -1;
}

/* Count one delivered record toward the reply for (src, tag). */
static void
router_run_add(struct router *r, int src, uint64_t tag, uint32_t reached,
    int nosub)
{
	if (r->r_run.src != src || r->r_run.tag != tag) {
		router_run_end(r);
		r->r_run.src = src;
		r->r_run.tag = tag;
		memset(&r->r_run.rp, 0, sizeof(r->r_run.rp));
	}
	r->r_run.rp.rp_records++;
	r->r_run.rp.rp_reached += reached;
	r->r_run.rp.rp_nosub += nosub;
}

static void
router_reply(struct router *r, uint64_t tag, const char *data, size_t len)
{
	struct reply rp;
	struct pub *p;

	if (len != sizeof(rp) || (p = router_pub_of(r, tag)) == NULL)
		return;
	memcpy(&rp, data, sizeof(rp));
	router_count(p, &rp);
	router_answer(r, (int)(tag >> 32));
}

static void
router_adopt(struct router *r, const struct mbox_rec *h, const char *id,
    int fd)
{
	/* fd -1: lost to MSG_CTRUNC; the server gives its place back */
	if (fd != -1 && (uint32_t)fd >= r->r_nfd) {
		close(fd);
		fd = -1;
	}
	r->r_ops->ro_adopt(r->r_host, fd, id, h->mr_idlen, h->mr_flags);
}

/* One record from another worker's mailbox. */
static void
router_record(void *arg, const struct mbox_rec *h, const char *id,
    const char *data, int fd)
{
	struct router *r = arg;
	uint32_t n;

	switch (h->mr_type) {
	case REC_HANDOFF:
		router_adopt(r, h, id, fd);
		return;
	case REC_PUBLISH:
		n = router_to_id(r, id, h->mr_idlen, data, h->mr_len);
		router_run_add(r, (int)h->mr_src, h->mr_tag, n, n == 0);
		break;
	case REC_BCAST:
		n = router_to_all(r, data, h->mr_len);
		router_run_add(r, (int)h->mr_src, h->mr_tag, n, 0);
		break;
	case REC_REPLY:
		router_reply(r, h->mr_tag, data, h->mr_len);
		break;
	}
	if (fd != -1)
		close(fd);
}

static void
router_mail(void *arg, int rx, uint32_t ev)
{
	struct router *r = arg;

	(void)rx;
	(void)ev;
	(void)mbox_recv(r->r_mb, MAIL_BATCH, router_record, r);
	router_run_end(r);
}

/* A full mailbox has room again: router_tick sends and re-arms. */
static void
router_txready(void *arg, int ep, uint32_t ev)
{
	struct router *r = arg;
	struct epoll_event evs[16];

	(void)ev;
	(void)epoll_wait(ep, evs, 16, 0);
	router_tick(r);
}

void
router_tick(struct router *r)
{
	struct epoll_event e;
	int k, full;

	router_write(r);
	if (r->r_mb == NULL)
		return;
	for (k = 0; k < r->r_n; k++) {
		full = mbox_pending(r->r_mb, k) && mbox_flush(r->r_mb, k) == 1;
		if (full == r->r_txwait[k])
			continue;
		memset(&e, 0, sizeof(e));
		e.events = EPOLLOUT;
		e.data.fd = r->r_mb->mb_tx[k];
		(void)epoll_ctl(r->r_txep, full ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		    r->r_mb->mb_tx[k], &e);
		r->r_txwait[k] = (uint8_t)full;
	}
}

int
router_chunk(struct router *r, int fd, uint32_t n)
{
	const struct router_ops *o = r->r_ops;

	if (r->r_q[fd] == NULL)
		return 0;
	if (outq_queue(&r->r_q[fd], NULL, n, r->r_conf->rc_qmax) != OUTQ_QUEUED)
		o->ro_close(r->r_host, fd, 1);
	return 1;
}

int
router_flush(struct router *r, int fd)
{
	const struct router_ops *o = r->r_ops;
	struct outq_frame f;
	uint64_t nw = 0;
	int rc;

	if (r->r_q[fd] == NULL)
		return 0;
	f.of_chunked = !o->ro_raw(r->r_host, fd);
	f.of_id = o->ro_id(r->r_host, fd, &f.of_idlen);
	rc = outq_flush(&r->r_q[fd], fd, &f, &nw);
	stats_add(r->r_st, STAT_BYTES_OUT, (int64_t)nw);
	switch (rc) {
	case OUTQ_DONE:
		return 0;
	case OUTQ_QUEUED:
		return 1;
	default:
		o->ro_close(r->r_host, fd, 0);
		return -1;
	}
}
