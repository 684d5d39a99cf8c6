/* The report charts, drawn as inline SVG over plain arrays: ranked bars with a reference mark,
 * a stacked bar, diverging bars, a line series with gaps, a sparkline, columns and a heat map.
 * Geometry, axes and markup live here; what the bars mean (labels, values as text, legends) is the
 * caller's, through strings and small callbacks. Every page that draws one of these uses this
 * module. */
#ifndef ROLLCALL_WORKER_CHART_H
#define ROLLCALL_WORKER_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "svg.h"

/* Writes text for item i of a chart at baseline offset y (the chart's own coordinates). */
typedef void (*chart_text_fn)(void *user, FILE *f, size_t i, double y);

/* ---- ranked bars with a reference mark ------------------------------------------------------
 * Horizontal bars from 0, one row per item in the order given; row 0 is a summary row (the
 * trust, the school) set apart by a rule. Each row may carry a reference mark (a national
 * figure). The axis runs from 0 to axis.hi with a labelled grid line every axis.step. */
typedef struct chart_bar {
	bool has_bar;
	double value;    /* bar length in axis units */
	const char *cls; /* the bar's class ("b-worse", "b-better", "b-none") */
	bool has_ref;
	double ref; /* reference mark in axis units */
} chart_bar;

typedef struct chart_bars {
	const char *id;    /* figure id prefix */
	const char *title; /* <title> HTML */
	svg_axis axis;     /* lo 0; grid labels "v%" */
	double x0, x1;     /* where the axis runs */
	double top, row;   /* first row, row height */
	size_t n;
	const chart_bar *bars;
	void *user;
	void (*desc)(void *user, FILE *f); /* the <desc> text */
	chart_text_fn label;               /* texts left of the bars (x 0) */
	chart_text_fn value;               /* texts right of the bars (x1 + 14) */
	chart_text_fn ref_title;           /* the reference mark's tooltip (y unused) */
	const char *caption;               /* figcaption HTML */
} chart_bars;

void chart_ranked_bars(FILE *f, const chart_bars *c);

/* ---- stacked bar ----------------------------------------------------------------------------
 * One bar of width x height split into n parts in order, each with its class and label (the
 * image's accessible label lists "label count" for every part; each piece's tooltip adds its
 * share). All parts 0: an empty grey bar. */
void chart_stacked_bar(FILE *f, double width, double height, const uint64_t *parts, size_t n,
                       const char *const *labels, const char *const *classes);

/* ---- diverging bars -------------------------------------------------------------------------
 * Bars left (negative) or right (positive) of a zero line, rows under group headings, with an
 * optional diamond marker per row (a national gap). The axis runs from -lim to +lim with a
 * grid line every lim / 5, labelled with their sign. */
typedef struct chart_dbar {
	const char *group; /* heading: a new one starts where it changes (pointer compare) */
	const char *label; /* row label (cut to 34 characters), escaped here */
	size_t label_len;  /* bytes of label to look at */
	bool has_bar;
	double value;    /* signed, in axis units */
	const char *cls; /* the bar's class */
	bool has_marker;
	double marker;
	const char *marker_title; /* text of the marker's tooltip (not escaped) */
} chart_dbar;

typedef struct chart_dbars {
	const char *id, *title;
	int lim;
	const char *left_words, *right_words, *right_head; /* HTML */
	size_t n;
	const chart_dbar *rows;
	void *user;
	void (*desc)(void *user, FILE *f);
	chart_text_fn value; /* the text right of row i (inside a <text>) */
	const char *caption;
} chart_dbars;

/* The height the chart will take (for a caller that must know). */
double chart_diverging_height(const chart_dbars *c);

void chart_diverging(FILE *f, const chart_dbars *c);

/* ---- weekly attendance as a line with gaps -------------------------------------------------
 * A series of school weeks: week i starts on day[i] (a Monday) and has possible[i] possible
 * and absence[i] absence sessions; its attendance is (possible - absence) / possible, and a
 * week without possible sessions is a gap in the line. */
typedef struct chart_series {
	size_t n;
	const int32_t *day;
	const uint64_t *possible;
	const uint64_t *absence;
} chart_series;

/* Attendance of week i in percent (0 for a gap). */
double chart_series_value(const chart_series *s, size_t i);

typedef struct chart_line {
	const char *id, *title;
	const chart_series *s;
	int lo, step; /* the y axis runs lo..100 with a labelled grid line every step */
	bool has_ref; /* a dashed reference line (a national figure) num / den, labelled */
	uint64_t ref_num, ref_den;
	const char *ref_label;
	void *user;
	void (*desc)(void *user, FILE *f);
	const char *x_caption; /* under the x axis */
} chart_line;

/* Holidays (more than 7 days between two school weeks) are dotted lines; every point has a
 * tooltip "w/c DATE: PCT"; the latest value is written beside its point. Height 290. */
void chart_line_draw(FILE *f, const chart_line *c);

/* A sparkline of the series, 240 x 40, on the scale lo..100, with an optional dashed
 * reference at ref (percent). aria writes the accessible label (escaped by the caller). */
void chart_sparkline(FILE *f, const chart_series *s, int lo, bool has_ref, double ref,
                     void (*aria)(void *user, FILE *f), void *user);

/* The same, width x height. */
void chart_sparkline_sized(FILE *f, const chart_series *s, int lo, bool has_ref, double ref,
                           double width, double height, void (*aria)(void *user, FILE *f),
                           void *user);

/* ---- columns --------------------------------------------------------------------------------
 * Vertical bars from 0, one per item in the order given, each with its class, a label under it
 * and a note over it (a count and share); the y axis runs from 0 to axis.hi with a labelled
 * grid line every axis.step. Height CHART_COLUMNS_H. */
#define CHART_COLUMNS_H 230.0

typedef struct chart_column {
	double value;      /* bar height in axis units (clamped to the axis) */
	const char *cls;   /* the bar's class */
	const char *label; /* under the bar (HTML) */
	const char *note;  /* over the bar (HTML); NULL: none */
} chart_column;

typedef struct chart_columns {
	const char *id, *title; /* figure id prefix; <title> HTML */
	size_t n;
	const chart_column *cols;
	svg_axis axis;    /* lo 0 */
	const char *unit; /* after each grid label ("%") */
	void *user;
	void (*desc)(void *user, FILE *f); /* the <desc> text */
	const char *caption;               /* figcaption HTML, NULL: none */
} chart_columns;

/* Where column i of n has its centre between x0 and x1. */
double chart_column_x(size_t i, size_t n, double x0, double x1);

void chart_columns_draw(FILE *f, const chart_columns *c);

/* ---- heat map -------------------------------------------------------------------------------
 * A grid of rows x cols cells (say Monday..Friday by AM/PM), each a rate num / den written as a
 * percentage and shaded by where it falls between the lowest and highest rate of the grid (so
 * a pattern shows whatever the school's overall rate); a cell with den 0 is blank. */
#define CHART_HEAT_LEVELS 6

/* The shade of v on lo..hi, 0..CHART_HEAT_LEVELS - 1 in equal steps (0 when hi <= lo). */
int chart_heat_level(double v, double lo, double hi);

typedef struct chart_heat {
	const char *id, *title;
	size_t rows, cols;
	const char *const *row_labels; /* HTML */
	const char *const *col_labels; /* HTML */
	const uint64_t *num, *den;     /* rows x cols, row by row */
	void *user;
	void (*desc)(void *user, FILE *f);
	const char *caption;
} chart_heat;

void chart_heat_draw(FILE *f, const chart_heat *c);

#endif
