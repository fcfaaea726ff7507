/* cmd-sweep.c - `sweep`: the whole pipeline (mlp, train with its warmup
 * and joint epochs, infer on the test cache, knn) once per value of one
 * setting and per seed, as the paper's ablation figures.
 *
 * Each run is the same command lines a user would type, run through the
 * command table (mlp, train, infer and knn are not copied here), on objects
 * named PREFIX.dec, PREFIX.tr, PREFIX.te (and their .loss); its k-NN table
 * stays as PREFIX, the rest is dropped unless keep=on.  The sweep object
 * (obj-sweep.h) fills in run by run; Ctrl-C (or `stop`) ends the running
 * job, drops that run's objects and keeps the finished runs: the same
 * command line later resumes with the runs not done. */
#include "args.h"
#include "cmd-list.h"
#include "cmd-table.h"
#include "err.h"
#include "job.h"
#include "nn-mlp.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-sweep.h"
#include "obj-table.h"
#include "session.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { P_DEPTH, P_WIDTH, P_LR, P_BATCH, P_EPOCHS, P_N };
static const char *const param_name[P_N] = { "depth", "width", "lr", "batch", "epochs" };

struct plan {
	struct cache *tr, *te;
	double fixed[P_N];         /* the settings not swept */
	int swept;                 /* index into param_name, or P_N: the seed */
	double value[SWEEP_MAX_VALUES];
	size_t n;
	uint64_t seed[SWEEP_MAX_SEEDS];
	size_t n_seeds;
	size_t k;
	int keep;
	char spec[512];
};

/* One value of setting p from text; -1 with err_set() naming it. */
static int parse_value(const struct plan *pl, int p, const char *text, double *out)
{
	size_t v, batch_max = pl->tr->n < pl->te->n ? pl->tr->n : pl->te->n;
	if (batch_max > JOB_BATCH_MAX)
		batch_max = JOB_BATCH_MAX;
	switch (p) {
	case P_LR:
		return parse_double("lr", text, JOB_LR_MIN, JOB_LR_MAX, out);
	case P_DEPTH:
		if (parse_size("depth", text, 1, MLP_MAX_DEPTH, &v) < 0)
			return -1;
		break;
	case P_WIDTH:
		if (parse_size("width", text, 0, 1 << 20, &v) < 0)
			return -1;
		break;
	case P_BATCH:
		if (parse_size("batch", text, 1, JOB_BATCH_MAX, &v) < 0)
			return -1;
		if (v > batch_max) {
			err_set("batch=%s: more than the rows of %s (%zu) or %s (%zu)", text,
				pl->tr->base.name, pl->tr->n, pl->te->base.name, pl->te->n);
			return -1;
		}
		break;
	default:
		if (parse_size("epochs", text, 1, JOB_EPOCHS_MAX, &v) < 0)
			return -1;
		break;
	}
	*out = (double)v;
	return 0;
}

/* "a,b,c" into values (parse(i, word) each); -1 with err_set(). */
static int split_list(const char *key, const char *list, size_t max, size_t *n,
		      int (*parse)(void *ctx, size_t i, const char *word), void *ctx)
{
	char buf[1024];
	if (strlen(list) >= sizeof buf) {
		err_set("%s=: list too long", key);
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", list);
	*n = 0;
	char *save = NULL;
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (*n == max) {
			err_set("%s=%s: at most %zu values", key, list, max);
			return -1;
		}
		if (parse(ctx, (*n)++, w) < 0)
			return -1;
	}
	if (*n == 0) {
		err_set("%s=%s: give one or more values, e.g. %s=1,2,4", key, list, key);
		return -1;
	}
	return 0;
}

struct value_ctx {
	struct plan *pl;
	int p;
};

static int parse_swept(void *ctx, size_t i, const char *w)
{
	struct value_ctx *c = ctx;
	if (parse_value(c->pl, c->p, w, &c->pl->value[i]) < 0)
		return -1;
	for (size_t j = 0; j < i; j++)
		if (c->pl->value[j] == c->pl->value[i]) {
			err_set("%s=%s: given twice", param_name[c->p], w);
			return -1;
		}
	return 0;
}

