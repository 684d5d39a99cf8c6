/* The report model's fixed parts: which cohorts are reported, benchmark look-up, and the figure
 * rules every report applies (small groups, national weighting, ranking). */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "rollcall/ncyear.h"

const char *report_period_label(measures_period p)
{
	static const char *const labels[MEASURES_PERIODS] = {"Year to date", "This term",
	                                                     "Last 4 weeks"};

	return (unsigned)p < MEASURES_PERIODS ? labels[p] : "";
}

const char *report_category_label(measures_category c)
{
	static const char *const labels[MEASURES_CAT_COUNT] = {
	        "",
	        "Expected",
	        "At risk of PA",
	        "Persistent absence",
	        "At risk of SA",
	        "Severe absence",
	};

	return (unsigned)c < MEASURES_CAT_COUNT ? labels[c] : "";
}

int report_gap_sign(const char *g)
{
	if (g[0] == '-')
		return -1;
	return strcmp(g, "0.0") == 0 ? 0 : 1;
}

int report_gap_signed(uint64_t a, uint64_t b, uint64_t c, uint64_t d, char out[MEASURES_PCT_LEN])
{
	char g[MEASURES_PCT_LEN];
	size_t k = 0, len;
	int sign;

	measures_gap_format(a, b, c, d, g);
	if (g[0] == '\0') {
		out[0] = '\0';
		return 0;
	}
	sign = report_gap_sign(g);
	len = strnlen(g, MEASURES_PCT_LEN - 2);
	if (sign > 0)
		out[k++] = '+';
	memcpy(out + k, g, len);
	out[k + len] = '\0';
	return sign;
}

int report_cohort_gap(const measures_cohort_row *in, const measures_cohort_row *out,
                      char buf[MEASURES_PCT_LEN])
{
	return report_gap_signed(report_attended(in), in->possible, report_attended(out),
	                         out->possible, buf);
}

bool report_small_group(const measures_cohort_row *in, const measures_cohort_row *out)
{
	return in->pupils < REPORT_SMALL_GROUP || out->pupils < REPORT_SMALL_GROUP;
}

uint64_t report_attended(const measures_cohort_row *w)
{
	return w->possible > w->absence ? w->possible - w->absence : 0;
}

void report_measure_figure(report_measure k, const measures_cohort_row *w, uint64_t *num,
                           uint64_t *den)
{
	*num = 0;
	*den = w->possible;
	switch (k) {
	case REPORT_ATTENDANCE:
		*num = report_attended(w);
		break;
	case REPORT_AUTHORISED:
		*num = w->authorised;
		break;
	case REPORT_UNAUTHORISED:
		*num = w->unauthorised;
		break;
	case REPORT_PA:
		*num = w->pa_pupils;
		*den = w->pupils;
		break;
	case REPORT_SA:
		*num = w->sa_pupils;
		*den = w->pupils;
		break;
	case REPORT_MEASURES:
		break;
	}
}

double report_rate(uint64_t num, uint64_t den)
{
	return den ? 100.0 * (double)num / (double)den : 0.0;
}

static uint64_t clamp_tenths(int tenths)
{
	return tenths < 0 ? 0 : tenths > 1000 ? 1000 : (uint64_t)tenths;
}

report_national report_trust_national(const trust_report *r, const char *measure, bool attendance,
                                      bool by_pupils)
{
	report_national nat = {0};
	uint64_t num = 0, den = 0;
	const char *single = NULL;
	bool mixed = false, missing = false;
	const report_benchmark *all;

	for (size_t i = 0; i < r->n_schools; i++) {
		const report_school *s = &r->schools[i];
		uint64_t w =
		        by_pupils ? s->all[MEASURES_YTD].pupils : s->all[MEASURES_YTD].possible;
		const report_benchmark *b;
		uint64_t t;

		if (w == 0)
			continue;
		b = report_benchmark_find(r, s->phase, measure, "");
		if (!b) {
			missing = true;
			break;
		}
		t = clamp_tenths(b->tenths);
		num += w * (attendance ? 1000 - t : t);
		den += w * 1000;
		if (!single)
			single = b->phase;
		else if (strncmp(single, b->phase, sizeof(b->phase)) != 0)
			mixed = true;
	}
	if (!missing && den > 0) {
		nat.ok = true;
		nat.num = num;
		nat.den = den;
		nat.phase = mixed ? NULL : single;
		return nat;
	}
	all = report_benchmark_find(r, "all", measure, "");
	if (all) {
		uint64_t t = clamp_tenths(all->tenths);

		nat.ok = true;
		nat.num = attendance ? 1000 - t : t;
		nat.den = 1000;
		nat.phase = "all";
	}
	return nat;
}

const report_benchmark *report_phase_absence(const trust_report *r, const report_school *s)
{
	return report_benchmark_find(r, s->phase, "overall_absence", "");
}

