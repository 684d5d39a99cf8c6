/* A TSM pack's figures from the measures engine (see report_tsm.h): every figure is the
 * engine's, summed exactly; the lists take the engine's flags, rules and returns as they are. */
#include "report_tsm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rollcall/date.h"

const char *report_tsm_flag_name(int i)
{
	static const char *const names[TSM_FLAGS] = {
	        "SA", "PA", "AT_RISK", "ATTENDANCE_RETURN", "SICKNESS_RETURN", "PENALTY_THRESHOLD",
	};

	return i >= 0 && i < TSM_FLAGS ? names[i] : "";
}

uint64_t report_tsm_attended(const tsm_pupil *p, measures_period per)
{
	return p->possible[per] > p->absence[per] ? p->possible[per] - p->absence[per] : 0;
}

static uint32_t absence_of(const measures_counts *c)
{
	return c->authorised + c->unauthorised;
}

/* The school's figures: the headline rows, cohorts and classes, categories, bands, patterns,
 * weeks and the data-quality counts. */
static int school_figures(tsm_report *r, const tsm_source *src)
{
	const measures *m = src->m;
	report_school *s = &r->school;
	report_cohort all[REPORT_MAX_COHORTS];
	size_t nall;
	int rc;

	for (int p = 0; p < MEASURES_PERIODS; p++) {
		measures_cohort_sum(m, (measures_period)p, MEASURES_COHORT_ALL, 0, &s->all[p],
		                    NULL);
		measures_category_counts(m, (measures_period)p, s->categories[p]);
		measures_band_counts(m, (measures_period)p, r->bands[p], &r->banded[p]);
	}
	report_cohorts_init(all, &nall);
	for (size_t k = 0; k < nall; k++) {
		measures_cohort_row in;

		measures_cohort_sum(m, MEASURES_YTD, all[k].cohort, all[k].value, &in, NULL);
		if (!report_cohort_shown(&all[k], in.pupils > 0))
			continue;
		r->cohorts[r->n_cohorts] = all[k];
		for (int p = 0; p < MEASURES_PERIODS; p++)
			measures_cohort_sum(m, (measures_period)p, all[k].cohort, all[k].value,
			                    &s->in[p][r->n_cohorts], &s->out[p][r->n_cohorts]);
		r->n_cohorts++;
	}

	r->n_classes = src->n_classes;
	r->classes = calloc(r->n_classes + 1, sizeof(*r->classes));
	for (int p = 0; p < MEASURES_PERIODS; p++) {
		r->class_in[p] = calloc(r->n_classes + 1, sizeof(*r->class_in[p]));
		r->class_out[p] = calloc(r->n_classes + 1, sizeof(*r->class_out[p]));
		if (!r->class_in[p] || !r->class_out[p])
			return -ENOMEM;
	}
	if (!r->classes)
		return -ENOMEM;
	for (size_t k = 0; k < r->n_classes; k++) {
		report_cohort *c = &r->classes[k];

		c->cohort = MEASURES_COHORT_CLASS;
		c->value = (int)(k + 1);
		snprintf(c->name, sizeof(c->name), "class_%u", (unsigned)(k + 1) & 0xffffu);
		snprintf(c->label, sizeof(c->label), "%s", src->classes[k]);
		for (int p = 0; p < MEASURES_PERIODS; p++)
			measures_cohort_sum(m, (measures_period)p, MEASURES_COHORT_CLASS, c->value,
			                    &r->class_in[p][k], &r->class_out[p][k]);
	}

	for (size_t e = 0; e < m->n_enrolments; e++) {
		const measures_pupil *pu = &m->pupils[e];

		s->unmarked += pu->counts[MEASURES_YTD].unmarked;
		if (pu->on_roll && !pu->in_population[MEASURES_YTD])
			s->outside_population++;
		for (int p = 0; p < 2; p++) {
			const measures_counts *c = &pu->counts[p];
			tsm_pattern *t = &r->pattern[p];

			if (!pu->in_population[p])
				continue;
			for (int b = 0; b < RC_BUCKET_COUNT; b++)
				t->bucket[b] += c->bucket[b];
			for (int d = 0; d < 5; d++) {
				for (int h = 0; h < 2; h++) {
					t->dow_possible[d][h] += c->dow_possible[d][h];
					t->dow_absence[d][h] += c->dow_absence[d][h];
				}
			}
			t->late_l += c->late_l;
			t->late_u += c->late_u;
			t->minutes_late += c->minutes_late;
		}
	}
	rc = measures_week_series(m, &s->week_start, &s->week_possible, &s->week_absence,
	                          &s->n_weeks);
	r->n_weeks = s->n_weeks;
	return rc;
}

