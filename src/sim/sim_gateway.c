#include "compat.h"

#include <math.h>
#include <sysexits.h>

#include <jansson.h>

#include "jsonx.h"
#include "vtime.h"
#include "sim_access.h"
#include "sim_clock.h"
#include "sim_ctl.h"
#include "sim_gateway.h"
#include "sim_gen.h"
#include "sim_http.h"
#include "sim_play.h"
#include "sim_record.h"
#include "sim_storm.h"

#define SIM_GATEWAY_PATH  "/api/v1/ingest"
#define SIM_GATEWAY_STORM "s"        /* storm event ids: RUN-GATEWAY-sN */

/* One gateway's sender state. */
struct sim_gateway_run {
	struct sim_gateway *gw;
	struct sim_http *http;
	struct sim_rng rng;          /* of a load run's draws */
	struct sim_rng storm_rng;
	struct sim_play *play;       /* a played run; NULL in a load run */
	struct sim_storm storm;
	struct sim_event *batch;
	int nbatch;
	int64_t drawn;               /* load run: events drawn */
	int64_t next_n;              /* number of the next event */
	int64_t next_storm;          /* number of the next storm event */
	int64_t start_mono;          /* when this gateway started */
	int64_t last_send_ms;        /* monotonic, of the last request */
	int64_t drain_ms;            /* monotonic, when the drain began; 0 before */
	int64_t heartbeat_ms;        /* idle time before a heartbeat */
};

/* Length of the longest event id gw makes with run_id and numbers up to max_n. */
size_t
sim_gateway_id_len(const struct sim_gateway *gw, const char *run_id,
    int64_t max_n)
{
	char digits[32];

	snprintf(digits, sizeof digits, "%" PRId64, max_n);
	return strlen(run_id) + 1 + strlen(gw->key) + 1 +
	    (gw->storm_events > 0 ? strlen(SIM_GATEWAY_STORM) : 0) +
	    strlen(digits);
}

/* Encode the batch as an ingest request body (caller frees). */
static char *
sim_gateway_encode(struct sim_gateway_run *r, size_t *len)
{
	json_t *root, *events, *e;
	char ts[VTIME_ISO_LEN];
	char *out;

	events = json_array();
	for (int i = 0; i < r->nbatch; i++) {
		struct sim_event *ev = &r->batch[i];

		vtime_format(ev->ts_ms, ts, sizeof ts);
		e = json_pack("{s:s, s:s, s:s}", "id", ev->id,
		    "type", event_type_name(ev->type), "ts", ts);
		if (e == NULL)
			fatal("json_pack failed");
		if (ev->point != NULL)
			json_object_set_new(e, "point",
			    json_string(ev->point->key));
		if (ev->value[0] != '\0')
			json_object_set_new(e, "value", json_string(ev->value));
		if (ev->credential[0] != '\0')
			json_object_set_new(e, "credential",
			    json_string(ev->credential));
		json_array_append_new(events, e);
	}
	root = json_pack("{s:o}", "events", events);
	if (root == NULL)
		fatal("json_pack failed");
	out = jsonx_dump(root, len);
	json_decref(root);
	return out;
}

/*
 * Check a 200 reply against the batch and count it: one result per event,
 * in order, each "stored" or "duplicate" with a class.  Returns -1 with a
 * message in err when the reply is not that.
 */
static int
sim_gateway_accept(struct sim_gateway_run *r, const struct sim_http_reply *rep,
    char *err, size_t errlen)
{
	json_t *v, *results, *res;
	const char *id, *status, *cls;
	int64_t dup = 0, storm = 0, alarms = 0;
	size_t i;

	if ((v = jsonx_parse(rep->body, rep->len, err, errlen)) == NULL)
		return -1;
	results = json_object_get(v, "results");
	if (!json_is_array(results) ||
	    json_array_size(results) != (size_t)r->nbatch) {
		snprintf(err, errlen, "reply has no \"results\" array of %d "
		    "entries", r->nbatch);
		goto fail;
	}
	json_array_foreach(results, i, res) {
		id = json_string_value(json_object_get(res, "id"));
		status = json_string_value(json_object_get(res, "status"));
		cls = json_string_value(json_object_get(res, "class"));
		if (id == NULL || strcmp(id, r->batch[i].id) != 0) {
			snprintf(err, errlen, "results[%zu].id: expected "
			    "\"%s\"", i, r->batch[i].id);
			goto fail;
		}
		if (status == NULL || (strcmp(status, "stored") != 0 &&
		    strcmp(status, "duplicate") != 0)) {
			snprintf(err, errlen, "results[%zu].status: expected "
			    "stored or duplicate", i);
			goto fail;
		}
		if (cls == NULL || rule_action_parse(cls) < 0) {
			snprintf(err, errlen, "results[%zu].class: expected "
			    "ignore, signal or alarm", i);
			goto fail;
		}
		if (strcmp(status, "duplicate") == 0)
			dup++;
		if (r->batch[i].storm) {
			storm++;
			alarms += rule_action_parse(cls) == RULE_ALARM;
		}
	}
	sim_record_acked(r->gw, r->batch, results);
	r->gw->acked += r->nbatch;
	r->gw->duplicates += dup;
	r->gw->storm_acked += storm;
	r->gw->storm_alarms += alarms;
	json_decref(v);
	return 0;
fail:
	json_decref(v);
	return -1;
}

