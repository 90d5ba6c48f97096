#include "compat.h"

#include <sysexits.h>

#include "log.h"
#include "maps.h"
#include "rest.h"
#include "tui.h"
#include "view.h"
#include "view_residents.h"
#include "vtime.h"

/*
 * The console's feed: snapshots of alarms, guards, sites and points fetched
 * with REST into a replica_snap, swapped in whole, then the stream followed
 * from the snapshot's seq.  A gap, a bad message or the server's resync
 * means the same thing: fetch the snapshots again and follow from there.
 */
struct feed_load {
	struct console *c;
	struct replica_snap snap;
	json_t *site_keys;    /* sites whose points are still to fetch */
	size_t next_site;
};

static void feed_load_start(struct console *c);

/* Give up on a snapshot: say why (the server's reply, else cause, freed) and try again. */
static void
feed_load_fail(struct feed_load *l, const char *what, const struct rest_reply *r, char *cause)
{
	struct console *c = l->c;

	if (r != NULL && (r->status == 401 || r->status == 403)) {
		tui_message(c, true, "the server refused the session: %s", r->error ? r->error : "");
		c->exit_message = xstrdup("your session has ended: log in again with vigil login URL");
		tui_quit(c, EX_NOPERM);
	} else {
		tui_message(c, true, "cannot load the %s (trying again): %s", what,
		    r != NULL && r->error != NULL ? r->error : cause != NULL ? cause : "bad reply");
	}
	free(cause);
	replica_snap_release(&l->snap);
	json_decref(l->site_keys);
	free(l);
	c->loading = false;
	c->reload_pending = true;   /* the tick timer retries */
}

/* The snapshot is whole: swap it in and follow the stream from its seq. */
static void
feed_load_done(struct feed_load *l)
{
	struct console *c = l->c;

	replica_load(&c->replica, &l->snap);
	json_decref(l->site_keys);
	free(l);
	c->loading = false;
	c->snapshot_ms = vtime_now_ms();
	c->queue_stale = true;
	/* Access attempts are not in the snapshot: ask again for what was missed. */
	c->access_gen++;
	access_signals_reload(c->signals);
	action_settle(c);
	for (int i = 0; i < c->nviews; i++)
		if (c->views[i]->ops->changed != NULL)
			c->views[i]->ops->changed(c, c->views[i]);
	stream_follow(c->stream, c->replica.seq);
	tui_dirty(c);
}

static void feed_on_points(void *arg, const struct rest_reply *r);

/* Fetch the points of the next site, or finish. */
static void
feed_next_site(struct feed_load *l)
{
	char path[160], *cause = NULL;
	json_t *key;

	if (l->next_site >= json_array_size(l->site_keys)) {
		feed_load_done(l);
		return;
	}
	key = json_array_get(l->site_keys, l->next_site++);
	snprintf(path, sizeof path, "/api/v1/sites/%s/points", json_string_value(key));
	if (rest_request(l->c->rest, "GET", path, NULL, feed_on_points, l, &cause) == NULL)
		feed_load_fail(l, "points", NULL, cause);
}

/* A site's points arrived. */
static void
feed_on_points(void *arg, const struct rest_reply *r)
{
	struct feed_load *l = arg;
	char *cause = NULL;

	if (r->status != 200 || replica_snap_points(&l->snap, r->json, &cause) != 0) {
		feed_load_fail(l, "points", r, cause);
		return;
	}
	feed_next_site(l);
}

/* The sites arrived: remember their keys, then fetch each one's points. */
static void
feed_on_sites(void *arg, const struct rest_reply *r)
{
	struct feed_load *l = arg;
	char *cause = NULL;
	json_t *site;
	size_t i;

	if (r->status != 200 || replica_snap_sites(&l->snap, r->json, &cause) != 0) {
		feed_load_fail(l, "sites", r, cause);
		return;
	}
	l->site_keys = json_array();
	json_array_foreach(json_object_get(r->json, "sites"), i, site) {
		json_array_append(l->site_keys, json_object_get(site, "key"));
		if (i == 0 && l->c->group == NULL) {
			const char *g = json_string_value(json_object_get(site, "group"));
			if (g != NULL && *g != '\0')
				l->c->group = xstrdup(g);
		}
	}
	feed_next_site(l);
}

