#include "compat.h"

#include "draw.h"
#include "rest.h"
#include "tui.h"
#include "view.h"
#include "view_residents.h"

/*
 * The residents list: the residents of the user's sites as the server has
 * them, a search ("/": name, unit, plate or card, as GET /api/v1/residents
 * ?q= matches), Enter opens a resident's page.  The list is fetched when the
 * view opens, after a search, after a resident is added ("a", a form) and
 * with "R" (the stream does not carry residents into the replica).
 */
#define RESLIST_LIMIT 500          /* residents fetched at once */

struct reslist {
	struct console *c;
	struct rest_req *req;
	json_t *rows;                /* the residents array, or NULL */
	char *query;                 /* the search, or NULL */
	char *site;                  /* only this site's, or NULL */
	char *error;
	int sel, top, page;
};

/*
 * True when the user's role may see residents (write: and change them);
 * otherwise false, having said why on the message line.  The server
 * decides all the same: this only spares a refused request.
 */
bool
view_residents_allowed(struct console *c, bool write)
{
	const char *role = c->role != NULL ? c->role : "";

	if (strcmp(role, "admin") == 0 || strcmp(role, "supervisor") == 0 ||
	    strcmp(role, "manager") == 0)
		return true;
	if (strcmp(role, "dispatcher") == 0 && !write)
		return true;
	tui_message(c, true, "residents: %s", strcmp(role, "dispatcher") == 0 ?
	    "dispatchers see residents but may not change them" :
	    "not for your role (managers, supervisors, administrators and dispatchers)");
	return false;
}

/* The server's answer to the list request. */
static void
reslist_on_reply(void *arg, const struct rest_reply *r)
{
	struct reslist *l = arg;
	json_t *rows = json_object_get(r->json, "residents");

	l->req = NULL;
	free(l->error);
	l->error = NULL;
	if (r->status != 200 || !json_is_array(rows)) {
		l->error = xasprintf("cannot load the residents: %s",
		    r->error != NULL ? r->error : "bad reply");
	} else {
		json_decref(l->rows);
		l->rows = json_incref(rows);
		if (l->sel >= (int)json_array_size(rows))
			l->sel = 0;
	}
	tui_dirty(l->c);
}

/* Ask the server for the list (cancelling a request in flight). */
static void
reslist_fetch(struct reslist *l)
{
	char *path, *cause = NULL;

	if (l->req != NULL)
		rest_cancel(l->req);
	path = xasprintf("/api/v1/residents?limit=%d", RESLIST_LIMIT);
	if (l->query != NULL)
		rest_query_add(&path, "q", l->query);
	if (l->site != NULL)
		rest_query_add(&path, "site", l->site);
	l->req = rest_request(l->c->rest, "GET", path, NULL, reslist_on_reply,
	    l, &cause);
	free(path);
	if (l->req == NULL) {
		free(l->error);
		l->error = cause;
	}
}

