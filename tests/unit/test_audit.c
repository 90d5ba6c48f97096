/* test_audit.c: the audit log's hash chain, its append and its verification. */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "api.h"
#include "audit.h"
#include "audit_cli.h"
#include "auth.h"
#include "server.h"
#include "store.h"

#define TEST_ENTRIES 100
#define TEST_TS_MS INT64_C(1795302062345) /* 2026-11-21T23:01:02.345Z */

/* A fresh database in its own directory. */
struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
};

/* Remove the database and its directory. */
static void
fixture_remove(struct fixture *f)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char file[160];

	for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
		snprintf(file, sizeof file, "%s%s", f->path, suffixes[i]);
		unlink(file);
	}
	rmdir(f->dir);
}

/* Open an empty store under a new temporary directory. */
static int
setup_empty(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *cause = NULL;

	snprintf(f->dir, sizeof f->dir, "/tmp/vigil-test-audit.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/vigil.db", f->dir);
	f->st = store_open(f->path, &cause);
	if (f->st == NULL) {
		fprintf(stderr, "store_open: %s\n", cause);
		free(cause);
		return -1;
	}
	*state = f;
	return 0;
}

/* Append entry i (1-based) of the standard test log. */
static int64_t
append_one(struct store *st, int i)
{
	struct audit_actor who = { "user", "ana", "127.0.0.1 vigil/0.1" };
	char id[32];
	json_t *details;
	int64_t seq;

	snprintf(id, sizeof id, "%d", i);
	details = json_pack("{s:i, s:s}", "version", i, "note", "checked");
	seq = audit_append(st, &who, "alarm.ack", "alarm", id, i % 3,
	    details, "ok", TEST_TS_MS + i);
	json_decref(details);
	return seq;
}

/* Open a store holding TEST_ENTRIES appended entries. */
static int
setup_full(void **state)
{
	struct fixture *f;

	if (setup_empty(state) != 0)
		return -1;
	f = *state;
	if (store_begin(f->st) != 0)
		return -1;
	for (int i = 1; i <= TEST_ENTRIES; i++)
		if (append_one(f->st, i) != i)
			return -1;
	return store_commit(f->st);
}

/* Close the store and delete its files. */
static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_free(f->st);
	fixture_remove(f);
	free(f);
	return 0;
}

/* Run audit_verify and expect it to fail at bad with a cause equal to want. */
static void
expect_bad(struct store *st, int64_t bad, const char *want)
{
	int64_t count = -1, bad_seq = -1;
	char *cause = NULL;

	assert_int_equal(audit_verify(st, &count, &bad_seq, &cause), -1);
	assert_int_equal(bad_seq, bad);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
}

/* The fixed entry used by the canonical and known-answer tests. */
static void
fixed_entry(struct audit_entry *e)
{
	memset(e, 0, sizeof *e);
	e->seq = 7;
	e->ts_ms = TEST_TS_MS;
	e->actor_type = "user";
	e->actor = "ana";
	e->action = "alarm.ack";
	e->object_type = "alarm";
	e->object_id = "42";
	e->site_id = 3;
	e->details = "{\"note\":\"caf\xc3\xa9\"}";
	e->source = "127.0.0.1 vigil/0.1";
	e->outcome = "ok";
}

static const char fixed_canonical[] =
    "{\"action\":\"alarm.ack\",\"actor\":\"ana\",\"actor_type\":\"user\","
    "\"details\":\"{\\\"note\\\":\\\"caf\xc3\xa9\\\"}\",\"object_id\":\"42\","
    "\"object_type\":\"alarm\",\"outcome\":\"ok\",\"seq\":7,\"site_id\":3,"
    "\"source\":\"127.0.0.1 vigil/0.1\",\"ts\":\"2026-11-21T23:01:02.345Z\"}";

/* The canonical form is compact, sorted, carries details as a string, and is stable. */
static void
test_canonical(void **state)
{
	struct audit_entry e;
	char *a, *b;

	fixed_entry(&e);
	a = auditchain_canonical(&e);
	b = auditchain_canonical(&e);
	assert_non_null(a);
	assert_string_equal(a, fixed_canonical);
	assert_string_equal(a, b);
	free(a);
	free(b);

	e.site_id = 0;
	a = auditchain_canonical(&e);
	assert_non_null(strstr(a, "\"site_id\":null,"));
	free(a);

	/* Text that is not UTF-8 has no canonical form. */
	e.source = "bad \xff byte";
	assert_null(auditchain_canonical(&e));
}

