/* nn-cosine.c - the cosine loss and its gradient (see nn-cosine.h).
 *
 * Per row: the three dot products y.z, y.y, z.z in one pass, then
 *   loss = 1 - c,  c = y.z / (|y| |z|)
 *   dloss/dy = (c / |y|^2) y - z / (|y| |z|)
 * written while y and z are still in cache.  The dot products accumulate
 * in double, in LANES independent partial sums so the loop vectorises
 * without reassociation licence (-ffast-math): 1 - c loses digits when c
 * is near 1, and that is where training ends. */
#include "nn-cosine.h"

#include <math.h>

enum { LANES = 8 };

static void dot3(double *yz, double *yy, double *zz, const float *restrict y,
		 const float *restrict z, size_t d)
{
	double syz[LANES] = {0}, syy[LANES] = {0}, szz[LANES] = {0};
	size_t k = 0;
	for (; k + LANES <= d; k += LANES)
		for (size_t u = 0; u < LANES; u++) {
			double a = y[k + u], b = z[k + u];
			syz[u] += a * b;
			syy[u] += a * a;
			szz[u] += b * b;
		}
	for (size_t u = 0; k < d; k++, u++) {
		double a = y[k], b = z[k];
		syz[u] += a * b;
		syy[u] += a * a;
		szz[u] += b * b;
	}
	double tyz = 0.0, tyy = 0.0, tzz = 0.0;
	for (size_t u = 0; u < LANES; u++) {
		tyz += syz[u];
		tyy += syy[u];
		tzz += szz[u];
	}
	*yz = tyz;
	*yy = tyy;
	*zz = tzz;
}

/* g = a*y + b*z */
static void axpby(float *restrict g, float a, const float *restrict y, float b,
		  const float *restrict z, size_t d)
{
	for (size_t k = 0; k < d; k++)
		g[k] = a * y[k] + b * z[k];
}

double cosine_loss(float *dY, const float *Y, const float *Z,
		   const uint32_t *zidx, size_t B, size_t d, float scale)
{
	double total = 0.0;
	for (size_t r = 0; r < B; r++) {
		const float *y = Y + r * d;
		const float *z = Z + (zidx ? (size_t)zidx[r] : r) * d;
		float *g = dY + r * d;
		/* the targets are rows scattered over the feature matrix: ask for
		 * the next one while this one is summed (a miss per cache line
		 * was most of this function's time at d = 128) */
		if (zidx && r + 1 < B) {
			const char *next = (const char *)(Z + (size_t)zidx[r + 1] * d);
			for (size_t o = 0; o < d * sizeof *Z; o += 64)
				__builtin_prefetch(next + o);
		}
		double yz, yy, zz;
		dot3(&yz, &yy, &zz, y, z, d);
		if (yy == 0.0 || zz == 0.0) {
			/* cos := 0: the row costs 1 and pulls on nothing */
			total += 1.0;
			for (size_t k = 0; k < d; k++)
				g[k] = 0.0f;
			continue;
		}
		double inv = 1.0 / sqrt(yy * zz), c = yz * inv;
		total += 1.0 - c;
		axpby(g, (float)(scale * c / yy), y, (float)(-scale * inv), z, d);
	}
	return total;
}
