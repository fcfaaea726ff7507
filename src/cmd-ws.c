/* cmd-ws.c - the workspace commands: list, show, drop, rename, and the
 * whole workspace to a file and back (`save * to FILE`, restore). */
#include "args.h"
#include "cmd-list.h"
#include "cmd-ws.h"
#include "err.h"
#include "job.h"
#include "obj-bank.h"
#include "session.h"
#include "ws-file.h"

#include <stdlib.h>
#include <string.h>

static void human_bytes(size_t b, char *buf, size_t cap)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	size_t u = 0;
	while (v >= 1024.0 && u < 4)
		v /= 1024.0, u++;
	snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

static int list_exec(struct session *s, const struct args *a)
{
	(void)a;
	if (s->ws.n == 0) {
		fputs("(no objects; `load FILE` reads a feature cache)\n", s->out);
		return 0;
	}
	fprintf(s->out, "%-24s %-8s %-20s %10s\n", "name", "type", "shape", "bytes");
	size_t total = 0;
	for (size_t i = 0; i < s->ws.n; i++) {
		const struct obj *o = s->ws.obj[i];
		char shape[64], bytes[32];
		o->type->shape(o, shape, sizeof shape);
		size_t b = o->type->bytes(o);
		total += b;
		human_bytes(b, bytes, sizeof bytes);
		fprintf(s->out, "%-24s %-8s %-20s %10s%s\n", o->name, o->type->name, shape,
			bytes, o->busy ? "  (in use)" : "");
	}
	char tb[32];
	human_bytes(total, tb, sizeof tb);
	fprintf(s->out, "%zu object%s, %s\n", s->ws.n, s->ws.n == 1 ? "" : "s", tb);
	return 0;
}

static int show_exec(struct session *s, const struct args *a)
{
	for (size_t i = 0; i < a->n_pos; i++) {
		struct obj *o = ws_get(&s->ws, a->pos[i], NULL);
		if (!o)
			return -1;
	}
	for (size_t i = 0; i < a->n_pos; i++) {
		struct obj *o = ws_find(&s->ws, a->pos[i]);
		fprintf(s->out, "%s: %s\n", o->name, o->type->name);
		o->type->describe(o, s->out);
		if (o->note)
			fprintf(s->out, "  made by: %s\n", o->note);
		if (o->precision)
			fprintf(s->out, "  precision: %s (the MLP GEMMs of the steps that made it)\n",
				o->precision);
	}
	return 0;
}

static int drop_exec(struct session *s, const struct args *a)
{
	/* check every name first so a bad one drops nothing */
	for (size_t i = 0; i < a->n_pos; i++) {
		struct obj *o = ws_get(&s->ws, a->pos[i], NULL);
		if (!o)
			return -1;
		if (o->busy) {
			err_set("'%s' is in use by a running job", o->name);
			return -1;
		}
	}
	for (size_t i = 0; i < a->n_pos; i++)
		if (ws_find(&s->ws, a->pos[i]))
			ws_drop(&s->ws, a->pos[i]);
	return 0;
}

static int rename_exec(struct session *s, const struct args *a)
{
	return ws_rename(&s->ws, a->pos[0], a->pos[1]);
}

/* "the stopped job on psi (train, at epoch 3 step 0/12)" for messages */
static void describe_job(const struct job *j, char *buf, size_t cap)
{
	snprintf(buf, cap, "the stopped job on %s (%s, at epoch %zu step %zu/%zu)",
		 j->bank->base.name, j->cfg.kind == JOB_TRAIN ? "train" : "infer",
		 j->epoch + 1, j->step, j->steps_per_epoch);
}

int cmd_save_workspace(struct session *s, const struct args *a, const char *path)
{
	if (a->n_pos != 1) {
		err_set("`save * to FILE` saves everything: name no objects beside *");
		return -1;
	}
	/* a job stepping on another thread would be saved mid-step */
	if (s->refuse) {
		err_set("a job is running: `stop` it first, then `save *`");
		return -1;
	}
	if (ws_file_save(path, s->ws.obj, s->ws.n, &s->set, s->job, s->ckpt_path,
			 s->ckpt_every) < 0)
		return -1;
	char job[256] = "";
	if (s->job)
		describe_job(s->job, job, sizeof job);
	fprintf(s->out, "saved the workspace to %s: %zu object%s, the settings%s%s\n", path,
		s->ws.n, s->ws.n == 1 ? "" : "s", s->job ? " and " : "", job);
	return 0;
}

/* Hand what wf holds to the session: objects, settings, job.  Nothing
 * changes unless all of it can be taken. */
