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
 * the test again on the portable kernel, RNR_BF16=own the own avx512 one
 * when oneDNN is built in: see Makefile.am).
 *
 * The tight check takes the reference from the inputs rounded by
 * bf16_from_float: a product of two bf16 is exact in FP32, so only the
 * accumulation may differ, (K + 1) 2^-24 sum |a||b|.  Any other rounding of
 * the inputs (truncation, or a different tie rule) is off by up to 2^-8.
 * Then the same GEMM on two threads at once must give the bits of one
 * (oneDNN's primitives are shared by the threads), and more shapes than
 * the primitive cache holds must still be right. */
#include "nn-bf16.h"
#include "rng.h"
#include "tap.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float rounded(float x) { return bf16_to_float(bf16_from_float(x)); }

/* tight: the reference from bf16-rounded inputs, the accumulation bound */
static int check_one(size_t M, size_t N, size_t K, int pattern, float beta, int tight,
		     struct rng *r)
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
				float a = A[i * rsa + k * csa], b = B[k * rsb + j * csb];
				double p = tight ? (double)rounded(a) * rounded(b) : (double)a * b;
				ref += p;
				mag += fabs(p);
			}
			double rel = tight ? (double)(K + 1) * ldexp(1, -24)
					   : ldexp(1, -7) + ldexp(1, -16) + (double)K * ldexp(1, -24);
			double bound = rel * (mag + fabs(beta * C0[i * N + j])) + 1e-30;
			double e = fabs(C[i * N + j] - ref);
			if (e / bound > worst)
				worst = e / bound;
			if (e > bound)
				ok = 0;
		}
	tap_ok(ok, "%zux%zux%zu pattern %d beta %g: error <= %s bound (worst %.3f of it)", M, N,
	       K, pattern, beta, tight ? "the accumulation" : "the", worst);
	free(A);
	free(B);
	free(C);
	free(C0);
	return ok;
}

static int check(size_t M, size_t N, size_t K, int pattern, float beta, struct rng *r)
{
	return check_one(M, N, K, pattern, beta, 0, r);
}

struct concurrent {
	size_t M, N, K;
	const float *A, *B;
	float *C;
	int rc;
};

static void *run_gemm(void *arg)
{
	struct concurrent *c = arg;
	for (int rep = 0; rep < 20 && c->rc == 0; rep++)
		c->rc = gemm_bf16(c->M, c->N, c->K, c->A, c->K, 1, c->B, 1, c->K, 0.0f, c->C, c->N);
	return NULL;
}

/* The forward shape on two threads at once, 20 times each, against one
 * call on this thread: the same bits. */
static void check_concurrent(struct rng *r)
{
	size_t M = 64, N = 96, K = 200;
	float *A = malloc(M * K * sizeof *A), *B = malloc(N * K * sizeof *B);
	float *C[3];
	for (int t = 0; t < 3; t++)
		C[t] = calloc(M * N, sizeof *C[t]);
	for (size_t i = 0; i < M * K; i++)
		A[i] = rng_uniform(r, -1.0f, 1.0f);
	for (size_t i = 0; i < N * K; i++)
		B[i] = rng_uniform(r, -1.0f, 1.0f);
	int rc = gemm_bf16(M, N, K, A, K, 1, B, 1, K, 0.0f, C[2], N);
	struct concurrent c[2] = { { M, N, K, A, B, C[0], 0 }, { M, N, K, A, B, C[1], 0 } };
	pthread_t th[2];
	int started = 0;
	for (int t = 0; t < 2; t++)
		started += pthread_create(&th[t], NULL, run_gemm, &c[t]) == 0;
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	tap_ok(rc == 0 && started == 2 && c[0].rc == 0 && c[1].rc == 0 &&
		       memcmp(C[0], C[2], M * N * sizeof *C[0]) == 0 &&
		       memcmp(C[1], C[2], M * N * sizeof *C[1]) == 0,
	       "the same GEMM on two threads at once gives the bits of one call");
	free(A), free(B);
	for (int t = 0; t < 3; t++)
		free(C[t]);
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
	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
		for (int p = 0; p < 3; p++)
			check_one(shapes[s][0], shapes[s][1], shapes[s][2], p, p == 1 ? 1.0f : 0.0f, 1,
				  &r);
	check_concurrent(&r);
	/* past the 64 shapes oneDNN's primitives are kept for */
	for (size_t n = 1; n <= 70; n++)
		check_one(3, n, 5, (int)(n % 3), 0.0f, 1, &r);
	return tap_done();
}
