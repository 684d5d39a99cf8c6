/* Unique Pupil Number shape and check letter (domain.md §9). Pure functions; the reasons name the
 * position that is wrong but never echo untrusted bytes. */
#include "rollcall/upn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/* The 23 letters a UPN may use (no I, O or S): for the check letter and a temporary UPN's last
 * character. */
static const char s_alphabet[] = "ABCDEFGHJKLMNPQRTUVWXYZ";

/* Index of c in the alphabet, or -1 (lower case is not in it). */
static int letter_index(char c)
{
	for (int i = 0; s_alphabet[i] != '\0'; i++)
		if (s_alphabet[i] == c)
			return i;
	return -1;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

char upn_check_letter(const char *s12)
{
	int sum = 0;

	if (s12 == NULL)
		return 0;
	/* s12[i] is UPN character i + 2 and has weight i + 2. Characters 2-12 are digits; the
	 * last may be a letter (temporary UPN). */
	for (int i = 0; i < 12; i++) {
		int v;
		if (is_digit(s12[i]))
			v = s12[i] - '0';
		else if (i == 11 && (v = letter_index(s12[i])) >= 0)
			;
		else
			return 0;
		sum += v * (i + 2);
	}
	return s_alphabet[sum % 23];
}

__attribute__((format(printf, 3, 4))) static void reason(char *why, size_t whylen, const char *fmt,
                                                         ...)
{
	va_list ap;
	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

int upn_check(const char *s, size_t len, char *why, size_t whylen)
{
	char want;

	if (s == NULL || len != UPN_LEN) {
		reason(why, whylen, "must be %d characters, got %zu", UPN_LEN, s == NULL ? 0 : len);
		return -EINVAL;
	}
	if (letter_index(s[0]) < 0) {
		reason(why, whylen,
		       "character 1 must be a check letter (upper-case A-Z without I, O, S)");
		return -EINVAL;
	}
	for (int i = 1; i < 12; i++) {
		if (!is_digit(s[i])) {
			reason(why, whylen, "character %d must be a digit", i + 1);
			return -EINVAL;
		}
	}
	if (!is_digit(s[12]) && letter_index(s[12]) < 0) {
		reason(why, whylen,
		       "character 13 must be a digit or an upper-case letter other than I, O, S");
		return -EINVAL;
	}
	want = upn_check_letter(s + 1);
	if (want != s[0]) {
		reason(why, whylen, "check letter is %c, expected %c", s[0], want);
		return -EINVAL;
	}
	return 0;
}
