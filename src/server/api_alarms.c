#include "compat.h"

#include <ctype.h>

#include "alarm.h"
#include "api.h"
#include "apiarg.h"
#include "audit.h"
#include "auth.h"
#include "jsonx.h"
#include "log.h"
#include "rowjson.h"
#include "server.h"
#include "store.h"
#include "streamlog.h"
#include "txn.h"
#include "vtime.h"

/* How each action is named in the audit log and in messages. */
static const struct api_alarm_verb {
	const char *audit;
	const char *done;
} api_alarm_verbs[ALARM_ACT__COUNT] = {
	[ALARM_ACT_ACK] = { "alarm.ack", "acknowledged" },
	[ALARM_ACT_ASSIGN] = { "alarm.assign", "assigned" },
	[ALARM_ACT_RELEASE] = { "alarm.release", "released" },
	[ALARM_ACT_CLOSE] = { "alarm.close", "closed" },
	[ALARM_ACT_REOPEN] = { "alarm.reopen", "reopened" },
};

/* What an action needs to know of the alarm it changes. */
struct api_alarm_row {
	int64_t id;
	int64_t site_id;
	int64_t point_id;     /* 0 for a gateway-level alarm */
	int64_t gateway_id;
	int64_t guard_id;     /* 0 when none */
	int64_t version;
	enum alarm_state state;
	char type[LIMIT_KEY_LEN + 1];
	char guard[LIMIT_KEY_LEN + 1];  /* callsign, "" when none */
};

/* What an action's request body says. */
struct api_alarm_body {
	json_t *root;         /* owns the strings below */
	int64_t version;
	const char *guard;
	int resolution;
	const char *note;
};

/* The query arguments GET /api/v1/alarms accepts. */
static const char *const api_alarms_args[] = {
	"state", "site", "priority", "type", "limit", "after_id", NULL,
};

/* Reply 404 for the alarm named in the path. */
static void
api_alarm_not_found(const struct http_req *req, struct http_resp *resp)
{
	resp_error(resp, 404, "not_found", "no alarm \"%.64s\"",
	    req->nparams > 0 && req->params[0] != NULL ? req->params[0] : "");
}

