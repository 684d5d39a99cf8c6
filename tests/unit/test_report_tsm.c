/* Unit tests for the TSM pack (report_tsm.c, report_tsm_csv.c, report_tsm_html.c) over the
 * synthetic sample school (tests/tools/tsm_sample.c): who is on which list and who must not be,
 * the four CSV files as the contract names them, configured boundaries, the page's
 * self-containment, escaping, small groups, determinism and write errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rollcall/date.h"
#include "tsm_sample.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef struct fixture {
	tsm_report r;
	measures *m;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	assert_int_equal(tsm_sample_build(&fx->r, &fx->m, NULL), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;

	report_tsm_deinit(&fx->r);
	measures_destroy(&fx->m);
	free(fx);
	return 0;
}

static char *render(const tsm_report *r, int (*fn)(const tsm_report *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(r, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static const tsm_pupil *pupil(const tsm_report *r, size_t enrolment)
{
	for (size_t i = 0; i < r->n_pupils; i++)
		if (r->pupils[i].enrolment == enrolment)
			return &r->pupils[i];
	return NULL;
}

static int32_t ymd(const char *s)
{
	int32_t d;

	assert_int_equal(date_parse(s, strlen(s), &d), 0);
	return d;
}

/* Each list holds the pupil made for it, and the pupils who must stay off a list do. */
static void test_lists(void **state)
{
	const tsm_report *r = &((fixture *)*state)->r;
	static const struct {
		size_t enrolment;
		unsigned must, must_not;
		const char *why;
	} cases[] = {
	        {SAMPLE_SA, TSM_FLAG_SA | TSM_FLAG_PA, 0, "SA is PA too"},
	        {SAMPLE_PA, TSM_FLAG_PA, TSM_FLAG_SA | TSM_FLAG_AT_RISK, "PA only"},
	        {SAMPLE_FALLING, TSM_FLAG_AT_RISK, TSM_FLAG_PA, "at risk and falling"},
	        {SAMPLE_EPISODE, TSM_FLAG_ATTENDANCE_RETURN | TSM_FLAG_PENALTY, 0, "open episode"},
	        {SAMPLE_SICK, TSM_FLAG_SICKNESS_RETURN, 0, "32 illness sessions in a run"},
	        {SAMPLE_PENALTY, TSM_FLAG_PENALTY, TSM_FLAG_PA | TSM_FLAG_AT_RISK, "10 G sessions"},
	        {SAMPLE_BOARDER_SA, 0, TSM_FLAG_SA | TSM_FLAG_PA | TSM_FLAG_AT_RISK,
	         "a boarder is outside the headline lists"},
	};

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		const tsm_pupil *p = pupil(r, cases[i].enrolment);

		if (cases[i].must && !p)
			fail_msg("%s: not listed", cases[i].why);
		if (p &&
		    ((p->flags & cases[i].must) != cases[i].must || (p->flags & cases[i].must_not)))
			fail_msg("%s: flags %#x", cases[i].why, p->flags);
	}
	/* Not on roll on the day, or not of compulsory school age: on no list. */
	assert_null(pupil(r, SAMPLE_LEAVER_PA));
	assert_null(pupil(r, SAMPLE_NURSERY));
	/* Every listed pupil has a flag and is on roll. */
	for (size_t i = 0; i < r->n_pupils; i++) {
		assert_true(r->pupils[i].flags != 0);
		assert_true(((fixture *)*state)->m->pupils[r->pupils[i].enrolment].on_roll);
	}
}

/* The engine's figures behind the lists: the episode's length and start, the sickness return's
 * reason and day, the penalty count and window. */
static void test_list_details(void **state)
{
	fixture *fx = *state;
	const tsm_report *r = &fx->r;
	const tsm_pupil *ep = pupil(r, SAMPLE_EPISODE), *sick = pupil(r, SAMPLE_SICK);
	const tsm_pupil *pen = pupil(r, SAMPLE_PENALTY);

	assert_non_null(ep);
	assert_int_equal(ep->episode_sessions, 24);
	assert_int_equal(ep->episode_start, ymd("2025-03-06"));     /* 12 school days back */
	assert_int_equal(ep->episode_qualified, ymd("2025-03-19")); /* its 20th session */
	assert_non_null(sick);
	assert_int_equal(sick->sick_status, MEASURES_SICK_REACHED);
	assert_int_equal(sick->sick_reason, MEASURES_SICK_CONTINUOUS);
	assert_int_equal(sick->sick_reached, ymd("2025-01-31")); /* 30th of 32 from 13 Jan */
	assert_true(sick->illness_ytd >= 32);
	assert_non_null(pen);
	assert_int_equal(pen->penalty_sessions, 10);
	assert_int_equal(r->penalty_first, ymd("2025-01-06"));
	assert_int_equal(r->penalty_last, ymd(SAMPLE_AS_OF));
	/* The previous term and the same point last year came through. */
	assert_true(r->has_prev);
	assert_string_equal(r->prev_label, "2024-autumn");
	assert_string_equal(r->term_label, "2025-spring");
	assert_true(r->has_last_year);
	assert_int_equal(r->ly_as_of, ymd("2024-03-21"));
	assert_true(r->ly_all[0].pupils > 0 && r->prev_all.pupils > 0);
	/* Weekly rows for every listed pupil, on the school's weeks. */
	assert_true(r->n_weeks > 20);
	assert_int_equal(r->n_weeks, r->school.n_weeks);
	assert_int_equal(r->pupil_week_absence[ep->week_row * r->n_weeks + r->n_weeks - 1], 10);
}

