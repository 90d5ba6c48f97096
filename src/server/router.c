#include "compat.h"

#include "api.h"
#include "auth.h"
#include "hub.h"
#include "router.h"
#include "server.h"
#include "vtime.h"

#define R_USERS   ROLES_ALL_USERS
#define R_OPS     ROLES_OPERATORS
#define R_READ    (ROLES_OPERATORS | ROLE_BIT(ROLE_MANAGER))
#define R_SUPER   (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_SUPERVISOR))
#define R_RES     (R_SUPER | ROLE_BIT(ROLE_MANAGER))
#define R_RES_READ (R_RES | ROLE_BIT(ROLE_DISPATCHER))

/*
 * Every route of the API.  Anything not here is 404; a route's caller must
 * authenticate as .auth says and, for people, hold one of .roles.
 */
const struct route router_table[] = {
	{ HTTP_POST, "/api/v1/login", api_login, ROUTE_AUTH_NONE, 0 },
	{ HTTP_POST, "/api/v1/logout", api_logout, ROUTE_AUTH_USER, R_USERS },
	{ HTTP_GET, "/api/v1/me", api_me, ROUTE_AUTH_USER, R_USERS },

	{ HTTP_POST, "/api/v1/ingest", api_ingest_events, ROUTE_AUTH_GATEWAY, 0 },
	{ HTTP_POST, "/api/v1/ingest/positions", api_ingest_positions, ROUTE_AUTH_DEVICE, 0 },

	{ HTTP_GET, "/api/v1/alarms", api_alarms_list, ROUTE_AUTH_USER, R_READ },
	{ HTTP_GET, "/api/v1/alarms/:id", api_alarm_get, ROUTE_AUTH_USER, R_READ },
	{ HTTP_POST, "/api/v1/alarms/:id/ack", api_alarm_ack, ROUTE_AUTH_USER, R_OPS },
	{ HTTP_POST, "/api/v1/alarms/:id/assign", api_alarm_assign, ROUTE_AUTH_USER, R_OPS },
	{ HTTP_POST, "/api/v1/alarms/:id/release", api_alarm_release, ROUTE_AUTH_USER, R_OPS },
	{ HTTP_POST, "/api/v1/alarms/:id/close", api_alarm_close, ROUTE_AUTH_USER, R_OPS },
	{ HTTP_POST, "/api/v1/alarms/:id/notes", api_alarm_note, ROUTE_AUTH_USER, R_OPS },
	{ HTTP_POST, "/api/v1/alarms/:id/reopen", api_alarm_reopen, ROUTE_AUTH_USER, R_SUPER },

	{ HTTP_GET, "/api/v1/guards", api_guards_list, ROUTE_AUTH_USER, R_READ },
	{ HTTP_POST, "/api/v1/guards/:callsign/status", api_guard_status, ROUTE_AUTH_USER,
	    R_OPS | ROLE_BIT(ROLE_GUARD) },

	{ HTTP_GET, "/api/v1/sites", api_sites_list, ROUTE_AUTH_USER, R_READ },
	{ HTTP_GET, "/api/v1/sites/:key", api_site_get, ROUTE_AUTH_USER, R_READ },
	{ HTTP_GET, "/api/v1/sites/:key/points", api_points_list, ROUTE_AUTH_USER, R_READ },
	{ HTTP_GET, "/api/v1/gateways", api_gateways_list, ROUTE_AUTH_USER, R_READ },
	{ HTTP_GET, "/api/v1/sites/:key/maps", api_site_maps_list, ROUTE_AUTH_USER, R_READ },
	{ HTTP_GET, "/api/v1/sites/:key/maps/:map", api_site_map_get, ROUTE_AUTH_USER, R_READ },
	{ HTTP_GET, "/api/v1/guards/:callsign/track", api_guard_track, ROUTE_AUTH_USER, R_READ },

	/* Residents and access rights: R_READ reads (dispatchers without contact
	 * fields), R_RES writes; managers only for their own sites. */
	{ HTTP_GET, "/api/v1/residents", api_residents_list, ROUTE_AUTH_USER, R_RES_READ },
	{ HTTP_POST, "/api/v1/residents", api_resident_create, ROUTE_AUTH_USER, R_RES },
	{ HTTP_GET, "/api/v1/residents/:id", api_resident_get, ROUTE_AUTH_USER, R_RES_READ },
	{ HTTP_PATCH, "/api/v1/residents/:id", api_resident_patch, ROUTE_AUTH_USER, R_RES },
	{ HTTP_DELETE, "/api/v1/residents/:id", api_resident_remove, ROUTE_AUTH_USER, R_RES },
	{ HTTP_POST, "/api/v1/residents/:id/credentials", api_resident_credential_add,
	    ROUTE_AUTH_USER, R_RES },
	{ HTTP_DELETE, "/api/v1/residents/:id/credentials/:cid",
	    api_resident_credential_remove, ROUTE_AUTH_USER, R_RES },
	{ HTTP_POST, "/api/v1/residents/:id/rights", api_right_grant, ROUTE_AUTH_USER, R_RES },
	{ HTTP_GET, "/api/v1/rights/:id", api_right_get, ROUTE_AUTH_USER, R_RES_READ },
	{ HTTP_POST, "/api/v1/rights/:id/suspend", api_right_suspend, ROUTE_AUTH_USER, R_RES },
	{ HTTP_POST, "/api/v1/rights/:id/resume", api_right_resume, ROUTE_AUTH_USER, R_RES },
	{ HTTP_POST, "/api/v1/rights/:id/revoke", api_right_revoke, ROUTE_AUTH_USER, R_RES },
	{ HTTP_GET, "/api/v1/sites/:key/access-points", api_access_points, ROUTE_AUTH_USER,
	    R_RES_READ },
	{ HTTP_POST, "/api/v1/sites/:key/residents/import", api_residents_import,
	    ROUTE_AUTH_USER, R_RES },
	{ HTTP_GET, "/api/v1/sites/:key/residents.csv", api_residents_export,
	    ROUTE_AUTH_USER, R_RES },
	{ HTTP_GET, "/api/v1/access", api_access_history, ROUTE_AUTH_USER, R_RES_READ },
	{ HTTP_GET, "/api/v1/gateways/:key/access-list", api_access_list,
	    ROUTE_AUTH_GATEWAY, 0 },

	{ HTTP_GET, "/api/v1/audit", api_audit_list, ROUTE_AUTH_USER, R_SUPER },
	{ HTTP_GET, "/api/v1/audit/key", api_audit_key, ROUTE_AUTH_USER, R_READ },
	/* The audit kind is refused to all but R_SUPER in the handler. */
	{ HTTP_GET, "/api/v1/export/:kind", api_export, ROUTE_AUTH_USER, R_READ },
	{ HTTP_GET, "/api/v1/stream", api_stream_plain, ROUTE_AUTH_NONE, 0 },
};
const int router_table_len = (int)ARRAY_LEN(router_table);