/* Attendance-return episodes still open on the pack's day: the engine's return over each
 * academic year from the earliest run it knows of (runs follow the whole register, so one may
 * have begun long before the sessions held) to the pack's day; an episode is listed once, in
 * the year it qualified, and kept here when its run has not ended. */
static int attendance_episodes(const measures *m, tsm_pupil *scratch)
{
	int32_t first = m->n_sessions ? m->sessions[0].day : m->as_of;

	for (size_t i = 0; i < m->n_episodes; i++)
		if (m->episodes[i].start_day < first)
			first = m->episodes[i].start_day;
	for (int ay = date_academic_year(first); ay <= m->academic_year; ay++) {
		int32_t a = date_academic_year_start(ay);
		int32_t b =
		        ay == m->academic_year ? m->as_of : date_academic_year_start(ay + 1) - 1;
		measures_attendance_row *rows = NULL;
		size_t n = 0;
		int rc = measures_attendance_return(m, a, b, &rows, &n);

		if (rc < 0)
			return rc;
		for (size_t i = 0; i < n; i++) {
			const measures_episode *ep = &m->episodes[rows[i].episode];
			tsm_pupil *p = &scratch[rows[i].enrolment];

			if (ep->end_day != MEASURES_NO_DAY || !m->pupils[rows[i].enrolment].on_roll)
				continue;
			p->flags |= TSM_FLAG_ATTENDANCE_RETURN;
			p->episode_start = rows[i].start_day;
			p->episode_qualified = rows[i].qualified_day;
			p->episode_sessions = ep->length;
		}
		free(rows);
	}
	return 0;
}

/* The sickness return's pupils of the year: the engine's return over the academic year up to
 * the pack's day (REACHED in it, or FORECAST at its end). */
static int sickness_pupils(const measures *m, tsm_pupil *scratch)
{
	measures_sickness_row *rows = NULL;
	size_t n = 0;
	int rc = measures_sickness_return(m, date_academic_year_start(m->academic_year), m->as_of,
	                                  &rows, &n);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const measures_sickness_row *row = &rows[i];
		tsm_pupil *p = &scratch[row->enrolment];
		bool reached = row->status == MEASURES_SICK_REACHED;

		if (!m->pupils[row->enrolment].on_roll || p->flags & TSM_FLAG_SICKNESS_RETURN)
			continue; /* the first row of a pupil (the first run that reached) stands */
		p->flags |= TSM_FLAG_SICKNESS_RETURN;
		p->sick_status = row->status;
		p->sick_reason = row->reason;
		p->sick_reached = reached ? row->reached_day : MEASURES_NO_DAY;
	}
	free(rows);
	return 0;
}

