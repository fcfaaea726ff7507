/* cmd-plot.c - `plot OBJ...` (charts in the terminal, or in the chart pane
 * of the full-screen UI) and `export OBJ... to FILE` (the same charts as
 * SVG, CSV or TSV, the objects themselves as HDF5, or one object's natural
 * array as NumPy .npy).
 *
 * Objects of one type share a chart, their series overlaid (two spectra,
 * two histograms, two loss histories); objects of different types get a
 * chart each.  Only the type's chart() op knows what an object looks like. */
#include "args.h"
#include "chart.h"
#include "cmd-list.h"
#include "cmd-plot.h"
#include "cmd-load.h"
#include "err.h"
#include "npy.h"
#include "session.h"

#include <errno.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLOT_MAX_STRS (CHART_MAX_SERIES + CHART_MAX_MARKS + 1)

/* The charts of a call: chart[g] draws group g, name[g] its object (NULL
 * for an overlay); mark_owner[g][k] is the object of chart[g]'s mark k and
 * mark_raw[g][k] its label before overlays named it; owned[] holds the
 * labels made for overlays. */
struct plot {
	struct chart chart[ARGS_MAX];
	struct obj *first[ARGS_MAX];
	const char *name[ARGS_MAX];
	const struct obj *mark_owner[ARGS_MAX][CHART_MAX_MARKS];
	const char *mark_raw[ARGS_MAX][CHART_MAX_MARKS];
	size_t n;
	char *owned[ARGS_MAX * PLOT_MAX_STRS];
	size_t n_owned;
};

static void plot_free(struct plot *p)
{
	for (size_t i = 0; i < p->n_owned; i++)
		free(p->owned[i]);
	free(p);
}

/* "A B" as a new string kept by p; NULL with err_set() on OOM. */
static const char *own_join(struct plot *p, const char *a, const char *sep, const char *b)
{
	char *s = NULL;
	if (p->n_owned == ARGS_MAX * PLOT_MAX_STRS || asprintf(&s, "%s%s%s", a, sep, b) < 0)
		return err_nomem("chart label", strlen(a) + strlen(b) + 2);
	return p->owned[p->n_owned++] = s;
}

/* The names of the types that can be drawn (arrays 0) or written as one
 * array (arrays 1), for messages. */
static void types_that_can(int arrays, char *list, size_t cap)
{
	list[0] = '\0';
	for (size_t i = 0; obj_types[i]; i++)
		if (arrays ? obj_types[i]->array != NULL : obj_types[i]->chart != NULL) {
			size_t used = strlen(list);
			snprintf(list + used, cap - used, "%s%s", used ? ", " : "", obj_types[i]->name);
		}
}

/* "NAME is a cache: it cannot be drawn; plottable: loss, spectrum, ..." */
static int not_drawable(const struct obj *o)
{
	char list[256];
	types_that_can(0, list, sizeof list);
	err_set("%s is a %s: it cannot be drawn; plottable: %s", o->name, o->type->name, list);
	return -1;
}

/* Record who drew the marks k0.. of group g (before overlays rename them). */
static void own_marks(struct plot *p, size_t g, size_t k0, const struct obj *o)
{
	for (size_t k = k0; k < p->chart[g].n_marks; k++) {
		p->mark_owner[g][k] = o;
		p->mark_raw[g][k] = p->chart[g].mark[k].label ? p->chart[g].mark[k].label : "mark";
	}
}

/* Add o's chart to the overlay of group g (the objects before it already
 * in).  A marker equal to one already there (same x, same label) is drawn
 * once. */
static int overlay(struct plot *p, size_t g, struct obj *o, const struct chart *oc)
{
	struct chart *c = &p->chart[g];
	if (c->n_series + oc->n_series > CHART_MAX_SERIES) {
		err_set("too many series to overlay in one chart (more than %d with %s): plot "
			"fewer objects at once", CHART_MAX_SERIES, o->name);
		return -1;
	}
	for (size_t k = 0; k < oc->n_series; k++) {
		struct chart_series *s = &c->series[c->n_series++];
		*s = oc->series[k];
		const char *lab = s->label ? s->label : "series";
		if (strcmp(lab, o->name) != 0 && !(s->label = own_join(p, o->name, " ", lab)))
			return -1;
	}
	for (size_t k = 0; k < oc->n_marks && c->n_marks < CHART_MAX_MARKS; k++) {
		const struct chart_mark *m = &oc->mark[k];
		const char *lab = m->label ? m->label : "mark";
		int dup = 0;
		for (size_t j = 0; j < c->n_marks; j++)
			dup |= strcmp(p->mark_raw[g][j], lab) == 0 && c->mark[j].x == m->x;
		if (dup)
			continue;
		c->mark[c->n_marks++] = *m;
		own_marks(p, g, c->n_marks - 1, o);
	}
	return 0;
}

