#include "compat.h"

#include <ctype.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curses.h>
#include <ini.h>

#include "config.h"
#include "log.h"
#include "theme.h"

/*
 * The settings of the console.  The table below is the one description of
 * every option: the parser checks values by its type column, config_init
 * takes the defaults from it (so a default is parsed by the same code as a
 * file), config_print lists it, and the unit tests check that vigil.conf(5)
 * names every row with its default.
 */

#define CONFIG_STR_(x) #x
#define CONFIG_STR(x) CONFIG_STR_(x)

static const char *const config_clocks[] = { "utc", "local", NULL };
static const char *const config_lines_names[] = { "auto", "unicode", "ascii",
	NULL };
static const char *const config_notifies[] = { "auto", "osc9", "osc777", "off",
	NULL };
static const char *const config_levels[] = { "error", "warn", "info", "debug",
	NULL };

const struct config_option config_options[CONFIG_NOPTIONS] = {
	[CONFIG_SERVER_URL] = { "server.url", CONFIG_T_URL, "", 0, 0, NULL,
	    "VIGIL_URL", "URL",
	    "the vigild server, http://HOST:PORT or https://HOST:PORT" },
	[CONFIG_USER_NAME] = { "user.name", CONFIG_T_USER, "", 0, 0, NULL,
	    NULL, "NAME",
	    "the user to log in as when asked for a password" },
	[CONFIG_CONSOLE_THEME] = { "console.theme", CONFIG_T_THEME, "default",
	    0, 0, NULL, "VIGIL_THEME", "NAME",
	    "the colour theme: a name from the theme directories, or a file" },
	[CONFIG_CONSOLE_CLOCK] = { "console.clock", CONFIG_T_CHOICE, "local",
	    0, 0, config_clocks, NULL, "utc|local",
	    "whether the clock and the times shown are UTC or local time" },
	[CONFIG_CONSOLE_LINES] = { "console.lines", CONFIG_T_CHOICE, "auto",
	    0, 0, config_lines_names, NULL, "auto|unicode|ascii",
	    "line drawing: Unicode when the locale is UTF-8 (auto), or always "
	    "one kind" },
	[CONFIG_CONSOLE_STALE_AFTER] = { "console.stale_after",
	    CONFIG_T_SECONDS, CONFIG_STR(CONSOLE_STALE_AFTER_DEFAULT_S),
	    CONSOLE_AGE_MIN_S, CONSOLE_AGE_MAX_S, NULL, NULL, "SECONDS",
	    "a guard's position older than this is flagged as stale" },
	[CONFIG_CONSOLE_WARNING_AFTER] = { "console.warning_after",
	    CONFIG_T_SECONDS, CONFIG_STR(CONSOLE_WARNING_AFTER_DEFAULT_S),
	    CONSOLE_AGE_MIN_S, CONSOLE_AGE_MAX_S, NULL, NULL, "SECONDS",
	    "an unacknowledged alarm this old turns to the warning colour" },
	[CONFIG_CONSOLE_OVERDUE_AFTER] = { "console.overdue_after",
	    CONFIG_T_SECONDS, CONFIG_STR(CONSOLE_OVERDUE_AFTER_DEFAULT_S),
	    CONSOLE_AGE_MIN_S, CONSOLE_AGE_MAX_S, NULL, NULL, "SECONDS",
	    "an unacknowledged alarm this old turns to the overdue colour "
	    "(more than warning_after)" },
	[CONFIG_BELL_ENABLED] = { "bell.enabled", CONFIG_T_BOOL, "yes", 0, 0,
	    NULL, NULL, "yes|no",
	    "whether new alarms ring the terminal bell" },
	[CONFIG_BELL_PRIORITIES] = { "bell.priorities", CONFIG_T_PRIORITIES,
	    "1,2", 0, 0, NULL, NULL, "LIST",
	    "the priorities that ring: \"1,2\", \"1-3\" or \"none\"" },
	[CONFIG_BELL_REPEAT] = { "bell.repeat", CONFIG_T_SECONDS,
	    CONFIG_STR(BELL_REPEAT_DEFAULT_S), 0, BELL_REPEAT_MAX_S, NULL, NULL,
	    "SECONDS",
	    "seconds between rings until the alarm is acknowledged; 0 rings once" },
	[CONFIG_BELL_NOTIFY] = { "bell.notify", CONFIG_T_CHOICE, "auto", 0, 0,
	    config_notifies, NULL, "auto|osc9|osc777|off",
	    "desktop notification through the terminal with the bell" },
	[CONFIG_LOG_FILE] = { "log.file", CONFIG_T_PATH, "", 0, 0, NULL, NULL,
	    "PATH",
	    "the console's log file (absolute, or starting with ~/)" },
	[CONFIG_LOG_LEVEL] = { "log.level", CONFIG_T_CHOICE, "info", 0, 0,
	    config_levels, NULL, "error|warn|info|debug",
	    "how much the console writes to its log" },
};

/* A key name and its curses code. */
struct config_keyname {
	const char *name;
	int code;
};

