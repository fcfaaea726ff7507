/* job-state.c - saving and loading a job's state (see job-state.h).
 *
 * Only the fields a step carries to the next are saved: the configuration,
 * the counters, the shuffle generator, the current permutation and the
 * optimiser moments.  The rest of struct job is per-step scratch that a
 * step overwrites before reading (row_pos is all -1 between steps). */
#include "job-state.h"
#include "err.h"
#include "h5-attrio.h"
#include "h5-util.h"
#include "job.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-loss.h"
#include "obj-mlp.h"
#include "par-mpi.h"
#include "parse.h"

#include <float.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the cache checksum ------------------------------------------------------ */

static void fnv1a(uint64_t *h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		*h ^= p[i];
		*h *= 0x100000001b3ULL;
	}
}

/* FNV-1a over the rows, the models (names, dims, features as stored) and
 * the labels: equal for the same file loaded the same way, so a
 * checkpoint can tell the cache it trained on from another of that name. */
/* the features of model j as the cache holds them; a streamed cache is
 * read a block at a time (the same bits: the same digest) */
static void digest_features(uint64_t *h, const struct cache *c, size_t j)
{
	if (!c->stream) {
		fnv1a(h, c->feat[j].data, mat_bytes(&c->feat[j]));
		return;
	}
	size_t d = c->feat[j].cols, rows = cache_block_rows(c, j, (size_t)4 << 20);
	float *buf = malloc(rows * d * sizeof *buf);
	for (size_t r0 = 0; buf && r0 < c->n; r0 += rows) {
		size_t nr = c->n - r0 < rows ? c->n - r0 : rows;
		if (cache_read_block(c, j, r0, nr, buf) < 0)
			break;
		fnv1a(h, buf, nr * d * sizeof *buf);
	}
	free(buf);
}

static uint64_t cache_digest(const struct cache *c)
{
	uint64_t h = 0xcbf29ce484222325ULL, n = c->n, m = c->m;
	fnv1a(&h, &n, sizeof n);
	fnv1a(&h, &m, sizeof m);
	for (size_t j = 0; j < c->m; j++) {
		uint64_t cols = c->feat[j].cols;
		fnv1a(&h, c->model[j], strlen(c->model[j]) + 1);
		fnv1a(&h, &cols, sizeof cols);
		digest_features(&h, c, j);
	}
	if (c->labels)
		fnv1a(&h, c->labels, c->n * sizeof *c->labels);
	return h;
}

static void digest_text(const struct cache *c, char *buf, size_t cap)
{
	snprintf(buf, cap, "%016" PRIx64, cache_digest(c));
}

/* ---- saving ------------------------------------------------------------------ */

static int save_cfg(const struct job *j, hid_t g)
{
	const struct job_cfg *c = &j->cfg;
	char seed[32], digest[32];
	snprintf(seed, sizeof seed, "%" PRIu64, c->seed);
	digest_text(j->cache, digest, sizeof digest);
	if (h5u_write_str_attr(g, "kind", c->kind == JOB_TRAIN ? "train" : "infer") < 0 ||
	    h5u_write_str_attr(g, "cache", j->cache->base.name) < 0 ||
	    h5u_write_str_attr(g, "cache_note", j->cache->base.note ? j->cache->base.note : "") < 0 ||
	    h5u_write_i64_attr(g, "cache_rows", (int64_t)j->cache->n) < 0 ||
	    h5u_write_str_attr(g, "cache_digest", digest) < 0 ||
	    h5u_write_str_attr(g, "mlp", j->mlps->base.name) < 0 ||
	    h5u_write_str_attr(g, "bank", j->bank->base.name) < 0 ||
	    h5u_write_str_attr(g, "loss", j->loss->base.name) < 0 ||
	    h5u_write_i64_attr(g, "epochs", (int64_t)c->epochs) < 0 ||
	    h5u_write_i64_attr(g, "warmup", (int64_t)c->warmup) < 0 ||
	    h5u_write_i64_attr(g, "batch", (int64_t)c->batch) < 0 ||
	    h5u_write_f64_attr(g, "lr", c->mlp_hp.lr) < 0 ||
	    h5u_write_f64_attr(g, "beta1", c->mlp_hp.beta1) < 0 ||
	    h5u_write_f64_attr(g, "beta2", c->mlp_hp.beta2) < 0 ||
	    h5u_write_f64_attr(g, "eps", c->mlp_hp.eps) < 0 ||
	    h5u_write_f64_attr(g, "wd", c->mlp_hp.weight_decay) < 0 ||
	    h5u_write_str_attr(g, "adam", c->bank_adam == BANK_ADAM_LAZY ? "lazy" : "dense") < 0 ||
	    h5u_write_i64_attr(g, "nonneg", c->bank_hp.nonneg) < 0 ||
	    h5u_write_str_attr(g, "seed", seed) < 0)
		return -1;
	return 0;
}

