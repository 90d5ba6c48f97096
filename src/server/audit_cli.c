#include "compat.h"

#include "audit.h"
#include "audit_cli.h"
#include "store.h"

/* The hash of entry seq (the head of what was verified), or genesis for 0. */
static void
audit_cli_head(struct store *st, int64_t seq, char hash[AUDIT_HASH_HEX_LEN + 1])
{
	static const char sql[] = "SELECT hash FROM audit WHERE seq = ?";
	sqlite3_stmt *s;

	memcpy(hash, auditchain_genesis, sizeof auditchain_genesis);
	if (seq == 0)
		return;
	s = store_stmt(st, sql);
	store_bind_int(s, 1, seq);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(hash, AUDIT_HASH_HEX_LEN + 1, "%s", store_col_text(s, 0));
	sqlite3_reset(s);
}

/*
 * The cause without its leading "entry N" (the line already names the
 * entry): "entry 17: hash does ..." becomes "hash does ...".
 */
static const char *
audit_cli_reason(const char *cause, int64_t seq)
{
	char prefix[48];
	size_t len;

	len = (size_t)snprintf(prefix, sizeof prefix, "entry %" PRId64, seq);
	if (strncmp(cause, prefix, len) != 0)
		return cause;
	cause += len;
	if (*cause == ':')
		cause++;
	while (*cause == ' ')
		cause++;
	return cause;
}

/* Verify the whole chain and report on out; 0 when it verifies, 1 when not. */
int
audit_cli_verify(struct store *st, FILE *out)
{
	char head[AUDIT_HASH_HEX_LEN + 1];
	int64_t count, bad_seq;
	char *cause = NULL;

	if (audit_verify(st, &count, &bad_seq, &cause) != 0) {
		fprintf(out, "audit: entry %" PRId64 " does not verify: %s\n",
		    bad_seq, audit_cli_reason(cause != NULL ? cause : "unknown", bad_seq));
		free(cause);
		return 1;
	}
	audit_cli_head(st, count, head);
	fprintf(out, "audit: %" PRId64 " entries verified, head %s\n", count, head);
	return 0;
}
