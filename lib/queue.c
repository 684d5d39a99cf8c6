/* Job queue operations (see queue.h). Every statement is one round trip and autocommits: the
 * claim's row lock lasts only for the UPDATE; the lease is what keeps other workers away. */
#include "rollcall/queue.h"
#include "rollcall/db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGresult *exec(PGconn *conn, const char *sql, int n, const char *const *params,
                      ExecStatusType want, char *err, size_t errlen)
{
	return db_prepared(conn, "queue", sql, n, params, err, errlen);
}

/* The array literal {a,b,...} of urns, or NULL when out of memory. */
static char *urn_array(const uint32_t *urns, size_t n)
{
	char *s = malloc(n * 11 + 3), *q = s;

	if (!s)
		return NULL;
	*q++ = '{';
	for (size_t i = 0; i < n; i++)
		q += sprintf(q, i ? ",%u" : "%u", urns[i]);
	*q++ = '}';
	*q = '\0';
	return s;
}

int queue_claim(PGconn *conn, const char *worker, int lease_s, const uint32_t *prefer,
                size_t n_prefer, job *j, char *err, size_t errlen)
{
	char lease[16], *held = urn_array(prefer, n_prefer);
	const char *params[3] = {worker, lease, held};
	PGresult *res;
	int rc = 0;

	if (!held) {
		snprintf(err, errlen, "queue: out of memory");
		return -ENOMEM;
	}
	snprintf(lease, sizeof(lease), "%d", lease_s);
	res = exec(
	        conn,
	        "WITH next AS (SELECT job_id FROM job"
	        "  WHERE (state = 'pending' AND run_after <= now())"
	        "     OR (state = 'running' AND lease_until < now())"
	        "  ORDER BY coalesce(school_urn = ANY ($3::integer[]), false) DESC, run_after,"
	        "  job_id LIMIT 1 FOR UPDATE SKIP LOCKED)"
	        " UPDATE job SET state = 'running', attempts = job.attempts + 1, worker = $1,"
	        "  lease_until = now() + make_interval(secs => $2::integer), updated_at = now()"
	        " FROM next WHERE job.job_id = next.job_id"
	        " RETURNING job.job_id, coalesce(job.school_urn, 0), job.kind,"
	        "  coalesce(job.from_date - date '1970-01-01', 2147483647), job.args, job.attempts",
	        3, params, PGRES_TUPLES_OK, err, errlen);
	free(held);
	if (!res)
		return -EIO;
	if (PQntuples(res) == 1) {
		memset(j, 0, sizeof(*j));
		j->id = atoll(PQgetvalue(res, 0, 0));
		j->school_urn = (uint32_t)atol(PQgetvalue(res, 0, 1));
		snprintf(j->kind, sizeof(j->kind), "%s", PQgetvalue(res, 0, 2));
		j->from_date = (int32_t)atol(PQgetvalue(res, 0, 3));
		snprintf(j->args, sizeof(j->args), "%s", PQgetvalue(res, 0, 4));
		j->attempts = atoi(PQgetvalue(res, 0, 5));
		rc = 1;
	}
	PQclear(res);
	return rc;
}

/* Runs a statement that changes job j only while this claim of it holds: the job is running
 * and its attempts are this claim's. A worker that hung past its lease finds that another has
 * taken the job over (the takeover counted an attempt) and changes nothing: a job is completed
 * once, and a completed job is never put back. Returns 0, -EIO, or -ESTALE when the claim was
 * lost. */
static int fenced(PGconn *conn, const job *j, const char *sql, int n, const char *const *params,
                  char *err, size_t errlen)
{
	PGresult *res = exec(conn, sql, n, params, PGRES_COMMAND_OK, err, errlen);
	long rows;

	if (!res)
		return -EIO;
	rows = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) : atol(PQcmdTuples(res));
	PQclear(res);
	if (rows == 0) {
		snprintf(err, errlen,
		         "job %lld: its lease expired and another worker has taken it over",
		         (long long)j->id);
		return -ESTALE;
	}
	return 0;
}

int queue_progress(PGconn *conn, const job *j, int lease_s, const char *text, char *err,
                   size_t errlen)
{
	char id[24], lease[16], att[16];
	const char *params[4] = {id, lease, text, att};

	snprintf(id, sizeof(id), "%lld", (long long)j->id);
	snprintf(lease, sizeof(lease), "%d", lease_s);
	snprintf(att, sizeof(att), "%d", j->attempts);
	return fenced(conn, j,
	              "UPDATE job SET progress = $3, updated_at = now(),"
	              " lease_until = now() + make_interval(secs => $2::integer)"
	              " WHERE job_id = $1 AND state = 'running' AND attempts = $4::integer",
	              4, params, err, errlen);
}

