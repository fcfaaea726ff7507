/* test-mlp.c - the MLP kernels and the cosine loss (src/nn-mlp.c,
 * src/nn-cosine.c), four ways:
 *   1. the BLAS paths against the naive double-accumulating oracles;
 *   2. every gradient (parameters, the input = the bank's gradient, the
 *      cosine loss) against central differences of a double
 *      re-implementation of the whole loss;
 *   3. the cosine loss's edge cases (zero y, zero z, target indexing);
 *   4. outputs, loss and every gradient against PyTorch (tests/fixtures/nn.txt).
 *
 * Differences are normwise: max |got - ref| / max |ref| over one array (an
 * element that cancels to near zero carries the rounding of its terms, not
 * of itself).  The tolerances, and why:
 *   TOL_BLAS 1e-5  float SGEMM vs double-accumulated oracle, K <= 65 terms:
 *                  bound ~K*u = 4e-6 on the terms' scale; measured <= 3e-7.
 *   TOL_FD   1e-5  float analytic gradient vs central differences (h 1e-6)
 *                  of the double loss: truncation ~h^2, cancellation
 *                  ~1e-16/h, so all of the difference is the float path's
 *                  rounding; measured <= 4e-7.  Draws keep every unit
 *                  >= 1e-3 from its ReLU corner and 2+ outputs active a row.
 *   TOL_TORCH 1e-5 float kernels vs float64 torch from the same float32
 *                  inputs, likewise pure float rounding; measured <= 3e-7. */
#include "nn-cosine.h"
#include "nn-mlp.h"
#include "rng.h"

#include "fixtures.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TOL_BLAS 1e-5
#define TOL_FD 1e-5
#define TOL_TORCH 1e-5
#define FD_H 1e-6
#define MAX_W 128 /* widest layer the double re-implementation handles */

static float *xalloc(size_t n)
{
	float *p = calloc(n ? n : 1, sizeof *p);
	if (!p)
		fixture_bail("out of memory");
	return p;
}

static double *xalloc_d(size_t n)
{
	double *p = calloc(n ? n : 1, sizeof *p);
	if (!p)
		fixture_bail("out of memory");
	return p;
}

static void fill_uniform(float *x, size_t n, struct rng *r, float lo, float hi)
{
	for (size_t i = 0; i < n; i++)
		x[i] = rng_uniform(r, lo, hi);
}

/* Rows of x [B x d] uniform in [0,1) then L2-normalised: feature targets. */
static void fill_targets(float *x, size_t B, size_t d, struct rng *r)
{
	for (size_t i = 0; i < B; i++) {
		double ss = 0.0;
		for (size_t k = 0; k < d; k++) {
			x[i * d + k] = rng_uniform01(r);
			ss += (double)x[i * d + k] * x[i * d + k];
		}
		for (size_t k = 0; k < d; k++)
			x[i * d + k] = (float)(x[i * d + k] / sqrt(ss));
	}
}

static struct mlp_shape shape_of(size_t depth, const size_t *dims)
{
	struct mlp_shape s = {.depth = depth};
	for (size_t l = 0; l <= depth; l++)
		s.dim[l] = dims[l];
	return s;
}

/* normwise max |a-b| / max |b| between two float arrays */
static double normwise_ff(const float *a, const float *b, size_t n)
{
	double worst = 0.0, scale = 0.0;
	for (size_t i = 0; i < n; i++) {
		double e = fabs((double)a[i] - b[i]);
		if (isnan(e))
			e = INFINITY;
		worst = e > worst ? e : worst;
		scale = fabs((double)b[i]) > scale ? fabs((double)b[i]) : scale;
	}
	return scale > 0.0 ? worst / scale : (worst > 0.0 ? INFINITY : 0.0);
}

static double normwise_fd(const float *a, const double *b, size_t n)
{
	return fixture_normwise(a, b, n, NULL);
}

/* ---- layout and init ---------------------------------------------------- */

