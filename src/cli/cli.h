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