static int parse_seed(void *ctx, size_t i, const char *w)
{
	struct plan *pl = ctx;
	if (parse_u64("seeds", w, &pl->seed[i]) < 0)
		return -1;
	for (size_t j = 0; j < i; j++)
		if (pl->seed[j] == pl->seed[i]) {
			err_set("seeds=: seed %s given twice", w);
			return -1;
		}
	return 0;
}

/* The caches, the swept setting and its values, the fixed settings. */
static int make_plan(struct session *s, const struct args *a, struct plan *pl)
{
	static const double defaults[P_N] = { 2, 0, 3e-4, 256, 50 };
	memset(pl, 0, sizeof *pl);
	if (!(pl->tr = ws_get(&s->ws, a->pos[0], &cache_type)) ||
	    !(pl->te = ws_get(&s->ws, a->pos[1], &cache_type)) ||
	    args_size(a, "k", 20, 1, 1u << 20, &pl->k) < 0 || args_bool(a, "keep", 0, &pl->keep) < 0)
		return -1;
	pl->swept = -1;
	for (int p = 0; p < P_N; p++) {
		const char *v = args_str(a, param_name[p], NULL);
		pl->fixed[p] = defaults[p];
		if (p == P_BATCH && pl->fixed[p] > (double)pl->te->n)
			pl->fixed[p] = (double)pl->te->n;
		if (p == P_BATCH && pl->fixed[p] > (double)pl->tr->n)
			pl->fixed[p] = (double)pl->tr->n;
		if (!v)
			continue;
		if (strchr(v, ',') && pl->swept >= 0) {
			err_set("%s= and %s= are both lists: a sweep varies one setting (and "
				"seeds=)", param_name[pl->swept], param_name[p]);
			return -1;
		}
		if (strchr(v, ',')) {
			struct value_ctx c = { pl, p };
			pl->swept = p;
			if (split_list(param_name[p], v, SWEEP_MAX_VALUES, &pl->n, parse_swept,
				       &c) < 0)
				return -1;
		} else if (parse_value(pl, p, v, &pl->fixed[p]) < 0) {
			return -1;
		}
	}
	const char *seeds = args_str(a, "seeds", NULL);
	if (!seeds) {
		pl->seed[0] = s->set.seed;
		pl->n_seeds = 1;
	} else if (split_list("seeds", seeds, SWEEP_MAX_SEEDS, &pl->n_seeds, parse_seed, pl) < 0) {
		return -1;
	}
	if (pl->swept < 0 && pl->n_seeds < 2) {
		err_set("nothing to sweep: give one setting as a list, e.g. depth=1,2,4 (or "
			"lr=, batch=, width=, epochs=, seeds=)");
		return -1;
	}
	if (pl->swept < 0) { /* the seeds are the sweep */
		for (size_t i = 0; i < pl->n_seeds; i++)
			if (pl->seed[i] > (1ull << 53)) {
				err_set("seeds=%llu: a swept seed must be at most 2^53 (sweep "
					"another setting to use it)",
					(unsigned long long)pl->seed[i]);
				return -1;
			}
		pl->swept = P_N;
		pl->n = pl->n_seeds;
		for (size_t i = 0; i < pl->n; i++)
			pl->value[i] = (double)pl->seed[i];
		pl->n_seeds = 1;
	}
	size_t used = (size_t)snprintf(pl->spec, sizeof pl->spec, "train=%s test=%s k=%zu",
				       pl->tr->base.name, pl->te->base.name, pl->k);
	for (int p = 0; p < P_N && used < sizeof pl->spec; p++)
		if (p != pl->swept)
			used += (size_t)snprintf(pl->spec + used, sizeof pl->spec - used,
						 " %s=%.10g", param_name[p], pl->fixed[p]);
	return 0;
}

