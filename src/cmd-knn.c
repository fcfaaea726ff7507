/* cmd-knn.c - k-NN evaluation: `knn TRAIN TEST` and `compare PAIR...`,
 * both printing (and optionally keeping) a table of accuracies. */
#include "args.h"
#include "cmd-list.h"
#include "err.h"
#include "eval-knn.h"
#include "cmd-knn.h"
#include "cmd-knn-opts.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-confusion.h"
#include "obj-table.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>

/* One side of a pair: a bank, or CACHE:MODEL (streamed or not). */
struct side {
	const char *name;
	const struct mat *m;      /* the rows, NULL for a streamed cache */
	const struct cache *c;    /* a cache's, or NULL */
	size_t model;
	const int64_t *labels;
	size_t n_classes;
	const char *note;
	struct mat copy;          /* a streamed test side read whole */
};

static int read_model_rows(void *ctx, size_t i0, size_t nr, float *out)
{
	const struct side *sd = ctx;
	return cache_read_block(sd->c, sd->model, i0, nr, out);
}

static int get_side(struct session *s, const char *name, struct side *sd)
{
	memset(sd, 0, sizeof *sd);
	sd->name = name;
	const char *colon = strchr(name, ':');
	if (!colon) {
		struct bank *b = ws_get(&s->ws, name, &bank_type);
		if (!b)
			return -1;
		*sd = (struct side){ name, &b->psi, NULL, 0, b->labels, b->n_classes,
				     b->base.note, { 0, 0, NULL } };
		return 0;
	}
	char cname[WS_NAME_MAX];
	snprintf(cname, sizeof cname, "%.*s", (int)(colon - name), name);
	const struct cache *c = ws_get(&s->ws, cname, &cache_type);
	if (!c)
		return -1;
	long j = cache_model_index(c, colon + 1);
	if (j < 0) {
		err_set("cache %s has no model '%s'", cname, colon + 1);
		return -1;
	}
	*sd = (struct side){ name, c->stream ? NULL : &c->feat[j], c, (size_t)j, c->labels,
			     c->n_classes, c->base.note, { 0, 0, NULL } };
	return 0;
}

static size_t side_cols(const struct side *sd)
{
	return sd->m ? sd->m->cols : sd->c->feat[sd->model].cols;
}

/* Evaluates train against test and appends a row per k to t.  A streamed
 * train side is read in tiles (knn_eval_rows); a streamed test side, as
 * small as test sets are, is read whole. */
static int eval_pair(struct session *s, const char *train_name, const char *test_name,
		     const struct knn_opts *o, struct knntable *t)
{
	struct side tr, te;
	if (get_side(s, train_name, &tr) < 0 || get_side(s, test_name, &te) < 0)
		return -1;
	if (!tr.labels || !te.labels) {
		const struct side *b = tr.labels ? &te : &tr;
		/* the note names the cache it came from, the one loaded without labels */
		err_set("%s has no labels (%s): k-NN accuracy needs labels on both %s",
			b->name, b->note ? b->note : "made without",
			tr.c || te.c ? "sides" : "banks");
		return -1;
	}
	if (side_cols(&tr) != side_cols(&te)) {
		err_set("%s has %zu dims, %s has %zu", train_name, side_cols(&tr), test_name,
			side_cols(&te));
		return -1;
	}
	if (!te.m) {
		if (mat_init(&te.copy, te.c->n, side_cols(&te), "the streamed test rows") < 0)
			return -1;
		if (cache_read_block(te.c, te.model, 0, te.c->n, te.copy.data) < 0) {
			mat_free(&te.copy);
			return -1;
		}
		te.m = &te.copy;
	}
	struct knn_result r;
	struct knn_rows rows = { tr.c ? tr.c->n : 0, side_cols(&tr), read_model_rows, &tr };
	int rc = tr.m ? knn_eval(&r, tr.m, tr.labels, tr.n_classes, te.m, te.labels, o)
		      : knn_eval_rows(&r, &rows, tr.labels, tr.n_classes, te.m, te.labels, o);
	if (te.copy.data)
		mat_free(&te.copy);
	if (rc < 0)
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
	"the train labels.  `as NAME` keeps the table as an object.  A side may\n" \
	"also be CACHE:MODEL, one model of a cache; of a streamed cache (`load ...\n" \
	"stream`) the train rows are read a tile at a time, the same table."

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
