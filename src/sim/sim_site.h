/*
 * sim_site.h: what vigil-sim knows of the sites it simulates.
 *
 * It reads the same site files vigild imports (vigil-site.5), keeping only
 * what a gateway or a guard's device needs: keys, secrets, point types,
 * which doors have an access controller, the site's time zone and rule
 * overrides, and patrol routes.  The server validates the rest.
 */
#ifndef VIGIL_SIM_SITE_H
#define VIGIL_SIM_SITE_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

#define SIM_RULE_DEFAULT (-1)        /* no [rules] override */

struct sim_gateway;
struct sim_access;

/* A site as a whole. */
struct sim_site {
	char *key;
	char *timezone;              /* IANA name, "UTC" by default */
	double day_start_s;          /* local seconds after midnight at the start */
	/* [rules] overrides: an enum rule_action, or SIM_RULE_DEFAULT. */
	signed char rule[POINT__COUNT][EVENT__COUNT];
};

/* A sensor or access point; the state is what the sim last reported. */
struct sim_point {
	char *key;
	enum point_type type;
	char *gateway_key;
	struct sim_gateway *gateway;
	struct sim_site *site;
	bool controlled;             /* has an access controller */
	bool access;                 /* access = yes: decides from the list */
	bool open;                   /* load runs: last open/close */
	int64_t busy_until;          /* played runs: simulated ms it is in use */
};

/* A gateway and what its sender thread counts. */
struct sim_gateway {
	char *key;
	struct sim_site *site;
	char *secret;
	int supervision_s;
	struct sim_point **points;
	int npoints;
	bool selected;               /* run by this invocation */
	bool silent;                 /* --silent-gateway */
	int64_t storm_events;        /* its share of --storm */

	int64_t sent;                /* distinct events sent at least once */
	int64_t acked;               /* answered stored or duplicate */
	int64_t duplicates;          /* answered duplicate */
	int64_t retries;             /* requests sent again */
	int64_t storm_sent;          /* storm events sent */
	int64_t storm_acked;
	int64_t storm_alarms;        /* storm events the server classed alarm */
	int64_t lost;                /* events dropped: the backlog was full */
	struct sim_access *access;   /* its access list, NULL without access points */
	int64_t access_syncs;        /* access list requests */
	int64_t access_lists;        /* answered with a (new) list */
	int64_t access_unchanged;    /* answered 304 */
	int64_t granted;             /* arrivals the gate let in */
	int64_t denied;              /* and refused */
	int exit_code;               /* 0, or the sysexits code it stopped with */
};

struct sim_waypoint {
	double lat;
	double lon;
};

/* A guard's phone or tracker and what its thread counts. */
struct sim_guard {
	char *callsign;
	struct sim_site *site;
	char *secret;
	struct sim_waypoint *patrol;
	int npatrol;

	int64_t posted;              /* positions sent at least once */
	int64_t stored;              /* answered stored */
	int64_t ignored;             /* answered ignored (off duty) */
	int64_t retries;
	int exit_code;
};

/* Everything read from the site files. */
struct sim_world {
	struct sim_site **sites;
	int nsites;
	struct sim_gateway **gateways;
	int ngateways;
	struct sim_point **points;
	int npoints;
	struct sim_guard **guards;
	int nguards;
};

/*
 * Add the site, gateways, points and guards of the site file at path to w.
 * Returns 0, or -1 with *cause (caller frees) naming the file, line and field;
 * *missing is set when the file could not be opened at all.
 */
int sim_site_load(struct sim_world *w, const char *path, bool *missing,
    char **cause);
/* The same for the site file text, called name in messages. */
int sim_site_load_text(struct sim_world *w, const char *name,
    const char *text, char **cause);
/* The gateway called key, or NULL. */
struct sim_gateway *sim_site_gateway(struct sim_world *w, const char *key);
/* True when the site's [rules] make events of type et at pt alarms or leave the default. */
bool sim_site_may_alarm(const struct sim_site *s, enum point_type pt,
    enum event_type et);
/* Free everything w holds (not w itself). */
void sim_site_release(struct sim_world *w);

#endif
