#include "compat.h"

#include <dirent.h>
#include <strings.h>
#include <sys/stat.h>

#include <curses.h>

#include "config.h"
#include "theme.h"

#ifndef VIGIL_DATADIR
#define VIGIL_DATADIR "/usr/local/share/vigil"
#endif

/*
 * Themes.  The role table below is the one list of roles: theme files are
 * read against it, the compiled-in theme is its default column (the same
 * text as themes/default.theme, which a unit test checks), monochrome
 * terminals use its mono column, and vigil-theme(5) is checked against it.
 *
 * Colours are kept abstract (a palette index or an RGB value) until
 * theme_resolve knows how many colours the terminal has: then 256-colour
 * and RGB values go to the nearest of what there is, judged on xterm's
 * default palette with a weighted RGB distance, and bright colours on an
 * 8-colour terminal become their base colour made bold, as those terminals
 * show bold text bright.
 */

/* One colour role. */
struct theme_role_info {
	const char *name;     /* in theme files */
	const char *dflt;     /* the compiled-in (dark) theme */
	const char *mono;     /* attributes without colour */
	const char *help;     /* one line, for the manual and the help screen */
};

static const struct theme_role_info theme_roles[THEME_NROLES] = {
	[ROLE_NORMAL] = { "normal", "default", "normal",
	    "ordinary text and the background of every view" },
	[ROLE_TITLE] = { "title", "bold bright-white on blue", "reverse",
	    "the title line: site group, user, role and clock" },
	[ROLE_HEADER] = { "header", "bold cyan", "bold",
	    "column headings, counts and section headings" },
	[ROLE_BORDER] = { "border", "blue", "normal",
	    "lines between panes and around boxes" },
	[ROLE_DIM] = { "dim", "bright-black", "dim",
	    "less important text: hints, empty values, old entries" },
	[ROLE_ERROR] = { "error", "bold bright-red", "bold",
	    "error messages, such as a refused action" },
	[ROLE_SELECTED] = { "selected", "black on cyan", "reverse",
	    "the cursor row of a list" },
	[ROLE_MARKED] = { "marked", "bold bright-yellow", "bold underline",
	    "rows marked for a bulk action" },
	[ROLE_PENDING] = { "pending", "magenta", "underline",
	    "an action sent and waiting for the server to confirm it" },
	[ROLE_INPUT] = { "input", "bright-white", "normal",
	    "the command line, the filter and text being typed" },
	[ROLE_MATCH] = { "match", "black on yellow", "underline",
	    "text that matches the filter or search" },
	[ROLE_KEYBAR_KEY] = { "keybar.key", "bold bright-white", "bold",
	    "key names on the key bar" },
	[ROLE_KEYBAR_LABEL] = { "keybar.label", "black on cyan", "reverse",
	    "what each key on the key bar does" },
	[ROLE_STATUS_LIVE] = { "status.live", "bold black on green", "bold",
	    "feed state LIVE: the screen is up to date" },
	[ROLE_STATUS_STALE] = { "status.stale", "bold black on yellow",
	    "reverse",
	    "feed state STALE: no heartbeat for a few seconds" },
	[ROLE_STATUS_DISCONNECTED] = { "status.disconnected",
	    "bold blink bright-white on red", "bold reverse blink",
	    "feed state DISCONNECTED: the screen is not live" },
	[ROLE_ALARM_P1] = { "alarm.p1", "bold bright-white on red",
	    "bold reverse", "priority 1 alarms (fire, in the usual scheme)" },
	[ROLE_ALARM_P2] = { "alarm.p2", "bold black on yellow", "reverse",
	    "priority 2 alarms (medical)" },
	[ROLE_ALARM_P3] = { "alarm.p3", "bold bright-magenta", "bold",
	    "priority 3 alarms (panic, hold-up)" },
	[ROLE_ALARM_P4] = { "alarm.p4", "bright-cyan", "normal",
	    "priority 4 alarms (burglary, intrusion)" },
	[ROLE_ALARM_P5PLUS] = { "alarm.p5plus", "default", "normal",
	    "priority 5 and lower (technical, informational)" },
	[ROLE_ALARM_NEW] = { "alarm.new", "bold bright-white", "bold",
	    "an alarm nobody has acknowledged yet" },
	[ROLE_ALARM_WARNING] = { "alarm.warning", "bold bright-yellow",
	    "bold underline",
	    "an unacknowledged alarm older than warning_after" },
	[ROLE_ALARM_OVERDUE] = { "alarm.overdue", "bold bright-red",
	    "bold reverse",
	    "an unacknowledged alarm older than overdue_after" },
	[ROLE_ALARM_ACKED] = { "alarm.acked", "cyan", "normal",
	    "an acknowledged alarm not yet assigned" },
	[ROLE_ALARM_ASSIGNED] = { "alarm.assigned", "green", "normal",
	    "an alarm assigned to a guard" },
	[ROLE_ALARM_CLOSED] = { "alarm.closed", "bright-black", "dim",
	    "a closed alarm" },
	[ROLE_GUARD_AVAILABLE] = { "guard.available", "bright-green", "bold",
	    "a guard available for dispatch" },
	[ROLE_GUARD_DISPATCHED] = { "guard.dispatched", "bright-yellow",
	    "underline", "a guard dispatched to an alarm" },
	[ROLE_GUARD_ON_SCENE] = { "guard.on_scene", "bright-cyan", "normal",
	    "a guard on scene" },
	[ROLE_GUARD_OFF_DUTY] = { "guard.off_duty", "bright-black", "dim",
	    "a guard off duty" },
	[ROLE_GUARD_STALE] = { "guard.stale", "bold bright-red", "reverse",
	    "a guard whose last position is older than stale_after" },
	[ROLE_MAP_WALL] = { "map.wall", "white", "normal",
	    "walls and outlines on site maps" },
	[ROLE_MAP_POINT] = { "map.point", "green", "normal",
	    "a point in its normal state" },
	[ROLE_MAP_POINT_OPEN] = { "map.point_open", "yellow", "bold",
	    "a point that is open: a door, window, gate or barrier" },
	[ROLE_MAP_POINT_ALARM] = { "map.point_alarm",
	    "bold bright-white on red", "bold reverse",
	    "a point with an open alarm" },
	[ROLE_MAP_POINT_FAULT] = { "map.point_fault", "magenta", "underline",
	    "a point with a fault, a tamper or a low battery" },
	[ROLE_MAP_GUARD] = { "map.guard", "bold bright-cyan", "bold",
	    "a guard's position" },
	[ROLE_MAP_TRAIL] = { "map.trail", "cyan", "dim",
	    "a guard's recent track" },
};

