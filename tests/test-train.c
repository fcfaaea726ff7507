/* test-train.c - whole training and inference runs of the job against a
 * PyTorch run of the same tiny problem (tests/fixtures/train.txt, made by
 * tests/fixtures/make-nn-fixtures.py), plus the invariants of the method:
 * warmup keeps the bank at its init, inference keeps the MLPs frozen, the
 * the same seed gives the same bits. */
#include "err.h"
#include "eval-baseline.h"
#include "fixtures.h"
#include "job.h"
#include "par.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-loss.h"
#include "obj-mlp.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* Tolerances: rnr runs in float32, the reference in float64 from the same
 * float32 inputs; 12 Adam steps at lr 1e-2 amplify rounding a little. */
#define TOL_LOSS 1e-5
#define TOL_PARAM 1e-4

static struct cache *fixture_cache(const struct fixture *fx, const char *za, const char *zb,
				   size_t n, size_t d)
{
	struct cache *c = cache_new("fx", n, 2);
	const char *zs[2] = { za, zb };
	const char *names[2] = { "m0", "m1" };
	for (size_t j = 0; j < 2; j++) {
		c->model[j] = strdup(names[j]);
		mat_init(&c->feat[j], n, d, "fixture");
		const double *v = fixture_get(fx, zs[j], n * d, NULL);
		for (size_t i = 0; i < n * d; i++)
			c->feat[j].data[i] = (float)v[i];
	}
	return c;
}

static void set_floats(float *dst, const struct fixture *fx, const char *name, size_t n)
{
	const double *v = fixture_get(fx, name, n, NULL);
	for (size_t i = 0; i < n; i++)
		dst[i] = (float)v[i];
}

static uint32_t *fixture_perm(const struct fixture *fx, const char *name, size_t n)
{
	const double *v = fixture_get(fx, name, n, NULL);
	uint32_t *p = malloc(n * sizeof *p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint32_t)v[i];
	return p;
}

static struct job_cfg fixture_cfg(enum job_kind kind, size_t epochs, size_t warmup,
				  enum bank_adam mode, const uint32_t *perm)
{
	struct adam_hp hp = { 1e-2, 0.9, 0.999, 1e-8, 0.0, 0 };
	struct job_cfg cfg = { kind, epochs, warmup, 4, hp, hp, mode, 0, perm };
	return cfg;
}

/* The recorded losses as floats, for fixture_check. */
static const float *losses(const struct losshist *h)
{
	static float f[64];
	for (size_t i = 0; i < h->n && i < 64; i++)
		f[i] = (float)h->total[i];
	return f;
}

static void run_to_end(struct job *j)
{
	while (!job_step(j))
		;
}

static void check_train(const struct fixture *fx, enum bank_adam mode, const char *tag)
{
	struct cache *c = fixture_cache(fx, "z0", "z1", 12, 6);
	size_t models[2] = { 0, 1 };
	struct mlpset *set = mlpset_new("dec", c, models, 2, 6, 2, 6, 0);
	set_floats(set->params + set->offset[0], fx, "mlp0.init", 84);
	set_floats(set->params + set->offset[1], fx, "mlp1.init", 84);
	struct bank *b = baseline_average(c, "psi", NULL, 0);
	float init[72];
	set_floats(init, fx, "bank.init", 72);
	tap_close(b->psi.data, init, 72, 1e-6, 1e-3, "average baseline = the fixture's bank init");
	struct losshist *h = losshist_new("psi.loss", 2, set->model, 3, 2);
	uint32_t *perm = fixture_perm(fx, "perm.train", 48);
	struct job_cfg cfg = fixture_cfg(JOB_TRAIN, 4, 2, mode, perm);
	struct job *j = job_new(&cfg, c, set, b, h);
	tap_ok(j != NULL, "%s: job created", tag);

	float before[72];
	memcpy(before, b->psi.data, sizeof before);
	for (size_t s = 0; s < 6; s++)
		job_step(j);
	tap_ok(memcmp(before, b->psi.data, sizeof before) == 0,
	       "%s: warmup leaves the bank bit-identical to its init", tag);
	run_to_end(j);

	char name[64];
	snprintf(name, sizeof name, "train.%s.loss", tag);
	fixture_check(losses(h), fx, name, 12, TOL_LOSS, "loss of every step");
	snprintf(name, sizeof name, "train.%s.bank", tag);
	fixture_check(b->psi.data, fx, name, 72, TOL_PARAM, "final bank");
	snprintf(name, sizeof name, "train.%s.mlp0", tag);
	fixture_check(set->params + set->offset[0], fx, name, 84, TOL_PARAM, "final MLP 0");
	snprintf(name, sizeof name, "train.%s.mlp1", tag);
	fixture_check(set->params + set->offset[1], fx, name, 84, TOL_PARAM, "final MLP 1");
	job_free(j);
	free(perm);
	obj_free(&h->base), obj_free(&b->base), obj_free(&set->base), obj_free(&c->base);
}

