/* test-analysis.c - the analyses of section 5 / appendices A.2 and B:
 *
 *  - spectra: the raw-SVD core (normalize off) on matrices with known
 *    singular values (diagonal; U diag(s) V^T with random orthogonal U, V
 *    from a QR; tall and wide; exactly rank-deficient), the Gram path
 *    against LAPACK dgesdd on the same data within the error bound of the
 *    header, the normalising wrapper on unit-row matrices of known spectrum
 *    whose rows were rescaled, the summary on hand-made values;
 *  - NN histograms: the mean-similarity identity against the mean of all
 *    pairwise cosines, the blocked max similarity against brute force, a
 *    hand-made pair, exact bin counts and medians, the errors;
 *  - the linear probe: its gradients against finite differences of the
 *    double-precision objective, the stratified split, ~100% on a linearly
 *    separable toy set, bit-identical reruns for a seed;
 *  - save and load of the three object types through the HDF5 store. */
#include "err.h"
#include "eval-nnhist.h"
#include "eval-probe.h"
#include "eval-spectrum.h"
#include "h5-store.h"
#include "mat.h"
#include "obj-hist.h"
#include "obj-probe.h"
#include "obj-spectrum.h"
#include "rng.h"
#include "tap.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EPS_D DBL_EPSILON /* 2.2e-16 */

static void must(int ok, const char *what)
{
	if (!ok) {
		printf("Bail out! %s: %s\n", what, err_msg());
		exit(1);
	}
}

static struct mat new_mat(size_t rows, size_t cols)
{
	struct mat m;
	must(mat_init(&m, rows, cols, "test matrix") == 0, "mat_init");
	return m;
}

static double gauss(struct rng *r)
{
	double u = (rng_next(r) >> 11) * 0x1p-53, v = (rng_next(r) >> 11) * 0x1p-53;
	return sqrt(-2.0 * log(u + 0x1p-60)) * cos(2.0 * M_PI * v);
}

/* q [rows x cols] (rows >= cols, row-major) with orthonormal columns: the
 * Q of a QR of a Gaussian matrix. */
static void random_orthonormal(double *q, size_t rows, size_t cols, struct rng *r)
{
	double *tau = malloc(cols * sizeof *tau);
	for (size_t i = 0; i < rows * cols; i++)
		q[i] = gauss(r);
	must(LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (int)rows, (int)cols, q, (int)cols, tau) == 0,
	     "dgeqrf");
	must(LAPACKE_dorgqr(LAPACK_ROW_MAJOR, (int)rows, (int)cols, (int)cols, q, (int)cols,
			    tau) == 0, "dorgqr");
	free(tau);
}

/* A [n x d] = U diag(s) V^T rounded to float, U [n x k], V [d x k]
 * orthonormal, k = min(n, d).  *exact gets s sorted as given. */
static struct mat with_singular_values(size_t n, size_t d, const double *s, struct rng *r)
{
	size_t k = n < d ? n : d;
	double *u = malloc(n * k * sizeof *u), *v = malloc(d * k * sizeof *v);
	random_orthonormal(u, n, k, r);
	random_orthonormal(v, d, k, r);
	struct mat a = new_mat(n, d);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++) {
			double x = 0.0;
			for (size_t t = 0; t < k; t++)
				x += u[i * k + t] * s[t] * v[j * k + t];
			mat_row(&a, i)[j] = (float)x;
		}
	free(u);
	free(v);
	return a;
}

/* max over i of |a_i - b_i| / (scale_i), and where */
static double worst(const double *a, const double *b, const double *scale, size_t k,
		    size_t *at)
{
	double w = 0.0;
	*at = 0;
	for (size_t i = 0; i < k; i++) {
		double e = fabs(a[i] - b[i]) / scale[i];
		if (!(e <= w)) {
			w = isnan(e) ? INFINITY : e;
			*at = i;
		}
	}
	return w;
}

static void test_diagonal(void)
{
	/* tall 40 x 8 and wide 8 x 40: a scaled permutation, so both Gram
	 * matrices are diagonal and every path must be exact in float */
	const float s[8] = { 0.5f, 3.0f, 1e-6f, 1e-1f, 1e-2f, 1.0f, 1e-4f, 1e-3f };
	const double sorted[8] = { 3.0, 1.0, 0.5, 1e-1f, 1e-2f, 1e-3f, 1e-4f, 1e-6f };
	for (int wide = 0; wide < 2; wide++) {
		struct mat a = wide ? new_mat(8, 40) : new_mat(40, 8);
		for (size_t t = 0; t < 8; t++) {
			size_t row = wide ? t : 5 * t, col = wide ? 3 * t + 1 : 7 - t;
			mat_row(&a, row)[col] = s[t];
		}
		for (int m = SPECTRUM_GRAM; m <= SPECTRUM_SVD; m++) {
			double sig[8], rel[8];
			enum spectrum_method used;
			int rc = spectrum_compute(sig, &a, 0, (enum spectrum_method)m, &used, NULL);
			for (size_t i = 0; i < 8; i++)
				rel[i] = sorted[i];
			size_t at = 0;
			double e = rc ? INFINITY : worst(sig, sorted, rel, 8, &at);
			tap_ok(rc == 0 && used == (enum spectrum_method)m && e <= 1e-12,
			       "diagonal %s, %s: max rel error %.3g at i=%zu (tol 1e-12)",
			       wide ? "8 x 40" : "40 x 8", spectrum_method_name(used), e, at + 1);
		}
		mat_free(&a);
	}
}

