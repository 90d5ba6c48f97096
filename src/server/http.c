#include "compat.h"

#include <libwebsockets.h>
#include <uv.h>

#include "buf.h"
#include "http.h"
#include "hub.h"
#include "log.h"
#include "router.h"
#include "server.h"

#define HTTP_CHUNK_BYTES     (32 * 1024)
#define HTTP_HEADER_ROOM     2048
#define HTTP_TIMEOUT_S       LIMIT_HTTP_REQUEST_S
#define HTTP_KEEPALIVE_S     LIMIT_HTTP_KEEPALIVE_S
#define HTTP_HEADER_POOL     LIMIT_HTTP_CONNECTIONS
#define HTTP_DEFER_TIMEOUT_S LIMIT_HTTP_DEFER_S
#define HTTP_STREAM_CHUNK    EXPORT_CHUNK_BYTES  /* body asked of a producer per write */
#define HTTP_CHUNK_HEAD      12                  /* room for "%zx\r\n" before a chunk */
#define HTTP_CHUNK_TAIL      8                   /* "\r\n" after it, "0\r\n\r\n" at the end */

/* A deferred request's link back to its connection, cut when it closes. */
struct http_pending {
	struct lws *wsi;
	struct http_conn *conn;
};

/* Per-connection state; lws allocates it zeroed and frees it. */
struct http_conn {
	struct http_req req;
	size_t body_cap;
	bool body_too_large;
	bool in_request;
	struct http_pending *pending;
	struct http_resp resp;
	bool resp_ready;
	bool headers_sent;
	size_t sent;
	struct buf chunk;           /* a streamed reply's chunk being sent */
	bool stream_failed;         /* the producer gave up: close after this chunk */
};

/* Reply with v as JSON (reference stolen). */
void
resp_json(struct http_resp *r, int status, json_t *v)
{
	free(r->body);
	r->status = status;
	r->body = json_dumps(v, JSON_COMPACT);
	if (r->body == NULL)
		fatal("JSON encoding of a reply failed");
	r->body_len = strlen(r->body);
	r->content_type = "application/json";
	json_decref(v);
}

/* Build the error object {"error":{"code","message"}} plus extra members. */
static void
resp_error_va(struct http_resp *r, int status, const char *code, json_t *extra,
    const char *fmt, va_list ap)
{
	char msg[512];
	json_t *root;

	vsnprintf(msg, sizeof msg, fmt, ap);
	root = json_object();
	json_object_set_new(root, "error",
	    json_pack("{s:s, s:s}", "code", code, "message", msg));
	if (extra != NULL) {
		json_object_update(root, extra);
		json_decref(extra);
	}
	resp_json(r, status, root);
}

/* Reply {"error":{"code":code,"message":...}} with status. */
void
resp_error(struct http_resp *r, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	resp_error_va(r, status, code, NULL, fmt, ap);
	va_end(ap);
}

/* Like resp_error, with extra members added to the top-level object (stolen). */
void
resp_error_with(struct http_resp *r, int status, const char *code, json_t *extra,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	resp_error_va(r, status, code, extra, fmt, ap);
	va_end(ap);
}

/* Free what a reply holds. */
void
resp_release(struct http_resp *r)
{
	free(r->body);
	if (r->stream_free != NULL)
		r->stream_free(r->stream_arg);
	memset(r, 0, sizeof *r);
}

/* Make r a streamed 200 reply whose body fill produces. */
void
resp_stream(struct http_resp *r, const char *content_type,
    http_stream_fill_fn *fill, http_stream_free_fn *free_fn, void *arg)
{
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
	r->status = 200;
	r->content_type = content_type;
	r->stream_fill = fill;
	r->stream_free = free_fn;
	r->stream_arg = arg;
}

/* Value of query argument key, or NULL. */
const char *
http_arg(const struct http_req *req, const char *key)
{
	for (int i = 0; i < req->nargs; i++)
		if (strcmp(req->args[i].key, key) == 0)
			return req->args[i].value;
	return NULL;
}

