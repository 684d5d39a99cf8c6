/* The trust cohort breakdown job: every school's results as of one day (computed where they are
 * missing or out of date), gathered into trust/<as-of>/cohorts.csv and index.html. */
#ifndef ROLLCALL_WORKER_COHORTS_H
#define ROLLCALL_WORKER_COHORTS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "jobs.h"
#include "rollcall/measures.h"
#include "school.h"

/* Makes sure urn has results as of as_of that include its latest change, computing and storing
 * them when not (under the school's lock, jobs_lock_school). *computed says whether it had
 * to. */
int cohorts_ensure_school(const job_env *env, uint32_t urn, int32_t as_of, bool *computed,
                          char *err, size_t errlen) __attribute__((warn_unused_result));

/* Runs the breakdown as of as_of (MEASURES_NO_DAY: the trust's latest marked day, not after
 * today) and writes the two files under env->output_dir, reporting progress per school. result
 * gets a line naming them. */
int cohorts_run(const job_env *env, int32_t as_of, char *result, size_t resultlen, char *err,
                size_t errlen) __attribute__((warn_unused_result));

#endif
