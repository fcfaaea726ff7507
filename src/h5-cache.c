/* h5-cache.c - load feature caches from HDF5 (see h5-cache.h).
 *
 * Two phases: plan, then read.  Planning opens every split and every
 * dataset and checks types, shapes, row counts, label shapes, filters and
 * sizes without reading data, so a malformed file is refused before any
 * large allocation; reading then fills the caches and checks the values
 * (finite features, non-negative labels). */
#include "h5-cache.h"
#include "err.h"
#include "h5-util.h"
#include "utf8.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growable list of strings ------------------------------------------ */

struct names {
	char **v; /* [n] */
	size_t n, cap;
};

static void names_free(struct names *l)
{
	h5u_strings_free(l->v, l->n);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* append a copy of s[0..len); -1 with err_set() on OOM */
static int names_push(struct names *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			err_nomem("name list", cap * sizeof *v);
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	char *c = strndup(s, len);
	if (!c) {
		err_nomem("name", len + 1);
		return -1;
	}
	l->v[l->n++] = c;
	return 0;
}

static long names_find(const struct names *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return (long)i;
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- attributes ----------------------------------------------------------- */

static int cmp_attr_key(const void *a, const void *b)
{
	return strcmp(((const struct attr *)a)->key, ((const struct attr *)b)->key);
}


struct attr_scan {
	struct attr *a;
	size_t n;
	int skip_reserved; /* leave out what the object header owns */
	int failed;
};

static int is_reserved_attr(const char *key)
{
	return strcmp(key, "rnr_type") == 0 || strcmp(key, "rnr_version") == 0 ||
	       strcmp(key, "note") == 0;
}

static herr_t attr_cb(hid_t loc, const char *key, const H5A_info_t *info, void *data)
{
	struct attr_scan *s = data;
	(void)info;
	if (s->skip_reserved && is_reserved_attr(key))
		return 0;
	/* a cache saves its own attributes of these names as attr_<name> */
	const char *as = s->skip_reserved && !strncmp(key, "attr_", 5) &&
			 is_reserved_attr(key + 5) ? key + 5 : key;
	struct attr *a = realloc(s->a, (s->n + 1) * sizeof *a);
	if (!a) {
		err_nomem("attributes", (s->n + 1) * sizeof *a);
		s->failed = 1;
		return -1;
	}
	s->a = a;
	struct attr *e = &a[s->n];
	e->key = strdup(as);
	if (!e->key || h5u_attr_text(loc, key, &e->v, &e->n) < 0) {
		if (!e->key)
			err_nomem("attribute name", strlen(as) + 1);
		free(e->key);
		s->failed = 1;
		return -1;
	}
	s->n++;
	return 0;
}

/* All attributes of obj in name order, merged over base[0..n_base) (obj's
 * own win on equal keys).  0 or -1 with err_set(). */
static int read_attrs(hid_t obj, const struct attr *base, size_t n_base,
		      int skip_reserved, struct attr **out, size_t *n_out)
{
	struct attr_scan s = { .a = NULL, .n = 0, .skip_reserved = skip_reserved };
	if (n_base && attr_copy(&s.a, base, n_base) < 0)
		return -1;
	size_t first_own = s.n = n_base;
	hsize_t idx = 0;
	if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, attr_cb, &s) < 0) {
		if (!s.failed)
			h5u_err("cannot list attributes");
		attr_free(s.a, s.n);
		return -1;
	}
	/* drop base entries that the object's own attributes replace */
	size_t k = 0;
	for (size_t i = 0; i < s.n; i++) {
		int shadowed = 0;
		for (size_t j = first_own; i < first_own && j < s.n && !shadowed; j++)
			shadowed = strcmp(s.a[i].key, s.a[j].key) == 0;
		if (shadowed) {
			h5u_strings_free(s.a[i].v, s.a[i].n);
			free(s.a[i].key);
		} else {
			s.a[k++] = s.a[i];
		}
	}
	/* name order whatever the file's names were: attr_note read back as
	 * note sorts where note does, so a save/load round trip keeps it */
	if (k > 1)
		qsort(s.a, k, sizeof *s.a, cmp_attr_key);
	*out = s.a;
	*n_out = k;
	return 0;
}

