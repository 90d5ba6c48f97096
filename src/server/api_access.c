#include "compat.h"

#include <ctype.h>
#include <strings.h>

#include <jansson.h>
#include <sqlite3.h>

#include "access_list.h"
#include "accessrule.h"
#include "api.h"
#include "apiarg.h"
#include "audit.h"
#include "auth.h"
#include "buf.h"
#include "log.h"
#include "residents.h"
#include "rowjson.h"
#include "server.h"
#include "store.h"
#include "streamlog.h"
#include "txn.h"
#include "vtime.h"

/* The columns of a residents CSV file, in export order. */
enum api_csv_col {
	CSV_NAME, CSV_PHONE, CSV_EMAIL, CSV_BUILDING, CSV_ENTRANCE, CSV_APARTMENT,
	CSV_ROLE, CSV_CREDENTIALS, CSV__COUNT
};
static const struct {
	const char *name;
	bool required;
} api_csv_cols[CSV__COUNT] = {
	[CSV_NAME] = { "name", true },
	[CSV_PHONE] = { "phone", false },
	[CSV_EMAIL] = { "email", false },
	[CSV_BUILDING] = { "building", true },
	[CSV_ENTRANCE] = { "entrance", true },
	[CSV_APARTMENT] = { "apartment", true },
	[CSV_ROLE] = { "role", true },
	[CSV_CREDENTIALS] = { "credentials", false },
};

/* GET /api/v1/gateways/:key/access-list: the gateway's list, with an ETag. */
API_HANDLER(api_access_list)
{
	static const char sql[] =
	    "SELECT s.access_version, s.timezone, s.key FROM sites s WHERE s.id = ?";
	char etag[80], tz[LIMIT_NAME_LEN + 1], site_key[LIMIT_KEY_LEN + 1];
	const char *key = req->params[0];
	int64_t version;
	struct buf b;
	sqlite3_stmt *s;
	bool began;
	int rc;

	if (strcmp(key, req->who.name) != 0) {
		resp_error(resp, 403, "forbidden", "a gateway may only fetch its "
		    "own access list");
		return ROUTE_DONE;
	}
	if (!txn_read_begin(srv, resp, &began))
		return ROUTE_DONE;
	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, req->who.site_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		txn_read_end(srv, began);
		resp_error(resp, 404, "not_found", "the gateway's site is gone");
		return ROUTE_DONE;
	}
	version = sqlite3_column_int64(s, 0);
	snprintf(tz, sizeof tz, "%s", store_col_text(s, 1));
	snprintf(site_key, sizeof site_key, "%s", store_col_text(s, 2));
	sqlite3_reset(s);
	snprintf(etag, sizeof etag, "\"%" PRId64 "-%" PRId64 "-%" PRId64 "\"",
	    req->who.site_id, req->who.id, version);
	snprintf(resp->etag, sizeof resp->etag, "%s", etag);
	if (req->if_none_match != NULL && strcmp(req->if_none_match, etag) == 0) {
		txn_read_end(srv, began);
		resp->status = 304;
		return ROUTE_DONE;
	}
	buf_init(&b, LIMIT_RESPONSE_BYTES);
	rc = access_list_build(srv, req->who.site_id, req->who.id, key, site_key, tz,
	    version, &b);
	txn_read_end(srv, began);
	if (rc != 0) {
		buf_release(&b);
		resp->etag[0] = '\0';
		resp_error(resp, 500, "internal", "the access list could not be built");
		return ROUTE_DONE;
	}
	free(resp->body);
	resp->status = 200;
	resp->content_type = "application/json";
	resp->body = buf_detach(&b, &resp->body_len);
	return ROUTE_DONE;
}

/* The query arguments GET /api/v1/access accepts. */
static const char *const api_access_args[] = {
	"site", "resident", "point", "since", "until", "result", "limit", "after",
	NULL,
};

