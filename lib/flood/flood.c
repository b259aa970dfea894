/*
 * flood.c: one flood worker.  It takes URLs (as flood_rec records) from
 * a pipe, opens one streaming GET for each and holds them all, counting
 * heads, chunks and bytes into a flood_stats area shared with the parent.
 *
 * Memory is the point: a connection is one 20-byte struct fconn in a
 * table indexed by fd, allocated once.  Every connection reads into one
 * shared buffer and keeps only its struct reader state.  The request bytes
 * live in a small pool of in-flight slots, held from connect() until the
 * 200 head arrives, so a held connection costs nothing more.
 *
 * CPU is the other point: at a million connections the flood receives
 * 100,000 chunks a second on the same two cores as the server.  A pass
 * is one epoll_wait, one clock read, and one read() per ready fd; no
 * epoll_ctl is made for a connection once it is streaming.
 */
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flood.h"
#include "reader.h"
#include "stamp.h"

#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE	51	/* Linux 6.3: a socket's own range */
#endif

#define NEVENTS		4096		/* events per epoll_wait */
#define RBUFSZ		65536		/* the shared receive buffer */
#define INBUFSZ		16384		/* records not yet started */
#define SCAN_US		100000		/* timeout scan period */
#ifndef NAP_US
#define NAP_US		5000		/* pause after a thin pass */
#endif
#define NAP_EVENTS	64		/* a pass with fewer events is thin */
#define PORT_TRIES	32		/* source ports tried before the
					   kernel's own search */

enum { C_FREE, C_CONNECTING, C_HEAD, C_ACTIVE };

struct fconn {
	struct reader fc_dec;		/* response framing state */
	uint32_t	fc_last;		/* ms since start + 1 of the last
					   chunk; 0: none yet */
	uint16_t	fc_slot;		/* in-flight slot until active */
	uint8_t		fc_phase;	/* C_* */
};

struct fslot {
	uint64_t	fs_start;	/* µs at connect() */
	int		fs_fd;		/* -1: slot free */
	uint16_t	fs_len;		/* request bytes */
	char		fs_req[FLOOD_REQMAX];
};

struct flood {
	const struct flood_conf *f_conf;
	struct flood_stats *f_st;
	flood_closed_fn	*f_closed;
	struct fconn	*f_conn;	/* indexed by fd */
	unsigned	 f_nconn;	/* table entries */
	struct fslot	*f_slot;
	uint16_t	*f_free;	/* stack of free slot numbers */
	unsigned	 f_nfree;
	int		 f_ep, f_in, f_sig;
	int		 f_in_on;	/* the pipe is in the epoll set */
	int		 f_in_eof;
	char		*f_inbuf;
	size_t		 f_inlen;
	char		*f_rbuf;
	struct epoll_event *f_ev;
	uint64_t	 f_t0, f_now;	/* µs, monotonic */
	int		 f_norange;	/* the kernel lacks IP_LOCAL_PORT_RANGE */
	uint32_t	 f_rand;	/* xorshift state: ports to retry */
	uint64_t	 f_next_scan;	/* µs of the next timeout scan */
	size_t		 f_slotsz;	/* bytes mapped for f_slot */
	int		 f_trimmed;	/* f_slot released: input is done */
	char		 f_why[48];	/* reason text built for a close */
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

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

static void
slot_free(struct flood *f, unsigned i)
{
	f->f_slot[i].fs_fd = -1;
	f->f_free[f->f_nfree++] = i;
}

/* Count a connection that ended early, or never started. */
static void
note_closed(struct flood *f, const char *why)
{
	f->f_st->st_closed++;
	f->f_closed(why);
}

static void
fconn_close(struct flood *f, int fd, const char *why)
{
	struct fconn *c = &f->f_conn[fd];

	if (c->fc_phase == C_ACTIVE)
		f->f_st->st_active--;
	else
		slot_free(f, c->fc_slot);
	c->fc_phase = C_FREE;
	note_closed(f, why);
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
		f->f_rand ^= f->f_rand << 13;
		f->f_rand ^= f->f_rand >> 17;
		f->f_rand ^= f->f_rand << 5;
		port = f->f_conf->fo_port_lo + f->f_rand % span;
	}
	return fconn_socket(f, rec, 0);
}

