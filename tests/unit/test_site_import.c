/* test_site_import.c: site files into a real store: the demo, upserts, every kind of error. */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "api.h"
#include "audit.h"
#include "auth.h"
#include "server.h"
#include "site_import.h"
#include "store.h"
#include "streamlog.h"
#include "unittest.h"

#define DEMO_PATH "contrib/sites/demo/riverside.site"
#define DEMO_GW_TOWER_A_SECRET "0b223e928a26fc1249f15b2e28b3ba682f44bd7008858a78"

struct fixture {
	char dir[64];
	char db[96];
	char file[96];
	struct server srv;
};

/* Row counts of the tables an import writes. */
struct counts {
	int64_t sites, points, gateways, guards, rules, audit, stream;
};

/* The demo file, found from VIGIL_TOP (the repository root) or ".". */
static char *
demo_path(void)
{
	const char *top = getenv("VIGIL_TOP");

	return xasprintf("%s/%s", top != NULL && *top != '\0' ? top : ".",
	    DEMO_PATH);
}

/* The whole of a file as a string (caller frees). */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	assert_non_null(f);
	buf = xmalloc(LIMIT_SITE_FILE_BYTES + 1);
	n = fread(buf, 1, LIMIT_SITE_FILE_BYTES, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* One integer from sql (one row, one column). */
static int64_t
query_int(struct fixture *f, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->srv.st), sql, -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* One text value from sql (caller frees); NULL for SQL NULL. */
static char *
query_text(struct fixture *f, const char *sql)
{
	sqlite3_stmt *s;
	char *v = NULL;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->srv.st), sql, -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	if (sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

/* Count the rows of every table an import touches. */
static struct counts
count_rows(struct fixture *f)
{
	struct counts c;

	c.sites = query_int(f, "SELECT count(*) FROM sites");
	c.points = query_int(f, "SELECT count(*) FROM points");
	c.gateways = query_int(f, "SELECT count(*) FROM gateways");
	c.guards = query_int(f, "SELECT count(*) FROM guards");
	c.rules = query_int(f, "SELECT count(*) FROM rules");
	c.audit = query_int(f, "SELECT count(*) FROM audit");
	c.stream = query_int(f, "SELECT count(*) FROM stream");
	return c;
}

/* Assert two sets of counts are the same. */
static void
assert_counts_equal(const struct counts *a, const struct counts *b)
{
	assert_int_equal(a->sites, b->sites);
	assert_int_equal(a->points, b->points);
	assert_int_equal(a->gateways, b->gateways);
	assert_int_equal(a->guards, b->guards);
	assert_int_equal(a->rules, b->rules);
	assert_int_equal(a->audit, b->audit);
	assert_int_equal(a->stream, b->stream);
}

/* Verify the audit chain; returns the number of entries. */
static int64_t
verify_audit(struct fixture *f)
{
	int64_t count = 0, bad = 0;
	char *cause = NULL;

	if (audit_verify(f->srv.st, &count, &bad, &cause) != 0)
		fail_msg("audit chain broken at %" PRId64 ": %s", bad,
		    cause != NULL ? cause : "?");
	return count;
}

/* Import the demo file, which must succeed. */
static void
import_demo(struct fixture *f, struct site_import_stats *stats)
{
	char *path = demo_path(), *cause = NULL;

	if (site_import_file(&f->srv, path, stats, &cause) != 0)
		fail_msg("demo import failed: %s", cause);
	free(path);
}

/* A fresh database in a temporary directory. */
static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *cause = NULL;

	snprintf(f->dir, sizeof f->dir, "/tmp/vigil-test-site-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof f->db, "%s/vigil.db", f->dir);
	snprintf(f->file, sizeof f->file, "%s/test.site", f->dir);
	f->srv.st = store_open(f->db, &cause);
	if (f->srv.st == NULL)
		fail_msg("store_open: %s", cause);
	*state = f;
	return 0;
}

/* Close the store and remove the temporary directory. */
static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *p;

	streamlog_free(&f->srv);
	store_free(f->srv.st);
	unlink(f->file);
	unlink(f->db);
	p = xasprintf("%s-wal", f->db);
	unlink(p);
	free(p);
	p = xasprintf("%s-shm", f->db);
	unlink(p);
	free(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The demo site imports whole: one site, its points, gateways, guards and rules. */
static void
test_demo_imports(void **state)
{
	struct fixture *f = *state;
	struct site_import_stats st;
	struct counts c;
	unsigned char h[32];
	char *v;
	sqlite3_stmt *s;

	memset(&st, 0xff, sizeof st);
	import_demo(f, &st);
	assert_int_equal(st.sites.created, 1);
	assert_true(st.points.created >= 45);
	assert_int_equal(st.gateways.created, 3);
	assert_int_equal(st.guards.created, 6);
	assert_int_equal(st.rules.created, 2);
	assert_int_equal(st.maps.created, 4);
	assert_int_equal(st.sites.updated + st.points.updated +
	    st.gateways.updated + st.guards.updated + st.rules.updated, 0);

	c = count_rows(f);
	assert_int_equal(c.sites, 1);
	assert_int_equal(c.points, st.points.created);
	assert_int_equal(c.gateways, 3);
	assert_int_equal(c.guards, 6);
	assert_int_equal(c.rules, 2);
	/*
	 * One audit entry per object created (with the demo's 2 buildings,
	 * 2 access groups and 7 access points), and a chain that verifies.
	 */
	assert_int_equal(c.audit, 1 + st.points.created + 3 + 6 + 2 +
	    st.maps.created + 2 + 2 + 7);
	assert_int_equal(query_int(f, "SELECT count(*) FROM audit WHERE"
	    " action = 'point.access'"), 7);
	assert_int_equal(verify_audit(f), c.audit);
	assert_int_equal(query_int(f, "SELECT count(*) FROM audit WHERE"
	    " actor_type = 'system' AND actor = 'vigild' AND"
	    " source = 'site import'"), c.audit);
	assert_int_equal(query_int(f, "SELECT count(*) FROM audit WHERE"
	    " action = 'point.import' AND object_type = 'point'"), c.points);

	/* The site's fields, as written. */
	v = query_text(f, "SELECT name || '|' || timezone || '|' || grp FROM sites"
	    " WHERE key = 'riverside'");
	assert_string_equal(v, "Riverside Gardens|Europe/London|North");
	free(v);
	assert_int_equal(query_int(f, "SELECT count(*) FROM sites WHERE"
	    " lat_min < 53.7950 AND lat_max > 53.7950 AND lon_min < -1.5400"
	    " AND lon_max > -1.5400"), 1);
	/* Every point lies inside the bounds and has a gateway of the site. */
	assert_int_equal(query_int(f, "SELECT count(*) FROM points p"
	    " JOIN sites s ON s.id = p.site_id JOIN gateways g"
	    " ON g.id = p.gateway_id AND g.site_id = s.id"
	    " WHERE p.lat BETWEEN s.lat_min AND s.lat_max"
	    " AND p.lon BETWEEN s.lon_min AND s.lon_max"), c.points);
	v = query_text(f, "SELECT type || '|' || building || '|' || floor || '|' ||"
	    " zone || '|' || controller FROM points WHERE key = 'ta-lobby-door'");
	assert_string_equal(v, "door|Tower A|0|lobby|BT:5C:F3:70:1A:22:01");
	free(v);
	/* Guards: four available and two off duty, each with a device. */
	assert_int_equal(query_int(f, "SELECT count(*) FROM guards WHERE"
	    " status = 'available'"), 4);
	assert_int_equal(query_int(f, "SELECT count(*) FROM guards WHERE"
	    " status = 'off_duty'"), 2);
	assert_int_equal(query_int(f, "SELECT count(*) FROM guards WHERE"
	    " length(device_secret_hash) = 32"), 6);
	v = query_text(f, "SELECT action || ' ' || priority FROM rules WHERE"
	    " point_type = 'equipment' AND event_type = 'fault'");
	assert_string_equal(v, "alarm 5");
	free(v);

	/* Secrets are stored as their SHA-256, never as text. */
	auth_secret_hash(DEMO_GW_TOWER_A_SECRET, strlen(DEMO_GW_TOWER_A_SECRET), h);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->srv.st),
	    "SELECT secret_hash FROM gateways WHERE key = 'gw-tower-a'", -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(s, 0), 32);
	assert_memory_equal(sqlite3_column_blob(s, 0), h, 32);
	sqlite3_finalize(s);
	assert_int_equal(query_int(f, "SELECT count(*) FROM audit WHERE details"
	    " LIKE '%" DEMO_GW_TOWER_A_SECRET "%'"), 0);
}

/* Importing the same file again creates nothing and changes nothing. */
static void
test_reimport_unchanged(void **state)
{
	struct fixture *f = *state;
	struct site_import_stats first, again;
	struct counts before, after;

	import_demo(f, &first);
	before = count_rows(f);
	import_demo(f, &again);
	after = count_rows(f);
	assert_counts_equal(&before, &after);
	assert_int_equal(again.sites.created + again.points.created +
	    again.gateways.created + again.guards.created + again.rules.created, 0);
	assert_int_equal(again.sites.updated + again.points.updated +
	    again.gateways.updated + again.guards.updated + again.rules.updated, 0);
	assert_int_equal(again.sites.unchanged, 1);
	assert_int_equal(again.points.unchanged, first.points.created);
	assert_int_equal(again.gateways.unchanged, 3);
	assert_int_equal(again.guards.unchanged, 6);
	assert_int_equal(again.rules.unchanged, 2);
	assert_int_equal(verify_audit(f), after.audit);
}

/* Replace the first occurrence of from in text by to (text is reallocated). */
static char *
replace(char *text, const char *from, const char *to)
{
	char *at = strstr(text, from), *out;

	assert_non_null(at);
	out = xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	free(text);
	return out;
}

/* Name the demo site's map files by absolute paths in a copy of its text. */
static char *
demo_maps_absolute(char *text)
{
	static const char *const maps[] = { "tower-a-0", "tower-b-0",
	    "level-1", "grounds" };
	const char *top = getenv("VIGIL_TOP");
	char *from, *to;
	size_t i;

	for (i = 0; i < ARRAY_LEN(maps); i++) {
		from = xasprintf("file = %s.map", maps[i]);
		to = xasprintf("file = %s/contrib/sites/demo/%s.map",
		    top != NULL && *top != '\0' ? top : ".", maps[i]);
		text = replace(text, from, to);
		free(from);
		free(to);
	}
	return text;
}

/*
 * A changed file updates what changed, in place, with one audit entry per
 * object: a label, a gateway secret (audited without the secret), a rule; a
 * guard's status in the file does not override the control room's.
 */
static void
test_reimport_updates(void **state)
{
	struct fixture *f = *state;
	struct site_import_stats first, st;
	struct counts before, after;
	char *path = demo_path(), *text, *cause = NULL, *v;
	int64_t door_id;

	import_demo(f, &first);
	door_id = query_int(f, "SELECT id FROM points WHERE key = 'ta-lobby-door'");
	assert_int_equal(store_exec(f->srv.st, "UPDATE guards SET status ="
	    " 'dispatched' WHERE callsign = 'G1'"), 0);
	before = count_rows(f);

	text = slurp(path);
	/* The copy is elsewhere: its maps are named by absolute paths. */
	text = demo_maps_absolute(text);
	text = replace(text, "label = Tower A main entrance",
	    "label = Tower A front entrance");
	text = replace(text, "secret = " DEMO_GW_TOWER_A_SECRET,
	    "secret = ffffffffffffffffffffffffffffffffffffffffffff");
	text = replace(text, "equipment.fault = alarm 5", "equipment.fault = alarm 4");
	text = replace(text, "status = available", "status = off_duty");
	text = replace(text, "[rules]\n", "[rules]\nsmoke.tamper = alarm 3\n");
	unit_put_file(NULL, f->file, text);
	free(text);
	if (site_import_file(&f->srv, f->file, &st, &cause) != 0)
		fail_msg("import failed: %s", cause);

	assert_int_equal(st.points.updated, 1);
	assert_int_equal(st.points.created, 0);
	assert_int_equal(st.points.unchanged, first.points.created - 1);
	assert_int_equal(st.gateways.updated, 1);
	assert_int_equal(st.guards.updated, 0);
	assert_int_equal(st.guards.unchanged, 6);
	assert_int_equal(st.rules.updated, 1);
	assert_int_equal(st.rules.created, 1);
	assert_int_equal(st.sites.unchanged, 1);

	after = count_rows(f);
	assert_int_equal(after.points, before.points);
	assert_int_equal(after.rules, before.rules + 1);
	assert_int_equal(after.audit, before.audit + 4);
	assert_int_equal(query_int(f, "SELECT id FROM points WHERE"
	    " key = 'ta-lobby-door'"), door_id);
	v = query_text(f, "SELECT label FROM points WHERE key = 'ta-lobby-door'");
	assert_string_equal(v, "Tower A front entrance");
	free(v);
	v = query_text(f, "SELECT status FROM guards WHERE callsign = 'G1'");
	assert_string_equal(v, "dispatched");
	free(v);
	v = query_text(f, "SELECT details FROM audit WHERE action = 'gateway.import'"
	    " ORDER BY seq DESC LIMIT 1");
	assert_non_null(strstr(v, "\"secret\":\"replaced\""));
	assert_null(strstr(v, "ffffffff"));
	free(v);
	v = query_text(f, "SELECT details FROM audit WHERE action = 'point.import'"
	    " ORDER BY seq DESC LIMIT 1");
	assert_non_null(strstr(v, "Tower A main entrance"));
	assert_non_null(strstr(v, "Tower A front entrance"));
	free(v);
	assert_int_equal(verify_audit(f), after.audit);
	free(path);
}

#define BASE \
	"# a small site\n"                                   /*  1 */ \
	"[site]\n"                                           /*  2 */ \
	"key = testsite\n"                                   /*  3 */ \
	"name = Test site\n"                                 /*  4 */ \
	"bounds = 51.0,-1.0,51.1,-0.9\n"                     /*  5 */ \
	"\n"                                                 /*  6 */ \
	"[gateway gw-test]\n"                                /*  7 */ \
	"name = Test gateway\n"                              /*  8 */ \
	"secret = 0123456789abcdef0123456789abcdef\n"        /*  9 */ \
	"\n"                                                 /* 10 */ \
	"[point p1]\n"                                       /* 11 */ \
	"label = Door one\n"                                 /* 12 */ \
	"type = door\n"                                      /* 13 */ \
	"gateway = gw-test\n"                                /* 14 */ \
	"position = 51.05,-0.95\n"                           /* 15 */ \
	"\n"                                                 /* 16 */

/* A file that must be refused, the line it must name and what it must say. */
struct bad_case {
	const char *what;
	const char *text;
	int line;                 /* 0: the message names no line */
	const char *says;
};

static const struct bad_case bad_cases[] = {
	{ "unknown key", BASE
	    "[point p2]\n" "label = Door two\n" "colour = red\n",
	    19, "unknown key \"colour\" in [point p2]" },
	{ "bad point type", BASE
	    "[point p2]\n" "label = Door two\n" "type = doorr\n",
	    19, "unknown point type \"doorr\"" },
	{ "short secret", BASE
	    "[gateway gw-two]\n" "name = Two\n" "secret = tooshort\n",
	    19, "must be 24 to 256 characters" },
	{ "short device secret", BASE
	    "[guard G1]\n" "name = Ann Lee\n" "device_secret = abc\n",
	    19, "device_secret: must be 24" },
	{ "point with unknown gateway", BASE
	    "[point p2]\n" "label = Door two\n" "type = door\n"
	    "gateway = gw-nowhere\n",
	    20, "no [gateway gw-nowhere]" },
	{ "position outside bounds", BASE
	    "[point p2]\n" "label = Door two\n" "type = door\n"
	    "gateway = gw-test\n" "position = 51.2,-0.95\n",
	    21, "outside the site's bounds" },
	{ "patrol outside bounds", BASE
	    "[guard G1]\n" "name = Ann Lee\n"
	    "patrol = 51.05,-0.95 51.06,-0.95\n" "    51.07,-0.95 52.0,-0.95\n",
	    20, "waypoint 52.000000,-0.950000 is outside" },
	{ "latitude out of range", BASE
	    "[point p2]\n" "label = Door two\n" "position = 91,-0.95\n",
	    19, "latitude must be from -90 to 90" },
	{ "malformed line", BASE
	    "[point p2]\n" "label = Door two\n" "this is not a pair\n",
	    19, "expected \"[section]\" or \"key = value\"" },
	{ "missing [site]",
	    "# no site here\n" "\n" "[gateway gw-test]\n" "name = Test gateway\n",
	    3, "comes before [site]" },
	{ "no sections at all", "# nothing but a comment\n",
	    0, "no [site] section" },
	{ "key outside a section", "key = x\n" "[site]\n",
	    1, "outside any section" },
	{ "missing required key", BASE
	    "[point p2]\n" "label = Door two\n" "gateway = gw-test\n",
	    17, "[point p2]: missing type" },
	{ "duplicate section", BASE
	    "[point p1]\n" "label = Door one again\n",
	    17, "[point p1] given twice (first at line 11)" },
	{ "duplicate key", BASE
	    "[point p2]\n" "label = Door two\n" "label = Door three\n",
	    19, "label given twice" },
	{ "unknown section", BASE "[camera c1]\n" "label = x\n",
	    17, "unknown section [camera]" },
	{ "bad key syntax", BASE "[point Door_2]\n" "label = x\n",
	    17, "not a valid key" },
	{ "section without bracket", BASE "[point p2\n" "label = x\n",
	    17, "without \"]\"" },
	{ "supervision out of range", BASE
	    "[gateway gw-two]\n" "name = Two\n" "supervision = 5\n",
	    19, "from 10 to 86400" },
	{ "bad status", BASE
	    "[guard G1]\n" "name = Ann Lee\n" "status = dispatched\n",
	    19, "must be off_duty or available" },
	{ "bad rule", BASE "[rules]\n" "door.open = alarm 12\n",
	    18, "expected ignore, signal or alarm" },
	{ "bad rule event", BASE "[rules]\n" "door.opened = signal\n",
	    18, "unknown event type \"opened\"" },
	{ "continued non-patrol key", BASE
	    "[point p2]\n" "label = Door\n" "   two\n",
	    19, "only patrol may span" },
	{ "control character in a label", BASE
	    "[point p2]\n" "label = Door \x1b[31mtwo\n",
	    18, "control character" },
	{ "invalid UTF-8", BASE "[point p2]\n" "label = Door \xff\n",
	    18, "not valid UTF-8" },
	{ "second [site]", BASE "[site]\n" "key = other\n",
	    17, "[site] given twice" },
	{ "bounds reversed", "[site]\n" "key = s\n" "name = S\n"
	    "bounds = 51.1,-1.0,51.0,-0.9\n",
	    4, "must be below" },
	{ "timezone", "[site]\n" "key = s\n" "name = S\n"
	    "timezone = ../../etc/passwd\n",
	    4, "not an IANA time zone" },
	{ "long line", BASE
	    "[point p2]\n" "label = Door two\n" "zone = "
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "\n",
	    19, "line longer than" },
	{ "a bad line before a bad reference", BASE
	    "[point p2]\n" "label = Door two\n" "type = door\n"
	    "gateway = gw-nowhere\n" "[point p3]\n" "colour = red\n",
	    22, "unknown key \"colour\"" },
	{ "earliest of two bad lines", BASE
	    "[point p2]\n" "label = Door two\n" "type = doorr\n"
	    "[point p3]\n" "colour = red\n",
	    19, "unknown point type" },
};

/* Every kind of bad file is refused naming its line, and nothing is written. */
static void
test_errors(void **state)
{
	struct fixture *f = *state;
	struct counts before, after;
	char *cause, want[128];

	import_demo(f, NULL);
	before = count_rows(f);
	for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *bc = &bad_cases[i];

		unit_put_file(NULL, f->file, bc->text);
		cause = NULL;
		if (site_import_file(&f->srv, f->file, NULL, &cause) == 0)
			fail_msg("%s: accepted", bc->what);
		assert_non_null(cause);
		if (bc->line > 0)
			snprintf(want, sizeof want, "%s:%d: ", f->file, bc->line);
		else
			snprintf(want, sizeof want, "%s: ", f->file);
		if (strncmp(cause, want, strlen(want)) != 0 ||
		    strstr(cause, bc->says) == NULL)
			fail_msg("%s: got \"%s\", wanted \"%s...%s\"", bc->what,
			    cause, want, bc->says);
		/* No control byte of the file reaches the message. */
		for (const char *p = cause; *p != '\0'; p++)
			assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
		free(cause);
		after = count_rows(f);
		assert_counts_equal(&before, &after);
	}
	assert_int_equal(verify_audit(f), before.audit);
}

