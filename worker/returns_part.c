/* The parts of an LA's returns: each school's rows, computed by the worker that holds the school
 * in memory (the job kind la_part, claimed first by that worker), so the LA's job only puts
 * them together instead of loading every register itself.
 *
 * rollcall returns queues, in one statement, the LA's job (held back by run_after), its
 * la_return_request row and one la_part job per school. A part job computes its school's rows
 * for every request still waiting and stores them in la_return_part with the school's latest
 * register change; the part that completes an LA's set releases the LA's job. The LA's job
 * takes a school's part only while the school's register has not changed since and the LA's
 * settings are the same, else it computes the school itself (so a lost part, or a job queued
 * without parts, costs time, never a wrong row), and deletes the parts once its files are
 * written. A part's rows are text: per row its kind, key, sort and cells, each length-prefixed. */
#include "returns.h"
#include "returns_gather.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollcall/db.h"
#include "school.h"

static PGresult *query(PGconn *conn, const char *sql, int n, const char *const *params, char *err,
                       size_t errlen)
{
	return db_prepared(conn, "returns part", sql, n, params, err, errlen);
}

/* What a school's rows depend on besides its register: the LA's settings and the days. */
static void basis(const gather *g, char *out, size_t outlen)
{
	snprintf(out, outlen, "%d %u %d %d %" PRId32 " %" PRId32, g->r.termly, g->r.irregular_bp,
	         g->r.junior_intake, g->r.standard_transition, g->r.first, g->r.last);
}

/* ---- encoding ----------------------------------------------------------------------------- */

static void put(FILE *f, const char *s)
{
	size_t n = strlen(s);

	fprintf(f, "%zu:", n);
	fwrite(s, 1, n, f);
}

