#include "compat.h"

#include <getopt.h>
#include <math.h>
#include <sysexits.h>
#include <unistd.h>

#include "vtime.h"
#include "sim_access.h"
#include "sim_args.h"
#include "sim_sitegen.h"

/* Long options; the help text is printed from this table. */
enum {
	OPT_URL = 256, OPT_SITE, OPT_SITES, OPT_POINTS, OPT_GUARDS, OPT_SEED,
	OPT_PRINT_SITE, OPT_WRITE_SITES, OPT_GATEWAY, OPT_SILENT,
	OPT_SILENT_AFTER, OPT_SPEED, OPT_CLOCK, OPT_DURATION, OPT_STORM,
	OPT_FOR, OPT_STORM_AT, OPT_EVENTS, OPT_BATCH, OPT_RATE, OPT_TYPES,
	OPT_RUN_ID, OPT_ACKED, OPT_SENT, OPT_POSITIONS, OPT_POS_INTERVAL,
	OPT_QUIET, OPT_HELP, OPT_VERSION, OPT_ACCESS_SYNC, OPT_ARRIVE,
};
static const struct sim_args_opt {
	const char *name;
	int val;
	const char *arg;
	const char *help;
} sim_args_opts[] = {
	{ "url", OPT_URL, "URL", "server to send to, e.g. http://127.0.0.1:8080" },
	{ "site", OPT_SITE, "FILE", "site file to play; may be repeated" },
	{ "sites", OPT_SITES, "N", "also play N generated sites" },
	{ "points", OPT_POINTS, "M", "points per generated site (default 40)" },
	{ "guards", OPT_GUARDS, "K", "guards per generated site (default 4)" },
	{ "seed", OPT_SEED, "N", "seed of every random choice (default: random)" },
	{ "print-site", OPT_PRINT_SITE, NULL, "print the generated site file and exit" },
	{ "write-sites", OPT_WRITE_SITES, "DIR", "write DIR/genI.site for each generated site and exit" },
	{ "gateway", OPT_GATEWAY, "KEY", "run only this gateway; may be repeated" },
	{ "silent-gateway", OPT_SILENT, "KEY", "this gateway sends nothing at all; may be repeated" },
	{ "silent-after", OPT_SILENT_AFTER, "S", "silent gateways fall silent only after S seconds" },
	{ "speed", OPT_SPEED, "X", "simulated time runs X times faster (default 1)" },
	{ "clock", OPT_CLOCK, "HH:MM", "simulated local time of day at the start (default: now)" },
	{ "duration", OPT_DURATION, "S", "stop after S seconds (default: when done or signalled)" },
	{ "storm", OPT_STORM, "RATE", "add RATE alarm events per second across gateways" },
	{ "for", OPT_FOR, "S", "for S seconds (required with --storm)" },
	{ "storm-at", OPT_STORM_AT, "S", "start the storm S seconds into the run (default 0)" },
	{ "events", OPT_EVENTS, "N", "load run: N events per gateway, then stop" },
	{ "batch", OPT_BATCH, "N", "events per request at most (default 50)" },
	{ "rate", OPT_RATE, "N", "load run: events per second per gateway (default: as acknowledged)" },
	{ "types", OPT_TYPES, "LIST", "load run: comma-separated event types to draw from" },
	{ "run-id", OPT_RUN_ID, "ID", "prefix of event ids ID-GATEWAY-N (default: from time and pid)" },
	{ "acked", OPT_ACKED, "FILE", "append \"GATEWAY EVENT_ID STATUS CLASS\" per acknowledged event" },
	{ "sent", OPT_SENT, "FILE", "append \"GATEWAY EVENT_ID TYPE POINT TS\" per event sent" },
	{ "positions", OPT_POSITIONS, NULL, "load run: also walk the guards and post positions" },
	{ "position-interval", OPT_POS_INTERVAL, "S", "seconds between positions (default 3)" },
	{ "access-sync", OPT_ACCESS_SYNC, "S", "seconds between access list fetches (default 10)" },
	{ "arrive", OPT_ARRIVE, "SPEC", "POINT:KIND:VALUE[@T[/EVERY]]: show a credential at T s; may be repeated" },
	{ "quiet", OPT_QUIET, NULL, "no progress messages on stderr" },
	{ "help", OPT_HELP, NULL, "show this help" },
	{ "version", OPT_VERSION, NULL, "show the version" },
};

