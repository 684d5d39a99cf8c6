/* UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
 * U+10FFFF. Every text that reaches PostgreSQL or an output file is checked with it first, so
 * one bad byte in a row costs that row and nothing else. Pure functions. */
#ifndef ROLLCALL_UTF8_H
#define ROLLCALL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (1..4) of the well-formed sequence at s[0..avail), storing its code point in *cp
 * when cp is not NULL; 0 when the bytes there are not one (a stray continuation byte, an
 * overlong form, a surrogate, a value above U+10FFFF, or a sequence cut short by avail). */
size_t utf8_decode(const char *s, size_t avail, uint32_t *cp);

/* Checks s[0..len). Returns the number of code points, or -1 with the offset of the first bad
 * byte in *bad_at (when not NULL). */
long utf8_count(const char *s, size_t len, size_t *bad_at);

#endif
