/* fe-common.h - what both interactive front ends (the plain readline
 * prompt and the full-screen UI) share: readline's history file and tab
 * completion of command names, object names, option keys and files. */
#ifndef RNR_FE_COMMON_H
#define RNR_FE_COMMON_H

#include "session.h"

/* Set readline up for rnr: the program name, the completion function
 * (which reads s's workspace) and word breaks; load the history from
 * $RNR_HISTORY, else ~/.rnr_history. */
void fe_readline_setup(struct session *s);

/* Add a line to the history unless it is empty or repeats the last one. */
void fe_history_add(const char *line);

/* Write the history back and free what fe_readline_setup made. */
void fe_readline_finish(void);

/* Guard the completion's reads of the workspace: enter(arg) returns 0
 * when the workspace may be read now (it is then released with
 * leave(arg)); otherwise only command names, option keys and files are
 * offered.  NULL enter: no guard (one thread). */
void fe_complete_guard(int (*enter)(void *), void (*leave)(void *), void *arg);

#endif
