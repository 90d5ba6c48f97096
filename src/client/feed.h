/*
 * feed.h: a replica kept live: snapshots, then the stream, and again after
 * every resync.  This is what the console shows.
 *
 * feed_start loads the snapshots (GET /api/v1/sites, /sites/KEY/points,
 * /guards, then /alarms?state=open page by page) into a fresh replica,
 * then follows the stream from the snapshot's seq, applying each change in
 * order.  A resync from the stream, or a change the replica cannot apply,
 * reloads the snapshots and follows again from their seq; a failed load is
 * tried again with backoff.  The owner reads the replica (never changes it)
 * and is told when it changed and when the feed's state did.
 *
 *	struct feed *f = feed_new(loop, rest, url, token, &ops, ctx, &cause);
 *	feed_start(f);
 *	...  ops->changed: redraw from feed_replica(f)
 *	feed_close(f);  run the loop dry;  feed_free(f);
 */
#ifndef VIGIL_FEED_H
#define VIGIL_FEED_H

#include <stdbool.h>

#include <uv.h>

#include "replica.h"
#include "rest.h"
#include "stream.h"

struct feed;

/* What the owner is told; any member may be NULL. */
struct feed_ops {
	/*
	 * The replica changed: replica->changed says what (the owner clears
	 * it once drawn).  Also called when a snapshot was loaded.
	 */
	void (*changed)(void *arg, struct replica *r);
	/* The stream's state changed (LIVE, STALE, DISCONNECTED). */
	void (*state)(void *arg, enum stream_state state);
	/* A snapshot could not be loaded (why); it is tried again. */
	void (*error)(void *arg, const char *why);
	/* The token was refused: the feed has stopped for good. */
	void (*refused)(void *arg, const char *why);
};

/*
 * Set up a feed from the server at url with token, making its calls with
 * rest (which must outlive it) on loop.  NULL with *cause.
 */
struct feed *feed_new(uv_loop_t *loop, struct rest *rest, const char *url,
    const char *token, const struct feed_ops *ops, void *arg, char **cause);
/* Load the snapshots and follow the stream. */
void feed_start(struct feed *f);
/* Stop for good: pending calls are cancelled, the stream closes. */
void feed_close(struct feed *f);
/* Free a closed feed once the loop has run out of work (see stream_free). */
void feed_free(struct feed *f);
/* The replica (read only). */
struct replica *feed_replica(struct feed *f);
/* The stream, for its state and the time of its last message (read only). */
struct stream *feed_stream(struct feed *f);
/* True while snapshots are being loaded (the replica is not current). */
bool feed_loading(const struct feed *f);
/* How many times the snapshots were loaded (1 after the first load). */
unsigned feed_loads(const struct feed *f);

#endif
