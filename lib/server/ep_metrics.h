/*
 * ep_metrics.h: GET /metrics, the counters of /stats and a few more in
 * the Prometheus text exposition format (version 0.0.4): every counter
 * with HELP and TYPE, one sample per worker (label worker), streams by
 * transport (label transport), the history, the queues, and a histogram
 * of the time from a message's publication to its write.
 */
#ifndef COMET_EP_METRICS_H
#define COMET_EP_METRICS_H

#include "urls.h"

struct server;

/* GET or HEAD /metrics (url_fn). */
int	ep_metrics_get(struct server *, int, struct url_req *);

#endif
