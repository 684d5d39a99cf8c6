/* The report model's fixed parts: which cohorts are reported, and benchmark look-up. */
#include <stdio.h>
#include <string.h>

#include "report.h"

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
	for (int y = MEASURES_NC_N1; y <= 14; y++) {
		out[k] = (report_cohort){.cohort = MEASURES_COHORT_NC_YEAR, .value = y};
		if (y == MEASURES_NC_N1 || y == MEASURES_NC_N2) {
			snprintf(out[k].name, sizeof(out[k].name), "year_N%d",
			         y == MEASURES_NC_N1 ? 1 : 2);
			snprintf(out[k].label, sizeof(out[k].label), "Nursery %d",
			         y == MEASURES_NC_N1 ? 1 : 2);
		} else if (y == MEASURES_NC_R) {
			snprintf(out[k].name, sizeof(out[k].name), "year_R");
			snprintf(out[k].label, sizeof(out[k].label), "Reception");
		} else {
			snprintf(out[k].name, sizeof(out[k].name), "year_%d", y);
			snprintf(out[k].label, sizeof(out[k].label), "Year %d", y);
		}
		k++;
	}
	*n = k;
}

const report_benchmark *report_benchmark_find(const trust_report *r, const char *phase,
                                              const char *measure, const char *cohort)
{
	const report_benchmark *best = NULL;

	for (size_t i = 0; i < r->n_benchmarks; i++) {
		const report_benchmark *b = &r->benchmarks[i];

		if (strcmp(b->phase, phase) || strcmp(b->measure, measure) ||
		    strcmp(b->cohort, cohort ? cohort : ""))
			continue;
		if (!best || strcmp(b->year, best->year) > 0)
			best = b;
	}
	return best;
}
