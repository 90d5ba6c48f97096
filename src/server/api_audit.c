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
	    "SELECT seq, ts_ms, actor_type, actor, action, object_type, object_id, "
	    "site_id, details, source, outcome, prev_hash, hash "
	    "FROM audit WHERE seq > ? ORDER BY seq LIMIT ?";
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
		e.seq = sqlite3_column_int64(s, 0);
		e.ts_ms = sqlite3_column_int64(s, 1);
		e.actor_type = store_col_text(s, 2);
		e.actor = store_col_text(s, 3);
		e.action = store_col_text(s, 4);
		e.object_type = store_col_text(s, 5);
		e.object_id = store_col_text(s, 6);
		e.site_id = sqlite3_column_type(s, 7) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(s, 7);
		e.details = store_col_text(s, 8);
		e.source = store_col_text(s, 9);
		e.outcome = store_col_text(s, 10);
		snprintf(e.prev_hash, sizeof e.prev_hash, "%s", store_col_text(s, 11));
		snprintf(e.hash, sizeof e.hash, "%s", store_col_text(s, 12));
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
