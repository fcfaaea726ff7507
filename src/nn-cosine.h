/* nn-cosine.h - the cosine loss between decoded rows and their targets. */
#ifndef RNR_NN_COSINE_H
#define RNR_NN_COSINE_H

#include <stddef.h>
#include <stdint.h>

/* For r in 0..B: y = Y[r] [d], z = target row (Z + zidx[r]*d, or Z + r*d when
 * zidx is NULL: targets are read in place, never gathered).
 * loss_r = 1 - cos(y, z); a zero y or zero z has cos 0 and zero gradient.
 * dY[r] = scale * d loss_r / d y   (overwritten; scale = 1/(B*m) for the mean).
 * Returns sum_r loss_r, accumulated in double.  One pass over Y and Z. */
double cosine_loss(float *dY, const float *Y, const float *Z,
		   const uint32_t *zidx, size_t B, size_t d, float scale);

#endif
