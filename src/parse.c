/* parse.c - values typed as text: sizes, counts, reals, booleans (see
 * parse.h). */
#include "parse.h"
#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int parse_u64(const char *what, const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)s[0])) {
		err_set("%s=%s: not a non-negative integer", what, s);
		return -1;
	}
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end) {
		err_set("%s=%s: not a non-negative integer%s", what, s,
			errno == ERANGE ? " (too large)" : "");
		return -1;
	}
	*out = v;
	return 0;
}

int parse_size(const char *what, const char *s, size_t lo, size_t hi, size_t *out)
{
	uint64_t v;
	if (parse_u64(what, s, &v) < 0)
		return -1;
	if (v < lo || v > hi) {
		if (hi == SIZE_MAX) /* no upper bound worth printing */
			err_set("%s=%s: must be at least %zu", what, s, lo);
		else
			err_set("%s=%s: out of range %zu..%zu", what, s, lo, hi);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

int parse_bytes(const char *what, const char *s, size_t *out)
{
	if (strcmp(s, "off") == 0 || strcmp(s, "none") == 0) {
		*out = 0;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	double unit = 1.0;
	switch (*end) {
	case 'k': case 'K': unit = 1024.0; end++; break;
	case 'm': case 'M': unit = 1024.0 * 1024.0; end++; break;
	case 'g': case 'G': unit = 1024.0 * 1024.0 * 1024.0; end++; break;
	case 't': case 'T': unit = 1024.0 * 1024.0 * 1024.0 * 1024.0; end++; break;
	}
	if (unit > 1.0 && *end == 'i')
		end++;
	if (*end == 'B')
		end++;
	if (end == s || *end || errno || !isfinite(v) || v < 0.0 ||
	    v * unit >= 18446744073709551615.0) {
		err_set("%s=%s: not a size (give e.g. 512M, 4G or 1500000000, or off)", what, s);
		return -1;
	}
	*out = (size_t)(v * unit);
	return 0;
}

int parse_double(const char *what, const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v)) {
		err_set("%s=%s: not a number", what, s);
		return -1;
	}
	if (v < lo || v > hi) {
		/* %.10g: beta2's 0.99999999 must not print as 1 */
		err_set("%s=%s: out of range %.10g..%.10g", what, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_bool(const char *what, const char *s, int *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	err_set("%s=%s: expected on or off", what, s);
	return -1;
}
