/* test-knn.c - k-NN evaluation: hand-made cases with known answers, then
 * the blocked path against its naive oracle on random data (exact ties,
 * k > n_train, several k per pass, blocks that do not divide n, a zero
 * test row), then the error paths. */
#include "eval-knn.h"
#include "par.h"
#include "err.h"
#include "mat.h"
#include "rng.h"
#include "tap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* a matrix from a literal list of rows */
static struct mat mat_from(size_t rows, size_t cols, const float *v)
{
	struct mat m;
	if (mat_init(&m, rows, cols, "test matrix") < 0) {
		fprintf(stderr, "%s\n", err_msg());
		exit(2);
	}
	memcpy(m.data, v, rows * cols * sizeof(float));
	return m;
}

static void opts_k(struct knn_opts *o, double t, size_t n, const size_t *k)
{
	knn_opts_default(o);
	o->temperature = t;
	o->n_k = n;
	for (size_t i = 0; i < n; i++)
		o->k[i] = k[i];
}

/* Run both paths on one test row; return the predicted classes by checking
 * which label is counted correct (labels 0..n_classes-1 tried in turn). */
static void predict1(size_t *maj, size_t *wtd, const struct mat *tr,
	const int64_t *ytr, size_t n_classes, const float *x, const struct knn_opts *o,
	int naive)
{
	struct mat te = mat_from(1, tr->cols, x);
	*maj = *wtd = SIZE_MAX;
	for (int64_t c = 0; c < (int64_t)n_classes; c++) {
		struct knn_result r;
		int rc = naive ? knn_eval_naive(&r, tr, ytr, n_classes, &te, &c, o)
			       : knn_eval(&r, tr, ytr, n_classes, &te, &c, o);
		if (rc < 0) {
			printf("# knn_eval failed: %s\n", err_msg());
			break;
		}
		if (r.n_correct_majority[0])
			*maj = (size_t)c;
		if (r.n_correct_weighted[0])
			*wtd = (size_t)c;
	}
	mat_free(&te);
}

