/* The measures engine (domain.md §2-5, §7): one pass over a school's register matrix as of a
 * day gives every enrolment's period counts, headline flags, categories, runs and penalty-window
 * count; plus terms, cohort sums and exact percentage formatting. */
#include "rollcall/measures.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measures_state.h"
#include "rollcall/codes.h"
#include "rollcall/date.h"

/* Which periods (and the penalty window) a session belongs to. */
enum {
	MASK_YTD = 1u << MEASURES_YTD,
	MASK_TERM = 1u << MEASURES_TERM,
	MASK_LAST4W = 1u << MEASURES_LAST4W,
	MASK_PENALTY = 1u << MEASURES_PERIODS,
};

struct sess_info {
	int32_t day;
	uint8_t mask; /* MASK_* */
	int8_t dow;   /* 0..4 Mon..Fri, -1 at weekends */
	uint8_t pm;
	bool open;
};

/* A run being built during the pass. */
struct run {
	bool active;
	measures_episode ep;
};

struct episodes {
	measures_episode *v;
	size_t n, cap;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void measures_config_init(measures_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->category_bp[0] = 500;
	cfg->category_bp[1] = 1000;
	cfg->category_bp[2] = 2000;
	cfg->category_bp[3] = 5000;
	cfg->episode_sessions = 20;
	cfg->illness_sessions = 30;
	cfg->forecast_run = 10;
	cfg->forecast_total = 20;
	cfg->penalty_weeks = 10;
	cfg->penalty_sessions = 10;
	cfg->recent_weeks = 4;
	cfg->term_break_weekdays = 5;
	cfg->term_given = false;
	cfg->term_first = MEASURES_NO_DAY;
	cfg->term_last = MEASURES_NO_DAY;
}

int measures_config_check(const measures_config *cfg, char *err, size_t errlen)
{
	const struct {
		const char *name;
		uint32_t v;
	} counts[] = {
	        {"episode_sessions", cfg->episode_sessions},
	        {"illness_sessions", cfg->illness_sessions},
	        {"forecast_run", cfg->forecast_run},
	        {"forecast_total", cfg->forecast_total},
	        {"penalty_weeks", cfg->penalty_weeks},
	        {"penalty_sessions", cfg->penalty_sessions},
	        {"recent_weeks", cfg->recent_weeks},
	        {"term_break_weekdays", cfg->term_break_weekdays},
	};

	for (size_t i = 0; i < 4; i++) {
		if (cfg->category_bp[i] > 10000) {
			set_err(err, errlen,
			        "measures: category edge %zu is %" PRIu32 " (above 10000)", i,
			        cfg->category_bp[i]);
			return -EINVAL;
		}
		if (i > 0 && cfg->category_bp[i] <= cfg->category_bp[i - 1]) {
			set_err(err, errlen, "measures: category edges not increasing at edge %zu",
			        i);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		if (counts[i].v == 0) {
			set_err(err, errlen, "measures: %s must be at least 1", counts[i].name);
			return -EINVAL;
		}
	}
	if (cfg->term_given && cfg->term_first > cfg->term_last) {
		set_err(err, errlen, "measures: explicit term ends before it starts");
		return -EINVAL;
	}
	return 0;
}

/* ---- small date and array helpers ---------------------------------------------------------- */

size_t measures_lower_day(const measures_session *s, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First index whose day is > day. */
static size_t upper_day(const measures_session *s, size_t n, int32_t day)
{
	if (day == INT32_MAX)
		return n;
	return measures_lower_day(s, n, day + 1);
}

static int32_t week_monday(int32_t day)
{
	return day - date_weekday(day);
}

/* Weekdays strictly between a and b. */
static uint32_t weekdays_between(int32_t a, int32_t b)
{
	uint32_t n = 0;

	for (int32_t d = a + 1; d < b; d++)
		if (date_weekday(d) < 5)
			n++;
	return n;
}

/* Days of the first and last school weeks among the k most recent school weeks up to the
 * sessions s[0..n) (all already <= the as-of day): *first = Monday of the oldest, *latest =
 * Monday of the newest. MEASURES_NO_DAY in both when there is no open session. */
static void recent_school_weeks(const measures_session *s, size_t n, uint32_t k, int32_t *first,
                                int32_t *latest)
{
	uint32_t weeks = 0;
	int32_t cur = MEASURES_NO_DAY;

	*first = *latest = MEASURES_NO_DAY;
	for (size_t i = n; i-- > 0;) {
		if (!s[i].open)
			continue;
		int32_t mon = week_monday(s[i].day);
		if (mon == cur)
			continue;
		if (weeks == k)
			break;
		cur = mon;
		weeks++;
		if (*latest == MEASURES_NO_DAY)
			*latest = mon;
		*first = mon;
	}
}

bool measures_compulsory_age(int32_t birth_day, int ay)
{
	return birth_day >= date_from_ymd(ay - 16, 9, 1) &&
	       birth_day <= date_from_ymd(ay - 5, 8, 31);
}

/* ---- terms --------------------------------------------------------------------------------- */

void measures_term_find(const measures_session *s, size_t n, int32_t day, uint32_t break_weekdays,
                        measures_term *out)
{
	int ay = date_academic_year(day);
	int32_t ay_first = date_academic_year_start(ay);
	int32_t ay_last = date_academic_year_start(ay + 1) - 1;
	int32_t jan1 = date_from_ymd(ay + 1, 1, 1);
	int32_t mar1 = date_from_ymd(ay + 1, 3, 1);
	int32_t may1 = date_from_ymd(ay + 1, 5, 1);
	int32_t summer = MEASURES_NO_DAY, prev = MEASURES_NO_DAY, ref;
	uint32_t best = 0;

	for (size_t i = measures_lower_day(s, n, ay_first); i < n && s[i].day <= day; i++) {
		if (!s[i].open)
			continue;
		int32_t d = s[i].day;
		if (prev != MEASURES_NO_DAY && d > prev + 1) {
			int32_t start = prev + 1;
			while (date_weekday(start) >= 5)
				start++;
			if (start < d && start >= mar1 && start < may1) {
				uint32_t w = weekdays_between(prev, d);
				if (w >= break_weekdays && w > best) {
					best = w;
					summer = d;
				}
			}
		}
		prev = d;
	}
	ref = prev != MEASURES_NO_DAY ? prev : day;
	out->year = ay;
	if (ref < jan1) {
		out->name = MEASURES_AUTUMN;
		out->first_day = ay_first;
		out->last_day = jan1 - 1;
	} else if (summer == MEASURES_NO_DAY || ref < summer) {
		out->name = MEASURES_SPRING;
		out->first_day = jan1;
		out->last_day = summer == MEASURES_NO_DAY ? ay_last : summer - 1;
	} else {
		out->name = MEASURES_SUMMER;
		out->first_day = summer;
		out->last_day = ay_last;
	}
}

const char *measures_term_name_str(measures_term_name name)
{
	switch (name) {
	case MEASURES_AUTUMN:
		return "autumn";
	case MEASURES_SPRING:
		return "spring";
	case MEASURES_SUMMER:
		return "summer";
	}
	return "";
}

/* ---- rates and categories ------------------------------------------------------------------ */

/* Sign of num/den - bp/10000, exactly (den > 0). */
static int rate_cmp(uint64_t num, uint64_t den, uint32_t bp)
{
	unsigned __int128 l = (unsigned __int128)num * 10000u;
	unsigned __int128 r = (unsigned __int128)bp * den;

	return l < r ? -1 : l > r ? 1 : 0;
}

bool measures_rate_ge(uint64_t num, uint64_t den, uint32_t bp)
{
	return den > 0 && rate_cmp(num, den, bp) >= 0;
}

measures_category measures_categorise(const measures_config *cfg, uint64_t absence,
                                      uint64_t possible)
{
	const uint32_t *b = cfg->category_bp;

	if (possible == 0)
		return MEASURES_CAT_NONE;
	if (rate_cmp(absence, possible, b[0]) <= 0)
		return MEASURES_CAT_EXPECTED;
	if (rate_cmp(absence, possible, b[1]) < 0)
		return MEASURES_CAT_AT_RISK_PA;
	if (rate_cmp(absence, possible, b[2]) <= 0)
		return MEASURES_CAT_PA;
	if (rate_cmp(absence, possible, b[3]) < 0)
		return MEASURES_CAT_AT_RISK_SA;
	return MEASURES_CAT_SA;
}

const char *measures_category_name(measures_category c)
{
	static const char *const names[MEASURES_CAT_COUNT] = {
	        "", "expected", "at_risk_pa", "pa", "at_risk_sa", "sa",
	};

	return (unsigned)c < MEASURES_CAT_COUNT ? names[c] : "";
}

const char *measures_period_name(measures_period p)
{
	static const char *const names[MEASURES_PERIODS] = {"ytd", "term", "last4w"};

	return (unsigned)p < MEASURES_PERIODS ? names[p] : "";
}

void measures_category_counts(const measures *m, measures_period p,
                              uint32_t counts[MEASURES_CAT_COUNT])
{
	memset(counts, 0, sizeof(uint32_t) * MEASURES_CAT_COUNT);
	for (size_t e = 0; e < m->n_enrolments; e++)
		if (m->pupils[e].in_population[p])
			counts[m->pupils[e].category[p]]++;
}

/* ---- percentages --------------------------------------------------------------------------- */

/* Writes sign and q tenths as "12.3". */
static char *format_tenths(bool negative, unsigned __int128 q, char out[MEASURES_PCT_LEN])
{
	uint64_t whole = (uint64_t)(q / 10), tenth = (uint64_t)(q % 10);

	snprintf(out, MEASURES_PCT_LEN, "%s%" PRIu64 ".%" PRIu64, negative && q > 0 ? "-" : "",
	         whole, tenth);
	return out;
}

char *measures_pct_format(uint64_t num, uint64_t den, char out[MEASURES_PCT_LEN])
{
	if (den == 0) {
		out[0] = '\0';
		return out;
	}
	/* round(1000 num / den) with halves up: floor((2000 num + den) / (2 den)). */
	unsigned __int128 q =
	        ((unsigned __int128)num * 2000u + den) / ((unsigned __int128)den * 2u);
	return format_tenths(false, q, out);
}

char *measures_gap_format(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                          char out[MEASURES_PCT_LEN])
{
	if (b == 0 || d == 0) {
		out[0] = '\0';
		return out;
	}
	/* a/b - c/d = (ad - cb) / bd; round |.| half up, then put the sign back. */
	unsigned __int128 ad = (unsigned __int128)a * d, cb = (unsigned __int128)c * b;
	unsigned __int128 bd = (unsigned __int128)b * d;
	bool negative = ad < cb;
	unsigned __int128 diff = negative ? cb - ad : ad - cb;
	unsigned __int128 q = (diff * 2000u + bd) / (bd * 2u);
	return format_tenths(negative, q, out);
}

/* ---- cohorts ------------------------------------------------------------------------------- */

bool measures_in_cohort(const measures_chars *c, measures_cohort k, int value)
{
	switch (k) {
	case MEASURES_COHORT_ALL:
		return true;
	case MEASURES_COHORT_PP:
		return c->pp;
	case MEASURES_COHORT_FSM:
		return c->fsm;
	case MEASURES_COHORT_SEN_K:
		return c->sen == MEASURES_SEN_K;
	case MEASURES_COHORT_EHCP:
		return c->sen == MEASURES_SEN_E;
	case MEASURES_COHORT_SEN_ANY:
		return c->sen == MEASURES_SEN_K || c->sen == MEASURES_SEN_E;
	case MEASURES_COHORT_CIN:
		return c->care == MEASURES_CARE_CIN;
	case MEASURES_COHORT_CPP:
		return c->care == MEASURES_CARE_CPP;
	case MEASURES_COHORT_CLA:
		return c->care == MEASURES_CARE_CLA;
	case MEASURES_COHORT_SOCIAL_WORKER:
		return c->care == MEASURES_CARE_CIN || c->care == MEASURES_CARE_CPP ||
		       c->care == MEASURES_CARE_CLA;
	case MEASURES_COHORT_PLAC:
		return c->plac;
	case MEASURES_COHORT_EAL:
		return c->eal;
	case MEASURES_COHORT_SEX:
		return c->sex == value;
	case MEASURES_COHORT_NC_YEAR:
		return c->nc_year == value;
	case MEASURES_COHORT_CLASS:
		return c->reg_group == value;
	case MEASURES_COHORT_COUNT:
		break;
	}
	return false;
}

const char *measures_cohort_name(measures_cohort k)
{
	static const char *const names[MEASURES_COHORT_COUNT] = {
	        "all",           "pp",   "fsm", "sen_k", "ehcp",    "sen_any", "cin", "cpp", "cla",
	        "social_worker", "plac", "eal", "sex",   "nc_year", "class",
	};

	return (unsigned)k < MEASURES_COHORT_COUNT ? names[k] : "";
}

static void row_add_pupil(measures_cohort_row *r, const measures_pupil *pu, measures_period p)
{
	const measures_counts *c = &pu->counts[p];

	r->pupils++;
	r->possible += c->possible;
	r->absence += (uint64_t)c->authorised + c->unauthorised;
	r->authorised += c->authorised;
	r->unauthorised += c->unauthorised;
	r->pa_pupils += pu->pa[p];
	r->sa_pupils += pu->sa[p];
}

void measures_cohort_sum(const measures *m, measures_period p, measures_cohort k, int value,
                         measures_cohort_row *in, measures_cohort_row *out)
{
	measures_cohort_row spare;

	if (out == NULL)
		out = &spare;
	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	for (size_t e = 0; e < m->n_enrolments; e++) {
		const measures_pupil *pu = &m->pupils[e];
		if (!pu->in_population[p])
			continue;
		row_add_pupil(measures_in_cohort(&pu->chars, k, value) ? in : out, pu, p);
	}
}

void measures_cohort_row_add(measures_cohort_row *dst, const measures_cohort_row *src)
{
	dst->pupils += src->pupils;
	dst->possible += src->possible;
	dst->absence += src->absence;
	dst->authorised += src->authorised;
	dst->unauthorised += src->unauthorised;
	dst->pa_pupils += src->pa_pupils;
	dst->sa_pupils += src->sa_pupils;
}

/* ---- input checks -------------------------------------------------------------------------- */

static int check_input(const measures_input *in, char *err, size_t errlen)
{
	size_t cells;

	if (in->n_sessions > UINT32_MAX - 1 || in->n_enrolments > UINT32_MAX - 1 ||
	    __builtin_mul_overflow(in->n_sessions, in->n_enrolments, &cells)) {
		set_err(err, errlen, "measures: register too large (%zu enrolments x %zu sessions)",
		        in->n_enrolments, in->n_sessions);
		return -EINVAL;
	}
	if ((in->n_sessions > 0 && in->sessions == NULL) ||
	    (in->n_enrolments > 0 && in->enrolments == NULL) || (cells > 0 && in->grid == NULL) ||
	    (in->n_late > 0 && in->late == NULL)) {
		set_err(err, errlen, "measures: input array missing");
		return -EINVAL;
	}
	for (size_t i = 0; i < in->n_sessions; i++) {
		const measures_session *s = &in->sessions[i];
		if (s->pm > 1) {
			set_err(err, errlen, "measures: session %zu has pm %u (expected 0 or 1)", i,
			        (unsigned)s->pm);
			return -EINVAL;
		}
		if (i > 0 && (s->day < s[-1].day || (s->day == s[-1].day && s->pm <= s[-1].pm))) {
			set_err(err, errlen, "measures: sessions not strictly sorted at index %zu",
			        i);
			return -EINVAL;
		}
	}
	for (size_t e = 0; e < in->n_enrolments; e++) {
		const measures_enrolment *en = &in->enrolments[e];
		if (en->n_chars > 0 && en->chars == NULL) {
			set_err(err, errlen, "measures: enrolment %zu has no characteristics array",
			        e);
			return -EINVAL;
		}
		if (en->n_gaps > 0 && en->gaps == NULL) {
			set_err(err, errlen, "measures: enrolment %zu has no gaps array", e);
			return -EINVAL;
		}
		for (size_t g = 0; g < en->n_gaps; g++) {
			const measures_gap *gp = &en->gaps[g];
			if (gp->first_day > gp->last_day || gp->first_day <= en->admission_day ||
			    gp->last_day >= en->leaving_day ||
			    (g > 0 && gp->first_day <= en->gaps[g - 1].last_day + 1)) {
				set_err(err, errlen,
				        "measures: gap %zu of enrolment %zu is not inside its roll "
				        "dates "
				        "or not after the one before",
				        g, e);
				return -EINVAL;
			}
		}
		for (size_t i = 1; i < en->n_chars; i++) {
			if (en->chars[i].valid_from < en->chars[i - 1].valid_from) {
				set_err(err, errlen,
				        "measures: characteristics of enrolment %zu not sorted "
				        "(record %zu)",
				        e, i);
				return -EINVAL;
			}
		}
	}
	for (size_t i = 0; i < in->n_late; i++) {
		if (in->late[i].enrolment >= in->n_enrolments ||
		    in->late[i].session >= in->n_sessions) {
			set_err(err, errlen, "measures: late entry %zu out of range", i);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- the pass ------------------------------------------------------------------------------ */

/* How code id counts (the one place a code's role in figures and runs is decided). */
static void class_of(unsigned id, const rc_code *l, struct code_class *k)
{
	const rc_code *c = id > 0 && id < 256 ? codes_by_id((uint8_t)id) : NULL;

	memset(k, 0, sizeof(*k));
	k->from = INT32_MAX;
	k->until = INT32_MIN;
	if (c == NULL)
		return;
	k->from = c->valid_from;
	k->until = c->valid_until;
	k->category = (uint8_t)c->category;
	k->bucket = (uint8_t)c->bucket;
	if (codes_possible(c->category))
		k->flags |= CLS_POSSIBLE;
	if (c->category == RC_CAT_AUTHORISED || c->category == RC_CAT_UNAUTHORISED)
		k->flags |= CLS_ABSENT;
	if (c->bucket == RC_BUCKET_G || c->bucket == RC_BUCKET_N || c->bucket == RC_BUCKET_O ||
	    c->bucket == RC_BUCKET_U)
		k->flags |= CLS_GNOU;
	if (c->bucket == RC_BUCKET_I)
		k->flags |= CLS_ILL;
	if (c->bucket == RC_BUCKET_U)
		k->flags |= CLS_U;
	if (l != NULL && c->id == l->id)
		k->flags |= CLS_L;
}

static void build_classes(struct measures_state *st)
{
	const rc_code *l = codes_find("L", 1);

	for (unsigned id = 0; id < 256; id++)
		class_of(id, l, &st->cls[id]);
}

measures_run_kind measures_code_run_kind(uint8_t code_id, int32_t day)
{
	struct code_class k;

	class_of(code_id, NULL, &k);
	if (code_id == 0 || day < k.from || day > k.until || !(k.flags & CLS_POSSIBLE))
		return MEASURES_RUN_SKIP;
	return (k.flags & CLS_GNOU)  ? MEASURES_RUN_UNAUTH
	       : (k.flags & CLS_ILL) ? MEASURES_RUN_ILL
	                             : MEASURES_RUN_BREAK;
}

static int episodes_push(struct episodes *v, const measures_episode *ep)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		measures_episode *nv = realloc(v->v, cap * sizeof(*nv));
		if (nv == NULL)
			return -ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = *ep;
	return 0;
}

/* Starts run r at session s (day, pm): afresh, or going on from before the sessions (carry). */
static void run_start(struct run *r, uint32_t e, uint32_t s, int32_t day, uint8_t pm,
                      const measures_run_carry *carry)
{
	r->active = true;
	r->ep.enrolment = e;
	r->ep.first = s;
	r->ep.qualifying = MEASURES_NO_SESSION;
	r->ep.length = r->ep.carried = carry ? carry->length : 0;
	r->ep.start_day = carry ? carry->first_day : day;
	r->ep.start_pm = carry ? carry->first_pm : pm;
	r->ep.qualified_day = carry ? carry->qualified_day : MEASURES_NO_DAY;
	r->ep.qualified_pm = carry ? carry->qualified_pm : 0;
}

/* Extends run r with session s (qualifying at the q-th session). */
static void run_extend(struct run *r, uint32_t e, uint32_t s, int32_t day, uint8_t pm, uint32_t q)
{
	if (!r->active)
		run_start(r, e, s, day, pm, NULL);
	r->ep.length++;
	r->ep.last = s;
	if (r->ep.length == q) {
		r->ep.qualifying = s;
		r->ep.qualified_day = day;
		r->ep.qualified_pm = pm;
	}
}

static int run_close(struct run *r, int32_t end_day, struct episodes *out)
{
	if (!r->active)
		return 0;
	r->active = false;
	r->ep.end_day = end_day;
	return episodes_push(out, &r->ep);
}

static measures_chars chars_as_at(const measures_enrolment *en, int32_t day)
{
	measures_chars none = {.valid_from = INT32_MIN, .nc_year = MEASURES_NC_UNKNOWN, .sex = 'U'};
	size_t pick = 0;

	if (en->n_chars == 0)
		return none;
	for (size_t i = 0; i < en->n_chars && en->chars[i].valid_from <= day; i++)
		pick = i;
	return en->chars[pick];
}

bool measures_on_roll(const measures *m, size_t e, int32_t day)
{
	const struct measures_state *st = m->state;
	const measures_pupil *pu = &m->pupils[e];

	if (day < pu->admission_day || day > pu->leaving_day)
		return false;
	for (size_t g = st->gap_at[e]; g < st->gap_at[e + 1]; g++)
		if (day >= st->gaps[g].first_day && day <= st->gaps[g].last_day)
			return false;
	return true;
}

void measures_roll_range(const measures *m, size_t e, size_t *lo, size_t *hi)
{
	const measures_pupil *pu = &m->pupils[e];
	size_t n = m->state->n_upto;

	*lo = measures_lower_day(m->sessions, n, pu->admission_day);
	*hi = upper_day(m->sessions, n, pu->leaving_day);
	if (*hi < *lo)
		*hi = *lo;
}

/* The open sessions up to D as the pass walks them, cut into segments over which the period
 * mask is constant (periods are intervals of the sorted sessions, so there are at most six).
 * Each cell is counted once into a histogram of code ids; a segment's histogram is folded into
 * the periods of its mask when the segment ends. */
struct segment {
	size_t a, b; /* positions [a, b) in pass.sess */
	unsigned mask;
};

struct pass {
	uint32_t *sess; /* session index of each open session up to D */
	int32_t *day;   /* its day */
	uint8_t *dk;    /* Mon..Fri x AM/PM as dow * 2 + pm; 10 at weekends */
	size_t n;
	struct segment *seg;
	size_t nseg;
	uint8_t ids[256]; /* the ids the code table knows */
	size_t nids;
	uint32_t hist[257];      /* by code id; [0] unmarked, [256] invalid */
	uint32_t dp[11], da[11]; /* possible and absence by dk */
};

static void counts_add(measures_counts *d, const measures_counts *s)
{
	d->possible += s->possible;
	d->present += s->present;
	d->aea += s->aea;
	d->authorised += s->authorised;
	d->unauthorised += s->unauthorised;
	d->not_counted += s->not_counted;
	d->unmarked += s->unmarked;
	d->invalid += s->invalid;
	for (int b = 0; b < RC_BUCKET_COUNT; b++)
		d->bucket[b] += s->bucket[b];
	for (int w = 0; w < 5; w++) {
		for (int h = 0; h < 2; h++) {
			d->dow_possible[w][h] += s->dow_possible[w][h];
			d->dow_absence[w][h] += s->dow_absence[w][h];
		}
	}
	d->late_l += s->late_l;
	d->late_u += s->late_u;
	d->minutes_late += s->minutes_late;
}

/* Turns the histogram of one segment into counts for the periods of mask, and clears it. */
static void fold_segment(const struct measures_state *st, struct pass *ps, measures_pupil *pu,
                         unsigned mask)
{
	measures_counts acc;
	uint32_t gnou = 0;

	memset(&acc, 0, sizeof(acc));
	acc.unmarked = ps->hist[0];
	acc.invalid = ps->hist[256];
	ps->hist[0] = ps->hist[256] = 0;
	for (size_t i = 0; i < ps->nids; i++) {
		uint8_t id = ps->ids[i];
		uint32_t n = ps->hist[id];
		const struct code_class *k = &st->cls[id];
		if (n == 0)
			continue;
		ps->hist[id] = 0;
		switch ((rc_category)k->category) {
		case RC_CAT_PRESENT:
			acc.present += n;
			break;
		case RC_CAT_AEA:
			acc.aea += n;
			break;
		case RC_CAT_AUTHORISED:
			acc.authorised += n;
			break;
		case RC_CAT_UNAUTHORISED:
			acc.unauthorised += n;
			break;
		case RC_CAT_NOT_COUNTED:
			acc.not_counted += n;
			break;
		}
		if (!(k->flags & CLS_POSSIBLE))
			continue;
		acc.possible += n;
		if (k->bucket != RC_BUCKET_NONE)
			acc.bucket[k->bucket] += n;
		if (k->flags & CLS_L)
			acc.late_l += n;
		if (k->flags & CLS_U)
			acc.late_u += n;
		if (k->flags & CLS_GNOU)
			gnou += n;
	}
	for (int w = 0; w < 10; w++) {
		acc.dow_possible[w / 2][w % 2] = ps->dp[w];
		acc.dow_absence[w / 2][w % 2] = ps->da[w];
	}
	memset(ps->dp, 0, sizeof(ps->dp));
	memset(ps->da, 0, sizeof(ps->da));
	for (unsigned p = 0; p < MEASURES_PERIODS; p++)
		if (mask & (1u << p))
			counts_add(&pu->counts[p], &acc);
	if (mask & MASK_PENALTY)
		pu->penalty_sessions += gnou;
}

/* First position in days[0..n) whose day is >= day. */
static size_t lower_pos(const int32_t *days, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Walks enrolment e's open sessions on roll up to D, spell by spell: counts, runs, penalty
 * count, illness this year. A run carried in from before the sessions (measures_run_carry) goes
 * on at the first possible session if that extends it; a run ends with each spell. */
static int pass_enrolment(measures *m, size_t e, struct pass *ps, struct episodes *unauth,
                          struct episodes *ill)
{
	const struct measures_state *st = m->state;
	measures_pupil *pu = &m->pupils[e];
	const uint8_t *row = st->grid + e * m->n_sessions;
	const uint32_t q_unauth = m->cfg.episode_sessions, q_ill = m->cfg.illness_sessions;
	const struct code_class *cls = st->cls;
	const uint32_t *sess = ps->sess;
	const int32_t *days = ps->day;
	const uint8_t *dk = ps->dk;
	uint32_t *hist = ps->hist, *dp = ps->dp, *da = ps->da;
	struct run ru = {0}, ri = {0};
	bool first_possible = true;
	int32_t from = pu->admission_day;
	int rc;

	pu->first_episode = unauth->n;
	pu->first_illness = ill->n;
	pu->illness_first_day = MEASURES_NO_DAY;
	pu->illness_reached_day = MEASURES_NO_DAY;
	for (size_t k = st->gap_at[e];; k++) {
		bool last_spell = k == st->gap_at[e + 1];
		int32_t to = last_spell ? pu->leaving_day : st->gaps[k].first_day - 1;
		size_t lo = lower_pos(ps->day, ps->n, from);
		size_t hi = to == MEASURES_NO_DAY ? ps->n : lower_pos(ps->day, ps->n, to + 1);

		for (size_t g = 0; g < ps->nseg && lo < hi; g++) {
			size_t a = ps->seg[g].a > lo ? ps->seg[g].a : lo;
			size_t b = ps->seg[g].b < hi ? ps->seg[g].b : hi;
			bool ytd = ps->seg[g].mask & MASK_YTD;
			if (a >= b)
				continue;
			for (size_t pos = a; pos < b; pos++) {
				uint32_t s = sess[pos];
				uint8_t c = row[s];
				int32_t day = days[pos];
				uint8_t pm = m->sessions[s].pm;
				const struct code_class *kc = &cls[c];
				if (day < kc->from ||
				    day > kc->until) { /* unmarked (id 0), invalid */
					hist[c == 0 ? 0 : 256]++;
					continue;
				}
				hist[c]++;
				unsigned f = kc->flags;
				if (!(f & CLS_POSSIBLE))
					continue;
				dp[dk[pos]]++;
				if (first_possible) {
					/* A run the register had going before the sessions given.
					 */
					const measures_run_carry *cu = &st->carry[e][0],
					                         *ci = &st->carry[e][1];

					first_possible = false;
					if ((f & CLS_GNOU) && cu->length)
						run_start(&ru, (uint32_t)e, s, day, pm, cu);
					if ((f & CLS_ILL) && ci->length)
						run_start(&ri, (uint32_t)e, s, day, pm, ci);
				}
				if (!(f & (CLS_ABSENT | CLS_GNOU | CLS_ILL)) && !ru.active &&
				    !ri.active)
					continue; /* the common case: present, no run to break */
				da[dk[pos]] += (f & CLS_ABSENT) != 0;
				if (f & CLS_GNOU)
					run_extend(&ru, (uint32_t)e, s, day, pm, q_unauth);
				else if (ru.active && (rc = run_close(&ru, day, unauth)) < 0)
					return rc;
				if (f & CLS_ILL) {
					run_extend(&ri, (uint32_t)e, s, day, pm, q_ill);
					if (ytd) {
						if (pu->illness_first_day == MEASURES_NO_DAY)
							pu->illness_first_day = day;
						if (++pu->illness_ytd == q_ill)
							pu->illness_reached_day = day;
					}
				} else if (ri.active && (rc = run_close(&ri, day, ill)) < 0) {
					return rc;
				}
			}
			fold_segment(st, ps, pu, ps->seg[g].mask);
		}
		if (last_spell)
			break;
		/* Off the roll between two spells: the runs end with the spell. */
		if (to < m->as_of && ((rc = run_close(&ru, to + 1, unauth)) < 0 ||
		                      (rc = run_close(&ri, to + 1, ill)) < 0))
			return rc;
		from = st->gaps[k].last_day + 1;
	}
	/* A run still going at the last counted session ends with the roll, or is open on D. */
	int32_t end = pu->leaving_day != MEASURES_NO_DAY && pu->leaving_day <= m->as_of
	                      ? pu->leaving_day + 1
	                      : MEASURES_NO_DAY;
	if ((rc = run_close(&ru, end, unauth)) < 0 || (rc = run_close(&ri, end, ill)) < 0)
		return rc;
	pu->n_episodes = unauth->n - pu->first_episode;
	pu->n_illness = ill->n - pu->first_illness;
	pu->penalty = pu->penalty_sessions >= m->cfg.penalty_sessions;
	return 0;
}

/* Lays out the open sessions up to D and their segments. */
static int pass_init(struct pass *ps, const measures *m, const struct sess_info *info)
{
	size_t n = m->state->n_upto, k = 0;

	memset(ps, 0, sizeof(*ps));
	ps->sess = malloc((n ? n : 1) * sizeof(*ps->sess));
	ps->day = malloc((n ? n : 1) * sizeof(*ps->day));
	ps->dk = malloc(n ? n : 1);
	ps->seg = malloc((n ? n : 1) * sizeof(*ps->seg));
	if (ps->sess == NULL || ps->day == NULL || ps->dk == NULL || ps->seg == NULL)
		return -ENOMEM;
	for (size_t s = 0; s < n; s++) {
		if (!info[s].open)
			continue;
		ps->sess[k] = (uint32_t)s;
		ps->day[k] = info[s].day;
		ps->dk[k] = (uint8_t)(info[s].dow >= 0 ? info[s].dow * 2 + info[s].pm : 10);
		if (ps->nseg == 0 || ps->seg[ps->nseg - 1].mask != info[s].mask)
			ps->seg[ps->nseg++] = (struct segment){k, k, info[s].mask};
		ps->seg[ps->nseg - 1].b = ++k;
	}
	ps->n = k;
	for (unsigned id = 1; id < 256; id++)
		if (m->state->cls[id].from <= m->state->cls[id].until)
			ps->ids[ps->nids++] = (uint8_t)id;
	return 0;
}

static void pass_deinit(struct pass *ps)
{
	free(ps->sess);
	free(ps->day);
	free(ps->dk);
	free(ps->seg);
	ps->sess = NULL;
	ps->day = NULL;
	ps->dk = NULL;
	ps->seg = NULL;
}

static void add_late(measures *m, const measures_late *l, const struct sess_info *info)
{
	const struct measures_state *st = m->state;
	measures_pupil *pu = &m->pupils[l->enrolment];
	size_t s = l->session;

	if (s >= st->n_upto || !info[s].open || !measures_on_roll(m, l->enrolment, info[s].day))
		return;
	const struct code_class *k = measures_cell_class(
	        st, st->grid[(size_t)l->enrolment * m->n_sessions + s], info[s].day);
	if (k == NULL || !(k->flags & (CLS_L | CLS_U)))
		return;
	for (unsigned p = 0; p < MEASURES_PERIODS; p++)
		if (info[s].mask & (1u << p))
			pu->counts[p].minutes_late += l->minutes;
}

/* Period and window bounds as of D, and the per-session masks. */
static void set_periods(measures *m, struct sess_info *info)
{
	const measures_session *s = m->sessions;
	size_t n = m->state->n_upto;
	int32_t first, latest;

	m->period_first[MEASURES_YTD] = date_academic_year_start(m->academic_year);
	if (m->cfg.term_given) {
		m->term.year = date_academic_year(m->cfg.term_first);
		m->term.first_day = m->cfg.term_first;
		m->term.last_day = m->cfg.term_last;
		int month;
		int y, d;
		date_to_ymd(m->cfg.term_first, &y, &month, &d);
		m->term.name = month >= 8   ? MEASURES_AUTUMN
		               : month >= 4 ? MEASURES_SUMMER
		                            : MEASURES_SPRING;
	} else {
		measures_term_find(s, m->n_sessions, m->as_of, m->cfg.term_break_weekdays,
		                   &m->term);
	}
	m->period_first[MEASURES_TERM] = m->term.first_day;
	recent_school_weeks(s, n, m->cfg.recent_weeks, &first, &latest);
	m->period_first[MEASURES_LAST4W] = first;
	recent_school_weeks(s, n, m->cfg.penalty_weeks, &first, &latest);
	m->penalty_first = first;
	m->penalty_last = m->as_of;
	if (latest != MEASURES_NO_DAY && latest + 6 < m->as_of)
		m->penalty_last = latest + 6;

	for (size_t i = 0; i < n; i++) {
		int32_t day = s[i].day;
		int wd = date_weekday(day);
		info[i].day = day;
		info[i].open = s[i].open;
		info[i].pm = s[i].pm;
		info[i].dow = (int8_t)(wd < 5 ? wd : -1);
		info[i].mask = 0;
		if (day >= m->period_first[MEASURES_YTD])
			info[i].mask |= MASK_YTD;
		if (day >= m->term.first_day && day <= m->term.last_day)
			info[i].mask |= MASK_TERM;
		if (day >= m->period_first[MEASURES_LAST4W])
			info[i].mask |= MASK_LAST4W;
		if (day >= m->penalty_first)
			info[i].mask |= MASK_PENALTY;
	}
}

static void set_flags(measures *m, measures_pupil *pu)
{
	for (unsigned p = 0; p < MEASURES_PERIODS; p++) {
		const measures_counts *c = &pu->counts[p];
		uint64_t absence = (uint64_t)c->authorised + c->unauthorised;
		pu->in_population[p] = pu->compulsory && !pu->boarder && c->possible > 0;
		pu->pa[p] = measures_rate_ge(absence, c->possible, MEASURES_PA_BP);
		pu->sa[p] = measures_rate_ge(absence, c->possible, MEASURES_SA_BP);
		pu->category[p] = measures_categorise(&m->cfg, absence, c->possible);
	}
}

/* Keeps the enrolments' gaps and carried-in runs, and marks the cells of a gap's sessions off
 * roll so that nothing reads a mark there. The roll dates are set here (before the pass) so that
 * measures_on_roll works from now on. */
static int copy_gaps_and_carries(measures *m, const measures_input *in)
{
	struct measures_state *st = m->state;
	size_t total = 0;

	for (size_t e = 0; e < in->n_enrolments; e++)
		total += in->enrolments[e].n_gaps;
	st->gaps = malloc((total ? total : 1) * sizeof(*st->gaps));
	st->gap_at = malloc((in->n_enrolments + 1) * sizeof(*st->gap_at));
	st->carry = calloc(in->n_enrolments ? in->n_enrolments : 1, sizeof(*st->carry));
	if (!st->gaps || !st->gap_at || !st->carry)
		return -ENOMEM;
	total = 0;
	for (size_t e = 0; e < in->n_enrolments; e++) {
		const measures_enrolment *en = &in->enrolments[e];
		uint8_t *row = st->grid + e * m->n_sessions;

		m->pupils[e].admission_day = en->admission_day;
		m->pupils[e].leaving_day = en->leaving_day;
		st->gap_at[e] = total;
		for (size_t g = 0; g < en->n_gaps; g++) {
			size_t s = measures_lower_day(m->sessions, m->n_sessions,
			                              en->gaps[g].first_day);

			st->gaps[total++] = en->gaps[g];
			for (; s < m->n_sessions && m->sessions[s].day <= en->gaps[g].last_day; s++)
				row[s] = MEASURES_OFF_ROLL;
		}
		st->carry[e][0] = en->carry_unauth;
		st->carry[e][1] = en->carry_ill;
	}
	st->gap_at[in->n_enrolments] = total;
	return 0;
}

int measures_new(measures **out, const measures_input *in, int32_t as_of,
                 const measures_config *cfg, char *err, size_t errlen)
{
	measures *m = NULL;
	struct sess_info *info = NULL;
	struct episodes unauth = {0}, ill = {0};
	struct pass ps = {0};
	measures_session *sessions = NULL;
	size_t cells;
	int rc;

	*out = NULL;
	if ((rc = check_input(in, err, errlen)) < 0)
		goto out;
	cells = in->n_sessions * in->n_enrolments; /* checked for overflow above */
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	if (cfg != NULL)
		m->cfg = *cfg;
	else
		measures_config_init(&m->cfg);
	if ((rc = measures_config_check(&m->cfg, err, errlen)) < 0)
		goto out;
	m->as_of = as_of;
	m->academic_year = date_academic_year(as_of);
	m->n_sessions = in->n_sessions;
	m->n_enrolments = in->n_enrolments;
	m->state = calloc(1, sizeof(*m->state));
	sessions = malloc((in->n_sessions ? in->n_sessions : 1) * sizeof(*sessions));
	m->pupils = calloc(in->n_enrolments ? in->n_enrolments : 1, sizeof(*m->pupils));
	info = malloc((in->n_sessions ? in->n_sessions : 1) * sizeof(*info));
	if (m->state == NULL || sessions == NULL || m->pupils == NULL || info == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	m->state->grid = malloc(cells ? cells : 1);
	if (m->state->grid == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	if (cells > 0)
		memcpy(m->state->grid, in->grid, cells);
	if (in->n_sessions > 0)
		memcpy(sessions, in->sessions, in->n_sessions * sizeof(*sessions));
	m->state->sessions = sessions;
	m->sessions = sessions;
	sessions = NULL;
	if ((rc = copy_gaps_and_carries(m, in)) < 0)
		goto out;
	m->state->n_upto = upper_day(m->sessions, m->n_sessions, as_of);
	build_classes(m->state);
	set_periods(m, info);
	if ((rc = pass_init(&ps, m, info)) < 0)
		goto out;

	for (size_t e = 0; e < in->n_enrolments; e++) {
		const measures_enrolment *en = &in->enrolments[e];
		measures_pupil *pu = &m->pupils[e];
		pu->pupil_id = en->pupil_id;
		pu->admission_day = en->admission_day;
		pu->leaving_day = en->leaving_day;
		pu->birth_day = en->birth_day;
		pu->boarder = en->n_chars ? chars_as_at(en, as_of).boarder : en->boarder;
		pu->on_roll = measures_on_roll(m, e, as_of);
		pu->compulsory = measures_compulsory_age(en->birth_day, m->academic_year);
		pu->chars = chars_as_at(en, as_of);
		if ((rc = pass_enrolment(m, e, &ps, &unauth, &ill)) < 0)
			goto out;
	}
	for (size_t i = 0; i < in->n_late; i++)
		add_late(m, &in->late[i], info);
	for (size_t e = 0; e < in->n_enrolments; e++)
		set_flags(m, &m->pupils[e]);

	m->episodes = unauth.v;
	m->n_episodes = unauth.n;
	m->illness = ill.v;
	m->n_illness = ill.n;
	unauth.v = ill.v = NULL;
	*out = m;
	m = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		set_err(err, errlen, "measures: out of memory");
	pass_deinit(&ps);
	free(unauth.v);
	free(ill.v);
	free(info);
	free(sessions);
	measures_destroy(&m);
	return rc;
}

void measures_destroy(measures **pm)
{
	measures *m;

	if (pm == NULL || *pm == NULL)
		return;
	m = *pm;
	if (m->state != NULL) {
		free(m->state->grid);
		free(m->state->sessions);
		free(m->state->gaps);
		free(m->state->gap_at);
		free(m->state->carry);
		free(m->state);
	}
	free(m->pupils);
	free(m->episodes);
	free(m->illness);
	free(m);
	*pm = NULL;
}
