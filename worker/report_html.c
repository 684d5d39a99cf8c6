/* The trust attendance lead's morning page, trust/<as-of>/index.html: one self-contained HTML file
 * (inline CSS and SVG, no script, no external resource) rendered from a trust_report. Every
 * percentage in its text comes from exact counts through measures_pct_format / _gap_format. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "rollcall/date.h"
#include "rollcall/measures.h"

/* Fewer pupils than this in a cohort (or in its complement): counts shown, rates flagged. */
#define SMALL_GROUP 5

/* Width of every chart's viewBox: about the printable width of A4 in CSS pixels, so that the
 * charts' 11-12 unit text prints at 8-9 pt. */
#define CHART_W 800.0

static const char *const period_label[MEASURES_PERIODS] = {"Year to date", "This term",
                                                           "Last 4 weeks"};

static const char *const category_label[MEASURES_CAT_COUNT] = {
        "", "Expected", "At risk of PA", "Persistent absence", "At risk of SA", "Severe absence",
};

static const char *const month_long[12] = {"January",   "February", "March",    "April",
                                           "May",       "June",     "July",     "August",
                                           "September", "October",  "November", "December"};
static const char *const month_short[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const weekday_long[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                            "Friday", "Saturday", "Sunday"};

static const char STYLE[] =
        ":root{--ink:#1c2127;--muted:#59626e;--rule:#d6dbe1;--soft:#f3f5f7;--worse:#b8501a;"
        "--worse-bar:#e08a4a;--better:#24609c;--better-bar:#6a9fd0;--warn:#f6e7c1}\n"
        "*{box-sizing:border-box}\n"
        "html{font-size:15px}\n"
        "body{margin:0 auto;max-width:1100px;padding:28px 32px 48px;color:var(--ink);"
        "background:#fff;line-height:1.45;font-family:system-ui,-apple-system,\"Segoe UI\","
        "Roboto,\"Helvetica Neue\",Arial,sans-serif;font-variant-numeric:tabular-nums}\n"
        "h1{font-size:1.75rem;line-height:1.2;margin:0 0 10px;font-weight:700}\n"
        "h2{font-size:1.3rem;margin:36px 0 6px;padding-bottom:4px;border-bottom:2px solid "
        "var(--ink)}\n"
        "h3{font-size:1.02rem;margin:22px 0 6px}\n"
        "p{margin:6px 0}\n"
        ".eyebrow{margin:0 0 2px;color:var(--muted);font-size:.8rem;text-transform:uppercase;"
        "letter-spacing:.06em}\n"
        ".periods{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0 0 10px;font-size:.9rem}\n"
        ".periods dt{color:var(--muted);font-size:.78rem;text-transform:uppercase;"
        "letter-spacing:.04em}\n"
        ".periods dd{margin:0;font-weight:600}\n"
        ".pop,.note{color:var(--muted);font-size:.86rem;max-width:72em}\n"
        ".dq{border-left:4px solid #c98a00;background:#fdf6e3;padding:8px 12px;margin:10px 0;"
        "font-size:.9rem}\n"
        ".dq.ok{border-left-color:#4a8a5c;background:#eef6f0}\n"
        ".dq strong{font-weight:700}\n"
        "nav.toc{font-size:.85rem;margin:10px 0 0;color:var(--muted)}\n"
        "nav.toc a{color:var(--better);margin-right:14px}\n"
        ".glance-h{border:0;margin:18px 0 0;font-size:1rem}\n"
        ".glance{margin:14px 0 4px;padding:10px 16px 10px 30px;background:var(--soft);"
        "border-radius:4px}\n"
        ".glance li{margin:3px 0}\n"
        ".tiles{display:grid;grid-template-columns:repeat(5,minmax(0,1fr));gap:10px;"
        "margin:14px 0 0}\n"
        ".tile{border:1px solid var(--rule);border-top:4px solid var(--ink);border-radius:3px;"
        "padding:8px 10px 8px}\n"
        ".tile h3{margin:0;font-size:.76rem;font-weight:600;text-transform:uppercase;"
        "letter-spacing:.04em;color:var(--muted)}\n"
        ".tile .v{font-size:1.85rem;font-weight:700;line-height:1.15;margin-top:2px}\n"
        ".tile .n{font-size:.85rem;font-weight:600}\n"
        ".tile .u{font-size:.75rem;color:var(--muted)}\n"
        ".tile table{width:100%;margin-top:6px;font-size:.8rem}\n"
        ".tile th,.tile td{padding:1px 0;border:0;background:none;font-weight:400}\n"
        ".tile td{white-space:nowrap;padding-left:6px}\n.tile th{min-width:0}\n"
        ".tile th{text-align:left;color:var(--muted)}\n"
        ".tile tr.nat td,.tile tr.nat th{border-top:1px dotted var(--rule);padding-top:3px}\n"
        "table{border-collapse:collapse;width:100%;font-size:.86rem}\n"
        "caption{text-align:left;font-weight:600;padding:0 0 4px}\n"
        "th,td{padding:4px 6px;border-bottom:1px solid var(--rule);text-align:right;"
        "vertical-align:top}\n"
        "thead th{background:var(--soft);font-weight:600;vertical-align:bottom;"
        "border-bottom:1px solid #aab2bc;font-size:.8rem}\n"
        "th.l,td.l{text-align:left}\n"
        "tbody th{font-weight:400;text-align:left;min-width:13em}\n"
        "tr.grp th{background:var(--soft);font-weight:700;font-size:.8rem}\n"
        "tr.trust th,tr.trust td{font-weight:700;background:#fafbfc;border-bottom:2px solid "
        "#aab2bc}\n"
        ".sub{display:block;color:var(--muted);font-size:.76rem;font-weight:400}\n"
        ".worse{color:var(--worse)}\n.better{color:var(--better)}\n"
        ".muted{color:var(--muted)}\n"
        ".small{color:var(--muted);font-style:italic;font-size:.8rem}\n"
        ".chase{background:var(--warn)}\n"
        ".num{white-space:nowrap}\n"
        "figure{margin:10px 0 16px}\n"
        "figure svg{display:block;width:100%;max-width:880px;height:auto}\n"
        "figcaption{font-size:.8rem;color:var(--muted);margin-top:4px}\n"
        "svg text{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\","
        "Arial,sans-serif;fill:var(--ink)}\n"
        "svg .ax{fill:var(--muted);font-size:10.5px}\n"
        "svg .grid{stroke:#e3e7eb;stroke-width:1}\n"
        "svg .zero{stroke:#6b7480;stroke-width:1}\n"
        "svg .b-worse{fill:var(--worse-bar)}\nsvg .b-better{fill:var(--better-bar)}\n"
        "svg .b-none{fill:#b7bec7}\n"
        "svg .nat{stroke:#111;stroke-width:2.5}\n"
        "svg .natd{fill:#111}\n"
        "svg .t-worse{fill:var(--worse)}\nsvg .t-better{fill:var(--better)}\n"
        "svg .t-muted{fill:var(--muted)}\n"
        "svg .line{fill:none;stroke:var(--better);stroke-width:2.2;stroke-linejoin:round}\n"
        "svg .natline{stroke:#111;stroke-width:1.3;stroke-dasharray:5 4}\n"
        "svg .hol{stroke:#c5ccd4;stroke-width:1;stroke-dasharray:2 3}\n"
        "svg .pt{fill:var(--better)}\n"
        ".c1{fill:#2a6aa5}.c2{fill:#9cc3e4}.c3{fill:#f0b26b}.c4{fill:#d9622b}.c5{fill:#8a2a0e}\n"
        ".sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin:0 4px 0 12px;"
        "vertical-align:-1px}\n"
        ".sw.c1{background:#2a6aa5}.sw.c2{background:#9cc3e4}.sw.c3{background:#f0b26b}"
        ".sw.c4{background:#d9622b}.sw.c5{background:#8a2a0e}\n"
        ".sw.worse{background:var(--worse-bar)}.sw.better{background:var(--better-bar)}"
        ".sw.none{background:#b7bec7}\n"
        ".sw.mark{background:#111;width:3px;height:13px;border-radius:0}\n"
        ".sw.diamond{background:#111;width:8px;height:8px;transform:rotate(45deg);"
        "border-radius:0}\n"
        ".legend{font-size:.8rem;color:var(--muted);margin:2px 0 6px}\n"
        ".legend .sw:first-child{margin-left:0}\n"
        "td.g{white-space:nowrap}\n"
        "#trend-table td,#trend-table th{vertical-align:middle}\n"
        "#school-table tbody th{min-width:15em}\n"
        "td.g-n3{background:#f3c7a8}td.g-n2{background:#f8dcc8}td.g-n1{background:#fcefe5}\n"
        "td.g-p1{background:#e9f1f9}td.g-p2{background:#d2e3f3}td.g-p3{background:#b5d0ea}\n"
        "ol.weeks{list-style:none;padding:0;margin:6px 0;display:grid;"
        "grid-template-columns:repeat(6,minmax(0,1fr));gap:2px 12px;font-size:.8rem}\n"
        "ol.weeks li{display:flex;justify-content:space-between;border-bottom:1px dotted "
        "var(--rule)}\n"
        "ol.weeks span{color:var(--muted)}\n"
        "dl.defs{font-size:.82rem;display:grid;grid-template-columns:max-content 1fr;"
        "gap:3px 14px}\n"
        "dl.defs dt{font-weight:600}\ndl.defs dd{margin:0;color:var(--muted)}\n"
        "footer{margin-top:28px;font-size:.78rem;color:var(--muted);border-top:1px solid "
        "var(--rule);padding-top:8px}\n"
        "@page{size:A4;margin:12mm 11mm 14mm}\n"
        "@media print{html{font-size:9.5pt}body{max-width:none;padding:0}"
        "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
        "nav.toc{display:none}section.page{break-before:page}"
        ".tiles{grid-template-columns:repeat(3,minmax(0,1fr))}#notes{break-inside:avoid}"
        "h2,h3{break-after:avoid}figure,tr,.tile,.dq,li{break-inside:avoid}"
        "thead{display:table-header-group}figure svg{max-width:100%}"
        "a{color:inherit;text-decoration:none}.glance{background:none;border:1px solid "
        "var(--rule)}}\n"
        "@media screen and (max-width:760px){.tiles{grid-template-columns:repeat(2,minmax(0,1fr))}"
        "body{padding:16px}ol.weeks{grid-template-columns:repeat(3,minmax(0,1fr))}}\n";

/* ---- text ------------------------------------------------------------------------------------ */

/* Writes at most n bytes of s (up to its NUL) as HTML text or attribute content. Control
 * characters become spaces. */
static void esc_n(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
		}
	}
}