/* auditchain_hash is SHA-256 over the 32 decoded bytes of prev and the canonical text. */
static void
test_hash_known_answer(void **state)
{
	static const char prev_hex[] =
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
	/* SHA-256 of the same bytes, computed outside vigil. */
	static const char expected[] =
	    "9a9d878a857939be07b36e43c4632fbc7204e381e38c87ec0fb8ff8de8342578";
	unsigned char buf[32 + sizeof fixed_canonical];
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[AUDIT_HASH_HEX_LEN + 1], got[AUDIT_HASH_HEX_LEN + 1];
	struct audit_entry e;
	char upper[sizeof prev_hex];

	for (int i = 0; i < 32; i++)
		buf[i] = (unsigned char)i;
	memcpy(buf + 32, fixed_canonical, sizeof fixed_canonical - 1);
	crypto_hash_sha256(digest, buf, 32 + sizeof fixed_canonical - 1);
	sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
	assert_string_equal(hex, expected);

	fixed_entry(&e);
	assert_int_equal(auditchain_hash(prev_hex, &e, got), 0);
	assert_string_equal(got, expected);

	/* Upper-case digits decode to the same bytes. */
	for (size_t i = 0; i < sizeof prev_hex; i++)
		upper[i] = (char)(prev_hex[i] >= 'a' && prev_hex[i] <= 'f' ?
		    prev_hex[i] - 'a' + 'A' : prev_hex[i]);
	assert_int_equal(auditchain_hash(upper, &e, got), 0);
	assert_string_equal(got, expected);

	/* The genesis hash is 32 zero bytes. */
	memset(buf, 0, 32);
	crypto_hash_sha256(digest, buf, 32 + sizeof fixed_canonical - 1);
	sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
	assert_int_equal(auditchain_hash(auditchain_genesis, &e, got), 0);
	assert_string_equal(got, hex);
}

/* A previous hash that is not 64 hex digits is refused. */
static void
test_hash_bad_prev(void **state)
{
	char out[AUDIT_HASH_HEX_LEN + 1];
	char bad[AUDIT_HASH_HEX_LEN + 2];
	struct audit_entry e;

	fixed_entry(&e);
	assert_int_equal(auditchain_hash(NULL, &e, out), -1);
	assert_int_equal(auditchain_hash("", &e, out), -1);
	assert_int_equal(auditchain_hash("00", &e, out), -1);
	memset(bad, '0', sizeof bad);
	bad[AUDIT_HASH_HEX_LEN + 1] = '\0';
	assert_int_equal(auditchain_hash(bad, &e, out), -1);      /* 65 digits */
	bad[AUDIT_HASH_HEX_LEN] = '\0';
	bad[10] = 'g';
	assert_int_equal(auditchain_hash(bad, &e, out), -1);
	bad[10] = '\x10';
	assert_int_equal(auditchain_hash(bad, &e, out), -1);
	bad[10] = '0';
	assert_int_equal(auditchain_hash(bad, &e, out), 0);
}

/* An empty log verifies with no entries; the command line names the genesis head. */
static void
test_verify_empty(void **state)
{
	struct fixture *f = *state;
	int64_t count = -1, bad_seq = -1;
	char *cause = NULL, *text = NULL;
	size_t len = 0;
	FILE *out;

	assert_int_equal(audit_verify(f->st, &count, &bad_seq, &cause), 0);
	assert_int_equal(count, 0);
	assert_null(cause);

	out = open_memstream(&text, &len);
	assert_int_equal(audit_cli_verify(f->st, out), 0);
	fclose(out);
	assert_string_equal(text, "audit: 0 entries verified, head "
	    "0000000000000000000000000000000000000000000000000000000000000000\n");
	free(text);
}

/* Appending needs an open transaction. */
static void
test_append_outside_tx(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(append_one(f->st, 1), -1);
}

