/* eval-spectrum.c - singular value spectra (see eval-spectrum.h). */
#include "eval-spectrum-int.h"
#include "err.h"

#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of the double block the Gram path converts at a time. */
#define GRAM_BLOCK_BYTES (8u << 20)

const size_t spectrum_energy_top[3] = { 1, 10, 100 };

const char *spectrum_method_name(enum spectrum_method m)
{
	switch (m) {
	case SPECTRUM_GRAM:
		return "gram";
	case SPECTRUM_SVD:
		return "svd";
	case SPECTRUM_KRYLOV:
		return "krylov";
	case SPECTRUM_GRAM32:
		return "gram32";
	default:
		return "auto";
	}
}

/* scale [n]: 1 / ||row i|| in double (0 for a zero row, which then stays
 * zero), or 1 when not normalising; *zero counts the zero rows; *frob2
 * (when not NULL) gets the squared Frobenius norm of the scaled rows.  -1
 * with err_set() naming the row and column of a value that is not finite. */
static int block_scales(double *scale, const float *x, size_t i0, size_t nr, size_t d,
			int normalize, size_t *zero, double *frob2);

static int row_scales(double *scale, const struct mat *a, int normalize, size_t *zero,
		      double *frob2)
{
	*zero = 0;
	if (frob2)
		*frob2 = 0.0;
	return block_scales(scale, a->data, 0, a->rows, a->cols, normalize, zero, frob2);
}

/* sum of r[c]^2 over c < d in double, as eight interleaved partial sums
 * so that the loop vectorises (one chain of dependent adds made the pass
 * latency-bound: 0.09 s of the 50,000 x 2048 spectrum); not finite when
 * some r[c] is not (squares cannot cancel an infinity, and a float
 * squared cannot overflow a double) */
static double row_sumsq(const float *r, size_t d)
{
	double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, s5 = 0.0, s6 = 0.0, s7 = 0.0;
	size_t c = 0;
	for (; c + 8 <= d; c += 8) {
		s0 += (double)r[c] * r[c];
		s1 += (double)r[c + 1] * r[c + 1];
		s2 += (double)r[c + 2] * r[c + 2];
		s3 += (double)r[c + 3] * r[c + 3];
		s4 += (double)r[c + 4] * r[c + 4];
		s5 += (double)r[c + 5] * r[c + 5];
		s6 += (double)r[c + 6] * r[c + 6];
		s7 += (double)r[c + 7] * r[c + 7];
	}
	for (; c < d; c++)
		s0 += (double)r[c] * r[c];
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}

/* row_scales of rows i0..i0+nr, given as x [nr x d]; *zero and *frob2 are
 * added to */
static int block_scales(double *scale, const float *x, size_t i0, size_t nr, size_t d,
			int normalize, size_t *zero, double *frob2)
{
	for (size_t i = 0; i < nr; i++) {
		const float *r = x + i * d;
		double ss = row_sumsq(r, d);
		if (!isfinite(ss))
			for (size_t c = 0; c < d; c++)
				if (!isfinite(r[c])) {
					err_set("row %zu, column %zu is not finite (%g)", i0 + i,
						c, (double)r[c]);
					return -1;
				}
		*zero += ss == 0.0;
		scale[i0 + i] = !normalize ? 1.0 : ss > 0.0 ? 1.0 / sqrt(ss) : 0.0;
		if (frob2)
			*frob2 += ss * scale[i0 + i] * scale[i0 + i];
	}
	return 0;
}

/* row_scales of the rows src reads, a block at a time */
static int stream_scales(double *scale, const struct spectrum_rows *src, int normalize,
			 size_t *zero)
{
	size_t nb = GRAM_BLOCK_BYTES / sizeof(float) / src->d;
	nb = nb < 1 ? 1 : nb > src->n ? src->n : nb;
	float *fb = malloc(nb * src->d * sizeof *fb);
	if (!fb) {
		err_nomem("row block", nb * src->d * sizeof *fb);
		return -1;
	}
	int rc = 0;
	for (size_t i0 = 0; rc == 0 && i0 < src->n; i0 += nb) {
		size_t nr = src->n - i0 < nb ? src->n - i0 : nb;
		rc = src->read(src->ctx, i0, nr, fb) < 0 ? -1
			: block_scales(scale, fb, i0, nr, src->d, normalize, zero, NULL);
	}
	free(fb);
	return rc;
}

/* g [k x k] (upper triangle) += gb's upper triangle: one block's float
 * Gram matrix summed in double (method=gram32) */
static void add_upper(double *g, const float *gb, size_t k)
{
	for (size_t i = 0; i < k; i++)
		for (size_t j = i; j < k; j++)
			g[i * k + j] += gb[i * k + j];
}

