/*
 * checkpoint.h: signed checkpoints of the audit chain's head.
 *
 * vigild keeps an Ed25519 key in a file of its own, outside the database
 * (--audit-key, by default the database's path with ".key" added), created
 * with mode 0600 the first time it is needed.  Every
 * AUDIT_CHECKPOINT_INTERVAL_S, and whenever the audit is exported, it signs
 * the head of the chain (seq, hash, time; the signed text is in auditsig.h)
 * and stores the checkpoint in the audit_checkpoints table.  Exports carry
 * them, so that a verifier holding the public key can tell that a file or a
 * database lost its tail or had it rewritten: someone who can write the
 * database but not read the key file cannot sign a new head.
 */
#ifndef VIGIL_CHECKPOINT_H
#define VIGIL_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

struct server;
struct store;

/*
 * Load the signing key from path, creating it (mode 0600) when create is
 * set and the file does not exist; 0, or -1 with *cause.  One key per
 * process, kept until checkpoint_key_close.
 */
int checkpoint_key_open(const char *path, bool create, char **cause);
/* Forget the key (its secret is wiped). */
void checkpoint_key_close(void);
/* The public key as lowercase hex, or NULL when no key is loaded. */
const char *checkpoint_public_key(void);

/*
 * Sign and store a checkpoint of the audit head when the head moved since
 * the newest checkpoint.  Runs its own write transaction (never inside
 * another).  Returns the head's seq (0 for an empty log), or -1 when no key
 * is loaded or the store failed (logged).
 */
int64_t checkpoint_record(struct store *st, int64_t now_ms);

/* Record checkpoints every AUDIT_CHECKPOINT_INTERVAL_S on srv's loop. */
void checkpoint_start(struct server *srv);
/* Stop the periodic checkpoints. */
void checkpoint_stop(void);

#endif
