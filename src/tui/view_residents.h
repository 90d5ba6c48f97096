/*
 * view_residents.h: the console's residents and access screens (issue 6).
 *
 * The residents list (search by name, unit, plate or card) opens a
 * resident's page: credentials, rights (grant with a form; suspend, resume,
 * revoke with a reason and a confirmation) and recent access; forms add and
 * edit residents.  The access history lists granted and denied attempts,
 * newest first, and follows new ones; the dashboard shows the latest
 * denials as a signal.  Everything is fetched from the server (residents
 * and access events are not in the replica).
 */
#ifndef VIGIL_VIEW_RESIDENTS_H
#define VIGIL_VIEW_RESIDENTS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct console;
struct view;
struct access_signals;

/* The residents of the user's sites (or of site, when not NULL), with a search ("/"). */
struct view *view_residents_new(struct console *c, const char *site);
/* Resident id's page. */
struct view *view_resident_new(struct console *c, int64_t id);
/*
 * True when the user's role may see residents (write: and change them);
 * otherwise false, having said why on the message line.
 */
bool view_residents_allowed(struct console *c, bool write);

/* A form was saved: id is the resident's (or the right's, for a grant). */
typedef void view_form_saved_fn(struct console *c, void *arg, int64_t id);
/*
 * The form to add a resident (resident NULL) or edit resident (borrowed);
 * saved(c, arg, id) once the server took it.
 */
struct view *view_form_resident_new(struct console *c, json_t *resident,
    view_form_saved_fn *saved, void *arg);
/* The form granting resident id (called name, of site) a right. */
struct view *view_form_grant_new(struct console *c, int64_t id, const char *site,
    const char *name, view_form_saved_fn *saved, void *arg);

/*
 * The access history filtered by filter: words "resident=ID", "point=KEY",
 * "site=KEY", "result=granted|denied", "since=TIME", "until=TIME" (TIME:
 * -90m, -2h, -1d, now or ISO 8601).  title names the filter for people
 * (or NULL).  NULL with a message on the message line when filter is bad.
 */
struct view *view_access_new(struct console *c, const char *filter, const char *title);

/* The dashboard's signal of recent denials: NULL for roles that see no access. */
struct access_signals *access_signals_new(struct console *c);
/* A snapshot was loaded: what the stream may have missed is asked for again. */
void access_signals_reload(struct access_signals *s);
/* An "access" stream message (its data): a denial is counted. */
void access_signals_event(struct access_signals *s, json_t *data);
/* Stop following and free s (NULL is fine). */
void access_signals_free(struct access_signals *s);
/* Draw s at (y, x) in width columns (nothing when there was no recent denial). */
void access_signals_draw(struct console *c, struct access_signals *s, int y, int x,
    int width);

#endif
