/* HTML text for every report page: the one place that escapes what goes into a page (names come
 * from schools' exports: audit here for injection), and the number, percentage, date and gap
 * formats every page shares. Everything writes to a FILE; nothing allocates. */
#ifndef ROLLCALL_WORKER_HTML_H
#define ROLLCALL_WORKER_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rollcall/measures.h"

/* Writes at most n bytes of s (up to its NUL) as HTML text or attribute content: & < > " '
 * become entities, control characters spaces. s may be NULL (nothing is written). */
void html_esc_n(FILE *f, const char *s, size_t n);

/* html_esc_n of a NUL-terminated string. */
void html_esc(FILE *f, const char *s);

/* A fixed-size char array field (it may fill its array without a NUL). Refuses to compile for a
 * pointer, whose sizeof would silently cut the text. */
#define HTML_MUST_BE_ARRAY(a)                                                                      \
	(sizeof(char[1 - 2 * __builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0]))]) - 1)
#define HTML_ESC(f, field) html_esc_n((f), (field), sizeof(field) + HTML_MUST_BE_ARRAY(field))

/* Like html_esc_n, cut to max_chars characters (UTF-8 aware) with an ellipsis: chart labels. */
void html_esc_cut(FILE *f, const char *s, size_t n, size_t max_chars);

/* "12,345". */
void html_count(FILE *f, uint64_t n);

/* "12.3%" for 100 num / den (exact, measures_pct_format), or an en dash when den is 0. */
void html_pct(FILE *f, uint64_t num, uint64_t den);

/* A benchmark's value in tenths of a percent as a percentage ("8.9%"); attendance: 100 minus
 * it. Values outside 0..1000 are clamped. */
void html_tenths(FILE *f, int tenths, bool attendance);

/* "12 March 2025" (long) or "12 Mar 2025"; without the year when with_year is false. */
void html_date(FILE *f, int32_t day, bool long_month, bool with_year);

/* "6 Jan &ndash; 12 Mar 2025" (the first year only when it differs). */
void html_range(FILE *f, int32_t first, int32_t last);

/* A rate in basis points as a percentage without trailing zeros: "5%", "4.5%", "4.25%". */
void html_bp(FILE *f, uint32_t bp);

/* The five attendance categories' boundaries (measures_config.category_bp) in words: "expected
 * up to 5% absence; at risk of PA over 5% and under 10%; persistent absence 10% to 20%; at risk
 * of SA over 20% and under 50%; severe absence 50% or more". */
void html_boundaries(FILE *f, const uint32_t category_bp[4]);

/* "Monday" .. "Sunday" for date_weekday's 0..6. */
const char *html_weekday(int dow);

/* "Autumn term 2025/26". */
void html_term(FILE *f, const measures_term *t);

#endif
