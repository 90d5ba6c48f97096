#include "compat.h"

#include <ctype.h>

#include <jansson.h>
#include <sqlite3.h>

#include "accessrule.h"
#include "alarm.h"
#include "audit.h"
#include "auth.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "residents.h"
#include "rowjson.h"
#include "server.h"
#include "store.h"
#include "streamlog.h"
#include "utf8.h"
#include "vtime.h"

/* Roles a resident may have, and kinds of credential. */
static const char *const residents_roles[] = {
	"resident", "administrator", "management",
};
static const char *const residents_kinds[] = {
	"phone", "app", "card", "plate",
};

/* Reply 422 {"error":{"code":"invalid","message","field"}}. */
void
residents_invalid(struct http_resp *resp, const char *field, const char *fmt, ...)
{
	struct residents_err e;
	va_list ap;

	memset(&e, 0, sizeof e);
	e.status = 422;
	snprintf(e.field, sizeof e.field, "%s", field != NULL ? field : "");
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	residents_reply_err(resp, &e);
}

/* Reply e as an error (422 invalid or 409 conflict, with its field). */
void
residents_reply_err(struct http_resp *resp, const struct residents_err *e)
{
	json_t *err = json_pack("{s:s, s:s}", "code", e->status == 409 ?
	    "conflict" : "invalid", "message", e->msg);

	json_object_set_new(err, "field", e->field[0] != '\0' ?
	    json_string(e->field) : json_null());
	resp_json(resp, e->status != 0 ? e->status : 422,
	    json_pack("{s:o}", "error", err));
}

/* Record a problem in e (the first one wins). */
void
residents_fail(struct residents_err *e, int status, const char *field,
    const char *fmt, ...)
{
	va_list ap;

	if (e->status != 0)
		return;
	e->status = status;
	snprintf(e->field, sizeof e->field, "%s", field);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

/* NULL when s is an E.164 number, else what is wrong. */
const char *
residents_phone_problem(const char *s)
{
	size_t n;

	if (s == NULL || s[0] != '+')
		return "not in E.164 form (+447700900123)";
	n = strlen(s + 1);
	if (n < 8 || n > 15 || strspn(s + 1, "0123456789") != n || s[1] == '0')
		return "not in E.164 form (+447700900123)";
	return NULL;
}

/* NULL when s is a plausible email address, else what is wrong. */
const char *
residents_email_problem(const char *s)
{
	const char *at, *dot;
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0)
		return "must not be empty";
	if (n > LIMIT_EMAIL_LEN)
		return "longer than " "254" " bytes";
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return "must not contain spaces or control characters";
	if ((at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return "must contain exactly one @ (name@example.org)";
	if (at == s)
		return "nothing before the @ (name@example.org)";
	if ((dot = strrchr(at + 1, '.')) == NULL || dot == at + 1 ||
	    dot[1] == '\0' || at[1] == '.')
		return "the domain needs a dot, not at either end (name@example.org)";
	return NULL;
}

/* NULL when s is valid text for a name (1..max bytes, printable), else why. */
const char *
residents_text_problem(const char *s, size_t max)
{
	static char why[48];
	bool blank = true;

	if (s == NULL || *s == '\0')
		return "must not be empty";
	if (strlen(s) > max) {
		snprintf(why, sizeof why, "must be at most %zu bytes", max);
		return why;
	}
	if (!utf8_valid(s, strlen(s)))
		return "not valid UTF-8";
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < ' ' || *p == 0x7f)
			return "must not contain control characters";
		if (*p != ' ')
			blank = false;
	}
	return blank ? "must not be blank" : NULL;
}

/* True for resident, administrator, management. */
bool
residents_role_valid(const char *role)
{
	for (size_t i = 0; role != NULL && i < ARRAY_LEN(residents_roles); i++)
		if (strcmp(role, residents_roles[i]) == 0)
			return true;
	return false;
}

