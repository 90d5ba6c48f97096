#include "compat.h"

#include "replica.h"

/* Set up an empty replica. */
void
replica_init(struct replica *r)
{
	memset(r, 0, sizeof *r);
	r->alarms = alarmset_new();
	r->guards = json_object();
	r->sites = json_object();
	r->points = json_object();
	if (r->alarms == NULL || r->guards == NULL || r->sites == NULL ||
	    r->points == NULL)
		fatal("replica: out of memory");
}

/* Free what the replica holds and leave it empty. */
void
replica_release(struct replica *r)
{
	alarmset_free(r->alarms);
	json_decref(r->guards);
	json_decref(r->sites);
	json_decref(r->points);
	memset(r, 0, sizeof *r);
}

/* Set up an empty snapshot. */
void
replica_snap_init(struct replica_snap *s)
{
	s->alarms = alarmset_new();
	s->guards = json_object();
	s->sites = json_object();
	s->points = json_object();
	s->seq = -1;
	if (s->alarms == NULL || s->guards == NULL || s->sites == NULL ||
	    s->points == NULL)
		fatal("replica: out of memory");
}

/* Free what a snapshot holds. */
void
replica_snap_release(struct replica_snap *s)
{
	alarmset_free(s->alarms);
	json_decref(s->guards);
	json_decref(s->sites);
	json_decref(s->points);
	memset(s, 0, sizeof *s);
	s->seq = -1;
}

/*
 * The array called name of a snapshot reply and its seq (taken into the
 * snapshot's lowest); NULL with *cause when the reply is not of that shape.
 */
static json_t *
replica_snap_array(struct replica_snap *s, json_t *reply, const char *name,
    bool with_seq, char **cause)
{
	json_t *arr = json_object_get(reply, name), *seq;

	if (!json_is_array(arr)) {
		*cause = xasprintf("the %s snapshot has no \"%s\" array", name, name);
		return NULL;
	}
	if (!with_seq)
		return arr;
	seq = json_object_get(reply, "seq");
	if (!json_is_integer(seq) || json_integer_value(seq) < 0) {
		*cause = xasprintf("the %s snapshot has no \"seq\"", name);
		return NULL;
	}
	if (s->seq < 0 || json_integer_value(seq) < s->seq)
		s->seq = json_integer_value(seq);
	return arr;
}

/* Add a page of the alarms snapshot; its count, or -1 with *cause. */
int
replica_snap_alarms(struct replica_snap *s, json_t *reply, int64_t *last_id,
    char **cause)
{
	struct alarm_rec *a;
	json_t *arr, *o;
	char *why = NULL;
	size_t i;

	*last_id = 0;
	if ((arr = replica_snap_array(s, reply, "alarms", true, cause)) == NULL)
		return -1;
	json_array_foreach(arr, i, o) {
		if ((a = alarm_rec_parse(o, &why)) == NULL) {
			*cause = xasprintf("alarms[%zu]: %s", i, why);
			free(why);
			return -1;
		}
		*last_id = a->id;
		if (a->state == ALARM_CLOSED) {
			alarm_rec_unref(a);
			continue;
		}
		alarmset_put(s->alarms, a);
	}
	return (int)json_array_size(arr);
}

/*
 * Add every object of the array called name to dst by its string member
 * key; 0 or -1 with *cause.
 */
static int
replica_snap_by_key(struct replica_snap *s, json_t *reply, const char *name,
    const char *key, json_t *dst, char **cause)
{
	json_t *arr, *o;
	const char *k;
	size_t i;

	if ((arr = replica_snap_array(s, reply, name, true, cause)) == NULL)
		return -1;
	json_array_foreach(arr, i, o) {
		if ((k = json_string_value(json_object_get(o, key))) == NULL) {
			*cause = xasprintf("%s[%zu] has no \"%s\"", name, i, key);
			return -1;
		}
		json_object_set(dst, k, o);
	}
	return 0;
}

/* Add the guards snapshot; 0 or -1 with *cause. */
int
replica_snap_guards(struct replica_snap *s, json_t *reply, char **cause)
{
	return replica_snap_by_key(s, reply, "guards", "callsign", s->guards,
	    cause);
}

/* Add the sites snapshot; 0 or -1 with *cause. */
int
replica_snap_sites(struct replica_snap *s, json_t *reply, char **cause)
{
	return replica_snap_by_key(s, reply, "sites", "key", s->sites, cause);
}

