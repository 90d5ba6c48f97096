#include "compat.h"

#include <math.h>
#include <pthread.h>
#include <sysexits.h>

#include <jansson.h>

#include "jsonx.h"
#include "vtime.h"
#include "sim_ctl.h"
#include "sim_gateway.h"
#include "sim_gen.h"
#include "sim_http.h"

#define SIM_GATEWAY_PATH "/api/v1/ingest"

static FILE *sim_gateway_acked;
static pthread_mutex_t sim_gateway_acked_lock = PTHREAD_MUTEX_INITIALIZER;

/* One gateway's sender state. */
struct sim_gateway_run {
	struct sim_gateway *gw;
	struct sim_http *http;
	struct sim_event *batch;
	int nbatch;
	int64_t next_n;              /* number of the next event drawn */
	int64_t start_wall_ms;       /* when --rate started counting */
	int64_t start_mono_ms;
	int64_t last_send_ms;        /* monotonic, of the last request */
};

/* Append acknowledgements to f. */
void
sim_gateway_set_acked(FILE *f)
{
	sim_gateway_acked = f;
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

/* Write the acknowledged results to the --acked file, flushed. */
static void
sim_gateway_record(struct sim_gateway_run *r, json_t *results)
{
	json_t *res;
	size_t i;

	if (sim_gateway_acked == NULL)
		return;
	pthread_mutex_lock(&sim_gateway_acked_lock);
	json_array_foreach(results, i, res) {
		fprintf(sim_gateway_acked, "%s %s %s %s\n", r->gw->key,
		    r->batch[i].id,
		    json_string_value(json_object_get(res, "status")),
		    json_string_value(json_object_get(res, "class")));
	}
	if (fflush(sim_gateway_acked) != 0)
		sim_ctl_error("acked file: %s", strerror(errno));
	pthread_mutex_unlock(&sim_gateway_acked_lock);
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
	int64_t dup = 0;
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
	}
	sim_gateway_record(r, results);
	r->gw->acked += r->nbatch;
	r->gw->duplicates += dup;
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
 * Send the batch until the server answers 200 (0), or stop on a refusal,
 * a bad reply or the end of the run (-1, with gw->exit_code set).  A
 * heartbeat (an empty batch) is tried once.
 */
static int
sim_gateway_send(struct sim_gateway_run *r)
{
	struct sim_gateway *gw = r->gw;
	struct sim_http_reply rep;
	int64_t backoff = SIM_BACKOFF_MIN_MS, wait, deadline = 0;
	int attempt = 0;
	bool noted = false;
	char *body, *cause = NULL, *what, err[JSONX_ERR_LEN];
	size_t len;
	enum sim_state st;
	int rc = -1;

	body = sim_gateway_encode(r, &len);
	for (;; attempt++) {
		if ((st = sim_ctl_state()) == SIM_ABORT)
			break;
		if (st == SIM_DRAIN && deadline == 0)
			deadline = vtime_mono_ms() + SIM_DRAIN_MS;
		if (deadline != 0 && vtime_mono_ms() > deadline)
			break;
		if (attempt == 0)
			gw->sent += r->nbatch;
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
			if (rep.retry_after_s > 0 &&
			    (rep.status == 503 || rep.status == 429))
				wait = rep.retry_after_s * 1000;
			else
				wait = sim_gateway_backoff(&backoff);
		} else {
			what = sim_http_describe(&rep);
			sim_ctl_error("%s: server refused a batch: %s",
			    gw->key, what);
			free(what);
			gw->exit_code = rep.status == 401 ||
			    rep.status == 403 ? EX_NOPERM : EX_PROTOCOL;
			break;
		}
		if (r->nbatch == 0) {
			rc = 0;     /* a heartbeat is not worth retrying */
			break;
		}
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
 * How many events the next batch may hold now: --batch, less what --events
 * leaves, less what --rate has not yet made due.  Sets *wait_ms when none is
 * due yet.
 */
static int
sim_gateway_due(struct sim_gateway_run *r, int64_t *wait_ms)
{
	int64_t drawn = r->next_n - 1, n = sim_opts.batch, due, elapsed;

	*wait_ms = 0;
	if (sim_opts.events >= 0 && sim_opts.events - drawn < n)
		n = sim_opts.events - drawn;
	if (sim_opts.rate <= 0 || n <= 0)
		return (int)n;
	elapsed = vtime_mono_ms() - r->start_mono_ms;
	due = (int64_t)floor((double)elapsed * sim_opts.rate / 1000.0) - drawn;
	if (due <= 0) {
		*wait_ms = (int64_t)ceil((double)(drawn + 1) * 1000.0 /
		    sim_opts.rate) - elapsed;
		if (*wait_ms < 1)
			*wait_ms = 1;
		return 0;
	}
	return (int)(due < n ? due : n);
}

/* Draw the next n events into the batch. */
static void
sim_gateway_fill(struct sim_gateway_run *r, int n)
{
	int64_t ts;

	for (int i = 0; i < n; i++, r->next_n++) {
		if (sim_opts.rate > 0)
			ts = r->start_wall_ms + (int64_t)((double)r->next_n *
			    1000.0 / sim_opts.rate);
		else
			ts = vtime_now_ms();
		sim_gen_event(r->gw, sim_opts.run_id, r->next_n, ts,
		    sim_opts.types, sim_opts.ntypes, &r->batch[i]);
	}
	r->nbatch = n;
}

/* The thread body: run gw until done or stopped. */
void *
sim_gateway_run(void *arg)
{
	struct sim_gateway_run r;
	int64_t wait, hb_ms, idle;
	int n;

	memset(&r, 0, sizeof r);
	r.gw = arg;
	r.http = sim_http_new(sim_opts.url);
	r.batch = xcalloc((size_t)sim_opts.batch, sizeof *r.batch);
	r.next_n = 1;
	r.start_wall_ms = vtime_now_ms();
	r.start_mono_ms = r.last_send_ms = vtime_mono_ms();
	hb_ms = (int64_t)r.gw->supervision_s * 1000 / 3;
	if (hb_ms > SIM_HEARTBEAT_MAX_S * 1000)
		hb_ms = SIM_HEARTBEAT_MAX_S * 1000;
	while (sim_ctl_state() == SIM_RUN) {
		n = sim_gateway_due(&r, &wait);
		if (n == 0 && wait == 0)
			break;      /* --events reached */
		if (n == 0) {
			idle = vtime_mono_ms() - r.last_send_ms;
			if (idle >= hb_ms) {
				r.nbatch = 0;
				if (sim_gateway_send(&r) != 0 &&
				    r.gw->exit_code != 0)
					break;
				continue;
			}
			sim_ctl_sleep(wait < hb_ms - idle ? wait : hb_ms - idle);
			continue;
		}
		sim_gateway_fill(&r, n);
		if (sim_gateway_send(&r) != 0)
			break;
	}
	sim_http_free(r.http);
	free(r.batch);
	return NULL;
}
