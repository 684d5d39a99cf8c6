/* A school's Targeting Support Meeting pack, tsm/<urn>/<term>/pack.html: one self-contained
 * page (inline CSS and SVG, no script, no external resource) in the order of domain.md §8, for
 * the school and its LA attendance officer to take into the meeting and print on A4. Every
 * percentage in its text comes from exact counts (measures_pct_format / report_gap_signed). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "cohort_html.h"
#include "html.h"
#include "html_page.h"
#include "report_tsm.h"
#include "rollcall/date.h"
#include "rollcall/ncyear.h"
#include "trend_html.h"

/* What the pack adds to the shared stylesheet: compact pupil tables, status badges. */
static const char s_css[] =
        ".lede{font-size:1.05rem;margin:0 0 8px}\n"
        ".pd{border-left:4px solid #8a2a0e;background:#fbf0ec;padding:6px 12px;margin:10px 0;"
        "font-size:.85rem}\n"
        ".pupils table{font-size:.8rem;margin-bottom:6px}\n"
        ".pupils td,.pupils th{padding:3px 5px;vertical-align:middle}\n"
        ".pupils tbody th{min-width:9em}\n"
        "td.spark svg{display:block}\n"
        ".keep{break-inside:avoid}\n"
        ".badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:.75rem;"
        "font-weight:600;background:var(--soft)}\n"
        ".badge.open{background:#f6e7c1}.badge.done{background:#dcefe0}"
        ".badge.dropped{background:#eceff2;color:var(--muted)}\n"
        ".bd0{fill:#2a6aa5}.bd1{fill:#6a9fd0}.bd2{fill:#f0b26b}.bd3{fill:#e08a4a}"
        ".bd4{fill:#d9622b}.bd5{fill:#8a2a0e}\n"
        "@media print{.pupils table{font-size:7.5pt}.tiles{grid-template-columns:repeat(5,"
        "minmax(0,1fr));gap:6px}.tile{padding:6px 7px}.tile .v{font-size:1.5rem}"
        ".tile table{font-size:.74rem}}\n";

/* ---- small formats ------------------------------------------------------------------------- */

/* A signed change of a/b against c/d in pp, coloured by whether it is better: for attendance
 * higher is better (good_up), for absence lower. */
static void put_change(FILE *f, uint64_t a, uint64_t b, uint64_t c, uint64_t d, bool good_up)
{
	char g[MEASURES_PCT_LEN];
	int sign = report_gap_signed(a, b, c, d, g);

	if (!g[0]) {
		fputs("<span class=\"muted\">&ndash;</span>", f);
		return;
	}
	if (sign == 0) {
		fputs("<span class=\"muted\">level</span>", f);
		return;
	}
	fprintf(f, "<span class=\"%s\">%s %s pp</span>", (sign > 0) == good_up ? "better" : "worse",
	        sign > 0 ? "&#9650;" : "&#9660;", g);
}

/* A term by its name: "Autumn term 2025/26". */
static void put_term(FILE *f, const measures_term *t)
{
	html_term(f, t);
}

/* "7A" or "Year 7" or "R": a pupil's year and class. */
static void put_year(FILE *f, const tsm_report *r, const tsm_pupil *p)
{
	const char *nc = ncyear_name(p->nc_year);

	fputs(nc ? nc : "&ndash;", f);
	if (p->reg_group && p->reg_group <= r->n_classes) {
		fputs(" <span class=\"muted\">", f);
		HTML_ESC(f, r->classes[p->reg_group - 1].label);
		fputs("</span>", f);
	}
}

/* The national (or LA) figure of measure for the school's phase, "all" where the phase has
 * none. */
static const report_benchmark *phase_bench(const report_benchmark *v, size_t n, const char *phase,
                                           const char *measure)
{
	const report_benchmark *b = report_benchmark_lookup(v, n, phase, measure, "");

	return b ? b : report_benchmark_lookup(v, n, "all", measure, "");
}

/* The benchmark measure behind a headline measure, and whether it is an absence rate that
 * attendance is 100 minus. */
static const char *bench_measure(report_measure k, bool *attendance)
{
	static const char *const names[REPORT_MEASURES] = {"overall_absence", "authorised",
	                                                   "unauthorised", "pa", "severe_absence"};

	*attendance = k == REPORT_ATTENDANCE;
	return (unsigned)k < REPORT_MEASURES ? names[k] : "";
}

static const char *const s_measure_label[REPORT_MEASURES] = {
        "Attendance", "Authorised absence", "Unauthorised absence", "Persistent absence (10%+)",
        "Severe absence (50%+)"};

/* ---- head and header ----------------------------------------------------------------------- */

static void write_head(const tsm_report *r, FILE *f)
{
	page_head_begin(f);
	fputs("TSM pack &mdash; ", f);
	HTML_ESC(f, r->school.name);
	fputs(" &mdash; ", f);
	put_term(f, &r->term);
	page_head_end(f, s_css);
}

