/* test-adam.c - Adam (src/nn-adam.c) against torch.optim.Adam 1.13
 * (tests/fixtures/nn.txt), and the nn kernels composed into the tiny
 * training and inference runs of tests/fixtures/train.txt.
 *
 * Differences are normwise (max |got - ref| / max |ref| per array).
 * Tolerances, and why:
 *   TOL_ADAM 1e-6   the Adam references are torch's own float32 arithmetic,
 *                   so only rounding differs (torch's vectorised add and
 *                   addcmul fuse into FMAs; ours do not).  Measured <= 8e-8
 *                   over 5 steps, on parameters and both moments.
 *   TOL_TRAIN 1e-5  float kernels vs float64 torch over 12 training steps:
 *                   Adam divides by sqrt(v), so a rounding difference in a
 *                   small gradient is amplified; float32 torch itself lands
 *                   within 8e-6 of float64 on this run (train.txt's header,
 *                   elementwise with a 1e-3 floor).  Measured <= 2e-7. */
#include "nn-adam.h"
#include "nn-cosine.h"
#include "nn-mlp.h"
#include "rng.h"

#include "fixtures.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TOL_ADAM 1e-6
#define TOL_TRAIN 1e-5

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		fixture_bail("out of memory");
	return p;
}

static struct adam_hp hp_from(const struct fixture *fx, const char *name, int with_wd, int nonneg)
{
	const double *h = fixture_get(fx, name, with_wd ? 5 : 4, NULL);
	struct adam_hp hp = {.lr = h[0], .beta1 = h[1], .beta2 = h[2],
			     .eps = h[3], .weight_decay = with_wd ? h[4] : 0.0,
			     .nonneg = nonneg};
	return hp;
}

/* ---- adam_step on a parameter vector, with weight decay --------------- */

static void test_adam_mlp(const struct fixture *fx)
{
	size_t n = fixture_size(fx, "adam.mlp.n"), steps = fixture_size(fx, "adam.mlp.steps");
	struct adam_hp hp = hp_from(fx, "adam.mlp.hp", 1, 0);
	float *p = fixture_floats_new(fx, "adam.mlp.p0", n);
	float *g = fixture_floats_new(fx, "adam.mlp.g", steps * n);
	float *m = xcalloc(n, sizeof *m), *v = xcalloc(n, sizeof *v);
	float *traj = xcalloc(steps * n, sizeof *traj);
	for (size_t s = 0; s < steps; s++) {
		adam_step(p, g + s * n, m, v, n, &hp, s + 1);
		memcpy(traj + s * n, p, n * sizeof *p);
	}
	fixture_check(traj, fx, "adam.mlp.p", steps * n, TOL_ADAM,
		      "adam_step, weight decay 0.05: parameters after each of 5 steps");
	fixture_check(m, fx, "adam.mlp.m", n, TOL_ADAM, "adam_step: exp_avg");
	fixture_check(v, fx, "adam.mlp.v", n, TOL_ADAM, "adam_step: exp_avg_sq");
	free(p), free(g), free(m), free(v), free(traj);
}

/* ---- banks: dense and lazy, with and without the projection ----------- */

