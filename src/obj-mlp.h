/* obj-mlp.h - a decoder set: one MLP per model of a cache (the phi_j of
 * the paper), all parameters in one contiguous block so that gradients and
 * Adam moments share its layout and the optimiser is one flat loop. */
#ifndef RNR_OBJ_MLP_H
#define RNR_OBJ_MLP_H

#include <stdint.h>

#include "nn-mlp.h"
#include "obj.h"

struct cache;

struct mlpset {
	struct obj base;
	size_t m;
	char **model;             /* [m] the models decoded, by name */
	struct mlp_shape *shape;  /* [m] dim[0] = bank width, dim[depth] = d_j */
	size_t *offset;           /* [m+1] start of each MLP in params */
	float *params;            /* [offset[m]] */
};

extern const struct obj_type mlpset_type;

/* A set for the k models models[0..k) of c: depth layers of width hidden
 * (0: each model's own d_j), input width in_dim, PyTorch nn.Linear init
 * from seed (one RNG stream per model position).  NULL with err_set(). */
struct mlpset *mlpset_new(const char *name, const struct cache *c, const size_t *models,
			  size_t k, size_t in_dim, size_t depth, size_t hidden, uint64_t seed);

/* Does set fit cache c (same models by name, same output dims) with a bank
 * of width in_dim?  perm[j] gets the cache's index of the set's model j.
 * -1 with err_set() naming the mismatch. */
int mlpset_check_fit(const struct mlpset *set, const struct cache *c,
		     size_t in_dim, size_t *perm);

#endif
