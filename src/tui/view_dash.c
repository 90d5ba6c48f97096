#include "compat.h"

#include "draw.h"
#include "guardpos.h"
#include "maps.h"
#include "filter.h"
#include "tui.h"
#include "view.h"
#include "view_residents.h"
#include "vtime.h"

/*
 * The dashboard: counts per priority and state, the alarm queue (priority
 * then oldest first), and the guards, beside the queue when the terminal is
 * wide enough and under it otherwise.
 */
#define DASH_WIDE_COLS     130   /* from here the guards sit beside the queue */
#define DASH_GUARDS_WIDTH  56
#define DASH_GUARDS_ROWS   6     /* guards shown under the queue when narrow */
#define DASH_MINIMAP_ROWS  16    /* the mini-map under the guards, when wide... */
#define DASH_MINIMAP_FROM  36    /* ...and at least this many rows high */
#define DASH_SIGNALS_FROM  64    /* the denials signal starts no further left... */
#define DASH_SIGNALS_COLS  48    /* ...and takes this many columns at most */

struct dash {
	int page;                    /* queue rows visible at the last draw */
	struct console *c;
};

/* Milliseconds since the ISO 8601 time s, or 0 when s is not one. */
static int64_t
dash_age_ms(const char *s, int64_t now)
{
	int64_t t;

	if (s == NULL || vtime_parse(s, &t) != 0)
		return 0;
	return now > t ? now - t : 0;
}

/* The role of a priority cell. */
static enum theme_role
dash_priority_role(json_int_t p)
{
	switch (p) {
	case 1: return ROLE_ALARM_P1;
	case 2: return ROLE_ALARM_P2;
	case 3: return ROLE_ALARM_P3;
	case 4: return ROLE_ALARM_P4;
	default: return ROLE_ALARM_P5PLUS;
	}
}

/* The role of an alarm's row: unacknowledged ones age through colours. */
static enum theme_role
dash_row_role(struct console *c, const char *state, int64_t age_ms)
{
	if (strcmp(state, "new") == 0) {
		if (age_ms >= (int64_t)c->cfg.overdue_after * 1000)
			return ROLE_ALARM_OVERDUE;
		if (age_ms >= (int64_t)c->cfg.warning_after * 1000)
			return ROLE_ALARM_WARNING;
		return ROLE_ALARM_NEW;
	}
	if (strcmp(state, "assigned") == 0)
		return ROLE_ALARM_ASSIGNED;
	return ROLE_ALARM_ACKED;
}

/* The counts line above the queue. */
static void
dash_counts(struct console *c, int y, struct tui_queue *q)
{
	char buf[FILTER_MAX_LEN + 64];
	int x = 0, n;
	unsigned p5 = 0;

	for (int p = 5; p <= 9; p++)
		p5 += q->counts_p[p];
	for (int p = 1; p <= 5; p++) {
		unsigned v = p < 5 ? q->counts_p[p] : p5;

		draw_role(c, v > 0 ? dash_priority_role(p) : ROLE_DIM);
		n = snprintf(buf, sizeof buf, p < 5 ? " P%d %u " : " P%d+ %u ", p, v);
		x += draw_text(c, y, x, n, buf);
	}
	draw_role(c, ROLE_HEADER);
	n = snprintf(buf, sizeof buf, "  new %u  ack %u  assigned %u",
	    q->counts_state[0], q->counts_state[1], q->counts_state[2]);
	x += draw_text(c, y, x, n, buf);
	if (c->filter != NULL) {
		n = snprintf(buf, sizeof buf, "  showing %zu: /%s", q->n, c->filter->text);
		draw_role(c, ROLE_PENDING);
		x += draw_text(c, y, x, c->cols - x > 0 ? c->cols - x : 0, buf);
	}
}

/* Column widths of the queue for a given width. */
struct dash_cols {
	int mark, id, pri, age, site, point, type, count, state, guard;
};

/* Share width among the columns: fixed ones first, the rest by weight. */
static void
dash_layout(struct dash_cols *w, int width)
{
	int rest;

	w->mark = 1;
	w->id = 6;
	w->pri = 3;
	w->age = 7;
	w->count = 5;
	w->state = 10;
	w->guard = 7;
	rest = width - (w->mark + w->id + w->pri + w->age + w->count + w->state + w->guard) - 8;
	if (rest < 24)
		rest = 24;
	w->site = rest * 22 / 100;
	w->type = rest * 23 / 100;
	w->point = rest - w->site - w->type;
}