/* s_i = 10^(-i * decades / (k - 1)): k values over `decades` decades */
static void log_spaced(double *s, size_t k, double decades)
{
	for (size_t i = 0; i < k; i++)
		s[i] = pow(10.0, -(double)i * decades / (double)(k - 1));
}

/* Why the Gram matrix is formed in double: the same path in float (SSYRK,
 * SSYEVD) on a [n x 64] matrix spanning 8 decades loses the small values
 * that the double path keeps.  Below sigma_1 * 1e-4 the squared value is
 * under 1e-8 sigma_1^2, i.e. below float's rounding of the Gram's largest
 * entries (2^-24 = 6e-8), so no summation order can keep it; nearer the
 * top the float error depends on how the BLAS accumulates (3.4e-4 at
 * 1e-3 sigma_1 on Zen4's OpenBLAS), which a test must not assume.
 * v: dgesdd's values. */
static void test_float_gram_loses(const struct mat *a, const double *v)
{
	size_t d = a->cols;
	float *g = calloc(d * d, sizeof *g), *w = malloc(d * sizeof *w);
	cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)a->rows, 1.0f, a->data,
		    (int)d, 0.0f, g, (int)d);
	must(LAPACKE_ssyevd(LAPACK_COL_MAJOR, 'N', 'L', (int)d, g, (int)d, w) == 0, "ssyevd");
	/* the first value below 1e-4 sigma_1 */
	size_t i = 0;
	while (v[i] >= 1e-4 * v[0])
		i++;
	double fl = w[d - 1 - i] > 0 ? sqrt(w[d - 1 - i]) : 0.0, rel = fabs(fl - v[i]) / v[i];
	tap_ok(rel > 1e-2, "the Gram path in float would be off by %.3g (relative) at sigma_%zu "
	       "= %.2g sigma_1 (want > 1e-2: why it runs in double)", rel, i + 1, v[i] / v[0]);
	free(g);
	free(w);
}

static void test_rotated(void)
{
	struct rng r;
	rng_seed(&r, 7, 1);
	/* tall, wide, square-ish over 5 decades; tall over 8 decades, where the
	 * Gram path's bound (eps/2)(sigma_1/sigma_i)^2 reaches 1e-2 */
	const size_t shapes[4][3] = { { 300, 24, 5 }, { 24, 300, 5 }, { 60, 40, 5 },
				      { 2000, 64, 8 } };
	double worst_ratio = 0.0;
	for (size_t sh = 0; sh < 4; sh++) {
		size_t n = shapes[sh][0], d = shapes[sh][1], k = n < d ? n : d;
		double s[64], g[64], v[64], sf[64], scale[64];
		log_spaced(s, k, (double)shapes[sh][2]);
		struct mat a = with_singular_values(n, d, s, &r);
		enum spectrum_method ug, us;
		must(spectrum_compute(g, &a, 0, SPECTRUM_GRAM, &ug, NULL) == 0, "gram");
		must(spectrum_compute(v, &a, 0, SPECTRUM_SVD, &us, NULL) == 0, "svd");
		/* (1) against the constructed values: float rounding of A moves each
		 * sigma by at most ||E||_2 <= ||E||_F <= 2^-24 ||A||_F (Weyl) */
		double fro = 0.0;
		for (size_t i = 0; i < k; i++)
			fro += s[i] * s[i];
		double bound = 0x1p-24 * sqrt(fro);
		for (size_t i = 0; i < k; i++)
			sf[i] = bound;
		size_t at;
		double e = worst(g, s, sf, k, &at);
		tap_ok(e <= 1.0, "%zu x %zu gram vs constructed: max |err| %.3g x the float-data "
		       "bound %.3g (at i=%zu, sigma %.3g; tol 1)", n, d, e, bound, at + 1, s[at]);
		e = worst(v, s, sf, k, &at);
		tap_ok(e <= 1.0, "%zu x %zu svd vs constructed: max |err| %.3g x the float-data "
		       "bound (at i=%zu; tol 1)", n, d, e, at + 1);
		/* (2) gram vs dgesdd on the same float data: the header's bound,
		 * |d sigma_i| ~ (eps / 2) sigma_1^2 / sigma_i, with a factor k of slack */
		for (size_t i = 0; i < k; i++)
			scale[i] = 0.5 * EPS_D * v[0] * v[0] / v[i];
		e = worst(g, v, scale, k, &at);
		worst_ratio = e > worst_ratio ? e : worst_ratio;
		tap_ok(e <= (double)k, "%zu x %zu gram vs dgesdd: max |err| = %.3g x "
		       "(eps/2) sigma_1^2/sigma_i (at i=%zu, sigma_i/sigma_1 %.2g, rel err %.3g; "
		       "tol %zu)", n, d, e, at + 1, v[at] / v[0], fabs(g[at] - v[at]) / v[at], k);
		if (sh == 3) {
			/* the smallest value, 1e-8 sigma_1: relative error as predicted */
			double rel = fabs(g[k - 1] - v[k - 1]) / v[k - 1];
			double pred = 0.5 * EPS_D * (v[0] / v[k - 1]) * (v[0] / v[k - 1]);
			tap_ok(rel <= 4.0 * pred, "%zu x %zu: sigma_%zu = %.2g sigma_1 by gram has "
			       "relative error %.3g (predicted scale %.3g)", n, d, k,
			       v[k - 1] / v[0], rel, pred);
		}
		/* auto picks gram for the long ones, svd for the square-ish one */
		double t[64];
		enum spectrum_method ua;
		must(spectrum_compute(t, &a, 0, SPECTRUM_AUTO, &ua, NULL) == 0, "auto");
		tap_ok(ua == (sh != 2 ? SPECTRUM_GRAM : SPECTRUM_SVD), "%zu x %zu: auto chose %s",
		       n, d, spectrum_method_name(ua));
		if (sh == 3)
			test_float_gram_loses(&a, v);
		mat_free(&a);
	}
	printf("# gram vs dgesdd: worst error %.3g x (eps/2) sigma_1^2 / sigma_i\n", worst_ratio);
}

