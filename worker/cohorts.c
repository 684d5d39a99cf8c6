/* The trust cohort breakdown: ensure each school's results, read them back in bulk, sum the
 * trust, write cohorts.csv and index.html atomically. */
#include "cohorts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchmarks.h"
#include "report.h"
#include "rollcall/date.h"
#include "rollcall/db.h"
#include "rollcall/log.h"
#include "rollcall/outfile.h"

static PGresult *query(PGconn *conn, const char *sql, int n, const char *const *params, char *err,
                       size_t errlen)
{
	return db_prepared(conn, "cohorts", sql, n, params, err, errlen);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Whether urn has results as of p[1] that include its latest change and were computed under
 * the boundaries in force; *la_code gets the school's LA. */
static int results_current(const job_env *env, uint32_t urn, const char *const *p, int64_t latest,
                           int *la_code, bool *current, char *err, size_t errlen)
{
	PGresult *res = query(env->conn,
	                      "SELECT s.la_code, r.change_id, coalesce(r.boundaries, '')"
	                      " FROM school s LEFT JOIN school_result r"
	                      " ON r.school_urn = $1 AND r.as_of = $2"
	                      " WHERE s.school_urn = $1",
	                      2, p, err, errlen);
	measures_config cfg;
	settings_school ss;
	char key[SETTINGS_KEY_LEN];

	if (!res)
		return -EIO;
	if (PQntuples(res) != 1) {
		PQclear(res);
		snprintf(err, errlen, "school %u: not registered", urn);
		return -ENOENT;
	}
	*la_code = atoi(PQgetvalue(res, 0, 0));
	jobs_school_config(env, *la_code, &cfg, &ss);
	*current = !PQgetisnull(res, 0, 1) && atoll(PQgetvalue(res, 0, 1)) == latest &&
	           !strcmp(PQgetvalue(res, 0, 2), settings_key(ss.category_bp, key));
	PQclear(res);
	return 0;
}

int cohorts_ensure_school(const job_env *env, uint32_t urn, int32_t as_of, bool *computed,
                          char *err, size_t errlen)
{
	PGconn *conn = env->conn;
	char u[16], d[11];
	const char *p[2] = {u, date_format(as_of, d)};
	report_cohort cohorts[REPORT_MAX_COHORTS];
	size_t ncoh;
	int64_t latest = 0;
	school_reg *reg;
	measures *m = NULL;
	measures_config cfg;
	settings_school ss;
	bool full = true, current = false;
	int la_code = 0;
	double t[4];
	int rc;

	*computed = false;
	snprintf(u, sizeof(u), "%u", urn);
	rc = school_latest_change(conn, urn, &latest, err, errlen);
	if (rc == 0)
		rc = results_current(env, urn, p, latest, &la_code, &current, err, errlen);
	if (rc < 0 || current)
		return rc;
	/* One worker computes a school at a time (a recompute job may be on it right now); once
	 * the lock is ours, look again: the other worker may have stored what we need. */
	rc = jobs_lock_school(env, urn, err, errlen);
	if (rc < 0)
		return rc;
	rc = results_current(env, urn, p, latest, &la_code, &current, err, errlen);
	if (rc < 0 || current) {
		jobs_unlock_school(env, urn);
		return rc;
	}
	jobs_school_config(env, la_code, &cfg, &ss);
	t[0] = now_ms();
	rc = school_refresh(conn, env->cache, urn, as_of, &cfg, &reg, &full, err, errlen);
	t[1] = now_ms();
	if (rc == 0)
		rc = school_compute(reg, as_of, &cfg, &m, err, errlen);
	t[2] = now_ms();
	if (rc == 0) {
		report_cohorts_init(cohorts, &ncoh);
		rc = school_store(conn, reg, m, cohorts, ncoh, err, errlen);
	}
	t[3] = now_ms();
	log_debug("school %u: %s refresh %.1f ms, compute %.1f ms, store %.1f ms", urn,
	          full ? "full" : "partial", t[1] - t[0], t[2] - t[1], t[3] - t[2]);
	measures_destroy(&m);
	jobs_unlock_school(env, urn);
	*computed = rc == 0;
	return rc;
}

static int write_csv(void *user, FILE *f)
{
	return report_write_cohorts_csv(user, f);
}

static int write_html(void *user, FILE *f)
{
	return report_write_cohorts_html(user, f);
}

static void free_report(trust_report *r)
{
	for (size_t i = 0; i < r->n_schools; i++) {
		free(r->schools[i].week_start);
		free(r->schools[i].week_possible);
		free(r->schools[i].week_absence);
	}
	free(r->schools);
	free(r->trust.week_start);
	free(r->trust.week_possible);
	free(r->trust.week_absence);
	free(r->benchmarks);
	memset(r, 0, sizeof(*r));
}

static report_school *find_school(trust_report *r, uint32_t urn)
{
	size_t lo = 0, hi = r->n_schools;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->schools[mid].urn < urn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n_schools && r->schools[lo].urn == urn ? &r->schools[lo] : NULL;
}

/* Marks the schools whose results as of r->as_of are missing, older than their register's
 * latest change, or computed under other boundaries than those now in force (one query
 * instead of two per school). */
static int mark_stale(PGconn *conn, trust_report *r, char *err, size_t errlen)
{
	char d[11];
	const char *p[1] = {date_format(r->as_of, d)};
	PGresult *res =
	        query(conn,
	              "SELECT s.school_urn, coalesce(r.boundaries, ''),"
	              " r.change_id IS DISTINCT FROM (SELECT coalesce(max(c.change_id), 0)"
	              "  FROM register_change c WHERE c.school_urn = s.school_urn)"
	              " FROM school s"
	              " LEFT JOIN school_result r ON r.school_urn = s.school_urn AND r.as_of = $1",
	              1, p, err, errlen);

	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res); i++) {
		report_school *s = find_school(r, (uint32_t)atol(PQgetvalue(res, i, 0)));
		char key[SETTINGS_KEY_LEN];

		if (s && (PQgetvalue(res, i, 2)[0] == 't' ||
		          strcmp(PQgetvalue(res, i, 1), settings_key(s->category_bp, key)) != 0))
			s->stale = true;
	}
	PQclear(res);
	return 0;
}

