/* ws-file.c - workspace files and checkpoints (see ws-file.h). */
#include "config.h"

#include "ws-file.h"
#include "err.h"
#include "h5-store.h"
#include "h5-attrio.h"
#include "h5-util.h"
#include "job.h"
#include "job-state.h"
#include "obj-bank.h"
#include "obj-loss.h"
#include "obj-mlp.h"

#include <stdlib.h>
#include <string.h>

#define SETTINGS_GROUP ".settings"
#define JOB_GROUP ".job"

/* ---- saving ------------------------------------------------------------------ */

struct save_ctx {
	const struct settings *set;
	const struct job *job;
	const char *ckpt_path;
	size_t ckpt_every;
};

static int fill_settings(hid_t g, const struct save_ctx *c)
{
	for (size_t i = 0; settings_table[i].name; i++) {
		char buf[64];
		if (settings_get(c->set, settings_table[i].name, buf, sizeof buf) < 0 ||
		    h5u_write_str_attr(g, settings_table[i].name, buf) < 0)
			return -1;
	}
	return 0;
}

static int fill_job(hid_t g, const struct save_ctx *c)
{
	if (job_state_save(c->job, g) < 0)
		return -1;
	if (c->ckpt_path &&
	    (h5u_write_str_attr(g, "checkpoint", c->ckpt_path) < 0 ||
	     h5u_write_i64_attr(g, "checkpoint_every", (int64_t)c->ckpt_every) < 0))
		return -1;
	return 0;
}

/* The group /name of f, written by fill. */
static int write_group(hid_t f, const char *name,
		       int (*fill)(hid_t g, const struct save_ctx *c), const struct save_ctx *c)
{
	hid_t g = H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (g < 0) {
		h5u_err("cannot create group /%s", name);
		return -1;
	}
	int rc = fill(g, c);
	if (H5Gclose(g) < 0 && rc == 0) {
		h5u_err("cannot write group /%s", name);
		rc = -1;
	}
	return rc;
}

static int write_extra(hid_t f, void *ctx)
{
	const struct save_ctx *c = ctx;
	if (h5u_write_i64_attr(f, "rnr_workspace", WS_FILE_FORMAT) < 0 ||
	    h5u_write_str_attr(f, "rnr_version", PACKAGE_VERSION) < 0 ||
	    write_group(f, SETTINGS_GROUP, fill_settings, c) < 0)
		return -1;
	return c->job ? write_group(f, JOB_GROUP, fill_job, c) : 0;
}

int ws_file_save(const char *path, struct obj *const *objs, size_t n,
		 const struct settings *set, const struct job *job,
		 const char *ckpt_path, size_t ckpt_every)
{
	struct save_ctx c = { set, job, ckpt_path, ckpt_every };
	return h5_store_save_with(path, objs, n, write_extra, &c);
}

int ws_file_checkpoint(const char *path, const struct settings *set, const struct job *job,
		       size_t every)
{
	struct obj *objs[3] = { &job->mlps->base, &job->bank->base, &job->loss->base };
	return ws_file_save(path, objs, 3, set, job, path, every);
}

/* ---- loading ----------------------------------------------------------------- */

struct load_ctx {
	const struct ws *ws;
	struct ws_file *out;
	struct obj *const *objs; /* [n] the objects loaded from the file */
	size_t n;
};

static int check_format(hid_t f)
{
	int64_t format;
	int rc = h5u_attr_i64(f, "rnr_workspace", &format);
	if (rc == 0)
		err_set("not a workspace file (no rnr_workspace attribute): `load` reads its "
			"objects");
	else if (rc > 0 && (format < 1 || format > WS_FILE_FORMAT))
		err_set("workspace format %lld, this rnr reads formats 1 to %d%s",
			(long long)format, WS_FILE_FORMAT,
			format > WS_FILE_FORMAT ? " (written by a newer rnr)" : "");
	else if (rc > 0)
		return 0;
	return -1;
}

/* The settings of g over out->set; settings it does not know (from a
 * newer rnr) are ignored, ones it lacks keep their value. */
static int read_settings(hid_t g, const struct load_ctx *c)
{
	int rc = 0;
	for (size_t i = 0; settings_table[i].name && rc == 0; i++) {
		const char *name = settings_table[i].name;
		char *v = NULL;
		if (H5Aexists(g, name) > 0 && (rc = h5u_attr_string(g, name, &v)) == 0)
			rc = settings_set(&c->out->set, name, v);
		free(v);
	}
	return rc;
}

/* Has the job of g run all its epochs?  Then there is nothing to resume
 * and its cache is not needed. */
static int job_finished(hid_t g)
{
	int64_t epoch, epochs;
	return h5u_attr_i64(g, "epoch", &epoch) > 0 && h5u_attr_i64(g, "epochs", &epochs) > 0 &&
	       epoch >= epochs;
}

/* The unfinished job of g and its checkpoint settings into c->out. */
static int read_job(hid_t g, const struct load_ctx *c)
{
	struct ws_file *out = c->out;
	if ((out->job_finished = job_finished(g)))
		return 0;
	int64_t every = 0;
	if (!(out->job = job_state_load(g, c->objs, c->n, c->ws)))
		return -1;
	if (H5Aexists(g, "checkpoint") <= 0)
		return 0;
	if (h5u_attr_string(g, "checkpoint", &out->ckpt_path) < 0)
		return -1;
	if (h5u_attr_i64(g, "checkpoint_every", &every) <= 0 || every < 1) {
		err_set("attribute checkpoint_every: expected an integer >= 1");
		return -1;
	}
	out->ckpt_every = (size_t)every;
	return 0;
}

/* The group /name of f, if f has it, read by read; errors name it. */
static int read_group(hid_t f, const char *name,
		      int (*read)(hid_t g, const struct load_ctx *c), const struct load_ctx *c)
{
	int rc = h5u_has_link(f, name);
	hid_t g = -1;
	if (rc > 0 && (g = H5Gopen2(f, name, H5P_DEFAULT)) < 0) {
		h5u_err("cannot open");
		rc = -1;
	}
	if (rc > 0)
		rc = read(g, c);
	if (g >= 0)
		H5Gclose(g);
	if (rc < 0)
		err_prefix("/%s", name);
	return rc < 0 ? -1 : 0;
}

static int read_extra(hid_t f, struct obj *const *objs, size_t n, void *ctx)
{
	struct load_ctx *c = ctx;
	c->objs = objs;
	c->n = n;
	if (check_format(f) < 0 || read_group(f, SETTINGS_GROUP, read_settings, c) < 0 ||
	    read_group(f, JOB_GROUP, read_job, c) < 0) {
		job_free(c->out->job);
		c->out->job = NULL;
		free(c->out->ckpt_path);
		c->out->ckpt_path = NULL;
		return -1;
	}
	return 0;
}

int ws_file_load(const char *path, const struct ws *ws, const struct settings *cur,
		 struct ws_file *out)
{
	memset(out, 0, sizeof *out);
	out->set = *cur;
	struct load_ctx c = { ws, out, NULL, 0 };
	if (h5_store_load_with(path, &out->objs, &out->n, read_extra, &c) < 0) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}

void ws_file_free(struct ws_file *out)
{
	job_free(out->job);
	free(out->ckpt_path);
	if (out->objs)
		for (size_t i = 0; i < out->n; i++)
			obj_free(out->objs[i]);
	free(out->objs);
	memset(out, 0, sizeof *out);
}
