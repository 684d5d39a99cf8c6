/* render_sample: writes the trust attendance page (report_write_cohorts_html) for a synthetic,
 * deterministic trust of six schools (or argv[2] schools, cycling through the six) to the path
 * in argv[1], so that a browser can check it, and its cohorts.csv to argv[3] when given (the
 * golden-file test compares both with tests/golden/). Every name and figure is invented. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "rollcall/date.h"

#define N_SCHOOLS 6
#define MAX_WEEKS 40

typedef struct sample_school {
	uint32_t urn;
	const char *name, *phase, *la_name;
	int la_code;
	uint64_t pupils;
	uint32_t absence_pm; /* base absence, per mille */
	int first_year, last_year;
	uint64_t outside, unmarked;
} sample_school;

static const sample_school SCHOOLS[N_SCHOOLS] = {
        {100101, "Northgate Primary School", "primary", "Eastshire", 901, 412, 40, 1, 6, 58, 0},
        {100102, "Oak & Ash <Juniors>", "primary", "Eastshire", 901, 236, 58, 3, 6, 0, 14},
        {100203, "Riverside Academy", "secondary", "Westborough", 902, 1104, 90, 7, 11, 212, 0},
        {100204, "St Aidan's Church of England High School and Sixth Form College", "secondary",
         "Eastshire", 901, 948, 74, 7, 11, 187, 4},
        {100305, "Meadowbank Special School", "special", "Westborough", 902, 118, 116, 1, 11, 21,
         0},
        {100406, "Harbour View All-through School", "all-through", "Eastshire", 901, 690, 63, 1, 11,
         96, 0},
};

/* Cohorts as the report model lists them: name, label, share of pupils and absence factor (per
 * mille and percent). */
static const struct {
	measures_cohort k;
	int value;
	const char *name, *label;
	uint32_t share_pm, factor_pct;
} COHORTS[] = {
        {MEASURES_COHORT_PP, 0, "pp", "Pupil premium", 262, 158},
        {MEASURES_COHORT_FSM, 0, "fsm", "Free school meals", 241, 171},
        {MEASURES_COHORT_SEN_K, 0, "sen_k", "SEN support", 139, 162},
        {MEASURES_COHORT_EHCP, 0, "ehcp", "EHC plan", 31, 205},
        {MEASURES_COHORT_SEN_ANY, 0, "sen_any", "Any SEN", 170, 170},
        {MEASURES_COHORT_CIN, 0, "cin", "Child in need", 22, 240},
        {MEASURES_COHORT_CPP, 0, "cpp", "Child protection plan", 6, 250},
        {MEASURES_COHORT_CLA, 0, "cla", "Looked after", 3, 130},
        {MEASURES_COHORT_SOCIAL_WORKER, 0, "social_worker", "Has a social worker", 31, 236},
        {MEASURES_COHORT_PLAC, 0, "plac", "Previously looked after", 4, 120},
        {MEASURES_COHORT_EAL, 0, "eal", "English as an additional language", 184, 88},
        {MEASURES_COHORT_SEX, 'F', "sex_F", "Girls", 493, 104},
        {MEASURES_COHORT_SEX, 'M', "sex_M", "Boys", 505, 96},
        {MEASURES_COHORT_SEX, 'U', "sex_U", "Sex not recorded", 2, 100},
};

static const report_benchmark BENCHMARKS[] = {
        {"2023/24", "all", "overall_absence", "", 71, "DfE school census, state-funded"},
        {"2023/24", "primary", "overall_absence", "", 55, "DfE school census, state-funded"},
        {"2023/24", "secondary", "overall_absence", "", 89, "DfE school census, state-funded"},
        {"2023/24", "special", "overall_absence", "", 130, "DfE school census, state-funded"},
        {"2023/24", "primary", "authorised", "", 39, "DfE school census, state-funded"},
        {"2023/24", "secondary", "authorised", "", 54, "DfE school census, state-funded"},
        {"2023/24", "special", "authorised", "", 97, "DfE school census, state-funded"},
        {"2023/24", "primary", "unauthorised", "", 16, "DfE school census, state-funded"},
        {"2023/24", "secondary", "unauthorised", "", 35, "DfE school census, state-funded"},
        {"2023/24", "special", "unauthorised", "", 33, "DfE school census, state-funded"},
        {"2023/24", "all", "severe_absence", "", 23, "DfE school census, state-funded"},
        {"2022/23", "all", "overall_absence", "", 74, "DfE school census, state-funded"},
        {"2024/25", "all", "absence", "fsm", 100, "DfE daily attendance data, autumn"},
        {"2024/25", "all", "pa", "fsm", 317, "DfE daily attendance data, autumn"},
        {"2024/25", "all", "absence", "not_fsm", 52, "DfE daily attendance data, autumn"},
        {"2024/25", "all", "pa", "not_fsm", 144, "DfE daily attendance data, autumn"},
        {"2024/25", "all", "absence", "ehcp", 131, "DfE daily attendance data, autumn"},
        {"2024/25", "all", "pa", "ehcp", 351, "DfE daily attendance data, autumn"},
        {"2024/25", "all", "absence", "sen_k", 101, "DfE daily attendance data, autumn"},
        {"2024/25", "all", "pa", "sen_k", 290, "DfE daily attendance data, autumn"},
};

