/* fuzz-args.c - libFuzzer target: the option/value parser.  The first byte
 * picks a command descriptor of the real table; the rest is its argument
 * line.  args_parse() sorts the words, then every accessor reads every
 * option given (as size, u64, double, bool and choice), and the settings
 * parser takes each positional pair as NAME VALUE, as `set` does. */
#include "args.h"
#include "cmd.h"
#include "fuzz.h"
#include "settings.h"

#include <math.h>

static size_t n_commands(void)
{
	size_t n = 0;
	while (cmd_table[n])
		n++;
	return n;
}

static void read_options(const struct args *a)
{
	static const char *const choices[] = { "majority", "weighted", "both", NULL };
	for (size_t i = 0; i < a->n_opt; i++) {
		const char *key = a->opt[i].key;
		size_t z;
		uint64_t u;
		double d;
		int b, c;
		if (args_size(a, key, 1, 1, 1000, &z) == 0 && (z < 1 || z > 1000))
			abort();
		args_u64(a, key, 0, &u);
		if (args_double(a, key, 0.5, 0.0, 1.0, &d) == 0 && !(d >= 0.0 && d <= 1.0))
			abort();
		if (args_bool(a, key, 0, &b) == 0 && b != 0 && b != 1)
			abort();
		if (args_choice(a, key, choices, 0, &c) == 0 && (c < 0 || c > 2))
			abort();
		if (args_str(a, key, NULL) != a->opt[i].val)
			abort(); /* the first of a key is the one kept */
	}
	for (size_t i = 0; i < a->n_kw; i++)
		args_kw(a, a->kw[i].key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const struct cmd *c = cmd_table[data[0] % n_commands()];
	/* word 0 is the command name; the fuzzer writes the rest */
	char *line = fuzz_cstring(data, size);
	if (!line)
		return 0;
	line[0] = ' ';
	char *full = malloc(size + 2);
	if (!full) {
		free(line);
		return 0;
	}
	full[0] = 'x';
	memcpy(full + 1, line, size + 1);
	struct parsed_line p;
	struct args a;
	if (parse_line(full, &p) == 0 && p.n > 0 && args_parse(&a, c, &p.call[0]) == 0) {
		if (a.n_pos < c->min_args || a.n_pos > c->max_args)
			abort();
		read_options(&a);
		struct settings st;
		settings_defaults(&st);
		for (size_t i = 0; i + 1 < a.n_pos; i += 2)
			settings_set(&st, a.pos[i], a.pos[i + 1]);
	}
	parse_free(&p);
	free(full);
	free(line);
	return 0;
}
