/*
 * fuzz_mapfile.c: libFuzzer harness for the map file parser and the map
 * rasteriser.
 *
 * The input is a map file.  When it parses, the harness checks what the
 * parser promises (the grid within its limits, every drawing line exactly
 * cols wide, each marker at its cell in the drawing, a projection that goes
 * back where it came from) and then draws the map as the console would:
 * every cell's glyph in UTF-8 and ASCII, the outlines into a canvas at the
 * fitted zoom and at a close one.  When it does not parse, the message must
 * start with the file name and a line and column.  See tests/fuzz/README.
 */
#include "compat.h"

#include <math.h>

#include "mapfile.h"
#include "maprast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_VIEW_W 80
#define FUZZ_VIEW_H 24

/* Stop with a message: libFuzzer saves the input that got here. */
static void
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_mapfile: %s\n", what);
	abort();
}

/* Check a parsed map and draw it. */
static void
fuzz_map(const struct map *m)
{
	const struct map_marker *mk;
	struct braille *b;
	struct mapview v;
	double r = 0, c = 0, lat = 0, lon = 0, r2 = 0, c2 = 0;
	size_t i;
	int row, col;

	if (m->rows < 0 || m->rows > LIMIT_MAP_ROWS || m->cols < 0 ||
	    m->cols > LIMIT_MAP_COLS)
		fuzz_fail("grid out of its limits");
	if (m->lines != NULL) {
		for (row = 0; row < m->rows; row++)
			if ((int)strlen(m->lines[row]) != m->cols)
				fuzz_fail("a drawing line is not cols wide");
	}
	for (i = 0; i < m->nmarkers; i++) {
		mk = &m->markers[i];
		if (m->lines == NULL || mk->row < 0 || mk->row >= m->rows ||
		    mk->col < 0 || mk->col + mk->len > m->cols)
			fuzz_fail("a marker outside the drawing");
		if (strncmp(m->lines[mk->row] + mk->col, mk->marker,
		    (size_t)mk->len) != 0)
			fuzz_fail("a marker's cell does not hold it");
		if (mapfile_marker_for(m, mk->point) != mk)
			fuzz_fail("a point with two markers");
	}
	if (mapproj_to_geo(m, 10.25, 20.75, &lat, &lon) != 0 ||
	    mapproj_to_cell(m, lat, lon, &r, &c) != 0)
		fuzz_fail("no projection");
	if (fabs(r - 10.25) > 1e-6 * (1 + fabs(r)) ||
	    fabs(c - 20.75) > 1e-6 * (1 + fabs(c)))
		fuzz_fail("the projection does not go back");
	for (row = -1; row <= m->rows; row++) {
		for (col = -1; col <= m->cols; col++) {
			if (maprast_glyph(m, row, col, false) == NULL ||
			    strlen(maprast_glyph(m, row, col, true)) != 1)
				fuzz_fail("a cell without a glyph");
		}
	}
	b = braille_new(FUZZ_VIEW_W, FUZZ_VIEW_H);
	mapview_fit(m, FUZZ_VIEW_W, FUZZ_VIEW_H, &v);
	if (!(v.scale > 0) || !isfinite(v.row0) || !isfinite(v.col0))
		fuzz_fail("no fitted view");
	maprast_outlines(m, &v, 0, b);
	mapview_to_map(&v, 3, 5, &r2, &c2);
	v.row0 = r2;
	v.col0 = c2;
	v.scale = 4;
	braille_clear(b);
	maprast_outlines(m, &v, 1u << MAP_OUTLINE_BUILDING, b);
	braille_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct map *m;
	char *cause = NULL;

	m = mapfile_parse((const char *)data, size, "f.map", &cause);
	if (m == NULL) {
		if (cause == NULL || strncmp(cause, "f.map:", 6) != 0)
			fuzz_fail("an error without FILE:LINE:COL");
		free(cause);
		return 0;
	}
	if (cause != NULL)
		fuzz_fail("a map and a message");
	fuzz_map(m);
	mapfile_free(m);
	return 0;
}
