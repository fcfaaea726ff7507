/* obj-confusion.h - per-class k-NN results: the confusion matrix of one
 * (train bank, test bank) pair at one k and vote, with the class names of
 * the cache the labels came from when it has them. */
#ifndef RNR_OBJ_CONFUSION_H
#define RNR_OBJ_CONFUSION_H

#include <stdint.h>
#include <stdio.h>

#include "obj.h"

struct confusion {
	struct obj base;
	char *train, *test;   /* bank names at the time of evaluation */
	size_t k;
	double temperature;
	int weighted;         /* 1: the weighted vote, 0: majority */
	size_t n_classes;
	char **class_names;   /* [n_classes] or NULL */
	int64_t *count;       /* [n_classes x n_classes]: row = true, column = predicted */
};

extern const struct obj_type confusion_type;

/* An empty matrix of n_classes >= 1 (names copied when not NULL; names
 * [n_classes]).  NULL with err_set(). */
struct confusion *confusion_new(const char *name, const char *train, const char *test,
				size_t n_classes, char *const *names);

/* Add n (truth[i], pred[i]) pairs, both in 0..n_classes-1. */
void confusion_add(struct confusion *c, const int64_t *truth, const size_t *pred, size_t n);

/* Rows whose true class is cls, and those of them predicted right. */
int64_t confusion_class_total(const struct confusion *c, size_t cls);
int64_t confusion_class_correct(const struct confusion *c, size_t cls);

/* "3 Dress" or "3" without names, into buf. */
void confusion_class_label(const struct confusion *c, size_t cls, char *buf, size_t cap);

/* Per-class accuracies, then the matrix drawn as a grid (the diagonal in
 * brackets), as `confusion` prints them. */
void confusion_print(const struct confusion *c, FILE *out);

/* One text field of a CSV (sep ',') or TSV row, quoted (quotes doubled)
 * when it holds sep, a quote or a line break. */
void confusion_csv_field(FILE *out, const char *s, char sep);

#endif