static void write_header(const tsm_report *r, FILE *f)
{
	const report_school *s = &r->school;
	char iso[11];

	fputs("<header>\n<p class=\"eyebrow\">Targeting Support Meeting pack &middot; URN ", f);
	fprintf(f, "%06" PRIu32, s->urn);
	if (s->la_name[0]) {
		fputs(" &middot; ", f);
		HTML_ESC(f, s->la_name);
	}
	fputs(" &middot; ", f);
	HTML_ESC(f, s->phase);
	fputs("</p>\n<h1>", f);
	HTML_ESC(f, s->name);
	fputs("</h1>\n<p class=\"lede\"><strong>", f);
	put_term(f, &r->term);
	fprintf(f, "</strong> &mdash; figures as of <time datetime=\"%s\">%s ",
	        date_format(r->as_of, iso), html_weekday(date_weekday(r->as_of)));
	html_date(f, r->as_of, true, true);
	fputs("</time></p>\n<dl class=\"periods\">\n<div><dt>Year to date</dt><dd>", f);
	html_range(f, r->period_first[MEASURES_YTD], r->as_of);
	fputs("</dd></div>\n<div><dt>This term</dt><dd>", f);
	html_range(f, r->period_first[MEASURES_TERM], r->as_of);
	fputs("</dd></div>\n<div><dt>Previous term</dt><dd>", f);
	if (r->has_prev) {
		put_term(f, &r->prev_term);
		fputs(", to ", f);
		html_date(f, r->prev_as_of, false, true);
	} else {
		fputs("no figures", f);
	}
	fputs("</dd></div>\n<div><dt>Same point last year</dt><dd>", f);
	if (r->has_last_year)
		html_date(f, r->ly_as_of, false, true);
	else
		fputs("no figures", f);
	fputs("</dd></div>\n<div><dt>Headline population</dt><dd>", f);
	html_count(f, s->all[MEASURES_YTD].pupils);
	fputs(" pupils</dd></div>\n</dl>\n", f);
	fprintf(f,
	        "<p class=\"pop\">Headline figures cover pupils of compulsory school age (aged 5 "
	        "to 15 on 31 August %d) with at least one possible session in the period; boarders "
	        "are excluded",
	        date_academic_year(r->as_of));
	if (s->outside_population) {
		fputs(". ", f);
		html_count(f, s->outside_population);
		fprintf(f,
		        " other enrolment%s on roll (nursery, Reception aged 4, sixth form, "
		        "boarders) %s counted apart",
		        s->outside_population == 1 ? "" : "s",
		        s->outside_population == 1 ? "is" : "are");
	}
	fputs(".</p>\n", f);
	if (s->unmarked) {
		fputs("<p class=\"dq\" id=\"data-quality\"><strong>Data quality:</strong> ", f);
		html_count(f, s->unmarked);
		fprintf(f,
		        " unmarked session%s this year (registers not taken; left out of every "
		        "figure).</p>\n",
		        s->unmarked == 1 ? "" : "s");
	} else {
		fputs("<p class=\"dq ok\" id=\"data-quality\"><strong>Data quality:</strong> every "
		      "register this year is taken.</p>\n",
		      f);
	}
	fputs("<p class=\"pd\"><strong>Personal data.</strong> This pack names pupils and their "
	      "attendance: it is for the school and its local authority&#39;s attendance officer, "
	      "for this meeting. Do not forward or leave it unattended.</p>\n",
	      f);
	page_nav(f,
	         (const page_link[]){{"#headline", "Headline"},
	                             {"#benchmarks", "Benchmarks"},
	                             {"#categories", "Categories and bands"},
	                             {"#cohorts", "Cohorts"},
	                             {"#pupils", "Pupils"},
	                             {"#patterns", "Reasons and patterns"},
	                             {"#actions", "Actions"},
	                             {"#notes", "Notes"}},
	         8);
	fputs("</header>\n", f);
}

/* ---- 1. headline ----------------------------------------------------------------------------- */

