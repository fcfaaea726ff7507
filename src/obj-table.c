/* obj-table.c - k-NN result tables (see obj-table.h).
 *
 * Saved layout: /NAME with attrs train [n], test [n] (strings) and datasets
 * k int64 [n], n_test int64 [n], temperature, majority, weighted float64 [n]. */
#include "obj-table.h"
#include "err.h"
#include "h5-attrio.h"
#include "h5-util.h"

#include <stdlib.h>
#include <string.h>

static void knntable_free(struct obj *o)
{
	struct knntable *t = (struct knntable *)o;
	for (size_t i = 0; i < t->n; i++) {
		free(t->row[i].train);
		free(t->row[i].test);
	}
	free(t->row);
	obj_fini(o);
	free(t);
}

struct knntable *knntable_new(const char *name)
{
	struct knntable *t = calloc(1, sizeof *t);
	if (!t || obj_init(&t->base, &knntable_type, name) < 0) {
		free(t);
		return err_nomem("table", sizeof *t);
	}
	return t;
}

int knntable_add(struct knntable *t, const struct knn_row *r)
{
	struct knn_row *p = realloc(t->row, (t->n + 1) * sizeof *p);
	if (!p) {
		err_nomem("table row", (t->n + 1) * sizeof *p);
		return -1;
	}
	t->row = p;
	p[t->n] = *r;
	p[t->n].train = strdup(r->train);
	p[t->n].test = strdup(r->test);
	if (!p[t->n].train || !p[t->n].test) {
		free(p[t->n].train);
		free(p[t->n].test);
		err_nomem("table row", 64);
		return -1;
	}
	t->n++;
	return 0;
}

void knntable_print(const struct knntable *t, FILE *out)
{
	int w = 10;
	for (size_t i = 0; i < t->n; i++) {
		int l = (int)(strlen(t->row[i].train) + strlen(t->row[i].test) + 4);
		if (l > w)
			w = l;
	}
	fprintf(out, "%-*s %5s %6s %9s %9s\n", w, "train -> test", "k", "T", "majority", "weighted");
	for (size_t i = 0; i < t->n; i++) {
		const struct knn_row *r = &t->row[i];
		char pair[512];
		snprintf(pair, sizeof pair, "%s -> %s", r->train, r->test);
		fprintf(out, "%-*s %5zu %6.3g %9.2f %9.2f\n", w, pair, r->k, r->temperature,
			r->majority, r->weighted);
	}
}

static void knntable_describe(const struct obj *o, FILE *out)
{
	knntable_print((const struct knntable *)o, out);
}

static void knntable_shape(const struct obj *o, char *buf, size_t cap)
{
	snprintf(buf, cap, "%zu rows", ((const struct knntable *)o)->n);
}

static size_t knntable_bytes(const struct obj *o)
{
	const struct knntable *t = (const struct knntable *)o;
	size_t b = t->n * sizeof *t->row;
	for (size_t i = 0; i < t->n; i++)
		b += strlen(t->row[i].train) + strlen(t->row[i].test) + 2;
	return b;
}

/* Column c of the table as doubles or int64 into buf. */
static int save_column(hid_t g, const struct knntable *t, const char *name, size_t off,
		       int is_size)
{
	hsize_t n = t->n;
	void *buf = calloc(t->n ? t->n : 1, 8);
	if (!buf) {
		err_nomem("table column", t->n * 8);
		return -1;
	}
	for (size_t i = 0; i < t->n; i++) {
		const char *field = (const char *)&t->row[i] + off;
		if (is_size)
			((int64_t *)buf)[i] = (int64_t)*(const size_t *)field;
		else
			((double *)buf)[i] = *(const double *)field;
	}
	int rc = h5u_write_dataset(g, name, is_size ? H5T_STD_I64LE : H5T_IEEE_F64LE,
				   is_size ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, 1, &n, buf);
	free(buf);
	return rc;
}

