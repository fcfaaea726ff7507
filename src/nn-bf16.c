/* nn-bf16.c - BF16 GEMM with FP32 accumulation (see nn-bf16.h).
 *
 * GotoBLAS blocking: for each KC slice of K, B [KC x N] and A [M x KC]
 * are packed once (converted to bf16 as they are copied), then every
 * NR-column panel of B meets every MR-row panel of A in the micro-kernel.
 * Packed A: per MR-row panel, per k pair, MR 32-bit words (the row's two
 * bf16 of that pair); packed B: per NR-column panel, per k pair, NR pairs
 * (one 512-bit register per 16 columns), which is vdpbf16ps's layout.
 * Edges (M, N not multiples of the tile, K odd) are packed with zeros and
 * the edge tiles go through a local tile. */
#include "nn-bf16.h"

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#define MR 8
#define NR 32
#define KC 256 /* even */

static enum nn_precision precision = NN_FP32;

void nn_set_precision(enum nn_precision p) { precision = p; }
enum nn_precision nn_precision(void) { return precision; }
const char *nn_precision_name(enum nn_precision p) { return p == NN_BF16 ? "bf16" : "fp32"; }

static int cpu_has_bf16(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512f");
}

/* 0 unknown, 1 avx512, 2 portable, 3 none */
static int kernel_kind(void)
{
	static int kind;
	if (kind)
		return kind;
	const char *env = getenv("RNR_BF16");
	if (env && strcmp(env, "fallback") == 0)
		kind = 2;
	else if (env && strcmp(env, "off") == 0)
		kind = 3;
	else
		kind = cpu_has_bf16() ? 1 : 3;
	return kind;
}

const char *bf16_kernel(void)
{
	static const char *names[] = { NULL, "avx512-bf16", "portable", NULL };
	return names[kernel_kind()];
}

uint16_t bf16_from_float(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	if ((u & 0x7fffffffu) > 0x7f800000u)
		return (uint16_t)((u >> 16) | 0x40u); /* quiet NaN */
	u += 0x7fffu + ((u >> 16) & 1u);
	return (uint16_t)(u >> 16);
}

