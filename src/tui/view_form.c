#include "compat.h"

#include <ctype.h>

#include "draw.h"
#include "lineedit.h"
#include "rest.h"
#include "tui.h"
#include "view.h"
#include "view_residents.h"
#include "vtime.h"

/*
 * Forms: a resident to add or edit, a right to grant.  One field a line,
 * its label, its value and, beside it, what is wrong with it.  Tab, Down
 * and Enter go to the next field, S-Tab and Up to the previous one; a
 * field is checked as it is left (the same rules as the server's), and the
 * server's 422 names a field, whose message is then shown beside it.
 * Enter on the last field or F2 saves; nothing is sent while a field is
 * wrong.  Esc leaves without saving.  A choice field (site, role, the
 * point or group of a right) changes with Left, Right or Space, or jumps
 * to the choice starting with the letter typed.
 */
#define FORM_MAX_FIELDS   10
#define FORM_LABEL_COLS   16
#define FORM_VALUE_COLS   40
#define FORM_ERROR_MIN    20     /* columns an error beside a field needs */
#define FORM_NAME_MAX     128    /* bytes of a resident's name (as the server) */
#define FORM_VALUE_MAX    64     /* bytes of a credential's value */

enum form_what { FORM_ADD, FORM_EDIT, FORM_GRANT };
enum form_kind { FORM_TEXT, FORM_CHOICE };

/* What is wrong with a field's text (NULL: nothing); buf may hold the message. */
typedef const char *form_check_fn(const char *text, char *buf, size_t len);

struct form_field {
	const char *name;            /* the field as the server names it */
	const char *label;
	enum form_kind kind;
	bool required;
	form_check_fn *check;
	struct lineedit ed;          /* FORM_TEXT */
	char **choices;              /* FORM_CHOICE: values... */
	char **shown;                /* ...and how they are shown (may be NULL) */
	int nchoices, choice;
	char *error;                 /* beside the field, or NULL */
};

struct form {
	struct console *c;
	enum form_what what;
	char title[128];
	struct form_field f[FORM_MAX_FIELDS];
	int n, cur;
	int64_t id;                  /* the resident */
	int64_t version;             /* FORM_EDIT: the version edited */
	char *site;                  /* FORM_GRANT: the resident's site */
	struct rest_req *req;        /* the save in flight */
	struct rest_req *aux;        /* FORM_GRANT: the access points */
	char *status;
	bool status_error;
	view_form_saved_fn *saved;
	void *arg;
};

/* The field called name, or NULL. */
static struct form_field *
form_field(struct form *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0)
			return &f->f[i];
	return NULL;
}

