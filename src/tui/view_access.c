#include "compat.h"

#include "draw.h"
#include "rest.h"
#include "timerange.h"
#include "tui.h"
#include "view.h"
#include "view_residents.h"
#include "vtime.h"

/*
 * The access history: granted and denied attempts at the access points as
 * GET /api/v1/access gives them, newest first, filtered by resident, point,
 * site, result and time.  Going down past the last row loads the next page
 * ("after"); when the stream tells of a new attempt ("access" messages,
 * counted in c->access_gen) the first page is asked for again, so that new
 * attempts appear at the top.  Enter opens the resident of the attempt.
 *
 * The dashboard's signal: the latest denied attempt and how many there were
 * in the last ACCESS_SIGNALS_WINDOW_S seconds: asked for once (and again
 * after each snapshot), then kept from the stream's "access" messages.
 */
#define ACCESS_PAGE             200     /* attempts fetched at once */
#define ACCESS_SIGNALS_WINDOW_S 600     /* the dashboard's denials, counted over this long */
#define ACCESS_SIGNALS_LIMIT    100     /* ... at most ("100+") */
#define ACCESS_FILTER_MAX       512

struct accessv {
	struct console *c;
	char filter[ACCESS_FILTER_MAX];  /* as typed */
	char *title;
	char *query;                 /* "&resident=7&point=..." for the API */
	bool live;                   /* no "until": new attempts are followed */
	json_t *rows;                /* events, newest first, or NULL */
	int64_t next;                /* after= for the next page, or 0 */
	struct rest_req *req;        /* the first page */
	struct rest_req *more;       /* the next page */
	bool reset;                  /* the first page replaces the rows */
	bool again;                  /* ask for the first page again once it came */
	uint64_t gen;                /* c->access_gen the rows follow */
	char *error;
	int sel, top, page;
};

/*
 * Turn the filter words into the API's query in *query (caller frees):
 * 0, or -1 with a message on the message line.
 */
static int
access_parse(struct console *c, const char *filter, char **query, bool *live)
{
	char *copy = xstrdup(filter), *w, *save = NULL, *q = xstrdup("/x"), iso[VTIME_ISO_LEN];
	int64_t now = vtime_now_ms(), t;
	int rc = 0;

	*live = true;
	for (w = strtok_r(copy, " \t", &save); w != NULL && rc == 0;
	    w = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(w, '=');
		const char *name = w, *value;

		if (eq == NULL || eq[1] == '\0') {
			tui_message(c, true, "access: \"%s\" is not NAME=VALUE (point=ta-gate, "
			    "result=denied, since=-2h)", w);
			rc = -1;
			break;
		}
		*eq = '\0';
		value = eq + 1;
		if (strcmp(name, "since") == 0 || strcmp(name, "until") == 0) {
			char *why = NULL;

			if (timerange_parse(value, now, &t, &why) != 0) {
				tui_message(c, true, "access: %s: %s", name, why);
				free(why);
				rc = -1;
				break;
			}
			vtime_format(t, iso, sizeof iso);
			rest_query_add(&q, name, iso);
			if (strcmp(name, "until") == 0)
				*live = false;
		} else if (strcmp(name, "result") == 0) {
			if (strcmp(value, "granted") != 0 && strcmp(value, "denied") != 0) {
				tui_message(c, true, "access: result is granted or denied, not \"%s\"",
				    value);
				rc = -1;
				break;
			}
			rest_query_add(&q, name, value);
		} else if (strcmp(name, "resident") == 0 || strcmp(name, "point") == 0 ||
		    strcmp(name, "site") == 0) {
			rest_query_add(&q, name, value);
		} else {
			tui_message(c, true, "access: no filter \"%s\" (resident, point, site, "
			    "result, since, until)", name);
			rc = -1;
		}
	}
	free(copy);
	if (rc != 0) {
		free(q);
		return -1;
	}
	/* "/x?a=b&c=d" -> "&a=b&c=d" */
	*query = xasprintf("%s%s", q[2] != '\0' ? "&" : "", q[2] != '\0' ? q + 3 : "");
	free(q);
	return 0;
}

