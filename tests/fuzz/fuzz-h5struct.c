/* fuzz-h5struct.c - libFuzzer target: HDF5 files that HDF5 itself wrote,
 * built from the input by a few "ops", then loaded as fuzz-h5.c does.
 * Byte-level mutation of a file mostly exercises HDF5's own decoder; these
 * files are valid HDF5, so every input tests what rnr must check itself:
 * shapes (rank, zero and huge extents: a chunked dataset with nothing
 * written claims terabytes in a few KB), type classes (strings fixed and
 * variable-length, enums, compounds, arrays, opaque, sequences), the
 * attributes each object type reads, and their values.
 *
 * The input is a sequence of ops (each byte taken modulo the table size;
 * an input that ends early ends the op):
 *   0 dataset    LOC NAME TYPE SPACE [RANK DIM...] [STRSIZE] FILL [DATA]
 *   1 attribute  LOC NAME TYPE SPACE [RANK DIM...] [STRSIZE] FILL [DATA]
 *   2 text attr  LOC NAME VLEN COUNT WORD...      (words from words[])
 * SPACE: 0 scalar, 1 simple (RANK 1..3, each DIM from dims[]), 2 null;
 * FILL: 0 nothing written, 1 small integers -1..7 from DATA, 2 raw DATA.
 * RNR_FUZZ_KEEP=FILE in the environment keeps the file built as FILE (to
 * look at a crash input with h5dump or rnr). */
#include "fuzz-h5load.h"
#include "h5-attrio.h"
#include "h5-util.h"

#include <stdio.h>

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct in *in, unsigned mod)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++ % mod;
}

static const char *const locs[] = {
	"/", "/obj", "/obj/ma", "/obj/mb", "/obj/features", "/train", "/train/features",
	"/test", "/test/features",
};
#define N_LOCS (sizeof locs / sizeof *locs)

/* every dataset and attribute name a loader reads, and a few more */
static const char *const names[] = {
	"ma", "mb", "features", "labels", "psi", "total", "per_model", "values", "sigma",
	"wd", "val_accuracy", "k", "n_test", "temperature", "majority", "weighted",
	"weight0", "bias0", "weight1", "bias1", "weight2", "bias2", "rnr_type", "note",
	"models", "steps_per_epoch", "warmup_epochs", "train", "test", "n", "bins",
	"range_given", "lo", "hi", "mean_similarity", "source", "method", "d", "zero_rows",
	"rows_normalized", "chosen", "epochs", "batch", "normalized", "standardized",
	"cosine", "seed", "n_fit", "n_val", "n_train", "n_classes", "test_accuracy",
	"train_accuracy", "loss", "lr", "momentum", "val_frac", "rnr_version", "attr_note",
};
#define N_NAMES (sizeof names / sizeof *names)

static const char *const words[] = {
	"cache", "bank", "mlp", "loss", "table", "spectrum", "hist", "probe", "ma", "mb",
	"train", "test", "svd", "gram", "", "x/y", ".", "ma", "0.1.0",
};
#define N_WORDS (sizeof words / sizeof *words)

static const hsize_t dims_tab[] = {
	0, 1, 2, 3, 4, 5, 7, 20, 1000, (hsize_t)1 << 31, (hsize_t)1 << 40, (hsize_t)1 << 62,
};
#define N_DIMS (sizeof dims_tab / sizeof *dims_tab)

enum { T_F32, T_F64, T_I8, T_I64, T_U64, T_FSTR, T_VSTR, T_ENUM, T_COMPOUND, T_ARRAY,
       T_OPAQUE, T_VLEN, T_BITFIELD, N_TYPES };

