/* h5-layout.c - assembling caches from features in other layouts (see
 * h5-layout.h).  Three steps: resolve the model and split names (given,
 * or found by matching the patterns against the files and datasets
 * present), read each split's models and check their rows agree, read
 * the labels from every distinct place the patterns name and check they
 * agree.  Nothing is kept if any step fails. */
#include "h5-layout.h"
#include "err.h"
#include "h5-pattern.h"
#include "h5-source.h"
#include "npy.h"

#include <ctype.h>
#include <glob.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct plan {
	const struct layout *l;
	const char *features;  /* pattern, defaulted */
	const char *labels;    /* pattern, or NULL for no labels */
	int labels_required;   /* named by the user: missing is an error */
	struct strset models;  /* in load order */
	struct strset splits;  /* "" alone: no {split}, the cache is NAME */
};

int layout_wanted(const struct layout *l)
{
	return strchr(l->files, '{') || npy_is_npy_path(l->files) || npy_is_npz_path(l->files) ||
	       l->features || l->labels || l->labelfile || l->models || l->splits;
}

/* s with placeholders and the extension removed, trimmed of separators */
static void strip_pattern(const char *s, size_t len, char *buf, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < len && k + 1 < cap;) {
		if (!strncmp(s + i, PAT_MODEL, strlen(PAT_MODEL)))
			i += strlen(PAT_MODEL);
		else if (!strncmp(s + i, PAT_SPLIT, strlen(PAT_SPLIT)))
			i += strlen(PAT_SPLIT);
		else
			buf[k++] = s[i++];
	}
	buf[k] = '\0';
	char *dot = strrchr(buf, '.');
	if (dot && dot != buf && !strchr(dot, '/'))
		*dot = '\0';
	size_t b = 0, e = strlen(buf);
	while (b < e && strchr("_-. ", buf[b]))
		b++;
	while (e > b && strchr("_-. ", buf[e - 1]))
		e--;
	memmove(buf, buf + b, e - b);
	buf[e - b] = '\0';
	for (char *p = buf; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
			*p = '_';
	if (buf[0] && !isalpha((unsigned char)buf[0]) && buf[0] != '_')
		buf[0] = '_';
}

void layout_default_name(const char *files, char *buf, size_t cap)
{
	const char *slash = strrchr(files, '/');
	const char *base = slash ? slash + 1 : files;
	strip_pattern(base, strlen(base), buf, cap);
	if (!buf[0] && slash) { /* 'feats/{model}_{split}.h5': the directory's name */
		const char *d = slash;
		while (d > files && d[-1] != '/')
			d--;
		strip_pattern(d, (size_t)(slash - d), buf, cap);
	}
	if (!buf[0])
		snprintf(buf, cap, "cache");
}

/* a dataset pattern as the source kind names things: HDF5 paths start
 * with '/', .npz keys do not */
static const char *dset_pattern(enum source_kind k, const char *pat, char *buf, size_t cap)
{
	while (k == SOURCE_NPZ && *pat == '/')
		pat++;
	snprintf(buf, cap, "%s%s", k == SOURCE_H5 && *pat != '/' ? "/" : "", pat);
	return buf;
}

/* ---- finding the names ---------------------------------------------------- */

/* Add the {model}/{split} values of every name in cand matching pat to the
 * sets still wanted, for each combination of the names already known.
 * Names matching skip (the labels' pattern) are not candidates. */
static int collect(struct plan *p, const char *pat, const struct strset *cand,
		   const char *skip, int want_m, int want_s)
{
	/* names not wanted but not known either: the placeholder is absent */
	int use_m = !want_m && p->models.n, use_s = !want_s && p->splits.n;
	size_t nm = use_m ? p->models.n : 1, ns = use_s ? p->splits.n : 1;
	for (size_t i = 0; i < nm; i++)
		for (size_t j = 0; j < ns; j++) {
			char *sp = pat_subst(pat, use_m ? p->models.v[i] : NULL,
					     use_s ? p->splits.v[j] : NULL);
			if (!sp)
				return -1;
			for (size_t c = 0; c < cand->n; c++) {
				char *m = NULL, *s = NULL;
				if (skip && pat_match(skip, cand->v[c], NULL, NULL) > 0)
					continue;
				int ways = pat_match(sp, cand->v[c], &m, &s);
				int rc = ways < 0 ? -1 : 0;
				if (ways > 1) {
					err_set("'%s' matches '%s' in more than one way: name the "
						"models= and splits= to load", cand->v[c], pat);
					rc = -1;
				}
				if (rc == 0 && ways == 1 && m && want_m)
					rc = strset_add(&p->models, m);
				if (rc == 0 && ways == 1 && s && want_s)
					rc = strset_add(&p->splits, s);
				free(m);
				free(s);
				if (rc < 0) {
					free(sp);
					return -1;
				}
			}
			free(sp);
		}
	return 0;
}

