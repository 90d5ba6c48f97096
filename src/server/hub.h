/*
 * hub.h: the live stream, GET /api/v1/stream upgraded to WebSocket.
 *
 * A committed change's message is encoded once
 * ({"seq","type","ts","site","data"}) and the same reference-counted bytes
 * are queued on every connection allowed to see its site.  A connection that
 * resumes with ?since=SEQ is first fed from the stream table, page by page,
 * then switched to live messages; a connection whose queue overflows is sent
 * "resync" and closed, so a slow console never makes the server grow.  The
 * protocol is in vigil-protocol(7).
 */
#ifndef VIGIL_HUB_H
#define VIGIL_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "vlimits.h"

struct hub;
struct server;
struct lws;

#define HUB_SUBPROTOCOL      "vigil.v1"
#define HUB_HEARTBEAT_S      STREAM_HEARTBEAT_S        /* a heartbeat to every client this often */
#define HUB_QUEUE_MAX        LIMIT_STREAM_QUEUE_MSGS     /* messages waiting for one client */
#define HUB_QUEUE_BYTES      LIMIT_STREAM_QUEUE_BYTES /* bytes waiting for one client */
#define HUB_CATCHUP_PAGE     2000     /* rows read from the log at a time */
#define HUB_RX_MAX           LIMIT_STREAM_RX_BYTES     /* largest message a client may send */
#define HUB_LOG_KEEP         LIMIT_STREAM_LOG_KEEP  /* stream messages kept for resuming */
#define HUB_CLOSE_GRACE_S    LIMIT_STREAM_CLOSE_S       /* a closing client must take its last words by then */
#define HUB_WRITES_PER_CALLBACK 256   /* messages written per writable callback */
#define HUB_TRIM_EVERY       12       /* heartbeats between trims of the log */
#define HUB_TRIM_ROWS        20000    /* rows trimmed from the log per heartbeat */

struct hub_msg {
	int refs;
	int64_t seq;          /* 0 for control messages (hello, heartbeat, ...) */
	int64_t site_id;
	size_t len;
	unsigned char *buf;   /* LWS_PRE bytes of headroom, then len bytes */
};

/* Encode a change message once from its parts (data is JSON text). */
struct hub_msg *hub_msg_new(int64_t seq, const char *type, int64_t site_id,
    const char *site_key, int64_t ts_ms, const char *data);
/* Drop a reference; frees at zero. */
void hub_msg_unref(struct hub_msg *m);

/* Create the hub and its heartbeat on the server's loop. */
struct hub *hub_new(struct server *srv);
/* Stop the heartbeat and free the hub (connections close with lws). */
void hub_free(struct hub *h);
/* Hand a committed message to every client that may see it; takes the reference. */
void hub_publish(struct hub *h, struct hub_msg *m);

/* The lws protocol callback of the "vigil.v1" subprotocol. */
int hub_callback(struct lws *wsi, int reason, void *user, void *in, size_t len);
/* Size of the per-connection state lws allocates for hub_callback. */
size_t hub_client_size(void);

#endif
