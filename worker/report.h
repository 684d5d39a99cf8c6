/* The trust cohort breakdown as exact figures, before rendering: everything cohorts.csv and
 * index.html show, gathered by the cohorts job from every school's measures as of one day. */
#ifndef ROLLCALL_WORKER_REPORT_H
#define ROLLCALL_WORKER_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rollcall/measures.h"

/* The cohorts reported, in report order: pp, fsm, sen_k, ehcp, sen_any, cin, cpp, cla,
 * social_worker, plac, eal, sex_F, sex_M, sex_U, then year_N1 .. year_14 (NC year groups). */
#define REPORT_MAX_COHORTS 40

typedef struct report_cohort {
	measures_cohort cohort;
	int value;      /* sex letter or NC year for SEX / NC_YEAR cohorts, else 0 */
	char name[24];  /* as written in cohorts.csv: "pp", "sex_F", "year_7", "year_R" */
	char label[48]; /* for people: "Pupil premium", "Girls", "Year 7", "Reception" */
} report_cohort;

/* Figures of one school (or, for the trust row, their sums). All counts are exact. */
typedef struct report_school {
	uint32_t urn; /* 0 for the trust */
	char name[128];
	char phase[16]; /* primary, secondary, special, ... */
	int la_code;
	char la_name[64];
	bool stale; /* results to compute before reading (the trust breakdown's first pass) */
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

/* Fills out[REPORT_MAX_COHORTS] with the cohorts every report uses, in report order. */
void report_cohorts_init(report_cohort *out, size_t *n);

/* The benchmark for (phase, measure, cohort) with the latest year, or NULL. */
const report_benchmark *report_benchmark_find(const trust_report *r, const char *phase,
                                              const char *measure, const char *cohort);

#endif
