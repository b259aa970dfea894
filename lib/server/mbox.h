/*
 * mbox.h: mailboxes between the workers of one cometd.
 *
 * Before forking, the parent makes one AF_UNIX SOCK_DGRAM socketpair per
 * worker k: mb_rx[k], read only by worker k, and mb_tx[k], on which every
 * worker sends to k.  The parent keeps both ends, so a restarted worker
 * inherits its mailbox with whatever was queued for it.
 *
 * Records for one destination are appended to a buffer during a loop
 * pass and leave as few datagrams as possible (mbox_flush, from the
 * loop's before-sleep step): up to MBOX_DGRAM bytes and MBOX_MAXFD
 * descriptors each.  A record may carry one descriptor (SCM_RIGHTS), so a
 * connection can move to the worker that owns its Id.
 */
#ifndef COMET_MBOX_H
#define COMET_MBOX_H

#include <stddef.h>
#include <stdint.h>

#define MBOX_MAXFD	253		/* SCM_MAX_FD in Linux */
#define MBOX_DGRAM	65536		/* flush a buffer past this many bytes */
#define MBOX_MAXID	1024		/* longest Id a record carries */
#define MBOX_MAXREC	(MBOX_DGRAM + MBOX_MAXID + 64) /* one record */
#define MBOX_SNDBUF	(4 << 20)	/* wanted send buffer per mailbox */

/* A record header; the Id and the payload follow, padded to 8 bytes. */
struct mbox_rec {
	uint8_t		 mr_type;	/* the router's record types */
	uint8_t		 mr_flags;	/* type-specific */
	uint16_t	 mr_idlen;	/* Id bytes after the header */
	uint32_t	 mr_len;	/* payload bytes after the Id */
	uint32_t	 mr_src;	/* sending worker */
	uint32_t	 mr_hasfd;	/* 1: the record carries a descriptor */
	uint64_t	 mr_tag;	/* sender's tag, echoed in replies */
};

struct mbox_out {
	char		*mo_buf;	/* records not yet sent */
	size_t		 mo_len;	/* bytes in mo_buf */
	size_t		 mo_cap;
	size_t		 mo_off;	/* bytes of mo_buf already sent */
	int		*mo_fd;		/* descriptors of those records, in order */
	size_t		 mo_nfd;
	size_t		 mo_fdcap;
	size_t		 mo_fdoff;	/* descriptors already sent */
};

struct mbox {
	int		 mb_n;		/* workers */
	int		 mb_self;	/* this worker, or -1 in the parent */
	int		*mb_rx;		/* [k]: worker k reads its mail here */
	int		*mb_tx;		/* [k]: anyone sends to worker k here */
	struct mbox_out	*mb_out;	/* [k]: buffered records for k */
	size_t		 mb_backlog;	/* bytes buffered for all workers */
	unsigned long long mb_lostfd;	/* descriptors lost to MSG_CTRUNC */
	unsigned long long mb_dropped;	/* records dropped on send errors */
	char		*mb_rbuf;	/* receive buffer, 2 * MBOX_MAXREC */
};

/*
 * Called with each record received: hdr, the Id, the payload, and the
 * descriptor (mr_hasfd), or -1 when it was lost to MSG_CTRUNC.  The
 * callee owns fd.
 */
typedef void mbox_fn(void *, const struct mbox_rec *, const char *,
    const char *, int);

/*
 * In the parent, before forking: make the n mailboxes.  Returns 0, or -1
 * with errno (from socketpair, or ENOMEM); nothing is left open then.
 */
int	mbox_create(struct mbox *, int);

/*
 * In worker self, after fork: close the other workers' receiving ends and
 * get ready to send.  Returns 0, or -1 with errno ENOMEM.
 */
int	mbox_attach(struct mbox *, int);

/*
 * Append a record for worker dest: hdr (mr_src, mr_idlen, mr_len and
 * mr_hasfd are filled in here), id[0..idlen), payload[0..len).  If fd is
 * not -1 the record carries it and the mailbox owns it from now: it is
 * closed here once sent (or on failure).  A full buffer is flushed at
 * once.  Returns 0, or -1 with errno (EINVAL: too long, ENOMEM).
 */
int	mbox_put(struct mbox *, int, const struct mbox_rec *, const char *,
	    size_t, const void *, size_t, int);

/*
 * Send dest's buffered records.  Returns 0 when all went, 1 when the
 * mailbox is full (wait for EPOLLOUT on mb_tx[dest], then call again).
 * Records the kernel refuses for any other reason are dropped and
 * counted in mb_dropped.
 */
int	mbox_flush(struct mbox *, int);

/*
 * Close this process's mailbox descriptors and free its buffers; records
 * not yet sent are dropped (their descriptors closed).
 */
void	mbox_close(struct mbox *);

/* Nonzero if records wait for dest. */
int	mbox_pending(const struct mbox *, int);

/*
 * Read up to max datagrams from this worker's mailbox, calling fn for
 * each record.  Returns datagrams read (0: nothing waiting), or -1 with
 * errno on a receive error other than EAGAIN.
 */
int	mbox_recv(struct mbox *, int, mbox_fn *, void *);

#endif