/* GET /api/v1/access: access events, newest first, with filters. */
API_HANDLER(api_access_history)
{
	static const char sql[] =
	    "SELECT e.id, e.sensor_ms, e.received_ms, s.key, g.key, p.key, e.type,"
	    " e.credential, e.resident_id, r.name, e.site_id"
	    " FROM events e JOIN sites s ON s.id = e.site_id"
	    " JOIN gateways g ON g.id = e.gateway_id"
	    " LEFT JOIN points p ON p.id = e.point_id"
	    " LEFT JOIN residents r ON r.id = e.resident_id"
	    " WHERE e.type IN ('access_granted', 'access_denied')"
	    " AND (?1 IS NULL OR e.site_id = ?1)"
	    " AND (?2 IS NULL OR e.resident_id = ?2)"
	    " AND (?3 IS NULL OR p.key = ?3)"
	    " AND (?4 IS NULL OR e.sensor_ms >= ?4)"
	    " AND (?5 IS NULL OR e.sensor_ms < ?5)"
	    " AND (?6 IS NULL OR e.type = ?6)"
	    " AND (?7 IS NULL OR e.id < ?7)"
	    " ORDER BY e.id DESC";
	const char *site = http_arg(req, "site"), *point = http_arg(req, "point");
	const char *result = http_arg(req, "result");
	int64_t limit = LIMIT_LIST_DEFAULT, after = 0, resident = 0, site_id = 0;
	int64_t since = 0, until = 0, n = 0, last = 0, next = 0;
	bool has_since = http_arg(req, "since") != NULL, began;
	bool has_until = http_arg(req, "until") != NULL;
	bool contact = residents_contact_allowed(&req->who);
	char ts[VTIME_ISO_LEN], rx[VTIME_ISO_LEN];
	json_t *events;
	sqlite3_stmt *s;
	int rc;

	if (apiarg_known(req, resp, api_access_args) != 0 ||
	    apiarg_int(req, resp, "limit", 1, LIMIT_LIST_MAX, &limit) != 0 ||
	    apiarg_int(req, resp, "after", 1, INT64_MAX, &after) != 0 ||
	    apiarg_int(req, resp, "resident", 1, INT64_MAX, &resident) != 0 ||
	    apiarg_time(req, resp, "since", &since) != 0 ||
	    apiarg_time(req, resp, "until", &until) != 0)
		return ROUTE_DONE;
	if (result != NULL && strcmp(result, "granted") != 0 &&
	    strcmp(result, "denied") != 0) {
		resp_error(resp, 400, "malformed", "result: must be granted or denied");
		return ROUTE_DONE;
	}
	if (point != NULL && strlen(point) > LIMIT_KEY_LEN) {
		resp_error(resp, 400, "malformed", "point: at most %d "
		    "bytes", LIMIT_KEY_LEN);
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
	if (resident > 0)
		store_bind_int(s, 2, resident);
	store_bind_text(s, 3, point);
	if (has_since)
		store_bind_int(s, 4, since);
	if (has_until)
		store_bind_int(s, 5, until);
	if (result != NULL)
		store_bind_text(s, 6, strcmp(result, "granted") == 0 ?
		    "access_granted" : "access_denied");
	if (after > 0)
		store_bind_int(s, 7, after);
	events = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		json_t *who;

		if (!principal_sees_site(&req->who, sqlite3_column_int64(s, 10)))
			continue;
		if (n == limit) {
			next = last;
			break;
		}
		vtime_format(sqlite3_column_int64(s, 1), ts, sizeof ts);
		vtime_format(sqlite3_column_int64(s, 2), rx, sizeof rx);
		who = sqlite3_column_type(s, 8) == SQLITE_NULL ? json_null() :
		    json_pack("{s:I, s:s}", "id", (json_int_t)sqlite3_column_int64(s,
		    8), "name", store_col_text(s, 9));
		json_array_append_new(events, json_pack("{s:I, s:s, s:s, s:s, s:s,"
		    " s:o, s:s, s:o, s:o}", "id", (json_int_t)id, "ts", ts,
		    "received", rx, "site", store_col_text(s, 3), "gateway",
		    store_col_text(s, 4), "point", rowjson_text(s, 5),
		    "result", strcmp(store_col_text(s, 6), "access_granted") == 0 ?
		    "granted" : "denied", "credential", contact &&
		    sqlite3_column_type(s, 7) != SQLITE_NULL ?
		    json_string(store_col_text(s, 7)) : json_null(), "resident", who));
		last = id;
		n++;
	}
	sqlite3_reset(s);
	txn_read_end(srv, began);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(events);
		resp_error(resp, 500, "internal", "cannot read the access events");
		return ROUTE_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o, s:o}", "events", events, "next",
	    next > 0 ? json_integer(next) : json_null()));
	return ROUTE_DONE;
}