/* A gateway key or callsign owned by another site is refused, not moved. */
static void
test_other_site(void **state)
{
	struct fixture *f = *state;
	struct counts before, after;
	char *cause = NULL;

	import_demo(f, NULL);
	before = count_rows(f);
	unit_put_file(NULL, f->file, "[site]\n" "key = harbour\n" "name = Harbour Point\n" "\n"
	    "[gateway gw-tower-a]\n" "name = Stolen\n"
	    "secret = 0123456789abcdef0123456789abcdef\n");
	assert_int_equal(site_import_file(&f->srv, f->file, NULL, &cause), -1);
	assert_non_null(strstr(cause, ":5: "));
	assert_non_null(strstr(cause, "belongs to site \"riverside\""));
	free(cause);
	unit_put_file(NULL, f->file, "[site]\n" "key = harbour\n" "name = Harbour Point\n"
	    "[guard G3]\n" "name = Someone Else\n");
	assert_int_equal(site_import_file(&f->srv, f->file, NULL, &cause), -1);
	assert_non_null(strstr(cause, ":4: "));
	free(cause);
	/* A point may not use another site's gateway either. */
	unit_put_file(NULL, f->file, "[site]\n" "key = harbour\n" "name = Harbour Point\n"
	    "[point p1]\n" "label = Door\n" "type = door\n"
	    "gateway = gw-carpark\n");
	assert_int_equal(site_import_file(&f->srv, f->file, NULL, &cause), -1);
	assert_non_null(strstr(cause, ":7: "));
	assert_non_null(strstr(cause, "belongs to site \"riverside\""));
	free(cause);
	after = count_rows(f);
	assert_counts_equal(&before, &after);
}