static int take_workspace(struct session *s, const char *path, struct ws_file *wf)
{
	if (wf->job && s->job) {
		err_set("%s holds a stopped job, and the job on %s is stopped here: "
			"`continue` or `cancel` it first", path, s->job->bank->base.name);
		return -1;
	}
	if (ws_add_all(&s->ws, wf->objs, wf->n, 0) < 0)
		return -1;
	for (size_t i = 0; i < wf->n; i++)
		fprintf(s->out, "%s: %s restored\n", wf->objs[i]->name, wf->objs[i]->type->name);
	free(wf->objs); /* the workspace owns the objects now */
	wf->objs = NULL;
	s->set = wf->set;
	settings_apply(&s->set);
	fputs("settings restored:", s->out);
	for (size_t i = 0; settings_table[i].name; i++) {
		char v[64];
		settings_get(&s->set, settings_table[i].name, v, sizeof v);
		fprintf(s->out, "%s %s %s", i ? "," : "", settings_table[i].name, v);
	}
	fputc('\n', s->out);
	if (wf->job_finished)
		fprintf(s->out, "the job %s holds had run all its epochs: nothing to continue\n",
			path);
	if (!wf->job)
		return 0;
	s->job = wf->job;
	s->ckpt_path = wf->ckpt_path;
	s->ckpt_every = wf->ckpt_every;
	wf->job = NULL;
	wf->ckpt_path = NULL;
	job_hold(s->job, 1);
	char job[256];
	describe_job(s->job, job, sizeof job);
	fprintf(s->out, "restored %s", job);
	if (s->ckpt_path)
		fprintf(s->out, ", checkpoints every %zu epoch%s to %s", s->ckpt_every,
			s->ckpt_every == 1 ? "" : "s", s->ckpt_path);
	fputs(": `continue` resumes it\n", s->out);
	return 0;
}

static int restore_exec(struct session *s, const struct args *a)
{
	struct ws_file wf;
	if (ws_file_load(a->pos[0], &s->ws, &s->set, &wf) < 0)
		return -1;
	int rc = take_workspace(s, a->pos[0], &wf);
	ws_file_free(&wf);
	return rc;
}

const struct cmd cmd_list = {
	.name = "list",
	.usage = "list",
	.summary = "List the objects of the workspace (name, type, shape, bytes)",
	.help = "Caches are NAME.SPLIT, one per split of a loaded file; banks are\n"
		"representations (baselines or learned); mlps are decoder sets.",
	.min_args = 0, .max_args = 0,
	.flags = CMD_READONLY,
	.exec = list_exec,
};

const struct cmd cmd_show = {
	.name = "show",
	.usage = "show NAME...",
	.summary = "Describe objects in detail",
	.help = "Prints what list shows and more: models and dims, labels, attributes,\n"
		"the settings an object was made with, and for a trained MLP set or bank the\n"
		"precision of the steps that changed it (fp32, bf16, or mixed when both did).",
	.min_args = 1, .max_args = ARGS_MAX,
	.complete = ARG_OBJECT,
	.flags = CMD_READONLY,
	.exec = show_exec,
};

const struct cmd cmd_drop = {
	.name = "drop",
	.usage = "drop NAME...",
	.summary = "Remove objects from the workspace",
	.help = "All names are checked first: if one is unknown or in use, nothing is dropped.",
	.min_args = 1, .max_args = ARGS_MAX,
	.complete = ARG_OBJECT,
	.exec = drop_exec,
};

const struct cmd cmd_rename = {
	.name = "rename",
	.usage = "rename OLD NEW",
	.summary = "Rename an object",
	.help = "Names are letters, digits, '_', '-' and '.', starting with a letter or '_'.",
	.min_args = 2, .max_args = 2,
	.complete = ARG_OBJECT,
	.exec = rename_exec,
};

const struct cmd cmd_restore = {
	.name = "restore",
	.usage = "restore FILE",
	.summary = "Restore a workspace or checkpoint file: objects, settings, stopped job",
	.help = "Reads a file written by `save * to FILE` or by a job's checkpoint=FILE:\n"
		"adds its objects (all or nothing: a name already taken fails the whole\n"
		"restore), sets every setting to its saved value (threads too: a resumed\n"
		"job gives the same bits only at the same thread count), and brings back\n"
		"its stopped job for `continue`, with its optimiser state, step counters,\n"
		"shuffle state and checkpoint settings.  A checkpoint does not hold the\n"
		"job's cache: load it first under the same name (a checksum checks it).",
	.min_args = 1, .max_args = 1,
	.complete = ARG_FILE,
	.exec = restore_exec,
};