/* Markers of different objects that share a label ("median" of two
 * histograms) are all named by their object: "a median", "b median". */
static int name_marks(struct plot *p, size_t g)
{
	struct chart *c = &p->chart[g];
	for (size_t k = 0; k < c->n_marks; k++) {
		int clash = 0;
		for (size_t j = 0; j < c->n_marks; j++)
			clash |= j != k && p->mark_owner[g][j] != p->mark_owner[g][k] &&
				 strcmp(p->mark_raw[g][j], p->mark_raw[g][k]) == 0;
		if (clash && !(c->mark[k].label = own_join(p, p->mark_owner[g][k]->name, " ",
							  p->mark_raw[g][k])))
			return -1;
	}
	return 0;
}

/* An overlay of charts titled by their object's name (loss histories) is
 * titled by all the names: "a.loss, b.loss". */
static int overlay_title(struct plot *p, size_t g, struct obj *const *objs, size_t n)
{
	struct chart *c = &p->chart[g];
	if (p->name[g] || !c->title || strcmp(c->title, p->first[g]->name) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (objs[i] != p->first[g] && objs[i]->type == p->first[g]->type &&
		    !(c->title = own_join(p, c->title, ", ", objs[i]->name)))
			return -1;
	return 0;
}

/* The charts of the objects named by a's positional arguments; NULL with
 * err_set() when one is missing or cannot be drawn. */
static struct plot *plot_build(struct session *s, const struct args *a)
{
	struct plot *p = calloc(1, sizeof *p);
	struct obj *objs[ARGS_MAX];
	if (!p)
		return err_nomem("plot", sizeof *p);
	for (size_t i = 0; i < a->n_pos; i++) {
		struct obj *o = objs[i] = ws_get(&s->ws, a->pos[i], NULL);
		if (!o || (!o->type->chart && not_drawable(o) < 0))
			goto fail;
		size_t g = 0;
		while (g < p->n && p->first[g]->type != o->type)
			g++;
		struct chart oc;
		err_clear();
		if (o->type->chart(o, g < p->n ? &oc : &p->chart[g]) < 0) {
			err_prefix("%s", o->name);
			goto fail;
		}
		if (g == p->n) {
			p->first[g] = o;
			p->name[g] = o->name;
			own_marks(p, g, 0, o);
			p->n++;
		} else {
			p->name[g] = NULL;
			if (overlay(p, g, o, &oc) < 0)
				goto fail;
		}
	}
	for (size_t g = 0; g < p->n; g++)
		if (overlay_title(p, g, objs, a->n_pos) < 0 || name_marks(p, g) < 0)
			goto fail;
	return p;
fail:
	plot_free(p);
	return NULL;
}

/* Columns and rows for a chart: the terminal's (one row left for the
 * prompt), else $COLUMNS and $LINES, else 80x24. */
static void term_size(FILE *out, size_t *w, size_t *h)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS"), *lines = getenv("LINES");
	*w = 80;
	*h = 24;
	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 1) {
		*w = ws.ws_col;
		*h = ws.ws_row - 1u;
		return;
	}
	if (cols && atoi(cols) > 0)
		*w = (size_t)atoi(cols);
	if (lines && atoi(lines) > 1)
		*h = (size_t)atoi(lines) - 1u;
}

static int plot_exec(struct session *s, const struct args *a)
{
	size_t w, h;
	int logy = -1, ascii;
	term_size(s->out, &w, &h);
	int utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (args_size(a, "width", w > 1000 ? 1000 : w, 20, 1000, &w) < 0 ||
	    args_size(a, "height", h > 500 ? 500 : h, 8, 500, &h) < 0 ||
	    args_bool(a, "logy", -1, &logy) < 0 || args_bool(a, "ascii", !utf8, &ascii) < 0)
		return -1;
	struct plot *p = plot_build(s, a);
	if (!p)
		return -1;
	int rc = 0;
	for (size_t g = 0; g < p->n && rc == 0; g++) {
		struct chart *c = &p->chart[g];
		if (logy >= 0)
			c->logy = logy;
		if (s->show_chart && g > 0)
			fprintf(s->out, "%s: not shown: the chart pane holds one chart (plot it "
				"alone)\n", p->first[g]->name);
		else if (s->show_chart)
			rc = s->show_chart(s, p->name[g], c);
		else
			rc = chart_print(c, s->out, (int)w, (int)h, ascii ? CHART_ASCII : CHART_UTF8);
	}
	plot_free(p);
	return rc;
}

