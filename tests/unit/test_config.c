/* test_config.c: the console's config file: every option, bad lines, precedence, keys. */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <curses.h>

#include "config.h"
#include "theme.h"
#include "unittest.h"

/* The environment variables the tests change, saved around each test. */
static const char *const env_names[] = { "VIGIL_URL", "VIGIL_THEME",
	"XDG_CONFIG_HOME", "HOME" };
static char *env_saved[4];

/* Save the environment the tests change and clear the overrides. */
static int
setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(env_names); i++) {
		const char *v = getenv(env_names[i]);

		env_saved[i] = v != NULL ? xstrdup(v) : NULL;
	}
	unsetenv("VIGIL_URL");
	unsetenv("VIGIL_THEME");
	return 0;
}

/* Put the environment back. */
static int
teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(env_names); i++) {
		if (env_saved[i] != NULL)
			setenv(env_names[i], env_saved[i], 1);
		else
			unsetenv(env_names[i]);
		free(env_saved[i]);
		env_saved[i] = NULL;
	}
	return 0;
}

/* Print c's errors, to explain a failure. */
static void
dump_errors(const struct config *c)
{
	for (size_t i = 0; i < c->nerrors; i++)
		print_message("error: %s\n", c->errors[i]);
}

/* Parse text as a file called "cfg" over defaults. */
static int
parse(struct config *c, const char *text)
{
	config_init(c);
	return config_parse(c, "cfg", text, strlen(text));
}

/* Option opt of c as the file would write it (static buffer). */
static const char *
value(const struct config *c, int opt)
{
	static char buf[LIMIT_PATH_LEN + 64];

	config_format(c, (enum config_opt)opt, buf, sizeof buf);
	return buf;
}

/* The table: a row per option, in order, with help, and defaults that read. */
static void
test_table(void **state)
{
	struct config c;

	(void)state;
	for (int i = 0; i < CONFIG_NOPTIONS; i++) {
		const struct config_option *o = &config_options[i];
		const char *dot;

		assert_non_null(o->name);
		dot = strchr(o->name, '.');
		assert_non_null(dot);
		assert_true(dot > o->name && dot[1] != '\0');
		assert_null(strchr(dot + 1, '.'));
		assert_non_null(o->help);
		assert_non_null(o->arg);
		assert_non_null(o->dflt);
		assert_int_equal(config_find(o->name), i);
		if (o->type == CONFIG_T_SECONDS)
			assert_true(o->min <= o->max);
		if (o->type == CONFIG_T_CHOICE)
			assert_non_null(o->choices);
	}
	assert_int_equal(config_find("bell.volume"), -1);
	assert_int_equal(config_find("bell"), -1);

	/* Defaults, and every value printed back the way the file writes it. */
	config_init(&c);
	assert_int_equal(c.nerrors, 0);
	assert_null(c.url);
	assert_null(c.user);
	assert_string_equal(c.theme, "default");
	assert_int_equal(c.clock, CONFIG_CLOCK_LOCAL);
	assert_int_equal(c.lines, CONFIG_LINES_AUTO);
	assert_int_equal(c.stale_after, CONSOLE_STALE_AFTER_DEFAULT_S);
	assert_int_equal(c.warning_after, CONSOLE_WARNING_AFTER_DEFAULT_S);
	assert_int_equal(c.overdue_after, CONSOLE_OVERDUE_AFTER_DEFAULT_S);
	assert_true(c.bell);
	assert_int_equal(c.priorities, (1u << 1) | (1u << 2));
	assert_int_equal(c.repeat, BELL_REPEAT_DEFAULT_S);
	assert_int_equal(c.notify, CONFIG_NOTIFY_AUTO);
	assert_null(c.log_file);
	assert_int_equal(c.log_level, LOG_INFO);
	assert_int_equal(c.nkeys, 0);
	for (int i = 0; i < CONFIG_NOPTIONS; i++) {
		assert_int_equal(c.origin[i], CONFIG_FROM_DEFAULT);
		assert_string_equal(value(&c, i), config_options[i].dflt);
	}
	assert_true(CONSOLE_WARNING_AFTER_DEFAULT_S <
	    CONSOLE_OVERDUE_AFTER_DEFAULT_S);
	config_release(&c);
}

