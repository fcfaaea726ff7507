/* cmd-analysis.c - the paper's analyses of a representation: `svd`
 * (singular value spectrum, figure 11), `nnhist` (normalised
 * nearest-neighbour similarity, figure 15) and `probe` (linear evaluation
 * with a cross-validated weight decay, figure 14). */
#include "config.h"

#include "args.h"
#include "cmd-list.h"
#include "err.h"
#include "eval-nnhist.h"
#include "eval-probe.h"
#include "eval-spectrum.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-hist.h"
#include "obj-probe.h"
#include "obj-spectrum.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>

/* A matrix named on the command line: a bank, or one model of a cache
 * (CACHE:MODEL; a cache of one model may omit it). */
struct source {
	const struct mat *m;
	const int64_t *labels;  /* NULL without labels */
	size_t n_classes;
	char name[2 * WS_NAME_MAX];
	const char *note;       /* a bank's provenance (names its cache), or NULL */
	const struct cache *streamed; /* m is model `model` of this streamed cache */
	size_t model;
};

/* resolve_any(), refusing a streamed cache: what reads it whole */
static int resolve_any(struct session *s, const char *word, struct source *src);
static int resolve(struct session *s, const char *word, struct source *src)
{
	if (resolve_any(s, word, src) < 0)
		return -1;
	return src->streamed ? cache_need_resident(src->streamed, "this analysis") : 0;
}

static int resolve_any(struct session *s, const char *word, struct source *src)
{
	char buf[2 * WS_NAME_MAX];
	snprintf(buf, sizeof buf, "%s", word);
	snprintf(src->name, sizeof src->name, "%s", word);
	src->note = NULL;
	src->streamed = NULL;
	char *model = strchr(buf, ':');
	if (model)
		*model++ = '\0';
	struct obj *o = model ? NULL : ws_find(&s->ws, buf);
	if (o && o->type == &bank_type) {
		const struct bank *b = (const struct bank *)o;
		src->m = &b->psi;
		src->labels = b->labels;
		src->n_classes = b->n_classes;
		src->note = b->base.note;
		return 0;
	}
	if (o && o->type != &cache_type) {
		err_set("%s is a %s: give a bank, or a cache as CACHE:MODEL", buf, o->type->name);
		return -1;
	}
	const struct cache *c = ws_get(&s->ws, buf, &cache_type);
	if (!c)
		return -1;
	long j = model ? cache_model_index(c, model) : c->m == 1 ? 0 : -1;
	if (j < 0) {
		char list[512] = "";
		for (size_t k = 0; k < c->m; k++) {
			size_t used = strlen(list);
			snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "",
				 c->model[k]);
		}
		if (model)
			err_set("cache %s has no model '%s' (it has %s)", buf, model, list);
		else
			err_set("cache %s has %zu models (%s): name one as %s:MODEL", buf, c->m,
				list, buf);
		return -1;
	}
	src->streamed = c->stream ? c : NULL;
	src->model = (size_t)j;
	src->m = &c->feat[j];
	src->labels = c->labels;
	src->n_classes = c->n_classes;
	/* say which model, so the name stays true */
	if (!model && snprintf(src->name, sizeof src->name, "%s:%s", buf, c->model[0]) >=
			      (int)sizeof src->name) {
		err_set("%s:%s: name too long", buf, c->model[0]);
		return -1;
	}
	return 0;
}

/* `as NAME`, or the default src + suffix with ':' made '.'; checked new. */
static const char *target_name(struct session *s, const struct args *a, const char *src,
			       const char *suffix, char *buf, size_t cap)
{
	const char *as = args_kw(a, "as");
	if (!as) {
		snprintf(buf, cap, "%s%s", src, suffix);
		for (char *p = buf; *p; p++)
			if (*p == ':')
				*p = '.';
		as = buf;
	}
	return ws_check_new_name(&s->ws, as) < 0 ? NULL : as;
}

/* Adds o and reports it through print; frees it on failure. */
static int keep(struct session *s, struct obj *o)
{
	if (!o)
		return -1;
	if (ws_add(&s->ws, o, 0) < 0) {
		obj_free(o);
		return -1;
	}
	return 0;
}

struct stream_ctx {
	const struct cache *c;
	size_t model;
};

static int read_rows(void *ctx, size_t i0, size_t nr, float *out)
{
	const struct stream_ctx *sc = ctx;
	return cache_read_block(sc->c, sc->model, i0, nr, out);
}

