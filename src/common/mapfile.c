#include "compat.h"

#include <math.h>

#include <jansson.h>

#include "buf.h"
#include "mapfile.h"

/*
 * The parser reads the text line by line, keeping the line number and the
 * byte offset of each token so every message can say FILE:LINE:COL.  The
 * header and sections are read in one pass; the legend is matched against
 * the drawing and the corners checked once the whole file is read.  The
 * first problem met is the one reported.
 */

enum mapf_section {
	MAPF_HEADER,
	MAPF_LEGEND,
	MAPF_DRAWING,
	MAPF_OUTLINE
};

/* A legend entry waiting for the drawing: where it was written. */
struct mapf_legend_at {
	int line;
	int col;
};

/* The state of one parse. */
struct mapf {
	const char *filename;
	struct map *m;
	char *cause;
	int line;			/* current line, from 1 */
	enum mapf_section section;
	bool seen_legend;
	bool seen_drawing;
	int ncorners;
	int corner_line[2];
	int corner_col[2];
	int size_rows;
	int size_cols;
	int drawing_line;		/* line of the "[drawing]" header */
	size_t drawing_alloc;
	int drawing_rows;		/* rows including trailing blank ones */
	struct mapf_legend_at *legend_at;
	size_t legend_alloc;
	size_t outline_alloc;
	size_t vertices;		/* all outlines together */
	struct map_outline *cont;	/* outline a continuation line adds to */
	int header_line[8];		/* line of each header key, 0 if unseen */
};

/* Header keys, in the order of mapf.header_line. */
static const char *const mapf_header_keys[] = {
	"map", "name", "site", "kind", "building", "floor", "geojson", "size"
};

static const char *const mapf_outline_kinds[MAP_OUTLINE_KINDS] = {
	"building", "fence", "perimeter", "road", "area"
};

/* Record the first problem, at a line and column of the file. */
static void PRINTFLIKE(4, 5)
mapf_error(struct mapf *p, int line, int col, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	if (p->cause != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->cause = xasprintf("%s:%d:%d: %s", p->filename, line, col, msg);
}

/* The wire name of a map kind. */
const char *
map_kind_name(enum map_kind kind)
{
	return (kind == MAP_OUTDOOR ? "outdoor" : "plan");
}

/* The wire name of an outline kind. */
const char *
map_outline_kind_name(enum map_outline_kind kind)
{
	if ((unsigned)kind >= MAP_OUTLINE_KINDS)
		return ("building");
	return (mapf_outline_kinds[kind]);
}

/* Whether s is a key: [a-z0-9] then [a-z0-9_.-], at most LIMIT_KEY_LEN. */
static bool
mapf_key_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > LIMIT_KEY_LEN)
		return (false);
	for (i = 0; i < n; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))
			continue;
		if (i > 0 && (s[i] == '_' || s[i] == '.' || s[i] == '-'))
			continue;
		return (false);
	}
	return (true);
}

/* Whether c may be part of a marker. */
static bool
mapf_is_alnum(char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'));
}

/* Whether c is blank (space or tab). */
static bool
mapf_is_blank(char c)
{
	return (c == ' ' || c == '\t');
}

/* The column (from 1) of a pointer into the current line. */
static int
mapf_col(const char *line, const char *at)
{
	return ((int)(at - line) + 1);
}

/*
 * Check text given by a person: no control characters; returns the column
 * of the first bad byte, or 0.
 */
static int
mapf_text_bad(const char *line, const char *s)
{
	const unsigned char *u;

	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if (*u < 0x20 || *u == 0x7f)
			return (mapf_col(line, (const char *)u));
	}
	return (0);
}

/* Parse "ROW,COL" or "COLSxROWS" style integers within [0, max]. */
static bool
mapf_int(const char **sp, int min, int max, int *out)
{
	const char *s = *sp;
	long v = 0;

	if (*s < '0' || *s > '9')
		return (false);
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		if (v > max)
			return (false);
		s++;
	}
	if (v < min)
		return (false);
	*out = (int)v;
	*sp = s;
	return (true);
}

/* Parse a decimal number (strtod, finite) and advance. */
static bool
mapf_double(const char **sp, double *out)
{
	char *end;
	double v;

	if (**sp == '\0' || mapf_is_blank(**sp))
		return (false);
	errno = 0;
	v = strtod(*sp, &end);
	if (end == *sp || errno != 0 || !isfinite(v))
		return (false);
	*out = v;
	*sp = end;
	return (true);
}

/* Parse "LAT,LON" with both in range; *sp is left after it. */
static bool
mapf_latlon(const char **sp, double *lat, double *lon)
{
	const char *s = *sp;

	if (!mapf_double(&s, lat) || *s != ',')
		return (false);
	s++;
	if (!mapf_double(&s, lon))
		return (false);
	if (*s != '\0' && !mapf_is_blank(*s))
		return (false);
	if (*lat < -90 || *lat > 90 || *lon < -180 || *lon > 180)
		return (false);
	*sp = s;
	return (true);
}

/* Skip blanks. */
static const char *
mapf_skip(const char *s)
{
	while (mapf_is_blank(*s))
		s++;
	return (s);
}

