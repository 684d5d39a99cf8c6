/* Streaming reader for RFC 4180 CSV files (on libcsv) that maps the header row to the caller's
 * column names and reports every problem with file, line and column. */
#ifndef ROLLCALL_CSVREAD_H
#define ROLLCALL_CSVREAD_H

#include <stdbool.h>
#include <stddef.h>

#define CSVREAD_MAX_COLUMNS 64

typedef struct csvread_column {
	const char *name; /* header name, matched case-insensitively after trimming spaces */
	bool required;    /* a file without this column is refused */
} csvread_column;

/* One data row, valid only during the callback. field[i] / len[i] follow the caller's column
 * list; a column the file does not have is NULL with length 0. Fields are NUL-terminated.
 * Leading and trailing spaces are kept as they are in the file. */
typedef struct csvread_row {
	const char *file;   /* the path given to csvread_file */
	unsigned long line; /* 1-based line on which the row starts (the header is line 1) */
	const char *field[CSVREAD_MAX_COLUMNS];
	size_t len[CSVREAD_MAX_COLUMNS];
} csvread_row;

/* Called for each data row. Return 0 to go on, a negative value to stop reading (that value is
 * then returned by csvread_file). */
typedef int (*csvread_row_fn)(void *user, const csvread_row *row);

/* Called for a problem that does not stop the file: an unknown column (once, line 1), a row
 * with more or fewer fields than the header (the row is skipped), a blank line is NOT a problem
 * (skipped silently). column is the 1-based column or 0 when the whole row is meant. */
typedef void (*csvread_problem_fn)(void *user, const char *file, unsigned long line,
                                   unsigned column, const char *message, bool is_error);

/* Reads path (UTF-8, optional BOM, LF or CRLF) and calls row_fn for each data row.
 * Returns 0; -ENOENT and friends when the file cannot be read; -EINVAL when the header lacks a
 * required column or repeats one, or the file is not valid CSV (unterminated quote at the end);
 * the reason, with file and line, goes into err. problem_fn may be NULL. */
int csvread_file(const char *path, const csvread_column *cols, size_t ncols, csvread_row_fn row_fn,
                 csvread_problem_fn problem_fn, void *user, char *err, size_t errlen)
        __attribute__((warn_unused_result));

#endif
