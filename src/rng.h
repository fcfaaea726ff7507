/* rng.h - the seeded random generator of rnr (xoshiro256**).
 *
 * One generator state per consumer (MLP init, epoch shuffles) so that the
 * numbers each draws do not depend on what the others did.  The state is
 * plain data: it can be copied, saved and restored bit for bit. */
#ifndef RNR_RNG_H
#define RNR_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Seed through splitmix64 so that nearby seeds give unrelated streams.
 * stream separates consumers that share a user seed. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);

uint64_t rng_next(struct rng *r);

/* Uniform in [0, 1) with 24 random bits (exact in float). */
float rng_uniform01(struct rng *r);

/* Uniform in [lo, hi). */
float rng_uniform(struct rng *r, float lo, float hi);

/* Unbiased integer in [0, n) (n > 0), by rejection. */
uint64_t rng_below(struct rng *r, uint64_t n);

/* Fisher-Yates shuffle of idx[0..n). */
void rng_shuffle(struct rng *r, uint32_t *idx, size_t n);

#endif
