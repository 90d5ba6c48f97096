/*
 * theme.h: the console's colours, as named roles read from theme files.
 *
 * Views never name a colour: they draw with a role (ROLE_ALARM_P1,
 * ROLE_STATUS_DISCONNECTED...) and wattrset(w, theme_attr(ROLE_...)).
 * A theme file (vigil-theme(5)) gives each role attributes and colours;
 * every role also has monochrome attributes, used when the terminal has no
 * colour or NO_COLOR is set, so a mono terminal still shows the difference.
 *
 * The work is split in two.  The pure part (theme_parse, theme_load,
 * theme_resolve) reads files and turns a theme and a terminal's abilities
 * into colour numbers, pairs and attributes without a terminal; the curses
 * part (theme_caps_detect, theme_apply, theme_attr) hands them to curses.
 *
 *	struct theme t;
 *	struct theme_caps caps;
 *	theme_load(&t, cfg.theme, NULL);            never fails; see t.warnings
 *	initscr(); ...
 *	theme_caps_detect(&caps);                   start_color, NO_COLOR
 *	theme_apply(&t, &caps);
 *	wattrset(w, theme_attr(ROLE_ALARM_P1));
 *	theme_release(&t);                          theme_attr still works
 *
 * Loading falls back from the named theme file to the default theme file to
 * the compiled-in default theme; each step down adds a warning saying which
 * theme was not used and why.  Roles a file does not name keep the
 * compiled-in value.
 */
#ifndef VIGIL_THEME_H
#define VIGIL_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

/*
 * The colour roles.  Their names in theme files, one-line descriptions and
 * monochrome attributes are in theme.c's table, which the parser, the
 * manual's check and the console's help all read (theme_role_name...).
 * User roles (ROLE_ADMIN...) of model.h share the prefix but not a name.
 */
enum theme_role {
	ROLE_NORMAL,
	ROLE_TITLE,
	ROLE_HEADER,
	ROLE_BORDER,
	ROLE_DIM,
	ROLE_ERROR,
	ROLE_SELECTED,
	ROLE_MARKED,
	ROLE_PENDING,
	ROLE_INPUT,
	ROLE_MATCH,
	ROLE_KEYBAR_KEY,
	ROLE_KEYBAR_LABEL,
	ROLE_STATUS_LIVE,
	ROLE_STATUS_STALE,
	ROLE_STATUS_DISCONNECTED,
	ROLE_ALARM_P1,
	ROLE_ALARM_P2,
	ROLE_ALARM_P3,
	ROLE_ALARM_P4,
	ROLE_ALARM_P5PLUS,
	ROLE_ALARM_NEW,
	ROLE_ALARM_WARNING,
	ROLE_ALARM_OVERDUE,
	ROLE_ALARM_ACKED,
	ROLE_ALARM_ASSIGNED,
	ROLE_ALARM_CLOSED,
	ROLE_GUARD_AVAILABLE,
	ROLE_GUARD_DISPATCHED,
	ROLE_GUARD_ON_SCENE,
	ROLE_GUARD_OFF_DUTY,
	ROLE_GUARD_STALE,
	ROLE_MAP_WALL,
	ROLE_MAP_POINT,
	ROLE_MAP_POINT_OPEN,
	ROLE_MAP_POINT_ALARM,
	ROLE_MAP_POINT_FAULT,
	ROLE_MAP_GUARD,
	ROLE_MAP_TRAIL,
	THEME_NROLES
};

/* Attributes, independent of curses; theme_apply maps them to A_*. */
#define THEME_A_BOLD      0x01u
#define THEME_A_DIM       0x02u
#define THEME_A_UNDERLINE 0x04u
#define THEME_A_REVERSE   0x08u
#define THEME_A_STANDOUT  0x10u
#define THEME_A_BLINK     0x20u
#define THEME_A_ITALIC    0x40u

/*
 * An abstract colour: THEME_COLOR_DEFAULT (the terminal's own), a palette
 * index 0 to 255 (0-7 the ANSI colours, 8-15 their bright forms, 16-255
 * xterm's cube and greys), or THEME_RGB(r, g, b) from "#rrggbb".
 */
#define THEME_COLOR_DEFAULT (-1)
#define THEME_RGB_FLAG      0x1000000
#define THEME_RGB(r, g, b)  (THEME_RGB_FLAG | ((r) << 16) | ((g) << 8) | (b))
#define THEME_IS_RGB(c)     ((c) >= 0 && ((c) & THEME_RGB_FLAG) != 0)

/* How one role looks: attributes, foreground and background. */
struct theme_style {
	unsigned attrs;       /* THEME_A_* */
	int fg;               /* an abstract colour */
	int bg;
};

/* A theme as loaded. */
struct theme {
	char *name;           /* [theme] name, else the file's base name */
	char *description;    /* [theme] description, or NULL */
	char *path;           /* the file it came from, NULL when compiled in */
	struct theme_style roles[THEME_NROLES];
	unsigned mono[THEME_NROLES]; /* attributes without colour */
	char **warnings;      /* "file:line: ..." and fallbacks, for the log */
	size_t nwarnings;
};

