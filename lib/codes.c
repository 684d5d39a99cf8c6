/* The national attendance code table (domain.md §2: 2024 codes plus the four codes retired on
 * 19 Aug 2024) and its lookups. Read-only data; codes_find is on the hot path of every mark. */
#include "rollcall/codes.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rollcall/date.h"

#define ALWAYS_FROM INT32_MIN
#define STILL_VALID INT32_MAX
#define NEW_2024    RC_CODES_2024_FROM
#define LAST_OLD    (RC_CODES_2024_FROM - 1)

/* Ids may be stored (marks keep a code id), so they are stable: new codes are appended, never
 * inserted, and an id is never reused. The enum gives each table row its index (id - 1) so the
 * switch in codes_find cannot drift from the table. */
enum {
	I_SLASH,
	I_BSLASH,
	I_L,
	I_K,
	I_V,
	I_P,
	I_W,
	I_B,
	I_D,
	I_C1,
	I_M,
	I_J1,
	I_S,
	I_X,
	I_C2,
	I_C,
	I_T,
	I_R,
	I_I,
	I_E,
	I_Q,
	I_Y1,
	I_Y2,
	I_Y3,
	I_Y4,
	I_Y5,
	I_Y6,
	I_Y7,
	I_G,
	I_N,
	I_O,
	I_U,
	I_Z,
	I_HASH,
	I_H, /* retired codes from here */
	I_F,
	I_J,
	I_Y,
	I_COUNT
};

#define ROW(ix, str, cat, bkt, from, until, text)                                                  \
	[ix] = {.id = (ix) + 1,                                                                    \
	        .code = str,                                                                       \
	        .category = RC_CAT_##cat,                                                          \
	        .bucket = RC_BUCKET_##bkt,                                                         \
	        .valid_from = from,                                                                \
	        .valid_until = until,                                                              \
	        .meaning = text}

/* Retired H and F (authorised holiday) have no 2024 bucket: they fall under RC_BUCKET_NONE
 * rather than being folded into C (other authorised), which would distort the 2024 breakdown.
 * Retired J and Y are AEA and not counted, so they have no bucket anyway. */
