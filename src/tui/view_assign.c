#include "compat.h"

#include <math.h>

#include "draw.h"
#include "guardpos.h"
#include "tui.h"
#include "view.h"
#include "vtime.h"

/*
 * Pick a guard for an alarm: guards on duty, nearest first when both the
 * alarm's point and the guard have a position, with a walking estimate;
 * stale, inaccurate and stuck fixes are said so (guardpos.h).  Enter
 * assigns, Esc cancels.
 */
#define ASSIGN_MAX        64

struct assign_row {
	json_t *guard;             /* borrowed from the replica */
	double metres;             /* -1 when unknown */
	struct guardpos pos;
};

struct assign {
	int64_t id;
	struct assign_row rows[ASSIGN_MAX];
	int n, sel;
};

/* Order: known distances nearest first, then unknown ones; available before busy. */
static int
assign_cmp(const void *a, const void *b)
{
	const struct assign_row *x = a, *y = b;
	bool bx = strcmp(json_string_value(json_object_get(x->guard, "status")), "available") != 0;
	bool by = strcmp(json_string_value(json_object_get(y->guard, "status")), "available") != 0;

	if (bx != by)
		return bx ? 1 : -1;
	if ((x->metres < 0) != (y->metres < 0))
		return x->metres < 0 ? 1 : -1;
	if (x->metres != y->metres)
		return x->metres < y->metres ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x->guard, "callsign")),
	    json_string_value(json_object_get(y->guard, "callsign")));
}

/* Build the list of guards for the alarm. */
static void
assign_build(struct console *c, struct assign *as)
{
	struct alarm_rec *alarm = replica_alarm(&c->replica, as->id);
	json_t *g, *pt = NULL;
	const char *key;
	int64_t now = vtime_now_ms();

	if (alarm != NULL && alarm->site != NULL && alarm->point != NULL)
		pt = replica_point(&c->replica, alarm->site, alarm->point);
	as->n = 0;
	json_object_foreach(c->replica.guards, key, g) {
		const char *status = json_string_value(json_object_get(g, "status"));
		struct assign_row *r;

		if (status == NULL || strcmp(status, "off_duty") == 0 || as->n == ASSIGN_MAX)
			continue;
		r = &as->rows[as->n++];
		r->guard = g;
		r->metres = -1;
		guardpos_read(&r->pos, g, now, c->cfg.stale_after);
		if (r->pos.known && pt != NULL && json_is_number(json_object_get(pt, "lat")))
			r->metres = guardpos_metres(json_number_value(json_object_get(pt, "lat")),
			    json_number_value(json_object_get(pt, "lon")), r->pos.lat, r->pos.lon);
	}
	qsort(as->rows, (size_t)as->n, sizeof as->rows[0], assign_cmp);
}

/* Draw the picker as a box over the queue. */
static void
assign_draw(struct console *c, struct view *v, int top, int bottom)
{
	struct assign *as = v->data;
	int h = as->n + 4, w = c->cols >= 88 ? 84 : c->cols - 4, y0, x0;
	int namew = w - 4 - 58;

	if (h > bottom - top)
		h = bottom - top;
	y0 = top + (bottom - top - h) / 2;
	x0 = (c->cols - w) / 2;
	draw_box(c, y0, x0, h, w, "assign a guard");
	draw_role(c, ROLE_HEADER);
	draw_textf(c, y0 + 1, x0 + 2, w - 4, "alarm %" PRId64 ": nearest first", as->id);
	if (as->n == 0) {
		draw_role(c, ROLE_DIM);
		draw_text(c, y0 + 2, x0 + 2, w - 4, "no guard is on duty");
	}
	for (int i = 0; i < as->n && y0 + 2 + i < y0 + h - 1; i++) {
		struct assign_row *r = &as->rows[i];
		char dist[96], warn[32];
		bool doubtful = r->pos.stale || r->pos.poor || r->pos.stuck;

		guardpos_warning(&r->pos, warn, sizeof warn);
		if (r->metres < 0)
			snprintf(dist, sizeof dist, "position unknown");
		else
			snprintf(dist, sizeof dist, "%5.0f m  ~%.0f min walk  %s", r->metres,
			    ceil(r->metres / GUARDPOS_WALK_M_S / 60.0), warn);
		draw_role(c, i == as->sel ? ROLE_SELECTED :
		    doubtful ? ROLE_GUARD_STALE : ROLE_NORMAL);
		if (namew < 8)
			namew = 8;
		if (namew > 20)
			namew = 20;
		draw_textf(c, y0 + 2 + i, x0 + 2, w - 4, "%-6.6s %-*.*s %-10.10s %s",
		    json_string_value(json_object_get(r->guard, "callsign")), namew, namew,
		    json_string_value(json_object_get(r->guard, "name")),
		    json_string_value(json_object_get(r->guard, "status")), dist);
	}
}

/* Keys of the picker. */
static int
assign_key(struct console *c, struct view *v, int key, enum key_action act)
{
	struct assign *as = v->data;

	(void)key;
	switch (act) {
	case KA_UP: if (as->sel > 0) as->sel--; return VIEW_HANDLED;
	case KA_DOWN: if (as->sel < as->n - 1) as->sel++; return VIEW_HANDLED;
	case KA_BACK: return VIEW_HANDLED | VIEW_CLOSE;
	case KA_OPEN:
		if (as->n > 0)
			action_alarm(c, as->id, "assign", json_pack("{s:s}", "guard",
			    json_string_value(json_object_get(as->rows[as->sel].guard, "callsign"))));
		return VIEW_HANDLED | VIEW_CLOSE;
	default:
		return VIEW_HANDLED;
	}
}

/* The guards changed (positions, status): rebuild, keeping the selection. */
static void
assign_changed(struct console *c, struct view *v)
{
	struct assign *as = v->data;
	const char *sel = as->n > 0 ?
	    json_string_value(json_object_get(as->rows[as->sel].guard, "callsign")) : NULL;
	char keep[64] = "";

	if (sel != NULL)
		snprintf(keep, sizeof keep, "%s", sel);
	assign_build(c, as);
	as->sel = 0;
	for (int i = 0; i < as->n; i++)
		if (strcmp(json_string_value(json_object_get(as->rows[i].guard, "callsign")), keep) == 0)
			as->sel = i;
}

/* Free the picker. */
static void
assign_free(struct view *v)
{
	free(v->data);
	free(v);
}

static const struct view_ops assign_ops = {
	.name = "assign",
	.kind = VIEW_LIST,
	.opaque = false,
	.draw = assign_draw,
	.key = assign_key,
	.free = assign_free,
	.changed = assign_changed,
};

/* Pick a guard for alarm id, nearest first. */
struct view *
view_assign_new(struct console *c, int64_t id)
{
	struct assign *as = xcalloc(1, sizeof *as);

	as->id = id;
	assign_build(c, as);
	return view_new(&assign_ops, as);
}
