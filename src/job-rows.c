/* job-rows.c - a job's target rows, in place or streamed with one
 * prefetch thread (see job-rows.h). */
#include "job-rows.h"
#include "err.h"
#include "h5-stream.h"
#include "mat.h"
#include "obj-cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rowsrc {
	const struct cache *c;
	size_t m, B;
	size_t *model;          /* [m] cache index of target k */
	/* streamed only: */
	float *block;           /* the two batch buffers */
	float **buf[2];         /* [2][m] model k's rows in buffer s */
	uint64_t *key;          /* [B] sort keys */
	float *stage;           /* one chunk */
	int cur;                /* the buffer of the current batch */
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* the request (under mu) */
	const uint32_t *req_idx;
	size_t req_b;
	int req_slot, pending, done, quit, req_rc;
	char msg[512];          /* the prefetch's error, for the fetching thread */
};

static size_t total_dims(const struct cache *c, const size_t *model, size_t m)
{
	size_t d = 0;
	for (size_t k = 0; k < m; k++)
		d += c->feat[model[k]].cols;
	return d;
}

size_t rowsrc_bytes(const struct cache *c, const size_t *model, size_t m, size_t B)
{
	if (!c->stream)
		return 0;
	return (2 * B * total_dims(c, model, m) + h5_stream_chunk_floats(c->stream)) *
		       sizeof(float) + B * sizeof(uint64_t);
}

/* rows idx[0..b) of every model into buffer slot */
static int read_batch(struct rowsrc *r, int slot, const uint32_t *idx, size_t b)
{
	for (size_t k = 0; k < r->m; k++)
		if (h5_stream_rows(r->c->stream, r->model[k], idx, b, r->buf[slot][k], r->key,
				   r->stage) < 0)
			return -1;
	return 0;
}

static void *prefetch_main(void *arg)
{
	struct rowsrc *r = arg;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (!r->quit && (!r->pending || r->done))
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->quit)
			break;
		const uint32_t *idx = r->req_idx;
		size_t b = r->req_b;
		int slot = r->req_slot;
		pthread_mutex_unlock(&r->mu);
		int rc = read_batch(r, slot, idx, b);
		pthread_mutex_lock(&r->mu);
		if (rc < 0)
			snprintf(r->msg, sizeof r->msg, "%s", err_msg());
		r->req_rc = rc;
		r->done = 1;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

void rowsrc_free(struct rowsrc *r)
{
	if (!r)
		return;
	if (r->started) {
		pthread_mutex_lock(&r->mu);
		r->quit = 1;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thread, NULL);
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
	}
	mat_free_floats(r->block);
	mat_free_floats(r->stage);
	free(r->buf[0]);
	free(r->buf[1]);
	free(r->key);
	free(r->model);
	free(r);
}

/* the buffers and the thread of a streamed source */
static int start_stream(struct rowsrc *r)
{
	size_t D = total_dims(r->c, r->model, r->m);
	if (mat_check_cap(rowsrc_bytes(r->c, r->model, r->m, r->B),
			  "the streamed batches (two of them and a chunk)") < 0)
		return -1;
	r->buf[0] = calloc(r->m, sizeof *r->buf[0]);
	r->buf[1] = calloc(r->m, sizeof *r->buf[1]);
	r->key = malloc(r->B * sizeof *r->key);
	if (!r->buf[0] || !r->buf[1] || !r->key) {
		err_nomem("batch tables", r->B * sizeof *r->key);
		return -1;
	}
	if (!(r->block = mat_alloc_floats(2 * r->B * D, "streamed batches")) ||
	    !(r->stage = mat_alloc_floats(h5_stream_chunk_floats(r->c->stream),
					  "streamed chunk")))
		return -1;
	float *p = r->block;
	for (int s = 0; s < 2; s++)
		for (size_t k = 0; k < r->m; k++) {
			r->buf[s][k] = p;
			p += r->B * r->c->feat[r->model[k]].cols;
		}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	if (pthread_create(&r->thread, NULL, prefetch_main, r) != 0) {
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
		err_set("cannot start the prefetch thread of %s", r->c->base.name);
		return -1;
	}
	r->started = 1;
	return 0;
}

struct rowsrc *rowsrc_new(const struct cache *c, const size_t *model, size_t m, size_t B)
{
	struct rowsrc *r = calloc(1, sizeof *r);
	if (!r || !(r->model = malloc((m ? m : 1) * sizeof *r->model))) {
		free(r);
		return err_nomem("row source", sizeof *r);
	}
	r->c = c;
	r->m = m;
	r->B = B;
	memcpy(r->model, model, m * sizeof *model);
	if (c->stream && start_stream(r) < 0) {
		rowsrc_free(r);
		return NULL;
	}
	return r;
}

void rowsrc_prefetch(struct rowsrc *r, const uint32_t *idx, size_t b)
{
	if (!r->started)
		return;
	pthread_mutex_lock(&r->mu);
	/* one request at a time: an unclaimed one is finished first */
	while (r->pending && !r->done)
		pthread_cond_wait(&r->cv, &r->mu);
	r->req_idx = idx;
	r->req_b = b;
	r->req_slot = r->cur ^ 1;
	r->pending = 1;
	r->done = 0;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void rowsrc_settle(struct rowsrc *r)
{
	if (!r || !r->started)
		return;
	pthread_mutex_lock(&r->mu);
	while (r->pending && !r->done)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
}

int rowsrc_fetch(struct rowsrc *r, const uint32_t *idx, size_t b)
{
	if (!r->started)
		return 0;
	pthread_mutex_lock(&r->mu);
	while (r->pending && !r->done)
		pthread_cond_wait(&r->cv, &r->mu);
	int hit = r->pending && r->req_idx == idx && r->req_b == b;
	int rc = hit ? r->req_rc : 0, slot = hit ? r->req_slot : r->cur ^ 1;
	r->pending = 0;
	pthread_mutex_unlock(&r->mu);
	if (hit && rc < 0)
		err_set("%s", r->msg);
	else if (!hit)
		rc = read_batch(r, slot, idx, b);
	if (rc == 0)
		r->cur = slot;
	return rc;
}

const float *rowsrc_targets(const struct rowsrc *r, size_t k, const uint32_t *idx,
			    const uint32_t **zidx)
{
	if (!r->started) {
		*zidx = idx;
		return r->c->feat[r->model[k]].data;
	}
	*zidx = NULL;
	return r->buf[r->cur][k];
}