static const rc_code s_codes[I_COUNT] = {
        ROW(I_SLASH, "/", PRESENT, NONE, ALWAYS_FROM, STILL_VALID, "present (AM)"),
        ROW(I_BSLASH, "\\", PRESENT, NONE, ALWAYS_FROM, STILL_VALID, "present (PM)"),
        ROW(I_L, "L", PRESENT, NONE, ALWAYS_FROM, STILL_VALID,
            "late, arrived before register closed"),
        ROW(I_K, "K", AEA, NONE, NEW_2024, STILL_VALID, "education provision arranged by the LA"),
        ROW(I_V, "V", AEA, NONE, ALWAYS_FROM, STILL_VALID, "educational visit or trip"),
        ROW(I_P, "P", AEA, NONE, ALWAYS_FROM, STILL_VALID, "approved sporting activity"),
        ROW(I_W, "W", AEA, NONE, ALWAYS_FROM, STILL_VALID, "work experience"),
        ROW(I_B, "B", AEA, NONE, ALWAYS_FROM, STILL_VALID, "other approved educational activity"),
        ROW(I_D, "D", NOT_COUNTED, NONE, ALWAYS_FROM, STILL_VALID,
            "dual registered, attending the other school"),
        ROW(I_C1, "C1", AUTHORISED, C1, NEW_2024, STILL_VALID,
            "leave: regulated performance or employment abroad"),
        ROW(I_M, "M", AUTHORISED, M, ALWAYS_FROM, STILL_VALID,
            "leave: medical or dental appointment"),
        ROW(I_J1, "J1", AUTHORISED, J1, NEW_2024, STILL_VALID,
            "leave: interview for employment or another institution"),
        ROW(I_S, "S", AUTHORISED, S, ALWAYS_FROM, STILL_VALID, "leave: study leave"),
        ROW(I_X, "X", NOT_COUNTED, NONE, ALWAYS_FROM, STILL_VALID,
            "non-compulsory school age, not required to attend"),
        ROW(I_C2, "C2", AUTHORISED, C2, NEW_2024, STILL_VALID,
            "leave: temporary part-time timetable"),
        ROW(I_C, "C", AUTHORISED, C, ALWAYS_FROM, STILL_VALID, "leave: exceptional circumstances"),
        ROW(I_T, "T", AUTHORISED, T, ALWAYS_FROM, STILL_VALID,
            "parent travelling for occupational purposes"),
        ROW(I_R, "R", AUTHORISED, R, ALWAYS_FROM, STILL_VALID, "religious observance"),
        ROW(I_I, "I", AUTHORISED, I, ALWAYS_FROM, STILL_VALID, "illness, not appointments"),
        ROW(I_E, "E", AUTHORISED, E, ALWAYS_FROM, STILL_VALID,
            "suspended or excluded, no alternative provision"),
        ROW(I_Q, "Q", NOT_COUNTED, NONE, NEW_2024, STILL_VALID,
            "unable to attend: LA has not made access arrangements"),
        ROW(I_Y1, "Y1", NOT_COUNTED, NONE, NEW_2024, STILL_VALID, "unable to attend: transport"),
        ROW(I_Y2, "Y2", NOT_COUNTED, NONE, NEW_2024, STILL_VALID,
            "unable to attend: travel disruption"),
        ROW(I_Y3, "Y3", NOT_COUNTED, NONE, NEW_2024, STILL_VALID,
            "unable to attend: part of premises closed"),
        ROW(I_Y4, "Y4", NOT_COUNTED, NONE, NEW_2024, STILL_VALID,
            "unable to attend: whole site closed"),
        ROW(I_Y5, "Y5", NOT_COUNTED, NONE, NEW_2024, STILL_VALID,
            "unable to attend: criminal justice detention"),
        ROW(I_Y6, "Y6", NOT_COUNTED, NONE, NEW_2024, STILL_VALID,
            "unable to attend: public health law"),
        ROW(I_Y7, "Y7", NOT_COUNTED, NONE, NEW_2024, STILL_VALID,
            "unable to attend: other unavoidable cause"),
        ROW(I_G, "G", UNAUTHORISED, G, ALWAYS_FROM, STILL_VALID,
            "holiday not granted by the school"),
        ROW(I_N, "N", UNAUTHORISED, N, ALWAYS_FROM, STILL_VALID, "reason not yet established"),
        ROW(I_O, "O", UNAUTHORISED, O, ALWAYS_FROM, STILL_VALID,
            "other or unknown unauthorised absence"),
        ROW(I_U, "U", UNAUTHORISED, U, ALWAYS_FROM, STILL_VALID,
            "arrived after the register closed"),
        ROW(I_Z, "Z", NOT_COUNTED, NONE, ALWAYS_FROM, STILL_VALID,
            "prospective pupil not yet on the admission register"),
        ROW(I_HASH, "#", NOT_COUNTED, NONE, ALWAYS_FROM, STILL_VALID,
            "planned whole-school closure"),
        ROW(I_H, "H", AUTHORISED, NONE, ALWAYS_FROM, LAST_OLD,
            "authorised holiday (retired 2024-08-19)"),
        ROW(I_F, "F", AUTHORISED, NONE, ALWAYS_FROM, LAST_OLD,
            "extended authorised holiday (retired 2024-08-19)"),
        ROW(I_J, "J", AEA, NONE, ALWAYS_FROM, LAST_OLD, "interview (retired 2024-08-19)"),
        ROW(I_Y, "Y", NOT_COUNTED, NONE, ALWAYS_FROM, LAST_OLD,
            "exceptional circumstances (retired 2024-08-19)"),
};

size_t codes_count(void)
{
	return I_COUNT;
}

const rc_code *codes_by_id(uint8_t id)
{
	if (id == 0 || id > I_COUNT)
		return NULL;
	return &s_codes[id - 1];
}

/* Index of a one-character code, or -1. */
static int find1(char c)
{
	switch (c) {
	case '/':
		return I_SLASH;
	case '\\':
		return I_BSLASH;
	case 'L':
		return I_L;
	case 'K':
		return I_K;
	case 'V':
		return I_V;
	case 'P':
		return I_P;
	case 'W':
		return I_W;
	case 'B':
		return I_B;
	case 'D':
		return I_D;
	case 'M':
		return I_M;
	case 'S':
		return I_S;
	case 'X':
		return I_X;
	case 'C':
		return I_C;
	case 'T':
		return I_T;
	case 'R':
		return I_R;
	case 'I':
		return I_I;
	case 'E':
		return I_E;
	case 'Q':
		return I_Q;
	case 'G':
		return I_G;
	case 'N':
		return I_N;
	case 'O':
		return I_O;
	case 'U':
		return I_U;
	case 'Z':
		return I_Z;
	case '#':
		return I_HASH;
	case 'H':
		return I_H;
	case 'F':
		return I_F;
	case 'J':
		return I_J;
	case 'Y':
		return I_Y;
	default:
		return -1;
	}
}