/* Draw the queue's heading row. */
static void
dash_heading(struct console *c, int y, int x, const struct dash_cols *w)
{
	draw_role(c, ROLE_HEADER);
	draw_textf(c, y, x, w->mark + w->id + w->pri + w->age + w->site + w->point + w->type +
	    w->count + w->state + w->guard + 8, "%-*s%*s %-*s %-*s %-*s %-*s %-*s %*s %-*s %-*s",
	    w->mark, "", w->id, "ID", w->pri, "P", w->age, "AGE", w->site, "SITE", w->point,
	    "POINT", w->type, "TYPE", w->count, "#", w->state, "STATE", w->guard, "GUARD");
}

/* Draw one alarm row. */
static void
dash_row(struct console *c, int y, int x, const struct dash_cols *w,
    const struct alarm_rec *a, bool selected, int64_t now)
{
	char age[16], count[16], statebuf[24];
	const char *state = alarm_state_name(a->state);
	int64_t id = a->id;
	int64_t age_ms = now > a->created_ms ? now - a->created_ms : 0;
	const struct tui_pending *pend = action_pending(c, id);
	enum theme_role row = dash_row_role(c, state, age_ms);
	char key[24];
	bool marked;

	snprintf(key, sizeof key, "%" PRId64, (int64_t)id);
	marked = json_object_get(c->marked, key) != NULL;
	draw_role(c, selected ? ROLE_SELECTED : row);
	draw_text(c, y, x, w->mark, marked ? "*" : " ");
	x += w->mark;
	draw_textf(c, y, x, w->id, "%*lld", w->id, (long long)id);
	x += w->id + 1;
	if (!selected)
		draw_role(c, dash_priority_role(a->priority));
	draw_textf(c, y, x, w->pri, "P%d", a->priority);
	x += w->pri + 1;
	draw_role(c, selected ? ROLE_SELECTED : row);
	draw_text(c, y, x, w->age, draw_age(age_ms, age, sizeof age));
	x += w->age + 1;
	draw_text(c, y, x, w->site, a->site);
	x += w->site + 1;
	draw_text(c, y, x, w->point, a->point_label);
	x += w->point + 1;
	draw_text(c, y, x, w->type, a->type);
	x += w->type + 1;
	snprintf(count, sizeof count, "%" PRId64, a->count);
	draw_textf(c, y, x, w->count, "%*s", w->count, count);
	x += w->count + 1;
	if (pend != NULL) {
		snprintf(statebuf, sizeof statebuf, "%s...", pend->verb);
		if (!selected)
			draw_role(c, ROLE_PENDING);
		draw_text(c, y, x, w->state, statebuf);
		draw_role(c, selected ? ROLE_SELECTED : row);
	} else {
		draw_text(c, y, x, w->state, a->state == ALARM_ACKNOWLEDGED ? "ack" : state);
	}
	x += w->state + 1;
	draw_text(c, y, x, w->guard, a->guard != NULL ? a->guard : "");
}

/* The order guards are listed in: busy ones first, then available, then off duty. */
static int
dash_guard_rank(const char *status)
{
	if (status == NULL)
		return 4;
	if (strcmp(status, "on_scene") == 0)
		return 0;
	if (strcmp(status, "dispatched") == 0)
		return 1;
	if (strcmp(status, "available") == 0)
		return 2;
	return 3;
}

/* Compare guards for the guards pane. */
static int
dash_guard_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int rx = dash_guard_rank(json_string_value(json_object_get(x, "status")));
	int ry = dash_guard_rank(json_string_value(json_object_get(y, "status")));
	const char *cx = json_string_value(json_object_get(x, "callsign"));
	const char *cy = json_string_value(json_object_get(y, "callsign"));

	if (rx != ry)
		return rx - ry;
	return strcmp(cx != NULL ? cx : "", cy != NULL ? cy : "");
}

/* The role of a guard's status. */
static enum theme_role
dash_guard_role(const char *status)
{
	switch (dash_guard_rank(status)) {
	case 0: return ROLE_GUARD_ON_SCENE;
	case 1: return ROLE_GUARD_DISPATCHED;
	case 2: return ROLE_GUARD_AVAILABLE;
	default: return ROLE_GUARD_OFF_DUTY;
	}
}

