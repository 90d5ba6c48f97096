/* test_theme.c: theme files, the fallback chain, NO_COLOR, degrading colours, curses attributes. */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "theme.h"
#include "unittest.h"

static const char *const shipped[] = { "default", "light", "high-contrast",
	"mono" };

/* True when one of t's warnings contains needle. */
static bool
has_warning(const struct theme *t, const char *needle)
{
	for (size_t i = 0; i < t->nwarnings; i++)
		if (strstr(t->warnings[i], needle) != NULL)
			return true;
	return false;
}

/* Print t's warnings, to explain a failure. */
static void
dump_warnings(const struct theme *t)
{
	for (size_t i = 0; i < t->nwarnings; i++)
		print_message("warning: %s\n", t->warnings[i]);
}

/* Parse one style, expecting success. */
static struct theme_style
style(const char *text)
{
	struct theme_style st;
	char *cause = NULL;

	if (theme_parse_style(text, false, &st, &cause) != 0) {
		print_message("\"%s\": %s\n", text, cause);
		fail();
	}
	return st;
}

/* Every role has a unique dotted name, help, and parses back to itself. */
static void
test_role_table(void **state)
{
	(void)state;
	for (int r = 0; r < THEME_NROLES; r++) {
		const char *name = theme_role_name((enum theme_role)r);

		assert_non_null(name);
		assert_true(strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_."
		    ) == strlen(name));
		assert_non_null(theme_role_help((enum theme_role)r));
		assert_true(strlen(theme_role_help((enum theme_role)r)) > 5);
		assert_int_equal(theme_role_parse(name), r);
	}
	assert_int_equal(theme_role_parse("alarm.p6"), -1);
	assert_int_equal(theme_role_parse(""), -1);
	assert_null(theme_role_name(THEME_NROLES));

	assert_int_equal(theme_priority_role(1), ROLE_ALARM_P1);
	assert_int_equal(theme_priority_role(2), ROLE_ALARM_P2);
	assert_int_equal(theme_priority_role(3), ROLE_ALARM_P3);
	assert_int_equal(theme_priority_role(4), ROLE_ALARM_P4);
	assert_int_equal(theme_priority_role(5), ROLE_ALARM_P5PLUS);
	assert_int_equal(theme_priority_role(9), ROLE_ALARM_P5PLUS);
	assert_int_equal(theme_priority_role(0), ROLE_ALARM_P5PLUS);
}

/* The value syntax: attributes, a foreground, "on" a background. */
static void
test_style_good(void **state)
{
	struct theme_style st;
	char *cause = NULL;

	(void)state;
	st = style("bold white on red");
	assert_int_equal(st.attrs, THEME_A_BOLD);
	assert_int_equal(st.fg, 7);
	assert_int_equal(st.bg, 1);

	st = style("on blue");
	assert_int_equal(st.attrs, 0);
	assert_int_equal(st.fg, THEME_COLOR_DEFAULT);
	assert_int_equal(st.bg, 4);

	st = style("Bold  UNDERLINE\tbright-Red");
	assert_int_equal(st.attrs, THEME_A_BOLD | THEME_A_UNDERLINE);
	assert_int_equal(st.fg, 9);
	assert_int_equal(st.bg, THEME_COLOR_DEFAULT);

	st = style("color208 on colour236");
	assert_int_equal(st.fg, 208);
	assert_int_equal(st.bg, 236);

	st = style("#ff8700 on #000000");
	assert_true(THEME_IS_RGB(st.fg));
	assert_int_equal(st.fg, THEME_RGB(0xff, 0x87, 0x00));
	assert_int_equal(st.bg, THEME_RGB(0, 0, 0));

	st = style("dim reverse standout blink italic default on default");
	assert_int_equal(st.attrs, THEME_A_DIM | THEME_A_REVERSE |
	    THEME_A_STANDOUT | THEME_A_BLINK | THEME_A_ITALIC);
	assert_int_equal(st.fg, THEME_COLOR_DEFAULT);

	st = style("normal");
	assert_int_equal(st.attrs, 0);
	st = style("");
	assert_int_equal(st.attrs, 0);
	assert_int_equal(st.fg, THEME_COLOR_DEFAULT);
	/* Attributes may also follow the colours. */
	st = style("red on black bold");
	assert_int_equal(st.attrs, THEME_A_BOLD);
	assert_int_equal(st.fg, 1);
	assert_int_equal(st.bg, 0);

	assert_int_equal(theme_parse_style("bold reverse", true, &st, &cause),
	    0);
	assert_int_equal(st.attrs, THEME_A_BOLD | THEME_A_REVERSE);
}