/* A hundred appended entries chain and verify; the CLI reports the head. */
static void
test_verify_ok(void **state)
{
	static const char sql[] =
	    "SELECT seq, prev_hash, hash, details FROM audit ORDER BY seq";
	struct fixture *f = *state;
	int64_t count = -1, bad_seq = -1;
	char prev[AUDIT_HASH_HEX_LEN + 1], want[200];
	char *cause = NULL, *text = NULL;
	sqlite3_stmt *s;
	size_t len = 0;
	FILE *out;
	int n = 0;

	assert_int_equal(audit_verify(f->st, &count, &bad_seq, &cause), 0);
	assert_int_equal(count, TEST_ENTRIES);
	assert_null(cause);

	memcpy(prev, auditchain_genesis, sizeof prev);
	s = store_stmt(f->st, sql);
	while (sqlite3_step(s) == SQLITE_ROW) {
		n++;
		assert_int_equal(sqlite3_column_int64(s, 0), n);
		assert_string_equal(store_col_text(s, 1), prev);
		assert_int_equal(strlen(store_col_text(s, 2)), AUDIT_HASH_HEX_LEN);
		assert_string_not_equal(store_col_text(s, 2), prev);
		snprintf(prev, sizeof prev, "%s", store_col_text(s, 2));
		snprintf(want, sizeof want, "{\"note\":\"checked\",\"version\":%d}", n);
		assert_string_equal(store_col_text(s, 3), want);
	}
	sqlite3_reset(s);
	assert_int_equal(n, TEST_ENTRIES);

	out = open_memstream(&text, &len);
	assert_int_equal(audit_cli_verify(f->st, out), 0);
	fclose(out);
	snprintf(want, sizeof want, "audit: %d entries verified, head %s\n",
	    TEST_ENTRIES, prev);
	assert_string_equal(text, want);
	free(text);
}

/* Appends in later transactions continue the chain. */
static void
test_append_continues(void **state)
{
	struct fixture *f = *state;
	int64_t count, bad_seq;
	char *cause = NULL;

	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(append_one(f->st, 101), TEST_ENTRIES + 1);
	assert_int_equal(store_commit(f->st), 0);
	/* A rolled-back append leaves no trace and no gap. */
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(append_one(f->st, 102), TEST_ENTRIES + 2);
	store_rollback(f->st);
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(append_one(f->st, 102), TEST_ENTRIES + 2);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(audit_verify(f->st, &count, &bad_seq, &cause), 0);
	assert_int_equal(count, TEST_ENTRIES + 2);
}

/* A changed field is found at its entry, by the API and the command line. */
static void
test_tamper_field(void **state)
{
	struct fixture *f = *state;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	assert_int_equal(store_exec(f->st,
	    "UPDATE audit SET actor = 'mallory' WHERE seq = 37"), 0);
	expect_bad(f->st, 37, "entry 37: hash does not match its contents (altered)");

	out = open_memstream(&text, &len);
	assert_int_equal(audit_cli_verify(f->st, out), 1);
	fclose(out);
	assert_string_equal(text, "audit: entry 37 does not verify: "
	    "hash does not match its contents (altered)\n");
	free(text);
}

/* A changed time or details is found too (everything is in the hash). */
static void
test_tamper_details(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_exec(f->st,
	    "UPDATE audit SET details = '{\"note\":\"checked\",\"version\":13 }' "
	    "WHERE seq = 13"), 0);
	expect_bad(f->st, 13, "entry 13: hash does not match its contents (altered)");
	assert_int_equal(store_exec(f->st,
	    "UPDATE audit SET details = '{\"note\":\"checked\",\"version\":13}', "
	    "ts_ms = ts_ms + 1 WHERE seq = 13"), 0);
	expect_bad(f->st, 13, "entry 13: hash does not match its contents (altered)");
}

/* A deleted row is found as a gap in the sequence. */
static void
test_tamper_delete(void **state)
{
	struct fixture *f = *state;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	assert_int_equal(store_exec(f->st, "DELETE FROM audit WHERE seq = 50"), 0);
	expect_bad(f->st, 50, "entry 50 missing: sequence jumps from 49 to 51");

	out = open_memstream(&text, &len);
	assert_int_equal(audit_cli_verify(f->st, out), 1);
	fclose(out);
	assert_string_equal(text, "audit: entry 50 does not verify: "
	    "missing: sequence jumps from 49 to 51\n");
	free(text);
}