/* Named keys, the first name of each code being the one printed. */
static const struct config_keyname config_keynames[] = {
	{ "Enter", KEY_ENTER },
	{ "Return", KEY_ENTER },
	{ "Esc", 27 },
	{ "Escape", 27 },
	{ "Tab", '\t' },
	{ "BTab", KEY_BTAB },
	{ "S-Tab", KEY_BTAB },
	{ "Space", ' ' },
	{ "Semicolon", ';' },
	{ "Backspace", KEY_BACKSPACE },
	{ "Del", KEY_DC },
	{ "Delete", KEY_DC },
	{ "Ins", KEY_IC },
	{ "Insert", KEY_IC },
	{ "Up", KEY_UP },
	{ "Down", KEY_DOWN },
	{ "Left", KEY_LEFT },
	{ "Right", KEY_RIGHT },
	{ "PgUp", KEY_PPAGE },
	{ "PageUp", KEY_PPAGE },
	{ "PgDn", KEY_NPAGE },
	{ "PageDown", KEY_NPAGE },
	{ "Home", KEY_HOME },
	{ "End", KEY_END },
};

#define CONFIG_FKEYS 12

/* The state of reading one INI text. */
struct config_ini {
	const char *text;
	size_t len;
	size_t off;
	int lineno;
	char *section;        /* the current section's name, or NULL */
	void (*fn)(void *, int, const char *, const char *, const char *);
	void (*err)(void *, int, const char *);
	void *arg;
};

/* The state of loading one config file. */
struct config_load {
	struct config *c;
	bool in_keys;         /* in [keys] */
	bool known;           /* in a known section */
	bool headers;         /* a section header (good or bad) was seen */
	int seen[CONFIG_NOPTIONS]; /* line each option was given at, or 0 */
};

/* Report a line of an INI text. */
static void
config_ini_fail(struct config_ini *ini, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Report a line of an INI text. */
static void
config_ini_fail(struct config_ini *ini, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ini->err(ini->arg, ini->lineno, msg);
}

/* True for a space or a tab. */
static bool
config_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * The libinih reader: hand it one line at a time, so that we know the line
 * number of every callback.  Comments, section headers and lines libinih
 * would refuse are dealt with here and handed on as empty lines, so that
 * libinih only ever sees key = value lines, each without leading blanks
 * (it would take an indented line for the continuation of the last value).
 */
static char *
config_ini_reader(char *str, int num, void *stream)
{
	struct config_ini *ini = stream;
	const char *line, *nl, *p, *end, *q;
	size_t n;

	if (ini->off >= ini->len || num < 2)
		return NULL;
	line = ini->text + ini->off;
	nl = memchr(line, '\n', ini->len - ini->off);
	n = nl != NULL ? (size_t)(nl - line) + 1 : ini->len - ini->off;
	ini->off += n;
	ini->lineno++;
	str[0] = '\0';

	p = line;
	end = line + n;
	if (ini->lineno == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && config_blank(*p))
		p++;
	while (end > p && (end[-1] == '\n' || end[-1] == '\r' ||
	    config_blank(end[-1])))
		end--;
	for (q = p; q < end; q++) {
		if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f) {
			config_ini_fail(ini, "control character (byte 0x%02x) "
			    "in the line", (unsigned)(unsigned char)*q);
			return str;
		}
	}
	if (p == end || *p == '#' || *p == ';')
		return str;
	if ((size_t)(end - p) > (size_t)num - 2) {
		config_ini_fail(ini, "line longer than %d characters", num - 2);
		return str;
	}

	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		const char *a, *b;

		free(ini->section);
		ini->section = NULL;
		if (close == NULL) {
			config_ini_fail(ini, "section header without \"]\"");
			ini->fn(ini->arg, ini->lineno, NULL, NULL, NULL);
			return str;
		}
		for (q = close + 1; q < end && config_blank(*q); q++)
			;
		if (q < end && *q != '#' && *q != ';') {
			config_ini_fail(ini, "unexpected text after \"]\"");
			ini->fn(ini->arg, ini->lineno, NULL, NULL, NULL);
			return str;
		}
		for (a = p + 1; a < close && config_blank(*a); a++)
			;
		for (b = close; b > a && config_blank(b[-1]); b--)
			;
		if (a == b) {
			config_ini_fail(ini, "empty section name");
			ini->fn(ini->arg, ini->lineno, NULL, NULL, NULL);
			return str;
		}
		ini->section = xstrndup(a, (size_t)(b - a));
		ini->fn(ini->arg, ini->lineno, ini->section, NULL, NULL);
		return str;
	}

	/* libinih splits at the first "=" or ":" before an inline comment. */
	for (q = p; q < end; q++) {
		if (*q == '=' || *q == ':')
			break;
		if (*q == ';' && q > p && config_blank(q[-1]))
			q = end;
	}
	if (q >= end) {
		config_ini_fail(ini, "expected \"[section]\" or \"key = value\"");
		return str;
	}
	if (q == p) {
		config_ini_fail(ini, "missing name before \"%c\"", *q);
		return str;
	}
	memcpy(str, p, (size_t)(end - p));
	str[end - p] = '\0';
	return str;
}

