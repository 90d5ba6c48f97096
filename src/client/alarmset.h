/*
 * alarmset.h: the open alarms a client holds, compactly.
 *
 * A console may hold a hundred thousand open alarms; as JSON objects they
 * would take some 3.6 KB each.  Here each is a record of numbers and
 * pointers to interned strings (a site's key and name, a point's label,
 * a guard's callsign recur across alarms), some 200 bytes, in a hash map by
 * id.  Records are reference-counted, so a view may keep one after the set
 * replaced it; interned strings live as long as the process.
 *
 *	struct alarmset *set = alarmset_new();
 *	struct alarm_rec *a = alarm_rec_parse(json_alarm, &cause);
 *	alarmset_put(set, a);                  (takes the reference)
 *	for (size_t it = 0; (a = alarmset_next(set, &it)) != NULL; ) ...
 *	json_t *j = alarm_rec_json(a);         (as the API shows it)
 *	alarmset_free(set);
 */
#ifndef VIGIL_ALARMSET_H
#define VIGIL_ALARMSET_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "model.h"

struct alarm_rec {
	int refs;
	int64_t id;
	int64_t version;
	int64_t count;
	int priority;
	enum alarm_state state;
	/* Times in ms since the epoch; 0 when the API says null. */
	int64_t created_ms, updated_ms, last_event_ms, acked_ms, assigned_ms, closed_ms;
	/* Interned (compare by value or pointer); NULL when the API says null. */
	const char *site, *site_name, *point, *point_label, *point_type, *gateway;
	const char *type, *acked_by, *assigned_by, *guard, *closed_by, *resolution;
	char *resolution_note;   /* owned; NULL when none */
};

struct alarmset;

/* An empty set. */
struct alarmset *alarmset_new(void);
/* Drop the set's references and free it. */
void alarmset_free(struct alarmset *set);
/* Put a (new or newer) record in, taking its reference; replaces one of its id. */
void alarmset_put(struct alarmset *set, struct alarm_rec *a);
/* Remove the record of id, if there is one. */
void alarmset_del(struct alarmset *set, int64_t id);
/* The record of id, or NULL (borrowed). */
struct alarm_rec *alarmset_get(const struct alarmset *set, int64_t id);
/* Number of records. */
size_t alarmset_count(const struct alarmset *set);
/* Iterate: start with *iter = 0; NULL at the end.  No put or del meanwhile. */
struct alarm_rec *alarmset_next(const struct alarmset *set, size_t *iter);

/*
 * A record from an alarm as the API shows it (GET /api/v1/alarms, or the
 * data of alarm.created / alarm.updated); NULL with *cause when it has no
 * id, a bad state or priority, or a time that is not ISO 8601.
 */
struct alarm_rec *alarm_rec_parse(json_t *alarm, char **cause);
/* The alarm as the API shows it (a new reference). */
json_t *alarm_rec_json(const struct alarm_rec *a);
/* Take a reference. */
struct alarm_rec *alarm_rec_ref(struct alarm_rec *a);
/* Drop a reference; frees at zero. */
void alarm_rec_unref(struct alarm_rec *a);

/* The one copy of s (for pointer comparison and sharing); NULL for NULL. */
const char *alarmset_intern(const char *s);

#endif
