/*
 * addr.c: ranges of IPv4 addresses.  A flood spreads its connections
 * over many loopback addresses because one (source, destination, port)
 * triple has only the ephemeral range's ports (28,232 by default);
 * cometgen -a and cometflood -b both take "first-last" or a single
 * address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "addr.h"

/* Parse one dotted quad into host order; returns 0, or -1 (EINVAL). */
static int
addr_parse1(const char *s, size_t len, uint32_t *out)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr a;

	if (len == 0 || len >= sizeof(buf)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1) {
		errno = EINVAL;
		return -1;
	}
	*out = ntohl(a.s_addr);
	return 0;
}

/*
 * Parse "a.b.c.d" or "a.b.c.d-e.f.g.h" (last >= first).  Returns 0 and
 * fills *r, or -1 with errno EINVAL when either end is not an IPv4
 * address or the range runs backwards.
 */
int
addr_range_parse(const char *s, struct addr_range *r)
{
	const char *dash = strchr(s, '-');
	uint32_t first, last;

	if (dash == NULL) {
		if (addr_parse1(s, strlen(s), &first) == -1)
			return -1;
		last = first;
	} else if (addr_parse1(s, dash - s, &first) == -1 ||
	    addr_parse1(dash + 1, strlen(dash + 1), &last) == -1)
		return -1;
	if (last < first || last - first == UINT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	r->ar_first = first;
	r->ar_count = last - first + 1;
	return 0;
}

/* Returns address i of the range, counting round: i wraps at the end. */
struct in_addr
addr_range_nth(const struct addr_range *r, uint64_t i)
{
	struct in_addr a;

	a.s_addr = htonl(r->ar_first + (uint32_t)(i % r->ar_count));
	return a;
}