/* A later file may add points to gateways imported for its site before. */
static void
test_gateway_from_store(void **state)
{
	struct fixture *f = *state;
	struct site_import_stats st;
	char *cause = NULL;

	import_demo(f, NULL);
	unit_put_file(NULL, f->file, "[site]\n" "key = riverside\n" "name = Riverside Gardens\n"
	    "address = 12 Quay Street, Leeds LS1 4QR\n"
	    "timezone = Europe/London\n" "group = North\n"
	    "bounds = 53.79390,-1.54190,53.79615,-1.53810\n"
	    "[point cp-bike-store]\n" "label = Bike store door\n"
	    "type = door\n" "gateway = gw-carpark\n"
	    "position = 53.79440 , -1.53990 ; spaces are allowed here\n");
	if (site_import_file(&f->srv, f->file, &st, &cause) != 0)
		fail_msg("import failed: %s", cause);
	assert_int_equal(st.points.created, 1);
	assert_int_equal(st.sites.unchanged, 1);
	assert_int_equal(query_int(f, "SELECT count(*) FROM points p JOIN gateways g"
	    " ON g.id = p.gateway_id WHERE p.key = 'cp-bike-store' AND"
	    " g.key = 'gw-carpark'"), 1);
	verify_audit(f);
}

/* A missing or oversized file is refused by name. */
static void
test_file_problems(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL, *missing, *big;
	size_t n = LIMIT_SITE_FILE_BYTES + 1;

	missing = xasprintf("%s/nonexistent.site", f->dir);
	assert_int_equal(site_import_file(&f->srv, missing, NULL, &cause), -1);
	assert_non_null(strstr(cause, "nonexistent.site: "));
	free(cause);
	free(missing);

	big = xmalloc(n + 1);
	memset(big, '#', n);
	big[n] = '\0';
	for (size_t i = 100; i < n; i += 100)
		big[i] = '\n';
	unit_put_file(NULL, f->file, big);
	free(big);
	assert_int_equal(site_import_file(&f->srv, f->file, NULL, &cause), -1);
	assert_non_null(strstr(cause, "larger than"));
	free(cause);
	assert_int_equal(query_int(f, "SELECT count(*) FROM sites"), 0);
}

