/*
 * cluster.c: a worker's part in a cluster of cometd nodes (cluster.h).
 *
 * Costs, per design choice:
 * - A channel per Id, subscribed by the one worker per node that owns the
 *   Id and holds a stream of it: a node receives no message it does not
 *   need, and Redis keeps one channel entry per subscribed Id and worker
 *   link (measured in cometd(1), CLUSTER).  A broadcast goes to every
 *   worker that holds a stream.
 * - A publish is one script call; its PUBLISH count is the number of
 *   subscribed worker links, not of connections, which only their
 *   workers know.
 * - A stream start is one script call, after a SUBSCRIBE for the first
 *   stream of an Id on the worker.  A held stream costs a struct cwait
 *   (about 100 bytes) until its answer; an idle stream costs nothing
 *   here but 16 bytes of cx_pos, touched only for fds that streamed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "cluster_lua.h"
#include "cluster_wire.h"
#include "conn.h"
#include "deliver.h"
#include "log.h"
#include "redis.h"
#include "server.h"
#include "sha1.h"
#include "stats.h"
#include "uidx.h"

_Static_assert(sizeof(uintptr_t) >= sizeof(uint64_t),
    "publish tags travel as callback contexts");

/* A held stream, from its start until Redis answers where it begins. */
struct cwait {
	struct cwait	*cw_next;	/* on cx_redo */
	int		 cw_fd;
	uint32_t	 cw_gen;	/* the stream's c_n while held */
	int		 cw_has;	/* resume after cw_last, else since cw_wall */
	struct msgid	 cw_last;
	uint64_t	 cw_wall;	/* ms since 1970 */
	size_t		 cw_len;
	char		 cw_data[];	/* the endpoint's, for co_start */
};

struct cluster {
	struct redis	 cx_rd;		/* the link */
	struct server	*cx_s;
	const struct cluster_ops *cx_ops;
	uint32_t	 cx_gen;	/* the last generation given out */
	struct cwait	*cx_redo;	/* held streams that ask once up */
	uint32_t	 cx_nredo;
	uint32_t	 cx_prune;	/* cx_nredo at which to drop stale ones */
	struct msgid	*cx_pos;	/* by fd: where each stream began */
	char		 cx_sha[LUA_COUNT][2 * SHA1_LEN + 1];
	char		 cx_keep[24];	/* -k, as text */
	char		 cx_slack[24];	/* trim a stream at keep + this */
	char		 cx_budget[24];	/* bytes one start replays */
};

static void	cluster_answered(void *, void *, const struct resp_item *,
		    size_t);

/* 1 if cw's stream is still there and still held, else 0. */
static int
cluster_held(struct server *s, const struct cwait *cw)
{
	const struct conn *c = conn_get(s, cw->cw_fd);

	return c->c_state == CS_STREAM && (c->c_flags & CF_WAIT) &&
	    c->c_n == cw->cw_gen;
}

/* (UN)SUBSCRIBE prefix + id on the link; answered by a push. */
static void
cluster_sub(struct cluster *cx, const char *cmd, const char *prefix,
    const char *id, size_t len)
{
	char name[CLUSTER_NAME_MAX];
	const char *argv[2] = { cmd, name };
	size_t lens[2] = { strlen(cmd), 0 };

	lens[1] = cluster_wire_name(name, prefix, id, len);
	(void)redis_command(&cx->cx_rd, 2, argv, lens, 1, NULL, NULL);
}

/* The last stream of an Id here left (uidx_gone_fn). */
static void
cluster_gone(void *arg, const char *id, size_t len)
{
	struct server *s = arg;
	struct cluster *cx = s->s_cluster;

	if (!redis_up(&cx->cx_rd))
		return;
	cluster_sub(cx, "UNSUBSCRIBE", CLUSTER_CHAN, id, len);
	if (s->s_ux.ux_conns == 0)
		cluster_sub(cx, "UNSUBSCRIBE", CLUSTER_ALL, "", 0);
}

