#include "compat.h"

#include <libwebsockets.h>
#include <uv.h>

#include "auth.h"
#include "hub.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "streamlog.h"
#include "vtime.h"

enum hub_state {
	HUB_CATCHUP,   /* fed from the stream table up to the head */
	HUB_LIVE,      /* fed by hub_publish */
	HUB_CLOSING,   /* sending what is queued, then closing */
};

/* One stream connection; lws allocates it zeroed as per-session data. */
struct hub_client {
	struct lws *wsi;
	struct hub_client *next, *prev;
	struct principal who;
	char authorization[AUTH_TOKEN_HEX_LEN + 16];
	enum hub_state state;
	int64_t last_seq;         /* the last change queued for this client */
	struct hub_msg **q;       /* ring of HUB_QUEUE_MAX */
	size_t qhead, qlen, qbytes;
	size_t rx_len;            /* bytes of the message being received */
	enum lws_close_status close_status;
	char close_reason[64];
	bool linked;
};

struct hub {
	struct server *srv;
	uv_timer_t heartbeat;
	struct hub_client *clients;
	size_t nclients;
	unsigned beats;           /* heartbeats so far */
};

/* Encode a change message once from its parts (data is JSON text). */
struct hub_msg *
hub_msg_new(int64_t seq, const char *type, int64_t site_id, const char *site_key,
    int64_t ts_ms, const char *data)
{
	struct hub_msg *m = xcalloc(1, sizeof *m);
	char ts[VTIME_ISO_LEN], site[LIMIT_KEY_LEN + 3];
	const char *fmt = "{\"seq\":%" PRId64 ",\"type\":\"%s\",\"ts\":\"%s\","
	    "\"site\":%s,\"data\":%s}";
	int n;

	vtime_format(ts_ms, ts, sizeof ts);
	if (site_key != NULL && *site_key != '\0')
		snprintf(site, sizeof site, "\"%s\"", site_key);
	else
		snprintf(site, sizeof site, "null");
	n = snprintf(NULL, 0, fmt, seq, type, ts, site, data);
	m->buf = xmalloc(LWS_PRE + (size_t)n + 1);
	snprintf((char *)m->buf + LWS_PRE, (size_t)n + 1, fmt, seq, type, ts, site, data);
	m->len = (size_t)n;
	m->refs = 1;
	m->seq = seq;
	m->site_id = site_id;
	return m;
}

/* Encode a control message {"type","ts","data"} (data is JSON, stolen). */
static struct hub_msg *
hub_msg_control(const char *type, json_t *data)
{
	struct hub_msg *m = xcalloc(1, sizeof *m);
	char ts[VTIME_ISO_LEN];
	json_t *root;
	char *text;

	vtime_format(vtime_now_ms(), ts, sizeof ts);
	root = json_pack("{s:s, s:s, s:o}", "type", type, "ts", ts, "data", data);
	text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(root);
	if (text == NULL)
		fatal("hub: cannot encode a %s message", type);
	m->len = strlen(text);
	m->buf = xmalloc(LWS_PRE + m->len + 1);
	memcpy(m->buf + LWS_PRE, text, m->len + 1);
	free(text);
	m->refs = 1;
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

/* Drop everything queued for a client. */
static void
hub_queue_clear(struct hub_client *c)
{
	while (c->qlen > 0) {
		hub_msg_unref(c->q[c->qhead]);
		c->qhead = (c->qhead + 1) % HUB_QUEUE_MAX;
		c->qlen--;
	}
	c->qbytes = 0;
}

/* Queue m for c (taking a new reference); false when the queue is full. */
static bool
hub_queue_push(struct hub_client *c, struct hub_msg *m)
{
	if (c->q == NULL)
		c->q = xcalloc(HUB_QUEUE_MAX, sizeof *c->q);
	if (c->qlen == HUB_QUEUE_MAX || c->qbytes + m->len > HUB_QUEUE_BYTES)
		return false;
	m->refs++;
	c->q[(c->qhead + c->qlen) % HUB_QUEUE_MAX] = m;
	c->qlen++;
	c->qbytes += m->len;
	/* hub_write re-arms itself while anything is queued. */
	if (c->wsi != NULL && c->qlen == 1)
		lws_callback_on_writable(c->wsi);
	return true;
}

/* Queue a control message made for this client alone (m is consumed). */
static void
hub_send_control(struct hub_client *c, struct hub_msg *m)
{
	if (!hub_queue_push(c, m)) {
		/* Only a full queue refuses; make room for what must be said. */
		hub_queue_clear(c);
		hub_queue_push(c, m);
	}
	hub_msg_unref(m);
}

/* Send a last control message, then close with status and reason. */
static void
hub_close_after(struct hub_client *c, struct hub_msg *last,
    enum lws_close_status status, const char *reason)
{
	hub_send_control(c, last);
	if (c->wsi != NULL)
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, HUB_CLOSE_GRACE_S);
	c->state = HUB_CLOSING;
	c->close_status = status;
	snprintf(c->close_reason, sizeof c->close_reason, "%s", reason);
}

