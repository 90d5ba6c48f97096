#include "compat.h"

#include <jansson.h>
#include <sqlite3.h>

#include "api.h"
#include "apiarg.h"
#include "audit.h"
#include "auth.h"
#include "jsonx.h"
#include "log.h"
#include "residents.h"
#include "rowjson.h"
#include "server.h"
#include "store.h"
#include "txn.h"
#include "vtime.h"

/* The query arguments GET /api/v1/residents accepts. */
static const char *const api_residents_args[] = {
	"site", "q", "limit", "after", "removed", NULL,
};

/* Reply 404 for the resident named in the path. */
static void
api_resident_not_found(const struct http_req *req, struct http_resp *resp)
{
	resp_error(resp, 404, "not_found", "no resident \"%.64s\"",
	    req->nparams > 0 && req->params[0] != NULL ? req->params[0] : "");
}

/*
 * Write q as a LIKE pattern matching it anywhere, with %, _ and \ escaped
 * (the statements say ESCAPE '\').
 */
static char *
api_residents_like(const char *q)
{
	size_t n = strlen(q);
	char *out = xmalloc(n * 2 + 3), *o = out;

	*o++ = '%';
	for (; *q != '\0'; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*o++ = '\\';
		*o++ = *q;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

/* GET /api/v1/residents: a page of residents, by id, with search. */
API_HANDLER(api_residents_list)
{
	static const char sql[] =
	    "SELECT r.id, r.site_id FROM residents r WHERE r.id > ?2"
	    " AND (?1 IS NULL OR r.site_id = ?1)"
	    " AND (?3 OR r.removed_ms IS NULL)"
	    " AND (?4 IS NULL OR r.name LIKE ?4 ESCAPE '\\'"
	    "  OR r.building LIKE ?4 ESCAPE '\\'"
	    "  OR (r.building || ' ' || r.entrance || '/' || r.apartment) LIKE ?4 ESCAPE '\\'"
	    "  OR (?5 AND EXISTS (SELECT 1 FROM credentials c WHERE"
	    "   c.resident_id = r.id AND c.removed_ms IS NULL"
	    "   AND c.value LIKE ?4 ESCAPE '\\')))"
	    " ORDER BY r.id";
	const char *site = http_arg(req, "site"), *q = http_arg(req, "q");
	int64_t limit = LIMIT_LIST_DEFAULT, after = 0, removed = 0, site_id = 0;
	int64_t n = 0, last = 0, next = 0;
	bool contact = residents_contact_allowed(&req->who), began;
	json_t *list;
	sqlite3_stmt *s;
	char *like = NULL;
	int rc;

	if (apiarg_known(req, resp, api_residents_args) != 0 ||
	    apiarg_int(req, resp, "limit", 1, LIMIT_LIST_MAX, &limit) != 0 ||
	    apiarg_int(req, resp, "after", 0, INT64_MAX, &after) != 0 ||
	    apiarg_int(req, resp, "removed", 0, 1, &removed) != 0)
		return ROUTE_DONE;
	if (q != NULL && strlen(q) > LIMIT_NAME_LEN) {
		resp_error(resp, 400, "malformed", "q: at most %d bytes",
		    LIMIT_NAME_LEN);
		return ROUTE_DONE;
	}
	if (!txn_read_begin(srv, resp, &began))
		return ROUTE_DONE;
	if (site != NULL) {
		site_id = residents_site(srv->st, site, NULL, 0);
		if (site_id <= 0 || !principal_sees_site(&req->who, site_id)) {
			txn_read_end(srv, began);
			residents_invalid(resp, "site", "site: no site \"%.64s\"", site);
			return ROUTE_DONE;
		}
	}
	s = store_stmt(srv->st, sql);
	if (site_id > 0)
		store_bind_int(s, 1, site_id);
	store_bind_int(s, 2, after);
	store_bind_int(s, 3, removed);
	if (q != NULL && *q != '\0') {
		like = api_residents_like(q);
		store_bind_text(s, 4, like);
	}
	store_bind_int(s, 5, contact);
	list = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);

		if (!principal_sees_site(&req->who, sqlite3_column_int64(s, 1)))
			continue;
		if (n == limit) {
			next = last;
			break;
		}
		json_array_append_new(list, residents_json(srv->st, id, contact,
		    NULL));
		last = id;
		n++;
	}
	sqlite3_reset(s);
	txn_read_end(srv, began);
	free(like);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(list);
		resp_error(resp, 500, "internal", "cannot read the residents");
		return ROUTE_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o, s:o}", "residents", list, "next",
	    next > 0 ? json_integer(next) : json_null()));
	return ROUTE_DONE;
}

