/* h5-store-par.h - the parallel HDF5 write of a save under MPI (see
 * h5-store.c: h5_store_save_with()).
 *
 * A save on P > 1 ranks runs in two phases.  Rank 0 writes the temporary
 * file serially, every object as on one machine, except the row matrices
 * the objects write through h5_store_write_rows() (a bank's psi): those
 * datasets are created (storage allocated, no fill) and left for later.
 * Then every rank opens the temporary file through MPI-IO and writes its
 * contiguous shard of each such matrix's rows (ranks_shard(rows)) with one
 * collective H5Dwrite.  Only when every rank succeeded does rank 0 sync
 * the file and rename it into place; else it removes it, so a failed save
 * leaves the old file as it was.  The file is an ordinary HDF5 file: the
 * serial build, h5py and rnr's own load read it. */
#ifndef RNR_H5_STORE_PAR_H
#define RNR_H5_STORE_PAR_H

#include <stddef.h>

#include <hdf5.h>

struct obj;

/* The float matrix data [rows x cols] as dataset name under loc (IEEE
 * float32 little-endian), as an object's save() writes it.  Under MPI a
 * save writes these in parallel, each rank its shard of the rows
 * (h5-store-par.h); the matrix must then be the object's array (its
 * type's array()), which every rank holds.  0, or -1 with err_set(). */
int h5_store_write_rows(hid_t loc, const char *name, const float *data, size_t rows,
			size_t cols);

/* Rank 0's serial phase: between begin and end, h5_store_write_rows()
 * defers its data; before each object's save, the object's index. */
void h5_store_par_begin(void);
void h5_store_par_object(size_t i);
void h5_store_par_end(void);

/* The parallel phase (collective): tmp is rank 0's temporary file (the
 * others pass anything), objs[0..n) the objects saved, the same on every
 * rank.  0 on every rank, or -1 on every rank with the first failing
 * rank's message. */
int h5_store_par_write(const char *tmp, struct obj *const *objs, size_t n);

#endif