/* A good file sets every option, remembering each line. */
static void
test_parse_good(void **state)
{
	static const char text[] =
	    "# vigil console\n"                               /* 1 */
	    "[server]\n"                                      /* 2 */
	    "url = https://vigil.example.net:8443/base\n"     /* 3 */
	    "[user]\n"                                        /* 4 */
	    "name = ana.k\n"                                  /* 5 */
	    "[console]\n"                                     /* 6 */
	    "theme = high-contrast\n"                         /* 7 */
	    "clock = UTC\n"                                   /* 8 */
	    "lines = ascii\n"                                 /* 9 */
	    "stale_after = 90\n"                              /* 10 */
	    "warning_after = 120\n"                           /* 11 */
	    "overdue_after = 600\n"                           /* 12 */
	    "[bell]\n"                                        /* 13 */
	    "enabled = no\n"                                  /* 14 */
	    "priorities = 1-3, 5\n"                           /* 15 */
	    "repeat = 0\n"                                    /* 16 */
	    "notify = osc777\n"                               /* 17 */
	    "[log]\n"                                         /* 18 */
	    "file = /var/tmp/vigil.log\n"                     /* 19 */
	    "level = debug\n"                                 /* 20 */
	    "[keys]\n"                                        /* 21 */
	    "ack = a F5\n"                                    /* 22 */
	    "quit = none\n"                                   /* 23 */
	    "filter = /\n";                                   /* 24 */
	static const int lines[CONFIG_NOPTIONS] = { 3, 5, 7, 8, 9, 10, 11, 12,
		14, 15, 16, 17, 19, 20 };
	const struct config_binding *b;
	struct config c;

	(void)state;
	if (parse(&c, text) != 0)
		dump_errors(&c);
	assert_int_equal(c.nerrors, 0);
	assert_string_equal(c.url, "https://vigil.example.net:8443/base");
	assert_string_equal(c.user, "ana.k");
	assert_string_equal(c.theme, "high-contrast");
	assert_int_equal(c.clock, CONFIG_CLOCK_UTC);
	assert_int_equal(c.lines, CONFIG_LINES_ASCII);
	assert_int_equal(c.stale_after, 90);
	assert_int_equal(c.warning_after, 120);
	assert_int_equal(c.overdue_after, 600);
	assert_false(c.bell);
	assert_int_equal(c.priorities, (1u << 1) | (1u << 2) | (1u << 3) |
	    (1u << 5));
	assert_string_equal(value(&c, CONFIG_BELL_PRIORITIES), "1,2,3,5");
	assert_int_equal(c.repeat, 0);
	assert_int_equal(c.notify, CONFIG_NOTIFY_OSC777);
	assert_string_equal(c.log_file, "/var/tmp/vigil.log");
	assert_int_equal(c.log_level, LOG_DEBUG);
	for (int i = 0; i < CONFIG_NOPTIONS; i++) {
		assert_int_equal(c.origin[i], CONFIG_FROM_FILE);
		assert_int_equal(c.line[i], lines[i]);
	}

	assert_int_equal(c.nkeys, 3);
	b = config_binding(&c, "ack");
	assert_non_null(b);
	assert_int_equal(b->nkeys, 2);
	assert_int_equal(b->keys[0], 'a');
	assert_int_equal(b->keys[1], KEY_F(5));
	assert_int_equal(b->line, 22);
	b = config_binding(&c, "quit");
	assert_non_null(b);
	assert_int_equal(b->nkeys, 0);
	b = config_binding(&c, "filter");
	assert_int_equal(b->keys[0], '/');
	assert_null(config_binding(&c, "close"));
	/* Disabled: nothing rings. */
	assert_false(config_bell_rings(&c, 1));
	config_release(&c);
}

/* Every problem named with its line; the rest of the file still applies. */
static void
test_parse_errors(void **state)
{
	static const char text[] =
	    "theme = mono\n"                                  /* 1 */
	    "[console]\n"                                     /* 2 */
	    "theme = light\n"                                 /* 3 */
	    "colour = red\n"                                  /* 4 */
	    "clock = gmt\n"                                   /* 5 */
	    "theme = mono\n"                                  /* 6 */
	    "[display]\n"                                     /* 7 */
	    "width = 80\n"                                    /* 8 */
	    "[bell]\n"                                        /* 9 */
	    "repeat = 30s\n"                                  /* 10 */
	    "enabled = maybe\n"                               /* 11 */
	    "priorities = 0,1\n"                              /* 12 */
	    "ring the bell\n"                                 /* 13 */
	    "notify = osc777\n"                               /* 14 */
	    "[keys]\n"                                        /* 15 */
	    "ack = a\n"                                       /* 16 */
	    "ack = b\n"                                       /* 17 */
	    "close = F13\n"                                   /* 18 */
	    "Assign = g\n"                                    /* 19 */
	    "bulk = a b c d e\n"                              /* 20 */
	    "[server\n"                                       /* 21 */
	    "url = http://x\n"                                /* 22 */
	    "[server] extra\n"                                /* 23 */
	    "[]\n"                                            /* 24 */
	    "[server]\n"                                      /* 25 */
	    "url = ftp://vigil\n"                             /* 26 */
	    "[user]\n"                                        /* 27 */
	    "name = Ana\n"                                    /* 28 */
	    "[log]\n"                                         /* 29 */
	    "file = vigil.log\n"                              /* 30 */
	    "level = trace\n"                                 /* 31 */
	    ": = x\n";                                        /* 32 */
	static const char *const expect[] = {
		"cfg:1: \"theme\" is outside any section",
		"cfg:4: unknown option \"colour\" in [console]",
		"cfg:5: console.clock: \"gmt\": expected utc or local",
		"cfg:6: console.theme given twice (first at line 3); this one is "
		    "ignored",
		"cfg:7: unknown section [display] (one of [server], [user], "
		    "[console], [bell], [log], [keys])",
		"cfg:10: bell.repeat: \"30s\": expected a whole number of seconds "
		    "from 0 to 3600",
		"cfg:11: bell.enabled: \"maybe\": expected yes or no",
		"cfg:12: bell.priorities: \"0,1\": expected priorities from 1 to 9",
		"cfg:13: expected \"[section]\" or \"key = value\"",
		"cfg:17: [keys] ack given twice (first at line 16)",
		"cfg:18: [keys] close: unknown key \"F13\"",
		"cfg:19: [keys] \"Assign\": expected an action name",
		"cfg:20: [keys] bulk: more than 4 keys",
		"cfg:21: section header without \"]\"",
		"cfg:23: unexpected text after \"]\"",
		"cfg:24: empty section name",
		"cfg:26: server.url: \"ftp://vigil\": expected http://HOST[:PORT] "
		    "or https://HOST[:PORT]",
		"cfg:28: user.name: \"Ana\": expected 1 to 64 of a-z",
		"cfg:30: log.file: \"vigil.log\": expected an absolute file name",
		"cfg:31: log.level: \"trace\": expected error, warn, info or debug",
		"cfg:32: missing name before \":\"",
	};
	const struct config_binding *b;
	struct config c;

	(void)state;
	assert_int_equal(parse(&c, text), -1);
	if (c.nerrors != ARRAY_LEN(expect))
		dump_errors(&c);
	assert_int_equal(c.nerrors, ARRAY_LEN(expect));
	for (size_t i = 0; i < ARRAY_LEN(expect); i++) {
		if (strncmp(c.errors[i], expect[i], strlen(expect[i])) != 0) {
			print_message("got      %s\nexpected %s\n", c.errors[i],
			    expect[i]);
			fail();
		}
	}
	/* The good lines applied, the bad ones changed nothing. */
	assert_string_equal(c.theme, "light");
	assert_int_equal(c.line[CONFIG_CONSOLE_THEME], 3);
	assert_int_equal(c.clock, CONFIG_CLOCK_LOCAL);
	assert_int_equal(c.origin[CONFIG_CONSOLE_CLOCK], CONFIG_FROM_DEFAULT);
	assert_int_equal(c.repeat, BELL_REPEAT_DEFAULT_S);
	assert_true(c.bell);
	assert_int_equal(c.priorities, (1u << 1) | (1u << 2));
	assert_int_equal(c.notify, CONFIG_NOTIFY_OSC777);
	assert_null(c.url);
	assert_null(c.user);
	assert_null(c.log_file);
	assert_int_equal(c.log_level, LOG_INFO);
	b = config_binding(&c, "ack");
	assert_non_null(b);
	assert_int_equal(b->keys[0], 'a');
	assert_int_equal(b->line, 16);
	assert_null(config_binding(&c, "close"));
	assert_null(config_binding(&c, "bulk"));
	config_release(&c);
}

