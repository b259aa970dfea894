/*
 * libFuzzer harness for the Redis protocol codec (lib/resp.c).
 *
 * The input after its first byte is what a server might send; the first
 * byte picks the limits.  The parser keeps no state, so a caller parses
 * the whole buffer again as it grows, and the harness checks what that
 * relies on: every prefix shorter than a complete reply is incomplete,
 * every longer one gives the same reply, and a prefix of a bad reply is
 * incomplete or the same error, never some other answer.  Items point
 * inside the reply and their spans and counts add up.  Replies are taken
 * one after another, as from a pipeline.  The same bytes, cut into
 * arguments, are encoded as a command, which must parse back to them.
 * Every buffer parsed is an exact-size heap copy, so ASan sees a read
 * past it.  Each reply is also read as cometd's cluster reads Redis
 * (lib/server/cluster_wire.c): a push, a resume answer, a publish count;
 * what those accept must lie inside the reply and round-trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/blob.h"
#include "server/cluster_wire.h"
#include "server/msgid.h"
#include "server/resp.h"

#define NITEMS	64
#define NARGS	8

struct res {
	enum resp_status r_st;
	size_t		 r_n;
	size_t		 r_used;
	struct resp_item r_it[NITEMS];
	size_t		 r_off[NITEMS];	/* where each ri_str was */
};

/* Parse a heap copy of p[0..len); string pointers become r_off. */
static void
parse(const uint8_t *p, size_t len, const struct resp_limits *lim,
    struct res *r)
{
	char *buf;
	size_t i;

	memset(r, 0, sizeof(*r));
	if ((buf = malloc(len + (len == 0))) == NULL)
		abort();
	memcpy(buf, p, len);
	r->r_st = resp_parse(buf, len, lim, r->r_it, &r->r_n, &r->r_used);
	if (r->r_st == RESP_OK) {
		if (r->r_n == 0 || r->r_n > lim->rl_maxitems ||
		    r->r_used == 0 || r->r_used > len)
			abort();
		for (i = 0; i < r->r_n; i++) {
			if (r->r_it[i].ri_str == NULL)
				continue;
			if (r->r_it[i].ri_str < buf || r->r_it[i].ri_len >
			    (size_t)(buf + r->r_used - r->r_it[i].ri_str))
				abort();
			r->r_off[i] = (size_t)(r->r_it[i].ri_str - buf);
			r->r_it[i].ri_str = NULL;
		}
	}
	free(buf);
}

/* Spans and element counts agree; returns the subtree's size. */
static size_t
check_tree(const struct resp_item *it, size_t n, unsigned depth,
    unsigned maxdepth)
{
	size_t k = 1;
	long long e;

	if (n == 0 || it->ri_type > RESP_PUSH)
		abort();
	if (it->ri_type < RESP_ARRAY) {
		if (it->ri_span != 1)
			abort();
		return 1;
	}
	if (depth >= maxdepth || it->ri_int < 0 ||
	    (it->ri_type == RESP_MAP && it->ri_int % 2 != 0))
		abort();
	for (e = 0; e < it->ri_int; e++)
		k += check_tree(it + k, n - k, depth + 1, maxdepth);
	if (it->ri_span != k)
		abort();
	return k;
}

/* Returns 1 if two parses gave the same reply. */
static int
same(const struct res *a, const struct res *b)
{
	size_t i;

	if (a->r_st != b->r_st || a->r_n != b->r_n || a->r_used != b->r_used)
		return 0;
	for (i = 0; i < a->r_n; i++)
		if (a->r_off[i] != b->r_off[i] ||
		    a->r_it[i].ri_len != b->r_it[i].ri_len ||
		    a->r_it[i].ri_int != b->r_it[i].ri_int ||
		    a->r_it[i].ri_span != b->r_it[i].ri_span ||
		    a->r_it[i].ri_type != b->r_it[i].ri_type)
			return 0;
	return 1;
}

/* Every prefix of p[0..len) agrees with the whole. */
static void
prefixes(const uint8_t *p, size_t len, const struct resp_limits *lim,
    const struct res *whole)
{
	struct res r;
	size_t k, step = len > 300 ? len / 50 : 1;
	int err = 0;

	for (k = 0; k < len; k += step) {
		parse(p, k, lim, &r);
		if (whole->r_st == RESP_OK && k >= whole->r_used) {
			if (!same(&r, whole))
				abort();
		} else if (r.r_st != RESP_INCOMPLETE) {
			if (r.r_st != whole->r_st)
				abort();
			err = 1;
		} else if (err)
			abort();	/* an error went away with more bytes */
	}
}

