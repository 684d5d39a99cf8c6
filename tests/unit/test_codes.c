/* Unit tests for codes.c: the 2024 national code table, retired codes, lookups and reasons. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rollcall/codes.h"
#include "rollcall/date.h"

enum era { ALWAYS, NEW, RETIRED };

/* The whole of domain.md §2, written out independently of the table in codes.c. */
static const struct {
	const char *code;
	rc_category cat;
	rc_bucket bucket;
	enum era era;
} s_expect[] = {
        {"/", RC_CAT_PRESENT, RC_BUCKET_NONE, ALWAYS},
        {"\\", RC_CAT_PRESENT, RC_BUCKET_NONE, ALWAYS},
        {"L", RC_CAT_PRESENT, RC_BUCKET_NONE, ALWAYS},
        {"K", RC_CAT_AEA, RC_BUCKET_NONE, NEW},
        {"V", RC_CAT_AEA, RC_BUCKET_NONE, ALWAYS},
        {"P", RC_CAT_AEA, RC_BUCKET_NONE, ALWAYS},
        {"W", RC_CAT_AEA, RC_BUCKET_NONE, ALWAYS},
        {"B", RC_CAT_AEA, RC_BUCKET_NONE, ALWAYS},
        {"D", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, ALWAYS},
        {"C1", RC_CAT_AUTHORISED, RC_BUCKET_C1, NEW},
        {"M", RC_CAT_AUTHORISED, RC_BUCKET_M, ALWAYS},
        {"J1", RC_CAT_AUTHORISED, RC_BUCKET_J1, NEW},
        {"S", RC_CAT_AUTHORISED, RC_BUCKET_S, ALWAYS},
        {"X", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, ALWAYS},
        {"C2", RC_CAT_AUTHORISED, RC_BUCKET_C2, NEW},
        {"C", RC_CAT_AUTHORISED, RC_BUCKET_C, ALWAYS},
        {"T", RC_CAT_AUTHORISED, RC_BUCKET_T, ALWAYS},
        {"R", RC_CAT_AUTHORISED, RC_BUCKET_R, ALWAYS},
        {"I", RC_CAT_AUTHORISED, RC_BUCKET_I, ALWAYS},
        {"E", RC_CAT_AUTHORISED, RC_BUCKET_E, ALWAYS},
        {"Q", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, NEW},
        {"Y1", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, NEW},
        {"Y2", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, NEW},
        {"Y3", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, NEW},
        {"Y4", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, NEW},
        {"Y5", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, NEW},
        {"Y6", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, NEW},
        {"Y7", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, NEW},
        {"G", RC_CAT_UNAUTHORISED, RC_BUCKET_G, ALWAYS},
        {"N", RC_CAT_UNAUTHORISED, RC_BUCKET_N, ALWAYS},
        {"O", RC_CAT_UNAUTHORISED, RC_BUCKET_O, ALWAYS},
        {"U", RC_CAT_UNAUTHORISED, RC_BUCKET_U, ALWAYS},
        {"Z", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, ALWAYS},
        {"#", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, ALWAYS},
        {"H", RC_CAT_AUTHORISED, RC_BUCKET_NONE, RETIRED},
        {"F", RC_CAT_AUTHORISED, RC_BUCKET_NONE, RETIRED},
        {"J", RC_CAT_AEA, RC_BUCKET_NONE, RETIRED},
        {"Y", RC_CAT_NOT_COUNTED, RC_BUCKET_NONE, RETIRED},
};
#define N_EXPECT (sizeof(s_expect) / sizeof(s_expect[0]))

