#include "compat.h"

#include <math.h>

#include "draw.h"
#include "guardpos.h"
#include "maps.h"
#include "tui.h"

/*
 * Drawing a map into an area of the screen, in layers: the drawing (box
 * characters at 1:1, braille dots at any other scale), the outlines
 * (braille), then as ordinary characters the site's points by state, the
 * points of open alarms (reversed and blinking while unacknowledged),
 * the guards' trails, the guards by status, and a played-back route.
 *
 * Everything from outside goes through draw_text (sanitized); the drawing's
 * own characters are printable ASCII or '?'.
 */
#define MAPDRAW_MAX_CELLS (1 << 22)   /* largest braille canvas drawn */

/* The area being drawn into. */
struct mapdraw_area {
	struct console *c;
	const struct map *m;
	const struct mapview *v;
	int top, left, h, w;
	bool ascii;
};

/* The screen cell of a drawing position (fractional), if inside the area. */
static bool
mapdraw_cell(const struct mapdraw_area *a, double row, double col, int *y, int *x)
{
	double sr, sc;

	mapview_to_screen(a->v, row, col, &sr, &sc);
	if (!(sr >= 0 && sc >= 0 && sr < a->h && sc < a->w))
		return false;
	*y = a->top + (int)floor(sr);
	*x = a->left + (int)floor(sc);
	return true;
}

/* Text at a screen cell, cut at the area's right edge (sanitized). */
static void
mapdraw_text(const struct mapdraw_area *a, int y, int x, const char *text)
{
	int room = a->left + a->w - x;
	int n = (int)strlen(text);

	if (room <= 0 || y < a->top || y >= a->top + a->h || x < a->left)
		return;
	draw_text(a->c, y, x, n < room ? n : room, text);
}

/* The drawing at 1:1: each cell its own character, walls as box characters. */
static void
mapdraw_text_layer(const struct mapdraw_area *a)
{
	int r0 = (int)floor(a->v->row0), c0 = (int)floor(a->v->col0);

	for (int y = 0; y < a->h; y++) {
		int r = r0 + y;

		if (r < 0 || r >= a->m->rows || a->m->lines == NULL)
			continue;
		for (int x = 0; x < a->w; x++) {
			int col = c0 + x;
			char ch;
			const char *g;

			if (col < 0 || col >= a->m->cols)
				continue;
			ch = a->m->lines[r][col];
			if (ch == ' ')
				continue;
			if (maprast_is_wall(ch)) {
				draw_role(a->c, ROLE_MAP_WALL);
				g = maprast_glyph(a->m, r, col, a->ascii);
			} else {
				char one[2] = { ch >= 0x20 && ch < 0x7f ? ch : '?', '\0' };

				draw_role(a->c, ROLE_DIM);
				mvaddstr(a->top + y, a->left + x, ch == '.' ? (a->ascii ? "." : "·") : one);
				continue;
			}
			mvaddstr(a->top + y, a->left + x, g);
		}
	}
}

/* Dot coordinates of the centre of a drawing cell. */
static void
mapdraw_dot(const struct mapdraw_area *a, double row, double col, int *x, int *y)
{
	double sr, sc;

	mapview_to_screen(a->v, row, col, &sr, &sc);
	*x = (int)floor(sc * BRAILLE_DOTS_X);
	*y = (int)floor(sr * BRAILLE_DOTS_Y);
}

