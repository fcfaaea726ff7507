/* knn-reference.c - check rnr's k-NN against the reference table of
 * shared/data/README.md on the real Fashion-MNIST features.
 *
 *   make bench && bench/knn-reference [--full] [FILE.h5]
 *   (FILE defaults to ../shared/data/fmnist-ssl-12k.h5)
 *
 * Reads /train|test/features/{simclr,barlow,rotnet,dae} and the labels with
 * the HDF5 C API, L2-normalises every row (mat_normalize_rows: double
 * accumulation), builds the average (normalise(sum of normalised)) and the
 * concatenation (normalise([z1..z4])), and prints k=20 majority and
 * weighted (T 0.07) accuracies from knn_eval beside the reference.
 * --full adds knn_eval_naive (about a minute), a sensitivity table (how many
 * rows the tie rules decide; a float-only pipeline) and the accuracies with
 * norms summed in float.  Exit status 1 if any accuracy is more than one
 * test row away from the table.  Not part of `make check`: tests do not
 * read shared/. */
#include "eval-knn.h"
#include "err.h"
#include "mat.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_MODELS 4

static const char *models[N_MODELS] = { "simclr", "barlow", "rotnet", "dae" };

static const struct ref_row {
	const char *name;
	double maj, wtd;
} ref_table[] = {
	{ "simclr", 81.75, 82.20 }, { "barlow", 82.50, 82.60 },
	{ "rotnet", 84.10, 84.25 }, { "dae", 83.90, 83.65 },
	{ "average", 84.55, 84.25 }, { "concat", 84.20, 84.35 },
};

/* dims of a dataset (rank <= 2); -1 on error */
static int ds_dims(hid_t ds, hsize_t dims[2], int *rank)
{
	hid_t sp = H5Dget_space(ds);
	if (sp < 0)
		return -1;
	*rank = H5Sget_simple_extent_ndims(sp);
	dims[1] = 1;
	int rc = (*rank >= 1 && *rank <= 2 && H5Sget_simple_extent_dims(sp, dims, NULL) >= 0) ? 0 : -1;
	H5Sclose(sp);
	return rc;
}

static int read_features(struct mat *m, hid_t f, const char *split, const char *model)
{
	char path[256];
	snprintf(path, sizeof path, "/%s/features/%s", split, model);
	hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
	hsize_t dims[2];
	int rank;
	if (ds < 0 || ds_dims(ds, dims, &rank) < 0 || rank != 2) {
		fprintf(stderr, "%s: cannot open as a 2-D dataset\n", path);
		if (ds >= 0)
			H5Dclose(ds);
		return -1;
	}
	if (mat_init(m, dims[0], dims[1], path) < 0) {
		fprintf(stderr, "%s\n", err_msg());
		H5Dclose(ds);
		return -1;
	}
	herr_t st = H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, m->data);
	H5Dclose(ds);
	if (st < 0) {
		fprintf(stderr, "%s: read failed\n", path);
		return -1;
	}
	return 0;
}

static int64_t *read_labels(hid_t f, const char *split, size_t *n)
{
	char path[256];
	snprintf(path, sizeof path, "/%s/labels", split);
	hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
	hsize_t dims[2];
	int rank;
	if (ds < 0 || ds_dims(ds, dims, &rank) < 0 || rank != 1) {
		fprintf(stderr, "%s: cannot open as a 1-D dataset\n", path);
		if (ds >= 0)
			H5Dclose(ds);
		return NULL;
	}
	int64_t *y = malloc(dims[0] * sizeof *y);
	if (!y || H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) < 0) {
		fprintf(stderr, "%s: read failed\n", path);
		free(y);
		H5Dclose(ds);
		return NULL;
	}
	H5Dclose(ds);
	*n = dims[0];
	return y;
}

/* the variant the sensitivity check compares with: norm summed in float */
static void normalize_float_acc(struct mat *m)
{
	for (size_t i = 0; i < m->rows; i++) {
		float *r = mat_row(m, i), ss = 0.0f;
		for (size_t c = 0; c < m->cols; c++)
			ss += r[c] * r[c];
		if (ss > 0.0f)
			for (size_t c = 0; c < m->cols; c++)
				r[c] /= sqrtf(ss);
	}
}

/* normalise the rows of m; returns the number of zero rows */
static size_t normalize(struct mat *m, int float_acc)
{
	size_t first;
	if (float_acc) {
		normalize_float_acc(m);
		return 0;
	}
	return mat_normalize_rows(m, &first);
}

