/*
 * route.c: Id -> owning worker.  The kernel's SO_REUSEPORT hash decides
 * which worker accepts a connection; this fixed hash decides which worker
 * keeps it.  FNV-1a is chosen because it is short, has no seed (so the
 * mapping is the same in every worker, across restarts, and can be
 * recomputed by an operator with a few lines of awk) and spreads short
 * numeric Ids evenly.
 */
#include <stddef.h>
#include <stdint.h>

#include "owner.h"

#define FNV_BASIS	2166136261u
#define FNV_PRIME	16777619u

uint32_t
owner_hash(const char *id, size_t len)
{
	uint32_t h = FNV_BASIS;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)id[i];
		h *= FNV_PRIME;
	}
	return h;
}

int
owner_of(const char *id, size_t len, int workers)
{
	if (workers < 2)
		return 0;
	return (int)(owner_hash(id, len) % (uint32_t)workers);
}
