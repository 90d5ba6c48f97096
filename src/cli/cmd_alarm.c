#include "compat.h"

#include <getopt.h>
#include <locale.h>
#include <sysexits.h>

#include "cli.h"
#include "rest.h"
#include "sanitize.h"
#include "session.h"

/*
 * vigil alarm: list, show and act on alarms from scripts and shells.  Every
 * action reads the alarm's current version first and sends it, so that the
 * server refuses (409, exit 75) an action on an alarm that is no longer in
 * the state it was read in.  Nothing here touches the terminal beyond
 * writing lines; every value from the server is sanitized before it is
 * printed, whether stdout is a terminal or not.
 *
 * The calls to the server and the table printer are in cli_api.c.
 */

#define ALARM_CELL_MAX   64      /* widest table cell, in columns */
#define ALARM_LABEL_COLS 14      /* the labels of "vigil alarm show" */


/* What "vigil alarm" was asked to do, from its options. */
struct alarm_opts {
	bool json;
	bool quiet;
	const char *state;
	const char *site;
	const char *type;
	int priority;                /* 0: any */
	int64_t limit;               /* 0: every alarm */
	bool list_only;              /* an option only list takes was given */
};

/* The point's label, else its key, else the gateway (a line fault). */
static const char *
alarm_col_point(json_t *row, char *buf, size_t size)
{
	static const char *const keys[] = { "point_label", "point", "gateway" };

	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (json_is_string(json_object_get(row, keys[i])))
			return json_string_value(json_object_get(row, keys[i]));
	return cli_text(NULL, buf, size);
}

static const struct cli_col alarm_list_cols[] = {
	{ "ID", 12, true, .key = "id" },
	{ "P", 1, true, .key = "priority" },
	{ "STATE", 12, false, .key = "state" },
	{ "SITE", 20, false, .key = "site" },
	{ "POINT", 40, false, .get = alarm_col_point },
	{ "TYPE", 16, false, .key = "type" },
	{ "#", 8, true, .key = "count" },
	{ "GUARD", 12, false, .key = "guard" },
	{ "CREATED", 24, false, .key = "created" },
};

static const struct cli_col alarm_event_cols[] = {
	{ "RECEIVED", 24, false, .key = "received" },
	{ "SENSOR TIME", 24, false, .key = "sensor_ts" },
	{ "EVENT", 24, false, .key = "gw_event_id" },
	{ "TYPE", 16, false, .key = "type" },
	{ "VALUE", 40, false, .key = "value" },
	{ "CREDENTIAL", 24, false, .key = "credential" },
};

static const struct cli_col alarm_history_cols[] = {
	{ "TIME", 24, false, .key = "ts" },
	{ "BY", 20, false, .key = "actor" },
	{ "ACTION", 20, false, .key = "action" },
	{ "OUTCOME", 10, false, .key = "outcome" },
	{ "FROM", 48, false, .key = "source" },
};

/* The fields of "vigil alarm show", in order, with their labels. */
static const struct {
	const char *label;
	const char *key;
} alarm_fields[] = {
	{ "id", "id" },
	{ "priority", "priority" },
	{ "type", "type" },
	{ "state", "state" },
	{ "version", "version" },
	{ "site", "site" },
	{ "site name", "site_name" },
	{ "point", "point" },
	{ "point label", "point_label" },
	{ "point type", "point_type" },
	{ "gateway", "gateway" },
	{ "events", "count" },
	{ "created", "created" },
	{ "updated", "updated" },
	{ "last event", "last_event" },
	{ "acknowledged", "acked" },
	{ "acked by", "acked_by" },
	{ "assigned", "assigned" },
	{ "assigned by", "assigned_by" },
	{ "guard", "guard" },
	{ "closed", "closed" },
	{ "closed by", "closed_by" },
	{ "resolution", "resolution" },
	{ "closing note", "resolution_note" },
};