/* Load what an action needs of alarm id; 1 found, 0 not, -1 on error. */
static int
api_alarm_load(struct server *srv, int64_t id, struct api_alarm_row *r)
{
	static const char sql[] =
	    "SELECT a.site_id, a.point_id, a.gateway_id, a.guard_id, a.version, "
	    "a.state, a.type, g.callsign "
	    "FROM alarms a LEFT JOIN guards g ON g.id = a.guard_id WHERE a.id = ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int rc, state;

	memset(r, 0, sizeof *r);
	store_bind_int(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	r->id = id;
	r->site_id = sqlite3_column_int64(s, 0);
	r->point_id = sqlite3_column_int64(s, 1);
	r->gateway_id = sqlite3_column_int64(s, 2);
	r->guard_id = sqlite3_column_int64(s, 3);
	r->version = sqlite3_column_int64(s, 4);
	state = alarm_state_parse(store_col_text(s, 5));
	snprintf(r->type, sizeof r->type, "%s", store_col_text(s, 6));
	snprintf(r->guard, sizeof r->guard, "%s", store_col_text(s, 7));
	sqlite3_reset(s);
	if (state < 0) {
		log_error("alarm %" PRId64 " has an unknown state", id);
		return -1;
	}
	r->state = (enum alarm_state)state;
	return 1;
}

/* True when s holds something other than white space. */
static bool
api_alarm_has_text(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			return true;
	return false;
}

/* Read the body of action act into b; -1 after replying 400 or 422. */
static int
api_alarm_body(const struct http_req *req, struct http_resp *resp,
    enum alarm_action act, struct api_alarm_body *b)
{
	struct jsonx jx;
	const char *res;

	memset(b, 0, sizeof *b);
	if ((b->root = apiarg_json(req, resp)) == NULL)
		return -1;
	jsonx_begin(&jx, b->root, "");
	b->version = jsonx_int(&jx, "version", true, 1, INT64_MAX, NULL);
	switch (act) {
	case ALARM_ACT_ASSIGN:
		b->guard = jsonx_str(&jx, "guard", true, LIMIT_KEY_LEN);
		break;
	case ALARM_ACT_CLOSE:
		res = jsonx_str(&jx, "resolution", true, LIMIT_KEY_LEN);
		if (res != NULL && (b->resolution = resolution_parse(res)) < 0)
			jsonx_fail(&jx, "resolution", "must be one of genuine, "
			    "false_alarm, test, technical_fault");
		b->note = jsonx_str(&jx, "note", true, LIMIT_NOTE_LEN);
		if (b->note != NULL && !api_alarm_has_text(b->note))
			jsonx_fail(&jx, "note", "must not be blank");
		break;
	case ALARM_ACT_REOPEN:
		b->note = jsonx_str(&jx, "note", false, LIMIT_NOTE_LEN);
		if (b->note != NULL && !api_alarm_has_text(b->note))
			jsonx_fail(&jx, "note", "must not be blank");
		break;
	default:
		break;
	}
	if (jsonx_done(&jx) != 0) {
		resp_error(resp, 422, "invalid", "%s", jx.err);
		json_decref(b->root);
		b->root = NULL;
		return -1;
	}
	return 0;
}

/* Write ms as a short time for messages: "23:01:02Z", with the date when not today. */
static void
api_alarm_short_time(int64_t ms, int64_t now_ms, char *buf, size_t len)
{
	char t[VTIME_ISO_LEN], now[VTIME_ISO_LEN];

	vtime_format(ms, t, sizeof t);
	vtime_format(now_ms, now, sizeof now);
	if (strncmp(t, now, 10) == 0)
		snprintf(buf, len, "%.8sZ", t + 11);
	else
		snprintf(buf, len, "%.10s %.8sZ", t, t + 11);
}

/*
 * Write why the version an operator sent is stale: who last changed the
 * alarm, how and when (from the audit log), and its version now.
 */
static void
api_alarm_changed(struct server *srv, const struct api_alarm_row *r,
    int64_t now_ms, char *buf, size_t len)
{
	/* Newest first: recent changes are found without reading far back. */
	static const char sql[] =
	    "SELECT action, actor, ts_ms FROM audit "
	    "WHERE object_type = 'alarm' AND object_id = ? AND action IN "
	    "('alarm.ack', 'alarm.assign', 'alarm.release', 'alarm.close', "
	    "'alarm.reopen') ORDER BY seq DESC LIMIT 1";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	const char *done = NULL, *action;
	char oid[24], when[32];

	snprintf(oid, sizeof oid, "%" PRId64, r->id);
	store_bind_text(s, 1, oid);
	if (sqlite3_step(s) == SQLITE_ROW) {
		action = store_col_text(s, 0);
		for (int i = 0; i < ALARM_ACT__COUNT && done == NULL; i++)
			if (strcmp(api_alarm_verbs[i].audit, action) == 0)
				done = api_alarm_verbs[i].done;
		api_alarm_short_time(sqlite3_column_int64(s, 2), now_ms, when,
		    sizeof when);
		snprintf(buf, len, "alarm %" PRId64 " changed: %s by %.64s at %s; "
		    "it is now version %" PRId64, r->id, done != NULL ? done :
		    action, store_col_text(s, 1), when, r->version);
	} else
		snprintf(buf, len, "alarm %" PRId64 " is at version %" PRId64,
		    r->id, r->version);
	sqlite3_reset(s);
}

/* Reply 409 with message msg and the alarm as it is now. */
static void
api_alarm_conflict(struct server *srv, struct http_resp *resp, int64_t id,
    const char *msg)
{
	json_t *extra = json_object();
	json_t *alarm = alarm_json_by_id(srv, id);

	json_object_set_new(extra, "alarm", alarm != NULL ? alarm : json_null());
	resp_error_with(resp, 409, "conflict", extra, "%s", msg);
}

/* The state, version and guard an audit entry records of an alarm row. */
static json_t *
api_alarm_summary_row(const struct api_alarm_row *r)
{
	return json_pack("{s:s, s:I, s:o}", "state", alarm_state_name(r->state),
	    "version", (json_int_t)r->version, "guard",
	    r->guard[0] != '\0' ? json_string(r->guard) : json_null());
}

/* The state, version and guard an audit entry records of an alarm's JSON. */
static json_t *
api_alarm_summary_json(const json_t *alarm)
{
	static const char *const keys[] = { "state", "version", "guard" };
	json_t *o = json_object();

	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(alarm, keys[i]);
		json_object_set(o, keys[i], v != NULL ? v : json_null());
	}
	return o;
}

/*
 * Add a note by who to alarm r: the row, its audit entry and its stream
 * message ({"alarm": id, "note": {...}}).  The note's JSON, or NULL.
 */
