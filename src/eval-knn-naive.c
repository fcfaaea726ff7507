/* eval-knn-naive.c - the naive k-NN oracle (eval-knn.h): every
 * similarity in double, a full sort per test row, the same argument
 * checks, re-ranking dot product and result as the blocked path, so the
 * two agree to the bit where the blocked path's float ordering is not at
 * a tie.  tests/test-knn and bench/knn-reference compare against it. */
#include "eval-knn-int.h"
#include "err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the naive oracle -------------------------------------------------- */

static int nb_cmp_best_first(const void *pa, const void *pb)
{
	const struct knn_nb *a = pa, *b = pb;
	if (a->sim != b->sim)
		return a->sim > b->sim ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* all [n_train] neighbours of x [d], best first, from double dot products */
static void naive_sorted(struct knn_nb *all, const struct mat *train, const float *x)
{
	for (size_t j = 0; j < train->rows; j++) {
		all[j].idx = j;
		all[j].sim = knn_dot_d(x, mat_row(train, j), 1.0f, train->cols);
	}
	qsort(all, train->rows, sizeof *all, nb_cmp_best_first);
}

int knn_topk_naive(struct knn_nb *nb, size_t k, const struct mat *train,
	const float *test_row)
{
	if (k == 0 || train->rows == 0) {
		err_set("k-NN naive top-k: k (%zu) and train rows (%zu) must be >= 1",
			k, train->rows);
		return -1;
	}
	struct knn_nb *all = malloc(train->rows * sizeof *all);
	if (!all) {
		err_nomem("k-NN naive top-k scratch", train->rows * sizeof *all);
		return -1;
	}
	naive_sorted(all, train, test_row);
	size_t kc = k < train->rows ? k : train->rows;
	for (size_t i = 0; i < kc; i++) {
		nb[i].idx = all[i].idx;
		nb[i].sim = all[i].sim;
	}
	free(all);
	return 0;
}

/* argmax over all classes, ties to the lowest class */
static size_t argmax_d(const double *v, size_t n)
{
	size_t best = 0;
	for (size_t c = 1; c < n; c++)
		if (v[c] > v[best])
			best = c;
	return best;
}

int knn_eval_naive(struct knn_result *res, const struct mat *train,
	const int64_t *train_labels, size_t n_classes, const struct mat *test,
	const int64_t *test_labels, const struct knn_opts *o)
{
	if (knn_check_args(train, train_labels, n_classes, test, test_labels, o) < 0)
		return -1;
	if (o->normalize) { /* the oracle normalises copies, the plain way */
		struct mat trn, ten;
		size_t zero;
		if (mat_copy(&trn, train, "normalised train rows") < 0)
			return -1;
		if (mat_copy(&ten, test, "normalised test rows") < 0) {
			mat_free(&trn);
			return -1;
		}
		mat_normalize_rows(&trn, &zero);
		mat_normalize_rows(&ten, &zero);
		struct knn_opts plain = *o;
		plain.normalize = 0;
		int rc = knn_eval_naive(res, &trn, train_labels, n_classes, &ten, test_labels,
					&plain);
		mat_free(&trn);
		mat_free(&ten);
		return rc;
	}
	size_t n_train = train->rows, n_test = test->rows;
	struct knn_nb *all = malloc(n_train * sizeof *all);
	double *votes = malloc(n_classes * sizeof *votes);
	if (!all || !votes) {
		free(all);
		free(votes);
		err_set("k-NN naive: out of memory: needs %zu bytes",
			n_train * sizeof *all + n_classes * sizeof *votes);
		return -1;
	}
	size_t ok_maj[KNN_MAX_K] = { 0 }, ok_wtd[KNN_MAX_K] = { 0 };
	for (size_t i = 0; i < n_test; i++) {
		naive_sorted(all, train, mat_row(test, i));
		size_t truth = (size_t)test_labels[i];
		for (size_t q = 0; q < o->n_k; q++) {
			size_t k = o->k[q] < n_train ? o->k[q] : n_train;
			for (size_t c = 0; c < n_classes; c++)
				votes[c] = 0.0;
			for (size_t j = 0; j < k; j++)
				votes[train_labels[all[j].idx]] += 1.0;
			ok_maj[q] += argmax_d(votes, n_classes) == truth;
			for (size_t c = 0; c < n_classes; c++)
				votes[c] = 0.0;
			for (size_t j = 0; j < k; j++)
				votes[train_labels[all[j].idx]] += exp(all[j].sim / o->temperature);
			ok_wtd[q] += argmax_d(votes, n_classes) == truth;
		}
	}
	free(all);
	free(votes);
	knn_fill_result(res, o, n_train, n_test, ok_maj, ok_wtd);
	return 0;
}