static const struct attr *attr_find(const struct attr *a, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].key, key) == 0)
			return &a[i];
	return NULL;
}

/* ---- finding the splits ----------------------------------------------------- */

struct scan {
	struct names splits;    /* groups holding a group features/ */
	struct names labelled;  /* groups holding a dataset labels */
	struct names feat_dset; /* groups holding a DATASET features (a hint) */
	int failed;
};

/* push "/" + the parent path of an H5Ovisit name ("train/features") */
static int push_parent(struct names *l, const char *name, const char *base)
{
	size_t plen = base > name ? (size_t)(base - name - 1) : 0;
	char buf[4096];
	if (plen + 2 > sizeof buf) {
		err_set("group path too long: %.60s...", name);
		return -1;
	}
	buf[0] = '/';
	memcpy(buf + 1, name, plen);
	buf[plen + 1] = '\0';
	return names_push(l, buf, plen + 1);
}

static herr_t scan_cb(hid_t o, const char *name, const H5O_info_t *info, void *data)
{
	struct scan *s = data;
	(void)o;
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	struct names *l = NULL;
	if (strcmp(base, "features") == 0)
		l = info->type == H5O_TYPE_GROUP ? &s->splits
			: info->type == H5O_TYPE_DATASET ? &s->feat_dset : NULL;
	else if (strcmp(base, "labels") == 0 && info->type == H5O_TYPE_DATASET)
		l = &s->labelled;
	if (l && push_parent(l, name, base) < 0) {
		s->failed = 1;
		return -1;
	}
	return 0;
}

static void scan_free(struct scan *s)
{
	names_free(&s->splits);
	names_free(&s->labelled);
	names_free(&s->feat_dset);
}

/* the split groups of f, sorted by path; -1 with err_set() if none */
static int find_splits(hid_t f, const char *file, struct scan *s)
{
	memset(s, 0, sizeof *s);
	if (H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, scan_cb, s, H5O_INFO_BASIC) < 0) {
		if (!s->failed)
			h5u_err("%s: cannot walk its groups", file);
		else
			err_prefix("%s", file);
		scan_free(s);
		return -1;
	}
	if (s->splits.n == 0) {
		if (s->feat_dset.n)
			err_set("%s: no split found: %s/features is a dataset, but rnr expects "
				"a group features/ with one float dataset [rows, dim] per model",
				file, strcmp(s->feat_dset.v[0], "/") ? s->feat_dset.v[0] : "");
		else
			err_set("%s: no split found: no group holds features/<model> datasets "
				"(expected e.g. /train/features/<model> float [rows, dim])", file);
		scan_free(s);
		return -1;
	}
	qsort(s->splits.v, s->splits.n, sizeof *s->splits.v, cmp_str);
	/* labels beside no features/ are most likely a misspelt features group;
	 * a saved bank (rnr_type) holds labels beside psi, rightly */
	for (size_t i = 0; i < s->labelled.n; i++)
		if (names_find(&s->splits, s->labelled.v[i]) < 0 &&
		    H5Aexists_by_name(f, s->labelled.v[i], "rnr_type", H5P_DEFAULT) == 0) {
			const char *p = strcmp(s->labelled.v[i], "/") ? s->labelled.v[i] : "";
			err_set("%s: %s/labels has no features group beside it: expected "
				"%s/features/<model> datasets", file, p, p);
			scan_free(s);
			return -1;
		}
	return 0;
}

/* ---- planning one split ----------------------------------------------------- */

