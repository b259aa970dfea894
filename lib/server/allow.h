/*
 * allow.h: the addresses allowed to publish (addr[/prefix] rules, IPv4
 * and IPv6).  Subscribers on the open port must not push to other users,
 * so cometd checks a publisher's peer address against this list.
 */
#ifndef COMET_ALLOW_H
#define COMET_ALLOW_H

#include <sys/socket.h>

#include <stdint.h>

#define ALLOW_MAX	32	/* rules; more is a configuration mistake */

struct allow_rule {
	int		 aw_family;	/* AF_INET or AF_INET6 */
	int		 aw_bits;	/* prefix length */
	uint8_t		 aw_addr[16];	/* network order, masked */
};

struct allow {
	int		 al_n;		/* rules in use */
	struct allow_rule al_rule[ALLOW_MAX];
};

/* The default list: 127.0.0.0/8 and ::1 (loopback only). */
void	allow_loopback(struct allow *);

/*
 * Add the rule "addr" or "addr/prefix" (numeric IPv4 or IPv6).  Returns
 * 0, or -1 with errno EINVAL (not an address, bad prefix) or ENOSPC (list
 * full); the list is unchanged on failure.
 */
int	allow_add(struct allow *, const char *);

/*
 * Nonzero if the address sa matches a rule.  An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is matched as the IPv4 address it carries.
 */
int	allow_match(const struct allow *, const struct sockaddr *);

#endif
