/* obj-confusion.c - confusion matrices (see obj-confusion.h).
 *
 * Saved layout: /NAME with attrs train, test (strings), k (int64),
 * temperature (float64), vote ("weighted" or "majority"), class_names
 * [n_classes] when known, and dataset count int64 [n_classes, n_classes]
 * (row = true class, column = predicted class). */
#include "obj-confusion.h"
#include "err.h"
#include "h5-attrio.h"
#include "h5-util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* the matrix is drawn in the terminal up to this many classes */
#define CONFUSION_DRAW_MAX 32

static void strs_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void confusion_free(struct obj *o)
{
	struct confusion *c = (struct confusion *)o;
	free(c->train);
	free(c->test);
	strs_free(c->class_names, c->n_classes);
	free(c->count);
	obj_fini(o);
	free(c);
}

struct confusion *confusion_new(const char *name, const char *train, const char *test,
				size_t n_classes, char *const *names)
{
	if (n_classes < 1 || n_classes > ((size_t)1 << 15)) {
		err_set("confusion matrix of %zu classes (allowed 1..32768)", n_classes);
		return NULL;
	}
	struct confusion *c = calloc(1, sizeof *c);
	if (!c || obj_init(&c->base, &confusion_type, name) < 0) {
		free(c);
		return err_nomem("confusion matrix", sizeof *c);
	}
	c->n_classes = n_classes;
	c->train = strdup(train);
	c->test = strdup(test);
	c->count = calloc(n_classes * n_classes, sizeof *c->count);
	int ok = c->train && c->test && c->count;
	if (ok && names) {
		ok = (c->class_names = calloc(n_classes, sizeof *c->class_names)) != NULL;
		for (size_t i = 0; ok && i < n_classes; i++)
			ok = (c->class_names[i] = strdup(names[i])) != NULL;
	}
	if (!ok) {
		confusion_free(&c->base);
		return err_nomem("confusion matrix", n_classes * n_classes * sizeof(int64_t));
	}
	return c;
}

void confusion_add(struct confusion *c, const int64_t *truth, const size_t *pred, size_t n)
{
	for (size_t i = 0; i < n; i++)
		c->count[(size_t)truth[i] * c->n_classes + pred[i]]++;
}

int64_t confusion_class_total(const struct confusion *c, size_t cls)
{
	int64_t t = 0;
	for (size_t j = 0; j < c->n_classes; j++)
		t += c->count[cls * c->n_classes + j];
	return t;
}

int64_t confusion_class_correct(const struct confusion *c, size_t cls)
{
	return c->count[cls * c->n_classes + cls];
}

void confusion_class_label(const struct confusion *c, size_t cls, char *buf, size_t cap)
{
	if (c->class_names)
		snprintf(buf, cap, "%zu %s", cls, c->class_names[cls]);
	else
		snprintf(buf, cap, "%zu", cls);
}

static int64_t total_rows(const struct confusion *c, int64_t *correct)
{
	int64_t t = 0;
	*correct = 0;
	for (size_t i = 0; i < c->n_classes; i++) {
		t += confusion_class_total(c, i);
		*correct += confusion_class_correct(c, i);
	}
	return t;
}

static double pct(int64_t num, int64_t den)
{
	return den ? 100.0 * (double)num / (double)den : 0.0;
}

static int digits(int64_t v)
{
	int d = 1;
	for (; v >= 10; v /= 10)
		d++;
	return d;
}

/* the grid: one row per true class, the diagonal in brackets */
static void draw_matrix(const struct confusion *c, FILE *out, int lw)
{
	size_t n = c->n_classes;
	int64_t mx = (int64_t)n - 1;
	for (size_t i = 0; i < n * n; i++)
		if (c->count[i] > mx)
			mx = c->count[i];
	int cw = digits(mx) + 2;
	fprintf(out, "%-*s", lw, "true \\ predicted");
	for (size_t j = 0; j < n; j++)
		fprintf(out, " %*zu ", cw - 2, j);
	fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		char lab[64];
		confusion_class_label(c, i, lab, sizeof lab);
		fprintf(out, "%-*.*s", lw, lw - 1, lab);
		for (size_t j = 0; j < n; j++) {
			int64_t v = c->count[i * n + j];
			if (i == j)
				fprintf(out, "[%*" PRId64 "]", cw - 2, v);
			else if (v == 0)
				fprintf(out, " %*s ", cw - 2, ".");
			else
				fprintf(out, " %*" PRId64 " ", cw - 2, v);
		}
		fputc('\n', out);
	}
}

