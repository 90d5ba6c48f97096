#include "compat.h"

#include "alarm.h"
#include "audit.h"
#include "log.h"
#include "rowjson.h"
#include "server.h"
#include "store.h"
#include "streamlog.h"
#include "vtime.h"

/*
 * The columns of an alarm as the API shows it, in the order of alarm_cols:
 * objects by their keys, the guard by its callsign.
 */
#define ALARM_SELECT \
	"SELECT a.id, s.key, s.name, p.key, p.label, p.type, g.key, a.type, " \
	"a.priority, a.state, a.version, a.count, a.created_ms, a.updated_ms, " \
	"a.last_event_ms, a.acked_ms, a.acked_by, a.assigned_ms, " \
	"a.assigned_by, gd.callsign, a.closed_ms, a.closed_by, a.resolution, " \
	"a.resolution_note " \
	"FROM alarms a JOIN sites s ON s.id = a.site_id " \
	"LEFT JOIN points p ON p.id = a.point_id " \
	"LEFT JOIN gateways g ON g.id = a.gateway_id " \
	"LEFT JOIN guards gd ON gd.id = a.guard_id "

enum alarm_col_kind { ALARM_COL_INT, ALARM_COL_TEXT, ALARM_COL_TIME };

/* The members of an alarm's JSON, one per column of ALARM_SELECT. */
static const struct alarm_col {
	const char *key;
	enum alarm_col_kind kind;
} alarm_cols[] = {
	{ "id", ALARM_COL_INT },
	{ "site", ALARM_COL_TEXT },
	{ "site_name", ALARM_COL_TEXT },
	{ "point", ALARM_COL_TEXT },
	{ "point_label", ALARM_COL_TEXT },
	{ "point_type", ALARM_COL_TEXT },
	{ "gateway", ALARM_COL_TEXT },
	{ "type", ALARM_COL_TEXT },
	{ "priority", ALARM_COL_INT },
	{ "state", ALARM_COL_TEXT },
	{ "version", ALARM_COL_INT },
	{ "count", ALARM_COL_INT },
	{ "created", ALARM_COL_TIME },
	{ "updated", ALARM_COL_TIME },
	{ "last_event", ALARM_COL_TIME },
	{ "acked", ALARM_COL_TIME },
	{ "acked_by", ALARM_COL_TEXT },
	{ "assigned", ALARM_COL_TIME },
	{ "assigned_by", ALARM_COL_TEXT },
	{ "guard", ALARM_COL_TEXT },
	{ "closed", ALARM_COL_TIME },
	{ "closed_by", ALARM_COL_TEXT },
	{ "resolution", ALARM_COL_TEXT },
	{ "resolution_note", ALARM_COL_TEXT },
};

/*
 * What each state may become under each action; -1 where the action does not
 * apply.  Assigning an assigned alarm hands it to another guard.
 */
static const int alarm_table[ALARM__COUNT][ALARM_ACT__COUNT] = {
	[ALARM_NEW] = {
		[ALARM_ACT_ACK] = ALARM_ACKNOWLEDGED,
		[ALARM_ACT_ASSIGN] = ALARM_ASSIGNED,
		[ALARM_ACT_RELEASE] = -1,
		[ALARM_ACT_CLOSE] = ALARM_CLOSED,
		[ALARM_ACT_REOPEN] = -1,
	},
	[ALARM_ACKNOWLEDGED] = {
		[ALARM_ACT_ACK] = -1,
		[ALARM_ACT_ASSIGN] = ALARM_ASSIGNED,
		[ALARM_ACT_RELEASE] = -1,
		[ALARM_ACT_CLOSE] = ALARM_CLOSED,
		[ALARM_ACT_REOPEN] = -1,
	},
	[ALARM_ASSIGNED] = {
		[ALARM_ACT_ACK] = -1,
		[ALARM_ACT_ASSIGN] = ALARM_ASSIGNED,
		[ALARM_ACT_RELEASE] = ALARM_ACKNOWLEDGED,
		[ALARM_ACT_CLOSE] = ALARM_CLOSED,
		[ALARM_ACT_REOPEN] = -1,
	},
	[ALARM_CLOSED] = {
		[ALARM_ACT_ACK] = -1,
		[ALARM_ACT_ASSIGN] = -1,
		[ALARM_ACT_RELEASE] = -1,
		[ALARM_ACT_CLOSE] = -1,
		[ALARM_ACT_REOPEN] = ALARM_ACKNOWLEDGED,
	},
};