/*
 * Start one connection for rec; failures are counted as Closed.  On
 * loopback the handshake has usually completed inside connect(), so the
 * request is written at once and the socket goes straight to waiting for
 * the head: no EPOLLOUT wakeup, getsockopt or epoll_ctl MOD.  If the
 * write cannot go yet, the connection waits for EPOLLOUT as usual.
 */
static void
fconn_start(struct flood *f, const struct flood_rec *rec, const char *req)
{
	struct epoll_event ev;
	struct fconn *c;
	struct fslot *s;
	ssize_t n;
	unsigned i;
	int fd;

	if ((fd = fconn_open(f, rec)) == -1) {
		note_closed(f, reason_errno(f, errno));
		return;
	}
	/* EAGAIN: still connecting; another error is the connect's own */
	n = write(fd, req, rec->fr_len);
	if ((n == -1 && errno != EAGAIN) || (n >= 0 && n != rec->fr_len)) {
		note_closed(f, n == -1 ? reason_errno(f, errno) :
		    "short write");
		close(fd);
		return;
	}
	ev.events = n > 0 ? EPOLLIN : EPOLLOUT;
	ev.data.fd = fd;
	if (epoll_ctl(f->f_ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		note_closed(f, reason_errno(f, errno));
		close(fd);
		return;
	}
	i = f->f_free[--f->f_nfree];
	s = &f->f_slot[i];
	s->fs_fd = fd;
	s->fs_start = f->f_now;
	s->fs_len = rec->fr_len;
	if (n <= 0)
		memcpy(s->fs_req, req, rec->fr_len);
	c = &f->f_conn[fd];
	reader_init(&c->fc_dec);
	c->fc_last = 0;
	c->fc_slot = i;
	c->fc_phase = n > 0 ? C_HEAD : C_CONNECTING;
}

/* connect() finished: send the request and wait for the head. */
static void
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

/* The head arrived; returns 0 if the stream goes on, -1 if closed. */
static int
fconn_head(struct flood *f, int fd)
{
	struct fconn *c = &f->f_conn[fd];
	int status = reader_status(&c->fc_dec);

	if (status != 200) {
		snprintf(f->f_why, sizeof(f->f_why), "status %d", status);
		fconn_close(f, fd, f->f_why);
		return -1;
	}
	if (!reader_chunked(&c->fc_dec)) {
		fconn_close(f, fd, "not chunked");
		return -1;
	}
	hist_add(&f->f_st->st_connect_us,
	    f->f_now - f->f_slot[c->fc_slot].fs_start);
	slot_free(f, c->fc_slot);
	c->fc_phase = C_ACTIVE;
	f->f_st->st_active++;
	f->f_st->st_connects++;
	return 0;
}

/* k chunks completed in one read: one gap, then k - 1 zero gaps. */
static void
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
flood_stamps(struct flood *f, const char *p, size_t n)
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

/* Data on a connection: one read into the shared buffer, decoded. */
static void
fconn_read(struct flood *f, int fd)
{
	struct fconn *c = &f->f_conn[fd];
	enum reader_ev ev;
	const char *p = f->f_rbuf;
	uint32_t k;
	size_t used;
	ssize_t n;

	if ((n = read(fd, f->f_rbuf, RBUFSZ)) <= 0) {
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		fconn_close(f, fd, n == 0 ? "eof" : reason_errno(f, errno));
		return;
	}
	f->f_st->st_bytes += n;
	flood_stamps(f, p, n);
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
			continue;
		}
		fconn_close(f, fd, ev == READER_END ? "end" : "bad framing");
		return;
	}
}

