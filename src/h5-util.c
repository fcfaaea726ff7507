/* h5-util.c - HDF5 error stack, files and links, datasets (see h5-util.h). */
#include "h5-util.h"
#include "mat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* h5py's lzf filter, the one filter users meet without asking for it */
#define H5U_FILTER_LZF 32000

void h5u_quiet(void)
{
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void h5u_where(hid_t g, char *file, size_t file_cap, char *path, size_t path_cap)
{
	snprintf(file, file_cap, "?");
	snprintf(path, path_cap, "/");
	if (H5Fget_name(g, file, file_cap) < 0 || H5Iget_name(g, path, path_cap) < 0)
		H5Eclear2(H5E_DEFAULT);
}

/* ---- error stack -------------------------------------------------------- */

struct stack_walk {
	char outer[256], inner[256];
	unsigned frames;
};

/* copy an HDF5 description, newlines (its timestamps have them) to spaces */
static void copy_desc(char *dst, size_t cap, const char *src)
{
	size_t k = 0;
	for (; src && *src && k + 1 < cap; src++)
		dst[k++] = (*src == '\n' || *src == '\r') ? ' ' : *src;
	while (k > 0 && dst[k - 1] == ' ')
		k--;
	dst[k] = '\0';
}

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data)
{
	struct stack_walk *w = data;
	if (n == 0)
		copy_desc(w->outer, sizeof w->outer, e->desc);
	copy_desc(w->inner, sizeof w->inner, e->desc);
	w->frames++;
	return 0;
}

void h5u_err(const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	struct stack_walk w = { .frames = 0 };
	w.outer[0] = w.inner[0] = '\0';
	H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &w);
	H5Eclear2(H5E_DEFAULT);
	if (w.frames == 0 || !w.outer[0])
		err_set("%s", msg);
	else if (w.frames == 1 || strcmp(w.outer, w.inner) == 0)
		err_set("%s: HDF5: %s", msg, w.outer);
	else
		err_set("%s: HDF5: %s (%s)", msg, w.outer, w.inner);
}

/* ---- files and links ---------------------------------------------------- */

hid_t h5u_open_read(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		err_set("%s: %s", path, errno == ENOENT ? "no such file" : strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		err_set("%s: is a directory, not an HDF5 file", path);
		return -1;
	}
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		err_set("%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	htri_t is = H5Fis_hdf5(path);
	if (is < 0) {
		h5u_err("%s: cannot read", path);
		return -1;
	}
	if (is == 0) {
		err_set("%s: not an HDF5 file (no HDF5 signature found)", path);
		return -1;
	}
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl < 0) {
		h5u_err("%s: cannot open", path);
		return -1;
	}
	/* STRONG: closing the file closes whatever an error path forgot, so
	 * a failed load never keeps the file open (and locked) */
	H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
	/* reading must work on filesystems without flock (NFS, some FUSE) */
	H5Pset_file_locking(fapl, 1, 1);
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
	if (f < 0)
		h5u_err("%s: cannot open", path);
	H5Pclose(fapl);
	return f;
}

int h5u_has_link(hid_t loc, const char *name)
{
	htri_t r = H5Lexists(loc, name, H5P_DEFAULT);
	if (r < 0) {
		h5u_err("cannot look up '%s'", name);
		return -1;
	}
	return r > 0;
}

H5O_type_t h5u_obj_type(hid_t loc, const char *name)
{
	H5O_info_t info;
	if (H5Oget_info_by_name2(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
		H5Eclear2(H5E_DEFAULT);
		return H5O_TYPE_UNKNOWN;
	}
	return info.type;
}

struct link_walk {
	char **v;
	size_t n, cap;
	int failed;
};

static herr_t link_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
	struct link_walk *w = data;
	(void)g;
	(void)info;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		char **v = realloc(w->v, cap * sizeof *v);
		if (!v) {
			err_nomem("link names", cap * sizeof *v);
			w->failed = 1;
			return -1;
		}
		w->v = v;
		w->cap = cap;
	}
	if (!(w->v[w->n] = strdup(name))) {
		err_nomem("link name", strlen(name) + 1);
		w->failed = 1;
		return -1;
	}
	w->n++;
	return 0;
}