/* Check whether an alarm in state from may take act, and where it ends. */
int
alarm_transition(enum alarm_state from, enum alarm_action act)
{
	if ((int)from < 0 || from >= ALARM__COUNT || (int)act < 0 ||
	    act >= ALARM_ACT__COUNT)
		return -1;
	return alarm_table[from][act];
}

/* Build the JSON of the alarm in the current row of s (selected as ALARM_SELECT). */
static json_t *
alarm_json_row(sqlite3_stmt *s)
{
	char ts[VTIME_ISO_LEN];
	json_t *o = json_object();

	for (size_t i = 0; i < ARRAY_LEN(alarm_cols); i++) {
		const struct alarm_col *c = &alarm_cols[i];
		int col = (int)i;
		json_t *v;

		if (sqlite3_column_type(s, col) == SQLITE_NULL)
			v = json_null();
		else if (c->kind == ALARM_COL_INT)
			v = json_integer(sqlite3_column_int64(s, col));
		else if (c->kind == ALARM_COL_TIME) {
			vtime_format(sqlite3_column_int64(s, col), ts, sizeof ts);
			v = json_string(ts);
		} else
			v = json_string(store_col_text(s, col));
		json_object_set_new(o, c->key, v != NULL ? v : json_null());
	}
	return o;
}

/* Return one alarm as the API shows it, or NULL when there is none with that id. */
json_t *
alarm_json_by_id(struct server *srv, int64_t id)
{
	static const char sql[] = ALARM_SELECT "WHERE a.id = ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	json_t *o = NULL;
	int rc;

	store_bind_int(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		o = alarm_json_row(s);
	else if (rc != SQLITE_DONE)
		log_error("alarm: cannot read alarm %" PRId64 ": %s", id,
		    store_errmsg(srv->st));
	sqlite3_reset(s);
	return o;
}

/*
 * Find the open alarm of a point and type (or, with point_id 0, of a gateway
 * and type); its id, 0 when none is open, -1 on a store error.  Both queries
 * repeat the condition of the partial indexes so that SQLite uses them.
 */
static int64_t
alarm_find_open(struct server *srv, int64_t point_id, int64_t gateway_id,
    const char *type)
{
	static const char sql_point[] =
	    "SELECT id FROM alarms WHERE point_id = ? AND type = ? "
	    "AND state <> 'closed' ORDER BY id LIMIT 1";
	static const char sql_gateway[] =
	    "SELECT id FROM alarms WHERE gateway_id = ? AND type = ? "
	    "AND point_id IS NULL AND state <> 'closed' ORDER BY id LIMIT 1";
	sqlite3_stmt *s;
	int64_t id = 0;
	int rc;

	if (point_id > 0) {
		s = store_stmt(srv->st, sql_point);
		store_bind_int(s, 1, point_id);
	} else {
		s = store_stmt(srv->st, sql_gateway);
		store_bind_int(s, 1, gateway_id);
	}
	store_bind_text(s, 2, type);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE) {
		log_error("alarm: cannot look for an open %s alarm: %s", type,
		    store_errmsg(srv->st));
		id = -1;
	}
	sqlite3_reset(s);
	return id;
}

/* Raise the count of open alarm id with a new event of cause. */
static int
alarm_group(struct server *srv, int64_t id, const struct alarm_cause *c,
    int64_t event_ms, int64_t now_ms)
{
	static const char sql[] =
	    "UPDATE alarms SET count = count + 1, "
	    "last_event_id = COALESCE(?, last_event_id), "
	    "last_event_ms = MAX(last_event_ms, ?), updated_ms = ? WHERE id = ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int rc;

	if (c->event_id > 0)
		store_bind_int(s, 1, c->event_id);
	store_bind_int(s, 2, event_ms);
	store_bind_int(s, 3, now_ms);
	store_bind_int(s, 4, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_error("alarm: cannot group into alarm %" PRId64 ": %s", id,
		    store_errmsg(srv->st));
		return -1;
	}
	return 0;
}

