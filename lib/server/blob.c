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
	if ((b = calloc(1, sizeof(*b) + len)) == NULL)
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
	int k;

	if (b == NULL || --b->b_ref > 0)
		return;
	for (k = 0; k < BLOB_FORMS; k++)
		free(b->b_form[k]);
	free(b);
}

char *
blob_set_form(struct blob *b, int k, char *p, size_t len)
{
	free(b->b_form[k]);
	b->b_form[k] = p;
	b->b_formlen[k] = (uint32_t)len;
	return p;
}

size_t
blob_size(const struct blob *b)
{
	size_t n = sizeof(*b) + b->b_len;
	int k;

	for (k = 0; k < BLOB_FORMS; k++)
		n += b->b_form[k] != NULL ? b->b_formlen[k] : 0;
	return n;
}