/* Bad values are refused with a reason. */
static void
test_style_bad(void **state)
{
	static const struct {
		const char *text;
		bool mono;
		const char *why;
	} cases[] = {
		{ "redd", false, "unknown attribute or colour \"redd\"" },
		{ "on", false, "\"on\" without a background" },
		{ "red on", false, "\"on\" without a background" },
		{ "red blue", false, "two foreground colours" },
		{ "on red on blue", false, "two background colours" },
		{ "on bold", false, "unknown colour \"bold\"" },
		{ "color256", false, "unknown" },
		{ "color", false, "unknown" },
		{ "color1234", false, "unknown" },
		{ "#12345", false, "unknown" },
		{ "#gggggg", false, "unknown" },
		{ "bright-default", false, "unknown" },
		{ "red on red", false, "invisible" },
		{ "color9 on bright-red", false, "invisible" },
		{ "bold red", true, "no colours in [mono]" },
		{ "on blue", true, "no colours in [mono]" },
		{ "bolder", true, "unknown attribute" },
	};
	struct theme_style st = { 77, 5, 6 };

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *cause = NULL;

		if (theme_parse_style(cases[i].text, cases[i].mono, &st,
		    &cause) == 0) {
			print_message("\"%s\" accepted\n", cases[i].text);
			fail();
		}
		if (strstr(cause, cases[i].why) == NULL) {
			print_message("\"%s\": %s\n", cases[i].text, cause);
			fail();
		}
		free(cause);
		/* A refused value leaves the style alone. */
		assert_int_equal(st.attrs, 77);
		assert_int_equal(st.fg, 5);
	}
}

/* Formatting a style and parsing it back gives the same style. */
static void
test_style_format(void **state)
{
	static const char *const texts[] = { "bold white on red", "on blue",
		"default", "bright-black", "underline color208 on #102030",
		"bold reverse", "#ffffff" };
	struct theme_style a, b;
	char buf[128];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
		a = style(texts[i]);
		theme_format_style(&a, buf, sizeof buf);
		b = style(buf);
		assert_memory_equal(&a, &b, sizeof a);
	}
	a = style("bold bright-white on red");
	theme_format_style(&a, buf, sizeof buf);
	assert_string_equal(buf, "bold bright-white on red");
	a = style("underline");
	theme_format_style(&a, buf, sizeof buf);
	assert_string_equal(buf, "underline");
	a = style("");
	theme_format_style(&a, buf, sizeof buf);
	assert_string_equal(buf, "default");
}

/* Every problem of a file is named with its line; good lines still apply. */
static void
test_parse_errors(void **state)
{
	static const char text[] =
	    "# a broken theme\n"                       /* 1 */
	    "[theme]\n"                                /* 2 */
	    "name = broken\n"                          /* 3 */
	    "colour = red\n"                           /* 4 */
	    "[roles]\n"                                /* 5 */
	    "alarm.p1 = bold white on blue\n"          /* 6 */
	    "alarm.p9 = red\n"                         /* 7 */
	    "alarm.p2 = purple\n"                      /* 8 */
	    "alarm.p1 = red\n"                         /* 9 */
	    "just some words\n"                        /* 10 */
	    "[colours]\n"                              /* 11 */
	    "normal = red\n"                           /* 12 */
	    "[mono]\n"                                 /* 13 */
	    "alarm.p2 = red\n"                         /* 14 */
	    "alarm.p3 = underline\n"                   /* 15 */
	    "[roles\n"                                 /* 16 */
	    "title = red\n"                            /* 17 */
	    "[roles]\n"                                /* 18 */
	    "  title = bold red   ; indented, with a comment\n" /* 19 */
	    "= red\n"                                  /* 20 */
	    "header = ok\x01\n"                        /* 21 */
	    "name = x\n";                              /* 22 */
	static const char *const expect[] = {
		"t.theme:4: unknown key \"colour\" in [theme]",
		"t.theme:7: unknown role \"alarm.p9\"",
		"t.theme:8: alarm.p2: unknown attribute or colour \"purple\"",
		"t.theme:9: alarm.p1 given twice (first at line 6)",
		"t.theme:10: expected \"[section]\" or \"key = value\"",
		"t.theme:11: unknown section [colours]",
		"t.theme:14: alarm.p2: \"red\": no colours in [mono]",
		"t.theme:16: section header without \"]\"",
		"t.theme:20: missing name before \"=\"",
		"t.theme:21: control character (byte 0x01)",
		"t.theme:22: unknown role \"name\"",
	};
	struct theme t, def;

	(void)state;
	theme_init(&def);
	theme_init(&t);
	assert_int_equal(theme_parse(&t, "t.theme", text, sizeof text - 1), -1);
	if (t.nwarnings != ARRAY_LEN(expect))
		dump_warnings(&t);
	assert_int_equal(t.nwarnings, ARRAY_LEN(expect));
	for (size_t i = 0; i < ARRAY_LEN(expect); i++) {
		if (strncmp(t.warnings[i], expect[i], strlen(expect[i])) != 0) {
			print_message("got      %s\nexpected %s\n", t.warnings[i],
			    expect[i]);
			fail();
		}
	}
	assert_string_equal(t.name, "broken");
	/* The good lines applied... */
	assert_int_equal(t.roles[ROLE_ALARM_P1].fg, 7);
	assert_int_equal(t.roles[ROLE_ALARM_P1].bg, 4);
	assert_int_equal(t.mono[ROLE_ALARM_P3], THEME_A_UNDERLINE);
	assert_int_equal(t.roles[ROLE_TITLE].attrs, THEME_A_BOLD);
	assert_int_equal(t.roles[ROLE_TITLE].fg, 1);
	assert_int_equal(t.roles[ROLE_TITLE].bg, THEME_COLOR_DEFAULT);
	/* ...the bad ones and those of unknown or broken sections did not. */
	assert_memory_equal(&t.roles[ROLE_ALARM_P2], &def.roles[ROLE_ALARM_P2],
	    sizeof t.roles[0]);
	assert_memory_equal(&t.roles[ROLE_NORMAL], &def.roles[ROLE_NORMAL],
	    sizeof t.roles[0]);
	assert_int_equal(t.mono[ROLE_ALARM_P2], def.mono[ROLE_ALARM_P2]);
	theme_release(&t);
	theme_release(&def);
}

