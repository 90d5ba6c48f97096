#include "compat.h"

#include <jansson.h>
#include <sqlite3.h>

#include "access_site.h"
#include "audit.h"
#include "buf.h"
#include "model.h"
#include "residents.h"
#include "site_import.h"
#include "store.h"

enum access_site_kind { AS_NONE, AS_BUILDING, AS_GROUP };

/* A [building NAME] section. */
struct access_site_building {
	char *name;
	int line;
	int entrances_line, apartments_line;
	char entrances[LIMIT_UNIT_SPEC_LEN + 1];
	char apartments[LIMIT_UNIT_SPEC_LEN + 1];
};

/* An [access-group KEY] section. */
struct access_site_group {
	char *key;
	int line;
	int name_line, points_line;
	char *name;
	char **points;
	size_t npoints;
};

/* A [point] of the file: its type and access flag. */
struct access_site_point {
	char *key;
	int type;
	int line;
	int access;              /* -1 not given, 0 no, 1 yes */
	int access_line;
};

struct access_site {
	enum access_site_kind kind;
	struct access_site_building *buildings;
	size_t nbuildings;
	struct access_site_group *groups;
	size_t ngroups;
	struct access_site_point *points;
	size_t npoints;
	char why[320];
};

/* A fresh reader for one import. */
struct access_site *
access_site_new(void)
{
	return xcalloc(1, sizeof(struct access_site));
}

/* Free it. */
void
access_site_free(struct access_site *as)
{
	if (as == NULL)
		return;
	for (size_t i = 0; i < as->nbuildings; i++)
		free(as->buildings[i].name);
	for (size_t i = 0; i < as->ngroups; i++) {
		free(as->groups[i].key);
		free(as->groups[i].name);
		for (size_t j = 0; j < as->groups[i].npoints; j++)
			free(as->groups[i].points[j]);
		free(as->groups[i].points);
	}
	for (size_t i = 0; i < as->npoints; i++)
		free(as->points[i].key);
	free(as->buildings);
	free(as->groups);
	free(as->points);
	free(as);
}

/* The point of the file called key, creating its entry when asked. */
static struct access_site_point *
access_site_find_point(struct access_site *as, const char *key, bool create)
{
	for (size_t i = 0; i < as->npoints; i++)
		if (strcmp(as->points[i].key, key) == 0)
			return &as->points[i];
	if (!create)
		return NULL;
	as->points = xrealloc(as->points, (as->npoints + 1) * sizeof *as->points);
	memset(&as->points[as->npoints], 0, sizeof *as->points);
	as->points[as->npoints].key = xstrdup(key);
	as->points[as->npoints].access = -1;
	as->points[as->npoints].type = -1;
	return &as->points[as->npoints++];
}

