/* h5-pattern.h - name patterns with {model} and {split} placeholders, for
 * the layout loader (h5-layout.h): substitution, matching a name against a
 * pattern to recover the placeholders' values, and growable lists of
 * names. */
#ifndef RNR_H5_PATTERN_H
#define RNR_H5_PATTERN_H

#include <stddef.h>

#define PAT_MODEL "{model}"
#define PAT_SPLIT "{split}"

/* A sorted list of distinct strings. */
struct strset {
	char **v; /* [n] */
	size_t n;
};

/* Add a copy of s unless present (kept sorted).  -1 with err_set() on OOM. */
int strset_add(struct strset *s, const char *str);
void strset_free(struct strset *s);

/* Split "a,b,c" into s (empty items refused, order kept: the user's order
 * is the load order).  what names the option in messages. */
int strset_parse_list(struct strset *s, const char *list, const char *what);

/* Does pat contain placeholder ph (PAT_MODEL or PAT_SPLIT)? */
int pat_has(const char *pat, const char *ph);

/* pat with {model} replaced by model and {split} by split (a NULL value
 * leaves its placeholder as it is).  malloc'd, or NULL with err_set(). */
char *pat_subst(const char *pat, const char *model, const char *split);

/* pat with every placeholder left turned into '*', for glob(3). */
char *pat_glob(const char *pat);

/* Match name against pat.  A placeholder matches one or more characters
 * other than '/'.  Returns the number of ways it matches (0, 1, or 2 for
 * "more than one"); on a match *model and *split (when pat has them) get
 * malloc'd copies of the values of the first way.  -1 on OOM. */
int pat_match(const char *pat, const char *name, char **model, char **split);

#endif