/* School s's counters and every row of g (the part job gathers one school only). */
static char *encode(const gather *g, size_t s)
{
	const la_school *sc = &g->r.schools[s];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "%u %u %u %u %u %u %zu\n", sc->count[0], sc->count[1], sc->count[2],
	        sc->count[3], sc->irregular, sc->open_earlier, g->r.n_rows);
	for (size_t i = 0; i < g->r.n_rows; i++) {
		const la_row *row = &g->r.rows[i];
		size_t ncols;

		la_columns(row->kind, &ncols);
		fprintf(f, "%d %d %zu ", (int)row->kind, row->open_earlier, ncols);
		put(f, row->key);
		put(f, row->sort);
		for (size_t c = 0; c < ncols; c++)
			put(f, row->cells[c] ? row->cells[c] : "");
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* A length-prefixed field at *p (below end) into a new string; NULL when malformed or out of
 * memory. */
static char *take_field(const char **p, const char *end)
{
	char *e;
	unsigned long n = strtoul(*p, &e, 10);
	char *s;

	if (e == *p || e >= end || *e != ':' || n > (unsigned long)(end - e - 1))
		return NULL;
	s = malloc(n + 1);
	if (!s)
		return NULL;
	memcpy(s, e + 1, n);
	s[n] = '\0';
	*p = e + 1 + n;
	return s;
}

/* Adds the rows of text to g as school s's. Returns 0, -EINVAL (malformed: g unchanged) or
 * -ENOMEM. */
static int decode(gather *g, size_t s, const char *text)
{
	const char *p = text, *end = text + strlen(text);
	la_school *sc = &g->r.schools[s];
	unsigned cnt[6];
	size_t nrows, first = g->r.n_rows;
	int used, rc = 0;

	if (sscanf(p, "%u %u %u %u %u %u %zu\n%n", &cnt[0], &cnt[1], &cnt[2], &cnt[3], &cnt[4],
	           &cnt[5], &nrows, &used) != 7)
		return -EINVAL;
	p += used;
	for (size_t i = 0; rc == 0 && i < nrows; i++) {
		int kind, open;
		size_t ncols, want;
		char *key, *sort;
		la_row *row;

		if (sscanf(p, "%d %d %zu %n", &kind, &open, &ncols, &used) != 3 || kind < 0 ||
		    kind >= LA_KINDS || (la_columns((la_kind)kind, &want), ncols != want)) {
			rc = -EINVAL;
			break;
		}
		p += used;
		row = returns_row_new(g, (la_kind)kind, s);
		if (!row) {
			rc = -ENOMEM;
			break;
		}
		row->open_earlier = open != 0;
		key = take_field(&p, end);
		sort = take_field(&p, end);
		if (!key || !sort || strlen(key) >= sizeof(row->key) ||
		    strlen(sort) >= sizeof(row->sort)) {
			rc = -EINVAL;
		} else {
			memcpy(row->key, key, strlen(key) + 1);
			memcpy(row->sort, sort, strlen(sort) + 1);
		}
		free(key);
		free(sort);
		for (size_t c = 0; rc == 0 && c < ncols; c++)
			if (!(row->cells[c] = take_field(&p, end)))
				rc = -EINVAL;
		if (rc == 0 && (p >= end || *p++ != '\n'))
			rc = -EINVAL;
	}
	if (rc == 0 && p != end)
		rc = -EINVAL;
	if (rc < 0) {
		/* Give back every row this part added. */
		for (size_t i = first; i < g->r.n_rows; i++)
			for (size_t c = 0; c < LA_MAX_CELLS; c++)
				free(g->r.rows[i].cells[c]);
		g->r.n_rows = first;
		return rc;
	}
	for (int k = 0; k < LA_KINDS; k++)
		sc->count[k] += cnt[k];
	sc->irregular += cnt[4];
	sc->open_earlier += cnt[5];
	return 0;
}

/* ---- the part job --------------------------------------------------------------------------- */

/* Stores school s's part of g (the rows gathered) and releases the LA's job when every school
 * of the LA has its part. */
static int store(gather *g, size_t s, int64_t change_id, char *err, size_t elen)
{
	char la[8], urn[16], cid[24], b[96];
	char *rows = encode(g, s);
	const char *p[6] = {la, g->r.period, urn, cid, b, rows};
	PGresult *res;

	if (!rows) {
		snprintf(err, elen, "returns: school %u: out of memory", g->r.schools[s].urn);
		return -ENOMEM;
	}
	snprintf(la, sizeof(la), "%d", g->r.la_code);
	snprintf(urn, sizeof(urn), "%u", g->r.schools[s].urn);
	snprintf(cid, sizeof(cid), "%" PRId64, change_id);
	basis(g, b, sizeof(b));
	res = query(
	        g->env->conn,
	        "INSERT INTO la_return_part (la_code, period, school_urn, change_id, basis, rows)"
	        " VALUES ($1, $2, $3, $4, $5, $6)"
	        " ON CONFLICT (la_code, period, school_urn) DO UPDATE SET"
	        "  change_id = excluded.change_id, basis = excluded.basis,"
	        "  rows = excluded.rows, computed_at = now()",
	        6, p, err, elen);
	free(rows);
	if (!res)
		return -EIO;
	PQclear(res);
	res = query(g->env->conn,
	            "UPDATE job j SET run_after = now(), updated_at = now()"
	            " FROM la_return_request r"
	            " WHERE j.job_id = r.job_id AND r.la_code = $1 AND r.period = $2"
	            "  AND j.state = 'pending' AND j.run_after > now()"
	            "  AND NOT EXISTS (SELECT 1 FROM school k WHERE k.la_code = r.la_code"
	            "   AND NOT EXISTS (SELECT 1 FROM la_return_part t WHERE t.la_code = r.la_code"
	            "    AND t.period = r.period AND t.school_urn = k.school_urn))"
	            " RETURNING pg_notify('rollcall_jobs', '')",
	            2, p, err, elen);
	if (!res)
		return -EIO;
	PQclear(res);
	return 0;
}

int returns_part_run(const job_env *env, uint32_t urn, char *result, size_t rlen, char *err,
                     size_t elen)
{
	char u[16];
	const char *p[1] = {u};
	PGresult *req;
	int rc = 0, done = 0;

	snprintf(u, sizeof(u), "%u", urn);
	/* The returns still waiting for this school's LA. */
	req = query(env->conn,
	            "SELECT DISTINCT r.la_code, r.period FROM la_return_request r"
	            " JOIN job j USING (job_id) JOIN school k ON k.la_code = r.la_code"
	            " WHERE k.school_urn = $1 AND j.state = 'pending' ORDER BY 1, 2",
	            1, p, err, elen);
	if (!req)
		return -EIO;
	for (int i = 0; rc == 0 && i < PQntuples(req); i++) {
		gather g;
		int64_t change_id;
		size_t s;

		rc = returns_begin(&g, env, atoi(PQgetvalue(req, i, 0)), PQgetvalue(req, i, 1), err,
		                   elen);
		for (s = 0; rc == 0 && s < g.r.n_schools && g.r.schools[s].urn != urn; s++)
			;
		/* The register's state before the rows are computed: a change landing meanwhile
		 * makes the part look older than it is, and the LA's job computes it again. */
		if (rc == 0 && s < g.r.n_schools &&
		    (rc = school_latest_change(env->conn, urn, &change_id, err, elen)) == 0 &&
		    (rc = returns_school(&g, s, err, elen)) == 0 &&
		    (rc = store(&g, s, change_id, err, elen)) == 0)
			done++;
		la_report_free(&g.r);
	}
	PQclear(req);
	if (rc == 0)
		snprintf(result, rlen, "%d LA return%s", done, done == 1 ? "" : "s");
	return rc;
}

/* ---- the LA's job -----------------------------------------------------------------------------
 */

int returns_part_take(gather *g, size_t s, bool *taken, char *err, size_t elen)
{
	char la[8], urn[16], b[96];
	const char *p[3] = {la, g->r.period, urn};
	int64_t latest;
	PGresult *res;
	int rc;

	*taken = false;
	snprintf(la, sizeof(la), "%d", g->r.la_code);
	snprintf(urn, sizeof(urn), "%u", g->r.schools[s].urn);
	res = query(g->env->conn,
	            "SELECT change_id, basis, rows FROM la_return_part"
	            " WHERE la_code = $1 AND period = $2 AND school_urn = $3",
	            3, p, err, elen);
	if (!res)
		return -EIO;
	basis(g, b, sizeof(b));
	rc = 0;
	if (PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 1), b)) {
		rc = school_latest_change(g->env->conn, g->r.schools[s].urn, &latest, err, elen);
		if (rc == 0 && atoll(PQgetvalue(res, 0, 0)) == latest) {
			rc = decode(g, s, PQgetvalue(res, 0, 2));
			*taken = rc == 0;
			if (rc == -EINVAL)
				rc = 0; /* a part that does not read is computed again */
		}
	}
	PQclear(res);
	if (rc == -ENOMEM)
		snprintf(err, elen, "returns: school %u: out of memory", g->r.schools[s].urn);
	return rc;
}

int returns_parts_clear(gather *g, char *err, size_t elen)
{
	char la[8];
	const char *p[2] = {la, g->r.period};
	PGresult *res;

	snprintf(la, sizeof(la), "%d", g->r.la_code);
	res = query(g->env->conn, "DELETE FROM la_return_part WHERE la_code = $1 AND period = $2",
	            2, p, err, elen);
	if (!res)
		return -EIO;
	PQclear(res);
	return 0;
}
