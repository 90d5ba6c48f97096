#include "compat.h"

#include <uv.h>

#include "alarm.h"
#include "buf.h"
#include "http.h"
#include "ingest.h"
#include "residents.h"
#include "jsonx.h"
#include "log.h"
#include "rules.h"
#include "server.h"
#include "store.h"
#include "streamlog.h"
#include "txn.h"
#include "vtime.h"

struct ingest_event {
	const char *id;          /* borrowed from the request's JSON */
	const char *value;
	const char *credential;
	enum event_type type;
	int64_t sensor_ms;
	int64_t point_id;        /* 0 when the event is the gateway's own */
	struct rule rule;
};

struct ingest_position {
	int64_t ts_ms;
	double lat, lon, accuracy;
	bool has_accuracy;
};

enum ingest_kind { INGEST_EVENTS, INGEST_POSITIONS };

/* A point's state as an event of the open commit leaves it. */
struct ingest_pstate {
	int64_t point_id;
	int64_t site_id;
	const char *state;       /* static: see ingest_point_state */
	int64_t sensor_ms;
	enum event_type type;
	size_t order;            /* arrival, so the last event wins */
};

/* One validated request waiting for the group commit. */
struct ingest_item {
	struct ingest_item *next;
	enum ingest_kind kind;
	struct http_pending *pending;
	int64_t owner_id;        /* gateway id or guard id */
	int64_t site_id;
	char owner[LIMIT_KEY_LEN + 1];
	char source[160];
	json_t *root;
	size_t n;
	struct ingest_event *events;
	struct ingest_position *positions;
	struct http_resp resp;   /* filled during the flush, sent after commit */
};

struct ingest_queue {
	struct server *srv;
	uv_check_t check;
	bool check_active;
	struct ingest_item *head;
	struct ingest_item **tail;
	size_t n;
	struct ingest_stats stats;
	int64_t data_version;    /* of the store when caches were last valid */
	struct ingest_pstate *pstates; /* points' new states in the open commit */
	size_t npstates, cappstates;
};

static void ingest_on_check(uv_check_t *h);

/* Create the queue and hook its flush onto the server's loop. */
struct ingest_queue *
ingest_new(struct server *srv)
{
	struct ingest_queue *q = xcalloc(1, sizeof *q);

	q->srv = srv;
	q->tail = &q->head;
	if (srv->loop != NULL) {
		uv_check_init(srv->loop, &q->check);
		q->check.data = q;
	}
	srv->ingest = q;
	return q;
}

/* Free one queued item (its reply must have been handed on already). */
static void
ingest_item_free(struct ingest_item *it)
{
	resp_release(&it->resp);
	json_decref(it->root);
	free(it->events);
	free(it->positions);
	free(it);
}

/* Release the check handle's memory once libuv has closed it. */
static void
ingest_on_close(uv_handle_t *h)
{
	free(h->data);
}

/* Flush what is queued, then stop and free (at shutdown). */
void
ingest_free(struct server *srv)
{
	struct ingest_queue *q = srv->ingest;

	if (q == NULL)
		return;
	ingest_flush(srv);
	log_info("ingest: %" PRIu64 " requests, %" PRIu64 " events (%" PRIu64
	    " duplicates, %" PRIu64 " alarm events), %" PRIu64 " positions in %"
	    PRIu64 " commits", q->stats.requests, q->stats.events, q->stats.duplicates,
	    q->stats.alarms, q->stats.positions, q->stats.commits);
	free(q->pstates);
	srv->ingest = NULL;
	if (srv->loop != NULL)
		uv_close((uv_handle_t *)&q->check, ingest_on_close);
	else
		free(q);
}

/* Put a validated item on the queue and make sure a flush will run. */
static void
ingest_enqueue(struct server *srv, struct ingest_item *it)
{
	struct ingest_queue *q = srv->ingest;

	*q->tail = it;
	q->tail = &it->next;
	q->n++;
	if (srv->loop != NULL && !q->check_active) {
		uv_check_start(&q->check, ingest_on_check);
		q->check_active = true;
	}
}

/* Drop cached rules when another process (a site import) changed the store. */
static void
ingest_check_caches(struct server *srv)
{
	int64_t v = store_data_version(srv->st);

	if (v != srv->ingest->data_version) {
		rules_invalidate();
		srv->ingest->data_version = v;
	}
}