/* Deleting the first entry is found too. */
static void
test_tamper_delete_first(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_exec(f->st, "DELETE FROM audit WHERE seq = 1"), 0);
	expect_bad(f->st, 1, "entry 1 missing: the log starts at entry 2");
}

/* Renumbering the rows after a deleted one to close the gap breaks the chain. */
static void
test_tamper_delete_renumber(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_exec(f->st,
	    "DELETE FROM audit WHERE seq = 50;"
	    "UPDATE audit SET seq = -seq WHERE seq > 50;"
	    "UPDATE audit SET seq = -seq - 1 WHERE seq < 0;"), 0);
	expect_bad(f->st, 50, "entry 50: previous hash does not match entry 49");
}

/* Swapping two rows' whole contents (hashes too) breaks the chain at the first. */
static void
test_tamper_swap(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_exec(f->st,
	    "UPDATE audit SET seq = 0 WHERE seq = 60;"
	    "UPDATE audit SET seq = 60 WHERE seq = 61;"
	    "UPDATE audit SET seq = 61 WHERE seq = 0;"), 0);
	expect_bad(f->st, 60, "entry 60: previous hash does not match entry 59");
}

/* Swapping two rows' contents but keeping the chain's hashes is found as altered. */
static void
test_tamper_swap_contents(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_exec(f->st,
	    "CREATE TEMP TABLE a AS SELECT * FROM audit WHERE seq IN (60, 61);"
	    "UPDATE audit SET (ts_ms, object_id, site_id, details) = "
	    "  (SELECT ts_ms, object_id, site_id, details FROM a "
	    "   WHERE a.seq = 121 - audit.seq) WHERE seq IN (60, 61);"
	    "DROP TABLE a;"), 0);
	expect_bad(f->st, 60, "entry 60: hash does not match its contents (altered)");
}

/* A changed hash is found at its entry. */
static void
test_tamper_hash(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_exec(f->st,
	    "UPDATE audit SET hash = (SELECT hash FROM audit WHERE seq = 79) "
	    "WHERE seq = 80"), 0);
	expect_bad(f->st, 80, "entry 80: hash does not match its contents (altered)");
}

/* Rewriting an entry and its hash consistently is found at the next entry. */
static void
test_tamper_rehash(void **state)
{
	static const char sql[] =
	    "SELECT seq, ts_ms, actor_type, actor, action, object_type, object_id, "
	    "site_id, details, source, outcome, prev_hash FROM audit WHERE seq = 90";
	static const char upd[] = "UPDATE audit SET actor = ?, hash = ? WHERE seq = 90";
	struct fixture *f = *state;
	struct audit_entry e;
	sqlite3_stmt *s;
	char prev[AUDIT_HASH_HEX_LEN + 1], hash[AUDIT_HASH_HEX_LEN + 1];
	char *copy[9];

	s = store_stmt(f->st, sql);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	for (int i = 0; i < 9; i++)
		copy[i] = xstrdup(store_col_text(s, 2 + (i < 5 ? i : i + 1)));
	memset(&e, 0, sizeof e);
	e.seq = sqlite3_column_int64(s, 0);
	e.ts_ms = sqlite3_column_int64(s, 1);
	e.site_id = sqlite3_column_int64(s, 7);
	snprintf(prev, sizeof prev, "%s", store_col_text(s, 11));
	sqlite3_reset(s);
	e.actor_type = copy[0];
	e.actor = "mallory";
	e.action = copy[2];
	e.object_type = copy[3];
	e.object_id = copy[4];
	e.details = copy[5];
	e.source = copy[6];
	e.outcome = copy[7];
	assert_int_equal(auditchain_hash(prev, &e, hash), 0);
	s = store_stmt(f->st, upd);
	store_bind_text(s, 1, e.actor);
	store_bind_text(s, 2, hash);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	for (int i = 0; i < 9; i++)
		free(copy[i]);
	expect_bad(f->st, 91, "entry 91: previous hash does not match entry 90");
}

