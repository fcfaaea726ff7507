/* h5-attr.h - scalar float64 attributes, which the analysis objects
 * (spectrum, hist, probe) save their summaries in so that h5py reads them
 * as plain numbers: g.attrs['median'].  The string and int64 helpers live
 * in h5-util.h; these follow the same rules (replace on write, a size- and
 * class-checked read, errors through h5u_err). */
#ifndef RNR_H5_ATTR_H
#define RNR_H5_ATTR_H

#include <hdf5.h>

/* Write (replace) a scalar float64 attribute.  0 or -1 with err_set(). */
int h5a_write_f64(hid_t obj, const char *name, double value);

/* Read an attribute holding one number (integer or float) as a double.
 * 0 with *out set; -1 with err_set() if it is missing or not one number. */
int h5a_read_f64(hid_t obj, const char *name, double *out);

#endif
