/* The trust cohort breakdown as exact figures, before rendering: everything cohorts.csv and
 * index.html show, gathered by the cohorts job from every school's measures as of one day. */
#ifndef ROLLCALL_WORKER_REPORT_H
#define ROLLCALL_WORKER_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rollcall/measures.h"

/* The cohorts reported, in report order: pp, fsm, sen_k, ehcp, sen_any, cin, cpp, cla,
 * social_worker, plac, eal, sex_F, sex_M, sex_U, then year_N1 .. year_14 (NC year groups). */
#define REPORT_MAX_COHORTS 40

/* A class (registration group) name as reports hold it ("7A", "Willow"), cut to fit. */
#define REPORT_CLASS_LEN 48

typedef struct report_cohort {
	measures_cohort cohort;
	int value;      /* sex letter or NC year for SEX / NC_YEAR cohorts, else 0 */
	char name[24];  /* as written in cohorts.csv: "pp", "sex_F", "year_7", "year_R" */
	char label[48]; /* for people: "Pupil premium", "Girls", "Year 7", "Reception" */
} report_cohort;

/* Figures of one school (or, for the trust row, their sums). All counts are exact. */
/* Who set a school's category boundaries. */
enum { REPORT_BOUNDARIES_DEFAULT = 0, REPORT_BOUNDARIES_TRUST, REPORT_BOUNDARIES_LA };

typedef struct report_school {
	uint32_t urn; /* 0 for the trust */
	char name[128];
	char phase[16]; /* primary, secondary, special, ... */
	int la_code;
	char la_name[64];
	bool stale; /* results to compute before reading (the trust breakdown's first pass) */
	/* The category boundaries in force for the school (measures_config.category_bp) and who
	 * set them: REPORT_BOUNDARIES_DEFAULT, _TRUST or _LA. */
	uint32_t category_bp[4];
	int boundaries_source;
	measures_cohort_row all[MEASURES_PERIODS];                     /* headline population */
	measures_cohort_row in[MEASURES_PERIODS][REPORT_MAX_COHORTS];  /* members of cohort i */
	measures_cohort_row out[MEASURES_PERIODS][REPORT_MAX_COHORTS]; /* everyone else */
	uint32_t categories[MEASURES_PERIODS][MEASURES_CAT_COUNT];     /* headline population */
	uint64_t unmarked;           /* open sessions without a mark, ytd, all on-roll pupils */
	uint64_t outside_population; /* on-roll enrolments not in the ytd headline population
	                                (not of compulsory age, boarders): reported apart */
	/* Weekly trend, academic year to date: one entry per school week (Monday's day number),
	 * possible and absence sessions of the ytd headline population. */
	size_t n_weeks;
	int32_t *week_start;
	uint64_t *week_possible;
	uint64_t *week_absence;
} report_school;

/* A national (or LA) benchmark from the benchmark table (domain.md §10): value in tenths of a
 * percent (5.5% -> 55). */
typedef struct report_benchmark {
	char year[24];    /* "2023/24", "2024/25 autumn" */
	char phase[16];   /* "all", "primary", "secondary", "special" */
	char measure[24]; /* "overall_absence", "authorised", "unauthorised", "severe_absence",
	                     "absence", "pa" (cohort figures) */
	char cohort[24];  /* "" for whole-school figures, else "fsm", "not_fsm", "ehcp", ... */
	int tenths;
	char source[96];
} report_benchmark;

typedef struct trust_report {
	int32_t as_of;
	measures_term term;                     /* the term as of as_of (from the first school) */
	int32_t period_first[MEASURES_PERIODS]; /* first day of each period (from the first school)
	                                         */
	size_t n_cohorts;
	report_cohort cohorts[REPORT_MAX_COHORTS];
	size_t n_schools;
	report_school *schools; /* ordered by URN */
	report_school trust;    /* sums over the schools */
	size_t n_benchmarks;
	report_benchmark *benchmarks;
} trust_report;

/* Writes cohorts.csv (contract.md §2) for r to f: trust rows then school rows by URN, periods
 * ytd, term, last4w, the "all" row then each cohort with in_cohort Y then N. Byte-identical for
 * the same figures. Returns 0 or -EIO. */
int report_write_cohorts_csv(const trust_report *r, FILE *f) __attribute__((warn_unused_result));

/* Writes index.html: one self-contained page (inline CSS and SVG, no scripts from elsewhere, no
 * external resources) for the trust's attendance lead, readable when printed. Returns 0 or
 * -EIO. */
