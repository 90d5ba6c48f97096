#include "compat.h"

#include <math.h>

#include "sim_clock.h"
#include "sim_ctl.h"
#include "sim_storm.h"

#define SIM_STORM_POWER "mains power lost"
#define SIM_STORM_LOCK  "lock released: power lost"

/*
 * What each kind of point reports when the power goes.  All are alarms under
 * vigild's compiled-in rules; a site's [rules] may say otherwise, and then
 * the point falls back to the tamper and fault every point can report.
 */
static const struct sim_storm_mix {
	enum point_type point;
	enum event_type type;
	const char *value;
} sim_storm_mixes[] = {
	{ POINT_DOOR, EVENT_FORCED, NULL },
	{ POINT_DOOR, EVENT_HELD_OPEN, SIM_STORM_LOCK },
	{ POINT_WINDOW, EVENT_FORCED, NULL },
	{ POINT_MOTION, EVENT_TAMPER, SIM_STORM_POWER },
	{ POINT_WATER, EVENT_WATER_LEAK, NULL },
	{ POINT_EQUIPMENT, EVENT_FAULT, SIM_STORM_POWER },
	{ POINT_GATE, EVENT_FORCED, NULL },
	{ POINT_GATE, EVENT_HELD_OPEN, SIM_STORM_LOCK },
	{ POINT_BARRIER, EVENT_FORCED, NULL },
	{ POINT_BARRIER, EVENT_FAULT, SIM_STORM_POWER },
	{ POINT_SMOKE, EVENT_FAULT, SIM_STORM_POWER },
	{ POINT_PANIC, EVENT_TAMPER, SIM_STORM_POWER },
};
static const struct sim_storm_mix sim_storm_fallback[] = {
	{ POINT__COUNT, EVENT_TAMPER, SIM_STORM_POWER },
	{ POINT__COUNT, EVENT_FAULT, SIM_STORM_POWER },
};

/*
 * The storm choices of point pt into out (at least ARRAY_LEN(sim_storm_mixes)
 * long); returns how many there are.
 */
static int
sim_storm_choices(const struct sim_point *pt, const struct sim_storm_mix **out)
{
	int n = 0;

	for (size_t i = 0; i < ARRAY_LEN(sim_storm_mixes); i++)
		if (sim_storm_mixes[i].point == pt->type &&
		    sim_site_may_alarm(pt->site, pt->type,
		    sim_storm_mixes[i].type))
			out[n++] = &sim_storm_mixes[i];
	for (size_t i = 0; n == 0 && i < ARRAY_LEN(sim_storm_fallback); i++)
		if (sim_site_may_alarm(pt->site, pt->type,
		    sim_storm_fallback[i].type))
			out[n++] = &sim_storm_fallback[i];
	return n;
}

/* True when pt can raise an alarm in a storm. */
static bool
sim_storm_eligible(const struct sim_point *pt)
{
	const struct sim_storm_mix *c[ARRAY_LEN(sim_storm_mixes)];

	return sim_storm_choices(pt, c) > 0;
}

/* How many of gw's points can raise an alarm in a storm. */
static int
sim_storm_points(const struct sim_gateway *gw)
{
	int n = 0;

	for (int i = 0; i < gw->npoints; i++)
		n += sim_storm_eligible(gw->points[i]);
	return n;
}

/* Share the storm out among the gateways that send (largest remainder). */
int64_t
sim_storm_plan(struct sim_world *w)
{
	int64_t total = llround(sim_opts.storm_rate * sim_opts.storm_for);
	int64_t given = 0, points = 0;
	double *rest = xcalloc((size_t)w->ngateways + 1, sizeof *rest);
	double share;
	int best;

	for (int i = 0; i < w->ngateways; i++) {
		w->gateways[i]->storm_events = 0;
		if (w->gateways[i]->selected && !w->gateways[i]->silent)
			points += sim_storm_points(w->gateways[i]);
	}
	if (points == 0 || total <= 0) {
		free(rest);
		return 0;
	}
	for (int i = 0; i < w->ngateways; i++) {
		struct sim_gateway *gw = w->gateways[i];

		if (!gw->selected || gw->silent)
			continue;
		share = (double)total * sim_storm_points(gw) / (double)points;
		gw->storm_events = (int64_t)floor(share);
		rest[i] = share - floor(share);
		given += gw->storm_events;
	}
	while (given < total) {
		best = -1;
		for (int i = 0; i < w->ngateways; i++)
			if (rest[i] > 0 && (best < 0 || rest[i] > rest[best]))
				best = i;
		if (best < 0)
			break;
		w->gateways[best]->storm_events++;
		rest[best] = 0;
		given++;
	}
	free(rest);
	return given;
}

/* Set up gw's part of the storm, starting from monotonic time start_ms. */
void
sim_storm_init(struct sim_storm *s, struct sim_gateway *gw,
    struct sim_rng *rng, int64_t start_ms)
{
	memset(s, 0, sizeof *s);
	s->gw = gw;
	s->rng = rng;
	if (gw->storm_events <= 0)
		return;
	for (int i = 0; i < gw->npoints; i++) {
		if (!sim_storm_eligible(gw->points[i]))
			continue;
		s->points = xrealloc(s->points, (size_t)(s->npoints + 1) *
		    sizeof *s->points);
		s->points[s->npoints++] = gw->points[i];
	}
	s->step_ms = sim_opts.storm_for * 1000.0 / (double)gw->storm_events;
	s->first_ms = (double)start_ms + sim_opts.storm_at * 1000.0 +
	    sim_rng_uniform(rng) * s->step_ms;
}

/* Free what the storm holds. */
void
sim_storm_release(struct sim_storm *s)
{
	free(s->points);
	s->points = NULL;
	s->npoints = 0;
}

/* True once gw's whole share was made. */
bool
sim_storm_done(const struct sim_storm *s)
{
	return s->made >= s->gw->storm_events;
}

/* Copy up to max storm events due by now_ms into out. */
int
sim_storm_due(struct sim_storm *s, int64_t now_ms, struct sim_event *out,
    int max, int64_t *next_ms)
{
	const struct sim_storm_mix *c[ARRAY_LEN(sim_storm_mixes)];
	struct sim_point *pt;
	double due;
	uint32_t k;
	int n = 0, nc;

	*next_ms = INT64_MAX;
	while (n < max && !sim_storm_done(s)) {
		due = s->first_ms + (double)s->made * s->step_ms;
		if (due > (double)now_ms) {
			*next_ms = (int64_t)ceil(due);
			break;
		}
		pt = s->points[sim_rng_below(s->rng, (uint32_t)s->npoints)];
		nc = sim_storm_choices(pt, c);
		k = sim_rng_below(s->rng, (uint32_t)nc);
		memset(&out[n], 0, sizeof out[n]);
		out[n].point = pt;
		out[n].type = c[k]->type;
		snprintf(out[n].value, sizeof out[n].value, "%s",
		    c[k]->value != NULL ? c[k]->value : "");
		out[n].ts_ms = sim_clock_start_wall() + ((int64_t)due -
		    sim_clock_start_mono());
		out[n].storm = true;
		s->made++;
		n++;
	}
	if (n == max && !sim_storm_done(s))
		*next_ms = now_ms;
	return n;
}
