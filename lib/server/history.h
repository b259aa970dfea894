/*
 * history.h: the messages an owner worker keeps per Id, so that a
 * subscriber that reconnects gets what it missed.  Every message
 * published to an Id gets its id here (msgid.h), and the most recent
 * ones are kept: at most a count per Id, and at most a byte total over
 * all Ids (the oldest message of all goes first).  The bodies are the
 * blobs the streams are written from, shared, never copied.
 *
 * What was dropped is remembered: per Id the newest id it lost, and,
 * for Ids whose every message went, one worker-wide mark.  So a resume
 * from an id older than the history holds is always reported as a loss
 * (possibly a loss that did not happen, after a whole Id was dropped),
 * never a silent gap.
 */
#ifndef COMET_HISTORY_H
#define COMET_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "msgid.h"

struct hrec;
struct hent;

struct history {
	struct hrec	**hy_tab;	/* Id records, chained by hash */
	uint32_t	 hy_mask;	/* buckets - 1 */
	uint32_t	 hy_ids;	/* records in the table */
	uint64_t	 hy_epoch;	/* the A of every id given here */
	uint64_t	 hy_seq;	/* the B of the last id given */
	uint64_t	 hy_floor;	/* newest seq lost with a whole record */
	uint32_t	 hy_perid;	/* messages kept per Id; 0: none */
	size_t		 hy_max;	/* bytes kept over all Ids */
	size_t		 hy_bytes;	/* bytes kept now, records included */
	uint64_t	 hy_msgs;	/* messages kept now */
	uint64_t	 hy_evicted;	/* messages dropped, ever */
	struct hent	*hy_old;	/* oldest kept message of all */
	struct hent	*hy_new;	/* newest */
};

/* What a resume finds: the messages after an id, and whether any are gone. */
enum history_gap {
	HISTORY_WHOLE,		/* nothing after the id was dropped */
	HISTORY_EVICTED,	/* some messages after it were dropped */
	HISTORY_RESET,		/* the id is from an earlier epoch */
	HISTORY_UNKNOWN		/* the id is from the future */
};

/* Called for each message of a resume, oldest first. */
typedef void history_fn(void *, struct blob *);

/*
 * Start an empty history giving ids "epoch-N", keeping perid messages per
 * Id and max bytes in all.  Returns 0, or -1 with errno ENOMEM.
 */
int	history_init(struct history *, uint64_t, uint32_t, size_t);

/* Drop every message and record; the history is empty and unusable. */
void	history_free(struct history *);

/*
 * Give msg[0..len), published to id at now (ms, CLOCK_MONOTONIC), its
 * message id and keep it.  Returns the blob with one reference for the
 * caller (the history holds its own), or NULL with errno ENOMEM.
 */
struct blob	*history_add(struct history *, const char *, size_t,
		    const char *, size_t, uint64_t);

/*
 * Call fn for each message of id kept after position after, oldest
 * first, and say whether messages after it were lost.  The first
 * message's id goes to *first when there is one (else *first is left).
 */
enum history_gap history_since(struct history *, const char *, size_t,
		    const struct msgid *, history_fn *, void *,
		    struct msgid *);

/*
 * Call fn for each message of id published at or after t (ms, as for
 * history_add), oldest first.  Returns how many.
 */
uint32_t	 history_after_time(struct history *, const char *, size_t,
		    uint64_t, history_fn *, void *);

/* The position now: "epoch-seq" of the last id given. */
struct msgid	 history_now(const struct history *);

/* A name for a gap, as the "lost" event's reason: "evicted", ... */
const char	*history_gap_name(enum history_gap);

#endif