/* ---- export ---- */

enum fmt { FMT_CSV, FMT_TSV, FMT_SVG, FMT_H5, FMT_NPY };

static int format_of(const struct args *a, const char *path, int *fmt)
{
	static const char *const names[] = { "csv", "tsv", "svg", "h5", "npy", NULL };
	static const char *const ext[] = { ".csv", ".tsv", ".svg", ".h5", ".npy", ".hdf5" };
	const char *dot = strrchr(path, '.');
	int def = -1;
	for (int i = 0; dot && i < 6 && def < 0; i++)
		if (strcasecmp(dot, ext[i]) == 0)
			def = i < 5 ? i : FMT_H5;
	if (args_choice(a, "format", names, def, fmt) < 0)
		return -1;
	if (*fmt < 0) {
		err_set("cannot tell the format of '%s' from its name: give "
			"format=csv|tsv|svg|h5|npy", path);
		return -1;
	}
	return 0;
}

/* The mode of a new file, 0666 less the umask (read from /proc: umask(2)
 * can only be read by changing it, racing with other threads). */
static mode_t new_file_mode(void)
{
	unsigned mask = 022;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	if (f)
		fclose(f);
	return (mode_t)(0666 & ~mask);
}

struct chart_file {
	const struct chart *c;
	int fmt;
};

static int write_chart(FILE *f, const char *path, const void *ctx)
{
	const struct chart_file *cf = ctx;
	(void)path;
	return cf->fmt == FMT_SVG ? chart_write_svg(cf->c, f, 800, 500) :
		chart_write_table(cf->c, f, cf->fmt == FMT_CSV ? ',' : '\t');
}

static int write_array(FILE *f, const char *path, const void *ctx)
{
	const struct obj_array *a = ctx;
	return npy_write(f, path, a->descr, a->ndim, a->shape, a->data);
}

/* Write path atomically with writer(): into path.tmp-XXXXXX beside it,
 * synced, renamed over path; on failure the temporary file is removed and
 * an existing path is left as it was. */
