/*
 * vigil-sim: simulated gateways and guards' devices for a vigild server.
 *
 * Reads site files, starts one sender thread per gateway (and with
 * --positions one per guard's device), and prints what was sent and
 * acknowledged when the run ends.  See vigil-sim(1).
 */
#include "compat.h"

#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "vtime.h"
#include "sim_ctl.h"
#include "sim_gen.h"
#include "sim_gateway.h"
#include "sim_guard.h"
#include "sim_http.h"
#include "sim_site.h"

/* Long options; the help text is printed from this table. */
enum {
	OPT_URL = 256, OPT_SITE, OPT_GATEWAY, OPT_EVENTS, OPT_BATCH, OPT_RATE,
	OPT_TYPES, OPT_RUN_ID, OPT_ACKED, OPT_POSITIONS, OPT_POS_INTERVAL,
	OPT_QUIET, OPT_HELP, OPT_VERSION,
};
static const struct sim_main_opt {
	const char *name;
	int val;
	const char *arg;
	const char *help;
} sim_main_opts[] = {
	{ "url", OPT_URL, "URL", "server to send to, e.g. http://127.0.0.1:8080 (required)" },
	{ "site", OPT_SITE, "FILE", "site file to simulate; may be repeated (required)" },
	{ "gateway", OPT_GATEWAY, "KEY", "run only this gateway; may be repeated" },
	{ "events", OPT_EVENTS, "N", "events per gateway, then stop (default: until a signal)" },
	{ "batch", OPT_BATCH, "N", "events per request (default 50)" },
	{ "rate", OPT_RATE, "N", "events per second per gateway (default 0: as fast as acknowledged)" },
	{ "types", OPT_TYPES, "LIST", "comma-separated event types to draw from (default: per point type)" },
	{ "run-id", OPT_RUN_ID, "ID", "prefix of event ids ID-GATEWAY-N (default: from time and pid)" },
	{ "acked", OPT_ACKED, "FILE", "append \"GATEWAY EVENT_ID STATUS CLASS\" per acknowledged event" },
	{ "positions", OPT_POSITIONS, NULL, "also walk each guard's patrol and post positions" },
	{ "position-interval", OPT_POS_INTERVAL, "S", "seconds between positions (default 3)" },
	{ "quiet", OPT_QUIET, NULL, "no progress messages on stderr" },
	{ "help", OPT_HELP, NULL, "show this help" },
	{ "version", OPT_VERSION, NULL, "show the version" },
};

/* What main collected besides sim_opts. */
struct sim_main {
	struct sim_world world;
	const char **sites;
	int nsites;
	const char **only;
	int nonly;
	const char *acked_path;
	char run_id[SIM_RUN_ID_MAX + 1];
};

/* Print the usage summary to f. */
static void
sim_main_usage(FILE *f)
{
	char left[64];

	fprintf(f, "usage: vigil-sim --url URL --site FILE [options]\n");
	for (size_t i = 0; i < ARRAY_LEN(sim_main_opts); i++) {
		const struct sim_main_opt *o = &sim_main_opts[i];

		snprintf(left, sizeof left, "--%s%s%s", o->name,
		    o->arg != NULL ? " " : "", o->arg != NULL ? o->arg : "");
		fprintf(f, "  %-26s %s\n", left, o->help);
	}
}

/* Print a usage error and exit 64. */
static void NORETURN
sim_main_bad(const char *fmt, ...)
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
sim_main_int(const char *name, const char *s, int64_t min, int64_t max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		sim_main_bad("--%s: expected a whole number from %" PRId64
		    " to %" PRId64 ", not \"%s\"", name, min, max, s);
	return v;
}

/* Parse a real number option within [min, max]. */
static double
sim_main_real(const char *name, const char *s, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < min || v > max)
		sim_main_bad("--%s: expected a number from %g to %g, not "
		    "\"%s\"", name, min, max, s);
	return v;
}

