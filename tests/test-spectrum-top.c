/* test-spectrum-top.c - the top singular values by block Krylov
 * (spectrum_top, eval-spectrum-top.c) and the top spectrum object.
 *
 *  - matrices of known spectrum, condition 1e6, tall and wide: the top 10
 *    against the constructed values and against dgesdd (the full svd path)
 *    on the same float data, within the float-data bound; the top values
 *    of a geometric spectrum stay within 1e-4 of dgesdd
 *  - normalised rows: the top of the normalised spectrum as the full path
 *  - the stopping rule: a clustered top (relative gaps 1e-3, no gap after
 *    the K-th value), every value within its reported residual bound of
 *    dgesdd's, every bound at most 1e-5 (what the rule promises), the
 *    top 10 within 1e-4; a rule that stopped before the residuals were
 *    small fails the bound check, one that trusted small bounds wrongly
 *    fails the comparison
 *  - a K too large for the iteration: the full path, cut, to the bit
 *  - the summary of a top spectrum: energies over the whole sum of squares
 *  - refusals: top=0, top > min(n, d) */
#include "tap.h"
#include "spectrum-known.h"

#include "eval-spectrum-int.h"
#include "obj-spectrum.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A [n x d] of known spectrum sigma_i = ratio^i */
static struct mat geometric(size_t n, size_t d, double ratio, double *s, uint64_t seed)
{
	for (size_t i = 0; i < d; i++)
		s[i] = pow(ratio, (double)i);
	return known(n, d, s, seed);
}

static void test_known(size_t n, size_t d)
{
	size_t k = n < d ? n : d, top = 10;
	double *s = malloc(k * sizeof *s), *full = malloc(k * sizeof *full), got[10];
	spectrum_cond6(s, k);
	struct mat a = known(n, d, s, n * 31 + d);
	struct spectrum_top_info ti;
	must(spectrum_top(got, top, &a, 0, SPECTRUM_AUTO, &ti, NULL) == 0, "top");
	must(spectrum_compute(full, &a, 0, SPECTRUM_SVD, NULL, NULL) == 0, "svd");
	double fro = 0.0;
	for (size_t i = 0; i < k; i++)
		fro += s[i] * s[i];
	/* float rounding of A moves each sigma by at most 2^-24 ||A||_F (Weyl);
	 * the iteration's own float GEMMs add about as much */
	double bound = 0x1p-24 * sqrt(fro), e_c = 0.0, e_v = 0.0;
	for (size_t i = 0; i < top; i++) {
		double ec = fabs(got[i] - s[i]) / bound, ev = fabs(got[i] - full[i]) / bound;
		e_c = ec > e_c ? ec : e_c;
		e_v = ev > e_v ? ev : e_v;
	}
	tap_ok(ti.method == SPECTRUM_KRYLOV && ti.converged && ti.bound <= 1e-5,
	       "%zu x %zu, condition %.0e: krylov converged in %zu blocks of %zu, bound %.2g "
	       "(at most 1e-5)", n, d, s[0] / s[k - 1], ti.blocks, ti.block, ti.bound);
	tap_ok(e_c <= 4.0, "%zu x %zu top 10 vs constructed: max |err| %.3g x 2^-24 ||A||_F "
	       "(tol 4)", n, d, e_c);
	tap_ok(e_v <= 4.0, "%zu x %zu top 10 vs dgesdd: max |err| %.3g x 2^-24 ||A||_F (tol 4); "
	       "max rel %.3g", n, d, e_v, max_rel(got, full, top));
	tap_ok(fabs(ti.frob2 - fro) <= 1e-5 * fro, "%zu x %zu: sum of squares %.9g (want %.9g)",
	       n, d, ti.frob2, fro);
	mat_free(&a);
	free(s);
	free(full);
}

/* A slow geometric fall (ratio 0.97 a value) and K = 40: the iteration
 * reaches its cap of min(n, d)/2 vectors about when it converges; either
 * it converged, or the full path ran (never unconverged values), and the
 * top 40 are within 1e-4 (relative) of dgesdd. */
