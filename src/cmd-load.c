/* cmd-load.c - `load` (feature caches and saved objects) and `save`. */
#include "args.h"
#include "cmd-list.h"
#include "cmd-ws.h"
#include "cmd-load.h"
#include "err.h"
#include "h5-cache.h"
#include "h5-layout.h"
#include "h5-store.h"
#include "obj-cache.h"
#include "session.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

/* The default prefix of a cache file's objects: its basename without the
 * extension, made into a valid object name. */
static void default_prefix(const char *path, char *buf, size_t cap)
{
	char *copy = strdup(path);
	snprintf(buf, cap, "%s", copy ? basename(copy) : "cache");
	free(copy);
	char *dot = strrchr(buf, '.');
	if (dot && dot != buf)
		*dot = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '.' || *p == ' ')
			*p = '_';
	if (!(buf[0] == '_' || (buf[0] >= 'a' && buf[0] <= 'z') || (buf[0] >= 'A' && buf[0] <= 'Z')))
		buf[0] = '_';
}

static void report_cache(FILE *out, const struct cache *c)
{
	fprintf(out, "%s: %zu rows, %zu models (", c->base.name, c->n, c->m);
	for (size_t j = 0; j < c->m; j++)
		fprintf(out, "%s%s %zu", j ? ", " : "", c->model[j], c->feat[j].cols);
	fputc(')', out);
	if (c->labels)
		fprintf(out, ", labels in %zu classes", c->n_classes);
	else
		fputs(", no labels", out);
	if (c->stream)
		fputs(", streamed from disk", out);
	fputc('\n', out);
	for (size_t j = 0; j < c->m; j++)
		if (c->zero_rows[j])
			fprintf(out, "  note: %s has %zu all-zero rows (kept as zero)\n",
				c->model[j], c->zero_rows[j]);
}

