/* Loading a school's register for the measures engine, refreshing it from changes, and storing
 * the engine's results. The raw register is read in key order with binary COPY and the last
 * version of each session wins, which is what mark_current means, without a sort. */
#include "school.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rollcall/codes.h"
#include "rollcall/date.h"
#include "rollcall/db.h"
#include "rollcall/ncyear.h"
#include "settings.h"

/* One current mark read from the register (buffered until the sessions are known). */
typedef struct raw_mark {
	int32_t pupil_id;
	int32_t day;
	uint8_t pm;
	uint8_t code;
	int16_t minutes; /* -1: none */
} raw_mark;

typedef struct raw_marks {
	raw_mark *v;
	size_t n, cap;
} raw_marks;

static void reg_free(school_reg *r)
{
	if (!r)
		return;
	free(r->sessions);
	free(r->enrolments);
	free(r->gaps);
	free(r->chars);
	free(r->grid);
	free(r->late);
	free(r->session_term);
	free(r->classes);
	free(r->carry_known);
	free(r);
}

void school_cache_deinit(school_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		reg_free(c->regs[i]);
	free(c->regs);
	free(c->urns);
	memset(c, 0, sizeof(*c));
}

void school_window(int32_t as_of, int32_t *first, int32_t *last)
{
	int ay = date_academic_year(as_of);

	*first = date_academic_year_start(ay) - 16 * 7;
	*last = date_academic_year_start(ay + 1) - 1;
}

static PGresult *query(PGconn *conn, const char *sql, int n, const char *const *params, char *err,
                       size_t errlen)
{
	return db_prepared(conn, "school", sql, n, params, err, errlen);
}