/* The guards arrived: then the sites. */
static void
feed_on_guards(void *arg, const struct rest_reply *r)
{
	struct feed_load *l = arg;
	char *cause = NULL;

	if (r->status != 200 || replica_snap_guards(&l->snap, r->json, &cause) != 0) {
		feed_load_fail(l, "guards", r, cause);
		return;
	}
	if (rest_request(l->c->rest, "GET", "/api/v1/sites", NULL, feed_on_sites, l,
	    &cause) == NULL)
		feed_load_fail(l, "sites", NULL, cause);
}

static void feed_on_alarms(void *arg, const struct rest_reply *r);

/* Ask for the page of open alarms after after_id: 0, or -1 with *cause. */
static int
feed_alarms_page(struct feed_load *l, int64_t after_id, char **cause)
{
	char path[128];

	if (after_id > 0)
		snprintf(path, sizeof path, "/api/v1/alarms?state=open&limit=%d&after_id=%" PRId64,
		    TUI_SNAPSHOT_PAGE, after_id);
	else
		snprintf(path, sizeof path, "/api/v1/alarms?state=open&limit=%d",
		    TUI_SNAPSHOT_PAGE);
	if (rest_request(l->c->rest, "GET", path, NULL, feed_on_alarms, l, cause) == NULL)
		return -1;
	return 0;
}

/* A page of open alarms arrived: the next page, or the guards. */
static void
feed_on_alarms(void *arg, const struct rest_reply *r)
{
	struct feed_load *l = arg;
	char *cause = NULL;
	int64_t last = 0;
	int n;

	if (r->status != 200 ||
	    (n = replica_snap_alarms(&l->snap, r->json, &last, &cause)) < 0) {
		feed_load_fail(l, "alarms", r, cause);
		return;
	}
	if (n == TUI_SNAPSHOT_PAGE && last > 0) {
		/*
		 * A long queue on a fresh console: show its first page (the top
		 * of the queue: the highest priorities, oldest first) while the
		 * rest loads; the title says LOADING until the whole snapshot
		 * is in and the stream followed.
		 */
		if (!l->c->replica.loaded) {
			struct replica_snap preview;
			int64_t plast;

			replica_snap_init(&preview);
			if (replica_snap_alarms(&preview, r->json, &plast, &cause) >= 0) {
				replica_load(&l->c->replica, &preview);
				l->c->queue_stale = true;
				l->c->force_rebuild = true;
				tui_dirty(l->c);
			} else {
				free(cause);
				cause = NULL;
				replica_snap_release(&preview);
			}
		}
		if (feed_alarms_page(l, last, &cause) != 0)
			feed_load_fail(l, "alarms", NULL, cause);
		return;
	}
	if (rest_request(l->c->rest, "GET", "/api/v1/guards", NULL, feed_on_guards, l,
	    &cause) == NULL)
		feed_load_fail(l, "guards", NULL, cause);
}

/* Fetch every snapshot (unless a fetch is under way). */
static void
feed_load_start(struct console *c)
{
	struct feed_load *l;
	char *cause = NULL;

	if (c->loading)
		return;
	c->loading = true;
	c->reload_pending = false;
	l = xcalloc(1, sizeof *l);
	l->c = c;
	replica_snap_init(&l->snap);
	if (feed_alarms_page(l, 0, &cause) != 0)
		feed_load_fail(l, "alarms", NULL, cause);
	tui_dirty(c);
}

/* Retry a failed snapshot (called from the tick timer). */
void
livefeed_retry(struct console *c)
{
	if (c->reload_pending && !c->loading)
		feed_load_start(c);
}

