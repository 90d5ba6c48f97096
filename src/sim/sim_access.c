#include "compat.h"

#include <math.h>
#include <pthread.h>
#include <sysexits.h>

#include <jansson.h>

#include "accessrule.h"
#include "jsonx.h"
#include "vtime.h"
#include "sim_access.h"
#include "sim_clock.h"
#include "sim_ctl.h"
#include "sim_http.h"

#define SIM_ACCESS_PATH "/api/v1/gateways/%s/access-list"

/* One credential of the list, with the points it may open. */
struct sim_access_cred {
	const char *kind;            /* into the list's JSON */
	const char *value;
	json_t *entry;               /* the list's object for it */
	json_t *points;              /* its array of point keys */
};

struct sim_access {
	struct sim_gateway *gw;
	struct sim_http *http;
	char *path;
	char etag[SIM_HTTP_ETAG_MAX + 1];
	json_t *list;                /* the last list fetched, or NULL */
	struct sim_access_cred *creds;
	int ncreds;
	int64_t next_mono;           /* when the next sync is due */
	bool failing;                /* the last sync failed (noted once) */
	bool gone;                   /* the server has no access lists */
};

/* True when pt is an access point: a gate, barrier or door with access = yes. */
bool
sim_access_point(const struct sim_point *pt)
{
	return pt->access && (pt->type == POINT_GATE ||
	    pt->type == POINT_BARRIER || pt->type == POINT_DOOR);
}

/* Parse a number of seconds from s to end; -1 when it is not one. */
static double
sim_access_seconds(const char *s, const char *end)
{
	char buf[32], *stop;
	size_t n = (size_t)(end - s);
	double v;

	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtod(buf, &stop);
	if (*stop != '\0' || errno != 0 || !isfinite(v) || v < 0 ||
	    v > SIM_SECONDS_MAX || buf[0] < '0' || buf[0] > '9')
		return -1;
	return v;
}

/* Parse "POINT:KIND:VALUE[@T[/EVERY]]" into *a. */
int
sim_access_arrival_parse(const char *s, struct sim_arrival *a, char **cause)
{
	const char *c1, *c2, *at, *slash, *vend;
	size_t n;

	memset(a, 0, sizeof *a);
	if ((c1 = strchr(s, ':')) == NULL || (c2 = strchr(c1 + 1, ':')) ==
	    NULL) {
		*cause = xasprintf("\"%s\": expected POINT:KIND:VALUE[@T[/EVERY]]",
		    s);
		return -1;
	}
	at = strrchr(c2 + 1, '@');
	vend = at != NULL ? at : c2 + strlen(c2);
	if (c1 == s || c1 - s > LIMIT_KEY_LEN) {
		*cause = xasprintf("\"%s\": the point key must be 1 to %d "
		    "characters", s, LIMIT_KEY_LEN);
		return -1;
	}
	n = (size_t)(c2 - c1 - 1);
	if (n == 0 || n >= SIM_ACCESS_KIND_LEN) {
		*cause = xasprintf("\"%s\": the credential kind must be 1 to %d "
		    "characters (phone, app, card, plate)", s,
		    SIM_ACCESS_KIND_LEN - 1);
		return -1;
	}
	if (vend == c2 + 1 || vend - c2 - 1 > LIMIT_CREDENTIAL_LEN) {
		*cause = xasprintf("\"%s\": the credential value must be 1 to %d "
		    "characters", s, LIMIT_CREDENTIAL_LEN);
		return -1;
	}
	if (at != NULL) {
		slash = strchr(at + 1, '/');
		a->at_s = sim_access_seconds(at + 1, slash != NULL ? slash :
		    at + strlen(at));
		if (slash != NULL)
			a->every_s = sim_access_seconds(slash + 1,
			    slash + strlen(slash));
		if (a->at_s < 0 || a->every_s < 0 || (slash != NULL &&
		    a->every_s < SIM_ACCESS_SYNC_MIN_S)) {
			*cause = xasprintf("\"%s\": expected @SECONDS or "
			    "@SECONDS/EVERY after the value (EVERY at least "
			    "%g)", s, SIM_ACCESS_SYNC_MIN_S);
			return -1;
		}
	}
	a->point_key = xasprintf("%.*s", (int)(c1 - s), s);
	memcpy(a->kind, c1 + 1, n);
	a->kind[n] = '\0';
	a->value = xasprintf("%.*s", (int)(vend - c2 - 1), c2 + 1);
	return 0;
}

