/* test-parse.c - the tokenizer and the argument parser: quoting, comments,
 * ';', options, keywords, and errors that name the column or the usage. */
#include "args.h"
#include "cmd-parse.h"
#include "cmd-table.h"
#include "err.h"
#include "tap.h"

#include <string.h>

/* Parses line and checks the words of command c against want (NULL-ended). */
static void expect_words(const char *line, size_t c, const char *const *want)
{
	struct parsed_line p;
	int rc = parse_line(line, &p);
	int ok = rc == 0 && c < p.n;
	size_t i = 0;
	for (; ok && want[i]; i++)
		ok = i < p.call[c].n && strcmp(p.call[c].tok[i].s, want[i]) == 0;
	ok = ok && i == p.call[c].n;
	tap_ok(ok, "parse [%s] command %zu (%s)", line, c, rc ? err_msg() : "parsed");
	parse_free(&p);
}

static void expect_error(const char *line, const char *needle)
{
	struct parsed_line p;
	int rc = parse_line(line, &p);
	tap_ok(rc < 0 && strstr(err_msg(), needle), "parse [%s] fails with '%s': got '%s'",
	       line, needle, rc < 0 ? err_msg() : "(no error)");
	parse_free(&p);
}

static void test_tokenizer(void)
{
	expect_words("load data/x.h5 as fm", 0, (const char *[]){ "load", "data/x.h5", "as", "fm", NULL });
	expect_words("  echo   a\tb  ", 0, (const char *[]){ "echo", "a", "b", NULL });
	expect_words("echo \"a b\" 'c d'", 0, (const char *[]){ "echo", "a b", "c d", NULL });
	expect_words("echo \"x\\\"y\\\\z\"", 0, (const char *[]){ "echo", "x\"y\\z", NULL });
	expect_words("echo 'no \\n escapes'", 0, (const char *[]){ "echo", "no \\n escapes", NULL });
	expect_words("echo a# not a comment", 0, (const char *[]){ "echo", "a", NULL });
	expect_words("echo \"#\" x # comment", 0, (const char *[]){ "echo", "#", "x", NULL });
	expect_words("echo a; echo b", 1, (const char *[]){ "echo", "b", NULL });
	expect_words("echo \"a;b\"", 0, (const char *[]){ "echo", "a;b", NULL });
	expect_words("echo \"\" x", 0, (const char *[]){ "echo", "", "x", NULL });
	expect_words("echo pre\"mid dle\"post", 0, (const char *[]){ "echo", "premid dlepost", NULL });

	/* a newline separates commands; a comment ends at its line's end */
	expect_words("echo a\necho b", 1, (const char *[]){ "echo", "b", NULL });
	expect_words("echo a # c1\necho b # c2\necho c", 2, (const char *[]){ "echo", "c", NULL });
	expect_words("echo \"a\nb\" c", 0, (const char *[]){ "echo", "a\nb", "c", NULL });
	expect_words("# only\n\n  echo x", 0, (const char *[]){ "echo", "x", NULL });

	struct parsed_line p;
	tap_ok(parse_line("echo a # c\r\necho b\n", &p) == 0 && p.n == 2,
	       "CRLF lines with a comment: 2 commands (got %zu)", p.n);
	parse_free(&p);
	tap_ok(parse_line(" ; ;# only a comment", &p) == 0 && p.n == 0, "empty commands are dropped");
	parse_free(&p);
	tap_ok(parse_line("a \"b c\" d", &p) == 0 && p.call[0].tok[1].quoted &&
	       !p.call[0].tok[2].quoted && p.call[0].tok[2].col == 9, "quoted flag and column");
	parse_free(&p);

	expect_error("echo \"abc", "column 6: unterminated double quote");
	expect_error("echo x 'abc", "column 8: unterminated single quote");
	expect_error("echo \"a\\qb\"", "unknown escape");
}

static int dummy_exec(struct session *s, const struct args *a)
{
	(void)s, (void)a;
	return 0;
}

static const struct cmd demo = {
	.name = "demo", .usage = "demo A [B] [as NAME]", .summary = "", .help = "",
	.min_args = 1, .max_args = 2, .options = "epochs lr adam flag", .keywords = "as to",
	.exec = dummy_exec,
};

