/* fuzz.h - what every fuzz target shares: the libFuzzer entry point and a
 * copy of the input as a C string (commands are strings; an embedded NUL
 * ends them, as it does for getline's callers). */
#ifndef RNR_FUZZ_H
#define RNR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data[0..size) plus a NUL; NULL when out of memory */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
