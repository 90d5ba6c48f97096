#include "compat.h"

#include <getopt.h>
#include <locale.h>
#include <sysexits.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cli.h"
#include "jsonx.h"
#include "rest.h"
#include "sanitize.h"
#include "session.h"

/*
 * vigil residents: list, show, add, edit and remove the residents of the
 * sites, and import or export them as CSV, from scripts and shells.  The
 * JSON calls go through cli_api.c; the CSV ones (a text/csv body up and
 * down) through a small libcurl call of their own here, with the same
 * session and the same exit statuses.  Every value from the server is
 * sanitized before it reaches stdout or stderr.
 */

#define RES_LABEL_COLS  14       /* the labels of "vigil residents show" */
#define RES_CELL_MAX    64

/* What "vigil residents" was asked to do, from its options. */
struct res_opts {
	bool json;
	bool quiet;
	bool dry_run;
	bool removed;
	const char *site;
	const char *search;
	const char *name;
	const char *unit;
	const char *phone;
	const char *email;
	const char *role;
	const char *output;
	int64_t limit;               /* 0: every resident */
	json_t *creds;               /* [{kind,value}] to add */
	json_t *drop;                /* credential ids to remove */
};

/* Print "label  text" for "show", the text sanitized, or nothing for null. */
static void
res_field(const char *label, json_t *v)
{
	char buf[64];
	const char *t;
	char *s;

	if (v == NULL || json_is_null(v))
		return;
	t = cli_text(v, buf, sizeof buf);
	s = sanitize_dup(t, strlen(t), cli_text_flags());
	printf("%-*s%s\n", RES_LABEL_COLS, label, s);
	free(s);
}

/* "Tower A 1/12" for a unit object. */
static const char *
res_unit_text(json_t *unit, char *buf, size_t size)
{
	const char *b = json_string_value(json_object_get(unit, "building"));
	const char *e = json_string_value(json_object_get(unit, "entrance"));
	const char *a = json_string_value(json_object_get(unit, "apartment"));

	if (b == NULL || e == NULL || a == NULL)
		return "-";
	snprintf(buf, size, "%s %s/%s", b, e, a);
	return buf;
}

/* The unit column. */
static const char *
res_col_unit(json_t *row, char *buf, size_t size)
{
	return res_unit_text(json_object_get(row, "unit"), buf, size);
}

