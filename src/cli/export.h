/*
 * export.h: reading an export from vigild as it streams, for "vigil export"
 * and "vigil audit verify --server" (in cmd_export.c).
 *
 * GET /api/v1/export/KIND with the session's token; each line of the reply
 * (a row, or for the audit a checkpoint) is handed to a callback as soon as
 * it has arrived whole, so nothing but one line is ever held.  The reply's
 * last line ({"end":{"rows","last"}}) is taken here: a reply without it was
 * cut.  With format=csv the server sends CSV records (a quoted cell may hold
 * a newline) and the control lines ({"end"}, {"error"}) between them: each
 * record is handed over whole, without its CR LF.  SIGINT and SIGTERM stop the transfer cleanly.
 */
#ifndef VIGIL_CLI_EXPORT_H
#define VIGIL_CLI_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called with each line (without its newline); 0 to go on, else an exit status. */
typedef int export_line_fn(void *arg, const char *line, size_t len);

struct export_fetch {
	const char *cmd;          /* "export", "audit": for messages */
	const char *kind;         /* audit, alarms, ... */
	const char *query;        /* "since=...&after=..." (encoded) or "" */
	export_line_fn *line;
	void *arg;
	bool progress;            /* rows and rate on stderr as they come */
	bool csv;                 /* the query asks for CSV: records, not lines */
	/* Filled in: */
	int64_t rows;             /* lines handed over (rows and checkpoints) */
	bool complete;            /* the end line came */
	int signal;               /* the signal that stopped it, or 0 */
};

/*
 * Run the export; 0 when every line came and was handled, else an exit
 * status after a message (69 unreachable or cut, 77 refused, 65 a refused
 * argument, 66 unknown kind, 76 a malformed reply, 128 + N after signal N,
 * or what the callback returned).
 */
int export_fetch_run(struct export_fetch *f);
/* The server's URL of the session, for messages (after export_fetch_run). */
const char *export_fetch_url(void);

#endif
