/* cmd-explain.c - one prediction explained: `explain TRAIN TEST ROW` (the
 * test row's k nearest train rows, their labels, cosines and vote weights,
 * the votes, and how each model of the cache the banks came from sees the
 * same neighbours) and `neighbours OBJ ROW` (the nearest rows of any bank
 * or cache).  Neighbours and votes come from eval-knn's own knn_neighbours
 * and knn_vote, so they are the ones `knn` counts. */
#include "args.h"
#include "cmd-knn-opts.h"
#include "cmd-plot.h"
#include "cmd-list.h"
#include "cmd-plot.h"
#include "chart.h"
#include "obj-confusion.h"
#include "err.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "session.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Test row number `word` of an object of n rows; -1 with err_set() naming
 * the object. */
static int parse_row(const char *word, const char *obj, size_t n, size_t *row)
{
	if (parse_size("row", word, 0, SIZE_MAX, row) < 0)
		return -1;
	if (*row >= n) {
		err_set("row %zu: %s has %zu rows (0..%zu)", *row, obj, n, n - 1);
		return -1;
	}
	return 0;
}

/* the cosine of two rows of d floats, in double (0 for a zero row) */
static double cosine(const float *x, const float *y, size_t d)
{
	double xy = 0.0, xx = 0.0, yy = 0.0;
	for (size_t c = 0; c < d; c++) {
		xy += (double)x[c] * (double)y[c];
		xx += (double)x[c] * (double)x[c];
		yy += (double)y[c] * (double)y[c];
	}
	return xx > 0.0 && yy > 0.0 ? xy / sqrt(xx * yy) : 0.0;
}

static void class_label(char *buf, size_t cap, int64_t cls, char *const *names)
{
	if (names)
		snprintf(buf, cap, "%" PRId64 " %s", cls, names[cls]);
	else
		snprintf(buf, cap, "%" PRId64, cls);
}

static char sep_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	return dot && strcmp(dot, ".tsv") == 0 ? '\t' : ',';
}

/* ---- explain ---------------------------------------------------------- */

struct explain {
	const struct bank *tr, *te;
	size_t row, k;
	double temperature;
	struct knn_nb *nb;       /* [k] the bank's neighbours */
	size_t *count;           /* [n_classes] */
	double *score;           /* [n_classes] */
	size_t maj, wtd;
	char *const *names;      /* class names or NULL */
	const struct cache *ctr, *cte;
	size_t m;                /* models compared (0 without caches) */
	size_t mtr[64], mte[64]; /* model indices in ctr and cte */
	double *model_cos;       /* [k x m] neighbour i, model j */
	size_t *overlap;         /* [m] the model's own top k that are the bank's */
	size_t *own_pred;        /* [m] the model's own weighted vote */
};

static void explain_free(struct explain *e)
{
	free(e->nb);
	free(e->count);
	free(e->score);
	free(e->model_cos);
	free(e->overlap);
	free(e->own_pred);
}

/* The models both caches hold with equal dims, by name. */
static void match_models(struct explain *e)
{
	e->m = 0;
	for (size_t j = 0; e->ctr && j < e->cte->m && e->m < 64; j++) {
		long i = cache_model_index(e->ctr, e->cte->model[j]);
		if (i >= 0 && e->ctr->feat[i].cols == e->cte->feat[j].cols) {
			e->mtr[e->m] = (size_t)i;
			e->mte[e->m++] = j;
		}
	}
}

/* Each model's view of the bank's neighbours: their cosines in its own
 * features, how many of its own k nearest they are, and its own vote. */
