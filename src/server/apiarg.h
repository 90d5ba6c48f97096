/*
 * apiarg.h: what the API handlers read from a request before they act: the
 * ids and keys in its path, its query arguments and its JSON body.  Each
 * reader replies what is wrong (400 malformed, 404 not_found) itself, so a
 * handler only returns when it is told the request was refused.
 */
#ifndef VIGIL_APIARG_H
#define VIGIL_APIARG_H

#include <stdint.h>

#include <jansson.h>

struct server;
struct http_req;
struct http_resp;

/* Path parameter i as a positive id (at most 18 digits), or 0. */
int64_t apiarg_path_id(const struct http_req *req, int i);

/* The request body as JSON; NULL after replying 400. */
json_t *apiarg_json(const struct http_req *req, struct http_resp *resp);
/* The request body as a JSON object; NULL after replying 400. */
json_t *apiarg_object(const struct http_req *req, struct http_resp *resp);

/*
 * Read query argument name as a decimal integer in [min, max] into *v (left
 * alone when absent); -1 after replying 400.
 */
int apiarg_int(const struct http_req *req, struct http_resp *resp,
    const char *name, int64_t min, int64_t max, int64_t *v);
/*
 * Read query argument name as an ISO 8601 time (vtime_parse) into *ms (left
 * alone when absent); -1 after replying 400.
 */
int apiarg_time(const struct http_req *req, struct http_resp *resp,
    const char *name, int64_t *ms);

/* Refuse query arguments not in known (NULL-terminated); -1 after replying 400. */
int apiarg_known(const struct http_req *req, struct http_resp *resp,
    const char *const *known);

/*
 * The id of the site called key if the caller may see it; 0 after replying
 * 404 (no such site, or not the caller's: the two look the same), -1 after
 * replying 500 on a store error.
 */
int64_t apiarg_site(struct server *srv, const struct http_req *req,
    struct http_resp *resp, const char *key);

#endif
