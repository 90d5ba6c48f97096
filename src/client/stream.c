#include "compat.h"

#include <curl/curl.h>
#include <libwebsockets.h>

#include "backoff.h"
#include "buf.h"
#include "jsonx.h"
#include "log.h"
#include "stream.h"
#include "vtime.h"

#define STREAM_PROTOCOL     "vigil.v1"
#define STREAM_RX_CHUNK     (64 * 1024)  /* bytes lws hands over per callback */
#define STREAM_HEARTBEAT_MAX_S 3600      /* a hello asking more is not believed */

struct stream {
	uv_loop_t *loop;
	struct lws_context *ctx;
	const struct stream_ops *ops;
	void *arg;

	/* Where to connect. */
	char *address;        /* host name or address, without brackets */
	char *host;           /* Host header: host[:port] */
	char *prefix;         /* path before /api/v1/stream, without trailing / */
	int port;
	bool tls;
	char *auth;           /* "Bearer TOKEN" */

	/* The connection. */
	struct lws *wsi;      /* the current connection, or NULL */
	uintptr_t gen;        /* tags the current connection's wsi */
	struct lws *cb_wsi;   /* the wsi whose callback is running, or NULL */
	bool greeted;         /* "hello" came on the current connection */
	bool caught_up;       /* "live" came on the current connection */
	struct buf msg;       /* the message being assembled */

	/* Where the feed is. */
	bool following;       /* stream_follow was called */
	bool waiting;         /* a resync was reported: wait for stream_follow */
	bool stopped;         /* the token was refused */
	bool freeing;
	bool have_seq;
	int64_t seq;          /* the last seq handed over */
	int64_t head;
	bool scoped;
	int heartbeat_s;
	enum stream_state state;
	int64_t last_ms;      /* wall clock, last message heard */
	int64_t last_mono;    /* monotonic, last message heard */
	char *last_error;

	struct backoff backoff;
	uv_timer_t retry;     /* the next connection attempt */
	uv_timer_t watch;     /* staleness of the current connection */
	int open_handles;
};

static int stream_callback(struct lws *, enum lws_callback_reasons, void *,
    void *, size_t);

