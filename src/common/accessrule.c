#include "compat.h"

#include <time.h>
#include <unistd.h>

#include "accessrule.h"
#include "vtime.h"

#define ACCESSRULE_ZONEINFO "/usr/share/zoneinfo"

static const char *const accessrule_day_names[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun",
};

/* The day index (0 Monday) of a three-letter name at s, or -1. */
static int
accessrule_day(const char *s, size_t n)
{
	if (n != 3)
		return -1;
	for (int i = 0; i < 7; i++)
		if (strncmp(s, accessrule_day_names[i], 3) == 0)
			return i;
	return -1;
}

/* Parse "all", "mon-fri", "mon,wed,sat-sun"; 0, or -1 with why. */
int
accessrule_days_parse(const char *s, unsigned *days, char *why, size_t len)
{
	const char *p = s, *comma, *dash;
	unsigned set = 0;

	if (s == NULL || *s == '\0') {
		snprintf(why, len, "must not be empty (e.g. all, mon-fri, sat,sun)");
		return -1;
	}
	if (strcmp(s, "all") == 0) {
		*days = ACCESSRULE_ALL_DAYS;
		return 0;
	}
	for (;;) {
		size_t n;
		int a, b;

		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		dash = memchr(p, '-', n);
		if (dash != NULL) {
			a = accessrule_day(p, (size_t)(dash - p));
			b = accessrule_day(dash + 1, n - (size_t)(dash - p) - 1);
		} else
			a = b = accessrule_day(p, n);
		if (a < 0 || b < 0) {
			snprintf(why, len, "\"%.*s\" is not a day or day range "
			    "(mon tue wed thu fri sat sun, e.g. mon-fri)",
			    (int)(n > 32 ? 32 : n), p);
			return -1;
		}
		for (int d = a;; d = (d + 1) % 7) {
			set |= 1u << d;
			if (d == b)
				break;
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*days = set;
	return 0;
}

/* Write days canonically: "all", runs of 3+ as "mon-fri", else "sat,sun". */
void
accessrule_days_format(unsigned days, char *buf, size_t len)
{
	size_t off = 0;
	int d = 0;

	days &= ACCESSRULE_ALL_DAYS;
	if (len == 0)
		return;
	buf[0] = '\0';
	if (days == ACCESSRULE_ALL_DAYS) {
		snprintf(buf, len, "all");
		return;
	}
	while (d < 7) {
		int e = d;

		if ((days & (1u << d)) == 0) {
			d++;
			continue;
		}
		while (e + 1 < 7 && (days & (1u << (e + 1))) != 0)
			e++;
		if (e - d >= 2)
			off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
			    "%s%s-%s", off > 0 ? "," : "", accessrule_day_names[d],
			    accessrule_day_names[e]);
		else
			for (int i = d; i <= e; i++)
				off += (size_t)snprintf(buf + off, off < len ?
				    len - off : 0, "%s%s", off > 0 ? "," : "",
				    accessrule_day_names[i]);
		d = e + 1;
	}
}

/* Parse "HH:MM" (00:00..23:59, and 24:00 when allow_24); minutes or -1. */
int
accessrule_time_parse(const char *s, bool allow_24)
{
	int h, m;

	if (s == NULL || strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24)))
		return -1;
	return h * 60 + m;
}

/* Write minutes as "HH:MM" (buf of at least 6 bytes). */
void
accessrule_time_format(int minutes, char *buf, size_t len)
{
	if (minutes < 0 || minutes > ACCESSRULE_DAY_MIN)
		minutes = 0;
	snprintf(buf, len, "%02d:%02d", minutes / 60, minutes % 60);
}

