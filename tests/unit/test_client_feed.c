/*
 * test_client_feed.c: the client library against a real vigild: the feed's
 * replica equals what the API shows after alarms are raised, acknowledged,
 * assigned and closed; after vigild is killed and restarted (the stream
 * resumes, no reload); and after vigild comes back with an older copy of
 * its database (the stream resyncs, the snapshots are reloaded).
 *
 * It starts the vigild of $VIGIL_BIN (build/check/bin by default) on a
 * free port with a fresh database, like the end-to-end tests; it is
 * skipped when there is no vigild.
 */
#include "compat.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <sodium.h>

#include "feed.h"
#include "log.h"
#include "rest.h"
#include "vtime.h"

#define FX_PASSWORD "feed-admin-pw-1"
#define FX_WAIT_MS  20000

struct fx {
	char dir[128];
	char db[192];
	char bin[1100];
	char top[1024];
	pid_t vigild;
	int port;
	char url[64];
	uv_loop_t loop;
	uv_timer_t tick;
	struct rest *rest;
	struct feed *feed;
	char *token;
	int events;           /* event ids sent so far */
	unsigned changed;     /* times ops->changed was called */
};

/* Run argv (stdin from input, output appended to the test's log); its exit status. */
static int
fx_run(struct fx *fx, char *const argv[], const char *input)
{
	char log[256];
	int in[2], st = 0, fd;
	pid_t pid;

	snprintf(log, sizeof log, "%s/vigild.log", fx->dir);
	if (pipe(in) != 0)
		fail_msg("pipe: %s", strerror(errno));
	if ((pid = fork()) == 0) {
		dup2(in[0], 0);
		close(in[0]);
		close(in[1]);
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	if (input != NULL && write(in[1], input, strlen(input)) < 0)
		fail_msg("write: %s", strerror(errno));
	close(in[1]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		fail_msg("cannot run %s", argv[0]);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Start vigild on the test database (on fx->port when set) and wait for its port. */
static void
fx_vigild_start(struct fx *fx)
{
	char vigild[1200], listen[64], portfile[256];
	char *argv[] = { vigild, "--db", fx->db, "--listen", listen,
	    "--port-file", portfile, NULL };
	int64_t end = vtime_mono_ms() + FX_WAIT_MS;
	FILE *f;

	snprintf(vigild, sizeof vigild, "%s/vigild", fx->bin);
	snprintf(listen, sizeof listen, "127.0.0.1:%d", fx->port);
	snprintf(portfile, sizeof portfile, "%s/port", fx->dir);
	for (;;) {
		unlink(portfile);
		if ((fx->vigild = fork()) == 0) {
			char log[256];
			int fd;

			snprintf(log, sizeof log, "%s/vigild.log", fx->dir);
			if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600)) >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
				close(fd);
			}
			execv(argv[0], argv);
			_exit(127);
		}
		while (access(portfile, R_OK) != 0 &&
		    waitpid(fx->vigild, NULL, WNOHANG) == 0 &&
		    vtime_mono_ms() < end)
			usleep(20000);
		if (access(portfile, R_OK) == 0)
			break;
		/* The old port may still be held for a moment after a restart. */
		waitpid(fx->vigild, NULL, 0);
		if (vtime_mono_ms() >= end)
			fail_msg("vigild did not start (see %s/vigild.log)", fx->dir);
		usleep(200000);
	}
	usleep(50000);
	if ((f = fopen(portfile, "r")) == NULL || fscanf(f, "%d", &fx->port) != 1)
		fail_msg("no port in %s", portfile);
	fclose(f);
	snprintf(fx->url, sizeof fx->url, "http://127.0.0.1:%d", fx->port);
}

/* Stop vigild: SIGTERM (clean) or SIGKILL (a crash). */
static void
fx_vigild_stop(struct fx *fx, int sig)
{
	if (fx->vigild <= 0)
		return;
	kill(fx->vigild, sig);
	waitpid(fx->vigild, NULL, 0);
	fx->vigild = 0;
}

