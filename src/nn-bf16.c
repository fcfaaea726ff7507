/* nn-bf16.c - BF16 GEMM with FP32 accumulation (see nn-bf16.h): the
 * dispatch between oneDNN's matmul (nn-bf16-dnnl.c, when built with it)
 * and rnr's own kernel, the workspace pool, and the own kernel.
 *
 * Own kernel, GotoBLAS blocking: for each KC slice of K, B [KC x N] and
 * A [M x KC] are packed once (converted to bf16 as they are copied), then
 * every NR-column panel of B meets every MR-row panel of A in the
 * micro-kernel.  Packed A: per MR-row panel, per k pair, MR 32-bit words
 * (the row's two bf16 of that pair); packed B: per NR-column panel, per k
 * pair, NR pairs (one 512-bit register per 16 columns), which is
 * vdpbf16ps's layout.  Edges (M, N not multiples of the tile, K odd) are
 * packed with zeros and the edge tiles go through a local tile. */
#include "config.h"

#include "nn-bf16.h"
#include "nn-bf16-int.h"
#include "par.h"

#include <immintrin.h>
#include <pthread.h>
#include <stdatomic.h>
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

enum kernel { K_UNKNOWN, K_DNNL, K_OWN, K_PORTABLE, K_NONE };

/* RNR_BF16: "own" the own avx512 kernel even when oneDNN is there,
 * "fallback" the portable kernel, "off" none; otherwise oneDNN when it
 * runs a bf16 kernel here, else the own one, on CPUs with avx512_bf16. */
static enum kernel kind;

static void choose_kernel(void)
{
	const char *env = getenv("RNR_BF16");
	if (env && strcmp(env, "fallback") == 0)
		kind = K_PORTABLE;
	else if (env && strcmp(env, "off") == 0)
		kind = K_NONE;
	else if (!cpu_has_bf16())
		kind = K_NONE;
	else if (env && strcmp(env, "own") == 0)
		kind = K_OWN;
	else
#ifdef HAVE_DNNL
		kind = bf16_dnnl_usable() ? K_DNNL : K_OWN;
#else
		kind = K_OWN;
#endif
}

static enum kernel kernel_kind(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, choose_kernel);
	return kind;
}

const char *bf16_kernel(void)
{
	switch (kernel_kind()) {
#ifdef HAVE_DNNL
	case K_DNNL:
		return bf16_dnnl_impl();
#endif
	case K_OWN:
		return "avx512-bf16";
	case K_PORTABLE:
		return "portable";
	default:
		return NULL;
	}
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

int bf16_ws_grow(uint16_t **p, size_t *cap, size_t need)
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

/* A workspace per par chunk index, so that chunk i uses the same buffers
 * on every step; a second caller on the same index at once (a thread
 * outside rnr's loops) takes one from the spare pool. */
static struct bf16_ws *by_chunk[PAR_MAX_THREADS];
static atomic_int chunk_busy[PAR_MAX_THREADS];
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bf16_ws *spares;

static struct bf16_ws *ws_acquire(void)
{
	size_t i = par_chunk();
	if (i < PAR_MAX_THREADS && !atomic_exchange(&chunk_busy[i], 1)) {
		if (!by_chunk[i] && !(by_chunk[i] = calloc(1, sizeof *by_chunk[i])))
			atomic_store(&chunk_busy[i], 0);
		return by_chunk[i];
	}
	pthread_mutex_lock(&spare_lock);
	struct bf16_ws *w = spares;
	if (w)
		spares = w->next;
	pthread_mutex_unlock(&spare_lock);
	return w ? w : calloc(1, sizeof *w);
}

static void ws_release(struct bf16_ws *w)
{
	size_t i = par_chunk();
	if (i < PAR_MAX_THREADS && w == by_chunk[i]) {
		atomic_store(&chunk_busy[i], 0);
		return;
	}
	pthread_mutex_lock(&spare_lock);
	w->next = spares;
	spares = w;
	pthread_mutex_unlock(&spare_lock);
}

struct convert_job {
	uint16_t *dst;
	const float *src;
	size_t cols, ld;
};

/* Branch-free so that it vectorises: the rounding of bf16_from_float. */
static void convert_rows(void *ctx, size_t lo, size_t hi, size_t chunk)
{
	(void)chunk;
	const struct convert_job *j = ctx;
	for (size_t r = lo; r < hi; r++) {
		const float *s = j->src + r * j->ld;
		uint16_t *d = j->dst + r * j->cols;
		for (size_t c = 0; c < j->cols; c++) {
			uint32_t u;
			memcpy(&u, s + c, sizeof u);
			uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
			uint32_t quiet = (u >> 16) | 0x40u;
			d[c] = (uint16_t)((u & 0x7fffffffu) > 0x7f800000u ? quiet : rounded);
		}
	}
}

void bf16_convert(uint16_t *dst, const float *src, size_t rows, size_t cols, size_t ld)
{
	struct convert_job j = { dst, src, cols, ld };
	/* a chunk of at least 2^18 elements: below that a thread start costs
	 * more than it saves */
	size_t grain = cols ? ((size_t)1 << 18) / cols + 1 : rows;
	par_for(rows, grain, 1, convert_rows, &j);
}

/* The own kernel; w's buffers hold the packed slices. */
static int gemm_own(struct bf16_ws *w, size_t M, size_t N, size_t K, const float *A,
		    size_t rsa, size_t csa, const float *B, size_t rsb, size_t csb, float beta,
		    float *C, size_t ldc)
{
	size_t kcmax = K < KC ? round_up(K, 2) : KC;
	if (bf16_ws_grow(&w->a, &w->a_cap, round_up(M, MR) * kcmax) < 0 ||
	    bf16_ws_grow(&w->b, &w->b_cap, round_up(N, NR) * kcmax) < 0)
		return -1;
	int avx = kernel_kind() != K_PORTABLE;
	float tile[MR * NR] __attribute__((aligned(64)));
	if (K == 0)
		for (size_t i = 0; i < M; i++)
			for (size_t j = 0; j < N; j++)
				C[i * ldc + j] = beta != 0.0f ? C[i * ldc + j] : 0.0f;
	for (size_t k0 = 0; k0 < K; k0 += KC) {
		size_t kc = K - k0 < KC ? K - k0 : KC, kp = (kc + 1) / 2;
		float bt = k0 ? 1.0f : beta;
		pack_a(w->a, A, rsa, csa, M, k0, kc);
		pack_b(w->b, B, rsb, csb, N, k0, kc);
		for (size_t j0 = 0; j0 < N; j0 += NR) {
			const uint16_t *bp = w->b + j0 * kp * 2;
			size_t nj = N - j0 < NR ? N - j0 : NR;
			for (size_t i0 = 0; i0 < M; i0 += MR) {
				const uint16_t *ap = w->a + i0 * kp * 2;
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

int gemm_bf16(size_t M, size_t N, size_t K, const float *A, size_t rsa, size_t csa,
	      const float *B, size_t rsb, size_t csb, float beta, float *C, size_t ldc)
{
	if (M == 0 || N == 0)
		return 0;
	struct bf16_ws *w = ws_acquire();
	if (!w)
		return -1;
	int rc = 0;
#ifdef HAVE_DNNL
	if (kernel_kind() == K_DNNL)
		rc = bf16_dnnl_gemm(w, M, N, K, A, rsa, csa, B, rsb, csb, beta, C, ldc);
#endif
	if (rc == 0)
		rc = gemm_own(w, M, N, K, A, rsa, csa, B, rsb, csb, beta, C, ldc) < 0 ? -1 : 1;
	ws_release(w);
	return rc < 0 ? -1 : 0;
}