/* Free what an arrival holds. */
void
sim_access_arrival_release(struct sim_arrival *a)
{
	free(a->point_key);
	free(a->value);
	memset(a, 0, sizeof *a);
}

/* Find the point of every arrival in w. */
int
sim_access_resolve(struct sim_world *w, struct sim_arrival *arr, int n,
    char **cause)
{
	struct sim_point *found;

	for (int i = 0; i < n; i++) {
		found = NULL;
		for (int k = 0; k < w->npoints; k++) {
			if (strcmp(w->points[k]->key, arr[i].point_key) != 0)
				continue;
			if (found != NULL) {
				*cause = xasprintf("--arrive: point \"%s\" is on "
				    "more than one site", arr[i].point_key);
				return -1;
			}
			found = w->points[k];
		}
		if (found == NULL) {
			*cause = xasprintf("--arrive: no point \"%s\" in the "
			    "sites", arr[i].point_key);
			return -1;
		}
		if (!sim_access_point(found)) {
			*cause = xasprintf("--arrive: point \"%s\" is not an "
			    "access point (a gate, barrier or door with access "
			    "= yes)", arr[i].point_key);
			return -1;
		}
		arr[i].point = found;
	}
	return 0;
}

/* The access list state of gw, or NULL when it has no access point. */
struct sim_access *
sim_access_new(struct sim_gateway *gw)
{
	struct sim_access *a;
	bool any = false;

	for (int i = 0; i < gw->npoints; i++)
		any = any || sim_access_point(gw->points[i]);
	if (!any)
		return NULL;
	a = xcalloc(1, sizeof *a);
	a->gw = gw;
	a->http = sim_http_new(sim_opts.url);
	a->path = xasprintf(SIM_ACCESS_PATH, gw->key);
	a->next_mono = vtime_mono_ms();
	return a;
}

/* Forget the list held. */
static void
sim_access_clear(struct sim_access *a)
{
	json_decref(a->list);
	a->list = NULL;
	free(a->creds);
	a->creds = NULL;
	a->ncreds = 0;
}

/* Free the state. */
void
sim_access_free(struct sim_access *a)
{
	if (a == NULL)
		return;
	sim_access_clear(a);
	sim_http_free(a->http);
	free(a->path);
	free(a);
}

/* The monotonic ms the next sync is due. */
int64_t
sim_access_next(const struct sim_access *a)
{
	if (a == NULL || a->gone)
		return INT64_MAX;
	return a->next_mono;
}

/*
 * Take a list the server sent (v, stolen) as the one in force: check its
 * shape and index its credentials.  -1 with a message in err when it is not
 * a list.
 */
static int
sim_access_take(struct sim_access *a, json_t *v, char *err, size_t errlen)
{
	json_t *creds, *c, *kind, *value, *points;
	struct sim_access_cred *idx;
	size_t i;

	creds = json_object_get(v, "credentials");
	if (!json_is_object(v) || !json_is_array(creds)) {
		snprintf(err, errlen, "no \"credentials\" array");
		json_decref(v);
		return -1;
	}
	idx = xcalloc(json_array_size(creds) + 1, sizeof *idx);
	json_array_foreach(creds, i, c) {
		kind = json_object_get(c, "kind");
		value = json_object_get(c, "value");
		points = json_object_get(c, "points");
		if (!json_is_string(kind) || !json_is_string(value) ||
		    !json_is_array(points)) {
			snprintf(err, errlen, "credentials[%zu]: expected "
			    "kind, value and points", i);
			free(idx);
			json_decref(v);
			return -1;
		}
		idx[i].kind = json_string_value(kind);
		idx[i].value = json_string_value(value);
		idx[i].entry = c;
		idx[i].points = points;
	}
	sim_access_clear(a);
	a->list = v;
	a->creds = idx;
	a->ncreds = (int)json_array_size(creds);
	return 0;
}

