/* test-lossring.c - the loss history shared between a job's thread and the
 * UI: the job appends steps while readers take the published count and
 * read the steps below it.  No sample may be lost (the count ends at the
 * steps pushed, every one as written) or torn (a reader never sees a
 * step's values half written: each step here is a function of its index,
 * checked in full).  Then a real job run by jobrun_run() on a worker thread,
 * as the full-screen UI runs it, read live and stopped with the stop flag:
 * the job stays for `continue`, which finishes it.  CI runs this test under
 * ThreadSanitizer too (.ci/run), which reports any unordered access. */
#include "err.h"
#include "eval-baseline.h"
#include "job-run.h"
#include "job.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-loss.h"
#include "obj-mlp.h"
#include "rng.h"
#include "session.h"
#include "tap.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#define M 3
#define STEPS 200000

/* The values of step i: exact in double, different in every field. */
static double step_total(size_t i)
{
	return (double)i + 0.5;
}

static double step_model(size_t i, size_t k)
{
	return (double)i * 4.0 + (double)k + 0.25;
}

static atomic_int readers_up;

struct reader {
	const struct losshist *h;
	size_t reads, torn, backwards, last;
};

static void *writer_main(void *arg)
{
	struct losshist *h = arg;
	double pm[M];
	while (atomic_load(&readers_up) < 2)
		sched_yield(); /* both readers are reading before the first push */
	for (size_t i = 0; i < STEPS; i++) {
		for (size_t k = 0; k < M; k++)
			pm[k] = step_model(i, k);
		losshist_push(h, step_total(i), pm);
	}
	return NULL;
}

/* Reads until the writer is done: every time the newest step and a few
 * older ones, each in full. */
static void *reader_main(void *arg)
{
	struct reader *r = arg;
	size_t n = 0;
	struct rng g;
	rng_seed(&g, 7, 1);
	atomic_fetch_add(&readers_up, 1);
	while (n < STEPS) {
		n = losshist_count(r->h);
		if (n < r->last)
			r->backwards++;
		r->last = n;
		if (!n)
			continue;
		size_t pick[4] = { n - 1, n / 2, (size_t)rng_below(&g, n), 0 };
		for (size_t p = 0; p < 4; p++) {
			size_t i = pick[p];
			int bad = r->h->total[i] != step_total(i);
			for (size_t k = 0; k < M; k++)
				bad |= r->h->per_model[i * M + k] != step_model(i, k);
			r->torn += (size_t)bad;
		}
		r->reads++;
	}
	return NULL;
}

static void check_ring(void)
{
	char *names[M] = { "a", "b", "c" };
	struct losshist *h = losshist_new("ring", M, names, 100, 0);
	if (!tap_ok(h && losshist_reserve(h, STEPS) == 0, "a loss history reserves %d steps",
		    STEPS))
		return;
	pthread_t w, rd[2];
	struct reader r[2] = { { .h = h }, { .h = h } };
	pthread_create(&rd[0], NULL, reader_main, &r[0]);
	pthread_create(&rd[1], NULL, reader_main, &r[1]);
	pthread_create(&w, NULL, writer_main, h);
	pthread_join(w, NULL);
	pthread_join(rd[0], NULL);
	pthread_join(rd[1], NULL);
	size_t torn = r[0].torn + r[1].torn, back = r[0].backwards + r[1].backwards;
	tap_ok(torn == 0, "two readers beside the writer: %zu torn samples in %zu + %zu reads",
	       torn, r[0].reads, r[1].reads);
	tap_ok(back == 0, "the published count never goes back (%zu times)", back);
	size_t lost = 0;
	for (size_t i = 0; i < STEPS; i++) {
		int bad = h->total[i] != step_total(i);
		for (size_t k = 0; k < M; k++)
			bad |= h->per_model[i * M + k] != step_model(i, k);
		lost += (size_t)bad;
	}
	tap_ok(losshist_count(h) == STEPS && lost == 0,
	       "no lost samples: %zu of %d steps recorded, %zu wrong", losshist_count(h), STEPS,
	       lost);
	obj_free(&h->base);
}

/* ---- a real job on a worker thread ---- */

static struct cache *random_cache(size_t n, size_t d)
{
	struct cache *c = cache_new("c", n, 2);
	struct rng g;
	rng_seed(&g, 3, 1);
	for (size_t j = 0; j < 2; j++) {
		c->model[j] = strdup(j ? "m1" : "m0");
		mat_init(&c->feat[j], n, d, "test");
		for (size_t i = 0; i < n * d; i++)
			c->feat[j].data[i] = rng_uniform(&g, 0.0f, 1.0f);
		size_t first_zero;
		mat_normalize_rows(&c->feat[j], &first_zero);
	}
	return c;
}

