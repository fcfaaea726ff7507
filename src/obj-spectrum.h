/* obj-spectrum.h - the singular value spectrum of a bank or of one model's
 * features (eval-spectrum.h), as `svd` makes it: the values, the same
 * normalised to sigma_1 = 1 (what figure 11 of the paper draws, log y),
 * and their summary. */
#ifndef RNR_OBJ_SPECTRUM_H
#define RNR_OBJ_SPECTRUM_H

#include <stdio.h>

#include "eval-spectrum.h"
#include "obj.h"

struct spectrum {
	struct obj base;
	char *source;          /* "psi", "fm.train:barlow": what it was taken of */
	size_t n, d;           /* the shape of that matrix */
	size_t k;              /* min(n, d) values, or the top k of them (top) */
	int top;               /* only the top k values were computed (`svd top=K`) */
	double frob2;          /* top: the sum of every sigma_i^2 (energies' denominator) */
	double *sigma;         /* [k] descending */
	double *norm;          /* [k] sigma_i / sigma_1 (0 when sigma_1 is 0) */
	size_t zero_rows;      /* all-zero rows of the source */
	int normalized;        /* rows were L2-normalised first */
	enum spectrum_method method; /* the one that ran (gram, svd, krylov, gram32) */
	struct spectrum_summary sum;
};

extern const struct obj_type spectrum_type;

/* A spectrum of sigma [min(n, d)] (copied; must be descending and >= 0),
 * with the normalised values and the summary computed.  NULL with
 * err_set(). */
struct spectrum *spectrum_new(const char *name, const char *source, size_t n, size_t d,
			      const double *sigma, int normalized,
			      enum spectrum_method method, size_t zero_rows);

/* Only the top values sigma [top] (top < min(n, d); else as spectrum_new),
 * whose squares with the rest sum to frob2. */
struct spectrum *spectrum_new_top(const char *name, const char *source, size_t n, size_t d,
				  const double *sigma, size_t top, double frob2, int normalized,
				  enum spectrum_method method, size_t zero_rows);

/* The summary lines `svd` prints and `show` starts with. */
void spectrum_print_summary(const struct spectrum *sp, FILE *out);

#endif