static void test_slow_decay(void)
{
	size_t n = 1500, d = 400, top = 40;
	double s[400], full[400], got[40];
	struct mat a = geometric(n, d, 0.97, s, 11);
	struct spectrum_top_info ti;
	must(spectrum_top(got, top, &a, 0, SPECTRUM_KRYLOV, &ti, NULL) == 0, "top");
	must(spectrum_compute(full, &a, 0, SPECTRUM_SVD, NULL, NULL) == 0, "svd");
	double e = max_rel(got, full, top);
	int ok = (ti.method == SPECTRUM_KRYLOV && ti.converged) || ti.method == SPECTRUM_GRAM;
	tap_ok(ok && e <= 1e-4,
	       "1500 x 400, sigma_i = 0.97^i, top 40 by %s (%zu blocks of %zu): max rel err %.3g "
	       "vs dgesdd (tol 1e-4)", spectrum_method_name(ti.method), ti.blocks, ti.block, e);
	mat_free(&a);
}

/* The top 16 in a cluster sigma_i = 1 - 1e-3 i, the rest 0.98 ... 0.98^385
 * below it (the 17th is 0.98, 1.5% under the 16th): K = 12 asks for
 * values inside the cluster, with no gap after the 12th. */
static void test_clustered(void)
{
	size_t n = 2000, d = 400, top = 12;
	double s[400], full[400], got[12], bound[12], scale[2000];
	for (size_t i = 0; i < d; i++)
		s[i] = i < 16 ? 1.0 - 1e-3 * (double)i : pow(0.98, (double)(i - 15));
	struct mat a = known(n, d, s, 77);
	for (size_t i = 0; i < n; i++)
		scale[i] = 1.0;
	struct spectrum_top_info ti = { 0 };
	must(spectrum_top_krylov(got, bound, top, &a, scale, &ti) == 0, "krylov");
	must(spectrum_compute(full, &a, 0, SPECTRUM_SVD, NULL, NULL) == 0, "svd");
	double fro = 0.0;
	for (size_t i = 0; i < d; i++)
		fro += s[i] * s[i];
	/* the bound covers the iteration; the float data and products add
	 * about 2^-24 ||A||_F each (see test_known) */
	double slack = 4.0 * 0x1p-24 * sqrt(fro), worst = 0.0, out = 0.0;
	for (size_t i = 0; i < top; i++) {
		double e = fabs(got[i] - full[i]), allowed = bound[i] * got[i] + slack;
		out = e / allowed > out ? e / allowed : out;
		worst = bound[i] > worst ? bound[i] : worst;
	}
	double e = max_rel(got, full, 10);
	tap_ok(ti.converged && worst <= 1e-5 && worst == ti.bound,
	       "clustered top, K = 12: converged in %zu blocks of %zu, largest bound %.3g "
	       "(at most 1e-5, reported %.3g)", ti.blocks, ti.block, worst, ti.bound);
	tap_ok(out <= 1.0, "clustered top: every value within its bound of dgesdd's "
	       "(worst %.3g of the allowed)", out);
	tap_ok(e <= 1e-4, "clustered top: top 10 max rel err %.3g vs dgesdd (tol 1e-4)", e);
	mat_free(&a);
}

/* Rows rescaled 1e-2..1e2 with a few zero rows: normalize=1 gives the top
 * of the full normalised spectrum. */
static void test_normalised(void)
{
	size_t n = 900, d = 256, top = 12;
	double s[256], full[256], got[12];
	struct mat a = geometric(n, d, 0.9, s, 5);
	struct rng r;
	rng_seed(&r, 9, 1);
	for (size_t i = 0; i < n; i++) {
		float f = i % 97 == 3 ? 0.0f : powf(10.0f, rng_uniform(&r, -2.0f, 2.0f));
		for (size_t c = 0; c < d; c++)
			mat_row(&a, i)[c] *= f;
	}
	size_t z1, z2;
	struct spectrum_top_info ti;
	must(spectrum_top(got, top, &a, 1, SPECTRUM_AUTO, &ti, &z1) == 0, "top");
	must(spectrum_compute(full, &a, 1, SPECTRUM_SVD, NULL, &z2) == 0, "svd");
	double e = max_rel(got, full, top);
	tap_ok(ti.method == SPECTRUM_KRYLOV && e <= 1e-5 && z1 == z2 && z1 == 10 &&
	       fabs(ti.frob2 - (double)(n - z1)) <= 1e-9 * (double)n,
	       "normalised rows: top 12 by krylov, max rel err %.3g vs dgesdd (tol 1e-5); "
	       "%zu zero rows (want 10); sum of squares %.10g (want %zu)", e, z1, ti.frob2,
	       n - z1);
	mat_free(&a);
}

