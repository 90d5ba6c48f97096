#include "compat.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <sodium.h>

#include "vtime.h"
#include "sim_ctl.h"

struct sim_opts sim_opts;

static atomic_int sim_ctl_cur = SIM_RUN;
static int sim_ctl_running;          /* gateway threads, under sim_ctl_lock */
static pthread_mutex_t sim_ctl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sim_ctl_out = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sim_ctl_wake = PTHREAD_COND_INITIALIZER;

/* The current state of the run. */
enum sim_state
sim_ctl_state(void)
{
	return (enum sim_state)atomic_load(&sim_ctl_cur);
}

/* Move the run to state s (never backwards) and wake every sleeper. */
void
sim_ctl_set(enum sim_state s)
{
	pthread_mutex_lock(&sim_ctl_lock);
	if ((int)s > atomic_load(&sim_ctl_cur))
		atomic_store(&sim_ctl_cur, (int)s);
	pthread_cond_broadcast(&sim_ctl_wake);
	pthread_mutex_unlock(&sim_ctl_lock);
}

/* The real-time clock ms milliseconds from now, for a timed wait. */
static struct timespec
sim_ctl_after(int64_t ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	if (ms < 0)
		ms = 0;
	if (ms > SIM_WAIT_CHUNK_MS)
		ms = SIM_WAIT_CHUNK_MS;
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	return until;
}

/* Sleep ms milliseconds, or less when the state changes; returns the state. */
enum sim_state
sim_ctl_sleep(int64_t ms)
{
	struct timespec until;
	int64_t end = vtime_mono_ms() + (ms > 0 ? ms : 0);
	int start;

	pthread_mutex_lock(&sim_ctl_lock);
	start = atomic_load(&sim_ctl_cur);
	while (atomic_load(&sim_ctl_cur) == start && vtime_mono_ms() < end) {
		until = sim_ctl_after(end - vtime_mono_ms());
		pthread_cond_timedwait(&sim_ctl_wake, &sim_ctl_lock, &until);
	}
	pthread_mutex_unlock(&sim_ctl_lock);
	return sim_ctl_state();
}

/* Count n more gateway threads as running. */
void
sim_ctl_started(int n)
{
	pthread_mutex_lock(&sim_ctl_lock);
	sim_ctl_running += n;
	pthread_mutex_unlock(&sim_ctl_lock);
}

/* Called by a gateway thread as it ends. */
void
sim_ctl_ended(void)
{
	pthread_mutex_lock(&sim_ctl_lock);
	sim_ctl_running--;
	pthread_cond_broadcast(&sim_ctl_wake);
	pthread_mutex_unlock(&sim_ctl_lock);
}

/* Wait for the end of the run: a state change, the deadline, or no threads. */
void
sim_ctl_wait_end(int64_t deadline_ms, bool threads)
{
	struct timespec until;
	int64_t left;

	pthread_mutex_lock(&sim_ctl_lock);
	while (atomic_load(&sim_ctl_cur) == SIM_RUN &&
	    !(threads && sim_ctl_running <= 0)) {
		left = deadline_ms < 0 ? SIM_WAIT_CHUNK_MS :
		    deadline_ms - vtime_mono_ms();
		if (left <= 0)
			break;
		until = sim_ctl_after(left);
		pthread_cond_timedwait(&sim_ctl_wake, &sim_ctl_lock, &until);
	}
	pthread_mutex_unlock(&sim_ctl_lock);
}

/* Write one "vigil-sim: ..." line on stderr, whole, under the output lock. */
static void
sim_ctl_vprint(const char *fmt, va_list ap)
{
	pthread_mutex_lock(&sim_ctl_out);
	fputs("vigil-sim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&sim_ctl_out);
}

/* Print a progress message on stderr unless --quiet. */
void
sim_ctl_note(const char *fmt, ...)
{
	va_list ap;

	if (sim_opts.quiet)
		return;
	va_start(ap, fmt);
	sim_ctl_vprint(fmt, ap);
	va_end(ap);
}

/* Print an error message on stderr. */
void
sim_ctl_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_ctl_vprint(fmt, ap);
	va_end(ap);
}

/* A uniformly random integer in [0, n), for jitter. */
uint32_t
sim_ctl_random(uint32_t n)
{
	return n <= 1 ? 0 : randombytes_uniform(n);
}