/* Parse --types: comma-separated event type names, each once. */
static void
sim_main_types(const char *s)
{
	char *copy = xstrdup(s), *tok, *save = NULL;
	int t;

	sim_opts.ntypes = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((t = event_type_parse(tok)) < 0)
			sim_main_bad("--types: unknown event type \"%s\"", tok);
		for (int i = 0; i < sim_opts.ntypes; i++)
			if (sim_opts.types[i] == t)
				sim_main_bad("--types: \"%s\" given twice", tok);
		sim_opts.types[sim_opts.ntypes++] = t;
	}
	free(copy);
	if (sim_opts.ntypes == 0)
		sim_main_bad("--types: expected at least one event type");
}

/* Check --run-id: letters, digits, '.', '_' and '-'. */
static void
sim_main_run_id(struct sim_main *m, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SIM_RUN_ID_MAX || strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		sim_main_bad("--run-id: expected 1 to %d letters, digits, "
		    "'.', '_' or '-'", SIM_RUN_ID_MAX);
	memcpy(m->run_id, s, n + 1);
}

/* Read the command line into sim_opts and m. */
static void
sim_main_parse(int argc, char **argv, struct sim_main *m)
{
	struct option lo[ARRAY_LEN(sim_main_opts) + 1];
	char *url;
	size_t n;
	int c;

	memset(lo, 0, sizeof lo);
	for (size_t i = 0; i < ARRAY_LEN(sim_main_opts); i++) {
		lo[i].name = sim_main_opts[i].name;
		lo[i].has_arg = sim_main_opts[i].arg != NULL ? required_argument :
		    no_argument;
		lo[i].val = sim_main_opts[i].val;
	}
	sim_opts.events = -1;
	sim_opts.batch = SIM_BATCH_DEFAULT;
	sim_opts.position_interval = SIM_POSITION_INTERVAL_S;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case OPT_URL:
			sim_opts.url = optarg;
			break;
		case OPT_SITE:
			m->sites = xrealloc(m->sites,
			    (size_t)(m->nsites + 1) * sizeof *m->sites);
			m->sites[m->nsites++] = optarg;
			break;
		case OPT_GATEWAY:
			m->only = xrealloc(m->only,
			    (size_t)(m->nonly + 1) * sizeof *m->only);
			m->only[m->nonly++] = optarg;
			break;
		case OPT_EVENTS:
			sim_opts.events = sim_main_int("events", optarg, 0,
			    INT64_C(1000000000000));
			break;
		case OPT_BATCH:
			sim_opts.batch = (int)sim_main_int("batch", optarg, 1,
			    LIMIT_BATCH_EVENTS);
			break;
		case OPT_RATE:
			sim_opts.rate = sim_main_real("rate", optarg, 0, 1e6);
			break;
		case OPT_TYPES:
			sim_main_types(optarg);
			break;
		case OPT_RUN_ID:
			sim_main_run_id(m, optarg);
			break;
		case OPT_ACKED:
			m->acked_path = optarg;
			break;
		case OPT_POSITIONS:
			sim_opts.positions = true;
			break;
		case OPT_POS_INTERVAL:
			sim_opts.position_interval = sim_main_real(
			    "position-interval", optarg, 0.1, 3600);
			break;
		case OPT_QUIET:
			sim_opts.quiet = true;
			break;
		case OPT_HELP:
			sim_main_usage(stdout);
			exit(0);
		case OPT_VERSION:
			printf("vigil-sim %s\n", VIGIL_VERSION);
			exit(0);
		default:
			for (size_t i = 0; optopt != 0 && lo[i].name != NULL;
			    i++)
				if (lo[i].val == optopt)
					sim_main_bad("--%s: expects a value",
					    lo[i].name);
			sim_main_bad("unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind < argc)
		sim_main_bad("unexpected argument \"%s\"", argv[optind]);
	if (sim_opts.url == NULL)
		sim_main_bad("--url is required");
	if (strncmp(sim_opts.url, "http://", 7) != 0 &&
	    strncmp(sim_opts.url, "https://", 8) != 0)
		sim_main_bad("--url: expected http://HOST:PORT or https://...");
	url = xstrdup(sim_opts.url);
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	sim_opts.url = url;
	if (m->nsites == 0)
		sim_main_bad("--site is required");
	if (m->run_id[0] == '\0')
		snprintf(m->run_id, sizeof m->run_id, "r%" PRIx64 "-%lx",
		    (uint64_t)vtime_now_ms(), (unsigned long)getpid());
	sim_opts.run_id = m->run_id;
}

/* Load the site files and choose the gateways to run; exits on errors. */
static void
sim_main_load(struct sim_main *m)
{
	struct sim_world *w = &m->world;
	struct sim_gateway *gw;
	char *cause;
	bool missing;
	int64_t max_n;

	for (int i = 0; i < m->nsites; i++) {
		if (sim_site_load(w, m->sites[i], &missing, &cause) != 0) {
			fprintf(stderr, "vigil-sim: %s\n", cause);
			exit(missing ? EX_NOINPUT : EX_DATAERR);
		}
	}
	for (int i = 0; i < m->nonly; i++) {
		if ((gw = sim_site_gateway(w, m->only[i])) == NULL)
			sim_main_bad("--gateway: no gateway \"%s\" in the site "
			    "files", m->only[i]);
		gw->selected = true;
	}
	max_n = sim_opts.events >= 0 ? sim_opts.events : INT64_C(9999999999);
	for (int i = 0; i < w->ngateways; i++) {
		gw = w->gateways[i];
		if (m->nonly == 0)
			gw->selected = true;
		if (!gw->selected)
			continue;
		if (gw->npoints == 0 && sim_opts.events != 0 &&
		    !(sim_opts.ntypes == 1 &&
		    sim_opts.types[0] == EVENT_HEARTBEAT)) {
			fprintf(stderr, "vigil-sim: gateway %s has no points "
			    "to send events from\n", gw->key);
			exit(EX_DATAERR);
		}
		if (sim_gen_id_len(gw, m->run_id, max_n) > LIMIT_EVENT_ID_LEN)
			sim_main_bad("--run-id: event ids of gateway %s would "
			    "be longer than %d characters", gw->key,
			    LIMIT_EVENT_ID_LEN);
	}
}

/* Print the summary: one line per gateway and guard, then the totals. */
static void
sim_main_summary(struct sim_main *m)
{
	struct sim_world *w = &m->world;
	int64_t sent = 0, acked = 0, dup = 0, retries = 0;

	for (int i = 0; i < w->ngateways; i++) {
		struct sim_gateway *gw = w->gateways[i];

		if (!gw->selected)
			continue;
		printf("gateway %s sent %" PRId64 " acked %" PRId64
		    " duplicates %" PRId64 " retries %" PRId64 "\n", gw->key,
		    gw->sent, gw->acked, gw->duplicates, gw->retries);
		sent += gw->sent;
		acked += gw->acked;
		dup += gw->duplicates;
		retries += gw->retries;
	}
	for (int i = 0; sim_opts.positions && i < w->nguards; i++) {
		struct sim_guard *g = w->guards[i];

		if (!sim_guard_usable(g))
			continue;
		printf("guard %s positions %" PRId64 " stored %" PRId64
		    " ignored %" PRId64 " retries %" PRId64 "\n", g->callsign,
		    g->posted, g->stored, g->ignored, g->retries);
	}
	printf("total sent %" PRId64 " acked %" PRId64 " duplicates %" PRId64
	    " retries %" PRId64 "\n", sent, acked, dup, retries);
	fflush(stdout);
}

/*
 * Signals: the handler only writes the signal number to a pipe; the signal
 * thread reads it and changes the run's state, which takes locks a handler
 * may not.  A 0 byte written by main ends the thread.
 */
static int sim_main_sigpipe[2] = { -1, -1 };

/* The SIGINT and SIGTERM handler. */
static void
sim_main_onsignal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (write(sim_main_sigpipe[1], &b, 1) < 0) {
		/* Nothing to do: the pipe holds enough already. */
	}
	errno = saved;
}

