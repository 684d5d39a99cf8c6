/* Unit tests for the report charts (worker/svg.c, worker/chart.c): nice axes and their scale,
 * and every chart drawn over empty data, one week, 0% and 100%, and a gap in a series, checked
 * for the points and shapes it must (and must not) draw. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chart.h"
#include "rollcall/date.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- drawing into a string ------------------------------------------------------------------ */

typedef struct out {
	char *buf;
	size_t len;
	FILE *f;
} out;

static void out_open(out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
}

/* Closes the stream and checks the markup is balanced and has no NaN or infinity in it. */
static char *out_close(out *o)
{
	static const char *const pairs[][2] = {{"<svg", "</svg>"},
	                                       {"<figure", "</figure>"},
	                                       {"<text", "</text>"},
	                                       {"<g>", "</g>"}};
	assert_int_equal(fclose(o->f), 0);
	for (size_t i = 0; i < N_ELEM(pairs); i++) {
		size_t a = 0, b = 0;
		for (const char *p = strstr(o->buf, pairs[i][0]); p; p = strstr(p + 1, pairs[i][0]))
			a++;
		for (const char *p = strstr(o->buf, pairs[i][1]); p; p = strstr(p + 1, pairs[i][1]))
			b++;
		if (a != b)
			fail_msg("%zu '%s' but %zu '%s' in: %s", a, pairs[i][0], b, pairs[i][1],
			         o->buf);
	}
	assert_null(strstr(o->buf, "nan"));
	assert_null(strstr(o->buf, "inf"));
	return o->buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void no_desc(void *user, FILE *f)
{
	fputs("description", f);
}

/* ---- axes ------------------------------------------------------------------------------------ */

static bool nice_step(double step)
{
	double p = pow(10, floor(log10(step)));
	double m = step / p;
	return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9;
}

static void test_axis_nice(void **state)
{
	static const struct {
		double lo, hi;
		int ticks;
		double want_lo, want_hi, want_step;
	} cases[] = {
	        {0, 100, 5, 0, 100, 20},     /* 0% to 100% */
	        {0, 7.3, 5, 0, 8, 2},        /* a category share */
	        {0, 50, 5, 0, 50, 10},       /* a band share up to 50% */
	        {0, 0, 5, 0, 1, 0.2},        /* empty: one unit wide */
	        {0, 0.4, 4, 0, 0.4, 0.1},    /* small shares */
	        {84.3, 97.9, 6, 80, 100, 5}, /* a trend's range: step 2 would need 7 */
	        {5, 5, 4, 5, 6, 0.5},        /* a single value */
	        {10, 2, 5, 10, 11, 0.2},     /* reversed: treated as empty */
	};

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		svg_axis a;

		svg_axis_nice(&a, cases[i].lo, cases[i].hi, cases[i].ticks);
		if (fabs(a.lo - cases[i].want_lo) > 1e-9 || fabs(a.hi - cases[i].want_hi) > 1e-9 ||
		    fabs(a.step - cases[i].want_step) > 1e-9)
			fail_msg("case %zu: axis %g..%g step %g, want %g..%g step %g", i, a.lo,
			         a.hi, a.step, cases[i].want_lo, cases[i].want_hi,
			         cases[i].want_step);
		assert_true(nice_step(a.step));
		assert_true((a.hi - a.lo) / a.step <= cases[i].ticks + 1e-9);
	}
}

/* Mapping onto pixels: the ends, the middle, and values outside clamped to the ends. */
static void test_axis_at(void **state)
{
	svg_axis a = {0, 100, 20};

	assert_true(fabs(svg_axis_at(&a, 0, 188, 26) - 188) < 1e-9);
	assert_true(fabs(svg_axis_at(&a, 100, 188, 26) - 26) < 1e-9);
	assert_true(fabs(svg_axis_at(&a, 50, 0, 200) - 100) < 1e-9);
	assert_true(fabs(svg_axis_at(&a, -5, 0, 200) - 0) < 1e-9);
	assert_true(fabs(svg_axis_at(&a, 120, 0, 200) - 200) < 1e-9);
}

/* ---- the weekly line and sparklines -----------------------------------------------------------
 */

typedef struct series_case {
	const char *what;
	size_t n;
	uint64_t possible[4], absence[4];
	size_t polylines, points;
	const char *must;     /* text that must appear */
	const char *must_not; /* text that must not */
} series_case;

