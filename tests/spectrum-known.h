/* spectrum-known.h - what the spectrum tests share: matrices of a known
 * spectrum (U diag(s) V^T rounded to float, U and V orthonormal from a QR),
 * the spectrum of condition 1e6 they use, the largest relative error. */
#ifndef RNR_TESTS_SPECTRUM_KNOWN_H
#define RNR_TESTS_SPECTRUM_KNOWN_H

#include "err.h"
#include "mat.h"
#include "rng.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static inline void must(int ok, const char *what)
{
	if (!ok) {
		printf("Bail out! %s: %s\n", what, err_msg());
		exit(1);
	}
}

/* col-major m x k with orthonormal columns (Householder Q of uniform noise) */
static inline double *orthonormal_cols(size_t m, size_t k, struct rng *r)
{
	double *q = malloc(m * k * sizeof *q), *tau = malloc(k * sizeof *tau);
	for (size_t i = 0; i < m * k; i++)
		q[i] = rng_uniform(r, -1.0f, 1.0f);
	must(LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)m, (int)k, q, (int)m, tau) == 0 &&
	     LAPACKE_dorgqr(LAPACK_COL_MAJOR, (int)m, (int)k, (int)k, q, (int)m, tau) == 0,
	     "QR");
	free(tau);
	return q;
}

/* float A [n x d] = U diag(s) V^T, s [min(n, d)] */
static inline struct mat known(size_t n, size_t d, const double *s, uint64_t seed)
{
	struct rng r;
	rng_seed(&r, seed, 3);
	size_t k = n < d ? n : d;
	double *u = orthonormal_cols(n, k, &r), *v = orthonormal_cols(d, k, &r);
	double *x = malloc(n * d * sizeof *x);
	for (size_t t = 0; t < k; t++)
		cblas_dscal((int)n, s[t], u + t * n, 1);
	/* row-major A [n x d] is col-major A^T [d x n] = V (U diag s)^T */
	cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)d, (int)n, (int)k, 1.0, v,
		    (int)d, u, (int)n, 0.0, x, (int)d);
	struct mat a;
	must(mat_init(&a, n, d, "test matrix") == 0, "mat_init");
	for (size_t i = 0; i < n * d; i++)
		a.data[i] = (float)x[i];
	free(u);
	free(v);
	free(x);
	return a;
}

static inline double max_rel(const double *a, const double *b, size_t k)
{
	double w = 0.0;
	for (size_t i = 0; i < k; i++) {
		double e = fabs(a[i] - b[i]) / b[i];
		w = e > w || isnan(e) ? e : w;
	}
	return w;
}

/* Condition 1e6: the first 12 values 1, 0.8, 0.64, ... (a learned
 * feature spectrum's steep top), then log-linear down to 1e-6. */
static inline void spectrum_cond6(double *s, size_t k)
{
	double lo = 12.0 * log10(0.8);
	for (size_t i = 0; i < k; i++)
		s[i] = i < 12 ? pow(0.8, (double)i)
			      : pow(10.0, lo + (-6.0 - lo) * (double)(i - 12) / (double)(k - 13));
}

#endif
