/*
 * sim_clock.h: simulated time.
 *
 * The simulated clock starts at the real time of the start and runs --speed
 * times faster.  What happens on a site (a door opening, a leak, a guard's
 * steps) is scheduled in simulated time; the time of day that makes a site
 * busy or quiet is read from it in the site's own time zone; an event still
 * carries the real time it was sent at, or the server would refuse it as
 * coming from the future.
 */
#ifndef VIGIL_SIM_CLOCK_H
#define VIGIL_SIM_CLOCK_H

#include <stdint.h>

#include "sim_site.h"

/* Start the clock now, running speed times faster than real time. */
void sim_clock_start(double speed);
/* Monotonic ms at the start. */
int64_t sim_clock_start_mono(void);
/* Wall ms at the start. */
int64_t sim_clock_start_wall(void);
/* The simulated time (ms since the epoch) at monotonic time mono_ms. */
int64_t sim_clock_at(int64_t mono_ms);
/* The simulated time now. */
int64_t sim_clock_now(void);
/* The monotonic ms when the simulated clock reaches sim_ms. */
int64_t sim_clock_mono_of(int64_t sim_ms);
/* The real (wall) time that an event at sim_ms carries. */
int64_t sim_clock_wall_of(int64_t sim_ms);
/*
 * Set s->day_start_s: local seconds after midnight at the start in the
 * site's time zone, or clock_s when that is not negative.  Falls back to the
 * machine's local time (with a note) when the zone is unknown here.  Call
 * before any thread starts: it changes TZ for a moment.
 */
void sim_clock_site(struct sim_site *s, int clock_s);
/* The site's local hour of day, [0, 24), at simulated time sim_ms. */
double sim_clock_hour(const struct sim_site *s, int64_t sim_ms);

#endif