/* the file type of kind t (a new id); -1 on failure */
static hid_t make_type(unsigned t, size_t strsize)
{
	hid_t h = -1;
	switch (t) {
	case T_F32: return H5Tcopy(H5T_IEEE_F32LE);
	case T_F64: return H5Tcopy(H5T_IEEE_F64LE);
	case T_I8: return H5Tcopy(H5T_STD_I8LE);
	case T_I64: return H5Tcopy(H5T_STD_I64LE);
	case T_U64: return H5Tcopy(H5T_STD_U64LE);
	case T_FSTR:
	case T_VSTR:
		h = H5Tcopy(H5T_C_S1);
		H5Tset_size(h, t == T_VSTR ? H5T_VARIABLE : strsize);
		return h;
	case T_ENUM: {
		h = H5Tenum_create(H5T_NATIVE_INT8);
		int8_t f = 0, tr = 1;
		H5Tenum_insert(h, "FALSE", &f);
		H5Tenum_insert(h, "TRUE", &tr);
		return h;
	}
	case T_COMPOUND:
		h = H5Tcreate(H5T_COMPOUND, 8);
		H5Tinsert(h, "a", 0, H5T_IEEE_F32LE);
		H5Tinsert(h, "b", 4, H5T_STD_I32LE);
		return h;
	case T_ARRAY: {
		hsize_t two = 2;
		return H5Tarray_create2(H5T_IEEE_F32LE, 1, &two);
	}
	case T_OPAQUE:
		h = H5Tcreate(H5T_OPAQUE, 4);
		H5Tset_tag(h, "fuzz");
		return h;
	case T_VLEN: return H5Tvlen_create(H5T_IEEE_F32LE);
	case T_BITFIELD: return H5Tcopy(H5T_STD_B8LE);
	}
	return -1;
}

/* open loc, creating it and its parents when missing */
static hid_t open_loc(hid_t f, const char *path)
{
	if (strcmp(path, "/") == 0)
		return H5Gopen2(f, "/", H5P_DEFAULT);
	htri_t has = H5Lexists(f, path + 1, H5P_DEFAULT);
	if (has < 0 && strchr(path + 1, '/')) /* the parent is missing */
		has = 0;
	if (has > 0)
		return H5Oopen(f, path, H5P_DEFAULT);
	hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
	H5Pset_create_intermediate_group(lcpl, 1);
	hid_t g = H5Gcreate2(f, path, lcpl, H5P_DEFAULT, H5P_DEFAULT);
	H5Pclose(lcpl);
	return g;
}

static hid_t make_space(struct in *in, int small)
{
	unsigned kind = take(in, 3);
	if (kind == 0)
		return H5Screate(H5S_SCALAR);
	if (kind == 2)
		return H5Screate(H5S_NULL);
	int rank = 1 + (int)take(in, 3);
	hsize_t d[3];
	for (int i = 0; i < rank; i++)
		d[i] = dims_tab[take(in, small ? 7 : N_DIMS)];
	return H5Screate_simple(rank, d, NULL);
}