/* A small deterministic generator: the page must be the same on every run. */
static uint32_t rnd(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 16) & 0x7fff;
}

/* Row with the given pupils, sessions and absence rate (per mille); PA and SA follow it. */
static measures_cohort_row make_row(uint64_t pupils, uint64_t possible, uint64_t absence)
{
	measures_cohort_row w = {.pupils = pupils, .possible = possible, .absence = absence};
	w.authorised = absence * 68 / 100;
	w.unauthorised = absence - w.authorised;
	uint64_t rate_pm = possible ? absence * 1000 / possible : 0;
	w.pa_pupils = pupils * (rate_pm * 23 / 10 > 900 ? 900 : rate_pm * 23 / 10) / 1000;
	w.sa_pupils = pupils * rate_pm / 1000 * 15 / 100;
	return w;
}

static void row_sub(measures_cohort_row *out, const measures_cohort_row *all,
                    const measures_cohort_row *in)
{
	out->pupils = all->pupils - in->pupils;
	out->possible = all->possible - in->possible;
	out->absence = all->absence - in->absence;
	out->authorised = all->authorised - in->authorised;
	out->unauthorised = all->unauthorised - in->unauthorised;
	out->pa_pupils = all->pa_pupils - in->pa_pupils;
	out->sa_pupils = all->sa_pupils - in->sa_pupils;
}

/* A cohort of share_pm of the row's pupils whose absence rate is factor_pct of the row's. */
static void split(const measures_cohort_row *all, uint64_t share_pm, uint64_t factor_pct,
                  measures_cohort_row *in, measures_cohort_row *out)
{
	uint64_t pupils = all->pupils * share_pm / 1000;
	uint64_t possible = all->possible * share_pm / 1000;
	uint64_t absence =
	        all->possible ? possible * all->absence / all->possible * factor_pct / 100 : 0;
	if (absence > all->absence)
		absence = all->absence;
	if (all->absence - absence > all->possible - possible)
		absence = all->absence - (all->possible - possible);
	*in = make_row(pupils, possible, absence);
	if (in->pa_pupils > all->pa_pupils)
		in->pa_pupils = all->pa_pupils;
	if (in->sa_pupils > all->sa_pupils)
		in->sa_pupils = all->sa_pupils;
	if (in->authorised > all->authorised)
		in->authorised = all->authorised;
	in->unauthorised = in->absence - in->authorised;
	if (in->unauthorised > all->unauthorised) {
		in->unauthorised = all->unauthorised;
		in->authorised = in->absence - in->unauthorised;
	}
	row_sub(out, all, in);
}

static int32_t weeks[MAX_WEEKS];
static size_t n_weeks;

static void school_weeks(void)
{
	/* Monday of each school week from 2 Sep 2024 to the week of 10 Mar 2025, less holidays. */
	int32_t d = date_from_ymd(2024, 9, 2), end = date_from_ymd(2025, 3, 10);
	int32_t holidays[] = {date_from_ymd(2024, 10, 28), date_from_ymd(2024, 12, 23),
	                      date_from_ymd(2024, 12, 30), date_from_ymd(2025, 2, 17)};
	for (; d <= end; d += 7) {
		int skip = 0;
		for (size_t i = 0; i < sizeof(holidays) / sizeof(holidays[0]); i++)
			skip |= holidays[i] == d;
		if (!skip && n_weeks < MAX_WEEKS)
			weeks[n_weeks++] = d;
	}
}

