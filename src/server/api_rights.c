#include "compat.h"

#include <jansson.h>
#include <sqlite3.h>

#include "accessrule.h"
#include "api.h"
#include "apiarg.h"
#include "audit.h"
#include "auth.h"
#include "jsonx.h"
#include "residents.h"
#include "server.h"
#include "store.h"
#include "txn.h"
#include "vtime.h"

/* The changes a right may take. */
enum api_right_act { RIGHT_SUSPEND, RIGHT_RESUME, RIGHT_REVOKE };

/* Audit action, stream action and past tense of each change. */
static const struct {
	const char *audit;
	const char *done;
} api_right_acts[] = {
	[RIGHT_SUSPEND] = { "right.suspend", "suspended" },
	[RIGHT_RESUME] = { "right.resume", "resumed" },
	[RIGHT_REVOKE] = { "right.revoke", "revoked" },
};

/* Read an optional ISO time member key into *ms (ACCESSRULE_NO_TIME when absent). */
static void
api_right_time(struct jsonx *jx, const char *key, int64_t *ms)
{
	const char *s = jsonx_str(jx, key, false, VTIME_ISO_LEN);

	*ms = ACCESSRULE_NO_TIME;
	if (s != NULL && vtime_parse(s, ms) != 0)
		jsonx_fail(jx, key, "must be an ISO 8601 time such as "
		    "2026-11-21T23:01:02.345Z");
}

/* The id of an access point or group key at site_id; 0 when none. */
static int64_t
api_right_target(struct server *srv, int64_t site_id, bool group, const char *key)
{
	static const char sql_point[] =
	    "SELECT id FROM points WHERE site_id = ? AND key = ? AND access = 1";
	static const char sql_group[] =
	    "SELECT id FROM access_groups WHERE site_id = ? AND key = ?";
	sqlite3_stmt *s = store_stmt(srv->st, group ? sql_group : sql_point);
	int64_t id = 0;

	store_bind_int(s, 1, site_id);
	store_bind_text(s, 2, key);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return id;
}

