/* test_maprast.c: projection round trips, braille dots and Bresenham lines with exact cells, walls. */
#include "compat.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "mapfile.h"
#include "maprast.h"

/* A map for the projection: 0.0001 degrees of latitude a row, 0.0001 of longitude a column. */
static const char proj_map[] =
	"map = p\nname = P\nsite = s\nkind = plan\n"
	"corner = 0,0 53.8000,-1.5500\n"
	"corner = 100,200 53.7900,-1.5300\n"
	"[drawing]\nx\n";

/* Parse a map given as a string, failing the test on any error. */
static struct map *
parse(const char *text)
{
	struct map *m;
	char *cause = NULL;

	m = mapfile_parse(text, strlen(text), "t.map", &cause);
	if (m == NULL)
		fail_msg("%s", cause);
	return (m);
}

/* Known points project to known cells, and back. */
static void
test_projection(void **state)
{
	struct map *m = parse(proj_map);
	double r, c, lat, lon, r2, c2;
	int i;

	(void)state;
	assert_int_equal(mapproj_to_cell(m, 53.8000, -1.5500, &r, &c), 0);
	assert_true(fabs(r - 0.5) < 1e-6 && fabs(c - 0.5) < 1e-6);
	mapproj_to_cell(m, 53.7950, -1.5400, &r, &c);
	assert_true(fabs(r - 50.5) < 1e-6 && fabs(c - 100.5) < 1e-6);
	/* Half a cell north-west of a corner's centre is the cell's corner. */
	mapproj_to_cell(m, 53.80005, -1.55005, &r, &c);
	assert_true(fabs(r) < 1e-6 && fabs(c) < 1e-6);
	/* Outside the drawing: negative cells, no clamping. */
	mapproj_to_cell(m, 53.8010, -1.5520, &r, &c);
	assert_true(fabs(r + 9.5) < 1e-6 && fabs(c + 19.5) < 1e-6);

	assert_int_equal(mapproj_to_geo(m, 50.5, 100.5, &lat, &lon), 0);
	assert_true(fabs(lat - 53.7950) < 1e-9 && fabs(lon + 1.5400) < 1e-9);
	for (i = 0; i < 50; i++) {
		r = i * 2.37 - 10;
		c = i * 5.11 - 3;
		mapproj_to_geo(m, r, c, &lat, &lon);
		mapproj_to_cell(m, lat, lon, &r2, &c2);
		assert_true(fabs(r - r2) < 1e-6);
		assert_true(fabs(c - c2) < 1e-6);
	}
	mapfile_free(m);
}

/* A viewport maps drawing cells to screen cells and back; fit centres. */
static void
test_viewport(void **state)
{
	struct mapview v = { 10, 20, 4 }, f;
	struct map *m = parse(
	    "map = p\nname = P\nsite = s\nkind = plan\n"
	    "corner = 0,0 53.8000,-1.5500\ncorner = 9,19 53.7910,-1.5310\n"
	    "[drawing]\n+------------------+\n\n\n\n\n\n\n\n\n"
	    "+------------------+\n");
	double sr, sc, r, c;

	(void)state;
	mapview_to_screen(&v, 12, 21.5, &sr, &sc);
	assert_true(sr == 8 && sc == 6);
	mapview_to_map(&v, sr, sc, &r, &c);
	assert_true(r == 12 && c == 21.5);

	assert_int_equal(m->rows, 10);
	assert_int_equal(m->cols, 20);
	mapview_fit(m, 40, 10, &f);		/* rows limit: scale 1 */
	assert_true(fabs(f.scale - 1) < 1e-9);
	assert_true(fabs(f.row0) < 1e-9);
	assert_true(fabs(f.col0 + 10) < 1e-9);	/* centred across 40 */
	mapview_fit(m, 10, 10, &f);		/* columns limit: 0.5 */
	assert_true(fabs(f.scale - 0.5) < 1e-9);
	mapfile_free(m);
}

