/*
 * conn.h: a cometd worker's connections.  State lives in one table
 * indexed by fd, allocated once (calloc, so pages that no fd reaches
 * never become resident).  Each connection sits in at most one timeout
 * list (timer.h), all of whose members wait the same span:
 * CL_REQ     waiting for a request head: due = start + head timeout
 * CL_STREAM  streaming: due = when its next chunk is
 * CL_BLOCKED output pending: due = when it blocked + stall limit
 * CL_POLL    a long-poll waiting for a message: due = start + poll timeout
 * CL_LINGER  answered with "Connection: close" (CS_LINGER): due = then +
 *            LINGER_MS.  Its write side is shut and what the client still
 *            sends is read and dropped, because closing with unread input
 *            makes the kernel send a reset that can destroy the response
 *            before it is read.
 *
 * This is the bottom of the request path: it writes bytes and message
 * pieces, keeps what the kernel refuses, and closes.  It calls nothing
 * above it.
 */
#ifndef COMET_CONN_H
#define COMET_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "timer.h"

#define OUT_MAX		65536	/* pending output bound per connection */
#define ID_INLINE	36	/* Ids up to this long live in the conn */
#define LINGER_MS	2000	/* reading after a final response */

/* Output the kernel refused, then input not yet parsed. */
struct pend {
	uint32_t	 pd_off;	/* output bytes already written */
	uint32_t	 pd_out;	/* output bytes at pd_data */
	uint32_t	 pd_in;		/* input bytes at pd_data + pd_out */
	uint32_t	 pd_cap;	/* bytes allocated at pd_data */
	uint32_t	 pd_msglen;	/* a message read in parts: bytes so far */
	uint32_t	 pd_msgstate;	/* ... its format's state (UTF-8) */
	uint8_t		 pd_msgop;	/* ... its kind; 0: none */
	char		 pd_data[];
};

/*
 * 64 bytes per connection: 12 timer links + 4 chunk count + 8 pend
 * pointer + 4 bytes of state + 36 bytes of Id.  c_id holds the Id of a
 * stream up to ID_INLINE bytes; a longer one is a heap copy whose
 * pointer is stored there.  During a request c_id holds either the count
 * of body bytes still to skip (CF_SKIP) or the publish request
 * (CF_PUB), a heap block that closing frees.
 */
struct conn {
	struct timer_link c_link;	/* list links and due time (ms) */
	uint32_t	 c_n;		/* chunks and messages sent */
	struct pend	*c_pend;	/* NULL while idle */
	unsigned	 c_state:3;	/* CS_* */
	unsigned	 c_list:3;	/* CL_*: the list holding it */
	unsigned	 c_frame:3;	/* FRAME_*: a stream's wire format */
	unsigned	 c_flags:15;	/* CF_* */
	unsigned	 c_idlen:8;	/* bytes of Id */
	char		 c_id[ID_INLINE]; /* Id, heap pointer, or skip count */
};
_Static_assert(sizeof(struct conn) == 64, "struct conn must stay 64 bytes");

enum { CS_FREE, CS_REQ, CS_STREAM, CS_LINGER };
enum { CL_NONE, CL_REQ, CL_STREAM, CL_BLOCKED, CL_LINGER, CL_POLL,
    CL_COUNT };

#define CF_CLOSE	0x0001	/* close once output drains */
#define CF_REJECT	0x0002	/* over the cap: answer 503 */
#define CF_CAPPED	0x0004	/* holds a place under the cap */
#define CF_SKIP		0x0008	/* c_id holds body bytes to skip */
#define CF_BLOCKED	0x0010	/* waiting for EPOLLOUT */
#define CF_PUB		0x0020	/* c_id holds a publish request */
#define CF_LAST		0x0040	/* close once answered (publish, poll) */
#define CF_SENT		0x0080	/* wrote since the last heartbeat sweep */
#define CF_PINGED	0x0100	/* a ping went out, no pong came yet */
#define CF_HELD		0x0200	/* held part of a frame at the last sweep */
#define CF_WAIT		0x0400	/* a stream logged in but not begun: it waits
				   for its start from Redis (cluster.h);
				   c_n holds its generation meanwhile */