static int svd_exec(struct session *s, const struct args *a)
{
	static const char *const methods[] = { "auto", "gram", "svd", "krylov", "gram32",
						NULL };
	int method, normalize;
	size_t top;
	struct source src;
	char buf[3 * WS_NAME_MAX];
	const char *name;
	if (args_choice(a, "method", methods, 0, &method) < 0 ||
	    args_bool(a, "normalize", 1, &normalize) < 0 ||
	    args_size(a, "top", 0, 1, SIZE_MAX, &top) < 0 || resolve_any(s, a->pos[0], &src) < 0 ||
	    !(name = target_name(s, a, a->pos[0], ".svd", buf, sizeof buf)))
		return -1;
	const struct mat *m = src.m;
	size_t k = m->rows < m->cols ? m->rows : m->cols;
	if (method == SPECTRUM_KRYLOV && !top) {
		err_set("method=krylov computes the top values only: give top=K");
		return -1;
	}
	if (top > k) {
		err_set("top=%zu: %s (%zu x %zu) has %zu singular values", top, src.name, m->rows,
			m->cols, k);
		return -1;
	}
	double *sigma = malloc((k ? k : 1) * sizeof *sigma);
	if (!sigma) {
		err_nomem("singular values", k * sizeof *sigma);
		return -1;
	}
	enum spectrum_method used;
	size_t zero;
	struct spectrum *sp = NULL;
	struct spectrum_top_info ti = { 0 };
	int rc;
	if (src.streamed) {
		/* a streamed cache: the Gram accumulated over blocks read from
		 * disk, the whole spectrum (top= keeps its head: the Krylov path
		 * would read the file once per block) */
		struct stream_ctx sc = { src.streamed, src.model };
		struct spectrum_rows rows = { m->rows, m->cols, read_rows, &sc };
		rc = spectrum_compute_rows(sigma, &rows, normalize, (enum spectrum_method)method,
					   &used, &zero);
		for (size_t i = 0; rc == 0 && top && i < k; i++)
			ti.frob2 += sigma[i] * sigma[i];
	} else if (top) {
		rc = spectrum_top(sigma, top, m, normalize, (enum spectrum_method)method, &ti, &zero);
		used = ti.method;
	} else {
		rc = spectrum_compute(sigma, m, normalize, (enum spectrum_method)method, &used,
				      &zero);
	}
	if (rc == 0 && top)
		sp = spectrum_new_top(name, src.name, m->rows, m->cols, sigma, top, ti.frob2,
				      normalize, used, zero);
	else if (rc == 0)
		sp = spectrum_new(name, src.name, m->rows, m->cols, sigma, normalize, used, zero);
	free(sigma);
	if (!sp) {
		err_prefix("%s", src.name);
		return -1;
	}
	if (top)
		obj_set_note(&sp->base, "svd of %s: top=%zu method=%s normalize=%s, rnr %s",
			     src.name, top, spectrum_method_name(used), normalize ? "on" : "off",
			     PACKAGE_VERSION);
	else
		obj_set_note(&sp->base, "svd of %s: method=%s normalize=%s, rnr %s", src.name,
			     spectrum_method_name(used), normalize ? "on" : "off", PACKAGE_VERSION);
	if (keep(s, &sp->base) < 0)
		return -1;
	spectrum_print_summary(sp, s->out);
	if (top && used == SPECTRUM_KRYLOV)
		fprintf(s->out, "  krylov: %zu blocks of %zu, basis %zu, relative error bound %.1e\n",
			ti.blocks, ti.block, ti.dims, ti.bound);
	return 0;
}

/* range=LO,HI into lo, hi. */
static int parse_range(const char *v, double *lo, double *hi)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", v);
	char *comma = strchr(buf, ',');
	if (!comma) {
		err_set("range=%s: write range=LO,HI, e.g. range=1,5", v);
		return -1;
	}
	*comma = '\0';
	if (parse_double("range", buf, -1e300, 1e300, lo) < 0 ||
	    parse_double("range", comma + 1, -1e300, 1e300, hi) < 0)
		return -1;
	if (!(*lo < *hi)) {
		err_set("range=%s: LO must be below HI", v);
		return -1;
	}
	return 0;
}

