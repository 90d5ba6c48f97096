/*
 * vigil: the console, and its headless subcommands.
 *
 * "vigil COMMAND ..." runs a subcommand from cli_cmds; "vigil" alone will
 * open the console.  See vigil(1).
 */
#include "compat.h"

#include <getopt.h>
#include <signal.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "log.h"
#include "tui.h"

/* The subcommands; "vigil --help" and the usage lines are printed from here. */
static const struct cli_cmd cli_cmds[] = {
	{ "login", cmd_login, "URL [--user NAME]",
	    "log in to a vigild server and keep the session" },
	{ "logout", cmd_logout, "",
	    "end the session on the server and forget it" },
	{ "watch", cmd_watch, "[--types GLOBS] [--site KEY] [--since SEQ]",
	    "print the live stream of changes as JSON lines" },
	{ "alarm", cmd_alarm, "list [--state S] [--site KEY] [--priority N] "
	    "[--json] | show ID [--json] | ack ID | assign ID GUARD | "
	    "close ID RESOLUTION NOTE... | note ID TEXT... [--quiet]",
	    "list, show and act on alarms from scripts" },
	{ "guard", cmd_guard, "list [--json]", "list the guards" },
	{ "export", cmd_export, "KIND [--since TIME] [--until TIME] [--site KEY] "
	    "[--format csv|jsonl|json] [--tz ZONE] [-o FILE] [--after SEQ]",
	    "write the audit, alarms, events, positions or access history" },
	{ "audit", cmd_audit, "verify FILE|--server [--key KEY] [--quiet]",
	    "check an exported audit log without trusting the server" },
	{ "residents", cmd_residents, "list [--site KEY] [--search TEXT] | "
	    "show ID | add --site KEY --name NAME --unit B/E/A [...] | "
	    "edit ID [...] | remove ID | import FILE --site KEY [--dry-run] | "
	    "export --site KEY [-o FILE] [--json] [--quiet]",
	    "list, show, add, change, remove, import and export residents" },
	{ "access", cmd_access, "grant RESIDENT --point KEY|--group KEY "
	    "[--days D] [--from HH:MM] [--until HH:MM] [--valid-from T] "
	    "[--valid-until T] | suspend RIGHT --reason TEXT | revoke RIGHT "
	    "--reason TEXT | resume RIGHT | list [--site KEY] [--resident ID] "
	    "[--point KEY] [--since T] [--result R] [--json] [--quiet]",
	    "grant, suspend, revoke and resume access rights; access history" },
	{ "demo", cmd_demo, "",
	    "run a private server with simulated sites and open the console" },
	{ "keys", cmd_keys, "", "print the console's keys" },
	{ "config", cmd_config, "--list [--help]", "print the console's settings" },
};

/* The subcommand called name, or NULL. */
static const struct cli_cmd *
cli_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(cli_cmds); i++)
		if (strcmp(cli_cmds[i].name, name) == 0)
			return &cli_cmds[i];
	return NULL;
}

/* Print "vigil CMD: message" to stderr (and to the log file, if one is open). */
void
cli_error(const char *cmd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (cmd != NULL)
		fprintf(stderr, "vigil %s: %s\n", cmd, msg);
	else
		fprintf(stderr, "vigil: %s\n", msg);
	fflush(stderr);
	log_msg(LOG_INFO, "%s%s%s", cmd != NULL ? cmd : "", cmd != NULL ? ": " :
	    "", msg);
}

/* Print the usage line of subcommand name to stderr; returns EX_USAGE. */
int
cli_usage(const char *name)
{
	const struct cli_cmd *c = cli_find(name);

	if (c != NULL)
		fprintf(stderr, "usage: vigil %s%s%s\n", c->name,
		    c->args[0] != '\0' ? " " : "", c->args);
	return EX_USAGE;
}

/* Print the usage line of subcommand name and its options help to stdout. */
int
cli_help(const char *name, const char *options)
{
	const struct cli_cmd *c = cli_find(name);

	if (c == NULL)
		return EX_SOFTWARE;
	printf("usage: vigil %s%s%s\n%s.\n", c->name, c->args[0] != '\0' ?
	    " " : "", c->args, c->help);
	if (options != NULL && options[0] != '\0')
		printf("\n%s", options);
	return 0;
}

/* Print the program's usage and its subcommands to f. */
static void
cli_main_usage(FILE *f)
{
	fprintf(f, "usage: vigil [--log FILE] [COMMAND [ARGS...]]\n\n"
	    "Without a command, vigil opens the console.  Commands:\n");
	for (size_t i = 0; i < ARRAY_LEN(cli_cmds); i++)
		fprintf(f, "  %-10s %s\n", cli_cmds[i].name, cli_cmds[i].help);
	fprintf(f, "\n\"vigil COMMAND --help\" describes a command; "
	    "see vigil(1).\n");
}

/* Set up what every command needs: signals, libsodium. */
static void
cli_main_init(void)
{
	/* A closed pipe is an error from write(), not a fatal signal. */
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0)
		fatal("libsodium cannot start");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *c;
	const char *log_path = NULL;
	int ch;

	/* "+": options after the command word are the command's own. */
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			log_path = optarg;
			break;
		case 'h':
			cli_main_usage(stdout);
			return 0;
		case 'V':
			printf("vigil %s\n", VIGIL_VERSION);
			return 0;
		default:
			cli_main_usage(stderr);
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;

	if (log_path != NULL) {
		if (log_open(log_path, LOG_DEBUG) != 0) {
			cli_error(NULL, "cannot open %s: %s", log_path,
			    strerror(errno));
			return EX_CANTCREAT;
		}
	} else
		log_open(NULL, LOG_WARN);

	if (argc == 0) {
		cli_main_init();
		{
			int rc = console_main(0, NULL);

			if (console_hung_up)
				_exit(rc);
			return rc;
		}
	}
	if ((c = cli_find(argv[0])) == NULL) {
		cli_error(NULL, "unknown command \"%s\"", argv[0]);
		cli_main_usage(stderr);
		return EX_USAGE;
	}
	cli_main_init();
	/* Each command parses its own options from optind 1 of its argv. */
	optind = 0;
	{
		int rc = c->run(argc, argv);

		/* vigil demo has cleaned up by now; see console_hung_up. */
		if (console_hung_up)
			_exit(rc);
		return rc;
	}
}
