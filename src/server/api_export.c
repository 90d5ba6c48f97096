#include "compat.h"

#include "api.h"
#include "apiarg.h"
#include "audit.h"
#include "auth.h"
#include "buf.h"
#include "checkpoint.h"
#include "exportfmt.h"
#include "jsonl.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "utf8.h"
#include "vtime.h"

/*
 * GET /api/v1/export/KIND: the rows of one kind as a stream of JSON lines.
 *
 * The reply is chunked and produced as the client reads it (http.h): each
 * time the socket can take more, one bounded query continues from the last
 * row sent (keyset paging on seq or id) and is reset before the callback
 * returns.  No read transaction spans two callbacks, so an export of any
 * length never holds a snapshot that would pin the WAL, and never sits
 * between the ingest's group commits: the loop is free between chunks.  The
 * rows to send are fixed when the export starts (up to the newest seq or id
 * then), so a busy server cannot make an export run for ever.  The price is
 * that rows are not one snapshot: an alarm changed during an export shows
 * as it was when its chunk was read.
 *
 * Lines are ASCII (JSON escapes everything else), one row each, in the shape
 * the REST API gives; the audit's begin with its signed checkpoints
 * ({"checkpoint":{...}}); the last line is {"end":{"rows":N,"last":SEQ}}.
 * A reply without that line was cut.
 */

#define EXPORT_ROW_MEMBERS 32

enum export_kind {
	EXPORT_AUDIT,
	EXPORT_ALARMS,
	EXPORT_EVENTS,
	EXPORT_POSITIONS,
	EXPORT_ACCESS,
};

enum export_phase { EXPORT_CHECKPOINTS, EXPORT_ROWS, EXPORT_END };

/*
 * Rows are built here, then appended to the chunk at once: one bounds check
 * per field instead of one per piece (an export is millions of fields).
 */
struct export_w {
	char *data;
	size_t len, cap;
};

struct export_job {
	struct server *srv;
	enum export_kind kind;
	struct principal who;
	bool hide_credentials;      /* roles without contact rights */
	bool csv;                   /* rows as CSV records (format=csv) */
	enum export_phase phase;
	int64_t after;              /* the last row sent (seq or id) */
	int64_t upto;               /* the last row to send */
	int64_t since_ms, until_ms; /* [since, until) */
	int64_t site_id;            /* 0: every site the caller sees */
	int64_t first;              /* checkpoints from this seq */
	int64_t ckpt_after;         /* the last checkpoint sent (its id) */
	int64_t rows;
	struct export_w w;          /* the rows of one chunk being built */
};

static const struct {
	const char *name;
	enum export_kind kind;
} export_kinds[] = {
	{ "audit", EXPORT_AUDIT },
	{ "alarms", EXPORT_ALARMS },
	{ "events", EXPORT_EVENTS },
	{ "positions", EXPORT_POSITIONS },
	{ "access-history", EXPORT_ACCESS },
};

/* Make room for n more bytes. */
static inline void
export_need(struct export_w *w, size_t n)
{
	if (w->cap - w->len < n) {
		w->cap = (w->len + n) * 2;
		w->data = xrealloc(w->data, w->cap);
	}
}

/* Append n bytes. */
static inline void
export_raw(struct export_w *w, const void *s, size_t n)
{
	export_need(w, n);
	memcpy(w->data + w->len, s, n);
	w->len += n;
}

#define EXPORT_LIT(w, s) export_raw((w), (s), sizeof (s) - 1)

