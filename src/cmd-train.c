/* cmd-train.c - the method's commands: train, infer, continue, cancel, stop.
 *
 * Both jobs start from the average of the cache's features (for the models
 * the MLP set decodes), run step by step (job-run.c) until done, Ctrl-C or
 * `stop`, and leave a stopped job in the session for `continue`.  With
 * checkpoint=FILE a job also writes itself to FILE (ws-file.h) when it
 * starts and every `every` epochs; `restore FILE` and `continue` resume it. */
#include "config.h"

#include "args.h"
#include "cmd-baseline.h"
#include "cmd-list.h"
#include "err.h"
#include "eval-baseline.h"
#include "job.h"
#include "job-run.h"
#include "obj-bank.h"
#include "obj-loss.h"
#include "obj-mlp.h"
#include "session.h"
#include "ws-file.h"

#include <stdlib.h>
#include <string.h>

/* The optimisation options shared by train and infer. */
static int parse_cfg(struct session *s, const struct args *a, struct job_cfg *cfg)
{
	static const char *const adam_modes[] = { "dense", "lazy", NULL };
	double lr, b1, b2, eps, wd;
	int mode, nonneg;
	if (args_size(a, "epochs", 50, 1, JOB_EPOCHS_MAX, &cfg->epochs) < 0 ||
	    args_size(a, "warmup", cfg->epochs / 2, 0, JOB_EPOCHS_MAX, &cfg->warmup) < 0 ||
	    args_size(a, "batch", 256, 1, JOB_BATCH_MAX, &cfg->batch) < 0 ||
	    args_double(a, "lr", 3e-4, JOB_LR_MIN, JOB_LR_MAX, &lr) < 0 ||
	    args_double(a, "beta1", 0.9, 0.0, JOB_BETA1_MAX, &b1) < 0 ||
	    args_double(a, "beta2", 0.999, 0.0, JOB_BETA2_MAX, &b2) < 0 ||
	    args_double(a, "eps", 1e-8, JOB_EPS_MIN, JOB_EPS_MAX, &eps) < 0 ||
	    args_double(a, "wd", 0.0, 0.0, JOB_WD_MAX, &wd) < 0 ||
	    args_choice(a, "adam", adam_modes, BANK_ADAM_LAZY, &mode) < 0 ||
	    args_bool(a, "nonneg", 0, &nonneg) < 0 ||
	    args_u64(a, "seed", s->set.seed, &cfg->seed) < 0)
		return -1;
	if (cfg->kind == JOB_INFER)
		cfg->warmup = 0;
	cfg->mlp_hp = (struct adam_hp){ lr, b1, b2, eps, wd, 0 };
	cfg->bank_hp = (struct adam_hp){ lr, b1, b2, eps, 0.0, nonneg };
	cfg->bank_adam = (enum bank_adam)mode;
	return 0;
}

static void note_cfg(struct obj *o, const char *what, const struct job_cfg *c,
		     const struct session *s)
{
	obj_set_note(o, "%s epochs=%zu warmup=%zu batch=%zu lr=%g beta1=%g beta2=%g eps=%g "
		     "wd=%g adam=%s nonneg=%s seed=%llu threads=%zu rnr=%s", what, c->epochs,
		     c->warmup, c->batch, c->mlp_hp.lr, c->mlp_hp.beta1, c->mlp_hp.beta2,
		     c->mlp_hp.eps, c->mlp_hp.weight_decay,
		     c->bank_adam == BANK_ADAM_LAZY ? "lazy" : "dense",
		     c->bank_hp.nonneg ? "on" : "off", (unsigned long long)c->seed,
		     s->set.threads, PACKAGE_VERSION);
}

/* The checkpoint options: *path NULL when there is none. */
static int parse_ckpt(const struct args *a, const char **path, size_t *every)
{
	*path = args_str(a, "checkpoint", NULL);
	if (args_size(a, "every", 1, 1, 100000, every) < 0)
		return -1;
	if (!*path && args_str(a, "every", NULL)) {
		err_set("every= needs checkpoint=FILE");
		return -1;
	}
	if (*path && !**path) {
		err_set("checkpoint=: empty file name");
		return -1;
	}
	return 0;
}

/* Makes the bank (average init) and loss history and the job over them,
 * and writes the first checkpoint when asked; adds them to the workspace
 * only when everything worked. */
