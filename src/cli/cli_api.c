#include "compat.h"

#include <locale.h>
#include <sysexits.h>

#include "cli.h"
#include "rest.h"
#include "sanitize.h"
#include "session.h"

/*
 * What the headless commands share: a call to the server with the stored
 * session, tables and JSON lines on stdout, every value sanitized.
 */

#define CLI_CELL_MAX   64      /* widest table cell, in columns */
#define CLI_SEP        "  "    /* between table columns */

struct cli_api {
	uv_loop_t loop;
	struct session session;
	struct rest *rest;
	const char *cmd;
};

/* The sanitize flags for text printed on stdout (after setlocale). */
int
cli_text_flags(void)
{
	return sanitize_locale_flags();
}

/* Connect to the server of the session; NULL with *status after a message. */
struct cli_api *
cli_api_open(const char *cmd, int *status)
{
	struct cli_api *a = xcalloc(1, sizeof *a);
	char *cause = NULL;

	a->cmd = cmd;
	if (session_load(&a->session, &cause) != 0) {
		cli_error(cmd, "%s", cause);
		*status = EX_CONFIG;
		goto fail;
	}
	if (a->session.url == NULL) {
		cli_error(cmd, "no server configured: log in with \"vigil login "
		    "URL\", or set VIGIL_URL and VIGIL_TOKEN");
		*status = EX_UNAVAILABLE;
		goto fail;
	}
	if (a->session.token == NULL) {
		cli_error(cmd, "not logged in to %s: log in with \"vigil login "
		    "%s\", or set VIGIL_TOKEN", a->session.url, a->session.url);
		*status = EX_NOPERM;
		goto fail;
	}
	if (uv_loop_init(&a->loop) != 0)
		fatal("cannot start an event loop");
	a->rest = rest_new(&a->loop, a->session.url, a->session.token, &cause);
	if (a->rest == NULL) {
		cli_error(cmd, "%s", cause);
		uv_loop_close(&a->loop);
		*status = EX_CONFIG;
		goto fail;
	}
	return a;
fail:
	free(cause);
	session_release(&a->session);
	free(a);
	return NULL;
}

/* Free the calls, close the loop and forget the session. */
void
cli_api_close(struct cli_api *a)
{
	if (a == NULL)
		return;
	rest_free(a->rest);
	uv_run(&a->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&a->loop) != 0)
		fatal("event loop handles left open");
	session_release(&a->session);
	free(a);
}

/* Say why a call failed, the server's words sanitized; an exit status. */
static int
cli_api_failed(struct cli_api *a, const struct rest_reply *r)
{
	char msg[SANITIZE_SIZE(512)];
	const char *text = r->error != NULL ? r->error : "no reason given";
	json_t *cur = json_object_get(r->json, "alarm");

	sanitize_copy(msg, sizeof msg, text, strlen(text), cli_text_flags());
	if (r->status == 0) {
		cli_error(a->cmd, "cannot reach %s: %s", a->session.url, msg);
		return EX_UNAVAILABLE;
	}
	switch (r->status) {
	case 401:
		cli_error(a->cmd, "%s refused the token: %s; log in again with "
		    "\"vigil login %s\"", a->session.url, msg, a->session.url);
		return EX_NOPERM;
	case 403:
		cli_error(a->cmd, "not allowed: %s", msg);
		return EX_NOPERM;
	case 404:
		cli_error(a->cmd, "%s", msg);
		return EX_NOINPUT;
	case 409:
		if (json_is_integer(json_object_get(cur, "version")))
			cli_error(a->cmd, "conflict: %s (the alarm is at version "
			    "%" JSON_INTEGER_FORMAT " now)", msg, json_integer_value(
			    json_object_get(cur, "version")));
		else
			cli_error(a->cmd, "conflict: %s", msg);
		return EX_TEMPFAIL;
	case 400:
	case 422:
		cli_error(a->cmd, "refused: %s", msg);
		return EX_DATAERR;
	}
	if (r->status >= 500) {
		cli_error(a->cmd, "the server cannot answer now: %s (HTTP %ld)",
		    msg, r->status);
		return EX_UNAVAILABLE;
	}
	cli_error(a->cmd, "unexpected answer: %s (HTTP %ld)", msg, r->status);
	return EX_PROTOCOL;
}

