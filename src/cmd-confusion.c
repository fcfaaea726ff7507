/* cmd-confusion.c - per-class k-NN results: `confusion TRAIN TEST` (the
 * per-class accuracies and the confusion matrix of one pair, kept as an
 * object) and the per-class table of `compare ... per_class=on`. */
#include "args.h"
#include "cmd-confusion.h"
#include "cmd-knn-opts.h"
#include "cmd-list.h"
#include "err.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-confusion.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>

struct confusion *knn_cmd_confusion(struct session *s, const char *train, const char *test,
				    const struct knn_opts *o, int weighted, const char *cache,
				    const char *name)
{
	struct bank *tr, *te;
	int err;
	if (knn_cmd_banks(s, train, test, &tr, &te) < 0)
		return NULL;
	struct cache *c = knn_cmd_cache_of(s, te->labels, te->psi.rows, cache, &err);
	if (err < 0)
		return NULL;
	struct knn_opts one = *o;
	one.n_k = 1;
	size_t n = te->psi.rows;
	size_t *pred = malloc(n * sizeof *pred);
	if (!pred)
		return err_nomem("predictions", n * sizeof *pred);
	struct knn_result r;
	struct confusion *cm = NULL;
	if (knn_eval_predict(&r, &tr->psi, tr->labels, tr->n_classes, &te->psi, te->labels, &one,
			     weighted ? NULL : pred, weighted ? pred : NULL) == 0 &&
	    (cm = confusion_new(name, train, test, tr->n_classes,
				knn_cmd_class_names(c, tr->n_classes)))) {
		confusion_add(cm, te->labels, pred, n);
		cm->k = r.k_used[0];
		cm->temperature = o->temperature;
		cm->weighted = weighted;
		obj_set_note(&cm->base, "confusion %s %s: k=%zu T=%g vote=%s%s%s", train, test,
			     r.k_used[0], o->temperature, weighted ? "weighted" : "majority",
			     c ? ", class names from " : "", c ? c->base.name : "");
	}
	free(pred);
	return cm;
}

static double class_acc(const struct confusion *c, size_t i)
{
	int64_t t = confusion_class_total(c, i);
	return t ? 100.0 * (double)confusion_class_correct(c, i) / (double)t : 0.0;
}

void knn_cmd_print_per_class(struct confusion *const *c, size_t n, FILE *out)
{
	const struct confusion *named = c[0];
	for (size_t j = 0; j < n; j++)
		if (c[j]->class_names) {
			named = c[j];
			break;
		}
	fprintf(out, "per class (k=%zu, %s vote): accuracy; delta from %s -> %s\n", c[0]->k,
		c[0]->weighted ? "weighted" : "majority", c[0]->train, c[0]->test);
	int w[ARGS_MAX];
	fprintf(out, "%-18s", "class");
	for (size_t j = 0; j < n && j < ARGS_MAX; j++) {
		char h[512];
		snprintf(h, sizeof h, "%s->%s", c[j]->train, c[j]->test);
		w[j] = (int)strlen(h) < 8 ? 8 : (int)strlen(h);
		fprintf(out, " %*s", w[j], h);
		if (j > 0)
			fprintf(out, " %7s", "delta");
	}
	fputc('\n', out);
	for (size_t i = 0; i < c[0]->n_classes; i++) {
		char lab[64];
		confusion_class_label(named, i, lab, sizeof lab);
		fprintf(out, "%-18.17s", lab);
		for (size_t j = 0; j < n && j < ARGS_MAX; j++) {
			fprintf(out, " %*.2f", w[j], class_acc(c[j], i));
			if (j > 0)
				fprintf(out, " %+7.2f", class_acc(c[j], i) - class_acc(c[0], i));
		}
		fputc('\n', out);
	}
}

static int confusion_exec(struct session *s, const struct args *a)
{
	static const char *const votes[] = { "majority", "weighted", NULL };
	struct knn_opts o;
	int vote;
	const char *as = args_kw(a, "as");
	if (knn_cmd_opts(a, &o) < 0 || args_choice(a, "vote", votes, 1, &vote) < 0)
		return -1;
	if (o.n_k > 1) {
		err_set("confusion takes one k (k=%zu,...): run it once per k", o.k[0]);
		return -1;
	}
	if (as && ws_check_new_name(&s->ws, as) < 0)
		return -1;
	struct confusion *cm = knn_cmd_confusion(s, a->pos[0], a->pos[1], &o, vote,
						 args_str(a, "cache", NULL),
						 as ? as : "confusion");
	if (!cm)
		return -1;
	confusion_print(cm, s->out);
	if (!as) {
		obj_free(&cm->base);
		return 0;
	}
	if (ws_add(&s->ws, &cm->base, 0) < 0) {
		obj_free(&cm->base);
		return -1;
	}
	return 0;
}

const struct cmd cmd_confusion = {
	.name = "confusion",
	.usage = "confusion TRAIN TEST [k=20] [T=0.07] [preset=NAME] [vote=weighted|majority] "
		 "[cache=CACHE] [as NAME]",
	.summary = "Per-class k-NN accuracy and the confusion matrix of a bank pair",
	.help = "Classifies every test row as `knn` does (cosine, one k, the weighted vote\n"
		"unless vote=majority) and prints each class's rows, correct rows and\n"
		"accuracy, then the confusion matrix: one row per true class, one column\n"
		"per predicted class, the diagonal in brackets, '.' for 0 (drawn up to 32\n"
		"classes).  Class names come from the class_names attribute of the cache\n"
		"holding the test bank's labels (the first such cache in the workspace,\n"
		"or cache=CACHE).  `as NAME` keeps the matrix: `export NAME to FILE.csv`\n"
		"writes one row per true class (class, name, rows, correct, accuracy,\n"
		"pred_0..), .h5 the object (count int64 [classes, classes]), .npy the\n"
		"counts.  `compare ... per_class=on` shows per-class deltas.",
	.min_args = 2, .max_args = 2,
	.options = "k T preset vote cache",
	.keywords = "as",
	.complete = ARG_OBJECT,
	/* not CMD_READONLY: BLAS, and `as` adds an object */
	.exec = confusion_exec,
};