/* out = normalise(sum_j z[j]), sums in double; out is n x d, allocated */
static int make_average(struct mat *out, const struct mat *z, int float_acc)
{
	if (mat_init(out, z[0].rows, z[0].cols, "average") < 0)
		return -1;
	for (size_t i = 0; i < out->rows; i++)
		for (size_t c = 0; c < out->cols; c++) {
			double s = 0;
			for (int j = 0; j < N_MODELS; j++)
				s += mat_row(&z[j], i)[c];
			mat_row(out, i)[c] = (float)s;
		}
	normalize(out, float_acc);
	return 0;
}

/* out = normalise([z1 .. z4]) */
static int make_concat(struct mat *out, const struct mat *z, int float_acc)
{
	size_t d = 0;
	for (int j = 0; j < N_MODELS; j++)
		d += z[j].cols;
	if (mat_init(out, z[0].rows, d, "concat") < 0)
		return -1;
	for (size_t i = 0; i < out->rows; i++) {
		float *o = mat_row(out, i);
		for (int j = 0; j < N_MODELS; j++) {
			memcpy(o, mat_row(&z[j], i), z[j].cols * sizeof(float));
			o += z[j].cols;
		}
	}
	normalize(out, float_acc);
	return 0;
}

/* ---- sensitivity: how many test rows sit on an edge of the rules ------- */

struct fnb {
	size_t idx;
	float sim;
};

