/* nn-adam.h - Adam, as torch.optim.Adam computes it (PyTorch 1.13,
 * non-amsgrad, L2 weight decay added to the gradient):
 *   g' = g + wd*p;  m = b1*m + (1-b1)*g';  v = b2*v + (1-b2)*g'^2
 *   p -= (lr / (1-b1^t)) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
 * Each function is one fused pass over the memory it touches. */
#ifndef RNR_NN_ADAM_H
#define RNR_NN_ADAM_H

#include <stddef.h>
#include <stdint.h>

/* Doubles, as the user wrote them: torch holds them as Python floats and
 * forms 1 - beta2 in double; from a float 0.999f it would be 1.3e-5 off. */
struct adam_hp {
	double lr, beta1, beta2, eps;
	double weight_decay; /* L2 added to the gradient; 0 for banks */
	int nonneg;         /* project parameters onto >= 0 after the step */
};

/* One step at step count t (1-based) over n parameters p with gradient g
 * and moments m, v (all [n]). */
void adam_step(float *p, const float *g, float *m, float *v, size_t n,
	       const struct adam_hp *hp, uint64_t t);

/* Dense Adam on a bank [n x d] (PyTorch's behaviour on one bank Parameter):
 * every row moves at every step.  The gradient is zero except for the
 * batch rows: row i's gradient is g_rows + row_pos[i]*d when row_pos[i] >= 0.
 * m, v [n x d]; t is the bank's shared step count. */
void adam_bank_dense(float *bank, float *m, float *v, size_t n, size_t d,
		     const float *g_rows, const int32_t *row_pos,
		     const struct adam_hp *hp, uint64_t t);

/* Lazy Adam on a bank: only the B batch rows idx[r] move, row idx[r] with
 * gradient g_rows + r*d; each row keeps its own step count row_t[idx[r]],
 * incremented here, for bias correction.  Rows of idx must be distinct. */
void adam_bank_lazy(float *bank, float *m, float *v, uint32_t *row_t, size_t d,
		    const float *g_rows, const uint32_t *idx, size_t B,
		    const struct adam_hp *hp);

#endif
