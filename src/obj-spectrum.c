/* obj-spectrum.c - singular value spectra (see obj-spectrum.h).
 *
 * Saved layout: /NAME/sigma float64 [k]; attributes source (string), n, d,
 * zero_rows, rows_normalized, tail_index (int64), method (string), and the
 * summary as float64: effective_rank, energy_top1, energy_top10,
 * energy_top100.  Loading reads sigma and recomputes the rest from it. */
#include "obj-spectrum.h"
#include "chart.h"
#include "err.h"
#include "h5-attrio.h"
#include "h5-util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void spectrum_free(struct obj *o)
{
	struct spectrum *sp = (struct spectrum *)o;
	free(sp->source);
	free(sp->sigma);
	free(sp->norm);
	obj_fini(o);
	free(sp);
}

struct spectrum *spectrum_new_top(const char *name, const char *source, size_t n, size_t d,
				  const double *sigma, size_t top, double frob2, int normalized,
				  enum spectrum_method method, size_t zero_rows)
{
	size_t k = n < d ? n : d;
	int is_top = top < k;
	if (is_top)
		k = top;
	if (k == 0) {
		err_set("spectrum of an empty matrix (%zu x %zu)", n, d);
		return NULL;
	}
	for (size_t i = 0; i < k; i++)
		if (!(sigma[i] >= 0.0) || !isfinite(sigma[i]) || (i && sigma[i] > sigma[i - 1])) {
			err_set("singular value %zu (%g) is not finite, >= 0 and at most the "
				"one before", i + 1, sigma[i]);
			return NULL;
		}
	struct spectrum *sp = calloc(1, sizeof *sp);
	if (!sp || obj_init(&sp->base, &spectrum_type, name) < 0) {
		free(sp);
		return err_nomem("spectrum", sizeof *sp);
	}
	sp->source = strdup(source);
	sp->sigma = malloc(k * sizeof *sp->sigma);
	sp->norm = malloc(k * sizeof *sp->norm);
	if (!sp->source || !sp->sigma || !sp->norm) {
		spectrum_free(&sp->base);
		return err_nomem("spectrum", 2 * k * sizeof(double));
	}
	sp->n = n;
	sp->d = d;
	sp->k = k;
	sp->top = is_top;
	sp->frob2 = frob2;
	sp->zero_rows = zero_rows;
	sp->normalized = normalized;
	sp->method = method;
	memcpy(sp->sigma, sigma, k * sizeof *sigma);
	for (size_t i = 0; i < k; i++)
		sp->norm[i] = sigma[0] > 0.0 ? sigma[i] / sigma[0] : 0.0;
	if (is_top)
		spectrum_summarize_top(&sp->sum, sigma, k, frob2);
	else
		spectrum_summarize(&sp->sum, sigma, k);
	return sp;
}

struct spectrum *spectrum_new(const char *name, const char *source, size_t n, size_t d,
			      const double *sigma, int normalized,
			      enum spectrum_method method, size_t zero_rows)
{
	return spectrum_new_top(name, source, n, d, sigma, SIZE_MAX, 0.0, normalized, method,
				zero_rows);
}

/* "12.34%", or "-" for a share the top values cannot give (NaN). */
static const char *pct(char *buf, size_t cap, double v)
{
	if (isnan(v))
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%.2f%%", 100.0 * v);
	return buf;
}

/* method=gram32: its error bound (spectrum_gram32_bound) at the top 10
 * and the last value, and from which i on it passes 1e-4 and 1e-2 */
static void print_gram32_bound(const struct spectrum *sp, FILE *out)
{
	double f2 = sp->frob2;
	if (!sp->top)
		for (size_t i = 0; i < sp->k; i++)
			f2 += sp->sigma[i] * sp->sigma[i];
	double s1 = sp->sigma[0], frob = sqrt(f2);
	size_t t10 = sp->k < 10 ? sp->k : 10, over[2] = { 0, 0 };
	const double lim[2] = { 1e-4, 1e-2 };
	for (size_t i = sp->k; i-- > 0;)
		for (int l = 0; l < 2; l++)
			if (spectrum_gram32_bound(s1, frob, sp->sigma[i]) > lim[l])
				over[l] = i + 1;
	fprintf(out, "  gram32 (float Gram) relative error bound: %g eps_f (sigma_1/sigma_i)^2 + "
		"eps_f ||A||_F/sigma_i\n    %.1e at sigma_%zu, %.1e at sigma_%zu", SPECTRUM_GRAM32_C,
		spectrum_gram32_bound(s1, frob, sp->sigma[t10 - 1]), t10,
		spectrum_gram32_bound(s1, frob, sp->sigma[sp->k - 1]), sp->k);
	for (int l = 0; l < 2; l++)
		if (over[l])
			fprintf(out, "; over %g from i = %zu", lim[l], over[l]);
	fprintf(out, "\n");
}

