/*
 * accessrule.h: when an access right lets a credential through.
 *
 * A schedule is a set of week days, a range of minutes of the day (from,
 * until) in the site's time zone, and an optional validity window in UTC.
 * vigild validates and stores schedules with these functions and serves
 * them in gateways' access lists; a gateway (and vigil-sim, which plays one)
 * decides from the list with accessrule_decide, so both sides agree.
 *
 * Days are a bitmask, bit 0 Monday .. bit 6 Sunday.  Minutes run 0..1440;
 * until may be 1440 ("24:00").  from > until is an overnight range: the part
 * after midnight belongs to the day the range started.
 *
 * Local time comes from the system's time zone database: the conversion
 * sets TZ, calls tzset and localtime_r, and puts TZ back.  That touches
 * process-wide state, so it must not run in two threads at once; vigild and
 * vigil-sim each run one loop thread.  Reading TZif files ourselves would
 * avoid that, at the cost of a second implementation of the POSIX rule
 * strings that follow the last transition.
 */
#ifndef VIGIL_ACCESSRULE_H
#define VIGIL_ACCESSRULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define ACCESSRULE_ALL_DAYS 0x7fu
#define ACCESSRULE_DAY_MIN  1440
#define ACCESSRULE_DAYS_LEN 48      /* longest canonical days text, with NUL */
#define ACCESSRULE_NO_TIME  INT64_MIN

struct accessrule {
	unsigned days;            /* bit 0 Monday .. bit 6 Sunday */
	int from_min;             /* 0..1439 */
	int until_min;            /* 1..1440, != from_min */
	int64_t valid_from_ms;    /* ACCESSRULE_NO_TIME when open */
	int64_t valid_until_ms;   /* ACCESSRULE_NO_TIME when open */
};

/* Why a schedule does not allow a time. */
enum accessrule_verdict {
	ACCESSRULE_ALLOW,
	ACCESSRULE_NOT_YET,       /* before valid_from */
	ACCESSRULE_EXPIRED,       /* at or after valid_until */
	ACCESSRULE_WRONG_DAY,
	ACCESSRULE_OUTSIDE_HOURS,
	ACCESSRULE_BAD_ZONE,      /* the time zone cannot be used */
};

/* A local time: day of the week (0 Monday) and minute of the day. */
struct accessrule_local {
	int wday;
	int minute;
};

/* Parse "all", "mon-fri", "mon,wed,sat-sun"; 0, or -1 with why. */
int accessrule_days_parse(const char *s, unsigned *days, char *why, size_t len);
/* Write days canonically: "all", runs of 3+ as "mon-fri", else "sat,sun". */
void accessrule_days_format(unsigned days, char *buf, size_t len);
/* Parse "HH:MM" (00:00..23:59, and 24:00 when allow_24); minutes or -1. */
int accessrule_time_parse(const char *s, bool allow_24);
/* Write minutes as "HH:MM" (buf of at least 6 bytes). */
void accessrule_time_format(int minutes, char *buf, size_t len);
/* True when tz names a zone of the system's database (or is "UTC"). */
bool accessrule_zone_valid(const char *tz);
/* Local day and minute of ms in zone tz; 0, or -1 when tz cannot be used. */
int accessrule_localtime(const char *tz, int64_t ms, struct accessrule_local *out);
/* Does r allow a credential at ms in zone tz? */
enum accessrule_verdict accessrule_check(const struct accessrule *r, int64_t ms,
    const char *tz);
/* A short English phrase for a verdict ("outside hours"). */
const char *accessrule_verdict_name(enum accessrule_verdict v);

/*
 * Read one schedule of an access list ({"points","days","from","until",
 * "valid_from","valid_until"}) into r; 0, or -1 when it is malformed.
 */
int accessrule_from_json(const json_t *schedule, struct accessrule *r);

/*
 * The entry of access list `list` (the whole GET access-list reply) for a
 * credential: kind may be NULL to match any kind; NULL when absent.
 */
const json_t *accessrule_find(const json_t *list, const char *kind,
    const char *value);

/*
 * Decide as a gateway does: may the credential whose list entry is `entry`
 * pass `point` at ms, in the site's zone tz?  True to grant; otherwise why
 * says why not ("no right for this point", "outside hours", ...).  A NULL
 * entry (credential not in the list) is refused.
 */
bool accessrule_decide(const json_t *entry, const char *point, int64_t ms,
    const char *tz, char *why, size_t whylen);

#endif