/* Single dots: each of the eight positions of a cell has its own bit. */
static void
test_braille_dots(void **state)
{
	static const struct {
		int x, y;
		uint32_t cp;
	} dots[] = {
		{ 0, 0, 0x2801 }, { 0, 1, 0x2802 }, { 0, 2, 0x2804 },
		{ 1, 0, 0x2808 }, { 1, 1, 0x2810 }, { 1, 2, 0x2820 },
		{ 0, 3, 0x2840 }, { 1, 3, 0x2880 },
	};
	struct braille *b = braille_new(2, 2);
	char out[8];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(dots); i++) {
		braille_clear(b);
		assert_int_equal(braille_cell(b, 0, 0), 0);
		braille_set(b, dots[i].x, dots[i].y);
		assert_int_equal(braille_cell(b, 0, 0), dots[i].cp);
		assert_true(braille_get(b, dots[i].x, dots[i].y));
		/* The same dot one cell right and down. */
		braille_clear(b);
		braille_set(b, dots[i].x + 2, dots[i].y + 4);
		assert_int_equal(braille_cell(b, 1, 1), dots[i].cp);
		assert_int_equal(braille_cell(b, 0, 0), 0);
	}
	/* Dots and cells outside are ignored and empty. */
	braille_clear(b);
	braille_set(b, -1, 0);
	braille_set(b, 4, 0);
	braille_set(b, 0, 8);
	braille_set(b, 0, -1);
	assert_int_equal(braille_cell(b, 0, 0) | braille_cell(b, 0, 1) |
	    braille_cell(b, 1, 0) | braille_cell(b, 1, 1), 0);
	assert_int_equal(braille_cell(b, 2, 0), 0);
	assert_false(braille_get(b, -1, 0));

	assert_int_equal(braille_utf8(0x28c0, out), 3);
	assert_string_equal(out, "\xe2\xa3\x80");
	assert_int_equal(braille_utf8(0x2500, out), 3);
	assert_string_equal(out, "\xe2\x94\x80");
	assert_int_equal(braille_utf8('A', out), 1);
	braille_free(b);
}

/* Bresenham lines: exact cells for horizontal, vertical, diagonal and shallow lines. */
static void
test_braille_lines(void **state)
{
	struct braille *b = braille_new(3, 2);

	(void)state;
	/* Across two cells on the bottom dot row: dots 7 and 8 in each. */
	braille_line(b, 0, 3, 3, 3);
	assert_int_equal(braille_cell(b, 0, 0), 0x28c0);
	assert_int_equal(braille_cell(b, 0, 1), 0x28c0);
	assert_int_equal(braille_cell(b, 0, 2), 0);
	assert_int_equal(braille_cell(b, 1, 0), 0);

	/* On the top row, drawn right to left. */
	braille_clear(b);
	braille_line(b, 3, 0, 0, 0);
	assert_int_equal(braille_cell(b, 0, 0), 0x2809);
	assert_int_equal(braille_cell(b, 0, 1), 0x2809);

	/* Down the left column of two cells: dots 1 2 3 7. */
	braille_clear(b);
	braille_line(b, 0, 0, 0, 7);
	assert_int_equal(braille_cell(b, 0, 0), 0x2847);
	assert_int_equal(braille_cell(b, 1, 0), 0x2847);
	assert_int_equal(braille_cell(b, 0, 1), 0);

	/* A diagonal: (0,0) (1,1) in the first cell, (2,2) (3,3) in the next. */
	braille_clear(b);
	braille_line(b, 0, 0, 3, 3);
	assert_int_equal(braille_cell(b, 0, 0), 0x2811);
	assert_int_equal(braille_cell(b, 0, 1), 0x2884);

	/* Shallow: (0,0) (1,0) (2,1) (3,1) (4,1). */
	braille_clear(b);
	braille_line(b, 0, 0, 4, 1);
	assert_true(braille_get(b, 1, 0));
	assert_false(braille_get(b, 1, 1));
	assert_true(braille_get(b, 2, 1));
	assert_int_equal(braille_cell(b, 0, 0), 0x2809);
	assert_int_equal(braille_cell(b, 0, 1), 0x2812);
	assert_int_equal(braille_cell(b, 0, 2), 0x2802);

	/* A single point. */
	braille_clear(b);
	braille_line(b, 5, 7, 5, 7);
	assert_int_equal(braille_cell(b, 1, 2), 0x2880);
	braille_free(b);
}

