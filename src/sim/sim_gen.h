/*
 * sim_gen.h: what simulated sensors report in a load run.
 *
 * By default each point type has its own mix of event types, close to what a
 * real site sends: doors mostly open and close, a forced door or a water leak
 * is rare.  Doors, windows, gates and barriers alternate open and close.
 */
#ifndef VIGIL_SIM_GEN_H
#define VIGIL_SIM_GEN_H

#include <stdint.h>

#include "model.h"
#include "sim_event.h"
#include "sim_rng.h"
#include "sim_site.h"

/*
 * Fill ev (all but its id) with the next event of gw at ts_ms: a point drawn
 * by how chatty its type is, a type drawn from types[0..ntypes) or from the
 * point's mix when ntypes is 0.
 */
void sim_gen_event(struct sim_gateway *gw, struct sim_rng *rng, int64_t ts_ms,
    const int *types, int ntypes, struct sim_event *ev);

#endif
