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

enum url_err	url_parse(const char *, size_t, struct url *);
const char	*url_strerror(enum url_err);
int		url_request(const struct url *, const char *, char *, size_t);

#endif