/* Insert a new alarm for cause; its id, or -1. */
static int64_t
alarm_insert(struct server *srv, const struct alarm_cause *c, int64_t event_ms,
    int64_t now_ms)
{
	static const char sql[] =
	    "INSERT INTO alarms (site_id, point_id, gateway_id, type, priority, "
	    "state, version, count, first_event_id, last_event_id, created_ms, "
	    "updated_ms, last_event_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, 'new', 1, 1, ?6, ?6, ?7, ?7, ?8)";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int rc;

	store_bind_int(s, 1, c->site_id);
	if (c->point_id > 0)
		store_bind_int(s, 2, c->point_id);
	if (c->gateway_id > 0)
		store_bind_int(s, 3, c->gateway_id);
	store_bind_text(s, 4, c->type);
	store_bind_int(s, 5, c->priority);
	if (c->event_id > 0)
		store_bind_int(s, 6, c->event_id);
	store_bind_int(s, 7, now_ms);
	store_bind_int(s, 8, event_ms);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_error("alarm: cannot open a %s alarm: %s", c->type,
		    store_errmsg(srv->st));
		return -1;
	}
	return sqlite3_last_insert_rowid(store_db(srv->st));
}

/* Copy member key of src into dst (null when src lacks it). */
static void
alarm_copy_member(json_t *dst, const json_t *src, const char *key)
{
	json_t *v = json_object_get(src, key);

	json_object_set(dst, key, v != NULL ? v : json_null());
}

/* The part of an alarm's JSON an audit entry records as before or after. */
static json_t *
alarm_summary(const json_t *alarm)
{
	json_t *o = json_object();

	alarm_copy_member(o, alarm, "state");
	alarm_copy_member(o, alarm, "version");
	alarm_copy_member(o, alarm, "guard");
	return o;
}

/*
 * Write the audit entry and the stream message of a change to alarm id: the
 * alarm's JSON (as it is now) goes on the stream as stream_type; details
 * (borrowed, may be NULL) go to the audit log.  0 or -1.
 */
static int
alarm_record(struct server *srv, int64_t id, int64_t site_id,
    const char *stream_type, const struct audit_actor *who, const char *action,
    json_t *details, json_t *alarm, int64_t now_ms)
{
	char oid[24];

	snprintf(oid, sizeof oid, "%" PRId64, id);
	if (audit_append(srv->st, who, action, "alarm", oid, site_id, details,
	    "ok", now_ms) < 0)
		return -1;
	json_incref(alarm);
	if (streamlog_append(srv, stream_type, site_id, alarm, now_ms) < 0) {
		log_error("alarm: cannot write the stream message of alarm %"
		    PRId64 ": %s", id, store_errmsg(srv->st));
		return -1;
	}
	return 0;
}

/* Raise an alarm for cause, or group it into the open alarm of its point and type. */
int64_t
alarm_raise(struct server *srv, const struct alarm_cause *c, bool *grouped,
    int64_t now_ms)
{
	struct audit_actor who;
	int64_t id, event_ms = c->event_ms > 0 ? c->event_ms : now_ms;
	json_t *alarm, *details;
	bool group;
	int rc;

	if (grouped != NULL)
		*grouped = false;
	id = alarm_find_open(srv, c->point_id, c->gateway_id, c->type);
	if (id < 0)
		return -1;
	group = id > 0;
	if (group) {
		if (alarm_group(srv, id, c, event_ms, now_ms) != 0)
			return -1;
	} else if ((id = alarm_insert(srv, c, event_ms, now_ms)) < 0)
		return -1;

	if ((alarm = alarm_json_by_id(srv, id)) == NULL)
		return -1;
	details = json_object();
	if (!group) {
		alarm_copy_member(details, alarm, "type");
		alarm_copy_member(details, alarm, "priority");
		alarm_copy_member(details, alarm, "point");
		alarm_copy_member(details, alarm, "gateway");
	} else
		alarm_copy_member(details, alarm, "count");
	json_object_set_new(details, "event",
	    c->event_id > 0 ? json_integer(c->event_id) : json_null());

	who.type = c->actor_type != NULL ? c->actor_type : "system";
	who.name = c->actor != NULL ? c->actor : "vigild";
	who.source = c->source != NULL ? c->source : "";
	rc = alarm_record(srv, id, c->site_id,
	    group ? "alarm.updated" : "alarm.created", &who,
	    group ? "alarm.group" : "alarm.open", details, alarm, now_ms);
	json_decref(details);
	json_decref(alarm);
	if (rc != 0)
		return -1;
	if (grouped != NULL)
		*grouped = group;
	return id;
}

