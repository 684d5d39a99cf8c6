/* A Targeting Support Meeting pack (domain.md §8, contract.md §2) as exact figures before
 * rendering: one school, one term. Built from the measures of the school as of the pack's day
 * (and of the previous term and of the same point last year, for the trends); the caller then
 * names the pupils and adds the agreed actions and the benchmarks. Rendered as pack.html,
 * categories.csv, bands.csv, pupils.csv and penalty-threshold.csv. */
#ifndef ROLLCALL_WORKER_REPORT_TSM_H
#define ROLLCALL_WORKER_REPORT_TSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "rollcall/codes.h"
#include "rollcall/measures.h"

/* A pupil's flags in pupils.csv, in the contract's order. */
enum {
	TSM_FLAG_SA = 1u << 0,
	TSM_FLAG_PA = 1u << 1,
	TSM_FLAG_AT_RISK = 1u << 2,
	TSM_FLAG_ATTENDANCE_RETURN = 1u << 3,
	TSM_FLAG_SICKNESS_RETURN = 1u << 4,
	TSM_FLAG_PENALTY = 1u << 5,
};
#define TSM_FLAGS 6

/* "SA", "PA", "AT_RISK", "ATTENDANCE_RETURN", "SICKNESS_RETURN", "PENALTY_THRESHOLD" for flag
 * bit i; "" out of range. */
const char *report_tsm_flag_name(int i);

#define TSM_UPN_LEN  14 /* 13 characters and a NUL */
#define TSM_NAME_LEN 64

/* A pupil on one of the pack's lists: on roll on the pack's day, with at least one flag. */
typedef struct tsm_pupil {
	size_t enrolment; /* index into the measures the pack was built from */
	int64_t pupil_id;
	char upn[TSM_UPN_LEN]; /* the caller's (the caller fills it) */
	char surname[TSM_NAME_LEN], forename[TSM_NAME_LEN];
	int8_t nc_year;             /* as at the pack's day */
	uint16_t reg_group;         /* class number, 0: none */
	unsigned flags;             /* TSM_FLAG_* */
	measures_category category; /* year to date */
	uint32_t possible[MEASURES_PERIODS], absence[MEASURES_PERIODS];
	/* Last 4 weeks against the rest of the year: drop_num / drop_den pp lower. */
	bool has_drop;
	int64_t drop_num;
	uint64_t drop_den;
	/* The previous term, when the pupil had possible sessions in it. */
	uint32_t prev_possible, prev_absence;
	/* The open attendance-return episode (ATTENDANCE_RETURN). */
	int32_t episode_start, episode_qualified;
	uint32_t episode_sessions;
	/* The sickness return (SICKNESS_RETURN): REACHED (with the reason and day of the first
	 * row that reached) or FORECAST this month; I sessions this year up to the pack's day. */
	measures_sick_status sick_status;
	measures_sick_reason sick_reason;
	int32_t sick_reached; /* MEASURES_NO_DAY for FORECAST */
	uint32_t illness_ytd;
	uint32_t penalty_sessions; /* G/N/O/U in the penalty window (PENALTY_THRESHOLD) */
	size_t week_row;           /* this pupil's row of the weekly series */
} tsm_pupil;

/* An action agreed at the previous term's meeting. */
typedef struct tsm_action {
	char upn[TSM_UPN_LEN];        /* "" for a school-level action */
	char pupil[2 * TSM_NAME_LEN]; /* "Forename Surname", when the UPN is the school's */
	char action[512], owner[128], note[512];
	char status[8]; /* open, done, dropped */
	int32_t due;    /* MEASURES_NO_DAY: none */
} tsm_action;

/* Sums over the headline population of one period. */
typedef struct tsm_pattern {
	uint64_t bucket[RC_BUCKET_COUNT];               /* absence sessions by DfE reason bucket */
	uint64_t dow_possible[5][2], dow_absence[5][2]; /* Monday..Friday by AM, PM */
	uint64_t late_l, late_u, minutes_late;
} tsm_pattern;