/* The walls of the drawing as lines of dots between the centres of joined cells. */
static void
mapdraw_walls_dots(const struct mapdraw_area *a, struct braille *b)
{
	const struct map *m = a->m;
	int r0, r1, c0, c1;

	if (m->lines == NULL)
		return;
	/* Only the cells in view, with one around for lines coming in. */
	r0 = (int)floor(a->v->row0) - 1;
	c0 = (int)floor(a->v->col0) - 1;
	r1 = r0 + (int)ceil(a->h / a->v->scale) + 3;
	c1 = c0 + (int)ceil(a->w / a->v->scale) + 3;
	if (r0 < 0) r0 = 0;
	if (c0 < 0) c0 = 0;
	if (r1 > m->rows) r1 = m->rows;
	if (c1 > m->cols) c1 = m->cols;
	for (int r = r0; r < r1; r++) {
		for (int col = c0; col < c1; col++) {
			char ch = m->lines[r][col];
			int mask, x0, y0, x1, y1;

			if (!maprast_is_wall(ch))
				continue;
			mapdraw_dot(a, r + 0.5, col + 0.5, &x0, &y0);
			braille_set(b, x0, y0);
			if (ch == '#') {
				int xe, ye;

				mapdraw_dot(a, r + 1.0, col + 1.0, &xe, &ye);
				mapdraw_dot(a, r, col, &x0, &y0);
				for (int yy = y0; yy < ye; yy++)
					for (int xx = x0; xx < xe; xx++)
						braille_set(b, xx, yy);
				continue;
			}
			if (ch == '/' || ch == '\\') {
				int dc = ch == '/' ? -1 : 1;

				if (r + 1 < m->rows && col + dc >= 0 && col + dc < m->cols &&
				    maprast_is_wall(m->lines[r + 1][col + dc])) {
					mapdraw_dot(a, r + 1.5, col + dc + 0.5, &x1, &y1);
					braille_line(b, x0, y0, x1, y1);
				}
				continue;
			}
			mask = maprast_wall_mask(m, r, col);
			if (mask < 0)
				continue;
			if (mask & MAPWALL_E) {
				mapdraw_dot(a, r + 0.5, col + 1.5, &x1, &y1);
				braille_line(b, x0, y0, x1, y1);
			}
			if (mask & MAPWALL_S) {
				mapdraw_dot(a, r + 1.5, col + 0.5, &x1, &y1);
				braille_line(b, x0, y0, x1, y1);
			}
		}
	}
}

/* An ASCII character for a braille pattern, for terminals without braille. */
static char
mapdraw_ascii_dots(uint32_t cp)
{
	unsigned bits = cp - BRAILLE_BASE;
	/* Dots by position: left column 0x01 0x02 0x04 0x40, right 0x08 0x10 0x20 0x80. */
	unsigned left = bits & 0x47, right = bits & 0xb8;
	unsigned rows[4] = { bits & 0x09, bits & 0x12, bits & 0x24, bits & 0xc0 };
	int full_rows = 0, used_rows = 0;

	for (int i = 0; i < 4; i++) {
		full_rows += rows[i] == (i == 0 ? 0x09u : i == 1 ? 0x12u : i == 2 ? 0x24u : 0xc0u);
		used_rows += rows[i] != 0;
	}
	if (full_rows > 0 && used_rows >= 3)
		return '+';
	if (full_rows > 0)
		return '-';
	if (used_rows >= 2 && (left == 0 || right == 0))
		return '|';
	if (used_rows >= 2)
		return used_rows == 4 ? '+' : (bits & 0x01) || (bits & 0x80) ? '\\' : '/';
	return '.';
}

/* The outlines, and the drawing's walls when walls, as braille dots. */
static void
mapdraw_dots_layer(const struct mapdraw_area *a, bool walls)
{
	struct braille *b;

	if ((long)a->w * a->h > MAPDRAW_MAX_CELLS)
		return;
	b = braille_new(a->w, a->h);
	if (walls)
		mapdraw_walls_dots(a, b);
	maprast_outlines(a->m, a->v, 0, b);
	draw_role(a->c, ROLE_MAP_WALL);
	for (int y = 0; y < a->h; y++) {
		for (int x = 0; x < a->w; x++) {
			uint32_t cp = braille_cell(b, y, x);
			char u[8];

			if (cp == 0)
				continue;
			if (a->ascii) {
				u[0] = mapdraw_ascii_dots(cp);
				u[1] = '\0';
			} else
				u[braille_utf8(cp, u)] = '\0';
			mvaddstr(a->top + y, a->left + x, u);
		}
	}
	braille_free(b);
}

/* Where point (of site) is on map m: its marker's cell, else its projection on an outdoor map. */
bool
mapdraw_point_cell(struct console *c, const struct map *m, const char *site,
    const char *point, double *row, double *col)
{
	const struct map_marker *mk = mapfile_marker_for(m, point);
	json_t *pt;

	if (mk != NULL) {
		*row = mk->row + 0.5;
		*col = mk->col + 0.5;
		return true;
	}
	if (m->kind != MAP_OUTDOOR ||
	    (pt = replica_point(&c->replica, site, point)) == NULL ||
	    !json_is_number(json_object_get(pt, "lat")) ||
	    !json_is_number(json_object_get(pt, "lon")))
		return false;
	return mapproj_to_cell(m, json_number_value(json_object_get(pt, "lat")),
	    json_number_value(json_object_get(pt, "lon")), row, col) == 0;
}

/* The theme role of a point's state. */
static enum theme_role
mapdraw_point_role(const char *state)
{
	if (state == NULL || strcmp(state, "normal") == 0)
		return ROLE_MAP_POINT;
	if (strcmp(state, "open") == 0)
		return ROLE_MAP_POINT_OPEN;
	if (strcmp(state, "fault") == 0)
		return ROLE_MAP_POINT_FAULT;
	return ROLE_MAP_POINT_ALARM;
}

