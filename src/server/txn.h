/*
 * txn.h: one write transaction of vigild, with its stream messages.
 *
 * txn_commit commits and only then releases the transaction's stream messages
 * to the hub; txn_abort rolls back and forgets them.
 */
#ifndef VIGIL_TXN_H
#define VIGIL_TXN_H

struct server;

/* Begin a write transaction; 0 or -1. */
int txn_begin(struct server *srv);
/* Commit and publish its stream messages; 0, or -1 after rolling back. */
int txn_commit(struct server *srv);
/* Roll back and drop its stream messages. */
void txn_abort(struct server *srv);

#endif