/* A = B C with small integers: exactly rank 3 in float, 50 x 10 and 10 x 50 */
static void test_rank_deficient(void)
{
	struct rng r;
	rng_seed(&r, 3, 2);
	for (int wide = 0; wide < 2; wide++) {
		size_t n = wide ? 10 : 50, d = wide ? 50 : 10, rank = 3;
		int b[50][3], c[3][50];
		for (size_t i = 0; i < n; i++)
			for (size_t t = 0; t < rank; t++)
				b[i][t] = (int)rng_below(&r, 7) - 3;
		for (size_t t = 0; t < rank; t++)
			for (size_t j = 0; j < d; j++)
				c[t][j] = (int)rng_below(&r, 7) - 3;
		struct mat a = new_mat(n, d);
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < d; j++) {
				int x = 0;
				for (size_t t = 0; t < rank; t++)
					x += b[i][t] * c[t][j];
				mat_row(&a, i)[j] = (float)x;
			}
		double g[10], v[10];
		must(spectrum_compute(g, &a, 0, SPECTRUM_GRAM, NULL, NULL) == 0, "gram");
		must(spectrum_compute(v, &a, 0, SPECTRUM_SVD, NULL, NULL) == 0, "svd");
		double tail_g = g[rank] / g[0], tail_v = v[rank] / v[0], lead = 0.0;
		for (size_t i = 0; i < rank; i++)
			lead = fmax(lead, fabs(g[i] - v[i]) / v[i]);
		tap_ok(tail_g <= 1e-7 && tail_v <= 1e-13 && lead <= 1e-12,
		       "rank 3 of %zu x %zu: sigma_4/sigma_1 gram %.3g (tol 1e-7: ~sqrt(eps)), "
		       "svd %.3g (tol 1e-13); leading 3 agree to %.3g (tol 1e-12)", n, d, tail_g,
		       tail_v, lead);
		mat_free(&a);
	}
}

/* Unit rows with a known spectrum: row i is row c(i) of an orthogonal V^T
 * [d x d], so A^T A = V diag(count_c) V^T and sigma_c = sqrt(count_c).
 * Rescaling the rows must not change what the normalising wrapper sees. */
