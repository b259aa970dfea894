/*
 * allow.c: publisher address rules.  A handful of prefixes, checked once
 * per publish request, so a linear scan is the right data structure.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "allow.h"
#include "num.h"

static void
allow_mask(uint8_t *a, int bits, int len)
{
	int i;

	for (i = 0; i < len; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			a[i] &= (uint8_t)(0xff << (8 - bits));
			bits = 0;
		}
	}
}

void
allow_loopback(struct allow *al)
{
	memset(al, 0, sizeof(*al));
	(void)allow_add(al, "127.0.0.0/8");
	(void)allow_add(al, "::1");
}

int
allow_add(struct allow *al, const char *spec)
{
	struct allow_rule r;
	char host[INET6_ADDRSTRLEN];
	const char *slash, *errstr;
	size_t hl;
	int max;

	memset(&r, 0, sizeof(r));
	slash = strchr(spec, '/');
	hl = slash != NULL ? (size_t)(slash - spec) : strlen(spec);
	if (hl == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, r.aw_addr) == 1)
		r.aw_family = AF_INET;
	else if (inet_pton(AF_INET6, host, r.aw_addr) == 1)
		r.aw_family = AF_INET6;
	else
		goto bad;
	max = r.aw_family == AF_INET ? 32 : 128;
	r.aw_bits = max;
	if (slash != NULL) {
		r.aw_bits = (int)num_parse(slash + 1, 0, max, &errstr);
		if (errstr != NULL)
			goto bad;
	}
	if (al->al_n >= ALLOW_MAX) {
		errno = ENOSPC;
		return -1;
	}
	allow_mask(r.aw_addr, r.aw_bits, max / 8);
	al->al_rule[al->al_n++] = r;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

static int
allow_rule_match(const struct allow_rule *r, int family, const uint8_t *a)
{
	uint8_t m[16];
	int len;

	if (r->aw_family != family)
		return 0;
	len = family == AF_INET ? 4 : 16;
	memcpy(m, a, (size_t)len);
	allow_mask(m, r->aw_bits, len);
	return memcmp(m, r->aw_addr, (size_t)len) == 0;
}

int
allow_match(const struct allow *al, const struct sockaddr *sa)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	const uint8_t *a;
	int family, i;

	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		a = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		family = AF_INET6;
		a = ((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr.s6_addr;
		if (memcmp(a, mapped, sizeof(mapped)) == 0) {
			family = AF_INET;
			a += 12;
		}
	} else
		return 0;
	for (i = 0; i < al->al_n; i++)
		if (allow_rule_match(&al->al_rule[i], family, a))
			return 1;
	return 0;
}
