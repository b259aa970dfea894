/*
 * ports.h: source ports chosen by the flood itself, one cursor per
 * (source, destination, destination port), so that connect() never has
 * to search the ephemeral range.  Linux's search in connect() tries
 * ports of one parity first and checks each one already used towards
 * the same destination, so once half of a pair's range is in use every
 * connect scans the other half: connects/s falls from tens of thousands
 * to under a thousand.  A port handed out here is tried alone (the
 * worker narrows the socket's range to it, IP_LOCAL_PORT_RANGE), and is
 * free unless another program took it.
 */
#ifndef COMET_PORTS_H
#define COMET_PORTS_H

#include <stdint.h>

struct port_pair;

struct ports {
	struct port_pair *po_tab;	/* open addressing, po_size slots */
	uint32_t	 po_size;	/* a power of two, or 0: none yet */
	uint32_t	 po_used;	/* pairs in po_tab */
	uint16_t	 po_lo, po_hi;	/* the range, inclusive; 0: off */
	uint32_t	 po_seed;	/* spreads the pairs' first ports */
};

/*
 * Read the kernel's ephemeral range (net.ipv4.ip_local_port_range) into
 * *lo and *hi.  Returns 0, or -1 with errno if it cannot be read or
 * makes no sense (EINVAL).
 */
int		ports_range(uint16_t *, uint16_t *);

/*
 * Start handing out ports from lo..hi (inclusive); lo 0 turns the table
 * off, and ports_next then always returns 0.  seed picks where each
 * pair starts in the range, so that two floods towards the same pair
 * begin at different ports.  Allocates nothing yet.
 */
void		ports_init(struct ports *, uint16_t, uint16_t, uint32_t);

/*
 * The next source port (host order) for a connection from saddr to
 * daddr:dport (addresses and dport in network order; saddr 0 when the
 * kernel picks the source address, which it does the same way for every
 * connection to daddr).  Successive calls for one pair walk the range
 * and wrap, so a pair gets every port once before any port twice.
 * Returns 0, for "let the kernel choose", when the table is off or
 * memory ran out.
 */
uint16_t	ports_next(struct ports *, uint32_t, uint32_t, uint16_t);

/* Free the table; ports_next then starts it again. */
void		ports_free(struct ports *);

#endif
