/* tui-scrollback.c - the output pane's lines (see tui-scrollback.h).
 *
 * Commands print to session->out and session->err as they would on a
 * terminal; in the full-screen UI those are fopencookie() streams that land
 * here, line by line, from the worker and the UI thread alike.  Each writer
 * keeps its own partial line, so two streams interleave whole lines only.
 * Text is stored printable: tabs become blanks, '\r' starts the line over,
 * other control bytes are dropped. */
#include "tui-scrollback.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sb_line {
	char *text;
	enum sb_style style;
};

struct scrollback {
	pthread_mutex_t mu;
	struct sb_line *line;   /* ring [cap]: line[(head + i) % cap], i < n */
	size_t cap, head, n;
	unsigned long version;
};

/* One writer's partial line. */
struct sb_writer {
	struct scrollback *sb;
	enum sb_style style;
	char *buf;
	size_t len, cap;
};

/* The captured stderr's partial line: only the UI thread reads the pipe. */
static struct sb_writer fd_writer;

struct scrollback *scrollback_new(size_t max_lines)
{
	struct scrollback *sb = calloc(1, sizeof *sb);
	if (!sb)
		return NULL;
	sb->cap = max_lines ? max_lines : 1;
	sb->line = calloc(sb->cap, sizeof *sb->line);
	if (!sb->line) {
		free(sb);
		return NULL;
	}
	pthread_mutex_init(&sb->mu, NULL);
	return sb;
}

void scrollback_free(struct scrollback *sb)
{
	if (!sb)
		return;
	if (fd_writer.sb == sb) {
		free(fd_writer.buf);
		memset(&fd_writer, 0, sizeof fd_writer);
	}
	for (size_t i = 0; i < sb->n; i++)
		free(sb->line[(sb->head + i) % sb->cap].text);
	free(sb->line);
	pthread_mutex_destroy(&sb->mu);
	free(sb);
}

/* Under sb->mu: append one finished line (takes text). */
static void push_line(struct scrollback *sb, char *text, enum sb_style style)
{
	if (sb->n == sb->cap) {
		free(sb->line[sb->head].text);
		sb->head = (sb->head + 1) % sb->cap;
		sb->n--;
	}
	sb->line[(sb->head + sb->n) % sb->cap] = (struct sb_line){ text, style };
	sb->n++;
	sb->version++;
}

static int writer_put(struct sb_writer *w, char c)
{
	if (w->len + 1 >= w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 128;
		char *p = realloc(w->buf, cap);
		if (!p)
			return -1;
		w->buf = p;
		w->cap = cap;
	}
	w->buf[w->len++] = c;
	return 0;
}

static void writer_commit(struct sb_writer *w)
{
	char *text = malloc(w->len + 1);
	if (!text)
		return;
	memcpy(text, w->buf, w->len);
	text[w->len] = '\0';
	w->len = 0;
	pthread_mutex_lock(&w->sb->mu);
	push_line(w->sb, text, w->style);
	pthread_mutex_unlock(&w->sb->mu);
}

static void writer_write(struct sb_writer *w, const char *buf, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\n')
			writer_commit(w);
		else if (c == '\r')
			w->len = 0;
		else if (c == '\t')
			do
				writer_put(w, ' ');
			while (w->len % 8);
		else if (c >= 0x20 && c != 0x7f)
			writer_put(w, (char)c);
	}
}

void scrollback_add(struct scrollback *sb, enum sb_style style, const char *text)
{
	struct sb_writer w = { sb, style, NULL, 0, 0 };
	writer_write(&w, text, strlen(text));
	if (w.len)
		writer_commit(&w);
	free(w.buf);
}

static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
	writer_write(cookie, buf, size);
	return (ssize_t)size;
}

static int cookie_close(void *cookie)
{
	struct sb_writer *w = cookie;
	if (w->len)
		writer_commit(w);
	free(w->buf);
	free(w);
	return 0;
}

FILE *scrollback_stream(struct scrollback *sb, enum sb_style style)
{
	struct sb_writer *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->sb = sb;
	w->style = style;
	cookie_io_functions_t io = { .write = cookie_write, .close = cookie_close };
	FILE *f = fopencookie(w, "w", io);
	if (!f) {
		free(w);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

void scrollback_feed_fd(struct scrollback *sb, int fd)
{
	char buf[4096];
	fd_writer.sb = sb;
	fd_writer.style = SB_ERR;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r > 0) {
			writer_write(&fd_writer, buf, (size_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		break; /* EAGAIN: drained; 0: closed */
	}
	if (fd_writer.len > 1000)
		writer_commit(&fd_writer);
}

void scrollback_lock(struct scrollback *sb)
{
	pthread_mutex_lock(&sb->mu);
}

void scrollback_unlock(struct scrollback *sb)
{
	pthread_mutex_unlock(&sb->mu);
}

size_t scrollback_count(const struct scrollback *sb)
{
	return sb->n;
}

const char *scrollback_line(const struct scrollback *sb, size_t i, enum sb_style *style)
{
	const struct sb_line *l = &sb->line[(sb->head + i) % sb->cap];
	if (style)
		*style = l->style;
	return l->text;
}

unsigned long scrollback_version(const struct scrollback *sb)
{
	return sb->version;
}
