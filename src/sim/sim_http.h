/*
 * sim_http.h: one HTTP client per thread, posting JSON with Basic auth.
 *
 * A thin layer over a libcurl easy handle: http and https only, connect and
 * whole-request timeouts, the reply body capped, Retry-After read, and the
 * request cut short when the run is aborted.
 */
#ifndef VIGIL_SIM_HTTP_H
#define VIGIL_SIM_HTTP_H

#include <stddef.h>

#define SIM_HTTP_ETAG_MAX 128    /* longest ETag kept */

struct sim_http;

/* What the server answered. */
struct sim_http_reply {
	long status;          /* HTTP status */
	long retry_after_s;   /* Retry-After in seconds, or 0 */
	char *body;           /* NUL-terminated, owned by the client */
	size_t len;
	const char *etag;     /* the ETag header of a GET, "" when none */
};

/* Call once before any thread starts, and sim_http_cleanup() at the end. */
int sim_http_init(char **cause);
void sim_http_cleanup(void);
/* A client for the server at base_url ("http://host:port", no path). */
struct sim_http *sim_http_new(const char *base_url);
void sim_http_free(struct sim_http *h);
/*
 * POST body to base_url + path as user:password.  Returns 0 with *reply
 * filled (valid until the next call) when the server answered at all, or -1
 * with *cause (caller frees) on a connection error, a timeout or an abort.
 */
int sim_http_post(struct sim_http *h, const char *path, const char *user,
    const char *password, const char *body, size_t len,
    struct sim_http_reply *reply, char **cause);
/*
 * GET base_url + path as user:password, with If-None-Match: etag when etag
 * is not NULL or "".  Returns like sim_http_post; reply->etag holds the
 * reply's ETag (at most SIM_HTTP_ETAG_MAX characters, else "").
 */
int sim_http_get(struct sim_http *h, const char *path, const char *user,
    const char *password, const char *etag, struct sim_http_reply *reply,
    char **cause);
/*
 * A printable one-line account of an error reply: "422 invalid: message"
 * from {"error":{"code","message"}}, or the start of the body made safe for
 * a terminal.  Caller frees.
 */
char *sim_http_describe(const struct sim_http_reply *reply);

#endif