/* Install the handlers; signals arriving before the thread starts wait. */
static void
sim_main_catch(void)
{
	struct sigaction sa;

	if (pipe(sim_main_sigpipe) != 0)
		fatal("pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sim_main_onsignal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* The signal thread: the first SIGINT or SIGTERM drains, the second aborts. */
static void *
sim_main_signals(void *arg)
{
	unsigned char b;
	int count = 0;
	ssize_t n;

	for (;;) {
		n = read(sim_main_sigpipe[0], &b, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1 || b == 0)
			return NULL;
		if (++count == 1) {
			sim_ctl_note("stopping: finishing the batches in "
			    "flight (signal again to stop at once)");
			sim_ctl_set(SIM_DRAIN);
		} else
			sim_ctl_set(SIM_ABORT);
	}
}

/* The exit status: a refusal first, then anything left unacknowledged. */
static int
sim_main_status(struct sim_world *w)
{
	int unavailable = 0, code;

	for (int i = 0; i < w->ngateways; i++) {
		if (!w->gateways[i]->selected)
			continue;
		code = w->gateways[i]->exit_code;
		if (code != 0 && code != EX_UNAVAILABLE)
			return code;
		if (code != 0 || w->gateways[i]->acked != w->gateways[i]->sent)
			unavailable = EX_UNAVAILABLE;
	}
	for (int i = 0; sim_opts.positions && i < w->nguards; i++)
		if (w->guards[i]->exit_code != 0)
			return w->guards[i]->exit_code;
	return unavailable;
}

/* Run every selected gateway and guard to the end; returns the exit status. */
static int
sim_main_run(struct sim_main *m)
{
	struct sim_world *w = &m->world;
	pthread_t *gws, *gds, sigthread;
	unsigned char end = 0;
	int ngws = 0, ngds = 0;

	if (pthread_create(&sigthread, NULL, sim_main_signals, NULL) != 0)
		fatal("pthread_create failed");
	gws = xcalloc((size_t)w->ngateways + 1, sizeof *gws);
	gds = xcalloc((size_t)w->nguards + 1, sizeof *gds);
	for (int i = 0; i < w->ngateways; i++) {
		if (!w->gateways[i]->selected)
			continue;
		if (pthread_create(&gws[ngws++], NULL, sim_gateway_run,
		    w->gateways[i]) != 0)
			fatal("pthread_create failed");
	}
	for (int i = 0; sim_opts.positions && i < w->nguards; i++) {
		if (!sim_guard_usable(w->guards[i]))
			continue;
		if (pthread_create(&gds[ngds++], NULL, sim_guard_run,
		    w->guards[i]) != 0)
			fatal("pthread_create failed");
	}
	if (ngws == 0 && ngds == 0)
		sim_ctl_note("nothing to simulate: no gateway selected and no "
		    "guard with a patrol");
	for (int i = 0; i < ngws; i++)
		pthread_join(gws[i], NULL);
	/* Devices walk for as long as gateways send, or until a signal. */
	if (ngws > 0)
		sim_ctl_set(SIM_ABORT);
	for (int i = 0; i < ngds; i++)
		pthread_join(gds[i], NULL);
	while (write(sim_main_sigpipe[1], &end, 1) < 0 && errno == EINTR)
		continue;
	pthread_join(sigthread, NULL);
	free(gws);
	free(gds);
	return sim_main_status(w);
}

/* Parse, load the sites, run, print the summary; the status says what was lost. */
int
main(int argc, char **argv)
{
	struct sim_main m;
	FILE *acked = NULL;
	char *cause;
	int status;

	memset(&m, 0, sizeof m);
	sim_main_catch();
	sim_main_parse(argc, argv, &m);
	sim_main_load(&m);
	if (sodium_init() < 0) {
		fprintf(stderr, "vigil-sim: libsodium could not be initialised\n");
		return EX_SOFTWARE;
	}
	if (m.acked_path != NULL) {
		if ((acked = fopen(m.acked_path, "a")) == NULL) {
			fprintf(stderr, "vigil-sim: %s: %s\n", m.acked_path,
			    strerror(errno));
			return EX_CANTCREAT;
		}
		sim_gateway_set_acked(acked);
	}
	if (sim_http_init(&cause) != 0) {
		fprintf(stderr, "vigil-sim: %s\n", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	status = sim_main_run(&m);
	sim_main_summary(&m);
	sim_http_cleanup();
	if (acked != NULL)
		fclose(acked);
	sim_site_release(&m.world);
	free(m.sites);
	free(m.only);
	free((char *)sim_opts.url);
	return status;
}
