/*
 * mbox.c: datagram mailboxes between workers.
 *
 * Why a socketpair per worker, SOCK_DGRAM: a datagram is a unit, so
 * records never need reassembly, and SCM_RIGHTS descriptors travel with
 * the bytes that describe them.  On Linux the receive-queue length check
 * (max_dgram_qlen) is skipped for a socketpair, because the receiver's
 * peer is the sending socket: the only limit is the send buffer of
 * mb_tx[k], shared by every process that sends to k.  When it is full
 * sendmsg says EAGAIN, the records stay buffered here, and EPOLLOUT on
 * mb_tx[k] says when the receiver has caught up (t/mbox_test.c checks
 * all of this).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbox.h"

#define PAD8(n)		(((n) + 7) & ~(size_t)7)

static size_t
mbox_reclen(const struct mbox_rec *r)
{
	return PAD8(sizeof(*r) + r->mr_idlen + (size_t)r->mr_len);
}

int
mbox_create(struct mbox *mb, int n)
{
	int sv[2], k = 0, sz = MBOX_SNDBUF, save;

	memset(mb, 0, sizeof(*mb));
	mb->mb_n = n;
	mb->mb_self = -1;
	mb->mb_rx = calloc((size_t)n, sizeof(int));
	mb->mb_tx = calloc((size_t)n, sizeof(int));
	if (mb->mb_rx == NULL || mb->mb_tx == NULL)
		goto fail;
	for (k = 0; k < n; k++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0, sv) == -1)
			goto fail;
		mb->mb_rx[k] = sv[0];
		mb->mb_tx[k] = sv[1];
		/* Past net.core.wmem_max needs CAP_NET_ADMIN; else take less. */
		if (setsockopt(sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &sz,
		    sizeof(sz)) == -1)
			(void)setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz,
			    sizeof(sz));
	}
	return 0;
fail:
	save = errno;
	while (--k >= 0) {
		close(mb->mb_rx[k]);
		close(mb->mb_tx[k]);
	}
	free(mb->mb_rx);
	free(mb->mb_tx);
	memset(mb, 0, sizeof(*mb));
	errno = save;
	return -1;
}