static void test_layout(void)
{
	const size_t dims[] = {7, 6, 5};
	struct mlp_shape s = shape_of(2, dims);
	tap_ok(mlp_param_count(&s) == 6 * 7 + 6 + 5 * 6 + 5 && mlp_weight_offset(&s, 0) == 0 &&
		       mlp_bias_offset(&s, 0) == 42 && mlp_weight_offset(&s, 1) == 48 &&
		       mlp_bias_offset(&s, 1) == 78,
	       "parameter block layout 7-6-5: W0@0 b0@42 W1@48 b1@78, %zu floats",
	       mlp_param_count(&s));
	tap_ok(mlp_act_count(&s, 3) == 3 * 11 && mlp_scratch_count(&s, 3) >= 2 * 3 * 6,
	       "activation count %zu, scratch count %zu for B=3", mlp_act_count(&s, 3),
	       mlp_scratch_count(&s, 3));

	const size_t dims2[] = {16, 64, 4};
	struct mlp_shape s2 = shape_of(2, dims2);
	size_t np = mlp_param_count(&s2);
	float *p = xalloc(np);
	struct rng r;
	rng_seed(&r, 1, 0);
	mlp_init_params(p, &s2, &r);
	int inside = 1;
	double mean0 = 0.0, mean1 = 0.0;
	for (size_t l = 0; l < 2; l++) {
		double bound = 1.0 / sqrt((double)s2.dim[l]);
		size_t o = mlp_weight_offset(&s2, l), n = s2.dim[l + 1] * s2.dim[l] + s2.dim[l + 1];
		for (size_t i = 0; i < n; i++) {
			inside &= fabs(p[o + i]) <= bound;
			if (l)
				mean1 += p[o + i] / (bound * (double)n);
			else
				mean0 += p[o + i] / (bound * (double)n);
		}
	}
	tap_ok(inside && fabs(mean0) < 0.1 && fabs(mean1) < 0.2,
	       "init uniform in +-1/sqrt(fan_in): all inside, scaled means %.3f %.3f", mean0, mean1);
	free(p);
}

/* ---- 1. BLAS vs naive --------------------------------------------------- */

static void test_blas_vs_naive(size_t depth, const size_t *dims, size_t B, uint64_t seed)
{
	struct mlp_shape s = shape_of(depth, dims);
	size_t np = mlp_param_count(&s), na = mlp_act_count(&s, B);
	size_t din_n = B * dims[0], dout_n = B * dims[depth];
	float *params = xalloc(np), *in = xalloc(din_n), *dout = xalloc(dout_n);
	float *acts = xalloc(na), *acts_n = xalloc(na), *scratch = xalloc(mlp_scratch_count(&s, B));
	float *dp = xalloc(np), *dp_n = xalloc(np), *dp_nodin = xalloc(np);
	float *din = xalloc(din_n), *din_n_ = xalloc(din_n);
	struct rng r;
	rng_seed(&r, seed, 1);
	mlp_init_params(params, &s, &r);
	fill_uniform(in, din_n, &r, -1.0f, 1.0f);
	fill_uniform(dout, dout_n, &r, -1.0f, 1.0f);
	/* dparams start non-zero and equal: backward must add to them */
	fill_uniform(dp, np, &r, -0.5f, 0.5f);
	memcpy(dp_n, dp, np * sizeof *dp);
	memcpy(dp_nodin, dp, np * sizeof *dp);

	char what[160];
	int n = snprintf(what, sizeof what, "depth %zu dims", depth);
	for (size_t l = 0; l <= depth; l++)
		n += snprintf(what + n, sizeof what - (size_t)n, "%s%zu", l ? "-" : " ", dims[l]);
	snprintf(what + n, sizeof what - (size_t)n, " B=%zu", B);

	mlp_forward(acts, params, &s, in, B);
	mlp_forward_naive(acts_n, params, &s, in, B);
	double e = normwise_ff(acts, acts_n, na);
	tap_ok(e <= TOL_BLAS, "BLAS vs naive forward, %s: every layer's activations, rel %.3g (tol %.3g)",
	       what, e, TOL_BLAS);

	/* both backwards from the BLAS activations, so the ReLU masks agree */
	mlp_backward(din, dp, scratch, params, &s, in, acts, dout, B);
	mlp_backward_naive(din_n_, dp_n, params, &s, in, acts, dout, B);
	mlp_backward(NULL, dp_nodin, scratch, params, &s, in, acts, dout, B);
	e = normwise_ff(dp, dp_n, np);
	tap_ok(e <= TOL_BLAS, "BLAS vs naive backward, %s: dparams (accumulated), rel %.3g (tol %.3g)",
	       what, e, TOL_BLAS);
	e = normwise_ff(din, din_n_, din_n);
	tap_ok(e <= TOL_BLAS, "BLAS vs naive backward, %s: din, rel %.3g (tol %.3g)", what, e, TOL_BLAS);
	tap_ok(!memcmp(dp, dp_nodin, np * sizeof *dp),
	       "backward with din = NULL gives the same dparams bit for bit, %s", what);
	float *din2 = xalloc(din_n);
	mlp_backward(din2, NULL, scratch, params, &s, in, acts, dout, B);
	tap_ok(!memcmp(din, din2, din_n * sizeof *din),
	       "backward with dparams = NULL gives the same din bit for bit, %s", what);
	free(din2);

	free(params), free(in), free(dout), free(acts), free(acts_n), free(scratch);
	free(dp), free(dp_n), free(dp_nodin), free(din), free(din_n_);
}