/* A CSV reader over a body: records of fields, with line numbers. */
struct api_csv {
	const char *p, *end;
	int line;                /* of the next character */
	int rec_line;            /* where the last record started */
	char *fields[CSV__COUNT * 2 + 8];
	int nfields;
	char err[160];
};

/* Free the fields of the last record. */
static void
api_csv_clear(struct api_csv *c)
{
	for (int i = 0; i < c->nfields; i++)
		free(c->fields[i]);
	c->nfields = 0;
}

/*
 * Read the next record (RFC 4180: quoted fields may hold commas, quotes
 * doubled, and line breaks; CRLF or LF ends a record).  1 read, 0 at the
 * end, -1 with c->err.
 */
static int
api_csv_next(struct api_csv *c)
{
	struct buf f;
	bool more = true;

	api_csv_clear(c);
	/* Blank lines between records are skipped. */
	while (c->p < c->end && (*c->p == '\n' || (*c->p == '\r' &&
	    c->p + 1 < c->end && c->p[1] == '\n'))) {
		c->p += *c->p == '\r' ? 2 : 1;
		c->line++;
	}
	if (c->p >= c->end)
		return 0;
	c->rec_line = c->line;
	buf_init(&f, LIMIT_CSV_FIELD_BYTES);
	while (more) {
		bool quoted = false;

		buf_reset(&f);
		if (c->p < c->end && *c->p == '"') {
			quoted = true;
			c->p++;
			for (;;) {
				if (c->p >= c->end) {
					snprintf(c->err, sizeof c->err, "a quoted "
					    "field is not closed");
					goto bad;
				}
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						buf_add(&f, "\"", 1);
						c->p += 2;
						continue;
					}
					c->p++;
					break;
				}
				if (*c->p == '\n')
					c->line++;
				buf_add(&f, c->p, 1);
				c->p++;
			}
		} else {
			while (c->p < c->end && *c->p != ',' && *c->p != '\n' &&
			    !(*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')) {
				if (*c->p == '"') {
					snprintf(c->err, sizeof c->err, "a quote "
					    "inside an unquoted field (quote the "
					    "whole field and double the quote)");
					goto bad;
				}
				buf_add(&f, c->p, 1);
				c->p++;
			}
		}
		if (f.overflow) {
			snprintf(c->err, sizeof c->err, "a field is longer than %d "
			    "bytes", LIMIT_CSV_FIELD_BYTES);
			goto bad;
		}
		if (c->nfields == (int)ARRAY_LEN(c->fields)) {
			snprintf(c->err, sizeof c->err, "more than %zu fields",
			    ARRAY_LEN(c->fields));
			goto bad;
		}
		c->fields[c->nfields++] = buf_detach(&f, NULL);
		if (c->fields[c->nfields - 1] == NULL)
			c->fields[c->nfields - 1] = xstrdup("");
		if (c->p >= c->end)
			more = false;
		else if (*c->p == ',')
			c->p++;
		else if (*c->p == '\n' || *c->p == '\r') {
			c->p += *c->p == '\r' ? 2 : 1;
			c->line++;
			more = false;
		} else if (quoted) {
			snprintf(c->err, sizeof c->err, "text after a closing quote");
			goto bad;
		}
	}
	buf_release(&f);
	return 1;

