/* test-noalloc.c - a training or inference step allocates nothing.
 *
 * The job allocates its optimiser state and buffers once in job_new(); a
 * step that allocated would fragment the heap over a night of training and
 * could fail half way through.  The test binary is linked with
 * -Wl,--wrap for the allocator (Makefile.am), so every call that rnr's own
 * code (librnr.a) makes to malloc, calloc, realloc, aligned_alloc or
 * posix_memalign goes through the counters below.  Calls made inside
 * OpenBLAS or libc themselves are not seen: this is about rnr's code. */
#include "eval-baseline.h"
#include "job.h"
#include "nn-bf16.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-loss.h"
#include "obj-mlp.h"
#include "par.h"
#include "rng.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static size_t n_allocs;

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);

void *__wrap_malloc(size_t n)
{
	n_allocs++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
	n_allocs++;
	return __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n)
{
	n_allocs++;
	return __real_realloc(p, n);
}

void *__wrap_aligned_alloc(size_t a, size_t n)
{
	n_allocs++;
	return __real_aligned_alloc(a, n);
}

int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
	n_allocs++;
	return __real_posix_memalign(p, a, n);
}

/* Two models of random unit rows, n x d. */
static struct cache *random_cache(size_t n, size_t d)
{
	struct rng r;
	rng_seed(&r, 11, 0);
	struct cache *c = cache_new("rand", n, 2);
	for (size_t j = 0; j < 2; j++) {
		c->model[j] = strdup(j ? "b" : "a");
		mat_init(&c->feat[j], n, d, "rand");
		for (size_t i = 0; i < n * d; i++)
			c->feat[j].data[i] = rng_uniform01(&r) - 0.5f;
		size_t zero;
		mat_normalize_rows(&c->feat[j], &zero);
	}
	return c;
}

/* Run a job to its end; the allocations made by its steps after the first
 * (which may touch lazily made things such as OpenBLAS's buffers). */
static size_t allocs_per_run(enum job_kind kind, enum bank_adam mode, size_t *steps)
{
	const size_t n = 96, d = 16;
	struct cache *c = random_cache(n, d);
	size_t models[2] = { 0, 1 };
	struct mlpset *set = mlpset_new("dec", c, models, 2, d, 2, 0, 5);
	struct bank *b = baseline_average(c, "psi", NULL, 0);
	struct losshist *h = losshist_new("psi.loss", 2, set->model, 6, kind == JOB_TRAIN ? 2 : 0);
	struct adam_hp hp = { 1e-2, 0.9, 0.999, 1e-8, 0.0, 0 };
	struct job_cfg cfg = { kind, 6, kind == JOB_TRAIN ? 2 : 0, 16, hp, hp, mode, 3, NULL };
	struct job *j = job_new(&cfg, c, set, b, h);
	size_t counted = 0;
	*steps = 0;
	if (j && !job_step(j)) {
		size_t before = n_allocs;
		do
			++*steps;
		while (!job_step(j));
		counted = n_allocs - before;
	}
	job_free(j);
	obj_free(&h->base), obj_free(&b->base), obj_free(&set->base), obj_free(&c->base);
	return counted;
}

static void check(enum job_kind kind, enum bank_adam mode, size_t threads, const char *what)
{
	size_t steps;
	par_set_threads(threads);
	size_t k = allocs_per_run(kind, mode, &steps);
	tap_ok(steps > 30 && k == 0, "%s, %zu thread%s: %zu allocations in %zu steps", what,
	       threads, threads == 1 ? "" : "s", k, steps);
}

int main(void)
{
	/* the counters see allocations at all (else the test could not fail) */
	size_t before = n_allocs;
	free(malloc(16));
	struct cache *c = random_cache(4, 2);
	tap_ok(n_allocs - before >= 2, "the wrapped allocator counts rnr's allocations (%zu)",
	       n_allocs - before);
	obj_free(&c->base);

	for (size_t t = 1; t <= 2; t++) {
		check(JOB_TRAIN, BANK_ADAM_LAZY, t, "train (warmup then joint), lazy bank Adam");
		check(JOB_TRAIN, BANK_ADAM_DENSE, t, "train (warmup then joint), dense bank Adam");
		check(JOB_INFER, BANK_ADAM_LAZY, t, "infer, lazy bank Adam");
		check(JOB_INFER, BANK_ADAM_DENSE, t, "infer, dense bank Adam");
	}
	/* set precision bf16: its workspaces and primitives are made on the
	 * first step (the kernel that runs is the process's: oneDNN's, the own
	 * one, or the portable one under RNR_BF16=fallback) */
	if (bf16_kernel()) {
		nn_set_precision(NN_BF16);
		for (size_t t = 1; t <= 2; t++) {
			check(JOB_TRAIN, BANK_ADAM_LAZY, t, "bf16 train, lazy bank Adam");
			check(JOB_INFER, BANK_ADAM_LAZY, t, "bf16 infer, lazy bank Adam");
		}
		nn_set_precision(NN_FP32);
	} else {
		tap_ok(1, "bf16 steps # SKIP no bf16 kernel on this CPU");
	}
	return tap_done();
}
