/* cmd-knn-opts.c - what the k-NN commands share (see cmd-knn-opts.h). */
#include "cmd-knn-opts.h"
#include "args.h"
#include "err.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>

/* k=20 or k=10,20,200 into o. */
static int parse_k_list(const char *v, struct knn_opts *o)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", v);
	o->n_k = 0;
	for (char *p = strtok(buf, ","); p; p = strtok(NULL, ",")) {
		if (o->n_k == KNN_MAX_K) {
			err_set("k=%s: at most %d values", v, KNN_MAX_K);
			return -1;
		}
		if (parse_size("k", p, 1, 1u << 20, &o->k[o->n_k++]) < 0)
			return -1;
	}
	if (o->n_k == 0) {
		err_set("k=%s: give one or more values, e.g. k=20 or k=10,20,200", v);
		return -1;
	}
	return 0;
}

int knn_cmd_opts(const struct args *a, struct knn_opts *o)
{
	knn_opts_default(o);
	/* cosine similarity: learned banks are not unit rows, so knn_eval
	 * normalises every row on the fly (no copy of either bank) */
	o->normalize = 1;
	const char *preset = args_str(a, "preset", NULL), *k = args_str(a, "k", NULL);
	if (preset && knn_preset(o, preset) < 0)
		return -1;
	if (k && parse_k_list(k, o) < 0)
		return -1;
	return args_double(a, "T", o->temperature, 1e-6, 1e6, &o->temperature);
}

int knn_cmd_banks(struct session *s, const char *train_name, const char *test_name,
		  struct bank **trp, struct bank **tep)
{
	struct bank *tr = ws_get(&s->ws, train_name, &bank_type);
	struct bank *te = tr ? ws_get(&s->ws, test_name, &bank_type) : NULL;
	if (!tr || !te)
		return -1;
	if (!tr->labels || !te->labels) {
		const struct bank *b = tr->labels ? te : tr;
		/* the note names the cache it came from, the one loaded without labels */
		err_set("%s has no labels (%s): k-NN accuracy needs labels on both banks",
			b->base.name, b->base.note ? b->base.note : "made without");
		return -1;
	}
	if (tr->psi.cols != te->psi.cols) {
		err_set("%s has %zu dims, %s has %zu", tr->base.name, tr->psi.cols,
			te->base.name, te->psi.cols);
		return -1;
	}
	*trp = tr;
	*tep = te;
	return 0;
}

static int same_labels(const struct cache *c, const int64_t *labels, size_t n)
{
	return c->labels && c->n == n && memcmp(c->labels, labels, n * sizeof *labels) == 0;
}

struct cache *knn_cmd_cache_of(struct session *s, const int64_t *labels, size_t n,
			       const char *given, int *err)
{
	*err = 0;
	if (given) {
		struct cache *c = ws_get(&s->ws, given, &cache_type);
		if (c && !same_labels(c, labels, n)) {
			err_set("cache %s (%zu rows) does not hold the labels of these %zu rows",
				given, c->n, n);
			c = NULL;
		}
		*err = c ? 0 : -1;
		return c;
	}
	for (size_t i = 0; i < s->ws.n; i++) {
		struct cache *c = s->ws.obj[i]->type == &cache_type ?
			(struct cache *)s->ws.obj[i] : NULL;
		if (c && same_labels(c, labels, n))
			return c;
	}
	return NULL;
}

char *const *knn_cmd_class_names(const struct cache *c, size_t n)
{
	const struct attr *at = c ? h5_attr_find(c->attr, c->n_attr, "class_names") : NULL;
	return at && at->n == n ? at->v : NULL;
}
