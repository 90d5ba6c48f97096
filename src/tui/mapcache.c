#include "compat.h"

#include "log.h"
#include "maps.h"
#include "rest.h"
#include "tui.h"
#include "view.h"
#include "vtime.h"

/*
 * The console's site maps: GET /api/v1/sites/KEY/maps for the list, then
 * each map's text, parsed with the same parser the server validated it
 * with.  A site's maps are fetched once, when a view first asks for them;
 * a failure is tried again after MAPCACHE_RETRY_S when asked again.
 */
#define MAPCACHE_RETRY_S 10

/* Parse a map reply into its slot. */
static void
mapcache_on_map(void *arg, const struct rest_reply *r)
{
	struct mapset_slot *slot = arg;
	struct mapset *set = slot->set;
	json_t *doc = r->json;
	const char *text;
	char *cause = NULL;
	struct map *m;

	if (json_is_object(json_object_get(doc, "map")))
		doc = json_object_get(doc, "map");
	text = json_string_value(json_object_get(doc, "text"));
	if (r->status != 200 || text == NULL) {
		log_warn("maps: %s: a map: %s", set->site, r->error ? r->error : "no text");
		if (set->error == NULL)
			set->error = xstrdup(r->error ? r->error : "a map came without its text");
	} else if ((m = mapfile_parse(text, strlen(text), "map", &cause)) == NULL) {
		log_warn("maps: %s: %s", set->site, cause);
		if (set->error == NULL)
			set->error = cause;
		else
			free(cause);
	} else
		set->maps[slot->index] = m;
	if (--set->waiting == 0) {
		/* Keep the maps that came, in the list's order. */
		int n = 0;

		for (int i = 0; i < set->n; i++)
			if (set->maps[i] != NULL)
				set->maps[n++] = set->maps[i];
		set->n = n;
		set->state = n > 0 || set->error == NULL ? MAPSET_READY : MAPSET_FAILED;
		tui_dirty(set->c);
		for (int i = 0; i < set->c->nviews; i++)
			if (set->c->views[i]->ops->changed != NULL)
				set->c->views[i]->ops->changed(set->c, set->c->views[i]);
	}
}

/* The list came: fetch every map's text. */
static void
mapcache_on_list(void *arg, const struct rest_reply *r)
{
	struct mapset *set = arg;
	json_t *list = json_object_get(r->json, "maps"), *it;
	size_t i;
	char path[512], *cause = NULL;

	if (r->status != 200 || !json_is_array(list)) {
		set->state = MAPSET_FAILED;
		free(set->error);
		set->error = xstrdup(r->error ? r->error : "the server sent no map list");
		tui_dirty(set->c);
		return;
	}
	set->n = 0;
	json_array_foreach(list, i, it) {
		const char *key = json_string_value(json_object_get(it, "key"));
		struct mapset_slot *slot;

		if (key == NULL || set->n == MAPS_PER_SITE_MAX)
			continue;
		slot = &set->slots[set->n];
		slot->set = set;
		slot->index = set->n++;
		snprintf(path, sizeof path, "/api/v1/sites/%s/maps/%s", set->site, key);
		if (rest_request(set->c->rest, "GET", path, NULL, mapcache_on_map, slot,
		    &cause) == NULL) {
			log_warn("maps: %s", cause);
			free(cause);
			cause = NULL;
			set->n--;
			continue;
		}
		set->waiting++;
	}
	if (set->waiting == 0) {
		set->state = MAPSET_READY;
		tui_dirty(set->c);
	}
}

/* Ask for a site's map list. */
static void
mapcache_fetch(struct mapset *set)
{
	char path[256], *cause = NULL;

	set->state = MAPSET_LOADING;
	set->tried_ms = vtime_mono_ms();
	free(set->error);
	set->error = NULL;
	snprintf(path, sizeof path, "/api/v1/sites/%s/maps", set->site);
	if (rest_request(set->c->rest, "GET", path, NULL, mapcache_on_list, set,
	    &cause) == NULL) {
		set->state = MAPSET_FAILED;
		set->error = cause;
	}
}

/* The maps of site, fetched when first asked for (never NULL). */
struct mapset *
mapcache_get(struct console *c, const char *site)
{
	struct mapset *set;

	for (set = c->mapsets; set != NULL; set = set->next)
		if (strcmp(set->site, site) == 0)
			break;
	if (set == NULL) {
		set = xcalloc(1, sizeof *set);
		set->site = xstrdup(site);
		set->c = c;
		set->next = c->mapsets;
		c->mapsets = set;
		mapcache_fetch(set);
	} else if (set->state == MAPSET_FAILED &&
	    vtime_mono_ms() - set->tried_ms > MAPCACHE_RETRY_S * 1000)
		mapcache_fetch(set);
	return set;
}

/* Forget every site's maps (at exit; pending calls die with the REST client). */
void
mapcache_free(struct console *c)
{
	struct mapset *set, *next;

	for (set = c->mapsets; set != NULL; set = next) {
		next = set->next;
		for (int i = 0; i < set->n; i++)
			mapfile_free(set->maps[i]);
		free(set->error);
		free(set->site);
		free(set);
	}
	c->mapsets = NULL;
}

/*
 * The index of the map of set that best shows point: a floor plan with its
 * marker, else any map with its marker, else an outdoor map; -1 when none.
 */
int
mapcache_find_point(const struct mapset *set, const char *point)
{
	int marked = -1, outdoor = -1;

	if (set->state != MAPSET_READY)
		return -1;
	for (int i = 0; i < set->n; i++) {
		bool has = point != NULL && mapfile_marker_for(set->maps[i], point) != NULL;

		if (has && set->maps[i]->kind == MAP_PLAN)
			return i;
		if (has && marked < 0)
			marked = i;
		if (outdoor < 0 && set->maps[i]->kind == MAP_OUTDOOR)
			outdoor = i;
	}
	if (marked >= 0)
		return marked;
	return outdoor >= 0 ? outdoor : set->n > 0 ? 0 : -1;
}