static void write_tiles(const tsm_report *r, FILE *f)
{
	const report_school *s = &r->school;

	fputs("<div class=\"tiles\">\n", f);
	for (int k = 0; k < REPORT_MEASURES; k++) {
		bool pupils = k == REPORT_PA || k == REPORT_SA, attendance;
		const char *measure = bench_measure((report_measure)k, &attendance);
		const report_benchmark *b =
		        phase_bench(r->national, r->n_national, s->phase, measure);
		uint64_t num, den;

		report_measure_figure((report_measure)k, &s->all[MEASURES_YTD], &num, &den);
		fprintf(f, "<div class=\"tile\">\n<h3>%s</h3>\n<div class=\"v\">",
		        s_measure_label[k]);
		html_pct(f, num, den);
		fputs("</div>\n", f);
		if (pupils) {
			fputs("<div class=\"n\">", f);
			html_count(f, num);
			fputs(num == 1 ? " pupil</div>\n" : " pupils</div>\n", f);
		}
		fputs("<div class=\"u\">year to date</div>\n<table>\n<tr><th scope=\"row\">This "
		      "term</th><td>",
		      f);
		report_measure_figure((report_measure)k, &s->all[MEASURES_TERM], &num, &den);
		html_pct(f, num, den);
		fputs("</td></tr>\n<tr><th scope=\"row\">Previous term</th><td>", f);
		report_measure_figure((report_measure)k, &r->prev_all, &num, &den);
		html_pct(f, num, r->has_prev ? den : 0);
		fputs("</td></tr>\n<tr><th scope=\"row\">Last year</th><td>", f);
		report_measure_figure((report_measure)k, &r->ly_all[0], &num, &den);
		html_pct(f, num, r->has_last_year ? den : 0);
		fputs("</td></tr>\n", f);
		if (b) {
			fputs("<tr class=\"nat\"><th scope=\"row\">National</th><td>", f);
			html_tenths(f, b->tenths, attendance);
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n</div>\n", f);
	}
	fputs("</div>\n", f);
}

/* The trends: year to date against the same point last year, this term against the previous
 * term (and last year's same term to the same point). */
static void write_trend_table(const tsm_report *r, FILE *f)
{
	static const page_col cols[] = {
	        {.html = "Measure", .left = true},
	        {.html = "Year to date"},
	        {.html = "Same point last year"},
	        {.html = "Change"},
	        {.html = "This term"},
	        {.html = "Previous term"},
	        {.html = "Change"},
	        {.html = "Same term last year"},
	};
	const report_school *s = &r->school;

	page_table_begin(f, "trend-table", "Headline figures and their trends", cols,
	                 sizeof(cols) / sizeof(cols[0]));
	for (int k = 0; k < REPORT_MEASURES; k++) {
		uint64_t yn, yd, ln, ld, tn, td, pn, pd, qn, qd;
		bool up = k == REPORT_ATTENDANCE;

		report_measure_figure((report_measure)k, &s->all[MEASURES_YTD], &yn, &yd);
		report_measure_figure((report_measure)k, &r->ly_all[0], &ln, &ld);
		report_measure_figure((report_measure)k, &s->all[MEASURES_TERM], &tn, &td);
		report_measure_figure((report_measure)k, &r->prev_all, &pn, &pd);
		report_measure_figure((report_measure)k, &r->ly_all[1], &qn, &qd);
		if (!r->has_last_year)
			ld = qd = 0;
		if (!r->has_prev)
			pd = 0;
		fprintf(f, "<tr><th scope=\"row\">%s</th><td><strong>", s_measure_label[k]);
		html_pct(f, yn, yd);
		fputs("</strong></td><td>", f);
		html_pct(f, ln, ld);
		fputs("</td><td class=\"num\">", f);
		put_change(f, yn, yd, ln, ld, up);
		fputs("</td><td><strong>", f);
		html_pct(f, tn, td);
		fputs("</strong></td><td>", f);
		html_pct(f, pn, pd);
		fputs("</td><td class=\"num\">", f);
		put_change(f, tn, td, pn, pd, up);
		fputs("</td><td>", f);
		html_pct(f, qn, qd);
		fputs("</td></tr>\n", f);
	}
	page_table_end(f);
}

/* The school's weekly trend against the national attendance for its phase. */
static void write_trend_chart(const tsm_report *r, FILE *f)
{
	const report_school *s = &r->school;
	const report_benchmark *b =
	        phase_bench(r->national, r->n_national, s->phase, "overall_absence");
	report_national nat = {0};
	double lo;

	if (!s->n_weeks) {
		fputs("<p class=\"note\">No school weeks yet this year.</p>\n", f);
		return;
	}
	if (b) {
		uint64_t t = b->tenths < 0 ? 0 : b->tenths > 1000 ? 1000 : (uint64_t)b->tenths;

		nat = (report_national){
		        .ok = true, .num = 1000 - t, .den = 1000, .phase = b->phase};
	}
	lo = trend_lowest(s, 100);
	if (nat.ok && report_rate(nat.num, nat.den) < lo)
		lo = report_rate(nat.num, nat.den);
	trend_chart(f, s, &nat, trend_floor(lo), "Attendance by school week, this year");
}

static void write_headline(const tsm_report *r, FILE *f)
{
	page_section_begin(f, "headline", false, "headline-h", "1. Headline");
	write_tiles(r, f);
	write_trend_chart(r, f);
	write_trend_table(r, f);
	fputs("<p class=\"note\">Change: percentage points against the figure beside it; "
	      "&#9650; up, &#9660; down, blue better and orange worse. The previous term is the "
	      "whole of it; the same point last year is last year&#39;s year to date up to the "
	      "same "
	      "date, and its term to that date.</p>\n",
	      f);
	page_section_end(f);
}

/* ---- 2. benchmarks --------------------------------------------------------------------------- */

static void bench_cells(FILE *f, const report_benchmark *b, bool attendance, uint64_t num,
                        uint64_t den, bool up)
{
	uint64_t t;

	if (!b) {
		fputs("<td class=\"muted\">&ndash;</td><td class=\"muted\">&ndash;</td>", f);
		return;
	}
	t = b->tenths < 0 ? 0 : b->tenths > 1000 ? 1000 : (uint64_t)b->tenths;
	fputs("<td>", f);
	html_tenths(f, b->tenths, attendance);
	fputs(" <span class=\"sub\">", f);
	HTML_ESC(f, b->phase);
	fputs(", ", f);
	HTML_ESC(f, b->year);
	fputs("</span></td><td class=\"num\">", f);
	put_change(f, num, den, attendance ? 1000 - t : t, 1000, up);
	fputs("</td>", f);
}

static void write_benchmarks(const tsm_report *r, FILE *f)
{
	static const page_col cols[] = {
	        {.html = "Measure", .left = true},
	        {.html = "School, year to date"},
	        {.html = "National"},
	        {.html = "School vs national"},
	        {.html = "Local authority"},
	        {.html = "School vs LA"},
	};
	const report_school *s = &r->school;

	page_section_begin(f, "benchmarks", false, "benchmarks-h", "2. Benchmarks");
	fputs("<p class=\"note\">National figures for state-funded ", f);
	HTML_ESC(f, s->phase);
	fputs(" schools (all schools where the phase has none)", f);
	if (r->n_la) {
		fputs(", and ", f);
		HTML_ESC(f, s->la_name);
		fputs("&#39;s own figures", f);
	} else {
		fputs("; no figures of the local authority are loaded", f);
	}
	fputs(".</p>\n", f);
	page_table_begin(f, "benchmark-table", "The school against the benchmarks", cols,
	                 sizeof(cols) / sizeof(cols[0]));
	for (int k = 0; k < REPORT_MEASURES; k++) {
		bool attendance;
		const char *measure = bench_measure((report_measure)k, &attendance);
		uint64_t num, den;

		report_measure_figure((report_measure)k, &s->all[MEASURES_YTD], &num, &den);
		fprintf(f, "<tr><th scope=\"row\">%s</th><td><strong>", s_measure_label[k]);
		html_pct(f, num, den);
		fputs("</strong></td>", f);
		bench_cells(f, phase_bench(r->national, r->n_national, s->phase, measure),
		            attendance, num, den, k == REPORT_ATTENDANCE);
		bench_cells(f, phase_bench(r->la, r->n_la, s->phase, measure), attendance, num, den,
		            k == REPORT_ATTENDANCE);
		fputs("</tr>\n", f);
	}
	page_table_end(f);
	page_section_end(f);
}

/* ---- 3. categories and bands ------------------------------------------------------------------
 */

typedef struct columns_ctx {
	const char *what;
	const uint32_t *counts;
	size_t n;
	const char *const *labels;
	uint64_t total;
} columns_ctx;

static void columns_desc(void *user, FILE *f)
{
	const columns_ctx *c = user;

	fprintf(f, "%s: ", c->what);
	for (size_t i = 0; i < c->n; i++) {
		fprintf(f, "%s%s ", i ? ", " : "", c->labels[i]);
		html_count(f, c->counts[i]);
		fputs(" (", f);
		html_pct(f, c->counts[i], c->total);
		fputc(')', f);
	}
	fputc('.', f);
}

/* Columns of counts as shares of total, each noted "n (p%)". */
static void count_columns(FILE *f, const char *id, const char *title, const char *what,
                          const uint32_t *counts, size_t n, const char *const *labels,
                          const char *const *classes, const char *caption)
{
	chart_column cols[MEASURES_BANDS];
	char notes[MEASURES_BANDS][48];
	uint64_t total = 0;
	double max = 0;
	svg_axis axis;
	columns_ctx cc = {what, counts, n, labels, 0};

	for (size_t i = 0; i < n; i++)
		total += counts[i];
	cc.total = total;
	for (size_t i = 0; i < n; i++) {
		char p[MEASURES_PCT_LEN];
		double v = report_rate(counts[i], total);

		if (counts[i])
			snprintf(notes[i], sizeof(notes[i]), "%u (%s%%)", counts[i],
			         measures_pct_format(counts[i], total, p));
		else
			snprintf(notes[i], sizeof(notes[i]), "0");
		cols[i] = (chart_column){v, classes[i], labels[i], notes[i]};
		if (v > max)
			max = v;
	}
	svg_axis_nice(&axis, 0, max > 0 ? max * 1.12 : 10, 5);
	chart_columns_draw(f, &(chart_columns){.id = id,
	                                       .title = title,
	                                       .n = n,
	                                       .cols = cols,
	                                       .axis = axis,
	                                       .unit = "%",
	                                       .user = &cc,
	                                       .desc = columns_desc,
	                                       .caption = caption});
}

static void write_category_chart(const tsm_report *r, FILE *f)
{
	static const char *const classes[] = {"c1", "c2", "c3", "c4", "c5"};
	const char *labels[MEASURES_CAT_COUNT - 1];
	uint32_t counts[MEASURES_CAT_COUNT - 1];

	for (int c = 1; c < MEASURES_CAT_COUNT; c++) {
		labels[c - 1] = report_category_label((measures_category)c);
		counts[c - 1] = r->school.categories[MEASURES_YTD][c];
	}
	count_columns(f, "cat", "Pupils by attendance category, year to date", "Pupils by category",
	              counts, MEASURES_CAT_COUNT - 1, labels, classes,
	              "Share of headline pupils in each category, year to date (count and "
	              "share over each bar).");
}

static void write_band_chart(const tsm_report *r, FILE *f)
{
	static const char *const classes[MEASURES_BANDS] = {
	        "bd0", "bd1", "bd2", "bd3", "bd3", "bd4", "bd4", "bd4", "bd4", "bd4", "bd5"};
	const char *labels[MEASURES_BANDS];

	for (int b = 0; b < MEASURES_BANDS; b++)
		labels[b] = measures_band_name(b);
	count_columns(f, "bands", "Pupils by 5% absence band, year to date", "Pupils by band",
	              r->bands[MEASURES_YTD], MEASURES_BANDS, labels, classes,
	              "DfE-style absence bands (absence % from each band&#39;s lower edge up to "
	              "its upper one), over headline pupils with at least 20 possible sessions.");
}

static void write_categories(const tsm_report *r, FILE *f)
{
	static const char *const sources[] = {"the defaults (nobody has set others)",
	                                      "set by the trust", "set by the local authority"};
	page_col cols[1 + MEASURES_PERIODS] = {{.html = "Category", .left = true}};
	int src = r->school.boundaries_source;

	page_section_begin(f, "categories", true, "categories-h",
	                   "3. Attendance categories and absence bands");
	fputs("<p class=\"note\" id=\"boundaries\">Boundaries in force for this school, ", f);
	fputs(src >= 0 && src <= 2 ? sources[src] : sources[0], f);
	fputs(": ", f);
	html_boundaries(f, r->school.category_bp);
	fputs(". The persistent and severe absence flags are the law&#39;s 10% and 50% whatever "
	      "the categories say.</p>\n",
	      f);
	write_category_chart(r, f);
	write_band_chart(r, f);

	for (int p = 0; p < MEASURES_PERIODS; p++)
		cols[1 + p] = (page_col){.html = report_period_label((measures_period)p)};
	page_table_begin(f, "category-table", "Pupils by attendance category", cols,
	                 1 + MEASURES_PERIODS);
	for (int c = MEASURES_CAT_EXPECTED; c < MEASURES_CAT_COUNT; c++) {
		fprintf(f,
		        "<tr><th scope=\"row\"><span aria-hidden=\"true\" class=\"sw "
		        "c%d\"></span>%s</th>",
		        c, report_category_label((measures_category)c));
		for (int p = 0; p < MEASURES_PERIODS; p++) {
			uint64_t total = 0;

			for (int k = MEASURES_CAT_EXPECTED; k < MEASURES_CAT_COUNT; k++)
				total += r->school.categories[p][k];
			fputs("<td class=\"num\">", f);
			html_count(f, r->school.categories[p][c]);
			fputs(" <span class=\"muted\">", f);
			html_pct(f, r->school.categories[p][c], total);
			fputs("</span></td>", f);
		}
		fputs("</tr>\n", f);
	}
	page_table_end(f);

	page_table_begin(f, "band-table",
	                 "Pupils by 5% absence band (20 or more possible sessions)", cols,
	                 1 + MEASURES_PERIODS);
	for (int b = 0; b < MEASURES_BANDS; b++) {
		fprintf(f, "<tr><th scope=\"row\">%s%%</th>", measures_band_name(b));
		for (int p = 0; p < MEASURES_PERIODS; p++) {
			fputs("<td class=\"num\">", f);
			html_count(f, r->bands[p][b]);
			fputs(" <span class=\"muted\">", f);
			html_pct(f, r->bands[p][b], r->banded[p]);
			fputs("</span></td>", f);
		}
		fputs("</tr>\n", f);
	}
	page_table_end(f);
	page_section_end(f);
}

/* ---- 4. cohorts ------------------------------------------------------------------------------ */

static int write_cohorts(const tsm_report *r, FILE *f)
{
	cohort_view v = {
	        .chart_id = "cg",
	        .chart_title = "Attendance gap of each cohort against all other pupils in the "
	                       "school, year to date, in percentage points",
	        .table_id = "cohort-table",
	        .table_caption = "Cohorts against all other pupils of the school",
	        .cohorts = r->cohorts,
	        .n = r->n_cohorts,
	        .benchmarks = r->national,
	        .n_benchmarks = r->n_national,
	};
	cohort_view classes = {
	        .table_id = "class-table",
	        .table_caption = "Classes against all other pupils of the school",
	        .cohorts = r->classes,
	        .n = r->n_classes,
	};

	for (int p = 0; p < MEASURES_PERIODS; p++) {
		v.in[p] = r->school.in[p];
		v.out[p] = r->school.out[p];
		classes.in[p] = r->class_in[p];
		classes.out[p] = r->class_out[p];
	}
	page_section_begin(f, "cohorts", true, "cohorts-h",
	                   "4. Cohorts, year groups, sex and class");
	fputs("<p class=\"note\">Each cohort&#39;s attendance against every other headline pupil "
	      "of the school (gap = cohort minus others, in percentage points; negative means the "
	      "cohort attends less). Membership as at the pack&#39;s date. Groups of fewer than 5 "
	      "pupils (or with fewer than 5 others) show their count only.</p>\n",
	      f);
	if (cohort_chart(f, &v) < 0)
		return -ENOMEM;
	cohort_table(f, &v);
	if (r->n_classes) {
		fputs("<h3>By class</h3>\n", f);
		cohort_table(f, &classes);
	} else {
		fputs("<p class=\"note\">The school&#39;s export sends no classes.</p>\n", f);
	}
	page_section_end(f);
	return 0;
}

/* ---- 5. pupils ------------------------------------------------------------------------------- */

/* The lists, in the order of domain.md §8 item 5. */
typedef enum tsm_list {
	LIST_SA,
	LIST_PA,
	LIST_AT_RISK,
	LIST_EPISODE,
	LIST_SICKNESS,
	LIST_PENALTY,
	LISTS
} tsm_list;

static const struct {
	unsigned flag;
	const char *id, *title, *none;
} s_lists[LISTS] = {
        {TSM_FLAG_SA, "list-sa", "Severely absent pupils (absence 50% or more this year)",
         "No pupil is severely absent."},
        {TSM_FLAG_PA, "list-pa",
         "Persistently absent pupils (absence 10% or more, not severely absent)",
         "No other pupil is persistently absent."},
        {TSM_FLAG_AT_RISK, "list-at-risk",
         "At risk and falling (at risk of persistent absence, the last 4 weeks well below the "
         "rest of the year)",
         "No pupil at risk of persistent absence is falling."},
        {TSM_FLAG_ATTENDANCE_RETURN, "list-episodes",
         "Open attendance-return episodes (10 school days or more of continuous unauthorised "
         "absence)",
         "No attendance-return episode is open."},
        {TSM_FLAG_SICKNESS_RETURN, "list-sickness",
         "Sickness-return pupils (15 school days of illness this year, reached or forecast)",
         "No pupil is on the sickness return this year."},
        {TSM_FLAG_PENALTY, "list-penalty",
         "Over the penalty notice threshold (10 unauthorised sessions in 10 school weeks)",
         "No pupil is at the penalty notice threshold."},
};

static bool in_list(const tsm_pupil *p, tsm_list l)
{
	if (!(p->flags & s_lists[l].flag))
		return false;
	return l != LIST_PA || !(p->flags & TSM_FLAG_SA);
}

/* Worst attendance this year first, then by UPN. */
static int cmp_worst(const void *a, const void *b)
{
	const tsm_pupil *x = *(const tsm_pupil *const *)a, *y = *(const tsm_pupil *const *)b;
	unsigned __int128 l =
	        (unsigned __int128)report_tsm_attended(x, MEASURES_YTD) * y->possible[MEASURES_YTD];
	unsigned __int128 r =
	        (unsigned __int128)report_tsm_attended(y, MEASURES_YTD) * x->possible[MEASURES_YTD];

	if (l != r)
		return l < r ? -1 : 1;
	return strcmp(x->upn, y->upn);
}

typedef struct spark_ctx {
	const tsm_pupil *p;
	size_t n_weeks;
} spark_ctx;

static void spark_aria(void *user, FILE *f)
{
	const spark_ctx *c = user;

	fputs("Weekly attendance of ", f);
	HTML_ESC(f, c->p->upn);
	fprintf(f, ", %zu weeks", c->n_weeks);
}

/* The last 4 weeks against the rest of the year, in pp with an arrow. */
static void put_drop(FILE *f, const tsm_pupil *p)
{
	char b[MEASURES_PCT_LEN];
	uint64_t mag;

	if (!p->has_drop) {
		fputs("<span class=\"muted\">&ndash;</span>", f);
		return;
	}
	mag = p->drop_num < 0 ? (uint64_t)-p->drop_num : (uint64_t)p->drop_num;
	/* drop_num / drop_den pp, rounded once: 100 num / (100 den). */
	measures_pct_format(mag, 100 * p->drop_den, b);
	if (!strcmp(b, "0.0"))
		fputs("<span class=\"muted\">level</span>", f);
	else if (p->drop_num > 0)
		fprintf(f, "<span class=\"worse\">&#9660; %s pp</span>", b);
	else
		fprintf(f, "<span class=\"better\">&#9650; %s pp</span>", b);
}

static void pupil_row(const tsm_report *r, FILE *f, const tsm_pupil *p, tsm_list l)
{
	chart_series s = {r->n_weeks, r->school.week_start,
	                  r->pupil_week_possible + p->week_row * r->n_weeks,
	                  r->pupil_week_absence + p->week_row * r->n_weeks};
	spark_ctx sc = {p, r->n_weeks};
	char d[11];

	fputs("<tr><td class=\"l\">", f);
	HTML_ESC(f, p->upn);
	fputs("</td><th scope=\"row\">", f);
	HTML_ESC(f, p->surname);
	fputs(", ", f);
	HTML_ESC(f, p->forename);
	fputs("</th><td class=\"l\">", f);
	put_year(f, r, p);
	fputs("</td><td><strong>", f);
	html_pct(f, report_tsm_attended(p, MEASURES_YTD), p->possible[MEASURES_YTD]);
	fputs("</strong></td><td>", f);
	html_pct(f, report_tsm_attended(p, MEASURES_TERM), p->possible[MEASURES_TERM]);
	fputs("</td><td>", f);
	html_pct(f, report_tsm_attended(p, MEASURES_LAST4W), p->possible[MEASURES_LAST4W]);
	fputs("</td><td>", f);
	html_pct(f, p->prev_possible > p->prev_absence ? p->prev_possible - p->prev_absence : 0,
	         p->prev_possible);
	fputs("</td><td class=\"num\">", f);
	put_drop(f, p);
	fputs("</td><td class=\"spark l\">", f);
	chart_sparkline_sized(f, &s, 0, false, 0, 110, 22, spark_aria, &sc);
	fputs("</td><td class=\"l\">", f);
	switch (l) {
	case LIST_EPISODE:
		fprintf(f, "since %s, ", date_format(p->episode_start, d));
		html_count(f, p->episode_sessions);
		fprintf(f, " sessions (20th on %s)", date_format(p->episode_qualified, d));
		break;
	case LIST_SICKNESS:
		fprintf(f, "%s, %s",
		        p->sick_status == MEASURES_SICK_REACHED ? "reached" : "forecast",
		        p->sick_reason == MEASURES_SICK_CONTINUOUS ? "continuous" : "cumulative");
		if (p->sick_reached != MEASURES_NO_DAY)
			fprintf(f, " on %s", date_format(p->sick_reached, d));
		fputs("; ", f);
		html_count(f, p->illness_ytd);
		fputs(" illness sessions this year", f);
		break;
	case LIST_PENALTY:
		html_count(f, p->penalty_sessions);
		fputs(" unauthorised sessions", f);
		break;
	default:
		fputs(measures_category_name(p->category)[0] ? report_category_label(p->category)
		                                             : "&ndash;",
		      f);
		break;
	}
	fputs("</td></tr>\n", f);
}

static void write_list(const tsm_report *r, FILE *f, tsm_list l, const tsm_pupil **order)
{
	static const char *const extra[LISTS] = {"Category", "Category",        "Category",
	                                         "Episode",  "Sickness return", "Window"};
	page_col cols[] = {
	        {.html = "UPN", .left = true},
	        {.html = "Pupil", .left = true},
	        {.html = "Year", .left = true},
	        {.html = "Year to date"},
	        {.html = "This term"},
	        {.html = "Last 4 weeks"},
	        {.html = "Last term"},
	        {.html = "Last 4 weeks vs rest of year"},
	        {.html = "Weekly, this year", .left = true},
	        {.html = extra[l], .left = true},
	};
	size_t n = 0;

	for (size_t i = 0; i < r->n_pupils; i++)
		if (in_list(order[i], l))
			n++;
	/* A short list is not split across printed pages. */
	fputs(n <= 12 ? "<div class=\"pupils keep\">\n" : "<div class=\"pupils\">\n", f);
	fprintf(f, "<h3>%s <span class=\"muted\">(%zu)</span></h3>\n", s_lists[l].title, n);
	if (!n) {
		fprintf(f, "<p class=\"note\">%s</p>\n</div>\n", s_lists[l].none);
		return;
	}
	page_table_begin(f, s_lists[l].id, "", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < r->n_pupils; i++)
		if (in_list(order[i], l))
			pupil_row(r, f, order[i], l);
	page_table_end(f);
	fputs("</div>\n", f);
}

static int write_pupils(const tsm_report *r, FILE *f)
{
	const tsm_pupil **order = calloc(r->n_pupils + 1, sizeof(*order));
	char a[11], b[11];

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_pupils; i++)
		order[i] = &r->pupils[i];
	qsort(order, r->n_pupils, sizeof(*order), cmp_worst);
	page_section_begin(f, "pupils", true, "pupils-h", "5. Pupils");
	fprintf(f,
	        "<p class=\"note\">Pupils on roll on the pack&#39;s date, lowest attendance this "
	        "year first. Attendance is sessions attended over possible sessions; the weekly "
	        "line runs from 0 to 100%%. The penalty window runs %s to %s. A pupil can be on "
	        "several lists.</p>\n",
	        r->penalty_first == MEASURES_NO_DAY ? "&ndash;" : date_format(r->penalty_first, a),
	        r->penalty_first == MEASURES_NO_DAY ? "&ndash;" : date_format(r->penalty_last, b));
	for (int l = 0; l < LISTS; l++)
		write_list(r, f, (tsm_list)l, order);
	page_section_end(f);
	free(order);
	return 0;
}

