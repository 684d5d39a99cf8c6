/* Gathering an LA's returns: the engine's attendance and sickness rows for every school, the
 * new-pupil and deletion rows from the admission register's spells, the pupils' details for
 * the rows listed (names and addresses are read only for them, and never logged), and the
 * comparison with the last generation that makes a regenerated month byte-identical unless the
 * register changed. */
#include "returns.h"
#include "returns_gather.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_la.h"
#include "rollcall/codes.h"
#include "rollcall/date.h"
#include "rollcall/db.h"
#include "rollcall/ncyear.h"
#include "rollcall/outfile.h"
#include "school.h"

static PGresult *query(PGconn *conn, const char *sql, int n, const char *const *params, char *err,
                       size_t errlen)
{
	return db_prepared(conn, "returns", sql, n, params, err, errlen);
}

int returns_period(int year, int month, bool termly, int32_t *first, int32_t *last, char *err,
                   size_t errlen)
{
	if (month < 1 || month > 12) {
		snprintf(err, errlen, "returns: month %d is not 1..12", month);
		return -EINVAL;
	}
	*last = (month == 12 ? date_from_ymd(year + 1, 1, 1) : date_from_ymd(year, month + 1, 1)) -
	        1;
	*first = date_from_ymd(year, month, 1);
	if (!termly)
		return 0;
	/* Termly: December covers August to December, April January to April, July May to
	 * July (each within one academic year). */
	if (month == 12)
		*first = date_from_ymd(year, 8, 1);
	else if (month == 4)
		*first = date_from_ymd(year, 1, 1);
	else if (month == 7)
		*first = date_from_ymd(year, 5, 1);
	else {
		snprintf(err, errlen,
		         "returns: the LA receives termly returns (December, April and July), none "
		         "for %04d-%02d",
		         year, month);
		return -EINVAL;
	}
	return 0;
}

/* ---- rows --------------------------------------------------------------------------------- */

static char *xstrdup(const char *s)
{
	return strdup(s ? s : "");
}

la_row *returns_row_new(gather *g, la_kind kind, size_t s)
{
	la_row *row;

	if (g->r.n_rows == g->cap_rows) {
		size_t cap = g->cap_rows ? g->cap_rows * 2 : 64;
		la_row *v = realloc(g->r.rows, cap * sizeof(*v));

		if (!v)
			return NULL;
		g->r.rows = v;
		g->cap_rows = cap;
	}
	row = &g->r.rows[g->r.n_rows++];
	memset(row, 0, sizeof(*row));
	row->kind = kind;
	row->school = s;
	return row;
}

static int cell(la_row *row, int c, const char *s)
{
	free(row->cells[c]);
	row->cells[c] = xstrdup(s);
	return row->cells[c] ? 0 : -ENOMEM;
}

