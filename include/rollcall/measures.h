/* The measures engine: every attendance figure of domain.md §2-5 and §7 and the attendance and
 * sickness return episodes of §6, computed once for ONE school as of one day, so that every
 * report shares them. Pure computation on caller arrays: no I/O, no globals, no floating point.
 *
 * Conventions used throughout (the "Rollcall rules" where domain.md leaves a choice):
 *  - Days are day numbers since 1970-01-01 (rollcall/date.h); a session is (day, pm) with pm 0 =
 *    AM, 1 = PM. Everything after the as-of day D is ignored, so a figure as of D never depends on
 *    a calendar or marks that lie in its future.
 *  - A session counts for an enrolment when it is open and the day is within the on-roll dates
 *    admission_day <= day <= leaving_day (the leaving day is the last day on roll). Sessions
 *    outside those dates are nothing for that enrolment: not possible, not unmarked; marks on
 *    them and marks on closed sessions are ignored.
 *  - On such a session: no mark (code 0) is "unmarked"; a code id the table does not know, or a
 *    code used outside its validity (a retired H/F/J/Y on or after 19 Aug 2024, a 2024 code
 *    before its start) is "invalid": counted in its own data-quality column, and otherwise
 *    treated exactly like an unmarked session. Any other code counts with its rc_category
 *    (retired codes before 19 Aug 2024 therefore count with their old categories).
 *  - School week: a Monday-Sunday week with at least one open session on or before D.
 *  - Runs (§6): over the enrolment's possible sessions in (day, AM/PM) order, a run is a maximal
 *    sequence of consecutive possible sessions coded G/N/O/U (unauthorised run) or I (illness
 *    run). Non-possible sessions (#, X, D, Q, Y*, Z ...), unmarked and invalid sessions, closed
 *    sessions and days without sessions are skipped: they neither extend nor break a run. Runs
 *    are not cut at the end of an academic year or a term. A run is broken by the next possible
 *    session with another code, or ended by the enrolment leaving the roll.
 *  - Rates are compared exactly by integer cross-multiplication; thresholds are in basis points
 *    (1/100 of a percent: 10% = 1000).
 */
#ifndef ROLLCALL_MEASURES_H
#define ROLLCALL_MEASURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rollcall/codes.h"
#include "rollcall/ncyear.h"

/* "No such day": a leaving day of an enrolment still on roll, a threshold never reached. */
#define MEASURES_NO_DAY INT32_MAX
/* "No such session" in session indices. */
#define MEASURES_NO_SESSION UINT32_MAX

/* NC year groups (rollcall/ncyear.h): N1 = -2, N2 = -1, R (Reception) = 0, then 1..14. */
#define MEASURES_NC_N1      NCYEAR_N1
#define MEASURES_NC_N2      NCYEAR_N2
#define MEASURES_NC_R       NCYEAR_R
#define MEASURES_NC_UNKNOWN NCYEAR_UNKNOWN

/* Persistent and severe absence (DfE definitions, not configurable): rate >= 10% / >= 50%. */
#define MEASURES_PA_BP 1000u
#define MEASURES_SA_BP 5000u

/* Buffer size for measures_pct_format / measures_gap_format ("-100.0" and more fit). */
#define MEASURES_PCT_LEN 32

/* ---------------------------------------------------------------------------------------------
 * Inputs (caller-owned; measures_new copies what it keeps, so they may be freed after it).
 */

/* One session of the school calendar. The array is sorted strictly by (day, pm). Without a
 * calendar.csv the caller passes the (day, session) pairs that carry any mark other than '#',
 * all open. */
typedef struct measures_session {
	int32_t day;
	uint8_t pm; /* 0 = AM, 1 = PM */
	bool open;  /* false: listed but closed (then no figure uses it) */
} measures_session;

typedef enum measures_sen {
	MEASURES_SEN_NONE = 0, /* N */
	MEASURES_SEN_K,        /* SEN support */
	MEASURES_SEN_E,        /* EHC plan */
} measures_sen;

typedef enum measures_care {
	MEASURES_CARE_NONE = 0,
	MEASURES_CARE_CIN, /* child in need */
	MEASURES_CARE_CPP, /* child protection plan */
	MEASURES_CARE_CLA, /* child looked after */
} measures_care;