static int start_job(struct session *s, const struct args *a, struct job_cfg *cfg,
		     const char *bank_name, const char *loss_name)
{
	struct cache *c = ws_get(&s->ws, a->pos[1], &cache_type);
	struct mlpset *set = ws_get(&s->ws, a->pos[0], &mlpset_type);
	const char *ckpt;
	size_t every;
	struct avg_spec init = { 0, AVG_INIT_PAD, 0 };
	if (!set || !c || parse_cfg(s, a, cfg) < 0 || parse_ckpt(a, &ckpt, &every) < 0 ||
	    baseline_parse_init(a, s->set.seed, &init) < 0)
		return -1;
	init.dim = set->shape[0].dim[0];
	if (s->job) {
		err_set("a stopped job on %s exists: `continue` or `cancel` it first",
			s->job->bank->base.name);
		return -1;
	}
	if (ws_check_new_name(&s->ws, bank_name) < 0 || ws_check_new_name(&s->ws, loss_name) < 0)
		return -1;
	size_t *idx = malloc(set->m * sizeof *idx);
	char *ckpt_copy = ckpt ? strdup(ckpt) : NULL;
	struct bank *bank = NULL;
	struct losshist *loss = NULL;
	struct job *j = NULL;
	if (!idx || (ckpt && !ckpt_copy)) {
		free(idx);
		free(ckpt_copy);
		err_nomem("model list", set->m * sizeof *idx);
		return -1;
	}
	if (mlpset_check_fit(set, c, set->shape[0].dim[0], idx) == 0 &&
	    job_check_batch_cap(cfg, c, set, set->shape[0].dim[0]) == 0 &&
	    (bank = baseline_average_to(c, bank_name, idx, set->m, &init)) &&
	    (loss = losshist_new(loss_name, set->m, set->model, (c->n + cfg->batch - 1) / cfg->batch,
				 cfg->warmup)))
		j = job_new(cfg, c, set, bank, loss);
	free(idx);
	/* the notes go into the first checkpoint; the MLP set's old one comes
	 * back if anything fails */
	char *set_note = NULL;
	int noted = j && cfg->kind == JOB_TRAIN;
	if (j) {
		char what[256];
		snprintf(what, sizeof what, "%s of %s with mlp %s:", cfg->kind == JOB_TRAIN ?
			 "trained bank" : "test-time bank", c->base.name, set->base.name);
		note_cfg(&bank->base, what, cfg, s);
	}
	if (noted) {
		set_note = set->base.note;
		set->base.note = NULL;
		note_cfg(&set->base, "trained with", cfg, s);
	}
	int rc = j ? 0 : -1;
	if (rc == 0 && ckpt && (rc = ws_file_checkpoint(ckpt, &s->set, j, every)) < 0)
		err_prefix("checkpoint=%s", ckpt);
	struct obj *made[2] = { bank ? &bank->base : NULL, loss ? &loss->base : NULL };
	if (rc == 0)
		rc = ws_add_all(&s->ws, made, 2, 0);
	if (rc < 0) {
		if (noted) {
			free(set->base.note);
			set->base.note = set_note;
		}
		free(ckpt_copy);
		job_free(j);
		obj_free(made[0]);
		obj_free(made[1]);
		return -1;
	}
	free(set_note);
	s->job = j;
	s->ckpt_path = ckpt_copy;
	s->ckpt_every = every;
	if (ckpt)
		fprintf(s->out, "checkpoints of %s every %zu epoch%s to %s (`restore %s` then "
			"`continue` resumes)\n", bank->base.name, every, every == 1 ? "" : "s",
			ckpt, ckpt);
	return jobrun_run(s);
}

static int train_exec(struct session *s, const struct args *a)
{
	struct job_cfg cfg = { .kind = JOB_TRAIN };
	const char *bank = args_str(a, "bank", "psi");
	char loss[WS_NAME_MAX + 8];
	snprintf(loss, sizeof loss, "%s.loss", bank);
	return start_job(s, a, &cfg, bank, args_str(a, "loss", loss));
}

static int infer_exec(struct session *s, const struct args *a)
{
	struct job_cfg cfg = { .kind = JOB_INFER };
	const char *bank = args_kw(a, "as");
	if (!bank) {
		err_set("name the new bank: usage: %s", a->cmd->usage);
		return -1;
	}
	char loss[WS_NAME_MAX + 8];
	snprintf(loss, sizeof loss, "%s.loss", bank);
	return start_job(s, a, &cfg, bank, args_str(a, "loss", loss));
}

static int continue_exec(struct session *s, const struct args *a)
{
	(void)a;
	if (!s->job) {
		err_set("no stopped job to continue");
		return -1;
	}
	return jobrun_run(s);
}