/* Start connections for the records read so far, while slots last. */
static void
take_input(struct flood *f)
{
	struct flood_rec rec;
	size_t off = 0;
	int clock = 0;

	while (f->f_nfree > 0 && f->f_inlen - off >= sizeof(rec)) {
		memcpy(&rec, f->f_inbuf + off, sizeof(rec));
		if (f->f_inlen - off < sizeof(rec) + rec.fr_len)
			break;
		if (!clock++)
			f->f_now = now_us();
		fconn_start(f, &rec, f->f_inbuf + off + sizeof(rec));
		off += sizeof(rec) + rec.fr_len;
	}
	if (off > 0) {
		memmove(f->f_inbuf, f->f_inbuf + off, f->f_inlen - off);
		f->f_inlen -= off;
	}
}

static void
read_input(struct flood *f)
{
	ssize_t n;

	if (f->f_inlen == INBUFSZ)
		return;		/* a read of 0 bytes would look like EOF */
	n = read(f->f_in, f->f_inbuf + f->f_inlen, INBUFSZ - f->f_inlen);
	if (n > 0)
		f->f_inlen += n;
	else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		f->f_in_eof = 1;
		epoll_ctl(f->f_ep, EPOLL_CTL_DEL, f->f_in, NULL);
		f->f_in_on = 0;
	}
}

/*
 * Listen to the pipe only while a slot is free, so that a slow server
 * backs the parent up instead of filling our memory with URLs.
 */
static void
input_interest(struct flood *f)
{
	struct epoll_event ev;
	int want = f->f_nfree > 0 && f->f_inlen < INBUFSZ;

	if (want == f->f_in_on || f->f_in_eof)
		return;
	ev.events = want ? EPOLLIN : 0;
	ev.data.fd = f->f_in;
	if (epoll_ctl(f->f_ep, EPOLL_CTL_MOD, f->f_in, &ev) == 0)
		f->f_in_on = want;
}

/* Close connections that waited too long for their head. */
static void
expire(struct flood *f)
{
	uint64_t limit = (uint64_t)f->f_conf->fo_timeout_ms * 1000;
	unsigned i;

	if (limit == 0 || f->f_trimmed || f->f_now < f->f_next_scan)
		return;
	f->f_next_scan = f->f_now + SCAN_US;
	for (i = 0; i < f->f_conf->fo_inflight; i++)
		if (f->f_slot[i].fs_fd != -1 &&
		    f->f_now - f->f_slot[i].fs_start > limit)
			fconn_close(f, f->f_slot[i].fs_fd, "timeout");
}

/* Allocate the tables; returns 0 or -1 with errno. */
static int
flood_init(struct flood *f, const struct flood_conf *conf, int in,
    struct flood_stats *st, flood_closed_fn *closed)
{
	unsigned i;

	memset(f, 0, sizeof(*f));
	f->f_conf = conf;
	f->f_st = st;
	f->f_closed = closed;
	f->f_in = in;
	f->f_nconn = conf->fo_maxconn;
	f->f_rand = (uint32_t)getpid() * 2654435761u | 1;
	/* calloc of big tables maps zero pages: untouched entries cost 0 */
	f->f_conn = calloc(f->f_nconn, sizeof(*f->f_conn));
	f->f_slotsz = conf->fo_inflight * sizeof(*f->f_slot);
	f->f_slot = mmap(NULL, f->f_slotsz, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->f_slot == MAP_FAILED)
		return -1;
	f->f_free = calloc(conf->fo_inflight, sizeof(*f->f_free));
	f->f_inbuf = malloc(INBUFSZ);
	f->f_rbuf = malloc(RBUFSZ);
	f->f_ev = calloc(NEVENTS, sizeof(*f->f_ev));
	if (!f->f_conn || !f->f_free || !f->f_inbuf ||
	    !f->f_rbuf || !f->f_ev)
		return -1;
	for (i = conf->fo_inflight; i-- > 0; )
		slot_free(f, i);
	return 0;
}

