#include "compat.h"

#include <math.h>
#include <sysexits.h>

#include <jansson.h>

#include "jsonx.h"
#include "vtime.h"
#include "sim_ctl.h"
#include "sim_guard.h"
#include "sim_http.h"

#define SIM_GUARD_PATH        "/api/v1/ingest/positions"
#define SIM_GUARD_M_PER_DEG   111320.0   /* metres per degree of latitude */
#define SIM_GUARD_NOISE_M     3.0        /* GPS scatter around the route */
#define SIM_GUARD_ACCURACY_M  4.0        /* best reported accuracy */

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
	double round;                /* metres once round the patrol */
	double along;                /* metres from the first waypoint */
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

/* Length of the whole round, back to the first waypoint. */
static double
sim_guard_round(const struct sim_guard *g)
{
	double total = 0;

	for (int i = 0; i < g->npatrol; i++)
		total += sim_guard_distance(&g->patrol[i],
		    &g->patrol[(i + 1) % g->npatrol]);
	return total;
}

/* Walk metres further round the patrol and note the new position. */
static void
sim_guard_step(struct sim_guard_walk *w, double metres)
{
	struct sim_guard *g = w->g;
	const struct sim_waypoint *a, *b;
	struct sim_guard_fix *f;
	double len, left, t = 0, north, east;
	int leg = 0;

	/* A patrol of one place is a post: stand there. */
	a = b = &g->patrol[0];
	if (w->round > 0) {
		w->along = fmod(w->along + metres, w->round);
		left = w->along;
		for (leg = 0; leg < g->npatrol; leg++) {
			a = &g->patrol[leg];
			b = &g->patrol[(leg + 1) % g->npatrol];
			len = sim_guard_distance(a, b);
			if (left < len) {
				t = left / len;
				break;
			}
			left -= len;
		}
	}
	if (w->nbacklog == SIM_POSITION_BACKLOG) {
		memmove(&w->backlog[0], &w->backlog[1],
		    (SIM_POSITION_BACKLOG - 1) * sizeof w->backlog[0]);
		w->nbacklog--;
		w->dropped++;
	}
	f = &w->backlog[w->nbacklog++];
	north = (sim_ctl_uniform() * 2 - 1) * SIM_GUARD_NOISE_M;
	east = (sim_ctl_uniform() * 2 - 1) * SIM_GUARD_NOISE_M;
	f->ts_ms = vtime_now_ms();
	f->lat = a->lat + (b->lat - a->lat) * t + north / SIM_GUARD_M_PER_DEG;
	f->lon = a->lon + (b->lon - a->lon) * t + east /
	    (SIM_GUARD_M_PER_DEG * cos(a->lat * M_PI / 180.0));
	f->accuracy = SIM_GUARD_ACCURACY_M + floor(sim_ctl_uniform() * 80) / 10;
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
	double metres = SIM_WALK_SPEED_MPS * sim_opts.position_interval;
	int64_t next = vtime_mono_ms();

	w->g = arg;
	/* Guards start at different places on their rounds. */
	w->round = sim_guard_round(w->g);
	w->along = sim_ctl_uniform() * w->round;
	while (sim_ctl_state() == SIM_RUN) {
		sim_guard_step(w, metres);
		if (sim_guard_post(w, http) != 0)
			break;
		next += (int64_t)(sim_opts.position_interval * 1000);
		sim_ctl_sleep(next - vtime_mono_ms());
	}
	if (w->dropped > 0)
		sim_ctl_note("%s: %" PRId64 " positions dropped while the "
		    "server was unreachable", w->g->callsign, w->dropped);
	sim_http_free(http);
	free(w);
	return NULL;
}