/* True for phone, app, card, plate. */
bool
residents_kind_valid(const char *kind)
{
	for (size_t i = 0; kind != NULL && i < ARRAY_LEN(residents_kinds); i++)
		if (strcmp(kind, residents_kinds[i]) == 0)
			return true;
	return false;
}

/* Normalise a credential value of kind into out; NULL, or what is wrong. */
const char *
residents_credential_norm(const char *kind, const char *value, char *out,
    size_t outlen)
{
	size_t n = 0;

	if (value == NULL || *value == '\0')
		return "must not be empty";
	if (strlen(value) > LIMIT_CREDENTIAL_LEN)
		return "longer than 64 bytes";
	if (strcmp(kind, "phone") == 0) {
		const char *why = residents_phone_problem(value);

		if (why != NULL)
			return why;
		snprintf(out, outlen, "%s", value);
		return NULL;
	}
	for (const char *p = value; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (strcmp(kind, "app") == 0) {
			if (c <= ' ' || c > '~')
				return "must be printable ASCII without spaces";
		} else if (strcmp(kind, "plate") == 0 && (c == ' ' || c == '-')) {
			continue;
		} else if (!isalnum(c)) {
			return strcmp(kind, "card") == 0 ?
			    "a card number is letters and digits only" :
			    "a plate is letters, digits, spaces and dashes only";
		} else
			c = (unsigned char)toupper(c);
		if (n + 1 < outlen)
			out[n++] = (char)c;
	}
	out[n] = '\0';
	if (n == 0)
		return "must not be empty";
	return NULL;
}

/* Parse a decimal number of at most 5 digits at s (n bytes); value or -1. */
static long
residents_number(const char *s, size_t n)
{
	long v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Check a building's entrances or apartments list; NULL, or what is wrong. */
const char *
residents_unit_spec_check(const char *spec, bool numeric, char *out, size_t outlen)
{
	static char why[160];
	const char *p = spec;
	size_t off = 0;

	if (spec == NULL || strlen(spec) > LIMIT_UNIT_SPEC_LEN) {
		snprintf(why, sizeof why, "must be at most %d bytes",
		    LIMIT_UNIT_SPEC_LEN);
		return why;
	}
	out[0] = '\0';
	for (;;) {
		const char *comma = strchr(p, ','), *dash, *a, *b;
		size_t n;

		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		while (n > 0 && *p == ' ')
			p++, n--;
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0)
			return "empty item (expected e.g. 1-48 or 1,3,5)";
		dash = memchr(p, '-', n);
		if (dash != NULL) {
			long lo, hi;

			a = p;
			b = dash + 1;
			while (dash > a && dash[-1] == ' ')
				dash--;
			while (*b == ' ')
				b++;
			lo = residents_number(a, (size_t)(dash - a));
			hi = residents_number(b, (size_t)(p + n - b));
			if (lo < 0 || hi < 0 || lo > hi || hi > LIMIT_APARTMENT_MAX) {
				snprintf(why, sizeof why, "\"%.*s\" is not a range "
				    "of numbers LOW-HIGH (0 to %d)", (int)(n > 32 ?
				    32 : n), p, LIMIT_APARTMENT_MAX);
				return why;
			}
			off += (size_t)snprintf(out + off, off < outlen ?
			    outlen - off : 0, "%s%ld-%ld", off > 0 ? "," : "", lo, hi);
		} else {
			long v = residents_number(p, n);

			if (v < 0 && (numeric || n > LIMIT_UNIT_PART_LEN)) {
				snprintf(why, sizeof why, "\"%.*s\" is not a %s",
				    (int)(n > 32 ? 32 : n), p, numeric ?
				    "number (0 to 99999)" : "name of 1 to 16 letters "
				    "or digits");
				return why;
			}
			for (size_t i = 0; v < 0 && i < n; i++)
				if (!isalnum((unsigned char)p[i])) {
					snprintf(why, sizeof why, "\"%.*s\" is not a "
					    "name of letters and digits",
					    (int)(n > 32 ? 32 : n), p);
					return why;
				}
			if (v >= 0)
				off += (size_t)snprintf(out + off, off < outlen ?
				    outlen - off : 0, "%s%ld", off > 0 ? "," : "", v);
			else
				off += (size_t)snprintf(out + off, off < outlen ?
				    outlen - off : 0, "%s%.*s", off > 0 ? "," : "",
				    (int)n, p);
		}
		if (off >= outlen)
			return "too long";
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return NULL;
}

/* True when name is listed by spec (numbers compare as numbers). */
bool
residents_unit_spec_has(const char *spec, const char *name)
{
	long v = residents_number(name, strlen(name));
	const char *p = spec;

	for (;;) {
		const char *comma = strchr(p, ','), *dash;
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);

		dash = memchr(p, '-', n);
		if (dash != NULL) {
			long lo = residents_number(p, (size_t)(dash - p));
			long hi = residents_number(dash + 1, n - (size_t)(dash - p) - 1);

			if (v >= 0 && v >= lo && v <= hi)
				return true;
		} else {
			long w = residents_number(p, n);

			if (w >= 0 ? v == w : (strlen(name) == n &&
			    strncmp(p, name, n) == 0))
				return true;
		}
		if (comma == NULL)
			return false;
		p = comma + 1;
	}
}