/* A change message: apply it in order; anything odd means a fresh snapshot. */
static void
feed_on_message(void *arg, json_t *msg, const char *text, size_t len)
{
	struct console *c = arg;
	enum replica_result rr;
	char *cause = NULL;
	const char *type = json_string_value(json_object_get(msg, "type"));

	(void)text;
	(void)len;
	if (c->loading)
		return;
	rr = replica_apply(&c->replica, msg, &cause);
	switch (rr) {
	case REPLICA_APPLIED:
		if (type != NULL && strcmp(type, "alarm.created") == 0)
			attention_alarm(c, json_object_get(msg, "data"));
		if (type != NULL && strcmp(type, "guard.position") == 0)
			trails_add(c, json_object_get(msg, "data"));
		if (type != NULL && strcmp(type, "access") == 0) {
			c->access_gen++;
			access_signals_event(c->signals, json_object_get(msg, "data"));
		}
		/* A note changes no alarm field: views are told which alarm it was. */
		c->noted_alarm = type != NULL && strcmp(type, "alarm.note") == 0 ?
		    json_integer_value(json_object_get(json_object_get(msg, "data"), "alarm")) : 0;
		if (c->replica.changed & REPLICA_CHANGED_ALARMS)
			c->queue_stale = true;
		action_settle(c);
		for (int i = 0; i < c->nviews; i++)
			if (c->views[i]->ops->changed != NULL)
				c->views[i]->ops->changed(c, c->views[i]);
		c->noted_alarm = 0;
		tui_dirty(c);
		break;
	case REPLICA_OLD:
		break;
	case REPLICA_GAP:
	case REPLICA_BAD:
		log_warn("feed: %s: loading a fresh snapshot", cause ? cause : "out of step");
		free(cause);
		feed_load_start(c);
		break;
	}
}

/* The server cannot bring us up to date from the log: a fresh snapshot. */
static void
feed_on_resync(void *arg, json_t *msg, const char *text, size_t len)
{
	struct console *c = arg;

	(void)msg;
	(void)text;
	(void)len;
	log_info("feed: resync: loading a fresh snapshot");
	feed_load_start(c);
}

/*
 * The server greeted us: a manager's stream is filtered by site, so its seqs
 * have holes that are not gaps.
 */
static void
feed_on_hello(void *arg, const struct stream_hello *hello)
{
	struct console *c = arg;

	c->replica.scoped = hello->scoped;
}

/* The feed state changed: the title line shows it. */
static void
feed_on_state(void *arg, enum stream_state state)
{
	struct console *c = arg;

	log_info("feed: %s", stream_state_name(state));
	tui_dirty(c);
}

/* The token was refused: leave, saying why. */
static void
feed_on_refused(void *arg, const char *message)
{
	struct console *c = arg;

	c->exit_message = xasprintf("the server refused the session (%s): "
	    "log in again with vigil login URL", message != NULL ? message : "unauthorized");
	tui_quit(c, EX_NOPERM);
}

/* A connection failed; the stream retries by itself. */
static void
feed_on_retrying(void *arg, uint64_t delay_ms, const char *why)
{
	struct console *c = arg;

	log_info("feed: %s; retrying in %" PRIu64 " ms", why != NULL ? why : "lost", delay_ms);
	tui_dirty(c);
}

static const struct stream_ops feed_ops = {
	.hello = feed_on_hello,
	.message = feed_on_message,
	.resync = feed_on_resync,
	.state = feed_on_state,
	.refused = feed_on_refused,
	.retrying = feed_on_retrying,
};

/* Fetch the snapshots, then follow the stream; again after a resync. */
int
livefeed_start(struct console *c, char **cause)
{
	c->stream = stream_new(c->loop, c->url, c->token, &feed_ops, c, cause);
	if (c->stream == NULL)
		return -1;
	feed_load_start(c);
	return 0;
}

/* Stop following (at exit): close now, free once the loop has run dry. */
void
livefeed_stop(struct console *c)
{
	if (c->stream != NULL)
		stream_close(c->stream);
}

/* Free the closed stream (after the loop ran out of work). */
void
livefeed_free(struct console *c)
{
	if (c->stream != NULL)
		stream_free(c->stream);
	c->stream = NULL;
}
