#include "compat.h"

#include <jansson.h>

#include "auditverify.h"
#include "vtime.h"

/* Start a check trusting key_hex. */
void
auditverify_init(struct auditverify *v, const char *key_hex)
{
	memset(v, 0, sizeof *v);
	snprintf(v->key, sizeof v->key, "%s", key_hex != NULL ? key_hex : "");
	memcpy(v->last_hash, auditchain_genesis, sizeof v->last_hash);
}

/* Free what the check holds. */
void
auditverify_release(struct auditverify *v)
{
	free(v->pending);
	free(v->error);
	v->pending = NULL;
	v->error = NULL;
}

/* Record the first failure: entry seq (0: none in particular) and why. */
static int
auditverify_fail(struct auditverify *v, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
auditverify_fail(struct auditverify *v, int64_t seq, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	free(v->error);
	v->error = xstrdup(msg);
	v->bad_seq = seq;
	return -1;
}

/* The string member key of o, or NULL. */
static const char *
auditverify_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* True when s is 64 lowercase hex digits. */
static bool
auditverify_is_hash(const char *s)
{
	if (s == NULL || strlen(s) != AUDIT_HASH_HEX_LEN)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* Check a checkpoint line's object c; 0 or -1. */
static int
auditverify_checkpoint(struct auditverify *v, json_t *c)
{
	json_t *jseq = json_object_get(c, "seq");
	const char *hash = auditverify_str(c, "hash");
	const char *ts = auditverify_str(c, "ts");
	const char *key = auditverify_str(c, "key");
	const char *sig = auditverify_str(c, "signature");
	int64_t seq, ts_ms;
	size_t i;

	if (!json_is_integer(jseq) || !auditverify_is_hash(hash) || ts == NULL ||
	    vtime_parse(ts, &ts_ms) != 0 || key == NULL || sig == NULL)
		return auditverify_fail(v, 0, "line %" PRId64 ": a checkpoint "
		    "without its seq, hash, ts, key and signature", v->line);
	seq = json_integer_value(jseq);
	if (strcmp(key, v->key) != 0)
		return auditverify_fail(v, seq, "the checkpoint of entry %" PRId64
		    " is signed by another key (%.16s...) than the one trusted "
		    "(%.16s...)", seq, key, v->key);
	if (auditsig_verify(v->key, seq, hash, ts_ms, sig) != 0)
		return auditverify_fail(v, seq, "the checkpoint of entry %" PRId64
		    " has a signature that does not verify (altered)", seq);
	v->checkpoints++;
	if (v->first_seq != 0 && seq <= v->last_seq) {
		if (seq == v->last_seq && strcmp(hash, v->last_hash) == 0)
			goto vouched;
		return auditverify_fail(v, seq, "the checkpoint of entry %" PRId64
		    " comes after that entry (checkpoints precede the entries "
		    "they cover)", seq);
	}
	if (v->head == v->npending)
		v->head = v->npending = 0;
	if (v->npending == LIMIT_EXPORT_CHECKPOINTS)
		return auditverify_fail(v, seq, "more than %d checkpoints ahead",
		    LIMIT_EXPORT_CHECKPOINTS);
	if (v->npending == v->cap) {
		v->cap = v->cap == 0 ? 64 : v->cap * 2;
		v->pending = xrealloc(v->pending, v->cap * sizeof *v->pending);
	}
	/* Keep them by seq; they normally come in order already. */
	for (i = v->npending; i > v->head && v->pending[i - 1].seq > seq; i--)
		v->pending[i] = v->pending[i - 1];
	v->pending[i].seq = seq;
	memcpy(v->pending[i].hash, hash, sizeof v->pending[i].hash);
	v->npending++;
	return 0;
vouched:
	if (seq > v->signed_seq)
		v->signed_seq = seq;
	return 0;
}

/* Check one entry against the one before it and the checkpoints ahead. */
static int
auditverify_entry(struct auditverify *v, json_t *o)
{
	struct audit_entry e;
	json_t *jseq = json_object_get(o, "seq"), *site = json_object_get(o, "site_id");
	const char *ts = auditverify_str(o, "ts"), *prev = auditverify_str(o, "prev_hash");
	const char *hash = auditverify_str(o, "hash");
	char mine[AUDIT_HASH_HEX_LEN + 1];

	memset(&e, 0, sizeof e);
	if (!json_is_integer(jseq))
		return auditverify_fail(v, v->last_seq + 1, "line %" PRId64 ": an "
		    "entry without a seq", v->line);
	e.seq = json_integer_value(jseq);
	if (v->first_seq == 0) {
		v->first_seq = e.seq;
		if (e.seq != 1 && prev != NULL)
			snprintf(v->last_hash, sizeof v->last_hash, "%s", prev);
		v->last_seq = e.seq - 1;
	}
	if (e.seq != v->last_seq + 1) {
		if (e.seq <= v->last_seq)
			return auditverify_fail(v, e.seq, "entry %" PRId64 " is out "
			    "of order: it follows entry %" PRId64, e.seq, v->last_seq);
		return auditverify_fail(v, v->last_seq + 1, "entry %" PRId64
		    " missing: the sequence jumps from %" PRId64 " to %" PRId64,
		    v->last_seq + 1, v->last_seq, e.seq);
	}
	if (ts == NULL || vtime_parse(ts, &e.ts_ms) != 0 ||
	    !auditverify_is_hash(prev) || !auditverify_is_hash(hash) ||
	    auditverify_str(o, "details_text") == NULL ||
	    !(json_is_null(site) || json_is_integer(site)))
		return auditverify_fail(v, e.seq, "entry %" PRId64 ": a field is "
		    "missing or malformed (ts, site_id, details_text, prev_hash, "
		    "hash)", e.seq);
	e.actor_type = auditverify_str(o, "actor_type");
	e.actor = auditverify_str(o, "actor");
	e.action = auditverify_str(o, "action");
	e.object_type = auditverify_str(o, "object_type");
	e.object_id = auditverify_str(o, "object_id");
	e.site_id = json_is_integer(site) ? json_integer_value(site) : 0;
	e.details = auditverify_str(o, "details_text");
	e.source = auditverify_str(o, "source");
	e.outcome = auditverify_str(o, "outcome");
	if (strcmp(prev, v->last_hash) != 0)
		return auditverify_fail(v, e.seq, "entry %" PRId64 ": its previous "
		    "hash is not the hash of entry %" PRId64 "%s", e.seq,
		    e.seq - 1, e.seq == 1 ? " (the start of the chain)" : "");
	if (auditchain_hash(prev, &e, mine) != 0 || strcmp(mine, hash) != 0)
		return auditverify_fail(v, e.seq, "entry %" PRId64 ": its hash does "
		    "not match its contents (altered)", e.seq);
	while (v->head < v->npending && v->pending[v->head].seq <= e.seq) {
		if (v->pending[v->head].seq == e.seq &&
		    strcmp(v->pending[v->head].hash, hash) != 0)
			return auditverify_fail(v, e.seq, "entry %" PRId64 ": its hash "
			    "is not the one the checkpoint signed (the log was "
			    "rewritten from here or before)", e.seq);
		v->signed_seq = v->pending[v->head].seq;
		v->head++;
	}
	v->last_seq = e.seq;
	memcpy(v->last_hash, hash, sizeof v->last_hash);
	v->rows++;
	return 0;
}

/* Check one line; 0, or -1 with v->error. */
int
auditverify_line(struct auditverify *v, const char *line, size_t len)
{
	json_error_t err;
	json_t *o, *c;
	int rc;

	if (v->error != NULL)
		return -1;
	v->line++;
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (len == 0)
		return 0;
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(o)) {
		json_decref(o);
		return auditverify_fail(v, v->last_seq + 1, "line %" PRId64 " is not "
		    "a JSON object (after entry %" PRId64 ")", v->line, v->last_seq);
	}
	if ((c = json_object_get(o, "checkpoint")) != NULL)
		rc = auditverify_checkpoint(v, c);
	else if (json_object_get(o, "end") != NULL)
		rc = 0;
	else
		rc = auditverify_entry(v, o);
	json_decref(o);
	return rc;
}

/* Check what only the end can tell; 0, or -1 with v->error. */
int
auditverify_finish(struct auditverify *v)
{
	if (v->error != NULL)
		return -1;
	if (v->rows == 0)
		return auditverify_fail(v, 0, "no audit entries");
	if (v->head < v->npending) {
		int64_t s = v->pending[v->npending - 1].seq;

		return auditverify_fail(v, v->last_seq + 1, "entry %" PRId64
		    " missing: a signed checkpoint covers entry %" PRId64 " but "
		    "the file ends at entry %" PRId64 " (cut short)",
		    v->last_seq + 1, s, v->last_seq);
	}
	if (v->checkpoints == 0)
		return auditverify_fail(v, v->last_seq + 1, "no signed checkpoint "
		    "in the file: entries cut from its end could not be told");
	return 0;
}
