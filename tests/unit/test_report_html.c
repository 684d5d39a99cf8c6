/* Unit tests for report_html.c: the trust attendance page rendered from a synthetic report, checked
 * for ranking, escaping, exact percentages, small-group flags, self-containment, well-formed
 * nesting, determinism and write errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "rollcall/date.h"

#define N_SCHOOLS 3
#define N_WEEKS   4

/* One school of the synthetic trust: headline figures, the same in every period but scaled. */
typedef struct school_spec {
	uint32_t urn;
	const char *name, *phase;
	uint64_t pupils, possible, absence, authorised, pa, sa;
	uint64_t unmarked, outside;
} school_spec;

static const school_spec SPECS[N_SCHOOLS] = {
        {100001, "Oak & Ash <Primary>", "primary", 200, 40000, 1600, 1200, 20, 1, 12, 30},
        {100002, "Hillside Academy", "secondary", 900, 180000, 17100, 11000, 200, 15, 0, 150},
        {100003, "Riverside Special", "special", 100, 20000, 2840, 2000, 40, 6, 0, 0},
};

/* Cohorts: share of each school's pupils and sessions (per mille) and absence factor (%). */
static const struct {
	measures_cohort k;
	int value;
	const char *name, *label;
	uint64_t share_pm, factor_pct;
	uint64_t fixed_pupils; /* when not 0: exactly this many pupils in the first school only */
} COHORTS[] = {
        {MEASURES_COHORT_PP, 0, "pp", "Pupil premium", 250, 160, 0},
        {MEASURES_COHORT_FSM, 0, "fsm", "Free school meals", 200, 180, 0},
        {MEASURES_COHORT_CLA, 0, "cla", "Looked after", 0, 0, 3},
        {MEASURES_COHORT_SEX, 'F', "sex_F", "Girls", 500, 100, 0},
        {MEASURES_COHORT_NC_YEAR, 7, "year_7", "Year 7", 100, 110, 0},
        {MEASURES_COHORT_NC_YEAR, 12, "year_12", "Year 12", 0, 0, 0},
};
#define N_COHORTS (sizeof(COHORTS) / sizeof(COHORTS[0]))

static const report_benchmark BENCHMARKS[] = {
        {"2023/24", "all", "overall_absence", "", 71, "DfE census & co"},
        {"2023/24", "primary", "overall_absence", "", 55, "DfE census & co"},
        {"2023/24", "secondary", "overall_absence", "", 89, "DfE census & co"},
        {"2023/24", "special", "overall_absence", "", 130, "DfE census & co"},
        {"2022/23", "secondary", "overall_absence", "", 90, "DfE census & co"},
        {"2024/25", "all", "absence", "fsm", 100, "DfE daily"},
        {"2024/25", "all", "absence", "not_fsm", 52, "DfE daily"},
        {"2024/25", "all", "pa", "fsm", 317, "DfE daily"},
};

typedef struct fixture {
	trust_report r;
	report_school schools[N_SCHOOLS];
	report_benchmark benchmarks[sizeof(BENCHMARKS) / sizeof(BENCHMARKS[0])];
	int32_t week_start[N_SCHOOLS + 1][N_WEEKS];
	uint64_t week_possible[N_SCHOOLS + 1][N_WEEKS];
	uint64_t week_absence[N_SCHOOLS + 1][N_WEEKS];
} fixture;

static measures_cohort_row row(uint64_t pupils, uint64_t possible, uint64_t absence,
                               uint64_t authorised, uint64_t pa, uint64_t sa)
{
	return (measures_cohort_row){pupils, possible, absence, authorised, absence - authorised,
	                             pa,     sa};
}

static void row_sub(measures_cohort_row *out, const measures_cohort_row *a,
                    const measures_cohort_row *b)
{
	*out = row(a->pupils - b->pupils, a->possible - b->possible, a->absence - b->absence,
	           a->authorised - b->authorised, a->pa_pupils - b->pa_pupils,
	           a->sa_pupils - b->sa_pupils);
}

