/*
 * server.c: a cometd worker: the loop, accept, HTTP requests, streams,
 * timeouts and stop.  Requests are read into one buffer owned by the
 * worker and parsed in place; responses and chunks are formatted into
 * one scratch buffer and written at once (conn.c keeps what the kernel
 * refuses).  See conn.h for the connection table and timeout lists.
 */
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "router.h"
#include "server.h"
#include "stats.h"
#include "timer.h"

#define ACCEPT_BATCH	256	/* accepts per listener event */
#define EMFILE_PAUSE	100	/* ms without accepting after EMFILE */
#define NAP_EVENTS	8	/* a pass with fewer events is thin */
#define NAP_US		5000	/* pause after a thin pass, us */
#ifndef TICK_MS
#define TICK_MS		50	/* coarsest stream wakeup, ms */
#endif

static const char hdr_common[] =
    "Server: cometd\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n";


/*
 * Answer with a short text/plain response.  head: no body (HEAD).
 * close: close once it is written.  Returns 0, or -1 if fd was closed.
 */
static int
respond(struct server *s, int fd, int status, const char *body, size_t blen,
    int head, int close)
{
	char *b = s->s_scratch;
	int n;

	n = snprintf(b, SCRATCH_SIZE, "HTTP/1.1 %d %s\r\n%sContent-Length: "
	    "%zu\r\n%s\r\n", status, http_reason(status), hdr_common, blen,
	    close ? "Connection: close\r\n" : "");
	if (!head && n + blen <= SCRATCH_SIZE) {
		memcpy(b + n, body, blen);
		n += blen;
	}
	if (conn_write(s, fd, b, n) == -1)
		return -1;
	return conn_done(s, fd, close);
}

/* Answer status with its reason phrase as the body. */
static int
respond_status(struct server *s, int fd, int status, int head, int close)
{
	char body[64];
	int n;

	n = snprintf(body, sizeof(body), "%s\n", http_reason(status));
	return respond(s, fd, status, body, n, head, close);
}

/* The head of a stream response, into b; returns its length. */
static size_t
stream_head(char *b, int raw)
{
	int n;

	n = sprintf(b, "HTTP/1.1 200 OK\r\n%sCache-Control: no-cache\r\n%s\r\n",
	    hdr_common, raw ? "Connection: close\r\n" :
	    "Transfer-Encoding: chunked\r\n");
	return n;
}

/*
 * Frame the body bytes at b[0..len) as one chunk (unless raw) and write
 * them.  b must have 24 bytes of room before it and 2 after.  Returns 0,
 * or -1 if fd was closed.
 */
static int
stream_send(struct server *s, int fd, char *b, size_t len)
{
	char *h;

	stats_add(s->s_st, STAT_CHUNKS, 1);
	if (conn_get(s, fd)->c_flags & CF_RAW)
		return conn_write(s, fd, b, len);
	h = http_chunk_head(b, len);
	b[len] = '\r';
	b[len + 1] = '\n';
	return conn_write(s, fd, h, b + len + 2 - h);
}

/*
 * Turn a connection whose request was GET /test/<id> into a stream:
 * keep the Id, send the head and the welcome chunk, and schedule its
 * first periodic chunk.  Kept apart from request parsing so that a
 * connection handed over from another worker can start here too.
 * Returns 0, or -1 if fd was closed.
 */
