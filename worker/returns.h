/* The LA returns job (domain.md §6): for one local authority and one period, every trust school
 * in it is brought up to date in memory and run through the measures engine (or its part is
 * taken from the worker holding it), the four returns are gathered, compared with what the last
 * generation listed, and written to la/<la_code>/<YYYY-MM>/ (attendance, sickness, new pupil
 * and deletion returns, index.html). */
#ifndef ROLLCALL_WORKER_RETURNS_H
#define ROLLCALL_WORKER_RETURNS_H

#include <stddef.h>
#include <stdint.h>

#include "jobs.h"

/* The days a return of month (year, month) covers for an LA: the month, or for a termly LA the
 * months since its last termly return (returns in December, April and July only). Returns 0,
 * or -EINVAL with the reason in err for a month a termly LA gets no return in. */
int returns_period(int year, int month, bool termly, int32_t *first, int32_t *last, char *err,
                   size_t errlen) __attribute__((warn_unused_result));

/* Runs the returns of la_code for the month "YYYY-MM" (the job kind la_returns). result gets the
 * folder written. */
int returns_run(const job_env *env, int la_code, const char *month, char *result, size_t rlen,
                char *err, size_t elen) __attribute__((warn_unused_result));

/* Computes urn's part of every LA return waiting for it and stores it for the LA's job (the job
 * kind la_part, run by the worker holding the school; returns_part.c). */
int returns_part_run(const job_env *env, uint32_t urn, char *result, size_t rlen, char *err,
                     size_t elen) __attribute__((warn_unused_result));

#endif
