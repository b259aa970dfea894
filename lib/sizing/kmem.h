/* kmem.h: system-wide kernel memory and socket counts, from /proc. */
#ifndef COMET_KMEM_H
#define COMET_KMEM_H

struct kmem {
	unsigned long long	km_slab;	/* bytes in slab caches (Slab) */
	unsigned long long	km_tcp;		/* bytes charged to TCP buffers */
	long long		km_sockets;	/* sockets in use, every family */
};

/*
 * Fill *km from /proc/meminfo (Slab) and /proc/net/sockstat (TCP mem
 * pages, sockets used): a snapshot of the whole system, not of one
 * process.  Returns 0, or -1 with errno set: ENOENT if a file or a
 * figure in it is missing, or what open(2) or reading failed with.
 * *km is unchanged on failure.
 */
int			kmem_read(struct kmem *);

/*
 * The kernel bytes attributed to sockets in *km: km_slab + km_tcp.
 * Divide by km_sockets, or by differences against a baseline, for bytes
 * per socket.  Cannot fail.
 */
unsigned long long	kmem_bytes(const struct kmem *);

#endif
