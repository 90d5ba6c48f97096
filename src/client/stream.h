/*
 * stream.h: the live stream of changes from vigild (a WebSocket client).
 *
 * The stream connects to GET /api/v1/stream?since=SEQ on the caller's
 * libuv loop (subprotocol "vigil.v1", the token in the Authorization
 * header), hands every change message to its owner once and in seq order,
 * and reconnects by itself after any failure, with exponential backoff and
 * jitter (backoff.h), resuming after the last seq it handed over.
 *
 * Order is checked here: without a site scope every seq must be the last
 * one plus 1, with one (a manager's stream has holes) every seq must be
 * greater.  A missing seq, the server's "resync" message, an unreadable
 * message or a server whose log ends before our seq all end the same way:
 * the connection is closed and ops->resync is called with a resync message
 * (the server's, or one made up in the same shape:
 * {"type":"resync","ts":..,"data":{"reason":..,"head":N}}).  The owner then
 * refetches its snapshots and calls stream_follow with the snapshot's seq;
 * until then the stream waits.
 *
 * The feed is LIVE while messages or heartbeats arrive, STALE when nothing
 * was heard for STREAM_STALE_HEARTBEATS heartbeat periods (the connection
 * is dropped and made again after STREAM_DEAD_HEARTBEATS), DISCONNECTED
 * with no connection.  A refused token (the server's "error" message with
 * code "unauthorized" or "forbidden", or HTTP 401/403 to the upgrade) stops
 * the stream for good: ops->refused is called and nothing is retried.
 *
 * Callbacks run on the loop.  From inside one the owner may call
 * stream_follow, but not stream_close or stream_free.
 */
#ifndef VIGIL_STREAM_H
#define VIGIL_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

struct stream;

enum stream_state {
	STREAM_DISCONNECTED,  /* no connection (or not greeted yet) */
	STREAM_STALE,         /* connected, but silent too long */
	STREAM_LIVE,          /* connected and hearing from the server */
};

/* What the server's "hello" said. */
struct stream_hello {
	int64_t head;         /* the newest seq in the server's log */
	int64_t since;        /* where this connection starts */
	const char *user;     /* who the token belongs to */
	bool scoped;          /* messages are filtered by site */
	int heartbeat_s;      /* the heartbeat period */
};

/* What the owner is told; any member may be NULL. */
struct stream_ops {
	/* Connected and greeted. */
	void (*hello)(void *arg, const struct stream_hello *hello);
	/* Caught up with the log: from now on messages come as they happen. */
	void (*live)(void *arg, int64_t seq);
	/*
	 * A change message, in order and once: the parsed message (borrowed)
	 * and its text exactly as received (len bytes, NUL-terminated).
	 */
	void (*message)(void *arg, json_t *msg, const char *text, size_t len);
	/*
	 * The stream cannot go on from its seq: refetch the snapshots and call
	 * stream_follow with their seq.  msg and text as for message.
	 */
	void (*resync)(void *arg, json_t *msg, const char *text, size_t len);
	/* The feed state changed. */
	void (*state)(void *arg, enum stream_state state);
	/* A connection failed or was lost (why); the next try is in delay_ms. */
	void (*retrying)(void *arg, uint64_t delay_ms, const char *why);
	/* The token (or its user) was refused; the stream has stopped for good. */
	void (*refused)(void *arg, const char *message);
};

/*
 * Set up a stream from the server at url ("http://host:port", https for a
 * TLS connection; ws and wss are taken too) on loop, with token.  Nothing
 * connects before stream_follow.  NULL with *cause when the URL is not
 * usable or libwebsockets cannot start.
 */
struct stream *stream_new(uv_loop_t *loop, const char *url, const char *token,
    const struct stream_ops *ops, void *arg, char **cause);
/*
 * Close the connection and stop for good: no callback is called after
 * this.  Handles close asynchronously: let the loop run until it has
 * nothing left to do, then call stream_free.  Not from inside a callback.
 */
void stream_close(struct stream *s);
/*
 * Free a stream closed with stream_close, after the loop has run out of
 * work (libwebsockets completes its destruction only then), before
 * uv_loop_close.
 */
void stream_free(struct stream *s);
/*
 * (Re)connect and hand over the messages after seq since; since < 0 starts
 * at the server's head (only new messages).  Any current connection is
 * dropped first.  Used to start, and after a resync.
 */
void stream_follow(struct stream *s, int64_t since);
/* The feed state now. */
enum stream_state stream_state(const struct stream *s);
/* Wall-clock time (ms) of the last message heard, 0 when none yet. */
int64_t stream_last_ms(const struct stream *s);
/* The seq of the last change handed over (or where the stream starts), -1 if unknown. */
int64_t stream_seq(const struct stream *s);
/* True once the server said "live" on this connection. */
bool stream_caught_up(const struct stream *s);
/* The newest seq the server has mentioned (hello, heartbeat, live). */
int64_t stream_head(const struct stream *s);
/* Why the last connection ended or failed, or NULL (for status lines). */
const char *stream_last_error(const struct stream *s);
/* The name of a feed state: "LIVE", "STALE", "DISCONNECTED". */
const char *stream_state_name(enum stream_state state);

#endif
