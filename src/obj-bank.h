/* obj-bank.h - a bank of representations: one row per data point (the
 * learned psi of the paper, or a baseline: average, concatenation, single
 * model), with the labels of the split it came from when it had them. */
#ifndef RNR_OBJ_BANK_H
#define RNR_OBJ_BANK_H

#include <stdint.h>

#include "mat.h"
#include "obj.h"

struct bank {
	struct obj base;
	struct mat psi;      /* n x d */
	int64_t *labels;     /* [n] or NULL */
	size_t n_classes;    /* max label + 1, 0 without labels */
};

extern const struct obj_type bank_type;

/* A zeroed bank of n x d (labels copied from labels when not NULL).
 * NULL with err_set(). */
struct bank *bank_new(const char *name, size_t n, size_t d,
		      const int64_t *labels, size_t n_classes);

#endif