/* ---- 6. reasons, patterns, lateness ---------------------------------------------------------- */

static const struct {
	rc_bucket b;
	const char *label;
} s_buckets[] = {
        {RC_BUCKET_I, "Illness"},
        {RC_BUCKET_M, "Medical appointments"},
        {RC_BUCKET_R, "Religious observance"},
        {RC_BUCKET_S, "Study leave"},
        {RC_BUCKET_T, "Traveller absence"},
        {RC_BUCKET_E, "Suspended or excluded"},
        {RC_BUCKET_J1, "Interview"},
        {RC_BUCKET_C1, "Regulated performance or employment"},
        {RC_BUCKET_C2, "Part-time timetable"},
        {RC_BUCKET_C, "Other authorised"},
        {RC_BUCKET_G, "Holiday not agreed"},
        {RC_BUCKET_U, "Late after registers closed"},
        {RC_BUCKET_O, "Other unauthorised"},
        {RC_BUCKET_N, "Reason not yet established"},
};
#define N_BUCKETS (sizeof(s_buckets) / sizeof(s_buckets[0]))

static void write_reasons(const tsm_report *r, FILE *f)
{
	static const page_col cols[] = {
	        {.html = "Reason (DfE bucket)", .left = true},
	        {.html = "Code", .left = true},
	        {.html = "Sessions, year to date"},
	        {.html = "Share of absence"},
	        {.html = "Sessions, this term"},
	        {.html = "Share of absence"},
	};
	uint64_t total[2] = {r->school.all[MEASURES_YTD].absence,
	                     r->school.all[MEASURES_TERM].absence};
	uint64_t other[2];

	page_table_begin(f, "reason-table", "Absence by reason", cols,
	                 sizeof(cols) / sizeof(cols[0]));
	for (int p = 0; p < 2; p++) {
		other[p] = total[p];
		for (size_t i = 0; i < N_BUCKETS; i++)
			other[p] -= r->pattern[p].bucket[s_buckets[i].b] <= other[p]
			                    ? r->pattern[p].bucket[s_buckets[i].b]
			                    : other[p];
	}
	for (size_t i = 0; i < N_BUCKETS; i++) {
		fprintf(f, "<tr><th scope=\"row\">%s</th><td class=\"l\">%s</td>",
		        s_buckets[i].label, codes_bucket_name(s_buckets[i].b));
		for (int p = 0; p < 2; p++) {
			fputs("<td>", f);
			html_count(f, r->pattern[p].bucket[s_buckets[i].b]);
			fputs("</td><td>", f);
			html_pct(f, r->pattern[p].bucket[s_buckets[i].b], total[p]);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	if (other[0] || other[1]) {
		fputs("<tr><th scope=\"row\">Retired codes (before 19 August 2024)</th><td "
		      "class=\"l\">H, F</td>",
		      f);
		for (int p = 0; p < 2; p++) {
			fputs("<td>", f);
			html_count(f, other[p]);
			fputs("</td><td>", f);
			html_pct(f, other[p], total[p]);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	page_table_end(f);
}

static void heat_desc(void *user, FILE *f)
{
	const tsm_pattern *t = user;

	fputs("Absence by day of the week and session, year to date: ", f);
	for (int d = 0; d < 5; d++)
		for (int h = 0; h < 2; h++) {
			fprintf(f, "%s%s %s ", d || h ? ", " : "", html_weekday(d),
			        h ? "PM" : "AM");
			html_pct(f, t->dow_absence[d][h], t->dow_possible[d][h]);
		}
	fputc('.', f);
}

static void write_heat(const tsm_report *r, FILE *f)
{
	static const char *const rows[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"};
	static const char *const cols[] = {"Morning (AM)", "Afternoon (PM)"};
	const tsm_pattern *t = &r->pattern[0];

	chart_heat_draw(f, &(chart_heat){.id = "dow",
	                                 .title = "Absence by day of the week and session, year "
	                                          "to date",
	                                 .rows = 5,
	                                 .cols = 2,
	                                 .row_labels = rows,
	                                 .col_labels = cols,
	                                 .num = &t->dow_absence[0][0],
	                                 .den = &t->dow_possible[0][0],
	                                 .user = (void *)t,
	                                 .desc = heat_desc,
	                                 .caption = "Absence as a share of possible sessions; "
	                                            "darker cells are higher for this school."});
}

/* A school day of learning, for turning minutes late into days (6 hours 30 minutes: the
 * common length of a school day in England, since DfE's 32.5-hour week guidance). */
#define DAY_MINUTES 390

static void write_lateness(const tsm_report *r, FILE *f)
{
	static const page_col cols[] = {
	        {.html = "Period", .left = true},
	        {.html = "Late before registers closed (L)"},
	        {.html = "Late after registers closed (U)"},
	        {.html = "Minutes late"},
	        {.html = "School days of learning lost"},
	};

	fputs("<h3>Lateness</h3>\n", f);
	page_table_begin(f, "late-table", "Late arrivals and the learning they cost", cols,
	                 sizeof(cols) / sizeof(cols[0]));
	for (int p = 0; p < 2; p++) {
		const tsm_pattern *t = &r->pattern[p];
		char days[MEASURES_PCT_LEN];

		/* minutes / DAY_MINUTES to one decimal, through the exact formatter. */
		measures_pct_format(t->minutes_late, 100 * DAY_MINUTES, days);
		fprintf(f, "<tr><th scope=\"row\">%s</th><td>",
		        report_period_label((measures_period)p));
		html_count(f, t->late_l);
		fputs("</td><td>", f);
		html_count(f, t->late_u);
		fputs("</td><td>", f);
		html_count(f, t->minutes_late);
		fprintf(f, "</td><td>%s</td></tr>\n", days);
	}
	page_table_end(f);
	fputs("<p class=\"note\">Minutes late are summed over L and U marks; a school day is "
	      "taken as 6 hours 30 minutes (390 minutes) of learning. A U mark also counts as an "
	      "unauthorised absence.</p>\n",
	      f);
}

static void write_patterns(const tsm_report *r, FILE *f)
{
	page_section_begin(f, "patterns", true, "patterns-h",
	                   "6. Reasons, day-of-week and AM/PM patterns, lateness");
	write_reasons(r, f);
	fputs("<h3>When absence happens</h3>\n", f);
	write_heat(r, f);
	write_lateness(r, f);
	page_section_end(f);
}

/* ---- 7. actions ------------------------------------------------------------------------------ */

static void write_actions(const tsm_report *r, FILE *f)
{
	static const page_col cols[] = {
	        {.html = "Pupil", .left = true},  {.html = "Action", .left = true},
	        {.html = "Owner", .left = true},  {.html = "Due", .left = true},
	        {.html = "Status", .left = true}, {.html = "Note", .left = true},
	};
	char d[11];

	page_section_begin(f, "actions", false, "actions-h", "7. Actions agreed last term");
	fputs("<p class=\"note\">At the meeting for ", f);
	if (r->has_prev)
		put_term(f, &r->prev_term);
	else
		fputs("the previous term", f);
	fputs(" (<code>", f);
	HTML_ESC(f, r->prev_label);
	fputs("</code>), with their status as last recorded.</p>\n", f);
	if (!r->n_actions) {
		fputs("<p class=\"note\">No actions are recorded for the previous term&#39;s "
		      "meeting. Record this meeting&#39;s with <code>rollcall tsm actions "
		      "import</code>.</p>\n",
		      f);
		page_section_end(f);
		return;
	}
	page_table_begin(f, "action-table",
	                 "Actions agreed at the previous meeting and their status", cols,
	                 sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < r->n_actions; i++) {
		const tsm_action *a = &r->actions[i];

		fputs("<tr><th scope=\"row\">", f);
		if (!a->upn[0]) {
			fputs("Whole school", f);
		} else {
			HTML_ESC(f, a->pupil);
			fputs("<span class=\"sub\">", f);
			HTML_ESC(f, a->upn);
			fputs("</span>", f);
		}
		fputs("</th><td class=\"l\">", f);
		HTML_ESC(f, a->action);
		fputs("</td><td class=\"l\">", f);
		HTML_ESC(f, a->owner);
		fputs("</td><td class=\"l\">", f);
		fputs(a->due == MEASURES_NO_DAY ? "&ndash;" : date_format(a->due, d), f);
		fputs("</td><td class=\"l\"><span class=\"badge ", f);
		HTML_ESC(f, a->status);
		fputs("\">", f);
		HTML_ESC(f, a->status);
		fputs("</span></td><td class=\"l\">", f);
		HTML_ESC(f, a->note);
		fputs("</td></tr>\n", f);
	}
	page_table_end(f);
	page_section_end(f);
}

/* ---- notes ----------------------------------------------------------------------------------- */

static void write_notes(const tsm_report *r, FILE *f)
{
	char pp[MEASURES_PCT_LEN];

	page_section_begin(f, "notes", false, "notes-h", "Notes");
	fputs("<dl class=\"defs\">\n<dt>Attendance</dt><dd>Sessions attended (present, late "
	      "before the register closed, or approved educational activity) as a share of "
	      "possible sessions. Figures sum sessions across pupils; they never average "
	      "pupils&#39; rates.</dd>\n<dt>Categories</dt><dd>By each pupil&#39;s own absence "
	      "rate over the period, under the boundaries in force: ",
	      f);
	html_boundaries(f, r->school.category_bp);
	fputs(".</dd>\n<dt>5% bands</dt><dd>"
	      "Each band holds absence from its lower edge up to, not including, its upper one "
	      "(50+: 50% or more), over pupils with at least 20 possible sessions in the "
	      "period.</dd>\n<dt>At risk and falling</dt><dd>At risk of persistent absence this "
	      "year and attendance over the last 4 school weeks at least ",
	      f);
	fputs(measures_pct_format(r->falling_bp, 10000, pp), f);
	fputs(" percentage points below attendance over the rest of the year.</dd>\n"
	      "<dt>Attendance-return episodes</dt><dd>A run of 20 or more consecutive possible "
	      "sessions coded G, N, O or U (sessions not counted neither extend nor break it), "
	      "still going on the pack&#39;s date.</dd>\n<dt>Sickness return</dt><dd>30 "
	      "illness (I) sessions this year, in one run or in all (reached), or on the way "
	      "there this month (forecast).</dd>\n<dt>Penalty notice threshold</dt><dd>10 or "
	      "more unauthorised sessions (G, N, O, U) in the 10 most recent school weeks; pupils "
	      "of compulsory school age.</dd>\n<dt>Small groups</dt><dd>Where a cohort or class, "
	      "or its complement, has fewer than 5 pupils, the count is shown but not the rate or "
	      "gap.</dd>\n<dt>Rounding</dt><dd>Every figure is computed from exact session "
	      "counts and rounded once, to one decimal place, for display.</dd>\n</dl>\n",
	      f);
	page_section_end(f);
	fputs("<footer>Rollcall &middot; TSM pack for ", f);
	HTML_ESC(f, r->school.name);
	fputs(", ", f);
	put_term(f, &r->term);
	fputs(", as of ", f);
	html_date(f, r->as_of, true, true);
	fputs(" &middot; contains pupil-level personal data.</footer>\n", f);
}

int report_write_tsm_html(const tsm_report *r, FILE *f)
{
	write_head(r, f);
	write_header(r, f);
	write_headline(r, f);
	write_benchmarks(r, f);
	write_categories(r, f);
	if (write_cohorts(r, f) < 0 || write_pupils(r, f) < 0)
		return -ENOMEM;
	write_patterns(r, f);
	write_actions(r, f);
	write_notes(r, f);
	page_end(f);
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
