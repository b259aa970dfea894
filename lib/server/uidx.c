/*
 * uidx.c: the Id -> connections index.
 *
 * The table holds one slot per distinct Id: the fd at the head of the
 * Id's doubly linked list, and the Id's hash.  Linear probing with
 * backward-shift deletion, so there are no tombstones and a table that
 * sees millions of logins and logouts never degrades.  The table has at
 * least 1.25 slots per fd, so it can never fill.
 *
 * The slot is chosen by Fibonacci hashing of the FNV-1a hash: workers
 * own Ids by FNV-1a % workers, so in one worker the low bits of the hash
 * are all alike and must not pick the slot.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "owner.h"
#include "uidx.h"

static void *
uidx_map(size_t len)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int
uidx_init(struct uidx *ux, uint32_t nfd, uidx_key_fn *key, void *arg)
{
	size_t slots = 16;
	int bits = 4;

	memset(ux, 0, sizeof(*ux));
	if (nfd == 0 || nfd > (1u << 30)) {
		errno = EINVAL;
		return -1;
	}
	/* Load stays under 0.8 even when every fd has its own Id. */
	while (slots < (size_t)nfd + nfd / 4) {
		slots *= 2;
		bits++;
	}
	ux->ux_slot = uidx_map(slots * sizeof(*ux->ux_slot));
	ux->ux_link = uidx_map(nfd * sizeof(*ux->ux_link));
	if (ux->ux_slot == NULL || ux->ux_link == NULL) {
		uidx_free(ux);
		errno = ENOMEM;
		return -1;
	}
	ux->ux_mask = (uint32_t)slots - 1;
	ux->ux_shift = 64 - bits;
	ux->ux_nfd = nfd;
	ux->ux_key = key;
	ux->ux_arg = arg;
	return 0;
}

void
uidx_on_gone(struct uidx *ux, uidx_gone_fn *fn, void *arg)
{
	ux->ux_gone = fn;
	ux->ux_garg = arg;
}

void
uidx_free(struct uidx *ux)
{
	size_t slots = (size_t)ux->ux_mask + 1;

	if (ux->ux_slot != NULL)
		munmap(ux->ux_slot, slots * sizeof(*ux->ux_slot));
	if (ux->ux_link != NULL)
		munmap(ux->ux_link, ux->ux_nfd * sizeof(*ux->ux_link));
	memset(ux, 0, sizeof(*ux));
}

static uint32_t
uidx_home(const struct uidx *ux, uint32_t h)
{
	return (uint32_t)(((uint64_t)h * 0x9e3779b97f4a7c15ull) >>
	    ux->ux_shift);
}

/* The slot holding id's list, or the empty slot where it would go. */
static uint32_t
uidx_find(const struct uidx *ux, const char *id, size_t len, uint32_t h)
{
	const struct uidx_slot *s;
	const char *k;
	uint32_t i;
	size_t klen;

	for (i = uidx_home(ux, h);; i = (i + 1) & ux->ux_mask) {
		s = &ux->ux_slot[i];
		if (s->us_fd == 0)
			return i;
		if (s->us_hash != h)
			continue;
		k = ux->ux_key(ux->ux_arg, (int)s->us_fd - 1, &klen);
		if (klen == len && memcmp(k, id, len) == 0)
			return i;
	}
}

int
uidx_login(struct uidx *ux, int fd, const char *id, size_t len)
{
	struct uidx_link *l;
	struct uidx_slot *s;
	uint32_t h;

	if (fd < 0 || (uint32_t)fd >= ux->ux_nfd) {
		errno = EBADF;
		return -1;
	}
	l = &ux->ux_link[fd];
	if (l->ul_prev != 0) {
		errno = EEXIST;
		return -1;
	}
	h = owner_hash(id, len);
	s = &ux->ux_slot[uidx_find(ux, id, len, h)];
	/* New connections go first: the head is the only slot-held fd. */
	l->ul_next = s->us_fd;
	l->ul_prev = UIDX_HEAD;
	if (s->us_fd != 0)
		ux->ux_link[s->us_fd - 1].ul_prev = (uint32_t)fd + 1;
	else
		ux->ux_ids++;
	s->us_fd = (uint32_t)fd + 1;
	s->us_hash = h;
	ux->ux_conns++;
	return 0;
}

/* Empty slot i and shift later members of its probe run back into it. */
static void
uidx_delete(struct uidx *ux, uint32_t i)
{
	uint32_t j, home;

	for (j = (i + 1) & ux->ux_mask; ux->ux_slot[j].us_fd != 0;
	    j = (j + 1) & ux->ux_mask) {
		home = uidx_home(ux, ux->ux_slot[j].us_hash);
		/* Can j's entry move to i?  Only if i lies in [home, j). */
		if (((j - home) & ux->ux_mask) >= ((j - i) & ux->ux_mask)) {
			ux->ux_slot[i] = ux->ux_slot[j];
			i = j;
		}
	}
	ux->ux_slot[i].us_fd = 0;
	ux->ux_ids--;
}

void
uidx_logout(struct uidx *ux, int fd)
{
	struct uidx_link *l;
	const char *id = NULL;
	size_t len = 0;
	uint32_t i;
	int gone = 0;

	if (fd < 0 || (uint32_t)fd >= ux->ux_nfd)
		return;
	l = &ux->ux_link[fd];
	if (l->ul_prev == 0)
		return;
	if (l->ul_prev != UIDX_HEAD)
		ux->ux_link[l->ul_prev - 1].ul_next = l->ul_next;
	else {
		id = ux->ux_key(ux->ux_arg, fd, &len);
		i = uidx_find(ux, id, len, owner_hash(id, len));
		if (l->ul_next != 0)
			ux->ux_slot[i].us_fd = l->ul_next;
		else {
			uidx_delete(ux, i);
			gone = 1;
		}
	}
	if (l->ul_next != 0)
		ux->ux_link[l->ul_next - 1].ul_prev = l->ul_prev;
	l->ul_next = l->ul_prev = 0;
	ux->ux_conns--;
	if (gone && ux->ux_gone != NULL)
		ux->ux_gone(ux->ux_garg, id, len);
}

int
uidx_member(const struct uidx *ux, int fd)
{
	return fd >= 0 && (uint32_t)fd < ux->ux_nfd &&
	    ux->ux_link[fd].ul_prev != 0;
}

int
uidx_first(const struct uidx *ux, const char *id, size_t len)
{
	uint32_t i;

	i = uidx_find(ux, id, len, owner_hash(id, len));
	return (int)ux->ux_slot[i].us_fd - 1;
}

int
uidx_next(const struct uidx *ux, int fd)
{
	return (int)ux->ux_link[fd].ul_next - 1;
}
