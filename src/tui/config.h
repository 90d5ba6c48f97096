/*
 * config.h: the console's settings, from $XDG_CONFIG_HOME/vigil/config.
 *
 * Every option is a row of config.c's table (name, type, default, help);
 * the parser, "vigil config --list" (config_print) and the check of
 * vigil.conf(5) read the same rows.  A bad line never stops the console:
 * it is reported as "file:line: message" in c->errors and the rest of the
 * file still applies.
 *
 * Precedence, lowest first: the compiled-in defaults (config_init), the
 * file (config_load), the environment (config_apply_env: VIGIL_URL,
 * VIGIL_THEME), the command line (config_set with CONFIG_FROM_COMMAND_LINE).
 *
 *	struct config c;
 *	config_init(&c);
 *	config_load(&c, path_or_NULL);
 *	config_apply_env(&c);
 *	if (opt_theme != NULL && config_set(&c, "console.theme", opt_theme,
 *	    CONFIG_FROM_COMMAND_LINE, &cause) != 0) ...
 *	for (i = 0; i < c.nerrors; i++) log_warn("%s", c.errors[i]);
 *	...
 *	config_release(&c);
 *
 * [keys] accepts any "action = KEY [KEY...]" pair with valid key names and
 * keeps it in c.keys; which actions exist is the key table's business
 * (config_error reports an unknown one with its line).
 */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "log.h"

/* The options; the table in config.c has one row for each, in this order. */
enum config_opt {
	CONFIG_SERVER_URL,
	CONFIG_USER_NAME,
	CONFIG_CONSOLE_THEME,
	CONFIG_CONSOLE_CLOCK,
	CONFIG_CONSOLE_LINES,
	CONFIG_CONSOLE_STALE_AFTER,
	CONFIG_CONSOLE_WARNING_AFTER,
	CONFIG_CONSOLE_OVERDUE_AFTER,
	CONFIG_BELL_ENABLED,
	CONFIG_BELL_PRIORITIES,
	CONFIG_BELL_REPEAT,
	CONFIG_BELL_NOTIFY,
	CONFIG_LOG_FILE,
	CONFIG_LOG_LEVEL,
	CONFIG_NOPTIONS
};

/* How an option's value is written and checked. */
enum config_type {
	CONFIG_T_URL,         /* http:// or https:// URL */
	CONFIG_T_USER,        /* a user name as vigild allows them */
	CONFIG_T_THEME,       /* a theme name or a path with a "/" */
	CONFIG_T_PATH,        /* a file; "~/" is the home directory */
	CONFIG_T_BOOL,        /* yes|no (also true|false, on|off, 1|0) */
	CONFIG_T_SECONDS,     /* a whole number of seconds from min to max */
	CONFIG_T_CHOICE,      /* one of choices */
	CONFIG_T_PRIORITIES   /* priorities: "1,2", "1-3", "none" */
};

enum config_clock { CONFIG_CLOCK_UTC, CONFIG_CLOCK_LOCAL };
enum config_lines { CONFIG_LINES_AUTO, CONFIG_LINES_UNICODE, CONFIG_LINES_ASCII };
enum config_notify {
	CONFIG_NOTIFY_AUTO,   /* the one the terminal is known to show, if any */
	CONFIG_NOTIFY_OSC9,
	CONFIG_NOTIFY_OSC777,
	CONFIG_NOTIFY_OFF
};

/* Where an option's value came from. */
enum config_origin {
	CONFIG_FROM_DEFAULT,
	CONFIG_FROM_FILE,
	CONFIG_FROM_ENV,
	CONFIG_FROM_COMMAND_LINE
};

/* One row of the option table. */
struct config_option {
	const char *name;     /* "bell.repeat": section.key */
	enum config_type type;
	const char *dflt;     /* the default as written in the file; "" for none */
	int min, max;         /* CONFIG_T_SECONDS */
	const char *const *choices; /* CONFIG_T_CHOICE: index = value; NULL ends */
	const char *env;      /* environment variable that overrides it, or NULL */
	const char *arg;      /* what the value looks like, for help: "SECONDS" */
	const char *help;     /* one line */
};

/* One [keys] entry. */
struct config_binding {
	char *action;         /* the name left of "=" */
	int keys[LIMIT_KEYS_PER_ACTION]; /* curses codes, see config_key_parse */
	int nkeys;            /* 0 when the action is unbound ("none") */
	int line;             /* in the file */
};