/* 1 for the bytes JSON strings carry as they are: printable ASCII but " and \. */
static const unsigned char export_plain[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1,
	['.'] = 1, ['/'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1,
	['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	[':'] = 1, [';'] = 1, ['<'] = 1, ['='] = 1, ['>'] = 1, ['?'] = 1,
	['@'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,
	['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1,
	['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1,
	['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1,
	['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['['] = 1, [']'] = 1, ['^'] = 1,
	['_'] = 1, ['`'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
	['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
	['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
	['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1,
	['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['{'] = 1, ['|'] = 1,
	['}'] = 1, ['~'] = 1, [' '] = 1,
};

#define EXPORT_ONES 0x0101010101010101ULL

/* Nonzero (high bits set) where a byte of x equals c. */
static inline uint64_t
export_has(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (EXPORT_ONES * c);

	return (y - EXPORT_ONES) & ~y;
}

/* Append \uXXXX. */
static void
export_u(struct export_w *w, uint32_t cp)
{
	static const char hex[] = "0123456789abcdef";
	char *p = w->data + w->len;

	p[0] = '\\';
	p[1] = 'u';
	p[2] = hex[(cp >> 12) & 0xf];
	p[3] = hex[(cp >> 8) & 0xf];
	p[4] = hex[(cp >> 4) & 0xf];
	p[5] = hex[cp & 0xf];
	w->len += 6;
}

/* Append n bytes of text as a JSON string of ASCII only (escapes for the rest). */
static void
export_strn(struct export_w *w, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text, *end = s + n;

	/* At worst a byte becomes \uXXXX (6), a 4-byte character 12. */
	export_need(w, n * 6 + 2);
	w->data[w->len++] = '"';
	while (s < end) {
		const unsigned char *run = s;
		uint32_t cp;
		size_t k;

		/* Eight bytes at a time while none needs escaping. */
		while (end - s >= 8) {
			uint64_t x;

			memcpy(&x, s, 8);
			if (((x - EXPORT_ONES * 0x20) | export_has(x, '"') |
			    export_has(x, '\\') | x) & EXPORT_ONES * 0x80)
				break;
			s += 8;
		}
		while (s < end && export_plain[*s])
			s++;
		if (s > run) {
			memcpy(w->data + w->len, run, (size_t)(s - run));
			w->len += (size_t)(s - run);
		}
		if (s == end)
			break;
		switch (*s) {
		case '"': case '\\':
			w->data[w->len++] = '\\';
			w->data[w->len++] = (char)*s++;
			continue;
		case '\n':
			memcpy(w->data + w->len, "\\n", 2);
			w->len += 2;
			s++;
			continue;
		case '\t':
			memcpy(w->data + w->len, "\\t", 2);
			w->len += 2;
			s++;
			continue;
		default:
			break;
		}
		if (*s < 0x80) {
			export_u(w, *s++);
			continue;
		}
		/* Not valid (a hand-edited database): U+FFFD. */
		k = utf8_decode(s, (size_t)(end - s), &cp);
		if (cp == UTF8_INVALID) {
			export_u(w, 0xfffd);
			s++;
			continue;
		}
		s += k;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			export_u(w, 0xd800 + (cp >> 10));
			export_u(w, 0xdc00 + (cp & 0x3ff));
		} else
			export_u(w, cp);
	}
	w->data[w->len++] = '"';
}

/* Append a NUL-terminated text as a JSON string. */
static void
export_str(struct export_w *w, const char *text)
{
	export_strn(w, text, strlen(text));
}

/* Append ,"key": (or {"key": for the first member). */
static void
export_key(struct export_w *w, const char *key, bool first)
{
	size_t n = strlen(key);

	export_need(w, n + 4);
	memcpy(w->data + w->len, first ? "{\"" : ",\"", 2);
	memcpy(w->data + w->len + 2, key, n);
	memcpy(w->data + w->len + 2 + n, "\":", 2);
	w->len += n + 4;
}

/* Append an integer. */
static void
export_int(struct export_w *w, int64_t v)
{
	char num[24], *p = num + sizeof num;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	export_raw(w, p, (size_t)(num + sizeof num - p));
}

/* Append column i of s as text, or null. */
static void
export_col_text(struct export_w *w, sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	if (t == NULL)
		EXPORT_LIT(w, "null");
	else
		export_strn(w, t, (size_t)sqlite3_column_bytes(s, i));
}

/* Append column i of s as text, "" for NULL. */
static void
export_col_str(struct export_w *w, sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	export_strn(w, t != NULL ? t : "", t != NULL ?
	    (size_t)sqlite3_column_bytes(s, i) : 0);
}

/* Append column i of s as an integer, or null. */
static void
export_col_int(struct export_w *w, sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		EXPORT_LIT(w, "null");
	else
		export_int(w, sqlite3_column_int64(s, i));
}

/*
 * Append ms as vtime_format writes it, in quotes.  The date is worked out
 * once per day: an export's rows mostly share theirs.
 */
static void
export_time(struct export_w *w, int64_t ms, bool quoted)
{
	static int64_t cached_day = INT64_MIN;
	static char date[16];
	int64_t day = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
	int64_t r = ms - day * 86400000;
	char *p;

	if (day != cached_day) {
		char iso[VTIME_ISO_LEN];

		vtime_format(day * 86400000, iso, sizeof iso);
		memcpy(date, iso, 11);   /* "YYYY-MM-DDT" */
		cached_day = day;
	}
	export_need(w, 26);
	p = w->data + w->len;
	if (quoted)
		*p++ = '"';
	memcpy(p, date, 11);
	p += 11;
	*p++ = (char)('0' + r / 36000000);
	*p++ = (char)('0' + r / 3600000 % 10);
	*p++ = ':';
	*p++ = (char)('0' + r / 600000 % 6);
	*p++ = (char)('0' + r / 60000 % 10);
	*p++ = ':';
	*p++ = (char)('0' + r / 10000 % 6);
	*p++ = (char)('0' + r / 1000 % 10);
	*p++ = '.';
	*p++ = (char)('0' + r / 100 % 10);
	*p++ = (char)('0' + r / 10 % 10);
	*p++ = (char)('0' + r % 10);
	*p++ = 'Z';
	if (quoted)
		*p++ = '"';
	w->len = (size_t)(p - w->data);
}

/* Append column i of s (ms) as an ISO 8601 time, or null. */
static void
export_col_time(struct export_w *w, sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		EXPORT_LIT(w, "null");
	else
		export_time(w, sqlite3_column_int64(s, i), true);
}

/* Append column i of s as a real as jansson prints it, or null. */
static void
export_col_real(struct export_w *w, sqlite3_stmt *s, int i)
{
	char num[40];
	int n;

	if (sqlite3_column_type(s, i) == SQLITE_NULL) {
		EXPORT_LIT(w, "null");
		return;
	}
	n = snprintf(num, sizeof num, "%.17g", sqlite3_column_double(s, i));
	if (strpbrk(num, ".eE") == NULL && n + 2 < (int)sizeof num) {
		memcpy(num + n, ".0", 3);
		n += 2;
	}
	export_raw(w, num, (size_t)n);
}

/*
 * Append an audit entry's details: the stored JSON text as it is when it is
 * valid ASCII JSON (always, as vigild writes it), else re-encoded, else as a
 * string, as audit_entry_json does.
 */
static void
export_details(struct export_w *b, const char *text, size_t len)
{
	json_t *v;
	char *dump;

	if (jsonl_ascii(text, len) && jsonl_check(text, len) != JSONL_NONE) {
		export_raw(b, text, len);
		return;
	}
	v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	dump = v != NULL ? json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII |
	    JSON_ENCODE_ANY) : NULL;
	json_decref(v);
	if (dump != NULL)
		export_raw(b, dump, strlen(dump));
	else
		export_strn(b, text, len);
	free(dump);
}

/* Append text as a CSV cell (exportfmt.h: inert, quoted, neutralised). */
static void
export_csv_text(struct export_w *w, const char *t, size_t n)
{
	export_need(w, EXPORTFMT_CSV_SIZE(n));
	w->len += exportfmt_csv(w->data + w->len, t, n);
}

/*
 * Append column i of s as a CSV cell of kind: i integer, m time, r real,
 * t text; NULL is an empty cell.
 */
static void
export_csv_col(struct export_w *w, sqlite3_stmt *s, int i, char kind)
{
	const char *t;

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return;
	switch (kind) {
	case 'i':
		export_int(w, sqlite3_column_int64(s, i));
		break;
	case 'm':
		export_time(w, sqlite3_column_int64(s, i), false);
		break;
	case 'r':
		export_col_real(w, s, i);
		break;
	default:
		t = (const char *)sqlite3_column_text(s, i);
		export_csv_text(w, t, (size_t)sqlite3_column_bytes(s, i));
		break;
	}
}

/* A column of an export's query: its member in a JSON row, and its kind. */
struct export_col {
	const char *key;
	char kind;   /* i integer, t text, m time, r real */
};

/*
 * The columns of each export in the order of its query (export_query), which
 * is the order of vigil's CSV header.  The members are those the REST API
 * gives (alarms.c's alarm_json for an alarm); an audit row's JSON is
 * export_audit_row's, an access row's export_access_row's.
 */
static const struct export_col export_audit_cols[] = {
	{ "seq", 'i' }, { "ts", 'm' }, { "actor_type", 't' }, { "actor", 't' },
	{ "action", 't' }, { "object_type", 't' }, { "object_id", 't' },
	{ "site_id", 'i' }, { "details", 't' }, { "source", 't' },
	{ "outcome", 't' }, { "prev_hash", 't' }, { "hash", 't' },
};
static const struct export_col export_alarm_cols[] = {
	{ "id", 'i' }, { "site", 't' }, { "site_name", 't' }, { "point", 't' },
	{ "point_label", 't' }, { "point_type", 't' }, { "gateway", 't' },
	{ "type", 't' }, { "priority", 'i' }, { "state", 't' }, { "version", 'i' },
	{ "count", 'i' }, { "created", 'm' }, { "updated", 'm' },
	{ "last_event", 'm' }, { "acked", 'm' }, { "acked_by", 't' },
	{ "assigned", 'm' }, { "assigned_by", 't' }, { "guard", 't' },
	{ "closed", 'm' }, { "closed_by", 't' }, { "resolution", 't' },
	{ "resolution_note", 't' },
};
static const struct export_col export_event_cols[] = {
	{ "id", 'i' }, { "site", 't' }, { "point", 't' }, { "gateway", 't' },
	{ "gw_event_id", 't' }, { "type", 't' }, { "value", 't' },
	{ "credential", 't' }, { "sensor_ts", 'm' }, { "received", 'm' },
	{ "class", 't' }, { "alarm", 'i' },
};
static const struct export_col export_position_cols[] = {
	{ "id", 'i' }, { "guard", 't' }, { "ts", 'm' }, { "lat", 'r' },
	{ "lon", 'r' }, { "accuracy", 'r' }, { "received", 'm' },
};
static const struct {
	const struct export_col *cols;
	size_t n;
} export_cols[] = {
	[EXPORT_AUDIT] = { export_audit_cols, ARRAY_LEN(export_audit_cols) },
	[EXPORT_ALARMS] = { export_alarm_cols, ARRAY_LEN(export_alarm_cols) },
	[EXPORT_EVENTS] = { export_event_cols, ARRAY_LEN(export_event_cols) },
	[EXPORT_POSITIONS] = { export_position_cols,
	    ARRAY_LEN(export_position_cols) },
};

/* Append one row as a CSV record. */
static void
export_csv_row(struct export_job *j, struct export_w *w, sqlite3_stmt *s)
{
	if (j->kind == EXPORT_ACCESS) {
		export_csv_col(w, s, 0, 'i');
		EXPORT_LIT(w, ",");
		export_csv_col(w, s, 1, 'm');
		EXPORT_LIT(w, ",");
		export_csv_col(w, s, 2, 't');
		EXPORT_LIT(w, ",");
		export_csv_col(w, s, 3, 't');
		if (strcmp((const char *)sqlite3_column_text(s, 4),
		    "access_granted") == 0)
			EXPORT_LIT(w, ",granted,");
		else
			EXPORT_LIT(w, ",denied,");
		if (!j->hide_credentials)
			export_csv_col(w, s, 5, 't');
		EXPORT_LIT(w, ",");
		export_csv_col(w, s, 7, 'i');
		EXPORT_LIT(w, ",");
		export_csv_col(w, s, 8, 't');
	} else {
		for (size_t i = 0; i < export_cols[j->kind].n; i++) {
			if (i > 0)
				EXPORT_LIT(w, ",");
			export_csv_col(w, s, (int)i, export_cols[j->kind].cols[i].kind);
		}
	}
	EXPORT_LIT(w, "\r\n");
}

/* Append one audit row (selected as AUDIT_COLUMNS) as audit_entry_json has it. */
static void
export_audit_row(struct export_w *b, sqlite3_stmt *s)
{
	const char *details = (const char *)sqlite3_column_text(s, 8);
	size_t dlen = details != NULL ? (size_t)sqlite3_column_bytes(s, 8) : 0;

	if (details == NULL || memchr(details, '\0', dlen) != NULL) {
		details = "{}";
		dlen = 2;
	}
	EXPORT_LIT(b, "{\"seq\":");
	export_int(b, sqlite3_column_int64(s, 0));
	EXPORT_LIT(b, ",\"ts\":");
	export_col_time(b, s, 1);
	EXPORT_LIT(b, ",\"actor_type\":");
	export_col_str(b, s, 2);
	EXPORT_LIT(b, ",\"actor\":");
	export_col_str(b, s, 3);
	EXPORT_LIT(b, ",\"action\":");
	export_col_str(b, s, 4);
	EXPORT_LIT(b, ",\"object_type\":");
	export_col_str(b, s, 5);
	EXPORT_LIT(b, ",\"object_id\":");
	export_col_str(b, s, 6);
	EXPORT_LIT(b, ",\"site_id\":");
	export_col_int(b, s, 7);
	EXPORT_LIT(b, ",\"details\":");
	export_details(b, details, dlen);
	EXPORT_LIT(b, ",\"details_text\":");
	export_strn(b, details, dlen);
	EXPORT_LIT(b, ",\"source\":");
	export_col_str(b, s, 9);
	EXPORT_LIT(b, ",\"outcome\":");
	export_col_str(b, s, 10);
	EXPORT_LIT(b, ",\"prev_hash\":");
	export_col_str(b, s, 11);
	EXPORT_LIT(b, ",\"hash\":");
	export_col_str(b, s, 12);
	EXPORT_LIT(b, "}\n");
}

/* Append one row of kind as a JSON object of the members in export_cols. */
static void
export_json_row(struct export_w *b, sqlite3_stmt *s, enum export_kind kind)
{
	for (size_t i = 0; i < export_cols[kind].n; i++) {
		export_key(b, export_cols[kind].cols[i].key, i == 0);
		switch (export_cols[kind].cols[i].kind) {
		case 'i': export_col_int(b, s, (int)i); break;
		case 'm': export_col_time(b, s, (int)i); break;
		case 'r': export_col_real(b, s, (int)i); break;
		default: export_col_text(b, s, (int)i); break;
		}
	}
	EXPORT_LIT(b, "}\n");
}

/* Append one access event row, as GET /api/v1/access shows it. */
static void
export_access_row(struct export_job *j, struct export_w *b, sqlite3_stmt *s)
{
	export_key(b, "id", true);
	export_col_int(b, s, 0);
	export_key(b, "ts", false);
	export_col_time(b, s, 1);
	export_key(b, "site", false);
	export_col_text(b, s, 2);
	export_key(b, "point", false);
	export_col_text(b, s, 3);
	export_key(b, "result", false);
	export_str(b, strcmp(store_col_text(s, 4), "access_granted") == 0 ?
	    "granted" : "denied");
	export_key(b, "credential", false);
	if (j->hide_credentials)
		EXPORT_LIT(b, "null");
	else
		export_col_text(b, s, 5);
	export_key(b, "resident", false);
	if (sqlite3_column_type(s, 7) == SQLITE_NULL)
		EXPORT_LIT(b, "null");
	else {
		export_key(b, "id", true);
		export_col_int(b, s, 7);
		export_key(b, "name", false);
		export_col_text(b, s, 8);
		EXPORT_LIT(b, "}");
	}
	EXPORT_LIT(b, "}\n");
}

/*
 * The query continuing kind after ?1 up to ?2 within [?3, ?4) on site ?5 (0:
 * any); its last column is the row's site id for the scope check (NULL: no
 * site, seen only by callers who see every site).
 */
static sqlite3_stmt *
export_query(struct export_job *j)
{
	static const char sql_audit[] =
	    "SELECT " AUDIT_COLUMNS ", site_id FROM audit "
	    "WHERE seq > ?1 AND seq <= ?2 ORDER BY seq";
	static const char sql_alarms[] =
	    "SELECT a.id, s.key, s.name, p.key, p.label, p.type, g.key, a.type, "
	    "a.priority, a.state, a.version, a.count, a.created_ms, a.updated_ms, "
	    "a.last_event_ms, a.acked_ms, a.acked_by, a.assigned_ms, "
	    "a.assigned_by, gd.callsign, a.closed_ms, a.closed_by, a.resolution, "
	    "a.resolution_note, a.site_id "
	    "FROM alarms a JOIN sites s ON s.id = a.site_id "
	    "LEFT JOIN points p ON p.id = a.point_id "
	    "LEFT JOIN gateways g ON g.id = a.gateway_id "
	    "LEFT JOIN guards gd ON gd.id = a.guard_id "
	    "WHERE a.id > ?1 AND a.id <= ?2 AND a.created_ms >= ?3 "
	    "AND a.created_ms < ?4 AND (?5 = 0 OR a.site_id = ?5) ORDER BY a.id";
	static const char sql_events[] =
	    "SELECT e.id, s.key, p.key, g.key, e.gw_event_id, e.type, e.value, "
	    "e.credential, e.sensor_ms, e.received_ms, e.class, e.alarm_id, "
	    "e.site_id FROM events e JOIN sites s ON s.id = e.site_id "
	    "LEFT JOIN points p ON p.id = e.point_id "
	    "LEFT JOIN gateways g ON g.id = e.gateway_id "
	    "WHERE e.id > ?1 AND e.id <= ?2 AND e.received_ms >= ?3 "
	    "AND e.received_ms < ?4 AND (?5 = 0 OR e.site_id = ?5) ORDER BY e.id";
	static const char sql_positions[] =
	    "SELECT p.id, gd.callsign, p.ts_ms, p.lat, p.lon, p.accuracy, "
	    "p.received_ms, gd.site_id FROM positions p "
	    "JOIN guards gd ON gd.id = p.guard_id "
	    "WHERE p.id > ?1 AND p.id <= ?2 AND p.ts_ms >= ?3 AND p.ts_ms < ?4 "
	    "AND (?5 = 0 OR gd.site_id = ?5) ORDER BY p.id";
	static const char sql_access[] =
	    "SELECT e.id, e.sensor_ms, s.key, p.key, e.type, e.credential, "
	    "e.site_id, r.id, r.name FROM events e "
	    "JOIN sites s ON s.id = e.site_id "
	    "LEFT JOIN points p ON p.id = e.point_id "
	    "LEFT JOIN residents r ON r.id = e.resident_id "
	    "WHERE e.id > ?1 AND e.id <= ?2 AND e.sensor_ms >= ?3 "
	    "AND e.sensor_ms < ?4 AND (?5 = 0 OR e.site_id = ?5) "
	    "AND e.type IN ('access_granted', 'access_denied') ORDER BY e.id";
	const char *sql;
	sqlite3_stmt *s;

	switch (j->kind) {
	case EXPORT_AUDIT: sql = sql_audit; break;
	case EXPORT_ALARMS: sql = sql_alarms; break;
	case EXPORT_EVENTS: sql = sql_events; break;
	case EXPORT_POSITIONS: sql = sql_positions; break;
	default: sql = sql_access; break;
	}
	s = store_stmt(j->srv->st, sql);
	store_bind_int(s, 1, j->after);
	store_bind_int(s, 2, j->upto);
	if (j->kind != EXPORT_AUDIT) {
		store_bind_int(s, 3, j->since_ms);
		store_bind_int(s, 4, j->until_ms);
		store_bind_int(s, 5, j->site_id);
	}
	return s;
}

/* The column of the row's site id in export_query's statement. */
static int
export_site_col(enum export_kind kind)
{
	switch (kind) {
	case EXPORT_AUDIT: return 13;
	case EXPORT_ALARMS: return 24;
	case EXPORT_EVENTS: return 12;
	case EXPORT_POSITIONS: return 7;
	default: return 6;
	}
}

/* Append the next rows, up to about want bytes; 1 more, 0 all sent, -1 failed. */
static int
export_rows(struct export_job *j, struct buf *out, size_t want)
{
	sqlite3_stmt *s = export_query(j);
	struct export_w *w = &j->w;
	int col = export_site_col(j->kind), rc = SQLITE_DONE;

	w->len = 0;
	while (w->len < want && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);

		j->after = id;
		if (sqlite3_column_type(s, col) == SQLITE_NULL ?
		    !j->who.all_sites :
		    !principal_sees_site(&j->who, sqlite3_column_int64(s, col)))
			continue;
		if (j->csv)
			export_csv_row(j, w, s);
		else switch (j->kind) {
		case EXPORT_AUDIT: export_audit_row(w, s); break;
		case EXPORT_ACCESS: export_access_row(j, w, s); break;
		default: export_json_row(w, s, j->kind); break;
		}
		j->rows++;
	}
	sqlite3_reset(s);
	if (w->len > 0 && buf_add(out, w->data, w->len) != 0)
		return -1;
	if (w->len >= want)
		return 1;
	if (rc != SQLITE_DONE) {
		log_error("export: cannot read after %" PRId64 ": %s", j->after,
		    store_errmsg(j->srv->st));
		return -1;
	}
	return 0;
}

/* Append the next checkpoints; 1 more, 0 all sent, -1 failed. */
static int
export_checkpoints(struct export_job *j, struct buf *out, size_t want)
{
	static const char sql[] =
	    "SELECT id, seq, hash, ts_ms, public_key, signature "
	    "FROM audit_checkpoints WHERE seq >= ?1 AND seq <= ?2 AND id > ?3 "
	    "ORDER BY id";
	sqlite3_stmt *s = store_stmt(j->srv->st, sql);
	struct export_w *w = &j->w;
	int rc = SQLITE_DONE;

	store_bind_int(s, 1, j->first);
	store_bind_int(s, 2, j->upto);
	store_bind_int(s, 3, j->ckpt_after);
	w->len = 0;
	while (w->len < want && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		j->ckpt_after = sqlite3_column_int64(s, 0);
		EXPORT_LIT(w, "{\"checkpoint\":{\"seq\":");
		export_int(w, sqlite3_column_int64(s, 1));
		export_key(w, "hash", false);
		export_col_text(w, s, 2);
		export_key(w, "ts", false);
		export_col_time(w, s, 3);
		export_key(w, "key", false);
		export_col_text(w, s, 4);
		export_key(w, "signature", false);
		export_col_text(w, s, 5);
		EXPORT_LIT(w, "}}\n");
	}
	sqlite3_reset(s);
	if (w->len > 0 && buf_add(out, w->data, w->len) != 0)
		return -1;
	if (w->len >= want)
		return 1;
	if (rc != SQLITE_DONE) {
		log_error("export: cannot read the checkpoints: %s",
		    store_errmsg(j->srv->st));
		return -1;
	}
	return 0;
}

/* The producer of an export reply (http_stream_fill_fn). */
static int
export_fill(void *arg, struct buf *out, size_t want)
{
	struct export_job *j = arg;
	int rc;

	/* Never read inside someone's write transaction: wait for its end. */
	if (store_in_tx(j->srv->st))
		return 1;
	if (j->phase == EXPORT_CHECKPOINTS) {
		if ((rc = export_checkpoints(j, out, want)) != 0)
			return rc;
		j->phase = EXPORT_ROWS;
	}
	if (j->phase == EXPORT_ROWS) {
		if ((rc = export_rows(j, out, want)) < 0) {
			buf_adds(out, "{\"error\":{\"code\":\"internal\",\"message\":"
			    "\"the export could not be read to its end\"}}\n");
			return -1;
		}
		if (rc > 0)
			return 1;
		j->phase = EXPORT_END;
	}
	buf_addf(out, "{\"end\":{\"rows\":%" PRId64 ",\"last\":%" PRId64 "}}\n",
	    j->rows, j->after);
	return 0;
}

/* Free an export's state (http_stream_free_fn). */
static void
export_free(void *arg)
{
	struct export_job *j = arg;

	free(j->w.data);
	free(j);
}

/* One integer from a query whose text is static; 0 when it gives no row. */
static int64_t
export_scalar(struct server *srv, const char *sql, int64_t arg)
{
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int64_t v = 0;

	store_bind_int(s, 1, arg);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

/* The newest row of kind (seq or id): where the export stops. */
static int64_t
export_head(struct server *srv, enum export_kind kind)
{
	static const char sql_audit[] = "SELECT coalesce(max(seq), 0) FROM audit";
	static const char sql_alarms[] = "SELECT coalesce(max(id), 0) FROM alarms";
	static const char sql_events[] = "SELECT coalesce(max(id), 0) FROM events";
	static const char sql_positions[] =
	    "SELECT coalesce(max(id), 0) FROM positions";

	switch (kind) {
	case EXPORT_AUDIT: return export_scalar(srv, sql_audit, 0);
	case EXPORT_ALARMS: return export_scalar(srv, sql_alarms, 0);
	case EXPORT_POSITIONS: return export_scalar(srv, sql_positions, 0);
	default: return export_scalar(srv, sql_events, 0);
	}
}

/*
 * Narrow an audit export to the entries of [since, until): a contiguous run
 * of seqs, so that the chain can be checked over it.
 */
static void
export_audit_range(struct export_job *j)
{
	static const char sql_first[] =
	    "SELECT coalesce(min(seq), 0) FROM audit WHERE ts_ms >= ?";
	static const char sql_last[] =
	    "SELECT coalesce(max(seq), 0) FROM audit WHERE ts_ms < ?";
	int64_t v;

	if (j->since_ms > INT64_MIN) {
		v = export_scalar(j->srv, sql_first, j->since_ms);
		if (v == 0)
			j->after = j->upto;
		else if (v - 1 > j->after)
			j->after = v - 1;
	}
	if (j->until_ms < INT64_MAX) {
		v = export_scalar(j->srv, sql_last, j->until_ms);
		if (v < j->upto)
			j->upto = v;
	}
}

/* The site called key for the export's site= argument; false after replying. */
static bool
export_site(struct server *srv, struct http_req *req, struct http_resp *resp,
    const char *key, int64_t *site_id)
{
	static const char sql[] = "SELECT id FROM sites WHERE key = ?";
	sqlite3_stmt *s = store_stmt(srv->st, sql);

	store_bind_text(s, 1, key);
	*site_id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (*site_id == 0) {
		resp_error(resp, 422, "invalid", "site: no site \"%.64s\"", key);
		return false;
	}
	if (!principal_sees_site(&req->who, *site_id)) {
		resp_error(resp, 403, "forbidden", "site: \"%.64s\" is not one of "
		    "your sites", key);
		return false;
	}
	return true;
}

/* GET /api/v1/export/:kind: stream the rows of one kind as JSON lines. */
API_HANDLER(api_export)
{
	static const char *const known[] = { "since", "until", "site", "after",
	    "format", NULL };
	const char *name = req->params[0], *site, *format;
	struct export_job *j;
	enum export_kind kind = EXPORT_AUDIT;
	bool found = false;

	for (size_t i = 0; i < ARRAY_LEN(export_kinds) && !found; i++)
		if (strcmp(export_kinds[i].name, name) == 0) {
			kind = export_kinds[i].kind;
			found = true;
		}
	if (!found) {
		resp_error(resp, 404, "not_found", "no such export: %.64s (audit, "
		    "alarms, events, positions or access-history)", name);
		return ROUTE_DONE;
	}
	if (kind == EXPORT_AUDIT && req->who.role != ROLE_ADMIN &&
	    req->who.role != ROLE_SUPERVISOR) {
		resp_error(resp, 403, "forbidden", "the %s role may not export the "
		    "audit log", role_name(req->who.role));
		return ROUTE_DONE;
	}
	if (apiarg_known(req, resp, known) != 0)
		return ROUTE_DONE;
	j = xcalloc(1, sizeof *j);
	j->srv = srv;
	j->kind = kind;
	j->who = req->who;
	j->hide_credentials = req->who.role == ROLE_DISPATCHER;
	j->since_ms = INT64_MIN;
	j->until_ms = INT64_MAX;
	j->phase = EXPORT_ROWS;
	if (apiarg_time(req, resp, "since", &j->since_ms) != 0 ||
	    apiarg_time(req, resp, "until", &j->until_ms) != 0 ||
	    apiarg_int(req, resp, "after", 0, INT64_MAX, &j->after) != 0)
		goto refused;
	if ((format = http_arg(req, "format")) != NULL) {
		if (strcmp(format, "csv") == 0)
			j->csv = true;
		else if (strcmp(format, "jsonl") != 0) {
			resp_error(resp, 400, "malformed", "format: jsonl (the "
			    "default) or csv");
			goto refused;
		}
	}
	if ((site = http_arg(req, "site")) != NULL) {
		if (kind == EXPORT_AUDIT) {
			resp_error(resp, 400, "malformed", "site: the audit log is "
			    "exported whole (its chain cannot be checked with "
			    "entries left out)");
			goto refused;
		}
		if (!export_site(srv, req, resp, site, &j->site_id))
			goto refused;
	}
	if (kind == EXPORT_AUDIT && !j->csv)
		j->phase = EXPORT_CHECKPOINTS;
	if (kind == EXPORT_AUDIT && j->until_ms == INT64_MAX)
		checkpoint_record(srv->st, vtime_now_ms());
	j->upto = export_head(srv, kind);
	if (kind == EXPORT_AUDIT)
		export_audit_range(j);
	j->first = j->after + 1;
	log_info("export: %s for %s, rows %" PRId64 " to %" PRId64, name,
	    req->who.name, j->after + 1, j->upto);
	resp_stream(resp, j->csv ? "text/csv; charset=utf-8" :
	    "application/x-ndjson", export_fill, export_free, j);
	return ROUTE_STREAMED;
refused:
	free(j);
	return ROUTE_DONE;
}

/* GET /api/v1/audit/key: the public key that signs the audit's checkpoints. */
API_HANDLER(api_audit_key)
{
	const char *key = checkpoint_public_key();

	(void)srv;
	(void)req;
	if (key == NULL) {
		resp_error(resp, 503, "unavailable", "this server has no audit key");
		return ROUTE_DONE;
	}
	resp_json(resp, 200, json_pack("{s:s, s:s}", "algorithm", "ed25519",
	    "key", key));
	return ROUTE_DONE;
}
