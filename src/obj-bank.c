/* obj-bank.c - the bank object type (see obj-bank.h).
 *
 * Saved as a group holding psi float32 [n, d] and, when the bank has
 * labels, labels int64 [n] with an n_classes attribute. */
#include "obj-bank.h"
#include "err.h"
#include "h5-array.h"
#include "h5-store-par.h"
#include "h5-util.h"
#include "obj-cache.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct bank *bank_new(const char *name, size_t n, size_t d,
		      const int64_t *labels, size_t n_classes)
{
	struct bank *b = calloc(1, sizeof *b);
	if (!b || obj_init(&b->base, &bank_type, name) < 0) {
		if (!b)
			err_nomem("bank", sizeof *b);
		free(b);
		return NULL;
	}
	if (mat_init(&b->psi, n, d, "bank") < 0) {
		obj_free(&b->base);
		return NULL;
	}
	if (labels) {
		if (!(b->labels = malloc(n ? n * sizeof *labels : 1))) {
			err_nomem("bank labels", n * sizeof *labels);
			obj_free(&b->base);
			return NULL;
		}
		memcpy(b->labels, labels, n * sizeof *labels);
		b->n_classes = n_classes;
	}
	return b;
}

static void bank_free(struct obj *o)
{
	struct bank *b = (struct bank *)o;
	if (b->psi.data)
		mat_free(&b->psi);
	free(b->labels);
	obj_fini(o);
	free(b);
}

static void bank_shape(const struct obj *o, char *buf, size_t cap)
{
	const struct bank *b = (const struct bank *)o;
	snprintf(buf, cap, "%zu x %zu", b->psi.rows, b->psi.cols);
}

static size_t bank_bytes(const struct obj *o)
{
	const struct bank *b = (const struct bank *)o;
	return sizeof *b + mat_bytes(&b->psi) + (b->labels ? b->psi.rows * sizeof *b->labels : 0);
}

/* Row norms tell how far training moved psi from the unit sphere. */
static void describe_norms(const struct mat *psi, FILE *out)
{
	double lo = INFINITY, hi = 0.0, sum = 0.0;
	for (size_t i = 0; i < psi->rows; i++) {
		const float *r = mat_row(psi, i);
		double ss = 0.0;
		for (size_t c = 0; c < psi->cols; c++)
			ss += (double)r[c] * r[c];
		double nrm = sqrt(ss);
		lo = nrm < lo ? nrm : lo;
		hi = nrm > hi ? nrm : hi;
		sum += nrm;
	}
	if (psi->rows)
		fprintf(out, "  row norms: min %.4g, mean %.4g, max %.4g\n", lo,
			sum / (double)psi->rows, hi);
	size_t z = mat_count_zero_rows(psi);
	if (z)
		fprintf(out, "  all-zero rows: %zu\n", z);
}

static void bank_describe(const struct obj *o, FILE *out)
{
	const struct bank *b = (const struct bank *)o;
	fprintf(out, "  shape: %zu x %zu (rows x dim), %.1f MiB\n", b->psi.rows, b->psi.cols,
		(double)bank_bytes(o) / (1 << 20));
	describe_norms(&b->psi, out);
	cache_describe_labels(b->labels, b->psi.rows, b->n_classes, out);
}

static int bank_save(const struct obj *o, hid_t g)
{
	const struct bank *b = (const struct bank *)o;
	if (h5_store_write_rows(g, "psi", b->psi.data, b->psi.rows, b->psi.cols) < 0)
		return -1;
	if (b->labels)
		return h5_array_write_labels(g, b->labels, b->psi.rows, b->n_classes);
	return 0;
}

static struct obj *bank_load(hid_t g, const char *name)
{
	char file[1024], path[1024], what[2100];
	h5u_where(g, file, sizeof file, path, sizeof path);
	struct bank *b = calloc(1, sizeof *b);
	if (!b || obj_init(&b->base, &bank_type, name) < 0) {
		if (!b)
			err_nomem("bank", sizeof *b);
		free(b);
		return NULL;
	}
	snprintf(what, sizeof what, "%s: %s/psi", file, path);
	int rc = h5_array_read_matrix(g, "psi", what, &b->psi);
	int has = rc == 0 ? h5u_has_link(g, "labels") : 0;
	if (has < 0)
		rc = -1;
	if (rc == 0 && has) {
		snprintf(what, sizeof what, "%s: %s/labels", file, path);
		rc = h5_array_read_labels(g, "labels", b->psi.rows, what, &b->labels,
					  &b->n_classes);
	}
	if (rc < 0) {
		obj_free(&b->base);
		return NULL;
	}
	return &b->base;
}

static int bank_array(const struct obj *o, struct obj_array *a)
{
	const struct bank *b = (const struct bank *)o;
	*a = (struct obj_array){ "<f4", 2, { b->psi.rows, b->psi.cols }, b->psi.data, NULL };
	return 0;
}

const struct obj_type bank_type = {
	.name = "bank",
	.free = bank_free,
	.describe = bank_describe,
	.shape = bank_shape,
	.bytes = bank_bytes,
	.save = bank_save,
	.load = bank_load,
	.array = bank_array,
};
