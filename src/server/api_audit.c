#include "compat.h"

#include "api.h"
#include "apiarg.h"
#include "audit.h"
#include "server.h"
#include "store.h"

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

	if (apiarg_int(req, resp, "after", 0, INT64_MAX, &after) != 0 ||
	    apiarg_int(req, resp, "limit", 1, LIMIT_LIST_MAX, &limit) != 0)
		return ROUTE_DONE;

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
