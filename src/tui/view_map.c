#include "compat.h"

#include <math.h>

#include "draw.h"
#include "maps.h"
#include "rest.h"
#include "tui.h"
#include "view.h"
#include "vtime.h"

/*
 * The map view: one of a site's maps with its points, alarms and guards
 * (mapdraw.c), panned with the arrows or hjkl, zoomed from "fit" through
 * 1:1 to closer (braille), switched between the site's maps with Tab.
 * Opened on an alarm it shows the map with the alarm's point, centred and
 * marked.  The same view plays back a guard's route (GET
 * /api/v1/guards/CALLSIGN/track): the fixes stepped through in time.
 */
#define MAPV_PAN_CELLS    8        /* screen cells a pan key moves */
#define MAPV_SCALE_MIN    0.05
#define MAPV_SCALE_MAX    8.0
#define MAPV_PLAY_STEP_MS 250      /* playback: one fix this often */
#define MAPV_TRACK_MAX    20000    /* fixes of a route kept */

struct mapv {
	char *site;
	int index;                /* the map shown, in the site's list */
	struct mapview v;
	bool fit;                 /* the viewport follows the area: fit the map */
	bool chosen;              /* the map to show first was picked */
	bool placed;              /* the viewport was set for this map */
	int last_h, last_w;       /* the area it was set for */
	int64_t alarm;            /* centred on this alarm's point, or 0 */
	char *guard;              /* the guard followed or played back, or NULL */
	bool legend;

	/* Track playback. */
	bool track;
	struct trail_fix *fix;
	int nfix, step;
	bool playing;
	int64_t played_ms;        /* monotonic time of the last step */
	int64_t since_ms, until_ms;
	struct rest_req *req;
	char *error;
};

/* The map shown, or NULL while the site's maps load or when it has none. */
static const struct map *
mapv_map(struct console *c, struct mapv *mv)
{
	struct mapset *set = mapcache_get(c, mv->site);

	if (set->state != MAPSET_READY || set->n == 0)
		return NULL;
	if (mv->index < 0 || mv->index >= set->n)
		mv->index = 0;
	return set->maps[mv->index];
}

/* Centre the viewport on a drawing position. */
static void
mapv_centre_on(struct mapv *mv, double row, double col, int h, int w)
{
	mv->v.row0 = row - h / (2.0 * mv->v.scale);
	mv->v.col0 = col - w / (2.0 * mv->v.scale);
	mv->fit = false;
}

/* Where the view's subject is: the alarm's point, the guard, the played fix. */
static bool
mapv_subject(struct console *c, struct mapv *mv, const struct map *m,
    double *row, double *col)
{
	if (mv->track && mv->nfix > 0)
		return mapproj_to_cell(m, mv->fix[mv->step].lat, mv->fix[mv->step].lon,
		    row, col) == 0;
	if (mv->alarm != 0) {
		struct alarm_rec *a = replica_alarm(&c->replica, mv->alarm);

		return a != NULL && a->point != NULL &&
		    mapdraw_point_cell(c, m, mv->site, a->point, row, col);
	}
	if (mv->guard != NULL) {
		json_t *pos = json_object_get(replica_guard(&c->replica, mv->guard), "position");

		return json_is_object(pos) && mapproj_to_cell(m,
		    json_number_value(json_object_get(pos, "lat")),
		    json_number_value(json_object_get(pos, "lon")), row, col) == 0;
	}
	return false;
}

/* Set the viewport for a newly shown map: 1:1 on the subject, else fit. */
static void
mapv_place(struct console *c, struct mapv *mv, const struct map *m, int h, int w)
{
	double row, col;

	mv->placed = true;
	mv->last_h = h;
	mv->last_w = w;
	if (mapv_subject(c, mv, m, &row, &col)) {
		mv->v.scale = m->lines != NULL ? 1.0 : 2.0;
		mapv_centre_on(mv, row, col, h, w);
		return;
	}
	mapview_fit(m, w, h, &mv->v);
	mv->fit = true;
}

