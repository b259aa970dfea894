/*
 * ep_stats.c: /stats, one "name value" line per counter (stats.h), for
 * people and for awk.
 */
#include "ep_stats.h"
#include "respond.h"
#include "server.h"
#include "stats.h"

int
ep_stats_get(struct server *s, int fd, struct url_req *u)
{
	/* the second half of the scratch: respond() formats in the first */
	char *b = s->s_scratch + SCRATCH_SIZE / 2;
	size_t n;

	n = stats_format(s->s_conf->sc_stats, b, SCRATCH_SIZE / 4);
	return respond(s, fd, 200, NULL, b, n, u->ur_flags);
}
