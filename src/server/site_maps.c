#include "compat.h"

#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include "audit.h"
#include "mapfile.h"
#include "site_import.h"
#include "site_maps.h"
#include "store.h"

/* Hex digits of the SHA-256 of a map's text kept as its ETag. */
#define SITE_MAPS_ETAG_HEX 32

/* One [map KEY] section and, once checked, its map. */
struct site_map {
	char *key;
	int line;		/* of the section header */
	char *file;		/* as written */
	int file_line;
	struct map *map;	/* after site_maps_check */
	char *text;		/* the self-contained text stored */
	size_t len;
	char etag[SITE_MAPS_ETAG_HEX + 1];
};

/* The maps of one site file. */
struct site_maps {
	char *dir;		/* of the site file, "" for the current one */
	struct site_map *maps;
	size_t n;
	struct site_map *cur;	/* section being read */
	char *msg;		/* the last message handed out */
};

/* Keep a message in sm and hand it out. */
static const char * PRINTFLIKE(2, 3)
site_maps_msg(struct site_maps *sm, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	free(sm->msg);
	sm->msg = xstrdup(buf);
	return (sm->msg);
}

/* Start reading the maps of a site file. */
struct site_maps *
site_maps_new(const char *site_path)
{
	struct site_maps *sm = xcalloc(1, sizeof *sm);
	const char *slash = strrchr(site_path, '/');

	if (slash == NULL)
		sm->dir = xstrdup("");
	else
		sm->dir = xstrndup(site_path, (size_t)(slash - site_path) + 1);
	return (sm);
}

/* Free the maps of a site file. */
void
site_maps_free(struct site_maps *sm)
{
	size_t i;

	if (sm == NULL)
		return;
	for (i = 0; i < sm->n; i++) {
		free(sm->maps[i].key);
		free(sm->maps[i].file);
		mapfile_free(sm->maps[i].map);
		free(sm->maps[i].text);
	}
	free(sm->maps);
	free(sm->dir);
	free(sm->msg);
	free(sm);
}

/* Whether a section header is [map KEY]; starts it. */
bool
site_maps_section(struct site_maps *sm, const char *text, int line,
    const char **why)
{
	char *copy, *word, *arg, *extra, *save = NULL;
	struct site_map *m;
	size_t i;

	*why = NULL;
	sm->cur = NULL;
	copy = xstrdup(text);
	word = strtok_r(copy, " \t", &save);
	if (word == NULL || strcmp(word, "map") != 0) {
		free(copy);
		return (false);
	}
	arg = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (arg == NULL || extra != NULL)
		*why = site_maps_msg(sm, "expected [map KEY]");
	else if (!site_key_valid(arg))
		*why = site_maps_msg(sm, "[map %s]: not a valid key (1 to %d of "
		    "a-z, 0-9, '_', '.', '-', starting with a letter or digit)",
		    arg, LIMIT_KEY_LEN);
	else if (sm->n == LIMIT_SITE_MAPS)
		*why = site_maps_msg(sm, "more than %d maps", LIMIT_SITE_MAPS);
	if (*why != NULL) {
		free(copy);
		return (true);
	}
	for (i = 0; i < sm->n; i++) {
		if (strcmp(sm->maps[i].key, arg) == 0) {
			*why = site_maps_msg(sm, "[map %s] given twice (first at "
			    "line %d)", arg, sm->maps[i].line);
			free(copy);
			return (true);
		}
	}
	sm->maps = xrealloc(sm->maps, (sm->n + 1) * sizeof *sm->maps);
	m = &sm->maps[sm->n++];
	memset(m, 0, sizeof *m);
	m->key = xstrdup(arg);
	m->line = line;
	sm->cur = m;
	free(copy);
	return (true);
}

/* One key of a [map] section. */
const char *
site_maps_key(struct site_maps *sm, const char *name, const char *value,
    int line)
{
	struct site_map *m = sm->cur;

	if (m == NULL)
		return (site_maps_msg(sm, "\"%s\" is outside any section", name));
	if (strcmp(name, "file") != 0)
		return (site_maps_msg(sm, "unknown key \"%s\" in [map %s] (only "
		    "file)", name, m->key));
	if (m->file != NULL)
		return (site_maps_msg(sm, "[map %s] file given twice (first at "
		    "line %d)", m->key, m->file_line));
	if (*value == '\0' || strlen(value) > LIMIT_PATH_LEN ||
	    strchr(value, '\n') != NULL)
		return (site_maps_msg(sm, "[map %s] file: expected a file name "
		    "relative to the site file", m->key));
	m->file = xstrdup(value);
	m->file_line = line;
	return (NULL);
}