/*
 * Tell a client it must refetch its snapshots, and close.  A client that fell
 * behind loses what was queued for it (it will refetch anyway).
 */
static void
hub_resync(struct hub *h, struct hub_client *c, const char *reason,
    enum lws_close_status status, bool drop_queue)
{
	json_t *data = json_pack("{s:s, s:I}", "reason", reason, "head",
	    (json_int_t)streamlog_head(h->srv));

	if (drop_queue)
		hub_queue_clear(c);
	hub_close_after(c, hub_msg_control("resync", data), status, "resync");
}

/* True when who may see a message about site_id (0: about no one site). */
static bool
hub_visible(const struct hub_client *c, int64_t site_id)
{
	if (site_id == 0)
		return c->who.all_sites;
	return principal_sees_site(&c->who, site_id);
}

/* Hand a committed message to every client that may see it; takes the reference. */
void
hub_publish(struct hub *h, struct hub_msg *m)
{
	for (struct hub_client *c = h->clients; c != NULL; c = c->next) {
		if (c->state != HUB_LIVE || m->seq <= c->last_seq)
			continue;
		if (!hub_visible(c, m->site_id))
			continue;
		if (!hub_queue_push(c, m)) {
			log_warn("stream: %s is too slow (%zu messages waiting): resync",
			    c->who.name, c->qlen);
			hub_resync(h, c, "the console fell too far behind",
			    LWS_CLOSE_STATUS_POLICY_VIOLATION, true);
			continue;
		}
		c->last_seq = m->seq;
	}
	hub_msg_unref(m);
}

/* Feed a catching-up client the next page of the log; goes live at the head. */
static int
hub_catchup(struct hub *h, struct hub_client *c)
{
	static const char sql[] =
	    "SELECT l.seq, l.ts_ms, l.type, l.site_id, s.key, l.data FROM stream l"
	    " LEFT JOIN sites s ON s.id = l.site_id WHERE l.seq > ? ORDER BY l.seq LIMIT ?";
	sqlite3_stmt *s = store_stmt(h->srv->st, sql);
	int rows = 0, rc;

	store_bind_int(s, 1, c->last_seq);
	store_bind_int(s, 2, HUB_CATCHUP_PAGE);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(s, 0);
		int64_t site = sqlite3_column_int64(s, 3);

		rows++;
		c->last_seq = seq;
		if (!hub_visible(c, site))
			continue;
		struct hub_msg *m = hub_msg_new(seq, store_col_text(s, 2), site,
		    store_col_text(s, 4), sqlite3_column_int64(s, 1),
		    store_col_text(s, 5));
		hub_queue_push(c, m);
		hub_msg_unref(m);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_error("stream: cannot read the log: %s", store_errmsg(h->srv->st));
		return -1;
	}
	if (rows < HUB_CATCHUP_PAGE) {
		c->state = HUB_LIVE;
		hub_send_control(c, hub_msg_control("live",
		    json_pack("{s:I}", "seq", (json_int_t)c->last_seq)));
	}
	return 0;
}

/* The oldest seq the log still holds (head + 1 when it is empty). */
static int64_t
hub_log_oldest(struct hub *h, int64_t head)
{
	static const char sql[] = "SELECT MIN(seq) FROM stream";
	sqlite3_stmt *s = store_stmt(h->srv->st, sql);
	int64_t oldest = head + 1;

	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		oldest = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return oldest;
}

/* Read ?since= from the upgrade request; -1 when absent, -2 when malformed. */
static int64_t
hub_since(struct lws *wsi)
{
	char frag[64];

	for (int n = 0; n < 16; n++) {
		char *end;
		long long v;

		if (lws_hdr_copy_fragment(wsi, frag, sizeof frag,
		    WSI_TOKEN_HTTP_URI_ARGS, n) < 0)
			break;
		if (strncmp(frag, "since=", 6) != 0)
			continue;
		v = strtoll(frag + 6, &end, 10);
		if (frag[6] == '\0' || *end != '\0' || v < 0)
			return -2;
		return v;
	}
	return -1;
}