/* Join prefix and field into out ("credentials[2].value" or "phone"). */
static const char *
residents_field(const char *prefix, const char *field, char *out, size_t len)
{
	snprintf(out, len, "%s%s", prefix != NULL ? prefix : "", field);
	return out;
}

/* Check the unit of in at site_id; 0, or -1 with e. */
static int
residents_unit_check(struct store *st, int64_t site_id, struct resident_in *in,
    const char *prefix, struct residents_err *e)
{
	static const char sql[] =
	    "SELECT entrances, apartments FROM buildings WHERE site_id = ? AND name = ?";
	sqlite3_stmt *s;
	char f[80];
	long apt;
	int rc;

	if (in->building == NULL || residents_text_problem(in->building,
	    LIMIT_NAME_LEN) != NULL) {
		residents_fail(e, 422, residents_field(prefix, "building", f, sizeof f),
		    "%s: must be a building of the site", f);
		return -1;
	}
	if (in->entrance == NULL || *in->entrance == '\0' ||
	    strlen(in->entrance) > LIMIT_UNIT_PART_LEN) {
		residents_fail(e, 422, residents_field(prefix, "entrance", f, sizeof f),
		    "%s: must be 1 to %d characters", f, LIMIT_UNIT_PART_LEN);
		return -1;
	}
	if (in->apartment == NULL ||
	    (apt = residents_number(in->apartment, strlen(in->apartment))) < 0) {
		residents_fail(e, 422, residents_field(prefix, "apartment", f, sizeof f),
		    "%s: must be an apartment number", f);
		return -1;
	}
	snprintf(in->apt_norm, sizeof in->apt_norm, "%ld", apt);
	s = store_stmt(st, sql);
	store_bind_int(s, 1, site_id);
	store_bind_text(s, 2, in->building);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		residents_fail(e, 422, residents_field(prefix, "building", f, sizeof f),
		    "%s: no building \"%.64s\" at this site", f, in->building);
		return -1;
	}
	if (!residents_unit_spec_has(store_col_text(s, 0), in->entrance)) {
		residents_fail(e, 422, residents_field(prefix, "entrance", f, sizeof f),
		    "%s: %.64s has no entrance \"%.16s\" (entrances %.64s)", f,
		    in->building, in->entrance, store_col_text(s, 0));
		sqlite3_reset(s);
		return -1;
	}
	if (!residents_unit_spec_has(store_col_text(s, 1), in->apt_norm)) {
		residents_fail(e, 422, residents_field(prefix, "apartment", f, sizeof f),
		    "%s: %.64s has no apartment %s (apartments %.64s)", f,
		    in->building, in->apt_norm, store_col_text(s, 1));
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

/* The resident holding credential kind:value at site_id, 0 for none, -1 on error. */
static int64_t
residents_credential_holder(struct store *st, int64_t site_id, const char *kind,
    const char *value)
{
	static const char sql[] =
	    "SELECT resident_id FROM credentials WHERE site_id = ? AND kind = ?"
	    " AND value = ? AND removed_ms IS NULL";
	sqlite3_stmt *s = store_stmt(st, sql);
	int64_t id = 0;
	int rc;

	store_bind_int(s, 1, site_id);
	store_bind_text(s, 2, kind);
	store_bind_text(s, 3, value);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		id = -1;
	sqlite3_reset(s);
	return id;
}

/* Check in against the store; 0, or -1 with e. */
int
residents_validate(struct store *st, int64_t site_id, struct resident_in *in,
    bool csv, struct residents_err *e)
{
	const char *prefix = csv ? "" : "unit.";
	const char *why;
	char f[80];
	int64_t holder;

	if ((why = residents_text_problem(in->name, LIMIT_NAME_LEN)) != NULL) {
		residents_fail(e, 422, residents_field("", "name", f, sizeof f),
		    "%s: %s", f, why);
		return -1;
	}
	if (in->phone != NULL && (why = residents_phone_problem(in->phone)) != NULL) {
		residents_fail(e, 422, residents_field("", "phone", f, sizeof f),
		    "%s: %s", f, why);
		return -1;
	}
	if (in->email != NULL && (why = residents_email_problem(in->email)) != NULL) {
		residents_fail(e, 422, residents_field("", "email", f, sizeof f),
		    "%s: %s", f, why);
		return -1;
	}
	if (!residents_role_valid(in->role)) {
		residents_fail(e, 422, residents_field("", "role", f, sizeof f),
		    "%s: must be one of resident, administrator, management", f);
		return -1;
	}
	if (residents_unit_check(st, site_id, in, prefix, e) != 0)
		return -1;
	for (int i = 0; i < in->ncreds; i++) {
		char cf[64];

		if (csv)
			snprintf(cf, sizeof cf, "credentials");
		else
			snprintf(cf, sizeof cf, "credentials[%d].", i);
		if (!residents_kind_valid(in->ckind[i])) {
			snprintf(f, sizeof f, "%s%s", cf, csv ? "" : "kind");
			residents_fail(e, 422, f, "%s: kind must be one of phone, "
			    "app, card, plate (not \"%.16s\")", f,
			    in->ckind[i] != NULL ? in->ckind[i] : "");
			return -1;
		}
		snprintf(f, sizeof f, "%s%s", cf, csv ? "" : "value");
		if ((why = residents_credential_norm(in->ckind[i], in->cvalue[i],
		    in->cnorm[i], sizeof in->cnorm[i])) != NULL) {
			residents_fail(e, 422, f, "%s: %s %s", f, in->ckind[i], why);
			return -1;
		}
		for (int j = 0; j < i; j++)
			if (strcmp(in->ckind[i], in->ckind[j]) == 0 &&
			    strcmp(in->cnorm[i], in->cnorm[j]) == 0) {
				residents_fail(e, 422, f, "%s: %s %s is given twice",
				    f, in->ckind[i], in->cnorm[i]);
				return -1;
			}
		if ((holder = residents_credential_holder(st, site_id, in->ckind[i],
		    in->cnorm[i])) != 0) {
			if (holder < 0)
				residents_fail(e, 500, f, "cannot read credentials");
			else
				residents_fail(e, 409, f, "%s: %s %s is already held "
				    "by resident %" PRId64, f, in->ckind[i],
				    in->cnorm[i], holder);
			return -1;
		}
	}
	return 0;
}

/* Insert credential kind:value of resident id; its id, or -1. */
static int64_t
residents_credential_insert(struct store *st, int64_t resident_id,
    int64_t site_id, const char *kind, const char *value, int64_t now_ms)
{
	static const char sql[] =
	    "INSERT INTO credentials (resident_id, site_id, kind, value, created_ms)"
	    " VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc;

	store_bind_int(s, 1, resident_id);
	store_bind_int(s, 2, site_id);
	store_bind_text(s, 3, kind);
	store_bind_text(s, 4, value);
	store_bind_int(s, 5, now_ms);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_error("cannot store a credential: %s", store_errmsg(st));
		return -1;
	}
	return sqlite3_last_insert_rowid(store_db(st));
}