static void test_normalised_wrapper(void)
{
	struct rng r;
	rng_seed(&r, 11, 3);
	size_t d = 6, count[6] = { 40, 25, 16, 9, 4, 1 }, n = 95 + 5;
	double v[36], want[6];
	random_orthonormal(v, d, d, &r);
	for (size_t c = 0; c < d; c++)
		want[c] = sqrt((double)count[c]);
	struct mat unit = new_mat(n, d), scaled = new_mat(n, d);
	size_t i = 0;
	for (size_t c = 0; c < d; c++)
		for (size_t t = 0; t < count[c]; t++, i++)
			for (size_t j = 0; j < d; j++)
				mat_row(&unit, i)[j] = (float)v[j * d + c]; /* column c of V */
	/* 5 zero rows at the end; the others scaled by 0.01 .. 100 */
	for (i = 0; i < 95; i++) {
		double f = pow(10.0, 4.0 * rng_uniform01(&r) - 2.0);
		for (size_t j = 0; j < d; j++)
			mat_row(&scaled, i)[j] = (float)(mat_row(&unit, i)[j] * f);
	}
	double raw[6], norm[6], sc[6], tol[6];
	size_t zero = 0;
	for (size_t c = 0; c < d; c++)
		tol[c] = want[c];
	must(spectrum_compute(raw, &unit, 0, SPECTRUM_SVD, NULL, NULL) == 0, "raw");
	for (int m = SPECTRUM_GRAM; m <= SPECTRUM_SVD; m++) {
		must(spectrum_compute(norm, &scaled, 1, (enum spectrum_method)m, NULL, &zero) == 0,
		     "normalised");
		size_t at;
		double e1 = worst(raw, want, tol, d, &at), e2 = worst(norm, want, tol, d, &at);
		tap_ok(e1 <= 1e-6 && e2 <= 1e-6 && zero == 5,
		       "unit rows rescaled 1e-2..1e2, %s: normalised spectrum max rel err %.3g, "
		       "raw spectrum of the unit rows %.3g (tol 1e-6); %zu zero rows (want 5)",
		       spectrum_method_name((enum spectrum_method)m), e2, e1, zero);
	}
	/* without normalising, the rescaled rows give another spectrum */
	must(spectrum_compute(sc, &scaled, 0, SPECTRUM_GRAM, NULL, NULL) == 0, "raw scaled");
	size_t at;
	tap_ok(worst(sc, want, tol, d, &at) > 0.1, "normalize=off on rescaled rows differs");
	mat_free(&unit);
	mat_free(&scaled);
}

static void test_summary(void)
{
	struct spectrum_summary s;
	const double a[4] = { 4, 2, 1, 1 };
	spectrum_summarize(&s, a, 4);
	double h = -(0.5 * log(0.5) + 0.25 * log(0.25) + 0.25 * log(0.125));
	tap_ok(fabs(s.eff_rank - exp(h)) < 1e-12 && fabs(s.energy[0] - 16.0 / 22.0) < 1e-15 &&
	       s.energy[1] == 1.0 && s.energy[2] == 1.0 && s.tail_index == 0 && s.sigma1 == 4,
	       "summary of 4,2,1,1: eff rank %.6f (want %.6f), energy top1 %.6f (want %.6f), "
	       "top10 %g, tail index %zu (want 0)", s.eff_rank, exp(h), s.energy[0], 16.0 / 22,
	       s.energy[1], s.tail_index);
	double b[120];
	for (size_t i = 0; i < 120; i++)
		b[i] = i < 7 ? 1.0 : 0.005;
	spectrum_summarize(&s, b, 120);
	double top100 = (7 + 93 * 0.005 * 0.005) / (7 + 113 * 0.005 * 0.005);
	tap_ok(s.tail_index == 8 && fabs(s.energy[2] - top100) < 1e-15 &&
	       fabs(s.energy[1] - (7 + 3 * 2.5e-5) / (7 + 113 * 2.5e-5)) < 1e-15,
	       "summary of 7 ones then 113 x 0.005: tail index %zu (want 8), top100 %.9f "
	       "(want %.9f)", s.tail_index, s.energy[2], top100);
	const double one[1] = { 2.5 }, zero[2] = { 0, 0 };
	spectrum_summarize(&s, one, 1);
	int ok = fabs(s.eff_rank - 1.0) < 1e-15 && s.energy[0] == 1.0;
	spectrum_summarize(&s, zero, 2);
	tap_ok(ok && s.eff_rank == 0.0 && s.tail_index == 0,
	       "one value: eff rank 1; all zero: eff rank 0, no tail index");
	/* and errors: a NaN names its row */
	struct mat a2 = new_mat(5, 3);
	mat_row(&a2, 3)[1] = NAN;
	double sig[3];
	tap_ok(spectrum_compute(sig, &a2, 1, SPECTRUM_AUTO, NULL, NULL) < 0 &&
	       strstr(err_msg(), "row 3"), "a NaN is refused, naming row 3: %s", err_msg());
	mat_free(&a2);
}

/* ---- NN histograms ------------------------------------------------------------ */

static void fill_random(struct mat *m, struct rng *r, double lo)
{
	for (size_t i = 0; i < m->rows; i++) {
		double f = pow(10.0, 2.0 * rng_uniform01(r) - 1.0); /* row scales */
		for (size_t j = 0; j < m->cols; j++)
			mat_row(m, i)[j] = (float)(f * (lo + (1.0 - lo) * rng_uniform01(r)));
	}
}

