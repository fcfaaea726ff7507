/* tui-data.h - what the full-screen UI's panes show, copied from the
 * session into the view: the workspace's rows, the job's description and
 * speed, the chart rendered into cells.  tui_update() runs on the UI
 * thread only when it gets the session lock at once, so it never waits for
 * the worker; tui_show_chart() is `plot`'s hook and runs with the lock held
 * on either thread, so it only records what to draw. */
#ifndef RNR_TUI_DATA_H
#define RNR_TUI_DATA_H

#include <pthread.h>

#include "chart.h"
#include "session.h"
#include "tui-view.h"
#include "ws.h"

struct tui_data {
	struct session *s;
	pthread_mutex_t *lock;          /* the session lock (s->lock) */
	const struct jobrun_live *live; /* s->live */

	/* where the chart comes from: written under the session lock */
	char target[WS_NAME_MAX];       /* an object drawn live (a loss history) */
	struct chart *plot;             /* or a copy of what `plot` showed */
	char plot_name[WS_NAME_MAX];    /* the object it shows */
	const void *last_job;           /* job whose loss history was taken */
	char last_job_loss[WS_NAME_MAX];
	int logy;                       /* F2: the y axis log (toggle) */

	/* job speed, from samples of the step count */
	double rate_t[32];
	size_t rate_done[32], n_rate, rate_next;
};

/* Copy what the panes show from the session into v, if the session lock
 * is free now. */
void tui_update(struct tui_data *d, struct tui_view *v);
/* session->show_chart (s->ui is the struct tui_data): `plot` puts its
 * chart in the chart pane. */
int tui_show_chart(struct session *s, const char *name, const struct chart *c);
/* Free what d and v hold. */
void tui_data_free(struct tui_data *d, struct tui_view *v);

#endif
