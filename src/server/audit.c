#include "compat.h"

#include "audit.h"
#include "auth.h"
#include "log.h"
#include "store.h"
#include "utf8.h"
#include "vtime.h"

/* Fill an audit actor from a principal and a request source. */
void
audit_actor_from(struct audit_actor *a, const struct principal *who,
    const char *source)
{
	a->source = source != NULL ? source : "";
	if (who == NULL) {
		a->type = "system";
		a->name = "vigild";
		return;
	}
	switch (who->kind) {
	case PRINCIPAL_USER:
		a->type = "user";
		break;
	case PRINCIPAL_GATEWAY:
		a->type = "gateway";
		break;
	case PRINCIPAL_DEVICE:
		a->type = "device";
		break;
	case PRINCIPAL_SYSTEM:
		a->type = "system";
		break;
	case PRINCIPAL_NONE:
	default:
		/* Not authenticated: a failed login or a refused secret. */
		a->type = "anonymous";
		break;
	}
	a->name = who->name;
	if (who->kind == PRINCIPAL_SYSTEM && *a->name == '\0')
		a->name = "vigild";
}

/*
 * A copy of s ("" for NULL) with every byte that is not valid UTF-8 replaced
 * by '?': the canonical form is JSON, and a client's self-description in the
 * source must not be able to make an audited action fail.
 */
static char *
audit_clean(const char *s)
{
	char *copy = xstrdup(s != NULL ? s : "");
	unsigned char *p = (unsigned char *)copy;
	size_t left = strlen(copy);
	uint32_t cp;

	while (left > 0) {
		size_t n = utf8_decode(p, left, &cp);

		if (cp == UTF8_INVALID) {
			*p = '?';
			n = 1;
		}
		p += n;
		left -= n;
	}
	return copy;
}

/* Read the current row of s (selected as AUDIT_COLUMNS) into e; strings borrowed. */
void
audit_row(sqlite3_stmt *s, struct audit_entry *e)
{
	e->seq = sqlite3_column_int64(s, 0);
	e->ts_ms = sqlite3_column_int64(s, 1);
	e->actor_type = store_col_text(s, 2);
	e->actor = store_col_text(s, 3);
	e->action = store_col_text(s, 4);
	e->object_type = store_col_text(s, 5);
	e->object_id = store_col_text(s, 6);
	e->site_id = sqlite3_column_type(s, 7) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(s, 7);
	e->details = store_col_text(s, 8);
	e->source = store_col_text(s, 9);
	e->outcome = store_col_text(s, 10);
	snprintf(e->prev_hash, sizeof e->prev_hash, "%s", store_col_text(s, 11));
	snprintf(e->hash, sizeof e->hash, "%s", store_col_text(s, 12));
}

/*
 * Read the head of the chain (its seq and hash) inside the open transaction;
 * 0 and the genesis hash for an empty log.
 */
static int
audit_head(struct store *st, int64_t *seq, char hash[AUDIT_HASH_HEX_LEN + 1])
{
	static const char sql[] =
	    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc;

	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		*seq = 0;
		memcpy(hash, auditchain_genesis, sizeof auditchain_genesis);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		log_error("audit: cannot read the head: %s", store_errmsg(st));
		return -1;
	}
	*seq = sqlite3_column_int64(s, 0);
	snprintf(hash, AUDIT_HASH_HEX_LEN + 1, "%s", store_col_text(s, 1));
	sqlite3_reset(s);
	return 0;
}

/* Append one entry in the current transaction; its seq, or -1. */
int64_t
audit_append(struct store *st, const struct audit_actor *who,
    const char *action, const char *object_type, const char *object_id,
    int64_t site_id, json_t *details, const char *outcome, int64_t now_ms)
{
	static const char sql[] =
	    "INSERT INTO audit (" AUDIT_COLUMNS ") "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct audit_entry e;
	char *actor_type, *actor, *act, *otype, *oid, *source, *out, *text;
	sqlite3_stmt *s;
	int64_t prev_seq, result = -1;

	if (!store_in_tx(st)) {
		log_error("audit: %s appended outside a transaction", action);
		return -1;
	}
	memset(&e, 0, sizeof e);
	if (audit_head(st, &prev_seq, e.prev_hash) != 0)
		return -1;

	if (details != NULL)
		text = json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENCODE_ANY);
	else
		text = xstrdup("{}");
	if (text == NULL) {
		log_error("audit: cannot encode the details of %s", action);
		return -1;
	}
	actor_type = audit_clean(who != NULL ? who->type : "system");
	actor = audit_clean(who != NULL ? who->name : "vigild");
	source = audit_clean(who != NULL ? who->source : "");
	act = audit_clean(action);
	otype = audit_clean(object_type);
	oid = audit_clean(object_id);
	out = audit_clean(outcome != NULL ? outcome : "ok");

	e.seq = prev_seq + 1;
	e.ts_ms = now_ms;
	e.actor_type = actor_type;
	e.actor = actor;
	e.action = act;
	e.object_type = otype;
	e.object_id = oid;
	e.site_id = site_id > 0 ? site_id : 0;
	e.details = text;
	e.source = source;
	e.outcome = out;
	if (auditchain_hash(e.prev_hash, &e, e.hash) != 0) {
		log_error("audit: cannot hash entry %" PRId64 " (head hash \"%s\")",
		    e.seq, e.prev_hash);
		goto out;
	}

	s = store_stmt(st, sql);
	store_bind_int(s, 1, e.seq);
	store_bind_int(s, 2, e.ts_ms);
	store_bind_text(s, 3, e.actor_type);
	store_bind_text(s, 4, e.actor);
	store_bind_text(s, 5, e.action);
	store_bind_text(s, 6, e.object_type);
	store_bind_text(s, 7, e.object_id);
	if (e.site_id != 0)
		store_bind_int(s, 8, e.site_id);
	store_bind_text(s, 9, e.details);
	store_bind_text(s, 10, e.source);
	store_bind_text(s, 11, e.outcome);
	store_bind_text(s, 12, e.prev_hash);
	store_bind_text(s, 13, e.hash);
	if (sqlite3_step(s) != SQLITE_DONE) {
		log_error("audit: cannot append entry %" PRId64 ": %s", e.seq,
		    store_errmsg(st));
		goto out;
	}
	result = e.seq;