int school_latest_change(PGconn *conn, uint32_t urn, int64_t *change_id, char *err, size_t errlen)
{
	char u[16];
	const char *p[1] = {u};
	PGresult *res;

	snprintf(u, sizeof(u), "%u", urn);
	res = query(conn,
	            "SELECT coalesce(max(change_id), 0) FROM register_change WHERE school_urn = $1",
	            1, p, err, errlen);
	if (!res)
		return -EIO;
	*change_id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int school_default_as_of(PGconn *conn, uint32_t urn, int32_t *as_of, char *err, size_t errlen)
{
	char u[16];
	const char *p[1] = {u};
	PGresult *res;

	snprintf(u, sizeof(u), "%u", urn);
	res = query(
	        conn,
	        "SELECT coalesce(least((SELECT max(date) FROM mark_version WHERE school_urn = $1"
	        "  AND date <= current_date), current_date) - date '1970-01-01', -1)",
	        1, p, err, errlen);
	if (!res)
		return -EIO;
	*as_of = atoi(PQgetvalue(res, 0, 0));
	if (*as_of < 0)
		*as_of = MEASURES_NO_DAY;
	PQclear(res);
	return 0;
}

static int load_meta(PGconn *conn, school_reg *r, char *err, size_t errlen)
{
	char u[16];
	const char *p[1] = {u};
	PGresult *res;

	snprintf(u, sizeof(u), "%u", r->urn);
	res = query(
	        conn,
	        "SELECT s.name, s.phase, s.la_code, l.name FROM school s JOIN la l USING (la_code)"
	        " WHERE s.school_urn = $1",
	        1, p, err, errlen);
	if (!res)
		return -EIO;
	if (PQntuples(res) != 1) {
		snprintf(err, errlen, "school: no school %u", r->urn);
		PQclear(res);
		return -ENOENT;
	}
	snprintf(r->name, sizeof(r->name), "%s", PQgetvalue(res, 0, 0));
	snprintf(r->phase, sizeof(r->phase), "%s", PQgetvalue(res, 0, 1));
	r->la_code = atoi(PQgetvalue(res, 0, 2));
	snprintf(r->la_name, sizeof(r->la_name), "%s", PQgetvalue(res, 0, 3));
	PQclear(res);
	return 0;
}

static int cmp_class(const void *a, const void *b)
{
	return strverscmp((const char *)a, (const char *)b); /* "7B" before "10A" */
}

/* The distinct class names of column col of res, in natural order, into r->classes (a name
 * longer than SCHOOL_CLASS_LEN - 1 bytes is cut). */
static int load_classes(school_reg *r, const PGresult *res, int col)
{
	size_t n = 0, w = 0;

	r->classes = calloc((size_t)PQntuples(res) + 1, sizeof(*r->classes));
	if (!r->classes)
		return -ENOMEM;
	for (int i = 0; i < PQntuples(res); i++)
		if (PQgetvalue(res, i, col)[0])
			snprintf(r->classes[n++], SCHOOL_CLASS_LEN, "%s", PQgetvalue(res, i, col));
	qsort(r->classes, n, sizeof(*r->classes), cmp_class);
	for (size_t i = 0; i < n; i++)
		if (w == 0 || strcmp(r->classes[w - 1], r->classes[i]) != 0)
			memmove(r->classes[w++], r->classes[i], SCHOOL_CLASS_LEN);
	r->n_classes = w;
	return 0;
}

/* The number of class name in r->classes (1..), or 0 for none. */
static uint16_t class_number(const school_reg *r, const char *name)
{
	char key[SCHOOL_CLASS_LEN];
	const char(*hit)[SCHOOL_CLASS_LEN];

	if (!name[0])
		return 0;
	snprintf(key, sizeof(key), "%s", name);
	hit = bsearch(key, r->classes, r->n_classes, sizeof(*r->classes), cmp_class);
	return hit && hit - r->classes < UINT16_MAX ? (uint16_t)(hit - r->classes + 1) : 0;
}

/* Pupils on roll at some point of the window (any of their spells), with their spells (the
 * days between two spells are gaps) and characteristics. */
static int load_pupils(PGconn *conn, school_reg *r, char *err, size_t errlen)
{
	char u[16], a[11], b[11];
	const char *p[3] = {u, date_format(r->window_first, a), date_format(r->window_last, b)};
	PGresult *res, *cres;
	size_t k = 0, n = 0;
	int rows;

	snprintf(u, sizeof(u), "%u", r->urn);
	res = query(conn,
	            "SELECT s.pupil_id, s.admission_date - date '1970-01-01',"
	            " coalesce(s.leaving_date - date '1970-01-01', 2147483647),"
	            " p.date_of_birth - date '1970-01-01', p.sex"
	            " FROM pupil_spell s JOIN pupil p USING (school_urn, pupil_id)"
	            " WHERE s.school_urn = $1 AND s.pupil_id IN (SELECT pupil_id FROM pupil_spell"
	            "  WHERE school_urn = $1 AND admission_date <= $3"
	            "  AND (leaving_date IS NULL OR leaving_date >= $2))"
	            " ORDER BY s.pupil_id, s.admission_date",
	            3, p, err, errlen);
	if (!res)
		return -EIO;
	cres = query(conn,
	             "SELECT c.pupil_id, c.valid_from - date '1970-01-01', c.nc_year, c.sen,"
	             " c.social_care, c.pupil_premium, c.fsm, c.previously_looked_after, c.eal,"
	             " c.boarder, coalesce(c.reg_group, '') FROM pupil_characteristic c"
	             " WHERE c.school_urn = $1 AND c.pupil_id IN (SELECT pupil_id FROM pupil_spell"
	             "  WHERE school_urn = $1 AND admission_date <= $3"
	             "  AND (leaving_date IS NULL OR leaving_date >= $2))"
	             " ORDER BY c.pupil_id, c.valid_from",
	             3, p, err, errlen);
	if (!cres) {
		PQclear(res);
		return -EIO;
	}
	if (load_classes(r, cres, 10) < 0) {
		PQclear(res);
		PQclear(cres);
		return -ENOMEM;
	}
	rows = PQntuples(res);
	r->n_chars = (size_t)PQntuples(cres);
	/* At most one enrolment, and one gap fewer than spells, per spell row. */
	r->enrolments = calloc((size_t)rows + 1, sizeof(*r->enrolments));
	r->gaps = calloc((size_t)rows + 1, sizeof(*r->gaps));
	r->chars = calloc(r->n_chars + 1, sizeof(*r->chars));
	if (!r->enrolments || !r->gaps || !r->chars) {
		PQclear(res);
		PQclear(cres);
		return -ENOMEM;
	}
	for (int i = 0; i < rows;) {
		measures_enrolment *e = &r->enrolments[n++];
		char sex = PQgetvalue(res, i, 4)[0];
		int64_t id = atoll(PQgetvalue(res, i, 0));

		e->pupil_id = id;
		e->admission_day = atoi(PQgetvalue(res, i, 1));
		e->leaving_day = (int32_t)atol(PQgetvalue(res, i, 2));
		e->birth_day = atoi(PQgetvalue(res, i, 3));
		e->gaps = &r->gaps[r->n_gaps];
		/* The pupil's later spells: a day between two is a gap; overlapping spells (a
		 * correction not yet folded) are one span. */
		for (i++; i < rows && atoll(PQgetvalue(res, i, 0)) == id; i++) {
			int32_t adm = atoi(PQgetvalue(res, i, 1));
			int32_t left = (int32_t)atol(PQgetvalue(res, i, 2));

			if (e->leaving_day != MEASURES_NO_DAY && adm > e->leaving_day + 1) {
				r->gaps[r->n_gaps++] = (measures_gap){e->leaving_day + 1, adm - 1};
				e->n_gaps++;
			}
			if (e->leaving_day != MEASURES_NO_DAY && left > e->leaving_day)
				e->leaving_day = left;
		}
		/* Characteristics rows are ordered by pupil like the enrolments: walk them along.
		 */
		while (k < r->n_chars && atoll(PQgetvalue(cres, (int)k, 0)) < id)
			k++;
		e->chars = &r->chars[k];
		while (k < r->n_chars && atoll(PQgetvalue(cres, (int)k, 0)) == id) {
			measures_chars *c = &r->chars[k];
			const char *sen = PQgetvalue(cres, (int)k, 3);
			const char *care = PQgetvalue(cres, (int)k, 4);

			c->valid_from = atoi(PQgetvalue(cres, (int)k, 1));
			c->nc_year = ncyear_parse(PQgetvalue(cres, (int)k, 2),
			                          (size_t)PQgetlength(cres, (int)k, 2));
			c->sex = sex == 'M' || sex == 'F' ? sex : 'U';
			c->sen = sen[0] == 'K'   ? MEASURES_SEN_K
			         : sen[0] == 'E' ? MEASURES_SEN_E
			                         : MEASURES_SEN_NONE;
			c->care = !strcmp(care, "CIN")   ? MEASURES_CARE_CIN
			          : !strcmp(care, "CPP") ? MEASURES_CARE_CPP
			          : !strcmp(care, "CLA") ? MEASURES_CARE_CLA
			                                 : MEASURES_CARE_NONE;
			c->pp = PQgetvalue(cres, (int)k, 5)[0] == 't';
			c->fsm = PQgetvalue(cres, (int)k, 6)[0] == 't';
			c->plac = PQgetvalue(cres, (int)k, 7)[0] == 't';
			c->eal = PQgetvalue(cres, (int)k, 8)[0] == 't';
			c->reg_group = class_number(r, PQgetvalue(cres, (int)k, 10));
			c->boarder = PQgetvalue(cres, (int)k, 9)[0] == 't';
			e->n_chars++;
			k++;
		}
	}
	r->n_enrolments = n;
	PQclear(res);
	PQclear(cres);
	return 0;
}

static int load_calendar(PGconn *conn, school_reg *r, char *err, size_t errlen)
{
	char u[16], a[11], b[11];
	const char *p[3] = {u, date_format(r->window_first, a), date_format(r->window_last, b)};
	PGresult *res;

	snprintf(u, sizeof(u), "%u", r->urn);
	res = query(conn,
	            "SELECT date - date '1970-01-01', session, open, coalesce(term, '')"
	            " FROM school_session"
	            " WHERE school_urn = $1 AND date BETWEEN $2 AND $3 ORDER BY date, session",
	            3, p, err, errlen);
	if (!res)
		return -EIO;
	r->n_sessions = (size_t)PQntuples(res);
	r->has_calendar = r->n_sessions > 0;
	r->sessions = calloc(r->n_sessions + 1, sizeof(*r->sessions));
	r->session_term = calloc(r->n_sessions + 1, 1);
	if (!r->sessions || !r->session_term) {
		PQclear(res);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->n_sessions; i++) {
		const char *term = PQgetvalue(res, (int)i, 3);

		r->sessions[i].day = atoi(PQgetvalue(res, (int)i, 0));
		r->sessions[i].pm = (uint8_t)atoi(PQgetvalue(res, (int)i, 1));
		r->sessions[i].open = PQgetvalue(res, (int)i, 2)[0] == 't';
		for (int t = MEASURES_AUTUMN; t <= MEASURES_SUMMER; t++)
			if (!strcmp(term, measures_term_name_str((measures_term_name)t)))
				r->session_term[i] = (uint8_t)(1 + t);
	}
	PQclear(res);
	return 0;
}

static int raw_push(raw_marks *rm, const raw_mark *m)
{
	if (rm->n == rm->cap) {
		size_t cap = rm->cap ? rm->cap * 2 : 65536;
		raw_mark *v = realloc(rm->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		rm->v = v;
		rm->cap = cap;
	}
	rm->v[rm->n++] = *m;
	return 0;
}

/* Reads the current marks of days [from, r->window_last] into rm (the last version of each
 * session, in (day, pupil, session) order). */
static int load_marks(PGconn *conn, school_reg *r, int32_t from, raw_marks *rm, char *err,
                      size_t errlen)
{
	char sql[512], a[11], b[11];
	copyout co;
	raw_mark cur = {0};
	bool have = false;
	int rc;

	snprintf(sql, sizeof(sql),
	         "SELECT pupil_id, date, session, code, minutes_late FROM mark_version"
	         " WHERE school_urn = %u AND date BETWEEN '%s' AND '%s'"
	         " ORDER BY date, pupil_id, session, version",
	         r->urn, date_format(from, a), date_format(r->window_last, b));
	rc = copyout_start(&co, conn, sql, err, errlen);
	if (rc < 0)
		return rc;
	r->marks_loaded = 0;
	while ((rc = copyout_next(&co, err, errlen)) == 1) {
		raw_mark m;
		char code[8];
		bool null;
		const rc_code *c;

		m.pupil_id = copyout_int4(&co, NULL);
		m.day = copyout_date(&co, NULL);
		m.pm = (uint8_t)copyout_int2(&co, NULL);
		copyout_text(&co, code, sizeof(code), NULL);
		m.minutes = copyout_int2(&co, &null);
		if (null)
			m.minutes = -1;
		c = codes_find(code, strlen(code));
		m.code = c ? c->id : 0;
		r->marks_loaded++;
		if (have && (cur.pupil_id != m.pupil_id || cur.day != m.day || cur.pm != m.pm)) {
			rc = raw_push(rm, &cur);
			if (rc < 0)
				break;
		}
		cur = m; /* a later version of the same session replaces the earlier one */
		have = true;
	}
	if (rc == 0 && have)
		rc = raw_push(rm, &cur);
	if (rc == -ENOMEM)
		copyout_abort(&co);
	return rc;
}

static int cmp_session(const void *a, const void *b)
{
	const measures_session *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return (int)x->pm - (int)y->pm;
}

/* Without calendar.csv the school's sessions are the (day, session) pairs that carry any mark
 * other than '#' (contract.md §1): kept ones before `from` plus those in the new marks. */
static int derive_sessions(school_reg *r, const measures_session *old, size_t n_old, int32_t from,
                           const raw_marks *rm)
{
	const rc_code *hash = codes_find("#", 1);
	size_t n = 0, cap = 0;
	measures_session *s = NULL;

	cap = n_old + 1024;
	s = malloc(cap * sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n_old; i++)
		if (old[i].day < from)
			s[n++] = old[i];
	for (size_t i = 0; i < rm->n; i++) {
		const raw_mark *m = &rm->v[i];

		if (hash && m->code == hash->id)
			continue;
		if (n == cap) {
			measures_session *t = realloc(s, (cap *= 2) * sizeof(*s));
			if (!t) {
				free(s);
				return -ENOMEM;
			}
			s = t;
		}
		s[n++] = (measures_session){m->day, m->pm, true};
	}
	qsort(s, n, sizeof(*s), cmp_session);
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (!w || cmp_session(&s[w - 1], &s[i]) != 0)
			s[w++] = s[i];
	free(r->sessions);
	r->sessions = s;
	r->n_sessions = w;
	free(r->session_term);
	r->session_term = calloc(w + 1, 1); /* no calendar, no term names */
	return r->session_term ? 0 : -ENOMEM;
}

/* Session index of (day, pm) in r, or -1. */
static long session_index(const school_reg *r, const int32_t *first_of_day, int32_t day, uint8_t pm)
{
	long i;

	if (day < r->window_first || day > r->window_last)
		return -1;
	i = first_of_day[day - r->window_first];
	for (; i >= 0 && (size_t)i < r->n_sessions && r->sessions[i].day == day; i++)
		if (r->sessions[i].pm == pm)
			return i;
	return -1;
}

static long enrolment_index(const school_reg *r, int64_t pupil_id)
{
	size_t lo = 0, hi = r->n_enrolments;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->enrolments[mid].pupil_id < pupil_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n_enrolments && r->enrolments[lo].pupil_id == pupil_id ? (long)lo : -1;
}

static int32_t *day_index(const school_reg *r)
{
	size_t days = (size_t)(r->window_last - r->window_first + 1);
	int32_t *first = malloc(days * sizeof(*first));

	if (!first)
		return NULL;
	for (size_t d = 0; d < days; d++)
		first[d] = -1;
	for (size_t i = r->n_sessions; i-- > 0;)
		first[r->sessions[i].day - r->window_first] = (int32_t)i;
	return first;
}

static int late_push(school_reg *r, size_t *cap, uint32_t e, uint32_t s, uint32_t minutes)
{
	if (r->n_late == *cap) {
		size_t c = *cap ? *cap * 2 : 1024;
		measures_late *v = realloc(r->late, c * sizeof(*v));
		if (!v)
			return -ENOMEM;
		r->late = v;
		*cap = c;
	}
	r->late[r->n_late++] = (measures_late){e, s, minutes};
	return 0;
}

/* Builds grid and late list: cells before `from` from old (if any), the rest from rm. */
static int fill_grid(school_reg *r, const school_reg *old, int32_t from, const raw_marks *rm)
{
	int32_t *first = day_index(r);
	int32_t *old_first = old ? day_index(old) : NULL;
	size_t late_cap = 0;
	int rc = 0;

	r->grid = calloc(r->n_enrolments * r->n_sessions + 1, 1);
	r->late = NULL;
	r->n_late = 0;
	if (!first || !r->grid || (old && !old_first)) {
		rc = -ENOMEM;
		goto out;
	}
	if (old) {
		/* Map old rows and columns to new ones; copy what lies before `from`. */
		long *col = malloc((old->n_sessions + 1) * sizeof(*col));
		if (!col) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t s = 0; s < old->n_sessions; s++)
			col[s] = old->sessions[s].day < from
			                 ? session_index(r, first, old->sessions[s].day,
			                                 old->sessions[s].pm)
			                 : -1;
		for (size_t oe = 0; oe < old->n_enrolments; oe++) {
			long ne = enrolment_index(r, old->enrolments[oe].pupil_id);
			const uint8_t *src = old->grid + oe * old->n_sessions;
			uint8_t *dst;

			if (ne < 0)
				continue;
			dst = r->grid + (size_t)ne * r->n_sessions;
			for (size_t s = 0; s < old->n_sessions; s++)
				if (col[s] >= 0)
					dst[col[s]] = src[s];
		}
		for (size_t i = 0; rc == 0 && i < old->n_late; i++) {
			const measures_late *l = &old->late[i];
			long ne = enrolment_index(r, old->enrolments[l->enrolment].pupil_id);
			long ns = col[l->session];

			if (ne >= 0 && ns >= 0)
				rc = late_push(r, &late_cap, (uint32_t)ne, (uint32_t)ns,
				               l->minutes);
		}
		free(col);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < rm->n; i++) {
		const raw_mark *m = &rm->v[i];
		long e = enrolment_index(r, m->pupil_id);
		long s = session_index(r, first, m->day, m->pm);

		if (e < 0 || s < 0)
			continue; /* not on roll in the window, or not a school session */
		r->grid[(size_t)e * r->n_sessions + (size_t)s] = m->code;
		if (m->minutes > 0) {
			rc = late_push(r, &late_cap, (uint32_t)e, (uint32_t)s,
			               (uint32_t)m->minutes);
			if (rc < 0)
				goto out;
		}
	}
out:
	free(first);
	free(old_first);
	return rc;
}

/* ---- runs going on when the window begins ---------------------------------------------------
 * The attendance and sickness returns follow the whole register (domain.md §6): a run of N or
 * of I that is going on on the first day held may have begun long before. For the enrolments
 * whose first possible session held extends a run, the register before the window is walked
 * back, a year at a time, to where the run began (or the spell did), and the run is carried into
 * the engine (measures_run_carry). Those days never change without a full reload (a change
 * before the window reloads everything), so a computed carry is kept across partial refreshes. */

/* One enrolment's walk back: the sessions of each run seen so far, latest first. */
typedef struct carry_walk {
	size_t e;
	int32_t spell_first; /* first day of the spell on roll on the day before the window */
	bool done[2];        /* [0] unauthorised, [1] illness: the run's start is found */
	int32_t *day[2];
	uint8_t *pm[2];
	uint32_t n[2], cap[2];
} carry_walk;

static int walk_push(carry_walk *w, int k, int32_t day, uint8_t pm)
{
	if (w->n[k] == w->cap[k]) {
		uint32_t cap = w->cap[k] ? w->cap[k] * 2 : 64;
		int32_t *d = realloc(w->day[k], cap * sizeof(*d));
		uint8_t *p;

		if (!d)
			return -ENOMEM;
		w->day[k] = d;
		p = realloc(w->pm[k], cap);
		if (!p)
			return -ENOMEM;
		w->pm[k] = p;
		w->cap[k] = cap;
	}
	w->day[k][w->n[k]] = day;
	w->pm[k][w->n[k]++] = pm;
	return 0;
}

/* The first day of the spell enrolment e is on roll in on day, or MEASURES_NO_DAY when it is
 * not on roll then. */
static int32_t spell_start(const measures_enrolment *e, int32_t day)
{
	int32_t first = e->admission_day;

	if (day < e->admission_day || day > e->leaving_day)
		return MEASURES_NO_DAY;
	for (size_t g = 0; g < e->n_gaps; g++) {
		if (day >= e->gaps[g].first_day && day <= e->gaps[g].last_day)
			return MEASURES_NO_DAY;
		if (e->gaps[g].last_day < day)
			first = e->gaps[g].last_day + 1;
	}
	return first;
}

/* Whether enrolment e's first possible session held extends a run. */
static bool starts_in_run(const school_reg *r, size_t e)
{
	const measures_enrolment *en = &r->enrolments[e];
	const uint8_t *row = r->grid + e * r->n_sessions;

	for (size_t s = 0; s < r->n_sessions; s++) {
		int32_t day = r->sessions[s].day;
		measures_run_kind k;

		if (!r->sessions[s].open || spell_start(en, day) == MEASURES_NO_DAY)
			continue;
		k = measures_code_run_kind(row[s], day);
		if (k != MEASURES_RUN_SKIP)
			return k == MEASURES_RUN_UNAUTH || k == MEASURES_RUN_ILL;
	}
	return false;
}

/* The open sessions of [lo, hi] from the calendar, as day * 2 + pm, sorted. */
static int open_sessions(PGconn *conn, const school_reg *r, int32_t lo, int32_t hi, int64_t **out,
                         size_t *n, char *err, size_t errlen)
{
	char u[16], a[11], b[11];
	const char *p[3] = {u, date_format(lo, a), date_format(hi, b)};
	PGresult *res;

	snprintf(u, sizeof(u), "%u", r->urn);
	res = query(conn,
	            "SELECT date - date '1970-01-01', session FROM school_session"
	            " WHERE school_urn = $1 AND date BETWEEN $2 AND $3 AND open"
	            " ORDER BY date, session",
	            3, p, err, errlen);
	if (!res)
		return -EIO;
	*n = (size_t)PQntuples(res);
	*out = malloc((*n + 1) * sizeof(**out));
	for (size_t i = 0; *out && i < *n; i++)
		(*out)[i] = (int64_t)atoi(PQgetvalue(res, (int)i, 0)) * 2 +
		            atoi(PQgetvalue(res, (int)i, 1));
	PQclear(res);
	return *out ? 0 : -ENOMEM;
}

static bool is_open(const int64_t *v, size_t n, int64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == key;
}

/* Walks the walks not done back over [lo, hi] (current marks, latest first). */
static int walk_chunk(PGconn *conn, const school_reg *r, carry_walk *w, size_t nw, int32_t lo,
                      int32_t hi, char *err, size_t errlen)
{
	char u[16], a[11], b[11], *ids = malloc(nw * 12 + 3);
	const char *p[4] = {u, date_format(lo, a), date_format(hi, b), ids};
	int64_t *open = NULL;
	size_t nopen = 0, len = 1, k = 0;
	PGresult *res = NULL;
	int rc = 0;

	if (!ids)
		return -ENOMEM;
	ids[0] = '{';
	for (size_t i = 0; i < nw; i++)
		if (!w[i].done[0] || !w[i].done[1])
			len += (size_t)sprintf(ids + len, "%s%lld", len > 1 ? "," : "",
			                       (long long)r->enrolments[w[i].e].pupil_id);
	strcpy(ids + len, "}");
	snprintf(u, sizeof(u), "%u", r->urn);
	if (r->has_calendar &&
	    (rc = open_sessions(conn, r, lo, hi, &open, &nopen, err, errlen)) < 0)
		goto out;
	res = query(conn,
	            "SELECT DISTINCT ON (pupil_id, date, session) pupil_id,"
	            " date - date '1970-01-01', session, code FROM mark_version"
	            " WHERE school_urn = $1 AND date BETWEEN $2 AND $3"
	            " AND pupil_id = ANY ($4::integer[])"
	            " ORDER BY pupil_id, date DESC, session DESC, version DESC",
	            4, p, err, errlen);
	if (!res) {
		rc = -EIO;
		goto out;
	}
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		int64_t id = atoll(PQgetvalue(res, i, 0));
		int32_t day = atoi(PQgetvalue(res, i, 1));
		uint8_t pm = (uint8_t)atoi(PQgetvalue(res, i, 2));
		const char *code = PQgetvalue(res, i, 3);
		const rc_code *c = codes_find(code, strlen(code));
		measures_run_kind kind;
		carry_walk *cw;

		while (k < nw && r->enrolments[w[k].e].pupil_id < id)
			k++;
		if (k == nw || r->enrolments[w[k].e].pupil_id != id)
			continue;
		cw = &w[k];
		if (day < cw->spell_first ||
		    (r->has_calendar && !is_open(open, nopen, day * 2 + pm)))
			continue;
		kind = measures_code_run_kind(c ? c->id : 0, day);
		if (kind == MEASURES_RUN_SKIP)
			continue;
		for (int t = 0; rc == 0 && t < 2; t++) {
			if (cw->done[t])
				continue;
			if (kind == (t ? MEASURES_RUN_ILL : MEASURES_RUN_UNAUTH))
				rc = walk_push(cw, t, day, pm);
			else
				cw->done[t] = true;
		}
	}
out:
	PQclear(res);
	free(open);
	free(ids);
	return rc;
}

