/* eval-spectrum-top.c - the top singular values by block Krylov iteration
 * (see eval-spectrum.h, spectrum_top).
 *
 * Let k = min(n, d) be the small side and S the k x k operator A_s^T A_s
 * (tall) or A_s A_s^T (wide), A_s the row-scaled A.  The basis V [k x dims]
 * of the block Krylov space span{V0, S V0, S^2 V0, ...} is kept in double
 * and orthonormalised block by block (two Gram-Schmidt passes, Householder
 * QR, one more pass and QR: "twice is enough" even when the space is
 * exhausted and a block is rounding noise).  Each product S V_j runs as two
 * float GEMMs through A (U = A_s V_j, then Z_j = A_s^T U): that is where
 * all the time goes, 4 n d b flops a block.  The Rayleigh-Ritz matrix
 * H = V^T S V is bordered a block at a time from the Z_j already computed
 * (H_ij = V_i^T Z_j, symmetrised); its eigenvalues are sigma_i^2 of A_s
 * restricted to the space, non-decreasing as the space grows.
 *
 * Stopping rule: only the `top` values asked for are waited for, each on
 * its own residual.  With H = Q diag(theta) Q^T, the Ritz vector y_i =
 * V q_i has S y_i = Z q_i, so r_i = Z q_i - theta_i V q_i costs two small
 * GEMMs (k x m x top).  S symmetric: some eigenvalue of S lies within
 * ||r_i|| of theta_i, so some singular value lies within
 * bound_i = ||r_i|| / (2 theta_i) (relative, to first order) of w_i =
 * sqrt(theta_i), and theta_i <= lambda_i (interlacing).  The iteration
 * stops when every asked-for bound_i <= TOP_RTOL (1e-5, ten times under
 * the 1e-4 that issue 15 asks of the top 10), or, for a value so far down
 * the spectrum that the float products limit it, when ||r_i|| <=
 * eps_f sigma_1 sigma_i (bound_i <= eps_f sigma_1 / (2 sigma_i), the
 * float error below).  The values below the asked ones may be anywhere:
 * a tight cluster at the top no longer waits for the value after it.  The
 * largest bound_i is reported (info->bound).  What the residual cannot
 * see: an eigenvalue the starting block missed entirely (a random block
 * makes that a probability-zero event, and the Krylov space finds it
 * within a block or two through rounding).
 *
 * Accuracy: a float GEMM error in U and Z perturbs u_i = A_s v_i by about
 * eps_f ||rows||, so sigma_i carries a relative error of about
 * eps_f sigma_1 / sigma_i (linear, as numpy's float SVD has), not the
 * (eps_f / 2) (sigma_1 / sigma_i)^2 of a float Gram matrix. */
#include "eval-spectrum-int.h"
#include "err.h"
#include "rng.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOP_RTOL 1e-5 /* the relative bound on each asked-for sigma that stops the iteration */
#define TOP_MIN_BLOCK 32 /* columns per block at least (GEMM efficiency) */
#define TOP_MAX_BLOCKS 40

struct krylov {
	const struct mat *a;
	const double *scale;
	int tall;
	size_t n, d, k, other, b, cap; /* cap: columns of V and Z */
	double *v, *z, *h, *hw, *w, *tau; /* V, Z [k x cap] col-major; H, work [cap x cap];
					   * w [cap] Ritz values; tau [b] */
	double *r, *ry, *rn; /* residuals: Z Q, V Q [k x top], ||r_i|| [top] */
	size_t top;
	float *xf, *uf, *zf;           /* V_j in float [k x b], U [other x b], Z_j [k x b] */
};

/* Z_j = S V_j, V_j = columns c0.. of V: two float GEMMs through A. */
static void krylov_apply(struct krylov *kr, size_t c0)
{
	size_t n = kr->n, d = kr->d, k = kr->k, o = kr->other, b = kr->b;
	const double *vj = kr->v + c0 * k;
	double *zj = kr->z + c0 * k;
	/* tall: V_j is on the column side, U = D A V_j; wide: V_j is on the row
	 * side, U = A^T D V_j */
	for (size_t c = 0; c < b; c++)
		for (size_t i = 0; i < k; i++)
			kr->xf[c * k + i] = (float)(vj[c * k + i] * (kr->tall ? 1.0 : kr->scale[i]));
	/* A row-major n x d is column-major d x n (ld d) */
	if (kr->tall)
		cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)n, (int)b, (int)d, 1.0f,
			    kr->a->data, (int)d, kr->xf, (int)k, 0.0f, kr->uf, (int)o);
	else
		cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)d, (int)b, (int)n, 1.0f,
			    kr->a->data, (int)d, kr->xf, (int)k, 0.0f, kr->uf, (int)o);
	if (kr->tall) /* U = D (A V_j); the second product takes D U */
		for (size_t c = 0; c < b; c++)
			for (size_t i = 0; i < n; i++) {
				double s = kr->scale[i];
				kr->uf[c * o + i] = (float)(kr->uf[c * o + i] * s * s);
			}
	if (kr->tall)
		cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)d, (int)b, (int)n, 1.0f,
			    kr->a->data, (int)d, kr->uf, (int)o, 0.0f, kr->zf, (int)k);
	else
		cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)n, (int)b, (int)d, 1.0f,
			    kr->a->data, (int)d, kr->uf, (int)o, 0.0f, kr->zf, (int)k);
	for (size_t c = 0; c < b; c++)
		for (size_t i = 0; i < k; i++)
			zj[c * k + i] = kr->zf[c * k + i] * (kr->tall ? 1.0 : kr->scale[i]);
}