static void test_mean_similarity(void)
{
	struct rng r;
	rng_seed(&r, 5, 4);
	for (int signed_ = 0; signed_ < 2; signed_++) {
		struct mat tr = new_mat(37, 9), te = new_mat(23, 9);
		fill_random(&tr, &r, signed_ ? -1.0 : 0.0);
		fill_random(&te, &r, signed_ ? -1.0 : 0.0);
		memset(mat_row(&tr, 4), 0, 9 * sizeof(float)); /* zero rows count as cos 0 */
		memset(mat_row(&te, 0), 0, 9 * sizeof(float));
		double fast, naive;
		must(nnhist_mean_similarity(&fast, &tr, &te) == 0, "mean");
		must(nnhist_mean_similarity_naive(&naive, &tr, &te) == 0, "naive");
		double e = fabs(fast - naive) / fmax(fabs(naive), 1e-3);
		tap_ok(e <= 1e-13, "mean cosine as a dot of means (%s rows): %.15f vs all pairs "
		       "%.15f, rel diff %.3g (tol 1e-13)", signed_ ? "signed" : "non-negative",
		       fast, naive, e);
		mat_free(&tr);
		mat_free(&te);
	}
}

static void test_max_similarity(void)
{
	struct rng r;
	rng_seed(&r, 9, 5);
	struct mat tr = new_mat(101, 12), te = new_mat(45, 12);
	fill_random(&tr, &r, -0.3);
	fill_random(&te, &r, -0.3);
	memset(mat_row(&te, 7), 0, 12 * sizeof(float));
	memcpy(mat_row(&te, 3), mat_row(&tr, 50), 12 * sizeof(float)); /* exact match: 1 */
	double blk[45], one[45], brute[45];
	must(nnhist_max_similarity(blk, &tr, &te, 7, 13) == 0, "blocked");
	must(nnhist_max_similarity(one, &tr, &te, 1000, 1000) == 0, "one tile");
	double e = 0.0, eb = 0.0;
	for (size_t j = 0; j < 45; j++) {
		const float *b = mat_row(&te, j);
		double nb = 0.0, best = -INFINITY;
		for (size_t c = 0; c < 12; c++)
			nb += (double)b[c] * b[c];
		for (size_t i = 0; i < 101; i++) {
			const float *a = mat_row(&tr, i);
			double dot = 0.0, na = 0.0;
			for (size_t c = 0; c < 12; c++) {
				dot += (double)a[c] * b[c];
				na += (double)a[c] * a[c];
			}
			double cs = nb > 0 ? dot / sqrt(na * nb) : 0.0;
			best = cs > best ? cs : best;
		}
		brute[j] = best;
		e = fmax(e, fabs(blk[j] - brute[j]));
		eb = fmax(eb, fabs(blk[j] - one[j]));
	}
	tap_ok(e <= 1e-6 && eb == 0.0 && brute[7] == 0.0 && fabs(blk[3] - 1.0) < 1e-6,
	       "max cosine, tiles 7 x 13 vs brute force in double: max diff %.3g (tol 1e-6), vs "
	       "one tile %.3g (want 0); zero row %g, copied row %.9f", e, eb, blk[7], blk[3]);
	mat_free(&tr);
	mat_free(&te);
}

static void test_ratios_by_hand(void)
{
	const float t[4] = { 1, 0, 0, 1 }, q[4] = { 2, 0, 3, 3 };
	struct mat tr = new_mat(2, 2), te = new_mat(2, 2);
	memcpy(tr.data, t, sizeof t);
	memcpy(te.data, q, sizeof q);
	float ratio[2];
	double mean;
	must(nnhist_ratios(ratio, &mean, &tr, &te) == 0, "ratios");
	double want_mean = (1 + 0 + 2 * sqrt(0.5)) / 4;
	tap_ok(fabs(mean - want_mean) < 1e-15 && fabs(ratio[0] - 1 / want_mean) < 1e-6 &&
	       fabs(ratio[1] - sqrt(0.5) / want_mean) < 1e-6,
	       "e1, e2 vs (2,0), (3,3): mean %.9f (want %.9f), ratios %.6f %.6f (want %.6f %.6f)",
	       mean, want_mean, ratio[0], ratio[1], 1 / want_mean, sqrt(0.5) / want_mean);
	/* opposite directions: the mean is negative, the ratio undefined */
	te.data[0] = -1, te.data[1] = 0, te.data[2] = 0, te.data[3] = -1;
	tap_ok(nnhist_ratios(ratio, &mean, &tr, &te) < 0 && strstr(err_msg(), "positive"),
	       "a negative mean similarity is refused: %s", err_msg());
	struct mat bad = new_mat(2, 3);
	tap_ok(nnhist_ratios(ratio, &mean, &tr, &bad) < 0 && strstr(err_msg(), "dims"),
	       "a dim mismatch is refused: %s", err_msg());
	mat_free(&bad);
	mat_free(&tr);
	mat_free(&te);
}

