#include "compat.h"

#include <locale.h>
#include <math.h>

#include <ini.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include "access_site.h"
#include "audit.h"
#include "auth.h"
#include "model.h"
#include "rowjson.h"
#include "rules.h"
#include "server.h"
#include "site_import.h"
#include "site_maps.h"
#include "store.h"
#include "txn.h"
#include "utf8.h"
#include "vtime.h"

/*
 * A site file is read in three passes.  libinih splits it into sections and
 * key = value pairs; our reader hands it one line at a time, so we always
 * know the line number, and reads section headers itself (inih truncates
 * long section names and says nothing about sections without keys).  Each
 * value is checked as it arrives.  Then the file as a whole is checked
 * (required keys, duplicates, references, bounds), and finally, inside one
 * transaction, what the store holds is checked (keys owned by other sites)
 * before anything is written.  The first problem is reported: problems of
 * single lines before those of the file as a whole, before those against the
 * store, each in file order.
 */

#define IMP_SECRET_HASH_LEN 32
#define IMP_KEYS_MAX 8
#define IMP_BOUNDS_SYNTAX \
	"expected LAT_MIN,LON_MIN,LAT_MAX,LON_MAX in decimal degrees"

enum imp_kind {
	IMP_NONE,
	IMP_SITE,
	IMP_GATEWAY,
	IMP_POINT,
	IMP_GUARD,
	IMP_RULES,
	IMP__COUNT
};

/* How the value of a key is read. */
enum imp_val {
	IMP_VAL_KEY,          /* a site key */
	IMP_VAL_NAME,         /* text, not empty */
	IMP_VAL_TEXT,         /* text, may be empty */
	IMP_VAL_TIMEZONE,
	IMP_VAL_BOUNDS,
	IMP_VAL_SECRET,
	IMP_VAL_SUPERVISION,
	IMP_VAL_POINT_TYPE,
	IMP_VAL_GATEWAY,      /* a gateway key */
	IMP_VAL_POSITION,
	IMP_VAL_STATUS,
	IMP_VAL_PATROL,
};

/* One key a section accepts. */
struct imp_key {
	const char *name;
	enum imp_val val;
	size_t off;           /* of the char * field, for text values */
	bool required;
};

struct imp_waypoint {
	double lat;
	double lon;
	int line;
};

/* A [site], [gateway], [point] or [guard] section as read. */
struct imp_obj {
	enum imp_kind kind;
	int line;                    /* of the section header */
	int lines[IMP_KEYS_MAX];     /* line of each key of the kind, 0 if not given */
	char *key;                   /* site, gateway or point key, or callsign */
	char *name;                  /* name or label */
	char *address;
	char *timezone;
	char *group;
	char *building;
	char *floor;
	char *zone;
	char *controller;
	char *gateway;               /* a point's gateway key */
	bool has_bounds;
	double bounds[4];            /* lat_min, lon_min, lat_max, lon_max */
	bool has_secret;
	unsigned char secret[IMP_SECRET_HASH_LEN]; /* its SHA-256 */
	int supervision;
	int type;                    /* enum point_type */
	int status;                  /* enum guard_status */
	bool has_pos;
	double lat, lon;
	struct imp_waypoint *patrol;
	size_t npatrol;
	int64_t id;                  /* row id once written */
};

/* One [rules] entry. */
struct imp_rule {
	int line;
	int point_type;
	int event_type;
	int action;
	int priority;                /* 0 when none */
};

/* The state of one import. */
struct imp {
	struct server *srv;
	const char *path;
	char *buf;                   /* the file */
	size_t len;
	size_t off;                  /* where the reader is */
	int lineno;                  /* of the line being read */

	bool prev_key;               /* inih would continue the last key */
	bool continuation;           /* this line continues it */
	enum imp_kind kind;          /* of the current section */
	struct imp_obj *cur;         /* the current section, if an object */
	bool skip;                   /* current section was refused: ignore its keys */
	int last_key;                /* index of the last key read in cur */

	struct imp_obj site;
	int rules_line;
	struct imp_obj **objs;       /* gateways, points, guards in file order */
	size_t nobjs, capobjs;
	struct imp_obj **sorted;     /* the same by kind and key */
	struct imp_rule *rules;
	size_t nrules, caprules;

	int err_line;                /* of the first problem, 0 for the file */
	char *err;                   /* the first problem, or NULL */
	int64_t now;
	struct site_import_stats stats;
	struct site_maps *maps;      /* [map KEY] sections */
	bool map_section;            /* the current section is one */
	struct access_site *access;  /* [building], [access-group], point access */
	bool access_section;         /* the current section is one of those */
};

static const struct imp_key imp_site_keys[] = {
	{ "key", IMP_VAL_KEY, offsetof(struct imp_obj, key), true },
	{ "name", IMP_VAL_NAME, offsetof(struct imp_obj, name), true },
	{ "address", IMP_VAL_TEXT, offsetof(struct imp_obj, address), false },
	{ "timezone", IMP_VAL_TIMEZONE, offsetof(struct imp_obj, timezone), false },
	{ "group", IMP_VAL_TEXT, offsetof(struct imp_obj, group), false },
	{ "bounds", IMP_VAL_BOUNDS, 0, false },
};
static const struct imp_key imp_gateway_keys[] = {
	{ "name", IMP_VAL_NAME, offsetof(struct imp_obj, name), true },
	{ "secret", IMP_VAL_SECRET, 0, true },
	{ "supervision", IMP_VAL_SUPERVISION, 0, false },
};
static const struct imp_key imp_point_keys[] = {
	{ "label", IMP_VAL_NAME, offsetof(struct imp_obj, name), true },
	{ "type", IMP_VAL_POINT_TYPE, 0, true },
	{ "gateway", IMP_VAL_GATEWAY, offsetof(struct imp_obj, gateway), true },
	{ "building", IMP_VAL_TEXT, offsetof(struct imp_obj, building), false },
	{ "floor", IMP_VAL_TEXT, offsetof(struct imp_obj, floor), false },
	{ "zone", IMP_VAL_TEXT, offsetof(struct imp_obj, zone), false },
	{ "controller", IMP_VAL_TEXT, offsetof(struct imp_obj, controller), false },
	{ "position", IMP_VAL_POSITION, 0, false },
};
static const struct imp_key imp_guard_keys[] = {
	{ "name", IMP_VAL_NAME, offsetof(struct imp_obj, name), true },
	{ "device_secret", IMP_VAL_SECRET, 0, false },
	{ "status", IMP_VAL_STATUS, 0, false },
	{ "patrol", IMP_VAL_PATROL, 0, false },
};

/* What each kind of section is called and which keys it takes. */
static const struct {
	const char *name;
	const struct imp_key *keys;
	int nkeys;
	bool named;          /* [gateway KEY] rather than [site] */
} imp_kinds[IMP__COUNT] = {
	[IMP_NONE] = { "", NULL, 0, false },
	[IMP_SITE] = { "site", imp_site_keys, (int)ARRAY_LEN(imp_site_keys), false },
	[IMP_GATEWAY] = { "gateway", imp_gateway_keys,
	    (int)ARRAY_LEN(imp_gateway_keys), true },
	[IMP_POINT] = { "point", imp_point_keys, (int)ARRAY_LEN(imp_point_keys),
	    true },
	[IMP_GUARD] = { "guard", imp_guard_keys, (int)ARRAY_LEN(imp_guard_keys),
	    true },
	[IMP_RULES] = { "rules", NULL, 0, false },
};