int report_write_cohorts_html(const trust_report *r, FILE *f) __attribute__((warn_unused_result));

/* ---- figure rules every report applies (one place each) ---------------------------------- */

/* Fewer pupils than this in a cohort, or in its complement: a report shows the count but not
 * the rate or the gap (a rate over so few pupils is not a fair guide, and may identify them). */
#define REPORT_SMALL_GROUP 5

/* Whether a cohort row (members in, the others out) is a small group under that rule. */
bool report_small_group(const measures_cohort_row *in, const measures_cohort_row *out);

/* Attended sessions of a row: possible minus absence (AEA counts as attendance). */
uint64_t report_attended(const measures_cohort_row *w);

/* The headline measures of a row (domain.md §3; §8 item 1). */
typedef enum report_measure {
	REPORT_ATTENDANCE = 0,
	REPORT_AUTHORISED,
	REPORT_UNAUTHORISED,
	REPORT_PA,
	REPORT_SA,
	REPORT_MEASURES
} report_measure;

/* Measure k of row w as num / den: sessions over possible sessions, or PA / SA pupils over the
 * row's pupils. */
void report_measure_figure(report_measure k, const measures_cohort_row *w, uint64_t *num,
                           uint64_t *den);

/* The sign of a formatted gap: -1, 0 ("0.0") or 1. */
int report_gap_sign(const char *g);

/* Gap a/b - c/d in percentage points with an explicit sign ("+1.2", "-3.4", "0.0") into out;
 * "" when b or d is 0. Returns its sign. */
int report_gap_signed(uint64_t a, uint64_t b, uint64_t c, uint64_t d, char out[MEASURES_PCT_LEN]);

/* A cohort's attendance gap in pp: its members' attendance minus the others', signed as
 * above. */
int report_cohort_gap(const measures_cohort_row *in, const measures_cohort_row *out,
                      char buf[MEASURES_PCT_LEN]);

/* 100 num / den as a double, for drawing (text always comes from the exact counts); 0 when den
 * is 0. */
double report_rate(uint64_t num, uint64_t den);

/* A national comparison figure num / den, and what it is for: a single phase ("secondary"),
 * "all", or NULL for a mix of phases weighted together. ok is false when there is none. */
typedef struct report_national {
	bool ok;
	uint64_t num, den;
	const char *phase;
} report_national;

/* The national figure of measure for the trust's schools: each school's phase benchmark
 * weighted by its possible sessions (by_pupils: its pupils) in the ytd headline population;
 * when a school with pupils has no figure for its phase, the "all" benchmark instead.
 * attendance turns an absence measure into 100 minus it. */
report_national report_trust_national(const trust_report *r, const char *measure, bool attendance,
                                      bool by_pupils);

/* The national overall absence benchmark for the school's phase, or NULL. */
const report_benchmark *report_phase_absence(const trust_report *r, const report_school *s);

/* Whether school i ranks before school j: highest ytd absence rate first, schools without
 * sessions last, ties by URN then position. A strict total order. */
bool report_school_before(const trust_report *r, size_t i, size_t j);

/* The school ranked after prev (SIZE_MAX: the first one), or SIZE_MAX after the last. Quadratic
 * over a trust's schools, and needs no memory. */
size_t report_rank_next(const trust_report *r, size_t prev);

#define REPORT_FOR_RANKED(r, i)                                                                    \
	for (size_t i = report_rank_next((r), SIZE_MAX); i != SIZE_MAX;                            \
	     i = report_rank_next((r), i))

/* "Year to date", "This term", "Last 4 weeks". */
const char *report_period_label(measures_period p);

/* "Expected", "At risk of PA", "Persistent absence", "At risk of SA", "Severe absence" ("" for
 * none). */
const char *report_category_label(measures_category c);

/* Fills out[REPORT_MAX_COHORTS] with the cohorts every report uses, in report order. */
void report_cohorts_init(report_cohort *out, size_t *n);

/* Whether a report shows cohort c: every flag cohort always, a sex or year group only when it
 * has pupils (any_pupils: in the headline population of the year to date). */
bool report_cohort_shown(const report_cohort *c, bool any_pupils);

/* The benchmark for (phase, measure, cohort) with the latest year among v[0..n), or NULL. */
const report_benchmark *report_benchmark_lookup(const report_benchmark *v, size_t n,
                                                const char *phase, const char *measure,
                                                const char *cohort);

/* report_benchmark_lookup over the trust report's benchmarks. */
const report_benchmark *report_benchmark_find(const trust_report *r, const char *phase,
                                              const char *measure, const char *cohort);

#endif