/* Make one call on the path fmt formats; 0 with the reply in *out, or a status. */
int
cli_api_call(struct cli_api *a, const char *method, json_t *body,
    json_t **out, const char *fmt, ...)
{
	struct rest_reply r;
	va_list ap, ap2;
	char *path;
	int st, n;

	if (out != NULL)
		*out = NULL;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	if ((n = vsnprintf(NULL, 0, fmt, ap)) < 0)
		fatal("bad format string");
	va_end(ap);
	path = xmalloc((size_t)n + 1);
	vsnprintf(path, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	rest_call(a->rest, method, path, body, &r);
	free(path);
	if (r.status >= 200 && r.status < 300 && json_is_object(r.json)) {
		if (out != NULL)
			*out = json_incref(r.json);
		st = 0;
	} else if (r.status >= 200 && r.status < 300) {
		cli_error(a->cmd, "the server's reply is not a JSON object");
		st = EX_PROTOCOL;
	} else
		st = cli_api_failed(a, &r);
	rest_reply_release(&r);
	return st;
}

/* Read every page of the list at path into *rows; 0 or an exit status. */
int
cli_api_list(struct cli_api *a, const char *path, const char *key,
    int64_t limit, json_t **rows)
{
	json_t *reply, *page, *next;
	int64_t after = 0, got = 0, want;
	char *p, num[32];
	size_t n;
	int st = 0;

	*rows = json_array();
	for (;;) {
		want = LIMIT_LIST_MAX;
		if (limit > 0 && limit - got < want)
			want = limit - got;
		p = xstrdup(path);
		snprintf(num, sizeof num, "%" PRId64, want);
		rest_query_add(&p, "limit", num);
		if (after > 0) {
			snprintf(num, sizeof num, "%" PRId64, after);
			rest_query_add(&p, "after", num);
		}
		st = cli_api_call(a, "GET", NULL, &reply, "%s", p);
		free(p);
		if (st != 0)
			break;
		page = json_object_get(reply, key);
		if (!json_is_array(page)) {
			cli_error(a->cmd, "the server's reply has no %s", key);
			json_decref(reply);
			st = EX_PROTOCOL;
			break;
		}
		n = json_array_size(page);
		json_array_extend(*rows, page);
		got += (int64_t)n;
		next = json_object_get(reply, "next");
		after = json_is_integer(next) ? json_integer_value(next) : 0;
		json_decref(reply);
		if (after <= 0 || n == 0 || (limit > 0 && got >= limit))
			break;
	}
	if (st != 0) {
		json_decref(*rows);
		*rows = NULL;
	}
	return st;
}

/* Check that stdout took everything; 0 or EX_IOERR after a message. */
int
cli_flush(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			cli_error(NULL, "cannot write: %s", strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

/* Print v as one line of compact JSON; 0 or EX_IOERR. */
int
cli_json_line(json_t *v)
{
	char *text;
	int rc = 0;

	/*
	 * Always ASCII, terminal or not: JSON escapes C0 controls but not C1
	 * ones (U+009B is a CSI to many terminals) nor bidi overrides, and
	 * output that goes to a file now is often shown on a terminal later.
	 * The data is the same to any JSON reader.
	 */
	if ((text = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII)) == NULL)
		fatal("cannot encode a reply");
	if (fputs(text, stdout) == EOF || putchar('\n') == EOF) {
		if (errno != EPIPE)
			cli_error(NULL, "cannot write: %s", strerror(errno));
		rc = EX_IOERR;
	}
	free(text);
	return rc;
}

/* Print v as one line of compact JSON and flush stdout; 0 or EX_IOERR. */
int
cli_json_print(json_t *v)
{
	return cli_json_line(v) != 0 ? EX_IOERR : cli_flush();
}

/* Print rows as JSON lines or as the table of cols; 0 or EX_IOERR. */
int
cli_rows(bool json, const struct cli_col *cols, size_t ncols, json_t *rows)
{
	json_t *row;
	size_t idx;
	int st;

	if (!json)
		return cli_table(cols, ncols, rows);
	json_array_foreach(rows, idx, row)
		if ((st = cli_json_line(row)) != 0)
			return st;
	return cli_flush();
}

/* The text of a JSON value for a table cell ("-" for null or missing). */
const char *
cli_text(json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, size, "%.6f", json_real_value(v));
		return buf;
	}
	if (json_is_true(v))
		return "yes";
	if (json_is_false(v))
		return "no";
	return "-";
}

/* The text of column col of row. */
static const char *
cli_cell(const struct cli_col *col, json_t *row, char *buf, size_t size)
{
	if (col->get != NULL)
		return col->get(row, buf, size);
	return cli_text(json_object_get(row, col->key), buf, size);
}

/* Print rows as an aligned table of sanitized cells; 0 or EX_IOERR. */
int
cli_table(const struct cli_col *cols, size_t ncols, json_t *rows)
{
	char buf[128], cell[SANITIZE_FIT_SIZE(CLI_CELL_MAX)];
	int flags = cli_text_flags(), *w, cw;
	size_t i, idx;
	json_t *row;
	const char *s;

	w = xcalloc(ncols, sizeof *w);
	for (i = 0; i < ncols; i++)
		w[i] = (int)strlen(cols[i].head);
	json_array_foreach(rows, idx, row) {
		for (i = 0; i < ncols; i++) {
			s = cli_cell(&cols[i], row, buf, sizeof buf);
			cw = sanitize_width(s, strlen(s), flags);
			if (cw > cols[i].max)
				cw = cols[i].max;
			if (cw > CLI_CELL_MAX)
				cw = CLI_CELL_MAX;
			if (cw > w[i])
				w[i] = cw;
		}
	}
	for (i = 0; i < ncols; i++) {
		if (cols[i].right)
			printf("%*s", w[i], cols[i].head);
		else if (i + 1 < ncols)
			printf("%-*s", w[i], cols[i].head);
		else
			fputs(cols[i].head, stdout);
		fputs(i + 1 == ncols ? "\n" : CLI_SEP, stdout);
	}
	json_array_foreach(rows, idx, row) {
		for (i = 0; i < ncols; i++) {
			bool last = i + 1 == ncols;

			s = cli_cell(&cols[i], row, buf, sizeof buf);
			sanitize_fit(cell, sizeof cell, s, strlen(s), flags |
			    (last || cols[i].right ? 0 : SANITIZE_PAD), w[i],
			    &cw);
			if (cols[i].right)
				printf("%*s", w[i] - cw, "");
			fputs(cell, stdout);
			fputs(last ? "\n" : CLI_SEP, stdout);
		}
	}
	free(w);
	return cli_flush();
}

