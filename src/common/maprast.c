#include "compat.h"

#include <math.h>

#include "mapfile.h"
#include "maprast.h"
#include "utf8.h"

/*
 * Bresenham is exact but walks every dot between its ends; a line whose ends
 * lie far outside the canvas (a close zoom on a large outline) is first cut
 * to the canvas grown by this many dots on each side, in floating point, so
 * the walk stays short.  Lines within that margin are drawn untouched, dot
 * for dot what Bresenham gives.
 */
#define BRAILLE_CLIP_MARGIN 64

/* The bit of each dot in a braille pattern, by [x][y] within the cell. */
static const uint8_t braille_bits[BRAILLE_DOTS_X][BRAILLE_DOTS_Y] = {
	{ 0x01, 0x02, 0x04, 0x40 },
	{ 0x08, 0x10, 0x20, 0x80 },
};

/* Project a geographic position to a fractional drawing cell. */
int
mapproj_to_cell(const struct map *m, double lat, double lon, double *row,
    double *col)
{
	if (m->proj.row_b == 0 || m->proj.col_b == 0)
		return (-1);
	*row = m->proj.row_a + m->proj.row_b * lat;
	*col = m->proj.col_a + m->proj.col_b * lon;
	return (0);
}

/* Project a fractional drawing cell back to latitude and longitude. */
int
mapproj_to_geo(const struct map *m, double row, double col, double *lat,
    double *lon)
{
	if (m->proj.row_b == 0 || m->proj.col_b == 0)
		return (-1);
	*lat = (row - m->proj.row_a) / m->proj.row_b;
	*lon = (col - m->proj.col_a) / m->proj.col_b;
	return (0);
}

/* Screen cell of a drawing cell under a viewport. */
void
mapview_to_screen(const struct mapview *v, double row, double col,
    double *srow, double *scol)
{
	*srow = (row - v->row0) * v->scale;
	*scol = (col - v->col0) * v->scale;
}

/* Drawing cell shown at a screen cell under a viewport. */
void
mapview_to_map(const struct mapview *v, double srow, double scol,
    double *row, double *col)
{
	*row = v->row0 + srow / v->scale;
	*col = v->col0 + scol / v->scale;
}

/* The extent of a map in drawing cells: its grid, grown by its outlines. */
static void
mapview_extent(const struct map *m, double *r0, double *c0, double *r1,
    double *c1)
{
	size_t i, j;
	double r, c;

	*r0 = 0;
	*c0 = 0;
	*r1 = m->rows;
	*c1 = m->cols;
	if (m->rows > 0 && m->cols > 0)
		return;
	for (i = 0; i < m->noutlines; i++) {
		for (j = 0; j < m->outlines[i].n; j++) {
			if (mapproj_to_cell(m, m->outlines[i].lat[j],
			    m->outlines[i].lon[j], &r, &c) != 0)
				continue;
			if (r < *r0)
				*r0 = r;
			if (c < *c0)
				*c0 = c;
			if (r > *r1)
				*r1 = r;
			if (c > *c1)
				*c1 = c;
		}
	}
	if (*r1 <= *r0)
		*r1 = *r0 + 1;
	if (*c1 <= *c0)
		*c1 = *c0 + 1;
}

/* The viewport that fits the whole map into an area of w x h cells. */
void
mapview_fit(const struct map *m, int w, int h, struct mapview *v)
{
	double r0, c0, r1, c1, sr, sc;

	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	mapview_extent(m, &r0, &c0, &r1, &c1);
	sr = h / (r1 - r0);
	sc = w / (c1 - c0);
	v->scale = sr < sc ? sr : sc;
	v->row0 = (r0 + r1) / 2 - h / (2 * v->scale);
	v->col0 = (c0 + c1) / 2 - w / (2 * v->scale);
}

/* Make an empty canvas of w x h cells. */
struct braille *
braille_new(int w, int h)
{
	struct braille *b;

	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	b = xcalloc(1, sizeof *b);
	b->w = w;
	b->h = h;
	b->bits = xcalloc((size_t)w * (size_t)h, 1);
	return (b);
}

/* Free a canvas. */
void
braille_free(struct braille *b)
{
	if (b == NULL)
		return;
	free(b->bits);
	free(b);
}

/* Clear every dot of a canvas. */
void
braille_clear(struct braille *b)
{
	memset(b->bits, 0, (size_t)b->w * (size_t)b->h);
}

/* Set one dot, ignoring dots outside the canvas. */
void
braille_set(struct braille *b, int x, int y)
{
	if (x < 0 || y < 0 || x >= b->w * BRAILLE_DOTS_X ||
	    y >= b->h * BRAILLE_DOTS_Y)
		return;
	b->bits[(size_t)(y / BRAILLE_DOTS_Y) * (size_t)b->w +
	    (size_t)(x / BRAILLE_DOTS_X)] |=
	    braille_bits[x % BRAILLE_DOTS_X][y % BRAILLE_DOTS_Y];
}