/* ---- 2. finite differences ---------------------------------------------- */

/* m decoders and their targets on one batch */
struct problem {
	size_t m, B, d;
	struct mlp_shape s[2];
	float *params[2]; /* [mlp_param_count] */
	float *z[2];      /* [B x dim[depth]] */
	float *psi;       /* [B x d] */
};

/* 1 - cos(y, z) in double, 0-cos convention for zero vectors */
static double one_minus_cos_d(const double *y, const double *z, size_t n)
{
	double yz = 0.0, yy = 0.0, zz = 0.0;
	for (size_t k = 0; k < n; k++) {
		yz += y[k] * z[k];
		yy += y[k] * y[k];
		zz += z[k] * z[k];
	}
	return (yy == 0.0 || zz == 0.0) ? 1.0 : 1.0 - yz / sqrt(yy * zz);
}

/* The loss (mean over rows and models of 1 - cos) in double, from double
 * parameters p[j] and input psi [B x d]; *kink gets the smallest
 * |pre-activation| (distance from a ReLU corner), or 0 when an output row
 * has fewer than two active units (a degenerate draw). */
static double loss_double(const struct problem *P, double *const *p, const double *psi, double *kink)
{
	double total = 0.0;
	*kink = INFINITY;
	for (size_t j = 0; j < P->m; j++) {
		const struct mlp_shape *s = &P->s[j];
		for (size_t r = 0; r < P->B; r++) {
			double a[MAX_W], b[MAX_W], zr[MAX_W], *x = a, *y = b;
			for (size_t k = 0; k < P->d; k++)
				x[k] = psi[r * P->d + k];
			for (size_t l = 0; l < s->depth; l++) {
				size_t ni = s->dim[l], no = s->dim[l + 1];
				const double *W = p[j] + mlp_weight_offset(s, l);
				const double *bias = p[j] + mlp_bias_offset(s, l);
				for (size_t o = 0; o < no; o++) {
					double t = bias[o];
					for (size_t i = 0; i < ni; i++)
						t += W[o * ni + i] * x[i];
					if (fabs(t) < *kink)
						*kink = fabs(t);
					y[o] = t > 0.0 ? t : 0.0;
				}
				double *tmp = x;
				x = y;
				y = tmp;
			}
			size_t no = s->dim[s->depth], active = 0;
			for (size_t k = 0; k < no; k++) {
				zr[k] = P->z[j][r * no + k];
				active += x[k] > 0.0;
			}
			/* with < 2 active outputs cos does not depend on the MLP:
			 * every gradient is exactly 0, nothing to check */
			if (active < 2)
				*kink = 0.0;
			total += one_minus_cos_d(x, zr, no);
		}
	}
	return total / (double)(P->B * P->m);
}