static int
stream_start(struct server *s, int fd, const char *id, size_t idlen,
    int raw)
{
	static const char welcome[] = "Mochiconntest welcomes you! Your Id: ";
	struct conn *c = conn_get(s, fd);
	char *b = s->s_scratch, *p, *copy;
	size_t blen;

	if (idlen > ID_INLINE) {
		if ((copy = malloc(idlen)) == NULL) {
			conn_close(s, fd, -1);
			return -1;
		}
		memcpy(copy, id, idlen);
		memcpy(c->c_id, &copy, sizeof(copy));
	} else {
		memcpy(c->c_id, id, idlen);
	}
	c->c_idlen = idlen;
	c->c_state = CS_STREAM;
	c->c_flags = (c->c_flags & CF_CAPPED) | (raw ? CF_RAW : 0);
	c->c_n = 0;
	if (router_login(s->s_router, fd) == -1) {
		conn_close(s, fd, -1);
		return -1;
	}
	conn_list(s, fd, s->s_conf->sc_interval ? CL_STREAM : CL_NONE,
	    s->s_conf->sc_interval);
	/* head and welcome chunk in one write */
	blen = sizeof(welcome) + idlen;
	p = b + stream_head(b, raw);
	if (!raw)
		p += sprintf(p, "%zx\r\n", blen);
	memcpy(p, welcome, sizeof(welcome) - 1);
	memcpy(p + sizeof(welcome) - 1, id, idlen);
	p += blen;
	p[-1] = '\n';
	if (!raw) {
		memcpy(p, "\r\n", 2);
		p += 2;
	}
	stats_add(s->s_st, STAT_CHUNKS, 1);
	return conn_write(s, fd, b, p - b);
}

/* Write n in decimal at p; returns the end. */
static char *
put_u32(char *p, uint32_t n)
{
	char tmp[10];
	int i = 0;

	do {
		tmp[i++] = '0' + n % 10;
		n /= 10;
	} while (n);
	while (i > 0)
		*p++ = tmp[--i];
	return p;
}

/* Send "Chunk N for id <Id>" to every stream that is due, in one pass. */
static void
stream_tick(struct server *s)
{
	struct timer_list *tq = &s->s_lists[CL_STREAM];
	uint32_t now = s->s_loop.l_now, fd, due;
	struct conn *c;
	char *b = s->s_scratch + 24, *p;

	while ((fd = timer_expired(tq, now)) != TIMER_NONE) {
		c = conn_get(s, fd);
		due = timer_due(tq, fd) + s->s_conf->sc_interval;
		timer_remove(tq, fd);
		/* a stream that fell a whole interval behind skips ahead */
		if (!TIMER_BEFORE(now, due))
			due = now + s->s_conf->sc_interval;
		timer_append(tq, fd, due);
		c->c_n++;
		/* behind queued messages, the chunk queues too */
		if (router_chunk(s->s_router, fd, c->c_n)) {
			stats_add(s->s_st, STAT_CHUNKS, 1);
			continue;
		}
		p = b;
		memcpy(p, "Chunk ", 6);
		p = put_u32(p + 6, c->c_n);
		memcpy(p, " for id ", 8);
		memcpy(p + 8, conn_id(c), c->c_idlen);
		p += 8 + c->c_idlen;
		*p++ = '\n';
		stream_send(s, fd, b, p - b);
	}
}

/*
 * The path of a request-target in origin-form ("/a?q") or absolute-form
 * ("http://h/a"), without the query.  Returns 0, or -1 for other forms.
 */
static int
target_path(const char *t, size_t n, const char **path, size_t *plen)
{
	size_t i = 0;

	if (n >= 7 && http_eq(t, 7, "http://"))
		i = 7;
	else if (n >= 8 && http_eq(t, 8, "https://"))
		i = 8;
	else if (n == 0 || t[0] != '/')
		return -1;
	if (i > 0) {
		while (i < n && t[i] != '/' && t[i] != '?')
			i++;
		if (i == n || t[i] == '?') {
			*path = "/";
			*plen = 1;
			return 0;
		}
	}
	*path = t + i;
	for (*plen = 0; i + *plen < n && t[i + *plen] != '?' &&
	    t[i + *plen] != '#'; (*plen)++)
		;
	return 0;
}

/*
 * GET /test/<id> for an Id another worker owns: the socket goes to that
 * worker, which sends the head and the welcome line.  The connection
 * leaves this worker's table and epoll set; its place under the cap
 * travels with it.  Returns -1: fd is no longer this worker's.
 */
