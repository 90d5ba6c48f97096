#include "compat.h"

#include <sqlite3.h>

#include "apiarg.h"
#include "auth.h"
#include "buf.h"
#include "http.h"
#include "jsonx.h"
#include "server.h"
#include "store.h"
#include "vtime.h"

/* Path parameter i as a positive id, or 0. */
int64_t
apiarg_path_id(const struct http_req *req, int i)
{
	const char *p = i < req->nparams ? req->params[i] : NULL;
	int64_t id = 0;

	if (p == NULL || *p == '\0' || strlen(p) > 18)
		return 0;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		id = id * 10 + (*p - '0');
	}
	return id;
}

/* The request body as JSON; NULL after replying 400. */
json_t *
apiarg_json(const struct http_req *req, struct http_resp *resp)
{
	char err[JSONX_ERR_LEN];
	json_t *v;

	if (req->body == NULL || req->body_len == 0) {
		resp_error(resp, 400, "malformed", "a JSON body is required");
		return NULL;
	}
	if ((v = jsonx_parse(req->body, req->body_len, err, sizeof err)) == NULL) {
		resp_error(resp, 400, "malformed", "%s", err);
		return NULL;
	}
	return v;
}

/* The request body as a JSON object; NULL after replying 400. */
json_t *
apiarg_object(const struct http_req *req, struct http_resp *resp)
{
	json_t *v;

	if ((v = apiarg_json(req, resp)) == NULL)
		return NULL;
	if (!json_is_object(v)) {
		json_decref(v);
		resp_error(resp, 400, "malformed", "the body must be a JSON object");
		return NULL;
	}
	return v;
}

/* Read query argument name as an integer in [min, max]; -1 after replying 400. */
int
apiarg_int(const struct http_req *req, struct http_resp *resp,
    const char *name, int64_t min, int64_t max, int64_t *v)
{
	const char *text = http_arg(req, name);
	char *end;
	long long n;

	if (text == NULL)
		return 0;
	errno = 0;
	n = strtoll(text, &end, 10);
	if (*text < '0' || *text > '9' || errno != 0 || *end != '\0' ||
	    n < min || n > max) {
		if (max == INT64_MAX)
			resp_error(resp, 400, "malformed", "%s: must be an "
			    "integer from %" PRId64, name, min);
		else
			resp_error(resp, 400, "malformed", "%s: must be an "
			    "integer from %" PRId64 " to %" PRId64, name, min, max);
		return -1;
	}
	*v = n;
	return 0;
}

/* Read query argument name as an ISO 8601 time; -1 after replying 400. */
int
apiarg_time(const struct http_req *req, struct http_resp *resp,
    const char *name, int64_t *ms)
{
	const char *text = http_arg(req, name);

	if (text != NULL && vtime_parse(text, ms) != 0) {
		resp_error(resp, 400, "malformed", "%s: must be an ISO 8601 time "
		    "such as 2026-11-21T23:01:02.345Z", name);
		return -1;
	}
	return 0;
}

/* Refuse query arguments not in known; -1 after replying 400. */
int
apiarg_known(const struct http_req *req, struct http_resp *resp,
    const char *const *known)
{
	for (int i = 0; i < req->nargs; i++) {
		bool ok = false;

		for (int j = 0; known[j] != NULL && !ok; j++)
			ok = strcmp(req->args[i].key, known[j]) == 0;
		if (!ok) {
			struct buf names;	/* the handler's own: no cap */

			buf_init(&names, SIZE_MAX);
			for (int j = 0; known[j] != NULL; j++)
				buf_addf(&names, "%s%s", j == 0 ? "" :
				    known[j + 1] == NULL ? " and " : ", ", known[j]);
			resp_error(resp, 400, "malformed", "unknown query argument "
			    "\"%.64s\" (%s %s)", req->args[i].key, names.data,
			    known[0] != NULL && known[1] == NULL ? "is" : "are");
			buf_release(&names);
			return -1;
		}
	}
	return 0;
}

/* The id of the site called key if the caller sees it; 0 after a 404, -1 after a 500. */
int64_t
apiarg_site(struct server *srv, const struct http_req *req,
    struct http_resp *resp, const char *key)
{
	static const char sql[] = "SELECT id FROM sites WHERE key = ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int64_t id = 0;
	int rc;

	store_bind_text(s, 1, key);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		resp_error(resp, 500, "internal", "cannot read the sites");
		return -1;
	}
	if (id == 0 || !principal_sees_site(&req->who, id)) {
		resp_error(resp, 404, "not_found", "no site \"%.64s\"", key);
		return 0;
	}
	return id;
}
