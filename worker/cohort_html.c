/* The shared cohort gap chart and table (see cohort_html.h). */
#include "cohort_html.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "html.h"
#include "html_page.h"

static const char *cohort_group(measures_cohort k)
{
	if (k == MEASURES_COHORT_SEX)
		return "Sex";
	if (k == MEASURES_COHORT_NC_YEAR)
		return "Year group";
	if (k == MEASURES_COHORT_CLASS)
		return "Class";
	return "Disadvantage and need";
}

static const report_benchmark *bench(const cohort_view *v, const char *measure, const char *cohort)
{
	return report_benchmark_lookup(v->benchmarks, v->n_benchmarks, "all", measure, cohort);
}

/* The national benchmark of a cohort's complement ("not_fsm"), or NULL. */
static const report_benchmark *complement_bench(const cohort_view *v, const char *name, size_t n,
                                                const char *measure)
{
	char other[40];
	snprintf(other, sizeof(other), "not_%.*s", (int)strnlen(name, n), name);
	return bench(v, measure, other);
}

/* National attendance gap (cohort minus others) in pp, when both figures exist. */
static bool national_gap(const cohort_view *v, const report_cohort *c, double *gap,
                         char out[MEASURES_PCT_LEN])
{
	const report_benchmark *in = bench(v, "absence", c->name);
	const report_benchmark *other = complement_bench(v, c->name, sizeof(c->name), "absence");
	if (!in || !other)
		return false;
	*gap = (double)(other->tenths - in->tenths) / 10.0;
	uint64_t a = in->tenths < 0 ? 1000 : in->tenths > 1000 ? 0 : (uint64_t)(1000 - in->tenths);
	uint64_t b = other->tenths < 0      ? 1000
	             : other->tenths > 1000 ? 0
	                                    : (uint64_t)(1000 - other->tenths);
	report_gap_signed(a, 1000, b, 1000, out);
	return true;
}

/* The cohort gap chart: one row per cohort with headline pupils, in report order. */
typedef struct gap_row {
	size_t cohort; /* index into the view's cohorts */
	bool small;
	int sign;
	char g[MEASURES_PCT_LEN];
	char marker[48];
} gap_row;

typedef struct gap_chart {
	const cohort_view *v;
	size_t n;
	gap_row *rows;
} gap_chart;

static void gap_desc(void *user, FILE *f)
{
	const gap_chart *gc = user;

	for (size_t i = 0; i < gc->n; i++) {
		const gap_row *r = &gc->rows[i];

		HTML_ESC(f, gc->v->cohorts[r->cohort].label);
		if (r->small) {
			fputs(": small group. ", f);
			continue;
		}
		fprintf(f, ": %s pp. ", r->g[0] ? r->g : "no sessions");
	}
}

static void gap_value(void *user, FILE *f, size_t i, double y)
{
	const gap_chart *gc = user;
	const gap_row *r = &gc->rows[i];

	if (r->small)
		fputs("<tspan class=\"t-muted\" font-style=\"italic\">small group</tspan>", f);
	else if (!r->g[0])
		fputs("<tspan class=\"t-muted\">&ndash;</tspan>", f);
	else
		fprintf(f, "<tspan font-weight=\"700\" class=\"%s\">%s</tspan>",
		        r->sign < 0   ? "t-worse"
		        : r->sign > 0 ? "t-better"
		                      : "t-muted",
		        r->g);
	fputs("<tspan class=\"t-muted\" font-size=\"10.5\"> &middot; ", f);
	html_count(f, gc->v->in[MEASURES_YTD][r->cohort].pupils);
	fputs("</tspan>", f);
}

