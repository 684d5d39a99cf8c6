/* The Targeting Support Meeting rules of the measures engine (domain.md §4, §8): DfE-style 5%
 * absence bands, "at risk and falling", and terms by name with their dates. Exact integer
 * arithmetic throughout, like the rest of the engine. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rollcall/date.h"
#include "rollcall/measures.h"

int measures_band(uint64_t absence, uint64_t possible)
{
	unsigned __int128 k;

	if (possible < MEASURES_BAND_MIN_SESSIONS)
		return -1;
	/* r >= 5k% exactly when 20 absence >= k possible. */
	k = (unsigned __int128)absence * 20u / possible;
	return k >= MEASURES_BANDS - 1 ? MEASURES_BANDS - 1 : (int)k;
}

const char *measures_band_name(int band)
{
	static const char *const names[MEASURES_BANDS] = {
	        "00-05", "05-10", "10-15", "15-20", "20-25", "25-30",
	        "30-35", "35-40", "40-45", "45-50", "50+",
	};

	return band >= 0 && band < MEASURES_BANDS ? names[band] : "";
}

void measures_band_counts(const measures *m, measures_period p, uint32_t counts[MEASURES_BANDS],
                          uint32_t *total)
{
	memset(counts, 0, sizeof(uint32_t) * MEASURES_BANDS);
	*total = 0;
	for (size_t e = 0; e < m->n_enrolments; e++) {
		const measures_pupil *pu = &m->pupils[e];
		const measures_counts *c = &pu->counts[p];
		int b;

		if (!pu->in_population[p])
			continue;
		b = measures_band((uint64_t)c->authorised + c->unauthorised, c->possible);
		if (b < 0)
			continue;
		counts[b]++;
		(*total)++;
	}
}

bool measures_recent_drop(const measures *m, size_t e, int64_t *drop_num, uint64_t *drop_den)
{
	const measures_pupil *pu = &m->pupils[e];
	const measures_counts *c4 = &pu->counts[MEASURES_LAST4W];
	const measures_counts *cy = &pu->counts[MEASURES_YTD];
	int64_t p4 = c4->possible, a4 = (int64_t)c4->authorised + c4->unauthorised;
	int64_t pr = (int64_t)cy->possible - p4;
	int64_t ar = (int64_t)cy->authorised + cy->unauthorised - a4;

	*drop_num = 0;
	*drop_den = 1;
	/* The rest of the year exists only when the last 4 weeks lie inside it. */
	if (m->period_first[MEASURES_LAST4W] == MEASURES_NO_DAY ||
	    m->period_first[MEASURES_LAST4W] < m->period_first[MEASURES_YTD])
		return false;
	if (p4 <= 0 || pr <= 0 || ar < 0)
		return false;
	/* 100 (attendance of the rest - attendance of the last 4 weeks), over pr p4. */
	*drop_num = 100 * ((pr - ar) * p4 - (p4 - a4) * pr);
	*drop_den = (uint64_t)(pr * p4);
	return true;
}

bool measures_falling(const measures *m, size_t e, uint32_t falling_bp)
{
	int64_t num;
	uint64_t den;

	if (m->pupils[e].category[MEASURES_YTD] != MEASURES_CAT_AT_RISK_PA ||
	    !measures_recent_drop(m, e, &num, &den) || num < 0)
		return false;
	/* num / den pp >= falling_bp / 100 pp. */
	return (__int128)num * 100 >= (__int128)falling_bp * den;
}

char *measures_term_label(int ay, measures_term_name name, char out[MEASURES_TERM_LABEL_LEN])
{
	snprintf(out, MEASURES_TERM_LABEL_LEN, "%d-%s", name == MEASURES_AUTUMN ? ay : ay + 1,
	         measures_term_name_str(name));
	return out;
}

int measures_term_parse(const char *s, size_t len, int *ay, measures_term_name *name)
{
	static const measures_term_name names[] = {MEASURES_AUTUMN, MEASURES_SPRING,
	                                           MEASURES_SUMMER};
	int year = 0;

	if (len < 6 || s[4] != '-')
		return -EINVAL;
	for (size_t i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		year = year * 10 + (s[i] - '0');
	}
	if (year < 1900)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *n = measures_term_name_str(names[i]);

		if (len - 5 == strlen(n) && memcmp(s + 5, n, len - 5) == 0) {
			*name = names[i];
			*ay = names[i] == MEASURES_AUTUMN ? year : year - 1;
			return 0;
		}
	}
	return -EINVAL;
}

void measures_term_before(int ay, measures_term_name name, int *prev_ay,
                          measures_term_name *prev_name)
{
	*prev_ay = name == MEASURES_AUTUMN ? ay - 1 : ay;
	*prev_name = name == MEASURES_AUTUMN   ? MEASURES_SUMMER
	             : name == MEASURES_SPRING ? MEASURES_AUTUMN
	                                       : MEASURES_SPRING;
}

int measures_term_dates(const measures_session *sessions, size_t n_sessions, int ay,
                        measures_term_name name, uint32_t break_weekdays, measures_term *out)
{
	measures_term end;

	out->year = ay;
	out->name = name;
	if (name == MEASURES_AUTUMN) {
		out->first_day = date_academic_year_start(ay);
		out->last_day = date_from_ymd(ay, 12, 31);
		return 0;
	}
	/* Seen from the last day of the year, the current term is summer once a spring break
	 * shows, and then starts where summer does. */
	measures_term_find(sessions, n_sessions, date_academic_year_start(ay + 1) - 1,
	                   break_weekdays, &end);
	if (name == MEASURES_SPRING) {
		out->first_day = date_from_ymd(ay + 1, 1, 1);
		out->last_day = end.name == MEASURES_SUMMER ? end.first_day - 1
		                                            : date_academic_year_start(ay + 1) - 1;
		return 0;
	}
	if (end.name != MEASURES_SUMMER)
		return -ENOENT;
	*out = end;
	return 0;
}