static int cellf(la_row *row, int c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int cellf(la_row *row, int c, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return cell(row, c, buf);
}

static int cell_day(la_row *row, int c, int32_t day)
{
	char d[11];

	return cell(row, c, day == MEASURES_NO_DAY ? "" : date_format(day, d));
}

/* ---- the pupils' details, for the rows listed ----------------------------------------------- */

typedef struct ident {
	int64_t pupil_id;
	char *upn, *surname, *forename, *preferred, *sex, *address, *postcode;
	int32_t dob;
	/* characteristics history: day -> year group, boarder */
	size_t first_char, n_chars;
	/* contacts the pupil lives with, by priority */
	size_t first_parent, n_parents;
} ident;

typedef struct ychar {
	int32_t from;
	int8_t year;
	bool boarder;
} ychar;

typedef struct parent {
	char *name, *relationship, *address, *phone;
} parent;

typedef struct idents {
	ident *v;
	size_t n;
	ychar *chars;
	size_t n_chars;
	parent *parents;
	size_t n_parents;
} idents;

static void idents_free(idents *d)
{
	for (size_t i = 0; i < d->n; i++) {
		ident *p = &d->v[i];
		free(p->upn);
		free(p->surname);
		free(p->forename);
		free(p->preferred);
		free(p->sex);
		free(p->address);
		free(p->postcode);
	}
	for (size_t i = 0; i < d->n_parents; i++) {
		free(d->parents[i].name);
		free(d->parents[i].relationship);
		free(d->parents[i].address);
		free(d->parents[i].phone);
	}
	free(d->v);
	free(d->chars);
	free(d->parents);
	memset(d, 0, sizeof(*d));
}

static const ident *ident_find(const idents *d, int64_t id)
{
	size_t lo = 0, hi = d->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (d->v[mid].pupil_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->n && d->v[lo].pupil_id == id ? &d->v[lo] : NULL;
}

/* The year group (and boarder flag) of p as at day: its last record from before, else its
 * first. */
static const ychar *ident_char(const idents *d, const ident *p, int32_t day)
{
	const ychar *pick = NULL;

	for (size_t i = p->first_char; i < p->first_char + p->n_chars; i++)
		if (!pick || d->chars[i].from <= day)
			pick = &d->chars[i];
	return pick;
}

/* "line 1, line 2, town" without the empty parts. */
static char *join_address(const char *a, const char *b, const char *c)
{
	const char *parts[3] = {a, b, c};
	size_t len = 1;
	char *out;

	for (int i = 0; i < 3; i++)
		len += strlen(parts[i]) + 2;
	out = malloc(len);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (int i = 0; i < 3; i++) {
		if (!parts[i][0])
			continue;
		if (out[0])
			strcat(out, ", ");
		strcat(out, parts[i]);
	}
	return out;
}

static int ids_array(const int64_t *ids, size_t n, char **out)
{
	size_t len = 1;
	char *s = malloc(n * 21 + 3);

	if (!s)
		return -ENOMEM;
	s[0] = '{';
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "%s%" PRId64, i ? "," : "", ids[i]);
	strcpy(s + len, "}");
	*out = s;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Runs one of idents_load's queries (parameters: the school, the pupils) into *res and returns
 * an array for as many rows (plus one) of size bytes each; NULL with *rc -EIO (*res NULL) or
 * -ENOMEM. */
static void *query_rows(PGconn *conn, const char *sql, const char *const *p, size_t size,
                        PGresult **res, int *rc, char *err, size_t errlen)
{
	void *v;

	PQclear(*res);
	*res = query(conn, sql, 2, p, err, errlen);
	if (!*res) {
		*rc = -EIO;
		return NULL;
	}
	v = calloc((size_t)PQntuples(*res) + 1, size);
	*rc = v ? 0 : -ENOMEM;
	return v;
}

/* Reads the details of the pupils ids[0..n) of school urn (sorted, distinct) into d. */
static int idents_load(PGconn *conn, uint32_t urn, const int64_t *ids, size_t n, idents *d,
                       char *err, size_t errlen)
{
	char u[16], *arr = NULL;
	const char *p[2] = {u, NULL};
	PGresult *res = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	if (n == 0)
		return 0;
	if ((rc = ids_array(ids, n, &arr)) < 0)
		return rc;
	snprintf(u, sizeof(u), "%u", urn);
	p[1] = arr;
	d->v = query_rows(
	        conn,
	        "SELECT pupil_id, upn, surname, forename, coalesce(preferred_forename, ''),"
	        " sex, date_of_birth - date '1970-01-01', coalesce(address_line1, ''),"
	        " coalesce(address_line2, ''), coalesce(town, ''), coalesce(postcode, '')"
	        " FROM pupil WHERE school_urn = $1 AND pupil_id = ANY ($2::integer[])"
	        " ORDER BY pupil_id",
	        p, sizeof(*d->v), &res, &rc, err, errlen);
	if (rc < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		ident *q = &d->v[d->n++];

		q->pupil_id = atoll(PQgetvalue(res, i, 0));
		q->upn = xstrdup(PQgetvalue(res, i, 1));
		q->surname = xstrdup(PQgetvalue(res, i, 2));
		q->forename = xstrdup(PQgetvalue(res, i, 3));
		q->preferred = xstrdup(PQgetvalue(res, i, 4));
		q->sex = xstrdup(PQgetvalue(res, i, 5));
		q->dob = atoi(PQgetvalue(res, i, 6));
		q->address = join_address(PQgetvalue(res, i, 7), PQgetvalue(res, i, 8),
		                          PQgetvalue(res, i, 9));
		q->postcode = xstrdup(PQgetvalue(res, i, 10));
		if (!q->upn || !q->surname || !q->forename || !q->preferred || !q->sex ||
		    !q->address || !q->postcode) {
			rc = -ENOMEM;
			goto out;
		}
	}
	d->chars =
	        query_rows(conn,
	                   "SELECT pupil_id, valid_from - date '1970-01-01', coalesce(nc_year, ''),"
	                   " boarder FROM pupil_characteristic WHERE school_urn = $1"
	                   " AND pupil_id = ANY ($2::integer[]) ORDER BY pupil_id, valid_from",
	                   p, sizeof(*d->chars), &res, &rc, err, errlen);
	if (rc < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		ident *q = (ident *)ident_find(d, atoll(PQgetvalue(res, i, 0)));
		const char *y = PQgetvalue(res, i, 2);

		if (!q)
			continue;
		if (!q->n_chars)
			q->first_char = d->n_chars;
		q->n_chars++;
		d->chars[d->n_chars++] =
		        (ychar){atoi(PQgetvalue(res, i, 1)), ncyear_parse(y, strlen(y)),
		                PQgetvalue(res, i, 3)[0] == 't'};
	}
	/* The parents a pupil lives with, by priority (unset last), then as sent. */
	d->parents = query_rows(
	        conn,
	        "SELECT pupil_id, name, coalesce(relationship, ''), coalesce(address, ''),"
	        " coalesce(phone, '') FROM contact WHERE school_urn = $1"
	        " AND pupil_id = ANY ($2::integer[]) AND lives_with"
	        " ORDER BY pupil_id, priority NULLS LAST, seq",
	        p, sizeof(*d->parents), &res, &rc, err, errlen);
	if (rc < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		ident *q = (ident *)ident_find(d, atoll(PQgetvalue(res, i, 0)));
		parent *pa;

		if (!q)
			continue;
		if (!q->n_parents)
			q->first_parent = d->n_parents;
		q->n_parents++;
		pa = &d->parents[d->n_parents++];
		pa->name = xstrdup(PQgetvalue(res, i, 1));
		pa->relationship = xstrdup(PQgetvalue(res, i, 2));
		pa->address = xstrdup(PQgetvalue(res, i, 3));
		pa->phone = xstrdup(PQgetvalue(res, i, 4));
		if (!pa->name || !pa->relationship || !pa->address || !pa->phone) {
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = 0;
out:
	PQclear(res);
	free(arr);
	return rc;
}

/* ---- one school's rows ------------------------------------------------------------------------
 */

/* A spell from the admission register listed by the new-pupil or deletion return. */
typedef struct spell_row {
	int64_t pupil_id;
	int32_t admission, leaving, entered, dest_start;
	char *leaving_reason, *previous, *dest_school, *dest_address;
	la_kind kind;
} spell_row;

typedef struct school_rows {
	uint32_t urn;
	size_t s; /* index in the report */
	int32_t as_of;
	measures *m;
	measures_attendance_row *att;
	size_t n_att;
	measures_sickness_row *sick;
	size_t n_sick;
	size_t *open; /* episodes qualified before the period, still going on at its end */
	size_t n_open;
	size_t *irregular; /* enrolments at or over the LA's threshold */
	size_t n_irregular;
	spell_row *spells;
	size_t n_spells;
	int8_t junior, senior; /* the school's most junior and senior year groups */
	struct {
		int ay;
		int32_t first, last; /* the first and last open sessions known of that year */
	} years[4];                  /* those looked up, for the spells' own academic years */
	size_t n_years;
} school_rows;

static void school_rows_free(school_rows *sr)
{
	for (size_t i = 0; i < sr->n_spells; i++) {
		free(sr->spells[i].leaving_reason);
		free(sr->spells[i].previous);
		free(sr->spells[i].dest_school);
		free(sr->spells[i].dest_address);
	}
	free(sr->spells);
	free(sr->att);
	free(sr->sick);
	free(sr->open);
	free(sr->irregular);
	measures_destroy(&sr->m);
	memset(sr, 0, sizeof(*sr));
}

/* The engine's rows of the school: attendance and sickness returns, open episodes, pupils over
 * the irregular-attendance threshold. */
static int engine_rows(gather *g, school_rows *sr, char *err, size_t errlen)
{
	const job_env *env = g->env;
	school_reg *reg;
	bool full;
	int rc;

	rc = school_default_as_of(env->conn, sr->urn, &sr->as_of, err, errlen);
	if (rc < 0 || sr->as_of == MEASURES_NO_DAY || sr->as_of < g->r.first)
		return rc; /* nothing marked in the period yet */
	if (sr->as_of > g->r.last)
		sr->as_of = g->r.last;
	rc = school_refresh(env->conn, env->cache, sr->urn, sr->as_of, env->mc, &reg, &full, err,
	                    errlen);
	if (rc == 0)
		rc = school_compute(reg, sr->as_of, env->mc, &sr->m, err, errlen);
	if (rc == 0)
		rc = measures_attendance_return(sr->m, g->r.first, g->r.last, &sr->att, &sr->n_att);
	if (rc == 0)
		rc = measures_sickness_return(sr->m, g->r.first, g->r.last, &sr->sick, &sr->n_sick);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "returns: school %u: out of memory", sr->urn);
	if (rc < 0)
		return rc;
	sr->open = calloc(sr->m->n_episodes + 1, sizeof(*sr->open));
	sr->irregular = calloc(sr->m->n_enrolments + 1, sizeof(*sr->irregular));
	if (!sr->open || !sr->irregular)
		return -ENOMEM;
	for (size_t i = 0; i < sr->m->n_episodes; i++) {
		const measures_episode *ep = &sr->m->episodes[i];
		const measures_pupil *pu = &sr->m->pupils[ep->enrolment];

		if (ep->qualified_day != MEASURES_NO_DAY && ep->qualified_day < g->r.first &&
		    ep->end_day > sr->as_of && measures_compulsory_age(pu->birth_day, g->ay))
			sr->open[sr->n_open++] = i;
	}
	for (size_t e = 0; g->r.irregular_bp && e < sr->m->n_enrolments; e++) {
		const measures_pupil *pu = &sr->m->pupils[e];
		const measures_counts *c = &pu->counts[MEASURES_YTD];

		if (measures_compulsory_age(pu->birth_day, g->ay) && pu->on_roll &&
		    measures_rate_ge((uint64_t)c->authorised + c->unauthorised, c->possible,
		                     g->r.irregular_bp))
			sr->irregular[sr->n_irregular++] = e;
	}
	return 0;
}

/* The spells entered or deleted in the period, and the year groups their exceptions need
 * (domain.md §6.3-4). */
static int spell_rows(gather *g, school_rows *sr, char *err, size_t errlen)
{
	char u[16], a[11], b[11];
	const char *p[3] = {u, date_format(g->r.first, a), date_format(g->r.last, b)};
	PGresult *res;

	snprintf(u, sizeof(u), "%u", sr->urn);
	res = query(g->env->conn,
	            "SELECT pupil_id, admission_date - date '1970-01-01',"
	            " coalesce(leaving_date - date '1970-01-01', 2147483647),"
	            " entered_on - date '1970-01-01',"
	            " coalesce(destination_start - date '1970-01-01', 2147483647),"
	            " coalesce(leaving_reason, ''), coalesce(previous_school, ''),"
	            " coalesce(destination_school, ''), coalesce(destination_address, ''),"
	            " entered_on BETWEEN $2 AND $3"
	            " FROM pupil_spell WHERE school_urn = $1"
	            " AND (entered_on BETWEEN $2 AND $3 OR leaving_date BETWEEN $2 AND $3)",
	            3, p, err, errlen);
	if (!res)
		return -EIO;
	sr->spells = calloc(2 * (size_t)PQntuples(res) + 1, sizeof(*sr->spells));
	if (!sr->spells) {
		PQclear(res);
		return -ENOMEM;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		spell_row base = {.pupil_id = atoll(PQgetvalue(res, i, 0)),
		                  .admission = atoi(PQgetvalue(res, i, 1)),
		                  .leaving = (int32_t)atol(PQgetvalue(res, i, 2)),
		                  .entered = atoi(PQgetvalue(res, i, 3)),
		                  .dest_start = (int32_t)atol(PQgetvalue(res, i, 4))};
		bool entered = PQgetvalue(res, i, 9)[0] == 't';
		bool left = base.leaving >= g->r.first && base.leaving <= g->r.last;

		for (int k = 0; k < 2; k++) {
			spell_row *sp;

			if (!(k == 0 ? entered : left))
				continue;
			sp = &sr->spells[sr->n_spells++];
			*sp = base;
			sp->kind = k == 0 ? LA_NEW_PUPIL : LA_DELETION;
			sp->leaving_reason = xstrdup(PQgetvalue(res, i, 5));
			sp->previous = xstrdup(PQgetvalue(res, i, 6));
			sp->dest_school = xstrdup(PQgetvalue(res, i, 7));
			sp->dest_address = xstrdup(PQgetvalue(res, i, 8));
			if (!sp->leaving_reason || !sp->previous || !sp->dest_school ||
			    !sp->dest_address) {
				PQclear(res);
				return -ENOMEM;
			}
		}
	}
	PQclear(res);

	/* The school's year groups. */
	sr->junior = NCYEAR_UNKNOWN;
	sr->senior = NCYEAR_UNKNOWN;
	res = query(g->env->conn,
	            "SELECT DISTINCT nc_year FROM pupil_characteristic WHERE school_urn = $1"
	            " AND nc_year IS NOT NULL",
	            1, p, err, errlen);
	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *y = PQgetvalue(res, i, 0);
		int8_t v = ncyear_parse(y, strlen(y));

		if (v == NCYEAR_UNKNOWN)
			continue;
		if (sr->junior == NCYEAR_UNKNOWN || v < sr->junior)
			sr->junior = v;
		if (sr->senior == NCYEAR_UNKNOWN || v > sr->senior)
			sr->senior = v;
	}
	PQclear(res);
	return 0;
}

/* The school's first and last open sessions of academic year ay (its calendar's, or the marked
 * ones'), looked up once per year. */
static int school_year(gather *g, school_rows *sr, int ay, int32_t *first, int32_t *last, char *err,
                       size_t errlen)
{
	char u[16], ys[11], ye[11];
	size_t slot;
	PGresult *res;

	for (size_t i = 0; i < sr->n_years; i++) {
		if (sr->years[i].ay == ay) {
			*first = sr->years[i].first;
			*last = sr->years[i].last;
			return 0;
		}
	}
	snprintf(u, sizeof(u), "%u", sr->urn);
	date_format(date_academic_year_start(ay), ys);
	date_format(date_academic_year_start(ay + 1) - 1, ye);
	res = query(g->env->conn,
	            "SELECT coalesce((SELECT min(date) FROM school_session WHERE school_urn = $1"
	            "   AND open AND date BETWEEN $2 AND $3), (SELECT min(date) FROM mark_version"
	            "   WHERE school_urn = $1 AND date BETWEEN $2 AND $3 AND code <> '#'))"
	            "  - date '1970-01-01',"
	            " coalesce((SELECT max(date) FROM school_session WHERE school_urn = $1"
	            "   AND open AND date BETWEEN $2 AND $3), (SELECT max(date) FROM mark_version"
	            "   WHERE school_urn = $1 AND date BETWEEN $2 AND $3 AND code <> '#'))"
	            "  - date '1970-01-01'",
	            3, (const char *const[]){u, ys, ye}, err, errlen);
	if (!res)
		return -EIO;
	*first = PQgetisnull(res, 0, 0) ? MEASURES_NO_DAY : atoi(PQgetvalue(res, 0, 0));
	*last = PQgetisnull(res, 0, 1) ? MEASURES_NO_DAY : atoi(PQgetvalue(res, 0, 1));
	PQclear(res);
	slot = sr->n_years < sizeof(sr->years) / sizeof(sr->years[0]) ? sr->n_years++ : 0;
	sr->years[slot].ay = ay;
	sr->years[slot].first = *first;
	sr->years[slot].last = *last;
	return 0;
}

/* The comment of the latest mark of an episode (its G/N/O/U sessions from the start day up to
 * its last session, until) that has one: its last known cause (domain.md §6). Reads the current
 * marks of those sessions. */
static int episode_cause(gather *g, const school_rows *sr, int64_t pupil_id, int32_t start,
                         const measures_session *until, char **out, char *err, size_t errlen)
{
	char u[16], id[24], a[11], b[11];
	const char *p[5] = {u, id, date_format(start, a), date_format(until->day, b),
	                    until->pm ? "1" : "0"};
	PGresult *res;

	*out = NULL;
	snprintf(u, sizeof(u), "%u", sr->urn);
	snprintf(id, sizeof(id), "%" PRId64, pupil_id);
	res = query(g->env->conn,
	            "SELECT date - date '1970-01-01', code, comment FROM (SELECT DISTINCT ON"
	            " (date, session) date, session, code, comment FROM mark_version"
	            " WHERE school_urn = $1 AND pupil_id = $2::integer AND date BETWEEN $3 AND $4"
	            "  AND (date < $4 OR session <= $5::smallint)"
	            " ORDER BY date, session, version DESC) cur"
	            " WHERE comment <> '' ORDER BY date DESC, session DESC",
	            5, p, err, errlen);
	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res) && !*out; i++) {
		const char *code = PQgetvalue(res, i, 1);
		const rc_code *c = codes_find(code, strlen(code));

		if (measures_code_run_kind(c ? c->id : 0, atoi(PQgetvalue(res, i, 0))) ==
		    MEASURES_RUN_UNAUTH)
			*out = xstrdup(PQgetvalue(res, i, 2));
	}
	PQclear(res);
	if (!*out)
		*out = xstrdup("");
	return *out ? 0 : -ENOMEM;
}