/* A section header begins: 1 when it is ours (*why when wrong), 0 when not. */
int
access_site_section(struct access_site *as, const char *text, int line,
    const char **why)
{
	const char *arg;
	size_t n;

	*why = NULL;
	as->kind = AS_NONE;
	while (*text == ' ' || *text == '\t')
		text++;
	if (strncmp(text, "building", 8) == 0 && (text[8] == ' ' ||
	    text[8] == '\t' || text[8] == '\0')) {
		const char *problem;
		char *name;

		arg = text + 8;
		while (*arg == ' ' || *arg == '\t')
			arg++;
		n = strlen(arg);
		while (n > 0 && (arg[n - 1] == ' ' || arg[n - 1] == '\t'))
			n--;
		name = xstrndup(arg, n);
		if ((problem = residents_text_problem(name, LIMIT_NAME_LEN)) != NULL) {
			snprintf(as->why, sizeof as->why, "[building NAME]: the "
			    "name %s", problem);
			*why = as->why;
			free(name);
			return 1;
		}
		for (size_t i = 0; i < as->nbuildings; i++)
			if (strcmp(as->buildings[i].name, name) == 0) {
				snprintf(as->why, sizeof as->why, "[building %s] "
				    "given twice (first at line %d)", name,
				    as->buildings[i].line);
				*why = as->why;
				free(name);
				return 1;
			}
		as->buildings = xrealloc(as->buildings, (as->nbuildings + 1) * sizeof *as->buildings);
		memset(&as->buildings[as->nbuildings], 0, sizeof *as->buildings);
		as->buildings[as->nbuildings].name = name;
		as->buildings[as->nbuildings].line = line;
		as->nbuildings++;
		as->kind = AS_BUILDING;
		return 1;
	}
	if (strncmp(text, "access-group", 12) == 0 && (text[12] == ' ' ||
	    text[12] == '\t' || text[12] == '\0')) {
		char key[LIMIT_KEY_LEN + 2];

		arg = text + 12;
		while (*arg == ' ' || *arg == '\t')
			arg++;
		n = strlen(arg);
		while (n > 0 && (arg[n - 1] == ' ' || arg[n - 1] == '\t'))
			n--;
		snprintf(key, sizeof key, "%.*s", (int)(n > LIMIT_KEY_LEN + 1 ?
		    LIMIT_KEY_LEN + 1 : n), arg);
		if (n > LIMIT_KEY_LEN || !site_key_valid(key)) {
			snprintf(as->why, sizeof as->why, "[access-group KEY]: not "
			    "a valid key (1 to %d of a-z, 0-9, '_', '.', '-', "
			    "starting with a letter or digit)", LIMIT_KEY_LEN);
			*why = as->why;
			return 1;
		}
		for (size_t i = 0; i < as->ngroups; i++)
			if (strcmp(as->groups[i].key, key) == 0) {
				snprintf(as->why, sizeof as->why, "[access-group "
				    "%s] given twice (first at line %d)", key,
				    as->groups[i].line);
				*why = as->why;
				return 1;
			}
		as->groups = xrealloc(as->groups, (as->ngroups + 1) * sizeof *as->groups);
		memset(&as->groups[as->ngroups], 0, sizeof *as->groups);
		as->groups[as->ngroups].key = xstrdup(key);
		as->groups[as->ngroups].line = line;
		as->ngroups++;
		as->kind = AS_GROUP;
		return 1;
	}
	return 0;
}

/* Read a group's "points = k1 k2 ..."; NULL, or what is wrong. */
static const char *
access_site_group_points(struct access_site *as, struct access_site_group *g,
    const char *value)
{
	char *copy = xstrdup(value), *save = NULL, *w;

	for (w = strtok_r(copy, " \t,", &save); w != NULL;
	    w = strtok_r(NULL, " \t,", &save)) {
		if (!site_key_valid(w)) {
			snprintf(as->why, sizeof as->why, "\"%.64s\" is not a "
			    "point key", w);
			free(copy);
			return as->why;
		}
		if (g->npoints == LIMIT_ACCESS_GROUP_POINTS) {
			snprintf(as->why, sizeof as->why, "more than %d points",
			    LIMIT_ACCESS_GROUP_POINTS);
			free(copy);
			return as->why;
		}
		for (size_t i = 0; i < g->npoints; i++)
			if (strcmp(g->points[i], w) == 0) {
				snprintf(as->why, sizeof as->why, "%s is listed "
				    "twice", w);
				free(copy);
				return as->why;
			}
		g->points = xrealloc(g->points, (g->npoints + 1) * sizeof *g->points);
		g->points[g->npoints++] = xstrdup(w);
	}
	free(copy);
	return g->npoints == 0 ? "must list at least one point key" : NULL;
}

