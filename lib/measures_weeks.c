/* Weekly series of the measures engine (the trust page's trend by week), reading marks through
 * the same classification as the main pass. */
#include <errno.h>
#include <stdlib.h>

#include "measures_state.h"
#include "rollcall/date.h"

int measures_week_series(const measures *m, int32_t **week_start, uint64_t **possible,
                         uint64_t **absence, size_t *n)
{
	const struct measures_state *st = m->state;
	int32_t first = m->period_first[MEASURES_YTD];
	size_t lo = measures_lower_day(m->sessions, st->n_upto, first);
	int32_t first_monday, last_monday;
	size_t nweeks, *slot = NULL, k = 0;
	int rc = 0;

	*week_start = NULL;
	*possible = *absence = NULL;
	*n = 0;
	if (lo >= st->n_upto)
		return 0;
	first_monday = m->sessions[lo].day - date_weekday(m->sessions[lo].day);
	last_monday =
	        m->sessions[st->n_upto - 1].day - date_weekday(m->sessions[st->n_upto - 1].day);
	nweeks = (size_t)(last_monday - first_monday) / 7 + 1;
	slot = malloc(nweeks * sizeof(*slot));
	*week_start = calloc(nweeks, sizeof(**week_start));
	*possible = calloc(nweeks, sizeof(**possible));
	*absence = calloc(nweeks, sizeof(**absence));
	if (!slot || !*week_start || !*possible || !*absence) {
		rc = -ENOMEM;
		goto out;
	}
	/* Only weeks with an open session are school weeks. */
	for (size_t w = 0; w < nweeks; w++)
		slot[w] = SIZE_MAX;
	for (size_t s = lo; s < st->n_upto; s++) {
		size_t w = (size_t)(m->sessions[s].day - date_weekday(m->sessions[s].day) -
		                    first_monday) /
		           7;
		if (m->sessions[s].open && slot[w] == SIZE_MAX) {
			slot[w] = k;
			(*week_start)[k++] = first_monday + (int32_t)w * 7;
		}
	}
	for (size_t e = 0; e < m->n_enrolments; e++) {
		const uint8_t *row = st->grid + e * m->n_sessions;
		size_t a, b;

		if (!m->pupils[e].in_population[MEASURES_YTD])
			continue;
		measures_roll_range(m, e, &a, &b);
		if (a < lo)
			a = lo;
		for (size_t s = a; s < b; s++) {
			const measures_session *se = &m->sessions[s];
			const struct code_class *c;
			size_t w;

			if (!se->open)
				continue;
			c = measures_cell_class(st, row[s], se->day);
			if (!c || !(c->flags & CLS_POSSIBLE))
				continue;
			w = slot[(size_t)(se->day - date_weekday(se->day) - first_monday) / 7];
			(*possible)[w]++;
			if (c->flags & CLS_ABSENT)
				(*absence)[w]++;
		}
	}
	*n = k;
out:
	free(slot);
	if (rc < 0) {
		free(*week_start);
		free(*possible);
		free(*absence);
		*week_start = NULL;
		*possible = *absence = NULL;
	}
	return rc;
}