/* The columns every row starts with: LA, school, pupil. */
static int common_cells(gather *g, la_row *row, const ident *p)
{
	const la_school *sc = &g->r.schools[row->school];
	int rc = 0;

	rc |= cellf(row, LA_A_LA, "%03d", g->r.la_code);
	rc |= cellf(row, LA_A_URN, "%06u", sc->urn);
	rc |= cellf(row, LA_A_LAESTAB, "%07d", sc->laestab);
	rc |= cell(row, LA_A_SCHOOL, sc->name);
	rc |= cell(row, LA_A_UPN, p ? p->upn : "");
	rc |= cell(row, LA_A_SURNAME, p ? p->surname : "");
	rc |= cell(row, LA_A_FORENAME, p ? p->forename : "");
	if (p)
		snprintf(row->sort, sizeof(row->sort), "%s", p->upn);
	return rc ? -ENOMEM : 0;
}

/* Date of birth, year group as at day, address and postcode, at the attendance and sickness
 * returns' places (the deletion return's are the same). */
static int person_cells(const idents *d, la_row *row, const ident *p, int32_t day)
{
	const ychar *yc = ident_char(d, p, day);
	const char *y = yc ? ncyear_name(yc->year) : NULL;
	int rc = 0;

	rc |= cell_day(row, LA_A_DOB, p->dob);
	rc |= cell(row, LA_A_NC_YEAR, y ? y : "");
	rc |= cell(row, LA_A_ADDRESS, p->address);
	rc |= cell(row, LA_A_POSTCODE, p->postcode);
	return rc ? -ENOMEM : 0;
}

