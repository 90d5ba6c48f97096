/* test_client_replica.c: the client's replica: snapshots, messages in order, gaps, resync. */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "replica.h"

/* Parse JSON text written in a test; fails the test when it is not JSON. */
static json_t *
js(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &e);

	if (v == NULL)
		fail_msg("bad test JSON: %s: %s", e.text, text);
	return v;
}

/* Apply one message given as text; the result, *cause freed. */
static enum replica_result
apply(struct replica *r, const char *text)
{
	json_t *msg = js(text);
	char *cause = NULL;
	enum replica_result res;

	res = replica_apply(r, msg, &cause);
	if (res == REPLICA_GAP || res == REPLICA_BAD)
		assert_non_null(cause);
	free(cause);
	json_decref(msg);
	return res;
}

/* The state of open alarm id in the replica, or NULL when it is not there. */
static const char *
alarm_state(struct replica *r, int64_t id)
{
	struct alarm_rec *a = replica_alarm(r, id);

	return a != NULL ? alarm_state_name(a->state) : NULL;
}

/* Load a snapshot of two open alarms (one closed left out), two guards, a site. */
static void
load_base(struct replica *r)
{
	struct replica_snap snap;
	json_t *alarms, *guards, *sites, *points;
	char *cause = NULL;
	int64_t last = -1;

	replica_snap_init(&snap);
	alarms = js("{\"alarms\":["
	    "{\"id\":3,\"site\":\"testyard\",\"state\":\"new\",\"version\":1},"
	    "{\"id\":5,\"site\":\"testyard\",\"state\":\"acknowledged\",\"version\":2},"
	    "{\"id\":7,\"site\":\"testyard\",\"state\":\"closed\",\"version\":4}],"
	    "\"seq\":12}");
	guards = js("{\"guards\":["
	    "{\"callsign\":\"T1\",\"status\":\"available\",\"position\":null},"
	    "{\"callsign\":\"T2\",\"status\":\"off_duty\",\"position\":null}],"
	    "\"seq\":10}");
	sites = js("{\"sites\":[{\"key\":\"testyard\",\"name\":\"Test Yard\"}],"
	    "\"seq\":11}");
	points = js("{\"site\":\"testyard\",\"points\":["
	    "{\"key\":\"a-door\",\"type\":\"door\",\"state\":\"closed\"}]}");
	assert_int_equal(replica_snap_alarms(&snap, alarms, &last, &cause), 3);
	assert_int_equal(last, 7);
	assert_int_equal(replica_snap_guards(&snap, guards, &cause), 0);
	assert_int_equal(replica_snap_sites(&snap, sites, &cause), 0);
	assert_int_equal(replica_snap_points(&snap, points, &cause), 0);
	assert_null(cause);
	/* Replies taken at different moments: the lowest seq is the snapshot's. */
	assert_int_equal(snap.seq, 10);
	replica_load(r, &snap);
	json_decref(alarms);
	json_decref(guards);
	json_decref(sites);
	json_decref(points);
}

/* A snapshot fills the replica; closed alarms are left out. */
static void
test_snapshot(void **state)
{
	struct replica r;

	replica_init(&r);
	assert_false(r.loaded);
	load_base(&r);
	assert_true(r.loaded);
	assert_int_equal(r.seq, 10);
	assert_int_equal(r.changed, REPLICA_CHANGED_ALL);
	assert_int_equal((int)alarmset_count(r.alarms), 2);
	assert_string_equal(alarm_state(&r, 3), "new");
	assert_string_equal(alarm_state(&r, 5), "acknowledged");
	assert_null(replica_alarm(&r, 7));
	assert_non_null(replica_guard(&r, "T1"));
	assert_non_null(replica_point(&r, "testyard", "a-door"));
	assert_null(replica_point(&r, "testyard", "nowhere"));
	assert_null(replica_point(&r, "elsewhere", "a-door"));
	replica_release(&r);
}

