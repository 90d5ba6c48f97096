/* test_accessrule.c: schedules of access rights, in the site's time zone, across DST. */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "accessrule.h"
#include "vtime.h"

#define LONDON "Europe/London"

/* Milliseconds of an ISO time; fails the test when it does not parse. */
static int64_t
t(const char *iso)
{
	int64_t ms = 0;

	assert_int_equal(vtime_parse(iso, &ms), 0);
	return ms;
}

/* A schedule from its text forms, as an API request gives them. */
static struct accessrule
rule(const char *days, const char *from, const char *until)
{
	struct accessrule r;
	char why[128];

	assert_int_equal(accessrule_days_parse(days, &r.days, why, sizeof why), 0);
	r.from_min = accessrule_time_parse(from, false);
	r.until_min = accessrule_time_parse(until, true);
	assert_true(r.from_min >= 0 && r.until_min >= 0);
	r.valid_from_ms = ACCESSRULE_NO_TIME;
	r.valid_until_ms = ACCESSRULE_NO_TIME;
	return r;
}

/* Days: parsing, wrapping ranges, canonical output, refusals. */
static void
test_days(void **state)
{
	char buf[ACCESSRULE_DAYS_LEN], why[128];
	unsigned d;

	(void)state;
	assert_int_equal(accessrule_days_parse("mon-fri", &d, why, sizeof why), 0);
	assert_int_equal(d, 0x1f);
	accessrule_days_format(d, buf, sizeof buf);
	assert_string_equal(buf, "mon-fri");
	assert_int_equal(accessrule_days_parse("fri-mon", &d, why, sizeof why), 0);
	accessrule_days_format(d, buf, sizeof buf);
	assert_string_equal(buf, "mon,fri-sun");
	assert_int_equal(accessrule_days_parse("sat,sun", &d, why, sizeof why), 0);
	accessrule_days_format(d, buf, sizeof buf);
	assert_string_equal(buf, "sat,sun");
	assert_int_equal(accessrule_days_parse("all", &d, why, sizeof why), 0);
	accessrule_days_format(d, buf, sizeof buf);
	assert_string_equal(buf, "all");
	assert_int_equal(accessrule_days_parse("mon-sun", &d, why, sizeof why), 0);
	assert_int_equal(d, ACCESSRULE_ALL_DAYS);
	assert_int_equal(accessrule_days_parse("funday", &d, why, sizeof why), -1);
	assert_non_null(strstr(why, "funday"));
	assert_int_equal(accessrule_days_parse("mon,", &d, why, sizeof why), -1);
	assert_int_equal(accessrule_days_parse("", &d, why, sizeof why), -1);
}

/* Times of day: HH:MM, 24:00 only as an end. */
static void
test_times(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(accessrule_time_parse("07:30", false), 450);
	assert_int_equal(accessrule_time_parse("24:00", true), 1440);
	assert_int_equal(accessrule_time_parse("24:00", false), -1);
	assert_int_equal(accessrule_time_parse("7:30", false), -1);
	assert_int_equal(accessrule_time_parse("07:60", false), -1);
	assert_int_equal(accessrule_time_parse("25:00", true), -1);
	accessrule_time_format(1440, buf, sizeof buf);
	assert_string_equal(buf, "24:00");
}

/* Hours and days: inside, outside, the wrong day. */
static void
test_hours(void **state)
{
	struct accessrule r = rule("mon-fri", "07:00", "19:00");

	(void)state;
	/* 2026-11-23 is a Monday; London is on GMT (UTC+0). */
	assert_int_equal(accessrule_check(&r, t("2026-11-23T07:00:00Z"), LONDON),
	    ACCESSRULE_ALLOW);
	assert_int_equal(accessrule_check(&r, t("2026-11-23T06:59:59Z"), LONDON),
	    ACCESSRULE_OUTSIDE_HOURS);
	assert_int_equal(accessrule_check(&r, t("2026-11-23T19:00:00Z"), LONDON),
	    ACCESSRULE_OUTSIDE_HOURS);
	assert_int_equal(accessrule_check(&r, t("2026-11-22T12:00:00Z"), LONDON),
	    ACCESSRULE_WRONG_DAY);
}

