/* obj-sweep.c - ablation sweep results (see obj-sweep.h).
 *
 * Saved layout: /NAME/values float64 [n], /NAME/seeds uint64 [n_seeds],
 * /NAME/majority, /NAME/weighted, /NAME/seconds float64 [n, n_seeds] (NaN:
 * not run); attributes param, spec (strings), k, n_values, n_seeds (int64). */
#include "obj-sweep.h"
#include "chart.h"
#include "err.h"
#include "h5-attrio.h"
#include "h5-util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void sweep_free(struct obj *o)
{
	struct sweep *s = (struct sweep *)o;
	free(s->param);
	free(s->spec);
	obj_fini(o);
	free(s);
}

static void update_means(struct sweep *s)
{
	for (size_t i = 0; i < s->n; i++) {
		double a = 0.0, b = 0.0;
		size_t c = 0;
		for (size_t j = 0; j < s->n_seeds; j++)
			if (!isnan(s->maj[i * s->n_seeds + j])) {
				a += s->maj[i * s->n_seeds + j];
				b += s->wtd[i * s->n_seeds + j];
				c++;
			}
		s->mean_maj[i] = c ? a / (double)c : NAN;
		s->mean_wtd[i] = c ? b / (double)c : NAN;
		s->x[i] = strcmp(s->param, "lr") == 0 ? log10(s->value[i]) : s->value[i];
	}
}

struct sweep *sweep_new(const char *name, const char *param, const char *spec, size_t k,
			const double *values, size_t n, const uint64_t *seeds, size_t n_seeds)
{
	if (n < 1 || n > SWEEP_MAX_VALUES || n_seeds < 1 || n_seeds > SWEEP_MAX_SEEDS) {
		err_set("a sweep has 1 to %d values and 1 to %d seeds", SWEEP_MAX_VALUES,
			SWEEP_MAX_SEEDS);
		return NULL;
	}
	struct sweep *s = calloc(1, sizeof *s);
	if (!s || obj_init(&s->base, &sweep_type, name) < 0) {
		free(s);
		return err_nomem("sweep", sizeof *s);
	}
	s->param = strdup(param);
	s->spec = strdup(spec);
	if (!s->param || !s->spec) {
		sweep_free(&s->base);
		return err_nomem("sweep", strlen(spec) + 16);
	}
	s->k = k;
	s->n = n;
	s->n_seeds = n_seeds;
	memcpy(s->value, values, n * sizeof *values);
	memcpy(s->seed, seeds, n_seeds * sizeof *seeds);
	for (size_t i = 0; i < n * n_seeds; i++)
		s->maj[i] = s->wtd[i] = s->secs[i] = NAN;
	update_means(s);
	return s;
}

void sweep_set(struct sweep *s, size_t i, size_t j, double maj, double wtd, double secs)
{
	s->maj[i * s->n_seeds + j] = maj;
	s->wtd[i * s->n_seeds + j] = wtd;
	s->secs[i * s->n_seeds + j] = secs;
	update_means(s);
}

size_t sweep_done(const struct sweep *s)
{
	size_t c = 0;
	for (size_t i = 0; i < s->n * s->n_seeds; i++)
		c += !isnan(s->maj[i]);
	return c;
}

void sweep_value_str(const struct sweep *s, size_t i, char *buf, size_t cap)
{
	if (strcmp(s->param, "lr") == 0)
		snprintf(buf, cap, "%s=%g", s->param, s->value[i]);
	else
		snprintf(buf, cap, "%s=%.0f", s->param, s->value[i]);
}

static void print_table(const struct sweep *s, FILE *out, const char *indent)
{
	fprintf(out, "%ssweep of %s over %zu value%s x %zu seed%s, k=%zu; %zu of %zu runs "
		"done\n%s  %s\n", indent, s->param, s->n, s->n == 1 ? "" : "s", s->n_seeds,
		s->n_seeds == 1 ? "" : "s", s->k, sweep_done(s), s->n * s->n_seeds, indent,
		s->spec);
	fprintf(out, "%s  %-14s %20s %9s %9s %9s\n", indent, "setting", "seed", "majority",
		"weighted", "seconds");
	int by_seed = strcmp(s->param, "seed") == 0;
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < s->n_seeds; j++) {
			char v[64];
			size_t r = i * s->n_seeds + j;
			unsigned long long seed = by_seed ? (unsigned long long)s->value[i] :
				(unsigned long long)s->seed[j];
			sweep_value_str(s, i, v, sizeof v);
			if (isnan(s->maj[r]))
				fprintf(out, "%s  %-14s %20llu %9s %9s %9s\n", indent, v,
					seed, "-", "-", "-");
			else
				fprintf(out, "%s  %-14s %20llu %9.2f %9.2f %9.1f\n", indent, v,
					seed, s->maj[r], s->wtd[r],
					s->secs[r]);
		}
	if (s->n_seeds < 2)
		return;
	fprintf(out, "%s  mean over the seeds run:\n", indent);
	for (size_t i = 0; i < s->n; i++) {
		char v[64];
		sweep_value_str(s, i, v, sizeof v);
		fprintf(out, "%s  %-14s %20s %9.2f %9.2f\n", indent, v, "", s->mean_maj[i],
			s->mean_wtd[i]);
	}
}

void sweep_print(const struct sweep *s, FILE *out)
{
	fprintf(out, "%s: ", s->base.name);
	print_table(s, out, "");
}

static void sweep_describe(const struct obj *o, FILE *out)
{
	print_table((const struct sweep *)o, out, "  ");
}

static void sweep_shape(const struct obj *o, char *buf, size_t cap)
{
	const struct sweep *s = (const struct sweep *)o;
	snprintf(buf, cap, "%s x %zu, %zu/%zu done", s->param, s->n, sweep_done(s),
		 s->n * s->n_seeds);
}