/* parentN_* (name, relationship[, address], phone) of the parents the pupil lives with, and
 * the rest as "name (relationship) phone; ...". */
static int parent_cells(const idents *d, la_row *row, const ident *p, const int *slots, size_t per,
                        int others)
{
	size_t len = 1;
	char *rest;
	int rc = 0;

	for (size_t i = 0; i < p->n_parents && i < 2; i++) {
		const parent *pa = &d->parents[p->first_parent + i];
		const char *v[4] = {pa->name, pa->relationship, pa->address, pa->phone};

		for (size_t k = 0; k < per; k++)
			rc |= cell(row, slots[i * per + k], per == 3 ? v[k == 2 ? 3 : k] : v[k]);
	}
	for (size_t i = 2; i < p->n_parents; i++) {
		const parent *pa = &d->parents[p->first_parent + i];
		len += strlen(pa->name) + strlen(pa->relationship) + strlen(pa->phone) + 8;
	}
	rest = malloc(len);
	if (!rest)
		return -ENOMEM;
	rest[0] = '\0';
	for (size_t i = 2; i < p->n_parents; i++) {
		const parent *pa = &d->parents[p->first_parent + i];
		size_t n = strlen(rest);

		snprintf(rest + n, len - n, "%s%s (%s) %s", n ? "; " : "", pa->name,
		         pa->relationship, pa->phone);
	}
	rc |= cell(row, others, rest);
	free(rest);
	return rc ? -ENOMEM : 0;
}