void confusion_print(const struct confusion *c, FILE *out)
{
	int64_t correct, total = total_rows(c, &correct);
	fprintf(out, "%s -> %s: k=%zu T=%g %s vote, %" PRId64 " rows, accuracy %.2f\n",
		c->train, c->test, c->k, c->temperature, c->weighted ? "weighted" : "majority",
		total, pct(correct, total));
	int lw = 18;
	for (size_t i = 0; i < c->n_classes; i++) {
		char lab[64];
		confusion_class_label(c, i, lab, sizeof lab);
		int l = (int)strlen(lab) + 2;
		if (l > lw)
			lw = l < 26 ? l : 26;
	}
	fprintf(out, "%-*s %7s %8s %9s\n", lw, "class", "rows", "correct", "accuracy");
	for (size_t i = 0; i < c->n_classes; i++) {
		char lab[64];
		confusion_class_label(c, i, lab, sizeof lab);
		int64_t t = confusion_class_total(c, i), ok = confusion_class_correct(c, i);
		fprintf(out, "%-*.*s %7" PRId64 " %8" PRId64 " %9.2f\n", lw, lw - 1, lab, t, ok,
			pct(ok, t));
	}
	if (c->n_classes <= CONFUSION_DRAW_MAX)
		draw_matrix(c, out, lw);
	else
		fprintf(out, "(the %zu x %zu matrix is not drawn: export it to .csv or .h5)\n",
			c->n_classes, c->n_classes);
}

static void confusion_describe(const struct obj *o, FILE *out)
{
	confusion_print((const struct confusion *)o, out);
}

static void confusion_shape(const struct obj *o, char *buf, size_t cap)
{
	const struct confusion *c = (const struct confusion *)o;
	snprintf(buf, cap, "%zu x %zu classes", c->n_classes, c->n_classes);
}

static size_t confusion_bytes(const struct obj *o)
{
	const struct confusion *c = (const struct confusion *)o;
	size_t b = c->n_classes * c->n_classes * sizeof *c->count;
	for (size_t i = 0; c->class_names && i < c->n_classes; i++)
		b += strlen(c->class_names[i]) + 1 + sizeof(char *);
	return b;
}

static int confusion_save(const struct obj *o, hid_t g)
{
	const struct confusion *c = (const struct confusion *)o;
	hsize_t dims[2] = { c->n_classes, c->n_classes };
	if (h5u_write_str_attr(g, "train", c->train) < 0 ||
	    h5u_write_str_attr(g, "test", c->test) < 0 ||
	    h5u_write_i64_attr(g, "k", (int64_t)c->k) < 0 ||
	    h5u_write_f64_attr(g, "temperature", c->temperature) < 0 ||
	    h5u_write_str_attr(g, "vote", c->weighted ? "weighted" : "majority") < 0)
		return -1;
	if (c->class_names && h5u_write_strs_attr(g, "class_names", c->class_names,
						  c->n_classes) < 0)
		return -1;
	return h5u_write_dataset(g, "count", H5T_STD_I64LE, H5T_NATIVE_INT64, 2, dims, c->count);
}

