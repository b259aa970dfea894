/* addr.h: IPv4 address ranges, "127.0.0.1-127.0.0.40". */
#ifndef COMET_ADDR_H
#define COMET_ADDR_H

#include <netinet/in.h>
#include <stdint.h>

struct addr_range {
	uint32_t	ar_first;	/* first address, host byte order */
	uint32_t	ar_count;	/* addresses in the range, >= 1 */
};

int		addr_range_parse(const char *, struct addr_range *);
struct in_addr	addr_range_nth(const struct addr_range *, uint64_t);

#endif
