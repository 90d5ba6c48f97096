/* test_client_backoff.c: reconnection delays: doubling, the cap, the jitter. */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <sodium.h>

#include "backoff.h"

#define MID (UINT32_MAX / 2)

/* The jitter spans +-25% of the base delay, from r = 0 to r = UINT32_MAX. */
static void
test_first_delay(void **state)
{
	assert_int_equal(backoff_delay(0, 0), 375);
	assert_int_equal(backoff_delay(0, MID), 499);
	assert_int_equal(backoff_delay(0, UINT32_MAX), 625);
}

/* Each failure doubles the base, up to the cap, whatever the count. */
static void
test_doubling_and_cap(void **state)
{
	static const uint64_t bases[] = { 500, 1000, 2000, 4000, 8000, 15000,
	    15000 };

	for (unsigned i = 0; i < ARRAY_LEN(bases); i++) {
		assert_int_equal(backoff_delay(i, 0), bases[i] * 3 / 4);
		assert_int_equal(backoff_delay(i, UINT32_MAX), bases[i] * 5 / 4);
	}
	assert_int_equal(backoff_delay(1000, UINT32_MAX), 18750);
	assert_int_equal(backoff_delay(UINT32_MAX, 0), 11250);
}

/* backoff_next stays in range, grows, and starts over after a reset. */
static void
test_next_and_reset(void **state)
{
	struct backoff b;
	uint64_t d, seen_min = UINT64_MAX, seen_max = 0;

	backoff_init(&b);
	for (unsigned i = 0; i < 10; i++) {
		d = backoff_next(&b);
		assert_true(d >= backoff_delay(i, 0));
		assert_true(d <= backoff_delay(i, UINT32_MAX));
	}
	assert_true(backoff_next(&b) >= 11250);
	backoff_reset(&b);
	/* Many first delays: all in range, and not all the same (jitter). */
	for (int i = 0; i < 200; i++) {
		backoff_reset(&b);
		d = backoff_next(&b);
		assert_true(d >= 375 && d <= 625);
		if (d < seen_min)
			seen_min = d;
		if (d > seen_max)
			seen_max = d;
	}
	assert_true(seen_max - seen_min >= 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_delay),
		cmocka_unit_test(test_doubling_and_cap),
		cmocka_unit_test(test_next_and_reset),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