/* Fills the carries of r's enrolments (taking those old computed, when it holds the same
 * window) for the enrolments whose first session held extends a run. */
static int carry_runs(PGconn *conn, school_reg *r, const school_reg *old,
                      const measures_config *cfg, char *err, size_t errlen)
{
	int32_t before = r->window_first - 1;
	carry_walk *w = NULL;
	size_t nw = 0;
	int rc = 0;

	r->carry_q[0] = cfg->episode_sessions;
	r->carry_q[1] = cfg->illness_sessions;
	r->carry_known = calloc(r->n_enrolments + 1, 1);
	w = calloc(r->n_enrolments + 1, sizeof(*w));
	if (!r->carry_known || !w) {
		free(w);
		return -ENOMEM;
	}
	for (size_t e = 0; e < r->n_enrolments; e++) {
		measures_enrolment *en = &r->enrolments[e];
		long oe = old && old->window_first == r->window_first &&
		                          old->carry_q[0] == cfg->episode_sessions &&
		                          old->carry_q[1] == cfg->illness_sessions
		                  ? enrolment_index(old, en->pupil_id)
		                  : -1;

		if (oe >= 0 && old->carry_known[oe]) {
			en->carry_unauth = old->enrolments[oe].carry_unauth;
			en->carry_ill = old->enrolments[oe].carry_ill;
			r->carry_known[e] = 1;
			continue;
		}
		if (spell_start(en, before) == MEASURES_NO_DAY || !starts_in_run(r, e))
			continue;
		w[nw].e = e;
		w[nw++].spell_first = spell_start(en, before);
	}
	/* A year at a time, back to the earliest spell start of the walks not done. */
	for (int32_t hi = before; rc == 0 && nw > 0;) {
		int32_t lo = hi - 365, earliest = INT32_MAX;
		bool more = false;

		for (size_t i = 0; i < nw; i++)
			if (!w[i].done[0] || !w[i].done[1]) {
				more = true;
				earliest =
				        w[i].spell_first < earliest ? w[i].spell_first : earliest;
			}
		if (!more || hi < earliest)
			break;
		if (lo < earliest)
			lo = earliest;
		rc = walk_chunk(conn, r, w, nw, lo, hi, err, errlen);
		for (size_t i = 0; i < nw; i++)
			for (int t = 0; t < 2; t++)
				if (w[i].spell_first >= lo)
					w[i].done[t] = true; /* the spell begins in this year */
		hi = lo - 1;
	}
	for (size_t i = 0; rc == 0 && i < nw; i++) {
		measures_enrolment *en = &r->enrolments[w[i].e];
		uint32_t q[2] = {cfg->episode_sessions, cfg->illness_sessions};

		for (int t = 0; t < 2; t++) {
			measures_run_carry c = {0, 0, 0, MEASURES_NO_DAY, 0};
			uint32_t n = w[i].n[t];

			if (n) {
				c.length = n;
				c.first_day = w[i].day[t][n - 1];
				c.first_pm = w[i].pm[t][n - 1];
				if (n >= q[t]) { /* the q-th from the start: latest first, n - q */
					c.qualified_day = w[i].day[t][n - q[t]];
					c.qualified_pm = w[i].pm[t][n - q[t]];
				}
			}
			*(t ? &en->carry_ill : &en->carry_unauth) = c;
		}
		r->carry_known[w[i].e] = 1;
	}
	for (size_t i = 0; i < nw; i++)
		for (int t = 0; t < 2; t++) {
			free(w[i].day[t]);
			free(w[i].pm[t]);
		}
	free(w);
	return rc;
}