/* The characteristics of an enrolment from valid_from on (effective-dated, domain.md §5). */
typedef struct measures_chars {
	int32_t valid_from;
	int8_t nc_year; /* MEASURES_NC_* or 1..14 */
	char sex;       /* 'M', 'F' or 'U' */
	uint8_t sen;    /* measures_sen */
	uint8_t care;   /* measures_care */
	bool pp, fsm, plac, eal;
	uint16_t reg_group; /* the class (registration group) as the caller numbers a school's
	                       classes, 1..; 0 when none was sent */
	bool boarder; /* boarders are not in the headline population (as at D, like the rest) */
} measures_chars;

/* Days between admission_day and leaving_day on which the pupil was not on roll: the gap
 * between two spells (a pupil who left and was re-admitted). */
typedef struct measures_gap {
	int32_t first_day, last_day;
} measures_gap;

/* A run (see the conventions at the top) going on when the sessions given begin, found by the
 * caller in the register before them: runs follow the whole register, never cut by how much of
 * it is held. length counts its possible sessions before the first session given. */
typedef struct measures_run_carry {
	uint32_t length; /* 0: no run going on */
	int32_t first_day;
	uint8_t first_pm;
	/* Its qualifying session (episode_sessions-th, illness_sessions-th) when it lies before the
	 * sessions given; MEASURES_NO_DAY otherwise. */
	int32_t qualified_day;
	uint8_t qualified_pm;
} measures_run_carry;

/* One enrolment (school x pupil): the unit of every figure. */
typedef struct measures_enrolment {
	int64_t pupil_id;      /* the caller's id, passed through untouched */
	int32_t admission_day; /* first day on roll (of the first spell) */
	int32_t leaving_day;   /* last day on roll (of the last spell), or MEASURES_NO_DAY */
	int32_t birth_day;
	bool boarder;                /* used when the enrolment has no characteristics record */
	const measures_chars *chars; /* sorted by valid_from; may be NULL when n_chars is 0 */
	size_t n_chars;
	const measures_gap *gaps; /* sorted, inside [admission_day, leaving_day]; may be NULL */
	size_t n_gaps;
	measures_run_carry carry_unauth, carry_ill; /* zero: nothing before the sessions given */
} measures_enrolment;

/* Minutes late of one L or U mark. Entries whose cell holds another code, or lies outside the
 * counted sessions, are ignored; several entries for one cell are summed. */
typedef struct measures_late {
	uint32_t enrolment; /* index into enrolments */
	uint32_t session;   /* index into sessions */
	uint32_t minutes;
} measures_late;

typedef struct measures_input {
	const measures_session *sessions;
	size_t n_sessions;
	const measures_enrolment *enrolments;
	size_t n_enrolments;
	/* The current marks as a dense n_enrolments x n_sessions matrix, row-major by enrolment:
	 * grid[e * n_sessions + s] is the rc_code id of enrolment e's mark on session s, 0 when
	 * unmarked. May be NULL when the matrix is empty. */
	const uint8_t *grid;
	const measures_late *late;
	size_t n_late;
} measures_input;

/* ---------------------------------------------------------------------------------------------
 * Configuration: the configurable Rollcall rules, with their defaults from measures_config_init.
 */
typedef struct measures_config {
	/* Category edges b0 < b1 < b2 < b3 in basis points (defaults 500, 1000, 2000, 5000):
	 * expected r <= b0; at risk PA b0 < r < b1; PA b1 <= r <= b2; at risk SA b2 < r < b3;
	 * SA r >= b3. */
	uint32_t category_bp[4];
	uint32_t episode_sessions; /* 20: an unauthorised run qualifies for the attendance return */
	uint32_t illness_sessions; /* 30: an I run, or the year's I total, is REACHED */
	uint32_t forecast_run;     /* 10: an ongoing I run this long is FORECAST */
	uint32_t forecast_total;   /* 20: this many I sessions this year is FORECAST */
	uint32_t penalty_weeks;    /* 10: school weeks in the penalty window */
	uint32_t penalty_sessions; /* 10: G/N/O/U sessions in the window that meet the threshold */
	uint32_t recent_weeks;     /* 4: school weeks of the last4w period */
	uint32_t term_break_weekdays; /* 5: minimum length of the spring/summer break (see terms) */
	/* Explicit term instead of the derived one: the term period is then the open sessions in
	 * [term_first, term_last] up to D; measures.term is named by term_first's month (Aug-Dec
	 * autumn, Jan-Mar spring, Apr-Jul summer). */
	bool term_given;
	int32_t term_first, term_last;
} measures_config;