/* The guards pane over rows [top, bottom) and columns [x, x+width). */
static void
dash_guards(struct console *c, int top, int bottom, int x, int width)
{
	size_t n = json_object_size(c->replica.guards), i = 0;
	json_t **list = xmalloc((n + 1) * sizeof *list), *g;
	int64_t now = vtime_now_ms();
	const char *key;
	int y = top + 1;

	json_object_foreach(c->replica.guards, key, g)
		list[i++] = g;
	qsort(list, n, sizeof *list, dash_guard_cmp);
	draw_role(c, ROLE_HEADER);
	draw_textf(c, top, x, width, "GUARDS %zu", n);
	for (i = 0; i < n && y < bottom; i++, y++) {
		const char *status = json_string_value(json_object_get(list[i], "status"));
		json_t *pos = json_object_get(list[i], "position");
		json_t *alarms = json_object_get(list[i], "alarms");
		int64_t age = json_is_object(pos) ?
		    dash_age_ms(json_string_value(json_object_get(pos, "ts")), now) : -1;
		char agebuf[16], where[32];
		int w1 = 6, w2 = 11, w4 = 7;
		int w3 = width - w1 - w2 - w4 - 3 - 9;

		if (w3 < 6)
			w3 = 6;
		draw_role(c, dash_guard_role(status));
		draw_text(c, y, x, w1, json_string_value(json_object_get(list[i], "callsign")));
		draw_text(c, y, x + w1 + 1, w3, json_string_value(json_object_get(list[i], "name")));
		draw_text(c, y, x + w1 + w3 + 2, w2, status);
		if (age < 0) {
			draw_role(c, ROLE_DIM);
			draw_text(c, y, x + w1 + w3 + w2 + 3, 9, "no fix");
		} else {
			struct guardpos gp;

			guardpos_read(&gp, list[i], now, c->cfg.stale_after);
			draw_role(c, gp.stale || gp.stuck || gp.poor ? ROLE_GUARD_STALE : ROLE_DIM);
			snprintf(where, sizeof where, "%s%s", gp.stuck ? "STUCK " :
			    gp.stale ? "stale " : gp.poor ? "poor " : "",
			    draw_age(age, agebuf, sizeof agebuf));
			draw_text(c, y, x + w1 + w3 + w2 + 3, 9, where);
		}
		if (json_array_size(alarms) > 0) {
			draw_role(c, ROLE_ALARM_ASSIGNED);
			draw_textf(c, y, x + w1 + w3 + w2 + 12, w4, "#%lld",
			    (long long)json_integer_value(json_array_get(alarms, 0)));
		}
	}
	free(list);
}

/* The map of the selected alarm's site, its point marked, in rows [top, bottom). */
static void
dash_minimap(struct console *c, int top, int bottom, int x, int width)
{
	struct alarm_rec *a = tui_selected(c);
	struct mapset *set;
	struct mapview mv;
	struct mapdraw_opts o = { 0 };
	int i;

	draw_role(c, ROLE_HEADER);
	if (a == NULL || a->site == NULL) {
		draw_text(c, top, x, width, "map: no alarm selected");
		return;
	}
	set = mapcache_get(c, a->site);
	if ((i = mapcache_find_point(set, a->point)) < 0) {
		draw_textf(c, top, x, width, "map: %s", set->state == MAPSET_LOADING ?
		    "loading..." : "none for this site");
		return;
	}
	draw_textf(c, top, x, width, "map: %s", set->maps[i]->name);
	mapview_fit(set->maps[i], width, bottom - top - 1, &mv);
	o.site = a->site;
	o.focus_alarm = a->id;
	o.guards = true;
	o.now_ms = vtime_now_ms();
	mapdraw_area(c, set->maps[i], &mv, top + 1, x, bottom - top - 1, width, &o);
}

/* The latest denied access attempts, at the right of the counts line. */
static void
dash_signals(struct console *c, struct dash *d, int y)
{
	int x = c->cols > DASH_SIGNALS_FROM + DASH_SIGNALS_COLS ?
	    c->cols - DASH_SIGNALS_COLS : DASH_SIGNALS_FROM;

	if (c->filter == NULL)
		access_signals_draw(c, c->signals, y, x, c->cols - x);
}