/* Print text sanitized, its further lines indented by indent columns, and a newline. */
static void
alarm_print_text(const char *text, int indent)
{
	char *s = sanitize_dup(text, strlen(text), cli_text_flags() |
	    SANITIZE_NEWLINES), *p, *nl;

	for (p = s; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		printf("%.*s\n%*s", (int)(nl - p), p, indent, "");
	printf("%s\n", p);
	free(s);
}

/* Print an alarm's detail for a person; 0 or EX_IOERR. */
static int
alarm_print_detail(json_t *reply)
{
	json_t *alarm = json_object_get(reply, "alarm"), *v, *notes, *note;
	char buf[64];
	size_t i;
	int st;

	for (i = 0; i < ARRAY_LEN(alarm_fields); i++) {
		v = json_object_get(alarm, alarm_fields[i].key);
		if (v == NULL || json_is_null(v))
			continue;
		printf("%-*s", ALARM_LABEL_COLS, alarm_fields[i].label);
		alarm_print_text(cli_text(v, buf, sizeof buf),
		    ALARM_LABEL_COLS);
	}
	notes = json_object_get(reply, "notes");
	if (json_array_size(notes) > 0) {
		printf("\nNOTES\n");
		json_array_foreach(notes, i, note) {
			char who[SANITIZE_FIT_SIZE(ALARM_CELL_MAX)];
			char when[SANITIZE_FIT_SIZE(ALARM_CELL_MAX)];
			const char *t;

			t = cli_text(json_object_get(note, "author"), buf,
			    sizeof buf);
			sanitize_fit(who, sizeof who, t, strlen(t),
			    cli_text_flags(), ALARM_CELL_MAX, NULL);
			t = cli_text(json_object_get(note, "ts"), buf, sizeof buf);
			sanitize_fit(when, sizeof when, t, strlen(t),
			    cli_text_flags(), ALARM_CELL_MAX, NULL);
			printf("%s  by %s\n    ", when, who);
			alarm_print_text(cli_text(json_object_get(note,
			    "text"), buf, sizeof buf), 4);
		}
	}
	if (json_array_size(json_object_get(reply, "events")) > 0) {
		printf("\nEVENTS\n");
		if ((st = cli_table(alarm_event_cols, ARRAY_LEN(alarm_event_cols),
		    json_object_get(reply, "events"))) != 0)
			return st;
	}
	if (json_array_size(json_object_get(reply, "history")) > 0) {
		printf("\nHISTORY\n");
		if ((st = cli_table(alarm_history_cols,
		    ARRAY_LEN(alarm_history_cols),
		    json_object_get(reply, "history"))) != 0)
			return st;
	}
	return cli_flush();
}

/* Check a --state value; -1 after a message. */
static int
alarm_parse_state(const char *arg)
{
	static const char *const states[] = { "open", "new", "acknowledged",
	    "assigned", "closed", "all" };

	for (size_t i = 0; i < ARRAY_LEN(states); i++)
		if (strcmp(arg, states[i]) == 0)
			return 0;
	cli_error("alarm", "--state: \"%s\" is not one of open, new, "
	    "acknowledged, assigned, closed, all", arg);
	return -1;
}

/* Read a whole number from min to max for option name; -1 after a message. */
static int
alarm_parse_num(const char *name, const char *arg, int64_t min, int64_t max,
    int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 ||
	    v < min || v > max) {
		cli_error("alarm", "%s: expected a number from %" PRId64 " to %"
		    PRId64 ", not \"%s\"", name, min, max, arg);
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

/* vigil alarm list: every alarm that passes the filters, page by page. */
static int
alarm_list(struct cli_api *a, const struct alarm_opts *o)
{
	json_t *all = json_array(), *reply, *page, *last;
	int64_t after = 0, got = 0, want;
	char *path;
	size_t n;
	int st = 0;

	for (;;) {
		want = LIMIT_LIST_MAX;
		if (o->limit > 0 && o->limit - got < want)
			want = o->limit - got;
		path = xasprintf("/api/v1/alarms?state=%s&limit=%" PRId64 "%s%s"
		    "%s%s", o->state != NULL ? o->state : "open", want,
		    o->site != NULL ? "&site=" : "", o->site != NULL ? o->site :
		    "", o->type != NULL ? "&type=" : "", o->type != NULL ?
		    o->type : "");
		if (o->priority > 0) {
			char *p = xasprintf("%s&priority=%d", path, o->priority);

			free(path);
			path = p;
		}
		if (after > 0) {
			char *p = xasprintf("%s&after_id=%" PRId64, path, after);

			free(path);
			path = p;
		}
		st = cli_api_call(a, "GET", NULL, &reply, "%s", path);
		free(path);
		if (st != 0)
			break;
		page = json_object_get(reply, "alarms");
		if (!json_is_array(page)) {
			cli_error("alarm", "the server's reply has no alarms");
			json_decref(reply);
			st = EX_PROTOCOL;
			break;
		}
		n = json_array_size(page);
		json_array_extend(all, page);
		got += (int64_t)n;
		last = json_object_get(json_array_get(page, n - 1), "id");
		json_decref(reply);
		if ((int64_t)n < want || (o->limit > 0 && got >= o->limit) ||
		    !json_is_integer(last))
			break;
		after = json_integer_value(last);
	}
	if (st == 0)
		st = cli_rows(o->json, alarm_list_cols,
		    ARRAY_LEN(alarm_list_cols), all);
	json_decref(all);
	return st;
}

/* vigil alarm show ID. */
static int
alarm_show(struct cli_api *a, const struct alarm_opts *o, int64_t id)
{
	json_t *reply;
	int st;

	if ((st = cli_api_call(a, "GET", NULL, &reply,
	    "/api/v1/alarms/%" PRId64, id)) != 0)
		return st;
	if (!json_is_object(json_object_get(reply, "alarm"))) {
		cli_error("alarm", "the server's reply has no alarm");
		st = EX_PROTOCOL;
	} else if (o->json)
		st = cli_json_print(reply);
	else
		st = alarm_print_detail(reply);
	json_decref(reply);
	return st;
}

/* Say what an action did, in one line: "alarm 17: assigned to G3, version 3". */
static int
alarm_print_done(json_t *reply, const char *action)
{
	json_t *alarm = json_object_get(reply, "alarm");
	const char *state = json_string_value(json_object_get(alarm, "state"));
	char buf[64], id[32], what[SANITIZE_SIZE(LIMIT_KEY_LEN)];
	const char *extra = NULL;
	char detail[SANITIZE_SIZE(LIMIT_KEY_LEN)] = "";

	snprintf(id, sizeof id, "%s", cli_text(json_object_get(alarm, "id"),
	    buf, sizeof buf));
	if (strcmp(action, "notes") == 0) {
		printf("alarm %s: note added\n", id);
		return cli_flush();
	}
	if (state == NULL)
		state = "-";
	sanitize_copy(what, sizeof what, state, strlen(state), cli_text_flags());
	if (strcmp(state, "assigned") == 0)
		extra = json_string_value(json_object_get(alarm, "guard"));
	else if (strcmp(state, "closed") == 0)
		extra = json_string_value(json_object_get(alarm, "resolution"));
	if (extra != NULL)
		sanitize_copy(detail, sizeof detail, extra, strlen(extra),
		    cli_text_flags());
	printf("alarm %s: %s%s%s, version %s\n", id, what, extra == NULL ? "" :
	    strcmp(state, "assigned") == 0 ? " to " : " as ", detail,
	    cli_text(json_object_get(alarm, "version"), buf, sizeof buf));
	return cli_flush();
}

/*
 * An action on alarm id: read its version (except for a note, which has
 * none), send action with fields (stolen) and that version, say what came
 * of it.
 */
static int
alarm_act(struct cli_api *a, const struct alarm_opts *o, int64_t id,
    const char *action, json_t *fields)
{
	json_t *reply, *version;
	int st;

	if (strcmp(action, "notes") != 0) {
		if ((st = cli_api_call(a, "GET", NULL, &reply,
		    "/api/v1/alarms/%" PRId64, id)) != 0) {
			json_decref(fields);
			return st;
		}
		version = json_object_get(json_object_get(reply, "alarm"),
		    "version");
		if (!json_is_integer(version)) {
			cli_error("alarm", "the server's reply has no version");
			json_decref(reply);
			json_decref(fields);
			return EX_PROTOCOL;
		}
		json_object_set_new(fields, "version", json_integer(
		    json_integer_value(version)));
		json_decref(reply);
	}
	st = cli_api_call(a, "POST", fields, &reply,
	    "/api/v1/alarms/%" PRId64 "/%s", id, action);
	if (st == 0 && o->json)
		st = cli_json_print(reply);
	else if (st == 0 && !o->quiet)
		st = alarm_print_done(reply, action);
	json_decref(reply);
	return st;
}

/* Join argv[0..argc) with spaces, for a note given as several words. */
static char *
alarm_join(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = xcalloc(1, len);
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static const char alarm_help[] =
    "Commands:\n"
    "  list [--state S] [--site KEY] [--priority N] [--type T] [--limit N]\n"
    "                               the alarms (default: the open ones)\n"
    "  show ID                      one alarm with notes, events, history\n"
    "  ack ID                       acknowledge\n"
    "  assign ID GUARD              send the guard with this callsign\n"
    "  close ID RESOLUTION NOTE...  close: genuine, false_alarm, test or\n"
    "                               technical_fault, with a note\n"
    "  note ID TEXT...              add a note\n"
    "\nOptions:\n"
    "  -s, --state S     open (default), new, acknowledged, assigned, "
    "closed, all\n"
    "      --site KEY    only alarms of this site\n"
    "  -p, --priority N  only priority N or more urgent (1-9)\n"
    "  -t, --type T      only alarms of this type (forced, line_fault...)\n"
    "  -n, --limit N     at most N alarms (default: all)\n"
    "  -j, --json        the server's JSON: one alarm a line for list, one\n"
    "                    object for show and the actions\n"
    "  -q, --quiet       print nothing when an action succeeds\n"
    "\nExit status: 0 done, 64 usage, 65 a value the server refused, 66 no "
    "such alarm,\n69 server unavailable, 75 conflict (the alarm changed or "
    "the action does not\nfit its state: read it again), 77 token refused or "
    "not allowed.\n";

/* Run subcommand argv[0] with its arguments; an exit status. */
static int
alarm_run(const struct alarm_opts *o, int argc, char **argv)
{
	struct cli_api *a;
	const char *sub = argv[0];
	json_t *fields = NULL;
	int64_t id = 0;
	int st, want_min, want_max;
	char *text;

	if (strcmp(sub, "list") == 0)
		want_min = want_max = 1;
	else if (strcmp(sub, "show") == 0 || strcmp(sub, "ack") == 0)
		want_min = want_max = 2;
	else if (strcmp(sub, "assign") == 0)
		want_min = want_max = 3;
	else if (strcmp(sub, "close") == 0) {
		want_min = 4;
		want_max = INT32_MAX;
	} else if (strcmp(sub, "note") == 0) {
		want_min = 3;
		want_max = INT32_MAX;
	} else {
		cli_error("alarm", "unknown command \"%s\"", sub);
		return cli_usage("alarm");
	}
	if (argc < want_min || argc > want_max)
		return cli_usage("alarm");
	if (o->list_only && strcmp(sub, "list") != 0) {
		cli_error("alarm", "--state, --site, --priority, --type and "
		    "--limit are for \"vigil alarm list\"");
		return cli_usage("alarm");
	}
	if (argc > 1 && cli_parse_id("alarm", "alarm", argv[1], &id) != 0)
		return cli_usage("alarm");

	if (strcmp(sub, "assign") == 0)
		fields = json_pack("{s:s}", "guard", argv[2]);
	else if (strcmp(sub, "close") == 0) {
		text = alarm_join(argc - 3, argv + 3);
		fields = json_pack("{s:s, s:s}", "resolution", argv[2], "note",
		    text);
		free(text);
	} else if (strcmp(sub, "note") == 0) {
		text = alarm_join(argc - 2, argv + 2);
		fields = json_pack("{s:s}", "text", text);
		free(text);
	} else if (strcmp(sub, "ack") == 0)
		fields = json_object();
	if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 &&
	    fields == NULL) {
		/* json_pack refuses text that is not UTF-8. */
		cli_error("alarm", "the arguments must be UTF-8 text");
		return EX_DATAERR;
	}

	if ((a = cli_api_open("alarm", &st)) == NULL) {
		json_decref(fields);
		return st;
	}
	if (strcmp(sub, "list") == 0)
		st = alarm_list(a, o);
	else if (strcmp(sub, "show") == 0)
		st = alarm_show(a, o, id);
	else
		st = alarm_act(a, o, id, strcmp(sub, "note") == 0 ? "notes" :
		    sub, fields);
	cli_api_close(a);
	return st;
}

/* vigil alarm list|show|ack|assign|close|note ... */
int
cmd_alarm(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "site", required_argument, NULL, 'S' },
		{ "priority", required_argument, NULL, 'p' },
		{ "type", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct alarm_opts o;
	int64_t v;
	int ch;

	setlocale(LC_CTYPE, "");
	memset(&o, 0, sizeof o);
	while ((ch = getopt_long(argc, argv, "s:p:t:n:jqh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 's':
			if (alarm_parse_state(optarg) != 0)
				return cli_usage("alarm");
			o.state = optarg;
			o.list_only = true;
			break;
		case 'S':
			if (!cli_is_key(optarg)) {
				cli_error("alarm", "--site: \"%s\" is not a site "
				    "key", optarg);
				return cli_usage("alarm");
			}
			o.site = optarg;
			o.list_only = true;
			break;
		case 'p':
			if (alarm_parse_num("--priority", optarg,
			    LIMIT_PRIORITY_MIN, LIMIT_PRIORITY_MAX, &v) != 0)
				return cli_usage("alarm");
			o.priority = (int)v;
			o.list_only = true;
			break;
		case 't':
			if (!cli_is_key(optarg)) {
				cli_error("alarm", "--type: \"%s\" is not an alarm "
				    "type", optarg);
				return cli_usage("alarm");
			}
			o.type = optarg;
			o.list_only = true;
			break;
		case 'n':
			if (alarm_parse_num("--limit", optarg, 1, INT32_MAX,
			    &v) != 0)
				return cli_usage("alarm");
			o.limit = v;
			o.list_only = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			return cli_help("alarm", alarm_help);
		default:
			return cli_usage("alarm");
		}
	}
	if (optind >= argc)
		return cli_usage("alarm");
	return alarm_run(&o, argc - optind, argv + optind);
}
