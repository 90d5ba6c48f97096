#include "compat.h"

#include <math.h>

#include "sim_access.h"
#include "sim_clock.h"
#include "sim_ctl.h"
#include "sim_play.h"
#include "sim_rng.h"

#define SIM_PLAY_HOUR_MS     3600000.0
#define SIM_PLAY_RESIDENTS   400     /* cards and number plates a site knows */
#define SIM_PLAY_CARD_RANGE  1000000 /* six-digit card numbers */
#define SIM_PLAY_PLATE_NUM   100     /* the two digits of a number plate */
#define SIM_PLAY_PLATE_LETTERS 5     /* and its letters */
#define SIM_PLAY_ALPHABET    26

/* How long things take, in simulated seconds. */
#define SIM_PLAY_UNLOCK_MIN_S   0.5  /* from a granted card to the door opening */
#define SIM_PLAY_UNLOCK_MAX_S   2.0
#define SIM_PLAY_DOOR_MIN_S     3.0  /* a door open while someone walks through */
#define SIM_PLAY_DOOR_MAX_S     10.0
#define SIM_PLAY_GATE_MIN_S     5.0
#define SIM_PLAY_GATE_MAX_S     12.0
#define SIM_PLAY_BARRIER_MIN_S  6.0  /* a barrier up while a car passes */
#define SIM_PLAY_BARRIER_MAX_S  15.0
#define SIM_PLAY_HELD_AFTER_S   30.0 /* a controller's held-open threshold */
#define SIM_PLAY_HELD_MIN_S     30.0 /* held open, then closed after this */
#define SIM_PLAY_HELD_MAX_S     240.0
#define SIM_PLAY_HELD_CHANCE    0.006  /* of a passage */
#define SIM_PLAY_FORCED_MIN_S   10.0
#define SIM_PLAY_FORCED_MAX_S   60.0
#define SIM_PLAY_AIRING_MIN_S   600.0  /* a window left open */
#define SIM_PLAY_AIRING_MAX_S   5400.0
#define SIM_PLAY_MOTION_HOLD_S  30.0   /* a detector's quiet time after motion */
#define SIM_PLAY_LEAK_MIN_S     300.0
#define SIM_PLAY_LEAK_MAX_S     1800.0
#define SIM_PLAY_FAULT_MIN_S    120.0
#define SIM_PLAY_FAULT_MAX_S    1800.0
#define SIM_PLAY_TAMPER_MIN_S   60.0
#define SIM_PLAY_TAMPER_MAX_S   300.0
#define SIM_PLAY_FIRE_MIN_S     300.0
#define SIM_PLAY_FIRE_MAX_S     1200.0
#define SIM_PLAY_PANIC_MIN_S    60.0
#define SIM_PLAY_PANIC_MAX_S    300.0
#define SIM_PLAY_UNKNOWN_CHANCE 0.7    /* a refused credential is unknown */

/* What a habit plays when it fires. */
enum sim_play_scene {
	SCENE_PASSAGE,   /* access granted, open, close (or held open first) */
	SCENE_DENIED,    /* access denied to a credential */
	SCENE_EGRESS,    /* an exit door pushed open, then closed */
	SCENE_AIRING,    /* a window opened for a while */
	SCENE_MOTION,
	SCENE_FORCED,    /* opened without access, then closed */
	SCENE_LEAK,      /* water leak, later restore */
	SCENE_FAULT,     /* fault, later restore */
	SCENE_TAMPER,    /* tamper, later restore */
	SCENE_BATTERY,   /* low battery */
	SCENE_FIRE,      /* fire, later restore */
	SCENE_PANIC,     /* panic, later restore */
};

/* Which points of a type a habit applies to. */
enum sim_play_access {
	ACCESS_ANY,
	ACCESS_CONTROLLED,           /* with an access controller */
	ACCESS_FREE,                 /* without one */
};

/*
 * The habits of each point type: how often per simulated hour (at the
 * busiest hour for those that follow the day), and whether they do.  Rare
 * things are rare per point but add up over a site: Riverside Gardens sees
 * a forced door or an equipment fault every hour or two.
 */
