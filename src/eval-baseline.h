/* eval-baseline.h - the baseline representations of a cache as banks:
 * the average of the normalised features (also the bank's init), their
 * concatenation, and one model alone; every row normalised again. */
#ifndef RNR_EVAL_BASELINE_H
#define RNR_EVAL_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "obj-bank.h"
#include "obj-cache.h"

/* How models of other dims than the bank's enter the average: zero-padded
 * (their dims become the bank's first ones; needs every d_j <= dim), or
 * mapped by a fixed seeded random orthogonal map (any dims: an isometric
 * embedding when d_j < dim, an orthogonal projection when d_j > dim).  A
 * model of the bank's own dim is added as it is in both.  doc/mixed-dims.md
 * measures the two. */
enum avg_init { AVG_INIT_PAD, AVG_INIT_PROJ };

struct avg_spec {
	size_t dim;            /* the bank's dims; 0: the largest model dim */
	enum avg_init init;
	uint64_t seed;         /* of the projections (AVG_INIT_PROJ) */
};

/* The RNG stream of model j's projection is BASELINE_PROJ_STREAM + j (its
 * index in the cache). */
#define BASELINE_PROJ_STREAM 300

/* psi_i = normalise(sum_j map_j(z_i^(j))) over the k models of c with
 * indices models[0..k) (models NULL: all of them), in spec->dim dims.
 * With equal dims and dim 0 this is the plain average.  NULL + err. */
struct bank *baseline_average_to(const struct cache *c, const char *name,
				 const size_t *models, size_t k, const struct avg_spec *spec);

/* The same with dim 0 (the largest) and init=proj with seed 0. */
struct bank *baseline_average(const struct cache *c, const char *name,
			      const size_t *models, size_t k);

/* The largest dim of the models (models NULL: all of c's). */
size_t baseline_max_dim(const struct cache *c, const size_t *models, size_t k);

/* r[rows x cols] (rows <= cols) with orthonormal rows: entries uniform in
 * [-1, 1) from rng stream BASELINE_PROJ_STREAM + model of seed, then
 * modified Gram-Schmidt over the rows, two passes, in double.  A model of
 * d_j < d maps z -> z^T r (r d_j x d); of d_j > d, z -> r z (r d x d_j).
 * -1 + err if a row degenerates. */
int baseline_projection(double *r, size_t rows, size_t cols, uint64_t seed, size_t model);

/* psi_i = normalise([z_i^(1), ..., z_i^(m)]). */
struct bank *baseline_concat(const struct cache *c, const char *name);

/* psi_i = z_i^(model) (already normalised at load). */
struct bank *baseline_single(const struct cache *c, const char *model, const char *name);

#endif
