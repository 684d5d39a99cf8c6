/* A TSM pack's CSV files, exactly as contract.md §2 names their columns: categories.csv,
 * bands.csv, pupils.csv and penalty-threshold.csv. Byte-identical for the same figures: fixed
 * row order, exact integers, percentages formatted from integers. */
#include <errno.h>
#include <stdio.h>

#include "report_tsm.h"
#include "rollcall/csvwrite.h"
#include "rollcall/ncyear.h"

static void pct(csvw *w, uint64_t num, uint64_t den)
{
	char b[MEASURES_PCT_LEN];

	csvw_raw(w, measures_pct_format(num, den, b));
}

static int done(FILE *f)
{
	return ferror(f) ? -EIO : 0;
}

/* school_urn, period, category, pupils, pct: each period's headline pupils by category, pct of
 * all of them. */
int report_write_tsm_categories_csv(const tsm_report *r, FILE *f)
{
	static const char *const cols[] = {"school_urn", "period", "category",
	                                   "pupils",     "pct",    NULL};
	csvw w;

	csvw_init(&w, f);
	csvw_header(&w, cols);
	for (int p = 0; p < MEASURES_PERIODS; p++) {
		const uint32_t *cat = r->school.categories[p];
		uint64_t total = 0;

		for (int c = MEASURES_CAT_EXPECTED; c < MEASURES_CAT_COUNT; c++)
			total += cat[c];
		for (int c = MEASURES_CAT_EXPECTED; c < MEASURES_CAT_COUNT; c++) {
			csvw_uint(&w, r->school.urn);
			csvw_raw(&w, measures_period_name((measures_period)p));
			csvw_raw(&w, measures_category_name((measures_category)c));
			csvw_uint(&w, cat[c]);
			pct(&w, cat[c], total);
			csvw_end(&w);
		}
	}
	return done(f);
}

/* school_urn, period, band, pupils, pct: the 5% bands over the headline pupils with at least
 * MEASURES_BAND_MIN_SESSIONS possible sessions in the period, pct of those. */
int report_write_tsm_bands_csv(const tsm_report *r, FILE *f)
{
	static const char *const cols[] = {"school_urn", "period", "band", "pupils", "pct", NULL};
	csvw w;

	csvw_init(&w, f);
	csvw_header(&w, cols);
	for (int p = 0; p < MEASURES_PERIODS; p++) {
		for (int b = 0; b < MEASURES_BANDS; b++) {
			csvw_uint(&w, r->school.urn);
			csvw_raw(&w, measures_period_name((measures_period)p));
			csvw_raw(&w, measures_band_name(b));
			csvw_uint(&w, r->bands[p][b]);
			pct(&w, r->bands[p][b], r->banded[p]);
			csvw_end(&w);
		}
	}
	return done(f);
}

/* The flags of a pupil, ";"-separated in the contract's order. */
static void flags_cell(csvw *w, unsigned flags)
{
	char buf[128];
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < TSM_FLAGS; i++)
		if (flags & (1u << i))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? ";" : "",
			                      report_tsm_flag_name(i));
	csvw_raw(w, buf);
}

/* school_urn, upn, surname, forename, nc_year, attendance_pct, category, flags: every pupil on
 * a list, by UPN; attendance and category of the year to date. */
int report_write_tsm_pupils_csv(const tsm_report *r, FILE *f)
{
	static const char *const cols[] = {"school_urn", "upn",     "surname",
	                                   "forename",   "nc_year", "attendance_pct",
	                                   "category",   "flags",   NULL};
	csvw w;

	csvw_init(&w, f);
	csvw_header(&w, cols);
	for (size_t i = 0; i < r->n_pupils; i++) {
		const tsm_pupil *p = &r->pupils[i];
		const char *nc = ncyear_name(p->nc_year);

		csvw_uint(&w, r->school.urn);
		csvw_text(&w, p->upn);
		csvw_text(&w, p->surname);
		csvw_text(&w, p->forename);
		csvw_raw(&w, nc ? nc : "");
		pct(&w, report_tsm_attended(p, MEASURES_YTD), p->possible[MEASURES_YTD]);
		csvw_raw(&w, measures_category_name(p->category));
		flags_cell(&w, p->flags);
		csvw_end(&w);
	}
	return done(f);
}

/* school_urn, upn, surname, forename, window_start, window_end, unauthorised_sessions: the
 * pupils at the penalty notice threshold, by UPN, over the school's window. */
int report_write_tsm_penalty_csv(const tsm_report *r, FILE *f)
{
	static const char *const cols[] = {"school_urn",
	                                   "upn",
	                                   "surname",
	                                   "forename",
	                                   "window_start",
	                                   "window_end",
	                                   "unauthorised_sessions",
	                                   NULL};
	csvw w;

	csvw_init(&w, f);
	csvw_header(&w, cols);
	for (size_t i = 0; i < r->n_pupils; i++) {
		const tsm_pupil *p = &r->pupils[i];

		if (!(p->flags & TSM_FLAG_PENALTY))
			continue;
		csvw_uint(&w, r->school.urn);
		csvw_text(&w, p->upn);
		csvw_text(&w, p->surname);
		csvw_text(&w, p->forename);
		csvw_date(&w, r->penalty_first);
		csvw_date(&w, r->penalty_last);
		csvw_uint(&w, p->penalty_sessions);
		csvw_end(&w);
	}
	return done(f);
}