/* Record a problem at line (0 for the whole file); the earliest line wins. */
static void PRINTFLIKE(3, 4)
imp_fail(struct imp *im, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	if (im->err != NULL && (line == 0 || im->err_line == 0 ||
	    im->err_line <= line))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* The message quotes the file: keep its control bytes off a terminal. */
	for (unsigned char *p = (unsigned char *)msg; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	free(im->err);
	im->err = xstrdup(msg);
	im->err_line = line;
}

/*
 * Check the file's bytes as a whole: no NUL, valid UTF-8; 0 or -1.  A line
 * is checked up to its first NUL, so that the first problem is the one told.
 */
static int
imp_check_bytes(struct imp *im)
{
	const char *p = im->buf, *end = im->buf + im->len, *nl, *nul;
	int line = 1;

	for (;;) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		nul = memchr(p, '\0', (size_t)(nl - p));
		if (!utf8_valid(p, (size_t)((nul != NULL ? nul : nl) - p))) {
			imp_fail(im, line, "not valid UTF-8");
			return -1;
		}
		if (nul != NULL) {
			imp_fail(im, line, "NUL byte in the file");
			return -1;
		}
		if (nl == end)
			return 0;
		p = nl + 1;
		line++;
	}
}

/*
 * Check text for a name, label or other value shown to people: at most max
 * bytes, and none of the C0 or C1 controls, DEL, or the bidirectional
 * formatting characters that can make text display as something else.
 */
static const char *
imp_text_problem(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;

	if (strlen(s) > max)
		return "too long";
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return "contains a control character";
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return "contains a control character";
		if (p[0] == 0xe2 && p[1] == 0x80 &&
		    ((p[2] >= 0x8e && p[2] <= 0x8f) ||
		    (p[2] >= 0xaa && p[2] <= 0xae)))
			return "contains a bidirectional formatting character";
		if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
			return "contains a bidirectional formatting character";
	}
	return NULL;
}

/* Nonzero when s is 1..LIMIT_KEY_LEN of first then rest characters. */
static int
imp_ident_valid(const char *s, bool upper)
{
	size_t len;

	if (s == NULL || (len = strlen(s)) == 0 || len > LIMIT_KEY_LEN)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (upper && c >= 'A' && c <= 'Z');

		if (!ok && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return 0;
	}
	return 1;
}

/* Nonzero when key is a valid site, point or gateway key. */
int
site_key_valid(const char *key)
{
	return imp_ident_valid(key, false);
}

/* Nonzero when callsign is a valid guard callsign. */
int
site_callsign_valid(const char *callsign)
{
	return imp_ident_valid(callsign, true);
}

/*
 * Read a plain decimal number ("-1.5410": no exponent, no hex, no inf) at
 * *sp and advance past it; -1 when there is none.  strtod follows the
 * locale's decimal point, so the text is given to it in that form.
 */
