/* test_mapfile.c: map files: good ones, every kind of error, GeoJSON, the demo maps against the demo site. */
#include "compat.h"

#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "mapfile.h"
#include "maprast.h"
#include "unittest.h"

/* Parse a string; returns the map or NULL with the message in *cause. */
static struct map *
parse(const char *text, char **cause)
{
	*cause = NULL;
	return mapfile_parse(text, strlen(text), "t.map", cause);
}

/* A good plan: header fields, markers, padded drawing, projection. */
static void
test_good_plan(void **state)
{
	const char *text =
	    "# a comment\n"
	    "map = lobby\n"
	    "name = Test lobby\n"
	    "site = testyard\n"
	    "kind = plan\n"
	    "building = A\n"
	    "floor = 0\n"
	    "corner = 0,0 53.7970,-1.5420\n"
	    "corner = 4,10 53.7966,-1.5410\n"
	    "\n"
	    "[legend]\n"
	    "D = a-door  front door\n"
	    "G1 = b-gate\n"
	    "\n"
	    "[drawing]\n"
	    "+----D----+\n"
	    "|  .  G1  |\n"
	    "|  LOBBY\n"
	    "+---------+\n"
	    "\n\n";
	const struct map_marker *mk;
	struct map *m;
	char *cause;
	double r, c;

	(void)state;
	m = parse(text, &cause);
	assert_null(cause);
	assert_non_null(m);
	assert_string_equal(m->key, "lobby");
	assert_string_equal(m->name, "Test lobby");
	assert_string_equal(m->site, "testyard");
	assert_int_equal(m->kind, MAP_PLAN);
	assert_string_equal(m->building, "A");
	assert_string_equal(m->floor, "0");
	assert_null(m->geojson);
	assert_int_equal(m->rows, 4);		/* trailing blank lines dropped */
	assert_int_equal(m->cols, 11);
	assert_string_equal(m->lines[2], "|  LOBBY   ");	/* padded */
	assert_int_equal(strlen(m->lines[3]), 11);
	assert_int_equal(m->nmarkers, 2);

	mk = mapfile_marker_for(m, "a-door");
	assert_non_null(mk);
	assert_string_equal(mk->marker, "D");
	assert_string_equal(mk->label, "front door");
	assert_int_equal(mk->row, 0);
	assert_int_equal(mk->col, 5);
	mk = mapfile_marker_for(m, "b-gate");
	assert_non_null(mk);
	assert_null(mk->label);
	assert_int_equal(mk->row, 1);
	assert_int_equal(mk->col, 6);
	assert_int_equal(mk->len, 2);
	assert_null(mapfile_marker_for(m, "nothing"));

	/* A corner's coordinates are its cell's centre. */
	assert_int_equal(mapproj_to_cell(m, 53.7970, -1.5420, &r, &c), 0);
	assert_true(fabs(r - 0.5) < 1e-9);
	assert_true(fabs(c - 0.5) < 1e-9);
	mapproj_to_cell(m, 53.7966, -1.5410, &r, &c);
	assert_true(fabs(r - 4.5) < 1e-9);
	assert_true(fabs(c - 10.5) < 1e-9);
	/* 0.0001 degrees of latitude is one row southward. */
	mapproj_to_cell(m, 53.7968, -1.5415, &r, &c);
	assert_true(fabs(r - 2.5) < 1e-9);
	assert_true(fabs(c - 5.5) < 1e-9);
	mapfile_free(m);
}