out:
	free(text);
	free(actor_type);
	free(actor);
	free(source);
	free(act);
	free(otype);
	free(oid);
	free(out);
	return result;
}

/*
 * Check one entry against the one before it (prev_seq and prev_hash, 0 and
 * the genesis hash before the first); NULL when it verifies, else why not.
 */
static char *
audit_check(const struct audit_entry *e, int64_t prev_seq, const char *prev_hash)
{
	char hash[AUDIT_HASH_HEX_LEN + 1];

	if (e->seq != prev_seq + 1) {
		if (prev_seq == 0)
			return xasprintf("entry 1 missing: the log starts at entry %"
			    PRId64, e->seq);
		return xasprintf("entry %" PRId64 " missing: sequence jumps from %"
		    PRId64 " to %" PRId64, prev_seq + 1, prev_seq, e->seq);
	}
	if (strcmp(e->prev_hash, prev_hash) != 0) {
		if (prev_seq == 0)
			return xasprintf("entry %" PRId64 ": previous hash is not the "
			    "start of the chain", e->seq);
		return xasprintf("entry %" PRId64 ": previous hash does not match "
		    "entry %" PRId64, e->seq, prev_seq);
	}
	if (auditchain_hash(e->prev_hash, e, hash) != 0 ||
	    strcmp(hash, e->hash) != 0)
		return xasprintf("entry %" PRId64 ": hash does not match its "
		    "contents (altered)", e->seq);
	return NULL;
}

/* Recompute the whole chain; 0 when every entry verifies, else -1 and why. */
int
audit_verify(struct store *st, int64_t *count, int64_t *bad_seq, char **cause)
{
	static const char sql[] =
	    "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY seq";
	sqlite3_stmt *s = store_stmt(st, sql);
	struct audit_entry e;
	char prev_hash[AUDIT_HASH_HEX_LEN + 1];
	int64_t prev_seq = 0, n = 0;
	char *why;
	int rc;

	*count = 0;
	*bad_seq = 0;
	*cause = NULL;
	memcpy(prev_hash, auditchain_genesis, sizeof prev_hash);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		audit_row(s, &e);
		if ((why = audit_check(&e, prev_seq, prev_hash)) != NULL) {
			*bad_seq = e.seq != prev_seq + 1 ? prev_seq + 1 : e.seq;
			*cause = why;
			*count = n;
			sqlite3_reset(s);
			return -1;
		}
		prev_seq = e.seq;
		memcpy(prev_hash, e.hash, sizeof prev_hash);
		n++;
	}
	sqlite3_reset(s);
	*count = n;
	if (rc != SQLITE_DONE) {
		*bad_seq = prev_seq + 1;
		*cause = xasprintf("cannot read entry %" PRId64 ": %s", prev_seq + 1,
		    store_errmsg(st));
		return -1;
	}
	return 0;
}

/* An entry as JSON for the API and exports. */
json_t *
audit_entry_json(const struct audit_entry *e)
{
	char ts[VTIME_ISO_LEN];
	json_t *o, *details;

	vtime_format(e->ts_ms, ts, sizeof ts);
	details = json_loads(e->details != NULL ? e->details : "{}",
	    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	if (details == NULL)
		details = json_string(e->details);
	o = json_object();
	json_object_set_new(o, "seq", json_integer(e->seq));
	json_object_set_new(o, "ts", json_string(ts));
	json_object_set_new(o, "actor_type", json_string(e->actor_type));
	json_object_set_new(o, "actor", json_string(e->actor));
	json_object_set_new(o, "action", json_string(e->action));
	json_object_set_new(o, "object_type", json_string(e->object_type));
	json_object_set_new(o, "object_id", json_string(e->object_id));
	json_object_set_new(o, "site_id", e->site_id != 0 ?
	    json_integer(e->site_id) : json_null());
	json_object_set_new(o, "details", details != NULL ? details : json_null());
	/* The text as hashed, so anyone can recompute the chain exactly. */
	json_object_set_new(o, "details_text", json_string(e->details != NULL ?
	    e->details : "{}"));
	json_object_set_new(o, "source", json_string(e->source));
	json_object_set_new(o, "outcome", json_string(e->outcome));
	json_object_set_new(o, "prev_hash", json_string(e->prev_hash));
	json_object_set_new(o, "hash", json_string(e->hash));
	return o;
}
