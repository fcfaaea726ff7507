/* eval-spectrum-int.h - what the spectrum's two files share: the top-K
 * Krylov iteration (eval-spectrum-top.c) that spectrum_top() (in
 * eval-spectrum.c) runs on the scaled rows.  Private to eval-spectrum*.c. */
#ifndef RNR_EVAL_SPECTRUM_INT_H
#define RNR_EVAL_SPECTRUM_INT_H

#include "eval-spectrum.h"

/* The Krylov iteration on the rows of a scaled by scale [n]; bound [top]
 * (if not NULL) gets each value's relative residual bound; info's method
 * and frob2 are left alone. */
int spectrum_top_krylov(double *sigma, double *bound, size_t top, const struct mat *a,
			const double *scale, struct spectrum_top_info *info);

#endif
