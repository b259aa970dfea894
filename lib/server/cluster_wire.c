/*
 * cluster_wire.c: names in Redis and the shapes of what comes back
 * (cluster_wire.h).
 */
#include <string.h>

#include "blob.h"
#include "cluster_wire.h"
#include "history.h"
#include "msgid.h"
#include "resp.h"

size_t
cluster_wire_name(char *buf, const char *prefix, const char *id, size_t len)
{
	size_t p = strlen(prefix);

	if (len > CLUSTER_NAME_MAX - p)
		len = CLUSTER_NAME_MAX - p;
	memcpy(buf, prefix, p);
	memcpy(buf + p, id, len);
	return p + len;
}

/* 1 if it is a bulk string starting with s, else 0. */
static int
wire_starts(const struct resp_item *it, const char *s)
{
	size_t n = strlen(s);

	return it->ri_type == RESP_BULK && it->ri_len >= n &&
	    memcmp(it->ri_str, s, n) == 0;
}

/* Item it as an id; -1 if it is not a bulk string holding one. */
static int
wire_id(const struct resp_item *it, struct msgid *id)
{
	if (it->ri_type != RESP_BULK)
		return -1;
	return msgid_parse(it->ri_str, it->ri_len, id);
}

int
cluster_wire_push(const struct resp_item *it, size_t n,
    struct cluster_msg *m)
{
	const char *p, *sp;
	size_t len, cl = sizeof(CLUSTER_CHAN) - 1;

	if (n != 4 || it[0].ri_type != RESP_PUSH || it[0].ri_int != 3 ||
	    it[1].ri_type != RESP_BULK || it[1].ri_len != 7 ||
	    memcmp(it[1].ri_str, "message", 7) != 0 ||
	    it[3].ri_type != RESP_BULK)
		return -1;
	if (wire_starts(&it[2], CLUSTER_CHAN) && it[2].ri_len > cl) {
		m->cm_id = it[2].ri_str + cl;
		m->cm_idlen = it[2].ri_len - cl;
	} else if (wire_starts(&it[2], CLUSTER_ALL) &&
	    it[2].ri_len == sizeof(CLUSTER_ALL) - 1) {
		m->cm_id = NULL;
		m->cm_idlen = 0;
	} else
		return -1;
	p = it[3].ri_str;
	len = it[3].ri_len;
	if ((sp = memchr(p, ' ', len < MSGID_MAX + 1 ? len : MSGID_MAX + 1)) ==
	    NULL || msgid_parse(p, sp - p, &m->cm_mid) == -1)
		return -1;
	m->cm_data = sp + 1;
	m->cm_len = len - (size_t)(sp + 1 - p);
	return 0;
}

int
cluster_wire_found(const struct resp_item *it, size_t n,
    struct cluster_found *f)
{
	struct msgid id;
	size_t i;

	if (n < 3 || it[0].ri_type != RESP_ARRAY || it[0].ri_int < 2 ||
	    (size_t)it[0].ri_int != n - 1 || (n - 3) % 2 != 0 ||
	    (n - 3) / 2 > UINT32_MAX)
		return -1;
	if (wire_id(&it[1], &f->cf_pos) == -1 || it[2].ri_type != RESP_INT ||
	    it[2].ri_int < HISTORY_WHOLE || it[2].ri_int > HISTORY_UNKNOWN)
		return -1;
	for (i = 3; i < n; i += 2)
		if (wire_id(&it[i], &id) == -1 ||
		    it[i + 1].ri_type != RESP_BULK)
			return -1;
	f->cf_gap = (enum history_gap)it[2].ri_int;
	f->cf_n = (uint32_t)((n - 3) / 2);
	f->cf_items = it + 3;
	return 0;
}

int
cluster_wire_published(const struct resp_item *it, size_t n,
    long long *count)
{
	const struct resp_item *c = it;

	if (n == 3 && it[0].ri_type == RESP_ARRAY && it[0].ri_int == 2 &&
	    it[1].ri_type == RESP_BULK)
		c = &it[2];
	else if (n != 1)
		return -1;
	if (c->ri_type != RESP_INT || c->ri_int < 0)
		return -1;
	*count = c->ri_int;
	return 0;
}

void
cluster_wire_each(const struct cluster_found *f, history_fn *fn, void *arg)
{
	const struct resp_item *it = f->cf_items;
	struct blob *b;
	uint32_t i;

	for (i = 0; i < f->cf_n; i++, it += 2) {
		if ((b = blob_new(it[1].ri_str, it[1].ri_len)) == NULL)
			continue;
		(void)wire_id(&it[0], &b->b_id);
		fn(arg, b);
		blob_unref(b);
	}
}
