/* The benchmarks reports compare with (the benchmark table, domain.md §10): the national
 * figures, or an LA's own where the trust has loaded them. */
#ifndef ROLLCALL_WORKER_BENCHMARKS_H
#define ROLLCALL_WORKER_BENCHMARKS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "report.h"

/* Reads the benchmarks of la_code (0: the national ones) into a new array *out of *n (free()
 * it; never NULL on success), ordered by year, phase, measure and cohort. Returns 0, -EIO or
 * -ENOMEM with the reason in err. */
int benchmarks_load(PGconn *conn, int la_code, report_benchmark **out, size_t *n, char *err,
                    size_t errlen) __attribute__((warn_unused_result));

#endif
