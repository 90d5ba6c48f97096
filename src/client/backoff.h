/*
 * backoff.h: delays between reconnection attempts.
 *
 * Exponential with jitter: the first delay is about STREAM_BACKOFF_MIN_MS,
 * each next one about twice the last, up to STREAM_BACKOFF_MAX_MS, and each
 * varies by up to +-STREAM_BACKOFF_JITTER_PCT so that consoles that lost the
 * same server do not all come back in the same millisecond.
 *
 *	struct backoff b;
 *	backoff_init(&b);
 *	delay = backoff_next(&b);     after each failed attempt
 *	backoff_reset(&b);            once a connection works again
 */
#ifndef VIGIL_BACKOFF_H
#define VIGIL_BACKOFF_H

#include <stdint.h>

struct backoff {
	unsigned attempt;     /* failed attempts since the last success */
};

/* Start with no failed attempt. */
void backoff_init(struct backoff *b);
/* Forget the failed attempts: the next delay is the shortest again. */
void backoff_reset(struct backoff *b);
/* The delay in ms before the next attempt, counting one more failure. */
uint64_t backoff_next(struct backoff *b);
/*
 * The delay in ms after attempt failures (0 for the first) with the jitter
 * drawn as r, a number from 0 to UINT32_MAX (0 is -JITTER, UINT32_MAX is
 * +JITTER); backoff_next uses it with a random r.
 */
uint64_t backoff_delay(unsigned attempt, uint32_t r);

#endif
