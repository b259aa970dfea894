/*
 * blob.h: a published message: a refcounted, immutable body with its
 * id.  One blob is shared by every stream a message goes to and by the
 * history that keeps it; a broadcast to 100,000 connections holds one
 * copy of the text, not 100,000.  A wire format that writes the same
 * bytes for every stream (an event-stream event, a WebSocket frame)
 * builds them once, on first use, and keeps them with the blob.
 */
#ifndef COMET_BLOB_H
#define COMET_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "msgid.h"

enum { BLOB_SSE, BLOB_WS, BLOB_POLL, BLOB_FORMS };

struct blob {
	uint32_t	 b_ref;		/* holders; freed when it drops to 0 */
	uint32_t	 b_len;		/* bytes in b_data */
	struct msgid	 b_id;		/* the message's id, or the position */
	uint64_t	 b_t;		/* published, ms on CLOCK_MONOTONIC */
	int		 b_noid;	/* a broadcast: b_id is a position only */
	uint32_t	 b_formlen[BLOB_FORMS];
	char		*b_form[BLOB_FORMS]; /* the bytes a format built, or NULL */
	char		 b_data[];	/* the message, not NUL-terminated */
};

/*
 * A new blob holding a copy of data[0..len), with one reference, no id
 * and no forms.  Returns NULL with errno ENOMEM (or EFBIG when len does
 * not fit 32 bits).
 */
struct blob	*blob_new(const void *, size_t);

/* Take one more reference; returns b. */
struct blob	*blob_ref(struct blob *);

/* Drop one reference, freeing the blob and its forms with the last. */
void		 blob_unref(struct blob *);

/*
 * Keep form k of b: the caller's malloc'd bytes p[0..len), which the
 * blob owns from now.  Returns p.
 */
char		*blob_set_form(struct blob *, int, char *, size_t);

/* Bytes the blob holds on the heap: header, body and forms. */
size_t		 blob_size(const struct blob *);

#endif
