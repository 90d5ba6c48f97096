#include "compat.h"

#include <getopt.h>
#include <locale.h>
#include <sysexits.h>

#include <jansson.h>

#include "cli.h"

/*
 * vigil guard list: the guards the user may see, as a table or as JSON
 * lines, through the calls and table printer of cli.h.
 */

/* The last position as "lat,lon", or "-" before the first. */
static const char *
guard_col_position(json_t *row, char *buf, size_t size)
{
	json_t *pos = json_object_get(row, "position");
	json_t *lat = json_object_get(pos, "lat"), *lon = json_object_get(pos,
	    "lon");

	if (!json_is_number(lat) || !json_is_number(lon))
		return "-";
	snprintf(buf, size, "%.5f,%.5f", json_number_value(lat),
	    json_number_value(lon));
	return buf;
}

/* When the last position was taken. */
static const char *
guard_col_fix(json_t *row, char *buf, size_t size)
{
	return cli_text(json_object_get(json_object_get(row, "position"),
	    "ts"), buf, size);
}

/* The ids of the alarms assigned, comma-separated. */
static const char *
guard_col_alarms(json_t *row, char *buf, size_t size)
{
	json_t *ids = json_object_get(row, "alarms"), *id;
	size_t i, used = 0;
	int n;

	if (json_array_size(ids) == 0)
		return "-";
	buf[0] = '\0';
	json_array_foreach(ids, i, id) {
		if (!json_is_integer(id))
			continue;
		n = snprintf(buf + used, size - used, "%s%" JSON_INTEGER_FORMAT,
		    used > 0 ? "," : "", json_integer_value(id));
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

static const struct cli_col guard_cols[] = {
	{ "CALLSIGN", 12, false, .key = "callsign" },
	{ "NAME", 32, false, .key = "name" },
	{ "SITE", 20, false, .key = "site" },
	{ "STATUS", 10, false, .key = "status" },
	{ "SINCE", 24, false, .key = "status_since" },
	{ "POSITION", 20, false, .get = guard_col_position },
	{ "FIX", 24, false, .get = guard_col_fix },
	{ "ALARMS", 40, false, .get = guard_col_alarms },
};

/* vigil guard list [--json]. */
static int
guard_list(bool json)
{
	struct cli_api *a;
	json_t *reply, *guards, *g;
	size_t i;
	int st;

	if ((a = cli_api_open("guard", &st)) == NULL)
		return st;
	st = cli_api_call(a, "GET", NULL, &reply, "/api/v1/guards");
	cli_api_close(a);
	if (st != 0)
		return st;
	guards = json_object_get(reply, "guards");
	if (!json_is_array(guards)) {
		cli_error("guard", "the server's reply has no guards");
		st = EX_PROTOCOL;
	} else if (json) {
		json_array_foreach(guards, i, g)
			if ((st = cli_json_line(g)) != 0)
				break;
		if (st == 0 && fflush(stdout) != 0)
			st = EX_IOERR;
	} else
		st = cli_table(guard_cols, ARRAY_LEN(guard_cols), guards);
	json_decref(reply);
	return st;
}

/* vigil guard list [--json]. */
int
cmd_guard(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool json = false;
	int ch;

	setlocale(LC_CTYPE, "");
	while ((ch = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'h':
			return cli_help("guard", "Commands:\n"
			    "  list         the guards, with status, last "
			    "position and alarms\n"
			    "\nOptions:\n"
			    "  -j, --json   the server's JSON, one guard a line\n"
			    "\nExit status: 0 done, 64 usage, 69 server "
			    "unavailable, 77 token refused\nor not allowed.\n");
		default:
			return cli_usage("guard");
		}
	}
	if (argc - optind != 1 || strcmp(argv[optind], "list") != 0) {
		if (argc - optind >= 1 && strcmp(argv[optind], "list") != 0)
			cli_error("guard", "unknown command \"%s\"",
			    argv[optind]);
		return cli_usage("guard");
	}
	return guard_list(json);
}
