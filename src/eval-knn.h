/* eval-knn.h - k-nearest-neighbour evaluation of a representation.
 *
 * Test rows are classified by their k most similar train rows.  Similarity
 * is the dot product of L2-normalised rows, the cosine; a zero row has
 * similarity 0 to every row.  Rows are normalised either by the caller
 * (mat_normalize_rows) or, with knn_opts.normalize, on the fly to the same
 * bits without a copy: the train rows through their inverse norms
 * (row_inv_norm: 4 bytes a row), the test rows a block at a time.
 *
 * How it is computed: tiles of [block_test x block_train] similarities come
 * from one cblas_sgemm each; every test row keeps its best candidates so
 * far in a small heap that the next tile updates, so memory is bounded by
 * the block sizes and k, never by n_test x n_train.  The heap holds
 * 2k + 16 candidates (knn_topk_slots); at the end their similarities are
 * recomputed in double and re-ranked, because float GEMM rounding depends
 * on where a row falls in a tile (and on the thread count): two identical
 * train rows can get sims one ulp apart, which would break exact ties by
 * tile shape rather than by index.  Re-ranked, the lists equal the naive
 * oracle's whenever the true top k is among the float top 2k + 16, i.e.
 * unless more than k + 16 rows sit within float rounding (~1e-7 relative)
 * of the k-th similarity.  Top-k is found once at the largest k requested
 * and every smaller k is scored from the same list.
 *
 * Rules (the same in the blocked and in the naive path):
 *  - Neighbour order: similarity descending; equal similarities go to the
 *    lower train index first.  Similarities are judged as double dot
 *    products of the float rows (four interleaved partial sums, one
 *    order), in both paths.
 *  - k larger than n_train: all train rows are used (result.k_used says so).
 *  - Majority vote: the class with the most of the k neighbours; a tie
 *    between classes goes to the lowest class index.
 *  - Weighted vote (DINO): class score = sum over its neighbours of
 *    exp(sim / T); a tie goes to the lowest class index.  The blocked path
 *    computes exp((sim - sim_top1) / T), the same argmax without overflow
 *    for small T.
 *  - Classes are 0..n_classes-1, n_classes from the TRAIN labels
 *    (knn_classes_from_labels); a negative label or one >= n_classes, in
 *    either split, is an error naming the row.
 *
 * Threads: the GEMMs use OpenBLAS's threads as the caller set them
 * (openblas_set_num_threads); the top-k and re-ranking passes split the
 * test rows over rnr's threads (par.h), which changes no result.
 * Errors: -1 with err_set(); nothing is printed. */
#ifndef RNR_EVAL_KNN_H
#define RNR_EVAL_KNN_H

#include <stddef.h>
#include <stdint.h>

#include "mat.h"

#define KNN_MAX_K 8

struct knn_opts {
	size_t n_k;              /* how many of k[] are used, 1..KNN_MAX_K */
	size_t k[KNN_MAX_K];     /* each >= 1, any order, repeats allowed */
	double temperature;      /* T of the weighted vote, > 0 */
	size_t block_test;       /* test rows per GEMM tile, >= 1 */
	size_t block_train;      /* train rows per GEMM tile, >= 1 */
	int normalize;           /* 1: L2-normalise the rows on the fly */
};

struct knn_result {
	size_t n_k;
	size_t k[KNN_MAX_K];                 /* as requested */
	size_t k_used[KNN_MAX_K];            /* min(k, n_train) */
	size_t n_correct_majority[KNN_MAX_K];
	size_t n_correct_weighted[KNN_MAX_K];
	double acc_majority[KNN_MAX_K];      /* percent, 100 * correct / n_test */
	double acc_weighted[KNN_MAX_K];      /* percent */
	size_t n_test;
};

/* One neighbour of a test row. */
struct knn_nb {
	size_t idx;   /* train row */
	double sim;   /* its similarity to the test row */
};

/* Defaults: k = 20, T = 0.07 (DINO's), tiles of 1024 test x 4096 train rows
 * (16 MiB of similarities). */
void knn_opts_default(struct knn_opts *o);

/* Set k and T from a published protocol, leaving the block sizes alone:
 * "dino" (k 20, T 0.07; also solo-learn), "vissl" (k 200, T = sigma 0.1),
 * "moco" (k 200, T 0.1).  -1 with err_set() listing the names if unknown. */
int knn_preset(struct knn_opts *o, const char *name);

/* *n_classes = max(labels) + 1 over n labels (n >= 1).  -1 with err_set()
 * naming the row of a negative label, or if n == 0. */
int knn_classes_from_labels(size_t *n_classes, const int64_t *labels, size_t n);

/* Neighbour slots per test row that knn_topk needs for k against n_train
 * rows: min(2 min(k, n_train) + 16, n_train). */
size_t knn_topk_slots(size_t k, size_t n_train);