static long cohort_index(const report_cohort *c, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return (long)i;
	return -1;
}

static void fill_row(measures_cohort_row *row, PGresult *res, int i, int col)
{
	row->pupils = strtoull(PQgetvalue(res, i, col), NULL, 10);
	row->possible = strtoull(PQgetvalue(res, i, col + 1), NULL, 10);
	row->absence = strtoull(PQgetvalue(res, i, col + 2), NULL, 10);
	row->authorised = strtoull(PQgetvalue(res, i, col + 3), NULL, 10);
	row->unauthorised = strtoull(PQgetvalue(res, i, col + 4), NULL, 10);
	row->pa_pupils = strtoull(PQgetvalue(res, i, col + 5), NULL, 10);
	row->sa_pupils = strtoull(PQgetvalue(res, i, col + 6), NULL, 10);
}

/* Reads the stored results as of r->as_of into r (schools already listed). */
static int load_results(PGconn *conn, trust_report *r, const report_cohort *all, size_t nall,
                        char *err, size_t errlen)
{
	char d[11];
	const char *p[1] = {date_format(r->as_of, d)};
	PGresult *res;
	bool used[REPORT_MAX_COHORTS] = {false};

	/* School summaries and the periods (taken from the first school: one calendar rule). */
	res = query(conn,
	            "SELECT school_urn, unmarked, outside_population, term_year, term_name,"
	            " term_first - date '1970-01-01', ytd_first - date '1970-01-01',"
	            " term_period_first - date '1970-01-01',"
	            " coalesce(last4w_first - date '1970-01-01', 2147483647)"
	            " FROM school_result WHERE as_of = $1 ORDER BY school_urn",
	            1, p, err, errlen);
	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res); i++) {
		report_school *s = find_school(r, (uint32_t)atol(PQgetvalue(res, i, 0)));

		if (!s)
			continue;
		s->unmarked = strtoull(PQgetvalue(res, i, 1), NULL, 10);
		s->outside_population = strtoull(PQgetvalue(res, i, 2), NULL, 10);
		r->trust.unmarked += s->unmarked;
		r->trust.outside_population += s->outside_population;
		if (i == 0) {
			const char *tn = PQgetvalue(res, i, 4);
			r->term.year = atoi(PQgetvalue(res, i, 3));
			r->term.name = !strcmp(tn, "spring")   ? MEASURES_SPRING
			               : !strcmp(tn, "summer") ? MEASURES_SUMMER
			                                       : MEASURES_AUTUMN;
			r->term.first_day = atoi(PQgetvalue(res, i, 5));
			r->term.last_day = r->as_of;
			r->period_first[MEASURES_YTD] = atoi(PQgetvalue(res, i, 6));
			r->period_first[MEASURES_TERM] = atoi(PQgetvalue(res, i, 7));
			r->period_first[MEASURES_LAST4W] = (int32_t)atol(PQgetvalue(res, i, 8));
		}
	}
	PQclear(res);

	res = query(conn,
	            "SELECT school_urn, period, cohort, in_cohort, pupils, possible, absence,"
	            " authorised, unauthorised, pa_pupils, sa_pupils FROM cohort_result"
	            " WHERE as_of = $1 ORDER BY school_urn, period, cohort, in_cohort",
	            1, p, err, errlen);
	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res); i++) {
		report_school *s = find_school(r, (uint32_t)atol(PQgetvalue(res, i, 0)));
		int per = atoi(PQgetvalue(res, i, 1));
		const char *name = PQgetvalue(res, i, 2);
		bool in = PQgetvalue(res, i, 3)[0] == 't';
		measures_cohort_row row;
		long k;

		if (!s || per < 0 || per >= MEASURES_PERIODS)
			continue;
		fill_row(&row, res, i, 4);
		if (!strcmp(name, "all")) {
			s->all[per] = row;
			measures_cohort_row_add(&r->trust.all[per], &row);
			continue;
		}
		k = cohort_index(all, nall, name);
		if (k < 0)
			continue;
		if (in) {
			s->in[per][k] = row;
			measures_cohort_row_add(&r->trust.in[per][k], &row);
			if (per == MEASURES_YTD && row.pupils > 0)
				used[k] = true;
		} else {
			s->out[per][k] = row;
			measures_cohort_row_add(&r->trust.out[per][k], &row);
		}
	}
	PQclear(res);

	/* The reported cohorts: every flag cohort, and the sexes and year groups the trust has. */
	r->n_cohorts = 0;
	for (size_t k = 0; k < nall; k++) {
		if (!report_cohort_shown(&all[k], used[k]))
			continue;
		r->cohorts[r->n_cohorts] = all[k];
		/* Compact the figures to the kept order (k >= n_cohorts always holds). */
		for (size_t i = 0; i <= r->n_schools; i++) {
			report_school *s = i < r->n_schools ? &r->schools[i] : &r->trust;
			for (int per = 0; per < MEASURES_PERIODS; per++) {
				s->in[per][r->n_cohorts] = s->in[per][k];
				s->out[per][r->n_cohorts] = s->out[per][k];
			}
		}
		r->n_cohorts++;
	}

	res = query(
	        conn,
	        "SELECT school_urn, period, category, pupils FROM category_result WHERE as_of = $1",
	        1, p, err, errlen);
	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res); i++) {
		report_school *s = find_school(r, (uint32_t)atol(PQgetvalue(res, i, 0)));
		int per = atoi(PQgetvalue(res, i, 1));
		const char *cat = PQgetvalue(res, i, 2);
		uint32_t n = (uint32_t)atol(PQgetvalue(res, i, 3));

		if (!s || per < 0 || per >= MEASURES_PERIODS)
			continue;
		for (int c = MEASURES_CAT_EXPECTED; c < MEASURES_CAT_COUNT; c++)
			if (!strcmp(cat, measures_category_name((measures_category)c))) {
				s->categories[per][c] = n;
				r->trust.categories[per][c] += n;
			}
	}
	PQclear(res);
	return 0;
}

