#include "compat.h"

#include <getopt.h>
#include <locale.h>
#include <sysexits.h>

#include <jansson.h>

#include "cli.h"
#include "rest.h"
#include "sanitize.h"

/*
 * vigil access: grant, suspend, revoke and resume residents' access rights,
 * and list the access history (who was let in or refused where), from
 * scripts and shells.  The calls, tables and JSON lines are those of
 * cli_api.c; every value from the server is sanitized before it is printed.
 */

/* What "vigil access" was asked to do, from its options. */
struct acc_opts {
	bool json;
	bool quiet;
	const char *point;
	const char *group;
	const char *days;
	const char *from;
	const char *until;
	const char *valid_from;
	const char *valid_until;
	const char *reason;
	const char *site;
	const char *since;
	const char *before;
	const char *result;
	int64_t resident;            /* --resident, 0 for any */
	int64_t limit;               /* 0: every event */
};

/* "Jo Bloggs (7)", or "-" for a credential nobody holds. */
static const char *
acc_col_resident(json_t *row, char *buf, size_t size)
{
	json_t *r = json_object_get(row, "resident");
	const char *name = json_string_value(json_object_get(r, "name"));

	if (name == NULL)
		return "-";
	snprintf(buf, size, "%s (%" JSON_INTEGER_FORMAT ")", name,
	    json_integer_value(json_object_get(r, "id")));
	return buf;
}

static const struct cli_col acc_list_cols[] = {
	{ "TIME", 24, false, .key = "ts" },
	{ "SITE", 20, false, .key = "site" },
	{ "POINT", 32, false, .key = "point" },
	{ "RESULT", 7, false, .key = "result" },
	{ "RESIDENT", 40, false, .get = acc_col_resident },
	{ "CREDENTIAL", 40, false, .key = "credential" },
};

/* vigil access list: the history, newest first, page by page. */
static int
acc_list(struct cli_api *a, const struct acc_opts *o)
{
	json_t *rows;
	char *path = xstrdup("/api/v1/access"), num[32];
	int st;

	if (o->site != NULL)
		rest_query_add(&path, "site", o->site);
	if (o->resident > 0) {
		snprintf(num, sizeof num, "%" PRId64, o->resident);
		rest_query_add(&path, "resident", num);
	}
	if (o->point != NULL)
		rest_query_add(&path, "point", o->point);
	if (o->since != NULL)
		rest_query_add(&path, "since", o->since);
	if (o->before != NULL)
		rest_query_add(&path, "until", o->before);
	if (o->result != NULL)
		rest_query_add(&path, "result", o->result);
	st = cli_api_list(a, path, "events", o->limit, &rows);
	free(path);
	if (st != 0)
		return st;
	st = cli_rows(o->json, acc_list_cols, ARRAY_LEN(acc_list_cols), rows);
	json_decref(rows);
	return st;
}

/* Say what became of a right: "right 11: revoked (resident 7 at ta-gate)". */
static int
acc_print_done(const struct acc_opts *o, json_t *reply)
{
	json_t *r = json_object_get(reply, "right");
	const char *where = json_string_value(json_object_get(r, "point"));
	char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32], *w;

	if (!json_is_object(r)) {
		cli_error("access", "the server's reply has no right");
		return EX_PROTOCOL;
	}
	if (o->json)
		return cli_json_print(reply);
	if (o->quiet)
		return 0;
	if (where == NULL)
		where = json_string_value(json_object_get(r, "group"));
	w = sanitize_dup(where != NULL ? where : "-", strlen(where != NULL ?
	    where : "-"), cli_text_flags());
	printf("right %s: %s (resident %s at %s%s, %s %s-%s)\n",
	    cli_text(json_object_get(r, "id"), b1, sizeof b1),
	    cli_text(json_object_get(r, "state"), b2, sizeof b2),
	    cli_text(json_object_get(r, "resident"), b3, sizeof b3),
	    json_is_string(json_object_get(r, "point")) ? "" : "group ", w,
	    cli_text(json_object_get(r, "days"), b4, sizeof b4),
	    cli_text(json_object_get(r, "from"), b5, sizeof b5),
	    cli_text(json_object_get(r, "until"), b6, sizeof b6));
	free(w);
	return cli_flush();
}

/* Set key of obj to the text s; -1 after a message. */
static int
acc_set(json_t *obj, const char *key, const char *opt, const char *s)
{
	json_t *v;

	if (s == NULL)
		return 0;
	if ((v = json_string(s)) == NULL) {
		cli_error("access", "%s: must be UTF-8 text", opt);
		return -1;
	}
	json_object_set_new(obj, key, v);
	return 0;
}

