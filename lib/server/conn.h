/*
 * conn.h: a cometd worker's state and its connections, shared by
 * server.c (HTTP, streams, the loop) and conn.c (connection I/O).
 * Private to cometd's worker: nothing outside those two files uses it.
 *
 * Connection state lives in one table indexed by fd, allocated once
 * (calloc, so pages that no fd reaches never become resident).  Each
 * connection sits in at most one timeout list (timer.h):
 * CL_REQ    waiting for a request head: due = start + head timeout
 * CL_STREAM streaming: due = when its next chunk is
 * CL_BLOCKED output pending: due = when it blocked + stall limit
 * CL_LINGER answered with "Connection: close" (CS_LINGER): due = then +
 * LINGER_MS.  Its write side is shut and what the client still
 * sends is read and dropped, because closing with unread input makes the
 * kernel send a reset that can destroy the response before it is read.
 */
#ifndef COMET_CONN_H
#define COMET_CONN_H

#include <stdint.h>

#include "http.h"
#include "loop.h"
#include "router.h"
#include "server.h"
#include "stats.h"
#include "timer.h"

#define RBUF_SIZE	65536	/* shared read buffer */
#define SCRATCH_SIZE	65536	/* shared output formatting buffer */
#define OUT_MAX		65536	/* pending output bound per connection */
#define ID_INLINE	36	/* Ids up to this long live in the conn */
#define MAX_HDRS	1024	/* upper bound for the header-lines limit */
#define LINGER_MS	2000	/* reading after a final response */

/* Output the kernel refused, then input not yet parsed. */
struct pend {
	uint32_t	 p_off;		/* output bytes already written */
	uint32_t	 p_out;		/* output bytes at p_data */
	uint32_t	 p_in;		/* input bytes at p_data + p_out */
	uint32_t	 p_cap;		/* bytes allocated at p_data */
	char		 p_data[];
};

/*
 * 64 bytes per connection: 12 timer links + 4 chunk count + 8 pend
 * pointer + 4 state bytes + 36 bytes of Id.  Ids longer than ID_INLINE
 * keep a heap copy whose pointer is stored in c_id; during a request
 * c_id holds the count of body bytes still to skip.
 */
struct conn {
	struct timer_link c_link;	/* list links and due time (ms) */
	uint32_t	 c_n;		/* periodic chunks sent */
	struct pend	*c_pend;	/* NULL while idle */
	uint8_t		 c_state;	/* CS_* */
	uint8_t		 c_list;	/* CL_*: the list holding it */
	uint8_t		 c_flags;	/* CF_* */
	uint8_t		 c_idlen;	/* bytes of Id */
	char		 c_id[ID_INLINE]; /* Id, or heap pointer, or skip */
};
_Static_assert(sizeof(struct conn) == 64, "struct conn must stay 64 bytes");

enum { CS_FREE, CS_REQ, CS_STREAM, CS_LINGER };
enum { CL_NONE, CL_REQ, CL_STREAM, CL_BLOCKED, CL_LINGER, CL_COUNT };

#define CF_RAW		0x01	/* HTTP/1.0: stream without chunking */
#define CF_CLOSE	0x02	/* close once output drains */
#define CF_REJECT	0x04	/* over the cap: answer 503 */
#define CF_CAPPED	0x08	/* holds a place under the cap */
#define CF_SKIP		0x10	/* c_id holds body bytes to skip */
#define CF_BLOCKED	0x20	/* waiting for EPOLLOUT */
#define CF_PUB		0x40	/* a publish request: body to the router */
#define CF_PUBCLOSE	0x80	/* close once the publish is answered */

struct server {
	const struct server_conf *s_conf;
	int		 s_idx;		/* this worker */
	struct loop	 s_loop;
	struct conn	*s_conns;	/* indexed by fd */
	uint32_t	 s_nconns;	/* RLIMIT_NOFILE */
	struct timer_list s_lists[CL_COUNT]; /* by CL_*, [CL_NONE] unused */
	struct stats_slot *s_st;	/* this worker's counters */
	int		 s_lfd;		/* listener */
	int		 s_sfd;		/* signalfd */
	int		 s_reserve;	/* spare fd for EMFILE */
	int		 s_paused;	/* accept paused after EMFILE */
	uint32_t	 s_resume;	/* when to accept again */
	int		 s_stop;	/* SIGTERM or SIGINT seen */
	int		 s_input;	/* in req_input: s_rbuf is in use */
	struct router	*s_router;	/* Ids, queued messages, publishing */
	struct http_hdr	 s_hdrs[MAX_HDRS];
	char		 s_rbuf[RBUF_SIZE];
	char		 s_scratch[SCRATCH_SIZE];
};

/* The connection on fd. */
static inline struct conn *
conn_get(struct server *s, int fd)
{
	return &s->s_conns[fd];
}

/* The Id of a stream (inline or the heap copy), c_idlen bytes. */
const char	*conn_id(const struct conn *);

/* Move fd to list l (CL_NONE: no list) due at now + span. */
void	 conn_list(struct server *, int, int, uint32_t);

/* Set up the slot of a newly accepted fd: cap, counters, head timeout. */
void	 conn_open(struct server *, int);

/* Close fd and count it; stat is an extra counter to bump, or -1. */
void	 conn_close(struct server *, int, int);

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

/*
 * After a response: if close, finish the connection (linger) now or once
 * its output drains.  Returns 0 to go on reading requests, -1 if not.
 */
int	 conn_done(struct server *, int, int);

/*
 * EPOLLOUT: write pending output, then the router's queued messages;
 * once both drained, resume the connection.  Returns 1 if input kept
 * while blocked now waits to be parsed, else 0.
 */
int	 conn_flush(struct server *, int);

#endif
