/*
 * fconn.c: one flood connection, from socket() to its end.  Nothing is
 * kept for a connection but its struct fconn; every read goes into the
 * worker's one buffer and is decoded there, and the request waits in an
 * in-flight slot only until the head arrives.
 *
 * On loopback the handshake has usually completed inside connect(), so
 * the request is written at once and the socket goes straight to
 * waiting for the head: no EPOLLOUT wakeup, getsockopt or epoll_ctl MOD.
 * A held connection costs one read() per chunk and no other call.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stamp.h"
#include "worker.h"

#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE	51	/* Linux 6.3: a socket's own range */
#endif
#define PORT_TRIES	32		/* source ports tried before the
					   kernel's own search */

/* The Closed reason for a socket error. */
static const char *
reason_errno(struct flood *f, int e)
{
	switch (e) {
	case ECONNREFUSED:
		return "refused";
	case ECONNRESET:
	case EPIPE:
		return "reset";
	case ETIMEDOUT:
		return "timeout";
	case ENETUNREACH:
	case EHOSTUNREACH:
		return "unreachable";
	case EADDRNOTAVAIL:
	case EADDRINUSE:
		return "no ports";
	case EMFILE:
	case ENFILE:
		return "no fds";
	}
	snprintf(f->f_why, sizeof(f->f_why), "error %s",
	    strerrorname_np(e) ? strerrorname_np(e) : "unknown");
	return f->f_why;
}

uint32_t
flood_rand(struct flood *f)
{
	f->f_rand ^= f->f_rand << 13;
	f->f_rand ^= f->f_rand >> 17;
	f->f_rand ^= f->f_rand << 5;
	return f->f_rand;
}

void
slot_free(struct flood *f, unsigned i)
{
	f->f_slot[i].fs_fd = -1;
	f->f_free[f->f_nfree++] = i;
}

/*
 * An example for a reason: the URL of request req[0..len) ("GET path
 * HTTP/1.1\r\nHost: host\r\n..."), or with none, the address of fd's
 * server.
 */
static void
why_example(char *buf, size_t size, const char *req, size_t len, int fd)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	const char *path, *sp, *host, *end;
	char a[INET_ADDRSTRLEN];

	snprintf(buf, size, "?");
	if (req != NULL && len > 4 && (sp = memchr(req + 4, ' ', len - 4)) &&
	    (host = memmem(req, len, "\r\nHost: ", 8)) &&
	    (end = memchr(host + 8, '\r', req + len - host - 8))) {
		path = req + 4;
		snprintf(buf, size, "http://%.*s%.*s", (int)(end - host - 8),
		    host + 8, (int)(sp - path), path);
	} else if (fd >= 0 && getpeername(fd, (struct sockaddr *)&sin,
	    &sl) == 0 && inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a)))
		snprintf(buf, size, "http://%s:%d", a, ntohs(sin.sin_port));
}

/*
 * Count a connection that ended early, or never started, under its
 * reason, with an example the first time: its request, or its fd.
 */