static school_reg **cache_slot(school_cache *c, uint32_t urn)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->regs[i]->urn == urn)
			return &c->regs[i];
	return NULL;
}

/* Reads urn's register for the window [wf, wl] into a new *out: the days from `from` on from
 * the database, those before it from old (a partial refresh), everything when old is NULL;
 * and the runs going on when the window begins, for cfg's qualifying lengths. */
static int load_reg(PGconn *conn, uint32_t urn, int32_t wf, int32_t wl, int64_t change_id,
                    int32_t from, const school_reg *old, const measures_config *cfg,
                    school_reg **out, char *err, size_t errlen)
{
	school_reg *r = calloc(1, sizeof(*r));
	raw_marks rm = {0};
	int rc;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->urn = urn;
	r->window_first = wf;
	r->window_last = wl;
	r->change_id = change_id;
	if ((rc = load_meta(conn, r, err, errlen)) < 0 ||
	    (rc = load_calendar(conn, r, err, errlen)) < 0 ||
	    (rc = load_pupils(conn, r, err, errlen)) < 0 ||
	    (rc = load_marks(conn, r, from, &rm, err, errlen)) < 0)
		goto out;
	if (!r->has_calendar)
		rc = derive_sessions(r, old ? old->sessions : NULL, old ? old->n_sessions : 0, from,
		                     &rm);
	if (rc == 0)
		rc = fill_grid(r, old, from, &rm);
	if (rc == 0)
		rc = carry_runs(conn, r, old, cfg, err, errlen);
	if (rc < 0)
		goto out;
	*out = r;
	r = NULL;
out:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "school %u: out of memory", urn);
	reg_free(r);
	free(rm.v);
	return rc;
}

