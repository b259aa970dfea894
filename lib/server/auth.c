/*
 * auth.c: subscriber and publisher tokens.  The token is verified on the
 * worker that accepted the request, before anything is streamed or a
 * socket is handed over, so an owner worker only ever sees requests
 * that passed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "http.h"
#include "jwt.h"
#include "server.h"
#include "stats.h"

static const char auth_missing[] = "a token is required";

/* The request's token: Authorization: Bearer, or ?token=; NULL if none. */
static const char *
auth_token(const struct url_req *u, size_t *len)
{
	const struct http_hdr *h;

	h = http_find(u->ur_hdrs, u->ur_req->rq_nhdrs, "authorization");
	if (h != NULL && h->hh_vallen > 7 && http_eq(h->hh_val, 7, "bearer ")) {
		*len = h->hh_vallen - 7;
		return h->hh_val + 7;
	}
	return urls_param(u, "token", len);
}

/* Verify the request's token into claims; 0, or a struct auth to deny. */
static struct auth
auth_verify(struct server *s, const struct url_req *u, char *scratch,
    size_t cap, struct jwt_claims *jc)
{
	const struct server_conf *sc = s->s_conf;
	struct auth a = { 0, NULL };
	enum jwt_status st;
	const char *tok;
	size_t len;

	if ((tok = auth_token(u, &len)) == NULL) {
		a.au_status = 401;
		a.au_why = auth_missing;
		return a;
	}
	st = jwt_verify(tok, len, sc->sc_key, sc->sc_keylen,
	    (long long)time(NULL), scratch, cap, jc);
	if (st != JWT_OK) {
		a.au_status = 401;
		a.au_why = jwt_reason(st);
	}
	return a;
}

struct auth
auth_subscriber(struct server *s, const struct url_req *u, const char *id,
    size_t len)
{
	struct auth a = { 0, NULL };
	struct jwt_claims jc;
	char sub[SERVER_ID_MAX + 1];

	if (s->s_conf->sc_key == NULL)
		return a;
	a = auth_verify(s, u, sub, sizeof(sub), &jc);
	if (a.au_status == 0 && (jc.jc_sub == NULL || jc.jc_sublen != len ||
	    memcmp(jc.jc_sub, id, len) != 0)) {
		a.au_status = 403;
		a.au_why = "the token is for another Id";
	}
	return a;
}

struct auth
auth_publisher(struct server *s, const struct url_req *u, int allowed)
{
	struct auth a = { 0, NULL };
	struct jwt_claims jc;
	char sub[SERVER_ID_MAX + 1];
	size_t len;

	if (allowed)
		return a;
	if (s->s_conf->sc_key == NULL || auth_token(u, &len) == NULL) {
		a.au_status = 403;
		a.au_why = "publishing is allowed from the -a addresses, or "
		    "with a publisher token (-K)";
		return a;
	}
	a = auth_verify(s, u, sub, sizeof(sub), &jc);
	if (a.au_status == 0 && !jc.jc_pub) {
		a.au_status = 403;
		a.au_why = "the token does not grant publishing";
	}
	return a;
}

int
auth_refuse(struct server *s, struct url_req *u, const struct auth *a)
{
	stats_add(s->s_st, a->au_status == 401 ? STAT_AUTH_401 :
	    STAT_AUTH_403, 1);
	u->ur_why = a->au_why;
	/* RFC 6750 3: no error attribute when no token came at all */
	if (a->au_status == 401 && a->au_why == auth_missing)
		snprintf(u->ur_hbuf, sizeof(u->ur_hbuf), "WWW-Authenticate: "
		    "Bearer realm=\"cometd\"\r\n");
	else if (a->au_status == 401)
		snprintf(u->ur_hbuf, sizeof(u->ur_hbuf), "WWW-Authenticate: "
		    "Bearer realm=\"cometd\", error=\"invalid_token\", "
		    "error_description=\"%s\"\r\n", a->au_why);
	if (a->au_status == 401)
		u->ur_ehdrs = u->ur_hbuf;
	return a->au_status;
}
