/*
 * blob.h: a refcounted, immutable message body.  One blob is shared by
 * every connection a message goes to; a broadcast to 100,000 connections
 * holds one copy of the text, not 100,000.
 */
#ifndef COMET_BLOB_H
#define COMET_BLOB_H

#include <stddef.h>
#include <stdint.h>

struct blob {
	uint32_t	 b_ref;		/* holders; freed when it drops to 0 */
	uint32_t	 b_len;		/* bytes in b_data */
	char		 b_data[];	/* the message, not NUL-terminated */
};

/*
 * A new blob holding a copy of data[0..len), with one reference.
 * Returns NULL with errno ENOMEM (or EFBIG when len does not fit 32 bits).
 */
struct blob	*blob_new(const void *, size_t);

/* Take one more reference; returns b. */
struct blob	*blob_ref(struct blob *);

/* Drop one reference, freeing the blob with the last.  NULL is ignored. */
void		 blob_unref(struct blob *);

#endif