static int
stream_handoff(struct server *s, int fd, const char *id, size_t idlen,
    int raw)
{
	struct conn *c = conn_get(s, fd);

	/* the socket lives on in the other worker: epoll would keep it */
	(void)epoll_ctl(s->s_loop.l_epfd, EPOLL_CTL_DEL, fd, NULL);
	conn_list(s, fd, CL_NONE, 0);
	free(c->c_pend);
	if (c->c_flags & CF_CAPPED)
		stats_add(s->s_st, STAT_CAPPED, -1);
	stats_add(s->s_st, STAT_ACTIVE, -1);
	memset(c, 0, sizeof(*c));
	if (router_handoff(s->s_router, fd, id, idlen, raw ? ROUTER_RAW : 0) ==
	    -1) {
		/* closed instead: its place under the cap comes back */
		stats_cap_put(s->s_conf->sc_stats, 1);
		stats_add(s->s_st, STAT_CLOSED, 1);
	}
	return -1;
}

/* GET or HEAD: a stream, /stats, or 404.  Returns 0 or -1 (closed). */
static int
req_get(struct server *s, int fd, const struct http_req *r, int head,
    int close)
{
	const char *path;
	char *b;
	size_t plen, n;

	if (target_path(r->r_target, r->r_targetlen, &path, &plen) == -1) {
		stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
		return respond_status(s, fd, 400, head, 1);
	}
	if (plen > 6 && memcmp(path, "/test/", 6) == 0) {
		if (plen - 6 > SERVER_ID_MAX) {
			stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
			return respond_status(s, fd, 414, head, 1);
		}
		if (head) {
			n = stream_head(s->s_scratch, r->r_minor == 0);
			if (conn_write(s, fd, s->s_scratch, n) == -1)
				return -1;
			return conn_done(s, fd, close);
		}
		if (!router_mine(s->s_router, path + 6, plen - 6))
			return stream_handoff(s, fd, path + 6, plen - 6,
			    r->r_minor == 0);
		return stream_start(s, fd, path + 6, plen - 6, r->r_minor == 0);
	}
	if (plen == 6 && memcmp(path, "/stats", 6) == 0) {
		b = s->s_scratch + SCRATCH_SIZE / 2;
		n = stats_format(s->s_conf->sc_stats, b, SCRATCH_SIZE / 4);
		return respond(s, fd, 200, b, n, head, close);
	}
	return respond_status(s, fd, 404, head, close);
}

/* Methods are case-sensitive (RFC 9110 9.1). */
static int
method_is(const struct http_req *r, const char *m)
{
	return r->r_methodlen == strlen(m) &&
	    memcmp(r->r_method, m, r->r_methodlen) == 0;
}

/* Nonzero if the request carries "Expect: 100-continue". */
static int
req_expects(const struct server *s, const struct http_req *r)
{
	const struct http_hdr *h;
	size_t i;

	if (r->r_minor == 0)
		return 0;
	for (i = 0; i < r->r_nhdrs; i++) {
		h = &s->s_hdrs[i];
		if (h->h_namelen == 6 && http_eq(h->h_name, 6, "expect") &&
		    h->h_vallen == 12 && http_eq(h->h_val, 12, "100-continue"))
			return 1;
	}
	return 0;
}

/* A publish body with broken chunked framing: 400, and close. */
static int
req_broken(struct server *s, int fd)
{
	conn_get(s, fd)->c_flags &= ~(CF_PUB | CF_PUBCLOSE);
	stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
	(void)respond_status(s, fd, 400, 0, 1);
	return -1;
}

/*
 * POST: the router takes publish requests and their bodies.  Returns 0
 * when it took this one, -1 if fd was closed, or the status to answer.
 */
static int
req_post(struct server *s, int fd, const struct http_req *r)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const char *path;
	size_t plen;
	int st;

	if (target_path(r->r_target, r->r_targetlen, &path, &plen) == -1)
		return 400;
	/* no peer address (it just left) matches no rule: 403 */
	memset(&ss, 0, sizeof(ss));
	(void)getpeername(fd, (struct sockaddr *)&ss, &sl);
	st = router_post(s->s_router, fd, path, plen, r->r_chunked ? -1 :
	    r->r_clen < 0 ? 0 : r->r_clen, (struct sockaddr *)&ss);
	if (st != 0)
		return st;
	conn_get(s, fd)->c_flags |= CF_PUB | (r->r_close ? CF_PUBCLOSE : 0);
	/* curl asks before sending a body over 1 MB, then waits a second */
	if (req_expects(s, r) &&
	    conn_write(s, fd, cont, sizeof(cont) - 1) == -1)
		return -1;
	/* an empty body is complete already: no input will say so */
	if (router_body(s->s_router, fd, "", 0) == -1)
		return req_broken(s, fd);
	if (conn_get(s, fd)->c_state != CS_REQ)
		return -1;
	return 0;
}