static void test_votes(void)
{
	/* unit vectors at angles a: test row at angle 0 */
	float a[] = { 0.00f, 0.10f, 1.20f, 1.25f, 3.0f };
	float v[10];
	for (int i = 0; i < 5; i++) {
		v[2 * i] = cosf(a[i]);
		v[2 * i + 1] = sinf(a[i]);
	}
	struct mat tr = mat_from(5, 2, v);
	const float x[2] = { 1.0f, 0.0f };
	struct knn_opts o;
	size_t maj, wtd;

	/* k=2: neighbours class 1 (sim 1) and class 0 (sim .995): 1-1 tie ->
	 * majority takes class 0; weighted favours the closer class 1 */
	int64_t y1[5] = { 1, 0, 2, 2, 3 };
	for (int naive = 0; naive < 2; naive++) {
		opts_k(&o, 0.07, 1, (size_t[]){ 2 });
		predict1(&maj, &wtd, &tr, y1, 4, x, &o, naive);
		tap_ok(maj == 0 && wtd == 1, "%s: majority tie goes to the lowest class "
			"(majority %zu, want 0; weighted %zu, want 1)",
			naive ? "naive" : "blocked", maj, wtd);
	}

	/* k=3: one neighbour of class 3 at sim 1, two of class 0 at sim ~.36:
	 * majority says 0; weighted T=0.07 says 3 (e^14.3 vs 2 e^5.2);
	 * weighted T=10 is almost a count and says 0 */
	int64_t y2[5] = { 3, 1, 0, 0, 2 };
	float w[10] = { 1, 0, 0, 1, 0.36f, 0.933f, 0.36f, 0.933f, -1, 0 };
	struct mat tr2 = mat_from(5, 2, w);
	/* row 1 sim 0 < .36: neighbours are rows 0, 2, 3 */
	for (int naive = 0; naive < 2; naive++) {
		opts_k(&o, 0.07, 1, (size_t[]){ 3 });
		predict1(&maj, &wtd, &tr2, y2, 4, x, &o, naive);
		tap_ok(maj == 0 && wtd == 3, "%s: weighted vote (T 0.07) changes the answer "
			"(majority %zu, want 0; weighted %zu, want 3)",
			naive ? "naive" : "blocked", maj, wtd);
		opts_k(&o, 10.0, 1, (size_t[]){ 3 });
		predict1(&maj, &wtd, &tr2, y2, 4, x, &o, naive);
		tap_ok(maj == 0 && wtd == 0, "%s: weighted vote at T 10 follows the count "
			"(majority %zu, weighted %zu, want 0 0)", naive ? "naive" : "blocked", maj, wtd);
	}

	/* weighted tie between classes: two identical rows, different labels */
	float d2[6] = { 1, 0, 1, 0, 0, 1 };
	struct mat tr3 = mat_from(3, 2, d2);
	int64_t y3[3] = { 2, 1, 0 };
	for (int naive = 0; naive < 2; naive++) {
		opts_k(&o, 0.07, 1, (size_t[]){ 2 });
		predict1(&maj, &wtd, &tr3, y3, 3, x, &o, naive);
		tap_ok(maj == 1 && wtd == 1, "%s: exact class-score tie goes to the lowest "
			"class (majority %zu, weighted %zu, want 1 1)", naive ? "naive" : "blocked",
			maj, wtd);
		/* k=1: the equal-similarity neighbour with the lower index wins */
		opts_k(&o, 0.07, 1, (size_t[]){ 1 });
		predict1(&maj, &wtd, &tr3, y3, 3, x, &o, naive);
		tap_ok(maj == 2 && wtd == 2, "%s: equal similarity -> lower train index "
			"(k=1 predicts %zu %zu, want 2 2)", naive ? "naive" : "blocked", maj, wtd);
	}

	/* the neighbour lists themselves, including k > n_train and a zero row */
	size_t slots = knn_topk_slots(4, 3);
	struct knn_nb nb[4 * 3];
	float tile[4 * 2];
	const float xs[8] = { 1, 0, 0, 1, 0, 0, 0.6f, 0.8f };
	int rc = slots == 3 ? knn_topk(nb, slots, 4, &tr3, NULL, xs, 4, 2, tile) : -1;
	size_t want_idx[4][3] = { { 0, 1, 2 }, { 2, 0, 1 }, { 0, 1, 2 }, { 2, 0, 1 } };
	double want_sim[4][3] = { { 1, 1, 0 }, { 1, 0, 0 }, { 0, 0, 0 },
		{ 0.8f, 0.6f, 0.6f } };
	int good = rc == 0;
	for (int r = 0; r < 4 && good; r++)
		for (int j = 0; j < 3; j++)
			if (nb[r * 3 + j].idx != want_idx[r][j] || nb[r * 3 + j].sim != want_sim[r][j]) {
				printf("# row %d pos %d: got (%zu, %g), want (%zu, %g)\n", r, j,
					nb[r * 3 + j].idx, nb[r * 3 + j].sim, want_idx[r][j],
					want_sim[r][j]);
				good = 0;
			}
	tap_ok(good, "knn_topk: hand-made lists, ties by index, k=4 > 3 rows, zero row "
		"(slots %zu, want 3)", slots);

	/* k > n_train uses all rows; several k in one pass */
	int64_t yt[2] = { 1, 0 };
	struct mat te = mat_from(2, 2, (const float[]){ 1, 0, 0, 1 });
	struct knn_result r;
	opts_k(&o, 0.07, 3, (size_t[]){ 10, 1, 3 });
	rc = knn_eval(&r, &tr3, y3, 3, &te, yt, &o);
	/* k=1: row0 -> class 2 (wrong), row1 -> class 0 (right).
	 * k=3 and 10 (all three): counts 1,1,1 -> class 0 for both rows;
	 * weighted: row0 classes 2 and 1 tie at e^(1/T) -> 1 (right),
	 * row1 class 0 -> right */
	tap_ok(rc == 0 && r.k_used[0] == 3 && r.k_used[1] == 1 && r.k_used[2] == 3 &&
		r.n_correct_majority[0] == 1 && r.n_correct_majority[1] == 1 &&
		r.n_correct_majority[2] == 1 && r.n_correct_weighted[0] == 2 &&
		r.n_correct_weighted[1] == 1 && r.n_correct_weighted[2] == 2 &&
		r.acc_weighted[0] == 100.0 && r.acc_majority[0] == 50.0,
		"k > n_train and several k: k_used %zu %zu %zu, majority %zu %zu %zu "
		"(want 1 1 1), weighted %zu %zu %zu (want 2 1 2), acc %.1f %.1f",
		r.k_used[0], r.k_used[1], r.k_used[2], r.n_correct_majority[0],
		r.n_correct_majority[1], r.n_correct_majority[2], r.n_correct_weighted[0],
		r.n_correct_weighted[1], r.n_correct_weighted[2], r.acc_majority[0],
		r.acc_weighted[0]);
	mat_free(&te);
	mat_free(&tr);
	mat_free(&tr2);
	mat_free(&tr3);
}