/* INI details: BOM, CRLF, comments, indentation, spaces, long lines, NUL. */
static void
test_parse_ini_details(void **state)
{
	static const char crlf[] = "\xef\xbb\xbf; comment\r\n# another\r\n"
	    "\r\n  [ bell ]  ; a section\r\n\trepeat = 45 ; seconds\r\n"
	    "    notify: off\r\n[console]\r\ntheme = #x\r\n";
	static const char nul[] = "[bell]\nrepeat = 4\0005\nnotify = osc9\n";
	char long_line[400];
	struct config c;

	(void)state;
	assert_int_equal(parse(&c, crlf), -1);
	assert_int_equal(c.repeat, 45);
	assert_int_equal(c.notify, CONFIG_NOTIFY_OFF);
	assert_int_equal(c.line[CONFIG_BELL_REPEAT], 5);
	assert_int_equal(c.line[CONFIG_BELL_NOTIFY], 6);
	/* "#" inside a value is part of it: not a theme name. */
	assert_int_equal(c.nerrors, 1);
	assert_non_null(strstr(c.errors[0], "cfg:8: console.theme: \"#x\""));
	config_release(&c);

	config_init(&c);
	assert_int_equal(config_parse(&c, "cfg", nul, sizeof nul - 1), -1);
	assert_int_equal(c.nerrors, 1);
	assert_non_null(strstr(c.errors[0], "cfg:2: control character "
	    "(byte 0x00)"));
	assert_int_equal(c.repeat, BELL_REPEAT_DEFAULT_S);
	assert_int_equal(c.notify, CONFIG_NOTIFY_OSC9);
	config_release(&c);

	snprintf(long_line, sizeof long_line, "[server]\nurl = http://%0300d\n"
	    "[bell]\nrepeat = 7\n", 0);
	assert_int_equal(parse(&c, long_line), -1);
	assert_int_equal(c.nerrors, 1);
	assert_non_null(strstr(c.errors[0], "cfg:2: line longer than 198 "
	    "characters"));
	assert_int_equal(c.repeat, 7);
	config_release(&c);

	/* An empty file, and one of comments only. */
	assert_int_equal(parse(&c, ""), 0);
	config_release(&c);
	assert_int_equal(parse(&c, "# nothing\n;\n\n"), 0);
	config_release(&c);
	/* Without a final newline. */
	assert_int_equal(parse(&c, "[bell]\nrepeat = 9"), 0);
	assert_int_equal(c.repeat, 9);
	config_release(&c);
}

/* One value for one option: accepted or refused, and a refusal changes nothing. */
struct vcase {
	const char *name;
	const char *value;
	bool ok;
};