static int
imp_number(const char **sp, double *v)
{
	const char *s = *sp, *p = s, *dp;
	char buf[64];
	int digits = 0;
	size_t n;

	if (*p == '-' || *p == '+')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	n = (size_t)(p - s);
	if (digits == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	dp = localeconv()->decimal_point;
	if (dp != NULL && dp[0] != '.' && dp[0] != '\0' && dp[1] == '\0') {
		char *dot = strchr(buf, '.');

		if (dot != NULL)
			*dot = dp[0];
	}
	*v = strtod(buf, NULL);
	if (!isfinite(*v))
		return -1;
	*sp = p;
	return 0;
}

/* Skip spaces and tabs. */
static const char *
imp_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * Read "LAT,LON" at *sp (spaces around the comma allowed when loose) and
 * check the ranges; NULL, or what is wrong.
 */
static const char *
imp_pair(const char **sp, bool loose, double *lat, double *lon)
{
	const char *s = *sp;

	if (imp_number(&s, lat) != 0)
		return "expected LAT,LON in decimal degrees";
	if (loose)
		s = imp_blank(s);
	if (*s++ != ',')
		return "expected LAT,LON in decimal degrees";
	if (loose)
		s = imp_blank(s);
	if (imp_number(&s, lon) != 0)
		return "expected LAT,LON in decimal degrees";
	if (*lat < -90.0 || *lat > 90.0)
		return "latitude must be from -90 to 90";
	if (*lon < -180.0 || *lon > 180.0)
		return "longitude must be from -180 to 180";
	*sp = s;
	return NULL;
}

/* The list of point type names, for messages. */
static void
imp_point_types(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int t = 0; t < POINT__COUNT && off < len; t++) {
		int n = snprintf(buf + off, len - off, "%s%s", t > 0 ? ", " : "",
		    point_type_name((enum point_type)t));

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* Read the waypoints of value onto o's patrol; NULL, or what is wrong. */
static const char *
imp_patrol(struct imp *im, struct imp_obj *o, const char *value)
{
	const char *s = imp_blank(value), *why;
	double lat, lon;

	if (*s == '\0')
		return "expected waypoints LAT,LON separated by spaces";
	while (*s != '\0') {
		if ((why = imp_pair(&s, false, &lat, &lon)) != NULL)
			return why;
		if (*s != '\0' && *s != ' ' && *s != '\t')
			return "expected waypoints LAT,LON separated by spaces";
		s = imp_blank(s);
		o->patrol = xrealloc(o->patrol, (o->npatrol + 1) * sizeof *o->patrol);
		o->patrol[o->npatrol].lat = lat;
		o->patrol[o->npatrol].lon = lon;
		o->patrol[o->npatrol].line = im->lineno;
		o->npatrol++;
	}
	return NULL;
}

/* Read "LAT_MIN,LON_MIN,LAT_MAX,LON_MAX" into o's bounds; NULL, or what is wrong. */
static const char *
imp_bounds(struct imp_obj *o, const char *value)
{
	const char *s = value;
	double b[4];

	for (int i = 0; i < 4; i++) {
		s = imp_blank(s);
		if (i > 0) {
			if (*s++ != ',')
				return IMP_BOUNDS_SYNTAX;
			s = imp_blank(s);
		}
		if (imp_number(&s, &b[i]) != 0)
			return IMP_BOUNDS_SYNTAX;
	}
	if (*imp_blank(s) != '\0')
		return IMP_BOUNDS_SYNTAX;
	if (b[0] < -90.0 || b[0] > 90.0 || b[2] < -90.0 || b[2] > 90.0)
		return "latitudes must be from -90 to 90";
	if (b[1] < -180.0 || b[1] > 180.0 || b[3] < -180.0 || b[3] > 180.0)
		return "longitudes must be from -180 to 180";
	if (b[0] >= b[2] || b[1] >= b[3])
		return "the minimum latitude and longitude must be below the "
		    "maximum ones";
	memcpy(o->bounds, b, sizeof b);
	o->has_bounds = true;
	return NULL;
}

/* Read value as key k of o; NULL, or what is wrong (may be a static buffer). */
static const char *
imp_value(struct imp *im, struct imp_obj *o, const struct imp_key *k,
    const char *value)
{
	static char why[256];
	char **field = (char **)((char *)o + k->off);
	const char *s = value, *problem;
	char types[128];
	size_t len;
	long n;
	char *end;
	int t;

	switch (k->val) {
	case IMP_VAL_KEY:
	case IMP_VAL_GATEWAY:
		if (!site_key_valid(value)) {
			snprintf(why, sizeof why, "\"%s\" is not a valid key (1 to "
			    "%d of a-z, 0-9, '_', '.', '-', starting with a letter "
			    "or digit)", value, LIMIT_KEY_LEN);
			return why;
		}
		*field = xstrdup(value);
		return NULL;
	case IMP_VAL_NAME:
	case IMP_VAL_TEXT:
		if (k->val == IMP_VAL_NAME && *value == '\0')
			return "must not be empty";
		if ((problem = imp_text_problem(value, LIMIT_NAME_LEN)) != NULL) {
			snprintf(why, sizeof why, "%s (at most %d bytes of "
			    "printable text)", problem, LIMIT_NAME_LEN);
			return why;
		}
		*field = xstrdup(value);
		return NULL;
	case IMP_VAL_TIMEZONE:
		len = strlen(value);
		if (len == 0 || len > LIMIT_NAME_LEN || value[0] == '/' ||
		    strstr(value, "..") != NULL ||
		    strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789/_+-") != len) {
			snprintf(why, sizeof why, "\"%s\" is not an IANA time zone "
			    "name such as Europe/London", value);
			return why;
		}
		*field = xstrdup(value);
		return NULL;
	case IMP_VAL_BOUNDS:
		return imp_bounds(o, value);
	case IMP_VAL_SECRET:
		len = strlen(value);
		for (size_t i = 0; i < len; i++)
			if (value[i] <= ' ' || value[i] > '~') {
				snprintf(why, sizeof why, "must be printable ASCII "
				    "without spaces");
				return why;
			}
		if (len < LIMIT_SECRET_MIN_LEN || len > LIMIT_SECRET_MAX_LEN) {
			snprintf(why, sizeof why, "must be %d to %d characters "
			    "(this one has %zu)", LIMIT_SECRET_MIN_LEN,
			    LIMIT_SECRET_MAX_LEN, len);
			return why;
		}
		auth_secret_hash(value, len, o->secret);
		o->has_secret = true;
		return NULL;
	case IMP_VAL_SUPERVISION:
		errno = 0;
		n = strtol(value, &end, 10);
		if (value[0] < '0' || value[0] > '9' || *end != '\0' ||
		    errno != 0 || n < GATEWAY_SUPERVISION_MIN_S ||
		    n > GATEWAY_SUPERVISION_MAX_S) {
			snprintf(why, sizeof why, "must be a number of seconds "
			    "from %d to %d", GATEWAY_SUPERVISION_MIN_S,
			    GATEWAY_SUPERVISION_MAX_S);
			return why;
		}
		o->supervision = (int)n;
		return NULL;
	case IMP_VAL_POINT_TYPE:
		if ((t = point_type_parse(value)) < 0) {
			imp_point_types(types, sizeof types);
			snprintf(why, sizeof why, "unknown point type \"%s\" "
			    "(one of %s)", value, types);
			return why;
		}
		o->type = t;
		return NULL;
	case IMP_VAL_POSITION:
		if ((problem = imp_pair(&s, true, &o->lat, &o->lon)) != NULL)
			return problem;
		if (*imp_blank(s) != '\0')
			return "expected LAT,LON in decimal degrees";
		o->has_pos = true;
		return NULL;
	case IMP_VAL_STATUS:
		t = guard_status_parse(value);
		if (t != GUARD_OFF_DUTY && t != GUARD_AVAILABLE)
			return "must be off_duty or available";
		o->status = t;
		return NULL;
	case IMP_VAL_PATROL:
		return imp_patrol(im, o, value);
	}
	return "cannot be read";
}

/* Read one [rules] entry: POINT_TYPE.EVENT_TYPE = ignore | signal | alarm N. */
static int
imp_rule(struct imp *im, const char *name, const char *value)
{
	struct imp_rule r = { .line = im->lineno };
	char pt[64], word[16];
	const char *dot = strchr(name, '.'), *s;
	char types[128];
	long n;
	char *end;
	size_t len;

	if (dot == NULL || (size_t)(dot - name) >= sizeof pt) {
		imp_fail(im, im->lineno, "[rules] \"%s\": expected "
		    "POINT_TYPE.EVENT_TYPE such as door.forced", name);
		return 0;
	}
	memcpy(pt, name, (size_t)(dot - name));
	pt[dot - name] = '\0';
	if ((r.point_type = point_type_parse(pt)) < 0) {
		imp_point_types(types, sizeof types);
		imp_fail(im, im->lineno, "[rules] \"%s\": unknown point type \"%s\" "
		    "(one of %s)", name, pt, types);
		return 0;
	}
	if ((r.event_type = event_type_parse(dot + 1)) < 0) {
		imp_fail(im, im->lineno, "[rules] \"%s\": unknown event type "
		    "\"%s\"", name, dot + 1);
		return 0;
	}
	for (size_t i = 0; i < im->nrules; i++)
		if (im->rules[i].point_type == r.point_type &&
		    im->rules[i].event_type == r.event_type) {
			imp_fail(im, im->lineno, "[rules] \"%s\" given twice "
			    "(first at line %d)", name, im->rules[i].line);
			return 0;
		}

	len = strcspn(value, " \t");
	if (len >= sizeof word)
		goto bad;
	memcpy(word, value, len);
	word[len] = '\0';
	s = imp_blank(value + len);
	if ((r.action = rule_action_parse(word)) < 0)
		goto bad;
	if (r.action == RULE_ALARM) {
		errno = 0;
		n = strtol(s, &end, 10);
		if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 ||
		    n < LIMIT_PRIORITY_MIN || n > LIMIT_PRIORITY_MAX)
			goto bad;
		r.priority = (int)n;
	} else if (*s != '\0')
		goto bad;

	if (im->nrules == im->caprules) {
		im->caprules = im->caprules != 0 ? im->caprules * 2 : 16;
		im->rules = xrealloc(im->rules, im->caprules * sizeof *im->rules);
	}
	im->rules[im->nrules++] = r;
	return 1;

bad:
	imp_fail(im, im->lineno, "[rules] %s: expected ignore, signal or alarm "
	    "PRIORITY (%d to %d)", name, LIMIT_PRIORITY_MIN, LIMIT_PRIORITY_MAX);
	return 0;
}

/* The line where o's key called name was given, or its header's line. */
static int
imp_line(const struct imp_obj *o, const char *name)
{
	for (int k = 0; k < imp_kinds[o->kind].nkeys; k++)
		if (strcmp(imp_kinds[o->kind].keys[k].name, name) == 0)
			return o->lines[k] != 0 ? o->lines[k] : o->line;
	return o->line;
}

/* The "[kind key]" of o, for messages (static buffer). */
static const char *
imp_label(const struct imp_obj *o)
{
	static char buf[LIMIT_KEY_LEN + 32];

	if (imp_kinds[o->kind].named)
		snprintf(buf, sizeof buf, "[%s %s]", imp_kinds[o->kind].name,
		    o->key != NULL ? o->key : "");
	else
		snprintf(buf, sizeof buf, "[%s]", imp_kinds[o->kind].name);
	return buf;
}

/* The inih callback: one key = value of the current section. */
static int
imp_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct imp *im = user;
	struct imp_obj *o = im->cur;
	const struct imp_key *keys;
	const char *why;
	int i, nkeys;

	if (im->skip)
		return 1;
	if (im->map_section) {
		if ((why = site_maps_key(im->maps, name, value,
		    im->lineno)) != NULL) {
			imp_fail(im, im->lineno, "%s", why);
			return 0;
		}
		return 1;
	}
	/* Residential sections and keys: access_site.c reads them. */
	if (im->access_section || (o != NULL && o->kind == IMP_POINT &&
	    strcmp(name, "access") == 0)) {
		why = im->access_section ? access_site_key(im->access, name,
		    value, im->lineno) : access_site_point_access(im->access,
		    o->key, value, im->lineno);
		if (why != NULL) {
			imp_fail(im, im->lineno, "%s", why);
			return 0;
		}
		return 1;
	}
	if (im->kind == IMP_NONE) {
		imp_fail(im, im->lineno, "\"%s\" is outside any section; a site "
		    "file starts with [site]", name);
		return 0;
	}
	if (im->continuation) {
		/* An indented line: inih gives it as more of the last key. */
		if (o != NULL && im->last_key >= 0 &&
		    imp_kinds[o->kind].keys[im->last_key].val == IMP_VAL_PATROL) {
			if ((why = imp_patrol(im, o, value)) != NULL) {
				imp_fail(im, im->lineno, "%s patrol: %s",
				    imp_label(o), why);
				return 0;
			}
			return 1;
		}
		imp_fail(im, im->lineno, "indented line continues \"%s\"; only "
		    "patrol may span several lines", name);
		return 0;
	}
	if (im->kind == IMP_RULES)
		return imp_rule(im, name, value);

	keys = imp_kinds[o->kind].keys;
	nkeys = imp_kinds[o->kind].nkeys;
	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			break;
	if (i == nkeys) {
		imp_fail(im, im->lineno, "unknown key \"%s\" in %s", name,
		    imp_label(o));
		return 0;
	}
	im->last_key = i;
	if (o->lines[i] != 0) {
		imp_fail(im, im->lineno, "%s %s given twice (first at line %d)",
		    imp_label(o), name, o->lines[i]);
		return 0;
	}
	o->lines[i] = im->lineno;
	if ((why = imp_value(im, o, &keys[i], value)) != NULL) {
		imp_fail(im, im->lineno, "%s %s: %s", imp_label(o), name, why);
		return 0;
	}
	return 1;
}