/* Write the values of dataset or attribute o (is_attr) of file type ft. */
static void fill(struct in *in, hid_t o, int is_attr, hid_t ft, hid_t sp, unsigned t)
{
	unsigned mode = take(in, 3);
	hssize_t np = H5Sget_simple_extent_npoints(sp);
	if (mode == 0 || np <= 0 || np > 4096 || t == T_VSTR || t == T_VLEN)
		return;
	size_t size = H5Tget_size(ft);
	hid_t mt = ft;
	uint8_t *buf = NULL;
	int numeric = t == T_F32 || t == T_F64 || t == T_I8 || t == T_I64 || t == T_U64;
	if (mode == 1 && numeric) {
		int64_t *v = malloc((size_t)np * sizeof *v);
		for (hssize_t i = 0; v && i < np; i++)
			v[i] = (int64_t)take(in, 9) - 1;
		buf = (uint8_t *)v;
		mt = H5T_NATIVE_INT64;
	} else if ((buf = malloc((size_t)np * size))) {
		for (size_t i = 0; i < (size_t)np * size; i++)
			buf[i] = in->n ? in->p[i % in->n] : (uint8_t)i;
		size_t used = (size_t)np * size < in->n ? (size_t)np * size : in->n;
		in->p += used;
		in->n -= used;
	}
	if (buf) {
		if (is_attr)
			H5Awrite(o, mt, buf);
		else
			H5Dwrite(o, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
	}
	free(buf);
}

static void op_object(struct in *in, hid_t f, int is_attr)
{
	hid_t loc = open_loc(f, locs[take(in, N_LOCS)]);
	const char *name = names[take(in, N_NAMES)];
	unsigned t = take(in, N_TYPES);
	hid_t sp = make_space(in, is_attr);
	hid_t ft = make_type(t, 1 + take(in, 8));
	hid_t o = -1;
	if (loc >= 0 && sp >= 0 && ft >= 0) {
		if (is_attr) {
			if (H5Aexists(loc, name) > 0)
				H5Adelete(loc, name);
			o = H5Acreate2(loc, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT);
		} else {
			/* chunked: a huge extent costs nothing until written */
			hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
			int rank = H5Sget_simple_extent_ndims(sp);
			hsize_t d[3], c[3];
			H5Sget_simple_extent_dims(sp, d, NULL);
			for (int i = 0; i < rank; i++)
				c[i] = d[i] == 0 ? 1 : d[i] < 64 ? d[i] : 64;
			if (rank > 0 && H5Sget_simple_extent_type(sp) == H5S_SIMPLE)
				H5Pset_chunk(dcpl, rank, c);
			o = H5Dcreate2(loc, name, ft, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
			H5Pclose(dcpl);
		}
	}
	if (o >= 0) {
		fill(in, o, is_attr, ft, sp, t);
		if (is_attr)
			H5Aclose(o);
		else
			H5Dclose(o);
	}
	if (ft >= 0)
		H5Tclose(ft);
	if (sp >= 0)
		H5Sclose(sp);
	if (loc >= 0)
		H5Oclose(loc);
}

static void op_text(struct in *in, hid_t f)
{
	hid_t loc = open_loc(f, locs[take(in, N_LOCS)]);
	const char *name = names[take(in, N_NAMES)];
	int vlen = (int)take(in, 2);
	size_t count = take(in, 4); /* 0: scalar */
	const char *v[3] = { "", "", "" };
	for (size_t i = 0; i < (count ? count : 1); i++)
		v[i] = words[take(in, N_WORDS)];
	if (loc < 0)
		return;
	if (H5Aexists(loc, name) > 0)
		H5Adelete(loc, name);
	if (vlen) {
		if (count)
			h5u_write_strs_attr(loc, name, (char *const *)v, count);
		else
			h5u_write_str_attr(loc, name, v[0]);
	} else {
		char buf[3][8];
		hsize_t n = count ? count : 1;
		for (size_t i = 0; i < n; i++)
			strncpy(buf[i], v[i], sizeof buf[i]);
		hid_t t = H5Tcopy(H5T_C_S1);
		H5Tset_size(t, sizeof buf[0]);
		hid_t sp = count ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
		hid_t a = H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
		if (a >= 0) {
			H5Awrite(a, t, buf);
			H5Aclose(a);
		}
		H5Sclose(sp);
		H5Tclose(t);
	}
	H5Oclose(loc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	h5u_quiet();
	const char *path = fuzz_h5_path();
	hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	if (f < 0)
		abort();
	struct in in = { data, size };
	for (int ops = 0; in.n && ops < 32; ops++) {
		unsigned op = take(&in, 3);
		if (op == 2)
			op_text(&in, f);
		else
			op_object(&in, f, op == 1);
	}
	H5Eclear2(H5E_DEFAULT);
	if (H5Fclose(f) < 0)
		abort();
	fuzz_h5_load(path);
	const char *keep = getenv("RNR_FUZZ_KEEP");
	if (!keep || rename(path, keep) < 0)
		unlink(path);
	return 0;
}
