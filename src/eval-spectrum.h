/* eval-spectrum.h - singular value spectra of a representation (paper
 * section 5.2, figure 11).
 *
 * The spectrum of a bank or feature matrix A [n x d] is the list of its
 * k = min(n, d) singular values, sorted descending.  rnr studies the
 * spectrum of the row-normalised matrix (every row scaled to unit L2 norm,
 * a zero row left zero), so that a bank's row norms, which training moves,
 * do not weigh its rows; spectrum_compute() normalises on the fly while it
 * converts rows to double and never modifies A.
 *
 * Two ways to get the values, both through LAPACK (OpenBLAS's, via
 * LAPACKE), both in double:
 *
 *  - gram: the k x k Gram matrix (A^T A when n >= d, A A^T otherwise) is
 *    accumulated in double with DSYRK over blocks of rows (or columns) of A
 *    converted to double, so memory is k x k doubles plus one block, never
 *    a copy of A; DSYEVD gives its eigenvalues lambda_i = sigma_i^2.
 *    Why double: an eigensolver is backward stable, so lambda_i carries an
 *    absolute error of about eps * lambda_1, i.e. sigma_i a relative error
 *    of about (eps / 2) * (sigma_1 / sigma_i)^2.  In float (eps 1.2e-7)
 *    that is 6e-4 already at sigma_i = 1e-2 sigma_1 and the values below
 *    ~3e-4 sigma_1 are noise (measured: 1% off at 1e-3 sigma_1); in double
 *    (eps 2.2e-16) it is 1e-12 at 1e-2 sigma_1 and 1e-4 at 1e-6 sigma_1.
 *    Measured against DGESDD on a 2000 x 64 matrix spanning 8 decades the
 *    error stays under a quarter of that bound (2% at 1e-8 sigma_1;
 *    tests/test-analysis.c).  Values below ~1e-8 sigma_1 (sqrt(eps)) are
 *    indistinguishable from 0: an exactly rank-deficient matrix shows them
 *    as ~1e-8 sigma_1 rather than 0.  The float data itself limits every
 *    method to an absolute error of about 6e-8 sigma_1 (relative 6e-8
 *    sigma_1 / sigma_i), which is larger than the Gram path's own error for
 *    every sigma_i above ~2e-9 sigma_1 (eps_double / eps_float).
 *    Cost: n d k flops (the SYRK), O(k^3) for the eigensolver.
 *  - gram32 (never auto's choice; `svd X method=gram32`): the same Gram
 *    path with each block of rows scaled in float, its Gram matrix by
 *    SSYRK in float and the blocks summed in double, then DSYEVD: 1.6x
 *    as fast at 50,000 x 2048 (the SYRK at the float rate, 1.76x the
 *    DSYRK; the eigensolver the same; bench/README), at the cost the
 *    paragraph above describes.  Its error, per value: the float Gram
 *    G + E has |lambda_i' - lambda_i| <= ||E||_2 (Weyl), hence
 *    |sigma_i' - sigma_i| / sigma_i <= ||E||_2 / lambda_i; measured
 *    ||E||_2 <= 0.41 eps_f lambda_1 (rotated matrices of condition 1e3 and
 *    1e6, a rotated and an axis-aligned learned-like power law, up to
 *    50,000 x 2048, bench/README; tests/test-spectrum-gram32.c checks
 *    every value within the bound below against dgesdd), so with
 *    SPECTRUM_GRAM32_C = 2 (5x that) the bound is C eps_f (sigma_1 /
 *    sigma_i)^2, i.e. 4 (eps_f / 2) (sigma_1 / sigma_i)^2, plus
 *    eps_f ||A||_F / sigma_i for the rounding of the scaled rows to float
 *    (spectrum_gram32_bound).  At condition 587 that is 8% on the smallest
 *    value (measured on the 12k features: 3.2e-5, the float data's own
 *    precision there; the bound is a worst case: on rotated matrices the
 *    per-value errors reach about 1/60 of it, and condition 1e6 loses
 *    its tail).
 *  - svd: DGESDD (values only) on a double copy of A: absolute error about
 *    eps * sigma_1 on every value, at the cost of n x d doubles of memory
 *    and a few times the flops.  It is also the oracle of the gram path.
 *
 * SPECTRUM_AUTO takes gram when one side is at least twice the other
 * (tall banks, the common case: n >> d) and svd otherwise, never gram32.
 * The whole spectrum stays on these double paths: a float Gram matrix can
 * lose every value below ~3e-4 sigma_1 (tests/test-analysis.c), and with
 * them the effective rank and the tail index; whether the data is such
 * (rotated, ill-conditioned) cannot be known without the accurate values.
 *
 * Only the top values (spectrum_top, `svd ... top=K`):
 *
 *  - krylov: block Krylov iteration on A_s^T A_s (tall) or A_s A_s^T
 *    (wide), the basis in double on the small side, every product as two
 *    float GEMMs through A, Rayleigh-Ritz on the basis.  It waits only for
 *    the K values asked for: it stops when each of them has a residual
 *    bound (relative, first order: some singular value lies within
 *    bound_i sigma_i of it) of at most 1e-5, or, for a value so far down
 *    that the float products limit it, of eps_f sigma_1 / (2 sigma_i); the
 *    largest bound is reported (info->bound, printed by `svd top=K`).
 *    Relative error about eps_f sigma_1 / sigma_i, linear like a float
 *    SVD's (see eval-spectrum-top.c); measured on a 50,000 x 2048 matrix
 *    of learned-like decay and on a matrix of condition 1e6 against
 *    numpy/dgesdd: bench/README, tests/test-spectrum-top.c.  Cost
 *    4 n d b flops a block (b = max(32, K + 8) columns), a few blocks for
 *    the top 10, against n d k for the Gram.
 *    The basis is capped at k / 2 vectors (where the GEMMs would cost
 *    what the Gram does).  When K is too large for that (4 (K + 8) > k),
 *    k is below SPECTRUM_KRYLOV_MIN (the full path is cheap there), or the
 *    iteration did not converge within the cap, the full spectrum is
 *    computed (auto's way) and cut to K: top=K never returns values that
 *    did not converge.
 *
 * Errors: -1 with err_set(); nothing is printed. */
