/* obj-types.c - the one list of object types, used to load saved objects
 * by their rnr_type attribute.  Adding a type is one line here. */
#include "obj.h"
#include "obj-bank.h"
#include "obj-cache.h"
#include "obj-loss.h"
#include "obj-mlp.h"
#include "obj-table.h"
#include "obj-spectrum.h"
#include "obj-hist.h"
#include "obj-probe.h"
#include "obj-confusion.h"
#include "obj-sweep.h"

const struct obj_type *const obj_types[] = {
	&cache_type,
	&bank_type,
	&mlpset_type,
	&losshist_type,
	&knntable_type,
	&spectrum_type,
	&hist_type,
	&probe_type,
	&confusion_type,
	&sweep_type,
	NULL,
};