/* Split "key = value": trims both; false when there is no '='. */
static bool
mapf_split(char *line, char **key, char **value)
{
	char *eq, *end;

	eq = strchr(line, '=');
	if (eq == NULL)
		return (false);
	*key = (char *)mapf_skip(line);
	end = eq;
	while (end > *key && mapf_is_blank(end[-1]))
		end--;
	*end = '\0';
	*value = (char *)mapf_skip(eq + 1);
	end = *value + strlen(*value);
	while (end > *value && mapf_is_blank(end[-1]))
		end--;
	*end = '\0';
	return (true);
}

/* Read one "key = value" line of the header. */
static void
mapf_header(struct mapf *p, char *line)
{
	struct map *m = p->m;
	struct map_corner *c;
	char *key, *value;
	const char *s;
	size_t i;
	int col, bad;

	if (!mapf_split(line, &key, &value)) {
		mapf_error(p, p->line, mapf_col(line, mapf_skip(line)),
		    "expected \"key = value\" or a [section]");
		return;
	}
	col = mapf_col(line, value);
	if (strcmp(key, "corner") == 0) {
		if (p->ncorners == 2) {
			mapf_error(p, p->line, mapf_col(line, key),
			    "a third corner; a map has exactly two");
			return;
		}
		c = &m->corner[p->ncorners];
		s = value;
		if (!mapf_int(&s, 0, LIMIT_MAP_ROWS - 1, &c->row) || *s != ',') {
			mapf_error(p, p->line, col, "corner: expected "
			    "ROW,COL LAT,LON with ROW from 0 to %d",
			    LIMIT_MAP_ROWS - 1);
			return;
		}
		s++;
		if (!mapf_int(&s, 0, LIMIT_MAP_COLS - 1, &c->col) ||
		    !mapf_is_blank(*s)) {
			mapf_error(p, p->line, mapf_col(line, s), "corner: "
			    "expected ROW,COL LAT,LON with COL from 0 to %d",
			    LIMIT_MAP_COLS - 1);
			return;
		}
		s = mapf_skip(s);
		col = mapf_col(line, s);
		if (!mapf_latlon(&s, &c->lat, &c->lon) || *mapf_skip(s) != '\0') {
			mapf_error(p, p->line, col, "corner: expected LAT,LON in "
			    "decimal degrees (latitude -90 to 90, longitude "
			    "-180 to 180)");
			return;
		}
		p->corner_line[p->ncorners] = p->line;
		p->corner_col[p->ncorners] = col;
		p->ncorners++;
		return;
	}
	for (i = 0; i < ARRAY_LEN(mapf_header_keys); i++) {
		if (strcmp(key, mapf_header_keys[i]) == 0)
			break;
	}
	if (i == ARRAY_LEN(mapf_header_keys)) {
		mapf_error(p, p->line, mapf_col(line, key),
		    "unknown key \"%s\"", key);
		return;
	}
	if (p->header_line[i] != 0) {
		mapf_error(p, p->line, mapf_col(line, key),
		    "\"%s\" given twice (first on line %d)", key,
		    p->header_line[i]);
		return;
	}
	p->header_line[i] = p->line;
	if (*value == '\0') {
		mapf_error(p, p->line, col, "%s: empty value", key);
		return;
	}
	if ((bad = mapf_text_bad(line, value)) != 0) {
		mapf_error(p, p->line, bad, "%s: control character", key);
		return;
	}
	if (strcmp(key, "map") == 0 || strcmp(key, "site") == 0) {
		if (!mapf_key_valid(value)) {
			mapf_error(p, p->line, col, "%s: \"%s\" is not a key "
			    "([a-z0-9] then [a-z0-9_.-], at most %d)", key,
			    value, LIMIT_KEY_LEN);
			return;
		}
		if (key[0] == 'm')
			m->key = xstrdup(value);
		else
			m->site = xstrdup(value);
	} else if (strcmp(key, "kind") == 0) {
		if (strcmp(value, "plan") == 0)
			m->kind = MAP_PLAN;
		else if (strcmp(value, "outdoor") == 0)
			m->kind = MAP_OUTDOOR;
		else
			mapf_error(p, p->line, col,
			    "kind: expected plan or outdoor");
	} else if (strcmp(key, "size") == 0) {
		s = value;
		if (!mapf_int(&s, 1, LIMIT_MAP_COLS, &p->size_cols) ||
		    (*s != 'x' && *s != 'X') || (++s, false) ||
		    !mapf_int(&s, 1, LIMIT_MAP_ROWS, &p->size_rows) ||
		    *s != '\0')
			mapf_error(p, p->line, col, "size: expected COLSxROWS "
			    "with at most %d columns and %d rows",
			    LIMIT_MAP_COLS, LIMIT_MAP_ROWS);
	} else {
		if (strlen(value) > LIMIT_NAME_LEN) {
			mapf_error(p, p->line, col, "%s: longer than %d bytes",
			    key, LIMIT_NAME_LEN);
			return;
		}
		if (strcmp(key, "name") == 0)
			m->name = xstrdup(value);
		else if (strcmp(key, "building") == 0)
			m->building = xstrdup(value);
		else if (strcmp(key, "floor") == 0)
			m->floor = xstrdup(value);
		else
			m->geojson = xstrdup(value);
	}
}

