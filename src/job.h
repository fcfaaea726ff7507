/* job.h - training and inference as a job that advances one step at a
 * time (Algorithm 1 of the paper).
 *
 * A train job optimises the MLPs of a decoder set against a cache, first
 * alone (warmup: the bank stays at its init) then jointly with the bank.
 * An infer job freezes the MLPs and optimises a new bank alone.  The job
 * owns its optimiser state and buffers, allocated once at creation: a step
 * never allocates.  It points at workspace objects, which it marks busy
 * while it is unfinished so they cannot be dropped under it. */
#ifndef RNR_JOB_H
#define RNR_JOB_H

#include <stdint.h>

#include "nn-adam.h"
#include "rng.h"

struct cache;
struct mlpset;
struct bank;
struct losshist;
struct rowsrc;

enum job_kind { JOB_TRAIN, JOB_INFER };

/* The ranges of a job's settings.  train and infer take their options in
 * them, and job_new() holds every job to them, so that a job read back
 * from a workspace file or checkpoint cannot carry a NaN learning rate or
 * a beta of 1 into training. */
#define JOB_EPOCHS_MAX 100000
#define JOB_BATCH_MAX (1u << 24)
#define JOB_LR_MIN 1e-12
#define JOB_LR_MAX 10.0
#define JOB_BETA1_MAX 0.999999
#define JOB_BETA2_MAX 0.99999999
#define JOB_EPS_MIN 1e-30
#define JOB_EPS_MAX 1.0
#define JOB_WD_MAX 1.0
enum bank_adam { BANK_ADAM_DENSE, BANK_ADAM_LAZY };

struct job_cfg {
	enum job_kind kind;
	size_t epochs, warmup;   /* warmup epochs train MLPs only (train jobs) */
	size_t batch;
	struct adam_hp mlp_hp;   /* lr, betas, eps, weight decay of the MLPs */
	struct adam_hp bank_hp;  /* same lr/betas/eps, no decay, nonneg option */
	enum bank_adam bank_adam;
	uint64_t seed;           /* epoch shuffles */
	/* A fixed batch order [epochs x n] instead of seeded shuffles, to
	 * replay a run made elsewhere (the PyTorch fixtures); NULL normally.
	 * Not owned: it must outlive the job. */
	const uint32_t *fixed_perm;
};

struct job {
	struct job_cfg cfg;
	struct cache *cache;
	struct mlpset *mlps;
	struct bank *bank;
	struct losshist *loss;
	size_t *model_of;        /* [m] cache index of MLP j's model */
	struct rowsrc *rows;     /* the targets: in place, or streamed (job-rows.h) */

	/* progress */
	size_t epoch, step;      /* current epoch; step within it */
	size_t steps_per_epoch;
	uint64_t mlp_t, bank_t;  /* Adam step counts */
	struct rng shuffle;
	uint32_t *perm;          /* [n] row order of the current epoch */
	/* MPI runs (par-mpi.h): this rank's bank rows [shard_lo, shard_hi);
	 * of each step's global batch it computes the rows in its shard, in
	 * batch order (idx_local: two slots of [B], this step's and the next
	 * step's, whose rows the stream prefetches, then [B] more: this
	 * step's counted from shard_lo); serially the shard is every row */
	size_t shard_lo, shard_hi;
	uint32_t *idx_local;
	int local_slot;          /* this step's slot of idx_local */
	uint64_t slot_key[2];    /* the step (from 1) whose rows a slot holds */
	size_t slot_b[2];        /* and how many */

	/* optimiser state */
	float *mlp_grad, *mlp_m, *mlp_v;   /* [n_params] (train jobs) */
	/* the bank's Adam state for the shard's rows (every row serially) */
	float *bank_m, *bank_v;            /* [(shard_hi - shard_lo) x d] */
	uint32_t *bank_row_t;              /* [shard_hi - shard_lo] lazy Adam counts */
	int32_t *row_pos;                  /* [n] batch position or -1 (dense) */

	/* per-step buffers */
	float *x;                /* [B x d] gathered bank rows */
	float *dx;               /* [B x d] gradient reaching the bank */
	float *dx_model;         /* [(m-1) x B x d] other models' share of it */
	float **acts;            /* [m] activations */
	float *dy;               /* [m x B x max d_j] */
	float *scratch;          /* MLP backward scratch */
	double *loss_model;      /* [m] */
	/* Per-model parallelism (small shapes): model k uses dy + k*dy_stride,
	 * scratch + k*scratch_stride and (k > 0) dx_model + (k-1)*B*d. */
	size_t dy_stride, scratch_stride;
};

/* A job over existing objects (the bank must already hold its init).
 * Checks shapes and that the MLPs fit the cache; -1/NULL with err_set(). */
struct job *job_new(const struct job_cfg *cfg, struct cache *c, struct mlpset *mlps,
		    struct bank *bank, struct losshist *loss);
void job_free(struct job *j);

/* -1 with err_set() giving the sizes when the memory cap (`set memory`,
 * mat.h) is below one batch of cfg over c and mlps with bank dim d (its
 * bank rows and targets); job_new() checks it too, callers may first. */
int job_check_batch_cap(const struct job_cfg *cfg, const struct cache *c,
			const struct mlpset *mlps, size_t d);

/* Advance one step.  Returns 1 when the job has finished, 0 otherwise,
 * -1 with err_set() when a streamed cache could not be read (the step is
 * not taken: the job is as it was, and may be stepped again).  Under MPI
 * every rank steps together (collective). */
int job_step(struct job *j);

/* Under MPI, give every rank the bank rows of every shard, so each holds
 * the whole bank as trained so far (collective; nothing serially). */
void job_sync_bank(struct job *j);

/* Wait for a streamed cache's prefetch in flight (its rows stay claimable
 * by the next step): before the job's thread uses HDF5 for anything else,
 * since the MPI build's parallel HDF5 is not thread-safe. */
void job_settle(struct job *j);

int job_done(const struct job *j);
int job_in_warmup(const struct job *j);

/* Mark the job's objects busy (1) or free (0). */
void job_hold(struct job *j, int hold);

#endif