int
mbox_attach(struct mbox *mb, int self)
{
	int k;

	for (k = 0; k < mb->mb_n; k++)
		if (k != self) {
			close(mb->mb_rx[k]);
			mb->mb_rx[k] = -1;
		}
	mb->mb_self = self;
	mb->mb_out = calloc((size_t)mb->mb_n, sizeof(*mb->mb_out));
	mb->mb_rbuf = malloc(2 * MBOX_MAXREC);
	if (mb->mb_out == NULL || mb->mb_rbuf == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Room for len more bytes and one more descriptor in o. */
static int
mbox_room(struct mbox_out *o, size_t len)
{
	size_t cap;
	void *p;

	if (o->mo_off > 0 && o->mo_len + len > o->mo_cap) {
		memmove(o->mo_buf, o->mo_buf + o->mo_off, o->mo_len - o->mo_off);
		o->mo_len -= o->mo_off;
		o->mo_off = 0;
		memmove(o->mo_fd, o->mo_fd + o->mo_fdoff,
		    (o->mo_nfd - o->mo_fdoff) * sizeof(int));
		o->mo_nfd -= o->mo_fdoff;
		o->mo_fdoff = 0;
	}
	/*
	 * Start small: a worker keeps one buffer per peer, and with 64
	 * workers a page each would cost ~16 bytes per connection.
	 */
	for (cap = o->mo_cap ? o->mo_cap : 256; cap < o->mo_len + len;)
		cap *= 2;
	if (cap != o->mo_cap) {
		if ((p = realloc(o->mo_buf, cap)) == NULL)
			return -1;
		o->mo_buf = p;
		o->mo_cap = cap;
	}
	if (o->mo_nfd == o->mo_fdcap) {
		cap = o->mo_fdcap ? o->mo_fdcap * 2 : 8;
		if ((p = realloc(o->mo_fd, cap * sizeof(int))) == NULL)
			return -1;
		o->mo_fd = p;
		o->mo_fdcap = cap;
	}
	return 0;
}

int
mbox_put(struct mbox *mb, int dest, const struct mbox_rec *hdr,
    const char *id, size_t idlen, const void *payload, size_t len, int fd)
{
	struct mbox_out *o = &mb->mb_out[dest];
	struct mbox_rec *r;
	size_t rl;

	if (idlen > MBOX_MAXID || len > MBOX_DGRAM) {
		errno = EINVAL;
		goto fail;
	}
	rl = PAD8(sizeof(*r) + idlen + len);
	if (mbox_room(o, rl) == -1) {
		errno = ENOMEM;
		goto fail;
	}
	r = (struct mbox_rec *)(void *)(o->mo_buf + o->mo_len);
	*r = *hdr;
	r->mr_src = (uint32_t)mb->mb_self;
	r->mr_idlen = (uint16_t)idlen;
	r->mr_len = (uint32_t)len;
	r->mr_hasfd = fd != -1;
	memcpy(r + 1, id, idlen);
	if (len > 0)
		memcpy((char *)(r + 1) + idlen, payload, len);
	/* the padding goes out too: no stale heap bytes to another worker */
	memset((char *)(r + 1) + idlen + len, 0, rl - sizeof(*r) - idlen - len);
	o->mo_len += rl;
	mb->mb_backlog += rl;
	if (fd != -1)
		o->mo_fd[o->mo_nfd++] = fd;
	if (o->mo_len - o->mo_off >= MBOX_DGRAM ||
	    o->mo_nfd - o->mo_fdoff >= MBOX_MAXFD)
		(void)mbox_flush(mb, dest);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	return -1;
}

/* The bytes and descriptors of the next datagram from o. */
static size_t
mbox_extent(const struct mbox_out *o, size_t *nfd)
{
	const struct mbox_rec *r;
	size_t end = o->mo_off, rl;

	*nfd = 0;
	while (end < o->mo_len) {
		r = (const struct mbox_rec *)(const void *)(o->mo_buf + end);
		rl = mbox_reclen(r);
		if (end > o->mo_off && (end + rl - o->mo_off > MBOX_DGRAM ||
		    *nfd + r->mr_hasfd > MBOX_MAXFD))
			break;
		end += rl;
		*nfd += r->mr_hasfd;
	}
	return end - o->mo_off;
}

/* sendmsg one datagram: len bytes and nfd descriptors from o. */
static ssize_t
mbox_send(int s, struct mbox_out *o, size_t len, size_t nfd)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(MBOX_MAXFD * sizeof(int))];
	} cm;
	struct msghdr msg;
	struct iovec iov;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = o->mo_buf + o->mo_off;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfd > 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
		cm.hdr.cmsg_level = SOL_SOCKET;
		cm.hdr.cmsg_type = SCM_RIGHTS;
		cm.hdr.cmsg_len = CMSG_LEN(nfd * sizeof(int));
		memcpy(CMSG_DATA(&cm.hdr), o->mo_fd + o->mo_fdoff,
		    nfd * sizeof(int));
	}
	return sendmsg(s, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Count the records of a datagram the kernel refused for good. */
static void
mbox_drop(struct mbox *mb, const struct mbox_out *o, size_t len)
{
	const struct mbox_rec *r;
	size_t off;

	for (off = o->mo_off; off < o->mo_off + len; off += mbox_reclen(r)) {
		r = (const struct mbox_rec *)(const void *)(o->mo_buf + off);
		mb->mb_dropped++;
	}
}

int
mbox_flush(struct mbox *mb, int dest)
{
	struct mbox_out *o = &mb->mb_out[dest];
	size_t len, nfd, i;

	while (o->mo_off < o->mo_len) {
		len = mbox_extent(o, &nfd);
		if (mbox_send(mb->mb_tx[dest], o, len, nfd) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == ENOBUFS)
				return 1;
			mbox_drop(mb, o, len);
		}
		/* Sent (the kernel holds its own references) or dropped. */
		for (i = 0; i < nfd; i++)
			close(o->mo_fd[o->mo_fdoff + i]);
		o->mo_fdoff += nfd;
		o->mo_off += len;
		mb->mb_backlog -= len;
	}
	o->mo_len = o->mo_off = o->mo_nfd = o->mo_fdoff = 0;
	/* A burst may have grown the buffer; do not keep it per peer. */
	if (o->mo_cap > 4096) {
		free(o->mo_buf);
		free(o->mo_fd);
		o->mo_buf = NULL;
		o->mo_fd = NULL;
		o->mo_cap = o->mo_fdcap = 0;
	}
	return 0;
}

