/* h5-attrio.c - one attribute read as text or a number, or written (see
 * h5-attrio.h). */
#include "h5-attrio.h"
#include "h5-util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Attributes with more elements than this are summarised, not read: they
 * are metadata, and a hostile file must not make us allocate gigabytes. */
#define H5U_ATTR_MAX_ELEMS ((hssize_t)1 << 20)
#define H5U_ATTR_MAX_BYTES ((size_t)64 << 20)

/* ---- reading as text ----------------------------------------------------- */

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