/* vigil access grant RESIDENT. */
static int
acc_grant(struct cli_api *a, const struct acc_opts *o, int64_t resident)
{
	json_t *body = json_object(), *reply;
	int st;

	if (acc_set(body, "point", "--point", o->point) != 0 ||
	    acc_set(body, "group", "--group", o->group) != 0 ||
	    acc_set(body, "days", "--days", o->days) != 0 ||
	    acc_set(body, "from", "--from", o->from) != 0 ||
	    acc_set(body, "until", "--until", o->until) != 0 ||
	    acc_set(body, "valid_from", "--valid-from", o->valid_from) != 0 ||
	    acc_set(body, "valid_until", "--valid-until", o->valid_until) != 0) {
		json_decref(body);
		return EX_USAGE;
	}
	if ((st = cli_api_call(a, "POST", body, &reply,
	    "/api/v1/residents/%" PRId64 "/rights", resident)) != 0)
		return st;
	st = acc_print_done(o, reply);
	json_decref(reply);
	return st;
}

/* vigil access suspend|revoke|resume RIGHT. */
static int
acc_change(struct cli_api *a, const struct acc_opts *o, const char *action,
    int64_t right)
{
	json_t *body = json_object(), *reply;
	int st;

	if (strcmp(action, "resume") != 0 &&
	    acc_set(body, "reason", "--reason", o->reason) != 0) {
		json_decref(body);
		return EX_USAGE;
	}
	if ((st = cli_api_call(a, "POST", body, &reply,
	    "/api/v1/rights/%" PRId64 "/%s", right, action)) != 0)
		return st;
	st = acc_print_done(o, reply);
	json_decref(reply);
	return st;
}

static const char acc_help[] =
    "Commands:\n"
    "  grant RESIDENT --point KEY|--group KEY [--days DAYS] [--from HH:MM]\n"
    "      [--until HH:MM] [--valid-from T] [--valid-until T]\n"
    "                               give a resident access at a point or "
    "a group\n"
    "  suspend RIGHT --reason TEXT  suspend a right for now\n"
    "  resume RIGHT                 make a suspended right active again\n"
    "  revoke RIGHT --reason TEXT   end a right for good\n"
    "  list [--site KEY] [--resident ID] [--point KEY] [--since T] "
    "[--until T]\n"
    "      [--result granted|denied] [--limit N]\n"
    "                               the access history, newest first\n"
    "\nOptions:\n"
    "      --days DAYS   all (default), or days and ranges: mon-fri, "
    "sat,sun\n"
    "      --from HH:MM, --until HH:MM\n"
    "                    hours in the site's time zone (default 00:00-24:00;"
    "\n                    22:00-06:00 runs overnight)\n"
    "      --valid-from T, --valid-until T\n"
    "                    ISO 8601 UTC times, e.g. 2026-12-01T00:00:00Z\n"
    "  -j, --json        the server's JSON: one event a line for list, one\n"
    "                    object for the actions\n"
    "  -q, --quiet       print nothing when an action succeeds\n"
    "\nExit status: 0 done, 64 usage, 65 a value the server refused, 66 no "
    "such\nresident, right or point, 69 server unavailable, 75 conflict "
    "(the right is\nalready in another state), 77 token refused or not "
    "allowed.\n";

/* Check the options against the subcommand; -1 after a message. */
static int
acc_check(const struct acc_opts *o, const char *sub)
{
	bool grant = strcmp(sub, "grant") == 0, list = strcmp(sub, "list") == 0;
	bool reasoned = strcmp(sub, "suspend") == 0 ||
	    strcmp(sub, "revoke") == 0;

	if (grant && (o->point == NULL) == (o->group == NULL)) {
		cli_error("access", "grant needs --point KEY or --group KEY "
		    "(one of them)");
		return -1;
	}
	if (!grant && !list && o->point != NULL) {
		cli_error("access", "--point is for grant and list");
		return -1;
	}
	if (!grant && (o->group != NULL || o->days != NULL || o->from != NULL ||
	    o->until != NULL || o->valid_from != NULL ||
	    o->valid_until != NULL)) {
		cli_error("access", "--group, --days, --from, --until, "
		    "--valid-from and --valid-until are for grant");
		return -1;
	}
	if (reasoned && o->reason == NULL) {
		cli_error("access", "%s needs --reason TEXT", sub);
		return -1;
	}
	if (!reasoned && o->reason != NULL) {
		cli_error("access", "--reason is for suspend and revoke");
		return -1;
	}
	if (!list && (o->site != NULL || o->since != NULL || o->before !=
	    NULL || o->result != NULL || o->resident > 0 || o->limit > 0)) {
		cli_error("access", "--site, --resident, --since, --until, "
		    "--result and --limit are for list");
		return -1;
	}
	if (o->result != NULL && strcmp(o->result, "granted") != 0 &&
	    strcmp(o->result, "denied") != 0) {
		cli_error("access", "--result: \"%s\" is not granted or denied",
		    o->result);
		return -1;
	}
	if ((o->site != NULL && !cli_is_key(o->site)) ||
	    (o->point != NULL && !cli_is_key(o->point)) ||
	    (o->group != NULL && !cli_is_key(o->group))) {
		cli_error("access", "--site, --point and --group take keys "
		    "(a-z, 0-9, \"_.-\")");
		return -1;
	}
	return 0;
}

