/* Unit tests for the measures engine (measures.c, episodes.c): every rule of domain.md §2-7 it
 * implements, pinned by tables over small synthetic schools written in a marks mini-language. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "rollcall/codes.h"
#include "rollcall/date.h"
#include "rollcall/measures.h"

/* ---- fixture: a school in arrays ------------------------------------------------------------ */

#define MAXS 640
#define MAXE 8
#define MAXL 16

struct fx {
	measures_session s[MAXS];
	size_t ns;
	measures_enrolment en[MAXE];
	measures_chars ch[MAXE][4];
	size_t ne;
	uint8_t grid[MAXE][MAXS]; /* packed to n_sessions columns by fx_run */
	measures_late late[MAXL];
	size_t nl;
};

struct range {
	const char *first, *last;
};

static int32_t day_of(const char *s)
{
	int32_t d;

	assert_int_equal(date_parse(s, 10, &d), 0);
	return d;
}

/* Open AM and PM sessions on every weekday of the ranges, except the closed days. */
static void fx_calendar(struct fx *f, const struct range *r, size_t nr, const char *const *closed,
                        size_t nclosed)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < nr; i++) {
		for (int32_t d = day_of(r[i].first); d <= day_of(r[i].last); d++) {
			bool skip = date_weekday(d) >= 5;
			for (size_t c = 0; c < nclosed; c++)
				skip = skip || d == day_of(closed[c]);
			if (skip)
				continue;
			for (uint8_t pm = 0; pm < 2; pm++) {
				assert_true(f->ns < MAXS);
				f->s[f->ns++] =
				        (measures_session){.day = d, .pm = pm, .open = true};
			}
		}
	}
}

/* The school year used by most tests: the end of 2023/24 and all of 2024/25 with half-terms,
 * Christmas, Easter (7-21 Apr 2025) and the 5 May bank holiday. */
static void fx_standard(struct fx *f)
{
	static const struct range r[] = {
	        {"2024-06-03", "2024-07-19"}, {"2024-09-02", "2024-10-25"},
	        {"2024-11-04", "2024-12-20"}, {"2025-01-06", "2025-02-14"},
	        {"2025-02-24", "2025-04-04"}, {"2025-04-22", "2025-05-23"},
	        {"2025-06-02", "2025-07-22"},
	};
	static const char *const closed[] = {"2025-05-05"};

	fx_calendar(f, r, sizeof(r) / sizeof(r[0]), closed, 1);
}

static size_t fx_session(const struct fx *f, int32_t day, int pm)
{
	for (size_t i = 0; i < f->ns; i++)
		if (f->s[i].day == day && f->s[i].pm == pm)
			return i;
	fail_msg("no session on day %d pm %d", day, pm);
	return 0;
}

/* "2024-09-02A": the session index. */
static size_t fx_at(const struct fx *f, const char *s)
{
	assert_true(s[10] == 'A' || s[10] == 'P');
	return fx_session(f, day_of(s), s[10] == 'P');
}

/* Adds an enrolment with one characteristics record from its admission day (year 5, girl). */
static size_t fx_pupil(struct fx *f, const char *dob, const char *admission, const char *leaving)
{
	size_t e = f->ne++;

	assert_true(e < MAXE);
	f->ch[e][0] = (measures_chars){.valid_from = day_of(admission), .nc_year = 5, .sex = 'F'};
	f->en[e] = (measures_enrolment){
	        .pupil_id = 1000 + (int64_t)e,
	        .admission_day = day_of(admission),
	        .leaving_day = leaving ? day_of(leaving) : MEASURES_NO_DAY,
	        .birth_day = day_of(dob),
	        .chars = f->ch[e],
	        .n_chars = 1,
	};
	return e;
}

/* Marks mini-language: segments "2024-09-02A tok tok ...; 2024-10-01P tok" where each token
 * fills the next session: a code ("N", "Y1", "\\"), "." for unmarked, "?" for an id the code
 * table does not know, each optionally repeated with "*k" ("N*20"). */
static void fx_marks(struct fx *f, size_t e, const char *spec)
{
	const char *p = spec;

	while (*p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (!*p)
			break;
		size_t s = fx_at(f, p);
		p += 11;
		while (*p && *p != ';') {
			char tok[8];
			size_t n = 0;
			long rep = 1;
			uint8_t id;
			while (*p == ' ')
				p++;
			if (!*p || *p == ';')
				break;
			while (*p && *p != ' ' && *p != ';' && *p != '*' && n < sizeof(tok) - 1)
				tok[n++] = *p++;
			tok[n] = '\0';
			if (*p == '*')
				rep = strtol(p + 1, (char **)&p, 10);
			if (strcmp(tok, ".") == 0) {
				id = 0;
			} else if (strcmp(tok, "?") == 0) {
				id = 250;
			} else {
				const rc_code *c = codes_find(tok, n);
				if (c == NULL)
					fail_msg("unknown code '%s' in test spec", tok);
				id = c->id;
			}
			for (long i = 0; i < rep; i++) {
				assert_true(s < f->ns);
				f->grid[e][s++] = id;
			}
		}
	}
}

/* Every session of enrolment e gets code. */
static void fx_fill_all(struct fx *f, size_t e, const char *code)
{
	const rc_code *c = codes_find(code, strlen(code));

	assert_non_null(c);
	for (size_t s = 0; s < f->ns; s++)
		f->grid[e][s] = c->id;
}

static void fx_late(struct fx *f, size_t e, const char *at, uint32_t minutes)
{
	assert_true(f->nl < MAXL);
	f->late[f->nl++] = (measures_late){(uint32_t)e, (uint32_t)fx_at(f, at), minutes};
}

static int fx_try(struct fx *f, const char *as_of, const measures_config *cfg, measures **out,
                  char *err, size_t errlen)
{
	uint8_t *grid = malloc(f->ne * f->ns + 1);
	int rc;

	assert_non_null(grid);
	for (size_t e = 0; e < f->ne; e++)
		memcpy(grid + e * f->ns, f->grid[e], f->ns);
	measures_input in = {
	        .sessions = f->s,
	        .n_sessions = f->ns,
	        .enrolments = f->en,
	        .n_enrolments = f->ne,
	        .grid = grid,
	        .late = f->late,
	        .n_late = f->nl,
	};
	rc = measures_new(out, &in, day_of(as_of), cfg, err, errlen);
	free(grid); /* the engine keeps its own copy: ASan catches any use of ours */
	return rc;
}

static measures *fx_run(struct fx *f, const char *as_of, const measures_config *cfg)
{
	measures *m = NULL;
	char err[200] = "";

	if (fx_try(f, as_of, cfg, &m, err, sizeof(err)) != 0)
		fail_msg("measures_new: %s", err);
	assert_non_null(m);
	return m;
}

#define NONE_DAY  NULL
#define R5(x)     x x x x x
#define R15(x)    R5(x) R5(x) R5(x)
#define R20(x)    R5(x) R5(x) R5(x) R5(x)
#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A day string or NULL for MEASURES_NO_DAY. */
static int32_t day_or_none(const char *s)
{
	return s ? day_of(s) : MEASURES_NO_DAY;
}

/* ---- formatting and rates ------------------------------------------------------------------- */

static void test_pct_format(void **state)
{
	static const struct {
		uint64_t num, den;
		const char *want;
	} cases[] = {
	        {1, 3, "33.3"},
	        {2, 3, "66.7"},
	        {1, 8, "12.5"},
	        {0, 0, ""},
	        {5, 0, ""},
	        {0, 7, "0.0"},
	        {7, 7, "100.0"},
	        {1, 16, "6.3"},
	        {1, 2000, "0.1"},
	        {1, 2001, "0.0"},
	        {999, 1000, "99.9"},
	        {9995, 10000, "100.0"},
	        {9994, 10000, "99.9"},
	        {19, 20, "95.0"},
	        {3, 40, "7.5"},
	        {1, 6, "16.7"},
	        {5, 6, "83.3"},
	        {7, 9, "77.8"},
	        {UINT32_MAX, UINT32_MAX, "100.0"},
	};
	char out[MEASURES_PCT_LEN];

	for (size_t i = 0; i < N_ELEM(cases); i++)
		assert_string_equal(measures_pct_format(cases[i].num, cases[i].den, out),
		                    cases[i].want);
}

static void test_gap_format(void **state)
{
	static const struct {
		uint64_t a, b, c, d;
		const char *want;
	} cases[] = {
	        {1, 2, 1, 4, "25.0"},   {1, 4, 1, 2, "-25.0"},   {1, 3, 1, 3, "0.0"},
	        {1, 2000, 0, 1, "0.1"}, {0, 1, 1, 2000, "-0.1"}, {0, 1, 1, 2001, "0.0"},
	        {2, 3, 1, 3, "33.3"},   {1, 3, 2, 3, "-33.3"},   {1, 0, 1, 2, ""},
	        {1, 2, 1, 0, ""},       {95, 100, 9, 10, "5.0"}, {9, 10, 95, 100, "-5.0"},
	};
	char out[MEASURES_PCT_LEN];

	for (size_t i = 0; i < N_ELEM(cases); i++)
		assert_string_equal(
		        measures_gap_format(cases[i].a, cases[i].b, cases[i].c, cases[i].d, out),
		        cases[i].want);
}

