/* h5-cache.c - load feature caches from HDF5 (see h5-cache.h).
 *
 * Two phases: plan, then read.  Planning (h5-scan.c) opens every split and
 * every dataset and checks types, shapes, row counts, label shapes,
 * filters and sizes without reading data, so a malformed file is refused
 * before any large allocation; reading then fills the splits and checks
 * the values (finite features, non-negative labels: h5-array.c). */
#include "h5-cache.h"
#include "err.h"
#include "h5-array.h"
#include "h5-mpio.h"
#include "h5-rehearse.h"
#include "h5-scan.h"
#include "h5-stream.h"
#include "h5-util.h"
#include "par-mpi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- splits ------------------------------------------------------------------ */

int h5_cache_split_init(struct cache_split *s, const char *name, size_t n, size_t m)
{
	memset(s, 0, sizeof *s);
	s->n = n;
	s->m = m;
	s->name = strdup(name);
	s->model = calloc(m ? m : 1, sizeof *s->model);
	s->feat = calloc(m ? m : 1, sizeof *s->feat);
	s->zero_rows = calloc(m ? m : 1, sizeof *s->zero_rows);
	if (!s->name || !s->model || !s->feat || !s->zero_rows) {
		err_nomem("cache models", m * (sizeof *s->model + sizeof *s->feat));
		h5_cache_split_free(s);
		return -1;
	}
	return 0;
}

void h5_cache_split_free(struct cache_split *s)
{
	for (size_t j = 0; j < s->m; j++) {
		if (s->model)
			free(s->model[j]);
		if (s->feat && s->feat[j].data)
			mat_free(&s->feat[j]);
	}
	free(s->model);
	free(s->feat);
	free(s->zero_rows);
	free(s->labels);
	h5_stream_close(s->stream);
	h5_attr_free(s->attr, s->n_attr);
	free(s->name);
	free(s->note);
	memset(s, 0, sizeof *s);
}

void h5_cache_splits_free(struct cache_split *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		h5_cache_split_free(&s[i]);
	free(s);
}

/* the features of the planned split s kept on disk: out->stream, and
 * out->feat[] with their shapes but no data */
static int stream_split(hid_t g, const char *file, const struct h5_plan *s,
			struct cache_split *out)
{
	for (size_t j = 0; j < s->model.n; j++) {
		if (!(out->model[j] = strdup(s->model.v[j]))) {
			err_nomem("model name", strlen(s->model.v[j]) + 1);
			return -1;
		}
		out->feat[j].rows = s->rows;
		out->feat[j].cols = s->dim[j];
	}
	hid_t f = H5Iget_file_id(g);
	if (f < 0) {
		h5u_err("%s: cannot stream", file);
		return -1;
	}
	out->stream = h5_stream_open(f, file, s->path, s->model.v, s->dim, s->model.n, s->rows,
				     out->zero_rows);
	H5Fclose(f);
	return out->stream ? 0 : -1;
}

/* read the planned split s (group g) into out, called name; normalize
 * < 0: stream it instead (features stay on disk) */
