#include "compat.h"

#include "alarmset.h"
#include "vtime.h"

#define ALARMSET_MIN_SLOTS 64   /* slots of an empty map, a power of two */

struct alarmset {
	struct alarm_rec **slots;  /* open addressing by id, linear probing */
	size_t nslots;             /* a power of two */
	size_t n;
};

/* The interned strings: an open-addressing set that only grows. */
static char **intern_slots;
static size_t intern_nslots, intern_n;

/* FNV-1a of a string. */
static uint64_t
alarmset_hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

/* A well-spread hash of an id. */
static uint64_t
alarmset_hash_id(int64_t id)
{
	uint64_t x = (uint64_t)id;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

/* The one copy of s (for pointer comparison and sharing); NULL for NULL. */
const char *
alarmset_intern(const char *s)
{
	size_t i;

	if (s == NULL)
		return NULL;
	if (intern_n * 2 >= intern_nslots) {
		size_t old = intern_nslots;
		char **was = intern_slots;

		intern_nslots = old ? old * 2 : 1024;
		intern_slots = xcalloc(intern_nslots, sizeof *intern_slots);
		for (size_t k = 0; k < old; k++) {
			if (was[k] == NULL)
				continue;
			i = alarmset_hash_str(was[k]) & (intern_nslots - 1);
			while (intern_slots[i] != NULL)
				i = (i + 1) & (intern_nslots - 1);
			intern_slots[i] = was[k];
		}
		free(was);
	}
	i = alarmset_hash_str(s) & (intern_nslots - 1);
	while (intern_slots[i] != NULL) {
		if (strcmp(intern_slots[i], s) == 0)
			return intern_slots[i];
		i = (i + 1) & (intern_nslots - 1);
	}
	intern_slots[i] = xstrdup(s);
	intern_n++;
	return intern_slots[i];
}

/* An empty set. */
struct alarmset *
alarmset_new(void)
{
	struct alarmset *set = xcalloc(1, sizeof *set);

	set->nslots = ALARMSET_MIN_SLOTS;
	set->slots = xcalloc(set->nslots, sizeof *set->slots);
	return set;
}

/* Drop the set's references and free it. */
void
alarmset_free(struct alarmset *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->nslots; i++)
		alarm_rec_unref(set->slots[i]);
	free(set->slots);
	free(set);
}

/* The slot of id, or of the empty slot where it would go. */
static size_t
alarmset_slot(const struct alarmset *set, int64_t id)
{
	size_t i = alarmset_hash_id(id) & (set->nslots - 1);

	while (set->slots[i] != NULL && set->slots[i]->id != id)
		i = (i + 1) & (set->nslots - 1);
	return i;
}

/* Double the map when it is half full. */
static void
alarmset_grow(struct alarmset *set)
{
	struct alarm_rec **was = set->slots;
	size_t old = set->nslots;

	set->nslots *= 2;
	set->slots = xcalloc(set->nslots, sizeof *set->slots);
	for (size_t k = 0; k < old; k++)
		if (was[k] != NULL)
			set->slots[alarmset_slot(set, was[k]->id)] = was[k];
	free(was);
}

/* Put a (new or newer) record in, taking its reference; replaces one of its id. */
void
alarmset_put(struct alarmset *set, struct alarm_rec *a)
{
	size_t i;

	if ((set->n + 1) * 2 > set->nslots)
		alarmset_grow(set);
	i = alarmset_slot(set, a->id);
	if (set->slots[i] != NULL)
		alarm_rec_unref(set->slots[i]);
	else
		set->n++;
	set->slots[i] = a;
}

/* Remove the record of id, if there is one (backward-shift deletion). */
void
alarmset_del(struct alarmset *set, int64_t id)
{
	size_t i = alarmset_slot(set, id), j, mask = set->nslots - 1;

	if (set->slots[i] == NULL)
		return;
	alarm_rec_unref(set->slots[i]);
	set->slots[i] = NULL;
	set->n--;
	/* Move later members of the run back so that lookups still find them. */
	for (j = (i + 1) & mask; set->slots[j] != NULL; j = (j + 1) & mask) {
		size_t home = alarmset_hash_id(set->slots[j]->id) & mask;

		/* Leave it when its home lies cyclically in (i, j]. */
		bool stays = i < j ? (i < home && home <= j) : (i < home || home <= j);

		if (!stays) {
			set->slots[i] = set->slots[j];
			set->slots[j] = NULL;
			i = j;
		}
	}
}

/* The record of id, or NULL (borrowed). */
struct alarm_rec *
alarmset_get(const struct alarmset *set, int64_t id)
{
	return set->slots[alarmset_slot(set, id)];
}

/* Number of records. */
size_t
alarmset_count(const struct alarmset *set)
{
	return set->n;
}

/* Iterate: start with *iter = 0; NULL at the end. */
struct alarm_rec *
alarmset_next(const struct alarmset *set, size_t *iter)
{
	while (*iter < set->nslots) {
		struct alarm_rec *a = set->slots[(*iter)++];

		if (a != NULL)
			return a;
	}
	return NULL;
}

/* Take a reference. */
struct alarm_rec *
alarm_rec_ref(struct alarm_rec *a)
{
	a->refs++;
	return a;
}

/* Drop a reference; frees at zero. */
void
alarm_rec_unref(struct alarm_rec *a)
{
	if (a == NULL || --a->refs > 0)
		return;
	free(a->resolution_note);
	free(a);
}

/* A string member, interned, or NULL for null; -1 when it is something else. */
static int
alarm_rec_str(json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = alarmset_intern(json_string_value(v));
	return 0;
}

