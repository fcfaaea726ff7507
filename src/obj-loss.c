/* obj-loss.c - loss histories (see obj-loss.h).
 *
 * Saved layout: /NAME/total float32 [n], /NAME/per_model float32 [n, m],
 * attrs models [m], steps_per_epoch, warmup_epochs. */
#include "obj-loss.h"
#include "chart.h"
#include "err.h"
#include "h5-attrio.h"
#include "h5-util.h"
#include "mat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void losshist_free(struct obj *o)
{
	struct losshist *h = (struct losshist *)o;
	for (size_t k = 0; k < h->m; k++)
		free(h->model[k]);
	free(h->model);
	free(h->total);
	free(h->per_model);
	obj_fini(o);
	free(h);
}

struct losshist *losshist_new(const char *name, size_t m, char *const *model,
			      size_t steps_per_epoch, size_t warmup_epochs)
{
	struct losshist *h = calloc(1, sizeof *h);
	if (!h || obj_init(&h->base, &losshist_type, name) < 0) {
		free(h);
		return err_nomem("loss history", sizeof *h);
	}
	h->steps_per_epoch = steps_per_epoch;
	h->warmup_epochs = warmup_epochs;
	if (!(h->model = calloc(m ? m : 1, sizeof *h->model)))
		goto nomem;
	h->m = m;
	for (size_t k = 0; k < m; k++)
		if (!(h->model[k] = strdup(model[k])))
			goto nomem;
	return h;
nomem:
	losshist_free(&h->base);
	return err_nomem("loss history", m * sizeof(char *));
}

int losshist_reserve(struct losshist *h, size_t more)
{
	size_t want = h->n + more;
	if (want <= h->cap)
		return 0;
	double *t = realloc(h->total, want * sizeof *t);
	if (!t)
		goto nomem;
	h->total = t;
	double *p = realloc(h->per_model, want * h->m * sizeof *p + 1);
	if (!p)
		goto nomem;
	h->per_model = p;
	h->cap = want;
	return 0;
nomem:
	err_nomem("loss history", want * (h->m + 1) * sizeof(double));
	return -1;
}

void losshist_push(struct losshist *h, double total, const double *per_model)
{
	size_t n = atomic_load_explicit(&h->n, memory_order_relaxed); /* ours */
	if (n == h->cap)
		return; /* the job reserved its steps; never reached */
	h->total[n] = total;
	memcpy(h->per_model + n * h->m, per_model, h->m * sizeof *per_model);
	/* publish: a reader that sees n + 1 sees the step's values */
	atomic_store_explicit(&h->n, n + 1, memory_order_release);
}

size_t losshist_count(const struct losshist *h)
{
	return atomic_load_explicit(&h->n, memory_order_acquire);
}

double losshist_epoch_mean(const struct losshist *h, size_t e)
{
	size_t a = e * h->steps_per_epoch, b = a + h->steps_per_epoch;
	if (b > h->n)
		b = h->n;
	if (a >= b)
		return NAN;
	double s = 0.0;
	for (size_t i = a; i < b; i++)
		s += h->total[i];
	return s / (double)(b - a);
}

static void losshist_describe(const struct obj *o, FILE *out)
{
	const struct losshist *h = (const struct losshist *)o;
	size_t epochs = h->steps_per_epoch ? (h->n + h->steps_per_epoch - 1) / h->steps_per_epoch : 0;
	fprintf(out, "  %zu steps (%zu per epoch, %zu epochs recorded, warmup %zu)\n", h->n,
		h->steps_per_epoch, epochs, h->warmup_epochs);
	if (h->n == 0)
		return;
	fprintf(out, "  loss first %.6f  last %.6f\n", h->total[0], h->total[h->n - 1]);
	for (size_t k = 0; k < h->m; k++)
		fprintf(out, "  %-12s first %.6f  last %.6f\n", h->model[k], h->per_model[k],
			h->per_model[(h->n - 1) * h->m + k]);
}

static void losshist_shape(const struct obj *o, char *buf, size_t cap)
{
	const struct losshist *h = (const struct losshist *)o;
	snprintf(buf, cap, "%zu steps x %zu", h->n, h->m + 1);
}

static size_t losshist_bytes(const struct obj *o)
{
	const struct losshist *h = (const struct losshist *)o;
	return h->cap * (h->m + 1) * sizeof(double);
}