/* A polygon is closed; the same vertices as a polyline are not. */
static void
test_braille_polygon(void **state)
{
	static const int x[] = { 0, 3, 3, 0 };
	static const int y[] = { 0, 0, 3, 3 };
	struct braille *b = braille_new(2, 1);

	(void)state;
	braille_polygon(b, x, y, 4);
	/* Left cell: top, left edge and bottom: dots 1 2 3 4 7 8. */
	assert_int_equal(braille_cell(b, 0, 0), 0x28cf);
	/* Right cell: top-left, bottom-left and the whole right edge. */
	assert_int_equal(braille_cell(b, 0, 1), 0x28f9);

	braille_clear(b);
	braille_polyline(b, x, y, 4);
	/* No closing edge: the left column has only its ends. */
	assert_int_equal(braille_cell(b, 0, 0), 0x28c9);
	assert_int_equal(braille_cell(b, 0, 1), 0x28f9);
	braille_free(b);
}

/* Lines are clipped at the canvas edge, however far away their ends are. */
static void
test_braille_clip(void **state)
{
	struct braille *b = braille_new(2, 1);

	(void)state;
	braille_line(b, -10, 1, 100, 1);	/* within the margin */
	assert_int_equal(braille_cell(b, 0, 0), 0x2812);
	assert_int_equal(braille_cell(b, 0, 1), 0x2812);

	braille_clear(b);
	braille_line(b, -1000000, 2, 1000000, 2);	/* cut first */
	assert_int_equal(braille_cell(b, 0, 0), 0x2824);
	assert_int_equal(braille_cell(b, 0, 1), 0x2824);

	braille_clear(b);
	braille_line(b, 0, -2000000, 0, 2000000);	/* vertical, cut */
	assert_int_equal(braille_cell(b, 0, 0), 0x2847);
	assert_int_equal(braille_cell(b, 0, 1), 0);

	braille_clear(b);
	braille_line(b, -1000000, -5, 1000000, -5);	/* wholly above */
	braille_line(b, 10, -1000000, 10, 1000000);	/* wholly right */
	braille_line(b, -500000, 500000, 500000, 1500000); /* far below */
	assert_int_equal(braille_cell(b, 0, 0), 0);
	assert_int_equal(braille_cell(b, 0, 1), 0);
	braille_free(b);
}

/* A map's outlines are drawn into the canvas for a viewport. */
static void
test_outlines(void **state)
{
	struct map *m = parse(
	    "map = o\nname = O\nsite = s\nkind = outdoor\nsize = 20x10\n"
	    "corner = 0,0 53.8000,-1.5500\ncorner = 9,19 53.7910,-1.5310\n"
	    "[outline]\n"
	    /* cells 1..2 rows, 1..3 columns, by their centres */
	    "polygon b kind=building 53.7990,-1.5490 53.7990,-1.5470\n"
	    "    53.7980,-1.5470 53.7980,-1.5490\n"
	    "line r kind=road 53.7950,-1.5500 53.7950,-1.5310\n");
	struct mapview v = { 0, 0, 1 };
	struct braille *b = braille_new(20, 10);
	int r, c, n;

	(void)state;
	maprast_outlines(m, &v, 1u << MAP_OUTLINE_BUILDING, b);
	/* Vertices at cell centres (1.5, 1.5) and (2.5, 3.5): dots x 3..7, y 6..10. */
	assert_true(braille_get(b, 3, 6));
	assert_true(braille_get(b, 7, 6));
	assert_true(braille_get(b, 7, 10));
	assert_true(braille_get(b, 3, 10));
	assert_true(braille_get(b, 3, 8));	/* the closing edge */
	assert_false(braille_get(b, 5, 8));	/* inside */
	for (n = 0, r = 0; r < 10; r++)
		for (c = 0; c < 20; c++)
			n += braille_cell(b, r, c) != 0;
	assert_int_equal(n, 6);			/* rows 1-2, columns 1-3 */
	assert_int_equal(braille_cell(b, 5, 0), 0);	/* the road left out */

	braille_clear(b);
	maprast_outlines(m, &v, 0, b);		/* everything */
	for (c = 0; c < 20; c++)
		assert_int_not_equal(braille_cell(b, 5, c), 0);

	/* Twice as close, from row 1 column 1: the polygon's corner at 1,1. */
	braille_clear(b);
	v.row0 = 1;
	v.col0 = 1;
	v.scale = 2;
	maprast_outlines(m, &v, 1u << MAP_OUTLINE_BUILDING, b);
	assert_true(braille_get(b, 2, 4));
	assert_true(braille_get(b, 10, 12));
	assert_false(braille_get(b, 6, 8));
	braille_free(b);
	mapfile_free(m);
}

