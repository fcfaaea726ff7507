/* tui-data.c - what the full-screen UI's panes show, copied from the
 * session into the view (see tui-data.h). */
#include "tui-data.h"
#include "err.h"
#include "job.h"
#include "obj-bank.h"
#include "obj-loss.h"

#include <stdlib.h>
#include <string.h>

/* ---- charts from `plot`: a deep copy the UI keeps ---- */

static size_t series_nx(const struct chart *c, const struct chart_series *s)
{
	return s->x ? (c->kind == CHART_HIST ? s->n + 1 : s->n) : 0;
}

static char *copy_str(char **p, const char *s)
{
	if (!s)
		return NULL;
	char *d = *p;
	size_t n = strlen(s) + 1;
	memcpy(d, s, n);
	*p += n;
	return d;
}

static size_t str_bytes(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* One block: the struct, then every array, then every string. */
static struct chart *chart_dup(const struct chart *c)
{
	size_t doubles = 0, chars = str_bytes(c->title) + str_bytes(c->xlabel) +
		str_bytes(c->ylabel);
	for (size_t i = 0; i < c->n_series; i++) {
		doubles += series_nx(c, &c->series[i]) + c->series[i].n;
		chars += str_bytes(c->series[i].label);
	}
	for (size_t i = 0; i < c->n_marks; i++)
		chars += str_bytes(c->mark[i].label);
	struct chart *d = malloc(sizeof *d + doubles * sizeof(double) + chars);
	if (!d)
		return err_nomem("chart", doubles * sizeof(double));
	*d = *c;
	double *v = (double *)(d + 1);
	char *p = (char *)(v + doubles);
	d->title = copy_str(&p, c->title);
	d->xlabel = copy_str(&p, c->xlabel);
	d->ylabel = copy_str(&p, c->ylabel);
	for (size_t i = 0; i < c->n_series; i++) {
		const struct chart_series *s = &c->series[i];
		struct chart_series *ds = &d->series[i];
		size_t nx = series_nx(c, s), stride = s->stride ? s->stride : 1;
		if (nx) {
			memcpy(v, s->x, nx * sizeof *v);
			ds->x = v;
			v += nx;
		}
		for (size_t k = 0; k < s->n; k++)
			v[k] = s->y[k * stride];
		ds->y = v;
		ds->stride = 1;
		v += s->n;
		ds->label = copy_str(&p, s->label);
	}
	for (size_t i = 0; i < c->n_marks; i++)
		d->mark[i].label = copy_str(&p, c->mark[i].label);
	return d;
}

/* session->show_chart: runs in `plot`, on either thread, with the session
 * lock held, so it only records what to draw; tui_update draws it. */
int tui_show_chart(struct session *s, const char *name, const struct chart *c)
{
	struct tui_data *d = s->ui;
	/* the running job's loss history stays live */
	if (name && s->job && strcmp(name, s->job->loss->base.name) == 0) {
		free(d->plot);
		d->plot = NULL;
		snprintf(d->target, sizeof d->target, "%s", name);
		fprintf(s->out, "%s: in the chart pane, live\n", name);
		return 0;
	}
	struct chart *copy = chart_dup(c);
	if (!copy)
		return -1;
	free(d->plot);
	d->plot = copy;
	snprintf(d->plot_name, sizeof d->plot_name, "%s", name ? name : "");
	d->target[0] = '\0';
	fprintf(s->out, "%s: in the chart pane (F2: log/linear y)\n", name ? name : "chart");
	return 0;
}

/* ---- tui_update: copy what the panes show, under the session lock ---- */

static void human_bytes(size_t b, char *buf, size_t cap)
{
	static const char unit[] = "BKMGT";
	double v = (double)b;
	size_t u = 0;
	while (v >= 1024.0 && u < 4)
		v /= 1024.0, u++;
	snprintf(buf, cap, v < 10 && u ? "%.1f%c" : "%.0f%c", v, unit[u]);
}

static struct ws_row *ws_row_add(struct tui_view *v)
{
	if (v->n_ws_rows == v->cap_ws_rows) {
		size_t cap = v->cap_ws_rows ? 2 * v->cap_ws_rows : 32;
		struct ws_row *p = realloc(v->ws_rows, cap * sizeof *p);
		if (!p)
			return NULL;
		v->ws_rows = p;
		v->cap_ws_rows = cap;
	}
	return &v->ws_rows[v->n_ws_rows++];
}

static void update_workspace(struct tui_data *d, struct tui_view *v)
{
	const struct ws *w = &d->s->ws;
	int width = v->lay.ws_w - 1;
	size_t name_w = 4;
	for (size_t i = 0; i < w->n; i++) {
		size_t n = strlen(w->obj[i]->name);
		name_w = n > name_w ? n : name_w;
	}
	if (name_w > 16)
		name_w = 16;
	int shape_w = width - (int)name_w - 1 - 6 - 6 - 1;
	if (shape_w < 4)
		shape_w = 4;
	v->n_ws_rows = 0;
	v->n_objects = w->n;
	if (!w->n)
		return;
	struct ws_row *r = ws_row_add(v);
	if (!r)
		return;
	snprintf(r->text, sizeof r->text, " %-*s %-5s %-*s %5s", (int)name_w, "name", "type",
		 shape_w, "shape", "size");
	r->busy = 0;
	for (size_t i = 0; i < w->n; i++) {
		const struct obj *o = w->obj[i];
		char shape[64], bytes[16];
		o->type->shape(o, shape, sizeof shape);
		human_bytes(o->type->bytes(o), bytes, sizeof bytes);
		if (!(r = ws_row_add(v)))
			return;
		snprintf(r->text, sizeof r->text, "%c%-*.*s %-5.5s %-*.*s %5s", o->busy ? '*' : ' ',
			 (int)name_w, (int)name_w, o->name, o->type->name, shape_w, shape_w, shape,
			 bytes);
		r->busy = o->busy > 0;
	}
}

static void update_job(struct tui_data *d, struct tui_view *v)
{
	const struct job *j = d->s->job;
	v->have_job = j != NULL;
	if (!j) {
		d->last_job = NULL;
		return;
	}
	snprintf(v->job_desc, sizeof v->job_desc, "%s %s", j->cfg.kind == JOB_TRAIN ? "train" :
		 "infer", j->bank->base.name);
	v->job_epochs = j->cfg.epochs;
	v->job_warmup = j->cfg.kind == JOB_TRAIN ? j->cfg.warmup : 0;
	v->job_spe = j->steps_per_epoch;
	/* a new job: its loss history takes the chart pane */
	const char *loss = j->loss->base.name;
	if (j != d->last_job || strcmp(loss, d->last_job_loss) != 0) {
		d->last_job = j;
		snprintf(d->last_job_loss, sizeof d->last_job_loss, "%s", loss);
		snprintf(d->target, sizeof d->target, "%s", loss);
		free(d->plot);
		d->plot = NULL;
	}
}

static void update_chart(struct tui_data *d, struct tui_view *v)
{
	int w = v->lay.chart_w, h = v->lay.chart_h;
	struct chart c;
	const char *name = d->target;
	char title[sizeof v->chart_title];
	v->chart_ok = 0;
	v->chart_msg[0] = '\0';
	memset(&c, 0, sizeof c);
	if (d->plot) {
		c = *d->plot;
		name = title;
		snprintf(title, sizeof title, "%.60s%s%.60s", d->plot_name,
			 d->plot_name[0] && c.title ? ": " : "", c.title ? c.title : "");
	} else if (d->target[0]) {
		struct obj *o = ws_find(&d->s->ws, d->target);
		if (!o) {
			snprintf(v->chart_msg, sizeof v->chart_msg, "%s is gone", d->target);
			return;
		}
		if (!o->type->chart) {
			snprintf(v->chart_msg, sizeof v->chart_msg, "a %s cannot be drawn",
				 o->type->name);
			return;
		}
		if (o->type == &losshist_type && losshist_count((const struct losshist *)o) < 2) {
			snprintf(v->chart_title, sizeof v->chart_title, "%s", d->target);
			snprintf(v->chart_msg, sizeof v->chart_msg, "%s: waiting for the first steps",
				 d->target);
			return;
		}
		err_clear();
		if (o->type->chart(o, &c) < 0) {
			snprintf(v->chart_msg, sizeof v->chart_msg, "%s: %s", d->target, err_msg());
			return;
		}
	} else {
		v->chart_title[0] = '\0';
		return;
	}
	snprintf(v->chart_title, sizeof v->chart_title, "%s", name);
	c.title = NULL; /* on the pane's rule already: one more row for the plot */
	if (d->logy)
		c.logy = !c.logy;
	v->chart_logy = c.logy;
	size_t cells = (size_t)w * (size_t)h;
	if (w <= 0 || h <= 0)
		return;
	if (w != v->cells_w || h != v->cells_h) {
		struct chart_cell *p = realloc(v->cells, cells * sizeof *p);
		if (!p)
			return;
		v->cells = p;
		v->cells_w = w;
		v->cells_h = h;
	}
	err_clear();
	if (chart_render(&c, v->cells, w, h, v->utf8 ? CHART_UTF8 : CHART_ASCII) < 0) {
		snprintf(v->chart_msg, sizeof v->chart_msg, "%s: %s", name, err_msg());
		return;
	}
	v->chart_ok = 1;
}

/* The job's speed over the last few seconds of samples. */
static void update_rate(struct tui_data *d, struct tui_view *v)
{
	int running = atomic_load_explicit(&d->live->running, memory_order_acquire);
	size_t done = atomic_load_explicit(&d->live->done, memory_order_relaxed);
	double now = tui_now();
	size_t last = (d->rate_next + 31) % 32;
	if (!running || (d->n_rate && done < d->rate_done[last])) {
		d->n_rate = 0;
		v->rate = 0;
		if (!running)
			return;
	}
	d->rate_t[d->rate_next] = now;
	d->rate_done[d->rate_next] = done;
	d->rate_next = (d->rate_next + 1) % 32;
	if (d->n_rate < 32)
		d->n_rate++;
	size_t oldest = (d->rate_next + 32 - d->n_rate) % 32;
	double dt = now - d->rate_t[oldest];
	if (dt > 0.5)
		v->rate = (double)(done - d->rate_done[oldest]) / dt;
}

void tui_update(struct tui_data *d, struct tui_view *v)
{
	update_rate(d, v);
	if (v->lay.too_small || pthread_mutex_trylock(d->lock) != 0)
		return;
	update_workspace(d, v);
	update_job(d, v);
	update_chart(d, v);
	pthread_mutex_unlock(d->lock);
}

void tui_data_free(struct tui_data *d, struct tui_view *v)
{
	free(v->ws_rows);
	free(v->cells);
	free(d->plot);
	v->ws_rows = NULL;
	v->cells = NULL;
	d->plot = NULL;
}
