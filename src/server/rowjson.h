/*
 * rowjson.h: a column of the current row of a statement as the JSON value
 * the API shows, with an absent value (SQL NULL) as JSON null.
 */
#ifndef VIGIL_ROWJSON_H
#define VIGIL_ROWJSON_H

#include <jansson.h>
#include <sqlite3.h>

/* Column i as a string, or null. */
json_t *rowjson_text(sqlite3_stmt *s, int i);
/* Column i as a string, or null when it is NULL or empty. */
json_t *rowjson_nonempty(sqlite3_stmt *s, int i);
/* Column i (ms since the epoch) as an ISO 8601 time, or null. */
json_t *rowjson_time(sqlite3_stmt *s, int i);
/* Column i as a real, or null. */
json_t *rowjson_real(sqlite3_stmt *s, int i);

#endif
