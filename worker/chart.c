/* Chart geometry and markup (see chart.h). Coordinates are computed in doubles and written with
 * svg_num, so the same figures always give the same bytes. */
#include "chart.h"

#include <string.h>

#include "html.h"

/* ---- ranked bars ---------------------------------------------------------------------------- */

static void bar_row(FILE *f, const chart_bars *c, size_t i, double y, double scale)
{
	const chart_bar *b = &c->bars[i];

	fputs("<g>\n", f);
	c->label(c->user, f, i, y);
	if (b->has_bar) {
		fprintf(f, "<rect class=\"%s\" x=\"", b->cls);
		svg_num(f, c->x0);
		fputs("\" y=\"", f);
		svg_num(f, y + 6);
		fputs("\" width=\"", f);
		svg_num(f, b->value * scale);
		fputs("\" height=\"17\"/>\n", f);
	}
	if (b->has_ref) {
		double nx = c->x0 + b->ref * scale;

		fputs("<line class=\"nat\" x1=\"", f);
		svg_num(f, nx);
		fputs("\" x2=\"", f);
		svg_num(f, nx);
		fputs("\" y1=\"", f);
		svg_num(f, y + 1);
		fputs("\" y2=\"", f);
		svg_num(f, y + 28);
		fputs("\"><title>", f);
		c->ref_title(c->user, f, i, y);
		fputs("</title></line>\n", f);
	}
	c->value(c->user, f, i, y);
	fputs("</g>\n", f);
}

void chart_ranked_bars(FILE *f, const chart_bars *c)
{
	double scale = (c->x1 - c->x0) / c->axis.hi; /* units per axis unit */
	double h = c->top + c->row * (double)c->n + 12;

	svg_figure_begin(f, c->id, h, c->title);
	c->desc(c->user, f);
	svg_desc_end(f);
	for (double v = 0; v <= c->axis.hi; v += c->axis.step) {
		double x = c->x0 + v * scale;

		fputs("<line class=\"grid\" x1=\"", f);
		svg_num(f, x);
		fputs("\" x2=\"", f);
		svg_num(f, x);
		fputs("\" y1=\"", f);
		svg_num(f, c->top - 4);
		fputs("\" y2=\"", f);
		svg_num(f, h - 8);
		fputs("\"/>\n<text class=\"ax\" text-anchor=\"middle\" x=\"", f);
		svg_num(f, x);
		fprintf(f, "\" y=\"12\">%g%%</text>\n", v);
	}
	if (c->n > 0) {
		bar_row(f, c, 0, c->top, scale);
		fputs("<line class=\"zero\" x1=\"0\" x2=\"800\" y1=\"", f);
		svg_num(f, c->top + c->row - 3);
		fputs("\" y2=\"", f);
		svg_num(f, c->top + c->row - 3);
		fputs("\"/>\n", f);
	}
	for (size_t i = 1; i < c->n; i++)
		bar_row(f, c, i, c->top + c->row * (double)i + 2, scale);
	svg_figure_end(f, c->caption);
}

/* ---- stacked bar ---------------------------------------------------------------------------- */