/* K above min(n, d)/4 - 8: the full gram path, cut to K, to the bit;
 * method=svd with top cuts dgesdd's; refusals. */
static void test_fallback(void)
{
	size_t n = 300, d = 100;
	double s[100], full[100], got[30];
	for (size_t i = 0; i < d; i++)
		s[i] = 1.0 / (1.0 + (double)i);
	struct mat a = known(n, d, s, 2);
	struct spectrum_top_info ti;
	must(spectrum_compute(full, &a, 1, SPECTRUM_GRAM, NULL, NULL) == 0, "gram");
	must(spectrum_top(got, 30, &a, 1, SPECTRUM_AUTO, &ti, NULL) == 0, "top 30");
	tap_ok(ti.method == SPECTRUM_GRAM && memcmp(got, full, sizeof got) == 0,
	       "100 columns, top=30: %s, the full spectrum's first 30 to the bit",
	       spectrum_method_name(ti.method));
	must(spectrum_compute(full, &a, 1, SPECTRUM_SVD, NULL, NULL) == 0, "svd");
	must(spectrum_top(got, 5, &a, 1, SPECTRUM_SVD, &ti, NULL) == 0, "top 5 svd");
	tap_ok(ti.method == SPECTRUM_SVD && memcmp(got, full, 5 * sizeof *got) == 0,
	       "method=svd top=5: dgesdd's first 5");
	tap_ok(spectrum_top(got, 0, &a, 1, SPECTRUM_AUTO, NULL, NULL) < 0 &&
	       strstr(err_msg(), "top=0"), "top=0 refused: %s", err_msg());
	tap_ok(spectrum_top(got, 101, &a, 1, SPECTRUM_AUTO, NULL, NULL) < 0 &&
	       strstr(err_msg(), "top=101"), "top=101 of 100 refused: %s", err_msg());
	mat_free(&a);
}

/* The top object's summary: energies over frob2 equal the full one's. */
static void test_summary(void)
{
	double s[300];
	for (size_t i = 0; i < 300; i++)
		s[i] = 1.0 / (1.0 + (double)i);
	double f2 = 0.0;
	for (size_t i = 0; i < 300; i++)
		f2 += s[i] * s[i];
	struct spectrum *full = spectrum_new("f", "x", 1000, 300, s, 1, SPECTRUM_GRAM, 0);
	struct spectrum *t = spectrum_new_top("t", "x", 1000, 300, s, 20, f2, 1, SPECTRUM_KRYLOV, 0);
	must(full && t, "spectrum_new");
	tap_ok(t->top && t->k == 20 && fabs(t->sum.energy[0] - full->sum.energy[0]) < 1e-15 &&
	       fabs(t->sum.energy[1] - full->sum.energy[1]) < 1e-15 && isnan(t->sum.energy[2]) &&
	       isnan(t->sum.eff_rank) && t->sum.tail_index == 0 && full->sum.tail_index == 101,
	       "top 20 of 300: energy top1 %.6f top10 %.6f as the full one's, top100 and the "
	       "effective rank unknown, tail index %zu (full %zu)", t->sum.energy[0],
	       t->sum.energy[1], t->sum.tail_index, full->sum.tail_index);
	obj_free(&full->base);
	obj_free(&t->base);
}

int main(void)
{
	test_known(3000, 512);
	test_known(256, 2400);
	test_slow_decay();
	test_clustered();
	test_normalised();
	test_fallback();
	test_summary();
	return tap_done();
}
