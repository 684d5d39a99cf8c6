/* The cohort gap chart and table of every report that shows cohorts (the trust page, a TSM
 * pack): each cohort's attendance against all other headline pupils of the same scope, small
 * groups showing their count only, national cohort figures beside them where published. */
#ifndef ROLLCALL_WORKER_COHORT_HTML_H
#define ROLLCALL_WORKER_COHORT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"

/* What to show: cohorts[0..n) with their members' (in) and the others' (out) rows for each
 * period (arrays of n rows; only ytd and term are read). All borrowed. */
typedef struct cohort_view {
	const char *chart_id;      /* "cg" */
	const char *chart_title;   /* HTML */
	const char *table_id;      /* "cohort-table" */
	const char *table_caption; /* HTML */
	const report_cohort *cohorts;
	size_t n;
	const measures_cohort_row *in[MEASURES_PERIODS];
	const measures_cohort_row *out[MEASURES_PERIODS];
	const report_benchmark *benchmarks; /* national cohort figures ("all" phase) */
	size_t n_benchmarks;
} cohort_view;

/* The diverging chart of the ytd gaps, one row per cohort with headline pupils (a note when
 * none has). Returns 0 or -ENOMEM. */
int cohort_chart(FILE *f, const cohort_view *v) __attribute__((warn_unused_result));

/* The table: pupils, attendance, PA, the others' attendance, the year's and the term's gap
 * and the national figures, rows under group headings; then the cohorts without pupils. */
void cohort_table(FILE *f, const cohort_view *v);

#endif
