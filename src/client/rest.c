#include "compat.h"

#include <curl/curl.h>

#include "buf.h"
#include "jsonx.h"
#include "log.h"
#include "rest.h"

/*
 * libcurl's multi-socket interface on a libuv loop: curl tells us which
 * sockets to watch (rest_on_socket) and when to call it back for timeouts
 * (rest_on_timer_set); the loop tells curl when a socket is ready or the
 * timer fired, and finished transfers are collected after each such call.
 */

/* A socket curl asked us to watch. */
struct rest_sock {
	uv_poll_t poll;
	curl_socket_t fd;
	struct rest *r;
	struct rest_sock *prev, *next;
};

struct rest_req {
	struct rest *r;
	CURL *easy;
	struct curl_slist *headers;
	char *url;
	char *body;
	struct buf reply;
	bool too_large;
	char errbuf[CURL_ERROR_SIZE];
	rest_done_fn *done;
	void *arg;
	struct rest_req *prev, *next;
};

struct rest {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;
	char *base;
	char *auth;           /* "Authorization: Bearer ..." or NULL */
	struct rest_req *reqs;
	struct rest_sock *socks;
	int npending;
};

/* How many struct rest are alive, to pair curl_global_init and cleanup. */
static int rest_users;

/* Append what curl received to the reply, refusing more than the cap. */
static size_t
rest_on_write(char *data, size_t size, size_t n, void *arg)
{
	struct rest_req *req = arg;

	if (buf_add(&req->reply, data, size * n) != 0) {
		req->too_large = true;
		return 0;
	}
	return size * n;
}

/* Free a call and everything it holds (it must be out of the multi). */
static void
rest_req_free(struct rest_req *req)
{
	curl_easy_cleanup(req->easy);
	curl_slist_free_all(req->headers);
	free(req->url);
	free(req->body);
	buf_release(&req->reply);
	free(req);
}

/* Take a call out of the multi handle and the pending list. */
static void
rest_req_unlink(struct rest_req *req)
{
	struct rest *r = req->r;

	curl_multi_remove_handle(r->multi, req->easy);
	if (req->prev != NULL)
		req->prev->next = req->next;
	else
		r->reqs = req->next;
	if (req->next != NULL)
		req->next->prev = req->prev;
	r->npending--;
}

/* Read error.code and error.message of a vigild error reply. */
static void
rest_read_error(struct rest_reply *reply)
{
	json_t *err = json_object_get(reply->json, "error");
	const char *code = json_string_value(json_object_get(err, "code"));
	const char *msg = json_string_value(json_object_get(err, "message"));

	if (code != NULL)
		reply->code = xstrdup(code);
	if (msg != NULL)
		reply->error = xstrdup(msg);
	else
		reply->error = xasprintf("the server answered HTTP %ld", reply->status);
}

/* Build the reply of a finished call. */
static void
rest_reply_fill(struct rest_req *req, CURLcode result, struct rest_reply *reply)
{
	char err[JSONX_ERR_LEN];
	curl_off_t after = 0;

	memset(reply, 0, sizeof *reply);
	reply->retry_after = -1;
	if (req->too_large) {
		reply->error = xasprintf("the reply is larger than %d bytes",
		    LIMIT_RESPONSE_BYTES);
		return;
	}
	if (result != CURLE_OK) {
		reply->error = xstrdup(req->errbuf[0] != '\0' ? req->errbuf :
		    curl_easy_strerror(result));
		return;
	}
	curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &reply->status);
	if (curl_easy_getinfo(req->easy, CURLINFO_RETRY_AFTER, &after) ==
	    CURLE_OK && after > 0)
		reply->retry_after = (int64_t)after;
	if (req->reply.len > 0) {
		reply->json = jsonx_parse(req->reply.data, req->reply.len, err,
		    sizeof err);
		if (reply->json == NULL)
			log_debug("rest: %s: reply is not JSON: %s", req->url, err);
	}
	if (reply->status >= 400)
		rest_read_error(reply);
}