static void test_categorise(void **state)
{
	static const struct {
		uint32_t bp[4]; /* {0} = defaults */
		uint64_t absence, possible;
		measures_category want;
		bool pa, sa;
	} cases[] = {
	        {{0}, 0, 100, MEASURES_CAT_EXPECTED, false, false},
	        {{0}, 5, 100, MEASURES_CAT_EXPECTED, false, false},  /* r = 5%: expected */
	        {{0}, 1, 20, MEASURES_CAT_EXPECTED, false, false},   /* 5% exactly */
	        {{0}, 1, 19, MEASURES_CAT_AT_RISK_PA, false, false}, /* 5.26% */
	        {{0}, 501, 10000, MEASURES_CAT_AT_RISK_PA, false, false},
	        {{0}, 9, 100, MEASURES_CAT_AT_RISK_PA, false, false},
	        {{0}, 999, 10000, MEASURES_CAT_AT_RISK_PA, false, false},
	        {{0}, 10, 100, MEASURES_CAT_PA, true, false}, /* 10%: PA */
	        {{0}, 1, 10, MEASURES_CAT_PA, true, false},
	        {{0}, 20, 100, MEASURES_CAT_PA, true, false}, /* 20%: still PA */
	        {{0}, 1, 5, MEASURES_CAT_PA, true, false},
	        {{0}, 2001, 10000, MEASURES_CAT_AT_RISK_SA, true, false},
	        {{0}, 1, 4, MEASURES_CAT_AT_RISK_SA, true, false},
	        {{0}, 49, 100, MEASURES_CAT_AT_RISK_SA, true, false},
	        {{0}, 4999, 10000, MEASURES_CAT_AT_RISK_SA, true, false},
	        {{0}, 50, 100, MEASURES_CAT_SA, true, true}, /* 50%: SA */
	        {{0}, 1, 2, MEASURES_CAT_SA, true, true},
	        {{0}, 100, 100, MEASURES_CAT_SA, true, true},
	        {{0}, 0, 0, MEASURES_CAT_NONE, false, false}, /* no division by zero */
	        {{0}, 3, 0, MEASURES_CAT_NONE, false, false},
	        /* a trust's own edges: 4 / 10 / 25 / 50 */
	        {{400, 1000, 2500, 5000}, 4, 100, MEASURES_CAT_EXPECTED, false, false},
	        {{400, 1000, 2500, 5000}, 5, 100, MEASURES_CAT_AT_RISK_PA, false, false},
	        {{400, 1000, 2500, 5000}, 25, 100, MEASURES_CAT_PA, true, false},
	        {{400, 1000, 2500, 5000}, 26, 100, MEASURES_CAT_AT_RISK_SA, true, false},
	};

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		measures_config cfg;
		measures_config_init(&cfg);
		if (cases[i].bp[0] != 0)
			memcpy(cfg.category_bp, cases[i].bp, sizeof(cfg.category_bp));
		assert_int_equal(measures_config_check(&cfg, NULL, 0), 0);
		assert_int_equal(measures_categorise(&cfg, cases[i].absence, cases[i].possible),
		                 cases[i].want);
		assert_int_equal(
		        measures_rate_ge(cases[i].absence, cases[i].possible, MEASURES_PA_BP),
		        cases[i].pa);
		assert_int_equal(
		        measures_rate_ge(cases[i].absence, cases[i].possible, MEASURES_SA_BP),
		        cases[i].sa);
	}
	assert_string_equal(measures_category_name(MEASURES_CAT_AT_RISK_PA), "at_risk_pa");
	assert_string_equal(measures_category_name(MEASURES_CAT_SA), "sa");
	assert_string_equal(measures_category_name(MEASURES_CAT_NONE), "");
}

static void test_config_check(void **state)
{
	enum { OK, EDGES_EQUAL, EDGES_DOWN, EDGE_OVER, ZERO_EPISODE, ZERO_WEEKS, TERM_REVERSED };
	static const struct {
		int what;
		int rc;
		const char *says;
	} cases[] = {
	        {OK, 0, ""},
	        {EDGES_EQUAL, -EINVAL, "not increasing"},
	        {EDGES_DOWN, -EINVAL, "not increasing"},
	        {EDGE_OVER, -EINVAL, "above 10000"},
	        {ZERO_EPISODE, -EINVAL, "episode_sessions"},
	        {ZERO_WEEKS, -EINVAL, "penalty_weeks"},
	        {TERM_REVERSED, -EINVAL, "term"},
	};

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		measures_config cfg;
		char err[120] = "";
		measures_config_init(&cfg);
		switch (cases[i].what) {
		case EDGES_EQUAL:
			cfg.category_bp[2] = cfg.category_bp[1];
			break;
		case EDGES_DOWN:
			cfg.category_bp[0] = 1500;
			break;
		case EDGE_OVER:
			cfg.category_bp[3] = 10001;
			break;
		case ZERO_EPISODE:
			cfg.episode_sessions = 0;
			break;
		case ZERO_WEEKS:
			cfg.penalty_weeks = 0;
			break;
		case TERM_REVERSED:
			cfg.term_given = true;
			cfg.term_first = 20000;
			cfg.term_last = 19999;
			break;
		}
		assert_int_equal(measures_config_check(&cfg, err, sizeof(err)), cases[i].rc);
		assert_non_null(strstr(err, cases[i].says));
	}
}

static void test_compulsory_age(void **state)
{
	static const struct {
		const char *dob;
		int ay;
		bool want;
	} cases[] = {
	        {"2008-09-01", 2024, true},  {"2008-08-31", 2024, false}, /* 16 on 31 Aug 2024 */
	        {"2019-08-31", 2024, true},  {"2019-09-01", 2024, false}, /* 4 on 31 Aug 2024 */
	        {"2012-02-29", 2024, true},  {"2019-09-01", 2025, true},
	        {"2009-08-31", 2025, false}, {"2009-09-01", 2025, true},
	        {"2020-03-10", 2024, false}, {"2020-03-10", 2025, true},
	};

	for (size_t i = 0; i < N_ELEM(cases); i++)
		assert_int_equal(measures_compulsory_age(day_of(cases[i].dob), cases[i].ay),
		                 cases[i].want);
}

/* ---- each code counts in its category, retired codes by date ----------------------------------
 */

enum field { F_PRESENT, F_AEA, F_AUTH, F_UNAUTH, F_NOTC, F_INVALID, F_UNMARKED };

static void test_code_categories(void **state)
{
	static const struct range r[] = {
	        {"2024-07-15", "2024-07-15"},
	        {"2024-08-16", "2024-08-16"}, /* the last day of the old codes */
	        {"2024-08-19", "2024-08-19"}, /* the first day of the 2024 codes */
	        {"2024-09-02", "2024-09-02"},
	};
	static const struct {
		const char *code, *at;
		enum field want;
		rc_bucket bucket;
	} cases[] = {
	        {"/", "2024-09-02A", F_PRESENT, RC_BUCKET_NONE},
	        {"\\", "2024-09-02P", F_PRESENT, RC_BUCKET_NONE},
	        {"L", "2024-09-02A", F_PRESENT, RC_BUCKET_NONE},
	        {"K", "2024-09-02A", F_AEA, RC_BUCKET_NONE},
	        {"K", "2024-08-19A", F_AEA, RC_BUCKET_NONE},
	        {"K", "2024-08-16A", F_INVALID, RC_BUCKET_NONE}, /* a 2024 code before 2024 */
	        {"V", "2024-09-02A", F_AEA, RC_BUCKET_NONE},
	        {"P", "2024-09-02A", F_AEA, RC_BUCKET_NONE},
	        {"W", "2024-09-02A", F_AEA, RC_BUCKET_NONE},
	        {"B", "2024-09-02A", F_AEA, RC_BUCKET_NONE},
	        {"D", "2024-09-02A", F_NOTC, RC_BUCKET_NONE},
	        {"C1", "2024-09-02A", F_AUTH, RC_BUCKET_C1},
	        {"M", "2024-09-02A", F_AUTH, RC_BUCKET_M},
	        {"J1", "2024-09-02A", F_AUTH, RC_BUCKET_J1},
	        {"S", "2024-09-02A", F_AUTH, RC_BUCKET_S},
	        {"X", "2024-09-02A", F_NOTC, RC_BUCKET_NONE},
	        {"C2", "2024-09-02A", F_AUTH, RC_BUCKET_C2},
	        {"C", "2024-09-02A", F_AUTH, RC_BUCKET_C},
	        {"T", "2024-09-02A", F_AUTH, RC_BUCKET_T},
	        {"R", "2024-09-02A", F_AUTH, RC_BUCKET_R},
	        {"I", "2024-09-02A", F_AUTH, RC_BUCKET_I},
	        {"E", "2024-09-02A", F_AUTH, RC_BUCKET_E},
	        {"Q", "2024-09-02A", F_NOTC, RC_BUCKET_NONE},
	        {"Y1", "2024-09-02A", F_NOTC, RC_BUCKET_NONE},
	        {"Y4", "2024-09-02P", F_NOTC, RC_BUCKET_NONE},
	        {"Y7", "2024-09-02A", F_NOTC, RC_BUCKET_NONE},
	        {"Y1", "2024-07-15A", F_INVALID, RC_BUCKET_NONE},
	        {"G", "2024-09-02A", F_UNAUTH, RC_BUCKET_G},
	        {"N", "2024-09-02A", F_UNAUTH, RC_BUCKET_N},
	        {"N", "2024-07-15A", F_UNAUTH, RC_BUCKET_N},
	        {"O", "2024-09-02A", F_UNAUTH, RC_BUCKET_O},
	        {"U", "2024-09-02A", F_UNAUTH, RC_BUCKET_U},
	        {"Z", "2024-09-02A", F_NOTC, RC_BUCKET_NONE},
	        {"#", "2024-09-02A", F_NOTC, RC_BUCKET_NONE},
	        /* retired codes: old category before 19 Aug 2024, invalid from it */
	        {"H", "2024-07-15A", F_AUTH, RC_BUCKET_NONE},
	        {"H", "2024-08-16P", F_AUTH, RC_BUCKET_NONE},
	        {"H", "2024-08-19A", F_INVALID, RC_BUCKET_NONE},
	        {"H", "2024-09-02A", F_INVALID, RC_BUCKET_NONE},
	        {"F", "2024-07-15A", F_AUTH, RC_BUCKET_NONE},
	        {"F", "2024-09-02A", F_INVALID, RC_BUCKET_NONE},
	        {"J", "2024-07-15A", F_AEA, RC_BUCKET_NONE},
	        {"J", "2024-08-19A", F_INVALID, RC_BUCKET_NONE},
	        {"Y", "2024-08-16A", F_NOTC, RC_BUCKET_NONE},
	        {"Y", "2024-08-19A", F_INVALID, RC_BUCKET_NONE},
	        {"?", "2024-09-02A", F_INVALID, RC_BUCKET_NONE}, /* an id the table does not know */
	        {".", "2024-09-02A", F_UNMARKED, RC_BUCKET_NONE},
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		char spec[40];
		fx_calendar(&f, r, N_ELEM(r), NULL, 0);
		size_t e = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
		/* every other session of the pupil is unmarked, so only the session's own day is
		 * looked at: as of that day, only sessions in its academic year count */
		snprintf(spec, sizeof(spec), "%s %s", cases[i].at, cases[i].code);
		fx_marks(&f, e, spec);
		char day[11];
		memcpy(day, cases[i].at, 10);
		day[10] = '\0';
		measures *m = fx_run(&f, day, NULL);
		const measures_counts *c = &m->pupils[e].counts[MEASURES_YTD];
		uint32_t got[] = {
		        c->present, c->aea, c->authorised, c->unauthorised, c->not_counted,
		        c->invalid, 0};
		/* the other sessions of the academic year up to that day are unmarked */
		uint32_t unmarked_other = 0;
		int32_t ay_first = date_academic_year_start(date_academic_year(day_of(day)));
		for (size_t s = 0; s < f.ns; s++)
			unmarked_other += f.s[s].day >= ay_first && f.s[s].day <= day_of(day);
		unmarked_other -= 1;
		got[F_UNMARKED] = c->unmarked - unmarked_other;
		for (int fld = F_PRESENT; fld <= F_UNMARKED; fld++)
			if (got[fld] != (fld == (int)cases[i].want))
				fail_msg("case %zu (%s on %s): field %d is %u", i, cases[i].code,
				         cases[i].at, fld, got[fld]);
		assert_int_equal(c->possible, cases[i].want <= F_UNAUTH);
		for (int b = 0; b < RC_BUCKET_COUNT; b++)
			assert_int_equal(c->bucket[b],
			                 b != RC_BUCKET_NONE && b == (int)cases[i].bucket);
		measures_destroy(&m);
		assert_null(m);
	}
}

