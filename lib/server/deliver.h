/*
 * deliver.h: a worker's streams by Id, the messages it keeps for them,
 * and a message to each of them.
 * Every stream of an Id lives in the worker that owns the Id (owner.h),
 * so this index is local: no shared memory, no locks.  A message becomes
 * one refcounted blob shared by all its streams; each stream gets a
 * piece in its own format when the loop pass ends (conn.h).  A stream
 * held for its start (CF_WAIT) is logged in but gets nothing.
 */
#ifndef COMET_DELIVER_H
#define COMET_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "msgid.h"

struct server;

/*
 * Make the index for the worker's fds.  Returns 0, or -1 with errno
 * (ENOMEM).
 */
int		 deliver_init(struct server *);

/*
 * Stream fd, whose Id is set, starts receiving messages.  Returns 0, or
 * -1 with errno (EEXIST: already in).  Closing the connection takes it
 * out (conn.c).
 */
int		 deliver_login(struct server *, int);

/*
 * Message msg[0..len) for id, owned here: give it its id, keep it in the
 * history and give it to every stream of id.  Returns how many streams
 * it reached (queued or written; a stream too slow to take it is closed
 * and not counted).
 */
uint32_t	 deliver_to_id(struct server *, const char *, size_t,
		    const char *, size_t);

/*
 * Message msg[0..len) for id that already has its id mid and is kept
 * elsewhere (Redis, cluster.h): give it to every stream of id here.
 * Returns how many it reached, as deliver_to_id.
 */
uint32_t	 deliver_kept(struct server *, const char *, size_t,
		    const struct msgid *, const char *, size_t);

/*
 * A broadcast: give msg[0..len) to every stream here.  It gets no id and
 * no place in the history.  Returns how many it reached.
 */
uint32_t	 deliver_to_all(struct server *, const char *, size_t);

/* The same, with pos as the position it carries instead of the history's. */
uint32_t	 deliver_to_all_at(struct server *, const char *, size_t,
		    const struct msgid *);

#endif
