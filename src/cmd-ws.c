/* cmd-ws.c - the workspace commands: list, show, drop, rename. */
#include "args.h"
#include "cmd-list.h"
#include "err.h"
#include "session.h"

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
		"the settings an object was made with.",
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
