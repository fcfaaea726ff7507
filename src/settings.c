/* settings.c - the settings table (see settings.h). */
#include "settings.h"
#include "parse.h"
#include "err.h"
#include "mat.h"
#include "par.h"
#include "nn-bf16.h"

#include <cblas.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind { K_SIZE, K_U64, K_BOOL, K_BYTES, K_PREC };

struct slot {
	size_t offset;
	enum kind kind;
	size_t lo, hi;
};

/* Parallel to settings_table by index: the storage of each setting. */
const struct setting_desc settings_table[] = {
	{ "threads", "threads for BLAS and rnr's loops (1..256; env RNR_THREADS)" },
	{ "seed", "seed of MLP initialisation and epoch shuffles (a train option overrides it)" },
	{ "bail", "on: a script stops at its first failed command" },
	{ "echo", "on: scripts print each command before running it" },
	{ "progress", "on: jobs print one line per epoch and their timings" },
	{ "memory", "cap on what rnr keeps resident (e.g. 4G; off): larger loads and jobs are "
		    "refused, `load ... stream` keeps a cache on disk" },
	{ "precision", "fp32 or bf16: the MLP GEMMs of warmup, training and inference take bf16 "
		       "inputs with fp32 accumulation (needs avx512_bf16; env RNR_BF16=fallback)" },
	{ NULL, NULL },
};

static const struct slot slots[] = {
	{ offsetof(struct settings, threads), K_SIZE, 1, 256 },
	{ offsetof(struct settings, seed), K_U64, 0, 0 },
	{ offsetof(struct settings, bail), K_BOOL, 0, 1 },
	{ offsetof(struct settings, echo), K_BOOL, 0, 1 },
	{ offsetof(struct settings, progress), K_BOOL, 0, 1 },
	{ offsetof(struct settings, memory), K_BYTES, 0, 0 },
	{ offsetof(struct settings, precision), K_PREC, 0, 0 },
};

int settings_defaults(struct settings *st)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	st->threads = cpus > 0 ? (size_t)cpus : 1;
	st->seed = 0;
	st->bail = 0;
	st->echo = 0;
	st->progress = 1;
	st->memory = 0;
	st->precision = NN_FP32;
	const char *env = getenv("RNR_THREADS");
	size_t t;
	if (!env)
		return 0;
	if (parse_size("RNR_THREADS", env, 1, 256, &t) < 0) {
		char why[256];
		snprintf(why, sizeof why, "%s", err_msg());
		err_set("environment: %s; using %zu threads (the online CPUs)", why, st->threads);
		return -1;
	}
	st->threads = t;
	return 0;
}

static int parse_precision(const char *value, int *p)
{
	if (strcmp(value, "fp32") == 0) {
		*p = NN_FP32;
		return 0;
	}
	if (strcmp(value, "bf16") != 0) {
		err_set("precision: '%s' is neither fp32 nor bf16", value);
		return -1;
	}
	if (!bf16_kernel()) {
		err_set("precision: bf16 needs a CPU with avx512_bf16, which this one lacks "
			"(RNR_BF16=fallback runs a portable kernel with the same rounding)");
		return -1;
	}
	*p = NN_BF16;
	return 0;
}

static long find_slot(const char *name)
{
	for (size_t i = 0; settings_table[i].name; i++)
		if (strcmp(settings_table[i].name, name) == 0)
			return (long)i;
	err_set("unknown setting '%s' (see `help set`)", name);
	return -1;
}

int settings_set(struct settings *st, const char *name, const char *value)
{
	long i = find_slot(name);
	if (i < 0)
		return -1;
	const struct slot *sl = &slots[i];
	void *p = (char *)st + sl->offset;
	switch (sl->kind) {
	case K_SIZE:
		return parse_size(name, value, sl->lo, sl->hi, p);
	case K_U64:
		return parse_u64(name, value, p);
	case K_BOOL:
		return parse_bool(name, value, p);
	case K_BYTES:
		return parse_bytes(name, value, p);
	case K_PREC:
		return parse_precision(value, p);
	}
	return -1;
}

/* off, or the largest binary unit that divides the count */
static void bytes_text(size_t v, char *buf, size_t cap)
{
	static const char unit[] = "KMGT";
	int u = -1;
	while (v && u < 3 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (!v)
		snprintf(buf, cap, "off");
	else if (u < 0)
		snprintf(buf, cap, "%zu", v);
	else
		snprintf(buf, cap, "%zu%c", v, unit[u]);
}

int settings_get(const struct settings *st, const char *name, char *buf, size_t cap)
{
	long i = find_slot(name);
	if (i < 0)
		return -1;
	const struct slot *sl = &slots[i];
	const void *p = (const char *)st + sl->offset;
	switch (sl->kind) {
	case K_SIZE:
		snprintf(buf, cap, "%zu", *(const size_t *)p);
		break;
	case K_U64:
		snprintf(buf, cap, "%" PRIu64, *(const uint64_t *)p);
		break;
	case K_BOOL:
		snprintf(buf, cap, "%s", *(const int *)p ? "on" : "off");
		break;
	case K_BYTES:
		bytes_text(*(const size_t *)p, buf, cap);
		break;
	case K_PREC:
		snprintf(buf, cap, "%s", nn_precision_name(*(const int *)p));
		break;
	}
	return 0;
}

void settings_apply(const struct settings *st)
{
	openblas_set_num_threads((int)st->threads);
	par_set_threads(st->threads);
	mat_set_memory_cap(st->memory);
	nn_set_precision(st->precision);
}
