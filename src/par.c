/* par.c - the parallel loop (see par.h). */
#include "par.h"

#include <pthread.h>
#include <stdatomic.h>

static _Atomic size_t n_threads = 1;
/* Set while a thread runs a chunk: a par_for inside one runs inline, so
 * nested loops never multiply the threads. */
static _Thread_local int in_chunk;
/* The outermost chunk this thread runs (0 outside any) */
static _Thread_local size_t chunk_index;

void par_set_threads(size_t n)
{
	n_threads = n < 1 ? 1 : n > PAR_MAX_THREADS ? PAR_MAX_THREADS : n;
}

size_t par_threads(void)
{
	return n_threads;
}

size_t par_chunk(void)
{
	return chunk_index;
}

struct chunk {
	par_fn fn;
	void *ctx;
	size_t lo, hi, i;
};

static void *run_chunk(void *p)
{
	struct chunk *c = p;
	int outer = in_chunk;
	size_t outer_index = chunk_index;
	if (!outer)
		chunk_index = c->i;
	in_chunk = 1;
	c->fn(c->ctx, c->lo, c->hi, c->i);
	in_chunk = outer;
	chunk_index = outer_index;
	return NULL;
}

void par_for(size_t n, size_t grain, size_t align, par_fn fn, void *ctx)
{
	if (n == 0)
		return;
	if (grain < 1)
		grain = 1;
	if (align < 1)
		align = 1;
	size_t t = in_chunk ? 1 : par_threads();
	if (t > n / grain)
		t = n / grain ? n / grain : 1;
	size_t per = (n + t - 1) / t;
	per = (per + align - 1) / align * align;
	struct chunk c[PAR_MAX_THREADS];
	pthread_t th[PAR_MAX_THREADS];
	int started[PAR_MAX_THREADS];
	size_t k = 0;
	for (size_t lo = 0; lo < n && k < t; lo += per, k++)
		c[k] = (struct chunk){ fn, ctx, lo, lo + per < n ? lo + per : n, k };
	for (size_t i = 1; i < k; i++)
		started[i] = pthread_create(&th[i], NULL, run_chunk, &c[i]) == 0;
	run_chunk(&c[0]);
	for (size_t i = 1; i < k; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			run_chunk(&c[i]);
	}
}