/* A fixed-size char array field of the report (it may fill its array without a NUL). Refuses
 * to compile for a pointer, whose sizeof would silently cut the text. */
#define MUST_BE_ARRAY(a)                                                                           \
	(sizeof(char[1 - 2 * __builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0]))]) - 1)
#define ESC(f, field) esc_n((f), (field), sizeof(field) + MUST_BE_ARRAY(field))

/* Like ESC, cut to max_chars characters (UTF-8 aware) with an ellipsis: for chart labels. */
static void esc_cut(FILE *f, const char *s, size_t n, size_t max_chars)
{
	size_t len = strnlen(s, n), chars = 0, cut = len;
	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (chars == max_chars - 1 && cut == len) {
			size_t rest = 0; /* characters from here on */
			for (size_t j = i; j < len; j++)
				rest += ((unsigned char)s[j] & 0xc0) != 0x80;
			if (rest > 1)
				cut = i;
		}
		chars++;
	}
	esc_n(f, s, cut);
	if (cut < len)
		fputs("&hellip;", f);
}

/* "12,345". */
static void put_count(FILE *f, uint64_t n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%" PRIu64, n);
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			fputc(',', f);
		fputc(buf[i], f);
	}
}

/* "12.3%" for 100 num / den, or an en dash when den is 0. */
static void put_pct(FILE *f, uint64_t num, uint64_t den)
{
	char b[MEASURES_PCT_LEN];
	if (den == 0) {
		fputs("&ndash;", f);
		return;
	}
	fprintf(f, "%s%%", measures_pct_format(num, den, b));
}

/* A benchmark's value as a percentage ("8.9%"); attendance: 100 minus it. */
static void put_tenths(FILE *f, int tenths, bool attendance)
{
	uint64_t t = tenths < 0 ? 0 : tenths > 1000 ? 1000 : (uint64_t)tenths;
	put_pct(f, attendance ? 1000 - t : t, 1000);
}

static uint64_t attended(const measures_cohort_row *w)
{
	return w->possible > w->absence ? w->possible - w->absence : 0;
}

/* The sign of a formatted gap: -1, 0 ("0.0") or 1. */
static int gap_sign(const char *g)
{
	if (g[0] == '-')
		return -1;
	return strcmp(g, "0.0") == 0 ? 0 : 1;
}

/* Gap a/b - c/d in pp with an explicit sign ("+1.2", "-3.4", "0.0") into out; "" when b or d
 * is 0. Returns its sign. */
static int gap_signed(uint64_t a, uint64_t b, uint64_t c, uint64_t d, char out[MEASURES_PCT_LEN])
{
	char g[MEASURES_PCT_LEN];
	measures_gap_format(a, b, c, d, g);
	if (g[0] == '\0') {
		out[0] = '\0';
		return 0;
	}
	int sign = gap_sign(g);
	size_t k = 0, len = strnlen(g, MEASURES_PCT_LEN - 2);
	if (sign > 0)
		out[k++] = '+';
	memcpy(out + k, g, len);
	out[k + len] = '\0';
	return sign;
}

/* Cohort attendance gap in pp (cohort minus everyone else), signed as above. */
static int cohort_gap(const measures_cohort_row *in, const measures_cohort_row *out,
                      char buf[MEASURES_PCT_LEN])
{
	return gap_signed(attended(in), in->possible, attended(out), out->possible, buf);
}

/* A coordinate or length with one decimal, independent of the locale. */
static void put_num(FILE *f, double x)
{
	long long t = (long long)(x * 10.0 + (x < 0 ? -0.5 : 0.5));
	if (t < 0) {
		fputc('-', f);
		t = -t;
	}
	if (t % 10)
		fprintf(f, "%lld.%lld", t / 10, t % 10);
	else
		fprintf(f, "%lld", t / 10);
}

static double rate(uint64_t num, uint64_t den)
{
	return den ? 100.0 * (double)num / (double)den : 0.0;
}

/* ---- dates ----------------------------------------------------------------------------------- */

/* "12 March 2025" (long) or "12 Mar 2025"; without the year when with_year is false. */
static void put_date(FILE *f, int32_t day, bool long_month, bool with_year)
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	fprintf(f, "%d %s", d, long_month ? month_long[m - 1] : month_short[m - 1]);
	if (with_year)
		fprintf(f, " %d", y);
}

/* "6 Jan &ndash; 12 Mar 2025" (the first year only when it differs). */
static void put_range(FILE *f, int32_t first, int32_t last)
{
	int y1, y2, m, d;
	date_to_ymd(first, &y1, &m, &d);
	date_to_ymd(last, &y2, &m, &d);
	put_date(f, first, false, y1 != y2);
	fputs(" &ndash; ", f);
	put_date(f, last, false, true);
}

/* ---- figures --------------------------------------------------------------------------------- */

/* The cohorts to show: never more than the arrays hold. */
static size_t n_cohorts(const trust_report *r)
{
	return r->n_cohorts < REPORT_MAX_COHORTS ? r->n_cohorts : REPORT_MAX_COHORTS;
}

/* A national comparison: the figure is num / den (for measures_pct_format). */
typedef struct national {
	bool ok;
	uint64_t num, den;
	const char *phase; /* the single phase compared with, "all", or NULL for a phase mix */
} national;

/* The national figure of measure for the trust's schools: each school's phase benchmark
 * weighted by its possible sessions (by_pupils: its pupils) in the ytd headline population;
 * when a school with pupils has no figure for its phase, the "all" benchmark instead.
 * attendance turns an absence measure into 100 minus it. */
static national trust_national(const trust_report *r, const char *measure, bool attendance,
                               bool by_pupils)
{
	national nat = {0};
	uint64_t num = 0, den = 0;
	const char *single = NULL;
	bool mixed = false, missing = false;

	for (size_t i = 0; i < r->n_schools; i++) {
		const report_school *s = &r->schools[i];
		uint64_t w =
		        by_pupils ? s->all[MEASURES_YTD].pupils : s->all[MEASURES_YTD].possible;
		if (w == 0)
			continue;
		const report_benchmark *b = report_benchmark_find(r, s->phase, measure, "");
		if (!b) {
			missing = true;
			break;
		}
		uint64_t t = b->tenths < 0 ? 0 : b->tenths > 1000 ? 1000 : (uint64_t)b->tenths;
		num += w * (attendance ? 1000 - t : t);
		den += w * 1000;
		if (!single)
			single = b->phase;
		else if (strncmp(single, b->phase, sizeof(b->phase)) != 0)
			mixed = true;
	}
	if (!missing && den > 0) {
		nat.ok = true;
		nat.num = num;
		nat.den = den;
		nat.phase = mixed ? NULL : single;
		return nat;
	}
	const report_benchmark *all = report_benchmark_find(r, "all", measure, "");
	if (all) {
		uint64_t t = all->tenths < 0      ? 0
		             : all->tenths > 1000 ? 1000
		                                  : (uint64_t)all->tenths;
		nat.ok = true;
		nat.num = attendance ? 1000 - t : t;
		nat.den = 1000;
		nat.phase = "all";
	}
	return nat;
}

/* What a national figure is for: "all state-funded schools", "secondary schools", "weighted to
 * the trust's phase mix". */
static void put_national_label(FILE *f, const national *nat)
{
	if (!nat->phase) {
		fputs("weighted to the trust&#39;s phase mix", f);
	} else if (strcmp(nat->phase, "all") == 0) {
		fputs("all state-funded schools", f);
	} else {
		esc_n(f, nat->phase, 16);
		fputs(" schools", f);
	}
}

/* Whether school i ranks before school j: highest ytd absence rate first, schools without
 * sessions last, ties by URN then position. A strict total order. */
static bool school_before(const trust_report *r, size_t i, size_t j)
{
	const measures_cohort_row *a = &r->schools[i].all[MEASURES_YTD];
	const measures_cohort_row *b = &r->schools[j].all[MEASURES_YTD];
	if ((a->possible == 0) != (b->possible == 0))
		return b->possible == 0;
	unsigned __int128 x = (unsigned __int128)a->absence * b->possible;
	unsigned __int128 y = (unsigned __int128)b->absence * a->possible;
	if (x != y)
		return x > y;
	if (r->schools[i].urn != r->schools[j].urn)
		return r->schools[i].urn < r->schools[j].urn;
	return i < j;
}