static int explain_models(struct explain *e)
{
	size_t k = e->k, m = e->m, n_classes = e->tr->n_classes;
	e->model_cos = calloc(k * m + 1, sizeof *e->model_cos);
	e->overlap = calloc(m + 1, sizeof *e->overlap);
	e->own_pred = calloc(m + 1, sizeof *e->own_pred);
	struct knn_nb *own = malloc(k * sizeof *own);
	size_t *cnt = calloc(n_classes, sizeof *cnt);
	double *sc = calloc(n_classes, sizeof *sc);
	int rc = 0;
	if (!e->model_cos || !e->overlap || !e->own_pred || !own || !cnt || !sc) {
		err_nomem("explain: the models' views", (k * m + n_classes) * 8);
		rc = -1;
	}
	for (size_t j = 0; rc == 0 && j < m; j++) {
		const struct mat *ftr = &e->ctr->feat[e->mtr[j]], *fte = &e->cte->feat[e->mte[j]];
		const float *x = mat_row(fte, e->row);
		for (size_t i = 0; i < k; i++)
			e->model_cos[i * m + j] = cosine(x, mat_row(ftr, e->nb[i].idx), ftr->cols);
		if (knn_neighbours(own, k, ftr, fte, e->row, 1) < 0) {
			err_prefix("model %s", e->cte->model[e->mte[j]]);
			rc = -1;
			break;
		}
		for (size_t a = 0; a < k; a++)
			for (size_t b = 0; b < k; b++)
				e->overlap[j] += own[a].idx == e->nb[b].idx;
		size_t maj;
		memset(cnt, 0, n_classes * sizeof *cnt);
		for (size_t c = 0; c < n_classes; c++)
			sc[c] = 0.0;
		knn_vote(own, k, e->tr->labels, e->temperature, cnt, sc, &maj, &e->own_pred[j]);
	}
	free(own);
	free(cnt);
	free(sc);
	return rc;
}

static int explain_run(struct session *s, const struct args *a, struct explain *e)
{
	struct knn_opts o;
	struct bank *tr, *te;
	if (knn_cmd_opts(a, &o) < 0 || knn_cmd_banks(s, a->pos[0], a->pos[1], &tr, &te) < 0 ||
	    parse_row(a->pos[2], te->base.name, te->psi.rows, &e->row) < 0)
		return -1;
	if (o.n_k > 1) {
		err_set("explain takes one k (k=%zu,...)", o.k[0]);
		return -1;
	}
	e->tr = tr;
	e->te = te;
	e->temperature = o.temperature;
	e->k = o.k[0] < tr->psi.rows ? o.k[0] : tr->psi.rows;
	/* the caches the banks' labels came from: given as cache=TR/TE or found */
	const char *given = args_str(a, "cache", NULL);
	char gtr[2 * WS_NAME_MAX] = "", *gte = NULL;
	if (given) {
		snprintf(gtr, sizeof gtr, "%s", given);
		if (!(gte = strchr(gtr, '/'))) {
			err_set("cache=%s: write it as TRAIN_CACHE/TEST_CACHE", given);
			return -1;
		}
		*gte++ = '\0';
	}
	int err1, err2;
	e->ctr = knn_cmd_cache_of(s, tr->labels, tr->psi.rows, given ? gtr : NULL, &err1);
	e->cte = err1 < 0 ? NULL : knn_cmd_cache_of(s, te->labels, te->psi.rows, gte, &err2);
	if (err1 < 0 || (e->ctr && err2 < 0))
		return -1;
	if (!e->cte)
		e->ctr = NULL;
	e->names = knn_cmd_class_names(e->ctr, tr->n_classes);
	e->nb = malloc(e->k * sizeof *e->nb);
	e->count = calloc(tr->n_classes, sizeof *e->count);
	e->score = calloc(tr->n_classes, sizeof *e->score);
	if (!e->nb || !e->count || !e->score) {
		err_nomem("explain", e->k * sizeof *e->nb + tr->n_classes * 16);
		return -1;
	}
	if (knn_neighbours(e->nb, e->k, &tr->psi, &te->psi, e->row, 1) < 0)
		return -1;
	knn_vote(e->nb, e->k, tr->labels, e->temperature, e->count, e->score, &e->maj, &e->wtd);
	if (e->cte)
		match_models(e);
	return explain_models(e);
}

