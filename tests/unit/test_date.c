/* Unit tests for date.c: day numbers, strict date parsing, academic years, ISO 8601 timestamps. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rollcall/codes.h"
#include "rollcall/date.h"

static void test_known_days(void **state)
{
	static const struct {
		int y, m, d;
		int32_t day;
		int weekday; /* 0 = Monday */
	} cases[] = {
	        {1970, 1, 1, 0, 3},         {1969, 12, 31, -1, 2},   {2000, 2, 29, 11016, 1},
	        {2000, 3, 1, 11017, 2},     {1900, 3, 1, -25508, 3}, {2024, 8, 19, 19954, 0},
	        {2024, 9, 2, 19968, 0},     {2025, 7, 31, 20300, 3}, {1600, 1, 1, -135140, 5},
	        {9999, 12, 31, 2932896, 4}, {2038, 1, 19, 24855, 1}, {2100, 2, 28, 47540, 6},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int y, m, d;
		char buf[11];
		assert_int_equal(date_from_ymd(cases[i].y, cases[i].m, cases[i].d), cases[i].day);
		date_to_ymd(cases[i].day, &y, &m, &d);
		assert_int_equal(y, cases[i].y);
		assert_int_equal(m, cases[i].m);
		assert_int_equal(d, cases[i].d);
		assert_int_equal(date_weekday(cases[i].day), cases[i].weekday);
		date_format(cases[i].day, buf);
		int32_t back;
		assert_int_equal(date_parse(buf, strlen(buf), &back), 0);
		assert_int_equal(back, cases[i].day);
	}
	/* The constant in codes.h is the day the 2024 codes took effect. */
	assert_int_equal(date_from_ymd(2024, 8, 19), RC_CODES_2024_FROM);
	/* Days outside the years 0000-9999 are written as no real date. */
	{
		char buf[11];
		assert_string_equal(date_format(INT32_MIN, buf), "0000-00-00");
		assert_string_equal(date_format(INT32_MAX, buf), "9999-99-99");
		assert_string_equal(date_format(date_from_ymd(0, 1, 1), buf), "0000-01-01");
	}
}

/* Every day from 1899 to 2101 round-trips, and consecutive days are consecutive dates. */
static void test_round_trip_range(void **state)
{
	int32_t from = date_from_ymd(1899, 1, 1), to = date_from_ymd(2101, 12, 31);
	int py, pm, pd;
	date_to_ymd(from - 1, &py, &pm, &pd);
	for (int32_t day = from; day <= to; day++) {
		int y, m, d;
		date_to_ymd(day, &y, &m, &d);
		assert_int_equal(date_from_ymd(y, m, d), day);
		if (d == 1)
			assert_true((m == pm + 1 && y == py) ||
			            (m == 1 && pm == 12 && y == py + 1));
		else
			assert_true(d == pd + 1 && m == pm && y == py);
		assert_int_equal(date_weekday(day), (date_weekday(day - 1) + 1) % 7);
		py = y;
		pm = m;
		pd = d;
	}
}

