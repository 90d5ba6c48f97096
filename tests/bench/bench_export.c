/*
 * bench_export: a database with N audit entries whose chain verifies, for
 * the export benchmark (part_export.sh).  Entries look like those of a busy
 * control room (alarm actions by operators, with before and after details);
 * each one's hash is computed as vigild computes it.
 *
 *   bench_export DBFILE ENTRIES
 */
#include "compat.h"

#include <sodium.h>

#include "audit.h"
#include "auditchain.h"
#include "store.h"
#include "vtime.h"

#define BENCH_BATCH 10000

int
main(int argc, char **argv)
{
	static const char ins[] =
	    "INSERT INTO audit (" AUDIT_COLUMNS ") "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char *const actions[] = { "alarm.ack", "alarm.assign",
	    "alarm.close", "guard.status", "login" };
	static const char *const users[] = { "ana", "ben", "chloe", "dev" };
	char prev[AUDIT_HASH_HEX_LEN + 1], oid[24], details[256], source[64];
	struct audit_entry e;
	struct store *st;
	char *cause = NULL;
	long n;
	int64_t now;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_export DBFILE ENTRIES\n");
		return 64;
	}
	if (sodium_init() < 0)
		return 1;
	n = atol(argv[2]);
	if ((st = store_open(argv[1], &cause)) == NULL) {
		fprintf(stderr, "bench_export: %s\n", cause);
		return 1;
	}
	store_exec(st, "PRAGMA synchronous=OFF");
	memcpy(prev, auditchain_genesis, sizeof prev);
	now = vtime_now_ms() - (int64_t)n * 50;
	for (long i = 0; i < n; i += BENCH_BATCH) {
		store_begin(st);
		for (long j = i; j < i + BENCH_BATCH && j < n; j++) {
			sqlite3_stmt *s = store_stmt(st, ins);

			memset(&e, 0, sizeof e);
			e.seq = j + 1;
			e.ts_ms = now + j * 50;
			e.actor_type = "user";
			e.actor = users[j % 4];
			e.action = actions[j % 5];
			e.object_type = j % 5 == 4 ? "user" : "alarm";
			snprintf(oid, sizeof oid, "%ld", 1000 + j / 3);
			e.object_id = oid;
			e.site_id = 1 + j % 7;
			snprintf(details, sizeof details, "{\"after\":{\"state\":"
			    "\"acknowledged\",\"version\":%ld},\"before\":{\"state\":"
			    "\"new\",\"version\":%ld},\"note\":\"checked on camera %ld\"}",
			    j % 9 + 2, j % 9 + 1, j % 40);
			e.details = details;
			snprintf(source, sizeof source, "10.0.%ld.%ld (vigil/0.1.0)",
			    j % 4, 10 + j % 200);
			e.source = source;
			e.outcome = "ok";
			memcpy(e.prev_hash, prev, sizeof prev);
			if (auditchain_hash(prev, &e, e.hash) != 0) {
				fprintf(stderr, "bench_export: cannot hash\n");
				return 1;
			}
			store_bind_int(s, 1, e.seq);
			store_bind_int(s, 2, e.ts_ms);
			store_bind_text(s, 3, e.actor_type);
			store_bind_text(s, 4, e.actor);
			store_bind_text(s, 5, e.action);
			store_bind_text(s, 6, e.object_type);
			store_bind_text(s, 7, e.object_id);
			store_bind_int(s, 8, e.site_id);
			store_bind_text(s, 9, e.details);
			store_bind_text(s, 10, e.source);
			store_bind_text(s, 11, e.outcome);
			store_bind_text(s, 12, e.prev_hash);
			store_bind_text(s, 13, e.hash);
			if (sqlite3_step(s) != SQLITE_DONE) {
				fprintf(stderr, "bench_export: %s\n", store_errmsg(st));
				return 1;
			}
			memcpy(prev, e.hash, sizeof prev);
		}
		if (store_commit(st) != 0)
			return 1;
	}
	store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)");
	store_free(st);
	printf("%ld\n", n);
	return 0;
}