/* Whether one dot is set. */
bool
braille_get(const struct braille *b, int x, int y)
{
	if (x < 0 || y < 0 || x >= b->w * BRAILLE_DOTS_X ||
	    y >= b->h * BRAILLE_DOTS_Y)
		return (false);
	return ((b->bits[(size_t)(y / BRAILLE_DOTS_Y) * (size_t)b->w +
	    (size_t)(x / BRAILLE_DOTS_X)] &
	    braille_bits[x % BRAILLE_DOTS_X][y % BRAILLE_DOTS_Y]) != 0);
}

/*
 * Cut the segment to the rectangle [xmin, xmax] x [ymin, ymax]
 * (Liang-Barsky); false when nothing of it is inside.
 */
static bool
braille_clip(double *x0, double *y0, double *x1, double *y1, double xmin,
    double ymin, double xmax, double ymax)
{
	double p[4], q[4], t0 = 0, t1 = 1, dx = *x1 - *x0, dy = *y1 - *y0, r;
	int i;

	p[0] = -dx; q[0] = *x0 - xmin;
	p[1] = dx;  q[1] = xmax - *x0;
	p[2] = -dy; q[2] = *y0 - ymin;
	p[3] = dy;  q[3] = ymax - *y0;
	for (i = 0; i < 4; i++) {
		if (p[i] == 0) {
			if (q[i] < 0)
				return (false);
			continue;
		}
		r = q[i] / p[i];
		if (p[i] < 0) {
			if (r > t1)
				return (false);
			if (r > t0)
				t0 = r;
		} else {
			if (r < t0)
				return (false);
			if (r < t1)
				t1 = r;
		}
	}
	*x1 = *x0 + t1 * dx;
	*y1 = *y0 + t1 * dy;
	*x0 = *x0 + t0 * dx;
	*y0 = *y0 + t0 * dy;
	return (true);
}

/* Walk a line dot by dot with Bresenham's algorithm. */
static void
braille_walk(struct braille *b, int x0, int y0, int x1, int y1)
{
	int dx, dy, sx, sy, err, e2;

	dx = x1 > x0 ? x1 - x0 : x0 - x1;
	dy = y1 > y0 ? -(y1 - y0) : -(y0 - y1);
	sx = x0 < x1 ? 1 : -1;
	sy = y0 < y1 ? 1 : -1;
	err = dx + dy;
	for (;;) {
		braille_set(b, x0, y0);
		if (x0 == x1 && y0 == y1)
			break;
		e2 = 2 * err;
		if (e2 >= dy) {
			err += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			err += dx;
			y0 += sy;
		}
	}
}

/* Draw a line between two dots, clipped to the canvas. */
void
braille_line(struct braille *b, int x0, int y0, int x1, int y1)
{
	double fx0, fy0, fx1, fy1, xmin, ymin, xmax, ymax;

	xmin = -BRAILLE_CLIP_MARGIN;
	ymin = -BRAILLE_CLIP_MARGIN;
	xmax = (double)b->w * BRAILLE_DOTS_X + BRAILLE_CLIP_MARGIN;
	ymax = (double)b->h * BRAILLE_DOTS_Y + BRAILLE_CLIP_MARGIN;
	if (x0 >= xmin && x0 <= xmax && x1 >= xmin && x1 <= xmax &&
	    y0 >= ymin && y0 <= ymax && y1 >= ymin && y1 <= ymax) {
		braille_walk(b, x0, y0, x1, y1);
		return;
	}
	fx0 = x0;
	fy0 = y0;
	fx1 = x1;
	fy1 = y1;
	if (!braille_clip(&fx0, &fy0, &fx1, &fy1, xmin, ymin, xmax, ymax))
		return;
	braille_walk(b, (int)lround(fx0), (int)lround(fy0), (int)lround(fx1),
	    (int)lround(fy1));
}

/* Draw the closed outline of a polygon. */
void
braille_polygon(struct braille *b, const int *x, const int *y, size_t n)
{
	if (n == 0)
		return;
	braille_polyline(b, x, y, n);
	if (n > 2)
		braille_line(b, x[n - 1], y[n - 1], x[0], y[0]);
}

/* Draw an open line through n vertices. */
void
braille_polyline(struct braille *b, const int *x, const int *y, size_t n)
{
	size_t i;

	if (n == 1)
		braille_set(b, x[0], y[0]);
	for (i = 1; i < n; i++)
		braille_line(b, x[i - 1], y[i - 1], x[i], y[i]);
}

/* The code point of a canvas cell, 0 when it has no dot. */
uint32_t
braille_cell(const struct braille *b, int row, int col)
{
	uint8_t bits;

	if (row < 0 || col < 0 || row >= b->h || col >= b->w)
		return (0);
	bits = b->bits[(size_t)row * (size_t)b->w + (size_t)col];
	return (bits == 0 ? 0 : BRAILLE_BASE + bits);
}

/* Encode a code point as UTF-8, NUL-terminated. */
size_t
braille_utf8(uint32_t cp, char *out)
{
	size_t n = utf8_encode(cp, out);

	out[n] = '\0';
	return (n);
}

