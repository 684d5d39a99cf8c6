/* cohorts.csv, exactly as contract.md §2 names its columns. Byte-identical output for the same
 * figures: fixed row order, exact integers, percentages formatted from integers. */
#include <errno.h>
#include <stdio.h>

#include "report.h"

static void pct(uint64_t num, uint64_t den, char out[MEASURES_PCT_LEN])
{
	measures_pct_format(num, den, out);
}

static void row(FILE *f, const report_school *s, measures_period p, const char *cohort, bool in,
                const measures_cohort_row *c, const measures_cohort_row *other)
{
	char att[MEASURES_PCT_LEN], auth[MEASURES_PCT_LEN], unauth[MEASURES_PCT_LEN];
	char pa[MEASURES_PCT_LEN], sa[MEASURES_PCT_LEN], gap[MEASURES_PCT_LEN] = "";

	pct(c->possible - c->absence, c->possible, att);
	pct(c->authorised, c->possible, auth);
	pct(c->unauthorised, c->possible, unauth);
	pct(c->pa_pupils, c->pupils, pa);
	pct(c->sa_pupils, c->pupils, sa);
	/* gap_pp: this row's attendance % minus its complement's. */
	if (other)
		measures_gap_format(c->possible - c->absence, c->possible,
		                    other->possible - other->absence, other->possible, gap);
	if (s->urn)
		fprintf(f, "school,%u,", s->urn);
	else
		fprintf(f, "trust,,");
	fprintf(f, "%s,%s,%c,%llu,%llu,%llu,%llu,%llu,%s,%s,%s,%llu,%s,%llu,%s,%s\n",
	        measures_period_name(p), cohort, in ? 'Y' : 'N', (unsigned long long)c->pupils,
	        (unsigned long long)c->possible, (unsigned long long)c->absence,
	        (unsigned long long)c->authorised, (unsigned long long)c->unauthorised, att, auth,
	        unauth, (unsigned long long)c->pa_pupils, pa, (unsigned long long)c->sa_pupils, sa,
	        gap);
}

static void school_rows(FILE *f, const trust_report *r, const report_school *s)
{
	for (int p = 0; p < MEASURES_PERIODS; p++) {
		row(f, s, (measures_period)p, "all", true, &s->all[p], NULL);
		for (size_t k = 0; k < r->n_cohorts; k++) {
			row(f, s, (measures_period)p, r->cohorts[k].name, true, &s->in[p][k],
			    &s->out[p][k]);
			row(f, s, (measures_period)p, r->cohorts[k].name, false, &s->out[p][k],
			    &s->in[p][k]);
		}
	}
}

int report_write_cohorts_csv(const trust_report *r, FILE *f)
{
	fputs("scope,school_urn,period,cohort,in_cohort,pupils,possible_sessions,absence_sessions,"
	      "authorised_sessions,unauthorised_sessions,attendance_pct,authorised_pct,"
	      "unauthorised_pct,pa_pupils,pa_pct,sa_pupils,sa_pct,gap_pp\n",
	      f);
	school_rows(f, r, &r->trust);
	for (size_t i = 0; i < r->n_schools; i++)
		school_rows(f, r, &r->schools[i]);
	return ferror(f) ? -EIO : 0;
}
