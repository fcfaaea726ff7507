/* test-spectrum-gram32.c - `svd X method=gram32` (eval-spectrum.c): the
 * Gram matrix by float SSYRK per block of rows, summed in double, and the
 * error bound it prints (spectrum_gram32_bound).
 *
 *  - matrices of known spectrum (rotated: the float Gram's worst case),
 *    condition 1e3 tall and wide and condition 1e6 tall: every value within
 *    its bound of dgesdd's on the same float data, and the bound not
 *    vacuous (condition 1e6 loses its small values, as the bound says it
 *    may; the double Gram keeps them: why auto never picks gram32)
 *  - normalised rows of spread norms and zero rows: within the bound
 *  - auto picks the double Gram on every one of these shapes
 *  - a streamed source (spectrum_compute_rows) gives the same bits as the
 *    matrix in memory
 * (tests/gram32.sh runs the command: its output, save and load.) */
#include "tap.h"
#include "spectrum-known.h"

#include "eval-spectrum.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* log-spaced over `decades`, sigma_1 = 1 */
static void log_spaced(double *s, size_t k, double decades)
{
	for (size_t i = 0; i < k; i++)
		s[i] = pow(10.0, -decades * (double)i / (double)(k - 1));
}

/* the largest |g_i - v_i| / (v_i bound_i), bound_i from the values v; *at
 * its index; *rel the largest relative error */
static double worst_vs_bound(const double *g, const double *v, size_t k, size_t *at,
			     double *rel)
{
	double f2 = 0.0, w = 0.0;
	for (size_t i = 0; i < k; i++)
		f2 += v[i] * v[i];
	*rel = 0.0;
	*at = 0;
	for (size_t i = 0; i < k; i++) {
		double e = fabs(g[i] - v[i]) / v[i];
		double r = e / spectrum_gram32_bound(v[0], sqrt(f2), v[i]);
		*rel = e > *rel ? e : *rel;
		if (!(r <= w)) {
			w = r;
			*at = i;
		}
	}
	return w;
}

static void test_known_bound(size_t n, size_t d, double decades, int normalize)
{
	size_t k = n < d ? n : d, at;
	double *s = malloc(k * sizeof *s), *g = malloc(k * sizeof *g),
	       *v = malloc(k * sizeof *v), *dg = malloc(k * sizeof *dg), rel;
	log_spaced(s, k, decades);
	struct mat a = known(n, d, s, n * 7 + d);
	if (normalize) /* spread row norms, every 50th row zero */
		for (size_t i = 0; i < n; i++) {
			float f = i % 50 == 7 ? 0.0f : powf(10.0f, (float)(i % 9) / 4.0f - 1.0f);
			for (size_t c = 0; c < d; c++)
				mat_row(&a, i)[c] *= f;
		}
	enum spectrum_method u32, ua;
	must(spectrum_compute(g, &a, normalize, SPECTRUM_GRAM32, &u32, NULL) == 0, "gram32");
	must(spectrum_compute(v, &a, normalize, SPECTRUM_SVD, NULL, NULL) == 0, "svd");
	must(spectrum_compute(dg, &a, normalize, SPECTRUM_AUTO, &ua, NULL) == 0, "auto");
	double w = worst_vs_bound(g, v, k, &at, &rel);
	tap_ok(u32 == SPECTRUM_GRAM32 && w <= 1.0,
	       "%zu x %zu, %g decades%s: gram32 vs dgesdd: worst error %.3g x its bound (at "
	       "i=%zu, sigma_i/sigma_1 %.2g; tol 1), largest relative error %.3g", n, d,
	       decades, normalize ? ", rows normalised" : "", w, at + 1, v[at] / v[0], rel);
	double top10 = max_rel(g, v, 10);
	tap_ok(top10 <= 1e-5, "%zu x %zu: gram32's top 10 within %.3g of dgesdd (tol 1e-5)", n,
	       d, top10);
	tap_ok(ua == SPECTRUM_GRAM, "%zu x %zu: auto chose %s (the double Gram)", n, d,
	       spectrum_method_name(ua));
	if (decades >= 6.0) {
		/* the float Gram loses the small values; the double one keeps them */
		double dg_rel = max_rel(dg, v, k);
		tap_ok(rel > 1e-2 && dg_rel < 1e-3,
		       "%zu x %zu, condition 1e6: gram32 off by %.3g somewhere (want > 1e-2, "
		       "the bound allows it), the double Gram by %.3g at most (want < 1e-3)", n,
		       d, rel, dg_rel);
	}
	free(s);
	free(g);
	free(v);
	free(dg);
	mat_free(&a);
}

struct mem_rows {
	const struct mat *a;
};

static int read_mem(void *ctx, size_t i0, size_t nr, float *out)
{
	const struct mem_rows *m = ctx;
	memcpy(out, mat_row(m->a, i0), nr * m->a->cols * sizeof *out);
	return 0;
}

/* a tall matrix over several blocks (8 MiB of floats: 4096 rows of 512,
 * so 9000 rows are three blocks, the last one short) */
static void test_streamed(void)
{
	size_t n = 9000, d = 512;
	double *s = malloc(d * sizeof *s), *g = malloc(d * sizeof *g), *h = malloc(d * sizeof *h);
	log_spaced(s, d, 3.0);
	struct mat a = known(n, d, s, 11);
	struct mem_rows m = { &a };
	struct spectrum_rows src = { n, d, read_mem, &m };
	enum spectrum_method u1, u2;
	must(spectrum_compute(g, &a, 1, SPECTRUM_GRAM32, &u1, NULL) == 0, "gram32");
	must(spectrum_compute_rows(h, &src, 1, SPECTRUM_GRAM32, &u2, NULL) == 0, "rows");
	tap_ok(u1 == SPECTRUM_GRAM32 && u2 == SPECTRUM_GRAM32 && memcmp(g, h, d * sizeof *g) == 0,
	       "gram32 of a streamed %zu x %zu source = in memory, bit for bit", n, d);
	free(s);
	free(g);
	free(h);
	mat_free(&a);
}

static void test_name(void)
{
	tap_ok(strcmp(spectrum_method_name(SPECTRUM_GRAM32), "gram32") == 0,
	       "the method is named gram32");
	double b = spectrum_gram32_bound(1.0, 1.0, 0.01);
	tap_ok(fabs(b - (2.0 * 0x1p-23 * 1e4 + 0x1p-23 * 100.0)) <= 1e-15 &&
	       isinf(spectrum_gram32_bound(1.0, 1.0, 0.0)),
	       "bound at sigma_i = 1e-2 sigma_1, ||A||_F = sigma_1: %.4g (2 eps_f 1e4 + "
	       "eps_f 1e2); infinite at 0", b);
}

int main(void)
{
	test_known_bound(4000, 256, 3.0, 0);
	test_known_bound(120, 1500, 3.0, 0);
	test_known_bound(3000, 128, 6.0, 0);
	test_known_bound(3000, 200, 3.0, 1);
	test_streamed();
	test_name();
	return tap_done();
}