static int read_split(hid_t g, const char *file, const struct h5_plan *s, const char *name,
		      int normalize, struct cache_split *out)
{
	if (h5_cache_split_init(out, name, s->rows, s->model.n) < 0)
		return -1;
	hid_t fg = normalize < 0 ? -1 : H5Gopen2(g, "features", H5P_DEFAULT);
	int rc = fg >= 0 || normalize < 0 ? 0 : -1;
	if (fg < 0)
		h5u_err("%s: %s/features: cannot open", file, s->path);
	char what[1024], p[512];
	h5_scan_join(p, sizeof p, s->path, "features");
	if (normalize < 0)
		rc = stream_split(g, file, s, out);
	for (size_t j = 0; rc == 0 && fg >= 0 && j < s->model.n; j++) {
		snprintf(what, sizeof what, "%s: %s/%s", file, p, s->model.v[j]);
		if (!(out->model[j] = strdup(s->model.v[j]))) {
			err_nomem("model name", strlen(s->model.v[j]) + 1);
			rc = -1;
		} else if ((rc = h5_array_read_matrix(fg, s->model.v[j], what, &out->feat[j])) == 0) {
			size_t first;
			out->zero_rows[j] = normalize ? mat_normalize_rows(&out->feat[j], &first)
						      : mat_count_zero_rows(&out->feat[j]);
		}
	}
	if (rc == 0 && s->has_labels) {
		h5_scan_join(p, sizeof p, s->path, "labels");
		snprintf(what, sizeof what, "%s: %s", file, p);
		rc = h5_array_read_labels(g, "labels", s->rows, what, &out->labels,
					  &out->n_classes);
	}
	if (fg >= 0)
		H5Gclose(fg);
	if (rc < 0)
		h5_cache_split_free(out);
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
static int read_all(hid_t f, const char *file, const char *prefix, struct h5_plan *sp,
		    size_t n, const struct attr *root, size_t n_root, int stream,
		    struct cache_split *out)
{
	size_t done = 0;
	for (; done < n; done++) {
		char *name = split_name(prefix, sp[done].path);
		hid_t g = name ? H5Gopen2(f, sp[done].path, H5P_DEFAULT) : -1;
		if (name && g < 0)
			h5u_err("%s: %s: cannot open", file, sp[done].path);
		int rc = g < 0 ? -1 : read_split(g, file, &sp[done], name, stream ? -1 : 1,
							 &out[done]);
		free(name);
		if (rc == 0) {
			/* a cache saved by rnr: its rnr_type, rnr_version and note
			 * describe the saved object, not the data */
			int saved = H5Aexists(g, "rnr_type") > 0;
			if (asprintf(&out[done].note, "loaded from %s, group %s", file,
				     sp[done].path) < 0) {
				out[done].note = NULL;
				err_nomem("note", strlen(file) + strlen(sp[done].path) + 32);
				rc = -1;
			} else if (h5_attr_read(g, root, n_root, saved, &out[done].attr,
						&out[done].n_attr) < 0) {
				err_prefix("%s: %s", file, sp[done].path);
				rc = -1;
			}
			if (rc < 0)
				h5_cache_split_free(&out[done]);
		}
		if (g >= 0)
			H5Gclose(g);
		if (rc < 0)
			break;
	}
	if (done == n)
		return 0;
	while (done > 0)
		h5_cache_split_free(&out[--done]);
	return -1;
}

/* plan every split of the scan and check they fit in memory together */
static int plan_all(hid_t f, const char *file, const struct h5_scan *sc, struct h5_plan *sp,
		    const struct attr *order, int stream)
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
		sp[i].streamed = stream;
		int rc = h5_scan_plan_split(g, file, &sp[i], order);
		H5Gclose(g);
		if (rc < 0)
			return -1;
		if (total > SIZE_MAX - sp[i].bytes) {
			err_set("%s: its splits together overflow the address space", file);
			return -1;
		}
		total += sp[i].bytes;
	}
	if (h5_scan_plan_same_models(file, sp, sc->splits.n) < 0)
		return -1;
	char what[1100];
	snprintf(what, sizeof what, "%s: all its splits (`load ... stream` keeps them on disk)",
		 file);
	return stream ? 0 : mat_check_bytes(total, what);
}

struct load_args {
	const char *path, *prefix;
	int stream;
};

/* the child of h5_rehearse(): it frees what it loaded, so that a leak
 * checker (valgrind's exit status, LeakSanitizer's) fails the child only
 * for a real leak, which then fails the load */
static void rehearse_load(void *arg)
{
	const struct load_args *a = arg;
	struct cache_split *s;
	size_t n;
	if (h5_cache_load_ex(a->path, a->prefix, a->stream, &s, &n) == 0)
		h5_cache_splits_free(s, n);
}

int h5_cache_load(const char *path, const char *prefix, struct cache_split **splits,
		  size_t *n_splits)
{
	return h5_cache_load_ex(path, prefix, 0, splits, n_splits);
}