/* ---- blocked against naive on random data ------------------------------ */

struct data {
	struct mat tr, te;
	int64_t *ytr, *yte;
	size_t n_classes;
};

/* exact = 1: entries are multiples of 1/4 in [-1, 1] so every dot product
 * is exact in float and double and ties are exact and frequent.
 * exact = 0: Gaussian-ish rows, L2-normalised.  Either way a tenth of the
 * train rows are copies of earlier ones (exact ties), and test row 3 is 0. */
static void make_data(struct data *D, size_t n_tr, size_t n_te, size_t d,
	size_t n_classes, int exact, uint64_t seed)
{
	struct rng g;
	rng_seed(&g, seed, 0);
	if (mat_init(&D->tr, n_tr, d, "train") < 0 || mat_init(&D->te, n_te, d, "test") < 0)
		exit(2);
	struct mat *ms[2] = { &D->tr, &D->te };
	for (int m = 0; m < 2; m++) {
		for (size_t i = 0; i < ms[m]->rows * d; i++) {
			if (exact) {
				ms[m]->data[i] = (float)((int)rng_below(&g, 9) - 4) / 4.0f;
			} else {
				float s = 0;
				for (int t = 0; t < 4; t++)
					s += rng_uniform(&g, -1, 1);
				ms[m]->data[i] = s;
			}
		}
	}
	for (size_t i = 1; i < n_tr; i++)
		if (rng_below(&g, 10) == 0)
			memcpy(mat_row(&D->tr, i), mat_row(&D->tr, rng_below(&g, i)), d * sizeof(float));
	if (n_te > 3)
		memset(mat_row(&D->te, 3), 0, d * sizeof(float));
	if (!exact) {
		size_t z;
		mat_normalize_rows(&D->tr, &z);
		mat_normalize_rows(&D->te, &z);
	}
	D->ytr = malloc(n_tr * sizeof *D->ytr);
	D->yte = malloc(n_te * sizeof *D->yte);
	for (size_t i = 0; i < n_tr; i++)
		D->ytr[i] = (int64_t)rng_below(&g, n_classes);
	/* the test label: the class of the most similar train row half the
	 * time, so accuracies are neither 0 nor chance */
	for (size_t i = 0; i < n_te; i++) {
		size_t best = 0;
		float bs = -INFINITY;
		for (size_t j = 0; j < n_tr; j++) {
			float s = 0;
			for (size_t c = 0; c < d; c++)
				s += mat_row(&D->te, i)[c] * mat_row(&D->tr, j)[c];
			if (s > bs) {
				bs = s;
				best = j;
			}
		}
		D->yte[i] = rng_below(&g, 2) ? D->ytr[best] : (int64_t)rng_below(&g, n_classes);
	}
	D->n_classes = n_classes;
}

static void free_data(struct data *D)
{
	mat_free(&D->tr);
	mat_free(&D->te);
	free(D->ytr);
	free(D->yte);
}

static int same_result(const struct knn_result *a, const struct knn_result *b)
{
	if (a->n_k != b->n_k || a->n_test != b->n_test)
		return 0;
	for (size_t q = 0; q < a->n_k; q++)
		if (a->k_used[q] != b->k_used[q] ||
		    a->n_correct_majority[q] != b->n_correct_majority[q] ||
		    a->n_correct_weighted[q] != b->n_correct_weighted[q])
			return 0;
	return 1;
}

static void print_result(const char *what, const struct knn_result *r)
{
	printf("# %-8s", what);
	for (size_t q = 0; q < r->n_k; q++)
		printf("  k=%zu(%zu): maj %zu wtd %zu", r->k[q], r->k_used[q],
			r->n_correct_majority[q], r->n_correct_weighted[q]);
	printf("\n");
}

