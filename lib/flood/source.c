/*
 * source.c: input lines to worker records.  Everything a URL needs that
 * can be worked out once is worked out here, in the parent, so that two
 * workers never pick the same source port for one address pair.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "quote.h"
#include "resolve.h"
#include "source.h"
#include "url.h"

const char *const source_protos[] = {
	[FLOOD_CHUNKED] = "chunked", [FLOOD_SSE] = "sse", [FLOOD_WS] = "ws"
};

int
source_init(struct source *so, const char **names, int n,
    enum flood_proto proto, const struct addr_range *bind, uint16_t lo,
    uint16_t hi, uint32_t seed)
{
	memset(so, 0, sizeof(*so));
	so->so_proto = proto;
	so->so_bind = *bind;
	ports_init(&so->so_ports, lo, hi, seed);
	so->so_rand = (uint64_t)seed << 32 | 1;
	return feed_init(&so->so_feed, names, n);
}

/* xorshift64*: WebSocket keys need to differ, not to be secret. */
static uint64_t
source_rand(struct source *so)
{
	so->so_rand ^= so->so_rand >> 12;
	so->so_rand ^= so->so_rand << 25;
	so->so_rand ^= so->so_rand >> 27;
	return so->so_rand * 2685821657736338717ULL;
}

/* The header lines a request of the flood's protocol adds, in buf. */
static const char *
source_headers(struct source *so, char *buf, size_t size)
{
	uint64_t key[2];
	char b64[BASE64_LEN(sizeof(key)) + 1];

	switch (so->so_proto) {
	case FLOOD_SSE:
		return "Accept: text/event-stream\r\n";
	case FLOOD_WS:
		/* a key a proxy has never seen: random, not secret */
		key[0] = source_rand(so);
		key[1] = source_rand(so);
		b64[base64_encode(key, sizeof(key), b64)] = '\0';
		snprintf(buf, size, "Upgrade: websocket\r\nConnection: "
		    "Upgrade\r\nSec-WebSocket-Version: 13\r\n"
		    "Sec-WebSocket-Key: %s\r\n", b64);
		return buf;
	case FLOOD_CHUNKED:
		break;
	}
	return "";
}

/* Blank (spaces and tabs only) or a '#' comment after them. */
static int
source_ignored(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	return i == len || line[i] == '#';
}

/* "name:line: what: \"line\"" into why. */
static enum source_res
source_skip(struct source *so, const char *what, const char *line,
    size_t len, char *why, size_t whysize)
{
	char q[160];

	snprintf(why, whysize, "%s:%lu: %s: %s", feed_name(&so->so_feed),
	    so->so_feed.fe_line, what, quote_str(q, sizeof(q), line, len));
	return SOURCE_SKIP;
}

/* The destination and source of URL u into rec; -1 if it resolves not. */
static int
source_addrs(struct source *so, const struct url *u, struct flood_rec *rec,
    const char **err)
{
	struct in_addr a;

	if (resolve_host(u->u_host, u->u_hostlen, &a, err) == -1)
		return -1;
	rec->fr_addr = a.s_addr;
	rec->fr_port = htons(u->u_port);
	if (so->so_bind.ar_count)
		rec->fr_saddr = addr_range_nth(&so->so_bind,
		    so->so_nbind++).s_addr;
	return 0;
}

/* One URL line into a record; SOURCE_REC or SOURCE_SKIP. */
static enum source_res
source_url(struct source *so, const char *line, size_t len, char *rec,
    size_t size, size_t *reclen, char *why, size_t whysize)
{
	char req[FLOOD_REQMAX + 1], hdrs[160], what[96];
	struct flood_rec fr;
	const char *err;
	struct url u;
	enum url_err e;
	int n;

	if ((e = url_parse(line, len, &u)) != URL_OK)
		return source_skip(so, url_strerror(e), line, len, why,
		    whysize);
	memset(&fr, 0, sizeof(fr));
	if (source_addrs(so, &u, &fr, &err) == -1) {
		snprintf(what, sizeof(what), "host does not resolve (%s)", err);
		return source_skip(so, what, line, len, why, whysize);
	}
	if ((n = url_request(&u, source_headers(so, hdrs, sizeof(hdrs)), req,
	    sizeof(req))) > FLOOD_REQMAX) {
		snprintf(what, sizeof(what), "URL too long (%zu bytes; at most "
		    "%d with -s %s)", len, FLOOD_REQMAX - (n - (int)len),
		    source_protos[so->so_proto]);
		return source_skip(so, what, line, len, why, whysize);
	}
	fr.fr_sport = ports_next(&so->so_ports, fr.fr_saddr, fr.fr_addr,
	    fr.fr_port);
	*reclen = flood_rec_pack(rec, size, &fr, req, n);
	return SOURCE_REC;
}

enum source_res
source_next(struct source *so, char *rec, size_t size, size_t *reclen,
    char *why, size_t whysize)
{
	char *line;
	size_t len;

	for (;;) {
		switch (feed_line(&so->so_feed, &line, &len)) {
		case FEED_MORE:
			return SOURCE_MORE;
		case FEED_EOF:
			return SOURCE_EOF;
		case FEED_FAIL:
			snprintf(why, whysize, "%s: %s",
			    feed_name(&so->so_feed), strerror(errno));
			return SOURCE_SKIP;
		case FEED_LONG:
			snprintf(why, whysize, "%s:%lu: line too long (over "
			    "%d bytes)", feed_name(&so->so_feed),
			    so->so_feed.fe_line, FEED_BUFSZ);
			return SOURCE_SKIP;
		case FEED_LINE:
			break;
		}
		if (!source_ignored(line, len))
			return source_url(so, line, len, rec, size, reclen,
			    why, whysize);
	}
}
