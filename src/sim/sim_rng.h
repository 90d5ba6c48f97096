/*
 * sim_rng.h: small seeded random streams, one per thread or generated site.
 *
 * With --seed every stream is derived from the seed and a name (a gateway
 * key, a callsign, "site 3"), so a run draws the same sites, points and
 * events each time whatever the order threads start in.  Not for secrets
 * that protect anything: generated secrets are for simulated sites only.
 */
#ifndef VIGIL_SIM_RNG_H
#define VIGIL_SIM_RNG_H

#include <stdbool.h>
#include <stdint.h>

struct sim_rng {
	uint64_t state;
};

/* Start the stream of seed named name (any text). */
void sim_rng_init(struct sim_rng *r, uint64_t seed, const char *name);
/* The next 64 random bits. */
uint64_t sim_rng_next(struct sim_rng *r);
/* A uniformly random integer in [0, n); 0 when n is 0. */
uint32_t sim_rng_below(struct sim_rng *r, uint32_t n);
/* A uniformly random real in [0, 1). */
double sim_rng_uniform(struct sim_rng *r);
/* A uniformly random real in [lo, hi). */
double sim_rng_between(struct sim_rng *r, double lo, double hi);
/* True with probability p. */
bool sim_rng_chance(struct sim_rng *r, double p);
/* An exponentially distributed wait of the given mean (a Poisson gap). */
double sim_rng_exp(struct sim_rng *r, double mean);
/* A normally distributed real of mean 0 and the given deviation. */
double sim_rng_normal(struct sim_rng *r, double sigma);

#endif