/* Details are stored sorted and compact, "{}" when absent; bad UTF-8 is replaced. */
static void
test_append_details(void **state)
{
	static const char sql[] =
	    "SELECT details, source, site_id, outcome, actor_type, actor "
	    "FROM audit WHERE seq = ?";
	struct fixture *f = *state;
	struct audit_actor who = { "user", "ana", "10.0.0.1 bad\xff\xc3 end" };
	struct principal p;
	int64_t count, bad_seq;
	char *cause = NULL;
	sqlite3_stmt *s;
	json_t *d;

	memset(&p, 0, sizeof p);
	p.kind = PRINCIPAL_GATEWAY;
	snprintf(p.name, sizeof p.name, "gw-tower-a");

	assert_int_equal(store_begin(f->st), 0);
	d = json_pack("{s:i, s:s, s:[i,i]}", "zeta", 1, "alpha", "x", "mid", 2, 1);
	assert_int_equal(audit_append(f->st, &who, "site.import", "site", "riverside",
	    0, d, NULL, TEST_TS_MS), 1);
	json_decref(d);
	audit_actor_from(&who, &p, NULL);
	assert_int_equal(audit_append(f->st, &who, "gateway.fault", "gateway",
	    "gw-tower-a", 4, NULL, "failed", TEST_TS_MS + 1), 2);
	assert_int_equal(store_commit(f->st), 0);

	s = store_stmt(f->st, sql);
	store_bind_int(s, 1, 1);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal(store_col_text(s, 0),
	    "{\"alpha\":\"x\",\"mid\":[2,1],\"zeta\":1}");
	assert_string_equal(store_col_text(s, 1), "10.0.0.1 bad?? end");
	assert_int_equal(sqlite3_column_type(s, 2), SQLITE_NULL);
	assert_string_equal(store_col_text(s, 3), "ok");
	s = store_stmt(f->st, sql);
	store_bind_int(s, 1, 2);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal(store_col_text(s, 0), "{}");
	assert_string_equal(store_col_text(s, 1), "");
	assert_int_equal(sqlite3_column_int64(s, 2), 4);
	assert_string_equal(store_col_text(s, 3), "failed");
	assert_string_equal(store_col_text(s, 4), "gateway");
	assert_string_equal(store_col_text(s, 5), "gw-tower-a");
	sqlite3_reset(s);

	assert_int_equal(audit_verify(f->st, &count, &bad_seq, &cause), 0);
	assert_int_equal(count, 2);
}

/* Principals map to the audit's actor types. */
static void
test_actor_from(void **state)
{
	static const struct {
		enum principal_kind kind;
		const char *type;
	} cases[] = {
		{ PRINCIPAL_USER, "user" },
		{ PRINCIPAL_GATEWAY, "gateway" },
		{ PRINCIPAL_DEVICE, "device" },
		{ PRINCIPAL_SYSTEM, "system" },
	};
	struct principal p;
	struct audit_actor a;

	memset(&p, 0, sizeof p);
	snprintf(p.name, sizeof p.name, "G3");
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		p.kind = cases[i].kind;
		audit_actor_from(&a, &p, "127.0.0.1");
		assert_string_equal(a.type, cases[i].type);
		assert_string_equal(a.name, "G3");
		assert_string_equal(a.source, "127.0.0.1");
	}
	audit_actor_from(&a, NULL, NULL);
	assert_string_equal(a.type, "system");
	assert_string_equal(a.name, "vigild");
	assert_string_equal(a.source, "");
}

/* Entries as JSON carry parsed details, null site and both hashes. */
static void
test_entry_json(void **state)
{
	struct audit_entry e;
	json_t *j;

	fixed_entry(&e);
	memset(e.prev_hash, 'a', AUDIT_HASH_HEX_LEN);
	memset(e.hash, 'b', AUDIT_HASH_HEX_LEN);
	j = audit_entry_json(&e);
	assert_int_equal(json_integer_value(json_object_get(j, "seq")), 7);
	assert_string_equal(json_string_value(json_object_get(j, "ts")),
	    "2026-11-21T23:01:02.345Z");
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(j, "details"), "note")), "caf\xc3\xa9");
	assert_int_equal(json_integer_value(json_object_get(j, "site_id")), 3);
	assert_int_equal(strlen(json_string_value(json_object_get(j, "hash"))), 64);
	/* The details also as the text that was hashed. */
	assert_string_equal(json_string_value(json_object_get(j, "details_text")),
	    e.details);
	assert_int_equal(json_object_size(j), 14);
	json_decref(j);

	e.site_id = 0;
	e.details = "not json";
	j = audit_entry_json(&e);
	assert_true(json_is_null(json_object_get(j, "site_id")));
	assert_string_equal(json_string_value(json_object_get(j, "details")),
	    "not json");
	json_decref(j);
}

