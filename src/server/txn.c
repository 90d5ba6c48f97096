#include "compat.h"

#include "http.h"
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

/* Commit, then reply status with body (stolen), or 503 naming what was lost. */
void
txn_commit_reply(struct server *srv, struct http_resp *resp, const char *what,
    int status, json_t *body)
{
	if (txn_commit(srv) != 0) {
		json_decref(body);
		resp_error(resp, 503, "unavailable", "%s could not be stored; "
		    "try again", what);
		return;
	}
	resp_json(resp, status, body);
}

/* Roll back and drop its stream messages. */
void
txn_abort(struct server *srv)
{
	store_rollback(srv->st);
	streamlog_discard(srv);
}

/* Begin a read transaction unless one is open; false after replying 503. */
bool
txn_read_begin(struct server *srv, struct http_resp *resp, bool *began)
{
	*began = false;
	if (!sqlite3_get_autocommit(store_db(srv->st)))
		return true;
	if (store_exec(srv->st, "BEGIN") != 0) {
		resp_error(resp, 503, "unavailable", "the store is busy; try again");
		return false;
	}
	*began = true;
	return true;
}

/* End a read transaction begun by txn_read_begin. */
void
txn_read_end(struct server *srv, bool began)
{
	if (began && store_exec(srv->st, "COMMIT") != 0)
		store_exec(srv->st, "ROLLBACK");
}
