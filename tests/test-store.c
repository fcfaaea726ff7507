/* test-store.c - the HDF5 store: loading feature caches (a good file,
 * float64, every malformed case with the words its message must hold),
 * saving and loading objects bit for bit, and the atomic save.
 *
 * Fixture files are written here with the HDF5 C API into a fresh temp
 * directory.  `test-store --write FILE` only writes a saved file (a cache
 * and a bank with known values) for tests/test-store-h5py.sh to read. */
#include "err.h"
#include "h5-cache.h"
#include "h5-rehearse.h"
#include "h5-store.h"
#include "h5-util.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "tap.h"

#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

/* fixture writing must not fail silently: stop the whole test */
#define H5_MUST(x) do { \
	if ((x) < 0) { \
		printf("Bail out! %s:%d: %s failed\n", __FILE__, __LINE__, #x); \
		exit(1); \
	} \
} while (0)

static const char *in_tmp(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
	return buf[k];
}

/* a cache file's splits as cache objects, as `load` makes them */
static int load_caches(const char *path, const char *prefix, struct cache ***c, size_t *n)
{
	struct cache_split *s;
	if (h5_cache_load(path, prefix, &s, n) < 0)
		return -1;
	return cache_adopt_all(s, *n, c);
}

static hid_t new_file(const char *name)
{
	hid_t f = H5Fcreate(in_tmp(name), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	H5_MUST(f);
	return f;
}

/* dataset at path (groups made on the way) of ftype, data in mtype */
static void put(hid_t f, const char *path, hid_t ftype, hid_t mtype, int rank,
		const hsize_t *dims, const void *data)
{
	hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
	H5_MUST(H5Pset_create_intermediate_group(lcpl, 1));
	hid_t sp = H5Screate_simple(rank, dims, NULL);
	hid_t d = H5Dcreate2(f, path, ftype, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
	H5_MUST(d);
	if (data)
		H5_MUST(H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
	H5Dclose(d);
	H5Sclose(sp);
	H5Pclose(lcpl);
}

static void put_f32(hid_t f, const char *path, hsize_t r, hsize_t c, const float *v)
{
	hsize_t dims[2] = { r, c };
	put(f, path, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, dims, v);
}

static void put_i64(hid_t f, const char *path, hsize_t n, const int64_t *v)
{
	put(f, path, H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &n, v);
}

/* fixed-length NULLPAD ASCII strings, as in the shared data file */
static void put_fixed_strs(hid_t obj, const char *name, const char *const *v, size_t n,
			   int scalar)
{
	size_t w = 1;
	for (size_t i = 0; i < n; i++)
		w = strlen(v[i]) > w ? strlen(v[i]) : w;
	char *buf = calloc(n, w);
	for (size_t i = 0; i < n; i++)
		memcpy(buf + i * w, v[i], strlen(v[i]));
	hid_t t = H5Tcopy(H5T_C_S1);
	H5_MUST(H5Tset_size(t, w));
	H5_MUST(H5Tset_strpad(t, H5T_STR_NULLPAD));
	hsize_t dim = n;
	hid_t sp = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL);
	hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
	H5_MUST(a);
	H5_MUST(H5Awrite(a, t, buf));
	H5Aclose(a);
	H5Sclose(sp);
	H5Tclose(t);
	free(buf);
}

/* variable-length UTF-8 strings, as h5py writes them */
static void put_vlen_strs(hid_t obj, const char *name, const char *const *v, size_t n)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	H5_MUST(H5Tset_size(t, H5T_VARIABLE));
	H5_MUST(H5Tset_cset(t, H5T_CSET_UTF8));
	hsize_t dim = n;
	hid_t sp = H5Screate_simple(1, &dim, NULL);
	hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
	H5_MUST(a);
	H5_MUST(H5Awrite(a, t, v));
	H5Aclose(a);
	H5Sclose(sp);
	H5Tclose(t);
}

static void put_i64_attr(hid_t obj, const char *name, int64_t v)
{
	hid_t sp = H5Screate(H5S_SCALAR);
	hid_t a = H5Acreate2(obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
	H5_MUST(a);
	H5_MUST(H5Awrite(a, H5T_NATIVE_INT64, &v));
	H5Aclose(a);
	H5Sclose(sp);
}

/* ---- the good file ----------------------------------------------------------- */

/* train: 6 rows; alpha [6x3], beta [6x2] with row 2 all zero; test: 4 rows */
static const float train_alpha[18] = { 3, 4, 0, 1, 2, 2, -1, 0, 0, 0.5f, 0.5f, 0.5f,
				       10, 0, 0, 2, 3, 6 };
static const float train_beta[12] = { 1, 1, 0, 2, 0, 0, 3, 4, -5, 12, 7, 0 };
static const int64_t train_y[6] = { 0, 1, 2, 0, 1, 2 };
static const float test_alpha[12] = { 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1 };
static const float test_beta[8] = { 1, 0, 0, 1, 1, 1, 2, 1 };
static const int64_t test_y[4] = { 2, 1, 0, 0 };

static void write_good(const char *name)
{
	hid_t f = new_file(name);
	put_f32(f, "/train/features/alpha", 6, 3, train_alpha);
	put_f32(f, "/train/features/beta", 6, 2, train_beta);
	put_i64(f, "/train/labels", 6, train_y);
	put_f32(f, "/test/features/alpha", 4, 3, test_alpha);
	put_f32(f, "/test/features/beta", 4, 2, test_beta);
	put_i64(f, "/test/labels", 4, test_y);
	put_fixed_strs(f, "models", (const char *[]){ "beta", "alpha" }, 2, 0);
	put_fixed_strs(f, "dataset", (const char *[]){ "toy set" }, 1, 1);
	put_vlen_strs(f, "class_names", (const char *[]){ "zéro", "one", "two" }, 3);
	put_i64_attr(f, "feature_dim", 3);
	/* a name the saved object's header owns: must survive a round trip */
	put_fixed_strs(f, "note", (const char *[]){ "the file's own note" }, 1, 1);
	H5Fclose(f);
}

static const struct attr *find_attr(const struct cache *c, const char *key)
{
	for (size_t i = 0; i < c->n_attr; i++)
		if (strcmp(c->attr[i].key, key) == 0)
			return &c->attr[i];
	return NULL;
}

/* every row of m has norm 1 (or is zero); the worst deviation */
static double worst_norm_error(const struct mat *m)
{
	double worst = 0.0;
	for (size_t i = 0; i < m->rows; i++) {
		double ss = 0.0;
		for (size_t c = 0; c < m->cols; c++)
			ss += (double)mat_row(m, i)[c] * mat_row(m, i)[c];
		if (ss != 0.0 && fabs(sqrt(ss) - 1.0) > worst)
			worst = fabs(sqrt(ss) - 1.0);
	}
	return worst;
}

/* max |m - normalise(raw)| over all entries */
static double diff_normalised(const struct mat *m, const float *raw)
{
	double worst = 0.0;
	for (size_t i = 0; i < m->rows; i++) {
		double ss = 0.0;
		for (size_t c = 0; c < m->cols; c++)
			ss += (double)raw[i * m->cols + c] * raw[i * m->cols + c];
		for (size_t c = 0; c < m->cols; c++) {
			double want = ss > 0 ? raw[i * m->cols + c] / sqrt(ss) : 0.0;
			double e = fabs(mat_row(m, i)[c] - want);
			worst = e > worst ? e : worst;
		}
	}
	return worst;
}

static void free_caches(struct cache **c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		obj_free(&c[i]->base);
	free(c);
}

static void check_train(const struct cache *c)
{
	tap_ok(c->n == 6 && c->m == 2, "train: 6 rows, 2 models (got %zu, %zu)", c->n, c->m);
	tap_ok(c->m == 2 && !strcmp(c->model[0], "beta") && !strcmp(c->model[1], "alpha"),
	       "train: models in the order of the `models` attribute (beta, alpha)");
	tap_ok(c->feat[0].rows == 6 && c->feat[0].cols == 2 && c->feat[1].cols == 3,
	       "train: beta 6x2, alpha 6x3 (got %zux%zu, %zux%zu)", c->feat[0].rows,
	       c->feat[0].cols, c->feat[1].rows, c->feat[1].cols);
	double e0 = worst_norm_error(&c->feat[0]), e1 = worst_norm_error(&c->feat[1]);
	tap_ok(e0 <= 1e-6 && e1 <= 1e-6, "train: row norms 1 within 1e-6 (worst %.2g, %.2g)",
	       e0, e1);
	double d0 = diff_normalised(&c->feat[0], train_beta);
	double d1 = diff_normalised(&c->feat[1], train_alpha);
	tap_ok(d0 <= 1e-6 && d1 <= 1e-6, "train: values are the normalised rows (max diff %.2g, %.2g)",
	       d0, d1);
	tap_ok(c->zero_rows[0] == 1 && c->zero_rows[1] == 0,
	       "train: zero row of beta counted (zero_rows %zu, %zu), kept zero (%g %g)",
	       c->zero_rows[0], c->zero_rows[1], mat_row(&c->feat[0], 2)[0],
	       mat_row(&c->feat[0], 2)[1]);
	tap_ok(c->labels && !memcmp(c->labels, train_y, sizeof train_y) && c->n_classes == 3,
	       "train: labels as written, 3 classes (got %zu)", c->n_classes);
	const struct attr *ds = find_attr(c, "dataset"), *cn = find_attr(c, "class_names");
	const struct attr *fd = find_attr(c, "feature_dim");
	tap_ok(ds && ds->n == 1 && !strcmp(ds->v[0], "toy set"),
	       "fixed-length string attribute read: dataset = '%s'", ds ? ds->v[0] : "(none)");
	tap_ok(cn && cn->n == 3 && !strcmp(cn->v[0], "zéro") && !strcmp(cn->v[2], "two"),
	       "variable-length UTF-8 string array read: class_names[0] = '%s'",
	       cn && cn->n ? cn->v[0] : "(none)");
	tap_ok(fd && fd->n == 1 && !strcmp(fd->v[0], "3"),
	       "integer attribute rendered as text: feature_dim = '%s'", fd ? fd->v[0] : "(none)");
}

static void test_good(void)
{
	write_good("good.h5");
	struct cache **c = NULL;
	size_t n = 0;
	int rc = load_caches(in_tmp("good.h5"), NULL, &c, &n);
	tap_ok(rc == 0 && n == 2, "good.h5 loads as 2 caches (%s)", rc ? err_msg() : "ok");
	if (rc != 0 || n != 2)
		return;
	tap_ok(!strcmp(c[0]->base.name, "good.test") && !strcmp(c[1]->base.name, "good.train"),
	       "caches named PREFIX.SPLIT from the basename: %s, %s", c[0]->base.name,
	       c[1]->base.name);
	check_train(c[1]);
	tap_ok(c[0]->n == 4 && c[0]->labels && c[0]->labels[0] == 2 && c[0]->n_classes == 3,
	       "test split: 4 rows, its labels");
	char shape[64];
	c[1]->base.type->shape(&c[1]->base, shape, sizeof shape);
	tap_ok(!strcmp(shape, "6 x (2+3)"), "shape of mixed dims: '%s'", shape);
	free_caches(c, n);

	rc = load_caches(in_tmp("good.h5"), "fm", &c, &n);
	tap_ok(rc == 0 && n == 2 && !strcmp(c[1]->base.name, "fm.train"),
	       "`as fm` names the caches fm.test, fm.train");
	if (rc == 0)
		free_caches(c, n);
}

static void test_float64(void)
{
	hid_t f = new_file("f64.h5");
	const double v[6] = { 3, 4, 1e-3, 0, 1, 1 };
	const float vf[6] = { 3, 4, 1e-3f, 0, 1, 1 };
	hsize_t dims[2] = { 3, 2 };
	put(f, "/features/m", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, v);
	H5Fclose(f);
	struct cache **c = NULL;
	size_t n = 0;
	int rc = load_caches(in_tmp("f64.h5"), "x", &c, &n);
	tap_ok(rc == 0 && n == 1, "float64 features load (%s)", rc ? err_msg() : "ok");
	if (rc)
		return;
	double d = diff_normalised(&c[0]->feat[0], vf);
	tap_ok(!strcmp(c[0]->base.name, "x") && d <= 1e-6 && !c[0]->labels,
	       "float64 converted to float32 and normalised (max diff %.2g); a root split is "
	       "named by the prefix alone (%s)", d, c[0]->base.name);
	free_caches(c, n);
}

/* ---- malformed files ----------------------------------------------------------- */

/* loading name fails, returns nothing, and the message holds every word */
static void expect_fail(const char *name, const char *what, const char *const *words)
{
	struct cache **c = (struct cache **)&tmpdir; /* sentinels: must stay */
	size_t n = 777;
	int rc = load_caches(in_tmp(name), NULL, &c, &n);
	int ok = rc == -1 && c == (struct cache **)&tmpdir && n == 777;
	const char *missing = NULL;
	for (size_t i = 0; words[i] && !missing; i++)
		if (!strstr(err_msg(), words[i]))
			missing = words[i];
	tap_ok(ok && !missing, "%s: refused, nothing returned, message names '%s': %s", what,
	       missing ? missing : words[0], rc ? err_msg() : "(loaded!)");
	if (rc == 0)
		free_caches(c, n);
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_malformed_files(void)
{
	FILE *t = fopen(in_tmp("notes.h5"), "w");
	fputs("this is not HDF5\n", t);
	fclose(t);
	expect_fail("notes.h5", "a text file", WORDS("notes.h5", "not an HDF5 file"));
	expect_fail("absent.h5", "a missing file", WORDS("absent.h5", "no such file"));

	hid_t f = new_file("nosplit.h5");
	put_i64(f, "/stuff/numbers", 3, test_y);
	H5Fclose(f);
	expect_fail("nosplit.h5", "no split", WORDS("nosplit.h5", "no split", "features/<model>"));

	f = new_file("oned.h5");
	put(f, "/train/features/a", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, (hsize_t[]){ 5 },
	    train_alpha);
	H5Fclose(f);
	expect_fail("oned.h5", "1-D features", WORDS("oned.h5", "/train/features/a", "2-D", "1-D"));

	f = new_file("rows.h5");
	put_f32(f, "/train/features/a", 6, 3, train_alpha);
	put_f32(f, "/train/features/b", 4, 3, train_alpha);
	H5Fclose(f);
	expect_fail("rows.h5", "models disagree on rows",
		    WORDS("rows.h5", "/train/features/b", "4 rows", "/train/features/a", "6"));

	f = new_file("strfeat.h5");
	hid_t st = H5Tcopy(H5T_C_S1);
	H5Tset_size(st, 4);
	put(f, "/train/features/a", st, st, 1, (hsize_t[]){ 2 }, "abcdefgh");
	H5Tclose(st);
	H5Fclose(f);
	expect_fail("strfeat.h5", "string dataset", WORDS("strfeat.h5", "/train/features/a", "string"));

	f = new_file("group.h5");
	put_f32(f, "/train/features/a/inner", 6, 3, train_alpha);
	H5Fclose(f);
	expect_fail("group.h5", "a group where a model's dataset belongs",
		    WORDS("group.h5", "/train/features/a", "group"));
}

static void test_malformed_values(void)
{
	float bad[18];
	memcpy(bad, train_alpha, sizeof bad);
	bad[4] = NAN; /* row 1, column 1 */
	hid_t f = new_file("nan.h5");
	put_f32(f, "/train/features/ok", 6, 3, train_alpha);
	put_f32(f, "/train/features/sick", 6, 3, bad);
	H5Fclose(f);
	expect_fail("nan.h5", "NaN", WORDS("nan.h5", "/train/features/sick", "row 1", "column 1", "NaN"));

	bad[4] = 1.0f;
	bad[17] = -INFINITY;
	f = new_file("inf.h5");
	put_f32(f, "/train/features/m", 6, 3, bad);
	H5Fclose(f);
	expect_fail("inf.h5", "-Inf", WORDS("inf.h5", "/train/features/m", "row 5", "-Inf"));

	f = new_file("lablen.h5");
	put_f32(f, "/train/features/a", 6, 3, train_alpha);
	put_i64(f, "/train/labels", 4, test_y);
	H5Fclose(f);
	expect_fail("lablen.h5", "labels of another length",
		    WORDS("lablen.h5", "/train/labels", "4 labels", "6 rows"));

	f = new_file("labtype.h5");
	put_f32(f, "/train/features/a", 6, 3, train_alpha);
	put_f32(f, "/train/labels", 6, 1, train_alpha);
	H5Fclose(f);
	expect_fail("labtype.h5", "float 2-D labels",
		    WORDS("labtype.h5", "/train/labels", "1-D integers", "float"));

	const int64_t neg[6] = { 0, 1, -1, 0, 1, 2 };
	f = new_file("neg.h5");
	put_f32(f, "/train/features/a", 6, 3, train_alpha);
	put_i64(f, "/train/labels", 6, neg);
	H5Fclose(f);
	expect_fail("neg.h5", "a negative label", WORDS("neg.h5", "/train/labels", "row 2", "-1"));
}

static void test_malformed_layout(void)
{
	hid_t f = new_file("split-models.h5");
	put_f32(f, "/train/features/a", 6, 3, train_alpha);
	put_f32(f, "/train/features/b", 6, 2, train_beta);
	put_f32(f, "/test/features/a", 4, 3, test_alpha);
	H5Fclose(f);
	expect_fail("split-models.h5", "a split lacking a model",
		    WORDS("split-models.h5", "/test/features/b", "missing"));

	f = new_file("nofeat.h5");
	put_f32(f, "/train/features/a", 6, 3, train_alpha);
	put_i64(f, "/val/labels", 4, test_y);
	H5Fclose(f);
	expect_fail("nofeat.h5", "labels without a features group",
		    WORDS("nofeat.h5", "/val/labels", "/val/features"));

	/* a chunked dataset claims its extent without storing it: 2^40 x 2^20 */
	f = new_file("huge.h5");
	hsize_t dims[2] = { (hsize_t)1 << 40, (hsize_t)1 << 20 }, chunk[2] = { 1, 1024 };
	hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
	H5_MUST(H5Pset_chunk(dcpl, 2, chunk));
	hid_t sp = H5Screate_simple(2, dims, NULL);
	H5_MUST(H5Gclose(H5Gcreate2(f, "/features", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)));
	hid_t d = H5Dcreate2(f, "/features/big", H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	H5_MUST(d);
	H5Dclose(d);
	H5Sclose(sp);
	H5Pclose(dcpl);
	H5Fclose(f);
	expect_fail("huge.h5", "a dataset larger than memory",
		    WORDS("huge.h5", "/features/big", "bytes", "memory"));

	/* h5py's lzf (filter 32000), set optional so HDF5 lets us create it */
	f = new_file("lzf.h5");
	dcpl = H5Pcreate(H5P_DATASET_CREATE);
	hsize_t d2[2] = { 4, 3 }, c2[2] = { 4, 3 };
	H5_MUST(H5Pset_chunk(dcpl, 2, c2));
	H5_MUST(H5Pset_filter(dcpl, 32000, H5Z_FLAG_OPTIONAL, 0, NULL));
	sp = H5Screate_simple(2, d2, NULL);
	H5_MUST(H5Gclose(H5Gcreate2(f, "/features", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)));
	d = H5Dcreate2(f, "/features/z", H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	H5_MUST(d);
	H5Dclose(d);
	H5Sclose(sp);
	H5Pclose(dcpl);
	H5Fclose(f);
	if (H5Zfilter_avail(32000) > 0)
		tap_ok(1, "# SKIP lzf plugin installed here: cannot test its absence");
	else
		expect_fail("lzf.h5", "an lzf-compressed dataset without the plugin",
			    WORDS("lzf.h5", "/features/z", "32000", "hdf5-plugin-lzf"));
}

/* ---- save and load ----------------------------------------------------------------- */

static struct bank *make_bank(const char *name, int with_labels)
{
	int64_t y[5] = { 0, 3, 1, 1, 0 };
	struct bank *b = bank_new(name, 5, 4, with_labels ? y : NULL, with_labels ? 7 : 0);
	if (!b) {
		printf("Bail out! bank_new: %s\n", err_msg());
		exit(1);
	}
	for (size_t i = 0; i < 20; i++) /* values with every bit of float32 used */
		b->psi.data[i] = (float)(sin((double)i * 1.7) * pow(10.0, (double)(i % 7) - 3));
	b->psi.data[7] = -0.0f;
	b->psi.data[8] = 1e-40f; /* subnormal */
	obj_set_note(&b->base, "test bank: seed 42, \"quoted\", ünïcode");
	return b;
}

static int same_attrs(const struct cache *a, const struct cache *b)
{
	if (a->n_attr != b->n_attr)
		return 0;
	for (size_t i = 0; i < a->n_attr; i++) {
		const struct attr *x = &a->attr[i], *y = find_attr(b, x->key);
		if (!y || x->n != y->n)
			return 0;
		for (size_t k = 0; k < x->n; k++)
			if (strcmp(x->v[k], y->v[k]))
				return 0;
	}
	return 1;
}

static int same_cache(const struct cache *a, const struct cache *b)
{
	if (a->n != b->n || a->m != b->m || a->n_classes != b->n_classes ||
	    !a->labels != !b->labels ||
	    (a->labels && memcmp(a->labels, b->labels, a->n * sizeof *a->labels)))
		return 0;
	for (size_t j = 0; j < a->m; j++)
		if (strcmp(a->model[j], b->model[j]) || a->zero_rows[j] != b->zero_rows[j] ||
		    a->feat[j].rows != b->feat[j].rows || a->feat[j].cols != b->feat[j].cols ||
		    memcmp(a->feat[j].data, b->feat[j].data, mat_bytes(&a->feat[j])))
			return 0;
	return same_attrs(a, b);
}

static int same_bank(const struct bank *a, const struct bank *b)
{
	return a->psi.rows == b->psi.rows && a->psi.cols == b->psi.cols &&
	       !memcmp(a->psi.data, b->psi.data, mat_bytes(&a->psi)) &&
	       a->n_classes == b->n_classes && !a->labels == !b->labels &&
	       (!a->labels || !memcmp(a->labels, b->labels, a->psi.rows * sizeof *a->labels));
}

static void check_restored(struct obj **o, size_t n, struct obj *const *orig)
{
	tap_ok(n == 3, "3 objects restored (got %zu)", n);
	if (n != 3)
		return;
	for (size_t i = 0; i < 3; i++)
		tap_ok(!strcmp(o[i]->name, orig[i]->name) && o[i]->type == orig[i]->type &&
		       !orig[i]->note == !o[i]->note &&
		       (!o[i]->note || !strcmp(o[i]->note, orig[i]->note)),
		       "object %zu: name '%s', type %s, note '%s' as saved, in save order", i,
		       o[i]->name, o[i]->type->name, o[i]->note ? o[i]->note : "(none)");
	tap_ok(same_cache((struct cache *)orig[0], (struct cache *)o[0]),
	       "cache: models, features (bit for bit), zero rows, labels, attributes "
	       "(one called note too) equal");
	tap_ok(same_bank((struct bank *)orig[1], (struct bank *)o[1]),
	       "bank: psi bit for bit, labels, n_classes 7 (got %zu)",
	       ((struct bank *)o[1])->n_classes);
	tap_ok(same_bank((struct bank *)orig[2], (struct bank *)o[2]) &&
	       !((struct bank *)o[2])->labels, "bank without labels round trip");
}

static void test_round_trip(void)
{
	struct cache **c = NULL;
	size_t nc = 0;
	if (load_caches(in_tmp("good.h5"), "toy", &c, &nc) < 0) {
		printf("Bail out! %s\n", err_msg());
		exit(1);
	}
	struct obj *objs[3] = { &c[1]->base, &make_bank("psi", 1)->base,
				&make_bank("plain", 0)->base };
	free(objs[2]->note);
	objs[2]->note = NULL;
	int rc = h5_store_save(in_tmp("run1.h5"), objs, 3);
	tap_ok(rc == 0, "save a cache and two banks (%s)", rc ? err_msg() : "ok");
	tap_ok(h5_store_is_objects(in_tmp("run1.h5")) == 1 &&
	       h5_store_is_objects(in_tmp("good.h5")) == 0 &&
	       h5_store_is_objects(in_tmp("absent.h5")) == -1,
	       "is_objects: saved file 1, cache file 0, missing file -1");
	struct obj **o = NULL;
	size_t n = 0;
	rc = h5_store_load(in_tmp("run1.h5"), &o, &n);
	tap_ok(rc == 0, "load them back (%s)", rc ? err_msg() : "ok");
	if (rc == 0) {
		check_restored(o, n, objs);
		for (size_t i = 0; i < n; i++)
			obj_free(o[i]);
		free(o);
	}
	/* a saved cache group is itself a split of a feature cache file */
	struct cache **again = NULL;
	size_t na = 0;
	rc = load_caches(in_tmp("run1.h5"), "r", &again, &na);
	tap_ok(rc == 0 && na == 1 && !strcmp(again[0]->base.name, "r.toy.train") &&
	       diff_normalised(&again[0]->feat[1], train_alpha) <= 1e-6,
	       "the saved file loads as a feature cache too (%s)",
	       rc ? err_msg() : na ? again[0]->base.name : "none");
	if (rc == 0)
		free_caches(again, na);
	obj_free(objs[1]);
	obj_free(objs[2]);
	free_caches(c, nc);
}

/* ---- atomic save ------------------------------------------------------------------ */

static void fail_free(struct obj *o)
{
	obj_fini(o);
	free(o);
}

static int fail_save(const struct obj *o, hid_t g)
{
	(void)o;
	(void)g;
	err_set("injected failure");
	return -1;
}

static const struct obj_type fail_type = { .name = "failing", .free = fail_free,
					   .save = fail_save };

/* temporary files left in dir */
static int count_tmp_files(const char *dir)
{
	DIR *d = opendir(dir);
	int k = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		k += strstr(e->d_name, ".tmp-") != NULL;
	if (d)
		closedir(d);
	return k;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	char *b = malloc(*len ? *len : 1);
	if (b && fread(b, 1, *len, f) != *len) {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static void test_atomic_save(void)
{
	struct bank *b = make_bank("keep", 1);
	struct obj *bad = calloc(1, sizeof *bad);
	obj_init(bad, &fail_type, "bad");
	struct obj *one[1] = { &b->base }, *two[2] = { &b->base, bad };

	int rc = h5_store_save(in_tmp("no/such/dir/x.h5"), one, 1);
	tap_ok(rc < 0 && strstr(err_msg(), "no/such/dir/x.h5"),
	       "save into a missing directory fails: %s", err_msg());

	rc = h5_store_save(in_tmp("keep.h5"), one, 1);
	tap_ok(rc == 0, "first save (%s)", rc ? err_msg() : "ok");
	size_t len0 = 0, len1 = 0;
	char *before = slurp(in_tmp("keep.h5"), &len0);
	rc = h5_store_save(in_tmp("keep.h5"), two, 2);
	char *after = slurp(in_tmp("keep.h5"), &len1);
	tap_ok(rc < 0 && strstr(err_msg(), "bad") && strstr(err_msg(), "injected failure"),
	       "a save whose object fails is refused: %s", err_msg());
	tap_ok(before && after && len0 == len1 && !memcmp(before, after, len0),
	       "the failed save left the old file byte for byte (%zu bytes)", len0);
	tap_ok(count_tmp_files(tmpdir) == 0, "no temporary file left behind (%d)",
	       count_tmp_files(tmpdir));
	free(before);
	free(after);

	mkdir(in_tmp("adir"), 0755);
	rc = h5_store_save(in_tmp("adir"), one, 1);
	tap_ok(rc < 0 && count_tmp_files(tmpdir) == 0,
	       "save over a directory fails at the rename, temp file removed: %s", err_msg());

	struct obj *dup[2] = { &b->base, &b->base };
	tap_ok(h5_store_save(in_tmp("dup.h5"), dup, 2) < 0 && strstr(err_msg(), "twice") &&
	       access(in_tmp("dup.h5"), F_OK) != 0, "a name saved twice is refused: %s", err_msg());

	mkdir(in_tmp("ro"), 0555);
	if (access(in_tmp("ro"), W_OK) == 0) {
		tap_ok(1, "# SKIP running as root: a read-only directory is still writable");
	} else {
		rc = h5_store_save(in_tmp("ro/x.h5"), one, 1);
		tap_ok(rc < 0 && count_tmp_files(in_tmp("ro")) == 0,
		       "save into a read-only directory fails, nothing left: %s", err_msg());
	}
	obj_free(bad);
	obj_free(&b->base);
}

/* ---- setup ---------------------------------------------------------------------------- */

static void cleanup(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "chmod -R u+w '%s' && rm -rf '%s'", dir, dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

/* --write FILE: the saved file tests/test-store-h5py.sh reads */
static int write_for_h5py(const char *path)
{
	write_good("good.h5");
	struct cache **c = NULL;
	size_t nc = 0;
	if (load_caches(in_tmp("good.h5"), "toy", &c, &nc) < 0) {
		fprintf(stderr, "test-store: %s\n", err_msg());
		return 1;
	}
	obj_set_note(&c[1]->base, "loaded for the h5py test");
	struct obj *objs[2] = { &c[1]->base, &make_bank("psi", 1)->base };
	int rc = h5_store_save(path, objs, 2);
	if (rc < 0)
		fprintf(stderr, "test-store: %s\n", err_msg());
	obj_free(objs[1]);
	free_caches(c, nc);
	return rc < 0;
}

/* A rehearsal child that ends through libc's cleanup (a library calling
 * exit(), or valgrind's freeres at _exit) must not move the parent's file
 * offsets: a command file read through stdio would be read again from
 * where the child's copy of the stream stood. */
static void exit_in_child(void *arg)
{
	(void)arg;
	exit(0);
}

static void test_rehearsal_keeps_offsets(void)
{
	char path[600];
	snprintf(path, sizeof path, "%s/commands.rnr", tmpdir);
	FILE *w = fopen(path, "w");
	fputs("one\ntwo\nthree\n", w);
	fclose(w);
	FILE *f = fopen(path, "r");
	char line[64];
	int got = fgets(line, sizeof line, f) != NULL;
	unsetenv("RNR_H5_REHEARSAL"); /* "off" would fork no child to test */
	int rc = h5_rehearse(path, exit_in_child, NULL);
	size_t rest = 0;
	while (fgets(line, sizeof line, f))
		rest++;
	fclose(f);
	tap_ok(got && rc == 0 && rest == 2, "a rehearsal child ending in exit() leaves the "
	       "parent's command file where it was (%zu lines read after it, want 2)", rest);
}

int main(int argc, char **argv)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/rnr-test-store-XXXXXX", base);
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! cannot make a temp directory under %s\n", base);
		return 1;
	}
	if (argc == 3 && !strcmp(argv[1], "--write")) {
		int rc = write_for_h5py(argv[2]);
		cleanup(tmpdir);
		return rc;
	}
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	test_good();
	test_float64();
	test_malformed_files();
	test_malformed_values();
	test_malformed_layout();
	test_round_trip();
	test_atomic_save();
	test_rehearsal_keeps_offsets();
	cleanup(tmpdir);
	return tap_done();
}