/* the file names the file pattern can match */
static int glob_files(const char *pat, struct strset *out)
{
	char *g = pat_glob(pat);
	glob_t gl;
	if (!g)
		return -1;
	int rc = glob(g, 0, NULL, &gl);
	free(g);
	if (rc == GLOB_NOSPACE) {
		err_nomem("file list", 0);
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < gl.gl_pathc; i++)
		if (strset_add(out, gl.gl_pathv[i]) < 0)
			rc = -1;
	if (rc != GLOB_NOMATCH)
		globfree(&gl);
	return rc < 0 ? -1 : 0;
}

static int find_in_files(struct plan *p, int want_m, int want_s)
{
	struct strset files = { NULL, 0 };
	int rc = glob_files(p->l->files, &files);
	if (rc == 0)
		rc = collect(p, p->l->files, &files, p->l->labelfile, want_m, want_s);
	strset_free(&files);
	return rc;
}

/* the names in the datasets (or .npz arrays) of the first file */
static int find_in_datasets(struct plan *p, int want_m, int want_s)
{
	char *path = pat_subst(p->l->files, p->models.n ? p->models.v[0] : NULL,
			       p->splits.n ? p->splits.v[0] : NULL);
	struct source s;
	struct strset names = { NULL, 0 };
	char feat[1024], lab[1024];
	int rc = path ? source_open(&s, path) : -1;
	if (rc == 0) {
		rc = source_names(&s, &names);
		if (rc == 0)
			rc = collect(p, dset_pattern(s.kind, p->features, feat, sizeof feat), &names,
				     p->labels && !p->l->labelfile ?
				     dset_pattern(s.kind, p->labels, lab, sizeof lab) : NULL,
				     want_m, want_s);
		source_close(&s);
	}
	strset_free(&names);
	free(path);
	return rc;
}

/* names given, found, or (no placeholder) the one default */
static int resolve_names(struct plan *p)
{
	const struct layout *l = p->l;
	int want_m = !l->models, want_s = !l->splits;
	if ((l->models && strset_parse_list(&p->models, l->models, "models") < 0) ||
	    (l->splits && strset_parse_list(&p->splits, l->splits, "splits") < 0))
		return -1;
	int m_in_files = pat_has(l->files, PAT_MODEL), s_in_files = pat_has(l->files, PAT_SPLIT);
	if (((want_m && m_in_files) || (want_s && s_in_files)) &&
	    find_in_files(p, want_m && m_in_files, want_s && s_in_files) < 0)
		return -1;
	int m_in_dset = want_m && !m_in_files && pat_has(p->features, PAT_MODEL);
	int s_in_dset = want_s && !s_in_files && pat_has(p->features, PAT_SPLIT);
	if ((m_in_dset || s_in_dset) && find_in_datasets(p, m_in_dset, s_in_dset) < 0)
		return -1;
	int m_used = m_in_files || pat_has(p->features, PAT_MODEL);
	int s_used = s_in_files || pat_has(p->features, PAT_SPLIT);
	if ((want_m && m_used && !p->models.n) || (want_s && s_used && !p->splits.n)) {
		err_set("no %s matches '%s'%s%s: check the pattern, or name the models= "
			"and splits= to load", m_in_files || s_in_files ? "file" : "dataset",
			m_in_files || s_in_files ? l->files : p->features,
			m_in_files || s_in_files ? "" : " in ", m_in_files || s_in_files ? "" :
			l->files);
		return -1;
	}
	if (!p->models.n) {
		char name[256];
		layout_default_name(l->files, name, sizeof name);
		if (!strcmp(name, "cache"))
			snprintf(name, sizeof name, "features");
		if (strset_add(&p->models, name) < 0)
			return -1;
	}
	if (!p->splits.n && strset_add(&p->splits, "") < 0)
		return -1;
	if (!s_used && p->splits.n > 1 && !pat_has(p->labels ? p->labels : "", PAT_SPLIT)) {
		err_set("splits=%s: but no pattern holds {split}, so every split would read the "
			"same data", l->splits);
		return -1;
	}
	return 0;
}

