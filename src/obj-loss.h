/* obj-loss.h - the loss history of a job: total and per-model loss of
 * every step, with the epoch layout needed to draw it. */
#ifndef RNR_OBJ_LOSS_H
#define RNR_OBJ_LOSS_H

#include <stdatomic.h>

#include "obj.h"

struct losshist {
	struct obj base;
	size_t m;
	char **model;            /* [m] */
	/* Steps recorded.  A job appends on its thread while the UI reads:
	 * losshist_push() writes a step, then publishes the count with a
	 * release store; a reader loads the count (losshist_count, or any
	 * plain read of n) and reads only the steps below it.  The arrays
	 * never move while a job runs: it reserves all its steps up front. */
	_Atomic size_t n;
	size_t cap;
	double *total;           /* [n] mean loss of the step */
	double *per_model;       /* [n x m] */
	size_t steps_per_epoch;
	size_t warmup_epochs;    /* epochs before the bank moves (train) */
};

extern const struct obj_type losshist_type;

struct losshist *losshist_new(const char *name, size_t m, char *const *model,
			      size_t steps_per_epoch, size_t warmup_epochs);

/* Make room for n more steps so the job never allocates while it runs. */
int losshist_reserve(struct losshist *h, size_t more);

/* Append one step (room must have been reserved). */
void losshist_push(struct losshist *h, double total, const double *per_model);

/* The steps recorded so far, safe to call while another thread pushes
 * (acquire: the steps below the count are complete). */
size_t losshist_count(const struct losshist *h);

/* Mean total loss over the steps of epoch e (0-based), or NAN. */
double losshist_epoch_mean(const struct losshist *h, size_t e);

#endif
