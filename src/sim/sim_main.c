/*
 * vigil-sim: simulated gateways and guards' devices for a vigild server.
 *
 * Reads site files (and generates sites), starts one sender thread per
 * gateway and one per guard's device, lets them play until the run ends, and
 * prints what was sent and acknowledged.  See vigil-sim(1).
 */
#include "compat.h"

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "sim_access.h"
#include "sim_args.h"
#include "sim_clock.h"
#include "sim_ctl.h"
#include "sim_gateway.h"
#include "sim_guard.h"
#include "sim_http.h"
#include "sim_record.h"
#include "sim_site.h"
#include "sim_sitegen.h"
#include "sim_storm.h"

#define SIM_MAIN_ID_MAX INT64_C(9999999999)  /* event numbers of an endless run */

/* Write the generated sites to stdout or to DIR/KEY.site; returns the exit status. */
static int
sim_main_generate(const struct sim_args *a)
{
	char *text, *key, *path;
	FILE *f;

	if (a->write_dir != NULL && mkdir(a->write_dir, 0777) != 0 &&
	    errno != EEXIST) {
		fprintf(stderr, "vigil-sim: %s: %s\n", a->write_dir,
		    strerror(errno));
		return EX_CANTCREAT;
	}
	for (int i = 1; i <= a->gen_sites; i++) {
		text = sim_sitegen_text(i, a->gen_points, a->gen_guards,
		    sim_opts.seed);
		if (a->print_site)
			fputs(text, stdout);
		if (a->write_dir != NULL) {
			key = sim_sitegen_key(i);
			path = xasprintf("%s/%s.site", a->write_dir, key);
			free(key);
			if ((f = fopen(path, "w")) == NULL ||
			    fputs(text, f) == EOF || fclose(f) != 0) {
				fprintf(stderr, "vigil-sim: %s: %s\n", path,
				    strerror(errno));
				free(path);
				free(text);
				return EX_CANTCREAT;
			}
			if (!a->print_site)
				printf("%s\n", path);
			free(path);
		}
		free(text);
	}
	return fflush(stdout) == 0 ? 0 : EX_IOERR;
}

/* Load the site files and the generated sites; exits on errors. */
static void
sim_main_load(const struct sim_args *a, struct sim_world *w)
{
	char *cause, *text, *name;
	bool missing;

	for (int i = 0; i < a->nsites; i++) {
		if (sim_site_load(w, a->sites[i], &missing, &cause) != 0) {
			fprintf(stderr, "vigil-sim: %s\n", cause);
			exit(missing ? EX_NOINPUT : EX_DATAERR);
		}
	}
	for (int i = 1; i <= a->gen_sites; i++) {
		text = sim_sitegen_text(i, a->gen_points, a->gen_guards,
		    sim_opts.seed);
		name = xasprintf("generated site %d", i);
		if (sim_site_load_text(w, name, text, &cause) != 0)
			fatal("%s", cause);   /* the generator is wrong */
		free(name);
		free(text);
	}
}

/* Mark the gateways keys[0..n) of option --name selected or silent; exits on an unknown one. */
static void
sim_main_mark(struct sim_world *w, const char **keys, int n, const char *name,
    bool silent)
{
	struct sim_gateway *gw;

	for (int i = 0; i < n; i++) {
		if ((gw = sim_site_gateway(w, keys[i])) == NULL)
			sim_args_bad("--%s: no gateway \"%s\" in the sites",
			    name, keys[i]);
		if (silent)
			gw->silent = true;
		else
			gw->selected = true;
	}
}

/* Choose the gateways to run and check their ids fit; exits on errors. */
static void
sim_main_select(const struct sim_args *a, struct sim_world *w)
{
	struct sim_gateway *gw;
	int64_t max_n;
	char *cause;

	if (sim_access_resolve(w, sim_opts.arrivals, sim_opts.narrivals,
	    &cause) != 0)
		sim_args_bad("%s", cause);
	sim_main_mark(w, a->only, a->nonly, "gateway", false);
	sim_main_mark(w, a->silent, a->nsilent, "silent-gateway", true);
	for (int i = 0; i < w->ngateways; i++) {
		gw = w->gateways[i];
		if (a->nonly == 0 || gw->silent)
			gw->selected = true;
		if (!gw->selected || gw->silent)
			continue;
		if (gw->npoints == 0 && sim_opts.load && sim_opts.events != 0 &&
		    !(sim_opts.ntypes == 1 &&
		    sim_opts.types[0] == EVENT_HEARTBEAT)) {
			fprintf(stderr, "vigil-sim: gateway %s has no points "
			    "to send events from\n", gw->key);
			exit(EX_DATAERR);
		}
	}
	if (sim_opts.storm_rate > 0 && sim_storm_plan(w) == 0)
		sim_ctl_note("no point of a running gateway can raise an "
		    "alarm: no storm");
	for (int i = 0; i < w->ngateways; i++) {
		gw = w->gateways[i];
		max_n = sim_opts.load && sim_opts.events >= 0 ?
		    sim_opts.events : SIM_MAIN_ID_MAX;
		if (gw->storm_events > max_n)
			max_n = gw->storm_events;
		if (gw->selected && sim_gateway_id_len(gw, sim_opts.run_id,
		    max_n) > LIMIT_EVENT_ID_LEN)
			sim_args_bad("--run-id: event ids of gateway %s would "
			    "be longer than %d characters", gw->key,
			    LIMIT_EVENT_ID_LEN);
	}
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
			sim_ctl_note("stopping: sending what already happened "
			    "(signal again to stop at once)");
			sim_ctl_set(SIM_DRAIN);
		} else
			sim_ctl_set(SIM_ABORT);
	}
}

