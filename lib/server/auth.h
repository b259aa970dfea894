/*
 * auth.h: who may subscribe and who may publish, with tokens.  With a
 * key (cometd -K), a subscription must carry a JWT (RFC 7519, HS256:
 * lib/jwt.h) whose "sub" is the Id and whose "exp" is to come, in
 * "Authorization: Bearer <token>" or "?token=<token>" (EventSource and
 * WebSocket cannot set headers).  A token with "pub": true lets its
 * bearer publish from any address, besides the addresses -a allows.
 * Without a key subscriptions are open, as they always were.
 */
#ifndef COMET_AUTH_H
#define COMET_AUTH_H

#include <stddef.h>

#include "urls.h"

struct server;

/* The verdict on a request's token. */
struct auth {
	int		 au_status;	/* 0 ok, or 401, 403 */
	const char	*au_why;	/* for the answer: what is wrong */
};

/*
 * May the request u subscribe to id[0..len)?  au_status is 0 when no key
 * is set or the token names id; 401 when there is no token or it is not
 * valid (expired, badly signed, malformed, another algorithm); 403 when
 * it is valid but names another Id.
 */
struct auth	auth_subscriber(struct server *, const struct url_req *,
		    const char *, size_t);

/*
 * May the request u publish?  allowed says the peer's address is on the
 * -a list.  au_status is 0 when it is, or when a valid token grants
 * publishing; 401 for a token that is not valid; 403 otherwise.
 */
struct auth	auth_publisher(struct server *, const struct url_req *, int);

/*
 * Refuse request u as a says: count it, set its error's reason and, with
 * a 401, a WWW-Authenticate challenge (RFC 6750).  Returns the status,
 * for the endpoint to return.
 */
int		auth_refuse(struct server *, struct url_req *,
		    const struct auth *);

#endif
