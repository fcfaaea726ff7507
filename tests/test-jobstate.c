/* test-jobstate.c - a job saved to a workspace file and loaded back
 * continues bit for bit as the uninterrupted job does: for train and infer
 * jobs, dense and lazy bank Adam, stopped before the first step, in warmup
 * mid-epoch, at an epoch boundary, mid-epoch in the joint phase, one step
 * before the end and after it; with the cache in the file and in the
 * workspace only.  Then the settings round trip, and every way a workspace
 * file can be wrong is refused with a message naming the fault. */
#include "err.h"
#include "eval-baseline.h"
#include "h5-store.h"
#include "h5-attrio.h"
#include "h5-util.h"
#include "job.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-loss.h"
#include "obj-mlp.h"
#include "settings.h"
#include "tap.h"
#include "ws-file.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 37 rows in batches of 8: 5 steps per epoch, the last one of 5 rows */
#define ROWS 37
#define DIM 6
#define BATCH 8
#define EPOCHS 6
#define WARMUP 2
#define SPE 5

static char dir[] = "/tmp/rnr-jobstate-XXXXXX";
static char path[256];

static struct cache *random_cache(uint64_t seed)
{
	struct cache *c = cache_new("c.train", ROWS, 2);
	struct rng g;
	rng_seed(&g, seed, 1);
	for (size_t j = 0; j < 2; j++) {
		c->model[j] = strdup(j ? "m1" : "m0");
		mat_init(&c->feat[j], ROWS, DIM, "test");
		for (size_t i = 0; i < ROWS * DIM; i++)
			c->feat[j].data[i] = rng_uniform(&g, 0.0f, 1.0f);
		size_t first_zero;
		mat_normalize_rows(&c->feat[j], &first_zero);
	}
	return c;
}

/* A job's objects, made the way `train` makes them. */
struct run {
	struct cache *c;
	struct mlpset *set;
	struct bank *bank;
	struct losshist *loss;
	struct job *job;
};

static struct job_cfg make_cfg(enum job_kind kind, enum bank_adam adam)
{
	struct adam_hp hp = { 1e-2, 0.9, 0.999, 1e-8, kind == JOB_TRAIN ? 1e-3 : 0.0, 0 };
	struct adam_hp bank_hp = hp;
	bank_hp.weight_decay = 0.0;
	struct job_cfg cfg = { kind, EPOCHS, kind == JOB_TRAIN ? WARMUP : 0, BATCH, hp, bank_hp,
			       adam, 7, NULL };
	return cfg;
}

static void run_new(struct run *r, const struct job_cfg *cfg)
{
	size_t idx[2] = { 0, 1 };
	r->c = random_cache(3);
	r->set = mlpset_new("dec", r->c, idx, 2, DIM, 2, 0, 1);
	r->bank = baseline_average(r->c, "psi", idx, 2);
	r->loss = losshist_new("psi.loss", 2, r->set->model, SPE, cfg->warmup);
	r->job = job_new(cfg, r->c, r->set, r->bank, r->loss);
	if (!r->job) {
		printf("Bail out! job_new: %s\n", err_msg());
		exit(1);
	}
}

static void run_free(struct run *r)
{
	job_free(r->job);
	obj_free(&r->c->base);
	obj_free(&r->set->base);
	obj_free(&r->bank->base);
	obj_free(&r->loss->base);
}

static void steps(struct job *j, size_t k)
{
	for (size_t i = 0; i < k && !job_done(j); i++)
		job_step(j);
}

static int same_bits(const void *a, const void *b, size_t bytes)
{
	return memcmp(a, b, bytes) == 0;
}

static struct obj *find(struct obj **objs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(objs[i]->name, name) == 0)
			return objs[i];
	return NULL;
}

/* Stop after k steps, save, free everything, load, finish: the same bits
 * as ref.  with_cache: the cache is in the file, else only in a workspace. */