/* ---- runs ------------------------------------------------------------------------------------ */

struct want_run {
	int first, last, length, qualifying; /* offsets from the first session; -1: none */
	bool open;
};

static void check_runs(const measures *m, const measures_episode *v, size_t n, size_t base,
                       const struct want_run *want, size_t case_no)
{
	size_t nwant = 0;

	while (nwant < 3 && want[nwant].length > 0)
		nwant++;
	if (n != nwant)
		fail_msg("case %zu: %zu runs, expected %zu", case_no, n, nwant);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v[i].first, base + (size_t)want[i].first);
		assert_int_equal(v[i].last, base + (size_t)want[i].last);
		assert_int_equal(v[i].length, want[i].length);
		if (want[i].qualifying < 0)
			assert_int_equal(v[i].qualifying, MEASURES_NO_SESSION);
		else
			assert_int_equal(v[i].qualifying, base + (size_t)want[i].qualifying);
		assert_int_equal(v[i].end_day == MEASURES_NO_DAY, want[i].open);
		if (!want[i].open) /* broken by the session after its last */
			assert_true(v[i].end_day >= m->sessions[v[i].last].day);
	}
}

static void test_runs(void **state)
{
	static const struct {
		const char *marks; /* from 2 Sep 2024 AM */
		struct want_run unauth[3], ill[3];
	} cases[] = {
	        /* non-possible # inside a run: still one run */
	        {"O O # O /", {{0, 3, 3, -1, false}}, {{0}}},
	        /* unmarked and invalid sessions neither extend nor break */
	        {"N . N ? N", {{0, 4, 3, -1, true}}, {{0}}},
	        {"N / N", {{0, 0, 1, -1, false}, {2, 2, 1, -1, true}}, {{0}}},
	        {"G N O U L", {{0, 3, 4, -1, false}}, {{0}}},
	        /* D, X, Q, Z, Y1 are not possible: skipped */
	        {"N D X Q Z Y1 N", {{0, 6, 2, -1, true}}, {{0}}},
	        {"N I N", {{0, 0, 1, -1, false}, {2, 2, 1, -1, true}}, {{1, 1, 1, -1, false}}},
	        /* Y1 inside an illness run */
	        {"I I Y1 I I /", {{0}}, {{0, 4, 4, -1, false}}},
	        {"N*20", {{0, 19, 20, 19, true}}, {{0}}},
	        {"N*19 / N", {{0, 18, 19, -1, false}, {20, 20, 1, -1, true}}, {{0}}},
	        {"N*10 # # N*10", {{0, 21, 20, 21, true}}, {{0}}},
	        {"N*10 Y2 . N*10 /", {{0, 21, 20, 21, false}}, {{0}}},
	        {"I*29 M I", {{0}}, {{0, 28, 29, -1, false}, {30, 30, 1, -1, true}}},
	        {"I*30", {{0}}, {{0, 29, 30, 29, true}}},
	        /* AEA and authorised codes break an unauthorised run */
	        {"N V N", {{0, 0, 1, -1, false}, {2, 2, 1, -1, true}}, {{0}}},
	        {"N C2 N", {{0, 0, 1, -1, false}, {2, 2, 1, -1, true}}, {{0}}},
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		char spec[200];
		fx_standard(&f);
		size_t e = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
		snprintf(spec, sizeof(spec), "2024-09-02A %s", cases[i].marks);
		fx_marks(&f, e, spec);
		measures *m = fx_run(&f, "2024-10-25", NULL);
		const measures_pupil *pu = &m->pupils[e];
		size_t base = fx_at(&f, "2024-09-02A");
		check_runs(m, m->episodes + pu->first_episode, pu->n_episodes, base,
		           cases[i].unauth, i);
		check_runs(m, m->illness + pu->first_illness, pu->n_illness, base, cases[i].ill, i);
		measures_destroy(&m);
	}
}

/* The first and last day of a month. */
static void month_range(int year, int month, int32_t *first, int32_t *last)
{
	*first = date_from_ymd(year, month, 1);
	*last = (month == 12 ? date_from_ymd(year + 1, 1, 1) : date_from_ymd(year, month + 1, 1)) -
	        1;
}

static int attendance_month(const measures *m, int year, int month, measures_attendance_row **rows,
                            size_t *n)
{
	int32_t a, b;

	month_range(year, month, &a, &b);
	return measures_attendance_return(m, a, b, rows, n);
}

static int sickness_month(const measures *m, int year, int month, measures_sickness_row **rows,
                          size_t *n)
{
	int32_t a, b;

	month_range(year, month, &a, &b);
	return measures_sickness_return(m, a, b, rows, n);
}

/* ---- attendance return: the 20th session decides the month ----------------------------------- */

static void test_attendance_return(void **state)
{
	static const struct {
		const char *marks;
		const char *dob;
		int month;
		size_t rows;
		const char *start, *qualified; /* "2024-09-30P" */
		uint32_t sessions;
		bool ongoing;
	} cases[] = {
	        /* 20th session is the AM of 1 Oct: October, not September */
	        {"2024-09-17P N*20 /", "2015-01-01", 9, 0, NULL, NULL, 0, false},
	        {"2024-09-17P N*20 /", "2015-01-01", 10, 1, "2024-09-17P", "2024-10-01A", 20,
	         false},
	        /* 20th session is the PM of 30 Sep: September; broken on 1 Oct, so still ongoing
	           at the end of September */
	        {"2024-09-17A N*20 /", "2015-01-01", 9, 1, "2024-09-17A", "2024-09-30P", 20, true},
	        {"2024-09-17A N*20 /", "2015-01-01", 10, 0, NULL, NULL, 0, false},
	        /* qualifies on the AM of 30 Sep and is broken that PM: not ongoing */
	        {"2024-09-16P N*20 /", "2015-01-01", 9, 1, "2024-09-16P", "2024-09-30A", 20, false},
	        /* reported once, sessions counted to the end of the month */
	        {"2024-09-17A N*25 /", "2015-01-01", 9, 1, "2024-09-17A", "2024-09-30P", 20, true},
	        {"2024-09-17A N*25 /", "2015-01-01", 10, 0, NULL, NULL, 0, false},
	        {"2024-09-02A N*19 / N*19", "2015-01-01", 9, 0, NULL, NULL, 0, false},
	        {"2024-09-02A N*19 / N*19", "2015-01-01", 10, 0, NULL, NULL, 0, false},
	        /* a run followed by unmarked sessions is ongoing on the as-of day */
	        {"2024-10-01A N*30", "2015-01-01", 10, 1, "2024-10-01A", "2024-10-14P", 30, true},
	        /* a run spanning half-term and a # closure day */
	        {"2024-10-21A N*10; 2024-11-04A # # N*10 /", "2015-01-01", 11, 1, "2024-10-21A",
	         "2024-11-11P", 20, false},
	        {"2024-10-21A N*10; 2024-11-04A # # N*10 /", "2015-01-01", 10, 0, NULL, NULL, 0,
	         false},
	        /* Reception child (aged 4): not of compulsory school age, not listed */
	        {"2024-09-17A N*20 /", "2020-03-10", 9, 0, NULL, NULL, 0, false},
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		measures_attendance_row *rows = NULL;
		size_t n = 99;
		fx_standard(&f);
		size_t e = fx_pupil(&f, cases[i].dob, "2024-01-01", NULL);
		fx_marks(&f, e, cases[i].marks);
		measures *m = fx_run(&f, "2024-11-29", NULL);
		assert_int_equal(attendance_month(m, 2024, cases[i].month, &rows, &n), 0);
		if (n != cases[i].rows)
			fail_msg("case %zu: %zu rows, expected %zu", i, n, cases[i].rows);
		if (n == 1) {
			assert_int_equal(rows[0].enrolment, e);
			assert_int_equal(rows[0].start_day, day_of(cases[i].start));
			assert_int_equal(rows[0].start_pm, cases[i].start[10] == 'P');
			assert_int_equal(rows[0].qualified_day, day_of(cases[i].qualified));
			assert_int_equal(rows[0].qualified_pm, cases[i].qualified[10] == 'P');
			assert_int_equal(rows[0].sessions, cases[i].sessions);
			assert_int_equal(rows[0].ongoing, cases[i].ongoing);
			assert_true(rows[0].episode < m->n_episodes);
		} else {
			assert_null(rows);
		}
		free(rows);
		measures_destroy(&m);
	}
	/* a reversed period, or one across two academic years, is refused */
	fx_standard(&f);
	measures *m = fx_run(&f, "2024-11-29", NULL);
	measures_attendance_row *rows = NULL;
	size_t n = 0;
	assert_int_equal(measures_attendance_return(m, day_of("2024-10-31"), day_of("2024-10-01"),
	                                            &rows, &n),
	                 -EINVAL);
	assert_int_equal(measures_attendance_return(m, day_of("2024-07-01"), day_of("2024-08-31"),
	                                            &rows, &n),
	                 -EINVAL);
	measures_destroy(&m);
	measures_destroy(&m); /* NULL-safe */
}

