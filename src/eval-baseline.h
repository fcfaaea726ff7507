/* eval-baseline.h - the baseline representations of a cache as banks:
 * the average of the normalised features (also the bank's init), their
 * concatenation, and one model alone; every row normalised again. */
#ifndef RNR_EVAL_BASELINE_H
#define RNR_EVAL_BASELINE_H

#include "obj-bank.h"
#include "obj-cache.h"

/* psi_i = normalise(sum_j z_i^(j)) over the k models of c with indices
 * models[0..k) (models NULL: all of them); they must share d.  NULL + err. */
struct bank *baseline_average(const struct cache *c, const char *name,
			      const size_t *models, size_t k);

/* psi_i = normalise([z_i^(1), ..., z_i^(m)]). */
struct bank *baseline_concat(const struct cache *c, const char *name);

/* psi_i = z_i^(model) (already normalised at load). */
struct bank *baseline_single(const struct cache *c, const char *model, const char *name);

#endif
