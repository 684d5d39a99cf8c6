/* SVG coordinates, chart figures and nice axes. */
#include "svg.h"

#include <math.h>
#include <stdbool.h>

void svg_num(FILE *f, double x)
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

void svg_figure_begin(FILE *f, const char *id, double height, const char *title)
{
	fprintf(f, "<figure>\n<svg role=\"img\" aria-labelledby=\"%s-t %s-d\" viewBox=\"0 0 800 ",
	        id, id);
	svg_num(f, height);
	fprintf(f, "\">\n<title id=\"%s-t\">%s</title>\n<desc id=\"%s-d\">", id, title, id);
}

void svg_desc_end(FILE *f)
{
	fputs("</desc>\n", f);
}

void svg_figure_end(FILE *f, const char *caption)
{
	if (!caption) {
		fputs("</svg>\n</figure>\n", f);
		return;
	}
	svg_caption_begin(f);
	fputs(caption, f);
	svg_caption_end(f);
}

void svg_caption_begin(FILE *f)
{
	fputs("</svg>\n<figcaption>", f);
}

void svg_caption_end(FILE *f)
{
	fputs("</figcaption>\n</figure>\n", f);
}

void svg_axis_nice(svg_axis *a, double lo, double hi, int max_ticks)
{
	static const double mult[] = {1, 2, 5};
	double span, step = 1;

	if (max_ticks < 1)
		max_ticks = 1;
	if (!(hi > lo))
		hi = lo + 1;
	span = hi - lo;
	/* The smallest 1/2/5 x 10^k step giving at most max_ticks intervals. */
	for (double p = pow(10, floor(log10(span / max_ticks))) / 10;; p *= 10) {
		bool found = false;

		for (int i = 0; i < 3 && !found; i++) {
			double s = mult[i] * p;

			if (floor(lo / s) * s + s * max_ticks >= hi - 1e-9 * span &&
			    ceil(hi / s - 1e-9) - floor(lo / s + 1e-9) <= max_ticks) {
				step = s;
				found = true;
			}
		}
		if (found)
			break;
	}
	a->step = step;
	a->lo = floor(lo / step + 1e-9) * step;
	a->hi = ceil(hi / step - 1e-9) * step;
	if (a->hi <= a->lo)
		a->hi = a->lo + step;
}

double svg_axis_at(const svg_axis *a, double v, double p0, double p1)
{
	if (v < a->lo)
		v = a->lo;
	if (v > a->hi)
		v = a->hi;
	return p0 + (v - a->lo) / (a->hi - a->lo) * (p1 - p0);
}