#ifndef RNR_EVAL_SPECTRUM_H
#define RNR_EVAL_SPECTRUM_H

#include <stddef.h>

#include "mat.h"

enum spectrum_method { SPECTRUM_AUTO, SPECTRUM_GRAM, SPECTRUM_SVD, SPECTRUM_KRYLOV, SPECTRUM_GRAM32 };

/* "auto", "gram", "svd", "krylov", "gram32". */
const char *spectrum_method_name(enum spectrum_method m);

/* How a spectrum is summarised.  sigma_1 > 0 is needed for the ratios. */
#define SPECTRUM_TAIL_RATIO 1e-2

struct spectrum_summary {
	size_t k;              /* values: min(n, d) */
	double sigma1;         /* the largest value */
	double eff_rank;       /* exp(H), H the entropy of p_i = sigma_i / sum sigma */
	double energy[3];      /* sum of sigma_i^2 over the top 1, 10, 100 values,
				* over the sum of all (top k when k is smaller) */
	size_t tail_index;     /* first i (1-based) with sigma_i / sigma_1 <
				* SPECTRUM_TAIL_RATIO, or 0 if none is */
};

/* method=gram32's relative error bound of a value sigma of a spectrum
 * whose largest value is sigma1 and whose squares sum to frob^2:
 * SPECTRUM_GRAM32_C eps_f (sigma1 / sigma)^2 + eps_f frob / sigma (see
 * above; infinite for sigma 0). */
#define SPECTRUM_GRAM32_C 2.0
double spectrum_gram32_bound(double sigma1, double frob, double sigma);

/* The top counts of energy[]: 1, 10, 100. */
extern const size_t spectrum_energy_top[3];

/* Singular values of A [n x d] into sigma [min(n, d)], descending, in
 * double.  normalize: use the rows of A scaled to unit norm (zero rows
 * stay zero; *zero_rows, if not NULL, gets how many there are).  method:
 * SPECTRUM_AUTO picks as described above; *used (if not NULL) says which
 * ran.  -1 with err_set() on: an empty matrix, a non-finite value (names
 * the row), sizes beyond LAPACK's int, out of memory (says the bytes), a
 * LAPACK failure (its info). */
int spectrum_compute(double *sigma, const struct mat *a, int normalize,
		     enum spectrum_method method, enum spectrum_method *used,
		     size_t *zero_rows);

/* Below this small side, top=K takes the full path. */
#define SPECTRUM_KRYLOV_MIN 256

/* How spectrum_top ran. */
struct spectrum_top_info {
	enum spectrum_method method; /* krylov, or the full path it fell back to */
	size_t block, dims, blocks;  /* krylov: columns a block, basis size, blocks */
	int converged;               /* krylov: stopped on the tolerance (else the full
				      * path ran and method says which) */
	double frob2;                /* sum of all sigma_i^2 (of the scaled rows) */
	double bound;                /* krylov: the largest relative residual bound of the
				      * top values (0 on the full path) */
};

/* The top `top` (1 <= top <= min(n, d)) singular values of A (rows scaled
 * as spectrum_compute does) into sigma [top], descending.  method: auto or
 * krylov (krylov, or the full path when top is too large, see above),
 * gram or svd (the full spectrum cut to top).  info (if not NULL) says
 * what ran.  Errors as spectrum_compute's. */
int spectrum_top(double *sigma, size_t top, const struct mat *a, int normalize,
		 enum spectrum_method method, struct spectrum_top_info *info,
		 size_t *zero_rows);

/* Summary of sigma [k] (descending, k >= 1).  All-zero sigma gives
 * sigma1 0, eff_rank 0, energy 0 and tail_index 0. */
void spectrum_summarize(struct spectrum_summary *s, const double *sigma, size_t k);
/* Summary of the top values sigma [top] of a spectrum whose squares sum to
 * frob2: the energies over frob2 (NaN for a count above top), eff_rank NaN
 * (it needs every value), tail_index within the top values. */
void spectrum_summarize_top(struct spectrum_summary *s, const double *sigma, size_t top,
			    double frob2);

/* A matrix [n x d] that is not in memory (a streamed cache's model):
 * read(ctx, i0, nr, out) fills out [nr x d] with rows i0..i0+nr; 0, or -1
 * with err_set(). */
struct spectrum_rows {
	size_t n, d;
	int (*read)(void *ctx, size_t i0, size_t nr, float *out);
	void *ctx;
};

/* spectrum_compute() of the rows src reads: the Gram path of a tall
 * matrix only (the others need it whole; refused), reading it twice in
 * the blocks the in-memory path converts, so the values are the same
 * bits as spectrum_compute() of the same matrix in memory. */
int spectrum_compute_rows(double *sigma, const struct spectrum_rows *src, int normalize,
			  enum spectrum_method method, enum spectrum_method *used,
			  size_t *zero_rows);

#endif