/* POST /api/v1/residents/:id/rights: grant a right to a point or group. */
API_HANDLER(api_right_grant)
{
	static const char sql_count[] =
	    "SELECT count(*) FROM rights WHERE resident_id = ? AND state <> 'revoked'";
	static const char sql_ins[] =
	    "INSERT INTO rights (resident_id, site_id, point_id, group_id, days,"
	    " from_min, until_min, valid_from_ms, valid_until_ms, created_ms,"
	    " updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct accessrule r = { ACCESSRULE_ALL_DAYS, 0, ACCESSRULE_DAY_MIN,
	    ACCESSRULE_NO_TIME, ACCESSRULE_NO_TIME };
	const char *point, *group, *days, *from, *until;
	int64_t rid = apiarg_path_id(req, 0), site_id = 0, target, id;
	int64_t now = vtime_now_ms();
	struct audit_actor who;
	struct jsonx jx;
	json_t *root, *res = NULL, *right = NULL, *details;
	sqlite3_stmt *s;
	char why[160], oid[24];
	int rc;

	if ((root = apiarg_object(req, resp)) == NULL)
		return ROUTE_DONE;
	jsonx_begin(&jx, root, "");
	point = jsonx_str(&jx, "point", false, LIMIT_KEY_LEN);
	group = jsonx_str(&jx, "group", false, LIMIT_KEY_LEN);
	days = jsonx_str(&jx, "days", false, 64);
	from = jsonx_str(&jx, "from", false, 5);
	until = jsonx_str(&jx, "until", false, 5);
	api_right_time(&jx, "valid_from", &r.valid_from_ms);
	api_right_time(&jx, "valid_until", &r.valid_until_ms);
	if (!jx.failed && (point == NULL) == (group == NULL))
		jsonx_fail(&jx, "point", "give exactly one of point and group");
	if (!jx.failed && days != NULL &&
	    accessrule_days_parse(days, &r.days, why, sizeof why) != 0)
		jsonx_fail(&jx, "days", "%s", why);
	if (!jx.failed && from != NULL &&
	    (r.from_min = accessrule_time_parse(from, false)) < 0)
		jsonx_fail(&jx, "from", "must be HH:MM from 00:00 to 23:59");
	if (!jx.failed && until != NULL &&
	    (r.until_min = accessrule_time_parse(until, true)) < 0)
		jsonx_fail(&jx, "until", "must be HH:MM from 00:01 to 24:00");
	if (!jx.failed && r.from_min == r.until_min)
		jsonx_fail(&jx, "until", "must differ from from (00:00 to 24:00 "
		    "is the whole day)");
	if (!jx.failed && r.valid_from_ms != ACCESSRULE_NO_TIME &&
	    r.valid_until_ms != ACCESSRULE_NO_TIME &&
	    r.valid_from_ms >= r.valid_until_ms)
		jsonx_fail(&jx, "valid_until", "must be later than valid_from");
	if (jsonx_done(&jx) != 0) {
		residents_jsonx_reply(resp, &jx);
		json_decref(root);
		return ROUTE_DONE;
	}
	if (rid <= 0) {
		resp_error(resp, 404, "not_found", "no resident \"%.64s\"",
		    req->params[0]);
		json_decref(root);
		return ROUTE_DONE;
	}
	if (txn_begin(srv) != 0) {
		resp_error(resp, 503, "unavailable", "the store is busy; try again");
		json_decref(root);
		return ROUTE_DONE;
	}
	res = residents_json(srv->st, rid, false, &site_id);
	if (res == NULL || !principal_sees_site(&req->who, site_id) ||
	    !json_is_null(json_object_get(res, "removed"))) {
		resp_error(resp, 404, "not_found", "no resident \"%.64s\"",
		    req->params[0]);
		goto refused;
	}
	if ((target = api_right_target(srv, site_id, group != NULL, group != NULL ?
	    group : point)) == 0) {
		if (group != NULL)
			residents_invalid(resp, "group", "group: no access group "
			    "\"%.64s\" at site %s", group, json_string_value(
			    json_object_get(res, "site")));
		else
			residents_invalid(resp, "point", "point: no access point "
			    "\"%.64s\" at site %s (a gate, barrier or door with "
			    "access = yes)", point, json_string_value(
			    json_object_get(res, "site")));
		goto refused;
	}
	s = store_stmt(srv->st, sql_count);
	store_bind_int(s, 1, rid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_int64(s, 0) >= LIMIT_RESIDENT_RIGHTS) {
		sqlite3_reset(s);
		residents_invalid(resp, group != NULL ? "group" : "point",
		    "resident %" PRId64 " already has %d rights", rid,
		    LIMIT_RESIDENT_RIGHTS);
		goto refused;
	}
	sqlite3_reset(s);
	s = store_stmt(srv->st, sql_ins);
	store_bind_int(s, 1, rid);
	store_bind_int(s, 2, site_id);
	if (group == NULL)
		store_bind_int(s, 3, target);
	else
		store_bind_int(s, 4, target);
	store_bind_int(s, 5, r.days);
	store_bind_int(s, 6, r.from_min);
	store_bind_int(s, 7, r.until_min);
	if (r.valid_from_ms != ACCESSRULE_NO_TIME)
		store_bind_int(s, 8, r.valid_from_ms);
	if (r.valid_until_ms != ACCESSRULE_NO_TIME)
		store_bind_int(s, 9, r.valid_until_ms);
	store_bind_int(s, 10, now);
	store_bind_int(s, 11, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto internal;
	id = sqlite3_last_insert_rowid(store_db(srv->st));
	if ((right = residents_right_json(srv->st, id, NULL)) == NULL ||
	    residents_bump(srv->st, site_id) != 0)
		goto internal;
	audit_actor_from(&who, &req->who, req->source);
	details = json_deep_copy(right);
	snprintf(oid, sizeof oid, "%" PRId64, id);
	rc = audit_append(srv->st, &who, "right.grant", "right", oid, site_id,
	    details, "ok", now) < 0 ? -1 : 0;
	json_decref(details);
	if (rc != 0 || residents_publish_right(srv, "granted",
	    json_deep_copy(right), site_id, now) != 0)
		goto internal;
	txn_commit_reply(srv, resp, "the right", 201, json_pack("{s:O}", "right",
	    right));
	goto out;

internal:
	resp_error(resp, 500, "internal", "the right could not be granted");
refused:
	txn_abort(srv);
out:
	json_decref(right);
	json_decref(res);
	json_decref(root);
	return ROUTE_DONE;
}