static int cancel_exec(struct session *s, const struct args *a)
{
	(void)a;
	if (!s->job) {
		err_set("no stopped job to cancel");
		return -1;
	}
	fprintf(s->out, "cancelled the job on %s at epoch %zu step %zu; its objects stay as they are\n",
		s->job->bank->base.name, s->job->epoch + 1, s->job->step);
	session_end_job(s);
	return 0;
}

#define JOB_OPTIONS "epochs batch lr beta1 beta2 eps adam nonneg seed loss checkpoint every " \
	"init proj_seed"

const struct cmd cmd_train = {
	.name = "train",
	.usage = "train MLP CACHE [bank=psi] [epochs=50] [warmup=25] [OPTION=VALUE...]",
	.summary = "Learn a bank and train its MLPs on a cache (the paper's method)",
	.help = "The bank starts at the average of CACHE's normalised features, in the\n"
		"MLPs' input dims (`mlp dim=`).\n" BASELINE_INIT_HELP "\n"
		"The first `warmup` epochs train only the MLPs; then MLPs and bank train\n"
		"jointly.  The loss is the mean over batch rows and models of\n"
		"1 - cos(mlp_j(psi_i), z_i^(j)).\n"
		"Adam: lr=3e-4 beta1=0.9 beta2=0.999 eps=1e-8; wd= adds L2 weight decay to\n"
		"the MLPs; adam=lazy|dense chooses the bank's Adam (dense moves every row\n"
		"each step like PyTorch on one Parameter; lazy, the default, moves only the batch rows);\n"
		"nonneg=on keeps the bank >= 0.  batch=256; seed= fixes the shuffles.\n"
		"Makes the bank and a loss history BANK.loss (loss= renames it).  Ctrl-C\n"
		"stops at a step boundary; `continue` resumes.  warmup defaults to half\n"
		"the epochs, as in the paper.  checkpoint=FILE writes the job (MLPs, bank,\n"
		"loss, optimiser state; not the cache) to FILE atomically when it starts\n"
		"and every `every` epochs (every=1); after a crash, load the cache, then\n"
		"`restore FILE` and `continue` finish it bit for bit as it would have.",
	.min_args = 2, .max_args = 2,
	.options = JOB_OPTIONS " warmup wd bank",
	.complete = ARG_OBJECT,
	.exec = train_exec,
};

const struct cmd cmd_infer = {
	.name = "infer",
	.usage = "infer MLP CACHE as NAME [epochs=50] [OPTION=VALUE...]",
	.summary = "Test-time optimisation: a new bank for CACHE through frozen MLPs",
	.help = "The MLPs stay fixed; a bank for CACHE starts at its average and is\n"
		"optimised alone with the loss and options of `train` (init= and proj_seed=\n"
		"as there: give the same as to train).  CACHE may come from\n"
		"another dataset if its models and dims match the MLPs (transfer MLPs).",
	.min_args = 2, .max_args = 2,
	.options = JOB_OPTIONS,
	.keywords = "as",
	.complete = ARG_OBJECT,
	.exec = infer_exec,
};

const struct cmd cmd_continue = {
	.name = "continue",
	.usage = "continue",
	.summary = "Resume the stopped train or infer job",
	.min_args = 0, .max_args = 0,
	.exec = continue_exec,
};

/* Runs on the UI thread while the worker steps the job: it only raises the
 * job's stop flag, which the job reads at its next step boundary. */
static int stop_exec(struct session *s, const struct args *a)
{
	(void)a;
	if (!s->live || !atomic_load_explicit(&s->live->running, memory_order_acquire)) {
		if (s->job)
			err_set("the job on %s is already stopped: `continue` resumes it, "
				"`cancel` ends it", s->job->bank->base.name);
		else
			err_set("no job is running");
		return -1;
	}
	atomic_store_explicit(&s->live->stop, 1, memory_order_relaxed);
	fputs("stopping the job at its next step\n", s->out);
	return 0;
}

const struct cmd cmd_stop = {
	.name = "stop",
	.usage = "stop",
	.summary = "Stop the running job at its next step (full-screen UI)",
	.help = "In the full-screen UI a job runs while the prompt stays live; `stop` (or\n"
		"Ctrl-C) ends its loop at the next step boundary with every object kept,\n"
		"as Ctrl-C does at the plain prompt.  `continue` resumes the job, `cancel`\n"
		"ends it.",
	.min_args = 0, .max_args = 0,
	/* changes no object: allowed while the job runs */
	.flags = CMD_READONLY,
	.exec = stop_exec,
};

const struct cmd cmd_cancel = {
	.name = "cancel",
	.usage = "cancel",
	.summary = "End the stopped job, keeping its bank, MLPs and loss as they are",
	.min_args = 0, .max_args = 0,
	.exec = cancel_exec,
};