/* Compare knn_topk (blocks bt x bn) with knn_topk_naive for every test row
 * at k: indices and sims must be identical, exact ties included.  Also
 * counts the float near-ties: adjacent sims closer than 1e-6 but not equal
 * (the ones a float-only ranking could order by tile shape). */
static void compare_lists(const struct data *D, size_t k, size_t bt, size_t bn,
	const char *what)
{
	size_t n_te = D->te.rows, n_tr = D->tr.rows, kc = k < n_tr ? k : n_tr;
	size_t slots = knn_topk_slots(k, n_tr);
	struct knn_nb *nb = malloc(bt * slots * sizeof *nb), *ref = malloc(k * sizeof *ref);
	float *tile = mat_alloc_floats(bt * bn, "tile");
	size_t mismatches = 0, near = 0, ties = 0;
	for (size_t i0 = 0; i0 < n_te; i0 += bt) {
		size_t ni = n_te - i0 < bt ? n_te - i0 : bt;
		if (knn_topk(nb, slots, k, &D->tr, NULL, mat_row(&D->te, i0), ni, bn, tile) < 0) {
			printf("# knn_topk: %s\n", err_msg());
			mismatches++;
			break;
		}
		for (size_t r = 0; r < ni; r++) {
			if (knn_topk_naive(ref, k, &D->tr, mat_row(&D->te, i0 + r)) < 0) {
				mismatches++;
				continue;
			}
			const struct knn_nb *got = nb + r * slots;
			for (size_t j = 0; j < kc; j++) {
				if (j + 1 < kc && ref[j].sim == ref[j + 1].sim)
					ties++;
				else if (j + 1 < kc && ref[j].sim - ref[j + 1].sim < 1e-6)
					near++;
				if (got[j].idx == ref[j].idx && got[j].sim == ref[j].sim)
					continue;
				if (mismatches++ < 5)
					printf("# row %zu pos %zu: got (%zu, %.17g) want (%zu, %.17g)\n",
						i0 + r, j, got[j].idx, got[j].sim, ref[j].idx, ref[j].sim);
			}
		}
	}
	tap_ok(mismatches == 0, "%s: top-%zu lists of %zu rows vs naive, blocks %zu x %zu: "
		"%zu mismatches; %zu exact ties and %zu near ties (< 1e-6) in the lists",
		what, k, n_te, bt, bn, mismatches, ties, near);
	free(nb);
	free(ref);
	mat_free_floats(tile);
}

static void test_random(int exact, uint64_t seed)
{
	const char *what = exact ? "exact data" : "float data";
	struct data D;
	size_t n_tr = exact ? 203 : 517, n_te = exact ? 61 : 97, d = exact ? 8 : 24;
	make_data(&D, n_tr, n_te, d, exact ? 5 : 7, exact, seed);
	struct knn_opts o;
	size_t ks[5] = { 1, 4, 20, 50, 1000 }; /* 1000 > n_train */
	opts_k(&o, exact ? 0.5 : 0.07, 5, ks);
	struct knn_result rn, rb;
	int rc = knn_eval_naive(&rn, &D.tr, D.ytr, D.n_classes, &D.te, D.yte, &o);
	tap_ok(rc == 0, "%s: naive runs (%s)", what, rc ? err_msg() : "ok");
	print_result("naive", &rn);

	size_t blocks[][2] = { { 7, 13 }, { 1, 1 }, { 64, 50 }, { 1000, 100000 }, { 3, 517 } };
	for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
		o.block_test = blocks[b][0];
		o.block_train = blocks[b][1];
		rc = knn_eval(&rb, &D.tr, D.ytr, D.n_classes, &D.te, D.yte, &o);
		char name[32];
		snprintf(name, sizeof name, "%zux%zu", o.block_test, o.block_train);
		print_result(name, &rb);
		tap_ok(rc == 0 && same_result(&rb, &rn), "%s: blocked %s == naive, counts exact",
			what, name);
	}

	/* one k per call gives the same as all k in one pass */
	int good = 1;
	o.block_test = 7;
	o.block_train = 13;
	for (size_t q = 0; q < 5; q++) {
		struct knn_opts o1 = o;
		o1.n_k = 1;
		o1.k[0] = ks[q];
		struct knn_result r1;
		if (knn_eval(&r1, &D.tr, D.ytr, D.n_classes, &D.te, D.yte, &o1) < 0 ||
		    r1.n_correct_majority[0] != rb.n_correct_majority[q] ||
		    r1.n_correct_weighted[0] != rb.n_correct_weighted[q] ||
		    r1.k_used[0] != rb.k_used[q])
			good = 0;
	}
	tap_ok(good, "%s: each k alone == all k in one pass", what);

	compare_lists(&D, 50, 7, 13, what);
	compare_lists(&D, 50, 64, 50, what);
	compare_lists(&D, 1000, 5, 64, what);
	compare_lists(&D, 1, 97, 1, what);
	/* the per-row passes split over rnr's threads change nothing */
	par_set_threads(3);
	compare_lists(&D, 50, 64, 50, exact ? "exact data, 3 threads" : "float data, 3 threads");
	par_set_threads(1);
	free_data(&D);
}