/* Columns c0..c0+b-1 of V: orthonormal, and orthogonal to columns 0..c0-1. */
static int krylov_orth(struct krylov *kr, size_t c0)
{
	size_t k = kr->k, b = kr->b;
	double *y = kr->v + c0 * k, *c = kr->hw, *tau = kr->tau;
	for (int pass = 0; pass < 5; pass++) {
		if (pass == 2 || pass == 4) {
			lapack_int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)k,
							 (lapack_int)b, y, (lapack_int)k, tau);
			if (info == 0)
				info = LAPACKE_dorgqr(LAPACK_COL_MAJOR, (lapack_int)k, (lapack_int)b,
						      (lapack_int)b, y, (lapack_int)k, tau);
			if (info != 0) {
				err_set("LAPACK QR of a Krylov block failed (info %d)", (int)info);
				return -1;
			}
		} else if (c0) { /* Y -= V0 (V0^T Y) */
			cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)c0, (int)b, (int)k,
				    1.0, kr->v, (int)k, y, (int)k, 0.0, c, (int)c0);
			cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)k, (int)b,
				    (int)c0, -1.0, kr->v, (int)k, c, (int)c0, 1.0, y, (int)k);
		}
	}
	return 0;
}

/* w [m]: the eigenvalues of H's leading m x m, descending, as sigma; rn
 * [top]: the residual norms ||S y_i - theta_i y_i|| of the top Ritz pairs
 * (theta_i = w_i^2, y_i = V q_i, S y_i = Z q_i). */
static int krylov_ritz(struct krylov *kr, size_t m)
{
	for (size_t j = 0; j < m; j++)
		for (size_t i = 0; i <= j; i++) /* symmetrised V_i^T Z_j */
			kr->hw[j * m + i] = 0.5 * (kr->h[j * kr->cap + i] + kr->h[i * kr->cap + j]);
	double *ev = kr->w;
	lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'U', (lapack_int)m, kr->hw,
					 (lapack_int)m, ev);
	if (info != 0) {
		err_set("LAPACK dsyevd on the Ritz matrix failed (info %d)", (int)info);
		return -1;
	}
	/* ascending: the top pairs are the last columns of hw, Q's top-first
	 * column i is hw's column m-1-i; ZQ and VQ come out last-first */
	size_t k = kr->k, t = kr->top, q0 = m - t;
	cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)k, (int)t, (int)m, 1.0,
		    kr->z, (int)k, kr->hw + q0 * m, (int)m, 0.0, kr->r, (int)k);
	cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)k, (int)t, (int)m, 1.0,
		    kr->v, (int)k, kr->hw + q0 * m, (int)m, 0.0, kr->ry, (int)k);
	for (size_t i = 0; i < t; i++) {
		size_t c = t - 1 - i;
		double th = ev[m - 1 - i], ss = 0.0;
		for (size_t j = 0; j < k; j++) {
			double e = kr->r[c * k + j] - th * kr->ry[c * k + j];
			ss += e * e;
		}
		kr->rn[i] = sqrt(ss);
	}
	for (size_t i = 0; i < m / 2; i++) {
		double tmp = ev[i];
		ev[i] = ev[m - 1 - i];
		ev[m - 1 - i] = tmp;
	}
	for (size_t i = 0; i < m; i++)
		ev[i] = ev[i] > 0.0 ? sqrt(ev[i]) : 0.0;
	return 0;
}

static void krylov_free(struct krylov *kr)
{
	free(kr->v);
	free(kr->z);
	free(kr->h);
	free(kr->hw);
	free(kr->w);
	free(kr->tau);
	free(kr->r);
	free(kr->ry);
	free(kr->rn);
	mat_free_floats(kr->xf);
	mat_free_floats(kr->uf);
	mat_free_floats(kr->zf);
}

