/* eval-nnhist.h - how close test points sit to their nearest train point,
 * relative to an average pair (paper appendix B, figure 15).
 *
 * For a (train, test) pair of matrices with rows compared as directions
 * (cosine similarity; a zero row has similarity 0 to every row):
 *
 *   ratio_j = max_i cos(train_i, test_j) / mean_{i,j} cos(train_i, test_j)
 *
 * The mean over all n x n' pairs is not computed pair by pair: with u_i the
 * normalised rows, mean_ij u_i . v_j = (mean_i u_i) . (mean_j v_j), the dot
 * product of the two mean vectors, O((n + n') d) instead of O(n n' d).
 * The maximum uses knn_topk (eval-knn.h) with k = 1 on normalised copies:
 * tiles of test x train similarities through SGEMM, memory bounded by the
 * tiles, the winner re-scored in double.
 *
 * The ratio is defined only when the mean similarity is positive (it is for
 * non-negative features such as post-ReLU ones and the paper's); a mean
 * <= 1e-12 is an error rather than a histogram of meaningless values.
 *
 * Errors: -1 with err_set(); nothing is printed. */
#ifndef RNR_EVAL_NNHIST_H
#define RNR_EVAL_NNHIST_H

#include <stddef.h>

#include "mat.h"

/* Tiles of the max-similarity pass (as knn_eval's). */
#define NNHIST_BLOCK_TEST 1024
#define NNHIST_BLOCK_TRAIN 4096

/* *mean = mean cosine similarity over all train x test row pairs, as the
 * dot product of the mean normalised rows (all in double).  -1 with
 * err_set() on an empty matrix, a dim mismatch, a non-finite value or out
 * of memory. */
int nnhist_mean_similarity(double *mean, const struct mat *train, const struct mat *test);

/* The oracle: the same mean from every pair's cosine, O(n n' d). */
int nnhist_mean_similarity_naive(double *mean, const struct mat *train, const struct mat *test);

/* max_sim [n_test]: each test row's largest cosine similarity to a train
 * row.  Normalises a copy of train and one block of test rows at a time;
 * tiles of block_test x block_train (>= 1) similarities.  Same errors as
 * nnhist_mean_similarity. */
int nnhist_max_similarity(double *max_sim, const struct mat *train, const struct mat *test,
			  size_t block_test, size_t block_train);

/* ratio [n_test] = max_sim / mean (float, as the hist object keeps them)
 * and *mean, with the default tiles.  -1 with err_set() on the errors
 * above or a mean similarity <= 1e-12 (says its value). */
int nnhist_ratios(float *ratio, double *mean, const struct mat *train, const struct mat *test);

/* Histogram of v [n] in bins equal bins over [lo, hi] (lo < hi, bins >= 1):
 * edges [bins + 1], edges[i] = lo + (hi - lo) i / bins (edges[bins] = hi
 * exactly); bin i counts edges[i] <= v < edges[i+1], the last bin also
 * v = hi, judged against the stored edges.  Values below lo, above hi or
 * NaN are counted in *under, *over (NaN in over), not in a bin. */
void nnhist_bin(size_t *count, double *edges, size_t bins, double lo, double hi,
		const float *v, size_t n, size_t *under, size_t *over);

/* The q-quantile (0 <= q <= 1) of v [n >= 1] with linear interpolation
 * between order statistics (numpy's default): q = 0.5 is the median, the
 * mean of the two middle values when n is even.  sorted: v sorted
 * ascending (the caller's copy). */
double nnhist_quantile(const float *sorted, size_t n, double q);

#endif
