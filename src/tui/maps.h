/*
 * maps.h: the console's site maps (vigil-map(5)): the maps of each site,
 * fetched once and kept; the guards' recent trails; and drawing a map with
 * its points, alarms and guards into an area of the screen.
 */
#ifndef VIGIL_MAPS_H
#define VIGIL_MAPS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "mapfile.h"
#include "maprast.h"

struct console;

#define MAPS_TRAIL_MAX      120     /* positions kept per guard for its trail */
#define MAPS_TRAIL_S        600     /* a trail shows the last ten minutes */
#define MAPS_PER_SITE_MAX   64      /* maps of one site the console keeps */

enum mapset_state { MAPSET_LOADING, MAPSET_READY, MAPSET_FAILED };

struct mapset;

/* A map text on its way: which set and which place in it. */
struct mapset_slot {
	struct mapset *set;
	int index;
};

/* The maps of one site. */
struct mapset {
	char *site;
	enum mapset_state state;
	char *error;                 /* why it failed (sanitized when drawn) */
	struct map *maps[MAPS_PER_SITE_MAX];
	struct mapset_slot slots[MAPS_PER_SITE_MAX];
	int n;
	int waiting;                 /* map texts still to come */
	int64_t tried_ms;            /* monotonic time of the last attempt */
	struct console *c;
	struct mapset *next;
};

/* A position of a guard, for trails and track playback. */
struct trail_fix {
	int64_t ts_ms;
	double lat, lon;
};

/* A guard's recent positions, oldest first, from the stream and its track. */
struct trail {
	char callsign[32];
	struct trail_fix fix[MAPS_TRAIL_MAX];
	int n;
	bool fetched;                /* its last minutes were asked of the server */
	struct console *c;
	struct trail *next;
};

/* mapcache.c: the maps of site, fetched when first asked for (never NULL). */
struct mapset *mapcache_get(struct console *c, const char *site);
/* mapcache.c: forget every site's maps (at exit). */
void mapcache_free(struct console *c);
/*
 * mapcache.c: the index of the map of set that best shows point (its
 * marker, else an outdoor map), or -1.
 */
int mapcache_find_point(const struct mapset *set, const char *point);

/* trails.c: a guard.position message arrived (data of the message). */
void trails_add(struct console *c, json_t *data);
/* trails.c: the trail of callsign, or NULL. */
const struct trail *trails_get(struct console *c, const char *callsign);
/* trails.c: ask the server for the last minutes of site's guards on duty, once each. */
void trails_fetch(struct console *c, const char *site);
/* trails.c: forget every trail (at exit). */
void trails_free(struct console *c);

/* What mapdraw_area draws besides the map itself. */
struct mapdraw_opts {
	const char *site;            /* the map's site, for its points and guards */
	int64_t focus_alarm;         /* an alarm whose point is marked out, or 0 */
	const char *focus_guard;     /* a guard marked out, or NULL */
	bool guards;                 /* draw the guards and their trails */
	bool labels;                 /* point labels beside their markers */
	const struct trail_fix *track; /* a guard's route (track playback), or NULL */
	int ntrack;
	int track_step;              /* the fix the playback stands at */
	int64_t now_ms;
	int64_t blink_phase;         /* flashing: even shows, odd inverts */
};

/*
 * mapdraw.c: draw map m with viewport v into the screen rows [top, top+h)
 * and columns [left, left+w): the drawing (box characters, or braille when
 * not 1:1), outlines, then the site's points by state, alarms, guards and
 * trails on top as ordinary characters.
 */
void mapdraw_area(struct console *c, const struct map *m, const struct mapview *v,
    int top, int left, int h, int w, const struct mapdraw_opts *o);
/*
 * mapdraw.c: where point (of site) is on map m: its marker's cell, else its
 * projected position when it has one and the map is outdoor.  false if not shown.
 */
bool mapdraw_point_cell(struct console *c, const struct map *m, const char *site,
    const char *point, double *row, double *col);

/* view_map.c: the map view of site, centred on alarm (0: none), on guard (NULL: none). */
struct view *view_map_new(struct console *c, const char *site, int64_t alarm,
    const char *guard);
/* view_map.c: play back guard's route from since_ms to until_ms on its site's maps. */
struct view *view_track_new(struct console *c, const char *guard, int64_t since_ms,
    int64_t until_ms);

#endif