/* What the UI's worker does: hold the session lock, run the job. */
static void *job_main(void *arg)
{
	struct session *s = arg;
	session_lock(s);
	jobrun_run(s);
	session_unlock(s);
	return NULL;
}

/* While the job runs: the published count only grows, every visible step
 * is whole (its total is the mean of its per-model losses) and the live
 * counters agree with it.  Stops the job once stop_at steps are visible
 * (0: never).  Returns the number of bad observations. */
static size_t watch(struct session *s, const struct losshist *h, pthread_t th, size_t stop_at,
		    size_t *seen)
{
	size_t bad = 0, last = 0;
	int stopped = 0;
	struct timespec pause = { 0, 200 * 1000 };
	for (;;) {
		int running = atomic_load_explicit(&s->live->running, memory_order_acquire);
		size_t n = losshist_count(h);
		if (n < last)
			bad++;
		last = n;
		for (size_t i = n > 8 ? n - 8 : 0; i < n; i++) {
			double sum = 0.0;
			for (size_t k = 0; k < h->m; k++)
				sum += h->per_model[i * h->m + k];
			double want = sum / (double)h->m;
			if (!(fabs(h->total[i] - want) <= 1e-12 * fabs(want)))
				bad++;
		}
		if (stop_at && n >= stop_at && !stopped) {
			atomic_store_explicit(&s->live->stop, 1, memory_order_relaxed);
			stopped = 1;
		}
		if (!running && pthread_tryjoin_np(th, NULL) == 0)
			break;
		nanosleep(&pause, NULL);
	}
	*seen = last;
	return bad;
}

static void check_job(void)
{
	struct cache *c = random_cache(200, 16);
	size_t idx[2] = { 0, 1 };
	struct mlpset *set = mlpset_new("dec", c, idx, 2, 16, 2, 0, 1);
	struct bank *bank = baseline_average(c, "psi", idx, 2);
	struct losshist *loss = losshist_new("psi.loss", 2, set->model, 200 / 8, 2);
	struct adam_hp hp = { 1e-3, 0.9, 0.999, 1e-8, 0.0, 0 };
	struct job_cfg cfg = { JOB_TRAIN, 40, 2, 8, hp, hp, BANK_ADAM_DENSE, 5, NULL };
	struct job *j = job_new(&cfg, c, set, bank, loss);
	if (!tap_ok(j != NULL, "a job over a random cache: %s", j ? "made" : err_msg()))
		return;
	size_t total = cfg.epochs * j->steps_per_epoch;

	struct session s;
	session_init(&s);
	s.set.progress = 0;
	s.out = fopen("/dev/null", "w");
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct jobrun_live live;
	session_live_init(&live);
	s.lock = &lock;
	s.live = &live;
	s.job = j;

	pthread_t th;
	size_t seen = 0;
	pthread_create(&th, NULL, job_main, &s);
	size_t bad = watch(&s, loss, th, total / 3, &seen);
	size_t n = losshist_count(loss);
	tap_ok(bad == 0, "job on a worker, read live: %zu bad observations", bad);
	tap_ok(s.job == j && n < total && n >= total / 3,
	       "the stop flag stops it at a step boundary with the job kept (%zu of %zu steps)",
	       n, total);
	tap_ok(j->epoch * j->steps_per_epoch + j->step == n &&
	       atomic_load(&live.done) == n && atomic_load(&live.total) == total &&
	       !atomic_load(&live.stop) && bank->base.busy && set->base.busy,
	       "steps, counters and the busy marks agree after the stop (job at %zu, "
	       "done %zu, total %zu, stop %d, busy %d %d)", j->epoch * j->steps_per_epoch + j->step,
	       atomic_load(&live.done), atomic_load(&live.total), atomic_load(&live.stop),
	       bank->base.busy, set->base.busy);

	/* `continue`: the same job to its end, which frees it */
	pthread_create(&th, NULL, job_main, &s);
	bad = watch(&s, loss, th, 0, &seen);
	tap_ok(bad == 0 && s.job == NULL && losshist_count(loss) == total &&
	       atomic_load(&live.done) == total && !bank->base.busy,
	       "continued to the end: %zu of %zu steps, %zu bad observations",
	       losshist_count(loss), total, bad);

	fclose(s.out);
	s.out = stdout;
	s.lock = NULL;
	s.live = NULL;
	session_free(&s);
	obj_free(&loss->base);
	obj_free(&bank->base);
	obj_free(&set->base);
	obj_free(&c->base);
}

int main(void)
{
	check_ring();
	check_job();
	return tap_done();
}
