/*
 * cli.h: the headless subcommands of vigil and what they share.
 *
 * Each subcommand is a function taking its own argv (argv[0] is its name)
 * and returning the process's exit status (sysexits.h).  main.c holds the
 * table that dispatches to them and prints their one-line help.
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A subcommand: vigil NAME ARGS... */
struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;     /* usage after the name */
	const char *help;     /* one line */
};

/* vigil login URL [--user NAME]: log in and store the session. */
int cmd_login(int argc, char **argv);
/* vigil logout: end the session on the server and forget it. */
int cmd_logout(int argc, char **argv);
/* vigil watch [--types GLOBS] [--site KEY] [--since SEQ]: print the stream. */
int cmd_watch(int argc, char **argv);
/* vigil demo: a private server, simulated sites and guards, and the console. */
int cmd_demo(int argc, char **argv);
/* vigil keys: print the console's key table (for vigil(1) and scripts). */
int cmd_keys(int argc, char **argv);
/* vigil config --list: print the console's settings and where they come from. */
int cmd_config(int argc, char **argv);
/* vigil alarm list|show|ack|assign|close|note: act on alarms from scripts. */
int cmd_alarm(int argc, char **argv);
/* vigil guard list: print the guards. */
int cmd_guard(int argc, char **argv);
/* vigil export KIND [options]: the rows of one kind, written as they stream. */
int cmd_export(int argc, char **argv);
/* vigil audit verify FILE|--server: check an audit export on this side. */
int cmd_audit(int argc, char **argv);
/* vigil residents list|show|add|edit|remove|import|export: residents from scripts. */
int cmd_residents(int argc, char **argv);
/* vigil access grant|suspend|revoke|resume|list: access rights and history. */
int cmd_access(int argc, char **argv);

/*
 * Synchronous calls to the server of the session (VIGIL_URL, VIGIL_TOKEN
 * or the stored one) for the headless commands; in cli_api.c.
 * cli_api_open returns NULL with *status set to an exit status after a
 * message.  cli_api_call makes one call on the path fmt formats, with body
 * (stolen; NULL for none), and returns 0 with the reply's JSON object in
 * *out (caller decrefs; out may be NULL), or an exit status after a message
 * on stderr, *out NULL: 69 unreachable or 5xx, 77 for 401 and 403, 66 for
 * 404, 75 for 409, 65 for 400 and 422, 76 for anything unexpected.
 * cli_api_list reads every page of the list at path (its filters in the
 * query), following each reply's "next" as "after": at most limit rows (0:
 * all) of the array member key of the replies into *rows (caller decrefs);
 * 0 or an exit status after a message.
 */
struct cli_api;
struct json_t;
struct cli_api *cli_api_open(const char *cmd, int *status);
int cli_api_call(struct cli_api *a, const char *method, struct json_t *body,
    struct json_t **out, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int cli_api_list(struct cli_api *a, const char *path, const char *key,
    int64_t limit, struct json_t **rows);
void cli_api_close(struct cli_api *a);

/* A column of a table printed by cli_table: its heading, widest, getter. */
struct cli_col {
	const char *head;
	int max;              /* columns at most */
	bool right;           /* right-aligned (numbers) */
	/*
	 * The cell's text for row (may point into row or into buf), never
	 * NULL; when get is NULL, cli_text of member key of row.
	 */
	const char *(*get)(struct json_t *row, char *buf, size_t size);
	const char *key;
};
/*
 * The text of a JSON value for a table cell: a string as it is, a number
 * written into buf, yes or no, and "-" for null or missing.
 */
const char *cli_text(struct json_t *v, char *buf, size_t size);
/*
 * Print rows (a JSON array) as an aligned table on stdout, each cell
 * sanitized for the terminal; 0 or EX_IOERR after a message.
 */
int cli_table(const struct cli_col *cols, size_t ncols, struct json_t *rows);
/*
 * Print v as one line of compact JSON on stdout, characters outside ASCII
 * as \u escapes; 0 or EX_IOERR after a message.
 */
int cli_json_line(struct json_t *v);
/* Print v as one such line and flush stdout; 0 or EX_IOERR after a message. */
int cli_json_print(struct json_t *v);
/*
 * Print rows (a JSON array) as JSON lines when json, else as the table of
 * cols, and flush stdout; 0 or EX_IOERR after a message.
 */
int cli_rows(bool json, const struct cli_col *cols, size_t ncols,
    struct json_t *rows);
/* The sanitize flags for text printed on stdout (after setlocale). */
int cli_text_flags(void);
/* Check that stdout took everything; 0 or EX_IOERR after a message. */
int cli_flush(void);

/*
 * Arguments the headless commands share, in cli_args.c: cli_parse_id reads
 * an id (a number from 1) of what, -1 after a message by cmd that names it;
 * cli_is_key says whether arg is a key of the server's alphabet (site,
 * point, group, alarm type).
 */
int cli_parse_id(const char *cmd, const char *what, const char *arg,
    int64_t *id);
bool cli_is_key(const char *arg);

/* Print "vigil CMD: message" to stderr (and to the log file, if one is open). */
void cli_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print the usage line of subcommand name to stderr; returns EX_USAGE. */
int cli_usage(const char *name);
/* Print the usage line of subcommand name and its options help to stdout; returns 0. */
int cli_help(const char *name, const char *options);

/*
 * Read one line of at most max bytes from the terminal or standard input
 * (without echo when secret and reading a terminal), after writing prompt
 * to stderr when reading a terminal.  The newline is removed.  Returns a
 * string the caller frees (secret ones with cli_free_secret), or NULL with
 * *cause (end of input, too long).
 */
char *cli_prompt(const char *prompt, bool secret, size_t max, char **cause);
/* Wipe and free a secret read by cli_prompt. */
void cli_free_secret(char *s);

#endif
