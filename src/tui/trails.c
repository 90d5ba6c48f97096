#include "compat.h"

#include "log.h"
#include "maps.h"
#include "rest.h"
#include "tui.h"
#include "vtime.h"

/*
 * The guards' recent positions, for the faded trails on the map: what the
 * stream brought, and when a map first shows a guard, its last minutes
 * from GET /api/v1/guards/CALLSIGN/track.  At most MAPS_TRAIL_MAX per
 * guard, in time order, the oldest dropped.
 */

/* The trail of callsign, or NULL. */
const struct trail *
trails_get(struct console *c, const char *callsign)
{
	for (struct trail *t = c->trails; t != NULL; t = t->next)
		if (strcmp(t->callsign, callsign) == 0)
			return t;
	return NULL;
}

/* The trail of callsign, made when there is none; NULL for an unusable callsign. */
static struct trail *
trails_make(struct console *c, const char *callsign)
{
	struct trail *t = (struct trail *)trails_get(c, callsign);

	if (t != NULL || strlen(callsign) >= sizeof t->callsign)
		return t;
	t = xcalloc(1, sizeof *t);
	snprintf(t->callsign, sizeof t->callsign, "%s", callsign);
	t->c = c;
	t->next = c->trails;
	c->trails = t;
	return t;
}

/* Put a fix in its place in time (a fix of a time already held is dropped). */
static void
trails_put(struct trail *t, int64_t ts, double lat, double lon)
{
	int i = t->n;

	while (i > 0 && t->fix[i - 1].ts_ms > ts)
		i--;
	if (i > 0 && t->fix[i - 1].ts_ms == ts)
		return;
	if (t->n == MAPS_TRAIL_MAX) {
		if (i == 0)
			return;       /* older than all of a full trail */
		memmove(&t->fix[0], &t->fix[1], (size_t)(i - 1) * sizeof t->fix[0]);
		i--;
	} else {
		memmove(&t->fix[i + 1], &t->fix[i], (size_t)(t->n - i) * sizeof t->fix[0]);
		t->n++;
	}
	t->fix[i].ts_ms = ts;
	t->fix[i].lat = lat;
	t->fix[i].lon = lon;
}

/* A guard.position message arrived (data of the message). */
void
trails_add(struct console *c, json_t *data)
{
	const char *callsign = json_string_value(json_object_get(data, "guard"));
	json_t *lat = json_object_get(data, "lat"), *lon = json_object_get(data, "lon");
	struct trail *t;
	int64_t ts;

	if (callsign == NULL || !json_is_number(lat) || !json_is_number(lon) ||
	    vtime_parse(json_string_value(json_object_get(data, "ts")), &ts) != 0 ||
	    (t = trails_make(c, callsign)) == NULL)
		return;
	trails_put(t, ts, json_number_value(lat), json_number_value(lon));
}

/* A guard's track came: its fixes join the trail. */
static void
trails_on_track(void *arg, const struct rest_reply *r)
{
	struct trail *t = arg;
	json_t *list = json_object_get(r->json, "positions"), *p;
	size_t i;
	int64_t ts;

	if (r->status != 200 || !json_is_array(list)) {
		log_warn("trails: %s: %s", t->callsign, r->error ? r->error : "no positions");
		return;
	}
	json_array_foreach(list, i, p) {
		if (vtime_parse(json_string_value(json_object_get(p, "ts")), &ts) == 0 &&
		    json_is_number(json_object_get(p, "lat")) &&
		    json_is_number(json_object_get(p, "lon")))
			trails_put(t, ts, json_number_value(json_object_get(p, "lat")),
			    json_number_value(json_object_get(p, "lon")));
	}
	tui_dirty(t->c);
}

/* Ask the server for the last minutes of site's guards on duty, once each. */
void
trails_fetch(struct console *c, const char *site)
{
	const char *callsign;
	json_t *g;
	char path[256], since[VTIME_ISO_LEN], *cause = NULL;

	vtime_format(vtime_now_ms() - MAPS_TRAIL_S * 1000, since, sizeof since);
	json_object_foreach(c->replica.guards, callsign, g) {
		const char *status = json_string_value(json_object_get(g, "status"));
		const char *gsite = json_string_value(json_object_get(g, "site"));
		struct trail *t;

		if (status == NULL || strcmp(status, "off_duty") == 0 || gsite == NULL ||
		    strcmp(gsite, site) != 0 || (t = trails_make(c, callsign)) == NULL ||
		    t->fetched)
			continue;
		t->fetched = true;
		snprintf(path, sizeof path, "/api/v1/guards/%s/track?since=%s", callsign, since);
		if (rest_request(c->rest, "GET", path, NULL, trails_on_track, t, &cause) == NULL) {
			log_warn("trails: %s", cause);
			free(cause);
			cause = NULL;
		}
	}
}

/* Forget every trail (at exit). */
void
trails_free(struct console *c)
{
	struct trail *t, *next;

	for (t = c->trails; t != NULL; t = next) {
		next = t->next;
		free(t);
	}
	c->trails = NULL;
}
