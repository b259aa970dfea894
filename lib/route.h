/*
 * route.h: which worker owns an Id.  Every worker computes the same
 * answer, so no worker ever has to ask another where an Id lives.
 */
#ifndef COMET_ROUTE_H
#define COMET_ROUTE_H

#include <stddef.h>
#include <stdint.h>

/*
 * FNV-1a, 32 bits, over id[0..len): offset basis 2166136261, prime
 * 16777619.  Never fails.
 */
uint32_t	route_hash(const char *, size_t);

/*
 * The worker (0 .. workers-1) that owns id: route_hash(id) % workers.
 * Returns 0 when workers < 2.
 */
int		route_owner(const char *, size_t, int);

#endif