struct split {
	char *path;      /* "/train"; "/" for a split at the root */
	struct names model; /* in load order */
	size_t *dim;     /* [model.n] each model's feature dim */
	size_t rows;
	size_t bytes;    /* of all its feature matrices as float32 */
	int has_labels;
};

static void split_free(struct split *s)
{
	free(s->path);
	free(s->dim);
	names_free(&s->model);
}

/* "<path>/<name>" without a double slash at the root */
static void join(char *buf, size_t cap, const char *path, const char *name)
{
	snprintf(buf, cap, "%s/%s", strcmp(path, "/") ? path : "", name);
}

/* Reorder l to order[] (the root attribute models) if order names exactly
 * l's entries.  A name listed twice is refused: the file contradicts
 * itself about its models.  0, or -1 with err_set(). */
static int apply_order(struct names *l, const struct attr *order, const char *file)
{
	for (size_t i = 0; order && i < order->n; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(order->v[i], order->v[k]) == 0) {
				err_set("%s: root attribute 'models' names model '%.200s' twice: "
					"model names must be unique", file, order->v[i]);
				return -1;
			}
	if (!order || order->n != l->n || l->n == 0)
		return 0;
	char **v = calloc(l->n, sizeof *v);
	if (!v)
		return 0; /* keep file order; nothing is lost */
	for (size_t i = 0; i < order->n; i++) {
		long j = names_find(l, order->v[i]);
		if (j < 0) {
			free(v);
			return 0;
		}
		v[i] = l->v[j];
	}
	free(l->v);
	l->v = v;
	l->cap = l->n;
	return 0;
}

/* model names are typed back in options and printed: UTF-8 only */
static int check_model_names(const struct names *l, const char *file, const char *group)
{
	for (size_t i = 0; i < l->n; i++) {
		size_t len = strlen(l->v[i]), bad = utf8_invalid_at(l->v[i], len);
		if (bad < len) {
			err_set("%s: %s: the name of model %zu (counting from 0) is not UTF-8 "
				"(byte %zu is 0x%02x): rename it", file, group, i, bad + 1,
				(unsigned char)l->v[i][bad]);
			return -1;
		}
	}
	return 0;
}

/* type, rank, emptiness, size and filters of a feature/bank matrix */
static int probe_matrix(hid_t d, const char *what, size_t dims[2])
{
	hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
	H5T_class_t cls = t < 0 ? H5T_NO_CLASS : H5Tget_class(t);
	int rank = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
	hsize_t hd[H5S_MAX_RANK] = { 0 };
	char shape[128] = "?";
	if (sp >= 0) {
		H5Sget_simple_extent_dims(sp, hd, NULL);
		h5u_format_dims(sp, shape, sizeof shape);
		H5Sclose(sp);
	}
	if (t >= 0)
		H5Tclose(t);
	if (cls == H5T_STRING) {
		err_set("%s: is a string dataset; expected float features [rows, dim]", what);
	} else if (cls == H5T_INTEGER) {
		/* features of a network are floats: integers are most likely
		 * labels or indices written in the wrong place */
		err_set("%s: is an integer dataset; features must be floating point "
			"(float16, float32 or float64)", what);
	} else if (cls != H5T_FLOAT) {
		err_set("%s: is a %s dataset; expected float features [rows, dim]", what,
			h5u_class_name(cls));
	} else if (rank != 2) {
		err_set("%s: features must be 2-D [rows, dim], found %d-D [%s]", what,
			rank < 0 ? 0 : rank, shape);
	} else if (hd[0] == 0 || hd[1] == 0) {
		err_set("%s: is empty [%s]", what, shape);
	} else {
		return h5u_dataset_dims(d, what, 2, sizeof(float), dims, NULL);
	}
	return -1;
}

