/* nn-bf16-int.h - what the bf16 GEMM's backends share (nn-bf16.c, the own
 * kernel and the dispatch; nn-bf16-dnnl.c, oneDNN's matmul).
 *
 * A workspace holds one caller's buffers (packed or converted operands)
 * and, with oneDNN, its stream and scratchpad.  Workspaces are kept per
 * par chunk index (par_chunk()), not in thread-local storage: rnr's
 * per-model threads are started per parallel call (src/par.h), so
 * thread-local buffers would be allocated again, and leaked, on every
 * step; per index, chunk i finds the buffers it grew on the first step. */
#ifndef RNR_NN_BF16_INT_H
#define RNR_NN_BF16_INT_H

#include <stddef.h>
#include <stdint.h>

struct bf16_dnnl;

struct bf16_ws {
	struct bf16_ws *next; /* in the spare pool */
	uint16_t *a, *b;      /* operand A and B in bf16 */
	size_t a_cap, b_cap;  /* uint16_t elements */
	struct bf16_dnnl *dnnl;
};

/* *p holds at least need elements (64-byte aligned); -1 if that fails. */
int bf16_ws_grow(uint16_t **p, size_t *cap, size_t need);

/* dst [rows x cols], contiguous = src rows (row stride ld) rounded to
 * bf16 as bf16_from_float does; split over rnr's threads when it is large
 * (inline when called from one of them). */
void bf16_convert(uint16_t *dst, const float *src, size_t rows, size_t cols, size_t ld);

#ifdef HAVE_DNNL
/* Whether oneDNN runs bf16 matmul here with a bf16 kernel (decided once:
 * a probe primitive's implementation name), and that name. */
int bf16_dnnl_usable(void);
const char *bf16_dnnl_impl(void);

/* gemm_bf16 through oneDNN: 1 done, 0 the operands' strides are not two
 * plain 2-D layouts (the caller uses the own kernel), -1 a failure (an
 * allocation or a oneDNN call; C untouched). */
int bf16_dnnl_gemm(struct bf16_ws *w, size_t M, size_t N, size_t K, const float *A,
		   size_t rsa, size_t csa, const float *B, size_t rsb, size_t csb, float beta,
		   float *C, size_t ldc);
#endif

#endif