/* INI details: a byte order mark, CRLF, keys before any section, long lines. */
static void
test_parse_ini_details(void **state)
{
	static const char crlf[] = "\xef\xbb\xbf[roles]\r\n"
	    "normal = red ; comment\r\n#x\r\n;y\r\n\r\n[ theme ]\r\n"
	    "description = # is kept\r\n";
	static const char nul[] = "[roles]\nnormal = r\0d\ntitle = green\n";
	char text[600];
	struct theme t;

	(void)state;
	theme_init(&t);
	assert_int_equal(theme_parse(&t, "a.theme", crlf, sizeof crlf - 1), 0);
	assert_int_equal(t.roles[ROLE_NORMAL].fg, 1);
	assert_string_equal(t.description, "# is kept");
	theme_release(&t);

	theme_init(&t);
	assert_int_equal(theme_parse(&t, "b.theme", "normal = red\n", 13), -1);
	assert_int_equal(t.nwarnings, 1);
	assert_non_null(strstr(t.warnings[0], "b.theme:1: \"normal\" is outside "
	    "any section"));
	theme_release(&t);

	memset(text, 0, sizeof text);
	strcpy(text, "[theme]\ndescription = ");
	memset(text + strlen(text), 'x', 300);
	strcat(text, "\n[roles]\nnormal = blue\n");
	theme_init(&t);
	assert_int_equal(theme_parse(&t, "c.theme", text, strlen(text)), -1);
	assert_true(has_warning(&t, "c.theme:2: line longer than"));
	assert_int_equal(t.roles[ROLE_NORMAL].fg, 4);
	theme_release(&t);

	/* A NUL byte is a control character, not the end of the file. */
	theme_init(&t);
	assert_int_equal(theme_parse(&t, "d.theme", nul, sizeof nul - 1), -1);
	assert_true(has_warning(&t, "d.theme:2: control character (byte 0x00)"));
	assert_int_equal(t.roles[ROLE_TITLE].fg, 2);
	theme_release(&t);

	theme_init(&t);
	assert_int_equal(theme_parse(&t, "e.theme", "[theme]\nname =\n", 15), -1);
	assert_true(has_warning(&t, "e.theme:2: name: empty"));
	theme_release(&t);
}

/* Many problems are counted but not all listed. */
static void
test_parse_many_errors(void **state)
{
	char *text = xstrdup("[roles]\n"), *next;
	struct theme t;

	(void)state;
	for (int i = 0; i < 3 * LIMIT_CONFIG_ERRORS; i++) {
		next = xasprintf("%sbad%d = red\n", text, i);
		free(text);
		text = next;
	}
	theme_init(&t);
	assert_int_equal(theme_parse(&t, "m.theme", text, strlen(text)), -1);
	assert_int_equal(t.nwarnings, LIMIT_CONFIG_ERRORS + 1);
	assert_non_null(strstr(t.warnings[LIMIT_CONFIG_ERRORS], "150 problems"));
	theme_release(&t);
	free(text);
}

/* The compiled-in theme is themes/default.theme, role for role. */
static void
test_compiled_in_is_default_file(void **state)
{
	char *path = unit_top_path("themes/default.theme");
	struct theme a, b;

	(void)state;
	theme_init(&a);
	assert_int_equal(a.nwarnings, 0);
	theme_init(&b);
	if (theme_parse_file(&b, path) != 0)
		dump_warnings(&b);
	assert_int_equal(b.nwarnings, 0);
	for (int r = 0; r < THEME_NROLES; r++) {
		if (memcmp(&a.roles[r], &b.roles[r], sizeof a.roles[r]) != 0) {
			print_message("role %s differs\n",
			    theme_role_name((enum theme_role)r));
			fail();
		}
	}
	assert_memory_equal(a.mono, b.mono, sizeof a.mono);
	assert_string_equal(b.name, "default");
	theme_release(&a);
	theme_release(&b);
	free(path);
}

/* Set every role of t to a value no shipped theme uses. */
static void
poison(struct theme *t)
{
	for (int r = 0; r < THEME_NROLES; r++) {
		t->roles[r].attrs = THEME_A_ITALIC | THEME_A_STANDOUT;
		t->roles[r].fg = 123;
		t->roles[r].bg = 45;
	}
}

/*
 * Every shipped theme reads cleanly, names every role, and on 8, 16 and 256
 * colours, with and without the terminal's default colours, shows every
 * coloured role in colour: no two colours of a role become one.
 */
