/* job-run.c - the loop that steps a job (see job-run.h). */
#include "job-run.h"
#include "job.h"
#include "nn-bf16.h"
#include "obj-bank.h"
#include "obj-loss.h"
#include "err.h"
#include "par-mpi.h"
#include "ws-file.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_epoch(struct session *s, const struct job *j, double secs)
{
	const struct losshist *h = j->loss;
	size_t e = j->epoch - 1, n = h->n;
	fprintf(s->out, "%s %s: epoch %zu/%zu%s loss %.6f (", j->cfg.kind == JOB_TRAIN ?
		"train" : "infer", j->bank->base.name, e + 1, j->cfg.epochs,
		j->cfg.kind == JOB_TRAIN && e < j->cfg.warmup ? " warmup" : "",
		losshist_epoch_mean(h, e));
	for (size_t k = 0; k < h->m; k++) {
		double sum = 0.0;
		size_t a = e * h->steps_per_epoch;
		for (size_t i = a; i < n; i++)
			sum += h->per_model[i * h->m + k];
		fprintf(s->out, "%s%s %.4f", k ? " " : "", h->model[k], sum / (double)(n - a));
	}
	fprintf(s->out, ") %.2fs\n", secs);
	fflush(s->out);
}

static void progress_bar(const struct job *j)
{
	size_t done = j->epoch * j->steps_per_epoch + j->step;
	size_t all = j->cfg.epochs * j->steps_per_epoch;
	int width = 30, fill = (int)((double)width * (double)done / (double)all);
	fprintf(stderr, "\r  [%.*s%*s] %3d%% epoch %zu/%zu ", fill,
		"##############################", width - fill, "",
		(int)(100.0 * (double)done / (double)all), j->epoch + 1 > j->cfg.epochs ?
		j->cfg.epochs : j->epoch + 1, j->cfg.epochs);
	fflush(stderr);
}

static void publish(struct jobrun_live *live, const struct job *j)
{
	atomic_store_explicit(&live->done, j->epoch * j->steps_per_epoch + j->step,
			      memory_order_relaxed);
	atomic_store_explicit(&live->epoch, j->epoch, memory_order_relaxed);
}

static int stop_requested(const struct jobrun_live *live)
{
	return session_interrupted || session_terminated ||
	       (live && atomic_load_explicit(&live->stop, memory_order_relaxed));
}

int jobrun_run(struct session *s)
{
	struct job *j = s->job;
	struct jobrun_live *live = s->live;
	int bar = !live && isatty(STDERR_FILENO) && s->set.progress;
	double t0 = now_seconds(), te = t0;
	size_t steps = 0;
	int ckpt_failed = 0;
	job_hold(j, 1);
	if (live) {
		/* a stop asked for before this job started is stale */
		atomic_store_explicit(&live->stop, 0, memory_order_relaxed);
		atomic_store_explicit(&live->total, j->cfg.epochs * j->steps_per_epoch,
				      memory_order_relaxed);
		publish(live, j);
		atomic_store_explicit(&live->running, 1, memory_order_release);
	}
	/* the UI may read the objects while the job steps: read-only
	 * commands only, and the loss history through its atomic count */
	session_unlock(s);
	while (!job_done(j)) {
		/* under MPI the ranks stop together, at the same step */
		if (ranks_max(stop_requested(live)))
			break;
		size_t epoch = j->epoch;
		if (job_step(j) < 0) {
			/* a streamed cache that cannot be read: stopped, resumable */
			ckpt_failed = 1;
			break;
		}
		steps++;
		if (live)
			publish(live, j);
		if (bar && (j->step % 8 == 0 || j->epoch != epoch))
			progress_bar(j);
		if (j->epoch != epoch && s->set.progress) {
			double t = now_seconds();
			if (bar)
				fputs("\r\033[K", stderr);
			print_epoch(s, j, t - te);
			te = t;
		}
		/* a checkpoint that cannot be written stops the job: running on
		 * without the safety the user asked for is worse (the stream's
		 * prefetch settles first: HDF5 one thread at a time) */
		if (j->epoch != epoch && s->ckpt_path && j->epoch % s->ckpt_every == 0 &&
		    (job_settle(j), ws_file_checkpoint(s->ckpt_path, &s->set, j, s->ckpt_every)) < 0) {
			err_prefix("checkpoint after epoch %zu", j->epoch);
			ckpt_failed = 1;
			break;
		}
	}
	/* under MPI each rank trained its shard of the bank: share them; a
	 * signal that stopped one rank is every rank's; the next command
	 * may use HDF5, no prefetch may be reading */
	job_settle(j);
	job_sync_bank(j);
	if (ranks_size() > 1) {
		int sig = ranks_max(session_terminated);
		if (sig && !session_terminated)
			session_terminated = sig;
	}
	session_lock(s);
	if (live) {
		atomic_store_explicit(&live->running, 0, memory_order_release);
		atomic_store_explicit(&live->stop, 0, memory_order_relaxed);
	}
	double secs = now_seconds() - t0;
	if (bar)
		fputs("\r\033[K", stderr);
	if (!job_done(j) && session_terminated) {
		fprintf(s->out, "stopped at epoch %zu step %zu/%zu after %zu steps: rnr is "
			"leaving (signal %d), the job is abandoned\n", j->epoch + 1, j->step,
			j->steps_per_epoch, steps, (int)session_terminated);
		return 0;
	}
	if (!job_done(j)) {
		if (session_interrupted)
			session_interrupted = 0;
		fprintf(s->out, "stopped at epoch %zu step %zu/%zu after %zu steps: `continue` "
			"resumes, `cancel` ends the job\n", j->epoch + 1, j->step,
			j->steps_per_epoch, steps);
		return ckpt_failed ? -1 : 0;
	}
	fprintf(s->out, "done: %s after %zu epochs, loss %.6f", j->bank->base.name,
		j->cfg.epochs, losshist_epoch_mean(j->loss, j->cfg.epochs - 1));
	/* timings only with progress on, so transcripts stay reproducible */
	if (s->set.progress)
		fprintf(s->out, "; %zu steps in %.2f s (%.1f steps/s%s%s)", steps, secs,
			secs > 0 ? (double)steps / secs : 0.0,
			nn_precision() == NN_BF16 ? ", bf16 GEMMs: " : "",
			nn_precision() == NN_BF16 ? bf16_kernel() : "");
	fputc('\n', s->out);
	session_end_job(s);
	return ckpt_failed ? -1 : 0;
}