/* ---- sickness return ------------------------------------------------------------------------- */

static void test_sickness_return(void **state)
{
	struct want {
		measures_sick_status status;
		measures_sick_reason reason;
		const char *reached; /* NULL: NO_DAY */
		uint32_t ill, longest;
	};
	static const struct {
		const char *marks, *dob, *leaving, *as_of;
		int year, month;
		size_t rows;
		struct want w[2];
	} cases[] = {
	        /* a continuous run and the year's total both reach 30 in September: one row */
	        {"2024-09-02A I*30 /",
	         "2015-01-01",
	         NULL,
	         "2024-10-31",
	         2024,
	         9,
	         1,
	         {{MEASURES_SICK_REACHED, MEASURES_SICK_CONTINUOUS, "2024-09-20", 30, 30}}},
	        /* already reached: nothing in October */
	        {"2024-09-02A I*30 /", "2015-01-01", NULL, "2024-10-31", 2024, 10, 0, {{0}}},
	        /* cumulative only: forecast at 28 in September, reached on 1 Oct */
	        {"2024-09-02A " R15("I I / "),
	         "2015-01-01",
	         NULL,
	         "2024-10-31",
	         2024,
	         9,
	         1,
	         {{MEASURES_SICK_FORECAST, MEASURES_SICK_CUMULATIVE, NULL, 28, 2}}},
	        {"2024-09-02A " R15("I I / "),
	         "2015-01-01",
	         NULL,
	         "2024-10-31",
	         2024,
	         10,
	         1,
	         {{MEASURES_SICK_REACHED, MEASURES_SICK_CUMULATIVE, "2024-10-01", 30, 2}}},
	        /* an I run of 12 still going at the end of September (broken on 1 Oct) */
	        {"2024-09-23A I*12 /",
	         "2015-01-01",
	         NULL,
	         "2024-10-31",
	         2024,
	         9,
	         1,
	         {{MEASURES_SICK_FORECAST, MEASURES_SICK_CONTINUOUS, NULL, 12, 12}}},
	        {"2024-09-23A I*12 /", "2015-01-01", NULL, "2024-10-31", 2024, 10, 0, {{0}}},
	        /* 9 is not enough */
	        {"2024-09-25A I*9", "2015-01-01", NULL, "2024-10-31", 2024, 9, 0, {{0}}},
	        /* exactly 10, ongoing (unmarked after) */
	        {"2024-09-24A I*10",
	         "2015-01-01",
	         NULL,
	         "2024-10-31",
	         2024,
	         9,
	         1,
	         {{MEASURES_SICK_FORECAST, MEASURES_SICK_CONTINUOUS, NULL, 10, 10}}},
	        /* 20 scattered I sessions in September (forecast), then a run of 30 in October:
	           the total reaches 30 on 7 Oct and the run on 21 Oct, one CONTINUOUS row */
	        {"2024-09-02A " R20("I / ") "; 2024-10-01A I*30 /",
	         "2015-01-01",
	         NULL,
	         "2024-10-31",
	         2024,
	         9,
	         1,
	         {{MEASURES_SICK_FORECAST, MEASURES_SICK_CUMULATIVE, NULL, 20, 1}}},
	        {"2024-09-02A " R20("I / ") "; 2024-10-01A I*30 /",
	         "2015-01-01",
	         NULL,
	         "2024-10-31",
	         2024,
	         10,
	         1,
	         {{MEASURES_SICK_REACHED, MEASURES_SICK_CONTINUOUS, "2024-10-21", 50, 30}}},
	        /* Reception child: not listed */
	        {"2024-09-02A I*30 /", "2020-03-10", NULL, "2024-10-31", 2024, 9, 0, {{0}}},
	        /* a run across the summer holiday reaches 30 in September; this year's total is
	           20; at the end of July it was a forecast */
	        {"2024-07-15A I*10; 2024-09-02A I*20 /",
	         "2015-01-01",
	         NULL,
	         "2024-10-31",
	         2024,
	         9,
	         1,
	         {{MEASURES_SICK_REACHED, MEASURES_SICK_CONTINUOUS, "2024-09-13", 20, 30}}},
	        {"2024-07-15A I*10; 2024-09-02A I*20 /",
	         "2015-01-01",
	         NULL,
	         "2024-10-31",
	         2024,
	         7,
	         1,
	         {{MEASURES_SICK_FORECAST, MEASURES_SICK_CONTINUOUS, NULL, 10, 10}}},
	        /* reached by that run in September: not forecast in October, though this year's
	           total (20) would be enough for a forecast */
	        {"2024-07-15A I*10; 2024-09-02A I*20 /",
	         "2015-01-01",
	         NULL,
	         "2024-10-31",
	         2024,
	         10,
	         0,
	         {{0}}},
	        /* a pupil who left is not forecast; the same pupil still on roll is */
	        {"2024-09-02A I*24", "2015-01-01", "2024-09-20", "2024-10-31", 2024, 9, 0, {{0}}},
	        {"2024-09-02A I*24",
	         "2015-01-01",
	         NULL,
	         "2024-10-31",
	         2024,
	         9,
	         1,
	         {{MEASURES_SICK_FORECAST, MEASURES_SICK_CONTINUOUS, NULL, 24, 24}}},
	        /* as of mid-month: the month so far */
	        {"2024-09-02A I*30 /",
	         "2015-01-01",
	         NULL,
	         "2024-09-13",
	         2024,
	         9,
	         1,
	         {{MEASURES_SICK_FORECAST, MEASURES_SICK_CONTINUOUS, NULL, 20, 20}}},
	        /* a month that has not started on the as-of day */
	        {"2024-09-02A I*30 /", "2015-01-01", NULL, "2024-09-13", 2024, 10, 0, {{0}}},
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		measures_sickness_row *rows = NULL;
		size_t n = 99;
		fx_standard(&f);
		size_t e = fx_pupil(&f, cases[i].dob, "2024-01-01", cases[i].leaving);
		fx_marks(&f, e, cases[i].marks);
		measures *m = fx_run(&f, cases[i].as_of, NULL);
		assert_int_equal(sickness_month(m, cases[i].year, cases[i].month, &rows, &n), 0);
		if (n != cases[i].rows)
			fail_msg("case %zu: %zu rows, expected %zu", i, n, cases[i].rows);
		for (size_t r = 0; r < n; r++) {
			const struct want *w = &cases[i].w[r];
			if (rows[r].status != w->status || rows[r].reason != w->reason)
				fail_msg("case %zu: %s/%s, expected %s/%s", i,
				         measures_sick_status_name(rows[r].status),
				         measures_sick_reason_name(rows[r].reason),
				         measures_sick_status_name(w->status),
				         measures_sick_reason_name(w->reason));
			assert_int_equal(rows[r].enrolment, e);
			assert_int_equal(rows[r].reached_day, day_or_none(w->reached));
			assert_int_equal(rows[r].illness_sessions, w->ill);
			assert_int_equal(rows[r].longest_run, w->longest);
			assert_int_equal(rows[r].episode == SIZE_MAX,
			                 w->reason == MEASURES_SICK_CUMULATIVE);
		}
		free(rows);
		measures_destroy(&m);
	}
	assert_string_equal(measures_sick_status_name(MEASURES_SICK_FORECAST), "FORECAST");
	assert_string_equal(measures_sick_reason_name(MEASURES_SICK_CONTINUOUS), "CONTINUOUS");
}

/* ---- spells: a pupil who left and was re-admitted ------------------------------------------- */

static void test_spells(void **state)
{
	static struct fx f;
	static measures_gap gap[1];
	measures_attendance_row *rows = NULL;
	size_t n = 0;

	fx_standard(&f);
	/* On roll 2 Sep - 4 Oct, off roll 5 Oct - 3 Nov, re-admitted on 4 Nov. */
	size_t e = fx_pupil(&f, "2015-01-01", "2024-09-02", NULL);
	gap[0] = (measures_gap){day_of("2024-10-05"), day_of("2024-11-03")};
	f.en[e].gaps = gap;
	f.en[e].n_gaps = 1;
	/* 10 N before leaving, then marks (which no figure may read) while off roll, then 10 N
	   after re-admission: two runs of 10, never one of 20. */
	fx_marks(&f, e, "2024-09-02A /*30 N*10; 2024-10-07A N*10; 2024-11-04A N*10 /");
	measures *m = fx_run(&f, "2024-11-29", NULL);
	const measures_pupil *pu = &m->pupils[e];
	assert_int_equal(pu->n_episodes, 2);
	assert_int_equal(m->episodes[pu->first_episode].length, 10);
	assert_int_equal(m->episodes[pu->first_episode].end_day, day_of("2024-10-05"));
	assert_int_equal(m->episodes[pu->first_episode + 1].length, 10);
	assert_int_equal(m->episodes[pu->first_episode + 1].start_day, day_of("2024-11-04"));
	/* The first spell has 50 sessions (40 marked), the second 40 up to 29 Nov (11 marked). */
	assert_int_equal(pu->counts[MEASURES_YTD].possible, 40 + 11);
	assert_int_equal(pu->counts[MEASURES_YTD].unmarked, 10 + 29);
	assert_true(pu->on_roll);
	assert_true(measures_on_roll(m, e, day_of("2024-10-04")));
	assert_false(measures_on_roll(m, e, day_of("2024-10-05")));
	assert_false(measures_on_roll(m, e, day_of("2024-11-03")));
	assert_true(measures_on_roll(m, e, day_of("2024-11-04")));
	assert_int_equal(attendance_month(m, 2024, 10, &rows, &n), 0);
	assert_int_equal(n, 0);
	measures_destroy(&m);
	/* As of a day in the gap: not on roll. */
	m = fx_run(&f, "2024-10-15", NULL);
	assert_false(m->pupils[e].on_roll);
	measures_destroy(&m);
	/* A gap outside the roll dates is refused. */
	gap[0] = (measures_gap){day_of("2024-08-01"), day_of("2024-08-10")};
	char err[200];
	assert_int_equal(fx_try(&f, "2024-11-29", NULL, &m, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "gap 0 of enrolment 0"));
}

