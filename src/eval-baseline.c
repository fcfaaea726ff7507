/* eval-baseline.c - baseline banks (see eval-baseline.h). */
#include "eval-baseline.h"
#include "err.h"
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct bank *bank_for(const struct cache *c, const char *name, size_t d)
{
	return bank_new(name, c->n, d, c->labels, c->n_classes);
}

size_t baseline_max_dim(const struct cache *c, const size_t *models, size_t k)
{
	size_t d = 0;
	for (size_t t = 0; t < (models ? k : c->m); t++)
		if (c->feat[models ? models[t] : t].cols > d)
			d = c->feat[models ? models[t] : t].cols;
	return d;
}

int baseline_projection(double *r, size_t rows, size_t cols, uint64_t seed, size_t model)
{
	if (rows > cols) {
		err_set("projection %zu x %zu: needs rows <= cols", rows, cols);
		return -1;
	}
	struct rng g;
	rng_seed(&g, seed, BASELINE_PROJ_STREAM + model);
	for (size_t i = 0; i < rows * cols; i++)
		r[i] = (double)rng_uniform(&g, -1.0f, 1.0f);
	/* modified Gram-Schmidt over the rows, twice (the second pass removes
	 * what rounding left of the earlier rows) */
	for (size_t a = 0; a < rows; a++) {
		double *v = r + a * cols;
		for (int pass = 0; pass < 2; pass++)
			for (size_t p = 0; p < a; p++) {
				const double *u = r + p * cols;
				double dot = 0.0;
				for (size_t b = 0; b < cols; b++)
					dot += v[b] * u[b];
				for (size_t b = 0; b < cols; b++)
					v[b] -= dot * u[b];
			}
		double nn = 0.0;
		for (size_t b = 0; b < cols; b++)
			nn += v[b] * v[b];
		nn = sqrt(nn);
		if (!(nn > 1e-12)) {
			err_set("projection %zu x %zu: degenerate random draw at row %zu", rows,
				cols, a);
			return -1;
		}
		for (size_t b = 0; b < cols; b++)
			v[b] /= nn;
	}
	return 0;
}

/* out += the map of model j's n x dj features into d dims (see the header);
 * r is the projection of the larger side, NULL for padding. */
static void add_mapped(struct mat *out, const struct mat *z, const double *r)
{
	size_t n = z->rows, dj = z->cols, d = out->cols;
	for (size_t i = 0; i < n; i++) {
		float *o = mat_row(out, i);
		const float *x = mat_row(z, i);
		if (!r || dj == d) {
			for (size_t b = 0; b < dj; b++)
				o[b] += x[b];
		} else if (dj < d) {
			for (size_t a = 0; a < dj; a++)
				for (size_t b = 0; b < d; b++)
					o[b] += (float)((double)x[a] * r[a * d + b]);
		} else {
			for (size_t b = 0; b < d; b++) {
				double acc = 0.0;
				for (size_t a = 0; a < dj; a++)
					acc += r[b * dj + a] * (double)x[a];
				o[b] += (float)acc;
			}
		}
	}
}

struct bank *baseline_average_to(const struct cache *c, const char *name,
				 const size_t *models, size_t k, const struct avg_spec *spec)
{
	if (!models)
		k = c->m;
#define MODEL(t) (models ? models[t] : (t))
	size_t d = spec->dim ? spec->dim : baseline_max_dim(c, models, k), big = 0;
	for (size_t t = 0; t < k; t++) {
		size_t dj = c->feat[MODEL(t)].cols;
		if (spec->init == AVG_INIT_PAD && dj > d) {
			err_set("%s: model %s has %zu dims, more than the bank's %zu: init=pad "
				"cannot shrink it (use init=proj or dim=%zu)", c->base.name,
				c->model[MODEL(t)], dj, d, dj);
			return NULL;
		}
		if (dj != d && dj * d > big)
			big = dj * d;
	}
	double *r = NULL;
	if (spec->init == AVG_INIT_PROJ && big &&
	    !(r = malloc(big * sizeof *r))) {
		err_nomem("projection", big * sizeof *r);
		return NULL;
	}
	/* a block of rows at a time (a streamed cache is read in one pass);
	 * each value sums the models in model order, as row by row would */
	size_t dmax = baseline_max_dim(c, models, k);
	size_t rows = cache_block_rows(c, MODEL(0), (size_t)1 << 20);
	struct bank *b = bank_for(c, name, d);
	float *z = b ? mat_alloc_floats(rows * dmax, "average buffer") : NULL;
	/* model by model: r holds one model's map at a time */
	int ok = z != NULL;
	for (size_t t = 0; ok && t < k; t++) {
		const struct mat *f = &c->feat[MODEL(t)];
		size_t lo = f->cols < d ? f->cols : d, hi = f->cols < d ? d : f->cols;
		if (r && f->cols != d &&
		    baseline_projection(r, lo, hi, spec->seed, MODEL(t)) < 0) {
			ok = 0;
			break;
		}
		for (size_t r0 = 0; ok && r0 < c->n; r0 += rows) {
			size_t nr = c->n - r0 < rows ? c->n - r0 : rows;
			if (cache_read_block(c, MODEL(t), r0, nr, z) < 0) {
				ok = 0;
				break;
			}
			struct mat out = { nr, d, mat_row(&b->psi, r0) }, in = { nr, f->cols, z };
			add_mapped(&out, &in, f->cols != d ? r : NULL);
		}
	}
	free(r);
	mat_free_floats(z);
	if (!ok) {
		if (b)
			obj_free(&b->base);
		return NULL;
	}
	size_t first_zero;
	mat_normalize_rows(&b->psi, &first_zero);
	int mixed = 0;
	for (size_t t = 0; t < k; t++)
		mixed |= c->feat[MODEL(t)].cols != d;
#undef MODEL
	if (mixed && spec->init == AVG_INIT_PROJ)
		obj_set_note(&b->base, "average of %zu normalised features of %s in %zu dims "
			     "(init=proj proj_seed=%llu)", k, c->base.name, d,
			     (unsigned long long)spec->seed);
	else if (mixed)
		obj_set_note(&b->base, "average of %zu normalised features of %s in %zu dims "
			     "(init=pad)", k, c->base.name, d);
	else
		obj_set_note(&b->base, "average of %zu normalised features of %s", k,
			     c->base.name);
	return b;
}

struct bank *baseline_average(const struct cache *c, const char *name,
			      const size_t *models, size_t k)
{
	struct avg_spec spec = { 0, AVG_INIT_PROJ, 0 };
	return baseline_average_to(c, name, models, k, &spec);
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