/* The libinih handler: one key = value line, passed on with its line. */
static int
config_ini_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct config_ini *ini = user;

	(void)section;
	ini->fn(ini->arg, ini->lineno, ini->section != NULL ? ini->section : "",
	    name, value);
	return 1;
}

/* Read an INI text, calling fn for each section and key, err for bad lines. */
void
config_ini_parse(const char *text, size_t len,
    void (*fn)(void *arg, int line, const char *section, const char *key,
    const char *value),
    void (*err)(void *arg, int line, const char *message), void *arg)
{
	struct config_ini ini;

	memset(&ini, 0, sizeof ini);
	ini.text = text;
	ini.len = len;
	ini.fn = fn;
	ini.err = err;
	ini.arg = arg;
	if (ini_parse_stream(config_ini_reader, &ini, config_ini_handler,
	    &ini) < 0)
		err(arg, 0, "cannot be parsed (out of memory)");
	free(ini.section);
}

/* Read the whole of a file of at most max bytes. */
int
config_read_file(const char *path, size_t max, bool missing_ok, char **out,
    size_t *len, char **cause)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	ssize_t r;
	int fd;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno == ENOENT && missing_ok)
			return 1;
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		close(fd);
		return -1;
	}
	buf = xmalloc(max + 2);
	for (;;) {
		r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			*cause = xasprintf("%s: larger than %zu bytes", path,
			    max);
			goto fail;
		}
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;

fail:
	close(fd);
	free(buf);
	return -1;
}

/* Add a message to c->errors unless there are too many already. */
static void
config_add_message(struct config *c, char *msg)
{
	if (c->nerrors > LIMIT_CONFIG_ERRORS) {
		free(msg);
		return;
	}
	if (c->nerrors == LIMIT_CONFIG_ERRORS) {
		free(msg);
		msg = xasprintf("%s: more than %d problems; the rest are not "
		    "listed", c->path != NULL ? c->path : "config",
		    LIMIT_CONFIG_ERRORS);
	}
	c->errors = xrealloc(c->errors, (c->nerrors + 1) * sizeof *c->errors);
	c->errors[c->nerrors++] = msg;
}

/* Add "path:line: message" to c->errors. */
void
config_error(struct config *c, int line, const char *fmt, ...)
{
	char msg[512];
	const char *path = c->path != NULL ? c->path : "config";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		config_add_message(c, xasprintf("%s:%d: %s", path, line, msg));
	else
		config_add_message(c, xasprintf("%s: %s", path, msg));
}

/* The default file's path. */
char *
config_default_path(char **cause)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	/* The XDG rules: a relative XDG_CONFIG_HOME is ignored. */
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/vigil/config", xdg);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.config/vigil/config", home);
	*cause = xstrdup("cannot tell where the config file is: set HOME or "
	    "XDG_CONFIG_HOME");
	return NULL;
}

/* The option called name, or -1. */
int
config_find(const char *name)
{
	for (int i = 0; i < CONFIG_NOPTIONS; i++)
		if (strcmp(config_options[i].name, name) == 0)
			return i;
	return -1;
}

/* True when name is a section: the part of an option's name before ".". */
static bool
config_is_section(const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < CONFIG_NOPTIONS; i++)
		if (strncmp(config_options[i].name, name, n) == 0 &&
		    config_options[i].name[n] == '.')
			return true;
	return strcmp(name, "keys") == 0;
}

/* The sections there are, for messages: "[server], [user], ...". */
static void
config_sections(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < CONFIG_NOPTIONS; i++) {
		const char *name = config_options[i].name;
		int n = (int)strcspn(name, ".");
		bool dup = false;

		for (int j = 0; j < i; j++)
			if (strncmp(config_options[j].name, name,
			    (size_t)n + 1) == 0)
				dup = true;
		if (!dup && off < len)
			off += (size_t)snprintf(buf + off, len - off, "[%.*s], ",
			    n, name);
	}
	if (off < len)
		snprintf(buf + off, len - off, "[keys]");
}

/* Parse a bool: yes|no, true|false, on|off, 1|0. */
static int
config_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Parse a whole number from min to max, digits only. */
static int
config_parse_int(const char *s, int min, int max, int *out)
{
	long v = 0;

	if (*s == '\0' || strlen(s) > 9)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/* Parse a priority list: "1,2", "1-3, 5" or "none" into bits. */
static int
config_parse_priorities(const char *s, unsigned *out)
{
	unsigned bits = 0;
	const char *p = s;
	int a, b;

	if (strcasecmp(s, "none") == 0) {
		*out = 0;
		return 0;
	}
	for (;;) {
		while (config_blank(*p))
			p++;
		if (*p < '0' || *p > '9')
			return -1;
		a = 0;
		while (*p >= '0' && *p <= '9' && a <= LIMIT_PRIORITY_MAX)
			a = a * 10 + (*p++ - '0');
		b = a;
		while (config_blank(*p))
			p++;
		if (*p == '-') {
			p++;
			while (config_blank(*p))
				p++;
			if (*p < '0' || *p > '9')
				return -1;
			b = 0;
			while (*p >= '0' && *p <= '9' &&
			    b <= LIMIT_PRIORITY_MAX)
				b = b * 10 + (*p++ - '0');
			while (config_blank(*p))
				p++;
		}
		if (a < LIMIT_PRIORITY_MIN || b > LIMIT_PRIORITY_MAX || a > b)
			return -1;
		for (int i = a; i <= b; i++)
			bits |= 1u << i;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return -1;
	}
	*out = bits;
	return 0;
}

/* True when c is a character of a host name or address. */
static bool
config_host_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '.' || ch == '-' ||
	    ch == '_';
}

