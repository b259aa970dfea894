/*
 * worker.h: the inside of one flood worker, shared by its engine
 * (flood.c: the loop, the input pipe, timeouts) and its connections
 * (fconn.c).  Nothing outside lib/flood includes it.
 */
#ifndef COMET_WORKER_H
#define COMET_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "flood.h"
#include "reader.h"
#include "wsframe.h"

enum { C_FREE, C_CONNECTING, C_HEAD, C_ACTIVE };

/*
 * One connection: this is all a held connection costs in user memory,
 * in a table indexed by fd.  The decoder is the response's until the
 * head is read, then (WebSocket) the frames'.
 */
struct fconn {
	union {
		struct reader	 fc_dec;	/* response head and body */
		struct wsframe_dec fc_ws;	/* frames after a 101 */
	};
	uint32_t	fc_last;	/* ms since start + 1 of the last
					   chunk; 0: none yet */
	uint16_t	fc_slot;	/* in-flight slot until active */
	uint8_t		fc_phase;	/* C_* */
};
_Static_assert(sizeof(struct fconn) <= 24, "struct fconn over 24 bytes");

/* A connection between connect() and its head: its request, its time. */
struct fslot {
	uint64_t	fs_start;	/* µs at connect() */
	int		fs_fd;		/* -1: slot free */
	uint32_t	fs_accept;	/* WebSocket: reader_hash of the
					   Sec-WebSocket-Accept due */
	uint16_t	fs_len;		/* request bytes */
	char		fs_req[FLOOD_REQMAX];
};

struct flood {
	const struct flood_conf *f_conf;
	struct flood_stats *f_st;
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
	char		*f_rbuf;	/* the one receive buffer */
	struct epoll_event *f_ev;
	uint64_t	 f_t0, f_now;	/* µs, monotonic */
	int		 f_norange;	/* the kernel lacks IP_LOCAL_PORT_RANGE */
	uint32_t	 f_rand;	/* xorshift state: ports, masks */
	uint64_t	 f_next_scan;	/* µs of the next timeout scan */
	size_t		 f_slotsz;	/* bytes mapped for f_slot */
	int		 f_trimmed;	/* f_slot released: input is done */
	char		 f_why[48];	/* reason text built for a close */
};

#define FLOOD_RBUFSZ	65536		/* the shared receive buffer */

/* The next of the worker's pseudo-random numbers (xorshift32). */
uint32_t	flood_rand(struct flood *);

/* Give slot i back to the free stack. */
void		slot_free(struct flood *, unsigned);

/*
 * Start one connection for rec, whose request is req[0..rec->fr_len).
 * Uses a free slot (the caller checks there is one).  A connection that
 * fails at once is counted as Closed, with its reason.
 */
void		fconn_start(struct flood *, const struct flood_rec *,
		    const char *);

/* fd's connect() finished (EPOLLOUT): send its request, or close it. */
void		fconn_ready(struct flood *, int);

/*
 * fd is readable: one read into the shared buffer, decoded; counts
 * chunks, events or messages and latency stamps, and closes the
 * connection (counted, with its reason) when it ends.
 */
void		fconn_read(struct flood *, int);

/* c read k chunks, events or messages at once: count them and the gap. */
void		fconn_chunks(struct flood *, struct fconn *, uint32_t);

/* Close fd, counting it as Closed for reason why. */
void		fconn_close(struct flood *, int, const char *);

/*
 * WebSocket (fws.c).  The reader_hash of the Sec-WebSocket-Accept that
 * answers the Sec-WebSocket-Key in request req[0..len), or 0 if it has
 * none.
 */
uint32_t	fws_expect(const char *, size_t);

/*
 * Feed fd's frames in p[0..n): count messages, answer pings and close
 * frames.  Returns 0, or -1 when the connection was closed (counted).
 */
int		fws_feed(struct flood *, int, const char *, size_t);

#endif
