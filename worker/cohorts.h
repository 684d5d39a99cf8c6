/* The trust cohort breakdown job: every school's results as of one day (computed where they are
 * missing or out of date), gathered into trust/<as-of>/cohorts.csv and index.html. */
#ifndef ROLLCALL_WORKER_COHORTS_H
#define ROLLCALL_WORKER_COHORTS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "rollcall/measures.h"
#include "school.h"

/* Called after each school; a negative return stops the job (e.g. -ECANCELED on shutdown). */
typedef int (*cohorts_progress_fn)(void *user, size_t done, size_t total);

/* Makes sure urn has results as of as_of that include its latest change, computing and storing
 * them when not. *computed says whether it had to. */
int cohorts_ensure_school(PGconn *conn, school_cache *cache, const measures_config *mc,
                          uint32_t urn, int32_t as_of, bool *computed, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Runs the breakdown as of as_of (MEASURES_NO_DAY: the trust's latest marked day, not after
 * today) and writes the two files under out_dir. result gets a line naming them. */
int cohorts_run(PGconn *conn, school_cache *cache, const measures_config *mc, int32_t as_of,
                const char *out_dir, cohorts_progress_fn progress, void *user, char *result,
                size_t resultlen, char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