/* The credentials as "card:04A1B2 plate:AB12CDE" (kinds only when hidden). */
static const char *
res_col_creds(json_t *row, char *buf, size_t size)
{
	json_t *c;
	size_t i, used = 0;
	const char *kind, *value;
	int n;

	buf[0] = '\0';
	json_array_foreach(json_object_get(row, "credentials"), i, c) {
		kind = json_string_value(json_object_get(c, "kind"));
		value = json_string_value(json_object_get(c, "value"));
		n = snprintf(buf + used, size - used, "%s%s%s%s", used > 0 ?
		    " " : "", kind != NULL ? kind : "?", value != NULL ? ":" :
		    "", value != NULL ? value : "");
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return used > 0 ? buf : "-";
}

static const struct cli_col res_list_cols[] = {
	{ "ID", 10, true, .key = "id" },
	{ "SITE", 20, false, .key = "site" },
	{ "NAME", 32, false, .key = "name" },
	{ "UNIT", 28, false, .get = res_col_unit },
	{ "ROLE", 14, false, .key = "role" },
	{ "PHONE", 16, false, .key = "phone" },
	{ "CREDENTIALS", 48, false, .get = res_col_creds },
};

static const struct cli_col res_cred_cols[] = {
	{ "ID", 10, true, .key = "id" },
	{ "KIND", 8, false, .key = "kind" },
	{ "VALUE", 64, false, .key = "value" },
};

/* The rights table of "show" (also used by "vigil access"). */
static const char *
res_col_where(json_t *row, char *buf, size_t size)
{
	json_t *p = json_object_get(row, "point"), *g = json_object_get(row,
	    "group");

	if (json_is_string(p))
		return json_string_value(p);
	if (json_is_string(g)) {
		snprintf(buf, size, "group %s", json_string_value(g));
		return buf;
	}
	return "-";
}

/* "mon-fri 07:00-19:00" */
static const char *
res_col_when(json_t *row, char *buf, size_t size)
{
	char b1[16], b2[16], b3[16];

	snprintf(buf, size, "%s %s-%s", cli_text(json_object_get(row,
	    "days"), b1, sizeof b1), cli_text(json_object_get(row, "from"),
	    b2, sizeof b2), cli_text(json_object_get(row, "until"), b3,
	    sizeof b3));
	return buf;
}

static const struct cli_col res_right_cols[] = {
	{ "RIGHT", 10, true, .key = "id" },
	{ "WHERE", 32, false, .get = res_col_where },
	{ "WHEN", 32, false, .get = res_col_when },
	{ "VALID FROM", 24, false, .key = "valid_from" },
	{ "VALID UNTIL", 24, false, .key = "valid_until" },
	{ "STATE", 10, false, .key = "state" },
	{ "REASON", 40, false, .key = "reason" },
};

static const struct cli_col res_recent_cols[] = {
	{ "TIME", 24, false, .key = "ts" },
	{ "POINT", 32, false, .key = "point" },
	{ "RESULT", 8, false, .key = "result" },
	{ "CREDENTIAL", 40, false, .key = "credential" },
};

/* vigil residents list: every resident that passes the filters, page by page. */
static int
res_list(struct cli_api *a, const struct res_opts *o)
{
	json_t *rows;
	char *path = xstrdup("/api/v1/residents");
	int st;

	if (o->site != NULL)
		rest_query_add(&path, "site", o->site);
	if (o->search != NULL)
		rest_query_add(&path, "q", o->search);
	if (o->removed)
		rest_query_add(&path, "removed", "1");
	st = cli_api_list(a, path, "residents", o->limit, &rows);
	free(path);
	if (st != 0)
		return st;
	st = cli_rows(o->json, res_list_cols, ARRAY_LEN(res_list_cols), rows);
	json_decref(rows);
	return st;
}

/* Print a resident's page for a person; 0 or EX_IOERR. */
static int
res_print_detail(json_t *reply)
{
	json_t *r = json_object_get(reply, "resident"), *v;
	char buf[LIMIT_NAME_LEN * 2];
	int st;

	res_field("id", json_object_get(r, "id"));
	res_field("name", json_object_get(r, "name"));
	res_field("site", json_object_get(r, "site"));
	v = json_string(res_unit_text(json_object_get(r, "unit"), buf,
	    sizeof buf));
	res_field("unit", v);
	json_decref(v);
	res_field("role", json_object_get(r, "role"));
	res_field("phone", json_object_get(r, "phone"));
	res_field("email", json_object_get(r, "email"));
	res_field("version", json_object_get(r, "version"));
	res_field("created", json_object_get(r, "created"));
	res_field("updated", json_object_get(r, "updated"));
	res_field("removed", json_object_get(r, "removed"));
	if (json_array_size(json_object_get(r, "credentials")) > 0) {
		printf("\nCREDENTIALS\n");
		if ((st = cli_table(res_cred_cols, ARRAY_LEN(res_cred_cols),
		    json_object_get(r, "credentials"))) != 0)
			return st;
	}
	if (json_array_size(json_object_get(reply, "rights")) > 0) {
		printf("\nRIGHTS\n");
		if ((st = cli_table(res_right_cols, ARRAY_LEN(res_right_cols),
		    json_object_get(reply, "rights"))) != 0)
			return st;
	}
	if (json_array_size(json_object_get(reply, "recent")) > 0) {
		printf("\nRECENT ACCESS\n");
		if ((st = cli_table(res_recent_cols, ARRAY_LEN(res_recent_cols),
		    json_object_get(reply, "recent"))) != 0)
			return st;
	}
	return cli_flush();
}

/* GET the resident id into *out; 0 or an exit status. */
static int
res_get(struct cli_api *a, int64_t id, json_t **out)
{
	int st;

	st = cli_api_call(a, "GET", NULL, out, "/api/v1/residents/%" PRId64, id);
	if (st == 0 && !json_is_object(json_object_get(*out, "resident"))) {
		cli_error("residents", "the server's reply has no resident");
		json_decref(*out);
		*out = NULL;
		st = EX_PROTOCOL;
	}
	return st;
}

/* vigil residents show ID. */
static int
res_show(struct cli_api *a, const struct res_opts *o, int64_t id)
{
	json_t *reply;
	int st;

	if ((st = res_get(a, id, &reply)) != 0)
		return st;
	if (o->json)
		st = cli_json_print(reply);
	else
		st = res_print_detail(reply);
	json_decref(reply);
	return st;
}

/* Say what an action did to a resident: "resident 7 (Jo Bloggs): added, version 1". */
static int
res_print_done(const struct res_opts *o, json_t *reply, const char *what)
{
	json_t *r = json_object_get(reply, "resident");
	const char *name = json_string_value(json_object_get(r, "name"));
	char buf[32], vbuf[32], *s;

	if (o->json)
		return cli_json_print(reply);
	if (o->quiet)
		return 0;
	s = sanitize_dup(name != NULL ? name : "?", strlen(name != NULL ? name :
	    "?"), cli_text_flags());
	printf("resident %s (%s): %s, version %s\n", cli_text(
	    json_object_get(r, "id"), buf, sizeof buf), s, what,
	    cli_text(json_object_get(r, "version"), vbuf, sizeof vbuf));
	free(s);
	return cli_flush();
}

/*
 * Split --unit BUILDING/ENTRANCE/APARTMENT (the building may hold '/': the
 * last two slashes count) into an object; NULL after a message.
 */
static json_t *
res_parse_unit(const char *s)
{
	const char *a, *e;
	char *b, *en;
	json_t *u;

	if ((a = strrchr(s, '/')) == NULL || a == s)
		goto bad;
	for (e = a - 1; e > s && *e != '/'; e--)
		continue;
	if (*e != '/' || e == s || a - e < 2 || a[1] == '\0')
		goto bad;
	b = xasprintf("%.*s", (int)(e - s), s);
	en = xasprintf("%.*s", (int)(a - e - 1), e + 1);
	u = json_pack("{s:s, s:s, s:s}", "building", b, "entrance", en,
	    "apartment", a + 1);
	free(b);
	free(en);
	if (u == NULL)
		cli_error("residents", "--unit: must be UTF-8 text");
	return u;
bad:
	cli_error("residents", "--unit: expected BUILDING/ENTRANCE/APARTMENT, "
	    "e.g. \"Tower A/1/12\", not \"%s\"", s);
	return NULL;
}

/* Set key of obj to s, or to null when s is empty; -1 after a message. */
static int
res_set_text(json_t *obj, const char *key, const char *s)
{
	json_t *v = s[0] == '\0' ? json_null() : json_string(s);

	if (v == NULL) {
		cli_error("residents", "--%s: must be UTF-8 text", key);
		return -1;
	}
	json_object_set_new(obj, key, v);
	return 0;
}

/* vigil residents add. */
static int
res_add(struct cli_api *a, const struct res_opts *o)
{
	json_t *body, *unit, *reply;
	int st;

	if (o->site == NULL || o->name == NULL || o->unit == NULL) {
		cli_error("residents", "add needs --site, --name and --unit");
		return cli_usage("residents");
	}
	if ((unit = res_parse_unit(o->unit)) == NULL)
		return EX_USAGE;
	body = json_pack("{s:s, s:o, s:s}", "site", o->site, "unit", unit,
	    "role", o->role != NULL ? o->role : "resident");
	if (body == NULL || res_set_text(body, "name", o->name) != 0 ||
	    (o->phone != NULL && o->phone[0] != '\0' &&
	    res_set_text(body, "phone", o->phone) != 0) ||
	    (o->email != NULL && o->email[0] != '\0' &&
	    res_set_text(body, "email", o->email) != 0)) {
		json_decref(body);
		return EX_USAGE;
	}
	if (json_array_size(o->creds) > 0)
		json_object_set(body, "credentials", o->creds);
	if ((st = cli_api_call(a, "POST", body, &reply, "/api/v1/residents")) != 0)
		return st;
	st = res_print_done(o, reply, "added");
	json_decref(reply);
	return st;
}

/* vigil residents edit ID: change fields, add and remove credentials. */
static int
res_edit(struct cli_api *a, const struct res_opts *o, int64_t id)
{
	json_t *body, *reply = NULL, *cur, *unit, *c, *v;
	size_t i;
	int st;

	body = json_object();
	if ((o->name != NULL && res_set_text(body, "name", o->name) != 0) ||
	    (o->phone != NULL && res_set_text(body, "phone", o->phone) != 0) ||
	    (o->email != NULL && res_set_text(body, "email", o->email) != 0) ||
	    (o->role != NULL && res_set_text(body, "role", o->role) != 0)) {
		json_decref(body);
		return EX_USAGE;
	}
	if (o->unit != NULL) {
		if ((unit = res_parse_unit(o->unit)) == NULL) {
			json_decref(body);
			return EX_USAGE;
		}
		json_object_set_new(body, "unit", unit);
	}
	if (json_object_size(body) == 0 && json_array_size(o->creds) == 0 &&
	    json_array_size(o->drop) == 0) {
		json_decref(body);
		cli_error("residents", "edit: nothing to change (give --name, "
		    "--unit, --phone, --email, --role, --card, --plate, --app "
		    "or --drop-credential)");
		return cli_usage("residents");
	}
	if (json_object_size(body) > 0) {
		/* Send the version read, so that a change made meanwhile is refused. */
		if ((st = res_get(a, id, &cur)) != 0) {
			json_decref(body);
			return st;
		}
		v = json_object_get(json_object_get(cur, "resident"), "version");
		json_object_set_new(body, "version", json_integer(
		    json_integer_value(v)));
		json_decref(cur);
		if ((st = cli_api_call(a, "PATCH", body, &reply,
		    "/api/v1/residents/%" PRId64, id)) != 0)
			return st;
	} else
		json_decref(body);
	json_array_foreach(o->creds, i, c) {
		json_decref(reply);
		if ((st = cli_api_call(a, "POST", json_incref(c), &reply,
		    "/api/v1/residents/%" PRId64 "/credentials", id)) != 0)
			return st;
	}
	json_array_foreach(o->drop, i, c) {
		json_decref(reply);
		if ((st = cli_api_call(a, "DELETE", NULL, &reply,
		    "/api/v1/residents/%" PRId64 "/credentials/%"
		    JSON_INTEGER_FORMAT, id, json_integer_value(c))) != 0)
			return st;
	}
	st = res_print_done(o, reply, "updated");
	json_decref(reply);
	return st;
}

/* vigil residents remove ID. */
static int
res_remove(struct cli_api *a, const struct res_opts *o, int64_t id)
{
	json_t *reply;
	int st;

	if ((st = cli_api_call(a, "DELETE", NULL, &reply,
	    "/api/v1/residents/%" PRId64, id)) != 0)
		return st;
	st = res_print_done(o, reply, "removed, its rights revoked");
	json_decref(reply);
	return st;
}

/* A reply to a CSV call, read up to a cap. */
struct res_raw {
	char *data;
	size_t len;
	size_t cap;
	bool too_big;
};

/* The curl write callback of a CSV call. */
static size_t
res_raw_write(char *data, size_t size, size_t n, void *arg)
{
	struct res_raw *r = arg;
	size_t len = size * n;

	if (r->len + len > LIMIT_RESPONSE_BYTES) {
		r->too_big = true;
		return 0;
	}
	if (r->len + len + 1 > r->cap) {
		while (r->len + len + 1 > r->cap)
			r->cap = r->cap == 0 ? 65536 : r->cap * 2;
		r->data = xrealloc(r->data, r->cap);
	}
	memcpy(r->data + r->len, data, len);
	r->len += len;
	r->data[r->len] = '\0';
	return len;
}

/* Print the server's error message of a reply, sanitized; the exit status of status. */
static int
res_raw_failed(const char *url, long status, json_t *v)
{
	const char *m = json_string_value(json_object_get(json_object_get(v,
	    "error"), "message"));
	char *s = sanitize_dup(m != NULL ? m : "no reason given", strlen(m !=
	    NULL ? m : "no reason given"), cli_text_flags());
	int st;

	switch (status) {
	case 401:
		cli_error("residents", "%s refused the token: %s; log in again",
		    url, s);
		st = EX_NOPERM;
		break;
	case 403:
		cli_error("residents", "not allowed: %s", s);
		st = EX_NOPERM;
		break;
	case 404:
		cli_error("residents", "%s", s);
		st = EX_NOINPUT;
		break;
	case 400:
	case 413:
	case 422:
		cli_error("residents", "refused: %s", s);
		st = EX_DATAERR;
		break;
	default:
		cli_error("residents", "%s (HTTP %ld)", s, status);
		st = status >= 500 ? EX_UNAVAILABLE : EX_PROTOCOL;
	}
	free(s);
	return st;
}

/*
 * One CSV call: method on path with a text/csv body (NULL for none); the
 * reply's status and bytes in *status and *out.  0, or an exit status after
 * a message when the server could not be reached.
 */
static int
res_raw_call(const char *method, const char *path, const char *body,
    size_t len, long *status, struct res_raw *out)
{
	struct session s;
	struct curl_slist *h = NULL;
	char *cause = NULL, *url, *auth, errbuf[CURL_ERROR_SIZE] = "";
	CURL *c;
	CURLcode rc;
	int st = 0;

	memset(out, 0, sizeof *out);
	if (session_load(&s, &cause) != 0) {
		cli_error("residents", "%s", cause);
		free(cause);
		return EX_CONFIG;
	}
	if (s.url == NULL || s.token == NULL ||
	    !session_token_valid(s.token)) {
		cli_error("residents", "not logged in: log in with \"vigil "
		    "login URL\", or set VIGIL_URL and VIGIL_TOKEN");
		session_release(&s);
		return s.url == NULL ? EX_UNAVAILABLE : EX_NOPERM;
	}
	if ((c = curl_easy_init()) == NULL)
		fatal("curl_easy_init failed");
	url = xasprintf("%s%s", s.url, path);
	auth = xasprintf("Authorization: Bearer %s", s.token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Expect:");
	h = curl_slist_append(h, body != NULL ?
	    "Content-Type: text/csv; charset=utf-8" : "Accept: text/csv");
	if (h == NULL)
		fatal("out of memory");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CLIENT_CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)CLIENT_REQUEST_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, res_raw_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	if ((rc = curl_easy_perform(c)) != CURLE_OK) {
		char *e = sanitize_dup(out->too_big ? "reply too large" :
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc),
		    strlen(out->too_big ? "reply too large" : errbuf[0] != '\0' ?
		    errbuf : curl_easy_strerror(rc)), cli_text_flags());

		cli_error("residents", "cannot reach %s: %s", s.url, e);
		free(e);
		st = EX_UNAVAILABLE;
	} else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	free(url);
	free(auth);
	session_release(&s);
	return st;
}

