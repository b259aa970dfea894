/*
 * history.c: per-Id message history.
 *
 * A record per Id (its name, how many it keeps, the newest seq it lost)
 * heads a list of entries, oldest first; every entry is also on one
 * list of all entries by age.  Eviction by the byte cap takes the oldest
 * of all, which is always the oldest of its own Id too, so both lists
 * lose their head: O(1).  A record whose last entry goes is freed, and
 * its loss folds into a small table of floors by hash, which a later
 * record of any Id in that slot inherits: cheap, and wrong only towards
 * reporting a loss.
 *
 * Bytes counted: each record and entry header, each blob header and
 * body (shared with the streams, but kept alive here).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "history.h"
#include "owner.h"

#define HIST_BUCKETS	1024	/* first table size, doubled as Ids grow */
#define HIST_FLOORS	4096	/* floor slots for Ids without a record */

struct hent {
	struct blob	*he_blob;
	struct hrec	*he_rec;	/* the Id it belongs to */
	struct hent	*he_older;	/* all entries, by age */
	struct hent	*he_newer;
	struct hent	*he_next;	/* the same Id's next newer entry */
	size_t		 he_size;	/* bytes counted for it */
};

struct hrec {
	struct hrec	*hr_chain;	/* next record in the bucket */
	uint32_t	 hr_hash;
	uint32_t	 hr_count;	/* entries */
	uint64_t	 hr_floor;	/* newest seq of this Id dropped */
	struct hent	*hr_first;	/* oldest entry */
	struct hent	*hr_last;	/* newest entry */
	size_t		 hr_idlen;
	char		 hr_id[];
};

static uint64_t	 floors[HIST_FLOORS];	/* one history per process */

static void	hist_evict(struct history *, struct hrec *);

static uint32_t
hist_bucket(const struct history *h, uint32_t hash)
{
	return (uint32_t)(((uint64_t)hash * 0x9e3779b97f4a7c15ull) >> 40) &
	    h->hy_mask;
}

static uint64_t *
hist_floor(uint32_t hash)
{
	return &floors[(hash * 0x9e3779b9u) >> 20 & (HIST_FLOORS - 1)];
}

