/* rnr-bench.c - `make bench`: rnr's training step, k-NN, spectrum and NN
 * histogram at the paper's shapes, each beside the reference that makes its
 * number meaningful on a shared, noisy machine, measured in the same run:
 *
 *  - the step against cblas_sgemm on exactly the step's GEMM shapes (the
 *    machine's limit for this work) and against the same step in PyTorch
 *    (bench/reference.py, a server this program feeds one command at a
 *    time, so that subject and reference runs interleave);
 *  - k-NN against faiss IndexFlatIP, the spectrum against
 *    numpy.linalg.svd(compute_uv=False) on the same matrix.
 *
 * Every section runs in a child process so its peak RSS (wait4's
 * ru_maxrss) is its own.  Figures are medians over the repeats.
 *
 * usage: rnr-bench [--quick] [--reps R] [--steps S] [--threads T] [--no-ref]
 *                  [--only small,train,knn,nnhist,spectrum]
 *        rnr-bench [--quick|--small] --profile PHASE MODE STEPS  (rnr only)
 * Environment: RNR_BENCH_QUICK=1 (= --quick: smaller shapes), RNR_THREADS
 * (default 2), RNR_BENCH_PYTHON (default /usr/bin/python3),
 * RNR_BENCH_REFERENCE (default bench/reference.py beside this source). */
#include "err.h"
#include "eval-baseline.h"
#include "eval-knn.h"
#include "eval-nnhist.h"
#include "eval-spectrum.h"
#include "job.h"
#include "mat.h"
#include "nn-bf16.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-loss.h"
#include "obj-mlp.h"
#include "par.h"
#include "rng.h"
#include "settings.h"

#include <cblas.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef RNR_SRCDIR
#define RNR_SRCDIR "."
#endif

struct shape {
	char name[16];
	size_t n, n_test, d, m, B, depth;
};