static void
test_shipped_themes(void **state)
{
	static const int depths[] = { 8, 16, 256 };
	struct theme_resolved res[THEME_NROLES];
	struct theme_caps caps;
	struct theme t, def;

	(void)state;
	theme_init(&def);
	for (size_t i = 0; i < ARRAY_LEN(shipped); i++) {
		char *rel = xasprintf("themes/%s.theme", shipped[i]);
		char *path = unit_top_path(rel);

		theme_init(&t);
		poison(&t);
		if (theme_parse_file(&t, path) != 0) {
			dump_warnings(&t);
			fail();
		}
		assert_string_equal(t.name, shipped[i]);
		assert_non_null(t.description);
		for (int r = 0; r < THEME_NROLES; r++) {
			if (t.roles[r].fg == 123 && t.roles[r].bg == 45) {
				print_message("%s does not name %s\n", path,
				    theme_role_name((enum theme_role)r));
				fail();
			}
		}
		for (size_t d = 0; d < ARRAY_LEN(depths); d++) {
			for (int dc = 0; dc < 2; dc++) {
				caps.colors = depths[d];
				caps.pairs = 63;
				caps.default_colors = dc == 1;
				theme_resolve(&t, &caps, res);
				for (int r = 0; r < THEME_NROLES; r++) {
					bool coloured = t.roles[r].fg !=
					    THEME_COLOR_DEFAULT || t.roles[r].bg !=
					    THEME_COLOR_DEFAULT || !caps.default_colors;

					if (coloured && res[r].pair == 0) {
						print_message("%s: %s has no colour "
						    "on %d colours\n", shipped[i],
						    theme_role_name((enum theme_role)r),
						    depths[d]);
						fail();
					}
				}
			}
		}
		/* P1, P2 and DISCONNECTED have a solid background everywhere. */
		if (strcmp(shipped[i], "mono") != 0) {
			assert_int_not_equal(t.roles[ROLE_ALARM_P1].bg,
			    THEME_COLOR_DEFAULT);
			assert_int_not_equal(t.roles[ROLE_ALARM_P2].bg,
			    THEME_COLOR_DEFAULT);
			assert_int_not_equal(t.roles[ROLE_STATUS_DISCONNECTED].bg,
			    THEME_COLOR_DEFAULT);
			assert_int_not_equal(t.roles[ROLE_ALARM_P1].bg,
			    t.roles[ROLE_ALARM_P2].bg);
		} else {
			/* mono.theme looks on any terminal as NO_COLOR does. */
			for (int r = 0; r < THEME_NROLES; r++) {
				assert_int_equal(t.roles[r].fg,
				    THEME_COLOR_DEFAULT);
				assert_int_equal(t.roles[r].bg,
				    THEME_COLOR_DEFAULT);
				assert_int_equal(t.roles[r].attrs, def.mono[r]);
			}
		}
		theme_release(&t);
		free(path);
		free(rel);
	}
	theme_release(&def);
}

/* In monochrome the urgent roles differ from ordinary text and each other. */
static void
test_mono_distinct(void **state)
{
	struct theme t;

	(void)state;
	theme_init(&t);
	assert_int_equal(t.mono[ROLE_NORMAL], 0);
	assert_int_not_equal(t.mono[ROLE_ALARM_P1], 0);
	assert_int_not_equal(t.mono[ROLE_ALARM_P2], 0);
	assert_int_not_equal(t.mono[ROLE_ALARM_P1], t.mono[ROLE_ALARM_P2]);
	assert_int_not_equal(t.mono[ROLE_STATUS_LIVE],
	    t.mono[ROLE_STATUS_STALE]);
	assert_int_not_equal(t.mono[ROLE_STATUS_STALE],
	    t.mono[ROLE_STATUS_DISCONNECTED]);
	assert_true((t.mono[ROLE_STATUS_DISCONNECTED] & THEME_A_REVERSE) != 0);
	assert_int_not_equal(t.mono[ROLE_ALARM_NEW], 0);
	assert_int_not_equal(t.mono[ROLE_ALARM_WARNING],
	    t.mono[ROLE_ALARM_NEW]);
	assert_int_not_equal(t.mono[ROLE_ALARM_OVERDUE],
	    t.mono[ROLE_ALARM_WARNING]);
	assert_int_not_equal(t.mono[ROLE_GUARD_STALE], 0);
	assert_int_not_equal(t.mono[ROLE_SELECTED], 0);
	assert_int_not_equal(t.mono[ROLE_MARKED], t.mono[ROLE_SELECTED]);
	theme_release(&t);
}

/* NO_COLOR: any non-empty value. */
static void
test_no_color(void **state)
{
	(void)state;
	assert_false(theme_no_color(NULL));
	assert_false(theme_no_color(""));
	assert_true(theme_no_color("1"));
	assert_true(theme_no_color("0"));
	assert_true(theme_no_color("no"));
}