/* Read one "MARKER = POINT [LABEL]" line of the legend. */
static void
mapf_legend(struct mapf *p, char *line)
{
	struct map *m = p->m;
	struct map_marker *mk;
	char *key, *value, *label;
	size_t i;
	int col, bad;

	if (!mapf_split(line, &key, &value)) {
		mapf_error(p, p->line, mapf_col(line, mapf_skip(line)),
		    "expected \"MARKER = POINT [LABEL]\"");
		return;
	}
	col = mapf_col(line, key);
	if (*key == '\0' || strlen(key) > LIMIT_MAP_MARKER_LEN) {
		mapf_error(p, p->line, col, "a marker is 1 to %d letters or "
		    "digits", LIMIT_MAP_MARKER_LEN);
		return;
	}
	for (i = 0; key[i] != '\0'; i++) {
		if (!mapf_is_alnum(key[i])) {
			mapf_error(p, p->line, col + (int)i, "marker \"%s\": "
			    "only letters and digits", key);
			return;
		}
	}
	if (m->nmarkers == LIMIT_MAP_MARKERS) {
		mapf_error(p, p->line, col, "more than %d legend entries",
		    LIMIT_MAP_MARKERS);
		return;
	}
	label = value;
	while (*label != '\0' && !mapf_is_blank(*label))
		label++;
	if (*label != '\0') {
		*label = '\0';
		label = (char *)mapf_skip(label + 1);
	}
	if (!mapf_key_valid(value)) {
		mapf_error(p, p->line, mapf_col(line, value), "\"%s\" is not a "
		    "point key", value);
		return;
	}
	if ((bad = mapf_text_bad(line, label)) != 0) {
		mapf_error(p, p->line, bad, "label: control character");
		return;
	}
	if (strlen(label) > LIMIT_NAME_LEN) {
		mapf_error(p, p->line, mapf_col(line, label),
		    "label longer than %d bytes", LIMIT_NAME_LEN);
		return;
	}
	for (i = 0; i < m->nmarkers; i++) {
		if (strcmp(m->markers[i].marker, key) == 0) {
			mapf_error(p, p->line, col, "marker '%s' given twice "
			    "(first on line %d)", key, p->legend_at[i].line);
			return;
		}
		if (strcmp(m->markers[i].point, value) == 0) {
			mapf_error(p, p->line, mapf_col(line, value), "point "
			    "%s has two markers (first on line %d)", value,
			    p->legend_at[i].line);
			return;
		}
	}
	if (m->nmarkers == p->legend_alloc) {
		p->legend_alloc = p->legend_alloc == 0 ? 16 :
		    p->legend_alloc * 2;
		m->markers = xrealloc(m->markers,
		    p->legend_alloc * sizeof *m->markers);
		p->legend_at = xrealloc(p->legend_at,
		    p->legend_alloc * sizeof *p->legend_at);
	}
	mk = &m->markers[m->nmarkers];
	memset(mk, 0, sizeof *mk);
	mk->marker = xstrdup(key);
	mk->point = xstrdup(value);
	mk->label = *label != '\0' ? xstrdup(label) : NULL;
	mk->row = -1;
	mk->col = -1;
	mk->len = (int)strlen(key);
	p->legend_at[m->nmarkers].line = p->line;
	p->legend_at[m->nmarkers].col = col;
	m->nmarkers++;
}

/* Read one line of the drawing: printable ASCII, at most LIMIT_MAP_COLS. */
static void
mapf_drawing(struct mapf *p, const char *line, size_t len)
{
	struct map *m = p->m;
	size_t i;

	for (i = 0; i < len; i++) {
		if (line[i] == '\t') {
			mapf_error(p, p->line, (int)i + 1, "a tab in the "
			    "drawing; use spaces");
			return;
		}
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] > 0x7e) {
			mapf_error(p, p->line, (int)i + 1, "the drawing is "
			    "printable ASCII only");
			return;
		}
	}
	while (len > 0 && line[len - 1] == ' ')
		len--;
	if (len > LIMIT_MAP_COLS) {
		mapf_error(p, p->line, LIMIT_MAP_COLS + 1, "the drawing is "
		    "wider than %d columns", LIMIT_MAP_COLS);
		return;
	}
	if (p->drawing_rows == LIMIT_MAP_ROWS) {
		mapf_error(p, p->line, 1, "the drawing is taller than %d rows",
		    LIMIT_MAP_ROWS);
		return;
	}
	if ((size_t)p->drawing_rows == p->drawing_alloc) {
		p->drawing_alloc = p->drawing_alloc == 0 ? 32 :
		    p->drawing_alloc * 2;
		m->lines = xrealloc(m->lines,
		    p->drawing_alloc * sizeof *m->lines);
	}
	m->lines[p->drawing_rows++] = xstrndup(line, len);
	if (len > 0) {
		m->rows = p->drawing_rows;
		if ((int)len > m->cols)
			m->cols = (int)len;
	}
}

/* Start a new outline (polygon or line). */
static struct map_outline *
mapf_outline_new(struct mapf *p)
{
	struct map *m = p->m;
	struct map_outline *o;

	if (m->noutlines == p->outline_alloc) {
		p->outline_alloc = p->outline_alloc == 0 ? 16 :
		    p->outline_alloc * 2;
		m->outlines = xrealloc(m->outlines,
		    p->outline_alloc * sizeof *m->outlines);
	}
	o = &m->outlines[m->noutlines++];
	memset(o, 0, sizeof *o);
	return (o);
}

/* Add the vertices of s (LAT,LON separated by blanks) to an outline. */
static void
mapf_vertices(struct mapf *p, const char *line, const char *s,
    struct map_outline *o)
{
	double lat, lon;
	const char *at;