/*
 * Read a unit object {"building","entrance","apartment"} at key of jx into
 * in; false when it is wrong (jx records why).
 */
static bool
api_residents_unit(struct jsonx *jx, const char *key, bool required,
    struct resident_in *in)
{
	json_t *u = json_object_get(jx->obj, key);
	struct jsonx ux;

	if (jx->failed)
		return false;
	if ((size_t)jx->nseen < ARRAY_LEN(jx->seen))
		jx->seen[jx->nseen++] = key;
	if (u == NULL || json_is_null(u)) {
		if (required)
			jsonx_fail(jx, key, "is required ({\"building\", "
			    "\"entrance\", \"apartment\"})");
		return !required;
	}
	if (!json_is_object(u)) {
		jsonx_fail(jx, key, "must be an object {\"building\", \"entrance\", "
		    "\"apartment\"}");
		return false;
	}
	jsonx_begin(&ux, u, key);
	in->building = jsonx_str(&ux, "building", true, LIMIT_NAME_LEN);
	in->entrance = jsonx_str(&ux, "entrance", true, LIMIT_UNIT_PART_LEN);
	in->apartment = jsonx_str(&ux, "apartment", true, LIMIT_UNIT_PART_LEN);
	if (jsonx_done(&ux) != 0) {
		jx->failed = true;
		memcpy(jx->err, ux.err, sizeof jx->err);
		return false;
	}
	return true;
}

/* Read credentials [{"kind","value"}] of a create body into in; false when wrong. */
static bool
api_residents_creds(struct jsonx *jx, struct resident_in *in)
{
	json_t *a = jsonx_array(jx, "credentials", false, LIMIT_RESIDENT_CREDENTIALS);
	json_t *c;
	size_t i;

	if (a == NULL)
		return !jx->failed;
	json_array_foreach(a, i, c) {
		struct jsonx cx;
		char prefix[48];

		snprintf(prefix, sizeof prefix, "credentials[%zu]", i);
		if (!json_is_object(c)) {
			jsonx_fail(jx, prefix, "must be an object {\"kind\", \"value\"}");
			return false;
		}
		jsonx_begin(&cx, c, prefix);
		in->ckind[i] = jsonx_str(&cx, "kind", true, LIMIT_KEY_LEN);
		in->cvalue[i] = jsonx_str(&cx, "value", true, LIMIT_CREDENTIAL_LEN);
		if (jsonx_done(&cx) != 0) {
			jx->failed = true;
			memcpy(jx->err, cx.err, sizeof jx->err);
			return false;
		}
		in->ncreds++;
	}
	return true;
}

