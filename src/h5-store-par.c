/* h5-store-par.c - the parallel write of a save's row matrices (see
 * h5-store-par.h). */
#include "h5-store-par.h"
#include "err.h"
#include "h5-mpio.h"
#include "h5-util.h"
#include "obj.h"
#include "par-mpi.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* one deferred matrix: which object's array, its shape, its dataset */
struct deferred {
	uint64_t obj, rows, cols;
	char path[1024];
};

static struct {
	int active;
	size_t obj;
	struct deferred *v;
	size_t n, cap;
} par;

void h5_store_par_begin(void)
{
	par.active = 1;
	par.n = 0;
}

void h5_store_par_object(size_t i)
{
	par.obj = i;
}

void h5_store_par_end(void)
{
	par.active = 0;
}

/* the dataset name under loc, created to be written later: its storage
 * allocated now (parallel HDF5 writes into allocated storage), no fill
 * (every row is written) */
static int defer(hid_t loc, const char *name, hsize_t *dims)
{
	if (par.n == par.cap) {
		size_t cap = par.cap ? 2 * par.cap : 8;
		struct deferred *v = realloc(par.v, cap * sizeof *v);
		if (!v) {
			err_nomem("the save's table of banks", cap * sizeof *v);
			return -1;
		}
		par.v = v;
		par.cap = cap;
	}
	hid_t sp = H5Screate_simple(2, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
	hid_t d = sp >= 0 && dcpl >= 0 &&
			  H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) >= 0 &&
			  H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0
		  ? H5Dcreate2(loc, name, H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT)
		  : -1;
	struct deferred *e = &par.v[par.n];
	ssize_t len = d >= 0 ? H5Iget_name(d, e->path, sizeof e->path) : -1;
	int rc = len > 0 && (size_t)len < sizeof e->path ? 0 : -1;
	if (rc < 0)
		h5u_err("cannot create dataset '%s'", name);
	if (d >= 0 && H5Dclose(d) < 0 && rc == 0) {
		h5u_err("cannot create dataset '%s'", name);
		rc = -1;
	}
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (sp >= 0)
		H5Sclose(sp);
	if (rc == 0) {
		e->obj = par.obj;
		e->rows = dims[0];
		e->cols = dims[1];
		par.n++;
	}
	return rc;
}

int h5_store_write_rows(hid_t loc, const char *name, const float *data, size_t rows,
			size_t cols)
{
	hsize_t dims[2] = { rows, cols };
	if (par.active && rows > 0 && cols > 0)
		return defer(loc, name, dims);
	return h5u_write_dataset(loc, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, dims, data);
}

/* this rank's shard of deferred matrix e into the open file f */
static int write_shard(hid_t f, const struct deferred *e, struct obj *const *objs, size_t n,
		       hid_t dxpl)
{
	struct obj_array a = { 0 };
	const struct obj *o = e->obj < n ? objs[e->obj] : NULL;
	int ok = o && o->type->array && o->type->array(o, &a) == 0 && a.ndim == 2 &&
		 a.shape[0] == e->rows && a.shape[1] == e->cols && !strcmp(a.descr, "<f4");
	size_t lo = 0, hi = 0;
	if (ok)
		ranks_shard((size_t)e->rows, &lo, &hi);
	hsize_t start[2] = { lo, 0 }, count[2] = { hi > lo ? hi - lo : 1, e->cols };
	hid_t d = H5Dopen2(f, e->path, H5P_DEFAULT);
	hid_t fs = d >= 0 ? H5Dget_space(d) : -1, ms = H5Screate_simple(2, count, NULL);
	/* every rank joins the collective write, a rank without rows too */
	int sel = fs >= 0 && ms >= 0 &&
		  (hi > lo ? H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL)
			   : H5Sselect_none(fs) >= 0 ? H5Sselect_none(ms) : -1) >= 0;
	const float *src = ok && hi > lo ? (const float *)a.data + lo * e->cols : NULL;
	int rc = d >= 0 && sel && H5Dwrite(d, H5T_NATIVE_FLOAT, ms, fs, dxpl, src) >= 0 ? 0 : -1;
	if (!ok)
		err_set("%s: not the matrix of %llu x %llu floats the save deferred", e->path,
			(unsigned long long)e->rows, (unsigned long long)e->cols);
	else if (rc < 0)
		h5u_err("%s: cannot write rows %zu..%zu", e->path, lo, hi - 1);
	free(a.owned);
	if (ms >= 0)
		H5Sclose(ms);
	if (fs >= 0)
		H5Sclose(fs);
	if (d >= 0)
		H5Dclose(d);
	return ok ? rc : -1;
}

int h5_store_par_write(const char *tmp, struct obj *const *objs, size_t n)
{
	/* rank 0's table and file name, to every rank */
	uint64_t count = ranks_rank() == 0 ? par.n : 0;
	ranks_bcast(&count, sizeof count);
	if (count == 0)
		return 0;
	struct deferred *v = ranks_rank() == 0 ? par.v : calloc(count, sizeof *v);
	char name[4096] = "";
	if (ranks_rank() == 0)
		snprintf(name, sizeof name, "%s", tmp);
	ranks_bcast(name, sizeof name);
	int rc = v ? 0 : -1;
	if (!v)
		err_nomem("the save's table of banks", count * sizeof *v);
	/* a rank that cannot hold the table still joins the broadcast */
	static struct deferred scratch;
	for (uint64_t i = 0; i < count; i++)
		ranks_bcast(v ? &v[i] : &scratch, sizeof *v);
	hid_t f = rc == 0 ? h5_mpio_open(name, H5F_ACC_RDWR) : -1;
	if (rc == 0 && f < 0)
		rc = -1;
	if (ranks_all_ok(rc) == 0) {
		hid_t dxpl = h5_mpio_dxpl(1);
		for (uint64_t i = 0; i < count; i++)
			if (write_shard(f, &v[i], objs, n, dxpl) < 0)
				rc = -1;
		h5_mpio_dxpl_close(dxpl);
		if (H5Fclose(f) < 0 && rc == 0) {
			h5u_err("%s: cannot finish the parallel write", name);
			rc = -1;
		}
		rc = ranks_all_ok(rc);
	} else {
		if (f >= 0)
			H5Fclose(f);
		rc = -1;
	}
	if (ranks_rank() != 0)
		free(v);
	return rc;
}