/* 256 -> 16 -> 8 -> none: the nearest colour, brightness kept as bold. */
static void
test_degrade(void **state)
{
	unsigned extra;

	(void)state;
	/* The default is the default everywhere; no colours, no colour. */
	assert_int_equal(theme_degrade(THEME_COLOR_DEFAULT, 256, true, NULL),
	    -1);
	assert_int_equal(theme_degrade(1, 0, true, NULL), -1);
	assert_int_equal(theme_degrade(-2, 256, true, NULL), -1);
	assert_int_equal(theme_degrade(256, 16, true, NULL), -1);

	/* 256: indexes stay, RGB goes to the cube or the greys. */
	assert_int_equal(theme_degrade(208, 256, true, NULL), 208);
	assert_int_equal(theme_degrade(9, 256, true, NULL), 9);
	assert_int_equal(theme_degrade(THEME_RGB(255, 0, 0), 256, true, NULL),
	    196);
	assert_int_equal(theme_degrade(THEME_RGB(0, 0, 0), 256, true, NULL),
	    16);
	assert_int_equal(theme_degrade(THEME_RGB(128, 128, 128), 256, true,
	    NULL), 244);
	assert_int_equal(theme_degrade(THEME_RGB(0xff, 0x87, 0), 256, true,
	    NULL), 208);

	/* 16: the 16 stay, the rest go to the nearest of them. */
	assert_int_equal(theme_degrade(9, 16, true, NULL), 9);
	assert_int_equal(theme_degrade(196, 16, true, NULL), 9);
	assert_int_equal(theme_degrade(236, 16, false, NULL), 0);
	assert_int_equal(theme_degrade(231, 16, true, NULL), 15);
	assert_int_equal(theme_degrade(208, 16, true, NULL), 3);
	assert_int_equal(theme_degrade(21, 16, true, NULL), 4);
	assert_int_equal(theme_degrade(THEME_RGB(255, 255, 0), 16, true, NULL),
	    11);
	assert_int_equal(theme_degrade(THEME_RGB(0, 150, 0), 16, true, NULL),
	    2);

	/* 8: bright text turns bold, bright backgrounds just their base. */
	extra = 0;
	assert_int_equal(theme_degrade(9, 8, true, &extra), 1);
	assert_int_equal(extra, THEME_A_BOLD);
	extra = 0;
	assert_int_equal(theme_degrade(9, 8, false, &extra), 1);
	assert_int_equal(extra, 0);
	extra = 0;
	assert_int_equal(theme_degrade(2, 8, true, &extra), 2);
	assert_int_equal(extra, 0);
	extra = 0;
	assert_int_equal(theme_degrade(196, 8, true, &extra), 1);
	assert_int_equal(extra, THEME_A_BOLD);
	extra = 0;
	assert_int_equal(theme_degrade(THEME_RGB(255, 255, 255), 8, true,
	    &extra), 7);
	assert_int_equal(extra, THEME_A_BOLD);
	/* Grey text stays readable (white, dim); a grey background is black. */
	extra = 0;
	assert_int_equal(theme_degrade(8, 8, true, &extra), 7);
	assert_int_equal(extra, THEME_A_DIM);
	extra = 0;
	assert_int_equal(theme_degrade(8, 8, false, &extra), 0);
	assert_int_equal(extra, 0);
	extra = 0;
	assert_int_equal(theme_degrade(236, 8, false, &extra), 0);
	/* Every colour lands inside the terminal's range. */
	for (int c = 0; c < 256; c++) {
		assert_in_range(theme_degrade(c, 16, true, NULL), 0, 15);
		assert_in_range(theme_degrade(c, 8, true, NULL), 0, 7);
		assert_in_range(theme_degrade(c, 8, false, NULL), 0, 7);
	}
}