static int save_progress(const struct job *j, hid_t g)
{
	size_t n = j->cache->n, d = j->bank->psi.cols, p = j->mlps->offset[j->mlps->m];
	hsize_t d4[1] = { 4 }, dn[1] = { n }, dp[1] = { p }, dnd[2] = { n, d };
	if (h5u_write_i64_attr(g, "epoch", (int64_t)j->epoch) < 0 ||
	    h5u_write_i64_attr(g, "step", (int64_t)j->step) < 0 ||
	    h5u_write_i64_attr(g, "steps_per_epoch", (int64_t)j->steps_per_epoch) < 0 ||
	    h5u_write_i64_attr(g, "mlp_t", (int64_t)j->mlp_t) < 0 ||
	    h5u_write_i64_attr(g, "bank_t", (int64_t)j->bank_t) < 0 ||
	    h5u_write_dataset(g, "shuffle", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, d4,
			      j->shuffle.s) < 0 ||
	    h5u_write_dataset(g, "perm", H5T_STD_U32LE, H5T_NATIVE_UINT32, 1, dn, j->perm) < 0 ||
	    h5u_write_dataset(g, "bank_m", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, dnd,
			      j->bank_m) < 0 ||
	    h5u_write_dataset(g, "bank_v", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, dnd,
			      j->bank_v) < 0 ||
	    h5u_write_dataset(g, "bank_row_t", H5T_STD_U32LE, H5T_NATIVE_UINT32, 1, dn,
			      j->bank_row_t) < 0)
		return -1;
	if (j->cfg.kind == JOB_TRAIN &&
	    (h5u_write_dataset(g, "mlp_m", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, dp, j->mlp_m) < 0 ||
	     h5u_write_dataset(g, "mlp_v", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, dp, j->mlp_v) < 0))
		return -1;
	return 0;
}

int job_state_save(const struct job *j, hid_t g)
{
	/* each rank holds the bank moments of its own shard only */
	if (ranks_size() > 1) {
		err_set("the job on %s runs on %zu MPI ranks: its state cannot be saved "
			"before it ends (no checkpoints under MPI yet)", j->bank->base.name,
			ranks_size());
		return -1;
	}
	if (j->cfg.fixed_perm) {
		err_set("the job on %s replays a fixed batch order and cannot be saved",
			j->bank->base.name);
		return -1;
	}
	if (save_cfg(j, g) < 0 || save_progress(j, g) < 0) {
		err_prefix("the job on %s", j->bank->base.name);
		return -1;
	}
	return 0;
}

/* ---- loading ----------------------------------------------------------------- */