/* labels: a 1-D integer dataset of n entries */
static int probe_labels(hid_t d, size_t n, const char *what)
{
	hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
	H5T_class_t cls = t < 0 ? H5T_NO_CLASS : H5Tget_class(t);
	int rank = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
	hsize_t len = 0;
	char shape[128] = "?";
	if (sp >= 0) {
		if (rank == 1)
			H5Sget_simple_extent_dims(sp, &len, NULL);
		h5u_format_dims(sp, shape, sizeof shape);
		H5Sclose(sp);
	}
	if (t >= 0)
		H5Tclose(t);
	if (cls != H5T_INTEGER || rank != 1) {
		err_set("%s: labels must be 1-D integers [rows], found %s [%s]", what,
			h5u_class_name(cls), shape);
		return -1;
	}
	if (len != n) {
		err_set("%s: has %llu labels but the split has %zu rows", what,
			(unsigned long long)len, n);
		return -1;
	}
	return 0;
}

/* open loc/name as a dataset, naming what when it is not one */
static hid_t open_dataset(hid_t loc, const char *name, const char *what)
{
	int has = h5u_has_link(loc, name);
	if (has <= 0) {
		if (has == 0)
			err_set("%s: is missing", what);
		else
			err_prefix("%s", what);
		return -1;
	}
	H5O_type_t ot = h5u_obj_type(loc, name);
	if (ot != H5O_TYPE_DATASET) {
		err_set("%s: is %s, not a dataset", what,
			ot == H5O_TYPE_GROUP ? "a group" : "a broken link or unknown object");
		return -1;
	}
	hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
	if (d < 0)
		h5u_err("%s: cannot open", what);
	return d;
}

/* check every model's dataset and agree on rows; fills s->rows, s->bytes */
static int plan_models(hid_t fg, const char *file, struct split *s)
{
	char what[1024], first[1024] = "";
	if (!(s->dim = calloc(s->model.n, sizeof *s->dim))) {
		err_nomem("model dims", s->model.n * sizeof *s->dim);
		return -1;
	}
	for (size_t j = 0; j < s->model.n; j++) {
		char p[512];
		join(p, sizeof p, s->path, "features");
		snprintf(what, sizeof what, "%s: %s/%s", file, p, s->model.v[j]);
		hid_t d = open_dataset(fg, s->model.v[j], what);
		size_t dims[2];
		int rc = d < 0 ? -1 : probe_matrix(d, what, dims);
		if (d >= 0)
			H5Dclose(d);
		if (rc < 0)
			return -1;
		if (j == 0) {
			s->rows = dims[0];
			snprintf(first, sizeof first, "%s/%s", p, s->model.v[0]);
		} else if (dims[0] != s->rows) {
			err_set("%s has %zu rows but %s has %zu: every model of a split needs "
				"one row per data point", what, dims[0], first, s->rows);
			return -1;
		}
		s->dim[j] = dims[1];
		size_t b = dims[0] * dims[1] * sizeof(float);
		if (s->bytes > SIZE_MAX - b) {
			err_set("%s: split %s overflows the address space", file, s->path);
			return -1;
		}
		s->bytes += b;
	}
	return 0;
}

/* Check everything but the values of split s (the open group g). */
static int plan_split(hid_t g, const char *file, struct split *s, const struct attr *order)
{
	char what[1024];
	join(what, sizeof what, s->path, "features");
	hid_t fg = H5Gopen2(g, "features", H5P_DEFAULT);
	int rc = -1;
	if (fg < 0)
		h5u_err("%s: %s: cannot open", file, what);
	else if (h5u_list_links(fg, &s->model.v, &s->model.n) < 0)
		err_prefix("%s: %s", file, what);
	else if (s->model.n == 0)
		err_set("%s: %s is empty: expected one float dataset [rows, dim] per model",
			file, what);
	else
		rc = 0;
	s->model.cap = s->model.n;
	if (rc == 0)
		rc = check_model_names(&s->model, file, what);
	if (rc == 0)
		rc = apply_order(&s->model, order, file);
	if (rc == 0)
		rc = plan_models(fg, file, s);
	if (rc == 0 && (s->has_labels = h5u_has_link(g, "labels")) != 0) {
		join(what, sizeof what, s->path, "labels");
		char w2[1200];
		snprintf(w2, sizeof w2, "%s: %s", file, what);
		if (s->has_labels < 0)
			err_prefix("%s", w2);
		hid_t d = s->has_labels < 0 ? -1 : open_dataset(g, "labels", w2);
		rc = d < 0 ? -1 : probe_labels(d, s->rows, w2);
		if (d >= 0)
			H5Dclose(d);
	}
	if (fg >= 0)
		H5Gclose(fg);
	return rc;
}

