/*
 * urls.c: cometd's URL table.  An entry matches a path exactly, or as a
 * prefix followed by at least one byte (the Id).
 */
#include <string.h>

#include "ep_metrics.h"
#include "ep_poll.h"
#include "ep_publish.h"
#include "ep_stats.h"
#include "ep_stream.h"
#include "ep_ws.h"
#include "http.h"
#include "urls.h"

#define M_GET	0x01
#define M_HEAD	0x02
#define M_POST	0x04
#define M_PUT	0x08	/* curl -T sends a streamed body with PUT */

struct url_ent {
	const char	*ue_path;
	int		 ue_prefix;	/* 1: ue_path then an Id */
	int		 ue_methods;	/* M_* */
	const char	*ue_allow;	/* ue_methods as an Allow value */
	url_fn		*ue_fn;
};

static const struct url_ent urls[] = {
	{ "/test/", 1, M_GET | M_HEAD, "GET, HEAD", ep_stream_get },
	{ "/sse/", 1, M_GET | M_HEAD, "GET, HEAD", ep_stream_get },
	{ "/poll/", 1, M_GET, "GET", ep_poll_get },
	{ "/ws/", 1, M_GET, "GET", ep_ws_get },
	{ "/stats", 0, M_GET | M_HEAD, "GET, HEAD", ep_stats_get },
	{ "/metrics", 0, M_GET | M_HEAD, "GET, HEAD", ep_metrics_get },
	{ "/send/", 1, M_POST | M_PUT, "POST, PUT", ep_publish_post },
	{ "/send", 0, M_POST | M_PUT, "POST, PUT", ep_publish_post },
	{ "/broadcast", 0, M_POST | M_PUT, "POST, PUT", ep_publish_post },
};

/* The M_* bit of a method, 0 for one cometd does not implement. */
static int
urls_method(const char *m, size_t n)
{
	if (n == 3 && memcmp(m, "GET", 3) == 0)
		return M_GET;
	if (n == 4 && memcmp(m, "HEAD", 4) == 0)
		return M_HEAD;
	if (n == 4 && memcmp(m, "POST", 4) == 0)
		return M_POST;
	if (n == 3 && memcmp(m, "PUT", 3) == 0)
		return M_PUT;
	return 0;
}

enum url_match
urls_find(const char *path, size_t plen, const char *method, size_t mlen,
    url_fn **fn, const char **allow)
{
	const struct url_ent *u;
	size_t i, n;
	int m;

	if ((m = urls_method(method, mlen)) == 0)
		return URL_NOTIMPL;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		u = &urls[i];
		n = strlen(u->ue_path);
		if (u->ue_prefix ? plen <= n : plen != n)
			continue;
		if (memcmp(path, u->ue_path, n) != 0)
			continue;
		if (!(m & u->ue_methods)) {
			*allow = u->ue_allow;
			return URL_NOMETHOD;
		}
		*fn = u->ue_fn;
		return URL_FOUND;
	}
	return URL_NOPATH;
}

int
urls_split(const struct http_req *r, struct url_req *u)
{
	const char *t = r->rq_target, *end = t + r->rq_targetlen, *p, *q;

	if (r->rq_targetlen >= 7 && http_eq(t, 7, "http://"))
		t += 7;
	else if (r->rq_targetlen >= 8 && http_eq(t, 8, "https://"))
		t += 8;
	else if (t == end || *t != '/')
		return -1;
	if (t != r->rq_target)	/* skip the authority */
		while (t < end && *t != '/' && *t != '?')
			t++;
	for (p = t; p < end && *p != '?' && *p != '#'; p++)
		;
	u->ur_path = p == t ? "/" : t;
	u->ur_plen = p == t ? 1 : (size_t)(p - t);
	u->ur_query = NULL;
	u->ur_qlen = 0;
	if (p < end && *p == '?') {
		for (q = ++p; q < end && *q != '#'; q++)
			;
		u->ur_query = p;
		u->ur_qlen = q - p;
	}
	return 0;
}

int
urls_id_ok(const char *id, size_t len)
{
	size_t i = 0, n;

	while (i <= len) {
		for (n = 0; i + n < len && id[i + n] != '/'; n++)
			;
		if ((n == 1 && id[i] == '.') ||
		    (n == 2 && id[i] == '.' && id[i + 1] == '.'))
			return 0;
		i += n + 1;
	}
	return 1;
}

const char *
urls_param(const struct url_req *u, const char *name, size_t *len)
{
	const char *p = u->ur_query, *end = p + u->ur_qlen, *amp;
	size_t n = strlen(name);

	for (; p != NULL && p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', end - p)) == NULL)
			amp = end;
		if ((size_t)(amp - p) > n && memcmp(p, name, n) == 0 &&
		    p[n] == '=') {
			*len = amp - p - n - 1;
			return p + n + 1;
		}
	}
	return NULL;
}
