/* Unit tests for the TSM rules of the measures engine (measures_tsm.c, measures_weeks.c): the
 * DfE 5% bands and their 20-session floor, "at risk and falling" at its edge and with
 * configured category boundaries, per-pupil weeks, and terms by name and their dates. Each
 * school is a few weeks of weekdays with marks laid as runs of one code. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rollcall/codes.h"
#include "rollcall/date.h"
#include "rollcall/measures.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_SESS  480
#define MAX_PUP   12

typedef struct school {
	measures_session s[MAX_SESS];
	size_t ns;
	measures_enrolment en[MAX_PUP];
	measures_chars ch[MAX_PUP];
	size_t ne;
	uint8_t grid[MAX_PUP * MAX_SESS];
} school;

static int32_t ymd(const char *s)
{
	int32_t d;

	assert_int_equal(date_parse(s, strlen(s), &d), 0);
	return d;
}

static uint8_t code(const char *c)
{
	const rc_code *k = codes_find(c, strlen(c));

	assert_non_null(k);
	return k->id;
}

/* Both sessions of every weekday from first to last. */
static void add_weeks(school *sc, const char *first, const char *last)
{
	for (int32_t d = ymd(first); d <= ymd(last); d++) {
		if (date_weekday(d) >= 5)
			continue;
		for (uint8_t pm = 0; pm < 2; pm++) {
			assert_true(sc->ns < MAX_SESS);
			sc->s[sc->ns++] = (measures_session){.day = d, .pm = pm, .open = true};
		}
	}
}

/* A pupil of compulsory age (year 5) on roll throughout, present at every session. */
static size_t add_pupil(school *sc)
{
	size_t e = sc->ne++;

	assert_true(e < MAX_PUP);
	sc->ch[e] = (measures_chars){.valid_from = ymd("2020-09-01"), .nc_year = 5, .sex = 'F'};
	sc->en[e] = (measures_enrolment){.pupil_id = 100 + (int64_t)e,
	                                 .admission_day = ymd("2020-09-01"),
	                                 .leaving_day = MEASURES_NO_DAY,
	                                 .birth_day = ymd("2015-01-10"),
	                                 .chars = &sc->ch[e],
	                                 .n_chars = 1};
	return e;
}

/* Marks the sessions [from, from + n) of pupil e (indices into the sessions) with c. */
static void lay(school *sc, size_t e, size_t from, size_t n, const char *c)
{
	for (size_t i = from; i < from + n && i < sc->ns; i++)
		sc->grid[e * MAX_SESS + i] = code(c);
}

static measures *run(school *sc, const char *as_of, const measures_config *cfg)
{
	static uint8_t packed[MAX_PUP * MAX_SESS];
	measures_input in = {.sessions = sc->s,
	                     .n_sessions = sc->ns,
	                     .enrolments = sc->en,
	                     .n_enrolments = sc->ne,
	                     .grid = packed};
	measures *m = NULL;
	char err[200] = "";

	for (size_t e = 0; e < sc->ne; e++)
		memcpy(packed + e * sc->ns, sc->grid + e * MAX_SESS, sc->ns);
	assert_int_equal(measures_new(&m, &in, ymd(as_of), cfg, err, sizeof(err)), 0);
	return m;
}

/* ---- bands ----------------------------------------------------------------------------------- */

