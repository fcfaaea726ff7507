/* h5-util.c - HDF5 error stack, string attributes, datasets (see h5-util.h). */
#include "h5-util.h"
#include "mat.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Attributes with more elements than this are summarised, not read: they
 * are metadata, and a hostile file must not make us allocate gigabytes. */
#define H5U_ATTR_MAX_ELEMS ((hssize_t)1 << 20)
#define H5U_ATTR_MAX_BYTES ((size_t)64 << 20)

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

/* ---- reading attributes as text ----------------------------------------- */

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

/* n strings, each NULL; -1 with err_set() on OOM */
static char **strings_new(size_t n)
{
	char **v = calloc(n ? n : 1, sizeof *v);
	if (!v)
		err_nomem("attribute strings", n * sizeof *v);
	return v;
}

/* fill every NULL slot of v[n] with a copy of s; -1 on OOM */
static int strings_fill(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!v[i] && !(v[i] = strdup(s))) {
			err_nomem("attribute string", strlen(s) + 1);
			return -1;
		}
	return 0;
}

static int read_vlen_strings(hid_t a, hid_t mt, size_t n, char **v)
{
	char **raw = calloc(n ? n : 1, sizeof *raw);
	if (!raw) {
		err_nomem("attribute strings", n * sizeof *raw);
		return -1;
	}
	if (H5Aread(a, mt, raw) < 0) {
		h5u_err("cannot read");
		free(raw);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *s = raw[i] ? raw[i] : "";
		if (!(v[i] = strdup(s)))
			rc = -1, err_nomem("attribute string", strlen(s) + 1);
	}
	/* HDF5 allocated each string; give them back through HDF5 */
	hid_t sp = H5Aget_space(a);
	H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
	H5Sclose(sp);
	free(raw);
	return rc;
}

static int read_fixed_strings(hid_t a, hid_t mt, size_t size, H5T_str_t pad,
			      size_t n, char **v)
{
	if (size == 0 || n > H5U_ATTR_MAX_BYTES / size)
		return strings_fill(v, n, "(string too long, not shown)");
	char *raw = malloc(n * size);
	if (!raw) {
		err_nomem("attribute strings", n * size);
		return -1;
	}
	if (H5Aread(a, mt, raw) < 0) {
		h5u_err("cannot read");
		free(raw);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = raw + i * size;
		size_t len = strnlen(s, size);
		while (pad == H5T_STR_SPACEPAD && len > 0 && s[len - 1] == ' ')
			len--;
		if (!(v[i] = strndup(s, len))) {
			err_nomem("attribute string", len + 1);
			free(raw);
			return -1;
		}
	}
	free(raw);
	return 0;
}

static int read_strings(hid_t a, hid_t ft, size_t n, char **v)
{
	htri_t vlen = H5Tis_variable_str(ft);
	hid_t mt = H5Tcopy(H5T_C_S1);
	if (vlen < 0 || mt < 0) {
		h5u_err("cannot read its string type");
		if (mt >= 0)
			H5Tclose(mt);
		return -1;
	}
	/* same character set as the file: HDF5 does not convert between them */
	H5Tset_cset(mt, H5Tget_cset(ft));
	int rc;
	if (vlen) {
		H5Tset_size(mt, H5T_VARIABLE);
		rc = read_vlen_strings(a, mt, n, v);
	} else {
		size_t size = H5Tget_size(ft);
		H5T_str_t pad = H5Tget_strpad(ft);
		H5Tset_size(mt, size ? size : 1);
		H5Tset_strpad(mt, pad);
		rc = read_fixed_strings(a, mt, size, pad, n, v);
	}
	H5Tclose(mt);
	return rc;
}

/* shortest %g that reads back as the same double */
static void format_double(char *buf, size_t cap, double x)
{
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, x);
		if (strtod(buf, NULL) == x || isnan(x))
			return;
	}
}

static int read_numbers(hid_t a, hid_t ft, H5T_class_t cls, size_t n, char **v)
{
	int is_unsigned = cls == H5T_INTEGER && H5Tget_sign(ft) == H5T_SGN_NONE;
	hid_t mt = cls == H5T_FLOAT ? H5T_NATIVE_DOUBLE
		: is_unsigned ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64;
	union { double d; int64_t i; uint64_t u; } *raw = calloc(n ? n : 1, sizeof *raw);
	if (!raw) {
		err_nomem("attribute values", n * sizeof *raw);
		return -1;
	}
	if (H5Aread(a, mt, raw) < 0) {
		h5u_err("cannot read");
		free(raw);
		return -1;
	}
	char buf[64];
	for (size_t i = 0; i < n; i++) {
		if (cls == H5T_FLOAT)
			format_double(buf, sizeof buf, raw[i].d);
		else if (is_unsigned)
			snprintf(buf, sizeof buf, "%" PRIu64, raw[i].u);
		else
			snprintf(buf, sizeof buf, "%" PRId64, raw[i].i);
		if (!(v[i] = strdup(buf))) {
			free(raw);
			err_nomem("attribute string", strlen(buf) + 1);
			return -1;
		}
	}
	free(raw);
	return 0;
}