static const struct lws_protocols stream_protocols[] = {
	{ STREAM_PROTOCOL, stream_callback, 0, STREAM_RX_CHUNK, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* The name of a feed state. */
const char *
stream_state_name(enum stream_state state)
{
	switch (state) {
	case STREAM_LIVE:
		return "LIVE";
	case STREAM_STALE:
		return "STALE";
	case STREAM_DISCONNECTED:
		break;
	}
	return "DISCONNECTED";
}

/* Remember why the last connection failed, for status lines. */
static void
stream_set_error(struct stream *s, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	free(s->last_error);
	s->last_error = xstrdup(buf);
}

/* Move the feed to state, telling the owner when it changes. */
static void
stream_set_state(struct stream *s, enum stream_state state)
{
	if (s->state == state)
		return;
	s->state = state;
	log_debug("stream: %s", stream_state_name(state));
	if (s->ops->state != NULL)
		s->ops->state(s->arg, state);
}

/*
 * Let go of the current connection: it is closed (at once, or when its
 * running callback returns) and its later callbacks are ignored.
 */
static void
stream_drop(struct stream *s)
{
	struct lws *w = s->wsi;

	s->wsi = NULL;
	s->gen++;
	s->greeted = false;
	s->caught_up = false;
	uv_timer_stop(&s->watch);
	if (w != NULL && w != s->cb_wsi)
		lws_set_timeout(w, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	stream_set_state(s, STREAM_DISCONNECTED);
}

static void stream_on_retry(uv_timer_t *);

/* Plan the next connection attempt in ms milliseconds (unless one is planned). */
static void
stream_plan(struct stream *s, uint64_t ms)
{
	if (s->stopped || s->freeing || s->waiting || !s->following)
		return;
	if (uv_is_active((uv_handle_t *)&s->retry))
		return;
	log_debug("stream: connecting in %" PRIu64 " ms", ms);
	uv_timer_start(&s->retry, stream_on_retry, ms, 0);
}

/* The connection is gone (or never came): try again after a backoff delay. */
static void
stream_lost(struct stream *s, const char *why)
{
	uint64_t delay;

	if (why != NULL)
		stream_set_error(s, "%s", why);
	log_info("stream: connection lost: %s", s->last_error != NULL ?
	    s->last_error : "closed");
	stream_drop(s);
	if (s->stopped || s->freeing || s->waiting || !s->following ||
	    uv_is_active((uv_handle_t *)&s->retry))
		return;
	delay = backoff_next(&s->backoff);
	stream_plan(s, delay);
	if (s->ops->retrying != NULL)
		s->ops->retrying(s->arg, delay, s->last_error != NULL ?
		    s->last_error : "the connection closed");
}

/* Start a connection from the last seq handed over (or the head). */
static void
stream_connect(struct stream *s)
{
	struct lws_client_connect_info ci;
	char path[LIMIT_URI_BYTES];

	if (s->have_seq)
		snprintf(path, sizeof path, "%s/api/v1/stream?since=%" PRId64,
		    s->prefix, s->seq);
	else
		snprintf(path, sizeof path, "%s/api/v1/stream", s->prefix);
	s->gen++;
	/* Not before: the last message may still be in use by a callback. */
	buf_reset(&s->msg);
	memset(&ci, 0, sizeof ci);
	ci.context = s->ctx;
	ci.address = s->address;
	ci.port = s->port;
	ci.ssl_connection = s->tls ? LCCSCF_USE_SSL : 0;
	ci.path = path;
	ci.host = s->host;
	ci.origin = s->host;
	ci.protocol = STREAM_PROTOCOL;
	ci.local_protocol_name = STREAM_PROTOCOL;
	ci.opaque_user_data = (void *)s->gen;
	log_debug("stream: connecting to %s:%d%s", s->address, s->port, path);
	s->wsi = lws_client_connect_via_info(&ci);
	/* A failure may have been reported (and a retry planned) already. */
	if (s->wsi == NULL && !uv_is_active((uv_handle_t *)&s->retry))
		stream_lost(s, "cannot start a connection");
}

/* Time for the planned connection attempt. */
static void
stream_on_retry(uv_timer_t *h)
{
	struct stream *s = h->data;

	if (s->stopped || s->freeing || s->waiting)
		return;
	if (s->wsi != NULL)
		stream_drop(s);
	stream_connect(s);
}

/* Check how long the server has been silent: STALE, then reconnect. */
static void
stream_on_watch(uv_timer_t *h)
{
	struct stream *s = h->data;
	int64_t period = (int64_t)s->heartbeat_s * 1000;
	int64_t silent = vtime_mono_ms() - s->last_mono;
	int64_t stale = STREAM_STALE_HEARTBEATS * period;
	int64_t dead = STREAM_DEAD_HEARTBEATS * period;

	if (s->wsi == NULL)
		return;
	if (silent >= dead) {
		stream_lost(s, s->greeted ? "the server has been silent too long" :
		    "the server did not say hello");
		return;
	}
	/* Not greeted yet: no feed to call stale, only a deadline. */
	if (!s->greeted) {
		uv_timer_start(&s->watch, stream_on_watch,
		    (uint64_t)(dead - silent), 0);
		return;
	}
	if (silent >= stale) {
		stream_set_state(s, STREAM_STALE);
		uv_timer_start(&s->watch, stream_on_watch,
		    (uint64_t)(dead - silent), 0);
	} else
		uv_timer_start(&s->watch, stream_on_watch,
		    (uint64_t)(stale - silent), 0);
}

/*
 * Report a resync to the owner with msg (the server's, or made up from
 * reason when msg is NULL) and wait for stream_follow.
 */
static void
stream_resync(struct stream *s, json_t *msg, const char *text, size_t len,
    const char *reason)
{
	char ts[VTIME_ISO_LEN], *made = NULL;
	json_t *own = NULL;

	log_info("stream: resync: %s", reason);
	stream_set_error(s, "resync: %s", reason);
	s->waiting = true;
	stream_drop(s);
	uv_timer_stop(&s->retry);
	if (msg == NULL) {
		vtime_format(vtime_now_ms(), ts, sizeof ts);
		own = json_pack("{s:s, s:s, s:{s:s, s:I}}", "type", "resync",
		    "ts", ts, "data", "reason", reason, "head", (json_int_t)s->head);
		if (own == NULL || (made = json_dumps(own, JSON_COMPACT)) == NULL)
			fatal("stream: cannot build a resync message");
		msg = own;
		text = made;
		len = strlen(made);
	}
	if (s->ops->resync != NULL)
		s->ops->resync(s->arg, msg, text, len);
	json_decref(own);
	free(made);
}

/* The integer member key of object o, or def. */
static int64_t
stream_int(const json_t *o, const char *key, int64_t def)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

/* Handle "hello": learn the scope and heartbeat, check the server's log is not behind. */
static int
stream_on_hello(struct stream *s, json_t *data)
{
	struct stream_hello h;
	char why[160];

	memset(&h, 0, sizeof h);
	h.head = stream_int(data, "head", -1);
	h.since = stream_int(data, "since", -1);
	h.user = json_string_value(json_object_get(data, "user"));
	h.scoped = json_is_true(json_object_get(data, "scoped"));
	h.heartbeat_s = (int)stream_int(data, "heartbeat_s",
	    STREAM_HEARTBEAT_DEFAULT_S);
	if (h.heartbeat_s < 1 || h.heartbeat_s > STREAM_HEARTBEAT_MAX_S)
		h.heartbeat_s = STREAM_HEARTBEAT_DEFAULT_S;
	if (h.head < 0) {
		stream_lost(s, "the server's hello has no head");
		return -1;
	}
	s->greeted = true;
	s->scoped = h.scoped;
	s->heartbeat_s = h.heartbeat_s;
	s->head = h.head;
	backoff_reset(&s->backoff);
	free(s->last_error);
	s->last_error = NULL;
	if (s->have_seq && h.head < s->seq) {
		snprintf(why, sizeof why, "the server's log ends at seq %" PRId64
		    ", before seq %" PRId64, h.head, s->seq);
		stream_resync(s, NULL, NULL, 0, why);
		return -1;
	}
	if (!s->have_seq) {
		s->seq = h.since >= 0 ? h.since : h.head;
		s->have_seq = true;
	}
	log_info("stream: connected as %s, head %" PRId64 ", from seq %" PRId64
	    "%s", h.user != NULL ? h.user : "?", h.head, s->seq,
	    h.scoped ? " (scoped)" : "");
	stream_set_state(s, STREAM_LIVE);
	uv_timer_start(&s->watch, stream_on_watch,
	    (uint64_t)STREAM_STALE_HEARTBEATS * (uint64_t)s->heartbeat_s * 1000, 0);
	if (s->ops->hello != NULL)
		s->ops->hello(s->arg, &h);
	return 0;
}

/* Handle a change message: check its order, then hand it over. */
static int
stream_on_change(struct stream *s, json_t *msg, int64_t seq, const char *text,
    size_t len)
{
	char why[160];

	if (s->have_seq && seq <= s->seq) {
		log_warn("stream: seq %" PRId64 " again (last %" PRId64 "): "
		    "ignored", seq, s->seq);
		return 0;
	}
	if (s->have_seq && !s->scoped && seq != s->seq + 1) {
		snprintf(why, sizeof why, "gap: expected seq %" PRId64 ", got %"
		    PRId64, s->seq + 1, seq);
		stream_resync(s, NULL, NULL, 0, why);
		return -1;
	}
	s->seq = seq;
	s->have_seq = true;
	if (seq > s->head)
		s->head = seq;
	if (s->ops->message != NULL)
		s->ops->message(s->arg, msg, text, len);
	return 0;
}

/* Handle "error": a refused token stops for good, anything else is retried. */
static int
stream_on_error(struct stream *s, json_t *data)
{
	const char *code = json_string_value(json_object_get(data, "code"));
	const char *m = json_string_value(json_object_get(data, "message"));

	/* Retrying with the same token cannot help with these. */
	if (code != NULL && (strcmp(code, "unauthorized") == 0 ||
	    strcmp(code, "forbidden") == 0)) {
		s->stopped = true;
		stream_set_error(s, "%s", m != NULL ? m : "the token was refused");
		stream_drop(s);
		uv_timer_stop(&s->retry);
		if (s->ops->refused != NULL)
			s->ops->refused(s->arg, s->last_error);
	} else
		stream_lost(s, m != NULL ? m : "the server sent an error");
	return -1;
}

/* Handle one whole message; -1 when the connection must close. */
static int
stream_on_message(struct stream *s, const char *text, size_t len)
{
	char err[JSONX_ERR_LEN], why[JSONX_ERR_LEN + 64];
	const char *type, *m;
	json_t *msg, *data;
	int64_t seq;
	int rc = 0;

	if ((msg = jsonx_parse(text, len, err, sizeof err)) == NULL ||
	    !json_is_object(msg) ||
	    (type = json_string_value(json_object_get(msg, "type"))) == NULL) {
		snprintf(why, sizeof why, "an unreadable message: %s",
		    msg == NULL ? err : "not an object with a type");
		json_decref(msg);
		stream_resync(s, NULL, NULL, 0, why);
		return -1;
	}
	data = json_object_get(msg, "data");
	if ((seq = stream_int(msg, "seq", 0)) > 0)
		rc = stream_on_change(s, msg, seq, text, len);
	else if (strcmp(type, "hello") == 0)
		rc = stream_on_hello(s, data);
	else if (strcmp(type, "error") == 0)
		rc = stream_on_error(s, data);
	else if (!s->greeted) {
		stream_lost(s, "the server did not say hello first");
		rc = -1;
	} else if (strcmp(type, "heartbeat") == 0) {
		if (stream_int(data, "head", 0) > s->head)
			s->head = stream_int(data, "head", 0);
	} else if (strcmp(type, "live") == 0) {
		seq = stream_int(data, "seq", -1);
		if (seq > s->head)
			s->head = seq;
		if (!s->scoped && s->have_seq && seq > s->seq) {
			snprintf(why, sizeof why, "gap: live at seq %" PRId64
			    " after seq %" PRId64, seq, s->seq);
			stream_resync(s, NULL, NULL, 0, why);
			rc = -1;
		} else {
			s->caught_up = true;
			if (s->ops->live != NULL)
				s->ops->live(s->arg, s->seq);
		}
	} else if (strcmp(type, "resync") == 0) {
		m = json_string_value(json_object_get(data, "reason"));
		if (stream_int(data, "head", -1) > s->head)
			s->head = stream_int(data, "head", -1);
		stream_resync(s, msg, text, len, m != NULL ? m : "asked by the server");
		rc = -1;
	}
	/* Other types without a seq are for newer clients: ignored. */
	json_decref(msg);
	return rc;
}

/* Take a chunk of a message; whole messages are handled. -1 to close. */
static int
stream_on_receive(struct stream *s, struct lws *wsi, const void *in, size_t len)
{
	char why[128];

	s->last_ms = vtime_now_ms();
	s->last_mono = vtime_mono_ms();
	if (s->greeted && s->state != STREAM_LIVE)
		stream_set_state(s, STREAM_LIVE);
	if (lws_frame_is_binary(wsi)) {
		stream_lost(s, "the server sent a binary message");
		return -1;
	}
	if (buf_add(&s->msg, in, len) != 0) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, NULL, 0);
		snprintf(why, sizeof why, "a message larger than %d bytes",
		    LIMIT_STREAM_MESSAGE_BYTES);
		stream_resync(s, NULL, NULL, 0, why);
		return -1;
	}
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) > 0)
		return 0;
	if (stream_on_message(s, s->msg.data, s->msg.len) != 0)
		return -1;
	buf_reset(&s->msg);
	return 0;
}

