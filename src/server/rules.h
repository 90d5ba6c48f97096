/*
 * rules.h: what an event means, by point type and event type.
 *
 * A compiled-in table gives every (point type, event type) an action (ignore,
 * signal, alarm) and, for alarms, a priority and the alarm's type.  A site
 * may override entries ([rules] in its site file, the rules table).
 */
#ifndef VIGIL_RULES_H
#define VIGIL_RULES_H

#include <stdint.h>

#include "model.h"

struct store;

struct rule {
	enum rule_action action;
	int priority;            /* for RULE_ALARM: 1 = highest */
	const char *alarm_type;  /* for RULE_ALARM */
};

/* The compiled-in rule for a point type and event type. */
struct rule rules_default(enum point_type pt, enum event_type et);
/* The rule in force at site_id (its override, else the default). */
struct rule rules_lookup(struct store *st, int64_t site_id, enum point_type pt,
    enum event_type et);
/* Forget cached site overrides (after another process changed them). */
void rules_invalidate(void);
/* The alarm type an event of type et raises. */
const char *rules_alarm_type(enum event_type et);

#endif