/* Every option's validation, through config_set. */
static void
test_validation(void **state)
{
	static const struct vcase cases[] = {
		{ "server.url", "http://127.0.0.1:8080", true },
		{ "server.url", "https://vigil.example.com/", true },
		{ "server.url", "HTTP://Vigil.Example.com", true },
		{ "server.url", "http://[::1]:9000/api", true },
		{ "server.url", "http://localhost", true },
		{ "server.url", "", true },
		{ "server.url", "ftp://vigil", false },
		{ "server.url", "vigil.example.com", false },
		{ "server.url", "http://", false },
		{ "server.url", "http:///path", false },
		{ "server.url", "http://ana:pw@vigil", false },
		{ "server.url", "http://vigil:0", false },
		{ "server.url", "http://vigil:65536", false },
		{ "server.url", "http://vigil:", false },
		{ "server.url", "http://vigil:80x", false },
		{ "server.url", "http://vi gil", false },
		{ "server.url", "http://vigil\x1b[31m", false },
		{ "server.url", "http://[::1", false },
		{ "server.url", "http://v!gil", false },
		{ "user.name", "ana", true },
		{ "user.name", "a.b_c-9", true },
		{ "user.name", "", true },
		{ "user.name", "Ana", false },
		{ "user.name", "a b", false },
		{ "user.name", "an@", false },
		{ "console.theme", "mono", true },
		{ "console.theme", "high-contrast", true },
		{ "console.theme", "/etc/vigil/night.theme", true },
		{ "console.theme", "~/night.theme", true },
		{ "console.theme", "../night.theme", false },
		{ "console.theme", ".hidden", false },
		{ "console.theme", "", false },
		{ "console.theme", "two words", false },
		{ "console.clock", "utc", true },
		{ "console.clock", "Local", true },
		{ "console.clock", "gmt", false },
		{ "console.clock", "", false },
		{ "console.lines", "auto", true },
		{ "console.lines", "unicode", true },
		{ "console.lines", "ascii", true },
		{ "console.lines", "utf8", false },
		{ "console.stale_after", "5", true },
		{ "console.stale_after", "86400", true },
		{ "console.stale_after", "4", false },
		{ "console.stale_after", "86401", false },
		{ "console.stale_after", "-5", false },
		{ "console.stale_after", "1e3", false },
		{ "console.stale_after", "", false },
		{ "console.stale_after", " 10", false },
		{ "console.stale_after", "99999999999999999999", false },
		{ "console.warning_after", "5", true },
		{ "console.warning_after", "299", true },
		{ "console.warning_after", "300", false },
		{ "console.warning_after", "x", false },
		{ "console.overdue_after", "61", true },
		{ "console.overdue_after", "86400", true },
		{ "console.overdue_after", "60", false },
		{ "console.overdue_after", "86401", false },
		{ "bell.enabled", "yes", true },
		{ "bell.enabled", "NO", true },
		{ "bell.enabled", "true", true },
		{ "bell.enabled", "off", true },
		{ "bell.enabled", "1", true },
		{ "bell.enabled", "0", true },
		{ "bell.enabled", "y", false },
		{ "bell.enabled", "", false },
		{ "bell.priorities", "1,2", true },
		{ "bell.priorities", "1-3", true },
		{ "bell.priorities", " 1 - 3 , 9", true },
		{ "bell.priorities", "none", true },
		{ "bell.priorities", "9", true },
		{ "bell.priorities", "0", false },
		{ "bell.priorities", "10", false },
		{ "bell.priorities", "3-1", false },
		{ "bell.priorities", "1,,2", false },
		{ "bell.priorities", "1,", false },
		{ "bell.priorities", "1-", false },
		{ "bell.priorities", "", false },
		{ "bell.priorities", "all", false },
		{ "bell.priorities", "1 2", false },
		{ "bell.repeat", "0", true },
		{ "bell.repeat", "3600", true },
		{ "bell.repeat", "3601", false },
		{ "bell.repeat", "30s", false },
		{ "bell.notify", "auto", true },
		{ "bell.notify", "osc9", true },
		{ "bell.notify", "OSC777", true },
		{ "bell.notify", "off", true },
		{ "bell.notify", "osc99", false },
		{ "log.file", "/var/log/vigil.log", true },
		{ "log.file", "~/vigil.log", true },
		{ "log.file", "", true },
		{ "log.file", "vigil.log", false },
		{ "log.file", "~vigil.log", false },
		{ "log.level", "error", true },
		{ "log.level", "warn", true },
		{ "log.level", "info", true },
		{ "log.level", "debug", true },
		{ "log.level", "trace", false },
		{ "keys.ack", "a", true },
		{ "keys.ack", "j Down ^N", true },
		{ "keys.ack", "none", true },
		{ "keys.ack", "", false },
		{ "keys.ack", "xy", false },
		{ "keys.Ack", "a", false },
		{ "keys.", "a", false },
		{ "console.nothing", "1", false },
		{ "nothing", "1", false },
	};
	struct config c;
	char before[LIMIT_PATH_LEN + 64], *cause;
	int opt;

	(void)state;
	setenv("HOME", "/home/op", 1);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		config_init(&c);
		cause = NULL;
		opt = config_find(cases[i].name);
		if (opt >= 0)
			snprintf(before, sizeof before, "%s", value(&c, opt));
		if ((config_set(&c, cases[i].name, cases[i].value,
		    CONFIG_FROM_COMMAND_LINE, &cause) == 0) != cases[i].ok) {
			print_message("%s = \"%s\": %s\n", cases[i].name,
			    cases[i].value, cause != NULL ? cause : "accepted");
			fail();
		}
		if (!cases[i].ok) {
			/* The message names the option, and nothing changed. */
			assert_non_null(cause);
			if (opt >= 0) {
				assert_non_null(strstr(cause, cases[i].name));
				assert_string_equal(value(&c, opt), before);
				assert_int_equal(c.origin[opt],
				    CONFIG_FROM_DEFAULT);
			}
			assert_int_equal(c.nkeys, 0);
		} else if (opt >= 0)
			assert_int_equal(c.origin[opt], CONFIG_FROM_COMMAND_LINE);
		free(cause);
		config_release(&c);
	}

	/* A user name of the longest length, and one longer. */
	{
		char name[LIMIT_USER_NAME_LEN + 2];

		memset(name, 'a', sizeof name - 1);
		name[sizeof name - 1] = '\0';
		config_init(&c);
		cause = NULL;
		assert_int_equal(config_set(&c, "user.name", name,
		    CONFIG_FROM_FILE, &cause), -1);
		free(cause);
		name[LIMIT_USER_NAME_LEN] = '\0';
		assert_int_equal(config_set(&c, "user.name", name,
		    CONFIG_FROM_FILE, &cause), 0);
		config_release(&c);
	}

	/* What some values become. */
	config_init(&c);
	cause = NULL;
	assert_int_equal(config_set(&c, "console.theme", "~/t/night.theme",
	    CONFIG_FROM_FILE, &cause), 0);
	assert_string_equal(c.theme, "/home/op/t/night.theme");
	assert_int_equal(config_set(&c, "log.file", "~/v.log",
	    CONFIG_FROM_FILE, &cause), 0);
	assert_string_equal(c.log_file, "/home/op/v.log");
	assert_int_equal(config_set(&c, "log.file", "", CONFIG_FROM_FILE,
	    &cause), 0);
	assert_null(c.log_file);
	assert_int_equal(config_set(&c, "bell.priorities", "none",
	    CONFIG_FROM_FILE, &cause), 0);
	assert_int_equal(c.priorities, 0);
	assert_string_equal(value(&c, CONFIG_BELL_PRIORITIES), "none");
	assert_int_equal(config_set(&c, "bell.priorities", "2-4,9",
	    CONFIG_FROM_FILE, &cause), 0);
	assert_false(config_bell_rings(&c, 1));
	assert_true(config_bell_rings(&c, 2));
	assert_true(config_bell_rings(&c, 4));
	assert_false(config_bell_rings(&c, 5));
	assert_true(config_bell_rings(&c, 9));
	assert_false(config_bell_rings(&c, 0));
	assert_false(config_bell_rings(&c, 10));
	assert_false(config_bell_rings(&c, -1));
	assert_int_equal(config_set(&c, "server.url", "http://a", CONFIG_FROM_FILE,
	    &cause), 0);
	assert_int_equal(config_set(&c, "server.url", "", CONFIG_FROM_FILE,
	    &cause), 0);
	assert_null(c.url);
	/* A command-line binding replaces the file's. */
	assert_int_equal(config_set(&c, "keys.ack", "a", CONFIG_FROM_FILE,
	    &cause), 0);
	assert_int_equal(config_set(&c, "keys.ack", "b F2",
	    CONFIG_FROM_COMMAND_LINE, &cause), 0);
	assert_int_equal(c.nkeys, 1);
	assert_int_equal(c.keys[0].nkeys, 2);
	assert_int_equal(c.keys[0].keys[0], 'b');
	config_release(&c);

	/* HOME is needed for "~/". */
	unsetenv("HOME");
	config_init(&c);
	cause = NULL;
	assert_int_equal(config_set(&c, "log.file", "~/v.log", CONFIG_FROM_FILE,
	    &cause), -1);
	assert_non_null(strstr(cause, "HOME"));
	free(cause);
	config_release(&c);
}

