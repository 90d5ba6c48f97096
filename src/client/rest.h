/*
 * rest.h: REST calls to vigild, driven by the caller's libuv loop.
 *
 * One struct rest per server: a libcurl multi handle whose sockets and
 * timer are watched by the loop (no threads, no polling).  Each call sends
 * "Authorization: Bearer TOKEN" when a token is set, a JSON body when one is
 * given, and hands the reply to a callback as a status and parsed JSON.
 *
 * Only http and https are spoken, redirects are not followed, a reply is
 * read up to LIMIT_RESPONSE_BYTES, and a call gives up after
 * CLIENT_CONNECT_TIMEOUT_S to connect and CLIENT_REQUEST_TIMEOUT_S in all.
 *
 *	struct rest *r = rest_new(loop, "http://127.0.0.1:8080", token, &cause);
 *	rest_request(r, "GET", "/api/v1/guards", NULL, on_guards, ctx);
 *	...
 *	rest_free(r);   (then let the loop run to close its handles)
 */
#ifndef VIGIL_REST_H
#define VIGIL_REST_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

struct rest;
struct rest_req;

/* What came back from one call; valid only during the callback. */
struct rest_reply {
	/*
	 * The HTTP status, or 0 when no reply came (the server could not be
	 * reached, the call timed out, the reply was too large); error says why.
	 */
	long status;
	/* The body parsed as JSON, or NULL when it was empty or not JSON. */
	json_t *json;
	/*
	 * A message for a person: the transport error when status is 0, the
	 * server's error.message for a status of 400 or more, else NULL.
	 */
	char *error;
	/* The server's error.code ("unauthorized", "throttled"...), or NULL. */
	char *code;
	/* Seconds from a Retry-After header, or -1 when there was none. */
	int64_t retry_after;
};

/*
 * Called once per call when it ends.  The reply and its JSON are freed when
 * the callback returns: json_incref what you keep.  The callback may start
 * further calls; it must not free the struct rest.
 */
typedef void rest_done_fn(void *arg, const struct rest_reply *reply);

/*
 * Set up calls to the server at base_url ("http://host:port", optionally with
 * a path prefix) on loop.  token may be NULL (for the login call).  NULL with
 * *cause when the URL is not http or https or libcurl cannot start.
 */
struct rest *rest_new(uv_loop_t *loop, const char *base_url, const char *token,
    char **cause);
/*
 * Cancel every pending call (their callbacks are not called) and free r.
 * Its handles close asynchronously: run the loop afterwards before
 * uv_loop_close.
 */
void rest_free(struct rest *r);
/* Replace the bearer token (NULL for none) for calls started from now on. */
void rest_set_token(struct rest *r, const char *token);
/* The base URL as given to rest_new. */
const char *rest_url(const struct rest *r);

/*
 * Start a call: method ("GET", "POST") on path ("/api/v1/alarms?state=open",
 * appended to the base URL) with body (stolen; NULL for none).  done is
 * called once with the outcome, never from inside rest_request.  Returns a
 * handle for rest_cancel, or NULL with *cause when the call cannot start.
 */
struct rest_req *rest_request(struct rest *r, const char *method,
    const char *path, json_t *body, rest_done_fn *done, void *arg,
    char **cause);
/*
 * Append "?name=value" (or "&name=value" when *path has a query already) to
 * the path *path (reallocated), value percent-encoded.
 */
void rest_query_add(char **path, const char *name, const char *value);
/* Abandon a pending call: its callback will not be called. */
void rest_cancel(struct rest_req *req);
/* The number of calls still pending. */
int rest_pending(const struct rest *r);

/*
 * Make one call and run the loop until it ends: for headless commands that
 * have nothing else to do meanwhile.  Fills *out (release it with
 * rest_reply_release); out->status is 0 with out->error when no reply came.
 */
void rest_call(struct rest *r, const char *method, const char *path,
    json_t *body, struct rest_reply *out);
/* Free what a reply filled by rest_call holds. */
void rest_reply_release(struct rest_reply *reply);

#endif
