/* ep_stats.h: GET /stats, the counters summed over every worker. */
#ifndef COMET_EP_STATS_H
#define COMET_EP_STATS_H

#include "urls.h"

struct server;

/* GET or HEAD /stats (url_fn). */
int	ep_stats_get(struct server *, int, struct url_req *);

#endif
