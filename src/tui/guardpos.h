/*
 * guardpos.h: what a guard's last position is worth, the same everywhere
 * the console shows it (the guards pane, the assign picker, the map).
 */
#ifndef VIGIL_GUARDPOS_H
#define VIGIL_GUARDPOS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#define GUARDPOS_POOR_M        50.0   /* a fix less accurate than this is poor */
#define GUARDPOS_STUCK_COUNT   3      /* the same fix this many times in a row... */
#define GUARDPOS_STUCK_S       60     /* ...over at least this long, while dispatched */
#define GUARDPOS_WALK_M_S      1.4    /* walking speed for estimates */

struct guardpos {
	bool known;             /* the guard has a position */
	double lat, lon;
	double accuracy;        /* metres, -1 when not given */
	int64_t ts_ms;          /* time of the fix */
	int64_t age_ms;         /* now - ts_ms */
	bool stale;             /* older than the console's stale_after */
	bool poor;              /* accuracy worse than GUARDPOS_POOR_M */
	bool stuck;             /* the same fix repeated while dispatched or on scene */
	int64_t stuck_ms;       /* how long the fix has not moved */
};

/* Read guard's position (a replica guard object) as of now_ms. */
void guardpos_read(struct guardpos *p, json_t *guard, int64_t now_ms, int stale_after_s);
/* Distance in metres between two positions (haversine). */
double guardpos_metres(double lat1, double lon1, double lat2, double lon2);
/* A short warning about the fix ("STALE FIX 4 min", "POOR FIX ±80 m", "GPS STUCK"), or "". */
const char *guardpos_warning(const struct guardpos *p, char *buf, size_t len);

#endif
