/* nn-adam.c - Adam as torch.optim.Adam 1.13 computes it (see nn-adam.h).
 *
 * Per element, in torch's order (_single_tensor_adam, float tensors):
 *   g  = g + wd*p                          grad.add(param, alpha=wd)
 *   m  = m*b1 + (1-b1)*g                   exp_avg.mul_(b1).add_(g, alpha=1-b1)
 *   v  = v*b2 + (1-b2)*g*g                 exp_avg_sq.mul_(b2).addcmul_(g, g, value=1-b2)
 *   p  = p + (-step)*m / (sqrt(v)/bc2s + eps)
 * with step = lr/(1-b1^t) and bc2s = sqrt(1-b2^t) computed in double (torch does
 * them in Python floats) and rounded to float once.  Results agree with torch to float rounding, not bit for
 * bit: torch's vectorised add/addcmul/addcdiv may fuse into FMAs.
 * nonneg then clamps p at 0 (NaN stays NaN, as torch's clamp_ keeps it);
 * the lazy variant projects only the rows it steps.
 *
 * Every update is per element, so the passes split over rnr's threads
 * (par.h) in contiguous chunks give the same bits for any thread count:
 * Adam is memory-bound, and one core alone does not saturate the memory
 * bus (measured in bench/README). */
#include "nn-adam.h"
#include "par.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct adam_coef {
	float b1, omb1, b2, omb2, eps, wd;
	float neg_step; /* -lr / (1 - b1^t) */
	float bc2s;     /* sqrt(1 - b2^t) */
	int nonneg;
};

/* Per-step coefficients, rounded to float once as torch rounds a Python
 * scalar operand of a float tensor op. */
static void adam_coef(struct adam_coef *c, const struct adam_hp *hp, uint64_t t)
{
	double tt = (double)t;
	c->b1 = (float)hp->beta1;
	c->b2 = (float)hp->beta2;
	c->omb1 = (float)(1.0 - hp->beta1);
	c->omb2 = (float)(1.0 - hp->beta2);
	c->eps = (float)hp->eps;
	c->wd = (float)hp->weight_decay;
	c->neg_step = (float)(-hp->lr / (1.0 - pow(hp->beta1, tt)));
	c->bc2s = (float)sqrt(1.0 - pow(hp->beta2, tt));
	c->nonneg = hp->nonneg;
}

/* One step over n contiguous elements with gradient g. */
static void adam_update(float *restrict p, const float *restrict g, float *restrict m,
			float *restrict v, size_t n, const struct adam_coef *c)
{
	const float b1 = c->b1, omb1 = c->omb1, b2 = c->b2, omb2 = c->omb2;
	const float eps = c->eps, wd = c->wd, ns = c->neg_step, bc2s = c->bc2s;
	for (size_t i = 0; i < n; i++) {
		float gi = g[i] + wd * p[i];
		float mi = m[i] * b1 + omb1 * gi;
		float vi = v[i] * b2 + omb2 * gi * gi;
		m[i] = mi;
		v[i] = vi;
		p[i] = p[i] + ns * mi / (sqrtf(vi) / bc2s + eps);
	}
	if (c->nonneg)
		for (size_t i = 0; i < n; i++)
			p[i] = p[i] < 0.0f ? 0.0f : p[i];
}

/* The same step with a zero gradient (a dense bank row outside the batch):
 * the moments decay and p still moves by them.  A row whose moments are
 * zero stays bit for bit where it is (when wd = 0): m/denom = 0/eps. */