/* An outdoor map of outlines only, with continuation lines and kinds. */
static void
test_good_outlines(void **state)
{
	const char *text =
	    "map = yard\n"
	    "name = Yard\n"
	    "site = testyard\n"
	    "kind = outdoor\n"
	    "size = 40x20\n"
	    "corner = 0,0 53.7970,-1.5420\n"
	    "corner = 19,39 53.7951,-1.5381\n"
	    "[outline]\n"
	    "# the fence, its last vertex repeating the first\n"
	    "polygon fence kind=perimeter 53.7969,-1.5419 53.7969,-1.5382\n"
	    "    53.7952,-1.5382\n"
	    "\t53.7952,-1.5419 53.7969,-1.5419\n"
	    "polygon \"Block A\" 53.7960,-1.5410 53.7960,-1.5400 53.7955,-1.5400\n"
	    "line lane kind=fence 53.7965,-1.5415 53.7955,-1.5385\n"
	    "line road 53.7965,-1.5415 53.7955,-1.5385\n"
	    "\n"
	    "[outline]\n"
	    "polygon yard kind=area 53.7960,-1.5410 53.7960,-1.5400 53.7955,-1.5400\n";
	struct map *m;
	char *cause;

	(void)state;
	m = parse(text, &cause);
	assert_null(cause);
	assert_non_null(m);
	assert_int_equal(m->kind, MAP_OUTDOOR);
	assert_null(m->lines);
	assert_int_equal(m->rows, 20);
	assert_int_equal(m->cols, 40);
	assert_int_equal(m->noutlines, 5);
	assert_string_equal(m->outlines[0].name, "fence");
	assert_int_equal(m->outlines[0].kind, MAP_OUTLINE_PERIMETER);
	assert_true(m->outlines[0].closed);
	assert_int_equal(m->outlines[0].n, 4);	/* the repeat dropped */
	assert_true(m->outlines[0].lat[2] == 53.7952);
	assert_true(m->outlines[0].lon[3] == -1.5419);
	assert_string_equal(m->outlines[1].name, "Block A");
	assert_int_equal(m->outlines[1].kind, MAP_OUTLINE_BUILDING);
	assert_int_equal(m->outlines[1].n, 3);
	assert_false(m->outlines[2].closed);
	assert_int_equal(m->outlines[2].kind, MAP_OUTLINE_FENCE);
	assert_int_equal(m->outlines[3].kind, MAP_OUTLINE_ROAD);
	assert_int_equal(m->outlines[4].kind, MAP_OUTLINE_AREA);
	assert_string_equal(map_outline_kind_name(MAP_OUTLINE_AREA), "area");
	assert_string_equal(map_kind_name(m->kind), "outdoor");
	mapfile_free(m);
}

