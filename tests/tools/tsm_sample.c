/* The synthetic TSM sample school (see tsm_sample.h). */
#include "tsm_sample.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollcall/codes.h"
#include "rollcall/date.h"
#include "rollcall/upn.h"

/* Term weeks of the two years (Monday to Friday of the first and last week). */
static const char *const TERMS[][2] = {
        {"2023-09-04", "2023-10-20"}, {"2023-10-30", "2023-12-15"}, {"2024-01-08", "2024-02-09"},
        {"2024-02-19", "2024-03-22"}, {"2024-04-08", "2024-05-24"}, {"2024-06-03", "2024-07-19"},
        {"2024-09-02", "2024-10-25"}, {"2024-11-04", "2024-12-20"}, {"2025-01-06", "2025-02-14"},
        {"2025-02-24", "2025-04-04"},
};

static const char CLASSES[][REPORT_CLASS_LEN] = {"3A", "3B", "4A", "Nurture"};

typedef struct sample {
	measures_session *s;
	size_t ns;
	measures_enrolment en[SAMPLE_PUPILS];
	measures_chars ch[SAMPLE_PUPILS];
	uint8_t *grid;
	measures_late late[64];
	size_t nl;
} sample;

static int32_t day(const char *s)
{
	int32_t d = 0;

	if (date_parse(s, strlen(s), &d) < 0)
		abort();
	return d;
}

static uint8_t id(const char *c)
{
	return codes_find(c, strlen(c))->id;
}

/* A deterministic hash of a pupil and a session, 0..999. */
static unsigned h(size_t e, size_t s)
{
	uint64_t x = (uint64_t)e * 0x9e3779b97f4a7c15u ^ (uint64_t)s * 0xc2b2ae3d27d4eb4fu;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9u;
	x ^= x >> 32;
	return (unsigned)(x % 1000);
}

/* The session index of day d's AM (the first session on or after it). */
static size_t at(const sample *sm, int32_t d)
{
	size_t i = 0;

	while (i < sm->ns && sm->s[i].day < d)
		i++;
	return i;
}

static void lay(sample *sm, size_t e, size_t from, size_t n, const char *code)
{
	for (size_t i = from; i < from + n && i < sm->ns; i++)
		sm->grid[e * sm->ns + i] = id(code);
}

