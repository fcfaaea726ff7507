/* job-run.h - running the session's train or infer job until it ends or
 * is stopped, for both front ends.
 *
 * At the plain prompt and in scripts the job runs in the calling thread:
 * per-epoch lines go to the session's output, a progress bar to a terminal
 * on stderr, and SIGINT (session_interrupted) stops it.  In the full-screen
 * UI the same loop runs on the worker thread that runs command lines; it
 * then publishes its progress in the session's struct jobrun_live (session.h), which
 * the UI thread reads without locks, and stops when the UI sets `stop`.
 * The loss history itself is published through its atomic step count
 * (obj-loss.h): the UI reads the steps below the count it loaded. */
#ifndef RNR_JOB_RUN_H
#define RNR_JOB_RUN_H

#include "session.h"

/* Run s->job until it finishes (then free it: s->job becomes NULL) or is
 * stopped (it stays in s->job for `continue`).  Prints "stopped at ..." or
 * "done: ..." to s->out.  With s->lock set the caller holds it; it is
 * released while the job steps and taken again before returning.
 * Returns 0. */
int jobrun_run(struct session *s);

#endif
