/* The monthly LA returns of domain.md §6 from the runs the measures pass found: attendance
 * return episodes (unauthorised runs qualifying in the month) and the sickness return (REACHED
 * CONTINUOUS / CUMULATIVE and FORECAST). */
#include <errno.h>
#include <stdlib.h>

#include "measures_state.h"
#include "rollcall/date.h"
#include "rollcall/measures.h"

struct rows {
	void *v;
	size_t n, cap, size;
};

/* A new zeroed slot at the end of r, or NULL when out of memory. */
static void *rows_push(struct rows *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		void *nv = realloc(r->v, cap * r->size);
		if (nv == NULL)
			return NULL;
		r->v = nv;
		r->cap = cap;
	}
	char *slot = (char *)r->v + r->n++ * r->size;
	for (size_t i = 0; i < r->size; i++)
		slot[i] = 0;
	return slot;
}

/* A return's period: days [first, last] within one academic year. */
static int period_check(int32_t first, int32_t last)
{
	if (first > last || date_academic_year(first) != date_academic_year(last))
		return -EINVAL;
	return 0;
}

/* Sessions of run ep with a day <= until (those carried in from before the sessions included).
 * Every possible session between a run's first and last session belongs to it, so counting
 * possible sessions counts the run. */
static uint32_t run_upto(const measures *m, const measures_episode *ep, int32_t until)
{
	const struct measures_state *st = m->state;
	const uint8_t *row = st->grid + (size_t)ep->enrolment * m->n_sessions;
	uint32_t n = ep->carried;

	if (m->sessions[ep->last].day <= until)
		return ep->length;
	for (size_t s = ep->first; s <= ep->last && m->sessions[s].day <= until; s++) {
		const struct code_class *k;
		if (!m->sessions[s].open)
			continue;
		k = measures_cell_class(st, row[s], m->sessions[s].day);
		n += k != NULL && (k->flags & CLS_POSSIBLE);
	}
	return n;
}

