/* spectrum-parts.c - where the time of the whole-spectrum Gram path goes
 * (bench/README, "Spectrum: the whole spectrum"): on an n x d matrix of the
 * bench's learned-like decay (default 50,000 x 2048) it times, once each
 * and in one run so the ratios share the load,
 *
 *   - the two Gram paths of spectrum_compute, end to end (gram, gram32);
 *   - their BLAS parts alone: DSYRK over blocks of rows converted to
 *     double, SSYRK over float blocks summed in double;
 *   - the eigensolvers on that d x d Gram matrix, values only: LAPACK's
 *     one-stage dsyevd (what rnr calls) and the two-stage dsyevd_2stage.
 *
 *     make bench/spectrum-parts && bench/spectrum-parts [N D] */
#include "config.h"

#include "eval-spectrum.h"
#include "mat.h"
#include "rng.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *must_alloc(size_t bytes)
{
	void *p = malloc(bytes);
	if (!p) {
		fprintf(stderr, "spectrum-parts: out of memory (%zu bytes)\n", bytes);
		exit(1);
	}
	return p;
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? strtoul(argv[1], NULL, 10) : 50000;
	size_t d = argc > 2 ? strtoul(argv[2], NULL, 10) : 2048;
	if (n < d || d < 2) {
		fprintf(stderr, "usage: spectrum-parts [N D] with N >= D >= 2\n");
		return 2;
	}
	/* the bench's matrix: a constant column and power-law noise columns */
	struct mat a;
	if (mat_init(&a, n, d, "matrix") < 0)
		return 1;
	struct rng r;
	rng_seed(&r, 50, 7);
	for (size_t i = 0; i < n; i++) {
		float *row = mat_row(&a, i);
		row[0] = 1.0f;
		for (size_t j = 1; j < d; j++)
			row[j] = rng_uniform(&r, -1.0f, 1.0f) *
				 (float)(0.459 * sqrt(3.0) * pow((double)(j + 1), -0.833));
	}
	size_t first;
	mat_normalize_rows(&a, &first);
	double *sigma = must_alloc(d * sizeof *sigma);
	const enum spectrum_method paths[2] = { SPECTRUM_GRAM, SPECTRUM_GRAM32 };
	for (int p = 0; p < 2; p++) {
		double t0 = now();
		if (spectrum_compute(sigma, &a, 1, paths[p], NULL, NULL) < 0)
			return 1;
		printf("spectrum_compute %-7s %.3f s\n", spectrum_method_name(paths[p]),
		       now() - t0);
	}
	/* the BLAS parts, on blocks of 8 MiB as eval-spectrum.c does */
	size_t nb8 = (8u << 20) / sizeof(double) / d, nb4 = 2 * nb8;
	double *blk = must_alloc(nb8 * d * sizeof *blk), *g = must_alloc(d * d * sizeof *g);
	float *gb = must_alloc(d * d * sizeof *gb);
	double t_conv = 0.0, t0 = now();
	memset(g, 0, d * d * sizeof *g);
	for (size_t j0 = 0; j0 < n; j0 += nb8) {
		size_t nj = n - j0 < nb8 ? n - j0 : nb8;
		double t1 = now();
		for (size_t i = 0; i < nj * d; i++)
			blk[i] = mat_row(&a, j0)[i];
		t_conv += now() - t1;
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)nj, 1.0, blk,
			    (int)d, 1.0, g, (int)d);
	}
	double t_d = now() - t0, flops = (double)n * (double)d * (double)(d + 1);
	printf("DSYRK over %zu-row double blocks: %.3f s (%.0f GF/s), of which converting "
	       "to double %.3f s\n", nb8, t_d - t_conv, flops / (t_d - t_conv) * 1e-9, t_conv);
	double *gf = must_alloc(d * d * sizeof *gf);
	memset(gf, 0, d * d * sizeof *gf);
	t0 = now();
	for (size_t j0 = 0; j0 < n; j0 += nb4) {
		size_t nj = n - j0 < nb4 ? n - j0 : nb4;
		cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)nj, 1.0f,
			    mat_row(&a, j0), (int)d, 0.0f, gb, (int)d);
		for (size_t i = 0; i < d; i++)
			for (size_t j = i; j < d; j++)
				gf[i * d + j] += gb[i * d + j];
	}
	double t_s = now() - t0;
	printf("SSYRK over %zu-row float blocks, summed in double: %.3f s (%.0f GF/s), "
	       "%.2fx DSYRK\n", nb4, t_s, flops / t_s * 1e-9, (t_d - t_conv) / t_s);
	/* the eigensolvers, values only, on copies of the double Gram */
	double *w = must_alloc(d * sizeof *w), *w2 = must_alloc(d * sizeof *w2);
	memcpy(gf, g, d * d * sizeof *g);
	t0 = now();
	lapack_int i1 = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)d, gf,
				       (lapack_int)d, w);
	double t_e1 = now() - t0;
#ifdef HAVE_LAPACKE_DSYEVD_2STAGE
	memcpy(gf, g, d * d * sizeof *g);
	t0 = now();
	lapack_int i2 = LAPACKE_dsyevd_2stage(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)d, gf,
					      (lapack_int)d, w2);
	double t_e2 = now() - t0, md = 0.0;
	for (size_t i = 0; i < d; i++)
		md = fmax(md, fabs(w[i] - w2[i]) / fabs(w[d - 1]));
	printf("dsyevd %.3f s, dsyevd_2stage %.3f s (info %d, %d; eigenvalues agree to %.1e "
	       "lambda_1)\n", t_e1, t_e2, (int)i1, (int)i2, md);
#else
	printf("dsyevd %.3f s (info %d; this LAPACKE has no dsyevd_2stage)\n", t_e1, (int)i1);
#endif
	free(sigma);
	free(blk);
	free(g);
	free(gb);
	free(gf);
	free(w);
	free(w2);
	mat_free(&a);
	return 0;
}
