/*
 * timerange.h: the times a person gives on a command line, and times shown
 * in a chosen time zone.
 *
 * A time is one of: an ISO 8601 time with a Z or an offset
 * ("2026-11-21T23:01:02Z", vtime_parse), a date ("2026-11-21", its midnight
 * in the zone), "now", "today" or "yesterday" (the start of that day in the
 * zone), or an age: a minus sign, a number and a unit s, m, h, d or w
 * ("-24h", "-7d": that long before now).  The zone is UTC unless
 * timerange_set_zone chose another for the whole process.
 */
#ifndef VIGIL_TIMERANGE_H
#define VIGIL_TIMERANGE_H

#include <stddef.h>
#include <stdint.h>

#define TIMERANGE_ZONE_MAX 64    /* a zone's name: "Europe/London" */
#define TIMERANGE_ISO_LEN  40    /* "2026-11-21T23:01:02.345+01:00" and room */

/*
 * Use the IANA zone name (or "UTC") for local days and timerange_format from
 * now on, in this process (it sets TZ); 0, or -1 with *cause when there is
 * no such zone.
 */
int timerange_set_zone(const char *zone, char **cause);
/* Parse a time as above, relative to now_ms; 0 and *ms, or -1 with *cause. */
int timerange_parse(const char *s, int64_t now_ms, int64_t *ms, char **cause);
/*
 * Write ms as ISO 8601 with milliseconds in the chosen zone, with its offset
 * ("2026-11-21T23:01:02.345+01:00"; "...Z" in UTC) into buf (at least
 * TIMERANGE_ISO_LEN bytes).
 */
void timerange_format(int64_t ms, char *buf, size_t len);

#endif