/* Pick the map that shows the subject best, when the site's maps have come. */
static void
mapv_choose(struct console *c, struct mapv *mv)
{
	struct mapset *set = mapcache_get(c, mv->site);
	struct alarm_rec *a;
	double row, col;

	if (set->state != MAPSET_READY || mv->chosen)
		return;
	mv->chosen = true;
	if (mv->alarm != 0 && (a = replica_alarm(&c->replica, mv->alarm)) != NULL) {
		int i = mapcache_find_point(set, a->point);

		if (i >= 0)
			mv->index = i;
		return;
	}
	/* A guard or a route: the first map the position falls inside. */
	for (int i = 0; i < set->n; i++) {
		const struct map *m = set->maps[i];

		mv->index = i;
		if (mapv_subject(c, mv, m, &row, &col) && row >= 0 && col >= 0 &&
		    row < m->rows && col < m->cols)
			return;
	}
	mv->index = mapcache_find_point(set, NULL);
}

/* The scale shown in the header: "fit", "1:1", "x2", "1/4". */
static const char *
mapv_scale_name(const struct mapv *mv, char *buf, size_t len)
{
	if (mv->fit)
		snprintf(buf, len, "fit");
	else if (mv->v.scale >= 1.0)
		snprintf(buf, len, mv->v.scale == 1.0 ? "1:1" : "x%g", mv->v.scale);
	else
		snprintf(buf, len, "1/%g", 1.0 / mv->v.scale);
	return buf;
}

/* The legend: markers and what the marks mean, in a box at the right. */
static void
mapv_legend(struct console *c, const struct map *m, const char *site, int top, int bottom)
{
	int w = 44, x0 = c->cols - w, y = top + 1, h = bottom - top;
	static const struct { enum theme_role role; const char *text; } keys[] = {
		{ ROLE_MAP_POINT, "A   point, normal" },
		{ ROLE_MAP_POINT_OPEN, "A   point, open" },
		{ ROLE_MAP_POINT_ALARM, "A   point with an open alarm" },
		{ ROLE_MAP_POINT_FAULT, "A   point in fault" },
		{ ROLE_GUARD_AVAILABLE, "G1  guard, available" },
		{ ROLE_GUARD_DISPATCHED, "G1  guard, dispatched" },
		{ ROLE_GUARD_ON_SCENE, "G1  guard, on scene" },
		{ ROLE_GUARD_STALE, "G1? guard, stale or stuck fix" },
		{ ROLE_MAP_TRAIL, ".   the guard's last minutes" },
	};

	if (x0 < 0 || h < 4)
		return;
	draw_box(c, top, x0, h, w, "legend");
	for (size_t i = 0; i < ARRAY_LEN(keys) && y < bottom - 1; i++, y++) {
		draw_role(c, keys[i].role);
		draw_text(c, y, x0 + 2, w - 4, keys[i].text);
	}
	for (size_t i = 0; i < m->nmarkers && y < bottom - 1; i++, y++) {
		json_t *pt = replica_point(&c->replica, site, m->markers[i].point);
		const char *label = m->markers[i].label != NULL ? m->markers[i].label :
		    pt != NULL ? json_string_value(json_object_get(pt, "label")) : NULL;

		draw_role(c, ROLE_MAP_POINT);
		draw_text(c, y, x0 + 2, 4, m->markers[i].marker);
		draw_role(c, ROLE_NORMAL);
		draw_text(c, y, x0 + 6, w - 8, label != NULL ? label : m->markers[i].point);
	}
}

/* Advance a playing route by the time gone by; ask for another pass. */
static void
mapv_play(struct console *c, struct mapv *mv)
{
	int64_t now = vtime_mono_ms();

	if (!mv->playing)
		return;
	while (now - mv->played_ms >= MAPV_PLAY_STEP_MS && mv->step < mv->nfix - 1) {
		mv->step++;
		mv->played_ms += MAPV_PLAY_STEP_MS;
	}
	if (mv->step >= mv->nfix - 1)
		mv->playing = false;
	else
		c->redraw_again_ms = MAPV_PLAY_STEP_MS;
}

