/* obj-probe.c - linear probe results (see obj-probe.h).
 *
 * Saved layout: /NAME/wd float64 [n], /NAME/val_accuracy float64 [n];
 * attributes train, test (strings); chosen_wd, test_accuracy,
 * train_accuracy, loss, lr, momentum, val_frac (float64); chosen, epochs,
 * batch, seed, normalized, standardized, cosine, n_fit, n_val, n_train, n_test, n_classes, d
 * (int64). */
#include "obj-probe.h"
#include "chart.h"
#include "err.h"
#include "h5-attrio.h"
#include "h5-util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void probe_free(struct obj *o)
{
	struct probe *p = (struct probe *)o;
	free(p->train);
	free(p->test);
	obj_fini(o);
	free(p);
}

struct probe *probe_new(const char *name, const char *train, const char *test,
			const struct probe_opts *o, const struct probe_result *r)
{
	if (r->n_wd < 1 || r->n_wd > PROBE_MAX_WD || r->best >= r->n_wd) {
		err_set("a probe result needs 1 to %d weight decays and a chosen one",
			PROBE_MAX_WD);
		return NULL;
	}
	struct probe *p = calloc(1, sizeof *p);
	if (!p || obj_init(&p->base, &probe_type, name) < 0) {
		free(p);
		return err_nomem("probe", sizeof *p);
	}
	p->train = strdup(train);
	p->test = strdup(test);
	if (!p->train || !p->test) {
		probe_free(&p->base);
		return err_nomem("probe names", strlen(train) + strlen(test) + 2);
	}
	p->opts = *o;
	p->res = *r;
	for (size_t i = 0; i < r->n_wd; i++) /* wd = 0 has no place on a log axis */
		p->log_wd[i] = r->wd[i] > 0.0 ? log10(r->wd[i]) : NAN;
	return p;
}

/* The table, first line "NAME: " when named (after `probe`), indented
 * under `show`'s header otherwise. */
static void print_table(const struct probe *p, FILE *out, int named)
{
	const struct probe_result *r = &p->res;
	const struct probe_opts *o = &p->opts;
	fprintf(out, "%s%slinear probe %s -> %s, %zu classes, %zu dims%s%s\n",
		named ? p->base.name : " ", named ? ": " : " ", p->train, p->test, r->n_classes,
		r->d, o->normalize ? ", rows normalised" : "",
		o->standardize ? ", columns standardised" : "");
	fprintf(out, "  SGD momentum %g, lr %g%s, batch %zu, %zu epochs, seed %llu\n",
		o->momentum, o->lr, o->cosine ? " cosine-decayed" : "", o->batch, o->epochs,
		(unsigned long long)o->seed);
	fprintf(out, "  %12s %9s   (fit %zu rows, validate on %zu held out)\n", "weight decay",
		"val acc", r->n_fit, r->n_val);
	for (size_t i = 0; i < r->n_wd; i++)
		fprintf(out, "  %12g %9.2f%s\n", r->wd[i], r->val_acc[i],
			i == r->best ? "   <- chosen" : "");
	fprintf(out, "  test accuracy %.2f (%zu rows); train accuracy %.2f, loss %.4f "
		"(wd %g, all %zu train rows)\n", r->test_acc, r->n_test, r->train_acc, r->loss,
		r->wd[r->best], r->n_train);
}

void probe_print(const struct probe *p, FILE *out)
{
	print_table(p, out, 1);
}

static void probe_describe(const struct obj *o, FILE *out)
{
	print_table((const struct probe *)o, out, 0);
}

static void probe_shape(const struct obj *o, char *buf, size_t cap)
{
	const struct probe *p = (const struct probe *)o;
	snprintf(buf, cap, "%zu wd, test %.2f%%", p->res.n_wd, p->res.test_acc);
}

static size_t probe_bytes(const struct obj *o)
{
	const struct probe *p = (const struct probe *)o;
	return sizeof *p + strlen(p->train) + strlen(p->test) + 2;
}

static int probe_save(const struct obj *o, hid_t g)
{
	const struct probe *p = (const struct probe *)o;
	const struct probe_result *r = &p->res;
	const struct probe_opts *op = &p->opts;
	hsize_t n = r->n_wd;
	struct { const char *k; size_t v; } ints[] = {
		{ "chosen", r->best }, { "epochs", op->epochs }, { "batch", op->batch },
		{ "normalized", (size_t)op->normalize },
		{ "standardized", (size_t)op->standardize },
		{ "cosine", (size_t)op->cosine }, { "n_fit", r->n_fit },
		{ "n_val", r->n_val }, { "n_train", r->n_train }, { "n_test", r->n_test },
		{ "n_classes", r->n_classes }, { "d", r->d },
	};
	struct { const char *k; double v; } reals[] = {
		{ "chosen_wd", r->wd[r->best] }, { "test_accuracy", r->test_acc },
		{ "train_accuracy", r->train_acc }, { "loss", r->loss }, { "lr", op->lr },
		{ "momentum", op->momentum }, { "val_frac", op->val_frac },
	};
	if (h5u_write_dataset(g, "wd", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, r->wd) < 0 ||
	    h5u_write_dataset(g, "val_accuracy", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n,
			      r->val_acc) < 0 ||
	    h5u_write_str_attr(g, "train", p->train) < 0 ||
	    h5u_write_str_attr(g, "test", p->test) < 0 ||
	    h5u_write_i64_attr(g, "seed", (int64_t)op->seed) < 0)
		return -1;
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		if (h5u_write_i64_attr(g, ints[i].k, (int64_t)ints[i].v) < 0)
			return -1;
	for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++)
		if (h5u_write_f64_attr(g, reals[i].k, reals[i].v) < 0)
			return -1;
	return 0;
}