static const struct sim_play_habit {
	enum point_type point;
	enum sim_play_access access;
	enum sim_play_scene scene;
	double per_hour;
	bool daily;
} sim_play_habits[] = {
	{ POINT_DOOR, ACCESS_CONTROLLED, SCENE_PASSAGE, 30, true },
	{ POINT_DOOR, ACCESS_CONTROLLED, SCENE_DENIED, 1.0, true },
	{ POINT_DOOR, ACCESS_FREE, SCENE_EGRESS, 6, true },
	{ POINT_DOOR, ACCESS_ANY, SCENE_FORCED, 0.02, false },
	{ POINT_DOOR, ACCESS_ANY, SCENE_TAMPER, 0.002, false },
	{ POINT_DOOR, ACCESS_ANY, SCENE_BATTERY, 0.004, false },
	{ POINT_WINDOW, ACCESS_ANY, SCENE_AIRING, 0.3, true },
	{ POINT_WINDOW, ACCESS_ANY, SCENE_FORCED, 0.004, false },
	{ POINT_WINDOW, ACCESS_ANY, SCENE_BATTERY, 0.004, false },
	{ POINT_MOTION, ACCESS_ANY, SCENE_MOTION, 12, true },
	{ POINT_MOTION, ACCESS_ANY, SCENE_TAMPER, 0.002, false },
	{ POINT_MOTION, ACCESS_ANY, SCENE_BATTERY, 0.004, false },
	{ POINT_WATER, ACCESS_ANY, SCENE_LEAK, 0.01, false },
	{ POINT_WATER, ACCESS_ANY, SCENE_BATTERY, 0.006, false },
	{ POINT_EQUIPMENT, ACCESS_ANY, SCENE_FAULT, 0.03, false },
	{ POINT_GATE, ACCESS_ANY, SCENE_PASSAGE, 40, true },
	{ POINT_GATE, ACCESS_ANY, SCENE_DENIED, 1.5, true },
	{ POINT_GATE, ACCESS_ANY, SCENE_FORCED, 0.01, false },
	{ POINT_GATE, ACCESS_ANY, SCENE_FAULT, 0.005, false },
	{ POINT_BARRIER, ACCESS_ANY, SCENE_PASSAGE, 25, true },
	{ POINT_BARRIER, ACCESS_ANY, SCENE_DENIED, 1.0, true },
	{ POINT_BARRIER, ACCESS_ANY, SCENE_FAULT, 0.01, false },
	{ POINT_SMOKE, ACCESS_ANY, SCENE_FIRE, 0.0005, false },
	{ POINT_SMOKE, ACCESS_ANY, SCENE_FAULT, 0.003, false },
	{ POINT_SMOKE, ACCESS_ANY, SCENE_BATTERY, 0.004, false },
	{ POINT_PANIC, ACCESS_ANY, SCENE_PANIC, 0.001, false },
	{ POINT_PANIC, ACCESS_ANY, SCENE_BATTERY, 0.004, false },
};

/* People about, by local hour, 1 at the busiest: a residential estate. */
static const double sim_play_day[24] = {
	0.04, 0.02, 0.02, 0.02, 0.03, 0.08,     /* 00-05 */
	0.25, 0.75, 1.00, 0.70, 0.40, 0.35,     /* 06-11 */
	0.45, 0.40, 0.35, 0.40, 0.60, 0.90,     /* 12-17 */
	0.85, 0.60, 0.40, 0.25, 0.12, 0.06,     /* 18-23 */
};

/* What equipment says when it fails. */
static const char *const sim_play_faults[] = {
	"mains failure", "motor overload", "communication lost",
	"pressure low", "tripped", "controller reset",
};

/*
 * One habit of one point, when it may fire next, and its own random stream:
 * what a habit does then depends neither on the other habits nor on when
 * the gateway happens to look, so a seed and a --clock replay a site.
 */
struct sim_play_proc {
	struct sim_point *pt;
	const struct sim_play_habit *h;
	struct sim_rng rng;
	int64_t next;                /* simulated ms */
};

