/* resolve.h: host names to IPv4 addresses, looked up once each. */
#ifndef COMET_RESOLVE_H
#define COMET_RESOLVE_H

#include <netinet/in.h>
#include <stddef.h>

int	resolve_host(const char *, size_t, struct in_addr *, const char **);

#endif