static int nnhist_exec(struct session *s, const struct args *a)
{
	size_t bins;
	double lo = 0, hi = 0;
	const char *range = args_str(a, "range", NULL), *name;
	struct source tr, te;
	char buf[3 * WS_NAME_MAX];
	if (args_size(a, "bins", 50, 1, 100000, &bins) < 0 ||
	    (range && parse_range(range, &lo, &hi) < 0) || resolve(s, a->pos[0], &tr) < 0 ||
	    resolve(s, a->pos[1], &te) < 0 ||
	    !(name = target_name(s, a, a->pos[1], ".nnhist", buf, sizeof buf)))
		return -1;
	float *ratio = malloc(te.m->rows * sizeof *ratio);
	if (!ratio) {
		err_nomem("similarity ratios", te.m->rows * sizeof *ratio);
		return -1;
	}
	double mean;
	struct hist *h = NULL;
	if (nnhist_ratios(ratio, &mean, tr.m, te.m) == 0)
		h = hist_new(name, tr.name, te.name, ratio, te.m->rows, bins, range != NULL, lo, hi,
			     mean);
	free(ratio);
	if (!h)
		return -1;
	obj_set_note(&h->base, "nnhist %s %s: max cosine to train / mean train-test cosine, "
		     "bins=%zu, rnr %s", tr.name, te.name, bins, PACKAGE_VERSION);
	if (keep(s, &h->base) < 0)
		return -1;
	hist_print_summary(h, s->out);
	return 0;
}

/* wd=1e-6,1e-5 into o. */
static int parse_wd_list(const char *v, struct probe_opts *o)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", v);
	o->n_wd = 0;
	for (char *p = strtok(buf, ","); p; p = strtok(NULL, ",")) {
		if (o->n_wd == PROBE_MAX_WD) {
			err_set("wd=%s: at most %d values", v, PROBE_MAX_WD);
			return -1;
		}
		if (parse_double("wd", p, 0.0, 1e3, &o->wd[o->n_wd++]) < 0)
			return -1;
	}
	if (o->n_wd == 0) {
		err_set("wd=%s: give one or more values, e.g. wd=1e-4 or wd=1e-5,1e-4", v);
		return -1;
	}
	return 0;
}

static int probe_exec(struct session *s, const struct args *a)
{
	struct probe_opts o;
	struct source tr, te;
	char buf[3 * WS_NAME_MAX];
	const char *name, *wd = args_str(a, "wd", NULL);
	probe_opts_default(&o);
	if ((wd && parse_wd_list(wd, &o) < 0) ||
	    args_size(a, "epochs", o.epochs, 1, 1000000, &o.epochs) < 0 ||
	    args_size(a, "batch", o.batch, 1, 1u << 20, &o.batch) < 0 ||
	    args_double(a, "lr", o.lr, 1e-9, 1e6, &o.lr) < 0 ||
	    args_u64(a, "seed", s->set.seed, &o.seed) < 0 ||
	    args_bool(a, "normalize", o.normalize, &o.normalize) < 0 ||
	    args_bool(a, "standardize", o.standardize, &o.standardize) < 0 ||
	    args_bool(a, "cosine", o.cosine, &o.cosine) < 0 ||
	    resolve(s, a->pos[0], &tr) < 0 || resolve(s, a->pos[1], &te) < 0 ||
	    !(name = target_name(s, a, a->pos[0], ".probe", buf, sizeof buf)))
		return -1;
	if (!tr.labels || !te.labels) {
		const struct source *u = tr.labels ? &te : &tr;
		err_set("%s has no labels%s%s%s: a linear probe needs labels on both", u->name,
			u->note ? " (" : "", u->note ? u->note : "", u->note ? ")" : "");
		return -1;
	}
	struct probe_result r;
	if (probe_run(&r, tr.m, tr.labels, tr.n_classes, te.m, te.labels, &o,
		      &session_interrupted) < 0)
		return -1;
	struct probe *p = probe_new(name, tr.name, te.name, &o, &r);
	if (!p)
		return -1;
	obj_set_note(&p->base, "probe %s %s: epochs=%zu batch=%zu lr=%g momentum=%g seed=%llu "
		     "normalize=%s standardize=%s cosine=%s threads=%zu, rnr %s", tr.name, te.name,
		     o.epochs, o.batch, o.lr, o.momentum, (unsigned long long)o.seed,
		     o.normalize ? "on" : "off", o.standardize ? "on" : "off",
		     o.cosine ? "on" : "off",
		     s->set.threads, PACKAGE_VERSION);
	if (keep(s, &p->base) < 0)
		return -1;
	probe_print(p, s->out);
	return 0;
}

