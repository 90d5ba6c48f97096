#include "compat.h"

#include "model.h"

static const char *const role_names[ROLE__COUNT] = {
	"admin", "supervisor", "dispatcher", "manager", "guard",
};
static const char *const point_type_names[POINT__COUNT] = {
	"door", "window", "motion", "water", "equipment", "gate", "barrier",
	"smoke", "panic",
};
static const char *const event_type_names[EVENT__COUNT] = {
	"open", "close", "forced", "held_open", "motion", "water_leak",
	"tamper", "fault", "low_battery", "access_granted", "access_denied",
	"heartbeat", "fire", "panic", "restore",
};
static const char *const alarm_state_names[ALARM__COUNT] = {
	"new", "acknowledged", "assigned", "closed",
};
static const char *const guard_status_names[GUARD__COUNT] = {
	"off_duty", "available", "dispatched", "on_scene",
};
static const char *const resolution_names[RESOLUTION__COUNT] = {
	"genuine", "false_alarm", "test", "technical_fault",
};
static const char *const rule_action_names[RULE__COUNT] = {
	"ignore", "signal", "alarm",
};

/* Index of s in names[0..n), or -1. */
static int
model_lookup(const char *const *names, int n, const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/* Name at index i of names[0..n), or "?" when out of range. */
static const char *
model_name(const char *const *names, int n, int i)
{
	return i >= 0 && i < n ? names[i] : "?";
}

#define MODEL_ENUM(prefix, type, names, count)                              \
	const char *prefix##_name(type v)                                   \
	{                                                                   \
		return model_name(names, count, (int)v);                    \
	}                                                                   \
	int prefix##_parse(const char *s)                                   \
	{                                                                   \
		return model_lookup(names, count, s);                       \
	}

MODEL_ENUM(role, enum role, role_names, ROLE__COUNT)
MODEL_ENUM(point_type, enum point_type, point_type_names, POINT__COUNT)
MODEL_ENUM(event_type, enum event_type, event_type_names, EVENT__COUNT)
MODEL_ENUM(alarm_state, enum alarm_state, alarm_state_names, ALARM__COUNT)
MODEL_ENUM(guard_status, enum guard_status, guard_status_names, GUARD__COUNT)
MODEL_ENUM(resolution, enum resolution, resolution_names, RESOLUTION__COUNT)
MODEL_ENUM(rule_action, enum rule_action, rule_action_names, RULE__COUNT)