/* Top-k kernel: for the n_rows test rows test_rows [n_rows x train->cols],
 * write each row's best min(k, n_train) neighbours, in the order above, to
 * the start of its row of nb [n_rows x slots]; the rest of the row is
 * scratch.  slots >= knn_topk_slots(k, n_train).  Tiles of block_train
 * train rows go through the caller's tile [n_rows x block_train floats];
 * nothing is allocated.  train_inv [n_train] (row_inv_norm of each train
 * row), when not NULL, makes the train rows count as normalised: the
 * results are those of train normalised by mat_normalize_rows.  Inputs
 * are not checked for finiteness (knn_eval does).  -1 with err_set() if
 * k, n_rows or block_train is 0, train has no rows or columns, or slots
 * is too small. */
int knn_topk(struct knn_nb *nb, size_t slots, size_t k, const struct mat *train,
	const float *train_inv, const float *test_rows, size_t n_rows, size_t block_train,
	float *tile);

/* k-NN accuracies of test against train for every k of o.
 * train [n_train x d], train_labels [n_train], test [n_test x d],
 * test_labels [n_test], both label arrays in 0..n_classes-1.
 * One workspace allocation per call, of about
 * 4*bt*bn + 16*bt*knn_topk_slots(kmax, n_train) + 16*n_classes bytes
 * (bt, bn = the block sizes clamped to n_test, n_train; bt is lowered
 * further so that the neighbour lists stay under 64 MiB when k is huge).
 * -1 with err_set() on: no rows in either matrix, d mismatch, non-finite
 * values (names the row), a label out of range (names the row), bad opts,
 * out of memory (says the bytes).  *res is written only on success. */
int knn_eval(struct knn_result *res, const struct mat *train,
	const int64_t *train_labels, size_t n_classes, const struct mat *test,
	const int64_t *test_labels, const struct knn_opts *o);

/* Train rows [n x d] that are not in memory (a streamed cache's model):
 * read(ctx, i0, nr, out) fills out [nr x d]; 0, or -1 with err_set(). */
struct knn_rows {
	size_t n, d;
	int (*read)(void *ctx, size_t i0, size_t nr, float *out);
	void *ctx;
};

/* knn_eval() with the train side read a tile of block_train rows at a
 * time (once per block of test rows, and once for the norms) and each
 * candidate row read again for the re-ranking: the same GEMM tiles and
 * the same double re-ranking, so the same table as knn_eval() of the
 * same rows in memory.  The values are not checked for NaN (a streamed
 * cache was, at load). */
int knn_eval_rows(struct knn_result *res, const struct knn_rows *train,
	const int64_t *train_labels, size_t n_classes, const struct mat *test,
	const int64_t *test_labels, const struct knn_opts *o);

/* knn_eval, also writing each test row's predicted class for every k of o:
 * pred_majority and pred_weighted [n_test x o->n_k] (row r, k index q at
 * r * n_k + q), either may be NULL.  Nothing is written on error. */
int knn_eval_predict(struct knn_result *res, const struct mat *train,
	const int64_t *train_labels, size_t n_classes, const struct mat *test,
	const int64_t *test_labels, const struct knn_opts *o, size_t *pred_majority,
	size_t *pred_weighted);

/* The weight a neighbour of similarity sim adds to its class in the
 * weighted vote when the row's first neighbour has top_sim:
 * exp((sim - top_sim) * (1 / T)). */
double knn_weight(double sim, double top_sim, double temperature);

/* The two votes of knn_eval over one best-first list nb [k] whose labels
 * are labels[nb[i].idx]: count and score [n_classes] must be zero on entry
 * and are left holding each class's neighbour count and summed
 * knn_weight(); *majority and *weighted get the winning classes (ties to
 * the lowest class).  k >= 1. */
void knn_vote(const struct knn_nb *nb, size_t k, const int64_t *labels, double temperature,
	size_t *count, double *score, size_t *majority, size_t *weighted);

/* The min(k, n_train) nearest train rows of test row `row`, best first,
 * through the same knn_topk pass knn_eval uses (normalize: rows count as
 * L2-normalised, as knn_opts.normalize), so they are the neighbours
 * knn_eval votes with.  nb [k].  Allocates its workspace.  -1 with
 * err_set() on a bad row, d mismatch, non-finite values or OOM. */
int knn_neighbours(struct knn_nb *nb, size_t k, const struct mat *train,
	const struct mat *test, size_t row, int normalize);

/* The oracle of knn_eval: the same contract, computed one test row at a
 * time with double-precision dot products, a full sort of all n_train
 * neighbours and unshifted exp(sim / T) weights; block sizes are ignored.
 * O(n_test * n_train * d) time, O(n_train + n_classes) memory. */
int knn_eval_naive(struct knn_result *res, const struct mat *train,
	const int64_t *train_labels, size_t n_classes, const struct mat *test,
	const int64_t *test_labels, const struct knn_opts *o);

/* The oracle of knn_topk for one test row test_row [train->cols]: nb [k]
 * gets the first min(k, n_train) neighbours from double dot products of
 * all train rows and a full sort.  Allocates its own scratch.
 * -1 with err_set() if k is 0, train has no rows, or out of memory. */
int knn_topk_naive(struct knn_nb *nb, size_t k, const struct mat *train,
	const float *test_row);

#endif
