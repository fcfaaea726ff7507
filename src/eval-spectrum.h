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
 *  - svd: DGESDD (values only) on a double copy of A: absolute error about
 *    eps * sigma_1 on every value, at the cost of n x d doubles of memory
 *    and a few times the flops.  It is also the oracle of the gram path.
 *
 * SPECTRUM_AUTO takes gram when one side is at least twice the other
 * (tall banks, the common case: n >> d) and svd otherwise.
 *
 * Errors: -1 with err_set(); nothing is printed. */
#ifndef RNR_EVAL_SPECTRUM_H
#define RNR_EVAL_SPECTRUM_H

#include <stddef.h>

#include "mat.h"

enum spectrum_method { SPECTRUM_AUTO, SPECTRUM_GRAM, SPECTRUM_SVD };

/* "auto", "gram", "svd". */
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

/* Summary of sigma [k] (descending, k >= 1).  All-zero sigma gives
 * sigma1 0, eff_rank 0, energy 0 and tail_index 0. */
void spectrum_summarize(struct spectrum_summary *s, const double *sigma, size_t k);

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