struct server;

/* The Id of a stream (inline or the heap copy), c_idlen bytes. */
const char	*conn_id(const struct conn *);

/* The pointer kept in c_id (a long Id, a publish request). */
void		*conn_ptr(const struct conn *);
void		 conn_set_ptr(struct conn *, void *);

/*
 * Make request connection fd a stream of id[0..len) in format frame
 * (keeping a copy of the Id) and count it.  Returns 0, or -1 if memory
 * ran out (fd is then closed).
 */
int	 conn_stream(struct server *, int, const char *, size_t, int);

/*
 * Stream fd goes back to reading requests: logged out, its Id dropped,
 * waiting for a request head.  (A one-answer stream, a long-poll, does
 * this by itself once its answer is written.)
 */
void	 conn_unstream(struct server *, int);

/* Move fd to list l (CL_NONE: no list) due at now + span. */
void	 conn_list(struct server *, int, int, uint32_t);

/*
 * Set up the slot of fd, newly accepted (adopt 0: takes a place under the
 * cap, or is marked for 503) or handed over by another worker with its
 * place (adopt 1), and start reading.
 */
void	 conn_open(struct server *, int, int);

/*
 * Take fd out of this worker without closing it (it moves to another
 * worker): its slot is freed, its place under the cap is given up.
 */
void	 conn_release(struct server *, int);

/* Why a connection ends: for the counters and the access log. */
enum conn_end {
	CE_EOF,		/* the client closed it */
	CE_ERROR,	/* a read or write failed: a reset, mostly */
	CE_SLOW,	/* its output stayed blocked, or grew past a bound */
	CE_TIMEOUT,	/* a request, a pong or a frame came too late */
	CE_MEMORY,	/* memory ran out for it */
	CE_DONE,	/* answered for the last time, and lingered out */
	CE_STOP		/* the worker stopped */
};

/* Close fd, count it, and log it (access log) as ending for why. */
void	 conn_close(struct server *, int, enum conn_end);

/* The word for why in the access log: "eof", "error", ... */
const char	*conn_end_name(enum conn_end);

/* Wait for EPOLLOUT; a request connection stops reading meanwhile. */
void	 conn_block(struct server *, int);

/*
 * Write data to fd now; keep what the kernel refuses.  Returns 0, or -1
 * if the connection was closed (error, or over the pending bound).
 */
int	 conn_write(struct server *, int, const char *, size_t);

/*
 * Keep len bytes of unparsed input (an incomplete head) until more
 * arrives.  Returns 0, or -1 if memory runs out.
 */
int	 conn_keep(struct conn *, const char *, size_t);

/* Free c's pend once it holds nothing: no output, input or message. */
void	 conn_pend_drop(struct conn *);

/*
 * After a response: if close, finish the connection (linger) now or once
 * its output drains.  Returns 0 to go on reading requests, -1 if not.
 */
int	 conn_done(struct server *, int, int);

/*
 * EPOLLOUT: write pending output, then queued pieces; once both drained,
 * resume the connection.  Returns 1 if input kept while blocked now
 * waits to be parsed, else 0.
 */
int	 conn_flush(struct server *, int);

/*
 * Give stream fd message b: it is written when the loop pass ends
 * (conn_send_queued), with whatever else the pass gave the stream.
 * replay: b comes from the history, not live (it is not timed).
 * Returns 1 if queued, 0 if the stream was closed instead (too slow).
 */
int	 conn_message(struct server *, int, struct blob *, int);

/* Drop stream fd's queue, with what it holds unwritten. */
void	 conn_drop_queue(struct server *, int);

/* The periodic chunk of stream fd: written now, or queued behind messages. */
void	 conn_chunk(struct server *, int);

/*
 * Write stream fd's queued pieces now.  Returns 0 when none wait any
 * more, 1 while some do, -1 if fd was closed.
 */
int	 conn_send_pieces(struct server *, int);

/* End of a loop pass: write what the pass queued, one writev a stream. */
void	 conn_send_queued(struct server *);

#endif