/* Refuse a request because the queue is full. */
static int
ingest_busy(struct http_resp *resp)
{
	resp_error(resp, 503, "unavailable",
	    "the server is saving earlier events; retry after %d s", INGEST_RETRY_AFTER_S);
	resp->retry_after = INGEST_RETRY_AFTER_S;
	return -1;
}

/* Parse the body as a JSON object; -1 with a 400 reply when it is not JSON. */
static json_t *
ingest_parse(struct http_req *req, struct http_resp *resp)
{
	char err[JSONX_ERR_LEN];
	json_t *root = jsonx_parse(req->body, req->body_len, err, sizeof err);

	if (root == NULL)
		resp_error(resp, 400, "malformed", "%s", err);
	return root;
}

/* Refuse a batch: 413 when its array is over the limit, else 422. */
static void
ingest_refuse_batch(struct http_resp *resp, json_t *root, const char *key,
    size_t limit, const char *err)
{
	json_t *arr = json_object_get(root, key);

	if (json_is_array(arr) && json_array_size(arr) > limit)
		resp_error(resp, 413, "too_large", "%s", err);
	else
		resp_error(resp, 422, "invalid", "%s", err);
}

/* True when s is a valid gateway event id: [A-Za-z0-9._:-]+. */
static bool
ingest_id_valid(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '.' && c != '_' && c != ':' &&
		    c != '-')
			return false;
	}
	return true;
}

/* Parse and check a sensor time against the server's clock. */
static int64_t
ingest_time(struct jsonx *jx, const char *key, int64_t now_ms)
{
	const char *ts = jsonx_str(jx, key, true, VTIME_ISO_LEN);
	int64_t ms;

	if (ts == NULL)
		return 0;
	if (vtime_parse(ts, &ms) != 0) {
		jsonx_fail(jx, key, "\"%s\" is not an ISO 8601 time such as "
		    "2026-11-21T23:01:02Z", ts);
		return 0;
	}
	if (ms < now_ms - (int64_t)LIMIT_CLOCK_SKEW_PAST_S * 1000 ||
	    ms > now_ms + (int64_t)LIMIT_CLOCK_SKEW_FUTURE_S * 1000) {
		jsonx_fail(jx, key, "%s is too far from the server's time", ts);
		return 0;
	}
	return ms;
}