static int knntable_save(const struct obj *o, hid_t g)
{
	const struct knntable *t = (const struct knntable *)o;
	char **tr = calloc(t->n + 1, sizeof *tr), **te = calloc(t->n + 1, sizeof *te);
	int rc = -1;
	if (tr && te) {
		for (size_t i = 0; i < t->n; i++) {
			tr[i] = t->row[i].train;
			te[i] = t->row[i].test;
		}
		rc = h5u_write_strs_attr(g, "train", tr, t->n) < 0 ||
		     h5u_write_strs_attr(g, "test", te, t->n) < 0 ||
		     save_column(g, t, "k", offsetof(struct knn_row, k), 1) < 0 ||
		     save_column(g, t, "n_test", offsetof(struct knn_row, n_test), 1) < 0 ||
		     save_column(g, t, "temperature", offsetof(struct knn_row, temperature), 0) < 0 ||
		     save_column(g, t, "majority", offsetof(struct knn_row, majority), 0) < 0 ||
		     save_column(g, t, "weighted", offsetof(struct knn_row, weighted), 0) < 0 ? -1 : 0;
	} else {
		err_nomem("table names", t->n * sizeof *tr);
	}
	free(tr);
	free(te);
	return rc;
}

static struct obj *knntable_load(hid_t g, const char *name)
{
	char **tr = NULL, **te = NULL;
	size_t ntr = 0, nte = 0;
	struct knntable *t = NULL;
	int64_t *k = NULL, *nt = NULL;
	double *temp = NULL, *maj = NULL, *wtd = NULL;
	if (h5u_attr_text(g, "train", &tr, &ntr) < 0 || h5u_attr_text(g, "test", &te, &nte) < 0)
		goto fail;
	if (ntr != nte) {
		err_set("train and test name lists differ in length");
		goto fail;
	}
	size_t n = ntr, sz = (n ? n : 1) * 8;
	if (!(k = malloc(sz)) || !(nt = malloc(sz)) || !(temp = malloc(sz)) ||
	    !(maj = malloc(sz)) || !(wtd = malloc(sz)) || !(t = knntable_new(name))) {
		err_nomem("table", 5 * sz);
		goto fail;
	}
	if (h5u_read_exact(g, "k", H5T_NATIVE_INT64, k, n) < 0 ||
	    h5u_read_exact(g, "n_test", H5T_NATIVE_INT64, nt, n) < 0 ||
	    h5u_read_exact(g, "temperature", H5T_NATIVE_DOUBLE, temp, n) < 0 ||
	    h5u_read_exact(g, "majority", H5T_NATIVE_DOUBLE, maj, n) < 0 ||
	    h5u_read_exact(g, "weighted", H5T_NATIVE_DOUBLE, wtd, n) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct knn_row r = { tr[i], te[i], (size_t)k[i], (size_t)nt[i], temp[i], maj[i], wtd[i] };
		if (knntable_add(t, &r) < 0)
			goto fail;
	}
	h5u_strings_free(tr, ntr);
	h5u_strings_free(te, nte);
	free(k), free(nt), free(temp), free(maj), free(wtd);
	return &t->base;
fail:
	err_prefix("table %s", name);
	if (t)
		knntable_free(&t->base);
	h5u_strings_free(tr, ntr);
	h5u_strings_free(te, nte);
	free(k), free(nt), free(temp), free(maj), free(wtd);
	return NULL;
}

/* [rows, 5]: k, n_test, temperature, majority, weighted */
static int knntable_array(const struct obj *o, struct obj_array *a)
{
	const struct knntable *t = (const struct knntable *)o;
	double *v = obj_array_f64(a, t->n, 5);
	if (!v)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct knn_row *r = &t->row[i];
		double row[5] = { (double)r->k, (double)r->n_test, r->temperature, r->majority,
				  r->weighted };
		memcpy(v + 5 * i, row, sizeof row);
	}
	return 0;
}

const struct obj_type knntable_type = {
	.name = "table",
	.free = knntable_free,
	.describe = knntable_describe,
	.shape = knntable_shape,
	.bytes = knntable_bytes,
	.save = knntable_save,
	.load = knntable_load,
	.array = knntable_array,
};