/* A SCRIPT LOAD's answer: the digest must be the one computed here. */
static void
cluster_loaded(void *arg, void *ctx, const struct resp_item *it, size_t n)
{
	const char *sha = ctx;

	(void)arg;
	if (it != NULL && (n != 1 || !redis_is(it, sha)))
		log_warnx("redis: a script loaded as %.*s, not %s",
		    (int)(it->ri_len > 64 ? 64 : it->ri_len), it->ri_str, sha);
}

/* Load every script, and set the epoch if this Redis has none yet. */
static void
cluster_load(struct cluster *cx)
{
	const char *argv[4] = { "SCRIPT", "LOAD", NULL, NULL };
	int i;

	for (i = 0; i < LUA_COUNT; i++) {
		argv[2] = cluster_lua[i];
		(void)redis_command(&cx->cx_rd, 3, argv, NULL, 0,
		    cluster_loaded, cx->cx_sha[i]);
	}
	argv[0] = "EVALSHA";
	argv[1] = cx->cx_sha[LUA_EPOCH];
	argv[2] = "1";
	argv[3] = CLUSTER_EPOCH;
	(void)redis_command(&cx->cx_rd, 4, argv, NULL, 0, NULL, NULL);
}

/* An error reply that says Redis lost our scripts: load them again. */
static void
cluster_noscript(struct cluster *cx, const struct resp_item *it)
{
	if (it->ri_type == RESP_ERROR && it->ri_len >= 8 &&
	    memcmp(it->ri_str, "NOSCRIPT", 8) == 0)
		cluster_load(cx);
}

/* Ask Redis where held stream cw begins.  Returns 0, or -1 with errno. */
static int
cluster_ask(struct cluster *cx, struct cwait *cw)
{
	const struct conn *c = conn_get(cx->cx_s, cw->cw_fd);
	char key[CLUSTER_NAME_MAX], from[MSGID_MAX + 1];
	const char *argv[9] = { "EVALSHA", cx->cx_sha[LUA_RESUME], "2", key,
	    CLUSTER_EPOCH, cw->cw_has ? "x" : "t", from, cx->cx_keep,
	    cx->cx_budget };
	size_t lens[9];
	int i;

	if (cw->cw_has)
		msgid_format(from, &cw->cw_last);
	else
		snprintf(from, sizeof(from), "%llu",
		    (unsigned long long)cw->cw_wall);
	for (i = 0; i < 9; i++)
		lens[i] = i == 3 ? cluster_wire_name(key, CLUSTER_KEY,
		    conn_id(c), c->c_idlen) : strlen(argv[i]);
	return redis_command(&cx->cx_rd, 9, argv, lens, 0, cluster_answered,
	    cw);
}

/* Keep cw to ask once the link is up; stale ones go now and then. */
static void
cluster_redo(struct cluster *cx, struct cwait *cw)
{
	struct cwait **p;

	cw->cw_next = cx->cx_redo;
	cx->cx_redo = cw;
	if (++cx->cx_nredo < cx->cx_prune)
		return;
	for (p = &cx->cx_redo; (cw = *p) != NULL; ) {
		if (cluster_held(cx->cx_s, cw)) {
			p = &cw->cw_next;
			continue;
		}
		*p = cw->cw_next;
		free(cw);
		cx->cx_nredo--;
	}
	cx->cx_prune = cx->cx_nredo * 2 + 64;
}

/* Stream fd begins from f: no longer held, its position noted. */
static void
cluster_begin(struct cluster *cx, int fd, const void *data, size_t len,
    const struct cluster_found *f)
{
	struct conn *c = conn_get(cx->cx_s, fd);

	c->c_flags &= ~CF_WAIT;
	c->c_n = 0;
	cx->cx_pos[fd] = f->cf_pos;
	cx->cx_ops->co_start(cx->cx_s, fd, data, len, f);
}