/* POST /api/v1/residents: create a resident. */
API_HANDLER(api_resident_create)
{
	struct resident_in in;
	struct residents_err e;
	struct audit_actor who;
	struct jsonx jx;
	json_t *root, *r = NULL;
	const char *site;
	int64_t site_id, id, now = vtime_now_ms();

	if ((root = apiarg_object(req, resp)) == NULL)
		return ROUTE_DONE;
	memset(&in, 0, sizeof in);
	memset(&e, 0, sizeof e);
	jsonx_begin(&jx, root, "");
	site = jsonx_str(&jx, "site", true, LIMIT_KEY_LEN);
	in.name = jsonx_str(&jx, "name", true, LIMIT_NAME_LEN);
	in.phone = jsonx_str(&jx, "phone", false, 32);
	in.email = jsonx_str(&jx, "email", false, LIMIT_EMAIL_LEN);
	in.role = jsonx_str(&jx, "role", false, LIMIT_KEY_LEN);
	api_residents_unit(&jx, "unit", true, &in);
	api_residents_creds(&jx, &in);
	if (jsonx_done(&jx) != 0) {
		residents_jsonx_reply(resp, &jx);
		json_decref(root);
		return ROUTE_DONE;
	}
	if (in.role == NULL)
		in.role = "resident";
	if (txn_begin(srv) != 0) {
		resp_error(resp, 503, "unavailable", "the store is busy; try again");
		json_decref(root);
		return ROUTE_DONE;
	}
	site_id = residents_site(srv->st, site, NULL, 0);
	if (site_id <= 0 || !principal_sees_site(&req->who, site_id)) {
		residents_invalid(resp, "site", "site: no site \"%.64s\"", site);
		goto refused;
	}
	if (residents_validate(srv->st, site_id, &in, false, &e) != 0) {
		if (e.status == 500)
			goto internal;
		residents_reply_err(resp, &e);
		goto refused;
	}
	audit_actor_from(&who, &req->who, req->source);
	if ((id = residents_insert(srv, site_id, &in, &who, "resident.create",
	    now)) < 0 || residents_bump(srv->st, site_id) != 0 ||
	    (r = residents_json(srv->st, id, true, NULL)) == NULL ||
	    residents_publish(srv, "created", r, site_id, now) != 0)
		goto internal;
	txn_commit_reply(srv, resp, "the resident", 201, json_pack("{s:O}",
	    "resident", r));
	goto out;

internal:
	resp_error(resp, 500, "internal", "the resident could not be created");
refused:
	txn_abort(srv);
out:
	json_decref(r);
	json_decref(root);
	return ROUTE_DONE;
}

/* The newest access events of resident id, newest first. */
static json_t *
api_resident_recent(struct server *srv, int64_t id, bool contact)
{
	static const char sql[] =
	    "SELECT e.id, e.sensor_ms, e.received_ms, s.key, g.key, p.key, e.type,"
	    " e.credential, r.name FROM events e JOIN sites s ON s.id = e.site_id"
	    " JOIN gateways g ON g.id = e.gateway_id"
	    " LEFT JOIN points p ON p.id = e.point_id"
	    " JOIN residents r ON r.id = e.resident_id"
	    " WHERE e.resident_id = ? ORDER BY e.id DESC LIMIT ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	char ts[VTIME_ISO_LEN], rx[VTIME_ISO_LEN];
	json_t *a = json_array();

	store_bind_int(s, 1, id);
	store_bind_int(s, 2, LIMIT_RESIDENT_RECENT);
	while (sqlite3_step(s) == SQLITE_ROW) {
		vtime_format(sqlite3_column_int64(s, 1), ts, sizeof ts);
		vtime_format(sqlite3_column_int64(s, 2), rx, sizeof rx);
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o,"
		    " s:s, s:o, s:{s:I, s:s}}", "id",
		    (json_int_t)sqlite3_column_int64(s, 0), "ts", ts, "received", rx,
		    "site", store_col_text(s, 3), "gateway", store_col_text(s, 4),
		    "point", rowjson_text(s, 5), "result",
		    strcmp(store_col_text(s, 6), "access_granted") == 0 ? "granted" :
		    "denied", "credential", contact && sqlite3_column_type(s, 7) !=
		    SQLITE_NULL ? json_string(store_col_text(s, 7)) : json_null(),
		    "resident", "id", (json_int_t)id, "name", store_col_text(s, 8)));
	}
	sqlite3_reset(s);
	return a;
}

/* The rights of resident id, oldest first. */
static json_t *
api_resident_rights(struct server *srv, int64_t id)
{
	static const char sql[] = "SELECT id FROM rights WHERE resident_id = ? ORDER BY id";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	json_t *a = json_array(), *r;
	int64_t ids[LIMIT_RESIDENT_RIGHTS * 4];
	size_t n = 0;

	store_bind_int(s, 1, id);
	while (n < ARRAY_LEN(ids) && sqlite3_step(s) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	for (size_t i = 0; i < n; i++)
		if ((r = residents_right_json(srv->st, ids[i], NULL)) != NULL)
			json_array_append_new(a, r);
	return a;
}

/* GET /api/v1/residents/:id: the resident, its rights and recent access. */
API_HANDLER(api_resident_get)
{
	bool contact = residents_contact_allowed(&req->who), began;
	int64_t id = apiarg_path_id(req, 0), site_id = 0;
	json_t *r;

	if (id <= 0) {
		api_resident_not_found(req, resp);
		return ROUTE_DONE;
	}
	if (!txn_read_begin(srv, resp, &began))
		return ROUTE_DONE;
	r = residents_json(srv->st, id, contact, &site_id);
	if (r == NULL || !principal_sees_site(&req->who, site_id)) {
		txn_read_end(srv, began);
		json_decref(r);
		api_resident_not_found(req, resp);
		return ROUTE_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o, s:o, s:o}", "resident", r, "rights",
	    api_resident_rights(srv, id), "recent", api_resident_recent(srv, id,
	    contact)));
	txn_read_end(srv, began);
	return ROUTE_DONE;
}