/* A key of our current section; NULL, or what is wrong. */
const char *
access_site_key(struct access_site *as, const char *name, const char *value,
    int line)
{
	const char *why;

	if (as->kind == AS_BUILDING) {
		struct access_site_building *b = &as->buildings[as->nbuildings - 1];
		bool ent = strcmp(name, "entrances") == 0;

		if (!ent && strcmp(name, "apartments") != 0) {
			snprintf(as->why, sizeof as->why, "unknown key \"%.64s\" in "
			    "[building %s] (entrances, apartments)", name, b->name);
			return as->why;
		}
		if ((ent ? b->entrances_line : b->apartments_line) != 0) {
			snprintf(as->why, sizeof as->why, "[building %s] %s given "
			    "twice", b->name, name);
			return as->why;
		}
		why = residents_unit_spec_check(value, !ent, ent ? b->entrances :
		    b->apartments, sizeof b->entrances);
		if (why != NULL) {
			snprintf(as->why, sizeof as->why, "[building %s] %s: %s",
			    b->name, name, why);
			return as->why;
		}
		if (ent)
			b->entrances_line = line;
		else
			b->apartments_line = line;
		return NULL;
	}
	if (as->kind == AS_GROUP) {
		struct access_site_group *g = &as->groups[as->ngroups - 1];

		if (strcmp(name, "name") == 0) {
			if (g->name_line != 0)
				return "name given twice";
			if ((why = residents_text_problem(value, LIMIT_NAME_LEN)) != NULL) {
				snprintf(as->why, sizeof as->why, "[access-group %s] "
				    "name: %s", g->key, why);
				return as->why;
			}
			g->name = xstrdup(value);
			g->name_line = line;
			return NULL;
		}
		if (strcmp(name, "points") == 0) {
			if (g->points_line != 0)
				return "points given twice";
			g->points_line = line;
			if ((why = access_site_group_points(as, g, value)) != NULL) {
				char tmp[320];

				snprintf(tmp, sizeof tmp, "[access-group %s] points: "
				    "%.200s", g->key, why);
				memcpy(as->why, tmp, sizeof as->why);
				return as->why;
			}
			return NULL;
		}
		snprintf(as->why, sizeof as->why, "unknown key \"%.64s\" in "
		    "[access-group %s] (name, points)", name, g->key);
		return as->why;
	}
	return "not in a section";
}

/* A point's "access = yes|no"; NULL, or what is wrong. */
const char *
access_site_point_access(struct access_site *as, const char *point,
    const char *value, int line)
{
	struct access_site_point *p = access_site_find_point(as, point, true);

	if (p->access_line != 0)
		return "access given twice";
	if (strcmp(value, "yes") == 0)
		p->access = 1;
	else if (strcmp(value, "no") == 0)
		p->access = 0;
	else
		return "access: must be yes or no";
	p->access_line = line;
	return NULL;
}

/* Note a point of the file and its type, for the checks. */
void
access_site_point(struct access_site *as, const char *point, int type, int line)
{
	struct access_site_point *p = access_site_find_point(as, point, true);

	p->type = type;
	p->line = line;
}

/* Check the file as a whole; NULL, or what is wrong and *line. */
const char *
access_site_check(struct access_site *as, int *line)
{
	for (size_t i = 0; i < as->npoints; i++) {
		struct access_site_point *p = &as->points[i];

		if (p->access == 1 && p->type != POINT_GATE &&
		    p->type != POINT_BARRIER && p->type != POINT_DOOR) {
			*line = p->access_line;
			snprintf(as->why, sizeof as->why, "[point %s] access: only "
			    "a gate, barrier or door can be an access point", p->key);
			return as->why;
		}
	}
	for (size_t i = 0; i < as->nbuildings; i++) {
		struct access_site_building *b = &as->buildings[i];

		if (b->entrances_line == 0 || b->apartments_line == 0) {
			*line = b->line;
			snprintf(as->why, sizeof as->why, "[building %s]: missing %s",
			    b->name, b->entrances_line == 0 ? "entrances" :
			    "apartments");
			return as->why;
		}
	}
	for (size_t i = 0; i < as->ngroups; i++) {
		struct access_site_group *g = &as->groups[i];

		if (g->name_line == 0 || g->points_line == 0) {
			*line = g->line;
			snprintf(as->why, sizeof as->why, "[access-group %s]: "
			    "missing %s", g->key, g->name_line == 0 ? "name" :
			    "points");
			return as->why;
		}
		for (size_t j = 0; j < g->npoints; j++) {
			struct access_site_point *p = access_site_find_point(as,
			    g->points[j], false);

			if (p == NULL || p->type < 0 || p->access != 1) {
				*line = g->points_line;
				snprintf(as->why, sizeof as->why, "[access-group %s] "
				    "points: %s is not a point of this file with "
				    "access = yes", g->key, g->points[j]);
				return as->why;
			}
		}
	}
	return NULL;
}