void
mbox_close(struct mbox *mb)
{
	struct mbox_out *o;
	size_t i;
	int k;

	for (k = 0; k < mb->mb_n; k++) {
		if (mb->mb_rx[k] != -1)
			close(mb->mb_rx[k]);
		close(mb->mb_tx[k]);
		if (mb->mb_out == NULL)
			continue;
		o = &mb->mb_out[k];
		for (i = o->mo_fdoff; i < o->mo_nfd; i++)
			close(o->mo_fd[i]);
		free(o->mo_buf);
		free(o->mo_fd);
	}
	free(mb->mb_rx);
	free(mb->mb_tx);
	free(mb->mb_out);
	free(mb->mb_rbuf);
	memset(mb, 0, sizeof(*mb));
}

int
mbox_pending(const struct mbox *mb, int dest)
{
	return mb->mb_out != NULL &&
	    mb->mb_out[dest].mo_off < mb->mb_out[dest].mo_len;
}

/* The descriptors of a received datagram's SCM_RIGHTS message. */
static size_t
mbox_fds(struct msghdr *msg, int *fds)
{
	struct cmsghdr *c;
	size_t n = 0, k;

	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (k > MBOX_MAXFD - n)
			k = MBOX_MAXFD - n;
		memcpy(fds + n, CMSG_DATA(c), k * sizeof(int));
		n += k;
	}
	return n;
}

/*
 * Hand each record of buf[0..len) to fn with its descriptor.  When
 * MSG_CTRUNC cut the descriptors short, the last fd-carrying records get
 * -1: the kernel installs descriptors in order and drops the rest.
 */
static void
mbox_walk(struct mbox *mb, const char *buf, size_t len, int *fds,
    size_t nfd, mbox_fn *fn, void *arg)
{
	const struct mbox_rec *r;
	const char *id;
	size_t off = 0, fi = 0, rl;
	int fd;

	while (len - off >= sizeof(*r)) {
		r = (const struct mbox_rec *)(const void *)(buf + off);
		rl = mbox_reclen(r);
		if (rl > len - off)
			break;
		fd = -1;
		if (r->mr_hasfd) {
			if (fi < nfd)
				fd = fds[fi++];
			else
				mb->mb_lostfd++;
		}
		id = (const char *)(r + 1);
		fn(arg, r, id, id + r->mr_idlen, fd);
		off += rl;
	}
	while (fi < nfd)
		close(fds[fi++]);
}

int
mbox_recv(struct mbox *mb, int max, mbox_fn *fn, void *arg)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(MBOX_MAXFD * sizeof(int))];
	} cm;
	int fds[MBOX_MAXFD], got = 0;
	struct msghdr msg;
	struct iovec iov;
	ssize_t n;

	while (got < max) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = mb->mb_rbuf;
		iov.iov_len = 2 * MBOX_MAXREC;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof(cm.buf);
		n = recvmsg(mb->mb_rx[mb->mb_self], &msg,
		    MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? got : -1;
		}
		got++;
		mbox_walk(mb, mb->mb_rbuf, (size_t)n, fds, mbox_fds(&msg, fds),
		    fn, arg);
	}
	return got;
}