/* Start the section whose header text (between the brackets) is text. */
static void
imp_section(struct imp *im, char *text)
{
	char *word, *arg, *extra, *save = NULL;
	const char *why;
	struct imp_obj *o;
	int kind;

	im->cur = NULL;
	im->kind = IMP_NONE;
	im->skip = true;
	im->last_key = -1;
	im->map_section = false;
	{
		const char *mwhy;

		if (site_maps_section(im->maps, text, im->lineno, &mwhy)) {
			if (im->site.line == 0)
				imp_fail(im, im->lineno, "[%s] comes before "
				    "[site]; a site file starts with [site]",
				    text);
			else if (mwhy != NULL)
				imp_fail(im, im->lineno, "%s", mwhy);
			else {
				im->map_section = true;
				im->skip = false;
			}
			return;
		}
	}
	im->access_section = false;
	if (access_site_section(im->access, text, im->lineno, &why) != 0) {
		if (im->site.line == 0)
			imp_fail(im, im->lineno, "[%s] comes before [site]; a site "
			    "file starts with [site]", text);
		else if (why != NULL)
			imp_fail(im, im->lineno, "%s", why);
		else
			im->access_section = true, im->skip = false;
		return;
	}
	word = strtok_r(text, " \t", &save);
	arg = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (word == NULL) {
		imp_fail(im, im->lineno, "empty section name");
		return;
	}
	for (kind = IMP_SITE; kind < IMP__COUNT; kind++)
		if (strcmp(imp_kinds[kind].name, word) == 0)
			break;
	if (kind == IMP__COUNT) {
		imp_fail(im, im->lineno, "unknown section [%s] (one of [site], "
		    "[gateway KEY], [point KEY], [guard CALLSIGN], [rules])", word);
		return;
	}
	if (imp_kinds[kind].named && (arg == NULL || extra != NULL)) {
		imp_fail(im, im->lineno, "expected [%s %s]", word,
		    kind == IMP_GUARD ? "CALLSIGN" : "KEY");
		return;
	}
	if (!imp_kinds[kind].named && arg != NULL) {
		imp_fail(im, im->lineno, "[%s] takes no name", word);
		return;
	}
	if (kind != IMP_SITE && im->site.line == 0) {
		imp_fail(im, im->lineno, "[%s] comes before [site]; a site file "
		    "starts with [site]", word);
		return;
	}

	switch (kind) {
	case IMP_SITE:
		if (im->site.line != 0) {
			imp_fail(im, im->lineno, "[site] given twice (first at "
			    "line %d); one site per file", im->site.line);
			return;
		}
		im->site.line = im->lineno;
		im->cur = &im->site;
		break;
	case IMP_RULES:
		if (im->rules_line != 0) {
			imp_fail(im, im->lineno, "[rules] given twice (first at "
			    "line %d)", im->rules_line);
			return;
		}
		im->rules_line = im->lineno;
		break;
	default:
		if (kind == IMP_GUARD ? !site_callsign_valid(arg) :
		    !site_key_valid(arg)) {
			imp_fail(im, im->lineno, "[%s %s]: not a valid %s (1 to %d "
			    "of %s, '_', '.', '-', starting with a letter or "
			    "digit)", word, arg, kind == IMP_GUARD ? "callsign" :
			    "key", LIMIT_KEY_LEN, kind == IMP_GUARD ? "A-Z, a-z, "
			    "0-9" : "a-z, 0-9");
			return;
		}
		o = xcalloc(1, sizeof *o);
		o->kind = (enum imp_kind)kind;
		o->line = im->lineno;
		o->key = xstrdup(arg);
		o->supervision = GATEWAY_SUPERVISION_DEFAULT_S;
		o->status = GUARD_OFF_DUTY;
		if (im->nobjs == im->capobjs) {
			im->capobjs = im->capobjs != 0 ? im->capobjs * 2 : 64;
			im->objs = xrealloc(im->objs, im->capobjs * sizeof *im->objs);
		}
		im->objs[im->nobjs++] = o;
		im->cur = o;
		break;
	}
	im->kind = (enum imp_kind)kind;
	im->skip = false;
}

/*
 * Look at a line before inih does, the same way it will: note comments,
 * continuation lines (an indented line after a key continues its value),
 * section headers (which we read ourselves) and key lines.
 */
static void
imp_classify(struct imp *im, char *line)
{
	char *start = line, *end, *rest;

	if (im->lineno == 1 && memcmp(start, "\xef\xbb\xbf", 3) == 0)
		start += 3;
	while (*start == ' ' || *start == '\t' || *start == '\r' ||
	    *start == '\n' || *start == '\f' || *start == '\v')
		start++;
	if (*start == '\0' || *start == ';' || *start == '#')
		return;
	if (im->prev_key && start > line) {
		im->continuation = true;
		return;
	}
	if (*start != '[') {
		im->prev_key = true;
		return;
	}
	im->prev_key = false;
	if ((end = strchr(start, ']')) == NULL) {
		imp_fail(im, im->lineno, "section header without \"]\"");
		im->cur = NULL;
		im->kind = IMP_NONE;
		im->skip = true;
		return;
	}
	rest = end + 1;
	while (*rest == ' ' || *rest == '\t' || *rest == '\r' || *rest == '\n')
		rest++;
	if (*rest != '\0' && *rest != ';' && *rest != '#') {
		imp_fail(im, im->lineno, "unexpected text after \"]\"");
		im->cur = NULL;
		im->kind = IMP_NONE;
		im->skip = true;
		return;
	}
	{
		char *text = xstrndup(start + 1, (size_t)(end - start - 1));

		imp_section(im, text);
		free(text);
	}
}

/*
 * The inih reader: the next line of the file.  A line longer than inih's
 * buffer would be cut by it; it is refused here instead, and inih is handed a
 * blank line.
 */
static char *
imp_reader(char *str, int num, void *stream)
{
	struct imp *im = stream;
	const char *line, *nl;
	size_t n;

	if (im->off >= im->len || num < 2)
		return NULL;
	line = im->buf + im->off;
	nl = memchr(line, '\n', im->len - im->off);
	n = nl != NULL ? (size_t)(nl - line) + 1 : im->len - im->off;
	im->off += n;
	im->lineno++;
	im->continuation = false;
	if (n + 1 > (size_t)num) {
		imp_fail(im, im->lineno, "line longer than %d characters (a "
		    "patrol may continue on indented lines)", num - 2);
		memcpy(str, "\n", 2);
		return str;
	}
	memcpy(str, line, n);
	str[n] = '\0';
	imp_classify(im, str);
	return str;
}