/* Write one building; 0 or -1. */
static int
access_site_write_building(struct store *st, int64_t site_id,
    const struct access_site_building *b, int64_t now_ms)
{
	static const char sql_get[] =
	    "SELECT entrances, apartments FROM buildings WHERE site_id = ? AND name = ?";
	static const char sql_put[] =
	    "INSERT INTO buildings (site_id, name, entrances, apartments)"
	    " VALUES (?, ?, ?, ?) ON CONFLICT (site_id, name) DO UPDATE SET"
	    " entrances = excluded.entrances, apartments = excluded.apartments";
	struct audit_actor actor = { "system", "vigild", "site import" };
	sqlite3_stmt *s = store_stmt(st, sql_get);
	bool same = false, exists = false;
	json_t *details;
	int rc;

	store_bind_int(s, 1, site_id);
	store_bind_text(s, 2, b->name);
	if (sqlite3_step(s) == SQLITE_ROW) {
		exists = true;
		same = strcmp(store_col_text(s, 0), b->entrances) == 0 &&
		    strcmp(store_col_text(s, 1), b->apartments) == 0;
	}
	sqlite3_reset(s);
	if (same)
		return 0;
	s = store_stmt(st, sql_put);
	store_bind_int(s, 1, site_id);
	store_bind_text(s, 2, b->name);
	store_bind_text(s, 3, b->entrances);
	store_bind_text(s, 4, b->apartments);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	details = json_pack("{s:s, s:s, s:s, s:b}", "name", b->name, "entrances",
	    b->entrances, "apartments", b->apartments, "created", !exists);
	rc = audit_append(st, &actor, "building.import", "building", b->name,
	    site_id, details, "ok", now_ms) < 0 ? -1 : 0;
	json_decref(details);
	return rc;
}