/* Snapshot replies of the wrong shape are refused with a reason. */
static void
test_snapshot_malformed(void **state)
{
	struct replica_snap snap;
	char *cause = NULL;
	int64_t last;
	json_t *v;

	replica_snap_init(&snap);
	v = js("{\"alarms\":[{\"id\":1,\"state\":\"new\"}]}");
	assert_int_equal(replica_snap_alarms(&snap, v, &last, &cause), -1);
	assert_non_null(strstr(cause, "seq"));
	free(cause);
	cause = NULL;
	json_decref(v);
	v = js("{\"alarms\":[{\"state\":\"new\"}],\"seq\":4}");
	assert_int_equal(replica_snap_alarms(&snap, v, &last, &cause), -1);
	assert_non_null(strstr(cause, "alarms[0]"));
	free(cause);
	cause = NULL;
	json_decref(v);
	v = js("{\"guards\":[{\"name\":\"x\"}],\"seq\":4}");
	assert_int_equal(replica_snap_guards(&snap, v, &cause), -1);
	assert_non_null(strstr(cause, "callsign"));
	free(cause);
	json_decref(v);
	replica_snap_release(&snap);
}

/* Messages in order insert, replace and (once closed) remove alarms. */
static void
test_apply_in_order(void **state)
{
	struct replica r;

	replica_init(&r);
	load_base(&r);
	r.changed = 0;
	assert_int_equal(apply(&r, "{\"seq\":11,\"type\":\"alarm.created\","
	    "\"site\":\"testyard\",\"data\":{\"id\":9,\"state\":\"new\","
	    "\"version\":1}}"), REPLICA_APPLIED);
	assert_string_equal(alarm_state(&r, 9), "new");
	assert_int_equal(r.changed, REPLICA_CHANGED_ALARMS);
	assert_int_equal(apply(&r, "{\"seq\":12,\"type\":\"alarm.updated\","
	    "\"site\":\"testyard\",\"data\":{\"id\":9,\"state\":\"assigned\","
	    "\"version\":2}}"), REPLICA_APPLIED);
	assert_string_equal(alarm_state(&r, 9), "assigned");
	assert_int_equal(apply(&r, "{\"seq\":13,\"type\":\"alarm.updated\","
	    "\"site\":\"testyard\",\"data\":{\"id\":3,\"state\":\"closed\","
	    "\"version\":2}}"), REPLICA_APPLIED);
	assert_null(replica_alarm(&r, 3));
	assert_int_equal((int)alarmset_count(r.alarms), 2);
	/* A reopened alarm comes back. */
	assert_int_equal(apply(&r, "{\"seq\":14,\"type\":\"alarm.updated\","
	    "\"site\":\"testyard\",\"data\":{\"id\":3,\"state\":\"acknowledged\","
	    "\"version\":3}}"), REPLICA_APPLIED);
	assert_string_equal(alarm_state(&r, 3), "acknowledged");
	r.changed = 0;
	assert_int_equal(apply(&r, "{\"seq\":15,\"type\":\"guard.updated\","
	    "\"site\":\"testyard\",\"data\":{\"callsign\":\"T2\","
	    "\"status\":\"available\",\"position\":null}}"), REPLICA_APPLIED);
	assert_string_equal(json_string_value(json_object_get(
	    replica_guard(&r, "T2"), "status")), "available");
	assert_int_equal(r.changed, REPLICA_CHANGED_GUARDS);
	assert_int_equal(r.seq, 15);
	replica_release(&r);
}