/* Close the open alarm of gateway_id and type as the system. */
int64_t
alarm_clear_system(struct server *srv, int64_t gateway_id, const char *type,
    const char *note, int64_t now_ms)
{
	static const char sql[] =
	    "UPDATE alarms SET state = 'closed', version = version + 1, "
	    "updated_ms = ?1, closed_ms = ?1, closed_by = 'vigild', "
	    "resolution = 'technical_fault', resolution_note = ?2 WHERE id = ?3";
	static const char sql_site[] =
	    "SELECT site_id, guard_id, state FROM alarms WHERE id = ?";
	struct audit_actor who = { "system", "vigild", "" };
	json_t *before, *alarm, *details;
	int64_t id, site_id = 0, guard_id = 0;
	bool was_assigned = false;
	sqlite3_stmt *s;
	int rc;

	id = alarm_find_open(srv, 0, gateway_id, type);
	if (id <= 0)
		return id;
	if ((before = alarm_json_by_id(srv, id)) == NULL)
		return -1;

	s = store_stmt(srv->st, sql_site);
	store_bind_int(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		site_id = sqlite3_column_int64(s, 0);
		guard_id = sqlite3_column_int64(s, 1);
		was_assigned = strcmp(store_col_text(s, 2), "assigned") == 0;
	}
	sqlite3_reset(s);

	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, now_ms);
	store_bind_text(s, 2, note);
	store_bind_int(s, 3, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || (alarm = alarm_json_by_id(srv, id)) == NULL) {
		log_error("alarm: cannot close alarm %" PRId64 ": %s", id,
		    store_errmsg(srv->st));
		json_decref(before);
		return -1;
	}

	details = json_object();
	json_object_set_new(details, "before", alarm_summary(before));
	json_object_set_new(details, "after", alarm_summary(alarm));
	json_object_set_new(details, "resolution",
	    json_string(resolution_name(RESOLUTION_TECHNICAL_FAULT)));
	json_object_set_new(details, "note", note != NULL ? json_string(note) :
	    json_null());
	rc = alarm_record(srv, id, site_id, "alarm.updated", &who, "alarm.close",
	    details, alarm, now_ms);
	json_decref(details);
	json_decref(alarm);
	json_decref(before);
	if (rc != 0)
		return -1;
	if (was_assigned && guard_id > 0 &&
	    alarm_guard_settle(srv, guard_id, &who, id, now_ms) < 0)
		return -1;
	return id;
}

/*
 * Add to a position object how often its fix came in a row: "same_count"
 * and, from the second time, "same_since" (the first of them).
 */
void
alarm_same_fix(json_t *pos, int64_t since_ms, int64_t count)
{
	char ts[VTIME_ISO_LEN];

	if (count < 2 || since_ms <= 0)
		return;
	vtime_format(since_ms, ts, sizeof ts);
	json_object_set_new(pos, "same_since", json_string(ts));
	json_object_set_new(pos, "same_count", json_integer(count));
}

/*
 * Return a guard as the API shows it: {callsign, name, site, status,
 * status_since, position, alarms (the open alarms assigned to it)}, or NULL.
 */
json_t *
alarm_guard_json(struct server *srv, int64_t guard_id)
{
	static const char sql[] =
	    "SELECT g.callsign, g.name, s.key, g.status, g.status_ms, g.lat, "
	    "g.lon, g.accuracy, g.pos_ms, g.pos_same_ms, g.pos_same_count "
	    "FROM guards g LEFT JOIN sites s ON s.id = g.site_id WHERE g.id = ?";
	/* state first: the queue index narrows this to assigned alarms. */
	static const char sql_alarms[] =
	    "SELECT id FROM alarms WHERE state = 'assigned' AND guard_id = ? "
	    "ORDER BY id";
	char ts[VTIME_ISO_LEN];
	sqlite3_stmt *s;
	json_t *o, *pos, *alarms;

	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, guard_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return NULL;
	}
	o = json_object();
	json_object_set_new(o, "callsign", json_string(store_col_text(s, 0)));
	json_object_set_new(o, "name", json_string(store_col_text(s, 1)));
	json_object_set_new(o, "site", rowjson_text(s, 2));
	json_object_set_new(o, "status", json_string(store_col_text(s, 3)));
	json_object_set_new(o, "status_since", rowjson_time(s, 4));
	if (sqlite3_column_type(s, 8) == SQLITE_NULL ||
	    sqlite3_column_type(s, 5) == SQLITE_NULL ||
	    sqlite3_column_type(s, 6) == SQLITE_NULL)
		pos = json_null();
	else {
		vtime_format(sqlite3_column_int64(s, 8), ts, sizeof ts);
		pos = json_object();
		json_object_set_new(pos, "lat",
		    json_real(sqlite3_column_double(s, 5)));
		json_object_set_new(pos, "lon",
		    json_real(sqlite3_column_double(s, 6)));
		json_object_set_new(pos, "accuracy", rowjson_real(s, 7));
		json_object_set_new(pos, "ts", json_string(ts));
		alarm_same_fix(pos, sqlite3_column_int64(s, 9), sqlite3_column_int64(s, 10));
	}
	json_object_set_new(o, "position", pos);
	sqlite3_reset(s);

	alarms = json_array();
	s = store_stmt(srv->st, sql_alarms);
	store_bind_int(s, 1, guard_id);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(alarms,
		    json_integer(sqlite3_column_int64(s, 0)));
	sqlite3_reset(s);
	json_object_set_new(o, "alarms", alarms);
	return o;
}

