/*
 * auditverify.h: checking an exported audit log, trusting nothing but the
 * public key of the server's checkpoints.
 *
 * Feed it the lines of an audit export in order (auditverify_line), then
 * call auditverify_finish.  Rows are checked one by one as they come, so
 * memory does not grow with the log: each entry's hash is recomputed from
 * its fields (auditchain.h, with details_text as hashed), its seq must
 * follow the one before and its prev_hash must be that one's hash.
 * Checkpoint lines ({"checkpoint":{"seq","hash","ts","key","signature"}})
 * come before the entries they cover; each one's signature must verify with
 * the key, and when its entry comes, the entry's hash must be the signed
 * one.  At the end, a checkpoint beyond the last entry means entries were
 * cut from the end, and a file with no checkpoint is refused: its end
 * cannot be vouched for.
 *
 * The first failure stops the check: bad_seq names the entry and error
 * says what failed.
 */
#ifndef VIGIL_AUDITVERIFY_H
#define VIGIL_AUDITVERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "auditchain.h"
#include "auditsig.h"

struct auditverify_ckpt {
	int64_t seq;
	char hash[AUDIT_HASH_HEX_LEN + 1];
};

struct auditverify {
	char key[AUDITSIG_PK_HEX_LEN + 1];  /* the public key trusted */
	int64_t first_seq;       /* the first entry in the file, 0 before one */
	int64_t last_seq;        /* the last entry checked */
	char last_hash[AUDIT_HASH_HEX_LEN + 1];
	int64_t rows;
	int64_t checkpoints;     /* checkpoints verified */
	int64_t signed_seq;      /* the newest entry a checkpoint vouched for */
	struct auditverify_ckpt *pending; /* checkpoints ahead, by seq */
	size_t head, npending, cap; /* pending[head..npending) are ahead */
	int64_t line;            /* lines read */
	int64_t bad_seq;         /* the entry that failed, 0 when none or unknown */
	char *error;             /* what failed, or NULL */
};

/* Start a check trusting the public key key_hex (64 hex digits). */
void auditverify_init(struct auditverify *v, const char *key_hex);
/* Free what the check holds. */
void auditverify_release(struct auditverify *v);
/* Check one line (no newline); 0, or -1 with v->error (and v->bad_seq). */
int auditverify_line(struct auditverify *v, const char *line, size_t len);
/* Check what only the end can tell; 0, or -1 with v->error. */
int auditverify_finish(struct auditverify *v);

#endif