/* Turns a school's gathered rows into report rows (details read for the pupils listed). */
static int school_report_rows(gather *g, school_rows *sr, char *err, size_t errlen)
{
	int64_t *ids =
	        malloc((sr->n_att + sr->n_sick + sr->n_open + sr->n_irregular + sr->n_spells + 1) *
	               sizeof(*ids));
	size_t nids = 0;
	idents d = {0};
	la_school *sc = &g->r.schools[sr->s];
	int rc;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < sr->n_att; i++)
		ids[nids++] = sr->m->pupils[sr->att[i].enrolment].pupil_id;
	for (size_t i = 0; i < sr->n_sick; i++)
		ids[nids++] = sr->m->pupils[sr->sick[i].enrolment].pupil_id;
	for (size_t i = 0; i < sr->n_open; i++)
		ids[nids++] = sr->m->pupils[sr->m->episodes[sr->open[i]].enrolment].pupil_id;
	for (size_t i = 0; i < sr->n_irregular; i++)
		ids[nids++] = sr->m->pupils[sr->irregular[i]].pupil_id;
	for (size_t i = 0; i < sr->n_spells; i++)
		ids[nids++] = sr->spells[i].pupil_id;
	if (nids)
		qsort(ids, nids, sizeof(*ids), cmp_i64);
	{
		size_t w = 0;
		for (size_t i = 0; i < nids; i++)
			if (!w || ids[w - 1] != ids[i])
				ids[w++] = ids[i];
		nids = w;
	}
	rc = idents_load(g->env->conn, sr->urn, ids, nids, &d, err, errlen);
	free(ids);
	if (rc < 0)
		goto out;

	/* Attendance return: episodes qualifying in the period, then the open ones. */
	for (size_t i = 0; rc == 0 && i < sr->n_att + sr->n_open; i++) {
		bool open = i >= sr->n_att;
		const measures_episode *ep = open ? &sr->m->episodes[sr->open[i - sr->n_att]]
		                                  : &sr->m->episodes[sr->att[i].episode];
		const measures_pupil *pu = &sr->m->pupils[ep->enrolment];
		const ident *p = ident_find(&d, pu->pupil_id);
		la_row *row = returns_row_new(g, LA_ATTENDANCE, sr->s);
		char *cause = NULL;

		if (!row || !p) {
			rc = row ? -ESTALE : -ENOMEM;
			break;
		}
		row->open_earlier = open;
		rc = common_cells(g, row, p);
		if (rc == 0)
			rc = person_cells(&d, row, p, ep->qualified_day);
		if (rc == 0 && !open)
			rc = episode_cause(g, sr, pu->pupil_id, ep->start_day,
			                   &sr->m->sessions[ep->last], &cause, err, errlen);
		if (rc == 0) {
			rc |= cell(row, LA_A_REASON, "CONTINUOUS_UNAUTHORISED");
			rc |= cell_day(row, LA_A_START, ep->start_day);
			rc |= cell_day(row, LA_A_QUALIFIED, ep->qualified_day);
			rc |= cellf(row, LA_A_SESSIONS, "%u",
			            open ? ep->length : sr->att[i].sessions);
			rc |= cell(row, LA_A_ONGOING, open || sr->att[i].ongoing ? "Y" : "N");
			rc |= cell(row, LA_A_CAUSE, cause ? cause : "");
			rc = rc ? -ENOMEM : 0;
		}
		free(cause);
		snprintf(row->key, sizeof(row->key), "A:%" PRId64 ":%d:%d", pu->pupil_id,
		         ep->start_day, ep->start_pm);
		snprintf(row->sort + strlen(row->sort), sizeof(row->sort) - strlen(row->sort),
		         ":%010d%d", ep->start_day, ep->start_pm);
		sc->count[LA_ATTENDANCE] += !open;
		sc->open_earlier += open;
	}
	for (size_t i = 0; rc == 0 && i < sr->n_irregular; i++) {
		const measures_pupil *pu = &sr->m->pupils[sr->irregular[i]];
		const ident *p = ident_find(&d, pu->pupil_id);
		la_row *row = returns_row_new(g, LA_ATTENDANCE, sr->s);

		if (!row || !p) {
			rc = row ? -ESTALE : -ENOMEM;
			break;
		}
		rc = common_cells(g, row, p);
		if (rc == 0)
			rc = person_cells(&d, row, p, sr->as_of);
		if (rc == 0)
			rc = cell(row, LA_A_REASON, "IRREGULAR");
		snprintf(row->key, sizeof(row->key), "I:%" PRId64, pu->pupil_id);
		snprintf(row->sort + strlen(row->sort), sizeof(row->sort) - strlen(row->sort),
		         ":9999999999");
		sc->count[LA_ATTENDANCE]++;
		sc->irregular++;
	}
	for (size_t i = 0; rc == 0 && i < sr->n_sick; i++) {
		const measures_sickness_row *s = &sr->sick[i];
		const measures_pupil *pu = &sr->m->pupils[s->enrolment];
		const ident *p = ident_find(&d, pu->pupil_id);
		la_row *row = returns_row_new(g, LA_SICKNESS, sr->s);
		int32_t start = s->episode != SIZE_MAX ? sr->m->illness[s->episode].start_day : 0;

		if (!row || !p) {
			rc = row ? -ESTALE : -ENOMEM;
			break;
		}
		rc = common_cells(g, row, p);
		if (rc == 0)
			rc = person_cells(&d, row, p, sr->as_of);
		if (rc == 0) {
			rc |= cell(row, LA_S_STATUS, measures_sick_status_name(s->status));
			rc |= cell(row, LA_S_REASON, measures_sick_reason_name(s->reason));
			rc |= cellf(row, LA_S_ILLNESS_YTD, "%u", s->illness_sessions);
			rc |= cellf(row, LA_S_LONGEST, "%u", s->longest_run);
			rc |= cell_day(row, LA_S_FIRST, s->first_illness_day);
			rc = rc ? -ENOMEM : 0;
		}
		snprintf(row->key, sizeof(row->key), "S:%" PRId64 ":%d", pu->pupil_id, start);
		snprintf(row->sort + strlen(row->sort), sizeof(row->sort) - strlen(row->sort),
		         ":%010d", start);
		sc->count[LA_SICKNESS]++;
	}
	for (size_t i = 0; rc == 0 && i < sr->n_spells; i++) {
		const spell_row *sp = &sr->spells[i];
		const ident *p = ident_find(&d, sp->pupil_id);
		const ychar *yc;
		la_row *row;

		if (!p) {
			rc = -ESTALE;
			break;
		}
		yc = ident_char(&d, p, sp->kind == LA_NEW_PUPIL ? sp->admission : sp->leaving);
		/* The junior intake (new pupils of the youngest year group starting on the first
		 * day of the year) and the standard transition (the oldest year group leaving at
		 * the end of the summer term) are left out unless the LA asks (domain.md §6). */
		if (sp->kind == LA_NEW_PUPIL && !g->r.junior_intake && yc &&
		    yc->year == sr->junior && sr->junior != NCYEAR_UNKNOWN) {
			int32_t first, last;

			rc = school_year(g, sr, date_academic_year(sp->admission), &first, &last,
			                 err, errlen);
			if (rc)
				break;
			if (sp->admission == first)
				continue;
		}
		if (sp->kind == LA_DELETION && !g->r.standard_transition && yc &&
		    yc->year == sr->senior && sr->senior != NCYEAR_UNKNOWN) {
			int32_t first, last;

			rc = school_year(g, sr, date_academic_year(sp->leaving), &first, &last, err,
			                 errlen);
			if (rc)
				break;
			if (last != MEASURES_NO_DAY && sp->leaving >= last)
				continue;
		}
		row = returns_row_new(g, sp->kind, sr->s);
		if (!row) {
			rc = -ENOMEM;
			break;
		}
		rc = common_cells(g, row, p);
		snprintf(row->key, sizeof(row->key), "%c:%" PRId64 ":%d",
		         sp->kind == LA_NEW_PUPIL ? 'N' : 'D', sp->pupil_id, sp->admission);
		snprintf(row->sort + strlen(row->sort), sizeof(row->sort) - strlen(row->sort),
		         ":%010d", sp->admission);
		sc->count[sp->kind]++;
		if (rc < 0)
			break;
		if (sp->kind == LA_NEW_PUPIL) {
			static const int slots[] = {LA_N_P1_NAME, LA_N_P1_REL, LA_N_P1_PHONE,
			                            LA_N_P2_NAME, LA_N_P2_REL, LA_N_P2_PHONE};
			const char *y = yc ? ncyear_name(yc->year) : NULL;

			rc |= cell(row, LA_N_PREFERRED, p->preferred);
			rc |= cell(row, LA_N_SEX, p->sex);
			rc |= cell_day(row, LA_N_DOB, p->dob);
			rc |= cell(row, LA_N_NC_YEAR, y ? y : "");
			rc |= cell_day(row, LA_N_ADMISSION, sp->admission);
			rc |= cell_day(row, LA_N_ENTERED, sp->entered);
			rc |= cell_day(row, LA_N_DUE, sp->entered + 5);
			rc |= cell(row, LA_N_ADDRESS, p->address);
			rc |= cell(row, LA_N_POSTCODE, p->postcode);
			rc |= cell(row, LA_N_BOARDER, yc && yc->boarder ? "Y" : "N");
			rc |= cell(row, LA_N_PREVIOUS, sp->previous);
			rc = rc ? -ENOMEM : 0;
			if (rc == 0)
				rc = parent_cells(&d, row, p, slots, 3, LA_N_OTHERS);
			/* late: set once the row's first listing is known (record_items) */
		} else {
			static const int slots[] = {LA_D_P1_NAME,    LA_D_P1_REL,  LA_D_P1_ADDRESS,
			                            LA_D_P1_PHONE,   LA_D_P2_NAME, LA_D_P2_REL,
			                            LA_D_P2_ADDRESS, LA_D_P2_PHONE};

			rc = person_cells(&d, row, p, sp->leaving);
			rc |= cell_day(row, LA_D_LEAVING, sp->leaving);
			rc |= cell(row, LA_D_GROUND, sp->leaving_reason);
			rc |= cell(row, LA_D_DEST_SCHOOL, sp->dest_school);
			rc |= cell(row, LA_D_DEST_ADDRESS, sp->dest_address);
			rc |= cell_day(row, LA_D_DEST_START, sp->dest_start);
			rc = rc ? -ENOMEM : 0;
			if (rc == 0)
				rc = parent_cells(&d, row, p, slots, 4, LA_D_OTHERS);
		}
	}
	if (rc == -ESTALE)
		snprintf(err, errlen, "returns: school %u: a pupil changed while read; run again",
		         sr->urn);
	else if (rc == -ENOMEM)
		snprintf(err, errlen, "returns: school %u: out of memory", sr->urn);