/* Insert a validated resident, its credentials and its audit entry; id or -1. */
int64_t
residents_insert(struct server *srv, int64_t site_id, const struct resident_in *in,
    const struct audit_actor *who, const char *action, int64_t now_ms)
{
	static const char sql[] =
	    "INSERT INTO residents (site_id, name, phone, email, building, entrance,"
	    " apartment, role, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?)";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	json_t *details, *creds;
	char oid[24];
	int64_t id;
	int rc;

	store_bind_int(s, 1, site_id);
	store_bind_text(s, 2, in->name);
	store_bind_text(s, 3, in->phone);
	store_bind_text(s, 4, in->email);
	store_bind_text(s, 5, in->building);
	store_bind_text(s, 6, in->entrance);
	store_bind_text(s, 7, in->apt_norm);
	store_bind_text(s, 8, in->role);
	store_bind_int(s, 9, now_ms);
	store_bind_int(s, 10, now_ms);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_error("cannot store a resident: %s", store_errmsg(srv->st));
		return -1;
	}
	id = sqlite3_last_insert_rowid(store_db(srv->st));
	creds = json_array();
	for (int i = 0; i < in->ncreds; i++) {
		if (residents_credential_insert(srv->st, id, site_id, in->ckind[i],
		    in->cnorm[i], now_ms) < 0) {
			json_decref(creds);
			return -1;
		}
		json_array_append_new(creds, json_pack("{s:s, s:s}", "kind",
		    in->ckind[i], "value", in->cnorm[i]));
	}
	details = json_pack("{s:s, s:o, s:o, s:{s:s, s:s, s:s}, s:s, s:o}",
	    "name", in->name, "phone", in->phone != NULL ? json_string(in->phone) :
	    json_null(), "email", in->email != NULL ? json_string(in->email) :
	    json_null(), "unit", "building", in->building, "entrance",
	    in->entrance, "apartment", in->apt_norm, "role", in->role,
	    "credentials", creds);
	snprintf(oid, sizeof oid, "%" PRId64, id);
	rc = audit_append(srv->st, who, action, "resident", oid, site_id, details,
	    "ok", now_ms) < 0 ? -1 : 0;
	json_decref(details);
	return rc == 0 ? id : -1;
}