/* What the terminal can show; theme_caps_detect fills it in. */
struct theme_caps {
	int colors;           /* 0 (monochrome), 8, 16 or 256 */
	int pairs;            /* pairs usable (not pair 0), at most 255 */
	bool default_colors;  /* -1 is the terminal's own fg and bg */
};

/* A role as it will be drawn on a terminal with given caps. */
struct theme_resolved {
	unsigned attrs;       /* THEME_A_*, brightness emulation included */
	int fg;               /* a colour number below caps->colors, or -1 */
	int bg;
	int pair;             /* 0: the terminal's own colours (and, when fg is
	                         -1, the monochrome attributes if colour was off) */
};

/* The name of role r in theme files ("alarm.p1"). */
const char *theme_role_name(enum theme_role r);
/* One line saying what role r is for. */
const char *theme_role_help(enum theme_role r);
/* The role called name, or -1. */
int theme_role_parse(const char *name);
/* The role of an alarm of priority p (1 highest): P1 to P4, then P5PLUS. */
enum theme_role theme_priority_role(int priority);

/* Set t to the compiled-in default theme. */
void theme_init(struct theme *t);
/* Free what t holds, and leave it as after theme_init. */
void theme_release(struct theme *t);

/*
 * Parse the theme file text of len bytes, named path in messages, over the
 * compiled-in values in t (theme_init first).  Returns 0, or -1 with one
 * "path:line: message" per problem in t->warnings; the roles of bad lines
 * are left as they were.
 */
int theme_parse(struct theme *t, const char *path, const char *text,
    size_t len);
/* Read the file at path into t as theme_parse does; -1 when it cannot be read. */
int theme_parse_file(struct theme *t, const char *path);
/*
 * Parse one role's value ("bold white on red") into *style; or, when mono,
 * attributes only into style->attrs.  Returns 0, or -1 with *cause.
 */
int theme_parse_style(const char *value, bool mono, struct theme_style *style,
    char **cause);
/* Write style as a theme file value ("bold bright-white on red") into buf. */
void theme_format_style(const struct theme_style *style, char *buf,
    size_t len);

/*
 * True when name is a theme name: 1 to LIMIT_THEME_NAME_LEN of
 * [A-Za-z0-9_.-], not starting with ".".
 */
bool theme_name_valid(const char *name);
/*
 * The directories themes are searched in, in order: $XDG_CONFIG_HOME/vigil/
 * themes (else ~/.config/vigil/themes), VIGIL_DATADIR/themes, ./themes.
 * A NULL-terminated array the caller frees with theme_dirs_free.
 */
char **theme_dirs(void);
/* Free what theme_dirs returned. */
void theme_dirs_free(char **dirs);
/*
 * The file of theme name in dirs (NULL: theme_dirs()), caller frees; a name
 * with a "/" is a path used as it is.  NULL with *cause when none exists.
 */
char *theme_find(const char *name, char *const *dirs, char **cause);
/*
 * The names of the themes found in dirs (NULL: theme_dirs()), sorted, no
 * duplicates; NULL-terminated, the caller frees it with theme_dirs_free.
 */
char **theme_list(char *const *dirs);
/*
 * Load theme name (NULL or "" for "default") from dirs (NULL: theme_dirs())
 * into t, which need not be initialised, falling back to the default theme
 * file and then to the compiled-in theme.  Returns 0 when the theme asked
 * for was used, -1 when a fallback was; t is usable either way (release it
 * with theme_release) and t->warnings says what happened.
 */
int theme_load(struct theme *t, const char *name, char *const *dirs);

/* True when NO_COLOR's value asks for no colour: set and not empty. */
bool theme_no_color(const char *value);
/*
 * The colour number, below colors (8, 16 or 256), nearest to abstract colour
 * c, or -1 for THEME_COLOR_DEFAULT.  When fg and an 8-colour terminal turns
 * a bright colour into its base one, *extra gets THEME_A_BOLD (or
 * THEME_A_DIM for bright black, shown as white).
 */
int theme_degrade(int c, int colors, bool fg, unsigned *extra);
/*
 * How every role of t looks on a terminal with caps: colours degraded,
 * pairs numbered from 1 (identical fg/bg share one), monochrome attributes
 * when colours are off, when pairs run out, or when a role's fg and bg would
 * be the same colour after degrading.
 */
void theme_resolve(const struct theme *t, const struct theme_caps *caps,
    struct theme_resolved out[THEME_NROLES]);

/*
 * After initscr: start colour unless NO_COLOR is set or the terminal has
 * none, ask for the terminal's default colours, and fill in caps.
 */
void theme_caps_detect(struct theme_caps *caps);
/* Define the colour pairs of t for caps and set every role's attribute. */
void theme_apply(const struct theme *t, const struct theme_caps *caps);
/* The curses attribute of role r (A_NORMAL before theme_apply). */
attr_t theme_attr(enum theme_role r);

#endif
