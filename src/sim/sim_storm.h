/*
 * sim_storm.h: --storm RATE --for SECONDS, a power cut across the district.
 *
 * On top of the normal traffic, RATE alarm-worthy events a second for
 * SECONDS (real time), shared out among the gateways that send in proportion
 * to their points that can raise one: forced doors, doors whose locks let
 * go, equipment reporting mains failure, water rising in sumps.  A site
 * whose [rules] make an event type less than an alarm is not sent it.  Each
 * gateway spaces its share evenly, from a phase of its own, so that the
 * storm is steady rather than bursty; then traffic is back to normal.
 */
#ifndef VIGIL_SIM_STORM_H
#define VIGIL_SIM_STORM_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_event.h"
#include "sim_rng.h"
#include "sim_site.h"

/* One gateway's part of the storm. */
struct sim_storm {
	struct sim_gateway *gw;
	struct sim_rng *rng;
	struct sim_point **points;   /* those that can raise an alarm */
	int npoints;
	int64_t made;                /* events made so far, of gw->storm_events */
	double first_ms;             /* monotonic ms of the first one */
	double step_ms;              /* between two */
};

/*
 * Share sim_opts' storm out among the selected gateways that are not silent:
 * sets each one's storm_events.  Returns the events the storm will make,
 * which is less than asked only when no point can raise an alarm.
 */
int64_t sim_storm_plan(struct sim_world *w);
/* Set up gw's part of the storm, starting from monotonic time start_ms. */
void sim_storm_init(struct sim_storm *s, struct sim_gateway *gw,
    struct sim_rng *rng, int64_t start_ms);
void sim_storm_release(struct sim_storm *s);
/*
 * Copy up to max storm events due by monotonic time now_ms into out (all but
 * their ids); *next_ms is when the next one is due (INT64_MAX when none).
 */
int sim_storm_due(struct sim_storm *s, int64_t now_ms, struct sim_event *out,
    int max, int64_t *next_ms);
/* True once gw's whole share was made. */
bool sim_storm_done(const struct sim_storm *s);

#endif
