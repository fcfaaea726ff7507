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
	size_t k;              /* min(n, d) values */
	double *sigma;         /* [k] descending */
	double *norm;          /* [k] sigma_i / sigma_1 (0 when sigma_1 is 0) */
	size_t zero_rows;      /* all-zero rows of the source */
	int normalized;        /* rows were L2-normalised first */
	enum spectrum_method method; /* the one that ran (gram or svd) */
	struct spectrum_summary sum;
};

extern const struct obj_type spectrum_type;

/* A spectrum of sigma [min(n, d)] (copied; must be descending and >= 0),
 * with the normalised values and the summary computed.  NULL with
 * err_set(). */
struct spectrum *spectrum_new(const char *name, const char *source, size_t n, size_t d,
			      const double *sigma, int normalized,
			      enum spectrum_method method, size_t zero_rows);

/* The summary lines `svd` prints and `show` starts with. */
void spectrum_print_summary(const struct spectrum *sp, FILE *out);

#endif