/* A position moves a guard without touching the object it replaced. */
static void
test_apply_position(void **state)
{
	struct replica r;
	json_t *before, *pos;

	replica_init(&r);
	load_base(&r);
	before = json_incref(replica_guard(&r, "T1"));
	assert_int_equal(apply(&r, "{\"seq\":11,\"type\":\"guard.position\","
	    "\"site\":\"testyard\",\"data\":{\"guard\":\"T1\",\"lat\":53.795,"
	    "\"lon\":-1.541,\"accuracy\":8.0,\"ts\":\"2026-11-21T23:01:02.345Z\"}}"),
	    REPLICA_APPLIED);
	pos = json_object_get(replica_guard(&r, "T1"), "position");
	assert_true(json_is_object(pos));
	assert_true(json_real_value(json_object_get(pos, "lat")) == 53.795);
	assert_string_equal(json_string_value(json_object_get(pos, "ts")),
	    "2026-11-21T23:01:02.345Z");
	assert_string_equal(json_string_value(json_object_get(
	    replica_guard(&r, "T1"), "status")), "available");
	/* Objects are shared read-only: the old one is as it was. */
	assert_true(json_is_null(json_object_get(before, "position")));
	json_decref(before);
	/* A guard this replica does not hold: counted, nothing else. */
	assert_int_equal(apply(&r, "{\"seq\":12,\"type\":\"guard.position\","
	    "\"site\":null,\"data\":{\"guard\":\"Z9\",\"lat\":1,\"lon\":2,"
	    "\"accuracy\":null,\"ts\":\"2026-11-21T23:01:02.345Z\"}}"),
	    REPLICA_APPLIED);
	assert_null(replica_guard(&r, "Z9"));
	assert_int_equal(r.seq, 12);
	replica_release(&r);
}

/* The same fix reported again and again is counted from its first report. */
static void
test_apply_same_fix(void **state)
{
	struct replica r;
	json_t *pos;
	char msg[512];

	replica_init(&r);
	load_base(&r);
	for (int i = 0; i < 4; i++) {
		snprintf(msg, sizeof msg, "{\"seq\":%d,\"type\":\"guard.position\","
		    "\"site\":\"testyard\",\"data\":{\"guard\":\"T1\",\"lat\":53.795,"
		    "\"lon\":-1.541,\"accuracy\":5.0,\"ts\":\"2026-11-21T23:01:0%d.000Z\"}}",
		    11 + i, i);
		assert_int_equal(apply(&r, msg), REPLICA_APPLIED);
	}
	pos = json_object_get(replica_guard(&r, "T1"), "position");
	assert_int_equal(json_integer_value(json_object_get(pos, "same_count")), 4);
	assert_string_equal(json_string_value(json_object_get(pos, "same_since")),
	    "2026-11-21T23:01:00.000Z");
	/* A move starts again. */
	assert_int_equal(apply(&r, "{\"seq\":15,\"type\":\"guard.position\","
	    "\"site\":\"testyard\",\"data\":{\"guard\":\"T1\",\"lat\":53.7951,"
	    "\"lon\":-1.541,\"accuracy\":5.0,\"ts\":\"2026-11-21T23:01:05.000Z\"}}"),
	    REPLICA_APPLIED);
	pos = json_object_get(replica_guard(&r, "T1"), "position");
	assert_null(json_object_get(pos, "same_count"));
	replica_release(&r);
}

/* A point's state changes in a copy of the point; other sites' points are untouched. */
static void
test_apply_point_state(void **state)
{
	struct replica r;
	json_t *before, *pt;

	replica_init(&r);
	load_base(&r);
	before = json_incref(replica_point(&r, "testyard", "a-door"));
	r.changed = 0;
	assert_int_equal(apply(&r, "{\"seq\":11,\"type\":\"point.state\","
	    "\"site\":\"testyard\",\"data\":{\"point\":\"a-door\","
	    "\"state\":\"open\",\"since\":\"2026-11-21T23:01:02.345Z\","
	    "\"event\":\"open\"}}"), REPLICA_APPLIED);
	pt = replica_point(&r, "testyard", "a-door");
	assert_string_equal(json_string_value(json_object_get(pt, "state")), "open");
	assert_string_equal(json_string_value(json_object_get(pt, "state_since")),
	    "2026-11-21T23:01:02.345Z");
	assert_string_equal(json_string_value(json_object_get(pt, "type")), "door");
	assert_string_equal(json_string_value(json_object_get(before, "state")),
	    "closed");
	assert_int_equal(r.changed, REPLICA_CHANGED_POINTS);
	json_decref(before);
	/* A point of a site the replica does not hold: counted, nothing else. */
	assert_int_equal(apply(&r, "{\"seq\":12,\"type\":\"point.state\","
	    "\"site\":\"harbour\",\"data\":{\"point\":\"a-door\","
	    "\"state\":\"open\",\"since\":null}}"), REPLICA_APPLIED);
	assert_null(replica_point(&r, "harbour", "a-door"));
	/* Without its site or state: BAD. */
	assert_int_equal(apply(&r, "{\"seq\":13,\"type\":\"point.state\","
	    "\"site\":null,\"data\":{\"point\":\"a-door\",\"state\":\"open\"}}"),
	    REPLICA_BAD);
	assert_int_equal(r.seq, 12);
	replica_release(&r);
}

