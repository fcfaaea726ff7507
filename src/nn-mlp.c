/* nn-mlp.c - MLP decoder forward/backward (see nn-mlp.h).
 *
 * The BLAS path does one SGEMM per layer and per product; every other
 * operation (bias, ReLU, its mask, the bias gradient) is one fused,
 * vectorisable pass beside it.  The naive path below is the oracle the
 * tests hold the BLAS path to: plain loops, every sum in double. */
#include "nn-mlp.h"
#include "nn-bf16.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>

size_t mlp_param_count(const struct mlp_shape *s)
{
	size_t n = 0;
	for (size_t l = 0; l < s->depth; l++)
		n += s->dim[l + 1] * s->dim[l] + s->dim[l + 1];
	return n;
}

size_t mlp_weight_offset(const struct mlp_shape *s, size_t layer)
{
	size_t off = 0;
	for (size_t l = 0; l < layer; l++)
		off += s->dim[l + 1] * s->dim[l] + s->dim[l + 1];
	return off;
}

size_t mlp_bias_offset(const struct mlp_shape *s, size_t layer)
{
	return mlp_weight_offset(s, layer) + s->dim[layer + 1] * s->dim[layer];
}

void mlp_init_params(float *params, const struct mlp_shape *s, struct rng *r)
{
	for (size_t l = 0; l < s->depth; l++) {
		float bound = (float)(1.0 / sqrt((double)s->dim[l]));
		float *w = params + mlp_weight_offset(s, l);
		size_t n = s->dim[l + 1] * s->dim[l] + s->dim[l + 1]; /* W then b */
		for (size_t i = 0; i < n; i++)
			w[i] = rng_uniform(r, -bound, bound);
	}
}

size_t mlp_act_count(const struct mlp_shape *s, size_t B)
{
	size_t n = 0;
	for (size_t l = 1; l <= s->depth; l++)
		n += B * s->dim[l];
	return n;
}

/* Widest layer output: the row width of both backward scratch buffers. */
static size_t max_out_width(const struct mlp_shape *s)
{
	size_t w = 0;
	for (size_t l = 1; l <= s->depth; l++)
		if (s->dim[l] > w)
			w = s->dim[l];
	return w;
}

/* Two buffers of B rows: dZ of the current layer and the gradient reaching
 * its input (the dA of the layer below); only dim[0] never lands here. */
size_t mlp_scratch_count(const struct mlp_shape *s, size_t B)
{
	return 2 * B * max_out_width(s);
}

/* Output of layer l inside the activation buffer. */
static size_t act_offset(const struct mlp_shape *s, size_t B, size_t layer)
{
	size_t off = 0;
	for (size_t l = 0; l < layer; l++)
		off += B * s->dim[l + 1];
	return off;
}

float *mlp_output(float *acts, const struct mlp_shape *s, size_t B)
{
	return acts + act_offset(s, B, s->depth - 1);
}

/* out[r][k] = max(out[r][k] + b[k], 0) for out [B x n].  NaN propagates
 * (t < 0 is false for NaN) so a diverging run shows, as in torch.relu. */
static void bias_relu(float *restrict out, const float *restrict b, size_t B, size_t n)
{
	for (size_t r = 0; r < B; r++) {
		float *o = out + r * n;
		for (size_t k = 0; k < n; k++) {
			float t = o[k] + b[k];
			o[k] = t < 0.0f ? 0.0f : t;
		}
	}
}

void mlp_forward(float *acts, const float *params, const struct mlp_shape *s,
		 const float *in, size_t B)
{
	if (B == 0)
		return;
	const float *x = in; /* [B x dim[l]] */
	float *out = acts;
	for (size_t l = 0; l < s->depth; l++) {
		size_t ni = s->dim[l], no = s->dim[l + 1];
		const float *W = params + mlp_weight_offset(s, l); /* [no x ni] */
		const float *b = params + mlp_bias_offset(s, l);   /* [no] */
		/* out [B x no] = x [B x ni] * W^T */
		if (nn_precision() != NN_BF16 ||
		    gemm_bf16(B, no, ni, x, ni, 1, W, 1, ni, 0.0f, out, no) < 0)
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)no,
				    (int)ni, 1.0f, x, (int)ni, W, (int)ni, 0.0f, out, (int)no);
		bias_relu(out, b, B, no);
		x = out;
		out += B * no;
	}
}