/* warning_after must stay below overdue_after, whatever the order given. */
static void
test_ages(void **state)
{
	struct config c;
	char *cause = NULL;

	(void)state;
	/* Raised together, in either order, in a file: fine. */
	assert_int_equal(parse(&c, "[console]\nwarning_after = 600\n"
	    "overdue_after = 900\n"), 0);
	assert_int_equal(c.warning_after, 600);
	assert_int_equal(c.overdue_after, 900);
	config_release(&c);
	assert_int_equal(parse(&c, "[console]\noverdue_after = 30\n"
	    "warning_after = 10\n"), 0);
	assert_int_equal(c.warning_after, 10);
	config_release(&c);

	/* Out of order: reported at the later line, both back to defaults. */
	assert_int_equal(parse(&c, "[console]\nwarning_after = 600\n"
	    "stale_after = 60\noverdue_after = 300\n"), -1);
	assert_int_equal(c.nerrors, 1);
	assert_non_null(strstr(c.errors[0], "cfg:4: console.warning_after (600) "
	    "must be less than console.overdue_after (300)"));
	assert_int_equal(c.warning_after, CONSOLE_WARNING_AFTER_DEFAULT_S);
	assert_int_equal(c.overdue_after, CONSOLE_OVERDUE_AFTER_DEFAULT_S);
	assert_int_equal(c.origin[CONFIG_CONSOLE_WARNING_AFTER],
	    CONFIG_FROM_DEFAULT);
	assert_int_equal(c.stale_after, 60);

	/* One at a time from the command line: refused when out of order. */
	assert_int_equal(config_set(&c, "console.warning_after", "400",
	    CONFIG_FROM_COMMAND_LINE, &cause), -1);
	assert_non_null(strstr(cause, "must be less than"));
	free(cause);
	assert_int_equal(c.warning_after, CONSOLE_WARNING_AFTER_DEFAULT_S);
	assert_int_equal(config_set(&c, "console.overdue_after", "900",
	    CONFIG_FROM_COMMAND_LINE, &cause), 0);
	assert_int_equal(config_set(&c, "console.warning_after", "400",
	    CONFIG_FROM_COMMAND_LINE, &cause), 0);
	config_release(&c);
}