/* Roles become pairs and attributes for a terminal's colours. */
static void
test_resolve(void **state)
{
	struct theme_resolved res[THEME_NROLES];
	struct theme_caps caps = { 256, 255, true };
	struct theme t;
	char *cause = NULL;

	(void)state;
	theme_init(&t);

	theme_resolve(&t, &caps, res);
	assert_int_equal(res[ROLE_ALARM_P1].fg, 15);
	assert_int_equal(res[ROLE_ALARM_P1].bg, 1);
	assert_int_equal(res[ROLE_ALARM_P1].attrs, THEME_A_BOLD);
	assert_int_not_equal(res[ROLE_ALARM_P1].pair, 0);
	/* The same colours share a pair; ordinary text needs none. */
	assert_int_equal(res[ROLE_MAP_POINT_ALARM].pair,
	    res[ROLE_ALARM_P1].pair);
	assert_int_not_equal(res[ROLE_ALARM_P2].pair, res[ROLE_ALARM_P1].pair);
	assert_int_equal(res[ROLE_NORMAL].pair, 0);
	assert_int_equal(res[ROLE_NORMAL].fg, -1);
	assert_int_equal(res[ROLE_NORMAL].attrs, 0);

	/* 8 colours: bright white on red is bold white on red. */
	caps.colors = 8;
	theme_resolve(&t, &caps, res);
	assert_int_equal(res[ROLE_ALARM_P1].fg, 7);
	assert_int_equal(res[ROLE_ALARM_P1].bg, 1);
	assert_int_equal(res[ROLE_ALARM_P1].attrs, THEME_A_BOLD);
	assert_int_equal(res[ROLE_DIM].fg, 7);
	assert_int_equal(res[ROLE_DIM].attrs, THEME_A_DIM);

	/* No default colours: the default becomes white on black. */
	caps.default_colors = false;
	theme_resolve(&t, &caps, res);
	assert_int_equal(res[ROLE_NORMAL].fg, 7);
	assert_int_equal(res[ROLE_NORMAL].bg, 0);
	assert_int_not_equal(res[ROLE_NORMAL].pair, 0);
	caps.default_colors = true;

	/* Monochrome: the mono attributes, no pairs. */
	caps.colors = 0;
	theme_resolve(&t, &caps, res);
	for (int r = 0; r < THEME_NROLES; r++) {
		assert_int_equal(res[r].pair, 0);
		assert_int_equal(res[r].attrs, t.mono[r]);
	}
	assert_int_equal(res[ROLE_ALARM_P1].attrs, THEME_A_BOLD |
	    THEME_A_REVERSE);

	/* Two greys that are both black on 16 colours: mono, not invisible. */
	assert_int_equal(theme_parse_style("bold color252 on color236", false,
	    &t.roles[ROLE_TITLE], &cause), 0);
	assert_int_equal(theme_parse_style("color236 on color234", false,
	    &t.roles[ROLE_HEADER], &cause), 0);
	caps.colors = 256;
	theme_resolve(&t, &caps, res);
	assert_int_equal(res[ROLE_HEADER].fg, 236);
	assert_int_equal(res[ROLE_TITLE].fg, 252);
	caps.colors = 16;
	theme_resolve(&t, &caps, res);
	assert_int_equal(res[ROLE_HEADER].pair, 0);
	assert_int_equal(res[ROLE_HEADER].attrs, t.mono[ROLE_HEADER]);
	assert_int_equal(res[ROLE_TITLE].fg, 7);
	assert_int_equal(res[ROLE_TITLE].bg, 0);
	assert_int_equal(res[ROLE_TITLE].attrs, THEME_A_BOLD);

	/* Out of pairs: the later roles fall back to their mono attributes. */
	caps.pairs = 2;
	theme_resolve(&t, &caps, res);
	{
		int used = 0, mono = 0;

		for (int r = 0; r < THEME_NROLES; r++) {
			assert_in_range(res[r].pair, 0, 2);
			if (res[r].pair != 0)
				used++;
			else if (res[r].fg == -1 && res[r].bg == -1 &&
			    (t.roles[r].fg != -1 || t.roles[r].bg != -1))
				mono++;
		}
		assert_true(used >= 2);
		assert_true(mono > 10);
	}
	theme_release(&t);
}

/* The directories: XDG_CONFIG_HOME or ~/.config, the data directory, ./themes. */
static void
test_dirs(void **state)
{
	char *xdg = getenv("XDG_CONFIG_HOME") != NULL ?
	    xstrdup(getenv("XDG_CONFIG_HOME")) : NULL;
	char *home = getenv("HOME") != NULL ? xstrdup(getenv("HOME")) : NULL;
	char **dirs;

	(void)state;
	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	dirs = theme_dirs();
	assert_string_equal(dirs[0], "/x/conf/vigil/themes");
	assert_string_equal(dirs[1], VIGIL_DATADIR "/themes");
	assert_string_equal(dirs[2], "./themes");
	assert_null(dirs[3]);
	theme_dirs_free(dirs);

	/* A relative XDG_CONFIG_HOME is ignored, as the XDG rules say. */
	setenv("XDG_CONFIG_HOME", "rel", 1);
	setenv("HOME", "/home/op", 1);
	dirs = theme_dirs();
	assert_string_equal(dirs[0], "/home/op/.config/vigil/themes");
	theme_dirs_free(dirs);

	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	dirs = theme_dirs();
	assert_string_equal(dirs[0], VIGIL_DATADIR "/themes");
	theme_dirs_free(dirs);

	if (xdg != NULL)
		setenv("XDG_CONFIG_HOME", xdg, 1);
	if (home != NULL)
		setenv("HOME", home, 1);
	free(xdg);
	free(home);

	assert_true(theme_name_valid("high-contrast"));
	assert_true(theme_name_valid("My_Theme.2"));
	assert_false(theme_name_valid(""));
	assert_false(theme_name_valid(".hidden"));
	assert_false(theme_name_valid("a/b"));
	assert_false(theme_name_valid("a b"));
}