void chart_stacked_bar(FILE *f, double width, double height, const uint64_t *parts, size_t n,
                       const char *const *labels, const char *const *classes)
{
	uint64_t total = 0, before = 0;

	for (size_t i = 0; i < n; i++)
		total += parts[i];
	fputs("<svg class=\"bar\" width=\"", f);
	svg_num(f, width);
	fputs("\" height=\"", f);
	svg_num(f, height);
	fputs("\" viewBox=\"0 0 ", f);
	svg_num(f, width);
	fputc(' ', f);
	svg_num(f, height);
	fputs("\" role=\"img\" aria-label=\"", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s%s ", i > 0 ? ", " : "", labels[i]);
		html_count(f, parts[i]);
	}
	fputs("\">", f);
	if (total == 0) {
		fputs("<rect x=\"0\" y=\"0\" width=\"", f);
		svg_num(f, width);
		fputs("\" height=\"", f);
		svg_num(f, height);
		fputs("\" fill=\"#eef0f2\"/>", f);
	}
	for (size_t i = 0; total && i < n; i++) {
		double x, w;

		if (!parts[i])
			continue;
		x = width * (double)before / (double)total;
		w = width * (double)(before + parts[i]) / (double)total - x;
		fprintf(f, "<rect class=\"%s\" x=\"", classes[i]);
		svg_num(f, x);
		fputs("\" y=\"0\" width=\"", f);
		svg_num(f, w);
		fputs("\" height=\"", f);
		svg_num(f, height);
		fprintf(f, "\"><title>%s: ", labels[i]);
		html_count(f, parts[i]);
		fputs(" (", f);
		html_pct(f, parts[i], total);
		fputs(")</title></rect>", f);
		before += parts[i];
	}
	fputs("</svg>", f);
}

/* ---- diverging bars ------------------------------------------------------------------------- */

enum { DIV_TOP = 34, DIV_ROW = 19, DIV_GHEAD = 22, DIV_LX = 250, DIV_RX = 610 };

double chart_diverging_height(const chart_dbars *c)
{
	size_t groups = 0;
	const char *group = NULL;

	for (size_t i = 0; i < c->n; i++)
		if (i == 0 || c->rows[i].group != group) {
			group = c->rows[i].group;
			groups++;
		}
	return DIV_TOP + DIV_ROW * (double)c->n + DIV_GHEAD * (double)groups + 8;
}

void chart_diverging(FILE *f, const chart_dbars *c)
{
	const double lx = DIV_LX, rx = DIV_RX, zx = (lx + rx) / 2, top = DIV_TOP;
	double scale = (rx - lx) / 2 / c->lim;
	double h = chart_diverging_height(c), y = top;
	const char *group = NULL;

	svg_figure_begin(f, c->id, h, c->title);
	c->desc(c->user, f);
	svg_desc_end(f);
	/* Axis: gridlines, labels, direction words. */
	for (int v = -c->lim; v <= c->lim; v += c->lim / 5) {
		double x = zx + v * scale;

		fprintf(f, "<line class=\"%s\" x1=\"", v == 0 ? "zero" : "grid");
		svg_num(f, x);
		fputs("\" x2=\"", f);
		svg_num(f, x);
		fputs("\" y1=\"", f);
		svg_num(f, top - 6);
		fputs("\" y2=\"", f);
		svg_num(f, h - 4);
		fputs("\"/>\n<text class=\"ax\" text-anchor=\"middle\" x=\"", f);
		svg_num(f, x);
		fprintf(f, "\" y=\"24\">%s%d</text>\n", v > 0 ? "+" : "", v);
	}
	fputs("<text class=\"ax t-worse\" text-anchor=\"end\" x=\"", f);
	svg_num(f, zx - 6);
	fprintf(f, "\" y=\"10\">%s</text>\n", c->left_words);
	fputs("<text class=\"ax t-better\" x=\"", f);
	svg_num(f, zx + 6);
	fprintf(f, "\" y=\"10\">%s</text>\n", c->right_words);
	fputs("<text class=\"ax\" x=\"", f);
	svg_num(f, rx + 14);
	fprintf(f, "\" y=\"24\">%s</text>\n", c->right_head);

	for (size_t i = 0; i < c->n; i++) {
		const chart_dbar *r = &c->rows[i];

		if (i == 0 || r->group != group) {
			group = r->group;
			fputs("<text x=\"0\" y=\"", f);
			svg_num(f, y + 15);
			fprintf(f, "\" font-size=\"11.5\" font-weight=\"700\">%s</text>\n", group);
			y += DIV_GHEAD;
		}
		fputs("<text x=\"12\" y=\"", f);
		svg_num(f, y + 13);
		fputs("\" font-size=\"12\">", f);
		html_esc_cut(f, r->label, r->label_len, 34);
		fputs("</text>\n", f);
		if (r->has_bar) {
			double x = r->value < 0 ? zx + r->value * scale : zx;
			double w = (r->value < 0 ? -r->value : r->value) * scale;

			fprintf(f, "<rect class=\"%s\" x=\"", r->cls);
			svg_num(f, x);
			fputs("\" y=\"", f);
			svg_num(f, y + 3);
			fputs("\" width=\"", f);
			svg_num(f, w < 0.5 ? 0.5 : w);
			fputs("\" height=\"13\"/>\n", f);
		}
		if (r->has_marker) {
			fputs("<rect class=\"natd\" width=\"7\" height=\"7\" "
			      "transform=\"translate(",
			      f);
			svg_num(f, zx + r->marker * scale);
			fputc(' ', f);
			svg_num(f, y + 4.5);
			fprintf(f, ") rotate(45)\"><title>%s</title></rect>\n", r->marker_title);
		}
		fputs("<text x=\"", f);
		svg_num(f, rx + 14);
		fputs("\" y=\"", f);
		svg_num(f, y + 13);
		fputs("\" font-size=\"12\">", f);
		c->value(c->user, f, i, y);
		fputs("</text>\n", f);
		y += DIV_ROW;
	}
	svg_figure_end(f, c->caption);
}