/* The school ranked after prev (SIZE_MAX: the first one), or SIZE_MAX after the last. Quadratic
 * over a trust's schools, and needs no memory. */
static size_t rank_next(const trust_report *r, size_t prev)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < r->n_schools; i++) {
		if (prev != SIZE_MAX && (i == prev || !school_before(r, prev, i)))
			continue;
		if (best == SIZE_MAX || school_before(r, i, best))
			best = i;
	}
	return best;
}

#define FOR_RANKED(r, i)                                                                           \
	for (size_t i = rank_next((r), SIZE_MAX); i != SIZE_MAX; i = rank_next((r), i))

static const report_benchmark *phase_absence(const trust_report *r, const report_school *s)
{
	return report_benchmark_find(r, s->phase, "overall_absence", "");
}

/* ---- page head and header -------------------------------------------------------------------- */

static void write_head(const trust_report *r, FILE *f)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n", f);
	/* Nothing may load from anywhere: the policy makes the browser refuse it even if a
	 * future change slips in a reference. */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n",
	      f);
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", f);
	fputs("<meta name=\"generator\" content=\"Rollcall\">\n", f);
	fputs("<title>Trust attendance &mdash; as of ", f);
	put_date(f, r->as_of, true, true);
	fputs("</title>\n", f);
	fprintf(f, "<style>\n%s</style>\n</head>\n<body>\n", STYLE);
}

static void term_label(FILE *f, const measures_term *t)
{
	static const char *const names[] = {"Autumn", "Spring", "Summer"};
	unsigned n = (unsigned)t->name;
	fprintf(f, "%s term %d/%02d", n < 3 ? names[n] : "", t->year, (t->year + 1) % 100);
}