/* The HTTP status that refused an upgrade as a reason, or NULL. */
static const char *
stream_refusal(struct lws *wsi)
{
	unsigned int status = lws_http_client_http_response(wsi);

	if (status == 401)
		return "HTTP 401 Unauthorized";
	if (status == 403)
		return "HTTP 403 Forbidden";
	return NULL;
}

/* The libwebsockets callback of the stream's connections. */
static int
stream_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct stream *s;
	const char *why;
	unsigned char **p, *end;
	int rc = 0;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
	case LWS_CALLBACK_CLIENT_RECEIVE:
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
	case LWS_CALLBACK_CLIENT_CLOSED:
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		break;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
	s = lws_context_user(lws_get_context(wsi));
	/* A connection let go of earlier: close it, ignore what it says. */
	if ((uintptr_t)lws_get_opaque_user_data(wsi) != s->gen || s->freeing)
		return reason == LWS_CALLBACK_CLIENT_RECEIVE ? -1 : 0;

	s->cb_wsi = wsi;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		p = in;
		end = *p + len;
		if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
		    (const unsigned char *)s->auth, (int)strlen(s->auth), p, end))
			rc = -1;
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		log_debug("stream: upgraded, waiting for hello");
		s->last_mono = vtime_mono_ms();
		uv_timer_start(&s->watch, stream_on_watch, (uint64_t)
		    STREAM_DEAD_HEARTBEATS * (uint64_t)s->heartbeat_s * 1000, 0);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		rc = stream_on_receive(s, wsi, in, len);
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			const unsigned char *b = in;

			stream_set_error(s, "the server closed the connection "
			    "(%u%s%.*s)", (unsigned)(b[0] << 8 | b[1]),
			    len > 2 ? ": " : "", (int)(len - 2), (const char *)b + 2);
		} else
			stream_set_error(s, "the server closed the connection");
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if ((why = stream_refusal(wsi)) != NULL) {
			s->wsi = NULL;
			s->stopped = true;
			stream_set_error(s, "%s", why);
			stream_drop(s);
			if (s->ops->refused != NULL)
				s->ops->refused(s->arg, s->last_error);
			break;
		}
		s->wsi = NULL;
		stream_lost(s, in != NULL && len > 0 ? (const char *)in :
		    "cannot connect");
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		s->wsi = NULL;
		stream_lost(s, NULL);
		break;
	default:
		break;
	}
	/* The owner may have let go of this connection from a callback. */
	if (s->cb_wsi == wsi && s->wsi != wsi && reason ==
	    LWS_CALLBACK_CLIENT_RECEIVE)
		rc = -1;
	s->cb_wsi = NULL;
	return rc;
}