/* The next wait after a failure: backoff with jitter, doubling *backoff. */
static int64_t
sim_gateway_backoff(int64_t *backoff)
{
	int64_t wait = *backoff / 2 + (int64_t)sim_ctl_random(
	    (uint32_t)(*backoff / 2 + 1));

	*backoff *= 2;
	if (*backoff > SIM_BACKOFF_MAX_MS)
		*backoff = SIM_BACKOFF_MAX_MS;
	return wait;
}

/*
 * The end of the drain as a monotonic time, or 0 while the run goes on.
 * The drain begins the first time a gateway sees the run leave RUN.
 */
static int64_t
sim_gateway_deadline(struct sim_gateway_run *r)
{
	if (sim_ctl_state() == SIM_RUN)
		return 0;
	if (r->drain_ms == 0)
		r->drain_ms = vtime_mono_ms();
	return r->drain_ms + SIM_DRAIN_MS;
}

/* Count the batch as sent for the first time. */
static void
sim_gateway_first(struct sim_gateway_run *r)
{
	r->gw->sent += r->nbatch;
	for (int i = 0; i < r->nbatch; i++)
		r->gw->storm_sent += r->batch[i].storm;
	sim_record_sent(r->gw, r->batch, r->nbatch);
}

/*
 * Send the batch until the server answers 200 (0), or stop on a refusal,
 * a bad reply or the end of the run (-1, with gw->exit_code set).  A
 * heartbeat (an empty batch) is tried once.
 */
static int
sim_gateway_send(struct sim_gateway_run *r)
{
	struct sim_gateway *gw = r->gw;
	struct sim_http_reply rep;
	int64_t backoff = SIM_BACKOFF_MIN_MS, wait, deadline;
	int attempt = 0;
	bool noted = false;
	char *body, *cause = NULL, *what, err[JSONX_ERR_LEN];
	size_t len;
	int rc = -1;

	body = sim_gateway_encode(r, &len);
	for (;; attempt++) {
		if (sim_ctl_state() == SIM_ABORT)
			break;
		deadline = sim_gateway_deadline(r);
		if (deadline != 0 && vtime_mono_ms() > deadline)
			break;
		if (attempt == 0)
			sim_gateway_first(r);
		else
			gw->retries++;
		r->last_send_ms = vtime_mono_ms();
		if (sim_http_post(r->http, SIM_GATEWAY_PATH, gw->key,
		    gw->secret, body, len, &rep, &cause) != 0) {
			if (!noted)
				sim_ctl_note("%s: %s; retrying", gw->key, cause);
			noted = true;
			free(cause);
			cause = NULL;
			wait = sim_gateway_backoff(&backoff);
		} else if (rep.status == 200) {
			if (r->nbatch == 0 ||
			    sim_gateway_accept(r, &rep, err, sizeof err) == 0) {
				if (attempt > 0)
					sim_ctl_note("%s: batch acknowledged "
					    "after %d retries", gw->key, attempt);
				rc = 0;
				break;
			}
			sim_ctl_error("%s: bad reply to a batch: %s", gw->key,
			    err);
			gw->exit_code = EX_PROTOCOL;
			break;
		} else if (rep.status == 503 || rep.status == 429 ||
		    rep.status >= 500) {
			what = sim_http_describe(&rep);
			if (!noted)
				sim_ctl_note("%s: %s; retrying", gw->key, what);
			noted = true;
			free(what);
			/* Honour Retry-After, a little late so a fleet spreads out. */
			if (rep.retry_after_s > 0 &&
			    (rep.status == 503 || rep.status == 429))
				wait = rep.retry_after_s * 1000 + (int64_t)
				    sim_ctl_random((uint32_t)(rep.retry_after_s *
				    1000 / SIM_RETRY_AFTER_JITTER + 1));
			else
				wait = sim_gateway_backoff(&backoff);
		} else {
			what = sim_http_describe(&rep);
			sim_ctl_error("%s: server refused a %s: %s", gw->key,
			    r->nbatch > 0 ? "batch" : "heartbeat", what);
			free(what);
			gw->exit_code = rep.status == 401 ||
			    rep.status == 403 ? EX_NOPERM : EX_PROTOCOL;
			break;
		}
		if (r->nbatch == 0) {
			rc = 0;     /* a heartbeat is not worth retrying */
			break;
		}
		deadline = sim_gateway_deadline(r);
		if (deadline != 0 && vtime_mono_ms() + wait > deadline)
			wait = deadline - vtime_mono_ms();
		sim_ctl_sleep(wait);
	}
	free(body);
	if (rc != 0 && gw->exit_code == 0 && r->nbatch > 0)
		gw->exit_code = EX_UNAVAILABLE;
	return rc;
}