/* Validity window: before valid_from, at and after valid_until. */
static void
test_validity(void **state)
{
	struct accessrule r = rule("all", "00:00", "24:00");

	(void)state;
	r.valid_from_ms = t("2026-12-01T00:00:00Z");
	r.valid_until_ms = t("2026-12-31T00:00:00Z");
	assert_int_equal(accessrule_check(&r, t("2026-11-30T23:59:59Z"), LONDON),
	    ACCESSRULE_NOT_YET);
	assert_int_equal(accessrule_check(&r, t("2026-12-01T00:00:00Z"), LONDON),
	    ACCESSRULE_ALLOW);
	assert_int_equal(accessrule_check(&r, t("2026-12-31T00:00:00Z"), LONDON),
	    ACCESSRULE_EXPIRED);
	assert_int_equal(accessrule_check(&r, t("2027-02-01T00:00:00Z"), LONDON),
	    ACCESSRULE_EXPIRED);
}

/*
 * Spring forward (2026-03-29 01:00 UTC, GMT -> BST): hours follow the
 * local clock, so the same local hour is an hour earlier in UTC after it.
 */
static void
test_dst_spring(void **state)
{
	struct accessrule r = rule("all", "07:00", "08:00");
	struct accessrule sun = rule("sun", "01:00", "03:00");

	(void)state;
	assert_int_equal(accessrule_check(&r, t("2026-03-28T07:30:00Z"), LONDON),
	    ACCESSRULE_ALLOW);
	assert_int_equal(accessrule_check(&r, t("2026-03-30T06:30:00Z"), LONDON),
	    ACCESSRULE_ALLOW);
	assert_int_equal(accessrule_check(&r, t("2026-03-30T07:30:00Z"), LONDON),
	    ACCESSRULE_OUTSIDE_HOURS);
	/* Across the change: 00:59:59 GMT, then 02:00 BST; 02:00 UTC is 03:00 BST. */
	assert_int_equal(accessrule_check(&sun, t("2026-03-29T00:59:59Z"), LONDON),
	    ACCESSRULE_OUTSIDE_HOURS);
	assert_int_equal(accessrule_check(&sun, t("2026-03-29T01:00:00Z"), LONDON),
	    ACCESSRULE_ALLOW);
	assert_int_equal(accessrule_check(&sun, t("2026-03-29T02:00:00Z"), LONDON),
	    ACCESSRULE_OUTSIDE_HOURS);
	/* UTC itself has no change. */
	assert_int_equal(accessrule_check(&r, t("2026-03-30T06:30:00Z"), "UTC"),
	    ACCESSRULE_OUTSIDE_HOURS);
}

/* Fall back (2026-10-25 01:00 UTC, BST -> GMT): 01:00-02:00 local happens twice. */
static void
test_dst_autumn(void **state)
{
	struct accessrule r = rule("all", "07:00", "08:00");
	struct accessrule sun = rule("sun", "01:00", "02:00");

	(void)state;
	assert_int_equal(accessrule_check(&r, t("2026-10-24T06:30:00Z"), LONDON),
	    ACCESSRULE_ALLOW);
	assert_int_equal(accessrule_check(&r, t("2026-10-24T07:30:00Z"), LONDON),
	    ACCESSRULE_OUTSIDE_HOURS);
	assert_int_equal(accessrule_check(&r, t("2026-10-26T07:30:00Z"), LONDON),
	    ACCESSRULE_ALLOW);
	assert_int_equal(accessrule_check(&r, t("2026-10-26T06:30:00Z"), LONDON),
	    ACCESSRULE_OUTSIDE_HOURS);
	assert_int_equal(accessrule_check(&sun, t("2026-10-24T23:59:59Z"), LONDON),
	    ACCESSRULE_OUTSIDE_HOURS);
	assert_int_equal(accessrule_check(&sun, t("2026-10-25T00:30:00Z"), LONDON),
	    ACCESSRULE_ALLOW);
	assert_int_equal(accessrule_check(&sun, t("2026-10-25T01:30:00Z"), LONDON),
	    ACCESSRULE_ALLOW);
	assert_int_equal(accessrule_check(&sun, t("2026-10-25T02:00:00Z"), LONDON),
	    ACCESSRULE_OUTSIDE_HOURS);
}