static size_t sweep_bytes(const struct obj *o)
{
	const struct sweep *s = (const struct sweep *)o;
	return sizeof *s + strlen(s->param) + strlen(s->spec) + 2;
}

static int sweep_save(const struct obj *o, hid_t g)
{
	const struct sweep *s = (const struct sweep *)o;
	hsize_t n = s->n, ns = s->n_seeds, dims[2] = { s->n, s->n_seeds };
	return h5u_write_dataset(g, "values", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n,
				 s->value) < 0 ||
	       h5u_write_dataset(g, "seeds", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &ns,
				 s->seed) < 0 ||
	       h5u_write_dataset(g, "majority", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims,
				 s->maj) < 0 ||
	       h5u_write_dataset(g, "weighted", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims,
				 s->wtd) < 0 ||
	       h5u_write_dataset(g, "seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims,
				 s->secs) < 0 ||
	       h5u_write_str_attr(g, "param", s->param) < 0 ||
	       h5u_write_str_attr(g, "spec", s->spec) < 0 ||
	       h5u_write_i64_attr(g, "k", (int64_t)s->k) < 0 ||
	       h5u_write_i64_attr(g, "n_values", (int64_t)s->n) < 0 ||
	       h5u_write_i64_attr(g, "n_seeds", (int64_t)s->n_seeds) < 0 ? -1 : 0;
}

static const char *const sweep_params[] = { "depth", "width", "lr", "batch", "epochs", "seed",
					    NULL };

static struct obj *sweep_load(hid_t g, const char *name)
{
	char **param = NULL, **spec = NULL;
	size_t np = 0, nsp = 0;
	int64_t k = 0, n = 0, ns = 0;
	struct sweep *s = NULL;
	double values[SWEEP_MAX_VALUES];
	uint64_t seeds[SWEEP_MAX_SEEDS];
	int got = 0;
	if (h5u_attr_text(g, "param", &param, &np) < 0 || h5u_attr_text(g, "spec", &spec, &nsp) < 0 ||
	    (got = h5u_attr_i64(g, "k", &k)) < 0 || (got = h5u_attr_i64(g, "n_values", &n)) < 0 ||
	    (got = h5u_attr_i64(g, "n_seeds", &ns)) < 0)
		goto fail;
	int known = 0;
	for (size_t i = 0; np == 1 && sweep_params[i]; i++)
		known |= strcmp(param[0], sweep_params[i]) == 0;
	if (!known || !got || nsp != 1 || k < 1 || n < 1 || n > SWEEP_MAX_VALUES || ns < 1 ||
	    ns > SWEEP_MAX_SEEDS) {
		err_set("missing or bad param, spec, k, n_values (1..%d) or n_seeds (1..%d)",
			SWEEP_MAX_VALUES, SWEEP_MAX_SEEDS);
		goto fail;
	}
	if (h5u_read_exact(g, "values", H5T_NATIVE_DOUBLE, values, (size_t)n) < 0 ||
	    h5u_read_exact(g, "seeds", H5T_NATIVE_UINT64, seeds, (size_t)ns) < 0 ||
	    !(s = sweep_new(name, param[0], spec[0], (size_t)k, values, (size_t)n, seeds,
			    (size_t)ns)) ||
	    h5u_read_exact(g, "majority", H5T_NATIVE_DOUBLE, s->maj, (size_t)(n * ns)) < 0 ||
	    h5u_read_exact(g, "weighted", H5T_NATIVE_DOUBLE, s->wtd, (size_t)(n * ns)) < 0 ||
	    h5u_read_exact(g, "seconds", H5T_NATIVE_DOUBLE, s->secs, (size_t)(n * ns)) < 0)
		goto fail;
	update_means(s);
	h5u_strings_free(param, np);
	h5u_strings_free(spec, nsp);
	return &s->base;
fail:
	if (s)
		sweep_free(&s->base);
	err_prefix("sweep %s", name);
	h5u_strings_free(param, np);
	h5u_strings_free(spec, nsp);
	return NULL;
}

static int sweep_chart(const struct obj *o, struct chart *c)
{
	const struct sweep *s = (const struct sweep *)o;
	memset(c, 0, sizeof *c);
	c->kind = CHART_LINE;
	c->title = "k-NN accuracy by swept setting";
	c->xlabel = strcmp(s->param, "lr") == 0 ? "log10 lr" : s->param;
	c->ylabel = "test accuracy, %";
	chart_add_series(c, "majority", s->x, s->mean_maj, s->n, 1);
	chart_add_series(c, "weighted", s->x, s->mean_wtd, s->n, 1);
	return 0;
}

/* [n x n_seeds, 4]: value, seed, majority, weighted (NaN: not run) */
static int sweep_array(const struct obj *o, struct obj_array *a)
{
	const struct sweep *s = (const struct sweep *)o;
	double *v = obj_array_f64(a, s->n * s->n_seeds, 4);
	if (!v)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < s->n_seeds; j++) {
			double *r = v + 4 * (i * s->n_seeds + j);
			r[0] = s->value[i];
			r[1] = (double)s->seed[j];
			r[2] = s->maj[i * s->n_seeds + j];
			r[3] = s->wtd[i * s->n_seeds + j];
		}
	return 0;
}

const struct obj_type sweep_type = {
	.name = "sweep",
	.free = sweep_free,
	.describe = sweep_describe,
	.shape = sweep_shape,
	.bytes = sweep_bytes,
	.save = sweep_save,
	.load = sweep_load,
	.chart = sweep_chart,
	.array = sweep_array,
};
