/* The trust attendance lead's morning page, trust/<as-of>/index.html: one self-contained HTML file
 * (inline CSS and SVG, no script, no external resource) rendered from a trust_report. Every
 * percentage in its text comes from exact counts through measures_pct_format / _gap_format. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "cohort_html.h"
#include "html.h"
#include "html_page.h"
#include "report.h"
#include "rollcall/date.h"
#include "rollcall/measures.h"
#include "trend_html.h"

/* ---- figures --------------------------------------------------------------------------------- */

/* The cohorts to show: never more than the arrays hold. */
static size_t n_cohorts(const trust_report *r)
{
	return r->n_cohorts < REPORT_MAX_COHORTS ? r->n_cohorts : REPORT_MAX_COHORTS;
}

/* ---- page head and header -------------------------------------------------------------------- */

static void write_head(const trust_report *r, FILE *f)
{
	page_head_begin(f);
	fputs("Trust attendance &mdash; as of ", f);
	html_date(f, r->as_of, true, true);
	page_head_end(f, NULL);
}

static void write_header(const trust_report *r, FILE *f)
{
	char iso[11];
	const measures_cohort_row *ytd = &r->trust.all[MEASURES_YTD];
	int ay = date_academic_year(r->as_of);

	fputs("<header>\n<p class=\"eyebrow\">Attendance &middot; trust overview</p>\n", f);
	fprintf(f, "<h1>Trust attendance &mdash; as of <time datetime=\"%s\">%s ",
	        date_format(r->as_of, iso), html_weekday(date_weekday(r->as_of)));
	html_date(f, r->as_of, true, true);
	fputs("</time></h1>\n<dl class=\"periods\">\n", f);

	fputs("<div><dt>Year to date</dt><dd>", f);
	html_range(f, r->period_first[MEASURES_YTD], r->as_of);
	fputs("</dd></div>\n<div><dt>This term</dt><dd>", f);
	html_term(f, &r->term);
	fputs(": ", f);
	html_range(f, r->period_first[MEASURES_TERM], r->as_of);
	fputs("</dd></div>\n<div><dt>Last 4 school weeks</dt><dd>", f);
	if (r->period_first[MEASURES_LAST4W] == MEASURES_NO_DAY)
		fputs("no school weeks yet", f);
	else
		html_range(f, r->period_first[MEASURES_LAST4W], r->as_of);
	fputs("</dd></div>\n<div><dt>Headline population</dt><dd>", f);
	html_count(f, ytd->pupils);
	fprintf(f, " pupils in %zu school%s</dd></div>\n</dl>\n", r->n_schools,
	        r->n_schools == 1 ? "" : "s");

	/* Who the figures are about, and who is counted apart. */
	uint64_t outside = 0;
	size_t n_outside = 0;
	for (size_t i = 0; i < r->n_schools; i++) {
		outside += r->schools[i].outside_population;
		n_outside += r->schools[i].outside_population > 0;
	}
	fprintf(f,
	        "<p class=\"pop\">Headline figures cover pupils of compulsory school age (aged 5 "
	        "to 15 on 31 August %d) with at least one possible session in the period; "
	        "boarders are excluded. ",
	        ay);
	if (outside == 0) {
		fputs("No other enrolments are on roll.</p>\n", f);
	} else {
		html_count(f, outside);
		fprintf(f,
		        " other enrolment%s (nursery, Reception aged 4, sixth form, boarders) %s "
		        "counted apart and not in any figure here: ",
		        outside == 1 ? "" : "s", outside == 1 ? "is" : "are");
		size_t k = 0;
		REPORT_FOR_RANKED(r, i)
		{
			const report_school *s = &r->schools[i];
			if (s->outside_population == 0)
				continue;
			HTML_ESC(f, s->name);
			fputc(' ', f);
			html_count(f, s->outside_population);
			fputs(++k < n_outside ? "; " : ".", f);
		}
		fputs("</p>\n", f);
	}

	/* Registers not taken are the one thing on this page someone can fix today. */
	uint64_t unmarked = 0;
	size_t n_unmarked = 0;
	for (size_t i = 0; i < r->n_schools; i++) {
		unmarked += r->schools[i].unmarked;
		n_unmarked += r->schools[i].unmarked > 0;
	}
	if (unmarked == 0) {
		fputs("<p class=\"dq ok\" id=\"data-quality\"><strong>Data quality:</strong> every "
		      "register is taken &mdash; no unmarked sessions this year.</p>\n",
		      f);
	} else {
		fputs("<p class=\"dq\" id=\"data-quality\"><strong>Data quality &mdash; registers "
		      "to chase:</strong> ",
		      f);
		html_count(f, unmarked);
		fprintf(f,
		        " unmarked session%s this year (a register not taken; left out of every "
		        "figure) at %zu school%s: ",
		        unmarked == 1 ? "" : "s", n_unmarked, n_unmarked == 1 ? "" : "s");
		/* Most unmarked first: the order to chase them in. */
		size_t k = 0;
		uint64_t last = UINT64_MAX;
		while (k < n_unmarked) {
			uint64_t top = 0;
			for (size_t i = 0; i < r->n_schools; i++)
				if (r->schools[i].unmarked < last && r->schools[i].unmarked > top)
					top = r->schools[i].unmarked;
			for (size_t i = 0; i < r->n_schools; i++) {
				if (r->schools[i].unmarked != top)
					continue;
				fputs("<strong>", f);
				HTML_ESC(f, r->schools[i].name);
				fputs("</strong> ", f);
				html_count(f, top);
				fputs(++k < n_unmarked ? "; " : ".", f);
			}
			last = top;
		}
		if (n_unmarked < r->n_schools)
			fputs(" All other schools are complete.", f);
		fputs("</p>\n", f);
	}
	fputs("<nav class=\"toc\" aria-label=\"Sections\"><a href=\"#headline\">Headline</a>"
	      "<a href=\"#schools\">Schools</a><a href=\"#categories\">Categories</a>"
	      "<a href=\"#cohorts\">Cohort gaps</a><a href=\"#trend\">Weekly trend</a>"
	      "<a href=\"#notes\">Notes</a></nav>\n</header>\n",
	      f);
}