/* A dot coordinate from a screen position, kept within int range. */
static int
maprast_dot(double v)
{
	v = floor(v);
	if (v > INT32_MAX / 2)
		return (INT32_MAX / 2);
	if (v < INT32_MIN / 2)
		return (INT32_MIN / 2);
	return ((int)v);
}

/* Draw a map's outlines of the chosen kinds into a canvas for a viewport. */
void
maprast_outlines(const struct map *m, const struct mapview *v,
    unsigned kinds, struct braille *b)
{
	const struct map_outline *o;
	size_t i, j;
	int *x, *y;
	double r = 0, c = 0, sr, sc;

	for (i = 0; i < m->noutlines; i++) {
		o = &m->outlines[i];
		if (kinds != 0 && (kinds & (1u << o->kind)) == 0)
			continue;
		if (o->n == 0)
			continue;
		x = xcalloc(o->n, sizeof *x);
		y = xcalloc(o->n, sizeof *y);
		for (j = 0; j < o->n; j++) {
			if (mapproj_to_cell(m, o->lat[j], o->lon[j], &r,
			    &c) != 0)
				r = c = 0;
			mapview_to_screen(v, r, c, &sr, &sc);
			x[j] = maprast_dot(sc * BRAILLE_DOTS_X);
			y[j] = maprast_dot(sr * BRAILLE_DOTS_Y);
		}
		if (o->closed)
			braille_polygon(b, x, y, o->n);
		else
			braille_polyline(b, x, y, o->n);
		free(x);
		free(y);
	}
}

/* Whether c is a wall character. */
bool
maprast_is_wall(char c)
{
	return (c == '+' || c == '-' || c == '|' || c == '/' || c == '\\' ||
	    c == '#');
}

/* The drawing character at row, col, or a space outside the drawing. */
static char
maprast_at(const struct map *m, int row, int col)
{
	if (m->lines == NULL || row < 0 || col < 0 || row >= m->rows ||
	    col >= m->cols)
		return (' ');
	return (m->lines[row][col]);
}

/* Which neighbours of a + - | cell are walls that join it. */
int
maprast_wall_mask(const struct map *m, int row, int col)
{
	char c, n;
	int mask = 0;

	c = maprast_at(m, row, col);
	if (c != '+' && c != '-' && c != '|')
		return (-1);
	n = maprast_at(m, row - 1, col);
	if (n == '|' || n == '+')
		mask |= MAPWALL_N;
	n = maprast_at(m, row + 1, col);
	if (n == '|' || n == '+')
		mask |= MAPWALL_S;
	n = maprast_at(m, row, col + 1);
	if (n == '-' || n == '+')
		mask |= MAPWALL_E;
	n = maprast_at(m, row, col - 1);
	if (n == '-' || n == '+')
		mask |= MAPWALL_W;
	return (mask);
}

/* The box character for a junction with the given neighbours. */
const char *
maprast_junction(int mask, bool ascii)
{
	static const char *const box[16] = {
		"\xe2\x94\xbc",		/* none: a lone post */
		"\xe2\x94\x82",		/* N: │ */
		"\xe2\x94\x80",		/* E: ─ */
		"\xe2\x94\x94",		/* N E: └ */
		"\xe2\x94\x82",		/* S: │ */
		"\xe2\x94\x82",		/* N S: │ */
		"\xe2\x94\x8c",		/* E S: ┌ */
		"\xe2\x94\x9c",		/* N E S: ├ */
		"\xe2\x94\x80",		/* W: ─ */
		"\xe2\x94\x98",		/* N W: ┘ */
		"\xe2\x94\x80",		/* E W: ─ */
		"\xe2\x94\xb4",		/* N E W: ┴ */
		"\xe2\x94\x90",		/* S W: ┐ */
		"\xe2\x94\xa4",		/* N S W: ┤ */
		"\xe2\x94\xac",		/* E S W: ┬ */
		"\xe2\x94\xbc",		/* N E S W: ┼ */
	};

	if (ascii)
		return ("+");
	return (box[mask & 0xf]);
}

/* What to draw for one drawing cell. */
const char *
maprast_glyph(const struct map *m, int row, int col, bool ascii)
{
	static char chars[128][2];
	unsigned char c;
	int mask;

	c = (unsigned char)maprast_at(m, row, col);
	if (!ascii) {
		switch (c) {
		case '+':
			mask = maprast_wall_mask(m, row, col);
			return (maprast_junction(mask, false));
		case '-':
			return ("\xe2\x94\x80");
		case '|':
			return ("\xe2\x94\x82");
		case '/':
			return ("\xe2\x95\xb1");
		case '\\':
			return ("\xe2\x95\xb2");
		case '#':
			return ("\xe2\x96\x88");
		}
	}
	if (c < 0x20 || c >= 0x7f)
		c = ' ';
	chars[c][0] = (char)c;
	chars[c][1] = '\0';
	return (chars[c]);
}
