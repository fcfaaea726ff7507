/* settings.h - the session's settings, read and written by `set`/`get`,
 * one table of descriptors (name, kind, range, help). */
#ifndef RNR_SETTINGS_H
#define RNR_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

struct settings {
	size_t threads;   /* threads for BLAS and rnr's own loops */
	uint64_t seed;    /* default seed of MLP init and shuffles */
	int bail;         /* stop a script at the first failed command */
	int echo;         /* print each script command before running it */
	int progress;     /* per-epoch progress lines during jobs */
	size_t memory;    /* cap on resident bytes (0: none); see mat.h */
	int precision;    /* enum nn_precision of the MLP GEMMs (nn-bf16.h) */
};

struct setting_desc {
	const char *name;
	const char *help;
};

/* Every setting, NULL-terminated (for help and completion). */
extern const struct setting_desc settings_table[];

/* Defaults: threads from RNR_THREADS or the online CPUs, seed 0, ...
 * A bad RNR_THREADS leaves the CPU count and returns -1 with err_set()
 * saying so, for the caller to print as a warning. */
int settings_defaults(struct settings *st);

/* Set name to value after checking it; -1 with err_set() and st unchanged. */
int settings_set(struct settings *st, const char *name, const char *value);

/* Render the value of name into buf; -1 with err_set() if unknown. */
int settings_get(const struct settings *st, const char *name, char *buf, size_t cap);

/* Apply side effects of the settings: threads sets both OpenBLAS's thread
 * count and rnr's own (par.h), which split the work as job.c and
 * eval-knn.c describe. */
void settings_apply(const struct settings *st);

#endif
