#include "compat.h"

#include <time.h>

#include "draw.h"
#include "guardpos.h"
#include "maps.h"
#include "rest.h"
#include "tui.h"
#include "view.h"
#include "vtime.h"

/*
 * The detail of one alarm: everything the server knows (GET
 * /api/v1/alarms/ID: the alarm, its notes, events and history from the
 * audit), and the site's points near it from the replica.  Fetched again
 * whenever the stream changes the alarm.
 */
#define DETAIL_NEAR_POINTS 8
#define DETAIL_MAX_LINES   1200

struct detail_line {
	enum theme_role role;
	char *text;
};

struct detail {
	struct console *c;
	int64_t id;
	json_t *doc;              /* the last reply, or NULL */
	int64_t updated_ms;       /* "updated" of the alarm the doc shows */
	bool fetching;
	struct rest_req *req;
	struct detail_line *lines;
	int nlines;
	int scroll;
	int page;
	char *error;
};

static void detail_fetch(struct detail *d);

/* Times shown in local time ([console] clock = local), else UTC. */
static bool detail_local_clock;

/* Forget the rendered lines. */
static void
detail_lines_clear(struct detail *d)
{
	for (int i = 0; i < d->nlines; i++)
		free(d->lines[i].text);
	free(d->lines);
	d->lines = NULL;
	d->nlines = 0;
}