/* Look up a point of the gateway's site; 0 and a message when it is not one. */
static int
ingest_point(struct server *srv, struct jsonx *jx, const struct principal *gw,
    const char *key, struct ingest_event *ev)
{
	static const char sql[] =
	    "SELECT id, type, gateway_id FROM points WHERE site_id = ? AND key = ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int pt = -1;
	int64_t gwid = 0;

	store_bind_int(s, 1, gw->site_id);
	store_bind_text(s, 2, key);
	if (sqlite3_step(s) == SQLITE_ROW) {
		ev->point_id = sqlite3_column_int64(s, 0);
		pt = point_type_parse(store_col_text(s, 1));
		gwid = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (pt < 0) {
		jsonx_fail(jx, "point", "unknown point \"%.64s\"", key);
		return -1;
	}
	if (gwid != 0 && gwid != gw->id) {
		jsonx_fail(jx, "point", "\"%.64s\" is not a point of gateway %s",
		    key, gw->name);
		return -1;
	}
	ev->rule = rules_lookup(srv->st, gw->site_id, (enum point_type)pt, ev->type);
	return 0;
}

/* Validate one event of a batch into ev; -1 with jx->err set. */
static int
ingest_event_read(struct server *srv, const struct principal *gw, json_t *obj,
    size_t i, int64_t now_ms, struct ingest_event *ev, char *err, size_t errlen)
{
	char prefix[32];
	struct jsonx jx;
	const char *type, *point;
	int et;

	snprintf(prefix, sizeof prefix, "events[%zu]", i);
	jsonx_begin(&jx, obj, prefix);
	ev->id = jsonx_str(&jx, "id", true, LIMIT_EVENT_ID_LEN);
	if (ev->id != NULL && !ingest_id_valid(ev->id))
		jsonx_fail(&jx, "id", "may hold only letters, digits and . _ : -");
	type = jsonx_str(&jx, "type", true, 32);
	et = type != NULL ? event_type_parse(type) : 0;
	if (type != NULL && et < 0)
		jsonx_fail(&jx, "type", "unknown event type \"%.32s\"", type);
	ev->type = et < 0 ? EVENT_HEARTBEAT : (enum event_type)et;
	ev->sensor_ms = ingest_time(&jx, "ts", now_ms);
	point = jsonx_str(&jx, "point", ev->type != EVENT_HEARTBEAT, LIMIT_KEY_LEN);
	ev->value = jsonx_str(&jx, "value", false, LIMIT_EVENT_VALUE_LEN);
	ev->credential = jsonx_str(&jx, "credential", false, LIMIT_CREDENTIAL_LEN);
	if (!jx.failed && point != NULL)
		ingest_point(srv, &jx, gw, point, ev);
	else if (!jx.failed)
		ev->rule = rules_default(POINT_EQUIPMENT, EVENT_HEARTBEAT);
	if (jsonx_done(&jx) != 0) {
		snprintf(err, errlen, "%s", jx.err);
		return -1;
	}
	return 0;
}

/*
 * Begin a queued item from a request: the body parsed, its batch array
 * (key, at most limit elements) checked.  NULL with resp filled otherwise.
 */
static struct ingest_item *
ingest_item_begin(struct server *srv, struct http_req *req, struct http_resp *resp,
    enum ingest_kind kind, const char *key, size_t limit, json_t **list)
{
	struct ingest_item *it;
	struct jsonx jx;
	json_t *root;

	if (srv->ingest->n >= LIMIT_INGEST_QUEUE_REQS) {
		ingest_busy(resp);
		return NULL;
	}
	if ((root = ingest_parse(req, resp)) == NULL)
		return NULL;
	jsonx_begin(&jx, root, "");
	*list = jsonx_array(&jx, key, true, limit);
	if (jsonx_done(&jx) != 0) {
		ingest_refuse_batch(resp, root, key, limit, jx.err);
		json_decref(root);
		return NULL;
	}
	it = xcalloc(1, sizeof *it);
	it->kind = kind;
	it->root = root;
	it->n = json_array_size(*list);
	it->pending = req->pending;
	it->owner_id = req->who.id;
	it->site_id = req->who.site_id;
	snprintf(it->owner, sizeof it->owner, "%s", req->who.name);
	snprintf(it->source, sizeof it->source, "%s", req->source);
	return it;
}

/* Validate and queue an event batch; 0 = queued (deferred), -1 = resp filled. */
int
ingest_events(struct server *srv, struct http_req *req, struct http_resp *resp)
{
	int64_t now = vtime_now_ms();
	struct ingest_item *it;
	json_t *events;
	char err[JSONX_ERR_LEN];

	ingest_check_caches(srv);
	it = ingest_item_begin(srv, req, resp, INGEST_EVENTS, "events", LIMIT_BATCH_EVENTS,
	    &events);
	if (it == NULL)
		return -1;
	it->events = xcalloc(it->n, sizeof *it->events);
	for (size_t i = 0; i < it->n; i++) {
		if (ingest_event_read(srv, &req->who, json_array_get(events, i), i,
		    now, &it->events[i], err, sizeof err) != 0) {
			resp_error(resp, 422, "invalid", "%s", err);
			ingest_item_free(it);
			return -1;
		}
	}
	ingest_enqueue(srv, it);
	return 0;
}

/* Validate and queue a position batch; 0 = queued (deferred), -1 = resp filled. */
int
ingest_positions(struct server *srv, struct http_req *req, struct http_resp *resp)
{
	int64_t now = vtime_now_ms();
	struct ingest_item *it;
	struct jsonx jx;
	json_t *list;

	it = ingest_item_begin(srv, req, resp, INGEST_POSITIONS, "positions",
	    LIMIT_BATCH_POSITIONS, &list);
	if (it == NULL)
		return -1;
	it->positions = xcalloc(it->n, sizeof *it->positions);
	for (size_t i = 0; i < it->n; i++) {
		struct ingest_position *p = &it->positions[i];
		char prefix[32];

		snprintf(prefix, sizeof prefix, "positions[%zu]", i);
		jsonx_begin(&jx, json_array_get(list, i), prefix);
		p->ts_ms = ingest_time(&jx, "ts", now);
		p->lat = jsonx_real(&jx, "lat", true, -90, 90, NULL);
		p->lon = jsonx_real(&jx, "lon", true, -180, 180, NULL);
		p->accuracy = jsonx_real(&jx, "accuracy", false, 0,
		    LIMIT_POSITION_ACCURACY_M, &p->has_accuracy);
		if (jsonx_done(&jx) != 0) {
			resp_error(resp, 422, "invalid", "%s", jx.err);
			ingest_item_free(it);
			return -1;
		}
	}
	ingest_enqueue(srv, it);
	return 0;
}

/* Mark the gateway seen; clear its line fault if it had one.  0 or -1. */
static int
ingest_gateway_seen(struct server *srv, struct ingest_item *it, int64_t now)
{
	static const char sql[] =
	    "UPDATE gateways SET last_seen_ms = ? WHERE id = ? RETURNING line_fault";
	static const char clear[] = "UPDATE gateways SET line_fault = 0 WHERE id = ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int fault = 0, rc;

	store_bind_int(s, 1, now);
	store_bind_int(s, 2, it->owner_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		fault = sqlite3_column_int(s, 0);
		rc = sqlite3_step(s);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	if (!fault)
		return 0;
	if (alarm_clear_system(srv, it->owner_id, "line_fault",
	    "the gateway reported again", now) < 0)
		return -1;
	s = store_stmt(srv->st, clear);
	store_bind_int(s, 1, it->owner_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The stored outcome of an event already received; 0 or -1. */
static int
ingest_event_known(struct server *srv, int64_t gw, const char *id,
    const char **cls, int64_t *alarm)
{
	static const char sql[] =
	    "SELECT class, alarm_id FROM events WHERE gateway_id = ? AND gw_event_id = ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int act = -1;

	store_bind_int(s, 1, gw);
	store_bind_text(s, 2, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		act = rule_action_parse(store_col_text(s, 0));
		*alarm = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	*cls = rule_action_name(act < 0 ? RULE_SIGNAL : (enum rule_action)act);
	return act < 0 ? -1 : 0;
}

/*
 * The state a point is left in by an event, or NULL when the event says
 * nothing about it: normal, open, active (water, fire, panic) or fault.
 */
static const char *
ingest_point_state(enum event_type et)
{
	switch (et) {
	case EVENT_OPEN:
	case EVENT_FORCED:
	case EVENT_HELD_OPEN:
		return "open";
	case EVENT_CLOSE:
	case EVENT_RESTORE:
		return "normal";
	case EVENT_WATER_LEAK:
	case EVENT_FIRE:
	case EVENT_PANIC:
		return "active";
	case EVENT_FAULT:
	case EVENT_TAMPER:
		return "fault";
	default:
		return NULL;
	}
}

/* Note the state an event leaves its point in; written once per point at commit. */
static void
ingest_point_note(struct ingest_queue *q, struct ingest_item *it,
    const struct ingest_event *ev)
{
	const char *state = ingest_point_state(ev->type);
	struct ingest_pstate *p;

	if (state == NULL || ev->point_id == 0)
		return;
	if (q->npstates == q->cappstates) {
		q->cappstates = q->cappstates ? q->cappstates * 2 : 256;
		q->pstates = xrealloc(q->pstates, q->cappstates * sizeof *q->pstates);
	}
	p = &q->pstates[q->npstates];
	p->point_id = ev->point_id;
	p->site_id = it->site_id;
	p->state = state;
	p->sensor_ms = ev->sensor_ms;
	p->type = ev->type;
	p->order = q->npstates++;
}

/* Order noted states by point, then arrival. */
static int
ingest_pstate_cmp(const void *a, const void *b)
{
	const struct ingest_pstate *x = a, *y = b;

	if (x->point_id != y->point_id)
		return x->point_id < y->point_id ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Write each point's last state of this commit; a change goes on the stream
 * as one point.state message.  A door opened and closed within one commit
 * costs one update, not two.  0 or -1.
 */
static int
ingest_points_write(struct server *srv, int64_t now)
{
	static const char sql[] =
	    "UPDATE points SET state = ?, state_ms = ? WHERE id = ? AND state <> ?"
	    " RETURNING key";
	struct ingest_queue *q = srv->ingest;
	int rc = 0;

	if (q->npstates == 0)
		return 0;
	qsort(q->pstates, q->npstates, sizeof *q->pstates, ingest_pstate_cmp);
	for (size_t i = 0; i < q->npstates && rc == 0; i++) {
		const struct ingest_pstate *p = &q->pstates[i];
		char key[LIMIT_KEY_LEN + 1] = "", ts[VTIME_ISO_LEN];
		sqlite3_stmt *s;
		int step;

		if (i + 1 < q->npstates && q->pstates[i + 1].point_id == p->point_id)
			continue;   /* a later event of this commit decides */
		s = store_stmt(srv->st, sql);
		store_bind_text(s, 1, p->state);
		store_bind_int(s, 2, p->sensor_ms);
		store_bind_int(s, 3, p->point_id);
		store_bind_text(s, 4, p->state);
		step = sqlite3_step(s);
		if (step == SQLITE_ROW) {
			snprintf(key, sizeof key, "%s", store_col_text(s, 0));
			step = sqlite3_step(s);
		}
		sqlite3_reset(s);
		if (step != SQLITE_DONE) {
			rc = -1;
			break;
		}
		if (key[0] == '\0')
			continue;
		vtime_format(p->sensor_ms, ts, sizeof ts);
		if (streamlog_append(srv, "point.state", p->site_id, json_pack(
		    "{s:s, s:s, s:s, s:s}", "point", key, "state", p->state, "since", ts,
		    "event", event_type_name(p->type)), now) < 0)
			rc = -1;
	}
	q->npstates = 0;
	return rc;
}

/* Store one event and raise or group its alarm; appends its result.  0 or -1. */
static int
ingest_event_store(struct server *srv, struct ingest_item *it,
    const struct ingest_event *ev, int64_t now, struct buf *out)
{
	static const char ins[] =
	    "INSERT OR IGNORE INTO events (gateway_id, gw_event_id, site_id, point_id,"
	    " type, value, credential, sensor_ms, received_ms, class)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char link[] = "UPDATE events SET alarm_id = ? WHERE id = ?";
	struct ingest_queue *q = srv->ingest;
	sqlite3 *db = store_db(srv->st);
	sqlite3_stmt *s = store_stmt(srv->st, ins);
	const char *cls = rule_action_name(ev->rule.action);
	int64_t alarm = 0, event_id;
	bool dup;

	store_bind_int(s, 1, it->owner_id);
	store_bind_text(s, 2, ev->id);
	store_bind_int(s, 3, it->site_id);
	if (ev->point_id != 0)
		store_bind_int(s, 4, ev->point_id);
	store_bind_text(s, 5, event_type_name(ev->type));
	store_bind_text(s, 6, ev->value);
	store_bind_text(s, 7, ev->credential);
	store_bind_int(s, 8, ev->sensor_ms);
	store_bind_int(s, 9, now);
	store_bind_text(s, 10, cls);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	dup = sqlite3_changes(db) == 0;
	event_id = sqlite3_last_insert_rowid(db);
	sqlite3_reset(s);
	if (!dup)
		ingest_point_note(q, it, ev);
	if (dup) {
		if (ingest_event_known(srv, it->owner_id, ev->id, &cls, &alarm) != 0)
			return -1;
		q->stats.duplicates++;
	} else if (ev->rule.action == RULE_ALARM) {
		struct alarm_cause c = {
			.site_id = it->site_id,
			.point_id = ev->point_id,
			.gateway_id = it->owner_id,
			.type = ev->rule.alarm_type,
			.priority = ev->rule.priority,
			.event_id = event_id,
			.event_ms = ev->sensor_ms,
			.actor_type = "gateway",
			.actor = it->owner,
			.source = it->source,
		};
		bool grouped;

		alarm = alarm_raise(srv, &c, &grouped, now);
		if (alarm < 0)
			return -1;
		s = store_stmt(srv->st, link);
		store_bind_int(s, 1, alarm);
		store_bind_int(s, 2, event_id);
		if (sqlite3_step(s) != SQLITE_DONE)
			return -1;
		sqlite3_reset(s);
		q->stats.alarms++;
	}
	/*
	 * Access events name the resident holding the credential; repeated
	 * denials at one point raise an alarm unless the rules already did.
	 */
	if (!dup && (ev->type == EVENT_ACCESS_GRANTED ||
	    ev->type == EVENT_ACCESS_DENIED)) {
		struct residents_access acc = {
			.site_id = it->site_id,
			.point_id = ev->point_id,
			.gateway_id = it->owner_id,
			.event_id = event_id,
			.denied = ev->type == EVENT_ACCESS_DENIED,
			.count_denials = ev->type == EVENT_ACCESS_DENIED &&
			    ev->rule.action != RULE_ALARM,
			.credential = ev->credential,
			.sensor_ms = ev->sensor_ms,
			.gateway_key = it->owner,
			.source = it->source,
		};
		int64_t a = residents_access_event(srv, &acc, now);

		if (a < 0)
			return -1;
		if (a > 0 && alarm == 0)
			alarm = a;
	}
	q->stats.events++;
	buf_addf(out, "%s{\"id\":\"%s\",\"status\":\"%s\",\"class\":\"%s\",\"alarm\":",
	    out->data[out->len - 1] == '[' ? "" : ",", ev->id, dup ? "duplicate" : "stored", cls);
	if (alarm > 0)
		buf_addf(out, "%" PRId64 "}", alarm);
	else
		buf_adds(out, "null}");
	return 0;
}

/* Write an event batch inside the open transaction; its reply waits in it->resp. */
static int
ingest_flush_events(struct server *srv, struct ingest_item *it, int64_t now)
{
	struct buf out;

	if (ingest_gateway_seen(srv, it, now) != 0)
		return -1;
	buf_init(&out, LIMIT_RESPONSE_BYTES);
	buf_adds(&out, "{\"results\":[");
	for (size_t i = 0; i < it->n; i++) {
		if (ingest_event_store(srv, it, &it->events[i], now, &out) != 0) {
			buf_release(&out);
			return -1;
		}
	}
	buf_adds(&out, "]}");
	it->resp.status = 200;
	it->resp.body = buf_detach(&out, &it->resp.body_len);
	return 0;
}

/* Write a guard's positions (unless off duty) inside the open transaction. */
static int
ingest_flush_positions(struct server *srv, struct ingest_item *it, int64_t now)
{
	static const char status_sql[] = "SELECT status, pos_ms FROM guards WHERE id = ?";
	static const char ins[] =
	    "INSERT INTO positions (guard_id, ts_ms, lat, lon, accuracy, received_ms)"
	    " VALUES (?, ?, ?, ?, ?, ?)";
	/* The same fix again (later) keeps its first time and counts one more. */
	static const char upd[] =
	    "UPDATE guards SET"
	    " pos_same_count = CASE WHEN lat = ?1 AND lon = ?2 AND pos_ms < ?4"
	    " THEN pos_same_count + 1 ELSE 1 END,"
	    " pos_same_ms = CASE WHEN lat = ?1 AND lon = ?2 AND pos_ms < ?4"
	    " THEN coalesce(pos_same_ms, pos_ms) ELSE ?4 END,"
	    " lat = ?1, lon = ?2, accuracy = ?3, pos_ms = ?4 WHERE id = ?5"
	    " RETURNING pos_same_ms, pos_same_count";
	sqlite3_stmt *s = store_stmt(srv->st, status_sql);
	const struct ingest_position *newest = NULL;
	int64_t last_ms = 0;
	bool on_duty = false;
	size_t stored = 0;

	store_bind_int(s, 1, it->owner_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		on_duty = strcmp(store_col_text(s, 0), "off_duty") != 0;
		last_ms = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	for (size_t i = 0; on_duty && i < it->n; i++) {
		const struct ingest_position *p = &it->positions[i];

		s = store_stmt(srv->st, ins);
		store_bind_int(s, 1, it->owner_id);
		store_bind_int(s, 2, p->ts_ms);
		sqlite3_bind_double(s, 3, p->lat);
		sqlite3_bind_double(s, 4, p->lon);
		if (p->has_accuracy)
			sqlite3_bind_double(s, 5, p->accuracy);
		store_bind_int(s, 6, now);
		if (sqlite3_step(s) != SQLITE_DONE)
			return -1;
		sqlite3_reset(s);
		stored++;
		if (p->ts_ms >= last_ms && (newest == NULL || p->ts_ms >= newest->ts_ms))
			newest = p;
	}
	if (newest != NULL) {
		char ts[VTIME_ISO_LEN];
		int64_t same_ms, same_count;
		json_t *msg;

		s = store_stmt(srv->st, upd);
		sqlite3_bind_double(s, 1, newest->lat);
		sqlite3_bind_double(s, 2, newest->lon);
		if (newest->has_accuracy)
			sqlite3_bind_double(s, 3, newest->accuracy);
		store_bind_int(s, 4, newest->ts_ms);
		store_bind_int(s, 5, it->owner_id);
		if (sqlite3_step(s) != SQLITE_ROW) {
			sqlite3_reset(s);
			return -1;
		}
		same_ms = sqlite3_column_int64(s, 0);
		same_count = sqlite3_column_int64(s, 1);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_reset(s);
			return -1;
		}
		sqlite3_reset(s);
		vtime_format(newest->ts_ms, ts, sizeof ts);
		msg = json_pack("{s:s, s:f, s:f, s:o, s:s}", "guard", it->owner,
		    "lat", newest->lat, "lon", newest->lon, "accuracy",
		    newest->has_accuracy ? json_real(newest->accuracy) : json_null(),
		    "ts", ts);
		alarm_same_fix(msg, same_ms, same_count);
		if (streamlog_append(srv, "guard.position", it->site_id, msg, now) < 0)
			return -1;
	}
	srv->ingest->stats.positions += stored;
	resp_json(&it->resp, 200, json_pack("{s:I, s:I}", "stored", (json_int_t)stored,
	    "ignored", (json_int_t)(it->n - stored)));
	return 0;
}

/* Answer every item of a failed flush with 503 so that gateways retry. */
static void
ingest_fail_all(struct ingest_item *head)
{
	for (struct ingest_item *it = head; it != NULL; it = it->next) {
		resp_release(&it->resp);
		resp_error(&it->resp, 503, "unavailable",
		    "the events could not be saved; retry after %d s", INGEST_RETRY_AFTER_S);
		it->resp.retry_after = INGEST_RETRY_AFTER_S;
	}
}

/* Write everything queued now, in one transaction, and answer it. */
void
ingest_flush(struct server *srv)
{
	struct ingest_queue *q = srv->ingest;
	struct ingest_item *head, *it, *next;
	int64_t now;
	size_t taken = 0;
	int rc = 0;

	if (q == NULL || q->head == NULL)
		return;
	/* Take at most LIMIT_COMMIT_BATCH_REQS so one commit stays short. */
	head = q->head;
	it = head;
	while (it->next != NULL && taken + 1 < LIMIT_COMMIT_BATCH_REQS) {
		it = it->next;
		taken++;
	}
	q->head = it->next;
	it->next = NULL;
	if (q->head == NULL)
		q->tail = &q->head;
	q->n -= taken + 1;

	now = vtime_now_ms();
	if (txn_begin(srv) != 0) {
		rc = -1;
	} else {
		q->npstates = 0;
		for (it = head; it != NULL && rc == 0; it = it->next) {
			rc = it->kind == INGEST_EVENTS ?
			    ingest_flush_events(srv, it, now) :
			    ingest_flush_positions(srv, it, now);
			q->stats.requests++;
		}
		if (rc == 0)
			rc = ingest_points_write(srv, now);
		if (rc != 0) {
			log_error("ingest: cannot store a batch: %s", store_errmsg(srv->st));
			txn_abort(srv);
		} else if (txn_commit(srv) != 0) {
			log_error("ingest: commit failed: %s", store_errmsg(srv->st));
			rc = -1;
		} else {
			q->stats.commits++;
		}
	}
	if (rc != 0)
		ingest_fail_all(head);
	for (it = head; it != NULL; it = next) {
		next = it->next;
		http_pending_reply(it->pending, &it->resp);
		ingest_item_free(it);
	}
}

/* After each poll: commit what arrived in it (and stop when the queue is empty). */
static void
ingest_on_check(uv_check_t *h)
{
	struct ingest_queue *q = h->data;

	ingest_flush(q->srv);
	if (q->head == NULL && q->check_active) {
		uv_check_stop(&q->check);
		q->check_active = false;
	}
}
