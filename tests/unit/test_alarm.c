/* test_alarm.c: the alarm state machine, raising and grouping, and the alarm and guard API. */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "alarm.h"
#include "api.h"
#include "audit.h"
#include "auth.h"
#include "server.h"
#include "store.h"
#include "streamlog.h"
#include "txn.h"

#define TEST_TS_MS INT64_C(1795302062345) /* 2026-11-21T23:01:02.345Z */

/* A fresh database with two sites, their gateways, points and guards. */
struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
	struct server srv;
	struct principal bob;     /* dispatcher, every site */
	struct principal mia;     /* manager of harbour only */
	struct principal amira;   /* guard G1's own account */
};

static const char fixture_sql[] =
    "INSERT INTO sites (id, key, name, created_ms, updated_ms) VALUES "
    "(1, 'riverside', 'Riverside Gardens', 0, 0),"
    "(2, 'harbour', 'Harbour Point', 0, 0);"
    "INSERT INTO gateways (id, site_id, key, name, secret_hash) VALUES "
    "(1, 1, 'gw-tower-a', 'Tower A gateway', x'00'),"
    "(2, 2, 'gw-harbour', 'Harbour gateway', x'00');"
    "INSERT INTO points (id, site_id, key, label, type, gateway_id) VALUES "
    "(1, 1, 'ta-lobby-door', 'Tower A lobby door', 'door', 1),"
    "(2, 1, 'ta-roof-hatch', 'Tower A roof hatch', 'door', 1),"
    "(3, 2, 'hp-gate', 'Harbour gate', 'gate', 2);"
    "INSERT INTO guards (id, site_id, callsign, name, status) VALUES "
    "(1, 1, 'G1', 'Amira Haddad', 'available'),"
    "(2, 1, 'G2', 'Ben Okafor', 'off_duty'),"
    "(3, 2, 'G3', 'Chen Li', 'available'),"
    "(4, NULL, 'G4', 'Dana Roe', 'available');";

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

/* Open a store under a new temporary directory and fill in the sites. */
static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *cause = NULL;

	snprintf(f->dir, sizeof f->dir, "/tmp/vigil-test-alarm.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/vigil.db", f->dir);
	if ((f->st = store_open(f->path, &cause)) == NULL) {
		fprintf(stderr, "store_open: %s\n", cause);
		free(cause);
		return -1;
	}
	if (store_exec(f->st, fixture_sql) != 0)
		return -1;
	f->srv.st = f->st;

	f->bob.kind = PRINCIPAL_USER;
	f->bob.id = 1;
	f->bob.role = ROLE_DISPATCHER;
	f->bob.all_sites = true;
	snprintf(f->bob.name, sizeof f->bob.name, "bob");

	f->mia.kind = PRINCIPAL_USER;
	f->mia.id = 2;
	f->mia.role = ROLE_MANAGER;
	f->mia.sites[0] = 2;
	f->mia.nsites = 1;
	snprintf(f->mia.name, sizeof f->mia.name, "mia");

	f->amira.kind = PRINCIPAL_USER;
	f->amira.id = 3;
	f->amira.role = ROLE_GUARD;
	f->amira.guard_id = 1;
	snprintf(f->amira.name, sizeof f->amira.name, "amira");

	*state = f;
	return 0;
}

/* Close and remove the store. */
static int
teardown(void **state)
{
	struct fixture *f = *state;

	streamlog_free(&f->srv);
	store_free(f->st);
	fixture_remove(f);
	free(f);
	return 0;
}