/*
 * Begin a write on the resident in the path: the transaction is open and
 * *before holds the resident (with contact fields) when 1 is returned;
 * 0 after replying (404, 409, 503).
 */
static int
api_resident_begin(struct server *srv, struct http_req *req,
    struct http_resp *resp, int64_t version, bool has_version,
    json_t **before, int64_t *site_id)
{
	int64_t id = apiarg_path_id(req, 0);
	json_t *r;

	*before = NULL;
	if (id <= 0) {
		api_resident_not_found(req, resp);
		return 0;
	}
	if (txn_begin(srv) != 0) {
		resp_error(resp, 503, "unavailable", "the store is busy; try again");
		return 0;
	}
	r = residents_json(srv->st, id, true, site_id);
	if (r == NULL || !principal_sees_site(&req->who, *site_id) ||
	    !json_is_null(json_object_get(r, "removed"))) {
		json_decref(r);
		txn_abort(srv);
		api_resident_not_found(req, resp);
		return 0;
	}
	if (has_version && json_integer_value(json_object_get(r, "version")) !=
	    version) {
		json_t *shown = residents_json(srv->st, id,
		    residents_contact_allowed(&req->who), NULL);

		resp_error_with(resp, 409, "conflict", json_pack("{s:o}",
		    "resident", shown), "resident %" PRId64 " changed: it is now "
		    "version %" JSON_INTEGER_FORMAT, id,
		    json_integer_value(json_object_get(r, "version")));
		json_decref(r);
		txn_abort(srv);
		return 0;
	}
	*before = r;
	return 1;
}

/*
 * Finish a change of resident id: bump its version, the site's list
 * version, audit (before/after), publish, commit, reply status with
 * {"resident"} plus extra (stolen).
 */
static void
api_resident_finish(struct server *srv, struct http_req *req,
    struct http_resp *resp, int64_t id, int64_t site_id, json_t *before,
    const char *action, const char *stream_action, int status, json_t *extra,
    int64_t now)
{
	static const char sql[] =
	    "UPDATE residents SET version = version + 1, updated_ms = ? WHERE id = ?";
	struct audit_actor who;
	json_t *after = NULL, *details;
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	char oid[24];
	int rc;

	store_bind_int(s, 1, now);
	store_bind_int(s, 2, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || residents_bump(srv->st, site_id) != 0 ||
	    (after = residents_json(srv->st, id, true, NULL)) == NULL)
		goto internal;
	audit_actor_from(&who, &req->who, req->source);
	details = json_pack("{s:O, s:O}", "before", before, "after", after);
	snprintf(oid, sizeof oid, "%" PRId64, id);
	rc = audit_append(srv->st, &who, action, "resident", oid, site_id,
	    details, "ok", now) < 0 ? -1 : 0;
	json_decref(details);
	if (rc != 0 || residents_publish(srv, stream_action, after, site_id,
	    now) != 0)
		goto internal;
	if (txn_commit(srv) != 0) {
		resp_error(resp, 503, "unavailable", "the change could not be "
		    "stored; try again");
		goto out;
	}
	json_decref(after);
	after = residents_json(srv->st, id, residents_contact_allowed(&req->who),
	    NULL);
	if (extra == NULL)
		extra = json_object();
	json_object_set_new(extra, "resident", after != NULL ? after : json_null());
	after = NULL;
	resp_json(resp, status, extra);
	extra = NULL;
	goto out;

internal:
	txn_abort(srv);
	resp_error(resp, 500, "internal", "resident %" PRId64 " could not be "
	    "changed", id);
out:
	json_decref(extra);
	json_decref(after);
}