/* Each kind of error names the file, the line and the column. */
static void
test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
#define HDR "map = m\nname = M\nsite = s\nkind = plan\n" \
	    "corner = 0,0 53.7970,-1.5420\ncorner = 4,10 53.7966,-1.5410\n"
		{ HDR "[legend]\nQ = a-door\n[drawing]\n+--+\n",
		  "t.map:8:1: legend marker 'Q' is not in the drawing" },
		{ HDR "[legend]\nX = a-door\n[drawing]\nX  X\n",
		  "t.map:8:1: legend marker 'X' is in the drawing 2 times" },
		{ HDR "[legend]\nX = a-door\nY = a-door\n[drawing]\nX Y\n",
		  "t.map:9:5: point a-door has two markers" },
		{ HDR "[legend]\nX = a-door\nX = b-door\n[drawing]\nX\n",
		  "t.map:9:1: marker 'X' given twice (first on line 8)" },
		{ HDR "[legend]\nX-1 = a-door\n[drawing]\nX\n",
		  "t.map:8:2: marker \"X-1\": only letters and digits" },
		{ HDR "[legend]\nABCDEFGHI = a-door\n[drawing]\nX\n",
		  "t.map:8:1: a marker is 1 to 8 letters or digits" },
		{ HDR "[legend]\nX = A-Door\n[drawing]\nX\n",
		  "t.map:8:5: \"A-Door\" is not a point key" },
		{ HDR "[legend]\nX a-door\n[drawing]\nX\n",
		  "t.map:8:1: expected \"MARKER = POINT [LABEL]\"" },
		{ HDR "[drawing]\n+--+\n|\t|\n",
		  "t.map:9:2: a tab in the drawing; use spaces" },
		{ HDR "[drawing]\n+--+\n|\xc3\xa9|\n",
		  "t.map:9:2: the drawing is printable ASCII only" },
		{ HDR "[drawing]\nx\n[legend]\n[drawing]\n",
		  "t.map:10:1: a second [drawing]" },
		{ HDR "[rooms]\n", "t.map:7:2: unknown section [rooms]" },
		{ HDR "colour = red\n[drawing]\nx\n",
		  "t.map:7:1: unknown key \"colour\"" },
		{ HDR "name = N\n[drawing]\nx\n",
		  "t.map:7:1: \"name\" given twice (first on line 2)" },
		{ HDR "floor\n[drawing]\nx\n",
		  "t.map:7:1: expected \"key = value\" or a [section]" },
		{ HDR "building =\n[drawing]\nx\n",
		  "t.map:7:11: building: empty value" },
		{ "map = M\n", "t.map:1:7: map: \"M\" is not a key" },
		{ "kind = garden\n", "t.map:1:8: kind: expected plan or outdoor" },
		{ "corner = 0,0 53.7970\n",
		  "t.map:1:14: corner: expected LAT,LON" },
		{ "corner = 0,x 53.7970,-1.54\n",
		  "t.map:1:12: corner: expected ROW,COL LAT,LON with COL" },
		{ "corner = 0,0 93.7970,-1.54\n",
		  "t.map:1:14: corner: expected LAT,LON" },
		{ HDR "corner = 1,1 53.7,-1.5\n",
		  "t.map:7:1: a third corner" },
		{ "map = m\nname = M\nsite = s\nkind = plan\n"
		  "corner = 0,0 53.7970,-1.5420\n[drawing]\nx\n",
		  "t.map:1:1: two \"corner = ROW,COL LAT,LON\" lines are needed, 1 given" },
		{ "name = M\nsite = s\nkind = plan\n"
		  "corner = 0,0 53.7970,-1.5420\ncorner = 4,10 53.7966,-1.5410\n"
		  "[drawing]\nx\n",
		  "t.map:1:1: no \"map =\" in the header" },
		{ "map = m\nname = M\nsite = s\nkind = plan\n"
		  "corner = 0,0 53.7970,-1.5420\ncorner = 4,10 53.7975,-1.5410\n"
		  "[drawing]\nx\n",
		  "t.map:6:15: corner: rows grow southward" },
		{ "map = m\nname = M\nsite = s\nkind = plan\n"
		  "corner = 0,0 53.7970,-1.5420\ncorner = 4,10 53.7966,-1.5430\n"
		  "[drawing]\nx\n",
		  "t.map:6:15: corner: columns grow eastward" },
		{ "map = m\nname = M\nsite = s\nkind = plan\n"
		  "corner = 0,0 53.7970,-1.5420\ncorner = 0,10 53.7966,-1.5410\n"
		  "[drawing]\nx\n",
		  "t.map:6:1: corner: the two corners need different rows" },
		{ HDR "\n", "t.map:7:1: a plan needs a [drawing]" },
		{ HDR "[outline]\npolygon p 53.79,-1.54 53.79,-1.53\n",
		  "t.map:8:1: polygon p: at least 3 vertices" },
		{ HDR "[outline]\nline l 53.79,-1.54\n[drawing]\nx\n",
		  "t.map:8:1: line l: at least 2 vertices" },
		{ HDR "[outline]\npolygon p 53.79,-1.54 53.79;-1.53\n",
		  "t.map:8:23: expected LAT,LON in decimal degrees" },
		{ HDR "[outline]\npolygon p kind=lake 53.79,-1.54\n",
		  "t.map:8:16: kind: expected building, fence, perimeter, road or area" },
		{ HDR "[outline]\nline l kind=building 53.79,-1.54\n",
		  "t.map:8:13: kind: expected road or fence" },
		{ HDR "[outline]\ncircle c 53.79,-1.54\n",
		  "t.map:8:1: expected polygon or line" },
		{ HDR "[outline]\n  53.79,-1.54\n",
		  "t.map:8:1: an indented line continues a polygon or line" },
		{ HDR "[outline]\npolygon \"open 53.79,-1.54\n",
		  "t.map:8:9: name: no closing quote" },
		{ "map = m\nname = M\nsite = s\nkind = outdoor\n"
		  "corner = 0,0 53.7970,-1.5420\ncorner = 4,10 53.7966,-1.5410\n"
		  "[outline]\nline l 53.79,-1.54 53.78,-1.53\n",
		  "t.map:1:1: a map without a [drawing] needs \"size = COLSxROWS\"" },
		{ "size = 40x0\n", "t.map:1:8: size: expected COLSxROWS" },
		{ "name = a\x01b\n", "t.map:1:9: name: control character" },
	};
	struct map *m;
	char *cause;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		m = parse(cases[i].text, &cause);
		if (m != NULL || cause == NULL ||
		    strncmp(cause, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: want \"%s\", got \"%s\"", i,
			    cases[i].want, cause != NULL ? cause : "(none)");
		free(cause);
	}
}