struct bench {
	int reps, threads;
	size_t steps;          /* steps per timed run */
	FILE *to_ref, *from_ref; /* the reference server, or NULL */
	struct settings set;
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	if (n == 0)
		return NAN;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Peak RSS of this process so far, KiB. */
static long peak_rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void die(const char *what)
{
	fprintf(stderr, "rnr-bench: %s: %s\n", what, err_msg());
	exit(1);
}

/* One command to the reference server; its answer (after "ok ") in ans.
 * 0 on "ok", -1 (with the answer on stderr) otherwise or without a server. */
static int ref_cmd(struct bench *b, char *ans, size_t cap, const char *fmt, ...)
{
	if (!b->to_ref)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(b->to_ref, fmt, ap);
	va_end(ap);
	fputc('\n', b->to_ref);
	fflush(b->to_ref);
	char line[4096];
	if (!fgets(line, sizeof line, b->from_ref)) {
		fprintf(stderr, "rnr-bench: the reference server died\n");
		b->to_ref = NULL;
		return -1;
	}
	line[strcspn(line, "\n")] = 0;
	if (strncmp(line, "ok", 2) != 0) {
		fprintf(stderr, "rnr-bench: reference: %s\n", line);
		return -1;
	}
	snprintf(ans, cap, "%s", line[2] ? line + 3 : "");
	return 0;
}

static double ref_seconds(struct bench *b, const char *fmt, ...)
{
	char cmd[256], ans[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (ref_cmd(b, ans, sizeof ans, "%s", cmd) < 0)
		return NAN;
	return strtod(ans, NULL);
}

/* Starts bench/reference.py with the thread count in its environment;
 * without python3, numpy or the script the references are left out. */
static void ref_start(struct bench *b)
{
	const char *py = getenv("RNR_BENCH_PYTHON") ? getenv("RNR_BENCH_PYTHON") : "/usr/bin/python3";
	const char *script = getenv("RNR_BENCH_REFERENCE") ? getenv("RNR_BENCH_REFERENCE")
							   : RNR_SRCDIR "/bench/reference.py";
	if (access(py, X_OK) != 0 || access(script, R_OK) != 0) {
		printf("# references: %s or %s missing, left out\n", py, script);
		return;
	}
	int in[2], out[2];
	if (pipe(in) < 0 || pipe(out) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char t[16];
		snprintf(t, sizeof t, "%d", b->threads);
		setenv("OPENBLAS_NUM_THREADS", t, 1);
		setenv("OMP_NUM_THREADS", t, 1);
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(py, py, script, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	b->to_ref = fdopen(in[1], "w");
	b->from_ref = fdopen(out[0], "r");
	char ans[64];
	if (ref_cmd(b, ans, sizeof ans, "threads %d", b->threads) < 0) {
		printf("# references: the server did not start, left out\n");
		b->to_ref = NULL;
	}
}

/* Non-negative rows of unit norm (post-ReLU-like features), seeded. */
static void fill_features(struct mat *a, size_t n, size_t d, uint64_t seed)
{
	if (mat_init(a, n, d, "bench features") < 0)
		die("features");
	struct rng r;
	rng_seed(&r, seed, 7);
	for (size_t i = 0; i < n * d; i++) {
		float u = rng_uniform01(&r);
		u *= u;
		a->data[i] = u * u;
	}
	size_t first;
	mat_normalize_rows(a, &first);
}

static struct cache *make_cache(const char *name, size_t n, size_t d, size_t m, uint64_t seed)
{
	struct cache *c = cache_new(name, n, m);
	if (!c || !(c->labels = calloc(n, sizeof *c->labels)))
		die("cache");
	for (size_t j = 0; j < m; j++) {
		char buf[32];
		snprintf(buf, sizeof buf, "model%zu", j);
		c->model[j] = strdup(buf);
		fill_features(&c->feat[j], n, d, seed + j);
	}
	for (size_t i = 0; i < n; i++)
		c->labels[i] = (int64_t)(i % 10);
	c->n_classes = 10;
	return c;
}

/* ---- the training step ---- */

enum phase { PH_WARMUP, PH_JOINT, PH_INFER };
static const char *const phase_name[] = { "warmup", "joint", "infer" };

/* The step's GEMMs, in mlp_forward/mlp_backward's order and shapes, on
 * buffers of the same sizes: the SGEMM reference of one step. */
struct gemm_ref {
	size_t B, d, m, depth;
	float *x, *w, *out, *dz;    /* x, dz [B x d]; out [m x B x d]; w [m x depth x d x d] */
	float *dw;                  /* [m x depth x d x d], the weights' gradient */
};

static double gemm_ref_flops(const struct shape *s, enum phase ph)
{
	double one = 2.0 * (double)s->B * (double)s->d * (double)s->d;
	double per_model = (double)s->depth;         /* forward */
	if (ph != PH_INFER)
		per_model += (double)s->depth;           /* dW */
	per_model += (double)s->depth - 1;           /* dx below the top layer */
	if (ph != PH_WARMUP)
		per_model += 1;                          /* dx into the bank */
	return one * per_model * (double)s->m;
}

struct gemm_pass {
	struct gemm_ref *g;
	enum phase ph;
	int bf16; /* the BF16 kernel (nn-bf16.h) instead of SGEMM */
};

/* C [M x N] = op(A) op(B), row-major, beta 0, in SGEMM or BF16 */
static void ref_gemm(int bf16, int ta, int tb, int M, int N, int K, const float *A,
		     const float *Bm, float *C)
{
	size_t lda = ta ? (size_t)M : (size_t)K, ldb = tb ? (size_t)K : (size_t)N;
	if (bf16 && gemm_bf16((size_t)M, (size_t)N, (size_t)K, A, ta ? 1 : lda, ta ? lda : 1,
			      Bm, tb ? 1 : ldb, tb ? ldb : 1, 0.0f, C, (size_t)N) == 0)
		return;
	cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
		    M, N, K, 1.0f, A, (int)lda, Bm, (int)ldb, 0.0f, C, N);
}

static void gemm_ref_models(void *ctx, size_t lo, size_t hi, size_t chunk)
{
	(void)chunk;
	const struct gemm_pass *p = ctx;
	struct gemm_ref *g = p->g;
	int B = (int)g->B, d = (int)g->d;
	for (size_t k = lo; k < hi; k++) {
		float *wk = g->w + k * g->depth * g->d * g->d, *out = g->out + k * g->B * g->d;
		for (size_t l = 0; l < g->depth; l++)
			ref_gemm(p->bf16, 0, 1, B, d, d, g->x, wk + l * g->d * g->d, out);
		for (size_t l = g->depth; l-- > 0;) {
			float *wl = wk + l * g->d * g->d;
			float *dwl = g->dw + (k * g->depth + l) * g->d * g->d;
			if (p->ph != PH_INFER)
				/* beta 0 as the step's (it overwrites the gradient) */
				ref_gemm(p->bf16, 1, 0, d, d, B, g->dz, g->x, dwl);
			if (l == 0 && p->ph == PH_WARMUP)
				break;
			ref_gemm(p->bf16, 0, 0, B, d, d, g->dz, wl, out);
		}
	}
}

/* The step's GEMMs one model after the other with BLAS threads, or
 * (per_model) the models spread over rnr's threads with single-threaded
 * BLAS, as job.c runs small shapes.  The bench takes the faster as the
 * machine's limit. */
static void gemm_ref_run_prec(struct gemm_ref *g, enum phase ph, int per_model, int bf16)
{
	struct gemm_pass p = { g, ph, bf16 };
	if (!per_model) {
		gemm_ref_models(&p, 0, g->m, 0);
		return;
	}
	int t = openblas_get_num_threads();
	openblas_set_num_threads(1);
	par_for(g->m, 1, 1, gemm_ref_models, &p);
	openblas_set_num_threads(t);
}

static void gemm_ref_run(struct gemm_ref *g, enum phase ph, int per_model)
{
	gemm_ref_run_prec(g, ph, per_model, 0);
}

static void gemm_ref_init(struct gemm_ref *g, const struct shape *s)
{
	g->B = s->B;
	g->d = s->d;
	g->m = s->m;
	g->depth = s->depth;
	if (!(g->x = mat_alloc_floats(s->B * s->d, "x")) ||
	    !(g->out = mat_alloc_floats(s->m * s->B * s->d, "out")) ||
	    !(g->dz = mat_alloc_floats(s->B * s->d, "dz")) ||
	    !(g->w = mat_alloc_floats(s->m * s->depth * s->d * s->d, "w")) ||
	    !(g->dw = mat_alloc_floats(s->m * s->depth * s->d * s->d, "dw")))
		die("gemm reference");
	for (size_t i = 0; i < s->B * s->d; i++)
		g->x[i] = g->dz[i] = 1e-3f * (float)(i % 97);
}

static void gemm_ref_free(struct gemm_ref *g)
{
	mat_free_floats(g->x);
	mat_free_floats(g->out);
	mat_free_floats(g->dz);
	mat_free_floats(g->w);
	mat_free_floats(g->dw);
}

struct train_objs {
	struct cache *train, *test;
	struct mlpset *mlps;
	struct bank *bank;     /* init of the train bank (the average) */
};

static struct job *make_job(struct train_objs *o, const struct shape *s, enum phase ph,
			    enum bank_adam mode, struct bank **bank, struct losshist **loss)
{
	struct cache *c = ph == PH_INFER ? o->test : o->train;
	if (!(*bank = baseline_average(c, "psi", NULL, 0)))
		die("bank");
	if (!(*loss = losshist_new("loss", s->m, o->mlps->model, (c->n + s->B - 1) / s->B, 0)))
		die("loss");
	struct job_cfg cfg = {
		.kind = ph == PH_INFER ? JOB_INFER : JOB_TRAIN,
		.epochs = 1000,
		.warmup = ph == PH_WARMUP ? 1000 : 0,
		.batch = s->B,
		.mlp_hp = { 3e-4, 0.9, 0.999, 1e-8, 0.0, 0 },
		.bank_hp = { 3e-4, 0.9, 0.999, 1e-8, 0.0, 0 },
		.bank_adam = mode,
		.seed = 1,
	};
	struct job *j = job_new(&cfg, c, o->mlps, *bank, *loss);
	if (!j)
		die("job");
	return j;
}

static void drop_job(struct job *j, struct bank *bank, struct losshist *loss)
{
	job_free(j);
	obj_free(&bank->base);
	obj_free(&loss->base);
}

static double run_steps(struct job *j, size_t steps)
{
	double t0 = now();
	for (size_t i = 0; i < steps; i++)
		job_step(j);
	return (now() - t0) / (double)steps;
}

/* Bytes training must hold: features, bank, its Adam moments, and the
 * MLPs with their gradient and Adam moments. */
static double train_state_bytes(const struct shape *s)
{
	double f = sizeof(float), nd = (double)s->n * (double)s->d;
	double mlp = (double)s->m * (double)s->depth * ((double)s->d * (double)s->d + (double)s->d);
	return f * ((double)s->m * nd + 3 * nd + 4 * mlp);
}

static void print_row(const char *what, const char *subject, const char *ref,
		      const char *ratio)
{
	printf("%-30s %-26s %-26s %s\n", what, subject, ref, ratio);
	fflush(stdout);
}

/* One phase and bank-Adam mode: rnr, the SGEMM sequence and PyTorch,
 * interleaved, reps times. */
static void bench_phase(struct bench *b, struct train_objs *o, const struct shape *s,
			enum phase ph, enum bank_adam mode, struct gemm_ref *g)
{
	struct bank *bank;
	struct losshist *loss;
	struct job *j = make_job(o, s, ph, mode, &bank, &loss);
	const char *mname = ph == PH_WARMUP ? "-" : mode == BANK_ADAM_LAZY ? "lazy" : "dense";
	char cmd[128];
	size_t n = ph == PH_INFER ? s->n_test : s->n;
	/* the same Adam mode in torch: SparseAdam is its lazy one */
	const char *tmode = mode == BANK_ADAM_LAZY ? "sparse" : "dense";
	snprintf(cmd, sizeof cmd, "train %zu %zu %zu %zu %zu %s %s", n, s->d, s->m, s->B,
		 s->depth, phase_name[ph], tmode);
	char ans[64];
	int have_ref = ref_cmd(b, ans, sizeof ans, "%s", cmd) == 0;
	/* PyTorch dense beside rnr lazy: the "lazy vs dense" figure */
	int have_dense = 0;
	double t_rnr[64], t_gemm[64], t_gemm_pm[64], t_ref[64];
	int nr = 0, ng = 0, nt = 0;
	job_step(j); /* first touch of the moments */
	gemm_ref_run(g, ph, 0);
	gemm_ref_run(g, ph, 1);
	for (int r = 0; r < b->reps; r++) {
		t_rnr[nr++] = run_steps(j, b->steps);
		double t0 = now();
		for (size_t i = 0; i < b->steps; i++)
			gemm_ref_run(g, ph, 0);
		double t1 = now();
		for (size_t i = 0; i < b->steps; i++)
			gemm_ref_run(g, ph, 1);
		t_gemm_pm[ng] = (now() - t1) / (double)b->steps;
		t_gemm[ng++] = (t1 - t0) / (double)b->steps;
		if (have_ref) {
			double t = ref_seconds(b, "steps %zu", b->steps);
			if (!isnan(t))
				t_ref[nt++] = t;
		}
	}
	/* BF16: the same job's step and the BF16 GEMM sequence, interleaved
	 * with an FP32 step and the per-model SGEMM sequence, in this run */
	double t_b[64], t_bg[64], t_f[64], t_sg[64];
	int nb = 0;
	double t_tb[64];
	int ntb = 0;
	if (ph == PH_JOINT && mode == BANK_ADAM_LAZY && bf16_kernel()) {
		/* and PyTorch's step under torch.autocast("cpu", bfloat16) */
		int have_tb = have_ref && ref_cmd(b, ans, sizeof ans, "%s bf16", cmd) == 0;
		nn_set_precision(NN_BF16);
		job_step(j);
		gemm_ref_run_prec(g, ph, 1, 1);
		for (int r = 0; r < b->reps; r++) {
			nn_set_precision(NN_FP32);
			t_f[nb] = run_steps(j, b->steps);
			nn_set_precision(NN_BF16);
			t_b[nb] = run_steps(j, b->steps);
			double t0 = now();
			for (size_t i = 0; i < b->steps; i++)
				gemm_ref_run_prec(g, ph, 1, 1);
			t_bg[nb] = (now() - t0) / (double)b->steps;
			t0 = now();
			for (size_t i = 0; i < b->steps; i++)
				gemm_ref_run_prec(g, ph, 1, 0);
			t_sg[nb++] = (now() - t0) / (double)b->steps;
			double t = have_tb ? ref_seconds(b, "steps %zu", b->steps) : NAN;
			if (!isnan(t))
				t_tb[ntb++] = t;
		}
		nn_set_precision(NN_FP32);
	}
	drop_job(j, bank, loss);
	double flops = gemm_ref_flops(s, ph);
	double tr = median(t_rnr, nr), tt = median(t_ref, nt);
	double tg_blas = median(t_gemm, ng), tg_pm = median(t_gemm_pm, ng);
	double tg = tg_blas < tg_pm ? tg_blas : tg_pm;
	char what[64], sub[64], ref[64], ratio[96];
	snprintf(what, sizeof what, "%s step %s (%s)", phase_name[ph], s->name, mname);
	snprintf(sub, sizeof sub, "%.4f s %.0f GF/s", tr, flops / tr * 1e-9);
	snprintf(ref, sizeof ref, "sgemm%s %.4f s %.0f GF/s", tg_blas <= tg_pm ? "" : "/pm", tg,
		 flops / tg * 1e-9);
	snprintf(ratio, sizeof ratio, "%.0f%% of sgemm", 100.0 * tg / tr);
	print_row(what, sub, ref, ratio);
	if (nt) {
		snprintf(ref, sizeof ref, "torch(%s) %.4f s", tmode, tt);
		snprintf(ratio, sizeof ratio, "%.2fx faster than torch", tt / tr);
		print_row("", "", ref, ratio);
	}
	if (nb) {
		double tb = median(t_b, nb), tbg = median(t_bg, nb), tf = median(t_f, nb);
		double tsg = median(t_sg, nb);
		snprintf(what, sizeof what, "%s step %s (%s, bf16)", phase_name[ph], s->name, mname);
		snprintf(sub, sizeof sub, "%.4f s %.0f GF/s", tb, flops / tb * 1e-9);
		snprintf(ref, sizeof ref, "fp32 step %.4f s", tf);
		snprintf(ratio, sizeof ratio, "%.2fx the fp32 step", tf / tb);
		print_row(what, sub, ref, ratio);
		snprintf(ref, sizeof ref, "bf16 gemm/pm %.4f s %.0f GF/s", tbg, flops / tbg * 1e-9);
		snprintf(ratio, sizeof ratio, "%.0f%% of bf16 gemm", 100.0 * tbg / tb);
		print_row("", "", ref, ratio);
		snprintf(ref, sizeof ref, "sgemm/pm %.4f s", tsg);
		snprintf(ratio, sizeof ratio, "bf16 gemm %.2fx sgemm", tsg / tbg);
		print_row("", "", ref, ratio);
		if (ntb) {
			double t = median(t_tb, ntb);
			snprintf(ref, sizeof ref, "torch(%s,bf16) %.4f s", tmode, t);
			snprintf(ratio, sizeof ratio, "bf16 %.2fx, fp32 %.2fx its speed", t / tb,
				 t / tf);
			print_row("", "", ref, ratio);
		}
	}
	if (ph != PH_WARMUP && mode == BANK_ADAM_LAZY && have_ref) {
		/* lazy rnr against dense torch, on torch's own repeats */
		snprintf(cmd, sizeof cmd, "train %zu %zu %zu %zu %zu %s dense", n, s->d, s->m, s->B,
			 s->depth, phase_name[ph]);
		if (ref_cmd(b, ans, sizeof ans, "%s", cmd) == 0) {
			double td[64];
			int nd = 0;
			for (int r = 0; r < b->reps; r++) {
				double t = ref_seconds(b, "steps %zu", b->steps);
				if (!isnan(t))
					td[nd++] = t;
			}
			have_dense = nd > 0;
			if (have_dense) {
				double t = median(td, nd);
				snprintf(ref, sizeof ref, "torch(dense) %.4f s", t);
				snprintf(ratio, sizeof ratio, "%.2fx faster than torch dense", t / tr);
				print_row("", "", ref, ratio);
			}
		}
	}
	ref_cmd(b, ans, sizeof ans, "free");
}

/* The train split and its MLPs (the test split is made later, when
 * with_test is 0, so that it is not in the training RSS). */
static void make_train_objs(struct train_objs *o, const struct shape *s, int with_test)
{
	o->train = make_cache("train", s->n, s->d, s->m, 10);
	o->test = with_test ? make_cache("test", s->n_test, s->d, s->m, 20) : NULL;
	size_t models[16];
	for (size_t k = 0; k < s->m; k++)
		models[k] = k;
	if (!(o->mlps = mlpset_new("dec", o->train, models, s->m, s->d, s->depth, s->d, 3)))
		die("mlps");
}

/* Peak RSS (KiB) of a child that builds the train objects and runs two
 * joint steps with dense bank Adam at BF16 (the most state); -1 if it
 * failed.  gemm_bf16's buffers (bf16 operands, oneDNN's scratchpads) are
 * the only added bytes. */
static long bf16_train_rss_kib(const struct shape *s)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct train_objs o;
		struct bank *bank;
		struct losshist *loss;
		nn_set_precision(NN_BF16);
		make_train_objs(&o, s, 0);
		struct job *j = make_job(&o, s, PH_JOINT, BANK_ADAM_DENSE, &bank, &loss);
		run_steps(j, 2);
		_exit(0);
	}
	int status;
	struct rusage ru;
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return ru.ru_maxrss;
}

static void section_train(struct bench *b, const struct shape *s)
{
	struct train_objs o;
	/* before this process holds anything: the child's peak is its own */
	long bf16_rss = bf16_kernel() ? bf16_train_rss_kib(s) : 0;
	make_train_objs(&o, s, 0);
	/* peak RSS of training alone, before the test split and the SGEMM
	 * buffers exist: a joint job with dense bank Adam (the most state) */
	{
		struct bank *bank;
		struct losshist *loss;
		struct job *j = make_job(&o, s, PH_JOINT, BANK_ADAM_DENSE, &bank, &loss);
		run_steps(j, 2);
		drop_job(j, bank, loss);
		double need = train_state_bytes(s), rss = (double)peak_rss_kib() * 1024.0;
		char what[64], sub[64], ref[64], ratio[64];
		snprintf(what, sizeof what, "training peak RSS %s", s->name);
		snprintf(sub, sizeof sub, "%.0f MiB", rss / 1048576.0);
		snprintf(ref, sizeof ref, "state %.0f MiB", need / 1048576.0);
		snprintf(ratio, sizeof ratio, "%.2fx the state", rss / need);
		print_row(what, sub, ref, ratio);
		if (bf16_rss) {
			rss = (double)bf16_rss * 1024.0;
			snprintf(what, sizeof what, "training peak RSS %s bf16", s->name);
			if (bf16_rss < 0)
				snprintf(sub, sizeof sub, "FAILED");
			else
				snprintf(sub, sizeof sub, "%.0f MiB", rss / 1048576.0);
			snprintf(ratio, sizeof ratio, "%.2fx the state", bf16_rss < 0 ? NAN : rss / need);
			print_row(what, sub, ref, ratio);
		}
	}
	o.test = make_cache("test", s->n_test, s->d, s->m, 20);
	struct gemm_ref g;
	gemm_ref_init(&g, s);
	bench_phase(b, &o, s, PH_WARMUP, BANK_ADAM_LAZY, &g);
	bench_phase(b, &o, s, PH_JOINT, BANK_ADAM_LAZY, &g);
	bench_phase(b, &o, s, PH_JOINT, BANK_ADAM_DENSE, &g);
	bench_phase(b, &o, s, PH_INFER, BANK_ADAM_LAZY, &g);
	bench_phase(b, &o, s, PH_INFER, BANK_ADAM_DENSE, &g);
	gemm_ref_free(&g);
}

/* ---- evaluation ---- */

static void section_knn(struct bench *b, const struct shape *s)
{
	struct cache *tr = make_cache("train", s->n, s->d, 1, 30);
	struct cache *te = make_cache("test", s->n_test, s->d, 1, 40);
	struct knn_opts opts;
	knn_opts_default(&opts);
	char ans[64];
	int have_ref = ref_cmd(b, ans, sizeof ans, "knn %zu %zu %zu %zu", s->n, s->n_test, s->d,
			       opts.k[0]) == 0;
	long before = peak_rss_kib();
	double t_rnr[64], t_ref[64];
	int nr = 0, nt = 0;
	for (int r = 0; r < b->reps; r++) {
		struct knn_result res;
		double t0 = now();
		if (knn_eval(&res, &tr->feat[0], tr->labels, 10, &te->feat[0], te->labels, &opts) < 0)
			die("knn");
		t_rnr[nr++] = now() - t0;
		if (have_ref) {
			double t = ref_seconds(b, "knnrun");
			if (!isnan(t))
				t_ref[nt++] = t;
		}
	}
	long after = peak_rss_kib();
	ref_cmd(b, ans, sizeof ans, "free");
	double tr_ = median(t_rnr, nr), tt = median(t_ref, nt);
	char what[64], sub[64], ref[64], ratio[96];
	snprintf(what, sizeof what, "knn %zux%zux%zu k=%zu", s->n_test, s->n, s->d, opts.k[0]);
	snprintf(sub, sizeof sub, "%.3f s +%.0f MiB", tr_,
		 (double)(after - before) / 1024.0);
	if (nt) {
		snprintf(ref, sizeof ref, "faiss %.3f s", tt);
		snprintf(ratio, sizeof ratio, "%.2fx faiss speed", tt / tr_);
	} else {
		snprintf(ref, sizeof ref, "-");
		snprintf(ratio, sizeof ratio, "-");
	}
	print_row(what, sub, ref, ratio);
	obj_free(&tr->base);
	obj_free(&te->base);
}

static void section_nnhist(struct bench *b, const struct shape *s)
{
	struct cache *tr = make_cache("train", s->n, s->d, 1, 30);
	struct cache *te = make_cache("test", s->n_test, s->d, 1, 40);
	float *ratio_v = malloc(s->n_test * sizeof *ratio_v);
	long before = peak_rss_kib();
	double t[64];
	int n = 0;
	for (int r = 0; r < b->reps; r++) {
		double mean, t0 = now();
		if (nnhist_ratios(ratio_v, &mean, &tr->feat[0], &te->feat[0]) < 0)
			die("nnhist");
		t[n++] = now() - t0;
	}
	long after = peak_rss_kib();
	char what[64], sub[64];
	snprintf(what, sizeof what, "nnhist %zux%zux%zu", s->n_test, s->n, s->d);
	snprintf(sub, sizeof sub, "%.3f s +%.0f MiB", median(t, n),
		 (double)(after - before) / 1024.0);
	print_row(what, sub, "-", "-");
	free(ratio_v);
	obj_free(&tr->base);
	obj_free(&te->base);
}

/* The spectrum's bench matrix: a learned-like decay, not i.i.d. entries
 * (whose flat Marchenko-Pastur bulk no representation has, and on which a
 * top-K iteration needs many blocks).  Column 0 is constant (the common
 * mean direction of non-negative features: sigma_1), column j >= 1 is
 * uniform noise of standard deviation 0.459 (j + 1)^-0.833: the power law
 * fitted to the row-normalised 12k concat (fmnist-ssl-12k.h5, 12000 x 512,
 * sigma_j / sigma_1 for j = 1..400; measured 0.260, 0.064, 0.0099, 0.0029
 * at j = 1, 10, 100, 400), continued to d columns.  Rows then normalised. */
static void fill_learned(struct mat *a, size_t n, size_t d, uint64_t seed)
{
	if (mat_init(a, n, d, "bench features") < 0)
		die("features");
	float *sd = malloc(d * sizeof *sd);
	if (!sd)
		die("features");
	for (size_t j = 1; j < d; j++)
		sd[j] = (float)(0.459 * sqrt(3.0) * pow((double)(j + 1), -0.833));
	struct rng r;
	rng_seed(&r, seed, 7);
	for (size_t i = 0; i < n; i++) {
		float *row = a->data + i * d;
		row[0] = 1.0f;
		for (size_t j = 1; j < d; j++)
			row[j] = rng_uniform(&r, -1.0f, 1.0f) * sd[j];
	}
	free(sd);
	size_t first;
	mat_normalize_rows(a, &first);
}

/* The top-10 relative error of sigma against numpy's */
static double top10_err(const double *sigma, const double *ref, size_t k)
{
	double worst = 0.0;
	for (size_t i = 0; i < 10 && i < k; i++) {
		double e = fabs(sigma[i] - ref[i]) / ref[i];
		worst = e > worst ? e : worst;
	}
	return worst;
}

static void section_spectrum(struct bench *b, const struct shape *s)
{
	struct mat a;
	fill_learned(&a, s->n, s->d, 50);
	char path[] = "/tmp/rnr-bench-XXXXXX";
	int fd = mkstemp(path);
	char ans[4096];
	int have_ref = 0;
	if (fd >= 0) {
		FILE *f = fdopen(fd, "wb");
		have_ref = fwrite(a.data, sizeof(float), s->n * s->d, f) == s->n * s->d;
		fclose(f);
		have_ref = have_ref && ref_cmd(b, ans, sizeof ans, "svd %s %zu %zu", path, s->n, s->d) == 0;
		unlink(path);
	}
	size_t k = s->n < s->d ? s->n : s->d;
	/* top=10 (the accuracy goal's values) and top=64 (the example) */
	size_t n_top[2] = { k < 10 ? k : 10, k < 64 ? k : 64 };
	double *sigma = malloc(k * sizeof *sigma), ref_sigma[10] = { 0 }, top[2][64];
	/* method=gram32, the opt-in float Gram: its values and its bound */
	double *sig32 = malloc(k * sizeof *sig32), t_g32[64];
	struct spectrum_top_info ti[2] = { { 0 } };
	enum spectrum_method used = SPECTRUM_AUTO;
	long before = peak_rss_kib();
	double t_rnr[64], t_ref[64], t_top[2][64];
	int nr = 0, nt = 0;
	for (int r = 0; r < b->reps; r++) {
		/* numpy first, then rnr's paths: each measured on the same load */
		if (have_ref && ref_cmd(b, ans, sizeof ans, "svdrun") == 0) {
			char *p = ans;
			t_ref[nt++] = strtod(p, &p);
			for (int i = 0; i < 10; i++)
				ref_sigma[i] = strtod(p, &p);
		}
		double t0 = now();
		if (spectrum_compute(sigma, &a, 1, SPECTRUM_AUTO, &used, NULL) < 0)
			die("spectrum");
		t_rnr[nr] = now() - t0;
		t0 = now();
		if (spectrum_compute(sig32, &a, 1, SPECTRUM_GRAM32, NULL, NULL) < 0)
			die("spectrum gram32");
		t_g32[nr] = now() - t0;
		for (int q = 0; q < 2; q++) {
			t0 = now();
			if (spectrum_top(top[q], n_top[q], &a, 1, SPECTRUM_AUTO, &ti[q], NULL) < 0)
				die("spectrum top");
			t_top[q][nr] = now() - t0;
		}
		nr++;
	}
	long after = peak_rss_kib();
	ref_cmd(b, ans, sizeof ans, "free");
	double tr_ = median(t_rnr, nr), tt = median(t_ref, nt);
	char what[64], sub[64], ref[64], ratio[128];
	snprintf(what, sizeof what, "spectrum %zux%zu (%s)", s->n, s->d,
		 spectrum_method_name(used));
	snprintf(sub, sizeof sub, "%.3f s +%.0f MiB", tr_,
		 (double)(after - before) / 1024.0);
	if (nt) {
		snprintf(ref, sizeof ref, "numpy svd %.3f s", tt);
		snprintf(ratio, sizeof ratio, "%.2fx numpy speed, top-10 rel err %.1e; "
			 "s10/s1 %.3f", tt / tr_, top10_err(sigma, ref_sigma, k),
			 k > 9 ? sigma[9] / sigma[0] : 0.0);
	} else {
		snprintf(ref, sizeof ref, "-");
		snprintf(ratio, sizeof ratio, "-");
	}
	print_row(what, sub, ref, ratio);
	/* gram32 against the double Gram of the same run: the largest relative
	 * difference over every value, and the largest bound it states */
	double f2 = 0.0, d32 = 0.0, b32 = 0.0, tg = median(t_g32, nr);
	for (size_t i = 0; i < k; i++)
		f2 += sigma[i] * sigma[i];
	for (size_t i = 0; i < k; i++) {
		double e = fabs(sig32[i] - sigma[i]) / sigma[i];
		double bd = spectrum_gram32_bound(sig32[0], sqrt(f2), sig32[i]);
		d32 = e > d32 ? e : d32;
		b32 = bd > b32 ? bd : b32;
	}
	snprintf(what, sizeof what, "spectrum method=gram32");
	snprintf(sub, sizeof sub, "%.3f s, %.2fx gram", tg, tr_ / tg);
	if (nt)
		snprintf(ratio, sizeof ratio, "%.2fx numpy speed, top-10 rel err %.1e; all vs "
			 "gram %.1e (bound %.1e)", tt / tg, top10_err(sig32, ref_sigma, k), d32,
			 b32);
	else
		snprintf(ratio, sizeof ratio, "all vs gram %.1e (bound %.1e)", d32, b32);
	print_row(what, sub, ref, ratio);
	for (int q = 0; q < 2; q++) {
		double tk = median(t_top[q], nr);
		snprintf(what, sizeof what, "spectrum top=%zu (%s)", n_top[q],
			 spectrum_method_name(ti[q].method));
		snprintf(sub, sizeof sub, "%.3f s %zu blocks of %zu", tk, ti[q].blocks,
			 ti[q].block);
		if (nt)
			snprintf(ratio, sizeof ratio, "%.2fx numpy speed, top-10 rel err %.1e; "
				 "bound %.1e", tt / tk,
				 top10_err(top[q], ref_sigma, n_top[q]), ti[q].bound);
		print_row(what, sub, ref, ratio);
	}
	free(sigma);
	free(sig32);
	mat_free(&a);
}

/* --profile PHASE MODE STEPS: only rnr's steps, for perf or callgrind. */
static void profile_steps(const struct shape *s, const char *ph_name, const char *mode,
			  size_t steps)
{
	enum phase ph = PH_WARMUP;
	while (ph < PH_INFER && strcmp(phase_name[ph], ph_name) != 0)
		ph++;
	struct train_objs o;
	make_train_objs(&o, s, ph == PH_INFER);
	struct bank *bank;
	struct losshist *loss;
	struct job *j = make_job(&o, s, ph, strcmp(mode, "dense") == 0 ? BANK_ADAM_DENSE
								       : BANK_ADAM_LAZY, &bank, &loss);
	job_step(j);
	if (getenv("RNR_BENCH_PROFILE_GEMM")) {
		/* interleaved with the SGEMM reference: a ratio on a noisy machine */
		struct gemm_ref g;
		gemm_ref_init(&g, s);
		for (size_t i = 0; i < steps; i++) {
			double t = run_steps(j, 1), t0 = now();
			gemm_ref_run(&g, ph, s->d < 512);
			double tg = now() - t0;
			printf("%.4f s/step, sgemm %.4f s: %.0f%%\n", t, tg, 100.0 * tg / t);
		}
		gemm_ref_free(&g);
	} else {
		double t = run_steps(j, steps);
		printf("%s %s %s: %.4f s/step, %.1f GFLOP/s\n", s->name, phase_name[ph], mode, t,
		       gemm_ref_flops(s, ph) / t * 1e-9);
	}
	drop_job(j, bank, loss);
}

/* Runs fn in a child and prints its peak RSS. */
static void in_child(struct bench *b, const struct shape *s,
		     void (*fn)(struct bench *, const struct shape *), const char *what)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		settings_apply(&b->set);
		fn(b, s);
		fflush(stdout);
		_exit(0);
	}
	int status;
	struct rusage ru;
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		printf("%s %s: FAILED\n", what, s->name);
		return;
	}
	printf("%-30s peak RSS %.0f MiB\n", "", (double)ru.ru_maxrss / 1024.0);
}

