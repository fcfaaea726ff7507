/* fuzz-session.c - libFuzzer target: whole command lines run by a session
 * whose workspace holds two small labelled caches (tr, te: 3 models, 12
 * and 6 rows).  Only commands that touch no file and finish in bounded
 * time run: a line naming load, save, export, source or a training command
 * (mlp, train, infer, continue, probe) is skipped whole.  Output goes to
 * /dev/null; a fresh session per input. */
#include "cmd-parse.h"
#include "cmd-table.h"
#include "fuzz.h"
#include "obj-cache.h"
#include "session.h"

#include <stdio.h>

static const char *const skipped[] = {
	"load", "save", "export", "source", "mlp", "train", "infer", "continue", "probe", NULL,
};

/* Would any command of line be one of skipped[]?  Unparseable and unknown
 * commands are run: their errors are part of what is tested. */
static int runs_skipped(const char *line)
{
	struct parsed_line p;
	int skip = 0;
	if (parse_line(line, &p) == 0)
		for (size_t c = 0; c < p.n && !skip; c++) {
			const struct cmd *cmd = cmd_lookup(p.call[c].tok[0].s);
			for (size_t k = 0; cmd && skipped[k] && !skip; k++)
				skip = strcmp(cmd->name, skipped[k]) == 0;
		}
	parse_free(&p);
	return skip;
}

/* rows of distinct directions, labels 0..2 */
static struct cache *small_cache(const char *name, size_t n, unsigned salt)
{
	static const char *const models[3] = { "ma", "mb", "mc" };
	static const size_t dim[3] = { 3, 3, 2 };
	struct cache *c = cache_new(name, n, 3);
	if (!c || !(c->labels = malloc(n * sizeof *c->labels)))
		abort();
	for (size_t j = 0; j < 3; j++) {
		if (!(c->model[j] = strdup(models[j])) ||
		    mat_init(&c->feat[j], n, dim[j], "fuzz cache") < 0)
			abort();
		for (size_t i = 0; i < n * dim[j]; i++)
			c->feat[j].data[i] = (float)((i * 7 + j * 3 + salt) % 11) - 5.0f;
		size_t first;
		c->zero_rows[j] = mat_normalize_rows(&c->feat[j], &first);
	}
	for (size_t i = 0; i < n; i++)
		c->labels[i] = (int64_t)(i % 3);
	c->n_classes = 3;
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (!devnull) {
		setenv("RNR_THREADS", "1", 1); /* fuzzers share the machine */
		if (!(devnull = fopen("/dev/null", "w")))
			abort();
	}
	char *line = fuzz_cstring(data, size);
	if (!line)
		return 0;
	if (!runs_skipped(line)) {
		struct session s;
		session_init(&s);
		s.out = s.err = devnull;
		if (ws_add(&s.ws, &small_cache("tr", 12, 1)->base, 0) < 0 ||
		    ws_add(&s.ws, &small_cache("te", 6, 2)->base, 0) < 0)
			abort();
		session_exec_line(&s, line);
		session_free(&s);
	}
	free(line);
	return 0;
}