/* Fills fx with the synthetic trust: three schools of three phases, given out of rank order. */
static void fixture_build(fixture *fx)
{
	trust_report *r = &fx->r;
	memset(fx, 0, sizeof(*fx));
	r->as_of = date_from_ymd(2024, 9, 25);
	r->term = (measures_term){2024, MEASURES_AUTUMN, date_from_ymd(2024, 9, 2), r->as_of};
	r->period_first[MEASURES_YTD] = date_from_ymd(2024, 8, 1);
	r->period_first[MEASURES_TERM] = date_from_ymd(2024, 9, 2);
	r->period_first[MEASURES_LAST4W] = date_from_ymd(2024, 9, 2);
	r->n_schools = N_SCHOOLS;
	r->schools = fx->schools;
	memcpy(fx->benchmarks, BENCHMARKS, sizeof(BENCHMARKS));
	r->benchmarks = fx->benchmarks;
	r->n_benchmarks = sizeof(BENCHMARKS) / sizeof(BENCHMARKS[0]);
	for (size_t c = 0; c < N_COHORTS; c++) {
		report_cohort *k = &r->cohorts[r->n_cohorts++];
		k->cohort = COHORTS[c].k;
		k->value = COHORTS[c].value;
		snprintf(k->name, sizeof(k->name), "%s", COHORTS[c].name);
		snprintf(k->label, sizeof(k->label), "%s", COHORTS[c].label);
	}

	/* Weeks: 2, 9 and 16 Sep, then 23 Sep; the trust's are the sums. */
	report_school *t = &r->trust;
	t->n_weeks = N_WEEKS;
	t->week_start = fx->week_start[N_SCHOOLS];
	t->week_possible = fx->week_possible[N_SCHOOLS];
	t->week_absence = fx->week_absence[N_SCHOOLS];
	for (size_t i = 0; i < N_SCHOOLS; i++) {
		const school_spec *sp = &SPECS[i];
		report_school *s = &fx->schools[i];
		measures_config defaults;
		s->urn = sp->urn;
		snprintf(s->name, sizeof(s->name), "%s", sp->name);
		snprintf(s->phase, sizeof(s->phase), "%s", sp->phase);
		snprintf(s->la_name, sizeof(s->la_name), "Synthetic LA");
		measures_config_init(&defaults);
		memcpy(s->category_bp, defaults.category_bp, sizeof(s->category_bp));
		s->unmarked = sp->unmarked;
		s->outside_population = sp->outside;
		for (int p = 0; p < MEASURES_PERIODS; p++) {
			uint64_t div = p == MEASURES_YTD ? 1 : p == MEASURES_TERM ? 2 : 4;
			s->all[p] = row(sp->pupils, sp->possible / div, sp->absence / div,
			                sp->authorised / div, sp->pa, sp->sa);
			for (size_t c = 0; c < N_COHORTS; c++) {
				measures_cohort_row *in = &s->in[p][c];
				if (COHORTS[c].fixed_pupils) {
					if (i == 0)
						*in = row(COHORTS[c].fixed_pupils, 300 / div,
						          30 / div, 20 / div, 1, 0);
				} else {
					uint64_t poss =
					        s->all[p].possible * COHORTS[c].share_pm / 1000;
					uint64_t abs = poss * s->all[p].absence /
					               s->all[p].possible * COHORTS[c].factor_pct /
					               100;
					*in = row(sp->pupils * COHORTS[c].share_pm / 1000, poss,
					          abs, abs / 2, sp->pa * COHORTS[c].share_pm / 1000,
					          0);
				}
				row_sub(&s->out[p][c], &s->all[p], in);
				measures_cohort_row_add(&t->in[p][c], in);
				measures_cohort_row_add(&t->out[p][c], &s->out[p][c]);
			}
			measures_cohort_row_add(&t->all[p], &s->all[p]);
			uint32_t *cat = s->categories[p];
			cat[MEASURES_CAT_SA] = (uint32_t)sp->sa;
			cat[MEASURES_CAT_PA] = (uint32_t)(sp->pa - sp->sa);
			cat[MEASURES_CAT_AT_RISK_PA] = (uint32_t)(sp->pupils / 5);
			cat[MEASURES_CAT_EXPECTED] =
			        (uint32_t)(sp->pupils - sp->pa - sp->pupils / 5);
			for (int k = 0; k < MEASURES_CAT_COUNT; k++)
				t->categories[p][k] += cat[k];
		}
		s->n_weeks = N_WEEKS;
		s->week_start = fx->week_start[i];
		s->week_possible = fx->week_possible[i];
		s->week_absence = fx->week_absence[i];
		for (size_t w = 0; w < N_WEEKS; w++) {
			s->week_start[w] = date_from_ymd(2024, 9, 2) + (int32_t)w * 7;
			s->week_possible[w] = sp->pupils * 10;
			s->week_absence[w] = sp->pupils * (w + 2) / 4;
			t->week_start[w] = s->week_start[w];
			t->week_possible[w] += s->week_possible[w];
			t->week_absence[w] += s->week_absence[w];
		}
		t->unmarked += s->unmarked;
		t->outside_population += s->outside_population;
	}
}

