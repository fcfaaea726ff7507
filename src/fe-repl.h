/* fe-repl.h - the plain interactive front end: a GNU readline prompt with
 * history and completion over the session's command loop. */
#ifndef RNR_FE_REPL_H
#define RNR_FE_REPL_H

#include "session.h"

/* Read and run lines until quit or end of input.  History is read from and
 * written to $RNR_HISTORY, else ~/.rnr_history.  Returns 0. */
int repl_run(struct session *s);

#endif