/* args_parse on line (its first word is the command) into a; rc returned. */
static int parse_args(const char *line, struct parsed_line *p, struct args *a)
{
	if (parse_line(line, p) < 0 || p->n != 1)
		return -2;
	return args_parse(a, &demo, &p->call[0]);
}

static void test_args(void)
{
	struct parsed_line p;
	struct args a;
	size_t epochs;
	double lr;
	int mode, flag;
	static const char *const modes[] = { "dense", "lazy", NULL };

	int rc = parse_args("demo x epochs=7 as out lr=1e-3 \"k=v\"", &p, &a);
	tap_ok(rc == 0 && a.n_pos == 2 && strcmp(a.pos[1], "k=v") == 0 &&
	       strcmp(args_kw(&a, "as"), "out") == 0 && !args_kw(&a, "to"),
	       "positionals, keyword and a quoted k=v that stays positional");
	tap_ok(args_size(&a, "epochs", 50, 1, 100, &epochs) == 0 && epochs == 7, "size option");
	tap_ok(args_double(&a, "lr", 3e-4, 0, 1, &lr) == 0 && lr == 1e-3, "double option");
	tap_ok(args_choice(&a, "adam", modes, 1, &mode) == 0 && mode == 1, "absent choice gets default");
	tap_ok(args_bool(&a, "flag", 0, &flag) == 0 && flag == 0, "absent bool gets default");
	parse_free(&p);

	rc = parse_args("demo x epochs=0 lr=abc adam=sparse flag=maybe", &p, &a);
	tap_ok(rc == 0, "options parse before their values are checked");
	tap_ok(args_size(&a, "epochs", 50, 1, 100, &epochs) < 0 &&
	       strstr(err_msg(), "epochs=0: out of range 1..100"), "range error: %s", err_msg());
	tap_ok(args_double(&a, "lr", 3e-4, 0, 1, &lr) < 0 && strstr(err_msg(), "lr=abc: not a number"),
	       "number error: %s", err_msg());
	tap_ok(args_choice(&a, "adam", modes, 0, &mode) < 0 && strstr(err_msg(), "expected one of dense, lazy"),
	       "choice error: %s", err_msg());
	tap_ok(args_bool(&a, "flag", 0, &flag) < 0 && strstr(err_msg(), "expected on or off"),
	       "bool error: %s", err_msg());
	parse_free(&p);

	rc = parse_args("demo", &p, &a);
	tap_ok(rc < 0 && strstr(err_msg(), "too few arguments; usage: demo A [B]"), "too few: %s", err_msg());
	parse_free(&p);
	rc = parse_args("demo a b c", &p, &a);
	tap_ok(rc < 0 && strstr(err_msg(), "too many arguments"), "too many: %s", err_msg());
	parse_free(&p);
	rc = parse_args("demo a bogus=1", &p, &a);
	tap_ok(rc < 0 && strstr(err_msg(), "unknown option 'bogus' (options: epochs lr adam flag)"),
	       "unknown option: %s", err_msg());
	parse_free(&p);
	rc = parse_args("demo a epochs=1 epochs=2", &p, &a);
	tap_ok(rc < 0 && strstr(err_msg(), "given twice"), "repeated option: %s", err_msg());
	parse_free(&p);
	rc = parse_args("demo a as", &p, &a);
	tap_ok(rc < 0 && strstr(err_msg(), "'as' needs a value"), "keyword without value: %s", err_msg());
	parse_free(&p);
}

static void test_lookup(void)
{
	const struct cmd *c = cmd_lookup("he");
	tap_ok(c && strcmp(c->name, "help") == 0, "unique prefix 'he' finds help");
	c = cmd_lookup("s");
	tap_ok(!c && strstr(err_msg(), "ambiguous command 's': ") && strstr(err_msg(), "save") &&
	       strstr(err_msg(), "show"), "ambiguous prefix lists candidates: %s", err_msg());
	c = cmd_lookup("frobnicate");
	tap_ok(!c && strstr(err_msg(), "unknown command 'frobnicate'"), "unknown command: %s", err_msg());
	for (size_t i = 0; cmd_table[i]; i++) {
		const struct cmd *t = cmd_table[i];
		tap_ok(cmd_lookup(t->name) == t && t->usage && t->summary && t->exec &&
		       t->min_args <= t->max_args, "table entry %s is complete and found by name", t->name);
	}
}

int main(void)
{
	test_tokenizer();
	test_args();
	test_lookup();
	return tap_done();
}