/* The kernels' loss and gradients, as a training step computes them:
 * dparams[j] (zeroed here) and dpsi [B x d] (summed over models). */
static double loss_kernels(const struct problem *P, float *const *dparams, float *dpsi)
{
	double total = 0.0;
	float scale = 1.0f / (float)(P->B * P->m);
	memset(dpsi, 0, P->B * P->d * sizeof *dpsi);
	for (size_t j = 0; j < P->m; j++) {
		const struct mlp_shape *s = &P->s[j];
		size_t dout = s->dim[s->depth];
		float *acts = xalloc(mlp_act_count(s, P->B));
		float *scratch = xalloc(mlp_scratch_count(s, P->B));
		float *dy = xalloc(P->B * dout), *din = xalloc(P->B * P->d);
		mlp_forward(acts, P->params[j], s, P->psi, P->B);
		total += cosine_loss(dy, mlp_output(acts, s, P->B), P->z[j], NULL, P->B, dout, scale);
		memset(dparams[j], 0, mlp_param_count(s) * sizeof(float));
		mlp_backward(din, dparams[j], scratch, P->params[j], s, P->psi, acts, dy, P->B);
		for (size_t i = 0; i < P->B * P->d; i++)
			dpsi[i] += din[i];
		free(acts), free(scratch), free(dy), free(din);
	}
	return total / (double)(P->B * P->m);
}

static void fd_check(size_t m, size_t depth, const size_t (*dims)[MLP_MAX_DEPTH + 1], size_t B,
		     uint64_t seed)
{
	struct problem P = {.m = m, .B = B, .d = dims[0][0]};
	double *pd[2], *psid = xalloc_d(B * P.d), kink = 0.0;
	for (size_t j = 0; j < m; j++) {
		P.s[j] = shape_of(depth, dims[j]);
		P.params[j] = xalloc(mlp_param_count(&P.s[j]));
		P.z[j] = xalloc(B * dims[j][depth]);
		pd[j] = xalloc_d(mlp_param_count(&P.s[j]));
	}
	P.psi = xalloc(B * P.d);

	/* draw until every unit is clear of its ReLU corner by >> h */
	uint64_t attempt;
	for (attempt = 0; attempt < 1000; attempt++) {
		struct rng r;
		rng_seed(&r, seed + attempt, 2);
		fill_uniform(P.psi, B * P.d, &r, -1.0f, 1.0f);
		for (size_t j = 0; j < m; j++) {
			mlp_init_params(P.params[j], &P.s[j], &r);
			fill_targets(P.z[j], B, dims[j][depth], &r);
			for (size_t i = 0; i < mlp_param_count(&P.s[j]); i++)
				pd[j][i] = P.params[j][i];
		}
		for (size_t i = 0; i < B * P.d; i++)
			psid[i] = P.psi[i];
		loss_double(&P, pd, psid, &kink);
		if (kink > 1e-3)
			break;
	}
	if (kink <= 1e-3)
		fixture_bail("fd: no draw keeps units off the ReLU corner");

	float *dp[2], *dpsi = xalloc(B * P.d);
	for (size_t j = 0; j < m; j++)
		dp[j] = xalloc(mlp_param_count(&P.s[j]));
	double loss_k = loss_kernels(&P, dp, dpsi), k2;
	double loss_d = loss_double(&P, pd, psid, &k2);

	char what[64];
	snprintf(what, sizeof what, "m=%zu depth %zu B=%zu", m, depth, B);
	tap_ok(fabs(loss_k - loss_d) <= TOL_FD * fabs(loss_d),
	       "kernels' loss vs double loss, %s: %.9g vs %.9g, rel %.3g (tol %.3g)", what, loss_k,
	       loss_d, fabs(loss_k - loss_d) / fabs(loss_d), TOL_FD);

	for (size_t j = 0; j < m; j++)
		for (size_t l = 0; l < depth; l++) {
			size_t o = mlp_weight_offset(&P.s[j], l);
			size_t n = mlp_bias_offset(&P.s[j], l) + P.s[j].dim[l + 1] - o;
			double *fd = xalloc_d(n);
			for (size_t i = 0; i < n; i++) {
				double save = pd[j][o + i], lp, lm;
				pd[j][o + i] = save + FD_H;
				lp = loss_double(&P, pd, psid, &k2);
				pd[j][o + i] = save - FD_H;
				lm = loss_double(&P, pd, psid, &k2);
				pd[j][o + i] = save;
				fd[i] = (lp - lm) / (2 * FD_H);
			}
			double e = normwise_fd(dp[j] + o, fd, n);
			tap_ok(e <= TOL_FD, "finite differences, %s: model %zu layer %zu dW,db (%zu), rel %.3g (tol %.3g)",
			       what, j, l, n, e, TOL_FD);
			free(fd);
		}
	double *fd = xalloc_d(B * P.d);
	for (size_t i = 0; i < B * P.d; i++) {
		double save = psid[i], lp, lm;
		psid[i] = save + FD_H;
		lp = loss_double(&P, pd, psid, &k2);
		psid[i] = save - FD_H;
		lm = loss_double(&P, pd, psid, &k2);
		psid[i] = save;
		fd[i] = (lp - lm) / (2 * FD_H);
	}
	double e = normwise_fd(dpsi, fd, B * P.d);
	tap_ok(e <= TOL_FD, "finite differences, %s: dLoss/dpsi (the bank's gradient), rel %.3g (tol %.3g)",
	       what, e, TOL_FD);
	free(fd);

	for (size_t j = 0; j < m; j++)
		free(P.params[j]), free(P.z[j]), free(pd[j]), free(dp[j]);
	free(P.psi), free(psid), free(dpsi);
}