/* Read the whole file at path, up to LIMIT_IMPORT_BODY_BYTES; NULL after a message. */
static char *
res_read_file(const char *path, size_t *len, int *st)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf;
	size_t n = 0, got;

	if (f == NULL) {
		cli_error("residents", "%s: %s", path, strerror(errno));
		*st = EX_NOINPUT;
		return NULL;
	}
	buf = xmalloc(LIMIT_IMPORT_BODY_BYTES + 1);
	while ((got = fread(buf + n, 1, LIMIT_IMPORT_BODY_BYTES + 1 - n, f)) > 0)
		if ((n += got) > LIMIT_IMPORT_BODY_BYTES)
			break;
	if (ferror(f) || n > LIMIT_IMPORT_BODY_BYTES) {
		if (n > LIMIT_IMPORT_BODY_BYTES)
			cli_error("residents", "%s: larger than %d bytes", path,
			    LIMIT_IMPORT_BODY_BYTES);
		else
			cli_error("residents", "%s: %s", path, strerror(errno));
		*st = n > LIMIT_IMPORT_BODY_BYTES ? EX_DATAERR : EX_IOERR;
		if (f != stdin)
			fclose(f);
		free(buf);
		return NULL;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Print every bad row of an import reply on stderr: "FILE:LINE: message". */
static void
res_print_errors(const char *file, json_t *v)
{
	json_t *e, *total;
	const char *m;
	char *s, *f;
	size_t i;

	f = sanitize_dup(file, strlen(file), cli_text_flags());
	json_array_foreach(json_object_get(v, "errors"), i, e) {
		m = json_string_value(json_object_get(e, "message"));
		s = sanitize_dup(m != NULL ? m : "invalid", strlen(m != NULL ?
		    m : "invalid"), cli_text_flags());
		fprintf(stderr, "%s:%" JSON_INTEGER_FORMAT ": %s\n", f,
		    json_integer_value(json_object_get(e, "line")), s);
		free(s);
	}
	total = json_object_get(v, "errors_total");
	if (json_is_integer(total) && (size_t)json_integer_value(total) >
	    json_array_size(json_object_get(v, "errors")))
		fprintf(stderr, "%s: %" JSON_INTEGER_FORMAT " bad rows in all; "
		    "the first %zu are listed\n", f, json_integer_value(total),
		    json_array_size(json_object_get(v, "errors")));
	free(f);
}

/* vigil residents import FILE --site KEY [--dry-run]. */
static int
res_import(const struct res_opts *o, const char *file)
{
	struct res_raw r;
	char *body, *path, err[JSONX_ERR_LEN];
	size_t len = 0;
	long status = 0;
	json_t *v;
	int st;

	if (o->site == NULL) {
		cli_error("residents", "import needs --site KEY");
		return cli_usage("residents");
	}
	if ((body = res_read_file(file, &len, &st)) == NULL)
		return st;
	path = xasprintf("/api/v1/sites/%s/residents/import%s", o->site,
	    o->dry_run ? "?dry_run=1" : "");
	st = res_raw_call("POST", path, body, len, &status, &r);
	free(path);
	free(body);
	if (st != 0) {
		free(r.data);
		return st;
	}
	v = jsonx_parse(r.data != NULL ? r.data : "", r.len, err, sizeof err);
	free(r.data);
	if (status == 422 && json_is_array(json_object_get(v, "errors")) &&
	    json_array_size(json_object_get(v, "errors")) > 0) {
		res_print_errors(file, v);
		cli_error("residents", "%s: %" JSON_INTEGER_FORMAT " of %"
		    JSON_INTEGER_FORMAT " rows are bad; nothing was imported",
		    file, json_is_integer(json_object_get(v, "errors_total")) ?
		    json_integer_value(json_object_get(v, "errors_total")) :
		    (json_int_t)json_array_size(json_object_get(v, "errors")),
		    json_integer_value(json_object_get(v, "rows")));
		json_decref(v);
		return EX_DATAERR;
	}
	if (status != 200) {
		st = res_raw_failed("the server", status, v);
		json_decref(v);
		return st;
	}
	if (!json_is_integer(json_object_get(v, "rows"))) {
		cli_error("residents", "the server's reply has no rows");
		json_decref(v);
		return EX_PROTOCOL;
	}
	if (o->json)
		st = cli_json_print(v);
	else if (!o->quiet) {
		printf("%" JSON_INTEGER_FORMAT " rows, %" JSON_INTEGER_FORMAT
		    " %s, 0 errors\n", json_integer_value(json_object_get(v,
		    "rows")), json_integer_value(json_object_get(v, "imported")),
		    o->dry_run ? "would be imported (dry run: nothing changed)" :
		    "imported");
		st = cli_flush();
	}
	json_decref(v);
	return st;
}

/* vigil residents export --site KEY [-o FILE]. */
static int
res_export(const struct res_opts *o)
{
	struct res_raw r;
	char *path, err[JSONX_ERR_LEN], *tmp = NULL;
	long status = 0;
	json_t *v;
	FILE *f;
	int st;

	if (o->site == NULL) {
		cli_error("residents", "export needs --site KEY");
		return cli_usage("residents");
	}
	path = xasprintf("/api/v1/sites/%s/residents.csv", o->site);
	st = res_raw_call("GET", path, NULL, 0, &status, &r);
	free(path);
	if (st != 0) {
		free(r.data);
		return st;
	}
	if (status != 200) {
		v = jsonx_parse(r.data != NULL ? r.data : "", r.len, err,
		    sizeof err);
		st = res_raw_failed("the server", status, v);
		json_decref(v);
		free(r.data);
		return st;
	}
	if (o->output == NULL || strcmp(o->output, "-") == 0) {
		/* A terminal gets the cells sanitized; a pipe the bytes. */
		if (isatty(STDOUT_FILENO)) {
			char *s = sanitize_dup(r.data != NULL ? r.data : "", r.len,
			    cli_text_flags() | SANITIZE_NEWLINES);

			fputs(s, stdout);
			free(s);
		} else if (r.len > 0)
			fwrite(r.data, 1, r.len, stdout);
		free(r.data);
		return cli_flush();
	}
	/* Written to a temporary file and renamed: never seen half written. */
	tmp = xasprintf("%s.tmp", o->output);
	if ((f = fopen(tmp, "wb")) == NULL ||
	    (r.len > 0 && fwrite(r.data, 1, r.len, f) != r.len) ||
	    fclose(f) != 0 || rename(tmp, o->output) != 0) {
		cli_error("residents", "%s: %s", o->output, strerror(errno));
		unlink(tmp);
		st = EX_CANTCREAT;
	}
	free(tmp);
	free(r.data);
	return st;
}

static const char res_help[] =
    "Commands:\n"
    "  list [--site KEY] [--search TEXT] [--limit N] [--removed]\n"
    "                               the residents (search: name, unit, "
    "plate, card)\n"
    "  show ID                      one resident with credentials, rights "
    "and\n"
    "                               recent access\n"
    "  add --site KEY --name NAME --unit BUILDING/ENTRANCE/APARTMENT\n"
    "      [--phone E164] [--email ADDR] [--role ROLE] [--card V] [--plate V]"
    "\n      [--app V]                add a resident\n"
    "  edit ID [--name ..] [--unit ..] [--phone ..] [--email ..] [--role ..]"
    "\n      [--card V] [--plate V] [--app V] [--drop-credential CID]\n"
    "                               change a resident (\"\" clears phone "
    "or email)\n"
    "  remove ID                    remove a resident; its rights are "
    "revoked\n"
    "  import FILE --site KEY [--dry-run]\n"
    "                               create residents from CSV (\"-\": "
    "stdin); any bad\n"
    "                               row: each is listed, nothing is "
    "imported\n"
    "  export --site KEY [-o FILE]  the site's residents as CSV\n"
    "\nOptions:\n"
    "      --role ROLE   resident (default), administrator or management\n"
    "      --card V, --plate V, --app V\n"
    "                    a credential; may be repeated\n"
    "  -j, --json        the server's JSON: one resident a line for list, "
    "one\n                    object otherwise\n"
    "  -q, --quiet       print nothing when an action succeeds\n"
    "\nExit status: 0 done, 64 usage, 65 a value or row the server refused, "
    "66 no such\nresident or file, 69 server unavailable, 73 cannot write "
    "the file, 75 conflict\n(changed meanwhile: read it again), 77 token "
    "refused or not allowed.\n";

/* Add a credential option of kind to o->creds; -1 after a message. */
static int
res_add_cred(struct res_opts *o, const char *kind, const char *value)
{
	json_t *c = json_pack("{s:s, s:s}", "kind", kind, "value", value);

	if (c == NULL || value[0] == '\0') {
		json_decref(c);
		cli_error("residents", "--%s: expected a value in UTF-8", kind);
		return -1;
	}
	json_array_append_new(o->creds, c);
	return 0;
}

/* Run subcommand argv[0] with its arguments; an exit status. */
static int
res_run(struct res_opts *o, int argc, char **argv)
{
	struct cli_api *a;
	const char *sub = argv[0];
	int64_t id = 0;
	int st, want = 1;

	if (strcmp(sub, "show") == 0 || strcmp(sub, "edit") == 0 ||
	    strcmp(sub, "remove") == 0 || strcmp(sub, "import") == 0)
		want = 2;
	else if (strcmp(sub, "list") != 0 && strcmp(sub, "add") != 0 &&
	    strcmp(sub, "export") != 0) {
		cli_error("residents", "unknown command \"%s\"", sub);
		return cli_usage("residents");
	}
	if (argc != want)
		return cli_usage("residents");
	if (want == 2 && strcmp(sub, "import") != 0 &&
	    cli_parse_id("residents", "resident", argv[1], &id) != 0)
		return cli_usage("residents");
	if (o->site != NULL && !cli_is_key(o->site)) {
		cli_error("residents", "--site: \"%s\" is not a site key",
		    o->site);
		return cli_usage("residents");
	}
	if (strcmp(sub, "import") == 0)
		return res_import(o, argv[1]);
	if (strcmp(sub, "export") == 0)
		return res_export(o);
	if ((a = cli_api_open("residents", &st)) == NULL)
		return st;
	if (strcmp(sub, "list") == 0)
		st = res_list(a, o);
	else if (strcmp(sub, "show") == 0)
		st = res_show(a, o, id);
	else if (strcmp(sub, "add") == 0)
		st = res_add(a, o);
	else if (strcmp(sub, "edit") == 0)
		st = res_edit(a, o, id);
	else
		st = res_remove(a, o, id);
	cli_api_close(a);
	return st;
}

/* vigil residents list|show|add|edit|remove|import|export ... */
int
cmd_residents(int argc, char **argv)
{
	enum { O_SITE = 256, O_SEARCH, O_NAME, O_UNIT, O_PHONE, O_EMAIL,
	    O_ROLE, O_CARD, O_PLATE, O_APP, O_DROP, O_DRY, O_LIMIT,
	    O_REMOVED };
	static const struct option longopts[] = {
		{ "site", required_argument, NULL, O_SITE },
		{ "search", required_argument, NULL, O_SEARCH },
		{ "name", required_argument, NULL, O_NAME },
		{ "unit", required_argument, NULL, O_UNIT },
		{ "phone", required_argument, NULL, O_PHONE },
		{ "email", required_argument, NULL, O_EMAIL },
		{ "role", required_argument, NULL, O_ROLE },
		{ "card", required_argument, NULL, O_CARD },
		{ "plate", required_argument, NULL, O_PLATE },
		{ "app", required_argument, NULL, O_APP },
		{ "drop-credential", required_argument, NULL, O_DROP },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "removed", no_argument, NULL, O_REMOVED },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct res_opts o;
	int64_t v;
	int ch, st;

	setlocale(LC_CTYPE, "");
	memset(&o, 0, sizeof o);
	o.creds = json_array();
	o.drop = json_array();
	st = -1;
	while (st < 0 && (ch = getopt_long(argc, argv, "o:jqh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case O_SITE:
			o.site = optarg;
			break;
		case O_SEARCH:
			o.search = optarg;
			break;
		case O_NAME:
			o.name = optarg;
			break;
		case O_UNIT:
			o.unit = optarg;
			break;
		case O_PHONE:
			o.phone = optarg;
			break;
		case O_EMAIL:
			o.email = optarg;
			break;
		case O_ROLE:
			o.role = optarg;
			break;
		case O_CARD:
		case O_PLATE:
		case O_APP:
			if (res_add_cred(&o, ch == O_CARD ? "card" : ch ==
			    O_PLATE ? "plate" : "app", optarg) != 0)
				st = cli_usage("residents");
			break;
		case O_DROP:
			if (cli_parse_id("residents", "credential", optarg,
			    &v) != 0)
				st = cli_usage("residents");
			else
				json_array_append_new(o.drop, json_integer(v));
			break;
		case O_DRY:
			o.dry_run = true;
			break;
		case O_LIMIT:
			if (cli_parse_id("residents", "--limit", optarg,
			    &v) != 0)
				st = cli_usage("residents");
			o.limit = v;
			break;
		case O_REMOVED:
			o.removed = true;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			st = cli_help("residents", res_help);
			break;
		default:
			st = cli_usage("residents");
		}
	}
	if (st < 0)
		st = optind >= argc ? cli_usage("residents") : res_run(&o,
		    argc - optind, argv + optind);
	json_decref(o.creds);
	json_decref(o.drop);
	return st;
}
