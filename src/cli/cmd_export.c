#include "compat.h"

#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "buf.h"
#include "cli.h"
#include "export.h"
#include "exportfmt.h"
#include "jsonl.h"
#include "sanitize.h"
#include "session.h"
#include "timerange.h"
#include "vtime.h"

/*
 * vigil export KIND: rows of the server written to a file as they arrive.
 *
 * vigild streams JSON lines (GET /api/v1/export/KIND, chunked); this side
 * turns each line into the format asked for and writes it before the next
 * one is read, so memory holds one line whatever the export's size.  JSON
 * lines pass through as the server wrote them (ASCII, every control escaped)
 * unless a time zone is asked for; CSV cells are made inert (exportfmt.h).
 * Nothing here needs or touches a terminal: progress goes to stderr only
 * when stderr is one.
 */

#define EXPORT_ROW_MEMBERS  40       /* members of one row at most */
#define EXPORT_STDIO_BUF    (256 * 1024)
#define EXPORT_ERROR_BYTES  (64 * 1024)   /* an error reply read at most */
#define EXPORT_STALL_S      120      /* no byte for this long: the server is gone */

/* A CSV column: its heading, the row's member (and member of that), a time. */
struct export_col {
	const char *head;
	const char *key;
	const char *sub;
	bool time;
};

static const struct export_col export_audit_cols[] = {
	{ "seq", "seq", NULL, false }, { "ts", "ts", NULL, true },
	{ "actor_type", "actor_type", NULL, false }, { "actor", "actor", NULL, false },
	{ "action", "action", NULL, false },
	{ "object_type", "object_type", NULL, false },
	{ "object_id", "object_id", NULL, false }, { "site_id", "site_id", NULL, false },
	{ "details", "details_text", NULL, false }, { "source", "source", NULL, false },
	{ "outcome", "outcome", NULL, false }, { "prev_hash", "prev_hash", NULL, false },
	{ "hash", "hash", NULL, false },
};
static const struct export_col export_alarm_cols[] = {
	{ "id", "id", NULL, false }, { "site", "site", NULL, false },
	{ "site_name", "site_name", NULL, false }, { "point", "point", NULL, false },
	{ "point_label", "point_label", NULL, false },
	{ "point_type", "point_type", NULL, false }, { "gateway", "gateway", NULL, false },
	{ "type", "type", NULL, false }, { "priority", "priority", NULL, false },
	{ "state", "state", NULL, false }, { "version", "version", NULL, false },
	{ "count", "count", NULL, false }, { "created", "created", NULL, true },
	{ "updated", "updated", NULL, true }, { "last_event", "last_event", NULL, true },
	{ "acked", "acked", NULL, true }, { "acked_by", "acked_by", NULL, false },
	{ "assigned", "assigned", NULL, true },
	{ "assigned_by", "assigned_by", NULL, false }, { "guard", "guard", NULL, false },
	{ "closed", "closed", NULL, true }, { "closed_by", "closed_by", NULL, false },
	{ "resolution", "resolution", NULL, false },
	{ "resolution_note", "resolution_note", NULL, false },
};
static const struct export_col export_event_cols[] = {
	{ "id", "id", NULL, false }, { "site", "site", NULL, false },
	{ "point", "point", NULL, false }, { "gateway", "gateway", NULL, false },
	{ "gw_event_id", "gw_event_id", NULL, false }, { "type", "type", NULL, false },
	{ "value", "value", NULL, false }, { "credential", "credential", NULL, false },
	{ "sensor_ts", "sensor_ts", NULL, true }, { "received", "received", NULL, true },
	{ "class", "class", NULL, false }, { "alarm", "alarm", NULL, false },
};
static const struct export_col export_position_cols[] = {
	{ "id", "id", NULL, false }, { "guard", "guard", NULL, false },
	{ "ts", "ts", NULL, true }, { "lat", "lat", NULL, false },
	{ "lon", "lon", NULL, false }, { "accuracy", "accuracy", NULL, false },
	{ "received", "received", NULL, true },
};
static const struct export_col export_access_cols[] = {
	{ "id", "id", NULL, false }, { "ts", "ts", NULL, true },
	{ "site", "site", NULL, false }, { "point", "point", NULL, false },
	{ "result", "result", NULL, false }, { "credential", "credential", NULL, false },
	{ "resident_id", "resident", "id", false },
	{ "resident_name", "resident", "name", false },
};