/* Rows of any length with normalize=1 (no copies: train through its
 * inverse norms, test a block at a time) against normalised copies with
 * normalize=0: the same lists to the bit and the same counts, and the
 * naive oracle with normalize=1 agrees.  Rows are scaled by 1e-3..1e3 and
 * one train row and one test row are zero. */
static void test_normalize(uint64_t seed)
{
	struct data D;
	make_data(&D, 411, 83, 24, 6, 0, seed);
	struct rng g;
	rng_seed(&g, seed, 1);
	struct mat *ms[2] = { &D.tr, &D.te };
	for (int m = 0; m < 2; m++)
		for (size_t i = 0; i < ms[m]->rows; i++) {
			float s = (float)pow(10.0, rng_uniform(&g, -3, 3));
			for (size_t c = 0; c < ms[m]->cols; c++)
				mat_row(ms[m], i)[c] *= s;
		}
	memset(mat_row(&D.tr, 5), 0, D.tr.cols * sizeof(float));
	struct mat trn, ten;
	size_t z;
	if (mat_copy(&trn, &D.tr, "train") < 0 || mat_copy(&ten, &D.te, "test") < 0)
		exit(2);
	mat_normalize_rows(&trn, &z);
	mat_normalize_rows(&ten, &z);

	size_t k = 30, slots = knn_topk_slots(k, D.tr.rows), bt = 16, bn = 50;
	struct knn_nb *a = malloc(bt * slots * sizeof *a), *b = malloc(bt * slots * sizeof *b);
	float *tile = mat_alloc_floats(bt * bn, "tile");
	float *inv = mat_alloc_floats(D.tr.rows, "inv");
	mat_row_inv_norms(&D.tr, inv);
	size_t diff = 0;
	for (size_t i0 = 0; i0 < ten.rows; i0 += bt) {
		size_t ni = ten.rows - i0 < bt ? ten.rows - i0 : bt;
		if (knn_topk(a, slots, k, &D.tr, inv, mat_row(&ten, i0), ni, bn, tile) < 0 ||
		    knn_topk(b, slots, k, &trn, NULL, mat_row(&ten, i0), ni, bn, tile) < 0) {
			diff++;
			break;
		}
		for (size_t r = 0; r < ni; r++)
			for (size_t j = 0; j < k; j++)
				diff += a[r * slots + j].idx != b[r * slots + j].idx ||
					a[r * slots + j].sim != b[r * slots + j].sim;
	}
	tap_ok(diff == 0, "normalize: top-%zu lists through inverse norms == lists of the "
	       "normalised copy, to the bit (%zu differences)", k, diff);

	size_t ks[3] = { 1, 10, 30 };
	struct knn_opts o;
	opts_k(&o, 0.07, 3, ks);
	o.block_test = 16;
	o.block_train = 50;
	struct knn_result on, copy, naive;
	o.normalize = 1;
	int rc = knn_eval(&on, &D.tr, D.ytr, D.n_classes, &D.te, D.yte, &o) |
		 knn_eval_naive(&naive, &D.tr, D.ytr, D.n_classes, &D.te, D.yte, &o);
	o.normalize = 0;
	rc |= knn_eval(&copy, &trn, D.ytr, D.n_classes, &ten, D.yte, &o);
	print_result("on fly", &on);
	tap_ok(rc == 0 && same_result(&on, &copy) && same_result(&on, &naive),
	       "normalize: knn_eval on rows of any length == on normalised copies == naive");
	free(a);
	free(b);
	mat_free_floats(tile);
	mat_free_floats(inv);
	mat_free(&trn);
	mat_free(&ten);
	free_data(&D);
}

