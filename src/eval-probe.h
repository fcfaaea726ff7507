/* eval-probe.h - linear evaluation with a cross-validated weight decay
 * (paper appendix A.2, figure 14).
 *
 * A softmax linear classifier, logits = x W + b with W [d x C] and b [C],
 * is trained on a labelled train matrix by minibatch SGD with momentum
 * (PyTorch's torch.optim.SGD: v = mu v + g, W -= lr_t v; no dampening, no
 * Nesterov) on the mean cross-entropy of a batch, with L2 weight decay wd
 * added to the gradient of W (not of b).  The learning rate follows a
 * cosine decay from lr to 0 over all steps (as linear evaluations in
 * solo-learn and MoCo v3 do) unless cosine is off.  W and b start at 0
 * (the problem is convex: no init to choose).  Batches follow a seeded
 * shuffle of the rows, reshuffled every epoch; a last partial batch is
 * kept.
 *
 * Protocol: a stratified 10% of the train rows (round(0.1 n_c) rows of
 * every class c, chosen by a seeded shuffle of that class's rows) is held
 * out; for every wd of the sweep a classifier is trained on the other 90%
 * and scored on the held-out rows; the wd with the best validation
 * accuracy (ties to the larger wd, the simpler model) is then used to train
 * on all train rows, which is scored on the test rows.
 *
 * Inputs, on copies: rows L2-normalised (normalize; as k-NN compares them,
 * so that a bank's row norms do not matter), then every column z-scored by
 * the train rows' mean and standard deviation (standardize).  The z-score
 * is affine, so it changes no decision boundary the classifier can draw,
 * only the conditioning SGD sees and what wd penalises: unit rows of
 * post-ReLU features share one dominant direction (mean cosine ~0.9, 94%
 * of the energy in sigma_1), and without it 100 epochs at lr 0.1 stop at
 * 78% where 86-87% is reachable (doc/analysis.md).
 *
 * Logits and gradients go through SGEMM; softmax and the loss in double.
 * Problems whose step GEMMs are small (batch x d x C < 2^22) run on one
 * BLAS thread, faster there and independent of the thread setting; the
 * same seed (and, for large problems, thread count) gives bit-identical
 * results.
 *
 * Errors: -1 with err_set(); nothing is printed. */
#ifndef RNR_EVAL_PROBE_H
#define RNR_EVAL_PROBE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "mat.h"

#define PROBE_MAX_WD 16

struct probe_opts {
	size_t n_wd;               /* weight decays to sweep, 1..PROBE_MAX_WD */
	double wd[PROBE_MAX_WD];   /* each >= 0 */
	size_t epochs;             /* >= 1 */
	size_t batch;              /* >= 1 */
	double lr;                 /* > 0 */
	double momentum;           /* 0 <= mu < 1 */
	double val_frac;           /* held-out share of each class, (0, 1) */
	int normalize;             /* L2-normalise rows first */
	int standardize;           /* then z-score columns by train statistics */
	int cosine;                /* lr decays as lr (1 + cos(pi t / T)) / 2 over the
				    * T steps; off: constant lr */
	uint64_t seed;             /* split and shuffles */
};

/* Defaults: wd 1e-6,1e-5,1e-4,1e-3,1e-2 (the paper's sweep), 100 epochs,
 * batch 256, lr 0.1 with cosine decay, momentum 0.9, 10% held out, rows
 * normalised, columns standardised, seed 0 (eval-probe.c says why). */
void probe_opts_default(struct probe_opts *o);

/* A trained classifier. */
struct probe_model {
	size_t d, c;
	float *w; /* [d x c] */
	float *b; /* [c] */
};

void probe_model_free(struct probe_model *m);

/* Split rows 0..n-1 by label y [n] (0..n_classes-1): for each class c,
 * round(frac * n_c) of its rows, picked by a shuffle seeded by seed, go to
 * val, the others to fit; both lists ascending.  fit, val have room for n.
 * -1 with err_set() if n exceeds 2^32 - 1 or nothing is held out. */
int probe_split(uint32_t *fit, size_t *n_fit, uint32_t *val, size_t *n_val,
		const int64_t *y, size_t n, size_t n_classes, double frac, uint64_t seed);

/* Train m (allocated here; free with probe_model_free) on rows [n_rows] of
 * x [n x d] with labels y [n] in 0..n_classes-1, weight decay wd, the
 * epochs, batch, lr, momentum and seed of o.  *loss (if not NULL) gets the
 * mean loss of the last epoch.  stop (may be NULL) is polled every epoch:
 * when set, -1 with "stopped".  -1 with err_set() on bad sizes or OOM. */
int probe_fit(struct probe_model *m, const struct mat *x, const int64_t *y,
	      size_t n_classes, const uint32_t *rows, size_t n_rows, double wd,
	      const struct probe_opts *o, const volatile sig_atomic_t *stop, double *loss);

/* How many of rows [n_rows] (NULL: all rows of x) m classifies as y; the
 * predicted class is the argmax of the logits, ties to the lowest class.
 * -1 (as size_t: SIZE_MAX) with err_set() on OOM. */
size_t probe_count_correct(const struct probe_model *m, const struct mat *x,
			   const int64_t *y, const uint32_t *rows, size_t n_rows);

/* The objective probe_fit minimises, naively in double: the mean
 * cross-entropy of m over rows [n_rows] of x plus (wd / 2) ||W||^2.  The
 * oracle of the SGEMM path's gradients in the tests (finite differences);
 * NAN when out of memory. */
double probe_loss(const struct probe_model *m, const struct mat *x, const int64_t *y,
		  const uint32_t *rows, size_t n_rows, double wd);

struct probe_result {
	size_t n_wd;
	double wd[PROBE_MAX_WD];
	double val_acc[PROBE_MAX_WD]; /* percent, on the held-out rows */
	size_t best;                  /* index of the chosen wd */
	double test_acc, train_acc;   /* percent, of the final classifier */
	double loss;                  /* its last epoch's mean loss */
	size_t n_fit, n_val, n_train, n_test, n_classes, d;
};

/* The whole protocol: train [n x d] with labels ytr, test [n' x d] with
 * labels yte, classes 0..n_classes-1 (a label outside is an error naming
 * the row).  *r is written only on success. */
int probe_run(struct probe_result *r, const struct mat *train, const int64_t *ytr,
	      size_t n_classes, const struct mat *test, const int64_t *yte,
	      const struct probe_opts *o, const volatile sig_atomic_t *stop);

#endif
