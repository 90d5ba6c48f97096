/*
 * store.h: the durable store (SQLite, WAL, synchronous=FULL).
 *
 * One connection per process.  Statements are prepared once and cached by the
 * address of their SQL text, so callers keep their SQL in static strings next
 * to the code that uses it.  Writes happen inside store_begin/store_commit;
 * everything that must be atomic with a change (the stream message, the audit
 * entry) is written in the same transaction.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

struct store;

/*
 * Open (creating if needed) the database at path, apply pending migrations.
 * Returns NULL and a message in *cause (caller frees) on failure.
 */
struct store *store_open(const char *path, char **cause);
/* Finalize cached statements and close. */
void store_free(struct store *st);
/* The raw connection, for modules that step their own statements. */
sqlite3 *store_db(struct store *st);
/* Schema version after migrations. */
int store_schema_version(struct store *st);

/*
 * The cached statement for sql (a string with static storage), reset and with
 * its bindings cleared.  Dies on a statement that does not prepare: SQL in
 * the code that is wrong is a broken invariant.
 */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);

/* BEGIN IMMEDIATE; 0 or -1 (logged). */
int store_begin(struct store *st);
/* COMMIT; 0 or -1 (logged; the transaction is rolled back). */
int store_commit(struct store *st);
/* ROLLBACK, if a transaction is open. */
void store_rollback(struct store *st);
/* True inside store_begin .. store_commit. */
bool store_in_tx(struct store *st);

/*
 * SQLite's data version: it changes when ANOTHER connection (e.g. "vigild
 * site import" in another process) commits, so caches can be dropped then.
 */
int64_t store_data_version(struct store *st);

/* Run sql (no rows) with no parameters; 0 or -1 (logged). */
int store_exec(struct store *st, const char *sql);
/* The last SQLite error message. */
const char *store_errmsg(struct store *st);

/* Bind helpers: text may be NULL (binds NULL). */
void store_bind_text(sqlite3_stmt *s, int i, const char *text);
void store_bind_int(sqlite3_stmt *s, int i, int64_t v);
/* Column text as a C string ("" for NULL). */
const char *store_col_text(sqlite3_stmt *s, int i);

#endif