/* G [k x k] (upper triangle, row-major) = sum over blocks of the scaled
 * rows of A: A^T A when tall (k = d), A A^T when wide (k = n).  scale [n]
 * from row_scales.  single 0: each block converted to double and summed
 * by DSYRK; single 1 (method=gram32): each block scaled in float, its
 * Gram matrix by SSYRK in float (into gb [k x k]) and added in double. */
static int gram_accumulate(double *g, const struct mat *a, const struct spectrum_rows *src,
			   const double *scale, int single)
{
	size_t n = a->rows, d = a->cols;
	int tall = n >= d;
	size_t k = tall ? d : n, other = tall ? n : d;
	size_t esz = single ? sizeof(float) : sizeof(double);
	/* a block is [nb rows x d] (tall) or [n x nb columns] (wide) */
	size_t nb = GRAM_BLOCK_BYTES / esz / k;
	nb = nb < 1 ? 1 : nb > other ? other : nb;
	if (nb > INT_MAX)
		nb = INT_MAX;
	double *blk = single ? NULL : malloc(nb * k * sizeof *blk);
	/* single: the scaled block and its Gram matrix; streamed (tall
	 * only): the block's rows read from src first (single: scaled there) */
	float *fb = src || single ? malloc(nb * k * sizeof *fb) : NULL;
	float *gb = single ? malloc(k * k * sizeof *gb) : NULL;
	if ((!single && !blk) || ((src || single) && !fb) || (single && !gb)) {
		free(blk);
		free(fb);
		free(gb);
		err_nomem("Gram block", nb * k * esz + (single ? k * k * sizeof *gb : 0));
		return -1;
	}
	memset(g, 0, k * k * sizeof *g);
	int rc = 0;
	for (size_t j0 = 0; j0 < other; j0 += nb) {
		size_t nj = other - j0 < nb ? other - j0 : nb;
		if (tall) {
			if (src && src->read(src->ctx, j0, nj, fb) < 0) {
				rc = -1;
				break;
			}
			/* the block [nj x d] = rows j0.. scaled */
			for (size_t i = 0; i < nj; i++) {
				const float *r = src ? fb + i * d : mat_row(a, j0 + i);
				double si = scale[j0 + i];
				if (single)
					for (size_t c = 0; c < d; c++)
						fb[i * d + c] = (float)(r[c] * si);
				else
					for (size_t c = 0; c < d; c++)
						blk[i * d + c] = r[c] * si;
			}
			/* G [d x d] += block^T block */
			if (single)
				cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)nj,
					    1.0f, fb, (int)d, 0.0f, gb, (int)d);
			else
				cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d,
					    (int)nj, 1.0, blk, (int)d, 1.0, g, (int)d);
		} else {
			/* the block [n x nj] = columns j0.. of every row, scaled */
			for (size_t i = 0; i < n; i++) {
				const float *r = mat_row(a, i) + j0;
				if (single)
					for (size_t c = 0; c < nj; c++)
						fb[i * nj + c] = (float)(r[c] * scale[i]);
				else
					for (size_t c = 0; c < nj; c++)
						blk[i * nj + c] = r[c] * scale[i];
			}
			/* G [n x n] += block block^T */
			if (single)
				cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n,
					    (int)nj, 1.0f, fb, (int)nj, 0.0f, gb, (int)n);
			else
				cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n,
					    (int)nj, 1.0, blk, (int)nj, 1.0, g, (int)n);
		}
		if (single)
			add_upper(g, gb, k);
	}
	free(blk);
	free(fb);
	free(gb);
	return rc;
}

/* sigma [k] from the eigenvalues of the Gram matrix. */
static int spectrum_gram(double *sigma, const struct mat *a, const struct spectrum_rows *src,
			 const double *scale, int single)
{
	size_t k = a->rows < a->cols ? a->rows : a->cols;
	if (k > SIZE_MAX / sizeof(double) / k) {
		err_set("Gram matrix of %zu x %zu overflows", k, k);
		return -1;
	}
	double *g = malloc(k * k * sizeof *g), *w = malloc(k * sizeof *w);
	if (!g || !w) {
		free(g);
		free(w);
		err_nomem("Gram matrix", k * k * sizeof *g);
		return -1;
	}
	int rc = gram_accumulate(g, a, src, scale, single);
	if (rc == 0) {
		/* the row-major upper triangle is the column-major lower one:
		 * no transposed copy inside LAPACKE */
		lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)k, g,
						 (lapack_int)k, w);
		if (info != 0) {
			err_set("LAPACK dsyevd failed (info %d)", (int)info);
			rc = -1;
		}
	}
	if (rc == 0) /* w ascending; tiny negative lambdas are rounding of 0 */
		for (size_t i = 0; i < k; i++)
			sigma[i] = w[k - 1 - i] > 0.0 ? sqrt(w[k - 1 - i]) : 0.0;
	free(g);
	free(w);
	return rc;
}

