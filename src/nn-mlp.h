/* nn-mlp.h - one MLP decoder: L layers of Linear + ReLU (ReLU after the
 * last layer too: its targets are post-ReLU features).
 *
 * Parameters live in one contiguous block; layer l holds its weight W_l
 * [dim[l+1] x dim[l]] row-major (PyTorch's nn.Linear layout) followed by its
 * bias b_l [dim[l+1]].  Gradients and Adam moments use the same layout, so
 * the optimiser is one flat loop.  Kernels never allocate: the caller owns
 * the activation and scratch buffers, sized by the *_count functions. */
#ifndef RNR_NN_MLP_H
#define RNR_NN_MLP_H

#include <stddef.h>

#include "rng.h"

#define MLP_MAX_DEPTH 8

struct mlp_shape {
	size_t depth;                   /* 1..MLP_MAX_DEPTH */
	size_t dim[MLP_MAX_DEPTH + 1];  /* dim[0] input, dim[depth] output */
};

/* Floats in the parameter block. */
size_t mlp_param_count(const struct mlp_shape *s);

/* Offsets of W_l and b_l inside the parameter block. */
size_t mlp_weight_offset(const struct mlp_shape *s, size_t layer);
size_t mlp_bias_offset(const struct mlp_shape *s, size_t layer);

/* PyTorch nn.Linear init: W and b uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * layer by layer, weights before bias. */
void mlp_init_params(float *params, const struct mlp_shape *s, struct rng *r);

/* Floats of the activation buffer for a batch of B rows: every layer's
 * post-ReLU output, layer after layer ([B x dim[1]], [B x dim[2]], ...). */
size_t mlp_act_count(const struct mlp_shape *s, size_t B);

/* Floats of scratch that mlp_backward needs for B rows. */
size_t mlp_scratch_count(const struct mlp_shape *s, size_t B);

/* The output [B x dim[depth]] inside an activation buffer. */
float *mlp_output(float *acts, const struct mlp_shape *s, size_t B);

/* Forward pass.
 *   acts   [mlp_act_count]      out: every layer's post-ReLU output
 *   params [mlp_param_count]
 *   in     [B x dim[0]]
 * One GEMM per layer, then bias + ReLU fused in one pass. */
void mlp_forward(float *acts, const float *params, const struct mlp_shape *s,
		 const float *in, size_t B);

/* Backward pass from dout = dLoss/d(output) [B x dim[depth]].
 *   din     [B x dim[0]]        out, overwritten; NULL to skip (MLP-only step)
 *   dparams [mlp_param_count]   ACCUMULATED (+=) so callers can sum batches;
 *                               NULL to skip (frozen MLPs: inference)
 *   scratch [mlp_scratch_count]
 *   acts    as left by mlp_forward on the same in/params
 * ReLU gradient passes where the activation is > 0. */
void mlp_backward(float *din, float *dparams, float *scratch,
		  const float *params, const struct mlp_shape *s,
		  const float *in, const float *acts, const float *dout, size_t B);

/* mlp_backward with its two outputs' modes chosen by flags:
 *   MLP_BACK_SET_DPARAMS  dparams is overwritten, not accumulated (saves
 *                         the caller a pass that zeroes the gradient)
 *   MLP_BACK_ADD_DIN      din is accumulated (+=), not overwritten (sums
 *                         the models' gradients into one bank gradient
 *                         inside the last GEMM, without a pass of its own) */
enum { MLP_BACK_SET_DPARAMS = 1, MLP_BACK_ADD_DIN = 2 };
void mlp_backward_ex(float *din, float *dparams, float *scratch,
		     const float *params, const struct mlp_shape *s,
		     const float *in, const float *acts, const float *dout, size_t B,
		     int flags);

/* Naive triple-loop versions (double accumulation): the oracles the tests
 * compare the BLAS paths against. */
void mlp_forward_naive(float *acts, const float *params, const struct mlp_shape *s,
		       const float *in, size_t B);
void mlp_backward_naive(float *din, float *dparams, const float *params,
			const struct mlp_shape *s, const float *in,
			const float *acts, const float *dout, size_t B);

#endif