/* Check a server URL; NULL when good, else why not. */
static const char *
config_check_url(const char *s)
{
	const char *p, *host, *end;
	int port;

	if (strlen(s) > LIMIT_URI_BYTES)
		return "too long";
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return "spaces, control and non-ASCII characters are not "
			    "allowed";
	if (strncasecmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return "expected http://HOST[:PORT] or https://HOST[:PORT]";
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)) != NULL)
		return "no user or password in the URL; use \"vigil login\"";
	p = host;
	if (*p == '[') {
		p++;
		while (p < end && (isxdigit((unsigned char)*p) || *p == ':' ||
		    *p == '.'))
			p++;
		if (p == host + 1 || p >= end || *p != ']')
			return "bad IPv6 address in the URL";
		p++;
	} else {
		while (p < end && config_host_char(*p))
			p++;
		if (p == host)
			return "the URL has no host";
	}
	if (p < end && *p == ':') {
		char digits[8];
		size_t n = (size_t)(end - p - 1);

		if (n == 0 || n >= sizeof digits)
			return "bad port in the URL";
		memcpy(digits, p + 1, n);
		digits[n] = '\0';
		if (config_parse_int(digits, 1, 65535, &port) != 0)
			return "bad port in the URL (1 to 65535)";
		p = end;
	}
	if (p != end)
		return "bad host in the URL";
	return NULL;
}