static void test_bands(void **state)
{
	static const struct {
		uint64_t absence, possible;
		int band;
	} cases[] = {
	        {0, 20, 0},         /* 0% with exactly the 20 sessions of the floor */
	        {0, 19, -1},        /* below the floor: not banded at all */
	        {19, 19, -1},       /* even at 100% */
	        {0, 0, -1},         /* no division by zero */
	        {1, 21, 0},         /* 4.8% */
	        {1, 20, 1},         /* 5% exactly: the 05-10 band starts at its edge */
	        {499, 10000, 0},    /* 4.99% */
	        {500, 10000, 1},    /* 5.00% */
	        {999, 10000, 1},    /* 9.99% */
	        {1000, 10000, 2},   /* 10%: the PA edge is a band edge */
	        {2, 20, 2},         /* 10% */
	        {4499, 10000, 8},   /* 44.99% */
	        {4500, 10000, 9},   /* 45% */
	        {4999, 10000, 9},   /* 49.99% */
	        {5000, 10000, 10},  /* 50%: SA */
	        {10, 20, 10},       /* 50% */
	        {20, 20, 10},       /* 100% */
	        {1, 3000000000, 0}, /* large counts stay exact */
	};

	for (size_t i = 0; i < N_ELEM(cases); i++)
		assert_int_equal(measures_band(cases[i].absence, cases[i].possible), cases[i].band);
	assert_string_equal(measures_band_name(0), "00-05");
	assert_string_equal(measures_band_name(1), "05-10");
	assert_string_equal(measures_band_name(9), "45-50");
	assert_string_equal(measures_band_name(10), "50+");
	assert_string_equal(measures_band_name(11), "");
	assert_string_equal(measures_band_name(-1), "");
}

/* Band counts over the headline population: a pupil with fewer than 20 possible sessions in the
 * period counts in no band (and not in the total); one outside the population neither. */
static void test_band_counts(void **state)
{
	static school sc;
	uint32_t counts[MEASURES_BANDS], total;
	measures *m;
	size_t a, b, c, d;

	memset(&sc, 0, sizeof(sc));
	add_weeks(&sc, "2024-09-02", "2024-09-20"); /* 3 weeks: 30 sessions */
	a = add_pupil(&sc);
	lay(&sc, a, 0, 30, "/");
	lay(&sc, a, 0, 3, "I"); /* 10%: band 10-15 */
	b = add_pupil(&sc);
	lay(&sc, b, 0, 30, "/");
	lay(&sc, b, 0, 15, "O"); /* 50%: band 50+ */
	c = add_pupil(&sc);
	lay(&sc, c, 0, 30, "/");
	lay(&sc, c, 0, 11, "Y2"); /* 19 possible sessions: not banded */
	d = add_pupil(&sc);
	lay(&sc, d, 0, 30, "/");
	sc.ch[d].boarder = true; /* outside the headline population */
	m = run(&sc, "2024-09-20", NULL);
	assert_int_equal(m->pupils[c].counts[MEASURES_YTD].possible, 19);
	measures_band_counts(m, MEASURES_YTD, counts, &total);
	assert_int_equal(total, 2);
	for (int k = 0; k < MEASURES_BANDS; k++)
		assert_int_equal(counts[k], k == 2 || k == 10 ? 1 : 0);
	measures_destroy(&m);
}

/* ---- at risk and falling ----------------------------------------------------------------------
 */

/* 14 school weeks (2 Sep - 6 Dec 2024, no holidays): 140 sessions; the last 4 weeks (from
 * 11 Nov) are the final 40, the rest of the year the first 100. */
enum { REST = 100, LAST4 = 40 };

static size_t falling_pupil(school *sc, unsigned rest_absent, unsigned last4_absent)
{
	size_t e = add_pupil(sc);

	lay(sc, e, 0, REST + LAST4, "/");
	lay(sc, e, 0, rest_absent, "I");
	lay(sc, e, REST, last4_absent, "N");
	return e;
}

static const uint32_t EDGES_4[4] = {400, 1000, 2500, 5000};
static const uint32_t EDGES_6[4] = {600, 1000, 2000, 5000};

