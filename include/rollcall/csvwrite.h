/* Writing CSV (RFC 4180) for every CSV file the project writes: reports, returns, packs and the
 * generator's exports. A text cell is quoted when it holds a comma, quote, CR or LF (quotes
 * doubled), and one that begins with =, +, - or @ gets a leading ' so that a spreadsheet never
 * runs it as a formula (contract.md §2). Numbers and dates the program formats itself are
 * written as they are. */
#ifndef ROLLCALL_CSVWRITE_H
#define ROLLCALL_CSVWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The most bytes csvwrite_cell writes for a cell of n bytes. */
#define CSVWRITE_CELL_MAX(n) (2 * (n) + 3)

/* Writes s[0..n) as one text cell into out (room for CSVWRITE_CELL_MAX(n) bytes), guarded when
 * guard is true. Returns the bytes written. */
size_t csvwrite_cell(char *out, const char *s, size_t n, bool guard);

/* A row being written to a stream. The caller owns f; errors show in ferror(f). */
typedef struct csvw {
	FILE *f;
	size_t col; /* cells written on this row */
} csvw;

void csvw_init(csvw *w, FILE *f);

/* A text cell (NULL: empty), quoted and guarded. */
void csvw_text(csvw *w, const char *s);

/* The same for s[0..n) (up to a NUL before n). */
void csvw_text_n(csvw *w, const char *s, size_t n);

/* A cell the program formatted itself (a number, a date, a code, a flag), written as it is;
 * it must need no quoting. NULL or "": empty. */
void csvw_raw(csvw *w, const char *s);

/* A non-negative integer cell. */
void csvw_uint(csvw *w, uint64_t v);

/* A date cell "YYYY-MM-DD" for a day number; empty for INT32_MAX (no such day). */
void csvw_date(csvw *w, int32_t day);

/* Ends the row ("\n"). */
void csvw_end(csvw *w);

/* Writes a header row of the names given, NULL-terminated. */
void csvw_header(csvw *w, const char *const *names);

#endif
