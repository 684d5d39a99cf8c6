/* Register marks of one school (see gen_marks.h). Each pupil gets a profile (absence propensity
 * from a log-normal mixed with a severe-absence tail, raised for FSM, SEN and social care), the
 * school's structural patterns are laid down first (nursery part time, trips, study leave, dual
 * registration, ...), then absence episodes until the pupil's share is reached, then lateness.
 * The matrix of codes is written session by session, pupils in UPN order, and amendments follow
 * after the day on which they were made. */
#include "gen_marks.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_names.h"
#include "gen_out.h"
#include "gen_rng.h"
#include "rollcall/codes.h"
#include "rollcall/columns.h"
#include "rollcall/date.h"

enum kcode {
	K_NONE = 0, /* no row: closed, not on roll */
	K_PRESENT,  /* "/" in the morning, "\" in the afternoon */
	K_L,
	K_U,
	K_I,
	K_M,
	K_C,
	K_G,
	K_O,
	K_N,
	K_E,
	K_C2,
	K_R,
	K_T,
	K_S,
	K_J1,
	K_C1,
	K_V,
	K_P,
	K_B,
	K_K,
	K_W,
	K_D,
	K_X,
	K_Y1,
	K_Y2,
	K_Y3,
	K_Y4,
	K_NPROV, /* "N" at the register, re-coded by a later amendment row */
	K_COUNT
};

static const char *const s_code[K_COUNT] = {"",  "/",  "L", "U", "I",  "M",  "C",  "G",  "O", "N",
                                            "E", "C2", "R", "T", "S",  "J1", "C1", "V",  "P", "B",
                                            "K", "W",  "D", "X", "Y1", "Y2", "Y3", "Y4", "N"};

/* Amendment reasons by real code (some with a comma, so the CSV quoting gets exercised). */
static const char *const s_reason_i[] = {"Parent phoned: illness", "Email from parent, illness",
                                         "Note from parent: unwell"};
static const char *const s_reason_m[] = {"Appointment card seen",
                                         "Parent phoned: dental appointment"};
static const char *const s_reason_g[] = {"Term-time holiday, leave not granted",
                                         "Holiday not authorised"};
static const char *const s_reason_o[] = {"No reason given after follow-up",
                                         "Reason not accepted by school"};
static const char *const s_reason_u[] = {"Arrived after register closed"};
static const char *const s_reason_c[] = {"Leave granted by headteacher"};
static const char *const s_reason_r[] = {"Religious observance confirmed by parent"};

#define MAX_SESS       (2 * GEN_MAX_DAYS)
#define MAX_BOUNDARIES 24

typedef struct boundary {
	int sess; /* window session index */
	int dir;  /* -1: last session before a holiday, +1: first after one */
} boundary;

/* What is shared by every pupil of the school. */
typedef struct school_ctx {
	const gen_trust *t;
	const gen_school *s;
	const gen_roll *roll;
	int i0;    /* first window day (index in the year) */
	int ndays; /* window days */
	int nsess; /* 2 * ndays */
	const uint8_t *open;
	const int32_t *day;
	double illness_w[GEN_MAX_DAYS]; /* seasonal weight of starting an illness that day */
	int nbound;
	boundary bound[MAX_BOUNDARIES];
	int festival[3];  /* window day indexes of religious festivals, or -1 */
	int snow_day;     /* window day of travel disruption (Y2), or -1 */
	int closed_day;   /* window day the site had to close (Y4), or -1 */
	int premises_day; /* window day part of the premises was closed for one class (Y3) */
	int premises_class;
	bool workex;       /* the school runs a Y10 work experience week */
	bool study_leave;  /* the school gives Y11 and Y13 study leave around exams */
	double year_share; /* open days in the window / a school year's 190 */
	uint8_t *trip;     /* [class * ndays + d]: class trip that day */
} school_ctx;

/* One pupil's sessions while being built. */
typedef struct pupil_ctx {
	uint8_t c[MAX_SESS];
	uint8_t mn[MAX_SESS];
	int list[MAX_SESS]; /* sessions still present, ascending: where absence may go */
	int nlist;
} pupil_ctx;

typedef struct amendment {
	int32_t s;    /* window session */
	int32_t p;    /* pupil index */
	int32_t day;  /* day the amendment was made */
	int32_t sec;  /* local second of that day */
	uint8_t code; /* the real code */
	uint8_t mins;
	uint8_t office;
	uint8_t reason;
} amendment;

static bool is_absence(int k)
{
	switch (k) {
	case K_U:
	case K_I:
	case K_M:
	case K_C:
	case K_G:
	case K_O:
	case K_N:
	case K_E:
	case K_C2:
	case K_R:
	case K_T:
	case K_S:
	case K_J1:
	case K_C1:
	case K_NPROV:
		return true;
	default:
		return false;
	}
}

