#include "compat.h"

#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <uv.h>

#include "api.h"
#include "audit.h"
#include "auth.h"
#include "jsonx.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "txn.h"
#include "vtime.h"

/*
 * An argon2id hash of a random password nobody knows, with the interactive
 * parameters auth_password_hash uses: a login for a name that does not exist
 * is checked against it, so it takes as long as a wrong password.
 */
static const char api_auth_dummy_hash[] =
    "$argon2id$v=19$m=65536,t=2,p=1$lPpmNFui903511y6j67Shg$"
    "9h2pWdi/OM9NybwgcVe2HLyBybhPMMQftAcKnEYygac";

/*
 * One login under way.  The request is gone once the handler returns
 * ROUTE_DEFERRED, so everything needed later is copied here.
 */
struct api_login_job {
	uv_work_t work;
	struct server *srv;
	struct http_pending *pending;
	char name[LIMIT_USER_NAME_LEN + 1];   /* as typed, truncated */
	bool too_long;                         /* so no user can have it */
	char peer[sizeof ((struct http_req *)0)->peer];
	char source[sizeof ((struct http_req *)0)->source];
	int64_t user_id;                       /* 0 when the name is unknown */
	bool usable;                           /* known and not disabled */
	char hash[crypto_pwhash_STRBYTES];
	char *password;
	bool ok;                               /* set by the worker */
};

/* The user object of the API: name, role, visible site keys and guard. */
static json_t *
api_auth_user_json(struct store *st, const struct principal *who)
{
	static const char sql_all[] = "SELECT key FROM sites ORDER BY key";
	static const char sql_site[] = "SELECT key FROM sites WHERE id = ?";
	static const char sql_guard[] = "SELECT callsign FROM guards WHERE id = ?";
	json_t *sites = json_array(), *guard = json_null();
	sqlite3_stmt *s;

	if (who->all_sites) {
		s = store_stmt(st, sql_all);
		while (sqlite3_step(s) == SQLITE_ROW)
			json_array_append_new(sites, json_string(store_col_text(s, 0)));
		sqlite3_reset(s);
	} else {
		for (int i = 0; i < who->nsites; i++) {
			s = store_stmt(st, sql_site);
			store_bind_int(s, 1, who->sites[i]);
			if (sqlite3_step(s) == SQLITE_ROW)
				json_array_append_new(sites,
				    json_string(store_col_text(s, 0)));
			sqlite3_reset(s);
		}
	}
	if (who->guard_id != 0) {
		s = store_stmt(st, sql_guard);
		store_bind_int(s, 1, who->guard_id);
		if (sqlite3_step(s) == SQLITE_ROW) {
			json_decref(guard);
			guard = json_string(store_col_text(s, 0));
		}
		sqlite3_reset(s);
	}
	return json_pack("{s:s, s:s, s:o, s:o}", "name", who->name,
	    "role", role_name(who->role), "sites", sites, "guard", guard);
}

/* Look the typed name up; fills user_id, usable and the hash to check. */
static void
api_auth_lookup(struct store *st, struct api_login_job *l)
{
	static const char sql[] =
	    "SELECT id, pw_hash, disabled FROM users WHERE name = ?";
	sqlite3_stmt *s = store_stmt(st, sql);

	snprintf(l->hash, sizeof l->hash, "%s", api_auth_dummy_hash);
	if (l->too_long)
		return;
	store_bind_text(s, 1, l->name);
	if (sqlite3_step(s) == SQLITE_ROW) {
		l->user_id = sqlite3_column_int64(s, 0);
		l->usable = sqlite3_column_int(s, 2) == 0;
		if (snprintf(l->hash, sizeof l->hash, "%s",
		    store_col_text(s, 1)) >= (int)sizeof l->hash)
			l->usable = false;
	}
	sqlite3_reset(s);
}

/* Verify the password off the event loop: argon2id takes tens of ms. */
static void
api_login_work(uv_work_t *w)
{
	struct api_login_job *l = w->data;
	bool match;

	match = auth_password_verify(l->hash, l->password);
	l->ok = match && l->usable;
}

/* Write a login's outcome to the audit log in its own transaction. */
static int
api_login_audit(struct server *srv, const struct audit_actor *actor,
    const char *name, const char *outcome, int64_t now)
{
	if (audit_append(srv->st, actor, "login", "user", name, 0, NULL, outcome,
	    now) < 0)
		return -1;
	return 0;
}

/* Create the session of a verified login and fill the reply. */
static void
api_login_succeed(struct api_login_job *l, struct http_resp *resp, int64_t now)
{
	struct server *srv = l->srv;
	struct principal who;
	struct audit_actor actor;
	char token[AUTH_TOKEN_HEX_LEN + 1], expires_iso[VTIME_ISO_LEN];
	int64_t expires;
	json_t *user;

	if (txn_begin(srv) != 0) {
		resp_error(resp, 503, "unavailable", "the store is busy; try again");
		return;
	}
	if (auth_user_load(srv->st, l->user_id, &who) != 0) {
		/* Deleted or disabled while the password was checked. */
		txn_abort(srv);
		resp_error(resp, 401, "unauthorized", "wrong user name or password");
		return;
	}
	audit_actor_from(&actor, &who, l->source);
	if (auth_session_create(srv->st, l->user_id, l->source, now, token,
	    &expires) != 0 ||
	    api_login_audit(srv, &actor, who.name, "ok", now) != 0) {
		txn_abort(srv);
		resp_error(resp, 500, "internal", "cannot create the session");
		return;
	}
	user = api_auth_user_json(srv->st, &who);
	if (txn_commit(srv) != 0) {
		json_decref(user);
		sodium_memzero(token, sizeof token);
		resp_error(resp, 500, "internal", "cannot create the session");
		return;
	}
	if (srv->throttle != NULL)
		throttle_success(srv->throttle, l->name);
	vtime_format(expires, expires_iso, sizeof expires_iso);
	resp_json(resp, 200, json_pack("{s:s, s:s, s:o}", "token", token,
	    "expires", expires_iso, "user", user));
	sodium_memzero(token, sizeof token);
	log_info("login: %s from %s", who.name, l->source);
}

