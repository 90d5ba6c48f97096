/*
 * sim_gen.h: what simulated sensors report.
 *
 * By default each point type has its own mix of event types, close to what a
 * real site sends: doors mostly open and close, a forced door or a water leak
 * is rare.  Doors, windows, gates and barriers alternate open and close.
 */
#ifndef VIGIL_SIM_GEN_H
#define VIGIL_SIM_GEN_H

#include <stdint.h>

#include "model.h"
#include "sim_site.h"

/* One event as a gateway holds it until the server has acknowledged it. */
struct sim_event {
	char id[LIMIT_EVENT_ID_LEN + 1];
	struct sim_point *point;     /* NULL for a heartbeat */
	enum event_type type;
	int64_t ts_ms;               /* time at the sensor */
	char credential[24];         /* "" unless an access event */
};

/*
 * Fill ev with the next event of gw, number n, at ts_ms: a point drawn by how
 * chatty its type is, a type drawn from types[0..ntypes) or from the point's
 * mix when ntypes is 0.
 */
void sim_gen_event(struct sim_gateway *gw, const char *run_id, int64_t n,
    int64_t ts_ms, const int *types, int ntypes, struct sim_event *ev);
/* Length of the longest event id gw can produce with run_id and n <= max_n. */
size_t sim_gen_id_len(const struct sim_gateway *gw, const char *run_id,
    int64_t max_n);

#endif
