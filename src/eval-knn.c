/* eval-knn.c - blocked k-NN evaluation (eval-knn.h); its naive oracle is
 * eval-knn-naive.c. */
#include "eval-knn-int.h"
#include "par.h"
#include "err.h"

#include <cblas.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KNN_ALIGN 64
#define KNN_MAX_LIST_BYTES ((size_t)64 << 20) /* neighbour lists of one test block */

void knn_opts_default(struct knn_opts *o)
{
	memset(o, 0, sizeof *o);
	o->n_k = 1;
	o->k[0] = 20;
	o->temperature = 0.07;
	o->block_test = 1024;
	o->block_train = 4096;
}

static const struct knn_preset_row {
	const char *name;
	size_t k;
	double temperature;
} knn_presets[] = {
	{ "dino", 20, 0.07 },   /* DINO eval_knn.py; solo-learn the same */
	{ "vissl", 200, 0.1 },  /* VISSL: sigma 0.1 */
	{ "moco", 200, 0.1 },   /* MoCo's CIFAR k-NN monitor */
};

int knn_preset(struct knn_opts *o, const char *name)
{
	for (size_t i = 0; i < sizeof knn_presets / sizeof knn_presets[0]; i++) {
		if (strcasecmp(name, knn_presets[i].name) == 0) {
			o->n_k = 1;
			o->k[0] = knn_presets[i].k;
			o->temperature = knn_presets[i].temperature;
			return 0;
		}
	}
	err_set("unknown k-NN preset '%s' (known: dino, vissl, moco)", name);
	return -1;
}

int knn_classes_from_labels(size_t *n_classes, const int64_t *labels, size_t n)
{
	if (n == 0) {
		err_set("no labels to count classes from");
		return -1;
	}
	int64_t mx = 0;
	for (size_t i = 0; i < n; i++) {
		if (labels[i] < 0) {
			err_set("label %" PRId64 " at row %zu is negative", labels[i], i);
			return -1;
		}
		if (labels[i] > mx)
			mx = labels[i];
	}
	if ((uint64_t)mx >= SIZE_MAX) {
		err_set("label %" PRId64 " is too large to count classes", mx);
		return -1;
	}
	*n_classes = (size_t)mx + 1;
	return 0;
}

/* ---- top-k: a heap per test row, worst neighbour at the root ---------- */

/* a ranks after b: lower similarity, or equal similarity and higher index */
static inline int nb_worse(const struct knn_nb *a, const struct knn_nb *b)
{
	return a->sim < b->sim || (a->sim == b->sim && a->idx > b->idx);
}

