/* Internals of the measures engine shared by measures.c (the pass over the register) and
 * episodes.c (the monthly returns): the owned register copy and the per-code classification, so
 * that both read a mark exactly the same way. Not installed; nothing else includes it. */
#ifndef ROLLCALL_MEASURES_STATE_H
#define ROLLCALL_MEASURES_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rollcall/measures.h"

enum {
	CLS_POSSIBLE = 1u << 0,
	CLS_ABSENT = 1u << 1, /* authorised or unauthorised */
	CLS_GNOU = 1u << 2,   /* extends an unauthorised run */
	CLS_ILL = 1u << 3,    /* extends an illness run */
	CLS_L = 1u << 4,
	CLS_U = 1u << 5,
};

/* How a code id counts. An id the code table does not know has from > until, so it is never
 * valid. */
struct code_class {
	int32_t from, until; /* the days the code may be used on */
	uint8_t category;    /* rc_category */
	uint8_t bucket;      /* rc_bucket */
	uint8_t flags;       /* CLS_* */
};

/* The grid cell of a session on which the enrolment was not on roll (a gap between spells):
 * marked so by measures_new, it counts for nothing (the class table never knows id 255). */
#define MEASURES_OFF_ROLL 255

struct measures_state {
	measures_session *sessions; /* owned copy of the input sessions */
	uint8_t *grid;              /* owned copy: n_enrolments x n_sessions code ids */
	size_t n_upto;              /* sessions with day <= as_of */
	struct code_class cls[256];
	measures_gap *gaps; /* owned copy of every enrolment's gaps, enrolment by enrolment */
	size_t *gap_at;     /* enrolment e's gaps are gaps[gap_at[e] .. gap_at[e + 1]) */
	measures_run_carry (*carry)[2]; /* per enrolment: [0] unauthorised, [1] illness */
};

/* The class of a mark, or NULL when the cell is unmarked or holds a code that is unknown or not
 * valid on day. */
static inline const struct code_class *measures_cell_class(const struct measures_state *st,
                                                           uint8_t code, int32_t day)
{
	const struct code_class *k = &st->cls[code];

	if (code == 0 || day < k->from || day > k->until)
		return NULL;
	return k;
}

/* First index in s[0..n) whose day is >= day (n when none). */
size_t measures_lower_day(const measures_session *s, size_t n, int32_t day);

/* The session index range [*lo, *hi) of enrolment e's on-roll days, clipped to the sessions up
 * to the as-of day. */
void measures_roll_range(const measures *m, size_t e, size_t *lo, size_t *hi);

#endif
