/* tui.h - the full-screen terminal UI: a live chart of the running job, the
 * workspace, the output's scrollback, a status line and a readline prompt,
 * with jobs and long commands on a worker thread (see tui-int.h). */
#ifndef RNR_TUI_H
#define RNR_TUI_H

#include "session.h"

/* Can the UI run here: stdin and stdout terminals and a TERM that curses
 * knows and can address? */
int tui_usable(void);

/* Run the UI until `quit`, Ctrl-D or a confirmed Ctrl-C Ctrl-C.  Returns 0,
 * the number of the signal (SIGTERM, SIGHUP) that ended it, or -1 with
 * err_set() when the terminal could not be set up (nothing changed: the
 * caller may fall back to the plain prompt).  The terminal is restored in
 * every case, also on exit() from elsewhere and on a fatal signal. */
int tui_run(struct session *s);

#endif
