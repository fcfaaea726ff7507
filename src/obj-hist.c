/* obj-hist.c - histograms (see obj-hist.h).
 *
 * Saved layout: /NAME/values float32 [n], /NAME/edges float64 [bins + 1],
 * /NAME/counts int64 [bins]; attributes train, test (strings), bins, n,
 * under, over, range_given (int64), lo, hi, mean_similarity, median
 * (float64).  Loading reads the values and the range and bins them again. */
#include "obj-hist.h"
#include "chart.h"
#include "err.h"
#include "eval-nnhist.h"
#include "h5-attrio.h"
#include "h5-util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void hist_free(struct obj *o)
{
	struct hist *h = (struct hist *)o;
	free(h->train);
	free(h->test);
	free(h->values);
	free(h->edges);
	free(h->count);
	obj_fini(o);
	free(h);
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* The order statistics and the mean of h->values (all finite). */
static int hist_stats(struct hist *h)
{
	float *s = malloc(h->n * sizeof *s);
	if (!s) {
		err_nomem("sorted values", h->n * sizeof *s);
		return -1;
	}
	memcpy(s, h->values, h->n * sizeof *s);
	qsort(s, h->n, sizeof *s, cmp_float);
	h->min = s[0];
	h->max = s[h->n - 1];
	h->q10 = nnhist_quantile(s, h->n, 0.10);
	h->q25 = nnhist_quantile(s, h->n, 0.25);
	h->median = nnhist_quantile(s, h->n, 0.50);
	h->q75 = nnhist_quantile(s, h->n, 0.75);
	h->q90 = nnhist_quantile(s, h->n, 0.90);
	double sum = 0.0;
	for (size_t i = 0; i < h->n; i++)
		sum += s[i];
	h->mean = sum / (double)h->n;
	free(s);
	return 0;
}

struct hist *hist_new(const char *name, const char *train, const char *test,
		      const float *values, size_t n, size_t bins, int range_given,
		      double lo, double hi, double mean_sim)
{
	if (n == 0 || bins == 0) {
		err_set("a histogram needs values (%zu) and bins (%zu)", n, bins);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!isfinite(values[i])) {
			err_set("value %zu is not finite", i);
			return NULL;
		}
	struct hist *h = calloc(1, sizeof *h);
	if (!h || obj_init(&h->base, &hist_type, name) < 0) {
		free(h);
		return err_nomem("histogram", sizeof *h);
	}
	h->train = strdup(train);
	h->test = strdup(test);
	h->values = malloc(n * sizeof *h->values);
	h->edges = malloc((bins + 1) * sizeof *h->edges);
	h->count = malloc(bins * sizeof *h->count);
	if (!h->train || !h->test || !h->values || !h->edges || !h->count) {
		hist_free(&h->base);
		return err_nomem("histogram", n * sizeof(float) + 2 * (bins + 1) * sizeof(double));
	}
	memcpy(h->values, values, n * sizeof *values);
	h->n = n;
	h->bins = bins;
	h->mean_sim = mean_sim;
	if (hist_stats(h) < 0) {
		hist_free(&h->base);
		return NULL;
	}
	if (!range_given) {
		lo = h->min;
		hi = h->max;
		if (!(lo < hi)) {
			lo -= 0.5;
			hi += 0.5;
		}
	}
	if (!(lo < hi) || !isfinite(lo) || !isfinite(hi)) {
		err_set("range %g,%g: the low end must be below the high end", lo, hi);
		hist_free(&h->base);
		return NULL;
	}
	h->lo = lo;
	h->hi = hi;
	h->range_given = range_given;
	size_t *c = malloc(bins * sizeof *c);
	if (!c) {
		hist_free(&h->base);
		return err_nomem("histogram counts", bins * sizeof *c);
	}
	nnhist_bin(c, h->edges, bins, lo, hi, h->values, n, &h->under, &h->over);
	for (size_t i = 0; i < bins; i++)
		h->count[i] = (double)c[i];
	free(c);
	return h;
}

/* The summary, first line "NAME: " when named (after `nnhist`), indented
 * under `show`'s header otherwise. */
static void print_summary(const struct hist *h, FILE *out, int named)
{
	fprintf(out, "%s%s%s -> %s, %zu test rows; mean train-test cosine %.4f\n",
		named ? h->base.name : " ", named ? ": " : " ", h->train, h->test, h->n,
		h->mean_sim);
	fprintf(out, "  max-sim / mean-sim: median %.4f, mean %.4f\n", h->median, h->mean);
	fprintf(out, "  min %.4f, q10 %.4f, q25 %.4f, q75 %.4f, q90 %.4f, max %.4f\n", h->min,
		h->q10, h->q25, h->q75, h->q90, h->max);
	fprintf(out, "  %zu bins over [%.4g, %.4g]%s", h->bins, h->lo, h->hi,
		h->range_given ? " (range=)" : "");
	if (h->under || h->over)
		fprintf(out, "; outside: %zu below, %zu above", h->under, h->over);
	fprintf(out, "\n");
}

void hist_print_summary(const struct hist *h, FILE *out)
{
	print_summary(h, out, 1);
}

static void hist_describe(const struct obj *o, FILE *out)
{
	const struct hist *h = (const struct hist *)o;
	print_summary(h, out, 0);
	/* the fullest bins, to read the shape without a chart */
	size_t best = 0;
	for (size_t i = 1; i < h->bins; i++)
		if (h->count[i] > h->count[best])
			best = i;
	fprintf(out, "  fullest bin: [%.4g, %.4g) with %.0f rows\n", h->edges[best],
		h->edges[best + 1], h->count[best]);
}

static void hist_shape(const struct obj *o, char *buf, size_t cap)
{
	const struct hist *h = (const struct hist *)o;
	snprintf(buf, cap, "%zu values, %zu bins", h->n, h->bins);
}

static size_t hist_bytes(const struct obj *o)
{
	const struct hist *h = (const struct hist *)o;
	return sizeof *h + h->n * sizeof(float) + (2 * h->bins + 1) * sizeof(double) +
	       strlen(h->train) + strlen(h->test) + 2;
}

static int hist_save(const struct obj *o, hid_t g)
{
	const struct hist *h = (const struct hist *)o;
	hsize_t n = h->n, ne = h->bins + 1, nb = h->bins;
	int64_t *c = malloc(h->bins * sizeof *c);
	if (!c) {
		err_nomem("histogram counts", h->bins * sizeof *c);
		return -1;
	}
	for (size_t i = 0; i < h->bins; i++)
		c[i] = (int64_t)h->count[i];
	int rc = h5u_write_dataset(g, "values", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, &n,
				   h->values) < 0 ||
		 h5u_write_dataset(g, "edges", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &ne,
				   h->edges) < 0 ||
		 h5u_write_dataset(g, "counts", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &nb, c) < 0 ||
		 h5u_write_str_attr(g, "train", h->train) < 0 ||
		 h5u_write_str_attr(g, "test", h->test) < 0 ||
		 h5u_write_i64_attr(g, "n", (int64_t)h->n) < 0 ||
		 h5u_write_i64_attr(g, "bins", (int64_t)h->bins) < 0 ||
		 h5u_write_i64_attr(g, "under", (int64_t)h->under) < 0 ||
		 h5u_write_i64_attr(g, "over", (int64_t)h->over) < 0 ||
		 h5u_write_i64_attr(g, "range_given", h->range_given) < 0 ||
		 h5u_write_f64_attr(g, "lo", h->lo) < 0 || h5u_write_f64_attr(g, "hi", h->hi) < 0 ||
		 h5u_write_f64_attr(g, "mean_similarity", h->mean_sim) < 0 ||
		 h5u_write_f64_attr(g, "median", h->median) < 0 ? -1 : 0;
	free(c);
	return rc;
}

/* An int64 attribute that must be there. */
static int need_i64(hid_t g, const char *name, int64_t *out)
{
	int rc = h5u_attr_i64(g, name, out);
	if (rc == 0)
		err_set("no attribute '%s'", name);
	return rc > 0 ? 0 : -1;
}

static struct obj *hist_load(hid_t g, const char *name)
{
	char **tr = NULL, **te = NULL;
	size_t ntr = 0, nte = 0;
	float *v = NULL;
	struct hist *h = NULL;
	int64_t n = 0, bins = 0, given = 0;
	double lo = 0, hi = 0, mean_sim = 0;
	if (h5u_attr_text(g, "train", &tr, &ntr) < 0 || h5u_attr_text(g, "test", &te, &nte) < 0 ||
	    need_i64(g, "n", &n) < 0 || need_i64(g, "bins", &bins) < 0 ||
	    need_i64(g, "range_given", &given) < 0 || h5u_attr_f64(g, "lo", &lo) < 0 ||
	    h5u_attr_f64(g, "hi", &hi) < 0 || h5u_attr_f64(g, "mean_similarity", &mean_sim) < 0)
		goto fail;
	if (ntr != 1 || nte != 1 || n < 1 || n > (1 << 30) || bins < 1 || bins > (1 << 20)) {
		err_set("expected one train and test name, n and bins >= 1 (n %lld, bins %lld)",
			(long long)n, (long long)bins);
		goto fail;
	}
	if (h5u_read_alloc(g, "values", H5T_NATIVE_FLOAT, (size_t)n, (void **)&v) < 0)
		goto fail;
	h = hist_new(name, tr[0], te[0], v, (size_t)n, (size_t)bins, given != 0, lo, hi, mean_sim);
	if (!h)
		goto fail;
	h5u_strings_free(tr, ntr);
	h5u_strings_free(te, nte);
	free(v);
	return &h->base;
fail:
	err_prefix("hist %s", name);
	h5u_strings_free(tr, ntr);
	h5u_strings_free(te, nte);
	free(v);
	return NULL;
}

/* Bars of the counts over the edges, a marker at the median; `plot` of
 * several hists overlays them as in the paper's figure 15. */
static int hist_chart(const struct obj *o, struct chart *c)
{
	const struct hist *h = (const struct hist *)o;
	memset(c, 0, sizeof *c);
	c->kind = CHART_HIST;
	c->title = "max cosine to train / mean train-test cosine";
	c->xlabel = "normalised max similarity";
	c->ylabel = "test rows";
	struct chart_series *s = &c->series[c->n_series++];
	s->label = o->name;
	s->x = h->edges;
	s->y = h->count;
	s->n = h->bins;
	s->stride = 1;
	c->mark[c->n_marks].x = h->median;
	c->mark[c->n_marks++].label = "median";
	return 0;
}

/* [bins, 3]: bin_start, bin_end, count (the columns of its CSV) */
static int hist_array(const struct obj *o, struct obj_array *a)
{
	const struct hist *h = (const struct hist *)o;
	double *v = obj_array_f64(a, h->bins, 3);
	if (!v)
		return -1;
	for (size_t i = 0; i < h->bins; i++) {
		v[3 * i] = h->edges[i];
		v[3 * i + 1] = h->edges[i + 1];
		v[3 * i + 2] = h->count[i];
	}
	return 0;
}

const struct obj_type hist_type = {
	.name = "hist",
	.free = hist_free,
	.describe = hist_describe,
	.shape = hist_shape,
	.bytes = hist_bytes,
	.save = hist_save,
	.load = hist_load,
	.chart = hist_chart,
	.array = hist_array,
};
