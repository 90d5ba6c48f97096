/*
 * audit.h: the tamper-evident audit log of vigild.
 *
 * Every change of state is appended inside the transaction that makes the
 * change, so the log and the data cannot disagree.  The chain's head is read
 * from the table inside that (write-locked) transaction, so several processes
 * on one database (vigild and "vigild user add") extend one chain.
 */
#ifndef VIGIL_AUDIT_H
#define VIGIL_AUDIT_H

#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "auditchain.h"

struct store;
struct principal;

/* Who did it and from where, as the audit records it. */
struct audit_actor {
	const char *type;     /* user, gateway, device, system */
	const char *name;
	const char *source;   /* address and client, or "" */
};

/* Fill an audit actor from a principal and a request source. */
void audit_actor_from(struct audit_actor *a, const struct principal *who,
    const char *source);

/*
 * Append one entry in the current transaction.  details may be NULL (it is
 * borrowed, not stolen); outcome is "ok" unless something was refused.
 * Returns the entry's seq, or -1.
 */
int64_t audit_append(struct store *st, const struct audit_actor *who,
    const char *action, const char *object_type, const char *object_id,
    int64_t site_id, json_t *details, const char *outcome, int64_t now_ms);

/*
 * Recompute the whole chain.  0 when every entry verifies (*count entries);
 * -1 with *bad_seq the first entry that does not and *cause saying why.
 */
int audit_verify(struct store *st, int64_t *count, int64_t *bad_seq, char **cause);

/* Columns of the audit table in the order audit_row reads them. */
#define AUDIT_COLUMNS \
	"seq, ts_ms, actor_type, actor, action, object_type, object_id, " \
	"site_id, details, source, outcome, prev_hash, hash"

/* Read the current row of s (selected as AUDIT_COLUMNS) into e; strings borrowed. */
void audit_row(sqlite3_stmt *s, struct audit_entry *e);

/* An entry as JSON for the API and exports. */
json_t *audit_entry_json(const struct audit_entry *e);

#endif
