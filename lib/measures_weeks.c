/* Weekly series of the measures engine (the trust page's trend by week, a TSM pack's sparkline of
 * each pupil), reading marks through the same classification as the main pass. */
#include <errno.h>
#include <stdlib.h>

#include "measures_state.h"
#include "rollcall/date.h"

/* The school weeks of the ytd period up to D: lo is the first session of the period, slot maps a
 * week's offset from first_monday to its index among the school weeks (SIZE_MAX: no open
 * session that week), week_start their Mondays. */
typedef struct week_layout {
	size_t lo;
	int32_t first_monday;
	size_t *slot;
	int32_t *week_start;
	size_t n;
} week_layout;

static int layout_init(const measures *m, week_layout *l)
{
	const struct measures_state *st = m->state;
	int32_t last_monday;
	size_t nweeks;

	l->lo = measures_lower_day(m->sessions, st->n_upto, m->period_first[MEASURES_YTD]);
	l->slot = NULL;
	l->week_start = NULL;
	l->n = 0;
	if (l->lo >= st->n_upto)
		return 0;
	l->first_monday = m->sessions[l->lo].day - date_weekday(m->sessions[l->lo].day);
	last_monday =
	        m->sessions[st->n_upto - 1].day - date_weekday(m->sessions[st->n_upto - 1].day);
	nweeks = (size_t)(last_monday - l->first_monday) / 7 + 1;
	l->slot = malloc(nweeks * sizeof(*l->slot));
	l->week_start = calloc(nweeks, sizeof(*l->week_start));
	if (!l->slot || !l->week_start)
		return -ENOMEM;
	/* Only weeks with an open session are school weeks. */
	for (size_t w = 0; w < nweeks; w++)
		l->slot[w] = SIZE_MAX;
	for (size_t s = l->lo; s < st->n_upto; s++) {
		size_t w = (size_t)(m->sessions[s].day - date_weekday(m->sessions[s].day) -
		                    l->first_monday) /
		           7;
		if (m->sessions[s].open && l->slot[w] == SIZE_MAX) {
			l->slot[w] = l->n;
			l->week_start[l->n++] = l->first_monday + (int32_t)w * 7;
		}
	}
	return 0;
}

/* Adds enrolment e's possible and absence sessions of the period, week by week. */
static void layout_add(const measures *m, const week_layout *l, size_t e, uint64_t *possible,
                       uint64_t *absence)
{
	const struct measures_state *st = m->state;
	const uint8_t *row = st->grid + e * m->n_sessions;
	size_t a, b;

	measures_roll_range(m, e, &a, &b);
	if (a < l->lo)
		a = l->lo;
	for (size_t s = a; s < b; s++) {
		const measures_session *se = &m->sessions[s];
		const struct code_class *c;
		size_t w;

		if (!se->open)
			continue;
		c = measures_cell_class(st, row[s], se->day);
		if (!c || !(c->flags & CLS_POSSIBLE))
			continue;
		w = l->slot[(size_t)(se->day - date_weekday(se->day) - l->first_monday) / 7];
		possible[w]++;
		if (c->flags & CLS_ABSENT)
			absence[w]++;
	}
}

/* The series over the ytd headline population (list NULL), or one row of n_weeks entries per
 * enrolment of list[0..n_list). */
static int series(const measures *m, const size_t *list, size_t n_list, int32_t **week_start,
                  uint64_t **possible, uint64_t **absence, size_t *n)
{
	week_layout l;
	size_t rows = list ? n_list : 1;
	int rc;

	*week_start = NULL;
	*possible = *absence = NULL;
	*n = 0;
	rc = layout_init(m, &l);
	if (rc < 0 || l.n == 0)
		goto out;
	*possible = calloc(l.n * rows + 1, sizeof(**possible));
	*absence = calloc(l.n * rows + 1, sizeof(**absence));
	if (!*possible || !*absence) {
		rc = -ENOMEM;
		goto out;
	}
	if (list) {
		for (size_t k = 0; k < n_list; k++)
			layout_add(m, &l, list[k], *possible + k * l.n, *absence + k * l.n);
	} else {
		for (size_t e = 0; e < m->n_enrolments; e++)
			if (m->pupils[e].in_population[MEASURES_YTD])
				layout_add(m, &l, e, *possible, *absence);
	}
	*week_start = l.week_start;
	l.week_start = NULL;
	*n = l.n;
out:
	free(l.slot);
	free(l.week_start);
	if (rc < 0 || *n == 0) {
		free(*possible);
		free(*absence);
		*possible = *absence = NULL;
	}
	return rc;
}

int measures_week_series(const measures *m, int32_t **week_start, uint64_t **possible,
                         uint64_t **absence, size_t *n)
{
	return series(m, NULL, 0, week_start, possible, absence, n);
}

int measures_pupil_week_series(const measures *m, const size_t *enrolments, size_t n_enrolments,
                               int32_t **week_start, uint64_t **possible, uint64_t **absence,
                               size_t *n_weeks)
{
	for (size_t k = 0; k < n_enrolments; k++) {
		if (enrolments[k] >= m->n_enrolments) {
			*week_start = NULL;
			*possible = *absence = NULL;
			*n_weeks = 0;
			return -EINVAL;
		}
	}
	return series(m, enrolments, n_enrolments, week_start, possible, absence, n_weeks);
}