static int build(trust_report *r, size_t n_schools)
{
	uint32_t seed = 20250312;
	int32_t term_first = date_from_ymd(2025, 1, 6);

	memset(r, 0, sizeof(*r));
	r->as_of = date_from_ymd(2025, 3, 12);
	r->term = (measures_term){2024, MEASURES_SPRING, term_first, r->as_of};
	r->period_first[MEASURES_YTD] = date_from_ymd(2024, 8, 1);
	r->period_first[MEASURES_TERM] = term_first;
	school_weeks();
	r->period_first[MEASURES_LAST4W] = weeks[n_weeks - 4];

	for (size_t c = 0; c < sizeof(COHORTS) / sizeof(COHORTS[0]); c++) {
		report_cohort *k = &r->cohorts[r->n_cohorts++];
		k->cohort = COHORTS[c].k;
		k->value = COHORTS[c].value;
		snprintf(k->name, sizeof(k->name), "%s", COHORTS[c].name);
		snprintf(k->label, sizeof(k->label), "%s", COHORTS[c].label);
	}
	size_t first_year = r->n_cohorts;
	for (int y = 1; y <= 11; y++) {
		report_cohort *k = &r->cohorts[r->n_cohorts++];
		k->cohort = MEASURES_COHORT_NC_YEAR;
		k->value = y;
		snprintf(k->name, sizeof(k->name), "year_%d", y);
		snprintf(k->label, sizeof(k->label), "Year %d", y);
	}

	r->n_benchmarks = sizeof(BENCHMARKS) / sizeof(BENCHMARKS[0]);
	r->benchmarks = malloc(sizeof(BENCHMARKS));
	r->n_schools = n_schools;
	r->schools = calloc(n_schools, sizeof(report_school));
	r->trust.week_start = calloc(MAX_WEEKS, sizeof(int32_t));
	r->trust.week_possible = calloc(MAX_WEEKS, sizeof(uint64_t));
	r->trust.week_absence = calloc(MAX_WEEKS, sizeof(uint64_t));
	if (!r->benchmarks || !r->schools || !r->trust.week_start || !r->trust.week_possible ||
	    !r->trust.week_absence)
		return -ENOMEM;
	memcpy(r->benchmarks, BENCHMARKS, sizeof(BENCHMARKS));
	r->trust.n_weeks = n_weeks;
	memcpy(r->trust.week_start, weeks, n_weeks * sizeof(int32_t));

	measures_config defaults;

	measures_config_init(&defaults); /* the boundaries nobody set */
	for (size_t i = 0; i < n_schools; i++) {
		const sample_school *in = &SCHOOLS[i % N_SCHOOLS];
		report_school *s = &r->schools[i];
		s->urn = in->urn + (uint32_t)(i / N_SCHOOLS) * 1000;
		if (i < N_SCHOOLS)
			snprintf(s->name, sizeof(s->name), "%s", in->name);
		else
			snprintf(s->name, sizeof(s->name), "%s %zu", in->name, i / N_SCHOOLS + 1);
		snprintf(s->phase, sizeof(s->phase), "%s", in->phase);
		snprintf(s->la_name, sizeof(s->la_name), "%s", in->la_name);
		s->la_code = in->la_code;
		memcpy(s->category_bp, defaults.category_bp, sizeof(s->category_bp));
		s->outside_population = in->outside;
		s->unmarked = in->unmarked;
		s->n_weeks = n_weeks;
		s->week_start = calloc(MAX_WEEKS, sizeof(int32_t));
		s->week_possible = calloc(MAX_WEEKS, sizeof(uint64_t));
		s->week_absence = calloc(MAX_WEEKS, sizeof(uint64_t));
		if (!s->week_start || !s->week_possible || !s->week_absence)
			return -ENOMEM;

		uint64_t poss[MEASURES_PERIODS] = {0}, abs[MEASURES_PERIODS] = {0};
		for (size_t w = 0; w < n_weeks; w++) {
			int y, m, d;
			date_to_ymd(weeks[w], &y, &m, &d);
			/* Winter illness, a dip after each holiday, and noise. */
			int32_t season = (m == 12 || m == 1) ? 22 : (m == 11 || m == 2) ? 10 : 0;
			if (w > 0 && weeks[w] - weeks[w - 1] > 7)
				season += 8;
			int32_t noise = (int32_t)(rnd(&seed) % 21) - 10;
			uint64_t rate_pm = (uint64_t)((int32_t)in->absence_pm + season + noise);
			uint64_t sessions = w == 0                                  ? 6
			                    : weeks[w] == date_from_ymd(2025, 1, 6) ? 8
			                                                            : 10;
			uint64_t p = in->pupils * sessions;
			uint64_t a = p * rate_pm / 1000;
			s->week_start[w] = weeks[w];
			s->week_possible[w] = p;
			s->week_absence[w] = a;
			r->trust.week_possible[w] += p;
			r->trust.week_absence[w] += a;
			poss[MEASURES_YTD] += p;
			abs[MEASURES_YTD] += a;
			if (weeks[w] >= term_first) {
				poss[MEASURES_TERM] += p;
				abs[MEASURES_TERM] += a;
			}
			if (w + 4 >= n_weeks) {
				poss[MEASURES_LAST4W] += p;
				abs[MEASURES_LAST4W] += a;
			}
		}
		for (int p = 0; p < MEASURES_PERIODS; p++) {
			s->all[p] = make_row(in->pupils, poss[p], abs[p]);
			for (size_t c = 0; c < first_year; c++)
				split(&s->all[p], COHORTS[c].share_pm, COHORTS[c].factor_pct,
				      &s->in[p][c], &s->out[p][c]);
			for (size_t c = first_year; c < r->n_cohorts; c++) {
				int y = r->cohorts[c].value;
				uint64_t years = (uint64_t)(in->last_year - in->first_year + 1);
				if (y < in->first_year || y > in->last_year) {
					s->out[p][c] = s->all[p];
					continue;
				}
				/* Attendance falls through the year groups. */
				split(&s->all[p], 1000 / years, 80 + (uint64_t)y * 4, &s->in[p][c],
				      &s->out[p][c]);
			}
			measures_cohort_row_add(&r->trust.all[p], &s->all[p]);
			for (size_t c = 0; c < r->n_cohorts; c++) {
				measures_cohort_row_add(&r->trust.in[p][c], &s->in[p][c]);
				measures_cohort_row_add(&r->trust.out[p][c], &s->out[p][c]);
			}
			/* Categories: consistent with the PA and SA counts. */
			const measures_cohort_row *w = &s->all[p];
			uint32_t *cat = s->categories[p];
			cat[MEASURES_CAT_SA] = (uint32_t)w->sa_pupils;
			cat[MEASURES_CAT_AT_RISK_SA] =
			        (uint32_t)((w->pa_pupils - w->sa_pupils) / 4);
			cat[MEASURES_CAT_PA] = (uint32_t)(w->pa_pupils - w->sa_pupils) -
			                       cat[MEASURES_CAT_AT_RISK_SA];
			cat[MEASURES_CAT_AT_RISK_PA] =
			        (uint32_t)((w->pupils - w->pa_pupils) * 22 / 100);
			cat[MEASURES_CAT_EXPECTED] =
			        (uint32_t)(w->pupils - w->pa_pupils) - cat[MEASURES_CAT_AT_RISK_PA];
			for (int k = 0; k < MEASURES_CAT_COUNT; k++)
				r->trust.categories[p][k] += cat[k];
		}
		r->trust.unmarked += s->unmarked;
		r->trust.outside_population += s->outside_population;
	}
	return 0;
}