static void check_resume(const struct run *ref, const struct job_cfg *cfg, size_t k,
			 int with_cache, const char *tag)
{
	struct run r;
	run_new(&r, cfg);
	steps(r.job, k);
	struct settings set;
	settings_defaults(&set);
	struct obj *objs[4] = { &r.set->base, &r.bank->base, &r.loss->base, &r.c->base };
	int rc = ws_file_save(path, objs, with_cache ? 4 : 3, &set, r.job, NULL, 0);
	size_t done_before = r.job->epoch * r.job->steps_per_epoch + r.job->step;
	/* the workspace of the loading side: a fresh copy of the same cache */
	struct ws ws;
	ws_init(&ws);
	if (!with_cache)
		ws_add(&ws, &random_cache(3)->base, 0);
	run_free(&r);
	struct ws_file wf;
	if (!tap_ok(rc == 0 && ws_file_load(path, &ws, &set, &wf) == 0,
		    "%s, stopped after %zu steps: saved and loaded%s%s", tag, k,
		    err_msg()[0] ? ": " : "", err_msg())) {
		ws_free(&ws);
		return;
	}
	size_t total = EPOCHS * SPE;
	struct bank *bank = (struct bank *)find(wf.objs, wf.n, "psi");
	struct mlpset *mlps = (struct mlpset *)find(wf.objs, wf.n, "dec");
	struct losshist *loss = (struct losshist *)find(wf.objs, wf.n, "psi.loss");
	if (k >= total) {
		tap_ok(!wf.job && wf.job_finished, "%s, finished: loaded as objects only "
		       "(job %p, finished %d)", tag, (void *)wf.job, wf.job_finished);
	} else {
		tap_ok(wf.job && wf.job->epoch * SPE + wf.job->step == done_before &&
		       wf.job->cache == (with_cache ? (struct cache *)find(wf.objs, wf.n, "c.train")
					 : (struct cache *)ws.obj[0]),
		       "%s, stopped after %zu steps: the job is back at step %zu over the %s "
		       "cache", tag, k, done_before, with_cache ? "file's" : "workspace's");
		if (wf.job)
			steps(wf.job, total);
	}
	size_t np = ref->set->offset[ref->set->m];
	tap_ok(bank && mlps && loss && loss->n == total &&
	       same_bits(bank->psi.data, ref->bank->psi.data, ROWS * DIM * sizeof(float)) &&
	       same_bits(mlps->params, ref->set->params, np * sizeof(float)) &&
	       same_bits(loss->total, ref->loss->total, total * sizeof(double)) &&
	       same_bits(loss->per_model, ref->loss->per_model, total * 2 * sizeof(double)),
	       "%s, stopped after %zu steps%s: bank, MLPs and losses bit-identical to the "
	       "uninterrupted run", tag, k, with_cache ? "" : " (cache in the workspace)");
	ws_file_free(&wf);
	ws_free(&ws);
}

static void check_kind(enum job_kind kind, enum bank_adam adam, const char *tag)
{
	struct job_cfg cfg = make_cfg(kind, adam);
	struct run ref;
	run_new(&ref, &cfg);
	size_t total = EPOCHS * SPE;
	steps(ref.job, total);
	/* before any step, in warmup mid-epoch, at the warmup's end, joint
	 * mid-epoch (just after the partial batch of an epoch too), the last
	 * step, done */
	const size_t at[] = { 0, 3, WARMUP * SPE, 2 * SPE + 2, 3 * SPE + 4, total - 1, total };
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
		check_resume(&ref, &cfg, at[i], 1, tag);
	check_resume(&ref, &cfg, 2 * SPE + 2, 0, tag);
	run_free(&ref);
}

/* ---- settings ---------------------------------------------------------------- */

static void check_settings(void)
{
	struct settings set, cur, back;
	settings_defaults(&set);
	settings_defaults(&cur);
	settings_set(&set, "threads", "3");
	settings_set(&set, "seed", "18446744073709551615");
	settings_set(&set, "bail", "on");
	settings_set(&set, "progress", "off");
	struct run r;
	struct job_cfg cfg = make_cfg(JOB_TRAIN, BANK_ADAM_LAZY);
	run_new(&r, &cfg);
	struct obj *objs[1] = { &r.bank->base };
	int rc = ws_file_save(path, objs, 1, &set, NULL, NULL, 0);
	run_free(&r);
	struct ws_file wf;
	rc = rc == 0 ? ws_file_load(path, NULL, &cur, &wf) : -1;
	back = wf.set;
	tap_ok(rc == 0 && back.threads == 3 && back.seed == UINT64_MAX && back.bail == 1 &&
	       back.echo == 0 && back.progress == 0 && wf.n == 1 && !wf.job,
	       "settings round trip: threads 3, seed 2^64-1, bail on, progress off (%s)",
	       rc == 0 ? "loaded" : err_msg());
	if (rc == 0)
		ws_file_free(&wf);
	rc = ws_file_save(path, NULL, 0, &set, NULL, NULL, 0);
	rc = rc == 0 ? ws_file_load(path, NULL, &cur, &wf) : -1;
	tap_ok(rc == 0 && wf.n == 0 && wf.set.threads == 3,
	       "a workspace of no objects saves and loads (%s)", rc == 0 ? "ok" : err_msg());
	if (rc == 0)
		ws_file_free(&wf);
}