/* The names of run (i, j): PREFIX and PREFIX.suffix. */
static void run_name(const struct sweep *sw, size_t i, size_t j, const char *suffix,
		     char *buf, size_t cap)
{
	char v[64];
	sweep_value_str(sw, i, v, sizeof v);
	char *eq = strchr(v, '=');
	if (eq) /* "depth=4" -> "depth4": '=' cannot be in a name */
		memmove(eq, eq + 1, strlen(eq));
	size_t n = (size_t)snprintf(buf, cap, "%s.%s", sw->base.name, v);
	if (sw->n_seeds > 1 && n < cap)
		n += (size_t)snprintf(buf + n, cap - n, ".s%llu",
				      (unsigned long long)sw->seed[j]);
	if (suffix && n < cap)
		snprintf(buf + n, cap - n, ".%s", suffix);
}

static const char *const run_parts[] = { "dec", "tr", "tr.loss", "te", "te.loss", NULL };

/* Every name run (i, j) will make is valid and free; -1 with err_set(). */
static int check_run_names(const struct session *s, const struct sweep *sw, size_t i, size_t j)
{
	char name[WS_NAME_MAX + 64];
	run_name(sw, i, j, NULL, name, sizeof name);
	if (strlen(name) >= WS_NAME_MAX - 8) {
		err_set("%s: too long a name for the runs' objects: name the sweep shorter",
			name);
		return -1;
	}
	if (ws_check_new_name(&s->ws, name) < 0)
		return -1;
	for (size_t p = 0; run_parts[p]; p++) {
		run_name(sw, i, j, run_parts[p], name, sizeof name);
		if (ws_check_new_name(&s->ws, name) < 0)
			return -1;
	}
	return 0;
}

/* Drop what run (i, j) made (but its table unless all). */
static void drop_run(struct session *s, const struct sweep *sw, size_t i, size_t j, int all)
{
	char name[WS_NAME_MAX + 64];
	for (size_t p = 0; run_parts[p]; p++) {
		run_name(sw, i, j, run_parts[p], name, sizeof name);
		if (ws_find(&s->ws, name))
			ws_drop(&s->ws, name);
	}
	run_name(sw, i, j, NULL, name, sizeof name);
	if (all && ws_find(&s->ws, name))
		ws_drop(&s->ws, name);
}

/* Run one command line through the command table, as typed; its error
 * stays in err_msg(). */