/* Take a null member key out of root (so jsonx sees it absent); true when it was null. */
static bool
api_resident_null(json_t *root, const char *key)
{
	json_t *v = json_object_get(root, key);

	if (v != NULL && json_is_null(v)) {
		json_object_del(root, key);
		return true;
	}
	return false;
}

/*
 * Fill what in leaves out (NULL) from the resident before as it is, but a
 * phone or email the request clears; a unit is taken whole.
 */
static void
api_resident_fill(struct resident_in *in, const json_t *before,
    bool clear_phone, bool clear_email)
{
	const json_t *unit = json_object_get(before, "unit");

	if (in->name == NULL)
		in->name = json_string_value(json_object_get(before, "name"));
	if (in->phone == NULL && !clear_phone)
		in->phone = json_string_value(json_object_get(before, "phone"));
	if (in->email == NULL && !clear_email)
		in->email = json_string_value(json_object_get(before, "email"));
	if (in->role == NULL)
		in->role = json_string_value(json_object_get(before, "role"));
	if (in->building == NULL) {
		in->building = json_string_value(json_object_get(unit, "building"));
		in->entrance = json_string_value(json_object_get(unit, "entrance"));
		in->apartment = json_string_value(json_object_get(unit,
		    "apartment"));
	}
}

/* PATCH /api/v1/residents/:id {"version", name, phone, email, unit, role}. */
API_HANDLER(api_resident_patch)
{
	static const char sql[] =
	    "UPDATE residents SET name = ?, phone = ?, email = ?, building = ?,"
	    " entrance = ?, apartment = ?, role = ? WHERE id = ?";
	struct resident_in in;
	struct residents_err e;
	struct jsonx jx;
	json_t *root, *before = NULL;
	bool clear_phone, clear_email;
	int64_t version, site_id = 0, id = apiarg_path_id(req, 0);
	int64_t now = vtime_now_ms();
	sqlite3_stmt *s;
	int rc;

	if ((root = apiarg_object(req, resp)) == NULL)
		return ROUTE_DONE;
	memset(&in, 0, sizeof in);
	memset(&e, 0, sizeof e);
	clear_phone = api_resident_null(root, "phone");
	clear_email = api_resident_null(root, "email");
	jsonx_begin(&jx, root, "");
	version = jsonx_int(&jx, "version", true, 1, INT64_MAX, NULL);
	in.name = jsonx_str(&jx, "name", false, LIMIT_NAME_LEN);
	in.phone = jsonx_str(&jx, "phone", false, 32);
	in.email = jsonx_str(&jx, "email", false, LIMIT_EMAIL_LEN);
	in.role = jsonx_str(&jx, "role", false, LIMIT_KEY_LEN);
	api_residents_unit(&jx, "unit", false, &in);
	if (jsonx_done(&jx) != 0) {
		residents_jsonx_reply(resp, &jx);
		json_decref(root);
		return ROUTE_DONE;
	}
	if (api_resident_begin(srv, req, resp, version, true, &before,
	    &site_id) == 0) {
		json_decref(root);
		return ROUTE_DONE;
	}
	api_resident_fill(&in, before, clear_phone, clear_email);
	if (residents_validate(srv->st, site_id, &in, false, &e) != 0) {
		txn_abort(srv);
		if (e.status == 500)
			resp_error(resp, 500, "internal", "cannot check the resident");
		else
			residents_reply_err(resp, &e);
		goto out;
	}
	s = store_stmt(srv->st, sql);
	store_bind_text(s, 1, in.name);
	store_bind_text(s, 2, in.phone);
	store_bind_text(s, 3, in.email);
	store_bind_text(s, 4, in.building);
	store_bind_text(s, 5, in.entrance);
	store_bind_text(s, 6, in.apt_norm);
	store_bind_text(s, 7, in.role);
	store_bind_int(s, 8, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		txn_abort(srv);
		resp_error(resp, 500, "internal", "resident %" PRId64 " could not "
		    "be changed", id);
		goto out;
	}
	api_resident_finish(srv, req, resp, id, site_id, before, "resident.update",
	    "updated", 200, NULL, now);
out:
	json_decref(before);
	json_decref(root);
	return ROUTE_DONE;
}

