#include "compat.h"

#include "rowjson.h"
#include "store.h"
#include "vtime.h"

/* Column i as a string, or null. */
json_t *
rowjson_text(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return json_null();
	return json_string(store_col_text(s, i));
}

/* Column i as a string, or null when it is NULL or empty. */
json_t *
rowjson_nonempty(sqlite3_stmt *s, int i)
{
	const char *t = store_col_text(s, i);

	if (*t == '\0')
		return json_null();
	return json_string(t);
}

/* Column i (ms) as an ISO 8601 time, or null. */
json_t *
rowjson_time(sqlite3_stmt *s, int i)
{
	char ts[VTIME_ISO_LEN];

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return json_null();
	vtime_format(sqlite3_column_int64(s, i), ts, sizeof ts);
	return json_string(ts);
}

/* Column i as a real, or null. */
json_t *
rowjson_real(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return json_null();
	return json_real(sqlite3_column_double(s, i));
}