	for (;;) {
		s = mapf_skip(s);
		if (*s == '\0')
			return;
		at = s;
		if (!mapf_latlon(&s, &lat, &lon)) {
			mapf_error(p, p->line, mapf_col(line, at), "expected "
			    "LAT,LON in decimal degrees");
			return;
		}
		if (o->n == LIMIT_MAP_OUTLINE_VERTICES) {
			mapf_error(p, p->line, mapf_col(line, at), "%s has more "
			    "than %d vertices", o->name,
			    LIMIT_MAP_OUTLINE_VERTICES);
			return;
		}
		if (p->vertices == LIMIT_MAP_VERTICES) {
			mapf_error(p, p->line, mapf_col(line, at), "more than "
			    "%d outline vertices in the map",
			    LIMIT_MAP_VERTICES);
			return;
		}
		/* Grow by doubling: a power of two count means full. */
		if (o->n == 0 || (o->n & (o->n - 1)) == 0) {
			o->lat = xrealloc(o->lat, (o->n == 0 ? 1 : o->n * 2) *
			    sizeof *o->lat);
			o->lon = xrealloc(o->lon, (o->n == 0 ? 1 : o->n * 2) *
			    sizeof *o->lon);
		}
		o->lat[o->n] = lat;
		o->lon[o->n] = lon;
		o->n++;
		p->vertices++;
	}
}

/* Check a finished outline: enough vertices; a ring's repeated end dropped. */
static void
mapf_outline_end(struct mapf *p, int line)
{
	struct map_outline *o = p->cont;

	p->cont = NULL;
	if (o == NULL || p->cause != NULL)
		return;
	if (o->closed && o->n > 1 && o->lat[0] == o->lat[o->n - 1] &&
	    o->lon[0] == o->lon[o->n - 1]) {
		o->n--;
		p->vertices--;
	}
	if (o->closed && o->n < 3)
		mapf_error(p, line, 1, "polygon %s: at least 3 vertices",
		    o->name);
	else if (!o->closed && o->n < 2)
		mapf_error(p, line, 1, "line %s: at least 2 vertices", o->name);
}

/* Read one line of an [outline] section. */
static void
mapf_outline(struct mapf *p, char *line)
{
	struct map_outline *o;
	const char *s, *word, *name;
	size_t i, n;

	if (mapf_is_blank(line[0])) {
		if (p->cont == NULL) {
			mapf_error(p, p->line, 1, "an indented line continues "
			    "a polygon or line, and there is none");
			return;
		}
		mapf_vertices(p, line, line, p->cont);
		return;
	}
	if (p->cont != NULL)
		mapf_outline_end(p, p->line - 1);
	if (p->m->noutlines == LIMIT_MAP_OUTLINES) {
		mapf_error(p, p->line, 1, "more than %d outlines",
		    LIMIT_MAP_OUTLINES);
		return;
	}
	s = line;
	word = s;
	while (*s != '\0' && !mapf_is_blank(*s))
		s++;
	n = (size_t)(s - word);
	if (!((n == 7 && strncmp(word, "polygon", 7) == 0) ||
	    (n == 4 && strncmp(word, "line", 4) == 0))) {
		mapf_error(p, p->line, 1, "expected polygon or line");
		return;
	}
	o = mapf_outline_new(p);
	o->closed = (n == 7);
	o->kind = o->closed ? MAP_OUTLINE_BUILDING : MAP_OUTLINE_ROAD;
	o->name = xstrdup("");
	p->cont = o;

	s = mapf_skip(s);
	name = s;
	if (*s == '"') {
		s++;
		while (*s != '\0' && *s != '"')
			s++;
		if (*s != '"') {
			mapf_error(p, p->line, mapf_col(line, name),
			    "name: no closing quote");
			return;
		}
		free(o->name);
		o->name = xstrndup(name + 1, (size_t)(s - name - 1));
		s++;
	} else {
		while (*s != '\0' && !mapf_is_blank(*s))
			s++;
		free(o->name);
		o->name = xstrndup(name, (size_t)(s - name));
	}
	if (*o->name == '\0' || strchr(o->name, ',') != NULL ||
	    strncmp(o->name, "kind=", 5) == 0) {
		mapf_error(p, p->line, mapf_col(line, name),
		    "expected a name after \"%s\"", o->closed ? "polygon" :
		    "line");
		return;
	}
	if (strlen(o->name) > LIMIT_NAME_LEN ||
	    mapf_text_bad(o->name, o->name) != 0) {
		mapf_error(p, p->line, mapf_col(line, name), "name: at most "
		    "%d bytes, no control characters", LIMIT_NAME_LEN);
		return;
	}
	s = mapf_skip(s);
	if (strncmp(s, "kind=", 5) == 0) {
		word = s + 5;
		s = word;
		while (*s != '\0' && !mapf_is_blank(*s))
			s++;
		n = (size_t)(s - word);
		for (i = 0; i < MAP_OUTLINE_KINDS; i++) {
			if (strlen(mapf_outline_kinds[i]) == n &&
			    strncmp(word, mapf_outline_kinds[i], n) == 0)
				break;
		}
		if (i == MAP_OUTLINE_KINDS || (!o->closed &&
		    i != MAP_OUTLINE_ROAD && i != MAP_OUTLINE_FENCE)) {
			mapf_error(p, p->line, mapf_col(line, word), "kind: "
			    "expected %s", o->closed ?
			    "building, fence, perimeter, road or area" :
			    "road or fence");
			return;
		}
		o->kind = (enum map_outline_kind)i;
	}
	mapf_vertices(p, line, s, o);
}

