/* nn-bf16-dnnl.c - gemm_bf16 through oneDNN's matmul primitive
 * (libdnnl, configure --with-dnnl; doc/bf16.md has the measurements that
 * chose it).
 *
 * oneDNN 2.6's f32 matmul does not switch to bf16 compute under
 * fpmath_mode bf16 on this kind of CPU (it keeps brg:avx512_core), so the
 * operands are converted to bf16 here, in their own layout (one pass each,
 * split over rnr's threads), and the primitive reads them through strides:
 * a transposed operand is a "ba" layout, not a copy.
 *
 * Primitives are made once per shape (a step has a handful of fixed
 * shapes) and shared by the threads; each workspace holds a stream and a
 * user scratchpad, so that a step at a fixed shape allocates nothing
 * after its first.  The thread count of
 * each call is OpenBLAS's current one: 1 inside a per-model parallel
 * section (src/job.c), the `set threads` count outside it; it is part of a
 * primitive's key, since oneDNN sizes a primitive's work split by the
 * thread count when the primitive is made and keeps it. */
#include "config.h"

#include "nn-bf16-int.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libgomp's (oneDNN's threading runtime in Debian's build; configure
 * links it), declared here so that the build needs no omp.h */
void omp_set_num_threads(int n);

/* Shapes a process keeps primitives for; a call of another shape past
 * that builds a primitive for itself and drops it (slow, correct). */
#define PRIMS 64

/* A primitive is shared by every thread: each call brings its own
 * stream, memory objects and scratchpad (oneDNN's contract for running
 * one primitive concurrently). */
struct prim {
	size_t M, N, K, ldc;
	int a_trans, b_trans, accumulate;
	int threads; /* oneDNN fixes a primitive's thread count when it is made */
	dnnl_primitive_t p;
	dnnl_memory_desc_t a, b, c, scratch;
	size_t scratch_bytes;
};

/* A workspace's own part: its stream and scratchpad. */
struct bf16_dnnl {
	dnnl_stream_t stream;
	void *scratch;
	size_t scratch_cap;
};

static dnnl_engine_t engine;
static int usable;
static char impl[96];

static pthread_mutex_t prims_lock = PTHREAD_MUTEX_INITIALIZER;
static struct prim prims[PRIMS];
static size_t n_prims;

/* e's key fields set; builds its primitive. */
static int prim_make(struct prim *e)
{
	dnnl_dims_t da = { (dnnl_dim_t)e->M, (dnnl_dim_t)e->K };
	dnnl_dims_t db = { (dnnl_dim_t)e->K, (dnnl_dim_t)e->N };
	dnnl_dims_t dc = { (dnnl_dim_t)e->M, (dnnl_dim_t)e->N };
	dnnl_dims_t sa = { (dnnl_dim_t)e->K, 1 }, sb = { (dnnl_dim_t)e->N, 1 };
	dnnl_dims_t sc = { (dnnl_dim_t)e->ldc, 1 };
	if (e->a_trans) {
		sa[0] = 1;
		sa[1] = (dnnl_dim_t)e->M;
	}
	if (e->b_trans) {
		sb[0] = 1;
		sb[1] = (dnnl_dim_t)e->K;
	}
	dnnl_matmul_desc_t md;
	dnnl_primitive_attr_t attr = NULL;
	dnnl_post_ops_t ops = NULL;
	dnnl_primitive_desc_t pd = NULL;
	int ok = dnnl_memory_desc_init_by_strides(&e->a, 2, da, dnnl_bf16, sa) == dnnl_success &&
		 dnnl_memory_desc_init_by_strides(&e->b, 2, db, dnnl_bf16, sb) == dnnl_success &&
		 dnnl_memory_desc_init_by_strides(&e->c, 2, dc, dnnl_f32, sc) == dnnl_success &&
		 dnnl_matmul_desc_init(&md, &e->a, &e->b, NULL, &e->c) == dnnl_success &&
		 dnnl_primitive_attr_create(&attr) == dnnl_success &&
		 dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) ==
			 dnnl_success;
	if (ok && e->accumulate)
		ok = dnnl_post_ops_create(&ops) == dnnl_success &&
		     dnnl_post_ops_append_sum(ops, 1.0f) == dnnl_success &&
		     dnnl_primitive_attr_set_post_ops(attr, ops) == dnnl_success;
	ok = ok && dnnl_primitive_desc_create(&pd, &md, attr, engine, NULL) == dnnl_success;
	if (ok) {
		const dnnl_memory_desc_t *smd =
			dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
		e->scratch_bytes = smd ? dnnl_memory_desc_get_size(smd) : 0;
		if (e->scratch_bytes)
			e->scratch = *smd;
		ok = dnnl_primitive_create(&e->p, pd) == dnnl_success;
	}
	if (pd)
		dnnl_primitive_desc_destroy(pd);
	if (ops)
		dnnl_post_ops_destroy(ops);
	if (attr)
		dnnl_primitive_attr_destroy(attr);
	if (!ok)
		e->p = NULL;
	return ok ? 0 : -1;
}