int h5u_list_links(hid_t g, char ***names, size_t *n)
{
	unsigned crt = 0;
	/* g may be a file id (its root group): open the group itself to ask */
	hid_t self = H5Oopen(g, ".", H5P_DEFAULT);
	hid_t gcpl = self < 0 ? -1 : H5Gget_create_plist(self);
	if (gcpl >= 0) {
		H5Pget_link_creation_order(gcpl, &crt);
		H5Pclose(gcpl);
	}
	if (self >= 0)
		H5Oclose(self);
	H5Eclear2(H5E_DEFAULT);
	H5_index_t idx = (crt & H5P_CRT_ORDER_INDEXED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
	struct link_walk w = { NULL, 0, 0, 0 };
	hsize_t pos = 0;
	if (H5Literate(g, idx, H5_ITER_INC, &pos, link_cb, &w) < 0) {
		if (!w.failed)
			h5u_err("cannot list its members");
		h5u_strings_free(w.v, w.n);
		return -1;
	}
	*names = w.v;
	*n = w.n;
	return 0;
}

/* ---- names for messages ------------------------------------------------- */

void h5u_strings_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

const char *h5u_class_name(H5T_class_t c)
{
	switch (c) {
	case H5T_INTEGER: return "integer";
	case H5T_FLOAT: return "float";
	case H5T_STRING: return "string";
	case H5T_BITFIELD: return "bitfield";
	case H5T_OPAQUE: return "opaque";
	case H5T_COMPOUND: return "compound";
	case H5T_REFERENCE: return "reference";
	case H5T_ENUM: return "enum";
	case H5T_VLEN: return "variable-length sequence";
	case H5T_ARRAY: return "array";
	default: return "unknown";
	}
}

void h5u_format_dims(hid_t space, char *buf, size_t cap)
{
	hsize_t dims[H5S_MAX_RANK];
	int rank = H5Sget_simple_extent_dims(space, dims, NULL);
	size_t k = 0;
	buf[0] = '\0';
	if (rank <= 0) {
		snprintf(buf, cap, rank == 0 ? "scalar" : "?");
		return;
	}
	for (int i = 0; i < rank && k < cap; i++) {
		int w = snprintf(buf + k, cap - k, "%s%llu", i ? " x " : "",
				 (unsigned long long)dims[i]);
		if (w < 0)
			break;
		k += (size_t)w;
	}
}

/* ---- writing ------------------------------------------------------------- */

int h5u_write_dataset(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
		      int rank, const hsize_t *dims, const void *data)
{
	hid_t sp = H5Screate_simple(rank, dims, NULL);
	hid_t d = sp < 0 ? -1
		: H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	hssize_t np = sp < 0 ? 0 : H5Sget_simple_extent_npoints(sp);
	int rc = 0;
	/* an empty dataset has nothing to write, and HDF5 rejects a NULL buffer */
	if (d < 0 || (np > 0 && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)) {
		h5u_err("cannot write dataset '%s'", name);
		rc = -1;
	}
	if (d >= 0 && H5Dclose(d) < 0 && rc == 0) {
		h5u_err("cannot write dataset '%s'", name);
		rc = -1;
	}
	if (sp >= 0)
		H5Sclose(sp);
	return rc;
}

/* ---- checks before reading ---------------------------------------------- */

/* Are the count values of d inside the file?  Refuses external files and
 * virtual datasets (a file must not make rnr read other files) and, when
 * nothing compresses it, storage smaller than the shape claims: values
 * never written, which HDF5 would hand back as fill values, and a tiny
 * file could make rnr allocate gigabytes for them. */
static int check_storage(hid_t d, const char *what, size_t count)
{
	hid_t dcpl = H5Dget_create_plist(d), ft = H5Dget_type(d);
	H5D_layout_t layout = dcpl < 0 ? H5D_LAYOUT_ERROR : H5Pget_layout(dcpl);
	int n_ext = dcpl < 0 ? -1 : H5Pget_external_count(dcpl);
	int n_filters = dcpl < 0 ? -1 : H5Pget_nfilters(dcpl);
	size_t fsize = ft < 0 ? 0 : H5Tget_size(ft);
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (ft >= 0)
		H5Tclose(ft);
	H5D_space_status_t status;
	if (layout < 0 || n_ext < 0 || n_filters < 0 || fsize == 0 ||
	    H5Dget_space_status(d, &status) < 0) {
		h5u_err("%s: cannot read its storage properties", what);
		return -1;
	}
	if (n_ext > 0 || layout == H5D_VIRTUAL) {
		err_set("%s: its values are kept in other files (%s); rnr reads only data "
			"inside the file", what, n_ext > 0 ? "external storage" : "a virtual dataset");
		return -1;
	}
	long double claimed = (long double)count * (long double)fsize;
	hsize_t stored = status == H5D_SPACE_STATUS_NOT_ALLOCATED ? 0 : H5Dget_storage_size(d);
	if (stored == 0 || (n_filters == 0 && (long double)stored < claimed)) {
		err_set("%s: the file stores %llu of the %.0Lf bytes its shape claims (values "
			"never written?)", what, (unsigned long long)stored, claimed);
		return -1;
	}
	return 0;
}

static int dataset_dims(hid_t d, const char *what, int rank, size_t elem, size_t *dims,
			size_t *bytes, int check_memory)
{
	hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
	H5T_class_t cls = t < 0 ? H5T_NO_CLASS : H5Tget_class(t);
	int r = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
	hsize_t hd[H5S_MAX_RANK];
	char shape[160] = "?";
	if (r >= 0 && r <= H5S_MAX_RANK) {
		H5Sget_simple_extent_dims(sp, hd, NULL);
		h5u_format_dims(sp, shape, sizeof shape);
	}
	if (sp >= 0)
		H5Sclose(sp);
	if (t >= 0)
		H5Tclose(t);
	if (t < 0 || r < 0) {
		h5u_err("%s: cannot read its type and shape", what);
		return -1;
	}
	if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
		err_set("%s: is a %s dataset; expected numbers", what, h5u_class_name(cls));
		return -1;
	}
	if (r != rank) {
		err_set("%s: is %d-D [%s], expected %d-D", what, r, shape, rank);
		return -1;
	}
	/* the product in long double first: the size a huge claim would need */
	long double need = (long double)elem;
	size_t total = elem;
	int overflow = 0;
	for (int i = 0; i < r; i++) {
		need *= (long double)hd[i];
		if (hd[i] > SIZE_MAX || (hd[i] && total > SIZE_MAX / hd[i]))
			overflow = 1;
		else
			total *= (size_t)hd[i];
	}
	if (overflow) {
		err_set("%s: [%s] as %s overflows the address space (it would need %.3Lg "
			"bytes)", what, shape, elem == 4 ? "float32" : elem == 8 ? "64-bit values"
			: "values", need);
		return -1;
	}
	if ((check_memory && mat_check_bytes(total, what) < 0) ||
	    h5u_check_filters(d, what) < 0 ||
	    (total && check_storage(d, what, total / elem) < 0))
		return -1;
	for (int i = 0; i < r; i++)
		dims[i] = (size_t)hd[i];
	if (bytes)
		*bytes = total;
	return 0;
}