/* The kinds: name, the member that numbers rows, the CSV columns. */
static const struct export_def {
	const char *name;
	const char *id_key;
	const struct export_col *cols;
	size_t ncols;
} export_defs[] = {
	{ "audit", "seq", export_audit_cols, ARRAY_LEN(export_audit_cols) },
	{ "alarms", "id", export_alarm_cols, ARRAY_LEN(export_alarm_cols) },
	{ "events", "id", export_event_cols, ARRAY_LEN(export_event_cols) },
	{ "positions", "id", export_position_cols, ARRAY_LEN(export_position_cols) },
	{ "access-history", "id", export_access_cols, ARRAY_LEN(export_access_cols) },
};

enum export_format { EXPORT_CSV, EXPORT_JSONL, EXPORT_JSON };

/* Where the rows go and how. */
struct export_out {
	const struct export_def *def;
	enum export_format fmt;
	FILE *f;
	bool tty;                 /* the output is a terminal */
	bool zoned;               /* --tz other than UTC */
	int text_flags;           /* sanitize flags for a terminal */
	struct buf row;           /* the row being formatted */
	int pos[EXPORT_ROW_MEMBERS]; /* where each column's member was last */
	struct buf text;          /* a decoded string */
	int64_t rows;
	int64_t last;             /* the seq or id of the last row written */
	bool any;                 /* something was written (JSON commas) */
};

/* Set by SIGINT or SIGTERM during a transfer. */
static volatile sig_atomic_t export_stop;

/* The session's server, for messages. */
static char export_url[512];

/* Remember the signal that asks the transfer to stop. */
static void
export_on_signal(int sig)
{
	export_stop = sig;
}

/* The state of one transfer. */
struct export_xfer {
	struct export_fetch *f;
	CURL *easy;
	long status;
	struct buf line;          /* a line not yet whole */
	struct buf error;         /* the body of a refusal */
	int rc;                   /* the callback's status that stopped it */
	char *server_error;       /* an {"error"} line's message */
	bool bad_line;
	int64_t t0, shown;
	size_t scan;              /* bytes of a CSV record looked at */
	bool quoted;              /* ... and whether inside quotes there */
};

/*
 * The end of the CSV record at p (its LF, outside quotes), or NULL when it
 * has not all come.  x->scan remembers how far the last look got.
 */
static char *
export_record_end(struct export_xfer *x, char *p, char *end)
{
	char *q = p + x->scan;
	bool quoted = x->quoted;

	for (; q < end; q++) {
		if (*q == '"')
			quoted = !quoted;
		else if (*q == '\n' && !quoted) {
			x->scan = 0;
			x->quoted = false;
			return q;
		}
	}
	x->scan = (size_t)(q - p);
	x->quoted = quoted;
	return NULL;
}

/* Hand every whole line (or record) in x->line to the callback; false to stop. */
static bool
export_lines(struct export_xfer *x)
{
	struct export_fetch *f = x->f;
	char *p = x->line.data, *end = p + x->line.len, *nl;

	while (p < end && (nl = f->csv && *p != '{' ? export_record_end(x, p, end) :
	    memchr(p, '\n', (size_t)(end - p))) != NULL) {
		size_t len = (size_t)(nl - p);

		if (f->csv && len > 0 && p[len - 1] == '\r')
			len--;
		if (len >= 7 && memcmp(p, "{\"end\":", 7) == 0)
			f->complete = true;
		else if (len >= 9 && memcmp(p, "{\"error\":", 9) == 0) {
			json_t *e = json_loadb(p, len, 0, NULL);
			const char *m = json_string_value(json_object_get(
			    json_object_get(e, "error"), "message"));

			x->server_error = xstrdup(m != NULL ? m : "an error");
			json_decref(e);
		} else if (len > 0) {
			if ((x->rc = f->line(f->arg, p, len)) != 0)
				return false;
			f->rows++;
		}
		p = nl + 1;
	}
	if (p > x->line.data) {
		size_t left = (size_t)(end - p);

		memmove(x->line.data, p, left);
		x->line.len = left;
		x->line.data[left] = '\0';
	}
	return true;
}

