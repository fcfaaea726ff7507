/* fuzz-pattern.c - libFuzzer target: the {model}/{split} patterns of
 * `load` (h5-pattern.c) and the names a layout load makes from them
 * (h5-layout.c).  The input is a pattern, a newline, a name (file or
 * dataset), a newline, a list such as "a,b".  Properties checked besides
 * the sanitizers':
 *  - a name that matches the pattern is given back by substituting the
 *    values the match found (pat_match and pat_subst agree);
 *  - pat_glob leaves no placeholder;
 *  - the default object name made from a pattern is a valid name;
 *  - strset_parse_list keeps no empty item. */
#include "err.h"
#include "fuzz.h"
#include "h5-layout.h"
#include "h5-pattern.h"
#include "ws.h"

#include <string.h>

static char *next_line(char **p)
{
	char *s = *p, *nl = s ? strchr(s, '\n') : NULL;
	if (nl)
		*nl = '\0';
	*p = nl ? nl + 1 : NULL;
	return s ? s : "";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_cstring(data, size);
	if (!in)
		return 0;
	char *p = in;
	const char *pat = next_line(&p), *name = next_line(&p), *list = next_line(&p);

	char *model = NULL, *split = NULL;
	int ways = pat_match(pat, name, &model, &split);
	if (ways < 0 || ways > 2)
		abort();
	if (ways >= 1) {
		if ((pat_has(pat, PAT_MODEL) && !model) || (pat_has(pat, PAT_SPLIT) && !split))
			abort(); /* a match gives every placeholder a value */
		char *back = pat_subst(pat, model, split);
		if (back && strcmp(back, name) != 0)
			abort();
		free(back);
	}
	free(model);
	free(split);

	char *glob = pat_glob(pat);
	if (glob && (pat_has(glob, PAT_MODEL) || pat_has(glob, PAT_SPLIT)))
		abort();
	free(glob);

	char buf[WS_NAME_MAX];
	layout_default_name(pat, buf, sizeof buf);
	if (ws_check_name(buf) < 0)
		abort();

	struct strset set = { 0 };
	err_clear();
	if (strset_parse_list(&set, list, "models") == 0) {
		for (size_t i = 0; i < set.n; i++)
			if (!set.v[i][0])
				abort();
	} else if (!err_msg()[0]) {
		abort();
	}
	strset_free(&set);
	free(in);
	return 0;
}
