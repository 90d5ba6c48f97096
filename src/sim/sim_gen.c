#include "compat.h"

#include "sim_gen.h"

#define SIM_GEN_CARDS 1000000       /* six-digit card numbers */

/* An event type and its weight in a point type's mix. */
struct sim_gen_weight {
	enum event_type type;
	int weight;
};

/*
 * The mix of each point type, in parts per thousand, and how often a point of
 * that type speaks relative to the others (chatter).  Access points mostly
 * grant; alarms proper (forced, water_leak, fire, panic) are rare.
 */
static const struct sim_gen_mix {
	enum point_type point;
	int chatter;
	struct sim_gen_weight w[8];
} sim_gen_mixes[] = {
	{ POINT_DOOR, 10, {
		{ EVENT_OPEN, 470 }, { EVENT_CLOSE, 470 },
		{ EVENT_HELD_OPEN, 30 }, { EVENT_FORCED, 8 },
		{ EVENT_LOW_BATTERY, 10 }, { EVENT_TAMPER, 2 },
		{ EVENT_FAULT, 10 } } },
	{ POINT_WINDOW, 3, {
		{ EVENT_OPEN, 480 }, { EVENT_CLOSE, 480 },
		{ EVENT_FORCED, 5 }, { EVENT_LOW_BATTERY, 25 },
		{ EVENT_TAMPER, 10 } } },
	{ POINT_MOTION, 8, {
		{ EVENT_MOTION, 950 }, { EVENT_LOW_BATTERY, 25 },
		{ EVENT_TAMPER, 10 }, { EVENT_FAULT, 15 } } },
	{ POINT_WATER, 1, {
		{ EVENT_RESTORE, 600 }, { EVENT_LOW_BATTERY, 250 },
		{ EVENT_FAULT, 100 }, { EVENT_WATER_LEAK, 50 } } },
	{ POINT_EQUIPMENT, 2, {
		{ EVENT_RESTORE, 850 }, { EVENT_FAULT, 120 },
		{ EVENT_TAMPER, 30 } } },
	{ POINT_GATE, 10, {
		{ EVENT_ACCESS_GRANTED, 560 }, { EVENT_ACCESS_DENIED, 60 },
		{ EVENT_OPEN, 180 }, { EVENT_CLOSE, 180 },
		{ EVENT_HELD_OPEN, 12 }, { EVENT_FORCED, 3 },
		{ EVENT_FAULT, 5 } } },
	{ POINT_BARRIER, 6, {
		{ EVENT_ACCESS_GRANTED, 580 }, { EVENT_ACCESS_DENIED, 50 },
		{ EVENT_OPEN, 180 }, { EVENT_CLOSE, 180 },
		{ EVENT_FAULT, 10 } } },
	{ POINT_SMOKE, 1, {
		{ EVENT_RESTORE, 800 }, { EVENT_LOW_BATTERY, 150 },
		{ EVENT_FAULT, 45 }, { EVENT_FIRE, 5 } } },
	{ POINT_PANIC, 1, {
		{ EVENT_RESTORE, 300 }, { EVENT_LOW_BATTERY, 600 },
		{ EVENT_TAMPER, 90 }, { EVENT_PANIC, 10 } } },
};

/* The mix of point type t. */
static const struct sim_gen_mix *
sim_gen_mix(enum point_type t)
{
	for (size_t i = 0; i < ARRAY_LEN(sim_gen_mixes); i++)
		if (sim_gen_mixes[i].point == t)
			return &sim_gen_mixes[i];
	fatal("no event mix for point type %d", (int)t);
}

/* Draw a point of gw, weighted by how chatty its type is. */
static struct sim_point *
sim_gen_point(struct sim_gateway *gw, struct sim_rng *rng)
{
	uint32_t total = 0, r;

	for (int i = 0; i < gw->npoints; i++)
		total += (uint32_t)sim_gen_mix(gw->points[i]->type)->chatter;
	r = sim_rng_below(rng, total);
	for (int i = 0; i < gw->npoints; i++) {
		uint32_t c = (uint32_t)sim_gen_mix(gw->points[i]->type)->chatter;
		if (r < c)
			return gw->points[i];
		r -= c;
	}
	return gw->points[gw->npoints - 1];
}

/* Draw an event type from the mix of point type t. */
static enum event_type
sim_gen_draw(enum point_type t, struct sim_rng *rng)
{
	const struct sim_gen_mix *m = sim_gen_mix(t);
	uint32_t total = 0, r;
	size_t i;

	for (i = 0; i < ARRAY_LEN(m->w) && m->w[i].weight > 0; i++)
		total += (uint32_t)m->w[i].weight;
	r = sim_rng_below(rng, total);
	for (i = 0; i < ARRAY_LEN(m->w) && m->w[i].weight > 0; i++) {
		if (r < (uint32_t)m->w[i].weight)
			return m->w[i].type;
		r -= (uint32_t)m->w[i].weight;
	}
	return m->w[0].type;
}

/* Fill ev (all but its id) with the next event of gw at ts_ms. */
void
sim_gen_event(struct sim_gateway *gw, struct sim_rng *rng, int64_t ts_ms,
    const int *types, int ntypes, struct sim_event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->ts_ms = ts_ms;
	if (ntypes > 0)
		ev->type = (enum event_type)types[sim_rng_below(rng,
		    (uint32_t)ntypes)];
	if (ntypes > 0 && ev->type == EVENT_HEARTBEAT)
		return;
	ev->point = sim_gen_point(gw, rng);
	if (ntypes == 0)
		ev->type = sim_gen_draw(ev->point->type, rng);
	/* An open door closes next; a closed one opens. */
	if (ev->type == EVENT_OPEN || ev->type == EVENT_CLOSE) {
		ev->type = ev->point->open ? EVENT_CLOSE : EVENT_OPEN;
		ev->point->open = !ev->point->open;
	}
	if (ev->type == EVENT_ACCESS_GRANTED || ev->type == EVENT_ACCESS_DENIED)
		snprintf(ev->credential, sizeof ev->credential, "card:%06" PRIu32,
		    sim_rng_below(rng, SIM_GEN_CARDS));
}