/* a model of split a that split b lacks or has with another dim: -1 with
 * err_set(), else 0 */
static int lacks_model(const char *file, const struct split *a, const struct split *b)
{
	for (size_t j = 0; j < a->model.n; j++) {
		long k = names_find(&b->model, a->model.v[j]);
		char p[512];
		join(p, sizeof p, b->path, "features");
		if (k < 0) {
			err_set("%s: %s/%s is missing (split %s has model %s; every split "
				"needs the same models)", file, p, a->model.v[j], a->path,
				a->model.v[j]);
			return -1;
		}
		if (b->dim[k] != a->dim[j]) {
			err_set("%s: %s/%s has dim %zu but split %s has it with dim %zu: a "
				"model's features have one dim in every split", file, p,
				a->model.v[j], b->dim[k], a->path, a->dim[j]);
			return -1;
		}
	}
	return 0;
}

/* every split must have the models of the first */
static int check_same_models(const char *file, const struct split *s, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (lacks_model(file, &s[0], &s[i]) < 0 || lacks_model(file, &s[i], &s[0]) < 0)
			return -1;
	return 0;
}

/* ---- reading ----------------------------------------------------------------- */

int h5_cache_check_finite(const struct mat *m, const char *what, int wide)
{
	size_t i = mat_find_nonfinite(m);
	if (i == SIZE_MAX)
		return 0;
	float v = m->data[i];
	err_set("%s: row %zu, column %zu (counting from 0) is %s%s; features must be finite",
		what, i / m->cols, i % m->cols, nonfinite_name(v),
		wide && !isnan(v) ? " in float32 (is the stored value beyond float32's "
		"range of 3.4e38?)" : "");
	return -1;
}

int h5_cache_read_matrix(hid_t loc, const char *dname, const char *what, struct mat *m)
{
	hid_t d = open_dataset(loc, dname, what);
	if (d < 0)
		return -1;
	size_t dims[2];
	struct mat t = { 0, 0, NULL };
	int rc = probe_matrix(d, what, dims);
	if (rc == 0)
		rc = mat_init(&t, dims[0], dims[1], what);
	/* HDF5 converts float64 and float16 to float32 as it reads */
	if (rc == 0 && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data) < 0) {
		h5u_err("%s: cannot read", what);
		rc = -1;
	}
	hid_t ft = H5Dget_type(d);
	int wide = ft >= 0 && H5Tget_size(ft) > sizeof(float);
	if (ft >= 0)
		H5Tclose(ft);
	H5Dclose(d);
	if (rc == 0)
		rc = h5_cache_check_finite(&t, what, wide);
	if (rc < 0) {
		if (t.data)
			mat_free(&t);
		return -1;
	}
	*m = t;
	return 0;
}

static int labels_classes(hid_t d, const int64_t *y, size_t n, const char *what,
			  size_t *n_classes)
{
	int64_t declared = 0;
	int has = h5u_attr_i64(d, "n_classes", &declared);
	if (has < 0) {
		err_prefix("%s", what);
		return -1;
	}
	if (has && declared < 1) {
		err_set("%s: attribute n_classes is %" PRId64 "; it must be 1 or more", what,
			declared);
		return -1;
	}
	return h5_cache_count_classes(y, n, has ? declared : 0, what, n_classes);
}

