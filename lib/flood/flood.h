/* flood.h: the flood client's worker engine and what it shares. */
#ifndef COMET_FLOOD_H
#define COMET_FLOOD_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"

#define FLOOD_REQMAX	600	/* longest GET request a URL may make */

/* What the flood's connections speak, cometflood -s. */
enum flood_proto {
	FLOOD_CHUNKED,		/* a chunked response, counted in chunks */
	FLOOD_SSE,		/* EventSource, counted in events */
	FLOOD_WS		/* WebSocket, counted in messages */
};

/*
 * One URL handed from the parent to a worker over a pipe: a fixed head
 * and then fr_len bytes of request.
 */
struct flood_rec {
	uint16_t	fr_len;		/* request bytes that follow */
	uint16_t	fr_port;	/* network order */
	uint32_t	fr_addr;	/* IPv4, network order */
	uint32_t	fr_saddr;	/* source address, network order;
					   0: the kernel's */
	uint16_t	fr_sport;	/* source port, host order; 0: the
					   kernel's */
	uint16_t	fr_pad;
};

#define FLOOD_WHY_N	16	/* reasons one worker tells apart */
#define FLOOD_WHY_LEN	32	/* "status 503", "close 1001" */
#define FLOOD_URL_LEN	128	/* an example, cut if longer */

/* Connections that ended early for one reason, and one of them. */
struct flood_why {
	uint64_t	fw_count;	/* how many */
	char		fw_text[FLOOD_WHY_LEN];	/* the reason, NUL-ended */
	char		fw_url[FLOOD_URL_LEN];	/* its URL, or the server's
						   address for a stream */
};

/*
 * Counters of one worker, in memory shared with the parent.  Each field
 * has one writer (its worker); the parent only reads.  st_why[i] is
 * complete before st_nwhy passes i (release, then acquire).
 */
struct flood_stats {
	uint64_t	st_active;	/* open, with a 200 head */
	uint64_t	st_closed;	/* ended before the end of the run */
	uint64_t	st_chunks;	/* chunk-data units received */
	uint64_t	st_bytes;	/* bytes read, heads and framing too */
	uint64_t	st_connects;	/* connections that became active */
	uint64_t	st_cut;		/* send-time stamps cut by a read */
	uint32_t	st_idle;	/* input done and nothing in flight */
	uint32_t	st_ready;	/* the worker is running */
	struct hist	st_connect_us;	/* connect() to 200 head, µs */
	struct hist	st_inter_ms;	/* between chunks of a connection */
	struct hist	st_lat_us;	/* send-time stamp to read, µs */
	uint32_t	st_nwhy;	/* st_why entries in use */
	struct flood_why st_why[FLOOD_WHY_N];	/* the last is "other" */
};

struct flood_conf {
	enum flood_proto fo_proto;
	unsigned	fo_inflight;	/* connects in flight, max */
	unsigned	fo_timeout_ms;	/* connect to head, 0: none */
	unsigned	fo_maxconn;	/* connections this worker may hold */
	uint16_t	fo_port_lo;	/* source ports handed out: the range */
	uint16_t	fo_port_hi;	/* (0, 0: the kernel picks them) */
};

/*
 * Run a worker: read flood_rec records from fd in until it ends, hold
 * every connection, and return 0 when SIGTERM arrives (the caller must
 * have blocked it, and SIGINT).  Open connections are left to the
 * process exit, which resets them.  Returns -1 with errno if the worker
 * could not be set up.
 */
int	flood_run(const struct flood_conf *, int, struct flood_stats *);

/*
 * Pack one record for a worker into buf: rec (its fr_len is set here)
 * and the request bytes.  Returns the record's size, or 0 if it does not
 * fit in size bytes or the request is longer than FLOOD_REQMAX.
 */
size_t	flood_rec_pack(char *, size_t, struct flood_rec *, const char *,
	    size_t);

#endif