/* A boarder is a characteristic like the others: taken as at the as-of day. */
static void test_boarder_as_at(void **state)
{
	static struct fx f;

	fx_standard(&f);
	size_t e = fx_pupil(&f, "2015-01-01", "2024-09-02", NULL);
	f.ch[e][0].boarder = true;
	f.ch[e][1] = (measures_chars){.valid_from = day_of("2024-11-01"), .nc_year = 5, .sex = 'F'};
	f.en[e].n_chars = 2;
	fx_marks(&f, e, "2024-09-02A /*60");
	measures *m = fx_run(&f, "2024-10-31", NULL);
	assert_true(m->pupils[e].boarder);
	assert_false(m->pupils[e].in_population[MEASURES_YTD]);
	measures_destroy(&m);
	m = fx_run(&f, "2024-11-29", NULL);
	assert_false(m->pupils[e].boarder);
	assert_true(m->pupils[e].in_population[MEASURES_YTD]);
	measures_destroy(&m);
}

/* ---- runs carried in from before the sessions held ------------------------------------------- */

static void test_carried_runs(void **state)
{
	static const struct {
		measures_run_carry unauth, ill;
		const char *marks;
		int month;
		size_t att_rows;
		uint32_t att_sessions;
		const char *att_qualified; /* "2024-09-03P" */
		size_t sick_rows;
		measures_sick_status sick_status;
		measures_sick_reason sick_reason;
		uint32_t longest;
	} cases[] = {
	        /* 15 sessions of N before the held sessions, 5 more: the 20th is on 3 Sep PM */
	        {{15, 19844, 0, MEASURES_NO_DAY, 0},
	         {0},
	         "2024-09-02A N*5 /",
	         9,
	         1,
	         20,
	         "2024-09-04A",
	         0,
	         0,
	         0,
	         0},
	        /* reached before the held sessions (reported then): not again */
	        {{25, 19844, 0, 19884, 1}, {0}, "2024-09-02A N*5 /", 9, 0, 0, NULL, 0, 0, 0, 0},
	        /* a carry that does not go on: the first possible session is a present mark */
	        {{19, 19844, 0, MEASURES_NO_DAY, 0},
	         {0},
	         "2024-09-02A / N*19 /",
	         9,
	         0,
	         0,
	         NULL,
	         0,
	         0,
	         0,
	         0},
	        /* not possible sessions (Y1) are skipped, the run goes on */
	        {{19, 19844, 0, MEASURES_NO_DAY, 0},
	         {0},
	         "2024-09-02A Y1 N /",
	         9,
	         1,
	         20,
	         "2024-09-02P",
	         0,
	         0,
	         0,
	         0},
	        /* illness: 25 before, 5 more reach 30 on 4 Sep AM: CONTINUOUS */
	        {{0},
	         {25, 19844, 0, MEASURES_NO_DAY, 0},
	         "2024-09-02A I*5 /",
	         9,
	         0,
	         0,
	         NULL,
	         1,
	         MEASURES_SICK_REACHED,
	         MEASURES_SICK_CONTINUOUS,
	         30},
	        /* illness: 12 before, ongoing at the end of September with 14: FORECAST */
	        {{0},
	         {12, 19844, 0, MEASURES_NO_DAY, 0},
	         "2024-09-27A I*2",
	         9,
	         0,
	         0,
	         NULL,
	         1,
	         MEASURES_SICK_FORECAST,
	         MEASURES_SICK_CONTINUOUS,
	         14},
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		measures_attendance_row *ar = NULL;
		measures_sickness_row *sr = NULL;
		size_t na = 99, ns = 99;

		print_message("case %zu\n", i);
		fx_standard(&f);
		size_t e = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
		f.en[e].carry_unauth = cases[i].unauth;
		f.en[e].carry_ill = cases[i].ill;
		fx_marks(&f, e, cases[i].marks);
		measures *m = fx_run(&f, "2024-10-31", NULL);
		assert_int_equal(attendance_month(m, 2024, cases[i].month, &ar, &na), 0);
		assert_int_equal(na, cases[i].att_rows);
		if (na) {
			assert_int_equal(ar[0].start_day, cases[i].unauth.first_day);
			assert_int_equal(ar[0].sessions, cases[i].att_sessions);
			assert_int_equal(ar[0].qualified_day, day_of(cases[i].att_qualified));
			assert_int_equal(ar[0].qualified_pm, cases[i].att_qualified[10] == 'P');
		}
		assert_int_equal(sickness_month(m, 2024, cases[i].month, &sr, &ns), 0);
		assert_int_equal(ns, cases[i].sick_rows);
		if (ns) {
			assert_int_equal(sr[0].status, cases[i].sick_status);
			assert_int_equal(sr[0].reason, cases[i].sick_reason);
			assert_int_equal(sr[0].longest_run, cases[i].longest);
		}
		free(ar);
		free(sr);
		measures_destroy(&m);
	}
}

/* The stored "this year" illness figures. */
static void test_illness_ytd(void **state)
{
	static struct fx f;

	fx_standard(&f);
	size_t e = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
	fx_marks(&f, e, "2024-07-15A I*4; 2024-09-03P I*29 / I*3");
	measures *m = fx_run(&f, "2024-10-31", NULL);
	assert_int_equal(m->pupils[e].illness_ytd, 32); /* July is last year */
	assert_int_equal(m->pupils[e].illness_first_day, day_of("2024-09-03"));
	assert_int_equal(m->pupils[e].illness_reached_day, day_of("2024-09-24"));
	assert_int_equal(m->pupils[e].counts[MEASURES_YTD].bucket[RC_BUCKET_I], 32);
	measures_destroy(&m);
}

/* ---- on-roll dates, age, boarders, zero possible -----------------------------------------------
 */

static void test_roll_dates(void **state)
{
	static const struct {
		const char *admission, *leaving, *marks, *as_of;
		uint32_t possible, unmarked, not_counted, unauth;
		bool on_roll;
		uint32_t run_length;
		const char *run_end; /* NULL: open */
	} cases[] = {
	        /* joins Wed 11 Sep, leaves Fri 20 Sep: Z before and O after are ignored, the
	           unmarked 13 Sep and 18-20 Sep count as unmarked; the N run is broken 16 Sep */
	        {"2024-09-11", "2024-09-20",
	         "2024-09-02A Z*14 / / N N . . / / / /; 2024-09-23A U O*9", "2024-09-30", 8, 8, 0,
	         2, false, 2, "2024-09-16"},
	        /* a run that goes on to the leaving day ends with the roll */
	        {"2024-09-11", "2024-09-20", "2024-09-19A N N N N; 2024-09-23A N*4", "2024-09-30",
	         4, 12, 0, 4, false, 4, "2024-09-21"},
	        /* leaving after the as-of day: still on roll, run open */
	        {"2024-09-11", "2024-12-20", "2024-09-19A N N N N; 2024-09-23A N*4", "2024-09-30",
	         8, 20, 0, 8, true, 8, NULL},
	        /* admitted on the as-of day */
	        {"2024-09-30", NULL, "2024-09-02A N*42", "2024-09-30", 2, 0, 0, 2, true, 2, NULL},
	        /* admitted after it: nothing at all */
	        {"2024-10-01", NULL, "2024-09-02A N*42", "2024-09-30", 0, 0, 0, 0, false, 0, NULL},
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		fx_standard(&f);
		size_t e = fx_pupil(&f, "2015-01-01", cases[i].admission, cases[i].leaving);
		fx_marks(&f, e, cases[i].marks);
		/* minutes late on a U after the leaving day count nowhere */
		fx_late(&f, e, "2024-09-23A", 15);
		measures *m = fx_run(&f, cases[i].as_of, NULL);
		const measures_pupil *pu = &m->pupils[e];
		const measures_counts *c = &pu->counts[MEASURES_YTD];
		assert_int_equal(c->minutes_late, 0);
		assert_int_equal(c->possible, cases[i].possible);
		assert_int_equal(c->unmarked, cases[i].unmarked);
		assert_int_equal(c->not_counted, cases[i].not_counted);
		assert_int_equal(c->unauthorised, cases[i].unauth);
		assert_int_equal(pu->on_roll, cases[i].on_roll);
		assert_int_equal(pu->n_episodes, cases[i].run_length ? 1 : 0);
		if (cases[i].run_length) {
			const measures_episode *ep = &m->episodes[pu->first_episode];
			assert_int_equal(ep->length, cases[i].run_length);
			assert_int_equal(ep->end_day, day_or_none(cases[i].run_end));
		}
		measures_destroy(&m);
	}
}