static int load_objects(struct session *s, const char *path)
{
	struct obj **objs;
	size_t n;
	if (h5_store_load(path, &objs, &n) < 0)
		return -1;
	if (ws_add_all(&s->ws, objs, n, 0) < 0) {
		for (size_t i = 0; i < n; i++)
			obj_free(objs[i]);
		free(objs);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(s->out, "%s: %s restored\n", objs[i]->name, objs[i]->type->name);
	free(objs);
	return 0;
}

static int load_exec(struct session *s, const struct args *a)
{
	const char *path = a->pos[0], *as = args_kw(a, "as");
	struct layout l = { path, args_str(a, "features", NULL), args_str(a, "labels", NULL),
			    args_str(a, "labelfile", NULL), args_str(a, "models", NULL),
			    args_str(a, "splits", NULL) };
	int layout = layout_wanted(&l);
	int stream = a->n_pos == 2;
	if (stream && strcmp(a->pos[1], "stream") != 0) {
		err_set("load: unexpected '%s' after the file (did you mean `stream`?)", a->pos[1]);
		return -1;
	}
	if (stream && layout) {
		err_set("load %s stream: streaming reads one HDF5 cache file, not a pattern, "
			"features=/labels= layout or .npy/.npz", path);
		return -1;
	}
	/* `as NAME` always reads splits (a saved cache group is a split too) */
	int is_objects = as || layout || stream ? 0 : h5_store_is_objects(path);
	if (is_objects < 0)
		return -1;
	if (is_objects)
		return load_objects(s, path);
	char prefix[WS_NAME_MAX];
	if (as) {
		if (ws_check_name(as) < 0)
			return -1;
		snprintf(prefix, sizeof prefix, "%s", as);
	} else if (layout) {
		layout_default_name(path, prefix, sizeof prefix);
	} else {
		default_prefix(path, prefix, sizeof prefix);
	}
	struct cache_split *sp;
	struct cache **c;
	size_t n;
	if ((layout ? layout_load(&l, prefix, &sp, &n)
		    : h5_cache_load_ex(path, prefix, stream, &sp, &n)) < 0 ||
	    cache_adopt_all(sp, n, &c) < 0)
		return -1;
	if (ws_add_all(&s->ws, (struct obj **)c, n, 0) < 0) {
		for (size_t i = 0; i < n; i++)
			obj_free(&c[i]->base);
		free(c);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		report_cache(s->out, c[i]);
	free(c);
	return 0;
}

int cmd_save_objects(struct session *s, const struct args *a, const char *path)
{
	struct obj *objs[ARGS_MAX];
	for (size_t i = 0; i < a->n_pos; i++) {
		if (!(objs[i] = ws_get(&s->ws, a->pos[i], NULL)))
			return -1;
		/* a job stepping on another thread would be saved mid-step */
		if (objs[i]->busy && s->refuse) {
			err_set("%s is in use by the running job: `stop` it first", objs[i]->name);
			return -1;
		}
	}
	return h5_store_save(path, objs, a->n_pos);
}

static int save_exec(struct session *s, const struct args *a)
{
	const char *path = args_kw(a, "to");
	if (!path) {
		err_set("where to? usage: %s", a->cmd->usage);
		return -1;
	}
	if (strcmp(a->pos[0], "*") == 0)
		return cmd_save_workspace(s, a, path);
	if (cmd_save_objects(s, a, path) < 0)
		return -1;
	fprintf(s->out, "saved %zu object%s to %s\n", a->n_pos, a->n_pos == 1 ? "" : "s", path);
	return 0;
}

const struct cmd cmd_load = {
	.name = "load",
	.usage = "load FILE [as NAME] [stream] [models=A,B] [splits=S,T] [features=DSET] "
		 "[labels=DSET|none] [labelfile=FILE]",
	.summary = "Load a feature cache (HDF5, .npy, .npz) or objects saved by `save`",
	.help = "A feature cache holds, for each split, features/<model> float [n, d]\n"
		"and optionally labels int [n] (see the man page).  Each split becomes a\n"
		"cache object NAME.SPLIT; NAME defaults to the file's basename.  Rows are\n"
		"L2-normalised; all-zero rows are kept and reported; NaN or Inf is an\n"
		"error naming the model and row.  Without `as`, a file written by `save`\n"
		"restores its objects under their saved names; with `as`, its saved caches\n"
		"are read as splits.  Nothing is added if anything fails.\n"
		"\n"
		"stream: the features stay in the (HDF5) file and are read a batch of\n"
		"rows at a time, normalised as they arrive, while a thread reads the\n"
		"next batch ahead (labels stay in memory).  The file is checked in one\n"
		"pass as a load checks it.  train and infer run on a streamed cache\n"
		"with the same numbers as in memory, and save writes it; `subset` takes\n"
		"rows of it into memory.  With `set memory LIMIT` a cache that would\n"
		"not fit under the cap must be streamed.  A file stored with gzip is\n"
		"read a whole chunk per touched chunk: store it contiguous (h5py's\n"
		"default) or with small chunks to stream it fast.\n"
		"\n"
		"Other layouts: FILE may be a pattern where {model} and {split} stand for\n"
		"names; features= and labels= name the dataset (HDF5) or array (.npz) in\n"
		"each file, also with {model}/{split} (defaults: features, and labels\n"
		"where present); labelfile= a pattern of files holding the labels (a\n"
		".npy there is the labels); labels=none loads without labels.  Names\n"
		"not given by models= and splits= are found from the files (or datasets)\n"
		"that match.  Models must agree on rows; labels read from several files\n"
		"must agree.  .npy: float32/float64 [rows, dim]; .npz: stored entries.\n"
		"  load 'feats/{model}_{split}.h5' as c      one file per model and split\n"
		"  load 'f/{model}_{split}.npy' as c labelfile='f/y_{split}.npy'\n"
		"  load all.h5 as c features=/{split}/{model} labels=/{split}/y\n"
		"  load emb.npz features={model}_{split} labels=y_{split}\n"
		"  load simclr.npy                          one model, one split, no labels",
	.min_args = 1, .max_args = 2,
	.options = "models splits features labels labelfile",
	.keywords = "as",
	.complete = ARG_FILE,
	.exec = load_exec,
};

const struct cmd cmd_save = {
	.name = "save",
	.usage = "save NAME...|* to FILE",
	.summary = "Save objects, or the whole workspace (*), to an HDF5 file",
	.help = "Writes each object as a group /NAME of plain datasets (h5py reads them\n"
		"without rnr) and replaces FILE atomically: the file is written aside,\n"
		"synced and renamed, so a failed or interrupted save leaves the old FILE\n"
		"as it was.  `save * to FILE` writes a workspace file: every object, the\n"
		"settings and the stopped job with its optimiser state (`restore FILE`).",
	.min_args = 1, .max_args = ARGS_MAX,
	.keywords = "to",
	.complete = ARG_OBJECT,
	.flags = CMD_READONLY,
	.exec = save_exec,
};