/* Set (or clear, with NULL) the status line under the fields. */
static void
form_status(struct form *f, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
form_status(struct form *f, bool error, const char *fmt, ...)
{
	va_list ap;

	free(f->status);
	f->status = NULL;
	f->status_error = error;
	if (fmt != NULL) {
		char buf[512];

		va_start(ap, fmt);
		vsnprintf(buf, sizeof buf, fmt, ap);
		va_end(ap);
		f->status = xstrdup(buf);
	}
	tui_dirty(f->c);
}

/* Add a field; returns it for the caller to fill in. */
static struct form_field *
form_add(struct form *f, const char *name, const char *label, enum form_kind kind,
    bool required, form_check_fn *check)
{
	struct form_field *x;

	if (f->n == FORM_MAX_FIELDS)
		fatal("form: too many fields");
	x = &f->f[f->n++];
	x->name = name;
	x->label = label;
	x->kind = kind;
	x->required = required;
	x->check = check;
	lineedit_clear(&x->ed);
	return x;
}

/* Add a choice (value, and how it is shown or NULL) to field x. */
static void
form_choice_add(struct form_field *x, const char *value, const char *shown)
{
	x->choices = xrealloc(x->choices, (size_t)(x->nchoices + 1) * sizeof *x->choices);
	x->shown = xrealloc(x->shown, (size_t)(x->nchoices + 1) * sizeof *x->shown);
	x->choices[x->nchoices] = xstrdup(value);
	x->shown[x->nchoices] = shown != NULL ? xstrdup(shown) : NULL;
	x->nchoices++;
}

/* Choose value in field x when it is one of its choices. */
static void
form_choice_set(struct form_field *x, const char *value)
{
	for (int i = 0; value != NULL && i < x->nchoices; i++)
		if (strcmp(x->choices[i], value) == 0)
			x->choice = i;
}

/* The value of field x as UTF-8 (caller frees; "" for an empty choice). */
static char *
form_value(const struct form_field *x)
{
	if (x->kind == FORM_CHOICE)
		return xstrdup(x->nchoices > 0 ? x->choices[x->choice] : "");
	return lineedit_utf8(&x->ed);
}

/* True when s is empty or only spaces. */
static bool
form_blank(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

/* A resident's name: 1 to 128 bytes, not blank. */
static const char *
form_check_name(const char *s, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	if (strlen(s) > FORM_NAME_MAX)
		return "longer than 128 bytes";
	return NULL;
}

/* E.164: "+" then 8 to 15 digits, the first not 0 (empty: none). */
static const char *
form_check_phone(const char *s, char *buf, size_t len)
{
	size_t n;

	(void)buf;
	(void)len;
	if (*s == '\0')
		return NULL;
	n = strlen(s + 1);
	if (s[0] != '+' || n < 8 || n > 15 || s[1] == '0' || strspn(s + 1, "0123456789") != n)
		return "not in E.164 form (+447700900123)";
	return NULL;
}

/* An email address: one "@", a local part, a domain with an inner dot. */
static const char *
form_check_email(const char *s, char *buf, size_t len)
{
	const char *at = strchr(s, '@'), *dot;
	size_t n = strlen(s);

	(void)buf;
	(void)len;
	if (n == 0)
		return NULL;
	if (n > LIMIT_EMAIL_LEN)
		return "longer than 254 bytes";
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return "has a space or a control character";
	if (at == NULL || strchr(at + 1, '@') != NULL)
		return "needs exactly one @ (name@example.org)";
	if (at == s)
		return "nothing before the @";
	dot = strchr(at + 1, '.');
	if (dot == NULL || dot == at + 1 || s[n - 1] == '.')
		return "the domain needs a dot inside it (example.org)";
	return NULL;
}

/* "kind:value" items separated by spaces or ";" (card:04A1B2 plate:AB12CDE). */
static const char *
form_check_credentials(const char *s, char *buf, size_t len)
{
	static const char *const kinds[] = { "phone", "app", "card", "plate" };
	char *copy = xstrdup(s), *tok, *save = NULL;
	const char *why = NULL;
	int n = 0;

	for (tok = strtok_r(copy, " ;", &save); tok != NULL && why == NULL;
	    tok = strtok_r(NULL, " ;", &save)) {
		char *colon = strchr(tok, ':');
		bool known = false;

		if (++n > LIMIT_RESIDENT_CREDENTIALS) {
			why = "too many credentials";
			break;
		}
		if (colon == NULL || colon[1] == '\0') {
			snprintf(buf, len, "\"%s\" is not KIND:VALUE (card:04A1B2)", tok);
			why = buf;
			break;
		}
		*colon = '\0';
		for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
			known = known || strcmp(kinds[i], tok) == 0;
		if (!known) {
			snprintf(buf, len, "no kind \"%s\" (phone, app, card, plate)", tok);
			why = buf;
		} else if (strlen(colon + 1) > FORM_VALUE_MAX)
			why = "a value is longer than 64 bytes";
		else if (strcmp(tok, "phone") == 0 && form_check_phone(colon + 1, buf, len) != NULL)
			why = "a phone credential is not in E.164 form";
	}
	free(copy);
	return why;
}

/* "HH:MM", 00:00 to 24:00. */
static const char *
form_check_hhmm(const char *s, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]) ||
	    (s[0] - '0') * 10 + s[1] - '0' > 24 || s[3] > '5' ||
	    (s[0] == '2' && s[1] == '4' && strcmp(s + 3, "00") != 0))
		return "not a time of day (HH:MM, 00:00 to 24:00)";
	return NULL;
}

/* The day s names (mon..sun), or -1. */
static int
form_day(const char *s, size_t n)
{
	static const char days[] = "montuewedthufrisatsun";

	for (int i = 0; i < 7; i++)
		if (n == 3 && strncmp(days + 3 * i, s, 3) == 0)
			return i;
	return -1;
}

