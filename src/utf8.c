/* utf8.c - UTF-8 validation (see utf8.h). */
#include "utf8.h"

size_t utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char b = p[i];
		size_t n;
		unsigned lo = 0x80, hi = 0xbf; /* allowed range of the 2nd byte */
		if (b < 0x80) {
			i++;
			continue;
		} else if (b >= 0xc2 && b <= 0xdf) {
			n = 2;
		} else if (b >= 0xe0 && b <= 0xef) {
			n = 3;
			if (b == 0xe0)
				lo = 0xa0; /* overlong */
			else if (b == 0xed)
				hi = 0x9f; /* surrogates */
		} else if (b >= 0xf0 && b <= 0xf4) {
			n = 4;
			if (b == 0xf0)
				lo = 0x90; /* overlong */
			else if (b == 0xf4)
				hi = 0x8f; /* beyond U+10FFFF */
		} else {
			return i;
		}
		if (i + n > len || p[i + 1] < lo || p[i + 1] > hi)
			return i;
		for (size_t k = 2; k < n; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
		i += n;
	}
	return len;
}
