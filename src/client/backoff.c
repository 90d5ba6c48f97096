#include "compat.h"

#include <sodium.h>

#include "backoff.h"

/* Start with no failed attempt. */
void
backoff_init(struct backoff *b)
{
	b->attempt = 0;
}

/* Forget the failed attempts. */
void
backoff_reset(struct backoff *b)
{
	b->attempt = 0;
}

/* The delay in ms after attempt failures, with the jitter drawn as r. */
uint64_t
backoff_delay(unsigned attempt, uint32_t r)
{
	uint64_t base = STREAM_BACKOFF_MIN_MS, span;

	while (attempt-- > 0 && base < STREAM_BACKOFF_MAX_MS)
		base *= 2;
	if (base > STREAM_BACKOFF_MAX_MS)
		base = STREAM_BACKOFF_MAX_MS;
	/* r maps linearly onto [base - span, base + span]. */
	span = base * STREAM_BACKOFF_JITTER_PCT / 100;
	return base - span + (2 * span * (uint64_t)r) / UINT32_MAX;
}

/* The delay in ms before the next attempt, counting one more failure. */
uint64_t
backoff_next(struct backoff *b)
{
	uint64_t ms = backoff_delay(b->attempt, randombytes_random());

	if (b->attempt < 64)
		b->attempt++;
	return ms;
}