/* Overnight ranges belong to the day they start. */
static void
test_overnight(void **state)
{
	struct accessrule r = rule("fri", "22:00", "06:00");

	(void)state;
	/* 2026-11-27 is a Friday (GMT). */
	assert_int_equal(accessrule_check(&r, t("2026-11-27T23:00:00Z"), LONDON),
	    ACCESSRULE_ALLOW);
	assert_int_equal(accessrule_check(&r, t("2026-11-28T05:00:00Z"), LONDON),
	    ACCESSRULE_ALLOW);
	assert_int_equal(accessrule_check(&r, t("2026-11-28T06:00:00Z"), LONDON),
	    ACCESSRULE_OUTSIDE_HOURS);
	assert_int_equal(accessrule_check(&r, t("2026-11-28T23:00:00Z"), LONDON),
	    ACCESSRULE_WRONG_DAY);
	assert_int_equal(accessrule_check(&r, t("2026-11-27T05:00:00Z"), LONDON),
	    ACCESSRULE_WRONG_DAY);
	assert_int_equal(accessrule_check(&r, t("2026-11-27T12:00:00Z"), LONDON),
	    ACCESSRULE_OUTSIDE_HOURS);
}

/* The gateway's decision from an access list entry, and an unknown zone. */
static void
test_decide(void **state)
{
	static const char list_text[] =
	    "{\"gateway\":\"gw\",\"version\":3,\"timezone\":\"Europe/London\","
	    "\"points\":[\"gate\",\"door\"],\"credentials\":["
	    "{\"kind\":\"card\",\"value\":\"04A1\",\"resident\":7,"
	    "\"points\":[\"gate\",\"door\"],\"schedules\":["
	    "{\"points\":[\"gate\"],\"days\":\"mon-fri\",\"from\":\"07:00\","
	    "\"until\":\"19:00\",\"valid_from\":null,\"valid_until\":null},"
	    "{\"points\":[\"door\"],\"days\":\"all\",\"from\":\"00:00\","
	    "\"until\":\"24:00\",\"valid_from\":null,"
	    "\"valid_until\":\"2026-12-01T00:00:00.000Z\"}]}]}";
	json_error_t jerr;
	json_t *list = json_loads(list_text, 0, &jerr);
	const json_t *e;
	char why[64];

	(void)state;
	assert_non_null(list);
	e = accessrule_find(list, "card", "04A1");
	assert_non_null(e);
	assert_null(accessrule_find(list, "plate", "04A1"));
	assert_ptr_equal(accessrule_find(list, NULL, "04A1"), e);
	assert_true(accessrule_decide(e, "gate", t("2026-11-23T08:00:00Z"),
	    LONDON, why, sizeof why));
	assert_false(accessrule_decide(e, "gate", t("2026-11-22T08:00:00Z"),
	    LONDON, why, sizeof why));
	assert_string_equal(why, "not on this day");
	assert_true(accessrule_decide(e, "door", t("2026-11-22T03:00:00Z"),
	    LONDON, why, sizeof why));
	assert_false(accessrule_decide(e, "door", t("2026-12-02T03:00:00Z"),
	    LONDON, why, sizeof why));
	assert_string_equal(why, "expired");
	assert_false(accessrule_decide(e, "barrier", t("2026-11-23T08:00:00Z"),
	    LONDON, why, sizeof why));
	assert_string_equal(why, "no right for this point");
	assert_false(accessrule_decide(NULL, "gate", t("2026-11-23T08:00:00Z"),
	    LONDON, why, sizeof why));
	assert_false(accessrule_decide(e, "gate", t("2026-11-23T08:00:00Z"),
	    "Mars/Olympus", why, sizeof why));
	assert_string_equal(why, "unknown time zone");
	assert_false(accessrule_zone_valid("../etc/passwd"));
	assert_true(accessrule_zone_valid("UTC"));
	json_decref(list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_hours),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_dst_spring),
		cmocka_unit_test(test_dst_autumn),
		cmocka_unit_test(test_overnight),
		cmocka_unit_test(test_decide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
