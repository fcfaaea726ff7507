/* obj-cache.c - the cache object type (see obj-cache.h).
 *
 * A saved cache is a group laid out as a split of a feature cache file:
 * features/<model> float32 [n, d] (in model order: the group tracks
 * creation order), labels int64 [n] with an n_classes attribute, and the
 * cache's attributes as string attributes.  So h5py reads it without rnr,
 * and `load` of the file as a feature cache would find the split too. */
#include "obj-cache.h"
#include "par-mpi.h"
#include "err.h"
#include "h5-array.h"
#include "h5-cache.h"
#include "h5-attrio.h"
#include "h5-util.h"

#include <stdlib.h>
#include <string.h>

struct cache *cache_adopt(struct cache_split *s)
{
	struct cache *c = calloc(1, sizeof *c);
	if (!c || obj_init(&c->base, &cache_type, s->name) < 0) {
		if (!c)
			err_nomem("cache", sizeof *c);
		free(c);
		h5_cache_split_free(s);
		return NULL;
	}
	if (s->note)
		obj_set_note(&c->base, "%s", s->note);
	c->n = s->n;
	c->m = s->m;
	c->model = s->model;
	c->feat = s->feat;
	c->zero_rows = s->zero_rows;
	c->labels = s->labels;
	c->n_classes = s->n_classes;
	c->attr = s->attr;
	c->n_attr = s->n_attr;
	c->stream = s->stream;
	free(s->name);
	free(s->note);
	memset(s, 0, sizeof *s);
	return c;
}

int cache_adopt_all(struct cache_split *s, size_t n, struct cache ***out)
{
	struct cache **c = calloc(n ? n : 1, sizeof *c);
	size_t done = 0;
	if (!c)
		err_nomem("caches", n * sizeof *c);
	while (c && done < n && (c[done] = cache_adopt(&s[done])))
		done++;
	if (done < n) {
		while (done > 0)
			obj_free(&c[--done]->base);
		free(c);
		c = NULL;
	}
	h5_cache_splits_free(s, n);
	*out = c;
	return c ? 0 : -1;
}

struct cache *cache_new(const char *name, size_t n, size_t m)
{
	struct cache_split s;
	return h5_cache_split_init(&s, name, n, m) < 0 ? NULL : cache_adopt(&s);
}

long cache_model_index(const struct cache *c, const char *model)
{
	for (size_t j = 0; j < c->m; j++)
		if (c->model[j] && strcmp(c->model[j], model) == 0)
			return (long)j;
	return -1;
}