/* A new connection: authenticate, say hello, and start it at since. */
static int
hub_open(struct hub *h, struct lws *wsi, struct hub_client *c)
{
	int64_t head = streamlog_head(h->srv), since;
	char path[64];
	json_t *hello;

	c->wsi = wsi;
	c->next = h->clients;
	if (h->clients != NULL)
		h->clients->prev = c;
	h->clients = c;
	c->linked = true;
	h->nclients++;
	if (lws_hdr_copy(wsi, path, sizeof path, WSI_TOKEN_GET_URI) < 0 ||
	    strcmp(path, "/api/v1/stream") != 0) {
		hub_close_after(c, hub_msg_control("error", json_pack("{s:s, s:s}",
		    "code", "not_found", "message", "the stream is /api/v1/stream")),
		    LWS_CLOSE_STATUS_POLICY_VIOLATION, "not found");
		return 0;
	}
	if (lws_hdr_copy(wsi, c->authorization, sizeof c->authorization,
	    WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
		c->authorization[0] = '\0';
	if (auth_session_check(h->srv->st, c->authorization, vtime_now_ms(), &c->who) != 0) {
		hub_close_after(c, hub_msg_control("error", json_pack("{s:s, s:s}",
		    "code", "unauthorized", "message",
		    "a valid session token is required: log in again")),
		    LWS_CLOSE_STATUS_POLICY_VIOLATION, "unauthorized");
		return 0;
	}
	if (c->who.role == ROLE_GUARD) {
		hub_close_after(c, hub_msg_control("error", json_pack("{s:s, s:s}",
		    "code", "forbidden", "message", "the guard role may not follow the stream")),
		    LWS_CLOSE_STATUS_POLICY_VIOLATION, "forbidden");
		return 0;
	}
	since = hub_since(wsi);
	if (since == -2) {
		hub_close_after(c, hub_msg_control("error", json_pack("{s:s, s:s}",
		    "code", "malformed", "message", "since must be a sequence number")),
		    LWS_CLOSE_STATUS_POLICY_VIOLATION, "malformed");
		return 0;
	}
	if (since < 0)
		since = head;
	hello = json_pack("{s:I, s:I, s:s, s:b, s:i, s:i}", "head", (json_int_t)head,
	    "since", (json_int_t)since, "user", c->who.name, "scoped", !c->who.all_sites,
	    "heartbeat_s", HUB_HEARTBEAT_S, "keep", HUB_LOG_KEEP);
	hub_send_control(c, hub_msg_control("hello", hello));
	if (since > head || (since < head && since + 1 < hub_log_oldest(h, head))) {
		hub_resync(h, c, since > head ? "since is newer than the server's log" :
		    "since is older than what the log keeps", LWS_CLOSE_STATUS_NORMAL,
		    false);
		return 0;
	}
	c->last_seq = since;
	c->state = HUB_CATCHUP;
	log_info("stream: %s connected from seq %" PRId64 " (head %" PRId64 ")",
	    c->who.name, since, head);
	return 0;
}

/* A connection went away: unlink it and drop its queue. */
static void
hub_close(struct hub *h, struct hub_client *c)
{
	if (!c->linked)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->linked = false;
	h->nclients--;
	hub_queue_clear(c);
	free(c->q);
	c->q = NULL;
}

/* Write the next queued message; refill from the log while catching up. */
static int
hub_write(struct hub *h, struct hub_client *c)
{
	struct hub_msg *m;

	if (c->qlen == 0 && c->state == HUB_CATCHUP && hub_catchup(h, c) != 0)
		return -1;
	if (c->qlen == 0) {
		if (c->state == HUB_CLOSING) {
			lws_close_reason(c->wsi, c->close_status,
			    (unsigned char *)c->close_reason, strlen(c->close_reason));
			return -1;
		}
		return 0;
	}
	/*
	 * Write while the socket takes it: one message per callback would
	 * drain a client no faster than the loop turns.
	 */
	for (int sent = 0; c->qlen > 0 && sent < HUB_WRITES_PER_CALLBACK; sent++) {
		if (sent > 0 && lws_send_pipe_choked(c->wsi))
			break;
		m = c->q[c->qhead];
		c->qhead = (c->qhead + 1) % HUB_QUEUE_MAX;
		c->qlen--;
		c->qbytes -= m->len;
		if (lws_write(c->wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT) < (int)m->len) {
			hub_msg_unref(m);
			return -1;
		}
		hub_msg_unref(m);
	}
	if (c->qlen > 0 || c->state != HUB_LIVE)
		lws_callback_on_writable(c->wsi);
	return 0;
}

/* The lws protocol callback of the "vigil.v1" subprotocol. */
int
hub_callback(struct lws *wsi, int reason, void *user, void *in, size_t len)
{
	struct server *srv = lws_context_user(lws_get_context(wsi));
	struct hub_client *c = user;
	struct hub *h = srv->hub;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		if (h == NULL)
			return -1;
		hub_open(h, wsi, c);
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (h == NULL)
			return -1;
		return hub_write(h, c);
	case LWS_CALLBACK_RECEIVE:
		/* Clients have nothing to say; refuse to buffer a flood. */
		c->rx_len += len;
		if (c->rx_len > HUB_RX_MAX) {
			static const char why[] = "message too large";

			lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
			    (unsigned char *)why, sizeof why - 1);
			return -1;
		}
		if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0)
			c->rx_len = 0;
		return 0;
	case LWS_CALLBACK_CLOSED:
		if (h != NULL)
			hub_close(h, c);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, (enum lws_callback_reasons)reason, user, in, len);
}

