/*
 * flood.c: one flood worker.  It takes URLs (as flood_rec records) from
 * a pipe, opens one streaming GET for each (fconn.c) and holds them all,
 * counting heads, chunks and bytes into a flood_stats area shared with
 * the parent.
 *
 * Memory is the point: a connection is one 20-byte struct fconn in a
 * table indexed by fd, allocated once.  Every connection reads into one
 * shared buffer and keeps only its decoder state.  The request bytes
 * live in a small pool of in-flight slots, held from connect() until the
 * head arrives, so a held connection costs nothing more.
 *
 * CPU is the other point: at a million connections the flood receives
 * 100,000 chunks a second on the same two cores as the server.  A pass
 * is one epoll_wait, one clock read, and one read() per ready fd; no
 * epoll_ctl is made for a connection once it is streaming.
 */
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"

#define NEVENTS		4096		/* events per epoll_wait */
#define INBUFSZ		16384		/* records not yet started */
#define SCAN_US		100000		/* timeout scan period */
#ifndef NAP_US
#define NAP_US		5000		/* pause after a thin pass */
#endif
#define NAP_EVENTS	64		/* a pass with fewer events is thin */

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
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
    struct flood_stats *st)
{
	unsigned i;

	memset(f, 0, sizeof(*f));
	f->f_conf = conf;
	f->f_st = st;
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
	f->f_rbuf = malloc(FLOOD_RBUFSZ);
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

int
flood_run(const struct flood_conf *conf, int in, struct flood_stats *st)
{
	struct flood f;
	int i, n = NEVENTS, timeout;

	if (flood_init(&f, conf, in, st) == -1 ||
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
