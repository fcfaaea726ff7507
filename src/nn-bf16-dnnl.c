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
 * Primitives are created once per shape and kept in the workspace (a step
 * has a handful of fixed shapes), with a user scratchpad, so that a step
 * at a fixed shape allocates nothing after its first.  The thread count of
 * each call is OpenBLAS's current one: 1 inside a per-model parallel
 * section (src/job.c), the `set threads` count outside it. */
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

#define PRIMS 12

struct prim {
	size_t M, N, K, ldc;
	int a_trans, b_trans, accumulate; /* 0 in an unused slot's M */
	dnnl_primitive_t p;
	dnnl_memory_t a, b, c, scratch;
	void *scratch_buf;
};

struct bf16_dnnl {
	dnnl_stream_t stream;
	struct prim prim[PRIMS];
	size_t next; /* slot replaced when all are taken */
};

static dnnl_engine_t engine;
static int usable;
static char impl[96];

static void prim_free(struct prim *e)
{
	if (e->p)
		dnnl_primitive_destroy(e->p);
	dnnl_memory_t mem[] = { e->a, e->b, e->c, e->scratch };
	for (size_t i = 0; i < sizeof mem / sizeof *mem; i++)
		if (mem[i])
			dnnl_memory_destroy(mem[i]);
	free(e->scratch_buf);
	memset(e, 0, sizeof *e);
}

/* e's key fields set; builds its primitive and memory objects. */
static int prim_make(struct prim *e)
{
	dnnl_memory_desc_t a, b, c;
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
	int ok = dnnl_memory_desc_init_by_strides(&a, 2, da, dnnl_bf16, sa) == dnnl_success &&
		 dnnl_memory_desc_init_by_strides(&b, 2, db, dnnl_bf16, sb) == dnnl_success &&
		 dnnl_memory_desc_init_by_strides(&c, 2, dc, dnnl_f32, sc) == dnnl_success &&
		 dnnl_matmul_desc_init(&md, &a, &b, NULL, &c) == dnnl_success &&
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
		size_t bytes = smd ? dnnl_memory_desc_get_size(smd) : 0;
		if (bytes) {
			e->scratch_buf = aligned_alloc(64, (bytes + 63) / 64 * 64);
			ok = e->scratch_buf &&
			     dnnl_memory_create(&e->scratch, smd, engine, e->scratch_buf) ==
				     dnnl_success;
		}
		ok = ok && dnnl_memory_create(&e->a, &a, engine, DNNL_MEMORY_NONE) == dnnl_success &&
		     dnnl_memory_create(&e->b, &b, engine, DNNL_MEMORY_NONE) == dnnl_success &&
		     dnnl_memory_create(&e->c, &c, engine, DNNL_MEMORY_NONE) == dnnl_success &&
		     dnnl_primitive_create(&e->p, pd) == dnnl_success;
	}
	if (pd)
		dnnl_primitive_desc_destroy(pd);
	if (ops)
		dnnl_post_ops_destroy(ops);
	if (attr)
		dnnl_primitive_attr_destroy(attr);
	if (!ok)
		prim_free(e);
	return ok ? 0 : -1;
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

static struct prim *prim_get(struct bf16_dnnl *d, const struct prim *key)
{
	for (size_t i = 0; i < PRIMS; i++) {
		struct prim *e = &d->prim[i];
		if (e->M == key->M && e->N == key->N && e->K == key->K && e->ldc == key->ldc &&
		    e->a_trans == key->a_trans && e->b_trans == key->b_trans &&
		    e->accumulate == key->accumulate && e->p)
			return e;
	}
	struct prim *e = &d->prim[d->next];
	d->next = (d->next + 1) % PRIMS;
	prim_free(e);
	*e = *key;
	return prim_make(e) < 0 ? NULL : e;
}

int bf16_dnnl_gemm(struct bf16_ws *w, size_t M, size_t N, size_t K, const float *A,
		   size_t rsa, size_t csa, const float *B, size_t rsb, size_t csb, float beta,
		   float *C, size_t ldc)
{
	struct prim key = { .M = M, .N = N, .K = K, .ldc = ldc, .accumulate = beta != 0.0f };
	if (K == 0 || (csa != 1 && rsa != 1) || (csb != 1 && rsb != 1))
		return 0;
	key.a_trans = csa != 1;
	key.b_trans = csb != 1;
	if (!w->dnnl) {
		w->dnnl = calloc(1, sizeof *w->dnnl);
		if (!w->dnnl)
			return -1;
	}
	struct bf16_dnnl *d = w->dnnl;
	if (!d->stream && dnnl_stream_create(&d->stream, engine, dnnl_stream_default_flags) !=
				  dnnl_success) {
		d->stream = NULL;
		return -1;
	}
	struct prim *e = prim_get(d, &key);
	if (!e || bf16_ws_grow(&w->a, &w->a_cap, M * K) < 0 ||
	    bf16_ws_grow(&w->b, &w->b_cap, K * N) < 0)
		return -1;
	if (key.a_trans)
		bf16_convert(w->a, A, K, M, csa);
	else
		bf16_convert(w->a, A, M, K, rsa);
	if (key.b_trans)
		bf16_convert(w->b, B, N, K, csb);
	else
		bf16_convert(w->b, B, K, N, rsb);
	omp_set_num_threads(openblas_get_num_threads());
	dnnl_memory_set_data_handle(e->a, w->a);
	dnnl_memory_set_data_handle(e->b, w->b);
	dnnl_memory_set_data_handle(e->c, C);
	dnnl_exec_arg_t args[4] = { { DNNL_ARG_SRC, e->a },
				    { DNNL_ARG_WEIGHTS, e->b },
				    { DNNL_ARG_DST, e->c },
				    { DNNL_ARG_SCRATCHPAD, e->scratch } };
	if (dnnl_primitive_execute(e->p, d->stream, e->scratch ? 4 : 3, args) != dnnl_success ||
	    dnnl_stream_wait(d->stream) != dnnl_success)
		return -1;
	return 1;
}