int h5_cache_count_classes(const int64_t *y, size_t n, int64_t declared, const char *what,
			   size_t *n_classes)
{
	int64_t max = -1;
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		if (y[i] < 0) {
			err_set("%s: row %zu has label %" PRId64 "; labels must be 0 or more",
				what, i, y[i]);
			return -1;
		}
		if (y[i] > max) {
			max = y[i];
			at = i;
		}
	}
	if (declared > 0 && max >= declared) {
		err_set("%s: row %zu has label %" PRId64 " but attribute n_classes is %" PRId64
			": labels must be below it", what, at, max, declared);
		return -1;
	}
	/* checked before max + 1, which overflows for a label of INT64_MAX */
	if (max >= H5_CACHE_MAX_CLASSES) {
		err_set("%s: row %zu has label %" PRId64 "; rnr takes at most %" PRId64
			" classes (labels 0 to %" PRId64 ")", what, at, max,
			H5_CACHE_MAX_CLASSES, H5_CACHE_MAX_CLASSES - 1);
		return -1;
	}
	int64_t nc = declared > max ? declared : max + 1;
	if (nc > H5_CACHE_MAX_CLASSES) {
		err_set("%s: attribute n_classes is %" PRId64 "; rnr takes at most %" PRId64
			" classes", what, nc, H5_CACHE_MAX_CLASSES);
		return -1;
	}
	*n_classes = (size_t)nc;
	return 0;
}

int h5_cache_read_labels(hid_t loc, const char *dname, size_t n, const char *what,
			 int64_t **labels, size_t *n_classes)
{
	hid_t d = open_dataset(loc, dname, what);
	if (d < 0)
		return -1;
	int64_t *y = NULL;
	int rc = probe_labels(d, n, what);
	if (rc == 0 && n > SIZE_MAX / sizeof *y) {
		err_set("%s: %zu labels overflow the address space", what, n);
		rc = -1;
	}
	if (rc == 0 && !(y = malloc(n ? n * sizeof *y : 1))) {
		err_nomem(what, n * sizeof *y);
		rc = -1;
	}
	if (rc == 0 && H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) < 0) {
		h5u_err("%s: cannot read", what);
		rc = -1;
	}
	if (rc == 0)
		rc = labels_classes(d, y, n, what, n_classes);
	H5Dclose(d);
	if (rc < 0) {
		free(y);
		return -1;
	}
	*labels = y;
	return 0;
}

/* read the planned split s (group g) into a new cache called name */
static struct cache *read_split(hid_t g, const char *file, const struct split *s,
				const char *name, int normalize)
{
	struct cache *c = cache_new(name, s->rows, s->model.n);
	hid_t fg = c ? H5Gopen2(g, "features", H5P_DEFAULT) : -1;
	int rc = c && fg >= 0 ? 0 : -1;
	if (c && fg < 0)
		h5u_err("%s: %s/features: cannot open", file, s->path);
	char what[1024], p[512];
	join(p, sizeof p, s->path, "features");
	for (size_t j = 0; rc == 0 && j < s->model.n; j++) {
		snprintf(what, sizeof what, "%s: %s/%s", file, p, s->model.v[j]);
		if (!(c->model[j] = strdup(s->model.v[j]))) {
			err_nomem("model name", strlen(s->model.v[j]) + 1);
			rc = -1;
		} else if ((rc = h5_cache_read_matrix(fg, s->model.v[j], what, &c->feat[j])) == 0) {
			size_t first;
			c->zero_rows[j] = normalize ? mat_normalize_rows(&c->feat[j], &first)
						    : cache_zero_rows(&c->feat[j]);
		}
	}
	if (rc == 0 && s->has_labels) {
		join(p, sizeof p, s->path, "labels");
		snprintf(what, sizeof what, "%s: %s", file, p);
		rc = h5_cache_read_labels(g, "labels", s->rows, what, &c->labels, &c->n_classes);
	}
	if (fg >= 0)
		H5Gclose(fg);
	if (rc < 0 && c) {
		obj_free(&c->base);
		c = NULL;
	}
	return c;
}

