/*
 * url.c: the little of RFC 3986 a flood needs.  URLs come one per line
 * from cometgen or a file; each is split in place (no copies) and turned
 * into the bytes of one HTTP/1.1 GET.  IPv6 literals and userinfo are
 * not supported: the flood targets IPv4 loopback addresses.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "url.h"

static int
host_char(int ch)
{
	return isalnum(ch) || ch == '.' || ch == '-' || ch == '_';
}

/* Parse the port digits in [p, end); returns the port or -1. */
static int
url_port(const char *p, const char *end)
{
	int port = 0;

	if (p == end || end - p > 5)
		return -1;
	for (; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		port = port * 10 + (*p - '0');
	}
	return port >= 1 && port <= 65535 ? port : -1;
}

enum url_err
url_parse(const char *s, size_t len, struct url *u)
{
	const char *p, *end = s + len, *hend;

	if (len < 7 || strncasecmp(s, "http://", 7) != 0)
		return URL_SCHEME;
	p = u->u_host = s + 7;
	while (p < end && host_char((unsigned char)*p))
		p++;
	if ((u->u_hostlen = p - u->u_host) == 0)
		return URL_HOST;
	u->u_port = 80;
	u->u_hasport = 0;
	if (p < end && *p == ':') {
		hend = memchr(p, '/', end - p);
		if (hend == NULL)
			hend = end;
		if ((u->u_port = url_port(p + 1, hend)) == -1)
			return URL_PORT;
		u->u_hasport = 1;
		p = hend;
	}
	if (p == end) {
		u->u_path = "/";
		u->u_pathlen = 1;
		return URL_OK;
	}
	if (*p != '/')
		return URL_HOST;
	u->u_path = p;
	u->u_pathlen = end - p;
	for (; p < end; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return URL_PATH;
	return URL_OK;
}

const char *
url_strerror(enum url_err e)
{
	switch (e) {
	case URL_OK:
		return "ok";
	case URL_SCHEME:
		return "not an http:// URL";
	case URL_HOST:
		return "bad host";
	case URL_PORT:
		return "bad port";
	case URL_PATH:
		return "bad path";
	}
	return "bad URL";
}

int
url_request(const struct url *u, const char *extra, char *buf, size_t size)
{
	int n;

	if (u->u_hasport)
		n = snprintf(buf, size, "GET %.*s HTTP/1.1\r\nHost: %.*s:%d"
		    "\r\n%s\r\n", (int)u->u_pathlen, u->u_path,
		    (int)u->u_hostlen, u->u_host, u->u_port, extra);
	else
		n = snprintf(buf, size, "GET %.*s HTTP/1.1\r\nHost: %.*s"
		    "\r\n%s\r\n", (int)u->u_pathlen, u->u_path,
		    (int)u->u_hostlen, u->u_host, extra);
	return n < 0 ? (int)size : n;
}