/* Limits: a drawing too wide, a file too large, a NUL byte. */
static void
test_limits(void **state)
{
	struct map *m;
	char *text, *cause, *wide;
	size_t len;

	(void)state;
	wide = xmalloc(LIMIT_MAP_COLS + 2);
	memset(wide, '-', LIMIT_MAP_COLS + 1);
	wide[LIMIT_MAP_COLS + 1] = '\0';
	text = xasprintf(HDR "[drawing]\n%s\n", wide);
	m = parse(text, &cause);
	assert_null(m);
	assert_non_null(strstr(cause, "t.map:8:1001: the drawing is wider"));
	free(cause);
	free(text);
	free(wide);

	len = LIMIT_MAP_FILE_BYTES + 1;
	text = xcalloc(len, 1);
	memset(text, '\n', len);
	m = mapfile_parse(text, len, "big.map", &cause);
	assert_null(m);
	assert_non_null(strstr(cause, "big.map:1:1: larger than"));
	free(cause);
	free(text);

	m = mapfile_parse("map = m\0x\n", 10, "nul.map", &cause);
	assert_null(m);
	assert_string_equal(cause, "nul.map:1:8: a NUL byte");
	free(cause);
}

/* A map taking its outlines from a GeoJSON file beside it. */
static void
test_geojson(void **state)
{
	char *dir = unit_tmpdir("map");
	char *path, *text, *cause = NULL, *cause2 = NULL;
	struct map *m, *m2;
	size_t len, i;

	(void)state;
	unit_put_file(dir, "yard.geojson",
	    "{\"type\":\"FeatureCollection\",\"features\":["
	    "{\"type\":\"Feature\",\"properties\":{\"name\":\"Block A\","
	    "\"kind\":\"building\"},\"geometry\":{\"type\":\"Polygon\","
	    "\"coordinates\":[[[-1.5410,53.7960],[-1.5400,53.7960],"
	    "[-1.5400,53.7955],[-1.5410,53.7960]]]}},"
	    "{\"type\":\"Feature\",\"properties\":{\"name\":\"Lane\"},"
	    "\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
	    "[[-1.5415,53.7965],[-1.5385,53.7955]]}},"
	    "{\"type\":\"Feature\",\"properties\":{},\"geometry\":"
	    "{\"type\":\"Point\",\"coordinates\":[-1.54,53.79]}},"
	    "{\"type\":\"Feature\",\"properties\":{\"kind\":\"fence\"},"
	    "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":"
	    "[[[[-1.541,53.796],[-1.540,53.796],[-1.540,53.795]]],"
	    "[[[-1.539,53.796],[-1.538,53.796],[-1.538,53.795]]]]}}]}");
	unit_put_file(dir, "yard.map",
	    "map = yard\nname = Yard\nsite = testyard\nkind = outdoor\n"
	    "geojson = yard.geojson\nsize = 40x20\n"
	    "corner = 0,0 53.7970,-1.5420\ncorner = 19,39 53.7951,-1.5381\n");
	path = xasprintf("%s/yard.map", dir);
	m = mapfile_load(path, &text, &len, &cause);
	if (m == NULL)
		fail_msg("%s", cause);
	assert_int_equal(m->noutlines, 4);
	assert_string_equal(m->outlines[0].name, "Block A");
	assert_true(m->outlines[0].closed);
	assert_int_equal(m->outlines[0].n, 3);
	assert_true(fabs(m->outlines[0].lat[0] - 53.7960) < 1e-9);
	assert_true(fabs(m->outlines[0].lon[0] + 1.5410) < 1e-9);
	assert_string_equal(m->outlines[1].name, "Lane");
	assert_false(m->outlines[1].closed);
	assert_int_equal(m->outlines[1].kind, MAP_OUTLINE_ROAD);
	assert_string_equal(m->outlines[2].name, "feature3");
	assert_int_equal(m->outlines[2].kind, MAP_OUTLINE_FENCE);
	assert_int_equal(m->outlines[3].n, 3);
	assert_null(m->geojson);
	/* The self-contained text gives the same map without the file. */
	assert_non_null(strstr(text, "# geojson = yard.geojson"));
	m2 = mapfile_parse(text, len, "stored", &cause2);
	assert_non_null(m2);
	assert_int_equal(m2->noutlines, m->noutlines);
	for (i = 0; i < m->noutlines; i++)
		assert_int_equal(m2->outlines[i].n, m->outlines[i].n);
	mapfile_free(m2);
	mapfile_free(m);
	free(text);

	/* A bad kind in the GeoJSON names the feature. */
	unit_put_file(dir, "yard.geojson",
	    "{\"type\":\"FeatureCollection\",\"features\":["
	    "{\"type\":\"Feature\",\"properties\":{\"kind\":\"lake\"},"
	    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
	    "[[[-1.541,53.796],[-1.540,53.796],[-1.540,53.795]]]}}]}");
	m = mapfile_load(path, NULL, NULL, &cause);
	assert_null(m);
	assert_non_null(strstr(cause, "yard.geojson: features[0].properties."
	    "kind: expected building"));
	free(cause);
	/* Broken JSON: its line and column. */
	unit_put_file(dir, "yard.geojson", "{\"features\":\n [,]}");
	m = mapfile_load(path, NULL, NULL, &cause);
	assert_null(m);
	assert_non_null(strstr(cause, "yard.geojson:2:"));
	free(cause);
	/* No GeoJSON file at all. */
	unit_put_file(dir, "yard.map",
	    "map = yard\nname = Yard\nsite = testyard\nkind = outdoor\n"
	    "geojson = none.geojson\nsize = 40x20\n"
	    "corner = 0,0 53.7970,-1.5420\ncorner = 19,39 53.7951,-1.5381\n");
	m = mapfile_load(path, NULL, NULL, &cause);
	assert_null(m);
	assert_non_null(strstr(cause, "none.geojson: No such file"));
	free(cause);

	unit_rm_tree(dir);
	free(path);
}