static void write_header(const trust_report *r, FILE *f)
{
	char iso[11];
	const measures_cohort_row *ytd = &r->trust.all[MEASURES_YTD];
	int ay = date_academic_year(r->as_of);

	fputs("<header>\n<p class=\"eyebrow\">Attendance &middot; trust overview</p>\n", f);
	fprintf(f, "<h1>Trust attendance &mdash; as of <time datetime=\"%s\">%s ",
	        date_format(r->as_of, iso), weekday_long[date_weekday(r->as_of)]);
	put_date(f, r->as_of, true, true);
	fputs("</time></h1>\n<dl class=\"periods\">\n", f);

	fputs("<div><dt>Year to date</dt><dd>", f);
	put_range(f, r->period_first[MEASURES_YTD], r->as_of);
	fputs("</dd></div>\n<div><dt>This term</dt><dd>", f);
	term_label(f, &r->term);
	fputs(": ", f);
	put_range(f, r->period_first[MEASURES_TERM], r->as_of);
	fputs("</dd></div>\n<div><dt>Last 4 school weeks</dt><dd>", f);
	if (r->period_first[MEASURES_LAST4W] == MEASURES_NO_DAY)
		fputs("no school weeks yet", f);
	else
		put_range(f, r->period_first[MEASURES_LAST4W], r->as_of);
	fputs("</dd></div>\n<div><dt>Headline population</dt><dd>", f);
	put_count(f, ytd->pupils);
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
		put_count(f, outside);
		fprintf(f,
		        " other enrolment%s (nursery, Reception aged 4, sixth form, boarders) %s "
		        "counted apart and not in any figure here: ",
		        outside == 1 ? "" : "s", outside == 1 ? "is" : "are");
		size_t k = 0;
		FOR_RANKED(r, i)
		{
			const report_school *s = &r->schools[i];
			if (s->outside_population == 0)
				continue;
			ESC(f, s->name);
			fputc(' ', f);
			put_count(f, s->outside_population);
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
		put_count(f, unmarked);
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
				ESC(f, r->schools[i].name);
				fputs("</strong> ", f);
				put_count(f, top);
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
		if (in->pupils < SMALL_GROUP || out->pupils < SMALL_GROUP || !in->possible ||
		    !out->possible)
			continue;
		/* others/out_possible - in/in_possible, as a fraction. */
		unsigned __int128 a = (unsigned __int128)attended(out) * in->possible;
		unsigned __int128 b = (unsigned __int128)attended(in) * out->possible;
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
	national nat = trust_national(r, "overall_absence", true, false);

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
	put_pct(f, attended(y), y->possible);
	fputs("</strong> this year", f);
	if (nat.ok) {
		int sign = gap_signed(attended(y), y->possible, nat.num, nat.den, g);
		if (sign == 0)
			fputs(", level with the ", f);
		else
			fprintf(f, ", <span class=\"%s\">%s pp %s</span> the ",
			        sign < 0 ? "worse" : "better", g + 1, sign < 0 ? "below" : "above");
		fputs("national figure of ", f);
		put_pct(f, nat.num, nat.den);
		fputs(" (", f);
		put_national_label(f, &nat);
		fputc(')', f);
	}
	fputs("; this term ", f);
	put_pct(f, attended(&t->all[MEASURES_TERM]), t->all[MEASURES_TERM].possible);
	fputs(", last 4 weeks ", f);
	put_pct(f, attended(&t->all[MEASURES_LAST4W]), t->all[MEASURES_LAST4W].possible);
	fputs(".</li>\n", f);

	/* Schools above their phase's national absence. */
	size_t n_above = 0, n_bench = 0;
	for (size_t i = 0; i < r->n_schools; i++) {
		const report_school *s = &r->schools[i];
		const report_benchmark *b = phase_absence(r, s);
		if (!b || !s->all[MEASURES_YTD].possible)
			continue;
		n_bench++;
		if (gap_signed(s->all[MEASURES_YTD].absence, s->all[MEASURES_YTD].possible,
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
		FOR_RANKED(r, i)
		{
			const report_school *s = &r->schools[i];
			const report_benchmark *b = phase_absence(r, s);
			if (!b || !s->all[MEASURES_YTD].possible)
				continue;
			if (gap_signed(s->all[MEASURES_YTD].absence, s->all[MEASURES_YTD].possible,
			               (uint64_t)(b->tenths < 0 ? 0 : b->tenths), 1000, g) <= 0)
				continue;
			fputs(k++ == 0 ? ": " : "; ", f);
			ESC(f, s->name);
			fprintf(f, " <span class=\"worse\">%s pp above</span>", g + 1);
		}
		fputs(".</li>\n", f);
	}

	fputs("<li>Persistent absence: <strong>", f);
	put_count(f, y->pa_pupils);
	fputs(" pupils (", f);
	put_pct(f, y->pa_pupils, y->pupils);
	fputs(")</strong>; severe absence: <strong>", f);
	put_count(f, y->sa_pupils);
	fputs(" pupils (", f);
	put_pct(f, y->sa_pupils, y->pupils);
	fputs(")</strong>.</li>\n", f);

	int c = widest_gap(r);
	if (c >= 0) {
		const measures_cohort_row *in = &t->in[MEASURES_YTD][c];
		cohort_gap(in, &t->out[MEASURES_YTD][c], g);
		fputs("<li>Widest cohort gap: <strong>", f);
		ESC(f, r->cohorts[c].label);
		fprintf(f,
		        "</strong>, attendance <span class=\"worse\">%s pp lower</span> than "
		        "other pupils (",
		        g + 1);
		put_count(f, in->pupils);
		fputs(" pupils, ", f);
		put_pct(f, attended(in), in->possible);
		fputs(").</li>\n", f);
	}

	const measures_cohort_row *l4 = &t->all[MEASURES_LAST4W];
	if (l4->possible) {
		int sign = gap_signed(attended(l4), l4->possible, attended(y), y->possible, g);
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

enum tile_kind { TILE_ATT, TILE_AUTH, TILE_UNAUTH, TILE_PA, TILE_SA };

/* The tile's figure for one period as num / den, and a count for the pupil measures. */
static void tile_figure(enum tile_kind k, const measures_cohort_row *w, uint64_t *num,
                        uint64_t *den)
{
	switch (k) {
	case TILE_ATT:
		*num = attended(w);
		*den = w->possible;
		break;
	case TILE_AUTH:
		*num = w->authorised;
		*den = w->possible;
		break;
	case TILE_UNAUTH:
		*num = w->unauthorised;
		*den = w->possible;
		break;
	case TILE_PA:
		*num = w->pa_pupils;
		*den = w->pupils;
		break;
	case TILE_SA:
		*num = w->sa_pupils;
		*den = w->pupils;
		break;
	}
}

static void write_tiles(const trust_report *r, FILE *f)
{
	static const struct {
		enum tile_kind kind;
		const char *title;
		const char *unit;
		const char *measure; /* national benchmark */
		bool attendance, by_pupils;
	} tiles[] = {
	        {TILE_ATT, "Attendance", "of possible sessions", "overall_absence", true, false},
	        {TILE_AUTH, "Authorised absence", "of possible sessions", "authorised", false,
	         false},
	        {TILE_UNAUTH, "Unauthorised absence", "of possible sessions", "unauthorised", false,
	         false},
	        {TILE_PA, "Persistent absence", "of pupils missing 10%+", "pa", false, true},
	        {TILE_SA, "Severe absence", "of pupils missing 50%+", "severe_absence", false,
	         true},
	};
	const report_school *t = &r->trust;

	fputs("<section id=\"headline\" aria-labelledby=\"headline-h\">\n"
	      "<h2 id=\"headline-h\">Headline, year to date</h2>\n<div class=\"tiles\">\n",
	      f);
	for (size_t i = 0; i < sizeof(tiles) / sizeof(tiles[0]); i++) {
		uint64_t num = 0, den = 0;
		bool pupils = tiles[i].kind == TILE_PA || tiles[i].kind == TILE_SA;
		tile_figure(tiles[i].kind, &t->all[MEASURES_YTD], &num, &den);
		fprintf(f, "<div class=\"tile\">\n<h3>%s</h3>\n<div class=\"v\">", tiles[i].title);
		put_pct(f, num, den);
		fputs("</div>\n", f);
		if (pupils) {
			fputs("<div class=\"n\">", f);
			put_count(f, num);
			fputs(" pupils</div>\n", f);
		}
		fprintf(f, "<div class=\"u\">%s</div>\n<table>\n", tiles[i].unit);
		for (int p = MEASURES_TERM; p < MEASURES_PERIODS; p++) {
			tile_figure(tiles[i].kind, &t->all[p], &num, &den);
			fprintf(f, "<tr><th scope=\"row\">%s</th><td>", period_label[p]);
			put_pct(f, num, den);
			if (pupils) {
				fputs(" <span class=\"muted\">(", f);
				put_count(f, num);
				fputs(")</span>", f);
			}
			fputs("</td></tr>\n", f);
		}
		national nat = trust_national(r, tiles[i].measure, tiles[i].attendance,
		                              tiles[i].by_pupils);
		if (nat.ok) {
			fputs("<tr class=\"nat\"><th scope=\"row\">National</th><td>", f);
			put_pct(f, nat.num, nat.den);
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n</div>\n", f);
	}
	fputs("</div>\n<p class=\"note\">National figures are for state-funded schools, weighted "
	      "to the trust&#39;s mix of phases where each phase has its own figure (see Notes). "
	      "PA and SA are pupils whose absence is at least 10% and 50% of their possible "
	      "sessions.</p>\n</section>\n",
	      f);
}

/* ---- schools ranked -------------------------------------------------------------------------- */

/* One row of the ranking chart at y: label, bar, national mark and value. */
static void chart_school_row(const trust_report *r, FILE *f, const report_school *s, bool trust,
                             double y, double x0, double x1, double scale)
{
	const measures_cohort_row *w = &s->all[MEASURES_YTD];
	const report_benchmark *b = trust ? NULL : phase_absence(r, s);
	national nat = {0};
	char g[MEASURES_PCT_LEN];
	int sign = 0;
	bool has_nat = false;
	uint64_t nn = 0, nd = 1;

	if (trust) {
		nat = trust_national(r, "overall_absence", false, false);
		if (nat.ok) {
			has_nat = true;
			nn = nat.num;
			nd = nat.den;
		}
	} else if (b) {
		has_nat = true;
		nn = (uint64_t)(b->tenths < 0 ? 0 : b->tenths);
		nd = 1000;
	}
	if (has_nat && w->possible)
		sign = gap_signed(w->absence, w->possible, nn, nd, g);

	fputs("<g>\n<text x=\"0\" y=\"", f);
	put_num(f, y + 13);
	fprintf(f, "\" font-size=\"12.5\"%s>", trust ? " font-weight=\"700\"" : "");
	if (trust)
		fputs("Trust (all schools)", f);
	else
		esc_cut(f, s->name, sizeof(s->name), 36);
	fputs("</text>\n<text class=\"ax\" x=\"0\" y=\"", f);
	put_num(f, y + 27);
	fputs("\">", f);
	if (trust) {
		put_count(f, w->pupils);
		fputs(" pupils", f);
	} else {
		ESC(f, s->phase);
		fputs(" &middot; ", f);
		put_count(f, w->pupils);
		fputs(" pupils", f);
	}
	fputs("</text>\n", f);

	if (w->possible) {
		double len = rate(w->absence, w->possible) * scale;
		fprintf(f, "<rect class=\"%s\" x=\"",
		        !has_nat   ? "b-none"
		        : sign > 0 ? "b-worse"
		                   : "b-better");
		put_num(f, x0);
		fputs("\" y=\"", f);
		put_num(f, y + 6);
		fputs("\" width=\"", f);
		put_num(f, len);
		fputs("\" height=\"17\"/>\n", f);
	}
	if (has_nat) {
		double nx = x0 + rate(nn, nd) * scale;
		fputs("<line class=\"nat\" x1=\"", f);
		put_num(f, nx);
		fputs("\" x2=\"", f);
		put_num(f, nx);
		fputs("\" y1=\"", f);
		put_num(f, y + 1);
		fputs("\" y2=\"", f);
		put_num(f, y + 28);
		fputs("\"><title>National ", f);
		put_pct(f, nn, nd);
		fputs("</title></line>\n", f);
	}
	fputs("<text x=\"", f);
	put_num(f, x1 + 14);
	fputs("\" y=\"", f);
	put_num(f, y + 13);
	fputs("\" font-size=\"12.5\" font-weight=\"700\">", f);
	put_pct(f, w->absence, w->possible);
	fputs("</text>\n<text class=\"ax\" x=\"", f);
	put_num(f, x1 + 14);
	fputs("\" y=\"", f);
	put_num(f, y + 27);
	fputs("\">", f);
	if (!has_nat) {
		fputs("no national figure", f);
	} else if (w->possible) {
		if (sign == 0)
			fputs("level with national ", f);
		else
			fprintf(f, "<tspan class=\"%s\">%s pp %s</tspan> national ",
			        sign > 0 ? "t-worse" : "t-better", g + 1,
			        sign > 0 ? "above" : "below");
		put_pct(f, nn, nd);
	}
	fputs("</text>\n</g>\n", f);
}

static void write_school_chart(const trust_report *r, FILE *f)
{
	/* Scale: up to the largest absence or national figure, in whole 5% steps. */
	uint64_t max_tenths = 50;
	for (size_t i = 0; i <= r->n_schools; i++) {
		const report_school *s = i < r->n_schools ? &r->schools[i] : &r->trust;
		const measures_cohort_row *w = &s->all[MEASURES_YTD];
		if (w->possible) {
			uint64_t t = (w->absence * 1000 + w->possible - 1) / w->possible;
			if (t > max_tenths)
				max_tenths = t;
		}
		const report_benchmark *b = i < r->n_schools ? phase_absence(r, s) : NULL;
		if (b && b->tenths > 0 && (uint64_t)b->tenths > max_tenths)
			max_tenths = (uint64_t)b->tenths;
	}
	uint64_t max_pct = (max_tenths + 49) / 50 * 5;
	if (max_pct > 100)
		max_pct = 100;
	uint64_t step = max_pct <= 20 ? 5 : max_pct <= 50 ? 10 : 20;
	const double x0 = 250, x1 = 580, top = 22, row = 36;
	double scale = (x1 - x0) / (double)max_pct; /* units per percentage point */
	double h = top + row * (double)(r->n_schools + 1) + 12;

	fputs("<figure>\n<svg role=\"img\" aria-labelledby=\"sc-t sc-d\" viewBox=\"0 0 800 ", f);
	put_num(f, h);
	fputs("\">\n", f);
	fputs("<title id=\"sc-t\">Absence by school, year to date, against the national figure "
	      "for each school&#39;s phase</title>\n<desc id=\"sc-d\">",
	      f);
	FOR_RANKED(r, i)
	{
		const report_school *s = &r->schools[i];
		const report_benchmark *b = phase_absence(r, s);
		ESC(f, s->name);
		fputs(": absence ", f);
		put_pct(f, s->all[MEASURES_YTD].absence, s->all[MEASURES_YTD].possible);
		if (b) {
			fputs(", national ", f);
			put_tenths(f, b->tenths, false);
		}
		fputs(". ", f);
	}
	fputs("</desc>\n", f);

	for (uint64_t v = 0; v <= max_pct; v += step) {
		double x = x0 + (double)v * scale;
		fputs("<line class=\"grid\" x1=\"", f);
		put_num(f, x);
		fputs("\" x2=\"", f);
		put_num(f, x);
		fputs("\" y1=\"", f);
		put_num(f, top - 4);
		fputs("\" y2=\"", f);
		put_num(f, h - 8);
		fputs("\"/>\n<text class=\"ax\" text-anchor=\"middle\" x=\"", f);
		put_num(f, x);
		fprintf(f, "\" y=\"12\">%" PRIu64 "%%</text>\n", v);
	}
	chart_school_row(r, f, &r->trust, true, top, x0, x1, scale);
	fputs("<line class=\"zero\" x1=\"0\" x2=\"800\" y1=\"", f);
	put_num(f, top + row - 3);
	fputs("\" y2=\"", f);
	put_num(f, top + row - 3);
	fputs("\"/>\n", f);
	size_t k = 1;
	FOR_RANKED(r, i)
	{
		chart_school_row(r, f, &r->schools[i], false, top + row * (double)k + 2, x0, x1,
		                 scale);
		k++;
	}
	fputs("</svg>\n<figcaption><span class=\"legend\"><span aria-hidden=\"true\" class=\"sw "
	      "worse\"></span>absence "
	      "above national for the phase <span aria-hidden=\"true\" class=\"sw "
	      "better\"></span>at or below national "
	      "<span aria-hidden=\"true\" class=\"sw none\"></span>no national figure <span "
	      "aria-hidden=\"true\" class=\"sw mark\"></span>"
	      "national figure for the school&#39;s phase (trust: weighted to its phase "
	      "mix)</span></figcaption>\n</figure>\n",
	      f);
}

/* One row of the ranking table: the trust (rank 0) or a school. */
static void school_table_row(const trust_report *r, FILE *f, const report_school *s, size_t rank)
{
	bool trust = rank == 0;
	char g[MEASURES_PCT_LEN];
	const measures_cohort_row *w = &s->all[MEASURES_YTD];
	const report_benchmark *b = trust ? NULL : phase_absence(r, s);
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
		ESC(f, s->name);
		fputs("<span class=\"sub\">", f);
		ESC(f, s->phase);
		if (s->la_name[0]) {
			fputs(" &middot; ", f);
			ESC(f, s->la_name);
		}
		fprintf(f, " &middot; URN %06" PRIu32 "</span></th>", s->urn);
	}
	fputs("<td>", f);
	put_count(f, w->pupils);
	fputs("</td><td><strong>", f);
	put_pct(f, w->absence, w->possible);
	fputs("</strong></td><td>", f);
	if (trust) {
		national nat = trust_national(r, "overall_absence", false, false);
		if (nat.ok) {
			put_pct(f, nat.num, nat.den);
			gap_signed(w->absence, w->possible, nat.num, nat.den, g);
		} else {
			fputs("&ndash;", f);
			g[0] = '\0';
		}
	} else if (b) {
		put_tenths(f, b->tenths, false);
		gap_signed(w->absence, w->possible, (uint64_t)(b->tenths < 0 ? 0 : b->tenths), 1000,
		           g);
	} else {
		fputs("&ndash;", f);
		g[0] = '\0';
	}
	fputs("</td><td class=\"num\">", f);
	if (g[0] == '\0')
		fputs("&ndash;", f);
	else if (gap_sign(g) == 0)
		fputs("level", f);
	else
		fprintf(f, "<span class=\"%s\">%s pp %s</span>",
		        gap_sign(g) > 0 ? "worse" : "better", g + 1,
		        gap_sign(g) > 0 ? "above" : "below");
	fputs("</td><td>", f);
	put_pct(f, w->unauthorised, w->possible);
	fputs("</td><td class=\"num\">", f);
	put_count(f, w->pa_pupils);
	fputs(" <span class=\"muted\">", f);
	put_pct(f, w->pa_pupils, w->pupils);
	fputs("</span></td><td class=\"num\">", f);
	put_count(f, w->sa_pupils);
	fputs(" <span class=\"muted\">", f);
	put_pct(f, w->sa_pupils, w->pupils);
	fputs("</span></td><td>", f);
	put_pct(f, s->all[MEASURES_TERM].absence, s->all[MEASURES_TERM].possible);
	fputs("</td><td>", f);
	put_pct(f, s->all[MEASURES_LAST4W].absence, s->all[MEASURES_LAST4W].possible);
	fprintf(f, "</td><td%s>", unmarked ? " class=\"chase\"" : "");
	put_count(f, unmarked);
	fputs("</td></tr>\n", f);
}

static void write_schools(const trust_report *r, FILE *f)
{
	fputs("<section id=\"schools\" class=\"page\" aria-labelledby=\"schools-h\">\n"
	      "<h2 id=\"schools-h\">Schools ranked by absence</h2>\n"
	      "<p class=\"note\">Overall absence (authorised plus unauthorised, as a share of "
	      "possible sessions), year to date, highest first. Special schools are compared "
	      "with the national figure for special schools, and so on: the gap to that figure "
	      "is the fairer comparison between schools.</p>\n",
	      f);
	write_school_chart(r, f);

	fputs("<table id=\"school-table\">\n<caption>Schools ranked by absence, year to "
	      "date</caption>\n<thead><tr><th scope=\"col\">#</th><th scope=\"col\" "
	      "class=\"l\">School</th><th scope=\"col\">Pupils</th><th scope=\"col\">Absence"
	      "</th><th scope=\"col\">National (phase)</th><th scope=\"col\">vs national</th>"
	      "<th scope=\"col\">Unauth&shy;orised</th><th scope=\"col\">PA pupils</th>"
	      "<th scope=\"col\">SA pupils</th><th scope=\"col\">Absence this term</th>"
	      "<th scope=\"col\">Absence last 4 weeks</th><th scope=\"col\">Unmarked sessions"
	      "</th></tr></thead>\n<tbody>\n",
	      f);
	school_table_row(r, f, &r->trust, 0);
	size_t rank = 0;
	FOR_RANKED(r, i)
	{
		school_table_row(r, f, &r->schools[i], ++rank);
	}
	fputs("</tbody>\n</table>\n<p class=\"note\">PA and SA columns: pupils, then the share of "
	      "the school&#39;s headline pupils. A highlighted unmarked count is registers still "
	      "to be completed.</p>\n</section>\n",
	      f);
}

/* ---- categories ------------------------------------------------------------------------------ */

/* A 5-category stacked bar, 170 x 14, in category order. */
static void category_bar(FILE *f, const uint32_t cat[MEASURES_CAT_COUNT])
{
	uint64_t total = 0;
	for (int c = 1; c < MEASURES_CAT_COUNT; c++)
		total += cat[c];
	fputs("<svg class=\"bar\" width=\"170\" height=\"14\" viewBox=\"0 0 170 14\" "
	      "role=\"img\" aria-label=\"",
	      f);
	for (int c = 1; c < MEASURES_CAT_COUNT; c++) {
		fprintf(f, "%s%s ", c > 1 ? ", " : "", category_label[c]);
		put_count(f, cat[c]);
	}
	fputs("\">", f);
	if (total == 0) {
		fputs("<rect x=\"0\" y=\"0\" width=\"170\" height=\"14\" fill=\"#eef0f2\"/>", f);
	} else {
		uint64_t before = 0;
		for (int c = 1; c < MEASURES_CAT_COUNT; c++) {
			if (!cat[c])
				continue;
			double x = 170.0 * (double)before / (double)total;
			double w = 170.0 * (double)(before + cat[c]) / (double)total - x;
			fprintf(f, "<rect class=\"c%d\" x=\"", c);
			put_num(f, x);
			fputs("\" y=\"0\" width=\"", f);
			put_num(f, w);
			fprintf(f, "\" height=\"14\"><title>%s: ", category_label[c]);
			put_count(f, cat[c]);
			fputs(" (", f);
			put_pct(f, cat[c], total);
			fputs(")</title></rect>", f);
			before += cat[c];
		}
	}
	fputs("</svg>", f);
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
		ESC(f, s->name);
	fputs("</th>", f);
	for (int c = 1; c < MEASURES_CAT_COUNT; c++) {
		fputs("<td class=\"num\">", f);
		put_count(f, cat[c]);
		fputs(" <span class=\"muted\">", f);
		put_pct(f, cat[c], total);
		fputs("</span></td>", f);
	}
	fputs("<td class=\"l\">", f);
	category_bar(f, cat);
	fputs("</td></tr>\n", f);
}

static void write_categories(const trust_report *r, FILE *f)
{
	fputs("<section id=\"categories\" aria-labelledby=\"cat-h\">\n<h2 id=\"cat-h\">Attendance "
	      "categories, year to date</h2>\n<p class=\"note\">Headline pupils by their own "
	      "absence rate this year. Default boundaries (the trust may set its own): expected "
	      "up to 5% absence; at risk of PA over 5% and under 10%; persistent absence 10% to "
	      "20%; at risk of SA over 20% and under 50%; severe absence 50% or more.</p>\n",
	      f);
	fputs("<p class=\"legend\">", f);
	for (int c = 1; c < MEASURES_CAT_COUNT; c++)
		fprintf(f, "<span aria-hidden=\"true\" class=\"sw c%d\"></span>%s ", c,
		        category_label[c]);
	fputs("</p>\n<table id=\"category-table\">\n<caption>Pupils by attendance category (year "
	      "to date)</caption>\n<thead><tr><th scope=\"col\" class=\"l\">School</th>",
	      f);
	for (int c = 1; c < MEASURES_CAT_COUNT; c++)
		fprintf(f, "<th scope=\"col\">%s</th>", category_label[c]);
	fputs("<th scope=\"col\" class=\"l\">Mix</th></tr></thead>\n<tbody>\n", f);
	category_row(f, &r->trust, true);
	FOR_RANKED(r, i)
	{
		category_row(f, &r->schools[i], false);
	}
	fputs("</tbody>\n</table>\n</section>\n", f);
}

/* ---- cohort gaps ----------------------------------------------------------------------------- */

static const char *cohort_group(measures_cohort k)
{
	if (k == MEASURES_COHORT_SEX)
		return "Sex";
	if (k == MEASURES_COHORT_NC_YEAR)
		return "Year group";
	return "Disadvantage and need";
}

static bool cohort_small(const measures_cohort_row *in, const measures_cohort_row *out)
{
	return in->pupils < SMALL_GROUP || out->pupils < SMALL_GROUP;
}

/* The national benchmark of a cohort's complement ("not_fsm"), or NULL. */
static const report_benchmark *complement_bench(const trust_report *r, const char *name, size_t n,
                                                const char *measure)
{
	char other[40];
	snprintf(other, sizeof(other), "not_%.*s", (int)strnlen(name, n), name);
	return report_benchmark_find(r, "all", measure, other);
}

/* National attendance gap (cohort minus others) in pp, when both figures exist. */
static bool national_gap(const trust_report *r, const report_cohort *c, double *gap,
                         char out[MEASURES_PCT_LEN])
{
	const report_benchmark *in = report_benchmark_find(r, "all", "absence", c->name);
	const report_benchmark *other = complement_bench(r, c->name, sizeof(c->name), "absence");
	if (!in || !other)
		return false;
	*gap = (double)(other->tenths - in->tenths) / 10.0;
	uint64_t a = in->tenths < 0 ? 1000 : in->tenths > 1000 ? 0 : (uint64_t)(1000 - in->tenths);
	uint64_t b = other->tenths < 0      ? 1000
	             : other->tenths > 1000 ? 0
	                                    : (uint64_t)(1000 - other->tenths);
	gap_signed(a, 1000, b, 1000, out);
	return true;
}

static void write_cohort_chart(const trust_report *r, FILE *f)
{
	const report_school *t = &r->trust;
	double max_gap = 0;
	size_t rows = 0, groups = 0;
	const char *group = NULL;

	for (size_t c = 0; c < n_cohorts(r); c++) {
		const measures_cohort_row *in = &t->in[MEASURES_YTD][c];
		const measures_cohort_row *out = &t->out[MEASURES_YTD][c];
		if (in->pupils == 0)
			continue;
		rows++;
		if (cohort_group(r->cohorts[c].cohort) != group) {
			group = cohort_group(r->cohorts[c].cohort);
			groups++;
		}
		if (!cohort_small(in, out) && in->possible && out->possible) {
			double gp = rate(attended(in), in->possible) -
			            rate(attended(out), out->possible);
			if (gp < 0)
				gp = -gp;
			if (gp > max_gap)
				max_gap = gp;
		}
		double ng;
		char buf[MEASURES_PCT_LEN];
		if (national_gap(r, &r->cohorts[c], &ng, buf) && (ng < 0 ? -ng : ng) > max_gap)
			max_gap = ng < 0 ? -ng : ng;
	}
	if (rows == 0) {
		fputs("<p class=\"note\">No cohort has pupils in the headline population.</p>\n",
		      f);
		return;
	}
	int lim = 5;
	while (lim < max_gap && lim < 100)
		lim = lim < 10 ? 10 : lim < 20 ? 20 : lim < 50 ? 50 : 100;
	const double lx = 250, rx = 610, zx = (lx + rx) / 2, top = 34, row = 19, ghead = 22;
	double scale = (rx - lx) / 2 / lim;
	double h = top + row * (double)rows + ghead * (double)groups + 8;

	fputs("<figure>\n<svg role=\"img\" aria-labelledby=\"cg-t cg-d\" viewBox=\"0 0 800 ", f);
	put_num(f, h);
	fputs("\">\n<title id=\"cg-t\">Attendance gap of "
	      "each cohort against all other pupils in the trust, year to date, in percentage "
	      "points</title>\n<desc id=\"cg-d\">",
	      f);
	for (size_t c = 0; c < n_cohorts(r); c++) {
		const measures_cohort_row *in = &t->in[MEASURES_YTD][c];
		const measures_cohort_row *out = &t->out[MEASURES_YTD][c];
		char g[MEASURES_PCT_LEN];
		if (in->pupils == 0)
			continue;
		ESC(f, r->cohorts[c].label);
		if (cohort_small(in, out)) {
			fputs(": small group. ", f);
			continue;
		}
		cohort_gap(in, out, g);
		fprintf(f, ": %s pp. ", g[0] ? g : "no sessions");
	}
	fputs("</desc>\n", f);

	/* Axis: gridlines, labels, direction words. */
	for (int v = -lim; v <= lim; v += lim / 5) {
		double x = zx + v * scale;
		fprintf(f, "<line class=\"%s\" x1=\"", v == 0 ? "zero" : "grid");
		put_num(f, x);
		fputs("\" x2=\"", f);
		put_num(f, x);
		fputs("\" y1=\"", f);
		put_num(f, top - 6);
		fputs("\" y2=\"", f);
		put_num(f, h - 4);
		fputs("\"/>\n<text class=\"ax\" text-anchor=\"middle\" x=\"", f);
		put_num(f, x);
		fprintf(f, "\" y=\"24\">%s%d</text>\n", v > 0 ? "+" : "", v);
	}
	fputs("<text class=\"ax t-worse\" text-anchor=\"end\" x=\"", f);
	put_num(f, zx - 6);
	fputs("\" y=\"10\">&#9664; lower attendance than others</text>\n", f);
	fputs("<text class=\"ax t-better\" x=\"", f);
	put_num(f, zx + 6);
	fputs("\" y=\"10\">higher &#9654;</text>\n", f);
	fputs("<text class=\"ax\" x=\"", f);
	put_num(f, rx + 14);
	fputs("\" y=\"24\">gap (pp), pupils</text>\n", f);

	double y = top;
	group = NULL;
	for (size_t c = 0; c < n_cohorts(r); c++) {
		const report_cohort *k = &r->cohorts[c];
		const measures_cohort_row *in = &t->in[MEASURES_YTD][c];
		const measures_cohort_row *out = &t->out[MEASURES_YTD][c];
		char g[MEASURES_PCT_LEN];
		if (in->pupils == 0)
			continue;
		if (cohort_group(k->cohort) != group) {
			group = cohort_group(k->cohort);
			fputs("<text x=\"0\" y=\"", f);
			put_num(f, y + 15);
			fprintf(f, "\" font-size=\"11.5\" font-weight=\"700\">%s</text>\n", group);
			y += ghead;
		}
		fputs("<text x=\"12\" y=\"", f);
		put_num(f, y + 13);
		fputs("\" font-size=\"12\">", f);
		esc_cut(f, k->label, sizeof(k->label), 34);
		fputs("</text>\n", f);
		bool small = cohort_small(in, out);
		int sign = small ? 0 : cohort_gap(in, out, g);
		if (!small && g[0] && sign != 0) {
			double v = rate(attended(in), in->possible) -
			           rate(attended(out), out->possible);
			double x = v < 0 ? zx + v * scale : zx;
			double w = (v < 0 ? -v : v) * scale;
			fprintf(f, "<rect class=\"%s\" x=\"", sign < 0 ? "b-worse" : "b-better");
			put_num(f, x);
			fputs("\" y=\"", f);
			put_num(f, y + 3);
			fputs("\" width=\"", f);
			put_num(f, w < 0.5 ? 0.5 : w);
			fputs("\" height=\"13\"/>\n", f);
		}
		double ng;
		char nbuf[MEASURES_PCT_LEN];
		if (national_gap(r, k, &ng, nbuf)) {
			double x = zx + ng * scale;
			fputs("<rect class=\"natd\" width=\"7\" height=\"7\" "
			      "transform=\"translate(",
			      f);
			put_num(f, x);
			fputc(' ', f);
			put_num(f, y + 4.5);
			fprintf(f, ") rotate(45)\"><title>National gap %s pp</title></rect>\n",
			        nbuf);
		}
		fputs("<text x=\"", f);
		put_num(f, rx + 14);
		fputs("\" y=\"", f);
		put_num(f, y + 13);
		fputs("\" font-size=\"12\">", f);
		if (small)
			fputs("<tspan class=\"t-muted\" font-style=\"italic\">small group</tspan>",
			      f);
		else if (!g[0])
			fputs("<tspan class=\"t-muted\">&ndash;</tspan>", f);
		else
			fprintf(f, "<tspan font-weight=\"700\" class=\"%s\">%s</tspan>",
			        sign < 0   ? "t-worse"
			        : sign > 0 ? "t-better"
			                   : "t-muted",
			        g);
		fputs("<tspan class=\"t-muted\" font-size=\"10.5\"> &middot; ", f);
		put_count(f, in->pupils);
		fputs("</tspan></text>\n", f);
		y += row;
	}
	fputs("</svg>\n<figcaption><span class=\"legend\"><span aria-hidden=\"true\" class=\"sw "
	      "worse\"></span>cohort "
	      "attends less than other pupils <span aria-hidden=\"true\" class=\"sw "
	      "better\"></span>attends more "
	      "<span aria-hidden=\"true\" class=\"sw diamond\"></span>national gap for the same "
	      "cohort, where "
	      "published</span></figcaption>\n</figure>\n",
	      f);
}

/* National figures for a cohort: attendance (100 - absence) and PA, and its complement's. */
static void put_cohort_national(const trust_report *r, FILE *f, const report_cohort *c)
{
	const report_benchmark *abs = report_benchmark_find(r, "all", "absence", c->name);
	const report_benchmark *pa = report_benchmark_find(r, "all", "pa", c->name);
	const report_benchmark *oabs = complement_bench(r, c->name, sizeof(c->name), "absence");
	if (!abs && !pa) {
		fputs("<span class=\"muted\">&ndash;</span>", f);
		return;
	}
	if (abs)
		put_tenths(f, abs->tenths, true);
	if (pa) {
		fputs(abs ? " <span class=\"muted\">PA " : "PA ", f);
		put_tenths(f, pa->tenths, false);
		if (abs)
			fputs("</span>", f);
	}
	if (oabs) {
		fputs("<span class=\"sub\">others ", f);
		put_tenths(f, oabs->tenths, true);
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
	if (cohort_small(in, out)) {
		fputs("<td class=\"small\">small group</td>", f);
		return;
	}
	int sign = cohort_gap(in, out, g);
	if (!g[0])
		fputs("<td class=\"muted\">&ndash;</td>", f);
	else
		fprintf(f, "<td class=\"num\"><strong class=\"%s\">%s</strong></td>",
		        sign < 0   ? "worse"
		        : sign > 0 ? "better"
		                   : "muted",
		        g);
}

static void write_cohort_table(const trust_report *r, FILE *f)
{
	const report_school *t = &r->trust;
	const char *group = NULL;
	size_t empty = 0;

	fputs("<table id=\"cohort-table\">\n<caption>Trust cohorts against all other pupils"
	      "</caption>\n<thead><tr><th scope=\"col\" class=\"l\">Cohort</th><th "
	      "scope=\"col\">Pupils</th><th scope=\"col\">Attendance</th><th scope=\"col\">PA"
	      "</th><th scope=\"col\">Others&#39; attendance</th><th scope=\"col\">Gap (pp), "
	      "year</th><th scope=\"col\">Gap (pp), term</th><th scope=\"col\">National "
	      "(cohort)</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t c = 0; c < n_cohorts(r); c++) {
		const report_cohort *k = &r->cohorts[c];
		const measures_cohort_row *in = &t->in[MEASURES_YTD][c];
		const measures_cohort_row *out = &t->out[MEASURES_YTD][c];
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
		ESC(f, k->name);
		fputs("\"><th scope=\"row\">", f);
		ESC(f, k->label);
		fputs("</th><td>", f);
		put_count(f, in->pupils);
		fputs("</td>", f);
		if (in->pupils < SMALL_GROUP) {
			fputs("<td class=\"small\">small group</td><td class=\"small\">small "
			      "group</td>",
			      f);
		} else {
			fputs("<td>", f);
			put_pct(f, attended(in), in->possible);
			fputs("</td><td>", f);
			put_pct(f, in->pa_pupils, in->pupils);
			fputs("</td>", f);
		}
		if (out->pupils < SMALL_GROUP) {
			fputs("<td class=\"small\">small group</td>", f);
		} else {
			fputs("<td>", f);
			put_pct(f, attended(out), out->possible);
			fputs("</td>", f);
		}
		put_gap_cell(f, in, out);
		put_gap_cell(f, &t->in[MEASURES_TERM][c], &t->out[MEASURES_TERM][c]);
		fputs("<td>", f);
		put_cohort_national(r, f, k);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
	if (empty) {
		fputs("<p class=\"note\">No headline pupils in: ", f);
		size_t k = 0;
		for (size_t c = 0; c < n_cohorts(r); c++) {
			if (t->in[MEASURES_YTD][c].pupils != 0)
				continue;
			ESC(f, r->cohorts[c].label);
			fputs(++k < empty ? ", " : ".", f);
		}
		fputs("</p>\n", f);
	}
}

/* Shading class of a matrix gap cell by size, in whole pp bands (the text carries the value). */
static const char *gap_shade(const measures_cohort_row *in, const measures_cohort_row *out)
{
	if (!in->possible || !out->possible)
		return "";
	double v = rate(attended(in), in->possible) - rate(attended(out), out->possible);
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
	size_t cols = 0;
	for (size_t c = 0; c < n_cohorts(r); c++)
		cols += r->cohorts[c].cohort != MEASURES_COHORT_NC_YEAR &&
		        r->trust.in[MEASURES_YTD][c].pupils > 0;
	if (cols == 0 || r->n_schools == 0)
		return;
	fputs("<h3>Gaps by school</h3>\n<p class=\"note\">Attendance of each cohort minus the "
	      "school&#39;s other pupils, in percentage points, year to date. Shading: "
	      "orange below, blue above, darker for 2 and 5 pp or more; &ldquo;sm&rdquo; marks "
	      "a group (or its complement) of fewer than 5 pupils; &ndash; no such pupils.</p>\n"
	      "<table id=\"cohort-matrix\">\n<caption>Cohort attendance gaps by school (pp)"
	      "</caption>\n<thead><tr><th scope=\"col\" class=\"l\">School</th>",
	      f);
	for (size_t c = 0; c < n_cohorts(r); c++) {
		if (r->cohorts[c].cohort == MEASURES_COHORT_NC_YEAR ||
		    r->trust.in[MEASURES_YTD][c].pupils == 0)
			continue;
		fputs("<th scope=\"col\">", f);
		ESC(f, r->cohorts[c].label);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	FOR_RANKED(r, i)
	{
		const report_school *s = &r->schools[i];
		fputs("<tr><th scope=\"row\">", f);
		ESC(f, s->name);
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
			} else if (cohort_small(in, out)) {
				fputs("<td class=\"small\" title=\"fewer than 5 pupils\">sm <span "
				      "class=\"muted\">",
				      f);
				put_count(f, in->pupils);
				fputs("</span></td>", f);
			} else {
				cohort_gap(in, out, g);
				fprintf(f, "<td class=\"g%s\">%s</td>", gap_shade(in, out),
				        g[0] ? g : "&ndash;");
			}
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

static void write_cohorts(const trust_report *r, FILE *f)
{
	fputs("<section id=\"cohorts\" class=\"page\" aria-labelledby=\"cohorts-h\">\n"
	      "<h2 id=\"cohorts-h\">Cohort gaps</h2>\n<p class=\"note\">Each cohort&#39;s "
	      "attendance against every other headline pupil (gap = cohort minus others, in "
	      "percentage points; negative means the cohort attends less). Year to date, "
	      "membership as at the report date. Groups of fewer than 5 pupils show their "
	      "count only: a rate over so few pupils is not a fair guide.</p>\n",
	      f);
	write_cohort_chart(r, f);
	write_cohort_table(r, f);
	write_cohort_matrix(r, f);
	fputs("</section>\n", f);
}

/* ---- weekly trend ---------------------------------------------------------------------------- */

/* The floor (a whole, even %) of a trend chart's scale, which runs to 100: below the trust's
 * lowest week and the national figure, and with schools, below every school's lowest week and
 * its phase's national figure too. */
static int trend_floor(const trust_report *r, const national *nat, bool schools)
{
	double lo = 100;
	for (size_t i = schools ? 0 : r->n_schools; i <= r->n_schools; i++) {
		const report_school *s = i < r->n_schools ? &r->schools[i] : &r->trust;
		for (size_t w = 0; w < s->n_weeks; w++) {
			if (!s->week_possible[w])
				continue;
			uint64_t p = s->week_possible[w];
			uint64_t a = s->week_absence[w] < p ? p - s->week_absence[w] : 0;
			double v = rate(a, p);
			if (v < lo)
				lo = v;
		}
		const report_benchmark *b = i < r->n_schools ? phase_absence(r, s) : NULL;
		if (b && 100.0 - b->tenths / 10.0 < lo)
			lo = 100.0 - b->tenths / 10.0;
	}
	if (nat->ok && rate(nat->num, nat->den) < lo)
		lo = rate(nat->num, nat->den);
	int fl = (int)lo - 1;
	fl -= fl % 2;
	if (fl > 90)
		fl = 90;
	return fl < 0 ? 0 : fl;
}

static void write_trend_chart(const trust_report *r, FILE *f, const national *nat, int lo)
{
	const report_school *t = &r->trust;
	const double x0 = 44, x1 = 740, y0 = 14, y1 = 250, H = 290;
	size_t n = t->n_weeks;
	double dx = n > 1 ? (x1 - x0) / (double)(n - 1) : 0;
	double sy = (y1 - y0) / (100.0 - lo);
	int step = 100 - lo <= 6 ? 1 : 100 - lo <= 16 ? 2 : 100 - lo <= 40 ? 5 : 10;

	fputs("<figure>\n<svg role=\"img\" aria-labelledby=\"tr-t tr-d\" viewBox=\"0 0 800 ", f);
	put_num(f, H);
	fputs("\">\n<title id=\"tr-t\">Trust attendance by "
	      "school week</title>\n<desc id=\"tr-d\">",
	      f);
	fprintf(f, "%zu school weeks", n);
	if (n) {
		uint64_t p = t->week_possible[n - 1];
		fputs("; latest week (w/c ", f);
		put_date(f, t->week_start[n - 1], false, true);
		fputs(") ", f);
		put_pct(f, p > t->week_absence[n - 1] ? p - t->week_absence[n - 1] : 0, p);
	}
	if (nat->ok) {
		fputs("; national ", f);
		put_pct(f, nat->num, nat->den);
	}
	fputs(".</desc>\n", f);

	for (int v = lo; v <= 100; v += step) {
		double y = y1 - (v - lo) * sy;
		fputs("<line class=\"grid\" x1=\"", f);
		put_num(f, x0);
		fputs("\" x2=\"", f);
		put_num(f, x1);
		fputs("\" y1=\"", f);
		put_num(f, y);
		fputs("\" y2=\"", f);
		put_num(f, y);
		fputs("\"/>\n<text class=\"ax\" text-anchor=\"end\" x=\"", f);
		put_num(f, x0 - 6);
		fputs("\" y=\"", f);
		put_num(f, y + 4);
		fprintf(f, "\">%d%%</text>\n", v);
	}
	/* Holidays: a dotted line between school weeks more than 7 days apart. */
	for (size_t w = 1; w < n; w++) {
		if (t->week_start[w] - t->week_start[w - 1] <= 7)
			continue;
		double x = x0 + dx * ((double)w - 0.5);
		fputs("<line class=\"hol\" x1=\"", f);
		put_num(f, x);
		fputs("\" x2=\"", f);
		put_num(f, x);
		fputs("\" y1=\"", f);
		put_num(f, y0);
		fputs("\" y2=\"", f);
		put_num(f, y1);
		fputs("\"><title>holiday</title></line>\n", f);
	}
	size_t every = n <= 14 ? 1 : (n + 13) / 14;
	for (size_t w = 0; w < n; w += every) {
		fputs("<text class=\"ax\" text-anchor=\"middle\" x=\"", f);
		put_num(f, x0 + dx * (double)w);
		fputs("\" y=\"", f);
		put_num(f, y1 + 18);
		fputs("\">", f);
		put_date(f, t->week_start[w], false, false);
		fputs("</text>\n", f);
	}
	fputs("<text class=\"ax\" x=\"", f);
	put_num(f, x0);
	fputs("\" y=\"", f);
	put_num(f, y1 + 34);
	fputs("\">School weeks (week commencing)</text>\n", f);

	if (nat->ok) {
		double y = y1 - (rate(nat->num, nat->den) - lo) * sy;
		fputs("<line class=\"natline\" x1=\"", f);
		put_num(f, x0);
		fputs("\" x2=\"", f);
		put_num(f, x1);
		fputs("\" y1=\"", f);
		put_num(f, y);
		fputs("\" y2=\"", f);
		put_num(f, y);
		fputs("\"/>\n<text class=\"ax\" x=\"", f);
		put_num(f, x1 + 4);
		fputs("\" y=\"", f);
		put_num(f, y - 3);
		fputs("\" fill=\"#111\">National</text>\n<text class=\"ax\" x=\"", f);
		put_num(f, x1 + 4);
		fputs("\" y=\"", f);
		put_num(f, y + 10);
		fputs("\">", f);
		put_pct(f, nat->num, nat->den);
		fputs("</text>\n", f);
	}

	/* The line, broken at weeks without sessions. */
	bool open = false;
	for (size_t w = 0; w < n; w++) {
		uint64_t p = t->week_possible[w];
		if (!p) {
			if (open)
				fputs("\"/>\n", f);
			open = false;
			continue;
		}
		uint64_t a = p > t->week_absence[w] ? p - t->week_absence[w] : 0;
		fputs(open ? " " : "<polyline class=\"line\" points=\"", f);
		open = true;
		put_num(f, x0 + dx * (double)w);
		fputc(',', f);
		put_num(f, y1 - (rate(a, p) - lo) * sy);
	}
	if (open)
		fputs("\"/>\n", f);
	size_t last = SIZE_MAX;
	for (size_t w = 0; w < n; w++) {
		uint64_t p = t->week_possible[w];
		if (!p)
			continue;
		uint64_t a = p > t->week_absence[w] ? p - t->week_absence[w] : 0;
		fputs("<circle class=\"pt\" r=\"2.8\" cx=\"", f);
		put_num(f, x0 + dx * (double)w);
		fputs("\" cy=\"", f);
		put_num(f, y1 - (rate(a, p) - lo) * sy);
		fputs("\"><title>w/c ", f);
		put_date(f, t->week_start[w], false, true);
		fputs(": ", f);
		put_pct(f, a, p);
		fputs("</title></circle>\n", f);
		last = w;
	}
	if (last != SIZE_MAX) {
		uint64_t p = t->week_possible[last];
		uint64_t a = p > t->week_absence[last] ? p - t->week_absence[last] : 0;
		/* Latest value on the side away from the national line. */
		bool under = nat->ok && rate(a, p) < rate(nat->num, nat->den);
		fputs("<text font-size=\"12\" font-weight=\"700\" text-anchor=\"end\" x=\"", f);
		put_num(f, x0 + dx * (double)last - 6);
		fputs("\" y=\"", f);
		put_num(f, y1 - (rate(a, p) - lo) * sy + (under ? 17 : -8));
		fputs("\">", f);
		put_pct(f, a, p);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n<figcaption>Attendance of the headline population in each school week", f);
	if (nat->ok) {
		fputs("; dashed line: national attendance (", f);
		put_national_label(f, nat);
		fputc(')', f);
	}
	fputs("; dotted lines: holidays.</figcaption>\n</figure>\n", f);
}

/* A school's weekly attendance as a 240 x 40 sparkline on the common scale lo..100. */
static void sparkline(FILE *f, const report_school *s, int lo, const report_benchmark *b)
{
	const double W = 240, H = 40, pad = 3;
	double dx = s->n_weeks > 1 ? (W - 2 * pad) / (double)(s->n_weeks - 1) : 0;
	double sy = (H - 2 * pad) / (100.0 - lo);

	fputs("<svg width=\"240\" height=\"40\" viewBox=\"0 0 240 40\" role=\"img\" "
	      "aria-label=\"Weekly attendance of ",
	      f);
	ESC(f, s->name);
	fprintf(f, ", %zu weeks\">", s->n_weeks);
	if (b) {
		double y = H - pad - ((100.0 - b->tenths / 10.0) - lo) * sy;
		fputs("<line class=\"natline\" x1=\"0\" x2=\"240\" y1=\"", f);
		put_num(f, y);
		fputs("\" y2=\"", f);
		put_num(f, y);
		fputs("\" stroke-width=\"1\"/>", f);
	}
	bool open = false;
	size_t last = SIZE_MAX;
	double lx = 0, ly = 0;
	for (size_t w = 0; w < s->n_weeks; w++) {
		uint64_t p = s->week_possible[w];
		if (!p) {
			if (open)
				fputs("\"/>", f);
			open = false;
			continue;
		}
		uint64_t a = p > s->week_absence[w] ? p - s->week_absence[w] : 0;
		lx = pad + dx * (double)w;
		ly = H - pad - (rate(a, p) - lo) * sy;
		fputs(open ? " " : "<polyline class=\"line\" stroke-width=\"1.6\" points=\"", f);
		open = true;
		put_num(f, lx);
		fputc(',', f);
		put_num(f, ly);
		last = w;
	}
	if (open)
		fputs("\"/>", f);
	if (last != SIZE_MAX) {
		fputs("<circle class=\"pt\" r=\"2.5\" cx=\"", f);
		put_num(f, lx);
		fputs("\" cy=\"", f);
		put_num(f, ly);
		fputs("\"/>", f);
	}
	fputs("</svg>", f);
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
		ESC(f, s->name);
	fputs("</th><td class=\"l\">", f);
	sparkline(f, s, lo, trust ? NULL : phase_absence(r, s));
	fputs("</td><td class=\"num\">", f);
	size_t lw = SIZE_MAX;
	for (size_t w = 0; w < s->n_weeks; w++)
		if (s->week_possible[w])
			lw = w;
	if (lw == SIZE_MAX) {
		fputs("&ndash;", f);
	} else {
		uint64_t p = s->week_possible[lw];
		put_pct(f, p > s->week_absence[lw] ? p - s->week_absence[lw] : 0, p);
		fputs("<span class=\"sub\">w/c ", f);
		put_date(f, s->week_start[lw], false, false);
		fputs("</span>", f);
	}
	fputs("</td><td>", f);
	put_pct(f, attended(l4), l4->possible);
	fputs("</td><td>", f);
	put_pct(f, attended(y), y->possible);
	fputs("</td><td class=\"num\">", f);
	int sign = gap_signed(attended(l4), l4->possible, attended(y), y->possible, g);
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
	national nat = trust_national(r, "overall_absence", true, false);

	fputs("<section id=\"trend\" class=\"page\" aria-labelledby=\"trend-h\">\n<h2 "
	      "id=\"trend-h\">Weekly trend</h2>\n",
	      f);
	if (t->n_weeks == 0) {
		fputs("<p class=\"note\">No school weeks yet this year.</p>\n</section>\n", f);
		return;
	}
	write_trend_chart(r, f, &nat, trend_floor(r, &nat, false));
	int lo = trend_floor(r, &nat, true);

	fputs("<h3>By school</h3>\n<table id=\"trend-table\">\n<caption>Weekly attendance by "
	      "school</caption>\n<thead><tr><th scope=\"col\" class=\"l\">School</th><th "
	      "scope=\"col\" class=\"l\">Weekly attendance, this year",
	      f);
	fprintf(f, " (scale %d&ndash;100%%; dashed: national for the phase)</th>", lo);
	fputs("<th scope=\"col\">Latest week</th><th scope=\"col\">Last 4 weeks</th><th "
	      "scope=\"col\">Year to date</th><th scope=\"col\">Last 4 weeks vs year</th></tr>"
	      "</thead>\n<tbody>\n",
	      f);
	trend_row(r, f, t, true, lo);
	FOR_RANKED(r, i)
	{
		trend_row(r, f, &r->schools[i], false, lo);
	}
	fputs("</tbody>\n</table>\n", f);

	fputs("<h3>Trust attendance by week</h3>\n<ol class=\"weeks\">\n", f);
	for (size_t w = 0; w < t->n_weeks; w++) {
		uint64_t p = t->week_possible[w];
		fputs("<li><span>w/c ", f);
		put_date(f, t->week_start[w], false, false);
		fputs("</span> <b>", f);
		put_pct(f, p > t->week_absence[w] ? p - t->week_absence[w] : 0, p);
		fputs("</b></li>\n", f);
	}
	fputs("</ol>\n</section>\n", f);
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
	fputs("<section id=\"notes\" aria-labelledby=\"notes-h\">\n<h2 id=\"notes-h\">Notes"
	      "</h2>\n<dl class=\"defs\">\n"
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
			ESC(f, b->source);
		else
			fputs("national benchmark", f);
		fputs(" (", f);
		ESC(f, b->year);
		fputc(')', f);
	}
	if (!shown)
		fputs("none loaded", f);
	fputs(". Whole-school figures are for the school&#39;s phase; trust figures weight each "
	      "school&#39;s phase figure by its possible sessions (by pupils for PA and SA). The "
	      "trust updates them with <code>rollcall benchmark import</code>.</dd>\n</dl>\n"
	      "</section>\n<footer>Rollcall &middot; trust attendance as of ",
	      f);
	put_date(f, r->as_of, true, true);
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
	write_schools(r, f);
	write_categories(r, f);
	write_cohorts(r, f);
	write_trend(r, f);
	write_notes(r, f);
	fputs("</body>\n</html>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