static const series_case SERIES[] = {
        {"empty", 0, {0}, {0}, 0, 0, NULL, "<polyline"},
        {"one week", 1, {100}, {5}, 1, 1, "cx=\"44\" cy=\"", NULL},
        /* 100% sits on the top grid line (y 14), 0% on the bottom one (y 250) */
        {"0% and 100%", 2, {10, 10}, {10, 0}, 1, 2, "44,250 740,14", NULL},
        {"a gap", 3, {10, 0, 10}, {1, 0, 1}, 2, 2, NULL, NULL},
        {"only a gap", 1, {0}, {0}, 0, 0, NULL, "<circle"},
        {"gap at the end", 4, {10, 10, 10, 0}, {0, 0, 0, 0}, 1, 3, NULL, NULL},
};

static void line_desc(void *user, FILE *f)
{
	fputs("weeks", f);
}

static void test_line(void **state)
{
	for (size_t i = 0; i < N_ELEM(SERIES); i++) {
		const series_case *c = &SERIES[i];
		int32_t days[4];
		chart_series s = {c->n, days, c->possible, c->absence};
		out o;
		char *svg;

		for (size_t w = 0; w < 4; w++)
			days[w] = date_from_ymd(2025, 9, 1) + 7 * (int32_t)w;
		out_open(&o);
		chart_line_draw(o.f, &(chart_line){.id = "t",
		                                   .title = "Trend",
		                                   .s = &s,
		                                   .lo = 0,
		                                   .step = 20,
		                                   .has_ref = true,
		                                   .ref_num = 945,
		                                   .ref_den = 1000,
		                                   .ref_label = "National",
		                                   .desc = line_desc,
		                                   .x_caption = "weeks"});
		svg_figure_end(o.f, NULL);
		svg = out_close(&o);
		if (count(svg, "<polyline") != c->polylines || count(svg, "<circle") != c->points)
			fail_msg("%s: %zu polylines, %zu points in %s", c->what,
			         count(svg, "<polyline"), count(svg, "<circle"), svg);
		if (c->must && !strstr(svg, c->must))
			fail_msg("%s: no '%s' in %s", c->what, c->must, svg);
		if (c->must_not && strstr(svg, c->must_not))
			fail_msg("%s: '%s' in %s", c->what, c->must_not, svg);
		/* The national line is drawn whatever the data. */
		assert_non_null(strstr(svg, "class=\"natline\""));
		assert_non_null(strstr(svg, ">94.5%</text>"));
		free(svg);
	}
}

static void aria(void *user, FILE *f)
{
	fputs("weekly attendance", f);
}

static void test_sparkline(void **state)
{
	for (size_t i = 0; i < N_ELEM(SERIES); i++) {
		const series_case *c = &SERIES[i];
		int32_t days[4] = {0};
		chart_series s = {c->n, days, c->possible, c->absence};
		out o;
		char *svg;

		out_open(&o);
		chart_sparkline_sized(o.f, &s, 50, false, 0, 120, 22, aria, NULL);
		svg = out_close(&o);
		assert_non_null(
		        strstr(svg, "<svg width=\"120\" height=\"22\" viewBox=\"0 0 120 22\""));
		if (count(svg, "<polyline") != c->polylines)
			fail_msg("%s: %zu polylines in %s", c->what, count(svg, "<polyline"), svg);
		/* The latest week with sessions is marked, if there is one. */
		assert_int_equal(count(svg, "<circle"), c->points ? 1 : 0);
		free(svg);
	}
	/* 100% and 0% on a 50..100 scale: the top padding, and clamped... not below the box. */
	{
		int32_t days[2] = {0, 7};
		uint64_t poss[2] = {10, 10}, abs[2] = {0, 10};
		chart_series s = {2, days, poss, abs};
		out o;
		char *svg;

		out_open(&o);
		chart_sparkline_sized(o.f, &s, 0, true, 50, 100, 40, aria, NULL);
		svg = out_close(&o);
		assert_non_null(strstr(svg, "points=\"3,3 97,37\""));
		assert_non_null(strstr(svg, "y1=\"20\" y2=\"20\""));
		free(svg);
	}
	/* The trust page's size is the default. */
	{
		int32_t days[1] = {0};
		uint64_t poss[1] = {10}, abs[1] = {1};
		chart_series s = {1, days, poss, abs};
		out o;
		char *svg;

		out_open(&o);
		chart_sparkline(o.f, &s, 0, false, 0, aria, NULL);
		svg = out_close(&o);
		assert_non_null(
		        strstr(svg, "<svg width=\"240\" height=\"40\" viewBox=\"0 0 240 40\""));
		free(svg);
	}
}

/* ---- columns --------------------------------------------------------------------------------- */