/* A count attribute in [0, hi]; -1 with err_set(). */
static int read_count(hid_t g, const char *name, uint64_t hi, uint64_t *out)
{
	int64_t v;
	int rc = h5u_attr_i64(g, name, &v);
	if (rc == 0)
		err_set("missing attribute '%s'", name);
	if (rc <= 0)
		return -1;
	if (v < 0 || (uint64_t)v > hi) {
		err_set("attribute '%s' = %lld: out of range 0..%llu", name, (long long)v,
			(unsigned long long)hi);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

static int read_size(hid_t g, const char *name, size_t hi, size_t *out)
{
	uint64_t v;
	if (read_count(g, name, hi, &v) < 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* The names of the job's objects, in the order of struct job_objs. */
static const char *const object_attrs[4] = { "cache", "mlp", "bank", "loss" };

struct job_objs {
	struct cache *cache;
	struct mlpset *mlps;
	struct bank *bank;
	struct losshist *loss;
};

static struct obj *find_loaded(struct obj *const *objs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(objs[i]->name, name) == 0)
			return objs[i];
	return NULL;
}

/* The job's cache when the file does not hold it: the workspace's cache of
 * that name, if it is the one the job was saved with. */
static struct cache *cache_from_ws(hid_t g, const struct ws *ws, const char *name)
{
	char *note = NULL, *want = NULL, have[32];
	struct obj *o = ws ? ws_find(ws, name) : NULL;
	struct cache *c = NULL;
	if (h5u_attr_string(g, "cache_note", &note) < 0 || h5u_attr_string(g, "cache_digest", &want) < 0)
		goto out;
	if (!o) {
		err_set("the job's cache %s is neither in the file nor in the workspace: "
			"load it under that name first%s%s%s", name, note[0] ? " (it was " : "",
			note, note[0] ? ")" : "");
		goto out;
	}
	if (!(c = obj_as(o, &cache_type)))
		goto out;
	digest_text(c, have, sizeof have);
	if (strcmp(have, want) != 0) {
		err_set("cache %s in the workspace is not the one the job trained on "
			"(checksum %s, the job's %s)%s%s", name, have, want,
			note[0] ? ": the job's was " : "", note);
		c = NULL;
	}
out:
	free(note);
	free(want);
	return c;
}

static int find_objects(hid_t g, struct obj *const *objs, size_t n, const struct ws *ws,
			struct job_objs *jo)
{
	const struct obj_type *types[4] = { &cache_type, &mlpset_type, &bank_type,
					    &losshist_type };
	void *found[4] = { NULL, NULL, NULL, NULL };
	for (size_t i = 0; i < 4; i++) {
		char *name = NULL;
		if (h5u_attr_string(g, object_attrs[i], &name) < 0)
			return -1;
		struct obj *o = find_loaded(objs, n, name);
		if (o)
			found[i] = obj_as(o, types[i]);
		else if (i == 0)
			found[i] = cache_from_ws(g, ws, name);
		else
			err_set("the job's %s %s is not in the file", types[i]->name, name);
		free(name);
		if (!found[i])
			return -1;
	}
	*jo = (struct job_objs){ found[0], found[1], found[2], found[3] };
	return 0;
}

static int read_choice(hid_t g, const char *name, const char *a, const char *b, int *out)
{
	char *v = NULL;
	if (h5u_attr_string(g, name, &v) < 0)
		return -1;
	*out = strcmp(v, a) == 0 ? 0 : strcmp(v, b) == 0 ? 1 : -1;
	if (*out < 0)
		err_set("attribute '%s' = '%s': expected %s or %s", name, v, a, b);
	free(v);
	return *out < 0 ? -1 : 0;
}

static int read_cfg(hid_t g, struct job_cfg *c)
{
	int kind, lazy;
	uint64_t nonneg;
	double lr, b1, b2, eps, wd;
	char *seed = NULL;
	memset(c, 0, sizeof *c);
	if (read_choice(g, "kind", "train", "infer", &kind) < 0 ||
	    read_size(g, "epochs", JOB_EPOCHS_MAX, &c->epochs) < 0 ||
	    read_size(g, "warmup", JOB_EPOCHS_MAX, &c->warmup) < 0 ||
	    read_size(g, "batch", JOB_BATCH_MAX, &c->batch) < 0 ||
	    h5u_attr_f64(g, "lr", &lr) < 0 || h5u_attr_f64(g, "beta1", &b1) < 0 ||
	    h5u_attr_f64(g, "beta2", &b2) < 0 || h5u_attr_f64(g, "eps", &eps) < 0 ||
	    h5u_attr_f64(g, "wd", &wd) < 0 ||
	    read_choice(g, "adam", "dense", "lazy", &lazy) < 0 ||
	    read_count(g, "nonneg", 1, &nonneg) < 0 || h5u_attr_string(g, "seed", &seed) < 0)
		return -1;
	int rc = parse_u64("attribute 'seed'", seed, &c->seed);
	free(seed);
	c->kind = kind ? JOB_INFER : JOB_TRAIN;
	if (c->kind == JOB_INFER)
		c->warmup = 0;
	c->mlp_hp = (struct adam_hp){ lr, b1, b2, eps, wd, 0 };
	c->bank_hp = (struct adam_hp){ lr, b1, b2, eps, 0.0, (int)nonneg };
	c->bank_adam = lazy ? BANK_ADAM_LAZY : BANK_ADAM_DENSE;
	return rc;
}

/* Is perm[0..n) a permutation of 0..n-1?  (It indexes the bank's rows.) */
static int check_perm(const uint32_t *perm, size_t n)
{
	unsigned char *seen = calloc(n ? n : 1, 1);
	if (!seen) {
		err_nomem("permutation check", n);
		return -1;
	}
	size_t i = 0;
	for (; i < n; i++) {
		if (perm[i] >= n || seen[perm[i]])
			break;
		seen[perm[i]] = 1;
	}
	free(seen);
	if (i < n) {
		err_set("dataset perm is not a permutation of the %zu rows (at %zu: %u)", n, i,
			perm[i]);
		return -1;
	}
	return 0;
}

/* Adam's moments as a run leaves them: m finite, v finite and >= 0 (it
 * averages squares).  A file holding others would train to NaN. */
static int check_moments(const float *m, const float *v, size_t n, const char *mname,
			 const char *vname)
{
	size_t i = floats_find_nonfinite(m, n);
	if (i != SIZE_MAX) {
		err_set("dataset %s: value %zu (counting from 0) is %s; Adam's first moments "
			"must be finite", mname, i, nonfinite_name(m[i]));
		return -1;
	}
	for (i = 0; i < n && v[i] >= 0.0f && v[i] <= FLT_MAX; i++)
		;
	if (i < n) {
		err_set("dataset %s: value %zu (counting from 0) is %g; Adam's second moments "
			"must be finite and >= 0", vname, i, (double)v[i]);
		return -1;
	}
	return 0;
}

/* The optimiser's step counters follow from the steps done, so a file's
 * must agree: mlp_t counts the MLPs' steps (every step of a train job),
 * bank_t the dense bank steps (every step after the warmup), and in lazy
 * mode a row has moved at most once per joint epoch begun. */
static int check_counters(const struct job *j, size_t done, uint64_t mlp_t, uint64_t bank_t)
{
	size_t spe = j->steps_per_epoch;
	size_t warm = j->cfg.kind == JOB_TRAIN ? j->cfg.warmup * spe : 0;
	size_t joint = done > warm ? done - warm : 0;
	uint64_t want_mlp = j->cfg.kind == JOB_TRAIN ? done : 0;
	uint64_t want_bank = j->cfg.bank_adam == BANK_ADAM_DENSE ? joint : 0;
	if (mlp_t != want_mlp || bank_t != want_bank) {
		err_set("attributes mlp_t=%" PRIu64 " and bank_t=%" PRIu64 " do not follow from "
			"%zu steps done (%zu after the warmup, bank Adam %s): expected %" PRIu64
			" and %" PRIu64, mlp_t, bank_t, done, joint,
			j->cfg.bank_adam == BANK_ADAM_DENSE ? "dense" : "lazy", want_mlp,
			want_bank);
		return -1;
	}
	size_t most = j->cfg.bank_adam == BANK_ADAM_LAZY ? (joint + spe - 1) / spe : 0;
	for (size_t i = 0; i < j->cache->n; i++)
		if (j->bank_row_t[i] > most) {
			err_set("dataset bank_row_t: row %zu has moved %u times, more than the %zu "
				"joint epochs begun", i, j->bank_row_t[i], most);
			return -1;
		}
	return 0;
}

/* The counters and arrays of g into j, checked against j's objects. */
static int read_progress(hid_t g, struct job *j)
{
	size_t n = j->cache->n, d = j->bank->psi.cols, p = j->mlps->offset[j->mlps->m];
	size_t spe;
	uint64_t mlp_t, bank_t;
	const struct losshist *h = j->loss;
	if (read_size(g, "epoch", j->cfg.epochs, &j->epoch) < 0 ||
	    read_size(g, "step", j->steps_per_epoch - 1, &j->step) < 0 ||
	    read_size(g, "steps_per_epoch", SIZE_MAX, &spe) < 0 ||
	    read_count(g, "mlp_t", INT64_MAX, &mlp_t) < 0 ||
	    read_count(g, "bank_t", INT64_MAX, &bank_t) < 0)
		return -1;
	j->mlp_t = mlp_t;
	j->bank_t = bank_t;
	if (spe != j->steps_per_epoch || (j->epoch == j->cfg.epochs && j->step != 0)) {
		err_set("epoch %zu step %zu of %zu steps per epoch do not fit %zu rows in "
			"batches of %zu over %zu epochs", j->epoch, j->step, spe, n, j->cfg.batch,
			j->cfg.epochs);
		return -1;
	}
	if (h->m != j->mlps->m || h->steps_per_epoch != spe ||
	    h->n != j->epoch * spe + j->step) {
		err_set("loss history %s (%zu steps of %zu models) does not match the job "
			"(%zu steps done of %zu models)", h->base.name, (size_t)h->n, h->m,
			j->epoch * spe + j->step, j->mlps->m);
		return -1;
	}
	if (h5u_read_exact(g, "shuffle", H5T_NATIVE_UINT64, j->shuffle.s, 4) < 0 ||
	    h5u_read_exact(g, "perm", H5T_NATIVE_UINT32, j->perm, n) < 0 ||
	    h5u_read_exact(g, "bank_m", H5T_NATIVE_FLOAT, j->bank_m, n * d) < 0 ||
	    h5u_read_exact(g, "bank_v", H5T_NATIVE_FLOAT, j->bank_v, n * d) < 0 ||
	    h5u_read_exact(g, "bank_row_t", H5T_NATIVE_UINT32, j->bank_row_t, n) < 0)
		return -1;
	if (j->cfg.kind == JOB_TRAIN &&
	    (h5u_read_exact(g, "mlp_m", H5T_NATIVE_FLOAT, j->mlp_m, p) < 0 ||
	     h5u_read_exact(g, "mlp_v", H5T_NATIVE_FLOAT, j->mlp_v, p) < 0 ||
	     check_moments(j->mlp_m, j->mlp_v, p, "mlp_m", "mlp_v") < 0))
		return -1;
	if (check_moments(j->bank_m, j->bank_v, n * d, "bank_m", "bank_v") < 0 ||
	    check_counters(j, j->epoch * spe + j->step, mlp_t, bank_t) < 0)
		return -1;
	if (!(j->shuffle.s[0] | j->shuffle.s[1] | j->shuffle.s[2] | j->shuffle.s[3])) {
		err_set("dataset shuffle: the generator's state is all zeros, which it never "
			"reaches (it would give the same batches for ever)");
		return -1;
	}
	/* at step 0 the next step draws a new permutation; mid-epoch the saved
	 * one picks the rows */
	return j->step > 0 ? check_perm(j->perm, n) : 0;
}

struct job *job_state_load(hid_t g, struct obj *const *objs, size_t n, const struct ws *ws)
{
	struct job_cfg cfg;
	struct job_objs jo;
	struct job *j = NULL;
	/* each rank keeps the bank moments of its own shard only */
	if (ranks_size() > 1) {
		err_set("a saved job cannot be restored on %zu MPI ranks (only by rnr "
			"without mpirun)", ranks_size());
		return NULL;
	}
	if (find_objects(g, objs, n, ws, &jo) < 0 || read_cfg(g, &cfg) < 0 ||
	    !(j = job_new(&cfg, jo.cache, jo.mlps, jo.bank, jo.loss)) || read_progress(g, j) < 0) {
		job_free(j);
		return NULL;
	}
	return j;
}