int school_refresh(PGconn *conn, school_cache *cache, uint32_t urn, int32_t as_of,
                   const measures_config *cfg, school_reg **out, bool *full, char *err,
                   size_t errlen)
{
	school_reg **slot = cache_slot(cache, urn);
	school_reg *old = slot ? *slot : NULL;
	school_reg *r = NULL;
	int64_t latest = 0;
	int32_t wf, wl, from;
	int rc;

	*out = NULL;
	*full = true;
	school_window(as_of, &wf, &wl);
	rc = school_latest_change(conn, urn, &latest, err, errlen);
	if (rc < 0)
		return rc;
	if (old && old->window_first == wf && old->change_id == latest &&
	    old->carry_q[0] == cfg->episode_sessions && old->carry_q[1] == cfg->illness_sessions) {
		*full = false;
		*out = old;
		return 0;
	}
	from = wf;
	if (old && old->window_first == wf) {
		char u[16], id[24];
		const char *p[2] = {u, id};
		PGresult *res;

		snprintf(u, sizeof(u), "%u", urn);
		snprintf(id, sizeof(id), "%lld", (long long)old->change_id);
		res = query(conn,
		            "SELECT coalesce(min(from_date) - date '1970-01-01', -1) FROM "
		            "register_change"
		            " WHERE school_urn = $1 AND change_id > $2",
		            2, p, err, errlen);
		if (!res)
			return -EIO;
		from = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
		/* A change before the window, or a log pruned under us: read everything. */
		if (from < wf)
			from = wf;
		else
			*full = false;
	}
	rc = load_reg(conn, urn, wf, wl, latest, from, *full ? NULL : old, cfg, &r, err, errlen);
	if (rc < 0)
		return rc;
	if (slot) {
		reg_free(*slot);
		*slot = r;
	} else {
		if (cache->n == cache->cap) {
			size_t cap = cache->cap ? cache->cap * 2 : 64;
			school_reg **v = realloc(cache->regs, cap * sizeof(*v));
			uint32_t *u;

			if (!v) {
				rc = -ENOMEM;
				goto out;
			}
			cache->regs = v;
			u = realloc(cache->urns, cap * sizeof(*u));
			if (!u) {
				rc = -ENOMEM;
				goto out;
			}
			cache->urns = u;
			cache->cap = cap;
		}
		cache->urns[cache->n] = urn;
		cache->regs[cache->n++] = r;
	}
	*out = r;
	r = NULL;
out:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "school %u: out of memory", urn);
	reg_free(r);
	return rc;
}