/* An event of a scene, waiting for its time. */
struct sim_play_item {
	int64_t at;                  /* simulated ms */
	uint64_t seq;                /* keeps a scene's order on equal times */
	struct sim_point *pt;
	enum event_type type;
	char credential[SIM_CREDENTIAL_LEN];
	char value[SIM_VALUE_LEN];
};

/* A --arrive of one of the gateway's points, and when it is due next. */
struct sim_play_arrival {
	const struct sim_arrival *a;
	double due_s;                /* real seconds after the start */
	int64_t next;                /* simulated ms; INT64_MAX when done */
};

struct sim_play {
	struct sim_gateway *gw;
	struct sim_play_proc *procs;
	int nprocs;
	struct sim_play_arrival *arrivals;
	int narrivals;
	struct sim_play_item *heap;  /* a binary min-heap by (at, seq) */
	int nheap;
	int capheap;
	uint64_t seq;
};

/* The traffic at a local hour, between the hourly figures. */
static double
sim_play_traffic(double hour)
{
	int h = (int)floor(hour) % 24;
	double f = hour - floor(hour);

	return sim_play_day[h] * (1 - f) + sim_play_day[(h + 1) % 24] * f;
}

/* True when habit h applies to point pt. */
static bool
sim_play_applies(const struct sim_play_habit *h, const struct sim_point *pt)
{
	if (h->point != pt->type)
		return false;
	if (h->access == ACCESS_CONTROLLED)
		return pt->controlled || pt->access;
	if (h->access == ACCESS_FREE)
		return !pt->controlled && !pt->access;
	return true;
}

/* The gap to the next candidate firing of a habit, in ms (at least 1). */
static int64_t
sim_play_gap(struct sim_play_proc *pr)
{
	double ms = sim_rng_exp(&pr->rng, SIM_PLAY_HOUR_MS / pr->h->per_hour);

	return ms < 1 ? 1 : ms > 1e15 ? (int64_t)1e15 : (int64_t)ms;
}

/* True when item a is due before item b. */
static bool
sim_play_before(const struct sim_play_item *a, const struct sim_play_item *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

/* Queue an event of point pt at simulated time at; counts it lost when full. */
static void
sim_play_push(struct sim_play *p, int64_t at, struct sim_point *pt,
    enum event_type type, const char *credential, const char *value)
{
	struct sim_play_item it, tmp;
	int i, parent;

	if (p->nheap >= SIM_PLAY_BACKLOG) {
		p->gw->lost++;
		return;
	}
	memset(&it, 0, sizeof it);
	it.at = at;
	it.seq = p->seq++;
	it.pt = pt;
	it.type = type;
	snprintf(it.credential, sizeof it.credential, "%s",
	    credential != NULL ? credential : "");
	snprintf(it.value, sizeof it.value, "%s", value != NULL ? value : "");
	if (p->nheap == p->capheap) {
		p->capheap = p->capheap == 0 ? 64 : p->capheap * 2;
		p->heap = xrealloc(p->heap, (size_t)p->capheap *
		    sizeof *p->heap);
	}
	i = p->nheap++;
	p->heap[i] = it;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (!sim_play_before(&p->heap[i], &p->heap[parent]))
			break;
		tmp = p->heap[i];
		p->heap[i] = p->heap[parent];
		p->heap[parent] = tmp;
		i = parent;
	}
}

/* Take the earliest item off the heap into *out. */
static void
sim_play_pop(struct sim_play *p, struct sim_play_item *out)
{
	struct sim_play_item tmp;
	int i = 0, l, r, m;

	*out = p->heap[0];
	p->heap[0] = p->heap[--p->nheap];
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < p->nheap && sim_play_before(&p->heap[l], &p->heap[m]))
			m = l;
		if (r < p->nheap && sim_play_before(&p->heap[r], &p->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = p->heap[i];
		p->heap[i] = p->heap[m];
		p->heap[m] = tmp;
		i = m;
	}
}

