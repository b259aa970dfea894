/*
 * route.h: which worker owns an Id.  Every worker computes the same
 * answer, so no worker ever has to ask another where an Id lives.
 */
#ifndef COMET_OWNER_H
#define COMET_OWNER_H

#include <stddef.h>
#include <stdint.h>

/*
 * FNV-1a, 32 bits, over id[0..len): offset basis 2166136261, prime
 * 16777619.  Never fails.
 */
uint32_t	owner_hash(const char *, size_t);

/*
 * The worker (0 .. workers-1) that owns id: owner_hash(id) % workers.
 * Returns 0 when workers < 2.
 */
int		owner_of(const char *, size_t, int);

#endif
