/* eval-knn-int.h - what the blocked k-NN path (eval-knn.c) and its naive
 * oracle (eval-knn-naive.c) share, so the oracle checks the same contract
 * with the same arithmetic.  Private to eval-knn*.c. */
#ifndef RNR_EVAL_KNN_INT_H
#define RNR_EVAL_KNN_INT_H

#include "eval-knn.h"

/* x . (t * inv) in double over four chains, combined (s0 + s1) + (s2 + s3):
 * the re-ranking dot product of both paths. */
double knn_dot_d(const float *x, const float *t, float inv, size_t d);

/* The argument checks of both paths: -1 with err_set() naming the fault. */
int knn_check_args(const struct mat *train, const int64_t *train_labels, size_t n_classes,
		   const struct mat *test, const int64_t *test_labels, const struct knn_opts *o);

/* res from the correct counts per k of the majority and weighted votes. */
void knn_fill_result(struct knn_result *res, const struct knn_opts *o, size_t n_train,
		     size_t n_test, const size_t *ok_maj, const size_t *ok_wtd);

#endif