static void check_infer(const struct fixture *fx, enum bank_adam mode, const char *tag)
{
	struct cache *c = fixture_cache(fx, "zi0", "zi1", 8, 6);
	size_t models[2] = { 0, 1 };
	struct mlpset *set = mlpset_new("dec", c, models, 2, 6, 2, 6, 0);
	set_floats(set->params + set->offset[0], fx, "infer.mlp0", 84);
	set_floats(set->params + set->offset[1], fx, "infer.mlp1", 84);
	float frozen[168];
	memcpy(frozen, set->params, sizeof frozen);
	struct bank *b = baseline_average(c, "psi_te", NULL, 0);
	struct losshist *h = losshist_new("psi_te.loss", 2, set->model, 2, 0);
	uint32_t *perm = fixture_perm(fx, "perm.infer", 24);
	struct job_cfg cfg = fixture_cfg(JOB_INFER, 3, 0, mode, perm);
	struct job *j = job_new(&cfg, c, set, b, h);
	run_to_end(j);
	char name[64];
	snprintf(name, sizeof name, "infer.%s.loss", tag);
	fixture_check(losses(h), fx, name, 6, TOL_LOSS, "inference loss of every step");
	snprintf(name, sizeof name, "infer.%s.bank", tag);
	fixture_check(b->psi.data, fx, name, 48, TOL_PARAM, "inferred bank");
	tap_ok(memcmp(frozen, set->params, sizeof frozen) == 0,
	       "%s: inference leaves the MLPs bit-identical", tag);
	job_free(j);
	free(perm);
	obj_free(&h->base), obj_free(&b->base), obj_free(&set->base), obj_free(&c->base);
}

/* A seeded run on random data: its final bank. */
static void seeded_run(float *out, enum bank_adam mode)
{
	struct rng r;
	rng_seed(&r, 7, 0);
	struct cache *c = cache_new("rand", 50, 2);
	for (size_t j = 0; j < 2; j++) {
		c->model[j] = strdup(j ? "b" : "a");
		mat_init(&c->feat[j], 50, 16, "rand");
		for (size_t i = 0; i < 50 * 16; i++)
			c->feat[j].data[i] = rng_uniform01(&r);
		size_t z;
		mat_normalize_rows(&c->feat[j], &z);
	}
	size_t models[2] = { 0, 1 };
	struct mlpset *set = mlpset_new("dec", c, models, 2, 16, 2, 0, 42);
	struct bank *b = baseline_average(c, "psi", NULL, 0);
	struct losshist *h = losshist_new("l", 2, set->model, 4, 2);
	struct job_cfg cfg = fixture_cfg(JOB_TRAIN, 5, 2, mode, NULL);
	cfg.seed = 3;
	struct job *j = job_new(&cfg, c, set, b, h);
	run_to_end(j);
	memcpy(out, b->psi.data, 50 * 16 * sizeof *out);
	job_free(j);
	obj_free(&h->base), obj_free(&b->base), obj_free(&set->base), obj_free(&c->base);
}

static void check_determinism(void)
{
	static float a[800], b[800];
	seeded_run(a, BANK_ADAM_LAZY);
	seeded_run(b, BANK_ADAM_LAZY);
	tap_ok(memcmp(a, b, sizeof a) == 0, "same seed, same threads: bit-identical banks");
	seeded_run(b, BANK_ADAM_DENSE);
	tap_ok(memcmp(a, b, sizeof a) != 0, "dense and lazy bank Adam give different banks");
}

