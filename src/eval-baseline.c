/* eval-baseline.c - baseline banks (see eval-baseline.h). */
#include "eval-baseline.h"
#include "err.h"

#include <string.h>

static struct bank *bank_for(const struct cache *c, const char *name, size_t d)
{
	return bank_new(name, c->n, d, c->labels, c->n_classes);
}

struct bank *baseline_average(const struct cache *c, const char *name,
			      const size_t *models, size_t k)
{
	if (!models)
		k = c->m;
#define MODEL(t) (models ? models[t] : (t))
	size_t d = k ? c->feat[MODEL(0)].cols : 0;
	for (size_t t = 1; t < k; t++)
		if (c->feat[MODEL(t)].cols != d) {
			err_set("%s: models %s (%zu) and %s (%zu) differ in dims; the average "
				"needs equal dims (try concat)", c->base.name, c->model[MODEL(0)], d,
				c->model[MODEL(t)], c->feat[MODEL(t)].cols);
			return NULL;
		}
	/* a block of rows at a time (a streamed cache is read in one pass);
	 * each value sums the models in model order, as row by row would */
	size_t rows = cache_block_rows(c, MODEL(0), (size_t)1 << 20);
	struct bank *b = bank_for(c, name, d);
	float *z = b ? mat_alloc_floats(rows * d, "average buffer") : NULL;
	if (!z) {
		if (b)
			obj_free(&b->base);
		return NULL;
	}
	for (size_t r0 = 0; r0 < c->n; r0 += rows) {
		size_t nr = c->n - r0 < rows ? c->n - r0 : rows;
		for (size_t t = 0; t < k; t++) {
			if (cache_read_block(c, MODEL(t), r0, nr, z) < 0) {
				mat_free_floats(z);
				obj_free(&b->base);
				return NULL;
			}
			float *out = mat_row(&b->psi, r0);
			for (size_t i = 0; i < nr * d; i++)
				out[i] += z[i];
		}
	}
	mat_free_floats(z);
#undef MODEL
	size_t first_zero;
	mat_normalize_rows(&b->psi, &first_zero);
	obj_set_note(&b->base, "average of %zu normalised features of %s", k, c->base.name);
	return b;
}

struct bank *baseline_concat(const struct cache *c, const char *name)
{
	if (cache_need_resident(c, "concat") < 0)
		return NULL;
	size_t d = 0;
	for (size_t j = 0; j < c->m; j++)
		d += c->feat[j].cols;
	struct bank *b = bank_for(c, name, d);
	if (!b)
		return NULL;
	for (size_t i = 0; i < c->n; i++) {
		float *out = mat_row(&b->psi, i);
		for (size_t j = 0; j < c->m; j++) {
			size_t dj = c->feat[j].cols;
			memcpy(out, mat_row(&c->feat[j], i), dj * sizeof *out);
			out += dj;
		}
	}
	size_t first_zero;
	mat_normalize_rows(&b->psi, &first_zero);
	obj_set_note(&b->base, "concatenation of the %zu normalised features of %s", c->m,
		     c->base.name);
	return b;
}

struct bank *baseline_single(const struct cache *c, const char *model, const char *name)
{
	long j = cache_model_index(c, model);
	if (j < 0) {
		err_set("%s has no model '%s'", c->base.name, model);
		return NULL;
	}
	struct bank *b = bank_for(c, name, c->feat[j].cols);
	if (!b)
		return NULL;
	/* a streamed cache is read in one pass */
	if (cache_read_block(c, (size_t)j, 0, c->n, b->psi.data) < 0) {
		obj_free(&b->base);
		return NULL;
	}
	obj_set_note(&b->base, "model %s of %s (normalised)", model, c->base.name);
	return b;
}