/* Whether a line is a section header; sets *which, or -1 for an unknown one. */
static bool
mapf_section_line(const char *line, size_t len, int *which)
{
	static const char *const names[] = { "legend", "drawing", "outline" };
	size_t i, n;

	while (len > 0 && mapf_is_blank(line[len - 1]))
		len--;
	if (len < 3 || line[0] != '[' || line[len - 1] != ']')
		return (false);
	for (i = 1; i < len - 1; i++) {
		if (line[i] < 'a' || line[i] > 'z')
			return (false);
	}
	n = len - 2;
	*which = -1;
	for (i = 0; i < ARRAY_LEN(names); i++) {
		if (strlen(names[i]) == n && strncmp(line + 1, names[i], n) == 0)
			*which = (int)i;
	}
	return (true);
}

/* Switch to the section named on this line. */
static void
mapf_enter(struct mapf *p, int which, const char *line)
{
	if (p->cont != NULL)
		mapf_outline_end(p, p->line - 1);
	switch (which) {
	case 0:
		if (p->seen_legend) {
			mapf_error(p, p->line, 1, "a second [legend]");
			return;
		}
		p->seen_legend = true;
		p->section = MAPF_LEGEND;
		break;
	case 1:
		if (p->seen_drawing) {
			mapf_error(p, p->line, 1, "a second [drawing]");
			return;
		}
		p->seen_drawing = true;
		p->drawing_line = p->line;
		p->section = MAPF_DRAWING;
		break;
	case 2:
		p->section = MAPF_OUTLINE;
		break;
	default:
		mapf_error(p, p->line, 2, "unknown section %s; expected "
		    "[legend], [drawing] or [outline]", line);
		break;
	}
}

/* Find where each legend marker stands in the drawing. */
static void
mapf_place_markers(struct mapf *p)
{
	struct map *m = p->m;
	struct map_marker *mk;
	size_t i;
	int r, c, start, count, first_row;

	for (i = 0; i < m->nmarkers && p->cause == NULL; i++) {
		mk = &m->markers[i];
		count = 0;
		first_row = -1;
		for (r = 0; r < m->rows; r++) {
			c = 0;
			while (c < m->cols) {
				if (!mapf_is_alnum(m->lines[r][c])) {
					c++;
					continue;
				}
				start = c;
				while (c < m->cols && mapf_is_alnum(m->lines[r][c]))
					c++;
				if (c - start != mk->len || strncmp(m->lines[r] +
				    start, mk->marker, (size_t)mk->len) != 0)
					continue;
				if (count++ == 0) {
					mk->row = r;
					mk->col = start;
					first_row = r;
				}
			}
		}
		if (count == 0) {
			mapf_error(p, p->legend_at[i].line, p->legend_at[i].col,
			    "legend marker '%s' is not in the drawing",
			    mk->marker);
		} else if (count > 1) {
			mapf_error(p, p->legend_at[i].line, p->legend_at[i].col,
			    "legend marker '%s' is in the drawing %d times "
			    "(first on drawing line %d); a marker must be "
			    "unique", mk->marker, count,
			    p->drawing_line + 1 + first_row);
		}
	}
}

/* Pad every drawing line to the width of the map. */
static void
mapf_pad(struct mapf *p)
{
	struct map *m = p->m;
	char *l;
	int r, rows;
	size_t n;

	if (p->size_rows > m->rows)
		rows = p->size_rows;
	else
		rows = m->rows;
	if (p->size_cols > m->cols)
		m->cols = p->size_cols;
	if (!p->seen_drawing || m->rows == 0) {
		for (r = 0; r < p->drawing_rows; r++)
			free(m->lines[r]);
		free(m->lines);
		m->lines = NULL;
		m->rows = rows;
		return;
	}
	for (r = m->rows; r < p->drawing_rows; r++)
		free(m->lines[r]);
	m->lines = xrealloc(m->lines, (size_t)rows * sizeof *m->lines);
	for (r = 0; r < rows; r++) {
		n = r < m->rows ? strlen(m->lines[r]) : 0;
		l = xmalloc((size_t)m->cols + 1);
		if (n > 0)
			memcpy(l, m->lines[r], n);
		memset(l + n, ' ', (size_t)m->cols - n);
		l[m->cols] = '\0';
		if (r < m->rows)
			free(m->lines[r]);
		m->lines[r] = l;
	}
	m->rows = rows;
	p->drawing_rows = rows;
}

