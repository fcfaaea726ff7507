/* mlp-dead.c - dead ReLU units of rnr decoder MLPs, and the loss they force.
 *
 *   mlp-dead FILE.h5 MLP BANK CACHE MODEL...
 *
 * FILE is written by rnr's `save MLP BANK CACHE to FILE`: the MLP set
 * /MLP/MODEL/weightL [out,in], biasL (L = 0..depth-1), the bank /BANK/psi
 * [n,d], the cache /CACHE/features/MODEL [n,d] (rnr saves the rows
 * L2-normalised).  For each MODEL it runs the bank through the MLP (Linear +
 * ReLU per layer, as rnr does) and prints:
 *   dead_h: hidden units (all layers but the last) that are 0 on every row;
 *   dead_out: output units that are 0 on every row;
 *   live_tgt: of those dead output units, how many have a target that is
 *     nonzero on at least 1% of the rows;
 *   mass: the mean over rows of the share of the target's squared norm on the
 *     dead output units, f;  floor = mean 1 - sqrt(1 - f), a lower bound on
 *     the model's loss that no bank can remove (a zero coordinate of the
 *     output cannot match a nonzero target, and a dead unit gets no gradient);
 *   loss: the model's actual mean loss 1 - cos(mlp(psi_i), z_i) on the rows.
 * Build (from the top of the tree):
 *   gcc -O2 -I/usr/include/hdf5/serial bench/mlp-dead.c \
 *       -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5 -lm -o bench/mlp-dead */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float *rd(hid_t f, const char *path, hsize_t *dims, int *nd)
{
	if (H5Lexists(f, path, H5P_DEFAULT) <= 0)
		return NULL;
	hid_t ds = H5Dopen2(f, path, H5P_DEFAULT), sp = H5Dget_space(ds);
	*nd = H5Sget_simple_extent_ndims(sp);
	H5Sget_simple_extent_dims(sp, dims, NULL);
	size_t n = dims[0] * (*nd == 2 ? dims[1] : 1);
	float *x = malloc(sizeof *x * n);
	H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, x);
	H5Sclose(sp);
	H5Dclose(ds);
	return x;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: mlp-dead FILE.h5 MLP BANK CACHE MODEL...\n");
		return 2;
	}
	hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f < 0)
		return 1;
	char p[512];
	hsize_t bd[2], td[2];
	int nd;
	snprintf(p, sizeof p, "/%s/psi", argv[3]);
	float *psi = rd(f, p, bd, &nd);
	if (!psi) {
		fprintf(stderr, "mlp-dead: no %s\n", p);
		return 1;
	}
	size_t n = bd[0], d0 = bd[1];
	printf("%-8s %-8s %7s %9s %9s %8s %8s %8s\n", "mlp", "model", "dead_h", "dead_out",
	       "live_tgt", "mass", "floor", "loss");
	for (int a = 5; a < argc; a++) {
		const char *m = argv[a];
		snprintf(p, sizeof p, "/%s/features/%s", argv[4], m);
		float *z = rd(f, p, td, &nd);
		if (!z || td[0] != n) {
			fprintf(stderr, "mlp-dead: no %s with %zu rows\n", p, n);
			return 1;
		}
		size_t dz = td[1];
		/* forward all rows layer by layer */
		float *x = malloc(sizeof *x * n * d0);
		memcpy(x, psi, sizeof *x * n * d0);
		size_t din = d0;
		size_t dead_h = 0, n_h = 0;
		int L = 0;
		for (;; L++) {
			hsize_t wd[2], bdim[2];
			snprintf(p, sizeof p, "/%s/%s/weight%d", argv[2], m, L);
			float *W = rd(f, p, wd, &nd);
			if (!W)
				break;
			snprintf(p, sizeof p, "/%s/%s/bias%d", argv[2], m, L);
			float *b = rd(f, p, bdim, &nd);
			size_t dout = wd[0];
			float *y = malloc(sizeof *y * n * dout);
			for (size_t i = 0; i < n; i++)
				for (size_t o = 0; o < dout; o++) {
					double s = b[o];
					for (size_t k = 0; k < din; k++)
						s += (double)W[o * din + k] * x[i * din + k];
					y[i * dout + o] = s > 0 ? (float)s : 0.0f;
				}
			free(x);
			free(W);
			free(b);
			x = y;
			din = dout;
			/* count units dead on every row at this layer */
			snprintf(p, sizeof p, "/%s/%s/weight%d", argv[2], m, L + 1);
			int last = H5Lexists(f, p, H5P_DEFAULT) <= 0;
			if (!last) {
				for (size_t o = 0; o < dout; o++) {
					int alive = 0;
					for (size_t i = 0; i < n && !alive; i++)
						alive = x[i * dout + o] > 0;
					dead_h += !alive;
				}
				n_h += dout;
			}
		}
		if (din != dz) {
			fprintf(stderr, "mlp-dead: %s output %zu vs target %zu\n", m, din, dz);
			return 1;
		}
		char *dead = calloc(dz, 1);
		size_t dead_out = 0, live = 0;
		for (size_t o = 0; o < dz; o++) {
			int alive = 0;
			size_t nz = 0;
			for (size_t i = 0; i < n; i++) {
				alive |= x[i * dz + o] > 0;
				nz += z[i * dz + o] != 0;
			}
			if (!alive) {
				dead[o] = 1;
				dead_out++;
				live += nz >= n / 100;
			}
		}
		double mass = 0, floor_ = 0, loss = 0;
		for (size_t i = 0; i < n; i++) {
			double zz = 0, zd = 0, xx = 0, xz = 0;
			for (size_t o = 0; o < dz; o++) {
				double zi = z[i * dz + o], xi = x[i * dz + o];
				zz += zi * zi;
				xx += xi * xi;
				xz += xi * zi;
				if (dead[o])
					zd += zi * zi;
			}
			double fr = zz > 0 ? zd / zz : 0;
			mass += fr;
			floor_ += 1 - sqrt(1 - fr);
			loss += (xx > 0 && zz > 0) ? 1 - xz / sqrt(xx * zz) : 1;
		}
		printf("%-8s %-8s %3zu/%-3zu %5zu/%-3zu %9zu %8.4f %8.4f %8.4f\n", argv[2], m, dead_h,
		       n_h, dead_out, dz, live, mass / n, floor_ / n, loss / n);
		free(dead);
		free(x);
		free(z);
	}
	free(psi);
	H5Fclose(f);
	return 0;
}