/* enums (h5py's bool is one) render as their member names */
static int read_enum(hid_t a, hid_t ft, size_t n, char **v)
{
	hid_t mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
	size_t size = mt < 0 ? 0 : H5Tget_size(mt);
	unsigned char *raw = size ? calloc(n ? n : 1, size) : NULL;
	if (!raw || H5Aread(a, mt, raw) < 0) {
		if (raw)
			h5u_err("cannot read");
		else
			err_set("cannot read its enum type");
		free(raw);
		if (mt >= 0)
			H5Tclose(mt);
		return -1;
	}
	char buf[128];
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (H5Tenum_nameof(mt, raw + i * size, buf, sizeof buf) < 0) {
			H5Eclear2(H5E_DEFAULT);
			snprintf(buf, sizeof buf, "?");
		}
		if (!(v[i] = strdup(buf)))
			rc = -1, err_nomem("attribute string", strlen(buf) + 1);
	}
	free(raw);
	H5Tclose(mt);
	return rc;
}

static int read_attr_values(hid_t a, size_t n, char **v)
{
	hid_t ft = H5Aget_type(a);
	if (ft < 0) {
		h5u_err("cannot read its type");
		return -1;
	}
	H5T_class_t cls = H5Tget_class(ft);
	int rc;
	if (cls == H5T_STRING) {
		rc = read_strings(a, ft, n, v);
	} else if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
		rc = read_numbers(a, ft, cls, n, v);
	} else if (cls == H5T_ENUM) {
		rc = read_enum(a, ft, n, v);
	} else {
		err_set("cannot render a %s value", h5u_class_name(cls));
		rc = -1;
	}
	H5Tclose(ft);
	return rc;
}

/* Compound, reference, opaque, ... attributes: not text; -1 if not one. */
static int attr_unsupported(hid_t a, char *buf, size_t cap, hssize_t np)
{
	hid_t ft = H5Aget_type(a);
	H5T_class_t cls = ft < 0 ? H5T_NO_CLASS : H5Tget_class(ft);
	if (ft >= 0)
		H5Tclose(ft);
	if (np > H5U_ATTR_MAX_ELEMS) {
		snprintf(buf, cap, "(%lld values, not shown)", (long long)np);
		return 1;
	}
	if (cls == H5T_STRING || cls == H5T_INTEGER || cls == H5T_FLOAT || cls == H5T_ENUM)
		return 0;
	snprintf(buf, cap, "(%lld %s value%s, not shown)", (long long)np,
		 h5u_class_name(cls), np == 1 ? "" : "s");
	return 1;
}

int h5u_attr_text(hid_t obj, const char *name, char ***v, size_t *n)
{
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	if (a < 0) {
		h5u_err("attribute '%s'", name);
		return -1;
	}
	hid_t sp = H5Aget_space(a);
	hssize_t np = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
	if (sp >= 0)
		H5Sclose(sp);
	if (np < 0) {
		h5u_err("attribute '%s': cannot read its shape", name);
		H5Aclose(a);
		return -1;
	}
	char buf[128];
	int placeholder = attr_unsupported(a, buf, sizeof buf, np);
	size_t count = placeholder ? 1 : (size_t)np;
	char **vals = strings_new(count);
	int rc = vals ? 0 : -1;
	if (rc == 0 && placeholder) {
		rc = strings_fill(vals, 1, buf);
	} else if (rc == 0) {
		rc = read_attr_values(a, count, vals);
		if (rc == 0)
			rc = strings_fill(vals, count, "");
	}
	H5Aclose(a);
	if (rc < 0) {
		err_prefix("attribute '%s'", name);
		h5u_strings_free(vals, count);
		return -1;
	}
	*v = vals;
	*n = count;
	return 0;
}

int h5u_attr_string(hid_t obj, const char *name, char **out)
{
	char **v = NULL;
	size_t n = 0;
	if (h5u_attr_text(obj, name, &v, &n) < 0)
		return -1;
	*out = n == 1 ? v[0] : NULL;
	if (n == 1)
		v[0] = NULL;
	h5u_strings_free(v, n);
	if (!*out)
		err_set("attribute '%s': expected one value, found %zu", name, n);
	return *out ? 0 : -1;
}

/* Read the one-element numeric attribute name of obj as mtype into out
 * (integers only unless any_number).  1 when read, 0 when there is no such
 * attribute, -1 with err_set() when it is not one number or unreadable. */
static int read_scalar_attr(hid_t obj, const char *name, int any_number, hid_t mtype,
			    void *out)
{
	htri_t has = H5Aexists(obj, name);
	if (has <= 0) {
		if (has < 0)
			h5u_err("attribute '%s'", name);
		return has < 0 ? -1 : 0;
	}
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	hid_t ft = a < 0 ? -1 : H5Aget_type(a);
	hid_t sp = a < 0 ? -1 : H5Aget_space(a);
	H5T_class_t cl = ft < 0 ? H5T_NO_CLASS : H5Tget_class(ft);
	int ok = sp >= 0 && (cl == H5T_INTEGER || (any_number && cl == H5T_FLOAT)) &&
		 H5Sget_simple_extent_npoints(sp) == 1;
	int rc = 1;
	if (!ok) {
		err_set("attribute '%s': expected one %s", name, any_number ? "number" : "integer");
		rc = -1;
	} else if (H5Aread(a, mtype, out) < 0) {
		h5u_err("attribute '%s': cannot read", name);
		rc = -1;
	}
	if (sp >= 0)
		H5Sclose(sp);
	if (ft >= 0)
		H5Tclose(ft);
	if (a >= 0)
		H5Aclose(a);
	return rc;
}