/* ---- weekly attendance line ----------------------------------------------------------------- */

static uint64_t series_attended(const chart_series *s, size_t i)
{
	return s->possible[i] > s->absence[i] ? s->possible[i] - s->absence[i] : 0;
}

double chart_series_value(const chart_series *s, size_t i)
{
	uint64_t p = s->possible[i];

	return p ? 100.0 * (double)series_attended(s, i) / (double)p : 0.0;
}

/* The points of the series as polylines broken at its gaps, mapped by x(i) and y(v). */
static void polylines(FILE *f, const chart_series *s, const char *open_tag, double x0, double dx,
                      double ybase, double lo, double sy, const char *close_tag)
{
	bool open = false;

	for (size_t w = 0; w < s->n; w++) {
		if (!s->possible[w]) {
			if (open)
				fputs(close_tag, f);
			open = false;
			continue;
		}
		fputs(open ? " " : open_tag, f);
		open = true;
		svg_num(f, x0 + dx * (double)w);
		fputc(',', f);
		svg_num(f, ybase - (chart_series_value(s, w) - lo) * sy);
	}
	if (open)
		fputs(close_tag, f);
}

void chart_line_draw(FILE *f, const chart_line *c)
{
	const chart_series *s = c->s;
	const double x0 = 44, x1 = 740, y0 = 14, y1 = 250, H = 290;
	size_t n = s->n, last = SIZE_MAX, every = n <= 14 ? 1 : (n + 13) / 14;
	double dx = n > 1 ? (x1 - x0) / (double)(n - 1) : 0;
	double sy = (y1 - y0) / (100.0 - c->lo);
	double ref = c->has_ref ? 100.0 * (double)c->ref_num / (double)c->ref_den : 0;

	svg_figure_begin(f, c->id, H, c->title);
	c->desc(c->user, f);
	svg_desc_end(f);
	for (int v = c->lo; v <= 100; v += c->step) {
		double y = y1 - (v - c->lo) * sy;

		fputs("<line class=\"grid\" x1=\"", f);
		svg_num(f, x0);
		fputs("\" x2=\"", f);
		svg_num(f, x1);
		fputs("\" y1=\"", f);
		svg_num(f, y);
		fputs("\" y2=\"", f);
		svg_num(f, y);
		fputs("\"/>\n<text class=\"ax\" text-anchor=\"end\" x=\"", f);
		svg_num(f, x0 - 6);
		fputs("\" y=\"", f);
		svg_num(f, y + 4);
		fprintf(f, "\">%d%%</text>\n", v);
	}
	/* Holidays: a dotted line between school weeks more than 7 days apart. */
	for (size_t w = 1; w < n; w++) {
		double x;

		if (s->day[w] - s->day[w - 1] <= 7)
			continue;
		x = x0 + dx * ((double)w - 0.5);
		fputs("<line class=\"hol\" x1=\"", f);
		svg_num(f, x);
		fputs("\" x2=\"", f);
		svg_num(f, x);
		fputs("\" y1=\"", f);
		svg_num(f, y0);
		fputs("\" y2=\"", f);
		svg_num(f, y1);
		fputs("\"><title>holiday</title></line>\n", f);
	}
	for (size_t w = 0; w < n; w += every) {
		fputs("<text class=\"ax\" text-anchor=\"middle\" x=\"", f);
		svg_num(f, x0 + dx * (double)w);
		fputs("\" y=\"", f);
		svg_num(f, y1 + 18);
		fputs("\">", f);
		html_date(f, s->day[w], false, false);
		fputs("</text>\n", f);
	}
	fputs("<text class=\"ax\" x=\"", f);
	svg_num(f, x0);
	fputs("\" y=\"", f);
	svg_num(f, y1 + 34);
	fprintf(f, "\">%s</text>\n", c->x_caption);

	if (c->has_ref) {
		double y = y1 - (ref - c->lo) * sy;

		fputs("<line class=\"natline\" x1=\"", f);
		svg_num(f, x0);
		fputs("\" x2=\"", f);
		svg_num(f, x1);
		fputs("\" y1=\"", f);
		svg_num(f, y);
		fputs("\" y2=\"", f);
		svg_num(f, y);
		fputs("\"/>\n<text class=\"ax\" x=\"", f);
		svg_num(f, x1 + 4);
		fputs("\" y=\"", f);
		svg_num(f, y - 3);
		fprintf(f, "\" fill=\"#111\">%s</text>\n<text class=\"ax\" x=\"", c->ref_label);
		svg_num(f, x1 + 4);
		fputs("\" y=\"", f);
		svg_num(f, y + 10);
		fputs("\">", f);
		html_pct(f, c->ref_num, c->ref_den);
		fputs("</text>\n", f);
	}

	/* The line, broken at weeks without sessions, then a point per week. */
	polylines(f, s, "<polyline class=\"line\" points=\"", x0, dx, y1, c->lo, sy, "\"/>\n");
	for (size_t w = 0; w < n; w++) {
		if (!s->possible[w])
			continue;
		fputs("<circle class=\"pt\" r=\"2.8\" cx=\"", f);
		svg_num(f, x0 + dx * (double)w);
		fputs("\" cy=\"", f);
		svg_num(f, y1 - (chart_series_value(s, w) - c->lo) * sy);
		fputs("\"><title>w/c ", f);
		html_date(f, s->day[w], false, true);
		fputs(": ", f);
		html_pct(f, series_attended(s, w), s->possible[w]);
		fputs("</title></circle>\n", f);
		last = w;
	}
	if (last != SIZE_MAX) {
		double v = chart_series_value(s, last);
		/* Latest value on the side away from the reference line. */
		bool under = c->has_ref && v < ref;

		fputs("<text font-size=\"12\" font-weight=\"700\" text-anchor=\"end\" x=\"", f);
		svg_num(f, x0 + dx * (double)last - 6);
		fputs("\" y=\"", f);
		svg_num(f, y1 - (v - c->lo) * sy + (under ? 17 : -8));
		fputs("\">", f);
		html_pct(f, series_attended(s, last), s->possible[last]);
		fputs("</text>\n", f);
	}
}

