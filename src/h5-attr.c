/* h5-attr.c - scalar float64 attributes (see h5-attr.h). */
#include "h5-attr.h"
#include "err.h"
#include "h5-util.h"

int h5a_write_f64(hid_t obj, const char *name, double value)
{
	hid_t sp = H5Screate(H5S_SCALAR);
	if (sp < 0) {
		h5u_err("cannot write attribute '%s'", name);
		return -1;
	}
	htri_t has = H5Aexists(obj, name);
	if (has > 0 && H5Adelete(obj, name) < 0)
		has = -1;
	hid_t a = has < 0 ? -1
		: H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
	int rc = 0;
	if (a < 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, &value) < 0) {
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

int h5a_read_f64(hid_t obj, const char *name, double *out)
{
	htri_t has = H5Aexists(obj, name);
	if (has <= 0) {
		if (has < 0)
			h5u_err("attribute '%s'", name);
		else
			err_set("no attribute '%s'", name);
		return -1;
	}
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	hid_t ft = a < 0 ? -1 : H5Aget_type(a);
	hid_t sp = a < 0 ? -1 : H5Aget_space(a);
	H5T_class_t cl = ft < 0 ? H5T_NO_CLASS : H5Tget_class(ft);
	int ok = sp >= 0 && (cl == H5T_INTEGER || cl == H5T_FLOAT) &&
		 H5Sget_simple_extent_npoints(sp) == 1;
	int rc = 0;
	if (!ok) {
		err_set("attribute '%s': expected one number", name);
		rc = -1;
	} else if (H5Aread(a, H5T_NATIVE_DOUBLE, out) < 0) {
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