/* Check the whole map once every line is read. */
static void
mapf_finish(struct mapf *p)
{
	struct map *m = p->m;
	struct map_corner *a = &m->corner[0], *b = &m->corner[1];
	static const char *const required[] = { "map", "name", "site", "kind" };
	size_t i;

	if (p->cont != NULL)
		mapf_outline_end(p, p->line);
	for (i = 0; i < ARRAY_LEN(required); i++) {
		if (p->header_line[i] == 0)
			mapf_error(p, 1, 1, "no \"%s =\" in the header",
			    required[i]);
	}
	if (p->ncorners < 2)
		mapf_error(p, 1, 1, "two \"corner = ROW,COL LAT,LON\" lines "
		    "are needed, %d given", p->ncorners);
	if (p->cause != NULL)
		return;
	if (a->row == b->row || a->lat == b->lat) {
		mapf_error(p, p->corner_line[1], 1, "corner: the two corners "
		    "need different rows and different latitudes");
		return;
	}
	if (a->col == b->col || a->lon == b->lon) {
		mapf_error(p, p->corner_line[1], 1, "corner: the two corners "
		    "need different columns and different longitudes");
		return;
	}
	if ((b->row - a->row) * (b->lat - a->lat) > 0) {
		mapf_error(p, p->corner_line[1], p->corner_col[1], "corner: "
		    "rows grow southward, so the lower corner needs the "
		    "lower latitude");
		return;
	}
	if ((b->col - a->col) * (b->lon - a->lon) < 0) {
		mapf_error(p, p->corner_line[1], p->corner_col[1], "corner: "
		    "columns grow eastward, so the right corner needs the "
		    "greater longitude");
		return;
	}
	/* A corner's coordinates are those of its cell's centre. */
	m->proj.row_b = (b->row - a->row) / (b->lat - a->lat);
	m->proj.row_a = a->row + 0.5 - m->proj.row_b * a->lat;
	m->proj.col_b = (b->col - a->col) / (b->lon - a->lon);
	m->proj.col_a = a->col + 0.5 - m->proj.col_b * a->lon;

	mapf_pad(p);
	if (m->kind == MAP_PLAN && m->lines == NULL) {
		mapf_error(p, p->line, 1, "a plan needs a [drawing]");
		return;
	}
	if (m->lines == NULL && m->noutlines == 0 && m->geojson == NULL) {
		mapf_error(p, p->line, 1, "no [drawing], no [outline] and no "
		    "geojson: nothing to show");
		return;
	}
	if (m->lines == NULL && m->nmarkers > 0) {
		mapf_error(p, p->legend_at[0].line, p->legend_at[0].col,
		    "a [legend] needs a [drawing] to place its markers");
		return;
	}
	if (m->lines == NULL && (m->rows == 0 || m->cols == 0)) {
		mapf_error(p, 1, 1, "a map without a [drawing] needs "
		    "\"size = COLSxROWS\"");
		return;
	}
	mapf_place_markers(p);
}

/* Free a map. */
void
mapfile_free(struct map *m)
{
	size_t i;
	int r;

	if (m == NULL)
		return;
	free(m->key);
	free(m->name);
	free(m->site);
	free(m->building);
	free(m->floor);
	free(m->geojson);
	if (m->lines != NULL) {
		for (r = 0; r < m->rows; r++)
			free(m->lines[r]);
		free(m->lines);
	}
	for (i = 0; i < m->nmarkers; i++) {
		free(m->markers[i].marker);
		free(m->markers[i].point);
		free(m->markers[i].label);
	}
	free(m->markers);
	for (i = 0; i < m->noutlines; i++) {
		free(m->outlines[i].name);
		free(m->outlines[i].lat);
		free(m->outlines[i].lon);
	}
	free(m->outlines);
	free(m);
}

/* Parse a map file's text. */
struct map *
mapfile_parse(const char *text, size_t len, const char *filename,
    char **cause)
{
	struct mapf p;
	const char *at, *end, *nl;
	char *line;
	size_t n, c;
	int which, r;

	memset(&p, 0, sizeof p);
	p.filename = filename;
	p.m = xcalloc(1, sizeof *p.m);
	if (len > LIMIT_MAP_FILE_BYTES) {
		mapf_error(&p, 1, 1, "larger than %d bytes",
		    LIMIT_MAP_FILE_BYTES);
		goto fail;
	}
	at = text;
	end = text + len;
	while (at < end && p.cause == NULL) {
		p.line++;
		nl = memchr(at, '\n', (size_t)(end - at));
		n = nl != NULL ? (size_t)(nl - at) : (size_t)(end - at);
		if (n > 0 && at[n - 1] == '\r')
			n--;
		if (n > LIMIT_MAP_LINE_BYTES) {
			mapf_error(&p, p.line, LIMIT_MAP_LINE_BYTES + 1,
			    "line longer than %d bytes", LIMIT_MAP_LINE_BYTES);
			break;
		}
		if (memchr(at, '\0', n) != NULL) {
			c = (size_t)((const char *)memchr(at, '\0', n) - at);
			mapf_error(&p, p.line, (int)c + 1, "a NUL byte");
			break;
		}
		line = xstrndup(at, n);
		at = nl != NULL ? nl + 1 : end;

		if (mapf_section_line(line, n, &which)) {
			mapf_enter(&p, which, line);
			free(line);
			continue;
		}
		if (p.section == MAPF_DRAWING) {
			mapf_drawing(&p, line, n);
			free(line);
			continue;
		}
		if (*mapf_skip(line) == '\0' || line[0] == '#' ||
		    line[0] == ';') {
			if (p.cont != NULL && *mapf_skip(line) == '\0')
				mapf_outline_end(&p, p.line - 1);
			free(line);
			continue;
		}
		switch (p.section) {
		case MAPF_HEADER:
			mapf_header(&p, line);
			break;
		case MAPF_LEGEND:
			mapf_legend(&p, line);
			break;
		case MAPF_OUTLINE:
			mapf_outline(&p, line);
			break;
		case MAPF_DRAWING:
			break;
		}
		free(line);
	}
	if (p.cause == NULL)
		mapf_finish(&p);
	if (p.cause != NULL)
		goto fail;
	free(p.legend_at);
	return (p.m);

fail:
	/* Lines past the drawing's last non-blank row are held separately. */
	if (p.m->lines != NULL && p.drawing_rows > p.m->rows) {
		for (r = p.m->rows; r < p.drawing_rows; r++)
			free(p.m->lines[r]);
	}
	mapfile_free(p.m);
	free(p.legend_at);
	*cause = p.cause;
	return (NULL);
}