int cmd_write_file(const char *path, int (*writer)(FILE *f, const char *path,
						   const void *ctx), const void *ctx)
{
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		err_nomem("file name", strlen(path) + 12);
		return -1;
	}
	int fd = mkstemp(tmp);
	FILE *f = fd < 0 || fchmod(fd, new_file_mode()) < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		err_set("cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd), unlink(tmp);
		free(tmp);
		return -1;
	}
	int rc = writer(f, path, ctx);
	if (rc == 0 && (fflush(f) != 0 || fsync(fd) != 0)) {
		err_set("cannot write %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (fclose(f) != 0 && rc == 0) {
		err_set("cannot write %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		err_set("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* "NAME is a cache: it has no one array; as .npy: bank, table, ..." */
static int no_array(const struct obj *o)
{
	char list[256];
	types_that_can(1, list, sizeof list);
	err_set("%s is a %s: it has no one array to write as .npy (export it to .h5); "
		".npy takes: %s", o->name, o->type->name, list);
	return -1;
}

/* the natural array of the one object named, as .npy */
static int export_npy(struct session *s, const struct args *a, const char *path)
{
	if (a->n_pos > 1) {
		err_set("a .npy file holds one array: export %s and %s to separate files",
			a->pos[0], a->pos[1]);
		return -1;
	}
	struct obj *o = ws_get(&s->ws, a->pos[0], NULL);
	struct obj_array arr = { NULL, 0, { 0, 0 }, NULL, NULL };
	if (!o || (!o->type->array && no_array(o) < 0))
		return -1;
	/* a job may be writing a busy bank: its rows would be torn */
	if (o->busy && s->refuse) {
		err_set("%s is in use by the running job: `stop` it first", o->name);
		return -1;
	}
	if (o->type->array(o, &arr) < 0) {
		err_prefix("%s", o->name);
		return -1;
	}
	int rc = cmd_write_file(path, write_array, &arr);
	free(arr.owned);
	return rc;
}

struct table_file {
	const struct obj *o;
	char sep;
};

static int write_table(FILE *f, const char *path, const void *ctx)
{
	const struct table_file *tf = ctx;
	(void)path;
	return tf->o->type->table(tf->o, f, tf->sep);
}

/* An object that is a table rather than a chart (a confusion matrix), as
 * CSV or TSV: 1 written, 0 not such an object, -1 error. */
static int export_table(struct session *s, const struct args *a, const char *path, int fmt)
{
	struct obj *o = ws_find(&s->ws, a->pos[0]);
	if (!o || o->type->chart || !o->type->table)
		return 0;
	if (a->n_pos > 1) {
		err_set("%s is a %s: one file holds one table; export it alone", o->name,
			o->type->name);
		return -1;
	}
	struct table_file tf = { o, fmt == FMT_CSV ? ',' : '\t' };
	return cmd_write_file(path, write_table, &tf) < 0 ? -1 : 1;
}

static int export_exec(struct session *s, const struct args *a)
{
	static const char *const fmt_name[] = { "csv", "tsv", "svg", "h5", "npy" };
	const char *path = args_kw(a, "to");
	int fmt, rc;
	if (!path) {
		err_set("where to? usage: %s", a->cmd->usage);
		return -1;
	}
	if (format_of(a, path, &fmt) < 0)
		return -1;
	if (fmt == FMT_H5) {
		if (cmd_save_objects(s, a, path) < 0)
			return -1;
	} else if (fmt == FMT_NPY) {
		if (export_npy(s, a, path) < 0)
			return -1;
	} else if ((rc = export_table(s, a, path, fmt)) < 0) {
		return -1;
	} else if (rc == 0) {
		struct plot *p = plot_build(s, a);
		if (!p)
			return -1;
		if (p->n > 1) {
			err_set("%s is a %s and %s a %s: one file holds one chart; export them to "
				"separate files", p->first[0]->name, p->first[0]->type->name,
				p->first[1]->name, p->first[1]->type->name);
			plot_free(p);
			return -1;
		}
		struct chart_file cf = { &p->chart[0], fmt };
		rc = cmd_write_file(path, write_chart, &cf);
		plot_free(p);
		if (rc < 0)
			return -1;
	}
	fprintf(s->out, "exported %zu object%s to %s (%s)\n", a->n_pos, a->n_pos == 1 ? "" : "s",
		path, fmt_name[fmt]);
	return 0;
}

const struct cmd cmd_plot = {
	.name = "plot",
	.usage = "plot NAME... [width=W] [height=H] [logy=on|off] [ascii=on|off]",
	.summary = "Draw loss histories, spectra, histograms or probes as charts",
	.help = "Draws each object as a chart with axes, ticks, a title and a legend; the\n"
		"series of objects of one type are overlaid in one chart (two spectra, two\n"
		"histograms), other types get a chart each.  Lines are braille dots and bars\n"
		"block elements in a UTF-8 locale, '*', '.' and '#' otherwise or with\n"
		"ascii=on.  width and height default to the terminal's size (else $COLUMNS\n"
		"and $LINES, else 80x24).  logy=on|off overrides the chart's own y scale\n"
		"(spectra are log by default).  In the full-screen UI the chart goes to\n"
		"the chart pane (a running job's loss stays live there).",
	.min_args = 1, .max_args = ARGS_MAX,
	.options = "width height logy ascii",
	.complete = ARG_OBJECT,
	.flags = CMD_READONLY,
	.exec = plot_exec,
};

const struct cmd cmd_export = {
	.name = "export",
	.usage = "export NAME... to FILE [format=csv|tsv|svg|h5|npy]",
	.summary = "Write charts as SVG, CSV or TSV, objects as HDF5 or .npy",
	.help = "The format comes from FILE's extension (.csv .tsv .svg .h5 .hdf5 .npy) unless\n"
		"format= names it.  svg: a standalone 800x500 figure of the chart `plot`\n"
		"draws (axes, ticks, labels, legend, log scale, markers dashed).\n"
		"csv/tsv: a header line (x, then one column per series; a histogram has\n"
		"bin_start and bin_end), then one row per x, empty where a series has no\n"
		"value.  Several objects overlay in one chart, so they must be of one\n"
		"type.  h5: the objects as `save` writes them.  npy: one object as a NumPy\n"
		"array (np.load reads it): a bank float32 [rows, dim]; float64 for the\n"
		"rest: a table [rows, 5] (k, n_test, T, majority, weighted), a spectrum\n"
		"[k] (singular values), a hist [bins, 3] (bin_start, bin_end, count), a\n"
		"loss [steps, 1+models] (total, then each model), a probe [n_wd, 2] (wd,\n"
		"validation accuracy), a confusion [classes, classes] (counts; as csv/tsv:\n"
		"one row per true class: class, name, rows, correct, accuracy, then\n"
		"pred_0.. the counts).  FILE is written aside and renamed: a failed\n"
		"export leaves an existing FILE as it was.",
	.min_args = 1, .max_args = ARGS_MAX,
	.options = "format",
	.keywords = "to",
	.complete = ARG_OBJECT,
	.flags = CMD_READONLY,
	.exec = export_exec,
};