/* Order two strings for qsort. */
static int
access_site_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Write one group and its members; 0 or -1. */
static int
access_site_write_group(struct store *st, int64_t site_id,
    const struct access_site_group *g, int64_t now_ms)
{
	static const char sql_put[] =
	    "INSERT INTO access_groups (site_id, key, name) VALUES (?, ?, ?)"
	    " ON CONFLICT (site_id, key) DO UPDATE SET name = excluded.name";
	static const char sql_id[] =
	    "SELECT id FROM access_groups WHERE site_id = ? AND key = ?";
	static const char sql_clear[] =
	    "DELETE FROM access_group_points WHERE group_id = ?";
	static const char sql_add[] =
	    "INSERT INTO access_group_points (group_id, point_id)"
	    " SELECT ?, id FROM points WHERE site_id = ? AND key = ?";
	struct audit_actor actor = { "system", "vigild", "site import" };
	static const char sql_same[] =
	    "SELECT g.name, (SELECT group_concat(k, ' ') FROM (SELECT p.key AS k"
	    " FROM access_group_points m JOIN points p ON p.id = m.point_id"
	    " WHERE m.group_id = g.id ORDER BY p.key))"
	    " FROM access_groups g WHERE g.site_id = ? AND g.key = ?";
	sqlite3_stmt *s;
	json_t *details, *pts;
	struct buf want;
	char **sorted;
	int64_t gid;
	bool same = false;
	int rc;

	/* A group that already matches the file is left alone (no audit entry). */
	sorted = xcalloc(g->npoints + 1, sizeof *sorted);
	memcpy(sorted, g->points, g->npoints * sizeof *sorted);
	qsort(sorted, g->npoints, sizeof *sorted, access_site_strcmp);
	buf_init(&want, (LIMIT_KEY_LEN + 1) * (g->npoints + 1));
	for (size_t i = 0; i < g->npoints; i++)
		buf_addf(&want, "%s%s", i > 0 ? " " : "", sorted[i]);
	free(sorted);
	s = store_stmt(st, sql_same);
	store_bind_int(s, 1, site_id);
	store_bind_text(s, 2, g->key);
	if (sqlite3_step(s) == SQLITE_ROW)
		same = strcmp(store_col_text(s, 0), g->name) == 0 &&
		    strcmp(store_col_text(s, 1), want.data != NULL ? want.data :
		    "") == 0;
	sqlite3_reset(s);
	buf_release(&want);
	if (same)
		return 0;

	s = store_stmt(st, sql_put);
	store_bind_int(s, 1, site_id);
	store_bind_text(s, 2, g->key);
	store_bind_text(s, 3, g->name);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	s = store_stmt(st, sql_id);
	store_bind_int(s, 1, site_id);
	store_bind_text(s, 2, g->key);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -1;
	}
	gid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	s = store_stmt(st, sql_clear);
	store_bind_int(s, 1, gid);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	pts = json_array();
	for (size_t i = 0; i < g->npoints; i++) {
		s = store_stmt(st, sql_add);
		store_bind_int(s, 1, gid);
		store_bind_int(s, 2, site_id);
		store_bind_text(s, 3, g->points[i]);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			json_decref(pts);
			return -1;
		}
		json_array_append_new(pts, json_string(g->points[i]));
	}
	details = json_pack("{s:s, s:s, s:o}", "key", g->key, "name", g->name,
	    "points", pts);
	rc = audit_append(st, &actor, "access_group.import", "access_group",
	    g->key, site_id, details, "ok", now_ms) < 0 ? -1 : 0;
	json_decref(details);
	return rc;
}

/* Write buildings, groups and access flags of site_id; 0, or -1 with *why. */
int
access_site_write(struct access_site *as, struct store *st, int64_t site_id,
    int64_t now_ms, const char **why)
{
	static const char sql_flag[] =
	    "UPDATE points SET access = ? WHERE site_id = ? AND key = ?"
	    " AND access <> ?";
	struct audit_actor actor = { "system", "vigild", "site import" };
	sqlite3_stmt *s;
	int rc;

	*why = "cannot store the buildings, access points and groups";
	for (size_t i = 0; i < as->npoints; i++) {
		struct access_site_point *p = &as->points[i];
		int flag = p->access == 1 ? 1 : 0;

		s = store_stmt(st, sql_flag);
		store_bind_int(s, 1, flag);
		store_bind_int(s, 2, site_id);
		store_bind_text(s, 3, p->key);
		store_bind_int(s, 4, flag);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return -1;
		if (sqlite3_changes(store_db(st)) > 0) {
			json_t *d = json_pack("{s:s, s:b}", "key", p->key, "access",
			    flag);

			rc = audit_append(st, &actor, "point.access", "point",
			    p->key, site_id, d, "ok", now_ms) < 0 ? -1 : 0;
			json_decref(d);
			if (rc != 0)
				return -1;
		}
	}
	for (size_t i = 0; i < as->nbuildings; i++)
		if (access_site_write_building(st, site_id, &as->buildings[i],
		    now_ms) != 0)
			return -1;
	for (size_t i = 0; i < as->ngroups; i++)
		if (access_site_write_group(st, site_id, &as->groups[i], now_ms) != 0)
			return -1;
	/* Zone, points or groups may have changed: every list of the site is new. */
	if (residents_bump(st, site_id) != 0)
		return -1;
	*why = NULL;
	return 0;
}
