/*
 * sim_site.h: what vigil-sim knows of the sites it simulates.
 *
 * It reads the same site files vigild imports (vigil-site.5), keeping only
 * what a gateway or a guard's device needs: keys, secrets, point types and
 * patrol routes.  The server validates the rest.
 */
#ifndef VIGIL_SIM_SITE_H
#define VIGIL_SIM_SITE_H

#include <stdint.h>

#include "model.h"

struct sim_gateway;

/* A sensor or access point; state is what the sim last reported. */
struct sim_point {
	char *key;
	enum point_type type;
	char *gateway_key;
	struct sim_gateway *gateway;
	bool open;                   /* doors, windows, gates: last open/close */
};

/* A gateway and what its sender thread counts. */
struct sim_gateway {
	char *key;
	char *site;
	char *secret;
	int supervision_s;
	struct sim_point **points;
	int npoints;
	bool selected;               /* run by this invocation */

	int64_t sent;                /* distinct events sent at least once */
	int64_t acked;               /* answered stored or duplicate */
	int64_t duplicates;          /* answered duplicate */
	int64_t retries;             /* requests sent again */
	int exit_code;               /* 0, or the sysexits code it stopped with */
};

struct sim_waypoint {
	double lat;
	double lon;
};

/* A guard's phone or tracker and what its thread counts. */
struct sim_guard {
	char *callsign;
	char *site;
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
	struct sim_gateway **gateways;
	int ngateways;
	struct sim_point **points;
	int npoints;
	struct sim_guard **guards;
	int nguards;
};

/*
 * Add the gateways, points and guards of the site file at path to w.
 * Returns 0, or -1 with *cause (caller frees) naming the file, line and field;
 * *missing is set when the file could not be opened at all.
 */
int sim_site_load(struct sim_world *w, const char *path, bool *missing,
    char **cause);
/* The gateway called key, or NULL. */
struct sim_gateway *sim_site_gateway(struct sim_world *w, const char *key);
/* Free everything w holds (not w itself). */
void sim_site_release(struct sim_world *w);

#endif