static void test_adam_bank(const struct fixture *fx, int lazy, int nonneg)
{
	size_t n = fixture_size(fx, "adam.bank.n"), d = fixture_size(fx, "adam.bank.d");
	size_t B = fixture_size(fx, "adam.bank.B"), steps = fixture_size(fx, "adam.bank.steps");
	struct adam_hp hp = hp_from(fx, "adam.bank.hp", 0, nonneg);
	const double *idx = fixture_get(fx, "adam.bank.idx", steps * B, NULL);
	float *p0 = fixture_floats_new(fx, "adam.bank.p0", n * d);
	float *g = fixture_floats_new(fx, "adam.bank.g", steps * B * d);
	float *p = xcalloc(n * d, sizeof *p), *m = xcalloc(n * d, sizeof *m);
	float *v = xcalloc(n * d, sizeof *v), *traj = xcalloc(steps * n * d, sizeof *traj);
	uint32_t *row_t = xcalloc(n, sizeof *row_t), *bidx = xcalloc(B, sizeof *bidx);
	int32_t *row_pos = xcalloc(n, sizeof *row_pos);
	memcpy(p, p0, n * d * sizeof *p);

	for (size_t s = 0; s < steps; s++) {
		for (size_t i = 0; i < n; i++)
			row_pos[i] = -1;
		for (size_t r = 0; r < B; r++) {
			bidx[r] = (uint32_t)idx[s * B + r];
			row_pos[bidx[r]] = (int32_t)r;
		}
		if (lazy)
			adam_bank_lazy(p, m, v, row_t, d, g + s * B * d, bidx, B, &hp);
		else
			adam_bank_dense(p, m, v, n, d, g + s * B * d, row_pos, &hp, s + 1);
		memcpy(traj + s * n * d, p, n * d * sizeof *p);
	}

	char pre[64], what[160];
	snprintf(pre, sizeof pre, "adam.bank.%s%s.", lazy ? "lazy" : "dense", nonneg ? "_nonneg" : "");
	const char *label = lazy ? "adam_bank_lazy" : "adam_bank_dense";
	const char *proj = nonneg ? " + nonneg" : "";
	char key[96];
	snprintf(what, sizeof what, "%s%s: bank after each of %zu steps", label, proj, steps);
	snprintf(key, sizeof key, "%sp", pre);
	fixture_check(traj, fx, key, steps * n * d, TOL_ADAM, what);
	snprintf(what, sizeof what, "%s%s: exp_avg", label, proj);
	snprintf(key, sizeof key, "%sm", pre);
	fixture_check(m, fx, key, n * d, TOL_ADAM, what);
	snprintf(what, sizeof what, "%s%s: exp_avg_sq", label, proj);
	snprintf(key, sizeof key, "%sv", pre);
	fixture_check(v, fx, key, n * d, TOL_ADAM, what);

	int ok = 1;
	if (lazy) {
		snprintf(key, sizeof key, "%st", pre);
		const double *t = fixture_get(fx, key, n, NULL);
		for (size_t i = 0; i < n; i++)
			ok &= row_t[i] == (uint32_t)t[i];
		tap_ok(ok, "%s%s: per-row step counts equal the reference's", label, proj);
	}
	/* row 7 is in no batch: lazy never touches it (nor projects it), and
	 * dense Adam (like torch, checked by the generator) leaves a row with
	 * zero moments and no gradient bit for bit where it was, projection
	 * aside */
	ok = 1;
	for (size_t k = 0; k < d; k++) {
		float want = p0[7 * d + k];
		if (nonneg && !lazy && want < 0.0f)
			want = 0.0f;
		ok &= !memcmp(&p[7 * d + k], &want, sizeof want) && m[7 * d + k] == 0.0f;
	}
	tap_ok(ok, "%s%s: a row never in a batch (zero moments, no gradient) is unchanged bit for bit",
	       label, proj);
	free(p0), free(g), free(p), free(m), free(v), free(traj), free(row_t), free(bidx), free(row_pos);
}

/* When every row is in every batch, dense and lazy bank Adam are adam_step
 * on the whole block, bit for bit. */
static void test_bank_consistency(void)
{
	enum { N = 6, D = 5, STEPS = 4 };
	struct adam_hp hp = {.lr = 1e-2, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
			     .weight_decay = 0.0, .nonneg = 1};
	float p0[N * D], pa[N * D], pd[N * D], pl[N * D], g[N * D], gperm[N * D];
	float ma[N * D] = {0}, va[N * D] = {0}, md[N * D] = {0}, vd[N * D] = {0};
	float ml[N * D] = {0}, vl[N * D] = {0};
	uint32_t row_t[N] = {0}, idx[N] = {4, 1, 5, 0, 3, 2};
	int32_t row_pos[N];
	struct rng r;
	rng_seed(&r, 77, 0);
	for (size_t i = 0; i < N * D; i++)
		p0[i] = rng_uniform(&r, -1.0f, 1.0f);
	memcpy(pa, p0, sizeof p0), memcpy(pd, p0, sizeof p0), memcpy(pl, p0, sizeof p0);
	for (uint64_t t = 1; t <= STEPS; t++) {
		for (size_t i = 0; i < N * D; i++)
			g[i] = rng_uniform(&r, -0.1f, 0.1f);
		/* the batch lists the rows in the order idx; g_rows follows it */
		for (size_t b = 0; b < N; b++) {
			memcpy(gperm + b * D, g + idx[b] * D, D * sizeof(float));
			row_pos[idx[b]] = (int32_t)b;
		}
		adam_step(pa, g, ma, va, N * D, &hp, t);
		adam_bank_dense(pd, md, vd, N, D, gperm, row_pos, &hp, t);
		adam_bank_lazy(pl, ml, vl, row_t, D, gperm, idx, N, &hp);
	}
	tap_ok(!memcmp(pa, pd, sizeof pa) && !memcmp(ma, md, sizeof ma) && !memcmp(va, vd, sizeof va),
	       "adam_bank_dense with every row in the batch = adam_step, bit for bit");
	tap_ok(!memcmp(pa, pl, sizeof pa) && !memcmp(ma, ml, sizeof ma) && !memcmp(va, vl, sizeof va),
	       "adam_bank_lazy with every row in every batch = adam_step, bit for bit");
}

/* ---- the tiny training and inference runs of train.txt ---------------- */