/* Unscoped: a missing seq is a gap, nothing is applied; a repeat is ignored. */
static void
test_gap(void **state)
{
	struct replica r;

	replica_init(&r);
	load_base(&r);
	assert_int_equal(apply(&r, "{\"seq\":12,\"type\":\"alarm.created\","
	    "\"site\":\"testyard\",\"data\":{\"id\":9,\"state\":\"new\"}}"),
	    REPLICA_GAP);
	assert_null(replica_alarm(&r, 9));
	assert_int_equal(r.seq, 10);
	assert_int_equal(apply(&r, "{\"seq\":11,\"type\":\"alarm.created\","
	    "\"site\":\"testyard\",\"data\":{\"id\":9,\"state\":\"new\"}}"),
	    REPLICA_APPLIED);
	/* The same message again, and an older one: ignored. */
	assert_int_equal(apply(&r, "{\"seq\":11,\"type\":\"alarm.updated\","
	    "\"site\":\"testyard\",\"data\":{\"id\":9,\"state\":\"closed\"}}"),
	    REPLICA_OLD);
	assert_int_equal(apply(&r, "{\"seq\":4,\"type\":\"alarm.updated\","
	    "\"site\":\"testyard\",\"data\":{\"id\":9,\"state\":\"closed\"}}"),
	    REPLICA_OLD);
	assert_string_equal(alarm_state(&r, 9), "new");
	assert_int_equal(r.seq, 11);
	replica_release(&r);
}

/* Scoped: holes are expected, but seqs must still increase. */
static void
test_scoped(void **state)
{
	struct replica r;

	replica_init(&r);
	load_base(&r);
	r.scoped = true;
	assert_int_equal(apply(&r, "{\"seq\":25,\"type\":\"alarm.created\","
	    "\"site\":\"testyard\",\"data\":{\"id\":9,\"state\":\"new\"}}"),
	    REPLICA_APPLIED);
	assert_int_equal(apply(&r, "{\"seq\":40,\"type\":\"alarm.updated\","
	    "\"site\":\"testyard\",\"data\":{\"id\":9,\"state\":\"acknowledged\"}}"),
	    REPLICA_APPLIED);
	assert_int_equal(apply(&r, "{\"seq\":30,\"type\":\"alarm.updated\","
	    "\"site\":\"testyard\",\"data\":{\"id\":9,\"state\":\"new\"}}"),
	    REPLICA_OLD);
	assert_string_equal(alarm_state(&r, 9), "acknowledged");
	assert_int_equal(r.seq, 40);
	replica_release(&r);
}

/* Types the replica does not know are not applied, but their seq counts. */
static void
test_unknown_types(void **state)
{
	struct replica r;

	replica_init(&r);
	load_base(&r);
	r.changed = 0;
	assert_int_equal(apply(&r, "{\"seq\":11,\"type\":\"gateway.state\","
	    "\"site\":\"testyard\",\"data\":{\"whatever\":[1,2]}}"),
	    REPLICA_APPLIED);
	assert_int_equal(apply(&r, "{\"seq\":12,\"type\":\"gateway.line_fault\","
	    "\"site\":\"testyard\",\"data\":null}"), REPLICA_APPLIED);
	assert_int_equal(apply(&r, "{\"seq\":13,\"type\":\"alarm.note\","
	    "\"site\":\"testyard\",\"data\":{\"alarm\":3,\"note\":{}}}"),
	    REPLICA_APPLIED);
	assert_int_equal(r.seq, 13);
	assert_int_equal(r.changed, 0);
	/* And the next known one must follow them. */
	assert_int_equal(apply(&r, "{\"seq\":15,\"type\":\"alarm.created\","
	    "\"site\":\"testyard\",\"data\":{\"id\":9,\"state\":\"new\"}}"),
	    REPLICA_GAP);
	replica_release(&r);
}