static void test_table_matches_domain(void **state)
{
	assert_int_equal(codes_count(), N_EXPECT);
	for (size_t i = 0; i < N_EXPECT; i++) {
		const rc_code *c = codes_find(s_expect[i].code, strlen(s_expect[i].code));
		if (c == NULL)
			fail_msg("code '%s' not found", s_expect[i].code);
		assert_string_equal(c->code, s_expect[i].code);
		assert_int_equal(c->category, s_expect[i].cat);
		assert_int_equal(c->bucket, s_expect[i].bucket);
		assert_non_null(c->meaning);
		assert_true(strlen(c->meaning) > 0);
		switch (s_expect[i].era) {
		case ALWAYS:
			assert_int_equal(c->valid_from, INT32_MIN);
			assert_int_equal(c->valid_until, INT32_MAX);
			break;
		case NEW:
			assert_int_equal(c->valid_from, RC_CODES_2024_FROM);
			assert_int_equal(c->valid_until, INT32_MAX);
			break;
		case RETIRED:
			assert_int_equal(c->valid_from, INT32_MIN);
			assert_int_equal(c->valid_until, RC_CODES_2024_FROM - 1);
			break;
		}
		/* by id and back */
		assert_ptr_equal(codes_by_id(c->id), c);
	}
}

static void test_ids(void **state)
{
	assert_null(codes_by_id(0));
	assert_null(codes_by_id((uint8_t)(codes_count() + 1)));
	assert_null(codes_by_id(255));
	for (size_t id = 1; id <= codes_count(); id++) {
		const rc_code *c = codes_by_id((uint8_t)id);
		assert_non_null(c);
		assert_int_equal(c->id, id);
		assert_true(strlen(c->code) == 1 || strlen(c->code) == 2);
		assert_ptr_equal(codes_find(c->code, strlen(c->code)), c);
		/* every bucketed code is an absence, and only absences have buckets */
		if (c->bucket != RC_BUCKET_NONE)
			assert_true(c->category == RC_CAT_AUTHORISED ||
			            c->category == RC_CAT_UNAUTHORISED);
	}
	/* Ids are stored with marks: pin the first and last few so a reorder fails here. */
	assert_string_equal(codes_by_id(1)->code, "/");
	assert_string_equal(codes_by_id(2)->code, "\\");
	assert_string_equal(codes_by_id(10)->code, "C1");
	assert_string_equal(codes_by_id(34)->code, "#");
	assert_string_equal(codes_by_id(38)->code, "Y");
}

static void test_find_rejects(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} cases[] = {
	        {"", 0},   {"l", 1},   {"n", 1},   {"c1", 2}, {"C3", 2}, {"C0", 2},   {"Y0", 2},
	        {"Y8", 2}, {"J2", 2},  {"K1", 2},  {"/ ", 2}, {" /", 2}, {"A", 1},    {"1", 1},
	        {"/", 0},  {"C1 ", 3}, {"Y12", 3}, {"NN", 2}, {"\0", 1}, {"\xc3", 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (codes_find(cases[i].s, cases[i].len) != NULL)
			fail_msg("case %zu: codes_find found something", i);
	assert_null(codes_find(NULL, 1));
	/* length decides, not NUL: "Y1" with len 1 is the retired "Y" */
	assert_string_equal(codes_find("Y1", 1)->code, "Y");
	assert_string_equal(codes_find("C1", 1)->code, "C");
}

static void test_possible_and_names(void **state)
{
	static const struct {
		rc_category cat;
		int possible;
		const char *name;
	} cats[] = {
	        {RC_CAT_PRESENT, 1, "present"},         {RC_CAT_AEA, 1, "aea"},
	        {RC_CAT_AUTHORISED, 1, "authorised"},   {RC_CAT_UNAUTHORISED, 1, "unauthorised"},
	        {RC_CAT_NOT_COUNTED, 0, "not_counted"},
	};
	for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
		assert_int_equal(codes_possible(cats[i].cat), cats[i].possible);
		assert_string_equal(codes_category_name(cats[i].cat), cats[i].name);
	}
	static const char *const buckets[RC_BUCKET_COUNT] = {
	        "", "I", "M", "R", "S", "T", "E", "J1", "C1", "C2", "C", "G", "U", "O", "N",
	};
	for (int b = 0; b < RC_BUCKET_COUNT; b++)
		assert_string_equal(codes_bucket_name((rc_bucket)b), buckets[b]);
	assert_string_equal(codes_bucket_name(RC_BUCKET_COUNT), "");
	/* A bucket's name is the code it collects. */
	for (size_t id = 1; id <= codes_count(); id++) {
		const rc_code *c = codes_by_id((uint8_t)id);
		if (c->bucket != RC_BUCKET_NONE)
			assert_string_equal(codes_bucket_name(c->bucket), c->code);
	}
}

