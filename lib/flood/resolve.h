/* resolve.h: host names to IPv4 addresses, looked up once each. */
#ifndef COMET_RESOLVE_H
#define COMET_RESOLVE_H

#include <netinet/in.h>
#include <stddef.h>

/*
 * Resolve host[0..len) to an IPv4 address in *out.  Returns 0, or -1
 * with *errstr, a constant string, saying why (the name is too long or
 * does not resolve).
 */
int	resolve_host(const char *, size_t, struct in_addr *, const char **);

#endif