/* Read and check every map. */
const char *
site_maps_check(struct site_maps *sm, const char *site_key,
    bool (*has_point)(void *arg, const char *key), void *arg, int *line)
{
	struct site_map *m;
	unsigned char hash[crypto_hash_sha256_BYTES];
	char *path, *cause = NULL;
	const char *why;
	size_t i, j;

	for (i = 0; i < sm->n; i++) {
		m = &sm->maps[i];
		if (m->file == NULL) {
			*line = m->line;
			return (site_maps_msg(sm, "[map %s]: missing file",
			    m->key));
		}
		if (m->file[0] == '/')
			path = xstrdup(m->file);
		else
			path = xasprintf("%s%s", sm->dir, m->file);
		m->map = mapfile_load(path, &m->text, &m->len, &cause);
		free(path);
		if (m->map == NULL) {
			*line = m->file_line;
			why = site_maps_msg(sm, "[map %s] %s", m->key, cause);
			free(cause);
			return (why);
		}
		*line = m->file_line;
		if (strcmp(m->map->key, m->key) != 0)
			return (site_maps_msg(sm, "[map %s]: %s says \"map = %s\"",
			    m->key, m->file, m->map->key));
		if (strcmp(m->map->site, site_key) != 0)
			return (site_maps_msg(sm, "[map %s]: %s is a map of site "
			    "\"%s\", not \"%s\"", m->key, m->file,
			    m->map->site, site_key));
		for (j = 0; j < m->map->nmarkers; j++) {
			if (!has_point(arg, m->map->markers[j].point))
				return (site_maps_msg(sm, "[map %s]: %s: legend "
				    "marker '%s' names point \"%s\", which the "
				    "site file does not have", m->key, m->file,
				    m->map->markers[j].marker,
				    m->map->markers[j].point));
		}
		crypto_hash_sha256(hash, (const unsigned char *)m->text, m->len);
		sodium_bin2hex(m->etag, sizeof m->etag, hash,
		    SITE_MAPS_ETAG_HEX / 2);
	}
	return (NULL);
}

/* A string, or JSON null when NULL. */
static json_t *
site_maps_str(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

/* Store one map; 0 or -1. */
static int
site_maps_write_one(struct site_maps *sm, struct store *st, int64_t site_id,
    const char *site_key, int64_t now, struct site_map *m, int *counts,
    const char **why)
{
	static const char sql_get[] =
	    "SELECT id, etag, name, kind, building, floor FROM maps"
	    " WHERE site_id = ? AND key = ?";
	static const char sql_insert[] =
	    "INSERT INTO maps (name, kind, building, floor, file, text, etag,"
	    " created_ms, updated_ms, site_id, key)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char sql_update[] =
	    "UPDATE maps SET name = ?, kind = ?, building = ?, floor = ?,"
	    " file = ?, text = ?, etag = ?, updated_ms = ?"
	    " WHERE site_id = ? AND key = ?";
	struct audit_actor actor = { "system", "vigild", "site import" };
	const struct map *mp = m->map;
	sqlite3_stmt *s;
	json_t *details;
	int64_t id = 0;
	bool same = false;
	int rc;

	s = store_stmt(st, sql_get);
	store_bind_int(s, 1, site_id);
	store_bind_text(s, 2, m->key);
	if (sqlite3_step(s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		same = strcmp(store_col_text(s, 1), m->etag) == 0;
	}
	sqlite3_reset(s);
	if (same) {
		counts[2]++;
		return (0);
	}
	details = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:I, s:s}",
	    "key", m->key, "site", site_key, "name", mp->name,
	    "kind", map_kind_name(mp->kind), "building",
	    site_maps_str(mp->building), "floor", site_maps_str(mp->floor),
	    "file", m->file, "bytes", (json_int_t)m->len, "etag", m->etag);
	if (details == NULL)
		fatal("site import: cannot build a map's audit details");
	json_object_set_new(details, id == 0 ? "created" : "changed",
	    json_true());
	rc = audit_append(st, &actor, "map.import", "map", m->key, site_id,
	    details, "ok", now) < 0 ? -1 : 0;
	json_decref(details);
	if (rc != 0) {
		*why = site_maps_msg(sm, "cannot write the audit entry of map %s",
		    m->key);
		return (-1);
	}
	s = store_stmt(st, id == 0 ? sql_insert : sql_update);
	store_bind_text(s, 1, mp->name);
	store_bind_text(s, 2, map_kind_name(mp->kind));
	store_bind_text(s, 3, mp->building != NULL ? mp->building : "");
	store_bind_text(s, 4, mp->floor != NULL ? mp->floor : "");
	store_bind_text(s, 5, m->file);
	sqlite3_bind_text(s, 6, m->text, (int)m->len, SQLITE_STATIC);
	store_bind_text(s, 7, m->etag);
	if (id == 0) {
		store_bind_int(s, 8, now);
		store_bind_int(s, 9, now);
		store_bind_int(s, 10, site_id);
		store_bind_text(s, 11, m->key);
	} else {
		store_bind_int(s, 8, now);
		store_bind_int(s, 9, site_id);
		store_bind_text(s, 10, m->key);
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		*why = site_maps_msg(sm, "cannot store map %s: %s", m->key,
		    store_errmsg(st));
		return (-1);
	}
	counts[id == 0 ? 0 : 1]++;
	return (0);
}

/* Store every map of the file. */
int
site_maps_write(struct site_maps *sm, struct store *st, int64_t site_id,
    const char *site_key, int64_t now, int *created, int *updated,
    int *unchanged, const char **why)
{
	int counts[3] = { 0, 0, 0 };
	size_t i;

	for (i = 0; i < sm->n; i++) {
		if (site_maps_write_one(sm, st, site_id, site_key, now,
		    &sm->maps[i], counts, why) != 0)
			return (-1);
	}
	if (created != NULL)
		*created = counts[0];
	if (updated != NULL)
		*updated = counts[1];
	if (unchanged != NULL)
		*unchanged = counts[2];
	return (0);
}