static void test_bins(void)
{
	const float v[9] = { 0.0f, 0.1f, 0.25f, 0.5f, 0.5f, 0.99f, 1.0f, -0.5f, 1.5f };
	size_t c[4], under, over;
	double e[5];
	nnhist_bin(c, e, 4, 0.0, 1.0, v, 9, &under, &over);
	tap_ok(c[0] == 2 && c[1] == 1 && c[2] == 2 && c[3] == 2 && under == 1 && over == 1 &&
	       e[0] == 0 && e[1] == 0.25 && e[4] == 1.0,
	       "4 bins over [0,1]: counts %zu %zu %zu %zu (want 2 1 2 2), under %zu over %zu "
	       "(want 1 1); edges [0 .25 .5 .75 1] half-open, last closed",
	       c[0], c[1], c[2], c[3], under, over);
	/* edges that are not exact in binary: 0.3 = 3 * 0.1 lands by the edges */
	const float w[3] = { 0.3f, 0.2f, 0.1f };
	size_t c2[10];
	double e2[11];
	nnhist_bin(c2, e2, 10, 0.0, 1.0, w, 3, &under, &over);
	int agree = 1;
	for (size_t j = 0; j < 3; j++) {
		size_t b = 0;
		while (b + 1 < 10 && w[j] >= e2[b + 1])
			b++;
		agree &= c2[b] >= 1;
	}
	tap_ok(agree && c2[0] + c2[1] + c2[2] + c2[3] == 3,
	       "values near edges land in the bin their stored edges give");
	/* the hist object: median of an odd and an even count, default range */
	const float odd[7] = { 5, 1, 4, 2, 3, 9, 0 }, even[4] = { 4, 1, 3, 2 };
	struct hist *h1 = hist_new("h1", "a", "b", odd, 7, 3, 0, 0, 0, 0.5);
	struct hist *h2 = hist_new("h2", "a", "b", even, 4, 2, 1, 0.0, 2.0, 0.5);
	struct hist *h3 = hist_new("h3", "a", "b", (const float[]){ 2, 2 }, 2, 5, 0, 0, 0, 1);
	must(h1 && h2 && h3, "hist_new");
	tap_ok(h1->median == 3 && h1->lo == 0 && h1->hi == 9 && h1->count[0] == 3 &&
	       h1->count[1] == 3 && h1->count[2] == 1 && h1->under + h1->over == 0,
	       "7 values, 3 bins over [min,max] = [%g,%g]: median %g (want 3), counts %g %g %g "
	       "(want 3 3 1)", h1->lo, h1->hi, h1->median, h1->count[0], h1->count[1],
	       h1->count[2]);
	tap_ok(h2->median == 2.5 && h2->count[0] == 0 && h2->count[1] == 2 && h2->over == 2,
	       "4 values, range 0,2: median %g (want 2.5), counts %g %g, over %zu (want 0 2, 2)",
	       h2->median, h2->count[0], h2->count[1], h2->over);
	tap_ok(h3->lo == 1.5 && h3->hi == 2.5 && h3->count[2] == 2,
	       "equal values: range widened to [%g,%g], both in the middle bin", h3->lo, h3->hi);
	tap_ok(!hist_new("h4", "a", "b", even, 4, 2, 1, 2.0, 2.0, 0.5) &&
	       strstr(err_msg(), "below"), "range lo = hi refused: %s", err_msg());
	obj_free(&h1->base);
	obj_free(&h2->base);
	obj_free(&h3->base);
}

/* ---- linear probe ---------------------------------------------------------------- */

/* n rows in d dims, c classes: class centres 4 apart plus noise 0.3 */
static struct mat toy_set(size_t n, size_t d, size_t c, int64_t *y, struct rng *r)
{
	struct mat x = new_mat(n, d);
	for (size_t i = 0; i < n; i++) {
		y[i] = (int64_t)(i % c);
		for (size_t j = 0; j < d; j++)
			mat_row(&x, i)[j] = (float)(0.3 * gauss(r) +
						    (j == (size_t)y[i] ? 4.0 : 0.0) +
						    (j == d - 1 ? 1.0 : 0.0));
	}
	return x;
}