/* One parsed request.  Returns 0, or -1 if fd was closed. */
static int
req_handle(struct server *s, int fd, const struct http_req *r)
{
	struct conn *c = conn_get(s, fd);
	uint64_t skip;
	int head, close, rc = 404;

	head = method_is(r, "HEAD");
	if (c->c_flags & CF_REJECT)
		return respond_status(s, fd, 503, head, 1);
	if (method_is(r, "POST") && (rc = req_post(s, fd, r)) <= 0)
		return rc;
	/* a refused chunked body is not read: answer, then close */
	close = r->r_close || r->r_chunked;
	if (r->r_clen > 0 && !close) {
		skip = r->r_clen;
		memcpy(c->c_id, &skip, sizeof(skip));
		c->c_flags |= CF_SKIP;
	}
	if (head || method_is(r, "GET"))
		return req_get(s, fd, r, head, close);
	if (method_is(r, "POST"))
		return respond_status(s, fd, rc, 0, close);
	return respond_status(s, fd, 501, 0, close);
}

/* Skip request body bytes; returns how many of avail were skipped. */
static size_t
req_skip(struct conn *c, size_t avail)
{
	uint64_t skip;

	memcpy(&skip, c->c_id, sizeof(skip));
	if (skip > avail) {
		skip -= avail;
		memcpy(c->c_id, &skip, sizeof(skip));
		return avail;
	}
	c->c_flags &= ~CF_SKIP;
	return skip;
}

/*
 * Parse and answer the requests in buf[0..len), pipelined ones included.
 * Returns the bytes used (the rest is an incomplete head, or requests
 * to answer once blocked output drains), or -1 if fd was closed.
 */
static ssize_t
req_input(struct server *s, int fd, const char *buf, size_t len)
{
	struct conn *c = conn_get(s, fd);
	struct http_req r;
	size_t off = 0;
	ssize_t n;
	int rc;

	while (off < len) {
		if (c->c_state != CS_REQ || (c->c_flags & CF_CLOSE))
			return len;
		if (c->c_flags & CF_BLOCKED)
			break;
		if (c->c_flags & CF_SKIP) {
			off += req_skip(c, len - off);
			continue;
		}
		if (c->c_flags & CF_PUB) {
			if ((n = router_body(s->s_router, fd, buf + off,
			    len - off)) == -1)
				return req_broken(s, fd);
			off += n;
			conn_list(s, fd, CL_REQ, s->s_conf->sc_timeout);
			/* answered and closed, or waiting for replies */
			if (c->c_state != CS_REQ)
				return -1;
			if (c->c_flags & CF_PUB)
				break;
			continue;
		}
		rc = http_parse_req(buf + off, len - off, &r, s->s_hdrs,
		    &s->s_conf->sc_lim);
		if (rc == HTTP_INCOMPLETE)
			break;
		if (rc < 0) {
			stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
			respond_status(s, fd, -rc, 0, 1);
			return -1;
		}
		off += rc;
		conn_list(s, fd, CL_REQ, s->s_conf->sc_timeout);
		if (req_handle(s, fd, &r) == -1)
			return -1;
	}
	return off;
}

/*
 * Read what fd sent (if rd) after any input kept from before, and act
 * on it.  Streams only watch for the client leaving: their input is
 * read and dropped.
 */
