#include "compat.h"

#include <sqlite3.h>

#include "api.h"
#include "apiarg.h"
#include "auth.h"
#include "rowjson.h"
#include "server.h"
#include "store.h"
#include "streamlog.h"
#include "txn.h"

/*
 * Sites, their points and their gateways as the console's snapshot reads
 * them.  Every object is filtered by the caller's site scope; a site the
 * caller may not see is answered exactly like one that does not exist, so
 * that a manager cannot learn which other sites are on the system.
 */

/* Columns of a site row as api_site_json reads them. */
#define API_SITE_COLUMNS \
	"s.id, s.key, s.name, s.address, s.timezone, s.grp, s.lat_min," \
	" s.lon_min, s.lat_max, s.lon_max," \
	" (SELECT count(*) FROM points p WHERE p.site_id = s.id)," \
	" (SELECT count(*) FROM alarms a WHERE a.site_id = s.id" \
	" AND a.state <> 'closed')"

/* Columns of a gateway row as api_gateway_json reads them. */
#define API_GATEWAY_COLUMNS \
	"g.key, s.key, g.name, g.supervision_s, g.last_seen_ms, g.line_fault," \
	" g.site_id"

/* The site in the current row (API_SITE_COLUMNS) as JSON. */
static json_t *
api_site_json(sqlite3_stmt *s)
{
	json_t *bounds, *site;

	if (sqlite3_column_type(s, 6) == SQLITE_NULL)
		bounds = json_null();
	else
		bounds = json_pack("[o, o, o, o]", rowjson_real(s, 6),
		    rowjson_real(s, 7), rowjson_real(s, 8), rowjson_real(s, 9));
	site = json_pack("{s:s, s:s, s:o, s:s, s:o, s:o, s:I, s:I}",
	    "key", store_col_text(s, 1),
	    "name", store_col_text(s, 2),
	    "address", rowjson_nonempty(s, 3),
	    "timezone", store_col_text(s, 4),
	    "group", rowjson_nonempty(s, 5),
	    "bounds", bounds,
	    "points", (json_int_t)sqlite3_column_int64(s, 10),
	    "open_alarms", (json_int_t)sqlite3_column_int64(s, 11));
	if (site == NULL)
		fatal("api: cannot build a site");
	return site;
}

/* The gateway in the current row (API_GATEWAY_COLUMNS) as JSON. */
static json_t *
api_gateway_json(sqlite3_stmt *s)
{
	json_t *gw;

	gw = json_pack("{s:s, s:s, s:s, s:I, s:o, s:b}",
	    "key", store_col_text(s, 0),
	    "site", store_col_text(s, 1),
	    "name", store_col_text(s, 2),
	    "supervision_s", (json_int_t)sqlite3_column_int64(s, 3),
	    "last_seen", rowjson_time(s, 4),
	    "line_fault", sqlite3_column_int(s, 5) != 0);
	if (gw == NULL)
		fatal("api: cannot build a gateway");
	return gw;
}

/* Append the gateways of site_id (0 for every site) the caller sees to arr; 0 or -1. */
static int
api_sites_gateways(struct server *srv, struct http_req *req, int64_t site_id,
    json_t *arr)
{
	static const char sql_site[] =
	    "SELECT " API_GATEWAY_COLUMNS " FROM gateways g"
	    " JOIN sites s ON s.id = g.site_id WHERE g.site_id = ? ORDER BY g.key";
	static const char sql_all[] =
	    "SELECT " API_GATEWAY_COLUMNS " FROM gateways g"
	    " JOIN sites s ON s.id = g.site_id ORDER BY s.key, g.key";
	sqlite3_stmt *s;
	int rc;

	s = store_stmt(srv->st, site_id != 0 ? sql_site : sql_all);
	if (site_id != 0)
		store_bind_int(s, 1, site_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!principal_sees_site(&req->who, sqlite3_column_int64(s, 6)))
			continue;
		json_array_append_new(arr, api_gateway_json(s));
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* GET /api/v1/sites: the sites the caller sees, with counts, and the stream seq. */
API_HANDLER(api_sites_list)
{
	static const char sql[] =
	    "SELECT " API_SITE_COLUMNS " FROM sites s ORDER BY s.key";
	sqlite3_stmt *s;
	json_t *sites;
	int64_t seq;
	bool began;
	int rc;

	if (!txn_read_begin(srv, resp, &began))
		return ROUTE_DONE;
	sites = json_array();
	s = store_stmt(srv->st, sql);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!principal_sees_site(&req->who, sqlite3_column_int64(s, 0)))
			continue;
		json_array_append_new(sites, api_site_json(s));
	}
	sqlite3_reset(s);
	seq = streamlog_head(srv);
	txn_read_end(srv, began);
	if (rc != SQLITE_DONE) {
		json_decref(sites);
		resp_error(resp, 500, "internal", "cannot read the sites");
		return ROUTE_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o, s:I}", "sites", sites, "seq",
	    (json_int_t)seq));
	return ROUTE_DONE;
}

