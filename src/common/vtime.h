/* vtime.h: wall-clock time as milliseconds since the epoch, UTC ISO 8601 text. */
#ifndef VIGIL_VTIME_H
#define VIGIL_VTIME_H

#include <stddef.h>
#include <stdint.h>

#define VTIME_ISO_LEN 32 /* "2026-11-21T23:01:02.345Z" and room to spare */

/* Milliseconds since the Unix epoch, from the real-time clock. */
int64_t vtime_now_ms(void);
/* Milliseconds from a monotonic clock, for intervals. */
int64_t vtime_mono_ms(void);
/* Write ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (at least VTIME_ISO_LEN). */
void vtime_format(int64_t ms, char *buf, size_t len);
/*
 * Parse an ISO 8601 time with a Z or +hh:mm offset, seconds and optional
 * fraction ("2026-11-21T23:01:02Z", "2026-11-21T23:01:02.5+01:00").
 * Returns 0 and sets *ms, or -1 when s is not such a time.
 */
int vtime_parse(const char *s, int64_t *ms);

#endif