/* "all" or days and ranges: mon-fri, sat,sun, mon-wed,sat. */
static const char *
form_check_days(const char *s, char *buf, size_t len)
{
	const char *p = s;

	if (strcmp(s, "all") == 0)
		return NULL;
	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		const char *dash = memchr(p, '-', n);

		if ((dash == NULL && form_day(p, n) < 0) || (dash != NULL &&
		    (form_day(p, (size_t)(dash - p)) < 0 ||
		    form_day(dash + 1, n - (size_t)(dash - p) - 1) < 0))) {
			snprintf(buf, len, "\"%.*s\" is not a day (mon-fri, sat,sun, all)", (int)n, p);
			return buf;
		}
		p += n;
		if (*p == ',' && *++p == '\0')
			return "ends with a comma";
	}
	return NULL;
}

/* A date (2026-12-31, midnight UTC) or an ISO 8601 time, in *ms; -1 when neither. */
static int
form_time(const char *s, int64_t *ms)
{
	char iso[VTIME_ISO_LEN];

	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		snprintf(iso, sizeof iso, "%sT00:00:00Z", s);
		return vtime_parse(iso, ms);
	}
	return vtime_parse(s, ms);
}

/* Empty, a date or an ISO 8601 time. */
static const char *
form_check_time(const char *s, char *buf, size_t len)
{
	int64_t ms;

	(void)buf;
	(void)len;
	if (*s == '\0' || form_time(s, &ms) == 0)
		return NULL;
	return "not a date (2026-12-31) or a time (2026-12-31T18:00:00Z)";
}

/* Check field x: its message is set beside it.  True when it is right. */
static bool
form_check(struct form_field *x)
{
	char *text = form_value(x), buf[160];
	const char *why = NULL;

	if (x->kind == FORM_TEXT && x->required && form_blank(text))
		why = "required";
	else if (x->kind == FORM_CHOICE && x->nchoices == 0)
		why = "nothing to choose from";
	else if (x->check != NULL)
		why = x->check(text, buf, sizeof buf);
	free(x->error);
	x->error = why != NULL ? xstrdup(why) : NULL;
	free(text);
	return why == NULL;
}

/* Move to field i, checking the field left. */
static void
form_move(struct form *f, int i)
{
	if (i < 0 || i >= f->n || i == f->cur)
		return;
	form_check(&f->f[f->cur]);
	f->cur = i;
}

/* Draw the form into rows [top, bottom). */
static void
form_draw(struct console *c, struct view *v, int top, int bottom)
{
	struct form *f = v->data;
	int y = top, vx = 2 + FORM_LABEL_COLS + 1, vw = FORM_VALUE_COLS;
	int ex, ew;

	for (int r = top; r < bottom; r++) {
		move(r, 0);
		clrtoeol();
	}
	if (vx + vw + FORM_ERROR_MIN > c->cols)
		vw = c->cols - vx - FORM_ERROR_MIN - 1;
	if (vw < 10)
		vw = 10;
	ex = vx + vw + 2;
	ew = c->cols - ex - 1;
	draw_role(c, ROLE_HEADER);
	draw_text(c, y++, 1, c->cols - 2, f->title);
	y++;
	for (int i = 0; i < f->n && y < bottom - 3; i++, y++) {
		struct form_field *x = &f->f[i];
		bool here = i == f->cur;

		draw_role(c, here ? ROLE_INPUT : ROLE_DIM);
		draw_textf(c, y, 1, FORM_LABEL_COLS + 1, "%c%s%s", here ? '>' : ' ',
		    x->label, x->required ? " *" : "");
		if (x->kind == FORM_CHOICE) {
			const char *s = x->nchoices == 0 ? "(loading...)" :
			    x->shown[x->choice] != NULL ? x->shown[x->choice] :
			    x->choices[x->choice];

			draw_role(c, here ? ROLE_SELECTED : ROLE_NORMAL);
			draw_text(c, y, vx, 2, "< ");
			draw_text(c, y, vx + 2, vw - 4, s);
			draw_text(c, y, vx + vw - 2, 2, " >");
		} else {
			draw_role(c, here ? ROLE_INPUT : ROLE_NORMAL);
			lineedit_draw(c, &x->ed, y, vx, vw, here);
		}
		if (x->error != NULL && ew > 0) {
			draw_role(c, ROLE_ERROR);
			draw_text(c, y, ex, ew, x->error);
		}
	}
	y++;
	draw_role(c, ROLE_DIM);
	if (y < bottom)
		draw_text(c, y++, 1, c->cols - 2, "Tab/Down next  S-Tab/Up previous  "
		    "Left/Right/Space choose  Enter on the last field or F2 save  Esc cancel");
	if (f->status != NULL && y < bottom) {
		draw_role(c, f->status_error ? ROLE_ERROR : ROLE_PENDING);
		draw_text(c, y, 1, c->cols - 2, f->status);
	}
}

