#include "compat.h"

#include "api.h"
#include "audit.h"
#include "server.h"
#include "store.h"

/*
 * Read query argument name as a decimal integer in [min, max] into *v (left
 * alone when absent); -1 when it is given but is not such a number.
 */
static int
api_audit_arg(const struct http_req *req, const char *name, int64_t min,
    int64_t max, int64_t *v)
{
	const char *text = http_arg(req, name);
	char *end;
	long long n;

	if (text == NULL)
		return 0;
	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*v = n;
	return 0;
}

/* GET /api/v1/audit?after=SEQ&limit=N: a page of the audit log in seq order. */
API_HANDLER(api_audit_list)
{
	static const char sql[] =
	    "SELECT " AUDIT_COLUMNS " FROM audit WHERE seq > ? ORDER BY seq LIMIT ?";
	int64_t after = 0, limit = LIMIT_LIST_DEFAULT, last = 0;
	struct audit_entry e;
	sqlite3_stmt *s;
	json_t *entries, *reply;
	int rc;

	if (api_audit_arg(req, "after", 0, INT64_MAX, &after) != 0) {
		resp_error(resp, 400, "malformed",
		    "after: must be an entry number (an integer from 0)");
		return ROUTE_DONE;
	}
	if (api_audit_arg(req, "limit", 1, LIMIT_LIST_MAX, &limit) != 0) {
		resp_error(resp, 400, "malformed",
		    "limit: must be an integer from 1 to %d", LIMIT_LIST_MAX);
		return ROUTE_DONE;
	}

	entries = json_array();
	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, after);
	store_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&e, 0, sizeof e);
		audit_row(s, &e);
		json_array_append_new(entries, audit_entry_json(&e));
		last = e.seq;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		json_decref(entries);
		resp_error(resp, 500, "internal", "cannot read the audit log: %s",
		    store_errmsg(srv->st));
		return ROUTE_DONE;
	}
	reply = json_object();
	json_object_set_new(reply, "entries", entries);
	json_object_set_new(reply, "next", last != 0 ? json_integer(last) : json_null());
	resp_json(resp, 200, reply);
	return ROUTE_DONE;
}