/* ---- sparkline ------------------------------------------------------------------------------ */

void chart_sparkline(FILE *f, const chart_series *s, int lo, bool has_ref, double ref,
                     void (*aria)(void *user, FILE *f), void *user)
{
	chart_sparkline_sized(f, s, lo, has_ref, ref, 240, 40, aria, user);
}

void chart_sparkline_sized(FILE *f, const chart_series *s, int lo, bool has_ref, double ref,
                           double W, double H, void (*aria)(void *user, FILE *f), void *user)
{
	const double pad = 3;
	double dx = s->n > 1 ? (W - 2 * pad) / (double)(s->n - 1) : 0;
	double sy = (H - 2 * pad) / (100.0 - lo);
	size_t last = SIZE_MAX;

	fputs("<svg width=\"", f);
	svg_num(f, W);
	fputs("\" height=\"", f);
	svg_num(f, H);
	fputs("\" viewBox=\"0 0 ", f);
	svg_num(f, W);
	fputc(' ', f);
	svg_num(f, H);
	fputs("\" role=\"img\" aria-label=\"", f);
	aria(user, f);
	fputs("\">", f);
	if (has_ref) {
		double y = H - pad - (ref - lo) * sy;

		fputs("<line class=\"natline\" x1=\"0\" x2=\"", f);
		svg_num(f, W);
		fputs("\" y1=\"", f);
		svg_num(f, y);
		fputs("\" y2=\"", f);
		svg_num(f, y);
		fputs("\" stroke-width=\"1\"/>", f);
	}
	polylines(f, s, "<polyline class=\"line\" stroke-width=\"1.6\" points=\"", pad, dx, H - pad,
	          lo, sy, "\"/>");
	for (size_t w = 0; w < s->n; w++)
		if (s->possible[w])
			last = w;
	if (last != SIZE_MAX) {
		fputs("<circle class=\"pt\" r=\"2.5\" cx=\"", f);
		svg_num(f, pad + dx * (double)last);
		fputs("\" cy=\"", f);
		svg_num(f, H - pad - (chart_series_value(s, last) - lo) * sy);
		fputs("\"/>", f);
	}
	fputs("</svg>", f);
}

