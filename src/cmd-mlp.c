/* cmd-mlp.c - `mlp`: a new set of decoder MLPs for the models of a cache. */
#include "args.h"
#include "cmd-list.h"
#include "err.h"
#include "eval-baseline.h"
#include "obj-cache.h"
#include "obj-mlp.h"
#include "session.h"

#include <stdlib.h>

static int mlp_exec(struct session *s, const struct args *a)
{
	struct cache *c = ws_get(&s->ws, a->pos[0], &cache_type);
	const char *as = args_kw(a, "as");
	size_t depth, width, dim, k;
	uint64_t seed;
	if (!c)
		return -1;
	if (!as) {
		err_set("name the new MLP set: usage: %s", a->cmd->usage);
		return -1;
	}
	if (ws_check_new_name(&s->ws, as) < 0 ||
	    args_size(a, "depth", 2, 1, MLP_MAX_DEPTH, &depth) < 0 ||
	    args_size(a, "width", 0, 0, 1 << 20, &width) < 0 ||
	    args_size(a, "dim", 0, 0, 1 << 20, &dim) < 0 ||
	    args_u64(a, "seed", s->set.seed, &seed) < 0)
		return -1;
	size_t *idx = malloc(c->m * sizeof *idx);
	if (!idx) {
		err_nomem("model list", c->m * sizeof *idx);
		return -1;
	}
	struct mlpset *set = NULL;
	if (cache_select_models(c, args_str(a, "models", NULL), idx, &k) == 0)
		set = mlpset_new(as, c, idx, k, dim ? dim : baseline_max_dim(c, idx, k), depth,
				 width, seed);
	free(idx);
	if (!set)
		return -1;
	obj_set_note(&set->base, "mlp for %s: dim=%zu depth=%zu width=%zu seed=%llu",
		     c->base.name, set->shape[0].dim[0], depth,
		     width ? width : set->shape[0].dim[depth], (unsigned long long)seed);
	if (ws_add(&s->ws, &set->base, 0) < 0) {
		obj_free(&set->base);
		return -1;
	}
	fprintf(s->out, "%s: %zu MLPs of depth %zu, %zu parameters\n", as, set->m, depth,
		set->offset[set->m]);
	return 0;
}

const struct cmd cmd_mlp = {
	.name = "mlp",
	.usage = "mlp CACHE [models=A,B] [depth=2] [width=W] [dim=D] [seed=S] as NAME",
	.summary = "Make a set of decoder MLPs, one per model of a cache",
	.help = "Each MLP maps a bank row of dim=D dims (default: the largest model dim,\n"
		"so models of different dims can share one bank) to one model's\n"
		"features through depth layers of Linear + ReLU, ReLU after the last layer\n"
		"too (the targets are post-ReLU features).  Hidden width defaults to the\n"
		"model's d.  Weights and biases start uniform in +-1/sqrt(fan_in) (PyTorch's\n"
		"nn.Linear) from seed (default: `get seed`).  A set can be saved, loaded and\n"
		"used on any cache with the same models and dims (the paper's transfer MLPs).",
	.min_args = 1, .max_args = 1,
	.options = "models depth width dim seed",
	.keywords = "as",
	.complete = ARG_OBJECT,
	.exec = mlp_exec,
};
