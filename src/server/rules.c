#include "compat.h"

#include "rules.h"
#include "store.h"

#define RULES_CACHE_SITES 256

/*
 * Site overrides, cached per site: one row per (point type, event type),
 * action -1 where the site keeps the default.
 */
struct rules_site {
	int64_t site_id;
	signed char action[POINT__COUNT][EVENT__COUNT];
	signed char priority[POINT__COUNT][EVENT__COUNT];
};

static struct rules_site rules_cache[RULES_CACHE_SITES];
static int rules_ncache;

/* The alarm type an event of type et raises. */
const char *
rules_alarm_type(enum event_type et)
{
	return et == EVENT_MOTION ? "intrusion" : event_type_name(et);
}

/* True for points that open and close: doors, windows, gates, barriers. */
static bool
rules_is_opening(enum point_type pt)
{
	return pt == POINT_DOOR || pt == POINT_WINDOW || pt == POINT_GATE ||
	    pt == POINT_BARRIER;
}

/*
 * The compiled-in rule.  Priorities follow control-room practice: 1 fire,
 * 2 panic, 3 water, 4 intrusion and tamper, 5-6 doors held and equipment,
 * 8 batteries.
 */
struct rule
rules_default(enum point_type pt, enum event_type et)
{
	struct rule r = { RULE_SIGNAL, 0, NULL };

	switch (et) {
	case EVENT_HEARTBEAT:
		r.action = RULE_IGNORE;
		return r;
	case EVENT_FIRE:
		r.action = RULE_ALARM, r.priority = 1;
		break;
	case EVENT_PANIC:
		r.action = RULE_ALARM, r.priority = 2;
		break;
	case EVENT_WATER_LEAK:
		r.action = RULE_ALARM, r.priority = 3;
		break;
	case EVENT_FORCED:
		if (rules_is_opening(pt))
			r.action = RULE_ALARM, r.priority = 4;
		break;
	case EVENT_TAMPER:
		r.action = RULE_ALARM, r.priority = 4;
		break;
	case EVENT_HELD_OPEN:
		if (rules_is_opening(pt))
			r.action = RULE_ALARM, r.priority = 5;
		break;
	case EVENT_FAULT:
		r.action = RULE_ALARM, r.priority = 6;
		break;
	case EVENT_LOW_BATTERY:
		r.action = RULE_ALARM, r.priority = 8;
		break;
	default:
		/* open, close, motion, access granted/denied, restore */
		break;
	}
	if (r.action == RULE_ALARM)
		r.alarm_type = rules_alarm_type(et);
	return r;
}

/* Forget cached site overrides (after another process changed them). */
void
rules_invalidate(void)
{
	rules_ncache = 0;
}

/* Load the overrides of site_id into a cache slot. */
static struct rules_site *
rules_load(struct store *st, int64_t site_id)
{
	static const char sql[] =
	    "SELECT point_type, event_type, action, priority FROM rules WHERE site_id = ?";
	struct rules_site *rs;
	sqlite3_stmt *s;

	if (rules_ncache == RULES_CACHE_SITES)
		rules_ncache = 0;
	rs = &rules_cache[rules_ncache++];
	rs->site_id = site_id;
	memset(rs->action, -1, sizeof rs->action);
	memset(rs->priority, 0, sizeof rs->priority);
	s = store_stmt(st, sql);
	store_bind_int(s, 1, site_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int pt = point_type_parse(store_col_text(s, 0));
		int et = event_type_parse(store_col_text(s, 1));
		int act = rule_action_parse(store_col_text(s, 2));

		if (pt < 0 || et < 0 || act < 0)
			continue;
		rs->action[pt][et] = (signed char)act;
		rs->priority[pt][et] = (signed char)sqlite3_column_int(s, 3);
	}
	sqlite3_reset(s);
	return rs;
}

/* The rule in force at site_id (its override, else the default). */
struct rule
rules_lookup(struct store *st, int64_t site_id, enum point_type pt,
    enum event_type et)
{
	struct rules_site *rs = NULL;
	struct rule r = rules_default(pt, et);

	for (int i = 0; i < rules_ncache; i++)
		if (rules_cache[i].site_id == site_id)
			rs = &rules_cache[i];
	if (rs == NULL)
		rs = rules_load(st, site_id);
	if (rs->action[pt][et] < 0)
		return r;
	r.action = (enum rule_action)rs->action[pt][et];
	if (r.action == RULE_ALARM) {
		r.priority = rs->priority[pt][et];
		if (r.priority < LIMIT_PRIORITY_MIN || r.priority > LIMIT_PRIORITY_MAX)
			r.priority = LIMIT_PRIORITY_MAX;
		r.alarm_type = rules_alarm_type(et);
	} else {
		r.priority = 0;
		r.alarm_type = NULL;
	}
	return r;
}