#define SIM_ARGS_EVENTS_MAX INT64_C(1000000000000)

/* Print the usage summary to f. */
static void
sim_args_usage(FILE *f)
{
	char left[64];

	fprintf(f, "usage: vigil-sim --url URL --site FILE | --sites N "
	    "[options]\n       vigil-sim --sites N --print-site | "
	    "--write-sites DIR [options]\n");
	for (size_t i = 0; i < ARRAY_LEN(sim_args_opts); i++) {
		const struct sim_args_opt *o = &sim_args_opts[i];

		snprintf(left, sizeof left, "--%s%s%s", o->name,
		    o->arg != NULL ? " " : "", o->arg != NULL ? o->arg : "");
		fprintf(f, "  %-26s %s\n", left, o->help);
	}
}

/* Print a usage error and exit 64. */
void
sim_args_bad(const char *fmt, ...)
{
	va_list ap;

	fputs("vigil-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'vigil-sim --help'.\n", stderr);
	exit(EX_USAGE);
}

/* Parse a whole number option within [min, max]. */
static int64_t
sim_args_int(const char *name, const char *s, int64_t min, int64_t max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		sim_args_bad("--%s: expected a whole number from %" PRId64
		    " to %" PRId64 ", not \"%s\"", name, min, max, s);
	return v;
}

/* Parse a real number option within [min, max]. */
static double
sim_args_real(const char *name, const char *s, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < min || v > max)
		sim_args_bad("--%s: expected a number from %g to %g, not "
		    "\"%s\"", name, min, max, s);
	return v;
}

/* Parse --seed: any unsigned 64-bit number. */
static uint64_t
sim_args_seed(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0)
		sim_args_bad("--seed: expected a whole number from 0 to %"
		    PRIu64 ", not \"%s\"", UINT64_MAX, s);
	return (uint64_t)v;
}

/* Parse --clock HH:MM into seconds after midnight. */
static int
sim_args_clock(const char *s)
{
	int h, m;
	char end;

	if (sscanf(s, "%2d:%2d%c", &h, &m, &end) != 2 || strlen(s) != 5 ||
	    h < 0 || h > 23 || m < 0 || m > 59)
		sim_args_bad("--clock: expected HH:MM from 00:00 to 23:59, "
		    "not \"%s\"", s);
	return h * 3600 + m * 60;
}

/* Parse --types: comma-separated event type names, each once. */
static void
sim_args_types(const char *s)
{
	char *copy = xstrdup(s), *tok, *save = NULL;
	int t;

	sim_opts.ntypes = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((t = event_type_parse(tok)) < 0)
			sim_args_bad("--types: unknown event type \"%s\"", tok);
		for (int i = 0; i < sim_opts.ntypes; i++)
			if (sim_opts.types[i] == t)
				sim_args_bad("--types: \"%s\" given twice", tok);
		sim_opts.types[sim_opts.ntypes++] = t;
	}
	free(copy);
	if (sim_opts.ntypes == 0)
		sim_args_bad("--types: expected at least one event type");
}

/* Check --run-id: letters, digits, '.', '_' and '-'. */
static void
sim_args_run_id(struct sim_args *a, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SIM_RUN_ID_MAX || strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		sim_args_bad("--run-id: expected 1 to %d letters, digits, "
		    "'.', '_' or '-'", SIM_RUN_ID_MAX);
	memcpy(a->run_id, s, n + 1);
}

/* Parse one --arrive onto sim_opts.arrivals. */
static void
sim_args_arrive(const char *s)
{
	struct sim_arrival a;
	char *cause;

	if (sim_opts.narrivals >= SIM_ARRIVE_MAX)
		sim_args_bad("--arrive: at most %d", SIM_ARRIVE_MAX);
	if (sim_access_arrival_parse(s, &a, &cause) != 0)
		sim_args_bad("--arrive: %s", cause);
	sim_opts.arrivals = xrealloc(sim_opts.arrivals,
	    (size_t)(sim_opts.narrivals + 1) * sizeof *sim_opts.arrivals);
	sim_opts.arrivals[sim_opts.narrivals++] = a;
}