static void test_falling(void **state)
{
	static const struct {
		unsigned rest_absent, last4_absent;
		uint32_t falling_bp;
		const uint32_t *edges; /* NULL: defaults */
		bool falling;
		const char *why;
	} cases[] = {
	        {8, 4, 200, NULL, true, "92% then 90%: exactly 2.0 pp lower, ytd 8.6%"},
	        {8, 4, 201, NULL, false, "the same drop under a 2.01 pp rule"},
	        {7, 4, 200, NULL, true, "93% then 90%: 3.0 pp"},
	        {8, 3, 200, NULL, false, "92% then 92.5%: rising"},
	        {8, 4, 0, NULL, true, "a rule of 0 pp: any fall, or level"},
	        {2, 4, 200, NULL, false, "98% then 90%: ytd 4.3%, expected, not at risk"},
	        {12, 8, 200, NULL, false, "ytd 14.3%: PA, not at risk"},
	        /* configured edges (4 / 10 / 25 / 50): ytd 4.3% is at risk of PA there */
	        {2, 4, 200, EDGES_4, true, "configured 4%"},
	        /* 6 / 10 / 20 / 50: ytd 5.7% is expected there */
	        {4, 4, 200, EDGES_6, false, "configured 6%"},
	};

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		static school sc;
		measures_config cfg;
		measures *m;
		size_t e;

		memset(&sc, 0, sizeof(sc));
		add_weeks(&sc, "2024-09-02", "2024-12-06");
		assert_int_equal(sc.ns, REST + LAST4);
		e = falling_pupil(&sc, cases[i].rest_absent, cases[i].last4_absent);
		measures_config_init(&cfg);
		if (cases[i].edges)
			memcpy(cfg.category_bp, cases[i].edges, sizeof(cfg.category_bp));
		m = run(&sc, "2024-12-06", &cfg);
		assert_int_equal(m->period_first[MEASURES_LAST4W], ymd("2024-11-11"));
		if (measures_falling(m, e, cases[i].falling_bp) != cases[i].falling)
			fail_msg("case %zu (%s): falling %d", i, cases[i].why, !cases[i].falling);
		measures_destroy(&m);
	}
}

/* The drop itself, exactly: 92% then 90% is 2 pp; early in the year, when the last 4 weeks
 * reach back into the summer term, there is no rest of the year to compare with. */
static void test_recent_drop(void **state)
{
	static school sc;
	int64_t num;
	uint64_t den;
	measures *m;
	size_t e;

	memset(&sc, 0, sizeof(sc));
	add_weeks(&sc, "2024-09-02", "2024-12-06");
	e = falling_pupil(&sc, 8, 4);
	m = run(&sc, "2024-12-06", NULL);
	assert_true(measures_recent_drop(m, e, &num, &den));
	assert_int_equal(num * 1, 2 * (int64_t)den);
	measures_destroy(&m);

	memset(&sc, 0, sizeof(sc));
	add_weeks(&sc, "2024-07-01", "2024-07-19");
	add_weeks(&sc, "2024-09-02", "2024-09-13");
	e = add_pupil(&sc);
	lay(&sc, e, 0, sc.ns, "/");
	lay(&sc, e, sc.ns - 4, 4, "O");
	m = run(&sc, "2024-09-13", NULL);
	assert_true(m->period_first[MEASURES_LAST4W] < m->period_first[MEASURES_YTD]);
	assert_false(measures_recent_drop(m, e, &num, &den));
	assert_false(measures_falling(m, e, 0));
	measures_destroy(&m);
}

/* Configured category boundaries at their edges (the at-risk edges move; PA and SA flags stay
 * at the legal 10% and 50% whatever the categories say). */
static void test_configured_edges(void **state)
{
	static const uint32_t edges[4] = {400, 1200, 2500, 4000};
	static const struct {
		uint64_t absence, possible;
		measures_category want;
		bool pa, sa;
	} cases[] = {
	        {4, 100, MEASURES_CAT_EXPECTED, false, false},       /* 4% exactly */
	        {401, 10000, MEASURES_CAT_AT_RISK_PA, false, false}, /* just over */
	        {10, 100, MEASURES_CAT_AT_RISK_PA, true, false},     /* PA by law, at risk here */
	        {1199, 10000, MEASURES_CAT_AT_RISK_PA, true, false},
	        {12, 100, MEASURES_CAT_PA, true, false}, /* 12% exactly */
	        {25, 100, MEASURES_CAT_PA, true, false}, /* 25% exactly */
	        {2501, 10000, MEASURES_CAT_AT_RISK_SA, true, false},
	        {3999, 10000, MEASURES_CAT_AT_RISK_SA, true, false},
	        {40, 100, MEASURES_CAT_SA, true, false}, /* SA category from 40%; not SA by law */
	        {50, 100, MEASURES_CAT_SA, true, true},
	};
	measures_config cfg;

	measures_config_init(&cfg);
	memcpy(cfg.category_bp, edges, sizeof(edges));
	assert_int_equal(measures_config_check(&cfg, NULL, 0), 0);
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		assert_int_equal(measures_categorise(&cfg, cases[i].absence, cases[i].possible),
		                 cases[i].want);
		assert_int_equal(
		        measures_rate_ge(cases[i].absence, cases[i].possible, MEASURES_PA_BP),
		        cases[i].pa);
		assert_int_equal(
		        measures_rate_ge(cases[i].absence, cases[i].possible, MEASURES_SA_BP),
		        cases[i].sa);
	}
}