static void test_csv(void **state)
{
	const tsm_report *r = &((fixture *)*state)->r;
	char *pupils = render(r, report_write_tsm_pupils_csv);
	char *penalty = render(r, report_write_tsm_penalty_csv);
	char *cats = render(r, report_write_tsm_categories_csv);
	char *bands = render(r, report_write_tsm_bands_csv);
	const tsm_pupil *pen = pupil(r, SAMPLE_PENALTY), *late = pupil(r, SAMPLE_LATE);
	char want[256];
	uint64_t pop = r->school.all[MEASURES_YTD].pupils, sum = 0;

	static const char head[] = "school_urn,upn,surname,forename,nc_year,attendance_pct,"
	                           "category,flags\n";
	static const char phead[] = "school_urn,upn,surname,forename,window_start,window_end,"
	                            "unauthorised_sessions\n";

	assert_true(!strncmp(pupils, head, sizeof(head) - 1));
	snprintf(want, sizeof(want), "\n100123,%s,Pupil05,Sam,4,96.0,expected,PENALTY_THRESHOLD\n",
	         pen->upn);
	assert_non_null(strstr(pupils, want));
	/* Markup stays as it is in a CSV; a formula is guarded. */
	assert_non_null(strstr(pupils, ",O'Brien <b>,Alex,4,"));
	if (late) {
		snprintf(want, sizeof(want), "100123,%s,'=Late(1),Sam,", late->upn);
		assert_non_null(strstr(pupils, want));
	}
	assert_int_equal(count(pupils, "\n") - 1, r->n_pupils);
	assert_non_null(strstr(pupils, ",SA;PA;"));

	assert_true(!strncmp(penalty, phead, sizeof(phead) - 1));
	snprintf(want, sizeof(want), "\n100123,%s,Pupil05,Sam,2025-01-06,2025-03-21,10\n",
	         pen->upn);
	assert_non_null(strstr(penalty, want));

	/* Categories: 3 periods x 5 categories; each period's counts sum to its population. */
	assert_int_equal(count(cats, "\n"), 1 + 15);
	assert_true(!strncmp(cats, "school_urn,period,category,pupils,pct\n", 38));
	for (int c = MEASURES_CAT_EXPECTED; c < MEASURES_CAT_COUNT; c++)
		sum += r->school.categories[MEASURES_YTD][c];
	assert_int_equal(sum, pop);
	snprintf(want, sizeof(want), "\n100123,ytd,sa,%u,", r->school.categories[MEASURES_YTD][5]);
	assert_non_null(strstr(cats, want));

	/* Bands: 3 x 11 rows; the banded total is the population here (everyone has 20+). */
	assert_int_equal(count(bands, "\n"), 1 + 33);
	assert_non_null(strstr(bands, "\n100123,ytd,00-05,"));
	assert_non_null(strstr(bands, "\n100123,last4w,50+,"));
	assert_int_equal(r->banded[MEASURES_YTD], pop);
	free(pupils);
	free(penalty);
	free(cats);
	free(bands);
}

/* Boundaries set for the school's LA: the penalty pupil's 4.0% absence is at risk of PA under
 * a 3% edge (and, the holiday falling in the last 4 weeks, falling), the pack says whose
 * boundaries they are, and the PA flags do not move. */
static void test_configured_boundaries(void **state)
{
	static const uint32_t edges[4] = {300, 1000, 2500, 5000};
	const tsm_report *dflt = &((fixture *)*state)->r;
	tsm_report r;
	measures *m = NULL;
	char *html, *pupils;
	const tsm_pupil *pen;

	assert_int_equal(tsm_sample_build(&r, &m, edges), 0);
	pen = pupil(&r, SAMPLE_PENALTY);
	assert_non_null(pen);
	assert_int_equal(pen->category, MEASURES_CAT_AT_RISK_PA);
	assert_int_equal(pupil(dflt, SAMPLE_PENALTY)->category, MEASURES_CAT_EXPECTED);
	assert_int_equal(r.school.all[MEASURES_YTD].pa_pupils,
	                 dflt->school.all[MEASURES_YTD].pa_pupils);
	html = render(&r, report_write_tsm_html);
	assert_non_null(strstr(html, "Boundaries in force for this school, set by the local "
	                             "authority: expected up to 3% absence; at risk of PA over 3% "
	                             "and under 10%; persistent absence 10% to 25%;"));
	pupils = render(&r, report_write_tsm_pupils_csv);
	assert_non_null(
	        strstr(pupils, ",Pupil05,Sam,4,96.0,at_risk_pa,AT_RISK;PENALTY_THRESHOLD\n"));
	free(html);
	free(pupils);
	report_tsm_deinit(&r);
	measures_destroy(&m);
}

