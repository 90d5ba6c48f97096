/*
 * access_site.h: the residential parts of a site file (vigil-site(5)).
 *
 * site_import.c hands this module the sections and keys it owns:
 * [building NAME] (entrances, apartments), [access-group KEY] (name,
 * points), and the "access" key of a [point].  Values are checked as they
 * arrive, the whole is checked once the file is read, and everything is
 * written in the import's transaction (with the site's access list version
 * bumped).  Problems come back as messages with their line; the importer
 * reports them its own way.
 */
#ifndef VIGIL_ACCESS_SITE_H
#define VIGIL_ACCESS_SITE_H

#include <stdint.h>

struct store;
struct access_site;

/* A fresh reader for one import. */
struct access_site *access_site_new(void);
/* Free it. */
void access_site_free(struct access_site *as);

/*
 * A section header's text (between the brackets) begins: 1 when it is one
 * of ours (*why set when it is wrong), 0 when it is not ours.
 */
int access_site_section(struct access_site *as, const char *text, int line,
    const char **why);
/* A key of our current section; NULL, or what is wrong. */
const char *access_site_key(struct access_site *as, const char *name,
    const char *value, int line);
/* A point's "access = yes|no"; NULL, or what is wrong. */
const char *access_site_point_access(struct access_site *as,
    const char *point, const char *value, int line);
/* Note a point of the file and its type (enum point_type), for the checks. */
void access_site_point(struct access_site *as, const char *point, int type,
    int line);
/* Check the file as a whole; NULL, or what is wrong and *line. */
const char *access_site_check(struct access_site *as, int *line);
/*
 * Write buildings, groups and access flags of site_id in the open
 * transaction, with audit entries; 0, or -1 with *why (static text).
 */
int access_site_write(struct access_site *as, struct store *st,
    int64_t site_id, int64_t now_ms, const char **why);

#endif
