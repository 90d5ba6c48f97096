#include "compat.h"

#include "maps.h"
#include "tui.h"
#include "vtime.h"

/*
 * The guards' recent positions as the stream brought them, for the faded
 * trails on the map: at most MAPS_TRAIL_MAX per guard, oldest dropped.
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

/* A guard.position message arrived (data of the message). */
void
trails_add(struct console *c, json_t *data)
{
	const char *callsign = json_string_value(json_object_get(data, "guard"));
	json_t *lat = json_object_get(data, "lat"), *lon = json_object_get(data, "lon");
	struct trail *t = NULL;
	int64_t ts;

	if (callsign == NULL || strlen(callsign) >= sizeof t->callsign ||
	    !json_is_number(lat) || !json_is_number(lon) ||
	    vtime_parse(json_string_value(json_object_get(data, "ts")), &ts) != 0)
		return;
	t = (struct trail *)trails_get(c, callsign);
	if (t == NULL) {
		t = xcalloc(1, sizeof *t);
		snprintf(t->callsign, sizeof t->callsign, "%s", callsign);
		t->next = c->trails;
		c->trails = t;
	}
	if (t->n > 0 && ts < t->fix[t->n - 1].ts_ms)
		return;
	if (t->n == MAPS_TRAIL_MAX) {
		memmove(&t->fix[0], &t->fix[1], (size_t)(t->n - 1) * sizeof t->fix[0]);
		t->n--;
	}
	t->fix[t->n].ts_ms = ts;
	t->fix[t->n].lat = json_number_value(lat);
	t->fix[t->n].lon = json_number_value(lon);
	t->n++;
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