/* True when name is a user name as vigild takes them. */
static bool
config_user_valid(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= LIMIT_USER_NAME_LEN &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* Expand a leading "~/" of path; NULL with *why when not absolute. */
static char *
config_expand_path(const char *path, const char **why)
{
	const char *home;

	if (strlen(path) > LIMIT_PATH_LEN) {
		*why = "file name too long";
		return NULL;
	}
	if (path[0] == '/')
		return xstrdup(path);
	if (path[0] == '~' && path[1] == '/') {
		home = getenv("HOME");
		if (home == NULL || home[0] != '/') {
			*why = "\"~/\" but HOME is not set to an absolute path";
			return NULL;
		}
		return xasprintf("%s%s", home, path + 1);
	}
	*why = "expected an absolute file name or one starting with ~/";
	return NULL;
}

/* Replace the string *field with v (NULL: unset). */
static void
config_set_string(char **field, char *v)
{
	free(*field);
	*field = v;
}

/*
 * Check value for option opt and store it, with no check against other
 * options.  Returns 0, or -1 with *cause (without the option's name).
 */
static int
config_store(struct config *c, int opt, const char *value, char **cause)
{
	const struct config_option *o = &config_options[opt];
	const char *why = NULL;
	char *s;
	bool b;
	int n;
	unsigned bits;

	switch (o->type) {
	case CONFIG_T_URL:
		if (*value != '\0' && (why = config_check_url(value)) != NULL)
			break;
		config_set_string(&c->url, *value != '\0' ? xstrdup(value) :
		    NULL);
		return 0;
	case CONFIG_T_USER:
		if (*value != '\0' && !config_user_valid(value)) {
			*cause = xasprintf("\"%s\": expected 1 to %d of a-z, 0-9, "
			    "\".\", \"_\" and \"-\"", value, LIMIT_USER_NAME_LEN);
			return -1;
		}
		config_set_string(&c->user, *value != '\0' ? xstrdup(value) :
		    NULL);
		return 0;
	case CONFIG_T_THEME:
		if (strchr(value, '/') != NULL) {
			if ((s = config_expand_path(value, &why)) == NULL)
				break;
		} else if (theme_name_valid(value))
			s = xstrdup(value);
		else {
			*cause = xasprintf("\"%s\": expected a theme name (1 to "
			    "%d of A-Z, a-z, 0-9, \".\", \"_\" and \"-\") or "
			    "a file name with a \"/\"", value,
			    LIMIT_THEME_NAME_LEN);
			return -1;
		}
		config_set_string(&c->theme, s);
		return 0;
	case CONFIG_T_PATH:
		s = NULL;
		if (*value != '\0' &&
		    (s = config_expand_path(value, &why)) == NULL)
			break;
		config_set_string(&c->log_file, s);
		return 0;
	case CONFIG_T_BOOL:
		if (config_parse_bool(value, &b) != 0) {
			why = "expected yes or no";
			break;
		}
		if (opt != CONFIG_BELL_ENABLED)
			fatal("config: option %s has no field", o->name);
		c->bell = b;
		return 0;
	case CONFIG_T_SECONDS:
		if (config_parse_int(value, o->min, o->max, &n) != 0) {
			*cause = xasprintf("\"%s\": expected a whole number of "
			    "seconds from %d to %d", value, o->min, o->max);
			return -1;
		}
		switch (opt) {
		case CONFIG_CONSOLE_STALE_AFTER:
			c->stale_after = n;
			break;
		case CONFIG_CONSOLE_WARNING_AFTER:
			c->warning_after = n;
			break;
		case CONFIG_CONSOLE_OVERDUE_AFTER:
			c->overdue_after = n;
			break;
		case CONFIG_BELL_REPEAT:
			c->repeat = n;
			break;
		default:
			fatal("config: option %s has no field", o->name);
		}
		return 0;
	case CONFIG_T_CHOICE:
		for (n = 0; o->choices[n] != NULL; n++)
			if (strcasecmp(o->choices[n], value) == 0)
				break;
		if (o->choices[n] == NULL) {
			char list[128];
			size_t off = 0;

			list[0] = '\0';
			for (int i = 0; o->choices[i] != NULL; i++)
				off += (size_t)snprintf(list + off,
				    sizeof list - off, "%s%s", i == 0 ? "" :
				    o->choices[i + 1] == NULL ? " or " : ", ",
				    o->choices[i]);
			*cause = xasprintf("\"%s\": expected %s", value, list);
			return -1;
		}
		switch (opt) {
		case CONFIG_CONSOLE_CLOCK:
			c->clock = n;
			break;
		case CONFIG_CONSOLE_LINES:
			c->lines = n;
			break;
		case CONFIG_BELL_NOTIFY:
			c->notify = n;
			break;
		case CONFIG_LOG_LEVEL:
			c->log_level = n;
			break;
		default:
			fatal("config: option %s has no field", o->name);
		}
		return 0;
	case CONFIG_T_PRIORITIES:
		if (config_parse_priorities(value, &bits) != 0) {
			*cause = xasprintf("\"%s\": expected priorities from %d "
			    "to %d such as \"1,2\" or \"1-3\", or \"none\"",
			    value, LIMIT_PRIORITY_MIN, LIMIT_PRIORITY_MAX);
			return -1;
		}
		c->priorities = bits;
		return 0;
	}
	if (why == NULL)
		why = "bad value";
	*cause = xasprintf("\"%s\": %s", value, why);
	return -1;
}

/* Set every option to its default. */
void
config_init(struct config *c)
{
	char *cause = NULL;

	memset(c, 0, sizeof *c);
	for (int i = 0; i < CONFIG_NOPTIONS; i++) {
		if (config_options[i].name == NULL)
			fatal("config: option %d has no row", i);
		if (config_store(c, i, config_options[i].dflt, &cause) != 0)
			fatal("config: default of %s: %s",
			    config_options[i].name, cause);
		c->origin[i] = CONFIG_FROM_DEFAULT;
	}
}

/* Free one key binding's strings. */
static void
config_binding_release(struct config_binding *b)
{
	free(b->action);
}

/* Free what c holds. */
void
config_release(struct config *c)
{
	free(c->path);
	free(c->url);
	free(c->user);
	free(c->theme);
	free(c->log_file);
	for (size_t i = 0; i < c->nkeys; i++)
		config_binding_release(&c->keys[i]);
	free(c->keys);
	for (size_t i = 0; i < c->nerrors; i++)
		free(c->errors[i]);
	free(c->errors);
	memset(c, 0, sizeof *c);
}

/* Parse a key name into a curses key code. */
int
config_key_parse(const char *s, int *code, char **cause)
{
	size_t n = strlen(s);
	int f;

	if (n == 1 && (unsigned char)s[0] > ' ' && (unsigned char)s[0] < 0x7f) {
		*code = (unsigned char)s[0];
		return 0;
	}
	if (n == 2 && s[0] == '^') {
		char ch = (char)toupper((unsigned char)s[1]);

		if (ch == '?') {
			*code = 0x7f;
			return 0;
		}
		if (ch >= '@' && ch <= '_') {
			*code = ch & 0x1f;
			return 0;
		}
	}
	if (n >= 2 && n <= 3 && (s[0] == 'F' || s[0] == 'f') &&
	    config_parse_int(s + 1, 1, CONFIG_FKEYS, &f) == 0 && s[1] != '0') {
		*code = KEY_F(f);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_LEN(config_keynames); i++) {
		if (strcasecmp(config_keynames[i].name, s) == 0) {
			*code = config_keynames[i].code;
			return 0;
		}
	}
	*cause = xasprintf("unknown key \"%s\" (a printable character, ^X, "
	    "F1 to F12, Enter, Esc, Tab, BTab, Space, Backspace, Del, Ins, "
	    "Up, Down, Left, Right, PgUp, PgDn, Home, End)", s);
	return -1;
}

/* The name of key code as config_key_parse reads it. */
void
config_key_name(int code, char *buf, size_t len)
{
	for (size_t i = 0; i < ARRAY_LEN(config_keynames); i++) {
		if (config_keynames[i].code == code && code != ';') {
			snprintf(buf, len, "%s", config_keynames[i].name);
			return;
		}
	}
	if (code >= KEY_F(1) && code <= KEY_F(CONFIG_FKEYS))
		snprintf(buf, len, "F%d", code - KEY_F(0));
	else if (code == 0x7f)
		snprintf(buf, len, "^?");
	else if (code >= 0 && code < 0x20)
		snprintf(buf, len, "^%c", code + '@');
	else if (code > ' ' && code < 0x7f)
		snprintf(buf, len, "%c", code);
	else
		snprintf(buf, len, "key%d", code);
}

/* True when name is an action name: 1..LIMIT_KEY_LEN of [a-z0-9_.-]. */
static bool
config_action_valid(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= LIMIT_KEY_LEN &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* Parse "KEY [KEY...]" or "none" into b's keys; -1 with *cause. */
static int
config_parse_keys(const char *value, struct config_binding *b, char **cause)
{
	char *copy, *word, *save = NULL;
	int code, rc = 0;

	b->nkeys = 0;
	if (strcasecmp(value, "none") == 0)
		return 0;
	copy = xstrdup(value);
	for (word = strtok_r(copy, " \t", &save); word != NULL;
	    word = strtok_r(NULL, " \t", &save)) {
		if (b->nkeys == LIMIT_KEYS_PER_ACTION) {
			*cause = xasprintf("more than %d keys",
			    LIMIT_KEYS_PER_ACTION);
			rc = -1;
			break;
		}
		if (config_key_parse(word, &code, cause) != 0) {
			rc = -1;
			break;
		}
		b->keys[b->nkeys++] = code;
	}
	free(copy);
	if (rc == 0 && b->nkeys == 0) {
		*cause = xstrdup("expected a key, several separated by spaces, "
		    "or \"none\" (a \";\" after a space starts a comment: write "
		    "Semicolon)");
		rc = -1;
	}
	return rc;
}

/* Bind action to the keys in value; unless replace, twice is an error. */
static int
config_bind(struct config *c, const char *action, const char *value, int line,
    bool replace, char **cause)
{
	struct config_binding b, *old = NULL;

	if (!config_action_valid(action)) {
		*cause = xasprintf("\"%s\": expected an action name of 1 to %d "
		    "of a-z, 0-9, \"_\", \".\" and \"-\"", action, LIMIT_KEY_LEN);
		return -1;
	}
	for (size_t i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i].action, action) == 0)
			old = &c->keys[i];
	if (old != NULL && !replace) {
		*cause = xasprintf("%s given twice (first at line %d); this one "
		    "is ignored", action, old->line);
		return -1;
	}
	memset(&b, 0, sizeof b);
	if (config_parse_keys(value, &b, cause) != 0) {
		char *why = *cause;

		*cause = xasprintf("%s: %s", action, why);
		free(why);
		return -1;
	}
	b.line = line;
	if (old != NULL) {
		b.action = old->action;
		*old = b;
		return 0;
	}
	if (c->nkeys == LIMIT_KEY_BINDINGS) {
		*cause = xasprintf("more than %d key bindings",
		    LIMIT_KEY_BINDINGS);
		return -1;
	}
	b.action = xstrdup(action);
	c->keys = xrealloc(c->keys, (c->nkeys + 1) * sizeof *c->keys);
	c->keys[c->nkeys++] = b;
	return 0;
}