/* Add one line of text (untrusted parts are sanitized when drawn). */
static void
detail_add(struct detail *d, enum theme_role role, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	if (d->nlines >= DETAIL_MAX_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	d->lines = xrealloc(d->lines, (size_t)(d->nlines + 1) * sizeof *d->lines);
	d->lines[d->nlines].role = role;
	d->lines[d->nlines].text = xstrdup(buf);
	d->nlines++;
}

/* A string member, or "-". */
static const char *
detail_s(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && *s != '\0' ? s : "-";
}

/* "2026-11-21T23:01:02.345Z" as "23:01:02" (or the date too when not today). */
static const char *
detail_time(const char *iso, char *buf, size_t len)
{
	int64_t ms;
	time_t secs;
	struct tm tm;

	if (iso == NULL || vtime_parse(iso, &ms) != 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	secs = (time_t)(ms / 1000);
	if (detail_local_clock)
		localtime_r(&secs, &tm);
	else
		gmtime_r(&secs, &tm);
	strftime(buf, len, detail_local_clock ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M:%SZ", &tm);
	return buf;
}

/* Points of the alarm's site near its point: same building and floor, or nearest. */
static void
detail_near(struct detail *d, json_t *alarm)
{
	const char *site = json_string_value(json_object_get(alarm, "site"));
	const char *pkey = json_string_value(json_object_get(alarm, "point"));
	json_t *points = site != NULL ? json_object_get(d->c->replica.points, site) : NULL;
	json_t *me = pkey != NULL ? json_object_get(points, pkey) : NULL, *p;
	const char *key;
	int shown = 0;

	if (me == NULL)
		return;
	detail_add(d, ROLE_HEADER, "Points nearby");
	json_object_foreach(points, key, p) {
		bool same = strcmp(detail_s(p, "building"), detail_s(me, "building")) == 0 &&
		    strcmp(detail_s(p, "floor"), detail_s(me, "floor")) == 0;
		char dist[32] = "";

		if (p == me || shown >= DETAIL_NEAR_POINTS)
			continue;
		if (json_is_number(json_object_get(p, "lat")) &&
		    json_is_number(json_object_get(me, "lat"))) {
			double m = guardpos_metres(json_number_value(json_object_get(me, "lat")),
			    json_number_value(json_object_get(me, "lon")),
			    json_number_value(json_object_get(p, "lat")),
			    json_number_value(json_object_get(p, "lon")));
			if (!same && m > 60)
				continue;
			snprintf(dist, sizeof dist, "%4.0f m", m);
		} else if (!same) {
			continue;
		}
		detail_add(d, strcmp(detail_s(p, "state"), "normal") == 0 ? ROLE_NORMAL :
		    ROLE_ALARM_WARNING, "  %-7s %-24.24s %-10s %s", dist, detail_s(p, "label"),
		    detail_s(p, "type"), detail_s(p, "state"));
		shown++;
	}
	if (shown == 0)
		detail_add(d, ROLE_DIM, "  none known");
}

/* Render the reply into lines. */
static void
detail_render(struct detail *d)
{
	json_t *a = json_object_get(d->doc, "alarm"), *x;
	char t1[32], t2[32];
	size_t i;

	detail_lines_clear(d);
	detail_add(d, theme_priority_role((int)json_integer_value(json_object_get(a, "priority"))),
	    "Alarm %lld  P%lld %s  %s  (version %lld, %lld event%s)",
	    (long long)json_integer_value(json_object_get(a, "id")),
	    (long long)json_integer_value(json_object_get(a, "priority")),
	    detail_s(a, "type"), detail_s(a, "state"),
	    (long long)json_integer_value(json_object_get(a, "version")),
	    (long long)json_integer_value(json_object_get(a, "count")),
	    json_integer_value(json_object_get(a, "count")) == 1 ? "" : "s");
	detail_add(d, ROLE_NORMAL, "Site     %s (%s)", detail_s(a, "site_name"), detail_s(a, "site"));
	detail_add(d, ROLE_NORMAL, "Point    %s (%s, %s) via %s", detail_s(a, "point_label"),
	    detail_s(a, "point"), detail_s(a, "point_type"), detail_s(a, "gateway"));
	detail_add(d, ROLE_NORMAL, "Raised   %s   last event %s",
	    detail_time(json_string_value(json_object_get(a, "created")), t1, sizeof t1),
	    detail_time(json_string_value(json_object_get(a, "last_event")), t2, sizeof t2));
	detail_add(d, ROLE_NORMAL, "Acked    %s by %s",
	    detail_time(json_string_value(json_object_get(a, "acked")), t1, sizeof t1),
	    detail_s(a, "acked_by"));
	detail_add(d, ROLE_NORMAL, "Assigned %s to %s by %s",
	    detail_time(json_string_value(json_object_get(a, "assigned")), t1, sizeof t1),
	    detail_s(a, "guard"), detail_s(a, "assigned_by"));
	detail_add(d, ROLE_NORMAL, "Closed   %s by %s: %s %s",
	    detail_time(json_string_value(json_object_get(a, "closed")), t1, sizeof t1),
	    detail_s(a, "closed_by"), detail_s(a, "resolution"), detail_s(a, "resolution_note"));
	detail_add(d, ROLE_NORMAL, "");
	detail_add(d, ROLE_HEADER, "Notes");
	json_array_foreach(json_object_get(d->doc, "notes"), i, x)
		detail_add(d, ROLE_NORMAL, "  %s  %-10s %s",
		    detail_time(json_string_value(json_object_get(x, "ts")), t1, sizeof t1),
		    detail_s(x, "author"), detail_s(x, "text"));
	if (json_array_size(json_object_get(d->doc, "notes")) == 0)
		detail_add(d, ROLE_DIM, "  none");
	detail_add(d, ROLE_NORMAL, "");
	detail_add(d, ROLE_HEADER, "History");
	json_array_foreach(json_object_get(d->doc, "history"), i, x)
		detail_add(d, ROLE_NORMAL, "  %s  %-10s %-14s %s",
		    detail_time(json_string_value(json_object_get(x, "ts")), t1, sizeof t1),
		    detail_s(x, "actor"), detail_s(x, "action"), detail_s(x, "source"));
	detail_add(d, ROLE_NORMAL, "");
	detail_add(d, ROLE_HEADER, "Events");
	json_array_foreach(json_object_get(d->doc, "events"), i, x)
		detail_add(d, ROLE_NORMAL, "  %s  %-12s %-10s %s %s",
		    detail_time(json_string_value(json_object_get(x, "sensor_ts")), t1, sizeof t1),
		    detail_s(x, "type"), detail_s(x, "gw_event_id"),
		    json_string_value(json_object_get(x, "value")) != NULL ? detail_s(x, "value") : "",
		    json_string_value(json_object_get(x, "credential")) != NULL ?
		    detail_s(x, "credential") : "");
	detail_add(d, ROLE_NORMAL, "");
	detail_near(d, a);
}

/* The server's answer to the detail request. */
static void
detail_on_reply(void *arg, const struct rest_reply *r)
{
	struct detail *d = arg;
	json_t *a;

	d->req = NULL;
	d->fetching = false;
	free(d->error);
	d->error = NULL;
	if (r->status != 200 || !json_is_object(json_object_get(r->json, "alarm"))) {
		d->error = xasprintf("cannot load alarm %" PRId64 ": %s", d->id,
		    r->error != NULL ? r->error : "bad reply");
		tui_dirty(d->c);
		return;
	}
	json_decref(d->doc);
	d->doc = json_incref(r->json);
	a = json_object_get(d->doc, "alarm");
	if (vtime_parse(detail_s(a, "updated"), &d->updated_ms) != 0)
		d->updated_ms = 0;
	detail_render(d);
	tui_dirty(d->c);
}

/* Ask the server for the alarm's detail. */
static void
detail_fetch(struct detail *d)
{
	char path[64], *cause = NULL;

	if (d->fetching)
		return;
	snprintf(path, sizeof path, "/api/v1/alarms/%" PRId64, d->id);
	d->req = rest_request(d->c->rest, "GET", path, NULL, detail_on_reply, d, &cause);
	if (d->req == NULL) {
		d->error = cause;
		return;
	}
	d->fetching = true;
}

/* Draw the detail into rows [top, bottom). */
static void
detail_draw(struct console *c, struct view *v, int top, int bottom)
{
	struct detail *d = v->data;
	int y;

	for (y = top; y < bottom; y++) {
		move(y, 0);
		clrtoeol();
	}
	d->page = bottom - top;
	if (d->error != NULL) {
		draw_role(c, ROLE_ERROR);
		draw_text(c, top, 1, c->cols - 2, d->error);
		return;
	}
	if (d->doc == NULL) {
		draw_role(c, ROLE_DIM);
		draw_textf(c, top, 1, c->cols - 2, "loading alarm %" PRId64 "...", d->id);
		return;
	}
	if (d->scroll > d->nlines - d->page)
		d->scroll = d->nlines - d->page;
	if (d->scroll < 0)
		d->scroll = 0;
	for (y = top; y < bottom && d->scroll + (y - top) < d->nlines; y++) {
		struct detail_line *l = &d->lines[d->scroll + (y - top)];

		draw_role(c, l->role);
		draw_text(c, y, 1, c->cols - 2, l->text);
	}
	if (action_pending(c, d->id) != NULL) {
		draw_role(c, ROLE_PENDING);
		draw_textf(c, top, c->cols - 24, 23, "%s pending...",
		    action_pending(c, d->id)->verb);
	}
}

/* The stream changed something: refetch when it is this alarm. */
static void
detail_changed(struct console *c, struct view *v)
{
	struct detail *d = v->data;
	struct alarm_rec *a = replica_alarm(&c->replica, d->id);

	if (c->noted_alarm == d->id ||
	    (a != NULL && a->updated_ms != d->updated_ms))
		detail_fetch(d);
	else if (a == NULL && d->doc != NULL &&
	    strcmp(detail_s(json_object_get(d->doc, "alarm"), "state"), "closed") != 0)
		detail_fetch(d);   /* it left the queue: closed */
}

/* The note prompt's answer. */
static void
detail_note_done(struct console *c, void *arg, const char *text)
{
	if (text != NULL && *text != '\0')
		action_alarm(c, (int64_t)(intptr_t)arg, "notes", json_pack("{s:s}", "text", text));
}

/* Keys of the detail view. */
static int
detail_key(struct console *c, struct view *v, int key, enum key_action act)
{
	struct detail *d = v->data;
	char label[64];

	(void)key;
	switch (act) {
	case KA_UP: d->scroll--; return VIEW_HANDLED;
	case KA_DOWN: d->scroll++; return VIEW_HANDLED;
	case KA_PGUP: d->scroll -= d->page; return VIEW_HANDLED;
	case KA_PGDN: d->scroll += d->page; return VIEW_HANDLED;
	case KA_HOME: d->scroll = 0; return VIEW_HANDLED;
	case KA_END: d->scroll = d->nlines; return VIEW_HANDLED;
	case KA_BACK: return VIEW_HANDLED | VIEW_CLOSE;
	case KA_ACK: action_alarm(c, d->id, "ack", NULL); return VIEW_HANDLED;
	case KA_RELEASE: action_alarm(c, d->id, "release", NULL); return VIEW_HANDLED;
	case KA_ASSIGN: tui_push(c, view_assign_new(c, d->id)); return VIEW_HANDLED;
	case KA_CLOSE: tui_push(c, view_close_new(c, d->id)); return VIEW_HANDLED;
	case KA_MAP: {
		json_t *alarm = json_object_get(d->doc, "alarm");
		const char *site = json_string_value(json_object_get(alarm, "site"));

		if (site == NULL)
			tui_message(c, true, "the alarm's site is not known yet");
		else
			tui_push(c, view_map_new(c, site, d->id, NULL));
		return VIEW_HANDLED;
	}
	case KA_REOPEN: {
		json_t *a = json_object_get(d->doc, "alarm");

		if (a == NULL)
			return VIEW_HANDLED;
		action_alarm(c, d->id, "reopen", json_pack("{s:I}", "version",
		    json_integer_value(json_object_get(a, "version"))));
		detail_fetch(d);
		return VIEW_HANDLED;
	}
	case KA_NOTE:
		snprintf(label, sizeof label, "note on alarm %" PRId64 ": ", d->id);
		tui_push(c, view_prompt_new(c, label, detail_note_done, (void *)(intptr_t)d->id));
		return VIEW_HANDLED;
	default:
		return VIEW_IGNORED;
	}
}

/* Free the detail view (cancelling a request in flight). */
static void
detail_free(struct view *v)
{
	struct detail *d = v->data;

	if (d->req != NULL)
		rest_cancel(d->req);
	detail_lines_clear(d);
	json_decref(d->doc);
	free(d->error);
	free(d);
	free(v);
}

static const struct view_ops detail_ops = {
	.name = "detail",
	.kind = VIEW_DETAIL,
	.opaque = true,
	.draw = detail_draw,
	.key = detail_key,
	.free = detail_free,
	.changed = detail_changed,
};

/* The detail of alarm id: fetched from the server, then kept in step. */
struct view *
view_detail_new(struct console *c, int64_t id)
{
	struct detail *d = xcalloc(1, sizeof *d);

	d->c = c;
	d->id = id;
	detail_local_clock = c->cfg.clock == CONFIG_CLOCK_LOCAL;
	detail_fetch(d);
	return view_new(&detail_ops, d);
}