float bf16_to_float(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static size_t round_up(size_t x, size_t r) { return (x + r - 1) / r * r; }

/* A rows [0, M) x k [k0, k0 + kc) -> ap, MR-row panels of kp pairs */
static void pack_a(uint16_t *ap, const float *A, size_t rsa, size_t csa, size_t M, size_t k0,
		   size_t kc)
{
	size_t kp = (kc + 1) / 2;
	for (size_t i0 = 0; i0 < M; i0 += MR) {
		uint16_t *p = ap + i0 * kp * 2;
		for (size_t i = 0; i < MR; i++) {
			size_t r = i0 + i;
			for (size_t k = 0; k < kp * 2; k++) {
				uint16_t h = 0;
				if (r < M && k < kc)
					h = bf16_from_float(A[r * rsa + (k0 + k) * csa]);
				p[(k / 2) * MR * 2 + i * 2 + (k & 1)] = h;
			}
		}
	}
}

/* B k [k0, k0 + kc) x columns [0, N) -> bp, NR-column panels of kp pairs */
static void pack_b(uint16_t *bp, const float *B, size_t rsb, size_t csb, size_t N, size_t k0,
		   size_t kc)
{
	size_t kp = (kc + 1) / 2;
	for (size_t j0 = 0; j0 < N; j0 += NR) {
		uint16_t *p = bp + j0 * kp * 2;
		for (size_t k = 0; k < kp * 2; k++) {
			uint16_t *q = p + (k / 2) * NR * 2 + (k & 1);
			const float *src = B + (k0 + k) * rsb;
			for (size_t j = 0; j < NR; j++) {
				size_t c = j0 + j;
				q[j * 2] = c < N && k < kc ? bf16_from_float(src[c * csb]) : 0;
			}
		}
	}
}

/* tile [MR x NR] (row stride NR) = sum over kp pairs */
__attribute__((target("avx512f,avx512bf16"))) static void
kernel_avx512(float *tile, const uint16_t *ap, const uint16_t *bp, size_t kp)
{
	__m512 c[MR][2];
	for (int i = 0; i < MR; i++)
		c[i][0] = c[i][1] = _mm512_setzero_ps();
	const uint32_t *a = (const uint32_t *)(const void *)ap;
	for (size_t k = 0; k < kp; k++) {
		__m512bh b0 = (__m512bh)_mm512_loadu_si512(bp + k * NR * 2);
		__m512bh b1 = (__m512bh)_mm512_loadu_si512(bp + k * NR * 2 + 32);
		for (int i = 0; i < MR; i++) {
			__m512bh av = (__m512bh)_mm512_set1_epi32((int)a[k * MR + (size_t)i]);
			c[i][0] = _mm512_dpbf16_ps(c[i][0], av, b0);
			c[i][1] = _mm512_dpbf16_ps(c[i][1], av, b1);
		}
	}
	for (int i = 0; i < MR; i++) {
		_mm512_storeu_ps(tile + i * NR, c[i][0]);
		_mm512_storeu_ps(tile + i * NR + 16, c[i][1]);
	}
}

static void kernel_portable(float *tile, const uint16_t *ap, const uint16_t *bp, size_t kp)
{
	float c[MR][NR] = { { 0 } };
	for (size_t k = 0; k < kp; k++) {
		const uint16_t *a = ap + k * MR * 2, *b = bp + k * NR * 2;
		for (int i = 0; i < MR; i++) {
			float a0 = bf16_to_float(a[i * 2]), a1 = bf16_to_float(a[i * 2 + 1]);
			for (int j = 0; j < NR; j++)
				c[i][j] += a0 * bf16_to_float(b[j * 2]) + a1 * bf16_to_float(b[j * 2 + 1]);
		}
	}
	memcpy(tile, c, sizeof c);
}

struct bufs {
	uint16_t *a, *b;
	size_t a_cap, b_cap; /* uint16_t elements */
};
static _Thread_local struct bufs tb;

static int grow(uint16_t **p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	uint16_t *n = aligned_alloc(64, round_up(need * sizeof **p, 64));
	if (!n)
		return -1;
	free(*p);
	*p = n;
	*cap = need;
	return 0;
}

int gemm_bf16(size_t M, size_t N, size_t K, const float *A, size_t rsa, size_t csa,
	      const float *B, size_t rsb, size_t csb, float beta, float *C, size_t ldc)
{
	if (M == 0 || N == 0)
		return 0;
	size_t kcmax = K < KC ? round_up(K, 2) : KC;
	if (grow(&tb.a, &tb.a_cap, round_up(M, MR) * kcmax) < 0 ||
	    grow(&tb.b, &tb.b_cap, round_up(N, NR) * kcmax) < 0)
		return -1;
	int avx = kernel_kind() == 1;
	float tile[MR * NR] __attribute__((aligned(64)));
	if (K == 0)
		for (size_t i = 0; i < M; i++)
			for (size_t j = 0; j < N; j++)
				C[i * ldc + j] = beta != 0.0f ? C[i * ldc + j] : 0.0f;
	for (size_t k0 = 0; k0 < K; k0 += KC) {
		size_t kc = K - k0 < KC ? K - k0 : KC, kp = (kc + 1) / 2;
		float bt = k0 ? 1.0f : beta;
		pack_a(tb.a, A, rsa, csa, M, k0, kc);
		pack_b(tb.b, B, rsb, csb, N, k0, kc);
		for (size_t j0 = 0; j0 < N; j0 += NR) {
			const uint16_t *bp = tb.b + j0 * kp * 2;
			size_t nj = N - j0 < NR ? N - j0 : NR;
			for (size_t i0 = 0; i0 < M; i0 += MR) {
				const uint16_t *ap = tb.a + i0 * kp * 2;
				size_t ni = M - i0 < MR ? M - i0 : MR;
				if (avx)
					kernel_avx512(tile, ap, bp, kp);
				else
					kernel_portable(tile, ap, bp, kp);
				for (size_t i = 0; i < ni; i++) {
					float *c = C + (i0 + i) * ldc + j0;
					const float *t = tile + i * NR;
					if (bt != 0.0f)
						for (size_t j = 0; j < nj; j++)
							c[j] += t[j];
					else
						for (size_t j = 0; j < nj; j++)
							c[j] = t[j];
				}
			}
		}
	}
	return 0;
}
