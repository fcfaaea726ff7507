/* obj-mlp.c - decoder sets (see obj-mlp.h) and their object operations.
 *
 * Saved layout (h5py: f["dec/simclr/weight0"] is [out, in] like PyTorch):
 *   /NAME            attrs models [m], rnr_type "mlp"
 *   /NAME/<model>/weight<l>  float32 [dim[l+1], dim[l]]
 *   /NAME/<model>/bias<l>    float32 [dim[l+1]]                         */
#include "obj-mlp.h"
#include "err.h"
#include "h5-attrio.h"
#include "h5-util.h"
#include "mat.h"
#include "obj-cache.h"

#include <stdlib.h>
#include <string.h>

static void mlpset_free(struct obj *o)
{
	struct mlpset *s = (struct mlpset *)o;
	for (size_t k = 0; k < s->m; k++)
		free(s->model[k]);
	free(s->model);
	free(s->shape);
	free(s->offset);
	mat_free_floats(s->params);
	obj_fini(o);
	free(s);
}

/* An empty set with names and shapes; params allocated (zero). */
static struct mlpset *mlpset_alloc(const char *name, size_t m, char *const *model,
				   const struct mlp_shape *shape)
{
	struct mlpset *s = calloc(1, sizeof *s);
	if (!s || obj_init(&s->base, &mlpset_type, name) < 0) {
		free(s);
		return err_nomem("mlp set", sizeof *s);
	}
	s->m = m;
	s->model = calloc(m, sizeof *s->model);
	s->shape = calloc(m, sizeof *s->shape);
	s->offset = calloc(m + 1, sizeof *s->offset);
	if (!s->model || !s->shape || !s->offset)
		goto nomem;
	for (size_t k = 0; k < m; k++) {
		if (!(s->model[k] = strdup(model[k])))
			goto nomem;
		s->shape[k] = shape[k];
		s->offset[k + 1] = s->offset[k] + mlp_param_count(&shape[k]);
	}
	if (!(s->params = mat_alloc_floats(s->offset[m], "mlp parameters"))) {
		mlpset_free(&s->base);
		return NULL;
	}
	return s;
nomem:
	mlpset_free(&s->base);
	return err_nomem("mlp set", m * sizeof(struct mlp_shape));
}

struct mlpset *mlpset_new(const char *name, const struct cache *c, const size_t *models,
			  size_t k_models, size_t in_dim, size_t depth, size_t hidden, uint64_t seed)
{
	if (depth < 1 || depth > MLP_MAX_DEPTH) {
		err_set("depth=%zu: must be 1..%d", depth, MLP_MAX_DEPTH);
		return NULL;
	}
	struct mlp_shape *shape = calloc(k_models ? k_models : 1, sizeof *shape);
	char **names = calloc(k_models ? k_models : 1, sizeof *names);
	if (!shape || !names) {
		free(shape);
		free(names);
		return err_nomem("mlp shapes", k_models * sizeof *shape);
	}
	for (size_t k = 0; k < k_models; k++) {
		size_t out = c->feat[models[k]].cols;
		names[k] = c->model[models[k]];
		shape[k].depth = depth;
		shape[k].dim[0] = in_dim;
		for (size_t l = 1; l < depth; l++)
			shape[k].dim[l] = hidden ? hidden : out;
		shape[k].dim[depth] = out;
	}
	struct mlpset *s = mlpset_alloc(name, k_models, names, shape);
	free(shape);
	free(names);
	if (!s)
		return NULL;
	/* one stream per model so adding a model does not change the others */
	for (size_t k = 0; k < s->m; k++) {
		struct rng r;
		rng_seed(&r, seed, 100 + k);
		mlp_init_params(s->params + s->offset[k], &s->shape[k], &r);
	}
	return s;
}