/* The header line: which map, the scale, what is played. */
static void
mapv_header(struct console *c, struct mapv *mv, const struct map *m, int y)
{
	struct mapset *set = mapcache_get(c, mv->site);
	json_t *site = json_object_get(c->replica.sites, mv->site);
	const char *sname = json_string_value(json_object_get(site, "name"));
	char sc[16], line[512], when[VTIME_ISO_LEN] = "";

	draw_role(c, ROLE_HEADER);
	move(y, 0);
	clrtoeol();
	if (mv->track && mv->nfix > 0)
		vtime_format(mv->fix[mv->step].ts_ms, when, sizeof when);
	if (mv->track)
		snprintf(line, sizeof line, "track %s  %s  %d/%d %s  %s", mv->guard,
		    mv->nfix > 0 ? when : "", mv->nfix > 0 ? mv->step + 1 : 0, mv->nfix,
		    mv->playing ? "playing" : "", m != NULL ? m->name : "");
	else
		snprintf(line, sizeof line, "map  %s  %s", sname != NULL ? sname : mv->site,
		    m != NULL ? m->name : "");
	draw_text(c, y, 0, c->cols - 24, line);
	if (m != NULL)
		draw_textf(c, y, c->cols - 24, 24, "%d/%d  %s", mv->index + 1, set->n,
		    mapv_scale_name(mv, sc, sizeof sc));
}

/* Draw the map view. */
static void
mapv_draw(struct console *c, struct view *v, int top, int bottom)
{
	struct mapv *mv = v->data;
	struct mapset *set = mapcache_get(c, mv->site);
	const struct map *m;
	struct mapdraw_opts o = { 0 };
	int h = bottom - top - 1, w = c->cols;

	mapv_choose(c, mv);
	m = mapv_map(c, mv);
	if (m != NULL && mv->error == NULL && !(mv->track && mv->req != NULL)) {
		if (!mv->placed)
			mapv_place(c, mv, m, h, w);
		else if (mv->fit && (h != mv->last_h || w != mv->last_w))
			mapview_fit(m, w, h, &mv->v);
		mv->last_h = h;
		mv->last_w = w;
	}
	mapv_header(c, mv, m, top);
	if (m == NULL || mv->error != NULL || (mv->track && mv->req != NULL)) {
		const char *why = mv->error != NULL ? mv->error :
		    mv->track && mv->req != NULL ? "fetching the route..." :
		    set->state == MAPSET_LOADING ? "fetching the site's maps..." :
		    set->state == MAPSET_FAILED ? set->error : "this site has no maps";

		draw_role(c, mv->error != NULL || set->state == MAPSET_FAILED ?
		    ROLE_ERROR : ROLE_DIM);
		for (int y = top + 1; y < bottom; y++) {
			move(y, 0);
			clrtoeol();
		}
		draw_text(c, top + 2, 2, c->cols - 4, why != NULL ? why : "");
		return;
	}
	mapv_play(c, mv);
	if (!mv->track)
		trails_fetch(c, mv->site);
	o.site = mv->site;
	o.focus_alarm = mv->alarm;
	o.focus_guard = mv->guard;
	o.guards = !mv->track;
	o.labels = true;
	o.now_ms = vtime_now_ms();
	if (mv->track && mv->nfix > 0) {
		o.track = mv->fix;
		o.ntrack = mv->nfix;
		o.track_step = mv->step;
	}
	mapdraw_area(c, m, &mv->v, top + 1, 0, h, w, &o);
	if (mv->legend)
		mapv_legend(c, m, mv->site, top + 1, bottom);
}

