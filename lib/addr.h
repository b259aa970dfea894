/* addr.h: IPv4 address ranges, "127.0.0.1-127.0.0.40". */
#ifndef COMET_ADDR_H
#define COMET_ADDR_H

#include <netinet/in.h>
#include <stdint.h>

struct addr_range {
	uint32_t	ar_first;	/* first address, host byte order */
	uint32_t	ar_count;	/* addresses in the range, >= 1 */
};

/*
 * Parse "a.b.c.d" or "a.b.c.d-e.f.g.h" (last >= first).  Returns 0 and
 * fills *r, or -1 with errno EINVAL when either end is not an IPv4
 * address or the range runs backwards.
 */
int		addr_range_parse(const char *, struct addr_range *);

/* Returns address i of the range, counting round: i wraps at the end. */
struct in_addr	addr_range_nth(const struct addr_range *, uint64_t);

/*
 * Check that a socket can be bound to every address of r, that is, that
 * each is an address of this host.  Returns 0, or -1 with errno
 * (EADDRNOTAVAIL: not this host's) and the first address that failed in
 * *bad.  A socket and a bind per address: 65,536 take about 0.15 s.
 */
int		addr_range_local(const struct addr_range *, struct in_addr *);

#endif