/*
 * Move a guard to status to, recording the change (stream guard.updated,
 * audit guard.status, naming alarm_id when an alarm caused it).  1 when the
 * status changed, 0 when it already was to, -1 on error.
 */
int
alarm_guard_set_status(struct server *srv, int64_t guard_id,
    enum guard_status to, const struct audit_actor *who, int64_t alarm_id,
    int64_t now_ms)
{
	static const char sql_get[] =
	    "SELECT status, site_id, callsign FROM guards WHERE id = ?";
	static const char sql_set[] =
	    "UPDATE guards SET status = ?, status_ms = ? WHERE id = ?";
	char callsign[LIMIT_KEY_LEN + 1], before[32];
	int64_t site_id;
	json_t *guard, *details;
	sqlite3_stmt *s;
	int rc;

	s = store_stmt(srv->st, sql_get);
	store_bind_int(s, 1, guard_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		log_error("alarm: no guard %" PRId64, guard_id);
		return -1;
	}
	snprintf(before, sizeof before, "%s", store_col_text(s, 0));
	site_id = sqlite3_column_int64(s, 1);
	snprintf(callsign, sizeof callsign, "%s", store_col_text(s, 2));
	sqlite3_reset(s);
	if (strcmp(before, guard_status_name(to)) == 0)
		return 0;

	s = store_stmt(srv->st, sql_set);
	store_bind_text(s, 1, guard_status_name(to));
	store_bind_int(s, 2, now_ms);
	store_bind_int(s, 3, guard_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || (guard = alarm_guard_json(srv, guard_id)) == NULL) {
		log_error("alarm: cannot set the status of guard %s: %s",
		    callsign, store_errmsg(srv->st));
		return -1;
	}

	details = json_object();
	json_object_set_new(details, "before", json_string(before));
	json_object_set_new(details, "after", json_string(guard_status_name(to)));
	if (alarm_id > 0)
		json_object_set_new(details, "alarm", json_integer(alarm_id));
	rc = audit_append(srv->st, who, "guard.status", "guard", callsign,
	    site_id, details, "ok", now_ms) < 0 ? -1 : 0;
	json_decref(details);
	if (rc == 0 && streamlog_append(srv, "guard.updated", site_id, guard,
	    now_ms) < 0)
		return -1;
	if (rc != 0)
		json_decref(guard);
	return rc == 0 ? 1 : -1;
}

/*
 * After an alarm let go of guard_id: make the guard available again unless it
 * still has assigned alarms (or is off duty).  1 when it changed, 0 when not,
 * -1 on error.
 */
int
alarm_guard_settle(struct server *srv, int64_t guard_id,
    const struct audit_actor *who, int64_t alarm_id, int64_t now_ms)
{
	static const char sql[] =
	    "SELECT g.status, (SELECT COUNT(*) FROM alarms a "
	    "WHERE a.state = 'assigned' AND a.guard_id = g.id) "
	    "FROM guards g WHERE g.id = ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int status;
	int64_t busy;

	store_bind_int(s, 1, guard_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return 0;
	}
	status = guard_status_parse(store_col_text(s, 0));
	busy = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	if (busy > 0 || (status != GUARD_DISPATCHED && status != GUARD_ON_SCENE))
		return 0;
	return alarm_guard_set_status(srv, guard_id, GUARD_AVAILABLE, who,
	    alarm_id, now_ms);
}