/* Copy file from to to (when from exists). */
static void
fx_copy(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	unlink(to);
	if ((in = open(from, O_RDONLY)) < 0)
		return;
	if ((out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		fail_msg("cannot create %s", to);
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			fail_msg("cannot write %s", to);
	close(in);
	close(out);
}

/* Copy the database (and its WAL) to or from the backup name. */
static void
fx_db_copy(struct fx *fx, bool restore)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char a[256], b[256];

	for (size_t i = 0; i < ARRAY_LEN(sfx); i++) {
		snprintf(a, sizeof a, "%s%s", fx->db, sfx[i]);
		snprintf(b, sizeof b, "%s.old%s", fx->db, sfx[i]);
		if (restore)
			fx_copy(b, a);
		else
			fx_copy(a, b);
	}
}

/* Keep the loop waking up, so that run_until can check its condition. */
static void
fx_on_tick(uv_timer_t *t)
{
}

/* Run the loop until cond holds or FX_WAIT_MS pass; false on timeout. */
static bool
fx_run_until(struct fx *fx, bool (*cond)(struct fx *))
{
	int64_t end = vtime_mono_ms() + FX_WAIT_MS;

	while (!cond(fx)) {
		if (vtime_mono_ms() > end)
			return false;
		uv_run(&fx->loop, UV_RUN_ONCE);
	}
	return true;
}

/* Make one call as the test's user; the reply's JSON (caller decrefs) or NULL. */
static json_t *
fx_api(struct fx *fx, const char *method, const char *path, json_t *body,
    long want)
{
	struct rest_reply r;
	json_t *v;

	rest_call(fx->rest, method, path, body, &r);
	if (r.status != want)
		fail_msg("%s %s: HTTP %ld (%s)", method, path, r.status,
		    r.error != NULL ? r.error : "");
	v = json_incref(r.json);
	rest_reply_release(&r);
	return v;
}

/* Throw a reply away. */
static size_t
fx_discard(char *data, size_t size, size_t n, void *arg)
{
	return size * n;
}

/* Send one event as gateway gw-test-a or -b (blocking: the stream waits). */
static void
fx_event(struct fx *fx, const char *gateway, const char *point, const char *type)
{
	char url[128], body[512], id[32], ts[VTIME_ISO_LEN], user[128];
	CURL *c = curl_easy_init();
	long status = 0;

	snprintf(id, sizeof id, "feed-%d", ++fx->events);
	vtime_format(vtime_now_ms(), ts, sizeof ts);
	snprintf(url, sizeof url, "%s/api/v1/ingest", fx->url);
	snprintf(body, sizeof body, "{\"events\":[{\"id\":\"%s\",\"point\":\"%s\","
	    "\"type\":\"%s\",\"ts\":\"%s\"}]}", id, point, type, ts);
	/* gw-test-a's secret is test-gateway-a-secret-0123456789 (small.site). */
	snprintf(user, sizeof user, "%s:test-gateway-%s-secret-0123456789",
	    gateway, gateway + strlen("gw-test-"));
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_USERPWD, user);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fx_discard);
	if (curl_easy_perform(c) != CURLE_OK)
		fail_msg("cannot send event %s", id);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	assert_int_equal(status, 200);
	curl_easy_cleanup(c);
}

/* The feed's changes. */
static void
fx_on_changed(void *arg, struct replica *r)
{
	struct fx *fx = arg;

	fx->changed++;
	r->changed = 0;
}

static const struct feed_ops fx_feed_ops = {
	.changed = fx_on_changed,
};

/* The server's stream head, from the open alarms' snapshot. */
static int64_t
fx_head(struct fx *fx)
{
	json_t *v = fx_api(fx, "GET", "/api/v1/alarms?limit=1", NULL, 200);
	int64_t seq = json_integer_value(json_object_get(v, "seq"));

	json_decref(v);
	return seq;
}

static int64_t fx_want_seq;

/* True once the feed is live and its replica has reached fx_want_seq. */
static bool
fx_caught_up(struct fx *fx)
{
	return !feed_loading(fx->feed) &&
	    stream_state(feed_stream(fx->feed)) == STREAM_LIVE &&
	    feed_replica(fx->feed)->seq >= fx_want_seq;
}

/* Wait until the replica has every change the server has. */
static void
fx_catch_up(struct fx *fx)
{
	fx_want_seq = fx_head(fx);
	if (!fx_run_until(fx, fx_caught_up))
		fail_msg("the replica is at seq %" PRId64 " (%s, %s), the server "
		    "at %" PRId64, feed_replica(fx->feed)->seq,
		    feed_loading(fx->feed) ? "loading" : "loaded",
		    stream_state_name(stream_state(feed_stream(fx->feed))),
		    fx_want_seq);
}