struct run {
	size_t n, m, d, B, np;   /* rows, models, feature dim, batch, floats per MLP */
	struct mlp_shape s;      /* every MLP: d -> d -> ... -> d */
	float *z[2];             /* [n x d] targets per model */
	float *params;           /* [m x np] all MLPs, one Adam block */
	float *dparams, *pm, *pv;
	float *bank, *bm, *bv;   /* [n x d] */
	uint32_t *row_t;         /* [n] lazy step counts */
	int32_t *row_pos;        /* [n] */
	float *psi, *dpsi, *din, *dy, *acts, *scratch; /* batch workspaces */
	struct adam_hp hp;
	int lazy;
	uint64_t t_mlp, t_bank;
};

static void run_init(struct run *R, const struct fixture *fx, const char *prefix, size_t n,
		     const char *bank_init, const char *mlp_fmt, int lazy)
{
	char key[64];
	memset(R, 0, sizeof *R);
	R->n = n;
	R->m = fixture_size(fx, "m");
	R->d = fixture_size(fx, "d");
	R->B = fixture_size(fx, "batch");
	R->s.depth = fixture_size(fx, "depth");
	if (R->m > 2 || fixture_size(fx, "hidden") != R->d)
		fixture_bail("train.txt: unexpected m or hidden width");
	for (size_t l = 0; l <= R->s.depth; l++)
		R->s.dim[l] = R->d;
	R->np = mlp_param_count(&R->s);
	R->hp = hp_from(fx, "hp", 0, 0);
	R->lazy = lazy;
	R->params = xcalloc(R->m * R->np, sizeof(float));
	R->dparams = xcalloc(R->m * R->np, sizeof(float));
	R->pm = xcalloc(R->m * R->np, sizeof(float));
	R->pv = xcalloc(R->m * R->np, sizeof(float));
	for (size_t j = 0; j < R->m; j++) {
		snprintf(key, sizeof key, "%s%zu", prefix, j);
		R->z[j] = fixture_floats_new(fx, key, n * R->d);
		snprintf(key, sizeof key, mlp_fmt, j);
		fixture_floats(R->params + j * R->np, fx, key, R->np);
	}
	R->bank = fixture_floats_new(fx, bank_init, n * R->d);
	R->bm = xcalloc(n * R->d, sizeof(float));
	R->bv = xcalloc(n * R->d, sizeof(float));
	R->row_t = xcalloc(n, sizeof(uint32_t));
	R->row_pos = xcalloc(n, sizeof(int32_t));
	R->psi = xcalloc(R->B * R->d, sizeof(float));
	R->dpsi = xcalloc(R->B * R->d, sizeof(float));
	R->din = xcalloc(R->B * R->d, sizeof(float));
	R->dy = xcalloc(R->B * R->d, sizeof(float));
	R->acts = xcalloc(mlp_act_count(&R->s, R->B), sizeof(float));
	R->scratch = xcalloc(mlp_scratch_count(&R->s, R->B), sizeof(float));
}

static void run_free(struct run *R)
{
	for (size_t j = 0; j < R->m; j++)
		free(R->z[j]);
	free(R->params), free(R->dparams), free(R->pm), free(R->pv), free(R->bank), free(R->bm);
	free(R->bv), free(R->row_t), free(R->row_pos), free(R->psi), free(R->dpsi), free(R->din);
	free(R->dy), free(R->acts), free(R->scratch);
}

/* One step on batch rows idx [B]: returns the batch loss (before the update). */
static double run_step(struct run *R, const uint32_t *idx, int train_mlp, int train_bank)
{
	size_t B = R->B, d = R->d;
	double total = 0.0;
	for (size_t r = 0; r < B; r++)
		memcpy(R->psi + r * d, R->bank + idx[r] * d, d * sizeof(float));
	memset(R->dparams, 0, R->m * R->np * sizeof(float));
	memset(R->dpsi, 0, B * d * sizeof(float));
	for (size_t j = 0; j < R->m; j++) {
		const float *p = R->params + j * R->np;
		mlp_forward(R->acts, p, &R->s, R->psi, B);
		total += cosine_loss(R->dy, mlp_output(R->acts, &R->s, B), R->z[j], idx, B, d,
				     1.0f / (float)(B * R->m));
		mlp_backward(train_bank ? R->din : NULL, R->dparams + j * R->np, R->scratch, p, &R->s,
			     R->psi, R->acts, R->dy, B);
		for (size_t i = 0; train_bank && i < B * d; i++)
			R->dpsi[i] += R->din[i];
	}
	if (train_mlp)
		adam_step(R->params, R->dparams, R->pm, R->pv, R->m * R->np, &R->hp, ++R->t_mlp);
	if (train_bank && R->lazy) {
		adam_bank_lazy(R->bank, R->bm, R->bv, R->row_t, d, R->dpsi, idx, B, &R->hp);
	} else if (train_bank) {
		for (size_t i = 0; i < R->n; i++)
			R->row_pos[i] = -1;
		for (size_t r = 0; r < B; r++)
			R->row_pos[idx[r]] = (int32_t)r;
		adam_bank_dense(R->bank, R->bm, R->bv, R->n, d, R->dpsi, R->row_pos, &R->hp, ++R->t_bank);
	}
	return total / (double)(B * R->m);
}

