/*
 * mapfile.h: site map files (vigil-map(5)).
 *
 * A map file is plain text: a header of "key = value" lines, then sections
 * "[legend]" (markers in the drawing bound to point keys), "[drawing]" (ASCII
 * art, one text line per row) and "[outline]" (polygons and lines given in
 * geographic coordinates).  The parser is pure: it reads bytes and builds a
 * struct map, touching no file and no terminal.  mapfile_load() reads a file
 * from disk and brings in the GeoJSON file it names, giving back the map and
 * a self-contained text (the GeoJSON turned into an [outline] section) which
 * is what the server stores and serves.
 *
 * Rows and columns count from 0; row 0 is the first line after "[drawing]",
 * rows grow southward and columns eastward.  Every error message starts
 * "FILE:LINE:COL: " (columns count from 1, in bytes).
 *
 * The projection between geographic coordinates and drawing cells is
 * linear in latitude and in longitude (equirectangular), defined by the two
 * "corner" lines of the header: see maprast.h for the functions.
 */
#ifndef VIGIL_MAPFILE_H
#define VIGIL_MAPFILE_H

#include <stdbool.h>
#include <stddef.h>

/* What a map shows: a floor plan, or an outdoor area. */
enum map_kind {
	MAP_PLAN,
	MAP_OUTDOOR
};

/* What an outline is; the wire names are map_outline_kind_name(). */
enum map_outline_kind {
	MAP_OUTLINE_BUILDING,
	MAP_OUTLINE_FENCE,
	MAP_OUTLINE_PERIMETER,
	MAP_OUTLINE_ROAD,
	MAP_OUTLINE_AREA	/* a courtyard, a car park's extent */
};
#define MAP_OUTLINE_KINDS 5

/* One marker of the legend: where a point sits in the drawing. */
struct map_marker {
	char *marker;		/* a character or short word, [A-Za-z0-9]+ */
	char *point;		/* the point key it stands for */
	char *label;		/* text to print beside it, or NULL */
	int row;		/* cell of the marker's first character */
	int col;
	int len;		/* columns the marker covers in the drawing */
};

/* A polygon (closed) or a line (open) in geographic coordinates. */
struct map_outline {
	char *name;
	enum map_outline_kind kind;
	bool closed;		/* polygon: the last vertex joins the first */
	size_t n;		/* vertices */
	double *lat;
	double *lon;
};

/* A reference cell of the drawing and its geographic coordinates. */
struct map_corner {
	int row;
	int col;
	double lat;
	double lon;
};

/*
 * The projection: row = row_a + row_b * lat, col = col_a + col_b * lon
 * (row_b < 0 since rows grow southward, col_b > 0).
 */
struct map_proj {
	double row_a;
	double row_b;
	double col_a;
	double col_b;
};

/* A parsed map file. */
struct map {
	char *key;		/* "map =", unique within the site */
	char *name;		/* "name =" */
	char *site;		/* "site =", the site key */
	enum map_kind kind;	/* "kind =" plan or outdoor */
	char *building;		/* "building =", or NULL */
	char *floor;		/* "floor =", or NULL */
	char *geojson;		/* "geojson =" file name as written, or NULL */

	struct map_corner corner[2];
	struct map_proj proj;

	int rows;		/* drawing rows (or "size =" rows when larger) */
	int cols;		/* drawing columns (or "size =" columns) */
	char **lines;		/* rows lines, each exactly cols bytes, space padded,
				   NUL-terminated; NULL when no [drawing] */

	struct map_marker *markers;
	size_t nmarkers;

	struct map_outline *outlines;
	size_t noutlines;
};

/*
 * Parse a map file held in text (len bytes, NUL not needed).  filename is
 * used only in messages.  Returns the map, or NULL with *cause (caller
 * frees) as "FILE:LINE:COL: what is wrong".  A "geojson =" line is recorded
 * in map->geojson but not read (see mapfile_load).
 */
struct map *mapfile_parse(const char *text, size_t len, const char *filename,
    char **cause);

/*
 * Read and parse the map file at path; when it names a GeoJSON file (relative
 * to the map file's directory), read that too and add its Polygon,
 * MultiPolygon and LineString features as outlines.  When textp is not NULL
 * it gets the self-contained text (caller frees; *lenp its length): the
 * file's text with the "geojson =" line made a comment and the GeoJSON's
 * outlines appended as an [outline] section, so that mapfile_parse of it
 * gives the same map.  Returns NULL with *cause on any error.
 */
struct map *mapfile_load(const char *path, char **textp, size_t *lenp,
    char **cause);

/* Free a map and everything it holds; NULL is allowed. */
void mapfile_free(struct map *m);

/* The marker bound to point key, or NULL. */
const struct map_marker *mapfile_marker_for(const struct map *m,
    const char *point);

/* The wire name of a map kind ("plan", "outdoor"). */
const char *map_kind_name(enum map_kind kind);

/* The wire name of an outline kind ("building", "fence", ...). */
const char *map_outline_kind_name(enum map_outline_kind kind);

#endif