/* The marker bound to a point key. */
const struct map_marker *
mapfile_marker_for(const struct map *m, const char *point)
{
	size_t i;

	for (i = 0; i < m->nmarkers; i++) {
		if (strcmp(m->markers[i].point, point) == 0)
			return (&m->markers[i]);
	}
	return (NULL);
}

/* Read a whole file of at most max bytes. */
static char *
mapfile_read(const char *path, size_t max, size_t *lenp, char **cause)
{
	FILE *f;
	char *data;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return (NULL);
	}
	data = xmalloc(max + 2);
	n = fread(data, 1, max + 1, f);
	if (ferror(f)) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		fclose(f);
		free(data);
		return (NULL);
	}
	fclose(f);
	if (n > max) {
		*cause = xasprintf("%s: larger than %zu bytes", path, max);
		free(data);
		return (NULL);
	}
	data[n] = '\0';
	*lenp = n;
	return (data);
}

/* Write one GeoJSON ring or line string as an outline statement. */
static int
mapfile_geo_coords(struct buf *out, json_t *coords, const char *name,
    const char *kind, bool closed, const char *where, char **cause)
{
	json_t *pt;
	size_t i;
	double lat, lon;

	if (!json_is_array(coords) || json_array_size(coords) == 0) {
		*cause = xasprintf("%s: expected an array of positions", where);
		return (-1);
	}
	if (json_array_size(coords) > LIMIT_MAP_OUTLINE_VERTICES) {
		*cause = xasprintf("%s: more than %d positions", where,
		    LIMIT_MAP_OUTLINE_VERTICES);
		return (-1);
	}
	buf_addf(out, "%s \"%s\" kind=%s", closed ? "polygon" : "line", name,
	    kind);
	json_array_foreach(coords, i, pt) {
		if (!json_is_array(pt) || json_array_size(pt) < 2 ||
		    !json_is_number(json_array_get(pt, 0)) ||
		    !json_is_number(json_array_get(pt, 1))) {
			*cause = xasprintf("%s[%zu]: expected [LON, LAT]",
			    where, i);
			return (-1);
		}
		lon = json_number_value(json_array_get(pt, 0));
		lat = json_number_value(json_array_get(pt, 1));
		if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
			*cause = xasprintf("%s[%zu]: not a position", where, i);
			return (-1);
		}
		buf_addf(out, "%s%.7f,%.7f", (i + 1) % 4 == 0 ? "\n    " : " ",
		    lat, lon);
	}
	return (buf_adds(out, "\n"));
}

/* Turn a GeoJSON text into [outline] statements appended to out. */
static int
mapfile_geojson(struct buf *out, const char *gpath, const char *text,
    size_t len, char **cause)
{
	json_t *root, *features, *f, *geom, *props, *coords, *v, *poly;
	json_error_t jerr;
	const char *type, *name, *kind;
	char where[128], namebuf[LIMIT_NAME_LEN + 1];
	size_t i, j, k;
	int rc = -1;
	bool closed;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		*cause = xasprintf("%s:%d:%d: %s", gpath, jerr.line,
		    jerr.column, jerr.text);
		return (-1);
	}
	features = json_object_get(root, "features");
	if (!json_is_array(features)) {
		*cause = xasprintf("%s: features: expected a FeatureCollection "
		    "with an array of features", gpath);
		goto out;
	}
	json_array_foreach(features, i, f) {
		geom = json_object_get(f, "geometry");
		props = json_object_get(f, "properties");
		if (geom == NULL || json_is_null(geom))
			continue;	/* a feature without a place */
		type = json_string_value(json_object_get(geom, "type"));
		coords = json_object_get(geom, "coordinates");
		if (type == NULL) {
			*cause = xasprintf("%s: features[%zu].geometry.type: "
			    "missing", gpath, i);
			goto out;
		}
		if (strcmp(type, "Polygon") != 0 &&
		    strcmp(type, "MultiPolygon") != 0 &&
		    strcmp(type, "LineString") != 0 &&
		    strcmp(type, "MultiLineString") != 0)
			continue;	/* points and the rest: not outlines */
		closed = strstr(type, "Polygon") != NULL;
		v = json_object_get(props, "name");
		name = json_is_string(v) ? json_string_value(v) : "";
		if (*name == '\0') {
			snprintf(namebuf, sizeof namebuf, "feature%zu", i);
			name = namebuf;
		} else if (strlen(name) > LIMIT_NAME_LEN || strchr(name, '"') ||
		    mapf_text_bad(name, name) != 0) {
			*cause = xasprintf("%s: features[%zu].properties.name: "
			    "at most %d bytes, no quotes or control characters",
			    gpath, i, LIMIT_NAME_LEN);
			goto out;
		}
		v = json_object_get(props, "kind");
		kind = json_is_string(v) ? json_string_value(v) :
		    (closed ? "building" : "road");
		for (k = 0; k < MAP_OUTLINE_KINDS; k++) {
			if (strcmp(kind, mapf_outline_kinds[k]) == 0)
				break;
		}
		if (k == MAP_OUTLINE_KINDS || (!closed &&
		    k != MAP_OUTLINE_ROAD && k != MAP_OUTLINE_FENCE)) {
			*cause = xasprintf("%s: features[%zu].properties.kind: "
			    "expected %s", gpath, i, closed ?
			    "building, fence, perimeter, road or area" :
			    "road or fence");
			goto out;
		}
		if (!json_is_array(coords)) {
			*cause = xasprintf("%s: features[%zu].geometry."
			    "coordinates: expected an array", gpath, i);
			goto out;
		}
		if (strcmp(type, "LineString") == 0) {
			snprintf(where, sizeof where, "%s: features[%zu]."
			    "geometry.coordinates", gpath, i);
			if (mapfile_geo_coords(out, coords, name, kind, false,
			    where, cause) != 0)
				goto out;
			continue;
		}
		if (strcmp(type, "Polygon") == 0 ||
		    strcmp(type, "MultiLineString") == 0) {
			json_array_foreach(coords, j, v) {
				snprintf(where, sizeof where, "%s: features[%zu]"
				    ".geometry.coordinates[%zu]", gpath, i, j);
				if (mapfile_geo_coords(out, v, name, kind,
				    closed, where, cause) != 0)
					goto out;
			}
			continue;
		}
		json_array_foreach(coords, j, poly) {
			if (!json_is_array(poly)) {
				*cause = xasprintf("%s: features[%zu].geometry."
				    "coordinates[%zu]: expected an array",
				    gpath, i, j);
				goto out;
			}
			json_array_foreach(poly, k, v) {
				snprintf(where, sizeof where, "%s: features[%zu]"
				    ".geometry.coordinates[%zu][%zu]", gpath, i,
				    j, k);
				if (mapfile_geo_coords(out, v, name, kind, true,
				    where, cause) != 0)
					goto out;
			}
		}
	}
	rc = 0;