/* ---- at a glance ------------------------------------------------------------------------------
 */

/* The cohort (index) with the widest negative gap among groups that are not small, or -1. */
static int widest_gap(const trust_report *r)
{
	int best = -1;
	unsigned __int128 bn = 0, bd = 1; /* best gap as bn / bd (its magnitude) */
	for (size_t c = 0; c < n_cohorts(r); c++) {
		const measures_cohort_row *in = &r->trust.in[MEASURES_YTD][c];
		const measures_cohort_row *out = &r->trust.out[MEASURES_YTD][c];
		if (in->pupils < REPORT_SMALL_GROUP || out->pupils < REPORT_SMALL_GROUP ||
		    !in->possible || !out->possible)
			continue;
		/* others/out_possible - in/in_possible, as a fraction. */
		unsigned __int128 a = (unsigned __int128)report_attended(out) * in->possible;
		unsigned __int128 b = (unsigned __int128)report_attended(in) * out->possible;
		if (a <= b)
			continue;
		unsigned __int128 n = a - b, d = (unsigned __int128)in->possible * out->possible;
		/* n / d > bn / bd, with both below 2^96 for any real trust. */
		if (best < 0 || n * bd > bn * d) {
			best = (int)c;
			bn = n;
			bd = d;
		}
	}
	return best;
}

static void write_glance(const trust_report *r, FILE *f)
{
	const report_school *t = &r->trust;
	const measures_cohort_row *y = &t->all[MEASURES_YTD];
	char g[MEASURES_PCT_LEN];
	report_national nat = report_trust_national(r, "overall_absence", true, false);

	fputs("<section aria-labelledby=\"glance-h\">\n<h2 id=\"glance-h\" class=\"glance-h\">At a "
	      "glance</h2>\n"
	      "<ul class=\"glance\">\n",
	      f);
	if (y->possible == 0) {
		fputs("<li>No possible sessions in the headline population this year yet.</li>\n"
		      "</ul>\n</section>\n",
		      f);
		return;
	}

	fputs("<li>Attendance is <strong>", f);
	html_pct(f, report_attended(y), y->possible);
	fputs("</strong> this year", f);
	if (nat.ok) {
		int sign = report_gap_signed(report_attended(y), y->possible, nat.num, nat.den, g);
		if (sign == 0)
			fputs(", level with the ", f);
		else
			fprintf(f, ", <span class=\"%s\">%s pp %s</span> the ",
			        sign < 0 ? "worse" : "better", g + 1, sign < 0 ? "below" : "above");
		fputs("national figure of ", f);
		html_pct(f, nat.num, nat.den);
		fputs(" (", f);
		trend_national_label(f, &nat);
		fputc(')', f);
	}
	fputs("; this term ", f);
	html_pct(f, report_attended(&t->all[MEASURES_TERM]), t->all[MEASURES_TERM].possible);
	fputs(", last 4 weeks ", f);
	html_pct(f, report_attended(&t->all[MEASURES_LAST4W]), t->all[MEASURES_LAST4W].possible);
	fputs(".</li>\n", f);

	/* Schools above their phase's national absence. */
	size_t n_above = 0, n_bench = 0;
	for (size_t i = 0; i < r->n_schools; i++) {
		const report_school *s = &r->schools[i];
		const report_benchmark *b = report_phase_absence(r, s);
		if (!b || !s->all[MEASURES_YTD].possible)
			continue;
		n_bench++;
		if (report_gap_signed(s->all[MEASURES_YTD].absence, s->all[MEASURES_YTD].possible,
		                      (uint64_t)(b->tenths < 0 ? 0 : b->tenths), 1000, g) > 0)
			n_above++;
	}
	if (n_bench > 0) {
		fprintf(f,
		        "<li><strong>%zu of %zu</strong> school%s with a national figure for "
		        "%s phase %s absence above it",
		        n_above, n_bench, n_bench == 1 ? "" : "s", n_bench == 1 ? "its" : "their",
		        n_above == 1 ? "has" : "have");
		size_t k = 0;
		REPORT_FOR_RANKED(r, i)
		{
			const report_school *s = &r->schools[i];
			const report_benchmark *b = report_phase_absence(r, s);
			if (!b || !s->all[MEASURES_YTD].possible)
				continue;
			if (report_gap_signed(
			            s->all[MEASURES_YTD].absence, s->all[MEASURES_YTD].possible,
			            (uint64_t)(b->tenths < 0 ? 0 : b->tenths), 1000, g) <= 0)
				continue;
			fputs(k++ == 0 ? ": " : "; ", f);
			HTML_ESC(f, s->name);
			fprintf(f, " <span class=\"worse\">%s pp above</span>", g + 1);
		}
		fputs(".</li>\n", f);
	}

	fputs("<li>Persistent absence: <strong>", f);
	html_count(f, y->pa_pupils);
	fputs(" pupils (", f);
	html_pct(f, y->pa_pupils, y->pupils);
	fputs(")</strong>; severe absence: <strong>", f);
	html_count(f, y->sa_pupils);
	fputs(" pupils (", f);
	html_pct(f, y->sa_pupils, y->pupils);
	fputs(")</strong>.</li>\n", f);

	int c = widest_gap(r);
	if (c >= 0) {
		const measures_cohort_row *in = &t->in[MEASURES_YTD][c];
		report_cohort_gap(in, &t->out[MEASURES_YTD][c], g);
		fputs("<li>Widest cohort gap: <strong>", f);
		HTML_ESC(f, r->cohorts[c].label);
		fprintf(f,
		        "</strong>, attendance <span class=\"worse\">%s pp lower</span> than "
		        "other pupils (",
		        g + 1);
		html_count(f, in->pupils);
		fputs(" pupils, ", f);
		html_pct(f, report_attended(in), in->possible);
		fputs(").</li>\n", f);
	}

	const measures_cohort_row *l4 = &t->all[MEASURES_LAST4W];
	if (l4->possible) {
		int sign = report_gap_signed(report_attended(l4), l4->possible, report_attended(y),
		                             y->possible, g);
		fputs("<li>Recent direction: the last 4 weeks are ", f);
		if (sign == 0)
			fputs("level with the year so far", f);
		else
			fprintf(f, "<span class=\"%s\">%s pp %s</span> the year so far",
			        sign < 0 ? "worse" : "better", g + 1, sign < 0 ? "below" : "above");
		fputs(".</li>\n", f);
	}
	fputs("</ul>\n</section>\n", f);
}