/* ---- columns -------------------------------------------------------------------------------- */

enum { COL_X0 = 46, COL_X1 = 796, COL_TOP = 26, COL_BASE = 188 };

double chart_column_x(size_t i, size_t n, double x0, double x1)
{
	return n ? x0 + (x1 - x0) * ((double)i + 0.5) / (double)n : x0;
}

void chart_columns_draw(FILE *f, const chart_columns *c)
{
	const svg_axis *a = &c->axis;
	double slot = c->n ? (COL_X1 - COL_X0) / (double)c->n : 0, w = slot * 0.62;

	svg_figure_begin(f, c->id, CHART_COLUMNS_H, c->title);
	c->desc(c->user, f);
	svg_desc_end(f);
	for (double v = a->lo; v <= a->hi + a->step / 2; v += a->step) {
		double y = svg_axis_at(a, v, COL_BASE, COL_TOP);

		fprintf(f, "<line class=\"%s\" x1=\"", v == 0 ? "zero" : "grid");
		svg_num(f, COL_X0);
		fputs("\" x2=\"", f);
		svg_num(f, COL_X1);
		fputs("\" y1=\"", f);
		svg_num(f, y);
		fputs("\" y2=\"", f);
		svg_num(f, y);
		fputs("\"/>\n<text class=\"ax\" text-anchor=\"end\" x=\"", f);
		svg_num(f, COL_X0 - 6);
		fputs("\" y=\"", f);
		svg_num(f, y + 4);
		fprintf(f, "\">%g%s</text>\n", v, c->unit ? c->unit : "");
	}
	for (size_t i = 0; i < c->n; i++) {
		const chart_column *col = &c->cols[i];
		double cx = chart_column_x(i, c->n, COL_X0, COL_X1);
		double y = svg_axis_at(a, col->value, COL_BASE, COL_TOP);

		fprintf(f, "<g>\n<rect class=\"%s\" x=\"", col->cls);
		svg_num(f, cx - w / 2);
		fputs("\" y=\"", f);
		svg_num(f, y);
		fputs("\" width=\"", f);
		svg_num(f, w);
		fputs("\" height=\"", f);
		svg_num(f, COL_BASE - y);
		fputs("\"/>\n", f);
		if (col->note) {
			fputs("<text font-size=\"11.5\" font-weight=\"700\" text-anchor=\"middle\" "
			      "x=\"",
			      f);
			svg_num(f, cx);
			fputs("\" y=\"", f);
			svg_num(f, y - 5);
			fprintf(f, "\">%s</text>\n", col->note);
		}
		fputs("<text class=\"ax\" text-anchor=\"middle\" x=\"", f);
		svg_num(f, cx);
		fputs("\" y=\"", f);
		svg_num(f, COL_BASE + 16);
		fprintf(f, "\">%s</text>\n</g>\n", col->label);
	}
	svg_figure_end(f, c->caption);
}

