/* Inside the LA returns (returns.c, returns_part.c): an LA's rows being gathered, school by
 * school, and the parts the workers holding the schools computed for it. */
#ifndef ROLLCALL_WORKER_RETURNS_GATHER_H
#define ROLLCALL_WORKER_RETURNS_GATHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jobs.h"
#include "report_la.h"

typedef struct gather {
	const job_env *env;
	la_report r;
	size_t cap_rows;
	int32_t today;
	int ay;
} gather;

/* Starts g for la_code's return of month "YYYY-MM": the LA's settings and schools, the days it
 * covers. The caller frees g->r with la_report_free (also after an error). */
int returns_begin(gather *g, const job_env *env, int la_code, const char *month, char *err,
                  size_t elen) __attribute__((warn_unused_result));

/* Adds school s's rows (g->r.schools[s]) to g, computed from its register. */
int returns_school(gather *g, size_t s, char *err, size_t elen) __attribute__((warn_unused_result));

/* A new row of kind for school s, or NULL when out of memory. Its cells start as "". */
la_row *returns_row_new(gather *g, la_kind kind, size_t s);

/* Adds school s's rows from the part the worker holding the school stored, when there is one
 * and the school's register has not changed since (*taken); else leaves g as it was. */
int returns_part_take(gather *g, size_t s, bool *taken, char *err, size_t elen)
        __attribute__((warn_unused_result));

/* Deletes the parts of g's LA and period once its files are written (they hold personal data). */
int returns_parts_clear(gather *g, char *err, size_t elen) __attribute__((warn_unused_result));

#endif