static void test_population(void **state)
{
	static const struct {
		const char *dob;
		bool boarder;
		const char *marks;
		uint32_t possible, not_counted;
		bool compulsory, in_population, pa;
		measures_category cat;
	} cases[] = {
	        /* Reception child aged 4 with X: X not possible; not in the headline population,
	           though its own figures are still computed for separate reporting */
	        {"2020-03-10", false, "2024-09-02A X*4 / / / / N N", 6, 4, false, false, true,
	         MEASURES_CAT_AT_RISK_SA},
	        {"2019-08-31", false, "2024-09-02A X*4 / / / / N N", 6, 4, true, true, true,
	         MEASURES_CAT_AT_RISK_SA},
	        {"2019-09-01", false, "2024-09-02A / / / / / / / / / N", 10, 0, false, false, true,
	         MEASURES_CAT_PA},
	        /* sixth form (16 on 31 Aug) */
	        {"2008-08-31", false, "2024-09-02A / / / /", 4, 0, false, false, false,
	         MEASURES_CAT_EXPECTED},
	        {"2008-09-01", false, "2024-09-02A / / / /", 4, 0, true, true, false,
	         MEASURES_CAT_EXPECTED},
	        /* boarders are excluded */
	        {"2012-01-01", true, "2024-09-02A / / / /", 4, 0, true, false, false,
	         MEASURES_CAT_EXPECTED},
	        /* dual registration: D is not possible */
	        {"2012-01-01", false, "2024-09-02A D*6 / N", 2, 6, true, true, true,
	         MEASURES_CAT_SA},
	        /* zero possible sessions: out of the population, no category, no division */
	        {"2012-01-01", false, "2024-09-02A X*4 # # . . Y1 ?", 0, 7, true, false, false,
	         MEASURES_CAT_NONE},
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		fx_standard(&f);
		size_t e = fx_pupil(&f, cases[i].dob, "2024-09-02", NULL);
		f.ch[e][0].boarder = cases[i].boarder;
		fx_marks(&f, e, cases[i].marks);
		measures *m = fx_run(&f, "2024-09-06", NULL);
		const measures_pupil *pu = &m->pupils[e];
		const measures_counts *c = &pu->counts[MEASURES_YTD];
		assert_int_equal(c->possible, cases[i].possible);
		assert_int_equal(c->not_counted, cases[i].not_counted);
		assert_int_equal(pu->compulsory, cases[i].compulsory);
		for (int p = 0; p < MEASURES_PERIODS; p++)
			assert_int_equal(pu->in_population[p], cases[i].in_population);
		assert_int_equal(pu->pa[MEASURES_YTD], cases[i].pa);
		assert_int_equal(pu->category[MEASURES_YTD], cases[i].cat);

		measures_cohort_row in, out;
		uint32_t cats[MEASURES_CAT_COUNT];
		measures_cohort_sum(m, MEASURES_YTD, MEASURES_COHORT_ALL, 0, &in, &out);
		measures_category_counts(m, MEASURES_YTD, cats);
		assert_int_equal(in.pupils, cases[i].in_population);
		assert_int_equal(in.possible, cases[i].in_population ? cases[i].possible : 0);
		assert_int_equal(out.pupils, 0);
		assert_int_equal(cats[cases[i].cat], cases[i].in_population);
		assert_int_equal(cats[MEASURES_CAT_NONE], 0);
		measures_destroy(&m);
	}
}

/* ---- periods: ytd, term, last4w -----------------------------------------------------------------
 */

static void test_last4w(void **state)
{
	static const struct {
		const char *as_of, *first;
		uint32_t possible, ytd;
	} cases[] = {
	        {"2024-11-15", "2024-10-14", 40, 100},
	        {"2024-11-06", "2024-10-07", 36, 86}, /* half-term week is no school week */
	        {"2024-11-02", "2024-09-30", 40, 80}, /* as of a half-term Saturday */
	        {"2024-09-06", "2024-07-01", 40, 10}, /* back into last year */
	        {"2024-09-02", "2024-07-01", 32, 2},  /* D's week counts from its first session */
	        {"2025-05-07", "2025-03-31", 32, 0},  /* Easter: two weeks without sessions */
	        {"2024-05-01", NULL, 0, 0},           /* no session yet at all */
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		fx_standard(&f);
		size_t e = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
		fx_fill_all(&f, e, "/");
		measures *m = fx_run(&f, cases[i].as_of, NULL);
		assert_int_equal(m->period_first[MEASURES_LAST4W], day_or_none(cases[i].first));
		assert_int_equal(m->pupils[e].counts[MEASURES_LAST4W].possible, cases[i].possible);
		if (cases[i].ytd)
			assert_int_equal(m->pupils[e].counts[MEASURES_YTD].possible, cases[i].ytd);
		measures_destroy(&m);
	}
}

static void test_terms(void **state)
{
	static const struct {
		const char *as_of;
		int year;
		measures_term_name name;
		const char *first, *last;
		uint32_t term_possible; /* present at every session; 0: not checked */
	} cases[] = {
	        {"2024-09-10", 2024, MEASURES_AUTUMN, "2024-08-01", "2024-12-31", 14},
	        {"2024-12-28", 2024, MEASURES_AUTUMN, "2024-08-01", "2024-12-31", 150},
	        /* 2 Jan, before spring starts: the current term is still autumn */
	        {"2025-01-02", 2024, MEASURES_AUTUMN, "2024-08-01", "2024-12-31", 150},
	        {"2025-01-06", 2024, MEASURES_SPRING, "2025-01-01", "2025-07-31", 2},
	        {"2025-02-18", 2024, MEASURES_SPRING, "2025-01-01", "2025-07-31", 60},
	        /* during Easter the break is not closed yet: spring */
	        {"2025-04-10", 2024, MEASURES_SPRING, "2025-01-01", "2025-07-31", 0},
	        {"2025-04-22", 2024, MEASURES_SUMMER, "2025-04-22", "2025-07-31", 2},
	        {"2025-04-25", 2024, MEASURES_SUMMER, "2025-04-22", "2025-07-31", 8},
	        /* May half-term and the bank holiday do not split the summer term */
	        {"2025-05-28", 2024, MEASURES_SUMMER, "2025-04-22", "2025-07-31", 0},
	        {"2025-07-30", 2024, MEASURES_SUMMER, "2025-04-22", "2025-07-31", 0},
	        /* August, no session yet this year: the term whose dates hold the day */
	        {"2024-08-10", 2024, MEASURES_AUTUMN, "2024-08-01", "2024-12-31", 0},
	        /* the calendar only has June-July 2024 of 2023/24: no spring break is seen */
	        {"2024-07-01", 2023, MEASURES_SPRING, "2024-01-01", "2024-07-31", 0},
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		measures_term t;
		fx_standard(&f);
		measures_term_find(f.s, f.ns, day_of(cases[i].as_of), 5, &t);
		assert_int_equal(t.year, cases[i].year);
		if (t.name != cases[i].name)
			fail_msg("case %zu: %s, expected %s", i, measures_term_name_str(t.name),
			         measures_term_name_str(cases[i].name));
		assert_int_equal(t.first_day, day_of(cases[i].first));
		assert_int_equal(t.last_day, day_of(cases[i].last));
		if (cases[i].term_possible) {
			size_t e = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
			fx_fill_all(&f, e, "/");
			measures *m = fx_run(&f, cases[i].as_of, NULL);
			assert_int_equal(m->term.name, cases[i].name);
			assert_int_equal(m->period_first[MEASURES_TERM], day_of(cases[i].first));
			assert_int_equal(m->pupils[e].counts[MEASURES_TERM].possible,
			                 cases[i].term_possible);
			measures_destroy(&m);
		}
	}
	/* the spring break is the longest gap starting in March or April (ties: the earliest);
	   a longer gap starting in May is a half-term, not the break */
	static const struct {
		struct range r[4];
		const char *as_of, *summer_first;
	} breaks[] = {
	        {{{"2025-02-24", "2025-03-07"},
	          {"2025-03-17", "2025-04-04"},
	          {"2025-04-14", "2025-05-30"},
	          {"2025-06-16", "2025-07-18"}},
	         "2025-07-01",
	         "2025-03-17"},
	        {{{"2025-02-24", "2025-03-07"},
	          {"2025-03-17", "2025-04-04"},
	          {"2025-04-21", "2025-05-30"},
	          {"2025-06-16", "2025-07-18"}},
	         "2025-07-01",
	         "2025-04-21"},
	        {{{"2025-02-24", "2025-04-11"},
	          {"2025-04-21", "2025-05-02"},
	          {"2025-05-19", "2025-07-18"},
	          {"2025-07-21", "2025-07-22"}},
	         "2025-07-01",
	         "2025-04-21"},
	        /* a gap shorter than term_break_weekdays is not a break */
	        {{{"2025-02-24", "2025-04-08"},
	          {"2025-04-14", "2025-07-18"},
	          {"2025-07-21", "2025-07-21"},
	          {"2025-07-22", "2025-07-22"}},
	         "2025-07-01",
	         NULL},
	};
	for (size_t i = 0; i < N_ELEM(breaks); i++) {
		measures_term t;
		fx_calendar(&f, breaks[i].r, 4, NULL, 0);
		measures_term_find(f.s, f.ns, day_of(breaks[i].as_of), 5, &t);
		if (breaks[i].summer_first) {
			assert_int_equal(t.name, MEASURES_SUMMER);
			assert_int_equal(t.first_day, day_of(breaks[i].summer_first));
		} else {
			assert_int_equal(t.name, MEASURES_SPRING);
			assert_int_equal(t.last_day, day_of("2025-07-31"));
		}
	}

	/* an explicit term from the configuration */
	measures_config cfg;
	measures_config_init(&cfg);
	cfg.term_given = true;
	cfg.term_first = day_of("2025-02-24");
	cfg.term_last = day_of("2025-04-04");
	fx_standard(&f);
	size_t e = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
	fx_fill_all(&f, e, "/");
	measures *m = fx_run(&f, "2025-03-07", &cfg);
	assert_int_equal(m->term.name, MEASURES_SPRING);
	assert_int_equal(m->pupils[e].counts[MEASURES_TERM].possible, 20);
	measures_destroy(&m);
	assert_string_equal(measures_term_name_str(MEASURES_SUMMER), "summer");
	assert_string_equal(measures_period_name(MEASURES_LAST4W), "last4w");
}

/* ---- penalty threshold ------------------------------------------------------------------------
 */

static void test_penalty(void **state)
{
	static const struct {
		const char *as_of, *first, *last;
		uint32_t a, b;
	} cases[] = {
	        /* ten school weeks back from 8 Nov reach 15 Jul: across half-term and summer */
	        {"2024-11-08", "2024-07-15", "2024-11-08", 7, 10},
	        {"2024-11-15", "2024-09-02", "2024-11-15", 7, 10},
	        /* half-term Saturday: D's week is no school week, the window ends on 27 Oct */
	        {"2024-11-02", "2024-07-08", "2024-10-27", 6, 10},
	        /* a Monday: D's own week counts, up to D */
	        {"2024-11-04", "2024-07-15", "2024-11-04", 6, 10},
	        {"2024-12-20", "2024-10-07", "2024-12-20", 6, 10},
	        /* across Christmas into January: 7 Oct's week has left the window */
	        {"2025-01-06", "2024-10-14", "2025-01-06", 6, 0},
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		fx_standard(&f);
		size_t a = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
		size_t b = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
		fx_marks(&f, a,
		         "2024-07-12A N; 2024-07-19A G G; 2024-09-04A O; 2024-10-25A U N; "
		         "2024-11-04A N; 2024-11-08P N; 2024-11-11A N N");
		fx_marks(&f, b, "2024-10-07A N*10");
		measures *m = fx_run(&f, cases[i].as_of, NULL);
		assert_int_equal(m->penalty_first, day_of(cases[i].first));
		assert_int_equal(m->penalty_last, day_of(cases[i].last));
		assert_int_equal(m->pupils[a].penalty_sessions, cases[i].a);
		assert_int_equal(m->pupils[b].penalty_sessions, cases[i].b);
		assert_false(m->pupils[a].penalty);
		assert_int_equal(m->pupils[b].penalty, cases[i].b >= 10);
		measures_destroy(&m);
	}
}

