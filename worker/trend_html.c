/* The shared weekly trend chart (see trend_html.h). */
#include "trend_html.h"

#include <string.h>

#include "html.h"

void trend_national_label(FILE *f, const report_national *nat)
{
	if (!nat->phase) {
		fputs("weighted to the trust&#39;s phase mix", f);
	} else if (strcmp(nat->phase, "all") == 0) {
		fputs("all state-funded schools", f);
	} else {
		html_esc_n(f, nat->phase, 16);
		fputs(" schools", f);
	}
}

chart_series trend_series(const report_school *s)
{
	return (chart_series){s->n_weeks, s->week_start, s->week_possible, s->week_absence};
}

double trend_lowest(const report_school *s, double lo)
{
	for (size_t w = 0; w < s->n_weeks; w++) {
		if (!s->week_possible[w])
			continue;
		uint64_t p = s->week_possible[w];
		uint64_t a = s->week_absence[w] < p ? p - s->week_absence[w] : 0;
		double v = report_rate(a, p);
		if (v < lo)
			lo = v;
	}
	return lo;
}

int trend_floor(double lo)
{
	int fl = (int)lo - 1;
	fl -= fl % 2;
	if (fl > 90)
		fl = 90;
	return fl < 0 ? 0 : fl;
}

/* What the chart's description needs. */
typedef struct trend_ctx {
	const report_school *s;
	const report_national *nat;
} trend_ctx;

static void trend_desc(void *user, FILE *f)
{
	const trend_ctx *tc = user;
	const report_school *t = tc->s;
	size_t n = t->n_weeks;

	fprintf(f, "%zu school weeks", n);
	if (n) {
		uint64_t p = t->week_possible[n - 1];
		fputs("; latest week (w/c ", f);
		html_date(f, t->week_start[n - 1], false, true);
		fputs(") ", f);
		html_pct(f, p > t->week_absence[n - 1] ? p - t->week_absence[n - 1] : 0, p);
	}
	if (tc->nat->ok) {
		fputs("; national ", f);
		html_pct(f, tc->nat->num, tc->nat->den);
	}
	fputc('.', f);
}

void trend_chart(FILE *f, const report_school *s, const report_national *nat, int lo,
                 const char *title)
{
	trend_ctx tc = {s, nat};
	chart_series series = trend_series(s);

	chart_line_draw(f, &(chart_line){
	                           .id = "tr",
	                           .title = title,
	                           .s = &series,
	                           .lo = lo,
	                           .step = 100 - lo <= 6    ? 1
	                                   : 100 - lo <= 16 ? 2
	                                   : 100 - lo <= 40 ? 5
	                                                    : 10,
	                           .has_ref = nat->ok,
	                           .ref_num = nat->num,
	                           .ref_den = nat->den,
	                           .ref_label = "National",
	                           .user = &tc,
	                           .desc = trend_desc,
	                           .x_caption = "School weeks (week commencing)",
	                   });
	svg_caption_begin(f);
	fputs("Attendance of the headline population in each school week", f);
	if (nat->ok) {
		fputs("; dashed line: national attendance (", f);
		trend_national_label(f, nat);
		fputc(')', f);
	}
	fputs("; dotted lines: holidays.", f);
	svg_caption_end(f);
}
