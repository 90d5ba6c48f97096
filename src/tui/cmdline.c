#include "compat.h"

#include "draw.h"
#include "keymap.h"
#include "maps.h"
#include "timerange.h"
#include "tui.h"
#include "view.h"
#include "view_residents.h"
#include "vtime.h"

/*
 * The ":" command line: every action by name, with Tab completion.  One
 * table (tmux's cmd_table) gives each command its arguments and help; the
 * help screen and vigil(1) list the same commands.
 */
#define CMDLINE_MAX_ARGS 4

enum cmd_arg { ARG_NONE, ARG_ALARM, ARG_GUARD, ARG_RESOLUTION, ARG_THEME, ARG_SITE, ARG_TIME,
    ARG_TEXT };

struct cmdline_cmd {
	const char *name;
	enum cmd_arg args[CMDLINE_MAX_ARGS];
	const char *usage;
	void (*run)(struct console *c, char **argv, int argc, const char *rest);
};

/* The alarm id in s, or 0 with a message. */
static int64_t
cmdline_id(struct console *c, const char *s)
{
	char *end;
	long long id = s != NULL ? strtoll(s, &end, 10) : 0;

	if (s == NULL || *s == '\0' || *end != '\0' || id <= 0) {
		tui_message(c, true, "an alarm number is needed, not \"%s\"", s != NULL ? s : "");
		return 0;
	}
	return id;
}

static void
cmd_ack(struct console *c, char **argv, int argc, const char *rest)
{
	int64_t id = cmdline_id(c, argc > 1 ? argv[1] : NULL);

	(void)rest;
	if (id > 0)
		action_alarm(c, id, "ack", NULL);
}

static void
cmd_release(struct console *c, char **argv, int argc, const char *rest)
{
	int64_t id = cmdline_id(c, argc > 1 ? argv[1] : NULL);

	(void)rest;
	if (id > 0)
		action_alarm(c, id, "release", NULL);
}

static void
cmd_assign(struct console *c, char **argv, int argc, const char *rest)
{
	int64_t id = cmdline_id(c, argc > 1 ? argv[1] : NULL);

	(void)rest;
	if (id <= 0)
		return;
	if (argc < 3) {
		tui_push(c, view_assign_new(c, id));
		return;
	}
	if (replica_guard(&c->replica, argv[2]) == NULL) {
		tui_message(c, true, "no guard called \"%s\"", argv[2]);
		return;
	}
	action_alarm(c, id, "assign", json_pack("{s:s}", "guard", argv[2]));
}

static void
cmd_close(struct console *c, char **argv, int argc, const char *rest)
{
	int64_t id = cmdline_id(c, argc > 1 ? argv[1] : NULL);

	if (id <= 0)
		return;
	if (argc < 3) {
		tui_push(c, view_close_new(c, id));
		return;
	}
	if (rest == NULL || *rest == '\0') {
		tui_message(c, true, "close %" PRId64 " %s: a note is required", id, argv[2]);
		return;
	}
	action_alarm(c, id, "close", json_pack("{s:s, s:s}", "resolution", argv[2], "note", rest));
}

static void
cmd_note(struct console *c, char **argv, int argc, const char *rest)
{
	int64_t id = cmdline_id(c, argc > 1 ? argv[1] : NULL);

	if (id <= 0)
		return;
	if (rest == NULL || *rest == '\0') {
		tui_message(c, true, "note %" PRId64 ": the note's text is missing", id);
		return;
	}
	action_alarm(c, id, "notes", json_pack("{s:s}", "text", rest));
}

static void
cmd_reopen(struct console *c, char **argv, int argc, const char *rest)
{
	int64_t id = cmdline_id(c, argc > 1 ? argv[1] : NULL);
	char kb[16];

	(void)rest;
	if (id > 0) {
		tui_push(c, view_detail_new(c, id));
		tui_message(c, false, "alarm %" PRId64 ": press %s in its detail to reopen it", id,
		    keymap_action_key(KA_REOPEN, kb, sizeof kb));
	}
}