/* One integer from a query with an optional text parameter. */
static int64_t
query_int(struct fixture *f, const char *sql, const char *param)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->st), sql, -1, &s, NULL),
	    SQLITE_OK);
	if (param != NULL)
		sqlite3_bind_text(s, 1, param, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Rows in the audit log with action (all when NULL). */
static int64_t
audit_count(struct fixture *f, const char *action)
{
	if (action == NULL)
		return query_int(f, "SELECT COUNT(*) FROM audit", NULL);
	return query_int(f, "SELECT COUNT(*) FROM audit WHERE action = ?", action);
}

/* Messages in the stream with type (all when NULL). */
static int64_t
stream_count(struct fixture *f, const char *type)
{
	if (type == NULL)
		return query_int(f, "SELECT COUNT(*) FROM stream", NULL);
	return query_int(f, "SELECT COUNT(*) FROM stream WHERE type = ?", type);
}

/* The status of guard callsign. */
static char *
guard_status(struct fixture *f, const char *callsign)
{
	sqlite3_stmt *s;
	char *v = NULL;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
	    "SELECT status FROM guards WHERE callsign = ?", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, callsign, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

/* Assert that guard callsign has status want. */
static void
assert_guard(struct fixture *f, const char *callsign, const char *want)
{
	char *have = guard_status(f, callsign);

	assert_non_null(have);
	assert_string_equal(have, want);
	free(have);
}

/* Raise an alarm of type at point_id (0: the gateway) in its own transaction. */
static int64_t
raise_one(struct fixture *f, int64_t point_id, const char *type, bool *grouped,
    int64_t now_ms)
{
	struct alarm_cause c = {
		.site_id = 1, .point_id = point_id, .gateway_id = 1, .type = type,
		.priority = 4, .event_id = 0, .event_ms = now_ms - 100,
		.actor_type = "gateway", .actor = "gw-tower-a", .source = "10.0.0.5",
	};
	int64_t id;

	assert_int_equal(txn_begin(&f->srv), 0);
	id = alarm_raise(&f->srv, &c, grouped, now_ms);
	assert_true(id > 0);
	assert_int_equal(txn_commit(&f->srv), 0);
	return id;
}

/* Assert that the audit chain verifies. */
static void
assert_chain(struct fixture *f)
{
	int64_t count, bad;
	char *cause = NULL;

	if (audit_verify(f->st, &count, &bad, &cause) != 0)
		fail_msg("audit chain: %s", cause != NULL ? cause : "?");
	assert_true(count > 0);
}

/*
 * Call handler fn as who with a path parameter, a body and query arguments
 * ("key=value" strings, NULL-terminated); the status, and the reply in *out.
 */
static int
call(struct fixture *f, route_fn fn, const struct principal *who,
    const char *param, const char *body, const char *const *args, json_t **out)
{
	struct http_req req;
	struct http_resp resp;
	int status;

	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	req.method = body != NULL ? HTTP_POST : HTTP_GET;
	req.path = xstrdup("/api/v1/test");
	if (param != NULL) {
		req.params[0] = param;
		req.nparams = 1;
	}
	if (body != NULL) {
		req.body = xstrdup(body);
		req.body_len = strlen(body);
	}
	for (int i = 0; args != NULL && args[i] != NULL; i++) {
		const char *eq = strchr(args[i], '=');

		req.args[i].key = xstrndup(args[i], (size_t)(eq - args[i]));
		req.args[i].value = xstrdup(eq + 1);
		req.nargs++;
	}
	req.who = *who;
	snprintf(req.source, sizeof req.source, "127.0.0.1 test");
	assert_int_equal(fn(&f->srv, &req, &resp), ROUTE_DONE);
	status = resp.status;
	*out = json_loadb(resp.body, resp.body_len, 0, NULL);
	assert_non_null(*out);
	resp_release(&resp);
	for (int i = 0; i < req.nargs; i++) {
		free(req.args[i].key);
		free(req.args[i].value);
	}
	free(req.body);
	free(req.path);
	return status;
}

/* The member path a.b of reply as an integer. */
static int64_t
member_int(json_t *v, const char *a, const char *b)
{
	json_t *o = json_object_get(v, a);

	if (b != NULL)
		o = json_object_get(o, b);
	assert_true(json_is_integer(o));
	return json_integer_value(o);
}

/* The member path a.b of reply as a string ("" for null). */
static const char *
member_str(json_t *v, const char *a, const char *b)
{
	json_t *o = json_object_get(v, a);

	if (b != NULL)
		o = json_object_get(o, b);
	if (json_is_null(o))
		return "";
	assert_true(json_is_string(o));
	return json_string_value(o);
}

/* Every state under every action, and nonsense input. */
static void
test_transition_table(void **state)
{
	static const int want[ALARM__COUNT][ALARM_ACT__COUNT] = {
		/*                 ack                 assign          release             close         reopen */
		[ALARM_NEW] = { ALARM_ACKNOWLEDGED, ALARM_ASSIGNED, -1, ALARM_CLOSED, -1 },
		[ALARM_ACKNOWLEDGED] = { -1, ALARM_ASSIGNED, -1, ALARM_CLOSED, -1 },
		[ALARM_ASSIGNED] = { -1, ALARM_ASSIGNED, ALARM_ACKNOWLEDGED, ALARM_CLOSED, -1 },
		[ALARM_CLOSED] = { -1, -1, -1, -1, ALARM_ACKNOWLEDGED },
	};

	(void)state;
	for (int s = 0; s < ALARM__COUNT; s++)
		for (int a = 0; a < ALARM_ACT__COUNT; a++) {
			if (alarm_transition((enum alarm_state)s,
			    (enum alarm_action)a) != want[s][a])
				fail_msg("state %s, action %d: got %d, want %d",
				    alarm_state_name((enum alarm_state)s), a,
				    alarm_transition((enum alarm_state)s,
				    (enum alarm_action)a), want[s][a]);
		}
	assert_int_equal(alarm_transition(ALARM__COUNT, ALARM_ACT_ACK), -1);
	assert_int_equal(alarm_transition(ALARM_NEW, ALARM_ACT__COUNT), -1);
	assert_int_equal(alarm_transition((enum alarm_state)-1, ALARM_ACT_ACK), -1);
}

/* A repeated event groups into the open alarm; another type opens another. */
static void
test_raise_groups(void **state)
{
	struct fixture *f = *state;
	int64_t a, b, c;
	bool grouped = true;
	json_t *j;

	a = raise_one(f, 1, "forced", &grouped, TEST_TS_MS);
	assert_false(grouped);
	j = alarm_json_by_id(&f->srv, a);
	assert_non_null(j);
	assert_string_equal(member_str(j, "site", NULL), "riverside");
	assert_string_equal(member_str(j, "site_name", NULL), "Riverside Gardens");
	assert_string_equal(member_str(j, "point", NULL), "ta-lobby-door");
	assert_string_equal(member_str(j, "point_label", NULL), "Tower A lobby door");
	assert_string_equal(member_str(j, "point_type", NULL), "door");
	assert_string_equal(member_str(j, "gateway", NULL), "gw-tower-a");
	assert_string_equal(member_str(j, "type", NULL), "forced");
	assert_string_equal(member_str(j, "state", NULL), "new");
	assert_string_equal(member_str(j, "created", NULL), "2026-11-21T23:01:02.345Z");
	assert_string_equal(member_str(j, "last_event", NULL), "2026-11-21T23:01:02.245Z");
	assert_int_equal(member_int(j, "priority", NULL), 4);
	assert_int_equal(member_int(j, "version", NULL), 1);
	assert_int_equal(member_int(j, "count", NULL), 1);
	assert_true(json_is_null(json_object_get(j, "acked")));
	assert_true(json_is_null(json_object_get(j, "guard")));
	assert_true(json_is_null(json_object_get(j, "resolution")));
	assert_int_equal(json_object_size(j), 24);
	json_decref(j);

	b = raise_one(f, 1, "forced", &grouped, TEST_TS_MS + 5000);
	assert_true(grouped);
	assert_int_equal(b, a);
	j = alarm_json_by_id(&f->srv, a);
	assert_int_equal(member_int(j, "count", NULL), 2);
	assert_int_equal(member_int(j, "version", NULL), 1);
	assert_string_equal(member_str(j, "updated", NULL), "2026-11-21T23:01:07.345Z");
	assert_string_equal(member_str(j, "created", NULL), "2026-11-21T23:01:02.345Z");
	json_decref(j);

	c = raise_one(f, 1, "held_open", &grouped, TEST_TS_MS + 6000);
	assert_false(grouped);
	assert_true(c != a);
	/* Another point, same type: its own alarm. */
	assert_true(raise_one(f, 2, "forced", &grouped, TEST_TS_MS + 7000) != a);
	assert_false(grouped);

	assert_int_equal(stream_count(f, "alarm.created"), 3);
	assert_int_equal(stream_count(f, "alarm.updated"), 1);
	assert_int_equal(audit_count(f, "alarm.open"), 3);
	assert_int_equal(audit_count(f, "alarm.group"), 1);
	assert_int_equal(query_int(f, "SELECT COUNT(*) FROM audit WHERE "
	    "actor_type = 'gateway' AND actor = 'gw-tower-a' AND "
	    "source = '10.0.0.5'", NULL), 4);
	/* The stream carries the alarm as the API shows it. */
	assert_int_equal(query_int(f, "SELECT json_extract(data, '$.count') FROM "
	    "stream WHERE type = 'alarm.updated'", NULL), 2);
	assert_chain(f);
}

/* After an alarm is closed the next event opens a new one. */
static void
test_raise_after_close(void **state)
{
	struct fixture *f = *state;
	int64_t a, b;
	bool grouped;

	a = raise_one(f, 1, "forced", &grouped, TEST_TS_MS);
	assert_int_equal(store_exec(f->st,
	    "UPDATE alarms SET state = 'closed' WHERE id = 1"), 0);
	assert_int_equal(a, 1);
	b = raise_one(f, 1, "forced", &grouped, TEST_TS_MS + 1000);
	assert_false(grouped);
	assert_true(b != a);
	b = raise_one(f, 1, "forced", &grouped, TEST_TS_MS + 2000);
	assert_true(grouped);
	assert_int_equal(query_int(f, "SELECT count FROM alarms WHERE id = 1",
	    NULL), 1);
}

/* A gateway-level alarm is closed by the system as a technical fault. */
static void
test_clear_system(void **state)
{
	struct fixture *f = *state;
	int64_t a, id;
	bool grouped;
	json_t *j;

	/* A point alarm of the same type on that gateway is not a line fault. */
	raise_one(f, 1, "line_fault", &grouped, TEST_TS_MS);
	a = raise_one(f, 0, "line_fault", &grouped, TEST_TS_MS + 10);
	assert_false(grouped);
	assert_int_equal(raise_one(f, 0, "line_fault", &grouped, TEST_TS_MS + 20), a);
	assert_true(grouped);

	assert_int_equal(txn_begin(&f->srv), 0);
	id = alarm_clear_system(&f->srv, 1, "line_fault", "gateway reported again",
	    TEST_TS_MS + 60000);
	assert_int_equal(txn_commit(&f->srv), 0);
	assert_int_equal(id, a);

	j = alarm_json_by_id(&f->srv, a);
	assert_string_equal(member_str(j, "state", NULL), "closed");
	assert_string_equal(member_str(j, "closed_by", NULL), "vigild");
	assert_string_equal(member_str(j, "resolution", NULL), "technical_fault");
	assert_string_equal(member_str(j, "resolution_note", NULL),
	    "gateway reported again");
	assert_string_equal(member_str(j, "closed", NULL), "2026-11-21T23:02:02.345Z");
	assert_string_equal(member_str(j, "point", NULL), "");
	assert_int_equal(member_int(j, "version", NULL), 2);
	json_decref(j);
	assert_int_equal(query_int(f, "SELECT COUNT(*) FROM alarms WHERE "
	    "state <> 'closed'", NULL), 1);

	/* Nothing left to clear. */
	assert_int_equal(txn_begin(&f->srv), 0);
	assert_int_equal(alarm_clear_system(&f->srv, 1, "line_fault", "again",
	    TEST_TS_MS + 61000), 0);
	assert_int_equal(alarm_clear_system(&f->srv, 2, "line_fault", "other",
	    TEST_TS_MS + 61000), 0);
	assert_int_equal(txn_commit(&f->srv), 0);

	assert_int_equal(query_int(f, "SELECT COUNT(*) FROM audit WHERE action = "
	    "'alarm.close' AND actor_type = 'system' AND actor = 'vigild' AND "
	    "json_extract(details, '$.before.state') = 'new' AND "
	    "json_extract(details, '$.after.version') = 2", NULL), 1);
	assert_int_equal(query_int(f, "SELECT COUNT(*) FROM stream WHERE type = "
	    "'alarm.updated' AND json_extract(data, '$.state') = 'closed'",
	    NULL), 1);
	/* The next fault opens a new alarm. */
	assert_true(raise_one(f, 0, "line_fault", &grouped, TEST_TS_MS + 90000) != a);
	assert_false(grouped);
	assert_chain(f);
}

/* A system clear of an assigned alarm frees its guard. */
static void
test_clear_system_frees_guard(void **state)
{
	struct fixture *f = *state;
	json_t *r;
	int64_t a;
	bool grouped;

	a = raise_one(f, 0, "line_fault", &grouped, TEST_TS_MS);
	assert_int_equal(call(f, api_alarm_assign, &f->bob, "1",
	    "{\"version\":1,\"guard\":\"G1\"}", NULL, &r), 200);
	json_decref(r);
	assert_guard(f, "G1", "dispatched");
	assert_int_equal(txn_begin(&f->srv), 0);
	assert_int_equal(alarm_clear_system(&f->srv, 1, "line_fault", "back",
	    TEST_TS_MS + 1000), a);
	assert_int_equal(txn_commit(&f->srv), 0);
	assert_guard(f, "G1", "available");
	assert_chain(f);
}

/* Acknowledge, then the conflicts: a wrong state, a stale version. */
static void
test_api_ack_conflicts(void **state)
{
	struct fixture *f = *state;
	int64_t audits, streams;
	json_t *r, *err;
	bool grouped;

	raise_one(f, 1, "forced", &grouped, TEST_TS_MS);
	assert_int_equal(call(f, api_alarm_ack, &f->bob, "1", "{\"version\":1}",
	    NULL, &r), 200);
	assert_string_equal(member_str(r, "alarm", "state"), "acknowledged");
	assert_string_equal(member_str(r, "alarm", "acked_by"), "bob");
	assert_int_equal(member_int(r, "alarm", "version"), 2);
	json_decref(r);
	assert_int_equal(query_int(f, "SELECT COUNT(*) FROM audit WHERE action = "
	    "'alarm.ack' AND actor = 'bob' AND source = '127.0.0.1 test' AND "
	    "json_extract(details, '$.before.state') = 'new' AND "
	    "json_extract(details, '$.after.state') = 'acknowledged' AND "
	    "json_extract(details, '$.after.version') = 2", NULL), 1);

	audits = audit_count(f, NULL);
	streams = stream_count(f, NULL);

	/* Already acknowledged. */
	assert_int_equal(call(f, api_alarm_ack, &f->bob, "1", "{\"version\":2}",
	    NULL, &r), 409);
	err = json_object_get(r, "error");
	assert_string_equal(member_str(err, "code", NULL), "conflict");
	assert_string_equal(member_str(err, "message", NULL),
	    "alarm 1 is acknowledged; it cannot be acknowledged");
	assert_int_equal(member_int(r, "alarm", "version"), 2);
	json_decref(r);

	/* A stale version names who changed it. */
	assert_int_equal(call(f, api_alarm_assign, &f->bob, "1",
	    "{\"version\":1,\"guard\":\"G1\"}", NULL, &r), 409);
	err = json_object_get(r, "error");
	assert_string_equal(member_str(err, "code", NULL), "conflict");
	assert_non_null(strstr(member_str(err, "message", NULL),
	    "alarm 1 changed: acknowledged by bob at "));
	assert_non_null(strstr(member_str(err, "message", NULL),
	    "; it is now version 2"));
	assert_string_equal(member_str(r, "alarm", "state"), "acknowledged");
	json_decref(r);

	/* Bad bodies and unknown alarms. */
	assert_int_equal(call(f, api_alarm_ack, &f->bob, "1", "{\"version\":",
	    NULL, &r), 400);
	json_decref(r);
	assert_int_equal(call(f, api_alarm_ack, &f->bob, "1",
	    "{\"version\":2,\"colour\":\"red\"}", NULL, &r), 422);
	assert_non_null(strstr(member_str(json_object_get(r, "error"), "message",
	    NULL), "colour"));
	json_decref(r);
	assert_int_equal(call(f, api_alarm_ack, &f->bob, "99", "{\"version\":1}",
	    NULL, &r), 404);
	json_decref(r);
	assert_int_equal(call(f, api_alarm_ack, &f->bob, "x1", "{\"version\":1}",
	    NULL, &r), 404);
	json_decref(r);
	/* Out of scope looks like unknown. */
	assert_int_equal(call(f, api_alarm_close, &f->mia, "1",
	    "{\"version\":2,\"resolution\":\"test\",\"note\":\"n\"}", NULL, &r), 404);
	json_decref(r);

	/* Nothing refused was written. */
	assert_int_equal(audit_count(f, NULL), audits);
	assert_int_equal(stream_count(f, NULL), streams);
	assert_int_equal(query_int(f, "SELECT version FROM alarms WHERE id = 1",
	    NULL), 2);
	assert_chain(f);
}

/* Assign, reassign, release and close move the guards with the alarm. */
static void
test_api_assign_guards(void **state)
{
	struct fixture *f = *state;
	json_t *r;
	int64_t audits;
	bool grouped;

	raise_one(f, 1, "forced", &grouped, TEST_TS_MS);
	raise_one(f, 2, "forced", &grouped, TEST_TS_MS);
	audits = audit_count(f, NULL);

	assert_int_equal(call(f, api_alarm_assign, &f->bob, "1",
	    "{\"version\":1,\"guard\":\"G2\"}", NULL, &r), 422);
	assert_string_equal(member_str(json_object_get(r, "error"), "message",
	    NULL), "guard: G2 is off duty");
	json_decref(r);
	assert_int_equal(call(f, api_alarm_assign, &f->bob, "1",
	    "{\"version\":1,\"guard\":\"G3\"}", NULL, &r), 422);
	json_decref(r);
	assert_int_equal(call(f, api_alarm_assign, &f->bob, "1",
	    "{\"version\":1,\"guard\":\"G9\"}", NULL, &r), 422);
	json_decref(r);
	assert_int_equal(audit_count(f, NULL), audits);

	/* Straight from new: assigned, and acknowledged by the same act. */
	assert_int_equal(call(f, api_alarm_assign, &f->bob, "1",
	    "{\"version\":1,\"guard\":\"G1\"}", NULL, &r), 200);
	assert_string_equal(member_str(r, "alarm", "state"), "assigned");
	assert_string_equal(member_str(r, "alarm", "guard"), "G1");
	assert_string_equal(member_str(r, "alarm", "assigned_by"), "bob");
	assert_string_equal(member_str(r, "alarm", "acked_by"), "bob");
	json_decref(r);
	assert_guard(f, "G1", "dispatched");
	assert_int_equal(audit_count(f, "guard.status"), 1);
	assert_int_equal(stream_count(f, "guard.updated"), 1);

	/* The same guard again is a conflict. */
	assert_int_equal(call(f, api_alarm_assign, &f->bob, "1",
	    "{\"version\":2,\"guard\":\"G1\"}", NULL, &r), 409);
	json_decref(r);

	/* G1 on two alarms; handing one to G4 keeps G1 dispatched. */
	assert_int_equal(call(f, api_alarm_assign, &f->bob, "2",
	    "{\"version\":1,\"guard\":\"G1\"}", NULL, &r), 200);
	json_decref(r);
	assert_int_equal(call(f, api_alarm_assign, &f->bob, "1",
	    "{\"version\":2,\"guard\":\"G4\"}", NULL, &r), 200);
	assert_string_equal(member_str(r, "alarm", "guard"), "G4");
	json_decref(r);
	assert_guard(f, "G1", "dispatched");
	assert_guard(f, "G4", "dispatched");

	/* A guard with assigned alarms cannot go off duty. */
	assert_int_equal(call(f, api_guard_status, &f->bob, "G4",
	    "{\"status\":\"off_duty\"}", NULL, &r), 422);
	assert_non_null(strstr(member_str(json_object_get(r, "error"), "message",
	    NULL), "(1)"));
	json_decref(r);

	/* Releasing G1's last alarm makes it available. */
	assert_int_equal(call(f, api_alarm_release, &f->bob, "2",
	    "{\"version\":2}", NULL, &r), 200);
	assert_string_equal(member_str(r, "alarm", "state"), "acknowledged");
	assert_string_equal(member_str(r, "alarm", "guard"), "");
	json_decref(r);
	assert_guard(f, "G1", "available");

	/* Closing needs a resolution and a note; then G4 is free. */
	assert_int_equal(call(f, api_alarm_close, &f->bob, "1",
	    "{\"version\":3,\"resolution\":\"genuine\"}", NULL, &r), 422);
	assert_string_equal(member_str(json_object_get(r, "error"), "message",
	    NULL), "note: is required");
	json_decref(r);
	assert_int_equal(call(f, api_alarm_close, &f->bob, "1",
	    "{\"version\":3,\"resolution\":\"vandals\",\"note\":\"x\"}", NULL,
	    &r), 422);
	json_decref(r);
	assert_int_equal(call(f, api_alarm_close, &f->bob, "1",
	    "{\"version\":3,\"resolution\":\"false_alarm\",\"note\":\"wind\"}",
	    NULL, &r), 200);
	assert_string_equal(member_str(r, "alarm", "state"), "closed");
	assert_string_equal(member_str(r, "alarm", "resolution"), "false_alarm");
	assert_string_equal(member_str(r, "alarm", "resolution_note"), "wind");
	assert_string_equal(member_str(r, "alarm", "closed_by"), "bob");
	assert_string_equal(member_str(r, "alarm", "guard"), "G4");
	json_decref(r);
	assert_guard(f, "G4", "available");
	assert_int_equal(query_int(f, "SELECT COUNT(*) FROM audit WHERE action = "
	    "'alarm.close' AND json_extract(details, '$.resolution') = "
	    "'false_alarm' AND json_extract(details, '$.before.guard') = 'G4'",
	    NULL), 1);
	assert_chain(f);
}

/* Reopen, notes, and the detail view. */
static void
test_api_reopen_notes_get(void **state)
{
	struct fixture *f = *state;
	json_t *r, *a;
	bool grouped;

	raise_one(f, 1, "forced", &grouped, TEST_TS_MS);
	assert_int_equal(store_exec(f->st,
	    "INSERT INTO events (gateway_id, gw_event_id, site_id, point_id, type, "
	    "value, sensor_ms, received_ms, class, alarm_id) VALUES "
	    "(1, 'e-1', 1, 1, 'forced', NULL, 1795302062245, 1795302062345, "
	    "'alarm', 1), (1, 'e-2', 1, 1, 'forced', 'again', 1795302063245, "
	    "1795302063345, 'alarm', 1)"), 0);
	assert_int_equal(call(f, api_alarm_close, &f->bob, "1",
	    "{\"version\":1,\"resolution\":\"test\",\"note\":\"drill\"}", NULL,
	    &r), 200);
	json_decref(r);
	/* Open again only once: the second reopen meets a closed-state conflict. */
	assert_int_equal(call(f, api_alarm_reopen, &f->bob, "1",
	    "{\"version\":2,\"note\":\"not a drill\"}", NULL, &r), 200);
	assert_string_equal(member_str(r, "alarm", "state"), "acknowledged");
	assert_string_equal(member_str(r, "alarm", "resolution"), "");
	assert_string_equal(member_str(r, "alarm", "closed"), "");
	assert_int_equal(member_int(r, "alarm", "version"), 3);
	json_decref(r);
	assert_int_equal(call(f, api_alarm_reopen, &f->bob, "1",
	    "{\"version\":3}", NULL, &r), 409);
	json_decref(r);

	/* A note changes no version. */
	assert_int_equal(call(f, api_alarm_note, &f->bob, "1",
	    "{\"text\":\"called the caretaker\"}", NULL, &r), 200);
	assert_int_equal(member_int(r, "alarm", "version"), 3);
	assert_string_equal(member_str(r, "note", "author"), "bob");
	json_decref(r);
	assert_int_equal(call(f, api_alarm_note, &f->bob, "1",
	    "{\"text\":\"   \"}", NULL, &r), 422);
	json_decref(r);
	assert_int_equal(stream_count(f, "alarm.note"), 2);
	assert_int_equal(audit_count(f, "alarm.note"), 2);

	assert_int_equal(call(f, api_alarm_get, &f->bob, "1", NULL, NULL, &r), 200);
	a = json_object_get(r, "alarm");
	assert_int_equal(member_int(a, "id", NULL), 1);
	assert_int_equal(json_array_size(json_object_get(r, "notes")), 2);
	assert_string_equal(member_str(json_array_get(json_object_get(r, "notes"),
	    1), "text", NULL), "called the caretaker");
	assert_int_equal(json_array_size(json_object_get(r, "events")), 2);
	assert_string_equal(member_str(json_array_get(json_object_get(r, "events"),
	    0), "gw_event_id", NULL), "e-1");
	assert_string_equal(member_str(json_array_get(json_object_get(r, "events"),
	    1), "value", NULL), "again");
	assert_string_equal(member_str(json_array_get(json_object_get(r, "events"),
	    0), "sensor_ts", NULL), "2026-11-21T23:01:02.245Z");
	/* open, close, reopen, two notes. */
	assert_int_equal(json_array_size(json_object_get(r, "history")), 5);
	assert_string_equal(member_str(json_array_get(json_object_get(r, "history"),
	    0), "action", NULL), "alarm.open");
	json_decref(r);
	assert_int_equal(call(f, api_alarm_get, &f->mia, "1", NULL, NULL, &r), 404);
	json_decref(r);
	assert_chain(f);
}

/* Raise an alarm at site_id's point_id with priority, in its own transaction. */
static int64_t
raise_at(struct fixture *f, int64_t site_id, int64_t point_id, const char *type,
    int priority, int64_t now_ms)
{
	struct alarm_cause c = {
		.site_id = site_id, .point_id = point_id, .gateway_id = site_id,
		.type = type, .priority = priority, .event_ms = now_ms,
		.actor_type = "gateway", .actor = "gw", .source = "",
	};
	int64_t id;

	assert_int_equal(txn_begin(&f->srv), 0);
	id = alarm_raise(&f->srv, &c, NULL, now_ms);
	assert_true(id > 0);
	assert_int_equal(txn_commit(&f->srv), 0);
	return id;
}

/* Assert that a list reply holds exactly the alarm ids want (0-terminated), in order. */
static void
assert_ids(json_t *r, const int64_t *want)
{
	json_t *list = json_object_get(r, "alarms");
	size_t n = 0;

	assert_true(json_is_array(list));
	for (; want[n] != 0; n++) {
		json_t *a = json_array_get(list, n);

		if (a == NULL)
			fail_msg("alarm %zu missing: want id %" PRId64, n, want[n]);
		if (member_int(a, "id", NULL) != want[n])
			fail_msg("alarm %zu: id %" PRId64 ", want %" PRId64, n,
			    member_int(a, "id", NULL), want[n]);
	}
	assert_int_equal(json_array_size(list), n);
}

/* The queue: filters, order, scope, paging and the stream seq. */
static void
test_api_list(void **state)
{
	struct fixture *f = *state;
	int64_t a1, a2, a3, a4;
	char after[32], body[64];
	json_t *r;

	a1 = raise_at(f, 1, 1, "forced", 4, TEST_TS_MS);
	a2 = raise_at(f, 1, 2, "held_open", 5, TEST_TS_MS + 1);
	a3 = raise_at(f, 2, 3, "forced", 2, TEST_TS_MS + 2);
	a4 = raise_at(f, 1, 1, "fire", 1, TEST_TS_MS + 3);
	snprintf(body, sizeof body, "{\"version\":1,\"resolution\":\"test\","
	    "\"note\":\"n\"}");
	snprintf(after, sizeof after, "%" PRId64, a2);
	assert_int_equal(call(f, api_alarm_close, &f->bob, after, body, NULL, &r),
	    200);
	json_decref(r);

	{
		int64_t want[] = { a4, a3, a1, 0 };
		assert_int_equal(call(f, api_alarms_list, &f->bob, NULL, NULL, NULL,
		    &r), 200);
		assert_ids(r, want);
		assert_int_equal(member_int(r, "seq", NULL), streamlog_head(&f->srv));
		assert_int_equal(member_int(r, "seq", NULL), stream_count(f, NULL));
		json_decref(r);
	}
	{
		static const char *const args[] = { "state=closed", NULL };
		int64_t want[] = { a2, 0 };
		assert_int_equal(call(f, api_alarms_list, &f->bob, NULL, NULL, args,
		    &r), 200);
		assert_ids(r, want);
		json_decref(r);
	}
	{
		static const char *const args[] = { "state=all", "priority=2", NULL };
		int64_t want[] = { a4, a3, 0 };
		assert_int_equal(call(f, api_alarms_list, &f->bob, NULL, NULL, args,
		    &r), 200);
		assert_ids(r, want);
		json_decref(r);
	}
	{
		static const char *const args[] = { "state=all", "type=forced", NULL };
		int64_t want[] = { a3, a1, 0 };
		assert_int_equal(call(f, api_alarms_list, &f->bob, NULL, NULL, args,
		    &r), 200);
		assert_ids(r, want);
		json_decref(r);
	}
	{
		static const char *const args[] = { "limit=1", NULL };
		int64_t want[] = { a4, 0 };
		assert_int_equal(call(f, api_alarms_list, &f->bob, NULL, NULL, args,
		    &r), 200);
		assert_ids(r, want);
		json_decref(r);
	}
	{
		const char *args[] = { "after_id=", NULL };
		char arg[48];
		int64_t want[] = { a3, a1, 0 };

		snprintf(arg, sizeof arg, "after_id=%" PRId64, a4);
		args[0] = arg;
		assert_int_equal(call(f, api_alarms_list, &f->bob, NULL, NULL, args,
		    &r), 200);
		assert_ids(r, want);
		json_decref(r);
	}
	{
		static const char *const args[] = { "site=harbour", NULL };
		int64_t want[] = { a3, 0 };
		assert_int_equal(call(f, api_alarms_list, &f->bob, NULL, NULL, args,
		    &r), 200);
		assert_ids(r, want);
		json_decref(r);
	}
	{
		/* A manager sees only its own sites. */
		static const char *const args[] = { "state=all", NULL };
		static const char *const other[] = { "site=riverside", NULL };
		int64_t want[] = { a3, 0 };
		assert_int_equal(call(f, api_alarms_list, &f->mia, NULL, NULL, args,
		    &r), 200);
		assert_ids(r, want);
		json_decref(r);
		assert_int_equal(call(f, api_alarms_list, &f->mia, NULL, NULL, other,
		    &r), 422);
		json_decref(r);
	}
	{
		static const char *const bad[][3] = {
			{ "priority=0", NULL, NULL },
			{ "priority=x", NULL, NULL },
			{ "limit=100001", NULL, NULL },
			{ "state=pending", NULL, NULL },
			{ "colour=red", NULL, NULL },
		};
		for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
			assert_int_equal(call(f, api_alarms_list, &f->bob, NULL,
			    NULL, bad[i], &r), 400);
			json_decref(r);
		}
	}
}

/* The guard list by scope, and status changes by whom. */
static void
test_api_guards(void **state)
{
	struct fixture *f = *state;
	json_t *r, *g;
	int64_t audits;

	assert_int_equal(store_exec(f->st, "UPDATE guards SET lat = 53.795, "
	    "lon = -1.541, accuracy = 8.0, pos_ms = 1795302062345 WHERE id = 1"), 0);
	assert_int_equal(call(f, api_guards_list, &f->bob, NULL, NULL, NULL, &r),
	    200);
	assert_int_equal(json_array_size(json_object_get(r, "guards")), 4);
	g = json_array_get(json_object_get(r, "guards"), 0);
	assert_string_equal(member_str(g, "callsign", NULL), "G1");
	assert_string_equal(member_str(g, "site", NULL), "riverside");
	assert_string_equal(member_str(g, "status", NULL), "available");
	assert_string_equal(member_str(g, "position", "ts"),
	    "2026-11-21T23:01:02.345Z");
	assert_true(json_real_value(json_object_get(json_object_get(g,
	    "position"), "accuracy")) == 8.0);
	assert_int_equal(json_array_size(json_object_get(g, "alarms")), 0);
	g = json_array_get(json_object_get(r, "guards"), 1);
	assert_true(json_is_null(json_object_get(g, "position")));
	g = json_array_get(json_object_get(r, "guards"), 3);
	assert_true(json_is_null(json_object_get(g, "site")));
	assert_true(json_is_integer(json_object_get(r, "seq")));
	json_decref(r);

	/* A manager sees its site's guards, not those of every site. */
	assert_int_equal(call(f, api_guards_list, &f->mia, NULL, NULL, NULL, &r),
	    200);
	assert_int_equal(json_array_size(json_object_get(r, "guards")), 1);
	assert_string_equal(member_str(json_array_get(json_object_get(r, "guards"),
	    0), "callsign", NULL), "G3");
	json_decref(r);

	/* A guard changes its own status, and only its own. */
	assert_int_equal(call(f, api_guard_status, &f->amira, "G1",
	    "{\"status\":\"on_scene\"}", NULL, &r), 200);
	assert_string_equal(member_str(r, "guard", "status"), "on_scene");
	json_decref(r);
	assert_guard(f, "G1", "on_scene");
	assert_int_equal(call(f, api_guard_status, &f->amira, "G2",
	    "{\"status\":\"available\"}", NULL, &r), 403);
	json_decref(r);
	assert_guard(f, "G2", "off_duty");

	assert_int_equal(call(f, api_guard_status, &f->bob, "G2",
	    "{\"status\":\"available\"}", NULL, &r), 200);
	json_decref(r);
	assert_guard(f, "G2", "available");
	assert_int_equal(query_int(f, "SELECT COUNT(*) FROM audit WHERE action = "
	    "'guard.status' AND object_id = 'G2' AND actor = 'bob' AND "
	    "json_extract(details, '$.before') = 'off_duty' AND "
	    "json_extract(details, '$.after') = 'available'", NULL), 1);
	assert_int_equal(stream_count(f, "guard.updated"), 2);

	/* The same status again changes and records nothing. */
	audits = audit_count(f, NULL);
	assert_int_equal(call(f, api_guard_status, &f->bob, "G2",
	    "{\"status\":\"available\"}", NULL, &r), 200);
	json_decref(r);
	assert_int_equal(audit_count(f, NULL), audits);

	assert_int_equal(call(f, api_guard_status, &f->bob, "G2",
	    "{\"status\":\"asleep\"}", NULL, &r), 422);
	json_decref(r);
	assert_int_equal(call(f, api_guard_status, &f->bob, "G9",
	    "{\"status\":\"available\"}", NULL, &r), 404);
	json_decref(r);
	assert_int_equal(call(f, api_guard_status, &f->mia, "G1",
	    "{\"status\":\"available\"}", NULL, &r), 404);
	json_decref(r);
	assert_chain(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transition_table),
		cmocka_unit_test_setup_teardown(test_raise_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raise_after_close, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_clear_system, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_system_frees_guard, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_api_ack_conflicts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_api_assign_guards, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_api_reopen_notes_get, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_api_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_guards, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
