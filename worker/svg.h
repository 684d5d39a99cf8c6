/* SVG building blocks for the report charts: locale-independent coordinates, the figure and
 * accessible title every chart opens with, and axes with nice ticks. Charts are inline SVG
 * drawn by our code (no script, no external resource). */
#ifndef ROLLCALL_WORKER_SVG_H
#define ROLLCALL_WORKER_SVG_H

#include <stdio.h>

/* Width of every chart's viewBox: about the printable width of A4 in CSS pixels, so that the
 * charts' 11-12 unit text prints at 8-9 pt. */
#define SVG_W 800.0

/* A coordinate or length with one decimal ("12.5", "-3", "40"), whatever the locale. */
void svg_num(FILE *f, double x);

/* "<figure>\n<svg role="img" aria-labelledby="ID-t ID-d" viewBox="0 0 800 H">\n<title
 * id="ID-t">TITLE</title>\n<desc id="ID-d">": the caller writes the description (what a
 * screen reader says instead of the picture), then svg_desc_end. title is HTML. */
void svg_figure_begin(FILE *f, const char *id, double height, const char *title);

/* "</desc>\n". */
void svg_desc_end(FILE *f);

/* "</svg>\n<figcaption>CAPTION</figcaption>\n</figure>\n"; caption is HTML (NULL: none). */
void svg_figure_end(FILE *f, const char *caption);

/* The same in two halves, for a caption the caller writes: "</svg>\n<figcaption>", then
 * "</figcaption>\n</figure>\n". */
void svg_caption_begin(FILE *f);
void svg_caption_end(FILE *f);

/* A linear axis from lo to hi with a tick every step (lo and hi multiples of step). */
typedef struct svg_axis {
	double lo, hi, step;
} svg_axis;

/* The axis covering [lo, hi] with "nice" ticks: a step of 1, 2 or 5 times a power of ten such
 * that there are at most max_ticks intervals, lo rounded down and hi up to multiples of it.
 * An empty or reversed range becomes one step wide. */
void svg_axis_nice(svg_axis *a, double lo, double hi, int max_ticks);

/* Where v falls between pixels p0 (at a->lo) and p1 (at a->hi); v outside the axis is clamped
 * to it. */
double svg_axis_at(const svg_axis *a, double v, double p0, double p1);

#endif