/* The chain: the theme file, the default file, the compiled-in theme. */
static void
test_load_chain(void **state)
{
	char *user = unit_tmpdir("theme"), *data = unit_tmpdir("theme"), *empty = unit_tmpdir("theme");
	char *dirs[] = { user, data, NULL };
	char *nodef[] = { user, empty, NULL };
	char *list_both[] = { user, data, NULL };
	char *path, *cause = NULL, **names;
	struct theme t;

	(void)state;
	unit_put_file(user, "night.theme", "[theme]\nname = Night\n"
	    "description = for the night\n[roles]\nalarm.p1 = blink red on "
	    "black\n[mono]\nalarm.p1 = underline\n");
	unit_put_file(user, "bad.theme", "[roles]\nalarm.p1 = bold\nalarm.p2 = "
	    "nocolour\n");
	unit_put_file(data, "default.theme", "[theme]\ndescription = the data "
	    "default\n[roles]\nnormal = green\n");
	unit_put_file(data, "night.theme", "[roles]\nnormal = blue\n");
	unit_put_file(data, "other.theme", "[roles]\n");
	unit_put_file(data, "README", "not a theme\n");

	/* The theme asked for, from the first directory that has it. */
	assert_int_equal(theme_load(&t, "night", dirs), 0);
	assert_int_equal(t.nwarnings, 0);
	assert_string_equal(t.name, "Night");
	assert_string_equal(t.description, "for the night");
	assert_non_null(strstr(t.path, user));
	assert_int_equal(t.roles[ROLE_ALARM_P1].attrs, THEME_A_BLINK);
	assert_int_equal(t.roles[ROLE_ALARM_P1].fg, 1);
	assert_int_equal(t.roles[ROLE_ALARM_P1].bg, 0);
	assert_int_equal(t.mono[ROLE_ALARM_P1], THEME_A_UNDERLINE);
	/* Roles the file leaves out keep the compiled-in values. */
	assert_int_equal(t.roles[ROLE_ALARM_P2].bg, 3);
	theme_release(&t);

	/* Missing: the default file, saying why. */
	assert_int_equal(theme_load(&t, "missing", dirs), -1);
	assert_string_equal(t.description, "the data default");
	assert_int_equal(t.roles[ROLE_NORMAL].fg, 2);
	assert_int_equal(t.nwarnings, 1);
	assert_true(has_warning(&t, "theme \"missing\" not used: no "
	    "missing.theme in"));
	assert_true(has_warning(&t, "falling back to the default theme"));
	theme_release(&t);

	/* Broken: nothing of it is used; each problem is listed with its line. */
	assert_int_equal(theme_load(&t, "bad", dirs), -1);
	assert_string_equal(t.description, "the data default");
	assert_int_equal(t.roles[ROLE_ALARM_P1].bg, 1);
	assert_int_equal(t.nwarnings, 2);
	assert_true(has_warning(&t, "bad.theme:3: alarm.p2: unknown"));
	assert_true(has_warning(&t, "bad.theme has problems; falling back"));
	theme_release(&t);

	/* No default file either: the compiled-in theme. */
	assert_int_equal(theme_load(&t, "missing", nodef), -1);
	assert_null(t.path);
	assert_string_equal(t.name, "default");
	assert_int_equal(t.nwarnings, 2);
	assert_true(has_warning(&t, "default theme file not used: no "
	    "default.theme in"));
	assert_true(has_warning(&t, "using the compiled-in default theme"));
	theme_release(&t);

	/* "default" itself missing: one warning, not two. */
	assert_int_equal(theme_load(&t, NULL, nodef), -1);
	assert_int_equal(t.nwarnings, 1);
	theme_release(&t);
	assert_int_equal(theme_load(&t, "", dirs), 0);
	assert_string_equal(t.description, "the data default");
	theme_release(&t);

	/* A name with a "/" is a file; a bad name is refused. */
	path = xasprintf("%s/night.theme", data);
	assert_int_equal(theme_load(&t, path, nodef), 0);
	assert_int_equal(t.roles[ROLE_NORMAL].fg, 4);
	assert_string_equal(t.name, "night");
	theme_release(&t);
	free(path);
	assert_int_equal(theme_load(&t, "../night", dirs), -1);
	assert_true(has_warning(&t, "../night: no such file"));
	theme_release(&t);
	assert_null(theme_find("..night", dirs, &cause));
	assert_non_null(strstr(cause, "not a theme name"));
	free(cause);

	names = theme_list(list_both);
	assert_string_equal(names[0], "bad");
	assert_string_equal(names[1], "default");
	assert_string_equal(names[2], "night");
	assert_string_equal(names[3], "other");
	assert_null(names[4]);
	theme_dirs_free(names);

	unit_rm_tree(user);
	unit_rm_tree(data);
	unit_rm_tree(empty);
}

/* The shipped themes are found in ./themes from the repository root. */
static void
test_load_shipped(void **state)
{
	char *dir = unit_top_path("themes");
	char *dirs[] = { dir, NULL };
	char **names;
	struct theme t;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(shipped); i++) {
		if (theme_load(&t, shipped[i], dirs) != 0)
			dump_warnings(&t);
		assert_int_equal(t.nwarnings, 0);
		assert_string_equal(t.name, shipped[i]);
		theme_release(&t);
	}
	names = theme_list(dirs);
	while (names[n] != NULL)
		n++;
	assert_true(n >= ARRAY_LEN(shipped));
	theme_dirs_free(names);
	free(dir);
}

/* Start curses on term writing to /dev/null, for the curses part. */
static SCREEN *
fake_screen(const char *term, FILE **out, FILE **in)
{
	SCREEN *s;

	*out = fopen("/dev/null", "w");
	*in = fopen("/dev/null", "r");
	assert_non_null(*out);
	assert_non_null(*in);
	s = newterm(term, *out, *in);
	if (s == NULL) {
		print_message("no terminfo entry for %s\n", term);
		fail();
	}
	return s;
}