/* The id and time zone of site key; id, 0 when none, -1 on error. */
int64_t
residents_site(struct store *st, const char *key, char *tz, size_t tzlen)
{
	static const char sql[] = "SELECT id, timezone FROM sites WHERE key = ?";
	sqlite3_stmt *s = store_stmt(st, sql);
	int64_t id = 0;
	int rc;

	store_bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		if (tz != NULL)
			snprintf(tz, tzlen, "%s", store_col_text(s, 1));
	} else if (rc != SQLITE_DONE)
		id = -1;
	sqlite3_reset(s);
	return id;
}

/* Bump the site's access list version, in the caller's transaction; 0 or -1. */
int
residents_bump(struct store *st, int64_t site_id)
{
	static const char sql[] =
	    "UPDATE sites SET access_version = access_version + 1 WHERE id = ?";
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc;

	store_bind_int(s, 1, site_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* True when who may see phones, emails and credential values. */
bool
residents_contact_allowed(const struct principal *who)
{
	return who->kind != PRINCIPAL_USER || (who->role != ROLE_DISPATCHER &&
	    who->role != ROLE_GUARD);
}

/* A resident as the API shows it, or NULL. */
json_t *
residents_json(struct store *st, int64_t id, bool contact, int64_t *site_id)
{
	static const char sql[] =
	    "SELECT r.site_id, s.key, r.name, r.phone, r.email, r.building,"
	    " r.entrance, r.apartment, r.role, r.version, r.created_ms,"
	    " r.updated_ms, r.removed_ms FROM residents r"
	    " JOIN sites s ON s.id = r.site_id WHERE r.id = ?";
	static const char sql_creds[] =
	    "SELECT id, kind, value FROM credentials WHERE resident_id = ?"
	    " AND removed_ms IS NULL ORDER BY id";
	sqlite3_stmt *s = store_stmt(st, sql);
	json_t *r, *creds;

	store_bind_int(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return NULL;
	}
	if (site_id != NULL)
		*site_id = sqlite3_column_int64(s, 0);
	r = json_object();
	json_object_set_new(r, "id", json_integer(id));
	json_object_set_new(r, "site", rowjson_text(s, 1));
	json_object_set_new(r, "name", rowjson_text(s, 2));
	json_object_set_new(r, "phone", contact ? rowjson_text(s, 3) : json_null());
	json_object_set_new(r, "email", contact ? rowjson_text(s, 4) : json_null());
	json_object_set_new(r, "unit", json_pack("{s:o, s:o, s:o}", "building",
	    rowjson_text(s, 5), "entrance", rowjson_text(s, 6), "apartment",
	    rowjson_text(s, 7)));
	json_object_set_new(r, "role", rowjson_text(s, 8));
	json_object_set_new(r, "version", json_integer(sqlite3_column_int64(s, 9)));
	json_object_set_new(r, "created", rowjson_time(s, 10));
	json_object_set_new(r, "updated", rowjson_time(s, 11));
	json_object_set_new(r, "removed", rowjson_time(s, 12));
	sqlite3_reset(s);

	creds = json_array();
	s = store_stmt(st, sql_creds);
	store_bind_int(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(creds, json_pack("{s:I, s:o, s:o}", "id",
		    (json_int_t)sqlite3_column_int64(s, 0), "kind",
		    rowjson_text(s, 1), "value", contact ? rowjson_text(s, 2) :
		    json_null()));
	sqlite3_reset(s);
	json_object_set_new(r, "credentials", creds);
	return r;
}

/* The resident as stream messages carry it: no contact fields, no credentials. */
json_t *
residents_public_json(const json_t *resident)
{
	static const char *const keys[] = {
		"id", "site", "name", "unit", "role", "version", "removed",
	};
	json_t *o = json_object();

	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(resident, keys[i]);

		json_object_set_new(o, keys[i], v != NULL ? json_deep_copy(v) :
		    json_null());
	}
	return o;
}

/* Publish a "resident" stream message {"action", "resident"}; 0 or -1. */
int
residents_publish(struct server *srv, const char *action, const json_t *resident,
    int64_t site_id, int64_t now_ms)
{
	json_t *data = json_pack("{s:s, s:o}", "action", action, "resident",
	    residents_public_json(resident));

	return streamlog_append(srv, "resident", site_id, data, now_ms) < 0 ? -1 : 0;
}

/* A right as the API shows it, or NULL. */
json_t *
residents_right_json(struct store *st, int64_t id, int64_t *site_id)
{
	static const char sql[] =
	    "SELECT r.resident_id, r.site_id, s.key, p.key, g.key, r.days,"
	    " r.from_min, r.until_min, r.valid_from_ms, r.valid_until_ms, r.state,"
	    " r.reason, r.version, r.created_ms, r.updated_ms FROM rights r"
	    " JOIN sites s ON s.id = r.site_id"
	    " LEFT JOIN points p ON p.id = r.point_id"
	    " LEFT JOIN access_groups g ON g.id = r.group_id WHERE r.id = ?";
	sqlite3_stmt *s = store_stmt(st, sql);
	char days[ACCESSRULE_DAYS_LEN], from[8], until[8];
	json_t *r;

	store_bind_int(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return NULL;
	}
	if (site_id != NULL)
		*site_id = sqlite3_column_int64(s, 1);
	accessrule_days_format((unsigned)sqlite3_column_int(s, 5), days, sizeof days);
	accessrule_time_format(sqlite3_column_int(s, 6), from, sizeof from);
	accessrule_time_format(sqlite3_column_int(s, 7), until, sizeof until);
	r = json_object();
	json_object_set_new(r, "id", json_integer(id));
	json_object_set_new(r, "resident", json_integer(sqlite3_column_int64(s, 0)));
	json_object_set_new(r, "site", rowjson_text(s, 2));
	json_object_set_new(r, "point", rowjson_text(s, 3));
	json_object_set_new(r, "group", rowjson_text(s, 4));
	json_object_set_new(r, "days", json_string(days));
	json_object_set_new(r, "from", json_string(from));
	json_object_set_new(r, "until", json_string(until));
	json_object_set_new(r, "valid_from", rowjson_time(s, 8));
	json_object_set_new(r, "valid_until", rowjson_time(s, 9));
	json_object_set_new(r, "state", rowjson_text(s, 10));
	json_object_set_new(r, "reason", rowjson_text(s, 11));
	json_object_set_new(r, "version", json_integer(sqlite3_column_int64(s, 12)));
	json_object_set_new(r, "created", rowjson_time(s, 13));
	json_object_set_new(r, "updated", rowjson_time(s, 14));
	sqlite3_reset(s);
	return r;
}

/*
 * The resident holding the credential a gateway reported ("VALUE" or
 * "KIND:VALUE") at site_id: exact value first, then the value as cards and
 * plates are stored (upper case, no spaces or dashes).  0 for none, -1 on error.
 */
static int64_t
residents_credential_find(struct store *st, int64_t site_id, const char *credential)
{
	static const char sql[] =
	    "SELECT resident_id FROM credentials WHERE site_id = ? AND value = ?"
	    " AND removed_ms IS NULL ORDER BY id LIMIT 1";
	const char *colon = strchr(credential, ':');
	char kind[16], norm[LIMIT_CREDENTIAL_LEN + 1];
	int64_t id = 0;

	if (colon != NULL && (size_t)(colon - credential) < sizeof kind) {
		snprintf(kind, sizeof kind, "%.*s", (int)(colon - credential),
		    credential);
		if (residents_kind_valid(kind)) {
			if (residents_credential_norm(kind, colon + 1, norm,
			    sizeof norm) != NULL)
				return 0;
			return residents_credential_holder(st, site_id, kind, norm);
		}
	}
	for (int pass = 0; pass < 2 && id == 0; pass++) {
		sqlite3_stmt *s;
		int rc;

		if (pass == 1 && residents_credential_norm("plate", credential,
		    norm, sizeof norm) != NULL)
			break;
		s = store_stmt(st, sql);
		store_bind_int(s, 1, site_id);
		store_bind_text(s, 2, pass == 0 ? credential : norm);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			id = sqlite3_column_int64(s, 0);
		else if (rc != SQLITE_DONE)
			id = -1;
		sqlite3_reset(s);
	}
	return id;
}

/* Publish an access event on the stream: who, where, the result; never the credential. */
static int
residents_access_publish(struct server *srv, const struct residents_access *ev,
    int64_t resident, int64_t now_ms)
{
	static const char sql[] =
	    "SELECT s.key, (SELECT key FROM points WHERE id = ?2),"
	    " (SELECT name FROM residents WHERE id = ?3) FROM sites s WHERE s.id = ?1";
	char ts[VTIME_ISO_LEN];
	sqlite3_stmt *s;
	json_t *data;

	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, ev->site_id);
	store_bind_int(s, 2, ev->point_id);
	store_bind_int(s, 3, resident);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -1;
	}
	vtime_format(ev->sensor_ms, ts, sizeof ts);
	data = json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:o}",
	    "id", (json_int_t)ev->event_id, "ts", ts,
	    "site", store_col_text(s, 0), "gateway", ev->gateway_key,
	    "point", rowjson_text(s, 1),
	    "result", ev->denied ? "denied" : "granted",
	    "resident", resident > 0 && sqlite3_column_type(s, 2) != SQLITE_NULL ?
	    json_pack("{s:I, s:s}", "id", (json_int_t)resident, "name",
	    store_col_text(s, 2)) : json_null());
	sqlite3_reset(s);
	if (data == NULL)
		return -1;
	return streamlog_append(srv, "access", ev->site_id, data, now_ms) < 0 ? -1 : 0;
}

