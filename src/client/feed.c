#include "compat.h"

#include "backoff.h"
#include "feed.h"
#include "log.h"

/* The snapshot calls, made one after the other. */
enum feed_step {
	FEED_SITES,
	FEED_POINTS,          /* one call per site */
	FEED_GUARDS,
	FEED_ALARMS,          /* one call per page */
};

struct feed {
	uv_loop_t *loop;
	struct rest *rest;
	struct stream *stream;
	const struct feed_ops *ops;
	void *arg;
	struct replica replica;

	/* The snapshot being loaded. */
	struct replica_snap snap;
	enum feed_step step;
	json_t *sites;        /* the site keys to fetch points of */
	size_t site_next;
	int64_t after_id;     /* the last alarm of the previous page */
	struct rest_req *req;
	bool loading;
	unsigned loads;

	bool stopped;
	bool closed;
	struct backoff backoff;
	uv_timer_t retry;
	bool retry_open;
};

static void feed_call(struct feed *f);
static void feed_load(struct feed *f);

/* Time to try loading the snapshots again. */
static void
feed_on_retry(uv_timer_t *h)
{
	feed_load(h->data);
}

/* A snapshot call failed: tell the owner and try again after a while. */
static void
feed_failed(struct feed *f, const char *why)
{
	uint64_t delay = backoff_next(&f->backoff);

	log_warn("feed: cannot load the snapshot: %s; again in %" PRIu64 " ms",
	    why, delay);
	if (f->ops->error != NULL)
		f->ops->error(f->arg, why);
	uv_timer_start(&f->retry, feed_on_retry, delay, 0);
}

/* The token was refused: stop for good. */
static void
feed_refused(struct feed *f, const char *why)
{
	if (f->stopped)
		return;
	f->stopped = true;
	if (f->req != NULL)
		rest_cancel(f->req);
	f->req = NULL;
	uv_timer_stop(&f->retry);
	if (f->ops->refused != NULL)
		f->ops->refused(f->arg, why);
}

/* Every snapshot call is done: swap it in and follow the stream from its seq. */
static void
feed_loaded(struct feed *f)
{
	replica_load(&f->replica, &f->snap);
	replica_snap_init(&f->snap);
	json_decref(f->sites);
	f->sites = NULL;
	f->loading = false;
	f->loads++;
	backoff_reset(&f->backoff);
	log_info("feed: snapshot loaded at seq %" PRId64 ": %zu open alarms, "
	    "%zu guards, %zu sites", f->replica.seq,
	    alarmset_count(f->replica.alarms),
	    json_object_size(f->replica.guards),
	    json_object_size(f->replica.sites));
	if (f->ops->changed != NULL)
		f->ops->changed(f->arg, &f->replica);
	stream_follow(f->stream, f->replica.seq);
}

/* Take the site keys of the sites snapshot, to fetch their points. */
static void
feed_site_keys(struct feed *f, json_t *reply)
{
	json_t *site;
	const char *key;
	size_t i;

	json_decref(f->sites);
	f->sites = json_array();
	json_array_foreach(json_object_get(reply, "sites"), i, site) {
		if ((key = json_string_value(json_object_get(site, "key"))) != NULL)
			json_array_append_new(f->sites, json_string(key));
	}
	f->site_next = 0;
}

/* Add one snapshot reply; 1 when the snapshot is complete, 0 for more, -1 with *cause. */
static int
feed_take(struct feed *f, json_t *reply, char **cause)
{
	int64_t last;
	int n;

	switch (f->step) {
	case FEED_SITES:
		if (replica_snap_sites(&f->snap, reply, cause) != 0)
			return -1;
		feed_site_keys(f, reply);
		f->step = FEED_POINTS;
		break;
	case FEED_POINTS:
		if (replica_snap_points(&f->snap, reply, cause) != 0)
			return -1;
		f->site_next++;
		break;
	case FEED_GUARDS:
		if (replica_snap_guards(&f->snap, reply, cause) != 0)
			return -1;
		f->step = FEED_ALARMS;
		f->after_id = 0;
		break;
	case FEED_ALARMS:
		if ((n = replica_snap_alarms(&f->snap, reply, &last, cause)) < 0)
			return -1;
		/* A full page: there may be more after its last alarm. */
		if (n < LIMIT_LIST_MAX || last == 0)
			return 1;
		f->after_id = last;
		break;
	}
	if (f->step == FEED_POINTS && f->site_next >= json_array_size(f->sites))
		f->step = FEED_GUARDS;
	return 0;
}

/* A snapshot call ended: take its reply and make the next call. */
static void
feed_on_reply(void *arg, const struct rest_reply *r)
{
	struct feed *f = arg;
	char *cause = NULL;
	int rc;

	f->req = NULL;
	if (f->stopped)
		return;
	if (r->status == 401) {
		feed_refused(f, r->error != NULL ? r->error : "HTTP 401");
		return;
	}
	/* A site removed between two calls: its points are not needed. */
	if (r->status == 404 && f->step == FEED_POINTS) {
		f->site_next++;
		if (f->site_next >= json_array_size(f->sites))
			f->step = FEED_GUARDS;
		feed_call(f);
		return;
	}
	if (r->status != 200 || !json_is_object(r->json)) {
		if (r->error == NULL)
			cause = xasprintf("HTTP %ld without a JSON reply",
			    r->status);
		feed_failed(f, r->error != NULL ? r->error : cause);
		free(cause);
		return;
	}
	if ((rc = feed_take(f, r->json, &cause)) < 0) {
		feed_failed(f, cause);
		free(cause);
	} else if (rc > 0)
		feed_loaded(f);
	else
		feed_call(f);
}