/* The text of field key of o, or "-". */
static const char *
reslist_s(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

/* "Tower A 1/12" */
static void
reslist_unit(json_t *r, char *buf, size_t len)
{
	json_t *u = json_object_get(r, "unit");

	snprintf(buf, len, "%s %s/%s", reslist_s(u, "building"),
	    reslist_s(u, "entrance"), reslist_s(u, "apartment"));
}

/* "card:04A1B2 plate:AB12CDE", values left out when hidden. */
static void
reslist_creds(json_t *r, char *buf, size_t len)
{
	json_t *cr;
	size_t i, used = 0;
	int n;

	buf[0] = '\0';
	json_array_foreach(json_object_get(r, "credentials"), i, cr) {
		const char *v = json_string_value(json_object_get(cr, "value"));

		n = snprintf(buf + used, len - used, "%s%s%s%s", used > 0 ? " " :
		    "", reslist_s(cr, "kind"), v != NULL ? ":" : "",
		    v != NULL ? v : "");
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* Draw the list into rows [top, bottom). */
static void
reslist_draw(struct console *c, struct view *v, int top, int bottom)
{
	struct reslist *l = v->data;
	int n = l->rows != NULL ? (int)json_array_size(l->rows) : 0, y, w;
	char unit[LIMIT_NAME_LEN * 2], creds[256];

	for (y = top; y < bottom; y++) {
		move(y, 0);
		clrtoeol();
	}
	w = c->cols - 2;
	draw_role(c, ROLE_HEADER);
	draw_textf(c, top, 1, w, "Residents%s%s%s%s%s  (%d)   / search  Enter open  "
	    "a add  R reload  q back", l->site != NULL ? " of " : "",
	    l->site != NULL ? l->site : "", l->query != NULL ? " matching \"" : "",
	    l->query != NULL ? l->query : "", l->query != NULL ? "\"" : "", n);
	if (l->error != NULL) {
		draw_role(c, ROLE_ERROR);
		draw_text(c, top + 1, 1, w, l->error);
	}
	if (l->rows == NULL) {
		draw_role(c, ROLE_DIM);
		draw_text(c, top + 2, 1, w, "loading the residents...");
		return;
	}
	draw_role(c, ROLE_DIM);
	draw_textf(c, top + 2, 1, w, "%-6s %-28s %-20s %-16s %-12s %s", "ID",
	    "NAME", "UNIT", "SITE", "ROLE", "CREDENTIALS");
	if (n == 0) {
		draw_text(c, top + 3, 1, w, l->query != NULL ?
		    "no resident matches" : "no residents");
		return;
	}
	l->page = bottom - top - 3;
	if (l->page < 1)
		l->page = 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + l->page)
		l->top = l->sel - l->page + 1;
	for (int i = l->top; i < n && top + 3 + i - l->top < bottom; i++) {
		json_t *r = json_array_get(l->rows, (size_t)i);
		int x = 1;

		y = top + 3 + i - l->top;
		reslist_unit(r, unit, sizeof unit);
		reslist_creds(r, creds, sizeof creds);
		draw_role(c, i == l->sel ? ROLE_SELECTED : ROLE_NORMAL);
		x += draw_textf(c, y, x, 7, "%-6" JSON_INTEGER_FORMAT " ",
		    json_integer_value(json_object_get(r, "id")));
		/* Untrusted fields each pass draw_text on their own. */
		x += draw_text(c, y, x, 29, reslist_s(r, "name"));
		x += draw_text(c, y, x, 21, unit);
		x += draw_text(c, y, x, 17, reslist_s(r, "site"));
		x += draw_text(c, y, x, 13, reslist_s(r, "role"));
		if (x < c->cols - 1)
			draw_text(c, y, x, c->cols - 1 - x, creds);
	}
}

/* The search prompt's answer. */
static void
reslist_search_done(struct console *c, void *arg, const char *text)
{
	struct reslist *l = arg;

	if (text == NULL)
		return;
	free(l->query);
	l->query = text[0] != '\0' ? xstrdup(text) : NULL;
	l->sel = l->top = 0;
	reslist_fetch(l);
	tui_dirty(c);
}

/* A resident was added: the list again, and the new resident's page. */
static void
reslist_added(struct console *c, void *arg, int64_t id)
{
	struct reslist *l = arg;

	reslist_fetch(l);
	tui_push(c, view_resident_new(c, id));
}

/* Keys of the list. */
static int
reslist_key(struct console *c, struct view *v, int key, enum key_action act)
{
	struct reslist *l = v->data;
	int n = l->rows != NULL ? (int)json_array_size(l->rows) : 0;
	json_t *id;

	if (key == '/') {
		tui_push(c, view_prompt_new(c, "search residents (name, unit, "
		    "plate, card): ", reslist_search_done, l));
		return VIEW_HANDLED;
	}
	if (key == 'R') {
		reslist_fetch(l);
		return VIEW_HANDLED;
	}
	if (key == 'a') {
		if (json_object_size(c->replica.sites) == 0)
			tui_message(c, true, "residents: you have no site to add to");
		else if (view_residents_allowed(c, true))
			tui_push(c, view_form_resident_new(c, NULL, reslist_added, l));
		return VIEW_HANDLED;
	}
	switch (act) {
	case KA_UP: if (l->sel > 0) l->sel--; return VIEW_HANDLED;
	case KA_DOWN: if (l->sel < n - 1) l->sel++; return VIEW_HANDLED;
	case KA_PGUP: l->sel -= l->page; if (l->sel < 0) l->sel = 0; return VIEW_HANDLED;
	case KA_PGDN: l->sel += l->page; if (l->sel > n - 1) l->sel = n > 0 ? n - 1 : 0; return VIEW_HANDLED;
	case KA_HOME: l->sel = 0; return VIEW_HANDLED;
	case KA_END: l->sel = n > 0 ? n - 1 : 0; return VIEW_HANDLED;
	case KA_BACK: return VIEW_HANDLED | VIEW_CLOSE;
	case KA_OPEN:
		id = json_object_get(json_array_get(l->rows, (size_t)l->sel), "id");
		if (json_is_integer(id))
			tui_push(c, view_resident_new(c, json_integer_value(id)));
		return VIEW_HANDLED;
	default:
		return VIEW_IGNORED;
	}
}

/* Free the list (cancelling a request in flight). */
static void
reslist_free(struct view *v)
{
	struct reslist *l = v->data;

	if (l->req != NULL)
		rest_cancel(l->req);
	json_decref(l->rows);
	free(l->query);
	free(l->site);
	free(l->error);
	free(l);
	free(v);
}

static const struct view_ops reslist_ops = {
	.name = "residents",
	.kind = VIEW_LIST,
	.opaque = true,
	.draw = reslist_draw,
	.key = reslist_key,
	.free = reslist_free,
};

/* The residents of the user's sites (or of site), with a search. */
struct view *
view_residents_new(struct console *c, const char *site)
{
	struct reslist *l = xcalloc(1, sizeof *l);

	l->c = c;
	l->site = site != NULL ? xstrdup(site) : NULL;
	reslist_fetch(l);
	return view_new(&reslist_ops, l);
}