typedef struct tsm_report {
	/* The school: identity (the caller's), figures for ytd, term and last4w, its cohorts (in
	 * and out), categories, weekly series, boundaries, unmarked and outside-population. */
	report_school school;
	size_t n_cohorts;
	report_cohort cohorts[REPORT_MAX_COHORTS];
	/* Classes (registration groups), as cohorts of their own. */
	size_t n_classes;
	report_cohort *classes;
	measures_cohort_row *class_in[MEASURES_PERIODS], *class_out[MEASURES_PERIODS];

	int32_t as_of;
	int32_t period_first[MEASURES_PERIODS];
	measures_term term; /* the pack's term: its dates as known */
	char term_label[MEASURES_TERM_LABEL_LEN];
	uint32_t falling_bp;

	bool has_prev; /* the previous term's figures */
	measures_term prev_term;
	char prev_label[MEASURES_TERM_LABEL_LEN];
	int32_t prev_as_of;
	measures_cohort_row prev_all; /* its term period */

	bool has_last_year; /* the same point last year */
	int32_t ly_as_of;
	measures_cohort_row ly_all[2]; /* ytd, and the same term to the same point */

	uint32_t bands[MEASURES_PERIODS][MEASURES_BANDS];
	uint32_t banded[MEASURES_PERIODS]; /* enrolments with enough sessions to be banded */
	tsm_pattern pattern[2];            /* ytd, term */
	int32_t penalty_first, penalty_last;

	size_t n_pupils;
	tsm_pupil *pupils;
	size_t n_weeks; /* the school's weeks of the year (school.week_start) */
	uint64_t *pupil_week_possible, *pupil_week_absence; /* n_pupils x n_weeks */

	size_t n_actions;
	tsm_action *actions;
	report_benchmark *national, *la; /* la: the LA's own figures, where loaded */
	size_t n_national, n_la;
} tsm_report;

/* What a pack is built from (borrowed). */
typedef struct tsm_source {
	const measures *m;    /* as of the pack's day, its term period the pack's term */
	const measures *prev; /* as of the previous term's last session, its term period that
	                         term; NULL: none */
	const measures *ly;   /* as of the same day a year earlier; NULL: none */
	uint32_t falling_bp;  /* at risk and falling (MEASURES_FALLING_BP by default) */
	const char (*classes)[REPORT_CLASS_LEN]; /* class k's name is classes[k - 1] */
	size_t n_classes;
} tsm_source;

/* Builds *r from src: the figures, the categories and bands, the patterns, and the pupils on
 * the lists (on roll on the pack's day): SA and PA over the headline population, at risk and
 * falling (measures_falling), an attendance-return episode open on the day and the sickness
 * return's pupils of the year (both from the engine's returns), the penalty threshold (of
 * compulsory school age). Pupils come in enrolment order, with no names yet. Returns 0 or
 * -ENOMEM (message in err); free with report_tsm_deinit either way. */
int report_tsm_build(tsm_report *r, const tsm_source *src, char *err, size_t errlen)
        __attribute__((warn_unused_result));

void report_tsm_deinit(tsm_report *r);

/* Sorts the pupils by UPN (once named): the order of pupils.csv and penalty-threshold.csv. */
void report_tsm_sort(tsm_report *r);

/* Attendance of a pupil over period p, as num / den. */
uint64_t report_tsm_attended(const tsm_pupil *p, measures_period per);

/* The files (contract.md §2), byte-identical for the same figures. Each returns 0 or -EIO. */
int report_write_tsm_categories_csv(const tsm_report *r, FILE *f)
        __attribute__((warn_unused_result));
int report_write_tsm_bands_csv(const tsm_report *r, FILE *f) __attribute__((warn_unused_result));
int report_write_tsm_pupils_csv(const tsm_report *r, FILE *f) __attribute__((warn_unused_result));
int report_write_tsm_penalty_csv(const tsm_report *r, FILE *f) __attribute__((warn_unused_result));

/* pack.html: the pack in the order of domain.md §8, self-contained (inline CSS and SVG, no
 * script, no external resource), printable on A4. Returns 0, -ENOMEM or -EIO. */
int report_write_tsm_html(const tsm_report *r, FILE *f) __attribute__((warn_unused_result));

#endif