static void explain_print(const struct explain *e, FILE *out)
{
	char lab[96], p1[96], p2[96];
	size_t n_classes = e->tr->n_classes, m = e->m;
	class_label(lab, sizeof lab, e->te->labels[e->row], e->names);
	class_label(p1, sizeof p1, (int64_t)e->wtd, e->names);
	class_label(p2, sizeof p2, (int64_t)e->maj, e->names);
	fprintf(out, "row %zu of %s: label %s; predicted %s (weighted), %s (majority); "
		"k=%zu T=%g\n", e->row, e->te->base.name, lab, p1, p2, e->k, e->temperature);
	if (e->cte)
		fprintf(out, "models from caches %s / %s (cosine in each model's own features)\n",
			e->ctr->base.name, e->cte->base.name);
	fprintf(out, "%4s %9s  %-16s %8s %9s", "rank", "train_row", "label", "cosine", "weight");
	for (size_t j = 0; j < m; j++)
		fprintf(out, " %8.8s", e->cte->model[e->mte[j]]);
	fputc('\n', out);
	for (size_t i = 0; i < e->k; i++) {
		class_label(lab, sizeof lab, e->tr->labels[e->nb[i].idx], e->names);
		fprintf(out, "%4zu %9zu  %-16.16s %8.4f %9.4g", i + 1, e->nb[i].idx, lab,
			e->nb[i].sim, knn_weight(e->nb[i].sim, e->nb[0].sim, e->temperature));
		for (size_t j = 0; j < m; j++)
			fprintf(out, " %8.4f", e->model_cos[i * m + j]);
		fputc('\n', out);
	}
	double total = 0.0;
	for (size_t c = 0; c < n_classes; c++)
		total += e->score[c];
	fprintf(out, "votes:\n%-18s %10s %10s %7s\n", "class", "neighbours", "score", "share");
	/* classes with votes, best score first (ties to the lower class) */
	unsigned char *shown = calloc(n_classes, 1);
	for (size_t r = 0; shown && r < n_classes; r++) {
		size_t best = SIZE_MAX;
		for (size_t c = 0; c < n_classes; c++)
			if (e->count[c] && !shown[c] &&
			    (best == SIZE_MAX || e->score[c] > e->score[best]))
				best = c;
		if (best == SIZE_MAX)
			break;
		shown[best] = 1;
		class_label(lab, sizeof lab, (int64_t)best, e->names);
		fprintf(out, "%-18.18s %10zu %10.4g %6.2f%%\n", lab, e->count[best], e->score[best],
			100.0 * e->score[best] / total);
	}
	free(shown);
	if (!m) {
		fprintf(out, "(no cache holds these banks' labels: cache=TRAIN/TEST names one to "
			"compare the models)\n");
		return;
	}
	fprintf(out, "models: their own cosine to these neighbours, how many of their own "
		"%zu nearest these are, their own weighted vote\n", e->k);
	fprintf(out, "%-10s %9s %9s  %s\n", "model", "mean_cos", "overlap", "own prediction");
	for (size_t j = 0; j < m; j++) {
		double mean = 0.0;
		for (size_t i = 0; i < e->k; i++)
			mean += e->model_cos[i * m + j];
		class_label(lab, sizeof lab, (int64_t)e->own_pred[j], e->names);
		fprintf(out, "%-10.10s %9.4f %5zu/%-3zu  %s%s\n", e->cte->model[e->mte[j]],
			mean / (double)e->k, e->overlap[j], e->k, lab,
			e->own_pred[j] == e->wtd ? " (agrees)" : "");
	}
}

/* rank, train_row, label, class_name, cosine, weight, then one cosine per model */
static int explain_csv(FILE *f, const char *path, const void *ctx)
{
	const struct explain *e = ctx;
	char sep = sep_of(path);
	fprintf(f, "rank%ctrain_row%clabel%cclass_name%ccosine%cweight", sep, sep, sep, sep, sep);
	for (size_t j = 0; j < e->m; j++) {
		fputc(sep, f);
		confusion_csv_field(f, e->cte->model[e->mte[j]], sep);
	}
	fputc('\n', f);
	for (size_t i = 0; i < e->k; i++) {
		int64_t l = e->tr->labels[e->nb[i].idx];
		fprintf(f, "%zu%c%zu%c%" PRId64 "%c", i + 1, sep, e->nb[i].idx, sep, l, sep);
		confusion_csv_field(f, e->names ? e->names[l] : "", sep);
		fprintf(f, "%c%.17g%c%.17g", sep, e->nb[i].sim, sep,
			knn_weight(e->nb[i].sim, e->nb[0].sim, e->temperature));
		for (size_t j = 0; j < e->m; j++)
			fprintf(f, "%c%.17g", sep, e->model_cos[i * e->m + j]);
		fputc('\n', f);
	}
	if (ferror(f)) {
		err_set("cannot write %s", path);
		return -1;
	}
	return 0;
}