/* The settings. */
struct config {
	char *path;           /* the file read, or NULL */
	char *url;            /* [server] url, NULL when not set */
	char *user;           /* [user] name, NULL when not set */
	char *theme;          /* [console] theme */
	int clock;            /* enum config_clock */
	int lines;            /* enum config_lines */
	int stale_after;      /* seconds before a guard's position is stale */
	int warning_after;    /* seconds until an unacknowledged alarm warns */
	int overdue_after;    /* ... and "overdue" */
	bool bell;            /* [bell] enabled */
	unsigned priorities;  /* bit p set: priority p rings the bell */
	int repeat;           /* seconds between rings until acknowledged; 0 once */
	int notify;           /* enum config_notify */
	char *log_file;       /* NULL: the console's own default */
	int log_level;        /* enum log_level */
	struct config_binding *keys;
	size_t nkeys;
	enum config_origin origin[CONFIG_NOPTIONS];
	int line[CONFIG_NOPTIONS]; /* file line of each value from the file */
	char **errors;        /* "file:line: message", for the log */
	size_t nerrors;
};

/* The option table, CONFIG_NOPTIONS rows in enum config_opt order. */
extern const struct config_option config_options[CONFIG_NOPTIONS];

/* Set every option of c to its default; no file, no errors. */
void config_init(struct config *c);
/* Free what c holds. */
void config_release(struct config *c);
/*
 * The default file: $XDG_CONFIG_HOME/vigil/config, else
 * ~/.config/vigil/config.  Caller frees; NULL with *cause when neither
 * XDG_CONFIG_HOME nor HOME is an absolute path.
 */
char *config_default_path(char **cause);
/*
 * Read the file at path, or the default file when path is NULL (its absence
 * is then not an error).  Returns 0, or -1 when anything was wrong: the
 * messages are in c->errors and every good line still applied.
 */
int config_load(struct config *c, const char *path);
/* As config_load, from text of len bytes named path in messages. */
int config_parse(struct config *c, const char *path, const char *text,
    size_t len);
/*
 * Apply VIGIL_URL and VIGIL_THEME when set and not empty; a bad value goes
 * to c->errors and -1 is returned.
 */
int config_apply_env(struct config *c);
/*
 * Set option name ("bell.repeat", or "keys.ACTION") to value, coming from
 * origin.  Returns 0, or -1 with *cause (naming the option) and c unchanged.
 */
int config_set(struct config *c, const char *name, const char *value,
    enum config_origin origin, char **cause);
/* The option called name ("console.theme"), or -1. */
int config_find(const char *name);
/* Write option opt's value as the file would say it ("" when unset). */
void config_format(const struct config *c, enum config_opt opt, char *buf,
    size_t len);
/*
 * Print every option with its value and where it came from, then the key
 * bindings: what "vigil config --list" shows; with help, each option's
 * one-line help and default too.
 */
void config_print(const struct config *c, FILE *f, bool help);
/* Add "path:line: message" to c->errors (line 0: no line). */
void config_error(struct config *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True when an alarm of priority p rings the bell under c. */
bool config_bell_rings(const struct config *c, int priority);
/* The [keys] entry for action, or NULL. */
const struct config_binding *config_binding(const struct config *c,
    const char *action);

/*
 * Parse one key name into a curses key code: a printable ASCII character
 * ("a", "?"), ^X for a control character ("^L"), F1 to F12, Enter
 * (KEY_ENTER; treat '\r' and '\n' alike), Esc (27), Tab, BTab (KEY_BTAB),
 * Space, Backspace (KEY_BACKSPACE), Del, Ins, Up, Down, Left, Right, PgUp,
 * PgDn, Home, End; names are case-insensitive.  Returns 0, or -1 with *cause.
 */
int config_key_parse(const char *s, int *code, char **cause);
/* The name of key code as config_key_parse reads it ("^L", "F5", "a") into buf. */
void config_key_name(int code, char *buf, size_t len);

/*
 * Read an INI text of len bytes with libinih, calling fn for each section
 * header (key and value NULL) and each key = value (section "" before any
 * header), with its line; and err for each line that is not one of those
 * (with the line and a message).  Leading blanks are skipped (no
 * continuation lines), a UTF-8 byte order mark is skipped, control
 * characters and lines longer than libinih takes are errors.  Used for the
 * config and the theme files alike.
 */
void config_ini_parse(const char *text, size_t len,
    void (*fn)(void *arg, int line, const char *section, const char *key,
    const char *value),
    void (*err)(void *arg, int line, const char *message), void *arg);
/*
 * Read the whole file at path, at most max bytes, NUL-terminated, into *out
 * (caller frees) with its length in *len.  Returns 0; -1 with *cause (naming
 * path); and 1 when it does not exist and missing_ok.
 */
int config_read_file(const char *path, size_t max, bool missing_ok, char **out,
    size_t *len, char **cause);

#endif
