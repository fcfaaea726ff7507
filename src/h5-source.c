/* h5-source.c - reading features and labels from HDF5, .npz or .npy files
 * alike (see h5-source.h). */
#include "h5-source.h"
#include "err.h"
#include "h5-array.h"
#include "h5-cache.h"
#include "h5-util.h"
#include "npy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int source_open(struct source *s, const char *path)
{
	memset(s, 0, sizeof *s);
	s->path = path;
	s->h5 = -1;
	if (npy_is_npz_path(path)) {
		s->kind = SOURCE_NPZ;
		return npz_open(&s->npz, path);
	}
	if (npy_is_npy_path(path)) {
		struct stat st;
		s->kind = SOURCE_NPY;
		if (stat(path, &st) < 0 || !(s->npy = fopen(path, "rb"))) {
			err_set("%s: %s", path, errno == ENOENT ? "no such file" : strerror(errno));
			return -1;
		}
		s->npy_len = (uint64_t)st.st_size;
		return 0;
	}
	s->kind = SOURCE_H5;
	h5u_quiet();
	s->h5 = h5u_open_read(path);
	return s->h5 < 0 ? -1 : 0;
}

void source_close(struct source *s)
{
	if (s->kind == SOURCE_NPZ)
		npz_close(&s->npz);
	if (s->npy)
		fclose(s->npy);
	if (s->h5 >= 0)
		H5Fclose(s->h5);
	s->npy = NULL;
	s->h5 = -1;
}

void source_what(const struct source *s, const char *name, char *buf, size_t cap)
{
	if (s->kind == SOURCE_NPY)
		snprintf(buf, cap, "%s", s->path);
	else if (s->kind == SOURCE_NPZ)
		snprintf(buf, cap, "%s: array '%s'", s->path, name);
	else
		snprintf(buf, cap, "%s: %s%s", s->path, name[0] == '/' ? "" : "/", name);
}

static herr_t visit_cb(hid_t o, const char *name, const H5O_info_t *info, void *data)
{
	(void)o;
	if (info->type != H5O_TYPE_DATASET)
		return 0;
	char buf[4096];
	snprintf(buf, sizeof buf, "/%s", name);
	return strset_add(data, buf) < 0 ? -1 : 0;
}

int source_names(struct source *s, struct strset *out)
{
	if (s->kind == SOURCE_NPZ) {
		for (size_t i = 0; i < s->npz.n; i++)
			if (strset_add(out, s->npz.e[i].name) < 0)
				return -1;
		return 0;
	}
	if (s->kind == SOURCE_NPY)
		return 0;
	if (H5Ovisit2(s->h5, H5_INDEX_NAME, H5_ITER_INC, visit_cb, out, H5O_INFO_BASIC) < 0) {
		if (!*err_msg())
			h5u_err("%s: cannot walk its groups", s->path);
		return -1;
	}
	return 0;
}

/* is every group on the way to name there, and name a dataset? */
static int h5_has_dataset(hid_t f, const char *name)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", name);
	for (char *p = buf + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		int has = h5u_has_link(f, buf);
		*p = '/';
		if (has <= 0)
			return has;
	}
	int has = h5u_has_link(f, buf);
	return has <= 0 ? has : h5u_obj_type(f, buf) == H5O_TYPE_DATASET;
}

int source_has(struct source *s, const char *name)
{
	if (s->kind == SOURCE_NPY)
		return 1;
	if (s->kind == SOURCE_NPZ)
		return npz_find(&s->npz, name) != NULL;
	return h5_has_dataset(s->h5, name);
}

/* "...: is missing (the file holds: /a, /b, ...)" */
static int missing(struct source *s, const char *name)
{
	char what[1200], list[512] = "";
	struct strset names = { NULL, 0 };
	source_what(s, name, what, sizeof what);
	if (source_names(s, &names) == 0)
		for (size_t i = 0, k = 0; i < names.n && i <= 8 && k < sizeof list - 80; i++)
			k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "",
					      i < 8 ? names.v[i] : "...");
	strset_free(&names);
	err_set("%s is missing (%s holds %s)", what, s->path, list[0] ? list : "nothing");
	return -1;
}

/* an npy source over the .npy file or the .npz entry name */
static int npy_source(struct source *s, const char *name, char *what, size_t cap,
		      uint32_t *crc, struct npy_src *src, const struct npz_entry **e)
{
	if (s->kind == SOURCE_NPY) {
		snprintf(what, cap, "%s", s->path);
		*src = (struct npy_src){ s->npy, 0, s->npy_len, what, NULL };
		*e = NULL;
		return 0;
	}
	if (!(*e = npz_find(&s->npz, name)))
		return missing(s, name);
	return npz_source(&s->npz, *e, what, cap, crc, src);
}

int source_read_matrix(struct source *s, const char *name, struct mat *m)
{
	char what[1200];
	source_what(s, name, what, sizeof what);
	if (s->kind == SOURCE_H5) {
		int has = h5_has_dataset(s->h5, name);
		if (has <= 0)
			return has < 0 ? -1 : missing(s, name);
		return h5_array_read_matrix(s->h5, name, what, m);
	}
	struct npy_src src;
	const struct npz_entry *e;
	uint32_t crc = 0;
	struct npy_header h;
	if (npy_source(s, name, what, sizeof what, &crc, &src, &e) < 0 ||
	    npy_read_header(&src, &h) < 0 || npy_read_matrix(&src, m) < 0)
		return -1;
	if ((e && npz_check_crc(e, what, crc) < 0) ||
	    h5_array_check_finite(m, what, h.itemsize > sizeof(float)) < 0) {
		mat_free(m);
		return -1;
	}
	return 0;
}

int source_read_labels(struct source *s, const char *name, size_t n, int64_t **labels,
		       size_t *n_classes)
{
	char what[1200];
	source_what(s, name, what, sizeof what);
	if (s->kind == SOURCE_H5)
		return h5_array_read_labels(s->h5, name, n, what, labels, n_classes);
	struct npy_src src;
	const struct npz_entry *e;
	uint32_t crc = 0;
	size_t got;
	int64_t *y;
	if (npy_source(s, name, what, sizeof what, &crc, &src, &e) < 0 ||
	    npy_read_labels(&src, &y, &got) < 0)
		return -1;
	int rc = e ? npz_check_crc(e, what, crc) : 0;
	if (rc == 0 && got != n) {
		err_set("%s: has %zu labels but the split has %zu rows", what, got, n);
		rc = -1;
	}
	if (rc == 0)
		rc = h5_array_count_classes(y, n, 0, what, n_classes);
	if (rc < 0) {
		free(y);
		return -1;
	}
	*labels = y;
	return 0;
}
