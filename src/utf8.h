/* utf8.h - is a byte string valid UTF-8?  Command lines and the names read
 * from files are printed and typed back, so rnr takes them only as UTF-8. */
#ifndef RNR_UTF8_H
#define RNR_UTF8_H

#include <stddef.h>

/* Offset of the first byte of s[0..len) that does not start or continue a
 * well-formed UTF-8 sequence (overlong forms, surrogates and code points
 * beyond U+10FFFF count as invalid), or len if all of s is valid. */
size_t utf8_invalid_at(const char *s, size_t len);

#endif