static void heap_sift_down(struct knn_nb *h, size_t n, size_t i)
{
	struct knn_nb x = h[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && nb_worse(&h[c + 1], &h[c]))
			c++;
		if (!nb_worse(&h[c], &x))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

static void heap_sift_up(struct knn_nb *h, size_t i)
{
	struct knn_nb x = h[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!nb_worse(&x, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = x;
}

/* Offer one row of a tile, sims [n] for train rows idx0.., to the heap h
 * holding `filled` of at most cap entries; with inv, sims[j] * inv[j] (the
 * train rows' norms, applied as the row is read: writing the scaled tile
 * back would cost a pass over it).  Candidates come in increasing index,
 * so a candidate beats the root exactly when its sim is greater. */
static void topk_scan(struct knn_nb *h, size_t filled, size_t cap,
	const float *sims, const float *inv, size_t n, size_t idx0)
{
	size_t j = 0;
	for (; j < n && filled < cap; j++, filled++) {
		h[filled].idx = idx0 + j;
		h[filled].sim = inv ? sims[j] * inv[j] : sims[j];
		heap_sift_up(h, filled);
	}
	if (j == n)
		return;
	float thr = (float)h[0].sim; /* exact: the heap holds float values here */
	for (; j < n; j++) {
		float s = inv ? sims[j] * inv[j] : sims[j];
		if (s > thr) {
			h[0].idx = idx0 + j;
			h[0].sim = s;
			heap_sift_down(h, cap, 0);
			thr = (float)h[0].sim;
		}
	}
}

/* Heap -> best-first order, in place (heapsort: each step moves the worst
 * remaining entry to the end). */
static void heap_sort_best_first(struct knn_nb *h, size_t n)
{
	for (; n > 1; n--) {
		struct knn_nb t = h[0];
		h[0] = h[n - 1];
		h[n - 1] = t;
		heap_sift_down(h, n - 1, 0);
	}
}

/* x . (t [d] scaled by inv) in double: t[c] * inv rounded to float as
 * mat_normalize_rows rounds it (inv 1 leaves t as it is), products exact
 * in double, summed in four interleaved partial sums (column c into sum
 * c % 4; four chains of additions instead of one, which bounded the
 * re-ranking at k = 200), combined as (s0 + s1) + (s2 + s3).  The blocked
 * path's re-ranking and the naive path share it, so they agree to the bit,
 * and a row scaled through inv gives the bits of its normalised copy. */
double knn_dot_d(const float *x, const float *t, float inv, size_t d)
{
	double s[4] = { 0.0, 0.0, 0.0, 0.0 };
	size_t c = 0;
	for (; c + 4 <= d; c += 4)
		for (size_t u = 0; u < 4; u++)
			s[u] += (double)x[c + u] * (double)(t[c + u] * inv);
	for (size_t u = 0; c < d; c++, u++)
		s[u] += (double)x[c] * (double)(t[c] * inv);
	return (s[0] + s[1]) + (s[2] + s[3]);
}

/* Candidates kept per row beyond k: the float GEMM orders rows whose sims
 * differ by a rounding error (exact duplicates included) by the tile shape
 * the kernel used, so the best k + margin by float are re-ranked in double. */
size_t knn_topk_slots(size_t k, size_t n_train)
{
	size_t kc = k < n_train ? k : n_train;
	size_t s = kc + kc + 16;
	return s < n_train ? s : n_train;
}

/* The per-row passes of knn_topk, split over rnr's threads (par.h): each
 * row's heap is its own, so the split never changes a result. */
struct topk_pass {
	struct knn_nb *nb;
	size_t slots, cap, filled;
	const float *tile;
	size_t nj, j0;
	const struct mat *train;
	const float *train_inv; /* NULL: train rows as they are */
	const float *test_rows;
	const struct knn_rows *src; /* train rows read from here (train->data NULL) */
	int failed;                 /* a read of src failed (err_set() by it) */
};

static void topk_scan_rows(void *ctx, size_t lo, size_t hi, size_t chunk)
{
	(void)chunk;
	const struct topk_pass *p = ctx;
	/* the float sims only choose the candidates: the double re-ranking
	 * decides, with the same inverse norms */
	const float *inv = p->train_inv ? p->train_inv + p->j0 : NULL;
	for (size_t r = lo; r < hi; r++)
		topk_scan(p->nb + r * p->slots, p->filled, p->cap, p->tile + r * p->nj, inv,
			  p->nj, p->j0);
}

/* re-rank the candidates of each row by double sims */
static void rerank_rows(void *ctx, size_t lo, size_t hi, size_t chunk)
{
	(void)chunk;
	struct topk_pass *p = ctx;
	size_t d = p->train->cols;
	/* streamed: each candidate's row read on its own into p->tile */
	float *t = p->src ? (float *)p->tile : NULL;
	for (size_t r = lo; r < hi && !p->failed; r++) {
		struct knn_nb *h = p->nb + r * p->slots;
		const float *x = p->test_rows + r * d;
		for (size_t i = 0; i < p->cap; i++) {
			if (t && p->src->read(p->src->ctx, h[i].idx, 1, t) < 0) {
				p->failed = 1;
				return;
			}
			h[i].sim = knn_dot_d(x, t ? t : mat_row(p->train, h[i].idx),
					 p->train_inv ? p->train_inv[h[i].idx] : 1.0f, d);
		}
		for (size_t i = p->cap / 2; i-- > 0;)
			heap_sift_down(h, p->cap, i);
		heap_sort_best_first(h, p->cap);
	}
}

/* knn_topk() of the train rows in train, or read from src into tbuf
 * [block_train x d] a tile at a time (train then only gives the shape) */
static int topk(struct knn_nb *nb, size_t slots, size_t k, const struct mat *train,
	const struct knn_rows *src, float *tbuf, const float *train_inv,
	const float *test_rows, size_t n_rows, size_t block_train, float *tile)
{
	size_t n_train = train->rows, d = train->cols;
	if (k == 0 || n_rows == 0 || block_train == 0 || n_train == 0 || d == 0) {
		err_set("k-NN top-k: k (%zu), test rows (%zu), train block (%zu), "
			"train rows (%zu) and columns (%zu) must all be >= 1",
			k, n_rows, block_train, n_train, d);
		return -1;
	}
	size_t cap = knn_topk_slots(k, n_train);
	if (slots < cap) {
		err_set("k-NN top-k: %zu neighbour slots per row, needs %zu", slots, cap);
		return -1;
	}
	if (n_rows > INT_MAX || n_train > INT_MAX || d > INT_MAX) {
		err_set("k-NN top-k: %zu x %zu against %zu rows exceeds BLAS's int sizes",
			n_rows, d, n_train);
		return -1;
	}
	size_t bn = block_train < n_train ? block_train : n_train;
	for (size_t j0 = 0; j0 < n_train; j0 += bn) {
		size_t nj = n_train - j0 < bn ? n_train - j0 : bn;
		if (src && src->read(src->ctx, j0, nj, tbuf) < 0)
			return -1;
		/* tile [n_rows x nj] = test_rows [n_rows x d] . train[j0..]^T [d x nj] */
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
			(int)n_rows, (int)nj, (int)d, 1.0f, test_rows, (int)d,
			src ? tbuf : mat_row(train, j0), (int)d, 0.0f, tile, (int)nj);
		struct topk_pass p = { nb, slots, cap, j0 < cap ? j0 : cap, tile, nj, j0,
				       train, train_inv, test_rows, NULL, 0 };
		par_for(n_rows, 16, 1, topk_scan_rows, &p);
	}
	struct topk_pass p = { nb, slots, cap, 0, tbuf, 0, 0, train, train_inv, test_rows, src,
			       0 };
	/* streamed: on this thread, whose error message the caller reads (the
	 * rows are independent: the same result) */
	if (src)
		rerank_rows(&p, 0, n_rows, 0);
	else
		par_for(n_rows, 16, 1, rerank_rows, &p);
	return p.failed ? -1 : 0;
}

int knn_topk(struct knn_nb *nb, size_t slots, size_t k, const struct mat *train,
	const float *train_inv, const float *test_rows, size_t n_rows, size_t block_train,
	float *tile)
{
	return topk(nb, slots, k, train, NULL, NULL, train_inv, test_rows, n_rows, block_train,
		    tile);
}

/* ---- votes over a best-first neighbour list --------------------------- */

/* Majority class of nb [k]; count [n_classes] is zero on entry and left
 * holding each class's neighbours.  Counts only grow, so a running argmax
 * (ties to the lower class) equals the argmax of the final counts; this
 * costs O(k), not O(n_classes). */
static size_t vote_majority_acc(const struct knn_nb *nb, size_t k,
	const int64_t *labels, size_t *count)
{
	size_t best = SIZE_MAX, best_n = 0;
	for (size_t i = 0; i < k; i++) {
		size_t c = (size_t)labels[nb[i].idx];
		size_t n = ++count[c];
		if (n > best_n || (n == best_n && c < best)) {
			best = c;
			best_n = n;
		}
	}
	return best;
}

double knn_weight(double sim, double top_sim, double temperature)
{
	/* times 1/T, not over T: the bits knn_eval has always voted with */
	return exp((sim - top_sim) * (1.0 / temperature));
}

/* Weighted class of nb [k]: score [n_classes] (zero on entry, left holding
 * the scores) sums knn_weight() in rank order; weights are >= 0, so the
 * running argmax argument of vote_majority_acc holds. */
static size_t vote_weighted_acc(const struct knn_nb *nb, size_t k,
	const int64_t *labels, double temperature, double *score)
{
	size_t best = SIZE_MAX;
	double best_s = -1.0;
	double top = nb[0].sim;
	for (size_t i = 0; i < k; i++) {
		size_t c = (size_t)labels[nb[i].idx];
		double s = score[c] += knn_weight(nb[i].sim, top, temperature);
		if (s > best_s || (s == best_s && c < best)) {
			best = c;
			best_s = s;
		}
	}
	return best;
}

void knn_vote(const struct knn_nb *nb, size_t k, const int64_t *labels, double temperature,
	size_t *count, double *score, size_t *majority, size_t *weighted)
{
	*majority = vote_majority_acc(nb, k, labels, count);
	*weighted = vote_weighted_acc(nb, k, labels, temperature, score);
}

/* Both votes of one row, count and score zero again on return */
static void vote_row(const struct knn_nb *nb, size_t k, const int64_t *labels,
	double temperature, size_t *count, double *score, size_t *maj, size_t *wtd)
{
	knn_vote(nb, k, labels, temperature, count, score, maj, wtd);
	for (size_t i = 0; i < k; i++) {
		count[labels[nb[i].idx]] = 0;
		score[labels[nb[i].idx]] = 0.0;
	}
}

/* ---- argument checks shared by both paths ----------------------------- */

static int check_labels(const int64_t *labels, size_t n, size_t n_classes,
	const char *split)
{
	for (size_t i = 0; i < n; i++) {
		if (labels[i] < 0 || (uint64_t)labels[i] >= n_classes) {
			err_set("k-NN: %s label %" PRId64 " at row %zu is outside "
				"0..%zu (classes come from the train labels)",
				split, labels[i], i, n_classes - 1);
			return -1;
		}
	}
	return 0;
}

static int check_finite(const struct mat *m, const char *split)
{
	size_t i = mat_find_nonfinite(m);
	if (i != SIZE_MAX) {
		err_set("k-NN: %s row %zu has a non-finite value (column %zu)",
			split, i / m->cols, i % m->cols);
		return -1;
	}
	return 0;
}

int knn_check_args(const struct mat *train, const int64_t *train_labels,
	size_t n_classes, const struct mat *test, const int64_t *test_labels,
	const struct knn_opts *o)
{
	if (o->n_k < 1 || o->n_k > KNN_MAX_K) {
		err_set("k-NN: %zu values of k (allowed 1..%d)", o->n_k, KNN_MAX_K);
		return -1;
	}
	for (size_t i = 0; i < o->n_k; i++) {
		if (o->k[i] < 1) {
			err_set("k-NN: k must be >= 1");
			return -1;
		}
	}
	if (!(o->temperature > 0.0) || !isfinite(o->temperature)) {
		err_set("k-NN: temperature %g must be a finite number > 0", o->temperature);
		return -1;
	}
	if (o->block_test < 1 || o->block_train < 1) {
		err_set("k-NN: block sizes must be >= 1 (test %zu, train %zu)",
			o->block_test, o->block_train);
		return -1;
	}
	if (train->rows == 0 || test->rows == 0) {
		err_set("k-NN: no rows to compare (train %zu, test %zu)",
			train->rows, test->rows);
		return -1;
	}
	if (train->cols != test->cols) {
		err_set("k-NN: train rows have %zu columns but test rows have %zu",
			train->cols, test->cols);
		return -1;
	}
	if (train->cols == 0) {
		err_set("k-NN: the rows have no columns");
		return -1;
	}
	if (n_classes < 1) {
		err_set("k-NN: no classes");
		return -1;
	}
	if (check_labels(train_labels, train->rows, n_classes, "train") < 0 ||
	    check_labels(test_labels, test->rows, n_classes, "test") < 0)
		return -1;
	/* a streamed train side was checked when it was loaded */
	if ((train->data && check_finite(train, "train") < 0) || check_finite(test, "test") < 0)
		return -1;
	return 0;
}

static size_t max_k(const struct knn_opts *o)
{
	size_t m = 0;
	for (size_t i = 0; i < o->n_k; i++)
		if (o->k[i] > m)
			m = o->k[i];
	return m;
}

void knn_fill_result(struct knn_result *res, const struct knn_opts *o,
	size_t n_train, size_t n_test, const size_t *ok_maj, const size_t *ok_wtd)
{
	memset(res, 0, sizeof *res);
	res->n_k = o->n_k;
	res->n_test = n_test;
	for (size_t i = 0; i < o->n_k; i++) {
		res->k[i] = o->k[i];
		res->k_used[i] = o->k[i] < n_train ? o->k[i] : n_train;
		res->n_correct_majority[i] = ok_maj[i];
		res->n_correct_weighted[i] = ok_wtd[i];
		res->acc_majority[i] = 100.0 * (double)ok_maj[i] / (double)n_test;
		res->acc_weighted[i] = 100.0 * (double)ok_wtd[i] / (double)n_test;
	}
}

/* Reserve a [n1 x n2] array of `size`-byte elements at the 64-byte aligned
 * end of a workspace of *total bytes: *offset gets where it starts.
 * -1 if the size overflows. */
static int ws_reserve(size_t *total, size_t n1, size_t n2, size_t size, size_t *offset)
{
	size_t room = SIZE_MAX - *total - KNN_ALIGN;
	if (n2 && n1 > room / n2)
		return -1;
	if (size && n1 * n2 > room / size)
		return -1;
	*offset = *total;
	*total += (n1 * n2 * size + KNN_ALIGN - 1) / KNN_ALIGN * KNN_ALIGN;
	return 0;
}

/* ---- the blocked path -------------------------------------------------- */

/* knn_eval_predict() of train, or (src) of the train rows src reads */
static int eval(struct knn_result *res, const struct mat *train, const struct knn_rows *src,
	const int64_t *train_labels, size_t n_classes, const struct mat *test,
	const int64_t *test_labels, const struct knn_opts *o, size_t *pred_majority,
	size_t *pred_weighted)
{
	if (knn_check_args(train, train_labels, n_classes, test, test_labels, o) < 0)
		return -1;
	size_t n_train = train->rows, n_test = test->rows;
	size_t kmax = max_k(o);
	size_t kc = kmax < n_train ? kmax : n_train;
	size_t slots = knn_topk_slots(kmax, n_train);
	size_t bt = o->block_test < n_test ? o->block_test : n_test;
	size_t bn = o->block_train < n_train ? o->block_train : n_train;
	/* a huge k must not multiply the neighbour lists by block_test too */
	size_t bt_cap = KNN_MAX_LIST_BYTES / (slots * sizeof(struct knn_nb));
	if (bt > bt_cap)
		bt = bt_cap > 0 ? bt_cap : 1;

	/* one workspace: tile [bt x bn] floats | nb [bt x slots] | count, score
	 * [n_classes] | normalize: the train rows' inverse norms [n_train] and
	 * a block of normalised test rows [bt x d] */
	size_t d = train->cols, nrm = o->normalize ? 1 : 0;
	size_t total = 0, off_tile, off_nb, off_cnt, off_sc, off_inv, off_rows, off_tb;
	if (ws_reserve(&total, bt, bn, sizeof(float), &off_tile) < 0 ||
	    ws_reserve(&total, bt, slots, sizeof(struct knn_nb), &off_nb) < 0 ||
	    ws_reserve(&total, n_classes, 1, sizeof(size_t), &off_cnt) < 0 ||
	    ws_reserve(&total, n_classes, 1, sizeof(double), &off_sc) < 0 ||
	    ws_reserve(&total, n_train * nrm, 1, sizeof(float), &off_inv) < 0 ||
	    ws_reserve(&total, bt * nrm, d, sizeof(float), &off_rows) < 0 ||
	    ws_reserve(&total, src ? bn : 0, d, sizeof(float), &off_tb) < 0) {
		err_set("k-NN: workspace size overflows (%zu x %zu tile, %zu slots, %zu classes)",
			bt, bn, slots, n_classes);
		return -1;
	}
	char *ws = aligned_alloc(KNN_ALIGN, total);
	if (!ws) {
		err_set("k-NN: out of memory: the workspace needs %zu bytes "
			"(%zu x %zu similarity tile, %zu x %zu neighbours, %zu classes)",
			total, bt, bn, bt, slots, n_classes);
		return -1;
	}
	float *tile = (float *)(ws + off_tile);               /* [bt x bn] */
	struct knn_nb *nb = (struct knn_nb *)(ws + off_nb);   /* [bt x slots] */
	size_t *count = (size_t *)(ws + off_cnt);             /* [n_classes] */
	double *score = (double *)(ws + off_sc);              /* [n_classes] */
	float *train_inv = nrm ? (float *)(ws + off_inv) : NULL; /* [n_train] */
	float *rows = (float *)(ws + off_rows);               /* [bt x d] */
	float *tbuf = src ? (float *)(ws + off_tb) : NULL;    /* [bn x d] */
	for (size_t j0 = 0; src && train_inv && j0 < n_train; j0 += bn) {
		struct mat v = { n_train - j0 < bn ? n_train - j0 : bn, d, tbuf };
		if (src->read(src->ctx, j0, v.rows, tbuf) < 0) {
			free(ws);
			return -1;
		}
		mat_row_inv_norms(&v, train_inv + j0);
	}
	if (train_inv && !src)
		mat_row_inv_norms(train, train_inv);
	memset(count, 0, n_classes * sizeof *count);
	for (size_t c = 0; c < n_classes; c++)
		score[c] = 0.0;

	size_t ok_maj[KNN_MAX_K] = { 0 }, ok_wtd[KNN_MAX_K] = { 0 };
	for (size_t i0 = 0; i0 < n_test; i0 += bt) {
		size_t ni = n_test - i0 < bt ? n_test - i0 : bt;
		const float *x = mat_row(test, i0);
		if (nrm) {
			mat_rows_normalized(rows, test, i0, ni);
			x = rows;
		}
		if (topk(nb, slots, kc, train, src, tbuf, train_inv, x, ni, bn, tile) < 0) {
			free(ws);
			return -1;
		}
		for (size_t r = 0; r < ni; r++) {
			const struct knn_nb *row = nb + r * slots;
			size_t truth = (size_t)test_labels[i0 + r];
			for (size_t q = 0; q < o->n_k; q++) {
				size_t k = o->k[q] < kc ? o->k[q] : kc, maj, wtd;
				vote_row(row, k, train_labels, o->temperature, count, score, &maj,
					 &wtd);
				ok_maj[q] += maj == truth;
				ok_wtd[q] += wtd == truth;
				if (pred_majority)
					pred_majority[(i0 + r) * o->n_k + q] = maj;
				if (pred_weighted)
					pred_weighted[(i0 + r) * o->n_k + q] = wtd;
			}
		}
	}
	free(ws);
	knn_fill_result(res, o, n_train, n_test, ok_maj, ok_wtd);
	return 0;
}

int knn_eval(struct knn_result *res, const struct mat *train,
	const int64_t *train_labels, size_t n_classes, const struct mat *test,
	const int64_t *test_labels, const struct knn_opts *o)
{
	return eval(res, train, NULL, train_labels, n_classes, test, test_labels, o, NULL, NULL);
}

int knn_eval_predict(struct knn_result *res, const struct mat *train,
	const int64_t *train_labels, size_t n_classes, const struct mat *test,
	const int64_t *test_labels, const struct knn_opts *o, size_t *pred_majority,
	size_t *pred_weighted)
{
	return eval(res, train, NULL, train_labels, n_classes, test, test_labels, o,
		    pred_majority, pred_weighted);
}

int knn_eval_rows(struct knn_result *res, const struct knn_rows *train,
	const int64_t *train_labels, size_t n_classes, const struct mat *test,
	const int64_t *test_labels, const struct knn_opts *o)
{
	struct mat shape = { train->n, train->d, NULL };
	return eval(res, &shape, train, train_labels, n_classes, test, test_labels, o, NULL,
		    NULL);
}

/* ---- one row's neighbours, as knn_eval finds them -------------------- */

int knn_neighbours(struct knn_nb *nb, size_t k, const struct mat *train,
	const struct mat *test, size_t row, int normalize)
{
	if (k == 0 || train->rows == 0 || train->cols == 0 || train->cols != test->cols ||
	    row >= test->rows) {
		err_set("k-NN neighbours: k %zu, %zu x %zu train rows, test row %zu of %zu x %zu",
			k, train->rows, train->cols, row, test->rows, test->cols);
		return -1;
	}
	if (check_finite(train, "train") < 0)
		return -1;
	size_t n_train = train->rows, d = train->cols;
	size_t slots = knn_topk_slots(k, n_train);
	size_t bn = n_train < 4096 ? n_train : 4096;
	size_t total = 0, off_tile, off_nb, off_inv, off_row;
	if (ws_reserve(&total, bn, 1, sizeof(float), &off_tile) < 0 ||
	    ws_reserve(&total, slots, 1, sizeof(struct knn_nb), &off_nb) < 0 ||
	    ws_reserve(&total, normalize ? n_train : 0, 1, sizeof(float), &off_inv) < 0 ||
	    ws_reserve(&total, d, 1, sizeof(float), &off_row) < 0) {
		err_set("k-NN neighbours: workspace size overflows (%zu slots)", slots);
		return -1;
	}
	char *ws = aligned_alloc(KNN_ALIGN, total);
	if (!ws) {
		err_nomem("k-NN neighbours workspace", total);
		return -1;
	}
	float *tile = (float *)(ws + off_tile), *inv = NULL, *x = (float *)(ws + off_row);
	struct knn_nb *all = (struct knn_nb *)(ws + off_nb);
	if (normalize) {
		inv = (float *)(ws + off_inv);
		mat_row_inv_norms(train, inv);
		mat_rows_normalized(x, test, row, 1);
	} else {
		memcpy(x, mat_row(test, row), d * sizeof *x);
	}
	if (floats_find_nonfinite(x, d) != SIZE_MAX) {
		err_set("k-NN neighbours: test row %zu has a non-finite value", row);
		free(ws);
		return -1;
	}
	size_t kc = k < n_train ? k : n_train;
	int rc = knn_topk(all, slots, kc, train, inv, x, 1, bn, tile);
	if (rc == 0)
		memcpy(nb, all, kc * sizeof *nb);
	free(ws);
	return rc;
}