/* ---- heat map ------------------------------------------------------------------------------- */

int chart_heat_level(double v, double lo, double hi)
{
	int k;

	if (!(hi > lo))
		return 0;
	k = (int)((v - lo) / (hi - lo) * CHART_HEAT_LEVELS);
	return k < 0 ? 0 : k >= CHART_HEAT_LEVELS ? CHART_HEAT_LEVELS - 1 : k;
}

void chart_heat_draw(FILE *f, const chart_heat *c)
{
	/* Light to dark orange: more absence is darker. */
	static const char *const fill[CHART_HEAT_LEVELS] = {"#fdf1e7", "#fbdcc4", "#f6bb91",
	                                                    "#ee965f", "#d9622b", "#a8431a"};
	const double x0 = 110, top = 30, cw = 130, ch = 34;
	double lo = 0, hi = 0, h = top + ch * (double)c->rows + 8;
	bool any = false;

	for (size_t i = 0; i < c->rows * c->cols; i++) {
		double v;

		if (!c->den[i])
			continue;
		v = 100.0 * (double)c->num[i] / (double)c->den[i];
		lo = any && lo < v ? lo : v;
		hi = any && hi > v ? hi : v;
		any = true;
	}
	svg_figure_begin(f, c->id, h, c->title);
	c->desc(c->user, f);
	svg_desc_end(f);
	for (size_t j = 0; j < c->cols; j++) {
		fputs("<text class=\"ax\" text-anchor=\"middle\" x=\"", f);
		svg_num(f, x0 + cw * ((double)j + 0.5));
		fprintf(f, "\" y=\"18\">%s</text>\n", c->col_labels[j]);
	}
	for (size_t i = 0; i < c->rows; i++) {
		double y = top + ch * (double)i;

		fputs("<text font-size=\"12\" x=\"0\" y=\"", f);
		svg_num(f, y + ch / 2 + 4);
		fprintf(f, "\">%s</text>\n", c->row_labels[i]);
		for (size_t j = 0; j < c->cols; j++) {
			size_t k = i * c->cols + j;
			double x = x0 + cw * (double)j, v;
			int lv;

			fputs("<rect x=\"", f);
			svg_num(f, x + 1);
			fputs("\" y=\"", f);
			svg_num(f, y + 1);
			fputs("\" width=\"", f);
			svg_num(f, cw - 2);
			fputs("\" height=\"", f);
			svg_num(f, ch - 2);
			if (!c->den[k]) {
				fputs("\" fill=\"#f3f5f7\"/>\n", f);
				continue;
			}
			v = 100.0 * (double)c->num[k] / (double)c->den[k];
			lv = chart_heat_level(v, lo, hi);
			fprintf(f, "\" fill=\"%s\"><title>", fill[lv]);
			html_pct(f, c->num[k], c->den[k]);
			fputs(" absence</title></rect>\n<text font-size=\"12.5\" "
			      "font-weight=\"700\" "
			      "text-anchor=\"middle\" x=\"",
			      f);
			svg_num(f, x + cw / 2);
			fputs("\" y=\"", f);
			svg_num(f, y + ch / 2 + 4);
			fprintf(f, "\"%s>", lv >= 4 ? " style=\"fill:#fff\"" : "");
			html_pct(f, c->num[k], c->den[k]);
			fputs("</text>\n", f);
		}
	}
	svg_figure_end(f, c->caption);
}