static json_t *
api_alarm_note_add(struct server *srv, const struct api_alarm_row *r,
    const struct audit_actor *who, const char *text, int64_t now_ms)
{
	static const char sql[] =
	    "INSERT INTO alarm_notes (alarm_id, ts_ms, author, text) "
	    "VALUES (?, ?, ?, ?)";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	char ts[VTIME_ISO_LEN], oid[24];
	json_t *note, *details, *data;
	int rc;

	store_bind_int(s, 1, r->id);
	store_bind_int(s, 2, now_ms);
	store_bind_text(s, 3, who->name);
	store_bind_text(s, 4, text);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_error("alarm %" PRId64 ": cannot add a note: %s", r->id,
		    store_errmsg(srv->st));
		return NULL;
	}
	vtime_format(now_ms, ts, sizeof ts);
	note = json_pack("{s:s, s:s, s:s}", "ts", ts, "author", who->name,
	    "text", text);
	details = json_pack("{s:s}", "text", text);
	snprintf(oid, sizeof oid, "%" PRId64, r->id);
	rc = audit_append(srv->st, who, "alarm.note", "alarm", oid, r->site_id,
	    details, "ok", now_ms) < 0 ? -1 : 0;
	json_decref(details);
	if (rc == 0) {
		data = json_pack("{s:I, s:O}", "alarm", (json_int_t)r->id,
		    "note", note);
		if (streamlog_append(srv, "alarm.note", r->site_id, data,
		    now_ms) < 0)
			rc = -1;
	}
	if (rc != 0) {
		json_decref(note);
		return NULL;
	}
	return note;
}

/*
 * Check the guard named by an assign body against alarm r; its id, or 0
 * after replying 409 or 422, or -1 on a store error.
 */
static int64_t
api_alarm_guard(struct server *srv, struct http_resp *resp,
    const struct api_alarm_row *r, const char *callsign)
{
	static const char sql[] =
	    "SELECT id, site_id, status FROM guards WHERE callsign = ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int64_t id, site_id;
	int rc, status;

	store_bind_text(s, 1, callsign);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return -1;
		resp_error(resp, 422, "invalid", "guard: no guard \"%.64s\"",
		    callsign);
		return 0;
	}
	id = sqlite3_column_int64(s, 0);
	site_id = sqlite3_column_int64(s, 1);
	status = guard_status_parse(store_col_text(s, 2));
	sqlite3_reset(s);
	if (site_id != 0 && site_id != r->site_id) {
		resp_error(resp, 422, "invalid",
		    "guard: %s does not serve the site of alarm %" PRId64,
		    callsign, r->id);
		return 0;
	}
	if (status == GUARD_OFF_DUTY) {
		resp_error(resp, 422, "invalid", "guard: %s is off duty", callsign);
		return 0;
	}
	if (r->state == ALARM_ASSIGNED && r->guard_id == id) {
		char msg[160];

		snprintf(msg, sizeof msg, "alarm %" PRId64 " is already assigned "
		    "to %s", r->id, callsign);
		api_alarm_conflict(srv, resp, r->id, msg);
		return 0;
	}
	return id;
}

/*
 * The open alarm that has the same point (or gateway) and type as closed
 * alarm r, which reopening r would duplicate; its id, 0 for none, -1 on error.
 */
static int64_t
api_alarm_open_twin(struct server *srv, const struct api_alarm_row *r)
{
	static const char sql_point[] =
	    "SELECT id FROM alarms WHERE point_id = ? AND type = ? "
	    "AND state <> 'closed' LIMIT 1";
	static const char sql_gateway[] =
	    "SELECT id FROM alarms WHERE gateway_id = ? AND type = ? "
	    "AND point_id IS NULL AND state <> 'closed' LIMIT 1";
	sqlite3_stmt *s;
	int64_t id = 0;
	int rc;

	if (r->point_id > 0) {
		s = store_stmt(srv->st, sql_point);
		store_bind_int(s, 1, r->point_id);
	} else {
		s = store_stmt(srv->st, sql_gateway);
		store_bind_int(s, 1, r->gateway_id);
	}
	store_bind_text(s, 2, r->type);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		id = -1;
	sqlite3_reset(s);
	return id;
}

