/* tui-signal.h - signals while the full-screen UI owns the terminal:
 * SIGINT, SIGTERM and SIGHUP become flags the loop reads, after a byte on
 * its self-pipe wakes it; SIGWINCH also wakes it (curses' own handler
 * queues KEY_RESIZE); SIGSEGV and the other fatal signals put the
 * terminal back before the process dies. */
#ifndef RNR_TUI_SIGNAL_H
#define RNR_TUI_SIGNAL_H

/* Install the handlers; each signal writes a byte to wake_fd. */
void tui_signals_install(int wake_fd);
/* Put back the handlers there were before; nothing writes wake_fd now. */
void tui_signals_restore(void);

/* What a fatal signal restores: the terminal's modes as they are now
 * (before curses changes them), and the terminfo capabilities caps
 * (NULL-terminated names, e.g. "sgr0"), written as they are now. */
void tui_fatal_save_tty(void);
void tui_fatal_restore_caps(const char *const *caps);

/* A SIGINT came since the last call (and is taken). */
int tui_signal_take_int(void);
/* The SIGTERM or SIGHUP that came, or 0. */
int tui_signal_term(void);

#endif
