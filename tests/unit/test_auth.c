/* test_auth.c: passwords, tokens, sessions, Basic auth, throttling, users. */
#include "compat.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "auth.h"
#include "store.h"

#define T0 ((int64_t)1795820462345)  /* 2026-11-28, any fixed instant */
#define SECRET_GW "gateway-secret-0123456789abcdef"
#define SECRET_G1 "device-secret-0123456789abcdef"

struct fixture {
	char dir[64];
	char path[96];
	struct store *st;
	int64_t site_a, site_b, user_ana, user_mo;
};

/* Run sql on the fixture's store, failing the test on an error. */
static void
exec_ok(struct store *st, const char *sql)
{
	assert_int_equal(store_exec(st, sql), 0);
}

/* Insert a gateway or guard secret hash with a bound blob. */
static void
set_hash(struct store *st, const char *sql, const char *secret, const char *key)
{
	unsigned char h[32];
	sqlite3_stmt *s;

	auth_secret_hash(secret, strlen(secret), h);
	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_blob(s, 1, h, sizeof h, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(store_db(st)), 1);
	sqlite3_finalize(s);
}

/* A fresh database with two sites, a gateway, a guard and two users. */
static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *cause = NULL;
	const char *site_a[] = { "riverside" };

	snprintf(f->dir, sizeof f->dir, "/tmp/vigil-test-auth-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/vigil.db", f->dir);
	f->st = store_open(f->path, &cause);
	assert_non_null(f->st);

	exec_ok(f->st, "INSERT INTO sites (id, key, name, created_ms, updated_ms)"
	    " VALUES (1, 'riverside', 'Riverside Gardens', 0, 0),"
	    " (2, 'harbour', 'Harbour Point', 0, 0)");
	f->site_a = 1;
	f->site_b = 2;
	exec_ok(f->st, "INSERT INTO gateways (site_id, key, name, secret_hash)"
	    " VALUES (1, 'gw-tower-a', 'Tower A', x'00')");
	set_hash(f->st, "UPDATE gateways SET secret_hash = ? WHERE key = ?",
	    SECRET_GW, "gw-tower-a");
	exec_ok(f->st, "INSERT INTO guards (site_id, callsign, name)"
	    " VALUES (1, 'G1', 'Amira Haddad'), (2, 'G2', 'Ben Okafor')");
	set_hash(f->st, "UPDATE guards SET device_secret_hash = ? WHERE callsign = ?",
	    SECRET_G1, "G1");

	assert_int_equal(auth_user_add(f->st, "ana", "dispatcher",
	    "correct horse", NULL, 0, NULL, &cause), 0);
	assert_int_equal(auth_user_add(f->st, "mo", "manager",
	    "battery staple", site_a, 1, NULL, &cause), 0);
	f->user_ana = 1;
	f->user_mo = 2;
	*state = f;
	return 0;
}