/* GET /api/v1/rights/:id: one right. */
API_HANDLER(api_right_get)
{
	int64_t id = apiarg_path_id(req, 0), site_id = 0;
	json_t *r = id > 0 ? residents_right_json(srv->st, id, &site_id) : NULL;

	if (r == NULL || !principal_sees_site(&req->who, site_id)) {
		json_decref(r);
		resp_error(resp, 404, "not_found", "no right \"%.64s\"",
		    req->params[0]);
		return ROUTE_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o}", "right", r));
	return ROUTE_DONE;
}

/* Suspend, resume or revoke the right in the path. */
static enum route_result
api_right_act(struct server *srv, struct http_req *req, struct http_resp *resp,
    enum api_right_act act)
{
	static const char sql[] =
	    "UPDATE rights SET state = ?, reason = ?, version = version + 1,"
	    " updated_ms = ? WHERE id = ?";
	int64_t id = apiarg_path_id(req, 0), site_id = 0, version = 0;
	int64_t now = vtime_now_ms();
	const char *reason = NULL, *state, *to;
	struct audit_actor who;
	struct jsonx jx;
	json_t *root = NULL, *before = NULL, *after = NULL, *details;
	bool has_version = false;
	sqlite3_stmt *s;
	char oid[24];
	int rc;

	if (req->body_len > 0 || act != RIGHT_RESUME) {
		if ((root = apiarg_object(req, resp)) == NULL)
			return ROUTE_DONE;
		jsonx_begin(&jx, root, "");
		if (act != RIGHT_RESUME) {
			reason = jsonx_str(&jx, "reason", true, LIMIT_NOTE_LEN);
			if (reason != NULL && residents_text_problem(reason,
			    LIMIT_NOTE_LEN) != NULL)
				jsonx_fail(&jx, "reason", "must be printable text, "
				    "not blank");
		}
		version = jsonx_int(&jx, "version", false, 1, INT64_MAX,
		    &has_version);
		if (jsonx_done(&jx) != 0) {
			residents_jsonx_reply(resp, &jx);
			json_decref(root);
			return ROUTE_DONE;
		}
	}
	if (txn_begin(srv) != 0) {
		resp_error(resp, 503, "unavailable", "the store is busy; try again");
		json_decref(root);
		return ROUTE_DONE;
	}
	before = id > 0 ? residents_right_json(srv->st, id, &site_id) : NULL;
	if (before == NULL || !principal_sees_site(&req->who, site_id)) {
		resp_error(resp, 404, "not_found", "no right \"%.64s\"",
		    req->params[0]);
		goto refused;
	}
	state = json_string_value(json_object_get(before, "state"));
	if (has_version && json_integer_value(json_object_get(before,
	    "version")) != version) {
		resp_error_with(resp, 409, "conflict", json_pack("{s:O}", "right",
		    before), "right %" PRId64 " changed: it is now version %"
		    JSON_INTEGER_FORMAT, id, json_integer_value(
		    json_object_get(before, "version")));
		goto refused;
	}
	if (strcmp(state, "revoked") == 0 ||
	    (act == RIGHT_SUSPEND && strcmp(state, "active") != 0) ||
	    (act == RIGHT_RESUME && strcmp(state, "suspended") != 0)) {
		resp_error_with(resp, 409, "conflict", json_pack("{s:O}", "right",
		    before), "right %" PRId64 " is %s: it cannot be %s", id, state,
		    api_right_acts[act].done);
		goto refused;
	}
	to = act == RIGHT_SUSPEND ? "suspended" : act == RIGHT_RESUME ?
	    "active" : "revoked";
	s = store_stmt(srv->st, sql);
	store_bind_text(s, 1, to);
	store_bind_text(s, 2, reason);
	store_bind_int(s, 3, now);
	store_bind_int(s, 4, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || residents_bump(srv->st, site_id) != 0 ||
	    (after = residents_right_json(srv->st, id, NULL)) == NULL)
		goto internal;
	audit_actor_from(&who, &req->who, req->source);
	details = json_pack("{s:s, s:s, s:o, s:I}", "before", state, "after", to,
	    "reason", reason != NULL ? json_string(reason) : json_null(),
	    "version", json_integer_value(json_object_get(after, "version")));
	snprintf(oid, sizeof oid, "%" PRId64, id);
	rc = audit_append(srv->st, &who, api_right_acts[act].audit, "right", oid,
	    site_id, details, "ok", now) < 0 ? -1 : 0;
	json_decref(details);
	if (rc != 0 || residents_publish_right(srv, api_right_acts[act].done,
	    json_deep_copy(after), site_id, now) != 0)
		goto internal;
	txn_commit_reply(srv, resp, "the change", 200, json_pack("{s:O}", "right",
	    after));
	goto out;

internal:
	resp_error(resp, 500, "internal", "right %" PRId64 " could not be %s", id,
	    api_right_acts[act].done);
refused:
	txn_abort(srv);
out:
	json_decref(after);
	json_decref(before);
	json_decref(root);
	return ROUTE_DONE;
}

