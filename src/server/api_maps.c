#include "compat.h"

#include <sqlite3.h>

#include "api.h"
#include "apiarg.h"
#include "auth.h"
#include "rowjson.h"
#include "server.h"
#include "store.h"
#include "vtime.h"

/*
 * Site maps as imported with their site (vigil-map(5)), and a guard's
 * movement history.  As everywhere in the API, a site or guard the caller
 * may not see is answered exactly like one that does not exist.
 */

/* A time column (ms) as an ISO 8601 string. */
static json_t *
api_maps_time(int64_t ms)
{
	char buf[VTIME_ISO_LEN];

	vtime_format(ms, buf, sizeof buf);
	return (json_string(buf));
}

/* GET /api/v1/sites/:key/maps: the site's maps, without their text. */
API_HANDLER(api_site_maps_list)
{
	static const char sql[] =
	    "SELECT key, name, kind, building, floor, updated_ms, etag,"
	    " length(CAST(text AS BLOB)) FROM maps WHERE site_id = ? ORDER BY key";
	sqlite3_stmt *s;
	json_t *maps, *m;
	int64_t site_id;
	int rc;

	if ((site_id = apiarg_site(srv, req, resp, req->params[0])) <= 0)
		return (ROUTE_DONE);
	maps = json_array();
	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, site_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		m = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:I}",
		    "key", store_col_text(s, 0),
		    "name", store_col_text(s, 1),
		    "kind", store_col_text(s, 2),
		    "building", rowjson_nonempty(s, 3),
		    "floor", rowjson_nonempty(s, 4),
		    "updated", api_maps_time(sqlite3_column_int64(s, 5)),
		    "etag", store_col_text(s, 6),
		    "bytes", (json_int_t)sqlite3_column_int64(s, 7));
		if (m == NULL)
			fatal("api: cannot build a map");
		json_array_append_new(maps, m);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		json_decref(maps);
		resp_error(resp, 500, "internal", "cannot read the maps: %s",
		    store_errmsg(srv->st));
		return (ROUTE_DONE);
	}
	resp_json(resp, 200, json_pack("{s:s, s:o}", "site", req->params[0],
	    "maps", maps));
	return (ROUTE_DONE);
}

/*
 * GET /api/v1/sites/:key/maps/:map: one map with its text, and its ETag; a
 * matching If-None-Match is answered 304 without the body.
 */
API_HANDLER(api_site_map_get)
{
	static const char sql[] =
	    "SELECT key, name, kind, building, floor, updated_ms, etag, text"
	    " FROM maps WHERE site_id = ? AND key = ?";
	sqlite3_stmt *s;
	json_t *m = NULL;
	int64_t site_id;
	char etag[sizeof resp->etag];
	int rc;

	if ((site_id = apiarg_site(srv, req, resp, req->params[0])) <= 0)
		return (ROUTE_DONE);
	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, site_id);
	store_bind_text(s, 2, req->params[1]);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(etag, sizeof etag, "\"%s\"", store_col_text(s, 6));
		m = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s}",
		    "key", store_col_text(s, 0),
		    "site", req->params[0],
		    "name", store_col_text(s, 1),
		    "kind", store_col_text(s, 2),
		    "building", rowjson_nonempty(s, 3),
		    "floor", rowjson_nonempty(s, 4),
		    "updated", api_maps_time(sqlite3_column_int64(s, 5)),
		    "etag", store_col_text(s, 6),
		    "text", store_col_text(s, 7));
		if (m == NULL)
			fatal("api: cannot build a map");
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		resp_error(resp, 500, "internal", "cannot read the map: %s",
		    store_errmsg(srv->st));
		return (ROUTE_DONE);
	}
	if (m == NULL) {
		resp_error(resp, 404, "not_found", "no map \"%.64s\" on site "
		    "\"%.64s\"", req->params[1], req->params[0]);
		return (ROUTE_DONE);
	}
	snprintf(resp->etag, sizeof resp->etag, "%s", etag);
	if (req->if_none_match != NULL &&
	    strcmp(req->if_none_match, etag) == 0) {
		json_decref(m);
		resp->status = 304;
		return (ROUTE_DONE);
	}
	resp_json(resp, 200, m);
	return (ROUTE_DONE);
}

/*
 * GET /api/v1/guards/:callsign/track?since=&until=&limit=: the guard's
 * positions from since (default an hour ago) to until (default now), oldest
 * first, at most limit of them; "more" tells that later ones were left out.
 */
API_HANDLER(api_guard_track)
{
	static const char sql_guard[] =
	    "SELECT id, site_id FROM guards WHERE callsign = ?";
	static const char sql_track[] =
	    "SELECT ts_ms, lat, lon, accuracy FROM positions"
	    " WHERE guard_id = ? AND ts_ms >= ? AND ts_ms <= ?"
	    " ORDER BY ts_ms, id LIMIT ?";
	const char *callsign = req->params[0];
	sqlite3_stmt *s;
	json_t *positions, *p;
	int64_t id = 0, site_id = 0, now, since, until, limit, n = 0;
	int rc;

	now = vtime_now_ms();
	since = now - (int64_t)TRACK_DEFAULT_SINCE_S * 1000;
	until = now;
	limit = LIMIT_TRACK_DEFAULT;
	if (apiarg_time(req, resp, "since", &since) != 0 ||
	    apiarg_time(req, resp, "until", &until) != 0 ||
	    apiarg_int(req, resp, "limit", 1, LIMIT_TRACK_POSITIONS, &limit) != 0)
		return (ROUTE_DONE);
	if (until < since) {
		resp_error(resp, 400, "malformed", "until: must not be before since");
		return (ROUTE_DONE);
	}

	s = store_stmt(srv->st, sql_guard);
	store_bind_text(s, 1, callsign);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		site_id = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		resp_error(resp, 500, "internal", "cannot read the guards");
		return (ROUTE_DONE);
	}
	/* A guard of no site is seen only by users who see every site. */
	if (id == 0 || (site_id == 0 ? !(req->who.all_sites ||
	    req->who.kind == PRINCIPAL_SYSTEM) :
	    !principal_sees_site(&req->who, site_id))) {
		resp_error(resp, 404, "not_found", "no guard \"%.64s\"", callsign);
		return (ROUTE_DONE);
	}

	positions = json_array();
	s = store_stmt(srv->st, sql_track);
	store_bind_int(s, 1, id);
	store_bind_int(s, 2, since);
	store_bind_int(s, 3, until);
	store_bind_int(s, 4, limit + 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (++n > limit)
			break;
		p = json_pack("{s:o, s:f, s:f, s:o}",
		    "ts", api_maps_time(sqlite3_column_int64(s, 0)),
		    "lat", sqlite3_column_double(s, 1),
		    "lon", sqlite3_column_double(s, 2),
		    "accuracy", rowjson_real(s, 3));
		if (p == NULL)
			fatal("api: cannot build a position");
		json_array_append_new(positions, p);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(positions);
		resp_error(resp, 500, "internal", "cannot read the track: %s",
		    store_errmsg(srv->st));
		return (ROUTE_DONE);
	}
	resp_json(resp, 200, json_pack("{s:s, s:o, s:o, s:o, s:b}",
	    "guard", callsign, "since", api_maps_time(since),
	    "until", api_maps_time(until), "positions", positions,
	    "more", n > limit));
	return (ROUTE_DONE);
}