bool report_school_before(const trust_report *r, size_t i, size_t j)
{
	const measures_cohort_row *a = &r->schools[i].all[MEASURES_YTD];
	const measures_cohort_row *b = &r->schools[j].all[MEASURES_YTD];
	unsigned __int128 x, y;

	if ((a->possible == 0) != (b->possible == 0))
		return b->possible == 0;
	x = (unsigned __int128)a->absence * b->possible;
	y = (unsigned __int128)b->absence * a->possible;
	if (x != y)
		return x > y;
	if (r->schools[i].urn != r->schools[j].urn)
		return r->schools[i].urn < r->schools[j].urn;
	return i < j;
}

size_t report_rank_next(const trust_report *r, size_t prev)
{
	size_t best = SIZE_MAX;

	for (size_t i = 0; i < r->n_schools; i++) {
		if (prev != SIZE_MAX && (i == prev || !report_school_before(r, prev, i)))
			continue;
		if (best == SIZE_MAX || report_school_before(r, i, best))
			best = i;
	}
	return best;
}

void report_cohorts_init(report_cohort *out, size_t *n)
{
	static const struct {
		measures_cohort k;
		const char *name, *label;
	} flags[] = {
	        {MEASURES_COHORT_PP, "pp", "Pupil premium"},
	        {MEASURES_COHORT_FSM, "fsm", "Free school meals"},
	        {MEASURES_COHORT_SEN_K, "sen_k", "SEN support"},
	        {MEASURES_COHORT_EHCP, "ehcp", "EHC plan"},
	        {MEASURES_COHORT_SEN_ANY, "sen_any", "Any SEN"},
	        {MEASURES_COHORT_CIN, "cin", "Child in need"},
	        {MEASURES_COHORT_CPP, "cpp", "Child protection plan"},
	        {MEASURES_COHORT_CLA, "cla", "Looked after"},
	        {MEASURES_COHORT_SOCIAL_WORKER, "social_worker", "Has a social worker"},
	        {MEASURES_COHORT_PLAC, "plac", "Previously looked after"},
	        {MEASURES_COHORT_EAL, "eal", "English as an additional language"},
	};
	static const struct {
		char v;
		const char *label;
	} sexes[] = {{'F', "Girls"}, {'M', "Boys"}, {'U', "Sex not recorded"}};
	size_t k = 0;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		out[k] = (report_cohort){.cohort = flags[i].k, .value = 0};
		snprintf(out[k].name, sizeof(out[k].name), "%s", flags[i].name);
		snprintf(out[k].label, sizeof(out[k].label), "%s", flags[i].label);
		k++;
	}
	for (size_t i = 0; i < 3; i++) {
		out[k] = (report_cohort){.cohort = MEASURES_COHORT_SEX, .value = sexes[i].v};
		snprintf(out[k].name, sizeof(out[k].name), "sex_%c", sexes[i].v);
		snprintf(out[k].label, sizeof(out[k].label), "%s", sexes[i].label);
		k++;
	}
	for (int y = NCYEAR_N1; y <= NCYEAR_LAST; y++) {
		out[k] = (report_cohort){.cohort = MEASURES_COHORT_NC_YEAR, .value = y};
		snprintf(out[k].name, sizeof(out[k].name), "year_%s", ncyear_name(y));
		if (y == NCYEAR_N1 || y == NCYEAR_N2)
			snprintf(out[k].label, sizeof(out[k].label), "Nursery %s",
			         ncyear_name(y) + 1);
		else if (y == NCYEAR_R)
			snprintf(out[k].label, sizeof(out[k].label), "Reception");
		else
			snprintf(out[k].label, sizeof(out[k].label), "Year %s", ncyear_name(y));
		k++;
	}
	*n = k;
}

bool report_cohort_shown(const report_cohort *c, bool any_pupils)
{
	return any_pupils ||
	       (c->cohort != MEASURES_COHORT_SEX && c->cohort != MEASURES_COHORT_NC_YEAR &&
	        c->cohort != MEASURES_COHORT_CLASS);
}

const report_benchmark *report_benchmark_lookup(const report_benchmark *v, size_t n,
                                                const char *phase, const char *measure,
                                                const char *cohort)
{
	const report_benchmark *best = NULL;

	for (size_t i = 0; i < n; i++) {
		const report_benchmark *b = &v[i];

		if (strcmp(b->phase, phase) || strcmp(b->measure, measure) ||
		    strcmp(b->cohort, cohort ? cohort : ""))
			continue;
		if (!best || strcmp(b->year, best->year) > 0)
			best = b;
	}
	return best;
}

const report_benchmark *report_benchmark_find(const trust_report *r, const char *phase,
                                              const char *measure, const char *cohort)
{
	return report_benchmark_lookup(r->benchmarks, r->n_benchmarks, phase, measure, cohort);
}