static int build_register(sample *sm)
{
	size_t cap = 0, as_of;

	for (size_t t = 0; t < sizeof(TERMS) / sizeof(TERMS[0]); t++)
		cap += (size_t)(day(TERMS[t][1]) - day(TERMS[t][0]) + 1) * 2;
	sm->s = calloc(cap, sizeof(*sm->s));
	if (!sm->s)
		return -ENOMEM;
	for (size_t t = 0; t < sizeof(TERMS) / sizeof(TERMS[0]); t++)
		for (int32_t d = day(TERMS[t][0]); d <= day(TERMS[t][1]); d++)
			for (uint8_t pm = 0; pm < 2 && date_weekday(d) < 5; pm++)
				sm->s[sm->ns++] = (measures_session){d, pm, true};
	sm->grid = calloc(SAMPLE_PUPILS * sm->ns + 1, 1);
	if (!sm->grid)
		return -ENOMEM;
	as_of = at(sm, day(SAMPLE_AS_OF) + 1); /* the first session after the pack's day */
	for (size_t e = 0; e < SAMPLE_PUPILS; e++) {
		/* Born in 2015/16 (Year 4 in 2024/25); the nursery child in 2021/22. */
		int32_t born = day(e == SAMPLE_NURSERY ? "2021-11-02" : "2016-01-15") + (int32_t)e;

		sm->ch[e] = (measures_chars){.valid_from = day("2023-09-01"),
		                             .nc_year = (int8_t)(e == SAMPLE_NURSERY ? -1 : 4),
		                             .sex = e % 2 ? 'M' : 'F',
		                             .fsm = e % 4 == 0,
		                             .pp = e % 4 == 0 || e % 7 == 0,
		                             .sen = e % 9 == 1 ? MEASURES_SEN_K : MEASURES_SEN_NONE,
		                             .reg_group = (uint16_t)(e < 2 ? 4 : 1 + e % 3),
		                             .boarder = e == SAMPLE_BOARDER_SA};
		sm->en[e] = (measures_enrolment){
		        .pupil_id = 5000 + (int64_t)e,
		        .admission_day = day("2023-09-01"),
		        .leaving_day = e == SAMPLE_LEAVER_PA ? day("2025-02-07") : MEASURES_NO_DAY,
		        .birth_day = born,
		        .boarder = e == SAMPLE_BOARDER_SA,
		        .chars = &sm->ch[e],
		        .n_chars = 1};
		for (size_t s = 0; s < sm->ns; s++) {
			unsigned rate = e == SAMPLE_SA || e == SAMPLE_BOARDER_SA  ? 560
			                : e == SAMPLE_PA || e == SAMPLE_LEAVER_PA ? 150
			                : e == SAMPLE_FALLING || e == SAMPLE_EPISODE ||
			                                e == SAMPLE_SICK || e == SAMPLE_PENALTY
			                        ? 0
			                        : 20 + (unsigned)(e % 6) * 12;
			unsigned x = h(e, s);

			sm->grid[e * sm->ns + s] = id(sm->s[s].pm ? "\\" : "/");
			if (x < rate)
				sm->grid[e * sm->ns + s] = id(x % 3 ? "I" : x % 2 ? "O" : "M");
		}
	}
	/* The falling pupil: 2.5% absent all year, then 16 of the last 40 sessions. */
	for (size_t s = 0; s < as_of - 40; s += 40)
		lay(sm, SAMPLE_FALLING, s, 1, "I");
	for (size_t s = as_of - 40; s < as_of; s += 5)
		lay(sm, SAMPLE_FALLING, s, 2, "O");
	/* The episode: 24 sessions of N up to the pack's day, open. */
	lay(sm, SAMPLE_EPISODE, as_of - 24, 24, "N");
	/* Illness: 32 sessions in a row from 13 January 2025. */
	lay(sm, SAMPLE_SICK, at(sm, day("2025-01-13")), 32, "I");
	/* Penalty: a week of G at the start of March (10 sessions). */
	lay(sm, SAMPLE_PENALTY, at(sm, day("2025-03-03")), 10, "G");
	/* Lateness: L with minutes on 20 mornings this year, and 3 U. */
	for (size_t k = 0; k < 23 && sm->nl < 64; k++) {
		size_t s = at(sm, day("2024-09-02")) + 10 * k;

		lay(sm, SAMPLE_LATE, s, 1, k < 20 ? "L" : "U");
		sm->late[sm->nl++] = (measures_late){SAMPLE_LATE, (uint32_t)s, k < 20 ? 12u : 40u};
	}
	return 0;
}

static int run(const sample *sm, const char *as_of, int ay, measures_term_name term,
               const uint32_t *boundaries, measures **out)
{
	measures_input in = {.sessions = sm->s,
	                     .n_sessions = sm->ns,
	                     .enrolments = sm->en,
	                     .n_enrolments = SAMPLE_PUPILS,
	                     .grid = sm->grid,
	                     .late = sm->late,
	                     .n_late = sm->nl};
	measures_config cfg;
	measures_term t;
	char err[160];
	int rc;

	measures_config_init(&cfg);
	if (boundaries)
		memcpy(cfg.category_bp, boundaries, sizeof(cfg.category_bp));
	rc = measures_term_dates(sm->s, sm->ns, ay, term, cfg.term_break_weekdays, &t);
	if (rc < 0)
		return rc;
	cfg.term_given = true;
	cfg.term_first = t.first_day;
	cfg.term_last = t.last_day;
	rc = measures_new(out, &in, day(as_of), &cfg, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "tsm_sample: %s\n", err);
	return rc;
}

static void name_pupils(tsm_report *r)
{
	for (size_t i = 0; i < r->n_pupils; i++) {
		tsm_pupil *p = &r->pupils[i];
		size_t e = p->enrolment;

		/* Invented, valid UPNs: LA 801, establishment 2000, serial = the enrolment. */
		snprintf(p->upn, sizeof(p->upn), "X801200024%03zu", e);
		p->upn[0] = upn_check_letter(p->upn + 1);
		/* Markup in one name, a spreadsheet formula in another. */
		if (e == SAMPLE_SA)
			snprintf(p->surname, sizeof(p->surname), "O'Brien <b>");
		else if (e == SAMPLE_LATE)
			snprintf(p->surname, sizeof(p->surname), "=Late(1)");
		else
			snprintf(p->surname, sizeof(p->surname), "Pupil%02zu", e);
		snprintf(p->forename, sizeof(p->forename), e % 2 ? "Sam" : "Alex");
	}
}