int school_load(PGconn *conn, uint32_t urn, int32_t as_of, const measures_config *cfg,
                school_reg **out, char *err, size_t errlen)
{
	int64_t latest = 0;
	int32_t wf, wl;
	int rc;

	*out = NULL;
	school_window(as_of, &wf, &wl);
	rc = school_latest_change(conn, urn, &latest, err, errlen);
	if (rc == 0)
		rc = load_reg(conn, urn, wf, wl, latest, wf, NULL, cfg, out, err, errlen);
	return rc;
}

void school_reg_destroy(school_reg **r)
{
	if (!r)
		return;
	reg_free(*r);
	*r = NULL;
}

int school_term_dates(const school_reg *r, int ay, measures_term_name name, uint32_t break_weekdays,
                      measures_term *out)
{
	int32_t first = date_academic_year_start(ay), last = date_academic_year_start(ay + 1) - 1;
	bool named = false;

	out->year = ay;
	out->name = name;
	out->first_day = out->last_day = MEASURES_NO_DAY;
	for (size_t i = 0; i < r->n_sessions; i++) {
		int32_t d = r->sessions[i].day;

		if (d < first || d > last || !r->session_term[i])
			continue;
		named = true;
		if (r->session_term[i] != 1 + name)
			continue;
		if (out->first_day == MEASURES_NO_DAY)
			out->first_day = d;
		out->last_day = d;
	}
	if (!named)
		return measures_term_dates(r->sessions, r->n_sessions, ay, name, break_weekdays,
		                           out);
	return out->first_day == MEASURES_NO_DAY ? -ENOENT : 0;
}

/* The term a calendar with term names gives as of day: that of the latest open session on or
 * before it in its academic year. Returns false when that session has no name. */
static bool calendar_term(const school_reg *r, int32_t day, uint32_t break_weekdays,
                          measures_term *out)
{
	int32_t first = date_academic_year_start(date_academic_year(day));

	for (size_t i = r->n_sessions; i-- > 0;) {
		const measures_session *s = &r->sessions[i];

		if (s->day > day || !s->open)
			continue;
		if (s->day < first || !r->session_term[i])
			return false;
		return school_term_dates(r, date_academic_year(day),
		                         (measures_term_name)(r->session_term[i] - 1),
		                         break_weekdays, out) == 0;
	}
	return false;
}

