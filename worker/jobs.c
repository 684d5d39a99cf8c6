/* The table of job kinds and the small ones: a school's recompute after ingest, the trust
 * cohort breakdown (cohorts.c) and a school's TSM pack (tsm.c). */
#include "jobs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cohorts.h"
#include "returns.h"
#include "rollcall/date.h"
#include "rollcall/db.h"
#include "rollcall/log.h"
#include "tsm.h"

/* The advisory lock class 72432 is "a worker computes this school" (the daemon's writers take
 * 72431 for a school they write). */

/* Ends the session of a worker that holds urn's lock without a live lease on any job: one that
 * hung past its lease (its jobs were taken over) and would keep the school locked until it
 * resumed. Workers name their sessions "rollcall-worker NAME" (main.c); a worker can end a
 * session of its own role. Returns 1 when one was ended, 0 when none, -EIO. */
static int end_stale_holder(const job_env *env, uint32_t urn, char *err, size_t elen)
{
	char u[16];
	const char *p[1] = {u};
	PGresult *res;
	int n;

	snprintf(u, sizeof(u), "%u", urn);
	res = db_prepared(env->conn, "school lock holder",
	                  "SELECT pg_terminate_backend(l.pid) FROM pg_locks l"
	                  " JOIN pg_stat_activity a ON a.pid = l.pid"
	                  " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 72432"
	                  "  AND l.objid = $1::integer AND l.objsubid = 2"
	                  "  AND a.application_name LIKE 'rollcall-worker %'"
	                  "  AND NOT EXISTS (SELECT 1 FROM job j WHERE j.state = 'running'"
	                  "   AND j.lease_until > now()"
	                  "   AND left('rollcall-worker ' || j.worker, 63) = a.application_name)",
	                  1, p, err, elen);
	if (!res)
		return -EIO;
	n = PQntuples(res) > 0 && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return n;
}

int jobs_lock_school(const job_env *env, uint32_t urn, char *err, size_t elen)
{
	char u[16];
	const char *p[1] = {u};
	struct timespec t0, now;
	bool ended = false;

	snprintf(u, sizeof(u), "%u", urn);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		PGresult *res = db_prepared(env->conn, "school lock",
		                            "SELECT pg_try_advisory_lock(72432, $1::integer)", 1, p,
		                            err, elen);
		bool got;

		if (!res)
			return -EIO;
		got = PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		if (got)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= env->lock_wait_s && !ended) {
			/* Held that long: by a worker whose lease ran out? Then it is ended and the
			 * lock tried again. */
			int e = end_stale_holder(env, urn, err, elen);

			if (e < 0)
				return e;
			ended = true;
			if (e > 0) {
				log_warning("school %u: ended the session of a worker that held it "
				            "past its lease",
				            urn);
				continue;
			}
		}
		if (now.tv_sec - t0.tv_sec >= env->lock_wait_s) {
			snprintf(err, elen,
			         "school %u: another worker has been computing it for %d s; "
			         "given back to run later",
			         urn, env->lock_wait_s);
			return -EBUSY;
		}
		if (env->keepalive)
			env->keepalive(env->user);
		usleep(100000);
	}
}

void jobs_unlock_school(const job_env *env, uint32_t urn)
{
	char u[16], err[256];
	const char *p[1] = {u};

	snprintf(u, sizeof(u), "%u", urn);
	PQclear(db_prepared(env->conn, "school unlock",
	                    "SELECT pg_advisory_unlock(72432, $1::integer)", 1, p, err,
	                    sizeof(err)));
}

int jobs_arg(const job *j, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);

	for (const char *p = j->args; *p;) {
		size_t n = strcspn(p, " ");

		if (n > klen && p[klen] == '=' && !strncmp(p, key, klen)) {
			size_t vlen = n - klen - 1;

			if (vlen + 1 > outlen)
				return -1;
			memcpy(out, p + klen + 1, vlen);
			out[vlen] = '\0';
			return (int)vlen;
		}
		p += n;
		p += strspn(p, " ");
	}
	return -1;
}