/* Order objects by kind, key and line. */
static int
imp_cmp(const void *a, const void *b)
{
	const struct imp_obj *x = *(struct imp_obj *const *)a;
	const struct imp_obj *y = *(struct imp_obj *const *)b;
	int c;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The object of kind called key in the file, or NULL. */
static struct imp_obj *
imp_find(struct imp *im, enum imp_kind kind, const char *key)
{
	struct imp_obj probe = { .kind = kind, .key = (char *)key, .line = 0 };
	struct imp_obj *p = &probe, **found;
	size_t lo = 0, hi = im->nobjs;

	/* The first element not below (kind, key, 0). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (imp_cmp(&im->sorted[mid], &p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == im->nobjs)
		return NULL;
	found = &im->sorted[lo];
	if ((*found)->kind != kind || strcmp((*found)->key, key) != 0)
		return NULL;
	return *found;
}

/* True when lat, lon is inside the site's bounds (or there are none). */
static bool
imp_inside(const struct imp *im, double lat, double lon)
{
	const double *b = im->site.bounds;

	if (!im->site.has_bounds)
		return true;
	return lat >= b[0] && lat <= b[2] && lon >= b[1] && lon <= b[3];
}

/* Whether the file has a point called key (for the maps' legends). */
static bool
imp_has_point(void *arg, const char *key)
{
	return imp_find(arg, IMP_POINT, key) != NULL;
}

/* Check the file as a whole once every line has been read. */
static void
imp_check_file(struct imp *im)
{
	const struct imp_key *keys;
	struct imp_obj *o;

	if (im->site.line == 0) {
		imp_fail(im, 0, "no [site] section");
		return;
	}
	im->sorted = xcalloc(im->nobjs + 1, sizeof *im->sorted);
	if (im->nobjs > 0)
		memcpy(im->sorted, im->objs, im->nobjs * sizeof *im->sorted);
	qsort(im->sorted, im->nobjs, sizeof *im->sorted, imp_cmp);
	for (size_t i = 1; i < im->nobjs; i++) {
		struct imp_obj *a = im->sorted[i - 1], *b = im->sorted[i];

		if (a->kind == b->kind && strcmp(a->key, b->key) == 0)
			imp_fail(im, b->line, "%s given twice (first at line %d)",
			    imp_label(b), a->line);
	}
	for (size_t i = 0; i <= im->nobjs; i++) {
		o = i == 0 ? &im->site : im->objs[i - 1];
		keys = imp_kinds[o->kind].keys;
		for (int k = 0; k < imp_kinds[o->kind].nkeys; k++)
			if (keys[k].required && o->lines[k] == 0)
				imp_fail(im, o->line, "%s: missing %s", imp_label(o),
				    keys[k].name);
	}

	for (size_t i = 0; i < im->nobjs; i++) {
		o = im->objs[i];
		if (o->kind == IMP_POINT && o->has_pos &&
		    !imp_inside(im, o->lat, o->lon))
			imp_fail(im, imp_line(o, "position"), "%s position: %.6f,%.6f is "
			    "outside the site's bounds", imp_label(o), o->lat,
			    o->lon);
		if (o->kind == IMP_GUARD)
			for (size_t w = 0; w < o->npatrol; w++)
				if (!imp_inside(im, o->patrol[w].lat,
				    o->patrol[w].lon))
					imp_fail(im, o->patrol[w].line, "%s patrol: "
					    "waypoint %.6f,%.6f is outside the "
					    "site's bounds", imp_label(o),
					    o->patrol[w].lat, o->patrol[w].lon);
	}
	for (size_t i = 0; i < im->nobjs; i++)
		if (im->objs[i]->kind == IMP_POINT)
			access_site_point(im->access, im->objs[i]->key,
			    im->objs[i]->type, im->objs[i]->line);
	{
		const char *why;
		int line = 0;

		if ((why = access_site_check(im->access, &line)) != NULL)
			imp_fail(im, line, "%s", why);
	}
	if (im->err == NULL) {
		const char *mwhy;
		int mline = 0;

		/* Every map is read and checked before anything is written. */
		if ((mwhy = site_maps_check(im->maps, im->site.key,
		    imp_has_point, im, &mline)) != NULL)
			imp_fail(im, mline, "%s", mwhy);
	}
}

/* Bind a REAL, or NULL when absent. */
static void
imp_bind_real(sqlite3_stmt *s, int i, bool present, double v)
{
	if (present)
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* A column as a JSON string ("" for NULL). */
static json_t *
imp_col_str(sqlite3_stmt *s, int i)
{
	return json_string(store_col_text(s, i));
}

/* Text or "" as a new JSON string. */
static json_t *
imp_str(const char *s)
{
	return json_string(s != NULL ? s : "");
}

/* A pair of optional reals as [a, b], or null. */
static json_t *
imp_pos_json(bool present, double a, double b)
{
	if (!present)
		return json_null();
	return json_pack("[f, f]", a, b);
}

/* Does the stored hash in column i equal hash (or both absent)? */
static bool
imp_col_hash_equal(sqlite3_stmt *s, int i, bool present,
    const unsigned char *hash)
{
	if (sqlite3_column_type(s, i) != SQLITE_BLOB)
		return !present;
	return present && sqlite3_column_bytes(s, i) == IMP_SECRET_HASH_LEN &&
	    memcmp(sqlite3_column_blob(s, i), hash, IMP_SECRET_HASH_LEN) == 0;
}

/*
 * Compare what is stored (before) with what the file says (after), objects of
 * the same shape: the fields that differ as {"f":{"before":..,"after":..}},
 * or NULL when none does.
 */
static json_t *
imp_diff(json_t *before, json_t *after)
{
	json_t *changed = json_object(), *b;
	const char *field;
	json_t *a;

	json_object_foreach(after, field, a) {
		b = json_object_get(before, field);
		if (b != NULL && json_equal(a, b))
			continue;
		json_object_set_new(changed, field, json_pack("{s:O, s:O}",
		    "before", b != NULL ? b : json_null(), "after", a));
	}
	if (json_object_size(changed) == 0) {
		json_decref(changed);
		return NULL;
	}
	return changed;
}

/*
 * Record the outcome for one object: count it and append its audit entry.
 * fields is what the file says (stolen), before what was stored (stolen;
 * NULL when the object is new); secret_changed adds "secret" to the changes
 * without ever showing it.  0 or -1.
 */
static int
imp_record(struct imp *im, struct site_import_count *count, const char *action,
    const char *object_type, const char *object_id, int64_t site_id,
    json_t *fields, json_t *before, const char *secret_change, const char *file,
    bool *write)
{
	struct audit_actor actor = { "system", "vigild", "site import" };
	json_t *details, *changed = NULL;
	int rc = 0;

	*write = true;
	if (before == NULL) {
		details = json_deep_copy(fields);
		json_object_set_new(details, "key", json_string(object_id));
		json_object_set_new(details, "created", json_true());
		count->created++;
	} else {
		changed = imp_diff(before, fields);
		if (secret_change != NULL) {
			if (changed == NULL)
				changed = json_object();
			json_object_set_new(changed, "secret",
			    json_string(secret_change));
		}
		if (changed == NULL) {
			count->unchanged++;
			*write = false;
			json_decref(fields);
			json_decref(before);
			return 0;
		}
		details = json_pack("{s:s, s:o}", "key", object_id, "changed",
		    changed);
		count->updated++;
	}
	if (details == NULL)
		fatal("site import: cannot build audit details");
	if (file != NULL)
		json_object_set_new(details, "file", json_string(file));
	if (audit_append(im->srv->st, &actor, action, object_type, object_id,
	    site_id, details, "ok", im->now) < 0)
		rc = -1;
	json_decref(details);
	json_decref(fields);
	json_decref(before);
	return rc;
}

/* Step a write statement; 0, or -1 with the store's message recorded. */
static int
imp_step(struct imp *im, sqlite3_stmt *s, int line, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		imp_fail(im, line, "cannot store %s: %s", what,
		    store_errmsg(im->srv->st));
		return -1;
	}
	return 0;
}

/* Create or update the site; sets im->site.id.  0 or -1. */
static int
imp_write_site(struct imp *im)
{
	static const char sql_get[] =
	    "SELECT id, name, address, timezone, grp, lat_min, lon_min, lat_max,"
	    " lon_max FROM sites WHERE key = ?";
	static const char sql_insert[] =
	    "INSERT INTO sites (key, name, address, timezone, grp, lat_min,"
	    " lon_min, lat_max, lon_max, created_ms, updated_ms)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char sql_update[] =
	    "UPDATE sites SET name = ?, address = ?, timezone = ?, grp = ?,"
	    " lat_min = ?, lon_min = ?, lat_max = ?, lon_max = ?, updated_ms = ?"
	    " WHERE id = ?";
	struct imp_obj *o = &im->site;
	const char *tz = o->timezone != NULL ? o->timezone : "UTC";
	json_t *fields, *before = NULL, *bounds;
	sqlite3_stmt *s;
	bool write, exists = false;

	bounds = o->has_bounds ? json_pack("[f, f, f, f]", o->bounds[0],
	    o->bounds[1], o->bounds[2], o->bounds[3]) : json_null();
	fields = json_pack("{s:s, s:o, s:s, s:o, s:o}", "name", o->name,
	    "address", imp_str(o->address), "timezone", tz,
	    "group", imp_str(o->group), "bounds", bounds);

	s = store_stmt(im->srv->st, sql_get);
	store_bind_text(s, 1, o->key);
	if (sqlite3_step(s) == SQLITE_ROW) {
		exists = true;
		o->id = sqlite3_column_int64(s, 0);
		bounds = sqlite3_column_type(s, 5) == SQLITE_NULL ? json_null() :
		    json_pack("[o, o, o, o]", rowjson_real(s, 5),
		    rowjson_real(s, 6), rowjson_real(s, 7), rowjson_real(s, 8));
		before = json_pack("{s:o, s:o, s:o, s:o, s:o}",
		    "name", imp_col_str(s, 1), "address", imp_col_str(s, 2),
		    "timezone", imp_col_str(s, 3), "group", imp_col_str(s, 4),
		    "bounds", bounds);
	}
	sqlite3_reset(s);

	if (!exists) {
		s = store_stmt(im->srv->st, sql_insert);
		store_bind_text(s, 1, o->key);
		store_bind_text(s, 2, o->name);
		store_bind_text(s, 3, o->address != NULL ? o->address : "");
		store_bind_text(s, 4, tz);
		store_bind_text(s, 5, o->group != NULL ? o->group : "");
		for (int i = 0; i < 4; i++)
			imp_bind_real(s, 6 + i, o->has_bounds, o->bounds[i]);
		store_bind_int(s, 10, im->now);
		store_bind_int(s, 11, im->now);
		if (imp_step(im, s, o->line, "the site") != 0) {
			json_decref(fields);
			return -1;
		}
		o->id = sqlite3_last_insert_rowid(store_db(im->srv->st));
	}
	if (imp_record(im, &im->stats.sites, "site.import", "site", o->key,
	    o->id, fields, before, NULL, im->path, &write) != 0)
		return -1;
	if (!write || !exists)
		return 0;

	s = store_stmt(im->srv->st, sql_update);
	store_bind_text(s, 1, o->name);
	store_bind_text(s, 2, o->address != NULL ? o->address : "");
	store_bind_text(s, 3, tz);
	store_bind_text(s, 4, o->group != NULL ? o->group : "");
	for (int i = 0; i < 4; i++)
		imp_bind_real(s, 5 + i, o->has_bounds, o->bounds[i]);
	store_bind_int(s, 9, im->now);
	store_bind_int(s, 10, o->id);
	return imp_step(im, s, o->line, "the site");
}

/*
 * Check what the store holds against the file before anything is written:
 * gateway keys and callsigns are unique across sites, and a point may name a
 * gateway imported for this site earlier.
 */
static void
imp_check_store(struct imp *im)
{
	static const char sql_gateway[] =
	    "SELECT s.key FROM gateways g JOIN sites s ON s.id = g.site_id"
	    " WHERE g.key = ?";
	static const char sql_guard[] =
	    "SELECT s.key FROM guards g LEFT JOIN sites s ON s.id = g.site_id"
	    " WHERE g.callsign = ?";
	struct imp_obj *o;
	sqlite3_stmt *s;
	int rc;

	for (size_t i = 0; i < im->nobjs; i++) {
		o = im->objs[i];
		switch (o->kind) {
		case IMP_GATEWAY:
		case IMP_GUARD:
			s = store_stmt(im->srv->st, o->kind == IMP_GATEWAY ?
			    sql_gateway : sql_guard);
			store_bind_text(s, 1, o->key);
			if (sqlite3_step(s) == SQLITE_ROW &&
			    sqlite3_column_type(s, 0) != SQLITE_NULL &&
			    strcmp(store_col_text(s, 0), im->site.key) != 0)
				imp_fail(im, o->line, "%s belongs to site \"%s\"; "
				    "%s are unique across sites", imp_label(o),
				    store_col_text(s, 0), o->kind == IMP_GATEWAY ?
				    "gateway keys" : "callsigns");
			sqlite3_reset(s);
			break;
		case IMP_POINT:
			if (imp_find(im, IMP_GATEWAY, o->gateway) != NULL)
				break;
			s = store_stmt(im->srv->st, sql_gateway);
			store_bind_text(s, 1, o->gateway);
			rc = sqlite3_step(s);
			if (rc != SQLITE_ROW)
				imp_fail(im, imp_line(o, "gateway"), "%s gateway: no [gateway "
				    "%s] in this file or at site \"%s\"",
				    imp_label(o), o->gateway, im->site.key);
			else if (strcmp(store_col_text(s, 0), im->site.key) != 0)
				imp_fail(im, imp_line(o, "gateway"), "%s gateway: %s belongs "
				    "to site \"%s\"", imp_label(o), o->gateway,
				    store_col_text(s, 0));
			sqlite3_reset(s);
			break;
		default:
			break;
		}
	}
}

/* Create or update a gateway; sets o->id.  0 or -1. */
static int
imp_write_gateway(struct imp *im, struct imp_obj *o)
{
	static const char sql_get[] =
	    "SELECT id, name, supervision_s, secret_hash FROM gateways"
	    " WHERE key = ?";
	static const char sql_insert[] =
	    "INSERT INTO gateways (site_id, key, name, secret_hash, supervision_s)"
	    " VALUES (?, ?, ?, ?, ?)";
	static const char sql_update[] =
	    "UPDATE gateways SET name = ?, secret_hash = ?, supervision_s = ?"
	    " WHERE id = ?";
	json_t *fields, *before = NULL;
	const char *secret_change = NULL;
	sqlite3_stmt *s;
	bool write;

	fields = json_pack("{s:s, s:s, s:i}", "site", im->site.key, "name",
	    o->name, "supervision_s", o->supervision);
	s = store_stmt(im->srv->st, sql_get);
	store_bind_text(s, 1, o->key);
	if (sqlite3_step(s) == SQLITE_ROW) {
		o->id = sqlite3_column_int64(s, 0);
		before = json_pack("{s:s, s:o, s:i}", "site", im->site.key,
		    "name", imp_col_str(s, 1), "supervision_s",
		    sqlite3_column_int(s, 2));
		if (!imp_col_hash_equal(s, 3, true, o->secret))
			secret_change = "replaced";
	}
	sqlite3_reset(s);

	if (imp_record(im, &im->stats.gateways, "gateway.import", "gateway",
	    o->key, im->site.id, fields, before, secret_change, NULL, &write) != 0)
		return -1;
	if (!write)
		return 0;
	s = store_stmt(im->srv->st, o->id == 0 ? sql_insert : sql_update);
	if (o->id == 0) {
		store_bind_int(s, 1, im->site.id);
		store_bind_text(s, 2, o->key);
		store_bind_text(s, 3, o->name);
		sqlite3_bind_blob(s, 4, o->secret, IMP_SECRET_HASH_LEN,
		    SQLITE_TRANSIENT);
		store_bind_int(s, 5, o->supervision);
	} else {
		store_bind_text(s, 1, o->name);
		sqlite3_bind_blob(s, 2, o->secret, IMP_SECRET_HASH_LEN,
		    SQLITE_TRANSIENT);
		store_bind_int(s, 3, o->supervision);
		store_bind_int(s, 4, o->id);
	}
	if (imp_step(im, s, o->line, "the gateway") != 0)
		return -1;
	if (o->id == 0)
		o->id = sqlite3_last_insert_rowid(store_db(im->srv->st));
	return 0;
}

/* The id of a point's gateway: from this file, else the store; 0 if none. */
static int64_t
imp_gateway_id(struct imp *im, const char *key)
{
	static const char sql[] = "SELECT id FROM gateways WHERE key = ?";
	struct imp_obj *g = imp_find(im, IMP_GATEWAY, key);
	sqlite3_stmt *s;
	int64_t id = 0;

	if (g != NULL)
		return g->id;
	s = store_stmt(im->srv->st, sql);
	store_bind_text(s, 1, key);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return id;
}

/* Create or update a point.  0 or -1. */
static int
imp_write_point(struct imp *im, struct imp_obj *o)
{
	static const char sql_get[] =
	    "SELECT p.id, p.label, p.type, g.key, p.building, p.floor, p.zone,"
	    " p.controller, p.lat, p.lon FROM points p"
	    " LEFT JOIN gateways g ON g.id = p.gateway_id"
	    " WHERE p.site_id = ? AND p.key = ?";
	static const char sql_insert[] =
	    "INSERT INTO points (label, type, gateway_id, building, floor, zone,"
	    " controller, lat, lon, site_id, key)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char sql_update[] =
	    "UPDATE points SET label = ?, type = ?, gateway_id = ?, building = ?,"
	    " floor = ?, zone = ?, controller = ?, lat = ?, lon = ?"
	    " WHERE site_id = ? AND key = ?";
	const char *type = point_type_name((enum point_type)o->type);
	json_t *fields, *before = NULL;
	int64_t gateway_id;
	sqlite3_stmt *s;
	bool write;

	if ((gateway_id = imp_gateway_id(im, o->gateway)) == 0) {
		imp_fail(im, imp_line(o, "gateway"), "%s gateway: no gateway \"%s\"",
		    imp_label(o), o->gateway);
		return -1;
	}
	fields = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}",
	    "site", im->site.key, "label", o->name, "type", type,
	    "gateway", o->gateway, "building", imp_str(o->building),
	    "floor", imp_str(o->floor), "zone", imp_str(o->zone),
	    "controller", imp_str(o->controller),
	    "position", imp_pos_json(o->has_pos, o->lat, o->lon));
	s = store_stmt(im->srv->st, sql_get);
	store_bind_int(s, 1, im->site.id);
	store_bind_text(s, 2, o->key);
	if (sqlite3_step(s) == SQLITE_ROW) {
		o->id = sqlite3_column_int64(s, 0);
		before = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		    "site", im->site.key, "label", imp_col_str(s, 1),
		    "type", imp_col_str(s, 2), "gateway", imp_col_str(s, 3),
		    "building", imp_col_str(s, 4), "floor", imp_col_str(s, 5),
		    "zone", imp_col_str(s, 6), "controller", imp_col_str(s, 7),
		    "position", sqlite3_column_type(s, 8) == SQLITE_NULL ?
		    json_null() : json_pack("[o, o]", rowjson_real(s, 8),
		    rowjson_real(s, 9)));
	}
	sqlite3_reset(s);

	if (imp_record(im, &im->stats.points, "point.import", "point", o->key,
	    im->site.id, fields, before, NULL, NULL, &write) != 0)
		return -1;
	if (!write)
		return 0;
	s = store_stmt(im->srv->st, o->id == 0 ? sql_insert : sql_update);
	store_bind_text(s, 1, o->name);
	store_bind_text(s, 2, type);
	store_bind_int(s, 3, gateway_id);
	store_bind_text(s, 4, o->building != NULL ? o->building : "");
	store_bind_text(s, 5, o->floor != NULL ? o->floor : "");
	store_bind_text(s, 6, o->zone != NULL ? o->zone : "");
	store_bind_text(s, 7, o->controller != NULL ? o->controller : "");
	imp_bind_real(s, 8, o->has_pos, o->lat);
	imp_bind_real(s, 9, o->has_pos, o->lon);
	store_bind_int(s, 10, im->site.id);
	store_bind_text(s, 11, o->key);
	if (imp_step(im, s, o->line, "the point") != 0)
		return -1;
	if (o->id == 0)
		o->id = sqlite3_last_insert_rowid(store_db(im->srv->st));
	return 0;
}