/* Key names: each kind, case, and the name printed back. */
static void
test_keys(void **state)
{
	static const struct {
		const char *name;
		int code;
		const char *printed;
	} good[] = {
		{ "a", 'a', "a" }, { "A", 'A', "A" }, { "?", '?', "?" },
		{ "/", '/', "/" }, { ":", ':', ":" }, { "^", '^', "^" },
		{ "#", '#', "#" }, { "~", '~', "~" },
		{ "^L", 12, "^L" }, { "^l", 12, "^L" }, { "^@", 0, "^@" },
		{ "^[", 27, "Esc" }, { "^_", 31, "^_" }, { "^?", 127, "^?" },
		{ "F1", KEY_F(1), "F1" }, { "f12", KEY_F(12), "F12" },
		{ "Enter", KEY_ENTER, "Enter" }, { "return", KEY_ENTER, "Enter" },
		{ "ESC", 27, "Esc" }, { "Escape", 27, "Esc" },
		{ "Tab", '\t', "Tab" }, { "^I", '\t', "Tab" },
		{ "BTab", KEY_BTAB, "BTab" }, { "Space", ' ', "Space" },
		{ "Semicolon", ';', ";" },
		{ "Backspace", KEY_BACKSPACE, "Backspace" },
		{ "Del", KEY_DC, "Del" }, { "delete", KEY_DC, "Del" },
		{ "Ins", KEY_IC, "Ins" }, { "Up", KEY_UP, "Up" },
		{ "down", KEY_DOWN, "Down" }, { "Left", KEY_LEFT, "Left" },
		{ "Right", KEY_RIGHT, "Right" }, { "PgUp", KEY_PPAGE, "PgUp" },
		{ "PageDown", KEY_NPAGE, "PgDn" }, { "Home", KEY_HOME, "Home" },
		{ "End", KEY_END, "End" },
	};
	static const char *const bad[] = { "", "ab", "F0", "F13", "F01",
		"^1", "^ab", "^", " ", "\xc3\xa9", "Ctrl-A", "PgUpp", "\x7f",
		"\t" };
	char buf[32], *cause;
	int code;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		cause = NULL;
		if (config_key_parse(good[i].name, &code, &cause) != 0) {
			print_message("%s: %s\n", good[i].name, cause);
			fail();
		}
		assert_int_equal(code, good[i].code);
		config_key_name(code, buf, sizeof buf);
		assert_string_equal(buf, good[i].printed);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		cause = NULL;
		/* "^" alone is the caret, a printable character. */
		if (strcmp(bad[i], "^") == 0)
			continue;
		if (config_key_parse(bad[i], &code, &cause) == 0) {
			print_message("\"%s\" accepted as %d\n", bad[i], code);
			fail();
		}
		assert_non_null(strstr(cause, "unknown key"));
		free(cause);
	}
	/* Every code printed reads back as itself. */
	for (int k = 0; k < 0x80; k++) {
		config_key_name(k, buf, sizeof buf);
		cause = NULL;
		assert_int_equal(config_key_parse(buf, &code, &cause), 0);
		assert_int_equal(code, k);
	}
	config_key_name(KEY_F(13), buf, sizeof buf);
	assert_true(strncmp(buf, "key", 3) == 0);
}

/* Many bindings and many problems: capped, and counted once. */
static void
test_limits(void **state)
{
	char *text = xstrdup("[keys]\n"), *next;
	struct config c;

	(void)state;
	for (int i = 0; i < LIMIT_KEY_BINDINGS + 1; i++) {
		next = xasprintf("%sa%d = x\n", text, i);
		free(text);
		text = next;
	}
	assert_int_equal(parse(&c, text), -1);
	assert_int_equal(c.nkeys, LIMIT_KEY_BINDINGS);
	assert_int_equal(c.nerrors, 1);
	assert_non_null(strstr(c.errors[0], "more than 256 key bindings"));
	config_release(&c);
	free(text);

	text = xstrdup("[bell]\n");
	for (int i = 0; i < 2 * LIMIT_CONFIG_ERRORS; i++) {
		next = xasprintf("%sbad%d = 1\n", text, i);
		free(text);
		text = next;
	}
	next = xasprintf("%srepeat = 11\n", text);
	free(text);
	text = next;
	assert_int_equal(parse(&c, text), -1);
	assert_int_equal(c.nerrors, LIMIT_CONFIG_ERRORS + 1);
	assert_non_null(strstr(c.errors[LIMIT_CONFIG_ERRORS], "more than 50 "
	    "problems"));
	assert_int_equal(c.repeat, 11);
	config_release(&c);
	free(text);
}