/* A non-negative int64 attribute that must be there. */
static int need_size(hid_t g, const char *name, size_t *out)
{
	int64_t v = 0;
	int rc = h5u_attr_i64(g, name, &v);
	if (rc == 0)
		err_set("no attribute '%s'", name);
	else if (rc > 0 && v < 0)
		err_set("attribute '%s' is negative", name);
	if (rc <= 0 || v < 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

static struct obj *probe_load(hid_t g, const char *name)
{
	char **tr = NULL, **te = NULL;
	size_t ntr = 0, nte = 0, norm = 0, stdz = 0, cosine = 0, n = 0;
	int64_t seed = 0;
	struct probe_opts o;
	struct probe_result r;
	struct probe *p = NULL;
	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	if (h5u_attr_text(g, "train", &tr, &ntr) < 0 || h5u_attr_text(g, "test", &te, &nte) < 0 ||
	    need_size(g, "chosen", &r.best) < 0 || need_size(g, "epochs", &o.epochs) < 0 ||
	    need_size(g, "batch", &o.batch) < 0 || need_size(g, "normalized", &norm) < 0 ||
	    need_size(g, "standardized", &stdz) < 0 || need_size(g, "cosine", &cosine) < 0 ||
	    h5u_attr_i64(g, "seed", &seed) < 0 || need_size(g, "n_fit", &r.n_fit) < 0 ||
	    need_size(g, "n_val", &r.n_val) < 0 || need_size(g, "n_train", &r.n_train) < 0 ||
	    need_size(g, "n_test", &r.n_test) < 0 || need_size(g, "n_classes", &r.n_classes) < 0 ||
	    need_size(g, "d", &r.d) < 0 || h5u_attr_f64(g, "test_accuracy", &r.test_acc) < 0 ||
	    h5u_attr_f64(g, "train_accuracy", &r.train_acc) < 0 ||
	    h5u_attr_f64(g, "loss", &r.loss) < 0 || h5u_attr_f64(g, "lr", &o.lr) < 0 ||
	    h5u_attr_f64(g, "momentum", &o.momentum) < 0 ||
	    h5u_attr_f64(g, "val_frac", &o.val_frac) < 0)
		goto fail;
	hid_t ds = H5Dopen2(g, "wd", H5P_DEFAULT);
	hid_t sp = ds < 0 ? -1 : H5Dget_space(ds);
	hssize_t pts = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
	if (sp >= 0)
		H5Sclose(sp);
	if (ds >= 0)
		H5Dclose(ds);
	if (pts < 1 || pts > PROBE_MAX_WD || ntr != 1 || nte != 1) {
		if (pts < 0)
			h5u_err("dataset wd");
		else
			err_set("expected 1 to %d weight decays and one train and test name",
				PROBE_MAX_WD);
		goto fail;
	}
	n = (size_t)pts;
	if (h5u_read_exact(g, "wd", H5T_NATIVE_DOUBLE, r.wd, n) < 0 ||
	    h5u_read_exact(g, "val_accuracy", H5T_NATIVE_DOUBLE, r.val_acc, n) < 0)
		goto fail;
	r.n_wd = o.n_wd = n;
	memcpy(o.wd, r.wd, n * sizeof *r.wd);
	o.normalize = norm != 0;
	o.standardize = stdz != 0;
	o.cosine = cosine != 0;
	o.seed = (uint64_t)seed; /* written as int64: 2^63 and up come back the same */
	if (!(p = probe_new(name, tr[0], te[0], &o, &r)))
		goto fail;
	h5u_strings_free(tr, ntr);
	h5u_strings_free(te, nte);
	return &p->base;
fail:
	err_prefix("probe %s", name);
	h5u_strings_free(tr, ntr);
	h5u_strings_free(te, nte);
	return NULL;
}

/* Validation accuracy against log10(wd): the sweep of figure 14's protocol. */
static int probe_chart(const struct obj *o, struct chart *c)
{
	const struct probe *p = (const struct probe *)o;
	memset(c, 0, sizeof *c);
	c->kind = CHART_LINE;
	c->title = "linear probe: validation accuracy by weight decay";
	c->xlabel = "log10 weight decay";
	c->ylabel = "validation accuracy, %";
	struct chart_series *s = &c->series[c->n_series++];
	s->label = o->name;
	s->x = p->log_wd;
	s->y = p->res.val_acc;
	s->n = p->res.n_wd;
	s->stride = 1;
	return 0;
}

/* [n_wd, 2]: weight decay, validation accuracy (percent) */
static int probe_array(const struct obj *o, struct obj_array *a)
{
	const struct probe *p = (const struct probe *)o;
	double *v = obj_array_f64(a, p->res.n_wd, 2);
	if (!v)
		return -1;
	for (size_t i = 0; i < p->res.n_wd; i++) {
		v[2 * i] = p->res.wd[i];
		v[2 * i + 1] = p->res.val_acc[i];
	}
	return 0;
}

const struct obj_type probe_type = {
	.name = "probe",
	.free = probe_free,
	.describe = probe_describe,
	.shape = probe_shape,
	.bytes = probe_bytes,
	.save = probe_save,
	.load = probe_load,
	.chart = probe_chart,
	.array = probe_array,
};