out:
	json_decref(root);
	return (rc);
}

/* The start of the header line "geojson = ..." in a map file's text. */
static const char *
mapfile_geojson_line(const char *text, size_t len)
{
	const char *s = text, *t, *end = text + len;

	while (s < end) {
		t = mapf_skip(s);
		if (*t == '[')
			break;
		if ((size_t)(end - t) > 7 && strncmp(t, "geojson", 7) == 0 &&
		    (mapf_is_blank(t[7]) || t[7] == '='))
			return (s);
		s = memchr(s, '\n', (size_t)(end - s));
		if (s == NULL)
			break;
		s++;
	}
	return (NULL);
}

/* Read a map file (and its GeoJSON) from disk. */
struct map *
mapfile_load(const char *path, char **textp, size_t *lenp, char **cause)
{
	struct map *m;
	struct buf out;
	char *text, *gtext = NULL, *gpath;
	const char *gline, *lineend, *slash;
	size_t len, glen;

	if ((text = mapfile_read(path, LIMIT_MAP_FILE_BYTES, &len, cause)) ==
	    NULL)
		return (NULL);
	if ((m = mapfile_parse(text, len, path, cause)) == NULL) {
		free(text);
		return (NULL);
	}
	if (m->geojson == NULL) {
		if (textp != NULL) {
			*textp = text;
			*lenp = len;
		} else
			free(text);
		return (m);
	}

	/* The GeoJSON file is named relative to the map file. */
	slash = strrchr(path, '/');
	if (m->geojson[0] == '/' || slash == NULL)
		gpath = xstrdup(m->geojson);
	else
		gpath = xasprintf("%.*s/%s", (int)(slash - path), path,
		    m->geojson);
	mapfile_free(m);
	m = NULL;
	gline = mapfile_geojson_line(text, len);
	if (gline == NULL)
		fatal("%s: geojson line vanished", path);

	/* The text with its geojson line made a comment, then the outlines. */
	buf_init(&out, LIMIT_MAP_FILE_BYTES);
	gtext = mapfile_read(gpath, LIMIT_GEOJSON_BYTES, &glen, cause);
	if (gtext == NULL)
		goto fail;
	buf_add(&out, text, (size_t)(gline - text));
	buf_adds(&out, "# ");
	lineend = memchr(gline, '\n', (size_t)(text + len - gline));
	if (lineend == NULL)
		lineend = text + len;
	buf_add(&out, gline, (size_t)(lineend - gline));
	buf_adds(&out, " (read into the [outline] below)");
	buf_add(&out, lineend, (size_t)(text + len - lineend));
	if (len > 0 && text[len - 1] != '\n')
		buf_adds(&out, "\n");
	buf_adds(&out, "\n[outline]\n");
	if (mapfile_geojson(&out, gpath, gtext, glen, cause) != 0)
		goto fail;
	if (out.overflow) {
		*cause = xasprintf("%s: with %s read in, larger than %d bytes",
		    path, gpath, LIMIT_MAP_FILE_BYTES);
		goto fail;
	}
	if ((m = mapfile_parse(out.data, out.len, path, cause)) == NULL)
		goto fail;
	free(text);
	free(gtext);
	free(gpath);
	if (textp != NULL)
		*textp = buf_detach(&out, lenp);
	buf_release(&out);
	return (m);

fail:
	free(text);
	free(gtext);
	free(gpath);
	buf_release(&out);
	return (NULL);
}
