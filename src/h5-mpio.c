/* h5-mpio.c - HDF5 files shared by the MPI ranks (see h5-mpio.h). */
#include "config.h"

#include "h5-mpio.h"
#include "err.h"
#include "h5-rehearse.h"
#include "h5-util.h"
#include "par-mpi.h"

#ifdef RNR_MPI
#include <mpi.h>
#endif

int h5_mpio_shared(void)
{
#ifdef RNR_MPI
	return ranks_size() > 1 && !h5_rehearse_in_child();
#else
	return 0;
#endif
}

hid_t h5_mpio_open(const char *path, unsigned flags)
{
	hid_t f = -1;
#ifdef RNR_MPI
	hid_t fapl = h5_mpio_shared() ? H5Pcreate(H5P_FILE_ACCESS) : -1;
	if (fapl >= 0 && H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL) >= 0)
		f = H5Fopen(path, flags, fapl);
	if (fapl >= 0)
		H5Pclose(fapl);
#else
	(void)flags;
#endif
	if (f < 0)
		h5u_err("%s: cannot open through MPI-IO (parallel HDF5) on rank %zu", path,
			ranks_rank());
	return f;
}

hid_t h5_mpio_dxpl(int collective)
{
#ifdef RNR_MPI
	if (h5_mpio_shared()) {
		hid_t x = H5Pcreate(H5P_DATASET_XFER);
		if (x >= 0 && H5Pset_dxpl_mpio(x, collective ? H5FD_MPIO_COLLECTIVE
							     : H5FD_MPIO_INDEPENDENT) >= 0)
			return x;
		if (x >= 0)
			H5Pclose(x);
	}
#else
	(void)collective;
#endif
	return H5P_DEFAULT;
}

void h5_mpio_dxpl_close(hid_t dxpl)
{
	if (dxpl != H5P_DEFAULT)
		H5Pclose(dxpl);
}