/* The cosine loss alone, on arbitrary (signed) y: dY against central
 * differences of sum_r scale * (1 - cos) in double. */
static void fd_cosine(size_t B, size_t d, uint64_t seed)
{
	float *Y = xalloc(B * d), *Z = xalloc(B * d), *dY = xalloc(B * d);
	double *yd = xalloc_d(B * d), *zd = xalloc_d(B * d), *fd = xalloc_d(B * d);
	struct rng r;
	rng_seed(&r, seed, 3);
	fill_uniform(Y, B * d, &r, -1.0f, 1.0f);
	fill_targets(Z, B, d, &r);
	for (size_t i = 0; i < B * d; i++)
		yd[i] = Y[i], zd[i] = Z[i];
	float scale = 1.0f / (float)B;
	double total = cosine_loss(dY, Y, Z, NULL, B, d, scale), ref = 0.0;
	for (size_t rr = 0; rr < B; rr++)
		ref += one_minus_cos_d(yd + rr * d, zd + rr * d, d);
	tap_ok(fabs(total - ref) <= TOL_FD * ref, "cosine loss B=%zu d=%zu: sum %.9g vs double %.9g",
	       B, d, total, ref);
	for (size_t rr = 0; rr < B; rr++)
		for (size_t k = 0; k < d; k++) {
			double *y = yd + rr * d, save = y[k], lp, lm;
			y[k] = save + FD_H;
			lp = one_minus_cos_d(y, zd + rr * d, d);
			y[k] = save - FD_H;
			lm = one_minus_cos_d(y, zd + rr * d, d);
			y[k] = save;
			fd[rr * d + k] = scale * (lp - lm) / (2 * FD_H);
		}
	double e = normwise_fd(dY, fd, B * d);
	tap_ok(e <= TOL_FD, "finite differences, cosine loss B=%zu d=%zu: dY, rel %.3g (tol %.3g)", B,
	       d, e, TOL_FD);
	free(Y), free(Z), free(dY), free(yd), free(zd), free(fd);
}

/* ---- 3. cosine edge cases ----------------------------------------------- */

