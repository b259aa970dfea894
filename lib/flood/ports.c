/*
 * ports.c: a cursor per address pair, in an open-addressing table that
 * doubles when it is half full.  A flood has few pairs (addresses times
 * server ports: tens to thousands), so the table stays small; it lives
 * in the parent, which hands every URL its port before a worker gets it,
 * so two workers never pick the same port for the same pair.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ports.h"

struct port_pair {
	uint32_t	pp_saddr;	/* network order */
	uint32_t	pp_daddr;	/* network order */
	uint16_t	pp_dport;	/* network order */
	uint16_t	pp_next;	/* next port to hand out; 0: slot free */
};

#define PORTS_FILE	"/proc/sys/net/ipv4/ip_local_port_range"
#define PORTS_MIN_TAB	64

int
ports_range(uint16_t *lo, uint16_t *hi)
{
	unsigned a, b;
	FILE *fp;
	int n;

	if ((fp = fopen(PORTS_FILE, "re")) == NULL)
		return -1;
	n = fscanf(fp, "%u %u", &a, &b);
	fclose(fp);
	if (n != 2 || a == 0 || a > b || b > 65535) {
		errno = EINVAL;
		return -1;
	}
	*lo = a;
	*hi = b;
	return 0;
}

void
ports_init(struct ports *po, uint16_t lo, uint16_t hi, uint32_t seed)
{
	memset(po, 0, sizeof(*po));
	po->po_lo = lo;
	po->po_hi = lo ? hi : 0;
	po->po_seed = seed;
}

void
ports_free(struct ports *po)
{
	free(po->po_tab);
	po->po_tab = NULL;
	po->po_size = po->po_used = 0;
}

/* FNV-1a over the pair and the seed. */
static uint32_t
ports_hash(const struct ports *po, uint32_t s, uint32_t d, uint16_t p)
{
	uint32_t h = 2166136261u ^ po->po_seed, v[3] = { s, d, p };
	const unsigned char *b = (const unsigned char *)v;
	size_t i;

	for (i = 0; i < sizeof(v); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* The slot of a pair in tab: its own, or the free one it would take. */
static struct port_pair *
ports_find(const struct ports *po, struct port_pair *tab, uint32_t size,
    const struct port_pair *key)
{
	uint32_t i = ports_hash(po, key->pp_saddr, key->pp_daddr,
	    key->pp_dport) & (size - 1);

	while (tab[i].pp_next != 0 && (tab[i].pp_saddr != key->pp_saddr ||
	    tab[i].pp_daddr != key->pp_daddr ||
	    tab[i].pp_dport != key->pp_dport))
		i = (i + 1) & (size - 1);
	return &tab[i];
}

/* Double the table (or make the first one); returns 0 or -1. */
static int
ports_grow(struct ports *po)
{
	uint32_t size = po->po_size ? po->po_size * 2 : PORTS_MIN_TAB, i;
	struct port_pair *tab;

	if (size < po->po_size || (tab = calloc(size, sizeof(*tab))) == NULL)
		return -1;
	for (i = 0; i < po->po_size; i++)
		if (po->po_tab[i].pp_next != 0)
			*ports_find(po, tab, size, &po->po_tab[i]) =
			    po->po_tab[i];
	free(po->po_tab);
	po->po_tab = tab;
	po->po_size = size;
	return 0;
}

uint16_t
ports_next(struct ports *po, uint32_t saddr, uint32_t daddr, uint16_t dport)
{
	struct port_pair key = { saddr, daddr, dport, 0 }, *pp;
	uint32_t span;
	uint16_t port;

	if (po->po_lo == 0)
		return 0;
	if (po->po_used * 2 >= po->po_size && ports_grow(po) == -1)
		return 0;
	span = (uint32_t)po->po_hi - po->po_lo + 1;
	pp = ports_find(po, po->po_tab, po->po_size, &key);
	if (pp->pp_next == 0) {
		*pp = key;
		pp->pp_next = po->po_lo + ports_hash(po, daddr, saddr,
		    dport) % span;
		po->po_used++;
	}
	port = pp->pp_next;
	pp->pp_next = port == po->po_hi ? po->po_lo : port + 1;
	return port;
}
