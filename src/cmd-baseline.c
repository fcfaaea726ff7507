/* cmd-baseline.c - the baseline banks: avg, concat, single. */
#include "cmd-baseline.h"
#include "cmd-list.h"
#include "err.h"
#include "eval-baseline.h"
#include "session.h"

#include <stdlib.h>

/* Adds b (if made) to the workspace under its name; reports it. */
static int add_bank(struct session *s, struct bank *b)
{
	if (!b)
		return -1;
	if (ws_add(&s->ws, &b->base, 0) < 0) {
		obj_free(&b->base);
		return -1;
	}
	fprintf(s->out, "%s: bank %zu x %zu (%s)\n", b->base.name, b->psi.rows, b->psi.cols,
		b->base.note ? b->base.note : "");
	return 0;
}

/* The name of the new bank: `as NAME`, checked and free. */
static const char *target_name(struct session *s, const struct args *a)
{
	const char *as = args_kw(a, "as");
	if (!as) {
		err_set("name the new bank: usage: %s", a->cmd->usage);
		return NULL;
	}
	return ws_check_new_name(&s->ws, as) < 0 ? NULL : as;
}

int baseline_parse_init(const struct args *a, uint64_t seed, struct avg_spec *spec)
{
	static const char *const inits[] = { "pad", "proj", NULL };
	int init;
	if (args_choice(a, "init", inits, AVG_INIT_PROJ, &init) < 0 ||
	    args_u64(a, "proj_seed", seed, &spec->seed) < 0)
		return -1;
	spec->init = (enum avg_init)init;
	return 0;
}

static int avg_exec(struct session *s, const struct args *a)
{
	struct cache *c = ws_get(&s->ws, a->pos[0], &cache_type);
	const char *as = target_name(s, a);
	struct avg_spec spec = { 0, AVG_INIT_PAD, 0 };
	if (!c || !as || baseline_parse_init(a, s->set.seed, &spec) < 0 ||
	    args_size(a, "dim", 0, 0, 1 << 20, &spec.dim) < 0)
		return -1;
	size_t *idx = malloc(c->m * sizeof *idx), k;
	if (!idx) {
		err_nomem("model list", c->m * sizeof *idx);
		return -1;
	}
	int rc = cache_select_models(c, args_str(a, "models", NULL), idx, &k);
	if (rc == 0)
		rc = add_bank(s, baseline_average_to(c, as, idx, k, &spec));
	free(idx);
	return rc;
}

static int concat_exec(struct session *s, const struct args *a)
{
	struct cache *c = ws_get(&s->ws, a->pos[0], &cache_type);
	const char *as = target_name(s, a);
	if (!c || !as)
		return -1;
	return add_bank(s, baseline_concat(c, as));
}

static int single_exec(struct session *s, const struct args *a)
{
	struct cache *c = ws_get(&s->ws, a->pos[0], &cache_type);
	const char *as = target_name(s, a);
	if (!c || !as)
		return -1;
	return add_bank(s, baseline_single(c, a->pos[1], as));
}

const struct cmd cmd_avg = {
	.name = "avg",
	.usage = "avg CACHE [models=A,B,...] [dim=D] [init=proj|pad] [proj_seed=S] as NAME",
	.summary = "Bank of the average of the normalised features (the paper's baseline)",
	.help = "psi_i = normalise(sum_j z_i^(j)), over all models or those listed.  This\n"
		"is also the initial bank of `train` and `infer`.  The bank has dim=D dims\n"
		"(default: the largest model dim).\n" BASELINE_INIT_HELP "\n"
		"The bank keeps the labels of CACHE.",
	.min_args = 1, .max_args = 1,
	.options = "models dim init proj_seed",
	.keywords = "as",
	.complete = ARG_OBJECT,
	.exec = avg_exec,
};

const struct cmd cmd_concat = {
	.name = "concat",
	.usage = "concat CACHE as NAME",
	.summary = "Bank of the concatenated normalised features",
	.help = "psi_i = normalise([z_i^(1), ..., z_i^(m)]): dims add up.",
	.min_args = 1, .max_args = 1,
	.keywords = "as",
	.complete = ARG_OBJECT,
	.exec = concat_exec,
};

const struct cmd cmd_single = {
	.name = "single",
	.usage = "single CACHE MODEL as NAME",
	.summary = "Bank of one model's normalised features",
	.min_args = 2, .max_args = 2,
	.keywords = "as",
	.complete = ARG_OBJECT,
	.exec = single_exec,
};