int queue_done(PGconn *conn, const job *j, const char *result, char *err, size_t errlen)
{
	char id[24], att[16];
	const char *params[3] = {id, result, att};

	snprintf(id, sizeof(id), "%lld", (long long)j->id);
	snprintf(att, sizeof(att), "%d", j->attempts);
	return fenced(conn, j,
	              "WITH u AS (UPDATE job SET state = 'done', result = $2, lease_until = NULL,"
	              " last_error = NULL, updated_at = now() WHERE job_id = $1"
	              " AND state = 'running' AND attempts = $3::integer RETURNING job_id)"
	              " SELECT pg_notify('" QUEUE_END_CHANNEL "', job_id::text) FROM u",
	              3, params, err, errlen);
}

/* Puts a job back to pending after delay seconds (error recorded when given; the attempt
 * forgiven when forgive). When a newer pending job for the same school took its place (ingest
 * queued one meanwhile), this one's range is folded into it and this one is closed as done. */
static int requeue(PGconn *conn, const job *j, const char *id, const char *error, const char *delay,
                   int forgive, char *err, size_t errlen)
{
	char att[16];
	const char *params[5] = {id, error, delay, forgive ? "1" : "0", att};

	snprintf(att, sizeof(att), "%d", j->attempts);
	return fenced(conn, j,
	              "WITH me AS (SELECT job_id, school_urn, kind, from_date FROM job WHERE "
	              "job_id = $1 AND state = 'running' AND attempts = $5::integer),"
	              " merged AS (UPDATE job p SET from_date = least(p.from_date, me.from_date)"
	              "  FROM me WHERE p.school_urn = me.school_urn AND p.kind = me.kind"
	              "  AND p.state = 'pending' AND p.job_id <> me.job_id RETURNING p.job_id)"
	              " UPDATE job SET state = CASE WHEN EXISTS (SELECT 1 FROM merged) THEN 'done'"
	              "  ELSE 'pending' END, last_error = coalesce($2, last_error),"
	              "  attempts = greatest(attempts - $4::integer, 0), lease_until = NULL,"
	              "  updated_at = now(), run_after = now() + make_interval(secs => $3::integer)"
	              " WHERE job_id = (SELECT job_id FROM me)",
	              5, params, err, errlen);
}

int queue_fail(PGconn *conn, const job *j, const char *error, int max_attempts, int *dead,
               char *err, size_t errlen)
{
	char id[24], backoff[16], att[16];
	const char *params[4] = {id, error, backoff, att};
	int secs = 1;

	*dead = j->attempts >= max_attempts;
	for (int i = 0; i < j->attempts && secs < 3600; i++)
		secs *= 2;
	snprintf(id, sizeof(id), "%lld", (long long)j->id);
	snprintf(backoff, sizeof(backoff), "%d", secs > 3600 ? 3600 : secs);
	snprintf(att, sizeof(att), "%d", j->attempts);
	if (*dead)
		return fenced(conn, j,
		              "WITH u AS (UPDATE job SET state = 'dead', last_error = $2,"
		              " lease_until = NULL, updated_at = now()"
		              " WHERE job_id = $1 AND $3::integer >= 0 AND state = 'running'"
		              " AND attempts = $4::integer RETURNING job_id)"
		              " SELECT pg_notify('" QUEUE_END_CHANNEL "', job_id::text) FROM u",
		              4, params, err, errlen);
	return requeue(conn, j, id, error, backoff, 0, err, errlen);
}

int queue_release(PGconn *conn, const job *j, int delay_s, char *err, size_t errlen)
{
	char id[24], delay[16];

	snprintf(id, sizeof(id), "%lld", (long long)j->id);
	snprintf(delay, sizeof(delay), "%d", delay_s);
	return requeue(conn, j, id, NULL, delay, 1, err, errlen);
}

int queue_add(PGconn *conn, uint32_t school_urn, const char *kind, const char *args, int64_t *id,
              char *err, size_t errlen)
{
	char urn[16];
	const char *params[3] = {school_urn ? urn : NULL, kind, args};
	PGresult *res;

	snprintf(urn, sizeof(urn), "%u", school_urn);
	res = exec(conn,
	           "WITH j AS (INSERT INTO job (school_urn, kind, args) VALUES ($1, $2, $3)"
	           " RETURNING job_id) SELECT job_id, pg_notify('rollcall_jobs', '') FROM j",
	           3, params, PGRES_TUPLES_OK, err, errlen);
	if (!res)
		return -EIO;
	*id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}
