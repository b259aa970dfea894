/*
 * resolve.c: a million URLs name the same few hosts ("localhost"), so
 * each name is looked up once and remembered, failures included.
 * Dotted quads never reach the resolver.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>

#include "resolve.h"

#define CACHE_N		16
#define NAME_MAX_	256

struct rentry {
	char		re_name[NAME_MAX_];
	struct in_addr	re_addr;
	int		re_gai;		/* 0, or the getaddrinfo error */
};

static struct rentry	cache[CACHE_N];
static unsigned		cache_next;	/* next entry to replace */

static int
lookup(const char *name, struct rentry *re)
{
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	strcpy(re->re_name, name);
	if ((rc = getaddrinfo(name, NULL, &hints, &res)) != 0)
		return re->re_gai = rc;
	re->re_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	re->re_gai = 0;
	freeaddrinfo(res);
	return 0;
}

int
resolve_host(const char *host, size_t len, struct in_addr *out,
    const char **errstr)
{
	char name[NAME_MAX_];
	struct rentry *re;
	unsigned i;

	if (len >= sizeof(name)) {
		*errstr = "name too long";
		return -1;
	}
	memcpy(name, host, len);
	name[len] = '\0';
	if (inet_pton(AF_INET, name, out) == 1)
		return 0;
	for (i = 0, re = NULL; i < CACHE_N; i++)
		if (strcmp(cache[i].re_name, name) == 0) {
			re = &cache[i];
			break;
		}
	if (re == NULL) {
		re = &cache[cache_next++ % CACHE_N];
		lookup(name, re);
	}
	if (re->re_gai != 0) {
		*errstr = gai_strerror(re->re_gai);
		return -1;
	}
	*out = re->re_addr;
	return 0;
}