const struct cmd cmd_svd = {
	.name = "svd",
	.usage = "svd BANK|CACHE[:MODEL] [top=K] [method=auto|gram|svd|krylov|gram32] [normalize=on] "
		 "[as NAME]",
	.summary = "Singular value spectrum of a bank or a model's features (figure 11)",
	.help = "All min(n, d) singular values of the matrix with its rows L2-normalised\n"
		"(on the fly; normalize=off takes the rows as they are), sorted, kept as a\n"
		"spectrum object (default name SOURCE.svd) with the values normalised to\n"
		"sigma_1 = 1 for `plot` (log y).  Prints the effective rank exp(H) of\n"
		"p_i = sigma_i / sum sigma, the energy share of the top 1/10/100 values and\n"
		"the first i with sigma_i / sigma_1 < 1e-2.  method=gram: eigenvalues of the\n"
		"min(n, d)-square Gram matrix accumulated in double (no copy of the data;\n"
		"relative error of sigma_i about 1e-16 (sigma_1/sigma_i)^2, so below 1e-4\n"
		"for sigma_i > 1e-6 sigma_1); method=svd: LAPACK dgesdd on a double copy;\n"
		"auto: gram when one side is at least twice the other.  top=K: only the\n"
		"largest K values (energies over the whole sum of squares; no effective\n"
		"rank); auto is then method=krylov, a block Krylov iteration of float\n"
		"GEMMs through the data (relative error about 1e-7 sigma_1/sigma_i), which\n"
		"stops when each of the K values has a residual bound of at most 1e-5\n"
		"relative (or 6e-8 sigma_1/sigma_i, the float limit, when larger) and\n"
		"prints the largest bound; the full spectrum is computed and cut\n"
		"instead when K > min(n, d)/4 - 8, min(n, d) < 256 or it does not converge\n"
		"within min(n, d)/2 vectors.  gram or svd with top=K cut theirs.\n"
		"method=gram32 (opt-in, never auto): the Gram matrix by float SSYRK per\n"
		"block of rows, summed in double, about 1.6x as fast as gram; it prints\n"
		"its error bound, relative error of sigma_i <= 2 eps_f (sigma_1/sigma_i)^2\n"
		"+ eps_f ||A||_F/sigma_i (eps_f = 1.2e-7: 1e-4 needs sigma_i > ~0.05\n"
		"sigma_1), and from which i on it passes 1e-4 and 1e-2.",
	.min_args = 1, .max_args = 1,
	.options = "method normalize top",
	.keywords = "as",
	.complete = ARG_OBJECT,
	.exec = svd_exec,
};

const struct cmd cmd_nnhist = {
	.name = "nnhist",
	.usage = "nnhist TRAIN TEST [bins=50] [range=LO,HI] [as NAME]",
	.summary = "Histogram of test rows' max similarity to train over the mean (figure 15)",
	.help = "For each row of TEST, its largest cosine similarity to a row of TRAIN,\n"
		"divided by the mean cosine over all train-test pairs (the dot product of\n"
		"the two mean normalised rows).  A histogram of bins equal bins over the\n"
		"values' [min, max] or range=LO,HI, kept as a hist object (default name\n"
		"TEST.nnhist); prints the median and quantiles.  Higher means tighter\n"
		"neighbours relative to an average pair.  Banks or CACHE:MODEL.",
	.min_args = 2, .max_args = 2,
	.options = "bins range",
	.keywords = "as",
	.complete = ARG_OBJECT,
	.exec = nnhist_exec,
};

const struct cmd cmd_probe = {
	.name = "probe",
	.usage = "probe TRAIN TEST [wd=1e-6,...,1e-2] [epochs=100] [lr=0.1] [batch=256] "
		 "[seed=S] [normalize=on] [standardize=on] [cosine=on] [as NAME]",
	.summary = "Linear probe with a cross-validated weight decay (figure 14)",
	.help = "A softmax linear classifier trained by SGD (momentum 0.9, lr decayed to 0\n"
		"on a cosine unless cosine=off) on the labelled TRAIN rows, L2-normalised\n"
		"(normalize=) and then z-scored per column by the train statistics\n"
		"(standardize=; affine, so only the conditioning and what wd penalises\n"
		"change).  For each weight decay of wd= it is trained on 90% of TRAIN and\n"
		"scored on a held-out 10% (stratified: 10% of each class, picked by the\n"
		"seed); the best (ties to the larger wd) is retrained on all of TRAIN and\n"
		"scored on TEST.  Kept as a probe object (default name TRAIN.probe).  The\n"
		"paper used 1000 epochs, batch 4096, lr 1.6 on ImageNet; the defaults fit\n"
		"10k x 128 in ~0.5 s per weight decay.  The same seed gives the same result.\n"
		"Ctrl-C stops it.",
	.min_args = 2, .max_args = 2,
	.options = "wd epochs lr batch seed normalize standardize cosine",
	.keywords = "as",
	.complete = ARG_OBJECT,
	.exec = probe_exec,
};