/* Count and audit a failed login and fill the reply. */
static void
api_login_refuse(struct api_login_job *l, struct http_resp *resp, int64_t now)
{
	struct server *srv = l->srv;
	struct audit_actor actor = { "user", l->name, l->source };

	if (srv->throttle != NULL)
		throttle_fail(srv->throttle, l->name, l->peer, now);
	if (txn_begin(srv) == 0) {
		if (api_login_audit(srv, &actor, l->name, "failed", now) == 0)
			txn_commit(srv);
		else
			txn_abort(srv);
	}
	log_info("login: refused for \"%s\" from %s", l->name, l->source);
	resp_error(resp, 401, "unauthorized", "wrong user name or password");
}

/* Back on the event loop: record the outcome and answer the client. */
static void
api_login_after(uv_work_t *w, int status)
{
	struct api_login_job *l = w->data;
	struct http_resp resp;
	int64_t now = vtime_now_ms();

	memset(&resp, 0, sizeof resp);
	if (status != 0)
		resp_error(&resp, 503, "unavailable", "the server is stopping");
	else if (l->ok)
		api_login_succeed(l, &resp, now);
	else
		api_login_refuse(l, &resp, now);
	http_pending_reply(l->pending, &resp);
	sodium_memzero(l->password, strlen(l->password));
	free(l->password);
	sodium_memzero(l->hash, sizeof l->hash);
	free(l);
}

/* POST /api/v1/login {"user","password"}: check the password, open a session. */
API_HANDLER(api_login)
{
	struct api_login_job *l;
	struct jsonx jx;
	json_t *body;
	const char *user, *password;
	char err[JSONX_ERR_LEN];
	int wait;

	body = jsonx_parse(req->body != NULL ? req->body : "", req->body_len,
	    err, sizeof err);
	if (body == NULL) {
		resp_error(resp, 400, "malformed", "%s", err);
		return ROUTE_DONE;
	}
	jsonx_begin(&jx, body, "");
	user = jsonx_str(&jx, "user", true, LIMIT_NAME_LEN);
	password = jsonx_str(&jx, "password", true, LIMIT_PASSWORD_MAX);
	if (jsonx_done(&jx) != 0) {
		json_decref(body);
		resp_error(resp, 422, "invalid", "%s", jx.err);
		return ROUTE_DONE;
	}

	l = xcalloc(1, sizeof *l);
	l->srv = srv;
	snprintf(l->name, sizeof l->name, "%s", user);
	l->too_long = strlen(user) > LIMIT_USER_NAME_LEN;
	snprintf(l->peer, sizeof l->peer, "%s", req->peer);
	snprintf(l->source, sizeof l->source, "%s", req->source);
	l->password = xstrdup(password);
	json_decref(body);

	if (srv->throttle != NULL &&
	    (wait = throttle_check(srv->throttle, l->name, l->peer,
	    vtime_now_ms())) > 0) {
		resp_error(resp, 429, "throttled",
		    "too many failed logins; try again in %d seconds", wait);
		resp->retry_after = wait;
		goto done;
	}
	api_auth_lookup(srv->st, l);
	l->pending = req->pending;
	l->work.data = l;
	if (uv_queue_work(srv->loop, &l->work, api_login_work,
	    api_login_after) != 0) {
		resp_error(resp, 500, "internal", "cannot check the password now");
		goto done;
	}
	return ROUTE_DEFERRED;

done:
	sodium_memzero(l->password, strlen(l->password));
	free(l->password);
	free(l);
	return ROUTE_DONE;
}

/* POST /api/v1/logout: end the caller's session. */
API_HANDLER(api_logout)
{
	struct audit_actor actor;
	int64_t now = vtime_now_ms();

	audit_actor_from(&actor, &req->who, req->source);
	if (txn_begin(srv) != 0) {
		resp_error(resp, 503, "unavailable", "the store is busy; try again");
		return ROUTE_DONE;
	}
	if (auth_session_revoke(srv->st, req->who.session_id, now) != 0) {
		txn_abort(srv);
		resp_error(resp, 401, "unauthorized", "the session has ended");
		return ROUTE_DONE;
	}
	if (audit_append(srv->st, &actor, "logout", "user", req->who.name, 0,
	    NULL, "ok", now) < 0) {
		txn_abort(srv);
		resp_error(resp, 500, "internal", "cannot record the logout");
		return ROUTE_DONE;
	}
	if (txn_commit(srv) != 0) {
		resp_error(resp, 500, "internal", "cannot record the logout");
		return ROUTE_DONE;
	}
	resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
	return ROUTE_DONE;
}

/* GET /api/v1/me: who the caller is. */
API_HANDLER(api_me)
{
	resp_json(resp, 200, json_pack("{s:o}", "user",
	    api_auth_user_json(srv->st, &req->who)));
	return ROUTE_DONE;
}