/* A simulated time s seconds after at. */
static int64_t
sim_play_after(int64_t at, double s)
{
	return at + (int64_t)(s * 1000.0);
}

/* A mixed 64-bit value of the site and a resident's number, for credentials. */
static uint64_t
sim_play_resident(const struct sim_site *s, uint32_t i)
{
	struct sim_rng r;

	sim_rng_init(&r, i, s->key);
	return sim_rng_next(&r);
}

/*
 * Write a credential into kind and value: a resident's card (or number
 * plate at a barrier), or with known false a stranger's.
 */
static void
sim_play_credential(struct sim_rng *rng, const struct sim_point *pt,
    bool known, char *kind, size_t kindlen, char *value, size_t len)
{
	uint64_t v = known ? sim_play_resident(pt->site,
	    sim_rng_below(rng, SIM_PLAY_RESIDENTS)) : sim_rng_next(rng);
	char l[SIM_PLAY_PLATE_LETTERS];

	if (pt->type != POINT_BARRIER) {
		snprintf(kind, kindlen, "card");
		snprintf(value, len, "%06u",
		    (unsigned)(v % SIM_PLAY_CARD_RANGE));
		return;
	}
	/* A UK-style plate: two letters, two digits, three letters. */
	for (size_t i = 0; i < sizeof l; i++) {
		l[i] = (char)('A' + v % SIM_PLAY_ALPHABET);
		v /= SIM_PLAY_ALPHABET;
	}
	snprintf(kind, kindlen, "plate");
	snprintf(value, len, "%c%c%02u%c%c%c", l[0], l[1],
	    (unsigned)(v % SIM_PLAY_PLATE_NUM), l[2], l[3], l[4]);
}

/* How long point pt stays open for one passage, in seconds. */
static double
sim_play_open_s(struct sim_rng *rng, const struct sim_point *pt)
{
	switch (pt->type) {
	case POINT_GATE:
		return sim_rng_between(rng, SIM_PLAY_GATE_MIN_S,
		    SIM_PLAY_GATE_MAX_S);
	case POINT_BARRIER:
		return sim_rng_between(rng, SIM_PLAY_BARRIER_MIN_S,
		    SIM_PLAY_BARRIER_MAX_S);
	default:
		return sim_rng_between(rng, SIM_PLAY_DOOR_MIN_S,
		    SIM_PLAY_DOOR_MAX_S);
	}
}

/* Open pt at t and close it again, now and then after holding it open. */
static int64_t
sim_play_open_close(struct sim_play *p, struct sim_rng *rng,
    struct sim_point *pt, int64_t t)
{
	int64_t close;

	sim_play_push(p, t, pt, EVENT_OPEN, NULL, NULL);
	if (pt->type != POINT_BARRIER &&
	    sim_rng_chance(rng, SIM_PLAY_HELD_CHANCE)) {
		t = sim_play_after(t, SIM_PLAY_HELD_AFTER_S);
		sim_play_push(p, t, pt, EVENT_HELD_OPEN, NULL, NULL);
		close = sim_play_after(t, sim_rng_between(rng,
		    SIM_PLAY_HELD_MIN_S, SIM_PLAY_HELD_MAX_S));
	} else
		close = sim_play_after(t, sim_play_open_s(rng, pt));
	sim_play_push(p, close, pt, EVENT_CLOSE, NULL, NULL);
	return close;
}

/* An alarm-like event at t and its restore between lo and hi seconds later. */
static int64_t
sim_play_restored(struct sim_play *p, struct sim_rng *rng, struct sim_point *pt,
    int64_t t, enum event_type type, const char *value, double lo, double hi)
{
	int64_t end = sim_play_after(t, sim_rng_between(rng, lo, hi));

	sim_play_push(p, t, pt, type, NULL, value);
	sim_play_push(p, end, pt, EVENT_RESTORE, NULL, NULL);
	return end;
}

/*
 * Someone shows credential kind:value at access point pt at simulated time
 * t: the gate decides from the list it holds, exactly as a controller on
 * site, and lets them through or refuses them.
 */