/* The epoll set: SIGTERM and the input pipe.  Returns 0 or -1. */
static int
flood_epoll(struct flood *f)
{
	struct epoll_event ev;
	sigset_t mask;

	/*
	 * Only SIGTERM, from the parent: a terminal's SIGINT reaches the
	 * whole process group, and the parent must see its workers stop
	 * on its own word, not exit early under it.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	if ((f->f_ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (f->f_sig = signalfd(-1, &mask, SFD_CLOEXEC)) == -1)
		return -1;
	ev.events = EPOLLIN;
	ev.data.fd = f->f_sig;
	if (epoll_ctl(f->f_ep, EPOLL_CTL_ADD, f->f_sig, &ev) == -1)
		return -1;
	ev.data.fd = f->f_in;
	if (epoll_ctl(f->f_ep, EPOLL_CTL_ADD, f->f_in, &ev) == -1)
		return -1;
	f->f_in_on = 1;
	return 0;
}

/*
 * A held connection gets a few dozen bytes every interval, and waking
 * for each costs more than reading it.  So once nothing is connecting,
 * a pass that found few events naps, and the next epoll_wait returns
 * the events that came meanwhile together; the nap is short against a
 * chunk interval, so it adds at most NAP_US to a measured gap.  Also
 * the server's send finds this worker not waiting on epoll, so it
 * queues the event without waking anyone.
 */
static void
flood_nap(struct flood *f)
{
	struct timespec ts = { 0, NAP_US * 1000 };

	if (NAP_US > 0 && f->f_nfree == f->f_conf->fo_inflight)
		(void)nanosleep(&ts, NULL);
}

/* Dispatch one event; returns 1 when a stop signal came. */
static int
flood_event(struct flood *f, const struct epoll_event *ev)
{
	int fd = ev->data.fd;

	if (fd == f->f_sig)
		return 1;
	if (fd == f->f_in)
		read_input(f);
	else if (f->f_conn[fd].fc_phase == C_CONNECTING)
		fconn_ready(f, fd);
	else if (f->f_conn[fd].fc_phase != C_FREE)
		fconn_read(f, fd);
	return 0;
}

/*
 * Run a worker: read flood_rec records from fd in until it ends, hold
 * every connection, and return 0 when SIGTERM arrives (the caller must
 * have blocked it, and SIGINT).  Open connections are left to the
 * process exit, which resets them.  Returns -1 with errno if the worker
 * could not be set up.
 */
int
flood_run(const struct flood_conf *conf, int in, struct flood_stats *st,
    flood_closed_fn *closed)
{
	struct flood f;
	int i, n = NEVENTS, timeout;

	if (flood_init(&f, conf, in, st, closed) == -1 ||
	    flood_epoll(&f) == -1)
		return -1;
	f.f_t0 = f.f_now = now_us();
	st->st_ready = 1;
	for (;;) {
		timeout = conf->fo_timeout_ms &&
		    f.f_nfree < conf->fo_inflight ? SCAN_US / 1000 : -1;
		if (n < NAP_EVENTS)
			flood_nap(&f);
		n = epoll_wait(f.f_ep, f.f_ev, NEVENTS, timeout);
		if (n == -1 && errno != EINTR)
			return -1;
		f.f_now = now_us();
		for (i = 0; i < n; i++)
			if (flood_event(&f, &f.f_ev[i]))
				return 0;
		take_input(&f);
		expire(&f);
		input_interest(&f);
		st->st_idle = f.f_in_eof && f.f_inlen == 0 &&
		    f.f_nfree == conf->fo_inflight;
		if (st->st_idle && !f.f_trimmed) {
			/* no connect will come again: give the slots back */
			(void)madvise(f.f_slot, f.f_slotsz, MADV_DONTNEED);
			f.f_trimmed = 1;
		}
	}
}

/*
 * Pack one record for a worker into buf: rec (its fr_len is set here)
 * and the request bytes.  Returns the record's size, or 0 if it does not
 * fit in size bytes or the request is longer than FLOOD_REQMAX.
 */
size_t
flood_rec_pack(char *buf, size_t size, struct flood_rec *rec,
    const char *req, size_t len)
{
	if (len > FLOOD_REQMAX || size < sizeof(*rec) + len)
		return 0;
	rec->fr_len = len;
	rec->fr_pad = 0;
	memcpy(buf, rec, sizeof(*rec));
	memcpy(buf + sizeof(*rec), req, len);
	return sizeof(*rec) + len;
}