/* ---- headline tiles ----------------------------------------------------------------------------
 */

static void write_tiles(const trust_report *r, FILE *f)
{
	static const struct {
		report_measure kind;
		const char *title;
		const char *unit;
		const char *measure; /* national benchmark */
		bool attendance, by_pupils;
	} tiles[] = {
	        {REPORT_ATTENDANCE, "Attendance", "of possible sessions", "overall_absence", true,
	         false},
	        {REPORT_AUTHORISED, "Authorised absence", "of possible sessions", "authorised",
	         false, false},
	        {REPORT_UNAUTHORISED, "Unauthorised absence", "of possible sessions",
	         "unauthorised", false, false},
	        {REPORT_PA, "Persistent absence", "of pupils missing 10%+", "pa", false, true},
	        {REPORT_SA, "Severe absence", "of pupils missing 50%+", "severe_absence", false,
	         true},
	};
	const report_school *t = &r->trust;

	page_section_begin(f, "headline", false, "headline-h", "Headline, year to date");
	fputs("<div class=\"tiles\">\n", f);
	for (size_t i = 0; i < sizeof(tiles) / sizeof(tiles[0]); i++) {
		uint64_t num = 0, den = 0;
		bool pupils = tiles[i].kind == REPORT_PA || tiles[i].kind == REPORT_SA;
		report_measure_figure(tiles[i].kind, &t->all[MEASURES_YTD], &num, &den);
		fprintf(f, "<div class=\"tile\">\n<h3>%s</h3>\n<div class=\"v\">", tiles[i].title);
		html_pct(f, num, den);
		fputs("</div>\n", f);
		if (pupils) {
			fputs("<div class=\"n\">", f);
			html_count(f, num);
			fputs(" pupils</div>\n", f);
		}
		fprintf(f, "<div class=\"u\">%s</div>\n<table>\n", tiles[i].unit);
		for (int p = MEASURES_TERM; p < MEASURES_PERIODS; p++) {
			report_measure_figure(tiles[i].kind, &t->all[p], &num, &den);
			fprintf(f, "<tr><th scope=\"row\">%s</th><td>",
			        report_period_label((measures_period)p));
			html_pct(f, num, den);
			if (pupils) {
				fputs(" <span class=\"muted\">(", f);
				html_count(f, num);
				fputs(")</span>", f);
			}
			fputs("</td></tr>\n", f);
		}
		report_national nat = report_trust_national(
		        r, tiles[i].measure, tiles[i].attendance, tiles[i].by_pupils);
		if (nat.ok) {
			fputs("<tr class=\"nat\"><th scope=\"row\">National</th><td>", f);
			html_pct(f, nat.num, nat.den);
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n</div>\n", f);
	}
	fputs("</div>\n<p class=\"note\">National figures are for state-funded schools, weighted "
	      "to the trust&#39;s mix of phases where each phase has its own figure (see Notes). "
	      "PA and SA are pupils whose absence is at least 10% and 50% of their possible "
	      "sessions.</p>\n",
	      f);
	page_section_end(f);
}

/* ---- schools ranked -------------------------------------------------------------------------- */

/* The ranking chart: the trust's row, then the schools ranked, each against its comparison
 * figure nn / nd (the trust's weighted national figure, a school's phase figure). */
typedef struct rank_row {
	const report_school *s;
	bool trust, has_nat;
	uint64_t nn, nd;
	int sign;
	char g[MEASURES_PCT_LEN];
} rank_row;

typedef struct rank_chart {
	const trust_report *r;
	rank_row *rows;
	double x1;
} rank_chart;

static void rank_fill(const trust_report *r, rank_row *row, const report_school *s, bool trust)
{
	const measures_cohort_row *w = &s->all[MEASURES_YTD];
	const report_benchmark *b = trust ? NULL : report_phase_absence(r, s);

	memset(row, 0, sizeof(*row));
	row->s = s;
	row->trust = trust;
	row->nd = 1;
	if (trust) {
		report_national nat = report_trust_national(r, "overall_absence", false, false);
		if (nat.ok) {
			row->has_nat = true;
			row->nn = nat.num;
			row->nd = nat.den;
		}
	} else if (b) {
		row->has_nat = true;
		row->nn = (uint64_t)(b->tenths < 0 ? 0 : b->tenths);
		row->nd = 1000;
	}
	if (row->has_nat && w->possible)
		row->sign = report_gap_signed(w->absence, w->possible, row->nn, row->nd, row->g);
}

static void rank_desc(void *user, FILE *f)
{
	const trust_report *r = ((const rank_chart *)user)->r;

	REPORT_FOR_RANKED(r, i)
	{
		const report_school *s = &r->schools[i];
		const report_benchmark *b = report_phase_absence(r, s);
		HTML_ESC(f, s->name);
		fputs(": absence ", f);
		html_pct(f, s->all[MEASURES_YTD].absence, s->all[MEASURES_YTD].possible);
		if (b) {
			fputs(", national ", f);
			html_tenths(f, b->tenths, false);
		}
		fputs(". ", f);
	}
}

static void rank_label(void *user, FILE *f, size_t i, double y)
{
	const rank_row *row = &((const rank_chart *)user)->rows[i];
	const report_school *s = row->s;

	fputs("<text x=\"0\" y=\"", f);
	svg_num(f, y + 13);
	fprintf(f, "\" font-size=\"12.5\"%s>", row->trust ? " font-weight=\"700\"" : "");
	if (row->trust)
		fputs("Trust (all schools)", f);
	else
		html_esc_cut(f, s->name, sizeof(s->name), 36);
	fputs("</text>\n<text class=\"ax\" x=\"0\" y=\"", f);
	svg_num(f, y + 27);
	fputs("\">", f);
	if (!row->trust) {
		HTML_ESC(f, s->phase);
		fputs(" &middot; ", f);
	}
	html_count(f, s->all[MEASURES_YTD].pupils);
	fputs(" pupils</text>\n", f);
}

static void rank_ref_title(void *user, FILE *f, size_t i, double y)
{
	const rank_row *row = &((const rank_chart *)user)->rows[i];

	fputs("National ", f);
	html_pct(f, row->nn, row->nd);
}

static void rank_value(void *user, FILE *f, size_t i, double y)
{
	const rank_chart *c = user;
	const rank_row *row = &c->rows[i];
	const measures_cohort_row *w = &row->s->all[MEASURES_YTD];

	fputs("<text x=\"", f);
	svg_num(f, c->x1 + 14);
	fputs("\" y=\"", f);
	svg_num(f, y + 13);
	fputs("\" font-size=\"12.5\" font-weight=\"700\">", f);
	html_pct(f, w->absence, w->possible);
	fputs("</text>\n<text class=\"ax\" x=\"", f);
	svg_num(f, c->x1 + 14);
	fputs("\" y=\"", f);
	svg_num(f, y + 27);
	fputs("\">", f);
	if (!row->has_nat) {
		fputs("no national figure", f);
	} else if (w->possible) {
		if (row->sign == 0)
			fputs("level with national ", f);
		else
			fprintf(f, "<tspan class=\"%s\">%s pp %s</tspan> national ",
			        row->sign > 0 ? "t-worse" : "t-better", row->g + 1,
			        row->sign > 0 ? "above" : "below");
		html_pct(f, row->nn, row->nd);
	}
	fputs("</text>\n", f);
}

static int write_school_chart(const trust_report *r, FILE *f)
{
	/* Scale: up to the largest absence or national figure, in whole 5% steps. */
	uint64_t max_tenths = 50, max_pct, step;
	rank_chart rc = {.r = r, .x1 = 580};
	chart_bar *bars;
	size_t n = r->n_schools + 1, k = 1;

	for (size_t i = 0; i <= r->n_schools; i++) {
		const report_school *s = i < r->n_schools ? &r->schools[i] : &r->trust;
		const measures_cohort_row *w = &s->all[MEASURES_YTD];
		const report_benchmark *b = i < r->n_schools ? report_phase_absence(r, s) : NULL;
		if (w->possible) {
			uint64_t t = (w->absence * 1000 + w->possible - 1) / w->possible;
			if (t > max_tenths)
				max_tenths = t;
		}
		if (b && b->tenths > 0 && (uint64_t)b->tenths > max_tenths)
			max_tenths = (uint64_t)b->tenths;
	}
	max_pct = (max_tenths + 49) / 50 * 5;
	if (max_pct > 100)
		max_pct = 100;
	step = max_pct <= 20 ? 5 : max_pct <= 50 ? 10 : 20;

	rc.rows = calloc(n, sizeof(*rc.rows));
	bars = calloc(n, sizeof(*bars));
	if (!rc.rows || !bars) {
		free(rc.rows);
		free(bars);
		return -ENOMEM;
	}
	rank_fill(r, &rc.rows[0], &r->trust, true);
	REPORT_FOR_RANKED(r, i)
	{
		rank_fill(r, &rc.rows[k++], &r->schools[i], false);
	}
	for (size_t i = 0; i < n; i++) {
		const rank_row *row = &rc.rows[i];
		const measures_cohort_row *w = &row->s->all[MEASURES_YTD];

		bars[i].has_bar = w->possible != 0;
		bars[i].value = report_rate(w->absence, w->possible);
		bars[i].cls = !row->has_nat ? "b-none" : row->sign > 0 ? "b-worse" : "b-better";
		bars[i].has_ref = row->has_nat;
		bars[i].ref = report_rate(row->nn, row->nd);
	}
	chart_ranked_bars(
	        f,
	        &(chart_bars){
	                .id = "sc",
	                .title = "Absence by school, year to date, against the national figure "
	                         "for each school&#39;s phase",
	                .axis = {0, (double)max_pct, (double)step},
	                .x0 = 250,
	                .x1 = rc.x1,
	                .top = 22,
	                .row = 36,
	                .n = n,
	                .bars = bars,
	                .user = &rc,
	                .desc = rank_desc,
	                .label = rank_label,
	                .value = rank_value,
	                .ref_title = rank_ref_title,
	                .caption =
	                        "<span class=\"legend\"><span aria-hidden=\"true\" class=\"sw "
	                        "worse\"></span>absence above national for the phase <span "
	                        "aria-hidden=\"true\" class=\"sw better\"></span>at or below "
	                        "national <span aria-hidden=\"true\" class=\"sw none\"></span>no "
	                        "national figure <span aria-hidden=\"true\" class=\"sw "
	                        "mark\"></span>national figure for the school&#39;s phase (trust: "
	                        "weighted to its phase mix)</span>",
	        });
	free(rc.rows);
	free(bars);
	return 0;
}

/* One row of the ranking table: the trust (rank 0) or a school. */
static void school_table_row(const trust_report *r, FILE *f, const report_school *s, size_t rank)
{
	bool trust = rank == 0;
	char g[MEASURES_PCT_LEN];
	const measures_cohort_row *w = &s->all[MEASURES_YTD];
	const report_benchmark *b = trust ? NULL : report_phase_absence(r, s);
	uint64_t unmarked = 0;

	if (trust) {
		for (size_t j = 0; j < r->n_schools; j++)
			unmarked += r->schools[j].unmarked;
		fputs("<tr class=\"trust\"><td></td><th scope=\"row\">Trust (all "
		      "schools)</th>",
		      f);
	} else {
		unmarked = s->unmarked;
		fprintf(f, "<tr><td>%zu</td><th scope=\"row\">", rank);
		HTML_ESC(f, s->name);
		fputs("<span class=\"sub\">", f);
		HTML_ESC(f, s->phase);
		if (s->la_name[0]) {
			fputs(" &middot; ", f);
			HTML_ESC(f, s->la_name);
		}
		fprintf(f, " &middot; URN %06" PRIu32 "</span></th>", s->urn);
	}
	fputs("<td>", f);
	html_count(f, w->pupils);
	fputs("</td><td><strong>", f);
	html_pct(f, w->absence, w->possible);
	fputs("</strong></td><td>", f);
	if (trust) {
		report_national nat = report_trust_national(r, "overall_absence", false, false);
		if (nat.ok) {
			html_pct(f, nat.num, nat.den);
			report_gap_signed(w->absence, w->possible, nat.num, nat.den, g);
		} else {
			fputs("&ndash;", f);
			g[0] = '\0';
		}
	} else if (b) {
		html_tenths(f, b->tenths, false);
		report_gap_signed(w->absence, w->possible,
		                  (uint64_t)(b->tenths < 0 ? 0 : b->tenths), 1000, g);
	} else {
		fputs("&ndash;", f);
		g[0] = '\0';
	}
	fputs("</td><td class=\"num\">", f);
	if (g[0] == '\0')
		fputs("&ndash;", f);
	else if (report_gap_sign(g) == 0)
		fputs("level", f);
	else
		fprintf(f, "<span class=\"%s\">%s pp %s</span>",
		        report_gap_sign(g) > 0 ? "worse" : "better", g + 1,
		        report_gap_sign(g) > 0 ? "above" : "below");
	fputs("</td><td>", f);
	html_pct(f, w->unauthorised, w->possible);
	fputs("</td><td class=\"num\">", f);
	html_count(f, w->pa_pupils);
	fputs(" <span class=\"muted\">", f);
	html_pct(f, w->pa_pupils, w->pupils);
	fputs("</span></td><td class=\"num\">", f);
	html_count(f, w->sa_pupils);
	fputs(" <span class=\"muted\">", f);
	html_pct(f, w->sa_pupils, w->pupils);
	fputs("</span></td><td>", f);
	html_pct(f, s->all[MEASURES_TERM].absence, s->all[MEASURES_TERM].possible);
	fputs("</td><td>", f);
	html_pct(f, s->all[MEASURES_LAST4W].absence, s->all[MEASURES_LAST4W].possible);
	fprintf(f, "</td><td%s>", unmarked ? " class=\"chase\"" : "");
	html_count(f, unmarked);
	fputs("</td></tr>\n", f);
}

static int write_schools(const trust_report *r, FILE *f)
{
	static const page_col cols[] = {
	        {.html = "#"},
	        {.html = "School", .left = true},
	        {.html = "Pupils"},
	        {.html = "Absence"},
	        {.html = "National (phase)"},
	        {.html = "vs national"},
	        {.html = "Unauth&shy;orised"},
	        {.html = "PA pupils"},
	        {.html = "SA pupils"},
	        {.html = "Absence this term"},
	        {.html = "Absence last 4 weeks"},
	        {.html = "Unmarked sessions"},
	};
	int rc;

	page_section_begin(f, "schools", true, "schools-h", "Schools ranked by absence");
	fputs("<p class=\"note\">Overall absence (authorised plus unauthorised, as a share of "
	      "possible sessions), year to date, highest first. Special schools are compared "
	      "with the national figure for special schools, and so on: the gap to that figure "
	      "is the fairer comparison between schools.</p>\n",
	      f);
	if ((rc = write_school_chart(r, f)) < 0)
		return rc;
	page_table_begin(f, "school-table", "Schools ranked by absence, year to date", cols,
	                 sizeof(cols) / sizeof(cols[0]));
	school_table_row(r, f, &r->trust, 0);
	size_t rank = 0;
	REPORT_FOR_RANKED(r, i)
	{
		school_table_row(r, f, &r->schools[i], ++rank);
	}
	page_table_end(f);
	fputs("<p class=\"note\">PA and SA columns: pupils, then the share of "
	      "the school&#39;s headline pupils. A highlighted unmarked count is registers still "
	      "to be completed.</p>\n",
	      f);
	page_section_end(f);
	return 0;
}

/* ---- categories ------------------------------------------------------------------------------ */

/* A 5-category stacked bar, 170 x 14, in category order. */
static void category_bar(FILE *f, const uint32_t cat[MEASURES_CAT_COUNT])
{
	static const char *const classes[] = {"c1", "c2", "c3", "c4", "c5"};
	const char *labels[MEASURES_CAT_COUNT - 1];
	uint64_t parts[MEASURES_CAT_COUNT - 1];

	for (int c = 1; c < MEASURES_CAT_COUNT; c++) {
		labels[c - 1] = report_category_label((measures_category)c);
		parts[c - 1] = cat[c];
	}
	chart_stacked_bar(f, 170, 14, parts, MEASURES_CAT_COUNT - 1, labels, classes);
}

static void category_row(FILE *f, const report_school *s, bool trust)
{
	const uint32_t *cat = s->categories[MEASURES_YTD];
	uint64_t total = 0;
	for (int c = 1; c < MEASURES_CAT_COUNT; c++)
		total += cat[c];
	fprintf(f, "<tr%s><th scope=\"row\">", trust ? " class=\"trust\"" : "");
	if (trust)
		fputs("Trust (all schools)", f);
	else
		HTML_ESC(f, s->name);
	fputs("</th>", f);
	for (int c = 1; c < MEASURES_CAT_COUNT; c++) {
		fputs("<td class=\"num\">", f);
		html_count(f, cat[c]);
		fputs(" <span class=\"muted\">", f);
		html_pct(f, cat[c], total);
		fputs("</span></td>", f);
	}
	fputs("<td class=\"l\">", f);
	category_bar(f, cat);
	fputs("</td></tr>\n", f);
}

/* Whether schools i and j have their boundaries from the same place with the same values. */
static bool same_boundaries(const report_school *a, const report_school *b)
{
	return a->boundaries_source == b->boundaries_source &&
	       (a->boundaries_source != REPORT_BOUNDARIES_LA || a->la_code == b->la_code) &&
	       memcmp(a->category_bp, b->category_bp, sizeof(a->category_bp)) == 0;
}

/* Who set a group's boundaries, as the note names them. */
static void boundaries_label(FILE *f, const report_school *s)
{
	if (s->boundaries_source == REPORT_BOUNDARIES_LA) {
		fputs("Boundaries set by ", f);
		HTML_ESC(f, s->la_name);
	} else if (s->boundaries_source == REPORT_BOUNDARIES_TRUST) {
		fputs("Boundaries set by the trust", f);
	} else {
		fputs("Default boundaries (the trust may set its own)", f);
	}
}

/* The boundaries in force: one sentence when every school has the same, else one line per
 * group of schools naming them. */
static void write_boundaries(const trust_report *r, FILE *f)
{
	measures_config defaults;
	report_school none = {0};
	bool one = true;

	for (size_t i = 1; i < r->n_schools; i++)
		one = one && same_boundaries(&r->schools[0], &r->schools[i]);
	fputs("<p class=\"note\">Headline pupils by their own absence rate this year. ", f);
	if (one) {
		const report_school *s = r->n_schools ? &r->schools[0] : &none;

		measures_config_init(&defaults);
		if (!r->n_schools)
			memcpy(none.category_bp, defaults.category_bp, sizeof(none.category_bp));
		boundaries_label(f, s);
		fputs(": ", f);
		html_boundaries(f, s->category_bp);
		fputs(".</p>\n", f);
		return;
	}
	fputs("The boundaries differ between the schools&#39; local authorities:</p>\n<ul "
	      "class=\"note\" id=\"boundaries\">\n",
	      f);
	for (size_t i = 0; i < r->n_schools; i++) {
		bool first = true;

		for (size_t j = 0; j < i && first; j++)
			first = !same_boundaries(&r->schools[i], &r->schools[j]);
		if (!first)
			continue;
		fputs("<li>", f);
		boundaries_label(f, &r->schools[i]);
		fputs(" (", f);
		for (size_t j = i, k = 0; j < r->n_schools; j++) {
			if (!same_boundaries(&r->schools[i], &r->schools[j]))
				continue;
			fputs(k++ ? ", " : "", f);
			HTML_ESC(f, r->schools[j].name);
		}
		fputs("): ", f);
		html_boundaries(f, r->schools[i].category_bp);
		fputs(".</li>\n", f);
	}
	fputs("</ul>\n", f);
}

static void write_categories(const trust_report *r, FILE *f)
{
	page_col cols[MEASURES_CAT_COUNT + 1] = {{.html = "School", .left = true}};

	page_section_begin(f, "categories", false, "cat-h", "Attendance categories, year to date");
	write_boundaries(r, f);
	fputs("<p class=\"legend\">", f);
	for (int c = 1; c < MEASURES_CAT_COUNT; c++)
		fprintf(f, "<span aria-hidden=\"true\" class=\"sw c%d\"></span>%s ", c,
		        report_category_label((measures_category)c));
	fputs("</p>\n", f);
	for (int c = 1; c < MEASURES_CAT_COUNT; c++)
		cols[c] = (page_col){.html = report_category_label((measures_category)c)};
	cols[MEASURES_CAT_COUNT] = (page_col){.html = "Mix", .left = true};
	page_table_begin(f, "category-table", "Pupils by attendance category (year to date)", cols,
	                 MEASURES_CAT_COUNT + 1);
	category_row(f, &r->trust, true);
	REPORT_FOR_RANKED(r, i)
	{
		category_row(f, &r->schools[i], false);
	}
	page_table_end(f);
	page_section_end(f);
}

/* ---- cohort gaps ----------------------------------------------------------------------------- */

/* The trust's cohorts against all other pupils of the trust. */
static cohort_view trust_cohorts(const trust_report *r)
{
	cohort_view v = {
	        .chart_id = "cg",
	        .chart_title = "Attendance gap of each cohort against all other pupils in the "
	                       "trust, year to date, in percentage points",
	        .table_id = "cohort-table",
	        .table_caption = "Trust cohorts against all other pupils",
	        .cohorts = r->cohorts,
	        .n = n_cohorts(r),
	        .benchmarks = r->benchmarks,
	        .n_benchmarks = r->n_benchmarks,
	};

	for (int p = 0; p < MEASURES_PERIODS; p++) {
		v.in[p] = r->trust.in[p];
		v.out[p] = r->trust.out[p];
	}
	return v;
}

/* Shading class of a matrix gap cell by size, in whole pp bands (the text carries the value). */
static const char *gap_shade(const measures_cohort_row *in, const measures_cohort_row *out)
{
	if (!in->possible || !out->possible)
		return "";
	double v = report_rate(report_attended(in), in->possible) -
	           report_rate(report_attended(out), out->possible);
	if (v <= -5)
		return " g-n3";
	if (v <= -2)
		return " g-n2";
	if (v < -0.5)
		return " g-n1";
	if (v >= 5)
		return " g-p3";
	if (v >= 2)
		return " g-p2";
	if (v > 0.5)
		return " g-p1";
	return "";
}

static void write_cohort_matrix(const trust_report *r, FILE *f)
{
	page_col cols[REPORT_MAX_COHORTS + 1];
	size_t ncols = 1, shown = 0;

	for (size_t c = 0; c < n_cohorts(r); c++)
		shown += r->cohorts[c].cohort != MEASURES_COHORT_NC_YEAR &&
		         r->trust.in[MEASURES_YTD][c].pupils > 0;
	if (shown == 0 || r->n_schools == 0)
		return;
	fputs("<h3>Gaps by school</h3>\n<p class=\"note\">Attendance of each cohort minus the "
	      "school&#39;s other pupils, in percentage points, year to date. Shading: "
	      "orange below, blue above, darker for 2 and 5 pp or more; &ldquo;sm&rdquo; marks "
	      "a group (or its complement) of fewer than 5 pupils; &ndash; no such pupils.</p>\n",
	      f);
	cols[0] = (page_col){.html = "School", .left = true};
	for (size_t c = 0; c < n_cohorts(r); c++) {
		if (r->cohorts[c].cohort == MEASURES_COHORT_NC_YEAR ||
		    r->trust.in[MEASURES_YTD][c].pupils == 0)
			continue;
		cols[ncols++] = (page_col){.text = r->cohorts[c].label,
		                           .text_len = sizeof(r->cohorts[c].label)};
	}
	page_table_begin(f, "cohort-matrix", "Cohort attendance gaps by school (pp)", cols, ncols);
	REPORT_FOR_RANKED(r, i)
	{
		const report_school *s = &r->schools[i];
		fputs("<tr><th scope=\"row\">", f);
		HTML_ESC(f, s->name);
		fputs("</th>", f);
		for (size_t c = 0; c < n_cohorts(r); c++) {
			const measures_cohort_row *in = &s->in[MEASURES_YTD][c];
			const measures_cohort_row *out = &s->out[MEASURES_YTD][c];
			char g[MEASURES_PCT_LEN];
			if (r->cohorts[c].cohort == MEASURES_COHORT_NC_YEAR ||
			    r->trust.in[MEASURES_YTD][c].pupils == 0)
				continue;
			if (in->pupils == 0) {
				fputs("<td class=\"muted\">&ndash;</td>", f);
			} else if (report_small_group(in, out)) {
				fputs("<td class=\"small\" title=\"fewer than 5 pupils\">sm <span "
				      "class=\"muted\">",
				      f);
				html_count(f, in->pupils);
				fputs("</span></td>", f);
			} else {
				report_cohort_gap(in, out, g);
				fprintf(f, "<td class=\"g%s\">%s</td>", gap_shade(in, out),
				        g[0] ? g : "&ndash;");
			}
		}
		fputs("</tr>\n", f);
	}
	page_table_end(f);
}

static int write_cohorts(const trust_report *r, FILE *f)
{
	cohort_view v = trust_cohorts(r);

	page_section_begin(f, "cohorts", true, "cohorts-h", "Cohort gaps");
	fputs("<p class=\"note\">Each cohort&#39;s "
	      "attendance against every other headline pupil (gap = cohort minus others, in "
	      "percentage points; negative means the cohort attends less). Year to date, "
	      "membership as at the report date. Groups of fewer than 5 pupils show their "
	      "count only: a rate over so few pupils is not a fair guide.</p>\n",
	      f);
	if (cohort_chart(f, &v) < 0)
		return -ENOMEM;
	cohort_table(f, &v);
	write_cohort_matrix(r, f);
	page_section_end(f);
	return 0;
}

/* ---- weekly trend ---------------------------------------------------------------------------- */

/* The floor of a trend chart's scale: below the trust's lowest week and the national figure,
 * and with schools, below every school's lowest week and its phase's national figure too. */
static int trust_trend_floor(const trust_report *r, const report_national *nat, bool schools)
{
	double lo = trend_lowest(&r->trust, 100);
	for (size_t i = 0; schools && i < r->n_schools; i++) {
		const report_school *s = &r->schools[i];
		const report_benchmark *b = report_phase_absence(r, s);
		lo = trend_lowest(s, lo);
		if (b && 100.0 - b->tenths / 10.0 < lo)
			lo = 100.0 - b->tenths / 10.0;
	}
	if (nat->ok && report_rate(nat->num, nat->den) < lo)
		lo = report_rate(nat->num, nat->den);
	return trend_floor(lo);
}

static void sparkline_aria(void *user, FILE *f)
{
	const report_school *s = user;

	fputs("Weekly attendance of ", f);
	HTML_ESC(f, s->name);
	fprintf(f, ", %zu weeks", s->n_weeks);
}

/* A school's weekly attendance as a 240 x 40 sparkline on the common scale lo..100. */
static void sparkline(FILE *f, const report_school *s, int lo, const report_benchmark *b)
{
	chart_series series = trend_series(s);

	chart_sparkline(f, &series, lo, b != NULL, b ? 100.0 - b->tenths / 10.0 : 0, sparkline_aria,
	                (void *)s);
}

/* One row of the weekly trend table: the trust or a school. */
static void trend_row(const trust_report *r, FILE *f, const report_school *s, bool trust, int lo)
{
	char g[MEASURES_PCT_LEN];
	const measures_cohort_row *y = &s->all[MEASURES_YTD];
	const measures_cohort_row *l4 = &s->all[MEASURES_LAST4W];
	fprintf(f, "<tr%s><th scope=\"row\">", trust ? " class=\"trust\"" : "");
	if (trust)
		fputs("Trust (all schools)", f);
	else
		HTML_ESC(f, s->name);
	fputs("</th><td class=\"l\">", f);
	sparkline(f, s, lo, trust ? NULL : report_phase_absence(r, s));
	fputs("</td><td class=\"num\">", f);
	size_t lw = SIZE_MAX;
	for (size_t w = 0; w < s->n_weeks; w++)
		if (s->week_possible[w])
			lw = w;
	if (lw == SIZE_MAX) {
		fputs("&ndash;", f);
	} else {
		uint64_t p = s->week_possible[lw];
		html_pct(f, p > s->week_absence[lw] ? p - s->week_absence[lw] : 0, p);
		fputs("<span class=\"sub\">w/c ", f);
		html_date(f, s->week_start[lw], false, false);
		fputs("</span>", f);
	}
	fputs("</td><td>", f);
	html_pct(f, report_attended(l4), l4->possible);
	fputs("</td><td>", f);
	html_pct(f, report_attended(y), y->possible);
	fputs("</td><td class=\"num\">", f);
	int sign = report_gap_signed(report_attended(l4), l4->possible, report_attended(y),
	                             y->possible, g);
	if (!g[0])
		fputs("&ndash;", f);
	else
		fprintf(f, "<span class=\"%s\">%s %s pp</span>",
		        sign < 0   ? "worse"
		        : sign > 0 ? "better"
		                   : "muted",
		        sign < 0   ? "&#9660;"
		        : sign > 0 ? "&#9650;"
		                   : "=",
		        g);
	fputs("</td></tr>\n", f);
}

static void write_trend(const trust_report *r, FILE *f)
{
	const report_school *t = &r->trust;
	report_national nat = report_trust_national(r, "overall_absence", true, false);
	page_col cols[] = {
	        {.html = "School", .left = true}, {.left = true},
	        {.html = "Latest week"},          {.html = "Last 4 weeks"},
	        {.html = "Year to date"},         {.html = "Last 4 weeks vs year"},
	};
	char scale[128];

	page_section_begin(f, "trend", true, "trend-h", "Weekly trend");
	if (t->n_weeks == 0) {
		fputs("<p class=\"note\">No school weeks yet this year.</p>\n", f);
		page_section_end(f);
		return;
	}
	trend_chart(f, t, &nat, trust_trend_floor(r, &nat, false),
	            "Trust attendance by school week");
	int lo = trust_trend_floor(r, &nat, true);

	snprintf(scale, sizeof(scale),
	         "Weekly attendance, this year (scale %d&ndash;100%%; dashed: national for the "
	         "phase)",
	         lo);
	cols[1].html = scale;
	fputs("<h3>By school</h3>\n", f);
	page_table_begin(f, "trend-table", "Weekly attendance by school", cols,
	                 sizeof(cols) / sizeof(cols[0]));
	trend_row(r, f, t, true, lo);
	REPORT_FOR_RANKED(r, i)
	{
		trend_row(r, f, &r->schools[i], false, lo);
	}
	page_table_end(f);

	fputs("<h3>Trust attendance by week</h3>\n<ol class=\"weeks\">\n", f);
	for (size_t w = 0; w < t->n_weeks; w++) {
		uint64_t p = t->week_possible[w];
		fputs("<li><span>w/c ", f);
		html_date(f, t->week_start[w], false, false);
		fputs("</span> <b>", f);
		html_pct(f, p > t->week_absence[w] ? p - t->week_absence[w] : 0, p);
		fputs("</b></li>\n", f);
	}
	fputs("</ol>\n", f);
	page_section_end(f);
}

/* ---- notes ----------------------------------------------------------------------------------- */

/* Whether benchmark b is one this page uses: the latest of its key, for a phase of the trust
 * (or "all"). */
static bool bench_used(const trust_report *r, const report_benchmark *b)
{
	if (report_benchmark_find(r, b->phase, b->measure, b->cohort) != b)
		return false;
	if (strncmp(b->phase, "all", sizeof(b->phase)) == 0)
		return true;
	for (size_t i = 0; i < r->n_schools; i++)
		if (strncmp(b->phase, r->schools[i].phase, sizeof(b->phase)) == 0)
			return true;
	return false;
}

static void write_notes(const trust_report *r, FILE *f)
{
	page_section_begin(f, "notes", false, "notes-h", "Notes");
	fputs("<dl class=\"defs\">\n"
	      "<dt>Attendance</dt><dd>Sessions attended (present, late before the register "
	      "closed, or approved educational activity) as a share of possible sessions: 100% "
	      "minus absence. Figures sum sessions across pupils; they never average pupils&#39; "
	      "rates.</dd>\n"
	      "<dt>Absence</dt><dd>Authorised plus unauthorised absence as a share of possible "
	      "sessions. Sessions not counted (such as Y codes, dual registration, closures) "
	      "are not possible sessions.</dd>\n"
	      "<dt>Persistent / severe absence</dt><dd>Pupils who missed at least 10% / 50% of "
	      "their own possible sessions in the period, as a share of headline pupils.</dd>\n"
	      "<dt>Periods</dt><dd>Year to date from 1 August; this term from its first day; "
	      "last 4 weeks from the Monday of the 4th most recent school week. Each ends on the "
	      "report date.</dd>\n"
	      "<dt>Cohort gap</dt><dd>Cohort attendance minus the attendance of all other "
	      "headline pupils (same school, or same trust), in percentage points. Membership is "
	      "as at the report date.</dd>\n"
	      "<dt>Small groups</dt><dd>Where a cohort or its complement has fewer than 5 "
	      "pupils, the count is shown but not the rate or gap.</dd>\n"
	      "<dt>Rounding</dt><dd>Every figure is computed from exact session counts and "
	      "rounded once, to one decimal place, for display.</dd>\n"
	      "<dt>National figures</dt><dd>",
	      f);
	size_t shown = 0;
	for (size_t i = 0; i < r->n_benchmarks; i++) {
		const report_benchmark *b = &r->benchmarks[i];
		if (!bench_used(r, b))
			continue;
		/* One line per (source, year): skip pairs already listed. */
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++) {
			const report_benchmark *o = &r->benchmarks[j];
			seen = bench_used(r, o) &&
			       strncmp(o->source, b->source, sizeof(b->source)) == 0 &&
			       strncmp(o->year, b->year, sizeof(b->year)) == 0;
		}
		if (seen)
			continue;
		fputs(shown++ ? "; " : "", f);
		if (b->source[0])
			HTML_ESC(f, b->source);
		else
			fputs("national benchmark", f);
		fputs(" (", f);
		HTML_ESC(f, b->year);
		fputc(')', f);
	}
	if (!shown)
		fputs("none loaded", f);
	fputs(". Whole-school figures are for the school&#39;s phase; trust figures weight each "
	      "school&#39;s phase figure by its possible sessions (by pupils for PA and SA). The "
	      "trust updates them with <code>rollcall benchmark import</code>.</dd>\n</dl>\n"
	      "</section>\n<footer>Rollcall &middot; trust attendance as of ",
	      f);
	html_date(f, r->as_of, true, true);
	fputs(" &middot; this page holds no pupil-level data.</footer>\n", f);
}

/* The page top to bottom: what it covers, the headline, schools ranked, categories, cohort gaps,
 * the weekly trend, notes. Nothing is allocated; every write goes to f, whose error flag is
 * checked once at the end. r and f stay the caller's. */
int report_write_cohorts_html(const trust_report *r, FILE *f)
{
	write_head(r, f);
	write_header(r, f);
	write_glance(r, f);
	write_tiles(r, f);
	if (write_schools(r, f) < 0)
		return -ENOMEM;
	write_categories(r, f);
	if (write_cohorts(r, f) < 0)
		return -ENOMEM;
	write_trend(r, f);
	write_notes(r, f);
	page_end(f);
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