/* End a screen from fake_screen. */
static void
end_screen(SCREEN *s, FILE *out, FILE *in)
{
	endwin();
	delscreen(s);
	fclose(out);
	fclose(in);
}

/* The curses part: colour pairs on a colour terminal, attributes on others. */
static void
test_curses(void **state)
{
	struct theme_caps caps;
	struct theme t;
	short fg, bg;
	FILE *out, *in;
	SCREEN *s;
	char *old = getenv("NO_COLOR") != NULL ? xstrdup(getenv("NO_COLOR")) :
	    NULL;

	(void)state;
	theme_init(&t);
	unsetenv("NO_COLOR");

	s = fake_screen("xterm-256color", &out, &in);
	theme_caps_detect(&caps);
	assert_int_equal(caps.colors, 256);
	assert_true(caps.default_colors);
	assert_true(caps.pairs >= 63);
	theme_apply(&t, &caps);
	assert_true((theme_attr(ROLE_ALARM_P1) & A_BOLD) != 0);
	assert_true((theme_attr(ROLE_ALARM_P1) & A_REVERSE) == 0);
	assert_int_not_equal(PAIR_NUMBER(theme_attr(ROLE_ALARM_P1)), 0);
	pair_content((short)PAIR_NUMBER(theme_attr(ROLE_ALARM_P1)), &fg, &bg);
	assert_int_equal(fg, 15);
	assert_int_equal(bg, COLOR_RED);
	assert_int_equal(theme_attr(ROLE_NORMAL), A_NORMAL);
	end_screen(s, out, in);

	s = fake_screen("xterm", &out, &in);
	theme_caps_detect(&caps);
	assert_int_equal(caps.colors, 8);
	theme_apply(&t, &caps);
	pair_content((short)PAIR_NUMBER(theme_attr(ROLE_ALARM_P1)), &fg, &bg);
	assert_int_equal(fg, COLOR_WHITE);
	assert_int_equal(bg, COLOR_RED);
	assert_true((theme_attr(ROLE_ALARM_P1) & A_BOLD) != 0);
	end_screen(s, out, in);

	/* NO_COLOR: no colour at all, the monochrome attributes. */
	setenv("NO_COLOR", "1", 1);
	s = fake_screen("xterm-256color", &out, &in);
	theme_caps_detect(&caps);
	assert_int_equal(caps.colors, 0);
	theme_apply(&t, &caps);
	assert_int_equal(theme_attr(ROLE_ALARM_P1), A_BOLD | A_REVERSE);
	assert_int_equal(PAIR_NUMBER(theme_attr(ROLE_STATUS_DISCONNECTED)), 0);
	assert_true((theme_attr(ROLE_STATUS_DISCONNECTED) & A_REVERSE) != 0);
	end_screen(s, out, in);
	/* Set but empty is not NO_COLOR. */
	setenv("NO_COLOR", "", 1);
	s = fake_screen("xterm-256color", &out, &in);
	theme_caps_detect(&caps);
	assert_int_equal(caps.colors, 256);
	end_screen(s, out, in);
	unsetenv("NO_COLOR");

	/* A terminal without colour. */
	s = fake_screen("vt100", &out, &in);
	theme_caps_detect(&caps);
	assert_int_equal(caps.colors, 0);
	theme_apply(&t, &caps);
	assert_int_equal(theme_attr(ROLE_ALARM_P1), A_BOLD | A_REVERSE);
	assert_int_equal(theme_attr(ROLE_SELECTED), A_REVERSE);
	end_screen(s, out, in);

	assert_int_equal(theme_attr(THEME_NROLES), A_NORMAL);
	if (old != NULL)
		setenv("NO_COLOR", old, 1);
	free(old);
	theme_release(&t);
}

/* vigil-theme(5) documents every role with its compiled-in value. */
static void
test_manual(void **state)
{
	char *path = unit_top_path("man/vigil-theme.5"), *text, *cause = NULL;
	char needle[128];
	size_t len;

	(void)state;
	if (config_read_file(path, 1024 * 1024, false, &text, &len,
	    &cause) != 0) {
		print_message("%s\n", cause);
		fail();
	}
	for (int r = 0; r < THEME_NROLES; r++) {
		snprintf(needle, sizeof needle, ".It Cm %s\n",
		    theme_role_name((enum theme_role)r));
		if (strstr(text, needle) == NULL) {
			print_message("%s lacks \"%s\"\n", path, needle);
			fail();
		}
	}
	free(text);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_table),
		cmocka_unit_test(test_style_good),
		cmocka_unit_test(test_style_bad),
		cmocka_unit_test(test_style_format),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_ini_details),
		cmocka_unit_test(test_parse_many_errors),
		cmocka_unit_test(test_compiled_in_is_default_file),
		cmocka_unit_test(test_shipped_themes),
		cmocka_unit_test(test_mono_distinct),
		cmocka_unit_test(test_no_color),
		cmocka_unit_test(test_degrade),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_dirs),
		cmocka_unit_test(test_load_chain),
		cmocka_unit_test(test_load_shipped),
		cmocka_unit_test(test_curses),
		cmocka_unit_test(test_manual),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