/* The positions of a site file's points, as "key lat lon" records. */
struct sitepos {
	char key[LIMIT_KEY_LEN + 1];
	char building[LIMIT_NAME_LEN + 1];
	char floor[LIMIT_NAME_LEN + 1];
	double lat, lon;
	bool has;
};

/* Read the [point] sections' positions of a site file (a test's reading). */
static size_t
site_positions(const char *path, struct sitepos *out, size_t max)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "[point ", 7) == 0 && n < max) {
			memset(&out[n], 0, sizeof out[n]);
			sscanf(line + 7, "%64[^]]", out[n].key);
			n++;
		} else if (line[0] == '[' && n > 0 && out[n - 1].key[0] != '\0') {
			/* Another section: later keys are not the point's. */
			if (n < max)
				out[n].key[0] = '\0';
		} else if (n > 0 && sscanf(line, "position = %lf,%lf",
		    &out[n - 1].lat, &out[n - 1].lon) == 2)
			out[n - 1].has = true;
		else if (n > 0 && sscanf(line, "building = %128[^\n]",
		    out[n - 1].building) != 1)
			(void)sscanf(line, "floor = %128[^\n]", out[n - 1].floor);
	}
	fclose(f);
	return (n);
}

/* Every marker of every map in dir lands within a cell of its point. */
static int
check_maps(const char *dir, const char *sitefile, const char *sitekey)
{
	struct sitepos pos[256];
	const struct map_marker *mk;
	struct dirent *de;
	struct map *m;
	DIR *d;
	char *path, *cause;
	size_t npos, i, j;
	double r, c;
	int nmaps = 0;

	npos = site_positions(sitefile, pos, ARRAY_LEN(pos));
	assert_true(npos > 0);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) < 5 || strcmp(de->d_name +
		    strlen(de->d_name) - 4, ".map") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		m = mapfile_load(path, NULL, NULL, &cause);
		if (m == NULL)
			fail_msg("%s", cause);
		if (strcmp(m->site, sitekey) != 0) {
			mapfile_free(m);
			free(path);
			continue;
		}
		nmaps++;
		for (i = 0; i < m->nmarkers; i++) {
			mk = &m->markers[i];
			for (j = 0; j < npos; j++) {
				if (strcmp(pos[j].key, mk->point) == 0)
					break;
			}
			if (j == npos)
				fail_msg("%s: marker %s: no point %s in %s",
				    path, mk->marker, mk->point, sitefile);
			if (!pos[j].has)
				continue;
			mapproj_to_cell(m, pos[j].lat, pos[j].lon, &r, &c);
			if (fabs(floor(r) - mk->row) > 1 ||
			    fabs(floor(c) - mk->col) > 1)
				fail_msg("%s: %s (%s) is drawn at %d,%d but its "
				    "position projects to %d,%d", path,
				    mk->marker, mk->point, mk->row, mk->col,
				    (int)floor(r), (int)floor(c));
		}
		/* A plan shows every point of its building and floor. */
		for (j = 0; j < npos && m->kind == MAP_PLAN; j++) {
			if (m->building != NULL && m->floor != NULL &&
			    strcmp(pos[j].building, m->building) == 0 &&
			    strcmp(pos[j].floor, m->floor) == 0 &&
			    mapfile_marker_for(m, pos[j].key) == NULL)
				fail_msg("%s: point %s of %s floor %s has no "
				    "marker", path, pos[j].key, m->building,
				    m->floor);
		}
		mapfile_free(m);
		free(path);
	}
	closedir(d);
	return (nmaps);
}