static int run_cmd(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int run_cmd(struct session *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	struct parsed_line p;
	int rc = -1;
	if (parse_line(line, &p) == 0 && p.n == 1) {
		const struct cmd *c = cmd_lookup(p.call[0].tok[0].s);
		struct args a;
		err_clear();
		if (c && args_parse(&a, c, &p.call[0]) == 0)
			rc = c->exec(s, &a);
	}
	if (rc < 0)
		err_prefix("%s", line);
	parse_free(&p);
	return rc;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The value of setting p in run i (the swept one or the fixed one). */
static double setting(const struct plan *pl, int p, size_t i)
{
	return p == pl->swept ? pl->value[i] : pl->fixed[p];
}

/* Run (i, j): 0 done, 1 stopped (its objects dropped, the job ended), -1
 * failed (the same, with err_set()). */
static int one_run(struct session *s, const struct plan *pl, struct sweep *sw, size_t i,
		   size_t j)
{
	char pre[WS_NAME_MAX + 64], dec[WS_NAME_MAX + 64], tr[WS_NAME_MAX + 64];
	char te[WS_NAME_MAX + 64];
	run_name(sw, i, j, NULL, pre, sizeof pre);
	run_name(sw, i, j, "dec", dec, sizeof dec);
	run_name(sw, i, j, "tr", tr, sizeof tr);
	run_name(sw, i, j, "te", te, sizeof te);
	unsigned long long seed = pl->swept == P_N ? (unsigned long long)pl->value[i] :
		(unsigned long long)pl->seed[j];
	size_t epochs = (size_t)setting(pl, P_EPOCHS, i), batch = (size_t)setting(pl, P_BATCH, i);
	double lr = setting(pl, P_LR, i), t0 = now_seconds();
	/* the runs' own output (epoch lines, "done:", the k-NN table) would
	 * bury the sweep's table: it goes nowhere */
	FILE *out = s->out, *null = fopen("/dev/null", "w");
	if (!null) {
		err_set("/dev/null: cannot open");
		return -1;
	}
	s->out = null;
	int rc = run_cmd(s, "mlp %s depth=%zu width=%zu seed=%llu as %s", pl->tr->base.name,
			 (size_t)setting(pl, P_DEPTH, i), (size_t)setting(pl, P_WIDTH, i), seed,
			 dec);
	if (rc == 0)
		rc = run_cmd(s, "train %s %s bank=%s epochs=%zu batch=%zu lr=%.17g seed=%llu", dec,
			     pl->tr->base.name, tr, epochs, batch, lr, seed);
	if (rc == 0 && !s->job)
		rc = run_cmd(s, "infer %s %s epochs=%zu batch=%zu lr=%.17g seed=%llu as %s", dec,
			     pl->te->base.name, epochs, batch, lr, seed, te);
	if (rc == 0 && !s->job)
		rc = run_cmd(s, "knn %s %s k=%zu as %s", tr, te, pl->k, pre);
	s->out = out;
	fclose(null);
	int stopped = rc == 0 && s->job;
	if (rc < 0 || stopped) {
		session_end_job(s);
		drop_run(s, sw, i, j, 1);
		return stopped ? 1 : -1;
	}
	struct knntable *t = ws_get(&s->ws, pre, &knntable_type);
	if (!t || t->n < 1)
		return -1;
	sweep_set(sw, i, j, t->row[0].majority, t->row[0].weighted, now_seconds() - t0);
	if (!pl->keep)
		drop_run(s, sw, i, j, 0);
	return 0;
}

/* The sweep named `as` (default "sweep"): a new one, or the one there
 * when it is the same sweep (resume).  *made is 1 for a new one. */
static struct sweep *the_sweep(struct session *s, const struct plan *pl, const char *name,
			       int *made)
{
	const char *param = pl->swept == P_N ? "seed" : param_name[pl->swept];
	struct obj *o = ws_find(&s->ws, name);
	*made = 0;
	if (!o)
		return (*made = 1, sweep_new(name, param, pl->spec, pl->k, pl->value, pl->n,
					     pl->seed, pl->n_seeds));
	struct sweep *sw = obj_as(o, &sweep_type);
	if (!sw)
		return NULL;
	int same = strcmp(sw->param, param) == 0 && strcmp(sw->spec, pl->spec) == 0 &&
		   sw->n == pl->n && sw->n_seeds == pl->n_seeds &&
		   memcmp(sw->value, pl->value, pl->n * sizeof *pl->value) == 0 &&
		   memcmp(sw->seed, pl->seed, pl->n_seeds * sizeof *pl->seed) == 0;
	if (!same) {
		err_set("%s is another sweep (%s over %zu values; %s): `drop %s` or name this "
			"one with `as NAME`", name, sw->param, sw->n, sw->spec, name);
		return NULL;
	}
	return sw;
}

static int sweep_exec(struct session *s, const struct args *a)
{
	struct plan pl;
	const char *name = args_kw(a, "as") ? args_kw(a, "as") : "sweep";
	if (make_plan(s, a, &pl) < 0)
		return -1;
	if (s->job) {
		err_set("a stopped job on %s exists: `continue` or `cancel` it first",
			s->job->bank->base.name);
		return -1;
	}
	int made;
	if (ws_check_name(name) < 0)
		return -1;
	struct sweep *sw = the_sweep(s, &pl, name, &made);
	if (!sw)
		return -1;
	size_t all = sw->n * sw->n_seeds, todo = all - sweep_done(sw);
	for (size_t r = 0; r < all; r++)
		if (isnan(sw->maj[r]) && check_run_names(s, sw, r / sw->n_seeds, r % sw->n_seeds) < 0) {
			if (made)
				obj_free(&sw->base);
			return -1;
		}
	if (made && ws_add(&s->ws, &sw->base, 0) < 0) {
		obj_free(&sw->base);
		return -1;
	}
	fprintf(s->out, "sweep %s: %s, %zu run%s to do of %zu (%s)\n", name, sw->param, todo,
		todo == 1 ? "" : "s", all, sw->spec);
	size_t ran = 0;
	for (size_t r = 0; r < all; r++) {
		size_t i = r / sw->n_seeds, j = r % sw->n_seeds;
		if (!isnan(sw->maj[r]))
			continue;
		char v[64];
		sweep_value_str(sw, i, v, sizeof v);
		unsigned long long seed = pl.swept == P_N ? (unsigned long long)pl.value[i] :
			(unsigned long long)sw->seed[j];
		int stop = session_interrupted || session_terminated;
		int rc = stop ? 1 : one_run(s, &pl, sw, i, j);
		if (rc != 0) {
			/* a sweep of which nothing ran leaves no object behind */
			int none = made && sweep_done(sw) == 0;
			if (rc < 0)
				err_prefix("%s seed=%llu", v, seed);
			else
				fprintf(s->out, "sweep %s stopped at %s seed=%llu: %zu of %zu runs "
					"done%s\n", name, v, seed, sweep_done(sw), all,
					none ? "; nothing kept" :
					", kept; the same command resumes");
			if (none)
				ws_drop(&s->ws, name);
			if (session_interrupted)
				session_interrupted = 0;
			return rc < 0 ? -1 : 0;
		}
		ran++;
		fprintf(s->out, "  [%zu/%zu] %-14s", ran, todo, v);
		if (pl.swept != P_N)
			fprintf(s->out, " seed=%-6llu", seed);
		fprintf(s->out, " majority %6.2f  weighted %6.2f", sw->maj[r], sw->wtd[r]);
		if (s->set.progress)
			fprintf(s->out, "  %.1f s", sw->secs[r]);
		fputc('\n', s->out);
		fflush(s->out);
	}
	sweep_print(sw, s->out);
	return sw->n > 1 ? run_cmd(s, "plot %s", name) : 0;
}

const struct cmd cmd_sweep = {
	.name = "sweep",
	.usage = "sweep SETTING=V1,V2,... CACHE_TR CACHE_TE [seeds=S1,S2,...] [OPTION=VALUE...] "
		 "[as NAME]",
	.summary = "Run the whole pipeline once per value of a setting (ablation sweep)",
	.help = "For each value of one setting (depth=, width=, lr=, batch= or epochs=,\n"
		"given as a comma list) and each seed of seeds= (default `get seed`; a list\n"
		"of seeds alone sweeps the seed): mlp on CACHE_TR, train (its warmup then\n"
		"joint epochs), infer on CACHE_TE, knn; the same commands as typed.  The\n"
		"other settings are fixed: depth=2 width=0 (the model dims) lr=3e-4\n"
		"batch=256 (at most the rows of either cache) epochs=50 (warmup half)\n"
		"k=20.  Each run's k-NN table stays as NAME.SETTINGVALUE (NAME.depth4;\n"
		"NAME.depth4.s1 with several seeds); keep=on keeps its MLPs and banks too\n"
		"(.dec .tr .te).  The sweep NAME (default sweep) holds every run's\n"
		"accuracy; it prints a line per run, then the table and the chart of\n"
		"accuracy against the swept value (`plot NAME`; `export NAME to F.svg` or\n"
		"F.csv).  Ctrl-C or `stop` ends the running run (its objects dropped) and\n"
		"keeps the finished ones: the same command line resumes.  Settings are\n"
		"checked before anything runs.",
	.min_args = 2, .max_args = 2,
	.options = "depth width lr batch epochs seeds k keep",
	.keywords = "as",
	.complete = ARG_OBJECT,
	.exec = sweep_exec,
};
