/* obj-probe.h - the result of a linear probe (eval-probe.h): the weight
 * decay sweep with its validation accuracies, the chosen wd and the test
 * accuracy of the classifier trained with it, as the paper's figure 14. */
#ifndef RNR_OBJ_PROBE_H
#define RNR_OBJ_PROBE_H

#include <stdio.h>

#include "eval-probe.h"
#include "obj.h"

struct probe {
	struct obj base;
	char *train, *test;          /* bank names */
	struct probe_opts opts;      /* as run (opts.wd is the sweep) */
	struct probe_result res;
	double log_wd[PROBE_MAX_WD]; /* log10 of the sweep, for the chart */
};

extern const struct obj_type probe_type;

/* A result object (names and structs copied).  NULL with err_set(). */
struct probe *probe_new(const char *name, const char *train, const char *test,
			const struct probe_opts *o, const struct probe_result *r);

/* The sweep table and the test accuracy, as `probe` prints them. */
void probe_print(const struct probe *p, FILE *out);

#endif
