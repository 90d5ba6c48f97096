/*
 * test_export.c: what exports are made of: command-line times and zones
 * (timerange), the JSON line reader (jsonl), CSV cells (exportfmt), signed
 * checkpoints (auditsig, checkpoint) and the client's audit check
 * (auditverify) over a real chain in a fresh database.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "audit.h"
#include "auditsig.h"
#include "auditverify.h"
#include "buf.h"
#include "checkpoint.h"
#include "exportfmt.h"
#include "jsonl.h"
#include "store.h"
#include "timerange.h"
#include "vtime.h"

#define NOW_MS INT64_C(1795302062345)   /* 2026-11-21T23:01:02.345Z */

/* Parse s relative to NOW_MS; fail the test unless it gives want. */
static void
expect_time(const char *s, const char *want)
{
	char got[VTIME_ISO_LEN], *cause = NULL;
	int64_t ms;

	if (timerange_parse(s, NOW_MS, &ms, &cause) != 0)
		fail_msg("\"%s\": %s", s, cause);
	vtime_format(ms, got, sizeof got);
	assert_string_equal(got, want);
}

/* Times a person types: ISO 8601, dates, ages, today and yesterday. */
static void
test_timerange_parse(void **state)
{
	const char *bad[] = { "", "24h", "-h", "-5x", "tomorrow", "2026-13-01",
	    "2026-02-30", "2026-11-21T25:00:00Z", "-99999999999999999999d" };
	char *cause = NULL;
	int64_t ms;

	(void)state;
	assert_int_equal(timerange_set_zone("UTC", &cause), 0);
	expect_time("2026-11-21T23:01:02Z", "2026-11-21T23:01:02.000Z");
	expect_time("2026-11-21T23:01:02.5+01:00", "2026-11-21T22:01:02.500Z");
	expect_time("2026-11-20", "2026-11-20T00:00:00.000Z");
	expect_time("now", "2026-11-21T23:01:02.345Z");
	expect_time("-24h", "2026-11-20T23:01:02.345Z");
	expect_time("-7d", "2026-11-14T23:01:02.345Z");
	expect_time("-90m", "2026-11-21T21:31:02.345Z");
	expect_time("-30s", "2026-11-21T23:00:32.345Z");
	expect_time("-1w", "2026-11-14T23:01:02.345Z");
	expect_time("today", "2026-11-21T00:00:00.000Z");
	expect_time("yesterday", "2026-11-20T00:00:00.000Z");
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		cause = NULL;
		if (timerange_parse(bad[i], NOW_MS, &ms, &cause) == 0)
			fail_msg("\"%s\" was taken as a time", bad[i]);
		assert_non_null(cause);
		free(cause);
	}
}