/* Append s to the growing list *v of *n strings. */
static void
sim_args_push(const char ***v, int *n, const char *s)
{
	*v = xrealloc(*v, (size_t)(*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

/* Check the options that only make sense together; exits when they do not. */
static void
sim_args_check(struct sim_args *a, bool points_set, bool guards_set)
{
	bool gen_only = a->print_site || a->write_dir != NULL;

	if ((points_set || guards_set || gen_only) && a->gen_sites == 0)
		sim_args_bad("--%s needs --sites N", points_set ? "points" :
		    guards_set ? "guards" : a->print_site ? "print-site" :
		    "write-sites");
	if (a->print_site && a->gen_sites > 1)
		sim_args_bad("--print-site: a site file holds one site; write "
		    "%d with --write-sites DIR", a->gen_sites);
	if ((sim_opts.storm_rate > 0) != (sim_opts.storm_for > 0))
		sim_args_bad("--storm RATE and --for SECONDS go together");
	if (sim_opts.storm_at > 0 && sim_opts.storm_rate == 0)
		sim_args_bad("--storm-at needs --storm RATE --for SECONDS");
	if (sim_opts.narrivals > 0 && sim_opts.load)
		sim_args_bad("--arrive plays a site: not with --events, --rate "
		    "or --types");
	if (sim_opts.silent_after > 0 && a->nsilent == 0)
		sim_args_bad("--silent-after needs --silent-gateway KEY");
	if (gen_only)
		return;
	if (sim_opts.url == NULL)
		sim_args_bad("--url is required");
	if (a->nsites == 0 && a->gen_sites == 0)
		sim_args_bad("--site FILE or --sites N is required");
}

/* Take the server's URL, without its trailing slashes. */
static void
sim_args_url(const char *s)
{
	char *url;
	size_t n;

	if (strncmp(s, "http://", strlen("http://")) != 0 &&
	    strncmp(s, "https://", strlen("https://")) != 0)
		sim_args_bad("--url: expected http://HOST:PORT or https://...");
	url = xstrdup(s);
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	free((char *)sim_opts.url);
	sim_opts.url = url;
}

/* Handle option c with its argument s. */
static void
sim_args_one(struct sim_args *a, int c, const char *s, bool *points_set,
    bool *guards_set)
{
	switch (c) {
	case OPT_URL:
		sim_args_url(s);
		break;
	case OPT_SITE:
		sim_args_push(&a->sites, &a->nsites, s);
		break;
	case OPT_SITES:
		a->gen_sites = (int)sim_args_int("sites", s, 1,
		    SIM_SITEGEN_SITES_MAX);
		break;
	case OPT_POINTS:
		a->gen_points = (int)sim_args_int("points", s, 1,
		    SIM_SITEGEN_POINTS_MAX);
		*points_set = true;
		break;
	case OPT_GUARDS:
		a->gen_guards = (int)sim_args_int("guards", s, 0,
		    SIM_SITEGEN_GUARDS_MAX);
		*guards_set = true;
		break;
	case OPT_SEED:
		sim_opts.seed = sim_args_seed(s);
		a->seeded = true;
		break;
	case OPT_PRINT_SITE:
		a->print_site = true;
		break;
	case OPT_WRITE_SITES:
		a->write_dir = s;
		break;
	case OPT_GATEWAY:
		sim_args_push(&a->only, &a->nonly, s);
		break;
	case OPT_SILENT:
		sim_args_push(&a->silent, &a->nsilent, s);
		break;
	case OPT_SILENT_AFTER:
		sim_opts.silent_after = sim_args_real("silent-after", s, 0,
		    SIM_SECONDS_MAX);
		break;
	case OPT_SPEED:
		sim_opts.speed = sim_args_real("speed", s, 1.0 / SIM_SPEED_MAX,
		    SIM_SPEED_MAX);
		break;
	case OPT_CLOCK:
		sim_opts.clock_s = sim_args_clock(s);
		break;
	case OPT_DURATION:
		sim_opts.duration = sim_args_real("duration", s, 0.001,
		    SIM_SECONDS_MAX);
		break;
	case OPT_STORM:
		sim_opts.storm_rate = sim_args_real("storm", s, 0.001,
		    SIM_STORM_RATE_MAX);
		break;
	case OPT_FOR:
		sim_opts.storm_for = sim_args_real("for", s, 0.001,
		    SIM_SECONDS_MAX);
		break;
	case OPT_STORM_AT:
		sim_opts.storm_at = sim_args_real("storm-at", s, 0,
		    SIM_SECONDS_MAX);
		break;
	case OPT_EVENTS:
		sim_opts.events = sim_args_int("events", s, 0,
		    SIM_ARGS_EVENTS_MAX);
		sim_opts.load = true;
		break;
	case OPT_BATCH:
		sim_opts.batch = (int)sim_args_int("batch", s, 1,
		    LIMIT_BATCH_EVENTS);
		break;
	case OPT_RATE:
		sim_opts.rate = sim_args_real("rate", s, 0, SIM_RATE_MAX);
		sim_opts.load = true;
		break;
	case OPT_TYPES:
		sim_args_types(s);
		sim_opts.load = true;
		break;
	case OPT_RUN_ID:
		sim_args_run_id(a, s);
		break;
	case OPT_ACKED:
		a->acked_path = s;
		break;
	case OPT_SENT:
		a->sent_path = s;
		break;
	case OPT_POSITIONS:
		sim_opts.positions = true;
		break;
	case OPT_POS_INTERVAL:
		sim_opts.position_interval = sim_args_real("position-interval",
		    s, SIM_POSITION_INTERVAL_MIN_S, SIM_POSITION_INTERVAL_MAX_S);
		break;
	case OPT_QUIET:
		sim_opts.quiet = true;
		break;
	case OPT_ACCESS_SYNC:
		sim_opts.access_sync = sim_args_real("access-sync", s,
		    SIM_ACCESS_SYNC_MIN_S, SIM_ACCESS_SYNC_MAX_S);
		break;
	case OPT_ARRIVE:
		sim_args_arrive(s);
		break;
	case OPT_HELP:
		sim_args_usage(stdout);
		exit(0);
	case OPT_VERSION:
		printf("vigil-sim %s\n", VIGIL_VERSION);
		exit(0);
	}
}

/* Read the command line into sim_opts and a. */
void
sim_args_parse(int argc, char **argv, struct sim_args *a)
{
	struct option lo[ARRAY_LEN(sim_args_opts) + 1];
	bool points_set = false, guards_set = false;
	int c;

	memset(lo, 0, sizeof lo);
	for (size_t i = 0; i < ARRAY_LEN(sim_args_opts); i++) {
		lo[i].name = sim_args_opts[i].name;
		lo[i].has_arg = sim_args_opts[i].arg != NULL ? required_argument :
		    no_argument;
		lo[i].val = sim_args_opts[i].val;
	}
	sim_opts.events = -1;
	sim_opts.batch = SIM_BATCH_DEFAULT;
	sim_opts.position_interval = SIM_POSITION_INTERVAL_S;
	sim_opts.speed = 1.0;
	sim_opts.access_sync = SIM_ACCESS_SYNC_S;
	sim_opts.clock_s = -1;
	a->gen_points = SIM_SITEGEN_POINTS_DEFAULT;
	a->gen_guards = SIM_SITEGEN_GUARDS_DEFAULT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == '?' || c == ':') {
			for (size_t i = 0; optopt != 0 && lo[i].name != NULL;
			    i++)
				if (lo[i].val == optopt)
					sim_args_bad("--%s: expects a value",
					    lo[i].name);
			sim_args_bad("unknown option \"%s\"", argv[optind - 1]);
		}
		sim_args_one(a, c, optarg, &points_set, &guards_set);
	}
	if (optind < argc)
		sim_args_bad("unexpected argument \"%s\"", argv[optind]);
	sim_args_check(a, points_set, guards_set);
	if (a->run_id[0] == '\0')
		snprintf(a->run_id, sizeof a->run_id, "r%" PRIx64 "-%lx",
		    (uint64_t)vtime_now_ms(), (unsigned long)getpid());
	sim_opts.run_id = a->run_id;
}

/* Free what a holds. */
void
sim_args_release(struct sim_args *a)
{
	free(a->sites);
	free(a->only);
	free(a->silent);
	for (int i = 0; i < sim_opts.narrivals; i++)
		sim_access_arrival_release(&sim_opts.arrivals[i]);
	free(sim_opts.arrivals);
	sim_opts.arrivals = NULL;
	sim_opts.narrivals = 0;
	free((char *)sim_opts.url);
	sim_opts.url = NULL;
}
