#include "compat.h"

#include <math.h>

#include "sim_rng.h"

/*
 * SplitMix64 (Steele, Lea and Flood): a 64-bit counter stepped by the golden
 * ratio and mixed.  Fast, tiny and statistically fine for a simulation.
 */
#define SIM_RNG_GAMMA   UINT64_C(0x9e3779b97f4a7c15)
#define SIM_RNG_MIX1    UINT64_C(0xbf58476d1ce4e5b9)
#define SIM_RNG_MIX2    UINT64_C(0x94d049bb133111eb)
#define SIM_RNG_FNV_OFF UINT64_C(0xcbf29ce484222325)
#define SIM_RNG_FNV_MUL UINT64_C(0x100000001b3)
#define SIM_RNG_BITS    53                        /* of a double's mantissa */

/* Start the stream of seed named name. */
void
sim_rng_init(struct sim_rng *r, uint64_t seed, const char *name)
{
	uint64_t h = SIM_RNG_FNV_OFF;

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0';
	    p++)
		h = (h ^ *p) * SIM_RNG_FNV_MUL;
	r->state = seed ^ h;
	(void)sim_rng_next(r);
}

/* The next 64 random bits. */
uint64_t
sim_rng_next(struct sim_rng *r)
{
	uint64_t z = (r->state += SIM_RNG_GAMMA);

	z = (z ^ (z >> 30)) * SIM_RNG_MIX1;
	z = (z ^ (z >> 27)) * SIM_RNG_MIX2;
	return z ^ (z >> 31);
}

/* A uniformly random integer in [0, n). */
uint32_t
sim_rng_below(struct sim_rng *r, uint32_t n)
{
	return n == 0 ? 0 : (uint32_t)(sim_rng_next(r) % n);
}

/* A uniformly random real in [0, 1). */
double
sim_rng_uniform(struct sim_rng *r)
{
	return (double)(sim_rng_next(r) >> (64 - SIM_RNG_BITS)) /
	    (double)(UINT64_C(1) << SIM_RNG_BITS);
}

/* A uniformly random real in [lo, hi). */
double
sim_rng_between(struct sim_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * sim_rng_uniform(r);
}

/* True with probability p. */
bool
sim_rng_chance(struct sim_rng *r, double p)
{
	return sim_rng_uniform(r) < p;
}

/* An exponentially distributed wait of the given mean. */
double
sim_rng_exp(struct sim_rng *r, double mean)
{
	return -mean * log(1.0 - sim_rng_uniform(r));
}

/* A normally distributed real of mean 0 and deviation sigma (Box-Muller). */
double
sim_rng_normal(struct sim_rng *r, double sigma)
{
	double u = 1.0 - sim_rng_uniform(r), v = sim_rng_uniform(r);

	return sigma * sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}