/* Change alarm r's row for act by actor; 0 or -1. */
static int
api_alarm_apply(struct server *srv, enum alarm_action act,
    const struct api_alarm_row *r, const struct api_alarm_body *b,
    int64_t guard_id, const char *actor, int64_t now_ms)
{
	static const char sql_ack[] =
	    "UPDATE alarms SET state = 'acknowledged', version = version + 1, "
	    "updated_ms = ?1, acked_ms = ?1, acked_by = ?2 WHERE id = ?3";
	/* Assigning a new alarm acknowledges it too: someone has acted on it. */
	static const char sql_assign[] =
	    "UPDATE alarms SET state = 'assigned', version = version + 1, "
	    "updated_ms = ?1, assigned_ms = ?1, assigned_by = ?2, guard_id = ?4, "
	    "acked_ms = COALESCE(acked_ms, ?1), acked_by = COALESCE(acked_by, ?2) "
	    "WHERE id = ?3";
	static const char sql_release[] =
	    "UPDATE alarms SET state = 'acknowledged', version = version + 1, "
	    "updated_ms = ?1, assigned_ms = NULL, assigned_by = NULL, "
	    "guard_id = NULL WHERE id = ?3";
	/* The guard stays on a closed alarm: it records who attended. */
	static const char sql_close[] =
	    "UPDATE alarms SET state = 'closed', version = version + 1, "
	    "updated_ms = ?1, closed_ms = ?1, closed_by = ?2, resolution = ?4, "
	    "resolution_note = ?5 WHERE id = ?3";
	static const char sql_reopen[] =
	    "UPDATE alarms SET state = 'acknowledged', version = version + 1, "
	    "updated_ms = ?1, closed_ms = NULL, closed_by = NULL, "
	    "resolution = NULL, resolution_note = NULL, guard_id = NULL, "
	    "assigned_ms = NULL, assigned_by = NULL, "
	    "acked_ms = COALESCE(acked_ms, ?1), acked_by = COALESCE(acked_by, ?2) "
	    "WHERE id = ?3";
	static const char *const sqls[ALARM_ACT__COUNT] = {
		[ALARM_ACT_ACK] = sql_ack,
		[ALARM_ACT_ASSIGN] = sql_assign,
		[ALARM_ACT_RELEASE] = sql_release,
		[ALARM_ACT_CLOSE] = sql_close,
		[ALARM_ACT_REOPEN] = sql_reopen,
	};
	sqlite3_stmt *s = store_stmt(srv->st, sqls[act]);
	int rc;

	store_bind_int(s, 1, now_ms);
	store_bind_text(s, 2, actor);
	store_bind_int(s, 3, r->id);
	if (act == ALARM_ACT_ASSIGN)
		store_bind_int(s, 4, guard_id);
	else if (act == ALARM_ACT_CLOSE) {
		store_bind_text(s, 4, resolution_name((enum resolution)b->resolution));
		store_bind_text(s, 5, b->note);
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || sqlite3_changes(store_db(srv->st)) != 1) {
		log_error("alarm %" PRId64 ": cannot record %s: %s", r->id,
		    api_alarm_verbs[act].audit, store_errmsg(srv->st));
		return -1;
	}
	return 0;
}

/*
 * Move the guards an action affects: the assigned guard is dispatched, and
 * a guard the alarm let go of is available again when it has nothing else.
 */
static int
api_alarm_guards(struct server *srv, enum alarm_action act,
    const struct api_alarm_row *r, int64_t guard_id,
    const struct audit_actor *who, int64_t now_ms)
{
	int64_t old = r->state == ALARM_ASSIGNED ? r->guard_id : 0;

	if (old > 0 && old != guard_id &&
	    alarm_guard_settle(srv, old, who, r->id, now_ms) < 0)
		return -1;
	if (act == ALARM_ACT_ASSIGN && alarm_guard_set_status(srv, guard_id,
	    GUARD_DISPATCHED, who, r->id, now_ms) < 0)
		return -1;
	return 0;
}

/*
 * Run one action on the alarm in the path, in one transaction: scope,
 * transition and version checks, the change, the guards it moves, its stream
 * messages and audit entries.  A refused action writes nothing.
 */
static enum route_result
api_alarm_act(struct server *srv, struct http_req *req, struct http_resp *resp,
    enum alarm_action act)
{
	struct api_alarm_body b;
	struct api_alarm_row r;
	struct audit_actor who;
	json_t *alarm = NULL, *details = NULL, *note;
	char msg[320], oid[24];
	int64_t id, guard_id = 0, twin, now_ms;
	int found, rc;

	if ((id = apiarg_path_id(req, 0)) <= 0) {
		api_alarm_not_found(req, resp);
		return ROUTE_DONE;
	}
	if (api_alarm_body(req, resp, act, &b) != 0)
		return ROUTE_DONE;
	if (txn_begin(srv) != 0) {
		resp_error(resp, 503, "unavailable", "the store is busy; try again");
		json_decref(b.root);
		return ROUTE_DONE;
	}
	now_ms = vtime_now_ms();
	audit_actor_from(&who, &req->who, req->source);