out:
	idents_free(&d);
	return rc;
}

/* ---- against the last generation ------------------------------------------------------------- */

/* What la_return_item says of a row, and what this generation makes of it. */
typedef struct row_meta {
	bool stored, was_listed;
	int32_t first_listed;
	la_change stored_change;
	int stored_gen;
	la_change now; /* against what is stored */
	char digest[17];
} row_meta;

typedef struct item {
	uint32_t urn;
	la_kind kind;
	char key[64];
	char digest[17];
	int32_t first_listed;
	bool listed, matched;
	la_change change;
	int gen;
} item;

typedef struct history {
	item *v;
	size_t n;
	bool have_run;
	int gen;
	int32_t first_generated, changed_on;
} history;

static void digest_of(const la_row *row, size_t ncols, char out[17])
{
	uint64_t h = 1469598103934665603ull;

	for (size_t c = 0; c < ncols; c++) {
		for (const char *s = row->cells[c] ? row->cells[c] : ""; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ull;
		h = (h ^ 0x1f) * 1099511628211ull; /* a cell boundary */
	}
	snprintf(out, 17, "%016" PRIx64, h);
}

static int history_load(gather *g, history *h, char *err, size_t errlen)
{
	char la[8];
	const char *p[2] = {la, g->r.period};
	PGresult *res;

	memset(h, 0, sizeof(*h));
	snprintf(la, sizeof(la), "%d", g->r.la_code);
	res = query(
	        g->env->conn,
	        "SELECT gen, first_generated - date '1970-01-01', changed_on - date '1970-01-01'"
	        " FROM la_return_run WHERE la_code = $1 AND period = $2",
	        2, p, err, errlen);
	if (!res)
		return -EIO;
	if (PQntuples(res) == 1) {
		h->have_run = true;
		h->gen = atoi(PQgetvalue(res, 0, 0));
		h->first_generated = atoi(PQgetvalue(res, 0, 1));
		h->changed_on = atoi(PQgetvalue(res, 0, 2));
	}
	PQclear(res);
	res = query(g->env->conn,
	            "SELECT school_urn, kind, item_key, digest, first_listed - date '1970-01-01',"
	            " listed, change, change_gen FROM la_return_item"
	            " WHERE la_code = $1 AND period = $2 ORDER BY school_urn, kind, item_key",
	            2, p, err, errlen);
	if (!res)
		return -EIO;
	h->v = calloc((size_t)PQntuples(res) + 1, sizeof(*h->v));
	if (!h->v) {
		PQclear(res);
		return -ENOMEM;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		item *it = &h->v[h->n++];

		it->urn = (uint32_t)atol(PQgetvalue(res, i, 0));
		it->kind = (la_kind)(atoi(PQgetvalue(res, i, 1)) - 1);
		snprintf(it->key, sizeof(it->key), "%s", PQgetvalue(res, i, 2));
		snprintf(it->digest, sizeof(it->digest), "%s", PQgetvalue(res, i, 3));
		it->first_listed = atoi(PQgetvalue(res, i, 4));
		it->listed = PQgetvalue(res, i, 5)[0] == 't';
		it->change = (la_change)atoi(PQgetvalue(res, i, 6));
		it->gen = atoi(PQgetvalue(res, i, 7));
	}
	PQclear(res);
	return 0;
}

static item *history_find(history *h, uint32_t urn, la_kind kind, const char *key)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].urn == urn && h->v[i].kind == kind && !strcmp(h->v[i].key, key))
			return &h->v[i];
	return NULL;
}

/* A row for an item no longer listed, with the pupil's name and UPN (from the key's pupil id). */
static int gone_rows(gather *g, history *h, size_t s, char *err, size_t errlen)
{
	la_school *sc = &g->r.schools[s];
	int64_t *ids = calloc(h->n + 1, sizeof(*ids));
	size_t nids = 0;
	idents d = {0};
	int rc;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].urn == sc->urn && !h->v[i].matched)
			ids[nids++] = strtoll(h->v[i].key + 2, NULL, 10);
	if (nids)
		qsort(ids, nids, sizeof(*ids), cmp_i64);
	rc = idents_load(g->env->conn, sc->urn, ids, nids, &d, err, errlen);
	free(ids);
	for (size_t i = 0; rc == 0 && i < h->n; i++) {
		item *it = &h->v[i];
		const ident *p;
		la_row *row;

		if (it->urn != sc->urn || it->matched)
			continue;
		p = ident_find(&d, strtoll(it->key + 2, NULL, 10));
		row = returns_row_new(g, it->kind, s);
		if (!row) {
			rc = -ENOMEM;
			break;
		}
		rc = common_cells(g, row, p);
		row->change = LA_GONE;
		snprintf(row->key, sizeof(row->key), "%s", it->key);
		snprintf(row->sort + strlen(row->sort), sizeof(row->sort) - strlen(row->sort),
		         ":%s", it->key);
		sc->gone[it->kind]++;
	}
	idents_free(&d);
	return rc;
}