static struct obj *confusion_load(hid_t g, const char *name)
{
	char *tr = NULL, *te = NULL, *vote = NULL, **names = NULL;
	size_t n_names = 0, dims[2];
	int64_t k = 0;
	double temp = 0.0;
	struct confusion *c = NULL;
	hid_t d = -1;
	if (h5u_attr_string(g, "train", &tr) < 0 || h5u_attr_string(g, "test", &te) < 0 ||
	    h5u_attr_string(g, "vote", &vote) < 0 || h5u_attr_f64(g, "temperature", &temp) < 0)
		goto fail;
	int has_k = h5u_attr_i64(g, "k", &k);
	if (has_k < 0)
		goto fail;
	if (has_k == 0) {
		err_set("no attribute k");
		goto fail;
	}
	if (h5u_has_link(g, "count") != 1 || (d = H5Dopen2(g, "count", H5P_DEFAULT)) < 0) {
		err_set("no dataset count");
		goto fail;
	}
	int rc = h5u_dataset_dims(d, "count", 2, sizeof(int64_t), dims, NULL);
	H5Dclose(d);
	if (rc < 0)
		goto fail;
	if (dims[0] != dims[1] || k < 1) {
		err_set("count is %zu x %zu and k %" PRId64 ": needs a square matrix and k >= 1",
			dims[0], dims[1], k);
		goto fail;
	}
	if (H5Aexists(g, "class_names") > 0 &&
	    h5u_attr_text(g, "class_names", &names, &n_names) < 0)
		goto fail;
	if (names && n_names != dims[0]) {
		err_set("%zu class names for %zu classes", n_names, dims[0]);
		goto fail;
	}
	if (!(c = confusion_new(name, tr, te, dims[0], names)) ||
	    h5u_read_exact(g, "count", H5T_NATIVE_INT64, c->count, dims[0] * dims[1]) < 0)
		goto fail;
	for (size_t i = 0; i < dims[0] * dims[1]; i++) {
		if (c->count[i] < 0) {
			err_set("count has a negative entry (%" PRId64 ")", c->count[i]);
			goto fail;
		}
	}
	c->k = (size_t)k;
	c->temperature = temp;
	c->weighted = strcmp(vote, "majority") != 0;
	free(tr), free(te), free(vote);
	h5u_strings_free(names, n_names);
	return &c->base;
fail:
	err_prefix("confusion %s", name);
	if (c)
		confusion_free(&c->base);
	free(tr), free(te), free(vote);
	h5u_strings_free(names, n_names);
	return NULL;
}

/* [n_classes, n_classes] float64: the counts */
static int confusion_array(const struct obj *o, struct obj_array *a)
{
	const struct confusion *c = (const struct confusion *)o;
	size_t n = c->n_classes;
	double *v = obj_array_f64(a, n, n);
	if (!v)
		return -1;
	for (size_t i = 0; i < n * n; i++)
		v[i] = (double)c->count[i];
	return 0;
}

void confusion_csv_field(FILE *out, const char *s, char sep)
{
	if (!strchr(s, sep) && !strpbrk(s, "\"\n\r")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* class, name, rows, correct, accuracy, then pred_0..pred_{n-1} */
static int confusion_table(const struct obj *o, FILE *out, char sep)
{
	const struct confusion *c = (const struct confusion *)o;
	size_t n = c->n_classes;
	fprintf(out, "class%cname%crows%ccorrect%caccuracy", sep, sep, sep, sep);
	for (size_t j = 0; j < n; j++)
		fprintf(out, "%cpred_%zu", sep, j);
	fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		int64_t t = confusion_class_total(c, i), ok = confusion_class_correct(c, i);
		fprintf(out, "%zu%c", i, sep);
		confusion_csv_field(out, c->class_names ? c->class_names[i] : "", sep);
		fprintf(out, "%c%" PRId64 "%c%" PRId64 "%c%.17g", sep, t, sep, ok, sep, pct(ok, t));
		for (size_t j = 0; j < n; j++)
			fprintf(out, "%c%" PRId64, sep, c->count[i * n + j]);
		fputc('\n', out);
	}
	if (ferror(out)) {
		err_set("write error");
		return -1;
	}
	return 0;
}

const struct obj_type confusion_type = {
	.name = "confusion",
	.free = confusion_free,
	.describe = confusion_describe,
	.shape = confusion_shape,
	.bytes = confusion_bytes,
	.save = confusion_save,
	.load = confusion_load,
	.array = confusion_array,
	.table = confusion_table,
};
