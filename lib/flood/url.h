/* url.h: split "http://host[:port]/path" lines and build GET requests. */
#ifndef COMET_URL_H
#define COMET_URL_H

#include <stddef.h>

struct url {
	const char	*u_host;	/* into the parsed line, not terminated */
	size_t		 u_hostlen;
	const char	*u_path;	/* "/..." into the line; "/" if absent */
	size_t		 u_pathlen;
	int		 u_port;	/* 80 if absent */
	int		 u_hasport;	/* the line named a port */
};

enum url_err {
	URL_OK,
	URL_SCHEME,		/* not http:// */
	URL_HOST,		/* empty host or a bad character in it */
	URL_PORT,		/* port not in 1..65535 */
	URL_PATH		/* a space or control character in the path */
};

/*
 * Split the URL in s[0..len) (no newline) into host, port and path
 * pointing into s.  Returns URL_OK, or the first problem found.
 */
enum url_err	url_parse(const char *, size_t, struct url *);

/* Returns a short description of a url_parse() result. */
const char	*url_strerror(enum url_err);

/*
 * Write the GET request for u into buf, with the header lines extra
 * (each ending in CRLF; "" for none) after Host.  Returns its length; a
 * length of size or more means it did not fit (buf then holds a cut
 * copy, NUL-terminated if size > 0), as snprintf(3) says.
 */
int		url_request(const struct url *, const char *, char *, size_t);

#endif