/* Fills cfg with the defaults above. */
void measures_config_init(measures_config *cfg);

/* Checks cfg: edges strictly increasing and at most 10000, every count at least 1, an explicit
 * term not reversed. Returns 0, or -EINVAL with the reason in err. */
int measures_config_check(const measures_config *cfg, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* ---------------------------------------------------------------------------------------------
 * Terms. An academic year (1 Aug - 31 Jul, named by the year it starts in) has three terms:
 *   autumn  1 Aug .. 31 Dec;
 *   spring  1 Jan .. the day before the summer term;
 *   summer  from the first open session after the spring break, to 31 Jul.
 * The spring break is the longest run of consecutive weekdays without an open session that
 * starts in March or April, is at least term_break_weekdays long (so half-terms, bank holidays
 * and INSET days never split a term) and is closed by an open session on or before the day
 * asked about (ties: the earliest). Until such a break is seen, spring runs to 31 Jul.
 * The current term on day D is the term holding the latest open session on or before D in D's
 * academic year (so during the Christmas holidays, and on 2 Jan before spring starts, it is
 * still autumn); with no such session, the term whose dates hold D.
 */
typedef enum measures_term_name {
	MEASURES_AUTUMN = 0,
	MEASURES_SPRING,
	MEASURES_SUMMER,
} measures_term_name;

typedef struct measures_term {
	int year; /* academic year, e.g. 2024 for 2024/25 */
	measures_term_name name;
	int32_t first_day; /* date range of the term as known on the day asked about */
	int32_t last_day;
} measures_term;

/* The current term on day (above), from sessions (sorted as in measures_input; only open
 * sessions up to day are looked at). break_weekdays is cfg->term_break_weekdays. */
void measures_term_find(const measures_session *sessions, size_t n_sessions, int32_t day,
                        uint32_t break_weekdays, measures_term *out);

/* "autumn", "spring", "summer". */
const char *measures_term_name_str(measures_term_name name);

/* ---------------------------------------------------------------------------------------------
 * Results.
 */
typedef enum measures_period {
	MEASURES_YTD = 0, /* open sessions from 1 Aug of D's academic year to D */
	MEASURES_TERM,    /* open sessions from the first day of the current term to D */
	MEASURES_LAST4W,  /* open sessions from the Monday of the recent_weeks-th most recent school
	                     week to D (may reach back into the previous academic year) */
	MEASURES_PERIODS
} measures_period;

typedef enum measures_category {
	MEASURES_CAT_NONE = 0, /* no possible session in the period */
	MEASURES_CAT_EXPECTED,
	MEASURES_CAT_AT_RISK_PA,
	MEASURES_CAT_PA,
	MEASURES_CAT_AT_RISK_SA,
	MEASURES_CAT_SA,
	MEASURES_CAT_COUNT
} measures_category;

/* Session counts of one enrolment over one period. possible = present + aea + authorised +
 * unauthorised; absence = authorised + unauthorised. */
typedef struct measures_counts {
	uint32_t possible;
	uint32_t present; /* includes L */
	uint32_t aea;
	uint32_t authorised;
	uint32_t unauthorised;
	uint32_t not_counted; /* marked with a not-possible code */
	uint32_t unmarked;
	uint32_t invalid;
	uint32_t bucket[RC_BUCKET_COUNT]; /* by DfE reason bucket; [RC_BUCKET_NONE] unused (0) */
	uint32_t dow_possible[5][2];      /* [Mon..Fri][AM, PM] */
	uint32_t dow_absence[5][2];
	uint32_t late_l;       /* L marks */
	uint32_t late_u;       /* U marks */
	uint32_t minutes_late; /* over the L and U marks */
} measures_counts;

/* One run (see the conventions at the top). Session indices are into measures.sessions. A run
 * may have begun before the sessions given (carried in, measures_run_carry): carried counts
 * those sessions, and start_day / qualified_day are then the register's, not the sessions'. */
typedef struct measures_episode {
	uint32_t enrolment;
	uint32_t first;      /* first session of the run among the sessions given */
	uint32_t last;       /* last session of the run up to D */
	uint32_t qualifying; /* the episode_sessions-th (illness: illness_sessions-th) session, or
	                        MEASURES_NO_SESSION (not reached, or reached before the sessions) */
	uint32_t length;     /* sessions in the run up to D, carried ones included */
	uint32_t carried;    /* of them, before the sessions given */
	int32_t start_day;   /* the run's first session */
	uint8_t start_pm;
	int32_t qualified_day; /* its qualifying session, or MEASURES_NO_DAY when not reached */
	uint8_t qualified_pm;
	int32_t end_day; /* day of the session that broke the run, or the day after the leaving day
	                    (or the first day of a gap); MEASURES_NO_DAY while the run is open on D
	                  */
} measures_episode;

/* Everything about one enrolment. */
typedef struct measures_pupil {
	int64_t pupil_id;
	int32_t admission_day, leaving_day, birth_day;
	bool boarder;
	bool on_roll;         /* on roll on D */
	bool compulsory;      /* of compulsory school age in D's academic year */
	measures_chars chars; /* as at D: the last record with valid_from <= D, else the first;
	                         with no record: all false, nc_year unknown, sex 'U' */
	measures_counts counts[MEASURES_PERIODS];
	/* Per period: the headline population (compulsory, not a boarder, possible > 0). The flags
	 * below are set for anyone with possible > 0: filter on in_population for headline
	 * figures, report the others separately. */
	bool in_population[MEASURES_PERIODS];
	bool pa[MEASURES_PERIODS];
	bool sa[MEASURES_PERIODS];
	measures_category category[MEASURES_PERIODS];
	/* Illness this academic year (D's), up to D. */
	uint32_t illness_ytd;
	int32_t illness_first_day;   /* first I session, or MEASURES_NO_DAY */
	int32_t illness_reached_day; /* day of the illness_sessions-th I session, or NO_DAY */
	/* Penalty threshold (§7) over the school's window (measures.penalty_first..last). */
	uint32_t penalty_sessions;
	bool penalty;
	/* This enrolment's runs in measures.episodes / measures.illness, in time order. */
	size_t first_episode, n_episodes;
	size_t first_illness, n_illness;
} measures_pupil;

struct measures_state; /* internal */

typedef struct measures {
	int32_t as_of;
	int academic_year; /* of as_of */
	measures_config cfg;
	measures_term term; /* the current term (derived, or from cfg) */
	/* First day of each period (each ends on as_of; the term also at term.last_day);
	 * MEASURES_NO_DAY for last4w when there is no school week up to as_of. */
	int32_t period_first[MEASURES_PERIODS];
	/* Monday of the oldest of the penalty_weeks most recent school weeks (fewer when the
	 * sessions do not go back that far), or MEASURES_NO_DAY when there is none. */
	int32_t penalty_first;
	int32_t penalty_last; /* as_of, or the Sunday of the latest school week if earlier */
	const measures_session *sessions; /* the school's sessions (a copy owned by this object) */
	size_t n_sessions;
	size_t n_enrolments;
	measures_pupil *pupils;     /* n_enrolments, in input order */
	measures_episode *episodes; /* every G/N/O/U run up to D, by enrolment then time */
	size_t n_episodes;
	measures_episode *illness; /* every I run up to D, by enrolment then time */
	size_t n_illness;
	struct measures_state *state;
} measures;

/* Computes everything for one school as of day as_of. cfg may be NULL for the defaults.
 * Runs and the penalty window reach back as far as the sessions given: pass at least the last
 * penalty_weeks school weeks of the previous academic year too, or windows and runs that cross
 * the summer are cut short. One pass over the register: a school of 2,000 enrolments x 380
 * sessions takes about 5 ms at -O2.
 * Returns 0 and a new object in *out (free with measures_destroy); -EINVAL for malformed input
 * (sessions not strictly sorted, a bad pm, a late entry out of range, characteristics not sorted,
 * a bad configuration) or -ENOMEM, with the reason in err. Nothing of in is kept. */
int measures_new(measures **out, const measures_input *in, int32_t as_of,
                 const measures_config *cfg, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Frees *m and sets it to NULL; NULL-safe. */
void measures_destroy(measures **m);

/* What a mark (code id on day) does to the runs of §6, by the rule of the conventions above:
 * skipped (unmarked, invalid on day, or not a possible session), breaks both runs, or extends
 * the unauthorised (G/N/O/U) or the illness (I) run (and breaks the other). For a caller that
 * walks the register beyond the sessions it holds (measures_run_carry). */
typedef enum measures_run_kind {
	MEASURES_RUN_SKIP = 0,
	MEASURES_RUN_BREAK,
	MEASURES_RUN_UNAUTH,
	MEASURES_RUN_ILL,
} measures_run_kind;

measures_run_kind measures_code_run_kind(uint8_t code_id, int32_t day);

/* Whether enrolment e is on roll on day (inside its roll dates and in none of its gaps). */
bool measures_on_roll(const measures *m, size_t e, int32_t day);

/* Whether someone born on birth_day is of compulsory school age in academic year ay: aged 5 to
 * 15 on the 31 August before it starts (for 2024: born 1 Sep 2008 .. 31 Aug 2019). */
bool measures_compulsory_age(int32_t birth_day, int ay);

/* The category of absence / possible under cfg's edges; MEASURES_CAT_NONE when possible is 0. */
measures_category measures_categorise(const measures_config *cfg, uint64_t absence,
                                      uint64_t possible);

/* Whether num / den >= bp / 10000, exactly; false when den is 0. */
bool measures_rate_ge(uint64_t num, uint64_t den, uint32_t bp);

/* "expected", "at_risk_pa", "pa", "at_risk_sa", "sa"; "" for NONE. */
const char *measures_category_name(measures_category c);

/* "ytd", "term", "last4w". */
const char *measures_period_name(measures_period p);

/* Counts the enrolments of the period's headline population per category into
 * counts[MEASURES_CAT_COUNT] ([MEASURES_CAT_NONE] stays 0). */
void measures_category_counts(const measures *m, measures_period p,
                              uint32_t counts[MEASURES_CAT_COUNT]);

/* ---------------------------------------------------------------------------------------------
 * Cohorts (domain.md §5), membership as at D.
 */
typedef enum measures_cohort {
	MEASURES_COHORT_ALL = 0,
	MEASURES_COHORT_PP,
	MEASURES_COHORT_FSM,
	MEASURES_COHORT_SEN_K,
	MEASURES_COHORT_EHCP,
	MEASURES_COHORT_SEN_ANY,
	MEASURES_COHORT_CIN,
	MEASURES_COHORT_CPP,
	MEASURES_COHORT_CLA,
	MEASURES_COHORT_SOCIAL_WORKER, /* CIN, CPP or CLA */
	MEASURES_COHORT_PLAC,
	MEASURES_COHORT_EAL,
	MEASURES_COHORT_SEX,     /* value: 'M', 'F' or 'U' */
	MEASURES_COHORT_NC_YEAR, /* value: an NC year as in measures_chars */
	MEASURES_COHORT_CLASS,   /* value: a reg_group number as in measures_chars */
	MEASURES_COHORT_COUNT
} measures_cohort;

/* Exact sums over enrolments of the headline population. */
typedef struct measures_cohort_row {
	uint64_t pupils;
	uint64_t possible;
	uint64_t absence;
	uint64_t authorised;
	uint64_t unauthorised;
	uint64_t pa_pupils;
	uint64_t sa_pupils;
} measures_cohort_row;

/* Whether characteristics c put an enrolment in cohort k (value as above, else ignored). */
bool measures_in_cohort(const measures_chars *c, measures_cohort k, int value);

/* "all", "pp", "fsm", "sen_k", "ehcp", "sen_any", "cin", "cpp", "cla", "social_worker", "plac",
 * "eal", "sex", "nc_year", "class". */
const char *measures_cohort_name(measures_cohort k);

/* Sums period p over the headline population into *in (members of cohort k) and *out (the
 * others; all zero for MEASURES_COHORT_ALL). Both are overwritten; in must not be NULL, out
 * may be. */
void measures_cohort_sum(const measures *m, measures_period p, measures_cohort k, int value,
                         measures_cohort_row *in, measures_cohort_row *out);

/* dst += src, field by field (school rows into a trust row). */
void measures_cohort_row_add(measures_cohort_row *dst, const measures_cohort_row *src);

/* Weekly series over the ytd period for the ytd headline population: for each school week
 * (Monday to Sunday with an open session, oldest first) its Monday in week_start and the
 * possible and absence sessions in it. The three arrays are new (free() each; NULL when *n is
 * 0). Returns 0 or -ENOMEM. */
int measures_week_series(const measures *m, int32_t **week_start, uint64_t **possible,
                         uint64_t **absence, size_t *n) __attribute__((warn_unused_result));

/* The same school weeks, with one row per enrolment of enrolments[0..n_enrolments) (in or out of
 * the headline population): its own possible and absence sessions in week w are
 * (*possible)[k * *n_weeks + w] for enrolments[k]. Arrays as above. Returns 0, -EINVAL for an
 * enrolment index out of range, or -ENOMEM. */
int measures_pupil_week_series(const measures *m, const size_t *enrolments, size_t n_enrolments,
                               int32_t **week_start, uint64_t **possible, uint64_t **absence,
                               size_t *n_weeks) __attribute__((warn_unused_result));

/* ---------------------------------------------------------------------------------------------
 * Display of exact figures: 100 * num / den to one decimal place, rounded half away from zero,
 * computed in integers ("33.3" for 1/3, "66.7" for 2/3, "12.5" for 1/8, "" when den is 0).
 */
char *measures_pct_format(uint64_t num, uint64_t den, char out[MEASURES_PCT_LEN]);

/* 100 * (a/b - c/d) in percentage points, rounded once from the exact difference as above
 * ("-2.5"; never "-0.0"); "" when b or d is 0. Exact for counts below 2^48. */
char *measures_gap_format(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                          char out[MEASURES_PCT_LEN]);

/* ---------------------------------------------------------------------------------------------
 * LA returns (domain.md §6) for a period [first, last] of days within one academic year (a
 * month, or the months a termly return covers; "the month" below), from the runs up to D. Only
 * enrolments of compulsory school age in the period's academic year are listed. Rows come in
 * enrolment order, then time. *rows is a new array the caller frees with free() (NULL when
 * *n_rows is 0). Returns 0, -EINVAL for a reversed period or one across academic years, or
 * -ENOMEM.
 */
typedef struct measures_attendance_row {
	uint32_t enrolment;
	size_t episode;    /* index into measures.episodes */
	int32_t start_day; /* the run's first session (before the sessions given, if carried in) */
	uint8_t start_pm;
	int32_t qualified_day; /* its episode_sessions-th session: in the month */
	uint8_t qualified_pm;
	uint32_t sessions; /* run sessions up to the end of the month (or D) */
	bool ongoing;      /* not broken nor ended by the end of the month (or D) */
} measures_attendance_row;

/* Every unauthorised run whose qualifying session falls in the month, once. */
int measures_attendance_return(const measures *m, int32_t first, int32_t last,
                               measures_attendance_row **rows, size_t *n_rows)
        __attribute__((warn_unused_result));

typedef enum measures_sick_status {
	MEASURES_SICK_REACHED = 0,
	MEASURES_SICK_FORECAST,
} measures_sick_status;

typedef enum measures_sick_reason {
	MEASURES_SICK_CUMULATIVE = 0,
	MEASURES_SICK_CONTINUOUS,
} measures_sick_reason;

typedef struct measures_sickness_row {
	uint32_t enrolment;
	measures_sick_status status;
	measures_sick_reason reason;
	size_t episode;            /* CONTINUOUS: index into measures.illness; else SIZE_MAX */
	int32_t reached_day;       /* REACHED: day of the 30th session; FORECAST: NO_DAY */
	uint32_t illness_sessions; /* I sessions in the month's academic year up to its end */
	uint32_t longest_run;      /* longest I run (its sessions up to the end of the month)
	                              among runs with a session in that academic year */
	int32_t first_illness_day; /* first I session of that academic year, or NO_DAY */
} measures_sickness_row;

/* The sickness return: in the month, a row REACHED/CONTINUOUS per I run whose 30th session
 * falls in it; otherwise REACHED/CUMULATIVE when the year's I sessions first reach 30 in it.
 * An enrolment that has reached neither by the end of the month this academic year, is on roll
 * at its end (or D), and has an ongoing I run of at least forecast_run sessions there
 * (FORECAST/CONTINUOUS) or at least forecast_total I sessions this year (FORECAST/CUMULATIVE),
 * gets one FORECAST row. */
int measures_sickness_return(const measures *m, int32_t first, int32_t last,
                             measures_sickness_row **rows, size_t *n_rows)
        __attribute__((warn_unused_result));

/* "REACHED", "FORECAST" / "CUMULATIVE", "CONTINUOUS". */
const char *measures_sick_status_name(measures_sick_status s);
const char *measures_sick_reason_name(measures_sick_reason r);

/* ---------------------------------------------------------------------------------------------
 * Targeting Support Meetings (domain.md §4, §8; lib/measures_tsm.c): the DfE-style 5% absence
 * bands, the "at risk and falling" rule, and terms by name ("2025-autumn") with their dates.
 */

/* DfE-style absence bands: 00-05, 05-10, ..., 45-50 (each from its lower edge, up to but not
 * including the upper one) and 50+, over enrolments with at least MEASURES_BAND_MIN_SESSIONS
 * possible sessions in the period. */
#define MEASURES_BANDS             11
#define MEASURES_BAND_MIN_SESSIONS 20

/* The band of absence / possible (0 for 0% <= r < 5% ... 9 for 45% <= r < 50%, 10 for
 * r >= 50%), or -1 when possible is below MEASURES_BAND_MIN_SESSIONS. */
int measures_band(uint64_t absence, uint64_t possible);

/* "00-05", "05-10", ..., "45-50", "50+"; "" out of range. */
const char *measures_band_name(int band);

/* Counts the enrolments of the period's headline population per band into
 * counts[MEASURES_BANDS]; *total gets how many had enough sessions to be banded. */
void measures_band_counts(const measures *m, measures_period p, uint32_t counts[MEASURES_BANDS],
                          uint32_t *total);

/* At risk and falling, by default: attendance over the last 4 weeks at least 2.0 percentage
 * points below attendance over the rest of the year to date. Configurable (basis points). */
#define MEASURES_FALLING_BP 200u

/* Attendance of enrolment e over the last4w period against the rest of the year to date (the
 * ytd sessions before the last4w period): *drop_num / *drop_den is how much lower, in
 * percentage points (negative: higher). Returns false when there is no such comparison: no
 * possible session in either part, or the last4w period reaching back before the year. */
bool measures_recent_drop(const measures *m, size_t e, int64_t *drop_num, uint64_t *drop_den);

/* Whether enrolment e is at risk and falling (flag AT_RISK): its ytd category is at_risk_pa
 * and its last4w attendance is at least falling_bp (basis points: 200 = 2.0 pp) below that of
 * the rest of the year to date. Exact. */
bool measures_falling(const measures *m, size_t e, uint32_t falling_bp);

/* A term as packs are named: "2025-autumn", "2026-spring", "2026-summer" for academic year
 * 2025 (the calendar year the term falls in). */
#define MEASURES_TERM_LABEL_LEN 16

char *measures_term_label(int ay, measures_term_name name, char out[MEASURES_TERM_LABEL_LEN]);

/* Parses s[0..len) as such a label. Returns 0, or -EINVAL (not YYYY-autumn|spring|summer, or a
 * year outside 1900..9999). */
int measures_term_parse(const char *s, size_t len, int *ay, measures_term_name *name)
        __attribute__((warn_unused_result));

/* The term before (ay, name): autumn's is the previous year's summer. */
void measures_term_before(int ay, measures_term_name name, int *prev_ay,
                          measures_term_name *prev_name);

/* The dates of term (ay, name) inferred from the school's sessions by the rule of
 * measures_term_find, seen from the end of that academic year: autumn 1 Aug - 31 Dec, spring
 * 1 Jan to the day before summer (31 Jul while no spring break shows), summer from the first
 * open session after the spring break to 31 Jul. Returns 0, or -ENOENT for a summer term the
 * sessions show no spring break for (yet). */
int measures_term_dates(const measures_session *sessions, size_t n_sessions, int ay,
                        measures_term_name name, uint32_t break_weekdays, measures_term *out)
        __attribute__((warn_unused_result));

#endif