/* The demo maps parse and their markers sit where the points are. */
static void
test_demo_maps(void **state)
{
	char *dir = unit_top_path("contrib/sites/demo");
	char *site = unit_top_path("contrib/sites/demo/riverside.site");
	char *edir = unit_top_path("tests/e2e/data");
	char *esite = unit_top_path("tests/e2e/data/small.site");

	(void)state;
	assert_true(check_maps(dir, site, "riverside") >= 4);
	assert_true(check_maps(edir, esite, "testyard") >= 1);
	free(dir);
	free(site);
	free(edir);
	free(esite);
}

/* The demo's Tower A plan: the lobby door is where the issue says it is. */
static void
test_demo_tower_a(void **state)
{
	char *path = unit_top_path("contrib/sites/demo/tower-a-0.map");
	const struct map_marker *mk;
	struct map *m;
	char *cause;
	double r, c;

	(void)state;
	m = mapfile_load(path, NULL, NULL, &cause);
	assert_non_null(m);
	assert_string_equal(m->building, "Tower A");
	mk = mapfile_marker_for(m, "ta-lobby-door");
	assert_non_null(mk);
	assert_int_equal(m->lines[mk->row][mk->col], 'D');
	/* 53.79560,-1.54105 in riverside.site */
	mapproj_to_cell(m, 53.79560, -1.54105, &r, &c);
	assert_int_equal((int)floor(r), mk->row);
	assert_int_equal((int)floor(c), mk->col);
	mapfile_free(m);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_plan),
		cmocka_unit_test(test_good_outlines),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_geojson),
		cmocka_unit_test(test_demo_maps),
		cmocka_unit_test(test_demo_tower_a),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