/* DELETE /api/v1/residents/:id [{"version"}]: remove, revoking rights. */
API_HANDLER(api_resident_remove)
{
	static const char sql_res[] =
	    "UPDATE residents SET removed_ms = ? WHERE id = ?";
	static const char sql_creds[] =
	    "UPDATE credentials SET removed_ms = ? WHERE resident_id = ?"
	    " AND removed_ms IS NULL";
	static const char sql_rights[] =
	    "SELECT id FROM rights WHERE resident_id = ? AND state <> 'revoked'";
	static const char sql_revoke[] =
	    "UPDATE rights SET state = 'revoked', reason = 'resident removed',"
	    " version = version + 1, updated_ms = ? WHERE id = ?";
	struct audit_actor who;
	struct jsonx jx;
	json_t *root = NULL, *before = NULL;
	int64_t version = 0, site_id = 0, id = apiarg_path_id(req, 0);
	int64_t now = vtime_now_ms(), rights[LIMIT_RESIDENT_RIGHTS * 4];
	size_t nrights = 0;
	bool has_version = false;
	sqlite3_stmt *s;
	int rc;

	if (req->body_len > 0) {
		if ((root = apiarg_object(req, resp)) == NULL)
			return ROUTE_DONE;
		jsonx_begin(&jx, root, "");
		version = jsonx_int(&jx, "version", false, 1, INT64_MAX, &has_version);
		if (jsonx_done(&jx) != 0) {
			residents_jsonx_reply(resp, &jx);
			json_decref(root);
			return ROUTE_DONE;
		}
	}
	if (api_resident_begin(srv, req, resp, version, has_version, &before,
	    &site_id) == 0) {
		json_decref(root);
		return ROUTE_DONE;
	}
	audit_actor_from(&who, &req->who, req->source);
	s = store_stmt(srv->st, sql_rights);
	store_bind_int(s, 1, id);
	while (nrights < ARRAY_LEN(rights) && sqlite3_step(s) == SQLITE_ROW)
		rights[nrights++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	for (size_t i = 0; i < nrights; i++) {
		json_t *r, *details;
		char oid[24];

		s = store_stmt(srv->st, sql_revoke);
		store_bind_int(s, 1, now);
		store_bind_int(s, 2, rights[i]);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE || (r = residents_right_json(srv->st,
		    rights[i], NULL)) == NULL)
			goto internal;
		details = json_pack("{s:s, s:s}", "state", "revoked", "reason",
		    "resident removed");
		snprintf(oid, sizeof oid, "%" PRId64, rights[i]);
		rc = audit_append(srv->st, &who, "right.revoke", "right", oid,
		    site_id, details, "ok", now) < 0 ? -1 : 0;
		json_decref(details);
		if (rc != 0 || residents_publish_right(srv, "revoked", r, site_id,
		    now) != 0)
			goto internal;
	}
	s = store_stmt(srv->st, sql_creds);
	store_bind_int(s, 1, now);
	store_bind_int(s, 2, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto internal;
	s = store_stmt(srv->st, sql_res);
	store_bind_int(s, 1, now);
	store_bind_int(s, 2, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto internal;
	api_resident_finish(srv, req, resp, id, site_id, before, "resident.remove",
	    "removed", 200, NULL, now);
	goto out;

internal:
	txn_abort(srv);
	resp_error(resp, 500, "internal", "resident %" PRId64 " could not be "
	    "removed", id);
out:
	json_decref(before);
	json_decref(root);
	return ROUTE_DONE;
}

/* POST /api/v1/residents/:id/credentials {"kind","value"}: add a credential. */
API_HANDLER(api_resident_credential_add)
{
	static const char sql[] =
	    "SELECT count(*) FROM credentials WHERE resident_id = ? AND removed_ms IS NULL";
	static const char sql_ins[] =
	    "INSERT INTO credentials (resident_id, site_id, kind, value, created_ms)"
	    " VALUES (?, ?, ?, ?, ?)";
	struct resident_in in;
	struct residents_err e;
	struct jsonx jx;
	json_t *root, *before = NULL, *extra;
	int64_t site_id = 0, id = apiarg_path_id(req, 0), now = vtime_now_ms();
	int64_t cid;
	sqlite3_stmt *s;
	int rc;

	if ((root = apiarg_object(req, resp)) == NULL)
		return ROUTE_DONE;
	memset(&in, 0, sizeof in);
	memset(&e, 0, sizeof e);
	jsonx_begin(&jx, root, "");
	in.ckind[0] = jsonx_str(&jx, "kind", true, LIMIT_KEY_LEN);
	in.cvalue[0] = jsonx_str(&jx, "value", true, LIMIT_CREDENTIAL_LEN);
	in.ncreds = 1;
	if (jsonx_done(&jx) != 0) {
		residents_jsonx_reply(resp, &jx);
		json_decref(root);
		return ROUTE_DONE;
	}
	if (api_resident_begin(srv, req, resp, 0, false, &before, &site_id) == 0) {
		json_decref(root);
		return ROUTE_DONE;
	}
	api_resident_fill(&in, before, false, false);
	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_int64(s, 0) >= LIMIT_RESIDENT_CREDENTIALS) {
		sqlite3_reset(s);
		txn_abort(srv);
		residents_invalid(resp, "value", "value: resident %" PRId64 " already "
		    "has %d credentials", id, LIMIT_RESIDENT_CREDENTIALS);
		goto out;
	}
	sqlite3_reset(s);
	if (residents_validate(srv->st, site_id, &in, false, &e) != 0) {
		/* One credential: name its fields plainly. */
		if (strncmp(e.field, "credentials[0].", 15) == 0) {
			memmove(e.field, e.field + 15, strlen(e.field + 15) + 1);
			if (strncmp(e.msg, "credentials[0].", 15) == 0)
				memmove(e.msg, e.msg + 15, strlen(e.msg + 15) + 1);
		}
		txn_abort(srv);
		if (e.status == 500)
			resp_error(resp, 500, "internal", "cannot check the credential");
		else
			residents_reply_err(resp, &e);
		goto out;
	}
	s = store_stmt(srv->st, sql_ins);
	store_bind_int(s, 1, id);
	store_bind_int(s, 2, site_id);
	store_bind_text(s, 3, in.ckind[0]);
	store_bind_text(s, 4, in.cnorm[0]);
	store_bind_int(s, 5, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		txn_abort(srv);
		resp_error(resp, 500, "internal", "the credential could not be stored");
		goto out;
	}
	cid = sqlite3_last_insert_rowid(store_db(srv->st));
	extra = json_pack("{s:{s:I, s:s, s:o}}", "credential", "id", (json_int_t)cid,
	    "kind", in.ckind[0], "value", residents_contact_allowed(&req->who) ?
	    json_string(in.cnorm[0]) : json_null());
	api_resident_finish(srv, req, resp, id, site_id, before,
	    "resident.credential_add", "updated", 201, extra, now);
out:
	json_decref(before);
	json_decref(root);
	return ROUTE_DONE;
}

/* DELETE /api/v1/residents/:id/credentials/:cid: remove a credential. */
API_HANDLER(api_resident_credential_remove)
{
	static const char sql[] =
	    "UPDATE credentials SET removed_ms = ? WHERE id = ? AND resident_id = ?"
	    " AND removed_ms IS NULL";
	int64_t site_id = 0, id = apiarg_path_id(req, 0);
	int64_t cid = apiarg_path_id(req, 1), now = vtime_now_ms();
	json_t *before = NULL;
	sqlite3_stmt *s;
	int rc;

	if (api_resident_begin(srv, req, resp, 0, false, &before, &site_id) == 0)
		return ROUTE_DONE;
	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, now);
	store_bind_int(s, 2, cid);
	store_bind_int(s, 3, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || sqlite3_changes(store_db(srv->st)) == 0) {
		txn_abort(srv);
		if (rc != SQLITE_DONE)
			resp_error(resp, 500, "internal", "cannot remove the credential");
		else
			resp_error(resp, 404, "not_found", "resident %" PRId64 " has no "
			    "credential \"%.32s\"", id, req->params[1]);
		json_decref(before);
		return ROUTE_DONE;
	}
	api_resident_finish(srv, req, resp, id, site_id, before,
	    "resident.credential_remove", "updated", 200, NULL, now);
	json_decref(before);
	return ROUTE_DONE;
}
