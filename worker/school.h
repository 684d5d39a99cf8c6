/* One school's register in a worker's memory, as the measures engine reads it, refreshed from
 * PostgreSQL in bulk: in full (binary COPY of the academic year plus the weeks before it), or
 * from the earliest change the worker has not folded in yet. Results go back in bulk too. */
#ifndef ROLLCALL_WORKER_SCHOOL_H
#define ROLLCALL_WORKER_SCHOOL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "rollcall/measures.h"

#define SCHOOL_CLASS_LEN REPORT_CLASS_LEN

typedef struct school_reg {
	uint32_t urn;
	char name[128], phase[16], la_name[64];
	int la_code;
	int32_t window_first, window_last; /* the days held */
	int64_t change_id;                 /* the last register_change folded in */
	bool has_calendar;                 /* sessions from calendar.csv, else derived from marks */
	measures_session *sessions;
	size_t n_sessions;
	/* The term calendar.csv names for each session: 1 + measures_term_name, 0 when none. */
	uint8_t *session_term;
	measures_enrolment *enrolments; /* sorted by pupil_id */
	size_t n_enrolments;
	measures_gap *gaps; /* all enrolments' gaps between spells; enrolments point into it */
	size_t n_gaps;
	measures_chars *chars; /* all enrolments' records; enrolments point into it */
	size_t n_chars;
	uint8_t *grid; /* n_enrolments x n_sessions code ids */
	measures_late *late;
	size_t n_late;
	uint64_t marks_loaded; /* mark versions read by the last refresh */
	/* The classes (registration groups) the characteristics name, in natural order: the
	 * chars' reg_group k is classes[k - 1]. */
	char (*classes)[SCHOOL_CLASS_LEN];
	size_t n_classes;
	/* Runs going on when the window begins (school.c): carry_known[e] once enrolment e's
	 * carries are in enrolments[e]; computed for these qualifying lengths. */
	uint8_t *carry_known;
	uint32_t carry_q[2];
} school_reg;

/* The schools a worker holds. */
typedef struct school_cache {
	school_reg **regs;
	uint32_t *urns; /* regs[i]->urn, for the job queue's preference */
	size_t n, cap;
} school_cache;

void school_cache_deinit(school_cache *c);

/* The days a school is held for when computing as of as_of: from 16 weeks before the start of
 * as_of's academic year (penalty windows and runs reach back over the summer) to its end. */
void school_window(int32_t as_of, int32_t *first, int32_t *last);

/* Brings urn's register up to date for as_of and returns it (owned by the cache). A school
 * already held for the same academic year is refreshed from the earliest change not yet folded
 * in (only those days are read again); otherwise it is loaded in full. *full says which. The
 * runs going on when the window begins are carried in from the register before it (for cfg's
 * qualifying lengths), so the engine's episodes follow the whole register. */
int school_refresh(PGconn *conn, school_cache *cache, uint32_t urn, int32_t as_of,
                   const measures_config *cfg, school_reg **out, bool *full, char *err,
                   size_t errlen) __attribute__((warn_unused_result));

/* Loads urn's register for as_of (the days of school_window) into a new object that no cache
 * holds, for a year the cache is not for (a TSM pack's previous year). Free it with
 * school_reg_destroy. */
int school_load(PGconn *conn, uint32_t urn, int32_t as_of, const measures_config *cfg,
                school_reg **out, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Frees *r (one school_load made) and sets it to NULL; NULL-safe. */
void school_reg_destroy(school_reg **r);

/* The dates of term (ay, name) at this school: from the term names of its calendar when the
 * calendar names any term of that year (the first to the last day named so), else inferred
 * from its breaks (measures_term_dates). Returns 0, or -ENOENT when the term is not known
 * (named for other terms only, or a summer without a spring break yet). */
int school_term_dates(const school_reg *r, int ay, measures_term_name name, uint32_t break_weekdays,
                      measures_term *out) __attribute__((warn_unused_result));

/* The current term on day: named by the calendar (the term of the latest open session on or
 * before day in its academic year), else inferred from the breaks (measures_term_find). */
void school_term_at(const school_reg *r, int32_t day, uint32_t break_weekdays, measures_term *out);

/* The day of the latest open session in [first, last], or MEASURES_NO_DAY. */
int32_t school_last_session(const school_reg *r, int32_t first, int32_t last);

/* The school's latest change id (0 when none). */
int school_latest_change(PGconn *conn, uint32_t urn, int64_t *change_id, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* The default as-of day of a school: its latest marked day, but not after today. Returns 0 and
 * MEASURES_NO_DAY when the school has no marks. */
int school_default_as_of(PGconn *conn, uint32_t urn, int32_t *as_of, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Runs the engine on r as of as_of. Unless cfg gives the term, a calendar that names its terms
 * decides it: the term named for the latest open session on or before as_of in its academic
 * year (contract.md §1); without names the engine infers it from the breaks. */
int school_compute(const school_reg *r, int32_t as_of, const measures_config *cfg, measures **out,
                   char *err, size_t errlen) __attribute__((warn_unused_result));

/* Replaces the school's stored results as of m->as_of (school_result with its cohort, category
 * and week rows) in one transaction, and the per-enrolment figures, which are kept for the
 * latest as-of only: when figures as of a later day are stored, those stay (a report for a past
 * day never replaces the latest figures). cohorts: the cohort list of the reports. */
int school_store(PGconn *conn, const school_reg *r, const measures *m, const report_cohort *cohorts,
                 size_t n_cohorts, char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
