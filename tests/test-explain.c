/* test-explain.c - `confusion`, `explain` and `neighbours` through the
 * session, as a user runs them: the confusion matrix of a small case worked
 * by hand, explain's neighbours, cosines, weights and votes recomputed here
 * independently (double cosines, a full sort, exp((s - s_1)/T) summed per
 * class), the models' cosines in their own features, and bad arguments
 * refused with clear errors and the workspace left as it was. */
#include "chart.h"
#include "err.h"
#include "mat.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-confusion.h"
#include "rng.h"
#include "session.h"
#include "tap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *out_buf, *err_buf;

/* one line through the session; its output in out_buf, errors in err_buf */
static int run(struct session *s, const char *line)
{
	size_t n1, n2;
	free(out_buf);
	free(err_buf);
	s->out = open_memstream(&out_buf, &n1);
	s->err = open_memstream(&err_buf, &n2);
	int rc = session_exec_line(s, line);
	fclose(s->out);
	fclose(s->err);
	s->out = stdout;
	s->err = stderr;
	return rc;
}

static void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, err_msg());
	exit(2);
}

static struct bank *add_bank(struct session *s, const char *name, size_t n, size_t d,
			     const float *v, const int64_t *y, size_t n_classes)
{
	struct bank *b = bank_new(name, n, d, y, n_classes);
	if (!b)
		die("bank");
	memcpy(b->psi.data, v, n * d * sizeof *v);
	if (ws_add(&s->ws, &b->base, 0) < 0)
		die("ws_add");
	return b;
}

/* ---- a confusion matrix worked by hand -------------------------------- */

static void test_hand(void)
{
	struct session s;
	session_init(&s);
	/* two train rows per class near (1,0), (0,1), (-1,0) */
	static const float tr[] = { 1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f, -1, 0, -0.9f, -0.1f };
	static const int64_t ytr[] = { 0, 0, 1, 1, 2, 2 };
	/* six test rows: the nearest train row's class is 0 1 2 0 1 2, their
	 * labels 0 1 2 1 2 0, so by hand (row = true, column = predicted):
	 *   true 0: [1 0 1]   true 1: [1 1 0]   true 2: [0 1 1] */
	static const float te[] = { 1, 0.05f, 0.05f, 1, -1, 0.02f, 0.95f, 0, 0.02f, 1, -1, -0.05f };
	static const int64_t yte[] = { 0, 1, 2, 1, 2, 0 };
	static const int64_t want[9] = { 1, 0, 1, 1, 1, 0, 0, 1, 1 };
	add_bank(&s, "htr", 6, 2, tr, ytr, 3);
	add_bank(&s, "hte", 6, 2, te, yte, 3);
	int rc = run(&s, "confusion htr hte k=1 as cm");
	struct confusion *cm = ws_get(&s.ws, "cm", &confusion_type);
	int same = rc == 0 && cm && cm->n_classes == 3 && memcmp(cm->count, want, sizeof want) == 0;
	tap_ok(same, "confusion k=1 on 6 hand-made rows: the matrix worked by hand (rc %d)", rc);
	if (!same && out_buf)
		printf("# %s\n# %s\n", out_buf, err_buf ? err_buf : "");
	tap_ok(rc == 0 && strstr(out_buf, "6 rows, accuracy 50.00") &&
	       strstr(out_buf, "0                        2        1     50.00") &&
	       strstr(out_buf, "[1]"), "confusion prints 50%% per class and the diagonal");
	/* majority at k=3: every test row sees 2 rows of its nearest class */
	rc = run(&s, "confusion htr hte k=3 vote=majority as cm3");
	struct confusion *c3 = ws_get(&s.ws, "cm3", &confusion_type);
	tap_ok(rc == 0 && c3 && !c3->weighted && c3->k == 3 &&
	       memcmp(c3->count, want, sizeof want) == 0,
	       "confusion k=3 vote=majority: the same matrix, kept with its vote and k");
	rc = run(&s, "compare htr/hte htr/hte k=1 per_class=on");
	tap_ok(rc == 0 && strstr(out_buf, "per class (k=1, weighted vote)") &&
	       strstr(out_buf, "50.00   +0.00"), "compare per_class=on: deltas of a pair to itself are 0");
	session_free(&s);
}

