/* err.h - the one error path of rnr's library code.
 *
 * Library functions never print and never exit: on failure they record a
 * message with err_set() and return a failure status (-1 or NULL).  The
 * command layer reads err_msg() and prints it with the file:line of the
 * command that failed.  The buffer is thread-local so a job on a worker
 * thread cannot clobber the message of a command on the UI thread. */
#ifndef RNR_ERR_H
#define RNR_ERR_H

#include <stddef.h>

#if defined(__GNUC__)
#define RNR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RNR_PRINTF(a, b)
#endif

/* Record a message (printf format); replaces any earlier one. */
void err_set(const char *fmt, ...) RNR_PRINTF(1, 2);

/* Prefix the current message with "ctx: " (adds context on the way up). */
void err_prefix(const char *fmt, ...) RNR_PRINTF(1, 2);

/* The last message recorded on this thread ("" if none). */
const char *err_msg(void);

void err_clear(void);

/* Record "out of memory: <what> needs <bytes>" and return NULL. */
void *err_nomem(const char *what, size_t bytes);

#endif