int h5u_attr_i64(hid_t obj, const char *name, int64_t *out)
{
	return read_scalar_attr(obj, name, 0, H5T_NATIVE_INT64, out);
}

/* ---- writing ------------------------------------------------------------- */

/* variable-length UTF-8: what h5py writes for str and reads back as str */
static hid_t vlen_utf8_type(void)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	if (t < 0)
		return -1;
	if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
		H5Tclose(t);
		return -1;
	}
	return t;
}

/* create (replacing) attribute name with type t and space sp, write buf */
static int write_attr(hid_t obj, const char *name, hid_t t, hid_t sp, const void *buf)
{
	htri_t has = H5Aexists(obj, name);
	if (has > 0 && H5Adelete(obj, name) < 0)
		has = -1;
	hid_t a = has < 0 ? -1 : H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
	if (a < 0 || H5Awrite(a, t, buf) < 0) {
		h5u_err("cannot write attribute '%s'", name);
		if (a >= 0)
			H5Aclose(a);
		return -1;
	}
	if (H5Aclose(a) < 0) {
		h5u_err("cannot write attribute '%s'", name);
		return -1;
	}
	return 0;
}

int h5u_write_str_attr(hid_t obj, const char *name, const char *value)
{
	const char *s = value ? value : "";
	hid_t t = vlen_utf8_type();
	hid_t sp = H5Screate(H5S_SCALAR);
	int rc = -1;
	if (t < 0 || sp < 0)
		h5u_err("cannot write attribute '%s'", name);
	else
		rc = write_attr(obj, name, t, sp, &s);
	if (sp >= 0)
		H5Sclose(sp);
	if (t >= 0)
		H5Tclose(t);
	return rc;
}

int h5u_write_strs_attr(hid_t obj, const char *name, char *const *v, size_t n)
{
	hsize_t dim = n;
	hid_t t = vlen_utf8_type();
	hid_t sp = H5Screate_simple(1, &dim, NULL);
	int rc = -1;
	/* HDF5 writes NULL pointers as empty strings, but be explicit */
	const char **buf = calloc(n ? n : 1, sizeof *buf);
	if (!buf) {
		err_nomem("attribute strings", n * sizeof *buf);
	} else if (t < 0 || sp < 0) {
		h5u_err("cannot write attribute '%s'", name);
	} else {
		for (size_t i = 0; i < n; i++)
			buf[i] = v[i] ? v[i] : "";
		rc = write_attr(obj, name, t, sp, buf);
	}
	free(buf);
	if (sp >= 0)
		H5Sclose(sp);
	if (t >= 0)
		H5Tclose(t);
	return rc;
}

/* Write (replace) a scalar attribute of file type ftype from *value. */
static int write_scalar_attr(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
			     const void *value)
{
	hid_t sp = H5Screate(H5S_SCALAR);
	if (sp < 0) {
		h5u_err("cannot write attribute '%s'", name);
		return -1;
	}
	htri_t has = H5Aexists(obj, name);
	if (has > 0 && H5Adelete(obj, name) < 0)
		has = -1;
	hid_t a = has < 0 ? -1 : H5Acreate2(obj, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
	int rc = 0;
	if (a < 0 || H5Awrite(a, mtype, value) < 0) {
		h5u_err("cannot write attribute '%s'", name);
		rc = -1;
	}
	if (a >= 0 && H5Aclose(a) < 0 && rc == 0) {
		h5u_err("cannot write attribute '%s'", name);
		rc = -1;
	}
	H5Sclose(sp);
	return rc;
}

int h5u_write_i64_attr(hid_t obj, const char *name, int64_t value)
{
	return write_scalar_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

int h5u_write_f64_attr(hid_t obj, const char *name, double value)
{
	return write_scalar_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

int h5u_attr_f64(hid_t obj, const char *name, double *out)
{
	int rc = read_scalar_attr(obj, name, 1, H5T_NATIVE_DOUBLE, out);
	if (rc == 0)
		err_set("no attribute '%s'", name);
	return rc > 0 ? 0 : -1;
}

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

int h5u_dataset_dims(hid_t d, const char *what, int rank, size_t elem, size_t *dims,
		     size_t *bytes)
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
	if (mat_check_bytes(total, what) < 0 || h5u_check_filters(d, what) < 0 ||
	    (total && check_storage(d, what, total / elem) < 0))
		return -1;
	for (int i = 0; i < r; i++)
		dims[i] = (size_t)hd[i];
	if (bytes)
		*bytes = total;
	return 0;
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
