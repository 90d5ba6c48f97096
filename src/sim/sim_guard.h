/*
 * sim_guard.h: a guard's phone or tracker walking its patrol, one thread each.
 *
 * The guard walks the patrol's waypoints in order and back to the first, at
 * about walking pace (SIM_WALK_SPEED_MPS, --speed times faster in simulated
 * time), stopping a little at each waypoint to look around.  Every
 * --position-interval real seconds the device posts where it is, with GPS
 * scatter and the accuracy it claims, to POST /api/v1/ingest/positions.
 * Positions it could not deliver are kept (up to SIM_POSITION_BACKLOG) and
 * sent with the next ones, as trackers do.
 */
#ifndef VIGIL_SIM_GUARD_H
#define VIGIL_SIM_GUARD_H

#include "sim_site.h"

/* True when g can be simulated: it has a device secret and a patrol. */
bool sim_guard_usable(const struct sim_guard *g);
/* The thread body: run g (a struct sim_guard *) until the run stops. */
void *sim_guard_run(void *g);

#endif
