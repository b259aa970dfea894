/* kmem.h: system-wide kernel memory and socket counts, from /proc. */
#ifndef COMET_KMEM_H
#define COMET_KMEM_H

struct kmem {
	unsigned long long	km_slab;	/* bytes in slab caches (Slab) */
	unsigned long long	km_tcp;		/* bytes charged to TCP buffers */
	long long		km_sockets;	/* sockets in use, every family */
};

int			kmem_read(struct kmem *);
unsigned long long	kmem_bytes(const struct kmem *);

#endif