/* Close the store and remove the database files. */
static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *p;

	store_free(f->st);
	unlink(f->path);
	p = xasprintf("%s-wal", f->path);
	unlink(p);
	free(p);
	p = xasprintf("%s-shm", f->path);
	unlink(p);
	free(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* "Basic base64(text)" in a new string. */
static char *
basic(const char *text)
{
	char b64[512];

	sodium_bin2base64(b64, sizeof b64, (const unsigned char *)text,
	    strlen(text), sodium_base64_VARIANT_ORIGINAL);
	return xasprintf("Basic %s", b64);
}

static void
test_password(void **state)
{
	char hash[crypto_pwhash_STRBYTES], hash2[crypto_pwhash_STRBYTES];

	(void)state;
	assert_int_equal(auth_password_hash("correct horse", hash, sizeof hash), 0);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_true(auth_password_verify(hash, "correct horse"));
	assert_false(auth_password_verify(hash, "correct horsE"));
	assert_false(auth_password_verify(hash, ""));
	assert_false(auth_password_verify("not a hash", "correct horse"));
	/* Salted: the same password hashes differently each time. */
	assert_int_equal(auth_password_hash("correct horse", hash2, sizeof hash2), 0);
	assert_string_not_equal(hash, hash2);
	/* Too small a buffer is refused. */
	assert_int_equal(auth_password_hash("correct horse", hash2, 16), -1);
}

static void
test_token_and_secret(void **state)
{
	char a[AUTH_TOKEN_HEX_LEN + 1], b[AUTH_TOKEN_HEX_LEN + 1];
	unsigned char h[32], want[32];
	size_t i;

	(void)state;
	auth_token_new(a);
	auth_token_new(b);
	assert_int_equal(strlen(a), 64);
	for (i = 0; i < strlen(a); i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	assert_string_not_equal(a, b);

	/* SHA-256("abc"), FIPS 180-2 test vector. */
	assert_int_equal(sodium_hex2bin(want, sizeof want,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    64, NULL, NULL, NULL), 0);
	auth_secret_hash("abc", 3, h);
	assert_memory_equal(h, want, 32);
}

static void
test_session(void **state)
{
	struct fixture *f = *state;
	char token[AUTH_TOKEN_HEX_LEN + 1], *bearer, *upper;
	struct principal who;
	int64_t expires, idle = (int64_t)SESSION_IDLE_S * 1000;
	int64_t absolute = (int64_t)SESSION_ABSOLUTE_S * 1000;
	int64_t t;

	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(auth_session_create(f->st, f->user_ana, "127.0.0.1 test",
	    T0, token, &expires), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(expires, T0 + idle);
	bearer = xasprintf("Bearer %s", token);

	assert_int_equal(auth_session_check(f->st, bearer, T0 + 1000, &who), 0);
	assert_int_equal(who.kind, PRINCIPAL_USER);
	assert_string_equal(who.name, "ana");
	assert_int_equal(who.role, ROLE_DISPATCHER);
	assert_true(who.all_sites);
	assert_true(who.session_id > 0);

	/* The scheme is case-insensitive; the token is hex either case. */
	upper = xasprintf("bearer %s", token);
	for (char *p = upper + 7; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	assert_int_equal(auth_session_check(f->st, upper, T0 + 1000, &who), 0);
	free(upper);

	/* Malformed or unknown tokens. */
	assert_int_equal(auth_session_check(f->st, NULL, T0, &who), -1);
	assert_int_equal(auth_session_check(f->st, "Bearer", T0, &who), -1);
	assert_int_equal(auth_session_check(f->st, token, T0, &who), -1);
	bearer[strlen(bearer) - 1] = bearer[strlen(bearer) - 1] == '0' ? '1' : '0';
	assert_int_equal(auth_session_check(f->st, bearer, T0, &who), -1);
	free(bearer);
	bearer = xasprintf("Bearer %sff", token);
	assert_int_equal(auth_session_check(f->st, bearer, T0, &who), -1);
	free(bearer);
	bearer = xasprintf("Bearer %s", token);

	/* Idle expiry: used just before it, the session lives on. */
	t = T0 + idle - 1;
	assert_int_equal(auth_session_check(f->st, bearer, t, &who), 0);
	assert_int_equal(auth_session_check(f->st, bearer, t + idle - 1, &who), 0);
	/* Kept alive, the absolute limit still ends it. */
	for (t = t + idle - 1; t + idle / 2 < T0 + absolute; t += idle / 2)
		assert_int_equal(auth_session_check(f->st, bearer, t, &who), 0);
	assert_int_equal(auth_session_check(f->st, bearer, T0 + absolute - 1, &who), 0);
	assert_int_equal(auth_session_check(f->st, bearer, T0 + absolute, &who), -1);
	free(bearer);

	/* A fresh session left idle expires. */
	assert_int_equal(auth_session_create(f->st, f->user_ana, "", T0, token,
	    &expires), 0);
	bearer = xasprintf("Bearer %s", token);
	assert_int_equal(auth_session_check(f->st, bearer, T0 + idle, &who), -1);
	free(bearer);

	/* Touches only every SESSION_TOUCH_S: a check within it writes nothing. */
	assert_int_equal(auth_session_create(f->st, f->user_ana, "", T0, token,
	    &expires), 0);
	bearer = xasprintf("Bearer %s", token);
	assert_int_equal(auth_session_check(f->st, bearer,
	    T0 + SESSION_TOUCH_S * 1000 - 1, &who), 0);
	{
		int before = sqlite3_total_changes(store_db(f->st));

		assert_int_equal(auth_session_check(f->st, bearer, T0 + 10, &who), 0);
		assert_int_equal(sqlite3_total_changes(store_db(f->st)), before);
		assert_int_equal(auth_session_check(f->st, bearer,
		    T0 + SESSION_TOUCH_S * 1000, &who), 0);
		assert_int_equal(sqlite3_total_changes(store_db(f->st)), before + 1);
	}

	/* Revoked sessions are refused; revoking twice fails. */
	assert_int_equal(auth_session_revoke(f->st, who.session_id, T0 + 2000), 0);
	assert_int_equal(auth_session_check(f->st, bearer, T0 + 3000, &who), -1);
	assert_int_equal(auth_session_revoke(f->st, who.session_id, T0 + 4000), -1);
	free(bearer);

	/* A disabled user's session is refused. */
	assert_int_equal(auth_session_create(f->st, f->user_mo, "", T0, token,
	    &expires), 0);
	bearer = xasprintf("Bearer %s", token);
	assert_int_equal(auth_session_check(f->st, bearer, T0 + 1, &who), 0);
	assert_string_equal(who.name, "mo");
	exec_ok(f->st, "UPDATE users SET disabled = 1 WHERE name = 'mo'");
	assert_int_equal(auth_session_check(f->st, bearer, T0 + 2, &who), -1);
	free(bearer);
}

static void
test_gateway_basic(void **state)
{
	struct fixture *f = *state;
	struct principal who;
	char *h;

	h = basic("gw-tower-a:" SECRET_GW);
	assert_int_equal(auth_gateway_check(f->st, h, &who), 0);
	assert_int_equal(who.kind, PRINCIPAL_GATEWAY);
	assert_string_equal(who.name, "gw-tower-a");
	assert_int_equal(who.site_id, f->site_a);
	assert_true(principal_sees_site(&who, f->site_a));
	assert_false(principal_sees_site(&who, f->site_b));
	/* A gateway's credentials are no device's. */
	assert_int_equal(auth_device_check(f->st, h, &who), -1);
	free(h);

	h = basic("gw-tower-a:" SECRET_GW "x");
	assert_int_equal(auth_gateway_check(f->st, h, &who), -1);
	assert_int_equal(who.kind, PRINCIPAL_NONE);
	free(h);
	h = basic("gw-tower-b:" SECRET_GW);
	assert_int_equal(auth_gateway_check(f->st, h, &who), -1);
	free(h);
	h = basic("gw-tower-a");
	assert_int_equal(auth_gateway_check(f->st, h, &who), -1);
	free(h);
	h = basic(":" SECRET_GW);
	assert_int_equal(auth_gateway_check(f->st, h, &who), -1);
	free(h);
	assert_int_equal(auth_gateway_check(f->st, NULL, &who), -1);
	assert_int_equal(auth_gateway_check(f->st, "Basic", &who), -1);
	assert_int_equal(auth_gateway_check(f->st, "Basic !!!notbase64", &who), -1);
	assert_int_equal(auth_gateway_check(f->st, "Bearer Z3c6eA==", &who), -1);
	/* Good credentials with trailing garbage after the base64. */
	h = basic("gw-tower-a:" SECRET_GW);
	{
		char *g = xasprintf("%s x", h);

		assert_int_equal(auth_gateway_check(f->st, g, &who), -1);
		free(g);
	}
	free(h);
}

static void
test_device_basic(void **state)
{
	struct fixture *f = *state;
	struct principal who;
	char *h;

	h = basic("G1:" SECRET_G1);
	assert_int_equal(auth_device_check(f->st, h, &who), 0);
	assert_int_equal(who.kind, PRINCIPAL_DEVICE);
	assert_string_equal(who.name, "G1");
	assert_true(who.guard_id > 0);
	assert_int_equal(who.site_id, f->site_a);
	free(h);
	h = basic("G1:" SECRET_GW);
	assert_int_equal(auth_device_check(f->st, h, &who), -1);
	free(h);
	/* G2 has no device secret at all. */
	h = basic("G2:" SECRET_G1);
	assert_int_equal(auth_device_check(f->st, h, &who), -1);
	free(h);
}

static void
test_throttle(void **state)
{
	struct throttle *t = throttle_new();
	int64_t w = (int64_t)LOGIN_FAIL_WINDOW_S * 1000;
	int i, wait;
	char addr[32];

	(void)state;
	/* Per account: blocked after LOGIN_FAIL_MAX_ACCOUNT, from any address. */
	for (i = 0; i < LOGIN_FAIL_MAX_ACCOUNT; i++) {
		snprintf(addr, sizeof addr, "10.0.0.%d", i);
		assert_int_equal(throttle_check(t, "ana", addr, T0 + i * 1000), 0);
		throttle_fail(t, "ana", addr, T0 + i * 1000);
	}
	wait = throttle_check(t, "ana", "10.9.9.9", T0 + 10000);
	assert_int_equal(wait, LOGIN_FAIL_WINDOW_S - 10);
	assert_int_equal(throttle_check(t, "bob", "10.0.0.1", T0 + 10000), 0);
	/* Frees once the oldest failure leaves the window. */
	assert_true(throttle_check(t, "ana", "10.9.9.9", T0 + w - 1) > 0);
	assert_int_equal(throttle_check(t, "ana", "10.9.9.9", T0 + w), 0);
	/* A success forgets the account's failures. */
	throttle_success(t, "ana");
	assert_int_equal(throttle_check(t, "ana", "10.9.9.9", T0 + 10000), 0);

	/* Per address, independent of the account tried. */
	for (i = 0; i < LOGIN_FAIL_MAX_ADDRESS; i++) {
		char acct[32];

		snprintf(acct, sizeof acct, "user%d", i);
		assert_int_equal(throttle_check(t, acct, "192.0.2.7", T0 + 20000), 0);
		throttle_fail(t, acct, "192.0.2.7", T0 + 20000);
	}
	assert_true(throttle_check(t, "someone-new", "192.0.2.7", T0 + 20000) > 0);
	assert_int_equal(throttle_check(t, "someone-new", "192.0.2.8", T0 + 20000), 0);
	/* A success for one account does not clear the address. */
	throttle_success(t, "user0");
	assert_true(throttle_check(t, NULL, "192.0.2.7", T0 + 20001) > 0);
	assert_int_equal(throttle_check(t, NULL, "192.0.2.7", T0 + 20000 + w), 0);

	/* The table stays bounded: flooding it evicts the oldest entries. */
	for (i = 0; i < LOGIN_FAIL_MAX_ACCOUNT; i++)
		throttle_fail(t, "target", NULL, T0 + 30000);
	assert_true(throttle_check(t, "target", NULL, T0 + 30000) > 0);
	for (i = 0; i < LOGIN_THROTTLE_SLOTS; i++) {
		snprintf(addr, sizeof addr, "198.51.%d.%d", i / 256, i % 256);
		throttle_fail(t, NULL, addr, T0 + 40000 + i);
	}
	assert_int_equal(throttle_check(t, "target", NULL, T0 + 50000), 0);
	throttle_free(t);
}

static void
test_user_add(void **state)
{
	struct fixture *f = *state;
	const char *ok_site[] = { "harbour" };
	const char *bad_site[] = { "nowhere" };
	const char *two[] = { "riverside", "harbour" };
	struct principal who;
	char *cause = NULL;
	char longname[LIMIT_USER_NAME_LEN + 2];
	sqlite3_stmt *s;

#define REFUSED(call, needle) do {					\
	cause = NULL;							\
	assert_int_equal((call), -1);					\
	assert_non_null(cause);						\
	if (strstr(cause, (needle)) == NULL)				\
		fail_msg("\"%s\" does not mention \"%s\"", cause, (needle)); \
	free(cause);							\
} while (0)

	REFUSED(auth_user_add(f->st, "Ana", "admin", "password1", NULL, 0, NULL,
	    &cause), "user name");
	REFUSED(auth_user_add(f->st, "", "admin", "password1", NULL, 0, NULL,
	    &cause), "user name");
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	REFUSED(auth_user_add(f->st, longname, "admin", "password1", NULL, 0,
	    NULL, &cause), "user name");
	REFUSED(auth_user_add(f->st, "zed", "boss", "password1", NULL, 0, NULL,
	    &cause), "role");
	REFUSED(auth_user_add(f->st, "zed", "admin", "short", NULL, 0, NULL,
	    &cause), "password");
	REFUSED(auth_user_add(f->st, "zed", "manager", "password1", NULL, 0,
	    NULL, &cause), "site");
	REFUSED(auth_user_add(f->st, "zed", "manager", "password1", bad_site, 1,
	    NULL, &cause), "nowhere");
	REFUSED(auth_user_add(f->st, "zed", "admin", "password1", ok_site, 1,
	    NULL, &cause), "site");
	REFUSED(auth_user_add(f->st, "zed", "guard", "password1", NULL, 0, "G9",
	    &cause), "G9");
	REFUSED(auth_user_add(f->st, "zed", "guard", "password1", NULL, 0, NULL,
	    &cause), "guard");
	REFUSED(auth_user_add(f->st, "ana", "admin", "password1", NULL, 0, NULL,
	    &cause), "already exists");
	/* Nothing of the refused users was written. */
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
	    "SELECT count(*) FROM users", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 2);
	sqlite3_finalize(s);

	/* A guard's account is linked to its guard. */
	assert_int_equal(auth_user_add(f->st, "amira", "guard", "password1", NULL,
	    0, "G1", &cause), 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
	    "SELECT users.id, guards.id FROM users JOIN guards"
	    " ON guards.user_id = users.id WHERE users.name = 'amira'",
	    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(auth_user_load(f->st, sqlite3_column_int64(s, 0), &who), 0);
	assert_int_equal(who.role, ROLE_GUARD);
	assert_false(who.all_sites);
	assert_int_equal(who.nsites, 0);
	assert_int_equal(who.guard_id, sqlite3_column_int64(s, 1));
	assert_false(principal_sees_site(&who, f->site_a));
	sqlite3_finalize(s);
	REFUSED(auth_user_add(f->st, "amira2", "guard", "password1", NULL, 0,
	    "G1", &cause), "amira");

	/* A manager of two sites. */
	assert_int_equal(auth_user_add(f->st, "mgr2", "manager", "password1", two,
	    2, NULL, &cause), 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
	    "SELECT id, pw_hash FROM users WHERE name = 'mgr2'", -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_true(auth_password_verify((const char *)sqlite3_column_text(s, 1),
	    "password1"));
	assert_int_equal(auth_user_load(f->st, sqlite3_column_int64(s, 0), &who), 0);
	sqlite3_finalize(s);
	assert_int_equal(who.nsites, 2);
	assert_true(principal_sees_site(&who, f->site_a));
	assert_true(principal_sees_site(&who, f->site_b));

	/* Every added user is in the audit log. */
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
	    "SELECT count(*) FROM audit WHERE action = 'user.add'"
	    " AND actor_type = 'system' AND outcome = 'ok'", -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 4);
	sqlite3_finalize(s);
#undef REFUSED
}

static void
test_scope(void **state)
{
	struct fixture *f = *state;
	struct principal who;

	assert_int_equal(auth_user_load(f->st, f->user_mo, &who), 0);
	assert_int_equal(who.role, ROLE_MANAGER);
	assert_false(who.all_sites);
	assert_int_equal(who.nsites, 1);
	assert_true(principal_sees_site(&who, f->site_a));
	assert_false(principal_sees_site(&who, f->site_b));
	assert_false(principal_sees_site(&who, 0));

	assert_int_equal(auth_user_load(f->st, f->user_ana, &who), 0);
	assert_true(principal_sees_site(&who, f->site_a));
	assert_true(principal_sees_site(&who, f->site_b));

	assert_int_equal(auth_user_load(f->st, 999, &who), -1);
	memset(&who, 0, sizeof who);
	assert_false(principal_sees_site(&who, f->site_a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_token_and_secret),
		cmocka_unit_test_setup_teardown(test_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_basic, setup, teardown),
		cmocka_unit_test(test_throttle),
		cmocka_unit_test_setup_teardown(test_user_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
