#include "compat.h"

#include <ctype.h>
#include <sys/stat.h>
#include <time.h>

#include "timerange.h"
#include "vtime.h"

#define TIMERANGE_ZONEINFO "/usr/share/zoneinfo"

/* True while times are shown in UTC (no zone chosen, or UTC). */
static int timerange_utc = 1;

/* True when name could be an IANA zone name: letters, digits, _ + - and /. */
static int
timerange_zone_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > TIMERANGE_ZONE_MAX || name[0] == '/' ||
	    strstr(name, "..") != NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && strchr("_+-/", name[i]) == NULL)
			return 0;
	return 1;
}

/* Use the zone for local days and timerange_format; 0 or -1 with *cause. */
int
timerange_set_zone(const char *zone, char **cause)
{
	const char *dir = getenv("TZDIR") != NULL ? getenv("TZDIR") :
	    TIMERANGE_ZONEINFO;
	struct stat sb;
	char *path, *tz;

	if (strcmp(zone, "UTC") == 0 || strcmp(zone, "Z") == 0) {
		timerange_utc = 1;
		return 0;
	}
	if (!timerange_zone_name(zone)) {
		*cause = xasprintf("\"%.80s\" is not a time zone name such as "
		    "Europe/London", zone);
		return -1;
	}
	path = xasprintf("%s/%s", dir, zone);
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		*cause = xasprintf("no time zone \"%s\" (in %s)", zone, dir);
		free(path);
		return -1;
	}
	free(path);
	tz = xasprintf(":%s", zone);
	setenv("TZ", tz, 1);
	free(tz);
	tzset();
	timerange_utc = 0;
	return 0;
}

/* Midnight (in the chosen zone) of the day days after the one holding ms. */
static int64_t
timerange_day(int64_t ms, int days)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	if (timerange_utc) {
		gmtime_r(&secs, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_mday += days;
		return (int64_t)timegm(&tm) * 1000;
	}
	localtime_r(&secs, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

/* Parse "YYYY-MM-DD" as the midnight of that day in the zone; 0 or -1. */
static int
timerange_date(const char *s, int64_t *ms)
{
	struct tm tm;
	int y, m, d, n = 0;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	*ms = (int64_t)(timerange_utc ? timegm(&tm) : mktime(&tm)) * 1000;
	return tm.tm_mday == d ? 0 : -1;
}

/* Parse a time given on a command line; 0 and *ms, or -1 with *cause. */
int
timerange_parse(const char *s, int64_t now_ms, int64_t *ms, char **cause)
{
	char *end;
	long long n;
	int64_t unit;

	if (strcmp(s, "now") == 0) {
		*ms = now_ms;
		return 0;
	}
	if (strcmp(s, "today") == 0) {
		*ms = timerange_day(now_ms, 0);
		return 0;
	}
	if (strcmp(s, "yesterday") == 0) {
		*ms = timerange_day(now_ms, -1);
		return 0;
	}
	if (s[0] == '-' && isdigit((unsigned char)s[1])) {
		errno = 0;
		n = strtoll(s + 1, &end, 10);
		switch (*end) {
		case 's': unit = 1000; break;
		case 'm': unit = 60 * 1000; break;
		case 'h': unit = 3600 * 1000; break;
		case 'd': unit = 86400 * 1000; break;
		case 'w': unit = 7 * 86400 * 1000LL; break;
		default: unit = 0; break;
		}
		if (errno == 0 && unit != 0 && end[1] == '\0' &&
		    n <= INT64_MAX / unit / 2) {
			*ms = now_ms - n * unit;
			return 0;
		}
	} else if (timerange_date(s, ms) == 0 || vtime_parse(s, ms) == 0)
		return 0;
	*cause = xasprintf("\"%.80s\" is not a time: give ISO 8601 "
	    "(2026-11-21T23:00:00Z), a date (2026-11-21), an age (-24h, -7d), "
	    "today, yesterday or now", s);
	return -1;
}

/* Write ms as ISO 8601 with milliseconds and offset in the chosen zone. */
void
timerange_format(int64_t ms, char *buf, size_t len)
{
	time_t secs;
	struct tm tm;
	long off;
	int frac;

	if (timerange_utc) {
		vtime_format(ms, buf, len);
		return;
	}
	secs = (time_t)(ms / 1000);
	frac = (int)(ms % 1000);
	if (frac < 0) {
		frac += 1000;
		secs--;
	}
	localtime_r(&secs, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02ld:%02ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, frac, off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}