static void test_probe_gradient(void)
{
	struct rng r;
	rng_seed(&r, 13, 6);
	int64_t y[60];
	struct mat x = toy_set(60, 5, 3, y, &r);
	uint32_t rows[60];
	for (uint32_t i = 0; i < 60; i++)
		rows[i] = i;
	struct probe_opts o;
	probe_opts_default(&o);
	o.batch = 60; /* full batch, no momentum: W_{t+1} = W_t - lr grad(W_t) */
	o.momentum = 0.0;
	o.lr = 0.05;
	o.cosine = 0; /* the same lr at every step of both runs */
	double wd = 0.01, worst_e = 0.0, worst_g = 0.0;
	struct probe_model m1, m2;
	o.epochs = 3;
	must(probe_fit(&m1, &x, y, 3, rows, 60, wd, &o, NULL, NULL) == 0, "fit 3");
	o.epochs = 4;
	must(probe_fit(&m2, &x, y, 3, rows, 60, wd, &o, NULL, NULL) == 0, "fit 4");
	/* finite differences of the double objective at W_3, central, h 1e-3 */
	size_t np = 5 * 3 + 3;
	for (size_t p = 0; p < np; p++) {
		float *w = p < 15 ? &m1.w[p] : &m1.b[p - 15];
		float *w2 = p < 15 ? &m2.w[p] : &m2.b[p - 15];
		float keep = *w;
		double h = 1e-3;
		*w = (float)(keep + h);
		double hp = (double)*w - keep, lp = probe_loss(&m1, &x, y, rows, 60, wd);
		*w = (float)(keep - h);
		double hm = keep - (double)*w, lm = probe_loss(&m1, &x, y, rows, 60, wd);
		*w = keep;
		double fd = (lp - lm) / (hp + hm), step = ((double)keep - *w2) / o.lr;
		worst_e = fmax(worst_e, fabs(fd - step));
		worst_g = fmax(worst_g, fabs(fd));
	}
	tap_ok(worst_e <= 1e-4 * fmax(worst_g, 1.0),
	       "SGD step = lr x gradient of the mean cross-entropy + wd/2 |W|^2 (W and b, at "
	       "W_3): max |step/lr - finite difference| %.3g (largest gradient %.3g; tol 1e-4)",
	       worst_e, worst_g);
	probe_model_free(&m1);
	probe_model_free(&m2);
	mat_free(&x);
}

static void test_probe_split(void)
{
	int64_t y[205];
	for (size_t i = 0; i < 205; i++)
		y[i] = i < 100 ? 0 : i < 195 ? 1 : 2; /* 100, 95, 10 rows */
	uint32_t fit[205], val[205];
	size_t nf, nv;
	must(probe_split(fit, &nf, val, &nv, y, 205, 3, 0.1, 1) == 0, "split");
	size_t per[3] = { 0 };
	int ordered = 1, cover = nf + nv == 205;
	for (size_t i = 0; i < nv; i++) {
		per[y[val[i]]]++;
		ordered &= i == 0 || val[i] > val[i - 1];
	}
	for (size_t i = 1; i < nf; i++)
		ordered &= fit[i] > fit[i - 1];
	/* round(10), round(9.5) = 10, round(1) */
	tap_ok(per[0] == 10 && per[1] == 10 && per[2] == 1 && ordered && cover,
	       "stratified 10%%: held out %zu %zu %zu of 100, 95, 10 (want 10 10 1), lists "
	       "ascending and covering", per[0], per[1], per[2]);
	uint32_t val2[205], fit2[205];
	must(probe_split(fit2, &nf, val2, &nv, y, 205, 3, 0.1, 2) == 0, "split 2");
	tap_ok(memcmp(val, val2, nv * sizeof *val) != 0, "another seed holds out other rows");
}

static void test_probe_toy(void)
{
	struct rng r;
	rng_seed(&r, 17, 7);
	int64_t ytr[600], yte[300];
	struct mat tr = toy_set(600, 8, 4, ytr, &r), te = toy_set(300, 8, 4, yte, &r);
	struct probe_opts o;
	probe_opts_default(&o);
	o.epochs = 30;
	o.seed = 3;
	struct probe_result a, b;
	must(probe_run(&a, &tr, ytr, 4, &te, yte, &o, NULL) == 0, "probe");
	tap_ok(a.test_acc >= 99.0 && a.val_acc[a.best] >= 99.0,
	       "separable toy set (4 classes, 8 dims): test %.2f%%, val %.2f%% at wd %g, train "
	       "%.2f%% (want >= 99)", a.test_acc, a.val_acc[a.best], a.wd[a.best], a.train_acc);
	must(probe_run(&b, &tr, ytr, 4, &te, yte, &o, NULL) == 0, "probe again");
	tap_ok(memcmp(&a, &b, sizeof a) == 0, "the same seed gives a bit-identical result "
	       "(loss %.17g vs %.17g)", a.loss, b.loss);
	uint32_t rows[600];
	for (uint32_t i = 0; i < 600; i++)
		rows[i] = i;
	struct probe_model m1, m2;
	must(probe_fit(&m1, &tr, ytr, 4, rows, 600, 1e-4, &o, NULL, NULL) == 0, "fit");
	must(probe_fit(&m2, &tr, ytr, 4, rows, 600, 1e-4, &o, NULL, NULL) == 0, "fit");
	tap_ok(!memcmp(m1.w, m2.w, 8 * 4 * sizeof(float)) && !memcmp(m1.b, m2.b, 4 * sizeof(float)),
	       "the same seed gives bit-identical weights");
	probe_model_free(&m1);
	probe_model_free(&m2);
	/* labels outside the train classes and a stop flag */
	yte[5] = 4;
	tap_ok(probe_run(&b, &tr, ytr, 4, &te, yte, &o, NULL) < 0 && strstr(err_msg(), "row 5"),
	       "a test label outside the classes is refused: %s", err_msg());
	yte[5] = 1;
	volatile sig_atomic_t stop = 1;
	tap_ok(probe_run(&b, &tr, ytr, 4, &te, yte, &o, &stop) < 0 && strstr(err_msg(), "stopped"),
	       "a set stop flag stops it: %s", err_msg());
	mat_free(&tr);
	mat_free(&te);
}

