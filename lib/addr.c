/*
 * addr.c: ranges of IPv4 addresses.  A flood spreads its connections
 * over many loopback addresses because one (source, destination, port)
 * triple has only the ephemeral range's ports (28,232 by default);
 * cometgen -a and cometflood -b both take "first-last" or a single
 * address.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

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

struct in_addr
addr_range_nth(const struct addr_range *r, uint64_t i)
{
	struct in_addr a;

	a.s_addr = htonl(r->ar_first + (uint32_t)(i % r->ar_count));
	return a;
}

/*
 * IP_BIND_ADDRESS_NO_PORT: the bind checks the address and takes no
 * port, so the check costs nothing but the call.
 */
int
addr_range_local(const struct addr_range *r, struct in_addr *bad)
{
	struct sockaddr_in sin;
	uint32_t i;
	int fd, one = 1, saved;

	for (i = 0; i < r->ar_count; i++) {
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			return -1;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr = addr_range_nth(r, i);
		if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		    sizeof(one)) == -1 ||
		    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
			saved = errno;
			close(fd);
			*bad = sin.sin_addr;
			errno = saved;
			return -1;
		}
		close(fd);
	}
	return 0;
}