int h5_cache_write_labels(hid_t g, const int64_t *labels, size_t n, size_t n_classes)
{
	hsize_t dim = n;
	if (h5u_write_dataset(g, "labels", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim, labels) < 0)
		return -1;
	hid_t d = H5Dopen2(g, "labels", H5P_DEFAULT);
	if (d < 0) {
		h5u_err("cannot reopen dataset 'labels'");
		return -1;
	}
	int rc = h5u_write_i64_attr(d, "n_classes", (int64_t)n_classes);
	if (H5Dclose(d) < 0 && rc == 0) {
		h5u_err("cannot write dataset 'labels'");
		rc = -1;
	}
	return rc;
}

/* ---- names ------------------------------------------------------------------- */

/* PREFIX.SPLIT with '/' -> '.' and anything not valid in a name -> '_' */
static char *split_name(const char *prefix, const char *path)
{
	size_t lp = strlen(prefix), ls = strlen(path);
	char *s = malloc(lp + ls + 2);
	if (!s) {
		err_nomem("object name", lp + ls + 2);
		return NULL;
	}
	memcpy(s, prefix, lp);
	size_t k = lp;
	for (const char *p = path; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (p == path && ch == '/')
			ch = strcmp(path, "/") ? '.' : 0;
		else if (ch == '/')
			ch = '.';
		else if (!isalnum(ch) && ch != '_' && ch != '-' && ch != '.')
			ch = '_';
		if (ch)
			s[k++] = (char)ch;
	}
	s[k] = '\0';
	return s;
}

/* the file's basename without extension, as a valid object name */
static void default_prefix(const char *path, char *buf, size_t cap)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	snprintf(buf, cap, "%s", b);
	char *dot = strrchr(buf, '.');
	if (dot && dot != buf)
		*dot = '\0';
	for (char *p = buf; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
			*p = '_';
	if (!isalpha((unsigned char)buf[0]) && buf[0] != '_' && strlen(buf) + 1 < cap) {
		memmove(buf + 1, buf, strlen(buf) + 1);
		buf[0] = '_';
	}
}

/* ---- the entry points ----------------------------------------------------------- */

/* read every planned split; all or nothing */
static int read_all(hid_t f, const char *file, const char *prefix, struct split *sp,
		    size_t n, const struct attr *root, size_t n_root, struct cache **out)
{
	size_t done = 0;
	for (; done < n; done++) {
		char *name = split_name(prefix, sp[done].path);
		hid_t g = name ? H5Gopen2(f, sp[done].path, H5P_DEFAULT) : -1;
		if (name && g < 0)
			h5u_err("%s: %s: cannot open", file, sp[done].path);
		struct cache *c = g < 0 ? NULL : read_split(g, file, &sp[done], name, 1);
		free(name);
		if (c) {
			obj_set_note(&c->base, "loaded from %s, group %s", file, sp[done].path);
			/* a cache saved by rnr: its rnr_type, rnr_version and note
			 * describe the saved object, not the data */
			int saved = H5Aexists(g, "rnr_type") > 0;
			if (read_attrs(g, root, n_root, saved, &c->attr, &c->n_attr) < 0) {
				err_prefix("%s: %s", file, sp[done].path);
				obj_free(&c->base);
				c = NULL;
			}
		}
		if (g >= 0)
			H5Gclose(g);
		if (!c)
			break;
		out[done] = c;
	}
	if (done == n)
		return 0;
	while (done > 0)
		obj_free(&out[--done]->base);
	return -1;
}

