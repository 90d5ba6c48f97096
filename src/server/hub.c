#include "compat.h"

#include <libwebsockets.h>

#include "hub.h"
#include "vtime.h"

/* Encode a message once from its parts (data is JSON text). */
struct hub_msg *
hub_msg_new(int64_t seq, const char *type, int64_t site_id, int64_t ts_ms,
    const char *data)
{
	struct hub_msg *m = xcalloc(1, sizeof *m);
	char ts[VTIME_ISO_LEN];
	int n;

	vtime_format(ts_ms, ts, sizeof ts);
	m->refs = 1;
	m->seq = seq;
	m->site_id = site_id;
	snprintf(m->type, sizeof m->type, "%s", type);
	n = snprintf(NULL, 0, "{\"seq\":%" PRId64 ",\"type\":\"%s\",\"ts\":\"%s\",\"data\":%s}",
	    seq, m->type, ts, data);
	m->buf = xmalloc(LWS_PRE + (size_t)n + 1);
	snprintf((char *)m->buf + LWS_PRE, (size_t)n + 1,
	    "{\"seq\":%" PRId64 ",\"type\":\"%s\",\"ts\":\"%s\",\"data\":%s}",
	    seq, m->type, ts, data);
	m->len = (size_t)n;
	return m;
}

/* Drop a reference; frees at zero. */
void
hub_msg_unref(struct hub_msg *m)
{
	if (m == NULL || --m->refs > 0)
		return;
	free(m->buf);
	free(m);
}

/* Hand a committed message to every subscriber that may see it; takes the reference. */
void
hub_publish(struct hub *h, struct hub_msg *m)
{
	(void)h;
	hub_msg_unref(m);
}