	if ((found = api_alarm_load(srv, id, &r)) < 0)
		goto internal;
	if (found == 0 || !principal_sees_site(&req->who, r.site_id)) {
		api_alarm_not_found(req, resp);
		goto refused;
	}
	if (alarm_transition(r.state, act) < 0) {
		snprintf(msg, sizeof msg, "alarm %" PRId64 " is %s; it cannot be %s",
		    id, alarm_state_name(r.state), api_alarm_verbs[act].done);
		api_alarm_conflict(srv, resp, id, msg);
		goto refused;
	}
	if (b.version != r.version) {
		api_alarm_changed(srv, &r, now_ms, msg, sizeof msg);
		api_alarm_conflict(srv, resp, id, msg);
		goto refused;
	}
	if (act == ALARM_ACT_ASSIGN) {
		if ((guard_id = api_alarm_guard(srv, resp, &r, b.guard)) < 0)
			goto internal;
		if (guard_id == 0)
			goto refused;
	}
	if (act == ALARM_ACT_REOPEN) {
		if ((twin = api_alarm_open_twin(srv, &r)) < 0)
			goto internal;
		if (twin > 0) {
			snprintf(msg, sizeof msg, "alarm %" PRId64 " cannot be "
			    "reopened: alarm %" PRId64 " is open for the same %s "
			    "and type", id, twin, r.point_id > 0 ? "point" :
			    "gateway");
			api_alarm_conflict(srv, resp, id, msg);
			goto refused;
		}
	}

	if (api_alarm_apply(srv, act, &r, &b, guard_id, req->who.name,
	    now_ms) != 0 || (alarm = alarm_json_by_id(srv, id)) == NULL)
		goto internal;
	details = json_object();
	json_object_set_new(details, "before", api_alarm_summary_row(&r));
	json_object_set_new(details, "after", api_alarm_summary_json(alarm));
	if (act == ALARM_ACT_CLOSE)
		json_object_set_new(details, "resolution", json_string(
		    resolution_name((enum resolution)b.resolution)));
	if (b.note != NULL)
		json_object_set_new(details, "note", json_string(b.note));
	snprintf(oid, sizeof oid, "%" PRId64, id);
	rc = audit_append(srv->st, &who, api_alarm_verbs[act].audit, "alarm",
	    oid, r.site_id, details, "ok", now_ms) < 0 ? -1 : 0;
	json_decref(details);
	if (rc != 0)
		goto internal;
	json_incref(alarm);
	if (streamlog_append(srv, "alarm.updated", r.site_id, alarm, now_ms) < 0)
		goto internal;
	if (api_alarm_guards(srv, act, &r, guard_id, &who, now_ms) != 0)
		goto internal;
	if (act == ALARM_ACT_REOPEN && b.note != NULL) {
		if ((note = api_alarm_note_add(srv, &r, &who, b.note, now_ms)) == NULL)
			goto internal;
		json_decref(note);
	}
	txn_commit_reply(srv, resp, "the change", 200, json_pack("{s:O}", "alarm",
	    alarm));
	goto out;

internal:
	resp_error(resp, 500, "internal", "alarm %" PRId64 " could not be %s",
	    id, api_alarm_verbs[act].done);
refused:
	txn_abort(srv);
out:
	json_decref(alarm);
	json_decref(b.root);
	return ROUTE_DONE;
}

/* POST /api/v1/alarms/:id/ack {"version"}: acknowledge a new alarm. */
API_HANDLER(api_alarm_ack)
{
	return api_alarm_act(srv, req, resp, ALARM_ACT_ACK);
}

/* POST /api/v1/alarms/:id/assign {"version","guard"}: send a guard to an alarm. */
API_HANDLER(api_alarm_assign)
{
	return api_alarm_act(srv, req, resp, ALARM_ACT_ASSIGN);
}

/* POST /api/v1/alarms/:id/release {"version"}: take the guard off an alarm. */
API_HANDLER(api_alarm_release)
{
	return api_alarm_act(srv, req, resp, ALARM_ACT_RELEASE);
}

/* POST /api/v1/alarms/:id/close {"version","resolution","note"}: close an alarm. */
API_HANDLER(api_alarm_close)
{
	return api_alarm_act(srv, req, resp, ALARM_ACT_CLOSE);
}

