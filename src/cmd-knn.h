/* cmd-knn.h - what cmd-knn.c lends the other k-NN commands: per-class
 * results, shown by `compare ... per_class=on` here and by `confusion`. */
#ifndef RNR_CMD_KNN_H
#define RNR_CMD_KNN_H

#include <stdio.h>

#include "eval-knn.h"

struct session;
struct confusion;

/* The confusion matrix of train -> test at o->k[0] (weighted or majority
 * vote), class names from `cache` or the test labels' cache; a new object
 * called name, not in the workspace.  NULL with err_set(). */
struct confusion *knn_cmd_confusion(struct session *s, const char *train, const char *test,
				    const struct knn_opts *o, int weighted, const char *cache,
				    const char *name);

/* Per-class accuracies of c[0..n) side by side, each after the first with
 * its delta from c[0] (`compare ... per_class=on`).  The matrices must
 * have equal class counts. */
void knn_cmd_print_per_class(struct confusion *const *c, size_t n, FILE *out);

#endif