/* GET /api/v1/stream without a WebSocket upgrade: say how to ask. */
API_HANDLER(api_stream_plain)
{
	(void)srv;
	(void)req;
	resp_error(resp, 426, "upgrade_required", "the stream is a WebSocket: "
	    "upgrade with the subprotocol %s", HUB_SUBPROTOCOL);
	return ROUTE_DONE;
}

/*
 * Match path against pattern segment by segment; ":x" takes one non-empty
 * segment into params (pointers into scratch, a copy of path).
 */
static bool
router_match(const char *pattern, const char *path, char *scratch, size_t len,
    const char **params, int *nparams)
{
	const char *pp = pattern;
	char *sp;

	snprintf(scratch, len, "%s", path);
	sp = scratch;
	*nparams = 0;
	while (*pp != '\0' && *sp != '\0') {
		if (*pp == ':') {
			char *seg = sp;

			while (*pp != '\0' && *pp != '/')
				pp++;
			while (*sp != '\0' && *sp != '/')
				sp++;
			if (sp == seg || *nparams == HTTP_MAX_PATH_PARAMS)
				return false;
			params[(*nparams)++] = seg;
			if (*sp == '/' && *pp == '/') {
				*sp++ = '\0';
				pp++;
			} else if (*sp == '/' || *pp == '/') {
				return false;
			}
			continue;
		}
		if (*pp != *sp)
			return false;
		pp++;
		sp++;
	}
	return *pp == '\0' && *sp == '\0';
}

