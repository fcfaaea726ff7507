/* cmd-knn-opts.h - what the k-NN commands (knn, compare, confusion,
 * explain, neighbours) share: their options, the bank pair checks, the
 * cache a bank's labels came from, its class names. */
#ifndef RNR_CMD_KNN_OPTS_H
#define RNR_CMD_KNN_OPTS_H

#include <stdint.h>
#include <stdio.h>

#include "eval-knn.h"

struct session;
struct args;
struct bank;
struct cache;

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

#endif
