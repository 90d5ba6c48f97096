#include "compat.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <sodium.h>

#include "sim_ctl.h"

struct sim_opts sim_opts;

static atomic_int sim_ctl_cur = SIM_RUN;
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

/* Sleep ms milliseconds, or less when the state changes; returns the state. */
enum sim_state
sim_ctl_sleep(int64_t ms)
{
	struct timespec until;
	int start;

	clock_gettime(CLOCK_REALTIME, &until);
	if (ms < 0)
		ms = 0;
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&sim_ctl_lock);
	start = atomic_load(&sim_ctl_cur);
	while (atomic_load(&sim_ctl_cur) == start) {
		if (pthread_cond_timedwait(&sim_ctl_wake, &sim_ctl_lock,
		    &until) != 0)
			break;
	}
	pthread_mutex_unlock(&sim_ctl_lock);
	return sim_ctl_state();
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

/* A uniformly random integer in [0, n). */
uint32_t
sim_ctl_random(uint32_t n)
{
	return n <= 1 ? 0 : randombytes_uniform(n);
}

/* A uniformly random real in [0, 1). */
double
sim_ctl_uniform(void)
{
	return (double)randombytes_uniform(1000000000U) / 1e9;
}
