/*
 * http.h: requests and replies as the API modules see them.
 *
 * http.c owns the libwebsockets side: it reads a request whole (headers, the
 * body up to LIMIT_BODY_BYTES), hands it to router_dispatch(), and writes the
 * reply.  A handler either fills the reply at once (ROUTE_DONE) or keeps
 * req->pending and answers later with http_pending_reply() (ROUTE_DEFERRED),
 * which is how ingest answers only after its group commit.
 *
 * A handler may also stream its reply (ROUTE_STREAMED, set up with
 * resp_stream): http.c sends the headers with chunked transfer encoding,
 * then each time the socket can take more it asks the producer for the next
 * part of the body and sends it as one chunk.  Nothing is produced faster
 * than the client reads, so memory stays flat however long the body is.
 */
#ifndef VIGIL_HTTP_H
#define VIGIL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vlimits.h"

#include "auth.h"

#define HTTP_MAX_QUERY_ARGS LIMIT_QUERY_ARGS
#define HTTP_MAX_PATH_PARAMS 4

enum http_method { HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_DELETE, HTTP_PATCH, HTTP_OTHER };

struct http_pending;
struct buf;

/*
 * A streamed reply's producer: append the next part of the body to out
 * (empty when called), about want bytes of whole lines.  Returns 1 when more
 * follows, 0 when the body is complete with what it appended, -1 when it
 * cannot go on: what it appended is still sent, then the connection is
 * closed without the last chunk, so the client sees a cut reply.
 */
typedef int http_stream_fill_fn(void *arg, struct buf *out, size_t want);
/* Free a producer's state: after its last fill, or when the client went away. */
typedef void http_stream_free_fn(void *arg);

struct http_arg {
	char *key;
	char *value;  /* percent-decoded */
};

struct http_req {
	enum http_method method;
	char *path;                 /* percent-decoded, without the query */
	struct http_arg args[HTTP_MAX_QUERY_ARGS];
	int nargs;
	char *body;                 /* NUL-terminated copy; body_len excludes the NUL */
	size_t body_len;
	char *authorization;        /* header value or NULL */
	char *if_none_match;        /* header value or NULL */
	char *content_type;         /* header value or NULL */
	char peer[64];              /* remote address */
	char source[160];           /* "127.0.0.1" plus what the client says of itself */
	const char *params[HTTP_MAX_PATH_PARAMS]; /* path parameters from the route */
	int nparams;
	struct principal who;       /* set by the router before the handler runs */
	struct http_pending *pending; /* set by http.c; see ROUTE_DEFERRED */
};

struct http_resp {
	int status;
	char *body;                 /* malloc'd; NULL for none */
	size_t body_len;
	const char *content_type;   /* default application/json */
	int retry_after;            /* seconds; 0 = no header */
	char etag[80];              /* "" = no header */
	const char *www_authenticate; /* NULL = no header */
	http_stream_fill_fn *stream_fill; /* set by resp_stream, else NULL */
	http_stream_free_fn *stream_free;
	void *stream_arg;
};

enum route_result { ROUTE_DONE, ROUTE_DEFERRED, ROUTE_STREAMED };

/* Reply with v as JSON (reference stolen). */
void resp_json(struct http_resp *r, int status, json_t *v);
/* Reply {"error":{"code":code,"message":...}} with status. */
void resp_error(struct http_resp *r, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Like resp_error, with extra members added to the top-level object (stolen). */
void resp_error_with(struct http_resp *r, int status, const char *code,
    json_t *extra, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Free what a reply holds. */
void resp_release(struct http_resp *r);
/*
 * Make r a streamed 200 reply of content_type whose body fill produces
 * (free_fn frees arg once the reply is over); the handler then returns
 * ROUTE_STREAMED.
 */
void resp_stream(struct http_resp *r, const char *content_type,
    http_stream_fill_fn *fill, http_stream_free_fn *free_fn, void *arg);

/* Value of query argument key, or NULL. */
const char *http_arg(const struct http_req *req, const char *key);

/*
 * Answer a deferred request; takes over resp's body.  Safe when the client
 * has gone away meanwhile (the reply is then dropped).  Frees p.
 */
void http_pending_reply(struct http_pending *p, struct http_resp *resp);

struct server;
/* Create the listening context on the server's loop; -1 with *cause. */
int http_start(struct server *srv, char **cause);
/* Stop listening and close every connection. */
void http_stop(struct server *srv);

#endif