int
history_init(struct history *h, uint64_t epoch, uint32_t perid, size_t max)
{
	memset(h, 0, sizeof(*h));
	if ((h->hy_tab = calloc(HIST_BUCKETS, sizeof(*h->hy_tab))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	h->hy_mask = HIST_BUCKETS - 1;
	h->hy_epoch = epoch;
	h->hy_perid = perid;
	h->hy_max = max;
	memset(floors, 0, sizeof(floors));
	return 0;
}

void
history_free(struct history *h)
{
	while (h->hy_old != NULL)
		hist_evict(h, h->hy_old->he_rec);
	free(h->hy_tab);
	memset(h, 0, sizeof(*h));
}

static struct hrec *
hist_find(const struct history *h, const char *id, size_t len, uint32_t hash)
{
	struct hrec *r;

	for (r = h->hy_tab[hist_bucket(h, hash)]; r != NULL; r = r->hr_chain)
		if (r->hr_hash == hash && r->hr_idlen == len &&
		    memcmp(r->hr_id, id, len) == 0)
			return r;
	return NULL;
}

/* Double the table once there are more Ids than buckets. */
static void
hist_grow(struct history *h)
{
	struct hrec **old = h->hy_tab, *r, *next;
	uint32_t i, n = h->hy_mask + 1;

	if (h->hy_ids <= n || n >= (1u << 24) ||
	    (h->hy_tab = calloc((size_t)n * 2, sizeof(*h->hy_tab))) == NULL) {
		h->hy_tab = old;
		return;
	}
	h->hy_mask = n * 2 - 1;
	for (i = 0; i < n; i++)
		for (r = old[i]; r != NULL; r = next) {
			next = r->hr_chain;
			r->hr_chain = h->hy_tab[hist_bucket(h, r->hr_hash)];
			h->hy_tab[hist_bucket(h, r->hr_hash)] = r;
		}
	free(old);
}

static struct hrec *
hist_record(struct history *h, const char *id, size_t len, uint32_t hash)
{
	struct hrec *r, **b;

	if ((r = hist_find(h, id, len, hash)) != NULL)
		return r;
	if ((r = calloc(1, sizeof(*r) + len)) == NULL)
		return NULL;
	r->hr_hash = hash;
	r->hr_idlen = len;
	r->hr_floor = *hist_floor(hash);
	memcpy(r->hr_id, id, len);
	b = &h->hy_tab[hist_bucket(h, hash)];
	r->hr_chain = *b;
	*b = r;
	h->hy_ids++;
	h->hy_bytes += sizeof(*r) + len;
	hist_grow(h);
	return r;
}

/* Free a record without entries; its loss goes to its floor slot. */
static void
hist_drop_record(struct history *h, struct hrec *r)
{
	struct hrec **p = &h->hy_tab[hist_bucket(h, r->hr_hash)];
	uint64_t *f = hist_floor(r->hr_hash);

	while (*p != r)
		p = &(*p)->hr_chain;
	*p = r->hr_chain;
	if (*f < r->hr_floor)
		*f = r->hr_floor;
	h->hy_ids--;
	h->hy_bytes -= sizeof(*r) + r->hr_idlen;
	free(r);
}

/* Drop the oldest entry of record r (also the oldest of all, or not). */
static void
hist_evict(struct history *h, struct hrec *r)
{
	struct hent *e = r->hr_first;

	if ((r->hr_first = e->he_next) == NULL)
		r->hr_last = NULL;
	if (e->he_older != NULL)
		e->he_older->he_newer = e->he_newer;
	else
		h->hy_old = e->he_newer;
	if (e->he_newer != NULL)
		e->he_newer->he_older = e->he_older;
	else
		h->hy_new = e->he_older;
	if (r->hr_floor < e->he_blob->b_id.mi_b)
		r->hr_floor = e->he_blob->b_id.mi_b;
	r->hr_count--;
	h->hy_bytes -= e->he_size;
	h->hy_msgs--;
	h->hy_evicted++;
	blob_unref(e->he_blob);
	free(e);
	if (r->hr_count == 0)
		hist_drop_record(h, r);
}

/* Keep blob b as the newest entry of r. */
static int
hist_keep(struct history *h, struct hrec *r, struct blob *b)
{
	struct hent *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -1;
	e->he_blob = blob_ref(b);
	e->he_rec = r;
	e->he_size = sizeof(*e) + sizeof(*b) + b->b_len;
	if ((e->he_older = h->hy_new) != NULL)
		h->hy_new->he_newer = e;
	else
		h->hy_old = e;
	h->hy_new = e;
	if (r->hr_last != NULL)
		r->hr_last->he_next = e;
	else
		r->hr_first = e;
	r->hr_last = e;
	r->hr_count++;
	h->hy_bytes += e->he_size;
	h->hy_msgs++;
	return 0;
}

struct blob *
history_add(struct history *h, const char *id, size_t idlen,
    const char *msg, size_t len, uint64_t now)
{
	uint32_t hash = owner_hash(id, idlen);
	struct hrec *r;
	struct blob *b;
	uint64_t *f;

	if ((b = blob_new(msg, len)) == NULL)
		return NULL;
	b->b_id.mi_a = h->hy_epoch;
	b->b_id.mi_b = ++h->hy_seq;
	b->b_t = now;
	if (h->hy_perid == 0) {
		/* kept nowhere: lost at once, as far as a resume can tell */
		f = hist_floor(hash);
		*f = b->b_id.mi_b;
		return b;
	}
	if ((r = hist_record(h, id, idlen, hash)) == NULL ||
	    hist_keep(h, r, b) == -1) {
		/* kept nowhere: the same as lost */
		if (r != NULL && r->hr_count == 0)
			hist_drop_record(h, r);
		*hist_floor(hash) = b->b_id.mi_b;
		return b;
	}
	if (r->hr_count > h->hy_perid)
		hist_evict(h, r);
	while (h->hy_bytes > h->hy_max && h->hy_old != NULL &&
	    h->hy_old->he_blob != b)
		hist_evict(h, h->hy_old->he_rec);
	return b;
}

/* fn for each entry of r with seq > after (all with after 0), oldest first. */
static void
hist_replay(struct hrec *r, uint64_t after, history_fn *fn, void *arg,
    struct msgid *first)
{
	struct hent *e;
	int any = 0;

	for (e = r != NULL ? r->hr_first : NULL; e != NULL; e = e->he_next) {
		if (e->he_blob->b_id.mi_b <= after)
			continue;
		if (!any++)
			*first = e->he_blob->b_id;
		fn(arg, e->he_blob);
	}
}

enum history_gap
history_since(struct history *h, const char *id, size_t idlen,
    const struct msgid *after, history_fn *fn, void *arg,
    struct msgid *first)
{
	uint32_t hash = owner_hash(id, idlen);
	struct hrec *r = hist_find(h, id, idlen, hash);
	uint64_t floor = r != NULL ? r->hr_floor : *hist_floor(hash);

	if (after->mi_a < h->hy_epoch) {
		hist_replay(r, 0, fn, arg, first);
		return HISTORY_RESET;
	}
	if (after->mi_a > h->hy_epoch || after->mi_b > h->hy_seq) {
		hist_replay(r, 0, fn, arg, first);
		return HISTORY_UNKNOWN;
	}
	hist_replay(r, after->mi_b, fn, arg, first);
	return after->mi_b < floor ? HISTORY_EVICTED : HISTORY_WHOLE;
}

uint32_t
history_after_time(struct history *h, const char *id, size_t idlen,
    uint64_t t, history_fn *fn, void *arg)
{
	struct hrec *r = hist_find(h, id, idlen, owner_hash(id, idlen));
	struct hent *e;
	uint32_t n = 0;

	for (e = r != NULL ? r->hr_first : NULL; e != NULL; e = e->he_next)
		if (e->he_blob->b_t >= t) {
			fn(arg, e->he_blob);
			n++;
		}
	return n;
}

struct msgid
history_now(const struct history *h)
{
	struct msgid m = { h->hy_epoch, h->hy_seq };

	return m;
}

const char *
history_gap_name(enum history_gap g)
{
	switch (g) {
	case HISTORY_EVICTED:
		return "evicted";
	case HISTORY_RESET:
		return "reset";
	case HISTORY_UNKNOWN:
		return "unknown";
	default:
		return "none";
	}
}