/* Cut p into arguments at each 0xff, encode, and parse back. */
static void
encode(const uint8_t *p, size_t len)
{
	static const struct resp_limits lim = { NARGS + 1, 1, SIZE_MAX };
	const char *argv[NARGS];
	size_t lens[NARGS], n, need;
	struct res r;
	char *buf;
	int argc = 0, i;

	while (argc < NARGS && len > 0) {
		argv[argc] = (const char *)p;
		for (n = 0; n < len && p[n] != 0xff; n++)
			;
		lens[argc++] = n;
		n += n < len;
		p += n;
		len -= n;
	}
	need = resp_encode(NULL, 0, argc, argv, lens);
	if ((buf = malloc(need)) == NULL ||
	    resp_encode(buf, need, argc, argv, lens) != need)
		abort();
	parse((const uint8_t *)buf, need, &lim, &r);
	if (r.r_st != RESP_OK || r.r_used != need ||
	    r.r_n != (size_t)argc + 1 || r.r_it[0].ri_type != RESP_ARRAY ||
	    r.r_it[0].ri_int != argc)
		abort();
	for (i = 0; i < argc; i++)
		if (r.r_it[i + 1].ri_type != RESP_BULK ||
		    r.r_it[i + 1].ri_len != lens[i] ||
		    memcmp(buf + r.r_off[i + 1], argv[i], lens[i]) != 0)
			abort();
	free(buf);
}

/* bytes [p, p + n) lie inside [buf, buf + len) */
static int
inside(const char *p, size_t n, const char *buf, size_t len)
{
	return p >= buf && p <= buf + len && n <= (size_t)(buf + len - p);
}

/* An id survives being written and read back unchanged. */
static void
id_trip(const struct msgid *id)
{
	char s[MSGID_MAX + 1];
	struct msgid back;

	if (msgid_parse(s, msgid_format(s, id), &back) == -1 ||
	    msgid_cmp(&back, id) != 0)
		abort();
}

/* cluster_wire_each's view: every message in order, inside the reply. */
struct replay {
	const char	*rp_buf;
	size_t		 rp_len;
	uint32_t	 rp_n;
};

static void
replay_one(void *arg, struct blob *b)
{
	struct replay *rp = arg;

	id_trip(&b->b_id);
	if (b->b_ref != 1)
		abort();
	rp->rp_n++;
}

/* The reply at p[0..len) as the cluster reads it. */
static void
cluster(const uint8_t *p, size_t len, const struct resp_limits *lim)
{
	struct resp_item it[NITEMS];
	struct cluster_found f;
	struct cluster_msg m;
	struct replay rp;
	size_t n, used;
	long long count;
	char *buf;

	if ((buf = malloc(len + (len == 0))) == NULL)
		abort();
	memcpy(buf, p, len);
	if (resp_parse(buf, len, lim, it, &n, &used) == RESP_OK) {
		if (cluster_wire_push(it, n, &m) == 0) {
			if ((m.cm_id != NULL && (m.cm_idlen == 0 ||
			    !inside(m.cm_id, m.cm_idlen, buf, used))) ||
			    !inside(m.cm_data, m.cm_len, buf, used))
				abort();
			id_trip(&m.cm_mid);
		}
		if (cluster_wire_found(it, n, &f) == 0) {
			if (f.cf_gap > HISTORY_UNKNOWN || 3 + 2 * (size_t)f.cf_n
			    != n)
				abort();
			id_trip(&f.cf_pos);
			memset(&rp, 0, sizeof(rp));
			cluster_wire_each(&f, replay_one, &rp);
			if (rp.rp_n != f.cf_n)
				abort();
		}
		if (cluster_wire_published(it, n, &count) == 0 && count < 0)
			abort();
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct resp_limits lim;
	struct res whole;
	size_t off;

	if (len < 1)
		return 0;
	lim.rl_maxitems = 1 + (data[0] & 63);
	lim.rl_maxdepth = (data[0] >> 6) * 3;
	lim.rl_maxbulk = data[0] & 1 ? 16 : 1 << 20;
	data++;
	len--;
	for (off = 0; off < len; off += whole.r_used) {
		parse(data + off, len - off, &lim, &whole);
		prefixes(data + off, len - off, &lim, &whole);
		cluster(data + off, len - off, &lim);
		if (whole.r_st != RESP_OK)
			break;
		if (check_tree(whole.r_it, whole.r_n, 0, lim.rl_maxdepth) !=
		    whole.r_n)
			abort();
	}
	encode(data, len);
	return 0;
}
