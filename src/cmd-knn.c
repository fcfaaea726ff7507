/* cmd-knn.c - k-NN evaluation: `knn TRAIN TEST` and `compare PAIR...`,
 * both printing (and optionally keeping) a table of accuracies. */
#include "args.h"
#include "cmd-list.h"
#include "err.h"
#include "eval-knn.h"
#include "cmd-knn.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-confusion.h"
#include "obj-table.h"
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

/* Evaluates train against test and appends a row per k to t. */
static int eval_pair(struct session *s, const char *train_name, const char *test_name,
		     const struct knn_opts *o, struct knntable *t)
{
	struct bank *tr, *te;
	if (knn_cmd_banks(s, train_name, test_name, &tr, &te) < 0)
		return -1;
	struct knn_result r;
	if (knn_eval(&r, &tr->psi, tr->labels, tr->n_classes, &te->psi, te->labels, o) < 0)
		return -1;
	for (size_t i = 0; i < r.n_k; i++) {
		struct knn_row row = { (char *)train_name, (char *)test_name, r.k[i], r.n_test,
				       o->temperature, r.acc_majority[i], r.acc_weighted[i] };
		if (knntable_add(t, &row) < 0)
			return -1;
	}
	return 0;
}

/* Keeps t as `as NAME` when asked; frees it otherwise. */
static int keep(struct session *s, const struct args *a, struct knntable *t)
{
	if (!args_kw(a, "as")) {
		obj_free(&t->base);
		return 0;
	}
	if (ws_add(&s->ws, &t->base, 0) < 0) {
		obj_free(&t->base);
		return -1;
	}
	return 0;
}

/* Prints t, then keep(). */
static int finish(struct session *s, const struct args *a, struct knntable *t)
{
	knntable_print(t, s->out);
	return keep(s, a, t);
}

static struct knntable *new_table(struct session *s, const struct args *a)
{
	const char *as = args_kw(a, "as");
	if (as && ws_check_new_name(&s->ws, as) < 0)
		return NULL;
	return knntable_new(as ? as : "knn");
}

static int knn_exec(struct session *s, const struct args *a)
{
	struct knn_opts o;
	struct knntable *t;
	if (knn_cmd_opts(a, &o) < 0 || !(t = new_table(s, a)))
		return -1;
	if (eval_pair(s, a->pos[0], a->pos[1], &o, t) < 0) {
		obj_free(&t->base);
		return -1;
	}
	return finish(s, a, t);
}

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

/* `compare ... per_class=on`: a confusion matrix per pair, their per-class
 * accuracies side by side with the deltas from the first pair */
static int compare_per_class(struct session *s, const struct args *a, const struct knn_opts *o)
{
	static const char *const votes[] = { "majority", "weighted", NULL };
	int vote, rc = 0;
	if (args_choice(a, "vote", votes, 1, &vote) < 0)
		return -1;
	struct confusion *cm[ARGS_MAX] = { NULL };
	size_t n = 0;
	for (; n < a->n_pos; n++) {
		char pair[2 * WS_NAME_MAX];
		snprintf(pair, sizeof pair, "%s", a->pos[n]);
		*strchr(pair, '/') = '\0'; /* compare_exec checked every pair */
		cm[n] = knn_cmd_confusion(s, pair, pair + strlen(pair) + 1, o, vote,
					  args_str(a, "cache", NULL), "per_class");
		if (!cm[n]) {
			rc = -1;
			break;
		}
		if (cm[n]->n_classes != cm[0]->n_classes) {
			err_set("%s has %zu classes, %s has %zu: per-class deltas need the same "
				"classes", a->pos[n], cm[n]->n_classes, a->pos[0], cm[0]->n_classes);
			rc = -1;
			n++;
			break;
		}
	}
	if (rc == 0)
		knn_cmd_print_per_class(cm, n, s->out);
	for (size_t i = 0; i < n; i++)
		obj_free(&cm[i]->base);
	return rc;
}

static int compare_exec(struct session *s, const struct args *a)
{
	struct knn_opts o;
	struct knntable *t;
	int per_class;
	if (knn_cmd_opts(a, &o) < 0 || args_bool(a, "per_class", 0, &per_class) < 0 ||
	    !(t = new_table(s, a)))
		return -1;
	for (size_t i = 0; i < a->n_pos; i++) {
		char pair[2 * WS_NAME_MAX];
		snprintf(pair, sizeof pair, "%s", a->pos[i]);
		char *slash = strchr(pair, '/');
		if (!slash) {
			err_set("'%s': write each pair as TRAIN/TEST", a->pos[i]);
			obj_free(&t->base);
			return -1;
		}
		*slash = '\0';
		if (eval_pair(s, pair, slash + 1, &o, t) < 0) {
			obj_free(&t->base);
			return -1;
		}
	}
	/* per-class before the table is kept: a failure leaves no object */
	if (per_class) {
		knntable_print(t, s->out);
		if (compare_per_class(s, a, &o) < 0) {
			obj_free(&t->base);
			return -1;
		}
		return keep(s, a, t);
	}
	return finish(s, a, t);
}

#define KNN_HELP_OPTIONS \
	"Similarity is the cosine (banks are row-normalised).  k=20 by default;\n" \
	"k=10,20,200 scores several k from one top-k pass.  Both votes are\n" \
	"reported: majority (ties to the lowest class) and weighted (each neighbour\n" \
	"adds exp(sim/T) to its class, T=0.07).  preset=dino (k 20, T 0.07),\n" \
	"vissl (k 200, sigma 0.1) or moco (k 200, T 0.1).  Neighbours with equal\n" \
	"similarity are taken in train-row order.  Memory is bounded by blocks of\n" \
	"1024 test x 4096 train rows, never n_test x n_train.  Classes come from\n" \
	"the train labels.  `as NAME` keeps the table as an object."

const struct cmd cmd_knn = {
	.name = "knn",
	.usage = "knn TRAIN TEST [k=20] [T=0.07] [preset=dino|vissl|moco] [as NAME]",
	.summary = "k-NN accuracy of a test bank against a labelled train bank",
	.help = KNN_HELP_OPTIONS,
	.min_args = 2, .max_args = 2,
	.options = "k T preset",
	.keywords = "as",
	.complete = ARG_OBJECT,
	/* not CMD_READONLY: BLAS must not run beside a job's (unsafe in
	 * Debian's pthread OpenBLAS), and `as` adds a table */
	.exec = knn_exec,
};

const struct cmd cmd_compare = {
	.name = "compare",
	.usage = "compare TRAIN/TEST... [k=20] [T=0.07] [preset=NAME] [per_class=on] "
		 "[vote=weighted|majority] [cache=CACHE] [as NAME]",
	.summary = "k-NN accuracy table of several (train, test) bank pairs",
	.help = "Evaluates each pair as `knn` does and prints one table, like the paper's\n"
		"figures.  per_class=on adds each class's accuracy for every pair (at the\n"
		"first k, the weighted vote unless vote=majority) and its delta from the\n"
		"first pair: which classes a learned bank helps (class names as in\n"
		"`confusion`, cache=CACHE to choose them).\n" KNN_HELP_OPTIONS,
	.min_args = 1, .max_args = ARGS_MAX,
	.options = "k T preset per_class vote cache",
	.keywords = "as",
	.complete = ARG_OBJECT,
	/* not CMD_READONLY: BLAS must not run beside a job's (unsafe in
	 * Debian's pthread OpenBLAS), and `as` adds a table */
	.exec = compare_exec,
};