static void release(trust_report *r)
{
	for (size_t i = 0; r->schools && i < r->n_schools; i++) {
		free(r->schools[i].week_start);
		free(r->schools[i].week_possible);
		free(r->schools[i].week_absence);
	}
	free(r->schools);
	free(r->benchmarks);
	free(r->trust.week_start);
	free(r->trust.week_possible);
	free(r->trust.week_absence);
}

int main(int argc, char **argv)
{
	trust_report r;
	FILE *f = NULL;
	int status = 1;
	long n = argc >= 3 ? strtol(argv[2], NULL, 10) : N_SCHOOLS;

	if (argc < 2 || argc > 4 || n < 0 || n > 1000) {
		fprintf(stderr, "usage: render_sample OUTPUT.html [SCHOOLS [OUTPUT.csv]]\n");
		return 2;
	}
	if (build(&r, (size_t)n) != 0) {
		fprintf(stderr, "render_sample: out of memory\n");
		goto out;
	}
	f = fopen(argv[1], "w");
	if (!f) {
		fprintf(stderr, "render_sample: cannot create %s (%s)\n", argv[1], strerror(errno));
		goto out;
	}
	if (report_write_cohorts_html(&r, f) != 0) {
		fprintf(stderr, "render_sample: writing %s failed\n", argv[1]);
		goto out;
	}
	if (argc == 4) {
		FILE *c = fopen(argv[3], "w");

		if (!c || report_write_cohorts_csv(&r, c) != 0 || fclose(c) != 0) {
			fprintf(stderr, "render_sample: writing %s failed\n", argv[3]);
			goto out;
		}
	}
	status = 0;
out:
	if (f && fclose(f) != 0 && status == 0) {
		fprintf(stderr, "render_sample: closing %s failed (%s)\n", argv[1],
		        strerror(errno));
		status = 1;
	}
	release(&r);
	return status;
}