static int losshist_save(const struct obj *o, hid_t group)
{
	const struct losshist *h = (const struct losshist *)o;
	hsize_t d1[1] = { h->n }, d2[2] = { h->n, h->m };
	if (h5u_write_strs_attr(group, "models", h->model, h->m) < 0 ||
	    h5u_write_i64_attr(group, "steps_per_epoch", (int64_t)h->steps_per_epoch) < 0 ||
	    h5u_write_i64_attr(group, "warmup_epochs", (int64_t)h->warmup_epochs) < 0 ||
	    h5u_write_dataset(group, "total", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, d1, h->total) < 0 ||
	    h5u_write_dataset(group, "per_model", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2,
			      h->per_model) < 0)
		return -1;
	return 0;
}

static struct obj *losshist_load(hid_t group, const char *name)
{
	char **model = NULL;
	size_t m = 0;
	int64_t spe = 0, warm = 0;
	struct losshist *h = NULL;
	if (h5u_attr_text(group, "models", &model, &m) < 0 ||
	    h5u_attr_i64(group, "steps_per_epoch", &spe) < 0 ||
	    h5u_attr_i64(group, "warmup_epochs", &warm) < 0 || spe < 0 || warm < 0)
		goto fail;
	hid_t d = H5Dopen2(group, "total", H5P_DEFAULT);
	if (d < 0) {
		h5u_err("loss %s: missing dataset total", name);
		goto fail;
	}
	/* steps from the file: checked (with the per-model losses they imply)
	 * before anything is allocated for them */
	size_t n = 0;
	int rc = h5u_dataset_dims(d, "dataset total", 1, sizeof(double), &n, NULL);
	H5Dclose(d);
	if (rc == 0 && m && n > SIZE_MAX / sizeof(double) / (m + 1))
		rc = -1, err_set("%zu steps of %zu models overflow the address space", n, m);
	if (rc < 0 || mat_check_bytes(n * (m + 1) * sizeof(double), "the loss history") < 0 ||
	    !(h = losshist_new(name, m, model, (size_t)spe, (size_t)warm)) ||
	    losshist_reserve(h, (size_t)n) < 0 ||
	    h5u_read_exact(group, "total", H5T_NATIVE_DOUBLE, h->total, (size_t)n) < 0 ||
	    h5u_read_exact(group, "per_model", H5T_NATIVE_DOUBLE, h->per_model, (size_t)n * m) < 0)
		goto fail;
	h->n = (size_t)n;
	h5u_strings_free(model, m);
	return &h->base;
fail:
	err_prefix("loss history %s", name);
	if (h)
		losshist_free(&h->base);
	h5u_strings_free(model, m);
	return NULL;
}

/* Total and per-model loss of every step recorded so far against epochs
 * (step i ends at epoch (i+1)/steps_per_epoch), the end of warmup marked.
 * Safe while a job appends: only the published steps are drawn. */
static int losshist_chart(const struct obj *o, struct chart *c)
{
	const struct losshist *h = (const struct losshist *)o;
	size_t n = losshist_count(h);
	if (n == 0) {
		err_set("%s: no steps recorded yet; nothing to draw", o->name);
		return -1;
	}
	double step = 1.0 / (double)(h->steps_per_epoch ? h->steps_per_epoch : 1);
	memset(c, 0, sizeof *c);
	c->kind = CHART_LINE;
	c->title = o->name;
	c->xlabel = "epoch";
	c->ylabel = "loss";
	struct chart_series *s = chart_add_series(c, "total", NULL, h->total, n, 1);
	s->x0 = s->dx = step;
	/* models beyond the chart's series are left out (16 series) */
	for (size_t k = 0; k < h->m && (s = chart_add_series(c, h->model[k], NULL,
							      h->per_model + k, n, h->m)); k++)
		s->x0 = s->dx = step;
	if (h->warmup_epochs > 0)
		c->mark[c->n_marks++] = (struct chart_mark){ (double)h->warmup_epochs, "warmup" };
	return 0;
}

/* [steps, 1 + m]: the step's total loss, then each model's */
static int losshist_array(const struct obj *o, struct obj_array *a)
{
	const struct losshist *h = (const struct losshist *)o;
	size_t n = losshist_count(h), w = 1 + h->m;
	double *v = obj_array_f64(a, n, w);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		v[w * i] = h->total[i];
		memcpy(v + w * i + 1, h->per_model + h->m * i, h->m * sizeof *v);
	}
	return 0;
}

const struct obj_type losshist_type = {
	.name = "loss",
	.free = losshist_free,
	.describe = losshist_describe,
	.shape = losshist_shape,
	.bytes = losshist_bytes,
	.save = losshist_save,
	.load = losshist_load,
	.chart = losshist_chart,
	.array = losshist_array,
};