/* What the open alarms say of a point: any alarm, any not yet acknowledged, the focus. */
#define MAPDRAW_ALARM_OPEN    0x1
#define MAPDRAW_ALARM_UNACKED 0x2
#define MAPDRAW_ALARM_FOCUS   0x4

/* The open alarms of site in one pass, as MAPDRAW_ALARM_* bits by point key (decref it). */
static json_t *
mapdraw_point_alarms(struct console *c, const char *site, int64_t focus)
{
	struct tui_queue *q = tui_queue(c);
	json_t *bits = json_object();

	for (size_t i = 0; i < q->n; i++) {
		struct alarm_rec *al = q->rows[i];
		json_int_t b;

		if (al->site == NULL || al->point == NULL || strcmp(al->site, site) != 0)
			continue;
		b = json_integer_value(json_object_get(bits, al->point)) | MAPDRAW_ALARM_OPEN;
		if (al->state == ALARM_NEW)
			b |= MAPDRAW_ALARM_UNACKED;
		if (al->id == focus)
			b |= MAPDRAW_ALARM_FOCUS;
		json_object_set_new(bits, al->point, json_integer(b));
	}
	return bits;
}

/* The site's points on the map, by state, and those of open alarms. */
static void
mapdraw_points(const struct mapdraw_area *a, const struct mapdraw_opts *o)
{
	struct console *c = a->c;
	json_t *points = json_object_get(c->replica.points, o->site), *pt;
	const char *key;
	struct alarm_rec *focus = o->focus_alarm != 0 ?
	    replica_alarm(&c->replica, o->focus_alarm) : NULL;
	json_t *focus_pt = NULL;
	json_t *alarmed = mapdraw_point_alarms(c, o->site, o->focus_alarm);
	int focus_y = 0, focus_x = 0, focus_len = 0;

	json_object_foreach(points, key, pt) {
		const struct map_marker *mk = mapfile_marker_for(a->m, key);
		json_int_t al = json_integer_value(json_object_get(alarmed, key));
		double row, col;
		int y, x;

		if (!mapdraw_point_cell(c, a->m, o->site, key, &row, &col) ||
		    !mapdraw_cell(a, row, col, &y, &x))
			continue;
		if (focus != NULL && focus->point != NULL && strcmp(focus->point, key) == 0)
			al |= MAPDRAW_ALARM_FOCUS;
		draw_role(c, (al & MAPDRAW_ALARM_OPEN) ? ROLE_MAP_POINT_ALARM :
		    mapdraw_point_role(json_string_value(json_object_get(pt, "state"))));
		if (al & MAPDRAW_ALARM_UNACKED)
			attron(A_REVERSE | A_BLINK);
		if (al & MAPDRAW_ALARM_FOCUS)
			attron(A_REVERSE | A_BOLD);
		mapdraw_text(a, y, x, mk != NULL ? mk->marker : a->ascii ? "*" : "●");
		if (al & MAPDRAW_ALARM_FOCUS) {
			focus_pt = pt;
			focus_y = y;
			focus_x = x;
			focus_len = mk != NULL ? (int)strlen(mk->marker) : 1;
		}
	}
	json_decref(alarmed);
	/* The focus last, so that no other point covers its label. */
	if (focus_pt != NULL) {
		draw_role(c, ROLE_SELECTED);
		if (focus_x > a->left)
			mapdraw_text(a, focus_y, focus_x - 1, "[");
		mapdraw_text(a, focus_y, focus_x + focus_len, "]");
		if (o->labels) {
			char label[LIMIT_NAME_LEN + 2];

			snprintf(label, sizeof label, " %s",
			    json_string_value(json_object_get(focus_pt, "label")));
			mapdraw_text(a, focus_y, focus_x + focus_len + 1, label);
		}
	}
}

/* The theme role of a guard's status. */
static enum theme_role
mapdraw_guard_role(const char *status)
{
	if (status == NULL)
		return ROLE_GUARD_OFF_DUTY;
	if (strcmp(status, "on_scene") == 0)
		return ROLE_GUARD_ON_SCENE;
	if (strcmp(status, "dispatched") == 0)
		return ROLE_GUARD_DISPATCHED;
	if (strcmp(status, "available") == 0)
		return ROLE_GUARD_AVAILABLE;
	return ROLE_GUARD_OFF_DUTY;
}