/*
 * Create or update a guard.  The status is the file's only for a new guard:
 * after that it is the control room's to change.  0 or -1.
 */
static int
imp_write_guard(struct imp *im, struct imp_obj *o)
{
	static const char sql_get[] =
	    "SELECT g.id, s.key, g.name, g.device_secret_hash FROM guards g"
	    " LEFT JOIN sites s ON s.id = g.site_id WHERE g.callsign = ?";
	static const char sql_insert[] =
	    "INSERT INTO guards (site_id, callsign, name, device_secret_hash,"
	    " status, status_ms) VALUES (?, ?, ?, ?, ?, ?)";
	static const char sql_update[] =
	    "UPDATE guards SET site_id = ?, name = ?, device_secret_hash = ?"
	    " WHERE id = ?";
	const char *status = guard_status_name((enum guard_status)o->status);
	const char *secret_change = NULL;
	json_t *fields, *before = NULL;
	sqlite3_stmt *s;
	bool write;

	fields = json_pack("{s:s, s:s, s:b}", "site", im->site.key, "name",
	    o->name, "device", o->has_secret);
	s = store_stmt(im->srv->st, sql_get);
	store_bind_text(s, 1, o->key);
	if (sqlite3_step(s) == SQLITE_ROW) {
		o->id = sqlite3_column_int64(s, 0);
		before = json_pack("{s:o, s:o, s:b}", "site",
		    sqlite3_column_type(s, 1) == SQLITE_NULL ? json_null() :
		    imp_col_str(s, 1), "name", imp_col_str(s, 2), "device",
		    sqlite3_column_type(s, 3) == SQLITE_BLOB);
		if (!imp_col_hash_equal(s, 3, o->has_secret, o->secret))
			secret_change = !o->has_secret ? "removed" :
			    sqlite3_column_type(s, 3) == SQLITE_BLOB ? "replaced" :
			    "set";
	} else
		json_object_set_new(fields, "status", json_string(status));
	sqlite3_reset(s);

	if (imp_record(im, &im->stats.guards, "guard.import", "guard", o->key,
	    im->site.id, fields, before, secret_change, NULL, &write) != 0)
		return -1;
	if (!write)
		return 0;
	s = store_stmt(im->srv->st, o->id == 0 ? sql_insert : sql_update);
	store_bind_int(s, 1, im->site.id);
	if (o->id == 0) {
		store_bind_text(s, 2, o->key);
		store_bind_text(s, 3, o->name);
		if (o->has_secret)
			sqlite3_bind_blob(s, 4, o->secret, IMP_SECRET_HASH_LEN,
			    SQLITE_TRANSIENT);
		store_bind_text(s, 5, status);
		store_bind_int(s, 6, im->now);
	} else {
		store_bind_text(s, 2, o->name);
		if (o->has_secret)
			sqlite3_bind_blob(s, 3, o->secret, IMP_SECRET_HASH_LEN,
			    SQLITE_TRANSIENT);
		store_bind_int(s, 4, o->id);
	}
	if (imp_step(im, s, o->line, "the guard") != 0)
		return -1;
	if (o->id == 0)
		o->id = sqlite3_last_insert_rowid(store_db(im->srv->st));
	return 0;
}