/* Index of a two-character code, or -1. */
static int find2(char a, char b)
{
	switch (a) {
	case 'C':
		return b == '1' ? I_C1 : b == '2' ? I_C2 : -1;
	case 'J':
		return b == '1' ? I_J1 : -1;
	case 'Y':
		return b >= '1' && b <= '7' ? I_Y1 + (b - '1') : -1;
	default:
		return -1;
	}
}

const rc_code *codes_find(const char *s, size_t len)
{
	int ix = -1;
	if (s == NULL)
		return NULL;
	if (len == 1)
		ix = find1(s[0]);
	else if (len == 2)
		ix = find2(s[0], s[1]);
	return ix < 0 ? NULL : &s_codes[ix];
}

bool codes_possible(rc_category cat)
{
	switch (cat) {
	case RC_CAT_PRESENT:
	case RC_CAT_AEA:
	case RC_CAT_AUTHORISED:
	case RC_CAT_UNAUTHORISED:
		return true;
	case RC_CAT_NOT_COUNTED:
	default:
		return false;
	}
}

/* Writes s[0..len) for a message: printable ASCII as is (\ and ' escaped), anything else as
 * \xHH, at most 8 input bytes then "...". Input is untrusted and may be binary. */
static void quote_input(const char *s, size_t len, char *out, size_t outlen)
{
	size_t o = 0, i;
	const size_t max_in = 8;

	for (i = 0; i < len && i < max_in; i++) {
		unsigned char c = (unsigned char)s[i];
		char tmp[5];
		size_t n;
		if (c == '\\' || c == '\'') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			n = 2;
		} else if (c >= 0x20 && c < 0x7f) {
			tmp[0] = (char)c;
			n = 1;
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			n = 4;
		}
		if (o + n + 4 > outlen)
			break;
		memcpy(out + o, tmp, n);
		o += n;
	}
	if (i < len && o + 4 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

int codes_check(const char *s, size_t len, int32_t day, const rc_code **out, char *why,
                size_t whylen)
{
	const rc_code *c = codes_find(s, len);
	char buf[40], date[11];
	int rc = -EINVAL;

	if (out != NULL)
		*out = NULL;
	if (c == NULL) {
		if (s == NULL || len == 0) {
			if (why != NULL && whylen > 0)
				snprintf(why, whylen, "empty code");
			goto out;
		}
		quote_input(s, len, buf, sizeof(buf));
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "unknown code '%s'", buf);
		goto out;
	}
	if (day > c->valid_until) {
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "code '%s' is retired for sessions from %s", c->code,
			         date_format(c->valid_until + 1, date));
		goto out;
	}
	if (day < c->valid_from) {
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "code '%s' is only valid from %s", c->code,
			         date_format(c->valid_from, date));
		goto out;
	}
	if (out != NULL)
		*out = c;
	rc = 0;
out:
	return rc;
}

const char *codes_category_name(rc_category cat)
{
	switch (cat) {
	case RC_CAT_PRESENT:
		return "present";
	case RC_CAT_AEA:
		return "aea";
	case RC_CAT_AUTHORISED:
		return "authorised";
	case RC_CAT_UNAUTHORISED:
		return "unauthorised";
	case RC_CAT_NOT_COUNTED:
		return "not_counted";
	default:
		return "";
	}
}

const char *codes_bucket_name(rc_bucket b)
{
	switch (b) {
	case RC_BUCKET_I:
		return "I";
	case RC_BUCKET_M:
		return "M";
	case RC_BUCKET_R:
		return "R";
	case RC_BUCKET_S:
		return "S";
	case RC_BUCKET_T:
		return "T";
	case RC_BUCKET_E:
		return "E";
	case RC_BUCKET_J1:
		return "J1";
	case RC_BUCKET_C1:
		return "C1";
	case RC_BUCKET_C2:
		return "C2";
	case RC_BUCKET_C:
		return "C";
	case RC_BUCKET_G:
		return "G";
	case RC_BUCKET_U:
		return "U";
	case RC_BUCKET_O:
		return "O";
	case RC_BUCKET_N:
		return "N";
	case RC_BUCKET_NONE:
	default:
		return "";
	}
}
