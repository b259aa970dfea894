/*
 * ep_publish.h: the publish endpoint.  POST /send/<Id> (the body is the
 * message), POST /send (lines of "Id<TAB>message") and POST /broadcast,
 * from an allowed address.  Messages go to their owners through the relay
 * as the body arrives; the answer (201 if some stream got a message, 202
 * if none did) comes once the body is complete and every owner replied.
 */
#ifndef COMET_EP_PUBLISH_H
#define COMET_EP_PUBLISH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "relay.h"
#include "urls.h"

struct server;

/*
 * POST to a publish path (url_fn).  Returns 0 when it takes the body
 * (the connection is CF_PUB: feed the body to ep_publish_body), -1 if
 * fd was closed, or the status to answer (403 not allowed, 413 too
 * large, 414 Id too long, 503 out of memory).
 */
int	ep_publish_post(struct server *, int, struct url_req *);

/*
 * Body bytes of fd's publish request, buf[0..len).  Returns how many it
 * used (fewer than len once the body is complete: the rest belongs to
 * the next request), or -1 if the chunked framing is broken: the caller
 * answers 400 and closes.  Once the body is complete and every owner has
 * replied, the answer is written and CF_PUB cleared.
 */
ssize_t	ep_publish_body(struct server *, int, const char *, size_t);

/*
 * The owners' reply about records of request tag (relay_ops).  Returns
 * the fd whose request this answered, or -1.  A request whose body is
 * complete waits for replies under the request timeout, counted from the
 * last reply.
 */
int	ep_publish_replied(struct server *, uint64_t,
	    const struct relay_reply *);

#endif