/* ---- malformed files --------------------------------------------------------- */

/* A saved mid-epoch job (cache in the file unless without_cache), then
 * edit(file) run on it. */
static void save_job_file(int without_cache)
{
	struct run r;
	struct job_cfg cfg = make_cfg(JOB_TRAIN, BANK_ADAM_LAZY);
	run_new(&r, &cfg);
	steps(r.job, 2 * SPE + 2);
	struct settings set;
	settings_defaults(&set);
	struct obj *objs[4] = { &r.set->base, &r.bank->base, &r.loss->base, &r.c->base };
	if (ws_file_save(path, objs, without_cache ? 3 : 4, &set, r.job, "ck.h5", 2) < 0) {
		printf("Bail out! ws_file_save: %s\n", err_msg());
		exit(1);
	}
	run_free(&r);
}

static hid_t open_rw(void)
{
	hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	if (f < 0) {
		printf("Bail out! cannot reopen %s\n", path);
		exit(1);
	}
	return f;
}

/* Rewrite attribute attr of obj: the string str, or the integer v when
 * str is NULL. */
static void edit_attr(const char *obj, const char *attr, const char *str, int64_t v)
{
	hid_t f = open_rw(), o = H5Oopen(f, obj, H5P_DEFAULT);
	if (str)
		h5u_write_str_attr(o, attr, str);
	else
		h5u_write_i64_attr(o, attr, v);
	H5Oclose(o);
	H5Fclose(f);
}

static void delete_attr(const char *obj, const char *attr)
{
	hid_t f = open_rw();
	H5Adelete_by_name(f, obj, attr, H5P_DEFAULT);
	H5Fclose(f);
}

/* replace /.job/name by a uint32 dataset of n values v(i) */
static void put_u32(const char *name, size_t n, uint32_t (*v)(size_t))
{
	uint32_t *d = malloc((n ? n : 1) * sizeof *d);
	for (size_t i = 0; i < n; i++)
		d[i] = v(i);
	hid_t f = open_rw(), g = H5Gopen2(f, "/.job", H5P_DEFAULT);
	hsize_t dims[1] = { n };
	H5Ldelete(g, name, H5P_DEFAULT);
	h5u_write_dataset(g, name, H5T_STD_U32LE, H5T_NATIVE_UINT32, 1, dims, d);
	H5Gclose(g);
	H5Fclose(f);
	free(d);
}

static uint32_t twice_zero(size_t i)
{
	return i == 1 ? 0 : (uint32_t)i;
}

static uint32_t out_of_range(size_t i)
{
	return i == 5 ? 4000000000u : (uint32_t)i;
}

static uint32_t identity(size_t i)
{
	return (uint32_t)i;
}

/* load path into a workspace holding cache (may be NULL): must fail with a
 * message holding want, and allocate nothing */
static void refused(const char *what, struct cache *cache, const char *want)
{
	struct ws ws;
	ws_init(&ws);
	if (cache)
		ws_add(&ws, &cache->base, 0);
	struct settings cur;
	settings_defaults(&cur);
	struct ws_file wf;
	int rc = ws_file_load(path, &ws, &cur, &wf);
	const char *msg = rc < 0 ? err_msg() : "(loaded)";
	tap_ok(rc < 0 && strstr(msg, want) && strstr(msg, path) && !wf.objs && !wf.job,
	       "%s: refused: %s (want \"%s\" and the file name)", what, msg, want);
	if (rc == 0)
		ws_file_free(&wf);
	tap_ok(!cache || !cache->base.busy, "%s: the workspace's cache is not left in use", what);
	ws_free(&ws);
}

/* One attribute changed (str, else v) or deleted (del), and the words
 * the refusal must hold. */
struct edit {
	const char *what, *obj, *attr, *str;
	int64_t v;
	int del;
	const char *want;
};

