#include "compat.h"

#include "draw.h"
#include "rest.h"
#include "tui.h"
#include "view.h"
#include "view_residents.h"

/*
 * A resident's page: the resident's fields, credentials, rights and recent
 * access as GET /api/v1/residents/ID gives them.  Up and down choose a
 * right; "s" suspends it, "x" revokes it (each asks for a reason, then for
 * a confirmation), "u" resumes it, "g" grants a new right (a form: the
 * point or group, days, hours, validity).  "e" edits the resident (a form),
 * "D" removes it (after a typed "yes"), "h" opens its access history.
 * The page is fetched again after each change the server accepted.
 */
#define RES_LINE_MAX 256

/* A change waiting for its reason and confirmation. */
struct resident_change {
	const char *verb;            /* "suspend", "revoke", "resume" */
	const char *done;            /* "suspended", "revoked", "resumed" */
	int64_t right;
	char *reason;
};

struct resident {
	struct console *c;
	int64_t id;
	struct rest_req *req;        /* the page request in flight */
	struct rest_req *act;        /* the change in flight */
	char act_what[48];           /* what it changes: "right 12", "resident 7" */
	const char *act_done;        /* what it does: "revoked", "removed" */
	json_t *doc;                 /* the server's reply */
	char *error;
	int sel;                     /* the chosen right */
	int scroll, page;
	struct resident_change change;
};

