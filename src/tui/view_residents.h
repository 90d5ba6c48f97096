/*
 * view_residents.h: the console's residents screens (issue 6).
 *
 * The residents list (search by name, unit, plate or card) opens a
 * resident's page: credentials, rights (suspend, resume, revoke with a
 * reason and a confirmation; grant) and recent access.  Both are fetched
 * from the server when opened and after each change.
 */
#ifndef VIGIL_VIEW_RESIDENTS_H
#define VIGIL_VIEW_RESIDENTS_H

#include <stdint.h>

struct console;
struct view;

/* The residents of the user's sites, with a search ("/"). */
struct view *view_residents_new(struct console *c);
/* Resident id's page. */
struct view *view_resident_new(struct console *c, int64_t id);
/* Append "&name=value" (or "?name=value") to *path, value percent-encoded. */
void view_residents_query(char **path, const char *name, const char *value);

#endif