int cohort_chart(FILE *f, const cohort_view *v)
{
	chart_dbar *rows = calloc(v->n + 1, sizeof(*rows));
	gap_chart gc = {.v = v, .rows = calloc(v->n + 1, sizeof(*gc.rows))};
	double max_gap = 0;
	int lim = 5;

	if (!rows || !gc.rows) {
		free(rows);
		free(gc.rows);
		return -ENOMEM;
	}
	for (size_t c = 0; c < v->n; c++) {
		const report_cohort *k = &v->cohorts[c];
		const measures_cohort_row *in = &v->in[MEASURES_YTD][c];
		const measures_cohort_row *out = &v->out[MEASURES_YTD][c];
		chart_dbar *row = &rows[gc.n];
		gap_row *gr = &gc.rows[gc.n];
		double ng;
		char nbuf[MEASURES_PCT_LEN];

		if (in->pupils == 0)
			continue;
		gc.n++;
		gr->cohort = c;
		gr->small = report_small_group(in, out);
		gr->g[0] = '\0';
		gr->sign = gr->small ? 0 : report_cohort_gap(in, out, gr->g);
		row->group = cohort_group(k->cohort);
		row->label = k->label;
		row->label_len = sizeof(k->label);
		if (!gr->small && in->possible && out->possible) {
			double gp = report_rate(report_attended(in), in->possible) -
			            report_rate(report_attended(out), out->possible);
			if (gp < 0)
				gp = -gp;
			if (gp > max_gap)
				max_gap = gp;
		}
		if (!gr->small && gr->g[0] && gr->sign != 0) {
			row->has_bar = true;
			row->value = report_rate(report_attended(in), in->possible) -
			             report_rate(report_attended(out), out->possible);
			row->cls = gr->sign < 0 ? "b-worse" : "b-better";
		}
		if (national_gap(v, k, &ng, nbuf)) {
			if ((ng < 0 ? -ng : ng) > max_gap)
				max_gap = ng < 0 ? -ng : ng;
			row->has_marker = true;
			row->marker = ng;
			snprintf(gr->marker, sizeof(gr->marker), "National gap %s pp", nbuf);
			row->marker_title = gr->marker;
		}
	}
	if (gc.n == 0) {
		fputs("<p class=\"note\">No cohort has pupils in the headline population.</p>\n",
		      f);
		goto out;
	}
	while (lim < max_gap && lim < 100)
		lim = lim < 10 ? 10 : lim < 20 ? 20 : lim < 50 ? 50 : 100;
	chart_diverging(
	        f, &(chart_dbars){
	                   .id = v->chart_id,
	                   .title = v->chart_title,
	                   .lim = lim,
	                   .left_words = "&#9664; lower attendance than others",
	                   .right_words = "higher &#9654;",
	                   .right_head = "gap (pp), pupils",
	                   .n = gc.n,
	                   .rows = rows,
	                   .user = &gc,
	                   .desc = gap_desc,
	                   .value = gap_value,
	                   .caption = "<span class=\"legend\"><span aria-hidden=\"true\" "
	                              "class=\"sw worse\"></span>cohort attends less than other "
	                              "pupils <span aria-hidden=\"true\" class=\"sw "
	                              "better\"></span>attends more <span aria-hidden=\"true\" "
	                              "class=\"sw diamond\"></span>national gap for the same "
	                              "cohort, where published</span>",
	           });
out:
	free(rows);
	free(gc.rows);
	return 0;
}

/* National figures for a cohort: attendance (100 - absence) and PA, and its complement's. */
static void put_cohort_national(const cohort_view *v, FILE *f, const report_cohort *c)
{
	const report_benchmark *abs = bench(v, "absence", c->name);
	const report_benchmark *pa = bench(v, "pa", c->name);
	const report_benchmark *oabs = complement_bench(v, c->name, sizeof(c->name), "absence");
	if (!abs && !pa) {
		fputs("<span class=\"muted\">&ndash;</span>", f);
		return;
	}
	if (abs)
		html_tenths(f, abs->tenths, true);
	if (pa) {
		fputs(abs ? " <span class=\"muted\">PA " : "PA ", f);
		html_tenths(f, pa->tenths, false);
		if (abs)
			fputs("</span>", f);
	}
	if (oabs) {
		fputs("<span class=\"sub\">others ", f);
		html_tenths(f, oabs->tenths, true);
		fputs("</span>", f);
	}
}