/* In a zone, days start at local midnight and times carry the offset. */
static void
test_timerange_zone(void **state)
{
	char buf[TIMERANGE_ISO_LEN], *cause = NULL;

	(void)state;
	assert_int_equal(timerange_set_zone("Mars/Olympus", &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(timerange_set_zone("../etc/passwd", &cause), -1);
	free(cause);
	cause = NULL;
	if (timerange_set_zone("America/New_York", &cause) != 0)
		skip();   /* no zone database here */
	/* 23:01 UTC on 21 November is 18:01 in New York (EST, -05:00). */
	expect_time("today", "2026-11-21T05:00:00.000Z");
	expect_time("yesterday", "2026-11-20T05:00:00.000Z");
	expect_time("2026-07-04", "2026-07-04T04:00:00.000Z");
	timerange_format(NOW_MS, buf, sizeof buf);
	assert_string_equal(buf, "2026-11-21T18:01:02.345-05:00");
	timerange_format(INT64_C(1783170000000), buf, sizeof buf);
	assert_string_equal(buf, "2026-07-04T09:00:00.000-04:00");
	assert_int_equal(timerange_set_zone("UTC", &cause), 0);
	timerange_format(NOW_MS, buf, sizeof buf);
	assert_string_equal(buf, "2026-11-21T23:01:02.345Z");
}

/* The JSON line reader: members as spans, strict syntax, strings decoded. */
static void
test_jsonl(void **state)
{
	static const char line[] =
	    "{\"seq\":7,\"ts\":\"2026\",\"d\":{\"a\":[1,2,{\"b\":null}]},"
	    "\"s\":\"a\\\"b\\\\c\\u001b\\ud83d\\ude00\\ud800x\",\"t\":true,"
	    "\"n\":-1.5e3}";
	const char *bad[] = { "", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\":01}",
	    "{\"a\":\"x\ny\"}", "{\"a\":\"\\x\"}", "{\"a\":tru}", "[1 2]",
	    "{\"a\":1} x", "{a:1}", "{\"a\":\"\\u12\"}", "{\"a\":1.}" };
	struct jsonl_member m[8];
	const struct jsonl_member *v;
	struct buf b;
	int n;

	(void)state;
	n = jsonl_object(line, strlen(line), m, 8);
	assert_int_equal(n, 6);
	v = jsonl_get(m, n, "d");
	assert_non_null(v);
	assert_int_equal(v->type, JSONL_OBJECT);
	assert_int_equal(v->val_len, strlen("{\"a\":[1,2,{\"b\":null}]}"));
	assert_int_equal(jsonl_get(m, n, "t")->type, JSONL_TRUE);
	assert_int_equal(jsonl_get(m, n, "n")->type, JSONL_NUMBER);
	assert_null(jsonl_get(m, n, "none"));
	v = jsonl_get(m, n, "s");
	buf_init(&b, 1024);
	assert_int_equal(jsonl_unquote(v->val, v->val_len, &b), 0);
	assert_int_equal(b.len, strlen("a\"b\\c\x1b\xf0\x9f\x98\x80\xef\xbf\xbdx"));
	assert_memory_equal(b.data, "a\"b\\c\x1b\xf0\x9f\x98\x80\xef\xbf\xbdx", b.len);
	buf_release(&b);
	assert_int_equal(jsonl_object(line, strlen(line), m, 5), -1);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		if (jsonl_check(bad[i], strlen(bad[i])) != JSONL_NONE)
			fail_msg("\"%s\" was taken as JSON", bad[i]);
	assert_int_equal(jsonl_check(" [1, \"x\", {}] ", 14), JSONL_ARRAY);
	assert_true(jsonl_ascii("abc ~", 5));
	assert_false(jsonl_ascii("a\x1b", 2));
	assert_false(jsonl_ascii("\xc3\xa9", 2));
}

/* One CSV cell of s as exportfmt_csv writes it. */
static void
expect_cell(const char *s, size_t len, const char *want)
{
	char cell[EXPORTFMT_CSV_SIZE(64)];
	size_t n = exportfmt_csv(cell, s, len);

	cell[n] = '\0';
	assert_string_equal(cell, want);
	assert_true(exportfmt_inert(cell, n));
}

/* CSV cells: formulas neutralised, quoting, nothing a terminal acts on. */
static void
test_exportfmt(void **state)
{
	(void)state;
	expect_cell("plain text", 10, "plain text");
	expect_cell("", 0, "");
	expect_cell("=HYPERLINK(\"http://x\")", 22, "\"'=HYPERLINK(\"\"http://x\"\")\"");
	expect_cell("-12", 3, "'-12");
	expect_cell("+1", 2, "'+1");
	expect_cell("@cmd", 4, "'@cmd");
	expect_cell("'=x", 3, "''=x");
	expect_cell("a,b", 3, "\"a,b\"");
	expect_cell("a;b", 3, "\"a;b\"");
	expect_cell("two\nlines", 9, "\"two\nlines\"");
	expect_cell("\x1b[2J", 4, "\xe2\x90\x9b[2J");
	expect_cell("cr\r", 3, "cr\xe2\x90\x8d");
	expect_cell("c1 \xc2\x9b" "31m", 8, "c1 <U+009B>31m");
	expect_cell("bidi \xe2\x80\xae", 8, "bidi <U+202E>");
	expect_cell("bad \xff", 5, "bad \xef\xbf\xbd");
	expect_cell("caf\xc3\xa9", 5, "caf\xc3\xa9");
	expect_cell("nul\0x", 5, "nul\xe2\x90\x80x");
	assert_false(exportfmt_inert("a\x1b", 2));
	assert_false(exportfmt_inert("a\xc2\x85", 3));
	assert_false(exportfmt_inert("a\xe2\x80\xae", 4));
	assert_false(exportfmt_inert("a\r", 2));
	assert_true(exportfmt_inert("a\tb\nc \xc3\xa9", 8));
}

/* A signature verifies for its checkpoint only, and only with its key. */
static void
test_auditsig(void **state)
{
	unsigned char pk[AUDITSIG_PK_BYTES], sk[AUDITSIG_SK_BYTES];
	unsigned char pk2[AUDITSIG_PK_BYTES], sk2[AUDITSIG_SK_BYTES];
	char pkhex[AUDITSIG_PK_HEX_LEN + 1], pk2hex[AUDITSIG_PK_HEX_LEN + 1];
	char sig[AUDITSIG_SIG_HEX_LEN + 1], *msg;
	const char *h = auditchain_genesis;

	(void)state;
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(pk2, sk2);
	sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
	sodium_bin2hex(pk2hex, sizeof pk2hex, pk2, sizeof pk2);
	msg = auditsig_message(42, h, NOW_MS);
	assert_string_equal(msg, "vigil-audit-checkpoint v1\nseq=42\nhash="
	    "0000000000000000000000000000000000000000000000000000000000000000\n"
	    "ts=2026-11-21T23:01:02.345Z\n");
	free(msg);
	assert_int_equal(auditsig_sign(sk, 42, h, NOW_MS, sig), 0);
	assert_int_equal(auditsig_verify(pkhex, 42, h, NOW_MS, sig), 0);
	assert_int_equal(auditsig_verify(pkhex, 43, h, NOW_MS, sig), -1);
	assert_int_equal(auditsig_verify(pkhex, 42, h, NOW_MS + 1, sig), -1);
	assert_int_equal(auditsig_verify(pk2hex, 42, h, NOW_MS, sig), -1);
	assert_int_equal(auditsig_verify(pkhex, 42, h, NOW_MS, "00"), -1);
	assert_int_equal(auditsig_verify("zz", 42, h, NOW_MS, sig), -1);
}

/* A fresh database and key file in their own directory. */
struct fixture {
	char dir[64];
	char db[128];
	char key[128];
	struct store *st;
};

/* Open an empty store and a new key under a temporary directory. */
static int
setup_store(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *cause = NULL;

	snprintf(f->dir, sizeof f->dir, "/tmp/vigil-test-export.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->db, sizeof f->db, "%s/vigil.db", f->dir);
	snprintf(f->key, sizeof f->key, "%s/vigil.db.key", f->dir);
	if ((f->st = store_open(f->db, &cause)) == NULL) {
		fprintf(stderr, "store_open: %s\n", cause);
		return -1;
	}
	*state = f;
	return 0;
}

/* Close and remove everything setup_store made. */
static int
teardown_store(void **state)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	struct fixture *f = *state;
	char file[160];

	checkpoint_key_close();
	store_free(f->st);
	for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
		snprintf(file, sizeof file, "%s%s", f->db, suffixes[i]);
		unlink(file);
	}
	unlink(f->key);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Append n audit entries (a note with a hostile text among them). */
static void
append_entries(struct store *st, int n)
{
	struct audit_actor who = { "user", "ana", "127.0.0.1" };
	json_t *d = json_pack("{s:s}", "note", "=1+1\x1b[2J");

	assert_int_equal(store_begin(st), 0);
	for (int i = 0; i < n; i++)
		assert_true(audit_append(st, &who, "alarm.note", "alarm", "7", 1, d,
		    "ok", NOW_MS + i) > 0);
	assert_int_equal(store_commit(st), 0);
	json_decref(d);
}

/* The key is made once (mode 0600), and checkpoints sign the head that moved. */
static void
test_checkpoint(void **state)
{
	static const char sql[] =
	    "SELECT seq, hash, ts_ms, public_key, signature FROM audit_checkpoints "
	    "ORDER BY id";
	struct fixture *f = *state;
	char pk[AUDITSIG_PK_HEX_LEN + 1], *cause = NULL;
	struct stat sb;
	sqlite3_stmt *s;
	int rows = 0;

	assert_int_equal(checkpoint_record(f->st, NOW_MS), -1); /* no key yet */
	assert_int_equal(checkpoint_key_open(f->key, false, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(checkpoint_key_open(f->key, true, &cause), 0);
	assert_int_equal(stat(f->key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(pk, sizeof pk, "%s", checkpoint_public_key());
	assert_int_equal(checkpoint_record(f->st, NOW_MS), 0); /* empty log */
	append_entries(f->st, 5);
	assert_int_equal(checkpoint_record(f->st, NOW_MS), 5);
	assert_int_equal(checkpoint_record(f->st, NOW_MS + 1), 5); /* no move */
	append_entries(f->st, 3);
	assert_int_equal(checkpoint_record(f->st, NOW_MS + 2), 8);
	/* The same key comes back from the file. */
	checkpoint_key_close();
	assert_null(checkpoint_public_key());
	assert_int_equal(checkpoint_key_open(f->key, false, &cause), 0);
	assert_string_equal(checkpoint_public_key(), pk);

	s = store_stmt(f->st, sql);
	while (sqlite3_step(s) == SQLITE_ROW) {
		assert_string_equal(store_col_text(s, 3), pk);
		assert_int_equal(auditsig_verify(pk, sqlite3_column_int64(s, 0),
		    store_col_text(s, 1), sqlite3_column_int64(s, 2),
		    store_col_text(s, 4)), 0);
		rows++;
	}
	sqlite3_reset(s);
	assert_int_equal(rows, 2);
}

/* Feed the audit (as API lines) and its checkpoints to a check. */
static int
verify_store(struct store *st, const char *pk, int64_t skip_seq,
    int64_t stop_seq, struct auditverify *v)
{
	static const char sql_c[] =
	    "SELECT seq, hash, ts_ms, public_key, signature FROM audit_checkpoints";
	static const char sql_a[] = "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY seq";
	struct audit_entry e;
	sqlite3_stmt *s;
	char ts[VTIME_ISO_LEN];
	int rc = 0;

	auditverify_init(v, pk);
	s = store_stmt(st, sql_c);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		char *line;

		vtime_format(sqlite3_column_int64(s, 2), ts, sizeof ts);
		line = xasprintf("{\"checkpoint\":{\"seq\":%lld,\"hash\":\"%s\","
		    "\"ts\":\"%s\",\"key\":\"%s\",\"signature\":\"%s\"}}",
		    (long long)sqlite3_column_int64(s, 0), store_col_text(s, 1), ts,
		    store_col_text(s, 3), store_col_text(s, 4));
		rc = auditverify_line(v, line, strlen(line));
		free(line);
	}
	sqlite3_reset(s);
	s = store_stmt(st, sql_a);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		json_t *o;
		char *text;

		memset(&e, 0, sizeof e);
		audit_row(s, &e);
		if (e.seq == skip_seq)
			continue;
		if (e.seq == stop_seq)
			break;
		o = audit_entry_json(&e);
		text = json_dumps(o, JSON_COMPACT);
		rc = auditverify_line(v, text, strlen(text));
		free(text);
		json_decref(o);
	}
	sqlite3_reset(s);
	return rc == 0 ? auditverify_finish(v) : rc;
}

/* The client's check passes the real chain and names what was taken away. */
static void
test_auditverify(void **state)
{
	struct fixture *f = *state;
	struct auditverify v;
	char *cause = NULL, other[AUDITSIG_PK_HEX_LEN + 1];

	assert_int_equal(checkpoint_key_open(f->key, true, &cause), 0);
	append_entries(f->st, 10);
	assert_int_equal(checkpoint_record(f->st, NOW_MS), 10);
	append_entries(f->st, 2);
	assert_int_equal(verify_store(f->st, checkpoint_public_key(), 0, 0, &v), 0);
	assert_int_equal(v.rows, 12);
	assert_int_equal(v.signed_seq, 10);
	auditverify_release(&v);
	/* Entry 4 left out. */
	assert_int_equal(verify_store(f->st, checkpoint_public_key(), 4, 0, &v), -1);
	assert_int_equal(v.bad_seq, 4);
	auditverify_release(&v);
	/* Cut after entry 7: the checkpoint of entry 10 tells. */
	assert_int_equal(verify_store(f->st, checkpoint_public_key(), 0, 8, &v), -1);
	assert_int_equal(v.bad_seq, 8);
	assert_non_null(strstr(v.error, "cut short"));
	auditverify_release(&v);
	/* Another key. */
	memset(other, 'a', AUDITSIG_PK_HEX_LEN);
	other[AUDITSIG_PK_HEX_LEN] = '\0';
	assert_int_equal(verify_store(f->st, other, 0, 0, &v), -1);
	assert_non_null(strstr(v.error, "another key"));
	auditverify_release(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timerange_parse),
		cmocka_unit_test(test_timerange_zone),
		cmocka_unit_test(test_jsonl),
		cmocka_unit_test(test_exportfmt),
		cmocka_unit_test(test_auditsig),
		cmocka_unit_test_setup_teardown(test_checkpoint, setup_store,
		    teardown_store),
		cmocka_unit_test_setup_teardown(test_auditverify, setup_store,
		    teardown_store),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