static void
sim_play_present(struct sim_play *p, struct sim_rng *rng, struct sim_point *pt,
    int64_t t, const char *kind, const char *value)
{
	char cred[SIM_CREDENTIAL_LEN], why[SIM_ACCESS_REASON_LEN];

	sim_access_credential(kind, value, cred, sizeof cred);
	if (sim_access_decide(p->gw->access, pt, kind, value,
	    sim_clock_wall_of(t), why, sizeof why)) {
		p->gw->granted++;
		sim_play_push(p, t, pt, EVENT_ACCESS_GRANTED, cred, NULL);
		pt->busy_until = sim_play_open_close(p, rng, pt,
		    sim_play_after(t, sim_rng_between(rng,
		    SIM_PLAY_UNLOCK_MIN_S, SIM_PLAY_UNLOCK_MAX_S)));
	} else {
		p->gw->denied++;
		sim_play_push(p, t, pt, EVENT_ACCESS_DENIED, cred, why);
	}
}

/*
 * The arrivals at an access point: a resident with a credential the list
 * allows here passes (when the schedule lets them); a refused attempt is a
 * stranger's credential, or a resident's at a point or hour their rights
 * do not cover.  A point no credential of the list opens sees no residents.
 */
static void
sim_play_access_scene(struct sim_play *p, struct sim_play_proc *pr, int64_t t)
{
	struct sim_point *pt = pr->pt;
	struct sim_rng *rng = &pr->rng;
	char kind[SIM_ACCESS_KIND_LEN], value[LIMIT_CREDENTIAL_LEN + 1];

	if (pr->h->scene == SCENE_PASSAGE) {
		if (!sim_access_pick(p->gw->access, rng, pt, false, kind,
		    sizeof kind, value, sizeof value))
			return;
	} else if (sim_rng_chance(rng, SIM_PLAY_UNKNOWN_CHANCE) ||
	    !sim_access_pick(p->gw->access, rng, pt, true, kind, sizeof kind,
	    value, sizeof value))
		sim_play_credential(rng, pt, false, kind, sizeof kind, value,
		    sizeof value);
	sim_play_present(p, rng, pt, t, kind, value);
}

