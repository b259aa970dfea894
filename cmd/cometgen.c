/*
 * cometgen: print the URLs a flood connects to, one a line, e.g.
 * "http://localhost:8000/test/1".  -a spreads the host part over a range
 * of addresses so that one flood can go past the ports of one address
 * pair's ephemeral range.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "opt.h"

#define MAXID	1000000000000000LL	/* ids and counts stay well in range */

static char	 outbuf[65536];
static size_t	 outlen;

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: cometgen [-Vh] [-P prefix] [-a addr[-addr]] "
	    "[-f first] [-p port] count\n");
	exit(status);
}

/* A reader that went away (| head) ends us quietly; other errors do not. */
static void
out_flush(void)
{
	size_t off = 0;
	ssize_t n;

	while (off < outlen) {
		n = write(STDOUT_FILENO, outbuf + off, outlen - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EPIPE)
			exit(0);
		if (n == -1)
			err(1, "write");
		off += n;
	}
	outlen = 0;
}

static void
out_str(const char *s, size_t len)
{
	if (outlen + len > sizeof(outbuf))
		out_flush();
	memcpy(outbuf + outlen, s, len);
	outlen += len;
}

static void
out_num(long long v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do
		tmp[--i] = '0' + v % 10;
	while ((v /= 10) != 0);
	out_str(tmp + i, sizeof(tmp) - i);
}

/* Hosts: a range of IPv4 addresses, or one name such as localhost. */
static int
parse_hosts(const char *s, struct addr_range *r)
{
	const char *p;

	if (addr_range_parse(s, r) == 0)
		return 1;
	if (*s == '\0' || isdigit((unsigned char)*s))
		return -1;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			return -1;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct addr_range range;
	struct in_addr a;
	char host[INET_ADDRSTRLEN];
	const char *hostname = "localhost", *prefix = "/test/";
	long long count, first = 1, i, port = 8000;
	int ch, ranged = 0;

	opt_init(argc, argv, usage);
	while ((ch = getopt(argc, argv, "VP:a:f:hp:")) != -1) {
		switch (ch) {
		case 'V':
			opt_version();
		case 'P':
			if (*optarg != '/' || strpbrk(optarg, " \t\r\n"))
				opt_bad(ch, optarg, "must start with / and "
				    "have no spaces");
			prefix = optarg;
			break;
		case 'a':
			if ((ranged = parse_hosts(optarg, &range)) == -1)
				opt_bad(ch, optarg, "not a host name, address "
				    "or address range");
			hostname = optarg;
			break;
		case 'f':
			first = opt_number(ch, optarg, 0, MAXID);
			break;
		case 'h':
			usage(stdout, 0);
		case 'p':
			port = opt_number(ch, optarg, 1, 65535);
			break;
		default:
			usage(stderr, 2);
		}
	}
	argc -= optind;
	argv += optind;
	opt_operands(argc, argv, 1, 1);
	count = opt_operand("count", argv[0], 0, MAXID);

	for (i = 0; i < count; i++) {
		out_str("http://", 7);
		if (ranged) {
			a = addr_range_nth(&range, i);
			inet_ntop(AF_INET, &a, host, sizeof(host));
			out_str(host, strlen(host));
		} else
			out_str(hostname, strlen(hostname));
		out_str(":", 1);
		out_num(port);
		out_str(prefix, strlen(prefix));
		out_num(first + i);
		out_str("\n", 1);
	}
	out_flush();
	return 0;
}
