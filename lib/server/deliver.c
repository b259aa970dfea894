/*
 * deliver.c: Id -> streams (uidx.h), the history (history.h), and the
 * fan-out of one message.
 *
 * The index costs under 32 bytes per connection; a stream that reads
 * keeps no memory past the loop pass, one that does not holds up to the
 * queue limit of 16-byte entries plus shared bodies.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "blob.h"
#include "conn.h"
#include "deliver.h"
#include "history.h"
#include "loop.h"
#include "server.h"
#include "stats.h"
#include "uidx.h"

/* The index's view of a stream: its Id. */
static const char *
deliver_key(void *arg, int fd, size_t *len)
{
	struct conn *c = conn_get(arg, fd);

	*len = c->c_idlen;
	return conn_id(c);
}

int
deliver_init(struct server *s)
{
	/* calloc'd by fd: pages stay untouched until some fd needs them */
	if (uidx_init(&s->s_ux, s->s_nconns, deliver_key, s) == -1 ||
	    (s->s_q = calloc(s->s_nconns, sizeof(*s->s_q))) == NULL ||
	    (s->s_dirty = calloc(s->s_nconns, sizeof(*s->s_dirty))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int
deliver_login(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);

	return uidx_login(&s->s_ux, fd, conn_id(c), c->c_idlen);
}

/* Give blob b to every stream of id here; returns how many it reached. */
static uint32_t
deliver_blob(struct server *s, const char *id, size_t idlen, struct blob *b)
{
	uint32_t n = 0;
	int fd, next;

	for (fd = uidx_first(&s->s_ux, id, idlen); fd != -1; fd = next) {
		/* delivering may close fd, and closing unlinks it */
		next = uidx_next(&s->s_ux, fd);
		if (!(conn_get(s, fd)->c_flags & CF_WAIT))
			n += conn_message(s, fd, b, 0);
	}
	return n;
}

/* The history's size, as gauges in /stats. */
static void
deliver_gauges(struct server *s)
{
	stats_set(s->s_st, STAT_HISTORY_MSGS, s->s_hist.hy_msgs);
	stats_set(s->s_st, STAT_HISTORY_BYTES, s->s_hist.hy_bytes);
	stats_set(s->s_st, STAT_HISTORY_EVICTED, s->s_hist.hy_evicted);
}

uint32_t
deliver_to_id(struct server *s, const char *id, size_t idlen,
    const char *msg, size_t len)
{
	struct blob *b;
	uint32_t n;

	b = history_add(&s->s_hist, id, idlen, msg, len,
	    loop_mono_ms(&s->s_loop));
	if (b == NULL)
		return 0;
	deliver_gauges(s);
	n = deliver_blob(s, id, idlen, b);
	blob_unref(b);
	return n;
}

uint32_t
deliver_kept(struct server *s, const char *id, size_t idlen,
    const struct msgid *mid, const char *msg, size_t len)
{
	struct blob *b;
	uint32_t n;

	if ((b = blob_new(msg, len)) == NULL)
		return 0;
	b->b_id = *mid;
	b->b_t = loop_mono_ms(&s->s_loop);
	n = deliver_blob(s, id, idlen, b);
	blob_unref(b);
	return n;
}

uint32_t
deliver_to_all(struct server *s, const char *msg, size_t len)
{
	struct msgid pos = history_now(&s->s_hist);

	return deliver_to_all_at(s, msg, len, &pos);
}

uint32_t
deliver_to_all_at(struct server *s, const char *msg, size_t len,
    const struct msgid *pos)
{
	struct blob *b;
	uint32_t n = 0, fd, left = s->s_ux.ux_conns;

	if (left == 0 || (b = blob_new(msg, len)) == NULL)
		return 0;
	/* kept nowhere, so no id: its position tells where it fell */
	b->b_noid = 1;
	b->b_id = *pos;
	b->b_t = loop_mono_ms(&s->s_loop);
	for (fd = 0; fd < s->s_nconns && left > 0; fd++)
		if (uidx_member(&s->s_ux, (int)fd)) {
			left--;
			if (!(conn_get(s, fd)->c_flags & CF_WAIT))
				n += conn_message(s, (int)fd, b, 0);
		}
	blob_unref(b);
	return n;
}
