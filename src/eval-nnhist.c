/* eval-nnhist.c - normalised nearest-neighbour similarities (see
 * eval-nnhist.h). */
#include "eval-nnhist.h"
#include "err.h"
#include "eval-knn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Empty, mismatched or non-finite inputs are refused alike everywhere. */
static int check_pair(const struct mat *train, const struct mat *test)
{
	if (!train->rows || !test->rows || !train->cols) {
		err_set("empty matrix: train %zu x %zu, test %zu x %zu", train->rows,
			train->cols, test->rows, test->cols);
		return -1;
	}
	if (train->cols != test->cols) {
		err_set("train has %zu dims, test has %zu", train->cols, test->cols);
		return -1;
	}
	size_t bad = mat_find_nonfinite(train);
	if (bad != SIZE_MAX) {
		err_set("train row %zu holds a non-finite value", bad / train->cols);
		return -1;
	}
	if ((bad = mat_find_nonfinite(test)) != SIZE_MAX) {
		err_set("test row %zu holds a non-finite value", bad / test->cols);
		return -1;
	}
	return 0;
}

/* 1 / ||row|| in double, 0 for a zero row. */
static double inv_norm(const float *r, size_t d)
{
	double ss = 0.0;
	for (size_t c = 0; c < d; c++)
		ss += (double)r[c] * r[c];
	return ss > 0.0 ? 1.0 / sqrt(ss) : 0.0;
}

/* mu [d] = mean of the normalised rows of m. */
static void mean_direction(double *mu, const struct mat *m)
{
	size_t d = m->cols;
	memset(mu, 0, d * sizeof *mu);
	for (size_t i = 0; i < m->rows; i++) {
		const float *r = mat_row(m, i);
		double s = inv_norm(r, d);
		for (size_t c = 0; c < d; c++)
			mu[c] += r[c] * s;
	}
	for (size_t c = 0; c < d; c++)
		mu[c] /= (double)m->rows;
}

int nnhist_mean_similarity(double *mean, const struct mat *train, const struct mat *test)
{
	if (check_pair(train, test) < 0)
		return -1;
	size_t d = train->cols;
	double *mu = malloc(2 * d * sizeof *mu);
	if (!mu) {
		err_nomem("mean vectors", 2 * d * sizeof *mu);
		return -1;
	}
	mean_direction(mu, train);
	mean_direction(mu + d, test);
	double s = 0.0;
	for (size_t c = 0; c < d; c++)
		s += mu[c] * mu[d + c];
	free(mu);
	*mean = s;
	return 0;
}

int nnhist_mean_similarity_naive(double *mean, const struct mat *train, const struct mat *test)
{
	if (check_pair(train, test) < 0)
		return -1;
	size_t d = train->cols;
	double sum = 0.0;
	for (size_t i = 0; i < train->rows; i++) {
		const float *a = mat_row(train, i);
		double sa = inv_norm(a, d);
		for (size_t j = 0; j < test->rows; j++) {
			const float *b = mat_row(test, j);
			double dot = 0.0;
			for (size_t c = 0; c < d; c++)
				dot += (double)a[c] * b[c];
			sum += dot * sa * inv_norm(b, d);
		}
	}
	*mean = sum / ((double)train->rows * (double)test->rows);
	return 0;
}

int nnhist_max_similarity(double *max_sim, const struct mat *train, const struct mat *test,
			  size_t block_test, size_t block_train)
{
	if (check_pair(train, test) < 0)
		return -1;
	if (!block_test || !block_train) {
		err_set("block sizes must be >= 1 (test %zu, train %zu)", block_test, block_train);
		return -1;
	}
	size_t n_train = train->rows, d = train->cols;
	size_t bt = block_test < test->rows ? block_test : test->rows;
	size_t bn = block_train < n_train ? block_train : n_train;
	size_t slots = knn_topk_slots(1, n_train);
	struct knn_nb *nb = malloc(bt * slots * sizeof *nb);
	float *rows = mat_alloc_floats(bt * d, "test block");
	float *tile = mat_alloc_floats(bt * bn, "similarity tile");
	/* the train rows count as normalised through their inverse norms
	 * (4 bytes a row), not a normalised copy */
	float *train_inv = mat_alloc_floats(n_train, "train row norms");
	int rc = -1;
	if (!nb)
		err_nomem("neighbour lists", bt * slots * sizeof *nb);
	if (!nb || !rows || !tile || !train_inv)
		goto out;
	mat_row_inv_norms(train, train_inv);
	rc = 0;
	for (size_t j0 = 0; j0 < test->rows && rc == 0; j0 += bt) {
		size_t nj = test->rows - j0 < bt ? test->rows - j0 : bt;
		mat_rows_normalized(rows, test, j0, nj);
		rc = knn_topk(nb, slots, 1, train, train_inv, rows, nj, bn, tile);
		for (size_t j = 0; rc == 0 && j < nj; j++)
			max_sim[j0 + j] = nb[j * slots].sim;
	}
out:
	mat_free_floats(train_inv);
	free(nb);
	mat_free_floats(rows);
	mat_free_floats(tile);
	return rc;
}

int nnhist_ratios(float *ratio, double *mean, const struct mat *train, const struct mat *test)
{
	double mu;
	if (nnhist_mean_similarity(&mu, train, test) < 0)
		return -1;
	if (!(mu > 1e-12)) {
		err_set("the mean train-test cosine similarity is %.3g: the ratio max/mean "
			"needs a positive mean", mu);
		return -1;
	}
	double *mx = malloc(test->rows * sizeof *mx);
	if (!mx) {
		err_nomem("max similarities", test->rows * sizeof *mx);
		return -1;
	}
	int rc = nnhist_max_similarity(mx, train, test, NNHIST_BLOCK_TEST, NNHIST_BLOCK_TRAIN);
	for (size_t j = 0; rc == 0 && j < test->rows; j++)
		ratio[j] = (float)(mx[j] / mu);
	free(mx);
	if (rc == 0)
		*mean = mu;
	return rc;
}

void nnhist_bin(size_t *count, double *edges, size_t bins, double lo, double hi,
		const float *v, size_t n, size_t *under, size_t *over)
{
	for (size_t i = 0; i <= bins; i++)
		edges[i] = i == bins ? hi : lo + (hi - lo) * (double)i / (double)bins;
	memset(count, 0, bins * sizeof *count);
	*under = *over = 0;
	for (size_t j = 0; j < n; j++) {
		double x = v[j];
		if (x < lo) {
			(*under)++;
			continue;
		}
		if (!(x <= hi)) { /* above, or NaN */
			(*over)++;
			continue;
		}
		/* a first guess from the formula, then settled against the
		 * stored edges so that rounding cannot disagree with them */
		size_t b = (size_t)((x - lo) / (hi - lo) * (double)bins);
		if (b >= bins)
			b = bins - 1;
		while (b > 0 && x < edges[b])
			b--;
		while (b + 1 < bins && x >= edges[b + 1])
			b++;
		count[b]++;
	}
}

double nnhist_quantile(const float *sorted, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t i = (size_t)floor(h);
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (h - (double)i) * ((double)sorted[i + 1] - sorted[i]);
}