/* The [keys] entry for action, or NULL. */
const struct config_binding *
config_binding(const struct config *c, const char *action)
{
	for (size_t i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i].action, action) == 0)
			return &c->keys[i];
	return NULL;
}

/* True when an alarm of priority p rings the bell. */
bool
config_bell_rings(const struct config *c, int priority)
{
	if (!c->bell || priority < LIMIT_PRIORITY_MIN ||
	    priority > LIMIT_PRIORITY_MAX)
		return false;
	return (c->priorities & (1u << priority)) != 0;
}

/* The INI callback for a config file: a section header or one option. */
static void
config_load_fn(void *arg, int line, const char *section, const char *key,
    const char *value)
{
	struct config_load *x = arg;
	struct config *c = x->c;
	char name[128], *cause = NULL;
	char sections[128];
	int opt;

	if (key == NULL) {
		x->headers = true;
		x->in_keys = section != NULL && strcmp(section, "keys") == 0;
		x->known = section != NULL && config_is_section(section);
		if (section != NULL && !x->known) {
			config_sections(sections, sizeof sections);
			config_error(c, line, "unknown section [%s] (one of %s)",
			    section, sections);
		}
		return;
	}
	if (!x->known) {
		/* Keys of an unknown section were reported with its header. */
		if (!x->headers)
			config_error(c, line, "\"%s\" is outside any section; "
			    "put it under [server], [console]...", key);
		return;
	}
	if (x->in_keys) {
		if (config_bind(c, key, value, line, false, &cause) != 0) {
			config_error(c, line, "[keys] %s", cause);
			free(cause);
		}
		return;
	}
	snprintf(name, sizeof name, "%s.%s", section, key);
	if ((opt = config_find(name)) < 0) {
		config_error(c, line, "unknown option \"%s\" in [%s]", key,
		    section);
		return;
	}
	if (x->seen[opt] != 0) {
		config_error(c, line, "%s given twice (first at line %d); this "
		    "one is ignored", name, x->seen[opt]);
		return;
	}
	x->seen[opt] = line;
	if (config_store(c, opt, value, &cause) != 0) {
		config_error(c, line, "%s: %s", name, cause);
		free(cause);
		return;
	}
	c->origin[opt] = CONFIG_FROM_FILE;
	c->line[opt] = line;
}