/* curl's write callback: lines to the callback, or a refusal's body kept. */
static size_t
export_on_write(char *data, size_t size, size_t n, void *arg)
{
	struct export_xfer *x = arg;
	size_t len = size * n;

	if (x->status == 0)
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->status != 200) {
		buf_add(&x->error, data, len);
		return len;
	}
	if (buf_add(&x->line, data, len) != 0) {
		x->bad_line = true;
		return 0;
	}
	return export_lines(x) ? len : 0;
}

/* Show rows and rate on stderr (a terminal) at most every EXPORT_PROGRESS_MS. */
static void
export_progress(struct export_xfer *x, bool last)
{
	int64_t now = vtime_mono_ms();
	double secs = (double)(now - x->t0) / 1000.0;

	if (!x->f->progress || (!last && now - x->shown < EXPORT_PROGRESS_MS))
		return;
	x->shown = now;
	fprintf(stderr, "\r%" PRId64 " rows, %.0f rows/s ", x->f->rows,
	    secs > 0 ? (double)x->f->rows / secs : 0.0);
	if (last)
		fputc('\n', stderr);
	fflush(stderr);
}

/* curl's progress callback: stop on a signal, show progress. */
static int
export_on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct export_xfer *x = arg;

	(void)dt; (void)dn; (void)ut; (void)un;
	if (export_stop != 0)
		return 1;
	export_progress(x, false);
	return 0;
}

/* Say why the server refused, its words sanitized; an exit status. */
static int
export_refused(struct export_xfer *x)
{
	char msg[SANITIZE_SIZE(512)];
	json_t *e = json_loadb(x->error.data != NULL ? x->error.data : "",
	    x->error.len, 0, NULL);
	const char *m = json_string_value(json_object_get(json_object_get(e,
	    "error"), "message"));
	const char *cmd = x->f->cmd;
	int rc;

	if (m == NULL)
		m = "no reason given";
	sanitize_copy(msg, sizeof msg, m, strlen(m), cli_text_flags());
	json_decref(e);
	switch (x->status) {
	case 401:
		cli_error(cmd, "%s refused the token: %s; log in again with "
		    "\"vigil login %s\"", export_url, msg, export_url);
		return EX_NOPERM;
	case 403:
		cli_error(cmd, "not allowed: %s", msg);
		return EX_NOPERM;
	case 404:
		cli_error(cmd, "%s", msg);
		return EX_NOINPUT;
	case 400:
	case 422:
		cli_error(cmd, "refused: %s", msg);
		return EX_DATAERR;
	}
	rc = x->status >= 500 ? EX_UNAVAILABLE : EX_PROTOCOL;
	cli_error(cmd, "%s: %s (HTTP %ld)", x->status >= 500 ?
	    "the server cannot answer now" : "unexpected answer", msg, x->status);
	return rc;
}

/* The server's URL of the session, for messages. */
const char *
export_fetch_url(void)
{
	return export_url;
}

