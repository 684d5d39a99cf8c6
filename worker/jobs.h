/* The job kinds a worker runs, in one table: a new report is one more row. Each kind's function
 * gets what every job needs (the connection, the schools held in memory, the configuration,
 * progress and keep-alive callbacks) and returns 0 with a one-line result, or a negative errno
 * with a reason that carries no personal data. */
#ifndef ROLLCALL_WORKER_JOBS_H
#define ROLLCALL_WORKER_JOBS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "rollcall/measures.h"
#include "rollcall/queue.h"
#include "school.h"
#include "settings.h"

/* What a running job may use. Everything is borrowed from the worker. */
typedef struct job_env {
	PGconn *conn;
	school_cache *cache;
	const measures_config *mc; /* the base configuration; each school's boundaries apply */
	const settings *settings;  /* the attendance settings in force (jobs_run loads them) */
	const char *output_dir;
	int lock_wait_s; /* how long to wait for a school another worker is computing */
	void *user;
	/* Progress: done of total steps (records it, renews the lease). A negative return stops
	 * the job (-ECANCELED when the worker is stopping). */
	int (*progress)(void *user, size_t done, size_t total);
	/* Called while a job waits (keeps the service manager's watchdog fed). */
	void (*keepalive)(void *user);
} job_env;

typedef int (*job_run_fn)(const job_env *env, const job *j, char *result, size_t rlen, char *err,
                          size_t elen);

typedef struct job_kind {
	const char *name; /* job.kind */
	bool per_school;  /* a job of this kind names its school */
	job_run_fn run;
} job_kind;

/* The kind named name, or NULL. */
const job_kind *jobs_find(const char *name);

/* Runs j by its kind, with the attendance settings in force loaded for it. -EINVAL for a kind
 * the table does not know or a job it cannot take (no school where one is needed, bad
 * arguments, settings that fail their check); -ECANCELED when stopped through progress;
 * -EBUSY when a school stayed locked by another worker for env->lock_wait_s. */
int jobs_run(const job_env *env, const job *j, char *result, size_t rlen, char *err, size_t elen)
        __attribute__((warn_unused_result));

/* Takes the lock that makes one worker at a time compute urn (an advisory lock, session level),
 * waiting up to env->lock_wait_s for another worker to finish it and keeping the watchdog fed
 * meanwhile. Returns 0, -EBUSY when it stayed taken (the job is given back, to run later), or
 * -EIO. */
int jobs_lock_school(const job_env *env, uint32_t urn, char *err, size_t elen)
        __attribute__((warn_unused_result));

/* Releases it. */
void jobs_unlock_school(const job_env *env, uint32_t urn);

/* The configuration for a school in la_code: env->mc with the category boundaries in force
 * for it (*ss says which, and the TSM falling threshold). */
void jobs_school_config(const job_env *env, int la_code, measures_config *cfg, settings_school *ss);

/* The value of key in a job's arguments ("as_of=2025-10-10 la=201"), copied into out. Returns
 * its length, or -1 when the key is absent or the value does not fit. */
int jobs_arg(const job *j, const char *key, char *out, size_t outlen);

#endif