/* The residents list, or the access history (H), for the roles that see them. */
static int
dash_residents_key(struct console *c, enum key_action act)
{
	struct view *v;

	if (!view_residents_allowed(c, false))
		return VIEW_HANDLED;
	if (act == KA_RESIDENTS)
		tui_push(c, view_residents_new(c, NULL));
	else if ((v = view_access_new(c, "result=denied", "denied attempts")) != NULL)
		tui_push(c, v);
	return VIEW_HANDLED;
}

/* Draw the dashboard into rows [top, bottom). */
static void
dash_draw(struct console *c, struct view *v, int top, int bottom)
{
	struct dash *d = v->data;
	struct tui_queue *q = tui_queue(c);
	bool wide = c->cols >= DASH_WIDE_COLS;
	int qwidth = wide ? c->cols - DASH_GUARDS_WIDTH - 1 : c->cols;
	int qbottom = wide ? bottom : bottom - DASH_GUARDS_ROWS - 1;
	int64_t now = vtime_now_ms();
	struct dash_cols w;
	long sel = tui_selected_index(c);
	int y;

	dash_counts(c, top, q);
	dash_signals(c, d, top);
	dash_layout(&w, qwidth);
	dash_heading(c, top + 1, 0, &w);
	d->page = qbottom - (top + 2);
	if (d->page < 1)
		d->page = 1;
	if (sel >= 0) {
		if ((size_t)sel < c->top)
			c->top = (size_t)sel;
		if ((size_t)sel >= c->top + (size_t)d->page)
			c->top = (size_t)sel - (size_t)d->page + 1;
	}
	if (c->top > 0 && c->top + (size_t)d->page > q->n)
		c->top = q->n > (size_t)d->page ? q->n - (size_t)d->page : 0;
	y = top + 2;
	if (q->n == 0) {
		draw_role(c, ROLE_DIM);
		draw_text(c, y + 1, 2, qwidth - 4, c->loading ? "loading the queue..." :
		    c->filter != NULL ? "no open alarm matches the filter" : "no open alarms");
	}
	for (size_t i = c->top; i < q->n && y < qbottom; i++, y++)
		dash_row(c, y, 0, &w, q->rows[i], (long)i == sel, now);
	if (wide) {
		draw_role(c, ROLE_BORDER);
		mvvline(top, qwidth, c->line_ascii ? '|' : ACS_VLINE, bottom - top);
		if (bottom - top >= DASH_MINIMAP_FROM) {
			int mtop = bottom - DASH_MINIMAP_ROWS;

			dash_guards(c, top, mtop - 1, qwidth + 1, DASH_GUARDS_WIDTH);
			draw_hline(c, mtop - 1, qwidth + 1, DASH_GUARDS_WIDTH);
			dash_minimap(c, mtop, bottom, qwidth + 1, DASH_GUARDS_WIDTH);
		} else
			dash_guards(c, top, bottom, qwidth + 1, DASH_GUARDS_WIDTH);
	} else {
		draw_hline(c, qbottom, 0, c->cols);
		dash_guards(c, qbottom + 1, bottom, 0, c->cols);
	}
}

/* Toggle the mark of the selected alarm. */
static void
dash_mark(struct console *c, const struct alarm_rec *a)
{
	char key[24];

	snprintf(key, sizeof key, "%" PRId64, a->id);
	if (json_object_get(c->marked, key) != NULL)
		json_object_del(c->marked, key);
	else
		json_object_set_new(c->marked, key, json_true());
}

/* Acknowledge every marked alarm that is still new. */
static void
dash_ack_marked(struct console *c)
{
	const char *key;
	struct alarm_rec *a;
	json_t *v;
	void *tmp;
	int sent = 0, marked = (int)json_object_size(c->marked);
	char kb[16];

	json_object_foreach_safe(c->marked, tmp, key, v) {
		int64_t id = strtoll(key, NULL, 10);

		a = replica_alarm(&c->replica, id);
		if (a != NULL && a->state == ALARM_NEW) {
			action_alarm(c, id, "ack", NULL);
			sent++;
		}
		json_object_del(c->marked, key);
	}
	if (marked == 0)
		tui_message(c, true, "no alarm is marked (%s marks one)",
		    keymap_action_key(KA_MARK, kb, sizeof kb));
	else if (sent == 0)
		tui_message(c, false, "nothing to acknowledge: the %d marked alarm%s already "
		    "acknowledged or closed", marked, marked == 1 ? " was" : "s were");
	else
		tui_message(c, false, "acknowledging %d marked alarm%s", sent, sent == 1 ? "" : "s");
}