/* Link an access event to its resident, publish it; raise the repeated-denials alarm. */
int64_t
residents_access_event(struct server *srv, const struct residents_access *ev,
    int64_t now_ms)
{
	static const char sql_link[] = "UPDATE events SET resident_id = ? WHERE id = ?";
	/* The site's recent events first (its index), then the point's denials. */
	static const char sql_count[] =
	    "SELECT count(*) FROM events WHERE site_id = ? AND received_ms > ?"
	    " AND point_id = ? AND type = 'access_denied'";
	static const char sql_alarm[] = "UPDATE events SET alarm_id = ? WHERE id = ?";
	sqlite3_stmt *s;
	int64_t resident = 0, n, alarm;
	bool grouped;

	if (ev->credential != NULL && *ev->credential != '\0') {
		if ((resident = residents_credential_find(srv->st, ev->site_id,
		    ev->credential)) < 0)
			return -1;
		if (resident > 0) {
			s = store_stmt(srv->st, sql_link);
			store_bind_int(s, 1, resident);
			store_bind_int(s, 2, ev->event_id);
			if (sqlite3_step(s) != SQLITE_DONE) {
				sqlite3_reset(s);
				return -1;
			}
			sqlite3_reset(s);
		}
	}
	if (residents_access_publish(srv, ev, resident, now_ms) != 0)
		return -1;
	if (!ev->denied || !ev->count_denials || ev->point_id <= 0)
		return 0;
	s = store_stmt(srv->st, sql_count);
	store_bind_int(s, 1, ev->site_id);
	store_bind_int(s, 2, now_ms - (int64_t)ACCESS_DENIALS_WINDOW_S * 1000);
	store_bind_int(s, 3, ev->point_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -1;
	}
	n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (n < ACCESS_DENIALS_ALARM_COUNT)
		return 0;
	{
		struct alarm_cause c = {
			.site_id = ev->site_id,
			.point_id = ev->point_id,
			.gateway_id = ev->gateway_id,
			.type = "access_denied",
			.priority = ACCESS_DENIALS_PRIORITY,
			.event_id = ev->event_id,
			.event_ms = ev->sensor_ms,
			.actor_type = "gateway",
			.actor = ev->gateway_key,
			.source = ev->source,
		};

		if ((alarm = alarm_raise(srv, &c, &grouped, now_ms)) < 0)
			return -1;
	}
	s = store_stmt(srv->st, sql_alarm);
	store_bind_int(s, 1, alarm);
	store_bind_int(s, 2, ev->event_id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return alarm;
}

/* Reply a jsonx reader's problem as 422 with its field. */
void
residents_jsonx_reply(struct http_resp *resp, const struct jsonx *jx)
{
	const char *msg = jx->err, *colon = strstr(msg, ": "), *q;
	char field[80] = "";

	if ((q = strstr(msg, "unknown field \"")) != NULL) {
		const char *end = strchr(q + 15, '"');

		if (colon != NULL && colon < q)
			snprintf(field, sizeof field, "%.*s.%.*s", (int)(colon - msg),
			    msg, end != NULL ? (int)(end - q - 15) : 0, q + 15);
		else
			snprintf(field, sizeof field, "%.*s", end != NULL ?
			    (int)(end - q - 15) : 0, q + 15);
	} else if (colon != NULL)
		snprintf(field, sizeof field, "%.*s", (int)(colon - msg), msg);
	residents_invalid(resp, field, "%s", msg);
}

/* Publish a "right" stream message {"action", "right"} (right stolen); 0 or -1. */
int
residents_publish_right(struct server *srv, const char *action, json_t *right,
    int64_t site_id, int64_t now_ms)
{
	json_t *data = json_pack("{s:s, s:o}", "action", action, "right", right);

	return streamlog_append(srv, "right", site_id, data, now_ms) < 0 ? -1 : 0;
}
