/* cmd-subset.c - `subset`: a stratified cut of a cache (first rows of each
 * class, in file order), the way data/ was made. */
#include "args.h"
#include "cmd-list.h"
#include "err.h"
#include "obj-cache.h"
#include "session.h"

#include <stdlib.h>

/* Indices of the first per_class rows of each class after skipping skip
 * rows of that class, in file order. */
static size_t *stratified_rows(const struct cache *c, size_t per_class, size_t skip,
			       size_t *k)
{
	size_t *seen = calloc(c->n_classes, sizeof *seen);
	size_t *idx = malloc((c->n ? c->n : 1) * sizeof *idx);
	if (!seen || !idx) {
		free(seen);
		free(idx);
		return err_nomem("subset rows", c->n * sizeof *idx);
	}
	*k = 0;
	for (size_t i = 0; i < c->n; i++) {
		size_t y = (size_t)c->labels[i];
		size_t rank = seen[y]++;
		if (rank >= skip && rank < skip + per_class)
			idx[(*k)++] = i;
	}
	for (size_t y = 0; y < c->n_classes; y++)
		if (seen[y] < skip + per_class) {
			err_set("%s: class %zu has %zu rows, fewer than skip+per_class = %zu",
				c->base.name, y, seen[y], skip + per_class);
			free(seen);
			free(idx);
			return NULL;
		}
	free(seen);
	return idx;
}

static int subset_exec(struct session *s, const struct args *a)
{
	const char *as = args_kw(a, "as");
	struct cache *c = ws_get(&s->ws, a->pos[0], &cache_type);
	size_t per_class, skip;
	if (!c || args_size(a, "per_class", 0, 1, SIZE_MAX, &per_class) < 0 ||
	    args_size(a, "skip", 0, 0, SIZE_MAX, &skip) < 0)
		return -1;
	if (!as || !per_class) {
		err_set("usage: %s", a->cmd->usage);
		return -1;
	}
	if (!c->labels) {
		err_set("%s has no labels to stratify by", c->base.name);
		return -1;
	}
	if (ws_check_new_name(&s->ws, as) < 0)
		return -1;
	size_t k = 0;
	size_t *idx = stratified_rows(c, per_class, skip, &k);
	if (!idx)
		return -1;
	struct cache *sub = cache_take_rows(c, as, idx, k);
	free(idx);
	if (!sub)
		return -1;
	obj_set_note(&sub->base, "subset of %s: rows %zu..%zu of each class in file order",
		     c->base.name, skip, skip + per_class - 1);
	if (ws_add(&s->ws, &sub->base, 0) < 0) {
		obj_free(&sub->base);
		return -1;
	}
	fprintf(s->out, "%s: %zu rows (%zu per class)\n", as, k, per_class);
	return 0;
}

const struct cmd cmd_subset = {
	.name = "subset",
	.usage = "subset CACHE per_class=N [skip=K] as NAME",
	.summary = "Cut a stratified subset of a cache",
	.help = "Takes rows skip..skip+N-1 of every class, in file order, into a new\n"
		"cache NAME with the same models, labels and attributes.  data/ was cut\n"
		"from the full Fashion-MNIST cache this way.",
	.min_args = 1, .max_args = 1,
	.options = "per_class skip",
	.keywords = "as",
	.complete = ARG_OBJECT,
	.exec = subset_exec,
};