/* ---- per-pupil weeks and the class cohort ------------------------------------------------------
 */

static void test_pupil_weeks(void **state)
{
	static school sc;
	int32_t *wk = NULL, *wk_all = NULL;
	uint64_t *pos = NULL, *abs = NULL, *pos_all = NULL, *abs_all = NULL;
	size_t n = 0, n_all = 0, list[2];
	measures_cohort_row in, out;
	measures *m;

	memset(&sc, 0, sizeof(sc));
	add_weeks(&sc, "2024-09-02", "2024-09-13");
	add_weeks(&sc, "2024-09-23", "2024-09-27"); /* a week without school between */
	list[0] = add_pupil(&sc);
	lay(&sc, list[0], 0, sc.ns, "/");
	lay(&sc, list[0], 10, 10, "I"); /* the whole second week */
	list[1] = add_pupil(&sc);
	lay(&sc, list[1], 0, sc.ns, "/");
	sc.ch[list[1]].boarder = true; /* rows for pupils outside the population too */
	sc.ch[list[1]].reg_group = 2;
	lay(&sc, list[1], 20, 1, "O");
	m = run(&sc, "2024-09-27", NULL);
	assert_int_equal(measures_pupil_week_series(m, list, 2, &wk, &pos, &abs, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(wk[0], ymd("2024-09-02"));
	assert_int_equal(wk[2], ymd("2024-09-23"));
	assert_int_equal(pos[0], 10);
	assert_int_equal(abs[0], 0);
	assert_int_equal(abs[1], 10);
	assert_int_equal(abs[2], 0);
	assert_int_equal(pos[n + 2], 10);
	assert_int_equal(abs[n + 2], 1);
	/* The school's series holds the population only: the first pupil. */
	assert_int_equal(measures_week_series(m, &wk_all, &pos_all, &abs_all, &n_all), 0);
	assert_int_equal(n_all, 3);
	assert_int_equal(abs_all[1], 10);
	assert_int_equal(abs_all[2], 0);
	free(wk);
	free(pos);
	free(abs);
	list[0] = 99;
	assert_int_equal(measures_pupil_week_series(m, list, 1, &wk, &pos, &abs, &n), -EINVAL);
	assert_null(wk);
	/* The class cohort: reg_group 2 is the boarder alone, outside the population. */
	measures_cohort_sum(m, MEASURES_YTD, MEASURES_COHORT_CLASS, 2, &in, &out);
	assert_int_equal(in.pupils, 0);
	assert_int_equal(out.pupils, 1);
	measures_cohort_sum(m, MEASURES_YTD, MEASURES_COHORT_CLASS, 0, &in, &out);
	assert_int_equal(in.pupils, 1);
	assert_string_equal(measures_cohort_name(MEASURES_COHORT_CLASS), "class");
	free(wk_all);
	free(pos_all);
	free(abs_all);
	measures_destroy(&m);
}

/* ---- terms by name -----------------------------------------------------------------------------
 */

static void test_term_labels(void **state)
{
	static const struct {
		const char *label;
		int rc, ay;
		measures_term_name name;
	} cases[] = {
	        {"2025-autumn", 0, 2025, MEASURES_AUTUMN},
	        {"2026-spring", 0, 2025, MEASURES_SPRING},
	        {"2026-summer", 0, 2025, MEASURES_SUMMER},
	        {"2024-autumn", 0, 2024, MEASURES_AUTUMN},
	        {"2025-winter", -EINVAL, 0, 0},
	        {"25-autumn", -EINVAL, 0, 0},
	        {"2025autumn", -EINVAL, 0, 0},
	        {"2025-autumnx", -EINVAL, 0, 0},
	        {"2025-Autumn", -EINVAL, 0, 0},
	        {"20a5-autumn", -EINVAL, 0, 0},
	        {"1899-autumn", -EINVAL, 0, 0},
	        {"", -EINVAL, 0, 0},
	};

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		int ay = -1;
		measures_term_name name = MEASURES_AUTUMN;
		char back[MEASURES_TERM_LABEL_LEN];

		assert_int_equal(
		        measures_term_parse(cases[i].label, strlen(cases[i].label), &ay, &name),
		        cases[i].rc);
		if (cases[i].rc)
			continue;
		assert_int_equal(ay, cases[i].ay);
		assert_int_equal(name, cases[i].name);
		assert_string_equal(measures_term_label(ay, name, back), cases[i].label);
	}
}

static void test_term_before(void **state)
{
	static const struct {
		int ay;
		measures_term_name name;
		int prev_ay;
		measures_term_name prev;
	} cases[] = {
	        {2025, MEASURES_AUTUMN, 2024, MEASURES_SUMMER},
	        {2025, MEASURES_SPRING, 2025, MEASURES_AUTUMN},
	        {2025, MEASURES_SUMMER, 2025, MEASURES_SPRING},
	};

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		int ay;
		measures_term_name name;

		measures_term_before(cases[i].ay, cases[i].name, &ay, &name);
		assert_int_equal(ay, cases[i].prev_ay);
		assert_int_equal(name, cases[i].prev);
	}
}

