/* obj-table.h - a table of k-NN results: one row per (train bank, test
 * bank, k), as `knn` and `compare` print them. */
#ifndef RNR_OBJ_TABLE_H
#define RNR_OBJ_TABLE_H

#include "obj.h"

struct knn_row {
	char *train, *test;   /* bank names at the time of evaluation */
	size_t k, n_test;
	double temperature;
	double majority, weighted; /* accuracy, percent */
};

struct knntable {
	struct obj base;
	struct knn_row *row;
	size_t n;
};

extern const struct obj_type knntable_type;

struct knntable *knntable_new(const char *name);

/* Append a row (copies the names); -1 with err_set() on OOM. */
int knntable_add(struct knntable *t, const struct knn_row *r);

/* Print as an aligned text table. */
void knntable_print(const struct knntable *t, FILE *out);

#endif