/* True when tz names a zone of the system's database (or is "UTC"). */
bool
accessrule_zone_valid(const char *tz)
{
	const char *dir = getenv("TZDIR");
	char path[LIMIT_PATH_LEN];
	size_t n;

	if (tz == NULL || (n = strlen(tz)) == 0 || n > LIMIT_NAME_LEN)
		return false;
	if (strcmp(tz, "UTC") == 0)
		return true;
	if (tz[0] == '/' || strstr(tz, "..") != NULL ||
	    strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/_+-") != n)
		return false;
	snprintf(path, sizeof path, "%s/%s", dir != NULL && *dir != '\0' ? dir :
	    ACCESSRULE_ZONEINFO, tz);
	return access(path, R_OK) == 0;
}

/*
 * Local day and minute of ms in zone tz.  TZ is set for the conversion and
 * put back afterwards (see accessrule.h for why this way).
 */
int
accessrule_localtime(const char *tz, int64_t ms, struct accessrule_local *out)
{
	const char *old = getenv("TZ");
	char *saved = old != NULL ? xstrdup(old) : NULL;
	int64_t secs = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
	time_t t = (time_t)secs;
	struct tm tm;
	bool ok;

	if (!accessrule_zone_valid(tz)) {
		free(saved);
		return -1;
	}
	setenv("TZ", tz, 1);
	tzset();
	ok = localtime_r(&t, &tm) != NULL;
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	if (!ok)
		return -1;
	out->wday = (tm.tm_wday + 6) % 7;
	out->minute = tm.tm_hour * 60 + tm.tm_min;
	return 0;
}

/* Does r allow a credential at ms in zone tz? */
enum accessrule_verdict
accessrule_check(const struct accessrule *r, int64_t ms, const char *tz)
{
	struct accessrule_local lt;
	int prev;

	if (r->valid_from_ms != ACCESSRULE_NO_TIME && ms < r->valid_from_ms)
		return ACCESSRULE_NOT_YET;
	if (r->valid_until_ms != ACCESSRULE_NO_TIME && ms >= r->valid_until_ms)
		return ACCESSRULE_EXPIRED;
	if (accessrule_localtime(tz, ms, &lt) != 0)
		return ACCESSRULE_BAD_ZONE;
	prev = (lt.wday + 6) % 7;
	if (r->from_min < r->until_min) {
		if ((r->days & (1u << lt.wday)) == 0)
			return ACCESSRULE_WRONG_DAY;
		if (lt.minute < r->from_min || lt.minute >= r->until_min)
			return ACCESSRULE_OUTSIDE_HOURS;
		return ACCESSRULE_ALLOW;
	}
	/* Overnight: the evening part today, the morning part from yesterday. */
	if (lt.minute >= r->from_min)
		return (r->days & (1u << lt.wday)) != 0 ? ACCESSRULE_ALLOW :
		    ACCESSRULE_WRONG_DAY;
	if (lt.minute < r->until_min)
		return (r->days & (1u << prev)) != 0 ? ACCESSRULE_ALLOW :
		    ACCESSRULE_WRONG_DAY;
	return ACCESSRULE_OUTSIDE_HOURS;
}

/* A short English phrase for a verdict ("outside hours"). */
const char *
accessrule_verdict_name(enum accessrule_verdict v)
{
	switch (v) {
	case ACCESSRULE_ALLOW:
		return "allowed";
	case ACCESSRULE_NOT_YET:
		return "not valid yet";
	case ACCESSRULE_EXPIRED:
		return "expired";
	case ACCESSRULE_WRONG_DAY:
		return "not on this day";
	case ACCESSRULE_OUTSIDE_HOURS:
		return "outside hours";
	case ACCESSRULE_BAD_ZONE:
		return "unknown time zone";
	}
	return "refused";
}

/* Read an optional ISO time member of o into *ms; 0, or -1 when malformed. */
static int
accessrule_json_time(const json_t *o, const char *key, int64_t *ms)
{
	const json_t *v = json_object_get(o, key);

	*ms = ACCESSRULE_NO_TIME;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || vtime_parse(json_string_value(v), ms) != 0)
		return -1;
	return 0;
}

/* Read one schedule of an access list into r; 0, or -1 when it is malformed. */
int
accessrule_from_json(const json_t *schedule, struct accessrule *r)
{
	const char *days = json_string_value(json_object_get(schedule, "days"));
	const char *from = json_string_value(json_object_get(schedule, "from"));
	const char *until = json_string_value(json_object_get(schedule, "until"));
	char why[128];

	memset(r, 0, sizeof *r);
	if (!json_is_object(schedule) || days == NULL || from == NULL ||
	    until == NULL)
		return -1;
	if (accessrule_days_parse(days, &r->days, why, sizeof why) != 0)
		return -1;
	if ((r->from_min = accessrule_time_parse(from, false)) < 0 ||
	    (r->until_min = accessrule_time_parse(until, true)) < 0 ||
	    r->from_min == r->until_min)
		return -1;
	if (accessrule_json_time(schedule, "valid_from", &r->valid_from_ms) != 0 ||
	    accessrule_json_time(schedule, "valid_until", &r->valid_until_ms) != 0)
		return -1;
	return 0;
}

/* The entry of an access list for a credential, or NULL. */
const json_t *
accessrule_find(const json_t *list, const char *kind, const char *value)
{
	const json_t *creds = json_object_get(list, "credentials");
	const json_t *e;
	size_t i;

	if (!json_is_array(creds) || value == NULL)
		return NULL;
	json_array_foreach(creds, i, e) {
		const char *k = json_string_value(json_object_get(e, "kind"));
		const char *v = json_string_value(json_object_get(e, "value"));

		if (v != NULL && strcmp(v, value) == 0 &&
		    (kind == NULL || (k != NULL && strcmp(k, kind) == 0)))
			return e;
	}
	return NULL;
}

/* True when JSON array a holds the string s. */
static bool
accessrule_has(const json_t *a, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* Decide as a gateway does; true to grant, else why says why not. */
bool
accessrule_decide(const json_t *entry, const char *point, int64_t ms,
    const char *tz, char *why, size_t whylen)
{
	enum accessrule_verdict best = ACCESSRULE_ALLOW;
	const json_t *scheds, *sch;
	bool any = false;
	size_t i;

	if (entry == NULL) {
		snprintf(why, whylen, "unknown credential");
		return false;
	}
	scheds = json_object_get(entry, "schedules");
	json_array_foreach(scheds, i, sch) {
		struct accessrule r;
		enum accessrule_verdict v;

		if (!accessrule_has(json_object_get(sch, "points"), point))
			continue;
		if (accessrule_from_json(sch, &r) != 0)
			continue;
		v = accessrule_check(&r, ms, tz);
		if (v == ACCESSRULE_ALLOW) {
			snprintf(why, whylen, "allowed");
			return true;
		}
		/* Report the first reason seen: it names the first right. */
		if (!any)
			best = v;
		any = true;
	}
	if (!any)
		snprintf(why, whylen, "no right for this point");
	else
		snprintf(why, whylen, "%s", accessrule_verdict_name(best));
	return false;
}