/* ---- reading a split -------------------------------------------------------- */

static int read_model(struct plan *p, const char *model, const char *split, struct mat *m,
		      char *what, size_t cap)
{
	char *path = pat_subst(p->l->files, model, split);
	char *dset = pat_subst(p->features, model, split);
	struct source s;
	char buf[1024];
	int rc = path && dset ? source_open(&s, path) : -1;
	if (rc == 0) {
		const char *name = dset_pattern(s.kind, dset, buf, sizeof buf);
		source_what(&s, name, what, cap);
		rc = source_read_matrix(&s, name, m);
		source_close(&s);
	}
	free(path);
	free(dset);
	return rc;
}

/* Read the labels of split from every distinct place the patterns give
 * (one per model when they hold {model}) and check they agree.  *y NULL
 * when there are none. */
static int read_labels(struct plan *p, const char *split, size_t rows, int64_t **y,
		       size_t *n_classes)
{
	const char *fpat = p->l->labelfile ? p->l->labelfile : p->l->files;
	char first[1200] = "", what[1200], buf[1024];
	struct strset seen = { NULL, 0 };
	int rc = 0;
	*y = NULL;
	for (size_t j = 0; rc == 0 && j < p->models.n; j++) {
		char *path = pat_subst(fpat, p->models.v[j], split);
		char *dset = pat_subst(p->labels, p->models.v[j], split);
		char *key = path && dset ? malloc(strlen(path) + strlen(dset) + 2) : NULL;
		struct source s;
		size_t before = seen.n;
		if (key)
			sprintf(key, "%s\n%s", path, dset);
		int have = key ? strset_add(&seen, key) : -1;
		if (have == 0 && seen.n == before)
			have = 2; /* this file and dataset were read already */
		if (have == 0 && (have = source_open(&s, path)) == 0) {
			const char *name = dset_pattern(s.kind, dset, buf, sizeof buf);
			source_what(&s, name, what, sizeof what);
			/* a feature .npy holds no labels; a label file is read whole */
			have = s.kind == SOURCE_NPY && !p->l->labelfile ? 0 : source_has(&s, name);
			if (have == 0 && p->labels_required)
				have = -1, err_set("%s is missing", what);
			int64_t *v = NULL;
			size_t nc = 0;
			if (have == 1 && (have = source_read_labels(&s, name, rows, &v, &nc)) == 0) {
				if (!*y) {
					*y = v, *n_classes = nc;
					snprintf(first, sizeof first, "%s", what);
				} else {
					size_t i = 0;
					while (i < rows && v[i] == (*y)[i])
						i++;
					if (i < rows)
						have = -1, err_set("%s: row %zu has label %" PRId64 " but %s "
							"has %" PRId64 ": labels of one split must agree",
							what, i, v[i], first, (*y)[i]);
					if (nc > *n_classes)
						*n_classes = nc;
					free(v);
				}
			}
			source_close(&s);
		}
		rc = have < 0 ? -1 : 0;
		free(key);
		free(path);
		free(dset);
	}
	strset_free(&seen);
	if (rc < 0) {
		free(*y);
		*y = NULL;
	}
	return rc;
}