/*
 * Load run: how many events the next batch may draw now, at most max: less
 * what --events leaves, less what --rate has not yet made due.  Sets
 * *wait_ms when none is due yet.
 */
static int
sim_gateway_load_due(struct sim_gateway_run *r, int max, int64_t *wait_ms)
{
	int64_t n = max, due, elapsed;

	*wait_ms = INT64_MAX;
	if (sim_opts.events >= 0 && sim_opts.events - r->drawn < n)
		n = sim_opts.events - r->drawn;
	if (sim_opts.rate <= 0 || n <= 0)
		return (int)n;
	elapsed = vtime_mono_ms() - r->start_mono;
	due = (int64_t)floor((double)elapsed * sim_opts.rate / 1000.0) -
	    r->drawn;
	if (due <= 0) {
		*wait_ms = (int64_t)ceil((double)(r->drawn + 1) * 1000.0 /
		    sim_opts.rate) - elapsed;
		if (*wait_ms < 1)
			*wait_ms = 1;
		return 0;
	}
	return (int)(due < n ? due : n);
}

/* Load run: draw n events into out. */
static void
sim_gateway_load(struct sim_gateway_run *r, struct sim_event *out, int n)
{
	int64_t ts;

	for (int i = 0; i < n; i++) {
		r->drawn++;
		if (sim_opts.rate > 0)
			ts = sim_clock_start_wall() + (r->start_mono -
			    sim_clock_start_mono()) + (int64_t)((double)r->drawn *
			    1000.0 / sim_opts.rate);
		else
			ts = vtime_now_ms();
		sim_gen_event(r->gw, &r->rng, ts, sim_opts.types,
		    sim_opts.ntypes, &out[i]);
	}
}