/* The summary; its first line starts "NAME: " when named (after `svd`),
 * is indented under `show`'s own header otherwise. */
static void print_summary(const struct spectrum *sp, FILE *out, int named)
{
	const struct spectrum_summary *s = &sp->sum;
	char e[3][32];
	fprintf(out, "%s%sspectrum of %s (%zu x %zu%s), %s%zu values by %s\n",
		named ? sp->base.name : " ", named ? ": " : " ", sp->source, sp->n, sp->d,
		sp->normalized ? ", rows normalised" : "", sp->top ? "the top " : "", sp->k,
		spectrum_method_name(sp->method));
	if (sp->zero_rows)
		fprintf(out, "  all-zero rows: %zu (kept as zero)\n", sp->zero_rows);
	if (sp->top)
		fprintf(out, "  sigma_1 %.6g (effective rank: needs every value)\n", s->sigma1);
	else
		fprintf(out, "  sigma_1 %.6g, effective rank %.2f of %zu\n", s->sigma1,
			s->eff_rank, s->k);
	fprintf(out, "  energy in the top 1 / 10 / 100 values: %s / %s / %s\n",
		pct(e[0], sizeof e[0], s->energy[0]), pct(e[1], sizeof e[1], s->energy[1]),
		pct(e[2], sizeof e[2], s->energy[2]));
	if (s->tail_index)
		fprintf(out, "  sigma_i / sigma_1 < %g from i = %zu\n", SPECTRUM_TAIL_RATIO,
			s->tail_index);
	else
		fprintf(out, "  sigma_i / sigma_1 >= %g for every i%s\n", SPECTRUM_TAIL_RATIO,
			sp->top ? " of the top values" : "");
	if (sp->method == SPECTRUM_GRAM32)
		print_gram32_bound(sp, out);
}

void spectrum_print_summary(const struct spectrum *sp, FILE *out)
{
	print_summary(sp, out, 1);
}

static void spectrum_describe(const struct obj *o, FILE *out)
{
	const struct spectrum *sp = (const struct spectrum *)o;
	print_summary(sp, out, 0);
	size_t top = sp->k < 10 ? sp->k : 10;
	fprintf(out, "  top values (i, sigma_i, sigma_i / sigma_1):\n");
	for (size_t i = 0; i < top; i++)
		fprintf(out, "    %3zu  %12.6g  %.6f\n", i + 1, sp->sigma[i], sp->norm[i]);
	if (sp->k > top)
		fprintf(out, "    ...\n    %3zu  %12.6g  %.6g (%s)\n", sp->k,
			sp->sigma[sp->k - 1], sp->norm[sp->k - 1],
			sp->top ? "the last one computed" : "smallest");
}

static void spectrum_shape(const struct obj *o, char *buf, size_t cap)
{
	snprintf(buf, cap, "%zu values", ((const struct spectrum *)o)->k);
}

static size_t spectrum_bytes(const struct obj *o)
{
	const struct spectrum *sp = (const struct spectrum *)o;
	return sizeof *sp + 2 * sp->k * sizeof(double) + strlen(sp->source) + 1;
}

static int spectrum_save(const struct obj *o, hid_t g)
{
	const struct spectrum *sp = (const struct spectrum *)o;
	const struct spectrum_summary *s = &sp->sum;
	hsize_t k = sp->k;
	return h5u_write_dataset(g, "sigma", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &k,
				 sp->sigma) < 0 ||
	       h5u_write_str_attr(g, "source", sp->source) < 0 ||
	       h5u_write_str_attr(g, "method", spectrum_method_name(sp->method)) < 0 ||
	       h5u_write_i64_attr(g, "n", (int64_t)sp->n) < 0 ||
	       h5u_write_i64_attr(g, "d", (int64_t)sp->d) < 0 ||
	       h5u_write_i64_attr(g, "zero_rows", (int64_t)sp->zero_rows) < 0 ||
	       h5u_write_i64_attr(g, "rows_normalized", sp->normalized) < 0 ||
	       h5u_write_i64_attr(g, "tail_index", (int64_t)s->tail_index) < 0 ||
	       h5u_write_f64_attr(g, "effective_rank", s->eff_rank) < 0 ||
	       h5u_write_f64_attr(g, "energy_top1", s->energy[0]) < 0 ||
	       h5u_write_f64_attr(g, "energy_top10", s->energy[1]) < 0 ||
	       h5u_write_f64_attr(g, "energy_top100", s->energy[2]) < 0 ||
	       (sp->top && (h5u_write_i64_attr(g, "top", (int64_t)sp->k) < 0 ||
			    h5u_write_f64_attr(g, "frobenius2", sp->frob2) < 0)) ? -1 : 0;
}