/* Run an API handler as who with path parameter param and query site=...; the parsed reply. */
static json_t *
call(struct fixture *f, route_fn fn, const struct principal *who,
    const char *param, const char *site_arg, int *status)
{
	struct http_req req;
	struct http_resp resp;
	json_t *v;
	json_error_t err;

	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	req.who = *who;
	if (param != NULL) {
		req.params[0] = param;
		req.nparams = 1;
	}
	if (site_arg != NULL) {
		req.args[0].key = (char *)"site";
		req.args[0].value = (char *)site_arg;
		req.nargs = 1;
	}
	assert_int_equal(fn(&f->srv, &req, &resp), ROUTE_DONE);
	*status = resp.status;
	assert_non_null(resp.body);
	v = json_loads(resp.body, 0, &err);
	assert_non_null(v);
	resp_release(&resp);
	return v;
}

/* The keys of the objects in array arr, joined with spaces (static buffer). */
static const char *
keys_of(json_t *arr)
{
	static char buf[4096];
	size_t i, used = 0;
	json_t *o;

	buf[0] = '\0';
	json_array_foreach(arr, i, o) {
		int n = snprintf(buf + used, sizeof buf - used, "%s%s",
		    i > 0 ? " " : "", json_string_value(json_object_get(o, "key")));

		assert_true(n > 0 && (size_t)n < sizeof buf - used);
		used += (size_t)n;
	}
	return buf;
}