int marks_selfcheck(int32_t day, char *err, size_t errlen)
{
	for (int k = K_PRESENT; k < K_COUNT; k++) {
		const rc_code *rc;
		char why[128];
		const char *code = k == K_PRESENT ? "\\" : s_code[k];
		for (int pass = 0; pass < (k == K_PRESENT ? 2 : 1); pass++, code = "/") {
			if (codes_check(code, strlen(code), day, &rc, why, sizeof(why)) != 0) {
				snprintf(err, errlen, "generator code '%s' is not valid (%s)", code,
				         why);
				return -EINVAL;
			}
			if (is_absence(k) != (rc->category == RC_CAT_AUTHORISED ||
			                      rc->category == RC_CAT_UNAUTHORISED)) {
				snprintf(err, errlen, "generator code '%s' has category %s", code,
				         codes_category_name(rc->category));
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* ---- the school's shared patterns ---------------------------------------------------------- */

static int window_day(const school_ctx *x, int32_t day)
{
	int i = calendar_index(&x->t->year, day);
	return i >= x->i0 && i < x->i0 + x->ndays ? i - x->i0 : -1;
}

/* A random open window day with date in [lo, hi], or -1. */
static int random_open_day(const school_ctx *x, gen_rng *r, int32_t lo, int32_t hi)
{
	int cand[GEN_MAX_DAYS], n = 0;
	for (int d = 0; d < x->ndays; d++)
		if (x->day[d] >= lo && x->day[d] <= hi && x->open[2 * d])
			cand[n++] = d;
	return n > 0 ? cand[rng_range(r, 0, n - 1)] : -1;
}

static void find_boundaries(school_ctx *x)
{
	const gen_year *y = &x->t->year;
	const uint8_t *open = x->s->open;
	int i = 0;

	/* The summer holiday ends at the first open session of the year. */
	while (i < y->ndays && !open[2 * i])
		i++;
	if (i < y->ndays && i - x->i0 >= 0 && i - x->i0 < x->ndays)
		x->bound[x->nbound++] = (boundary){2 * (i - x->i0), +1};
	/* A holiday is a run of at least four closed weekdays (half terms, Christmas, Easter). */
	while (i < y->ndays) {
		int j = i;
		if (open[2 * i]) {
			i++;
			continue;
		}
		while (j < y->ndays && !open[2 * j])
			j++;
		if (j - i >= 4) {
			/* last open session before the run, first after it */
			for (int k = i - 1; k >= 0; k--) {
				int h = open[2 * k + 1] ? 1 : open[2 * k] ? 0 : -1;
				if (h < 0)
					continue;
				int wd = k - x->i0;
				if (wd >= 0 && wd < x->ndays && x->nbound < MAX_BOUNDARIES)
					x->bound[x->nbound++] = (boundary){2 * wd + h, -1};
				break;
			}
			if (j < y->ndays) {
				int wd = j - x->i0;
				if (wd >= 0 && wd < x->ndays && x->nbound < MAX_BOUNDARIES)
					x->bound[x->nbound++] = (boundary){2 * wd, +1};
			}
		}
		i = j;
	}
}

static int ctx_init(school_ctx *x, const gen_trust *t, const gen_school *s, const gen_roll *roll,
                    char *err, size_t errlen)
{
	static const double month_w[13] = {0,   1.3, 1.1, 1.0, 0.8, 0.7, 0.6,
	                                   0.6, 0.6, 0.6, 0.9, 1.1, 1.3};
	const gen_year *y = &t->year;
	gen_rng r;

	memset(x, 0, sizeof(*x));
	x->t = t;
	x->s = s;
	x->roll = roll;
	x->i0 = calendar_index_ceil(y, t->opt.from);
	x->ndays = calendar_index_ceil(y, t->opt.to + 1) - x->i0;
	if (x->ndays < 0)
		x->ndays = 0;
	x->nsess = 2 * x->ndays;
	x->open = s->open + 2 * x->i0;
	x->day = y->day + x->i0;
	for (int d = 0; d < x->ndays; d++) {
		int yy, m, dd;
		date_to_ymd(x->day[d], &yy, &m, &dd);
		x->illness_w[d] = month_w[m];
	}
	find_boundaries(x);
	for (int d = 0; d < x->ndays; d++)
		x->year_share += x->open[2 * d] ? 1.0 / 190 : 0;
	if (x->year_share > 1)
		x->year_share = 1;

	/* Trust-wide events come from the trust's stream so every school shares them. */
	rng_init(&r, t->opt.seed, GEN_RNG_SCHOOL_MARKS, 0);
	{
		int32_t terms[3][2] = {
		        {y->autumn_start, y->autumn_end},
		        {date_from_ymd(y->ay + 1, 1, 4), date_from_ymd(y->ay + 1, 3, 31)},
		        {date_from_ymd(y->ay + 1, 4, 15), y->summer_end}};
		for (int k = 0; k < 3; k++) {
			int32_t d = terms[k][0] +
			            rng_range(&r, 10, (int)(terms[k][1] - terms[k][0]) - 5);
			x->festival[k] = window_day(x, d);
			if (x->festival[k] >= 0 && !x->open[2 * x->festival[k]])
				x->festival[k] = -1;
		}
		int32_t snow = date_from_ymd(y->ay, 12, 1) + rng_range(&r, 0, 89);
		x->snow_day = rng_chance(&r, 0.6) ? window_day(x, snow) : -1;
		if (x->snow_day >= 0 && !x->open[2 * x->snow_day])
			x->snow_day = -1;
	}
	rng_init(&r, t->opt.seed, GEN_RNG_SCHOOL_MARKS, (uint64_t)s->urn);
	x->closed_day = -1;
	x->premises_day = -1;
	if (rng_chance(&r, 0.2))
		x->closed_day = random_open_day(x, &r, date_from_ymd(y->ay, 11, 1),
		                                date_from_ymd(y->ay + 1, 2, 28));
	if (rng_chance(&r, 0.3)) {
		x->premises_day = random_open_day(x, &r, y->autumn_start, y->summer_end);
		x->premises_class = roll->nclasses > 0 ? rng_range(&r, 0, roll->nclasses - 1) : 0;
	}
	x->workex = s->phase == GEN_SECONDARY && rng_chance(&r, 0.7);
	x->study_leave = s->phase == GEN_SECONDARY && rng_chance(&r, 0.5);

	/* Each class has a trip day about every 70 school days. */
	x->trip = calloc((size_t)(roll->nclasses > 0 ? roll->nclasses : 1) * (size_t)(x->ndays + 1),
	                 1);
	if (x->trip == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int c = 0; c < roll->nclasses; c++)
		for (int d = 0; d < x->ndays; d++)
			if (x->open[2 * d] && x->open[2 * d + 1] &&
			    rng_hash(t->opt.seed ^ (uint64_t)s->urn, (uint64_t)c,
			             (uint64_t)x->day[d]) %
			                    70 ==
			            0)
				x->trip[(size_t)c * (size_t)x->ndays + (size_t)d] = 1;
	return 0;
}

/* ---- one pupil ---------------------------------------------------------------------------- */

static void set_day(pupil_ctx *pc, int d, int code)
{
	for (int h = 0; h < 2; h++)
		if (pc->c[2 * d + h] == K_PRESENT)
			pc->c[2 * d + h] = (uint8_t)code;
}

static void rebuild_list(pupil_ctx *pc, int nsess)
{
	pc->nlist = 0;
	for (int s = 0; s < nsess; s++)
		if (pc->c[s] == K_PRESENT)
			pc->list[pc->nlist++] = s;
}

/* Lays code on up to len present sessions from list position pos in direction dir (+1/-1),
 * stopping at the first session already used. Returns how many it coded. */
static int lay_run(pupil_ctx *pc, int pos, int len, int dir, int code)
{
	int n = 0;
	for (int j = pos; n < len && j >= 0 && j < pc->nlist; j += dir, n++) {
		int s = pc->list[j];
		if (pc->c[s] != K_PRESENT)
			break;
		pc->c[s] = (uint8_t)code;
	}
	return n;
}

/* A random list position to start a day-long episode: usually the morning of a day. */
static int day_start(const pupil_ctx *pc, gen_rng *r, const school_ctx *x, bool seasonal)
{
	int pos = 0;
	for (int tries = 0; tries < 8; tries++) {
		pos = rng_range(r, 0, pc->nlist - 1);
		if (!seasonal || rng_unit(r) * 1.3 < x->illness_w[pc->list[pos] / 2])
			break;
	}
	if ((pc->list[pos] & 1) && pos > 0 && pc->list[pos - 1] == pc->list[pos] - 1 &&
	    rng_chance(r, 0.8))
		pos--;
	return pos;
}

/* First list position whose session is >= s (nlist if none). */
static int list_ceil(const pupil_ctx *pc, int s)
{
	int lo = 0, hi = pc->nlist;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (pc->list[mid] < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Structural patterns that are not absence: part-time nursery, phased Reception start, dual
 * registration, LA provision, part-time timetables, study leave, work experience, trips, sport,
 * religious festivals, traveller blocks, interviews, performances and the rare Y codes. */
static void lay_structure(const school_ctx *x, const gen_pupil *p, const char *eth, gen_rng *r,
                          pupil_ctx *pc)
{
	const gen_year *y = &x->t->year;
	const gen_phase ph = x->s->phase;
	const int nd = x->ndays;

	if (p->nc < 0 && rng_chance(r, 0.7)) /* 15 hours: mornings only */
		for (int d = 0; d < nd; d++)
			if (pc->c[2 * d + 1] == K_PRESENT)
				pc->c[2 * d + 1] = K_X;
	if (p->nc == 0) {
		if (rng_chance(r, 0.4)) { /* phased start: mornings only in the first week */
			int seen = 0;
			for (int d = 0; d < nd && x->day[d] < y->autumn_start + 7; d++)
				if (x->day[d] >= y->autumn_start && pc->c[2 * d + 1] == K_PRESENT &&
				    seen++ < 5)
					pc->c[2 * d + 1] = K_X;
		}
		if (rng_chance(r, 0.03) && nd > 0)
			set_day(pc, rng_range(r, 0, nd - 1), K_X);
	}
	if (rng_chance(r, ph == GEN_SPECIAL ? 0.01 : ph == GEN_SECONDARY ? 0.0015 : 0.0005)) {
		int wd = rng_range(r, 0, 3); /* at the other school two days a week */
		for (int d = 0; d < nd; d++)
			if (date_weekday(x->day[d]) == wd || date_weekday(x->day[d]) == wd + 1)
				set_day(pc, d, K_D);
	}
	if (ph == GEN_SECONDARY && p->nc >= 9 && p->nc <= 11 && rng_chance(r, 0.004)) {
		int wd = rng_range(r, 0, 4); /* one day a week at LA-arranged provision */
		for (int d = 0; d < nd; d++)
			if (date_weekday(x->day[d]) == wd)
				set_day(pc, d, K_K);
	}
	if (p->nc >= 1 &&
	    rng_chance(r, ph == GEN_SPECIAL     ? 0.012
	                  : ph == GEN_SECONDARY ? 0.005
	                                        : 0.0015) &&
	    nd > 0) {
		int start = rng_range(r, 0, nd - 1), len = 5 * rng_range(r, 4, 10);
		for (int d = start; d < nd && d < start + len; d++)
			if (pc->c[2 * d + 1] == K_PRESENT)
				pc->c[2 * d + 1] = K_C2;
	}
	if ((p->nc == 11 || p->nc == 13) && x->study_leave)
		for (int s = 0; s < x->nsess; s++)
			if (x->day[s / 2] >= y->study_from && x->day[s / 2] <= y->study_to &&
			    pc->c[s] == K_PRESENT && rng_chance(r, 0.4))
				pc->c[s] = K_S;
	if (x->workex && p->nc == 10 && rng_chance(r, 0.95))
		for (int d = 0; d < nd; d++)
			if (x->day[d] >= y->workex_from && x->day[d] <= y->workex_from + 4)
				set_day(pc, d, K_W);
	for (int d = 0; d < nd; d++)
		if (x->trip[(size_t)p->cls * (size_t)nd + (size_t)d] && rng_chance(r, 0.93))
			set_day(pc, d, K_V);
	if (p->nc >= 3 && rng_chance(r, 0.08)) {
		int n = rng_range(r, 2, 8);
		for (int k = 0; k < n && nd > 0; k++) {
			int s = 2 * rng_range(r, 0, nd - 1) + 1;
			if (pc->c[s] == K_PRESENT)
				pc->c[s] = K_P;
		}
	}
	if (rng_chance(r, 0.01)) {
		int n = rng_range(r, 1, 3);
		for (int k = 0; k < n && x->nsess > 0; k++) {
			int s = rng_range(r, 0, x->nsess - 1);
			if (pc->c[s] == K_PRESENT)
				pc->c[s] = K_B;
		}
	}
	{
		bool faith =
		        eth[0] == 'A' || eth[0] == 'B' || eth[0] == 'O' || strcmp(eth, "MWAS") == 0;
		if (rng_chance(r, faith ? 0.2 : 0.01))
			for (int k = 0; k < 3; k++)
				if (x->festival[k] >= 0)
					set_day(pc, x->festival[k], K_R);
	}
	if ((strcmp(eth, "WIRT") == 0 || strcmp(eth, "WROM") == 0) && rng_chance(r, 0.4)) {
		int32_t from = date_from_ymd(y->ay + 1, 5, 1) + rng_range(r, 0, 55);
		int32_t to = from + 7 * rng_range(r, 2, 5);
		for (int d = 0; d < nd; d++)
			if (x->day[d] >= from && x->day[d] < to)
				set_day(pc, d, K_T);
	}
	if ((p->nc == 11 || p->nc == 13) && rng_chance(r, 0.1)) {
		int d = random_open_day(x, r, date_from_ymd(y->ay + 1, 1, 10),
		                        date_from_ymd(y->ay + 1, 4, 30));
		if (d >= 0 && pc->c[2 * d] == K_PRESENT)
			pc->c[2 * d + rng_range(r, 0, 1)] = K_J1;
	}
	if (p->nc >= 1 && rng_chance(r, 0.0015)) {
		int n = rng_range(r, 2, 5);
		for (int k = 0; k < n && nd > 0; k++)
			set_day(pc, rng_range(r, 0, nd - 1), K_C1);
	}
	if (ph == GEN_SPECIAL && rng_chance(r, 0.03) && nd > 0)
		set_day(pc, rng_range(r, 0, nd - 1), K_Y1); /* LA transport did not come */
	if (x->snow_day >= 0 && rng_chance(r, 0.1))
		set_day(pc, x->snow_day, K_Y2);
	if (x->premises_day >= 0 && p->cls == x->premises_class)
		set_day(pc, x->premises_day, K_Y3);
	if (x->closed_day >= 0)
		set_day(pc, x->closed_day, K_Y4);
}

/* The pupil's absence propensity: share of possible sessions missed. */
static double draw_rate(const school_ctx *x, const gen_pupil *p, gen_rng *r, bool *severe)
{
	/* median, spread and severe-absence share by phase, tuned so the trust lands near the
	 * national figures of domain.md §10 (primary 5.5%, secondary 9%, special 13%). */
	static const double med[3] = {0.023, 0.030, 0.052}, sig[3] = {0.95, 0.95, 0.85};
	static const double sev[3] = {0.006, 0.018, 0.035};
	const gen_phase ph = x->s->phase;
	double m = med[ph], sv = sev[ph];

	if (p->nc < 0)
		m *= 1.5;
	else if (p->nc == 0)
		m *= 1.15;
	else if (p->nc >= 12)
		m *= 1.3;
	if (p->fsm) {
		m *= 1.7;
		sv *= 2.0;
	}
	if (p->sen == 'K')
		m *= 1.5;
	if (p->sen == 'E' && ph != GEN_SPECIAL)
		m *= 1.4;
	if (p->care == 1 || p->care == 2) {
		m *= 1.6;
		sv *= 1.5;
	}
	if (p->care == 3)
		m *= 1.1;
	if (p->nc < 1)
		sv *= 0.3;
	*severe = rng_chance(r, sv);
	if (*severe)
		return 0.5 + 0.42 * rng_unit(r);
	double v = m * exp(sig[ph] * rng_normal(r));
	return v > 0.45 ? 0.45 : v;
}

/* Arrived after the register closed (U, 30 minutes late or more) at the morning session at list
 * position pos, if it is a present morning. Returns the sessions coded (0 or 1). */
static int lay_late_u(pupil_ctx *pc, gen_rng *r, int pos)
{
	int s = pc->list[pos];

	if ((s & 1) != 0 || pc->c[s] != K_PRESENT)
		return 0;
	pc->c[s] = K_U;
	pc->mn[s] = (uint8_t)rng_range(r, 30, 75);
	return 1;
}

static int illness_days(gen_rng *r)
{
	static const double w[5] = {0.45, 0.25, 0.15, 0.08, 0.07};
	return 1 + rng_pick(r, w, 5);
}

static void lay_absence(const school_ctx *x, const gen_pupil *p, gen_rng *r, pupil_ctx *pc)
{
	static const double mix[3][6] = {
	        /* I     M     C     O     U     N */
	        {0.64, 0.11, 0.06, 0.10, 0.03, 0.01},
	        {0.55, 0.08, 0.07, 0.18, 0.05, 0.02},
	        {0.60, 0.14, 0.11, 0.10, 0.03, 0.01},
	};
	/* chance over a whole year of a term-time family holiday, scaled to the window below */
	static const double holiday[3] = {0.16, 0.10, 0.07};
	const gen_phase ph = x->s->phase;
	bool severe;
	double rate = draw_rate(x, p, r, &severe), w[6];
	int target, left, guard;

	rebuild_list(pc, x->nsess);
	if (pc->nlist == 0)
		return;
	target = (int)(rate * pc->nlist + rng_unit(r));
	left = target;

	/* A family holiday in term time, next to a school holiday. */
	if (x->nbound > 0 && p->nc < 12 && rng_chance(r, holiday[ph] * x->year_share)) {
		const boundary *b = &x->bound[rng_range(r, 0, x->nbound - 1)];
		int len = 2 * rng_range(r, 5, 10), pos = list_ceil(pc, b->sess);
		if (b->dir < 0 && (pos >= pc->nlist || pc->list[pos] != b->sess))
			pos--;
		if (pos >= 0 && pos < pc->nlist)
			left -= lay_run(pc, pos, len, b->dir, K_G);
	}
	/* A long illness (hospital stay, operation): at least 30 sessions. */
	if (p->nc >= 1 && rng_chance(r, ph == GEN_SPECIAL ? 0.008 : 0.004))
		left -= lay_run(pc, day_start(pc, r, x, true), 2 * rng_range(r, 15, 30), 1, K_I);
	if (severe) {
		/* Long runs of unauthorised absence: the LA attendance return's cases. */
		if (rng_chance(r, 0.6) && left > 0)
			left -= lay_run(pc, day_start(pc, r, x, false), 2 * rng_range(r, 10, 20), 1,
			                rng_chance(r, 0.15) ? K_N : K_O);
		for (guard = 0; left > 0 && guard < 400; guard++) {
			double u = rng_unit(r);
			int pos = day_start(pc, r, x, u >= 0.45 && u < 0.8);
			if (u < 0.45)
				left -= lay_run(pc, pos, 2 * rng_range(r, 2, 10), 1, K_O);
			else if (u < 0.8)
				left -= lay_run(pc, pos, 2 * illness_days(r), 1, K_I);
			else if (u < 0.9)
				left -= lay_run(pc, pos, 2 * rng_range(r, 1, 3), 1, K_N);
			else
				left -= lay_late_u(pc, r, pos);
		}
	}
	memcpy(w, mix[ph], sizeof(w));
	if (rate >= 0.1)
		w[3] *= 1.5;
	for (guard = 0; left > 0 && guard < 400; guard++) {
		int kind = rng_pick(r, w, 6), pos, len;
		switch (kind) {
		case 0: {
			int days = illness_days(r);
			pos = day_start(pc, r, x, true);
			len = 2 * days;
			if (rng_chance(r, 0.15) && pos + 1 < pc->nlist &&
			    (pc->list[pos] & 1) == 0) {
				pos++; /* sent home at lunchtime */
				len--;
			}
			left -= lay_run(pc, pos, len < left ? len : (left > 0 ? left : 1), 1, K_I);
			break;
		}
		case 1:
			left -= lay_run(pc, rng_range(r, 0, pc->nlist - 1), 1, 1, K_M);
			break;
		case 2:
			left -= lay_run(pc, day_start(pc, r, x, false), rng_range(r, 1, 2), 1, K_C);
			break;
		case 3:
			len = 2 * (rate >= 0.1 ? rng_range(r, 1, 5) : rng_range(r, 1, 3));
			left -= lay_run(pc, day_start(pc, r, x, false), len < left ? len : left, 1,
			                K_O);
			break;
		case 4:
			left -= lay_late_u(pc, r, day_start(pc, r, x, false));
			break;
		default:
			left -= lay_run(pc, rng_range(r, 0, pc->nlist - 1), rng_range(r, 1, 2), 1,
			                K_N);
			break;
		}
	}
	/* Suspensions: a few pupils, one to three of one to three days. */
	if (p->nc >= 1 && rng_chance(r, ph == GEN_SECONDARY ? 0.025
	                                : ph == GEN_SPECIAL ? 0.02
	                                                    : 0.004)) {
		int n = rng_range(r, 1, 3);
		for (int k = 0; k < n; k++)
			lay_run(pc, day_start(pc, r, x, false), 2 * rng_range(r, 1, 3), 1, K_E);
	}
}

static void lay_lateness(const school_ctx *x, const gen_pupil *p, gen_rng *r, pupil_ctx *pc)
{
	double late = 0.012 * exp(1.0 * rng_normal(r)) * (p->fsm ? 1.6 : 1.0);

	if (late > 0.25)
		late = 0.25;
	for (int s = 0; s < x->nsess; s++) {
		if (pc->c[s] != K_PRESENT)
			continue;
		if (rng_unit(r) < ((s & 1) ? late / 8 : late)) {
			double u = rng_unit(r);
			pc->c[s] = K_L;
			pc->mn[s] = (uint8_t)(1 + (int)(28.99 * u * u * u));
		}
	}
}

static void pupil_marks(const school_ctx *x, const gen_pupil *p, pupil_ctx *pc)
{
	gen_rng r;
	const char *eth = names_ethnicity[p->eth].code;

	rng_init(&r, x->t->opt.seed, GEN_RNG_PUPIL_MARKS, ((uint64_t)x->s->urn << 32) | p->id);
	for (int s = 0; s < x->nsess; s++) {
		int32_t day = x->day[s / 2];
		pc->c[s] = x->open[s] && day >= p->admitted && day <= p->left ? K_PRESENT : K_NONE;
		pc->mn[s] = 0;
	}
	lay_structure(x, p, eth, &r, pc);
	lay_absence(x, p, &r, pc);
	lay_lateness(x, p, &r, pc);
}

/* ---- amendments ---------------------------------------------------------------------------- */

static bool amendable(int k)
{
	return k == K_I || k == K_M || k == K_G || k == K_O || k == K_U || k == K_C || k == K_R;
}

/* Local second at which class cls's register for window session s was taken. */
static int register_sec(const school_ctx *x, int s, int cls)
{
	uint64_t h = rng_hash(x->t->opt.seed ^ ((uint64_t)x->s->urn << 20), (uint64_t)cls,
	                      (uint64_t)(x->day[s / 2] * 2 + (s & 1)));
	return (s & 1) ? 13 * 3600 + 10 * 60 + (int)(h % 600) : 8 * 3600 + 45 * 60 + (int)(h % 720);
}

/* The k-th school day after day (open days of the school; plain weekdays past the year). */
static int32_t school_day_after(const school_ctx *x, int32_t day, int k)
{
	const gen_year *y = &x->t->year;
	int found = 0;

	for (int j = calendar_index_ceil(y, day + 1); j < y->ndays; j++)
		if (x->s->open[2 * j] && ++found == k)
			return y->day[j];
	if (y->ndays > 0 && y->day[y->ndays - 1] > day)
		day = y->day[y->ndays - 1];
	while (found < k) {
		day++;
		if (date_weekday(day) < 5)
			found++;
	}
	return day;
}

static int cmp_amendment(const void *a, const void *b)
{
	const amendment *x = a, *y = b;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return x->p < y->p ? -1 : x->p > y->p;
}

/* Picks exactly round(pct% of the original marks) absence marks (fewer if there are not that
 * many), turns each into a provisional N and records the amendment that re-codes it. */
static int pick_amendments(const school_ctx *x, uint8_t *cm, uint8_t *mn, long np, amendment **out,
                           size_t *nout, char *err, size_t errlen)
{
	uint64_t total = 0, eligible = 0, want, seen = 0, taken = 0;
	size_t cells = (size_t)x->nsess * (size_t)np;
	amendment *am;
	gen_rng r;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < cells; i++) {
		total += cm[i] != K_NONE;
		eligible += amendable(cm[i]);
	}
	want = (uint64_t)llround(x->t->opt.amend_pct / 100.0 * (double)total);
	if (want > eligible)
		want = eligible;
	if (want == 0)
		return 0;
	am = calloc((size_t)want, sizeof(*am));
	if (am == NULL) {
		snprintf(err, errlen, "out of memory for %llu amendments",
		         (unsigned long long)want);
		return -ENOMEM;
	}
	rng_init(&r, x->t->opt.seed, GEN_RNG_AMEND, (uint64_t)x->s->urn);
	for (int s = 0; s < x->nsess && taken < want; s++) {
		for (long p = 0; p < np && taken < want; p++) {
			size_t i = (size_t)s * (size_t)np + (size_t)p;
			int k = cm[i];
			if (!amendable(k))
				continue;
			/* selection sampling (Knuth's algorithm S): exactly want of eligible */
			if ((double)(eligible - seen++) * rng_unit(&r) >= (double)(want - taken))
				continue;
			amendment *a = &am[taken++];
			a->s = s;
			a->p = (int32_t)p;
			a->code = (uint8_t)k;
			a->mins = mn[i];
			if (k == K_U) {
				/* marked N at the register, U when the pupil signed in */
				a->day = x->day[s / 2];
				a->sec = register_sec(x, s, x->roll->p[p].cls) + 60 * mn[i] +
				         rng_range(&r, 0, 59);
				a->office = 2;
			} else {
				static const double w[3] = {0.6, 0.3, 0.1};
				a->day = school_day_after(x, x->day[s / 2], 1 + rng_pick(&r, w, 3));
				a->sec = 9 * 3600 + rng_range(&r, 0, 6 * 3600 + 1800);
				a->office = rng_chance(&r, 0.75) ? 0 : 1;
			}
			a->reason = (uint8_t)rng_range(&r, 0, 255);
			cm[i] = K_NPROV;
			mn[i] = 0;
		}
	}
	qsort(am, (size_t)taken, sizeof(*am), cmp_amendment);
	*out = am;
	*nout = (size_t)taken;
	return 0;
}

/* ---- marks.csv ------------------------------------------------------------------------------ */

/* One row without amendment reason: "upn,date,session,code,minutes,recorded_at,recorded_by,".
 * ds is "YYYY-MM-DD,AM," (14 bytes); ts is 25 bytes. */
static inline void emit(gen_out *o, const char *upn, const char *ds, const char *code, int mins,
                        const char *ts, const char *by, size_t bylen)
{
	char *q = out_reserve(o, 64 + bylen), *w = q;

	memcpy(w, upn, UPN_LEN);
	w += UPN_LEN;
	*w++ = ',';
	memcpy(w, ds, 14);
	w += 14;
	*w++ = code[0];
	if (code[1] != '\0')
		*w++ = code[1];
	*w++ = ',';
	if (mins > 0) {
		if (mins >= 100)
			*w++ = (char)('0' + mins / 100);
		if (mins >= 10)
			*w++ = (char)('0' + mins / 10 % 10);
		*w++ = (char)('0' + mins % 10);
	}
	*w++ = ',';
	memcpy(w, ts, 25);
	w += 25;
	*w++ = ',';
	memcpy(w, by, bylen);
	w += bylen;
	*w++ = ',';
	o->len += (size_t)(w - q);
	o->total += (uint64_t)(w - q);
}

static const char *amend_reason(const amendment *a)
{
#define PICK(arr) arr[a->reason % (sizeof(arr) / sizeof(arr[0]))]
	switch (a->code) {
	case K_I:
		return PICK(s_reason_i);
	case K_M:
		return PICK(s_reason_m);
	case K_G:
		return PICK(s_reason_g);
	case K_O:
		return PICK(s_reason_o);
	case K_U:
		return PICK(s_reason_u);
	case K_C:
		return PICK(s_reason_c);
	default:
		return PICK(s_reason_r);
	}
#undef PICK
}

static void write_amendment(gen_out *o, const school_ctx *x, const amendment *a)
{
	const gen_roll *roll = x->roll;
	char ds[14], ts[25];
	const char *by = roll->office[a->office];

	out_fmt_date(ds, x->day[a->s / 2]);
	memcpy(ds + 10, (a->s & 1) ? ",PM," : ",AM,", 4);
	out_fmt_ts(ts, a->day, a->sec, calendar_utc_offset(a->day));
	emit(o, roll->p[a->p].upn, ds, s_code[a->code], a->code == K_U ? a->mins : 0, ts, by,
	     strlen(by));
	out_csv(o, amend_reason(a));
	out_str(o, ",\n");
}

/* The cause a register note gives for an absence (marks.csv comment), the same for both
 * sessions of a day; about half the absences carry one. NULL: none. */
static const char *mark_comment(const school_ctx *x, long p, int d, int k)
{
	static const char *const unauth[] = {
	        "No contact from parent", "Phone calls not answered", "Home visit: no answer",
	        "Parent says child refused to come", "Caring for a younger sibling"};
	static const char *const holiday[] = {"Family holiday, not agreed",
	                                      "Holiday request refused"};
	static const char *const ill[] = {"Parent phoned: illness", "Email from parent: unwell",
	                                  "Hospital appointment then unwell"};
	uint64_t h;

	if (k != K_N && k != K_O && k != K_G && k != K_I)
		return NULL;
	h = rng_hash(x->t->opt.seed + GEN_RNG_COMMENT, ((uint64_t)x->s->urn << 32) | (uint64_t)p,
	             (uint64_t)d);
	if (h & 1)
		return NULL;
	h >>= 1;
	return k == K_I   ? ill[h % (sizeof(ill) / sizeof(ill[0]))]
	       : k == K_G ? holiday[h % (sizeof(holiday) / sizeof(holiday[0]))]
	                  : unauth[h % (sizeof(unauth) / sizeof(unauth[0]))];
}

static void write_marks(gen_out *o, bool header, const school_ctx *x, const uint8_t *cm,
                        const uint8_t *mn, const amendment *am, size_t nam, char (*ts)[25],
                        size_t *tlen, gen_mark_stats *st)
{
	const gen_roll *roll = x->roll;
	const long np = roll->n;
	size_t next = 0, olen[3];
	uint64_t rows = 0;

	for (int k = 0; k < 3; k++)
		olen[k] = strlen(roll->office[k]);
	if (header) {
		char head[160];
		columns_header(columns_marks, COL_M_N, head, sizeof(head));
		out_str(o, head);
	}
	for (int d = 0; d < x->ndays; d++) {
		int off = calendar_utc_offset(x->day[d]);
		for (int h = 0; h < 2; h++) {
			int s = 2 * d + h;
			char ds[14];
			const uint8_t *col = cm + (size_t)s * (size_t)np;
			const uint8_t *mcol = mn + (size_t)s * (size_t)np;

			if (!x->open[s])
				continue;
			out_fmt_date(ds, x->day[d]);
			memcpy(ds + 10, h ? ",PM," : ",AM,", 4);
			for (int c = 0; c < roll->nclasses; c++)
				out_fmt_ts(ts[c], x->day[d], register_sec(x, s, c), off);
			for (long p = 0; p < np; p++) {
				int k = col[p];
				const gen_pupil *pu = &roll->p[p];
				if (k == K_NONE)
					continue;
				rows++;
				if (k == K_L || k == K_U) {
					/* signed in at the office: stamped when they arrived */
					char lt[25];
					int sec = register_sec(x, s, pu->cls) + 60 * mcol[p] +
					          (int)(rng_hash((uint64_t)p, (uint64_t)s, 7) % 60);
					out_fmt_ts(lt, x->day[d], sec, off);
					emit(o, pu->upn, ds, s_code[k], mcol[p], lt,
					     roll->office[2], olen[2]);
				} else {
					const char *code =
					        k == K_PRESENT ? (h ? "\\" : "/") : s_code[k];
					emit(o, pu->upn, ds, code, 0, ts[pu->cls],
					     roll->teacher[pu->cls], tlen[pu->cls]);
				}
				out_char(o, ',');
				{
					const char *why = mark_comment(x, p, d, k);
					if (why)
						out_csv(o, why);
				}
				out_char(o, '\n');
			}
		}
		/* amendments made by the end of this day follow its registers */
		for (; next < nam && am[next].day <= x->day[d]; next++)
			write_amendment(o, x, &am[next]);
	}
	for (; next < nam; next++)
		write_amendment(o, x, &am[next]);
	st->rows += rows + nam;
	st->amendments += nam;
}

int marks_write(const gen_trust *t, const gen_school *s, const gen_roll *roll, gen_out *o,
                bool header, gen_mark_stats *st, char *err, size_t errlen)
{
	school_ctx x;
	pupil_ctx *pc = NULL;
	uint8_t *cm = NULL, *mn = NULL;
	amendment *am = NULL;
	size_t nam = 0, cells, *tlen = NULL;
	char(*ts)[25] = NULL;
	uint64_t before;
	const long np = roll->n;
	int rc;

	rc = ctx_init(&x, t, s, roll, err, errlen);
	if (rc != 0)
		goto out;
	cells = (size_t)x.nsess * (size_t)np;
	cm = malloc(cells + 1);
	mn = malloc(cells + 1);
	pc = malloc(sizeof(*pc));
	ts = calloc((size_t)roll->nclasses + 1, sizeof(*ts));
	tlen = calloc((size_t)roll->nclasses + 1, sizeof(*tlen));
	if (cm == NULL || mn == NULL || pc == NULL || ts == NULL || tlen == NULL) {
		snprintf(err, errlen, "school %d: out of memory for %zu sessions", s->urn, cells);
		rc = -ENOMEM;
		goto out;
	}
	for (int c = 0; c < roll->nclasses; c++)
		tlen[c] = strlen(roll->teacher[c]);
	for (long p = 0; p < np; p++) {
		pupil_marks(&x, &roll->p[p], pc);
		for (int k = 0; k < x.nsess; k++) {
			cm[(size_t)k * (size_t)np + (size_t)p] = pc->c[k];
			mn[(size_t)k * (size_t)np + (size_t)p] = pc->mn[k];
		}
	}
	rc = pick_amendments(&x, cm, mn, np, &am, &nam, err, errlen);
	if (rc != 0)
		goto out;
	before = o->total;
	write_marks(o, header, &x, cm, mn, am, nam, ts, tlen, st);
	st->bytes += o->total - before;
out:
	free(x.trip);
	free(pc);
	free(cm);
	free(mn);
	free(am);
	free(ts);
	free(tlen);
	return rc;
}