/* The id of event o, or 0. */
static int64_t
access_id(json_t *o)
{
	return json_integer_value(json_object_get(o, "id"));
}

static void access_fetch(struct accessv *a);

/* The first page arrived: the rows, or the new attempts put on top of them. */
static void
access_on_first(void *arg, const struct rest_reply *r)
{
	struct accessv *a = arg;
	json_t *ev = json_object_get(r->json, "events");
	size_t i, fresh = 0;
	int64_t newest;
	json_t *o;

	a->req = NULL;
	if (a->again) {
		/* Another attempt came while this page was on its way. */
		a->again = false;
		access_fetch(a);
	}
	if (r->status != 200 || !json_is_array(ev)) {
		free(a->error);
		a->error = xasprintf("cannot load the access history: %s",
		    r->error != NULL ? r->error : "bad reply");
		tui_dirty(a->c);
		return;
	}
	free(a->error);
	a->error = NULL;
	newest = a->rows != NULL && json_array_size(a->rows) > 0 ?
	    access_id(json_array_get(a->rows, 0)) : -1;
	json_array_foreach(ev, i, o)
		if (access_id(o) > newest)
			fresh++;
	if (a->reset || a->rows == NULL || newest < 0 || fresh == json_array_size(ev)) {
		/* The first load, or more new attempts than a page: start again. */
		json_decref(a->rows);
		a->rows = json_incref(ev);
		a->next = json_integer_value(json_object_get(r->json, "next"));
		a->reset = false;
		if (a->sel >= (int)json_array_size(ev))
			a->sel = 0;
	} else if (fresh > 0) {
		for (i = fresh; i-- > 0;)
			json_array_insert(a->rows, 0, json_array_get(ev, i));
		/* The cursor stays on the row it was on, unless it was at the top. */
		if (a->sel > 0)
			a->sel += (int)fresh;
	}
	tui_dirty(a->c);
}

/* Ask for the first page (again once it came, when it is on its way). */
static void
access_fetch(struct accessv *a)
{
	char *path, *cause = NULL;

	if (a->req != NULL) {
		a->again = true;
		return;
	}
	path = xasprintf("/api/v1/access?limit=%d%s", ACCESS_PAGE, a->query);
	a->req = rest_request(a->c->rest, "GET", path, NULL, access_on_first, a, &cause);
	free(path);
	if (a->req == NULL) {
		free(a->error);
		a->error = cause;
	}
}

/* The next page arrived: appended. */
static void
access_on_more(void *arg, const struct rest_reply *r)
{
	struct accessv *a = arg;
	json_t *ev = json_object_get(r->json, "events");

	a->more = NULL;
	if (r->status != 200 || !json_is_array(ev)) {
		free(a->error);
		a->error = xasprintf("cannot load more of the access history: %s",
		    r->error != NULL ? r->error : "bad reply");
	} else if (a->rows != NULL) {
		json_array_extend(a->rows, ev);
		a->next = json_integer_value(json_object_get(r->json, "next"));
	}
	tui_dirty(a->c);
}

/* Ask for the page after the last row, when there is one. */
static void
access_more(struct accessv *a)
{
	char *path, *cause = NULL;

	if (a->more != NULL || a->next <= 0 || a->rows == NULL)
		return;
	path = xasprintf("/api/v1/access?limit=%d&after=%" PRId64 "%s", ACCESS_PAGE,
	    a->next, a->query);
	a->more = rest_request(a->c->rest, "GET", path, NULL, access_on_more, a, &cause);
	free(path);
	if (a->more == NULL) {
		free(a->error);
		a->error = cause;
	}
}

/* The stream told of new attempts (or a snapshot was loaded): follow them. */
static void
access_changed(struct console *c, struct view *v)
{
	struct accessv *a = v->data;

	if (!a->live || a->gen == c->access_gen)
		return;
	a->gen = c->access_gen;
	access_fetch(a);
}

