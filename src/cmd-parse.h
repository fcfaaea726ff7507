/* cmd-parse.h - the tokenizer of the command language.
 *
 * A line holds one or more commands separated by ';' or a newline (a -c
 * string may hold several lines).  Words are separated by blanks; "double
 * quotes" allow blanks and the escapes \" \\ \n \t; 'single quotes' are
 * literal; '#' outside quotes starts a comment that runs to the end of its
 * line (the next newline), not of the string.  A word that starts with a quote is marked quoted,
 * so "a=b" is a plain word and never an option. */
#ifndef RNR_CMD_PARSE_H
#define RNR_CMD_PARSE_H

#include <stddef.h>

struct token {
	char *s;     /* the word, unquoted and unescaped */
	size_t col;  /* 1-based column where it starts */
	int quoted;  /* began with a quote */
};

struct cmd_call {
	struct token *tok; /* [n] */
	size_t n;
};

struct parsed_line {
	struct cmd_call *call; /* [n] commands, empty ones dropped */
	size_t n;
};

/* Split line into commands and words.  0 on success; -1 with err_set()
 * naming the column of an unterminated quote or a bad escape.  Free with
 * parse_free() in either case. */
int parse_line(const char *line, struct parsed_line *out);
void parse_free(struct parsed_line *p);

#endif