/* Run the export, handing each line to f->line; 0 or an exit status. */
int
export_fetch_run(struct export_fetch *f)
{
	struct sigaction sa, old_int, old_term;
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct export_xfer x;
	struct session s;
	char *cause = NULL, *url, *auth;
	CURLcode res;
	int rc = 0;

	memset(&x, 0, sizeof x);
	x.f = f;
	f->rows = 0;
	f->complete = false;
	f->signal = 0;
	if (session_load(&s, &cause) != 0) {
		cli_error(f->cmd, "%s", cause);
		free(cause);
		return EX_CONFIG;
	}
	if (s.url == NULL || s.token == NULL) {
		cli_error(f->cmd, s.url == NULL ? "no server configured: log in "
		    "with \"vigil login URL\", or set VIGIL_URL and VIGIL_TOKEN" :
		    "not logged in: log in with \"vigil login URL\", or set "
		    "VIGIL_TOKEN");
		rc = s.url == NULL ? EX_UNAVAILABLE : EX_NOPERM;
		session_release(&s);
		return rc;
	}
	snprintf(export_url, sizeof export_url, "%s", s.url);
	if (strncmp(s.url, "http://", 7) != 0 && strncmp(s.url, "https://", 8) != 0) {
		cli_error(f->cmd, "\"%s\" is not an http:// or https:// URL", s.url);
		session_release(&s);
		return EX_CONFIG;
	}
	{
		size_t n = strlen(s.url);

		while (n > 0 && s.url[n - 1] == '/')
			n--;
		url = xasprintf("%.*s/api/v1/export/%s%s%s", (int)n, s.url,
		    f->kind, f->query[0] != '\0' ? "?" : "", f->query);
	}
	auth = xasprintf("Authorization: Bearer %s", s.token);
	session_release(&s);

	buf_init(&x.line, LIMIT_EXPORT_LINE_BYTES);
	buf_init(&x.error, EXPORT_ERROR_BYTES);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (x.easy = curl_easy_init()) == NULL)
		fatal("libcurl cannot start");
	hdrs = curl_slist_append(hdrs, "Accept: application/x-ndjson");
	hdrs = curl_slist_append(hdrs, auth);
	curl_easy_setopt(x.easy, CURLOPT_URL, url);
	curl_easy_setopt(x.easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x.easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x.easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x.easy, CURLOPT_CONNECTTIMEOUT, (long)CLIENT_CONNECT_TIMEOUT_S);
	curl_easy_setopt(x.easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(x.easy, CURLOPT_LOW_SPEED_TIME, (long)EXPORT_STALL_S);
	curl_easy_setopt(x.easy, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
	curl_easy_setopt(x.easy, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(x.easy, CURLOPT_WRITEFUNCTION, export_on_write);
	curl_easy_setopt(x.easy, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(x.easy, CURLOPT_XFERINFOFUNCTION, export_on_progress);
	curl_easy_setopt(x.easy, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(x.easy, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(x.easy, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(x.easy, CURLOPT_BUFFERSIZE, (long)EXPORT_CHUNK_BYTES);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = export_on_signal;
	sigemptyset(&sa.sa_mask);
	export_stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	x.t0 = x.shown = vtime_mono_ms();
	res = curl_easy_perform(x.easy);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (x.status == 0)
		curl_easy_getinfo(x.easy, CURLINFO_RESPONSE_CODE, &x.status);
	if (x.f->progress && x.status == 200)
		export_progress(&x, true);

	if (x.rc != 0)
		rc = x.rc;
	else if (export_stop != 0) {
		f->signal = export_stop;
		rc = 128 + export_stop;
	} else if (x.bad_line) {
		cli_error(f->cmd, "a line of the export is longer than %d bytes",
		    LIMIT_EXPORT_LINE_BYTES);
		rc = EX_PROTOCOL;
	} else if (x.status != 200 && x.status != 0 && res == CURLE_OK)
		rc = export_refused(&x);
	else if (x.server_error != NULL) {
		char msg[SANITIZE_SIZE(256)];

		sanitize_copy(msg, sizeof msg, x.server_error,
		    strlen(x.server_error), cli_text_flags());
		cli_error(f->cmd, "the server stopped the export: %s", msg);
		rc = EX_UNAVAILABLE;
	} else if (res != CURLE_OK) {
		cli_error(f->cmd, "%s %s: %s", f->complete ? "after" : x.status ?
		    "the export from" : "cannot reach", export_url,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(res));
		rc = EX_UNAVAILABLE;
	} else if (!f->complete || x.line.len > 0) {
		cli_error(f->cmd, "the export from %s was cut short", export_url);
		rc = EX_UNAVAILABLE;
	}
	curl_easy_cleanup(x.easy);
	curl_slist_free_all(hdrs);
	curl_global_cleanup();
	buf_release(&x.line);
	buf_release(&x.error);
	free(x.server_error);
	free(url);
	free(auth);
	return rc;
}

/* The seq or id of a row line: its first member, as vigild writes it. */
static int64_t
export_row_id(const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len < 16 ? len : 16);

	if (colon == NULL)
		return 0;
	return strtoll(colon + 1, NULL, 10);
}

/* Append a CSV text cell, for a file or (sanitized for it) a terminal. */
static int
export_csv_text(struct export_out *o, const char *s, size_t len)
{
	char *clean;
	int rc;

	if (!o->tty)
		return exportfmt_csv_text(&o->row, s, len);
	clean = sanitize_dup(s, len, o->text_flags | SANITIZE_NEWLINES);
	rc = exportfmt_csv_text(&o->row, clean, strlen(clean));
	free(clean);
	return rc;
}

/*
 * 1 for the bytes a CSV cell may hold as they are written in a JSON string,
 * with nothing to quote, escape or make visible: printable ASCII but
 * " \\ , and ;.
 */
static const unsigned char export_csv_plain[256] = {
#define EXPORT_16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
	EXPORT_16(0), EXPORT_16(0),
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,   /* " , */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1,   /* ; */
	EXPORT_16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,   /* \\ */
	EXPORT_16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,   /* DEL */
	EXPORT_16(0), EXPORT_16(0), EXPORT_16(0), EXPORT_16(0),
	EXPORT_16(0), EXPORT_16(0), EXPORT_16(0), EXPORT_16(0),
#undef EXPORT_16
};

/*
 * Append a JSON string value (with its quotes) as it stands when it needs
 * nothing done to it: plain characters only, not starting like a formula
 * (= + - @ or a single quote).  False when it needs the slow way.
 */
static bool
export_csv_plain_cell(struct export_out *o, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s + 1;
	size_t n = len - 2;

	if (n > 0 && (u[0] == '=' || u[0] == '+' || u[0] == '-' || u[0] == '@' ||
	    u[0] == '\''))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!export_csv_plain[u[i]])
			return false;
	return buf_add(&o->row, s + 1, n) == 0;
}

/* Append one CSV cell for value m (NULL when the row has no such member). */
static int
export_csv_cell(struct export_out *o, const struct export_col *c,
    const struct jsonl_member *m)
{
	char ts[TIMERANGE_ISO_LEN];
	int64_t ms;

	if (m == NULL)
		return 0;
	switch (m->type) {
	case JSONL_NULL:
	case JSONL_NONE:
		return 0;
	case JSONL_NUMBER:
	case JSONL_TRUE:
	case JSONL_FALSE:
		return buf_add(&o->row, m->val, m->val_len);
	case JSONL_STRING:
		if (!(c->time && o->zoned) && !o->tty &&
		    export_csv_plain_cell(o, m->val, m->val_len))
			return 0;
		buf_reset(&o->text);
		if (jsonl_unquote(m->val, m->val_len, &o->text) != 0)
			return -1;
		if (c->time && o->zoned && vtime_parse(o->text.data, &ms) == 0) {
			timerange_format(ms, ts, sizeof ts);
			return buf_adds(&o->row, ts);
		}
		return export_csv_text(o, o->text.data != NULL ? o->text.data : "",
		    o->text.len);
	default:
		return export_csv_text(o, m->val, m->val_len);
	}
}

/* Format one row line as a CSV record into o->row; 0 or -1 (malformed). */
static int
export_csv_row(struct export_out *o, const char *line, size_t len)
{
	struct jsonl_member m[EXPORT_ROW_MEMBERS], sub[EXPORT_ROW_MEMBERS];
	int n = jsonl_object(line, len, m, EXPORT_ROW_MEMBERS);

	if (n < 0)
		return -1;
	buf_reset(&o->row);
	for (size_t i = 0; i < o->def->ncols; i++) {
		const struct export_col *c = &o->def->cols[i];
		const struct jsonl_member *v;
		int p = o->pos[i];

		/* The server writes members in one order: look where it was. */
		if (p < n && m[p].key_len == strlen(c->key) &&
		    memcmp(m[p].key, c->key, m[p].key_len) == 0)
			v = &m[p];
		else if ((v = jsonl_get(m, n, c->key)) != NULL)
			o->pos[i] = (int)(v - m);

		if (i > 0)
			buf_add(&o->row, ",", 1);
		if (c->sub != NULL) {
			int k;

			if (v == NULL || v->type != JSONL_OBJECT)
				continue;
			k = jsonl_object(v->val, v->val_len, sub, EXPORT_ROW_MEMBERS);
			v = k < 0 ? NULL : jsonl_get(sub, k, c->sub);
		}
		if (export_csv_cell(o, c, v) != 0)
			return -1;
	}
	return buf_add(&o->row, "\r\n", 2);
}

/*
 * A JSON line re-encoded: in ASCII, with its times in the chosen zone; into
 * o->row.  For lines that are not plain ASCII or when --tz is given.
 */
static int
export_json_row(struct export_out *o, const char *line, size_t len)
{
	char ts[TIMERANGE_ISO_LEN];
	json_t *v = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	char *text;
	int64_t ms;

	if (!json_is_object(v)) {
		json_decref(v);
		return -1;
	}
	for (size_t i = 0; o->zoned && i < o->def->ncols; i++) {
		const struct export_col *c = &o->def->cols[i];
		const char *t = json_string_value(json_object_get(v, c->key));

		if (c->time && c->sub == NULL && t != NULL && vtime_parse(t, &ms) == 0) {
			timerange_format(ms, ts, sizeof ts);
			json_object_set_new(v, c->key, json_string(ts));
		}
	}
	text = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(v);
	if (text == NULL)
		return -1;
	buf_reset(&o->row);
	buf_adds(&o->row, text);
	free(text);
	return 0;
}

/* Write one line of the export in the chosen format (an export_line_fn). */
static int
export_write_line(void *arg, const char *line, size_t len)
{
	struct export_out *o = arg;
	bool checkpoint = len > 14 && memcmp(line, "{\"checkpoint\":", 14) == 0;
	const char *out = line;
	size_t outlen = len;

	if (o->fmt == EXPORT_CSV) {
		if (checkpoint)
			return 0;
		if (export_csv_row(o, line, len) != 0)
			goto bad;
		out = o->row.data;
		outlen = o->row.len;
	} else {
		if ((!checkpoint && o->zoned) || !jsonl_ascii(line, len)) {
			if (export_json_row(o, line, len) != 0)
				goto bad;
			out = o->row.data;
			outlen = o->row.len;
		}
		if (o->fmt == EXPORT_JSON && fputs(o->any ? ",\n" : "[\n", o->f) == EOF)
			return EX_IOERR;
	}
	if (fwrite(out, 1, outlen, o->f) != outlen ||
	    (o->fmt == EXPORT_JSONL && fputc('\n', o->f) == EOF)) {
		cli_error("export", "cannot write: %s", strerror(errno));
		return EX_IOERR;
	}
	o->any = true;
	if (!checkpoint) {
		o->rows++;
		o->last = export_row_id(line, len);
	}
	return 0;
bad:
	cli_error("export", "the server sent a malformed row after %s %" PRId64,
	    o->def->id_key, o->last);
	return EX_PROTOCOL;
}

/* Write one CSV record the server made, checked inert (an export_line_fn). */
static int
export_write_record(void *arg, const char *rec, size_t len)
{
	struct export_out *o = arg;

	if (!exportfmt_inert(rec, len) || len == 0 || rec[0] < '0' ||
	    rec[0] > '9') {
		cli_error("export", "the server sent a malformed record after %s %"
		    PRId64, o->def->id_key, o->last);
		return EX_PROTOCOL;
	}
	if (fwrite(rec, 1, len, o->f) != len || fputs("\r\n", o->f) == EOF) {
		cli_error("export", "cannot write: %s", strerror(errno));
		return EX_IOERR;
	}
	o->rows++;
	o->last = strtoll(rec, NULL, 10);
	return 0;
}

/* The kind called name, or NULL. */
static const struct export_def *
export_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(export_defs); i++)
		if (strcmp(export_defs[i].name, name) == 0)
			return &export_defs[i];
	return NULL;
}

/* Append "&name=value" (value percent-encoded) to the query q. */
static void
export_query_add(struct buf *q, const char *name, const char *value)
{
	char *enc = curl_easy_escape(NULL, value, 0);

	if (enc == NULL)
		fatal("out of memory");
	buf_addf(q, "%s%s=%s", q->len > 0 ? "&" : "", name, enc);
	curl_free(enc);
}

/* Parse a --since or --until time into ISO 8601 for the query; false after a message. */
static bool
export_time_opt(const char *opt, const char *arg, int64_t now, struct buf *q,
    const char *name)
{
	char iso[VTIME_ISO_LEN];
	char *cause = NULL;
	int64_t ms;

	if (timerange_parse(arg, now, &ms, &cause) != 0) {
		cli_error("export", "%s: %s", opt, cause);
		free(cause);
		return false;
	}
	vtime_format(ms, iso, sizeof iso);
	export_query_add(q, name, iso);
	return true;
}

/* The format a file name's extension suggests, else CSV. */
static enum export_format
export_format_of(const char *path)
{
	const char *dot = path != NULL ? strrchr(path, '.') : NULL;

	if (dot != NULL && strcmp(dot, ".jsonl") == 0)
		return EXPORT_JSONL;
	if (dot != NULL && strcmp(dot, ".json") == 0)
		return EXPORT_JSON;
	return EXPORT_CSV;
}

static const char export_help[] =
    "  KIND               audit, alarms, events, positions or access-history\n"
    "  --since TIME       rows from TIME: ISO 8601, a date, -24h, -7d, today, yesterday\n"
    "  --until TIME       rows before TIME\n"
    "  --site KEY         rows of one site (not for the audit)\n"
    "  --format FORMAT    csv (the default), jsonl or json\n"
    "  --tz ZONE          times in ZONE (e.g. Europe/London) instead of UTC\n"
    "  -o, --output FILE  write to FILE (appended to with --after)\n"
    "  --after SEQ        continue an interrupted export after row SEQ\n";

/* vigil export KIND [options]: write the rows of one kind as they arrive. */
int
cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "site", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "tz", required_argument, NULL, 'z' },
		{ "output", required_argument, NULL, 'o' },
		{ "after", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *since = NULL, *until = NULL, *site = NULL, *format = NULL;
	const char *tz = NULL, *path = NULL, *after = NULL;
	struct export_fetch f;
	struct export_out o;
	struct buf q;
	char *cause = NULL, *end;
	int64_t now = vtime_now_ms();
	bool append = false;
	struct stat sb;
	int ch, rc;

	setlocale(LC_CTYPE, "");
	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': since = optarg; break;
		case 'u': until = optarg; break;
		case 'S': site = optarg; break;
		case 'f': format = optarg; break;
		case 'z': tz = optarg; break;
		case 'o': path = optarg; break;
		case 'a': after = optarg; break;
		case 'h': return cli_help("export", export_help);
		default: return cli_usage("export");
		}
	}
	if (optind != argc - 1)
		return cli_usage("export");
	memset(&o, 0, sizeof o);
	if ((o.def = export_find(argv[optind])) == NULL) {
		cli_error("export", "unknown kind \"%.40s\": audit, alarms, events, "
		    "positions or access-history", argv[optind]);
		return cli_usage("export");
	}
	if (format == NULL)
		o.fmt = export_format_of(path);
	else if (strcmp(format, "csv") == 0)
		o.fmt = EXPORT_CSV;
	else if (strcmp(format, "jsonl") == 0)
		o.fmt = EXPORT_JSONL;
	else if (strcmp(format, "json") == 0)
		o.fmt = EXPORT_JSON;
	else {
		cli_error("export", "--format: \"%.40s\" is not csv, jsonl or json",
		    format);
		return cli_usage("export");
	}
	if (tz != NULL) {
		if (timerange_set_zone(tz, &cause) != 0) {
			cli_error("export", "--tz: %s", cause);
			free(cause);
			return cli_usage("export");
		}
		o.zoned = strcmp(tz, "UTC") != 0 && strcmp(tz, "Z") != 0;
	}
	buf_init(&q, LIMIT_URI_BYTES);
	if ((since != NULL && !export_time_opt("--since", since, now, &q, "since")) ||
	    (until != NULL && !export_time_opt("--until", until, now, &q, "until"))) {
		buf_release(&q);
		return cli_usage("export");
	}
	if (site != NULL) {
		if (*site == '\0' || strlen(site) > LIMIT_KEY_LEN) {
			cli_error("export", "--site: \"%.80s\" is not a site key", site);
			buf_release(&q);
			return cli_usage("export");
		}
		export_query_add(&q, "site", site);
	}
	if (after != NULL) {
		errno = 0;
		(void)strtoll(after, &end, 10);
		if (*after < '0' || *after > '9' || *end != '\0' || errno != 0) {
			cli_error("export", "--after: \"%.40s\" is not a row number",
			    after);
			buf_release(&q);
			return cli_usage("export");
		}
		export_query_add(&q, "after", after);
		append = path != NULL && stat(path, &sb) == 0 && sb.st_size > 0;
		if (append && o.fmt == EXPORT_JSON) {
			cli_error("export", "--after: a JSON file cannot be continued "
			    "(use jsonl or csv, or another file)");
			buf_release(&q);
			return cli_usage("export");
		}
	}

	if (path != NULL) {
		if ((o.f = fopen(path, append ? "a" : "w")) == NULL) {
			cli_error("export", "cannot create %s: %s", path,
			    strerror(errno));
			buf_release(&q);
			return EX_CANTCREAT;
		}
	} else {
		o.f = stdout;
		o.tty = isatty(STDOUT_FILENO);
		o.text_flags = cli_text_flags();
	}
	setvbuf(o.f, NULL, _IOFBF, EXPORT_STDIO_BUF);
	buf_init(&o.row, LIMIT_EXPORT_LINE_BYTES * 8);
	buf_init(&o.text, LIMIT_EXPORT_LINE_BYTES);
	if (o.fmt == EXPORT_CSV && !append) {
		for (size_t i = 0; i < o.def->ncols; i++)
			fprintf(o.f, "%s%s", i > 0 ? "," : "", o.def->cols[i].head);
		fputs("\r\n", o.f);
	}

	memset(&f, 0, sizeof f);
	/*
	 * CSV for a file, in UTC: vigild writes the records (the same cells by
	 * the same rules, exportfmt.h), which spares a JSON pass on each side;
	 * this side checks each record is inert.  For a terminal or another
	 * zone the rows come as JSON and are made into CSV here.
	 */
	f.csv = o.fmt == EXPORT_CSV && !o.zoned && !o.tty;
	if (f.csv)
		export_query_add(&q, "format", "csv");
	f.cmd = "export";
	f.kind = o.def->name;
	f.query = q.data != NULL ? q.data : "";
	f.line = f.csv ? export_write_record : export_write_line;
	f.arg = &o;
	f.progress = isatty(STDERR_FILENO) && (path != NULL || !o.tty);
	rc = export_fetch_run(&f);
	if (o.fmt == EXPORT_JSON && rc == 0)
		fputs(o.any ? "\n]\n" : "[]\n", o.f);
	if (fflush(o.f) != 0 || ferror(o.f)) {
		if (errno != EPIPE)
			cli_error("export", "cannot write: %s", strerror(errno));
		if (rc == 0)
			rc = EX_IOERR;
	}
	if (path != NULL && fclose(o.f) != 0 && rc == 0) {
		cli_error("export", "cannot write %s: %s", path, strerror(errno));
		rc = EX_IOERR;
	}
	if (rc != 0 && rc != EX_USAGE && rc != EX_NOPERM && rc != EX_NOINPUT &&
	    rc != EX_DATAERR && rc != EX_CONFIG) {
		if (o.rows > 0)
			cli_error("export", "interrupted after %" PRId64 " rows; the "
			    "last %s written is %" PRId64 ": continue with --after %"
			    PRId64 "%s", o.rows, o.def->id_key, o.last, o.last,
			    path != NULL ? " and the same -o FILE" : "");
		else
			cli_error("export", "interrupted before any row was written");
	}
	buf_release(&o.row);
	buf_release(&o.text);
	buf_release(&q);
	return rc;
}
