/*
 * maprast.h: projecting positions onto maps and drawing maps into cells.
 *
 * Three parts, none touching a terminal:
 *
 * - the projection of a map (mapfile.h) between latitude/longitude and
 *   drawing cells (fractional: the cell (r, c) covers [r, r+1) x [c, c+1)
 *   and a marker's position is the centre of its cell, (r + 0.5, c + 0.5));
 *
 * - a braille canvas: W x H terminal cells, each 2 dots wide and 4 high
 *   (Unicode braille patterns U+2800..U+28FF), with points, Bresenham lines
 *   and polygons clipped at its edges, and the rasterisation of a map's
 *   outlines into it for a viewport;
 *
 * - wall drawing: which neighbours of a wall cell of the drawing are walls
 *   (a 4-bit mask) and the glyph to draw for it, UTF-8 box drawing or ASCII.
 *
 * A viewport says which part of the map a screen area shows: the drawing
 * cell (fractional) at the area's top-left and a scale, the screen cells per
 * drawing cell: 1 is 1:1, 2 or 4 closer (braille dots then resolve a
 * quarter or an eighth of a drawing cell), below 1 farther (fit).
 */
#ifndef VIGIL_MAPRAST_H
#define VIGIL_MAPRAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct map;

/* ---- projection -------------------------------------------------------- */

/*
 * Project a geographic position to a fractional drawing cell.  The result
 * may lie outside the drawing.  Returns 0, or -1 if the map has no
 * projection (never for a map from mapfile_parse).
 */
int mapproj_to_cell(const struct map *m, double lat, double lon, double *row,
    double *col);

/* Project a fractional drawing cell back to latitude and longitude. */
int mapproj_to_geo(const struct map *m, double row, double col, double *lat,
    double *lon);

/* ---- viewport ----------------------------------------------------------- */

/* Which part of a map a screen area shows. */
struct mapview {
	double row0;		/* drawing cell at the area's top-left */
	double col0;
	double scale;		/* screen cells per drawing cell, > 0 */
};

/* Screen cell (fractional, relative to the area) of a drawing cell. */
void mapview_to_screen(const struct mapview *v, double row, double col,
    double *srow, double *scol);

/* Drawing cell (fractional) shown at a screen cell of the area. */
void mapview_to_map(const struct mapview *v, double srow, double scol,
    double *row, double *col);

/*
 * The viewport that fits the whole map (rows x cols, or its outlines'
 * extent when it has no drawing) into an area of h x w screen cells,
 * centred.
 */
void mapview_fit(const struct map *m, int w, int h, struct mapview *v);

/* ---- braille canvas ----------------------------------------------------- */

/* Dots per cell. */
#define BRAILLE_DOTS_X 2
#define BRAILLE_DOTS_Y 4
/* The first braille code point: an empty pattern. */
#define BRAILLE_BASE 0x2800

/* A canvas of w x h cells, each 2 x 4 dots; dot (0, 0) is the top-left. */
struct braille {
	int w;			/* cells */
	int h;
	uint8_t *bits;		/* w * h patterns, row by row */
};

/* Make an empty canvas of w x h cells (each at least 1). */
struct braille *braille_new(int w, int h);
/* Free a canvas; NULL is allowed. */
void braille_free(struct braille *b);
/* Clear every dot. */
void braille_clear(struct braille *b);
/* Set the dot at x, y (dot coordinates); outside the canvas it is ignored. */
void braille_set(struct braille *b, int x, int y);
/* Whether the dot at x, y is set (false outside the canvas). */
bool braille_get(const struct braille *b, int x, int y);
/* Draw a line from x0, y0 to x1, y1 inclusive (Bresenham), clipped. */
void braille_line(struct braille *b, int x0, int y0, int x1, int y1);
/* Draw the edges of a polygon of n vertices, the last joined to the first. */
void braille_polygon(struct braille *b, const int *x, const int *y, size_t n);
/* Draw an open line through n vertices. */
void braille_polyline(struct braille *b, const int *x, const int *y,
    size_t n);
/* The code point of a cell, U+2800 + the dot bits, or 0 when it is empty. */
uint32_t braille_cell(const struct braille *b, int row, int col);
/* Encode a code point as UTF-8 into out (at least 5 bytes); returns length. */
size_t braille_utf8(uint32_t cp, char *out);

/*
 * Draw the outlines of a map whose kind is in kinds (a mask of
 * 1 << enum map_outline_kind; 0 for all) into the canvas for viewport v;
 * the canvas's cell (0, 0) is the area's top-left.  Geographic vertices are
 * projected with the map's projection.
 */
void maprast_outlines(const struct map *m, const struct mapview *v,
    unsigned kinds, struct braille *b);

/* ---- walls -------------------------------------------------------------- */

/* Bits of a wall mask: which neighbours join this wall cell. */
#define MAPWALL_N 0x1
#define MAPWALL_E 0x2
#define MAPWALL_S 0x4
#define MAPWALL_W 0x8

/* Whether c is a wall character of a drawing: + - | / \ #. */
bool maprast_is_wall(char c);

/*
 * The neighbours of the drawing cell row, col that join it: a '-' or '+'
 * to the east or west, a '|' or '+' to the north or south.  Returns -1 when
 * the cell is not one of + - |.
 */
int maprast_wall_mask(const struct map *m, int row, int col);

/*
 * What to draw for the drawing cell row, col: a box-drawing character in
 * UTF-8 (ascii false) or the ASCII character (ascii true) for walls; the
 * character itself for anything else (space for floor '.' is kept as '.').
 * The string is static.  Outside the drawing it is " ".
 */
const char *maprast_glyph(const struct map *m, int row, int col, bool ascii);

/* The UTF-8 box character for a '+' with this mask ("+" when ascii). */
const char *maprast_junction(int mask, bool ascii);

#endif
