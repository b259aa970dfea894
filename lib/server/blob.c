/*
 * blob.c: refcounted message bodies.  Single-threaded (each worker is a
 * process), so the count is a plain integer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"

struct blob *
blob_new(const void *data, size_t len)
{
	struct blob *b;

	if (len > UINT32_MAX - sizeof(*b)) {
		errno = EFBIG;
		return NULL;
	}
	if ((b = malloc(sizeof(*b) + len)) == NULL)
		return NULL;
	b->b_ref = 1;
	b->b_len = (uint32_t)len;
	if (len > 0)
		memcpy(b->b_data, data, len);
	return b;
}

struct blob *
blob_ref(struct blob *b)
{
	b->b_ref++;
	return b;
}

void
blob_unref(struct blob *b)
{
	if (b != NULL && --b->b_ref == 0)
		free(b);
}
