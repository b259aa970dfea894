/*
 * uidx.h: a worker's Id -> connections index.  Each Id has one list of
 * connections (a user with three tabs has three), found through an
 * open-addressing table of list heads; the list links live in an array
 * indexed by fd.  Connections are named by fd; the index never owns them.
 *
 * Cost: 8 bytes of links per fd, plus 8 bytes per table slot, with
 * 1.25 to 2.5 slots per fd (a power of two): 18 to 28 bytes per fd, 21
 * at the 20,000 fds of one cometd worker here.
 */
#ifndef COMET_UIDX_H
#define COMET_UIDX_H

#include <stddef.h>
#include <stdint.h>

/* The Id a logged-in fd was logged in with; the index keeps no copy. */
typedef const char *uidx_key_fn(void *, int, size_t *);

/* The last fd of Id id[0..len) logged out (uidx_on_gone). */
typedef void uidx_gone_fn(void *, const char *, size_t);

struct uidx_slot {
	uint32_t	 us_fd;		/* head fd + 1; 0 means empty */
	uint32_t	 us_hash;	/* hash of the Id, to skip compares */
};

struct uidx_link {
	uint32_t	 ul_next;	/* next fd + 1 in the Id's list; 0 none */
	uint32_t	 ul_prev;	/* prev fd + 1; UIDX_HEAD; 0 logged out */
};

#define UIDX_HEAD	UINT32_MAX

struct uidx {
	struct uidx_slot *ux_slot;	/* 2^k slots, >= 1.25 per fd */
	struct uidx_link *ux_link;	/* one per fd */
	uint32_t	 ux_mask;	/* slots - 1 */
	int		 ux_shift;	/* 64 - k, for the slot hash */
	uint32_t	 ux_nfd;	/* fds 0 .. ux_nfd-1 may log in */
	uint32_t	 ux_ids;	/* distinct Ids */
	uint32_t	 ux_conns;	/* logged-in connections */
	uidx_key_fn	*ux_key;
	void		*ux_arg;
	uidx_gone_fn	*ux_gone;	/* or NULL */
	void		*ux_garg;
};

/*
 * Make an index for fds below nfd.  Memory comes from mmap, so untouched
 * pages cost nothing.  Returns 0, or -1 with errno (EINVAL, ENOMEM).
 */
int	uidx_init(struct uidx *, uint32_t, uidx_key_fn *, void *);

/*
 * From now on call fn(arg, id, len) whenever the last fd of an Id logs
 * out, after it is out (ux_conns already counts it out).
 */
void	uidx_on_gone(struct uidx *, uidx_gone_fn *, void *);

/* Release the index's memory. */
void	uidx_free(struct uidx *);

/*
 * Log fd in under id[0..len); key(fd) must return the same Id from now
 * until uidx_logout.  Returns 0, or -1 with errno EBADF (fd out of range),
 * EEXIST (already logged in).
 */
int	uidx_login(struct uidx *, int, const char *, size_t);

/* Log fd out; does nothing if it is not logged in. */
void	uidx_logout(struct uidx *, int);

/* Nonzero if fd is logged in. */
int	uidx_member(const struct uidx *, int);

/* The first fd logged in under id, or -1 if there is none. */
int	uidx_first(const struct uidx *, const char *, size_t);

/* The fd after fd in its Id's list, or -1 at the end. */
int	uidx_next(const struct uidx *, int);

#endif
