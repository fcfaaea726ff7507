/* obj-cache.h - a feature cache: one split of a dataset as seen by m frozen
 * models.  Rows are L2-normalised at load; all matrices share n rows. */
#ifndef RNR_OBJ_CACHE_H
#define RNR_OBJ_CACHE_H

#include <stdint.h>

#include "h5-cache.h"
#include "mat.h"
#include "obj.h"

struct cache {
	struct obj base;
	size_t n;            /* rows */
	size_t m;            /* models */
	char **model;        /* [m] model names */
	struct mat *feat;    /* [m] n x d_j, rows L2-normalised */
	size_t *zero_rows;   /* [m] rows that were all zero in the file */
	int64_t *labels;     /* [n] or NULL */
	size_t n_classes;    /* max label + 1, 0 without labels */
	struct attr *attr;   /* [n_attr] root attributes of the file */
	size_t n_attr;
	/* `load ... stream`: the features stay in the file, read in row
	 * chunks (h5-stream.h); feat[j] then has rows and cols but no data.
	 * NULL for a cache held in memory. */
	struct h5_stream *stream;
};

extern const struct obj_type cache_type;

/* The cache object made of the plain arrays of s (h5-cache.h), which it
 * takes over without a copy: s is left empty, also when this fails (NULL
 * with err_set(), everything s held freed). */
struct cache *cache_adopt(struct cache_split *s);

/* cache_adopt() of s[0..n), all or nothing: 0 with *out a malloc'd array
 * of n caches, or -1 with err_set() and nothing left.  The array s is
 * freed either way. */
int cache_adopt_all(struct cache_split *s, size_t n, struct cache ***out);

/* An empty cache of n rows, m models (names, feat, zero_rows allocated and
 * zeroed; matrices not yet).  NULL with err_set() on OOM. */
struct cache *cache_new(const char *name, size_t n, size_t m);

/* Index of model name in c, or -1. */
long cache_model_index(const struct cache *c, const char *model);

/* Parse a comma-separated list of model names of c ("simclr,dae") into
 * indices idx[0..*k) (idx has room for c->m); list NULL selects all in
 * order.  -1 with err_set() naming an unknown or repeated model. */
int cache_select_models(const struct cache *c, const char *list, size_t *idx, size_t *k);

/* A new cache holding the rows idx[0..k) of c, in that order (labels and
 * attributes follow).  NULL with err_set(). */
struct cache *cache_take_rows(const struct cache *c, const char *name,
			      const size_t *idx, size_t k);

/* 0 when c holds its features in memory; else -1 with err_set() saying
 * that what (a command or use) needs them there. */
int cache_need_resident(const struct cache *c, const char *what);

/* Rows [r0, r0 + nr) of model j as the cache holds them (normalised) into
 * out [nr x d_j]: copied from memory, or read from the file when streamed.
 * 0, or -1 with err_set(). */
int cache_read_block(const struct cache *c, size_t j, size_t r0, size_t nr, float *out);

/* Rows per cache_read_block() that read well, within about bytes. */
size_t cache_block_rows(const struct cache *c, size_t j, size_t bytes);

/* The `show` lines about labels (count, classes, rows per class for up to
 * 32 classes); shared with banks. */
void cache_describe_labels(const int64_t *labels, size_t n, size_t n_classes, FILE *out);

#endif
