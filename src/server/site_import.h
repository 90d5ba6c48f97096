/*
 * site_import.h: loading site files (vigil-site(5)) into the store.
 *
 * A site file describes one site with its gateways, points, guards and rule
 * overrides.  The whole file is read and checked first; only when every
 * section and key is valid is anything written, in one transaction.  Objects
 * are matched by key and created or updated ("upsert"); nothing that the file
 * leaves out is deleted.  Every object created or changed gets one audit
 * entry; an object whose stored values already match the file is left alone.
 */
#ifndef VIGIL_SITE_IMPORT_H
#define VIGIL_SITE_IMPORT_H

struct server;

/* How many objects of one kind an import created, changed and left as they were. */
struct site_import_count {
	int created;
	int updated;
	int unchanged;
};

/* What an import did, by kind of object. */
struct site_import_stats {
	struct site_import_count sites;
	struct site_import_count points;
	struct site_import_count gateways;
	struct site_import_count guards;
	struct site_import_count rules;
	struct site_import_count maps;
};

/*
 * Import the site file at path.  Returns 0 and fills *stats (which may be
 * NULL), or -1 with nothing written and *cause (caller frees) saying what is
 * wrong, prefixed "FILE:LINE: " (or "FILE: " when no line is to blame).
 */
int site_import_file(struct server *srv, const char *path,
    struct site_import_stats *stats, char **cause);

/*
 * Nonzero when key is a valid site, point or gateway key: 1 to LIMIT_KEY_LEN
 * characters, [a-z0-9] then [a-z0-9_.-].
 */
int site_key_valid(const char *key);

/*
 * Nonzero when callsign is a valid guard callsign: 1 to LIMIT_KEY_LEN
 * characters, [A-Za-z0-9] then [A-Za-z0-9_.-].
 */
int site_callsign_valid(const char *callsign);

#endif
