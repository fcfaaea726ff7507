/* h5-scan.c - reading the layout of a cache file: which groups are splits,
 * what models each holds, and a plan of every dataset checked before any
 * data is read (see h5-scan.h). */
#include "h5-scan.h"
#include "err.h"
#include "h5-array.h"
#include "h5-util.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

/* ---- a growable list of strings ------------------------------------------ */

void h5_scan_names_free(struct h5_names *l)
{
	h5u_strings_free(l->v, l->n);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* append a copy of s[0..len); -1 with err_set() on OOM */
int h5_scan_names_push(struct h5_names *l, const char *s, size_t len)
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

long h5_scan_names_find(const struct h5_names *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return (long)i;
	return -1;
}

int h5_scan_names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- finding the splits ----------------------------------------------------- */

/* push "/" + the parent path of an H5Ovisit name ("train/features") */
static int push_parent(struct h5_names *l, const char *name, const char *base)
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
	return h5_scan_names_push(l, buf, plen + 1);
}

static herr_t scan_cb(hid_t o, const char *name, const H5O_info_t *info, void *data)
{
	struct h5_scan *s = data;
	(void)o;
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	struct h5_names *l = NULL;
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

void h5_scan_free(struct h5_scan *s)
{
	h5_scan_names_free(&s->splits);
	h5_scan_names_free(&s->labelled);
	h5_scan_names_free(&s->feat_dset);
}

/* the split groups of f, sorted by path; -1 with err_set() if none */
int h5_scan_find(hid_t f, const char *file, struct h5_scan *s)
{
	memset(s, 0, sizeof *s);
	if (H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, scan_cb, s, H5O_INFO_BASIC) < 0) {
		if (!s->failed)
			h5u_err("%s: cannot walk its groups", file);
		else
			err_prefix("%s", file);
		h5_scan_free(s);
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
		h5_scan_free(s);
		return -1;
	}
	qsort(s->splits.v, s->splits.n, sizeof *s->splits.v, h5_scan_names_cmp);
	/* labels beside no features/ are most likely a misspelt features group;
	 * a saved bank (rnr_type) holds labels beside psi, rightly */
	for (size_t i = 0; i < s->labelled.n; i++)
		if (h5_scan_names_find(&s->splits, s->labelled.v[i]) < 0 &&
		    H5Aexists_by_name(f, s->labelled.v[i], "rnr_type", H5P_DEFAULT) == 0) {
			const char *p = strcmp(s->labelled.v[i], "/") ? s->labelled.v[i] : "";
			err_set("%s: %s/labels has no features group beside it: expected "
				"%s/features/<model> datasets", file, p, p);
			h5_scan_free(s);
			return -1;
		}
	return 0;
}

/* ---- planning one split ----------------------------------------------------- */

void h5_scan_plan_free(struct h5_plan *s)
{
	free(s->path);
	free(s->dim);
	h5_scan_names_free(&s->model);
}

/* "<path>/<name>" without a double slash at the root */
void h5_scan_join(char *buf, size_t cap, const char *path, const char *name)
{
	snprintf(buf, cap, "%s/%s", strcmp(path, "/") ? path : "", name);
}

/* Reorder l to order[] (the root attribute models) if order names exactly
 * l's entries.  A name listed twice is refused: the file contradicts
 * itself about its models.  0, or -1 with err_set(). */
static int apply_order(struct h5_names *l, const struct attr *order, const char *file)
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
		long j = h5_scan_names_find(l, order->v[i]);
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
static int check_model_names(const struct h5_names *l, const char *file, const char *group)
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

/* check every model's dataset and agree on rows; fills s->rows, s->bytes */
static int plan_models(hid_t fg, const char *file, struct h5_plan *s)
{
	char what[1024], first[1024] = "";
	if (!(s->dim = calloc(s->model.n, sizeof *s->dim))) {
		err_nomem("model dims", s->model.n * sizeof *s->dim);
		return -1;
	}
	for (size_t j = 0; j < s->model.n; j++) {
		char p[512];
		h5_scan_join(p, sizeof p, s->path, "features");
		snprintf(what, sizeof what, "%s: %s/%s", file, p, s->model.v[j]);
		hid_t d = h5_array_open(fg, s->model.v[j], what);
		size_t dims[2];
		int rc = d < 0 ? -1 : h5_array_probe_matrix(d, what, dims, !s->streamed);
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
int h5_scan_plan_split(hid_t g, const char *file, struct h5_plan *s, const struct attr *order)
{
	char what[1024];
	h5_scan_join(what, sizeof what, s->path, "features");
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
		h5_scan_join(what, sizeof what, s->path, "labels");
		char w2[1200];
		snprintf(w2, sizeof w2, "%s: %s", file, what);
		if (s->has_labels < 0)
			err_prefix("%s", w2);
		hid_t d = s->has_labels < 0 ? -1 : h5_array_open(g, "labels", w2);
		rc = d < 0 ? -1 : h5_array_probe_labels(d, s->rows, w2);
		if (d >= 0)
			H5Dclose(d);
	}
	if (fg >= 0)
		H5Gclose(fg);
	return rc;
}

/* a model of split a that split b lacks or has with another dim: -1 with
 * err_set(), else 0 */
static int lacks_model(const char *file, const struct h5_plan *a, const struct h5_plan *b)
{
	for (size_t j = 0; j < a->model.n; j++) {
		long k = h5_scan_names_find(&b->model, a->model.v[j]);
		char p[512];
		h5_scan_join(p, sizeof p, b->path, "features");
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
int h5_scan_plan_same_models(const char *file, const struct h5_plan *s, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (lacks_model(file, &s[0], &s[i]) < 0 || lacks_model(file, &s[i], &s[0]) < 0)
			return -1;
	return 0;
}