/* The gap cell of a cohort table: "-3.2" with direction words, or a flag. */
static void put_gap_cell(FILE *f, const measures_cohort_row *in, const measures_cohort_row *out)
{
	char g[MEASURES_PCT_LEN];
	if (in->pupils == 0) {
		fputs("<td class=\"muted\">&ndash;</td>", f);
		return;
	}
	if (report_small_group(in, out)) {
		fputs("<td class=\"small\">small group</td>", f);
		return;
	}
	int sign = report_cohort_gap(in, out, g);
	if (!g[0])
		fputs("<td class=\"muted\">&ndash;</td>", f);
	else
		fprintf(f, "<td class=\"num\"><strong class=\"%s\">%s</strong></td>",
		        sign < 0   ? "worse"
		        : sign > 0 ? "better"
		                   : "muted",
		        g);
}

void cohort_table(FILE *f, const cohort_view *v)
{
	const char *group = NULL;
	size_t empty = 0;

	static const page_col cols[] = {
	        {.html = "Cohort", .left = true},
	        {.html = "Pupils"},
	        {.html = "Attendance"},
	        {.html = "PA"},
	        {.html = "Others&#39; attendance"},
	        {.html = "Gap (pp), year"},
	        {.html = "Gap (pp), term"},
	        {.html = "National (cohort)"},
	};

	page_table_begin(f, v->table_id, v->table_caption, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t c = 0; c < v->n; c++) {
		const report_cohort *k = &v->cohorts[c];
		const measures_cohort_row *in = &v->in[MEASURES_YTD][c];
		const measures_cohort_row *out = &v->out[MEASURES_YTD][c];
		if (in->pupils == 0) {
			empty++;
			continue;
		}
		if (cohort_group(k->cohort) != group) {
			group = cohort_group(k->cohort);
			fprintf(f,
			        "<tr class=\"grp\"><th scope=\"rowgroup\" colspan=\"8\" "
			        "class=\"l\">%s</th></tr>\n",
			        group);
		}
		fputs("<tr data-cohort=\"", f);
		HTML_ESC(f, k->name);
		fputs("\"><th scope=\"row\">", f);
		HTML_ESC(f, k->label);
		fputs("</th><td>", f);
		html_count(f, in->pupils);
		fputs("</td>", f);
		if (in->pupils < REPORT_SMALL_GROUP) {
			fputs("<td class=\"small\">small group</td><td class=\"small\">small "
			      "group</td>",
			      f);
		} else {
			fputs("<td>", f);
			html_pct(f, report_attended(in), in->possible);
			fputs("</td><td>", f);
			html_pct(f, in->pa_pupils, in->pupils);
			fputs("</td>", f);
		}
		if (out->pupils < REPORT_SMALL_GROUP) {
			fputs("<td class=\"small\">small group</td>", f);
		} else {
			fputs("<td>", f);
			html_pct(f, report_attended(out), out->possible);
			fputs("</td>", f);
		}
		put_gap_cell(f, in, out);
		put_gap_cell(f, &v->in[MEASURES_TERM][c], &v->out[MEASURES_TERM][c]);
		fputs("<td>", f);
		put_cohort_national(v, f, k);
		fputs("</td></tr>\n", f);
	}
	page_table_end(f);
	if (empty) {
		fputs("<p class=\"note\">No headline pupils in: ", f);
		size_t k = 0;
		for (size_t c = 0; c < v->n; c++) {
			if (v->in[MEASURES_YTD][c].pupils != 0)
				continue;
			HTML_ESC(f, v->cohorts[c].label);
			fputs(++k < empty ? ", " : ".", f);
		}
		fputs("</p>\n", f);
	}
}
