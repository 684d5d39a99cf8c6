/* The job queue in PostgreSQL, seen from a worker: claim (FOR UPDATE SKIP LOCKED, with a lease
 * that expires so a crashed worker's job is taken over), progress (which renews the lease),
 * done, fail (retry with exponential backoff, then dead with the error), release. */
#ifndef ROLLCALL_QUEUE_H
#define ROLLCALL_QUEUE_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

/* Notified with the job id when a job ends (done or dead), so a waiter need not poll. */
#define QUEUE_END_CHANNEL "rollcall_job_end"

typedef struct job {
	int64_t id;
	uint32_t school_urn; /* 0: a trust-wide job */
	char kind[32];
	int32_t from_date; /* INT32_MAX when none */
	char args[256];
	int attempts; /* including this one */
} job;

/* Claims the next ready job (pending and due, or running with an expired lease) for lease_s
 * seconds, taking first the jobs of the n_prefer schools in prefer (those whose register the
 * worker holds in memory: each worker then mostly refreshes what it holds instead of loading
 * another worker's school in full). Returns 1 with *j filled, 0 when there is none, -EIO with
 * the reason in err. */
int queue_claim(PGconn *conn, const char *worker, int lease_s, const uint32_t *prefer,
                size_t n_prefer, job *j, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Progress, done, fail and release act only while the caller's claim holds (the job is still
 * running under the same attempt): a worker that hung past its lease gets -ESTALE ("another
 * worker has taken it over") and changes nothing. */

/* Records progress text and renews the lease. */
int queue_progress(PGconn *conn, const job *j, int lease_s, const char *text, char *err,
                   size_t errlen) __attribute__((warn_unused_result));

/* Marks the job done with a result text (e.g. the paths written). */
int queue_done(PGconn *conn, const job *j, const char *result, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Records a failure: back to pending after 2^attempts seconds (at most an hour), or dead once
 * attempts reach max_attempts. *dead tells which. */
int queue_fail(PGconn *conn, const job *j, const char *error, int max_attempts, int *dead,
               char *err, size_t errlen) __attribute__((warn_unused_result));

/* Gives the job back untouched (shutting down, or the school is busy elsewhere): pending again
 * after delay_s seconds, this attempt not counted. */
int queue_release(PGconn *conn, const job *j, int delay_s, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Adds a job and wakes the workers (NOTIFY rollcall_jobs). school_urn 0: trust-wide. */
int queue_add(PGconn *conn, uint32_t school_urn, const char *kind, const char *args, int64_t *id,
              char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