/* Check that the replica shows what the API shows: alarms, guards, points. */
static void
fx_compare(struct fx *fx)
{
	struct replica *r = feed_replica(fx->feed);
	struct alarm_rec *rec;
	json_t *v, *a, *mine, *pts;
	const char *k;
	size_t i;

	v = fx_api(fx, "GET", "/api/v1/alarms?state=open&limit=10000", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(v, "alarms")),
	    alarmset_count(r->alarms));
	json_array_foreach(json_object_get(v, "alarms"), i, a) {
		rec = replica_alarm(r, json_integer_value(json_object_get(a, "id")));
		mine = rec != NULL ? alarm_rec_json(rec) : NULL;
		if (mine == NULL || !json_equal(mine, a))
			fail_msg("alarm %" JSON_INTEGER_FORMAT " differs from the "
			    "server's", json_integer_value(json_object_get(a, "id")));
		json_decref(mine);
	}
	json_decref(v);

	v = fx_api(fx, "GET", "/api/v1/guards", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(v, "guards")),
	    json_object_size(r->guards));
	json_array_foreach(json_object_get(v, "guards"), i, a) {
		k = json_string_value(json_object_get(a, "callsign"));
		if (!json_equal(replica_guard(r, k), a))
			fail_msg("guard %s differs from the server's", k);
	}
	json_decref(v);

	v = fx_api(fx, "GET", "/api/v1/sites/testyard/points", NULL, 200);
	pts = json_object_get(v, "points");
	json_array_foreach(pts, i, a) {
		k = json_string_value(json_object_get(a, "key"));
		if (!json_equal(replica_point(r, "testyard", k), a))
			fail_msg("point %s differs from the server's", k);
	}
	json_decref(v);
}

/* The id and version of the first open alarm in state, or 0. */
static int64_t
fx_alarm(struct fx *fx, const char *state, int64_t *version)
{
	struct replica *r = feed_replica(fx->feed);
	struct alarm_rec *a;
	size_t it = 0;

	while ((a = alarmset_next(r->alarms, &it)) != NULL) {
		if (strcmp(alarm_state_name(a->state), state) == 0) {
			*version = a->version;
			return a->id;
		}
	}
	return 0;
}

/* Raise alarms, then act on them through the API. */
static void
fx_activity(struct fx *fx)
{
	static const char *const ev[][3] = {
		{ "gw-test-a", "a-door", "forced" },
		{ "gw-test-a", "a-water", "water_leak" },
		{ "gw-test-b", "b-window", "forced" },
		{ "gw-test-b", "b-gate", "open" },
		{ "gw-test-a", "a-door", "open" },
		{ "gw-test-b", "b-equipment", "fault" },
		{ "gw-test-a", "a-door", "forced" },
	};
	char path[128];
	int64_t id, version;

	for (size_t i = 0; i < ARRAY_LEN(ev); i++)
		fx_event(fx, ev[i][0], ev[i][1], ev[i][2]);
	fx_catch_up(fx);
	assert_true(alarmset_count(feed_replica(fx->feed)->alarms) >= 2);

	if ((id = fx_alarm(fx, "new", &version)) == 0)
		fail_msg("no new alarm to acknowledge");
	snprintf(path, sizeof path, "/api/v1/alarms/%" PRId64 "/ack", id);
	json_decref(fx_api(fx, "POST", path, json_pack("{s:I}", "version",
	    (json_int_t)version), 200));
	fx_catch_up(fx);
	assert_int_equal(replica_alarm(feed_replica(fx->feed), id)->state,
	    ALARM_ACKNOWLEDGED);

	snprintf(path, sizeof path, "/api/v1/alarms/%" PRId64 "/assign", id);
	json_decref(fx_api(fx, "POST", path, json_pack("{s:I, s:s}", "version",
	    (json_int_t)version + 1, "guard", "T1"), 200));
	fx_catch_up(fx);
	assert_string_equal(json_string_value(json_object_get(
	    replica_guard(feed_replica(fx->feed), "T1"), "status")), "dispatched");

	if ((id = fx_alarm(fx, "new", &version)) == 0)
		fail_msg("no second new alarm to close");
	snprintf(path, sizeof path, "/api/v1/alarms/%" PRId64 "/close", id);
	json_decref(fx_api(fx, "POST", path, json_pack("{s:I, s:s, s:s}",
	    "version", (json_int_t)version, "resolution", "false_alarm", "note",
	    "checked on camera"), 200));
	fx_catch_up(fx);
	assert_null(replica_alarm(feed_replica(fx->feed), id));
}

