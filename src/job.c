/* job.c - one step of training or inference (see job.h).
 *
 * A step of a batch of b rows with indices idx (a slice of this epoch's
 * permutation), for every model k with MLP phi_k and targets Z_k:
 *   x      = psi[idx]                         gather    [b x d]
 *   y_k    = phi_k(x)                         forward   [b x d_k]
 *   loss   = 1/(b m) sum_k sum_r 1 - cos(y_k[r], Z_k[idx[r]])
 *   dy_k   = dloss/dy_k;  backprop into the MLP gradient (train) and into
 *   dx    += dloss/dx (when the bank moves)
 * then Adam on the MLP block and on the bank rows (dense or lazy). */
#include "job.h"
#include "err.h"
#include "job-rows.h"
#include "mat.h"
#include "nn-bf16.h"
#include "nn-cosine.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-loss.h"
#include "obj-mlp.h"
#include "par.h"
#include "par-mpi.h"

#include <cblas.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static size_t max_out_dim(const struct mlpset *s)
{
	size_t d = 0;
	for (size_t k = 0; k < s->m; k++)
		if (s->shape[k].dim[s->shape[k].depth] > d)
			d = s->shape[k].dim[s->shape[k].depth];
	return d;
}

/* lo <= v <= hi, false for NaN; the message is the options' own */
static int check_range(const char *name, double v, double lo, double hi)
{
	if (v >= lo && v <= hi)
		return 0;
	err_set("%s=%.10g: out of range %.10g..%.10g", name, v, lo, hi);
	return -1;
}

static int check_adam(const struct adam_hp *hp)
{
	return check_range("lr", hp->lr, JOB_LR_MIN, JOB_LR_MAX) < 0 ||
	       check_range("beta1", hp->beta1, 0.0, JOB_BETA1_MAX) < 0 ||
	       check_range("beta2", hp->beta2, 0.0, JOB_BETA2_MAX) < 0 ||
	       check_range("eps", hp->eps, JOB_EPS_MIN, JOB_EPS_MAX) < 0 ||
	       check_range("wd", hp->weight_decay, 0.0, JOB_WD_MAX) < 0 ? -1 : 0;
}

static int check_cfg(const struct job_cfg *cfg, const struct cache *c)
{
	if (cfg->epochs == 0 || cfg->epochs > JOB_EPOCHS_MAX) {
		err_set("epochs=%zu: out of range 1..%d", cfg->epochs, JOB_EPOCHS_MAX);
		return -1;
	}
	if (check_adam(&cfg->mlp_hp) < 0 || check_adam(&cfg->bank_hp) < 0)
		return -1;
	if (cfg->kind == JOB_TRAIN && cfg->warmup > cfg->epochs) {
		err_set("warmup=%zu exceeds epochs=%zu", cfg->warmup, cfg->epochs);
		return -1;
	}
	if (cfg->batch == 0 || cfg->batch > c->n) {
		err_set("batch=%zu: must be 1..%zu (the rows of %s)", cfg->batch, c->n, c->base.name);
		return -1;
	}
	if (c->n > UINT32_MAX) {
		err_set("%s: more than 2^32 rows", c->base.name);
		return -1;
	}
	return 0;
}