/* POST /api/v1/rights/:id/suspend {"reason","version"?}. */
API_HANDLER(api_right_suspend)
{
	return api_right_act(srv, req, resp, RIGHT_SUSPEND);
}

/* POST /api/v1/rights/:id/resume {"version"?}. */
API_HANDLER(api_right_resume)
{
	return api_right_act(srv, req, resp, RIGHT_RESUME);
}

/* POST /api/v1/rights/:id/revoke {"reason","version"?}. */
API_HANDLER(api_right_revoke)
{
	return api_right_act(srv, req, resp, RIGHT_REVOKE);
}

/* GET /api/v1/sites/:key/access-points: access points, groups and buildings. */
API_HANDLER(api_access_points)
{
	static const char sql_points[] =
	    "SELECT p.key, p.label, p.type, g.key FROM points p"
	    " LEFT JOIN gateways g ON g.id = p.gateway_id"
	    " WHERE p.site_id = ? AND p.access = 1 ORDER BY p.key";
	static const char sql_groups[] =
	    "SELECT g.key, g.name, p.key FROM access_groups g"
	    " LEFT JOIN access_group_points m ON m.group_id = g.id"
	    " LEFT JOIN points p ON p.id = m.point_id"
	    " WHERE g.site_id = ? ORDER BY g.key, p.key";
	static const char sql_buildings[] =
	    "SELECT name, entrances, apartments FROM buildings WHERE site_id = ?"
	    " ORDER BY name";
	const char *key = req->params[0];
	char tz[LIMIT_NAME_LEN + 1] = "UTC";
	json_t *points, *groups, *buildings, *g = NULL;
	int64_t site_id;
	sqlite3_stmt *s;
	bool began;

	if (!txn_read_begin(srv, resp, &began))
		return ROUTE_DONE;
	site_id = residents_site(srv->st, key, tz, sizeof tz);
	if (site_id <= 0 || !principal_sees_site(&req->who, site_id)) {
		txn_read_end(srv, began);
		resp_error(resp, 404, "not_found", "no site \"%.64s\"", key);
		return ROUTE_DONE;
	}
	points = json_array();
	s = store_stmt(srv->st, sql_points);
	store_bind_int(s, 1, site_id);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(points, json_pack("{s:s, s:s, s:s, s:s}",
		    "key", store_col_text(s, 0), "label", store_col_text(s, 1),
		    "type", store_col_text(s, 2), "gateway", store_col_text(s, 3)));
	sqlite3_reset(s);
	groups = json_array();
	s = store_stmt(srv->st, sql_groups);
	store_bind_int(s, 1, site_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *gk = store_col_text(s, 0);

		if (g == NULL || strcmp(json_string_value(json_object_get(g, "key")),
		    gk) != 0) {
			g = json_pack("{s:s, s:s, s:[]}", "key", gk, "name",
			    store_col_text(s, 1), "points");
			json_array_append_new(groups, g);
		}
		if (sqlite3_column_type(s, 2) != SQLITE_NULL)
			json_array_append_new(json_object_get(g, "points"),
			    json_string(store_col_text(s, 2)));
	}
	sqlite3_reset(s);
	buildings = json_array();
	s = store_stmt(srv->st, sql_buildings);
	store_bind_int(s, 1, site_id);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(buildings, json_pack("{s:s, s:s, s:s}",
		    "name", store_col_text(s, 0), "entrances", store_col_text(s, 1),
		    "apartments", store_col_text(s, 2)));
	sqlite3_reset(s);
	txn_read_end(srv, began);
	resp_json(resp, 200, json_pack("{s:s, s:s, s:o, s:o, s:o}", "site", key,
	    "timezone", tz, "points", points, "groups", groups, "buildings",
	    buildings));
	return ROUTE_DONE;
}
