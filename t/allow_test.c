/*
 * allow_test.c: publisher address rules: IPv4 and IPv6 prefixes, the
 * loopback default, IPv4-mapped IPv6 peers, and bad rules refused.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "server/allow.h"

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 20) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

static int
match(const struct allow *al, const char *addr)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		return allow_match(al, (struct sockaddr *)&sin);
	}
	if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		return allow_match(al, (struct sockaddr *)&sin6);
	}
	return -1;
}

int
main(void)
{
	struct allow al;
	int i;

	allow_loopback(&al);
	CHECK(match(&al, "127.0.0.1") == 1);
	CHECK(match(&al, "127.255.1.2") == 1);
	CHECK(match(&al, "::1") == 1);
	CHECK(match(&al, "::ffff:127.0.0.9") == 1);
	CHECK(match(&al, "10.0.0.1") == 0);
	CHECK(match(&al, "::2") == 0);
	memset(&al, 0, sizeof(al));
	CHECK(allow_add(&al, "127.0.0.2") == 0);
	CHECK(allow_add(&al, "10.1.0.0/16") == 0);
	CHECK(allow_add(&al, "fd00::/8") == 0);
	CHECK(allow_add(&al, "10.9.9.9/0x") == -1);
	CHECK(allow_add(&al, "10.9.9.9/33") == -1);
	CHECK(allow_add(&al, "::1/129") == -1);
	CHECK(allow_add(&al, "host.example") == -1);
	CHECK(allow_add(&al, "") == -1);
	CHECK(allow_add(&al, "/8") == -1);
	CHECK(al.al_n == 3);
	CHECK(match(&al, "127.0.0.1") == 0);
	CHECK(match(&al, "127.0.0.2") == 1);
	CHECK(match(&al, "10.1.200.3") == 1);
	CHECK(match(&al, "10.2.0.1") == 0);
	CHECK(match(&al, "fdab::1") == 1);
	CHECK(match(&al, "fe80::1") == 0);
	CHECK(allow_add(&al, "0.0.0.0/0") == 0);
	CHECK(match(&al, "192.0.2.1") == 1);
	for (i = al.al_n; i < ALLOW_MAX; i++)
		CHECK(allow_add(&al, "::1") == 0);
	CHECK(allow_add(&al, "::1") == -1);
	if (fails) {
		fprintf(stderr, "allow_test: %d failed\n", fails);
		return 1;
	}
	printf("allow_test: ok\n");
	return 0;
}