/* sigma [k] from DGESDD on a double copy of the scaled rows. */
static int spectrum_svd(double *sigma, const struct mat *a, const double *scale)
{
	size_t n = a->rows, d = a->cols;
	if (d && n > SIZE_MAX / sizeof(double) / d) {
		err_set("%zu x %zu doubles overflow the address space", n, d);
		return -1;
	}
	if (mat_check_bytes(n * d * sizeof(double), "the double copy for the SVD "
			    "(method=gram needs none)") < 0)
		return -1;
	double *x = malloc(n * d * sizeof *x);
	if (!x) {
		err_nomem("double copy for the SVD (method=gram needs none)", n * d * sizeof *x);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const float *r = mat_row(a, i);
		for (size_t c = 0; c < d; c++)
			x[i * d + c] = r[c] * scale[i];
	}
	/* row-major A [n x d] is column-major A^T [d x n]: same values, no
	 * transposed copy inside LAPACKE */
	double u = 0.0, vt = 0.0;
	lapack_int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', (lapack_int)d, (lapack_int)n, x,
					 (lapack_int)d, sigma, &u, 1, &vt, 1);
	free(x);
	if (info != 0) {
		err_set("LAPACK dgesdd failed (info %d)", (int)info);
		return -1;
	}
	return 0;
}

/* spectrum_compute() of a (in memory) or of src (a->data NULL) */
static int compute(double *sigma, const struct mat *a, const struct spectrum_rows *src,
		   int normalize, enum spectrum_method method, enum spectrum_method *used,
		   size_t *zero_rows)
{
	size_t n = a->rows, d = a->cols;
	if (n == 0 || d == 0) {
		err_set("spectrum of an empty matrix (%zu x %zu)", n, d);
		return -1;
	}
	if (n > INT_MAX || d > INT_MAX) {
		err_set("%zu x %zu exceeds LAPACK's int sizes", n, d);
		return -1;
	}
	if (method == SPECTRUM_AUTO || method == SPECTRUM_KRYLOV)
		method = n >= 2 * d || d >= 2 * n ? SPECTRUM_GRAM : SPECTRUM_SVD;
	int gram = method == SPECTRUM_GRAM || method == SPECTRUM_GRAM32;
	if (src && (!gram || n < d)) {
		err_set("method=%s of a %zu x %zu matrix on disk: only the Gram path of a tall "
			"matrix (rows >= dims) streams; load it into memory",
			spectrum_method_name(method), n, d);
		return -1;
	}
	double *scale = malloc(n * sizeof *scale);
	if (!scale) {
		err_nomem("row norms", n * sizeof *scale);
		return -1;
	}
	size_t zero = 0;
	int rc = src ? stream_scales(scale, src, normalize, &zero)
		     : row_scales(scale, a, normalize, &zero, NULL);
	if (rc == 0)
		rc = gram ? spectrum_gram(sigma, a, src, scale, method == SPECTRUM_GRAM32)
			  : spectrum_svd(sigma, a, scale);
	free(scale);
	if (rc < 0)
		return -1;
	/* DGESDD returns them descending already; DSYEVD's were reversed.
	 * Keep the contract exact even if rounding produced a swap. */
	size_t k = n < d ? n : d;
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && sigma[j] > sigma[j - 1]; j--) {
			double t = sigma[j];
			sigma[j] = sigma[j - 1];
			sigma[j - 1] = t;
		}
	if (used)
		*used = method;
	if (zero_rows)
		*zero_rows = zero;
	return 0;
}

int spectrum_compute(double *sigma, const struct mat *a, int normalize,
		     enum spectrum_method method, enum spectrum_method *used,
		     size_t *zero_rows)
{
	return compute(sigma, a, NULL, normalize, method, used, zero_rows);
}

int spectrum_compute_rows(double *sigma, const struct spectrum_rows *src, int normalize,
			  enum spectrum_method method, enum spectrum_method *used,
			  size_t *zero_rows)
{
	struct mat shape = { src->n, src->d, NULL };
	return compute(sigma, &shape, src, normalize, method, used, zero_rows);
}

/* The row scales of a for the top-K path, with the checks of every entry
 * point: NULL with err_set() on failure. */