/* In the full-screen UI: the chart pane shows the neighbours' cosines by
 * rank, in the bank and in each model's own features (the text goes to
 * the scrollback as at the prompt). */
static int explain_chart(struct session *s, const struct explain *e)
{
	double *sims = malloc(e->k * sizeof *sims);
	if (!sims) {
		err_nomem("explain chart", e->k * sizeof *sims);
		return -1;
	}
	for (size_t i = 0; i < e->k; i++)
		sims[i] = e->nb[i].sim;
	char title[256], lab[96], pred[96];
	class_label(lab, sizeof lab, e->te->labels[e->row], e->names);
	class_label(pred, sizeof pred, (int64_t)e->wtd, e->names);
	snprintf(title, sizeof title, "row %zu of %s: label %s, predicted %s", e->row,
		 e->te->base.name, lab, pred);
	struct chart c;
	memset(&c, 0, sizeof c);
	c.kind = CHART_LINE;
	c.title = title;
	c.xlabel = "neighbour rank";
	c.ylabel = "cosine";
	chart_add_series(&c, e->tr->base.name, NULL, sims, e->k, 1);
	for (size_t j = 0; j < e->m && j + 1 < CHART_MAX_SERIES; j++)
		chart_add_series(&c, e->cte->model[e->mte[j]], NULL, e->model_cos + j, e->k, e->m);
	int rc = s->show_chart(s, e->te->base.name, &c);
	free(sims);
	return rc;
}

static int explain_exec(struct session *s, const struct args *a)
{
	struct explain e;
	memset(&e, 0, sizeof e);
	const char *to = args_kw(a, "to");
	int rc = explain_run(s, a, &e);
	if (rc == 0)
		explain_print(&e, s->out);
	if (rc == 0 && s->show_chart)
		rc = explain_chart(s, &e);
	if (rc == 0 && to && (rc = cmd_write_file(to, explain_csv, &e)) == 0)
		fprintf(s->out, "wrote the %zu neighbours to %s\n", e.k, to);
	explain_free(&e);
	return rc;
}

const struct cmd cmd_explain = {
	.name = "explain",
	.usage = "explain TRAIN TEST ROW [k=20] [T=0.07] [preset=NAME] [cache=CTR/CTE] "
		 "[to FILE.csv]",
	.summary = "Why k-NN predicts what it does for one test row",
	.help = "Row ROW (0-based) of the test bank: its label and both predictions, its\n"
		"k nearest train rows (as `knn` finds them: cosine, ties to the lower train\n"
		"row) with their labels, cosines and weights in the weighted vote\n"
		"exp((cos - cos_1)/T), and the votes: neighbours and summed weight per\n"
		"class.  Then each model of the cache the banks' labels came from (found\n"
		"in the workspace, or cache=TRAIN_CACHE/TEST_CACHE): the same neighbours'\n"
		"cosines in that model's own features, how many of the model's own k\n"
		"nearest they are, and the model's own weighted vote ('agrees' when it is\n"
		"the bank's).  `to FILE.csv` (or .tsv) writes the neighbour table: rank,\n"
		"train_row, label, class_name, cosine, weight, one column per model.  In\n"
		"the full-screen UI the chart pane shows the neighbours' cosines by rank,\n"
		"in the bank and in each model.",
	.min_args = 3, .max_args = 3,
	.options = "k T preset cache",
	.keywords = "to",
	.complete = ARG_OBJECT,
	/* not CMD_READONLY: the top-k pass uses BLAS */
	.exec = explain_exec,
};

/* ---- neighbours ------------------------------------------------------- */

/* One matrix of an object: a bank's rows or one model of a cache. */
struct view {
	const char *model;       /* NULL for a bank */
	const struct mat *m;
	const int64_t *labels;   /* or NULL */
	char *const *names;
};