/* The resume script's answer for held stream ctx. */
static void
cluster_answered(void *arg, void *ctx, const struct resp_item *it, size_t n)
{
	struct cluster *cx = arg;
	struct cwait *cw = ctx;
	struct cluster_found f;

	if (it == NULL && cluster_held(cx->cx_s, cw)) {
		cluster_redo(cx, cw);	/* the link went down: ask again */
		return;
	}
	if (it != NULL && cluster_held(cx->cx_s, cw)) {
		if (cluster_wire_found(it, n, &f) == 0)
			cluster_begin(cx, cw->cw_fd, cw->cw_data, cw->cw_len,
			    &f);
		else {
			cluster_noscript(cx, it);
			conn_close(cx->cx_s, cw->cw_fd, -1);
		}
	}
	free(cw);
}

/* Subscribe every Id with a stream here, once each, and the broadcasts. */
static void
cluster_resubscribe(struct cluster *cx)
{
	struct server *s = cx->cx_s;
	uint32_t fd, left = s->s_ux.ux_conns;
	struct conn *c;

	for (fd = 0; fd < s->s_nconns && left > 0; fd++) {
		if (!uidx_member(&s->s_ux, (int)fd))
			continue;
		left--;
		c = conn_get(s, fd);
		/* one SUBSCRIBE per Id: from the head of its list */
		if (uidx_first(&s->s_ux, conn_id(c), c->c_idlen) == (int)fd)
			cluster_sub(cx, "SUBSCRIBE", CLUSTER_CHAN, conn_id(c),
			    c->c_idlen);
	}
	if (s->s_ux.ux_conns > 0)
		cluster_sub(cx, "SUBSCRIBE", CLUSTER_ALL, "", 0);
}

/* The link is up: scripts, then every Id held here, then the held. */
static void
cluster_up(void *arg)
{
	struct cluster *cx = arg;
	struct server *s = cx->cx_s;
	struct cwait *cw, *next;

	stats_set(s->s_st, STAT_REDIS_UP, 1);
	if (cx->cx_rd.rx_ups > 1)
		stats_add(s->s_st, STAT_REDIS_RECONNECTS, 1);
	cluster_load(cx);
	cluster_resubscribe(cx);
	cw = cx->cx_redo;
	cx->cx_redo = NULL;
	cx->cx_nredo = 0;
	for (; cw != NULL; cw = next) {
		next = cw->cw_next;
		if (!cluster_held(s, cw))
			free(cw);
		else if (cluster_ask(cx, cw) == -1) {
			conn_close(s, cw->cw_fd, -1);
			free(cw);
		}
	}
}

static void
cluster_down(void *arg)
{
	struct cluster *cx = arg;

	stats_set(cx->cx_s->s_st, STAT_REDIS_UP, 0);
}

/* A message on one of our channels: to the streams here. */
static void
cluster_push(void *arg, const struct resp_item *it, size_t n)
{
	struct cluster *cx = arg;
	struct server *s = cx->cx_s;
	struct cluster_msg m;

	if (cluster_wire_push(it, n, &m) == -1)
		return;
	stats_add(s->s_st, STAT_REDIS_IN, 1);
	if (m.cm_id != NULL)
		(void)deliver_kept(s, m.cm_id, m.cm_idlen, &m.cm_mid,
		    m.cm_data, m.cm_len);
	else
		(void)deliver_to_all_at(s, m.cm_data, m.cm_len, &m.cm_mid);
}

static const struct redis_ops cluster_redis_ops = {
	.rxo_up = cluster_up,
	.rxo_down = cluster_down,
	.rxo_push = cluster_push,
};

/* Hex SHA-1 digests of the scripts: the names EVALSHA calls them by. */
static void
cluster_digests(struct cluster *cx)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t d[SHA1_LEN];
	int i, k;

	for (i = 0; i < LUA_COUNT; i++) {
		sha1(cluster_lua[i], strlen(cluster_lua[i]), d);
		for (k = 0; k < SHA1_LEN; k++) {
			cx->cx_sha[i][2 * k] = hex[d[k] >> 4];
			cx->cx_sha[i][2 * k + 1] = hex[d[k] & 15];
		}
		cx->cx_sha[i][2 * SHA1_LEN] = '\0';
	}
}