static void
cmd_open(struct console *c, char **argv, int argc, const char *rest)
{
	int64_t id = cmdline_id(c, argc > 1 ? argv[1] : NULL);

	(void)rest;
	if (id > 0)
		tui_push(c, view_detail_new(c, id));
}

static void
cmd_theme(struct console *c, char **argv, int argc, const char *rest)
{
	(void)rest;
	if (argc < 2) {
		tui_message(c, false, "theme: %s", c->theme.name != NULL ? c->theme.name : "default");
		return;
	}
	draw_theme_switch(c, argv[1]);
}

static void
cmd_filter(struct console *c, char **argv, int argc, const char *rest)
{
	(void)argv;
	(void)argc;
	console_filter_set(c, rest != NULL ? rest : "");
}

static void
cmd_help(struct console *c, char **argv, int argc, const char *rest)
{
	(void)argv;
	(void)argc;
	(void)rest;
	tui_push(c, view_help_new(c));
}

static void
cmd_map(struct console *c, char **argv, int argc, const char *rest)
{
	struct alarm_rec *a = tui_selected(c);
	const char *site = argc > 1 ? argv[1] : a != NULL ? a->site : NULL;
	const char *key;
	json_t *v;

	(void)rest;
	if (site == NULL)
		json_object_foreach(c->replica.sites, key, v) {
			site = key;
			break;
		}
	if (site == NULL || json_object_get(c->replica.sites, site) == NULL) {
		tui_message(c, true, "map: no site \"%s\"", site != NULL ? site : "");
		return;
	}
	tui_push(c, view_map_new(c, site, argc > 1 || a == NULL ? 0 : a->id, NULL));
}

/* A time as people type it in a command (timerange.h): 0, or -1 with a message. */
static int
cmdline_time(struct console *c, const char *s, int64_t now, int64_t *out)
{
	char *why = NULL;

	if (timerange_parse(s, now, out, &why) == 0)
		return 0;
	tui_message(c, true, "%s", why);
	free(why);
	return -1;
}

static void
cmd_track(struct console *c, char **argv, int argc, const char *rest)
{
	int64_t now = vtime_now_ms(), since = now - 3600 * 1000, until = now;
	struct view *v;

	(void)rest;
	if (c->role == NULL || (strcmp(c->role, "supervisor") != 0 &&
	    strcmp(c->role, "admin") != 0)) {
		tui_message(c, true, "track playback is for supervisors");
		return;
	}
	if (argc < 2 || replica_guard(&c->replica, argv[1]) == NULL) {
		tui_message(c, true, "track: no guard \"%s\"", argc > 1 ? argv[1] : "");
		return;
	}
	if ((argc > 2 && cmdline_time(c, argv[2], now, &since) != 0) ||
	    (argc > 3 && cmdline_time(c, argv[3], now, &until) != 0))
		return;
	if (since >= until) {
		tui_message(c, true, "track: the period ends before it starts");
		return;
	}
	if ((v = view_track_new(c, argv[1], since, until)) == NULL) {
		tui_message(c, true, "track: %s belongs to no site", argv[1]);
		return;
	}
	tui_push(c, v);
}

/* The map view's "t" prompt: CALLSIGN [SINCE [UNTIL]] played back. */
void
cmdline_track(struct console *c, void *arg, const char *text)
{
	char *line;

	(void)arg;
	if (text == NULL || *text == '\0')
		return;
	line = xasprintf("track %s", text);
	cmdline_run(c, NULL, line);
	free(line);
}

static void
cmd_residents(struct console *c, char **argv, int argc, const char *rest)
{
	(void)rest;
	if (argc > 1 && json_object_get(c->replica.sites, argv[1]) == NULL) {
		tui_message(c, true, "residents: no site \"%s\"", argv[1]);
		return;
	}
	if (view_residents_allowed(c, false))
		tui_push(c, view_residents_new(c, argc > 1 ? argv[1] : NULL));
}