static void test_check(void **state)
{
	enum { BEFORE, FROM, LATER, Y2000 };
	static const struct {
		const char *s;
		size_t len;
		int when; /* index into days[] below */
		int rc;
		const char *why;
	} cases[] = {
	        {"/", 1, BEFORE, 0, NULL},
	        {"/", 1, FROM, 0, NULL},
	        {"N", 1, Y2000, 0, NULL},
	        {"H", 1, BEFORE, 0, NULL},
	        {"F", 1, Y2000, 0, NULL},
	        {"J", 1, BEFORE, 0, NULL},
	        {"Y", 1, BEFORE, 0, NULL},
	        {"K", 1, FROM, 0, NULL},
	        {"Y7", 2, LATER, 0, NULL},
	        {"H", 1, FROM, -EINVAL, "code 'H' is retired for sessions from 2024-08-19"},
	        {"J", 1, LATER, -EINVAL, "code 'J' is retired for sessions from 2024-08-19"},
	        {"Y", 1, FROM, -EINVAL, "code 'Y' is retired for sessions from 2024-08-19"},
	        {"K", 1, BEFORE, -EINVAL, "code 'K' is only valid from 2024-08-19"},
	        {"C1", 2, BEFORE, -EINVAL, "code 'C1' is only valid from 2024-08-19"},
	        {"Q", 1, Y2000, -EINVAL, "code 'Q' is only valid from 2024-08-19"},
	        {"Q9", 2, FROM, -EINVAL, "unknown code 'Q9'"},
	        {"n", 1, FROM, -EINVAL, "unknown code 'n'"},
	        {"", 0, FROM, -EINVAL, "empty code"},
	        {"\x01\xff", 2, FROM, -EINVAL, "unknown code '\\x01\\xff'"},
	        {"a'b", 3, FROM, -EINVAL, "unknown code 'a\\'b'"},
	        {"ABCDEFGHIJKL", 12, FROM, -EINVAL, "unknown code 'ABCDEFGH...'"},
	        {"\n\n\n\n\n\n\n\n\n", 9, FROM, -EINVAL,
	         "unknown code '\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a...'"},
	};
	const int32_t days[] = {RC_CODES_2024_FROM - 1, RC_CODES_2024_FROM,
	                        date_from_ymd(2025, 1, 6), date_from_ymd(2000, 1, 1)};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const rc_code *out = (const rc_code *)&out; /* anything but NULL */
		char why[128] = "untouched";
		int32_t day = days[cases[i].when];
		int rc = codes_check(cases[i].s, cases[i].len, day, &out, why, sizeof(why));
		if (rc != cases[i].rc)
			fail_msg("case %zu ('%s'): rc %d, want %d (%s)", i, cases[i].s, rc,
			         cases[i].rc, why);
		if (rc == 0) {
			assert_ptr_equal(out, codes_find(cases[i].s, cases[i].len));
		} else {
			assert_null(out);
			assert_string_equal(why, cases[i].why);
		}
	}
}

static void test_check_small_buffers(void **state)
{
	const rc_code *out;
	char why[8];
	/* Truncated, NUL-terminated, and no buffer at all is allowed. */
	assert_int_equal(codes_check("Q9", 2, 0, &out, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "unknown");
	assert_int_equal(codes_check("Q9", 2, 0, NULL, NULL, 0), -EINVAL);
	assert_int_equal(codes_check("N", 1, 0, NULL, NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_table_matches_domain),
	        cmocka_unit_test(test_ids),
	        cmocka_unit_test(test_find_rejects),
	        cmocka_unit_test(test_possible_and_names),
	        cmocka_unit_test(test_check),
	        cmocka_unit_test(test_check_small_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