/* The INI callback for a line that is not INI. */
static void
config_load_err(void *arg, int line, const char *message)
{
	struct config_load *x = arg;

	config_error(x->c, line, "%s", message);
}

/* Put warning_after and overdue_after back to their defaults when out of order. */
static void
config_check_ages(struct config *c)
{
	int w = CONFIG_CONSOLE_WARNING_AFTER, o = CONFIG_CONSOLE_OVERDUE_AFTER;
	char *cause = NULL;
	int line;

	if (c->warning_after < c->overdue_after)
		return;
	line = c->line[w] > c->line[o] ? c->line[w] : c->line[o];
	config_error(c, line, "console.warning_after (%d) must be less than "
	    "console.overdue_after (%d); both are back to their defaults",
	    c->warning_after, c->overdue_after);
	if (config_store(c, w, config_options[w].dflt, &cause) != 0 ||
	    config_store(c, o, config_options[o].dflt, &cause) != 0)
		fatal("config: defaults of the alarm ages: %s", cause);
	c->origin[w] = c->origin[o] = CONFIG_FROM_DEFAULT;
	c->line[w] = c->line[o] = 0;
}

/* Read a config text over the settings in c. */
int
config_parse(struct config *c, const char *path, const char *text, size_t len)
{
	struct config_load x;
	size_t before = c->nerrors;

	if (c->path == NULL || strcmp(c->path, path) != 0) {
		free(c->path);
		c->path = xstrdup(path);
	}
	memset(&x, 0, sizeof x);
	x.c = c;
	config_ini_parse(text, len, config_load_fn, config_load_err, &x);
	config_check_ages(c);
	return c->nerrors == before ? 0 : -1;
}

/* Read the file at path (NULL: the default file) over the settings in c. */
int
config_load(struct config *c, const char *path)
{
	char *text = NULL, *cause = NULL, *def = NULL;
	size_t len;
	int rc;

	if (path == NULL) {
		if ((def = config_default_path(&cause)) == NULL) {
			config_add_message(c, cause);
			return -1;
		}
	}
	rc = config_read_file(path != NULL ? path : def,
	    LIMIT_CONFIG_FILE_BYTES, path == NULL, &text, &len, &cause);
	if (rc == 1) {
		free(def);
		return 0;
	}
	if (rc != 0) {
		config_add_message(c, cause);
		free(def);
		return -1;
	}
	rc = config_parse(c, path != NULL ? path : def, text, len);
	free(text);
	free(def);
	return rc;
}

/* Apply the environment's overrides. */
int
config_apply_env(struct config *c)
{
	char *cause = NULL;
	const char *v;
	int rc = 0;

	for (int i = 0; i < CONFIG_NOPTIONS; i++) {
		if (config_options[i].env == NULL ||
		    (v = getenv(config_options[i].env)) == NULL || *v == '\0')
			continue;
		if (config_store(c, i, v, &cause) != 0) {
			config_add_message(c, xasprintf("%s: %s (ignored)",
			    config_options[i].env, cause));
			free(cause);
			rc = -1;
			continue;
		}
		c->origin[i] = CONFIG_FROM_ENV;
		c->line[i] = 0;
	}
	return rc;
}

/* Set option name to value from origin; c is unchanged on error. */
int
config_set(struct config *c, const char *name, const char *value,
    enum config_origin origin, char **cause)
{
	int opt, w, o;
	char *why = NULL;

	if (strncmp(name, "keys.", 5) == 0) {
		if (config_bind(c, name + 5, value, 0, true, &why) != 0) {
			*cause = xasprintf("keys.%s", why);
			free(why);
			return -1;
		}
		return 0;
	}
	if ((opt = config_find(name)) < 0) {
		*cause = xasprintf("unknown option \"%s\"", name);
		return -1;
	}
	w = c->warning_after;
	o = c->overdue_after;
	if (opt == CONFIG_CONSOLE_WARNING_AFTER ||
	    opt == CONFIG_CONSOLE_OVERDUE_AFTER) {
		int n;

		if (config_parse_int(value, config_options[opt].min,
		    config_options[opt].max, &n) == 0) {
			if (opt == CONFIG_CONSOLE_WARNING_AFTER)
				w = n;
			else
				o = n;
			if (w >= o) {
				*cause = xasprintf("%s: console.warning_after "
				    "(%d) must be less than console.overdue_after "
				    "(%d)", name, w, o);
				return -1;
			}
		}
	}
	if (config_store(c, opt, value, &why) != 0) {
		*cause = xasprintf("%s: %s", name, why);
		free(why);
		return -1;
	}
	c->origin[opt] = origin;
	c->line[opt] = 0;
	return 0;
}