int
cluster_init(struct server *s, const struct cluster_ops *ops)
{
	const struct server_conf *sc = s->s_conf;
	struct cluster *cx;
	uint32_t keep = sc->sc_keep;

	if (sc->sc_redis == NULL)
		return 0;
	if ((cx = calloc(1, sizeof(*cx))) == NULL ||
	    (cx->cx_pos = calloc(s->s_nconns, sizeof(*cx->cx_pos))) == NULL) {
		free(cx);
		return -1;
	}
	cx->cx_s = s;
	cx->cx_ops = ops;
	cx->cx_prune = 64;
	cluster_digests(cx);
	/* trim in steps: a quarter of keep, at most 100 entries at a time */
	snprintf(cx->cx_keep, sizeof(cx->cx_keep), "%u", keep);
	snprintf(cx->cx_slack, sizeof(cx->cx_slack), "%u",
	    keep / 4 > 99 ? 100 : keep / 4 + 1);
	snprintf(cx->cx_budget, sizeof(cx->cx_budget), "%zu",
	    sc->sc_keepbytes < CLUSTER_REPLAY_MAX ? sc->sc_keepbytes :
	    (size_t)CLUSTER_REPLAY_MAX);
	s->s_cluster = cx;
	uidx_on_gone(&s->s_ux, cluster_gone, s);
	stats_set(s->s_st, STAT_REDIS_UP, 0);
	return redis_init(&cx->cx_rd, &s->s_loop,
	    (const struct sockaddr *)&sc->sc_redis_sa, sc->sc_redis_len,
	    sc->sc_redis, s->s_idx, &cluster_redis_ops, cx);
}

/*
 * Fresh stream fd while the link is down: it begins now, at the position
 * just before this machine's clock (Redis's ids are its clock's ms).
 */
static void
cluster_now(struct cluster *cx, int fd, const void *data, size_t len)
{
	struct cluster_found f;
	struct msgid t = { loop_wall_ms(), 0 };

	memset(&f, 0, sizeof(f));
	f.cf_gap = HISTORY_WHOLE;
	f.cf_pos = msgid_prev(&t);
	cluster_begin(cx, fd, data, len, &f);
}

/* Log fd in, held, and subscribe its Id if it is the first here. */
static int
cluster_hold(struct cluster *cx, int fd, struct cwait *cw)
{
	struct server *s = cx->cx_s;
	struct conn *c = conn_get(s, fd);
	int first, any = s->s_ux.ux_conns > 0;

	first = uidx_first(&s->s_ux, conn_id(c), c->c_idlen) == -1;
	if (deliver_login(s, fd) == -1)
		return -1;
	if (++cx->cx_gen == 0)
		cx->cx_gen++;
	c->c_flags |= CF_WAIT;
	c->c_n = cw->cw_gen = cx->cx_gen;
	conn_list(s, fd, CL_REQ, s->s_conf->sc_timeout);
	if (redis_up(&cx->cx_rd) && first)
		cluster_sub(cx, "SUBSCRIBE", CLUSTER_CHAN, conn_id(c),
		    c->c_idlen);
	if (redis_up(&cx->cx_rd) && !any)
		cluster_sub(cx, "SUBSCRIBE", CLUSTER_ALL, "", 0);
	return 0;
}

