#include "compat.h"

#include <time.h>

#include "vtime.h"

/* Milliseconds since the Unix epoch, from the real-time clock. */
int64_t
vtime_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds from a monotonic clock, for intervals. */
int64_t
vtime_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (at least VTIME_ISO_LEN). */
void
vtime_format(int64_t ms, char *buf, size_t len)
{
	time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)secs * 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, frac);
}

/* Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
static int64_t
vtime_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Read exactly n decimal digits from *p into *out; advance *p. */
static int
vtime_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* Parse an ISO 8601 UTC or offset time into milliseconds since the epoch. */
int
vtime_parse(const char *s, int64_t *ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int y, mo, d, h, mi, sec, frac = 0, fdigits = 0, oh = 0, om = 0, sign = 0;
	int64_t t;

	if (vtime_digits(&p, 4, &y) || *p++ != '-' || vtime_digits(&p, 2, &mo) ||
	    *p++ != '-' || vtime_digits(&p, 2, &d) || (*p != 'T' && *p != 't'))
		return -1;
	p++;
	if (vtime_digits(&p, 2, &h) || *p++ != ':' || vtime_digits(&p, 2, &mi) ||
	    *p++ != ':' || vtime_digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (fdigits < 3) {
				frac = frac * 10 + (*p - '0');
				fdigits++;
			}
			p++;
		}
		if (fdigits == 0)
			return -1;
		while (fdigits < 3) {
			frac *= 10;
			fdigits++;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
		if (vtime_digits(&p, 2, &oh) || *p++ != ':' || vtime_digits(&p, 2, &om))
			return -1;
		if (oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	if (sec == 60)
		sec = 59; /* a leap second is read as the second before it */
	t = vtime_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= sign * (oh * 3600 + om * 60);
	*ms = t * 1000 + frac;
	return 0;
}