/* The exit status: a refusal first, then anything left unacknowledged. */
static int
sim_main_status(struct sim_world *w, bool guards)
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
	for (int i = 0; guards && i < w->nguards; i++)
		if (w->guards[i]->exit_code != 0)
			return w->guards[i]->exit_code;
	return unavailable;
}

/*
 * Run every selected gateway and guard until the run ends: a load run
 * when every gateway is done, any run at --duration or on a signal.  Then
 * gateways send what already happened, and devices stop.
 */
static void
sim_main_run(struct sim_world *w, bool guards)
{
	pthread_t *gws, *gds, sigthread;
	unsigned char end = 0;
	int ngws = 0, ngds = 0;
	int64_t deadline = -1;

	if (pthread_create(&sigthread, NULL, sim_main_signals, NULL) != 0)
		fatal("pthread_create failed");
	gws = xcalloc((size_t)w->ngateways + 1, sizeof *gws);
	gds = xcalloc((size_t)w->nguards + 1, sizeof *gds);
	for (int i = 0; i < w->ngateways; i++)
		ngws += w->gateways[i]->selected;
	sim_ctl_started(ngws);
	ngws = 0;
	for (int i = 0; i < w->ngateways; i++) {
		if (w->gateways[i]->selected && pthread_create(&gws[ngws++],
		    NULL, sim_gateway_run, w->gateways[i]) != 0)
			fatal("pthread_create failed");
	}
	for (int i = 0; guards && i < w->nguards; i++) {
		if (sim_guard_usable(w->guards[i]) &&
		    pthread_create(&gds[ngds++], NULL, sim_guard_run,
		    w->guards[i]) != 0)
			fatal("pthread_create failed");
	}
	if (ngws == 0 && ngds == 0)
		sim_ctl_note("nothing to simulate: no gateway selected and no "
		    "guard with a patrol");
	else {
		if (sim_opts.duration > 0)
			deadline = sim_clock_start_mono() +
			    (int64_t)(sim_opts.duration * 1000.0);
		sim_ctl_wait_end(deadline, ngws > 0);
	}
	sim_ctl_set(SIM_DRAIN);
	for (int i = 0; i < ngws; i++)
		pthread_join(gws[i], NULL);
	sim_ctl_set(SIM_ABORT);
	for (int i = 0; i < ngds; i++)
		pthread_join(gds[i], NULL);
	while (write(sim_main_sigpipe[1], &end, 1) < 0 && errno == EINTR)
		continue;
	pthread_join(sigthread, NULL);
	free(gws);
	free(gds);
}

/* Parse, load the sites, run, print the summary; the status says what was lost. */
int
main(int argc, char **argv)
{
	struct sim_args a;
	struct sim_world w;
	char *cause;
	bool guards;
	int status;

	memset(&a, 0, sizeof a);
	memset(&w, 0, sizeof w);
	sim_main_catch();
	sim_args_parse(argc, argv, &a);
	if (sodium_init() < 0) {
		fprintf(stderr, "vigil-sim: libsodium could not be initialised\n");
		return EX_SOFTWARE;
	}
	if (!a.seeded)
		randombytes_buf(&sim_opts.seed, sizeof sim_opts.seed);
	if (a.print_site || a.write_dir != NULL) {
		status = sim_main_generate(&a);
		sim_args_release(&a);
		return status;
	}
	if (!a.seeded)
		sim_ctl_note("seed %" PRIu64 " (give --seed to play the same "
		    "run again)", sim_opts.seed);
	sim_main_load(&a, &w);
	sim_main_select(&a, &w);
	if (sim_record_open(a.acked_path, a.sent_path, &cause) != 0) {
		fprintf(stderr, "vigil-sim: %s\n", cause);
		free(cause);
		return EX_CANTCREAT;
	}
	if (sim_http_init(&cause) != 0) {
		fprintf(stderr, "vigil-sim: %s\n", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	guards = !sim_opts.load || sim_opts.positions;
	sim_clock_start(sim_opts.speed);
	for (int i = 0; i < w.nsites; i++)
		sim_clock_site(w.sites[i], sim_opts.clock_s);
	sim_main_run(&w, guards);
	sim_record_summary(&w, guards, sim_opts.storm_rate > 0);
	status = sim_main_status(&w, guards);
	sim_http_cleanup();
	sim_record_close();
	sim_site_release(&w);
	sim_args_release(&a);
	return status;
}
