/* A synthetic English school year: the trust's term dates (autumn, spring, summer with half
 * terms), bank holidays, and each school's own INSET days and half-day closures. */
#ifndef ROLLCALL_GEN_CALENDAR_H
#define ROLLCALL_GEN_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include "gen_rng.h"

/* 1 Sep .. 31 Jul has at most 239 weekdays. */
#define GEN_MAX_DAYS 240

typedef struct gen_year {
	int ay;                       /* academic year start (2025 = 2025/26) */
	int ndays;                    /* weekdays from 1 Sep to 31 Jul */
	int32_t day[GEN_MAX_DAYS];    /* their day numbers, ascending */
	uint8_t term[GEN_MAX_DAYS];   /* 1 autumn, 2 spring, 3 summer, 0 holiday or bank holiday */
	int32_t autumn_start;         /* first day pupils attend */
	int32_t autumn_end;           /* last day of the autumn term */
	int32_t summer_end;           /* last day of the summer term */
	int32_t study_from, study_to; /* Y11 and Y13 study leave (after May half term to June) */
	int32_t workex_from;          /* Monday of the Y10 work experience week (July) */
	int inset_pool[12];           /* day indexes schools may pick INSET days from */
	int ninset_pool;
	int nstaff_days; /* weekdays before autumn_start: always INSET */
} gen_year;

/* Builds the trust-wide year for ay (>= 1900). */
void calendar_init(gen_year *y, int ay);

/* Index of day in y->day, or -1 when it is not a weekday of the year. */
int calendar_index(const gen_year *y, int32_t day);

/* Index of the first weekday on or after day (y->ndays when there is none). */
int calendar_index_ceil(const gen_year *y, int32_t day);

/* One school's sessions: open[2 * i + s] (s 0 = AM, 1 = PM) for each weekday i. Picks five
 * INSET days (the staff days before term plus some from the pool) and, for some schools, closes
 * the afternoon of the last day of a term. r is the school's calendar stream. */
void calendar_school_open(const gen_year *y, gen_rng *r, uint8_t *open);

/* UTC offset in hours of local time in England on day (1 in British Summer Time, else 0). */
int calendar_utc_offset(int32_t day);

#endif