/* ---- save and load ------------------------------------------------------------------ */

static void test_roundtrip(void)
{
	char dir[] = "/tmp/rnr-analysis-XXXXXX", path[64];
	must(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(path, sizeof path, "%s/a.h5", dir);
	const double sig[3] = { 2.0, 0.5, 0.001 };
	const float vals[5] = { 1.5f, 2.0f, 2.5f, 3.0f, 7.0f };
	struct probe_opts o;
	probe_opts_default(&o);
	struct probe_result r = { .n_wd = 2, .wd = { 1e-4, 0 }, .val_acc = { 80.5, 81 },
				  .best = 1, .test_acc = 79.25, .train_acc = 90, .loss = 0.3,
				  .n_fit = 9, .n_val = 1, .n_train = 10, .n_test = 4,
				  .n_classes = 2, .d = 3 };
	struct obj *objs[3] = {
		&spectrum_new("sp", "fm.train:barlow", 10, 3, sig, 1, SPECTRUM_GRAM, 2)->base,
		&hist_new("nh", "psi", "psi_te", vals, 5, 4, 1, 1.0, 5.0, 0.25)->base,
		&probe_new("pr", "psi", "psi_te", &o, &r)->base,
	};
	int rc = h5_store_save(path, objs, 3);
	tap_ok(rc == 0, "save a spectrum, a hist and a probe (%s)", rc ? err_msg() : "ok");
	struct obj **back = NULL;
	size_t n = 0;
	rc = h5_store_load(path, &back, &n);
	tap_ok(rc == 0 && n == 3, "load them back (%s)", rc ? err_msg() : "ok");
	if (rc == 0 && n == 3) {
		const struct spectrum *a = (const void *)objs[0], *b = (const void *)back[0];
		tap_ok(b->base.type == &spectrum_type && b->k == 3 && !memcmp(a->sigma, b->sigma,
		       sizeof sig) && b->zero_rows == 2 && b->n == 10 && !strcmp(b->source,
		       a->source) && b->sum.eff_rank == a->sum.eff_rank &&
		       b->sum.tail_index == 3 && b->method == SPECTRUM_GRAM,
		       "spectrum restored bit for bit (eff rank %.6f, tail %zu)", b->sum.eff_rank,
		       b->sum.tail_index);
		const struct hist *h = (const void *)objs[1], *g = (const void *)back[1];
		tap_ok(g->base.type == &hist_type && g->n == 5 && g->bins == 4 &&
		       !memcmp(h->values, g->values, sizeof vals) &&
		       !memcmp(h->count, g->count, 4 * sizeof(double)) && g->over == 1 &&
		       g->median == 2.5 && g->mean_sim == 0.25 && g->range_given,
		       "hist restored (median %g, counts %g %g %g %g, over %zu)", g->median,
		       g->count[0], g->count[1], g->count[2], g->count[3], g->over);
		const struct probe *p = (const void *)objs[2], *q = (const void *)back[2];
		tap_ok(q->base.type == &probe_type && !memcmp(&p->res, &q->res, sizeof r) &&
		       q->opts.epochs == o.epochs && q->opts.lr == o.lr && q->opts.n_wd == 2 &&
		       isnan(q->log_wd[1]) && !strcmp(q->test, "psi_te"),
		       "probe restored (test %.2f, chosen wd %g)", q->res.test_acc,
		       q->res.wd[q->res.best]);
		for (size_t i = 0; i < n; i++)
			obj_free(back[i]);
		free(back);
	}
	for (size_t i = 0; i < 3; i++)
		obj_free(objs[i]);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_diagonal();
	test_rotated();
	test_rank_deficient();
	test_normalised_wrapper();
	test_summary();
	test_mean_similarity();
	test_max_similarity();
	test_ratios_by_hand();
	test_bins();
	test_probe_gradient();
	test_probe_split();
	test_probe_toy();
	test_roundtrip();
	return tap_done();
}