/* Fetch the list when a sync is due. */
int
sim_access_sync(struct sim_access *a)
{
	struct sim_gateway *gw = a->gw;
	struct sim_http_reply rep;
	char *cause = NULL, *what, err[JSONX_ERR_LEN];
	json_t *v;

	if (a->gone || vtime_mono_ms() < a->next_mono)
		return 0;
	a->next_mono = vtime_mono_ms() + (int64_t)(sim_opts.access_sync *
	    1000.0);
	gw->access_syncs++;
	if (sim_http_get(a->http, a->path, gw->key, gw->secret, a->etag, &rep,
	    &cause) != 0) {
		if (!a->failing)
			sim_ctl_note("%s: access list: %s; the gate keeps the "
			    "list it has", gw->key, cause);
		a->failing = true;
		free(cause);
		return 0;
	}
	if (rep.status == 304) {
		gw->access_unchanged++;
		a->failing = false;
		return 0;
	}
	if (rep.status == 200) {
		v = jsonx_parse(rep.body, rep.len, err, sizeof err);
		if (v == NULL || sim_access_take(a, v, err, sizeof err) != 0) {
			sim_ctl_error("%s: bad access list: %s", gw->key, err);
			gw->exit_code = EX_PROTOCOL;
			return -1;
		}
		snprintf(a->etag, sizeof a->etag, "%s", rep.etag);
		gw->access_lists++;
		if (a->failing)
			sim_ctl_note("%s: access list fetched again", gw->key);
		a->failing = false;
		return 0;
	}
	what = sim_http_describe(&rep);
	if (rep.status == 401 || rep.status == 403) {
		sim_ctl_error("%s: server refused the access list: %s",
		    gw->key, what);
		gw->exit_code = EX_NOPERM;
		free(what);
		return -1;
	}
	if (rep.status == 404 || rep.status == 405) {
		sim_ctl_note("%s: the server serves no access list (%s); the "
		    "gate denies everyone", gw->key, what);
		a->gone = true;
	} else if (!a->failing)
		sim_ctl_note("%s: access list: %s; the gate keeps the list it "
		    "has", gw->key, what);
	a->failing = !a->gone;
	free(what);
	return 0;
}

/* True when the points array of a credential names key. */
static bool
sim_access_names(json_t *points, const char *key)
{
	json_t *p;
	size_t i;

	json_array_foreach(points, i, p)
		if (json_is_string(p) && strcmp(json_string_value(p), key) == 0)
			return true;
	return false;
}

/* Pick a credential of the list for pt (or anywhere). */
bool
sim_access_pick(struct sim_access *a, struct sim_rng *rng,
    const struct sim_point *pt, bool anywhere, char *kind, size_t kindlen,
    char *value, size_t valuelen)
{
	int n = 0, k, chosen = -1;

	if (a == NULL || a->ncreds == 0)
		return false;
	if (anywhere)
		chosen = (int)sim_rng_below(rng, (uint32_t)a->ncreds);
	else {
		/* Reservoir sampling over the credentials valid here. */
		for (k = 0; k < a->ncreds; k++) {
			if (!sim_access_names(a->creds[k].points, pt->key))
				continue;
			if (sim_rng_below(rng, (uint32_t)++n) == 0)
				chosen = k;
		}
	}
	if (chosen < 0)
		return false;
	snprintf(kind, kindlen, "%s", a->creds[chosen].kind);
	snprintf(value, valuelen, "%s", a->creds[chosen].value);
	return true;
}

/*
 * Decide from the list held now whether kind:value opens pt at ts_ms, with
 * the rule vigild's gateways share.  The rule reads local time by setting
 * TZ, which is process-wide: one gateway thread decides at a time.
 */
bool
sim_access_decide(struct sim_access *a, const struct sim_point *pt,
    const char *kind, const char *value, int64_t ts_ms, char *reason,
    size_t reasonlen)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	const json_t *entry;
	const char *tz;
	bool ok;

	if (a == NULL || a->list == NULL) {
		snprintf(reason, reasonlen, "unknown credential");
		return false;
	}
	tz = json_string_value(json_object_get(a->list, "timezone"));
	if (tz == NULL)
		tz = pt->site->timezone;
	entry = accessrule_find(a->list, kind, value);
	pthread_mutex_lock(&lock);
	ok = accessrule_decide(entry, pt->key, ts_ms, tz, reason, reasonlen);
	pthread_mutex_unlock(&lock);
	return ok;
}

/* Write the credential as an event carries it into buf. */
void
sim_access_credential(const char *kind, const char *value, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s:%s", kind, value);
}
