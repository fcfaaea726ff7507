/* obj-sweep.h - the result of an ablation sweep (`sweep`, cmd-sweep.c):
 * one swept setting (MLP depth, width, learning rate, batch, epochs or the
 * seed), its values, the seeds each value ran with, and the k-NN accuracy
 * of every (value, seed) run, NaN while it has not run: an unfinished sweep
 * is resumed from it.  Drawn as accuracy (mean over seeds) against the
 * swept value, like the paper's figures 10, 12 and 13. */
#ifndef RNR_OBJ_SWEEP_H
#define RNR_OBJ_SWEEP_H

#include <stdint.h>
#include <stdio.h>

#include "obj.h"

#define SWEEP_MAX_VALUES 32
#define SWEEP_MAX_SEEDS 16

struct sweep {
	struct obj base;
	char *param;                 /* depth, width, lr, batch, epochs or seed */
	char *spec;                  /* caches and fixed settings, as text: what a
				      * resumed sweep must match */
	size_t k;                    /* of the k-NN */
	size_t n, n_seeds;
	double value[SWEEP_MAX_VALUES];
	uint64_t seed[SWEEP_MAX_SEEDS];
	/* [n x n_seeds], NaN: not run yet */
	double maj[SWEEP_MAX_VALUES * SWEEP_MAX_SEEDS];
	double wtd[SWEEP_MAX_VALUES * SWEEP_MAX_SEEDS];
	double secs[SWEEP_MAX_VALUES * SWEEP_MAX_SEEDS];
	/* for the chart: x (log10 for lr) and the means over the seeds run */
	double x[SWEEP_MAX_VALUES], mean_maj[SWEEP_MAX_VALUES], mean_wtd[SWEEP_MAX_VALUES];
};

extern const struct obj_type sweep_type;

/* An empty sweep (every run NaN).  NULL with err_set(). */
struct sweep *sweep_new(const char *name, const char *param, const char *spec, size_t k,
			const double *values, size_t n, const uint64_t *seeds, size_t n_seeds);

/* Record run (value i, seed j) and update the means. */
void sweep_set(struct sweep *s, size_t i, size_t j, double maj, double wtd, double secs);

/* Runs done (not NaN). */
size_t sweep_done(const struct sweep *s);

/* "depth=4" for value i (lr in %g, the rest integers). */
void sweep_value_str(const struct sweep *s, size_t i, char *buf, size_t cap);

/* The table: one row per run done, then the means over seeds. */
void sweep_print(const struct sweep *s, FILE *out);

#endif
