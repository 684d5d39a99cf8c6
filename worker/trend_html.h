/* The weekly trend of every report that has one (the trust page, a TSM pack): a school's (or the
 * trust's) attendance by school week against the national line, with its accessible
 * description and caption, and the scale's floor. */
#ifndef ROLLCALL_WORKER_TREND_HTML_H
#define ROLLCALL_WORKER_TREND_HTML_H

#include <stdio.h>

#include "chart.h"
#include "report.h"

/* What a national figure is for: "all state-funded schools", "secondary schools", "weighted to
 * the trust's phase mix" (phase NULL). */
void trend_national_label(FILE *f, const report_national *nat);

/* The weekly series of s. */
chart_series trend_series(const report_school *s);

/* The lowest weekly attendance of s in percent, or lo when that is lower (100: none yet). */
double trend_lowest(const report_school *s, double lo);

/* The floor of a trend scale that runs to 100: a whole even percentage below lo, at most 90. */
int trend_floor(double lo);

/* The chart of s's weeks on lo..100 against nat (drawn when nat->ok), titled title (HTML), with
 * the caption saying what the lines are. */
void trend_chart(FILE *f, const report_school *s, const report_national *nat, int lo,
                 const char *title);

#endif
