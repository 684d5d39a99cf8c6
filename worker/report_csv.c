/* cohorts.csv, exactly as contract.md §2 names its columns, then small_group (Y when the row's
 * cohort or its complement has fewer than REPORT_SMALL_GROUP pupils). Byte-identical output for
 * the same figures: fixed row order, exact integers, percentages formatted from integers. */
#include <errno.h>
#include <stdio.h>

#include "report.h"
#include "rollcall/csvwrite.h"

static const char *const s_columns[] = {"scope",
                                        "school_urn",
                                        "period",
                                        "cohort",
                                        "in_cohort",
                                        "pupils",
                                        "possible_sessions",
                                        "absence_sessions",
                                        "authorised_sessions",
                                        "unauthorised_sessions",
                                        "attendance_pct",
                                        "authorised_pct",
                                        "unauthorised_pct",
                                        "pa_pupils",
                                        "pa_pct",
                                        "sa_pupils",
                                        "sa_pct",
                                        "gap_pp",
                                        "small_group",
                                        NULL};

/* A percentage cell from exact counts ("" when den is 0). */
static void pct(csvw *w, uint64_t num, uint64_t den)
{
	char b[MEASURES_PCT_LEN];

	csvw_raw(w, measures_pct_format(num, den, b));
}

static void row(csvw *w, const report_school *s, measures_period p, const char *cohort, bool in,
                const measures_cohort_row *c, const measures_cohort_row *other)
{
	char gap[MEASURES_PCT_LEN] = "";

	/* gap_pp: this row's attendance % minus its complement's. */
	if (other)
		measures_gap_format(report_attended(c), c->possible, report_attended(other),
		                    other->possible, gap);
	csvw_raw(w, s->urn ? "school" : "trust");
	if (s->urn)
		csvw_uint(w, s->urn);
	else
		csvw_raw(w, "");
	csvw_raw(w, measures_period_name(p));
	csvw_text(w, cohort);
	csvw_raw(w, in ? "Y" : "N");
	csvw_uint(w, c->pupils);
	csvw_uint(w, c->possible);
	csvw_uint(w, c->absence);
	csvw_uint(w, c->authorised);
	csvw_uint(w, c->unauthorised);
	pct(w, report_attended(c), c->possible);
	pct(w, c->authorised, c->possible);
	pct(w, c->unauthorised, c->possible);
	csvw_uint(w, c->pa_pupils);
	pct(w, c->pa_pupils, c->pupils);
	csvw_uint(w, c->sa_pupils);
	pct(w, c->sa_pupils, c->pupils);
	csvw_raw(w, gap);
	/* The small-group rule of the page (report_small_group), so the file says which rates a
	 * reader should not lean on: an "all" row by its own size. */
	csvw_raw(w, (other ? report_small_group(c, other) : c->pupils < REPORT_SMALL_GROUP) ? "Y"
	                                                                                    : "N");
	csvw_end(w);
}

static void school_rows(csvw *w, const trust_report *r, const report_school *s)
{
	for (int p = 0; p < MEASURES_PERIODS; p++) {
		row(w, s, (measures_period)p, "all", true, &s->all[p], NULL);
		for (size_t k = 0; k < r->n_cohorts; k++) {
			row(w, s, (measures_period)p, r->cohorts[k].name, true, &s->in[p][k],
			    &s->out[p][k]);
			row(w, s, (measures_period)p, r->cohorts[k].name, false, &s->out[p][k],
			    &s->in[p][k]);
		}
	}
}

int report_write_cohorts_csv(const trust_report *r, FILE *f)
{
	csvw w;

	csvw_init(&w, f);
	csvw_header(&w, s_columns);
	school_rows(&w, r, &r->trust);
	for (size_t i = 0; i < r->n_schools; i++)
		school_rows(&w, r, &r->schools[i]);
	return ferror(f) ? -EIO : 0;
}