/* The form's field for a field the server names ("unit.building", "credentials[2].value"). */
static struct form_field *
form_server_field(struct form *f, const char *name)
{
	char buf[64];
	size_t n;

	if (name == NULL)
		return NULL;
	n = strcspn(name, "[");
	snprintf(buf, sizeof buf, "%.*s", (int)n, name);
	if (strncmp(buf, "unit.", 5) == 0)
		return form_field(f, buf + 5);
	if (strcmp(buf, "unit") == 0)
		return form_field(f, "building");
	if (strcmp(buf, "point") == 0 || strcmp(buf, "group") == 0)
		return form_field(f, "at");
	if ((strcmp(buf, "kind") == 0 || strcmp(buf, "value") == 0) &&
	    form_field(f, "credentials") != NULL)
		return form_field(f, "credentials");
	return form_field(f, buf);
}

static void form_fill(struct form *f, json_t *r);

/* The server's answer to the save. */
static void
form_on_saved(void *arg, const struct rest_reply *r)
{
	struct form *f = arg;
	struct console *c = f->c;
	json_t *err = json_object_get(r->json, "error"), *cur;
	struct form_field *x;

	f->req = NULL;
	if (r->status == 200 || r->status == 201) {
		json_t *o = json_object_get(r->json, f->what == FORM_GRANT ? "right" : "resident");
		int64_t id = json_integer_value(json_object_get(o, "id"));
		view_form_saved_fn *saved = f->saved;
		void *sarg = f->arg;

		if (f->what == FORM_GRANT)
			tui_message(c, false, "right %" PRId64 " granted to resident %" PRId64,
			    id, f->id);
		else
			tui_message(c, false, "resident %" PRId64 " %s", id,
			    f->what == FORM_ADD ? "added" : "saved");
		/* The form closes first: saved may push a view. */
		if (c->nviews > 0 && c->views[c->nviews - 1]->data == f)
			tui_pop(c);
		if (saved != NULL)
			saved(c, sarg, id);
		return;
	}
	if (r->status == 422 && (x = form_server_field(f,
	    json_string_value(json_object_get(err, "field")))) != NULL) {
		free(x->error);
		x->error = xstrdup(r->error != NULL ? r->error : "refused");
		f->cur = (int)(x - f->f);
		form_status(f, true, "the server refused the %s: nothing was saved", x->label);
		return;
	}
	if (r->status == 409 && f->what == FORM_EDIT &&
	    json_is_object(cur = json_object_get(r->json, "resident"))) {
		const char *when = json_string_value(json_object_get(cur, "updated"));

		/* "2026-11-21T23:01:02.345Z": the time of day is enough here. */
		form_fill(f, cur);
		form_status(f, true, "nothing was saved: resident %" PRId64 " was changed "
		    "meanwhile (at %.8s UTC, now version %" JSON_INTEGER_FORMAT "); the "
		    "form shows it as it is now", f->id, when != NULL && strlen(when) > 19 ?
		    when + 11 : "?", json_integer_value(json_object_get(cur, "version")));
		return;
	}
	form_status(f, true, "refused: %s", r->error != NULL ? r->error : "no reason given");
}

/* A JSON string of field name's value, or null when it is empty. */
static json_t *
form_json(struct form *f, const char *name)
{
	struct form_field *x = form_field(f, name);
	char *s = x != NULL ? form_value(x) : xstrdup("");
	json_t *j = *s != '\0' ? json_string(s) : json_null();

	free(s);
	return j != NULL ? j : json_null();
}

