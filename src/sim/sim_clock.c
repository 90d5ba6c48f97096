#include "compat.h"

#include <math.h>
#include <time.h>

#include "accessrule.h"
#include "vtime.h"
#include "sim_ctl.h"
#include "sim_clock.h"

#define SIM_CLOCK_DAY_S   86400.0

static double sim_clock_speed = 1.0;
static int64_t sim_clock_mono0;
static int64_t sim_clock_wall0;

/* Start the clock now, running speed times faster than real time. */
void
sim_clock_start(double speed)
{
	sim_clock_speed = speed > 0 ? speed : 1.0;
	sim_clock_wall0 = vtime_now_ms();
	sim_clock_mono0 = vtime_mono_ms();
}

/* Monotonic ms at the start. */
int64_t
sim_clock_start_mono(void)
{
	return sim_clock_mono0;
}

/* Wall ms at the start. */
int64_t
sim_clock_start_wall(void)
{
	return sim_clock_wall0;
}

/* The simulated time at monotonic time mono_ms. */
int64_t
sim_clock_at(int64_t mono_ms)
{
	return sim_clock_wall0 + (int64_t)((double)(mono_ms - sim_clock_mono0) *
	    sim_clock_speed);
}

/* The simulated time now. */
int64_t
sim_clock_now(void)
{
	return sim_clock_at(vtime_mono_ms());
}

/* The monotonic ms when the simulated clock reaches sim_ms. */
int64_t
sim_clock_mono_of(int64_t sim_ms)
{
	return sim_clock_mono0 + (int64_t)ceil((double)(sim_ms -
	    sim_clock_wall0) / sim_clock_speed);
}

/* The real time that an event at sim_ms carries. */
int64_t
sim_clock_wall_of(int64_t sim_ms)
{
	return sim_clock_wall0 + (int64_t)((double)(sim_ms - sim_clock_wall0) /
	    sim_clock_speed);
}

/*
 * Set s->day_start_s from the site's zone (local time as the gates read it,
 * accessrule_localtime), or from clock_s.  Zones are whole minutes from UTC,
 * so the seconds within the minute are the start's own.
 */
void
sim_clock_site(struct sim_site *s, int clock_s)
{
	struct accessrule_local lt;
	time_t t;
	struct tm tm;

	if (clock_s >= 0) {
		s->day_start_s = clock_s;
		return;
	}
	if (accessrule_localtime(s->timezone, sim_clock_wall0, &lt) == 0) {
		s->day_start_s = lt.minute * 60.0 +
		    (double)(sim_clock_wall0 % 60000) / 1000.0;
		return;
	}
	sim_ctl_note("site %s: time zone %s is unknown here; using local time",
	    s->key, s->timezone);
	t = (time_t)(sim_clock_wall0 / 1000);
	localtime_r(&t, &tm);
	s->day_start_s = tm.tm_hour * 3600.0 + tm.tm_min * 60.0 + tm.tm_sec +
	    (double)(sim_clock_wall0 % 1000) / 1000.0;
}

/* The site's local hour of day at simulated time sim_ms. */
double
sim_clock_hour(const struct sim_site *s, int64_t sim_ms)
{
	double sod = fmod(s->day_start_s + (double)(sim_ms - sim_clock_wall0) /
	    1000.0, SIM_CLOCK_DAY_S);

	if (sod < 0)
		sod += SIM_CLOCK_DAY_S;
	return sod / 3600.0;
}