static void
note_closed(struct flood *f, const char *why, const char *req, size_t len,
    int fd)
{
	struct flood_stats *st = f->f_st;
	struct flood_why *w;
	uint32_t i;

	st->st_closed++;
	for (i = 0; i < st->st_nwhy; i++)
		if (strcmp(st->st_why[i].fw_text, why) == 0)
			break;
	if (i == FLOOD_WHY_N - 1 && i == st->st_nwhy)
		why = "other";
	if (i == st->st_nwhy) {
		w = &st->st_why[i];
		snprintf(w->fw_text, sizeof(w->fw_text), "%s", why);
		why_example(w->fw_url, sizeof(w->fw_url), req, len, fd);
		__atomic_store_n(&st->st_nwhy, i + 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&st->st_why[i].fw_count, st->st_why[i].fw_count + 1,
	    __ATOMIC_RELAXED);
}

void
fconn_close(struct flood *f, int fd, const char *why)
{
	struct fconn *c = &f->f_conn[fd];
	struct fslot *s = NULL;

	if (c->fc_phase == C_ACTIVE)
		f->f_st->st_active--;
	else {
		s = &f->f_slot[c->fc_slot];
		slot_free(f, c->fc_slot);
	}
	c->fc_phase = C_FREE;
	note_closed(f, why, s ? s->fs_req : NULL, s ? s->fs_len : 0, fd);
	/* SO_LINGER {1, 0}: the close sends RST and leaves no TIME_WAIT */
	close(fd);
}

/*
 * Narrow fd's port range to the one port chosen for it, so connect()
 * tries that port alone.  A kernel without the option (before 6.3)
 * picks the port itself, as it always did.
 */
static int
fconn_port(struct flood *f, int fd, uint16_t port)
{
	uint32_t range = (uint32_t)port << 16 | port;

	if (f->f_norange || setsockopt(fd, IPPROTO_IP, IP_LOCAL_PORT_RANGE,
	    &range, sizeof(range)) == 0)
		return 0;
	if (errno != ENOPROTOOPT)
		return -1;
	f->f_norange = 1;
	return 0;
}

/*
 * Open a socket to rec's address from source port sport (0: the
 * kernel's choice); returns the fd or -1 with errno.  EADDRNOTAVAIL
 * with a sport means that port is taken for this pair.
 */
static int
fconn_socket(struct flood *f, const struct flood_rec *rec, uint16_t sport)
{
	struct linger lg = { 1, 0 };
	struct sockaddr_in sin;
	int fd, one = 1, saved;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	if ((unsigned)fd >= f->f_nconn) {
		close(fd);
		errno = EMFILE;
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == -1 ||
	    (sport && fconn_port(f, fd, sport) == -1))
		goto fail;
	if (rec->fr_saddr) {
		/* the port is picked at connect(), per destination */
		sin.sin_addr.s_addr = rec->fr_saddr;
		if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		    sizeof(one)) == -1 ||
		    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			goto fail;
	}
	sin.sin_addr.s_addr = rec->fr_addr;
	sin.sin_port = rec->fr_port;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * Open rec's socket from its chosen port.  Another socket may hold that
 * port: one bound to it (a listener in the ephemeral range, even one
 * gone but in TIME_WAIT), or a second flood towards the same pair.  Then
 * try random ports of the range, each free with the odds of the pair's
 * unused share, and at last let the kernel search.  Returns the fd or -1
 * with errno.
 */
static int
fconn_open(struct flood *f, const struct flood_rec *rec)
{
	uint32_t span = f->f_conf->fo_port_hi - f->f_conf->fo_port_lo + 1;
	uint16_t port = rec->fr_sport;
	int fd, tries;

	for (tries = 0; port != 0 && tries < PORT_TRIES; tries++) {
		if ((fd = fconn_socket(f, rec, port)) != -1 ||
		    errno != EADDRNOTAVAIL)
			return fd;
		port = f->f_conf->fo_port_lo + flood_rand(f) % span;
	}
	return fconn_socket(f, rec, 0);
}

/* How the response is read in this flood's protocol. */
static enum reader_mode
fconn_mode(const struct flood *f)
{
	switch (f->f_conf->fo_proto) {
	case FLOOD_SSE:
		return READER_EVENTS;
	case FLOOD_WS:
		return READER_UPGRADE;
	case FLOOD_CHUNKED:
		break;
	}
	return READER_CHUNKS;
}

void
fconn_start(struct flood *f, const struct flood_rec *rec, const char *req)
{
	struct epoll_event ev;
	struct fconn *c;
	struct fslot *s;
	ssize_t n;
	unsigned i;
	int fd;

	if ((fd = fconn_open(f, rec)) == -1) {
		note_closed(f, reason_errno(f, errno), req, rec->fr_len, -1);
		return;
	}
	/* EAGAIN: still connecting; another error is the connect's own */
	n = write(fd, req, rec->fr_len);
	if ((n == -1 && errno != EAGAIN) || (n >= 0 && n != rec->fr_len)) {
		note_closed(f, n == -1 ? reason_errno(f, errno) :
		    "short write", req, rec->fr_len, -1);
		close(fd);
		return;
	}
	ev.events = n > 0 ? EPOLLIN : EPOLLOUT;
	ev.data.fd = fd;
	if (epoll_ctl(f->f_ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		note_closed(f, reason_errno(f, errno), req, rec->fr_len, -1);
		close(fd);
		return;
	}
	i = f->f_free[--f->f_nfree];
	s = &f->f_slot[i];
	s->fs_fd = fd;
	s->fs_start = f->f_now;
	s->fs_len = rec->fr_len;
	/* kept until the head: to send later, and to name it if it fails */
	memcpy(s->fs_req, req, rec->fr_len);
	if (f->f_conf->fo_proto == FLOOD_WS)
		s->fs_accept = fws_expect(req, rec->fr_len);
	c = &f->f_conn[fd];
	reader_init(&c->fc_dec, fconn_mode(f));
	c->fc_last = 0;
	c->fc_slot = i;
	c->fc_phase = n > 0 ? C_HEAD : C_CONNECTING;
}

void
fconn_ready(struct flood *f, int fd)
{
	struct fconn *c = &f->f_conn[fd];
	struct fslot *s = &f->f_slot[c->fc_slot];
	struct epoll_event ev;
	socklen_t len = sizeof(int);
	ssize_t n;
	int e = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	if (e != 0) {
		fconn_close(f, fd, reason_errno(f, e));
		return;
	}
	if ((n = write(fd, s->fs_req, s->fs_len)) != s->fs_len) {
		fconn_close(f, fd, n == -1 ? reason_errno(f, errno) :
		    "short write");
		return;
	}
	ev.events = EPOLLIN;
	ev.data.fd = fd;
	if (epoll_ctl(f->f_ep, EPOLL_CTL_MOD, fd, &ev) == -1) {
		fconn_close(f, fd, reason_errno(f, errno));
		return;
	}
	c->fc_phase = C_HEAD;
}

/* Why the head of fd's response does not start a stream, or NULL. */
static const char *
fconn_refuse(struct flood *f, int fd)
{
	struct fconn *c = &f->f_conn[fd];
	int status = reader_status(&c->fc_dec);
	uint32_t h;

	if (status != (f->f_conf->fo_proto == FLOOD_WS ? 101 : 200)) {
		snprintf(f->f_why, sizeof(f->f_why), "status %d", status);
		return f->f_why;
	}
	switch (f->f_conf->fo_proto) {
	case FLOOD_WS:
		if (!reader_accept(&c->fc_dec, &h) ||
		    h != f->f_slot[c->fc_slot].fs_accept)
			return "bad accept";
		break;
	case FLOOD_SSE:
		if (!reader_event_stream(&c->fc_dec))
			return "not event-stream";
		break;
	case FLOOD_CHUNKED:
		if (!reader_chunked(&c->fc_dec))
			return "not chunked";
	}
	return NULL;
}

/* The head arrived; returns 0 if the stream goes on, -1 if closed. */
static int
fconn_head(struct flood *f, int fd)
{
	struct fconn *c = &f->f_conn[fd];
	const char *why;

	if ((why = fconn_refuse(f, fd)) != NULL) {
		fconn_close(f, fd, why);
		return -1;
	}
	hist_add(&f->f_st->st_connect_us,
	    f->f_now - f->f_slot[c->fc_slot].fs_start);
	slot_free(f, c->fc_slot);
	if (f->f_conf->fo_proto == FLOOD_WS)
		wsframe_dec_init(&c->fc_ws);
	c->fc_phase = C_ACTIVE;
	f->f_st->st_active++;
	f->f_st->st_connects++;
	return 0;
}

/* k chunks completed in one read: one gap, then k - 1 zero gaps. */
void
fconn_chunks(struct flood *f, struct fconn *c, uint32_t k)
{
	uint32_t now = (uint32_t)((f->f_now - f->f_t0) / 1000) + 1;

	f->f_st->st_chunks += k;
	if (c->fc_last != 0)
		hist_add(&f->f_st->st_inter_ms, now - c->fc_last);
	while (--k > 0)
		hist_add(&f->f_st->st_inter_ms, 0);
	c->fc_last = now;
}

/*
 * Latency: the send-time stamps in the bytes of one read, against the
 * wall clock (the publisher's, if it runs on this host).
 */
static void
fconn_stamps(struct flood *f, const char *p, size_t n)
{
	struct timespec ts;
	enum stamp_res res;
	uint64_t now = 0, us;
	size_t off = 0;

	while ((res = stamp_next(p, n, &off, &us)) != STAMP_NONE) {
		if (res == STAMP_CUT) {
			f->f_st->st_cut++;
			continue;
		}
		if (now == 0) {
			clock_gettime(CLOCK_REALTIME, &ts);
			now = (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
		}
		hist_add(&f->f_st->st_lat_us, now > us ? now - us : 0);
	}
}

/* The response bytes p[0..n) of fd, up to its head and past it. */
static void
fconn_decode(struct flood *f, int fd, const char *p, size_t n)
{
	struct fconn *c = &f->f_conn[fd];
	enum reader_ev ev;
	uint32_t k;
	size_t used;

	for (;;) {
		k = 0;
		ev = reader_feed(&c->fc_dec, p, n, &used, &k);
		if (k)
			fconn_chunks(f, c, k);
		p += used;
		n -= used;
		if (ev == READER_MORE)
			return;
		if (ev == READER_HEAD) {
			if (fconn_head(f, fd) == -1)
				return;
			if (f->f_conf->fo_proto == FLOOD_WS) {
				(void)fws_feed(f, fd, p, n);
				return;
			}
			continue;
		}
		fconn_close(f, fd, ev == READER_END ? "end" : "bad framing");
		return;
	}
}

void
fconn_read(struct flood *f, int fd)
{
	struct fconn *c = &f->f_conn[fd];
	ssize_t n;

	if ((n = read(fd, f->f_rbuf, FLOOD_RBUFSZ)) <= 0) {
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		fconn_close(f, fd, n == 0 ? "eof" : reason_errno(f, errno));
		return;
	}
	f->f_st->st_bytes += n;
	fconn_stamps(f, f->f_rbuf, n);
	if (c->fc_phase == C_ACTIVE && f->f_conf->fo_proto == FLOOD_WS)
		(void)fws_feed(f, fd, f->f_rbuf, n);
	else
		fconn_decode(f, fd, f->f_rbuf, n);
}