/* Set up a database with the small site and an administrator. */
static int
fx_setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof *fx);
	const char *bin = getenv("VIGIL_BIN"), *top = getenv("VIGIL_TOP");
	char vigild[1200], site[1100];

	snprintf(fx->top, sizeof fx->top, "%s", top != NULL ? top : ".");
	if (bin != NULL)
		snprintf(fx->bin, sizeof fx->bin, "%s", bin);
	else
		snprintf(fx->bin, sizeof fx->bin, "%s/build/check/bin", fx->top);
	snprintf(vigild, sizeof vigild, "%s/vigild", fx->bin);
	if (access(vigild, X_OK) != 0) {
		free(fx);
		*state = NULL;
		return 0;
	}
	snprintf(fx->dir, sizeof fx->dir, "/tmp/test_client_feed.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->db, sizeof fx->db, "%s/vigil.db", fx->dir);
	snprintf(site, sizeof site, "%s/tests/e2e/data/small.site", fx->top);
	{
		char *imp[] = { vigild, "--db", fx->db, "site", "import", site, NULL };
		char *add[] = { vigild, "--db", fx->db, "user", "add", "fiona",
		    "--role", "admin", NULL };

		if (fx_run(fx, imp, NULL) != 0 ||
		    fx_run(fx, add, FX_PASSWORD "\n") != 0)
			return -1;
	}
	uv_loop_init(&fx->loop);
	uv_timer_init(&fx->loop, &fx->tick);
	uv_timer_start(&fx->tick, fx_on_tick, 10, 10);
	*state = fx;
	return 0;
}

/* Stop vigild, close the loop and remove the test directory. */
static int
fx_teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[256];

	if (fx == NULL)
		return 0;
	feed_close(fx->feed);
	rest_free(fx->rest);
	uv_close((uv_handle_t *)&fx->tick, NULL);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	feed_free(fx->feed);
	if (uv_loop_close(&fx->loop) != 0)
		fail_msg("handles left open on the loop");
	fx_vigild_stop(fx, SIGTERM);
	free(fx->token);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* The replica follows the server through activity, a crash and a restore. */
static void
test_feed(void **state)
{
	struct fx *fx = *state;
	struct rest_reply r;
	char *cause = NULL;
	unsigned changed;

	if (fx == NULL)
		skip();
	fx_vigild_start(fx);
	fx->rest = rest_new(&fx->loop, fx->url, NULL, &cause);
	assert_non_null(fx->rest);
	rest_call(fx->rest, "POST", "/api/v1/login", json_pack("{s:s, s:s}",
	    "user", "fiona", "password", FX_PASSWORD), &r);
	assert_int_equal(r.status, 200);
	fx->token = xstrdup(json_string_value(json_object_get(r.json, "token")));
	rest_reply_release(&r);
	rest_set_token(fx->rest, fx->token);

	/* The first load: an empty queue, two guards, six points. */
	fx->feed = feed_new(&fx->loop, fx->rest, fx->url, fx->token,
	    &fx_feed_ops, fx, &cause);
	assert_non_null(fx->feed);
	feed_start(fx->feed);
	fx_catch_up(fx);
	assert_int_equal(feed_loads(fx->feed), 1);
	assert_int_equal(json_object_size(feed_replica(fx->feed)->guards), 2);
	assert_non_null(replica_point(feed_replica(fx->feed), "testyard", "b-gate"));
	fx_compare(fx);

	/* Changes as they happen. */
	changed = fx->changed;
	fx_activity(fx);
	assert_true(fx->changed > changed);
	fx_compare(fx);

	/* A crash: the stream resumes where it was, nothing is reloaded. */
	fx_vigild_stop(fx, SIGKILL);
	fx_vigild_start(fx);
	fx_event(fx, "gw-test-b", "b-window", "forced");
	fx_event(fx, "gw-test-a", "a-water", "water_leak");
	fx_catch_up(fx);
	assert_int_equal(feed_loads(fx->feed), 1);
	fx_compare(fx);

	/* A server that comes back with an older database: resync and reload. */
	fx_vigild_stop(fx, SIGTERM);
	fx_db_copy(fx, false);
	fx_vigild_start(fx);
	fx_activity(fx);
	fx_vigild_stop(fx, SIGTERM);
	fx_db_copy(fx, true);
	fx_vigild_start(fx);
	fx_event(fx, "gw-test-a", "a-door", "tamper");
	fx_catch_up(fx);
	assert_int_equal(feed_loads(fx->feed), 2);
	fx_compare(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_feed, fx_setup, fx_teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	log_open(NULL, LOG_WARN);
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