static void
server_read(struct server *s, int fd, int rd)
{
	struct conn *c = conn_get(s, fd);
	size_t have = 0;
	ssize_t n = 0, used;

	if (c->c_pend && c->c_pend->p_in > 0) {
		have = c->c_pend->p_in;
		memcpy(s->s_rbuf, c->c_pend->p_data + c->c_pend->p_out, have);
		c->c_pend->p_in = 0;
		if (c->c_pend->p_out == 0) {
			free(c->c_pend);
			c->c_pend = NULL;
		}
	}
	/* kept input never fills the buffer while reading is on */
	if (rd && have < RBUF_SIZE) {
		n = read(fd, s->s_rbuf + have, RBUF_SIZE - have);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
			conn_close(s, fd, -1);
			return;
		}
		if (n == -1)
			n = 0;
	}
	if (c->c_state != CS_REQ || have + n == 0)
		return;
	s->s_input = 1;
	used = req_input(s, fd, s->s_rbuf, have + n);
	s->s_input = 0;
	if (used == -1)
		return;
	if ((size_t)used < have + n && c->c_state == CS_REQ &&
	    conn_keep(c, s->s_rbuf + used, have + n - used) == -1)
		conn_close(s, fd, -1);
}

static void
server_event(void *arg, int fd, uint32_t ev)
{
	struct server *s = arg;
	struct conn *c = conn_get(s, fd);

	if ((ev & EPOLLOUT) && (c->c_flags & CF_BLOCKED) &&
	    conn_flush(s, fd) == 1)
		server_read(s, fd, 0);
	if ((ev & EPOLLIN) && c->c_state != CS_FREE)
		server_read(s, fd, 1);
	else if ((ev & (EPOLLERR | EPOLLHUP)) && c->c_state != CS_FREE)
		conn_close(s, fd, -1);
}

/* Close connections whose request head or blocked output is overdue. */
static void
server_expire(struct server *s)
{
	static const char r408[] = "HTTP/1.1 408 Request Timeout\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n";
	uint32_t now = s->s_loop.l_now, fd;
	struct conn *c;

	while ((fd = timer_expired(&s->s_lists[CL_REQ], now)) != TIMER_NONE) {
		c = conn_get(s, fd);
		/* a client in the middle of a request or body is told why */
		if (c->c_pend || (c->c_flags & (CF_SKIP | CF_PUB)))
			(void)!write(fd, r408, sizeof(r408) - 1);
		conn_close(s, fd, STAT_TIMEOUTS);
	}
	while ((fd = timer_expired(&s->s_lists[CL_BLOCKED], now)) !=
	    TIMER_NONE)
		conn_close(s, fd, STAT_DROPPED_SLOW);
	while ((fd = timer_expired(&s->s_lists[CL_LINGER], now)) !=
	    TIMER_NONE)
		conn_close(s, fd, -1);
}

/*
 * Out of descriptors: use the reserve to accept one waiting connection
 * and answer it 503 (so its client hears at once rather than waiting in
 * the queue), then stop accepting for a moment instead of spinning on a
 * listener that stays readable.
 */