/* Play the scene of habit pr at its point, starting at simulated time t. */
static void
sim_play_scene(struct sim_play *p, struct sim_play_proc *pr, int64_t t)
{
	struct sim_point *pt = pr->pt;
	struct sim_rng *rng = &pr->rng;
	char cred[SIM_CREDENTIAL_LEN], kind[SIM_ACCESS_KIND_LEN];
	char value[LIMIT_CREDENTIAL_LEN + 1];
	bool known;

	if (t < pt->busy_until && pr->h->scene != SCENE_BATTERY)
		return;      /* someone is already at it */
	if ((pr->h->scene == SCENE_PASSAGE || pr->h->scene == SCENE_DENIED) &&
	    sim_access_point(pt) && p->gw->access != NULL) {
		sim_play_access_scene(p, pr, t);
		return;
	}
	switch (pr->h->scene) {
	case SCENE_PASSAGE:
		sim_play_credential(rng, pt, true, kind, sizeof kind, value,
		    sizeof value);
		sim_access_credential(kind, value, cred, sizeof cred);
		sim_play_push(p, t, pt, EVENT_ACCESS_GRANTED, cred, NULL);
		pt->busy_until = sim_play_open_close(p, rng, pt,
		    sim_play_after(t, sim_rng_between(rng,
		    SIM_PLAY_UNLOCK_MIN_S, SIM_PLAY_UNLOCK_MAX_S)));
		break;
	case SCENE_DENIED:
		known = !sim_rng_chance(rng, SIM_PLAY_UNKNOWN_CHANCE);
		sim_play_credential(rng, pt, known, kind, sizeof kind, value,
		    sizeof value);
		sim_access_credential(kind, value, cred, sizeof cred);
		sim_play_push(p, t, pt, EVENT_ACCESS_DENIED, cred, known ?
		    "outside schedule" : "unknown credential");
		break;
	case SCENE_EGRESS:
		pt->busy_until = sim_play_open_close(p, rng, pt, t);
		break;
	case SCENE_AIRING:
		sim_play_push(p, t, pt, EVENT_OPEN, NULL, NULL);
		pt->busy_until = sim_play_after(t, sim_rng_between(rng,
		    SIM_PLAY_AIRING_MIN_S, SIM_PLAY_AIRING_MAX_S));
		sim_play_push(p, pt->busy_until, pt, EVENT_CLOSE, NULL, NULL);
		break;
	case SCENE_MOTION:
		sim_play_push(p, t, pt, EVENT_MOTION, NULL, NULL);
		pt->busy_until = sim_play_after(t, SIM_PLAY_MOTION_HOLD_S);
		break;
	case SCENE_FORCED:
		sim_play_push(p, t, pt, EVENT_FORCED, NULL, NULL);
		pt->busy_until = sim_play_after(t, sim_rng_between(rng,
		    SIM_PLAY_FORCED_MIN_S, SIM_PLAY_FORCED_MAX_S));
		sim_play_push(p, pt->busy_until, pt, EVENT_CLOSE, NULL, NULL);
		break;
	case SCENE_LEAK:
		pt->busy_until = sim_play_restored(p, rng, pt, t,
		    EVENT_WATER_LEAK, NULL, SIM_PLAY_LEAK_MIN_S,
		    SIM_PLAY_LEAK_MAX_S);
		break;
	case SCENE_FAULT:
		pt->busy_until = sim_play_restored(p, rng, pt, t, EVENT_FAULT,
		    sim_play_faults[sim_rng_below(rng,
		    (uint32_t)ARRAY_LEN(sim_play_faults))],
		    SIM_PLAY_FAULT_MIN_S, SIM_PLAY_FAULT_MAX_S);
		break;
	case SCENE_TAMPER:
		pt->busy_until = sim_play_restored(p, rng, pt, t, EVENT_TAMPER,
		    NULL, SIM_PLAY_TAMPER_MIN_S, SIM_PLAY_TAMPER_MAX_S);
		break;
	case SCENE_BATTERY:
		sim_play_push(p, t, pt, EVENT_LOW_BATTERY, NULL, NULL);
		break;
	case SCENE_FIRE:
		pt->busy_until = sim_play_restored(p, rng, pt, t, EVENT_FIRE,
		    NULL, SIM_PLAY_FIRE_MIN_S, SIM_PLAY_FIRE_MAX_S);
		break;
	case SCENE_PANIC:
		pt->busy_until = sim_play_restored(p, rng, pt, t, EVENT_PANIC,
		    NULL, SIM_PLAY_PANIC_MIN_S, SIM_PLAY_PANIC_MAX_S);
		break;
	}
}

/* The simulated time s real seconds after the start. */
static int64_t
sim_play_arrival_at(double s)
{
	return sim_clock_at(sim_clock_start_mono() + (int64_t)(s * 1000.0));
}

/* Play scripted arrival pa at its time, and plan its next one. */
static void
sim_play_arrive(struct sim_play *p, struct sim_play_arrival *pa)
{
	struct sim_rng rng;
	char name[64];

	snprintf(name, sizeof name, "arrival %g", pa->due_s);
	sim_rng_init(&rng, sim_opts.seed, name);
	sim_play_present(p, &rng, pa->a->point, pa->next, pa->a->kind,
	    pa->a->value);
	if (pa->a->every_s > 0) {
		pa->due_s += pa->a->every_s;
		pa->next = sim_play_arrival_at(pa->due_s);
	} else
		pa->next = INT64_MAX;
}