/* Gives s room for n weeks. */
static int weeks_alloc(report_school *s, size_t n)
{
	s->week_start = calloc(n + 1, sizeof(int32_t));
	s->week_possible = calloc(n + 1, sizeof(uint64_t));
	s->week_absence = calloc(n + 1, sizeof(uint64_t));
	return s->week_start && s->week_possible && s->week_absence ? 0 : -ENOMEM;
}

static int load_weeks(PGconn *conn, trust_report *r, char *err, size_t errlen)
{
	char d[11];
	const char *p[1] = {date_format(r->as_of, d)};
	PGresult *res;
	int rc = 0;

	/* Trust weeks: the union of the schools' school weeks. */
	res = query(conn,
	            "SELECT week_start - date '1970-01-01', sum(possible), sum(absence) FROM "
	            "week_result"
	            " WHERE as_of = $1 GROUP BY week_start ORDER BY week_start",
	            1, p, err, errlen);
	if (!res)
		return -EIO;
	r->trust.n_weeks = (size_t)PQntuples(res);
	rc = weeks_alloc(&r->trust, r->trust.n_weeks);
	for (size_t i = 0; rc == 0 && i < r->trust.n_weeks; i++) {
		r->trust.week_start[i] = atoi(PQgetvalue(res, (int)i, 0));
		r->trust.week_possible[i] = strtoull(PQgetvalue(res, (int)i, 1), NULL, 10);
		r->trust.week_absence[i] = strtoull(PQgetvalue(res, (int)i, 2), NULL, 10);
	}
	PQclear(res);
	if (rc < 0)
		return rc;

	res = query(conn,
	            "SELECT school_urn, week_start - date '1970-01-01', possible, absence,"
	            " count(*) OVER (PARTITION BY school_urn) FROM week_result WHERE as_of = $1"
	            " ORDER BY school_urn, week_start",
	            1, p, err, errlen);
	if (!res)
		return -EIO;
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		report_school *s = find_school(r, (uint32_t)atol(PQgetvalue(res, i, 0)));
		size_t n = (size_t)atol(PQgetvalue(res, i, 4));

		if (!s)
			continue;
		if (!s->week_start && (rc = weeks_alloc(s, n)) < 0)
			break;
		if (s->n_weeks < n) {
			s->week_start[s->n_weeks] = atoi(PQgetvalue(res, i, 1));
			s->week_possible[s->n_weeks] = strtoull(PQgetvalue(res, i, 2), NULL, 10);
			s->week_absence[s->n_weeks] = strtoull(PQgetvalue(res, i, 3), NULL, 10);
			s->n_weeks++;
		}
	}
	PQclear(res);
	return rc;
}