static void
cmd_access(struct console *c, char **argv, int argc, const char *rest)
{
	struct view *v;

	(void)argv;
	(void)argc;
	if (view_residents_allowed(c, false) &&
	    (v = view_access_new(c, rest != NULL ? rest : "", NULL)) != NULL)
		tui_push(c, v);
}

static void
cmd_quit(struct console *c, char **argv, int argc, const char *rest)
{
	(void)argv;
	(void)argc;
	(void)rest;
	tui_quit(c, 0);
}

static const struct cmdline_cmd cmdline_table[] = {
	{ "ack", { ARG_ALARM }, "ack ID", cmd_ack },
	{ "assign", { ARG_ALARM, ARG_GUARD }, "assign ID [GUARD]", cmd_assign },
	{ "release", { ARG_ALARM }, "release ID", cmd_release },
	{ "close", { ARG_ALARM, ARG_RESOLUTION, ARG_TEXT }, "close ID [RESOLUTION NOTE...]", cmd_close },
	{ "note", { ARG_ALARM, ARG_TEXT }, "note ID TEXT...", cmd_note },
	{ "reopen", { ARG_ALARM }, "reopen ID", cmd_reopen },
	{ "open", { ARG_ALARM }, "open ID", cmd_open },
	{ "theme", { ARG_THEME }, "theme [NAME]", cmd_theme },
	{ "filter", { ARG_TEXT }, "filter [TEXT]", cmd_filter },
	{ "map", { ARG_SITE }, "map [SITE]", cmd_map },
	{ "track", { ARG_GUARD, ARG_TIME, ARG_TIME }, "track GUARD [SINCE [UNTIL]]", cmd_track },
	{ "residents", { ARG_SITE }, "residents [SITE]", cmd_residents },
	{ "access", { ARG_TEXT }, "access [point=KEY] [result=denied] [since=-2h]...", cmd_access },
	{ "help", { ARG_NONE }, "help", cmd_help },
	{ "quit", { ARG_NONE }, "quit", cmd_quit },
};

