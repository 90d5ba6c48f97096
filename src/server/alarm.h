/*
 * alarm.h: alarms, their state machine and their records.
 *
 * States: new -> acknowledged -> assigned -> closed; assigned goes back to
 * acknowledged when the guard is released; a supervisor (or admin) reopens a
 * closed alarm into acknowledged.  Every transition names the version the
 * operator saw; another version is a conflict.  Grouping (count) and notes do
 * not change the version: they never invalidate what an operator decided.
 */
#ifndef VIGIL_ALARM_H
#define VIGIL_ALARM_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "model.h"

struct server;
struct principal;

enum alarm_action {
	ALARM_ACT_ACK,
	ALARM_ACT_ASSIGN,
	ALARM_ACT_RELEASE,
	ALARM_ACT_CLOSE,
	ALARM_ACT_REOPEN,
	ALARM_ACT__COUNT
};

/* What made an alarm: an event from a gateway, or the system itself. */
struct alarm_cause {
	int64_t site_id;
	int64_t point_id;      /* 0 for a gateway-level alarm (line fault) */
	int64_t gateway_id;
	const char *type;      /* alarm type: forced, held_open, line_fault, ... */
	int priority;          /* 1 = highest */
	int64_t event_id;      /* events.id, or 0 */
	int64_t event_ms;      /* time at the sensor */
	const char *actor_type; /* gateway or system */
	const char *actor;     /* gateway key or "vigild" */
	const char *source;
};

/*
 * Pure transition check: may an alarm in state `from` take `act`?  Returns the
 * state it ends in, or -1 when the transition is not allowed.
 */
int alarm_transition(enum alarm_state from, enum alarm_action act);

/*
 * Raise an alarm for cause, or group it into the open alarm of the same point
 * (or gateway) and type, raising its count.  Inside the caller's transaction;
 * writes the stream message and the audit entry.  Returns the alarm id (and
 * *grouped), or -1 on a store error.
 */
int64_t alarm_raise(struct server *srv, const struct alarm_cause *cause,
    bool *grouped, int64_t now_ms);

/*
 * Close the open alarm of gateway_id and type as the system (e.g. a line
 * fault cleared when the gateway reports again).  Inside the caller's
 * transaction.  Returns the alarm id, 0 when none was open, -1 on error.
 */
int64_t alarm_clear_system(struct server *srv, int64_t gateway_id,
    const char *type, const char *note, int64_t now_ms);

/* One alarm as the API shows it, or NULL when there is none with that id. */
json_t *alarm_json_by_id(struct server *srv, int64_t id);

struct audit_actor;
/* Add "same_since" and "same_count" to a position whose fix came count times in a row. */
void alarm_same_fix(json_t *pos, int64_t since_ms, int64_t count);
/* A guard as the API shows it ({callsign,name,site,status,status_since,position,alarms}), or NULL. */
json_t *alarm_guard_json(struct server *srv, int64_t guard_id);
/* Set a guard's status (stream guard.updated, audit guard.status); 1 changed, 0 same, -1 error. */
int alarm_guard_set_status(struct server *srv, int64_t guard_id, enum guard_status to,
    const struct audit_actor *who, int64_t alarm_id, int64_t now_ms);
/* Make a guard available again unless it still has assigned alarms; 1, 0 or -1. */
int alarm_guard_settle(struct server *srv, int64_t guard_id,
    const struct audit_actor *who, int64_t alarm_id, int64_t now_ms);

#endif