/* Zoom to scale, keeping the centre of the area where it is. */
static void
mapv_zoom(struct mapv *mv, double scale, int h, int w)
{
	double row = mv->v.row0 + h / (2.0 * mv->v.scale);
	double col = mv->v.col0 + w / (2.0 * mv->v.scale);

	if (scale < MAPV_SCALE_MIN)
		scale = MAPV_SCALE_MIN;
	if (scale > MAPV_SCALE_MAX)
		scale = MAPV_SCALE_MAX;
	mv->v.scale = scale;
	mapv_centre_on(mv, row, col, h, w);
}

/* The next zoom step in or out from the current scale: ..., 1/4, 1/2, 1, 2, 4, 8. */
static double
mapv_step_scale(double scale, bool in)
{
	double s = pow(2.0, in ? floor(log2(scale) + 1e-9) + 1 : ceil(log2(scale) - 1e-9) - 1);

	return s;
}

/* The track reply: keep the fixes and show the first. */
static void
mapv_on_track(void *arg, const struct rest_reply *r)
{
	struct view *v = arg;
	struct mapv *mv = v->data;
	json_t *list = json_object_get(r->json, "positions"), *p;
	size_t i;

	mv->req = NULL;
	mv->chosen = false;
	if (r->status != 200 || !json_is_array(list)) {
		free(mv->error);
		mv->error = xasprintf("the route of %s: %s", mv->guard,
		    r->error != NULL ? r->error : "no positions in the reply");
		return;
	}
	mv->fix = xcalloc(json_array_size(list) + 1, sizeof *mv->fix);
	json_array_foreach(list, i, p) {
		struct trail_fix *f = &mv->fix[mv->nfix];

		if (mv->nfix == MAPV_TRACK_MAX ||
		    vtime_parse(json_string_value(json_object_get(p, "ts")), &f->ts_ms) != 0 ||
		    !json_is_number(json_object_get(p, "lat")) ||
		    !json_is_number(json_object_get(p, "lon")))
			continue;
		f->lat = json_number_value(json_object_get(p, "lat"));
		f->lon = json_number_value(json_object_get(p, "lon"));
		mv->nfix++;
	}
	if (mv->nfix == 0)
		mv->error = xasprintf("%s has no positions in that period", mv->guard);
	mv->placed = false;
}

/* Keys of the map view. */
static int
mapv_key(struct console *c, struct view *v, int key, enum key_action act)
{
	struct mapv *mv = v->data;
	struct mapset *set = mapcache_get(c, mv->site);
	const struct map *m = mapv_map(c, mv);
	int h = mv->last_h > 0 ? mv->last_h : c->rows - 3, w = c->cols;
	double pan = MAPV_PAN_CELLS / mv->v.scale, row, col;

	(void)key;
	if (act == KA_BACK)
		return VIEW_HANDLED | VIEW_CLOSE;
	if (m == NULL)
		return act == KA_HELP || act == KA_COMMAND || act == KA_REDRAW ?
		    VIEW_IGNORED : VIEW_HANDLED;
	switch (act) {
	case KA_UP: mv->v.row0 -= pan / 2; mv->fit = false; break;
	case KA_DOWN: mv->v.row0 += pan / 2; mv->fit = false; break;
	case KA_LEFT: mv->v.col0 -= pan; mv->fit = false; break;
	case KA_RIGHT: mv->v.col0 += pan; mv->fit = false; break;
	case KA_PGUP: mv->v.row0 -= h / mv->v.scale; mv->fit = false; break;
	case KA_PGDN: mv->v.row0 += h / mv->v.scale; mv->fit = false; break;
	case KA_ZOOM_IN: mapv_zoom(mv, mapv_step_scale(mv->v.scale, true), h, w); break;
	case KA_ZOOM_OUT: mapv_zoom(mv, mapv_step_scale(mv->v.scale, false), h, w); break;
	case KA_ZOOM_ONE: mapv_zoom(mv, 1.0, h, w); break;
	case KA_ZOOM_FIT:
		mapview_fit(m, w, h, &mv->v);
		mv->fit = true;
		break;
	case KA_MAP_NEXT:
	case KA_MAP_PREV:
		mv->index = (mv->index + (act == KA_MAP_NEXT ? 1 : set->n - 1)) % set->n;
		mv->placed = false;
		break;
	case KA_LEGEND: mv->legend = !mv->legend; break;
	case KA_CENTRE:
		if (mapv_subject(c, mv, m, &row, &col))
			mapv_centre_on(mv, row, col, h, w);
		else
			tui_message(c, false, "nothing to centre on in this map");
		break;
	case KA_HOME: mv->step = 0; mv->playing = false; break;
	case KA_END: mv->step = mv->nfix > 0 ? mv->nfix - 1 : 0; mv->playing = false; break;
	case KA_STEP_BACK: if (mv->step > 0) mv->step--; mv->playing = false; break;
	case KA_STEP_FORWARD: if (mv->step < mv->nfix - 1) mv->step++; mv->playing = false; break;
	case KA_PLAY:
		if (!mv->track || mv->nfix < 2)
			break;
		if (mv->step >= mv->nfix - 1)
			mv->step = 0;
		mv->playing = !mv->playing;
		mv->played_ms = vtime_mono_ms();
		break;
	case KA_TRACK:
		tui_push(c, view_prompt_new(c, "track: CALLSIGN [-2h]:", cmdline_track, NULL));
		break;
	case KA_HELP:
	case KA_COMMAND:
	case KA_REDRAW:
		return VIEW_IGNORED;
	default:
		break;
	}
	return VIEW_HANDLED;
}