/* A recoded N: the caller passes the current marks, the figures follow. */
static void test_recoded_n(void **state)
{
	static const struct {
		const char *recode;
		uint32_t unauth, auth, penalty_sessions;
		bool penalty;
		size_t sept_rows;
	} cases[] = {
	        {NULL, 20, 0, 20, true, 1},
	        {"2024-09-20A M", 19, 1, 19, true, 0},
	        {"2024-09-16A M*12", 8, 12, 8, false, 0},
	        {"2024-09-16A I*20", 0, 20, 0, false, 0},
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		measures_attendance_row *rows = NULL;
		size_t n = 0;
		fx_standard(&f);
		size_t e = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
		fx_marks(&f, e, "2024-09-16A N*20");
		if (cases[i].recode)
			fx_marks(&f, e, cases[i].recode);
		measures *m = fx_run(&f, "2024-10-31", NULL);
		const measures_pupil *pu = &m->pupils[e];
		assert_int_equal(pu->counts[MEASURES_YTD].unauthorised, cases[i].unauth);
		assert_int_equal(pu->counts[MEASURES_YTD].authorised, cases[i].auth);
		assert_int_equal(pu->counts[MEASURES_YTD].bucket[RC_BUCKET_N], cases[i].unauth);
		assert_int_equal(pu->penalty_sessions, cases[i].penalty_sessions);
		assert_int_equal(pu->penalty, cases[i].penalty);
		assert_int_equal(attendance_month(m, 2024, 9, &rows, &n), 0);
		assert_int_equal(n, cases[i].sept_rows);
		free(rows);
		measures_destroy(&m);
	}
}

/* ---- day of week, lateness, closed sessions ----------------------------------------------------
 */

static void test_dow_and_lateness(void **state)
{
	static const uint32_t want_possible[5][2] = {{1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}};
	static const uint32_t want_absence[5][2] = {{1, 0}, {0, 1}, {0, 0}, {1, 1}, {0, 0}};
	static struct fx f;

	fx_standard(&f);
	size_t e = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
	fx_marks(&f, e, "2024-09-02A N \\ L U / \\ I I / \\");
	fx_late(&f, e, "2024-09-03A", 7);
	fx_late(&f, e, "2024-09-03P", 40);
	fx_late(&f, e, "2024-09-03A", 3);  /* a second entry for one cell is added */
	fx_late(&f, e, "2024-09-04A", 5);  /* present '/', not late: ignored */
	fx_late(&f, e, "2024-09-09A", 12); /* unmarked and after D: ignored */
	measures *m = fx_run(&f, "2024-09-06", NULL);
	const measures_counts *c = &m->pupils[e].counts[MEASURES_YTD];
	assert_int_equal(c->possible, 10);
	assert_int_equal(c->present, 6);
	assert_int_equal(c->authorised, 2);
	assert_int_equal(c->unauthorised, 2);
	assert_int_equal(c->late_l, 1);
	assert_int_equal(c->late_u, 1);
	assert_int_equal(c->minutes_late, 50);
	assert_int_equal(c->bucket[RC_BUCKET_N], 1);
	assert_int_equal(c->bucket[RC_BUCKET_U], 1);
	assert_int_equal(c->bucket[RC_BUCKET_I], 2);
	assert_int_equal(c->bucket[RC_BUCKET_NONE], 0);
	assert_memory_equal(c->dow_possible, want_possible, sizeof(want_possible));
	assert_memory_equal(c->dow_absence, want_absence, sizeof(want_absence));
	/* the same week in every period */
	assert_memory_equal(&m->pupils[e].counts[MEASURES_TERM], c, sizeof(*c));
	measures_destroy(&m);
}

static void test_closed_sessions(void **state)
{
	static struct fx f;

	fx_standard(&f);
	/* the calendar lists 3 Sep as closed; a mark on it is ignored, and a week whose sessions
	   are all closed is no school week */
	for (size_t s = 0; s < f.ns; s++)
		if (f.s[s].day == day_of("2024-09-03") ||
		    (f.s[s].day >= day_of("2024-09-09") && f.s[s].day <= day_of("2024-09-13")))
			f.s[s].open = false;
	size_t e = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
	fx_marks(&f, e, "2024-09-02A / / N N / /; 2024-09-09A N*10; 2024-09-16A / /");
	measures *m = fx_run(&f, "2024-09-16", NULL);
	const measures_counts *c = &m->pupils[e].counts[MEASURES_YTD];
	assert_int_equal(c->possible, 6);
	assert_int_equal(c->unauthorised, 0);
	assert_int_equal(c->unmarked, 4); /* 5-6 Sep */
	assert_int_equal(m->pupils[e].n_episodes, 0);
	assert_int_equal(m->period_first[MEASURES_LAST4W], day_of("2024-07-08"));
	measures_destroy(&m);
}

/* ---- cohorts ------------------------------------------------------------------------------------
 */

static void test_cohorts(void **state)
{
	typedef measures_cohort_row row;
	static const struct {
		const char *as_of;
		measures_cohort k;
		int value;
		row in, out;
	} cases[] = {
	        {"2024-09-13", MEASURES_COHORT_ALL, 0, {4, 80, 6, 4, 2, 2, 0}, {0}},
	        /* CLA only from 20 Sep: as at the as-of day */
	        {"2024-09-13", MEASURES_COHORT_CLA, 0, {0}, {4, 80, 6, 4, 2, 2, 0}},
	        {"2024-09-27",
	         MEASURES_COHORT_CLA,
	         0,
	         {1, 40, 20, 0, 20, 1, 1},
	         {3, 120, 6, 4, 2, 1, 0}},
	        {"2024-09-27", MEASURES_COHORT_ALL, 0, {4, 160, 26, 4, 22, 2, 1}, {0}},
	        {"2024-09-27",
	         MEASURES_COHORT_SOCIAL_WORKER,
	         0,
	         {3, 120, 24, 4, 20, 2, 1},
	         {1, 40, 2, 0, 2, 0, 0}},
	        /* FSM only from 1 Oct (and the boarder and the Reception child never count) */
	        {"2024-09-27", MEASURES_COHORT_FSM, 0, {0}, {4, 160, 26, 4, 22, 2, 1}},
	        {"2024-10-04",
	         MEASURES_COHORT_FSM,
	         0,
	         {1, 50, 2, 0, 2, 0, 0},
	         {3, 150, 24, 4, 20, 1, 0}},
	        {"2024-09-27",
	         MEASURES_COHORT_SEX,
	         'M',
	         {2, 80, 24, 4, 20, 2, 1},
	         {2, 80, 2, 0, 2, 0, 0}},
	        {"2024-09-27",
	         MEASURES_COHORT_NC_YEAR,
	         6,
	         {2, 80, 20, 0, 20, 1, 1},
	         {2, 80, 6, 4, 2, 1, 0}},
	        {"2024-09-27",
	         MEASURES_COHORT_EHCP,
	         0,
	         {1, 40, 20, 0, 20, 1, 1},
	         {3, 120, 6, 4, 2, 1, 0}},
	        {"2024-09-27",
	         MEASURES_COHORT_SEN_ANY,
	         0,
	         {2, 80, 24, 4, 20, 2, 1},
	         {2, 80, 2, 0, 2, 0, 0}},
	        {"2024-09-27",
	         MEASURES_COHORT_SEN_K,
	         0,
	         {1, 40, 4, 4, 0, 1, 0},
	         {3, 120, 22, 0, 22, 1, 1}},
	        {"2024-09-27",
	         MEASURES_COHORT_PLAC,
	         0,
	         {1, 40, 0, 0, 0, 0, 0},
	         {3, 120, 26, 4, 22, 2, 1}},
	        {"2024-09-27",
	         MEASURES_COHORT_EAL,
	         0,
	         {1, 40, 4, 4, 0, 1, 0},
	         {3, 120, 22, 0, 22, 1, 1}},
	        {"2024-09-27",
	         MEASURES_COHORT_PP,
	         0,
	         {1, 40, 2, 0, 2, 0, 0},
	         {3, 120, 24, 4, 20, 2, 1}},
	        {"2024-09-27",
	         MEASURES_COHORT_CIN,
	         0,
	         {1, 40, 4, 4, 0, 1, 0},
	         {3, 120, 22, 0, 22, 1, 1}},
	        {"2024-09-27",
	         MEASURES_COHORT_CPP,
	         0,
	         {1, 40, 0, 0, 0, 0, 0},
	         {3, 120, 26, 4, 22, 2, 1}},
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		fx_standard(&f);
		size_t p0 = fx_pupil(&f, "2015-01-01", "2024-09-01", NULL);
		size_t p1 = fx_pupil(&f, "2015-01-01", "2024-09-01", NULL);
		size_t p2 = fx_pupil(&f, "2014-01-01", "2024-09-01", NULL);
		size_t p3 = fx_pupil(&f, "2015-01-01", "2024-09-01", NULL); /* boarder */
		size_t p4 = fx_pupil(&f, "2020-03-10", "2024-09-01", NULL); /* Reception */
		size_t p5 = fx_pupil(&f, "2014-01-01", "2024-09-01", NULL);
		f.ch[p0][0].pp = true;
		f.ch[p0][1] = f.ch[p0][0];
		f.ch[p0][1].valid_from = day_of("2024-10-01");
		f.ch[p0][1].fsm = true;
		f.en[p0].n_chars = 2;
		f.ch[p1][0].sex = 'M';
		f.ch[p1][0].sen = MEASURES_SEN_K;
		f.ch[p1][0].care = MEASURES_CARE_CIN;
		f.ch[p1][0].eal = true;
		f.ch[p2][0].sex = 'M';
		f.ch[p2][0].nc_year = 6;
		f.ch[p2][0].sen = MEASURES_SEN_E;
		f.ch[p2][1] = f.ch[p2][0];
		f.ch[p2][1].valid_from = day_of("2024-09-20");
		f.ch[p2][1].care = MEASURES_CARE_CLA;
		f.en[p2].n_chars = 2;
		f.ch[p3][0].boarder = true;
		f.ch[p3][0].fsm = true;
		f.ch[p4][0].fsm = true;
		f.ch[p4][0].nc_year = MEASURES_NC_R;
		f.ch[p5][0].sex = 'U';
		f.ch[p5][0].nc_year = 6;
		f.ch[p5][0].care = MEASURES_CARE_CPP;
		f.ch[p5][0].plac = true;
		for (size_t e = 0; e < f.ne; e++)
			fx_fill_all(&f, e, "/");
		fx_marks(&f, p0, "2024-09-02A N N");
		fx_marks(&f, p1, "2024-09-02A I*4");
		fx_marks(&f, p2, "2024-09-16A N*20");
		fx_marks(&f, p3, "2024-09-02A N*20");
		fx_marks(&f, p4, "2024-09-02A N*20");
		measures *m = fx_run(&f, cases[i].as_of, NULL);
		row in, out;
		measures_cohort_sum(m, MEASURES_YTD, cases[i].k, cases[i].value, &in, &out);
		if (memcmp(&in, &cases[i].in, sizeof(in)) != 0 ||
		    memcmp(&out, &cases[i].out, sizeof(out)) != 0)
			fail_msg("case %zu (%s): in %" PRIu64 "/%" PRIu64 "/%" PRIu64
			         " pupils/possible/absence, out %" PRIu64 "/%" PRIu64 "/%" PRIu64,
			         i, measures_cohort_name(cases[i].k), in.pupils, in.possible,
			         in.absence, out.pupils, out.possible, out.absence);
		/* in + out = all */
		row all;
		measures_cohort_sum(m, MEASURES_YTD, MEASURES_COHORT_ALL, 0, &all, NULL);
		measures_cohort_row_add(&in, &out);
		assert_memory_equal(&in, &all, sizeof(all));
		measures_destroy(&m);
	}

	/* categories over the population as of 27 Sep: 5%, 10%, 50%, 0% */
	measures *m = fx_run(&f, "2024-09-27", NULL);
	uint32_t cats[MEASURES_CAT_COUNT];
	measures_category_counts(m, MEASURES_YTD, cats);
	assert_int_equal(cats[MEASURES_CAT_EXPECTED], 2);
	assert_int_equal(cats[MEASURES_CAT_AT_RISK_PA], 0);
	assert_int_equal(cats[MEASURES_CAT_PA], 1);
	assert_int_equal(cats[MEASURES_CAT_AT_RISK_SA], 0);
	assert_int_equal(cats[MEASURES_CAT_SA], 1);
	assert_int_equal(m->pupils[0].chars.fsm, false);
	measures_destroy(&m);
	assert_string_equal(measures_cohort_name(MEASURES_COHORT_SOCIAL_WORKER), "social_worker");
}