/* rnr's threads (par.h): the models of a small step run in parallel and
 * Adam's passes split in chunks; the result depends on the thread count
 * only through float reassociation of the bank gradient's sum, and not at
 * all from run to run. */
static void check_threads(void)
{
	static float one[800], a[800], b[800];
	seeded_run(one, BANK_ADAM_LAZY);
	par_set_threads(2);
	seeded_run(a, BANK_ADAM_LAZY);
	seeded_run(b, BANK_ADAM_LAZY);
	tap_ok(memcmp(a, b, sizeof a) == 0, "2 threads, models in parallel: bit-identical banks");
	tap_close(a, one, 800, 1e-6, 1e-5, "2 threads vs 1: the same bank up to reassociation");
	seeded_run(a, BANK_ADAM_DENSE);
	par_set_threads(1);
	seeded_run(one, BANK_ADAM_DENSE);
	tap_close(a, one, 800, 1e-6, 1e-5, "2 threads vs 1, dense bank Adam: the same bank");

	/* Adam is per element: chunked over threads, the same bits */
	size_t n = 300001;
	float *p1 = malloc(n * sizeof *p1), *p2 = malloc(n * sizeof *p2), *g = malloc(n * sizeof *g);
	float *m1 = calloc(n, sizeof *m1), *m2 = calloc(n, sizeof *m2);
	float *v1 = calloc(n, sizeof *v1), *v2 = calloc(n, sizeof *v2);
	for (size_t i = 0; i < n; i++) {
		p1[i] = p2[i] = (float)i / (float)n - 0.5f;
		g[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.3f;
	}
	struct adam_hp hp = { 3e-4, 0.9, 0.999, 1e-8, 0.01, 0 };
	for (uint64_t t = 1; t <= 3; t++) {
		par_set_threads(1);
		adam_step(p1, g, m1, v1, n, &hp, t);
		par_set_threads(3);
		adam_step(p2, g, m2, v2, n, &hp, t);
	}
	par_set_threads(1);
	tap_ok(memcmp(p1, p2, n * sizeof *p1) == 0 && memcmp(m1, m2, n * sizeof *m1) == 0 &&
		       memcmp(v1, v2, n * sizeof *v1) == 0,
	       "adam_step on 3 threads = on 1, bit for bit (%zu elements)", n);
	free(p1), free(p2), free(g), free(m1), free(m2), free(v1), free(v2);
}

static void check_bad_config(const struct fixture *fx)
{
	struct cache *c = fixture_cache(fx, "z0", "z1", 12, 6);
	size_t models[2] = { 0, 1 };
	struct mlpset *set = mlpset_new("dec", c, models, 2, 6, 2, 6, 0);
	struct bank *b = baseline_average(c, "psi", NULL, 0);
	struct losshist *h = losshist_new("l", 2, set->model, 1, 0);
	struct job_cfg cfg = fixture_cfg(JOB_TRAIN, 4, 2, BANK_ADAM_DENSE, NULL);
	cfg.batch = 13;
	tap_ok(!job_new(&cfg, c, set, b, h) && strstr(err_msg(), "batch=13: must be 1..12"),
	       "a batch larger than the split is refused: %s", err_msg());
	cfg.batch = 4, cfg.warmup = 5;
	tap_ok(!job_new(&cfg, c, set, b, h) && strstr(err_msg(), "warmup=5 exceeds epochs=4"),
	       "warmup beyond the epochs is refused: %s", err_msg());
	free(c->model[1]);
	c->model[1] = strdup("other");
	cfg.warmup = 2;
	tap_ok(!job_new(&cfg, c, set, b, h) && strstr(err_msg(), "decodes model 'm1'"),
	       "an MLP set for other models is refused: %s", err_msg());
	obj_free(&h->base), obj_free(&b->base), obj_free(&set->base), obj_free(&c->base);
}

int main(void)
{
	struct fixture fx;
	fixture_load(&fx, "train.txt");
	check_train(&fx, BANK_ADAM_DENSE, "dense");
	check_train(&fx, BANK_ADAM_LAZY, "lazy");
	check_infer(&fx, BANK_ADAM_DENSE, "dense");
	check_infer(&fx, BANK_ADAM_LAZY, "lazy");
	check_determinism();
	check_threads();
	check_bad_config(&fx);
	fixture_free(&fx);
	return tap_done();
}
