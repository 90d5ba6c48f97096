/*
 * hub.h: fan-out of committed stream messages to connected consoles.
 *
 * A message is encoded once ({"seq","type","ts","data"}) and the same bytes,
 * reference-counted, are queued on every connection allowed to see its site.
 */
#ifndef VIGIL_HUB_H
#define VIGIL_HUB_H

#include <stddef.h>
#include <stdint.h>

struct hub;
struct server;

struct hub_msg {
	int refs;
	int64_t seq;
	int64_t site_id;
	char type[48];
	size_t len;
	unsigned char *buf;   /* LWS_PRE bytes of headroom, then len bytes */
};

/* Encode a message once from its parts (data is JSON text). */
struct hub_msg *hub_msg_new(int64_t seq, const char *type, int64_t site_id,
    int64_t ts_ms, const char *data);
/* Drop a reference; frees at zero. */
void hub_msg_unref(struct hub_msg *m);
/* Hand a committed message to every subscriber that may see it; takes the reference. */
void hub_publish(struct hub *h, struct hub_msg *m);

#endif