/* Free everything a request holds and zero it. */
static void
http_req_release(struct http_req *req)
{
	free(req->path);
	for (int i = 0; i < req->nargs; i++)
		free(req->args[i].key);
	free(req->body);
	free(req->authorization);
	free(req->if_none_match);
	free(req->content_type);
	memset(req, 0, sizeof *req);
}

/* Copy header h into a new string, or NULL when absent or too long. */
static char *
http_header(struct lws *wsi, enum lws_token_indexes h)
{
	int len = lws_hdr_total_length(wsi, h);
	char *s;

	if (len <= 0 || len > LIMIT_HEADER_BYTES)
		return NULL;
	s = xmalloc((size_t)len + 1);
	if (lws_hdr_copy(wsi, s, len + 1, h) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* Keep printable ASCII only, for text that goes into the audit's source. */
static void
http_printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

/* Fill the request from the connection's headers; -1 when the URI is too long. */
static int
http_req_read(struct lws *wsi, struct http_req *req, const char *path)
{
	char frag[LIMIT_URI_BYTES], *ua;
	int m;
	char *uri;
	int urilen;

	m = lws_http_get_uri_and_method(wsi, &uri, &urilen);
	switch (m) {
	case LWSHUMETH_GET: req->method = HTTP_GET; break;
	case LWSHUMETH_POST: req->method = HTTP_POST; break;
	case LWSHUMETH_PUT: req->method = HTTP_PUT; break;
	case LWSHUMETH_PATCH: req->method = HTTP_PATCH; break;
	case LWSHUMETH_DELETE: req->method = HTTP_DELETE; break;
	default: req->method = HTTP_OTHER; break;
	}
	if (strlen(path) > LIMIT_URI_BYTES)
		return -1;
	req->path = xstrdup(path);
	for (int n = 0; req->nargs < HTTP_MAX_QUERY_ARGS; n++) {
		char *eq;

		if (lws_hdr_copy_fragment(wsi, frag, sizeof frag,
		    WSI_TOKEN_HTTP_URI_ARGS, n) < 0)
			break;
		eq = strchr(frag, '=');
		req->args[req->nargs].key = xstrdup(frag);
		if (eq != NULL) {
			req->args[req->nargs].key[eq - frag] = '\0';
			req->args[req->nargs].value = req->args[req->nargs].key + (eq - frag) + 1;
		} else {
			req->args[req->nargs].value = req->args[req->nargs].key + strlen(frag);
		}
		req->nargs++;
	}
	req->authorization = http_header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
	req->if_none_match = http_header(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH);
	req->content_type = http_header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE);
	if (lws_get_peer_simple(wsi, req->peer, sizeof req->peer) == NULL)
		snprintf(req->peer, sizeof req->peer, "unknown");
	ua = http_header(wsi, WSI_TOKEN_HTTP_USER_AGENT);
	if (ua != NULL)
		snprintf(req->source, sizeof req->source, "%.60s (%.90s)", req->peer, ua);
	else
		snprintf(req->source, sizeof req->source, "%s", req->peer);
	free(ua);
	http_printable(req->source);
	return 0;
}

/* Ask lws to call us when the reply can be written. */
static void
http_reply_ready(struct lws *wsi, struct http_conn *c)
{
	c->resp_ready = true;
	c->headers_sent = false;
	c->sent = 0;
	lws_callback_on_writable(wsi);
}

/* Hand a complete request to the router and arrange its reply. */
static void
http_dispatch(struct server *srv, struct lws *wsi, struct http_conn *c)
{
	struct http_pending *p = xcalloc(1, sizeof *p);
	enum route_result rr;

	c->in_request = false;
	if (c->req.body == NULL)
		c->req.body = xstrdup("");
	p->wsi = wsi;
	p->conn = c;
	c->req.pending = p;
	memset(&c->resp, 0, sizeof c->resp);
	rr = router_dispatch(srv, &c->req, &c->resp);
	http_req_release(&c->req);
	if (rr == ROUTE_DEFERRED) {
		c->pending = p;
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, HTTP_DEFER_TIMEOUT_S);
		return;
	}
	free(p);
	http_reply_ready(wsi, c);
}

