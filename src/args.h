/* args.h - the one argument parser: a parsed call checked against its
 * command descriptor, with range-checked accessors for options.
 *
 * Words of a call are sorted into: keywords with their value ("as NAME"),
 * options ("key=value", unquoted key) and positional arguments.  Accessors
 * report bad values as "key=value: reason" through err_set(). */
#ifndef RNR_ARGS_H
#define RNR_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "cmd.h"
#include "cmd-parse.h"
#include "parse.h"

#define ARGS_MAX 64

struct opt {
	const char *key;
	const char *val;
};

struct args {
	const struct cmd *cmd;
	const char *pos[ARGS_MAX]; /* positional words */
	size_t n_pos;
	struct opt opt[ARGS_MAX];  /* key=value options */
	size_t n_opt;
	struct opt kw[ARGS_MAX];   /* keyword and its value */
	size_t n_kw;
};

/* Sort call's words (after the command name) into a, check counts, option
 * keys and keywords against c.  -1 with err_set() (the usage on a wrong
 * count).  a points into call, which must outlive it. */
int args_parse(struct args *a, const struct cmd *c, const struct cmd_call *call);

/* The value after keyword kw ("as", "to"), or NULL when absent. */
const char *args_kw(const struct args *a, const char *kw);

/* The raw value of option key, or def. */
const char *args_str(const struct args *a, const char *key, const char *def);

/* Integer option in [lo, hi]; def when absent. */
int args_size(const struct args *a, const char *key, size_t def, size_t lo,
	      size_t hi, size_t *out);
int args_u64(const struct args *a, const char *key, uint64_t def, uint64_t *out);

/* Real option in [lo, hi]; def when absent. */
int args_double(const struct args *a, const char *key, double def, double lo,
		double hi, double *out);

/* Boolean option: on/off, yes/no, true/false, 1/0. */
int args_bool(const struct args *a, const char *key, int def, int *out);

/* One of choices (NULL-terminated); *out gets its index; def when absent. */
int args_choice(const struct args *a, const char *key,
		const char *const *choices, int def, int *out);

#endif