int measures_attendance_return(const measures *m, int32_t first, int32_t last,
                               measures_attendance_row **rows, size_t *n_rows)
{
	struct rows r = {.size = sizeof(measures_attendance_row)};
	int ay, rc;

	*rows = NULL;
	*n_rows = 0;
	if ((rc = period_check(first, last)) < 0)
		goto out;
	ay = date_academic_year(first);
	for (size_t i = 0; i < m->n_episodes; i++) {
		const measures_episode *ep = &m->episodes[i];
		const measures_pupil *pu = &m->pupils[ep->enrolment];
		measures_attendance_row *row;
		int32_t qday = ep->qualified_day;
		if (qday == MEASURES_NO_DAY || qday < first || qday > last ||
		    !measures_compulsory_age(pu->birth_day, ay))
			continue;
		if ((row = rows_push(&r)) == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		row->enrolment = ep->enrolment;
		row->episode = i;
		row->start_day = ep->start_day;
		row->start_pm = ep->start_pm;
		row->qualified_day = qday;
		row->qualified_pm = ep->qualified_pm;
		row->sessions = run_upto(m, ep, last);
		row->ongoing = ep->end_day > last;
	}
	*n_rows = r.n;
	*rows = r.v;
	r.v = NULL;
	rc = 0;
out:
	free(r.v);
	return rc;
}

/* The sickness rows of enrolment e for the month [first, last] of academic year ay. */
static int sickness_enrolment(const measures *m, size_t e, int ay, int32_t first, int32_t last,
                              struct rows *r)
{
	const struct measures_state *st = m->state;
	const measures_pupil *pu = &m->pupils[e];
	const uint8_t *row = st->grid + e * m->n_sessions;
	int32_t ay_first = date_academic_year_start(ay);
	int32_t cut = last < m->as_of ? last : m->as_of;
	uint32_t total = 0, longest = 0, q = m->cfg.illness_sessions;
	int32_t first_ill = MEASURES_NO_DAY, total_reached = MEASURES_NO_DAY;
	bool reached_before = false;
	size_t ongoing = SIZE_MAX, in_month = 0, lo, hi;
	uint32_t ongoing_len = 0;
	measures_sickness_row *out;

	/* This academic year's I sessions up to the end of the month. */
	measures_roll_range(m, e, &lo, &hi);
	if (lo < measures_lower_day(m->sessions, hi, ay_first))
		lo = measures_lower_day(m->sessions, hi, ay_first);
	for (size_t s = lo; s < hi && m->sessions[s].day <= cut; s++) {
		const struct code_class *k;
		if (!m->sessions[s].open)
			continue;
		k = measures_cell_class(st, row[s], m->sessions[s].day);
		if (k == NULL || !(k->flags & CLS_ILL))
			continue;
		if (first_ill == MEASURES_NO_DAY)
			first_ill = m->sessions[s].day;
		if (++total == q)
			total_reached = m->sessions[s].day;
	}
	if (total_reached < first)
		reached_before = true;

	for (size_t i = pu->first_illness; i < pu->first_illness + pu->n_illness; i++) {
		const measures_episode *ep = &m->illness[i];
		int32_t start = m->sessions[ep->first].day;
		if (start > cut || m->sessions[ep->last].day < ay_first)
			continue;
		uint32_t len = run_upto(m, ep, cut);
		if (len > longest)
			longest = len;
		if (ep->end_day > last) {
			ongoing = i;
			ongoing_len = len;
		}
		int32_t qday = ep->qualified_day;
		if (qday == MEASURES_NO_DAY)
			continue;
		if (qday >= ay_first && qday < first)
			reached_before = true;
		if (qday < first || qday > last)
			continue;
		if ((out = rows_push(r)) == NULL)
			return -ENOMEM;
		out->status = MEASURES_SICK_REACHED;
		out->reason = MEASURES_SICK_CONTINUOUS;
		out->episode = i;
		out->reached_day = qday;
		in_month++;
	}

	if (in_month == 0 && total_reached >= first && total_reached <= last) {
		if ((out = rows_push(r)) == NULL)
			return -ENOMEM;
		out->status = MEASURES_SICK_REACHED;
		out->reason = MEASURES_SICK_CUMULATIVE;
		out->episode = SIZE_MAX;
		out->reached_day = total_reached;
		in_month++;
	}
	if (in_month == 0 && !reached_before && measures_on_roll(m, e, cut)) {
		bool by_run = ongoing != SIZE_MAX && ongoing_len >= m->cfg.forecast_run;
		if (by_run || total >= m->cfg.forecast_total) {
			if ((out = rows_push(r)) == NULL)
				return -ENOMEM;
			out->status = MEASURES_SICK_FORECAST;
			out->reason = by_run ? MEASURES_SICK_CONTINUOUS : MEASURES_SICK_CUMULATIVE;
			out->episode = by_run ? ongoing : SIZE_MAX;
			out->reached_day = MEASURES_NO_DAY;
			in_month++;
		}
	}
	/* The figures every row of this enrolment carries. */
	for (size_t i = r->n - in_month; i < r->n; i++) {
		out = (measures_sickness_row *)r->v + i;
		out->enrolment = (uint32_t)e;
		out->illness_sessions = total;
		out->longest_run = longest;
		out->first_illness_day = first_ill;
	}
	return 0;
}

int measures_sickness_return(const measures *m, int32_t first, int32_t last,
                             measures_sickness_row **rows, size_t *n_rows)
{
	struct rows r = {.size = sizeof(measures_sickness_row)};
	int ay, rc;

	*rows = NULL;
	*n_rows = 0;
	if ((rc = period_check(first, last)) < 0)
		goto out;
	ay = date_academic_year(first);
	if (m->as_of < first)
		goto done; /* the month has not started on D */
	for (size_t e = 0; e < m->n_enrolments; e++) {
		if (!measures_compulsory_age(m->pupils[e].birth_day, ay))
			continue;
		if ((rc = sickness_enrolment(m, e, ay, first, last, &r)) < 0)
			goto out;
	}
done:
	*n_rows = r.n;
	*rows = r.v;
	r.v = NULL;
	rc = 0;
out:
	free(r.v);
	return rc;
}

const char *measures_sick_status_name(measures_sick_status s)
{
	return s == MEASURES_SICK_REACHED    ? "REACHED"
	       : s == MEASURES_SICK_FORECAST ? "FORECAST"
	                                     : "";
}

const char *measures_sick_reason_name(measures_sick_reason r)
{
	return r == MEASURES_SICK_CUMULATIVE   ? "CUMULATIVE"
	       : r == MEASURES_SICK_CONTINUOUS ? "CONTINUOUS"
	                                       : "";
}
