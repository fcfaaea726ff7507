/* cmd-knn.h - what the k-NN commands (knn, compare, confusion, explain,
 * neighbours) share: their options, the bank pair checks, the cache a
 * bank's labels came from, confusion matrices and the per-class table. */
#ifndef RNR_CMD_KNN_H
#define RNR_CMD_KNN_H

#include <stdint.h>
#include <stdio.h>

#include "eval-knn.h"

struct session;
struct args;
struct bank;
struct cache;
struct confusion;

/* k=, T= and preset= of a into o (cosine: rows normalised on the fly).
 * -1 with err_set() on a bad value. */
int knn_cmd_opts(const struct args *a, struct knn_opts *o);

/* The banks train_name and test_name, both labelled and of equal dims.
 * -1 with err_set() naming the one at fault. */
int knn_cmd_banks(struct session *s, const char *train_name, const char *test_name,
		  struct bank **tr, struct bank **te);

/* The cache whose labels the n labels are: the cache called `given` when
 * not NULL (an error if it is not a cache of n rows with these labels),
 * else the first cache in the workspace with these n labels.  NULL with
 * *err 0 when there is none, NULL with *err -1 and err_set() on a bad
 * given. */
struct cache *knn_cmd_cache_of(struct session *s, const int64_t *labels, size_t n,
			       const char *given, int *err);

/* The class_names attribute of c when it names n classes, else NULL. */
char *const *knn_cmd_class_names(const struct cache *c, size_t n);

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