static double *prepare_top(const struct mat *a, size_t *zero, int normalize, double *frob2)
{
	size_t n = a->rows, d = a->cols;
	if (n > INT_MAX || d > INT_MAX) {
		err_set("%zu x %zu exceeds LAPACK's int sizes", n, d);
		return NULL;
	}
	double *scale = malloc(n * sizeof *scale);
	if (!scale) {
		err_nomem("row norms", n * sizeof *scale);
		return NULL;
	}
	if (row_scales(scale, a, normalize, zero, frob2) < 0) {
		free(scale);
		return NULL;
	}
	return scale;
}

int spectrum_top(double *sigma, size_t top, const struct mat *a, int normalize,
		 enum spectrum_method method, struct spectrum_top_info *info,
		 size_t *zero_rows)
{
	size_t n = a->rows, d = a->cols, k = n < d ? n : d, zero;
	struct spectrum_top_info inf = { 0 };
	if (k == 0) {
		err_set("spectrum of an empty matrix (%zu x %zu)", n, d);
		return -1;
	}
	if (top == 0 || top > k) {
		err_set("top=%zu: give 1 to min(n, d) = %zu values", top, k);
		return -1;
	}
	int krylov = (method == SPECTRUM_AUTO || method == SPECTRUM_KRYLOV) &&
		     4 * (top + 8) <= k && k >= SPECTRUM_KRYLOV_MIN;
	if (krylov) {
		double *scale = prepare_top(a, &zero, normalize, &inf.frob2);
		if (!scale)
			return -1;
		inf.method = SPECTRUM_KRYLOV;
		int rc = spectrum_top_krylov(sigma, NULL, top, a, scale, &inf);
		free(scale);
		if (rc < 0)
			return -1;
		/* not converged within k / 2 basis vectors: the full path, which
		 * costs at most about twice what was spent */
		krylov = inf.converged;
	}
	if (!krylov) {
		double *all = k <= SIZE_MAX / sizeof *all ? malloc(k * sizeof *all) : NULL;
		if (!all) {
			err_nomem("singular values", k * sizeof *all);
			return -1;
		}
		inf.frob2 = 0.0;
		int rc = spectrum_compute(all, a, normalize, method, &inf.method, &zero);
		for (size_t i = 0; rc == 0 && i < k; i++)
			inf.frob2 += all[i] * all[i];
		if (rc == 0)
			memcpy(sigma, all, top * sizeof *sigma);
		free(all);
		if (rc < 0)
			return -1;
	}
	if (info)
		*info = inf;
	if (zero_rows)
		*zero_rows = zero;
	return 0;
}

double spectrum_gram32_bound(double sigma1, double frob, double sigma)
{
	const double eps_f = 0x1p-23; /* FLT_EPSILON */
	if (!(sigma > 0.0))
		return INFINITY;
	double r = sigma1 / sigma;
	return SPECTRUM_GRAM32_C * eps_f * r * r + eps_f * frob / sigma;
}

void spectrum_summarize(struct spectrum_summary *s, const double *sigma, size_t k)
{
	memset(s, 0, sizeof *s);
	s->k = k;
	s->sigma1 = k ? sigma[0] : 0.0;
	double sum = 0.0, sum2 = 0.0;
	for (size_t i = 0; i < k; i++) {
		sum += sigma[i];
		sum2 += sigma[i] * sigma[i];
	}
	if (!(sum > 0.0))
		return;
	double h = 0.0;
	for (size_t i = 0; i < k; i++) {
		double p = sigma[i] / sum;
		if (p > 0.0)
			h -= p * log(p);
	}
	s->eff_rank = exp(h);
	for (size_t t = 0; t < 3; t++) {
		size_t top = spectrum_energy_top[t] < k ? spectrum_energy_top[t] : k;
		double e = 0.0;
		for (size_t i = 0; i < top; i++)
			e += sigma[i] * sigma[i];
		s->energy[t] = e / sum2;
	}
	for (size_t i = 0; i < k; i++)
		if (sigma[i] / s->sigma1 < SPECTRUM_TAIL_RATIO) {
			s->tail_index = i + 1;
			break;
		}
}

void spectrum_summarize_top(struct spectrum_summary *s, const double *sigma, size_t top,
			    double frob2)
{
	memset(s, 0, sizeof *s);
	s->k = top;
	s->sigma1 = top ? sigma[0] : 0.0;
	s->eff_rank = NAN;
	double e = 0.0;
	for (size_t t = 0, i = 0; t < 3; t++) {
		for (; i < spectrum_energy_top[t] && i < top; i++)
			e += sigma[i] * sigma[i];
		s->energy[t] = spectrum_energy_top[t] > top ? NAN : frob2 > 0.0 ? e / frob2 : 0.0;
	}
	for (size_t i = 0; s->sigma1 > 0.0 && i < top; i++)
		if (sigma[i] / s->sigma1 < SPECTRUM_TAIL_RATIO) {
			s->tail_index = i + 1;
			break;
		}
}