/* Allocates every buffer of the job at once; -1 with err_set(). */
static int job_alloc(struct job *j)
{
	size_t n = j->cache->n, d = j->bank->psi.cols, B = j->cfg.batch, m = j->mlps->m;
	size_t rows = j->shard_hi - j->shard_lo; /* the bank moments: this rank's shard */
	size_t n_params = j->mlps->offset[m], scratch = 0;
	int train = j->cfg.kind == JOB_TRAIN;
	for (size_t k = 0; k < m; k++) {
		size_t s = mlp_scratch_count(&j->mlps->shape[k], B);
		if (s > scratch)
			scratch = s;
	}
	/* the job's blocks together, so a job that cannot fit is refused
	 * with its whole size before any block is taken */
	double floats = (train ? 3.0 * (double)n_params : 0.0) + 2.0 * (double)rows * (double)d +
			(double)(m + 1) * (double)B * (double)d +
			(double)m * ((double)B * (double)max_out_dim(j->mlps) + (double)scratch);
	for (size_t k = 0; k < m; k++)
		floats += (double)mlp_act_count(&j->mlps->shape[k], B);
	double bytes = floats * sizeof(float);
	if (mat_check_bytes(bytes < (double)SIZE_MAX ? (size_t)bytes : SIZE_MAX,
			    "the job's bank moments, batch and MLP buffers") < 0)
		return -1;
	j->model_of = calloc(m, sizeof *j->model_of);
	j->perm = calloc(n, sizeof *j->perm);
	j->bank_row_t = calloc(rows, sizeof *j->bank_row_t);
	j->row_pos = malloc(n * sizeof *j->row_pos);
	j->idx_local = malloc(3 * B * sizeof *j->idx_local);
	j->acts = calloc(m, sizeof *j->acts);
	j->loss_model = calloc(m, sizeof *j->loss_model);
	if (!j->model_of || !j->perm || !j->bank_row_t || !j->row_pos || !j->idx_local ||
	    !j->acts || !j->loss_model) {
		err_nomem("job tables", n * 16);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		j->row_pos[i] = -1;
	j->dy_stride = B * max_out_dim(j->mlps);
	j->scratch_stride = scratch;
	if (train && (!(j->mlp_grad = mat_alloc_floats(n_params, "MLP gradient")) ||
		      !(j->mlp_m = mat_alloc_floats(n_params, "MLP Adam moments")) ||
		      !(j->mlp_v = mat_alloc_floats(n_params, "MLP Adam moments"))))
		return -1;
	if (!(j->bank_m = mat_alloc_floats(rows * d, "bank Adam moments")) ||
	    !(j->bank_v = mat_alloc_floats(rows * d, "bank Adam moments")) ||
	    !(j->x = mat_alloc_floats(B * d, "batch")) ||
	    !(j->dx = mat_alloc_floats(B * d, "batch gradient")) ||
	    !(j->dx_model = mat_alloc_floats((m > 1 ? m - 1 : 1) * B * d, "batch gradient")) ||
	    !(j->dy = mat_alloc_floats(m * j->dy_stride, "output gradient")) ||
	    !(j->scratch = mat_alloc_floats(m * scratch, "MLP scratch")))
		return -1;
	for (size_t k = 0; k < m; k++)
		if (!(j->acts[k] = mat_alloc_floats(mlp_act_count(&j->mlps->shape[k], B),
						    "MLP activations")))
			return -1;
	return losshist_reserve(j->loss, j->cfg.epochs * j->steps_per_epoch);
}

int job_check_batch_cap(const struct job_cfg *cfg, const struct cache *c,
			const struct mlpset *mlps, size_t d)
{
	size_t cap = mat_memory_cap(), floats = d;
	if (!cap)
		return 0;
	for (size_t k = 0; k < mlps->m; k++) /* = the targets' dims (mlpset_check_fit) */
		floats += mlps->shape[k].dim[mlps->shape[k].depth];
	double bytes = (double)cfg->batch * (double)floats * sizeof(float);
	if (bytes <= (double)cap)
		return 0;
	err_set("the memory cap (set memory) of %.1f MiB is smaller than one batch of %s: "
		"%zu rows x %zu floats (bank rows and targets) = %.1f MiB; raise the cap or "
		"lower batch=", (double)cap / (1 << 20), c->base.name, cfg->batch, floats,
		bytes / (1 << 20));
	return -1;
}

struct job *job_new(const struct job_cfg *cfg, struct cache *c, struct mlpset *mlps,
		    struct bank *bank, struct losshist *loss)
{
	if (check_cfg(cfg, c) < 0)
		return NULL;
	if (bank->psi.rows != c->n) {
		err_set("bank %s has %zu rows, cache %s has %zu", bank->base.name,
			bank->psi.rows, c->base.name, c->n);
		return NULL;
	}
	/* uneven shards are fine (they differ by a row at most: par-mpi.h);
	 * a rank without a row is not */
	if (ranks_size() > c->n) {
		err_set("%zu MPI ranks for the %zu rows of %s: at most one rank per row",
			ranks_size(), c->n, c->base.name);
		return NULL;
	}
	struct job *j = calloc(1, sizeof *j);
	if (!j)
		return err_nomem("job", sizeof *j);
	ranks_shard(c->n, &j->shard_lo, &j->shard_hi);
	j->cfg = *cfg;
	j->cache = c;
	j->mlps = mlps;
	j->bank = bank;
	j->loss = loss;
	j->steps_per_epoch = (c->n + cfg->batch - 1) / cfg->batch;
	rng_seed(&j->shuffle, cfg->seed, 2);
	if (job_check_batch_cap(cfg, c, mlps, bank->psi.cols) < 0 || job_alloc(j) < 0 ||
	    mlpset_check_fit(mlps, c, bank->psi.cols, j->model_of) < 0 ||
	    !(j->rows = rowsrc_new(c, j->model_of, mlps->m, cfg->batch))) {
		job_free(j);
		return NULL;
	}
	return j;
}

void job_free(struct job *j)
{
	if (!j)
		return;
	job_hold(j, 0);
	rowsrc_free(j->rows);
	if (j->acts)
		for (size_t k = 0; k < j->mlps->m; k++)
			mat_free_floats(j->acts[k]);
	free(j->acts);
	free(j->model_of);
	free(j->perm);
	free(j->bank_row_t);
	free(j->row_pos);
	free(j->idx_local);
	free(j->loss_model);
	mat_free_floats(j->mlp_grad);
	mat_free_floats(j->mlp_m);
	mat_free_floats(j->mlp_v);
	mat_free_floats(j->bank_m);
	mat_free_floats(j->bank_v);
	mat_free_floats(j->x);
	mat_free_floats(j->dx);
	mat_free_floats(j->dx_model);
	mat_free_floats(j->dy);
	mat_free_floats(j->scratch);
	free(j);
}

void job_hold(struct job *j, int hold)
{
	struct obj *o[] = { &j->cache->base, &j->mlps->base, &j->bank->base, &j->loss->base };
	for (size_t i = 0; i < 4; i++)
		o[i]->busy = hold;
}

int job_done(const struct job *j)
{
	return j->epoch >= j->cfg.epochs;
}

int job_in_warmup(const struct job *j)
{
	return j->cfg.kind == JOB_TRAIN && j->epoch < j->cfg.warmup;
}

static void start_epoch(struct job *j)
{
	size_t n = j->cache->n;
	if (j->cfg.fixed_perm) {
		memcpy(j->perm, j->cfg.fixed_perm + j->epoch * n, n * sizeof *j->perm);
		return;
	}
	for (size_t i = 0; i < n; i++)
		j->perm[i] = (uint32_t)i;
	rng_shuffle(&j->shuffle, j->perm, n);
}

/* How the models of a step share the threads: in parallel on rnr's
 * threads, each model's GEMMs with single-threaded BLAS (per-model), or
 * one model at a time with BLAS threads.  Per-model when the models split
 * evenly over the threads (m a multiple of them), or when a model's
 * largest GEMM has fewer multiply-adds than this, too few for BLAS threads
 * to pay.  Measured with bench/rnr-bench (bench/README), 2 threads, m = 4,
 * B = 256: at d = 2048 per-model steps ran at 94-96% of the same-run
 * SGEMM rate against 46-56% with BLAS threads (a loaded machine, where
 * BLAS threads wait on each other; 76-93% on a quiet one). */
#ifndef PER_MODEL_MAX_MACS /* -D for a bench/rnr-bench comparison */
#define PER_MODEL_MAX_MACS ((size_t)1 << 24)
#endif

struct step_ctx {
	struct job *j;
	const uint32_t *idx;
	size_t b;                /* this rank's rows of the batch */
	size_t b_global;         /* the batch's rows on every rank together */
	int train_mlps, move_bank, per_model;
	int adam_inside;         /* MLP Adam in the model's thread (one rank) */
};

/* Forward, loss and backward of model k on the gathered batch x: its
 * gradient reaches the MLP block (overwritten) and, when the bank moves,
 * dx (model 0, or every model when they run one after the other: added
 * inside the last GEMM) or its own dx_model slice (per-model). */
static void step_model(struct step_ctx *c, size_t k)
{
	struct job *j = c->j;
	const struct mlpset *s = j->mlps;
	size_t b = c->b, d = j->bank->psi.cols;
	const struct mlp_shape *sh = &s->shape[k];
	const float *params = s->params + s->offset[k];
	const uint32_t *zidx;
	const float *z = rowsrc_targets(j->rows, k, c->idx, &zidx);
	size_t dz = j->cache->feat[j->model_of[k]].cols;
	size_t slot = c->per_model ? k : 0;
	float *dy = j->dy + slot * j->dy_stride, *scratch = j->scratch + slot * j->scratch_stride;
	mlp_forward(j->acts[k], params, sh, j->x, b);
	const float *y = mlp_output(j->acts[k], sh, b);
	double loss = cosine_loss(dy, y, z, zidx, b, dz, 1.0f / (float)(c->b_global * s->m));
	j->loss_model[k] = loss / (double)c->b_global;
	float *din = NULL;
	int flags = MLP_BACK_SET_DPARAMS;
	if (c->move_bank && (k == 0 || !c->per_model))
		din = j->dx;
	else if (c->move_bank)
		din = j->dx_model + (k - 1) * j->cfg.batch * d;
	if (k > 0 && !c->per_model)
		flags |= MLP_BACK_ADD_DIN;
	mlp_backward_ex(din, c->train_mlps ? j->mlp_grad + s->offset[k] : NULL, scratch, params,
			sh, j->x, j->acts[k], dy, b, flags);
	/* Adam is per element: on this model's block, in this model's thread,
	 * while its gradient is still in cache; the same bits as one flat pass */
	if (c->adam_inside && c->train_mlps) {
		size_t o = s->offset[k];
		adam_step(s->params + o, j->mlp_grad + o, j->mlp_m + o, j->mlp_v + o,
			  s->offset[k + 1] - o, &j->cfg.mlp_hp, j->mlp_t);
	}
}

static void step_model_range(void *ctx, size_t lo, size_t hi, size_t chunk)
{
	(void)chunk;
	for (size_t k = lo; k < hi; k++)
		step_model(ctx, k);
}

static size_t largest_gemm_macs(const struct mlp_shape *sh, size_t b)
{
	size_t w = 0;
	for (size_t l = 0; l < sh->depth; l++)
		if (sh->dim[l] * sh->dim[l + 1] > w)
			w = sh->dim[l] * sh->dim[l + 1];
	return w * b;
}

/* Every model of the step on this rank's b of the batch's b_global rows;
 * 1 if the models ran in parallel, each with its own MLP Adam step done
 * (never with several ranks: their gradients are summed first).  Per-model parallelism when the GEMMs are too
 * small for BLAS threads to pay: the bank gradient is then summed from the
 * models' slices in model order, so the bits depend only on the thread
 * count (which picks the path), never on scheduling. */
static int step_models(struct job *j, const uint32_t *idx, size_t b, size_t b_global,
		       int train_mlps, int move_bank)
{
	const struct mlpset *s = j->mlps;
	size_t macs = 0, threads = par_threads();
	for (size_t k = 0; k < s->m; k++)
		if (largest_gemm_macs(&s->shape[k], b) > macs)
			macs = largest_gemm_macs(&s->shape[k], b);
	struct step_ctx c = { j, idx, b, b_global, train_mlps, move_bank,
			      threads > 1 && s->m > 1 &&
			      (s->m % threads == 0 || macs < PER_MODEL_MAX_MACS), 0 };
	c.adam_inside = c.per_model && ranks_size() == 1;
	if (!c.per_model) {
		step_model_range(&c, 0, s->m, 0);
		return 0;
	}
	/* an OpenBLAS call inside rnr's threads must not start threads of its own */
	int blas_threads = openblas_get_num_threads();
	openblas_set_num_threads(1);
	par_for(s->m, 1, 1, step_model_range, &c);
	openblas_set_num_threads(blas_threads);
	if (move_bank) {
		size_t n = b * j->bank->psi.cols;
		for (size_t k = 1; k < s->m; k++) {
			const float *src = j->dx_model + (k - 1) * j->cfg.batch * j->bank->psi.cols;
			for (size_t i = 0; i < n; i++)
				j->dx[i] += src[i];
		}
	}
	return c.adam_inside;
}

/* Adam on this rank's shard of the bank, whose moments and step counts
 * are the shard's (row lo is their row 0); idx the batch rows in it, rel
 * the same counted from lo. */
static void step_bank(struct job *j, const uint32_t *idx, const uint32_t *rel, size_t b)
{
	struct mat *psi = &j->bank->psi;
	size_t d = psi->cols, lo = j->shard_lo;
	if (j->cfg.bank_adam == BANK_ADAM_LAZY) {
		adam_bank_lazy(psi->data + lo * d, j->bank_m, j->bank_v, j->bank_row_t, d, j->dx,
			       rel, b, &j->cfg.bank_hp);
		return;
	}
	/* the dense step moves every row of the shard */
	for (size_t r = 0; r < b; r++)
		j->row_pos[idx[r]] = (int32_t)r;
	adam_bank_dense(psi->data + lo * d, j->bank_m, j->bank_v, j->shard_hi - lo, d, j->dx,
			j->row_pos + lo, &j->cfg.bank_hp, ++j->bank_t);
	for (size_t r = 0; r < b; r++)
		j->row_pos[idx[r]] = -1;
}

/* This rank's rows of the global batch idx[0..*b), in batch order: the
 * batch itself on one rank, else the rows of its shard (*b shrinks), in
 * local slot `slot` (two, so that the next batch's rows can wait for
 * their prefetch while this batch runs), tagged with key (the step's
 * number from 1): when the slot holds that key already (the rows were
 * prefetched) it is not written again, the prefetch thread reads it.
 * *rel (when not NULL) gets them counted from the shard's first row. */
static const uint32_t *local_batch(struct job *j, const uint32_t *idx, size_t *b, int slot,
				   uint64_t key, const uint32_t **rel)
{
	if (rel)
		*rel = idx;
	if (ranks_size() == 1)
		return idx;
	uint32_t *local = j->idx_local + (size_t)slot * j->cfg.batch;
	uint32_t *from_lo = j->idx_local + 2 * j->cfg.batch;
	if (j->slot_key[slot] != key) {
		size_t k = 0;
		for (size_t r = 0; r < *b; r++)
			if (idx[r] >= j->shard_lo && idx[r] < j->shard_hi)
				local[k++] = idx[r];
		j->slot_key[slot] = key;
		j->slot_b[slot] = k;
	}
	*b = j->slot_b[slot];
	for (size_t r = 0; rel && r < *b; r++)
		from_lo[r] = local[r] - (uint32_t)j->shard_lo;
	if (rel)
		*rel = from_lo;
	return local;
}

/* The rows of the next global batch that this rank will read, read ahead
 * by the stream's prefetch thread: the permutation is every rank's, so a
 * rank knows its next rows now.  Not across an epoch (the next order is
 * drawn when it starts), nor where MPI calls must stay on one thread. */
static void prefetch_next(struct job *j, size_t next, int slot, uint64_t key)
{
	size_t n = j->cache->n, B = j->cfg.batch;
	if (next >= n || (ranks_size() > 1 && !ranks_threads_ok()))
		return;
	size_t b = n - next < B ? n - next : B;
	const uint32_t *idx = local_batch(j, j->perm + next, &b, slot, key, NULL);
	rowsrc_prefetch(j->rows, idx, b);
}

void job_settle(struct job *j)
{
	rowsrc_settle(j->rows);
}

void job_sync_bank(struct job *j)
{
	if (ranks_size() > 1)
		ranks_allgather_rows(j->bank->psi.data, j->bank->psi.rows, j->bank->psi.cols);
}

int job_step(struct job *j)
{
	if (job_done(j))
		return 1;
	struct rng shuffle = j->shuffle;
	if (j->step == 0)
		start_epoch(j);
	size_t n = j->cache->n, d = j->bank->psi.cols, m = j->mlps->m, B = j->cfg.batch;
	size_t start = j->step * B;
	size_t b_global = n - start < B ? n - start : B, b = b_global;
	uint64_t key = (uint64_t)j->epoch * j->steps_per_epoch + j->step + 1;
	if (j->step == 0)
		j->slot_key[0] = j->slot_key[1] = 0; /* a new order */
	const uint32_t *rel, *idx = local_batch(j, j->perm + start, &b, j->local_slot, key, &rel);
	int train_mlps = j->cfg.kind == JOB_TRAIN;
	int move_bank = !job_in_warmup(j);

	/* the targets; a streamed cache reads the next batch meanwhile */
	if (rowsrc_fetch(j->rows, idx, b) < 0) {
		j->shuffle = shuffle; /* the epoch starts again on the next try */
		err_prefix("epoch %zu, step %zu", j->epoch + 1, j->step + 1);
		return -1;
	}
	prefetch_next(j, start + b_global, j->local_slot ^ 1, key + 1);

	for (size_t r = 0; r < b; r++)
		memcpy(j->x + r * d, mat_row(&j->bank->psi, idx[r]), d * sizeof *j->x);
	if (train_mlps)
		j->mlp_t++;
	int adam_done = 0;
	if (b > 0) {
		adam_done = step_models(j, idx, b, b_global, train_mlps, move_bank);
	} else {
		/* a rank without rows in this batch adds nothing to the sums */
		if (train_mlps)
			memset(j->mlp_grad, 0, j->mlps->offset[m] * sizeof *j->mlp_grad);
		memset(j->loss_model, 0, m * sizeof *j->loss_model);
	}
	/* the step's one gradient exchange: every rank's MLPs stay the same */
	if (ranks_size() > 1) {
		if (train_mlps)
			ranks_sum_floats(j->mlp_grad, j->mlps->offset[m]);
		ranks_sum_doubles(j->loss_model, m);
	}
	if (!adam_done && train_mlps)
		adam_step(j->mlps->params, j->mlp_grad, j->mlp_m, j->mlp_v, j->mlps->offset[m],
			  &j->cfg.mlp_hp, j->mlp_t);
	if (move_bank)
		step_bank(j, idx, rel, b);
	/* what the saved objects record (obj.h): the step ran at this one */
	const char *prec = nn_precision_name(nn_precision());
	if (train_mlps)
		obj_mark_precision(&j->mlps->base, prec);
	if (move_bank)
		obj_mark_precision(&j->bank->base, prec);

	double total = 0.0;
	for (size_t k = 0; k < m; k++)
		total += j->loss_model[k];
	losshist_push(j->loss, total / (double)m, j->loss_model);
	j->local_slot ^= 1;
	if (++j->step == j->steps_per_epoch) {
		j->step = 0;
		j->epoch++;
	}
	return job_done(j);
}