/* A guard's trail: its positions of the last MAPS_TRAIL_S seconds, faded. */
static void
mapdraw_trail(const struct mapdraw_area *a, const struct trail_fix *fix, int n,
    int64_t since_ms)
{
	double row, col;
	int y, x;

	draw_role(a->c, ROLE_MAP_TRAIL);
	for (int i = 0; i < n; i++) {
		if (fix[i].ts_ms < since_ms ||
		    mapproj_to_cell(a->m, fix[i].lat, fix[i].lon, &row, &col) != 0 ||
		    !mapdraw_cell(a, row, col, &y, &x))
			continue;
		mvaddstr(y, x, a->ascii ? "." : "·");
	}
}

/* The guards on duty at their projected positions, with their trails. */
static void
mapdraw_guards(const struct mapdraw_area *a, const struct mapdraw_opts *o)
{
	struct console *c = a->c;
	const char *callsign;
	json_t *g;

	json_object_foreach(c->replica.guards, callsign, g) {
		const char *status = json_string_value(json_object_get(g, "status"));
		const char *site = json_string_value(json_object_get(g, "site"));
		const struct trail *t;
		struct guardpos gp;
		double row, col;
		char label[40];
		int y, x;

		if (status == NULL || strcmp(status, "off_duty") == 0 ||
		    (site != NULL && strcmp(site, o->site) != 0))
			continue;
		guardpos_read(&gp, g, o->now_ms, c->cfg.stale_after);
		if (!gp.known || mapproj_to_cell(a->m, gp.lat, gp.lon, &row, &col) != 0)
			continue;
		if ((t = trails_get(c, callsign)) != NULL && t->n > 1)
			mapdraw_trail(a, t->fix, t->n - 1, o->now_ms - MAPS_TRAIL_S * 1000);
		if (!mapdraw_cell(a, row, col, &y, &x))
			continue;
		snprintf(label, sizeof label, "%s%s", callsign,
		    gp.stuck || gp.stale ? "?" : "");
		draw_role(c, gp.stale || gp.stuck ? ROLE_GUARD_STALE : mapdraw_guard_role(status));
		attron(A_BOLD);
		if (o->focus_guard != NULL && strcmp(o->focus_guard, callsign) == 0)
			attron(A_REVERSE);
		mapdraw_text(a, y, x, label);
	}
}

/* A played-back route: the fixes up to the current step, the guard at it. */
static void
mapdraw_track(const struct mapdraw_area *a, const struct mapdraw_opts *o)
{
	const struct trail_fix *f;
	double row, col;
	int y, x;

	if (o->ntrack == 0)
		return;
	mapdraw_trail(a, o->track, o->track_step, INT64_MIN);
	f = &o->track[o->track_step];
	if (mapproj_to_cell(a->m, f->lat, f->lon, &row, &col) != 0 ||
	    !mapdraw_cell(a, row, col, &y, &x))
		return;
	draw_role(a->c, ROLE_MAP_GUARD);
	attron(A_REVERSE | A_BOLD);
	mapdraw_text(a, y, x, o->focus_guard != NULL ? o->focus_guard : "@");
}

/* Draw map m with viewport v into an area of the screen, with its overlays. */
void
mapdraw_area(struct console *c, const struct map *m, const struct mapview *v,
    int top, int left, int h, int w, const struct mapdraw_opts *o)
{
	struct mapview whole = *v;
	struct mapdraw_area a = {
		.c = c, .m = m, .v = &whole, .top = top, .left = left, .h = h, .w = w,
		.ascii = c->map_ascii || !c->utf8,
	};

	if (h <= 0 || w <= 0)
		return;
	/* At 1:1 a screen cell is a drawing cell: points and guards fall in the cell drawn. */
	if (v->scale == 1.0) {
		whole.row0 = floor(v->row0);
		whole.col0 = floor(v->col0);
	}
	draw_role(c, ROLE_NORMAL);
	for (int y = 0; y < h; y++)
		mvhline(top + y, left, ' ', w);
	/* At 1:1 the drawing is text (over the outlines); otherwise all is dots. */
	if (whole.scale == 1.0 && m->lines != NULL) {
		if (m->noutlines > 0)
			mapdraw_dots_layer(&a, false);
		mapdraw_text_layer(&a);
	} else
		mapdraw_dots_layer(&a, true);
	if (o->site != NULL)
		mapdraw_points(&a, o);
	if (o->guards && o->site != NULL)
		mapdraw_guards(&a, o);
	if (o->track != NULL)
		mapdraw_track(&a, o);
	draw_role(c, ROLE_NORMAL);
}