struct nbrs {
	struct view q, in[64];   /* the query's view; the searched one per model */
	size_t n_views;
	struct view qv[64];
	size_t row, k;
	int self;                /* searching the query object: drop the row itself */
	struct knn_nb *nb;       /* [n_views x k] */
	size_t *n_nb;            /* [n_views] */
};

/* The views of o (every model of a cache, or those of models=). */
static int views_of(struct session *s, const char *name, const char *models, struct view *v,
		    size_t *n)
{
	struct obj *o = ws_get(&s->ws, name, NULL);
	if (!o)
		return -1;
	if (o->type == &bank_type) {
		const struct bank *b = (const struct bank *)o;
		int err;
		const struct cache *c = b->labels ?
			knn_cmd_cache_of(s, b->labels, b->psi.rows, NULL, &err) : NULL;
		v[0] = (struct view){ NULL, &b->psi, b->labels,
				      knn_cmd_class_names(c, b->n_classes) };
		*n = 1;
		if (models) {
			err_set("%s is a bank: model=%s is for caches", name, models);
			return -1;
		}
		return 0;
	}
	if (o->type != &cache_type) {
		err_set("%s is a %s: neighbours takes a bank or a cache", name, o->type->name);
		return -1;
	}
	const struct cache *c = (const struct cache *)o;
	size_t idx[64], k;
	if (c->m > 64) {
		err_set("%s has %zu models: name at most 64 with model=", name, c->m);
		return -1;
	}
	if (cache_select_models(c, models, idx, &k) < 0)
		return -1;
	for (size_t i = 0; i < k; i++)
		v[i] = (struct view){ c->model[idx[i]], &c->feat[idx[i]], c->labels,
				      knn_cmd_class_names(c, c->n_classes) };
	*n = k;
	return 0;
}

static int nbrs_run(struct session *s, const struct args *a, struct nbrs *r)
{
	const char *in = args_str(a, "in", a->pos[0]), *models = args_str(a, "model", NULL);
	size_t nq, ni;
	if (args_size(a, "k", 10, 1, 1u << 20, &r->k) < 0 ||
	    views_of(s, a->pos[0], models, r->qv, &nq) < 0 ||
	    views_of(s, in, models, r->in, &ni) < 0 ||
	    parse_row(a->pos[1], a->pos[0], r->qv[0].m->rows, &r->row) < 0)
		return -1;
	if (ws_find(&s->ws, in)->type != ws_find(&s->ws, a->pos[0])->type) {
		err_set("in=%s is a %s and %s a %s: search a bank's rows in a bank, a cache's "
			"in a cache", in, ws_find(&s->ws, in)->type->name, a->pos[0],
			ws_find(&s->ws, a->pos[0])->type->name);
		return -1;
	}
	r->self = strcmp(in, a->pos[0]) == 0;
	r->n_views = nq;
	for (size_t v = 0; v < nq; v++) {
		size_t j = 0;
		while (r->qv[v].model && j < ni && strcmp(r->in[j].model, r->qv[v].model) != 0)
			j++;
		if (j == ni) {
			err_set("in=%s has no model %s", in, r->qv[v].model);
			return -1;
		}
		if (r->in[j].m->cols != r->qv[v].m->cols) {
			err_set("%s has %zu dims, in=%s has %zu%s%s", a->pos[0], r->qv[v].m->cols, in,
				r->in[j].m->cols, r->qv[v].model ? " in model " : "",
				r->qv[v].model ? r->qv[v].model : "");
			return -1;
		}
		struct view t = r->in[j];
		r->in[j] = r->in[v];
		r->in[v] = t;
	}
	size_t want = r->k + (size_t)r->self;
	r->nb = malloc(nq * want * sizeof *r->nb);
	r->n_nb = calloc(nq, sizeof *r->n_nb);
	if (!r->nb || !r->n_nb) {
		err_nomem("neighbours", nq * want * sizeof *r->nb);
		return -1;
	}
	for (size_t v = 0; v < nq; v++) {
		struct knn_nb *nb = r->nb + v * want;
		size_t got = want < r->in[v].m->rows ? want : r->in[v].m->rows, n = 0;
		if (knn_neighbours(nb, want, r->in[v].m, r->qv[v].m, r->row, 1) < 0)
			return -1;
		for (size_t i = 0; i < got && n < r->k; i++)
			if (!r->self || nb[i].idx != r->row)
				nb[n++] = nb[i];
		r->n_nb[v] = n;
	}
	return 0;
}

