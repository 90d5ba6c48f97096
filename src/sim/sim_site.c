#include "compat.h"

#include <ctype.h>
#include <math.h>

#include <ini.h>

#include "sim_site.h"

/* Where a site file is in being read, for the inih callback. */
struct sim_site_parse {
	struct sim_world *w;
	struct sim_site *site;       /* this file's site, added by sim_site_check */
	struct sim_gateway *gw;      /* the section being read, if any */
	struct sim_point *pt;
	struct sim_guard *gd;
	char *section;               /* name of the section being read */
	char *err;                   /* first problem, without the line */
	int first_point;             /* world indices where this file began */
	int first_gateway;
	int first_guard;
};

/* Append p to the growing array *v of *n pointers. */
static void
sim_site_push(void ***v, int *n, void *p)
{
	*v = xrealloc(*v, (size_t)(*n + 1) * sizeof **v);
	(*v)[(*n)++] = p;
}

/* Record the first problem of the file. */
static int
sim_site_fail(struct sim_site_parse *sp, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	if (sp->err != NULL)
		return 0;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	sp->err = xstrdup(buf);
	return 0;
}

/* True when s is a key: [a-z0-9][a-z0-9_.-]* of at most LIMIT_KEY_LEN. */
static bool
sim_site_is_key(const char *s, bool upper)
{
	size_t n = strlen(s);

	if (n == 0 || n > LIMIT_KEY_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (islower(c) || isdigit(c) || (upper && isupper(c)))
			continue;
		if (i > 0 && (c == '_' || c == '.' || c == '-'))
			continue;
		return false;
	}
	return true;
}

/* Read the waypoints "lat,lon lat,lon ..." of s onto the guard's patrol. */
static int
sim_site_patrol(struct sim_site_parse *sp, struct sim_guard *gd, const char *s)
{
	const char *p = s;
	char *end;
	double lat, lon;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return 1;
		lat = strtod(p, &end);
		if (end == p || *end != ',')
			return sim_site_fail(sp, "[guard %s] patrol: expected "
			    "\"lat,lon\" waypoints separated by spaces",
			    gd->callsign);
		p = end + 1;
		lon = strtod(p, &end);
		if (end == p || (*end != '\0' && !isspace((unsigned char)*end)))
			return sim_site_fail(sp, "[guard %s] patrol: expected "
			    "\"lat,lon\" waypoints separated by spaces",
			    gd->callsign);
		if (!isfinite(lat) || !isfinite(lon) || lat < -90 || lat > 90 ||
		    lon < -180 || lon > 180)
			return sim_site_fail(sp, "[guard %s] patrol: waypoint "
			    "out of range", gd->callsign);
		gd->patrol = xrealloc(gd->patrol,
		    (size_t)(gd->npatrol + 1) * sizeof *gd->patrol);
		gd->patrol[gd->npatrol].lat = lat;
		gd->patrol[gd->npatrol].lon = lon;
		gd->npatrol++;
		p = end;
	}
}

/* Read one [rules] entry "POINT_TYPE.EVENT_TYPE = ACTION [PRIORITY]". */
static int
sim_site_rule(struct sim_site_parse *sp, const char *name, const char *value)
{
	char pt[32], et[32], action[16];
	int p, e, a;

	if (sscanf(name, "%31[^.].%31s", pt, et) != 2)
		return sim_site_fail(sp, "[rules] %s: expected POINT_TYPE."
		    "EVENT_TYPE", name);
	if ((p = point_type_parse(pt)) < 0)
		return sim_site_fail(sp, "[rules] %s: unknown point type "
		    "\"%s\"", name, pt);
	if ((e = event_type_parse(et)) < 0)
		return sim_site_fail(sp, "[rules] %s: unknown event type "
		    "\"%s\"", name, et);
	if (sscanf(value, "%15s", action) != 1 ||
	    (a = rule_action_parse(action)) < 0)
		return sim_site_fail(sp, "[rules] %s: expected ignore, signal "
		    "or alarm PRIORITY", name);
	sp->site->rule[p][e] = (signed char)a;
	return 1;
}