/* Free what a reply holds. */
void
rest_reply_release(struct rest_reply *reply)
{
	json_decref(reply->json);
	free(reply->error);
	free(reply->code);
	memset(reply, 0, sizeof *reply);
	reply->retry_after = -1;
}

/* Hand every finished transfer to its callback. */
static void
rest_collect(struct rest *r)
{
	struct rest_reply reply;
	struct rest_req *req;
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(r->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		req = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&req);
		if (req == NULL)
			fatal("rest: a transfer without its call");
		rest_reply_fill(req, m->data.result, &reply);
		rest_req_unlink(req);
		if (reply.status == 0)
			log_debug("rest: %s: %s", req->url, reply.error);
		req->done(req->arg, &reply);
		rest_reply_release(&reply);
		rest_req_free(req);
	}
}

/* A watched socket is ready (or failed): let curl act on it. */
static void
rest_on_poll(uv_poll_t *h, int status, int events)
{
	struct rest_sock *sk = h->data;
	struct rest *r = sk->r;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	else {
		if (events & UV_READABLE)
			flags |= CURL_CSELECT_IN;
		if (events & UV_WRITABLE)
			flags |= CURL_CSELECT_OUT;
	}
	curl_multi_socket_action(r->multi, sk->fd, flags, &running);
	rest_collect(r);
}

/* Free a socket watcher once libuv has closed it. */
static void
rest_sock_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Stop watching a socket and forget it. */
static void
rest_sock_close(struct rest_sock *sk)
{
	struct rest *r = sk->r;

	if (sk->prev != NULL)
		sk->prev->next = sk->next;
	else
		r->socks = sk->next;
	if (sk->next != NULL)
		sk->next->prev = sk->prev;
	uv_poll_stop(&sk->poll);
	uv_close((uv_handle_t *)&sk->poll, rest_sock_closed);
}

/* curl says what to watch on socket fd: start, change or stop watching it. */
static int
rest_on_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct rest *r = arg;
	struct rest_sock *sk = sockp;
	int events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (sk != NULL) {
			rest_sock_close(sk);
			curl_multi_assign(r->multi, fd, NULL);
		}
		return 0;
	}
	if (sk == NULL) {
		sk = xcalloc(1, sizeof *sk);
		sk->fd = fd;
		sk->r = r;
		if (uv_poll_init_socket(r->loop, &sk->poll, fd) != 0) {
			free(sk);
			log_error("rest: cannot watch socket %d", (int)fd);
			return -1;
		}
		sk->poll.data = sk;
		sk->next = r->socks;
		if (r->socks != NULL)
			r->socks->prev = sk;
		r->socks = sk;
		curl_multi_assign(r->multi, fd, sk);
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= UV_READABLE;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= UV_WRITABLE;
	uv_poll_start(&sk->poll, events, rest_on_poll);
	return 0;
}