static int cmp_rows(const void *a, const void *b)
{
	const la_row *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	if (x->school != y->school)
		return x->school < y->school ? -1 : 1;
	return strcmp(x->sort, y->sort);
}

/* Compares the rows with the stored items, decides whether this generation changes the return
 * (then it becomes the next generation, and the items are written), and sets every row's
 * change and each new pupil's late flag. Gone rows are made for items no longer listed. */
static int record_items(gather *g, history *h, char *err, size_t errlen)
{
	row_meta *meta = calloc(g->r.n_rows + 1, sizeof(*meta));
	size_t n_rows = g->r.n_rows;
	bool dirty = !h->have_run;
	int gen, rc = 0;

	if (!meta)
		return -ENOMEM;
	for (size_t i = 0; i < n_rows; i++) {
		la_row *row = &g->r.rows[i];
		row_meta *mt = &meta[i];
		size_t ncols;
		item *it;

		if (row->open_earlier)
			continue;
		la_columns(row->kind, &ncols);
		digest_of(row, ncols, mt->digest);
		it = history_find(h, g->r.schools[row->school].urn, row->kind, row->key);
		if (it) {
			it->matched = true;
			mt->stored = true;
			mt->was_listed = it->listed;
			mt->first_listed = it->first_listed;
			mt->stored_change = it->change;
			mt->stored_gen = it->gen;
		}
		mt->now = !it || !it->listed               ? LA_NEW
		          : strcmp(it->digest, mt->digest) ? LA_CHANGED
		                                           : LA_SAME;
		dirty = dirty || mt->now != LA_SAME;
	}
	for (size_t i = 0; i < h->n; i++)
		if (!h->v[i].matched && h->v[i].listed)
			dirty = true; /* listed last time, not now */
	gen = dirty ? (h->have_run ? h->gen + 1 : 1) : h->gen;
	g->r.gen = gen;
	g->r.first_generated = h->have_run ? h->first_generated : g->today;
	g->r.changed_on = dirty ? g->today : h->changed_on;

	/* Rows: their change as the page shows it, and the late flags. */
	for (size_t i = 0; i < n_rows; i++) {
		la_row *row = &g->r.rows[i];
		row_meta *mt = &meta[i];
		la_school *sc = &g->r.schools[row->school];

		if (row->open_earlier)
			continue;
		if (dirty)
			row->change = gen == 1 ? LA_SAME : mt->now;
		else
			row->change =
			        mt->stored_gen == gen && gen > 1 ? mt->stored_change : LA_SAME;
		if (row->change == LA_NEW || row->change == LA_CHANGED)
			sc->changed[row->kind]++;
		if (row->kind == LA_NEW_PUPIL) {
			int32_t listed = mt->stored ? mt->first_listed : g->today, due;

			if (date_parse(row->cells[LA_N_DUE], 10, &due) < 0)
				due = MEASURES_NO_DAY;
			if ((rc = cell(row, LA_N_LATE, listed > due ? "Y" : "N")) < 0)
				goto out;
			sc->late += listed > due;
		}
	}
	/* Items gone: newly (listed last time), or in the generation being shown. */
	for (size_t i = 0; i < h->n; i++) {
		item *it = &h->v[i];

		if (!it->matched && !(it->listed && dirty) &&
		    !(it->change == LA_GONE && it->gen == gen))
			it->matched = true; /* not shown */
	}
	for (size_t s = 0; rc == 0 && s < g->r.n_schools; s++)
		rc = gone_rows(g, h, s, err, errlen);
	if (rc < 0 || !dirty)
		goto out;

	/* The new generation's items, in one transaction with the run row. */
	{
		char la[8], gs[16], today[11];
		PGconn *conn = g->env->conn;

		snprintf(la, sizeof(la), "%d", g->r.la_code);
		snprintf(gs, sizeof(gs), "%d", gen);
		date_format(g->today, today);
		rc = db_exec(conn, "BEGIN", err, errlen);
		for (size_t i = 0; rc == 0 && i < n_rows; i++) {
			const la_row *row = &g->r.rows[i];
			const row_meta *mt = &meta[i];
			char urn[16], kind[16], first[11], change[16];
			const char *p[9] = {urn,        la,    g->r.period, kind, row->key,
			                    mt->digest, first, change,      gs};
			PGresult *res;

			if (row->open_earlier || row->change == LA_GONE)
				continue;
			snprintf(urn, sizeof(urn), "%u", g->r.schools[row->school].urn);
			snprintf(kind, sizeof(kind), "%d", (int)row->kind + 1);
			date_format(mt->stored ? mt->first_listed : g->today, first);
			snprintf(change, sizeof(change), "%d",
			         mt->now == LA_SAME ? (int)mt->stored_change : (int)mt->now);
			if (mt->now == LA_SAME)
				snprintf(gs, sizeof(gs), "%d", mt->stored_gen);
			res = query(conn,
			            "INSERT INTO la_return_item (school_urn, la_code, period, kind,"
			            " item_key, digest, first_listed, listed, change, change_gen)"
			            " VALUES ($1, $2, $3, $4, $5, $6, $7, true, $8, $9)"
			            " ON CONFLICT (school_urn, la_code, period, kind, item_key) DO "
			            "UPDATE"
			            " SET digest = $6, listed = true, change = $8, change_gen = $9",
			            9, p, err, errlen);
			snprintf(gs, sizeof(gs), "%d", gen);
			if (!res)
				rc = -EIO;
			PQclear(res);
		}
		for (size_t i = 0; rc == 0 && i < h->n; i++) {
			const item *it = &h->v[i];
			char urn[16], kind[16];
			const char *p[6] = {urn, la, g->r.period, kind, it->key, gs};
			PGresult *res;

			if (it->matched || !it->listed)
				continue;
			snprintf(urn, sizeof(urn), "%u", it->urn);
			snprintf(kind, sizeof(kind), "%d", (int)it->kind + 1);
			res = query(conn,
			            "UPDATE la_return_item SET listed = false, change = 3,"
			            " change_gen = $6 WHERE school_urn = $1 AND la_code = $2"
			            " AND period = $3 AND kind = $4 AND item_key = $5",
			            6, p, err, errlen);
			if (!res)
				rc = -EIO;
			PQclear(res);
		}
		if (rc == 0) {
			const char *p[4] = {la, g->r.period, gs, today};
			PGresult *res = query(
			        conn,
			        "INSERT INTO la_return_run (la_code, period, gen, first_generated,"
			        " changed_on) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (la_code, "
			        "period)"
			        " DO UPDATE SET gen = $3, changed_on = $4",
			        4, p, err, errlen);
			if (!res)
				rc = -EIO;
			PQclear(res);
		}
		if (rc == 0)
			rc = db_exec(conn, "COMMIT", err, errlen);
		else
			PQclear(PQexec(conn, "ROLLBACK"));
	}
out:
	free(meta);
	return rc;
}

