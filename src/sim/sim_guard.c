#include "compat.h"

#include <math.h>
#include <sysexits.h>

#include <jansson.h>

#include "jsonx.h"
#include "vtime.h"
#include "sim_ctl.h"
#include "sim_guard.h"
#include "sim_http.h"
#include "sim_rng.h"

#define SIM_GUARD_PATH        "/api/v1/ingest/positions"
#define SIM_GUARD_M_PER_DEG   111320.0   /* metres per degree of latitude */
#define SIM_GUARD_PACE_SPREAD 0.15       /* guards walk 15% faster or slower */
#define SIM_GUARD_PAUSE_MIN_S 5.0        /* a look round at each waypoint */
#define SIM_GUARD_PAUSE_MAX_S 40.0
#define SIM_GUARD_ACCURACY_M  4.0        /* best reported accuracy */
#define SIM_GUARD_ACCURACY_SPREAD_M 8.0  /* usual accuracy: best to best + this */
#define SIM_GUARD_POOR_CHANCE 0.05       /* a fix between tall buildings */
#define SIM_GUARD_POOR_M      30.0       /* is this much worse at most */
#define SIM_GUARD_SCATTER     0.5        /* error deviation per metre of accuracy */
#define SIM_GUARD_SHORT_LEG_M 0.01       /* waypoints closer than this coincide */

/* One position waiting to be delivered. */
struct sim_guard_fix {
	int64_t ts_ms;
	double lat;
	double lon;
	double accuracy;
};

/* A guard's walk and its undelivered positions. */
struct sim_guard_walk {
	struct sim_guard *g;
	struct sim_rng rng;
	double pace;                 /* metres per simulated second */
	int leg;                     /* walking from patrol[leg] to the next */
	double along;                /* metres into the leg */
	double pause;                /* seconds still to stand at patrol[leg] */
	struct sim_guard_fix backlog[SIM_POSITION_BACKLOG];
	int nbacklog;
	int64_t dropped;
};

/* True when g can be simulated: it has a device secret and a patrol. */
bool
sim_guard_usable(const struct sim_guard *g)
{
	return g->secret != NULL && g->npatrol > 0;
}

/* Metres between two waypoints (equirectangular: patrols are small). */
static double
sim_guard_distance(const struct sim_waypoint *a, const struct sim_waypoint *b)
{
	double dy = (b->lat - a->lat) * SIM_GUARD_M_PER_DEG;
	double dx = (b->lon - a->lon) * SIM_GUARD_M_PER_DEG *
	    cos(a->lat * M_PI / 180.0);

	return sqrt(dx * dx + dy * dy);
}

/* Length of leg i, from waypoint i to the next (the first after the last). */
static double
sim_guard_leg(const struct sim_guard *g, int i)
{
	return sim_guard_distance(&g->patrol[i], &g->patrol[(i + 1) %
	    g->npatrol]);
}

/* Walk on for seconds of simulated time, pausing at each waypoint. */
static void
sim_guard_walk(struct sim_guard_walk *w, double seconds)
{
	struct sim_guard *g = w->g;
	double len, need, loop_m = 0;

	for (int i = 0; i < g->npatrol; i++)
		loop_m += sim_guard_leg(g, i);
	if (loop_m < SIM_GUARD_SHORT_LEG_M)
		return;      /* a patrol of one place is a post: stand there */
	while (seconds > 0) {
		if (w->pause > 0) {
			need = w->pause < seconds ? w->pause : seconds;
			w->pause -= need;
			seconds -= need;
			continue;
		}
		len = sim_guard_leg(g, w->leg);
		need = (len - w->along) / w->pace;
		if (seconds < need) {
			w->along += seconds * w->pace;
			return;
		}
		seconds -= need;
		w->leg = (w->leg + 1) % g->npatrol;
		w->along = 0;
		if (len >= SIM_GUARD_SHORT_LEG_M)
			w->pause = sim_rng_between(&w->rng,
			    SIM_GUARD_PAUSE_MIN_S, SIM_GUARD_PAUSE_MAX_S);
	}
}

/* Note where the guard is now, as a GPS would: scattered, with an accuracy. */
static void
sim_guard_fix(struct sim_guard_walk *w)
{
	struct sim_guard *g = w->g;
	const struct sim_waypoint *a = &g->patrol[w->leg];
	const struct sim_waypoint *b = &g->patrol[(w->leg + 1) % g->npatrol];
	struct sim_guard_fix *f;
	double len = sim_guard_leg(g, w->leg), t, acc;

	t = len >= SIM_GUARD_SHORT_LEG_M ? w->along / len : 0;
	if (w->nbacklog == SIM_POSITION_BACKLOG) {
		memmove(&w->backlog[0], &w->backlog[1],
		    (SIM_POSITION_BACKLOG - 1) * sizeof w->backlog[0]);
		w->nbacklog--;
		w->dropped++;
	}
	acc = SIM_GUARD_ACCURACY_M + sim_rng_uniform(&w->rng) *
	    SIM_GUARD_ACCURACY_SPREAD_M;
	if (sim_rng_chance(&w->rng, SIM_GUARD_POOR_CHANCE))
		acc += sim_rng_uniform(&w->rng) * SIM_GUARD_POOR_M;
	f = &w->backlog[w->nbacklog++];
	f->ts_ms = vtime_now_ms();
	f->accuracy = round(acc * 10) / 10;
	f->lat = a->lat + (b->lat - a->lat) * t +
	    sim_rng_normal(&w->rng, acc * SIM_GUARD_SCATTER) /
	    SIM_GUARD_M_PER_DEG;
	f->lon = a->lon + (b->lon - a->lon) * t +
	    sim_rng_normal(&w->rng, acc * SIM_GUARD_SCATTER) /
	    (SIM_GUARD_M_PER_DEG * cos(a->lat * M_PI / 180.0));
	g->posted++;
}