bad:
	buf_release(&f);
	return -1;
}

/* Strip the "'" that an export puts before = + - @; returns s. */
static const char *
api_csv_unguard(const char *s)
{
	if (s[0] == '\'' && s[1] != '\0' && strchr("=+-@", s[1]) != NULL)
		return s + 1;
	return s;
}

/* Add one bad row to the reply's errors (the first LIMIT_IMPORT_ERRORS). */
static void
api_import_error(json_t *errors, int *nerr, int line, const char *field,
    const char *msg)
{
	if (*nerr < LIMIT_IMPORT_ERRORS)
		json_array_append_new(errors, json_pack("{s:i, s:s, s:s}", "line",
		    line, "field", field, "message", msg));
	(*nerr)++;
}

/*
 * Split "card:04A1;plate:AB12" into in's credentials (pointers into text,
 * which is changed); NULL, or what is wrong.
 */
static const char *
api_import_creds(char *text, struct resident_in *in)
{
	char *save = NULL, *item;

	for (item = strtok_r(text, ";", &save); item != NULL;
	    item = strtok_r(NULL, ";", &save)) {
		char *colon;

		while (*item == ' ')
			item++;
		if (*item == '\0')
			continue;
		if ((colon = strchr(item, ':')) == NULL)
			return "each credential is KIND:VALUE (e.g. card:04A1B2;"
			    "plate:AB12CDE)";
		if (in->ncreds == LIMIT_RESIDENT_CREDENTIALS)
			return "too many credentials";
		*colon = '\0';
		in->ckind[in->ncreds] = item;
		in->cvalue[in->ncreds] = colon + 1;
		in->ncreds++;
	}
	return NULL;
}

