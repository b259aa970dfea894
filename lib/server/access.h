/*
 * access.h: cometd's access log (-A), off by default: one line per
 * request answered, per stream started and per stream ended, tab
 * separated for awk:
 *
 *	time worker peer method path status bytes ms event
 *
 * time in seconds since 1970 with milliseconds; peer as addr:port; path
 * without its query (a token there is never logged); bytes written for
 * the answer, or over a stream's life; ms the stream's life (0 for an
 * answer); event "answer", "stream", or "end:" and why the stream ended
 * (eof, error, slow, timeout, memory, done, stop).  Each worker writes
 * its own lines, each in one write(2) to a file opened O_APPEND, so
 * lines never interleave.  SIGHUP reopens the file (for logrotate).
 * While on, a stream costs 16 bytes more (its start and its bytes).
 */
#ifndef COMET_ACCESS_H
#define COMET_ACCESS_H

#include <stddef.h>
#include <stdint.h>

struct server;

/* What the log keeps per stream, by fd, only while it is on. */
struct acc {
	uint64_t	 ac_start;	/* ms, CLOCK_REALTIME */
	uint64_t	 ac_bytes;	/* written since */
};

/*
 * Open the worker's log (sc_access: a path, or "-" for stderr), and its
 * per-fd table.  Returns 0 (also when there is no log), or -1 with errno.
 */
int	access_open(struct server *);

/* Open the file again, for SIGHUP: a rotated log starts anew. */
void	access_reopen(struct server *);

/*
 * Log request (method, path) on fd answered with status, bytes long, or
 * with event "stream" when it became a stream.
 */
void	access_request(struct server *, int, const char *, size_t,
	    const char *, size_t, int, size_t, const char *);

/*
 * Stream fd (Id and format set) starts: its clock and its byte count
 * start here, and a "stream" line is logged.
 */
void	access_stream(struct server *, int);

/* n more bytes written to fd. */
static inline void
access_count(struct acc *tab, int fd, size_t n)
{
	if (tab != NULL)
		tab[fd].ac_bytes += n;
}

/* Stream fd (Id id, format frame) ends for why (a conn_end name). */
void	access_end(struct server *, int, const char *);

#endif
