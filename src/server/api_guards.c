#include "compat.h"

#include "alarm.h"
#include "api.h"
#include "apiarg.h"
#include "audit.h"
#include "auth.h"
#include "jsonx.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "streamlog.h"
#include "txn.h"
#include "vtime.h"

/*
 * True when who may see guard_id of site_id (0 for a guard of every site):
 * a guard without a site only for users who see every site, and a guard's
 * own account always sees itself.
 */
static bool
api_guard_visible(const struct principal *who, int64_t guard_id, int64_t site_id)
{
	if (who->guard_id != 0 && who->guard_id == guard_id)
		return true;
	if (site_id == 0)
		return who->all_sites || who->kind == PRINCIPAL_SYSTEM;
	return principal_sees_site(who, site_id);
}

/* GET /api/v1/guards: every guard the caller may see, and the stream seq. */
API_HANDLER(api_guards_list)
{
	static const char sql[] =
	    "SELECT id, site_id FROM guards ORDER BY callsign";
	sqlite3_stmt *s;
	json_t *guards, *g;
	int64_t seq;
	bool began;
	int rc;

	if (!txn_read_begin(srv, resp, &began))
		return ROUTE_DONE;
	guards = json_array();
	s = store_stmt(srv->st, sql);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!api_guard_visible(&req->who, sqlite3_column_int64(s, 0),
		    sqlite3_column_int64(s, 1)))
			continue;
		if ((g = alarm_guard_json(srv, sqlite3_column_int64(s, 0))) != NULL)
			json_array_append_new(guards, g);
	}
	sqlite3_reset(s);
	seq = streamlog_head(srv);
	txn_read_end(srv, began);
	if (rc != SQLITE_DONE) {
		json_decref(guards);
		resp_error(resp, 500, "internal", "cannot read the guards: %s",
		    store_errmsg(srv->st));
		return ROUTE_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o, s:I}", "guards", guards, "seq",
	    (json_int_t)seq));
	return ROUTE_DONE;
}

/*
 * The assigned alarms of guard_id as text ("42, 57") into buf; the number of
 * them, or -1 on error.
 */
static int64_t
api_guard_busy(struct server *srv, int64_t guard_id, char *buf, size_t len)
{
	static const char sql[] =
	    "SELECT id FROM alarms WHERE state = 'assigned' AND guard_id = ? "
	    "ORDER BY id";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	size_t used = 0;
	int64_t n = 0;
	int rc;

	*buf = '\0';
	store_bind_int(s, 1, guard_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (used < len) {
			int w = snprintf(buf + used, len - used, "%s%" PRId64,
			    n > 0 ? ", " : "", (int64_t)sqlite3_column_int64(s, 0));
			used += w > 0 ? (size_t)w : 0;
		}
		n++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? n : -1;
}

/*
 * POST /api/v1/guards/:callsign/status {"status"}: change a guard's status.
 * A guard's own account may change only its own guard.
 */
API_HANDLER(api_guard_status)
{
	static const char sql[] =
	    "SELECT id, site_id FROM guards WHERE callsign = ?";
	const char *callsign = req->nparams > 0 ? req->params[0] : "";
	char busy[128];
	struct audit_actor who;
	struct jsonx jx;
	const char *text;
	json_t *root, *guard;
	sqlite3_stmt *s;
	int64_t id = 0, site_id = 0, n;
	int status = -1, rc;

	if ((root = apiarg_json(req, resp)) == NULL)
		return ROUTE_DONE;
	jsonx_begin(&jx, root, "");
	text = jsonx_str(&jx, "status", true, LIMIT_KEY_LEN);
	if (text != NULL && (status = guard_status_parse(text)) < 0)
		jsonx_fail(&jx, "status", "must be one of off_duty, available, "
		    "dispatched, on_scene");
	if (jsonx_done(&jx) != 0) {
		resp_error(resp, 422, "invalid", "%s", jx.err);
		json_decref(root);
		return ROUTE_DONE;
	}
	json_decref(root);

	if (txn_begin(srv) != 0) {
		resp_error(resp, 503, "unavailable", "the store is busy; try again");
		return ROUTE_DONE;
	}
	s = store_stmt(srv->st, sql);
	store_bind_text(s, 1, callsign);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		site_id = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto internal;
	if (id != 0 && req->who.kind == PRINCIPAL_USER &&
	    req->who.role == ROLE_GUARD && req->who.guard_id != id) {
		resp_error(resp, 403, "forbidden",
		    "a guard may change only its own status");
		goto refused;
	}
	if (id == 0 || !api_guard_visible(&req->who, id, site_id)) {
		resp_error(resp, 404, "not_found", "no guard \"%.64s\"", callsign);
		goto refused;
	}
	if (status == GUARD_OFF_DUTY) {
		if ((n = api_guard_busy(srv, id, busy, sizeof busy)) < 0)
			goto internal;
		if (n > 0) {
			resp_error(resp, 422, "invalid", "status: %s cannot go off "
			    "duty with assigned alarms (%s); release or close them "
			    "first", callsign, busy);
			goto refused;
		}
	}
	audit_actor_from(&who, &req->who, req->source);
	if (alarm_guard_set_status(srv, id, (enum guard_status)status, &who, 0,
	    vtime_now_ms()) < 0 || (guard = alarm_guard_json(srv, id)) == NULL)
		goto internal;
	txn_commit_reply(srv, resp, "the change", 200, json_pack("{s:o}", "guard",
	    guard));
	return ROUTE_DONE;

internal:
	resp_error(resp, 500, "internal", "the status of %.64s could not be "
	    "changed", callsign);
refused:
	txn_abort(srv);
	return ROUTE_DONE;
}