/*
 * The sites API: lists and details follow the site scope of the caller, and a
 * site out of scope is answered exactly like one that does not exist.
 */
static void
test_api_sites(void **state)
{
	struct fixture *f = *state;
	struct principal disp, mgr;
	char *cause = NULL;
	json_t *v, *site, *pts, *pt, *gws;
	int status;
	int64_t harbour;

	import_demo(f, NULL);
	unit_put_file(NULL, f->file, "[site]\n" "key = harbour\n" "name = Harbour Point\n"
	    "[gateway gw-harbour]\n" "name = Harbour gateway\n"
	    "secret = 0123456789abcdef0123456789abcdef\n" "supervision = 60\n"
	    "[point hp-door]\n" "label = Harbour door\n" "type = door\n"
	    "gateway = gw-harbour\n");
	if (site_import_file(&f->srv, f->file, NULL, &cause) != 0)
		fail_msg("import failed: %s", cause);
	harbour = query_int(f, "SELECT id FROM sites WHERE key = 'harbour'");
	assert_int_equal(store_exec(f->srv.st, "INSERT INTO alarms (site_id,"
	    " type, priority, state, created_ms, updated_ms, last_event_ms)"
	    " SELECT id, 'forced', 4, 'new', 0, 0, 0 FROM sites"
	    " WHERE key = 'riverside'"), 0);
	assert_int_equal(store_exec(f->srv.st, "UPDATE gateways SET"
	    " last_seen_ms = 1795820462345, line_fault = 1"
	    " WHERE key = 'gw-carpark'"), 0);

	memset(&disp, 0, sizeof disp);
	disp.kind = PRINCIPAL_USER;
	disp.role = ROLE_DISPATCHER;
	disp.all_sites = true;
	memset(&mgr, 0, sizeof mgr);
	mgr.kind = PRINCIPAL_USER;
	mgr.role = ROLE_MANAGER;
	mgr.sites[0] = harbour;
	mgr.nsites = 1;

	v = call(f, api_sites_list, &disp, NULL, NULL, &status);
	assert_int_equal(status, 200);
	assert_string_equal(keys_of(json_object_get(v, "sites")),
	    "harbour riverside");
	site = json_array_get(json_object_get(v, "sites"), 1);
	assert_string_equal(json_string_value(json_object_get(site, "name")),
	    "Riverside Gardens");
	assert_string_equal(json_string_value(json_object_get(site, "group")),
	    "North");
	assert_int_equal(json_array_size(json_object_get(site, "bounds")), 4);
	assert_true(json_integer_value(json_object_get(site, "points")) >= 45);
	assert_int_equal(json_integer_value(json_object_get(site, "open_alarms")), 1);
	site = json_array_get(json_object_get(v, "sites"), 0);
	assert_true(json_is_null(json_object_get(site, "bounds")));
	assert_true(json_is_null(json_object_get(site, "address")));
	assert_string_equal(json_string_value(json_object_get(site, "timezone")),
	    "UTC");
	json_decref(v);

	v = call(f, api_sites_list, &mgr, NULL, NULL, &status);
	assert_int_equal(status, 200);
	assert_string_equal(keys_of(json_object_get(v, "sites")), "harbour");
	json_decref(v);

	v = call(f, api_site_get, &disp, "riverside", NULL, &status);
	assert_int_equal(status, 200);
	site = json_object_get(v, "site");
	assert_string_equal(keys_of(json_object_get(site, "gateways")),
	    "gw-carpark gw-tower-a gw-tower-b");
	gws = json_array_get(json_object_get(site, "gateways"), 0);
	assert_true(json_is_true(json_object_get(gws, "line_fault")));
	assert_string_equal(json_string_value(json_object_get(gws, "last_seen")),
	    "2026-11-27T23:01:02.345Z");
	assert_int_equal(json_integer_value(json_object_get(gws,
	    "supervision_s")), 300);
	json_decref(v);

	/* Out of scope and unknown look the same. */
	v = call(f, api_site_get, &mgr, "riverside", NULL, &status);
	assert_int_equal(status, 404);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v,
	    "error"), "code")), "not_found");
	json_decref(v);
	v = call(f, api_points_list, &mgr, "riverside", NULL, &status);
	assert_int_equal(status, 404);
	json_decref(v);
	v = call(f, api_site_get, &mgr, "nowhere", NULL, &status);
	assert_int_equal(status, 404);
	json_decref(v);

	v = call(f, api_points_list, &disp, "riverside", NULL, &status);
	assert_int_equal(status, 200);
	pts = json_object_get(v, "points");
	assert_true(json_array_size(pts) >= 45);
	pt = NULL;
	for (size_t i = 0; i < json_array_size(pts); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(pts, i),
		    "key")), "ta-lobby-door") == 0)
			pt = json_array_get(pts, i);
	assert_non_null(pt);
	assert_string_equal(json_string_value(json_object_get(pt, "gateway")),
	    "gw-tower-a");
	assert_string_equal(json_string_value(json_object_get(pt, "controller")),
	    "BT:5C:F3:70:1A:22:01");
	assert_string_equal(json_string_value(json_object_get(pt, "state")),
	    "normal");
	assert_true(json_is_null(json_object_get(pt, "state_since")));
	assert_true(json_real_value(json_object_get(pt, "lat")) > 53.79);
	json_decref(v);

	v = call(f, api_points_list, &mgr, "harbour", NULL, &status);
	assert_int_equal(status, 200);
	pt = json_array_get(json_object_get(v, "points"), 0);
	assert_string_equal(keys_of(json_object_get(v, "points")), "hp-door");
	assert_true(json_is_null(json_object_get(pt, "lat")));
	assert_true(json_is_null(json_object_get(pt, "controller")));
	json_decref(v);

	v = call(f, api_gateways_list, &mgr, NULL, NULL, &status);
	assert_int_equal(status, 200);
	assert_string_equal(keys_of(json_object_get(v, "gateways")), "gw-harbour");
	json_decref(v);
	v = call(f, api_gateways_list, &mgr, NULL, "riverside", &status);
	assert_int_equal(status, 404);
	json_decref(v);
	v = call(f, api_gateways_list, &disp, NULL, "riverside", &status);
	assert_int_equal(status, 200);
	assert_int_equal(json_array_size(json_object_get(v, "gateways")), 3);
	json_decref(v);
	v = call(f, api_gateways_list, &disp, NULL, NULL, &status);
	assert_int_equal(status, 200);
	assert_string_equal(keys_of(json_object_get(v, "gateways")),
	    "gw-harbour gw-carpark gw-tower-a gw-tower-b");
	json_decref(v);
}