static void test_parse(void **state)
{
	static const struct {
		const char *s;
		int rc;
		int y, m, d;
	} cases[] = {
	        {"2024-09-02", 0, 2024, 9, 2},     {"2024-02-29", 0, 2024, 2, 29},
	        {"2000-02-29", 0, 2000, 2, 29},    {"1999-12-31", 0, 1999, 12, 31},
	        {"2023-02-29", -EINVAL, 0, 0, 0},  {"1900-02-29", -EINVAL, 0, 0, 0},
	        {"2024-04-31", -EINVAL, 0, 0, 0},  {"2024-13-01", -EINVAL, 0, 0, 0},
	        {"2024-00-10", -EINVAL, 0, 0, 0},  {"2024-01-00", -EINVAL, 0, 0, 0},
	        {"2024-1-01", -EINVAL, 0, 0, 0},   {"2024-01-1", -EINVAL, 0, 0, 0},
	        {"2024/01/01", -EINVAL, 0, 0, 0},  {" 2024-01-01", -EINVAL, 0, 0, 0},
	        {"2024-01-01 ", -EINVAL, 0, 0, 0}, {"2024-01-01T00:00:00Z", -EINVAL, 0, 0, 0},
	        {"20240101", -EINVAL, 0, 0, 0},    {"2024-0a-01", -EINVAL, 0, 0, 0},
	        {"+024-01-01", -EINVAL, 0, 0, 0},  {"", -EINVAL, 0, 0, 0},
	        {"02/09/2024", -EINVAL, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int32_t day = -12345;
		int rc = date_parse(cases[i].s, strlen(cases[i].s), &day);
		assert_int_equal(rc, cases[i].rc);
		if (rc == 0)
			assert_int_equal(day, date_from_ymd(cases[i].y, cases[i].m, cases[i].d));
		else
			assert_int_equal(day, -12345); /* untouched on failure */
	}
	/* len is honoured: a valid prefix of a longer buffer. */
	int32_t day;
	assert_int_equal(date_parse("2024-09-02xyz", 10, &day), 0);
	assert_int_equal(day, date_from_ymd(2024, 9, 2));
	assert_int_equal(date_parse("2024-09-02", 9, &day), -EINVAL);
}

static void test_academic_year(void **state)
{
	static const struct {
		const char *date;
		int ay;
	} cases[] = {
	        {"2024-08-01", 2024}, {"2024-07-31", 2023}, {"2025-07-31", 2024},
	        {"2025-08-01", 2025}, {"2024-12-31", 2024}, {"2025-01-01", 2024},
	        {"2000-02-29", 1999}, {"1970-01-01", 1969},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int32_t day;
		assert_int_equal(date_parse(cases[i].date, strlen(cases[i].date), &day), 0);
		assert_int_equal(date_academic_year(day), cases[i].ay);
		assert_true(date_academic_year_start(cases[i].ay) <= day);
		assert_true(date_academic_year_start(cases[i].ay + 1) > day);
	}
	assert_int_equal(date_academic_year_start(2024), date_from_ymd(2024, 8, 1));
}

#define SEC INT64_C(1000000)

static void test_ts_parse(void **state)
{
	/* 2024-09-02T00:00:00Z */
	const int64_t base = (int64_t)date_from_ymd(2024, 9, 2) * 86400 * SEC;
	static const struct {
		const char *s;
		int rc;
		int64_t off; /* from base, when rc == 0 */
	} cases[] = {
	        {"2024-09-02T08:41:00Z", 0, (8 * 3600 + 41 * 60) * SEC},
	        {"2024-09-02T08:41:00+01:00", 0, (7 * 3600 + 41 * 60) * SEC},
	        {"2024-09-02T08:41:00+0100", 0, (7 * 3600 + 41 * 60) * SEC},
	        {"2024-09-02T08:41:00-05:30", 0, (14 * 3600 + 11 * 60) * SEC},
	        {"2024-09-02T00:30:00+01:00", 0, -30 * 60 * SEC},
	        {"2024-09-02T23:59:59-00:00", 0, (23 * 3600 + 59 * 60 + 59) * SEC},
	        {"2024-09-02T08:41:00.5Z", 0, (8 * 3600 + 41 * 60) * SEC + 500000},
	        {"2024-09-02T08:41:00,25Z", 0, (8 * 3600 + 41 * 60) * SEC + 250000},
	        {"2024-09-02T08:41:00.123456Z", 0, (8 * 3600 + 41 * 60) * SEC + 123456},
	        {"2024-09-02T08:41:00.1234567Z", 0, (8 * 3600 + 41 * 60) * SEC + 123456},
	        {"2024-09-02T08:41:00.000001+01:00", 0, (7 * 3600 + 41 * 60) * SEC + 1},
	        {"2024-09-02T08:41:00", -EINVAL, 0},   /* no zone */
	        {"2024-09-02T08:41:00.5", -EINVAL, 0}, /* no zone */
	        {"2024-09-02 08:41:00Z", -EINVAL, 0},
	        {"2024-09-02T08:41Z", -EINVAL, 0},
	        {"2024-09-02T24:00:00Z", -EINVAL, 0},
	        {"2024-09-02T08:60:00Z", -EINVAL, 0},
	        {"2024-09-02T08:41:60Z", -EINVAL, 0},
	        {"2024-09-02T08:41:00.Z", -EINVAL, 0},
	        {"2024-09-02T08:41:00+1:00", -EINVAL, 0},
	        {"2024-09-02T08:41:00+01", -EINVAL, 0},
	        {"2024-09-02T08:41:00+01:0", -EINVAL, 0},
	        {"2024-09-02T08:41:00+24:00", -EINVAL, 0},
	        {"2024-09-02T08:41:00+01:60", -EINVAL, 0},
	        {"2024-09-02T08:41:00ZZ", -EINVAL, 0},
	        {"2024-09-02T08:41:00 Z", -EINVAL, 0},
	        {"2024-09-02T08:41:00Zjunk", -EINVAL, 0},
	        {"2023-02-29T08:41:00Z", -EINVAL, 0},
	        {"2024-09-02t08:41:00Z", -EINVAL, 0},
	        {"", -EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t us = 42;
		int rc = ts_parse(cases[i].s, strlen(cases[i].s), &us);
		if (rc != cases[i].rc)
			fail_msg("ts_parse(\"%s\") = %d, want %d", cases[i].s, rc, cases[i].rc);
		if (rc == 0)
			assert_int_equal(us, base + cases[i].off);
		else
			assert_int_equal(us, 42);
	}
}

static void test_ts_format(void **state)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
	        {"2024-09-02T08:41:00+01:00", "2024-09-02T07:41:00Z"},
	        {"2024-09-02T00:30:00+01:00", "2024-09-01T23:30:00Z"},
	        {"2024-09-02T08:41:00.999999Z", "2024-09-02T08:41:00Z"},
	        {"1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"},
	        {"1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59Z"},
	        {"2000-02-29T12:00:00-12:00", "2000-03-01T00:00:00Z"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t us;
		char buf[21];
		assert_int_equal(ts_parse(cases[i].in, strlen(cases[i].in), &us), 0);
		assert_string_equal(ts_format(us, buf, sizeof(buf)), cases[i].out);
	}
	/* A short buffer is truncated, never overrun. */
	char small[5];
	assert_string_equal(ts_format(0, small, sizeof(small)), "1970");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_known_days), cmocka_unit_test(test_round_trip_range),
	        cmocka_unit_test(test_parse),      cmocka_unit_test(test_academic_year),
	        cmocka_unit_test(test_ts_parse),   cmocka_unit_test(test_ts_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
