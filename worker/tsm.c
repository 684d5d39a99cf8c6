/* The TSM pack job (see tsm.h): the school's register for the pack's year (the cached one when
 * that is the current year) and for the year before, three runs of the engine (the pack's day,
 * the previous term, the same point last year), the report model, the pupils' names, last
 * term's actions and the benchmarks, then the five files written atomically. */
#include "tsm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchmarks.h"
#include "report_tsm.h"
#include "rollcall/date.h"
#include "rollcall/db.h"
#include "rollcall/log.h"
#include "rollcall/outfile.h"

static PGresult *query(PGconn *conn, const char *sql, int n, const char *const *params, char *err,
                       size_t errlen)
{
	return db_prepared(conn, "tsm", sql, n, params, err, errlen);
}

/* The registers a pack reads: the pack's academic year (cur: cached, or owned in own_cur) and
 * the one before (prev, owned; NULL until needed). */
typedef struct tsm_regs {
	const job_env *env;
	uint32_t urn;
	school_reg *cur, *own_cur, *prev;
} tsm_regs;

static void regs_deinit(tsm_regs *g)
{
	school_reg_destroy(&g->own_cur);
	school_reg_destroy(&g->prev);
}

/* The register for academic year ay: the pack's, or the one before it. */
static int regs_get(tsm_regs *g, int ay, int32_t latest, school_reg **out, char *err, size_t errlen)
{
	bool full;
	int rc = 0;

	if (g->cur && g->cur->window_last >= date_academic_year_start(ay) &&
	    g->cur->window_last < date_academic_year_start(ay + 1)) {
		*out = g->cur;
		return 0;
	}
	if (!g->cur) {
		/* The current year comes from the cache the nightly refresh keeps warm. */
		if (ay == date_academic_year(latest))
			rc = school_refresh(g->env->conn, g->env->cache, g->urn, latest, g->env->mc,
			                    &g->cur, &full, err, errlen);
		else if ((rc = school_load(g->env->conn, g->urn, date_academic_year_start(ay),
		                           g->env->mc, &g->own_cur, err, errlen)) == 0)
			g->cur = g->own_cur;
		*out = g->cur;
		return rc;
	}
	if (!g->prev)
		rc = school_load(g->env->conn, g->urn, date_academic_year_start(ay), g->env->mc,
		                 &g->prev, err, errlen);
	*out = g->prev;
	return rc;
}

/* The engine on r as of the last school day of term (ay, name) up to until, with that term as
 * the term period. *m stays NULL when the term is not known or has no session by then. */
static int compute_term(const school_reg *r, int ay, measures_term_name name, int32_t until,
                        const measures_config *base, measures **m, char *err, size_t errlen)
{
	measures_config cfg = *base;
	measures_term t;
	int32_t day;

	*m = NULL;
	if (school_term_dates(r, ay, name, base->term_break_weekdays, &t) < 0)
		return 0;
	day = school_last_session(r, t.first_day, t.last_day < until ? t.last_day : until);
	if (day == MEASURES_NO_DAY)
		return 0;
	cfg.term_given = true;
	cfg.term_first = t.first_day;
	cfg.term_last = t.last_day;
	return school_compute(r, day, &cfg, m, err, errlen);
}

/* The same day a year earlier (29 February: the 28th). */
static int32_t year_before(int32_t day)
{
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	return date_from_ymd(y - 1, m, m == 2 && d == 29 ? 28 : d);
}

/* The same point last year: the previous year's register as of a year before the pack's day,
 * its term period the term of the same name up to that day. NULL when it has no session by
 * then. */
static int compute_last_year(const school_reg *r, int ay, measures_term_name name, int32_t day,
                             const measures_config *base, measures **m, char *err, size_t errlen)
{
	measures_config cfg = *base;
	measures_term t;

	*m = NULL;
	if (school_last_session(r, date_academic_year_start(ay), day) == MEASURES_NO_DAY)
		return 0;
	if (school_term_dates(r, ay, name, base->term_break_weekdays, &t) == 0) {
		cfg.term_given = true;
		cfg.term_first = t.first_day;
		cfg.term_last = t.last_day;
	}
	return school_compute(r, day, &cfg, m, err, errlen);
}