/* Term dates from the breaks: Easter 7-21 April 2025 makes summer start on the 22nd; with the
 * sessions only up to March, spring runs to 31 July and summer is not known. */
static void test_term_dates(void **state)
{
	static school sc;
	measures_term t;

	memset(&sc, 0, sizeof(sc));
	add_weeks(&sc, "2024-09-02", "2024-12-20");
	add_weeks(&sc, "2025-01-06", "2025-04-04");
	add_weeks(&sc, "2025-04-22", "2025-07-22");
	assert_int_equal(measures_term_dates(sc.s, sc.ns, 2024, MEASURES_AUTUMN, 5, &t), 0);
	assert_int_equal(t.first_day, ymd("2024-08-01"));
	assert_int_equal(t.last_day, ymd("2024-12-31"));
	assert_int_equal(measures_term_dates(sc.s, sc.ns, 2024, MEASURES_SPRING, 5, &t), 0);
	assert_int_equal(t.first_day, ymd("2025-01-01"));
	assert_int_equal(t.last_day, ymd("2025-04-21"));
	assert_int_equal(measures_term_dates(sc.s, sc.ns, 2024, MEASURES_SUMMER, 5, &t), 0);
	assert_int_equal(t.first_day, ymd("2025-04-22"));
	assert_int_equal(t.last_day, ymd("2025-07-31"));
	assert_int_equal(t.name, MEASURES_SUMMER);
	assert_int_equal(t.year, 2024);

	memset(&sc, 0, sizeof(sc));
	add_weeks(&sc, "2024-09-02", "2024-12-20");
	add_weeks(&sc, "2025-01-06", "2025-03-28");
	assert_int_equal(measures_term_dates(sc.s, sc.ns, 2024, MEASURES_SPRING, 5, &t), 0);
	assert_int_equal(t.last_day, ymd("2025-07-31"));
	assert_int_equal(measures_term_dates(sc.s, sc.ns, 2024, MEASURES_SUMMER, 5, &t), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_bands),
	        cmocka_unit_test(test_band_counts),
	        cmocka_unit_test(test_falling),
	        cmocka_unit_test(test_recent_drop),
	        cmocka_unit_test(test_configured_edges),
	        cmocka_unit_test(test_pupil_weeks),
	        cmocka_unit_test(test_term_labels),
	        cmocka_unit_test(test_term_before),
	        cmocka_unit_test(test_term_dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