/* The file's place, and reading it: absent, explicit, unreadable, too big. */
static void
test_load(void **state)
{
	char *dir = unit_tmpdir("config"), *sub, *path, *cause = NULL, *big;
	struct config c;

	(void)state;
	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	path = config_default_path(&cause);
	assert_string_equal(path, "/x/conf/vigil/config");
	free(path);
	setenv("XDG_CONFIG_HOME", "relative", 1);
	setenv("HOME", "/home/op", 1);
	path = config_default_path(&cause);
	assert_string_equal(path, "/home/op/.config/vigil/config");
	free(path);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	assert_null(config_default_path(&cause));
	assert_non_null(strstr(cause, "HOME"));
	free(cause);
	cause = NULL;
	config_init(&c);
	assert_int_equal(config_load(&c, NULL), -1);
	assert_int_equal(c.nerrors, 1);
	config_release(&c);

	/* No default file: not an error. */
	setenv("XDG_CONFIG_HOME", dir, 1);
	config_init(&c);
	assert_int_equal(config_load(&c, NULL), 0);
	assert_int_equal(c.nerrors, 0);
	assert_null(c.path);
	config_release(&c);

	/* The default file. */
	sub = xasprintf("%s/vigil", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	path = xasprintf("%s/config", sub);
	unit_put_file(NULL, path, "[console]\ntheme = mono\nclock = utc\nbad = 1\n");
	config_init(&c);
	assert_int_equal(config_load(&c, NULL), -1);
	assert_string_equal(c.theme, "mono");
	assert_string_equal(c.path, path);
	assert_int_equal(c.nerrors, 1);
	assert_true(strncmp(c.errors[0], path, strlen(path)) == 0);
	assert_non_null(strstr(c.errors[0], ":4: unknown option \"bad\""));
	config_release(&c);

	/* A file named on purpose must exist. */
	free(path);
	path = xasprintf("%s/missing", dir);
	config_init(&c);
	assert_int_equal(config_load(&c, path), -1);
	assert_int_equal(c.nerrors, 1);
	assert_non_null(strstr(c.errors[0], "missing: No such file"));
	config_release(&c);

	/* A directory, and a file too big. */
	config_init(&c);
	assert_int_equal(config_load(&c, sub), -1);
	assert_non_null(strstr(c.errors[0], "not a regular file"));
	config_release(&c);
	free(path);
	path = xasprintf("%s/big", dir);
	big = xmalloc(LIMIT_CONFIG_FILE_BYTES + 2);
	memset(big, '#', LIMIT_CONFIG_FILE_BYTES + 1);
	big[LIMIT_CONFIG_FILE_BYTES + 1] = '\0';
	unit_put_file(NULL, path, big);
	config_init(&c);
	assert_int_equal(config_load(&c, path), -1);
	assert_non_null(strstr(c.errors[0], "larger than 65536 bytes"));
	config_release(&c);
	/* Just small enough is read. */
	big[LIMIT_CONFIG_FILE_BYTES] = '\0';
	unit_put_file(NULL, path, big);
	config_init(&c);
	assert_int_equal(config_load(&c, path), 0);
	config_release(&c);

	free(big);
	free(path);
	free(sub);
	unit_rm_tree(dir);
}

/* Defaults < file < environment < command line, each remembered. */
static void
test_precedence(void **state)
{
	static const char text[] = "[server]\nurl = http://file:1\n"
	    "[console]\ntheme = light\nclock = utc\n";
	struct config c;
	char *cause = NULL, *out = NULL;
	size_t outlen = 0;
	FILE *f;

	(void)state;
	/* File over defaults. */
	assert_int_equal(parse(&c, text), 0);
	assert_string_equal(c.url, "http://file:1");
	assert_int_equal(c.origin[CONFIG_SERVER_URL], CONFIG_FROM_FILE);

	/* The environment over the file; empty is not set. */
	setenv("VIGIL_URL", "https://env:2", 1);
	setenv("VIGIL_THEME", "", 1);
	assert_int_equal(config_apply_env(&c), 0);
	assert_string_equal(c.url, "https://env:2");
	assert_int_equal(c.origin[CONFIG_SERVER_URL], CONFIG_FROM_ENV);
	assert_string_equal(c.theme, "light");
	assert_int_equal(c.origin[CONFIG_CONSOLE_THEME], CONFIG_FROM_FILE);

	/* The command line over the environment. */
	assert_int_equal(config_set(&c, "server.url", "http://cli:3",
	    CONFIG_FROM_COMMAND_LINE, &cause), 0);
	assert_string_equal(c.url, "http://cli:3");
	assert_int_equal(c.origin[CONFIG_SERVER_URL], CONFIG_FROM_COMMAND_LINE);

	/* What "vigil config --list" prints. */
	f = open_memstream(&out, &outlen);
	assert_non_null(f);
	config_print(&c, f, false);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(out, "server.url = http://cli:3\t# command line\n"));
	assert_non_null(strstr(out, "console.theme = light\t# cfg:4\n"));
	assert_non_null(strstr(out, "console.clock = utc\t# cfg:5\n"));
	assert_non_null(strstr(out, "bell.repeat = 30\t# default\n"));
	assert_non_null(strstr(out, "user.name = \t# default\n"));
	free(out);
	config_release(&c);

	/* A bad value in the environment is reported; the file's stays. */
	setenv("VIGIL_URL", "gopher://env", 1);
	setenv("VIGIL_THEME", "mono", 1);
	assert_int_equal(parse(&c, text), 0);
	assert_int_equal(config_apply_env(&c), -1);
	assert_string_equal(c.url, "http://file:1");
	assert_string_equal(c.theme, "mono");
	assert_int_equal(c.origin[CONFIG_CONSOLE_THEME], CONFIG_FROM_ENV);
	assert_int_equal(c.nerrors, 1);
	assert_non_null(strstr(c.errors[0], "VIGIL_URL: \"gopher://env\""));

	/* The listing with help, and key bindings. */
	assert_int_equal(config_set(&c, "keys.ack", "a ^A", CONFIG_FROM_COMMAND_LINE,
	    &cause), 0);
	f = open_memstream(&out, &outlen);
	assert_non_null(f);
	config_print(&c, f, true);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(out, "console.theme = mono\t# environment "
	    "VIGIL_THEME\n"));
	assert_non_null(strstr(out, "# SECONDS: seconds between rings until the "
	    "alarm is acknowledged; 0 rings once (default: 30)\nbell.repeat"));
	assert_non_null(strstr(out, "(default: none)\nserver.url"));
	assert_non_null(strstr(out, "keys.ack = a ^A\t# command line\n"));
	free(out);
	config_release(&c);
}

