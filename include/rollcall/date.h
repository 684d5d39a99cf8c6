/* Calendar dates as day numbers (days since 1970-01-01, proleptic Gregorian), academic years
 * (1 Aug - 31 Jul) and ISO 8601 timestamps. Pure functions. */
#ifndef ROLLCALL_DATE_H
#define ROLLCALL_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Day number of y-m-d; the caller guarantees a valid date. */
int32_t date_from_ymd(int y, int m, int d);

/* Splits a day number into year, month (1-12) and day (1-31). */
void date_to_ymd(int32_t day, int *y, int *m, int *d);

/* Parses exactly "YYYY-MM-DD" (s[0..len), no surrounding space) into *day.
 * Returns 0, or -EINVAL for anything else, including 2023-02-29. */
int date_parse(const char *s, size_t len, int32_t *day) __attribute__((warn_unused_result));

/* Writes "YYYY-MM-DD" and a NUL into out (11 bytes). Returns out. */
char *date_format(int32_t day, char out[11]);

/* 0 = Monday ... 6 = Sunday. */
int date_weekday(int32_t day);

/* The academic year a day falls in, named by the calendar year it starts in
 * (2024-08-01 .. 2025-07-31 -> 2024). */
int date_academic_year(int32_t day);

/* First day (1 Aug) of academic year ay. */
int32_t date_academic_year_start(int ay);

/* Parses an ISO 8601 timestamp with zone ("2024-09-02T08:41:00Z", "...+01:00", fractional
 * seconds allowed) into microseconds since the Unix epoch. Returns 0 or -EINVAL. */
int ts_parse(const char *s, size_t len, int64_t *usec) __attribute__((warn_unused_result));

/* Writes an ISO 8601 UTC timestamp ("2024-09-02T07:41:00Z") into out (at least 21 bytes). */
char *ts_format(int64_t usec, char *out, size_t outlen);

#endif