static const report_benchmark NATIONAL[] = {
        {"2023/24", "primary", "overall_absence", "", 55, "DfE school census"},
        {"2023/24", "primary", "authorised", "", 39, "DfE school census"},
        {"2023/24", "primary", "unauthorised", "", 16, "DfE school census"},
        {"2023/24", "all", "severe_absence", "", 23, "DfE school census"},
        {"2024/25 autumn", "all", "absence", "fsm", 100, "DfE daily attendance data"},
        {"2024/25 autumn", "all", "absence", "not_fsm", 52, "DfE daily attendance data"},
        {"2024/25 autumn", "all", "pa", "fsm", 317, "DfE daily attendance data"},
};

static const report_benchmark LA[] = {
        {"2023/24", "primary", "overall_absence", "", 61, "Eastshire attendance team"},
};

int tsm_sample_build(tsm_report *r, measures **m, const uint32_t *boundaries)
{
	sample sm;
	measures *prev = NULL, *ly = NULL;
	char err[160];
	int rc;

	memset(&sm, 0, sizeof(sm));
	memset(r, 0, sizeof(*r));
	*m = NULL;
	rc = build_register(&sm);
	if (rc == 0)
		rc = run(&sm, SAMPLE_AS_OF, 2024, MEASURES_SPRING, boundaries, m);
	if (rc == 0)
		rc = run(&sm, "2024-12-20", 2024, MEASURES_AUTUMN, boundaries, &prev);
	if (rc == 0)
		rc = run(&sm, "2024-03-21", 2023, MEASURES_SPRING, boundaries, &ly);
	if (rc == 0)
		rc = report_tsm_build(r,
		                      &(tsm_source){.m = *m,
		                                    .prev = prev,
		                                    .ly = ly,
		                                    .falling_bp = MEASURES_FALLING_BP,
		                                    .classes = CLASSES,
		                                    .n_classes = 4},
		                      err, sizeof(err));
	if (rc == 0) {
		report_school *s = &r->school;

		s->urn = 100123;
		snprintf(s->name, sizeof(s->name), "Oak & Ash <Primary>");
		snprintf(s->phase, sizeof(s->phase), "primary");
		snprintf(s->la_name, sizeof(s->la_name), "Eastshire");
		s->la_code = 801;
		s->boundaries_source =
		        boundaries ? REPORT_BOUNDARIES_LA : REPORT_BOUNDARIES_DEFAULT;
		name_pupils(r);
		report_tsm_sort(r);
		r->national = calloc(sizeof(NATIONAL) / sizeof(NATIONAL[0]), sizeof(*r->national));
		r->la = calloc(1, sizeof(*r->la));
		r->actions = calloc(2, sizeof(*r->actions));
		if (!r->national || !r->la || !r->actions) {
			rc = -ENOMEM;
		} else {
			memcpy(r->national, NATIONAL, sizeof(NATIONAL));
			r->n_national = sizeof(NATIONAL) / sizeof(NATIONAL[0]);
			memcpy(r->la, LA, sizeof(LA));
			r->n_la = 1;
			r->actions[0] = (tsm_action){.action = "Attendance panel with parents",
			                             .owner = "EWO & school",
			                             .note = "Met twice; see plan",
			                             .status = "done",
			                             .due = day("2025-01-31")};
			snprintf(r->actions[0].upn, sizeof(r->actions[0].upn), "%s",
			         r->pupils[0].upn);
			snprintf(r->actions[0].pupil, sizeof(r->actions[0].pupil), "%s %s",
			         r->pupils[0].forename, r->pupils[0].surname);
			r->actions[1] =
			        (tsm_action){.action = "Letters home for every pupil under 90%",
			                     .owner = "Head of year",
			                     .status = "open",
			                     .due = MEASURES_NO_DAY};
			r->n_actions = 2;
		}
	}
	measures_destroy(&prev);
	measures_destroy(&ly);
	free(sm.s);
	free(sm.grid);
	return rc;
}