/* The UPN and names of the listed pupils (one query for all of them). */
static int name_pupils(PGconn *conn, tsm_report *r, char *err, size_t errlen)
{
	char u[16], *ids = malloc(r->n_pupils * 12 + 3), *q;
	const char *p[2] = {u, ids};
	PGresult *res;
	int rc = 0;

	if (!ids)
		return -ENOMEM;
	q = ids;
	*q++ = '{';
	for (size_t i = 0; i < r->n_pupils; i++)
		q += sprintf(q, i ? ",%lld" : "%lld", (long long)r->pupils[i].pupil_id);
	*q++ = '}';
	*q = '\0';
	snprintf(u, sizeof(u), "%u", r->school.urn);
	res = query(conn,
	            "SELECT pupil_id, upn, surname, forename FROM pupil"
	            " WHERE school_urn = $1 AND pupil_id = ANY ($2::integer[])",
	            2, p, err, errlen);
	free(ids);
	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res); i++) {
		int64_t id = atoll(PQgetvalue(res, i, 0));

		for (size_t k = 0; k < r->n_pupils; k++) {
			tsm_pupil *pu = &r->pupils[k];

			if (pu->pupil_id != id)
				continue;
			snprintf(pu->upn, sizeof(pu->upn), "%s", PQgetvalue(res, i, 1));
			snprintf(pu->surname, sizeof(pu->surname), "%s", PQgetvalue(res, i, 2));
			snprintf(pu->forename, sizeof(pu->forename), "%s", PQgetvalue(res, i, 3));
		}
	}
	PQclear(res);
	return rc;
}

/* The actions agreed at the meeting of the previous term, in the order imported. */
static int load_actions(PGconn *conn, tsm_report *r, char *err, size_t errlen)
{
	char u[16];
	const char *p[2] = {u, r->prev_label};
	PGresult *res;

	snprintf(u, sizeof(u), "%u", r->school.urn);
	res = query(conn,
	            "SELECT a.upn, coalesce(p.forename || ' ' || p.surname, ''), a.action, a.owner,"
	            " coalesce(a.due - date '1970-01-01', 2147483647), a.status, a.note"
	            " FROM tsm_action a LEFT JOIN pupil p ON p.school_urn = $1 AND p.upn = a.upn"
	            " WHERE a.school_urn = $1 AND a.term = $2 ORDER BY a.seq",
	            2, p, err, errlen);
	if (!res)
		return -EIO;
	r->actions = calloc((size_t)PQntuples(res) + 1, sizeof(*r->actions));
	if (!r->actions) {
		PQclear(res);
		return -ENOMEM;
	}
	r->n_actions = (size_t)PQntuples(res);
	for (size_t i = 0; i < r->n_actions; i++) {
		tsm_action *a = &r->actions[i];

		snprintf(a->upn, sizeof(a->upn), "%s", PQgetvalue(res, (int)i, 0));
		snprintf(a->pupil, sizeof(a->pupil), "%s", PQgetvalue(res, (int)i, 1));
		snprintf(a->action, sizeof(a->action), "%s", PQgetvalue(res, (int)i, 2));
		snprintf(a->owner, sizeof(a->owner), "%s", PQgetvalue(res, (int)i, 3));
		a->due = (int32_t)atol(PQgetvalue(res, (int)i, 4));
		snprintf(a->status, sizeof(a->status), "%s", PQgetvalue(res, (int)i, 5));
		snprintf(a->note, sizeof(a->note), "%s", PQgetvalue(res, (int)i, 6));
	}
	PQclear(res);
	return 0;
}

typedef struct tsm_file {
	const char *name;
	int (*fn)(const tsm_report *, FILE *);
} tsm_file;

static const tsm_file s_files[] = {
        {"pack.html", report_write_tsm_html},
        {"categories.csv", report_write_tsm_categories_csv},
        {"bands.csv", report_write_tsm_bands_csv},
        {"pupils.csv", report_write_tsm_pupils_csv},
        {"penalty-threshold.csv", report_write_tsm_penalty_csv},
};

typedef struct file_ctx {
	const tsm_report *r;
	const tsm_file *file;
} file_ctx;

static int write_file(void *user, FILE *f)
{
	const file_ctx *c = user;

	return c->file->fn(c->r, f);
}

/* Everything the pack reads besides the register, then its files. */
static int finish_pack(const job_env *env, tsm_report *r, char *err, size_t errlen)
{
	char path[96];
	int rc;

	if ((rc = name_pupils(env->conn, r, err, errlen)) < 0 ||
	    (rc = load_actions(env->conn, r, err, errlen)) < 0 ||
	    (rc = benchmarks_load(env->conn, 0, &r->national, &r->n_national, err, errlen)) < 0 ||
	    (rc = benchmarks_load(env->conn, r->school.la_code, &r->la, &r->n_la, err, errlen)) < 0)
		return rc;
	report_tsm_sort(r);
	for (size_t i = 0; i < sizeof(s_files) / sizeof(s_files[0]); i++) {
		file_ctx c = {r, &s_files[i]};

		snprintf(path, sizeof(path), "tsm/%u/%s/%s", r->school.urn, r->term_label,
		         s_files[i].name);
		if ((rc = outfile_write(env->output_dir, path, write_file, &c, err, errlen)) < 0)
			return rc;
	}
	return 0;
}

