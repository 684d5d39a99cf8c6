/* Unit tests for upn.c: shape, temporary UPNs, check letter and the reasons given. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rollcall/upn.h"

static void test_check_letter(void **state)
{
	static const struct {
		const char *s12;
		char want;
	} cases[] = {
	        {"801200005001", 'B'}, /* domain.md §9 vectors */
	        {"80120000500A", 'M'}, {"201123456789", 'P'}, {"000000000000", 'A'}, /* sum 0 */
	        {"000000000001", 'P'},                                               /* 13 */
	        {"00000000000Z", 'L'},                      /* 22 * 13 = 286 = 12 * 23 + 10 */
	        {"8012000050O1", 0},                        /* letter O is never allowed */
	        {"80120000500a", 0},                        /* lower case */
	        {"80120000500I", 0},   {"8012000A5001", 0}, /* a letter before the last place */
	        {"80120000500 ", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got = upn_check_letter(cases[i].s12);
		if (got != cases[i].want)
			fail_msg("upn_check_letter(\"%s\") = %d, want %d", cases[i].s12, got,
			         cases[i].want);
	}
	assert_int_equal(upn_check_letter(NULL), 0);
}

static void test_check(void **state)
{
	static const struct {
		const char *s;
		int rc;
		const char *why;
	} cases[] = {
	        {"B801200005001", 0, NULL},
	        {"M80120000500A", 0, NULL},
	        {"P201123456789", 0, NULL},
	        {"A000000000000", 0, NULL},
	        {"A801200005001", -EINVAL, "check letter is A, expected B"},
	        {"B80120000500A", -EINVAL, "check letter is B, expected M"},
	        {"B80120000500", -EINVAL, "must be 13 characters, got 12"},
	        {"B8012000050011", -EINVAL, "must be 13 characters, got 14"},
	        {"", -EINVAL, "must be 13 characters, got 0"},
	        {"b801200005001", -EINVAL,
	         "character 1 must be a check letter (upper-case A-Z without I, O, S)"},
	        {"I801200005001", -EINVAL,
	         "character 1 must be a check letter (upper-case A-Z without I, O, S)"},
	        {"1801200005001", -EINVAL,
	         "character 1 must be a check letter (upper-case A-Z without I, O, S)"},
	        {"B8012X0005001", -EINVAL, "character 6 must be a digit"},
	        {"B8O1200005001", -EINVAL, "character 3 must be a digit"},
	        {"B80120000500A1", -EINVAL, "must be 13 characters, got 14"},
	        {"B8012000050A1", -EINVAL, "character 12 must be a digit"},
	        {"M80120000500a", -EINVAL,
	         "character 13 must be a digit or an upper-case letter other than I, O, S"},
	        {"M80120000500O", -EINVAL,
	         "character 13 must be a digit or an upper-case letter other than I, O, S"},
	        {"B80120000500-", -EINVAL,
	         "character 13 must be a digit or an upper-case letter other than I, O, S"},
	        {"B 01200005001", -EINVAL, "character 2 must be a digit"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[128] = "untouched";
		int rc = upn_check(cases[i].s, strlen(cases[i].s), why, sizeof(why));
		if (rc != cases[i].rc)
			fail_msg("upn_check(\"%s\") = %d, want %d (%s)", cases[i].s, rc,
			         cases[i].rc, why);
		if (rc != 0)
			assert_string_equal(why, cases[i].why);
	}
	/* An embedded NUL is a bad character, not the end of the string. */
	char why[64];
	assert_int_equal(upn_check("B8012\0000005001", 13, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "character 6 must be a digit");
	/* No reason buffer is fine; a small one is truncated. */
	assert_int_equal(upn_check("A801200005001", 13, NULL, 0), -EINVAL);
	char small[6];
	assert_int_equal(upn_check("A801200005001", 13, small, sizeof(small)), -EINVAL);
	assert_string_equal(small, "check");
	assert_int_equal(upn_check(NULL, 13, why, sizeof(why)), -EINVAL);
}

/* Every 13th-character variant of one UPN gets a check letter that upn_check accepts, and every
 * other first letter is refused: the check really depends on the data. */
static void test_all_check_letters(void **state)
{
	const char *last = "0123456789ABCDEFGHJKLMNPQRTUVWXYZ";
	const char *alphabet = "ABCDEFGHJKLMNPQRTUVWXYZ";
	for (size_t i = 0; last[i] != '\0'; i++) {
		char upn[14] = "?80120000500?";
		char want;
		upn[12] = last[i];
		want = upn_check_letter(upn + 1);
		assert_true(want != 0);
		for (size_t j = 0; alphabet[j] != '\0'; j++) {
			upn[0] = alphabet[j];
			assert_int_equal(upn_check(upn, 13, NULL, 0),
			                 alphabet[j] == want ? 0 : -EINVAL);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_check_letter),
	        cmocka_unit_test(test_check),
	        cmocka_unit_test(test_all_check_letters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