/* The text of field key of o, or "-". */
static const char *
access_s(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

/* Draw the history into rows [top, bottom). */
static void
access_draw(struct console *c, struct view *v, int top, int bottom)
{
	struct accessv *a = v->data;
	int n = a->rows != NULL ? (int)json_array_size(a->rows) : 0, y, w = c->cols - 2;

	for (y = top; y < bottom; y++) {
		move(y, 0);
		clrtoeol();
	}
	draw_role(c, ROLE_HEADER);
	draw_textf(c, top, 1, w, "Access history%s%s  (%d%s)   / filter  Enter resident  "
	    "R reload  q back", a->title != NULL || a->filter[0] != '\0' ? ": " : "",
	    a->title != NULL ? a->title : a->filter, n, a->next > 0 ? "+" : "");
	if (a->error != NULL) {
		draw_role(c, ROLE_ERROR);
		draw_text(c, top + 1, 1, w, a->error);
	}
	if (a->rows == NULL) {
		draw_role(c, ROLE_DIM);
		draw_text(c, top + 2, 1, w, "loading the access history...");
		return;
	}
	draw_role(c, ROLE_DIM);
	draw_textf(c, top + 2, 1, w, "%-19s  %-7s  %-14s %-16s %-28s %s", "TIME (UTC)",
	    "RESULT", "SITE", "POINT", "RESIDENT", "CREDENTIAL");
	if (n == 0) {
		draw_text(c, top + 3, 1, w, "no access attempts");
		return;
	}
	a->page = bottom - top - 3;
	if (a->page < 1)
		a->page = 1;
	if (a->sel < a->top)
		a->top = a->sel;
	if (a->sel >= a->top + a->page)
		a->top = a->sel - a->page + 1;
	for (int i = a->top; i < n && top + 3 + i - a->top < bottom; i++) {
		json_t *o = json_array_get(a->rows, (size_t)i);
		json_t *res = json_object_get(o, "resident");
		const char *result = access_s(o, "result");
		char ts[VTIME_ISO_LEN];
		int x = 1;

		y = top + 3 + i - a->top;
		/* "2026-11-21T23:01:02.345Z" -> "2026-11-21 23:01:02" */
		snprintf(ts, sizeof ts, "%.19s", access_s(o, "ts"));
		if (strlen(ts) > 10 && ts[10] == 'T')
			ts[10] = ' ';
		draw_role(c, i == a->sel ? ROLE_SELECTED : strcmp(result, "denied") == 0 ?
		    ROLE_ALARM_WARNING : ROLE_GUARD_AVAILABLE);
		x += draw_text(c, y, x, 21, ts);
		x += draw_text(c, y, x, 9, result);
		if (i != a->sel)
			draw_role(c, ROLE_NORMAL);
		x += draw_text(c, y, x, 15, access_s(o, "site"));
		x += draw_text(c, y, x, 17, access_s(o, "point"));
		x += draw_text(c, y, x, 29, json_is_object(res) ? access_s(res, "name") :
		    "(unknown)");
		if (x < c->cols - 1)
			draw_text(c, y, x, c->cols - 1 - x, access_s(o, "credential"));
	}
}

/* The filter prompt's answer: a new filter, the history loaded again. */
static void
access_filter_done(struct console *c, void *arg, const char *text)
{
	struct accessv *a = arg;
	char *query;
	bool live;

	if (text == NULL || access_parse(c, text, &query, &live) != 0)
		return;
	free(a->query);
	a->query = query;
	a->live = live;
	snprintf(a->filter, sizeof a->filter, "%s", text);
	free(a->title);
	a->title = NULL;
	if (a->req != NULL)
		rest_cancel(a->req);
	if (a->more != NULL)
		rest_cancel(a->more);
	a->req = a->more = NULL;
	json_decref(a->rows);
	a->rows = NULL;
	a->next = 0;
	a->sel = a->top = 0;
	access_fetch(a);
}

/* Keys of the history. */
static int
access_key(struct console *c, struct view *v, int key, enum key_action act)
{
	struct accessv *a = v->data;
	int n = a->rows != NULL ? (int)json_array_size(a->rows) : 0;
	json_t *res;

	if (key == '/') {
		tui_push(c, view_prompt_new(c, "access filter (point= result= since= until= "
		    "resident= site=): ", access_filter_done, a));
		return VIEW_HANDLED;
	}
	if (key == 'R') {
		if (a->req != NULL)
			rest_cancel(a->req);
		a->req = NULL;
		a->reset = true;
		access_fetch(a);
		return VIEW_HANDLED;
	}
	switch (act) {
	case KA_UP: if (a->sel > 0) a->sel--; break;
	case KA_DOWN: if (a->sel < n - 1) a->sel++; break;
	case KA_PGUP: a->sel -= a->page; if (a->sel < 0) a->sel = 0; break;
	case KA_PGDN: a->sel += a->page; if (a->sel > n - 1) a->sel = n > 0 ? n - 1 : 0; break;
	case KA_HOME: a->sel = 0; break;
	case KA_END: a->sel = n > 0 ? n - 1 : 0; break;
	case KA_BACK: return VIEW_HANDLED | VIEW_CLOSE;
	case KA_OPEN:
		res = json_object_get(json_array_get(a->rows, (size_t)a->sel), "resident");
		if (json_is_integer(json_object_get(res, "id")))
			tui_push(c, view_resident_new(c, json_integer_value(json_object_get(res,
			    "id"))));
		else
			tui_message(c, false, "no resident holds that credential");
		return VIEW_HANDLED;
	default:
		return VIEW_IGNORED;
	}
	/* At the last row: the next page. */
	if (n > 0 && a->sel >= n - 1)
		access_more(a);
	return VIEW_HANDLED;
}

/* Free the history (cancelling its requests, closing its timer). */
static void
access_free(struct view *v)
{
	struct accessv *a = v->data;

	if (a->req != NULL)
		rest_cancel(a->req);
	if (a->more != NULL)
		rest_cancel(a->more);
	json_decref(a->rows);
	free(a->query);
	free(a->title);
	free(a->error);
	free(a);
	free(v);
}

static const struct view_ops access_ops = {
	.name = "access",
	.kind = VIEW_LIST,
	.opaque = true,
	.draw = access_draw,
	.key = access_key,
	.free = access_free,
	.changed = access_changed,
};

/* The access history filtered by filter (see view_residents.h). */
struct view *
view_access_new(struct console *c, const char *filter, const char *title)
{
	struct accessv *a;
	char *query;
	bool live;

	if (access_parse(c, filter != NULL ? filter : "", &query, &live) != 0)
		return NULL;
	a = xcalloc(1, sizeof *a);
	a->c = c;
	a->query = query;
	a->live = live;
	snprintf(a->filter, sizeof a->filter, "%s", filter != NULL ? filter : "");
	a->title = title != NULL ? xstrdup(title) : NULL;
	a->gen = c->access_gen;
	access_fetch(a);
	return view_new(&access_ops, a);
}

/* A denied attempt the dashboard counts. */
struct access_denial {
	int64_t id, ts_ms;
	char point[LIMIT_KEY_LEN + 1];
};

struct access_signals {
	struct console *c;
	struct rest_req *req;
	bool again;                  /* fetch again once the reply came */
	bool more;                   /* the window held more than ACCESS_SIGNALS_LIMIT */
	struct access_denial d[ACCESS_SIGNALS_LIMIT]; /* oldest first */
	int n;
};

/* Keep a denial (newer than those held; the oldest goes when full). */
static void
access_signals_put(struct access_signals *s, int64_t id, int64_t ts, const char *point)
{
	if (s->n > 0 && id <= s->d[s->n - 1].id)
		return;
	if (s->n == ACCESS_SIGNALS_LIMIT) {
		memmove(&s->d[0], &s->d[1], (size_t)(s->n - 1) * sizeof s->d[0]);
		s->n--;
		s->more = true;
	}
	s->d[s->n].id = id;
	s->d[s->n].ts_ms = ts;
	snprintf(s->d[s->n].point, sizeof s->d[s->n].point, "%s", point);
	s->n++;
}

static void access_signals_fetch(struct access_signals *s);

/* The denials of the window arrived (newest first). */
static void
access_signals_on_reply(void *arg, const struct rest_reply *r)
{
	struct access_signals *s = arg;
	json_t *ev = json_object_get(r->json, "events"), *o;
	int64_t t;
	size_t i;

	s->req = NULL;
	if (r->status == 200 && json_is_array(ev)) {
		s->n = 0;
		s->more = json_integer_value(json_object_get(r->json, "next")) > 0;
		for (i = json_array_size(ev); i-- > 0;) {
			o = json_array_get(ev, i);
			if (vtime_parse(access_s(o, "ts"), &t) == 0)
				access_signals_put(s, access_id(o), t, access_s(o, "point"));
		}
		tui_dirty(s->c);
	}
	if (s->again && r->status != 401 && r->status != 403) {
		s->again = false;
		access_signals_fetch(s);
	}
}

/* Ask for the denials of the window. */
static void
access_signals_fetch(struct access_signals *s)
{
	char iso[VTIME_ISO_LEN], *path, *cause = NULL;

	if (s->req != NULL) {
		s->again = true;
		return;
	}
	vtime_format(vtime_now_ms() - ACCESS_SIGNALS_WINDOW_S * 1000, iso, sizeof iso);
	path = xasprintf("/api/v1/access?result=denied&limit=%d", ACCESS_SIGNALS_LIMIT);
	rest_query_add(&path, "since", iso);
	s->req = rest_request(s->c->rest, "GET", path, NULL, access_signals_on_reply, s,
	    &cause);
	free(path);
	free(cause);
}

/* The dashboard's signal of recent denials: NULL for roles that see no access. */
struct access_signals *
access_signals_new(struct console *c)
{
	struct access_signals *s;

	if (c->role == NULL || (strcmp(c->role, "admin") != 0 &&
	    strcmp(c->role, "supervisor") != 0 && strcmp(c->role, "manager") != 0 &&
	    strcmp(c->role, "dispatcher") != 0))
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->c = c;
	access_signals_fetch(s);
	return s;
}

/* A snapshot was loaded: what the stream may have missed is asked for again. */
void
access_signals_reload(struct access_signals *s)
{
	if (s != NULL)
		access_signals_fetch(s);
}

/* An "access" stream message (its data): a denial is counted. */
void
access_signals_event(struct access_signals *s, json_t *data)
{
	int64_t t;

	if (s == NULL || strcmp(access_s(data, "result"), "denied") != 0 ||
	    vtime_parse(access_s(data, "ts"), &t) != 0)
		return;
	access_signals_put(s, access_id(data), t, access_s(data, "point"));
}

/* Stop following and free s (NULL is fine). */
void
access_signals_free(struct access_signals *s)
{
	if (s == NULL)
		return;
	if (s->req != NULL)
		rest_cancel(s->req);
	free(s);
}

/* Draw s at (y, x) in width columns: "denied at ta-gate 2m ago, 3 in 10 min (H)". */
void
access_signals_draw(struct console *c, struct access_signals *s, int y, int x, int width)
{
	char age[16], buf[160], kb[16];
	int64_t now = vtime_now_ms(), since = now - ACCESS_SIGNALS_WINDOW_S * 1000;
	const struct access_denial *latest;
	int count = 0;

	if (s == NULL || s->n == 0 || width < 12)
		return;
	for (int i = 0; i < s->n; i++)
		count += s->d[i].ts_ms >= since;
	if (count == 0)
		return;
	latest = &s->d[s->n - 1];
	snprintf(buf, sizeof buf, "denied at %s %s ago, %d%s in %d min (%s)", latest->point,
	    draw_age(now > latest->ts_ms ? now - latest->ts_ms : 0, age, sizeof age), count,
	    s->more && count == s->n ? "+" : "", ACCESS_SIGNALS_WINDOW_S / 60,
	    keymap_action_key(KA_ACCESS, kb, sizeof kb));
	draw_role(c, ROLE_ALARM_WARNING);
	draw_text(c, y, x, (int)strlen(buf) < width ? (int)strlen(buf) : width, buf);
}