/* Add the points of one site; 0 or -1 with *cause. */
int
replica_snap_points(struct replica_snap *s, json_t *reply, char **cause)
{
	const char *site = json_string_value(json_object_get(reply, "site"));
	json_t *arr, *o, *pts;
	const char *k;
	size_t i;

	if (site == NULL) {
		*cause = xstrdup("the points snapshot has no \"site\"");
		return -1;
	}
	if ((arr = replica_snap_array(s, reply, "points", false, cause)) == NULL)
		return -1;
	pts = json_object();
	json_array_foreach(arr, i, o) {
		if ((k = json_string_value(json_object_get(o, "key"))) == NULL) {
			json_decref(pts);
			*cause = xasprintf("points[%zu] of %s has no \"key\"", i, site);
			return -1;
		}
		json_object_set(pts, k, o);
	}
	json_object_set_new(s->points, site, pts);
	return 0;
}

/* Replace the replica's content by the snapshot s, which is released. */
void
replica_load(struct replica *r, struct replica_snap *s)
{
	alarmset_free(r->alarms);
	json_decref(r->guards);
	json_decref(r->sites);
	json_decref(r->points);
	r->alarms = s->alarms;
	r->guards = s->guards;
	r->sites = s->sites;
	r->points = s->points;
	r->seq = s->seq > 0 ? s->seq : 0;
	r->loaded = true;
	r->changed = REPLICA_CHANGED_ALL;
	s->alarms = NULL;
	s->guards = s->sites = s->points = NULL;
	replica_snap_release(s);
}

/* alarm.created, alarm.updated: insert or replace, remove once closed. */
static int
replica_apply_alarm(struct replica *r, json_t *data, char **cause)
{
	struct alarm_rec *a = alarm_rec_parse(data, cause);

	if (a == NULL)
		return -1;
	if (a->state == ALARM_CLOSED) {
		alarmset_del(r->alarms, a->id);
		alarm_rec_unref(a);
	} else {
		alarmset_put(r->alarms, a);
	}
	r->changed |= REPLICA_CHANGED_ALARMS;
	return 0;
}

/* guard.updated: replace the guard. */
static int
replica_apply_guard(struct replica *r, json_t *data, char **cause)
{
	const char *callsign = json_string_value(json_object_get(data, "callsign"));

	if (callsign == NULL) {
		*cause = xstrdup("the guard has no callsign");
		return -1;
	}
	json_object_set(r->guards, callsign, data);
	r->changed |= REPLICA_CHANGED_GUARDS;
	return 0;
}

/*
 * Carry over how long a device has sent the very same fix, for a server
 * that does not say so itself: a later report with exactly the old latitude
 * and longitude keeps "same_since" (the time of the first of them) and
 * counts "same_count"; a GPS stuck on one fix while the guard is sent
 * somewhere shows as a growing count.
 */
static void
replica_same_fix(json_t *old, json_t *pos)
{
	json_t *since = json_object_get(old, "same_since");
	json_int_t count = json_integer_value(json_object_get(old, "same_count"));

	if (json_is_object(old) &&
	    json_number_value(json_object_get(old, "lat")) ==
	    json_number_value(json_object_get(pos, "lat")) &&
	    json_number_value(json_object_get(old, "lon")) ==
	    json_number_value(json_object_get(pos, "lon")) &&
	    !json_equal(json_object_get(old, "ts"), json_object_get(pos, "ts"))) {
		json_object_set(pos, "same_since", json_is_string(since) ? since :
		    json_object_get(old, "ts"));
		json_object_set_new(pos, "same_count", json_integer(count > 0 ? count + 1 : 2));
		return;
	}
	if (json_is_object(old) && json_equal(json_object_get(old, "ts"),
	    json_object_get(pos, "ts"))) {
		if (json_is_string(since))
			json_object_set(pos, "same_since", since);
		if (count > 0)
			json_object_set_new(pos, "same_count", json_integer(count));
	}
}