/* ---- errors -------------------------------------------------------------- */

static void expect_err(int rc, const char *needle, const char *what)
{
	tap_ok(rc == -1 && strstr(err_msg(), needle) != NULL,
		"error: %s -> rc %d, \"%s\" (want \"%s\")", what, rc, err_msg(), needle);
	err_clear();
}

static void test_errors(void)
{
	struct mat tr = mat_from(3, 2, (const float[]){ 1, 0, 0, 1, 1, 0 });
	struct mat te = mat_from(2, 2, (const float[]){ 1, 0, 0, 1 });
	struct mat te3 = mat_from(2, 3, (const float[]){ 1, 0, 0, 0, 1, 0 });
	int64_t ytr[3] = { 0, 1, 2 }, yte[2] = { 0, 1 };
	struct knn_opts o;
	struct knn_result r;
	knn_opts_default(&o);

	expect_err(knn_eval(&r, &tr, ytr, 3, &te3, yte, &o), "test rows have 3", "d mismatch");
	int64_t bad_tr[3] = { 0, -1, 2 };
	expect_err(knn_eval(&r, &tr, bad_tr, 3, &te, yte, &o), "row 1", "negative train label");
	int64_t bad_te[2] = { 0, 3 };
	expect_err(knn_eval(&r, &tr, ytr, 3, &te, bad_te, &o), "test label 3 at row 1",
		"test label >= n_classes");
	expect_err(knn_eval_naive(&r, &tr, ytr, 3, &te, bad_te, &o), "test label 3 at row 1",
		"naive: test label >= n_classes");
	size_t nc = 0;
	expect_err(knn_classes_from_labels(&nc, bad_tr, 3), "row 1", "classes from a negative label");
	int rc = knn_classes_from_labels(&nc, ytr, 3);
	tap_ok(rc == 0 && nc == 3, "classes from train labels: %zu (want 3)", nc);
	te.data[3] = NAN;
	expect_err(knn_eval(&r, &tr, ytr, 3, &te, yte, &o), "test row 1", "NaN in a test row");
	te.data[3] = 1;
	o.temperature = 0;
	expect_err(knn_eval(&r, &tr, ytr, 3, &te, yte, &o), "temperature", "T = 0");
	knn_opts_default(&o);
	o.k[0] = 0;
	expect_err(knn_eval(&r, &tr, ytr, 3, &te, yte, &o), "k must", "k = 0");
	knn_opts_default(&o);
	o.n_k = KNN_MAX_K + 1;
	expect_err(knn_eval(&r, &tr, ytr, 3, &te, yte, &o), "values of k", "too many k");
	knn_opts_default(&o);
	o.block_train = 0;
	expect_err(knn_eval(&r, &tr, ytr, 3, &te, yte, &o), "block", "block 0");
	knn_opts_default(&o);
	struct mat empty = { 0, 2, NULL };
	expect_err(knn_eval(&r, &empty, ytr, 3, &te, yte, &o), "no rows", "empty train");
	expect_err(knn_preset(&o, "simclr"), "dino", "unknown preset");
#if !defined(__SANITIZE_ADDRESS__)
	/* 2^58 classes: counts and scores need 2^62 bytes */
	expect_err(knn_eval(&r, &tr, ytr, (size_t)1 << 58, &te, yte, &o), "bytes",
		"workspace too large names the bytes");
#endif

	struct { const char *name; size_t k; double t; } pre[] = {
		{ "dino", 20, 0.07 }, { "vissl", 200, 0.1 }, { "MoCo", 200, 0.1 } };
	for (int i = 0; i < 3; i++) {
		knn_opts_default(&o);
		o.block_test = 5;
		rc = knn_preset(&o, pre[i].name);
		tap_ok(rc == 0 && o.n_k == 1 && o.k[0] == pre[i].k && o.temperature == pre[i].t &&
			o.block_test == 5, "preset %s: k %zu T %g (blocks kept: %zu)",
			pre[i].name, o.k[0], o.temperature, o.block_test);
	}
	mat_free(&tr);
	mat_free(&te);
	mat_free(&te3);
}

int main(void)
{
	test_votes();
	test_random(1, 11);
	test_random(1, 12);
	test_random(0, 21);
	test_random(0, 22);
	test_normalize(31);
	test_errors();
	return tap_done();
}