void school_term_at(const school_reg *r, int32_t day, uint32_t break_weekdays, measures_term *out)
{
	if (!calendar_term(r, day, break_weekdays, out))
		measures_term_find(r->sessions, r->n_sessions, day, break_weekdays, out);
}

int32_t school_last_session(const school_reg *r, int32_t first, int32_t last)
{
	for (size_t i = r->n_sessions; i-- > 0;) {
		const measures_session *s = &r->sessions[i];

		if (s->day < first)
			break;
		if (s->day <= last && s->open)
			return s->day;
	}
	return MEASURES_NO_DAY;
}

int school_compute(const school_reg *r, int32_t as_of, const measures_config *cfg, measures **out,
                   char *err, size_t errlen)
{
	measures_input in = {
	        .sessions = r->sessions,
	        .n_sessions = r->n_sessions,
	        .enrolments = r->enrolments,
	        .n_enrolments = r->n_enrolments,
	        .grid = r->grid,
	        .late = r->late,
	        .n_late = r->n_late,
	};
	measures_config c;
	measures_term t;

	if (cfg)
		c = *cfg;
	else
		measures_config_init(&c);
	if (!c.term_given && calendar_term(r, as_of, c.term_break_weekdays, &t)) {
		c.term_given = true;
		c.term_first = t.first_day;
		c.term_last = t.last_day;
	}
	return measures_new(out, &in, as_of, &c, err, errlen);
}

/* --- storing results ----------------------------------------------------------------------- */

static int exec_ok(PGconn *conn, const char *sql, int n, const char *const *params, char *err,
                   size_t errlen)
{
	PGresult *res = query(conn, sql, n, params, err, errlen);

	if (!res)
		return -EIO;
	PQclear(res);
	return 0;
}

static void copy_row_counts(copybuf *cb, const measures_cohort_row *c)
{
	copybuf_int8(cb, (int64_t)c->pupils);
	copybuf_int8(cb, (int64_t)c->possible);
	copybuf_int8(cb, (int64_t)c->absence);
	copybuf_int8(cb, (int64_t)c->authorised);
	copybuf_int8(cb, (int64_t)c->unauthorised);
	copybuf_int8(cb, (int64_t)c->pa_pupils);
	copybuf_int8(cb, (int64_t)c->sa_pupils);
}

static void copy_cohort(copybuf *cb, uint32_t urn, int32_t as_of, int period, const char *cohort,
                        bool in, const measures_cohort_row *c)
{
	copybuf_row(cb, 12);
	copybuf_int4(cb, (int32_t)urn);
	copybuf_date(cb, as_of);
	copybuf_int2(cb, (int16_t)period);
	copybuf_cstr(cb, cohort);
	copybuf_bool(cb, in);
	copy_row_counts(cb, c);
}

static int finish(copybuf *cb, PGconn *conn, char *err, size_t errlen)
{
	int rc = copybuf_finish(cb, conn, NULL, err, errlen);

	copybuf_deinit(cb);
	return rc;
}

