/*
 * txn.h: vigild's transactions: a write with its stream messages, and a
 * read that makes a reply one snapshot.
 *
 * txn_commit commits and only then releases the transaction's stream messages
 * to the hub; txn_abort rolls back and forgets them.
 *
 * A reply that reads several tables (and the stream head it is consistent
 * with) reads them in one read transaction, txn_read_begin .. txn_read_end,
 * so that it is one snapshot.
 */
#ifndef VIGIL_TXN_H
#define VIGIL_TXN_H

#include <stdbool.h>

#include <jansson.h>

struct server;
struct http_resp;

/* Begin a write transaction; 0 or -1. */
int txn_begin(struct server *srv);
/* Commit and publish its stream messages; 0, or -1 after rolling back. */
int txn_commit(struct server *srv);
/* Roll back and drop its stream messages. */
void txn_abort(struct server *srv);
/*
 * Commit, then reply status with body (stolen); when the commit fails,
 * reply 503 "WHAT could not be stored; try again" instead.
 */
void txn_commit_reply(struct server *srv, struct http_resp *resp,
    const char *what, int status, json_t *body);

/*
 * Begin a read transaction unless one is open; *began tells whether one was
 * begun here.  False after replying 503.
 */
bool txn_read_begin(struct server *srv, struct http_resp *resp, bool *began);
/* End a read transaction begun by txn_read_begin. */
void txn_read_end(struct server *srv, bool began);

#endif
