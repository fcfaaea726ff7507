/* cmd-confusion.c - per-class k-NN results: `confusion TRAIN TEST` (the
 * per-class accuracies and the confusion matrix of one pair, kept as an
 * object) and the per-class table of `compare ... per_class=on`. */
#include "args.h"
#include "cmd-knn.h"
#include "cmd-knn-opts.h"
#include "cmd-list.h"
#include "err.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-confusion.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>

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