/* A known type with data not as expected is BAD and not counted. */
static void
test_bad(void **state)
{
	struct replica r;

	replica_init(&r);
	load_base(&r);
	assert_int_equal(apply(&r, "{\"seq\":11,\"type\":\"alarm.updated\","
	    "\"site\":\"testyard\",\"data\":{\"state\":\"new\"}}"), REPLICA_BAD);
	assert_int_equal(apply(&r, "{\"seq\":11,\"type\":\"guard.updated\","
	    "\"site\":\"testyard\",\"data\":{\"status\":\"available\"}}"),
	    REPLICA_BAD);
	assert_int_equal(apply(&r, "{\"seq\":11,\"type\":\"guard.position\","
	    "\"site\":\"testyard\",\"data\":{\"guard\":\"T1\",\"lat\":\"x\"}}"),
	    REPLICA_BAD);
	assert_int_equal(apply(&r, "{\"type\":\"alarm.updated\",\"data\":{}}"),
	    REPLICA_BAD);
	assert_int_equal(apply(&r, "{\"seq\":11,\"data\":{}}"), REPLICA_BAD);
	assert_int_equal(r.seq, 10);
	replica_release(&r);
}

/* After a resync a fresh snapshot replaces everything, and messages follow it. */
static void
test_resync(void **state)
{
	struct replica r;
	struct replica_snap snap;
	char *cause = NULL;
	int64_t last;
	json_t *alarms, *guards;

	replica_init(&r);
	load_base(&r);
	assert_int_equal(apply(&r, "{\"seq\":12,\"type\":\"alarm.created\","
	    "\"site\":\"testyard\",\"data\":{\"id\":9,\"state\":\"new\"}}"),
	    REPLICA_GAP);

	replica_snap_init(&snap);
	alarms = js("{\"alarms\":[{\"id\":9,\"state\":\"assigned\"},"
	    "{\"id\":11,\"state\":\"new\"}],\"seq\":500}");
	guards = js("{\"guards\":[{\"callsign\":\"T1\",\"status\":\"dispatched\"}],"
	    "\"seq\":501}");
	assert_int_equal(replica_snap_alarms(&snap, alarms, &last, &cause), 2);
	assert_int_equal(last, 11);
	assert_int_equal(replica_snap_guards(&snap, guards, &cause), 0);
	r.changed = 0;
	replica_load(&r, &snap);
	json_decref(alarms);
	json_decref(guards);

	assert_int_equal(r.seq, 500);
	assert_int_equal(r.changed, REPLICA_CHANGED_ALL);
	assert_null(replica_alarm(&r, 3));
	assert_null(replica_alarm(&r, 5));
	assert_string_equal(alarm_state(&r, 9), "assigned");
	assert_null(replica_guard(&r, "T2"));
	assert_null(replica_point(&r, "testyard", "a-door"));
	/* Replaying from the lowest seq: 501 is applied again, harmlessly. */
	assert_int_equal(apply(&r, "{\"seq\":501,\"type\":\"guard.updated\","
	    "\"site\":\"testyard\",\"data\":{\"callsign\":\"T1\","
	    "\"status\":\"dispatched\"}}"), REPLICA_APPLIED);
	assert_int_equal(apply(&r, "{\"seq\":502,\"type\":\"alarm.updated\","
	    "\"site\":\"testyard\",\"data\":{\"id\":11,\"state\":\"closed\"}}"),
	    REPLICA_APPLIED);
	assert_null(replica_alarm(&r, 11));
	assert_int_equal(r.seq, 502);
	replica_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_snapshot_malformed),
		cmocka_unit_test(test_apply_in_order),
		cmocka_unit_test(test_apply_position),
		cmocka_unit_test(test_apply_same_fix),
		cmocka_unit_test(test_apply_point_state),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_scoped),
		cmocka_unit_test(test_unknown_types),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_resync),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