/* plan every split of the scan and check they fit in memory together */
static int plan_all(hid_t f, const char *file, const struct scan *sc, struct split *sp,
		    const struct attr *order)
{
	size_t total = 0;
	for (size_t i = 0; i < sc->splits.n; i++) {
		if (!(sp[i].path = strdup(sc->splits.v[i]))) {
			err_nomem("group path", strlen(sc->splits.v[i]) + 1);
			return -1;
		}
		hid_t g = H5Gopen2(f, sp[i].path, H5P_DEFAULT);
		if (g < 0) {
			h5u_err("%s: %s: cannot open", file, sp[i].path);
			return -1;
		}
		int rc = plan_split(g, file, &sp[i], order);
		H5Gclose(g);
		if (rc < 0)
			return -1;
		if (total > SIZE_MAX - sp[i].bytes) {
			err_set("%s: its splits together overflow the address space", file);
			return -1;
		}
		total += sp[i].bytes;
	}
	if (check_same_models(file, sp, sc->splits.n) < 0)
		return -1;
	char what[1100];
	snprintf(what, sizeof what, "%s: all its splits", file);
	return mat_check_bytes(total, what);
}

struct load_args {
	const char *path, *prefix;
};

/* the child of h5u_rehearse(): it frees what it loaded, so that a leak
 * checker (valgrind's exit status, LeakSanitizer's) fails the child only
 * for a real leak, which then fails the load */
static void rehearse_load(void *arg)
{
	const struct load_args *a = arg;
	struct cache **c;
	size_t n;
	if (h5_cache_load(a->path, a->prefix, &c, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		obj_free(&c[i]->base);
	free(c);
}

int h5_cache_load(const char *path, const char *prefix, struct cache ***caches,
		  size_t *n_caches)
{
	h5u_quiet();
	char pbuf[256];
	if (!prefix) {
		default_prefix(path, pbuf, sizeof pbuf);
		prefix = pbuf;
	}
	if (h5u_rehearse(path, rehearse_load, &(struct load_args){ path, prefix }) < 0)
		return -1;
	hid_t f = h5u_open_read(path);
	if (f < 0)
		return -1;
	struct scan sc;
	struct attr *root = NULL;
	size_t n_root = 0;
	int rc = find_splits(f, path, &sc);
	if (rc < 0) {
		H5Fclose(f);
		return -1;
	}
	size_t n = sc.splits.n;
	struct split *sp = calloc(n, sizeof *sp);
	struct cache **out = calloc(n, sizeof *out);
	if (!sp || !out) {
		err_nomem("splits", n * (sizeof *sp + sizeof *out));
		rc = -1;
	} else if (read_attrs(f, NULL, 0, 0, &root, &n_root) < 0) {
		err_prefix("%s: root attributes", path);
		rc = -1;
	}
	if (rc == 0)
		rc = plan_all(f, path, &sc, sp, attr_find(root, n_root, "models"));
	if (rc == 0)
		rc = read_all(f, path, prefix, sp, n, root, n_root, out);
	for (size_t i = 0; sp && i < n; i++)
		split_free(&sp[i]);
	free(sp);
	attr_free(root, n_root);
	scan_free(&sc);
	H5Fclose(f);
	if (rc < 0) {
		free(out);
		return -1;
	}
	*caches = out;
	*n_caches = n;
	return 0;
}

struct cache *h5_cache_read_group(hid_t g, const char *name, int normalize)
{
	h5u_quiet();
	char file[1024], path[1024];
	h5u_where(g, file, sizeof file, path, sizeof path);
	struct split s = { .path = path };
	struct cache *c = NULL;
	if (h5u_has_link(g, "features") <= 0) {
		err_set("%s: %s/features is missing", file, strcmp(path, "/") ? path : "");
		return NULL;
	}
	if (plan_split(g, file, &s, NULL) == 0)
		c = read_split(g, file, &s, name, normalize);
	free(s.dim);
	names_free(&s.model);
	if (c && read_attrs(g, NULL, 0, 1, &c->attr, &c->n_attr) < 0) {
		err_prefix("%s: %s", file, path);
		obj_free(&c->base);
		c = NULL;
	}
	return c;
}
