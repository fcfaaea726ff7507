/* job-run.h - running the session's train or infer job until it ends or
 * is stopped, for both front ends.
 *
 * At the plain prompt and in scripts the job runs in the calling thread:
 * per-epoch lines go to the session's output, a progress bar to a terminal
 * on stderr, and SIGINT (session_interrupted) stops it.  In the full-screen
 * UI the same loop runs on the worker thread that runs command lines; it
 * then publishes its progress in the session's struct jobrun_live, which
 * the UI thread reads without locks, and stops when the UI sets `stop`.
 * The loss history itself is published through its atomic step count
 * (obj-loss.h): the UI reads the steps below the count it loaded. */
#ifndef RNR_JOB_RUN_H
#define RNR_JOB_RUN_H

#include <stdatomic.h>
#include <stddef.h>

#include "session.h"

/* Shared between the worker (writes the progress) and the UI thread
 * (writes stop and abort).  Counters are published with relaxed stores:
 * each is a number for display, read on its own. */
struct jobrun_live {
	atomic_int stop;        /* UI: stop the running job at its next step */
	atomic_int abort;       /* UI: stop the rest of the line or script too */
	atomic_int running;     /* worker: a job is stepping */
	atomic_size_t done;     /* worker: steps done of the job (all runs) */
	atomic_size_t total;    /* worker: steps of the whole job */
	atomic_size_t epoch;    /* worker: the epoch being run, 0-based */
};

void jobrun_live_init(struct jobrun_live *l);

/* Run s->job until it finishes (then free it: s->job becomes NULL) or is
 * stopped (it stays in s->job for `continue`).  Prints "stopped at ..." or
 * "done: ..." to s->out.  With s->lock set the caller holds it; it is
 * released while the job steps and taken again before returning.
 * Returns 0. */
int jobrun_run(struct session *s);

#endif