/* POST /api/v1/sites/:key/residents/import[?dry_run=1]: CSV import. */
API_HANDLER(api_residents_import)
{
	static const char *const known[] = { "dry_run", NULL };
	const char *key = req->params[0];
	struct api_csv c;
	struct audit_actor who;
	json_t *errors = json_array(), *reply;
	int col[CSV__COUNT], rows = 0, imported = 0, nerr = 0, rc;
	int64_t site_id, dry = 0, now = vtime_now_ms();
	bool failed = false;

	memset(&c, 0, sizeof c);
	if (apiarg_known(req, resp, known) != 0 ||
	    apiarg_int(req, resp, "dry_run", 0, 1, &dry) != 0) {
		json_decref(errors);
		return ROUTE_DONE;
	}
	if (txn_begin(srv) != 0) {
		json_decref(errors);
		resp_error(resp, 503, "unavailable", "the store is busy; try again");
		return ROUTE_DONE;
	}
	site_id = residents_site(srv->st, key, NULL, 0);
	if (site_id <= 0 || !principal_sees_site(&req->who, site_id)) {
		txn_abort(srv);
		json_decref(errors);
		resp_error(resp, 404, "not_found", "no site \"%.64s\"", key);
		return ROUTE_DONE;
	}
	audit_actor_from(&who, &req->who, req->source);
	c.p = req->body != NULL ? req->body : "";
	c.end = c.p + req->body_len;
	if (c.end - c.p >= 3 && memcmp(c.p, "\xef\xbb\xbf", 3) == 0)
		c.p += 3;
	c.line = 1;

	/* The header row names the columns. */
	rc = api_csv_next(&c);
	for (int i = 0; i < CSV__COUNT; i++)
		col[i] = -1;
	if (rc <= 0) {
		api_import_error(errors, &nerr, 1, "header", rc < 0 ? c.err :
		    "the file is empty: a header row is required");
		failed = true;
	}
	for (int i = 0; rc > 0 && i < c.nfields; i++) {
		int k;

		for (k = 0; k < CSV__COUNT; k++)
			if (strcasecmp(c.fields[i], api_csv_cols[k].name) == 0)
				break;
		if (k == CSV__COUNT || col[k] >= 0) {
			char msg[200];

			snprintf(msg, sizeof msg, "header: %s column \"%.64s\" "
			    "(columns: name, phone, email, building, entrance, "
			    "apartment, role, credentials)", k == CSV__COUNT ?
			    "unknown" : "repeated", c.fields[i]);
			api_import_error(errors, &nerr, 1, "header", msg);
			failed = true;
			continue;
		}
		col[k] = i;
	}
	for (int k = 0; rc > 0 && k < CSV__COUNT; k++)
		if (api_csv_cols[k].required && col[k] < 0) {
			char msg[120];

			snprintf(msg, sizeof msg, "header: missing column \"%s\"",
			    api_csv_cols[k].name);
			api_import_error(errors, &nerr, 1, "header", msg);
			failed = true;
		}

	/* Every row is checked, so that one reply names every bad row. */
	while (!failed || (nerr < LIMIT_IMPORT_ERRORS && col[CSV_NAME] >= 0 &&
	    rows > 0)) {
		struct resident_in in;
		struct residents_err e;
		const char *v[CSV__COUNT], *why;
		char *creds = NULL;

		if (rc <= 0)
			break;
		rc = api_csv_next(&c);
		if (rc == 0)
			break;
		rows++;
		if (rc < 0) {
			api_import_error(errors, &nerr, c.rec_line, "row", c.err);
			failed = true;
			break;
		}
		if (rows > LIMIT_IMPORT_ROWS) {
			char msg[80];

			snprintf(msg, sizeof msg, "more than %d rows",
			    LIMIT_IMPORT_ROWS);
			api_import_error(errors, &nerr, c.rec_line, "row", msg);
			failed = true;
			break;
		}
		for (int k = 0; k < CSV__COUNT; k++)
			v[k] = col[k] >= 0 && col[k] < c.nfields ?
			    api_csv_unguard(c.fields[col[k]]) : "";
		memset(&in, 0, sizeof in);
		memset(&e, 0, sizeof e);
		in.name = v[CSV_NAME];
		in.phone = *v[CSV_PHONE] != '\0' ? v[CSV_PHONE] : NULL;
		in.email = *v[CSV_EMAIL] != '\0' ? v[CSV_EMAIL] : NULL;
		in.building = v[CSV_BUILDING];
		in.entrance = v[CSV_ENTRANCE];
		in.apartment = v[CSV_APARTMENT];
		in.role = v[CSV_ROLE];
		if (col[CSV_CREDENTIALS] >= 0 && col[CSV_CREDENTIALS] < c.nfields) {
			creds = c.fields[col[CSV_CREDENTIALS]];
			if ((why = api_import_creds(creds, &in)) != NULL) {
				char msg[200];

				snprintf(msg, sizeof msg, "credentials: %s", why);
				api_import_error(errors, &nerr, c.rec_line,
				    "credentials", msg);
				failed = true;
				continue;
			}
		}
		if (residents_validate(srv->st, site_id, &in, true, &e) != 0) {
			api_import_error(errors, &nerr, c.rec_line, e.field, e.msg);
			failed = true;
			continue;
		}
		if (failed)
			continue;
		/* Inserted as we go: later rows see earlier rows' credentials. */
		if (residents_insert(srv, site_id, &in, &who, "resident.import",
		    now) < 0) {
			api_csv_clear(&c);
			txn_abort(srv);
			json_decref(errors);
			resp_error(resp, 500, "internal", "the import could not be "
			    "stored (line %d)", c.rec_line);
			return ROUTE_DONE;
		}
		imported++;
	}
	api_csv_clear(&c);
	reply = json_pack("{s:i, s:i, s:b, s:O, s:i}", "rows", rows, "imported",
	    failed ? 0 : imported, "dry_run", dry != 0, "errors", errors,
	    "errors_total", nerr);
	json_decref(errors);
	if (failed) {
		txn_abort(srv);
		json_object_set_new(reply, "error", json_pack("{s:s, s:s, s:n}",
		    "code", "invalid", "message", nerr == 1 ? "a row is invalid; "
		    "nothing was imported" : "rows are invalid; nothing was "
		    "imported", "field"));
		resp_json(resp, 422, reply);
		return ROUTE_DONE;
	}
	if (dry) {
		txn_abort(srv);
		resp_json(resp, 200, reply);
		return ROUTE_DONE;
	}
	if (imported > 0 && (residents_bump(srv->st, site_id) != 0 ||
	    streamlog_append(srv, "resident", site_id, json_pack("{s:s, s:s, s:i}",
	    "action", "imported", "site", key, "count", imported), now) < 0)) {
		txn_abort(srv);
		json_decref(reply);
		resp_error(resp, 500, "internal", "the import could not be stored");
		return ROUTE_DONE;
	}
	txn_commit_reply(srv, resp, "the import", 200, reply);
	return ROUTE_DONE;
}