static int fnb_cmp(const void *pa, const void *pb)
{
	const struct fnb *a = pa, *b = pb;
	if (a->sim != b->sim)
		return a->sim > b->sim ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* majority vote over labels of idx [k]; tie_rule 0: lowest class,
 * 1: highest class, 2: the class of the nearest tied neighbour.
 * *tied says whether the top count was shared. */
static size_t vote(const size_t *idx, size_t k, const int64_t *y, size_t n_classes,
	int tie_rule, int *tied)
{
	size_t cnt[64] = { 0 }, best = 0;
	for (size_t i = 0; i < k; i++)
		cnt[y[idx[i]]]++;
	for (size_t c = 1; c < n_classes; c++)
		if (cnt[c] > cnt[best] || (tie_rule == 1 && cnt[c] == cnt[best]))
			best = c;
	*tied = 0;
	for (size_t c = 0; c < n_classes; c++)
		if (c != best && cnt[c] == cnt[best])
			*tied = 1;
	if (tie_rule == 2 && *tied)
		for (size_t i = 0; i < k; i++)
			if (cnt[y[idx[i]]] == cnt[best]) {
				best = (size_t)y[idx[i]];
				break;
			}
	return best;
}

static double wvote_f(const struct fnb *nb, size_t k, const int64_t *y, size_t n_classes)
{
	float sc[64] = { 0 };
	size_t best = 0;
	for (size_t i = 0; i < k; i++)
		sc[y[nb[i].idx]] += expf(nb[i].sim / 0.07f);
	for (size_t c = 1; c < n_classes; c++)
		if (sc[c] > sc[best])
			best = c;
	return (double)best;
}

/* Print, for k = 20: rows whose majority vote is a class-count tie and the
 * majority accuracy under two other tie rules; rows whose 20th and 21st
 * neighbours differ by < 1e-6 with different labels; and the accuracies of
 * a float-only pipeline (float GEMM ranking, float32 exp weights as in
 * DINO's code). */
static int sensitivity(const char *name, const struct mat *tr, const int64_t *ytr,
	const struct mat *te, const int64_t *yte, size_t n_classes)
{
	const size_t k = 20;
	size_t n_tr = tr->rows, n_te = te->rows, d = tr->cols;
	if (n_classes > 64)
		return 0;
	size_t slots = knn_topk_slots(k + 1, n_tr);
	struct knn_nb *nb = malloc(n_te * slots * sizeof *nb);
	float *tile = mat_alloc_floats(n_te * n_tr, "full similarity matrix (bench only)");
	struct fnb *row = malloc(n_tr * sizeof *row);
	if (!nb || !tile || !row ||
	    knn_topk(nb, slots, k + 1, tr, NULL, te->data, n_te, n_tr, tile) < 0) {
		fprintf(stderr, "sensitivity: %s\n", err_msg());
		return -1;
	}
	size_t ties = 0, ok[3] = { 0 }, edge = 0, ok_f = 0, ok_fw = 0;
	for (size_t i = 0; i < n_te; i++) {
		const struct knn_nb *L = nb + i * slots;
		size_t idx[20];
		for (size_t j = 0; j < k; j++)
			idx[j] = L[j].idx;
		int tied = 0;
		for (int rule = 0; rule < 3; rule++)
			ok[rule] += vote(idx, k, ytr, n_classes, rule, &tied) == (size_t)yte[i];
		ties += tied;
		if (L[k - 1].sim - L[k].sim < 1e-6 && ytr[L[k - 1].idx] != ytr[L[k].idx])
			edge++;
	}
	/* float-only: the tile now holds all n_te x n_tr float sims */
	for (size_t i = 0; i < n_te; i++) {
		for (size_t j = 0; j < n_tr; j++) {
			row[j].idx = j;
			row[j].sim = tile[i * n_tr + j];
		}
		qsort(row, n_tr, sizeof *row, fnb_cmp);
		size_t idx[20];
		for (size_t j = 0; j < k; j++)
			idx[j] = row[j].idx;
		int tied;
		ok_f += vote(idx, k, ytr, n_classes, 0, &tied) == (size_t)yte[i];
		ok_fw += wvote_f(row, k, ytr, n_classes) == (double)yte[i];
	}
	printf("%-8s %5zu %9.2f %9.2f %9.2f | %5zu | %9.2f %9.2f\n", name, ties,
		100.0 * ok[0] / n_te, 100.0 * ok[1] / n_te, 100.0 * ok[2] / n_te, edge,
		100.0 * ok_f / n_te, 100.0 * ok_fw / n_te);
	(void)d;
	free(nb);
	free(row);
	mat_free_floats(tile);
	return 0;
}

/* "%.2f" of v into buf, or "-" when not computed */
static const char *fmt2(char *buf, double v, int have)
{
	if (have)
		snprintf(buf, 16, "%.2f", v);
	else
		snprintf(buf, 16, "-");
	return buf;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* the six feature sets of the table from the raw features raw [4]:
 * out [6] (normalised models, average, concat); zero rows are reported */
static int build_sets(struct mat *out, const struct mat *raw, int float_acc,
	const char *split)
{
	for (int j = 0; j < N_MODELS; j++) {
		if (mat_copy(&out[j], &raw[j], "features") < 0)
			return -1;
		size_t z = normalize(&out[j], float_acc);
		if (z)
			printf("# %s %s: %zu zero rows (kept as zero)\n", split, models[j], z);
	}
	if (make_average(&out[N_MODELS], out, float_acc) < 0 ||
	    make_concat(&out[N_MODELS + 1], out, float_acc) < 0)
		return -1;
	return 0;
}

static void free_sets(struct mat *m)
{
	for (int j = 0; j < N_MODELS + 2; j++)
		mat_free(&m[j]);
}

/* --full: the sensitivity table and the norms-in-float variant */
static int full_checks(const struct mat *tr, const struct mat *te, const struct mat *raw_tr,
	const struct mat *raw_te, const int64_t *ytr, const int64_t *yte, size_t n_classes,
	const struct knn_opts *o)
{
	printf("\nsensitivity at k 20: majority-tie rows and majority accuracy with ties to the\n"
	       "lowest / highest / nearest tied class; rows whose 20th and 21st neighbours\n"
	       "differ by < 1e-6 with different labels; a float-only pipeline (float ranking,\n"
	       "float32 exp weights)\n");
	printf("%-8s %5s %9s %9s %9s | %5s | %9s %9s\n", "features", "ties", "lowest",
		"highest", "nearest", "edge", "f32 maj", "f32 wtd");
	for (int j = 0; j < N_MODELS + 2; j++)
		if (sensitivity(ref_table[j].name, &tr[j], ytr, &te[j], yte, n_classes) < 0)
			return -1;

	/* the same table with the row norms summed in float */
	struct mat tr_f[N_MODELS + 2], te_f[N_MODELS + 2];
	if (build_sets(tr_f, raw_tr, 1, "train") < 0 || build_sets(te_f, raw_te, 1, "test") < 0) {
		fprintf(stderr, "%s\n", err_msg());
		return -1;
	}
	printf("\nnorms summed in float instead of double (maj, wtd):");
	for (int j = 0; j < N_MODELS + 2; j++) {
		struct knn_result r;
		if (knn_eval(&r, &tr_f[j], ytr, n_classes, &te_f[j], yte, o) < 0)
			return -1;
		printf(" %s %.2f %.2f%s", ref_table[j].name, r.acc_majority[0],
			r.acc_weighted[0], j + 1 < N_MODELS + 2 ? ";" : "\n");
	}
	free_sets(tr_f);
	free_sets(te_f);
	return 0;
}
int main(int argc, char **argv)
{
	int full = argc > 1 && strcmp(argv[1], "--full") == 0;
	const char *file = argc > 1 + full ? argv[1 + full] : "../shared/data/fmnist-ssl-12k.h5";
	hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f < 0) {
		fprintf(stderr, "cannot open %s\n", file);
		return 2;
	}
	struct mat raw_tr[N_MODELS], raw_te[N_MODELS], tr[N_MODELS + 2], te[N_MODELS + 2];
	size_t n_tr, n_te;
	int64_t *ytr = read_labels(f, "train", &n_tr), *yte = read_labels(f, "test", &n_te);
	if (!ytr || !yte)
		return 2;
	for (int j = 0; j < N_MODELS; j++)
		if (read_features(&raw_tr[j], f, "train", models[j]) < 0 ||
		    read_features(&raw_te[j], f, "test", models[j]) < 0)
			return 2;
	H5Fclose(f);
	size_t n_classes;
	if (knn_classes_from_labels(&n_classes, ytr, n_tr) < 0 ||
	    build_sets(tr, raw_tr, 0, "train") < 0 || build_sets(te, raw_te, 0, "test") < 0) {
		fprintf(stderr, "%s\n", err_msg());
		return 2;
	}
	struct knn_opts o;
	knn_opts_default(&o); /* k 20, T 0.07 */
	printf("k-NN on %s: %zu train, %zu test rows, %zu classes, k %zu, T %g\n",
		file, n_tr, n_te, n_classes, o.k[0], o.temperature);
	printf("%-8s %7s %7s %7s | %7s %7s %7s | %-9s | %s\n", "features", "maj", "ref",
		"naive", "wtd", "ref", "naive", "rows off", full ? "seconds (knn_eval, naive)" : "seconds");
	int bad = 0;
	for (int j = 0; j < N_MODELS + 2; j++) {
		struct knn_result r, rn;
		double t0 = now();
		int rc = knn_eval(&r, &tr[j], ytr, n_classes, &te[j], yte, &o);
		double t1 = now();
		if (!full)
			rn = r; /* the naive columns repeat knn_eval's */
		if (rc < 0 || (full && knn_eval_naive(&rn, &tr[j], ytr, n_classes, &te[j], yte, &o) < 0)) {
			fprintf(stderr, "%s\n", err_msg());
			return 2;
		}
		double t2 = now();
		char nm[16], nw[16];
		const struct ref_row *R = &ref_table[j];
		double off_m = (r.acc_majority[0] - R->maj) / 100.0 * (double)n_te;
		double off_w = (r.acc_weighted[0] - R->wtd) / 100.0 * (double)n_te;
		printf("%-8s %7.2f %7.2f %7s | %7.2f %7.2f %7s | %+4.0f %+4.0f | %.3f",
			R->name, r.acc_majority[0], R->maj, fmt2(nm, rn.acc_majority[0], full),
			r.acc_weighted[0], R->wtd, fmt2(nw, rn.acc_weighted[0], full), off_m, off_w,
			t1 - t0);
		if (full)
			printf(" %.2f", t2 - t1);
		printf("\n");
		if (fabs(off_m) > 1.001 || fabs(off_w) > 1.001)
			bad = 1;
		if (rn.n_correct_majority[0] != r.n_correct_majority[0] ||
		    rn.n_correct_weighted[0] != r.n_correct_weighted[0]) {
			printf("# knn_eval and knn_eval_naive disagree on %s\n", R->name);
			bad = 1;
		}
	}
	if (full && full_checks(tr, te, raw_tr, raw_te, ytr, yte, n_classes, &o) < 0)
		return 2;
	free_sets(tr);
	free_sets(te);
	for (int j = 0; j < N_MODELS; j++) {
		mat_free(&raw_tr[j]);
		mat_free(&raw_te[j]);
	}
	free(ytr);
	free(yte);
	printf("%s\n", bad ? "MISMATCH: some accuracy is more than one test row off the table"
			   : "all within one test row of the table");
	return bad;
}
