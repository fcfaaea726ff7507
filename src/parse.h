/* parse.h - values typed as text (command options, `set`, the
 * environment, a workspace file's settings): one parser per kind, each
 * naming what it parses in its error. */
#ifndef RNR_PARSE_H
#define RNR_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Each returns 0 with *out set, or -1 with err_set("WHAT: reason"). */
int parse_size(const char *what, const char *s, size_t lo, size_t hi, size_t *out);
int parse_u64(const char *what, const char *s, uint64_t *out);
int parse_double(const char *what, const char *s, double lo, double hi, double *out);
int parse_bool(const char *what, const char *s, int *out);
/* A byte count: digits (a fraction allowed) with an optional binary unit
 * K, M, G or T (also KiB, MB...), or off/none for 0. */
int parse_bytes(const char *what, const char *s, size_t *out);

#endif