/* The text of field key of o, or "-". */
static const char *
resident_s(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

/* The server's answer to the page request. */
static void
resident_on_reply(void *arg, const struct rest_reply *r)
{
	struct resident *p = arg;

	p->req = NULL;
	free(p->error);
	p->error = NULL;
	if (r->status != 200 ||
	    !json_is_object(json_object_get(r->json, "resident")))
		p->error = xasprintf("cannot load resident %" PRId64 ": %s",
		    p->id, r->error != NULL ? r->error : "bad reply");
	else {
		json_decref(p->doc);
		p->doc = json_incref(r->json);
		if (p->sel >= (int)json_array_size(json_object_get(p->doc,
		    "rights")))
			p->sel = 0;
	}
	tui_dirty(p->c);
}

/* Ask the server for the page. */
static void
resident_fetch(struct resident *p)
{
	char path[64], *cause = NULL;

	if (p->req != NULL)
		rest_cancel(p->req);
	snprintf(path, sizeof path, "/api/v1/residents/%" PRId64, p->id);
	p->req = rest_request(p->c->rest, "GET", path, NULL, resident_on_reply,
	    p, &cause);
	if (p->req == NULL) {
		free(p->error);
		p->error = cause;
	}
}

/* One line of the page at row y: a label in dim and an untrusted value. */
static void
resident_field(struct console *c, int y, const char *label, const char *value)
{
	draw_role(c, ROLE_DIM);
	draw_text(c, y, 1, 10, label);
	draw_role(c, ROLE_NORMAL);
	draw_text(c, y, 12, c->cols - 13, value);
}

/* Draw the page into rows [top, bottom). */
static void
resident_draw(struct console *c, struct view *v, int top, int bottom)
{
	struct resident *p = v->data;
	json_t *r, *x, *u;
	char buf[RES_LINE_MAX];
	size_t i;
	int y;

	for (y = top; y < bottom; y++) {
		move(y, 0);
		clrtoeol();
	}
	if (p->error != NULL) {
		draw_role(c, ROLE_ERROR);
		draw_text(c, top, 1, c->cols - 2, p->error);
	}
	if (p->doc == NULL) {
		draw_role(c, ROLE_DIM);
		draw_textf(c, top + 1, 1, c->cols - 2, "loading resident %"
		    PRId64 "...", p->id);
		return;
	}
	r = json_object_get(p->doc, "resident");
	u = json_object_get(r, "unit");
	y = top + (p->error != NULL);
	draw_role(c, ROLE_HEADER);
	draw_textf(c, y++, 1, c->cols - 2, "Resident %" PRId64 "   e edit  g grant  "
	    "s suspend  u resume  x revoke  h history  D remove  R reload  q back", p->id);
	resident_field(c, y++, "name", resident_s(r, "name"));
	snprintf(buf, sizeof buf, "%s %s/%s", resident_s(u, "building"),
	    resident_s(u, "entrance"), resident_s(u, "apartment"));
	resident_field(c, y++, "unit", buf);
	resident_field(c, y++, "site", resident_s(r, "site"));
	resident_field(c, y++, "role", resident_s(r, "role"));
	resident_field(c, y++, "phone", resident_s(r, "phone"));
	resident_field(c, y++, "email", resident_s(r, "email"));
	if (json_is_string(json_object_get(r, "removed")))
		resident_field(c, y++, "removed", resident_s(r, "removed"));
	draw_role(c, ROLE_HEADER);
	draw_text(c, y++, 1, c->cols - 2, "Credentials");
	json_array_foreach(json_object_get(r, "credentials"), i, x) {
		if (y >= bottom)
			return;
		snprintf(buf, sizeof buf, "%s %s", resident_s(x, "kind"),
		    resident_s(x, "value"));
		draw_role(c, ROLE_NORMAL);
		draw_text(c, y++, 3, c->cols - 4, buf);
	}
	if (y >= bottom)
		return;
	draw_role(c, ROLE_HEADER);
	draw_text(c, y++, 1, c->cols - 2, "Rights");
	json_array_foreach(json_object_get(p->doc, "rights"), i, x) {
		const char *state = resident_s(x, "state");

		if (y >= bottom)
			return;
		snprintf(buf, sizeof buf, "%-6" JSON_INTEGER_FORMAT " %s%s  %s "
		    "%s-%s  %s  until %s  %s", json_integer_value(
		    json_object_get(x, "id")), json_is_string(json_object_get(x,
		    "group")) ? "group " : "", json_is_string(json_object_get(x,
		    "point")) ? resident_s(x, "point") : resident_s(x, "group"),
		    resident_s(x, "days"), resident_s(x, "from"),
		    resident_s(x, "until"), state, resident_s(x, "valid_until"),
		    json_is_string(json_object_get(x, "reason")) ?
		    resident_s(x, "reason") : "");
		draw_role(c, (int)i == p->sel ? ROLE_SELECTED :
		    strcmp(state, "active") == 0 ? ROLE_NORMAL : ROLE_DIM);
		draw_text(c, y++, 3, c->cols - 4, buf);
	}
	if (y >= bottom)
		return;
	draw_role(c, ROLE_HEADER);
	draw_text(c, y++, 1, c->cols - 2, "Recent access");
	json_array_foreach(json_object_get(p->doc, "recent"), i, x) {
		if (y >= bottom)
			return;
		snprintf(buf, sizeof buf, "%s  %-8s %s  %s", resident_s(x, "ts"),
		    resident_s(x, "result"), resident_s(x, "point"),
		    resident_s(x, "credential"));
		draw_role(c, strcmp(resident_s(x, "result"), "denied") == 0 ?
		    ROLE_ALARM_WARNING : ROLE_NORMAL);
		draw_text(c, y++, 3, c->cols - 4, buf);
	}
}

/* A change's answer from the server. */
static void
resident_changed_reply(void *arg, const struct rest_reply *r)
{
	struct resident *p = arg;

	p->act = NULL;
	if (r->status == 200 || r->status == 201) {
		tui_message(p->c, false, "%s %s", p->act_what, p->act_done);
		resident_fetch(p);
	} else
		tui_message(p->c, true, "%s not %s: %s", p->act_what, p->act_done,
		    r->error != NULL ? r->error : "no reason given");
	tui_dirty(p->c);
}

/* Send a change (body stolen) to path with method: what it changes, what it does. */
static void
resident_send(struct resident *p, const char *method, const char *path, json_t *body,
    const char *what, const char *done)
{
	char *cause = NULL;

	if (p->act != NULL) {
		tui_message(p->c, true, "%s not %s: the change to %s is still pending",
		    what, done, p->act_what);
		json_decref(body);
		return;
	}
	snprintf(p->act_what, sizeof p->act_what, "%s", what);
	p->act_done = done;
	if ((p->act = rest_request(p->c->rest, method, path, body,
	    resident_changed_reply, p, &cause)) == NULL) {
		tui_message(p->c, true, "%s not %s: %s", what, done, cause);
		free(cause);
	}
}

/* The confirmation's answer: "yes" sends the change. */
static void
resident_confirm_done(struct console *c, void *arg, const char *text)
{
	struct resident *p = arg;
	char path[96], what[48];
	json_t *body;

	if (text != NULL && strcmp(text, "yes") == 0) {
		snprintf(path, sizeof path, "/api/v1/rights/%" PRId64 "/%s",
		    p->change.right, p->change.verb);
		body = p->change.reason != NULL ? json_pack("{s:s}", "reason",
		    p->change.reason) : json_object();
		snprintf(what, sizeof what, "right %" PRId64, p->change.right);
		if (body == NULL)
			tui_message(c, true, "the reason must be UTF-8 text");
		else
			resident_send(p, "POST", path, body, what, p->change.done);
	} else
		tui_message(c, false, "nothing changed");
	free(p->change.reason);
	p->change.reason = NULL;
}

/* Ask for the confirmation of the change held. */
static void
resident_confirm(struct resident *p)
{
	char label[96];

	snprintf(label, sizeof label, "%s right %" PRId64 "? type yes: ",
	    p->change.verb, p->change.right);
	tui_push(p->c, view_prompt_new(p->c, label, resident_confirm_done, p));
}

/* The reason's answer: a blank one cancels. */
static void
resident_reason_done(struct console *c, void *arg, const char *text)
{
	struct resident *p = arg;

	if (text == NULL || strspn(text, " ") == strlen(text)) {
		tui_message(c, true, "a reason is needed: nothing changed");
		return;
	}
	free(p->change.reason);
	p->change.reason = xstrdup(text);
	resident_confirm(p);
}

/* A form was saved (an edit or a grant): the page again. */
static void
resident_saved(struct console *c, void *arg, int64_t id)
{
	struct resident *p = arg;

	(void)c;
	(void)id;
	resident_fetch(p);
}

/* The removal's confirmation: "yes" removes the resident. */
static void
resident_remove_done(struct console *c, void *arg, const char *text)
{
	struct resident *p = arg;
	json_t *r = json_object_get(p->doc, "resident");
	char path[64], what[48];

	if (text == NULL || strcmp(text, "yes") != 0) {
		tui_message(c, false, "nothing changed");
		return;
	}
	snprintf(path, sizeof path, "/api/v1/residents/%" PRId64, p->id);
	snprintf(what, sizeof what, "resident %" PRId64, p->id);
	resident_send(p, "DELETE", path, json_pack("{s:I}", "version",
	    (json_int_t)json_integer_value(json_object_get(r, "version"))), what, "removed");
}

/* The keys that need the page loaded and a resident not removed: e, g, D. */
static void
resident_change_key(struct console *c, struct resident *p, int key)
{
	json_t *r = json_object_get(p->doc, "resident");
	const char *name = json_string_value(json_object_get(r, "name"));
	char label[160];

	if (!json_is_object(r)) {
		tui_message(c, true, "resident %" PRId64 " is not loaded yet", p->id);
		return;
	}
	if (json_is_string(json_object_get(r, "removed"))) {
		tui_message(c, true, "resident %" PRId64 " has been removed", p->id);
		return;
	}
	if (!view_residents_allowed(c, true))
		return;
	if (key == 'e')
		tui_push(c, view_form_resident_new(c, r, resident_saved, p));
	else if (key == 'g')
		tui_push(c, view_form_grant_new(c, p->id, resident_s(r, "site"), name,
		    resident_saved, p));
	else {
		/* The name is the resident's own text: cut, and sanitized when drawn. */
		snprintf(label, sizeof label, "remove resident %" PRId64 " (%.20s)? type yes: ",
		    p->id, name != NULL ? name : "?");
		tui_push(c, view_prompt_new(c, label, resident_remove_done, p));
	}
}

/* The id and state of the chosen right, or -1. */
static int64_t
resident_right(struct resident *p, const char **state)
{
	json_t *r = json_array_get(json_object_get(p->doc, "rights"),
	    (size_t)p->sel);

	*state = resident_s(r, "state");
	return json_is_integer(json_object_get(r, "id")) ?
	    json_integer_value(json_object_get(r, "id")) : -1;
}

/* Keys of the page. */
static int
resident_key(struct console *c, struct view *v, int key, enum key_action act)
{
	struct resident *p = v->data;
	int n = (int)json_array_size(json_object_get(p->doc, "rights"));
	const char *state;
	char label[96], title[96];
	struct view *hv;
	int64_t right;

	switch (key) {
	case 'R':
		resident_fetch(p);
		return VIEW_HANDLED;
	case 'e':
	case 'g':
	case 'D':
		resident_change_key(c, p, key);
		return VIEW_HANDLED;
	case 'h':
		snprintf(label, sizeof label, "resident=%" PRId64, p->id);
		snprintf(title, sizeof title, "resident %" PRId64 " %.60s", p->id,
		    resident_s(json_object_get(p->doc, "resident"), "name"));
		if ((hv = view_access_new(c, label, title)) != NULL)
			tui_push(c, hv);
		return VIEW_HANDLED;
	case 's':
	case 'x':
	case 'u':
		if (!view_residents_allowed(c, true))
			return VIEW_HANDLED;
		if ((right = resident_right(p, &state)) < 0) {
			tui_message(c, true, "no right chosen");
			return VIEW_HANDLED;
		}
		p->change.right = right;
		p->change.verb = key == 's' ? "suspend" : key == 'x' ?
		    "revoke" : "resume";
		p->change.done = key == 's' ? "suspended" : key == 'x' ?
		    "revoked" : "resumed";
		if (key == 'u') {
			resident_confirm(p);
			return VIEW_HANDLED;
		}
		snprintf(label, sizeof label, "%s right %" PRId64 " (%s): "
		    "reason: ", p->change.verb, right, state);
		tui_push(c, view_prompt_new(c, label, resident_reason_done, p));
		return VIEW_HANDLED;
	}
	switch (act) {
	case KA_UP: if (p->sel > 0) p->sel--; return VIEW_HANDLED;
	case KA_DOWN: if (p->sel < n - 1) p->sel++; return VIEW_HANDLED;
	case KA_BACK: return VIEW_HANDLED | VIEW_CLOSE;
	default:
		return VIEW_IGNORED;
	}
}

/* Free the page (cancelling a request in flight). */
static void
resident_free(struct view *v)
{
	struct resident *p = v->data;

	if (p->req != NULL)
		rest_cancel(p->req);
	if (p->act != NULL)
		rest_cancel(p->act);
	json_decref(p->doc);
	free(p->error);
	free(p->change.reason);
	free(p);
	free(v);
}

static const struct view_ops resident_ops = {
	.name = "resident",
	.kind = VIEW_LIST,
	.opaque = true,
	.draw = resident_draw,
	.key = resident_key,
	.free = resident_free,
};

/* Resident id's page. */
struct view *
view_resident_new(struct console *c, int64_t id)
{
	struct resident *p = xcalloc(1, sizeof *p);

	p->c = c;
	p->id = id;
	resident_fetch(p);
	return view_new(&resident_ops, p);
}