/* A config_error from the key table names the file and line. */
static void
test_error_api(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(parse(&c, "[keys]\nfrobnicate = x\n"), 0);
	config_error(&c, c.keys[0].line, "unknown action \"%s\"",
	    c.keys[0].action);
	config_error(&c, 0, "no line");
	assert_int_equal(c.nerrors, 2);
	assert_string_equal(c.errors[0], "cfg:2: unknown action \"frobnicate\"");
	assert_string_equal(c.errors[1], "cfg: no line");
	config_release(&c);
	config_init(&c);
	config_error(&c, 3, "before any file");
	assert_string_equal(c.errors[0], "config:3: before any file");
	config_release(&c);
}

/* The text of a man page (caller frees). */
static char *
read_manual(const char *rel)
{
	char *path = unit_top_path(rel), *text, *cause = NULL;
	size_t len;

	if (config_read_file(path, 1024 * 1024, false, &text, &len,
	    &cause) != 0) {
		print_message("%s\n", cause);
		fail();
	}
	free(path);
	return text;
}

/* vigil.conf(5) has every option with its default, and its example reads cleanly. */
static void
test_manual(void **state)
{
	char *text = read_manual("man/vigil.conf.5"), *ex, *end;
	char section[64], needle[128];
	const char *p, *next;
	struct config c;

	(void)state;
	for (int i = 0; i < CONFIG_NOPTIONS; i++) {
		const struct config_option *o = &config_options[i];
		const char *dot = strchr(o->name, '.');

		snprintf(section, sizeof section, ".Ss [%.*s]\n",
		    (int)(dot - o->name), o->name);
		p = strstr(text, section);
		if (p == NULL) {
			print_message("no \"%s\"\n", section);
			fail();
		}
		snprintf(needle, sizeof needle, ".It Ic %s No = ", dot + 1);
		next = strstr(p + 1, ".Ss ");
		p = strstr(p, needle);
		if (p == NULL || (next != NULL && p > next)) {
			print_message("no \"%s\" in %s\n", needle, section);
			fail();
		}
		next = strstr(p + 1, ".It ");
		if (o->dflt[0] != '\0')
			snprintf(needle, sizeof needle, "The default is\n.Ql %s "
			    ".\n", o->dflt);
		else
			snprintf(needle, sizeof needle, "Not set by default");
		p = strstr(p, needle);
		if (p == NULL || (next != NULL && p > next)) {
			print_message("%s: no \"%s\"\n", o->name, needle);
			fail();
		}
		if (o->env != NULL) {
			snprintf(needle, sizeof needle, ".It Ev %s\n", o->env);
			assert_non_null(strstr(text, needle));
		}
	}

	/* The example file is a good file. */
	ex = strstr(text, "# ~/.config/vigil/config\n");
	assert_non_null(ex);
	end = strstr(ex, ".Ed\n");
	assert_non_null(end);
	config_init(&c);
	setenv("HOME", "/home/op", 1);
	if (config_parse(&c, "example", ex, (size_t)(end - ex)) != 0)
		dump_errors(&c);
	assert_int_equal(c.nerrors, 0);
	assert_string_equal(c.theme, "high-contrast");
	config_release(&c);
	free(text);

	/* So is the theme example of vigil-theme(5). */
	text = read_manual("man/vigil-theme.5");
	ex = strstr(text, "# night.theme:");
	assert_non_null(ex);
	end = strstr(ex, ".Ed\n");
	assert_non_null(end);
	{
		struct theme t;

		theme_init(&t);
		if (theme_parse(&t, "night.theme", ex, (size_t)(end - ex)) != 0)
			for (size_t i = 0; i < t.nwarnings; i++)
				print_message("%s\n", t.warnings[i]);
		assert_int_equal(t.nwarnings, 0);
		assert_string_equal(t.name, "night");
		theme_release(&t);
	}
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_parse_ini_details, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_api, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manual, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