/* dz = da where act > 0, else 0; db += column sums of dz.  [B x n] each. */
static void relu_back_colsum(float *restrict dz, float *restrict db, const float *restrict da,
			     const float *restrict act, size_t B, size_t n)
{
	for (size_t r = 0; r < B; r++) {
		const float *a = act + r * n, *g = da + r * n;
		float *z = dz + r * n;
		for (size_t k = 0; k < n; k++) {
			float gk = g[k]; /* loaded unconditionally so the select vectorises */
			float t = a[k] > 0.0f ? gk : 0.0f;
			z[k] = t;
			db[k] += t;
		}
	}
}

/* The mask alone, when no parameter gradient is wanted (db NULL). */
static void relu_back(float *restrict dz, float *restrict db, const float *restrict da,
		      const float *restrict act, size_t B, size_t n)
{
	if (db) {
		relu_back_colsum(dz, db, da, act, B, n);
		return;
	}
	for (size_t i = 0; i < B * n; i++) {
		float gi = da[i];
		dz[i] = act[i] > 0.0f ? gi : 0.0f;
	}
}

void mlp_backward(float *din, float *dparams, float *scratch,
		  const float *params, const struct mlp_shape *s,
		  const float *in, const float *acts, const float *dout, size_t B)
{
	mlp_backward_ex(din, dparams, scratch, params, s, in, acts, dout, B, 0);
}

void mlp_backward_ex(float *din, float *dparams, float *scratch,
		     const float *params, const struct mlp_shape *s,
		     const float *in, const float *acts, const float *dout, size_t B,
		     int flags)
{
	if (B == 0 || (!din && !dparams))
		return;
	size_t L = s->depth, w = max_out_width(s);
	float *dz = scratch;         /* [B x dim[l+1]]: dLoss/d(pre-activation) of layer l */
	float *dx = scratch + B * w; /* [B x dim[l]]:   dLoss/d(input) of layer l, l > 0 */
	/* each layer's dW is written by one GEMM, so beta 0 overwrites it */
	float dw_beta = flags & MLP_BACK_SET_DPARAMS ? 0.0f : 1.0f;
	float din_beta = flags & MLP_BACK_ADD_DIN ? 1.0f : 0.0f;
	int bf16 = nn_precision() == NN_BF16;
	if (dparams && (flags & MLP_BACK_SET_DPARAMS))
		for (size_t l = 0; l < L; l++) {
			float *db = dparams + mlp_bias_offset(s, l);
			for (size_t k = 0; k < s->dim[l + 1]; k++)
				db[k] = 0.0f;
		}

	relu_back(dz, dparams ? dparams + mlp_bias_offset(s, L - 1) : NULL, dout,
		  acts + act_offset(s, B, L - 1), B, s->dim[L]);
	for (size_t l = L; l-- > 0;) {
		size_t ni = s->dim[l], no = s->dim[l + 1];
		const float *W = params + mlp_weight_offset(s, l);
		const float *x = l ? acts + act_offset(s, B, l - 1) : in; /* [B x ni] */

		/* dW [no x ni] (+)= dz^T [no x B] * x [B x ni] */
		float *dw = dparams ? dparams + mlp_weight_offset(s, l) : NULL;
		if (dw && (!bf16 || gemm_bf16(no, ni, B, dz, 1, no, x, ni, 1, dw_beta, dw, ni) < 0))
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)no, (int)ni, (int)B,
				    1.0f, dz, (int)no, x, (int)ni, dw_beta, dw, (int)ni);
		if (l == 0 && !din)
			break;
		/* dx [B x ni] (+)= dz [B x no] * W [no x ni] */
		float *dst = l ? dx : din;
		float beta = l ? 0.0f : din_beta;
		if (!bf16 || gemm_bf16(B, ni, no, dz, no, 1, W, ni, 1, beta, dst, ni) < 0)
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)ni, (int)no,
			    1.0f, dz, (int)no, W, (int)ni, beta, dst, (int)ni);
		if (l)
			relu_back(dz, dparams ? dparams + mlp_bias_offset(s, l - 1) : NULL, dx, x,
				  B, ni);
	}
}