static void test_html(void **state)
{
	const tsm_report *r = &((fixture *)*state)->r;
	char *html = render(r, report_write_tsm_html);
	static const char *const banned[] = {
	        "http:", "https:", "<script", "@import", "url(", "src=", "<link", "<img", "<iframe",
	};
	static const char *const pairs[][2] = {
	        {"<svg", "</svg>"},         {"<table", "</table>"},   {"<tr", "</tr>"},
	        {"<section", "</section>"}, {"<figure", "</figure>"}, {"<div", "</div>"},
	        {"<text", "</text>"},       {"<h3", "</h3>"},
	};
	static const char *const ids[] = {
	        "id=\"headline\"",      "id=\"benchmarks\"",    "id=\"categories\"",
	        "id=\"cohorts\"",       "id=\"pupils\"",        "id=\"patterns\"",
	        "id=\"actions\"",       "id=\"trend-table\"",   "id=\"category-table\"",
	        "id=\"band-table\"",    "id=\"cohort-table\"",  "id=\"class-table\"",
	        "id=\"list-sa\"",       "id=\"list-pa\"",       "id=\"list-at-risk\"",
	        "id=\"list-episodes\"", "id=\"list-sickness\"", "id=\"list-penalty\"",
	        "id=\"reason-table\"",  "id=\"late-table\"",    "id=\"action-table\"",
	};

	for (size_t i = 0; i < N_ELEM(banned); i++)
		if (strstr(html, banned[i]))
			fail_msg("the pack contains '%s'", banned[i]);
	for (size_t i = 0; i < N_ELEM(pairs); i++)
		if (count(html, pairs[i][0]) != count(html, pairs[i][1]))
			fail_msg("%zu '%s' but %zu '%s'", count(html, pairs[i][0]), pairs[i][0],
			         count(html, pairs[i][1]), pairs[i][1]);
	for (size_t i = 0; i < N_ELEM(ids); i++)
		if (!strstr(html, ids[i]))
			fail_msg("no %s", ids[i]);
	assert_int_equal(count(html, "<svg"), count(html, "role=\"img\""));
	/* The charts: trend, categories, bands, cohort gaps, heat map, a sparkline a row. */
	assert_non_null(strstr(html, "aria-labelledby=\"tr-t tr-d\""));
	assert_non_null(strstr(html, "aria-labelledby=\"cat-t cat-d\""));
	assert_non_null(strstr(html, "aria-labelledby=\"bands-t bands-d\""));
	assert_non_null(strstr(html, "aria-labelledby=\"cg-t cg-d\""));
	assert_non_null(strstr(html, "aria-labelledby=\"dow-t dow-d\""));
	assert_true(count(html, "<svg width=\"110\" height=\"22\"") >= r->n_pupils);
	/* Names are text, never markup; the school's too. */
	assert_non_null(strstr(html, "O&#39;Brien &lt;b&gt;"));
	assert_null(strstr(html, "<b>,"));
	assert_non_null(strstr(html, "<h1>Oak &amp; Ash &lt;Primary&gt;</h1>"));
	/* A class of 2 is a small group; the LA's figure is beside the national one. */
	assert_non_null(strstr(html, "data-cohort=\"class_4\"><th scope=\"row\">Nurture</th><td>2"
	                             "</td><td class=\"small\">small group</td>"));
	assert_non_null(strstr(html, "93.9%"));
	/* Last term's actions with their status. */
	assert_non_null(strstr(html, "<span class=\"badge done\">done</span>"));
	assert_non_null(strstr(html, "EWO &amp; school"));
	assert_non_null(strstr(html, "<title>TSM pack &mdash; Oak &amp; Ash &lt;Primary&gt; "
	                             "&mdash; Spring term 2024/25</title>"));
	assert_non_null(strstr(html, "@media print"));
	free(html);
}

/* The same figures always give the same bytes. */
static void test_deterministic(void **state)
{
	const tsm_report *a = &((fixture *)*state)->r;
	int (*const fns[])(const tsm_report *, FILE *) = {
	        report_write_tsm_html, report_write_tsm_pupils_csv, report_write_tsm_penalty_csv,
	        report_write_tsm_categories_csv, report_write_tsm_bands_csv};
	tsm_report b;
	measures *m = NULL;

	assert_int_equal(tsm_sample_build(&b, &m, NULL), 0);
	for (size_t i = 0; i < N_ELEM(fns); i++) {
		char *x = render(a, fns[i]), *y = render(&b, fns[i]);

		assert_string_equal(x, y);
		free(x);
		free(y);
	}
	report_tsm_deinit(&b);
	measures_destroy(&m);
}

static void test_write_error(void **state)
{
	const tsm_report *r = &((fixture *)*state)->r;
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		skip();
	assert_int_equal(report_write_tsm_html(r, f), -EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_lists),       cmocka_unit_test(test_list_details),
	        cmocka_unit_test(test_csv),         cmocka_unit_test(test_configured_boundaries),
	        cmocka_unit_test(test_html),        cmocka_unit_test(test_deterministic),
	        cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