/* Start the section named by text, e.g. "gateway gw-tower-a". */
static int
sim_site_section(struct sim_site_parse *sp, const char *text)
{
	char kind[32], key[LIMIT_KEY_LEN + 2], extra[2];
	int n;

	sp->gw = NULL;
	sp->pt = NULL;
	sp->gd = NULL;
	n = sscanf(text, " %31s %65s %1s", kind, key, extra);
	if (n < 1)
		return sim_site_fail(sp, "empty section name");
	if (n == 1)
		return 1;    /* [site], [rules] and others: keys say the rest */
	/* [building Tower A] and [access-group KEY]: nothing a gateway needs. */
	if (strcmp(kind, "gateway") != 0 && strcmp(kind, "point") != 0 &&
	    strcmp(kind, "guard") != 0)
		return 1;
	if (n > 2)
		return sim_site_fail(sp, "[%s]: expected one key after \"%s\"",
		    text, kind);
	if (strcmp(kind, "gateway") == 0) {
		if (!sim_site_is_key(key, false))
			return sim_site_fail(sp, "[gateway %s]: not a valid key",
			    key);
		sp->gw = xcalloc(1, sizeof *sp->gw);
		sp->gw->key = xstrdup(key);
		sp->gw->supervision_s = GATEWAY_SUPERVISION_DEFAULT_S;
		sim_site_push((void ***)&sp->w->gateways, &sp->w->ngateways,
		    sp->gw);
	} else if (strcmp(kind, "point") == 0) {
		if (!sim_site_is_key(key, false))
			return sim_site_fail(sp, "[point %s]: not a valid key",
			    key);
		sp->pt = xcalloc(1, sizeof *sp->pt);
		sp->pt->key = xstrdup(key);
		sp->pt->type = POINT__COUNT;
		sim_site_push((void ***)&sp->w->points, &sp->w->npoints, sp->pt);
	} else if (strcmp(kind, "guard") == 0) {
		if (!sim_site_is_key(key, true))
			return sim_site_fail(sp, "[guard %s]: not a valid "
			    "callsign", key);
		sp->gd = xcalloc(1, sizeof *sp->gd);
		sp->gd->callsign = xstrdup(key);
		sim_site_push((void ***)&sp->w->guards, &sp->w->nguards, sp->gd);
	}
	return 1;
}

/* Check a secret's length, as the server will. */
static bool
sim_site_secret_ok(const char *v)
{
	size_t n = strlen(v);

	return n >= LIMIT_SECRET_MIN_LEN && n <= LIMIT_SECRET_MAX_LEN;
}

/* The inih callback: one name = value pair of section. */
static int
sim_site_pair(void *arg, const char *section, const char *name,
    const char *value)
{
	struct sim_site_parse *sp = arg;
	char *end;
	long l;
	int t;

	if (sp->err != NULL)
		return 0;
	/* inih names the section with every pair: a new name opens one. */
	if (sp->section == NULL || strcmp(sp->section, section) != 0) {
		free(sp->section);
		sp->section = xstrdup(section);
		if (!sim_site_section(sp, section))
			return 0;
	}
	if (sp->gw != NULL) {
		if (strcmp(name, "secret") == 0) {
			if (!sim_site_secret_ok(value))
				return sim_site_fail(sp, "[gateway %s] secret: "
				    "must be %d to %d characters", sp->gw->key,
				    LIMIT_SECRET_MIN_LEN, LIMIT_SECRET_MAX_LEN);
			free(sp->gw->secret);
			sp->gw->secret = xstrdup(value);
		} else if (strcmp(name, "supervision") == 0) {
			l = strtol(value, &end, 10);
			if (*value == '\0' || *end != '\0' ||
			    l < GATEWAY_SUPERVISION_MIN_S ||
			    l > GATEWAY_SUPERVISION_MAX_S)
				return sim_site_fail(sp, "[gateway %s] "
				    "supervision: must be %d to %d seconds",
				    sp->gw->key, GATEWAY_SUPERVISION_MIN_S,
				    GATEWAY_SUPERVISION_MAX_S);
			sp->gw->supervision_s = (int)l;
		}
	} else if (sp->pt != NULL) {
		if (strcmp(name, "type") == 0) {
			if ((t = point_type_parse(value)) < 0)
				return sim_site_fail(sp, "[point %s] type: "
				    "unknown point type \"%s\"", sp->pt->key,
				    value);
			sp->pt->type = (enum point_type)t;
		} else if (strcmp(name, "gateway") == 0) {
			free(sp->pt->gateway_key);
			sp->pt->gateway_key = xstrdup(value);
		} else if (strcmp(name, "controller") == 0)
			sp->pt->controlled = value[0] != '\0';
		else if (strcmp(name, "access") == 0)
			sp->pt->access = strcmp(value, "yes") == 0;
	} else if (sp->gd != NULL) {
		if (strcmp(name, "device_secret") == 0) {
			if (!sim_site_secret_ok(value))
				return sim_site_fail(sp, "[guard %s] "
				    "device_secret: must be %d to %d characters",
				    sp->gd->callsign, LIMIT_SECRET_MIN_LEN,
				    LIMIT_SECRET_MAX_LEN);
			free(sp->gd->secret);
			sp->gd->secret = xstrdup(value);
		} else if (strcmp(name, "patrol") == 0) {
			/* Continuation lines arrive as more "patrol" pairs. */
			return sim_site_patrol(sp, sp->gd, value);
		}
	} else if (strcmp(section, "site") == 0 && strcmp(name, "key") == 0) {
		if (sp->site->key != NULL)
			return sim_site_fail(sp, "[site] key: given twice");
		if (!sim_site_is_key(value, false))
			return sim_site_fail(sp, "[site] key: \"%s\" is not a "
			    "valid key", value);
		sp->site->key = xstrdup(value);
	} else if (strcmp(section, "site") == 0 &&
	    strcmp(name, "timezone") == 0) {
		free(sp->site->timezone);
		sp->site->timezone = xstrdup(value);
	} else if (strcmp(section, "rules") == 0)
		return sim_site_rule(sp, name, value);
	return 1;
}

