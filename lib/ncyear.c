/* NC year groups: the one list of their spellings. */
#include "rollcall/ncyear.h"

#include <string.h>

static const char *const s_names[NCYEAR_COUNT] = {"N1", "N2", "R", "1",  "2",  "3",  "4",  "5", "6",
                                                  "7",  "8",  "9", "10", "11", "12", "13", "14"};

int8_t ncyear_parse(const char *s, size_t len)
{
	if (!s)
		return NCYEAR_UNKNOWN;
	for (int y = NCYEAR_N1; y <= NCYEAR_LAST; y++) {
		const char *n = s_names[y - NCYEAR_N1];

		if (strlen(n) == len && !memcmp(n, s, len))
			return (int8_t)y;
	}
	return NCYEAR_UNKNOWN;
}

const char *ncyear_name(int year)
{
	return year >= NCYEAR_N1 && year <= NCYEAR_LAST ? s_names[year - NCYEAR_N1] : NULL;
}