int
cluster_start(struct server *s, int fd, const struct msgid *last,
    uint64_t wall, const void *data, size_t len)
{
	struct cluster *cx = s->s_cluster;
	struct cwait *cw;

	if ((cw = calloc(1, sizeof(*cw) + len)) == NULL ||
	    cluster_hold(cx, fd, cw) == -1) {
		free(cw);
		conn_close(s, fd, -1);
		return -1;
	}
	cw->cw_fd = fd;
	cw->cw_has = last != NULL;
	if (last != NULL)
		cw->cw_last = *last;
	cw->cw_wall = wall;
	cw->cw_len = len;
	memcpy(cw->cw_data, data, len);
	if (redis_up(&cx->cx_rd) && cluster_ask(cx, cw) == -1) {
		free(cw);
		conn_close(s, fd, -1);
		return -1;
	}
	if (!redis_up(&cx->cx_rd) && last == NULL) {
		cluster_now(cx, fd, data, len);
		free(cw);
	} else if (!redis_up(&cx->cx_rd))
		cluster_redo(cx, cw);
	return conn_get(s, fd)->c_state == CS_FREE ? -1 : 0;
}

/* A publish or broadcast answer: to the request tag (ctx). */
static void
cluster_published(void *arg, void *ctx, const struct resp_item *it,
    size_t n)
{
	struct cluster *cx = arg;
	struct relay_reply rp;
	long long count;

	memset(&rp, 0, sizeof(rp));
	rp.rr_records = 1;
	if (it == NULL || cluster_wire_published(it, n, &count) == -1) {
		if (it != NULL)
			cluster_noscript(cx, it);
		rp.rr_lost = 1;
		stats_add(cx->cx_s->s_st, STAT_REDIS_LOST, 1);
	} else {
		rp.rr_reached = count > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)count;
		rp.rr_nosub = count == 0;
	}
	cx->cx_ops->co_replied(cx->cx_s, (uint64_t)(uintptr_t)ctx, &rp);
}

/* Run script i with its keys and arguments for request tag. */
static int
cluster_eval(struct server *s, uint64_t tag, int argc, const char **argv,
    size_t *lens)
{
	struct cluster *cx = s->s_cluster;

	if (redis_command(&cx->cx_rd, argc, argv, lens, 0, cluster_published,
	    (void *)(uintptr_t)tag) == -1) {
		stats_add(s->s_st, STAT_REDIS_LOST, 1);
		return RELAY_DOWN;
	}
	stats_add(s->s_st, STAT_REDIS_OUT, 1);
	return 1;
}

int
cluster_publish(struct server *s, uint64_t tag, const char *id,
    size_t idlen, const char *msg, size_t len)
{
	struct cluster *cx = s->s_cluster;
	char key[CLUSTER_NAME_MAX], chan[CLUSTER_NAME_MAX];
	const char *argv[8] = { "EVALSHA", cx->cx_sha[LUA_PUBLISH], "2", key,
	    chan, msg, cx->cx_keep, cx->cx_slack };
	size_t lens[8] = { 7, 2 * SHA1_LEN, 1, 0, 0, len, 0, 0 };

	lens[3] = cluster_wire_name(key, CLUSTER_KEY, id, idlen);
	lens[4] = cluster_wire_name(chan, CLUSTER_CHAN, id, idlen);
	lens[6] = strlen(cx->cx_keep);
	lens[7] = strlen(cx->cx_slack);
	return cluster_eval(s, tag, 8, argv, lens);
}

int
cluster_broadcast(struct server *s, uint64_t tag, const char *msg,
    size_t len)
{
	struct cluster *cx = s->s_cluster;
	const char *argv[5] = { "EVALSHA", cx->cx_sha[LUA_BCAST], "1",
	    CLUSTER_ALL, msg };
	size_t lens[5] = { 7, 2 * SHA1_LEN, 1, sizeof(CLUSTER_ALL) - 1, len };

	return cluster_eval(s, tag, 5, argv, lens);
}

struct msgid
cluster_pos(const struct server *s, int fd)
{
	return s->s_cluster->cx_pos[fd];
}

void
cluster_tick(struct server *s)
{
	if (s->s_cluster != NULL)
		redis_flush(&s->s_cluster->cx_rd);
}