int h5u_dataset_dims(hid_t d, const char *what, int rank, size_t elem, size_t *dims,
		     size_t *bytes)
{
	return dataset_dims(d, what, rank, elem, dims, bytes, 1);
}

int h5u_dataset_shape(hid_t d, const char *what, int rank, size_t elem, size_t *dims,
		      size_t *bytes)
{
	return dataset_dims(d, what, rank, elem, dims, bytes, 0);
}

/* Open loc/name and check it holds exactly count values of mtype's size
 * (the count as rnr computes it: HDF5's own may have wrapped).  The open
 * dataset, or -1 with err_set(). */
static hid_t open_exact(hid_t loc, const char *name, hid_t mtype, size_t count)
{
	hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
	if (d < 0) {
		h5u_err("missing dataset %s", name);
		return -1;
	}
	hid_t sp = H5Dget_space(d);
	int rank = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
	if (sp >= 0)
		H5Sclose(sp);
	size_t dims[H5S_MAX_RANK], have = 1;
	char what[300];
	snprintf(what, sizeof what, "dataset %s", name);
	int rc = -1;
	if (rank < 0 || rank > H5S_MAX_RANK)
		h5u_err("%s: cannot read its shape", what);
	else if (h5u_dataset_dims(d, what, rank, H5Tget_size(mtype), dims, NULL) == 0) {
		for (int i = 0; i < rank; i++)
			have *= dims[i];
		if (have != count)
			err_set("%s has %zu values, expected %zu", what, have, count);
		else
			rc = 0;
	}
	if (rc < 0) {
		H5Dclose(d);
		return -1;
	}
	return d;
}