/* The body of the resident to add or the change to save. */
static json_t *
form_resident_body(struct form *f)
{
	json_t *body = json_object(), *creds;
	char *text, *tok, *save = NULL;

	if (f->what == FORM_ADD)
		json_object_set_new(body, "site", form_json(f, "site"));
	else
		json_object_set_new(body, "version", json_integer(f->version));
	json_object_set_new(body, "name", form_json(f, "name"));
	json_object_set_new(body, "phone", form_json(f, "phone"));
	json_object_set_new(body, "email", form_json(f, "email"));
	json_object_set_new(body, "unit", json_pack("{s:o, s:o, s:o}",
	    "building", form_json(f, "building"), "entrance", form_json(f, "entrance"),
	    "apartment", form_json(f, "apartment")));
	json_object_set_new(body, "role", form_json(f, "role"));
	if (f->what != FORM_ADD)
		return body;
	creds = json_array();
	text = form_value(form_field(f, "credentials"));
	for (tok = strtok_r(text, " ;", &save); tok != NULL; tok = strtok_r(NULL, " ;", &save)) {
		char *colon = strchr(tok, ':');

		if (colon == NULL)
			continue;
		*colon = '\0';
		json_array_append_new(creds, json_pack("{s:s, s:s}", "kind", tok,
		    "value", colon + 1));
	}
	free(text);
	if (json_array_size(creds) > 0)
		json_object_set_new(body, "credentials", creds);
	else
		json_decref(creds);
	return body;
}

/* A validity time of the grant form as ISO 8601, or null. */
static json_t *
form_json_time(struct form *f, const char *name)
{
	char *s = form_value(form_field(f, name)), iso[VTIME_ISO_LEN];
	int64_t ms;
	json_t *j = json_null();

	if (*s != '\0' && form_time(s, &ms) == 0) {
		vtime_format(ms, iso, sizeof iso);
		j = json_string(iso);
	}
	free(s);
	return j;
}

/* The body of the right to grant. */
static json_t *
form_grant_body(struct form *f)
{
	char *at = form_value(form_field(f, "at"));
	json_t *body = json_object();

	if (strncmp(at, "group:", 6) == 0)
		json_object_set_new(body, "group", json_string(at + 6));
	else
		json_object_set_new(body, "point", json_string(at));
	free(at);
	json_object_set_new(body, "days", form_json(f, "days"));
	json_object_set_new(body, "from", form_json(f, "from"));
	json_object_set_new(body, "until", form_json(f, "until"));
	json_object_set_new(body, "valid_from", form_json_time(f, "valid_from"));
	json_object_set_new(body, "valid_until", form_json_time(f, "valid_until"));
	return body;
}

/* Check every field and send the form; nothing goes while a field is wrong. */
static void
form_save(struct form *f)
{
	int bad = -1;
	char path[96], *cause = NULL;
	const char *method = "POST";
	json_t *body;

	if (f->req != NULL) {
		form_status(f, false, "still saving...");
		return;
	}
	for (int i = 0; i < f->n; i++)
		if (!form_check(&f->f[i]) && bad < 0)
			bad = i;
	if (bad >= 0) {
		f->cur = bad;
		form_status(f, true, "%s: %s; nothing was sent", f->f[bad].label,
		    f->f[bad].error);
		return;
	}
	switch (f->what) {
	case FORM_ADD:
		snprintf(path, sizeof path, "/api/v1/residents");
		body = form_resident_body(f);
		break;
	case FORM_EDIT:
		snprintf(path, sizeof path, "/api/v1/residents/%" PRId64, f->id);
		method = "PATCH";
		body = form_resident_body(f);
		break;
	default:
		snprintf(path, sizeof path, "/api/v1/residents/%" PRId64 "/rights", f->id);
		body = form_grant_body(f);
		break;
	}
	if ((f->req = rest_request(f->c->rest, method, path, body, form_on_saved, f,
	    &cause)) == NULL) {
		form_status(f, true, "%s", cause);
		free(cause);
		return;
	}
	form_status(f, false, "saving...");
}

/* Field x changed: its message and an error under the fields are stale. */
static void
form_edited(struct form *f, struct form_field *x)
{
	free(x->error);
	x->error = NULL;
	if (f->status_error && f->req == NULL)
		form_status(f, false, NULL);
}