int tsm_run(const job_env *env, uint32_t urn, const char *term, char *result, size_t rlen,
            char *err, size_t elen)
{
	tsm_regs g = {.env = env, .urn = urn};
	measures *m = NULL, *prev = NULL, *ly = NULL;
	tsm_report r;
	measures_config cfg;
	settings_school ss;
	measures_term t;
	measures_term_name name, pname;
	school_reg *reg, *preg, *lreg;
	char label[MEASURES_TERM_LABEL_LEN], d[11];
	int32_t latest, day;
	int ay, pay, rc;

	memset(&r, 0, sizeof(r));
	if ((rc = school_default_as_of(env->conn, urn, &latest, err, elen)) < 0)
		return rc;
	if (latest == MEASURES_NO_DAY) {
		snprintf(result, rlen, "school %u: no marks yet, no pack", urn);
		return 0;
	}
	if (term && measures_term_parse(term, strlen(term), &ay, &name) < 0) {
		snprintf(err, elen, "tsm: '%.20s' is not a term like 2025-autumn", term);
		return -EINVAL;
	}
	if (!term)
		ay = date_academic_year(latest);
	if ((rc = regs_get(&g, ay, latest, &reg, err, elen)) < 0)
		goto out;
	jobs_school_config(env, reg->la_code, &cfg, &ss);
	if (!term) {
		school_term_at(reg, latest, cfg.term_break_weekdays, &t);
		name = t.name;
	}
	measures_term_label(ay, name, label);
	if (school_term_dates(reg, ay, name, cfg.term_break_weekdays, &t) < 0) {
		snprintf(err, elen,
		         "school %u: term %s is not known (not started, or the calendar "
		         "names other terms)",
		         urn, label);
		rc = -ENOENT;
		goto out;
	}
	day = school_last_session(reg, t.first_day, t.last_day < latest ? t.last_day : latest);
	if (day == MEASURES_NO_DAY) {
		snprintf(err, elen, "school %u: term %s has no school day up to %s", urn, label,
		         date_format(latest, d));
		rc = -ENOENT;
		goto out;
	}
	if ((rc = compute_term(reg, ay, name, day, &cfg, &m, err, elen)) < 0)
		goto out;

	/* The trends: the previous term (last year's summer for an autumn pack) and the same
	 * point last year. */
	measures_term_before(ay, name, &pay, &pname);
	if ((rc = regs_get(&g, pay, latest, &preg, err, elen)) < 0 ||
	    (rc = compute_term(preg, pay, pname, day, &cfg, &prev, err, elen)) < 0 ||
	    (rc = regs_get(&g, ay - 1, latest, &lreg, err, elen)) < 0 ||
	    (rc = compute_last_year(lreg, ay - 1, name, year_before(day), &cfg, &ly, err, elen)) <
	            0)
		goto out;

	rc = report_tsm_build(
	        &r,
	        &(tsm_source){.m = m,
	                      .prev = prev,
	                      .ly = ly,
	                      .falling_bp = ss.falling_bp,
	                      .classes = (const char(*)[REPORT_CLASS_LEN])reg->classes,
	                      .n_classes = reg->n_classes},
	        err, elen);
	if (rc < 0)
		goto out;
	r.school.urn = urn;
	snprintf(r.school.name, sizeof(r.school.name), "%s", reg->name);
	snprintf(r.school.phase, sizeof(r.school.phase), "%s", reg->phase);
	snprintf(r.school.la_name, sizeof(r.school.la_name), "%s", reg->la_name);
	r.school.la_code = reg->la_code;
	r.school.boundaries_source = (int)ss.source;
	if ((rc = finish_pack(env, &r, err, elen)) < 0)
		goto out;
	snprintf(result, rlen, "%s/tsm/%u/%s/ (as of %s, %zu pupils listed)", env->output_dir, urn,
	         label, date_format(day, d), r.n_pupils);
	log_debug("school %u: TSM pack %s as of %s", urn, label, d);
out:
	if (rc == -ENOMEM)
		snprintf(err, elen, "school %u: out of memory", urn);
	report_tsm_deinit(&r);
	measures_destroy(&m);
	measures_destroy(&prev);
	measures_destroy(&ly);
	regs_deinit(&g);
	return rc;
}