static int read_all(hid_t d, const char *name, hid_t mtype, void *out, size_t count)
{
	int rc = 0;
	if (count && H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) {
		h5u_err("cannot read dataset %s", name);
		rc = -1;
	}
	H5Dclose(d);
	return rc;
}

int h5u_read_exact(hid_t loc, const char *name, hid_t mtype, void *out, size_t count)
{
	hid_t d = open_exact(loc, name, mtype, count);
	return d < 0 ? -1 : read_all(d, name, mtype, out, count);
}

int h5u_read_alloc(hid_t loc, const char *name, hid_t mtype, size_t count, void **out)
{
	hid_t d = open_exact(loc, name, mtype, count);
	if (d < 0)
		return -1;
	size_t bytes = count * H5Tget_size(mtype); /* checked by open_exact */
	void *p = malloc(bytes ? bytes : 1);
	if (!p) {
		H5Dclose(d);
		err_nomem(name, bytes);
		return -1;
	}
	if (read_all(d, name, mtype, p, count) < 0) {
		free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int h5u_check_filters(hid_t dset, const char *what)
{
	hid_t dcpl = H5Dget_create_plist(dset);
	int nf = dcpl < 0 ? -1 : H5Pget_nfilters(dcpl);
	if (nf < 0) {
		h5u_err("%s: cannot read its storage properties", what);
		if (dcpl >= 0)
			H5Pclose(dcpl);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < nf && rc == 0; i++) {
		unsigned flags, config;
		size_t nelm = 0;
		char name[128] = "";
		H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &nelm, NULL,
						 sizeof name, name, &config);
		if (id < 0) {
			h5u_err("%s: cannot read its filter %d", what, i);
			rc = -1;
			break;
		}
		htri_t avail = H5Zfilter_avail(id);
		H5Eclear2(H5E_DEFAULT);
		if (avail > 0)
			continue;
		const char *pp = getenv("HDF5_PLUGIN_PATH");
		err_set("%s: compressed with HDF5 filter '%s' (id %d), which this HDF5 "
			"library cannot load%s (HDF5_PLUGIN_PATH %s%s)", what,
			name[0] ? name : "unnamed", (int)id,
			id == H5U_FILTER_LZF ? "; it is h5py's lzf: install Debian's "
			"hdf5-plugin-lzf and set HDF5_PLUGIN_PATH to its plugin directory" : "",
			pp ? "is " : "is not set", pp ? pp : "");
		rc = -1;
	}
	H5Pclose(dcpl);
	return rc;
}
