/*
 * streamlog.h: the ordered log of changes that consoles follow.
 *
 * A change and its stream message are written in one transaction; the
 * message's seq is the table's rowid.  After commit, the messages of the
 * transaction are handed to the hub to be sent (streamlog_flush); after a
 * rollback they are forgotten (streamlog_discard).
 */
#ifndef VIGIL_STREAMLOG_H
#define VIGIL_STREAMLOG_H

#include <stdint.h>

#include <jansson.h>

struct server;

/*
 * Append a message of type ("alarm.created") about site_id (0 for none) with
 * data (stolen) in the current transaction.  Returns its seq, or -1.
 */
int64_t streamlog_append(struct server *srv, const char *type, int64_t site_id,
    json_t *data, int64_t now_ms);
/* After a commit: pass this transaction's messages on to the hub. */
void streamlog_flush(struct server *srv);
/* After a rollback: forget this transaction's messages. */
void streamlog_discard(struct server *srv);
/* The newest seq in the log (0 when empty). */
int64_t streamlog_head(struct server *srv);
/* Free the pending list (at shutdown). */
void streamlog_free(struct server *srv);

#endif