/* Split line into words (at most max); *rest points after the first two (or one). */
static int
cmdline_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;

	while (*p != '\0' && argc < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		argv[argc++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return argc;
}

/* The command called name (a unique prefix will do), or NULL. */
static const struct cmdline_cmd *
cmdline_find(const char *name)
{
	const struct cmdline_cmd *found = NULL;
	size_t n = strlen(name);

	for (size_t i = 0; i < ARRAY_LEN(cmdline_table); i++) {
		if (strcmp(cmdline_table[i].name, name) == 0)
			return &cmdline_table[i];
		if (strncmp(cmdline_table[i].name, name, n) == 0) {
			if (found != NULL)
				return NULL;
			found = &cmdline_table[i];
		}
	}
	return found;
}

/* Run a ":" command line (NULL: cancelled). */
void
cmdline_run(struct console *c, void *arg, const char *text)
{
	char *line, *argv[8];
	const struct cmdline_cmd *cmd;
	const char *rest = NULL;
	int argc, textpos;

	(void)arg;
	if (text == NULL || *text == '\0')
		return;
	line = xstrdup(text);
	argc = cmdline_split(line, argv, 8);
	if (argc == 0) {
		free(line);
		return;
	}
	if ((cmd = cmdline_find(argv[0])) == NULL) {
		tui_message(c, true, "unknown command \"%s\": try :help", argv[0]);
		free(line);
		return;
	}
	/* Free text starts after the fixed arguments before ARG_TEXT. */
	for (textpos = 0; textpos < CMDLINE_MAX_ARGS && cmd->args[textpos] != ARG_TEXT; textpos++)
		;
	if (textpos < CMDLINE_MAX_ARGS) {
		const char *p = text;

		for (int w = 0; w <= textpos && *p != '\0'; w++) {
			while (*p == ' ' || *p == '\t')
				p++;
			while (*p != '\0' && *p != ' ' && *p != '\t')
				p++;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		rest = p;
	}
	cmd->run(c, argv, argc, rest);
	free(line);
}

/* The candidates for argument kind k that start with prefix; NULL-terminated, caller frees. */
static char **
cmdline_candidates(struct console *c, enum cmd_arg k, const char *prefix)
{
	static const char *resolutions[] = { "genuine", "false_alarm", "test", "technical_fault" };
	char **out = xcalloc(1, sizeof *out);
	size_t n = 0, plen = strlen(prefix);
	const char *key;
	json_t *v;

#define CMDLINE_ADD(s) do { \
	if (strncmp((s), prefix, plen) == 0) { \
		out = xrealloc(out, (n + 2) * sizeof *out); \
		out[n++] = xstrdup(s); \
		out[n] = NULL; \
	} } while (0)
	switch (k) {
	case ARG_ALARM: {
		struct alarm_rec *a;
		size_t it = 0;
		char id[24];

		while ((a = alarmset_next(c->replica.alarms, &it)) != NULL) {
			snprintf(id, sizeof id, "%" PRId64, a->id);
			CMDLINE_ADD(id);
		}
		break;
	}
	case ARG_GUARD:
		json_object_foreach(c->replica.guards, key, v)
			CMDLINE_ADD(key);
		break;
	case ARG_SITE:
		json_object_foreach(c->replica.sites, key, v)
			CMDLINE_ADD(key);
		break;
	case ARG_TIME:
		CMDLINE_ADD("-1h");
		CMDLINE_ADD("-8h");
		CMDLINE_ADD("now");
		break;
	case ARG_RESOLUTION:
		for (size_t i = 0; i < ARRAY_LEN(resolutions); i++)
			CMDLINE_ADD(resolutions[i]);
		break;
	case ARG_THEME: {
		char **names = theme_list(NULL);

		for (size_t i = 0; names != NULL && names[i] != NULL; i++)
			CMDLINE_ADD(names[i]);
		theme_dirs_free(names);
		break;
	}
	default:
		break;
	}
#undef CMDLINE_ADD
	return out;
}

/* Complete the last word of text: the whole line completed, or NULL. */
char *
cmdline_complete(struct console *c, const char *text)
{
	char *line = xstrdup(text), *argv[8], **cand;
	const struct cmdline_cmd *cmd;
	size_t len = strlen(text), common;
	bool trailing = len > 0 && (text[len - 1] == ' ');
	int argc = cmdline_split(line, argv, 8), word = trailing ? argc : argc - 1;
	const char *prefix = trailing || argc == 0 ? "" : argv[argc - 1];
	char *out = NULL;
	size_t n = 0;

	if (word <= 0) {
		cand = xcalloc(ARRAY_LEN(cmdline_table) + 1, sizeof *cand);
		for (size_t i = 0; i < ARRAY_LEN(cmdline_table); i++)
			if (strncmp(cmdline_table[i].name, prefix, strlen(prefix)) == 0)
				cand[n++] = xstrdup(cmdline_table[i].name);
	} else {
		cmd = cmdline_find(argv[0]);
		if (cmd == NULL || word > CMDLINE_MAX_ARGS || cmd->args[word - 1] == ARG_NONE ||
		    cmd->args[word - 1] == ARG_TEXT) {
			free(line);
			return NULL;
		}
		cand = cmdline_candidates(c, cmd->args[word - 1], prefix);
		while (cand[n] != NULL)
			n++;
	}
	if (n > 0) {
		/* The longest prefix the candidates share. */
		common = strlen(cand[0]);
		for (size_t i = 1; i < n; i++) {
			size_t k = 0;
			while (k < common && cand[i][k] == cand[0][k])
				k++;
			common = k;
		}
		out = xasprintf("%.*s%.*s%s", (int)(len - strlen(prefix)), text, (int)common,
		    cand[0], n == 1 ? " " : "");
		if (n > 1) {
			char list[200] = "";
			for (size_t i = 0; i < n && strlen(list) < 150; i++) {
				strncat(list, cand[i], sizeof list - strlen(list) - 1);
				strncat(list, " ", sizeof list - strlen(list) - 1);
			}
			tui_message(c, false, "%s", list);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(cand[i]);
	free(cand);
	free(line);
	return out;
}