/* Key and callsign syntax. */
static void
test_key_syntax(void **state)
{
	char longkey[LIMIT_KEY_LEN + 2];

	assert_true(site_key_valid("riverside"));
	assert_true(site_key_valid("ta-lobby-door"));
	assert_true(site_key_valid("gw_2.b"));
	assert_true(site_key_valid("0a"));
	assert_false(site_key_valid(""));
	assert_false(site_key_valid("-a"));
	assert_false(site_key_valid(".a"));
	assert_false(site_key_valid("Riverside"));
	assert_false(site_key_valid("a b"));
	assert_false(site_key_valid("a/b"));
	assert_false(site_key_valid(NULL));
	memset(longkey, 'a', sizeof longkey - 1);
	longkey[LIMIT_KEY_LEN] = '\0';
	assert_true(site_key_valid(longkey));
	longkey[LIMIT_KEY_LEN] = 'a';
	longkey[LIMIT_KEY_LEN + 1] = '\0';
	assert_false(site_key_valid(longkey));
	assert_true(site_callsign_valid("G1"));
	assert_true(site_callsign_valid("alpha-2"));
	assert_false(site_callsign_valid("G 1"));
	assert_false(site_callsign_valid("G1:x"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_demo_imports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reimport_unchanged, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reimport_updates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_site, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_from_store, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_file_problems, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_api_sites, setup, teardown),
		cmocka_unit_test(test_key_syntax),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