static void test_cosine_edges(void)
{
	enum { B = 4, D = 5 };
	float Y[B * D], Z[B * D], dY[B * D], Zg[B * D], dYg[B * D];
	struct rng r;
	rng_seed(&r, 9, 4);
	fill_uniform(Y, B * D, &r, -1.0f, 1.0f);
	fill_targets(Z, B, D, &r);
	memset(Y + 1 * D, 0, D * sizeof(float)); /* row 1: zero y */
	memset(Z + 2 * D, 0, D * sizeof(float)); /* row 2: zero z */
	memset(Y + 3 * D, 0, D * sizeof(float)); /* row 3: both zero */
	memset(Z + 3 * D, 0, D * sizeof(float));
	for (size_t i = 0; i < B * D; i++)
		dY[i] = NAN; /* must be overwritten everywhere */
	double total = cosine_loss(dY, Y, Z, NULL, B, D, 0.25f);

	double yd[D], zd[D];
	for (size_t k = 0; k < D; k++)
		yd[k] = Y[k], zd[k] = Z[k];
	double row0 = one_minus_cos_d(yd, zd, D);
	int zero_rows = 1, finite = 1;
	for (size_t i = D; i < B * D; i++)
		zero_rows &= dY[i] == 0.0f;
	for (size_t i = 0; i < B * D; i++)
		finite &= isfinite(dY[i]);
	tap_ok(fabs(total - (row0 + 3.0)) <= 1e-6, "cosine: zero y / zero z / both rows cost 1 each: "
	       "total %.9g, expected %.9g", total, row0 + 3.0);
	tap_ok(zero_rows && finite, "cosine: zero y, zero z and both-zero rows get exactly zero gradient, "
	       "all finite");

	/* targets by index read the same rows as targets in place */
	uint32_t zidx[B] = {3, 0, 2, 1};
	float Zbig[B * D];
	fill_targets(Zbig, B, D, &r);
	for (size_t i = 0; i < B; i++)
		memcpy(Zg + i * D, Zbig + zidx[i] * D, D * sizeof(float));
	fill_uniform(Y, B * D, &r, -1.0f, 1.0f);
	double t1 = cosine_loss(dY, Y, Zbig, zidx, B, D, 0.5f);
	double t2 = cosine_loss(dYg, Y, Zg, NULL, B, D, 0.5f);
	tap_ok(t1 == t2 && !memcmp(dY, dYg, sizeof dY),
	       "cosine: zidx targets equal gathered targets bit for bit (%.9g vs %.9g)", t1, t2);

	/* y parallel to z: loss 0 and zero gradient (up to rounding) */
	for (size_t k = 0; k < D; k++)
		Y[k] = 3.0f * Zg[k];
	double t3 = cosine_loss(dY, Y, Zg, NULL, 1, D, 1.0f);
	float gmax = 0.0f;
	for (size_t k = 0; k < D; k++)
		gmax = fabsf(dY[k]) > gmax ? fabsf(dY[k]) : gmax;
	tap_ok(fabs(t3) < 1e-6 && gmax < 1e-6f, "cosine: y = 3z gives loss %.3g, max |grad| %.3g", t3,
	       (double)gmax);
}

/* ---- 4. PyTorch fixture ------------------------------------------------- */