static void test_columns(void **state)
{
	static const struct {
		const char *what;
		size_t n;
		double values[3];
		double hi;
		const char *must;
	} cases[] = {
	        {"nothing", 0, {0}, 10, NULL},
	        {"all zero", 3, {0, 0, 0}, 10, "height=\"0\""},
	        {"100%", 2, {100, 0}, 100, "y=\"26\" width="},
	        {"over the axis is clamped", 1, {150}, 100, "y=\"26\" width="},
	};

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		chart_column cols[3];
		out o;
		char *svg;

		for (size_t k = 0; k < cases[i].n; k++)
			cols[k] = (chart_column){cases[i].values[k], "c1", "label", "1 (2%)"};
		out_open(&o);
		chart_columns_draw(o.f, &(chart_columns){.id = "col",
		                                         .title = "Columns",
		                                         .n = cases[i].n,
		                                         .cols = cols,
		                                         .axis = {0, cases[i].hi, cases[i].hi / 5},
		                                         .unit = "%",
		                                         .desc = no_desc});
		svg = out_close(&o);
		assert_int_equal(count(svg, "<rect class=\"c1\""), cases[i].n);
		assert_int_equal(count(svg, "class=\"grid\"") + count(svg, "class=\"zero\""), 6);
		if (cases[i].must && !strstr(svg, cases[i].must))
			fail_msg("%s: no '%s' in %s", cases[i].what, cases[i].must, svg);
		/* No bar reaches below the baseline. */
		assert_null(strstr(svg, "height=\"-"));
		free(svg);
	}
	assert_true(fabs(chart_column_x(0, 2, 0, 100) - 25) < 1e-9);
	assert_true(fabs(chart_column_x(1, 2, 0, 100) - 75) < 1e-9);
	assert_true(fabs(chart_column_x(0, 0, 10, 100) - 10) < 1e-9);
}

/* ---- heat map -------------------------------------------------------------------------------- */

static void test_heat_level(void **state)
{
	static const struct {
		double v, lo, hi;
		int level;
	} cases[] = {
	        {0, 0, 0, 0},    {5, 5, 5, 0},  {0, 0, 10, 0},  {10, 0, 10, 5},
	        {4.9, 0, 10, 2}, {5, 0, 10, 3}, {-1, 0, 10, 0}, {11, 0, 10, 5},
	};

	for (size_t i = 0; i < N_ELEM(cases); i++)
		assert_int_equal(chart_heat_level(cases[i].v, cases[i].lo, cases[i].hi),
		                 cases[i].level);
}

/* A 2 x 2 map (Monday and Friday by AM and PM) of num / den, drawn into a new string. */
static char *draw_heat(const uint64_t num[4], const uint64_t den[4])
{
	static const char *const rows[] = {"Monday", "Friday"};
	static const char *const cols[] = {"AM", "PM"};
	out o;

	out_open(&o);
	chart_heat_draw(o.f, &(chart_heat){.id = "hm",
	                                   .title = "Heat",
	                                   .rows = 2,
	                                   .cols = 2,
	                                   .row_labels = rows,
	                                   .col_labels = cols,
	                                   .num = num,
	                                   .den = den,
	                                   .desc = no_desc});
	return out_close(&o);
}

static void test_heat(void **state)
{
	/* Monday AM 0%, Monday PM nothing possible, Friday 100% and 50%. */
	uint64_t num[4] = {0, 0, 10, 5}, den[4] = {10, 0, 10, 10};
	char *svg = draw_heat(num, den);

	assert_int_equal(count(svg, "<rect"), 4);
	assert_int_equal(count(svg, "fill=\"#f3f5f7\""), 1); /* the blank cell */
	assert_non_null(strstr(svg, ">0.0%</text>"));
	assert_non_null(strstr(svg, "style=\"fill:#fff\">100.0%</text>"));
	assert_non_null(strstr(svg, "fill=\"#fdf1e7\"><title>0.0% absence"));
	assert_non_null(strstr(svg, "fill=\"#a8431a\"><title>100.0% absence"));
	free(svg);

	/* Nothing possible anywhere: every cell blank, no division by zero. */
	memset(den, 0, sizeof(den));
	svg = draw_heat(num, den);
	assert_int_equal(count(svg, "fill=\"#f3f5f7\""), 4);
	assert_null(strstr(svg, "%</text>"));
	free(svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_axis_nice), cmocka_unit_test(test_axis_at),
	        cmocka_unit_test(test_line),      cmocka_unit_test(test_sparkline),
	        cmocka_unit_test(test_columns),   cmocka_unit_test(test_heat_level),
	        cmocka_unit_test(test_heat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