/* Routes that take bodies larger than LIMIT_BODY_BYTES. */
static const struct {
	enum http_method method;
	const char *pattern;
	size_t max;
} router_bodies[] = {
	{ HTTP_POST, "/api/v1/sites/:key/residents/import", LIMIT_IMPORT_BODY_BYTES },
};

/* The largest request body the route of method and path takes. */
size_t
router_body_limit(enum http_method method, const char *path)
{
	char scratch[LIMIT_URI_BYTES + 1];
	const char *params[HTTP_MAX_PATH_PARAMS];
	int nparams;

	for (size_t i = 0; i < ARRAY_LEN(router_bodies); i++)
		if (router_bodies[i].method == method && router_match(router_bodies[i].pattern,
		    path, scratch, sizeof scratch, params, &nparams))
			return router_bodies[i].max;
	return LIMIT_BODY_BYTES;
}

/* Refuse with 401 and the right challenge for the route's kind of caller. */
static enum route_result
router_unauthorized(const struct route *r, struct http_resp *resp)
{
	if (r->auth == ROUTE_AUTH_USER) {
		resp_error(resp, 401, "unauthorized",
		    "a valid session token is required: log in again");
		resp->www_authenticate = "Bearer realm=\"vigil\"";
	} else {
		resp_error(resp, 401, "unauthorized", "%s",
		    r->auth == ROUTE_AUTH_GATEWAY ?
		    "unknown gateway or wrong secret" :
		    "unknown device or wrong secret");
		resp->www_authenticate = "Basic realm=\"vigil\"";
	}
	return ROUTE_DONE;
}

/* Resolve the caller, check the route's role rule, and run the handler. */
enum route_result
router_dispatch(struct server *srv, struct http_req *req, struct http_resp *resp)
{
	char scratch[LIMIT_URI_BYTES + 1];
	const struct route *r = NULL;
	bool path_known = false;
	int rc = 0;

	for (int i = 0; i < router_table_len && r == NULL; i++) {
		const struct route *t = &router_table[i];

		if (!router_match(t->pattern, req->path, scratch, sizeof scratch,
		    req->params, &req->nparams))
			continue;
		path_known = true;
		if (t->method == req->method)
			r = t;
	}
	if (r == NULL) {
		if (path_known)
			resp_error(resp, 405, "method_not_allowed",
			    "%s does not take this method", req->path);
		else
			resp_error(resp, 404, "not_found", "no such endpoint: %.200s",
			    req->path);
		return ROUTE_DONE;
	}
	/* Matching again leaves the params pointing at this route's segments. */
	router_match(r->pattern, req->path, scratch, sizeof scratch, req->params,
	    &req->nparams);
	memset(&req->who, 0, sizeof req->who);
	switch (r->auth) {
	case ROUTE_AUTH_NONE:
		break;
	case ROUTE_AUTH_USER:
		rc = auth_session_check(srv->st, req->authorization, vtime_now_ms(),
		    &req->who);
		break;
	case ROUTE_AUTH_GATEWAY:
		rc = auth_gateway_check(srv->st, req->authorization, &req->who);
		break;
	case ROUTE_AUTH_DEVICE:
		rc = auth_device_check(srv->st, req->authorization, &req->who);
		break;
	}
	if (rc != 0)
		return router_unauthorized(r, resp);
	if (r->auth == ROUTE_AUTH_USER && (r->roles & ROLE_BIT(req->who.role)) == 0) {
		resp_error(resp, 403, "forbidden", "the %s role may not do this",
		    role_name(req->who.role));
		return ROUTE_DONE;
	}
	return r->fn(srv, req, resp);
}
