/*
 * kmem.c: the kernel's side of the cost of a connection.
 *
 * The kernel does not say what one socket costs, so we read two totals:
 * Slab from /proc/meminfo, where the socket, inode, dentry, file and
 * epoll item structures of every socket live, and the "mem" pages of
 * the TCP line of /proc/net/sockstat, the send and receive buffers
 * charged to TCP sockets.  Dividing by "sockets: used" (or differences,
 * against a baseline) gives bytes per socket.  Slab also holds caches
 * that have nothing to do with sockets, which is why a baseline helps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmem.h"

/* Find "key" at the start of a line of f and parse the number after it. */
static int
kmem_scan(FILE *f, const char *key, const char *after, long long *v)
{
	char line[256], *p;
	size_t klen = strlen(key);

	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) != 0)
			continue;
		p = line + klen;
		if (after != NULL && (p = strstr(p, after)) == NULL)
			break;
		if (after != NULL)
			p += strlen(after);
		*v = strtoll(p, NULL, 10);
		return 0;
	}
	errno = ENOENT;
	return -1;
}

/* One number from one /proc file: -1 with errno set if it is not there. */
static int
kmem_get(const char *path, const char *key, const char *after, long long *v)
{
	FILE *f;
	int rv, saved;

	if ((f = fopen(path, "re")) == NULL)
		return -1;
	rv = kmem_scan(f, key, after, v);
	saved = errno;
	fclose(f);
	errno = saved;
	return rv;
}

/* Slab is in kB, TCP mem in pages: both become bytes here. */
int
kmem_read(struct kmem *km)
{
	long long slab, pages, used;

	if (kmem_get("/proc/meminfo", "Slab:", NULL, &slab) == -1 ||
	    kmem_get("/proc/net/sockstat", "TCP:", " mem ", &pages) == -1 ||
	    kmem_get("/proc/net/sockstat", "sockets:", " used ", &used) == -1)
		return -1;
	km->km_slab = (unsigned long long)slab * 1024;
	km->km_tcp = (unsigned long long)pages * sysconf(_SC_PAGESIZE);
	km->km_sockets = used;
	return 0;
}

unsigned long long
kmem_bytes(const struct kmem *km)
{
	return km->km_slab + km->km_tcp;
}