/* Append one CSV cell: quoted when needed, guarded when it starts with = + - @. */
static void
api_csv_cell(struct buf *b, const char *s, bool last)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' ||
	    (s[0] != '\0' && s[strlen(s) - 1] == ' ');
	bool guard = s[0] != '\0' && strchr("=+-@", s[0]) != NULL;

	if (quote)
		buf_add(b, "\"", 1);
	if (guard)
		buf_add(b, "'", 1);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_add(b, "\"", 1);
		buf_add(b, s, 1);
	}
	if (quote)
		buf_add(b, "\"", 1);
	buf_adds(b, last ? "\r\n" : ",");
}

/* GET /api/v1/sites/:key/residents.csv: the site's residents as CSV. */
API_HANDLER(api_residents_export)
{
	static const char sql[] =
	    "SELECT r.id, r.name, r.phone, r.email, r.building, r.entrance,"
	    " r.apartment, r.role, (SELECT group_concat(c.kind || ':' || c.value, ';')"
	    " FROM (SELECT kind, value FROM credentials WHERE resident_id = r.id"
	    " AND removed_ms IS NULL ORDER BY id) c)"
	    " FROM residents r WHERE r.site_id = ? AND r.removed_ms IS NULL"
	    " ORDER BY r.id";
	const char *key = req->params[0];
	int64_t site_id;
	struct buf b;
	sqlite3_stmt *s;
	bool began;
	int rc;

	if (!txn_read_begin(srv, resp, &began))
		return ROUTE_DONE;
	site_id = residents_site(srv->st, key, NULL, 0);
	if (site_id <= 0 || !principal_sees_site(&req->who, site_id)) {
		txn_read_end(srv, began);
		resp_error(resp, 404, "not_found", "no site \"%.64s\"", key);
		return ROUTE_DONE;
	}
	buf_init(&b, LIMIT_RESPONSE_BYTES);
	for (int k = 0; k < CSV__COUNT; k++)
		api_csv_cell(&b, api_csv_cols[k].name, k == CSV__COUNT - 1);
	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, site_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		for (int k = 0; k < CSV__COUNT; k++)
			api_csv_cell(&b, store_col_text(s, k + 1), k == CSV__COUNT - 1);
	sqlite3_reset(s);
	txn_read_end(srv, began);
	if (rc != SQLITE_DONE || b.overflow) {
		buf_release(&b);
		resp_error(resp, 500, "internal", "cannot export the residents");
		return ROUTE_DONE;
	}
	free(resp->body);
	resp->status = 200;
	resp->content_type = "text/csv; charset=utf-8";
	resp->body = buf_detach(&b, &resp->body_len);
	return ROUTE_DONE;
}
