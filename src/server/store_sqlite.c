#include "compat.h"

#include "log.h"
#include "migrations.h"
#include "store.h"
#include "utf8.h"

#define STORE_STMT_SLOTS 256
#define STORE_BUSY_TIMEOUT_MS 10000
#define STORE_REPAIR_SLOTS 16   /* repaired column texts alive at once */

struct store_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	bool in_tx;
	int version;
	struct store_slot slots[STORE_STMT_SLOTS];
};

/* Run sql (no rows) with no parameters; 0 or -1 (logged). */
int
store_exec(struct store *st, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_error("store: %s", err != NULL ? err : sqlite3_errmsg(st->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Read PRAGMA user_version. */
static int
store_user_version(struct store *st)
{
	sqlite3_stmt *s;
	int v = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Apply every migration newer than the database, each in its own transaction. */
static int
store_migrate(struct store *st, char **cause)
{
	int have = store_user_version(st);

	if (have < 0) {
		*cause = xasprintf("cannot read schema version: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	if (have > migrations[migrations_count - 1].version) {
		*cause = xasprintf("database schema %d is newer than this vigild (%d)",
		    have, migrations[migrations_count - 1].version);
		return -1;
	}
	for (int i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		char *sql;

		if (m->version <= have)
			continue;
		sql = xasprintf("BEGIN IMMEDIATE; %s; PRAGMA user_version = %d; COMMIT;",
		    m->sql, m->version);
		if (store_exec(st, sql) != 0) {
			*cause = xasprintf("migration %d (%s) failed: %s", m->version,
			    m->name, sqlite3_errmsg(st->db));
			free(sql);
			store_exec(st, "ROLLBACK");
			return -1;
		}
		free(sql);
		log_info("store: applied migration %d (%s)", m->version, m->name);
	}
	st->version = store_user_version(st);
	return 0;
}

/* Open (creating if needed) the database at path, apply pending migrations. */
struct store *
store_open(const char *path, char **cause)
{
	struct store *st = xcalloc(1, sizeof *st);
	int rc;

	rc = sqlite3_open_v2(path, &st->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		*cause = xasprintf("cannot open %s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		store_free(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(st->db, 1);
	/*
	 * WAL lets readers (exports, the sqlite3 shell) run beside the writer;
	 * synchronous=FULL makes every commit durable before a gateway is told
	 * its events are stored.
	 */
	if (store_exec(st, "PRAGMA journal_mode=WAL") != 0 ||
	    store_exec(st, "PRAGMA synchronous=FULL") != 0 ||
	    store_exec(st, "PRAGMA foreign_keys=ON") != 0 ||
	    store_exec(st, "PRAGMA temp_store=MEMORY") != 0) {
		*cause = xasprintf("cannot set up %s: %s", path, sqlite3_errmsg(st->db));
		store_free(st);
		return NULL;
	}
	if (store_migrate(st, cause) != 0) {
		store_free(st);
		return NULL;
	}
	return st;
}

/* Finalize cached statements and close. */
void
store_free(struct store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < STORE_STMT_SLOTS; i++)
		if (st->slots[i].stmt != NULL)
			sqlite3_finalize(st->slots[i].stmt);
	if (st->db != NULL)
		sqlite3_close(st->db);
	free(st);
}

/* The raw connection, for modules that step their own statements. */
sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

/* Schema version after migrations. */
int
store_schema_version(struct store *st)
{
	return st->version;
}

/* The cached statement for sql, reset and with its bindings cleared. */
sqlite3_stmt *
store_stmt(struct store *st, const char *sql)
{
	size_t h = ((uintptr_t)sql >> 3) % STORE_STMT_SLOTS;

	for (size_t n = 0; n < STORE_STMT_SLOTS; n++) {
		struct store_slot *slot = &st->slots[(h + n) % STORE_STMT_SLOTS];

		if (slot->sql == sql) {
			sqlite3_reset(slot->stmt);
			sqlite3_clear_bindings(slot->stmt);
			return slot->stmt;
		}
		if (slot->sql == NULL) {
			if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			    &slot->stmt, NULL) != SQLITE_OK)
				fatal("store: cannot prepare \"%s\": %s", sql,
				    sqlite3_errmsg(st->db));
			slot->sql = sql;
			return slot->stmt;
		}
	}
	fatal("store: more than %d distinct statements", STORE_STMT_SLOTS);
}

/* BEGIN IMMEDIATE; 0 or -1 (logged). */
int
store_begin(struct store *st)
{
	if (st->in_tx)
		fatal("store: nested transaction");
	if (store_exec(st, "BEGIN IMMEDIATE") != 0)
		return -1;
	st->in_tx = true;
	return 0;
}

/* COMMIT; 0 or -1 (logged; the transaction is rolled back). */
int
store_commit(struct store *st)
{
	if (!st->in_tx)
		fatal("store: commit outside a transaction");
	if (store_exec(st, "COMMIT") != 0) {
		store_rollback(st);
		return -1;
	}
	st->in_tx = false;
	return 0;
}

/* ROLLBACK, if a transaction is open. */
void
store_rollback(struct store *st)
{
	if (sqlite3_get_autocommit(st->db) == 0)
		store_exec(st, "ROLLBACK");
	st->in_tx = false;
}

/* True inside store_begin .. store_commit. */
bool
store_in_tx(struct store *st)
{
	return st->in_tx;
}

/* SQLite's data version, which changes when another connection commits. */
int64_t
store_data_version(struct store *st)
{
	static const char sql[] = "PRAGMA data_version";
	sqlite3_stmt *s = store_stmt(st, sql);
	int64_t v = -1;

	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

/* The last SQLite error message. */
const char *
store_errmsg(struct store *st)
{
	return sqlite3_errmsg(st->db);
}

/* Bind text, or NULL when text is NULL. */
void
store_bind_text(sqlite3_stmt *s, int i, const char *text)
{
	if (text == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT);
}

/* Bind a 64-bit integer. */
void
store_bind_int(sqlite3_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(s, i, v);
}

/*
 * Column text as a C string ("" for NULL), always valid UTF-8: text that is
 * not (only a hand-edited database holds such) comes back repaired, in one
 * of STORE_REPAIR_SLOTS buffers reused in turn, so that no reply or stream
 * message built from it can fail to encode.
 */
const char *
store_col_text(sqlite3_stmt *s, int i)
{
	static char *repaired[STORE_REPAIR_SLOTS];
	static int next;
	const unsigned char *t = sqlite3_column_text(s, i);
	int len;

	if (t == NULL)
		return "";
	len = sqlite3_column_bytes(s, i);
	if (utf8_valid((const char *)t, (size_t)len) && memchr(t, '\0', (size_t)len) == NULL)
		return (const char *)t;
	next = (next + 1) % STORE_REPAIR_SLOTS;
	free(repaired[next]);
	repaired[next] = utf8_repair((const char *)t, strlen((const char *)t));
	return repaired[next];
}