/* A time member in ms, 0 for null; -1 when it is not ISO 8601. */
static int
alarm_rec_time(json_t *o, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || vtime_parse(json_string_value(v), out) != 0)
		return -1;
	return 0;
}

/* A record from an alarm as the API shows it; NULL with *cause. */
struct alarm_rec *
alarm_rec_parse(json_t *alarm, char **cause)
{
	static const struct {
		const char *key;
		size_t off;
	} strs[] = {
#define ALARM_REC_S(f) { #f, offsetof(struct alarm_rec, f) }
		ALARM_REC_S(site), ALARM_REC_S(site_name), ALARM_REC_S(point),
		ALARM_REC_S(point_label), ALARM_REC_S(point_type), ALARM_REC_S(gateway),
		ALARM_REC_S(type), ALARM_REC_S(acked_by), ALARM_REC_S(assigned_by),
		ALARM_REC_S(guard), ALARM_REC_S(closed_by), ALARM_REC_S(resolution),
#undef ALARM_REC_S
	}, times[] = {
#define ALARM_REC_T(f, k) { k, offsetof(struct alarm_rec, f) }
		ALARM_REC_T(created_ms, "created"), ALARM_REC_T(updated_ms, "updated"),
		ALARM_REC_T(last_event_ms, "last_event"), ALARM_REC_T(acked_ms, "acked"),
		ALARM_REC_T(assigned_ms, "assigned"), ALARM_REC_T(closed_ms, "closed"),
#undef ALARM_REC_T
	};
	json_t *id = json_object_get(alarm, "id");
	const char *state = json_string_value(json_object_get(alarm, "state"));
	const char *note;
	struct alarm_rec *a;
	int st;

	if (!json_is_integer(id) || json_integer_value(id) <= 0 ||
	    (st = alarm_state_parse(state)) < 0) {
		*cause = xstrdup("the alarm has no id or state");
		return NULL;
	}
	a = xcalloc(1, sizeof *a);
	a->refs = 1;
	a->id = json_integer_value(id);
	a->state = (enum alarm_state)st;
	a->version = json_integer_value(json_object_get(alarm, "version"));
	a->count = json_integer_value(json_object_get(alarm, "count"));
	a->priority = (int)json_integer_value(json_object_get(alarm, "priority"));
	for (size_t i = 0; i < ARRAY_LEN(strs); i++) {
		if (alarm_rec_str(alarm, strs[i].key,
		    (const char **)((char *)a + strs[i].off)) != 0) {
			*cause = xasprintf("alarm %" PRId64 ": %s is not a string", a->id,
			    strs[i].key);
			alarm_rec_unref(a);
			return NULL;
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(times); i++) {
		if (alarm_rec_time(alarm, times[i].key,
		    (int64_t *)((char *)a + times[i].off)) != 0) {
			*cause = xasprintf("alarm %" PRId64 ": %s is not a time", a->id,
			    times[i].key);
			alarm_rec_unref(a);
			return NULL;
		}
	}
	note = json_string_value(json_object_get(alarm, "resolution_note"));
	a->resolution_note = note != NULL ? xstrdup(note) : NULL;
	return a;
}

/* A string or null. */
static json_t *
alarm_rec_jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* A time as ISO 8601, or null. */
static json_t *
alarm_rec_jtime(int64_t ms)
{
	char ts[VTIME_ISO_LEN];

	if (ms == 0)
		return json_null();
	vtime_format(ms, ts, sizeof ts);
	return json_string(ts);
}

/* The alarm as the API shows it (a new reference). */
json_t *
alarm_rec_json(const struct alarm_rec *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(a->id));
	json_object_set_new(o, "site", alarm_rec_jstr(a->site));
	json_object_set_new(o, "site_name", alarm_rec_jstr(a->site_name));
	json_object_set_new(o, "point", alarm_rec_jstr(a->point));
	json_object_set_new(o, "point_label", alarm_rec_jstr(a->point_label));
	json_object_set_new(o, "point_type", alarm_rec_jstr(a->point_type));
	json_object_set_new(o, "gateway", alarm_rec_jstr(a->gateway));
	json_object_set_new(o, "type", alarm_rec_jstr(a->type));
	json_object_set_new(o, "priority", json_integer(a->priority));
	json_object_set_new(o, "state", json_string(alarm_state_name(a->state)));
	json_object_set_new(o, "version", json_integer(a->version));
	json_object_set_new(o, "count", json_integer(a->count));
	json_object_set_new(o, "created", alarm_rec_jtime(a->created_ms));
	json_object_set_new(o, "updated", alarm_rec_jtime(a->updated_ms));
	json_object_set_new(o, "last_event", alarm_rec_jtime(a->last_event_ms));
	json_object_set_new(o, "acked", alarm_rec_jtime(a->acked_ms));
	json_object_set_new(o, "acked_by", alarm_rec_jstr(a->acked_by));
	json_object_set_new(o, "assigned", alarm_rec_jtime(a->assigned_ms));
	json_object_set_new(o, "assigned_by", alarm_rec_jstr(a->assigned_by));
	json_object_set_new(o, "guard", alarm_rec_jstr(a->guard));
	json_object_set_new(o, "closed", alarm_rec_jtime(a->closed_ms));
	json_object_set_new(o, "closed_by", alarm_rec_jstr(a->closed_by));
	json_object_set_new(o, "resolution", alarm_rec_jstr(a->resolution));
	json_object_set_new(o, "resolution_note", alarm_rec_jstr(a->resolution_note));
	return o;
}