int mlpset_check_fit(const struct mlpset *set, const struct cache *c, size_t in_dim,
		     size_t *perm)
{
	for (size_t k = 0; k < set->m; k++) {
		long i = cache_model_index(c, set->model[k]);
		if (i < 0) {
			err_set("mlp %s decodes model '%s', which cache %s does not have",
				set->base.name, set->model[k], c->base.name);
			return -1;
		}
		const struct mlp_shape *sh = &set->shape[k];
		if (sh->dim[sh->depth] != c->feat[i].cols) {
			err_set("mlp %s outputs %zu dims for '%s'; %s has %zu", set->base.name,
				sh->dim[sh->depth], set->model[k], c->base.name, c->feat[i].cols);
			return -1;
		}
		if (sh->dim[0] != in_dim) {
			err_set("mlp %s takes %zu-dim input; the bank has %zu", set->base.name,
				sh->dim[0], in_dim);
			return -1;
		}
		perm[k] = (size_t)i;
	}
	return 0;
}

static void mlpset_describe(const struct obj *o, FILE *out)
{
	const struct mlpset *s = (const struct mlpset *)o;
	fprintf(out, "  %zu MLPs, %zu parameters\n", s->m, s->offset[s->m]);
	for (size_t k = 0; k < s->m; k++) {
		fprintf(out, "  %-12s", s->model[k]);
		for (size_t l = 0; l <= s->shape[k].depth; l++)
			fprintf(out, "%s%zu", l ? " -> " : " ", s->shape[k].dim[l]);
		fprintf(out, "  (Linear+ReLU x %zu)\n", s->shape[k].depth);
	}
}

static void mlpset_shape(const struct obj *o, char *buf, size_t cap)
{
	const struct mlpset *s = (const struct mlpset *)o;
	snprintf(buf, cap, "%zu x depth %zu", s->m, s->m ? s->shape[0].depth : 0);
}

static size_t mlpset_bytes(const struct obj *o)
{
	const struct mlpset *s = (const struct mlpset *)o;
	return s->offset[s->m] * sizeof(float);
}