int school_store(PGconn *conn, const school_reg *r, const measures *m, const report_cohort *cohorts,
                 size_t n_cohorts, char *err, size_t errlen)
{
	char u[16], d[11], cid[24], tyear[8], tfirst[11], f0[11], f1[11], f2[11], unm[24],
	        outside[16], bounds[SETTINGS_KEY_LEN];
	const char *p[12];
	copybuf cb = {0};
	uint64_t unmarked = 0;
	uint32_t outside_pop = 0;
	int32_t *wk = NULL;
	uint64_t *wpos = NULL, *wabs = NULL;
	size_t nw = 0;
	PGresult *res;
	bool newer;
	int rc;

	for (size_t e = 0; e < m->n_enrolments; e++) {
		const measures_pupil *pu = &m->pupils[e];
		unmarked += pu->counts[MEASURES_YTD].unmarked;
		if (pu->on_roll && !pu->in_population[MEASURES_YTD])
			outside_pop++;
	}
	snprintf(u, sizeof(u), "%u", r->urn);
	date_format(m->as_of, d);
	snprintf(cid, sizeof(cid), "%lld", (long long)r->change_id);
	snprintf(tyear, sizeof(tyear), "%d", m->term.year);
	snprintf(unm, sizeof(unm), "%llu", (unsigned long long)unmarked);
	snprintf(outside, sizeof(outside), "%u", outside_pop);
	p[0] = u;
	p[1] = d;
	p[2] = cid;
	p[3] = tyear;
	p[4] = measures_term_name_str(m->term.name);
	p[5] = date_format(m->term.first_day, tfirst);
	p[6] = date_format(m->period_first[MEASURES_YTD], f0);
	p[7] = date_format(m->period_first[MEASURES_TERM], f1);
	p[8] = m->period_first[MEASURES_LAST4W] == MEASURES_NO_DAY
	               ? NULL
	               : date_format(m->period_first[MEASURES_LAST4W], f2);
	p[9] = unm;
	p[10] = outside;
	p[11] = settings_key(m->cfg.category_bp, bounds);

	rc = measures_week_series(m, &wk, &wpos, &wabs, &nw);
	if (rc < 0) {
		snprintf(err, errlen, "school %u: out of memory", r->urn);
		return rc;
	}
	if ((rc = exec_ok(conn, "BEGIN", 0, NULL, err, errlen)) < 0)
		goto out;
	/* Per-enrolment rows are kept for the latest as-of only, and never go backwards: a report
	 * for a past day must not replace the figures other reports read. */
	res = query(conn,
	            "SELECT EXISTS (SELECT 1 FROM enrolment_result WHERE school_urn = $1"
	            " AND as_of > $2)",
	            2, p, err, errlen);
	if (!res) {
		rc = -EIO;
		goto out;
	}
	newer = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	/* One statement clears what this store replaces (no foreign keys: sql/004). */
	if ((rc = exec_ok(
	             conn,
	             "WITH e AS (DELETE FROM enrolment_result WHERE school_urn = $1 AND as_of <= "
	             "$2),"
	             " c AS (DELETE FROM cohort_result WHERE school_urn = $1 AND as_of = $2),"
	             " k AS (DELETE FROM category_result WHERE school_urn = $1 AND as_of = $2),"
	             " w AS (DELETE FROM week_result WHERE school_urn = $1 AND as_of = $2)"
	             " INSERT INTO school_result (school_urn, as_of, change_id, term_year,"
	             " term_name, term_first, ytd_first, term_period_first, last4w_first,"
	             " unmarked, outside_population, boundaries)"
	             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
	             " ON CONFLICT (school_urn, as_of) DO UPDATE SET change_id = $3,"
	             " computed_at = now(), term_year = $4, term_name = $5, term_first = $6,"
	             " ytd_first = $7, term_period_first = $8, last4w_first = $9,"
	             " unmarked = $10, outside_population = $11, boundaries = $12",
	             12, p, err, errlen)) < 0)
		goto out;

	if (newer)
		goto summaries;
	rc = db_copy_in_start(
	        conn,
	        "enrolment_result (school_urn, as_of, pupil_id, illness_ytd, penalty_sessions,"
	        " ytd_possible, ytd_present, ytd_aea, ytd_authorised, ytd_unauthorised,"
	        " ytd_unmarked, ytd_category, ytd_flags,"
	        " term_possible, term_present, term_aea, term_authorised, term_unauthorised,"
	        " term_unmarked, term_category, term_flags,"
	        " last4w_possible, last4w_present, last4w_aea, last4w_authorised,"
	        " last4w_unauthorised, last4w_unmarked, last4w_category, last4w_flags)",
	        err, errlen);
	if (rc < 0)
		goto out;
	copybuf_init(&cb);
	for (size_t e = 0; e < m->n_enrolments; e++) {
		const measures_pupil *pu = &m->pupils[e];

		if (!pu->on_roll && pu->counts[MEASURES_YTD].possible == 0)
			continue;
		copybuf_row(&cb, 5 + 8 * MEASURES_PERIODS);
		copybuf_int4(&cb, (int32_t)r->urn);
		copybuf_date(&cb, m->as_of);
		copybuf_int4(&cb, (int32_t)pu->pupil_id);
		copybuf_int4(&cb, (int32_t)pu->illness_ytd);
		copybuf_int4(&cb, (int32_t)pu->penalty_sessions);
		for (int per = 0; per < MEASURES_PERIODS; per++) {
			const measures_counts *c = &pu->counts[per];
			int flags = (pu->in_population[per] ? 1 : 0) | (pu->pa[per] ? 2 : 0) |
			            (pu->sa[per] ? 4 : 0) | (pu->penalty ? 8 : 0) |
			            (pu->on_roll ? 16 : 0) | (pu->compulsory ? 32 : 0);

			copybuf_int4(&cb, (int32_t)c->possible);
			copybuf_int4(&cb, (int32_t)c->present);
			copybuf_int4(&cb, (int32_t)c->aea);
			copybuf_int4(&cb, (int32_t)c->authorised);
			copybuf_int4(&cb, (int32_t)c->unauthorised);
			copybuf_int4(&cb, (int32_t)c->unmarked);
			copybuf_cstr(&cb, measures_category_name(pu->category[per]));
			copybuf_int2(&cb, (int16_t)flags);
		}
		if (cb.len > (1u << 20) && (rc = copybuf_flush(&cb, conn, err, errlen)) < 0)
			break;
	}
	if ((rc = rc < 0 ? rc : finish(&cb, conn, err, errlen)) < 0)
		goto out;

summaries:
	rc = db_copy_in_start(conn,
	                      "cohort_result (school_urn, as_of, period, cohort, in_cohort, pupils,"
	                      " possible, absence, authorised, unauthorised, pa_pupils, sa_pupils)",
	                      err, errlen);
	if (rc < 0)
		goto out;
	copybuf_init(&cb);
	for (int per = 0; per < MEASURES_PERIODS; per++) {
		measures_cohort_row in, outr;

		measures_cohort_sum(m, (measures_period)per, MEASURES_COHORT_ALL, 0, &in, NULL);
		copy_cohort(&cb, r->urn, m->as_of, per, "all", true, &in);
		for (size_t k = 0; k < n_cohorts; k++) {
			measures_cohort_sum(m, (measures_period)per, cohorts[k].cohort,
			                    cohorts[k].value, &in, &outr);
			copy_cohort(&cb, r->urn, m->as_of, per, cohorts[k].name, true, &in);
			copy_cohort(&cb, r->urn, m->as_of, per, cohorts[k].name, false, &outr);
		}
	}
	if ((rc = finish(&cb, conn, err, errlen)) < 0)
		goto out;

	rc = db_copy_in_start(conn, "category_result (school_urn, as_of, period, category, pupils)",
	                      err, errlen);
	if (rc < 0)
		goto out;
	copybuf_init(&cb);
	for (int per = 0; per < MEASURES_PERIODS; per++) {
		uint32_t counts[MEASURES_CAT_COUNT];

		measures_category_counts(m, (measures_period)per, counts);
		for (int c = MEASURES_CAT_EXPECTED; c < MEASURES_CAT_COUNT; c++) {
			copybuf_row(&cb, 5);
			copybuf_int4(&cb, (int32_t)r->urn);
			copybuf_date(&cb, m->as_of);
			copybuf_int2(&cb, (int16_t)per);
			copybuf_cstr(&cb, measures_category_name((measures_category)c));
			copybuf_int4(&cb, (int32_t)counts[c]);
		}
	}
	if ((rc = finish(&cb, conn, err, errlen)) < 0)
		goto out;

	rc = db_copy_in_start(conn,
	                      "week_result (school_urn, as_of, week_start, possible, absence)", err,
	                      errlen);
	if (rc < 0)
		goto out;
	copybuf_init(&cb);
	for (size_t w = 0; w < nw; w++) {
		copybuf_row(&cb, 5);
		copybuf_int4(&cb, (int32_t)r->urn);
		copybuf_date(&cb, m->as_of);
		copybuf_date(&cb, wk[w]);
		copybuf_int8(&cb, (int64_t)wpos[w]);
		copybuf_int8(&cb, (int64_t)wabs[w]);
	}
	if ((rc = finish(&cb, conn, err, errlen)) < 0)
		goto out;
	rc = exec_ok(conn, "COMMIT", 0, NULL, err, errlen);
out:
	copybuf_deinit(&cb);
	if (rc < 0 && PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	free(wk);
	free(wpos);
	free(wabs);
	return rc;
}
