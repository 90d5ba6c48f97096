/*
 * test_alarmset: the compact set of open alarms: put, get, delete (with
 * the collisions of many ids), iteration, references, and records that read
 * back exactly as the API wrote them.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>

#include "alarmset.h"

/* A record of id with a site and a priority, as a parse would make it. */
static struct alarm_rec *
rec(int64_t id)
{
	char text[256];
	json_t *j;
	struct alarm_rec *a;
	char *cause = NULL;

	snprintf(text, sizeof text, "{\"id\":%" PRId64 ",\"state\":\"new\",\"priority\":%d,"
	    "\"version\":1,\"count\":1,\"site\":\"s%d\",\"created\":\"2026-11-21T23:00:00.000Z\"}",
	    id, (int)(id % 9) + 1, (int)(id % 3));
	j = json_loads(text, 0, NULL);
	a = alarm_rec_parse(j, &cause);
	json_decref(j);
	assert_non_null(a);
	return a;
}

/* Thousands of ids in, half out, the rest still found; counts and iteration agree. */
static void
test_put_get_del(void **state)
{
	struct alarmset *set = alarmset_new();
	struct alarm_rec *a;
	size_t it = 0, seen = 0;

	(void)state;
	for (int64_t id = 1; id <= 5000; id++)
		alarmset_put(set, rec(id * 7919));
	assert_int_equal(alarmset_count(set), 5000);
	for (int64_t id = 1; id <= 5000; id += 2)
		alarmset_del(set, id * 7919);
	alarmset_del(set, 42);   /* not there: nothing happens */
	assert_int_equal(alarmset_count(set), 2500);
	for (int64_t id = 1; id <= 5000; id++) {
		a = alarmset_get(set, id * 7919);
		if (id % 2 == 1)
			assert_null(a);
		else
			assert_true(a != NULL && a->id == id * 7919);
	}
	while ((a = alarmset_next(set, &it)) != NULL) {
		assert_true(a->id % 2 == 0);
		seen++;
	}
	assert_int_equal(seen, 2500);
	alarmset_free(set);
}

/* A replaced record lives on while a view holds it. */
static void
test_references(void **state)
{
	struct alarmset *set = alarmset_new();
	struct alarm_rec *old = rec(3), *kept;

	(void)state;
	alarmset_put(set, old);
	kept = alarm_rec_ref(alarmset_get(set, 3));
	alarmset_put(set, rec(3));
	assert_int_equal(alarmset_count(set), 1);
	assert_ptr_not_equal(alarmset_get(set, 3), kept);
	assert_int_equal(kept->id, 3);
	alarm_rec_unref(kept);
	alarmset_free(set);
}

/* An alarm reads back exactly as the API wrote it; strings are shared. */
static void
test_json_round_trip(void **state)
{
	static const char text[] =
	    "{\"id\":42,\"site\":\"riverside\",\"site_name\":\"Riverside Gardens\","
	    "\"point\":\"ta-door\",\"point_label\":\"Tower A door\",\"point_type\":\"door\","
	    "\"gateway\":\"gw-a\",\"type\":\"forced\",\"priority\":4,\"state\":\"assigned\","
	    "\"version\":3,\"count\":2,\"created\":\"2026-11-21T23:13:20.157Z\","
	    "\"updated\":\"2026-11-21T23:15:00.001Z\",\"last_event\":\"2026-11-21T23:13:20.000Z\","
	    "\"acked\":\"2026-11-21T23:14:00.000Z\",\"acked_by\":\"dora\","
	    "\"assigned\":\"2026-11-21T23:15:00.001Z\",\"assigned_by\":\"dora\",\"guard\":\"G3\","
	    "\"closed\":null,\"closed_by\":null,\"resolution\":null,\"resolution_note\":null}";
	json_t *in = json_loads(text, 0, NULL), *out;
	char *cause = NULL;
	struct alarm_rec *a = alarm_rec_parse(in, &cause), *b;

	(void)state;
	assert_non_null(a);
	out = alarm_rec_json(a);
	assert_true(json_equal(in, out));
	b = alarm_rec_parse(in, &cause);
	assert_ptr_equal(a->site_name, b->site_name);
	assert_ptr_equal(a->acked_by, a->assigned_by);
	json_decref(in);
	json_decref(out);
	alarm_rec_unref(a);
	alarm_rec_unref(b);
}

/* Alarms without an id or with a bad state or time are refused. */
static void
test_refused(void **state)
{
	static const char *bad[] = {
		"{\"state\":\"new\"}",
		"{\"id\":1,\"state\":\"lost\"}",
		"{\"id\":1,\"state\":\"new\",\"created\":\"yesterday\"}",
		"{\"id\":1,\"state\":\"new\",\"site\":7}",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		json_t *j = json_loads(bad[i], 0, NULL);
		char *cause = NULL;

		assert_null(alarm_rec_parse(j, &cause));
		assert_non_null(cause);
		free(cause);
		json_decref(j);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_del),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