/* The replica or the maps changed: redraw (the dirty flag is set by the caller). */
static void
mapv_changed(struct console *c, struct view *v)
{
	(void)c;
	(void)v;
}

/* Free the view. */
static void
mapv_free(struct view *v)
{
	struct mapv *mv = v->data;

	if (mv->req != NULL)
		rest_cancel(mv->req);
	free(mv->site);
	free(mv->guard);
	free(mv->fix);
	free(mv->error);
	free(mv);
	free(v);
}

static const struct view_ops mapv_ops = {
	.name = "map",
	.kind = VIEW_MAP,
	.opaque = true,
	.draw = mapv_draw,
	.key = mapv_key,
	.free = mapv_free,
	.changed = mapv_changed,
};

/* The map view of site, centred on alarm (0: none), on guard (NULL: none). */
struct view *
view_map_new(struct console *c, const char *site, int64_t alarm, const char *guard)
{
	struct mapv *mv = xcalloc(1, sizeof *mv);

	mv->site = xstrdup(site);
	mv->alarm = alarm;
	mv->guard = guard != NULL ? xstrdup(guard) : NULL;
	mv->v.scale = 1.0;
	(void)mapcache_get(c, site);
	return view_new(&mapv_ops, mv);
}

/* Play back guard's route from since_ms to until_ms on its site's maps. */
struct view *
view_track_new(struct console *c, const char *guard, int64_t since_ms, int64_t until_ms)
{
	json_t *g = replica_guard(&c->replica, guard);
	const char *site = json_string_value(json_object_get(g, "site"));
	struct view *v;
	struct mapv *mv;
	char path[256], a[VTIME_ISO_LEN], b[VTIME_ISO_LEN], *cause = NULL;

	if (site == NULL)
		return NULL;
	v = view_map_new(c, site, 0, guard);
	mv = v->data;
	mv->track = true;
	mv->since_ms = since_ms;
	mv->until_ms = until_ms;
	vtime_format(since_ms, a, sizeof a);
	vtime_format(until_ms, b, sizeof b);
	snprintf(path, sizeof path, "/api/v1/guards/%s/track?since=%s&until=%s", guard, a, b);
	mv->req = rest_request(c->rest, "GET", path, NULL, mapv_on_track, v, &cause);
	if (mv->req == NULL) {
		mv->error = cause;
	}
	return v;
}