static void check_losses(const double *got, const struct fixture *fx, const char *key, size_t n,
			 const char *what)
{
	const double *ref = fixture_get(fx, key, n, NULL);
	double worst = 0.0;
	for (size_t i = 0; i < n; i++) {
		double e = fabs(got[i] - ref[i]) / fabs(ref[i]);
		worst = (e > worst || isnan(e)) ? e : worst;
	}
	tap_ok(worst <= TOL_TRAIN, "%s vs %s: %zu step losses, max rel diff %.3g (tol %.3g)", what, key,
	       n, worst, TOL_TRAIN);
}

static void test_train(const struct fixture *fx, int lazy)
{
	struct run R;
	const char *kind = lazy ? "lazy" : "dense";
	char key[64], what[96];
	size_t n = fixture_size(fx, "n"), epochs = fixture_size(fx, "epochs");
	size_t warmup = fixture_size(fx, "warmup");
	run_init(&R, fx, "z", n, "bank.init", "mlp%zu.init", lazy);
	const double *perm = fixture_get(fx, "perm.train", epochs * n, NULL);
	size_t steps = epochs * (n / R.B), k = 0;
	double *loss = xcalloc(steps, sizeof *loss);
	uint32_t idx[64];
	for (size_t e = 0; e < epochs; e++)
		for (size_t s = 0; s + R.B <= n; s += R.B) {
			for (size_t r = 0; r < R.B; r++)
				idx[r] = (uint32_t)perm[e * n + s + r];
			loss[k++] = run_step(&R, idx, 1, e >= warmup);
		}
	snprintf(what, sizeof what, "kernels' training run, bank Adam %s", kind);
	snprintf(key, sizeof key, "train.%s.loss", kind);
	check_losses(loss, fx, key, steps, what);
	snprintf(key, sizeof key, "train.%s.bank", kind);
	fixture_check(R.bank, fx, key, n * R.d, TOL_TRAIN, what);
	for (size_t j = 0; j < R.m; j++) {
		snprintf(key, sizeof key, "train.%s.mlp%zu", kind, j);
		fixture_check(R.params + j * R.np, fx, key, R.np, TOL_TRAIN, what);
	}
	free(loss);
	run_free(&R);
}

static void test_infer(const struct fixture *fx, int lazy)
{
	struct run R;
	const char *kind = lazy ? "lazy" : "dense";
	char key[64], what[96];
	size_t n = fixture_size(fx, "infer.n"), epochs = fixture_size(fx, "infer.epochs");
	run_init(&R, fx, "zi", n, "infer.bank.init", "infer.mlp%zu", lazy);
	const double *perm = fixture_get(fx, "perm.infer", epochs * n, NULL);
	float *frozen = xcalloc(R.m * R.np, sizeof(float));
	memcpy(frozen, R.params, R.m * R.np * sizeof(float));
	size_t steps = epochs * (n / R.B), k = 0;
	double *loss = xcalloc(steps, sizeof *loss);
	uint32_t idx[64];
	for (size_t e = 0; e < epochs; e++)
		for (size_t s = 0; s + R.B <= n; s += R.B) {
			for (size_t r = 0; r < R.B; r++)
				idx[r] = (uint32_t)perm[e * n + s + r];
			loss[k++] = run_step(&R, idx, 0, 1);
		}
	snprintf(what, sizeof what, "kernels' inference run, bank Adam %s", kind);
	snprintf(key, sizeof key, "infer.%s.loss", kind);
	check_losses(loss, fx, key, steps, what);
	snprintf(key, sizeof key, "infer.%s.bank", kind);
	fixture_check(R.bank, fx, key, n * R.d, TOL_TRAIN, what);
	tap_ok(!memcmp(frozen, R.params, R.m * R.np * sizeof(float)),
	       "inference (%s) leaves the MLPs untouched", kind);
	free(frozen), free(loss);
	run_free(&R);
}

int main(void)
{
	struct fixture fx;
	fixture_load(&fx, "nn.txt");
	test_adam_mlp(&fx);
	for (int lazy = 0; lazy <= 1; lazy++)
		for (int nonneg = 0; nonneg <= 1; nonneg++)
			test_adam_bank(&fx, lazy, nonneg);
	fixture_free(&fx);
	test_bank_consistency();

	fixture_load(&fx, "train.txt");
	test_train(&fx, 0);
	test_train(&fx, 1);
	test_infer(&fx, 0);
	test_infer(&fx, 1);
	fixture_free(&fx);
	return tap_done();
}
