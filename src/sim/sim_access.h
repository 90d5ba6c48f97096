/*
 * sim_access.h: a simulated gate controller's access list.
 *
 * A gateway with access points (points with "access = yes" in the site
 * file) fetches GET /api/v1/gateways/KEY/access-list with its own Basic
 * auth when it starts and every --access-sync seconds after, sending the
 * ETag it holds as If-None-Match so that an unchanged list costs a 304.  It
 * keeps the last list it was given and decides every arrival at a gate,
 * barrier or door from that list alone, offline, with the decision function
 * vigild's gateways share (accessrule.h), exactly as a controller on site
 * would: a change made on the server reaches the gate at the next sync.
 *
 * Arrivals come from the played site's habits (residents with credentials
 * of the list, now and then a stranger's) and from --arrive, which makes a
 * given credential present itself at a given point at a given time.
 */
#ifndef VIGIL_SIM_ACCESS_H
#define VIGIL_SIM_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_rng.h"
#include "sim_site.h"

#define SIM_ACCESS_SYNC_S      10.0   /* --access-sync default, seconds */
#define SIM_ACCESS_SYNC_MIN_S  0.1
#define SIM_ACCESS_SYNC_MAX_S  86400.0
#define SIM_ACCESS_KIND_LEN    16     /* "phone", "app", "card", "plate" */
#define SIM_ACCESS_REASON_LEN  48     /* why an arrival was refused */
#define SIM_ARRIVE_MAX         256    /* --arrive options at most */

/* A credential scripted to present itself at a point (--arrive). */
struct sim_arrival {
	char *point_key;             /* as given */
	struct sim_point *point;     /* resolved once the sites are read */
	char kind[SIM_ACCESS_KIND_LEN];
	char *value;
	double at_s;                 /* seconds after the start */
	double every_s;              /* then again this often; 0: once */
};

struct sim_access;

/*
 * Parse "POINT:KIND:VALUE[@T[/EVERY]]" into *a (free it with
 * sim_access_arrival_release); -1 with *cause naming the problem.
 */
int sim_access_arrival_parse(const char *s, struct sim_arrival *a,
    char **cause);
void sim_access_arrival_release(struct sim_arrival *a);
/*
 * Find the point of every arrival in w; -1 with *cause when one names no
 * point, a point that is no access point, or a point of several sites.
 */
int sim_access_resolve(struct sim_world *w, struct sim_arrival *arr, int n,
    char **cause);

/* True when pt is an access point: a gate, barrier or door with access = yes. */
bool sim_access_point(const struct sim_point *pt);
/* The access list state of gw (NULL when gw has no access point). */
struct sim_access *sim_access_new(struct sim_gateway *gw);
void sim_access_free(struct sim_access *a);
/*
 * Fetch the list when a sync is due (always on the first call).  Returns 0,
 * or -1 when the server refused the gateway (gw->exit_code is set).  A
 * server that cannot be reached leaves the old list in force.
 */
int sim_access_sync(struct sim_access *a);
/* The monotonic ms the next sync is due, INT64_MAX when never. */
int64_t sim_access_next(const struct sim_access *a);
/*
 * Pick a credential of the list that names point pt (any point when
 * anywhere) into kind and value; false when the list has none.
 */
bool sim_access_pick(struct sim_access *a, struct sim_rng *rng,
    const struct sim_point *pt, bool anywhere, char *kind, size_t kindlen,
    char *value, size_t valuelen);
/*
 * Decide, from the list held now, whether credential kind:value opens pt
 * at wall time ts_ms.  True when granted; when not, reason says why.
 */
bool sim_access_decide(struct sim_access *a, const struct sim_point *pt,
    const char *kind, const char *value, int64_t ts_ms, char *reason,
    size_t reasonlen);
/* Write the credential as an event carries it ("card:004512") into buf. */
void sim_access_credential(const char *kind, const char *value, char *buf,
    size_t len);

#endif
