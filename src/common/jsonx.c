#include "compat.h"

#include <math.h>

#include "jsonx.h"

/* Parse len bytes as one JSON value; NULL and a message in err on failure. */
json_t *
jsonx_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *v;

	v = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (v == NULL) {
		snprintf(err, errlen, "malformed JSON at line %d column %d: %s",
		    je.line, je.column, je.text);
		return NULL;
	}
	return v;
}

/* Start reading obj (which must be an object) with a message prefix. */
void
jsonx_begin(struct jsonx *jx, json_t *obj, const char *prefix)
{
	memset(jx, 0, sizeof *jx);
	jx->obj = obj;
	jx->prefix = prefix != NULL ? prefix : "";
	if (!json_is_object(obj)) {
		snprintf(jx->err, sizeof jx->err, "%s%smust be a JSON object",
		    jx->prefix, *jx->prefix ? ": " : "");
		jx->failed = true;
	}
}

/* Record a problem by hand, in the reader's style. */
void
jsonx_fail(struct jsonx *jx, const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (jx->failed)
		return;
	jx->failed = true;
	n = snprintf(jx->err, sizeof jx->err, "%s%s%s: ", jx->prefix,
	    *jx->prefix ? "." : "", key);
	if (n < 0 || (size_t)n >= sizeof jx->err)
		return;
	va_start(ap, fmt);
	vsnprintf(jx->err + n, sizeof jx->err - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Look up key, mark it seen; NULL when absent (failing if required). */
static json_t *
jsonx_field(struct jsonx *jx, const char *key, bool required)
{
	json_t *v;

	if (jx->failed)
		return NULL;
	if ((size_t)jx->nseen < ARRAY_LEN(jx->seen))
		jx->seen[jx->nseen++] = key;
	v = json_object_get(jx->obj, key);
	if (v == NULL || json_is_null(v)) {
		if (required)
			jsonx_fail(jx, key, "is required");
		return NULL;
	}
	return v;
}

/* True when s holds a NUL byte before len (jansson allows \u0000). */
static bool
jsonx_has_nul(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

/* Required or optional string of 1..maxlen bytes of valid UTF-8 without NUL. */
const char *
jsonx_str(struct jsonx *jx, const char *key, bool required, size_t maxlen)
{
	json_t *v = jsonx_field(jx, key, required);
	size_t len;

	if (v == NULL)
		return NULL;
	if (!json_is_string(v)) {
		jsonx_fail(jx, key, "must be a string");
		return NULL;
	}
	len = json_string_length(v);
	if (len == 0) {
		jsonx_fail(jx, key, "must not be empty");
		return NULL;
	}
	if (len > maxlen) {
		jsonx_fail(jx, key, "is longer than %zu bytes", maxlen);
		return NULL;
	}
	if (jsonx_has_nul(json_string_value(v), len)) {
		jsonx_fail(jx, key, "must not contain a NUL character");
		return NULL;
	}
	return json_string_value(v);
}

/* Required or optional integer within [min, max]; *present tells if given. */
int64_t
jsonx_int(struct jsonx *jx, const char *key, bool required, int64_t min,
    int64_t max, bool *present)
{
	json_t *v = jsonx_field(jx, key, required);
	json_int_t i;

	if (present != NULL)
		*present = false;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v)) {
		jsonx_fail(jx, key, "must be an integer");
		return 0;
	}
	i = json_integer_value(v);
	if (i < min || i > max) {
		jsonx_fail(jx, key, "must be from %" PRId64 " to %" PRId64, min, max);
		return 0;
	}
	if (present != NULL)
		*present = true;
	return i;
}

/* Required or optional finite number within [min, max]. */
double
jsonx_real(struct jsonx *jx, const char *key, bool required, double min,
    double max, bool *present)
{
	json_t *v = jsonx_field(jx, key, required);
	double d;

	if (present != NULL)
		*present = false;
	if (v == NULL)
		return 0;
	if (!json_is_number(v)) {
		jsonx_fail(jx, key, "must be a number");
		return 0;
	}
	d = json_number_value(v);
	if (!isfinite(d) || d < min || d > max) {
		jsonx_fail(jx, key, "must be from %g to %g", min, max);
		return 0;
	}
	if (present != NULL)
		*present = true;
	return d;
}

/* Required or optional array of at most maxlen elements. */
json_t *
jsonx_array(struct jsonx *jx, const char *key, bool required, size_t maxlen)
{
	json_t *v = jsonx_field(jx, key, required);

	if (v == NULL)
		return NULL;
	if (!json_is_array(v)) {
		jsonx_fail(jx, key, "must be an array");
		return NULL;
	}
	if (json_array_size(v) > maxlen) {
		jsonx_fail(jx, key, "has more than %zu elements", maxlen);
		return NULL;
	}
	return v;
}

/* Finish: 0 if everything was valid and known, -1 with jx->err set otherwise. */
int
jsonx_done(struct jsonx *jx)
{
	const char *key;
	json_t *v;

	if (jx->failed)
		return -1;
	json_object_foreach(jx->obj, key, v) {
		bool known = false;
		for (int i = 0; i < jx->nseen && !known; i++)
			known = strcmp(jx->seen[i], key) == 0;
		if (!known) {
			jx->failed = true;
			snprintf(jx->err, sizeof jx->err, "%s%sunknown field \"%.64s\"",
			    jx->prefix, *jx->prefix ? ": " : "", key);
			return -1;
		}
	}
	return 0;
}

/* Encode v compactly into a newly allocated string (caller frees). */
char *
jsonx_dump(const json_t *v, size_t *len)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL)
		fatal("JSON encoding failed");
	if (len != NULL)
		*len = strlen(s);
	return s;
}