/* NAME.SPLIT (NAME alone for the split "") with invalid characters '_' */
static char *cache_name(const char *name, const char *split)
{
	size_t n = strlen(name) + strlen(split) + 2;
	char *s = malloc(n);
	if (!s)
		return err_nomem("object name", n);
	snprintf(s, n, "%s%s%s", name, *split ? "." : "", split);
	for (char *c = s + strlen(name); *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.')
			*c = '_';
	return s;
}

static int read_split(struct plan *p, const char *split, const char *name, struct cache_split *c)
{
	size_t m = p->models.n;
	struct mat *feat = calloc(m, sizeof *feat);
	char what[1200], first[1200] = "";
	int rc = feat ? 0 : -1;
	if (!feat)
		err_nomem("features", m * sizeof *feat);
	for (size_t j = 0; rc == 0 && j < m; j++) {
		rc = read_model(p, p->models.v[j], split, &feat[j], what, sizeof what);
		if (rc == 0 && j == 0)
			snprintf(first, sizeof first, "%s", what);
		if (rc == 0 && feat[j].rows != feat[0].rows) {
			err_set("%s has %zu rows but %s has %zu: every model of a split needs one row "
				"per data point", what, feat[j].rows, first, feat[0].rows);
			mat_free(&feat[j]);
			rc = -1;
		}
	}
	int64_t *y = NULL;
	size_t nc = 0;
	char *cname = NULL;
	if (rc == 0 && p->labels)
		rc = read_labels(p, split, feat[0].rows, &y, &nc);
	if (rc == 0 && !(cname = cache_name(name, split)))
		rc = -1;
	if (rc == 0)
		rc = h5_cache_split_init(c, cname, feat[0].rows, m);
	for (size_t j = 0; rc == 0 && j < m; j++) {
		if (!(c->model[j] = strdup(p->models.v[j]))) {
			err_nomem("model name", strlen(p->models.v[j]) + 1);
			h5_cache_split_free(c);
			rc = -1;
		}
	}
	if (rc == 0 && asprintf(&c->note, "assembled from %s%s%s", p->l->files,
				*split ? ", split " : "", split) < 0) {
		c->note = NULL;
		err_nomem("note", strlen(p->l->files) + strlen(split) + 32);
		h5_cache_split_free(c);
		rc = -1;
	}
	if (rc == 0) {
		for (size_t j = 0; j < m; j++) {
			size_t z;
			c->feat[j] = feat[j];
			c->zero_rows[j] = mat_normalize_rows(&c->feat[j], &z);
		}
		c->labels = y;
		c->n_classes = nc;
	} else {
		for (size_t j = 0; feat && j < m; j++)
			if (feat[j].data)
				mat_free(&feat[j]);
		free(y);
	}
	free(cname);
	free(feat);
	return rc;
}

int layout_load(const struct layout *l, const char *name, struct cache_split **splits,
		size_t *n_splits)
{
	struct plan p = { .l = l };
	int npy = npy_is_npy_path(l->files);
	if (npy && l->features) {
		err_set("features=%s: a .npy file holds one array; name the files instead "
			"(e.g. 'feats/{model}_{split}.npy')", l->features);
		return -1;
	}
	p.features = l->features ? l->features : npy ? "" : "features";
	p.labels_required = (l->labels && strcmp(l->labels, "none") != 0) || l->labelfile;
	p.labels = l->labels && !strcmp(l->labels, "none") ? NULL
		 : l->labels ? l->labels : l->labelfile && npy_is_npy_path(l->labelfile) ? ""
		 : "labels";
	if (npy && l->labels && strcmp(l->labels, "none") != 0 && !l->labelfile) {
		err_set("labels=%s: a .npy file holds only its features; name the labels' "
			"files with labelfile= (e.g. labelfile='labels_{split}.npy')", l->labels);
		return -1;
	}
	if (l->labelfile && l->labels && !strcmp(l->labels, "none")) {
		err_set("labelfile= and labels=none contradict each other");
		return -1;
	}
	struct cache_split *out = NULL;
	size_t done = 0;
	int rc = resolve_names(&p);
	if (rc == 0 && !(out = calloc(p.splits.n, sizeof *out))) {
		err_nomem("splits", p.splits.n * sizeof *out);
		rc = -1;
	}
	for (; rc == 0 && done < p.splits.n; done++)
		if (read_split(&p, p.splits.v[done], name, &out[done]) < 0)
			rc = -1;
	if (rc < 0) {
		h5_cache_splits_free(out, done);
	} else {
		*splits = out;
		*n_splits = p.splits.n;
	}
	strset_free(&p.models);
	strset_free(&p.splits);
	return rc;
}
