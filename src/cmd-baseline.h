/* cmd-baseline.h - the options of the average init, shared by avg, train
 * and infer. */
#ifndef RNR_CMD_BASELINE_H
#define RNR_CMD_BASELINE_H

#include <stdint.h>

#include "args.h"
#include "eval-baseline.h"

/* init=pad|proj (default proj) and proj_seed= (default seed) into spec; the
 * dim is left as it is.  -1 with err_set(). */
int baseline_parse_init(const struct args *a, uint64_t seed, struct avg_spec *spec);

/* The help lines of those options. */
#define BASELINE_INIT_HELP \
	"Models whose dims differ from the bank's enter the average mapped by a\n" \
	"fixed random orthogonal map seeded by proj_seed= (init=proj, the default;\n" \
	"proj_seed defaults to `get seed`; works for any dims) or zero-padded\n" \
	"(init=pad: needs every model dim <= the bank's).  Models of the bank's\n" \
	"dim are added as they are.  doc/mixed-dims.md compares the two."

#endif