/* Read the whole file at path, refusing lines inih would cut. */
static char *
sim_site_read(const char *path, bool *missing, char **cause)
{
	FILE *f;
	char *buf;
	size_t len = 0, line = 1, col = 0;
	int c;

	if ((f = fopen(path, "r")) == NULL) {
		*missing = true;
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(LIMIT_SITE_FILE_BYTES + 1);
	while ((c = getc(f)) != EOF) {
		if (len == LIMIT_SITE_FILE_BYTES) {
			*cause = xasprintf("%s: larger than %d bytes", path,
			    LIMIT_SITE_FILE_BYTES);
			goto fail;
		}
		if (c == '\0') {
			*cause = xasprintf("%s:%zu: NUL byte", path, line);
			goto fail;
		}
		buf[len++] = (char)c;
		if (c == '\n') {
			line++;
			col = 0;
		} else if (++col >= INI_MAX_LINE - 1) {
			*cause = xasprintf("%s:%zu: line longer than %d "
			    "characters (continue a patrol on indented lines)",
			    path, line, INI_MAX_LINE - 2);
			goto fail;
		}
	}
	if (ferror(f)) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/* Check what this file added to the world: required keys, links, duplicates. */
static int
sim_site_check(struct sim_site_parse *sp)
{
	struct sim_world *w = sp->w;
	struct sim_gateway *gw;
	struct sim_point *pt;
	struct sim_guard *gd;

	if (sp->site->key == NULL)
		return sim_site_fail(sp, "[site] key: missing");
	for (int i = 0; i < w->nsites; i++)
		if (strcmp(w->sites[i]->key, sp->site->key) == 0)
			return sim_site_fail(sp, "[site] key: site \"%s\" is "
			    "simulated twice", sp->site->key);
	for (int i = sp->first_gateway; i < w->ngateways; i++) {
		gw = w->gateways[i];
		gw->site = sp->site;
		if (gw->secret == NULL)
			return sim_site_fail(sp, "[gateway %s] secret: missing",
			    gw->key);
		for (int j = 0; j < i; j++)
			if (strcmp(w->gateways[j]->key, gw->key) == 0)
				return sim_site_fail(sp, "[gateway %s]: given "
				    "twice", gw->key);
	}
	for (int i = sp->first_point; i < w->npoints; i++) {
		pt = w->points[i];
		if (pt->type == POINT__COUNT)
			return sim_site_fail(sp, "[point %s] type: missing",
			    pt->key);
		if (pt->gateway_key == NULL)
			return sim_site_fail(sp, "[point %s] gateway: missing",
			    pt->key);
		for (int j = sp->first_point; j < i; j++)
			if (strcmp(w->points[j]->key, pt->key) == 0)
				return sim_site_fail(sp, "[point %s]: given "
				    "twice", pt->key);
		gw = NULL;
		for (int j = sp->first_gateway; j < w->ngateways; j++)
			if (strcmp(w->gateways[j]->key, pt->gateway_key) == 0)
				gw = w->gateways[j];
		if (gw == NULL)
			return sim_site_fail(sp, "[point %s] gateway: \"%s\" "
			    "is not a gateway of this site", pt->key,
			    pt->gateway_key);
		pt->gateway = gw;
		pt->site = sp->site;
		sim_site_push((void ***)&gw->points, &gw->npoints, pt);
	}
	for (int i = sp->first_guard; i < w->nguards; i++) {
		gd = w->guards[i];
		gd->site = sp->site;
		for (int j = 0; j < i; j++)
			if (strcmp(w->guards[j]->callsign, gd->callsign) == 0)
				return sim_site_fail(sp, "[guard %s]: given "
				    "twice", gd->callsign);
	}
	return 1;
}

/* A new site with the defaults of a file that does not say otherwise. */
static struct sim_site *
sim_site_new(void)
{
	struct sim_site *s = xcalloc(1, sizeof *s);

	s->timezone = xstrdup("UTC");
	memset(s->rule, SIM_RULE_DEFAULT, sizeof s->rule);
	return s;
}

/* Free a site. */
static void
sim_site_free(struct sim_site *s)
{
	if (s == NULL)
		return;
	free(s->key);
	free(s->timezone);
	free(s);
}

/* Add the site, gateways, points and guards of the site file text to w. */
int
sim_site_load_text(struct sim_world *w, const char *name, const char *text,
    char **cause)
{
	struct sim_site_parse sp;
	int line;

	*cause = NULL;
	memset(&sp, 0, sizeof sp);
	sp.w = w;
	sp.site = sim_site_new();
	sp.first_gateway = w->ngateways;
	sp.first_point = w->npoints;
	sp.first_guard = w->nguards;
	line = ini_parse_string(text, sim_site_pair, &sp);
	if (line != 0 && sp.err == NULL)
		*cause = xasprintf("%s:%d: not a section, a comment or a "
		    "\"name = value\" line", name, line);
	else if (line != 0)
		*cause = xasprintf("%s:%d: %s", name, line, sp.err);
	else if (!sim_site_check(&sp))
		*cause = xasprintf("%s: %s", name, sp.err);
	/* The world owns the site once its objects point at it. */
	sim_site_push((void ***)&w->sites, &w->nsites, sp.site);
	free(sp.section);
	free(sp.err);
	return *cause != NULL ? -1 : 0;
}

/* Add the site, gateways, points and guards of the site file at path to w. */
int
sim_site_load(struct sim_world *w, const char *path, bool *missing,
    char **cause)
{
	char *text;
	int rc;

	*cause = NULL;
	*missing = false;
	if ((text = sim_site_read(path, missing, cause)) == NULL)
		return -1;
	rc = sim_site_load_text(w, path, text, cause);
	free(text);
	return rc;
}

/* True when the site's [rules] leave events of type et at pt alarms. */
bool
sim_site_may_alarm(const struct sim_site *s, enum point_type pt,
    enum event_type et)
{
	return s->rule[pt][et] == SIM_RULE_DEFAULT ||
	    s->rule[pt][et] == RULE_ALARM;
}

/* The gateway called key, or NULL. */
struct sim_gateway *
sim_site_gateway(struct sim_world *w, const char *key)
{
	for (int i = 0; i < w->ngateways; i++)
		if (strcmp(w->gateways[i]->key, key) == 0)
			return w->gateways[i];
	return NULL;
}

/* Free everything w holds (not w itself). */
void
sim_site_release(struct sim_world *w)
{
	for (int i = 0; i < w->ngateways; i++) {
		free(w->gateways[i]->key);
		free(w->gateways[i]->secret);
		free(w->gateways[i]->points);
		free(w->gateways[i]);
	}
	for (int i = 0; i < w->npoints; i++) {
		free(w->points[i]->key);
		free(w->points[i]->gateway_key);
		free(w->points[i]);
	}
	for (int i = 0; i < w->nguards; i++) {
		free(w->guards[i]->callsign);
		free(w->guards[i]->secret);
		free(w->guards[i]->patrol);
		free(w->guards[i]);
	}
	for (int i = 0; i < w->nsites; i++)
		sim_site_free(w->sites[i]);
	free(w->sites);
	free(w->gateways);
	free(w->points);
	free(w->guards);
	memset(w, 0, sizeof *w);
}
