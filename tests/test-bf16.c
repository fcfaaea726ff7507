/* test-bf16.c - the BF16 GEMM against a double-precision reference on odd
 * shapes (edges of the 8x32 tile, K odd and past one KC slice), in the
 * three stride patterns of an MLP step, and beta 0/1.
 *
 * Bound: each input is rounded to bf16 with relative error <= 2^-8 (the
 * unit roundoff is 2^-9; 2^-8 leaves room), so each product is off by at
 * most (2 * 2^-8 + 2^-16) |a||b|, and the FP32 accumulation of K terms adds
 * at most K * 2^-24 * sum |a||b|.  The test asserts
 *   |C - Cref| <= (2^-7 + 2^-16 + K * 2^-24) * sum_k |a_ik||b_kj| + 1e-30
 * element by element, for whichever kernel runs (RNR_BF16=fallback runs
 * the test again on the portable kernel: see Makefile.am). */
#include "nn-bf16.h"
#include "rng.h"
#include "tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check(size_t M, size_t N, size_t K, int pattern, float beta, struct rng *r)
{
	float *A = malloc(M * K * sizeof *A), *B = malloc(K * N * sizeof *B);
	float *C = malloc(M * N * sizeof *C), *C0 = malloc(M * N * sizeof *C0);
	for (size_t i = 0; i < M * K; i++)
		A[i] = rng_uniform(r, -1.0f, 1.0f);
	for (size_t i = 0; i < K * N; i++)
		B[i] = rng_uniform(r, -1.0f, 1.0f);
	for (size_t i = 0; i < M * N; i++)
		C[i] = C0[i] = rng_uniform01(r);
	/* 0: A row-major, B^T (forward); 1: A^T, B row-major (dW); 2: both row-major (dX) */
	size_t rsa = pattern == 1 ? 1 : K, csa = pattern == 1 ? M : 1;
	size_t rsb = pattern == 0 ? 1 : N, csb = pattern == 0 ? K : 1;
	int rc = gemm_bf16(M, N, K, A, rsa, csa, B, rsb, csb, beta, C, N);
	double worst = 0.0;
	int ok = rc == 0;
	for (size_t i = 0; i < M && ok; i++)
		for (size_t j = 0; j < N; j++) {
			double ref = beta * C0[i * N + j], mag = 0.0;
			for (size_t k = 0; k < K; k++) {
				double p = (double)A[i * rsa + k * csa] * B[k * rsb + j * csb];
				ref += p;
				mag += fabs(p);
			}
			double bound = (ldexp(1, -7) + ldexp(1, -16) + (double)K * ldexp(1, -24)) * mag +
				       1e-30;
			double e = fabs(C[i * N + j] - ref);
			if (e / bound > worst)
				worst = e / bound;
			if (e > bound)
				ok = 0;
		}
	tap_ok(ok, "%zux%zux%zu pattern %d beta %g: error <= bound (worst %.3f of it)", M, N, K,
	       pattern, beta, worst);
	free(A);
	free(B);
	free(C);
	free(C0);
	return ok;
}

int main(void)
{
	struct rng r;
	rng_seed(&r, 7, 0);
	printf("# kernel: %s\n", bf16_kernel() ? bf16_kernel() : "none");
	tap_ok(bf16_from_float(1.0f + 1.0f / 256.0f) == 0x3f80, "1+2^-8 rounds to even (1.0)");
	tap_ok(bf16_from_float(1.0f + 3.0f / 256.0f) == 0x3f82, "1+3*2^-8 rounds to even (1+2^-6)");
	tap_ok(isnan(bf16_to_float(bf16_from_float(NAN))), "NaN stays NaN");
	if (!bf16_kernel()) {
		printf("# no avx512_bf16 kernel: RNR_BF16=fallback tests the portable one\n");
		return tap_done();
	}
	static const size_t shapes[][3] = { { 1, 1, 1 }, { 7, 33, 5 }, { 9, 31, 257 },
					    { 17, 65, 300 }, { 256, 40, 513 }, { 3, 100, 2 } };
	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
		for (int p = 0; p < 3; p++)
			check(shapes[s][0], shapes[s][1], shapes[s][2], p, p == 2 ? 1.0f : 0.0f, &r);
	return tap_done();
}