/* Wall masks and the glyphs they choose, box drawing or ASCII. */
static void
test_walls(void **state)
{
	struct map *m = parse(
	    "map = w\nname = W\nsite = s\nkind = plan\n"
	    "corner = 0,0 53.8000,-1.5500\ncorner = 4,6 53.7960,-1.5440\n"
	    "[drawing]\n"
	    "+--+--+\n"
	    "|  |  #\n"
	    "+--+--+\n"
	    "   |  \n"
	    " +-+ A/\n");

	(void)state;
	assert_int_equal(maprast_wall_mask(m, 0, 0), MAPWALL_E | MAPWALL_S);
	assert_int_equal(maprast_wall_mask(m, 0, 3),
	    MAPWALL_E | MAPWALL_S | MAPWALL_W);
	assert_int_equal(maprast_wall_mask(m, 0, 6), MAPWALL_W);	/* '#' below */
	assert_int_equal(maprast_wall_mask(m, 2, 0), MAPWALL_N | MAPWALL_E);
	assert_int_equal(maprast_wall_mask(m, 2, 3), 0xf);
	assert_int_equal(maprast_wall_mask(m, 2, 6), MAPWALL_W);
	assert_int_equal(maprast_wall_mask(m, 4, 3), MAPWALL_N | MAPWALL_W);
	assert_int_equal(maprast_wall_mask(m, 0, 1), MAPWALL_E | MAPWALL_W);
	assert_int_equal(maprast_wall_mask(m, 1, 0), MAPWALL_N | MAPWALL_S);
	assert_int_equal(maprast_wall_mask(m, 1, 1), -1);
	assert_int_equal(maprast_wall_mask(m, 4, 5), -1);

	assert_string_equal(maprast_glyph(m, 0, 0, false), "\xe2\x94\x8c");	/* ┌ */
	assert_string_equal(maprast_glyph(m, 0, 3, false), "\xe2\x94\xac");	/* ┬ */
	assert_string_equal(maprast_glyph(m, 2, 0, false), "\xe2\x94\x94");	/* └ */
	assert_string_equal(maprast_glyph(m, 2, 3, false), "\xe2\x94\xbc");	/* ┼ */
	assert_string_equal(maprast_glyph(m, 4, 3, false), "\xe2\x94\x98");	/* ┘ */
	assert_string_equal(maprast_glyph(m, 0, 6, false), "\xe2\x94\x80");	/* ─ */
	assert_string_equal(maprast_glyph(m, 0, 1, false), "\xe2\x94\x80");
	assert_string_equal(maprast_glyph(m, 1, 0, false), "\xe2\x94\x82");	/* │ */
	assert_string_equal(maprast_glyph(m, 1, 6, false), "\xe2\x96\x88");	/* █ */
	assert_string_equal(maprast_glyph(m, 4, 6, false), "\xe2\x95\xb1");	/* ╱ */
	assert_string_equal(maprast_glyph(m, 4, 5, false), "A");
	assert_string_equal(maprast_glyph(m, 1, 1, false), " ");
	assert_string_equal(maprast_glyph(m, 99, 1, false), " ");
	assert_string_equal(maprast_glyph(m, 2, 3, true), "+");
	assert_string_equal(maprast_glyph(m, 0, 1, true), "-");
	assert_string_equal(maprast_glyph(m, 1, 6, true), "#");
	assert_string_equal(maprast_junction(MAPWALL_N | MAPWALL_S | MAPWALL_E,
	    false), "\xe2\x94\x9c");	/* ├ */
	assert_string_equal(maprast_junction(MAPWALL_N | MAPWALL_S | MAPWALL_W,
	    false), "\xe2\x94\xa4");	/* ┤ */
	assert_string_equal(maprast_junction(MAPWALL_E | MAPWALL_W | MAPWALL_N,
	    false), "\xe2\x94\xb4");	/* ┴ */
	assert_string_equal(maprast_junction(MAPWALL_S | MAPWALL_W, false),
	    "\xe2\x94\x90");	/* ┐ */
	assert_true(maprast_is_wall('\\'));
	assert_false(maprast_is_wall('.'));
	mapfile_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_projection),
		cmocka_unit_test(test_viewport),
		cmocka_unit_test(test_braille_dots),
		cmocka_unit_test(test_braille_lines),
		cmocka_unit_test(test_braille_polygon),
		cmocka_unit_test(test_braille_clip),
		cmocka_unit_test(test_outlines),
		cmocka_unit_test(test_walls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