/* POST /api/v1/alarms/:id/reopen {"version","note"?}: reopen a closed alarm. */
API_HANDLER(api_alarm_reopen)
{
	return api_alarm_act(srv, req, resp, ALARM_ACT_REOPEN);
}

/* POST /api/v1/alarms/:id/notes {"text"}: add a note; the version does not change. */
API_HANDLER(api_alarm_note)
{
	struct api_alarm_row r;
	struct audit_actor who;
	struct jsonx jx;
	json_t *root, *note = NULL, *alarm = NULL;
	const char *text;
	int64_t id;
	int found;

	if ((id = apiarg_path_id(req, 0)) <= 0) {
		api_alarm_not_found(req, resp);
		return ROUTE_DONE;
	}
	if ((root = apiarg_json(req, resp)) == NULL)
		return ROUTE_DONE;
	jsonx_begin(&jx, root, "");
	text = jsonx_str(&jx, "text", true, LIMIT_NOTE_LEN);
	if (text != NULL && !api_alarm_has_text(text))
		jsonx_fail(&jx, "text", "must not be blank");
	if (jsonx_done(&jx) != 0) {
		resp_error(resp, 422, "invalid", "%s", jx.err);
		json_decref(root);
		return ROUTE_DONE;
	}
	if (txn_begin(srv) != 0) {
		resp_error(resp, 503, "unavailable", "the store is busy; try again");
		json_decref(root);
		return ROUTE_DONE;
	}
	audit_actor_from(&who, &req->who, req->source);
	if ((found = api_alarm_load(srv, id, &r)) < 0)
		goto internal;
	if (found == 0 || !principal_sees_site(&req->who, r.site_id)) {
		api_alarm_not_found(req, resp);
		goto refused;
	}
	if ((note = api_alarm_note_add(srv, &r, &who, text, vtime_now_ms())) == NULL ||
	    (alarm = alarm_json_by_id(srv, id)) == NULL)
		goto internal;
	txn_commit_reply(srv, resp, "the note", 200, json_pack("{s:O, s:O}",
	    "alarm", alarm, "note", note));
	goto out;

internal:
	resp_error(resp, 500, "internal", "the note could not be added to alarm %"
	    PRId64, id);
refused:
	txn_abort(srv);
out:
	json_decref(note);
	json_decref(alarm);
	json_decref(root);
	return ROUTE_DONE;
}

/* The id of site key when who may see it; 0 when not, -1 on error. */
static int64_t
api_alarms_site(struct server *srv, const struct principal *who, const char *key)
{
	static const char sql[] = "SELECT id FROM sites WHERE key = ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int64_t id = 0;
	int rc;

	store_bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		id = -1;
	sqlite3_reset(s);
	if (id > 0 && !principal_sees_site(who, id))
		id = 0;
	return id;
}

/*
 * The page query for one state filter: by priority, then oldest first, id
 * breaking ties, so that after_id continues exactly where a page ended.
 */
#define API_ALARMS_QUERY(cond) \
	"SELECT a.id, a.site_id FROM alarms a WHERE " cond \
	" AND (?1 IS NULL OR a.site_id = ?1)" \
	" AND (?2 IS NULL OR a.priority <= ?2)" \
	" AND (?3 IS NULL OR a.type = ?3)" \
	" AND (?4 IS NULL OR (a.priority, a.created_ms, a.id) >" \
	" (SELECT b.priority, b.created_ms, b.id FROM alarms b WHERE b.id = ?4))" \
	" ORDER BY a.priority, a.created_ms, a.id"