/* Write the value of option opt as a file would say it. */
void
config_format(const struct config *c, enum config_opt opt, char *buf,
    size_t len)
{
	const struct config_option *o = &config_options[opt];
	size_t off = 0;

	buf[0] = '\0';
	switch (opt) {
	case CONFIG_SERVER_URL:
		snprintf(buf, len, "%s", c->url != NULL ? c->url : "");
		break;
	case CONFIG_USER_NAME:
		snprintf(buf, len, "%s", c->user != NULL ? c->user : "");
		break;
	case CONFIG_CONSOLE_THEME:
		snprintf(buf, len, "%s", c->theme);
		break;
	case CONFIG_LOG_FILE:
		snprintf(buf, len, "%s", c->log_file != NULL ? c->log_file : "");
		break;
	case CONFIG_CONSOLE_CLOCK:
		snprintf(buf, len, "%s", o->choices[c->clock]);
		break;
	case CONFIG_CONSOLE_LINES:
		snprintf(buf, len, "%s", o->choices[c->lines]);
		break;
	case CONFIG_BELL_NOTIFY:
		snprintf(buf, len, "%s", o->choices[c->notify]);
		break;
	case CONFIG_LOG_LEVEL:
		snprintf(buf, len, "%s", o->choices[c->log_level]);
		break;
	case CONFIG_CONSOLE_STALE_AFTER:
		snprintf(buf, len, "%d", c->stale_after);
		break;
	case CONFIG_CONSOLE_WARNING_AFTER:
		snprintf(buf, len, "%d", c->warning_after);
		break;
	case CONFIG_CONSOLE_OVERDUE_AFTER:
		snprintf(buf, len, "%d", c->overdue_after);
		break;
	case CONFIG_BELL_REPEAT:
		snprintf(buf, len, "%d", c->repeat);
		break;
	case CONFIG_BELL_ENABLED:
		snprintf(buf, len, "%s", c->bell ? "yes" : "no");
		break;
	case CONFIG_BELL_PRIORITIES:
		if (c->priorities == 0) {
			snprintf(buf, len, "none");
			break;
		}
		for (int p = LIMIT_PRIORITY_MIN; p <= LIMIT_PRIORITY_MAX; p++)
			if ((c->priorities & (1u << p)) != 0 && off < len)
				off += (size_t)snprintf(buf + off, len - off,
				    "%s%d", off == 0 ? "" : ",", p);
		break;
	case CONFIG_NOPTIONS:
		break;
	}
}

/* Where option i's value came from, for config_print. */
static void
config_origin_text(const struct config *c, int i, char *buf, size_t len)
{
	switch (c->origin[i]) {
	case CONFIG_FROM_DEFAULT:
		snprintf(buf, len, "default");
		break;
	case CONFIG_FROM_FILE:
		snprintf(buf, len, "%s:%d", c->path != NULL ? c->path : "config",
		    c->line[i]);
		break;
	case CONFIG_FROM_ENV:
		snprintf(buf, len, "environment %s", config_options[i].env);
		break;
	case CONFIG_FROM_COMMAND_LINE:
		snprintf(buf, len, "command line");
		break;
	}
}

/* Print every option, its value and origin, then the key bindings. */
void
config_print(const struct config *c, FILE *f, bool help)
{
	char value[LIMIT_PATH_LEN + 64], origin[LIMIT_PATH_LEN + 64];
	char key[32];

	for (int i = 0; i < CONFIG_NOPTIONS; i++) {
		const struct config_option *o = &config_options[i];

		config_format(c, (enum config_opt)i, value, sizeof value);
		config_origin_text(c, i, origin, sizeof origin);
		if (help)
			fprintf(f, "# %s: %s (default: %s)\n", o->arg, o->help,
			    o->dflt[0] != '\0' ? o->dflt : "none");
		fprintf(f, "%s = %s\t# %s\n", o->name, value, origin);
	}
	for (size_t i = 0; i < c->nkeys; i++) {
		const struct config_binding *b = &c->keys[i];

		fprintf(f, "keys.%s =", b->action);
		if (b->nkeys == 0)
			fprintf(f, " none");
		for (int k = 0; k < b->nkeys; k++) {
			config_key_name(b->keys[k], key, sizeof key);
			fprintf(f, " %s", key);
		}
		if (b->line > 0)
			fprintf(f, "\t# %s:%d\n", c->path != NULL ? c->path :
			    "config", b->line);
		else
			fprintf(f, "\t# command line\n");
	}
}
