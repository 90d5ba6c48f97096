/*
 * site_maps.h: the [map KEY] sections of a site file (vigil-site(5)).
 *
 * Each section names a map file (vigil-map(5)) relative to the site file:
 *
 *	[map tower-a-0]
 *	file = tower-a-0.map
 *
 * site_import.c hands the sections' lines here while it reads the file,
 * asks for the whole check (every map read with mapfile_load and checked
 * against the site: its key, its site, the points of its legend) before it
 * writes anything, and has the maps stored in its transaction.  A map that
 * the site file leaves out is kept, as with every other object.
 */
#ifndef VIGIL_SITE_MAPS_H
#define VIGIL_SITE_MAPS_H

#include <stdbool.h>
#include <stdint.h>

struct store;
struct site_maps;

/* Start reading the maps of the site file at site_path. */
struct site_maps *site_maps_new(const char *site_path);
/* Free everything; NULL is allowed. */
void site_maps_free(struct site_maps *sm);

/*
 * Whether text (a section header without its brackets) is a [map KEY]
 * section; if so, the lines up to the next section are its keys.  *why is
 * set (else NULL) when the header is wrong; the string lives in sm.
 */
bool site_maps_section(struct site_maps *sm, const char *text, int line,
    const char **why);

/* One "key = value" line of the current [map] section: NULL, or why not. */
const char *site_maps_key(struct site_maps *sm, const char *name,
    const char *value, int line);

/*
 * Read and check every map of the file: it parses, its "map =" is the
 * section's key, its "site =" is site_key, every legend point is one that
 * has_point(arg, key) knows.  NULL, or the first problem with *line its
 * line in the site file; the problem of a map file names that file, its
 * line and column.
 */
const char *site_maps_check(struct site_maps *sm, const char *site_key,
    bool (*has_point)(void *arg, const char *key), void *arg, int *line);

/*
 * Store the maps checked above for site_id in the open transaction, each
 * created or changed one audited ("map.import").  0, or -1 with *why.
 * *created, *updated and *unchanged count them (any may be NULL).
 */
int site_maps_write(struct site_maps *sm, struct store *st, int64_t site_id,
    const char *site_key, int64_t now, int *created, int *updated,
    int *unchanged, const char **why);

#endif