/* Route libwebsockets' own log lines into ours. */
static void
stream_lws_log(int level, const char *line)
{
	size_t n = strlen(line);

	while (n > 0 && line[n - 1] == '\n')
		n--;
	log_debug("lws: %.*s", (int)n, line);
}

/* Split url into what a connection needs; -1 with *cause. */
static int
stream_parse_url(struct stream *s, const char *url, char **cause)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	size_t n;
	int rc = -1;

	if (u == NULL)
		fatal("stream: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != 0 ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != 0 ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != 0) {
		*cause = xasprintf("\"%s\" is not a URL", url);
		goto out;
	}
	if (strcmp(scheme, "https") == 0 || strcmp(scheme, "wss") == 0)
		s->tls = true;
	else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "ws") != 0) {
		*cause = xasprintf("\"%s\": the scheme must be http or https", url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != 0 ||
	    (s->port = atoi(port)) <= 0 || s->port > 65535) {
		*cause = xasprintf("\"%s\": no usable port", url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != 0)
		path = NULL;
	n = strlen(host);
	if (n > 2 && host[0] == '[' && host[n - 1] == ']')
		s->address = xstrndup(host + 1, n - 2);
	else
		s->address = xstrdup(host);
	if ((s->tls && s->port == 443) || (!s->tls && s->port == 80))
		s->host = xstrdup(host);
	else
		s->host = xasprintf("%s:%d", host, s->port);
	s->prefix = xstrdup(path != NULL ? path : "");
	n = strlen(s->prefix);
	while (n > 0 && s->prefix[n - 1] == '/')
		s->prefix[--n] = '\0';
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

/* Set up a stream from the server at url on loop; NULL with *cause. */
struct stream *
stream_new(uv_loop_t *loop, const char *url, const char *token,
    const struct stream_ops *ops, void *arg, char **cause)
{
	struct lws_context_creation_info info;
	void *loops[1] = { loop };
	struct stream *s;

	s = xcalloc(1, sizeof *s);
	s->loop = loop;
	s->ops = ops;
	s->arg = arg;
	s->seq = -1;
	s->heartbeat_s = STREAM_HEARTBEAT_DEFAULT_S;
	s->state = STREAM_DISCONNECTED;
	s->auth = xasprintf("Bearer %s", token != NULL ? token : "");
	buf_init(&s->msg, LIMIT_STREAM_MESSAGE_BYTES);
	backoff_init(&s->backoff);
	if (stream_parse_url(s, url, cause) != 0) {
		free(s->address);
		free(s->host);
		free(s->prefix);
		free(s->auth);
		free(s);
		return NULL;
	}

	lws_set_log_level(LLL_ERR | LLL_WARN, stream_lws_log);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = stream_protocols;
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8;
	if (s->tls)
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.foreign_loops = loops;
	info.user = s;
	info.timeout_secs = CLIENT_CONNECT_TIMEOUT_S;
	info.connect_timeout_secs = CLIENT_CONNECT_TIMEOUT_S;
	if ((s->ctx = lws_create_context(&info)) == NULL) {
		*cause = xstrdup("libwebsockets cannot start (is its libuv "
		    "plugin installed?)");
		free(s->address);
		free(s->host);
		free(s->prefix);
		free(s->auth);
		free(s);
		return NULL;
	}
	uv_timer_init(loop, &s->retry);
	uv_timer_init(loop, &s->watch);
	s->retry.data = s->watch.data = s;
	s->open_handles = 2;
	return s;
}

/* Count our timers closed; stream_free waits for both. */
static void
stream_closed(uv_handle_t *h)
{
	struct stream *s = h->data;

	s->open_handles--;
}

/* Close the connection and stop; no callback is called after this. */
void
stream_close(struct stream *s)
{
	if (s == NULL || s->freeing)
		return;
	s->freeing = true;
	s->gen++;
	s->wsi = NULL;
	/* The first call starts closing lws's connections and handles. */
	lws_context_destroy(s->ctx);
	uv_timer_stop(&s->retry);
	uv_timer_stop(&s->watch);
	uv_close((uv_handle_t *)&s->retry, stream_closed);
	uv_close((uv_handle_t *)&s->watch, stream_closed);
}

/* Free a closed stream once the loop has run out of work. */
void
stream_free(struct stream *s)
{
	if (s == NULL)
		return;
	if (!s->freeing || s->open_handles != 0)
		fatal("stream: freed before it was closed and the loop ran");
	/*
	 * With a foreign loop, lws finishes its destruction only when asked
	 * again after its handles have closed.
	 */
	lws_context_destroy(s->ctx);
	buf_release(&s->msg);
	free(s->address);
	free(s->host);
	free(s->prefix);
	free(s->auth);
	free(s->last_error);
	free(s);
}

/* (Re)connect and hand over the messages after since (< 0: from the head). */
void
stream_follow(struct stream *s, int64_t since)
{
	if (s->stopped || s->freeing)
		return;
	s->following = true;
	s->waiting = false;
	s->have_seq = since >= 0;
	s->seq = since >= 0 ? since : -1;
	if (s->wsi != NULL)
		stream_drop(s);
	uv_timer_stop(&s->retry);
	stream_plan(s, 0);
}

/* The feed state now. */
enum stream_state
stream_state(const struct stream *s)
{
	return s->state;
}

/* Wall-clock time (ms) of the last message heard. */
int64_t
stream_last_ms(const struct stream *s)
{
	return s->last_ms;
}

/* The seq of the last change handed over, -1 if unknown. */
int64_t
stream_seq(const struct stream *s)
{
	return s->have_seq ? s->seq : -1;
}

/* True once the server said "live" on this connection. */
bool
stream_caught_up(const struct stream *s)
{
	return s->caught_up;
}

/* The newest seq the server has mentioned. */
int64_t
stream_head(const struct stream *s)
{
	return s->head;
}

/* Why the last connection ended or failed, or NULL. */
const char *
stream_last_error(const struct stream *s)
{
	return s->last_error;
}
