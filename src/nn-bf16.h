/* nn-bf16.h - the MLP GEMMs in BF16: inputs rounded to bfloat16 (round to
 * nearest even), products accumulated in FP32, output FP32.  One strided
 * GEMM for the three shapes of a step (X.W^T, dZ^T.X, dZ.W), three
 * kernels behind it, chosen once per process (doc/bf16.md):
 *  - oneDNN's matmul (nn-bf16-dnnl.c), when built with oneDNN and the CPU
 *    has avx512_bf16;
 *  - rnr's own AVX512-BF16 (vdpbf16ps) kernel, which converts operands
 *    while packing them, when the CPU has avx512_bf16;
 *  - a portable C kernel with the same rounding of the inputs.
 * Environment RNR_BF16: "own" forces the own kernel, "fallback" the
 * portable one, "off" makes the CPU look as if it lacked avx512_bf16 (for
 * tests of the error path). */
#ifndef RNR_NN_BF16_H
#define RNR_NN_BF16_H

#include <stddef.h>
#include <stdint.h>

enum nn_precision { NN_FP32 = 0, NN_BF16 = 1 };

/* Process-wide precision of the MLP GEMMs (mlp_forward/mlp_backward). */
void nn_set_precision(enum nn_precision p);
enum nn_precision nn_precision(void);
const char *nn_precision_name(enum nn_precision p);

/* Which bf16 kernel runs: "onednn-X.Y.Z IMPL", "avx512-bf16", "portable"
 * (RNR_BF16=fallback), or NULL when the CPU lacks avx512_bf16 and no
 * fallback was asked for. */
const char *bf16_kernel(void);

/* Round to nearest even (NaN stays NaN). */
uint16_t bf16_from_float(float f);
float bf16_to_float(uint16_t h);

/* C [M x N] = A [M x K] * B [K x N] + beta * C (beta 0 or 1), element
 * (i,k) of A at A[i*rsa + k*csa], (k,j) of B at B[k*rsb + j*csb], C row
 * stride ldc.  Buffers (packed or converted operands, oneDNN's primitives
 * and scratchpads) are made on first use and kept, per par chunk index: a
 * step at a fixed shape allocates nothing after the first.  Returns -1 (C
 * untouched) if making them fails; the caller then runs SGEMM. */
int gemm_bf16(size_t M, size_t N, size_t K, const float *A, size_t rsa, size_t csa,
	      const float *B, size_t rsb, size_t csb, float beta, float *C, size_t ldc);

#endif