/* Call api_audit_list with the given arguments (NULL for absent). */
static json_t *
list_call(struct store *st, const char *after, const char *limit, int *status)
{
	struct server srv;
	struct http_req req;
	struct http_resp resp;
	json_t *v;

	memset(&srv, 0, sizeof srv);
	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	srv.st = st;
	if (after != NULL) {
		req.args[req.nargs].key = (char *)"after";
		req.args[req.nargs++].value = (char *)after;
	}
	if (limit != NULL) {
		req.args[req.nargs].key = (char *)"limit";
		req.args[req.nargs++].value = (char *)limit;
	}
	assert_int_equal(api_audit_list(&srv, &req, &resp), ROUTE_DONE);
	*status = resp.status;
	v = json_loads(resp.body, 0, NULL);
	assert_non_null(v);
	resp_release(&resp);
	return v;
}

/* GET /api/v1/audit pages through the log and refuses bad numbers. */
static void
test_api_list(void **state)
{
	static const char *const bad[][3] = {
		{ "x", NULL, "after" }, { "-1", NULL, "after" }, { "", NULL, "after" },
		{ "5x", NULL, "after" }, { "99999999999999999999", NULL, "after" },
		{ NULL, "0", "limit" }, { NULL, "10001", "limit" },
		{ NULL, "+5", "limit" }, { NULL, " 5", "limit" },
	};
	struct fixture *f = *state;
	json_t *v, *entries, *first;
	int status;

	v = list_call(f->st, NULL, NULL, &status);
	assert_int_equal(status, 200);
	assert_int_equal(json_array_size(json_object_get(v, "entries")), TEST_ENTRIES);
	assert_int_equal(json_integer_value(json_object_get(v, "next")), TEST_ENTRIES);
	json_decref(v);

	v = list_call(f->st, "10", "5", &status);
	assert_int_equal(status, 200);
	entries = json_object_get(v, "entries");
	assert_int_equal(json_array_size(entries), 5);
	first = json_array_get(entries, 0);
	assert_int_equal(json_integer_value(json_object_get(first, "seq")), 11);
	assert_string_equal(json_string_value(json_object_get(first, "actor")), "ana");
	assert_int_equal(json_integer_value(json_object_get(
	    json_object_get(first, "details"), "version")), 11);
	assert_int_equal(json_integer_value(json_object_get(v, "next")), 15);
	json_decref(v);

	v = list_call(f->st, "100", NULL, &status);
	assert_int_equal(status, 200);
	assert_int_equal(json_array_size(json_object_get(v, "entries")), 0);
	assert_true(json_is_null(json_object_get(v, "next")));
	json_decref(v);

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		json_t *err;

		v = list_call(f->st, bad[i][0], bad[i][1], &status);
		assert_int_equal(status, 400);
		err = json_object_get(v, "error");
		assert_string_equal(json_string_value(json_object_get(err, "code")),
		    "malformed");
		assert_non_null(strstr(json_string_value(json_object_get(err,
		    "message")), bad[i][2]));
		json_decref(v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_hash_known_answer),
		cmocka_unit_test(test_hash_bad_prev),
		cmocka_unit_test(test_actor_from),
		cmocka_unit_test(test_entry_json),
		cmocka_unit_test_setup_teardown(test_verify_empty, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_append_outside_tx, setup_empty,
		    teardown),
		cmocka_unit_test_setup_teardown(test_append_details, setup_empty,
		    teardown),
		cmocka_unit_test_setup_teardown(test_verify_ok, setup_full, teardown),
		cmocka_unit_test_setup_teardown(test_append_continues, setup_full,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper_field, setup_full, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_details, setup_full,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper_delete, setup_full,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper_delete_first, setup_full,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper_delete_renumber,
		    setup_full, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_swap, setup_full, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_swap_contents, setup_full,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper_hash, setup_full, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_rehash, setup_full,
		    teardown),
		cmocka_unit_test_setup_teardown(test_api_list, setup_full, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
