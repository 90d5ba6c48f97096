#include "compat.h"

#include "server.h"
#include "store.h"
#include "streamlog.h"
#include "txn.h"

/* Begin a write transaction; 0 or -1. */
int
txn_begin(struct server *srv)
{
	return store_begin(srv->st);
}

/* Commit and publish its stream messages; 0, or -1 after rolling back. */
int
txn_commit(struct server *srv)
{
	if (store_commit(srv->st) != 0) {
		streamlog_discard(srv);
		return -1;
	}
	streamlog_flush(srv);
	return 0;
}

/* Roll back and drop its stream messages. */
void
txn_abort(struct server *srv)
{
	store_rollback(srv->st);
	streamlog_discard(srv);
}