/* ---- the job -------------------------------------------------------------------------------- */

static int load_la(gather *g, char *err, size_t errlen)
{
	char la[8];
	const char *p[1] = {la};
	PGresult *res;

	snprintf(la, sizeof(la), "%d", g->r.la_code);
	res = query(g->env->conn,
	            "SELECT l.name, coalesce(s.return_frequency, 'monthly'),"
	            " coalesce(s.irregular_bp, 0), coalesce(s.include_junior_intake, false),"
	            " coalesce(s.include_standard_transition, false), coalesce(s.contact_name, '')"
	            " FROM la l LEFT JOIN la_setting s USING (la_code) WHERE l.la_code = $1",
	            1, p, err, errlen);
	if (!res)
		return -EIO;
	if (PQntuples(res) != 1) {
		PQclear(res);
		snprintf(err, errlen, "returns: there is no LA %03d", g->r.la_code);
		return -ENOENT;
	}
	snprintf(g->r.la_name, sizeof(g->r.la_name), "%s", PQgetvalue(res, 0, 0));
	g->r.termly = !strcmp(PQgetvalue(res, 0, 1), "termly");
	g->r.irregular_bp = (uint32_t)atol(PQgetvalue(res, 0, 2));
	g->r.junior_intake = PQgetvalue(res, 0, 3)[0] == 't';
	g->r.standard_transition = PQgetvalue(res, 0, 4)[0] == 't';
	snprintf(g->r.contact, sizeof(g->r.contact), "%s", PQgetvalue(res, 0, 5));
	PQclear(res);
	res = query(g->env->conn,
	            "SELECT school_urn, laestab, name FROM school WHERE la_code = $1"
	            " ORDER BY school_urn",
	            1, p, err, errlen);
	if (!res)
		return -EIO;
	g->r.n_schools = (size_t)PQntuples(res);
	g->r.schools = calloc(g->r.n_schools + 1, sizeof(*g->r.schools));
	if (!g->r.schools) {
		PQclear(res);
		return -ENOMEM;
	}
	for (size_t i = 0; i < g->r.n_schools; i++) {
		la_school *s = &g->r.schools[i];

		s->urn = (uint32_t)atol(PQgetvalue(res, (int)i, 0));
		s->laestab = atoi(PQgetvalue(res, (int)i, 1));
		snprintf(s->name, sizeof(s->name), "%s", PQgetvalue(res, (int)i, 2));
	}
	PQclear(res);
	return 0;
}

typedef struct la_file {
	const la_report *r;
	la_kind kind;
} la_file;

static int write_csv_file(void *user, FILE *f)
{
	const la_file *lf = user;

	return la_write_csv(lf->r, lf->kind, f);
}

static int write_html_file(void *user, FILE *f)
{
	return la_write_html(user, f);
}

int returns_begin(gather *g, const job_env *env, int la_code, const char *month, char *err,
                  size_t elen)
{
	int year, mon, n = 0, rc;

	memset(g, 0, sizeof(*g));
	g->env = env;
	if (sscanf(month, "%4d-%2d%n", &year, &mon, &n) != 2 || n != 7 || strlen(month) != 7) {
		snprintf(err, elen, "returns: month '%.16s' is not YYYY-MM", month);
		return -EINVAL;
	}
	g->r.la_code = la_code;
	snprintf(g->r.period, sizeof(g->r.period), "%s", month);
	g->today = (int32_t)(time(NULL) / 86400);
	if ((rc = load_la(g, err, elen)) < 0 ||
	    (rc = returns_period(year, mon, g->r.termly, &g->r.first, &g->r.last, err, elen)) < 0)
		return rc;
	g->ay = date_academic_year(g->r.first);
	return 0;
}

int returns_school(gather *g, size_t s, char *err, size_t elen)
{
	school_rows sr = {.urn = g->r.schools[s].urn, .s = s};
	int rc = engine_rows(g, &sr, err, elen);

	if (rc == 0)
		rc = spell_rows(g, &sr, err, elen);
	if (rc == 0)
		rc = school_report_rows(g, &sr, err, elen);
	school_rows_free(&sr);
	if (rc == -ENOMEM)
		snprintf(err, elen, "returns: school %u: out of memory", g->r.schools[s].urn);
	return rc;
}

int returns_run(const job_env *env, int la_code, const char *month, char *result, size_t rlen,
                char *err, size_t elen)
{
	gather g;
	history h = {0};
	size_t from_parts = 0;
	int rc;
	char folder[32];

	if ((rc = returns_begin(&g, env, la_code, month, err, elen)) < 0 ||
	    (rc = history_load(&g, &h, err, elen)) < 0)
		goto out;
	for (size_t s = 0; s < g.r.n_schools; s++) {
		bool taken = false;

		/* The school's rows as the worker holding it computed them, unless its register
		 * changed since; else computed here. */
		rc = returns_part_take(&g, s, &taken, err, elen);
		if (rc == 0 && !taken)
			rc = returns_school(&g, s, err, elen);
		if (rc < 0)
			goto out;
		from_parts += taken;
		if (env->progress && (rc = env->progress(env->user, s + 1, g.r.n_schools)) < 0) {
			snprintf(err, elen, "returns: stopped after %zu of %zu schools", s + 1,
			         g.r.n_schools);
			goto out;
		}
	}
	if ((rc = record_items(&g, &h, err, elen)) < 0)
		goto out;
	if (g.r.n_rows)
		qsort(g.r.rows, g.r.n_rows, sizeof(*g.r.rows), cmp_rows);
	snprintf(folder, sizeof(folder), "la/%03d/%s", la_code, month);
	for (int k = 0; k < LA_KINDS; k++) {
		char path[96];
		la_file lf = {&g.r, (la_kind)k};

		snprintf(path, sizeof(path), "%s/%s", folder, la_file_names[k]);
		if ((rc = outfile_write(env->output_dir, path, write_csv_file, &lf, err, elen)) < 0)
			goto out;
	}
	{
		char path[96];

		snprintf(path, sizeof(path), "%s/index.html", folder);
		if ((rc = outfile_write(env->output_dir, path, write_html_file, &g.r, err, elen)) <
		    0)
			goto out;
	}
	if ((rc = returns_parts_clear(&g, err, elen)) < 0)
		goto out;
	snprintf(result, rlen,
	         "%s/%s/ (%zu schools, %zu computed by the workers holding them, generation %d)",
	         env->output_dir, folder, g.r.n_schools, from_parts, g.r.gen);
out:
	free(h.v);
	la_report_free(&g.r);
	return rc;
}