void mlp_forward_naive(float *acts, const float *params, const struct mlp_shape *s,
		       const float *in, size_t B)
{
	const float *x = in;
	float *out = acts;
	for (size_t l = 0; l < s->depth; l++) {
		size_t ni = s->dim[l], no = s->dim[l + 1];
		const float *W = params + mlp_weight_offset(s, l);
		const float *b = params + mlp_bias_offset(s, l);
		for (size_t r = 0; r < B; r++)
			for (size_t o = 0; o < no; o++) {
				double t = b[o];
				for (size_t i = 0; i < ni; i++)
					t += (double)W[o * ni + i] * x[r * ni + i];
				out[r * no + o] = t < 0.0 ? 0.0f : (float)t;
			}
		x = out;
		out += B * no;
	}
}

/* The oracle keeps its deltas in double, so unlike the kernels it allocates
 * (2 x B x widest layer doubles): the header gives it no scratch argument,
 * and it runs only in tests.  Out of memory poisons dparams (and din) with
 * NaN, which every comparison reports as a failure. */
void mlp_backward_naive(float *din, float *dparams, const float *params,
			const struct mlp_shape *s, const float *in,
			const float *acts, const float *dout, size_t B)
{
	size_t L = s->depth, w = max_out_width(s);
	if (s->dim[0] > w)
		w = s->dim[0];
	double *buf = malloc((2 * B * w + 1) * sizeof *buf);
	if (!buf) {
		size_t np = mlp_param_count(s);
		for (size_t i = 0; dparams && i < np; i++)
			dparams[i] = NAN;
		for (size_t i = 0; din && i < B * s->dim[0]; i++)
			din[i] = NAN;
		return;
	}
	double *dz = buf, *dx = buf + B * w;

	/* dz = dout masked by the output's ReLU */
	const float *a = acts + act_offset(s, B, L - 1);
	for (size_t i = 0; i < B * s->dim[L]; i++)
		dz[i] = a[i] > 0.0f ? dout[i] : 0.0;
	for (size_t l = L; l-- > 0;) {
		size_t ni = s->dim[l], no = s->dim[l + 1];
		const float *W = params + mlp_weight_offset(s, l);
		const float *x = l ? acts + act_offset(s, B, l - 1) : in;
		for (size_t o = 0; dparams && o < no; o++) {
			float *dW = dparams + mlp_weight_offset(s, l);
			float *db = dparams + mlp_bias_offset(s, l);
			double sb = 0.0;
			for (size_t r = 0; r < B; r++)
				sb += dz[r * no + o];
			db[o] = (float)(db[o] + sb);
			for (size_t i = 0; i < ni; i++) {
				double sw = 0.0;
				for (size_t r = 0; r < B; r++)
					sw += dz[r * no + o] * x[r * ni + i];
				dW[o * ni + i] = (float)(dW[o * ni + i] + sw);
			}
		}
		for (size_t r = 0; r < B; r++)
			for (size_t i = 0; i < ni; i++) {
				double t = 0.0;
				for (size_t o = 0; o < no; o++)
					t += dz[r * no + o] * W[o * ni + i];
				/* below layer 0 the ReLU of layer l-1 masks; at 0 it is the input */
				dx[r * ni + i] = (l == 0 || x[r * ni + i] > 0.0f) ? t : 0.0;
			}
		if (l == 0) {
			for (size_t i = 0; din && i < B * ni; i++)
				din[i] = (float)dx[i];
		} else {
			double *t = dz;
			dz = dx;
			dx = t;
		}
	}
	free(buf);
}