static const struct edit edits[] = {
	{ "a step count the loss history does not match", "/.job", "step", NULL, 1, 0,
	  "does not match the job" },
	{ "a step beyond the epoch", "/.job", "step", NULL, SPE, 0, "'step' = 5: out of range 0..4" },
	{ "epochs beyond what train accepts", "/.job", "epochs", NULL, 1000000, 0,
	  "'epochs' = 1000000: out of range" },
	{ "batch 0", "/.job", "batch", NULL, 0, 0, "batch=0: must be 1..37" },
	{ "an unknown bank Adam", "/.job", "adam", "sgd", 0, 0,
	  "'adam' = 'sgd': expected dense or lazy" },
	{ "a bank the file does not hold", "/.job", "bank", "nothere", 0, 0,
	  "the job's bank nothere is not in the file" },
	{ "an MLP name that is a bank", "/.job", "mlp", "psi", 0, 0, "psi is a bank, not a mlp" },
	{ "a missing seed", "/.job", "seed", NULL, 0, 1, "seed" },
	{ "a newer format", "/", "rnr_workspace", NULL, WS_FILE_FORMAT + 1, 0,
	  "written by a newer rnr" },
	{ "a file without rnr_workspace", "/", "rnr_workspace", NULL, 0, 1, "not a workspace file" },
	{ "checkpoints every 0 epochs", "/.job", "checkpoint_every", NULL, 0, 0, "checkpoint_every" },
	{ "a setting out of range", "/.settings", "threads", "0", 0, 0, "/.settings: threads" },
};

static void check_malformed(void)
{
	save_job_file(0);
	put_u32("perm", ROWS, twice_zero);
	refused("a permutation with a row twice", NULL, "perm is not a permutation");
	save_job_file(0);
	put_u32("perm", ROWS, out_of_range);
	refused("a permutation with a row out of range", NULL, "perm is not a permutation");
	save_job_file(0);
	put_u32("perm", ROWS - 1, identity);
	refused("a permutation of the wrong length", NULL, "dataset perm has 36 values, expected 37");
	save_job_file(0);
	put_u32("bank_row_t", 3, identity);
	refused("lazy step counts of the wrong length", NULL, "bank_row_t has 3 values");
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		const struct edit *e = &edits[i];
		save_job_file(0);
		if (e->del)
			delete_attr(e->obj, e->attr);
		else
			edit_attr(e->obj, e->attr, e->str, e->v);
		refused(e->what, NULL, e->want);
	}

	/* the cache left out of the file (a checkpoint) */
	save_job_file(1);
	refused("a checkpoint without its cache in the workspace", NULL,
		"the job's cache c.train is neither in the file nor in the workspace");
	struct cache *other = random_cache(4);
	refused("a checkpoint over another cache of that name", other,
		"cache c.train in the workspace is not the one the job trained on");
	struct cache *fewer = random_cache(3);
	fewer->labels = calloc(ROWS, sizeof *fewer->labels);
	fewer->n_classes = 1;
	refused("the same features with labels added", fewer, "not the one the job trained on");

	/* a workspace file is an object file too */
	save_job_file(0);
	struct obj **objs;
	size_t n;
	int rc = h5_store_load(path, &objs, &n);
	tap_ok(rc == 0 && n == 4, "`load` reads a workspace file's 4 objects and skips the rest "
	       "(%s)", rc == 0 ? "ok" : err_msg());
	for (size_t i = 0; rc == 0 && i < n; i++)
		obj_free(objs[i]);
	if (rc == 0)
		free(objs);

	/* what cannot be saved is refused by name */
	struct run r;
	struct job_cfg cfg = make_cfg(JOB_TRAIN, BANK_ADAM_DENSE);
	uint32_t *fixed = malloc(EPOCHS * ROWS * sizeof *fixed);
	for (size_t i = 0; i < EPOCHS * ROWS; i++)
		fixed[i] = (uint32_t)(i % ROWS);
	cfg.fixed_perm = fixed;
	run_new(&r, &cfg);
	struct settings set;
	settings_defaults(&set);
	struct obj *o[1] = { &r.bank->base };
	unlink(path);
	rc = ws_file_save(path, o, 1, &set, r.job, NULL, 0);
	tap_ok(rc < 0 && strstr(err_msg(), "the job on psi replays a fixed batch order") &&
	       access(path, F_OK) != 0, "a job replaying a fixed order is refused by name, "
	       "nothing written: %s", rc < 0 ? err_msg() : "(saved)");
	run_free(&r);
	free(fixed);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	snprintf(path, sizeof path, "%s/ws.h5", dir);
	check_kind(JOB_TRAIN, BANK_ADAM_LAZY, "train, lazy");
	check_kind(JOB_TRAIN, BANK_ADAM_DENSE, "train, dense");
	check_kind(JOB_INFER, BANK_ADAM_LAZY, "infer, lazy");
	check_kind(JOB_INFER, BANK_ADAM_DENSE, "infer, dense");
	check_settings();
	check_malformed();
	unlink(path);
	rmdir(dir);
	return tap_done();
}