/* Encode the backlog as a positions request body (caller frees). */
static char *
sim_guard_encode(struct sim_guard_walk *w, size_t *len)
{
	json_t *root, *arr, *p;
	char ts[VTIME_ISO_LEN];
	char *out;

	arr = json_array();
	for (int i = 0; i < w->nbacklog; i++) {
		vtime_format(w->backlog[i].ts_ms, ts, sizeof ts);
		p = json_pack("{s:s, s:f, s:f, s:f}", "ts", ts,
		    "lat", w->backlog[i].lat, "lon", w->backlog[i].lon,
		    "accuracy", w->backlog[i].accuracy);
		if (p == NULL)
			fatal("json_pack failed");
		json_array_append_new(arr, p);
	}
	root = json_pack("{s:o}", "positions", arr);
	if (root == NULL)
		fatal("json_pack failed");
	out = jsonx_dump(root, len);
	json_decref(root);
	return out;
}

/* Count a 200 reply; -1 when it is not {"stored":N,"ignored":M}. */
static int
sim_guard_accept(struct sim_guard_walk *w, const struct sim_http_reply *rep)
{
	char err[JSONX_ERR_LEN];
	json_t *v, *stored, *ignored;
	int rc = -1;

	if ((v = jsonx_parse(rep->body, rep->len, err, sizeof err)) == NULL) {
		sim_ctl_error("%s: bad reply to positions: %s",
		    w->g->callsign, err);
		return -1;
	}
	stored = json_object_get(v, "stored");
	ignored = json_object_get(v, "ignored");
	if (json_is_integer(stored) && json_is_integer(ignored) &&
	    json_integer_value(stored) + json_integer_value(ignored) ==
	    w->nbacklog) {
		w->g->stored += json_integer_value(stored);
		w->g->ignored += json_integer_value(ignored);
		w->nbacklog = 0;
		rc = 0;
	} else
		sim_ctl_error("%s: bad reply to positions: expected "
		    "{\"stored\":N,\"ignored\":M} adding up to %d",
		    w->g->callsign, w->nbacklog);
	json_decref(v);
	return rc;
}

/* Post the backlog once; -1 when the guard must stop. */
static int
sim_guard_post(struct sim_guard_walk *w, struct sim_http *http)
{
	struct sim_guard *g = w->g;
	struct sim_http_reply rep;
	char *body, *cause = NULL, *what;
	size_t len;
	int rc = 0;

	body = sim_guard_encode(w, &len);
	if (sim_http_post(http, SIM_GUARD_PATH, g->callsign, g->secret, body,
	    len, &rep, &cause) != 0) {
		if (sim_ctl_state() == SIM_RUN) {
			sim_ctl_note("%s: %s; keeping %d positions",
			    g->callsign, cause, w->nbacklog);
			g->retries++;
		}
		free(cause);
	} else if (rep.status == 200) {
		if (sim_guard_accept(w, &rep) != 0) {
			g->exit_code = EX_PROTOCOL;
			rc = -1;
		}
	} else if (rep.status == 429 || rep.status >= 500) {
		what = sim_http_describe(&rep);
		sim_ctl_note("%s: %s; keeping %d positions", g->callsign, what,
		    w->nbacklog);
		free(what);
		g->retries++;
	} else {
		what = sim_http_describe(&rep);
		sim_ctl_error("%s: server refused positions: %s", g->callsign,
		    what);
		free(what);
		g->exit_code = rep.status == 401 || rep.status == 403 ?
		    EX_NOPERM : EX_PROTOCOL;
		rc = -1;
	}
	free(body);
	return rc;
}

/* The thread body: run g until the run stops. */
void *
sim_guard_run(void *arg)
{
	struct sim_guard_walk *w = xcalloc(1, sizeof *w);
	struct sim_http *http = sim_http_new(sim_opts.url);
	char name[LIMIT_KEY_LEN + 16];
	int64_t next = vtime_mono_ms();
	double loop_m = 0;

	w->g = arg;
	snprintf(name, sizeof name, "guard %s", w->g->callsign);
	sim_rng_init(&w->rng, sim_opts.seed, name);
	w->pace = SIM_WALK_SPEED_MPS * sim_rng_between(&w->rng,
	    1 - SIM_GUARD_PACE_SPREAD, 1 + SIM_GUARD_PACE_SPREAD);
	/* Guards start at different places on their rounds. */
	w->leg = (int)sim_rng_below(&w->rng, (uint32_t)w->g->npatrol);
	for (int i = 0; i < w->g->npatrol; i++)
		loop_m += sim_guard_leg(w->g, i);
	sim_guard_walk(w, sim_rng_uniform(&w->rng) * loop_m / w->pace);
	while (sim_ctl_state() == SIM_RUN) {
		sim_guard_fix(w);
		if (sim_guard_post(w, http) != 0)
			break;
		next += (int64_t)(sim_opts.position_interval * 1000);
		sim_ctl_sleep(next - vtime_mono_ms());
		sim_guard_walk(w, sim_opts.position_interval * sim_opts.speed);
	}
	if (w->dropped > 0)
		sim_ctl_note("%s: %" PRId64 " positions dropped while the "
		    "server was unreachable", w->g->callsign, w->dropped);
	sim_http_free(http);
	free(w);
	return NULL;
}
