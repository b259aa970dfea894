/*
 * cluster_lua.h: the Lua scripts cometd runs in Redis (cluster.h), each
 * atomic there: no other command runs between its steps.
 *
 * PUBLISH  KEYS stream, channel; ARGV message, keep, slack
 *          XADD the message to the Id's stream (its id is "ms-seq"),
 *          trim the stream back to keep entries once it holds keep +
 *          slack, recording the newest entry trimmed as the stream's
 *          max-deleted-entry-id (XSETID, Redis 7), and PUBLISH
 *          "<id> <message>" on the Id's channel.  Returns {id, PUBLISH's
 *          count}.
 * BCAST    KEYS channel; ARGV message
 *          PUBLISH "<now> <message>", now being the position just before
 *          Redis's clock (ms-1, 2^64-1).  Returns PUBLISH's count.
 * RESUME   KEYS stream, epoch; ARGV "x" or "t", from, keep, budget
 *          What a stream starting now replays: with "x" the messages
 *          after id from, with "t" those since from (ms since 1970); the
 *          newest keep of them, at most budget bytes of messages.
 *          Returns {last, gap, id, message, ...} oldest first: last is
 *          the stream's last id (or now, as for BCAST, if it has none),
 *          gap a history_gap: 1 when messages after from were trimmed
 *          (or are not all replayed), 2 when from is older than this
 *          Redis's epoch, 3 when it is after last.
 * EPOCH    KEYS epoch
 *          SET the epoch key to Redis's clock, in ms, unless it is set.
 */
#ifndef COMET_CLUSTER_LUA_H
#define COMET_CLUSTER_LUA_H

enum { LUA_PUBLISH, LUA_BCAST, LUA_RESUME, LUA_EPOCH, LUA_COUNT };

extern const char *const cluster_lua[LUA_COUNT];

#endif