/* The flags of every enrolment into scratch, then the flagged ones into r->pupils. */
static int pupil_lists(tsm_report *r, const tsm_source *src, tsm_pupil *scratch)
{
	const measures *m = src->m;
	size_t *list = NULL, n_weeks = 0;
	int32_t *weeks = NULL;
	int rc;

	for (size_t e = 0; e < m->n_enrolments; e++) {
		const measures_pupil *pu = &m->pupils[e];
		tsm_pupil *p = &scratch[e];
		bool headline = pu->on_roll && pu->in_population[MEASURES_YTD];

		if (headline && pu->sa[MEASURES_YTD])
			p->flags |= TSM_FLAG_SA;
		if (headline && pu->pa[MEASURES_YTD])
			p->flags |= TSM_FLAG_PA;
		if (headline && measures_falling(m, e, src->falling_bp))
			p->flags |= TSM_FLAG_AT_RISK;
		if (pu->on_roll && pu->compulsory && pu->penalty)
			p->flags |= TSM_FLAG_PENALTY;
	}
	if ((rc = attendance_episodes(m, scratch)) < 0 || (rc = sickness_pupils(m, scratch)) < 0)
		return rc;

	r->pupils = calloc(m->n_enrolments + 1, sizeof(*r->pupils));
	list = calloc(m->n_enrolments + 1, sizeof(*list));
	if (!r->pupils || !list) {
		free(list);
		return -ENOMEM;
	}
	for (size_t e = 0; e < m->n_enrolments; e++) {
		const measures_pupil *pu = &m->pupils[e];
		tsm_pupil *p = &r->pupils[r->n_pupils];

		if (!scratch[e].flags)
			continue;
		*p = scratch[e];
		p->enrolment = e;
		p->pupil_id = pu->pupil_id;
		p->nc_year = pu->chars.nc_year;
		p->reg_group = pu->chars.reg_group;
		p->category = pu->category[MEASURES_YTD];
		for (int per = 0; per < MEASURES_PERIODS; per++) {
			p->possible[per] = pu->counts[per].possible;
			p->absence[per] = absence_of(&pu->counts[per]);
		}
		p->has_drop = measures_recent_drop(m, e, &p->drop_num, &p->drop_den);
		p->illness_ytd = pu->illness_ytd;
		p->penalty_sessions = pu->penalty_sessions;
		for (size_t j = 0; src->prev && j < src->prev->n_enrolments; j++) {
			const measures_pupil *q = &src->prev->pupils[j];

			if (q->pupil_id != pu->pupil_id || !q->counts[MEASURES_TERM].possible)
				continue;
			p->prev_possible = q->counts[MEASURES_TERM].possible;
			p->prev_absence = absence_of(&q->counts[MEASURES_TERM]);
		}
		p->week_row = r->n_pupils;
		list[r->n_pupils++] = e;
	}
	/* The same school weeks as the school's series: its own copy of their Mondays goes. */
	rc = measures_pupil_week_series(m, list, r->n_pupils, &weeks, &r->pupil_week_possible,
	                                &r->pupil_week_absence, &n_weeks);
	free(weeks);
	free(list);
	return rc;
}

int report_tsm_build(tsm_report *r, const tsm_source *src, char *err, size_t errlen)
{
	const measures *m = src->m;
	tsm_pupil *scratch = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	r->as_of = m->as_of;
	memcpy(r->period_first, m->period_first, sizeof(r->period_first));
	r->term = m->term;
	measures_term_label(m->term.year, m->term.name, r->term_label);
	r->falling_bp = src->falling_bp;
	r->penalty_first = m->penalty_first;
	r->penalty_last = m->penalty_last;
	memcpy(r->school.category_bp, m->cfg.category_bp, sizeof(r->school.category_bp));
	if (src->prev) {
		r->has_prev = true;
		r->prev_term = src->prev->term;
		measures_term_label(src->prev->term.year, src->prev->term.name, r->prev_label);
		r->prev_as_of = src->prev->as_of;
		measures_cohort_sum(src->prev, MEASURES_TERM, MEASURES_COHORT_ALL, 0, &r->prev_all,
		                    NULL);
	}
	if (src->ly) {
		r->has_last_year = true;
		r->ly_as_of = src->ly->as_of;
		measures_cohort_sum(src->ly, MEASURES_YTD, MEASURES_COHORT_ALL, 0, &r->ly_all[0],
		                    NULL);
		measures_cohort_sum(src->ly, MEASURES_TERM, MEASURES_COHORT_ALL, 0, &r->ly_all[1],
		                    NULL);
	}
	scratch = calloc(m->n_enrolments + 1, sizeof(*scratch));
	rc = scratch ? school_figures(r, src) : -ENOMEM;
	if (rc == 0)
		rc = pupil_lists(r, src, scratch);
	free(scratch);
	if (rc < 0)
		snprintf(err, errlen, "tsm: out of memory");
	return rc;
}

void report_tsm_deinit(tsm_report *r)
{
	free(r->school.week_start);
	free(r->school.week_possible);
	free(r->school.week_absence);
	free(r->classes);
	for (int p = 0; p < MEASURES_PERIODS; p++) {
		free(r->class_in[p]);
		free(r->class_out[p]);
	}
	free(r->pupils);
	free(r->pupil_week_possible);
	free(r->pupil_week_absence);
	free(r->actions);
	free(r->national);
	free(r->la);
	memset(r, 0, sizeof(*r));
}

static int cmp_upn(const void *a, const void *b)
{
	const tsm_pupil *x = a, *y = b;
	int c = strcmp(x->upn, y->upn);

	if (c)
		return c;
	return (x->pupil_id > y->pupil_id) - (x->pupil_id < y->pupil_id);
}

void report_tsm_sort(tsm_report *r)
{
	if (r->n_pupils)
		qsort(r->pupils, r->n_pupils, sizeof(*r->pupils), cmp_upn);
}