/* Run subcommand argv[0] with its arguments; an exit status. */
static int
acc_run(struct acc_opts *o, int argc, char **argv)
{
	struct cli_api *a;
	const char *sub = argv[0];
	int64_t id = 0;
	int st;

	if (strcmp(sub, "grant") != 0 && strcmp(sub, "suspend") != 0 &&
	    strcmp(sub, "revoke") != 0 && strcmp(sub, "resume") != 0 &&
	    strcmp(sub, "list") != 0) {
		cli_error("access", "unknown command \"%s\"", sub);
		return cli_usage("access");
	}
	if (argc != (strcmp(sub, "list") == 0 ? 1 : 2))
		return cli_usage("access");
	if (argc == 2 && cli_parse_id("access", strcmp(sub, "grant") == 0 ?
	    "resident" : "right", argv[1], &id) != 0)
		return cli_usage("access");
	if (acc_check(o, sub) != 0)
		return cli_usage("access");
	if ((a = cli_api_open("access", &st)) == NULL)
		return st;
	if (strcmp(sub, "list") == 0)
		st = acc_list(a, o);
	else if (strcmp(sub, "grant") == 0)
		st = acc_grant(a, o, id);
	else
		st = acc_change(a, o, sub, id);
	cli_api_close(a);
	return st;
}

/* vigil access grant|suspend|revoke|resume|list ... */
int
cmd_access(int argc, char **argv)
{
	enum { O_POINT = 256, O_GROUP, O_DAYS, O_FROM, O_UNTIL, O_VFROM,
	    O_VUNTIL, O_REASON, O_SITE, O_RESIDENT, O_SINCE, O_RESULT,
	    O_LIMIT };
	static const struct option longopts[] = {
		{ "point", required_argument, NULL, O_POINT },
		{ "group", required_argument, NULL, O_GROUP },
		{ "days", required_argument, NULL, O_DAYS },
		{ "from", required_argument, NULL, O_FROM },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "valid-from", required_argument, NULL, O_VFROM },
		{ "valid-until", required_argument, NULL, O_VUNTIL },
		{ "reason", required_argument, NULL, O_REASON },
		{ "site", required_argument, NULL, O_SITE },
		{ "resident", required_argument, NULL, O_RESIDENT },
		{ "since", required_argument, NULL, O_SINCE },
		{ "result", required_argument, NULL, O_RESULT },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct acc_opts o;
	int ch;

	setlocale(LC_CTYPE, "");
	memset(&o, 0, sizeof o);
	while ((ch = getopt_long(argc, argv, "jqh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_POINT:
			o.point = optarg;
			break;
		case O_GROUP:
			o.group = optarg;
			break;
		case O_DAYS:
			o.days = optarg;
			break;
		case O_FROM:
			o.from = optarg;
			break;
		case O_UNTIL:
			/* "until" is the end of the hours for grant, of the time span for list. */
			o.until = optarg;
			o.before = optarg;
			break;
		case O_VFROM:
			o.valid_from = optarg;
			break;
		case O_VUNTIL:
			o.valid_until = optarg;
			break;
		case O_REASON:
			o.reason = optarg;
			break;
		case O_SITE:
			o.site = optarg;
			break;
		case O_RESIDENT:
			if (cli_parse_id("access", "resident", optarg,
			    &o.resident) != 0)
				return cli_usage("access");
			break;
		case O_SINCE:
			o.since = optarg;
			break;
		case O_RESULT:
			o.result = optarg;
			break;
		case O_LIMIT:
			if (cli_parse_id("access", "--limit", optarg,
			    &o.limit) != 0)
				return cli_usage("access");
			break;
		case 'j':
			o.json = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			return cli_help("access", acc_help);
		default:
			return cli_usage("access");
		}
	}
	if (optind >= argc)
		return cli_usage("access");
	/* --until means the hours for grant and the span for list. */
	if (optind < argc && strcmp(argv[optind], "grant") != 0)
		o.until = NULL;
	else
		o.before = NULL;
	return acc_run(&o, argc - optind, argv + optind);
}
