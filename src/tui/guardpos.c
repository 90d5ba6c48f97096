#include "compat.h"

#include <math.h>

#include "guardpos.h"
#include "vtime.h"

/* Read guard's position (a replica guard object) as of now_ms. */
void
guardpos_read(struct guardpos *p, json_t *guard, int64_t now_ms, int stale_after_s)
{
	json_t *pos = json_object_get(guard, "position");
	const char *status = json_string_value(json_object_get(guard, "status"));
	json_t *acc;
	int64_t since;

	memset(p, 0, sizeof *p);
	p->accuracy = -1;
	if (!json_is_object(pos) || !json_is_number(json_object_get(pos, "lat")) ||
	    !json_is_number(json_object_get(pos, "lon")))
		return;
	p->known = true;
	p->lat = json_number_value(json_object_get(pos, "lat"));
	p->lon = json_number_value(json_object_get(pos, "lon"));
	acc = json_object_get(pos, "accuracy");
	if (json_is_number(acc))
		p->accuracy = json_number_value(acc);
	p->poor = p->accuracy > GUARDPOS_POOR_M;
	if (vtime_parse(json_string_value(json_object_get(pos, "ts")), &p->ts_ms) != 0) {
		p->stale = true;
		return;
	}
	p->age_ms = now_ms - p->ts_ms;
	p->stale = p->age_ms > (int64_t)stale_after_s * 1000;
	if (json_integer_value(json_object_get(pos, "same_count")) >= GUARDPOS_STUCK_COUNT &&
	    vtime_parse(json_string_value(json_object_get(pos, "same_since")), &since) == 0 &&
	    status != NULL && (strcmp(status, "dispatched") == 0 ||
	    strcmp(status, "on_scene") == 0)) {
		p->stuck_ms = p->ts_ms - since;
		p->stuck = p->stuck_ms >= (int64_t)GUARDPOS_STUCK_S * 1000;
	}
}

/* Distance in metres between two positions (haversine). */
double
guardpos_metres(double lat1, double lon1, double lat2, double lon2)
{
	double r = M_PI / 180.0;
	double a = sin((lat2 - lat1) * r / 2) * sin((lat2 - lat1) * r / 2) +
	    cos(lat1 * r) * cos(lat2 * r) * sin((lon2 - lon1) * r / 2) *
	    sin((lon2 - lon1) * r / 2);

	return 2 * 6371000.0 * asin(sqrt(a));
}

/* A short warning about the fix ("STALE FIX 4 min", "POOR FIX ±80 m", "GPS STUCK"), or "". */
const char *
guardpos_warning(const struct guardpos *p, char *buf, size_t len)
{
	if (!p->known)
		snprintf(buf, len, "NO FIX");
	else if (p->stuck)
		snprintf(buf, len, "GPS STUCK %lld min", (long long)(p->stuck_ms / 60000));
	else if (p->stale)
		snprintf(buf, len, "STALE FIX %lld min", (long long)(p->age_ms / 60000));
	else if (p->poor)
		snprintf(buf, len, "POOR FIX +-%.0f m", p->accuracy);
	else
		snprintf(buf, len, "%s", "");
	return buf;
}