/* ---- malformed input
 * ----------------------------------------------------------------------------- */

static void test_bad_input(void **state)
{
	enum { UNSORTED, DUPLICATE, BAD_PM, LATE_PUPIL, LATE_SESSION, CHARS_UNSORTED, BAD_CFG };
	static const struct {
		int what;
		const char *says;
	} cases[] = {
	        {UNSORTED, "not strictly sorted"},
	        {DUPLICATE, "not strictly sorted"},
	        {BAD_PM, "pm"},
	        {LATE_PUPIL, "late entry"},
	        {LATE_SESSION, "late entry"},
	        {CHARS_UNSORTED, "characteristics"},
	        {BAD_CFG, "category edges"},
	};
	static struct fx f;

	for (size_t i = 0; i < N_ELEM(cases); i++) {
		measures_config cfg;
		measures *m = (measures *)&f; /* must be reset to NULL */
		char err[160] = "";
		measures_config_init(&cfg);
		fx_standard(&f);
		size_t e = fx_pupil(&f, "2015-01-01", "2024-01-01", NULL);
		switch (cases[i].what) {
		case UNSORTED:
			f.s[10].day = f.s[9].day - 1;
			break;
		case DUPLICATE:
			f.s[10] = f.s[9];
			break;
		case BAD_PM:
			f.s[10].pm = 2;
			break;
		case LATE_PUPIL:
			fx_late(&f, e, "2024-09-02A", 5);
			f.late[0].enrolment = 1;
			break;
		case LATE_SESSION:
			fx_late(&f, e, "2024-09-02A", 5);
			f.late[0].session = (uint32_t)f.ns;
			break;
		case CHARS_UNSORTED:
			f.ch[e][1] = f.ch[e][0];
			f.ch[e][1].valid_from -= 1;
			f.en[e].n_chars = 2;
			break;
		case BAD_CFG:
			cfg.category_bp[1] = cfg.category_bp[0];
			break;
		}
		assert_int_equal(fx_try(&f, "2024-10-01", &cfg, &m, err, sizeof(err)), -EINVAL);
		assert_null(m);
		if (strstr(err, cases[i].says) == NULL)
			fail_msg("case %zu: message '%s' lacks '%s'", i, err, cases[i].says);
	}

	/* an empty school is fine */
	measures_input in = {0};
	measures *m = NULL;
	assert_int_equal(measures_new(&m, &in, day_of("2024-10-01"), NULL, NULL, 0), 0);
	assert_int_equal(m->n_enrolments, 0);
	assert_int_equal(m->period_first[MEASURES_LAST4W], MEASURES_NO_DAY);
	measures_destroy(&m);
}

/* ---- performance: one school of 2,000 pupils x 380 sessions -------------------------------------
 */

static void test_performance(void **state)
{
	enum { NE = 2000, NS = 380 };
	measures_session *s = calloc(NS, sizeof(*s));
	measures_enrolment *en = calloc(NE, sizeof(*en));
	measures_chars *ch = calloc(NE, sizeof(*ch));
	uint8_t *grid = malloc((size_t)NE * NS);
	measures_late *late = calloc(NE, sizeof(*late));
	const uint8_t slash = codes_find("/", 1)->id, n = codes_find("N", 1)->id,
	              ill = codes_find("I", 1)->id, l = codes_find("L", 1)->id,
	              m_ = codes_find("M", 1)->id;
	uint32_t rnd = 12345;
	size_t ns = 0, nl = 0;

	assert_true(s && en && ch && grid && late);
	for (int32_t d = day_of("2024-09-02"); ns < NS; d++) {
		if (date_weekday(d) >= 5)
			continue;
		s[ns++] = (measures_session){d, 0, true};
		s[ns++] = (measures_session){d, 1, true};
	}
	for (size_t e = 0; e < NE; e++) {
		ch[e] = (measures_chars){.valid_from = day_of("2024-09-01"),
		                         .nc_year = (int8_t)(e % 11 + 1),
		                         .sex = e % 2 ? 'M' : 'F',
		                         .fsm = e % 5 == 0};
		en[e] = (measures_enrolment){.pupil_id = (int64_t)e,
		                             .admission_day = day_of("2024-09-01"),
		                             .leaving_day = MEASURES_NO_DAY,
		                             .birth_day =
		                                     day_of("2013-01-01") + (int32_t)(e % 3000),
		                             .chars = &ch[e],
		                             .n_chars = 1};
		for (size_t k = 0; k < NS; k++) {
			rnd = rnd * 1103515245u + 12345u;
			uint32_t r = (rnd >> 16) % 100;
			grid[e * NS + k] = r < 90   ? slash
			                   : r < 93 ? n
			                   : r < 97 ? ill
			                   : r < 99 ? l
			                            : m_;
			if (r >= 97 && r < 99 && nl < NE)
				late[nl++] = (measures_late){(uint32_t)e, (uint32_t)k, 10};
		}
	}
	measures_input in = {s, NS, en, NE, grid, late, nl};
	double best = 1e9;
	uint64_t possible = 0, first_possible = 0;
	for (int run = 0; run < 5; run++) {
		struct timespec t0, t1;
		measures *m = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(measures_new(&m, &in, day_of("2025-07-22"), NULL, NULL, 0), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		            (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (ms < best)
			best = ms;
		measures_cohort_row all;
		measures_cohort_sum(m, MEASURES_YTD, MEASURES_COHORT_ALL, 0, &all, NULL);
		possible = all.possible;
		if (run == 0)
			first_possible = possible;
		assert_int_equal(possible, first_possible); /* deterministic */
		measures_destroy(&m);
	}
	assert_true(possible > 0);
	printf("measures: %d pupils x %d sessions in %.2f ms (best of 5)\n", NE, NS, best);
	free(s);
	free(en);
	free(ch);
	free(grid);
	free(late);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_pct_format),
	        cmocka_unit_test(test_gap_format),
	        cmocka_unit_test(test_categorise),
	        cmocka_unit_test(test_config_check),
	        cmocka_unit_test(test_compulsory_age),
	        cmocka_unit_test(test_code_categories),
	        cmocka_unit_test(test_runs),
	        cmocka_unit_test(test_attendance_return),
	        cmocka_unit_test(test_sickness_return),
	        cmocka_unit_test(test_spells),
	        cmocka_unit_test(test_boarder_as_at),
	        cmocka_unit_test(test_carried_runs),
	        cmocka_unit_test(test_illness_ytd),
	        cmocka_unit_test(test_roll_dates),
	        cmocka_unit_test(test_population),
	        cmocka_unit_test(test_last4w),
	        cmocka_unit_test(test_terms),
	        cmocka_unit_test(test_penalty),
	        cmocka_unit_test(test_recoded_n),
	        cmocka_unit_test(test_dow_and_lateness),
	        cmocka_unit_test(test_closed_sessions),
	        cmocka_unit_test(test_cohorts),
	        cmocka_unit_test(test_bad_input),
	        cmocka_unit_test(test_performance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
