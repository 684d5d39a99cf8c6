/* The engine's weekly series (trend by week on the trust page): school weeks only, the ytd
 * headline population only, possible and absence counted as the engine counts them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rollcall/codes.h"
#include "rollcall/date.h"
#include "rollcall/measures.h"

static uint8_t id(const char *code)
{
	return codes_find(code, strlen(code))->id;
}

static void test_weeks(void **state)
{
	/* Weeks of 2025-09-01 (Mon), 2025-09-08, a holiday week 2025-09-15, then 2025-09-22. */
	int32_t mon = date_from_ymd(2025, 9, 1);
	int32_t days[] = {mon, mon + 1, mon + 7, mon + 8, mon + 21};
	measures_session s[10];
	size_t ns = 0;
	measures_chars ch = {.valid_from = mon, .nc_year = 5, .sex = 'F'};
	measures_chars board = {.valid_from = mon, .nc_year = 5, .sex = 'F', .boarder = true};
	measures_enrolment en[3] = {
	        /* compulsory age, in the population */
	        {.pupil_id = 1,
	         .admission_day = mon,
	         .leaving_day = MEASURES_NO_DAY,
	         .birth_day = date_from_ymd(2015, 1, 1),
	         .chars = &ch,
	         .n_chars = 1},
	        /* a boarder (as at the day, like every characteristic): not in the population */
	        {.pupil_id = 2,
	         .admission_day = mon,
	         .leaving_day = MEASURES_NO_DAY,
	         .birth_day = date_from_ymd(2015, 1, 1),
	         .chars = &board,
	         .n_chars = 1},
	        /* Reception, aged 4: not of compulsory age */
	        {.pupil_id = 3,
	         .admission_day = mon,
	         .leaving_day = MEASURES_NO_DAY,
	         .birth_day = date_from_ymd(2021, 1, 1),
	         .chars = &ch,
	         .n_chars = 1},
	};
	uint8_t grid[3 * 10];
	measures_input in = {0};
	measures *m = NULL;
	int32_t *wk;
	uint64_t *pos, *abs;
	size_t n;
	char err[256];

	for (size_t i = 0; i < 5; i++)
		for (uint8_t pm = 0; pm < 2; pm++)
			s[ns++] = (measures_session){days[i], pm, true};
	for (size_t e = 0; e < 3; e++)
		for (size_t k = 0; k < ns; k++)
			grid[e * ns + k] = id("/");
	/* Pupil 1: week 1 one I and one #; week 2 two O; week 4 one D (not possible). */
	grid[0] = id("I");
	grid[1] = id("#");
	grid[4] = id("O");
	grid[5] = id("O");
	grid[9] = id("D");
	in.sessions = s;
	in.n_sessions = ns;
	in.enrolments = en;
	in.n_enrolments = 3;
	in.grid = grid;
	assert_int_equal(measures_new(&m, &in, mon + 21, NULL, err, sizeof(err)), 0);
	assert_int_equal(measures_week_series(m, &wk, &pos, &abs, &n), 0);
	assert_int_equal(n, 3); /* the holiday week is not a school week */
	assert_int_equal(wk[0], mon);
	assert_int_equal(wk[1], mon + 7);
	assert_int_equal(wk[2], mon + 21);
	assert_int_equal(pos[0], 3); /* 4 sessions, '#' not possible */
	assert_int_equal(abs[0], 1);
	assert_int_equal(pos[1], 4);
	assert_int_equal(abs[1], 2);
	assert_int_equal(pos[2], 1); /* D is not possible */
	assert_int_equal(abs[2], 0);
	free(wk);
	free(pos);
	free(abs);
	measures_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_weeks)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