/* guard.position: give a copy of the guard its new position. */
static int
replica_apply_position(struct replica *r, json_t *data, char **cause)
{
	const char *callsign = json_string_value(json_object_get(data, "guard"));
	json_t *lat = json_object_get(data, "lat");
	json_t *lon = json_object_get(data, "lon");
	json_t *acc = json_object_get(data, "accuracy");
	json_t *ts = json_object_get(data, "ts");
	json_t *guard, *copy, *pos;

	if (callsign == NULL || !json_is_number(lat) || !json_is_number(lon) ||
	    !json_is_string(ts) || (acc != NULL && !json_is_number(acc) &&
	    !json_is_null(acc))) {
		*cause = xstrdup("the position has no guard, lat, lon or ts");
		return -1;
	}
	/* A guard this replica does not hold is not its concern. */
	if ((guard = json_object_get(r->guards, callsign)) == NULL)
		return 0;
	pos = json_pack("{s:O, s:O, s:O, s:O}", "lat", lat, "lon", lon,
	    "accuracy", acc != NULL ? acc : json_null(), "ts", ts);
	if (pos == NULL || (copy = json_copy(guard)) == NULL)
		fatal("replica: out of memory");
	/* The server counts repeated fixes; from an older one, count them here. */
	if (json_is_integer(json_object_get(data, "same_count"))) {
		json_object_set(pos, "same_count", json_object_get(data, "same_count"));
		if (json_is_string(json_object_get(data, "same_since")))
			json_object_set(pos, "same_since", json_object_get(data, "same_since"));
	} else
		replica_same_fix(json_object_get(guard, "position"), pos);
	json_object_set_new(copy, "position", pos);
	json_object_set_new(r->guards, callsign, copy);
	r->changed |= REPLICA_CHANGED_GUARDS;
	return 0;
}

/* point.state: give a copy of the point (of the message's site) its new state. */
static int
replica_apply_point(struct replica *r, json_t *msg, json_t *data, char **cause)
{
	const char *site = json_string_value(json_object_get(msg, "site"));
	const char *key = json_string_value(json_object_get(data, "point"));
	json_t *state = json_object_get(data, "state");
	json_t *since = json_object_get(data, "since");
	json_t *pts, *point, *copy;

	if (site == NULL || key == NULL || !json_is_string(state) ||
	    (since != NULL && !json_is_string(since) && !json_is_null(since))) {
		*cause = xstrdup("the point state has no site, point or state");
		return -1;
	}
	/* A point this replica does not hold is not its concern. */
	if ((pts = json_object_get(r->points, site)) == NULL ||
	    (point = json_object_get(pts, key)) == NULL)
		return 0;
	if ((copy = json_copy(point)) == NULL)
		fatal("replica: out of memory");
	json_object_set(copy, "state", state);
	json_object_set(copy, "state_since", since != NULL ? since : json_null());
	json_object_set_new(pts, key, copy);
	r->changed |= REPLICA_CHANGED_POINTS;
	return 0;
}

/* Apply one change message in seq order. */
enum replica_result
replica_apply(struct replica *r, json_t *msg, char **cause)
{
	json_t *jseq = json_object_get(msg, "seq");
	const char *type = json_string_value(json_object_get(msg, "type"));
	json_t *data = json_object_get(msg, "data");
	char *why = NULL;
	int64_t seq;
	int rc = 0;

	if (!json_is_integer(jseq) || json_integer_value(jseq) <= 0 ||
	    type == NULL) {
		*cause = xstrdup("a change message without seq or type");
		return REPLICA_BAD;
	}
	seq = json_integer_value(jseq);
	if (seq <= r->seq)
		return REPLICA_OLD;
	if (!r->scoped && seq != r->seq + 1) {
		*cause = xasprintf("expected seq %" PRId64 ", got %" PRId64,
		    r->seq + 1, seq);
		return REPLICA_GAP;
	}
	if (strcmp(type, "alarm.created") == 0 ||
	    strcmp(type, "alarm.updated") == 0)
		rc = replica_apply_alarm(r, data, &why);
	else if (strcmp(type, "guard.updated") == 0)
		rc = replica_apply_guard(r, data, &why);
	else if (strcmp(type, "guard.position") == 0)
		rc = replica_apply_position(r, data, &why);
	else if (strcmp(type, "point.state") == 0)
		rc = replica_apply_point(r, msg, data, &why);
	if (rc != 0) {
		*cause = xasprintf("seq %" PRId64 " (%s): %s", seq, type, why);
		free(why);
		return REPLICA_BAD;
	}
	r->seq = seq;
	return REPLICA_APPLIED;
}

/* The open alarm with this id, or NULL. */
struct alarm_rec *
replica_alarm(const struct replica *r, int64_t id)
{
	return alarmset_get(r->alarms, id);
}

/* The guard with this callsign, or NULL. */
json_t *
replica_guard(const struct replica *r, const char *callsign)
{
	return json_object_get(r->guards, callsign);
}

/* The point key of site, or NULL. */
json_t *
replica_point(const struct replica *r, const char *site, const char *key)
{
	return json_object_get(json_object_get(r->points, site), key);
}
