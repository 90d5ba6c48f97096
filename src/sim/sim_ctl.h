/*
 * sim_ctl.h: vigil-sim's options and run control, shared by every thread.
 *
 * The main thread owns signals and moves the run from RUN to DRAIN (finish
 * the batch in flight, start no new one) to ABORT (give up now); worker
 * threads read the state and sleep through sim_ctl_sleep(), which a change of
 * state cuts short.
 */
#ifndef VIGIL_SIM_CTL_H
#define VIGIL_SIM_CTL_H

#include <stdint.h>

#include "model.h"

/* Retry pacing of a gateway or device, as a real one does it. */
#define SIM_BACKOFF_MIN_MS      100    /* first wait after a failed request */
#define SIM_BACKOFF_MAX_MS      2000   /* waits double up to this */
#define SIM_RETRY_AFTER_MAX_S   60     /* a longer Retry-After is cut to this */
#define SIM_CONNECT_TIMEOUT_MS  3000
#define SIM_REQUEST_TIMEOUT_MS  15000  /* a whole request, reply included */
#define SIM_DRAIN_MS            5000   /* after a signal, time to finish a batch */
#define SIM_HEARTBEAT_MAX_S     60     /* an idle gateway says hello at least this often */
#define SIM_POSITION_BACKLOG    100    /* positions a device keeps while offline */
#define SIM_WALK_SPEED_MPS      1.4    /* a guard on patrol */
#define SIM_RUN_ID_MAX          24     /* characters of --run-id */
#define SIM_BATCH_DEFAULT       50
#define SIM_POSITION_INTERVAL_S 3.0

enum sim_state {
	SIM_RUN,    /* working */
	SIM_DRAIN,  /* finish the batch in flight, then stop */
	SIM_ABORT,  /* stop at once */
};

/* What the command line asked for. */
struct sim_opts {
	const char *url;             /* base URL, no trailing slash */
	int64_t events;              /* per gateway; -1 runs until a signal */
	int batch;                   /* events per request */
	double rate;                 /* events per second per gateway; 0 = as acked */
	int types[EVENT__COUNT];     /* --types, or ntypes 0 for the mix */
	int ntypes;
	const char *run_id;          /* prefix of event ids */
	bool positions;              /* run guards' devices too */
	double position_interval;    /* seconds between positions */
	bool quiet;                  /* no progress messages on stderr */
};

extern struct sim_opts sim_opts;

/* The current state of the run. */
enum sim_state sim_ctl_state(void);
/* Move the run to state s (never backwards) and wake every sleeper. */
void sim_ctl_set(enum sim_state s);
/* Sleep ms milliseconds, or less when the state changes; returns the state. */
enum sim_state sim_ctl_sleep(int64_t ms);
/* Print a progress message on stderr unless --quiet. */
void sim_ctl_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print an error message on stderr. */
void sim_ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A uniformly random integer in [0, n). */
uint32_t sim_ctl_random(uint32_t n);
/* A uniformly random real in [0, 1). */
double sim_ctl_uniform(void);

#endif