/* Keys of a form: it takes every key. */
static int
form_key(struct console *c, struct view *v, int key, enum key_action act)
{
	struct form *f = v->data;
	struct form_field *x = &f->f[f->cur];

	(void)c;
	(void)act;
	switch (key) {
	case 27:
		return VIEW_HANDLED | VIEW_CLOSE;
	case '\t':
	case KEY_DOWN:
		form_move(f, f->cur + 1 < f->n ? f->cur + 1 : 0);
		return VIEW_HANDLED;
	case KEY_BTAB:
	case KEY_UP:
		form_move(f, f->cur > 0 ? f->cur - 1 : f->n - 1);
		return VIEW_HANDLED;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (f->cur + 1 < f->n)
			form_move(f, f->cur + 1);
		else
			form_save(f);
		return VIEW_HANDLED;
	case KEY_F(2):
		form_save(f);
		return VIEW_HANDLED;
	default:
		break;
	}
	if (x->kind == FORM_CHOICE) {
		if (x->nchoices == 0)
			return VIEW_HANDLED;
		if (key == KEY_RIGHT || key == ' ')
			x->choice = (x->choice + 1) % x->nchoices;
		else if (key == KEY_LEFT)
			x->choice = (x->choice + x->nchoices - 1) % x->nchoices;
		else if (key > ' ' && key < 127) {
			/* The next choice starting with the letter typed. */
			for (int k = 1; k <= x->nchoices; k++) {
				int i = (x->choice + k) % x->nchoices;

				if (tolower((unsigned char)x->choices[i][0]) == tolower(key)) {
					x->choice = i;
					break;
				}
			}
		}
		form_edited(f, x);
		return VIEW_HANDLED;
	}
	if (lineedit_key(&x->ed, key) == LINEEDIT_CHANGED)
		form_edited(f, x);
	return VIEW_HANDLED;
}

/* Free a form (cancelling its requests). */
static void
form_free(struct view *v)
{
	struct form *f = v->data;

	if (f->req != NULL)
		rest_cancel(f->req);
	if (f->aux != NULL)
		rest_cancel(f->aux);
	for (int i = 0; i < f->n; i++) {
		for (int k = 0; k < f->f[i].nchoices; k++) {
			free(f->f[i].choices[k]);
			free(f->f[i].shown[k]);
		}
		free(f->f[i].choices);
		free(f->f[i].shown);
		free(f->f[i].error);
	}
	free(f->site);
	free(f->status);
	free(f);
	free(v);
}

static const struct view_ops form_ops = {
	.name = "form",
	.kind = 0,              /* every key is the form's */
	.opaque = true,
	.keybar = "Tab next   S-Tab previous   F2 save   Esc cancel",
	.draw = form_draw,
	.key = form_key,
	.free = form_free,
};

/* A new form of kind what. */
static struct form *
form_new(struct console *c, enum form_what what, view_form_saved_fn *saved, void *arg)
{
	struct form *f = xcalloc(1, sizeof *f);

	f->c = c;
	f->what = what;
	f->saved = saved;
	f->arg = arg;
	return f;
}

/* Set the text of field name (when the form has it). */
static void
form_set(struct form *f, const char *name, const char *text)
{
	struct form_field *x = form_field(f, name);

	if (x != NULL && x->kind == FORM_TEXT)
		lineedit_set(&x->ed, text);
	else if (x != NULL)
		form_choice_set(x, text);
}

/* Fill the resident form from resident r (its current version too). */
static void
form_fill(struct form *f, json_t *r)
{
	json_t *u = json_object_get(r, "unit");

	f->version = json_integer_value(json_object_get(r, "version"));
	form_set(f, "name", json_string_value(json_object_get(r, "name")));
	form_set(f, "phone", json_string_value(json_object_get(r, "phone")));
	form_set(f, "email", json_string_value(json_object_get(r, "email")));
	form_set(f, "building", json_string_value(json_object_get(u, "building")));
	form_set(f, "entrance", json_string_value(json_object_get(u, "entrance")));
	form_set(f, "apartment", json_string_value(json_object_get(u, "apartment")));
	form_set(f, "role", json_string_value(json_object_get(r, "role")));
	for (int i = 0; i < f->n; i++) {
		free(f->f[i].error);
		f->f[i].error = NULL;
	}
}

/*
 * The form to add a resident (resident NULL: to one of the user's sites)
 * or to edit resident (borrowed); saved(c, arg, id) once the server took it.
 */