/* The play of gw's points from simulated time start_ms. */
struct sim_play *
sim_play_new(struct sim_gateway *gw, uint64_t seed, int64_t start_ms)
{
	struct sim_play *p = xcalloc(1, sizeof *p);
	struct sim_play_proc *pr;
	char name[2 * LIMIT_KEY_LEN + 32];

	p->gw = gw;
	for (int i = 0; i < gw->npoints; i++) {
		for (size_t k = 0; k < ARRAY_LEN(sim_play_habits); k++) {
			if (!sim_play_applies(&sim_play_habits[k],
			    gw->points[i]))
				continue;
			p->procs = xrealloc(p->procs, (size_t)(p->nprocs + 1) *
			    sizeof *p->procs);
			pr = &p->procs[p->nprocs++];
			pr->pt = gw->points[i];
			pr->h = &sim_play_habits[k];
			snprintf(name, sizeof name, "%s %s habit %zu",
			    gw->site->key, pr->pt->key, k);
			sim_rng_init(&pr->rng, seed, name);
			pr->next = start_ms + sim_play_gap(pr);
		}
	}
	for (int i = 0; i < sim_opts.narrivals; i++) {
		const struct sim_arrival *a = &sim_opts.arrivals[i];
		struct sim_play_arrival *pa;

		if (a->point == NULL || a->point->gateway != gw)
			continue;
		p->arrivals = xrealloc(p->arrivals, (size_t)(p->narrivals + 1) *
		    sizeof *p->arrivals);
		pa = &p->arrivals[p->narrivals++];
		pa->a = a;
		pa->due_s = a->at_s;
		pa->next = sim_play_arrival_at(pa->due_s);
	}
	return p;
}

/* Free a play. */
void
sim_play_free(struct sim_play *p)
{
	if (p == NULL)
		return;
	free(p->procs);
	free(p->arrivals);
	free(p->heap);
	free(p);
}

/*
 * Fire every habit due by now_ms, earliest first, so that two habits of one
 * point meet in the order they happen.  A habit that follows the day fires
 * at its busiest rate and is kept with the traffic of the hour as chance: a
 * Poisson process thinned to the day's shape.
 */
static void
sim_play_advance(struct sim_play *p, int64_t now_ms)
{
	struct sim_play_proc *pr;
	struct sim_play_arrival *pa;
	double hour;

	for (;;) {
		pr = NULL;
		pa = NULL;
		for (int i = 0; i < p->nprocs; i++)
			if (p->procs[i].next <= now_ms && (pr == NULL ||
			    p->procs[i].next < pr->next))
				pr = &p->procs[i];
		for (int i = 0; i < p->narrivals; i++)
			if (p->arrivals[i].next <= now_ms && (pa == NULL ||
			    p->arrivals[i].next < pa->next))
				pa = &p->arrivals[i];
		if (pa != NULL && (pr == NULL || pa->next <= pr->next)) {
			sim_play_arrive(p, pa);
			continue;
		}
		if (pr == NULL)
			return;
		hour = sim_clock_hour(pr->pt->site, pr->next);
		if (!pr->h->daily || sim_rng_chance(&pr->rng,
		    sim_play_traffic(hour)))
			sim_play_scene(p, pr, pr->next);
		pr->next += sim_play_gap(pr);
	}
}

/* Play on to now_ms and copy up to max due events into out. */
int
sim_play_due(struct sim_play *p, int64_t now_ms, struct sim_event *out,
    int max, int64_t *next_ms)
{
	struct sim_play_item it;
	int n = 0;

	sim_play_advance(p, now_ms);
	while (n < max && p->nheap > 0 && p->heap[0].at <= now_ms) {
		sim_play_pop(p, &it);
		memset(&out[n], 0, sizeof out[n]);
		out[n].point = it.pt;
		out[n].type = it.type;
		out[n].ts_ms = sim_clock_wall_of(it.at);
		memcpy(out[n].credential, it.credential, sizeof it.credential);
		memcpy(out[n].value, it.value, sizeof it.value);
		n++;
	}
	*next_ms = INT64_MAX;
	if (p->nheap > 0)
		*next_ms = p->heap[0].at;
	for (int i = 0; i < p->nprocs; i++)
		if (p->procs[i].next < *next_ms)
			*next_ms = p->procs[i].next;
	for (int i = 0; i < p->narrivals; i++)
		if (p->arrivals[i].next < *next_ms)
			*next_ms = p->arrivals[i].next;
	return n;
}