static void nbrs_print(const struct nbrs *r, const char *obj, const char *in, FILE *out)
{
	size_t want = r->k + (size_t)r->self;
	for (size_t v = 0; v < r->n_views; v++) {
		char lab[96] = "-";
		if (r->qv[v].labels)
			class_label(lab, sizeof lab, r->qv[v].labels[r->row], r->qv[v].names);
		fprintf(out, "row %zu of %s%s%s (label %s): nearest rows of %s%s\n", r->row, obj,
			r->qv[v].model ? ", model " : "", r->qv[v].model ? r->qv[v].model : "",
			lab, in, r->self ? " (itself left out)" : "");
		fprintf(out, "%4s %9s  %-18s %8s\n", "rank", "row", "label", "cosine");
		for (size_t i = 0; i < r->n_nb[v]; i++) {
			const struct knn_nb *nb = &r->nb[v * want + i];
			strcpy(lab, "-");
			if (r->in[v].labels)
				class_label(lab, sizeof lab, r->in[v].labels[nb->idx], r->in[v].names);
			fprintf(out, "%4zu %9zu  %-18.18s %8.4f\n", i + 1, nb->idx, lab, nb->sim);
		}
	}
}

/* model, rank, row, label, class_name, cosine */
static int nbrs_csv(FILE *f, const char *path, const void *ctx)
{
	const struct nbrs *r = ctx;
	char sep = sep_of(path);
	size_t want = r->k + (size_t)r->self;
	fprintf(f, "model%crank%crow%clabel%cclass_name%ccosine\n", sep, sep, sep, sep, sep);
	for (size_t v = 0; v < r->n_views; v++)
		for (size_t i = 0; i < r->n_nb[v]; i++) {
			const struct knn_nb *nb = &r->nb[v * want + i];
			const struct view *w = &r->in[v];
			confusion_csv_field(f, w->model ? w->model : "", sep);
			fprintf(f, "%c%zu%c%zu%c", sep, i + 1, sep, nb->idx, sep);
			if (w->labels)
				fprintf(f, "%" PRId64, w->labels[nb->idx]);
			fputc(sep, f);
			confusion_csv_field(f, w->labels && w->names ? w->names[w->labels[nb->idx]] : "", sep);
			fprintf(f, "%c%.17g\n", sep, nb->sim);
		}
	if (ferror(f)) {
		err_set("cannot write %s", path);
		return -1;
	}
	return 0;
}

static int neighbours_exec(struct session *s, const struct args *a)
{
	struct nbrs r;
	memset(&r, 0, sizeof r);
	const char *to = args_kw(a, "to"), *in = args_str(a, "in", a->pos[0]);
	int rc = nbrs_run(s, a, &r);
	if (rc == 0)
		nbrs_print(&r, a->pos[0], in, s->out);
	if (rc == 0 && to && (rc = cmd_write_file(to, nbrs_csv, &r)) == 0)
		fprintf(s->out, "wrote the neighbours to %s\n", to);
	free(r.nb);
	free(r.n_nb);
	return rc;
}

const struct cmd cmd_neighbours = {
	.name = "neighbours",
	.usage = "neighbours OBJ ROW [k=10] [in=OBJ2] [model=NAME,...] [to FILE.csv]",
	.summary = "The nearest rows (by cosine) to one row of a bank or cache",
	.help = "Row ROW (0-based) of the bank or cache OBJ and its k nearest rows by\n"
		"cosine, ties to the lower row, with their labels: among OBJ's own rows\n"
		"(the row itself left out), or among those of in=OBJ2 (a test row's\n"
		"neighbours in the train bank, as `knn` finds them).  A cache gives one list\n"
		"per model (model= picks them).  `to FILE.csv` (or .tsv) writes model,\n"
		"rank, row, label, class_name, cosine.",
	.min_args = 2, .max_args = 2,
	.options = "k in model",
	.keywords = "to",
	.complete = ARG_OBJECT,
	.exec = neighbours_exec,
};