/* Renders r into a new NUL-terminated string (freed by the caller). */
static char *render(const trust_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(report_write_cohorts_html(r, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	assert_int_equal(strlen(buf), len);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The text from the first marker after start up to the end of its table row (a new string). */
static char *row_after(const char *html, const char *start, const char *marker)
{
	const char *from = strstr(html, start);
	assert_non_null(from);
	const char *p = strstr(from, marker);
	if (!p)
		fail_msg("'%s' not found after '%s'", marker, start);
	const char *end = strstr(p, "</tr>");
	assert_non_null(end);
	return strndup(p, (size_t)(end - p));
}

static char *pct(uint64_t num, uint64_t den, char out[MEASURES_PCT_LEN + 1])
{
	char b[MEASURES_PCT_LEN];
	snprintf(out, MEASURES_PCT_LEN + 1, "%s%%", measures_pct_format(num, den, b));
	return out;
}

static void test_self_contained(void **state)
{
	fixture *fx = malloc(sizeof(*fx));
	assert_non_null(fx);
	fixture_build(fx);
	char *html = render(&fx->r);
	static const char *const banned[] = {
	        "http:", "https:", "<script", "@import",    "url(",        "src=",
	        "<link", "<img",   "<iframe", "@font-face", "javascript:",
	};
	for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
		if (strstr(html, banned[i]))
			fail_msg("page contains '%s'", banned[i]);
	assert_non_null(strstr(html, "<html lang=\"en-GB\">"));
	assert_non_null(strstr(html, "<title>Trust attendance &mdash; as of 25 September 2024"
	                             "</title>"));
	assert_non_null(strstr(html, "@media print"));
	/* Balanced elements. */
	static const char *const pairs[][2] = {
	        {"<svg", "</svg>"},         {"<table", "</table>"},   {"<tr", "</tr>"},
	        {"<section", "</section>"}, {"<figure", "</figure>"}, {"<ul", "</ul>"},
	        {"<text", "</text>"},       {"<title", "</title>"},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (count(html, pairs[i][0]) != count(html, pairs[i][1]))
			fail_msg("%zu '%s' but %zu '%s'", count(html, pairs[i][0]), pairs[i][0],
			         count(html, pairs[i][1]), pairs[i][1]);
	assert_true(count(html, "<svg") >= 5);
	/* Every chart has an accessible name. */
	assert_int_equal(count(html, "<svg"), count(html, "role=\"img\""));
	free(html);
	free(fx);
}

static void test_escaping(void **state)
{
	fixture *fx = malloc(sizeof(*fx));
	assert_non_null(fx);
	fixture_build(fx);
	/* Markup in every kind of string the page prints. */
	snprintf(fx->schools[1].la_name, sizeof(fx->schools[1].la_name), "A\"B'C<D>");
	snprintf(fx->r.cohorts[0].label, sizeof(fx->r.cohorts[0].label), "PP <b>&</b>");
	/* A name that fills its array without a NUL is cut, not overrun. */
	memset(fx->schools[2].name, 'Z', sizeof(fx->schools[2].name));
	char *html = render(&fx->r);
	assert_non_null(strstr(html, "Oak &amp; Ash &lt;Primary&gt;"));
	assert_null(strstr(html, "Oak & Ash"));
	assert_null(strstr(html, "<Primary>"));
	assert_non_null(strstr(html, "A&quot;B&#39;C&lt;D&gt;"));
	assert_null(strstr(html, "C<D>"));
	assert_non_null(strstr(html, "PP &lt;b&gt;&amp;&lt;/b&gt;"));
	assert_null(strstr(html, "<b>&</b>"));
	char zs[sizeof(fx->schools[2].name) + 2];
	memset(zs, 'Z', sizeof(zs) - 1);
	zs[sizeof(zs) - 1] = '\0';
	assert_null(strstr(html, zs));
	zs[sizeof(zs) - 2] = '\0';
	assert_non_null(strstr(html, zs));
	free(html);
	free(fx);
}

/* Ranking by ytd absence rate, highest first; ties by URN; schools without sessions last. */
static void test_ranking(void **state)
{
	static const struct {
		uint64_t absence[N_SCHOOLS], possible[N_SCHOOLS];
		int order[N_SCHOOLS];
	} cases[] = {
	        {{1600, 17100, 2840}, {40000, 180000, 20000}, {2, 1, 0}},
	        {{8000, 9000, 1000}, {40000, 180000, 20000}, {0, 1, 2}},  /* 5.0% tie: URN */
	        {{0, 9000, 1000}, {0, 180000, 10000}, {2, 1, 0}},         /* no sessions: last */
	        {{1, 2, 3}, {40000, 80000, 120000}, {0, 1, 2}},           /* exact tie, tiny */
	        {{4001, 8001, 11999}, {40000, 80000, 120000}, {0, 1, 2}}, /* below rounding */
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		fixture *fx = malloc(sizeof(*fx));
		assert_non_null(fx);
		fixture_build(fx);
		for (size_t i = 0; i < N_SCHOOLS; i++) {
			fx->schools[i].all[MEASURES_YTD].absence = cases[c].absence[i];
			fx->schools[i].all[MEASURES_YTD].authorised = cases[c].absence[i];
			fx->schools[i].all[MEASURES_YTD].unauthorised = 0;
			fx->schools[i].all[MEASURES_YTD].possible = cases[c].possible[i];
		}
		char *html = render(&fx->r);
		const char *table = strstr(html, "id=\"school-table\"");
		assert_non_null(table);
		const char *end = strstr(table, "</table>");
		const char *prev = table;
		for (size_t k = 0; k < N_SCHOOLS; k++) {
			const report_school *s = &fx->schools[cases[c].order[k]];
			char name[160], rank[32];
			snprintf(rank, sizeof(rank), "<tr><td>%zu</td><th scope=\"row\">", k + 1);
			const char *at = strstr(prev, rank);
			if (!at || at > end)
				fail_msg("case %zu: rank %zu missing", c, k + 1);
			/* The name follows its rank (escaped form of the first school). */
			snprintf(name, sizeof(name), "%s",
			         cases[c].order[k] == 0 ? "Oak &amp; Ash &lt;Primary&gt;"
			                                : s->name);
			if (strncmp(at + strlen(rank), name, strlen(name)) != 0)
				fail_msg("case %zu: rank %zu is not %s", c, k + 1, s->name);
			prev = at + 1;
		}
		/* The chart lists them in the same order. */
		const char *desc = strstr(html, "<desc id=\"sc-d\">");
		assert_non_null(desc);
		const char *p = desc;
		for (size_t k = 0; k < N_SCHOOLS; k++) {
			const char *nm = cases[c].order[k] == 0
			                         ? "Oak &amp; Ash"
			                         : fx->schools[cases[c].order[k]].name;
			p = strstr(p, nm);
			if (!p)
				fail_msg("case %zu: chart order at %zu", c, k);
		}
		free(html);
		free(fx);
	}
}

/* Each school's row shows its exact figures and its gap to its phase's national figure. */
static void test_school_figures(void **state)
{
	static const struct {
		size_t school;
		const char *national, *vs;
	} cases[] = {
	        {0, "5.5%", "<span class=\"better\">1.5 pp below</span>"},
	        {1, "8.9%", "<span class=\"worse\">0.6 pp above</span>"},
	        {2, "13.0%", "<span class=\"worse\">1.2 pp above</span>"},
	};
	fixture *fx = malloc(sizeof(*fx));
	assert_non_null(fx);
	fixture_build(fx);
	char *html = render(&fx->r);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const report_school *s = &fx->schools[cases[c].school];
		const measures_cohort_row *w = &s->all[MEASURES_YTD];
		char marker[64];
		snprintf(marker, sizeof(marker), "URN %06u", (unsigned)s->urn);
		char *tr = row_after(html, "id=\"school-table\"", marker);
		const char *want[] = {
		        pct(w->absence, w->possible, (char[MEASURES_PCT_LEN + 1]){0}),
		        pct(w->unauthorised, w->possible, (char[MEASURES_PCT_LEN + 1]){0}),
		        pct(w->pa_pupils, w->pupils, (char[MEASURES_PCT_LEN + 1]){0}),
		        pct(w->sa_pupils, w->pupils, (char[MEASURES_PCT_LEN + 1]){0}),
		        pct(s->all[MEASURES_TERM].absence, s->all[MEASURES_TERM].possible,
		            (char[MEASURES_PCT_LEN + 1]){0}),
		        pct(s->all[MEASURES_LAST4W].absence, s->all[MEASURES_LAST4W].possible,
		            (char[MEASURES_PCT_LEN + 1]){0}),
		        cases[c].national,
		        cases[c].vs,
		};
		for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
			if (!strstr(tr, want[k]))
				fail_msg("school %u: '%s' not in row %s", (unsigned)s->urn, want[k],
				         tr);
		free(tr);
	}
	/* The category counts of each school appear in its category row. */
	for (size_t i = 0; i < N_SCHOOLS; i++) {
		const report_school *s = &fx->schools[i];
		char marker[160];
		snprintf(marker, sizeof(marker), "<th scope=\"row\">%s</th>",
		         i == 0 ? "Oak &amp; Ash &lt;Primary&gt;" : s->name);
		char *tr = row_after(html, "id=\"category-table\"", marker);
		uint64_t total = 0;
		for (int k = 1; k < MEASURES_CAT_COUNT; k++)
			total += s->categories[MEASURES_YTD][k];
		for (int k = 1; k < MEASURES_CAT_COUNT; k++) {
			char want[64], p[MEASURES_PCT_LEN + 1];
			snprintf(want, sizeof(want), "%u <span class=\"muted\">%s",
			         s->categories[MEASURES_YTD][k],
			         pct(s->categories[MEASURES_YTD][k], total, p));
			if (!strstr(tr, want))
				fail_msg("category %d of %s: '%s' missing", k, s->name, want);
		}
		free(tr);
	}
	free(html);
	free(fx);
}

/* Headline tiles and weekly figures are the trust's exact sums. */
static void test_trust_figures(void **state)
{
	fixture *fx = malloc(sizeof(*fx));
	assert_non_null(fx);
	fixture_build(fx);
	char *html = render(&fx->r);
	const report_school *t = &fx->r.trust;
	const measures_cohort_row *y = &t->all[MEASURES_YTD];
	char p[MEASURES_PCT_LEN + 1], want[128];

	assert_int_equal(y->pupils, 1200);
	snprintf(want, sizeof(want), "<div class=\"v\">%s</div>",
	         pct(y->possible - y->absence, y->possible, p));
	assert_non_null(strstr(html, want));
	snprintf(want, sizeof(want), "<div class=\"v\">%s</div>",
	         pct(y->authorised, y->possible, p));
	assert_non_null(strstr(html, want));
	snprintf(want, sizeof(want), "<div class=\"v\">%s</div>",
	         pct(y->unauthorised, y->possible, p));
	assert_non_null(strstr(html, want));
	snprintf(want, sizeof(want), "<div class=\"v\">%s</div>\n<div class=\"n\">260 pupils",
	         pct(y->pa_pupils, y->pupils, p));
	assert_non_null(strstr(html, want));
	assert_non_null(strstr(html, "1,200 pupils in 3 schools"));
	/* Phase mix: (40000 * 94.5 + 180000 * 91.1 + 20000 * 87.0) / 240000 = 91.325. */
	assert_non_null(strstr(html, "<tr class=\"nat\"><th scope=\"row\">National</th><td>91.3%"));
	for (size_t w = 0; w < N_WEEKS; w++) {
		int yy, m, d;
		date_to_ymd(t->week_start[w], &yy, &m, &d);
		snprintf(want, sizeof(want), "<li><span>w/c %d Sep</span> <b>%s</b>", d,
		         pct(t->week_possible[w] - t->week_absence[w], t->week_possible[w], p));
		if (!strstr(html, want))
			fail_msg("week %zu: '%s' missing", w, want);
	}
	/* Data quality and the population counted apart. */
	assert_non_null(strstr(html, "<strong>Oak &amp; Ash &lt;Primary&gt;</strong> 12."));
	assert_non_null(strstr(html, "180 other enrolments"));
	assert_non_null(strstr(html, "Hillside Academy 150"));
	free(html);
	fixture_build(fx);
	for (size_t i = 0; i < N_SCHOOLS; i++)
		fx->schools[i].unmarked = 0;
	html = render(&fx->r);
	assert_non_null(strstr(html, "every register is taken"));
	free(html);
	free(fx);
}

/* Cohort rows: exact rates and gaps, small groups flagged, empty cohorts listed apart. */
static void test_cohorts(void **state)
{
	fixture *fx = malloc(sizeof(*fx));
	assert_non_null(fx);
	fixture_build(fx);
	char *html = render(&fx->r);
	const report_school *t = &fx->r.trust;

	for (size_t c = 0; c < N_COHORTS; c++) {
		const measures_cohort_row *in = &t->in[MEASURES_YTD][c];
		const measures_cohort_row *out = &t->out[MEASURES_YTD][c];
		char marker[64], p[MEASURES_PCT_LEN + 1], g[MEASURES_PCT_LEN], want[96];
		snprintf(marker, sizeof(marker), "data-cohort=\"%s\"", COHORTS[c].name);
		if (in->pupils == 0) {
			assert_null(strstr(html, marker));
			snprintf(want, sizeof(want), "No headline pupils in: %s.",
			         COHORTS[c].label);
			assert_non_null(strstr(html, want));
			continue;
		}
		char *tr = row_after(html, "id=\"cohort-table\"", marker);
		snprintf(want, sizeof(want), "<td>%u</td>", (unsigned)in->pupils);
		assert_non_null(strstr(tr, want));
		const char *att = pct(in->possible - in->absence, in->possible, p);
		if (in->pupils < 5) {
			/* attendance, PA, and the year and term gaps */
			assert_int_equal(count(tr, "small group"), 4);
			if (strstr(tr, att))
				fail_msg("small cohort %s shows its rate %s", COHORTS[c].name, att);
		} else {
			if (!strstr(tr, att))
				fail_msg("cohort %s: attendance %s missing in %s", COHORTS[c].name,
				         att, tr);
			assert_non_null(strstr(tr, pct(in->pa_pupils, in->pupils, p)));
			measures_gap_format(in->possible - in->absence, in->possible,
			                    out->possible - out->absence, out->possible, g);
			/* Signed, except a gap that rounds to nothing. */
			snprintf(want, sizeof(want), ">%s%s</strong>",
			         g[0] == '-' || strcmp(g, "0.0") == 0 ? "" : "+", g);
			if (!strstr(tr, want))
				fail_msg("cohort %s: gap %s missing in %s", COHORTS[c].name, want,
				         tr);
		}
		free(tr);
	}
	/* FSM: national attendance 100 - 10.0, PA 31.7, others 100 - 5.2. */
	char *tr = row_after(html, "id=\"cohort-table\"", "data-cohort=\"fsm\"");
	assert_non_null(strstr(tr, "90.0%"));
	assert_non_null(strstr(tr, "PA 31.7%"));
	assert_non_null(strstr(tr, "others 94.8%"));
	free(tr);
	/* The national FSM gap is drawn as a marker: 90.0 - 94.8. */
	assert_non_null(strstr(html, "<title>National gap -4.8 pp</title>"));
	/* Year groups are not in the by-school matrix; small groups there are flagged. */
	const char *matrix = strstr(html, "id=\"cohort-matrix\"");
	assert_non_null(matrix);
	assert_null(strstr(matrix, ">Year 7</th>"));
	assert_non_null(strstr(matrix, "sm <span class=\"muted\">3</span>"));
	free(html);
	free(fx);
}

static void test_deterministic(void **state)
{
	fixture *fx = malloc(sizeof(*fx));
	assert_non_null(fx);
	fixture_build(fx);
	char *a = render(&fx->r);
	char *b = render(&fx->r);
	assert_string_equal(a, b);
	/* And it depends on the figures: one session more changes the page. */
	fx->schools[1].all[MEASURES_YTD].absence += 1000;
	char *c = render(&fx->r);
	assert_true(strcmp(a, c) != 0);
	free(a);
	free(b);
	free(c);
	free(fx);
}

/* A trust with nothing yet: no schools, cohorts, weeks or benchmarks. */
static void test_empty(void **state)
{
	trust_report r;
	memset(&r, 0, sizeof(r));
	r.as_of = date_from_ymd(2024, 8, 1);
	r.term = (measures_term){2024, MEASURES_AUTUMN, r.as_of, r.as_of};
	r.period_first[MEASURES_YTD] = r.as_of;
	r.period_first[MEASURES_TERM] = r.as_of;
	r.period_first[MEASURES_LAST4W] = MEASURES_NO_DAY;
	char *html = render(&r);
	assert_non_null(strstr(html, "No school weeks yet"));
	assert_non_null(strstr(html, "no school weeks yet"));
	assert_non_null(strstr(html, "No possible sessions"));
	assert_int_equal(count(html, "<svg"), count(html, "</svg>"));
	assert_int_equal(count(html, "<tr"), count(html, "</tr>"));
	assert_non_null(strstr(html, "</html>\n"));
	free(html);
}

/* A write error is reported, not swallowed. */
/* The category boundaries in force, as the categories note says them: the defaults in one
 * sentence; boundaries that differ between LAs, one line per group naming its schools. */
static void test_boundaries(void **state)
{
	fixture *fx = malloc(sizeof(*fx));
	char *html;

	assert_non_null(fx);
	fixture_build(fx);
	html = render(&fx->r);
	assert_non_null(strstr(html, "Default boundaries (the trust may set its own): expected up "
	                             "to 5% absence; at risk of PA over 5% and under 10%; "
	                             "persistent absence 10% to 20%; at risk of SA over 20% and "
	                             "under 50%; severe absence 50% or more.</p>"));
	assert_null(strstr(html, "id=\"boundaries\""));
	free(html);

	fx->schools[0].boundaries_source = REPORT_BOUNDARIES_LA;
	fx->schools[0].category_bp[0] = 450;
	fx->schools[0].category_bp[2] = 2525;
	for (size_t i = 1; i < N_SCHOOLS; i++)
		fx->schools[i].boundaries_source = REPORT_BOUNDARIES_TRUST;
	html = render(&fx->r);
	assert_non_null(strstr(html, "<li>Boundaries set by Synthetic LA (Oak &amp; Ash "
	                             "&lt;Primary&gt;): expected up to 4.5% absence; at risk of PA "
	                             "over 4.5% and under 10%; persistent absence 10% to 25.25%;"));
	assert_non_null(strstr(html, "<li>Boundaries set by the trust (Hillside Academy, "
	                             "Riverside Special): expected up to 5% absence;"));
	assert_null(strstr(html, "Default boundaries"));
	free(html);
	free(fx);
}

static void test_write_error(void **state)
{
	fixture *fx = malloc(sizeof(*fx));
	assert_non_null(fx);
	fixture_build(fx);
	FILE *f = fopen("/dev/full", "w");
	if (!f) {
		free(fx);
		skip();
	}
	assert_int_equal(report_write_cohorts_html(&fx->r, f), -EIO);
	fclose(f);
	free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_self_contained), cmocka_unit_test(test_escaping),
	        cmocka_unit_test(test_ranking),        cmocka_unit_test(test_school_figures),
	        cmocka_unit_test(test_trust_figures),  cmocka_unit_test(test_cohorts),
	        cmocka_unit_test(test_deterministic),  cmocka_unit_test(test_empty),
	        cmocka_unit_test(test_boundaries),     cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
