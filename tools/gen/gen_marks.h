/* Register marks for one school: a behavioural model per pupil (absence propensity, illness
 * clusters, holidays, lateness, trips, exclusions, ...) laid over the school's calendar, and the
 * fast writer of marks.csv with amendment rows following the originals. */
#ifndef ROLLCALL_GEN_MARKS_H
#define ROLLCALL_GEN_MARKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen_roll.h"

typedef struct gen_mark_stats {
	uint64_t rows;       /* data rows written, amendments included */
	uint64_t amendments; /* rows that re-code an earlier row */
	uint64_t bytes;
} gen_mark_stats;

/* Generates school s's marks for the sessions of t->opt.from..to and writes them to o (the
 * header first when header is set). Returns 0, or a negative errno with a message in err. Adds
 * to *st. */
struct gen_out;
int marks_write(const gen_trust *t, const gen_school *s, const gen_roll *roll, struct gen_out *o,
                bool header, gen_mark_stats *st, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Checks that every code the generator can write is a valid code on day (with the library's
 * codes_check), so a table change shows at once. Returns 0 or -EINVAL naming the code. */
int marks_selfcheck(int32_t day, char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