/* Is name one of the comma-separated words of list? */
static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		size_t w = strcspn(p, ",");
		if (w == n && strncmp(p, name, n) == 0)
			return 1;
		p += w + (p[w] == ',');
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench b = { .reps = 5, .threads = 2, .steps = 4 };
	int quick = getenv("RNR_BENCH_QUICK") && strcmp(getenv("RNR_BENCH_QUICK"), "0") != 0;
	int no_ref = 0, small_only = 0;
	const char *only = NULL; /* comma list of sections */
	const char *prof[3] = { NULL, NULL, NULL };
	settings_defaults(&b.set);
	if (getenv("RNR_THREADS"))
		b.threads = (int)b.set.threads;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			quick = 1;
		else if (strcmp(argv[i], "--no-ref") == 0)
			no_ref = 1;
		else if (strcmp(argv[i], "--profile") == 0 && i + 3 < argc) {
			prof[0] = argv[++i];
			prof[1] = argv[++i];
			prof[2] = argv[++i];
		} else if (strcmp(argv[i], "--small") == 0)
			small_only = 1;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--steps") == 0 && i + 1 < argc)
			b.steps = (size_t)atoi(argv[++i]);
		else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			b.reps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			b.threads = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: rnr-bench [--quick] [--reps R] [--steps S] [--threads T] [--no-ref]\n"
					"                 [--only small,train,knn,nnhist,spectrum]\n"
					"       rnr-bench [--quick|--small] --profile warmup|joint|infer lazy|dense STEPS\n");
			return 2;
		}
	}
	if (b.reps < 1 || b.reps > 64 || b.threads < 1 || b.threads > 256 || b.steps < 1) {
		fprintf(stderr, "rnr-bench: reps 1..64, threads 1..256, steps >= 1\n");
		return 2;
	}
	char t[16];
	snprintf(t, sizeof t, "%d", b.threads);
	if (settings_set(&b.set, "threads", t) < 0)
		die("threads");
	struct shape paper = { "d2048", 50000, 10000, 2048, 4, 256, 2 };
	struct shape small = { "d128", 10000, 2000, 128, 4, 256, 2 };
	if (quick) {
		paper.n = 8192;
		paper.n_test = 2048;
		paper.d = 1024;
		snprintf(paper.name, sizeof paper.name, "d1024");
		b.reps = b.reps > 3 ? 3 : b.reps;
	}
	if (prof[0]) {
		settings_apply(&b.set);
		profile_steps(small_only ? &small : &paper, prof[0], prof[1],
			      (size_t)atoi(prof[2]));
		return 0;
	}
	time_t now_t = time(NULL);
	char date[64];
	strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now_t));
	printf("# rnr-bench %s; threads %d; %d repeats (medians); %zu steps per timed run\n", date,
	       b.threads, b.reps, b.steps);
	printf("# OpenBLAS %s (core %s)\n", openblas_get_config(), openblas_get_corename());
	printf("# paper shape: n=%zu test=%zu d=%zu m=%zu B=%zu depth=%zu%s\n", paper.n,
	       paper.n_test, paper.d, paper.m, paper.B, paper.depth, quick ? " (QUICK)" : "");
	if (!no_ref)
		ref_start(&b);
	print_row("what", "rnr", "reference", "ratio");
	static const struct {
		const char *name;
		int small;
		void (*fn)(struct bench *, const struct shape *);
	} sections[] = {
		{ "small", 1, section_train }, { "train", 0, section_train },
		{ "knn", 0, section_knn },     { "nnhist", 0, section_nnhist },
		{ "spectrum", 0, section_spectrum },
	};
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		if (!only || in_list(only, sections[i].name))
			in_child(&b, sections[i].small ? &small : &paper, sections[i].fn,
				 sections[i].name);
	char ans[64];
	if (ref_cmd(&b, ans, sizeof ans, "rss") == 0)
		printf("# reference server peak RSS %.0f MiB\n", atof(ans) / 1024.0);
	if (b.to_ref) {
		fclose(b.to_ref);
		fclose(b.from_ref);
		wait(NULL);
	}
	return 0;
}