/* GET /api/v1/sites/:key: one site with its gateways. */
API_HANDLER(api_site_get)
{
	static const char sql[] =
	    "SELECT " API_SITE_COLUMNS " FROM sites s WHERE s.id = ?";
	const char *key = req->nparams > 0 ? req->params[0] : "";
	json_t *site = NULL, *gateways;
	sqlite3_stmt *s;
	int64_t id;
	bool began;
	int rc;

	if (!txn_read_begin(srv, resp, &began))
		return ROUTE_DONE;
	if ((id = apiarg_site(srv, req, resp, key)) <= 0) {
		txn_read_end(srv, began);
		return ROUTE_DONE;
	}
	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		site = api_site_json(s);
	sqlite3_reset(s);
	gateways = json_array();
	if (site == NULL || api_sites_gateways(srv, req, id, gateways) != 0) {
		txn_read_end(srv, began);
		json_decref(site);
		json_decref(gateways);
		resp_error(resp, 500, "internal", "cannot read site \"%.64s\"", key);
		return ROUTE_DONE;
	}
	txn_read_end(srv, began);
	json_object_set_new(site, "gateways", gateways);
	resp_json(resp, 200, json_pack("{s:o}", "site", site));
	return ROUTE_DONE;
}

/* GET /api/v1/sites/:key/points: the points of one site. */
API_HANDLER(api_points_list)
{
	static const char sql[] =
	    "SELECT p.key, p.label, p.type, g.key, p.building, p.floor, p.zone,"
	    " p.controller, p.lat, p.lon, p.state, p.state_ms FROM points p"
	    " LEFT JOIN gateways g ON g.id = p.gateway_id"
	    " WHERE p.site_id = ? ORDER BY p.key";
	const char *key = req->nparams > 0 ? req->params[0] : "";
	json_t *points, *pt;
	sqlite3_stmt *s;
	int64_t id;
	bool began;
	int rc;

	if (!txn_read_begin(srv, resp, &began))
		return ROUTE_DONE;
	if ((id = apiarg_site(srv, req, resp, key)) <= 0) {
		txn_read_end(srv, began);
		return ROUTE_DONE;
	}
	points = json_array();
	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		pt = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
		    " s:s, s:o}",
		    "key", store_col_text(s, 0),
		    "label", store_col_text(s, 1),
		    "type", store_col_text(s, 2),
		    "gateway", rowjson_nonempty(s, 3),
		    "building", rowjson_nonempty(s, 4),
		    "floor", rowjson_nonempty(s, 5),
		    "zone", rowjson_nonempty(s, 6),
		    "controller", rowjson_nonempty(s, 7),
		    "lat", rowjson_real(s, 8),
		    "lon", rowjson_real(s, 9),
		    "state", store_col_text(s, 10),
		    "state_since", rowjson_time(s, 11));
		if (pt == NULL)
			fatal("api: cannot build a point");
		json_array_append_new(points, pt);
	}
	sqlite3_reset(s);
	txn_read_end(srv, began);
	if (rc != SQLITE_DONE) {
		json_decref(points);
		resp_error(resp, 500, "internal", "cannot read the points of "
		    "\"%.64s\"", key);
		return ROUTE_DONE;
	}
	resp_json(resp, 200, json_pack("{s:s, s:o}", "site", key, "points",
	    points));
	return ROUTE_DONE;
}

/* GET /api/v1/gateways[?site=KEY]: the gateways the caller sees, and the stream seq. */
API_HANDLER(api_gateways_list)
{
	const char *key = http_arg(req, "site");
	json_t *gateways;
	int64_t id = 0, seq;
	bool began;

	if (!txn_read_begin(srv, resp, &began))
		return ROUTE_DONE;
	if (key != NULL && (id = apiarg_site(srv, req, resp, key)) <= 0) {
		txn_read_end(srv, began);
		return ROUTE_DONE;
	}
	gateways = json_array();
	if (api_sites_gateways(srv, req, id, gateways) != 0) {
		txn_read_end(srv, began);
		json_decref(gateways);
		resp_error(resp, 500, "internal", "cannot read the gateways");
		return ROUTE_DONE;
	}
	seq = streamlog_head(srv);
	txn_read_end(srv, began);
	resp_json(resp, 200, json_pack("{s:o, s:I}", "gateways", gateways, "seq",
	    (json_int_t)seq));
	return ROUTE_DONE;
}