int cohorts_run(const job_env *env, int32_t as_of, char *result, size_t resultlen, char *err,
                size_t errlen)
{
	PGconn *conn = env->conn;
	const char *out_dir = env->output_dir;
	trust_report r;
	report_cohort all[REPORT_MAX_COHORTS];
	size_t nall, computed = 0;
	char d[11], path[64];
	PGresult *res = NULL;
	settings_school ss;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	if (as_of == MEASURES_NO_DAY) {
		res = query(conn,
		            "SELECT coalesce((SELECT max(date) FROM mark_version WHERE date <= "
		            "current_date)"
		            " - date '1970-01-01', -1)",
		            0, NULL, err, errlen);
		if (!res)
			return -EIO;
		as_of = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
		if (as_of < 0) {
			snprintf(err, errlen, "cohorts: the register has no marks yet");
			return -ENODATA;
		}
	}
	r.as_of = as_of;
	report_cohorts_init(all, &nall);

	res = query(conn,
	            "SELECT s.school_urn, s.name, s.phase, s.la_code, l.name FROM school s"
	            " JOIN la l USING (la_code) ORDER BY s.school_urn",
	            0, NULL, err, errlen);
	if (!res)
		return -EIO;
	r.n_schools = (size_t)PQntuples(res);
	r.schools = calloc(r.n_schools + 1, sizeof(*r.schools));
	if (!r.schools) {
		PQclear(res);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r.n_schools; i++) {
		report_school *s = &r.schools[i];

		s->urn = (uint32_t)atol(PQgetvalue(res, (int)i, 0));
		snprintf(s->name, sizeof(s->name), "%s", PQgetvalue(res, (int)i, 1));
		snprintf(s->phase, sizeof(s->phase), "%s", PQgetvalue(res, (int)i, 2));
		s->la_code = atoi(PQgetvalue(res, (int)i, 3));
		snprintf(s->la_name, sizeof(s->la_name), "%s", PQgetvalue(res, (int)i, 4));
		ss = settings_for(env->settings, s->la_code);
		memcpy(s->category_bp, ss.category_bp, sizeof(s->category_bp));
		s->boundaries_source = (int)ss.source;
	}
	PQclear(res);
	snprintf(r.trust.name, sizeof(r.trust.name), "Trust");
	snprintf(r.trust.phase, sizeof(r.trust.phase), "all");

	if ((rc = mark_stale(conn, &r, err, errlen)) < 0)
		goto out;
	for (size_t i = 0; i < r.n_schools; i++) {
		bool did = false;

		if (r.schools[i].stale && (rc = cohorts_ensure_school(env, r.schools[i].urn, as_of,
		                                                      &did, err, errlen)) < 0)
			goto out;
		computed += did;
		if (env->progress && (rc = env->progress(env->user, i + 1, r.n_schools)) < 0) {
			snprintf(err, errlen, "cohorts: stopped after %zu of %zu schools", i + 1,
			         r.n_schools);
			goto out;
		}
	}
	if ((rc = load_results(conn, &r, all, nall, err, errlen)) < 0 ||
	    (rc = load_weeks(conn, &r, err, errlen)) < 0 ||
	    (rc = benchmarks_load(conn, 0, &r.benchmarks, &r.n_benchmarks, err, errlen)) < 0)
		goto out;

	date_format(as_of, d);
	snprintf(path, sizeof(path), "trust/%s/cohorts.csv", d);
	if ((rc = outfile_write(out_dir, path, write_csv, &r, err, errlen)) < 0)
		goto out;
	snprintf(path, sizeof(path), "trust/%s/index.html", d);
	if ((rc = outfile_write(out_dir, path, write_html, &r, err, errlen)) < 0)
		goto out;
	snprintf(result, resultlen,
	         "%s/trust/%s/cohorts.csv %s/trust/%s/index.html (%zu schools, %zu computed)",
	         out_dir, d, out_dir, d, r.n_schools, computed);
out:
	free_report(&r);
	return rc;
}