/* Size of the per-connection state lws allocates for hub_callback. */
size_t
hub_client_size(void)
{
	return sizeof(struct hub_client);
}

/* Trim the log to HUB_LOG_KEEP messages, a bounded number of rows at a time. */
static void
hub_trim(struct hub *h)
{
	static const char sql[] =
	    "DELETE FROM stream WHERE seq IN (SELECT seq FROM stream WHERE seq <= ?"
	    " ORDER BY seq LIMIT ?)";
	int64_t head = streamlog_head(h->srv);
	sqlite3_stmt *s;

	if (head <= HUB_LOG_KEEP || hub_log_oldest(h, head) > head - HUB_LOG_KEEP)
		return;
	s = store_stmt(h->srv->st, sql);
	store_bind_int(s, 1, head - HUB_LOG_KEEP);
	store_bind_int(s, 2, HUB_TRIM_ROWS);
	if (sqlite3_step(s) != SQLITE_DONE)
		log_error("stream: cannot trim the log: %s", store_errmsg(h->srv->st));
	sqlite3_reset(s);
}

/* Heartbeat: the same bytes to every client; re-check each client's session. */
static void
hub_on_heartbeat(uv_timer_t *t)
{
	struct hub *h = t->data;
	struct hub_msg *beat;
	int64_t now = vtime_now_ms();

	if (h->clients != NULL) {
		beat = hub_msg_control("heartbeat", json_pack("{s:I}", "head",
		    (json_int_t)streamlog_head(h->srv)));
		for (struct hub_client *c = h->clients; c != NULL; c = c->next) {
			struct principal who;

			if (c->state == HUB_CLOSING)
				continue;
			if (auth_session_check(h->srv->st, c->authorization, now, &who) != 0) {
				hub_queue_clear(c);
				hub_close_after(c, hub_msg_control("error", json_pack(
				    "{s:s, s:s}", "code", "unauthorized", "message",
				    "the session has ended: log in again")),
				    LWS_CLOSE_STATUS_POLICY_VIOLATION, "unauthorized");
				continue;
			}
			if (!hub_queue_push(c, beat))
				hub_resync(h, c, "the console fell too far behind",
				    LWS_CLOSE_STATUS_POLICY_VIOLATION, true);
		}
		hub_msg_unref(beat);
	}
	/* Trimming the log can wait a minute; an idle server should sleep. */
	if (++h->beats % HUB_TRIM_EVERY == 0)
		hub_trim(h);
}

/* Create the hub and its heartbeat on the server's loop. */
struct hub *
hub_new(struct server *srv)
{
	struct hub *h = xcalloc(1, sizeof *h);

	h->srv = srv;
	uv_timer_init(srv->loop, &h->heartbeat);
	h->heartbeat.data = h;
	uv_timer_start(&h->heartbeat, hub_on_heartbeat, HUB_HEARTBEAT_S * 1000,
	    HUB_HEARTBEAT_S * 1000);
	srv->hub = h;
	return h;
}

/* Free the hub's memory once libuv has closed its timer. */
static void
hub_on_closed(uv_handle_t *handle)
{
	free(handle->data);
}

/* Stop the heartbeat and free the hub (connections close with lws). */
void
hub_free(struct hub *h)
{
	if (h == NULL)
		return;
	for (struct hub_client *c = h->clients; c != NULL; c = c->next) {
		hub_queue_clear(c);
		free(c->q);
		c->q = NULL;
		c->linked = false;
	}
	h->srv->hub = NULL;
	uv_timer_stop(&h->heartbeat);
	uv_close((uv_handle_t *)&h->heartbeat, hub_on_closed);
}