/* Attribute names as theme files write them. */
static const struct {
	const char *name;
	unsigned bit;
} theme_attr_names[] = {
	{ "bold", THEME_A_BOLD },
	{ "dim", THEME_A_DIM },
	{ "underline", THEME_A_UNDERLINE },
	{ "reverse", THEME_A_REVERSE },
	{ "standout", THEME_A_STANDOUT },
	{ "blink", THEME_A_BLINK },
	{ "italic", THEME_A_ITALIC },
	{ "normal", 0 },
};

/* The eight ANSI colours by number; "bright-" adds 8. */
static const char *const theme_color_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

/* xterm's default RGB for the sixteen ANSI colours. */
static const unsigned char theme_ansi_rgb[16][3] = {
	{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
	{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
	{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
	{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
};

#define THEME_ANSI_WHITE  7
#define THEME_ANSI_BLACK  0
#define THEME_BRIGHT_BLACK 8
#define THEME_PALETTE     256
#define THEME_CUBE_FIRST  16
#define THEME_GREY_FIRST  232

/* The curses attribute of each role, set by theme_apply. */
static attr_t theme_attrs[THEME_NROLES];

/* The name of role r in theme files. */
const char *
theme_role_name(enum theme_role r)
{
	if ((int)r < 0 || r >= THEME_NROLES)
		return NULL;
	return theme_roles[r].name;
}

/* One line saying what role r is for. */
const char *
theme_role_help(enum theme_role r)
{
	if ((int)r < 0 || r >= THEME_NROLES)
		return NULL;
	return theme_roles[r].help;
}

/* The role called name, or -1. */
int
theme_role_parse(const char *name)
{
	for (int i = 0; i < THEME_NROLES; i++)
		if (strcmp(theme_roles[i].name, name) == 0)
			return i;
	return -1;
}

/* The role of an alarm of priority p. */
enum theme_role
theme_priority_role(int priority)
{
	switch (priority) {
	case 1:
		return ROLE_ALARM_P1;
	case 2:
		return ROLE_ALARM_P2;
	case 3:
		return ROLE_ALARM_P3;
	case 4:
		return ROLE_ALARM_P4;
	default:
		return ROLE_ALARM_P5PLUS;
	}
}

/* Add a message to t's warnings. */
static void
theme_warn(struct theme *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Add a message to t's warnings. */
static void
theme_warn(struct theme *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	t->warnings = xrealloc(t->warnings, (t->nwarnings + 1) *
	    sizeof *t->warnings);
	t->warnings[t->nwarnings++] = xstrdup(msg);
}

/* Parse one colour word; -1 when it is not one. */
static int
theme_parse_color(const char *w, int *out)
{
	const char *base = w;
	int add = 0, n;
	unsigned v;

	if (strcasecmp(w, "default") == 0) {
		*out = THEME_COLOR_DEFAULT;
		return 0;
	}
	if (w[0] == '#') {
		if (strlen(w) != 7 || strspn(w + 1, "0123456789abcdefABCDEF") != 6)
			return -1;
		v = (unsigned)strtoul(w + 1, NULL, 16);
		*out = THEME_RGB_FLAG | (int)v;
		return 0;
	}
	if (strncasecmp(w, "color", 5) == 0 || strncasecmp(w, "colour", 6) == 0) {
		const char *d = w + (strncasecmp(w, "colour", 6) == 0 ? 6 : 5);
		size_t len = strlen(d);

		if (len == 0 || len > 3 || strspn(d, "0123456789") != len)
			return -1;
		n = atoi(d);
		if (n >= THEME_PALETTE)
			return -1;
		*out = n;
		return 0;
	}
	if (strncasecmp(w, "bright-", 7) == 0) {
		base = w + 7;
		add = 8;
	}
	for (n = 0; n < 8; n++) {
		if (strcasecmp(base, theme_color_names[n]) == 0) {
			*out = n + add;
			return 0;
		}
	}
	return -1;
}

/* Parse one role's value into *style, or attributes only when mono. */
int
theme_parse_style(const char *value, bool mono, struct theme_style *style,
    char **cause)
{
	struct theme_style st = { 0, THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT };
	char *copy, *w, *save = NULL;
	bool have_fg = false, have_bg = false, on = false;
	int color, rc = -1;
	size_t i;

	copy = xstrdup(value);
	for (w = strtok_r(copy, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if (!on) {
			for (i = 0; i < ARRAY_LEN(theme_attr_names); i++)
				if (strcasecmp(theme_attr_names[i].name, w) == 0)
					break;
			if (i < ARRAY_LEN(theme_attr_names)) {
				st.attrs |= theme_attr_names[i].bit;
				continue;
			}
			if (strcasecmp(w, "on") == 0) {
				if (mono)
					goto colour_in_mono;
				if (have_bg) {
					*cause = xstrdup("two background colours");
					goto out;
				}
				on = true;
				continue;
			}
		}
		if (theme_parse_color(w, &color) != 0) {
			*cause = xasprintf("unknown %s \"%s\" (%s)", mono ?
			    "attribute" : on ? "colour" : "attribute or colour", w,
			    mono ? "bold, dim, underline, reverse, standout, "
			    "blink, italic or normal" : on ? "black, red, green, "
			    "yellow, blue, magenta, cyan, white, bright-NAME, "
			    "default, colorNNN or #rrggbb" : "bold, dim, "
			    "underline, ..., then a colour name, colorNNN or "
			    "#rrggbb, then \"on\" and a colour");
			goto out;
		}
		if (mono)
			goto colour_in_mono;
		if (on) {
			st.bg = color;
			have_bg = true;
			on = false;
		} else {
			if (have_fg) {
				*cause = xasprintf("two foreground colours (\"%s\"); "
				    "a background follows \"on\"", w);
				goto out;
			}
			st.fg = color;
			have_fg = true;
		}
	}
	if (on) {
		*cause = xstrdup("\"on\" without a background colour");
		goto out;
	}
	if (st.fg != THEME_COLOR_DEFAULT && st.fg == st.bg) {
		*cause = xstrdup("the foreground and background are the same "
		    "colour: the text would be invisible");
		goto out;
	}
	*style = st;
	rc = 0;
	goto out;

colour_in_mono:
	*cause = xasprintf("\"%s\": no colours in [mono], only attributes", w);
out:
	free(copy);
	return rc;
}

/* Write one colour as a theme file names it. */
static size_t
theme_format_color(int c, char *buf, size_t len)
{
	if (c == THEME_COLOR_DEFAULT)
		return (size_t)snprintf(buf, len, "default");
	if (THEME_IS_RGB(c))
		return (size_t)snprintf(buf, len, "#%06x",
		    (unsigned)c & 0xffffffu);
	if (c < 8)
		return (size_t)snprintf(buf, len, "%s", theme_color_names[c]);
	if (c < 16)
		return (size_t)snprintf(buf, len, "bright-%s",
		    theme_color_names[c - 8]);
	return (size_t)snprintf(buf, len, "color%d", c);
}

/* Write style as a theme file value. */
void
theme_format_style(const struct theme_style *style, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(theme_attr_names); i++) {
		if (theme_attr_names[i].bit == 0 ||
		    (style->attrs & theme_attr_names[i].bit) == 0 || off >= len)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    off == 0 ? "" : " ", theme_attr_names[i].name);
	}
	if (off < len && (style->fg != THEME_COLOR_DEFAULT || off == 0 ||
	    style->bg != THEME_COLOR_DEFAULT)) {
		if (off != 0)
			off += (size_t)snprintf(buf + off, len - off, " ");
		if (off < len)
			off += theme_format_color(style->fg, buf + off,
			    len - off);
	}
	if (off < len && style->bg != THEME_COLOR_DEFAULT) {
		off += (size_t)snprintf(buf + off, len - off, " on ");
		if (off < len)
			theme_format_color(style->bg, buf + off, len - off);
	}
}

/* Set t to the compiled-in default theme. */
void
theme_init(struct theme *t)
{
	struct theme_style st;
	char *cause = NULL;

	memset(t, 0, sizeof *t);
	t->name = xstrdup("default");
	t->description = xstrdup("compiled-in: light text on the terminal's "
	    "dark background");
	for (int i = 0; i < THEME_NROLES; i++) {
		t->roles[i].fg = t->roles[i].bg = THEME_COLOR_DEFAULT;
		/* A role that cannot be read shows its monochrome attributes. */
		if (theme_parse_style(theme_roles[i].dflt, false, &t->roles[i],
		    &cause) != 0) {
			theme_warn(t, "compiled-in theme, %s: %s; shown in "
			    "monochrome", theme_roles[i].name, cause);
			free(cause);
			cause = NULL;
			t->roles[i].attrs = 0;
		}
		if (theme_parse_style(theme_roles[i].mono, true, &st,
		    &cause) != 0) {
			theme_warn(t, "compiled-in monochrome %s: %s",
			    theme_roles[i].name, cause);
			free(cause);
			cause = NULL;
			st.attrs = THEME_A_REVERSE;
		}
		t->mono[i] = st.attrs;
	}
}

/* Free what t holds. */
void
theme_release(struct theme *t)
{
	free(t->name);
	free(t->description);
	free(t->path);
	for (size_t i = 0; i < t->nwarnings; i++)
		free(t->warnings[i]);
	free(t->warnings);
	memset(t, 0, sizeof *t);
}

/* The section of a theme file being read. */
enum theme_section {
	THEME_SECT_NONE,      /* before any section */
	THEME_SECT_BAD,       /* an unknown or broken one (reported) */
	THEME_SECT_THEME,
	THEME_SECT_ROLES,
	THEME_SECT_MONO
};

/* The state of parsing one theme file. */
struct theme_parse {
	struct theme *t;
	const char *path;
	enum theme_section sect;
	int seen_roles[THEME_NROLES];
	int seen_mono[THEME_NROLES];
	int seen_name, seen_description;
	size_t problems;
};

/* Report a problem at line of the file being parsed. */
static void
theme_fail(struct theme_parse *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report a problem at line of the file being parsed. */
static void
theme_fail(struct theme_parse *p, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->problems++;
	if (p->problems <= LIMIT_CONFIG_ERRORS)
		theme_warn(p->t, "%s:%d: %s", p->path, line, msg);
}

/* Check a [theme] text value (name, description); NULL when good. */
static const char *
theme_check_text(const char *value)
{
	if (*value == '\0')
		return "empty";
	if (strlen(value) > LIMIT_THEME_TEXT_LEN)
		return "too long";
	return NULL;
}

/* The INI callback for a theme file. */
static void
theme_parse_fn(void *arg, int line, const char *section, const char *key,
    const char *value)
{
	struct theme_parse *p = arg;
	struct theme *t = p->t;
	struct theme_style st;
	const char *why;
	char *cause = NULL;
	int r, *seen;

	if (key == NULL) {
		p->sect = THEME_SECT_BAD;
		if (section == NULL)
			return;
		if (strcmp(section, "theme") == 0)
			p->sect = THEME_SECT_THEME;
		else if (strcmp(section, "roles") == 0)
			p->sect = THEME_SECT_ROLES;
		else if (strcmp(section, "mono") == 0)
			p->sect = THEME_SECT_MONO;
		else
			theme_fail(p, line, "unknown section [%s] (one of "
			    "[theme], [roles], [mono])", section);
		return;
	}

	switch (p->sect) {
	case THEME_SECT_NONE:
		theme_fail(p, line, "\"%s\" is outside any section; a theme "
		    "file has [theme], [roles] and [mono]", key);
		return;
	case THEME_SECT_BAD:
		return;
	case THEME_SECT_THEME:
		if (strcmp(key, "name") == 0)
			seen = &p->seen_name;
		else if (strcmp(key, "description") == 0)
			seen = &p->seen_description;
		else {
			theme_fail(p, line, "unknown key \"%s\" in [theme] (name "
			    "or description)", key);
			return;
		}
		if (*seen != 0) {
			theme_fail(p, line, "%s given twice (first at line %d)",
			    key, *seen);
			return;
		}
		*seen = line;
		if ((why = theme_check_text(value)) != NULL) {
			theme_fail(p, line, "%s: %s", key, why);
			return;
		}
		if (seen == &p->seen_name) {
			free(t->name);
			t->name = xstrdup(value);
		} else {
			free(t->description);
			t->description = xstrdup(value);
		}
		return;
	case THEME_SECT_ROLES:
	case THEME_SECT_MONO:
		break;
	}

	if ((r = theme_role_parse(key)) < 0) {
		theme_fail(p, line, "unknown role \"%s\" (see vigil-theme(5) "
		    "for the roles)", key);
		return;
	}
	seen = p->sect == THEME_SECT_MONO ? &p->seen_mono[r] : &p->seen_roles[r];
	if (*seen != 0) {
		theme_fail(p, line, "%s given twice (first at line %d)", key,
		    *seen);
		return;
	}
	*seen = line;
	if (theme_parse_style(value, p->sect == THEME_SECT_MONO, &st,
	    &cause) != 0) {
		theme_fail(p, line, "%s: %s", key, cause);
		free(cause);
		return;
	}
	if (p->sect == THEME_SECT_MONO)
		t->mono[r] = st.attrs;
	else
		t->roles[r] = st;
}

/* The INI callback for a line that is not INI. */
static void
theme_parse_err(void *arg, int line, const char *message)
{
	struct theme_parse *p = arg;

	if (line > 0)
		theme_fail(p, line, "%s", message);
	else {
		p->problems++;
		theme_warn(p->t, "%s: %s", p->path, message);
	}
}

/* Parse a theme file's text over t. */
int
theme_parse(struct theme *t, const char *path, const char *text, size_t len)
{
	struct theme_parse p;

	memset(&p, 0, sizeof p);
	p.t = t;
	p.path = path;
	p.sect = THEME_SECT_NONE;
	config_ini_parse(text, len, theme_parse_fn, theme_parse_err, &p);
	if (p.problems > LIMIT_CONFIG_ERRORS)
		theme_warn(t, "%s: %zu problems in all; the first %d are listed",
		    path, p.problems, LIMIT_CONFIG_ERRORS);
	return p.problems == 0 ? 0 : -1;
}

/* The base name of path without ".theme". */
static char *
theme_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	size_t n = strlen(base);

	if (n > 6 && strcmp(base + n - 6, ".theme") == 0)
		n -= 6;
	return xstrndup(base, n);
}

/* Read the file at path into t. */
int
theme_parse_file(struct theme *t, const char *path)
{
	char *text, *cause = NULL;
	size_t len;
	int rc;

	if (config_read_file(path, LIMIT_THEME_FILE_BYTES, false, &text, &len,
	    &cause) != 0) {
		theme_warn(t, "%s", cause);
		free(cause);
		return -1;
	}
	free(t->name);
	t->name = theme_base_name(path);
	free(t->description);
	t->description = NULL;
	free(t->path);
	t->path = xstrdup(path);
	rc = theme_parse(t, path, text, len);
	free(text);
	return rc;
}

/* True when name is a theme name. */
bool
theme_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= LIMIT_THEME_NAME_LEN && name[0] != '.' &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") == n;
}

/* The directories themes are searched in. */
char **
theme_dirs(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char **dirs = xcalloc(4, sizeof *dirs);
	size_t n = 0;

	/* The XDG rules: a relative XDG_CONFIG_HOME is ignored. */
	if (xdg != NULL && xdg[0] == '/')
		dirs[n++] = xasprintf("%s/vigil/themes", xdg);
	else if (home != NULL && home[0] == '/')
		dirs[n++] = xasprintf("%s/.config/vigil/themes", home);
	dirs[n++] = xstrdup(VIGIL_DATADIR "/themes");
	dirs[n++] = xstrdup("./themes");
	dirs[n] = NULL;
	return dirs;
}

/* Free what theme_dirs or theme_list returned. */
void
theme_dirs_free(char **dirs)
{
	if (dirs == NULL)
		return;
	for (size_t i = 0; dirs[i] != NULL; i++)
		free(dirs[i]);
	free(dirs);
}

/* True when path is a regular file. */
static bool
theme_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The file of theme name in dirs. */
char *
theme_find(const char *name, char *const *dirs, char **cause)
{
	char **own = NULL, *path, list[1024];
	size_t off = 0;

	if (strchr(name, '/') != NULL) {
		if (theme_is_file(name))
			return xstrdup(name);
		*cause = xasprintf("%s: no such file", name);
		return NULL;
	}
	if (!theme_name_valid(name)) {
		*cause = xasprintf("\"%s\" is not a theme name", name);
		return NULL;
	}
	if (dirs == NULL)
		dirs = own = theme_dirs();
	list[0] = '\0';
	for (size_t i = 0; dirs[i] != NULL; i++) {
		path = xasprintf("%s/%s.theme", dirs[i], name);
		if (theme_is_file(path)) {
			theme_dirs_free(own);
			return path;
		}
		free(path);
		if (off < sizeof list)
			off += (size_t)snprintf(list + off, sizeof list - off,
			    "%s%s", i == 0 ? "" : dirs[i + 1] == NULL ? " or " :
			    ", ", dirs[i]);
	}
	*cause = xasprintf("no %s.theme in %s", name, list);
	theme_dirs_free(own);
	return NULL;
}

/* Order two strings for qsort. */
static int
theme_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the themes found in dirs. */
char **
theme_list(char *const *dirs)
{
	char **own = NULL, **names = NULL, *name;
	size_t n = 0, len;
	struct dirent *de;
	DIR *d;
	bool dup;

	if (dirs == NULL)
		dirs = own = theme_dirs();
	for (size_t i = 0; dirs[i] != NULL; i++) {
		if ((d = opendir(dirs[i])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			len = strlen(de->d_name);
			if (len <= 6 || strcmp(de->d_name + len - 6,
			    ".theme") != 0)
				continue;
			name = xstrndup(de->d_name, len - 6);
			dup = !theme_name_valid(name);
			for (size_t j = 0; j < n && !dup; j++)
				dup = strcmp(names[j], name) == 0;
			if (dup) {
				free(name);
				continue;
			}
			names = xrealloc(names, (n + 2) * sizeof *names);
			names[n++] = name;
		}
		closedir(d);
	}
	if (names == NULL)
		names = xcalloc(1, sizeof *names);
	names[n] = NULL;
	qsort(names, n, sizeof *names, theme_cmp);
	theme_dirs_free(own);
	return names;
}

/* Move the warnings of from to the end of to's. */
static void
theme_move_warnings(struct theme *to, struct theme *from)
{
	for (size_t i = 0; i < from->nwarnings; i++) {
		to->warnings = xrealloc(to->warnings, (to->nwarnings + 1) *
		    sizeof *to->warnings);
		to->warnings[to->nwarnings++] = from->warnings[i];
	}
	free(from->warnings);
	from->warnings = NULL;
	from->nwarnings = 0;
}

/*
 * Try theme name from dirs: on success t becomes it (its warnings kept) and
 * 0 is returned; otherwise t is unchanged but for the file's problems added
 * to its warnings, and *why says why it was not used.
 */
static int
theme_try(struct theme *t, const char *name, char *const *dirs, char **why)
{
	struct theme scratch;
	char *path;

	if ((path = theme_find(name, dirs, why)) == NULL)
		return -1;
	theme_init(&scratch);
	if (theme_parse_file(&scratch, path) != 0) {
		*why = scratch.path != NULL ?
		    xasprintf("%s has problems", path) :
		    xasprintf("%s cannot be read", path);
		theme_move_warnings(t, &scratch);
		theme_release(&scratch);
		free(path);
		return -1;
	}
	free(path);
	theme_move_warnings(&scratch, t);
	theme_release(t);
	*t = scratch;
	return 0;
}

/* Load theme name, falling back to the default file and the compiled-in theme. */
int
theme_load(struct theme *t, const char *name, char *const *dirs)
{
	char **own = NULL, *why = NULL;
	int rc = 0;

	if (name == NULL || *name == '\0')
		name = "default";
	if (dirs == NULL)
		dirs = own = theme_dirs();
	theme_init(t);
	if (theme_try(t, name, dirs, &why) == 0)
		goto out;
	rc = -1;
	if (strcmp(name, "default") != 0) {
		theme_warn(t, "theme \"%s\" not used: %s; falling back to the "
		    "default theme", name, why);
		free(why);
		why = NULL;
		if (theme_try(t, "default", dirs, &why) == 0)
			goto out;
	}
	theme_warn(t, "default theme file not used: %s; using the compiled-in "
	    "default theme", why);
out:
	free(why);
	theme_dirs_free(own);
	return rc;
}

/* True when NO_COLOR asks for no colour. */
bool
theme_no_color(const char *value)
{
	return value != NULL && *value != '\0';
}

/* The RGB of palette index c (0-255). */
static void
theme_index_rgb(int c, int rgb[3])
{
	static const int levels[6] = { 0, 95, 135, 175, 215, 255 };

	if (c < THEME_CUBE_FIRST) {
		for (int i = 0; i < 3; i++)
			rgb[i] = theme_ansi_rgb[c][i];
	} else if (c < THEME_GREY_FIRST) {
		c -= THEME_CUBE_FIRST;
		rgb[0] = levels[c / 36];
		rgb[1] = levels[(c / 6) % 6];
		rgb[2] = levels[c % 6];
	} else
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - THEME_GREY_FIRST);
}

/*
 * A distance between two colours that follows the eye better than plain
 * RGB: the "redmean" weighting (more weight on green, red and blue weighted
 * by how red the pair is).
 */
static long
theme_distance(const int a[3], const int b[3])
{
	long rmean = (a[0] + b[0]) / 2;
	long dr = a[0] - b[0], dg = a[1] - b[1], db = a[2] - b[2];

	return (((512 + rmean) * dr * dr) >> 8) + 4 * dg * dg +
	    (((767 - rmean) * db * db) >> 8);
}

/* The palette index from lo to hi (inclusive) nearest to rgb. */
static int
theme_nearest(const int rgb[3], int lo, int hi)
{
	int best = lo, other[3];
	long d, bestd = -1;

	for (int i = lo; i <= hi; i++) {
		theme_index_rgb(i, other);
		d = theme_distance(rgb, other);
		if (bestd < 0 || d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return best;
}

/* The colour number below colors nearest to abstract colour c. */
int
theme_degrade(int c, int colors, bool fg, unsigned *extra)
{
	int rgb[3], c16;

	if (c == THEME_COLOR_DEFAULT || colors < 8)
		return THEME_COLOR_DEFAULT;
	if (THEME_IS_RGB(c)) {
		rgb[0] = (c >> 16) & 0xff;
		rgb[1] = (c >> 8) & 0xff;
		rgb[2] = c & 0xff;
	} else if (c >= 0 && c < THEME_PALETTE)
		theme_index_rgb(c, rgb);
	else
		return THEME_COLOR_DEFAULT;

	if (colors >= THEME_PALETTE) {
		/*
		 * Indexes are the terminal's own; RGB goes to the cube and
		 * greys, whose colours, unlike the first 16, are fixed.
		 */
		return THEME_IS_RGB(c) ? theme_nearest(rgb, THEME_CUBE_FIRST,
		    THEME_PALETTE - 1) : c;
	}
	c16 = !THEME_IS_RGB(c) && c < 16 ? c : theme_nearest(rgb, 0, 15);
	if (colors >= 16)
		return c16;
	if (c16 < 8)
		return c16;
	if (c16 == THEME_BRIGHT_BLACK) {
		/* Grey: white text shown dim, or a black background. */
		if (!fg)
			return THEME_ANSI_BLACK;
		if (extra != NULL)
			*extra |= THEME_A_DIM;
		return THEME_ANSI_WHITE;
	}
	if (fg && extra != NULL)
		*extra |= THEME_A_BOLD;
	return c16 - 8;
}

/* How every role of t looks on a terminal with caps. */
void
theme_resolve(const struct theme *t, const struct theme_caps *caps,
    struct theme_resolved out[THEME_NROLES])
{
	int pair_fg[THEME_NROLES], pair_bg[THEME_NROLES];
	int npairs = 0, fg, bg, pair;
	unsigned extra;

	for (int r = 0; r < THEME_NROLES; r++) {
		const struct theme_style *st = &t->roles[r];
		struct theme_resolved *o = &out[r];

		o->attrs = t->mono[r];
		o->fg = o->bg = THEME_COLOR_DEFAULT;
		o->pair = 0;
		if (caps->colors < 8)
			continue;

		extra = 0;
		fg = theme_degrade(st->fg, caps->colors, true, &extra);
		bg = theme_degrade(st->bg, caps->colors, false, NULL);
		if (!caps->default_colors) {
			if (fg == THEME_COLOR_DEFAULT)
				fg = THEME_ANSI_WHITE;
			if (bg == THEME_COLOR_DEFAULT)
				bg = THEME_ANSI_BLACK;
		}
		/* Two colours that became one would hide the text. */
		if (fg != THEME_COLOR_DEFAULT && fg == bg)
			continue;
		pair = 0;
		if (fg != THEME_COLOR_DEFAULT || bg != THEME_COLOR_DEFAULT) {
			for (int i = 0; i < npairs && pair == 0; i++)
				if (pair_fg[i] == fg && pair_bg[i] == bg)
					pair = i + 1;
			if (pair == 0) {
				if (npairs >= caps->pairs)
					continue;
				pair_fg[npairs] = fg;
				pair_bg[npairs] = bg;
				pair = ++npairs;
			}
		}
		o->attrs = st->attrs | extra;
		o->fg = fg;
		o->bg = bg;
		o->pair = pair;
	}
}

/* The curses attributes of THEME_A_* bits. */
static attr_t
theme_curses_attrs(unsigned a)
{
	attr_t out = A_NORMAL;

	if (a & THEME_A_BOLD)
		out |= A_BOLD;
	if (a & THEME_A_DIM)
		out |= A_DIM;
	if (a & THEME_A_UNDERLINE)
		out |= A_UNDERLINE;
	if (a & THEME_A_REVERSE)
		out |= A_REVERSE;
	if (a & THEME_A_STANDOUT)
		out |= A_STANDOUT;
	if (a & THEME_A_BLINK)
		out |= A_BLINK;
	if (a & THEME_A_ITALIC)
		out |= A_ITALIC;
	return out;
}

/* Start colour where wanted and possible and say what the terminal can show. */
void
theme_caps_detect(struct theme_caps *caps)
{
	int pairs;

	memset(caps, 0, sizeof *caps);
	caps->default_colors = true;
	if (theme_no_color(getenv("NO_COLOR")) || !has_colors())
		return;
	if (start_color() == ERR)
		return;
	caps->default_colors = use_default_colors() == OK;
	/* COLOR_PAIR() in an attr_t holds pair numbers up to 255. */
	pairs = COLOR_PAIRS - 1;
	caps->pairs = pairs > 255 ? 255 : pairs;
	if (caps->pairs < 1)
		return;
	if (COLORS >= THEME_PALETTE)
		caps->colors = THEME_PALETTE;
	else if (COLORS >= 16)
		caps->colors = 16;
	else if (COLORS >= 8)
		caps->colors = 8;
}

/* Define the colour pairs of t and set every role's attribute. */
void
theme_apply(const struct theme *t, const struct theme_caps *caps)
{
	struct theme_resolved r[THEME_NROLES];

	theme_resolve(t, caps, r);
	for (int i = 0; i < THEME_NROLES; i++) {
		theme_attrs[i] = theme_curses_attrs(r[i].attrs);
		if (r[i].pair == 0)
			continue;
		init_pair((short)r[i].pair, (short)r[i].fg, (short)r[i].bg);
		theme_attrs[i] |= COLOR_PAIR(r[i].pair);
	}
}

/* The curses attribute of role r. */
attr_t
theme_attr(enum theme_role r)
{
	if ((int)r < 0 || r >= THEME_NROLES)
		return A_NORMAL;
	return theme_attrs[r];
}