static void test_fixture(const struct fixture *fx, const char *c)
{
	char key[128], what[128];
#define KEY(...) (snprintf(key, sizeof key, __VA_ARGS__), key)
	struct problem P = {.m = fixture_size(fx, KEY("%s.m", c)), .B = fixture_size(fx, KEY("%s.B", c)),
			    .d = fixture_size(fx, KEY("%s.d", c))};
	if (P.m > 2)
		fixture_bail("%s: m = %zu > 2", c, P.m);
	size_t B = P.B;
	P.psi = fixture_floats_new(fx, KEY("%s.psi", c), B * P.d);
	float *dpsi = xalloc(B * P.d);
	double total = 0.0;
	float scale = 1.0f / (float)(B * P.m);
	for (size_t j = 0; j < P.m; j++) {
		size_t nd;
		const double *dims = fixture_get(fx, KEY("%s.j%zu.dims", c, j), 0, &nd);
		struct mlp_shape *s = &P.s[j];
		s->depth = nd - 1;
		for (size_t l = 0; l < nd; l++)
			s->dim[l] = (size_t)dims[l];
		size_t np = mlp_param_count(s), dout = s->dim[s->depth];
		P.params[j] = fixture_floats_new(fx, KEY("%s.j%zu.params", c, j), np);
		P.z[j] = fixture_floats_new(fx, KEY("%s.j%zu.z", c, j), B * dout);

		float *acts = xalloc(mlp_act_count(s, B)), *scratch = xalloc(mlp_scratch_count(s, B));
		float *dy = xalloc(B * dout), *din = xalloc(B * P.d), *dp = xalloc(np);
		mlp_forward(acts, P.params[j], s, P.psi, B);
		float *y = mlp_output(acts, s, B);
		total += cosine_loss(dy, y, P.z[j], NULL, B, dout, scale);
		mlp_backward(din, dp, scratch, P.params[j], s, P.psi, acts, dy, B);
		for (size_t i = 0; i < B * P.d; i++)
			dpsi[i] += din[i];

		snprintf(what, sizeof what, "torch %s model %zu (depth %zu)", c, j, s->depth);
		fixture_check(y, fx, KEY("%s.j%zu.out", c, j), B * dout, TOL_TORCH, what);
		fixture_check(dy, fx, KEY("%s.j%zu.dout", c, j), B * dout, TOL_TORCH, what);
		fixture_check(dp, fx, KEY("%s.j%zu.dparams", c, j), np, TOL_TORCH, what);
		free(acts), free(scratch), free(dy), free(din), free(dp);
	}
	double loss = total / (double)(B * P.m);
	double ref = fixture_get(fx, KEY("%s.loss", c), 1, NULL)[0];
	tap_ok(fabs(loss - ref) <= TOL_TORCH * fabs(ref),
	       "torch %s: loss %.9g vs %.9g, rel diff %.3g (tol %.3g)", c, loss, ref,
	       fabs(loss - ref) / fabs(ref), TOL_TORCH);
	snprintf(what, sizeof what, "torch %s (m=%zu)", c, P.m);
	fixture_check(dpsi, fx, KEY("%s.dpsi", c), B * P.d, TOL_TORCH, what);
#undef KEY
	for (size_t j = 0; j < P.m; j++)
		free(P.params[j]), free(P.z[j]);
	free(P.psi), free(dpsi);
}

int main(void)
{
	test_layout();

	static const size_t d1[] = {5, 3}, d2[] = {7, 6, 5}, d3[] = {9, 4, 11, 6},
			    d3b[] = {33, 65, 17, 40}, d8[] = {8, 12, 7, 9, 10, 6, 11, 5, 4};
	test_blas_vs_naive(1, d1, 1, 10);
	test_blas_vs_naive(1, d1, 13, 11);
	test_blas_vs_naive(2, d2, 5, 12);
	test_blas_vs_naive(3, d3, 7, 13);
	test_blas_vs_naive(3, d3b, 64, 14);
	test_blas_vs_naive(8, d8, 9, 15);

	static const size_t f1[2][MLP_MAX_DEPTH + 1] = {{7, 5}, {7, 4}};
	static const size_t f2[2][MLP_MAX_DEPTH + 1] = {{7, 6, 7}, {7, 6, 5}};
	static const size_t f3[2][MLP_MAX_DEPTH + 1] = {{6, 9, 5, 6}, {6, 4, 8, 3}};
	fd_check(2, 1, f1, 5, 100);
	fd_check(2, 2, f2, 5, 200);
	fd_check(2, 3, f3, 6, 300);
	fd_check(1, 2, f2, 3, 400);
	fd_cosine(6, 7, 500);

	test_cosine_edges();

	struct fixture fx;
	fixture_load(&fx, "nn.txt");
	test_fixture(&fx, "mlpA");
	test_fixture(&fx, "mlpB");
	fixture_free(&fx);
	return tap_done();
}