/* A school's recompute after ingest: its results as of its latest marked day. */
static int run_recompute(const job_env *env, const job *j, char *result, size_t rlen, char *err,
                         size_t elen)
{
	char d[11];
	int32_t as_of;
	bool computed;
	int rc;

	rc = school_default_as_of(env->conn, j->school_urn, &as_of, err, elen);
	if (rc < 0)
		return rc;
	if (as_of == MEASURES_NO_DAY) {
		snprintf(result, rlen, "no marks yet");
		return 0;
	}
	rc = cohorts_ensure_school(env, j->school_urn, as_of, &computed, err, elen);
	if (rc == 0)
		snprintf(result, rlen, "as of %s%s", date_format(as_of, d),
		         computed ? "" : " (up to date)");
	return rc;
}

static int run_cohorts(const job_env *env, const job *j, char *result, size_t rlen, char *err,
                       size_t elen)
{
	int32_t as_of = MEASURES_NO_DAY;
	char a[16];
	int n = jobs_arg(j, "as_of", a, sizeof(a));

	if (n >= 0 && date_parse(a, (size_t)n, &as_of) < 0) {
		snprintf(err, elen, "cohorts: bad as_of in job arguments '%s'", j->args);
		return -EINVAL;
	}
	return cohorts_run(env, as_of, result, rlen, err, elen);
}

/* A school's TSM pack: term=2025-autumn, or its current term. */
static int run_tsm(const job_env *env, const job *j, char *result, size_t rlen, char *err,
                   size_t elen)
{
	char term[MEASURES_TERM_LABEL_LEN];
	int n = jobs_arg(j, "term", term, sizeof(term));

	if (n < 0 && strstr(j->args, "term=")) {
		snprintf(err, elen, "tsm: bad term in job arguments '%s'", j->args);
		return -EINVAL;
	}
	return tsm_run(env, j->school_urn, n >= 0 ? term : NULL, result, rlen, err, elen);
}

/* An LA's statutory returns for a month: "la=201 month=2025-10". */
static int run_la_returns(const job_env *env, const job *j, char *result, size_t rlen, char *err,
                          size_t elen)
{
	char la[8], month[16];
	char *end;
	long code;

	if (jobs_arg(j, "la", la, sizeof(la)) < 0 ||
	    jobs_arg(j, "month", month, sizeof(month)) < 0 || (code = strtol(la, &end, 10)) < 100 ||
	    code > 999 || *end) {
		snprintf(err, elen, "la_returns: job arguments '%s' need la=CODE month=YYYY-MM",
		         j->args);
		return -EINVAL;
	}
	return returns_run(env, (int)code, month, result, rlen, err, elen);
}

/* A school's part of the LA returns waiting for it (returns_part.c). */
static int run_la_part(const job_env *env, const job *j, char *result, size_t rlen, char *err,
                       size_t elen)
{
	return returns_part_run(env, j->school_urn, result, rlen, err, elen);
}

static const job_kind s_kinds[] = {
        {"recompute", true, run_recompute},
        {"cohorts", false, run_cohorts},
        {"tsm", true, run_tsm},
        {"la_returns", false, run_la_returns},
        {"la_part", true, run_la_part},
};

const job_kind *jobs_find(const char *name)
{
	for (size_t i = 0; i < sizeof(s_kinds) / sizeof(s_kinds[0]); i++)
		if (!strcmp(s_kinds[i].name, name))
			return &s_kinds[i];
	return NULL;
}

int jobs_run(const job_env *env, const job *j, char *result, size_t rlen, char *err, size_t elen)
{
	const job_kind *k = jobs_find(j->kind);
	settings st = {0};
	job_env e = *env;
	int rc;

	if (!k) {
		snprintf(err, elen, "unknown job kind '%s'", j->kind);
		return -EINVAL;
	}
	if (k->per_school && !j->school_urn) {
		snprintf(err, elen, "%s: the job names no school", k->name);
		return -EINVAL;
	}
	rc = settings_load(env->conn, &st, err, elen);
	if (rc < 0)
		return rc;
	e.settings = &st;
	rc = k->run(&e, j, result, rlen, err, elen);
	settings_deinit(&st);
	return rc;
}

void jobs_school_config(const job_env *env, int la_code, measures_config *cfg, settings_school *ss)
{
	*ss = settings_for(env->settings, la_code);
	settings_apply(ss, env->mc, cfg);
}
