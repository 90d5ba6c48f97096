/*
 * bench_sqlite: the reference for the ingest benchmark.  Inserts the rows
 * vigild would store for N events straight into a database with vigild's
 * schema (WAL, synchronous=FULL), in transactions of BATCH rows, and prints
 * the rate.  No HTTP, no JSON, no rules: what SQLite alone can do here.
 *
 *   bench_sqlite DBFILE EVENTS BATCH
 */
#include "compat.h"

#include "store.h"
#include "vtime.h"

int
main(int argc, char **argv)
{
	static const char site[] =
	    "INSERT INTO sites (key, name, created_ms, updated_ms) VALUES ('b', 'b', 0, 0)";
	static const char gw[] =
	    "INSERT INTO gateways (site_id, key, name, secret_hash) VALUES (1, 'g', 'g', x'00')";
	static const char ins[] =
	    "INSERT OR IGNORE INTO events (gateway_id, gw_event_id, site_id, point_id,"
	    " type, value, credential, sensor_ms, received_ms, class)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct store *st;
	char *cause = NULL, id[64];
	long events, batch;
	int64_t t0, t1, now;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_sqlite DBFILE EVENTS BATCH\n");
		return 64;
	}
	events = atol(argv[2]);
	batch = atol(argv[3]);
	if ((st = store_open(argv[1], &cause)) == NULL) {
		fprintf(stderr, "bench_sqlite: %s\n", cause);
		return 1;
	}
	store_exec(st, site);
	store_exec(st, gw);
	now = vtime_now_ms();
	t0 = vtime_mono_ms();
	for (long i = 0; i < events; i += batch) {
		store_begin(st);
		for (long j = i; j < i + batch && j < events; j++) {
			sqlite3_stmt *s = store_stmt(st, ins);

			snprintf(id, sizeof id, "bench-g-%ld", j);
			store_bind_int(s, 1, 1);
			store_bind_text(s, 2, id);
			store_bind_int(s, 3, 1);
			sqlite3_bind_null(s, 4);
			store_bind_text(s, 5, j % 10 == 0 ? "close" : "open");
			sqlite3_bind_null(s, 6);
			sqlite3_bind_null(s, 7);
			store_bind_int(s, 8, now);
			store_bind_int(s, 9, now);
			store_bind_text(s, 10, "signal");
			if (sqlite3_step(s) != SQLITE_DONE) {
				fprintf(stderr, "bench_sqlite: %s\n", store_errmsg(st));
				return 1;
			}
		}
		if (store_commit(st) != 0)
			return 1;
	}
	t1 = vtime_mono_ms();
	printf("%.0f\n", (double)events * 1000.0 / (double)(t1 - t0 > 0 ? t1 - t0 : 1));
	store_free(st);
	return 0;
}