static int load_here(const char *path, const char *prefix, int stream,
		     struct cache_split **splits, size_t *n_splits);

/* Under MPI the streams of a load are joined (h5-stream.h) once every
 * rank loaded: a load fails on every rank or on none. */
static int join_streams(int rc, struct cache_split **splits, size_t *n_splits)
{
	if (ranks_all_ok(rc) < 0) {
		if (rc == 0)
			h5_cache_splits_free(*splits, *n_splits);
		return -1;
	}
	for (size_t i = 0; i < *n_splits; i++)
		h5_stream_release((*splits)[i].stream);
	for (size_t i = 0; rc == 0 && i < *n_splits; i++)
		rc = h5_stream_join((*splits)[i].stream, (*splits)[i].zero_rows);
	if (rc < 0)
		h5_cache_splits_free(*splits, *n_splits);
	return rc;
}

int h5_cache_load_ex(const char *path, const char *prefix, int stream,
		     struct cache_split **splits, size_t *n_splits)
{
	int rc = load_here(path, prefix, stream, splits, n_splits);
	return stream && h5_mpio_shared() ? join_streams(rc, splits, n_splits) : rc;
}

static int load_here(const char *path, const char *prefix, int stream,
		     struct cache_split **splits, size_t *n_splits)
{
	h5u_quiet();
	char pbuf[256];
	if (!prefix) {
		default_prefix(path, pbuf, sizeof pbuf);
		prefix = pbuf;
	}
	if (h5_rehearse(path, rehearse_load, &(struct load_args){ path, prefix, stream }) < 0)
		return -1;
	hid_t f = h5u_open_read(path);
	if (f < 0)
		return -1;
	struct h5_scan sc;
	struct attr *root = NULL;
	size_t n_root = 0;
	int rc = h5_scan_find(f, path, &sc);
	if (rc < 0) {
		H5Fclose(f);
		return -1;
	}
	size_t n = sc.splits.n;
	struct h5_plan *sp = calloc(n, sizeof *sp);
	struct cache_split *out = calloc(n, sizeof *out);
	if (!sp || !out) {
		err_nomem("splits", n * (sizeof *sp + sizeof *out));
		rc = -1;
	} else if (h5_attr_read(f, NULL, 0, 0, &root, &n_root) < 0) {
		err_prefix("%s: root attributes", path);
		rc = -1;
	}
	if (rc == 0)
		rc = plan_all(f, path, &sc, sp, h5_attr_find(root, n_root, "models"), stream);
	if (rc == 0)
		rc = read_all(f, path, prefix, sp, n, root, n_root, stream, out);
	for (size_t i = 0; sp && i < n; i++)
		h5_scan_plan_free(&sp[i]);
	free(sp);
	h5_attr_free(root, n_root);
	h5_scan_free(&sc);
	H5Fclose(f);
	if (rc < 0) {
		free(out);
		return -1;
	}
	*splits = out;
	*n_splits = n;
	return 0;
}

int h5_cache_read_group(hid_t g, const char *name, int normalize, struct cache_split *out)
{
	h5u_quiet();
	char file[1024], path[1024];
	h5u_where(g, file, sizeof file, path, sizeof path);
	memset(out, 0, sizeof *out);
	if (h5u_has_link(g, "features") <= 0) {
		err_set("%s: %s/features is missing", file, strcmp(path, "/") ? path : "");
		return -1;
	}
	struct h5_plan s = { .path = path };
	int rc = h5_scan_plan_split(g, file, &s, NULL);
	if (rc == 0)
		rc = read_split(g, file, &s, name, normalize, out);
	free(s.dim);
	h5_scan_names_free(&s.model);
	if (rc == 0 && h5_attr_read(g, NULL, 0, 1, &out->attr, &out->n_attr) < 0) {
		err_prefix("%s: %s", file, path);
		h5_cache_split_free(out);
		rc = -1;
	}
	return rc;
}