/* Create or update a rule override of the site.  0 or -1. */
static int
imp_write_rule(struct imp *im, const struct imp_rule *r)
{
	static const char sql_get[] =
	    "SELECT action, priority FROM rules"
	    " WHERE site_id = ? AND point_type = ? AND event_type = ?";
	static const char sql_insert[] =
	    "INSERT INTO rules (action, priority, site_id, point_type, event_type)"
	    " VALUES (?, ?, ?, ?, ?)";
	static const char sql_update[] =
	    "UPDATE rules SET action = ?, priority = ?"
	    " WHERE site_id = ? AND point_type = ? AND event_type = ?";
	const char *pt = point_type_name((enum point_type)r->point_type);
	const char *et = event_type_name((enum event_type)r->event_type);
	const char *action = rule_action_name((enum rule_action)r->action);
	json_t *fields, *before = NULL;
	sqlite3_stmt *s;
	char id[64];
	bool write, exists = false;

	snprintf(id, sizeof id, "%s.%s", pt, et);
	fields = json_pack("{s:s, s:s, s:o}", "site", im->site.key, "action",
	    action, "priority", r->priority != 0 ? json_integer(r->priority) :
	    json_null());
	s = store_stmt(im->srv->st, sql_get);
	store_bind_int(s, 1, im->site.id);
	store_bind_text(s, 2, pt);
	store_bind_text(s, 3, et);
	if (sqlite3_step(s) == SQLITE_ROW) {
		exists = true;
		before = json_pack("{s:s, s:o, s:o}", "site", im->site.key,
		    "action", imp_col_str(s, 0), "priority",
		    sqlite3_column_type(s, 1) == SQLITE_NULL ? json_null() :
		    json_integer(sqlite3_column_int64(s, 1)));
	}
	sqlite3_reset(s);

	if (imp_record(im, &im->stats.rules, "rule.import", "rule", id,
	    im->site.id, fields, before, NULL, NULL, &write) != 0)
		return -1;
	if (!write)
		return 0;
	s = store_stmt(im->srv->st, exists ? sql_update : sql_insert);
	store_bind_text(s, 1, action);
	if (r->priority != 0)
		store_bind_int(s, 2, r->priority);
	store_bind_int(s, 3, im->site.id);
	store_bind_text(s, 4, pt);
	store_bind_text(s, 5, et);
	return imp_step(im, s, r->line, "the rule");
}

