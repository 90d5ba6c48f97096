/*
 * sim_ctl.h: vigil-sim's options and run control, shared by every thread.
 *
 * The main thread owns signals and moves the run from RUN to DRAIN (send
 * what already happened, make nothing new) to ABORT (give up now); worker
 * threads read the state and sleep through sim_ctl_sleep(), which a change of
 * state cuts short.  No thread ever polls: each sleeps until its next event,
 * its next heartbeat or a change of state.
 */
#ifndef VIGIL_SIM_CTL_H
#define VIGIL_SIM_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct sim_arrival;

/* Retry pacing of a gateway or device, as a real one does it. */
#define SIM_BACKOFF_MIN_MS      100    /* first wait after a failed request */
#define SIM_BACKOFF_MAX_MS      2000   /* waits double up to this */
#define SIM_RETRY_AFTER_MAX_S   60     /* a longer Retry-After is cut to this */
#define SIM_RETRY_AFTER_JITTER  5      /* up to 1/5 more than Retry-After */
#define SIM_CONNECT_TIMEOUT_MS  3000
#define SIM_REQUEST_TIMEOUT_MS  15000  /* a whole request, reply included */
#define SIM_DRAIN_MS            5000   /* at the end, time to send what is due */
#define SIM_HEARTBEAT_MAX_S     60     /* an idle gateway says hello at least this often */
#define SIM_POSITION_BACKLOG    100    /* positions a device keeps while offline */
#define SIM_WALK_SPEED_MPS      1.4    /* a guard on patrol */
#define SIM_RUN_ID_MAX          24     /* characters of --run-id */
#define SIM_BATCH_DEFAULT       50
#define SIM_POSITION_INTERVAL_S 3.0
#define SIM_POSITION_INTERVAL_MIN_S 0.1
#define SIM_POSITION_INTERVAL_MAX_S 3600.0
#define SIM_RATE_MAX            1e6    /* --rate, events per second */
#define SIM_SPEED_MAX           10000.0
#define SIM_SECONDS_MAX         (366.0 * 86400)  /* --duration, --for and the like */
#define SIM_STORM_RATE_MAX      100000.0
#define SIM_WAIT_CHUNK_MS       3600000 /* longest single sleep, re-armed */

enum sim_state {
	SIM_RUN,    /* working */
	SIM_DRAIN,  /* send what already happened, then stop */
	SIM_ABORT,  /* stop at once */
};

/* What the command line asked for. */
struct sim_opts {
	const char *url;             /* base URL, no trailing slash */
	bool load;                   /* --events, --rate or --types: a load run */
	int64_t events;              /* per gateway; -1 runs until a signal */
	int batch;                   /* events per request */
	double rate;                 /* events per second per gateway; 0 = as acked */
	int types[EVENT__COUNT];     /* --types, or ntypes 0 for the mix */
	int ntypes;
	const char *run_id;          /* prefix of event ids */
	bool positions;              /* run guards' devices in a load run */
	double position_interval;    /* seconds between positions */
	bool quiet;                  /* no progress messages on stderr */
	double speed;                /* simulated seconds per real second */
	int clock_s;                 /* --clock: seconds after local midnight, or -1 */
	double duration;             /* seconds the run lasts; 0 = until done */
	double storm_rate;           /* --storm: alarm events per second, all gateways */
	double storm_for;            /* seconds the storm lasts */
	double storm_at;             /* seconds after the start it begins */
	double silent_after;         /* seconds the silent gateways still talk */
	uint64_t seed;               /* of every random stream */
	double access_sync;          /* seconds between access list fetches */
	struct sim_arrival *arrivals;  /* --arrive */
	int narrivals;
};

extern struct sim_opts sim_opts;

/* The current state of the run. */
enum sim_state sim_ctl_state(void);
/* Move the run to state s (never backwards) and wake every sleeper. */
void sim_ctl_set(enum sim_state s);
/* Sleep ms milliseconds, or less when the state changes; returns the state. */
enum sim_state sim_ctl_sleep(int64_t ms);
/* Count n more gateway threads as running. */
void sim_ctl_started(int n);
/* Called by a gateway thread as it ends. */
void sim_ctl_ended(void);
/*
 * Wait until the state leaves RUN, the monotonic time deadline_ms passes
 * (none when negative), or, with threads, no gateway thread is running.
 */
void sim_ctl_wait_end(int64_t deadline_ms, bool threads);
/* Print a progress message on stderr unless --quiet. */
void sim_ctl_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print an error message on stderr. */
void sim_ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A uniformly random integer in [0, n), for jitter: never seeded. */
uint32_t sim_ctl_random(uint32_t n);

#endif
