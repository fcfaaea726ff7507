/* err.c - thread-local error message buffer (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ERR_CAP 1024

static _Thread_local char err_buf[ERR_CAP];

void err_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof err_buf, fmt, ap);
	va_end(ap);
}

void err_prefix(const char *fmt, ...)
{
	char ctx[ERR_CAP];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(ctx, sizeof ctx - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t head = strlen(ctx);
	memcpy(ctx + head, ": ", 3);
	head += 2;
	/* shift the old message right to make room; the tail may be cut */
	size_t keep = strlen(err_buf);
	if (head >= ERR_CAP)
		head = ERR_CAP - 1;
	if (keep > ERR_CAP - 1 - head)
		keep = ERR_CAP - 1 - head;
	memmove(err_buf + head, err_buf, keep);
	memcpy(err_buf, ctx, head);
	err_buf[head + keep] = '\0';
}

const char *err_msg(void)
{
	return err_buf;
}

void err_clear(void)
{
	err_buf[0] = '\0';
}

void *err_nomem(const char *what, size_t bytes)
{
	double mib = (double)bytes / (1024.0 * 1024.0);
	err_set("out of memory: %s needs %zu bytes (%.1f MiB)", what, bytes, mib);
	return NULL;
}
