/* bank-move.c - how far did a learned bank move from its initialisation?
 *
 *   bank-move FILE.h5 LEARNED INIT [LEARNED INIT]...
 *
 * FILE is written by rnr's `save` (a bank NAME is /NAME/psi float32 [n, d]).
 * For each pair of banks with the same shape it prints, over the rows i:
 *   cos(learned_i, init_i): mean, 1st percentile, min;
 *   the mean |learned_i| (rnr does not renormalise the bank);
 *   nn: the mean cosine of init_i to its nearest other init row (first 1000
 *   rows against all), the scale at which k-NN neighbourhoods live: a
 *   movement 1-cos much smaller than 1-nn changes few neighbours.
 *   knn20: the fraction of the 20 nearest init rows (cosine, first 1000 rows
 *   against all) that are still among the 20 nearest in the learned bank.
 * Build (from the top of the tree):
 *   gcc -O2 -I/usr/include/hdf5/serial bench/bank-move.c \
 *       -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5 -lm -o bench/bank-move */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float *read_bank(hid_t f, const char *name, size_t *n, size_t *d)
{
	char path[512];
	snprintf(path, sizeof path, "/%s/psi", name);
	hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
	if (ds < 0) {
		fprintf(stderr, "bank-move: no dataset %s\n", path);
		return NULL;
	}
	hid_t sp = H5Dget_space(ds);
	hsize_t dims[2];
	if (H5Sget_simple_extent_ndims(sp) != 2) {
		fprintf(stderr, "bank-move: %s is not 2-D\n", path);
		return NULL;
	}
	H5Sget_simple_extent_dims(sp, dims, NULL);
	*n = dims[0];
	*d = dims[1];
	float *x = malloc(sizeof *x * *n * *d);
	if (!x || H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0) {
		fprintf(stderr, "bank-move: cannot read %s\n", path);
		free(x);
		return NULL;
	}
	H5Sclose(sp);
	H5Dclose(ds);
	return x;
}

static void normalise(float *x, size_t n, size_t d, double *norms)
{
	for (size_t i = 0; i < n; i++) {
		double s = 0;
		for (size_t j = 0; j < d; j++)
			s += (double)x[i * d + j] * x[i * d + j];
		s = sqrt(s);
		if (norms)
			norms[i] = s;
		if (s > 0)
			for (size_t j = 0; j < d; j++)
				x[i * d + j] = (float)(x[i * d + j] / s);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#define K 20
/* indices of the K most similar rows to row q (excluding q), by cosine */
static void topk(const float *x, size_t n, size_t d, size_t q, size_t *idx, double *best)
{
	double sim[K];
	size_t cnt = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == q)
			continue;
		double s = 0;
		for (size_t j = 0; j < d; j++)
			s += (double)x[q * d + j] * x[i * d + j];
		if (cnt < K || s > sim[cnt - 1]) {
			size_t p = cnt < K ? cnt++ : K - 1;
			while (p > 0 && sim[p - 1] < s) {
				sim[p] = sim[p - 1];
				idx[p] = idx[p - 1];
				p--;
			}
			sim[p] = s;
			idx[p] = i;
		}
	}
	*best = sim[0];
}

int main(int argc, char **argv)
{
	if (argc < 4 || (argc - 2) % 2) {
		fprintf(stderr, "usage: bank-move FILE.h5 LEARNED INIT [LEARNED INIT]...\n");
		return 2;
	}
	hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f < 0)
		return 1;
	printf("%-14s %-14s %9s %9s %9s %7s %8s %7s\n", "learned", "init", "mean_cos", "p1_cos",
	       "min_cos", "|psi|", "nn_init", "knn20");
	for (int a = 2; a + 1 < argc; a += 2) {
		size_t n, d, n2, d2;
		float *L = read_bank(f, argv[a], &n, &d), *I = read_bank(f, argv[a + 1], &n2, &d2);
		if (!L || !I || n != n2 || d != d2) {
			fprintf(stderr, "bank-move: %s and %s differ in shape\n", argv[a], argv[a + 1]);
			return 1;
		}
		double *norms = malloc(sizeof *norms * n), *c = malloc(sizeof *c * n);
		normalise(L, n, d, norms);
		normalise(I, n, d, NULL);
		double sc = 0, sn = 0;
		for (size_t i = 0; i < n; i++) {
			double s = 0;
			for (size_t j = 0; j < d; j++)
				s += (double)L[i * d + j] * I[i * d + j];
			c[i] = s;
			sc += s;
			sn += norms[i];
		}
		qsort(c, n, sizeof *c, cmp_double);
		size_t q = n < 1000 ? n : 1000;
		double snn = 0, keep = 0;
		for (size_t i = 0; i < q; i++) {
			size_t ia[K], ib[K];
			double b0, b1;
			topk(I, n, d, i, ia, &b0);
			topk(L, n, d, i, ib, &b1);
			snn += b0;
			for (int u = 0; u < K; u++)
				for (int v = 0; v < K; v++)
					if (ia[u] == ib[v]) {
						keep++;
						break;
					}
		}
		printf("%-14s %-14s %9.5f %9.5f %9.5f %7.4f %8.5f %7.3f\n", argv[a], argv[a + 1],
		       sc / n, c[n / 100], c[0], sn / n, snn / q, keep / (q * K));
		free(L);
		free(I);
		free(norms);
		free(c);
	}
	H5Fclose(f);
	return 0;
}