/* GET /api/v1/alarms: a page of the queue, and the stream seq it is consistent with. */
API_HANDLER(api_alarms_list)
{
	/*
	 * Open alarms: pages are ranges of the queue-order index (migration 2),
	 * the first from its start, the next ones from the last alarm given.
	 */
	static const char sql_open[] =
	    "SELECT a.id, a.site_id FROM alarms a INDEXED BY alarms_open_order"
	    " WHERE a.state IN ('new', 'acknowledged', 'assigned')"
	    " AND (?1 IS NULL OR a.site_id = ?1)"
	    " AND (?2 IS NULL OR a.priority <= ?2)"
	    " AND (?3 IS NULL OR a.type = ?3)"
	    " ORDER BY a.priority, a.created_ms, a.id";
	static const char sql_open_after[] =
	    "SELECT a.id, a.site_id FROM alarms a INDEXED BY alarms_open_order"
	    " WHERE a.state IN ('new', 'acknowledged', 'assigned')"
	    " AND (?1 IS NULL OR a.site_id = ?1)"
	    " AND (?2 IS NULL OR a.priority <= ?2)"
	    " AND (?3 IS NULL OR a.type = ?3)"
	    " AND (a.priority, a.created_ms, a.id) >"
	    " (SELECT b.priority, b.created_ms, b.id FROM alarms b WHERE b.id = ?4)"
	    " ORDER BY a.priority, a.created_ms, a.id";
	static const char sql_state[] = API_ALARMS_QUERY("a.state = ?5");
	static const char sql_all[] = API_ALARMS_QUERY("1");
	const char *state = http_arg(req, "state");
	const char *site = http_arg(req, "site");
	const char *type = http_arg(req, "type");
	int64_t priority = 0, limit = LIMIT_LIST_DEFAULT, after = 0, site_id = 0;
	int64_t n = 0, seq;
	sqlite3_stmt *s;
	json_t *alarms, *a;
	bool began;
	int rc = SQLITE_DONE;

	if (apiarg_known(req, resp, api_alarms_args) != 0 ||
	    apiarg_int(req, resp, "priority", LIMIT_PRIORITY_MIN,
	    LIMIT_PRIORITY_MAX, &priority) != 0 ||
	    apiarg_int(req, resp, "limit", 1, LIMIT_LIST_MAX, &limit) != 0 ||
	    apiarg_int(req, resp, "after_id", 1, INT64_MAX, &after) != 0)
		return ROUTE_DONE;
	if (state != NULL && strcmp(state, "open") != 0 &&
	    strcmp(state, "all") != 0 && alarm_state_parse(state) < 0) {
		resp_error(resp, 400, "malformed", "state: must be one of open, "
		    "new, acknowledged, assigned, closed, all");
		return ROUTE_DONE;
	}
	if (type != NULL && (*type == '\0' || strlen(type) > LIMIT_KEY_LEN)) {
		resp_error(resp, 400, "malformed", "type: must be 1 to %d "
		    "characters", LIMIT_KEY_LEN);
		return ROUTE_DONE;
	}
	if (site != NULL && (*site == '\0' || strlen(site) > LIMIT_KEY_LEN)) {
		resp_error(resp, 400, "malformed", "site: must be 1 to %d "
		    "characters", LIMIT_KEY_LEN);
		return ROUTE_DONE;
	}

	if (!txn_read_begin(srv, resp, &began))
		return ROUTE_DONE;
	if (site != NULL) {
		if ((site_id = api_alarms_site(srv, &req->who, site)) < 0) {
			txn_read_end(srv, began);
			resp_error(resp, 500, "internal", "cannot read the sites");
			return ROUTE_DONE;
		}
		if (site_id == 0) {
			txn_read_end(srv, began);
			resp_error(resp, 422, "invalid", "site: no site \"%s\"", site);
			return ROUTE_DONE;
		}
	}
	if (state == NULL || strcmp(state, "open") == 0)
		s = store_stmt(srv->st, after > 0 ? sql_open_after : sql_open);
	else if (strcmp(state, "all") == 0)
		s = store_stmt(srv->st, sql_all);
	else {
		s = store_stmt(srv->st, sql_state);
		store_bind_text(s, 5, state);
	}
	if (site_id > 0)
		store_bind_int(s, 1, site_id);
	if (priority > 0)
		store_bind_int(s, 2, priority);
	store_bind_text(s, 3, type);
	if (after > 0)
		store_bind_int(s, 4, after);

	/* Scope is checked row by row: a manager's page skips other sites. */
	alarms = json_array();
	while (n < limit && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!principal_sees_site(&req->who, sqlite3_column_int64(s, 1)))
			continue;
		if ((a = alarm_json_by_id(srv, sqlite3_column_int64(s, 0))) != NULL) {
			json_array_append_new(alarms, a);
			n++;
		}
	}
	if (n < limit && rc != SQLITE_DONE) {
		sqlite3_reset(s);
		txn_read_end(srv, began);
		json_decref(alarms);
		resp_error(resp, 500, "internal", "cannot read the alarms: %s",
		    store_errmsg(srv->st));
		return ROUTE_DONE;
	}
	sqlite3_reset(s);
	seq = streamlog_head(srv);
	txn_read_end(srv, began);
	resp_json(resp, 200, json_pack("{s:o, s:I}", "alarms", alarms, "seq",
	    (json_int_t)seq));
	return ROUTE_DONE;
}

