/* fuzz-parse.c - libFuzzer target: the tokenizer (parse_line) and the
 * command lookup on any bytes.  Besides the sanitizers' checks, every
 * token must lie inside the line: its column in range and no word longer
 * than the line. */
#include "cmd-parse.h"
#include "cmd-table.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_cstring(data, size);
	if (!line)
		return 0;
	size_t len = strlen(line);
	struct parsed_line p;
	if (parse_line(line, &p) == 0) {
		for (size_t c = 0; c < p.n; c++) {
			if (p.call[c].n == 0)
				abort(); /* empty commands are dropped */
			for (size_t k = 0; k < p.call[c].n; k++) {
				const struct token *t = &p.call[c].tok[k];
				if (t->col < 1 || t->col > len || strlen(t->s) > len)
					abort();
			}
			cmd_lookup(p.call[c].tok[0].s);
		}
	}
	parse_free(&p);
	free(line);
	return 0;
}
