/* obj-hist.h - a histogram of values with its summary: what `nnhist`
 * makes, the test rows' max cosine similarity to the train rows divided by
 * the mean train-test similarity (eval-nnhist.h; the paper's figure 15). */
#ifndef RNR_OBJ_HIST_H
#define RNR_OBJ_HIST_H

#include <stdio.h>

#include "obj.h"

struct hist {
	struct obj base;
	char *train, *test;    /* the bank names the values came from */
	float *values;         /* [n] one per test row, in row order */
	size_t n;
	size_t bins;
	double lo, hi;         /* the binned range */
	int range_given;       /* lo, hi came from range=, not from the data */
	double *edges;         /* [bins + 1] */
	double *count;         /* [bins] (whole numbers; double for the chart) */
	size_t under, over;    /* values outside [lo, hi] */
	double mean_sim;       /* mean train-test cosine similarity */
	/* order statistics of values (linear interpolation) */
	double min, q10, q25, median, q75, q90, max, mean;
};

extern const struct obj_type hist_type;

/* A histogram of values [n >= 1] (copied) in bins (>= 1) over [lo, hi]
 * when range_given, else over [min, max] of the values (widened by 0.5 on
 * each side when they are all equal).  NULL with err_set() on a
 * non-finite value, lo >= hi, or out of memory. */
struct hist *hist_new(const char *name, const char *train, const char *test,
		      const float *values, size_t n, size_t bins, int range_given,
		      double lo, double hi, double mean_sim);

/* The lines `nnhist` prints: median, quantiles, mean similarity. */
void hist_print_summary(const struct hist *h, FILE *out);

#endif
