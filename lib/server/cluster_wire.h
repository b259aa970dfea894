/*
 * cluster_wire.h: what cometd nodes keep and say in Redis (cluster.h
 * says why), by name and shape:
 *
 *   comet:h:<Id>  a stream (XADD) of the Id's messages: ids "ms-seq",
 *                 one field "d", the message; trimmed to about -k
 *   comet:m:<Id>  a channel: "<id> <message>" for each message published
 *   comet:b       the broadcast channel: "<position> <message>"
 *   comet:epoch   when this Redis first served cometd, in ms: an id older
 *                 than that is from a Redis that has lost its data since
 *
 * and the replies of the scripts (cluster_lua.h) as C sees them.  The
 * parsers read resp_parse's items and point into them; they allocate
 * nothing and fail on any other shape.
 */
#ifndef COMET_CLUSTER_WIRE_H
#define COMET_CLUSTER_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "msgid.h"
#include "resp.h"

#define CLUSTER_KEY	"comet:h:"	/* + Id: the Id's stream */
#define CLUSTER_CHAN	"comet:m:"	/* + Id: the Id's channel */
#define CLUSTER_ALL	"comet:b"	/* the broadcast channel */
#define CLUSTER_EPOCH	"comet:epoch"
#define CLUSTER_NAME_MAX (8 + 255)	/* a prefix and the longest Id */

/* A message pushed on one of our channels. */
struct cluster_msg {
	const char	*cm_id;		/* the Id; NULL for a broadcast */
	size_t		 cm_idlen;
	struct msgid	 cm_mid;	/* its id; a broadcast's position */
	const char	*cm_data;	/* the message */
	size_t		 cm_len;
};

/* What a stream's start found in Redis (the resume script's reply). */
struct cluster_found {
	enum history_gap cf_gap;	/* were messages after the id lost */
	struct msgid	 cf_pos;	/* the Id's last id, or now if none */
	uint32_t	 cf_n;		/* messages to replay, oldest first */
	const struct resp_item *cf_items; /* their id and body, 2 items each */
};

/*
 * Write prefix and id[0..len) into buf (CLUSTER_NAME_MAX bytes, not
 * terminated).  Returns the length; an Id over 255 bytes is cut (cometd
 * refuses those with 414 before they come here).
 */
size_t	cluster_wire_name(char *, const char *, const char *, size_t);

/*
 * A push, items it[0..n): fill *m if it is a message on "comet:m:<Id>"
 * or "comet:b" whose payload starts with an id and a space.  Returns 0,
 * or -1 for anything else.
 */
int	cluster_wire_push(const struct resp_item *, size_t,
	    struct cluster_msg *);

/*
 * The resume script's reply it[0..n): [pos, gap, id, body, id, body...]
 * into *f.  Returns 0, or -1 for another shape (an error reply).
 */
int	cluster_wire_found(const struct resp_item *, size_t,
	    struct cluster_found *);

/*
 * The publish script's reply [id, subscribers] or the broadcast script's
 * subscribers: PUBLISH's count goes to *count.  Returns 0, or -1 for
 * another shape (an error reply).
 */
int	cluster_wire_published(const struct resp_item *, size_t,
	    long long *);

/*
 * fn(arg, blob) for each message of f, oldest first: a blob with its id,
 * dropped after the call (fn takes a reference to keep it).  A message
 * for which memory runs out is skipped.
 */
void	cluster_wire_each(const struct cluster_found *, history_fn *, void *);

#endif