/* Answer a deferred request; takes over resp's body. */
void
http_pending_reply(struct http_pending *p, struct http_resp *resp)
{
	if (p->wsi == NULL || p->conn == NULL) {
		resp_release(resp);
		free(p);
		return;
	}
	p->conn->pending = NULL;
	p->conn->resp = *resp;
	memset(resp, 0, sizeof *resp);
	lws_set_timeout(p->wsi, NO_PENDING_TIMEOUT, 0);
	http_reply_ready(p->wsi, p->conn);
	free(p);
}

/* Answer at once with an error, before the request reached the router. */
static void
http_refuse(struct lws *wsi, struct http_conn *c, int status, const char *code,
    const char *msg)
{
	c->in_request = false;
	memset(&c->resp, 0, sizeof c->resp);
	resp_error(&c->resp, status, code, "%s", msg);
	http_reply_ready(wsi, c);
}

/* Refuse a body over the route's limit. */
static void
http_refuse_large(struct lws *wsi, struct http_conn *c)
{
	char msg[96];

	snprintf(msg, sizeof msg, "the request body is larger than the limit of %zu bytes",
	    router_body_limit(c->req.method, c->req.path));
	http_refuse(wsi, c, 413, "too_large", msg);
}

/* Write a streamed reply's headers: chunked, no length. */
static int
http_stream_headers(struct lws *wsi, struct http_resp *r)
{
	unsigned char buf[LWS_PRE + HTTP_HEADER_ROOM];
	unsigned char *start = buf + LWS_PRE, *p = start;
	unsigned char *end = buf + sizeof buf - 1;
	const char *type = r->content_type != NULL ? r->content_type :
	    "application/json";

	if (lws_add_http_header_status(wsi, (unsigned int)r->status, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
	    (const unsigned char *)type, (int)strlen(type), &p, end) ||
	    lws_add_http_header_by_name(wsi,
	    (const unsigned char *)"transfer-encoding:",
	    (const unsigned char *)"chunked", 7, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
	    (const unsigned char *)"no-store", 8, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	return 0;
}

/*
 * Send the next chunk of a streamed reply: ask the producer for about
 * HTTP_STREAM_CHUNK bytes, frame them as one HTTP/1.1 chunk (with the last
 * chunk after them when the body is complete) and write them at once.  The
 * buffer keeps LWS_PRE and the chunk header's room in front of the body.
 * Returns 1 when the reply is over, 0 when more follows, -1 to close.
 */
static int
http_stream_next(struct lws *wsi, struct http_conn *c)
{
	struct http_resp *r = &c->resp;
	size_t pre = LWS_PRE + HTTP_CHUNK_HEAD, body;
	char head[HTTP_CHUNK_HEAD + 1];
	unsigned char *start;
	int rc, hl;

	if (c->stream_failed)
		return -1;
	if (c->chunk.max == 0)
		buf_init(&c->chunk, pre + LIMIT_EXPORT_LINE_BYTES + HTTP_STREAM_CHUNK +
		    HTTP_CHUNK_TAIL);
	buf_reset(&c->chunk);
	while (c->chunk.len < pre)
		buf_add(&c->chunk, "\0\0\0\0\0\0\0\0", 8 < pre - c->chunk.len ?
		    8 : pre - c->chunk.len);
	rc = r->stream_fill(r->stream_arg, &c->chunk, HTTP_STREAM_CHUNK);
	if (c->chunk.overflow)
		rc = -1;
	body = c->chunk.len - pre;
	if (body > 0) {
		hl = snprintf(head, sizeof head, "%zx\r\n", body);
		memcpy(c->chunk.data + pre - hl, head, (size_t)hl);
		buf_add(&c->chunk, "\r\n", 2);
	} else
		hl = 0;
	if (rc == 0)
		buf_add(&c->chunk, "0\r\n\r\n", 5);
	if (rc < 0)
		c->stream_failed = true;
	start = (unsigned char *)c->chunk.data + pre - hl;
	if (c->chunk.len > pre - hl) {
		size_t n = c->chunk.len - (pre - hl);

		if (lws_write(wsi, start, n, rc == 0 ? LWS_WRITE_HTTP_FINAL :
		    LWS_WRITE_HTTP) != (int)n)
			return -1;
	}
	if (rc == 0)
		return 1;
	lws_callback_on_writable(wsi);
	return 0;
}

/* Write the reply's headers, then its body in chunks, one write per callback. */
static int
http_write(struct lws *wsi, struct http_conn *c)
{
	unsigned char buf[LWS_PRE + HTTP_CHUNK_BYTES];
	unsigned char *start = buf + LWS_PRE, *p = start;
	unsigned char *end = buf + sizeof buf - 1;
	struct http_resp *r = &c->resp;
	size_t n;

	if (!c->resp_ready)
		return 0;
	if (r->stream_fill != NULL) {
		int rc;

		if (!c->headers_sent) {
			if (http_stream_headers(wsi, r) != 0)
				return -1;
			c->headers_sent = true;
			lws_callback_on_writable(wsi);
			return 0;
		}
		if ((rc = http_stream_next(wsi, c)) <= 0)
			return rc;
		goto done;
	}
	if (!c->headers_sent) {
		char tmp[32];

		if (lws_add_http_common_headers(wsi, (unsigned int)r->status,
		    r->content_type != NULL ? r->content_type : "application/json",
		    r->body_len, &p, end) ||
		    lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
		    (const unsigned char *)"no-store", 8, &p, end))
			return -1;
		if (r->retry_after > 0) {
			int len = snprintf(tmp, sizeof tmp, "%d", r->retry_after);
			if (lws_add_http_header_by_name(wsi,
			    (const unsigned char *)"retry-after:",
			    (const unsigned char *)tmp, len, &p, end))
				return -1;
		}
		if (r->etag[0] != '\0' && lws_add_http_header_by_name(wsi,
		    (const unsigned char *)"etag:", (const unsigned char *)r->etag,
		    (int)strlen(r->etag), &p, end))
			return -1;
		if (r->www_authenticate != NULL && lws_add_http_header_by_name(wsi,
		    (const unsigned char *)"www-authenticate:",
		    (const unsigned char *)r->www_authenticate,
		    (int)strlen(r->www_authenticate), &p, end))
			return -1;
		if (lws_finalize_write_http_header(wsi, start, &p, end))
			return -1;
		c->headers_sent = true;
		if (r->body_len > 0) {
			lws_callback_on_writable(wsi);
			return 0;
		}
	} else {
		n = r->body_len - c->sent;
		if (n > HTTP_CHUNK_BYTES)
			n = HTTP_CHUNK_BYTES;
		memcpy(start, r->body + c->sent, n);
		c->sent += n;
		if (lws_write(wsi, start, n, c->sent == r->body_len ?
		    LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
			return -1;
		if (c->sent < r->body_len) {
			lws_callback_on_writable(wsi);
			return 0;
		}
	}
done:
	resp_release(r);
	c->resp_ready = false;
	if (lws_http_transaction_completed(wsi))
		return -1;
	return 0;
}

/* Forget a connection's state when lws closes it. */
static void
http_conn_release(struct http_conn *c)
{
	if (c->pending != NULL) {
		c->pending->wsi = NULL;
		c->pending->conn = NULL;
		c->pending = NULL;
	}
	http_req_release(&c->req);
	resp_release(&c->resp);
	buf_release(&c->chunk);
	c->stream_failed = false;
	c->resp_ready = false;
}

/* The lws callback for plain HTTP requests. */
static int
http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct http_conn *c = user;
	struct server *srv = lws_context_user(lws_get_context(wsi));

	switch (reason) {
	case LWS_CALLBACK_HTTP: {
		int clen;

		http_conn_release(c);
		c->in_request = true;
		c->body_too_large = false;
		c->body_cap = 0;
		if (http_req_read(wsi, &c->req, in != NULL ? in : "/") != 0) {
			http_refuse(wsi, c, 414, "too_large", "the URI is too long");
			return 0;
		}
		clen = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
		if (clen > 0) {
			char num[32];
			long long cl;

			lws_hdr_copy(wsi, num, sizeof num, WSI_TOKEN_HTTP_CONTENT_LENGTH);
			cl = strtoll(num, NULL, 10);
			if (cl < 0 || (unsigned long long)cl >
			    router_body_limit(c->req.method, c->req.path)) {
				http_refuse_large(wsi, c);
				return 0;
			}
			if (cl > 0)
				return 0; /* the body follows */
		}
		http_dispatch(srv, wsi, c);
		return 0;
	}
	case LWS_CALLBACK_HTTP_BODY:
		if (!c->in_request || c->body_too_large)
			return 0;
		if (c->req.body_len + len > router_body_limit(c->req.method, c->req.path)) {
			c->body_too_large = true;
			return 0;
		}
		if (c->req.body_len + len + 1 > c->body_cap) {
			/* Doubling: a large import body is not copied over and over. */
			while (c->req.body_len + len + 1 > c->body_cap)
				c->body_cap = c->body_cap < 4096 ? 4096 : c->body_cap * 2;
			c->req.body = xrealloc(c->req.body, c->body_cap);
		}
		memcpy(c->req.body + c->req.body_len, in, len);
		c->req.body_len += len;
		c->req.body[c->req.body_len] = '\0';
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (!c->in_request)
			return 0;
		if (c->body_too_large) {
			http_refuse_large(wsi, c);
			return 0;
		}
		http_dispatch(srv, wsi, c);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return http_write(wsi, c);
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* A WebSocket upgrade without the stream's subprotocol. */
		return -1;
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (c != NULL)
			http_conn_release(c);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* The lws callback of the stream's subprotocol: the hub handles it. */
static int
http_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	return hub_callback(wsi, (int)reason, user, in, len);
}

static struct lws_protocols http_protocols[] = {
	{ "http", http_callback, sizeof(struct http_conn), 0, 0, NULL, 0 },
	{ HUB_SUBPROTOCOL, http_ws_callback, 0, HUB_RX_MAX, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* Route libwebsockets' own log lines into ours. */
static void
http_lws_log(int level, const char *line)
{
	size_t n = strlen(line);

	while (n > 0 && line[n - 1] == '\n')
		n--;
	if (level & LLL_ERR)
		log_error("lws: %.*s", (int)n, line);
	else
		log_warn("lws: %.*s", (int)n, line);
}

/* Create the listening context on the server's loop; -1 with *cause. */
int
http_start(struct server *srv, char **cause)
{
	struct lws_context_creation_info info;
	void *loops[1] = { srv->loop };
	struct lws_vhost *vh;

	lws_set_log_level(LLL_ERR | LLL_WARN, http_lws_log);
	http_protocols[1].per_session_data_size = hub_client_size();
	memset(&info, 0, sizeof info);
	info.port = srv->cfg.listen_port;
	info.iface = srv->cfg.listen_addr;
	info.protocols = http_protocols;
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8;
	if (strchr(srv->cfg.listen_addr, ':') == NULL)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	info.foreign_loops = loops;
	info.user = srv;
	info.max_http_header_data = LIMIT_HEADER_BYTES;
	info.max_http_header_pool = HTTP_HEADER_POOL;
	info.timeout_secs = HTTP_TIMEOUT_S;
	info.keepalive_timeout = HTTP_KEEPALIVE_S;
	info.vhost_name = "vigild";
	if (srv->cfg.cert_path != NULL) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = srv->cfg.cert_path;
		info.ssl_private_key_filepath = srv->cfg.key_path;
	}
	srv->lws = lws_create_context(&info);
	if (srv->lws == NULL) {
		*cause = xasprintf("cannot listen on %s:%d (see the log above)",
		    srv->cfg.listen_addr, srv->cfg.listen_port);
		return -1;
	}
	vh = lws_get_vhost_by_name(srv->lws, "vigild");
	srv->bound_port = vh != NULL ? lws_get_vhost_listen_port(vh) : -1;
	if (srv->bound_port <= 0) {
		*cause = xasprintf("cannot listen on %s:%d", srv->cfg.listen_addr,
		    srv->cfg.listen_port);
		lws_context_destroy(srv->lws);
		srv->lws = NULL;
		return -1;
	}
	return 0;
}

/* Stop listening and close every connection. */
void
http_stop(struct server *srv)
{
	if (srv->lws != NULL)
		lws_context_destroy(srv->lws);
	srv->lws = NULL;
}