/* Write everything the file says, in the open transaction.  0 or -1. */
static int
imp_write(struct imp *im)
{
	if (imp_write_site(im) != 0)
		return -1;
	for (int pass = IMP_GATEWAY; pass <= IMP_GUARD; pass++) {
		for (size_t i = 0; i < im->nobjs; i++) {
			struct imp_obj *o = im->objs[i];
			int rc = 0;

			if ((int)o->kind != pass)
				continue;
			switch (o->kind) {
			case IMP_GATEWAY:
				rc = imp_write_gateway(im, o);
				break;
			case IMP_POINT:
				rc = imp_write_point(im, o);
				break;
			case IMP_GUARD:
				rc = imp_write_guard(im, o);
				break;
			default:
				break;
			}
			if (rc != 0)
				return -1;
		}
	}
	for (size_t i = 0; i < im->nrules; i++)
		if (imp_write_rule(im, &im->rules[i]) != 0)
			return -1;
	{
		const char *mwhy;

		if (site_maps_write(im->maps, im->srv->st, im->site.id,
		    im->site.key, im->now, &im->stats.maps.created,
		    &im->stats.maps.updated, &im->stats.maps.unchanged,
		    &mwhy) != 0) {
			imp_fail(im, 0, "%s", mwhy);
			return -1;
		}
	}
	{
		const char *why;

		if (access_site_write(im->access, im->srv->st, im->site.id,
		    im->now, &why) != 0) {
			imp_fail(im, 0, "%s: %s", why, store_errmsg(im->srv->st));
			return -1;
		}
	}
	return 0;
}

/* Read the file at path whole, refusing one over LIMIT_SITE_FILE_BYTES. */
static int
imp_read(struct imp *im)
{
	FILE *f;
	size_t n;

	if ((f = fopen(im->path, "rb")) == NULL) {
		imp_fail(im, 0, "%s", strerror(errno));
		return -1;
	}
	im->buf = xmalloc(LIMIT_SITE_FILE_BYTES + 2);
	n = fread(im->buf, 1, LIMIT_SITE_FILE_BYTES + 1, f);
	if (ferror(f)) {
		imp_fail(im, 0, "%s", strerror(errno != 0 ? errno : EIO));
		fclose(f);
		return -1;
	}
	fclose(f);
	if (n > LIMIT_SITE_FILE_BYTES) {
		imp_fail(im, 0, "larger than %d bytes", LIMIT_SITE_FILE_BYTES);
		return -1;
	}
	im->buf[n] = '\0';
	im->len = n;
	return 0;
}

/* Free one object as read. */
static void
imp_obj_release(struct imp_obj *o)
{
	free(o->key);
	free(o->name);
	free(o->address);
	free(o->timezone);
	free(o->group);
	free(o->building);
	free(o->floor);
	free(o->zone);
	free(o->controller);
	free(o->gateway);
	free(o->patrol);
	sodium_memzero(o->secret, sizeof o->secret);
}

/* Free everything an import holds; the file's text (secrets) is wiped. */
static void
imp_release(struct imp *im)
{
	imp_obj_release(&im->site);
	for (size_t i = 0; i < im->nobjs; i++) {
		imp_obj_release(im->objs[i]);
		free(im->objs[i]);
	}
	free(im->objs);
	free(im->sorted);
	free(im->rules);
	site_maps_free(im->maps);
	access_site_free(im->access);
	if (im->buf != NULL) {
		sodium_memzero(im->buf, im->len);
		free(im->buf);
	}
	free(im->err);
}

/* Import the site file at path. */
int
site_import_file(struct server *srv, const char *path,
    struct site_import_stats *stats, char **cause)
{
	struct imp im;
	int rc = -1, line;

	memset(&im, 0, sizeof im);
	im.srv = srv;
	im.path = path;
	im.kind = IMP_NONE;
	im.last_key = -1;
	im.site.kind = IMP_SITE;
	im.now = vtime_now_ms();
	im.maps = site_maps_new(path);
	im.access = access_site_new();

	if (imp_read(&im) != 0 || imp_check_bytes(&im) != 0)
		goto out;
	line = ini_parse_stream(imp_reader, &im, imp_handler, &im);
	if (line != 0 && (im.err == NULL || im.err_line == 0 ||
	    line < im.err_line)) {
		if (line < 0)
			imp_fail(&im, 0, "cannot be parsed (out of memory)");
		else
			imp_fail(&im, line, "expected \"[section]\" or "
			    "\"key = value\"");
	}
	if (im.err != NULL)
		goto out;
	imp_check_file(&im);
	if (im.err != NULL)
		goto out;

	if (txn_begin(srv) != 0) {
		imp_fail(&im, 0, "cannot begin a transaction: %s",
		    store_errmsg(srv->st));
		goto out;
	}
	imp_check_store(&im);
	if (im.err != NULL || imp_write(&im) != 0) {
		txn_abort(srv);
		if (im.err == NULL)
			imp_fail(&im, 0, "cannot write the audit entry");
		goto out;
	}
	if (txn_commit(srv) != 0) {
		imp_fail(&im, 0, "cannot commit: %s", store_errmsg(srv->st));
		goto out;
	}
	/* This process's rule cache must see the new overrides. */
	rules_invalidate();
	if (stats != NULL)
		*stats = im.stats;
	rc = 0;

out:
	if (rc != 0) {
		if (im.err_line > 0)
			*cause = xasprintf("%s:%d: %s", path, im.err_line, im.err);
		else
			*cause = xasprintf("%s: %s", path, im.err);
	}
	imp_release(&im);
	return rc;
}