/* Make the next snapshot call. */
static void
feed_call(struct feed *f)
{
	char path[LIMIT_URI_BYTES], *cause = NULL;

	switch (f->step) {
	case FEED_SITES:
		snprintf(path, sizeof path, "/api/v1/sites");
		break;
	case FEED_POINTS:
		snprintf(path, sizeof path, "/api/v1/sites/%s/points",
		    json_string_value(json_array_get(f->sites, f->site_next)));
		break;
	case FEED_GUARDS:
		snprintf(path, sizeof path, "/api/v1/guards");
		break;
	case FEED_ALARMS:
		if (f->after_id > 0)
			snprintf(path, sizeof path, "/api/v1/alarms?state=open"
			    "&limit=%d&after_id=%" PRId64, LIMIT_LIST_MAX,
			    f->after_id);
		else
			snprintf(path, sizeof path, "/api/v1/alarms?state=open"
			    "&limit=%d", LIMIT_LIST_MAX);
		break;
	}
	f->req = rest_request(f->rest, "GET", path, NULL, feed_on_reply, f, &cause);
	if (f->req == NULL) {
		feed_failed(f, cause);
		free(cause);
	}
}

/* (Re)load the snapshots from the start. */
static void
feed_load(struct feed *f)
{
	if (f->stopped)
		return;
	if (f->req != NULL)
		rest_cancel(f->req);
	f->req = NULL;
	uv_timer_stop(&f->retry);
	f->loading = true;
	replica_snap_release(&f->snap);
	replica_snap_init(&f->snap);
	f->step = FEED_SITES;
	feed_call(f);
}

/* The stream greeted us: learn whether seqs will have holes. */
static void
feed_on_hello(void *arg, const struct stream_hello *h)
{
	struct feed *f = arg;

	f->replica.scoped = h->scoped;
}

/* A change message: apply it, or reload when it cannot be applied. */
static void
feed_on_message(void *arg, json_t *msg, const char *text, size_t len)
{
	struct feed *f = arg;
	char *cause = NULL;

	/* While loading, the stream is followed again from the new snapshot. */
	if (f->loading || f->stopped)
		return;
	switch (replica_apply(&f->replica, msg, &cause)) {
	case REPLICA_APPLIED:
		if (f->replica.changed != 0 && f->ops->changed != NULL)
			f->ops->changed(f->arg, &f->replica);
		break;
	case REPLICA_OLD:
		break;
	case REPLICA_GAP:
	case REPLICA_BAD:
		log_warn("feed: %s: reloading the snapshot", cause);
		feed_load(f);
		break;
	}
	free(cause);
}

/* The stream cannot go on from the replica's seq: reload. */
static void
feed_on_resync(void *arg, json_t *msg, const char *text, size_t len)
{
	feed_load(arg);
}

/* Pass the stream's state on. */
static void
feed_on_state(void *arg, enum stream_state state)
{
	struct feed *f = arg;

	if (f->ops->state != NULL)
		f->ops->state(f->arg, state);
}

/* The stream's token was refused. */
static void
feed_on_refused(void *arg, const char *why)
{
	feed_refused(arg, why);
}

static const struct stream_ops feed_stream_ops = {
	.hello = feed_on_hello,
	.message = feed_on_message,
	.resync = feed_on_resync,
	.state = feed_on_state,
	.refused = feed_on_refused,
};

/* Set up a feed from the server at url; NULL with *cause. */
struct feed *
feed_new(uv_loop_t *loop, struct rest *rest, const char *url,
    const char *token, const struct feed_ops *ops, void *arg, char **cause)
{
	struct feed *f = xcalloc(1, sizeof *f);

	f->loop = loop;
	f->rest = rest;
	f->ops = ops;
	f->arg = arg;
	f->stream = stream_new(loop, url, token, &feed_stream_ops, f, cause);
	if (f->stream == NULL) {
		free(f);
		return NULL;
	}
	replica_init(&f->replica);
	replica_snap_init(&f->snap);
	backoff_init(&f->backoff);
	uv_timer_init(loop, &f->retry);
	f->retry.data = f;
	f->retry_open = true;
	return f;
}

/* Load the snapshots and follow the stream. */
void
feed_start(struct feed *f)
{
	feed_load(f);
}

/* Note the retry timer closed. */
static void
feed_retry_closed(uv_handle_t *h)
{
	struct feed *f = h->data;

	f->retry_open = false;
}

/* Stop for good: cancel the pending call, close the stream. */
void
feed_close(struct feed *f)
{
	if (f == NULL || f->closed)
		return;
	f->stopped = true;
	f->closed = true;
	if (f->req != NULL)
		rest_cancel(f->req);
	f->req = NULL;
	uv_timer_stop(&f->retry);
	uv_close((uv_handle_t *)&f->retry, feed_retry_closed);
	stream_close(f->stream);
}

/* Free a closed feed once the loop has run out of work. */
void
feed_free(struct feed *f)
{
	if (f == NULL)
		return;
	if (!f->closed || f->retry_open)
		fatal("feed: freed before it was closed and the loop ran");
	stream_free(f->stream);
	replica_release(&f->replica);
	replica_snap_release(&f->snap);
	json_decref(f->sites);
	free(f);
}

/* The replica (read only). */
struct replica *
feed_replica(struct feed *f)
{
	return &f->replica;
}

/* The stream (read only). */
struct stream *
feed_stream(struct feed *f)
{
	return f->stream;
}

/* True while snapshots are being loaded. */
bool
feed_loading(const struct feed *f)
{
	return f->loading;
}

/* How many times the snapshots were loaded. */
unsigned
feed_loads(const struct feed *f)
{
	return f->loads;
}