/* Order events by time, then by the order they were gathered in. */
static int
sim_gateway_cmp(const void *a, const void *b)
{
	const struct sim_event *x = a, *y = b;

	if (x->ts_ms != y->ts_ms)
		return x->ts_ms < y->ts_ms ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Keep the earlier of *wait and the monotonic time at, as a wait from now. */
static void
sim_gateway_until(int64_t *wait, int64_t at, int64_t now)
{
	if (at != INT64_MAX && at - now < *wait)
		*wait = at - now;
}

/*
 * Put together the next batch from what has happened by now (by the start
 * of the drain once it began), in time order, and number it.  Sets *wait_ms
 * to how long until anything more falls due (INT64_MAX: nothing ever).
 */
static void
sim_gateway_collect(struct sim_gateway_run *r, int64_t *wait_ms)
{
	int64_t now = vtime_mono_ms(), limit, next, w;
	int n, k;

	limit = r->drain_ms != 0 ? r->drain_ms : now;
	*wait_ms = INT64_MAX;
	n = sim_storm_due(&r->storm, limit, r->batch, sim_opts.batch, &next);
	sim_gateway_until(wait_ms, next, now);
	if (r->play != NULL) {
		n += sim_play_due(r->play, sim_clock_at(limit), r->batch + n,
		    sim_opts.batch - n, &next);
		if (next != INT64_MAX)
			sim_gateway_until(wait_ms, sim_clock_mono_of(next), now);
	} else if (r->drain_ms == 0) {
		k = sim_gateway_load_due(r, sim_opts.batch - n, &w);
		sim_gateway_load(r, r->batch + n, k);
		n += k;
		if (w != INT64_MAX && w < *wait_ms)
			*wait_ms = w;
	}
	for (int i = 0; i < n; i++)
		r->batch[i].order = i;
	qsort(r->batch, (size_t)n, sizeof *r->batch, sim_gateway_cmp);
	for (int i = 0; i < n; i++) {
		if (r->batch[i].storm)
			snprintf(r->batch[i].id, sizeof r->batch[i].id,
			    "%s-%s-" SIM_GATEWAY_STORM "%" PRId64,
			    sim_opts.run_id, r->gw->key, r->next_storm++);
		else
			snprintf(r->batch[i].id, sizeof r->batch[i].id,
			    "%s-%s-%" PRId64, sim_opts.run_id, r->gw->key,
			    r->next_n++);
	}
	r->nbatch = n;
}

/* True when a load run has drawn all its events and its storm. */
static bool
sim_gateway_done(struct sim_gateway_run *r)
{
	if (r->play != NULL || !sim_storm_done(&r->storm))
		return false;
	return sim_opts.events >= 0 && r->drawn >= sim_opts.events;
}

/*
 * The sending loop: batches as events fall due, heartbeats when idle, until
 * the run ends, a load run is done, the server refuses the gateway or the
 * gateway falls silent.
 */
static void
sim_gateway_loop(struct sim_gateway_run *r)
{
	int64_t wait, idle, quiet_at = INT64_MAX, now;

	if (r->gw->silent)
		quiet_at = r->start_mono + (int64_t)(sim_opts.silent_after *
		    1000.0);
	for (;;) {
		if (sim_ctl_state() == SIM_ABORT)
			return;
		if (sim_gateway_deadline(r) != 0 &&
		    vtime_mono_ms() > sim_gateway_deadline(r))
			return;
		if ((now = vtime_mono_ms()) >= quiet_at) {
			if (sim_opts.silent_after > 0)
				sim_ctl_note("%s: falls silent", r->gw->key);
			return;
		}
		/* The gate decides from the list it holds: fetch it first. */
		if (r->gw->access != NULL && r->drain_ms == 0 &&
		    sim_access_sync(r->gw->access) != 0)
			return;
		sim_gateway_collect(r, &wait);
		if (r->nbatch > 0) {
			if (sim_gateway_send(r) != 0)
				return;
			continue;
		}
		if (r->drain_ms != 0 || sim_gateway_done(r))
			return;
		idle = now - r->last_send_ms;
		if (idle >= r->heartbeat_ms) {
			if (sim_gateway_send(r) != 0 && r->gw->exit_code != 0)
				return;
			continue;
		}
		if (r->heartbeat_ms - idle < wait)
			wait = r->heartbeat_ms - idle;
		if (quiet_at - now < wait)
			wait = quiet_at - now;
		if (sim_access_next(r->gw->access) - now < wait)
			wait = sim_access_next(r->gw->access) - now;
		sim_ctl_sleep(wait > 0 ? wait : 1);
	}
}

/* The thread body: run gw until done or stopped. */
void *
sim_gateway_run(void *arg)
{
	struct sim_gateway_run r;
	char name[LIMIT_KEY_LEN + 16];

	memset(&r, 0, sizeof r);
	r.gw = arg;
	snprintf(name, sizeof name, "gateway %s", r.gw->key);
	sim_rng_init(&r.rng, sim_opts.seed, name);
	snprintf(name, sizeof name, "storm %s", r.gw->key);
	sim_rng_init(&r.storm_rng, sim_opts.seed, name);
	r.http = sim_http_new(sim_opts.url);
	r.batch = xcalloc((size_t)sim_opts.batch, sizeof *r.batch);
	r.next_n = 1;
	r.next_storm = 1;
	r.start_mono = vtime_mono_ms();
	r.heartbeat_ms = (int64_t)r.gw->supervision_s * 1000 / 3;
	if (r.heartbeat_ms > SIM_HEARTBEAT_MAX_S * 1000)
		r.heartbeat_ms = SIM_HEARTBEAT_MAX_S * 1000;
	/* A gateway says hello as it starts, events or not. */
	r.last_send_ms = r.start_mono - r.heartbeat_ms;
	if (!sim_opts.load) {
		r.gw->access = sim_access_new(r.gw);
		r.play = sim_play_new(r.gw, sim_opts.seed,
		    sim_clock_start_wall());
	}
	sim_storm_init(&r.storm, r.gw, &r.storm_rng, sim_clock_start_mono());
	sim_gateway_loop(&r);
	/* A silent gateway of a played run stays dead until the run ends. */
	while (r.gw->silent && r.play != NULL && r.gw->exit_code == 0 &&
	    sim_ctl_state() == SIM_RUN)
		sim_ctl_sleep(SIM_WAIT_CHUNK_MS);
	sim_storm_release(&r.storm);
	sim_play_free(r.play);
	sim_access_free(r.gw->access);
	r.gw->access = NULL;
	sim_http_free(r.http);
	free(r.batch);
	sim_ctl_ended();
	return NULL;
}