/* ---- explain, recomputed independently -------------------------------- */

#define NTR 300
#define NTE 40
#define D 12
#define NC 5
#define K 9

struct ref_nb {
	size_t idx;
	double sim;
};

static int ref_cmp(const void *pa, const void *pb)
{
	const struct ref_nb *a = pa, *b = pb;
	if (a->sim != b->sim)
		return a->sim > b->sim ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static double ref_cos(const float *x, const float *y, size_t d)
{
	double xy = 0, xx = 0, yy = 0;
	for (size_t c = 0; c < d; c++) {
		xy += (double)x[c] * y[c];
		xx += (double)x[c] * x[c];
		yy += (double)y[c] * y[c];
	}
	return xy / sqrt(xx * yy);
}

/* a cache of two models (D and D/2 columns) over the same rows */
static struct cache *make_cache(const char *name, size_t n, const int64_t *y, struct rng *r)
{
	struct cache *c = cache_new(name, n, 2);
	if (!c)
		die("cache");
	static const char *const models[2] = { "alpha", "beta" };
	for (size_t j = 0; j < 2; j++) {
		c->model[j] = strdup(models[j]);
		if (mat_init(&c->feat[j], n, j ? D / 2 : D, "features") < 0)
			die("features");
		for (size_t i = 0; i < n * c->feat[j].cols; i++)
			c->feat[j].data[i] = rng_uniform(r, -1.0f, 1.0f) +
					     (i % c->feat[j].cols == (size_t)y[i / c->feat[j].cols] ? 2.0f : 0.0f);
		size_t z;
		mat_normalize_rows(&c->feat[j], &z);
	}
	c->labels = malloc(n * sizeof *c->labels);
	memcpy(c->labels, y, n * sizeof *y);
	c->n_classes = NC;
	c->attr = calloc(1, sizeof *c->attr);
	c->n_attr = 1;
	c->attr->key = strdup("class_names");
	c->attr->n = NC;
	c->attr->v = calloc(NC, sizeof *c->attr->v);
	static const char *const names[NC] = { "ant", "bee", "cat", "dog", "eel" };
	for (size_t i = 0; i < NC; i++)
		c->attr->v[i] = strdup(names[i]);
	return c;
}

/* what the full-screen UI's chart pane was given */
static size_t seen_series;
static double seen_y[3][K];
static char seen_title[256];

static int fake_chart(struct session *s, const char *name, const struct chart *c)
{
	(void)s;
	(void)name;
	seen_series = c->n_series;
	snprintf(seen_title, sizeof seen_title, "%s", c->title ? c->title : "");
	for (size_t j = 0; j < c->n_series && j < 3; j++)
		for (size_t i = 0; i < c->series[j].n && i < K; i++)
			seen_y[j][i] = c->series[j].y[i * (c->series[j].stride ? c->series[j].stride : 1)];
	return 0;
}

/* fields of line `row` (1-based after the header) of a CSV in buf */
static int csv_line(const char *buf, size_t row, double *v, size_t n)
{
	const char *p = buf;
	for (size_t i = 0; i < row && p; i++)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	if (!p || !*p)
		return -1;
	for (size_t f = 0; f < n; f++) {
		if (f == 3) { /* class_name: text */
			p = strchr(p, ',') + 1;
			v[f] = 0;
			continue;
		}
		char *end;
		v[f] = strtod(p, &end);
		if (end == p)
			return -1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *b = calloc(1, 1 << 16);
	size_t n = fread(b, 1, (1 << 16) - 1, f);
	b[n] = '\0';
	fclose(f);
	return b;
}

static void test_explain(void)
{
	struct session s;
	session_init(&s);
	struct rng r;
	rng_seed(&r, 7, 0);
	int64_t ytr[NTR], yte[NTE];
	for (size_t i = 0; i < NTR; i++)
		ytr[i] = (int64_t)(i % NC);
	for (size_t i = 0; i < NTE; i++)
		yte[i] = (int64_t)((i * 3) % NC);
	struct cache *ctr = make_cache("c.train", NTR, ytr, &r), *cte = make_cache("c.test", NTE, yte, &r);
	if (ws_add(&s.ws, &ctr->base, 0) < 0 || ws_add(&s.ws, &cte->base, 0) < 0)
		die("ws_add");
	/* a "learned" bank: the first model's features plus noise, not unit rows */
	float *btr = malloc(NTR * D * sizeof *btr), *bte = malloc(NTE * D * sizeof *bte);
	for (size_t i = 0; i < NTR * D; i++)
		btr[i] = 3.0f * ctr->feat[0].data[i] + 0.3f * rng_uniform(&r, -1.0f, 1.0f);
	for (size_t i = 0; i < NTE * D; i++)
		bte[i] = 0.5f * cte->feat[0].data[i] + 0.1f * rng_uniform(&r, -1.0f, 1.0f);
	add_bank(&s, "btr", NTR, D, btr, ytr, NC);
	add_bank(&s, "bte", NTE, D, bte, yte, NC);

	char tmpl[] = "/tmp/rnr-explain-XXXXXX", line[800], path[600];
	if (!mkdtemp(tmpl))
		die("mkdtemp");
	snprintf(path, sizeof path, "%s/e.csv", tmpl);
	const double T = 0.1;
	int all_ok = 1, models_ok = 1, pred_ok = 1;
	double worst = 0.0, worst_m = 0.0;
	for (size_t row = 0; row < NTE; row += 7) {
		snprintf(line, sizeof line, "explain btr bte %zu k=%d T=%g to %s", row, K, T, path);
		if (run(&s, line) < 0) {
			printf("# %s: %s\n", line, err_buf);
			all_ok = 0;
			continue;
		}
		/* the reference: all cosines, a full sort, the two votes */
		struct ref_nb ref[NTR];
		for (size_t j = 0; j < NTR; j++)
			ref[j] = (struct ref_nb){ j, ref_cos(bte + row * D, btr + j * D, D) };
		qsort(ref, NTR, sizeof *ref, ref_cmp);
		double score[NC] = { 0 };
		size_t count[NC] = { 0 };
		for (size_t i = 0; i < K; i++) {
			score[ytr[ref[i].idx]] += exp((ref[i].sim - ref[0].sim) / T);
			count[ytr[ref[i].idx]]++;
		}
		size_t bw = 0, bm = 0;
		for (size_t c = 1; c < NC; c++) {
			if (score[c] > score[bw])
				bw = c;
			if (count[c] > count[bm])
				bm = c;
		}
		static const char *const names[NC] = { "ant", "bee", "cat", "dog", "eel" };
		char want[128];
		snprintf(want, sizeof want, "predicted %zu %s (weighted), %zu %s (majority)", bw,
			 names[bw], bm, names[bm]);
		if (!strstr(out_buf, want)) {
			printf("# row %zu: wanted '%s' in:\n%s", row, want, out_buf);
			pred_ok = 0;
		}
		char *csv = slurp(path);
		for (size_t i = 0; csv && i < K; i++) {
			double v[8] = { 0 };
			if (csv_line(csv, i + 1, v, 8) < 0 || (size_t)v[0] != i + 1 ||
			    (size_t)v[1] != ref[i].idx || v[2] != (double)ytr[ref[i].idx]) {
				printf("# row %zu rank %zu: csv %g %g %g, want train row %zu\n", row, i + 1,
				       v[0], v[1], v[2], ref[i].idx);
				all_ok = 0;
				break;
			}
			double e1 = fabs(v[4] - ref[i].sim);
			double e2 = fabs(v[5] - exp((ref[i].sim - ref[0].sim) / T));
			worst = fmax(worst, fmax(e1, e2));
			for (size_t m = 0; m < 2; m++) {
				const struct mat *ft = &ctr->feat[m], *fe = &cte->feat[m];
				double c = ref_cos(mat_row(fe, row), mat_row(ft, ref[i].idx), ft->cols);
				worst_m = fmax(worst_m, fabs(v[6 + m] - c));
			}
		}
		all_ok &= csv != NULL;
		free(csv);
	}
	tap_ok(all_ok && worst < 1e-6, "explain: the k=%d neighbours, labels, cosines and weights "
	       "of 6 rows equal a full sort's (max error %.2g)", K, worst);
	tap_ok(pred_ok, "explain: both predictions equal votes recomputed here");
	models_ok = worst_m < 1e-6;
	tap_ok(models_ok, "explain: each model's cosine to the neighbours (max error %.2g)", worst_m);
	tap_ok(strstr(out_buf, "models from caches c.train / c.test") &&
	       strstr(out_buf, "alpha") && strstr(out_buf, "beta"),
	       "explain finds the caches of the banks' labels and names their models");

	/* the full-screen UI: the chart pane gets the cosines by rank */
	s.show_chart = fake_chart;
	snprintf(line, sizeof line, "explain btr bte 3 k=%d T=%g to %s", K, T, path);
	int rc = run(&s, line);
	s.show_chart = NULL;
	char *csv = slurp(path);
	int same = rc == 0 && csv && seen_series == 3 && strstr(seen_title, "row 3 of bte");
	for (size_t i = 0; same && i < K; i++) {
		double v[8] = { 0 };
		same = csv_line(csv, i + 1, v, 8) == 0 && v[4] == seen_y[0][i] &&
		       v[6] == seen_y[1][i] && v[7] == seen_y[2][i];
	}
	free(csv);
	tap_ok(same, "explain in the full-screen UI: a chart of the bank's and each model's "
	       "cosines by rank, the CSV's values (%zu series, '%s')", seen_series, seen_title);

	/* neighbours: a bank's own rows, the row itself left out */
	rc = run(&s, "neighbours btr 4 k=3");
	tap_ok(rc == 0 && strstr(out_buf, "(itself left out)") && !strstr(out_buf, "        4  "),
	       "neighbours btr 4: three rows, not row 4 itself");
	rc = run(&s, "neighbours c.test 2 in=c.train model=beta k=2");
	tap_ok(rc == 0 && strstr(out_buf, "model beta") && !strstr(out_buf, "model alpha"),
	       "neighbours of a cache row in another cache, one model");

	/* bad arguments: clear errors, nothing added or changed */
	size_t n_obj = s.ws.n;
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "explain btr bte 40", "row 40: bte has 40 rows (0..39)" },
		{ "explain btr bte x", "row=x" },
		{ "explain c.train bte 1", "c.train is a cache, not a bank" },
		{ "explain btr bte 1 k=3,5", "explain takes one k" },
		{ "explain btr bte 1 cache=c.test/c.test", "cache c.test (40 rows) does not hold" },
		{ "confusion btr nothere", "no object named 'nothere'" },
		{ "confusion btr bte as btr", "btr" },
		{ "confusion btr bte vote=best", "vote=best" },
		{ "neighbours btr 300", "row 300: btr has 300 rows (0..299)" },
		{ "neighbours btr 1 in=c.train", "in=c.train is a cache and btr a bank" },
		{ "neighbours c.train 1 model=gamma", "gamma" },
		{ "compare btr/bte btr/nothere per_class=on", "nothere" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rc = run(&s, bad[i].line);
		int good = rc < 0 && err_buf && strstr(err_buf, bad[i].msg) && s.ws.n == n_obj;
		tap_ok(good, "'%s' fails with \"%s\", workspace unchanged", bad[i].line, bad[i].msg);
		if (!good)
			printf("# got: %s", err_buf ? err_buf : "(nothing)\n");
	}
	free(btr);
	free(bte);
	unlink(path);
	rmdir(tmpl);
	session_free(&s);
}

int main(void)
{
	test_hand();
	test_explain();
	free(out_buf);
	free(err_buf);
	return tap_done();
}