/* curl's timeout expired: let it act. */
static void
rest_on_timer(uv_timer_t *h)
{
	struct rest *r = h->data;
	int running;

	curl_multi_socket_action(r->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	rest_collect(r);
}

/* curl asks to be called back in ms milliseconds (-1: never). */
static int
rest_on_timer_set(CURLM *multi, long ms, void *arg)
{
	struct rest *r = arg;

	if (ms < 0)
		uv_timer_stop(&r->timer);
	else
		uv_timer_start(&r->timer, rest_on_timer, (uint64_t)ms, 0);
	return 0;
}

/* Set up calls to the server at base_url on loop; NULL with *cause. */
struct rest *
rest_new(uv_loop_t *loop, const char *base_url, const char *token, char **cause)
{
	struct rest *r;
	size_t n;

	if (strncmp(base_url, "http://", 7) != 0 &&
	    strncmp(base_url, "https://", 8) != 0) {
		*cause = xasprintf("\"%s\" is not an http:// or https:// URL",
		    base_url);
		return NULL;
	}
	if (rest_users++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		rest_users--;
		*cause = xstrdup("libcurl cannot start");
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->loop = loop;
	r->base = xstrdup(base_url);
	n = strlen(r->base);
	while (n > 0 && r->base[n - 1] == '/')
		r->base[--n] = '\0';
	rest_set_token(r, token);
	r->multi = curl_multi_init();
	if (r->multi == NULL)
		fatal("rest: curl_multi_init failed");
	curl_multi_setopt(r->multi, CURLMOPT_SOCKETFUNCTION, rest_on_socket);
	curl_multi_setopt(r->multi, CURLMOPT_SOCKETDATA, r);
	curl_multi_setopt(r->multi, CURLMOPT_TIMERFUNCTION, rest_on_timer_set);
	curl_multi_setopt(r->multi, CURLMOPT_TIMERDATA, r);
	uv_timer_init(loop, &r->timer);
	r->timer.data = r;
	return r;
}

/* Free the struct rest once its timer is closed. */
static void
rest_closed(uv_handle_t *h)
{
	struct rest *r = h->data;

	free(r->base);
	free(r->auth);
	free(r);
	if (--rest_users == 0)
		curl_global_cleanup();
}

/* Cancel every pending call and free r; its handles close asynchronously. */
void
rest_free(struct rest *r)
{
	if (r == NULL)
		return;
	while (r->reqs != NULL)
		rest_cancel(r->reqs);
	curl_multi_cleanup(r->multi);
	r->multi = NULL;
	while (r->socks != NULL)
		rest_sock_close(r->socks);
	uv_timer_stop(&r->timer);
	uv_close((uv_handle_t *)&r->timer, rest_closed);
}

/* Replace the bearer token for calls started from now on. */
void
rest_set_token(struct rest *r, const char *token)
{
	free(r->auth);
	r->auth = token != NULL ? xasprintf("Authorization: Bearer %s", token) :
	    NULL;
}

/* The base URL as given to rest_new (without trailing slashes). */
const char *
rest_url(const struct rest *r)
{
	return r->base;
}

/* The number of calls still pending. */
int
rest_pending(const struct rest *r)
{
	return r->npending;
}

/* Set the options of a call's easy handle; -1 when curl refuses one. */
static int
rest_req_setup(struct rest_req *req, const char *method)
{
	struct rest *r = req->r;
	CURL *e = req->easy;
	CURLcode rc = CURLE_OK;

	req->headers = curl_slist_append(req->headers, "Accept: application/json");
	req->headers = curl_slist_append(req->headers, "Expect:");
	if (r->auth != NULL)
		req->headers = curl_slist_append(req->headers, r->auth);
	if (req->body != NULL)
		req->headers = curl_slist_append(req->headers,
		    "Content-Type: application/json");
	if (req->headers == NULL)
		fatal("rest: out of memory");

#define REST_SET(opt, val) \
	do { if (rc == CURLE_OK) rc = curl_easy_setopt(e, opt, val); } while (0)
	REST_SET(CURLOPT_URL, req->url);
	REST_SET(CURLOPT_PROTOCOLS_STR, "http,https");
	REST_SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	REST_SET(CURLOPT_FOLLOWLOCATION, 0L);
	REST_SET(CURLOPT_NOSIGNAL, 1L);
	REST_SET(CURLOPT_CONNECTTIMEOUT, (long)CLIENT_CONNECT_TIMEOUT_S);
	REST_SET(CURLOPT_TIMEOUT, (long)CLIENT_REQUEST_TIMEOUT_S);
	REST_SET(CURLOPT_TCP_KEEPALIVE, 1L);
	REST_SET(CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
	REST_SET(CURLOPT_HTTPHEADER, req->headers);
	REST_SET(CURLOPT_WRITEFUNCTION, rest_on_write);
	REST_SET(CURLOPT_WRITEDATA, req);
	REST_SET(CURLOPT_ERRORBUFFER, req->errbuf);
	REST_SET(CURLOPT_PRIVATE, req);
	if (strcmp(method, "GET") == 0)
		REST_SET(CURLOPT_HTTPGET, 1L);
	else if (strcmp(method, "POST") == 0) {
		REST_SET(CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
		REST_SET(CURLOPT_POSTFIELDSIZE, req->body != NULL ?
		    (long)strlen(req->body) : 0L);
	} else {
		REST_SET(CURLOPT_CUSTOMREQUEST, method);
		if (req->body != NULL) {
			REST_SET(CURLOPT_POSTFIELDS, req->body);
			REST_SET(CURLOPT_POSTFIELDSIZE, (long)strlen(req->body));
		}
	}
#undef REST_SET
	return rc == CURLE_OK ? 0 : -1;
}

/* Start a call of method on path with body (stolen); NULL with *cause. */
struct rest_req *
rest_request(struct rest *r, const char *method, const char *path,
    json_t *body, rest_done_fn *done, void *arg, char **cause)
{
	struct rest_req *req;

	if (path[0] != '/') {
		json_decref(body);
		*cause = xasprintf("bad API path \"%s\"", path);
		return NULL;
	}
	req = xcalloc(1, sizeof *req);
	req->r = r;
	req->done = done;
	req->arg = arg;
	req->url = xasprintf("%s%s", r->base, path);
	buf_init(&req->reply, LIMIT_RESPONSE_BYTES);
	if (body != NULL) {
		req->body = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		if (req->body == NULL)
			fatal("rest: cannot encode a request body");
	}
	if ((req->easy = curl_easy_init()) == NULL)
		fatal("rest: curl_easy_init failed");
	if (rest_req_setup(req, method) != 0 ||
	    curl_multi_add_handle(r->multi, req->easy) != CURLM_OK) {
		*cause = xasprintf("cannot start %s %s", method, req->url);
		rest_req_free(req);
		return NULL;
	}
	req->next = r->reqs;
	if (r->reqs != NULL)
		r->reqs->prev = req;
	r->reqs = req;
	r->npending++;
	return req;
}

/* Abandon a pending call without calling its callback. */
void
rest_cancel(struct rest_req *req)
{
	rest_req_unlink(req);
	rest_req_free(req);
}

/* Where rest_call waits for its one reply. */
struct rest_wait {
	bool done;
	struct rest_reply *out;
};

/* Keep the reply of a synchronous call. */
static void
rest_call_done(void *arg, const struct rest_reply *reply)
{
	struct rest_wait *w = arg;

	w->out->status = reply->status;
	w->out->json = json_incref(reply->json);
	w->out->error = reply->error != NULL ? xstrdup(reply->error) : NULL;
	w->out->code = reply->code != NULL ? xstrdup(reply->code) : NULL;
	w->out->retry_after = reply->retry_after;
	w->done = true;
}

/* Make one call and run the loop until it ends. */
void
rest_call(struct rest *r, const char *method, const char *path, json_t *body,
    struct rest_reply *out)
{
	struct rest_wait w;
	char *cause = NULL;

	memset(out, 0, sizeof *out);
	out->retry_after = -1;
	w.done = false;
	w.out = out;
	if (rest_request(r, method, path, body, rest_call_done, &w, &cause) == NULL) {
		out->error = cause;
		return;
	}
	while (!w.done)
		uv_run(r->loop, UV_RUN_ONCE);
}

/* Append "?name=value" or "&name=value" to *path, value percent-encoded. */
void
rest_query_add(char **path, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(value);
	char *enc = xmalloc(n * 3 + 1), *p = enc, *out;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)value[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~')
			*p++ = (char)ch;
		else {
			*p++ = '%';
			*p++ = hex[ch >> 4];
			*p++ = hex[ch & 0xf];
		}
	}
	*p = '\0';
	out = xasprintf("%s%c%s=%s", *path, strchr(*path, '?') != NULL ? '&' : '?',
	    name, enc);
	free(enc);
	free(*path);
	*path = out;
}