int cache_select_models(const struct cache *c, const char *list, size_t *idx, size_t *k)
{
	if (!list) {
		for (size_t j = 0; j < c->m; j++)
			idx[j] = j;
		*k = c->m;
		return 0;
	}
	size_t n = 0;
	for (const char *p = list;; p++) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char name[256];
		if (len == 0 || len >= sizeof name) {
			err_set("models=%s: %s model name", list, len ? "too long a" : "an empty");
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		long j = cache_model_index(c, name);
		if (j < 0) {
			char have[512] = "";
			for (size_t i = 0, w = 0; i < c->m && w < sizeof have; i++)
				w += (size_t)snprintf(have + w, sizeof have - w, "%s%s",
						      i ? ", " : "", c->model[i]);
			err_set("%s has no model '%s' (it has %s)", c->base.name, name, have);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			if (idx[i] == (size_t)j) {
				err_set("models=%s: '%s' named twice", list, name);
				return -1;
			}
		if (n == c->m) /* cannot happen without a repeat; guards idx */
			return -1;
		idx[n++] = (size_t)j;
		if (!end)
			break;
		p = end;
	}
	*k = n;
	return 0;
}

int cache_need_resident(const struct cache *c, const char *what)
{
	if (!c->stream)
		return 0;
	err_set("%s is streamed from %s: %s needs it in memory (load it without `stream`, or "
		"take a `subset` first)", c->base.name, h5_stream_file(c->stream), what);
	return -1;
}

int cache_read_block(const struct cache *c, size_t j, size_t r0, size_t nr, float *out)
{
	if (c->stream)
		return h5_stream_block(c->stream, j, r0, nr, out);
	memcpy(out, mat_row(&c->feat[j], r0), nr * c->feat[j].cols * sizeof *out);
	return 0;
}

size_t cache_block_rows(const struct cache *c, size_t j, size_t bytes)
{
	if (c->stream)
		return h5_stream_block_rows(c->stream, j, bytes);
	size_t rows = bytes / (c->feat[j].cols * sizeof(float));
	return rows < 1 ? 1 : rows < c->n ? rows : c->n;
}

/* copy rows idx[0..k) of src (checked < src->rows by the caller) into dst */
static int take_mat_rows(struct mat *dst, const struct cache *c, size_t j, const size_t *idx,
			 size_t k, const char *what)
{
	if (mat_init(dst, k, c->feat[j].cols, what) < 0)
		return -1;
	for (size_t i = 0; i < k; i++)
		if (cache_read_block(c, j, idx[i], 1, mat_row(dst, i)) < 0) {
			mat_free(dst);
			return -1;
		}
	return 0;
}

struct cache *cache_take_rows(const struct cache *c, const char *name,
			      const size_t *idx, size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (idx[i] >= c->n) {
			err_set("%s: row %zu out of range (%zu rows)", c->base.name, idx[i], c->n);
			return NULL;
		}
	struct cache *s = cache_new(name, k, c->m);
	int rc = s ? 0 : -1;
	for (size_t j = 0; rc == 0 && j < c->m; j++) {
		if (!(s->model[j] = strdup(c->model[j]))) {
			err_nomem("model name", strlen(c->model[j]) + 1);
			rc = -1;
		} else if ((rc = take_mat_rows(&s->feat[j], c, j, idx, k, "cache rows")) == 0)
			s->zero_rows[j] = mat_count_zero_rows(&s->feat[j]);
	}
	if (rc == 0 && c->labels) {
		if (!(s->labels = malloc(k ? k * sizeof *s->labels : 1))) {
			err_nomem("labels", k * sizeof *s->labels);
			rc = -1;
		}
		for (size_t i = 0; rc == 0 && i < k; i++)
			s->labels[i] = c->labels[idx[i]];
		s->n_classes = c->n_classes;
	}
	if (rc == 0)
		rc = h5_attr_copy(&s->attr, c->attr, c->n_attr);
	if (rc < 0) {
		if (s)
			obj_free(&s->base);
		return NULL;
	}
	s->n_attr = c->n_attr;
	return s;
}

/* ---- ops ------------------------------------------------------------------ */

static void cache_free(struct obj *o)
{
	struct cache *c = (struct cache *)o;
	/* back into the plain arrays it was adopted from: one way to free them */
	struct cache_split s = {
		.n = c->n, .m = c->m, .model = c->model, .feat = c->feat,
		.zero_rows = c->zero_rows, .labels = c->labels, .n_classes = c->n_classes,
		.attr = c->attr, .n_attr = c->n_attr, .stream = c->stream,
	};
	h5_cache_split_free(&s);
	obj_fini(o);
	free(c);
}

static void cache_shape(const struct obj *o, char *buf, size_t cap)
{
	const struct cache *c = (const struct cache *)o;
	int same = 1;
	for (size_t j = 1; j < c->m; j++)
		same &= c->feat[j].cols == c->feat[0].cols;
	if (same && c->m) {
		snprintf(buf, cap, "%zu x %zux%zu", c->n, c->m, c->feat[0].cols);
		return;
	}
	size_t k = (size_t)snprintf(buf, cap, "%zu x (", c->n);
	for (size_t j = 0; j < c->m && k < cap; j++)
		k += (size_t)snprintf(buf + k, cap - k, "%s%zu", j ? "+" : "", c->feat[j].cols);
	if (k < cap)
		snprintf(buf + k, cap - k, ")");
}

static size_t cache_bytes(const struct obj *o)
{
	const struct cache *c = (const struct cache *)o;
	size_t b = sizeof *c + c->m * (sizeof *c->model + sizeof *c->feat + sizeof *c->zero_rows);
	for (size_t j = 0; j < c->m; j++)
		b += (c->stream ? 0 : mat_bytes(&c->feat[j])) + strlen(c->model[j]) + 1;
	if (c->labels)
		b += c->n * sizeof *c->labels;
	/* under MPI, this rank's shard of a streamed cache */
	return b + (c->stream ? h5_stream_resident_bytes(c->stream) : 0);
}

/* one attribute value on one line: newlines shown as spaces, long cut */
static void print_value(FILE *out, const char *s, size_t *budget)
{
	for (; *s && *budget > 0; s++, (*budget)--)
		fputc(*s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s, out);
	if (*s)
		fputs("...", out);
}

static void describe_attrs(const struct cache *c, FILE *out)
{
	if (c->n_attr == 0)
		return;
	fputs("  attributes:\n", out);
	for (size_t i = 0; i < c->n_attr; i++) {
		const struct attr *a = &c->attr[i];
		size_t budget = 200;
		fprintf(out, "    %s = ", a->key);
		if (a->n != 1)
			fputc('[', out);
		for (size_t k = 0; k < a->n && budget > 0; k++) {
			if (k)
				fputs(", ", out);
			print_value(out, a->v[k], &budget);
			if (budget == 0 && k + 1 < a->n)
				fprintf(out, ", ... (%zu in all)", a->n);
		}
		fputs(a->n != 1 ? "]\n" : "\n", out);
	}
}

void cache_describe_labels(const int64_t *labels, size_t n, size_t n_classes, FILE *out)
{
	if (!labels) {
		fputs("  labels: none\n", out);
		return;
	}
	fprintf(out, "  labels: %zu in %zu classes (0..%zu)\n", n, n_classes,
		n_classes ? n_classes - 1 : 0);
	if (n_classes == 0 || n_classes > 32)
		return;
	size_t count[32] = { 0 };
	for (size_t i = 0; i < n; i++)
		if (labels[i] >= 0 && (size_t)labels[i] < n_classes)
			count[labels[i]]++;
	fputs("  rows per class:", out);
	for (size_t y = 0; y < n_classes; y++)
		fprintf(out, " %zu", count[y]);
	fputc('\n', out);
}

static void cache_describe(const struct obj *o, FILE *out)
{
	const struct cache *c = (const struct cache *)o;
	char shape[128];
	cache_shape(o, shape, sizeof shape);
	fprintf(out, "  shape: %s (rows x models x dim), %.1f MiB%s\n", shape,
		(double)cache_bytes(o) / (1 << 20), c->stream ? " in memory" : "");
	if (c->stream)
		fprintf(out, "  streamed: features stay in %s (group %s), %.1f MiB read so far\n",
			h5_stream_file(c->stream), h5_stream_group(c->stream),
			(double)h5_stream_bytes_read(c->stream) / (1 << 20));
	if (c->stream && h5_stream_resident_bytes(c->stream))
		fprintf(out, "  sharded: each of the %zu MPI ranks holds its shard of the rows in "
			"memory (this rank %.1f MiB)\n", ranks_size(),
			(double)h5_stream_resident_bytes(c->stream) / (1 << 20));
	fputs("  models:", out);
	for (size_t j = 0; j < c->m; j++)
		fprintf(out, "%s %s [%zu]", j ? "," : "", c->model[j], c->feat[j].cols);
	fputc('\n', out);
	for (size_t j = 0; j < c->m; j++)
		if (c->zero_rows[j])
			fprintf(out, "  %s: %zu all-zero rows (kept as zero)\n", c->model[j],
				c->zero_rows[j]);
	cache_describe_labels(c->labels, c->n, c->n_classes, out);
	describe_attrs(c, out);
}

static int save_attrs(const struct cache *c, hid_t g)
{
	for (size_t i = 0; i < c->n_attr; i++) {
		const struct attr *a = &c->attr[i];
		char key[512];
		/* the object header owns rnr_type, rnr_version and note; the
		 * loader (h5_cache_read_group) takes attr_<name> back */
		int reserved = !strcmp(a->key, "rnr_type") || !strcmp(a->key, "rnr_version") ||
			       !strcmp(a->key, "note");
		snprintf(key, sizeof key, "%s%s", reserved ? "attr_" : "", a->key);
		int rc = a->n == 1 ? h5u_write_str_attr(g, key, a->v[0])
				   : h5u_write_strs_attr(g, key, a->v, a->n);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* model j of a streamed cache written a block of rows at a time */
static int save_streamed(const struct cache *c, size_t j, hid_t fg)
{
	size_t d = c->feat[j].cols, rows = cache_block_rows(c, j, (size_t)4 << 20);
	hsize_t dims[2] = { c->n, d };
	hid_t fs = H5Screate_simple(2, dims, NULL);
	hid_t ds = fs < 0 ? -1 : H5Dcreate2(fg, c->model[j], H5T_IEEE_F32LE, fs, H5P_DEFAULT,
					    H5P_DEFAULT, H5P_DEFAULT);
	float *buf = ds < 0 ? NULL : mat_alloc_floats(rows * d, "save buffer");
	int rc = buf ? 0 : -1;
	if (ds < 0)
		h5u_err("cannot create dataset '%s'", c->model[j]);
	for (size_t r0 = 0; rc == 0 && r0 < c->n; r0 += rows) {
		hsize_t start[2] = { r0, 0 }, count[2] = { c->n - r0 < rows ? c->n - r0 : rows, d };
		hid_t ms = H5Screate_simple(2, count, NULL);
		if (cache_read_block(c, j, r0, count[0], buf) < 0)
			rc = -1;
		else if (ms < 0 ||
			 H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
			 H5Dwrite(ds, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, buf) < 0) {
			h5u_err("cannot write dataset '%s'", c->model[j]);
			rc = -1;
		}
		if (ms >= 0)
			H5Sclose(ms);
	}
	mat_free_floats(buf);
	if (ds >= 0 && H5Dclose(ds) < 0 && rc == 0) {
		h5u_err("cannot write dataset '%s'", c->model[j]);
		rc = -1;
	}
	if (fs >= 0)
		H5Sclose(fs);
	return rc;
}

static int cache_save(const struct obj *o, hid_t g)
{
	const struct cache *c = (const struct cache *)o;
	hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
	if (gcpl < 0 || H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED |
						   H5P_CRT_ORDER_INDEXED) < 0) {
		h5u_err("cannot create group 'features'");
		if (gcpl >= 0)
			H5Pclose(gcpl);
		return -1;
	}
	/* creation order keeps the model order through the round trip */
	hid_t fg = H5Gcreate2(g, "features", H5P_DEFAULT, gcpl, H5P_DEFAULT);
	H5Pclose(gcpl);
	if (fg < 0) {
		h5u_err("cannot create group 'features'");
		return -1;
	}
	int rc = 0;
	for (size_t j = 0; rc == 0 && j < c->m; j++) {
		hsize_t dims[2] = { c->feat[j].rows, c->feat[j].cols };
		rc = c->stream ? save_streamed(c, j, fg)
			       : h5u_write_dataset(fg, c->model[j], H5T_IEEE_F32LE,
						   H5T_NATIVE_FLOAT, 2, dims, c->feat[j].data);
	}
	if (H5Gclose(fg) < 0 && rc == 0) {
		h5u_err("cannot write group 'features'");
		rc = -1;
	}
	if (rc == 0 && c->labels)
		rc = h5_array_write_labels(g, c->labels, c->n, c->n_classes);
	if (rc == 0)
		rc = save_attrs(c, g);
	return rc;
}

static struct obj *cache_load(hid_t g, const char *name)
{
	/* saved rows are normalised already: keep every bit as saved */
	struct cache_split s;
	if (h5_cache_read_group(g, name, 0, &s) < 0)
		return NULL;
	struct cache *c = cache_adopt(&s);
	return c ? &c->base : NULL;
}

const struct obj_type cache_type = {
	.name = "cache",
	.free = cache_free,
	.describe = cache_describe,
	.shape = cache_shape,
	.bytes = cache_bytes,
	.save = cache_save,
	.load = cache_load,
};