static void adam_update_nograd(float *restrict p, float *restrict m, float *restrict v,
			       size_t n, const struct adam_coef *c)
{
	const float b1 = c->b1, omb1 = c->omb1, b2 = c->b2, omb2 = c->omb2;
	const float eps = c->eps, wd = c->wd, ns = c->neg_step, bc2s = c->bc2s;
	for (size_t i = 0; i < n; i++) {
		float gi = wd * p[i];
		float mi = m[i] * b1 + omb1 * gi;
		float vi = v[i] * b2 + omb2 * gi * gi;
		m[i] = mi;
		v[i] = vi;
		p[i] = p[i] + ns * mi / (sqrtf(vi) / bc2s + eps);
	}
	if (c->nonneg)
		for (size_t i = 0; i < n; i++)
			p[i] = p[i] < 0.0f ? 0.0f : p[i];
}

/* Elements (or rows x d) below which one thread does the whole pass: a
 * thread start costs about as much as updating this many. */
enum { ADAM_GRAIN = 1 << 18, CACHE_LINE_FLOATS = 16 };

struct adam_flat {
	float *p, *m, *v;
	const float *g;
	const struct adam_coef *c;
};

static void adam_flat_chunk(void *ctx, size_t lo, size_t hi, size_t chunk)
{
	(void)chunk;
	struct adam_flat *a = ctx;
	adam_update(a->p + lo, a->g + lo, a->m + lo, a->v + lo, hi - lo, a->c);
}

void adam_step(float *p, const float *g, float *m, float *v, size_t n,
	       const struct adam_hp *hp, uint64_t t)
{
	struct adam_coef c;
	adam_coef(&c, hp, t);
	struct adam_flat a = { p, m, v, g, &c };
	par_for(n, ADAM_GRAIN, CACHE_LINE_FLOATS, adam_flat_chunk, &a);
}

/* A bank pass: dense (row_pos, c) or lazy (idx, row_t, hp). */
struct adam_bank_pass {
	float *bank, *m, *v;
	size_t d;
	const float *g_rows;
	const int32_t *row_pos;
	const struct adam_coef *c;
	const uint32_t *idx;
	uint32_t *row_t;
	const struct adam_hp *hp;
};

static void adam_dense_rows(void *ctx, size_t lo, size_t hi, size_t chunk)
{
	(void)chunk;
	const struct adam_bank_pass *a = ctx;
	size_t d = a->d;
	for (size_t i = lo; i < hi; i++) {
		size_t o = i * d;
		if (a->row_pos[i] >= 0)
			adam_update(a->bank + o, a->g_rows + (size_t)a->row_pos[i] * d, a->m + o,
				    a->v + o, d, a->c);
		else
			adam_update_nograd(a->bank + o, a->m + o, a->v + o, d, a->c);
	}
}

void adam_bank_dense(float *bank, float *m, float *v, size_t n, size_t d,
		     const float *g_rows, const int32_t *row_pos,
		     const struct adam_hp *hp, uint64_t t)
{
	struct adam_coef c;
	adam_coef(&c, hp, t);
	struct adam_bank_pass a = { bank, m, v, d, g_rows, row_pos, &c, NULL, NULL, hp };
	par_for(n, ADAM_GRAIN / (d ? d : 1) + 1, 1, adam_dense_rows, &a);
}

static void adam_lazy_rows(void *ctx, size_t lo, size_t hi, size_t chunk)
{
	(void)chunk;
	const struct adam_bank_pass *a = ctx;
	for (size_t r = lo; r < hi; r++) {
		size_t i = a->idx[r], o = i * a->d;
		struct adam_coef c;
		adam_coef(&c, a->hp, ++a->row_t[i]);
		adam_update(a->bank + o, a->g_rows + r * a->d, a->m + o, a->v + o, a->d, &c);
	}
}

void adam_bank_lazy(float *bank, float *m, float *v, uint32_t *row_t, size_t d,
		    const float *g_rows, const uint32_t *idx, size_t B,
		    const struct adam_hp *hp)
{
	/* distinct rows: the chunks touch disjoint memory */
	struct adam_bank_pass a = { bank, m, v, d, g_rows, NULL, NULL, idx, row_t, hp };
	par_for(B, ADAM_GRAIN / (d ? d : 1) + 1, 1, adam_lazy_rows, &a);
}