static int mlpset_save(const struct obj *o, hid_t group)
{
	const struct mlpset *s = (const struct mlpset *)o;
	if (h5u_write_strs_attr(group, "models", s->model, s->m) < 0)
		return -1;
	for (size_t k = 0; k < s->m; k++) {
		const struct mlp_shape *sh = &s->shape[k];
		hid_t g = H5Gcreate2(group, s->model[k], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		if (g < 0) {
			h5u_err("mlp %s: cannot create group %s", o->name, s->model[k]);
			return -1;
		}
		int rc = 0;
		for (size_t l = 0; l < sh->depth && rc == 0; l++) {
			const float *p = s->params + s->offset[k];
			hsize_t wd[2] = { sh->dim[l + 1], sh->dim[l] }, bd[1] = { sh->dim[l + 1] };
			char wn[32], bn[32];
			snprintf(wn, sizeof wn, "weight%zu", l);
			snprintf(bn, sizeof bn, "bias%zu", l);
			rc = h5u_write_dataset(g, wn, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, wd,
					       p + mlp_weight_offset(sh, l));
			if (rc == 0)
				rc = h5u_write_dataset(g, bn, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1,
						       bd, p + mlp_bias_offset(sh, l));
		}
		H5Gclose(g);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Shape of dataset loc/name into dims (rank must be rank), checked before
 * anything is allocated for it; -1 otherwise. */
static int dataset_dims(hid_t loc, const char *name, int rank, size_t *dims)
{
	hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
	if (d < 0) {
		h5u_err("missing dataset %s", name);
		return -1;
	}
	int rc = h5u_dataset_dims(d, name, rank, sizeof(float), dims, NULL);
	H5Dclose(d);
	return rc;
}

/* Reads the shape of one model's MLP from its weight datasets. */
static int read_shape(hid_t g, struct mlp_shape *sh)
{
	memset(sh, 0, sizeof *sh);
	for (size_t l = 0; l <= MLP_MAX_DEPTH; l++) {
		char wn[32];
		snprintf(wn, sizeof wn, "weight%zu", l);
		if (h5u_has_link(g, wn) != 1)
			break;
		if (l == MLP_MAX_DEPTH) {
			err_set("more than %d layers", MLP_MAX_DEPTH);
			return -1;
		}
		size_t dims[2];
		if (dataset_dims(g, wn, 2, dims) < 0)
			return -1;
		if (dims[0] == 0 || dims[1] == 0) {
			err_set("%s is empty [%zu x %zu]", wn, dims[0], dims[1]);
			return -1;
		}
		if (l > 0 && dims[1] != sh->dim[l]) {
			err_set("%s takes %zu inputs, layer %zu gives %zu", wn, dims[1], l - 1,
				sh->dim[l]);
			return -1;
		}
		sh->dim[l] = dims[1];
		sh->dim[l + 1] = dims[0];
		sh->depth = l + 1;
	}
	if (sh->depth == 0) {
		err_set("no weight0 dataset");
		return -1;
	}
	return 0;
}

/* A layer read from a file: a NaN or Inf in it would make every output
 * NaN, silently, in whatever trains or infers with it next. */
static int check_finite(const char *dset, const float *x, size_t rows, size_t cols)
{
	size_t i = floats_find_nonfinite(x, rows * cols);
	if (i == SIZE_MAX)
		return 0;
	if (rows > 1)
		err_set("%s: row %zu, column %zu (counting from 0) is %s; weights must be finite",
			dset, i / cols, i % cols, nonfinite_name(x[i]));
	else
		err_set("%s: value %zu (counting from 0) is %s; weights must be finite", dset, i,
			nonfinite_name(x[i]));
	return -1;
}

static struct obj *mlpset_load(hid_t group, const char *name)
{
	char **model = NULL;
	size_t m = 0;
	struct mlp_shape *shape = NULL;
	struct mlpset *s = NULL;
	char file[1024], path[1024];
	h5u_where(group, file, sizeof file, path, sizeof path);
	if (h5u_attr_text(group, "models", &model, &m) < 0)
		goto fail;
	if (!(shape = calloc(m ? m : 1, sizeof *shape))) {
		err_nomem("mlp shapes", m * sizeof *shape);
		goto fail;
	}
	for (size_t k = 0; k < m; k++) {
		hid_t g = H5Gopen2(group, model[k], H5P_DEFAULT);
		int rc = g < 0 ? -1 : read_shape(g, &shape[k]);
		if (g >= 0)
			H5Gclose(g);
		if (rc < 0) {
			err_prefix("%s: %s/%s", file, path, model[k]);
			goto fail;
		}
	}
	/* each layer fits; all of them together must too */
	size_t total = 0;
	for (size_t k = 0; k < m; k++)
		total += mlp_param_count(&shape[k]);
	if (mat_check_bytes(total * sizeof(float), "its parameters") < 0) {
		err_prefix("mlp %s", name);
		goto fail;
	}
	if (!(s = mlpset_alloc(name, m, model, shape)))
		goto fail;
	for (size_t k = 0; k < m; k++) {
		hid_t g = H5Gopen2(group, model[k], H5P_DEFAULT);
		float *p = s->params + s->offset[k];
		for (size_t l = 0; l < shape[k].depth; l++) {
			char wn[32], bn[32];
			snprintf(wn, sizeof wn, "weight%zu", l);
			snprintf(bn, sizeof bn, "bias%zu", l);
			size_t out = shape[k].dim[l + 1], in = shape[k].dim[l];
			float *w = p + mlp_weight_offset(&shape[k], l), *b = p + mlp_bias_offset(&shape[k], l);
			if (h5u_read_exact(g, wn, H5T_NATIVE_FLOAT, w, out * in) < 0 ||
			    h5u_read_exact(g, bn, H5T_NATIVE_FLOAT, b, out) < 0 ||
			    check_finite(wn, w, out, in) < 0 || check_finite(bn, b, 1, out) < 0) {
				err_prefix("%s: %s/%s", file, path, model[k]);
				H5Gclose(g);
				goto fail;
			}
		}
		H5Gclose(g);
	}
	h5u_strings_free(model, m);
	free(shape);
	return &s->base;
fail:
	if (s)
		mlpset_free(&s->base);
	h5u_strings_free(model, m);
	free(shape);
	return NULL;
}

const struct obj_type mlpset_type = {
	.name = "mlp",
	.free = mlpset_free,
	.describe = mlpset_describe,
	.shape = mlpset_shape,
	.bytes = mlpset_bytes,
	.save = mlpset_save,
	.load = mlpset_load,
};