static int krylov_init(struct krylov *kr, const struct mat *a, const double *scale, size_t top)
{
	memset(kr, 0, sizeof *kr);
	kr->a = a;
	kr->scale = scale;
	kr->n = a->rows;
	kr->d = a->cols;
	kr->tall = kr->n >= kr->d;
	kr->k = kr->tall ? kr->d : kr->n;
	kr->other = kr->tall ? kr->n : kr->d;
	size_t b = top + 8 > TOP_MIN_BLOCK ? top + 8 : TOP_MIN_BLOCK;
	kr->b = (b + 7) / 8 * 8;
	size_t blocks = kr->k / 2 / kr->b;
	kr->cap = kr->b * (blocks < TOP_MAX_BLOCKS ? blocks : TOP_MAX_BLOCKS);
	size_t k = kr->k, cap = kr->cap;
	kr->v = malloc(k * cap * sizeof *kr->v);
	kr->z = malloc(k * cap * sizeof *kr->z);
	kr->h = malloc(cap * cap * sizeof *kr->h);
	kr->hw = malloc(cap * cap * sizeof *kr->hw);
	kr->w = malloc(cap * sizeof *kr->w);
	kr->tau = malloc(kr->b * sizeof *kr->tau);
	kr->top = top;
	kr->r = malloc(k * top * sizeof *kr->r);
	kr->ry = malloc(k * top * sizeof *kr->ry);
	kr->rn = malloc(top * sizeof *kr->rn);
	if (!kr->v || !kr->z || !kr->h || !kr->hw || !kr->w || !kr->tau || !kr->r || !kr->ry ||
	    !kr->rn) {
		krylov_free(kr);
		err_nomem("Krylov basis", 2 * k * cap * sizeof(double));
		return -1;
	}
	kr->xf = mat_alloc_floats(k * kr->b, "Krylov block");
	kr->uf = kr->xf ? mat_alloc_floats(kr->other * kr->b, "Krylov block") : NULL;
	kr->zf = kr->uf ? mat_alloc_floats(k * kr->b, "Krylov block") : NULL;
	if (!kr->zf) {
		krylov_free(kr);
		return -1;
	}
	return 0;
}

/* The relative bound on sigma_i from the residual of its Ritz pair:
 * some eigenvalue of S lies within ||r_i|| of theta_i = w_i^2, so some
 * singular value within ||r_i|| / (2 w_i) of w_i, to first order. */
static double krylov_bound(const struct krylov *kr, size_t i)
{
	double th = kr->w[i] * kr->w[i];
	return th > 0.0 ? kr->rn[i] / (2.0 * th) : INFINITY;
}

int spectrum_top_krylov(double *sigma, double *bound, size_t top, const struct mat *a,
			const double *scale, struct spectrum_top_info *info)
{
	struct krylov kr;
	if (krylov_init(&kr, a, scale, top) < 0)
		return -1;
	size_t k = kr.k, b = kr.b, cap = kr.cap;
	struct rng r;
	rng_seed(&r, 0x5eedu, 7);
	for (size_t i = 0; i < k * b; i++)
		kr.v[i] = rng_uniform(&r, -1.0f, 1.0f);
	int rc = krylov_orth(&kr, 0);
	size_t m = 0, blocks = 0;
	double worst = INFINITY;
	int converged = 0;
	while (rc == 0 && m + b <= cap) {
		krylov_apply(&kr, m);
		blocks++;
		/* border H with the new block's row and column */
		size_t m1 = m + b;
		cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)m1, (int)b, (int)k, 1.0,
			    kr.v, (int)k, kr.z + m * k, (int)k, 0.0, kr.h + m * cap, (int)cap);
		cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)b, (int)m, (int)k, 1.0,
			    kr.v + m * k, (int)k, kr.z, (int)k, 0.0, kr.h + m, (int)cap);
		if ((rc = krylov_ritz(&kr, m1)) < 0)
			break;
		/* converged when every asked-for value's bound is below
		 * TOP_RTOL, or below the float products' own error eps_f
		 * sigma_1 / (2 sigma_i) when that is larger */
		converged = 1;
		worst = 0.0;
		for (size_t i = 0; i < top; i++) {
			double th = kr.w[i] * kr.w[i];
			if (!(kr.rn[i] <= 2.0 * TOP_RTOL * th + FLT_EPSILON * kr.w[0] * kr.w[i]))
				converged = 0;
			double e = krylov_bound(&kr, i);
			worst = e > worst ? e : worst;
		}
		m = m1;
		if (converged || m + b > cap)
			break;
		/* the next block: S V_j, orthogonalised against the basis */
		memcpy(kr.v + m * k, kr.z + (m - b) * k, k * b * sizeof *kr.v);
		rc = krylov_orth(&kr, m);
	}
	if (rc == 0) {
		memcpy(sigma, kr.w, top * sizeof *sigma);
		for (size_t i = 0; bound && i < top; i++)
			bound[i] = krylov_bound(&kr, i);
		if (info) {
			info->bound = worst;
			info->block = b;
			info->dims = m;
			info->blocks = blocks;
			info->converged = converged;
		}
	}
	krylov_free(&kr);
	return rc;
}