static void
accept_pause(struct server *s)
{
	static const char r503[] = "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n";
	int fd;

	if (s->s_reserve != -1) {
		close(s->s_reserve);
		if ((fd = net_accept(s->s_lfd)) != -1) {
			(void)!write(fd, r503, sizeof(r503) - 1);
			shutdown(fd, SHUT_WR);
			close(fd);
			stats_add(s->s_st, STAT_ACCEPTED, 1);
			stats_add(s->s_st, STAT_CLOSED, 1);
			stats_add(s->s_st, STAT_REJECTED, 1);
		}
		s->s_reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	loop_unwatch(&s->s_loop, s->s_lfd);
	s->s_paused = 1;
	s->s_resume = s->s_loop.l_now + EMFILE_PAUSE;
	log_debug("worker %d: out of descriptors, accept paused", s->s_idx);
}

static void
accept_event(void *arg, int lfd, uint32_t ev)
{
	struct server *s = arg;
	int fd, i;

	(void)ev;
	for (i = 0; i < ACCEPT_BATCH; i++) {
		if ((fd = net_accept(lfd)) == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				accept_pause(s);
			if (errno != ECONNABORTED && errno != EINTR)
				return;
			continue;
		}
		if ((uint32_t)fd >= s->s_nconns) {
			close(fd);
			continue;
		}
		conn_open(s, fd);
	}
}

static void
signal_event(void *arg, int sfd, uint32_t ev)
{
	struct server *s = arg;
	struct signalfd_siginfo si;

	(void)ev;
	if (read(sfd, &si, sizeof(si)) == sizeof(si))
		s->s_stop = 1;
}

/*
 * The wait for the stream list, coarsened: a worker holding 15,000
 * streams at 10 s has one due every 0.6 ms, and waking for each costs a
 * context switch per chunk.  Waiting at least interval / 200 (at most
 * TICK_MS) sends every chunk due meanwhile in one pass; a chunk is late
 * by at most that, and the next one is still due one interval after the
 * previous due time, so no drift.  With 64 workers 50 ms against 10 ms
 * halved the server's CPU per chunk: a wakeup costs ~40 us here.
 */
static int
stream_wait(struct server *s)
{
	uint32_t tick = s->s_conf->sc_interval / 200;
	int w = timer_wait(&s->s_lists[CL_STREAM], s->s_loop.l_now);

	if (tick > TICK_MS)
		tick = TICK_MS;
	return w > 0 && (uint32_t)w < tick ? (int)tick : w;
}

/* Milliseconds until the next timer or accept resume; -1: none. */
static int
server_wait(struct server *s)
{
	uint32_t now = s->s_loop.l_now;
	int i, w, best = -1;

	for (i = CL_REQ; i < CL_COUNT; i++) {
		w = i == CL_STREAM ? stream_wait(s) :
		    timer_wait(&s->s_lists[i], now);
		if (w >= 0 && (best == -1 || w < best))
			best = w;
	}
	if (s->s_paused) {
		w = TIMER_BEFORE(now, s->s_resume) ? (int)(s->s_resume - now) : 0;
		if (best == -1 || w < best)
			best = w;
	}
	return best;
}

/*
 * After a pass that found only a few events (n of them), nap before the
 * next epoll_wait.  In a ramp every worker is woken for about one new
 * connection at a time, and each wakeup costs more than the connection
 * (the client's connect also pays to wake us); the nap lets the next
 * pass take many.  Passes woken by the chunk timer find no events and
 * never nap.  Measured over a 100,000-connection ramp with 16 workers:
 * 63-73 us of server CPU per connection without, 54-58 with.
 */
static void
server_nap(int n)
{
	struct timespec ts = { 0, NAP_US * 1000 };

	if (n > 0 && n < NAP_EVENTS)
		(void)nanosleep(&ts, NULL);
}

/* On stop: end every chunked stream properly, then close everything. */
static void
server_drain(struct server *s)
{
	struct conn *c;
	uint32_t fd;

	for (fd = 0; fd < s->s_nconns; fd++) {
		c = conn_get(s, fd);
		if (c->c_state == CS_FREE)
			continue;
		if (c->c_state == CS_STREAM &&
		    !(c->c_flags & (CF_RAW | CF_BLOCKED)))
			(void)!write(fd, "0\r\n\r\n", 5);
		conn_close(s, fd, -1);
	}
}

/* The router's view of a connection (router.h). */
static const char *
ops_id(void *arg, int fd, size_t *len)
{
	struct conn *c = conn_get(arg, fd);

	*len = c->c_idlen;
	return conn_id(c);
}

static int
ops_raw(void *arg, int fd)
{
	return (conn_get(arg, fd)->c_flags & CF_RAW) != 0;
}

static uint32_t
ops_next(void *arg, int fd)
{
	struct server *s = arg;

	stats_add(s->s_st, STAT_CHUNKS, 1);
	return ++conn_get(s, fd)->c_n;
}

static int
ops_blocked(void *arg, int fd)
{
	return (conn_get(arg, fd)->c_flags & CF_BLOCKED) != 0;
}

static void
ops_block(void *arg, int fd)
{
	conn_block(arg, fd);
}

static void
ops_close(void *arg, int fd, int slow)
{
	conn_close(arg, fd, slow ? STAT_DROPPED_SLOW : -1);
}

/* A stream handed over by the worker that accepted it. */
static void
ops_adopt(void *arg, int fd, const char *id, size_t idlen, int flags)
{
	struct server *s = arg;
	struct conn *c;

	if (fd == -1) {
		/* lost on the way (MSG_CTRUNC): give its place back */
		stats_cap_put(s->s_conf->sc_stats, 1);
		stats_add(s->s_st, STAT_CLOSED, 1);
		return;
	}
	c = conn_get(s, fd);
	memset(c, 0, sizeof(*c));
	c->c_state = CS_REQ;
	c->c_flags = CF_CAPPED;
	stats_add(s->s_st, STAT_CAPPED, 1);
	stats_add(s->s_st, STAT_ACTIVE, 1);
	if (loop_add(&s->s_loop, fd, EPOLLIN) == -1) {
		conn_close(s, fd, -1);
		return;
	}
	(void)stream_start(s, fd, id, idlen, flags & ROUTER_RAW);
}

/* A publish request is complete: answer, then serve what follows. */
static void
ops_answer(void *arg, int fd, int status, const char *body, size_t len)
{
	struct server *s = arg;
	struct conn *c = conn_get(s, fd);
	int close = (c->c_flags & CF_PUBCLOSE) != 0;

	c->c_flags &= ~(CF_PUB | CF_PUBCLOSE);
	if (respond(s, fd, status, body, len, 0, close) == -1)
		return;
	/* inside req_input the caller goes on parsing by itself */
	if (!s->s_input && c->c_pend != NULL && c->c_pend->p_in > 0 &&
	    !(c->c_flags & CF_BLOCKED))
		server_read(s, fd, 0);
}

static const struct router_ops router_ops = {
	ops_id, ops_raw, ops_next, ops_blocked, ops_block, ops_close,
	ops_adopt, ops_answer
};

static int
server_setup(struct server *s)
{
	const struct server_conf *sc = s->s_conf;
	struct rlimit rl;
	sigset_t set;
	int i;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	s->s_nconns = rl.rlim_cur > UINT32_MAX - 1 ? UINT32_MAX - 1 :
	    rl.rlim_cur;
	if ((s->s_conns = calloc(s->s_nconns, sizeof(struct conn))) == NULL)
		return -1;
	for (i = 0; i < CL_COUNT; i++)
		timer_init(&s->s_lists[i], s->s_conns, sizeof(struct conn));
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if ((s->s_sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		return -1;
	s->s_reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if ((s->s_lfd = net_listen(sc->sc_addr, sc->sc_port, 65535)) == -1)
		return -1;
	if (loop_init(&s->s_loop, server_event, s) == -1 ||
	    loop_watch(&s->s_loop, s->s_lfd, EPOLLIN, accept_event, s) == -1 ||
	    loop_watch(&s->s_loop, s->s_sfd, EPOLLIN, signal_event, s) == -1)
		return -1;
	if ((s->s_router = router_new(&sc->sc_route, &router_ops, s,
	    &s->s_loop, sc->sc_mbox, s->s_idx, sc->sc_workers, s->s_nconns,
	    s->s_st)) == NULL)
		return -1;
	loop_clock(&s->s_loop);
	return 0;
}

/*
 * One worker per process, whose state lives until the process exits:
 * static, so that what it points to stays reachable and leak checkers
 * can tell it from a real leak.
 */
static struct server server;

int
server_run(const struct server_conf *sc, int idx)
{
	struct server *s = &server;
	int n = 0;

	memset(s, 0, sizeof(*s));
	s->s_conf = sc;
	s->s_idx = idx;
	s->s_st = &sc->sc_stats->sh_slot[idx];
	s->s_lfd = s->s_sfd = s->s_reserve = -1;
	if (server_setup(s) == -1)
		return -1;
	while (!s->s_stop) {
		server_nap(n);
		if ((n = loop_once(&s->s_loop, server_wait(s))) == -1)
			return -1;
		stream_tick(s);
		server_expire(s);
		router_tick(s->s_router);
		if (s->s_paused && !TIMER_BEFORE(s->s_loop.l_now, s->s_resume)) {
			s->s_paused = 0;
			loop_watch(&s->s_loop, s->s_lfd, EPOLLIN, accept_event,
			    s);
		}
	}
	close(s->s_lfd);
	server_drain(s);
	return 0;
}
