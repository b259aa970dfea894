/*
 * source.h: the flood's input turned into records for its workers.  A
 * line is a URL, a blank line or a '#' comment; each URL gets its
 * destination resolved, a source address (-b) and port (ports.h), and
 * the request its protocol sends.  Lines that are not good URLs are
 * skipped with a message for the caller to print; nothing here prints.
 */
#ifndef COMET_SOURCE_H
#define COMET_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "feed.h"
#include "flood.h"
#include "ports.h"

struct source {
	struct feed	 so_feed;
	struct ports	 so_ports;	/* source port per address pair */
	struct addr_range so_bind;	/* -b; ar_count 0: none */
	uint64_t	 so_nbind;	/* source addresses handed out */
	enum flood_proto so_proto;
	uint64_t	 so_rand;	/* xorshift64* state: WebSocket keys */
};

enum source_res {
	SOURCE_REC,		/* a record in the caller's buffer */
	SOURCE_SKIP,		/* a line skipped, or an input that failed:
				   the message says which and why */
	SOURCE_MORE,		/* wait for feed_fd(&so_feed) to be readable */
	SOURCE_EOF		/* every input has ended */
};

/* The name -s gives each protocol, indexed by enum flood_proto. */
extern const char *const source_protos[];

/*
 * Set up reading the files names[0..n) (none: stdin; see feed.h) for a
 * flood in protocol proto from the source addresses bind (ar_count 0:
 * the kernel's), handing out source ports lo..hi (lo 0: the kernel
 * picks them; see ports_init for seed, which also seeds the WebSocket
 * keys).  Returns 0, or -1 with errno.
 */
int		source_init(struct source *, const char **, int,
		    enum flood_proto, const struct addr_range *, uint16_t,
		    uint16_t, uint32_t);

/*
 * The next record, packed into rec[0..size) (size at least
 * sizeof(struct flood_rec) + FLOOD_REQMAX) with its length in *len; or a
 * line skipped, with the message "name:line: what: \"line\"" (the line
 * quoted, escapes and all) or "name: strerror" for an input that could
 * not be read in why[0..whysize); or that more input is due, or none.
 */
enum source_res	source_next(struct source *, char *, size_t, size_t *,
		    char *, size_t);

#endif