/* A non-negative int64 attribute that must be there, as a size_t. */
static int read_size(hid_t g, const char *name, size_t *out)
{
	int64_t v;
	int rc = h5u_attr_i64(g, name, &v);
	if (rc == 0)
		err_set("no attribute '%s'", name);
	else if (rc > 0 && v < 0)
		err_set("attribute '%s' is negative (%lld)", name, (long long)v);
	if (rc <= 0 || v < 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

static struct obj *spectrum_load(hid_t g, const char *name)
{
	char **src = NULL, **meth = NULL;
	size_t nsrc = 0, nmeth = 0, n = 0, d = 0, zero = 0, normalized = 1;
	double *sigma = NULL;
	struct spectrum *sp = NULL;
	if (h5u_attr_text(g, "source", &src, &nsrc) < 0 ||
	    h5u_attr_text(g, "method", &meth, &nmeth) < 0 || read_size(g, "n", &n) < 0 ||
	    read_size(g, "d", &d) < 0 || read_size(g, "zero_rows", &zero) < 0 ||
	    read_size(g, "rows_normalized", &normalized) < 0)
		goto fail;
	size_t k = n < d ? n : d, top = SIZE_MAX;
	double frob2 = 0.0;
	int64_t t64;
	int has_top = h5u_attr_i64(g, "top", &t64);
	if (has_top < 0 || (has_top > 0 && h5u_attr_f64(g, "frobenius2", &frob2) < 0))
		goto fail;
	if (has_top > 0) {
		if (t64 < 1 || (uint64_t)t64 >= k) {
			err_set("attribute 'top' (%lld) is not 1 to min(n, d) - 1", (long long)t64);
			goto fail;
		}
		top = k = (size_t)t64;
	}
	if (nsrc != 1 || nmeth != 1 || k == 0 || k > (1u << 30)) {
		err_set("expected one source and method string and n, d >= 1 (got %zu x %zu)",
			n, d);
		goto fail;
	}
	if (h5u_read_alloc(g, "sigma", H5T_NATIVE_DOUBLE, k, (void **)&sigma) < 0)
		goto fail;
	enum spectrum_method m = strcmp(meth[0], "svd") == 0	? SPECTRUM_SVD
				 : strcmp(meth[0], "krylov") == 0 ? SPECTRUM_KRYLOV
				 : strcmp(meth[0], "gram32") == 0 ? SPECTRUM_GRAM32
								  : SPECTRUM_GRAM;
	sp = spectrum_new_top(name, src[0], n, d, sigma, top, frob2, normalized != 0, m, zero);
	if (!sp)
		goto fail;
	h5u_strings_free(src, nsrc);
	h5u_strings_free(meth, nmeth);
	free(sigma);
	return &sp->base;
fail:
	err_prefix("spectrum %s", name);
	h5u_strings_free(src, nsrc);
	h5u_strings_free(meth, nmeth);
	free(sigma);
	return NULL;
}

/* One series: sigma_i / sigma_1 against i = 1..k on a log y axis, so that
 * `plot` can overlay several spectra as in the paper's figure 11. */
static int spectrum_chart(const struct obj *o, struct chart *c)
{
	const struct spectrum *sp = (const struct spectrum *)o;
	if (!(sp->sum.sigma1 > 0.0)) {
		err_set("%s: every singular value is 0; nothing to draw", o->name);
		return -1;
	}
	memset(c, 0, sizeof *c);
	c->kind = CHART_LINE;
	c->title = "singular values, sorted";
	c->xlabel = "index i";
	c->ylabel = "sigma_i / sigma_1";
	c->logy = 1;
	struct chart_series *s = &c->series[c->n_series++];
	s->label = o->name;
	s->x = NULL;
	s->x0 = 1.0;
	s->dx = 1.0;
	s->y = sp->norm;
	s->n = sp->k;
	s->stride = 1;
	return 0;
}

/* [k]: the singular values, descending */
static int spectrum_array(const struct obj *o, struct obj_array *a)
{
	const struct spectrum *sp = (const struct spectrum *)o;
	*a = (struct obj_array){ "<f8", 1, { sp->k, 0 }, sp->sigma, NULL };
	return 0;
}

const struct obj_type spectrum_type = {
	.name = "spectrum",
	.free = spectrum_free,
	.describe = spectrum_describe,
	.shape = spectrum_shape,
	.bytes = spectrum_bytes,
	.save = spectrum_save,
	.load = spectrum_load,
	.chart = spectrum_chart,
	.array = spectrum_array,
};
