/* h5-mpio.h - HDF5 files shared by the MPI ranks of a run (parallel HDF5,
 * the MPI-IO file driver), for the streamed caches (h5-stream.c) and the
 * parallel write of a save (h5-store-par.c).
 *
 * Shared only in an MPI build (./configure --with-mpi) run on more than one
 * rank, and never inside a load's rehearsal child (h5-rehearse.h), which
 * must not talk to the other ranks.  Opening a file this way is collective:
 * every rank calls it, for the same file, at the same point of the run. */
#ifndef RNR_H5_MPIO_H
#define RNR_H5_MPIO_H

#include <hdf5.h>

/* 1 when files are shared between the ranks of this run. */
int h5_mpio_shared(void);

/* Open path (H5F_ACC_RDONLY or H5F_ACC_RDWR) on every rank through MPI-IO.
 * -1 with err_set() naming the file (and always -1 when not shared). */
hid_t h5_mpio_open(const char *path, unsigned flags);

/* A transfer property list for collective (1) or independent (0) reads
 * and writes of a shared file; H5P_DEFAULT when not shared.  Close it
 * with h5_mpio_dxpl_close(). */
hid_t h5_mpio_dxpl(int collective);
void h5_mpio_dxpl_close(hid_t dxpl);

#endif
