/* mlp-bias.c - set every bias of saved rnr MLP sets to a constant, in place.
 *
 *   mlp-bias FILE.h5 VALUE MLP...
 *
 * FILE is written by rnr's `save MLP... to FILE`; every /MLP/<model>/bias<l>
 * dataset is overwritten with VALUE, the weights are kept.  `load FILE` in
 * rnr then restores the MLP sets with the new biases.  Used by
 * bench/method-bias.rnr to test whether dead ReLU units (bench/mlp-dead.c)
 * are what holds the method back: with non-negative inputs concentrated in a
 * narrow cone, PyTorch's init leaves a unit's pre-activation nearly the same
 * sign on every row, so a third of the units are dead on all rows from the
 * start; a positive bias makes them live at init.
 * Build (from the top of the tree):
 *   gcc -O2 -I/usr/include/hdf5/serial bench/mlp-bias.c \
 *       -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5 -o bench/mlp-bias */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float value;
static int count;

static herr_t visit(hid_t g, const char *name, const H5L_info_t *info, void *op)
{
	(void)op;
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (info->type != H5L_TYPE_HARD || strncmp(base, "bias", 4) != 0)
		return 0;
	hid_t ds = H5Dopen2(g, name, H5P_DEFAULT), sp = H5Dget_space(ds);
	hssize_t n = H5Sget_simple_extent_npoints(sp);
	float *b = malloc(sizeof *b * (size_t)n);
	for (hssize_t i = 0; i < n; i++)
		b[i] = value;
	herr_t e = H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, b);
	free(b);
	H5Sclose(sp);
	H5Dclose(ds);
	count++;
	return e < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: mlp-bias FILE.h5 VALUE MLP...\n");
		return 2;
	}
	value = strtof(argv[2], NULL);
	hid_t f = H5Fopen(argv[1], H5F_ACC_RDWR, H5P_DEFAULT);
	if (f < 0)
		return 1;
	for (int a = 3; a < argc; a++) {
		hid_t g = H5Gopen2(f, argv[a], H5P_DEFAULT);
		if (g < 0 || H5Lvisit(g, H5_INDEX_NAME, H5_ITER_NATIVE, visit, NULL) < 0) {
			fprintf(stderr, "mlp-bias: cannot rewrite %s\n", argv[a]);
			return 1;
		}
		H5Gclose(g);
	}
	H5Fclose(f);
	printf("mlp-bias: %d bias datasets set to %g\n", count, value);
	return 0;
}
