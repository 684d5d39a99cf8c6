/* UTF-8 decoding and checking (RFC 3629), table-free. */
#include "rollcall/utf8.h"

size_t utf8_decode(const char *s, size_t avail, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t v, min;
	size_t n;

	if (avail == 0)
		return 0;
	if (p[0] < 0x80) {
		if (cp)
			*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		v = p[0] & 0x1Fu;
		min = 0x80;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		v = p[0] & 0x0Fu;
		min = 0x800;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		v = p[0] & 0x07u;
		min = 0x10000;
	} else {
		return 0; /* a continuation byte, C0/C1 (always overlong) or F5..FF */
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	if (cp)
		*cp = v;
	return n;
}

long utf8_count(const char *s, size_t len, size_t *bad_at)
{
	long count = 0;

	for (size_t i = 0; i < len;) {
		size_t n;

		if ((unsigned char)s[i] < 0x80) { /* the common case, without a call */
			i++;
			count++;
			continue;
		}
		n = utf8_decode(s + i, len - i, NULL);
		if (n == 0) {
			if (bad_at)
				*bad_at = i;
			return -1;
		}
		i += n;
		count++;
	}
	return count;
}