static int same_shape(const struct prim *a, const struct prim *b)
{
	return a->M == b->M && a->N == b->N && a->K == b->K && a->ldc == b->ldc &&
	       a->a_trans == b->a_trans && a->b_trans == b->b_trans &&
	       a->accumulate == b->accumulate && a->threads == b->threads;
}

/* The cached primitive of key's shape (built on first use), or key itself
 * built as a temporary (key->p set; the caller destroys it) when the cache
 * is full.  NULL if it cannot be built. */
static const struct prim *prim_get(struct prim *key)
{
	pthread_mutex_lock(&prims_lock);
	const struct prim *e = NULL;
	int full = 0;
	for (size_t i = 0; i < n_prims && !e; i++)
		if (same_shape(&prims[i], key))
			e = &prims[i];
	if (!e && n_prims < PRIMS) {
		prims[n_prims] = *key;
		if (prim_make(&prims[n_prims]) == 0)
			e = &prims[n_prims++];
	} else if (!e) {
		full = 1;
	}
	pthread_mutex_unlock(&prims_lock);
	if (full && prim_make(key) == 0)
		e = key;
	return e;
}

/* The implementation oneDNN picks for a bf16 matmul of the step's kind:
 * usable only if it is a bf16 kernel (not a reference or emulation). */
static void probe(void)
{
	if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success)
		return;
	dnnl_memory_desc_t a, b, c;
	dnnl_dims_t d = { 64, 64 }, s = { 64, 1 };
	dnnl_matmul_desc_t md;
	dnnl_primitive_desc_t pd;
	if (dnnl_memory_desc_init_by_strides(&a, 2, d, dnnl_bf16, s) != dnnl_success ||
	    dnnl_memory_desc_init_by_strides(&b, 2, d, dnnl_bf16, s) != dnnl_success ||
	    dnnl_memory_desc_init_by_strides(&c, 2, d, dnnl_f32, s) != dnnl_success ||
	    dnnl_matmul_desc_init(&md, &a, &b, NULL, &c) != dnnl_success ||
	    dnnl_primitive_desc_create(&pd, &md, NULL, engine, NULL) != dnnl_success)
		return;
	const char *name = NULL;
	dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
	if (name && strstr(name, "bf16") && strncmp(name, "ref", 3) != 0) {
		const dnnl_version_t *v = dnnl_version();
		snprintf(impl, sizeof impl, "onednn-%d.%d.%d %s", v->major, v->minor, v->patch,
			 name);
		usable = 1;
	}
	dnnl_primitive_desc_destroy(pd);
}

int bf16_dnnl_usable(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, probe);
	return usable;
}

