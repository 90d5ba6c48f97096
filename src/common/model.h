/*
 * model.h: the kinds and states of vigil's domain, and their wire names.
 *
 * Every enum here has a table of names; the names are what the protocol, the
 * database and the site files use, so they never change once released.
 */
#ifndef VIGIL_MODEL_H
#define VIGIL_MODEL_H

enum role {
	ROLE_ADMIN,
	ROLE_SUPERVISOR,
	ROLE_DISPATCHER,
	ROLE_MANAGER,
	ROLE_GUARD,
	ROLE__COUNT
};

enum point_type {
	POINT_DOOR,
	POINT_WINDOW,
	POINT_MOTION,
	POINT_WATER,
	POINT_EQUIPMENT,
	POINT_GATE,
	POINT_BARRIER,
	POINT_SMOKE,
	POINT_PANIC,
	POINT__COUNT
};

enum event_type {
	EVENT_OPEN,
	EVENT_CLOSE,
	EVENT_FORCED,
	EVENT_HELD_OPEN,
	EVENT_MOTION,
	EVENT_WATER_LEAK,
	EVENT_TAMPER,
	EVENT_FAULT,
	EVENT_LOW_BATTERY,
	EVENT_ACCESS_GRANTED,
	EVENT_ACCESS_DENIED,
	EVENT_HEARTBEAT,
	EVENT_FIRE,
	EVENT_PANIC,
	EVENT_RESTORE,
	EVENT__COUNT
};

enum alarm_state {
	ALARM_NEW,
	ALARM_ACKNOWLEDGED,
	ALARM_ASSIGNED,
	ALARM_CLOSED,
	ALARM__COUNT
};

enum guard_status {
	GUARD_OFF_DUTY,
	GUARD_AVAILABLE,
	GUARD_DISPATCHED,
	GUARD_ON_SCENE,
	GUARD__COUNT
};

enum resolution {
	RESOLUTION_GENUINE,
	RESOLUTION_FALSE_ALARM,
	RESOLUTION_TEST,
	RESOLUTION_TECHNICAL_FAULT,
	RESOLUTION__COUNT
};

/* What the rules make of an event. */
enum rule_action {
	RULE_IGNORE,  /* stored for de-duplication, nothing else */
	RULE_SIGNAL,  /* logged on the site's activity */
	RULE_ALARM,   /* needs a person: opens or groups into an alarm */
	RULE__COUNT
};

/* Wire name of each value; NULL-safe lookups return -1 for unknown names. */
const char *role_name(enum role r);
int role_parse(const char *s);
const char *point_type_name(enum point_type t);
int point_type_parse(const char *s);
const char *event_type_name(enum event_type t);
int event_type_parse(const char *s);
const char *alarm_state_name(enum alarm_state s);
int alarm_state_parse(const char *s);
const char *guard_status_name(enum guard_status s);
int guard_status_parse(const char *s);
const char *resolution_name(enum resolution r);
int resolution_parse(const char *s);
const char *rule_action_name(enum rule_action a);
int rule_action_parse(const char *s);

#endif