/* The notes of alarm id, oldest first. */
static json_t *
api_alarm_notes(struct server *srv, int64_t id)
{
	static const char sql[] =
	    "SELECT ts_ms, author, text FROM alarm_notes WHERE alarm_id = ? "
	    "ORDER BY id";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	char ts[VTIME_ISO_LEN];
	json_t *notes = json_array();

	store_bind_int(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		vtime_format(sqlite3_column_int64(s, 0), ts, sizeof ts);
		json_array_append_new(notes, json_pack("{s:s, s:s, s:s}", "ts", ts,
		    "author", store_col_text(s, 1), "text", store_col_text(s, 2)));
	}
	sqlite3_reset(s);
	return notes;
}

/* The newest LIMIT_ALARM_EVENTS events of alarm id, oldest first. */
static json_t *
api_alarm_events(struct server *srv, int64_t id)
{
	static const char sql[] =
	    "SELECT id, gw_event_id, type, value, credential, sensor_ms, "
	    "received_ms FROM events WHERE alarm_id = ? ORDER BY id DESC LIMIT ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	char sensor[VTIME_ISO_LEN], received[VTIME_ISO_LEN];
	json_t *events = json_array(), *e;

	store_bind_int(s, 1, id);
	store_bind_int(s, 2, LIMIT_ALARM_EVENTS);
	while (sqlite3_step(s) == SQLITE_ROW) {
		vtime_format(sqlite3_column_int64(s, 5), sensor, sizeof sensor);
		vtime_format(sqlite3_column_int64(s, 6), received, sizeof received);
		e = json_object();
		json_object_set_new(e, "id", json_integer(sqlite3_column_int64(s, 0)));
		json_object_set_new(e, "gw_event_id",
		    json_string(store_col_text(s, 1)));
		json_object_set_new(e, "type", json_string(store_col_text(s, 2)));
		json_object_set_new(e, "value", rowjson_text(s, 3));
		json_object_set_new(e, "credential", rowjson_text(s, 4));
		json_object_set_new(e, "sensor_ts", json_string(sensor));
		json_object_set_new(e, "received", json_string(received));
		json_array_insert_new(events, 0, e);
	}
	sqlite3_reset(s);
	return events;
}

/*
 * The newest LIMIT_ALARM_HISTORY audit entries of alarm id, oldest first.
 * Grouped events are left out: the events list shows them.
 */
static json_t *
api_alarm_history(struct server *srv, int64_t id)
{
	static const char sql[] =
	    "SELECT " AUDIT_COLUMNS " FROM audit WHERE object_type = 'alarm' AND object_id = ? "
	    "AND action <> 'alarm.group' ORDER BY seq DESC LIMIT ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	struct audit_entry e;
	json_t *history = json_array();
	char oid[24];

	snprintf(oid, sizeof oid, "%" PRId64, id);
	store_bind_text(s, 1, oid);
	store_bind_int(s, 2, LIMIT_ALARM_HISTORY);
	while (sqlite3_step(s) == SQLITE_ROW) {
		memset(&e, 0, sizeof e);
		audit_row(s, &e);
		json_array_insert_new(history, 0, audit_entry_json(&e));
	}
	sqlite3_reset(s);
	return history;
}

/* GET /api/v1/alarms/:id: the alarm with its notes, events and history. */
API_HANDLER(api_alarm_get)
{
	struct api_alarm_row r;
	json_t *alarm, *reply;
	int64_t id;
	bool began;
	int found;

	if ((id = apiarg_path_id(req, 0)) <= 0) {
		api_alarm_not_found(req, resp);
		return ROUTE_DONE;
	}
	if (!txn_read_begin(srv, resp, &began))
		return ROUTE_DONE;
	found = api_alarm_load(srv, id, &r);
	if (found < 0) {
		txn_read_end(srv, began);
		resp_error(resp, 500, "internal", "cannot read alarm %" PRId64, id);
		return ROUTE_DONE;
	}
	if (found == 0 || !principal_sees_site(&req->who, r.site_id) ||
	    (alarm = alarm_json_by_id(srv, id)) == NULL) {
		txn_read_end(srv, began);
		api_alarm_not_found(req, resp);
		return ROUTE_DONE;
	}
	reply = json_object();
	json_object_set_new(reply, "alarm", alarm);
	json_object_set_new(reply, "notes", api_alarm_notes(srv, id));
	json_object_set_new(reply, "events", api_alarm_events(srv, id));
	json_object_set_new(reply, "history", api_alarm_history(srv, id));
	txn_read_end(srv, began);
	resp_json(resp, 200, reply);
	return ROUTE_DONE;
}