const char *bf16_dnnl_impl(void)
{
	return bf16_dnnl_usable() ? impl : NULL;
}

/* The primitive's memory objects over this call's buffers; runs it. */
static int execute(const struct prim *e, struct bf16_dnnl *d, const uint16_t *a,
		   const uint16_t *b, float *c)
{
	dnnl_memory_t mem[4] = { NULL, NULL, NULL, NULL };
	int ok = dnnl_memory_create(&mem[0], &e->a, engine, (void *)a) == dnnl_success &&
		 dnnl_memory_create(&mem[1], &e->b, engine, (void *)b) == dnnl_success &&
		 dnnl_memory_create(&mem[2], &e->c, engine, c) == dnnl_success &&
		 (!e->scratch_bytes ||
		  dnnl_memory_create(&mem[3], &e->scratch, engine, d->scratch) == dnnl_success);
	dnnl_exec_arg_t args[4] = { { DNNL_ARG_SRC, mem[0] },
				    { DNNL_ARG_WEIGHTS, mem[1] },
				    { DNNL_ARG_DST, mem[2] },
				    { DNNL_ARG_SCRATCHPAD, mem[3] } };
	ok = ok && dnnl_primitive_execute(e->p, d->stream, e->scratch_bytes ? 4 : 3, args) ==
			   dnnl_success &&
	     dnnl_stream_wait(d->stream) == dnnl_success;
	for (int i = 0; i < 4; i++)
		if (mem[i])
			dnnl_memory_destroy(mem[i]);
	return ok ? 0 : -1;
}

/* w's oneDNN part, its stream made and its scratchpad at least bytes. */
static struct bf16_dnnl *ws_part(struct bf16_ws *w, size_t bytes)
{
	if (!w->dnnl && !(w->dnnl = calloc(1, sizeof *w->dnnl)))
		return NULL;
	struct bf16_dnnl *d = w->dnnl;
	if (!d->stream &&
	    dnnl_stream_create(&d->stream, engine, dnnl_stream_default_flags) != dnnl_success) {
		d->stream = NULL;
		return NULL;
	}
	if (bytes > d->scratch_cap) {
		void *n = aligned_alloc(64, (bytes + 63) / 64 * 64);
		if (!n)
			return NULL;
		free(d->scratch);
		d->scratch = n;
		d->scratch_cap = bytes;
	}
	return d;
}

int bf16_dnnl_gemm(struct bf16_ws *w, size_t M, size_t N, size_t K, const float *A,
		   size_t rsa, size_t csa, const float *B, size_t rsb, size_t csb, float beta,
		   float *C, size_t ldc)
{
	if (K == 0 || (csa != 1 && rsa != 1) || (csb != 1 && rsb != 1))
		return 0;
	/* before the primitive is made: it takes the calling thread's count */
	int threads = openblas_get_num_threads();
	omp_set_num_threads(threads);
	struct prim key = { .M = M, .N = N, .K = K, .ldc = ldc, .accumulate = beta != 0.0f,
			    .a_trans = csa != 1, .b_trans = csb != 1, .threads = threads };
	const struct prim *e = prim_get(&key);
	if (!e)
		return -1;
	struct bf16_dnnl *d = ws_part(w, e->scratch_bytes);
	int rc = -1;
	if (d && bf16_ws_grow(&w->a, &w->a_cap, M * K) == 0 &&
	    bf16_ws_grow(&w->b, &w->b_cap, K * N) == 0) {
		if (key.a_trans)
			bf16_convert(w->a, A, K, M, csa);
		else
			bf16_convert(w->a, A, M, K, rsa);
		if (key.b_trans)
			bf16_convert(w->b, B, N, K, csb);
		else
			bf16_convert(w->b, B, K, N, rsb);
		rc = execute(e, d, w->a, w->b, C) == 0 ? 1 : -1;
	}
	if (e == &key)
		dnnl_primitive_destroy(key.p);
	return rc;
}