/* The filter prompt's answer. */
static void
dash_filter_done(struct console *c, void *arg, const char *text)
{
	(void)arg;
	if (text != NULL)
		console_filter_set(c, text);
}

/* The note prompt's answer. */
static void
dash_note_done(struct console *c, void *arg, const char *text)
{
	int64_t id = (int64_t)(intptr_t)arg;

	if (text == NULL || *text == '\0')
		return;
	action_alarm(c, id, "notes", json_pack("{s:s}", "text", text));
}

/* Keys of the dashboard. */
static int
dash_key(struct console *c, struct view *v, int key, enum key_action act)
{
	struct dash *d = v->data;
	struct alarm_rec *a = tui_selected(c);
	long sel = tui_selected_index(c);
	int64_t id = a != NULL ? a->id : 0;
	char label[64];

	(void)key;
	switch (act) {
	case KA_UP: tui_select(c, sel - 1); return VIEW_HANDLED;
	case KA_DOWN: tui_select(c, sel + 1); return VIEW_HANDLED;
	case KA_PGUP: tui_select(c, sel - d->page); return VIEW_HANDLED;
	case KA_PGDN: tui_select(c, sel + d->page); return VIEW_HANDLED;
	case KA_HOME: tui_select(c, 0); return VIEW_HANDLED;
	case KA_END: tui_select(c, (long)tui_queue(c)->n - 1); return VIEW_HANDLED;
	case KA_FILTER:
		tui_push(c, view_prompt_new(c, "/", dash_filter_done, NULL));
		return VIEW_HANDLED;
	case KA_UNMARK:
		json_object_clear(c->marked);
		return VIEW_HANDLED;
	case KA_ACK_MARKED:
		dash_ack_marked(c);
		return VIEW_HANDLED;
	case KA_MAP:
		cmdline_run(c, NULL, "map");
		return VIEW_HANDLED;
	case KA_RESIDENTS:
	case KA_ACCESS:
		return dash_residents_key(c, act);
	default:
		break;
	}
	if (a == NULL)
		return act == KA_OPEN || act == KA_ACK || act == KA_ASSIGN || act == KA_CLOSE ||
		    act == KA_NOTE || act == KA_RELEASE || act == KA_MARK ? VIEW_HANDLED : VIEW_IGNORED;
	switch (act) {
	case KA_OPEN: tui_push(c, view_detail_new(c, id)); return VIEW_HANDLED;
	case KA_ACK: action_alarm(c, id, "ack", NULL); return VIEW_HANDLED;
	case KA_RELEASE: action_alarm(c, id, "release", NULL); return VIEW_HANDLED;
	case KA_ASSIGN: tui_push(c, view_assign_new(c, id)); return VIEW_HANDLED;
	case KA_CLOSE: tui_push(c, view_close_new(c, id)); return VIEW_HANDLED;
	case KA_MARK:
		dash_mark(c, a);
		tui_select(c, sel + 1);
		return VIEW_HANDLED;
	case KA_NOTE:
		snprintf(label, sizeof label, "note on alarm %" PRId64 ": ", id);
		tui_push(c, view_prompt_new(c, label, dash_note_done, (void *)(intptr_t)id));
		return VIEW_HANDLED;
	default:
		return VIEW_IGNORED;
	}
}

/* Free the dashboard. */
static void
dash_free(struct view *v)
{
	struct dash *d = v->data;

	access_signals_free(d->c->signals);
	d->c->signals = NULL;
	free(v->data);
	free(v);
}

static const struct view_ops dash_ops = {
	.name = "dashboard",
	.kind = VIEW_DASH,
	.opaque = true,
	.draw = dash_draw,
	.key = dash_key,
	.free = dash_free,
};

/* The dashboard: the alarm queue, counts and guards. */
struct view *
view_dash_new(struct console *c)
{
	struct dash *d = xcalloc(1, sizeof *d);

	d->c = c;
	c->signals = access_signals_new(c);
	return view_new(&dash_ops, d);
}