struct view *
view_form_resident_new(struct console *c, json_t *resident, view_form_saved_fn *saved,
    void *arg)
{
	struct form *f = form_new(c, resident != NULL ? FORM_EDIT : FORM_ADD, saved, arg);
	struct form_field *x;
	const char *key;
	json_t *v;

	if (resident == NULL) {
		snprintf(f->title, sizeof f->title, "Add a resident");
		x = form_add(f, "site", "site", FORM_CHOICE, true, NULL);
		json_object_foreach(c->replica.sites, key, v)
			form_choice_add(x, key, json_string_value(json_object_get(v, "name")));
	} else {
		f->id = json_integer_value(json_object_get(resident, "id"));
		snprintf(f->title, sizeof f->title, "Edit resident %" PRId64 " (%s)", f->id,
		    json_string_value(json_object_get(resident, "site")) != NULL ?
		    json_string_value(json_object_get(resident, "site")) : "?");
	}
	form_add(f, "name", "name", FORM_TEXT, true, form_check_name);
	form_add(f, "phone", "phone", FORM_TEXT, false, form_check_phone);
	form_add(f, "email", "email", FORM_TEXT, false, form_check_email);
	form_add(f, "building", "building", FORM_TEXT, true, NULL);
	form_add(f, "entrance", "entrance", FORM_TEXT, true, NULL);
	form_add(f, "apartment", "apartment", FORM_TEXT, true, NULL);
	x = form_add(f, "role", "role", FORM_CHOICE, true, NULL);
	form_choice_add(x, "resident", NULL);
	form_choice_add(x, "administrator", NULL);
	form_choice_add(x, "management", "management company");
	if (resident == NULL)
		form_add(f, "credentials", "credentials", FORM_TEXT, false,
		    form_check_credentials);
	else
		form_fill(f, resident);
	return view_new(&form_ops, f);
}

/* The site's access points and groups arrived: they are the choices of "at". */
static void
form_on_points(void *arg, const struct rest_reply *r)
{
	struct form *f = arg;
	struct form_field *x = form_field(f, "at");
	json_t *o;
	size_t i;
	char shown[256];

	f->aux = NULL;
	if (r->status != 200) {
		form_status(f, true, "cannot load the access points of %s: %s", f->site,
		    r->error != NULL ? r->error : "bad reply");
		return;
	}
	json_array_foreach(json_object_get(r->json, "points"), i, o) {
		const char *k = json_string_value(json_object_get(o, "key"));
		const char *l = json_string_value(json_object_get(o, "label"));

		if (k == NULL)
			continue;
		snprintf(shown, sizeof shown, "%s  %s", k, l != NULL ? l : "");
		form_choice_add(x, k, shown);
	}
	json_array_foreach(json_object_get(r->json, "groups"), i, o) {
		const char *k = json_string_value(json_object_get(o, "key"));
		const char *n = json_string_value(json_object_get(o, "name"));
		char value[LIMIT_KEY_LEN + 8];

		if (k == NULL)
			continue;
		snprintf(value, sizeof value, "group:%s", k);
		snprintf(shown, sizeof shown, "group:%s  %s", k, n != NULL ? n : "");
		form_choice_add(x, value, shown);
	}
	if (x->nchoices == 0)
		form_status(f, true, "%s has no access points", f->site);
	free(x->error);
	x->error = NULL;
	tui_dirty(f->c);
}

/*
 * The form to grant resident id of site a right: the point or group (from
 * the site's access points), days, hours and validity; saved(c, arg, id)
 * with the right's id once granted.
 */
struct view *
view_form_grant_new(struct console *c, int64_t id, const char *site, const char *name,
    view_form_saved_fn *saved, void *arg)
{
	struct form *f = form_new(c, FORM_GRANT, saved, arg);
	char path[LIMIT_KEY_LEN + 64], *cause = NULL;

	f->id = id;
	f->site = xstrdup(site);
	snprintf(f->title, sizeof f->title, "Grant resident %" PRId64 " (%s) a right at %s",
	    id, name != NULL ? name : "?", site);
	form_add(f, "at", "point or group", FORM_CHOICE, true, NULL);
	lineedit_set(&form_add(f, "days", "days", FORM_TEXT, true, form_check_days)->ed, "all");
	lineedit_set(&form_add(f, "from", "from", FORM_TEXT, true, form_check_hhmm)->ed, "00:00");
	lineedit_set(&form_add(f, "until", "until", FORM_TEXT, true, form_check_hhmm)->ed, "24:00");
	form_add(f, "valid_from", "valid from", FORM_TEXT, false, form_check_time);
	form_add(f, "valid_until", "valid until", FORM_TEXT, false, form_check_time);
	snprintf(path, sizeof path, "/api/v1/sites/%s/access-points", site);
	if ((f->aux = rest_request(c->rest, "GET", path, NULL, form_on_points, f,
	    &cause)) == NULL) {
		form_status(f, true, "%s", cause);
		free(cause);
	}
	return view_new(&form_ops, f);
}
