/*
 * jsonx.h: strict JSON input on top of jansson.
 *
 * Input from outside is parsed with duplicate keys rejected and read through a
 * field reader that records the first problem as a message naming the field,
 * and that refuses fields the caller did not ask for.
 */
#ifndef VIGIL_JSONX_H
#define VIGIL_JSONX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define JSONX_ERR_LEN 256

/* Parse len bytes as one JSON value; NULL and a message in err on failure. */
json_t *jsonx_parse(const char *buf, size_t len, char *err, size_t errlen);

/*
 * A reader over one JSON object.  Each jsonx_get_* call looks up a field and
 * marks it seen; on the first problem it records a message ("priority: must
 * be an integer from 1 to 9") and later calls do nothing.  jsonx_done() then
 * fails when a field was never asked for ("unknown field \"colour\"").
 */
struct jsonx {
	json_t *obj;
	const char *prefix;   /* e.g. "events[3]" for messages, or "" */
	char err[JSONX_ERR_LEN];
	bool failed;
	const char *seen[32];
	int nseen;
};

/* Start reading obj (which must be an object) with a message prefix. */
void jsonx_begin(struct jsonx *jx, json_t *obj, const char *prefix);
/* Required or optional string of 1..maxlen bytes of valid UTF-8 without NUL. */
const char *jsonx_str(struct jsonx *jx, const char *key, bool required, size_t maxlen);
/* Required or optional integer within [min, max]; *present tells if given. */
int64_t jsonx_int(struct jsonx *jx, const char *key, bool required,
    int64_t min, int64_t max, bool *present);
/* Required or optional finite number within [min, max]. */
double jsonx_real(struct jsonx *jx, const char *key, bool required,
    double min, double max, bool *present);
/* Required or optional array of at most maxlen elements. */
json_t *jsonx_array(struct jsonx *jx, const char *key, bool required, size_t maxlen);
/* Record a problem by hand, in the reader's style. */
void jsonx_fail(struct jsonx *jx, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Finish: 0 if everything was valid and known, -1 with jx->err set otherwise. */
int jsonx_done(struct jsonx *jx);

/* Encode v compactly into a newly allocated string (caller frees). */
char *jsonx_dump(const json_t *v, size_t *len);

#endif
